"""The extent of the values in each table of an .ods, read before calamine opens
it: calamine parses every sheet when the file is opened and allocates, per sheet,
the rectangle from the first to the farthest value (about 32 bytes a cell; it
refuses only beyond 100 million cells). One stray value far away would cost
gigabytes, so such a file is refused with a clear message instead.

Rows and cells may be repeated (``number-rows-repeated``,
``number-columns-repeated``); a cell holds a value when it has a value type or
content. Covered (merged-over) cells take a column like any other.
"""

from __future__ import annotations

import html
import re
import zipfile

_TOKEN = re.compile(
    rb"<table:table(?=[\s>])([^>]*)>|</table:table>|<table:table-row\b([^>]*?)(/?)>|"
    rb"<table:(?:covered-)?table-cell\b([^>]*?)(/?)>"
)
_NAME = re.compile(rb'\btable:name="([^"]*)"')
_ROWS = re.compile(rb'\btable:number-rows-repeated="(\d+)"')
_COLS = re.compile(rb'\btable:number-columns-repeated="(\d+)"')


def value_areas(zf: zipfile.ZipFile) -> dict[str, int]:
    """Sheet name -> cells from A1 to its farthest row and column holding a value."""
    data = zf.read("content.xml")
    out: dict[str, int] = {}
    name = ""
    next_row = row = repeat = col = max_row = max_col = 0
    for m in _TOKEN.finditer(data):
        if m.group(0) == b"</table:table>":
            out[name] = max_row * max_col
        elif m.group(1) is not None:  # a table starts
            found = _NAME.search(m.group(1))
            name = html.unescape(found.group(1).decode("utf-8", "replace")) if found else ""
            next_row = row = repeat = col = max_row = max_col = 0
        elif m.group(2) is not None:  # a row (maybe repeated)
            reps = _ROWS.search(m.group(2))
            repeat = int(reps.group(1)) if reps else 1
            row, next_row, col = next_row, next_row + repeat, 0
        else:
            attrs = m.group(4) or b""
            reps = _COLS.search(attrs)
            col += int(reps.group(1)) if reps else 1
            if b"value-type=" in attrs or not m.group(5):  # a value, or content
                max_col = max(max_col, col)
                max_row = max(max_row, row + repeat)
    return out
