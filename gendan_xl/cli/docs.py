"""``gendan docs ...``: work orders (制造命令单), material issue notes (发料通知单),
delivery notes (送货单), statements (对账单) and reprints, from a ledger: parse the
arguments, call the one document run (``gendan_xl.documents.run``), show what it
did (or print it as one JSON object with ``--json``), set the exit code.

Exit codes as ``gendan check``: 0 done (or nothing to do), 1 some input was not
usable (an unknown order number, shipments without an order line, a sheet missing
the column to write back into), 2 the ledger, a setting or an argument cannot be
used (unknown customer, bad number pattern or period), 3 the ledger is open in
Excel / locked, or the number lock is busy.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from gendan_xl import cli
from gendan_xl.documents.numbers import NumberLockError, NumberPatternError
from gendan_xl.documents.run import (
    DocsResult,
    run_delay_notices,
    run_delivery_notes,
    run_material_issues,
    run_reprint,
    run_statement,
    run_work_orders,
)
from gendan_xl.documents.statement import PeriodError
from gendan_xl.model import LedgerError
from gendan_xl.termtext import visible
from gendan_xl.write.patch import WriteBackRefused

Say = Callable[[str], None]


# --------------------------------------------------------------------- CLI


def _render(result: DocsResult, kind: str, say: Say, as_json: bool = False) -> int:
    if as_json:
        say(json.dumps(result.to_json(), ensure_ascii=False))
        return cli.EXIT_ERRORS if result.warnings else cli.EXIT_OK
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
    if result.assignment_file is not None:
        say(f"分配结果(单号与台账行对照,不随单据打印):{result.assignment_file}")
    for wb in result.write_back:
        if wb.backup is None:
            continue
        say(
            f"已写回台账 {wb.path}:{wb.cells_written} 个单元格,追加 {wb.rows_appended} 行;"
            f"原文件备份为 {wb.backup.name}"
        )
        if wb.skipped_formulas:
            say("以下单元格是公式,未改动:" + "、".join(wb.skipped_formulas))
    for caution in result.cautions:
        sys.stderr.write("注意:" + visible(caution) + "\n")
    for warning in result.warnings:
        sys.stderr.write("注意:" + visible(warning) + "\n")
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
        lambda: run_work_orders(
            Path(args.ledger), Path(args.out), as_of, args.order or (), args.write_back,
            reissue=args.reissue, wait=args.wait,
        )
    )
    return _render(result, "制造命令单", cli.out, args.json)


def cmd_material_issues(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_material_issues(Path(args.ledger), Path(args.out), as_of, args.wo or (), reissue=args.reissue,
                                    wait=args.wait)
    )
    return _render(result, "发料通知单", cli.out, args.json)


def cmd_delivery_notes(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_delivery_notes(
            Path(args.ledger), Path(args.out), as_of, args.date, args.customer, args.prices, args.write_back,
            reissue=args.reissue, wait=args.wait,
        )
    )
    return _render(result, "送货单", cli.out, args.json)


def cmd_delay_notices(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_delay_notices(
            Path(args.ledger), Path(args.out), as_of, args.customer, args.write_back,
            reissue=args.reissue, wait=args.wait,
        )
    )
    return _render(result, "交期变更通知", cli.out, args.json)


def cmd_outsourcing(args: argparse.Namespace) -> int:
    from gendan_xl.documents.run import run_outsourcing

    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_outsourcing(Path(args.ledger), Path(args.out), as_of, args.order or (), reissue=args.reissue,
                                wait=args.wait)
    )
    return _render(result, "外协申请单", cli.out, args.json)


def cmd_sample_notices(args: argparse.Namespace) -> int:
    from gendan_xl.documents.run import run_sample_notices

    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_sample_notices(Path(args.ledger), Path(args.out), as_of, args.sample or (), args.write_back,
                                   reissue=args.reissue, wait=args.wait)
    )
    return _render(result, "试样通知单", cli.out, args.json)


def cmd_packing_lists(args: argparse.Namespace) -> int:
    from gendan_xl.documents.packing_run import run_packing_lists

    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_packing_lists(Path(args.ledger), Path(args.out), as_of, args.note or (), args.date)
    )
    return _render(result, "装箱单", cli.out, args.json)


def cmd_reprint(args: argparse.Namespace) -> int:
    ledger = Path(args.ledger) if args.ledger else None
    result = _guarded(lambda: run_reprint(args.numbers, Path(args.out), ledger))
    return _render(result, "单据", cli.out, args.json)


def cmd_statement(args: argparse.Namespace) -> int:
    as_of = args.as_of or date.today()
    result = _guarded(
        lambda: run_statement(Path(args.ledger), Path(args.out), as_of, args.customer, args.period, wait=args.wait)
    )
    return _render(result, "对账单", cli.out, args.json)


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
    reissue_help = (
        "作废这些行以前分配的单号并重新分配(默认沿用,重印同一单据)"
        "/ void the numbers given to these rows before and give new ones (default: reuse them)"
    )
    wait_help = "台账正被他人生成单据时最多等待的秒数(默认 30)/ seconds to wait for a busy ledger (default 30)"
    json_help = "输出 JSON:分配或沿用的单号及其台账行、跳过的行及原因 / print one JSON object"

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
    p.add_argument("--as-of", type=cli.date_arg, default=None, help="下达日期 / issue date (default today)")
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_work_orders)

    p = kinds.add_parser(
        "material-issues",
        help="发料通知单 / material issue notes for open work orders",
        description=(
            "为未完工工单开发料通知单(每张一页 A4):每种物料的单耗、损耗率、需求量、已领、本次应发、欠料、预计到料,"
            "交生产部门和物料员备料。需要 BOM 表。"
            "例 / example: gendan docs material-issues 台账.xlsx --wo WO20261116001"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--wo", action="append", metavar="WO_NO", help="只开这些工单(可重复)/ only these work orders")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--as-of", type=cli.date_arg, default=None, help="开单日期 / issue date (default today)")
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_material_issues)

    p = kinds.add_parser(
        "delivery-notes",
        help="送货单 / delivery notes for shipments without a note number",
        description=(
            "把没有送货单号的出货按客户和日期开成送货单。"
            "例 / example: gendan docs delivery-notes 台账.xlsx --date 2026-11-26 --prices --write-back"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--date", type=cli.date_arg, default=None, help="只开这一天的出货 / only this ship date")
    p.add_argument("--customer", default=None, metavar="NAME", help="只开这个客户 / only this customer")
    p.add_argument("--prices", action="store_true", help="显示单价和金额 / print unit prices and amounts")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--write-back", action="store_true", help=wb_help)
    p.add_argument("--as-of", type=cli.date_arg, default=None, help=as_of_help)
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_delivery_notes)

    p = kinds.add_parser(
        "delay-notices",
        help="交期变更通知 / letters to customers with new dates for late order lines",
        description=(
            "按客户为预计延误的订单行开交期变更通知(信函格式,A4):原交期、新交期(预计完工 + 送货提前期 个工作日)、"
            "原因(产能/物料/品质),编号 JQ{YYYYMMDD}{SEQ:3}。--write-back 把新交期填入订单表空白的「回复交期」。"
            "例 / example: gendan docs delay-notices 台账.xlsx --customer 华强 --write-back"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--customer", default=None, metavar="NAME", help="只开这个客户 / only this customer")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--write-back", action="store_true",
                   help="把新交期写入订单表空白的「回复交期」(先备份)/ write the new dates into empty 回复交期 cells")
    p.add_argument("--as-of", type=cli.date_arg, default=None, help=as_of_help)
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_delay_notices)

    p = kinds.add_parser(
        "outsourcing",
        help="外协申请单 / outsourcing requests from the overloads (gendan outsource)",
        description=(
            "为产能缺口中预计延误的订单行开外协申请单(A4):产品、外协数量(整箱)、需回厂日期、建议外协厂、"
            "原因(缺口工时),编号 WX{YYYYMMDD}{SEQ:3}。"
            "例 / example: gendan docs outsourcing 台账.xlsx --order SO1"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--order", nargs="+", metavar="ORDER", help="只开这些订单(订单号或订单行)/ only these orders")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--as-of", type=cli.date_arg, default=None, help=as_of_help)
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_outsourcing)

    p = kinds.add_parser(
        "sample-notices",
        help="试样通知单 / sample requests to engineering, production and QC",
        description=(
            "为样品表中尚未送样的样品开试样通知单(A4,每个样品一页):样品单号、客户、产品、品名规格、数量、"
            "要求送样日期、要求/备注,签核 跟单/工程/生产/品质。样品单号空白的行编号 YP{YYYYMMDD}{SEQ:3},"
            "--write-back 把新单号填入空白的「样品单号」。"
            "例 / example: gendan docs sample-notices 台账.xlsx --sample YP20261120001"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--sample", nargs="+", metavar="SAMPLE_NO",
                   help="只开这些样品(样品单号)/ only these samples (样品单号)")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--write-back", action="store_true",
                   help="把新单号填入样品表空白的「样品单号」(先备份)/ write new numbers into empty 样品单号 cells")
    p.add_argument("--as-of", type=cli.date_arg, default=None, help="开单日期 / issue date (default today)")
    p.add_argument("--reissue", action="store_true", help=reissue_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_sample_notices)

    p = kinds.add_parser(
        "packing-lists",
        help="装箱单 / bilingual packing lists of delivery notes (export)",
        description=(
            "按送货单开中英文装箱单(A4):箱号(整张单连续编号)、每箱数量、箱数、尾箱单列、净重、毛重、体积(CBM)、"
            "合计和唛头;用送货单号,不另编号。没有送货单号的出货行请先开送货单。"
            "例 / example: gendan docs packing-lists 台账.xlsx --note SH20261126001"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--note", nargs="+", metavar="NOTE_NO",
                   help="只开这些送货单的装箱单(默认全部)/ only these delivery notes (default: all)")
    p.add_argument("--date", type=cli.date_arg, default=None, help="只开这一天出货的送货单 / only notes of this ship date")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--as-of", type=cli.date_arg, default=None, help=as_of_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_packing_lists)

    p = kinds.add_parser(
        "statement",
        help="对账单 / monthly statement of one customer",
        description=(
            "按客户对账日生成某月对账单(编号、期初余额、送货与退货、收款、期末应收)。"
            "例 / example: gendan docs statement 台账.xlsx --customer 华强 --period 2026-11"
        ),
    )
    p.add_argument("ledger", help=ledger_help)
    p.add_argument("--customer", required=True, metavar="NAME", help="客户简称或全称 / customer")
    p.add_argument("--period", required=True, metavar="YYYY-MM", help="对账月份 / period, e.g. 2026-11")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--as-of", type=cli.date_arg, default=None, help=as_of_help)
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS", help=wait_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_statement)

    p = kinds.add_parser(
        "reprint",
        help="重印已开出的制造命令单或送货单 / print issued work orders or delivery notes again",
        description=(
            "按单号重新打印已开出的单据,内容与当初相同。"
            "例 / example: gendan docs reprint SH20261124001 WO20261126001 --ledger 台账.xlsx"
        ),
    )
    p.add_argument("numbers", nargs="+", metavar="NUMBER", help="工单号或送货单号 / document numbers")
    p.add_argument("--ledger", default=None, metavar="LEDGER",
                   help="台账(单据记录在它旁边;默认当前文件夹)/ the ledger (default: records in the current folder)")
    p.add_argument("--out", default=".", metavar="DIR", help=out_help)
    p.add_argument("--json", action="store_true", help=json_help)
    common_opts(p)
    p.set_defaults(func=cmd_reprint)

    for more in DOCS_KINDS:  # document kinds registered by their own command modules
        more(kinds, common_opts)


# Further ``gendan docs`` kinds from their own modules (e.g. cli/complaints.py):
# each is called with the docs sub-parsers and the common options.
DOCS_KINDS: list[Callable[[argparse._SubParsersAction, Callable[[argparse.ArgumentParser], None]], None]] = []  # type: ignore[type-arg]

cli.EXTRA_COMMANDS.append(register)
render = _render  # for the document kinds of other command modules

__all__ = ["DOCS_KINDS", "register", "render"]
