"""``gendan monthly``: the 成品月结 of one month (``gendan_xl.monthly``): per item
期初 + 入库 - 出货 + 退货 = 期末, per customer the month's shipments and amounts; in
the terminal, as JSON (``--json``), or as the printable sheet (``--out``).

Exit codes as for ``gendan check``: 0 clean, 1 the ledger has data errors (the
summary is made from the rows that could be read), 2 it cannot be used (or
``--period`` is no month, or after the as-of date), 3 the output file is in use.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, date_arg, out, write_output_file
from gendan_xl.model import Lang, LedgerError
from gendan_xl.termtext import markup_safe as _esc

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "成品月结 {period}",
        "span": "统计 {start} 至 {end}",
        "open": "(本月未结束)",
        "errors": "台账有 {n} 个错误(用 gendan check 查看),以下结果仅供参考",
        "items": "产品编码|品名|期初|期初来源|日报良品|品质调整|入库|出货|退货|期末",
        "customers": "客户|出货数量|出货金额|退货数量|退货金额|净出货数量|净金额",
        "none": "本月没有期初库存,也没有入库、出货或退货。",
        "written": "已写出成品月结:{path}",
        "sheet": "成品期初", "unknown": "期初未知(按 0 推算)", "rolled": "由 {month} 结转",
        "rule": "期初 + 入库 - 出货 + 退货 = 期末",
    },
    "en": {
        "title": "Finished goods {period}",
        "span": "counted {start} to {end}",
        "open": " (month not over)",
        "errors": "The ledger has {n} errors (see gendan check); figures below are indicative",
        "items": "item|name|opening|opening from|good output|quality adj.|into stock|shipped|returned|closing",
        "customers": "customer|shipped|amount|returned|amount|net qty|net amount",
        "none": "No opening stock and no movement this month.",
        "written": "Finished-goods summary written: {path}",
        "sheet": "成品期初", "unknown": "unknown (from 0)", "rolled": "rolled from {month}",
        "rule": "opening + into stock - shipped + returned = closing",
    },
}


def _num(value: object, places: int = 0) -> str:
    if value is None or value != value:
        return "-"
    f = float(value)  # type: ignore[arg-type]
    if places == 0 and not f.is_integer():
        return f"{f:,.2f}"
    return f"{f:,.{places}f}"


def output_path(out_arg: str, period: str) -> Path:
    """``--out`` as given; a folder gets ``成品月结_YYYYMM.xlsx``."""
    from gendan_xl.schema import output_name

    path = Path(out_arg)
    if path.is_dir() or out_arg.endswith(("/", "\\")):
        return path / output_name("monthly", period.replace("-", ""))
    return path


def cmd_monthly(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.files import ledger_parts, refuse_inputs
    from gendan_xl.monthly import MonthError, monthly_summary, parse_period

    lang: Lang = args.lang
    try:  # before reading: a typo must not cost a long read
        year, month = parse_period(args.period, args.as_of)
    except MonthError as exc:
        raise LedgerError("--period", exc.zh, exc.en) from None
    target = output_path(args.out, f"{year:04d}-{month:02d}") if args.out else None
    if target is not None:
        refuse_inputs(target, ledger_parts(Path(args.ledger)))
    checked = check(Path(args.ledger), args.as_of)
    try:
        summary = monthly_summary(checked.ledger, year, month, checked.as_of)
    except MonthError as exc:
        raise LedgerError("--period", exc.zh, exc.en) from None
    written = None
    if target is not None:
        from gendan_xl.write.report import write_monthly

        written = write_output_file(
            target, lambda p: write_monthly(p, summary, checked.as_of, checked.ledger.name, lang)
        )
    if args.json:
        data = {"ledger": checked.ledger.name, **summary.to_json(lang)}
        out(json.dumps(data, ensure_ascii=False))
    else:
        _render(summary, checked, lang)
        if written is not None:
            out(TEXT[lang]["written"].format(path=written))
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def _render(summary: object, checked: object, lang: Lang) -> None:
    from gendan_xl.cli.plan import error_count, make_console, new_table
    from gendan_xl.monthly import MonthlySummary

    assert isinstance(summary, MonthlySummary)
    t = TEXT[lang]
    console = make_console()
    span = t["span"].format(start=summary.start.isoformat(), end=summary.end.isoformat())
    if not summary.closed:
        span += t["open"]
    console.print(f"[bold]{_esc(t['title'].format(period=summary.period))}[/bold]  "
                  f"{_esc(checked.ledger.name)}  {span}  {t['rule']}")  # type: ignore[attr-defined]
    errors = error_count(checked)
    if errors:
        console.print(f"[red]{t['errors'].format(n=errors)}[/red]")
    if summary.items.empty:
        console.print(t["none"])
    else:
        table = new_table("", t["items"])
        for r in summary.items.to_dict("records"):
            source = {"sheet": t["sheet"], "unknown": t["unknown"]}.get(
                r["opening_source"], t["rolled"].format(month=r["opening_month"]))
            closing = _num(r["closing"])
            table.add_row(
                _esc(r["item"]), _esc(r["item_name"] if isinstance(r["item_name"], str) else ""), _num(r["opening"]),
                source, _num(r["produced"]), _num(r["quality"]), _num(r["in_qty"]), _num(r["shipped"]),
                _num(r["returned"]), f"[red]{closing}[/red]" if r["negative"] else closing,
            )
        console.print(table)
    if not summary.customers.empty:
        table = new_table("", t["customers"])
        for r in summary.customers.to_dict("records"):
            table.add_row(_esc(r["customer"]), _num(r["shipped"]), _num(r["shipped_amount"], 2), _num(r["returned"]),
                          _num(r["returned_amount"], 2), _num(r["net_qty"]), _num(r["net_amount"], 2))
        console.print(table)
    for line in summary.warnings(lang):
        console.print(f"[red]{_esc(line)}[/red]")
    for line in summary.note_lines(lang):
        console.print(_esc(line))


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "monthly",
        help="成品月结:每个产品的期初、入库、出货、退货、期末,每个客户的出货金额 / finished-goods monthly summary",
        description=(
            "成品月结:每个产品 期初 + 入库 - 出货 + 退货 = 期末(期初取成品期初,或上月期末),"
            "每个客户本月出货数量和金额(按对账单单价)。Finished-goods summary of one month: per item "
            "opening + good output - shipped + returned = closing, per customer the month's shipments and amounts. "
            "例 / example: gendan monthly 台账.xlsx --period 2026-11 --out 成品月结.xlsx"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--period", required=True, metavar="YYYY-MM",
                   help="月份,如 2026-11、2026年11月 / the month, e.g. 2026-11")
    p.add_argument("--as-of", type=date_arg, default=None,
                   help="截至日期(默认今天;本月未结束时统计到这一天)/ as-of date (default today)")
    p.add_argument("--out", metavar="FILE.xlsx", default=None,
                   help="写出可打印的成品月结(文件或文件夹)/ write the printable sheet (file or folder)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common(p)
    p.set_defaults(func=cmd_monthly)


cli.EXTRA_COMMANDS.append(register)
