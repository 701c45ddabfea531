"""``gendan docs ...``: work orders (制造命令单), delivery notes (送货单) and
statements (对账单) from a ledger.

Each command: read the ledger -> build the documents (``gendan_xl.documents``)
-> allocate numbers (``documents.numbers``, locked journal in the ledger's folder)
-> write the workbook (``write.docs_book``) -> with ``--write-back`` patch the new
numbers into the clerk's own file (``write.patch``). The ``run_*`` functions are
the same steps without the argument parsing, for the ribbon and batch runs.

Exit codes as ``gendan check``: 0 done (or nothing to do), 1 some input was not
usable (an unknown order number, shipments without an order line, a sheet missing
the column to write back into), 2 the ledger, a setting or an argument cannot be
used (unknown customer, bad number pattern or period), 3 the ledger is open in
Excel / locked, or the number lock is busy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gendan_xl import cli
from gendan_xl.documents import common
from gendan_xl.documents.delivery import (
    build_delivery_notes,
    delivery_write_back,
    note_paper_setting,
)
from gendan_xl.documents.models import Assignment, WriteBackPlan
from gendan_xl.documents.numbers import NumberLockError, NumberPatternError, allocate
from gendan_xl.documents.statement import PeriodError, build_statement
from gendan_xl.documents.work_orders import (
    Allocator,
    build_work_orders,
    planned_dates,
    work_order_write_back,
)
from gendan_xl.ledger import Ledger, match_order_lines, order_key
from gendan_xl.model import LedgerError
from gendan_xl.read import read_ledger, resolve_ledger
from gendan_xl.write.docs_book import write_delivery_notes, write_statement, write_work_orders
from gendan_xl.write.docs_writeback import apply_write_back, check_plan_writable, plan_files
from gendan_xl.write.patch import WriteBackRefused, WriteBackResult

Say = Callable[[str], None]


@dataclass
class DocsResult:
    """What a docs run did, for the CLI (or a ribbon handler) to show."""

    output: Path | None = None  # the workbook written; None when there was nothing to do
    assignments: list[Assignment] = field(default_factory=list)
    write_back: list[WriteBackResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # clerk-readable, make the exit code 1
    notes: list[str] = field(default_factory=list)  # informational lines


# ------------------------------------------------------------------ engine


def _resolver(target: Path) -> Callable[[str], Path]:
    """Map a ledger source's file name (as the reader shows it) to its path."""
    workbook, _config = resolve_ledger(target)
    base = target if target.is_dir() else target.parent

    def resolve(name: str) -> Path:
        p = Path(name)
        if p.is_absolute() or workbook is not None:
            return p
        return base / p

    return resolve


def _allocator(ledger: Ledger, kind: str) -> Allocator:
    folder = common.ledger_folder(ledger)

    def alloc(pattern: str, day: date, count: int, existing: Iterable[str]) -> list[str]:
        return allocate(folder, kind, pattern or None, day, count, existing, ledger=Path(ledger.name).name)

    return alloc


def _read(target: Path, as_of: date) -> Ledger:
    return read_ledger(target, as_of)


def _precheck_write_back(target: Path, ledger: Ledger, sheet_key: str) -> None:
    """Refuse before allocating anything when the file to patch is open or locked."""
    resolve = _resolver(target)
    sources = ledger.table(sheet_key).sources
    if sheet_key == "work_orders":
        sources = sources[:1]  # new rows go to the first 工单 sheet
    check_plan_writable([resolve(s) for s in dict.fromkeys(src.file for src in sources)])


def _finish_write_back(target: Path, plan: WriteBackPlan, result: DocsResult) -> None:
    result.warnings += plan.problems
    if plan.empty:
        return
    resolve = _resolver(target)
    check_plan_writable(plan_files(plan, resolve))
    result.write_back = apply_write_back(plan, resolve)


def _customer(target: Path, ledger: Ledger, wanted: str) -> str:
    name = common.find_customer(ledger, wanted)
    if name is None:
        raise LedgerError(
            str(target), f"客户「{wanted}」不在订单表或客户表中", f"customer '{wanted}' is not in the ledger"
        )
    return name


def run_work_orders(
    target: Path,
    out_dir: Path,
    as_of: date,
    order_nos: Sequence[str] = (),
    write_back: bool = False,
    ledger: Ledger | None = None,
) -> DocsResult:
    """``ledger``: the ledger already read from ``target`` (else it is read here)."""
    ledger = ledger or _read(target, as_of)
    if write_back:
        _precheck_write_back(target, ledger, "work_orders")
    run = build_work_orders(
        ledger, as_of, _allocator(ledger, "wo"), order_nos, schedule=planned_dates(ledger, as_of)
    )
    result = DocsResult(assignments=run.assignments)
    result.warnings += [f"订单号「{n}」不在订单表中,或没有需要下工单的订单行" for n in run.unknown_orders]
    if not run.docs:
        return result
    plan = work_order_write_back(ledger, run.docs) if write_back else WriteBackPlan()
    written = write_back and not plan.problems
    company = common.text(ledger.setting("company_name", ""))
    result.output = write_work_orders(
        out_dir / f"制造命令单_{as_of:%Y%m%d}.xlsx", run.docs, company, result.assignments, written
    )
    if write_back:
        _finish_write_back(target, plan, result)
    return result


def run_delivery_notes(
    target: Path,
    out_dir: Path,
    as_of: date,
    on_date: date | None = None,
    customer: str | None = None,
    prices: bool = False,
    write_back: bool = False,
    ledger: Ledger | None = None,
) -> DocsResult:
    ledger = ledger or _read(target, as_of)
    result = DocsResult()
    name = None if customer is None else _customer(target, ledger, customer)
    if write_back:
        _precheck_write_back(target, ledger, "shipments")
    run = build_delivery_notes(ledger, _allocator(ledger, "dn"), on_date, name, prices)
    result.assignments = run.assignments
    if run.unmatched and name is None:
        rows = "、".join(r.address for r in run.unmatched[:10]) + ("……" if len(run.unmatched) > 10 else "")
        result.warnings.append(f"{len(run.unmatched)} 行出货找不到对应的订单行,未开送货单:{rows}")
    if not run.notes:
        return result
    plan = delivery_write_back(ledger, run.notes) if write_back else WriteBackPlan()
    written = write_back and not plan.problems
    paper, landscape = note_paper_setting(ledger)
    stamp = (on_date or as_of).strftime("%Y%m%d")
    result.output = write_delivery_notes(
        out_dir / f"送货单_{stamp}.xlsx", run.notes, result.assignments, written, paper, landscape
    )
    if write_back:
        _finish_write_back(target, plan, result)
    return result


def run_statement(target: Path, out_dir: Path, as_of: date, customer: str, period: str) -> DocsResult:
    ledger = _read(target, as_of)
    result = DocsResult()
    name = _customer(target, ledger, customer)
    run = build_statement(ledger, name, period, as_of)
    st = run.statement
    if run.unnumbered:
        result.notes.append(
            f"对账期间内有 {run.unnumbered} 行出货还没有送货单号,未列入对账单(先运行 gendan docs delivery-notes)"
        )
    file_name = f"对账单_{common.sanitize_file_part(name)}_{st.period}.xlsx"
    result.output = write_statement(out_dir / file_name, st)
    result.notes.append(
        f"{st.customer.display_name} {st.start.isoformat()} 至 {st.end.isoformat()}:"
        f"送货单 {len(st.notes)} 张,{len(st.lines)} 行,金额 {st.total_amount:,.2f}"
    )
    return result


def demo_docs(ledger_path: Path, ledger: Ledger, as_of: date, folder: Path, lang: str, say: Say) -> None:
    """The ``gendan demo`` step: work orders and priced delivery notes for the demo
    ledger, beside it (the demo ledger itself is not written back)."""
    del lang
    for kind, result in (
        ("制造命令单", run_work_orders(ledger_path, folder, as_of, ledger=ledger)),
        ("送货单", run_delivery_notes(ledger_path, folder, as_of, prices=True, ledger=ledger)),
    ):
        if result.output is not None:
            say(f"{kind} {len(result.assignments)} 张 -> {result.output}")
    # The statement of the customer with the most signed-off notes this period.
    ships = ledger["shipments"]
    keys = match_order_lines(ships, ledger["orders"])
    customer_of = dict(zip(order_key(ledger["orders"]), ledger["orders"]["customer"], strict=True))
    busiest = keys[ships["note_no"].notna()].map(customer_of).value_counts()
    if len(busiest):
        st = run_statement(ledger_path, folder, as_of, str(busiest.index[0]), f"{as_of:%Y-%m}")
        say(f"对账单 -> {st.output}")


# --------------------------------------------------------------------- CLI


def _render(result: DocsResult, kind: str, say: Say) -> int:
    for a in result.assignments:
        rows = ",".join(str(r.row) for r in a.rows)
        sheet = a.rows[0].sheet if a.rows else ""
        say(f"  {a.number}  {a.day.isoformat()}  {a.customer}  {a.order_no}  ← {sheet} 第 {rows} 行")
    for line in result.notes:
        say(line)
    if result.output is None and not result.warnings:
        say(f"没有需要生成的{kind}。")
    if result.output is not None:
        say(f"已写出{kind}:{result.output}")
    for wb in result.write_back:
        if wb.backup is None:
            continue
        say(
            f"已写回台账 {wb.path}:{wb.cells_written} 个单元格,追加 {wb.rows_appended} 行;"
            f"原文件备份为 {wb.backup.name}"
        )
        if wb.skipped_formulas:
            say("以下单元格是公式,未改动:" + "、".join(wb.skipped_formulas))
    for warning in result.warnings:
        sys.stderr.write("注意:" + warning + "\n")
    return cli.EXIT_ERRORS if result.warnings else cli.EXIT_OK


def _guarded(fn: Callable[[], DocsResult]) -> DocsResult:
    """Map lock refusals to exit 3 and bad settings/arguments to exit 2."""
    try:
        return fn()
    except (WriteBackRefused, NumberLockError) as exc:
        raise cli.Locked(exc.message()) from None
    except (NumberPatternError, PeriodError) as exc:
        raise LedgerError("设置" if isinstance(exc, NumberPatternError) else "--period", str(exc)) from None


def cmd_work_orders(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_work_orders(Path(args.ledger), Path(args.out), as_of, args.order or (), args.write_back)
    )
    return _render(result, "制造命令单", cli._out)


def cmd_delivery_notes(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_delivery_notes(
            Path(args.ledger), Path(args.out), as_of, args.date, args.customer, args.prices, args.write_back
        )
    )
    return _render(result, "送货单", cli._out)


def cmd_statement(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_statement(Path(args.ledger), Path(args.out), as_of, args.customer, args.period)
    )
    return _render(result, "对账单", cli._out)


def register(sub: argparse._SubParsersAction, common_opts: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    docs = sub.add_parser(
        "docs",
        help="生成制造命令单、送货单、对账单 / print work orders, delivery notes, statements",
        description="从台账生成单据。例 / example: gendan docs delivery-notes 台账.xlsx --date 2026-11-26",
    )
    kinds = docs.add_subparsers(dest="docs_command", required=True, metavar="KIND")
    ledger_help = "台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml"
    out_help = "输出文件夹(默认当前文件夹)/ output folder (default: current folder)"
    wb_help = "把新单号写回台账(先备份;文件在 Excel 中打开时拒绝)/ write the new numbers into the ledger"
    as_of_help = "制表日期 / as-of date (default today)"

    p = kinds.add_parser(
        "work-orders",
        help="制造命令单 / work orders for open order lines without one",
        description=(
            "为未下工单的订单行分配工单号并生成制造命令单(每张一页 A4)。"
            "例 / example: gendan docs work-orders 台账.xlsx --order SO2611001 --write-back"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--order", action="append", metavar="ORDER_NO",
                   help="只为这些订单下工单(可重复)/ only these orders (repeatable)")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--write-back", action="store_true", help=wb_help)
    p.add_argument("--as-of", type=cli._date, default=None, help="下达日期 / issue date (default today)")
    common_opts(p)
    p.set_defaults(func=cmd_work_orders)

    p = kinds.add_parser(
        "delivery-notes",
        help="送货单 / delivery notes for shipments without a note number",
        description=(
            "把没有送货单号的出货按客户和日期开成送货单。"
            "例 / example: gendan docs delivery-notes 台账.xlsx --date 2026-11-26 --prices --write-back"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--date", type=cli._date, default=None, help="只开这一天的出货 / only this ship date")
    p.add_argument("--customer", default=None, metavar="NAME", help="只开这个客户 / only this customer")
    p.add_argument("--prices", action="store_true", help="显示单价和金额 / print unit prices and amounts")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--write-back", action="store_true", help=wb_help)
    p.add_argument("--as-of", type=cli._date, default=None, help=as_of_help)
    common_opts(p)
    p.set_defaults(func=cmd_delivery_notes)

    p = kinds.add_parser(
        "statement",
        help="对账单 / monthly statement of one customer",
        description=(
            "按客户对账日生成某月对账单。例 / example: gendan docs statement 台账.xlsx --customer 华强 --period 2026-11"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--customer", required=True, metavar="NAME", help="客户简称或全称 / customer")
    p.add_argument("--period", required=True, metavar="YYYY-MM", help="对账月份 / period, e.g. 2026-11")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--as-of", type=cli._date, default=None, help=as_of_help)
    common_opts(p)
    p.set_defaults(func=cmd_statement)


cli.EXTRA_COMMANDS.append(register)

__all__ = ["DocsResult", "demo_docs", "register", "run_delivery_notes", "run_statement", "run_work_orders"]

