"""Writes the demo ledger (``gendan_xl.demo.DemoData``) as the workbook a clerk keeps.

The look of a real 跟单 workbook: a merged title row above the order table,
frozen header rows, filters, dates as real Excel dates, widths that fit Chinese
text, one named font, landscape fit-to-width printing, a 合计 row under the
orders. Bytes are deterministic (fixed document properties, no timestamps), so
the committed demo ledger can be compared with a fresh one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from gendan_xl.demo import DemoData, DemoSheet, ExcelError, column_letter
from gendan_xl.schema import TOTAL_WORDS
from gendan_xl.write.book import (
    FONT,
    FONT_SIZE,
    Formats,
    fixed_properties,
    new_workbook,
    safe_text,
    text_width,
)

# Number formats by column key; other number columns get "#,##0".
NUMBER_FORMATS = {
    "unit_price": "0.00##",
    "gross_weight": "0.00",
    "net_weight": "0.00",
    "efficiency": "0.00",
    "hours": "0.0",
    "hours_per_shift": "0.0",
}
PLAIN_NUMBER_KEYS = {"line_no", "shifts", "statement_day", "value"}
DATE_WIDTH = 11.0
MAX_WIDTH = 44.0


class _SheetFormats:
    """Cell formats of one workbook, one per number format."""

    def __init__(self, wb: Any) -> None:
        self.house = Formats(wb)
        self._wb = wb
        self._by_num_format: dict[str, Any] = {}
        self.total_label = self.house.add(bold=True, top=1)
        self.total_number = self.house.add(bold=True, top=1, num_format="#,##0")
        self.subtitle = self.house.add(font_color="#595959")

    def number(self, num_format: str) -> Any:
        if num_format not in self._by_num_format:
            self._by_num_format[num_format] = self.house.add(num_format=num_format)
        return self._by_num_format[num_format]

    def for_value(self, key: str, value: object) -> Any:
        if isinstance(value, date):
            return self.house.date
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.house.text
        if key in NUMBER_FORMATS:
            return self.number(NUMBER_FORMATS[key])
        if key in PLAIN_NUMBER_KEYS:
            return self.number("0")
        return self.house.int


def _width(value: object) -> float:
    if value is None:
        return 0.0
    if isinstance(value, date):
        return DATE_WIDTH
    if isinstance(value, ExcelError):
        return float(len(value.code))
    if isinstance(value, float):
        return float(len(f"{value:,.2f}"))
    if isinstance(value, int):
        return float(len(f"{value:,}"))
    return text_width(value)


def _write_cell(ws: Any, row: int, col: int, key: str, value: object, fmts: _SheetFormats) -> None:
    fmt = fmts.for_value(key, value)
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, ExcelError):
        # A formula whose saved result is the error, as Excel would have left it.
        ws.write_formula(row, col, "=" + value.formula, fmts.number(NUMBER_FORMATS.get(key, "General")),
                         value.code)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, safe_text(value), fmt)  # text stays text, never a formula


def _write_sheet(wb: Any, sheet: DemoSheet, fmts: _SheetFormats) -> None:
    ws = wb.add_worksheet(sheet.name)
    ncols = len(sheet.columns)
    header_idx = sheet.header_row - 1  # 0-based
    for i, title in enumerate(sheet.titles):
        if i == 0:
            ws.merge_range(i, 0, i, ncols - 1, title, fmts.house.title)
            ws.set_row(i, 24)
        else:
            ws.write_string(i, 0, title, fmts.subtitle)
    ws.write_row(header_idx, 0, sheet.headers, fmts.house.header)
    for r, row in enumerate(sheet.rows):
        for c, (key, value) in enumerate(zip(sheet.columns, row, strict=True)):
            if value is not None:
                _write_cell(ws, header_idx + 1 + r, c, key, value, fmts)
    last_data = header_idx + len(sheet.rows)
    if sheet.totals:
        total_row = last_data + 2  # one blank row, then the 合计 row
        ws.write_string(total_row, 0, TOTAL_WORDS[0], fmts.total_label)
        for key in sheet.totals:
            c = sheet.columns.index(key)
            letter = column_letter(c)
            cached = sum(v for v in (row[c] for row in sheet.rows)
                         if isinstance(v, int | float) and not isinstance(v, bool))
            ws.write_formula(total_row, c,
                             f"=SUBTOTAL(9,{letter}{header_idx + 2}:{letter}{last_data + 1})",
                             fmts.total_number, cached)

    widths = [max([text_width(h) for h in [sheet.headers[c]]]
                  + [_width(row[c]) for row in sheet.rows]) for c in range(ncols)]
    for c, w in enumerate(widths):
        ws.set_column(c, c, min(max(w + 2, 6.0), MAX_WIDTH))
    ws.freeze_panes(header_idx + 1, 1 if sheet.spec.key == "orders" else 0)
    if not sheet.spec.key_value and sheet.rows:
        ws.autofilter(header_idx, 0, last_data, ncols - 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, header_idx)


def write_demo(data: DemoData, path: Path) -> Path:
    """Write the demo ledger to ``path`` (an .xlsx) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(str(path), default_format_properties={"font_name": FONT, "font_size": FONT_SIZE})
    fixed_properties(wb, f"{data.company} 跟单台账(演示)")
    fmts = _SheetFormats(wb)
    for sheet in data.sheets:
        _write_sheet(wb, sheet, fmts)
    wb.close()
    return path
