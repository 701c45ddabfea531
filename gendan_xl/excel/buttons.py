"""Ribbon handlers: one per button tag of macros/customUI14.xml.

The VBA callback runs ``b.run('<tag>')``; each handler is a few lines over the
engine, acting on the workbook whose button was pressed (``xw.Book.caller()``)
through ``LiveWorkbook``. Errors
reach the clerk as one message box, never a traceback.

Result sheets (交期预警, 产能负荷) hold the report's rows as plain values; the
插单模拟 sheet holds the clerk's inputs (columns A:C) and the result beside them;
documents are made by the one document run of ``gendan docs``
(``gendan_xl.documents.run``: the ledger's lock and journal, the same numbers for
the same rows, the same names), with the open workbook as the ledger and its
cells as the number sink (``excel.sink.LiveSink``; the workbook is open, so never
a file patch); the document workbooks are written beside the ledger and opened.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl import __version__
from gendan_xl.cells import col_letter
from gendan_xl.documents import common
from gendan_xl.documents.delivery import pending_shipments
from gendan_xl.documents.numbers import NumberPatternError
from gendan_xl.documents.run import (
    DocsResult,
    run_delivery_notes,
    run_material_issues,
    run_statement,
    run_work_orders,
)
from gendan_xl.documents.statement import PeriodError
from gendan_xl.engine import CheckResult, check_ledger
from gendan_xl.excel.live import LiveWorkbook, last_filled
from gendan_xl.excel.sink import LiveSink
from gendan_xl.files import write_new
from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.model import (
    LOAD_FULL,
    LOAD_HIGH,
    LOAD_OVER,
    REASON_LABEL,
    STATUS_LABEL,
    LateReason,
    LedgerError,
    OrderStatus,
    Severity,
    issue_rows,
)
from gendan_xl.plan import PlanResult, WhatIfResult, plan_ledger, whatif
from gendan_xl.plan.review import ReviewResult, review_orders
from gendan_xl.read import read_grids
from gendan_xl.read.values import clean_text, is_blank, parse_date, parse_number
from gendan_xl.schema import SETTING_KEYS, SHEET_BY_KEY, normalize, output_name
from gendan_xl.write.report import (
    ALERT_COLS,
    NUM_FORMATS,
    OVERLOAD_COLS,
    SHORTAGE_COLS,
    Col,
    Kind,
    column_values,
)
from gendan_xl.write.report_data import alerts, capacity_weeks, material_tables, overloads
from gendan_xl.write.review_book import pushes_text, write_review

Handler = Callable[[LiveWorkbook, date], object]

ISSUE_SHEET = "检查结果"
ALERT_SHEET = "交期预警"
CAPACITY_SHEET = "产能负荷"
WHATIF_SHEET = "插单模拟"
SHORTAGE_SHEET = "欠料表"
RESULT_SHEETS: tuple[str, ...] = (ISSUE_SHEET, ALERT_SHEET, CAPACITY_SHEET, WHATIF_SHEET, SHORTAGE_SHEET, "分配结果")
MARK_COLOURS = {
    Severity.ERROR: (255, 199, 206),
    Severity.WARNING: (255, 235, 156),
    Severity.INFO: (221, 235, 247),
}


def read_live(live: LiveWorkbook, as_of: date) -> Ledger:
    """The open workbook as a ledger (result sheets written by us are skipped)."""
    return read_grids(live.name, live.grids(skip=RESULT_SHEETS), as_of)


# ------------------------------------------------------------------ handlers


def on_check(live: LiveWorkbook, as_of: date) -> CheckResult:
    """检查数据: refresh the 检查结果 sheet and highlight every bad cell in place."""
    result = check_ledger(read_live(live, as_of), as_of)
    for sheet, address in live.read_marks():
        live.unmark(sheet, address)
    marks: list[tuple[str, str]] = []
    for issue in result.issues:
        cell = issue.ref.cell
        if issue.ref.file == live.name and issue.ref.column and cell and live.has_sheet(issue.ref.sheet):
            live.mark(issue.ref.sheet, cell, MARK_COLOURS[issue.severity], issue.message())
            marks.append((issue.ref.sheet, cell))
    live.save_marks(marks)
    live.write_sheet(ISSUE_SHEET, issue_rows(result.issues), widths=(6, 16, 10, 8, 12, 16, 60, 20))
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    live.alert(f"检查完成:错误 {errors} 个,警告 {warnings} 个。详见「{ISSUE_SHEET}」。")
    return result


def on_alerts(live: LiveWorkbook, as_of: date) -> PlanResult:
    """交期预警: refresh the sheet with the report's rows (open order lines, most severe first)."""
    ledger = read_live(live, as_of)
    plan = plan_ledger(ledger, as_of)
    lines = alerts(plan.orders)
    _write_table(live, ALERT_SHEET, ALERT_COLS, lines)
    _colour_by_status(live, ALERT_SHEET, list(lines["status"]), len(ALERT_COLS))
    counts = lines["status"].value_counts()
    live.alert(
        f"交期预警:未完成订单行 {len(lines)} 行,已逾期 {counts.get('overdue', 0)},"
        f"将延误 {counts.get('late', 0)},有风险 {counts.get('at_risk', 0)}。详见「{ALERT_SHEET}」。"
    )
    return plan


def on_capacity(live: LiveWorkbook, as_of: date) -> PlanResult:
    """产能负荷: refresh the sheet with the report's weeks per line, then the shortfalls."""
    ledger = read_live(live, as_of)
    plan = plan_ledger(ledger, as_of)
    weeks = capacity_weeks(plan.capacity_weekly, as_of)
    weeks["load"] = weeks["required_utilization"].map(load_label)
    short = overloads(plan.overloads)
    _write_table(live, CAPACITY_SHEET, CAPACITY_COLS, weeks)
    top = len(weeks) + 3
    title = "超负荷(缺口可外协或加班)" if len(short) else "没有超负荷:各产线在承诺交期前排得下。"
    live.write_range(CAPACITY_SHEET, (top, 1), [[title]])
    if len(short):
        live.write_range(CAPACITY_SHEET, (top + 1, 1), table_rows(OVERLOAD_COLS, short))
        live.number_formats(CAPACITY_SHEET, _formats(OVERLOAD_COLS, top + 2, top + 1 + len(short)))
    full = int(weeks["load"].isin(("满负荷", "超负荷")).sum())
    live.alert(f"产能负荷:{full} 个产线周满负荷或超负荷,{len(short)} 处产能缺口。详见「{CAPACITY_SHEET}」。")
    return plan


def on_whatif(live: LiveWorkbook, as_of: date) -> WhatIfResult | None:
    """插单模拟: the rush order typed into the 插单模拟 sheet (an example on first
    use), scheduled into the plan; the result goes beside the inputs."""
    if not live.has_sheet(WHATIF_SHEET):
        example = whatif_example(read_live(live, as_of), as_of)
        live.write_sheet(WHATIF_SHEET, example, widths=WHATIF_WIDTHS)
        live.number_formats(WHATIF_SHEET, {"B4": "yyyy-mm-dd"})
        live.activate(WHATIF_SHEET)
        live.alert(
            f"已新建「{WHATIF_SHEET}」表并填好示例:请改成要插的单(产品编码、数量、交期),"
            "再点「插单模拟」。"
        )
        return None
    rush = whatif_inputs(live.grid(WHATIF_SHEET), as_of)  # bad inputs stop here, before the long part
    ledger = read_live(live, as_of)
    result = whatif(
        ledger, rush.item, rush.qty, rush.due, as_of, line=rush.line, priority=rush.priority
    )
    last_row, last_col = live.extent(WHATIF_SHEET)
    if last_col >= WHATIF_RESULT_COL:
        live.clear(WHATIF_SHEET, (1, WHATIF_RESULT_COL), (last_row, last_col))
    rows, formats = whatif_rows(result)
    live.write_range(WHATIF_SHEET, (1, WHATIF_RESULT_COL), rows)
    live.number_formats(WHATIF_SHEET, formats)
    live.activate(WHATIF_SHEET)
    summary = whatif_summary(rush, result, set(ledger["items"]["item"].dropna()))
    live.alert(summary + _rush_brief_file(live, ledger, rush, result, as_of))
    return result


def _rush_brief_file(live: LiveWorkbook, ledger: Ledger, rush: RushOrder, result: WhatIfResult, as_of: date) -> str:
    """The one-page 插单说明 for the rush-order meeting, written beside the ledger (a
    workbook never saved has no folder: then only the advice is shown) and opened."""
    from gendan_xl.plan.rush import rush_brief
    from gendan_xl.write.notices_book import overtime_text, write_rush_brief

    brief = rush_brief(ledger, result, rush.item, rush.qty, rush.due, line=rush.line, priority=rush.priority)
    advice = "\n" + "\n".join(overtime_text(brief))
    if not live.path.is_absolute():
        return advice + "\n(工作簿保存后,会在台账旁另存一页可打印的插单说明)"
    name = output_name("rush_brief", f"{as_of:%Y%m%d}", common.sanitize_file_part(rush.item))
    path = _output(live, name, lambda p: write_rush_brief(p, brief))
    live.open(path)
    return advice + f"\n插单说明:{path.name}"


def on_work_orders(live: LiveWorkbook, as_of: date) -> DocsResult:
    """生成工单: number a work order for every open order line without one, append
    them to the 工单 sheet, write and open the 制造命令单 workbook (``gendan docs work-orders``)."""
    result = run_work_orders(live.path, live.folder, as_of, ledger=_saved_ledger(live, as_of), sink=LiveSink(live))
    return _show(live, result, "工单", "没有可下的工单(未完成订单行的数量都已有工单覆盖)。")


def on_material_issues(live: LiveWorkbook, as_of: date) -> DocsResult:
    """发料单: a 发料通知单 for every open work order with BOM rows, written and opened
    (``gendan docs material-issues``; the same work order keeps its number that day)."""
    result = run_material_issues(live.path, live.folder, as_of, ledger=_saved_ledger(live, as_of))
    return _show(live, result, "发料通知单", "没有需要发料的未完工工单。")


def on_delivery_notes(live: LiveWorkbook, as_of: date) -> DocsResult:
    """生成送货单: number the 出货 rows without a 送货单号 (one note per customer and
    day; 退货单 for returns), fill the numbers in, write and open the 送货单 workbook."""
    ledger = _saved_ledger(live, as_of)
    if add_note_column(live, ledger):
        ledger = read_live(live, as_of)
    result = run_delivery_notes(live.path, live.folder, as_of, ledger=ledger, sink=LiveSink(live))
    return _show(live, result, "送货单", "没有需要开送货单的出货(「送货单号」都已填写)。")


def on_statement(live: LiveWorkbook, as_of: date) -> DocsResult | None:
    """对账单: the statement of the selected row's customer for the as-of month
    (bounded by the customer's 对账日), written and opened."""
    ledger = _saved_ledger(live, as_of)
    selected = live.selection()
    customer = customer_of_row(ledger, *selected) if selected else None
    if customer is None:
        live.alert("请先在「订单」「出货」或「客户」表中选中该客户的任意一行,再点「对账单」。")
        return None
    result = run_statement(live.path, live.folder, as_of, customer, f"{as_of:%Y-%m}", ledger=ledger)
    return _show(live, result, "对账单", "")


def on_settings(live: LiveWorkbook, as_of: date) -> None:
    """设置: open the 设置 sheet, creating it with the defaults on first use."""
    if not live.has_sheet("设置"):
        rows: list[list[object]] = [["项目", "值"]]
        rows += [[label, default] for label, default in SETTING_KEYS.values()]
        live.write_sheet("设置", rows, widths=(18, 36))
    live.activate("设置")


def on_shortages(live: LiveWorkbook, as_of: date) -> PlanResult:
    """欠料: refresh the 欠料表 sheet with the report's rows (what stock does not cover
    now, by work order and material, with the purchases it waits for)."""
    ledger = read_live(live, as_of)
    plan = plan_ledger(ledger, as_of)
    if plan.materials is None:
        live.alert("台账没有 BOM 表:无法计算欠料。请先加上「BOM」「物料」「采购」等表(见台账模板)。")
        return plan
    shortages, _purchases = material_tables(ledger, plan.materials)
    _write_table(live, SHORTAGE_SHEET, SHORTAGE_COLS, shortages)
    short = shortages[shortages["short"] > 0]
    live.alert(
        f"欠料:{short['wo_no'].nunique()} 张工单缺料,共 {len(short)} 项物料。详见「{SHORTAGE_SHEET}」。"
    )
    return plan


def on_about(live: LiveWorkbook, as_of: date) -> None:
    live.alert(f"跟单助手 gendan_xl {__version__}\n检查台账、交期预警、产能负荷、生成工单/送货单/对账单。")


HANDLERS: dict[str, Handler] = {
    "check": on_check,
    "alerts": on_alerts,
    "capacity": on_capacity,
    "whatif": on_whatif,
    "work_orders": on_work_orders,
    "delivery_notes": on_delivery_notes,
    "statement": on_statement,
    "shortages": on_shortages,
    "material_issues": on_material_issues,
    "settings": on_settings,
    "about": on_about,
}


def dispatch(live: LiveWorkbook, tag: str, as_of: date | None = None) -> None:
    """Run the handler for ``tag``; any failure becomes one message box."""
    handler = HANDLERS.get(tag)
    if handler is None:
        live.alert(f"未知按钮:{tag}")
        return
    try:
        handler(live, as_of or date.today())
    except LedgerError as exc:
        live.alert(exc.message())
    except (NumberPatternError, PeriodError) as exc:  # a bad setting: its message says which
        live.alert(str(exc))
    except Exception as exc:  # the clerk sees a sentence, not a traceback
        live.alert(f"出错了:{type(exc).__name__}: {exc}")


NO_CALLER = (
    "跟单助手找不到按下按钮的工作簿,请先打开或激活台账工作簿再试。"
    " gendan_xl cannot tell which workbook pressed the button: open or activate the ledger and try again."
)


def _xlwings() -> Any:
    import xlwings

    return xlwings


def run(tag: str) -> None:
    """Entry point of the ribbon's RunPython call.

    Acts on ``xw.Book.caller()``: the book that was active in the Excel instance
    that ran the macro. ``xw.books.active`` is the active book of whichever Excel
    instance xlwings sees first, which is the wrong one when several are open.
    """
    xw = _xlwings()
    try:
        book = xw.Book.caller()
    except Exception:  # no workbook open, or not called from Excel
        with contextlib.suppress(Exception):  # no Excel to tell: nothing more to do
            xw.apps.active.alert(NO_CALLER, title="跟单助手")
        return
    dispatch(LiveWorkbook(book), tag)


# ------------------------------------------------------------------ result sheets

CAPACITY_COLS = (
    Col("line", "产线", "Prod. line"),
    Col("week", "周", "Week"),
    Col("available_hours", "可用工时", "Available h", "num"),
    Col("required_hours", "需求工时", "Required h", "num"),
    Col("required_utilization", "需求负荷率", "Required load", "pct"),
    Col("scheduled_hours", "排产工时", "Scheduled h", "num"),
    Col("utilization", "排产负荷率", "Scheduled load", "pct"),
    Col("load", "负荷", "Load level"),
    Col("forecast_hours", "预测工时", "Forecast h", "num"),  # soft load (预测), beside the firm hours
)


def load_label(utilization: float) -> str:
    """A week's load in words: 休息 (no hours), 正常, 偏高, 满负荷, 超负荷."""
    if utilization != utilization:  # NaN: no working hours that week
        return "休息"
    if utilization > LOAD_OVER:
        return "超负荷"
    return "满负荷" if utilization >= LOAD_FULL else "偏高" if utilization >= LOAD_HIGH else "正常"


def table_rows(cols: Sequence[Col], df: pd.DataFrame) -> list[list[object]]:
    """A report table as sheet rows, header first: the report's values and Chinese
    labels (status, reason, priority), dates as dates."""
    columns = [_values(df[c.key], c.kind) if c.key in df else [None] * len(df) for c in cols]
    return [[c.zh for c in cols], *(list(row) for row in zip(*columns, strict=True))]


def _values(series: pd.Series, kind: Kind) -> list[Any]:
    if kind == "date":
        return [common.day(v) for v in pd.to_datetime(series, errors="coerce")]
    values = column_values(series, kind, "zh")
    if kind == "int":
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in values]
    return values


def _formats(cols: Sequence[Col], first_row: int, last_row: int, first_col: int = 1) -> dict[str, str]:
    """Number formats of the report's columns over rows ``first_row``..``last_row``."""
    out: dict[str, str] = {}
    if last_row < first_row:
        return out
    for j, c in enumerate(cols):
        fmt = NUM_FORMATS.get(c.kind)
        if fmt:
            letter = col_letter(first_col + j - 1)
            out[f"{letter}{first_row}:{letter}{last_row}"] = fmt
    return out


STATUS_FILL: dict[str, tuple[int, int, int]] = {
    "overdue": (255, 199, 206),
    "late": (252, 228, 214),
    "at_risk": (255, 235, 156),
    "unschedulable": (217, 217, 217),
}


def _colour_by_status(live: LiveWorkbook, sheet: str, statuses: list[str], width: int) -> None:
    """Fill each run of rows with the same status in one call (rows start at 2)."""
    last_col = col_letter(width - 1)
    start = 0
    for i in range(1, len(statuses) + 1):
        if i == len(statuses) or statuses[i] != statuses[start]:
            rgb = STATUS_FILL.get(statuses[start])
            if rgb is not None:
                live.fill(sheet, f"A{start + 2}:{last_col}{i + 1}", rgb)
            start = i


def _write_table(live: LiveWorkbook, sheet: str, cols: Sequence[Col], df: pd.DataFrame) -> None:
    rows = table_rows(cols, df)
    widths = [max(6.0, min(c.max_width, 2.2 * len(c.zh) + 4)) for c in cols]
    live.write_sheet(sheet, rows, widths=widths)
    live.number_formats(sheet, _formats(cols, 2, len(rows)))
    live.activate(sheet)


# ------------------------------------------------------------------ 插单模拟

WHATIF_RESULT_COL = 5  # E: the result starts here, right of the inputs (A:C)
WHATIF_WIDTHS = (10, 16, 30, 3, 20, 12, 12, 12, 12, 12, 12, 10, 10, 12)
PRIORITIES = ("特急", "急", "普通")
WHATIF_LABELS: dict[str, tuple[str, ...]] = {
    "item": ("产品编码", "产品", "编码", "item"),
    "qty": ("数量", "qty", "quantity"),
    "due": ("交期", "要求交期", "客户交期", "due", "duedate"),
    "line": ("产线", "line"),
    "priority": ("优先级", "priority"),
}
MOVED_COLS = (
    Col("order_no", "订单号", "Order no"),
    Col("line_no", "行号", "Line no"),
    Col("customer", "客户", "Customer"),
    Col("item", "产品编码", "Item"),
    Col("commitment_date", "承诺交期", "Commitment", "date"),
    Col("before", "原预计完工", "Before", "date"),
    Col("after", "插单后完工", "After", "date"),
    Col("delta_days", "推迟天数", "Delay (days)", "int"),
    Col("late", "变为延误", "Becomes late"),
    Col("status_after", "插单后状态", "Status after", "status"),
)


@dataclass(frozen=True)
class RushOrder:
    """The inputs of the 插单模拟 sheet."""

    item: str
    qty: float
    due: date
    line: str | None
    priority: str


def whatif_example(ledger: Ledger, as_of: date) -> list[list[object]]:
    """The input sheet on first use: an item of the ledger, a day's output of it, due in a week."""
    items = common.items(ledger)
    rated = items[pd.to_numeric(items["std_rate"], errors="coerce") > 0]
    pick = rated if len(rated) else items
    item = str(pick.index[0]) if len(pick) else ""
    rate = common.number(pick["std_rate"].iloc[0]) if len(pick) else None
    line = common.text(pick["line"].iloc[0]) if len(pick) else ""
    qty = max(100, round((rate or 0) * 8, -2))
    return [
        ["项目", "值", "说明"],
        ["产品编码", item, "必填:产品表中的产品编码"],
        ["数量", int(qty), "必填"],
        ["交期", as_of + timedelta(days=7), "必填:客户要求的交期"],
        ["产线", line, "可空:默认取产品的产线"],
        ["优先级", "特急", "特急 / 急 / 普通,默认 特急"],
    ]


def whatif_inputs(grid: tuple[list[list[object]], int, int], as_of: date) -> RushOrder:
    """Read the inputs: labels in column A, values in column B."""
    rows, _top, left = grid
    labels = {normalize(a): key for key, names in WHATIF_LABELS.items() for a in names}
    found: dict[str, object] = {}
    for row in rows:
        cells = [None] * left + list(row)
        if len(cells) >= 2 and isinstance(cells[0], str):
            key = labels.get(normalize(cells[0]))
            if key and key not in found:
                found[key] = cells[1]
    problems = []
    item = "" if is_blank(found.get("item")) else common.text(found.get("item"))
    qty = parse_number(found.get("qty"))
    due = parse_date(found.get("due"), as_of)
    line = None if is_blank(found.get("line")) else common.text(found.get("line"))
    priority = "特急" if is_blank(found.get("priority")) else clean_text(found.get("priority"))
    if not item:
        problems.append("产品编码(B列)没有填")
    if qty is None or qty <= 0:
        problems.append("数量应为大于 0 的数字")
    if due is None:
        problems.append("交期不是日期")
    if priority not in PRIORITIES:
        problems.append("优先级只能是 特急/急/普通")
    if problems or due is None or qty is None:
        raise LedgerError(f"「{WHATIF_SHEET}」表", ";".join(problems) + "。请改正后再点「插单模拟」。")
    return RushOrder(item, qty, due, line, priority)


def whatif_rows(result: WhatIfResult) -> tuple[list[list[object]], dict[str, str]]:
    """The result block (from column E): the new line, then the lines that move;
    and the number formats of its date columns."""
    new = result.new
    status = OrderStatus(new["status"])
    reason = REASON_LABEL["zh"][LateReason(new["reason"])] if new.get("reason") else ""
    rows: list[list[object]] = [
        ["插单结果", ""],
        ["预计完工", new.get("forecast_finish")],
        ["延误天数(负数为提前)", new.get("days_late")],
        ["状态", STATUS_LABEL["zh"][status]],
        ["原因", reason],
        [],
    ]
    moved = result.moved.assign(late=result.moved["becomes_late"].map(lambda v: "是" if v else ""))
    rows.append([f"受影响的订单行:{len(moved)} 行" if len(moved) else "没有其他订单行的完工日期改变。"])
    top = len(rows) + 1  # the moved table's header row
    if len(moved):
        rows += table_rows(MOVED_COLS, moved)
    # F2, the value beside 预计完工 (col_letter counts from 0)
    formats = {f"{col_letter(WHATIF_RESULT_COL)}2": "yyyy-mm-dd"}
    formats.update(_formats(MOVED_COLS, top + 1, top + len(moved), WHATIF_RESULT_COL))
    return rows, formats


def whatif_summary(rush: RushOrder, result: WhatIfResult, known_items: set[object]) -> str:
    new = result.new
    status = STATUS_LABEL["zh"][OrderStatus(new["status"])]
    finish = new.get("forecast_finish")
    head = f"插单 {rush.item} × {rush.qty:g},交期 {rush.due.isoformat()}:"
    head += f"预计 {finish.isoformat()} 完工,{status}。" if finish else f"无法排产({status})。"
    late = int(result.moved["becomes_late"].sum()) if len(result.moved) else 0
    tail = f"另有 {len(result.moved)} 行订单完工日期改变,其中 {late} 行因此延误。"
    if rush.item not in known_items:
        tail += f"\n注意:产品编码「{rush.item}」不在产品表中。"
    return head + tail


# ------------------------------------------------------------------ numbers into the clerk's cells


def add_note_column(live: LiveWorkbook, ledger: Ledger) -> bool:
    """Give the 出货 sheet a 送货单号 header in its first free column when it has
    none and there are shipments to number; True when the header was added."""
    table = ledger.table("shipments")
    if not table.present or "note_no" in table.sources[0].columns or pending_shipments(ledger).empty:
        return False
    source = table.sources[0]
    letter = col_letter(last_filled(*live.grid(source.sheet))[1])  # 0-based: the column after the last
    header = SHEET_BY_KEY["shipments"].column("note_no").name
    live.write_cells(source.sheet, {f"{letter}{source.header_row}": header})
    return True


def customer_of_row(ledger: Ledger, sheet: str, row: int) -> str | None:
    """The customer a selected row belongs to: a 订单 row's 客户, a 出货 or 工单
    row's order line's 客户, a 客户 row's customer. None for any other row."""
    book = ledger.book
    line_codes = {"orders": book.order_codes, "shipments": book.ship_codes, "work_orders": book.wo_codes}
    for key in ("orders", "shipments", "work_orders", "customers"):
        table = ledger.table(key)
        for src, source in enumerate(table.sources):
            if source.sheet != sheet:
                continue
            df = table.df
            hit = np.flatnonzero(((df[SRC] == src) & (df[ROW] == row)).to_numpy())
            if not len(hit):
                return None
            if key == "customers":
                name = common.text(df["customer"].iloc[hit[0]])
            else:
                name = common.text(book.line_of(line_codes[key][hit[:1]], "customer")[0])
            return common.find_customer(ledger, name) if name else None
    return None


# ------------------------------------------------------------------ documents


def _saved_ledger(live: LiveWorkbook, as_of: date) -> Ledger:
    """The open workbook as the ledger of a document run. Numbers and documents live
    in the ledger's folder: a never-saved workbook has none."""
    if not live.path.is_absolute():
        raise LedgerError(live.name, "工作簿还没有保存:请先保存到台账所在的文件夹,再生成单据。")
    return read_live(live, as_of)


NOTES_SHOWN = 8  # lines of the run's notes in the message box (one per 发料通知单)


def _output(live: LiveWorkbook, name: str, write: Callable[[Path], Path]) -> Path:
    """Write a workbook beside the ledger; an existing file (an earlier click, maybe
    still open in Excel) is never replaced: the next free name ``name(2).xlsx`` ..."""
    return write_new(live.folder / name, write)


def _show(live: LiveWorkbook, result: DocsResult, kind: str, nothing: str) -> DocsResult:
    """Open what the run wrote beside the ledger and say what it did, in one message box."""
    lines: list[str] = []
    if result.output is None:
        lines.append(nothing)
    else:
        live.open(result.output)
        numbers = result.numbers
        if numbers:
            done = f"已生成 {len(numbers)} 张{kind}({_span(numbers[0], numbers[-1])})"
            cells = sum(w.cells_written for w in result.write_back)
            rows = sum(w.rows_appended for w in result.write_back)
            parts = ([f"填入 {cells} 个单元格"] if cells else []) + ([f"追加 {rows} 行"] if rows else [])
            if parts:  # into the open workbook: the clerk saves it
                done += f",单号已写入本工作簿({'、'.join(parts)}),请保存"
            lines.append(done + "。")
        lines += result.notes[:NOTES_SHOWN] + (["……"] if len(result.notes) > NOTES_SHOWN else [])
        lines.append(result.output.name)
        if result.assignment_file is not None:
            lines.append(f"分配结果:{result.assignment_file.name}")
    lines += [f"注意:{w}" for w in (*result.warnings, *result.cautions)]
    live.alert("\n".join(line for line in lines if line))
    return result


def _span(first: str, last: str) -> str:
    return first if first == last else f"{first} 至 {last}"


# ------------------------------------------------------------------ 订单评审

REVIEW_SHEET = "订单评审"
RESULT_SHEETS = (*RESULT_SHEETS, REVIEW_SHEET)  # read back never as ledger data
REVIEW_COLS = (
    Col("key", "订单行", "Order line"), Col("customer", "客户", "Customer"), Col("item", "产品编码", "Item"),
    Col("qty", "数量", "Qty", "int"), Col("due_date", "要求交期", "Due", "date"),
    Col("earliest_finish", "最早完工", "Earliest finish", "date"), Col("promise_date", "可承诺交期", "Promise", "date"),
    Col("reply_date", "回复客户交期", "Reply", "date"), Col("material_ready", "物料齐套", "Material ready", "date"),
    Col("verdict", "结论", "Verdict"), Col("reason_zh", "说明", "Reason", max_width=40),
    Col("pushes", "推迟的已承诺订单行", "Pushes", max_width=40, wrap=True),
)


def on_review(live: LiveWorkbook, as_of: date) -> ReviewResult:
    """订单评审: the order lines of the last 7 days without 回复交期 or work order, with
    their verdict and promise date, into the 订单评审 sheet; the printable 订单评审表 beside
    the ledger when the workbook is saved. 回复交期 stays for the clerk to fill."""
    ledger = read_live(live, as_of)
    result = review_orders(ledger, as_of)
    rows = [vars(ln) | {"pushes": pushes_text(ln)} for ln in result.lines]
    _write_table(live, REVIEW_SHEET, REVIEW_COLS, pd.DataFrame(rows, columns=[c.key for c in REVIEW_COLS]))
    n = result.counts()
    text = (f"订单评审:{len(result.lines)} 行,可按期 {n['可按期']},需协商 {n['需协商']},"
            f"无法排产 {n['无法排产']}。详见「{REVIEW_SHEET}」")
    if live.path.is_absolute() and result.lines:
        company = str(ledger.options.company_name or "")
        sheet = _output(live, output_name("review", f"{as_of:%Y%m%d}"), lambda p: write_review(p, result, company))
        text += f";订单评审表:{sheet.name}"
    live.alert(text + "。")
    return result


HANDLERS["review"] = on_review

__all__ = ["HANDLERS", "RESULT_SHEETS", "dispatch", "read_live", "run"]
