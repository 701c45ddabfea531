"""`gendan changes OLD NEW`: what changed between two versions of a ledger and who
slips because of it (see gendan_xl.changes)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gendan_xl import cli
from gendan_xl.cli import EXIT_OK, date_arg, out
from gendan_xl.model import Lang
from gendan_xl.termtext import markup_safe as _esc

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "台账变更",
        "as_of": "计算日期",
        "none": "两个版本之间没有变更。",
        "changes": "变更 {n} 项",
        "cols": "变更|订单行/工单|字段|原值|新值|位置",
        "effects": "对排产的影响 {n} 行(同一计算日期下两个版本分别排产)",
        "no_effects": "排产结果没有变化。",
        "ecols": "订单行|原预计完工|新预计完工|原状态|新状态|",
        "slips": "推迟",
    },
    "en": {
        "title": "Ledger changes",
        "as_of": "as of",
        "none": "No changes between the two versions.",
        "changes": "{n} changes",
        "cols": "Change|Order line / WO|Field|Old|New|Cell",
        "effects": "Plan effects: {n} lines (both versions planned at the same as-of date)",
        "no_effects": "The plan is unchanged.",
        "ecols": "Order line|Old finish|New finish|Old status|New status|",
        "slips": "slips",
    },
}


def cmd_changes(args: argparse.Namespace) -> int:
    from gendan_xl.changes import compare_ledgers
    from gendan_xl.read import read_ledger

    old = read_ledger(Path(args.old), args.as_of)
    new = read_ledger(Path(args.new), args.as_of)
    result = compare_ledgers(old, new, args.as_of)
    if args.json:
        out(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        render_changes(result, args.lang)
    return EXIT_OK


def render_changes(result: Any, lang: Lang) -> None:
    from rich.console import Console
    from rich.table import Table

    t = TEXT[lang]
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 180)
    console.print(f"[bold]{t['title']}[/bold]  {_esc(result.old)} → {_esc(result.new)}  "
                  f"{t['as_of']} {result.as_of.isoformat()}")
    if not result.changes:
        console.print(t["none"])
        return

    def table(title: str, cols: str) -> Any:
        tab = Table(title=title, title_justify="left")
        for col in cols.split("|"):
            tab.add_column(col)
        return tab

    tab = table(t["changes"].format(n=len(result.changes)), t["cols"])
    for c in result.changes:
        tab.add_row(c.label(lang), _esc(c.key), _esc(c.field), _esc(c.old or ""), _esc(c.new or ""),
                    _esc(f"{c.sheet}!{c.cell}" if c.cell else c.sheet))
    console.print(tab)
    if not result.effects:
        console.print(t["no_effects"])
        return
    tab = table(t["effects"].format(n=len(result.effects)), t["ecols"])
    for e in result.effects:
        tab.add_row(_esc(e.key), e.old_forecast or "-", e.new_forecast or "-", e.status_text("old", lang),
                    e.status_text("new", lang), f"[red]{t['slips']}[/red]" if e.slips else "")
    console.print(tab)


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "changes",
        help="比较台账的两个版本:变更和对排产的影响 / compare two versions of a ledger",
        description=(
            "比较台账的两个版本(备份与当前文件,或两次定时任务的快照):订单行新增、取消、删除,数量、交期、"
            "优先级(插单)、产品变更,工单新增、数量、产线、状态变更,每项指明单元格;并按同一计算日期分别排产,"
            "列出预计完工或状态变化的订单行。Compare two versions of a ledger: every change at its cell and "
            "the order lines whose forecast changes. 例 / example: gendan changes 台账_备份.xlsx 台账.xlsx"
        ),
    )
    p.add_argument("old", help="旧版本(工作簿或含 gendan.toml 的文件夹)/ the older version")
    p.add_argument("new", help="新版本 / the newer version")
    p.add_argument("--as-of", type=date_arg, default=None, help="排产计算日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common(p)
    p.set_defaults(func=cmd_changes)


cli.EXTRA_COMMANDS.append(register)
