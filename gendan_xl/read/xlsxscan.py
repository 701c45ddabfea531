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
            continue
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


def scan_sheet(zf: zipfile.ZipFile, part: str, head_rows: int = 12, head_only: bool = False) -> SheetScan:
    """Scan a worksheet part. With ``head_only`` stop once the head rows are read
    (the errors it reports are then only those among the rows read)."""
    scan = SheetScan(head_rows=head_rows)
    find_first = True
    tail = b""
    head_done = False
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
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
    return scan


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
    name = next((n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
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
