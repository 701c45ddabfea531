"""The printed documents as workbooks: 制造命令单, 送货单, 对账单.

One workbook per kind per run, one sheet per document, laid out for paper:
bordered grids in the house font, explicit row heights and column widths,
paper size and orientation set, and a print scale that fits each page.

- 制造命令单: A4 portrait, one page per work order (fit to 1 x 1).
- 送货单: A4 portrait or A5 landscape; a fixed number of lines per page; a note
  with more lines continues on further pages of the same sheet, each repeating
  the header block, split by manual page breaks. Excel ignores manual breaks
  under "fit to page", so the scale is computed here from the widths and heights.
- 对账单: A4 landscape, fit to width, the table header repeated on every page.

The 分配结果 (every number given out and the ledger rows it belongs to) is a
workbook of its own beside the documents (``write_assignments``): LibreOffice and
Excel print every sheet of a workbook, and it must not come out on form paper.
Long text wraps and its row grows (``fit_text``), never shrunk below 8 pt.
Every ledger text goes through ``write_string`` (workbooks come from
``new_workbook``): a customer called ``=HYPERLINK(...)`` stays text.
Files are written to a temporary name in the target folder and renamed into place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.models import (
    Assignment,
    DeliveryLine,
    DeliveryNote,
    MaterialIssueDoc,
    Statement,
    StatementLine,
    WorkOrderDoc,
)
from gendan_xl.documents.money import rmb_upper
from gendan_xl.documents.work_orders import SkippedLine
from gendan_xl.files import replacing
from gendan_xl.schema import output_name
from gendan_xl.write.book import FONT, fixed_properties, new_workbook, safe_text, text_width

ASSIGN_SHEET = "分配结果"
COPY_LEGEND = "第一联 存根(白)    第二联 客户(红)    第三联 财务(黄)    第四联 回单(蓝)"
PAPER = {"A4": (9, 210.0, 297.0), "A5": (11, 148.0, 210.0)}  # xlsxwriter code, width, height (mm)
MARGIN_IN = 0.4  # page margins, inches
_MM_PER_PX = 25.4 / 96
_MM_PER_PT = 25.4 / 72
_SLACK = 0.90  # LibreOffice draws columns about 6% wider than Excel's pixel rule; keep a margin

QTY_INT = "#,##0"
QTY_DEC = "#,##0.###"
PRICE = "#,##0.00##"
AMOUNT = "#,##0.00"
DATE = "yyyy-mm-dd"

Value = str | float | int | date | None


# --------------------------------------------------------------------- helpers


def _col_mm(width: float) -> float:
    """Printed width of a column of ``width`` characters (Excel's pixel rule)."""
    px = int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)
    return px * _MM_PER_PX


def fit_scale(widths: Sequence[float], heights_pt: Sequence[float], paper: str, landscape: bool) -> int:
    """The print scale (percent, 10-100) at which the columns and rows fit one page."""
    _code, w, h = PAPER[paper]
    if landscape:
        w, h = h, w
    avail_w = w - 2 * MARGIN_IN * 25.4
    avail_h = h - 2 * MARGIN_IN * 25.4
    need_w = sum(_col_mm(x) for x in widths)
    need_h = sum(heights_pt) * _MM_PER_PT
    ratio = min(avail_w / need_w, avail_h / need_h, 1 / _SLACK) * _SLACK
    return max(10, min(100, math.floor(ratio * 100)))


def qty_format(value: float) -> str:
    return QTY_INT if float(value).is_integer() else QTY_DEC


def _start(tmp: Path, title: str) -> xlsxwriter.Workbook:
    wb = new_workbook(str(tmp))
    fixed_properties(wb, title)
    return wb


class _Fmt:
    """The document formats of one workbook, made on first use and cached."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self._wb = wb
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, **props: Any) -> Any:
        full = {"font_name": FONT, "font_size": 10, "valign": "vcenter", **props}
        key = tuple(sorted(full.items()))
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(full)
        return self._cache[key]

    # the recurring ones
    def label(self) -> Any:
        return self(bold=True, border=1, align="center", bg_color="#F2F2F2", text_wrap=True)

    def cell(self, num_format: str | None = None, **props: Any) -> Any:
        extra = {"num_format": num_format} if num_format else {}
        return self(border=1, **extra, **props)


def put(ws: Any, row: int, col: int, value: Value, fmt: Any) -> None:
    """Write one value with the write method of its type; text always as text."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, datetime.combine(value, time()), fmt)
    else:
        ws.write_string(row, col, safe_text(value), fmt)


def merge(ws: Any, r1: int, c1: int, r2: int, c2: int, value: Value, fmt: Any) -> None:
    """A merged range (or one cell) holding ``value``, written with its type's method."""
    if (r1, c1) != (r2, c2):
        ws.merge_range(r1, c1, r2, c2, None, fmt)
    put(ws, r1, c1, value, fmt)


def _set_widths(ws: Any, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)


def form_top(ws: Any, f: _Fmt, widths: Sequence[float], company: str, title: str, left: str, right: str,
             split: int = 2) -> int:
    """Column widths and the first three rows of a one-page form: the company, the
    spaced title, a note on the left (columns up to ``split``) and the number on the
    right. Returns the last column."""
    _set_widths(ws, widths)
    last = len(widths) - 1
    ws.set_row(0, 28)
    merge(ws, 0, 0, 0, last, company, f(bold=True, font_size=16, align="center"))
    ws.set_row(1, 34)
    merge(ws, 1, 0, 1, last, title, f(bold=True, font_size=20, align="center"))
    ws.set_row(2, 20)
    merge(ws, 2, 0, 2, split, left, f(font_size=11))
    merge(ws, 2, split + 1, 2, last, right, f(font_size=11, bold=True, align="right"))
    return last


def form_end(ws: Any, title: str, number: str, row: int, last: int) -> Any:
    """Print set-up of a one-page portrait form: A4, margins, the footer with its
    title and number, the print area down to ``row``, one page wide."""
    _page_setup(ws, "A4", landscape=False)
    ws.set_margins(left=0.5, right=0.5, top=0.5, bottom=0.7)
    ws.set_footer(f"&L{title} {number.replace('&', '&&')}&C第 &P 页", {"margin": 0.3})
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 0)
    return ws


def qty_unit(value: float | None, unit: str) -> str:
    """``1,200 PCS``; a fraction to three places; blank for no value."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}".rstrip("0")
    return f"{text} {unit}".strip()


def _page_setup(ws: Any, paper: str, landscape: bool) -> None:
    ws.set_paper(PAPER[paper][0])
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=MARGIN_IN, bottom=MARGIN_IN)
    ws.center_horizontally()
    ws.hide_gridlines(2)


# --------------------------------------------------------------- 制造命令单

WO_WIDTHS = (11, 11, 11, 11, 11, 11, 16, 17)
WO_RECORD_ROWS = 14
WO_COPY_LEGEND = "第一联 存根(白)    第二联 生产(红)    第三联 仓库(黄)    第四联 品质(蓝)"
LATE_RED = "#C00000"


def late_warning(doc: WorkOrderDoc) -> str:
    """``预计完工 2026-12-03,晚于交期 3 天`` when the plan's forecast finish is after
    the commitment date, else blank."""
    late = doc.days_late
    if late is None or doc.plan_finish is None:
        return ""
    return f"预计完工 {doc.plan_finish.isoformat()},晚于交期 {late} 天"


def add_work_order_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: WorkOrderDoc, company: str) -> Any:
    ws = wb.add_worksheet(name)
    _set_widths(ws, WO_WIDTHS)
    last = len(WO_WIDTHS) - 1
    ws.set_row(0, 28)
    merge(ws, 0, 0, 0, last, company, f(bold=True, font_size=16, align="center"))
    ws.set_row(1, 32)
    merge(ws, 1, 0, 1, last, "制 造 命 令 单", f(bold=True, font_size=20, align="center"))
    ws.set_row(2, 20)
    merge(ws, 2, 0, 2, 3, "优先级:" + (doc.priority or "普通"), f(bold=doc.priority in ("急", "特急")))
    merge(ws, 2, 4, 2, last, "No. " + doc.wo_no, f(bold=True, font_size=12, align="right"))
    row = 3
    warning = late_warning(doc)
    if warning:
        ws.set_row(row, 22)
        merge(ws, row, 0, row, last, warning,
              f(bold=True, font_size=12, font_color=LATE_RED, border=2, border_color=LATE_RED, align="center"))
        row += 1

    order = doc.order_no + (f"(行 {doc.line_no})" if doc.line_no else "")
    qty_f = f.cell(qty_format(doc.qty), align="left", bold=True)
    half = sum(WO_WIDTHS[1:4])  # a value cell spans three columns
    wide = sum(WO_WIDTHS[5:])

    def text_cell(value: str, width: float, **props: Any) -> tuple[Any, float]:
        size, lines = fit_text(value, width)
        fmt = f.cell(text_wrap=True, font_size=size, **props)
        return fmt, text_row_height(lines, size, 24)

    grid: list[tuple[str, Value, Any, str, Value, Any]] = []
    heights: list[float] = []

    def pair(l1: str, v1: Value, f1: Any, l2: str, v2: Value, f2: Any) -> None:
        h = 24.0
        if f1 is None:
            f1, h1 = text_cell(str(v1 or ""), half)
            h = max(h, h1)
        if f2 is None:
            f2, h2 = text_cell(str(v2 or ""), wide)
            h = max(h, h2)
        grid.append((l1, v1, f1, l2, v2, f2))
        heights.append(h)

    pair("工单号", doc.wo_no, f.cell(bold=True), "下达日期", doc.issue_date, f.cell(DATE, align="left"))
    pair("订单号", order, None, "客户", doc.customer, None)
    pair("客户PO", doc.customer_po, None, "交期", doc.due_date, f.cell(DATE, align="left", bold=True))
    pair("产品编码", doc.item, None, "品名", doc.item_name, None)
    pair("规格", doc.spec, None, "单位", doc.unit, f.cell())
    pair("生产数量", doc.qty, qty_f, "产线", doc.line, f.cell())
    finish_f = f.cell(DATE, align="left", **({"font_color": LATE_RED, "bold": True} if warning else {}))
    pair("计划开工", doc.plan_start, f.cell(DATE, align="left"), "计划完工", doc.plan_finish, finish_f)
    pair("每箱数量", doc.pcs_per_carton, f.cell(QTY_INT, align="left"), "箱数", doc.cartons,
         f.cell(QTY_INT, align="left"))
    pair("模具号", doc.mold_no, None, "样品号", doc.sample_no, None)
    for (l1, v1, f1, l2, v2, f2), h in zip(grid, heights, strict=True):
        ws.set_row(row, h)
        put(ws, row, 0, l1, f.label())
        merge(ws, row, 1, row, 3, v1, f1)
        put(ws, row, 4, l2, f.label())
        merge(ws, row, 5, row, last, v2, f2)
        row += 1
    full = sum(WO_WIDTHS[1:])
    for label, value, least in (("品质标准", doc.quality_std, 24), ("包装要求", doc.packing, 24),
                                ("备注", doc.remark, 48)):
        size, lines = fit_text(value, full)
        ws.set_row(row, text_row_height(lines, size, least))
        put(ws, row, 0, label, f.label())
        merge(ws, row, 1, row, last, value, f.cell(text_wrap=True, valign="top", font_size=size))
        row += 1
    ws.set_row(row, 12)
    row += 1
    if doc.materials:
        ws.set_row(row, 22)
        merge(ws, row, 0, row, last, "用料(按 BOM,含损耗)", f(bold=True, border=1, align="center", bg_color="#E2EFDA"))
        row += 1
        ws.set_row(row, 20)
        for c1, c2, title in ((0, 1, "物料编码"), (2, 4, "物料名称"), (5, 5, "单位"), (6, 6, "单耗"), (7, 7, "需求量")):
            merge(ws, row, c1, row, c2, title, f.label())
        row += 1
        for m in doc.materials:
            ws.set_row(row, 20)
            merge(ws, row, 0, row, 1, m.material, f.cell())
            merge(ws, row, 2, row, 4, m.name, f.cell(text_wrap=True))
            put(ws, row, 5, m.unit, f.cell(align="center"))
            put(ws, row, 6, m.per_piece, f.cell(QTY_DEC))
            put(ws, row, 7, m.need, f.cell(qty_format(m.need)))
            row += 1
        ws.set_row(row, 12)
        row += 1

    ws.set_row(row, 22)
    merge(ws, row, 0, row, last, "生产记录(车间填写)", f(bold=True, border=1, align="center", bg_color="#DDEBF7"))
    row += 1
    ws.set_row(row, 20)
    for c, title in enumerate(("日期", "班次", "良品数", "不良数", "工时", "操作员", "异常", "签名")):
        put(ws, row, c, title, f.label())
    row += 1
    for _ in range(WO_RECORD_ROWS):
        ws.set_row(row, 22)
        for c in range(last + 1):
            put(ws, row, c, None, f.cell())
        row += 1
    ws.set_row(row, 12)
    row += 1

    row = _signoff_boxes(ws, f, row, ((0, 2, "制表"), (3, 5, "审核"), (6, 7, "批准")), 48) + 1
    ws.set_row(row, 16)
    merge(ws, row, 0, row, last, WO_COPY_LEGEND, f(font_size=8, align="center"))

    _page_setup(ws, "A4", landscape=False)
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 1)
    return ws


def _signoff_boxes(
    ws: Any, f: _Fmt, row: int, boxes: Sequence[tuple[int, int, str]], sign_height: float
) -> int:
    """Sign-off boxes (title, room to sign, 日期) in merged columns from ``row``;
    returns the row of the 日期 line."""
    ws.set_row(row, 22)
    for c1, c2, title in boxes:
        merge(ws, row, c1, row, c2, title, f.label())
    ws.set_row(row + 1, sign_height)
    for c1, c2, _title in boxes:
        merge(ws, row + 1, c1, row + 1, c2, None, f.cell())
    ws.set_row(row + 2, 20)
    for c1, c2, _title in boxes:
        merge(ws, row + 2, c1, row + 2, c2, "日期:", f.cell(font_size=9))
    return row + 2


FormSheet = Callable[..., object]  # (workbook, formats, sheet name) -> the sheet


def _write_forms(path: Path, title: str, sheets: Sequence[tuple[str, FormSheet]]) -> Path:
    """A document workbook, atomically: one sheet per form, named by its number."""
    with replacing(path) as tmp:
        wb = _start(tmp, title)
        f = _Fmt(wb)
        taken: set[str] = set()
        for number, add_sheet in sheets:
            add_sheet(wb, f, _sheet_name(number, taken))
        wb.close()
    return path


def write_work_orders(path: Path, docs: Sequence[WorkOrderDoc], company: str) -> Path:
    """The 制造命令单 workbook: one sheet per work order (分配结果 is a file of its
    own, ``write_assignments``, so printing the workbook prints only the forms)."""
    return _write_forms(path, "制造命令单", [
        (doc.wo_no, partial(add_work_order_sheet, doc=doc, company=company)) for doc in docs
    ])


# --------------------------------------------------------------- 发料通知单

FL_WIDTHS = (12, 14, 12, 6, 8, 7, 10, 9, 10, 9, 11)
FL_MIN_ROWS = 12


def add_material_issue_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: MaterialIssueDoc, company: str) -> Any:
    """One A4 page: the work order, then per material 单耗, 损耗率, 需求量, 已领,
    本次应发, 欠料, 预计到料; sign-offs 开单 / 物料员 / 领料人."""
    ws = wb.add_worksheet(name)
    _set_widths(ws, FL_WIDTHS)
    last = len(FL_WIDTHS) - 1
    ws.set_row(0, 28)
    merge(ws, 0, 0, 0, last, company, f(bold=True, font_size=16, align="center"))
    ws.set_row(1, 32)
    merge(ws, 1, 0, 1, last, "发 料 通 知 单", f(bold=True, font_size=20, align="center"))
    ws.set_row(2, 20)
    merge(ws, 2, 0, 2, 4, f"开单日期:{doc.issue_date.isoformat()}", f())
    merge(ws, 2, 5, 2, last, "No. " + doc.number, f(bold=True, font_size=12, align="right"))
    row = 3
    head = (("工单号", doc.wo_no, "订单", doc.order, "产线", doc.line),
            ("产品编码", doc.item, "品名", doc.item_name, "计划开工", doc.plan_start))
    for l1, v1, l2, v2, l3, v3 in head:
        ws.set_row(row, 22)
        put(ws, row, 0, l1, f.label())
        merge(ws, row, 1, row, 2, v1, f.cell(bold=True))
        put(ws, row, 3, l2, f.label())
        merge(ws, row, 4, row, 6, v2, f.cell(text_wrap=True))
        put(ws, row, 7, l3, f.label())
        merge(ws, row, 8, row, last, v3, f.cell(DATE, align="left") if isinstance(v3, date) else f.cell())
        row += 1
    ws.set_row(row, 22)
    put(ws, row, 0, "生产数量", f.label())
    merge(ws, row, 1, row, 2, doc.qty, f.cell(qty_format(doc.qty), align="left", bold=True))
    merge(ws, row, 3, row, last, "本次应发 = 现有库存可发的数量;欠料 = 还要等采购到货或尚未采购的数量",
          f(font_size=9, border=1))
    row += 2
    titles = ("物料编码", "物料名称", "规格", "单位", "单耗", "损耗率", "需求量", "已领", "本次应发", "欠料", "预计到料")
    ws.set_row(row, 30)
    for c, title in enumerate(titles):
        put(ws, row, c, title, f.label())
    row += 1
    for line in doc.lines:
        ws.set_row(row, 22)
        short_f = f.cell(qty_format(line.short), **({"font_color": LATE_RED, "bold": True} if line.short > 0 else {}))
        values: list[tuple[Value, Any]] = [
            (line.material, f.cell()), (line.name, f.cell(text_wrap=True, font_size=9)),
            (line.spec, f.cell(text_wrap=True, font_size=9)), (line.unit, f.cell(align="center")),
            (line.per_piece, f.cell(QTY_DEC)), (line.loss_rate, f.cell("0.0%")),
            (line.need, f.cell(qty_format(line.need))), (line.issued, f.cell(qty_format(line.issued))),
            (line.to_issue, f.cell(qty_format(line.to_issue), bold=True)), (line.short, short_f),
            (line.ready if line.ready_known else "未知",
             f.cell(DATE) if line.ready_known else f.cell(font_color=LATE_RED, bold=True)),
        ]
        for c, (value, fmt) in enumerate(values):
            put(ws, row, c, value, fmt)
        row += 1
    for _ in range(max(0, FL_MIN_ROWS - len(doc.lines))):
        ws.set_row(row, 22)
        for c in range(last + 1):
            put(ws, row, c, None, f.cell())
        row += 1
    ws.set_row(row, 12)
    row += 1
    row = _signoff_boxes(ws, f, row, ((0, 2, "开单"), (3, 6, "物料员"), (7, 10, "领料人")), 44)
    _page_setup(ws, "A4", landscape=False)
    ws.print_area(0, 0, row, last)
    ws.fit_to_pages(1, 1)
    return ws


def write_material_issues(path: Path, docs: Sequence[MaterialIssueDoc], company: str) -> Path:
    """The 发料通知单 workbook: one sheet (one A4 page) per work order."""
    return _write_forms(path, "发料通知单", [
        (doc.number, partial(add_material_issue_sheet, doc=doc, company=company)) for doc in docs
    ])


# ------------------------------------------------------------------- 送货单


@dataclass(frozen=True)
class _Col:
    title: str
    width: float
    value: Callable[[DeliveryLine], Value]
    fmt: Callable[[DeliveryLine], str | None] = lambda _l: None
    align: str = "left"
    wrap: bool = False  # long text wraps (and the row grows) instead of shrinking


def _order_po(line: DeliveryLine) -> str:
    return f"{line.order_no}/{line.customer_po}" if line.customer_po else line.order_no


def _blank(_line: DeliveryLine) -> Value:
    return None


def note_columns(show_prices: bool, customer_item: bool = False) -> list[_Col]:
    """The columns of a 送货单; 客户料号 only when a line of the note has one."""
    p = show_prices
    cols = [
        _Col("序号", 5, lambda ln: ln.seq, align="center"),
        _Col("订单号/PO", 18 if p else 20, _order_po, wrap=True),
        _Col("产品编码", 11 if p else 12, lambda ln: ln.item, wrap=True),
    ]
    if customer_item:
        cols.append(_Col("客户料号", 11 if p else 12, lambda ln: ln.customer_item, wrap=True))
    cols += [
        _Col("品名", 13 if p else 17, lambda ln: ln.item_name, wrap=True),
        _Col("规格", 12 if p else 15, lambda ln: ln.spec, wrap=True),
        _Col("单位", 5, lambda ln: ln.unit, align="center", wrap=True),
        _Col("数量", 9 if p else 10, lambda ln: ln.qty, lambda ln: qty_format(ln.qty), "right"),
        _Col("实收数量", 8 if p else 9, _blank, align="right"),  # filled in by the receiver
        _Col("箱数", 6 if p else 7, lambda ln: ln.cartons, lambda _l: QTY_INT, "right"),
    ]
    if show_prices:
        cols += [
            _Col("单价", 9, lambda ln: ln.unit_price, lambda _l: PRICE, "right"),
            _Col("金额", 11, lambda ln: ln.amount, lambda _l: AMOUNT, "right"),
        ]
    cols.append(_Col("备注", 8 if p else 12, lambda ln: ln.remark, wrap=True))
    return cols


# Long text: wrap and let the row grow up to MAX_WRAP_LINES lines at the body size,
# else at a smaller size down to MIN_FONT; beyond that the row grows further (the
# text is never cut or shrunk below MIN_FONT) and the page holds fewer lines.
BODY_FONT = 10
MIN_FONT = 8
MAX_WRAP_LINES = 3
LINE_H = 20.0  # points: a printed line of a 送货单 with one line of text


def _line_pt(size: int) -> float:
    return size * 1.3


def wrapped_lines(text: str, width: float, size: int) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide at ``size`` points
    (an estimate on the safe side: CJK counts double, LibreOffice draws wider)."""
    if not text:
        return 1
    px = int(width * 7 + 0.5) + 5 - 6  # minus the cell's padding
    per_line = max(1.0, px / (size * 96 / 72 / 2) * _SLACK)
    return sum(max(1, math.ceil(text_width(part) / per_line)) for part in text.split("\n"))


def fit_text(text: str, width: float, size: int = BODY_FONT) -> tuple[int, int]:
    """(font size, lines) for ``text`` in a column: the largest size from ``size``
    down to MIN_FONT at which it takes at most MAX_WRAP_LINES lines, else MIN_FONT
    with as many lines as it needs."""
    for s in range(size, MIN_FONT - 1, -1):
        n = wrapped_lines(text, width, s)
        if n <= MAX_WRAP_LINES:
            return s, n
    return MIN_FONT, wrapped_lines(text, width, MIN_FONT)


def text_row_height(lines: int, size: int, least: float) -> float:
    return max(least, math.ceil(lines * _line_pt(size) + 5))


@dataclass(frozen=True)
class _NoteRow:
    """A printed line of a 送货单: its height and the font size of each text column."""

    line: DeliveryLine
    height: float
    sizes: dict[int, int]


def _note_row(line: DeliveryLine, cols: Sequence[_Col], budget: float) -> _NoteRow:
    sizes: dict[int, int] = {}
    height = LINE_H
    for c, col in enumerate(cols):
        value = col.value(line)
        if not col.wrap or not isinstance(value, str) or not value:
            continue
        size, lines = fit_text(value, col.width)
        sizes[c] = size
        height = max(height, text_row_height(lines, size, LINE_H))
    return _NoteRow(line, min(height, budget), sizes)


@dataclass(frozen=True)
class NoteLayout:
    """How a 送货单 prints: its columns, the heights of the rows above and below the
    lines, and per page the rows (lines and blank fillers) of its body."""

    columns: list[_Col]
    head: list[float]  # company .. column titles
    foot: list[float]  # total .. copies legend
    pages: list[list[_NoteRow | float]]  # a float is a blank filler row of that height
    address_font: int = BODY_FONT
    totals_font: int = BODY_FONT

    def page_heights(self, page: int) -> list[float]:
        body = [r.height if isinstance(r, _NoteRow) else r for r in self.pages[page]]
        return self.head + body + self.foot


def _note_split(cols: Sequence[_Col]) -> int:
    return len(cols) - 4  # the right-hand block (No., date, page) spans the last four columns


def note_layout(note: DeliveryNote) -> NoteLayout:
    """Pages of at most ``lines_per_page`` lines whose rows fit the height of that
    many one-line rows; a page is filled up with blank rows to that height, so every
    page prints the same size. A line taller than what is left continues on the next
    page, as the lines beyond ``lines_per_page`` do."""
    cols = note_columns(note.show_prices, any(ln.customer_item for ln in note.lines))
    per_page = max(1, note.lines_per_page)
    budget = per_page * LINE_H
    pages: list[list[_NoteRow | float]] = []
    current: list[_NoteRow | float] = []
    used = 0.0
    for line in note.lines:
        row = _note_row(line, cols, budget)
        if current and (len(current) == per_page or used + row.height > budget + 0.01):
            pages.append(current)
            current, used = [], 0.0
        current.append(row)
        used += row.height
    pages.append(current)
    widths = [c.width for c in cols]
    split = _note_split(cols)
    address_font, lines = fit_text("送货地址:" + note.customer.delivery_address, sum(widths[:split]))
    head = [24.0, 15.0, 28.0, 18.0, text_row_height(lines, address_font, 18), 18.0, 18.0, 20.0]
    qty_col = next(i for i, c in enumerate(cols) if c.title == "数量")
    totals_font, lines = fit_text(_unit_totals(note), sum(widths[: qty_col + 1]))
    total = text_row_height(lines, totals_font, 20) if len(note.totals_by_unit) > 1 else 20.0
    foot = [total] + ([20.0] if note.show_prices else []) + [34.0, 15.0]
    for page in pages:
        rest = budget - sum(r.height for r in page if isinstance(r, _NoteRow))
        fillers = int(rest // LINE_H + 1e-9)
        if fillers:
            page += [LINE_H] * (fillers - 1) + [LINE_H + rest - fillers * LINE_H]
    return NoteLayout(cols, head, foot, pages, address_font, totals_font)


def note_row_heights(note: DeliveryNote) -> list[float]:
    """Row heights (points) of the first printed page of ``note``, top to bottom."""
    return note_layout(note).page_heights(0)


def _unit_totals(note: DeliveryNote) -> str:
    """``合计:个 1,200;套 50``: one total per unit, never added together."""
    parts = [f"{unit or '(无单位)'} {_qty_text(qty)}" for unit, qty in note.totals_by_unit]
    return "合计:" + ";".join(parts)


def _qty_text(qty: float) -> str:
    return f"{qty:,.0f}" if float(qty).is_integer() else f"{qty:,.3f}".rstrip("0").rstrip(".")


NOTE_SIGNOFF = ("制单:", "审核:", "仓管:", "品质:", "送货人:", "收货人(盖章):")


def add_delivery_note_sheet(
    wb: xlsxwriter.Workbook, f: _Fmt, name: str, note: DeliveryNote, paper: str, landscape: bool
) -> Any:
    ws = wb.add_worksheet(name)
    layout = note_layout(note)
    cols = layout.columns
    widths = [c.width for c in cols]
    _set_widths(ws, widths)
    last = len(cols) - 1
    split = _note_split(cols)
    pages = layout.pages
    qty_col = next(i for i, c in enumerate(cols) if c.title == "数量")
    company = note.company
    customer = note.customer
    contact = "    ".join(
        p for p in (f"联系人:{customer.contact}" if customer.contact else "",
                    f"电话:{customer.phone}" if customer.phone else "") if p
    )
    units = note.totals_by_unit
    one_unit = len(units) <= 1
    top = 0
    breaks: list[int] = []
    all_heights: list[list[float]] = []
    for page_no, body in enumerate(pages, start=1):
        heights = layout.page_heights(page_no - 1)
        all_heights.append(heights)
        for i, h in enumerate(heights):
            ws.set_row(top + i, h)
        r = top
        merge(ws, r, 0, r, last, company.name, f(bold=True, font_size=15, align="center"))
        r += 1
        sub = "    ".join(p for p in (company.address and "地址:" + company.address,
                                       company.phone and "电话:" + company.phone) if p)
        merge(ws, r, 0, r, last, sub, f(font_size=9, align="center"))
        r += 1
        title = "退  货  单" if note.kind == "rt" else "送  货  单"
        merge(ws, r, 0, r, last, title, f(bold=True, font_size=18, align="center"))
        r += 1
        info = f(font_size=10)
        merge(ws, r, 0, r, split - 1, "客户:" + customer.display_name, f(font_size=10, bold=True))
        merge(ws, r, split, r, last, "No. " + note.note_no, f(bold=True, font_size=12, font_color="#C00000"))
        r += 1
        merge(ws, r, 0, r, split - 1, "送货地址:" + customer.delivery_address,
              f(font_size=layout.address_font, text_wrap=True))
        merge(ws, r, split, r, last, "日期:" + note.ship_date.isoformat(), info)
        r += 1
        merge(ws, r, 0, r, split - 1, contact, info)
        merge(ws, r, split, r, last, f"第 {page_no}/{len(pages)} 页", info)
        r += 1
        transport = f"车牌:{note.vehicles or '          '}    承运:{note.carriers}"
        merge(ws, r, 0, r, split - 1, transport, info)
        merge(ws, r, split, r, last, None, info)
        r += 1
        for c, col in enumerate(cols):
            put(ws, r, c, col.title, f.label())
        r += 1
        for row in body:
            line = row.line if isinstance(row, _NoteRow) else None
            for c, col in enumerate(cols):
                value = col.value(line) if line is not None else None
                num = col.fmt(line) if line is not None else None
                if col.wrap:
                    size = row.sizes.get(c, BODY_FONT) if isinstance(row, _NoteRow) else BODY_FONT
                    fmt = f.cell(num, align=col.align, text_wrap=True, font_size=size)
                else:
                    fmt = f.cell(num, align=col.align)
                put(ws, r, c, value, fmt)
            r += 1
        if page_no == len(pages):
            if one_unit:
                merge(ws, r, 0, r, qty_col - 1, "合  计", f.label())
                put(ws, r, qty_col, note.total_qty, f.cell(qty_format(note.total_qty), align="right", bold=True))
            else:  # mixed units: one total per unit, never PCS + 套 + 副
                merge(ws, r, 0, r, qty_col, _unit_totals(note),
                      f(bold=True, border=1, bg_color="#F2F2F2", text_wrap=True, font_size=layout.totals_font))
            put(ws, r, qty_col + 1, None, f.cell())
            put(ws, r, qty_col + 2, note.total_cartons, f.cell(QTY_INT, align="right", bold=True))
            c = qty_col + 3
            if note.show_prices:
                put(ws, r, c, None, f.cell())
                put(ws, r, c + 1, note.total_amount, f.cell(AMOUNT, align="right", bold=True))
                c += 2
            put(ws, r, c, None, f.cell())
        else:
            merge(ws, r, 0, r, last, "(续下页)", f(border=1, align="center", italic=True))
        r += 1
        if note.show_prices:
            upper = ""
            if page_no == len(pages) and note.total_amount is not None:
                upper = "合计金额(大写):人民币 " + rmb_upper(note.total_amount)
            merge(ws, r, 0, r, last, upper, f(border=1, bold=True) if upper else f())
            r += 1
        for (c1, c2), text in zip(_spans(widths, len(NOTE_SIGNOFF)), NOTE_SIGNOFF, strict=True):
            merge(ws, r, c1, r, c2, text, f(border=1, valign="top", font_size=9))
        r += 1
        merge(ws, r, 0, r, last, COPY_LEGEND, f(font_size=8, align="center"))
        r += 1
        top = r
        breaks.append(top)
    if len(breaks) > 1:
        ws.set_h_pagebreaks(breaks[:-1])
    _page_setup(ws, paper, landscape)
    ws.print_area(0, 0, top - 1, last)
    ws.set_print_scale(min(fit_scale(widths, h, paper, landscape) for h in all_heights))
    return ws


def _spans(widths: Sequence[float], n: int) -> list[tuple[int, int]]:
    """``n`` column spans of about equal printed width (the sign-off row)."""
    n = max(1, min(n, len(widths)))
    total = sum(widths)
    cuts: list[int] = []
    acc = 0.0
    for i, w in enumerate(widths[:-1]):
        acc += w
        if len(cuts) < n - 1 and acc >= total * (len(cuts) + 1) / n - w / 2:
            cuts.append(i)
    while len(cuts) < n - 1:  # very few columns
        cuts.append(min(len(widths) - 2, (cuts[-1] + 1) if cuts else 0))
    bounds = [-1, *cuts, len(widths) - 1]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(n)]


def write_delivery_notes(
    path: Path,
    notes: Sequence[DeliveryNote],
    paper: str = "A5",
    landscape: bool = True,
) -> Path:
    """The 送货单 workbook: one sheet per note, 退货单 among them (分配结果 is a file of
    its own, ``write_assignments``, so printing the workbook prints only the notes)."""
    return _write_forms(path, "送货单", [
        (note.note_no, partial(add_delivery_note_sheet, note=note, paper=paper, landscape=landscape))
        for note in notes
    ])


# ------------------------------------------------------------------- 对账单

ST_COLS: tuple[tuple[str, float, str], ...] = (
    ("序号", 5, "center"),
    ("日期", 10.5, "center"),
    ("送货单号", 15, "left"),
    ("类型", 5.5, "center"),
    ("订单号/PO", 17, "left"),
    ("产品编码", 11, "left"),
    ("品名", 14, "left"),
    ("规格", 13, "left"),
    ("单位", 5, "center"),
    ("数量", 9, "right"),
    ("单价", 8.5, "right"),
    ("金额", 11.5, "right"),
    ("回单", 16.5, "center"),
)
ST_WRAP = {4, 6, 7}  # 订单号/PO, 品名, 规格: long text wraps (up to 3 lines), never shrinks
ST_QTY, ST_AMOUNT = 9, 11  # the columns totals are written under
RED = "#C00000"
# The balances row: (label, first column, last column).
ST_BALANCES = (("期初余额", 0, 2), ("+ 本期送货", 3, 5), ("- 本期退货", 6, 7), ("- 本期收款", 8, 10), ("= 期末应收", 11, 12))


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _statement_line_cells(i: int, line: StatementLine) -> list[tuple[Value, str | None, bool]]:
    """(value, number format, red) of each column of one statement line."""
    if line.is_return:
        signed = "—"
    elif not line.numbered:
        signed = "未开送货单"
    else:
        signed = f"已签回 {line.signed_date.isoformat()}" if line.signed_date else "未签回"
    po = f"{line.order_no}/{line.customer_po}" if line.customer_po else line.order_no
    red = line.is_return
    return [
        (i, None, False), (line.ship_date, DATE, False),
        (line.note_no or "未开送货单", None, not line.numbered), ("退货" if line.is_return else "出货", None, red),
        (po, None, False), (line.item, None, False), (line.item_name, None, False), (line.spec, None, False),
        (line.unit, None, False), (line.qty, qty_format(line.qty), red), (line.unit_price, PRICE, False),
        (line.amount, AMOUNT, red), (signed, None, not line.is_return and not line.signed),
    ]


def _statement_header(ws: Any, f: _Fmt, st: Statement, last: int) -> int:
    """Company, title, customer and period block; returns the next row."""
    split = last - 3
    company = st.company
    ws.set_row(0, 26)
    merge(ws, 0, 0, 0, last, company.name, f(bold=True, font_size=15, align="center"))
    ws.set_row(1, 15)
    sub = "    ".join(p for p in (company.address and "地址:" + company.address,
                                   company.phone and "电话:" + company.phone) if p)
    merge(ws, 1, 0, 1, last, sub, f(font_size=9, align="center"))
    ws.set_row(2, 30)
    merge(ws, 2, 0, 2, last, "对  账  单", f(bold=True, font_size=18, align="center"))
    contact = "    ".join(
        p for p in (st.customer.contact and "联系人:" + st.customer.contact,
                    st.customer.phone and "电话:" + st.customer.phone) if p
    )
    rows = (
        ("客户:" + st.customer.display_name, f(bold=True), "No. " + st.number if st.number else "",
         f(bold=True, font_size=12, font_color=RED)),
        ("地址:" + st.customer.address if st.customer.address else "", f(),
         f"对账期间:{st.start.isoformat()} 至 {st.end.isoformat()}", f()),
        (contact, f(), "制表日期:" + st.issue_date.isoformat(), f()),
    )
    r = 3
    for left, lf, right, rf in rows:
        ws.set_row(r, 18)
        merge(ws, r, 0, r, split - 1, left, lf)
        merge(ws, r, split, r, last, right, rf)
        r += 1
    if st.open_until is not None:
        ws.set_row(r, 18)
        merge(ws, r, 0, r, last,
              f"截至 {st.open_until.isoformat()}(未结账):本期至 {st.end.isoformat()} 结束,"
              "此前为截至当日的送货、退货与收款,结账后以正式对账单为准",
              f(bold=True, font_color=RED))
        r += 1
    return r


def _statement_totals(ws: Any, f: _Fmt, st: Statement, r: int, last: int) -> int:
    """Totals per unit (never PCS + 套), then the amount total when units differ."""
    totals = st.unit_totals
    for t in totals:
        ws.set_row(r, 20)
        label = f"合计({t.unit})" if t.unit else "合计(未注明单位)"
        if t.returned:
            label += f":送货 {t.delivered:,.{0 if float(t.delivered).is_integer() else 3}f}," \
                     f"退货 {t.returned:,.{0 if float(t.returned).is_integer() else 3}f}"
        merge(ws, r, 0, r, ST_QTY - 1, label, f.label())
        put(ws, r, ST_QTY, t.net, f.cell(qty_format(t.net), align="right", bold=True))
        put(ws, r, ST_QTY + 1, None, f.cell())
        put(ws, r, ST_AMOUNT, t.amount, f.cell(AMOUNT, align="right", bold=True))
        put(ws, r, last, None, f.cell())
        r += 1
    if len(totals) != 1:
        ws.set_row(r, 20)
        merge(ws, r, 0, r, ST_AMOUNT - 1, "本期金额合计", f.label())
        put(ws, r, ST_AMOUNT, st.total_amount, f.cell(AMOUNT, align="right", bold=True))
        put(ws, r, last, None, f.cell())
        r += 1
    return r


def _statement_balances(ws: Any, f: _Fmt, st: Statement, r: int, last: int) -> int:
    """期初余额 + 本期送货 - 本期退货 - 本期收款 = 期末应收, its capitals, the tax split."""
    ws.set_row(r, 8)
    r += 1
    values = (st.opening_balance, st.delivered_amount, st.returned_amount, st.received_amount, st.closing_balance)
    ws.set_row(r, 20)
    ws.set_row(r + 1, 22)
    for (label, c1, c2), value in zip(ST_BALANCES, values, strict=True):
        merge(ws, r, c1, r, c2, label, f.label())
        merge(ws, r + 1, c1, r + 1, c2, value, f.cell(AMOUNT, align="center", bold=True))
    r += 2
    ws.set_row(r, 20)
    merge(ws, r, 0, r, last, "期末应收(大写):人民币 " + rmb_upper(st.closing_balance), f(border=1, bold=True))
    r += 1
    split = st.tax_split
    if split is not None and st.customer.tax_rate is not None:
        net, tax = split
        basis = "单价含税" if st.prices_include_tax else "单价不含税,金额已按税率加税"
        ws.set_row(r, 18)
        merge(ws, r, 0, r, last,
              f"本期含税金额 {_money(st.billed_amount)} = 不含税金额 {_money(net)} + 税额 {_money(tax)}"
              f"(税率 {st.customer.tax_rate * 100:g}%,{basis})", f(border=1))
        r += 1
    return r


def _statement_receipts(ws: Any, f: _Fmt, st: Statement, r: int, last: int) -> int:
    if not st.receipts:
        return r
    ws.set_row(r, 8)
    r += 1
    spans = (("收款日期", 0, 1), ("方式", 2, 3), ("金额", 4, 5), ("备注", 6, last))
    ws.set_row(r, 18)
    for label, c1, c2 in spans:
        merge(ws, r, c1, r, c2, label, f.label())
    r += 1
    for rec in st.receipts:
        ws.set_row(r, 18)
        cells: tuple[tuple[Value, str | None, str], ...] = (
            (rec.day, DATE, "center"), (rec.method, None, "center"), (rec.amount, AMOUNT, "right"),
            (rec.remark, None, "left"),
        )
        for (value, num, align), (_l, c1, c2) in zip(cells, spans, strict=True):
            merge(ws, r, c1, r, c2, value, f.cell(num, align=align, shrink=True))
        r += 1
    return r


def add_statement_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, st: Statement) -> Any:
    ws = wb.add_worksheet(name)
    _set_widths(ws, [w for _t, w, _a in ST_COLS])
    last = len(ST_COLS) - 1
    # The balances and receipts come first: they never split from their labels across pages.
    header = _statement_balances(ws, f, st, _statement_header(ws, f, st, last), last)
    header = _statement_receipts(ws, f, st, header, last)
    ws.set_row(header, 8)
    header += 1
    ws.set_row(header, 20)
    for c, (title, _w, _a) in enumerate(ST_COLS):
        put(ws, header, c, title, f.label())
    r = header + 1
    for i, line in enumerate(st.lines, start=1):
        cells = _statement_line_cells(i, line)
        wrapped = max(
            (math.ceil(text_width(cells[c][0]) / (ST_COLS[c][1] - 1)) for c in ST_WRAP if cells[c][0]), default=1
        )
        ws.set_row(r, max(18, 13 * min(3, wrapped) + 4))
        for c, ((value, num, red), (_t, _w, align)) in enumerate(zip(cells, ST_COLS, strict=True)):
            colour = {"font_color": RED} if red else {}
            fit = {"text_wrap": True} if c in ST_WRAP else {"shrink": True}
            put(ws, r, c, value, f.cell(num, align=align, **fit, **colour))
        r += 1
    r = _statement_totals(ws, f, st, r, last)
    notes, unsigned = st.notes, st.unsigned_notes
    remarks: list[tuple[str, bool]] = []
    unnumbered = st.unnumbered
    if unnumbered:
        amount = sum(line.amount or 0.0 for line in unnumbered)
        remarks.append((f"注意:本期有 {len(unnumbered)} 行出货尚未开送货单(已列入本单,标「未开送货单」,"
                        f"金额 {_money(amount)})", True))
    if st.missing_prices:
        remarks.append((f"注意:{st.missing_prices} 行无单价,未计金额", True))
    summary = f"本期送货单 {len(notes)} 张,已签回 {len(notes) - len(unsigned)} 张,未签回 {len(unsigned)} 张"
    if unsigned:
        summary += "(" + "、".join(unsigned) + ")"
    if st.return_notes:
        summary += f";退货单 {len(st.return_notes)} 张(" + "、".join(st.return_notes) + ")"
    remarks.append((summary, False))
    company = st.company
    bank = "    ".join(p for p in (company.bank_name and "开户银行:" + company.bank_name,
                                    company.bank_account and "账号:" + company.bank_account,
                                    (company.bank_name or company.bank_account) and company.name
                                    and "户名:" + company.name) if p)
    if bank:
        remarks.append((bank, False))
    if company.payment_terms:
        remarks.append(("付款条件:" + company.payment_terms, False))
    remarks.append(("请贵司核对以上内容,确认无误后签字盖章回传;如有差异,请于收到本对账单 7 日内告知。", False))
    ws.set_row(r, 8)
    r += 1
    for text, red in remarks:
        ws.set_row(r, 18 * max(1, min(3, math.ceil(text_width(text) / 150))))
        merge(ws, r, 0, r, last, text, f(text_wrap=True, bold=red, font_color=RED) if red else f(text_wrap=True))
        r += 1
    ws.set_row(r, 10)
    r += 1
    ws.set_row(r, 20)
    merge(ws, r, 0, r, 5, "供方:" + st.company.name, f(bold=True))
    merge(ws, r, 7, r, last, "客户确认:" + st.customer.display_name, f(bold=True))
    r += 1
    for text in ("经办人:", "盖章:", "日期:"):
        ws.set_row(r, 26)
        merge(ws, r, 0, r, 5, text, f(valign="bottom"))
        merge(ws, r, 7, r, last, text, f(valign="bottom"))
        r += 1
    _page_setup(ws, "A4", landscape=True)
    ws.print_area(0, 0, r - 1, last)
    ws.repeat_rows(header)
    ws.fit_to_pages(1, 0)
    return ws


def write_statement(path: Path, st: Statement) -> Path:
    with replacing(path) as tmp:
        wb = _start(tmp, "对账单")
        add_statement_sheet(wb, _Fmt(wb), "对账单", st)
        wb.close()
    return path


# ------------------------------------------------------------------ 分配结果

_KIND = {"wo": "工单", "dn": "送货单", "rt": "退货单", "jq": "交期变更通知", "fl": "发料通知单", "wx": "外协申请单", "yp": "试样通知单"}


def add_assignment_sheet(
    wb: xlsxwriter.Workbook,
    f: _Fmt,
    assignments: Sequence[Assignment],
    written_back: bool,
    skipped: Sequence[SkippedLine] = (),
) -> Any:
    """Number -> ledger rows, for the clerk to copy in when not written back; then
    the order lines that got no number, and why."""
    ws = wb.add_worksheet(ASSIGN_SHEET)
    titles = ("单号", "类型", "日期", "客户", "订单号", "数量", "台账文件", "工作表", "台账行", "状态")
    widths = (16, 8, 11, 22, 16, 9, 18, 10, 16, 40)
    _set_widths(ws, widths)
    for c, title in enumerate(titles):
        put(ws, 0, c, title, f.label())
    table: list[list[tuple[Value, str | None]]] = []
    for a in assignments:
        first = a.rows[0] if a.rows else None
        rows = row_ranges([x.row for x in a.rows])
        if a.kind == "wo":
            state = "已追加到「工单」表" if written_back else "未写回:请在「工单」表登记此工单"
        elif a.kind == "jq":
            state = "新交期已填入「回复交期」" if written_back else "未写回:客户确认后请把新交期填入「回复交期」"
        elif a.kind == "wx":
            state = "外协发出后请在「外协」表登记此单号"
        elif a.kind == "yp":
            state = ("无需写回" if "台账原有" in a.note else "已填入「样品单号」" if written_back
                     else "未写回:请把单号填入该行的「样品单号」")
        else:
            state = "已填入「送货单号」" if written_back else "未写回:请把单号填入这些行的「送货单号」"
        if a.note:
            state = f"{a.note};{state}"
        table.append([
            (a.number, None), (_KIND[a.kind], None), (a.day, DATE), (a.customer, None),
            (a.order_no, None), (a.qty, qty_format(a.qty)), (Path(first.file).name if first else "", None),
            (first.sheet if first else "", None), (rows, None), (state, None),
        ])
    for s in skipped:
        table.append([
            ("", None), (_KIND["wo"], None), (None, DATE), ("", None), (s.label, None), (None, None),
            (Path(s.source.file).name, None), (s.source.sheet, None), (str(s.source.row), None),
            (f"未下工单(订单行有错误,请先修正):{s.reason}", None),
        ])
    for r, values in enumerate(table, start=1):
        # Rows do not grow by themselves everywhere (LibreOffice keeps the default): size them.
        lines = max(math.ceil(text_width(v) / (w - 1)) if isinstance(v, str) else 1
                    for (v, _n), w in zip(values, widths, strict=True))
        ws.set_row(r, 15 * max(1, min(lines, 10)))
        for c, (value, num) in enumerate(values):
            put(ws, r, c, value, f.cell(num, text_wrap=num is None, valign="top"))
    ws.freeze_panes(1, 0)
    _page_setup(ws, "A4", landscape=True)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    return ws


def assignments_path(document: Path) -> Path:
    """Where the 分配结果 of a document workbook goes: beside it, named after it
    (``分配结果_制造命令单_20261126_WO….xlsx``), so it is never printed on form paper
    and no glob for the documents picks it up."""
    return document.with_name(output_name("assignments", document.stem))


def write_assignments(
    path: Path,
    assignments: Sequence[Assignment],
    written_back: bool,
    skipped: Sequence[SkippedLine] = (),
) -> Path:
    """The 分配结果 workbook: every number given out and its ledger rows, then the
    order lines that got no work order and why (A4 landscape, plain paper)."""
    with replacing(path) as tmp:
        wb = _start(tmp, ASSIGN_SHEET)
        add_assignment_sheet(wb, _Fmt(wb), assignments, written_back, skipped)
        wb.close()
    return path


def row_ranges(rows: Sequence[int]) -> str:
    """Row numbers as a clerk reads them: ``7, 10-21``."""
    spans: list[list[int]] = []
    for row in sorted(set(rows)):
        if spans and spans[-1][1] == row - 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _sheet_name(number: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in number).strip("'").strip() or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.casefold() in {t.casefold() for t in taken}:
        suffix = f"({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate
