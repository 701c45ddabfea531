"""``gendan outsource``: read and check the ledger, plan it, and for every overload
episode propose the smallest quantity of each late order line to make outside
(外协) so that the rest finishes in-house by its commitment date (``plan.outsource``
has the rule); ``--json`` prints ``{"as_of", "proposals": [...]}``.

Exit codes as for ``gendan check``: 0 clean, 1 the ledger has data errors, 2 it
cannot be used at all.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, date_arg, out
from gendan_xl.cli.plan import error_count, fmt_day, fmt_num, make_console, new_table
from gendan_xl.termtext import markup_safe as _esc

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "外协建议(产能缺口)",
        "as_of": "计划日",
        "errors": "台账有 {n} 个错误(用 gendan check 查看),以下结果仅供参考",
        "none": "没有产能缺口造成的延误订单行,不需要外协。",
        "cols": "产线|缺口期间|缺口工时|订单行|客户|产品|外协数量|外协工时|需回厂|厂内完工|建议外协厂",
        "all_out": "全部外协",
        "rule": "外协数量:最少的整箱数量,使其余数量在厂内于承诺交期前完工(按排产顺序逐行计算)。"
                "开单:gendan docs outsourcing",
    },
    "en": {
        "title": "Outsourcing proposals (overloads)",
        "as_of": "as of",
        "errors": "The ledger has {n} errors (see gendan check); figures below are indicative",
        "none": "No order line is late because of an overload: nothing to outsource.",
        "cols": "line|episode|short h|order line|customer|item|qty out|hours out|needed by|in-house finish|supplier",
        "all_out": "all outside",
        "rule": "Qty: the fewest whole cartons with which the rest finishes in-house by the commitment date "
                "(line by line in schedule order). Forms: gendan docs outsourcing",
    },
}


def cmd_outsource(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.plan import plan_ledger
    from gendan_xl.plan.outsource import outsourcing_proposals, proposals_json

    checked = check(Path(args.ledger), args.as_of)
    plan = plan_ledger(checked.ledger, checked.as_of)
    proposals = outsourcing_proposals(checked.ledger, plan)
    if args.json:
        out(json.dumps(proposals_json(plan, proposals), ensure_ascii=False))
        return EXIT_ERRORS if checked.has_errors else EXIT_OK
    t = TEXT[args.lang]
    console = make_console()
    console.print(f"[bold]{t['title']}[/bold]  {_esc(checked.ledger.name)}  {t['as_of']} {checked.as_of.isoformat()}")
    errors = error_count(checked)
    if errors:
        console.print(f"[red]{t['errors'].format(n=errors)}[/red]")
    if proposals.empty:
        console.print(t["none"])
    else:
        table = new_table(t["title"], t["cols"])
        for r in proposals.to_dict("records"):
            finish = t["all_out"] if pd.isna(r["in_house_finish"]) else fmt_day(r["in_house_finish"])
            table.add_row(
                _esc(r["line"]), f"{fmt_day(r['episode_from'])}~{fmt_day(r['episode_by'])}", fmt_num(float(r["shortfall_hours"])),
                _esc(r["order_key"]), fmt_day(r["customer"]), fmt_day(r["item"]), fmt_num(float(r["qty"])), fmt_num(float(r["hours"])),
                fmt_day(r["needed_by"]), finish, fmt_day(r["supplier"]),
            )
        console.print(table)
        console.print(t["rule"])
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "outsource",
        help="外协建议:产能缺口中延误的订单行各需外协多少 / outsourcing proposals from overloads",
        description=(
            "对每个产能缺口,列出该产线预计延误的订单行,以及每行最少外协多少(整箱)才能让其余数量在厂内"
            "按承诺交期完工。For each overload episode, the late order lines and the smallest quantity of "
            "each to make outside so the rest finishes in-house on time. "
            "例 / example: gendan outsource 台账.xlsx --as-of 2026-11-16"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--as-of", type=date_arg, default=None, help="计划日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common(p)
    p.set_defaults(func=cmd_outsource)


cli.EXTRA_COMMANDS.append(register)
