"""Surgical write-back into the clerk's own .xlsx/.xlsm: patch cells and append rows by
editing only the target sheet's XML inside the zip package.

Why not openpyxl: a load-and-save of a 100k-row ledger takes tens of seconds and
silently drops what openpyxl does not model (charts, images, pivot caches, VBA
details ...). Here every zip entry other than the patched sheet(s) is copied as
its raw compressed bytes (see ``patch_zip``), so it stays byte-identical; the
sheet XML is edited with regular expressions over its bytes (no DOM), touching
only the rows that change.

Rules the patch follows:
- a patched cell keeps the style (``s=``) of the cell it replaces; a new cell takes
  the row's style, else the nearest cell above in its column, else the column's;
- text is written as an inline string (``t="inlineStr"``), so ``sharedStrings.xml``
  is untouched and ``=HYPERLINK(...)`` stays text, never a formula;
- numbers as numbers; dates as serial numbers in a date style (the cell's own, else
  the nearest date-styled cell above; only when the column has none is a date
  variant of the cell's style added to ``styles.xml``);
- cells holding a formula are never overwritten: they are reported as skipped;
- appended rows go below the last row holding a value; ``<dimension>`` follows.

Safety: refuse (``WriteBackRefused``, CLI exit 3) when the file is open in Excel
(owner file ``~$<name>``) or LibreOffice/WPS, or locked; copy the original to a
dated backup beside it; write a temporary file in the same folder and atomically
replace the original, unless it changed meanwhile.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import os
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from numbers import Integral, Real
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from gendan_xl.cells import col_index, col_letter
from gendan_xl.model import LedgerError
from gendan_xl.write.patch_zip import rewrite_zip

WRITABLE_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
MAX_TEXT = 32767  # Excel's limit for the text of one cell
_STYLE_LOOKBACK = 200  # rows searched above a new cell for its column's style

CellValue = object  # str | int | float | Decimal | bool | date | datetime | time | None


class WriteBackRefused(LedgerError):
    """The workbook cannot be written now: open in Excel, locked, or changed meanwhile.

    The CLI maps it to exit code 3. Nothing has been modified when it is raised.
    """


@dataclass(frozen=True)
class SheetEdit:
    """What to change in one sheet.

    ``cells``: (physical row, column letters) -> value. ``append_rows``: one mapping of
    column letters -> value per new row, appended below the last row holding a value.
    """

    sheet: str
    cells: Mapping[tuple[int, str], CellValue] = field(default_factory=dict)
    append_rows: Sequence[Mapping[str, CellValue]] = ()


@dataclass
class WriteBackResult:
    path: Path
    backup: Path | None  # None when there was nothing to write
    cells_written: int = 0
    appended_rows: dict[str, list[int]] = field(default_factory=dict)  # sheet -> physical rows
    skipped_formulas: list[str] = field(default_factory=list)  # addresses like "出货!G5"
    parts_changed: list[str] = field(default_factory=list)  # zip entries rewritten

    @property
    def rows_appended(self) -> int:
        return sum(len(rows) for rows in self.appended_rows.values())


# --------------------------------------------------------------------------- API


def write_back(
    path: Path,
    sheet: str,
    cells: Mapping[tuple[int, str], CellValue] | None = None,
    append_rows: Sequence[Mapping[str, CellValue]] | None = None,
    *,
    backup: bool = True,
    now: datetime | None = None,
) -> WriteBackResult:
    """Patch ``cells`` and append ``append_rows`` in one sheet of the workbook at ``path``."""
    return write_back_many(
        path, [SheetEdit(sheet, cells or {}, append_rows or ())], backup=backup, now=now
    )


def write_back_many(
    path: Path, edits: Sequence[SheetEdit], *, backup: bool = True, now: datetime | None = None
) -> WriteBackResult:
    """Apply several sheet edits in one pass (one backup, one replace)."""
    path = Path(path)
    check_writable(path)
    result = WriteBackResult(path=path, backup=None)
    if not any(e.cells or e.append_rows for e in edits):
        return result
    stat = path.stat()
    raw = path.read_bytes()
    package = _Package(path, raw)
    replacements: dict[str, bytes] = {}
    styles = package.styles()
    for edit in edits:
        part = package.sheet_part(edit.sheet)
        xml = replacements.get(part) or package.read(part)
        sheet_xml = _SheetXml(xml, edit.sheet, package.date1904, styles)
        new_xml, written, appended, skipped = sheet_xml.apply(edit)
        result.cells_written += written
        if appended:
            result.appended_rows.setdefault(edit.sheet, []).extend(appended)
        result.skipped_formulas.extend(skipped)
        if written or appended:
            replacements[part] = new_xml
        if appended:
            for table, table_xml in package.extend_tables(part, appended[0] - 1, appended[-1]):
                replacements[table] = table_xml
    if styles.changed and styles.part:
        replacements[styles.part] = styles.to_bytes()
    if not replacements:
        return result
    result.parts_changed = sorted(replacements)
    stamp = now or datetime.now()
    if backup:
        result.backup = _write_backup(path, raw, stat, stamp)
    try:
        _replace_atomically(path, raw, replacements, stat)
    except BaseException:
        if result.backup is not None:
            _unlink_quietly(result.backup)
        raise
    return result


def owner_files(path: Path) -> list[Path]:
    """Files beside ``path`` that say it is open in Excel (``~$``) or LibreOffice/WPS."""
    path = Path(path)
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    return [p for p in candidates if p.exists()]


def check_writable(path: Path) -> None:
    """Raise ``LedgerError``/``WriteBackRefused`` unless ``path`` can be patched now."""
    path = Path(path)
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise LedgerError(
            str(path),
            f"只能写回 .xlsx/.xlsm 文件,不支持 {path.suffix or '无扩展名'};请在 Excel 中另存为 .xlsx",
            f"write-back supports .xlsx/.xlsm only, not {path.suffix or 'no extension'}; "
            "save it as .xlsx in Excel",
        )
    if not path.is_file():
        raise LedgerError(str(path), "文件不存在", "file not found")
    owners = owner_files(path)
    if owners:
        raise WriteBackRefused(
            str(path),
            f"文件正在 Excel(或 WPS/LibreOffice)中打开(发现 {owners[0].name}),"
            "请先保存并关闭它再写回;如果确认没有打开,请删除该文件后重试",
            f"the file is open in Excel (or WPS/LibreOffice): found {owners[0].name}. Save and "
            "close it, then try again; if it is not open, delete that file",
        )
    try:
        with open(path, "r+b"):
            pass
    except OSError as exc:
        raise WriteBackRefused(
            str(path),
            f"文件被占用或只读,无法写回({exc.strerror or exc}),请关闭打开它的程序后重试",
            f"the file is locked or read-only ({exc.strerror or exc}); close the program "
            "holding it and try again",
        ) from exc


# ------------------------------------------------------------------- file safety


def backup_path(path: Path, stamp: datetime) -> Path:
    """``<stem>.bak-YYYYMMDD-HHMMSS<suffix>`` beside ``path`` (``-2``, ``-3`` ... if taken)."""
    base = f"{path.stem}.bak-{stamp:%Y%m%d-%H%M%S}"
    candidate = path.with_name(base + path.suffix)
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{base}-{n}{path.suffix}")
        n += 1
    return candidate


def _write_backup(path: Path, raw: bytes, stat: os.stat_result, stamp: datetime) -> Path:
    target = backup_path(path, stamp)
    try:
        with open(target, "xb") as fh:
            fh.write(raw)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    except OSError as exc:
        raise WriteBackRefused(
            str(path),
            f"无法在同一文件夹创建备份({exc.strerror or exc}),未做任何修改",
            f"cannot create the backup beside it ({exc.strerror or exc}); nothing was changed",
        ) from exc
    return target


def _replace_atomically(
    path: Path, raw: bytes, replacements: dict[str, bytes], stat: os.stat_result
) -> None:
    tmp = path.with_name(f".~gendan-{os.getpid()}-{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            rewrite_zip(raw, replacements, fh)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        _unlink_quietly(tmp)
        raise WriteBackRefused(
            str(path),
            f"无法在同一文件夹写临时文件({exc.strerror or exc}),未做任何修改",
            f"cannot write a temporary file beside it ({exc.strerror or exc}); nothing was changed",
        ) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise
    try:
        os.chmod(tmp, stat.st_mode & 0o7777)
        now = path.stat()
        if (now.st_mtime_ns, now.st_size) != (stat.st_mtime_ns, stat.st_size) or owner_files(path):
            raise WriteBackRefused(
                str(path),
                "文件在写回过程中被其他人修改或打开,已放弃本次写回,原文件未改动",
                "the file was changed or opened by someone else meanwhile; nothing was changed",
            )
        os.replace(tmp, path)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise WriteBackRefused(
            str(path),
            f"无法替换原文件({exc.strerror or exc}),可能正在被打开;原文件未改动",
            f"cannot replace the file ({exc.strerror or exc}); it may be open; nothing was changed",
        ) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


# ----------------------------------------------------------------- the package

_REL_NS_END = "}id"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Package:
    """The zip package: where the workbook, its sheets and its styles live."""

    def __init__(self, path: Path, raw: bytes) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile as exc:
            raise LedgerError(
                str(path),
                "不是有效的 Excel 工作簿(可能已损坏或加密)",
                "not a valid Excel workbook (damaged or encrypted?)",
            ) from exc
        self.names = {n: n for n in self.zip.namelist()}
        self.names_ci = {n.lower(): n for n in self.zip.namelist()}
        self.workbook = self._office_document()
        wb = self._xml(self.workbook)
        rels = self._rels(self.workbook)
        self.date1904 = False
        self.sheets: dict[str, str] = {}
        self.styles_part: str | None = None
        for el in wb.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith(_REL_NS_END)), None)
                target = rels.get(rid or "")
                if target and target[0].endswith("/worksheet"):
                    self.sheets[el.get("name", "")] = target[1]
        for kind, part in rels.values():
            if kind.endswith("/styles"):
                self.styles_part = part

    def _find(self, name: str) -> str | None:
        return self.names.get(name) or self.names_ci.get(name.lower())

    def read(self, name: str) -> bytes:
        real = self._find(name)
        if real is None:
            raise LedgerError(str(self.path), f"工作簿缺少部件 {name}", f"workbook part {name} is missing")
        return self.zip.read(real)

    def _xml(self, name: str) -> Element:
        try:
            return ElementTree.fromstring(self.read(name))
        except ElementTree.ParseError as exc:
            raise LedgerError(
                str(self.path), f"工作簿部件 {name} 已损坏", f"workbook part {name} is damaged"
            ) from exc

    def _office_document(self) -> str:
        if self._find("_rels/.rels"):
            for kind, part in self._rels("").values():
                if kind.endswith("/officeDocument"):
                    return part
        return "xl/workbook.xml"

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, resolved part name) for ``part`` ("" = the package)."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if not self._find(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for el in self._xml(rels_name).iter():
            if _local(el.tag) != "Relationship" or el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target)
            )
            out[el.get("Id", "")] = (el.get("Type", ""), self._find(resolved) or resolved)
        return out

    def sheet_part(self, sheet: str) -> str:
        if sheet in self.sheets:
            return self.sheets[sheet]
        wanted = sheet.strip().casefold()
        for name, part in self.sheets.items():
            if name.strip().casefold() == wanted:
                return part
        raise LedgerError(
            str(self.path),
            f"工作簿中没有工作表「{sheet}」(现有:{'、'.join(self.sheets)})",
            f"the workbook has no sheet '{sheet}' (it has: {', '.join(self.sheets)})",
        )

    def extend_tables(self, sheet_part: str, last_row: int, new_last_row: int) -> list[tuple[str, bytes]]:
        """Tables (ListObjects) of the sheet ending at ``last_row``, grown to ``new_last_row``.

        Rows appended right below a table belong to it, as when a clerk types there in
        Excel. A table with a totals row is left as it is.
        """
        out: list[tuple[str, bytes]] = []
        for kind, part in self._rels(sheet_part).values():
            if not kind.endswith("/table") or not self._find(part):
                continue
            xml = self.read(part)
            head = re.search(rb"<(?:[\w.-]+:)?table\b[^>]*>", xml)
            if head is None or (_attr(head.group(0), b"totalsRowCount") or b"0") != b"0":
                continue
            grown = _grow_ref(_attr(head.group(0), b"ref"), last_row, new_last_row)
            if grown is None:
                continue
            new_head = _set_attr(head.group(0), b"ref", grown)
            rest = xml[head.end() :]
            auto = re.search(rb"<(?:[\w.-]+:)?autoFilter\b[^>]*>", rest)
            if auto is not None:
                auto_ref = _grow_ref(_attr(auto.group(0), b"ref"), last_row, new_last_row)
                if auto_ref is not None:
                    rest = rest[: auto.start()] + _set_attr(auto.group(0), b"ref", auto_ref) + rest[auto.end() :]
            out.append((part, xml[: head.start()] + new_head + rest))
        return out

    def styles(self) -> _Styles:
        part = self.styles_part
        return _Styles(part, self.read(part) if part and self._find(part) else None)


def _grow_ref(ref: bytes | None, last_row: int, new_last_row: int) -> bytes | None:
    """``A1:J{last_row}`` -> ``A1:J{new_last_row}``; None when ``ref`` does not end at ``last_row``."""
    if not ref or b":" not in ref:
        return None
    top, bottom = ref.split(b":", 1)
    m = _CELL_REF.fullmatch(bottom)
    if m is None or int(m.group(2)) != last_row:
        return None
    return top + b":" + m.group(1) + str(new_last_row).encode()


# ------------------------------------------------------------------- the styles

_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FMT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
_XF = re.compile(rb"<(?:[\w.-]+:)?xf\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?xf\s*>)", re.S)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attr(tag: bytes, name: bytes) -> bytes | None:
    for m in _ATTR.finditer(tag):
        if m.group(1) == name:
            return m.group(2) if m.group(2) is not None else m.group(3)
    return None


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """``tag`` (a start tag) with attribute ``name`` set to ``value``."""
    for m in _ATTR.finditer(tag):
        if m.group(1) == name:
            return tag[: m.start()] + name + b'="' + value + b'"' + tag[m.end() :]
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end].rstrip() + b" " + name + b'="' + value + b'"' + tag[end:]


def is_date_format(code: str) -> bool:
    """Whether an Excel number format code shows a date or time."""
    stripped = _FMT_NOISE.sub("", code).lower()
    return any(ch in stripped for ch in "ymdhs") and "general" not in stripped


class _Styles:
    """The cell formats (``cellXfs``) of ``styles.xml``: which are dates; adding date variants."""

    def __init__(self, part: str | None, data: bytes | None) -> None:
        self.part = part
        self.data = data or b""
        self.changed = False
        self._derived: dict[int, int] = {}
        self._xfs: list[bytes] = []
        self._cellxfs: re.Match[bytes] | None = re.search(
            rb"(<(?:[\w.-]+:)?cellXfs\b[^>]*>)(.*?)(</(?:[\w.-]+:)?cellXfs\s*>)", self.data, re.S
        )
        custom: dict[int, str] = {}
        for m in re.finditer(rb"<(?:[\w.-]+:)?numFmt\b[^>]*>", self.data):
            fmt_id, code = _attr(m.group(0), b"numFmtId"), _attr(m.group(0), b"formatCode")
            if fmt_id is not None and fmt_id.isdigit() and code is not None:
                custom[int(fmt_id)] = _unescape(code.decode("utf-8", "replace"))
        self._custom = custom
        self._is_date: list[bool] = []
        if self._cellxfs:
            for m in _XF.finditer(self._cellxfs.group(2)):
                self._xfs.append(m.group(0))
                self._is_date.append(self._fmt_is_date(_attr(m.group(0), b"numFmtId")))

    def _fmt_is_date(self, fmt_id: bytes | None) -> bool:
        if fmt_id is None or not fmt_id.isdigit():
            return False
        n = int(fmt_id)
        if n in self._custom:
            return is_date_format(self._custom[n])
        return n in _BUILTIN_DATE_FORMATS

    def is_date(self, style: int | None) -> bool:
        return style is not None and 0 <= style < len(self._is_date) and self._is_date[style]

    def date_variant(self, style: int | None) -> int | None:
        """A cell format like ``style`` but showing dates (yyyy-mm-dd, numFmtId 14)."""
        base = style or 0
        if base in self._derived:
            return self._derived[base]
        if not self._cellxfs or not self._xfs:
            return None
        source = self._xfs[base] if base < len(self._xfs) else self._xfs[0]
        start_end = source.find(b">") + 1  # keep children such as <alignment/> as they are
        start = _set_attr(source[:start_end], b"numFmtId", b"14")
        start = _set_attr(start, b"applyNumberFormat", b"1")
        self._xfs.append(start + source[start_end:])
        self._is_date.append(True)
        self._derived[base] = len(self._xfs) - 1
        self.changed = True
        return len(self._xfs) - 1

    def to_bytes(self) -> bytes:
        m = self._cellxfs
        if not m or not self.changed:
            return self.data
        open_tag = _set_attr(m.group(1), b"count", str(len(self._xfs)).encode())
        added = b"".join(self._xfs[len(self._xfs) - len(self._derived) :])
        return (
            self.data[: m.start()] + open_tag + m.group(2) + added + m.group(3) + self.data[m.end() :]
        )


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&amp;", "&")
    )


# -------------------------------------------------------------------- the sheet

_SHEETDATA = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)")
_COLUMN = re.compile(r"^[A-Z]{1,3}$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MAX_ROW, _MAX_COL = 1_048_576, 16_384


def column_index(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27 (1-based, as the sheet XML's column numbers)."""
    return col_index(letters) + 1


def column_letters(index: int) -> str:
    """1 -> ``A``, 27 -> ``AA`` (1-based)."""
    return col_letter(index - 1)


@dataclass
class _Cell:
    col: int
    start: int  # offsets within the row's content
    end: int
    raw: bytes
    style: int | None
    has_formula: bool
    explicit_ref: bool


@dataclass(frozen=True)
class _RowPos:
    number: int
    start: int
    open_end: int
    self_closing: bool


class _ImplicitRows(Exception):
    """A row without r="...": rows must be counted from the top."""


def _bisect_rows(rows: list[_RowPos], n: int) -> int:
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        if rows[mid].number < n:
            lo = mid + 1
        else:
            hi = mid
    return lo


@dataclass
class _Row:
    number: int
    start: int  # absolute offsets in the sheet XML
    open_end: int
    close_start: int
    end: int
    open_tag: bytes
    self_closing: bool


class _SheetXml:
    """One worksheet's XML, indexed by row without building a DOM."""

    def __init__(self, data: bytes, name: str, date1904: bool, styles: _Styles) -> None:
        self.data = data
        self.name = name
        self.date1904 = date1904
        self.styles = styles
        m = _SHEETDATA.search(data)
        if m is None:
            raise LedgerError(name, "工作表 XML 中没有 sheetData", "the sheet XML has no sheetData")
        self.p = m.group(1) or b""
        p = re.escape(self.p)
        self.sd_tag = (m.start(), m.end())
        self.sd_empty = m.group(2) == b"/"
        if self.sd_empty:
            self.inner = (m.end(), m.end())
        else:
            close = data.rfind(b"</" + self.p + b"sheetData", m.end())
            if close < 0:
                raise LedgerError(name, "工作表 XML 不完整", "the sheet XML is truncated")
            self.inner = (m.end(), close)
        self._row_re = re.compile(rb"<" + p + rb"row\b(?=[^>]*?\sr\s*=\s*[\"'](\d+)[\"'])?[^>]*>")
        self._row_close = re.compile(rb"</" + p + rb"row\s*>")
        self._cell_re = re.compile(
            rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c\s*>)", re.S
        )
        self._formula = re.compile(rb"<" + p + rb"f\b")
        self._value = re.compile(rb"<" + p + rb"(?:v|is|f)\b")
        self._row_tag = b"<" + self.p + b"row"
        self._index: list[_RowPos] | None = None  # built only for rows without r="..."
        self._cells_cache: dict[int, list[_Cell]] = {}
        self._row_cache: dict[int, _Row] = {}
        self._col_style_map: dict[int, int] | None = None

    # -- finding rows
    #
    # Rows are sorted by number (Excel requires it), so a row is found by bisecting the
    # byte range of <sheetData>: probe the first <row> after a midpoint, compare its r.
    # About 25 probes a row instead of a Python loop over 100k rows. A sheet whose rows
    # omit r="..." (numbered by position) is indexed once instead.

    def _probe(self, pos: int, hi: int) -> _RowPos | None:
        """The first row starting in [pos, hi)."""
        m = self._row_re.search(self.data, pos, self.inner[1])
        if m is None or m.start() >= hi:
            return None
        if m.group(1) is None:
            raise _ImplicitRows()
        return _RowPos(int(m.group(1)), m.start(), m.end(), self.data[m.end() - 2 : m.end()] == b"/>")

    def _full_index(self) -> list[_RowPos]:
        if self._index is None:
            rows: list[_RowPos] = []
            last = 0
            for m in self._row_re.finditer(self.data, *self.inner):
                last = int(m.group(1)) if m.group(1) is not None else last + 1
                rows.append(_RowPos(last, m.start(), m.end(), self.data[m.end() - 2 : m.end()] == b"/>"))
            if any(a.number >= b.number for a, b in itertools.pairwise(rows)):
                raise LedgerError(
                    self.name,
                    "工作表的行顺序异常,请在 Excel 中打开并保存一次后再写回",
                    "the sheet's rows are out of order; open and save it in Excel once, then retry",
                )
            self._index = rows
        return self._index

    def _lower_bound(self, n: int) -> _RowPos | None:
        """The first row whose number is >= n."""
        if self._index is None:
            try:
                lo, hi = self.inner
                while lo < hi:
                    mid = (lo + hi) // 2
                    probe = self._probe(mid, hi)
                    if probe is None:
                        hi = mid
                    elif probe.number < n:
                        lo = probe.open_end
                    else:
                        hi = probe.start
                return self._probe(lo, self.inner[1])
            except _ImplicitRows:
                pass
        rows = self._full_index()
        at = _bisect_rows(rows, n)
        return rows[at] if at < len(rows) else None

    def find(self, n: int) -> _Row | None:
        """Row ``n`` if the sheet has a <row> element for it."""
        if n in self._row_cache:
            return self._row_cache[n]
        pos = self._lower_bound(n)
        if pos is None or pos.number != n:
            return None
        if pos.self_closing:
            close_start = end = pos.open_end
        else:
            close = self._row_close.search(self.data, pos.open_end, self.inner[1])
            if close is None:
                raise LedgerError(self.name, "工作表 XML 的行不完整", "a row of the sheet XML is truncated")
            close_start, end = close.start(), close.end()
        row = _Row(n, pos.start, pos.open_end, close_start, end,
                   self.data[pos.start : pos.open_end], pos.self_closing)
        self._row_cache[n] = row
        return row

    def _insert_offset(self, n: int) -> int:
        """Where a new row ``n`` goes: before the first row numbered above it."""
        pos = self._lower_bound(n)
        return pos.start if pos is not None else self.inner[1]

    def _cells(self, row: _Row) -> list[_Cell]:
        cached = self._cells_cache.get(row.number)
        if cached is not None:
            return cached
        content = self.data[row.open_end : row.close_start]
        cells: list[_Cell] = []
        col = 0
        for m in self._cell_re.finditer(content):
            attrs = m.group(1)
            ref = _attr(attrs, b"r")
            ref_m = _CELL_REF.fullmatch(ref) if ref else None
            col = column_index(ref_m.group(1).decode()) if ref_m else col + 1
            style = _attr(attrs, b"s")
            inner = m.group(2) or b""
            cells.append(
                _Cell(
                    col, m.start(), m.end(), m.group(0),
                    int(style) if style and style.isdigit() else None,
                    bool(self._formula.search(inner)), ref_m is not None,
                )
            )
        self._cells_cache[row.number] = cells
        return cells

    def last_value_row(self) -> int:
        """The last row holding a value (formatted but empty rows below it do not count)."""
        lo, hi = self.inner
        try:
            if self._index is None:
                while True:
                    at = self.data.rfind(self._row_tag, lo, hi)
                    if at < 0:
                        return 0
                    probe = self._probe(at, hi)
                    hi = at
                    if probe is None or probe.start != at:
                        continue  # "<rowXyz", not a row
                    row = self.find(probe.number)
                    if row is not None and self._has_value(row):
                        return row.number
        except _ImplicitRows:
            pass
        for pos in reversed(self._full_index()):
            row = self.find(pos.number)
            if row is not None and self._has_value(row):
                return row.number
        return 0

    def _has_value(self, row: _Row) -> bool:
        return (
            not row.self_closing
            and self._value.search(self.data, row.open_end, row.close_start) is not None
        )

    def _col_styles(self) -> dict[int, int]:
        head = self.data[: self.sd_tag[0]]
        out: dict[int, int] = {}
        for m in re.finditer(rb"<" + re.escape(self.p) + rb"col\b[^>]*>", head):
            lo, hi, s = (_attr(m.group(0), k) for k in (b"min", b"max", b"style"))
            if lo and hi and s and lo.isdigit() and hi.isdigit() and s.isdigit():
                for c in range(int(lo), min(int(hi), _MAX_COL) + 1):
                    out[c] = int(s)
        return out

    # -- styles for new cells

    def _style_above(
        self, row: int, col: int, planned: dict[tuple[int, int], int | None], want_date: bool
    ) -> tuple[bool, int | None]:
        """(found, style) of the nearest cell above in ``col`` (a date-styled one if ``want_date``)."""
        for r in range(row - 1, max(0, row - 1 - _STYLE_LOOKBACK), -1):
            if (r, col) in planned:
                s = planned[(r, col)]
                if not want_date or self.styles.is_date(s):
                    return True, s
                continue
            existing = self.find(r)
            if existing is None:
                continue
            for cell in self._cells(existing):
                if cell.col == col:
                    if not want_date or self.styles.is_date(cell.style):
                        return True, cell.style
                    break
        return False, None

    def _new_cell_style(
        self, row: int, col: int, row_tag: bytes | None, planned: dict[tuple[int, int], int | None]
    ) -> int | None:
        if row_tag is not None and _attr(row_tag, b"customFormat") in (b"1", b"true"):
            s = _attr(row_tag, b"s")
            if s and s.isdigit():
                return int(s)
        found, style = self._style_above(row, col, planned, want_date=False)
        if found:
            return style
        if self._col_style_map is None:
            self._col_style_map = self._col_styles()
        return self._col_style_map.get(col)

    def _date_style(
        self, row: int, col: int, style: int | None, planned: dict[tuple[int, int], int | None]
    ) -> int | None:
        if self.styles.is_date(style):
            return style
        found, above = self._style_above(row, col, planned, want_date=True)
        if found:
            return above
        derived = self.styles.date_variant(style)
        return derived if derived is not None else style

    # -- the edit

    def apply(self, edit: SheetEdit) -> tuple[bytes, int, list[int], list[str]]:
        targets: dict[int, dict[int, CellValue]] = {}
        for (row, letters), value in edit.cells.items():
            targets.setdefault(_check_row(row), {})[_check_col(letters)] = value
        appended: list[int] = []
        if edit.append_rows:
            next_row = self.last_value_row() + 1
            for new_row in edit.append_rows:
                row_cells = {_check_col(k): v for k, v in new_row.items()}
                if row_cells:
                    targets.setdefault(_check_row(next_row), {}).update(row_cells)
                    appended.append(next_row)
                    next_row += 1
        if not targets:
            return self.data, 0, [], []

        planned: dict[tuple[int, int], int | None] = {}
        splices: list[tuple[int, int, bytes]] = []
        inserts: dict[int, list[bytes]] = {}  # byte offset -> new rows to insert there
        written = 0
        skipped: list[str] = []
        max_row, max_col = 0, 0
        for row in sorted(targets):
            values = targets[row]
            row_info = self.find(row)
            existing = {c.col: c for c in self._cells(row_info)} if row_info is not None else {}
            new_cells: dict[int, bytes] = {}
            for col in sorted(values):
                value = values[col]
                ref = f"{column_letters(col)}{row}"
                old = existing.get(col)
                if old is not None and old.has_formula:
                    skipped.append(f"{self.name}!{ref}")
                    continue
                if old is not None:
                    style = old.style
                else:
                    style = self._new_cell_style(
                        row, col, row_info.open_tag if row_info else None, planned
                    )
                if _is_date_value(value):
                    style = self._date_style(row, col, style, planned)
                planned[(row, col)] = style
                new_cells[col] = _render_cell(self.p, ref, style, value, self.date1904)
                written += 1
                max_row, max_col = max(max_row, row), max(max_col, col)
            if not new_cells:
                continue
            if row_info is not None:
                splices.append((row_info.start, row_info.end, self._rebuild_row(row_info, new_cells)))
            else:
                offset = self._insert_offset(row)
                cells_xml = b"".join(new_cells[c] for c in sorted(new_cells))
                p = self.p
                inserts.setdefault(offset, []).append(
                    b"<" + p + b'row r="' + str(row).encode() + b'">' + cells_xml + b"</" + p + b"row>"
                )
        appended = [r for r in appended if any((r, c) in planned for c in targets.get(r, {}))]
        if not written:
            return self.data, 0, [], skipped
        for offset, rows in inserts.items():
            splices.append((offset, offset, b"".join(rows)))
        dim = self._dimension_splice(max_row, max_col)
        if dim:
            splices.append(dim)
        return self._splice(splices), written, appended, skipped

    def _rebuild_row(self, row: _Row, new_cells: dict[int, bytes]) -> bytes:
        cells = self._cells(row)
        content = self.data[row.open_end : row.close_start]
        by_col: dict[int, bytes] = {}
        for c in cells:
            raw = c.raw
            if not c.explicit_ref:  # implicit positions would shift once a cell is inserted
                head = len(b"<" + self.p + b"c")
                raw = raw[:head] + b' r="' + f"{column_letters(c.col)}{row.number}".encode() + b'"' + raw[head:]
            by_col[c.col] = raw
        by_col.update(new_cells)
        # Keep what is not a cell (an extLst) after the cells.
        rest = b""
        pos = 0
        for c in cells:
            rest += content[pos : c.start]
            pos = c.end
        rest = (rest + content[pos:]).strip()
        tag = row.open_tag
        if row.self_closing:
            tag = tag[:-2].rstrip() + b">"
        spans = _attr(tag, b"spans")
        if spans and b":" in spans:
            lo, hi = spans.split(b":", 1)
            if lo.isdigit() and hi.isdigit():
                cols = sorted(by_col)
                new = f"{min(int(lo), cols[0])}:{max(int(hi), cols[-1])}".encode()
                tag = _set_attr(tag, b"spans", new)
        body = b"".join(by_col[c] for c in sorted(by_col))
        return tag + body + rest + b"</" + self.p + b"row>"

    def _dimension_splice(self, max_row: int, max_col: int) -> tuple[int, int, bytes] | None:
        m = re.compile(rb"<" + re.escape(self.p) + rb"dimension\b[^>]*>").search(
            self.data, 0, self.sd_tag[0]
        )
        if m is None:
            return None
        ref = (_attr(m.group(0), b"ref") or b"A1").decode("ascii", "replace")
        parts = ref.upper().split(":")
        tl = _CELL_REF.fullmatch(parts[0].encode())
        br = _CELL_REF.fullmatch(parts[-1].encode())
        if not tl or not br:
            return None
        c1, r1 = column_index(tl.group(1).decode()), int(tl.group(2))
        c2, r2 = column_index(br.group(1).decode()), int(br.group(2))
        if max_row <= r2 and max_col <= c2:
            return None
        new_ref = f"{column_letters(c1)}{r1}:{column_letters(max(c2, max_col))}{max(r2, max_row)}"
        return m.start(), m.end(), _set_attr(m.group(0), b"ref", new_ref.encode())

    def _splice(self, splices: list[tuple[int, int, bytes]]) -> bytes:
        data = self.data
        if self.sd_empty:
            # <sheetData/> -> <sheetData>rows</sheetData>: new rows were all inserted at its end.
            at = self.inner[0]
            rows = b"".join(b for s, e, b in splices if s == e == at)
            splices = [t for t in splices if not t[0] == t[1] == at]
            p = self.p
            start, end = self.sd_tag
            splices.append((start, end, b"<" + p + b"sheetData>" + rows + b"</" + p + b"sheetData>"))
        splices.sort(key=lambda t: (t[0], t[1]))
        out: list[bytes] = []
        pos = 0
        for start, end, replacement in splices:
            out.append(data[pos:start])
            out.append(replacement)
            pos = end
        out.append(data[pos:])
        return b"".join(out)


def _check_row(row: int) -> int:
    if isinstance(row, bool) or not isinstance(row, Integral) or not 1 <= int(row) <= _MAX_ROW:
        raise ValueError(f"row out of range: {row!r}")
    return int(row)


def _check_col(letters: str) -> int:
    text = str(letters).strip().upper()
    if not _COLUMN.match(text) or column_index(text) > _MAX_COL:
        raise ValueError(f"not a column letter: {letters!r}")
    return column_index(text)


# ------------------------------------------------------------------------ cells


def _is_date_value(value: object) -> bool:
    return isinstance(value, (date, time)) and not _is_missing(value)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def excel_serial(value: date | datetime | time, date1904: bool = False) -> float:
    """Excel's serial number for a date/datetime/time (1900 or 1904 date system)."""
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        days = (value.date() - epoch).days
        frac = excel_serial(value.time())
        return days + frac
    return float((value - epoch).days)


def _number_text(value: float) -> bytes:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value)).encode()
    return repr(float(value)).encode()


def _escape_text(text: str) -> bytes:
    text = _XML_ILLEGAL.sub("", text)
    if len(text) > MAX_TEXT:
        raise ValueError(f"text longer than Excel's {MAX_TEXT} characters: {text[:40]!r}...")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.encode("utf-8")


def _render_cell(p: bytes, ref: str, style: int | None, value: CellValue, date1904: bool) -> bytes:
    head = b"<" + p + b'c r="' + ref.encode() + b'"'
    if style is not None and style != 0:
        head += b' s="' + str(style).encode() + b'"'
    close = b"</" + p + b"c>"
    if _is_missing(value) or value == "" or (isinstance(value, float) and math.isinf(value)):
        return head + b"/>"  # blank, keeping the style
    if isinstance(value, bool):
        return head + b' t="b"><' + p + b"v>" + (b"1" if value else b"0") + b"</" + p + b"v>" + close
    if isinstance(value, (date, time)):
        serial = excel_serial(value, date1904)
        return head + b"><" + p + b"v>" + _number_text(serial) + b"</" + p + b"v>" + close
    if isinstance(value, (Real, Decimal)) and not isinstance(value, bool):
        return head + b"><" + p + b"v>" + _number_text(float(value)) + b"</" + p + b"v>" + close
    text = _escape_text(str(value))
    return (
        head + b' t="inlineStr"><' + p + b'is><' + p + b't xml:space="preserve">' + text
        + b"</" + p + b"t></" + p + b"is>" + close
    )
