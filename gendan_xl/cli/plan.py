"""``gendan plan`` and ``gendan whatif``: read and check the ledger, plan it,
show the order lines that need attention and the line load (or print the JSON
contract with ``--json``).

Exit codes as for ``gendan check``: 0 clean, 1 the ledger has data errors (the
plan is still computed from the rows that could be read), 2 the ledger cannot
be used at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from gendan_xl import cli
from gendan_xl.cli import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, date_arg, out
from gendan_xl.model import (
    LOAD_HIGH,
    LOAD_OVER,
    REASON_LABEL,
    STATUS_LABEL,
    Lang,
    LateReason,
    OrderStatus,
)
from gendan_xl.termtext import markup_safe as _esc

PRIORITY_NAMES = {
    "特急": "特急", "急": "急", "普通": "普通",
    "urgent": "特急", "rush": "急", "normal": "普通",
}
ALERT_LIMIT = 50
WEEKS_SHOWN = 8

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "排产预警",
        "as_of": "计划日",
        "errors": "台账有 {n} 个错误(用 gendan check 查看),以下结果仅供参考",
        "alerts": "交期预警",
        "no_alerts": "没有逾期、延误或有风险的订单行。",
        "more": "…… 另有 {n} 行(用 --json 查看全部)",
        "cols_alert": "订单行|客户|产品|未完成|未下工单|承诺交期|预计完工|延误天数|余量(工作日)|状态|原因",
        "load": "产线负荷(按周:需求负荷率 需求工时/排产工时/可用工时;需求 = 按交期倒排所需)",
        "line": "产线",
        "overloads": "产能缺口(建议外协或加班)",
        "cols_over": "产线|开始|缺口最大日|缺口工时|缺口数量(按产品)|预计延误的订单行",
        "forecasts": "客户预测(软负荷:订单排完后的剩余产能,不影响订单的预计完工)",
        "cols_fc": "客户|产品|期间|预测|已下单|未覆盖|产线|工时|预计开工|预计完工|期内",
        "otd": "准时交货率(已出完的订单行,按承诺交期月份)",
        "cols_otd": "客户|月份|行数|准时|准时率",
        "whatif": "插单模拟",
        "new": "插单 {item} × {qty},要求 {due},优先级 {priority}",
        "new_result": "预计完工 {finish},{late},状态:{status}",
        "days_late": "延误 {n} 天",
        "days_early": "比交期早 {n} 天",
        "on_due": "正好在交期",
        "no_forecast": "无法排产",
        "moved": "受影响的订单行",
        "no_moved": "没有其他订单行的完工日期改变。",
        "short": "缺料",
        "material_lost": "插单后缺料(到料日期未知,加班解决不了):{keys}",
        "cols_moved": "订单行|客户|承诺交期|原预计|插单后|推迟天数|变为延误",
        "yes": "是",
        "no": "否",
        "unknown_item": "注意:产品编码「{item}」不在产品表中",
    },
    "en": {
        "title": "Delivery forecast",
        "as_of": "as of",
        "errors": "The ledger has {n} errors (see gendan check); treat these results with care",
        "alerts": "Order lines needing attention",
        "no_alerts": "No overdue, late or at-risk order lines.",
        "more": "... {n} more (use --json for all)",
        "cols_alert": "Order line|Customer|Item|Open qty|No work order|Commitment|Forecast|Days late|Slack (workdays)|Status|Reason",
        "load": "Line load by week (required load: required / scheduled / available hours; required = by the due dates)",
        "line": "Line",
        "overloads": "Capacity shortfalls (outsource or overtime)",
        "cols_over": "Line|From|Peak by|Short (h)|Short (pcs by item)|Order lines forecast late",
        "forecasts": "Customer forecasts (soft load: hours left after the orders; order forecasts unchanged)",
        "cols_fc": "Customer|Item|Period|Forecast|Ordered|Open|Line|Hours|Start|Finish|In period",
        "otd": "On-time delivery (fully shipped lines, by commitment month)",
        "cols_otd": "Customer|Month|Lines|On time|Rate",
        "whatif": "Rush-order what-if",
        "new": "Rush order {item} x {qty}, due {due}, priority {priority}",
        "new_result": "forecast finish {finish}, {late}, status: {status}",
        "days_late": "{n} days late",
        "days_early": "{n} days early",
        "on_due": "on the due date",
        "no_forecast": "cannot be scheduled",
        "moved": "Order lines that move",
        "no_moved": "No other order line's forecast changes.",
        "short": "short",
        "material_lost": "Short of material once the rush order takes its share (no ready date; overtime cannot help): {keys}",
        "cols_moved": "Order line|Customer|Commitment|Before|After|Delay (days)|Becomes late",
        "yes": "yes",
        "no": "no",
        "unknown_item": "Note: item '{item}' is not in the item sheet",
    },
}

STATUS_COLOUR = {
    OrderStatus.OVERDUE: "bold red",
    OrderStatus.LATE: "red",
    OrderStatus.UNSCHEDULABLE: "magenta",
    OrderStatus.AT_RISK: "yellow",
    OrderStatus.ON_TRACK: "green",
    OrderStatus.HOLD: "dim",
    OrderStatus.DONE: "dim",
    OrderStatus.CANCELLED: "dim",
}


# ---------------------------------------------------------------- commands


def cmd_plan(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.plan import plan_ledger

    checked = check(Path(args.ledger), args.as_of)
    result = plan_ledger(checked.ledger, checked.as_of)
    lang: Lang = args.lang
    if args.json:
        out(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        render_plan(result, lang, checked.ledger.name, error_count(checked))
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    from gendan_xl.engine import check
    from gendan_xl.plan import PlanInputError, whatif

    checked = check(Path(args.ledger), args.as_of)
    try:
        result = whatif(
            checked.ledger, args.item, args.qty, args.due, checked.as_of,
            line=args.line, priority=PRIORITY_NAMES[args.priority],
        )
    except PlanInputError as exc:
        sys.stderr.write((exc.message_zh if args.lang == "zh" else exc.message_en) + "\n")
        return EXIT_UNUSABLE
    lang: Lang = args.lang
    if args.json:
        out(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        known = set(checked.ledger["items"]["item"].dropna())
        render_whatif(result, lang, args, error_count(checked), args.item in known)
    if args.sheet:
        _write_brief(checked.ledger, result, args, as_json=args.json)
    return EXIT_ERRORS if checked.has_errors else EXIT_OK


def _write_brief(ledger: Any, result: Any, args: argparse.Namespace, as_json: bool) -> None:
    """The one-page 插单说明 workbook for the rush-order meeting (``--sheet FILE``)."""
    from gendan_xl.files import write_new
    from gendan_xl.plan.rush import rush_brief
    from gendan_xl.write.notices_book import overtime_text, write_rush_brief

    brief = rush_brief(ledger, result, args.item, args.qty, args.due, line=args.line,
                       priority=PRIORITY_NAMES[args.priority])
    target = Path(args.sheet)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    written = write_new(target, lambda p: write_rush_brief(p, brief))
    say = sys.stderr.write if as_json else (lambda text: out(text.rstrip("\n")))
    for line in overtime_text(brief):
        say(line + "\n")
    say(f"已写出插单说明:{written}\n")


def error_count(checked: Any) -> int:
    from gendan_xl.model import Severity

    return int(checked.count(Severity.ERROR))


def _positive(text: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是数字 / not a number: {text}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"必须大于 0 / must be > 0: {text}")
    return value


def _priority(text: str) -> str:
    key = text.strip().casefold()
    if key not in PRIORITY_NAMES:
        raise argparse.ArgumentTypeError(f"优先级只能是 特急/急/普通 / priority must be urgent/rush/normal: {text}")
    return key


# ---------------------------------------------------------------- rendering


def fmt_day(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "-"
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return _esc(value)


def fmt_num(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _status(value: str, lang: Lang) -> str:
    status = OrderStatus(value)
    colour = STATUS_COLOUR[status]
    return f"[{colour}]{STATUS_LABEL[lang][status]}[/{colour}]"


def _reason(value: object, lang: Lang) -> str:
    if not isinstance(value, str) or not value:
        return ""
    return REASON_LABEL[lang][LateReason(value)]


def make_console() -> Any:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:  # piped or redirected: do not squeeze dates into 80 columns
        console.width = max(console.width, 180)
    return console


def new_table(title: str, columns: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    for col in columns.split("|"):
        table.add_column(col)
    return table


def render_plan(result: Any, lang: Lang, name: str, errors: int = 0) -> None:
    """A terminal summary: status counts, the order lines needing attention
    (most urgent first), the weekly line load, shortfalls and OTD."""
    from gendan_xl.plan import SEVERITY_RANK

    t = TEXT[lang]
    console = make_console()
    console.print(f"[bold]{t['title']}[/bold]  {_esc(name)}  {t['as_of']} {result.as_of.isoformat()}")
    counts = sorted(result.status_counts().items(), key=lambda kv: SEVERITY_RANK[kv[0]])
    console.print("  ".join(f"{_status(s, lang)} {n}" for s, n in counts if n))
    if errors:
        console.print(f"[red]{t['errors'].format(n=errors)}[/red]")
    for issue in result.issues:  # notices of the plan itself (years without holiday data)
        console.print(f"[yellow]{issue.message(lang)}[/yellow]")

    alerts = result.alerts()
    if alerts.empty:
        console.print(t["no_alerts"])
    else:
        table = new_table(t["alerts"], t["cols_alert"])
        for rec in alerts.head(ALERT_LIMIT).itertuples(index=False):
            late = rec.days_late is not pd.NA and (rec.days_late or 0) > 0
            table.add_row(
                _esc(rec.label), fmt_day(rec.customer), _esc(rec.item), fmt_num(rec.balance), fmt_num(rec.uncovered_qty or None),
                fmt_day(rec.commitment_date), fmt_day(rec.forecast_finish), fmt_num(rec.days_late if late else None),
                fmt_num(None if late else rec.slack_workdays),
                _status(rec.status, lang), _reason(rec.reason, lang),
            )
        console.print(table)
        if len(alerts) > ALERT_LIMIT:
            console.print(t["more"].format(n=len(alerts) - ALERT_LIMIT))

    weeks = result.capacity_weekly
    if not weeks.empty:
        shown = list(dict.fromkeys(weeks.sort_values("week_start")["week"]))[:WEEKS_SHOWN]
        table = new_table(t["load"], "|".join([t["line"], *map(_esc, shown)]))
        for line, part in weeks[weeks["week"].isin(shown)].groupby("line", sort=False):
            cells = {rec.week: rec for rec in part.itertuples(index=False)}
            row = [_esc(line)]
            for week in shown:
                rec = cells.get(week)
                row.append(_load_cell(rec.required_hours, rec.scheduled_hours, rec.available_hours) if rec else "")
            table.add_row(*row)
        console.print(table)

    over = result.overloads
    if not over.empty:
        table = new_table(t["overloads"], t["cols_over"])
        for ep in over.head(ALERT_LIMIT).to_dict("records"):
            keys = list(ep["order_keys"])
            shown_keys = _esc("、".join(map(str, keys[:5]))) + (" …" if len(keys) > 5 else "")
            items = _esc("、".join(f"{i['item']} × {fmt_num(float(i['qty']))}" for i in ep["items"]))
            table.add_row(
                _esc(ep["line"]), fmt_day(ep["from"]), fmt_day(ep["by_date"]), f"[red]{_h(ep['shortfall_hours'])}[/red]",
                items, shown_keys,
            )
        console.print(table)
        if len(over) > ALERT_LIMIT:
            console.print(t["more"].format(n=len(over) - ALERT_LIMIT))

    fc = result.forecasts
    if len(fc):
        table = new_table(t["forecasts"], t["cols_fc"])
        for rec in fc.head(ALERT_LIMIT).itertuples(index=False):
            in_period = t["yes"] if rec.in_period else f"[red]{t['no']}[/red]"
            table.add_row(
                _esc(rec.customer), _esc(rec.item), _esc(rec.period), fmt_num(rec.forecast_qty), fmt_num(rec.firm_qty),
                fmt_num(rec.open_qty), fmt_day(rec.line), _h(float(rec.hours)) if rec.hours == rec.hours else "",
                fmt_day(rec.forecast_start), fmt_day(rec.forecast_finish), in_period if rec.open_qty > 0 else "",
            )
        console.print(table)
        if len(fc) > ALERT_LIMIT:
            console.print(t["more"].format(n=len(fc) - ALERT_LIMIT))

    if not result.otd.empty:
        table = new_table(t["otd"], t["cols_otd"])
        for rec in result.otd.sort_values(["month", "customer"], ascending=[False, True]).head(24).itertuples(
            index=False
        ):
            colour = "green" if rec.rate >= 0.95 else "yellow" if rec.rate >= 0.8 else "red"
            table.add_row(
                _esc(rec.customer), _esc(rec.month), str(rec.lines), str(rec.on_time),
                f"[{colour}]{rec.rate:.0%}[/{colour}]",
            )
        console.print(table)


def _h(hours: float) -> str:
    """Hours to one decimal."""
    return f"{hours:,.1f}"


def _load_cell(required: float, scheduled: float, available: float) -> str:
    """A week's load: the required load (red over 100%), then required / scheduled /
    available hours, each to one decimal (scheduled never shows above available)."""
    if available <= 0:
        return "[dim]-[/dim]" if required <= 0 else f"[red]∞[/red] {_h(required)}/-/0.0"
    share = required / available
    colour = "red" if share > LOAD_OVER else "yellow" if share >= LOAD_HIGH else "green"
    return f"[{colour}]{share:.0%}[/{colour}] {_h(required)}/{_h(min(scheduled, available))}/{_h(available)}"


def render_whatif(result: Any, lang: Lang, args: argparse.Namespace, errors: int, item_known: bool) -> None:
    t = TEXT[lang]
    console = make_console()
    console.print(f"[bold]{t['whatif']}[/bold]  {_esc(args.ledger)}  {t['as_of']} {result.as_of.isoformat()}")
    if errors:
        console.print(f"[red]{t['errors'].format(n=errors)}[/red]")
    if not item_known:
        console.print(f"[yellow]{t['unknown_item'].format(item=_esc(args.item))}[/yellow]")
    new = result.new
    console.print(
        t["new"].format(item=_esc(args.item), qty=fmt_num(float(args.qty)), due=args.due.isoformat(),
                        priority=PRIORITY_NAMES[args.priority])
    )
    if new.get("forecast_finish") is None:
        console.print(f"  → {_status(new['status'], lang)} {_reason(new.get('reason'), lang)}")
    else:
        days = int(new.get("days_late") or 0)
        late = (t["days_late"] if days > 0 else t["days_early"] if days < 0 else t["on_due"]).format(n=abs(days))
        console.print(
            "  → " + t["new_result"].format(
                finish=fmt_day(new["forecast_finish"]), late=late, status=_status(new["status"], lang)
            )
        )
    moved = result.moved
    if moved.empty:
        console.print(t["no_moved"])
        return
    table = new_table(t["moved"], t["cols_moved"])
    for rec in moved.head(ALERT_LIMIT).itertuples(index=False):
        late = f"[red]{t['yes']}[/red]" if rec.becomes_late else ""
        after = f"[red]{t['short']}[/red]" if getattr(rec, "material_lost", False) else fmt_day(rec.after)
        table.add_row(
            _esc(rec.label), fmt_day(rec.customer), fmt_day(rec.commitment_date), fmt_day(rec.before), after,
            fmt_num(rec.delta_days), late,
        )
    console.print(table)
    if "material_lost" in moved and moved["material_lost"].any():
        keys = "、".join(_esc(str(k)) for k in moved.loc[moved["material_lost"], "label"])
        console.print(t["material_lost"].format(keys=keys))
    if len(moved) > ALERT_LIMIT:
        console.print(t["more"].format(n=len(moved) - ALERT_LIMIT))


# ---------------------------------------------------------------- parser


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    p = sub.add_parser(
        "plan",
        help="排产预警:预计完工、延误、产线负荷 / forecast finish, lateness and line load",
        description=(
            "按产线有限产能排产,预计每个订单行的完工日期,列出逾期、将延误和有风险的订单行、"
            "产线负荷与产能缺口。Schedule open work on each line's finite capacity and show "
            "which order lines will miss their date, the line load and shortfalls. "
            "例 / example: gendan plan 台账.xlsx --as-of 2026-11-26"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--as-of", type=date_arg, default=None, help="计划日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common(p)
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser(
        "whatif",
        help="插单模拟:加一张急单会推迟哪些订单 / what a rush order would break",
        description=(
            "模拟紧急插单:排入一个新订单行后,它的预计完工日期,以及哪些订单行被推迟、哪些因此延误。"
            "Schedule one extra order line and show its forecast and every order line that moves. "
            "例 / example: gendan whatif 台账.xlsx --item P001 --qty 500 --due 2026-12-05"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--item", required=True, help="产品编码 / item code")
    p.add_argument("--qty", required=True, type=_positive, help="数量 / quantity")
    p.add_argument("--due", required=True, type=date_arg, help="要求交期 / due date")
    p.add_argument("--line", default=None, help="产线(默认取产品的产线)/ line (default: the item's line)")
    p.add_argument(
        "--priority", type=_priority, default="特急",
        help="优先级 特急/急/普通 (urgent/rush/normal),默认 特急 / priority (default 特急)",
    )
    p.add_argument("--as-of", type=date_arg, default=None, help="计划日期 / as-of date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    p.add_argument(
        "--sheet", default=None, metavar="FILE.xlsx",
        help="另写一页可打印的插单说明(插单、被推迟的订单行、避免延误所需加班)/ also write the one-page "
             "rush-order brief (an existing file is never replaced: FILE(2).xlsx ...)",
    )
    common(p)
    p.set_defaults(func=cmd_whatif)


cli.EXTRA_COMMANDS.append(register)
