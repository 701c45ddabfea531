"""The extent of an .xlsb sheet, read from its binary records before calamine
materialises it (calamine allocates the whole rectangle from the first to the
farthest value: one stray value at XFD1048576 would need 512 GB).

An .xlsb part is a stream of records: a type and a size (both 7-bit varints),
then the payload. A sheet's BrtWsDim record (near its start) states the used
range; when that is small nothing more is read. When it is large, the cell
records themselves are walked (row headers give the row, every cell record
starts with its column) to find the real extent of the cells holding values,
so a large stated range of formatted-only cells costs nothing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from posixpath import join, normpath

from defusedxml import ElementTree as SafeET

NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

BRT_ROW_HDR = 0
BRT_CELL_BLANK = 1
BRT_LAST_CELL = 11  # BrtCellRk .. BrtFmlaError: 2-11 hold a value
BRT_BEGIN_SHEET_DATA = 145
BRT_END_SHEET_DATA = 146
BRT_WS_DIM = 148
BRT_BUNDLE_SH = 156
BRT_CELL_RSTRING = 62


def _varint(data: bytes, pos: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(most):
        if pos >= len(data):
            raise ValueError("record cut short")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, pos


def records(data: bytes, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(type, payload start, payload end) of each record from ``start``."""
    pos = start
    while pos < len(data):
        kind, pos = _varint(data, pos, 2)
        size, pos = _varint(data, pos, 4)
        end = pos + size
        if end > len(data):
            return
        yield kind, pos, end
        pos = end


def _wide(data: bytes, pos: int) -> tuple[str, int]:
    """An XLWideString: 4-byte count of UTF-16 code units, then the text."""
    n = int.from_bytes(data[pos : pos + 4], "little")
    pos += 4
    if n == 0xFFFFFFFF:
        return "", pos
    return data[pos : pos + 2 * n].decode("utf-16-le", "replace"), pos + 2 * n


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip part of its records."""
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.bin.rels"))
    targets = {}
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
    data = zf.read("xl/workbook.bin")
    out: dict[str, str] = {}
    for kind, start, _ in records(data):
        if kind == BRT_BUNDLE_SH:
            rid, pos = _wide(data, start + 8)
            name, _ = _wide(data, pos)
            if rid in targets:
                out[name] = targets[rid]
    return out


def stated_area(zf: zipfile.ZipFile, part: str) -> int:
    """Cells in the sheet's stated used range (BrtWsDim), or -1 without one."""
    with zf.open(part) as fh:
        head = fh.read(1 << 16)
    for kind, start, end in records(head):
        if kind == BRT_WS_DIM and end - start >= 16:
            last_row = int.from_bytes(head[start + 4 : start + 8], "little")
            last_col = int.from_bytes(head[start + 12 : start + 16], "little")
            return (last_row + 1) * (last_col + 1)
        if kind == BRT_BEGIN_SHEET_DATA:
            break
    return -1


def value_area(zf: zipfile.ZipFile, part: str) -> int:
    """Cells from A1 to the farthest row and column holding a value."""
    data = zf.read(part)
    row = max_row = max_col = -1
    for kind, start, end in records(data):
        if kind == BRT_ROW_HDR and end - start >= 4:
            row = int.from_bytes(data[start : start + 4], "little")
        elif (BRT_CELL_BLANK < kind <= BRT_LAST_CELL or kind == BRT_CELL_RSTRING) and end - start >= 4:
            max_row = max(max_row, row)
            max_col = max(max_col, int.from_bytes(data[start : start + 4], "little"))
        elif kind == BRT_END_SHEET_DATA:
            break
    return (max_row + 1) * (max_col + 1)
