"""``gendan materials``: read and check the ledger, plan it with its materials,
and show the shortages by work order and material, the late purchases with the
work orders and order lines they hold up, and supplier price changes (or print
the JSON contract with ``--json``).

Exit codes as for ``gendan check``: 0 clean, 1 the ledger has data errors, 2 it
cannot be used at all.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, date_arg, out
from gendan_xl.cli.plan import error_count, fmt_day, fmt_num, make_console, new_table
from gendan_xl.model import Lang
from gendan_xl.termtext import markup_safe as _esc

LIMIT = 100

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "欠料与采购跟踪",
        "as_of": "日期",
        "errors": "台账有 {n} 个错误(用 gendan check 查看),以下结果仅供参考",
        "no_bom": "台账没有 BOM 表(物料清单),无法计算欠料。",
        "short": "欠料(按工单、物料)",
        "no_short": "没有欠料:所有未完工工单的物料都已有库存。",
        "cols_short": "工单|订单|产品|物料|需求|已领|未领|库存分配|采购分配|欠料|预计到料",
        "late": "逾期未到的采购",
        "no_late": "没有逾期未到的采购。",
        "cols_late": "采购单|供应商|物料|未到数量|预计到货|逾期天数|影响工单|影响订单行",
        "prices": "供应商调价",
        "cols_prices": "供应商|物料|新单价|生效日期|原单价|涨跌",
        "unknown": "未知",
        "more": "…… 另有 {n} 行(用 --json 查看全部)",
    },
    "en": {
        "title": "Material shortages and purchases",
        "as_of": "as of",
        "errors": "The ledger has {n} errors (see gendan check); figures below are indicative",
        "no_bom": "The ledger has no BOM sheet: shortages cannot be worked out.",
        "short": "Shortages (by work order and material)",
        "no_short": "No shortages: every open work order's material is in stock.",
        "cols_short": "work order|order|item|material|need|issued|open|from stock|from purchases|short|ready",
        "late": "Late purchases",
        "no_late": "No late purchases.",
        "cols_late": "purchase|supplier|material|open qty|due|days late|work orders|order lines",
        "prices": "Supplier price changes",
        "cols_prices": "supplier|material|price|since|previous|change",
        "unknown": "unknown",
        "more": "... {n} more rows (see --json)",
    },
}


def cmd_materials(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.plan import plan_ledger

    checked = check(Path(args.ledger), args.as_of)
    result = plan_ledger(checked.ledger, checked.as_of)
    plan = result.materials
    if args.json:
        empty = {"as_of": checked.as_of.isoformat(), "requirements": [], "purchases": [], "prices": []}
        out(json.dumps(plan.to_json() if plan is not None else empty, ensure_ascii=False))
    else:
        render_materials(plan, args.lang, checked.ledger.name, checked.as_of.isoformat(), error_count(checked))
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def render_materials(plan: Any, lang: Lang, name: str, as_of: str, errors: int = 0) -> None:
    t = TEXT[lang]
    console = make_console()
    console.print(f"[bold]{t['title']}[/bold]  {_esc(name)}  {t['as_of']} {as_of}")
    if errors:
        console.print(f"[red]{t['errors'].format(n=errors)}[/red]")
    if plan is None:
        console.print(t["no_bom"])
        return
    short = plan.short
    if short.empty:
        console.print(t["no_short"])
    else:
        table = new_table(t["short"], t["cols_short"])
        from_po = plan.from_po()
        for i, rec in enumerate(short.head(LIMIT).itertuples()):
            pos = "; ".join(f"{p['po_no']} {fmt_num(p['qty'])}" for p in from_po[short.index[i]])
            ready = fmt_day(rec.ready_date) if rec.ready_known else f"[red]{t['unknown']}[/red]"
            table.add_row(
                fmt_day(rec.wo_no), fmt_day(rec.order_no), fmt_day(rec.item), fmt_day(rec.material), fmt_num(rec.need), fmt_num(rec.issued),
                fmt_num(rec.open_need), fmt_num(rec.from_stock), _esc(pos) or "-",
                f"[red]{fmt_num(rec.short)}[/red]" if rec.short > 0 else "0", ready,
            )
        console.print(table)
        if len(short) > LIMIT:
            console.print(t["more"].format(n=len(short) - LIMIT))
    late = plan.late_purchases
    if late.empty:
        console.print(t["no_late"])
    else:
        table = new_table(t["late"], t["cols_late"])
        for rec in late.sort_values("due").head(LIMIT).itertuples():
            table.add_row(
                fmt_day(rec.po_no), fmt_day(rec.supplier), fmt_day(rec.material), fmt_num(rec.open_qty), fmt_day(rec.due),
                f"[red]{rec.days_late}[/red]", _esc("、".join(rec.wo_nos)) or "-",
                _esc("、".join(k.replace("#", "-") for k in rec.keys)) or "-",
            )
        console.print(table)
    if len(plan.prices):
        table = new_table(t["prices"], t["cols_prices"])
        for rec in plan.prices.head(LIMIT).itertuples():
            table.add_row(fmt_day(rec.supplier), fmt_day(rec.material), fmt_num(rec.price), fmt_day(rec.since), fmt_num(rec.previous),
                          f"{rec.change_pct:+.2f}%")
        console.print(table)


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "materials",
        help="欠料表:按工单和物料列出欠料、逾期采购、供应商调价 / shortages, late purchases, price changes",
        description=(
            "按排产顺序把库存和在途采购分配给未完工工单,列出每个工单每种物料的欠料和预计到料日期、"
            "逾期未到的采购及其影响的工单和订单行、供应商调价。Allocate stock and open purchases to "
            "open work orders in schedule order; list shortages, late purchases and price changes. "
            "例 / example: gendan materials 台账.xlsx --as-of 2026-11-16"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--as-of", type=date_arg, default=None, help="计算日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common(p)
    p.set_defaults(func=cmd_materials)


cli.EXTRA_COMMANDS.append(register)
