"""The report workbook 跟单报告_YYYYMMDD.xlsx (DESIGN §6).

Sheets, Chinese first (``lang="en"`` gives English names, headers and labels):
概览 (key figures and charts), 交期预警 (open order lines, most severe first,
coloured by status), 工单进度 (open work orders), 产能负荷 (line x ISO week heat
map, hours, chart, overloads), 出货计划 (the next 14 days), 回单跟踪 (delivery
notes not signed back), 准时交货率 (OTD per customer and month), 欠料表 and 采购跟踪
(with a BOM sheet), 品质异常 (with a 品质异常 sheet: each item, days open, its order
line and the effect on the forecast), 样品跟踪 (with a 样品 sheet: each sample's state,
worst first), 客诉跟踪 and 客户满意度 (with 客诉 / 满意度 sheets), 成品月结 (with a 成品期初
sheet: the as-of month so far, per item and per customer), 检查结果 (the issues, each linking
to its cell).

Written with xlsxwriter in constant-memory mode, row by row, cell by cell with
the typed ``write_number`` / ``write_string`` calls (dates as serial numbers
with a date format): the cost stays that of writing the cells. Every sheet has
a frozen header, a filter, landscape A4 fit-to-width printing with the header
repeated, and the house font. Ledger text is always written as text. The only
formulas are SUM totals (and a rate from them), written with their computed
values so every client shows the same numbers before recalculating.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from gendan_xl.model import EXCEL_EPOCH as EXCEL_DAY0
from gendan_xl.model import LOAD_FULL, LOAD_OVER, REASON_LABEL, STATUS_LABEL, Lang, OrderStatus
from gendan_xl.schema import output_name
from gendan_xl.write.book import (
    FONT,
    FONT_SIZE,
    MAX_CELL_TEXT,
    Formats,
    fixed_properties,
    new_workbook,
    text_width,
)
from gendan_xl.write.issues_book import add_issue_sheet
from gendan_xl.write.report_data import (
    LOAD_WEEKS,
    OPEN_STATUSES,
    SHIP_WINDOW_DAYS,
    STACK_WEEKS,
    ReportData,
    number_text,
    shipping_days,
    window_end,
)

if TYPE_CHECKING:
    from gendan_xl.monthly import MonthlySummary

Kind = Literal["text", "int", "num", "cbm", "money", "date", "pct", "status", "reason", "priority", "source"]

SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "overview": {"zh": "概览", "en": "Overview"},
    "alerts": {"zh": "交期预警", "en": "Due-date alerts"},
    "work_orders": {"zh": "工单进度", "en": "Work orders"},
    "capacity": {"zh": "产能负荷", "en": "Line load"},
    "shipping": {"zh": "出货计划", "en": "Shipping plan"},
    "receipts": {"zh": "回单跟踪", "en": "Signed copies"},
    "otd": {"zh": "准时交货率", "en": "On-time delivery"},
}
# Written only when the ledger has a BOM sheet (after 准时交货率).
MATERIAL_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "shortages": {"zh": "欠料表", "en": "Material shortages"},
    "purchases": {"zh": "采购跟踪", "en": "Purchases"},
}
# Written only when the ledger has a 外协 sheet (after the material sheets).
OUTSOURCING_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "outsourcing": {"zh": "外协跟踪", "en": "Outsourcing"},
}
# Written only when the ledger has a 品质异常 sheet (after the material sheets).
QUALITY_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "quality": {"zh": "品质异常", "en": "Quality holds"},
}
# Written only when the ledger has a 样品 sheet (after 品质异常).
SAMPLE_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "samples": {"zh": "样品跟踪", "en": "Samples"},
}
# Written only when the ledger has a 成品期初 sheet (last before 检查结果; `gendan monthly` alone).
MONTHLY_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "monthly": {"zh": "成品月结", "en": "Finished goods"},
}
REPORT_TITLE: dict[Lang, str] = {"zh": "跟单报告", "en": "Order follow-up report"}
PRIORITY_EN = {"普通": "normal", "急": "rush", "特急": "urgent"}
SOURCE_LABEL: dict[Lang, dict[str, str]] = {
    "zh": {"standard": "标准", "actual": "实际"},
    "en": {"standard": "standard", "actual": "actual"},
}

# Row colours: fill, font.
STYLES: dict[str, tuple[str, str] | None] = {
    "plain": None,
    "bad": ("#FFC7CE", "#9C0006"),
    "late": ("#FCE4D6", "#843C0C"),
    "warn": ("#FFEB9C", "#9C5700"),
    "grey": ("#EDEDED", "#404040"),
}
STATUS_STYLE = {
    "overdue": "bad", "late": "late", "at_risk": "warn", "unschedulable": "grey",
    "on_track": "plain", "hold": "grey", "done": "plain", "cancelled": "grey",
}
NUM_FORMATS: dict[str, str | None] = {
    "text": None, "status": None, "reason": None, "priority": None, "source": None,
    "int": "#,##0", "num": "#,##0.0", "cbm": "#,##0.000", "money": "#,##0.00", "date": "yyyy-mm-dd", "pct": "0.0%",
}
TEXT_KINDS = frozenset({"text", "status", "reason", "priority", "source"})
LABEL_KINDS = TEXT_KINDS - {"text"}
EXCEL_EPOCH = np.datetime64(EXCEL_DAY0, "D")
HEAT_SCALE = {
    "type": "3_color_scale",
    "min_type": "num", "min_value": 0, "min_color": "#63BE7B",
    "mid_type": "num", "mid_value": 0.85, "mid_color": "#FFEB84",
    "max_type": "num", "max_value": 1.1, "max_color": "#F8696B",
}
RATE_SCALE = {
    "type": "3_color_scale",
    "min_type": "num", "min_value": 0.5, "min_color": "#F8696B",
    "mid_type": "num", "mid_value": 0.85, "mid_color": "#FFEB84",
    "max_type": "num", "max_value": 1, "max_color": "#63BE7B",
}


@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    en: str
    kind: Kind = "text"
    max_width: float = 30
    wrap: bool = False  # long lists: wrap within max_width (rows grow) instead of being cut

    def title(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


ALERT_COLS = (
    Col("order_no", "订单号", "Order no"),
    Col("line_no", "行号", "Line no"),
    Col("customer", "客户", "Customer"),
    Col("customer_po", "客户PO", "Customer PO"),
    Col("item", "产品编码", "Item"),
    Col("item_name", "品名", "Name", max_width=24),
    Col("line", "产线", "Prod. line"),
    Col("priority", "优先级", "Priority", "priority"),
    Col("qty", "数量", "Qty", "int"),
    Col("produced", "已生产", "Produced", "int"),
    Col("shipped", "已出货", "Shipped", "int"),
    Col("balance", "未完成", "Balance", "int"),
    Col("uncovered_qty", "未下工单", "No work order", "int"),
    Col("commitment_date", "承诺交期", "Commitment", "date"),
    Col("forecast_finish", "预计完工", "Forecast finish", "date"),
    Col("days_late", "延误天数", "Days late", "int"),
    Col("slack_workdays", "余量(工作日)", "Slack (workdays)", "int"),
    Col("status", "状态", "Status", "status"),
    Col("reason", "原因", "Reason", "reason"),
)
WORK_ORDER_COLS = (
    Col("wo_no", "工单号", "Work order"),
    Col("order_no", "订单号", "Order no"),
    Col("line_no", "行号", "Line no"),
    Col("customer", "客户", "Customer"),
    Col("item", "产品编码", "Item"),
    Col("item_name", "品名", "Name", max_width=24),
    Col("line", "产线", "Prod. line"),
    Col("qty", "工单数量", "Qty", "int"),
    Col("produced", "已生产", "Produced", "int"),
    Col("balance", "未完成", "Balance", "int"),
    Col("done_rate", "完成率", "Done", "pct"),
    Col("rejects", "不良数", "Rejects", "int"),
    Col("yield", "良率", "Yield", "pct"),
    Col("rate", "产能(件/时)", "Rate (pcs/h)", "num"),
    Col("rate_source", "产能来源", "Rate source", "source"),
    Col("plan_finish", "计划完工", "Planned finish", "date"),
    Col("forecast_finish", "预计完工", "Forecast finish", "date"),
    Col("commitment_date", "承诺交期", "Commitment", "date"),
    Col("status", "订单状态", "Order status", "status"),
)
SHORTAGE_COLS = (
    Col("wo_no", "工单号", "Work order"),
    Col("label", "订单行", "Order line"),
    Col("item", "产品编码", "Item"),
    Col("material", "物料编码", "Material"),
    Col("material_name", "物料名称", "Material name", max_width=24),
    Col("unit", "单位", "Unit"),
    Col("need", "需求量", "Need", "num"),
    Col("issued", "已领", "Issued", "num"),
    Col("open_need", "未领", "Open need", "num"),
    Col("from_stock", "库存分配", "From stock", "num"),
    Col("po_text", "采购分配", "From purchases", max_width=30, wrap=True),
    Col("short", "欠料", "Short", "num"),
    Col("ready_date", "预计到料", "Material ready", "date"),
    Col("ready_text", "到料日期", "Ready date known"),
)
PURCHASE_COLS = (
    Col("po_no", "采购单号", "Purchase"),
    Col("supplier", "供应商", "Supplier"),
    Col("material", "物料编码", "Material"),
    Col("material_name", "物料名称", "Material name", max_width=24),
    Col("open_qty", "未到数量", "Open qty", "num"),
    Col("due", "预计到货", "Due", "date"),
    Col("days_late", "逾期天数", "Days late", "int"),
    Col("wo_text", "影响工单", "Work orders", max_width=30, wrap=True),
    Col("order_text", "影响订单行", "Order lines", max_width=30, wrap=True),
)
OUTSOURCING_COLS = (
    Col("out_no", "外协单号", "Outsourcing no"),
    Col("supplier", "供应商", "Supplier"),
    Col("label", "订单行", "Order line"),
    Col("customer", "客户", "Customer"),
    Col("item", "产品编码", "Item"),
    Col("qty", "数量", "Qty", "num"),
    Col("returned", "已回", "Back", "num"),
    Col("open_qty", "未回", "Still out", "num"),
    Col("sent_date", "发出日期", "Sent", "date"),
    Col("due", "预计回厂", "Expected back", "date"),
    Col("days_left", "距回厂天数", "Days to go", "int"),
    Col("days_late", "逾期天数", "Days late", "int"),
)
SHIPPING_COLS = (
    Col("ship_date", "计划出货", "Ship date", "date"),
    Col("customer", "客户", "Customer"),
    Col("order_no", "订单号", "Order no"),
    Col("line_no", "行号", "Line no"),
    Col("customer_po", "客户PO", "Customer PO"),
    Col("item", "产品编码", "Item"),
    Col("item_name", "品名", "Name", max_width=24),
    Col("commitment_date", "承诺交期", "Commitment", "date"),
    Col("forecast_finish", "预计完工", "Forecast finish", "date"),
    Col("to_ship", "待出货数量", "To ship", "int"),
    Col("ready", "现有可出", "Ready now", "int"),
    Col("pcs_per_carton", "每箱数量", "Pcs/carton", "int"),
    Col("cartons", "箱数", "Cartons", "int"),
    Col("weight", "毛重(kg)", "Gross kg", "num"),
    Col("cbm", "体积(m³)", "CBM (m³)", "cbm"),
    Col("status", "状态", "Status", "status"),
)
SHIPPING_TOTALS = ("to_ship", "ready", "cartons", "weight", "cbm")
# 出货计划 per day (a second table under the first): what to load each day
SHIP_DAY_COLS = (
    Col("ship_date", "计划出货", "Ship date", "date"),
    Col("lines", "订单行数", "Order lines", "int"),
    Col("to_ship", "待出货数量", "To ship", "int"),
    Col("cartons", "箱数", "Cartons", "int"),
    Col("weight", "毛重(kg)", "Gross kg", "num"),
    Col("cbm", "体积(m³)", "CBM (m³)", "cbm"),
    Col("missing", "缺重量/箱规行数", "Lines without kg/CBM", "int"),
)
RECEIPT_COLS = (
    Col("note_no", "送货单号", "Delivery note"),
    Col("ship_date", "出货日期", "Ship date", "date"),
    Col("customer", "客户", "Customer"),
    Col("orders", "订单号", "Orders", max_width=48, wrap=True),
    Col("lines", "行数", "Lines", "int"),
    Col("qty", "数量", "Qty", "int"),
    Col("cartons", "箱数", "Cartons", "int"),
    Col("days", "未签回天数", "Days out", "int"),
)
OTD_COLS = (
    Col("customer", "客户", "Customer"),
    Col("month", "月份(承诺交期)", "Month (commitment)"),
    Col("lines", "完成行数", "Lines shipped", "int"),
    Col("on_time", "准时行数", "On time", "int"),
    Col("rate", "准时率", "On-time rate", "pct"),
)
OVERLOAD_COLS = (
    Col("line", "产线", "Prod. line"),
    Col("from", "开始日期", "From", "date"),
    Col("by_date", "缺口最大日", "Peak by", "date"),
    Col("shortfall_hours", "缺口工时", "Short hours", "num"),
    Col("items", "缺口数量(按产品)", "Short qty by item", max_width=40),
    Col("orders", "预计延误的订单行", "Order lines forecast late", max_width=60),
)
STACK_COLS = (
    Col("line", "产线", "Prod. line"),
    Col("week", "周", "Week"),
    Col("available_hours", "可用工时", "Available h", "num"),
    Col("scheduled_hours", "订单排产工时", "Order hours", "num"),
    Col("forecast_hours", "预测工时", "Forecast hours", "num"),
    Col("total_utilization", "合计负荷率", "Total load", "pct"),
)
YIELD_COLS = (
    Col("line", "产线", "Prod. line"),
    Col("produced", "良品数", "Good", "int"),
    Col("rejects", "不良数", "Rejects", "int"),
    Col("yield", "良率", "Yield", "pct"),
)
QUALITY_COLS = (
    Col("date", "日期", "Date", "date"),
    Col("wo_no", "工单号", "Work order"),
    Col("label", "订单行", "Order line"),
    Col("customer", "客户", "Customer"),
    Col("item", "产品编码", "Item"),
    Col("problem", "问题", "Problem", max_width=24),
    Col("action_text", "处理", "Action"),
    Col("qty", "数量", "Qty", "int"),
    Col("expected", "预计完成", "Expected", "date"),
    Col("closed_date", "结案日期", "Closed", "date"),
    Col("days_open", "已开天数", "Days open", "int"),
    Col("commitment_date", "承诺交期", "Commitment", "date"),
    Col("forecast_finish", "预计完工", "Forecast finish", "date"),
    Col("days_late", "延误天数", "Days late", "int"),
    Col("order_status", "订单行状态", "Order status", "status"),
    Col("order_reason", "原因", "Reason", "reason"),
    Col("effect", "对交期的影响", "Effect on the forecast", max_width=40, wrap=True),
)
SAMPLE_COLS = (
    Col("state_text", "状态", "State"),
    Col("sample_no", "样品单号", "Sample no"),
    Col("customer", "客户", "Customer"),
    Col("item", "产品编码", "Item"),
    Col("item_name", "品名", "Name", max_width=24),
    Col("qty", "数量", "Qty", "int"),
    Col("required_date", "要求日期", "Wanted by", "date"),
    Col("sent_date", "送样日期", "Sent", "date"),
    Col("days_overdue", "逾期天数", "Days overdue", "int"),
    Col("days_waiting", "待确认天数", "Days waiting", "int"),
    Col("result", "确认结果", "Answer"),
    Col("confirmed_date", "确认日期", "Answered", "date"),
    Col("seal_no", "封样编号", "Sealed sample no"),
    Col("remark", "备注", "Remark", max_width=30, wrap=True),
)
SAMPLE_STYLE = {"overdue": "bad", "waiting_long": "late", "revise": "warn", "fail": "warn"}
MONTHLY_ITEM_COLS = (
    Col("item", "产品编码", "Item"),
    Col("item_name", "品名", "Name", max_width=20),
    Col("spec", "规格", "Spec", max_width=22),
    Col("unit", "单位", "Unit"),
    Col("opening", "期初", "Opening", "int"),
    Col("opening_text", "期初来源", "Opening from", max_width=24),
    Col("produced", "日报良品", "Good output", "int"),
    Col("quality", "品质调整", "Quality adj.", "int"),
    Col("in_qty", "入库", "Into stock", "int"),
    Col("shipped", "出货", "Shipped", "int"),
    Col("returned", "退货", "Returned", "int"),
    Col("closing", "期末", "Closing", "int"),
)
MONTHLY_ITEM_TOTALS = ("opening", "produced", "quality", "in_qty", "shipped", "returned", "closing")
MONTHLY_CUSTOMER_COLS = (
    Col("customer", "客户", "Customer"),
    Col("shipped", "出货数量", "Shipped qty", "int"),
    Col("shipped_amount", "出货金额", "Shipped amount", "money"),
    Col("returned", "退货数量", "Returned qty", "int"),
    Col("returned_amount", "退货金额", "Returned amount", "money"),
    Col("net_qty", "净出货数量", "Net qty", "int"),
    Col("net_amount", "净金额", "Net amount", "money"),
    Col("unpriced", "无单价行数", "Rows without price", "int"),
)
MONTHLY_CUSTOMER_TOTALS = ("shipped", "shipped_amount", "returned", "returned_amount", "net_qty", "net_amount",
                           "unpriced")
ACTION_EN = {"返工": "rework", "让步接受": "concession", "报废": "scrap"}
OVER = "#C00000"  # over 100% in charts
RECEIPT_WARN_DAYS, RECEIPT_BAD_DAYS = 14, 30
MIN_WIDTH = 6  # bold two-character titles (品名, 行号) need a little room


def report_name(as_of: date) -> str:
    return output_name("report", f"{as_of:%Y%m%d}")


# --- cell values ---------------------------------------------------------------------


def _labels(kind: Kind, lang: Lang) -> Callable[[str], str]:
    if kind == "status":
        table: dict[str, str] = {s.value: lbl for s, lbl in STATUS_LABEL[lang].items()}
    elif kind == "reason":
        table = {r.value: lbl for r, lbl in REASON_LABEL[lang].items()}
    elif kind == "source":
        table = SOURCE_LABEL[lang]
    elif kind == "priority" and lang == "en":
        table = PRIORITY_EN
    else:
        table = {}
    return lambda v: table.get(v, v)


def column_values(series: pd.Series, kind: Kind, lang: Lang) -> list[Any]:
    """One column as the values to write: str for text (None when blank), float
    for numbers and dates (Excel serials), None for blanks. Vectorised."""
    if kind in TEXT_KINDS:
        s = series.astype(object).where(series.notna(), None)
        out = [None if v is None or v == "" else str(v) for v in s.tolist()]
        if kind != "text":
            label = _labels(kind, lang)
            out = [None if v is None else label(v) for v in out]
        return [v[:MAX_CELL_TEXT] if v is not None and len(v) > MAX_CELL_TEXT else v for v in out]
    if kind == "date":
        days = pd.to_datetime(series, errors="coerce").to_numpy(dtype="datetime64[D]")
        serial = (days - EXCEL_EPOCH).astype("float64")
        serial[np.isnat(days)] = np.nan
        values = serial
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return [None if v != v else v for v in values.tolist()]


def _width(values: list[Any], kind: Kind, title: str, max_width: float) -> float:
    """A column width that fits the header and the widest value (CJK counts
    double; a little slack because LibreOffice's substitute faces run wider
    than Excel's character unit)."""
    head = text_width(title)
    if kind in TEXT_KINDS:
        uniq = {v for v in values if v is not None}
        longest = sorted(uniq, key=len, reverse=True)[:200]
        data = max((text_width(v) for v in longest), default=0.0)
    elif kind == "date":
        data = 10
    elif kind == "pct":
        data = 6
    else:
        nums = [abs(v) for v in values if v is not None]
        big = max(nums, default=0.0)
        data = len(f"{big:,.0f}") + {"num": 2, "cbm": 4, "money": 3}.get(kind, 0) + 1
    return float(min(max(head, data, MIN_WIDTH) * 1.2 + 2, max_width))


# --- the writer ------------------------------------------------------------------------


class _Book:
    """A report workbook being written: formats per row style and value kind."""

    def __init__(self, path: Path, lang: Lang, title: str) -> None:
        # The house font is the workbook default, so plain text cells need no
        # format of their own (and empty cells print in it too); scheme "none"
        # keeps Excel from swapping it for the theme font.
        self.wb = new_workbook(
            str(path),
            constant_memory=True,
            default_format_properties={"font_name": FONT, "font_size": FONT_SIZE, "font_scheme": "none"},
        )
        fixed_properties(self.wb, title)
        self.fmt = Formats(self.wb)
        self.lang = lang
        self._cell: dict[tuple[str, str], Any] = {}
        self.subtitle = self.fmt.add(font_color="#595959")
        self.section = self.fmt.add(bold=True, font_size=11)
        self.figure_label = self.fmt.add(border=1)
        self.total_label = self.fmt.add(bold=True, top=1)

    def cell(self, style: str, kind: str) -> Any:
        key = (style, kind)
        found = self._cell.get(key)
        if found is None:
            props: dict[str, Any] = {}
            colours = STYLES.get(style)
            if colours:
                props.update(bg_color=colours[0], font_color=colours[1])
            if style == "total":
                props.update(bold=True, top=1)
            num = NUM_FORMATS.get(kind)
            if num:
                props["num_format"] = num
            if kind in LABEL_KINDS or kind == "date":
                props["align"] = "center"
            found = self.fmt.add(**props)
            self._cell[key] = found
        return found

    def sheet(self, key: str) -> Any:
        ws = self.wb.add_worksheet(
            (SHEET_NAMES | MATERIAL_SHEET_NAMES | OUTSOURCING_SHEET_NAMES | QUALITY_SHEET_NAMES
             | SAMPLE_SHEET_NAMES | MONTHLY_SHEET_NAMES)[key][self.lang]
        )
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C&P / &N")
        return ws

    def titles(self, ws: Any, title: str, subtitle: str) -> None:
        ws.write_string(0, 0, title, self.fmt.title)
        ws.write_string(1, 0, subtitle, self.subtitle)

    def table(
        self,
        ws: Any,
        top: int,
        cols: Sequence[Col],
        df: pd.DataFrame,
        styles: Sequence[str] | None = None,
        *,
        first_col: int = 0,
        widths: bool = True,
        filter: bool = True,
    ) -> int:
        """Header at row ``top``, one row per record below; returns the row after
        the last. ``styles``: a row style per record (colours)."""
        lang = self.lang
        data = [column_values(df[c.key], c.kind, lang) if c.key in df else [None] * len(df) for c in cols]
        sizes = [_width(data[j], c.kind, c.title(lang), c.max_width) for j, c in enumerate(cols)]
        if widths and any(text_width(c.title(lang)) * 1.2 + 2 > w for c, w in zip(cols, sizes, strict=True)):
            ws.set_row(top, 27)  # room for a wrapped title (set before the row is written)
        ws.write_row(top, first_col, [c.title(lang) for c in cols], self.fmt.header)
        plain = [
            self.fmt.wrap if c.wrap else None if c.kind == "text" else self.cell("plain", c.kind) for c in cols
        ]
        by_style = {s: [self.cell(s, c.kind) for c in cols] for s in set(styles or ())}
        # xlsxwriter's public write_* check every call for A1 notation; its bound
        # private writers skip that (same output) and save about a tenth of the time.
        write_string = getattr(ws, "_write_string", ws.write_string)
        write_number = getattr(ws, "_write_number", ws.write_number)
        write_blank = getattr(ws, "_write_blank", ws.write_blank)
        writers = [write_string if c.kind in TEXT_KINDS else write_number for c in cols]
        cells = list(zip(range(first_col, first_col + len(cols)), writers, strict=True))
        n = len(df)
        for i, row in enumerate(zip(*data, strict=True)):
            r = top + 1 + i
            style = styles[i] if styles is not None else "plain"
            if style == "plain":
                for (c, write), v, f in zip(cells, row, plain, strict=True):
                    if v is not None:
                        write(r, c, v, f)
            else:  # a coloured row: blanks too, so the colour runs across
                for (c, write), v, f in zip(cells, row, by_style[style], strict=True):
                    if v is not None:
                        write(r, c, v, f)
                    else:
                        write_blank(r, c, None, f)
        if widths:
            for j, w in enumerate(sizes):
                ws.set_column(first_col + j, first_col + j, w)
        if filter:
            ws.autofilter(top, first_col, top + max(n, 1), first_col + len(cols) - 1)
        return top + 1 + n

    def dxf(self, style: str) -> Any:
        """The colours of a row style as a conditional-format (dxf) format."""
        key = ("dxf", style)
        found = self._cell.get(key)
        if found is None:
            fill, font = STYLES[style] or ("", "")
            found = self.wb.add_format({"bg_color": fill, "font_color": font})
            self._cell[key] = found
        return found

    def colour_rows(
        self, ws: Any, top: int, n: int, cols: Sequence[Col], key: str, rules: Sequence[tuple[str, str]]
    ) -> None:
        """Colour whole rows of the table whose header is at ``top`` with
        conditional formats on column ``key``: ``rules`` are (criteria, style),
        the criteria written for the first data row with ``{cell}`` for its
        cell, e.g. ``{cell}="已逾期"``. One rule per colour instead of a format
        per cell: the cells keep the plain formats, and the colours follow the
        rows when the clerk sorts or filters."""
        if n == 0:
            return
        j = next(i for i, c in enumerate(cols) if c.key == key)
        cell = f"${xl_col_to_name(j)}{top + 2}"
        for criteria, style in rules:
            ws.conditional_format(top + 1, 0, top + n, len(cols) - 1, {
                "type": "formula", "criteria": "=" + criteria.format(cell=cell), "format": self.dxf(style),
            })

    def status_rules(self) -> list[tuple[str, str]]:
        labels = STATUS_LABEL[self.lang]
        return [
            ('{cell}="' + labels[OrderStatus(status)] + '"', style)
            for status, style in STATUS_STYLE.items()
            if style != "plain"
        ]

    def frame_sheet(self, ws: Any, header_row: int) -> None:
        ws.freeze_panes(header_row + 1, 0)
        ws.repeat_rows(header_row)

    def close(self) -> None:
        self.wb.close()


def _load_style(utilization: float | None) -> str:
    """Over capacity: red; (almost) fully booked: yellow."""
    if utilization is None or utilization != utilization:
        return "plain"
    return "bad" if utilization > LOAD_OVER else "warn" if utilization >= LOAD_FULL else "plain"


def _over_points(values: Sequence[float | None]) -> list[dict[str, Any] | None]:
    """Chart point formats: red where a utilisation is over 100%."""
    return [{"fill": {"color": OVER}} if v is not None and v == v and v > LOAD_OVER else None for v in values]


def _date_text(d: date) -> str:
    return d.strftime("%Y-%m-%d")


def _subtitle(data: ReportData, lang: Lang, extra: str = "") -> str:
    if lang == "zh":
        text = f"截至 {_date_text(data.as_of)}  台账:{data.ledger_name}"
    else:
        text = f"As of {_date_text(data.as_of)}  Ledger: {data.ledger_name}"
    return f"{text}  {extra}" if extra else text


def _chart_fonts(chart: Any, title: str) -> None:
    font = {"name": FONT, "size": 10}
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_x_axis({"num_font": font})
    chart.set_y_axis({"num_font": font, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})


# --- sheets ------------------------------------------------------------------------------


def _overview(book: _Book, data: ReportData) -> None:
    lang = book.lang
    zh = lang == "zh"
    fmt = book.fmt
    f = data.figures
    ws = book.sheet("overview")
    book.titles(ws, f"{REPORT_TITLE[lang]}", _subtitle(data, lang))
    status = STATUS_LABEL[lang]
    rows: list[tuple[str, float | None, str, str]] = [
        ("未完成订单行" if zh else "Open order lines", f.open_lines, "int", "plain"),
    ]
    for s in OPEN_STATUSES:
        n = f.by_status.get(s, 0)
        style = STATUS_STYLE[s] if n else "plain"
        rows.append((status[OrderStatus(s)], n, "int", style))
    rows += [
        ("准时交货率" if zh else "On-time delivery rate", f.otd_rate, "pct", "plain"),
        (f"需求负荷(未来{LOAD_WEEKS}周,按交期)" if zh else f"Required load (next {LOAD_WEEKS} weeks, by due date)",
         f.required_utilization, "pct", _load_style(f.required_utilization)),
        (f"排产负荷(未来{LOAD_WEEKS}周)" if zh else f"Scheduled load (next {LOAD_WEEKS} weeks)",
         f.utilization, "pct", _load_style(f.utilization)),
        (f"{SHIP_WINDOW_DAYS}天内出货订单行" if zh else f"Lines to ship in {SHIP_WINDOW_DAYS} days",
         f.shipping_lines, "int", "plain"),
        ("未签回送货单" if zh else "Delivery notes not signed back", f.unsigned_notes, "int", "plain"),
        ("最长未签回天数" if zh else "Longest days not signed back", f.oldest_unsigned_days, "int",
         "bad" if (f.oldest_unsigned_days or 0) >= RECEIPT_BAD_DAYS else "plain"),
    ]
    if f.short_work_orders is not None:
        rows += [
            ("欠料工单" if zh else "Work orders short of material", f.short_work_orders, "int",
             "bad" if f.short_work_orders else "plain"),
            ("逾期未到采购" if zh else "Late purchases", f.late_purchases, "int",
             "warn" if f.late_purchases else "plain"),
        ]
    rows += [
        ("检查错误" if zh else "Check errors", f.errors, "int", "bad" if f.errors else "plain"),
        ("检查警告" if zh else "Check warnings", f.warnings, "int", "warn" if f.warnings else "plain"),
    ]
    top = 3
    ws.write_row(top, 0, ["指标" if zh else "Figure", "数值" if zh else "Value"], fmt.header)
    for i, (label, value, kind, style) in enumerate(rows, start=top + 1):
        ws.write_string(i, 0, label, book.cell(style, "text"))
        if value is None:
            ws.write_blank(i, 1, None, book.cell(style, kind))
        else:
            ws.write_number(i, 1, float(value), book.cell(style, kind))
    status_first, status_last = top + 2, top + 1 + len(OPEN_STATUSES)

    # Line load per line, next weeks.
    load_top = top + len(rows) + 2
    ws.write_string(load_top, 0, f"产线负荷(未来{LOAD_WEEKS}周)" if zh else f"Line load, next {LOAD_WEEKS} weeks",
                    book.section)
    load_cols = (
        Col("line", "产线", "Prod. line"),
        Col("available_hours", "可用工时", "Available h", "num"),
        Col("required_hours", "需求工时", "Required h", "num"),
        Col("required_utilization", "需求负荷率", "Required load", "pct"),
        Col("scheduled_hours", "排产工时", "Scheduled h", "num"),
        Col("utilization", "排产负荷率", "Scheduled load", "pct"),
    )
    styles = [_load_style(u) for u in data.line_load["required_utilization"].tolist()]
    end = book.table(ws, load_top + 1, load_cols, data.line_load, styles, widths=False, filter=False)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 5, 11)

    chart = book.wb.add_chart({"type": "bar"})
    name = SHEET_NAMES["overview"][lang].replace("'", "''")
    chart.add_series({
        "name": "订单行" if zh else "Order lines",
        "categories": f"='{name}'!$A${status_first + 1}:$A${status_last + 1}",
        "values": f"='{name}'!$B${status_first + 1}:$B${status_last + 1}",
        "fill": {"color": "#5B9BD5"},
        "data_labels": {"value": True, "font": {"name": FONT, "size": 9}},
    })
    _chart_fonts(chart, "未完成订单行按状态" if zh else "Open order lines by status")
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 10}})
    chart.set_size({"width": 520, "height": 300})
    ws.insert_chart(3, 7, chart)
    if len(data.line_load):
        load = book.wb.add_chart({"type": "column"})
        first, last = load_top + 2, end
        load.add_series({
            "name": "需求负荷率" if zh else "Required load",
            "categories": f"='{name}'!$A${first + 1}:$A${last}",
            "values": f"='{name}'!$D${first + 1}:$D${last}",
            "fill": {"color": "#ED7D31"},
            "points": _over_points(data.line_load["required_utilization"].tolist()),
            "data_labels": {"value": True, "num_format": "0%", "font": {"name": FONT, "size": 9}},
        })
        _chart_fonts(load, f"产线需求负荷率(未来{LOAD_WEEKS}周,红色 = 超过 100%)" if zh
                     else f"Required line load, next {LOAD_WEEKS} weeks (red = over 100%)")
        load.set_legend({"none": True})
        load.set_y_axis({"num_format": "0%", "min": 0, "num_font": {"name": FONT, "size": 10}})
        load.set_size({"width": 520, "height": 280})
        ws.insert_chart(19, 7, load)
    ws.repeat_rows(top)


def _alerts(book: _Book, data: ReportData) -> None:
    lang = book.lang
    ws = book.sheet("alerts")
    n = len(data.alerts)
    extra = f"未完成订单行 {n} 行" if lang == "zh" else f"{n} open order lines"
    book.titles(ws, SHEET_NAMES["alerts"][lang], _subtitle(data, lang, extra))
    book.table(ws, 2, ALERT_COLS, data.alerts)
    book.colour_rows(ws, 2, n, ALERT_COLS, "status", book.status_rules())
    book.frame_sheet(ws, 2)


def _work_orders(book: _Book, data: ReportData) -> None:
    lang = book.lang
    ws = book.sheet("work_orders")
    n = len(data.work_orders)
    extra = f"未完工工单 {n} 张" if lang == "zh" else f"{n} open work orders"
    book.titles(ws, SHEET_NAMES["work_orders"][lang], _subtitle(data, lang, extra))
    book.table(ws, 2, WORK_ORDER_COLS, data.work_orders)
    book.colour_rows(ws, 2, n, WORK_ORDER_COLS, "status", book.status_rules())
    book.frame_sheet(ws, 2)


def _capacity(book: _Book, data: ReportData) -> None:
    """Heat map (required and scheduled utilisation, line x ISO week), hours
    available / required / scheduled, a chart of the required load, the overload
    episodes with their shortfall, and the yield per line."""
    lang = book.lang
    zh = lang == "zh"
    fmt = book.fmt
    ws = book.sheet("capacity")
    cap = data.capacity
    book.titles(ws, SHEET_NAMES["capacity"][lang], _subtitle(
        data, lang, "按ISO周;需求 = 按交期倒排所需工时,排产 = 有限产能排程" if zh
        else "by ISO week; required = hours needed by the due dates, scheduled = finite schedule"))
    weeks = sorted(cap["week"].unique().tolist())
    lines = sorted(cap["line"].unique().tolist())
    forecasts = len(data.load_stack) > 0  # the 预测 sheet: forecast rows and the stacked chart
    grid = {
        name: cap.pivot(index="line", columns="week", values=name).reindex(index=lines, columns=weeks)
        for name in ("required_utilization", "utilization", "available_hours", "required_hours", "scheduled_hours",
                     "forecast_hours")
    }
    head = ["产线" if zh else "Prod. line", "项目" if zh else "Measure", *weeks]
    top = 2
    ws.write_row(top, 0, head, fmt.header)
    pct, num = book.cell("plain", "pct"), book.cell("plain", "num")

    values = {name: g.to_numpy(dtype="float64") for name, g in grid.items()}
    row_of = {line: i for i, line in enumerate(lines)}

    def grid_row(r: int, line: str, label: str, name: str, f: Any) -> None:
        ws.write_string(r, 0, str(line), fmt.text)
        ws.write_string(r, 1, label, fmt.text)
        for j, v in enumerate(values[name][row_of[line]].tolist()):
            if v == v:
                ws.write_number(r, 2 + j, v, f)

    r = top
    required_rows: list[int] = []
    for line in lines:
        r += 1
        required_rows.append(r)
        grid_row(r, line, "需求负荷率" if zh else "Required load", "required_utilization", pct)
        r += 1
        grid_row(r, line, "排产负荷率" if zh else "Scheduled load", "utilization", pct)
    heat_first, heat_last = top + 1, r
    if lines and weeks:
        # Over 100% is red whatever the colour scale says (stop_if_true: the scale skips it).
        ws.conditional_format(heat_first, 2, heat_last, 1 + len(weeks), {
            "type": "cell", "criteria": ">", "value": LOAD_OVER, "format": book.dxf("bad"), "stop_if_true": True,
        })
        ws.conditional_format(heat_first, 2, heat_last, 1 + len(weeks), HEAT_SCALE)
        ws.autofilter(top, 0, heat_last, 1 + len(weeks))
    r += 2
    ws.write_string(r, 0, "工时" if zh else "Hours", book.section)
    r += 1
    ws.write_row(r, 0, head, fmt.header)
    for line in lines:
        for name, label in (("available_hours", "可用工时" if zh else "Available h"),
                            ("required_hours", "需求工时" if zh else "Required h"),
                            ("scheduled_hours", "排产工时" if zh else "Scheduled h"),
                            *([("forecast_hours", "预测工时" if zh else "Forecast h")] if forecasts else [])):
            r += 1
            grid_row(r, line, label, name, num)
    r += 2
    breaks: list[int] = []
    if lines and weeks:
        breaks.append(r)  # the chart starts a printed page of its own
        chart = book.wb.add_chart({"type": "column"})
        name = SHEET_NAMES["capacity"][lang].replace("'", "''")
        last_col = xl_col_to_name(1 + len(weeks))
        palette = ("#5B9BD5", "#ED7D31", "#A5A5A5", "#FFC000", "#4472C4", "#70AD47")
        for k, line in enumerate(lines[:12]):
            row = required_rows[k] + 1
            chart.add_series({
                "name": f"='{name}'!$A${row}",
                "categories": f"='{name}'!$C${top + 1}:${last_col}${top + 1}",
                "values": f"='{name}'!$C${row}:${last_col}${row}",
                "fill": {"color": palette[k % len(palette)]},
                "points": _over_points(values["required_utilization"][row_of[line]].tolist()),
            })
        _chart_fonts(chart, "产线周需求负荷率(红色 = 超过 100%)" if zh else "Weekly required line load (red = over 100%)")
        chart.set_y_axis({"num_format": "0%", "min": 0, "num_font": {"name": FONT, "size": 10},
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_size({"width": 760, "height": 300})
        ws.insert_chart(r, 0, chart)
        r += 17
    if forecasts:
        breaks.append(r)  # firm + forecast on a page of its own
        r = _load_stack(book, ws, r, data.load_stack, breaks) + 1
    widths = [max(text_width(x) for x in [head[0], *lines]) * 1.1 + 2, 13,
              *[11.0] * (max(len(weeks), 4) if forecasts else len(weeks))]
    if len(data.overloads):
        breaks.append(r)  # so do the overloads
        ws.write_string(r, 0, "超负荷(缺口可外协或加班)" if zh else "Overloads (outsource or overtime)", book.section)
        r = _overload_rows(book, ws, r + 1, data.overloads, widths) + 1
    else:
        ws.write_string(r, 0, "没有超负荷:每个交期前的可用工时都够用" if zh
                        else "No overloads: every due date has enough hours before it", book.section)
        r += 2
    if len(data.line_yield):
        ws.write_string(r, 0, "良率(按产线)" if zh else "Yield by line", book.section)
        book.table(ws, r + 1, YIELD_COLS, data.line_yield, widths=False, filter=False)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    ws.freeze_panes(top + 1, 2)


def _load_stack(book: _Book, ws: Any, top: int, stack: pd.DataFrame, breaks: list[int]) -> int:
    """Firm and forecast hours per line and week (the first STACK_WEEKS weeks): a
    stacked column chart, one column per line and week, the forecast on top of the
    firm hours and the available hours as a marker; on the next printed page the
    table it is drawn from (产线, 周, 可用工时, 订单排产工时, 预测工时, 合计负荷率).
    Returns the row after the table."""
    lang = book.lang
    zh = lang == "zh"
    ws.write_string(top, 0, f"排产工时:订单 + 预测(堆积,未来{STACK_WEEKS}周)" if zh
                    else f"Scheduled hours: orders + forecast (stacked, next {STACK_WEEKS} weeks)", book.section)
    chart_rows = 24
    head = top + 1 + chart_rows
    breaks.append(head)  # the table starts a printed page of its own
    first = head + 1
    last = first + len(stack) - 1
    name = SHEET_NAMES["capacity"][lang].replace("'", "''")
    categories = f"='{name}'!$A${first + 1}:$B${last + 1}"

    def ref(col: str) -> str:
        return f"='{name}'!${col}${first + 1}:${col}${last + 1}"

    chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    chart.add_series({"name": f"='{name}'!$D${head + 1}", "categories": categories, "values": ref("D"),
                      "fill": {"color": "#4472C4"}, "gap": 60})
    chart.add_series({"name": f"='{name}'!$E${head + 1}", "categories": categories, "values": ref("E"),
                      "fill": {"color": "#F4B183"}, "border": {"color": "#C55A11", "dash_type": "dash"}})
    avail = book.wb.add_chart({"type": "line"})
    avail.add_series({"name": f"='{name}'!$C${head + 1}", "categories": categories, "values": ref("C"),
                      "line": {"none": True},
                      "marker": {"type": "dash", "size": 14, "fill": {"color": "#404040"},
                                 "border": {"color": "#404040"}}})
    chart.combine(avail)
    _chart_fonts(chart, "订单与预测排产工时(预测 = 订单排完后的剩余产能)" if zh
                 else "Order and forecast hours (forecast = hours left after the orders)")
    chart.set_y_axis({"name": "工时" if zh else "Hours", "min": 0, "num_font": {"name": FONT, "size": 10},
                      "name_font": {"name": FONT, "size": 10},
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 9}})
    chart.set_size({"width": 980, "height": 460})
    ws.insert_chart(top + 1, 0, chart)
    end = book.table(ws, head, STACK_COLS, stack, widths=False, filter=False)
    if (stack["total_utilization"] > LOAD_OVER).any():  # not by construction; kept visible if it ever is
        ws.conditional_format(first, 5, last, 5, {
            "type": "cell", "criteria": ">", "value": LOAD_OVER, "format": book.dxf("bad")})
    return end + 1


def _overload_rows(book: _Book, ws: Any, top: int, ov: pd.DataFrame, widths: list[float]) -> int:
    """The overloads under the heat map: the two lists (pieces per item, order lines)
    are merged across the week columns and wrap, so nothing runs past the printed
    width. Returns the row after the last."""
    lang = book.lang
    cols = OVERLOAD_COLS
    plain = len(cols) - 2  # line, from, by date, hours
    last = max(len(widths) - 1, len(cols) - 1)
    item_span = (plain, min(plain + 1, last - 1)) if last - plain >= 2 else (plain, plain)
    order_span = (item_span[1] + 1, max(last, item_span[1] + 1))

    def width(span: tuple[int, int]) -> float:
        return sum(widths[j] if j < len(widths) else 11.0 for j in range(span[0], span[1] + 1))

    fill, font = STYLES["late"] or ("", "")
    wrap = book.fmt.add(text_wrap=True, bg_color=fill, font_color=font, valign="top")
    head_fmt = book.fmt.header

    def put(r: int, span: tuple[int, int], text: str, fmt: Any) -> None:
        if span[1] > span[0]:
            ws.merge_range(r, span[0], r, span[1], text, fmt)
        else:
            ws.write_string(r, span[0], text, fmt)

    ws.write_row(top, 0, [c.title(lang) for c in cols[:plain]], head_fmt)
    put(top, item_span, cols[plain].title(lang), head_fmt)
    put(top, order_span, cols[plain + 1].title(lang), head_fmt)
    data = [column_values(ov[c.key], c.kind, lang) for c in cols]
    fmts = [book.cell("late", c.kind) for c in cols]
    for i, row in enumerate(zip(*data, strict=True)):
        r = top + 1 + i
        items, orders = row[plain] or "", row[plain + 1] or ""
        n_lines = max(
            1,
            math.ceil(text_width(items) * 1.1 / max(width(item_span), 1.0)),
            math.ceil(text_width(orders) * 1.1 / max(width(order_span), 1.0)),
        )
        if n_lines > 1:
            ws.set_row(r, 14 * n_lines)
        for j, v in enumerate(row[:plain]):
            if v is None:
                ws.write_blank(r, j, None, fmts[j])
            elif cols[j].kind in TEXT_KINDS:
                ws.write_string(r, j, v, fmts[j])
            else:
                ws.write_number(r, j, v, fmts[j])
        put(r, item_span, items, wrap)
        put(r, order_span, orders, wrap)
    return top + 1 + len(ov)


def _shipping(book: _Book, data: ReportData) -> None:
    lang = book.lang
    zh = lang == "zh"
    ws = book.sheet("shipping")
    end = window_end(data.as_of)
    extra = (f"{_date_text(data.as_of)} 至 {_date_text(end)}" if zh
             else f"{_date_text(data.as_of)} to {_date_text(end)}")
    book.titles(ws, SHEET_NAMES["shipping"][lang], _subtitle(data, lang, extra))
    df = data.shipping
    top = 2
    last = book.table(ws, top, SHIPPING_COLS, df)
    book.colour_rows(ws, top, len(df), SHIPPING_COLS, "status", book.status_rules())
    _total_row(book, ws, last, top, SHIPPING_COLS, df, SHIPPING_TOTALS)
    book.frame_sheet(ws, top)
    _shipping_days(book, ws, last + 2, data)


def _shipping_days(book: _Book, ws: Any, row: int, data: ReportData) -> None:
    """The per-day table under the 出货计划: cartons, gross weight and CBM to load
    each planned ship date (values, no formulas: the table above holds the lines)."""
    zh = book.lang == "zh"
    days = shipping_days(data.shipping)
    ws.write_string(row, 0, "按日汇总(装车:毛重与体积)" if zh else "Per day (loading: gross weight and CBM)",
                    book.subtitle)
    book.table(ws, row + 1, SHIP_DAY_COLS, days, widths=False, filter=False)


def _total_row(
    book: _Book, ws: Any, row: int, top: int, cols: Sequence[Col], df: pd.DataFrame, keys: Sequence[str]
) -> dict[str, float]:
    """A 合计 row of SUM formulas under a table, each with its computed value."""
    ws.write_string(row, 0, "合计" if book.lang == "zh" else "Total", book.total_label)
    sums: dict[str, float] = {}
    for j, c in enumerate(cols):
        if j == 0:
            continue
        fmt = book.cell("total", c.kind if c.key in keys else "text")
        if c.key not in keys:
            ws.write_blank(row, j, None, fmt)
            continue
        value = float(pd.to_numeric(df[c.key], errors="coerce").sum()) if len(df) else 0.0
        sums[c.key] = value
        first = xl_rowcol_to_cell(top + 1, j)
        last = xl_rowcol_to_cell(max(row - 1, top + 1), j)
        ws.write_formula(row, j, f"=SUM({first}:{last})", fmt, _round(value))
    return sums


def _round(value: float) -> float:
    return round(value, 6) if math.isfinite(value) else 0.0


def _receipts(book: _Book, data: ReportData) -> None:
    lang = book.lang
    ws = book.sheet("receipts")
    df = data.receipts
    extra = f"未签回 {len(df)} 张" if lang == "zh" else f"{len(df)} not signed back"
    book.titles(ws, SHEET_NAMES["receipts"][lang], _subtitle(data, lang, extra))
    no_note = "(未开单)" if lang == "zh" else "(no note yet)"
    notes = df["note_no"].astype(object)
    book.table(ws, 2, RECEIPT_COLS, df.assign(note_no=notes.where(notes.notna(), no_note)))
    book.colour_rows(ws, 2, len(df), RECEIPT_COLS, "days", [
        (f"{{cell}}>={RECEIPT_BAD_DAYS}", "bad"),
        (f"AND({{cell}}>={RECEIPT_WARN_DAYS},{{cell}}<{RECEIPT_BAD_DAYS})", "warn"),
    ])
    book.frame_sheet(ws, 2)


def _otd(book: _Book, data: ReportData) -> None:
    lang = book.lang
    zh = lang == "zh"
    ws = book.sheet("otd")
    df = data.otd
    note = "已全部出货的订单行;最后出货日 ≤ 承诺交期为准时" if zh else \
        "fully shipped order lines; on time when the last shipment is on or before the commitment date"
    book.titles(ws, SHEET_NAMES["otd"][lang], _subtitle(data, lang, note))
    top = 2
    last = book.table(ws, top, OTD_COLS, df)
    if len(df):
        ws.conditional_format(top + 1, 4, last - 1, 4, RATE_SCALE)
    sums = _total_row(book, ws, last, top, OTD_COLS, df, ("lines", "on_time"))
    lines, on_time = xl_rowcol_to_cell(last, 2), xl_rowcol_to_cell(last, 3)
    rate = sums["on_time"] / sums["lines"] if sums.get("lines") else None
    formula = f'=IF({lines}>0,{on_time}/{lines},"")'
    ws.write_formula(last, 4, formula, book.cell("total", "pct"), "" if rate is None else _round(rate))
    book.frame_sheet(ws, top)


def _shortages(book: _Book, data: ReportData) -> None:
    df = data.shortages
    if df is None:
        return
    lang = book.lang
    if lang != "zh":
        df = df.assign(ready_text=np.where(df["ready_known"], "", "unknown"))
    ws = book.sheet("shortages")
    note = (f"按排产顺序分配库存和在途采购;未到料或欠料 {len(df)} 行" if lang == "zh"
            else f"stock and open purchases allocated in schedule order; {len(df)} rows waiting or short")
    book.titles(ws, MATERIAL_SHEET_NAMES["shortages"][lang], _subtitle(data, lang, note))
    # Red: short (or of unknown date); yellow: covered by a purchase still to come.
    styles = ["bad" if s > 0 or not k else "warn" for s, k in zip(df["short"], df["ready_known"], strict=True)]
    book.table(ws, 2, SHORTAGE_COLS, df, styles)
    book.frame_sheet(ws, 2)


def _purchases(book: _Book, data: ReportData) -> None:
    df = data.purchases
    if df is None:
        return
    lang = book.lang
    ws = book.sheet("purchases")
    late = int(df["late"].sum()) if len(df) else 0
    note = f"在途采购 {len(df)} 行,逾期 {late} 行" if lang == "zh" else f"{len(df)} open purchase lines, {late} late"
    book.titles(ws, MATERIAL_SHEET_NAMES["purchases"][lang], _subtitle(data, lang, note))
    book.table(ws, 2, PURCHASE_COLS, df, ["late" if x else "plain" for x in df["late"]])
    book.frame_sheet(ws, 2)


def _quality_effect(row: dict[Any, Any], lang: Lang) -> str:
    """What a 品质异常 item does to its work order and the forecast, in words."""
    zh = lang == "zh"
    qty = number_text(row["qty"]) if row["qty"] == row["qty"] else ""
    if row["wo_code"] < 0:
        return "工单不在工单表中,不影响排产" if zh else "work order not on the 工单 sheet: no effect"
    action, is_open = row["action"], bool(row["open"])
    if action == "返工" and is_open:
        day = _date_text(row["release"].date()) if not pd.isna(row["release"]) else ""
        line = row["line"] if isinstance(row["line"], str) else ""
        return (f"{qty} 件不计良品,{day} 起在 {line} 重新排产" if zh
                else f"{qty} pcs out of good output, planned again on {line} from {day}")
    if action == "返工":
        return "已结案:数量计回良品" if zh else "closed: counted as good output again"
    if action == "报废":
        if row["wo_closed"]:
            return (f"良品减少 {qty} 件;工单已结,补产数量未下工单" if zh
                    else f"{qty} pcs less good output; work order closed: the replacement has no work order")
        return (f"良品减少 {qty} 件,补产计入工单未完成数" if zh
                else f"{qty} pcs less good output; the replacement is on the work order's balance")
    if action == "让步接受":
        return "只记录,数量不变" if zh else "recorded only: quantities unchanged"
    return "处理方式无法识别,不影响排产" if zh else "action not recognised: no effect"


def _quality(book: _Book, data: ReportData) -> None:
    df = data.quality
    if df is None:
        return
    lang = book.lang
    zh = lang == "zh"
    ws = book.sheet("quality")
    n_open = int(df["open"].sum()) if len(df) else 0
    note = (f"未结案 {n_open} 项,已结案 {len(df) - n_open} 项;返工结案前不计良品,报废不计良品" if zh
            else f"{n_open} open, {len(df) - n_open} closed; rework is not good output until closed, scrap never")
    book.titles(ws, QUALITY_SHEET_NAMES["quality"][lang], _subtitle(data, lang, note))
    actions = df["action"].astype(object)
    shown = df.assign(
        action_text=actions if zh else actions.map(lambda v: ACTION_EN.get(v, v) if isinstance(v, str) else v),
        effect=[_quality_effect(r, lang) for r in df.to_dict("records")],
    )
    # Open items: red when their order line is late or overdue, yellow otherwise.
    late = df["order_status"].isin([OrderStatus.LATE.value, OrderStatus.OVERDUE.value]).to_numpy()
    styles = ["bad" if o and x else "warn" if o else "plain" for o, x in zip(df["open"], late, strict=True)]
    book.table(ws, 2, QUALITY_COLS, shown, styles)
    book.frame_sheet(ws, 2)


def _outsourcing(book: _Book, data: ReportData) -> None:
    df = data.outsourcing
    if df is None:
        return
    lang = book.lang
    ws = book.sheet("outsourcing")
    late = int(df["late"].sum()) if len(df) else 0
    note = (f"未回厂外协 {len(df)} 批,逾期 {late} 批" if lang == "zh"
            else f"{len(df)} outsourced lots still out, {late} late")
    book.titles(ws, OUTSOURCING_SHEET_NAMES["outsourcing"][lang], _subtitle(data, lang, note))
    book.table(ws, 2, OUTSOURCING_COLS, df, ["late" if x else "plain" for x in df["late"]])
    book.frame_sheet(ws, 2)


def _samples(book: _Book, data: ReportData) -> None:
    """样品跟踪: every sample, worst first; 逾期未送 red, 待确认 beyond the reminder
    orange, 需修改/不合格 yellow; the 封样编号 of approved ones for QC."""
    from gendan_xl.samples import state_text

    df = data.samples
    if df is None:
        return
    lang = book.lang
    zh = lang == "zh"
    ws = book.sheet("samples")
    counts = df["state"].value_counts()
    overdue, waiting = int(counts.get("overdue", 0)), int(counts.get("waiting_long", 0))
    again = int(counts.get("revise", 0) + counts.get("fail", 0))
    note = (f"样品 {len(df)} 个:逾期未送 {overdue},待确认超期 {waiting},需修改/不合格 {again};"
            "合格样品按封样编号交品质部作生产标准" if zh
            else f"{len(df)} samples: {overdue} overdue, {waiting} awaiting an answer too long, {again} to redo;"
            " approved ones go to QC by their sealed sample no")
    book.titles(ws, SAMPLE_SHEET_NAMES["samples"][lang], _subtitle(data, lang, note))
    shown = df.assign(state_text=[state_text(s, w, lang) for s, w in zip(df["state"], df["days_waiting"],
                                                                         strict=True)])
    book.table(ws, 2, SAMPLE_COLS, shown, [SAMPLE_STYLE.get(s, "plain") for s in df["state"]])
    book.frame_sheet(ws, 2)
def _registers(book: _Book, data: ReportData) -> None:
    """客诉跟踪 and 客户满意度 (``write.report_registers``), each only with its sheet."""
    from gendan_xl.write.report_registers import write_complaints, write_satisfaction

    write_complaints(book, data)
    write_satisfaction(book, data)
def _opening_text(row: dict[Any, Any], lang: Lang) -> str:
    zh = lang == "zh"
    source = row["opening_source"]
    if source == "sheet":
        return "成品期初" if zh else "成品期初 sheet"
    if source == "rolled":
        month = row["opening_month"]
        return f"由 {month} 期初结转" if zh else f"rolled from {month}"
    return "期初未知(按 0 推算)" if zh else "unknown (from 0)"


def _monthly(book: _Book, summary: MonthlySummary | None, as_of: date, ledger_name: str) -> None:
    """成品月结: the customers' shipments and amounts, then per item 期初 + 入库 - 出货 +
    退货 = 期末 (negative 期末 red, unknown 期初 yellow), each with a 合计 row, then the
    warnings and notes. A4 landscape, one page wide, the item header repeated on
    every printed page."""
    if summary is None:
        return
    lang = book.lang
    zh = lang == "zh"
    ws = book.sheet("monthly")
    title = f"{MONTHLY_SHEET_NAMES['monthly'][lang]} {summary.period}"
    span = f"{_date_text(summary.start)} 至 {_date_text(summary.end)}" if zh else \
        f"{_date_text(summary.start)} to {_date_text(summary.end)}"
    if not summary.closed:
        span += "(本月未结束)" if zh else " (month not over)"
    rule = "期初 + 入库 - 出货 + 退货 = 期末" if zh else "opening + into stock - shipped + returned = closing"
    subtitle = (f"截至 {_date_text(as_of)}  台账:{ledger_name}  统计 {span}  {rule}" if zh
                else f"As of {_date_text(as_of)}  Ledger: {ledger_name}  Counted {span}  {rule}")
    book.titles(ws, title, subtitle)
    ws.set_header(f"&L{title.replace('&', '&&')}&R{_date_text(as_of)}")
    # The customers first (a short table), then the items, whose header is repeated
    # on every printed page (a header repeated above customer rows would mislead).
    row = 2
    ws.write_string(row, 0, "客户出货汇总(金额按对账单单价,退货为负)" if zh
                    else "Shipments per customer (amounts as on the statements, returns negative)", book.section)
    ctop = row + 1
    customers = summary.customers
    clast = book.table(ws, ctop, MONTHLY_CUSTOMER_COLS, customers, widths=False, filter=False)
    _total_row(book, ws, clast, ctop, MONTHLY_CUSTOMER_COLS, customers, MONTHLY_CUSTOMER_TOTALS)
    row = clast + 2
    ws.write_string(row, 0, "产品收发存" if zh else "Stock per item", book.section)
    items = summary.items
    shown = items.assign(opening_text=[_opening_text(r, lang) for r in items.to_dict("records")])
    styles = ["bad" if neg else "warn" if src == "unknown" else "plain"
              for neg, src in zip(items["negative"], items["opening_source"], strict=True)]
    top = row + 1
    last = book.table(ws, top, MONTHLY_ITEM_COLS, shown, styles, widths=False)
    _total_row(book, ws, last, top, MONTHLY_ITEM_COLS, shown, MONTHLY_ITEM_TOTALS)
    row = last + 2
    lines = [*summary.warnings(lang), *summary.note_lines(lang)]
    rules = [
        "入库 = 生产日报良品数(按工单的产品)+ 品质调整(报废、返工按日期扣除,返工结案日计回);外协回厂不计入"
        if zh else "Into stock = daily-report good pieces (by the work order's item) + quality adjustments "
        "(scrap and rework off on their date, rework back on its 结案日期); 外协 returns are not counted",
        "期初:本月成品期初;没有则由最近一次成品期初逐月结转;都没有则期初未知,按 0 推算(黄色)。期末为负(红色):出货多于库存"
        if zh else "Opening: this month's 成品期初 row; else rolled forward from the latest earlier one; "
        "else unknown, from 0 (yellow). Red: closing below zero (more shipped than in stock)",
    ]
    warn = book.fmt.add(font_color=STYLES["bad"][1] if STYLES["bad"] else "#9C0006", bold=True)
    for n, text in enumerate([*lines, *rules]):
        fmt = warn if n < len(summary.warnings(lang)) else book.subtitle
        ws.write_string(row + n, 0, text, fmt)
    end = row + len(lines) + len(rules) - 1
    # Widths: the wider of the two tables in each column.
    for j in range(len(MONTHLY_ITEM_COLS)):
        size = _col_width(MONTHLY_ITEM_COLS[j], shown, lang)
        if j < len(MONTHLY_CUSTOMER_COLS):
            size = max(size, _col_width(MONTHLY_CUSTOMER_COLS[j], customers, lang))
        ws.set_column(j, j, size)
    ws.print_area(0, 0, end, len(MONTHLY_ITEM_COLS) - 1)
    ws.repeat_rows(top)


def _col_width(col: Col, df: pd.DataFrame, lang: Lang) -> float:
    values = column_values(df[col.key], col.kind, lang) if col.key in df else []
    if col.kind in ("num", "money", "int") and values:
        total = sum(abs(v) for v in values if v is not None)  # the 合计 row is as wide as the sum
        values = [*values, total]
    return _width(values, col.kind, col.title(lang), col.max_width)


def _change_log(book: _Book, data: ReportData, log: pd.DataFrame) -> None:
    from gendan_xl.changes import LOG_DAYS, LOG_SHEET
    from gendan_xl.write.changes_book import add_change_log_sheet

    zh = book.lang == "zh"
    title = (f"{LOG_SHEET}(最近 {LOG_DAYS} 天,{len(log)} 项)" if zh
             else f"Change log (last {LOG_DAYS} days, {len(log)} changes)")
    add_change_log_sheet(book.wb, LOG_SHEET if zh else "Change log", log, title)


def write_report(
    path: Path,
    data: ReportData,
    lang: Lang = "zh",
    ledger_root: Path | None = None,
    change_log: pd.DataFrame | None = None,
) -> Path:
    """Write the report workbook for ``data`` to ``path``; return the path.
    ``change_log``: the last 30 days of batch's 变更记录 (a 变更记录 sheet when given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path, lang, f"{REPORT_TITLE[lang]} {_date_text(data.as_of)}")
    _overview(book, data)
    _alerts(book, data)
    _work_orders(book, data)
    _capacity(book, data)
    _shipping(book, data)
    _receipts(book, data)
    _otd(book, data)
    _shortages(book, data)
    _purchases(book, data)
    _outsourcing(book, data)
    _quality(book, data)
    _samples(book, data)
    _registers(book, data)
    _monthly(book, data.monthly, data.as_of, data.ledger_name)
    if change_log is not None:
        _change_log(book, data, change_log)
    add_issue_sheet(book.wb, book.fmt, data.issues, lang, link_base=path.parent, ledger_root=ledger_root)
    book.close()
    return path


def write_shipment_plan(path: Path, data: ReportData, lang: Lang = "zh") -> Path:
    """The 出货计划 sheet on its own (the batch run's shipment plan for the warehouse)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path, lang, f"{REPORT_TITLE[lang]} {_date_text(data.as_of)}")
    _shipping(book, data)
    book.close()
    return path


def write_monthly(path: Path, summary: MonthlySummary, as_of: date, ledger_name: str, lang: Lang = "zh") -> Path:
    """The 成品月结 sheet on its own (`gendan monthly --out`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path, lang, f"{MONTHLY_SHEET_NAMES['monthly'][lang]} {summary.period}")
    _monthly(book, summary, as_of, ledger_name)
    book.close()
    return path


__all__ = ["SHEET_NAMES", "report_name", "write_monthly", "write_report", "write_shipment_plan"]


def write_shortage_report(path: Path, data: ReportData, lang: Lang = "zh") -> Path:
    """欠料表 and 采购跟踪 on their own (the batch run's shortage list for the material clerk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path, lang, f"{MATERIAL_SHEET_NAMES['shortages'][lang]} {_date_text(data.as_of)}")
    _shortages(book, data)
    _purchases(book, data)
    book.close()
    return path
