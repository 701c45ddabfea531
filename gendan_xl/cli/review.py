"""``gendan review``: 订单评审 of the order lines that came in and have no 回复交期
and no work order yet (``gendan_xl.plan.review``), in the terminal, as JSON, as
the printable 订单评审表 (``--sheet``), and with ``--write-back`` into 回复交期.

Exit codes: 0 done, 1 the ledger has data errors (the review is still made from
the rows that could be read) or the write-back could not fill every line, 2 the
ledger cannot be used, 3 the ledger is open in Excel or busy (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, date_arg, out
from gendan_xl.model import Lang
from gendan_xl.termtext import markup_safe as _esc
from gendan_xl.termtext import visible

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "订单评审",
        "window": "评审日 {as_of},下单日期 {since} 至 {as_of},送货提前期 {lead} 个工作日",
        "none": "没有待评审的订单行(下单日期在范围内、没有回复交期、没有工单)。",
        "cols": "订单行|客户|产品|数量|要求交期|最早完工|可承诺交期|物料齐套|结论|说明|推迟的已承诺订单行",
        "counts": "可按期 {ok} 行,需协商 {neg} 行,无法排产 {bad} 行",
        "errors": "台账有 {n} 个错误(用 gendan check 查看),以下结果仅供参考",
        "written": "已写回回复交期 {n} 格到 {path},原文件备份为 {backup}",
        "sheet": "订单评审表:{path}",
        "late": "将延误",
    },
    "en": {
        "title": "Order review",
        "window": "as of {as_of}, ordered {since} to {as_of}, delivery lead time {lead} working days",
        "none": "No order line to review (ordered in the window, no 回复交期, no work order).",
        "cols": "Order line|Customer|Item|Qty|Due|Earliest finish|Promise|Material ready|Verdict|Reason|Pushes",
        "counts": "{ok} can be met, {neg} need a later date, {bad} cannot be scheduled",
        "errors": "The ledger has {n} errors (see gendan check); treat these results with care",
        "written": "wrote {n} 回复交期 cells into {path}; backup {backup}",
        "sheet": "order review sheet: {path}",
        "late": "late",
    },
}
COLOUR = {"可按期": "green", "需协商": "yellow", "无法排产": "red"}


def fmt_day(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else "-"


def cmd_review(args: argparse.Namespace) -> int:
    from gendan_xl.documents.numbers import NumberLockError
    from gendan_xl.documents.review_run import run_review
    from gendan_xl.write.patch import WriteBackRefused

    lang: Lang = args.lang
    try:
        run = run_review(
            Path(args.ledger), args.as_of, args.since, write_back=args.write_back,
            sheet=Path(args.sheet) if args.sheet else None, wait=args.wait,
        )
    except (WriteBackRefused, NumberLockError) as exc:
        raise cli.Locked(exc.message(lang)) from None
    result = run.result
    if args.json:
        data = result.to_json(lang)
        data["written_back"] = [{"order_line": k, "cell": c, "date": d.isoformat()} for k, c, d in run.filled]
        out(json.dumps(data, ensure_ascii=False))
    else:
        _render(run, lang, args.ledger)
    for warning in run.warnings:
        sys.stderr.write("注意:" + visible(warning) + "\n")
    return EXIT_ERRORS if run.errors or run.warnings else EXIT_OK


def _render(run: object, lang: Lang, name: str) -> None:
    from gendan_xl.cli.plan import make_console, new_table
    from gendan_xl.documents.review_run import ReviewRun
    from gendan_xl.write.review_book import PUSHES_SHOWN, pushes_text

    assert isinstance(run, ReviewRun)
    t = TEXT[lang]
    result = run.result
    console = make_console()
    console.print(f"[bold]{t['title']}[/bold]  {_esc(name)}  " + t["window"].format(
        as_of=result.as_of.isoformat(), since=result.since.isoformat(), lead=result.lead_days))
    if run.errors:
        console.print(f"[red]{t['errors'].format(n=run.errors)}[/red]")
    if not result.lines:
        console.print(t["none"])
    else:
        table = new_table("", t["cols"])
        for ln in result.lines:
            colour = COLOUR[ln.verdict]
            verdict = ln.verdict if lang == "zh" else {"可按期": "OK", "需协商": "negotiate"}.get(ln.verdict, "no")
            ready = fmt_day(ln.material_ready) if ln.material_ready else (ln.material_note or "-")
            pushes = pushes_text(ln, PUSHES_SHOWN) if lang == "zh" else "\n".join(
                f"{p.key} {fmt_day(p.old_finish)} -> {fmt_day(p.new_finish)}" + (f" ({t['late']})" if p.becomes_late else "")
                for p in ln.pushes
            )
            table.add_row(
                _esc(ln.key), _esc(ln.customer), _esc(ln.item), f"{ln.qty:,.0f}", fmt_day(ln.due_date),
                fmt_day(ln.earliest_finish), fmt_day(ln.promise_date), _esc(ready), f"[{colour}]{verdict}[/{colour}]",
                _esc(ln.reason(lang)), _esc(pushes),
            )
        console.print(table)
        counts = result.counts()
        console.print(t["counts"].format(ok=counts["可按期"], neg=counts["需协商"], bad=counts["无法排产"]))
    for wb in run.written_back:
        console.print(t["written"].format(n=wb.cells_written, path=_esc(wb.path),
                                          backup=_esc(wb.backup.name if wb.backup else "-")))
    if run.sheet is not None:
        console.print(t["sheet"].format(path=_esc(run.sheet)))


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "review",
        help="订单评审:新订单能否按期、可承诺交期、会推迟哪些订单 / which dates new order lines can be promised",
        description=(
            "评审新进的订单行(下单日期在范围内、还没有回复交期和工单):按优先级和已承诺的订单一起排产,"
            "给出最早完工、可承诺交期(加送货提前期)、物料齐套日期和结论 可按期/需协商/无法排产,"
            "以及会被推迟的已承诺订单行。Review the order lines that came in: plan them with everything "
            "already committed and say which dates can be promised. "
            "例 / example: gendan review 台账.xlsx --since 2026-11-09 --sheet 订单评审表.xlsx"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--since", type=date_arg, default=None,
                   help="评审这一天及以后下单的订单行(默认评审日前 7 天)/ ordered on or after (default: 7 days back)")
    p.add_argument("--as-of", type=date_arg, default=None, help="评审日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    p.add_argument("--sheet", default=None, metavar="FILE.xlsx",
                   help="写出可打印的订单评审表 / write the printable 订单评审表 to this file")
    p.add_argument("--write-back", action="store_true",
                   help="把可按期(交期)和需协商(建议交期)写入回复交期(先备份;文件在 Excel 中打开时拒绝)"
                        " / fill 回复交期 in the ledger")
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="台账被占用时最多等待的秒数(默认 30)/ seconds to wait for a busy ledger")
    common(p)
    p.set_defaults(func=cmd_review)


cli.EXTRA_COMMANDS.append(register)
