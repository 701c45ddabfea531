"""One streaming pass over a worksheet's XML for what the value readers hide.

The Rust readers return Excel error cells (``#N/A``) and formulas saved without
a cached value as blanks, and trim leading empty rows and columns without
saying by how much. This scan finds, per sheet: the first cell that holds a
value (to map the reader's grid back to Excel's physical rows and columns),
every error cell, and every formula cell without a value. It decompresses the
part in chunks and only runs a regex near ``<f`` / ``t="e"`` hits, so a
million-row sheet costs about one zlib pass.
"""

from __future__ import annotations

import html
import re
import threading
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from gendan_xl.cells import col_index, col_letter

CHUNK = 1 << 22
_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL
)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE_ERR = re.compile(rb'\bt="e"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b[^>]*>(.*?)</(?:\w+:)?(?:v|is)>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")

__all__ = ["col_index", "col_letter"]

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class SheetScan:
    first_cell: tuple[int, int] | None = None  # (row 1-based, column 0-based) of the first value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#N/A"
    uncalculated: set[tuple[int, int]] = field(default_factory=set)
    # Raw cells of the first rows: (row, col) -> (cell type attribute, raw value text).
    head: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    head_rows: int = 12
    # Extent of the cells holding a value (a conservative bound, full scans only):
    # the last row seen and the highest column beyond Z (-1: none beyond Z).
    max_row: int = 0
    wide_col: int = -1
    implicit: bool = False  # cells without an r= attribute (positions implied by order)
    complete: bool = True  # False: the XML ends before </sheetData> (a cut file)

    def area(self) -> int:
        """Cells a dense reader allocates for this sheet, at most (from A1)."""
        return self.max_row * (max(self.wide_col, 25) + 1)


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip part path of its worksheet XML."""
    wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels_xml = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets: dict[str, str] = {}
    for rel in rels_xml.iter(f"{NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        targets[rel.get("Id", "")] = path
    out: dict[str, str] = {}
    sheets: Element | None = wb.find(f"{NS_MAIN}sheets")
    for sheet in sheets if sheets is not None else []:
        rid = sheet.get(f"{NS_REL}id", "")
        if rid in targets:
            out[sheet.get("name", "")] = targets[rid]
    return out


def _scan_cells(blob: bytes, scan: SheetScan, find_first: bool, head_only: bool = False) -> tuple[bool, int | None]:
    """Examine the cells of ``blob``. Returns whether the first value is still
    wanted and, with ``head_only``, the offset where the head rows end (the caller
    scans the rest the fast way)."""
    for m in _CELL.finditer(blob):
        attrs, body = m.group(1), m.group(3)
        ref = _REF.search(attrs)
        if ref is None:
            scan.implicit = True  # positions implied by order: read_cells handles it
            return False, None
        pos = (int(ref.group(2)), col_index(ref.group(1).decode()))
        if head_only and scan.first_cell is not None and pos[0] >= scan.first_cell[0] + scan.head_rows:
            return find_first, m.start()
        value = _VALUE.search(body) if body else None
        if find_first and value is not None:
            scan.first_cell = pos
            find_first = False
        if value is not None and (
            scan.first_cell is not None and pos[0] < scan.first_cell[0] + scan.head_rows
        ):
            kind = _TYPE.search(attrs)
            scan.head[pos] = (kind.group(1).decode() if kind else "n", value.group(1).decode("utf-8", "replace"))
        if body is None:
            continue
        if _TYPE_ERR.search(attrs) and value is not None:
            scan.errors[pos] = value.group(1).decode("utf-8", "replace")
        elif value is None and _FORMULA.search(body):
            scan.uncalculated.add(pos)
    return find_first, None


def scan_sheet(
    zf: zipfile.ZipFile,
    part: str,
    head_rows: int = 12,
    head_only: bool = False,
    stop: threading.Event | None = None,
    gate: threading.Event | None = None,
) -> SheetScan:
    """Scan a worksheet part. With ``head_only`` stop once the head rows are read
    (the errors it reports are then only those among the rows read); otherwise
    also bound the extent of the cells holding values. ``stop`` abandons the scan;
    each chunk waits for ``gate`` (a scan in a thread runs only while the caller
    leaves the interpreter free: its string searches hold the GIL)."""
    scan = SheetScan(head_rows=head_rows)
    find_first = True
    tail = b""
    head_done = False
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            if gate is not None:
                gate.wait()
            if stop is not None and stop.is_set():
                return scan
            if not head_only:
                _bounds(tail[-48:] + chunk[:48], scan)
                _bounds(chunk, scan)
            if scan.implicit:
                return scan
            if head_done and not _has_hit(tail, chunk):
                # The common case past the head rows: nothing to look at, and no copy
                # of the chunk (copying costs more than searching it).
                end = chunk.rfind(b"</row>")
                tail = chunk[end + len(b"</row>") :] if end >= 0 else tail + chunk
                continue
            blob = tail + chunk
            # Only complete rows are examined; the rest carries over.
            cut = blob.rfind(b"</row>")
            if cut < 0:
                tail = blob
                continue
            cut += len(b"</row>")
            block, tail = blob[:cut], blob[cut:]
            if head_done:
                _scan_hits(block, scan)
                continue
            find_first, rest = _scan_cells(block, scan, find_first, head_only=True)
            if rest is not None:  # the head rows end inside this block
                head_done = True
                if head_only:
                    return scan
                _scan_hits(block[rest:], scan)
        if tail:
            _scan_cells(tail, scan, find_first)
        scan.complete = _SHEETDATA_END.search(tail) is not None
    return scan


# A literal start keeps the search at memchr speed; the space before r= is checked
# on the (rare) hits.
_WIDE = re.compile(rb'r="([A-Z]{2,3})\d')
_LAST_REF = re.compile(rb'\sr="[A-Z]{0,3}(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData\s*>|<(?:\w+:)?sheetData\s*/>")


def _bounds(data: bytes, scan: SheetScan) -> None:
    """Widen the scan's extent by the cells in ``data``: the last row referenced
    (rows come in ascending order) and any value cell beyond column Z. A ledger's
    tables rarely pass Z, so the common case is one regex search with no match."""
    last = data.rfind(b' r="')
    if last >= 0:
        m = _LAST_REF.match(data, last)
        if m is not None:
            scan.max_row = max(scan.max_row, int(m.group(1)))
    for m in _WIDE.finditer(data):
        col = col_index(m.group(1).decode())
        if col <= scan.wide_col or data[m.start() - 1 : m.start()] not in (b" ", b"\t", b"\n", b"\r"):
            continue
        start = data.find(b">", m.end())
        if start >= 0 and data[start - 1 : start] == b"/":
            continue  # <c r="XFD1" s="1"/>: a style, no value
        end = data.find(b"c>", start)
        if start < 0 or end < 0 or _HAS_VALUE.search(data, start, end) is not None:
            scan.wide_col = col  # a value, or cut by the chunk edge: count it
    # Cells without r= are looked for in the head rows only (scanning every chunk
    # for them would double the cost of this pass). A sheet that drops r= after its
    # head is still read right by the Rust reader; only its implied columns are not
    # bounded here (they are real cells in the XML, not one stray far value).


def _has_hit(tail: bytes, chunk: bytes) -> bool:
    """A formula or an error cell in the chunk, the carried-over tail, or across the seam."""
    seam = tail[-8:] + chunk[:8]
    return any(n in part for part in (chunk, tail, seam) for n in (b"<f", b't="e"'))


def _scan_hits(head: bytes, scan: SheetScan) -> None:
    """Scan only the neighbourhood of formula / error hits (the common case: none)."""
    if b"<f" not in head and b't="e"' not in head:
        return
    starts: list[int] = []
    for needle in (b"<f", b't="e"'):
        i = head.find(needle)
        while i >= 0:
            starts.append(i)
            i = head.find(needle, i + 1)
    starts.sort()
    last_end = 0
    for i in starts:
        if i < last_end:
            continue
        begin = head.rfind(b"<c ", 0, i)
        begin2 = head.rfind(b":c ", 0, i)
        begin = max(begin, begin2 - 1 if begin2 >= 0 else -1)
        if begin < 0:
            continue
        end = head.find(b"</row>", i)
        end = len(head) if end < 0 else end
        close = head.find(b"c>", i)
        end = min(end, close + 2) if close >= 0 else end
        _scan_cells(head[begin:end], scan, False)
        last_end = end


_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si\s*/>", re.DOTALL)
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.DOTALL)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)


def xml_text(fragment: bytes) -> str:
    """Concatenated <t> runs of a string item (phonetic runs dropped), unescaped."""
    fragment = _RPH.sub(b"", fragment)
    runs = _T.findall(fragment)
    text = b"".join(runs) if runs else fragment
    return unescape(text.decode("utf-8", "replace"))


def shared_strings(zf: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the ``wanted`` indices, streaming only as far as needed."""
    out: dict[int, str] = {}
    name = package_part(zf, "/sharedStrings") or next(
        (n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None
    )
    if not wanted or name is None:
        return out
    highest = max(wanted)
    index = 0
    tail = b""
    with zf.open(name) as fh:
        while index <= highest:
            chunk = fh.read(CHUNK)
            blob = tail + chunk
            cut = blob.rfind(b"</si>") + len(b"</si>") if chunk else len(blob)
            if chunk and cut < len(b"</si>"):
                tail = blob
                continue
            head, tail = blob[:cut], blob[cut:]
            items = [m.group(1) or b"" for m in _SI.finditer(head)] if any(
                w >= index for w in wanted
            ) else []
            for offset, item in enumerate(items):
                if index + offset in wanted:
                    out[index + offset] = xml_text(item)
            index += len(items)
            if not chunk:
                break
    return out


def _u(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 16))


def unescape(text: str) -> str:
    text = html.unescape(text) if "&" in text else text
    # Excel escapes control characters as _xHHHH_.
    return re.sub(r"_x([0-9A-Fa-f]{4})_", _u, text) if "_x" in text else text


# ---------------------------------------------------------------- cell by cell
#
# The careful path, for sheets the Rust reader must not be given: a value far
# away (the reader would allocate the whole rectangle up to it), cells without
# an r= attribute, shared strings it can't find. Memory is proportional to the
# cells read; speed is about 5 µs a cell, so it is kept for such sheets.

_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.DOTALL)
_ROW_NUM = re.compile(rb'\br="(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')


@dataclass
class Cells:
    """What a careful pass over a sheet found: the head and problem cells (as a
    SheetScan) and, for the wanted columns, (row, type, raw text, style) cells."""

    scan: SheetScan
    values: dict[int, list[tuple[int, str, str, int]]] = field(default_factory=dict)


def read_cells(
    zf: zipfile.ZipFile, part: str, head_rows: int = 12, columns: set[int] | None = None, after_row: int = 0
) -> Cells:
    """Every cell of a worksheet, row by row, positions implied by order where the
    r= attributes are missing. Values are kept for ``columns`` below ``after_row``."""
    out = Cells(SheetScan(head_rows=head_rows))
    scan = out.scan
    tail = b""
    row_no = 0
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(CHUNK)
            blob = tail + chunk
            cut = _rows_end(blob) if chunk else len(blob)
            if cut < 0:
                tail = blob
                continue
            block, tail = blob[:cut], blob[cut:]
            for row in _ROW.finditer(block):
                num = _ROW_NUM.search(row.group(1))
                row_no = int(num.group(1)) if num else row_no + 1
                col = -1
                for cell in _CELL.finditer(row.group(2) or b""):
                    attrs, body = cell.group(1), cell.group(3)
                    ref = _REF.search(attrs)
                    col = col_index(ref.group(1).decode()) if ref else col + 1
                    _read_cell(out, row_no, col, attrs, body, columns, after_row)
            if not chunk:
                # The rest after the last row holds </sheetData> in a whole file.
                scan.complete = _SHEETDATA_END.search(block[-4096:] if len(block) > 4096 else block) is not None
                break
    scan.max_row = row_no
    return out


_ROW_CLOSE = re.compile(rb"</(?:\w+:)?row>")


def _rows_end(blob: bytes) -> int:
    """Offset just past the last row end tag in ``blob``, or -1."""
    i = blob.rfind(b"row>")
    while i >= 0:
        start = blob.rfind(b"<", 0, i)
        m = _ROW_CLOSE.match(blob, start) if start >= 0 else None
        if m is not None and m.end() == i + 4:
            return i + 4
        i = blob.rfind(b"row>", 0, i)
    return -1


def _read_cell(
    out: Cells, row: int, col: int, attrs: bytes, body: bytes | None, columns: set[int] | None, after_row: int
) -> None:
    scan = out.scan
    wanted = columns is not None and col in columns and row > after_row
    if (
        not wanted
        and scan.first_cell is not None
        and row >= scan.first_cell[0] + scan.head_rows
        and not (body and (b'"e"' in attrs or ((b"<f" in body or b":f" in body) and _FORMULA.search(body))))
    ):
        return  # past the head, not wanted, no error and no formula: nothing to keep
    value = _VALUE.search(body) if body else None
    if value is None:
        if body and _FORMULA.search(body):
            scan.uncalculated.add((row, col))
        return
    kind_m = _TYPE.search(attrs)
    kind = kind_m.group(1).decode() if kind_m else "n"
    raw = value.group(1).decode("utf-8", "replace")
    if kind == "inlineStr":
        raw = xml_text(value.group(1))
    if scan.first_cell is None:
        scan.first_cell = (row, col)
    if row < scan.first_cell[0] + scan.head_rows:
        scan.head[(row, col)] = ("str" if kind == "inlineStr" else kind, raw)
    if kind == "e":
        scan.errors[(row, col)] = raw
        return
    if wanted:
        style = _STYLE.search(attrs)
        out.values.setdefault(col, []).append((row, kind, raw, int(style.group(1)) if style else 0))


def package_part(zf: zipfile.ZipFile, rel_type: str) -> str | None:
    """The workbook's part of a relationship type ending in ``rel_type`` (e.g.
    "/sharedStrings"), as a zip member name, or None."""
    names = {n.lower(): n for n in zf.namelist()}
    rels = names.get("xl/_rels/workbook.xml.rels")
    if rels is not None:
        for rel in SafeET.fromstring(zf.read(rels)).iter(f"{NS_PKG_REL}Relationship"):
            if rel.get("Type", "").endswith(rel_type):
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
                if path.lower() in names:
                    return names[path.lower()]
    return None


# Built-in number formats that are dates or times (including the CJK ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _is_date_format(code: str) -> bool:
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bare not in ("", "general") and any(ch in bare for ch in "ymdhs")


def date_styles(zf: zipfile.ZipFile) -> tuple[set[int], bool]:
    """Indices of the cell styles that show dates, and whether the workbook counts
    days from 1904."""
    styles = package_part(zf, "/styles")
    found: set[int] = set()
    if styles is not None:
        root = SafeET.fromstring(zf.read(styles))
        custom: dict[int, str] = {}
        fmts = root.find(f"{NS_MAIN}numFmts")
        for fmt in fmts if fmts is not None else []:
            custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = root.find(f"{NS_MAIN}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            fid = int(xf.get("numFmtId", "0"))
            if fid in _DATE_FORMAT_IDS or (fid in custom and _is_date_format(custom[fid])):
                found.add(i)
    pr = SafeET.fromstring(zf.read("xl/workbook.xml")).find(f"{NS_MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
    return found, date1904
