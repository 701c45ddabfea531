"""The 装箱单 / Packing List workbook: one A4 portrait sheet per delivery note,
bilingual (中文 / English), laid out like the other forms (company, title, the
note's number and date, the customer, a bordered table, totals, shipping marks,
sign-offs). Each line's cartons print as rows of their own: the full cartons
(``1-20``, 48 each) and a last partial carton (``21``, 40). The item columns of a
line with two rows are merged. A long note continues on further pages with the
table header repeated; the page is scaled to the paper's width."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter

from gendan_xl.documents.packing_lists import PackingLine, PackingList
from gendan_xl.write.docs_book import (
    QTY_INT,
    _Fmt,
    _page_setup,
    _set_widths,
    _signoff_boxes,
    _spans,
    _write_forms,
    fit_scale,
    fit_text,
    merge,
    put,
    qty_format,
    text_row_height,
)

WEIGHT = "#,##0.00"
CBM = "#,##0.000"
RED = "#C00000"

# (Chinese title, English title, width, alignment)
PL_COLS: tuple[tuple[str, str, float, str], ...] = (
    ("序号", "No.", 4.5, "center"),
    ("产品编码", "Item No.", 11, "left"),
    ("客户料号", "Cust. Item", 12.5, "left"),
    ("品名规格", "Description", 19, "left"),
    ("箱号", "Carton No.", 10.5, "center"),
    ("每箱数量", "Qty/Ctn", 8, "right"),
    ("箱数", "Ctns", 6, "right"),
    ("数量", "Quantity", 9.5, "right"),
    ("净重(kg)", "N.W.", 9.5, "right"),
    ("毛重(kg)", "G.W.", 9.5, "right"),
    ("体积(m³)", "CBM", 8.5, "right"),
)
ITEM_COLS = 4  # 序号 .. 品名规格: merged over a line's rows
DEFAULT_ROW_PT = 15.0
# A4 height less the margins (top 0.5 in, bottom 0.7 in), in points at 100%
PAGE_PT = (297 - (0.5 + 0.7) * 25.4) * 72 / 25.4
PAGE_SLACK = 0.92  # LibreOffice draws rows a little taller than their points
SIGNOFF = ("制单 Prepared by", "审核 Checked by", "仓库 Warehouse", "客户签收 Received by")
ROW_H = 18.0


def _write_line(ws: Any, f: _Fmt, r: int, line: PackingLine, widths: Sequence[float]) -> int:
    """The rows of one line from row ``r``; returns the row after them."""
    n = len(line.rows)
    size, lines_needed = fit_text(line.description, widths[3])
    height = max(ROW_H, text_row_height(lines_needed, size, ROW_H) / n)
    for i in range(n):
        ws.set_row(r + i, height)
    item_values: list[tuple[object, Any]] = [
        (line.seq, f.cell(align="center")),
        (line.item, f.cell(text_wrap=True)),
        (line.customer_item, f.cell(text_wrap=True)),
        (line.description, f.cell(text_wrap=True, font_size=size)),
    ]
    for c, (value, fmt) in enumerate(item_values):
        merge(ws, r, c, r + n - 1, c, value, fmt)  # type: ignore[arg-type]
    for i, row in enumerate(line.rows):
        rr = r + i
        colour = {"font_color": RED} if row.partial else {}
        put(ws, rr, 4, row.cartons_label, f.cell(align="center", **colour))
        per = row.per_carton
        put(ws, rr, 5, per, f.cell(qty_format(per) if per is not None else None, align="right", **colour))
        put(ws, rr, 6, row.cartons, f.cell(QTY_INT, align="right"))
        put(ws, rr, 7, row.qty, f.cell(qty_format(row.qty), align="right"))
        put(ws, rr, 8, row.net, f.cell(WEIGHT, align="right"))
        put(ws, rr, 9, row.gross, f.cell(WEIGHT, align="right"))
        put(ws, rr, 10, row.cbm, f.cell(CBM, align="right"))
    return r + n


def _unit_qty(doc: PackingList) -> tuple[object, str | None]:
    """The total quantity: a number for one unit, else a text per unit."""
    units = doc.units
    if len(units) <= 1:
        return doc.total_qty, qty_format(doc.total_qty)
    parts = []
    for unit in units:
        total = sum(ln.qty for ln in doc.lines if ln.unit == unit)
        parts.append(f"{total:,.0f} {unit}")
    return " / ".join(parts), None


class _Heights:
    """A worksheet that remembers the height given to each row (for the page breaks)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.rows: dict[int, float] = {}

    def set_row(self, row: int, height: float, *args: Any) -> Any:
        self.rows[row] = height
        return self.ws.set_row(row, height, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ws, name)

    def height(self, first: int, last: int) -> float:
        return sum(self.rows.get(r, DEFAULT_ROW_PT) for r in range(first, last + 1))


def page_breaks(heights: _Heights, header_row: int, blocks: Sequence[tuple[int, int]], scale: int) -> list[int]:
    """Rows that start a new page so that no block (a line's rows, or the totals to
    the sign-offs) is cut: the page holds PAGE_PT / scale points of rows, less the
    table header repeated on every page after the first."""
    room = PAGE_PT * 100 / scale * PAGE_SLACK
    repeat = heights.height(header_row, header_row)
    used = heights.height(0, header_row)
    breaks: list[int] = []
    for first, last in blocks:
        h = heights.height(first, last)
        if used + h > room and used > repeat:
            breaks.append(first)
            used = repeat
        used += h
    return breaks


def add_packing_list_sheet(wb: xlsxwriter.Workbook, f: _Fmt, name: str, doc: PackingList) -> Any:
    ws: Any = _Heights(wb.add_worksheet(name))
    widths = [c[2] for c in PL_COLS]
    _set_widths(ws, widths)
    last = len(PL_COLS) - 1
    split = 7  # header facts: customer on the left (0-6), number and date on the right (7-10)
    company = doc.company
    customer = doc.customer
    ws.set_row(0, 24)
    merge(ws, 0, 0, 0, last, company.name, f(bold=True, font_size=15, align="center"))
    sub = "    ".join(p for p in (company.address and "地址 Add.: " + company.address,
                                   company.phone and "电话 Tel.: " + company.phone) if p)
    ws.set_row(1, 16)
    merge(ws, 1, 0, 1, last, sub, f(font_size=9, align="center"))
    ws.set_row(2, 32)
    merge(ws, 2, 0, 2, last, "装 箱 单   PACKING LIST", f(bold=True, font_size=18, align="center"))
    info = f(font_size=10, text_wrap=True)
    address = customer.delivery_address
    orders = "、".join(dict.fromkeys(ln.order_no for ln in doc.lines if ln.order_no))
    pos = "、".join(dict.fromkeys(ln.customer_po for ln in doc.lines if ln.customer_po))
    facts_left = [
        "客户 Customer: " + customer.display_name,
        "送货地址 Ship to: " + address,
        "订单号 Order No.: " + orders + (f"    客户PO: {pos}" if pos else ""),
    ]
    facts_right = [
        ("送货单号 No.: " + doc.note_no, f(font_size=11, bold=True, font_color=RED)),
        ("日期 Date: " + doc.ship_date.isoformat(), info),
        ("", info),
    ]
    r = 3
    for left, (right, rfmt) in zip(facts_left, facts_right, strict=True):
        _size, n_lines = fit_text(left, sum(widths[:split]) * 0.95)
        ws.set_row(r, max(18.0, 15.0 * n_lines))
        merge(ws, r, 0, r, split - 1, left, f(font_size=10, text_wrap=True, bold=left.startswith("客户")))
        merge(ws, r, split, r, last, right, rfmt)
        r += 1
    header_row = r
    ws.set_row(r, 32)
    for c, (zh, en, _w, _a) in enumerate(PL_COLS):
        put(ws, r, c, f"{zh}\n{en}", f.label())
    r += 1
    blocks: list[tuple[int, int]] = []
    for line in doc.lines:
        start = r
        r = _write_line(ws, f, r, line, widths)
        blocks.append((start, r - 1))
    trailer = r
    # totals
    ws.set_row(r, 20)
    merge(ws, r, 0, r, 5, "合计 TOTAL", f(bold=True, border=1, align="center", bg_color="#F2F2F2"))
    put(ws, r, 6, doc.total_cartons, f(bold=True, border=1, align="right", bg_color="#F2F2F2", num_format=QTY_INT))
    qty, qfmt = _unit_qty(doc)
    put(ws, r, 7, qty, f(bold=True, border=1, align="right", bg_color="#F2F2F2", text_wrap=True,  # type: ignore[arg-type]
                         **({"num_format": qfmt} if qfmt else {})))
    put(ws, r, 8, doc.total_net, f(bold=True, border=1, align="right", bg_color="#F2F2F2", num_format=WEIGHT))
    put(ws, r, 9, doc.total_gross, f(bold=True, border=1, align="right", bg_color="#F2F2F2", num_format=WEIGHT))
    put(ws, r, 10, doc.total_cbm, f(bold=True, border=1, align="right", bg_color="#F2F2F2", num_format=CBM))
    r += 1
    summary = "    ".join(p for p in (
        f"总箱数 Total packages: {doc.total_cartons:,} CTNS" if doc.total_cartons is not None else "",
        f"总净重 Total N.W.: {doc.total_net:,.2f} KG" if doc.total_net is not None else "",
        f"总毛重 Total G.W.: {doc.total_gross:,.2f} KG" if doc.total_gross is not None else "",
        f"总体积 Total meas.: {doc.total_cbm:,.3f} CBM" if doc.total_cbm is not None else "",
    ) if p)
    _size, n_summary = fit_text(summary, sum(widths) * 0.9)
    ws.set_row(r, 16.0 * n_summary + 4)
    merge(ws, r, 0, r, last, summary, f(font_size=10, bold=True, text_wrap=True))
    r += 1
    if any(row.partial for ln in doc.lines for row in ln.rows):
        ws.set_row(r, 26)
        merge(ws, r, 0, r, last,
              "红字为尾箱(不满箱):净重按件数折算,毛重 = 折算净重 + 一只箱的皮重(毛重 - 净重)。"
              "Red: part carton; N.W. prorated by pieces, G.W. = that N.W. + tare of one carton.",
              f(font_size=8, text_wrap=True, valign="top"))
        r += 1
    # shipping marks
    marks = doc.marks or "N/M"
    n_marks = max(1, marks.count("\n") + 1)
    ws.set_row(r, max(30.0, 15.0 * n_marks + 6))
    merge(ws, r, 0, r, 2, "唛头\nShipping Marks", f.label())
    merge(ws, r, 3, r, last, marks, f(border=1, text_wrap=True, font_size=10, valign="vcenter"))
    r += 2
    boxes = [(c1, c2, title) for (c1, c2), title in zip(_spans(widths, len(SIGNOFF)), SIGNOFF, strict=True)]
    r = _signoff_boxes(ws, f, r, boxes, 36)
    _page_setup(ws, "A4", landscape=False)
    ws.set_footer(f"&L装箱单 Packing List {doc.note_no.replace('&', '&&')}&C第 &P 页 Page &P",
                  {"margin": 0.3})
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.7)
    ws.repeat_rows(header_row)
    ws.print_area(0, 0, r, last)
    # Fit to the paper's width by a scale of our own and break pages between lines
    # (Excel ignores manual breaks under "fit to page"): a line's merged rows and the
    # totals with the sign-offs never split across pages.
    scale = fit_scale(widths, [1.0], "A4", False)
    ws.set_print_scale(scale)
    breaks = page_breaks(ws, header_row, [*blocks, (trailer, r)], scale)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    return ws.ws


def write_packing_lists(path: Path, docs: Sequence[PackingList]) -> Path:
    """The 装箱单 workbook: one sheet (form) per delivery note."""
    return _write_forms(path, "装箱单", [(doc.note_no, partial(add_packing_list_sheet, doc=doc)) for doc in docs])


__all__ = ["PL_COLS", "add_packing_list_sheet", "write_packing_lists"]
