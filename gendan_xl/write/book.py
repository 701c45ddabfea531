"""Shared pieces for every workbook gendan writes with xlsxwriter: one named
font that renders Chinese, the standard cell formats, widths that fit Chinese
text, fixed document properties (deterministic bytes) and text safety."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

FONT = "等线"  # DengXian: Excel's default CJK UI font; LibreOffice substitutes a CJK face
FONT_SIZE = 10
MAX_CELL_TEXT = 32767
FIXED_TIME = datetime(2026, 1, 1)


def text_width(value: object) -> float:
    """Display width in Excel character units: CJK and full-width count double."""
    s = str(value)
    return sum(2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.0 for ch in s)


def safe_text(value: object) -> str:
    """A ledger value as text that can never become a formula or break the file."""
    s = "" if value is None else str(value)
    return s[:MAX_CELL_TEXT]


def fixed_properties(wb: xlsxwriter.Workbook, title: str = "") -> None:
    wb.set_properties({"title": title, "author": "gendan_xl", "created": FIXED_TIME})


def new_workbook(path: str, **options: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that writes every string literally (no formula or URL guessing)."""
    opts = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    opts.update(options)
    return xlsxwriter.Workbook(path, opts)


def set_widths(ws: Any, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)


class Formats:
    """The house formats, created once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
        self.base = base
        self.text = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.header = wb.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"}
        )
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.int = wb.add_format({**base, "num_format": "#,##0"})
        self.num = wb.add_format({**base, "num_format": "#,##0.00"})
        self.pct = wb.add_format({**base, "num_format": "0.0%"})
        self.bad = wb.add_format({**base, "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.warn = wb.add_format({**base, "bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.good = wb.add_format({**base, "bg_color": "#C6EFCE", "font_color": "#006100"})
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self._wb = wb

    def add(self, **props: Any) -> Any:
        return self._wb.add_format({**self.base, **props})
