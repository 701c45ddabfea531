"""The blank ledger (台账模板) that ``gendan template FILE.xlsx`` writes.

Built from ``schema.SHEETS``: one sheet per spec in order, the canonical Chinese
headers (required ones highlighted), a note on each header explaining the column,
drop-downs for choice columns, date and number formats on whole columns, a frozen
header row with filters, widths that fit Chinese text, landscape fit-to-width
printing, and the 设置 sheet pre-filled with its keys and defaults.

The bytes are the same on every run (fixed document properties), so the copy
committed under ``workbooks/`` can be checked against the generator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gendan_xl.model import Lang
from gendan_xl.schema import SETTING_KEYS, SHEETS, ColumnSpec, SheetSpec
from gendan_xl.write.book import (
    FONT,
    FONT_SIZE,
    Formats,
    fixed_properties,
    new_workbook,
    text_width,
)

LAST_ROW = 1_048_575  # 0-based: drop-downs and formats cover the whole column

# Number columns holding counts (pieces, cartons, shifts, a day of the month)
# show no decimals; other numbers (prices, hours, rates, weights) show two.
COUNT_COLUMNS = frozenset(
    {"qty", "good_qty", "bad_qty", "cartons", "pcs_per_carton", "shifts", "statement_day"}
)
# Free-text columns that usually hold long values get a wider start.
WIDE_COLUMNS = frozenset({"remark", "address", "full_name", "item_name", "spec", "value"})

TYPE_LABEL = {
    "zh": {"text": "文本", "number": "数字", "int": "整数", "date": "日期", "choice": "下拉选择"},
    "en": {"text": "text", "number": "number", "int": "whole number", "date": "date",
           "choice": "choice"},
}
WORDS = {
    "zh": {"required": "必填", "optional": "选填", "type": "类型", "choices": "可选值",
           "default": "默认", "pick": "请从下拉列表中选择", "not_in_list": "不在可选范围"},
    "en": {"required": "required", "optional": "optional", "type": "Type", "choices": "Allowed",
           "default": "Default", "pick": "Pick a value from the list",
           "not_in_list": "Not an allowed value"},
}
HEADER_COLOR = "#DDEBF7"
REQUIRED_HEADER_COLOR = "#FCE4D6"
REQUIRED_FONT_COLOR = "#C00000"


def column_note(sheet: SheetSpec, col: ColumnSpec, lang: Lang = "zh", first: bool = False) -> str:
    """The note on a header cell: what the column holds, its type, whether it is
    required, its allowed values and default. The first column also says what the
    sheet is for."""
    w = WORDS[lang]
    lines = []
    if first and sheet.note_zh:
        lines += [f"【{sheet.name}】{sheet.note_zh}", ""]
    flag = w["required"] if col.required else w["optional"]
    lines.append(f"{col.name} ({col.key}) - {flag}" if lang == "en" else f"{col.name}({flag})")
    sep = ": " if lang == "en" else ":"
    lines.append(f"{w['type']}{sep}{TYPE_LABEL[lang][col.type]}")
    note = (col.note_en or col.note_zh) if lang == "en" else (col.note_zh or col.note_en)
    if note:
        lines.append(note)
    if col.choices:
        lines.append(f"{w['choices']}{sep}{' / '.join(col.choices)}")
    if col.default not in (None, ""):
        lines.append(f"{w['default']}{sep}{col.default}")
    return "\n".join(lines)


def column_width(col: ColumnSpec) -> float:
    """A width (Excel character units) fitting the header, its filter button and
    the values the column usually holds; CJK characters count double."""
    width = text_width(col.name) + 5  # bold header, filter arrow
    if col.choices:
        width = max(width, max(text_width(c) for c in col.choices) + 4)
    minimum = {"date": 12.0, "number": 10.0, "int": 10.0}.get(col.type, 10.0)
    if col.key in WIDE_COLUMNS:
        minimum = 24.0
    return max(width, minimum)


def _print_setup(ws: Any) -> None:
    """Landscape A4, fit to one page wide, header row repeated, page numbers."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C&P / &N")


def write_template(path: Path, lang: Lang = "zh") -> Path:
    """Write the blank ledger to ``path`` (.xlsx); notes in ``lang``. Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(
        str(path), default_format_properties={"font_name": FONT, "font_size": FONT_SIZE}
    )
    fixed_properties(wb, title="跟单台账模板" if lang == "zh" else "gendan ledger template")
    fmt = Formats(wb)
    header_base = {"bold": True, "border": 1, "align": "center", "valign": "vcenter"}
    header = fmt.add(**header_base, bg_color=HEADER_COLOR)
    required = fmt.add(**header_base, bg_color=REQUIRED_HEADER_COLOR, font_color=REQUIRED_FONT_COLOR)
    decimal = fmt.add(num_format="#,##0.00")
    column_formats = {"date": fmt.date, "int": fmt.int, "text": fmt.text, "choice": fmt.text}
    w = WORDS[lang]

    for sheet in SHEETS:
        ws = wb.add_worksheet(sheet.name)
        ws.set_comments_author("gendan_xl")
        ws.set_row(0, 24)
        for i, col in enumerate(sheet.columns):
            if col.type == "number":
                cell_format = fmt.int if col.key in COUNT_COLUMNS else decimal
            else:
                cell_format = column_formats[col.type]
            ws.set_column(i, i, column_width(col), cell_format)
            ws.write_string(0, i, col.name, required if col.required else header)
            note = column_note(sheet, col, lang, first=i == 0)
            ws.write_comment(0, i, note, {
                "font_name": FONT, "font_size": 9, "width": 260,
                "height": 24 + 15 * (note.count("\n") + 1),
            })
            if col.choices:
                ws.data_validation(1, i, LAST_ROW, i, {
                    "validate": "list",
                    "source": list(col.choices),
                    "error_type": "warning",
                    "error_title": col.name,
                    "error_message": f"{w['not_in_list']}: {' / '.join(col.choices)}",
                    "input_title": col.name,
                    "input_message": w["pick"],
                })
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(sheet.columns) - 1)
        if sheet.key_value:
            _fill_settings(ws, fmt)
        _print_setup(ws)

    wb.close()
    return path


def _fill_settings(ws: Any, fmt: Formats) -> None:
    """One row per setting: its Chinese label and default value."""
    for r, (label, default) in enumerate(SETTING_KEYS.values(), start=1):
        ws.write_string(r, 0, label, fmt.text)
        if isinstance(default, bool) or not isinstance(default, int | float):
            if default not in (None, ""):
                ws.write_string(r, 1, str(default), fmt.text)
        else:
            ws.write_number(r, 1, default, fmt.text)
