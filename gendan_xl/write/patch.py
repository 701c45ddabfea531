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

import bisect
import contextlib
import io
import itertools
import math
import os
import posixpath
import pyexpat
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
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


class PatchRefused(LedgerError):
    """The patch would damage the workbook, so nothing was written.

    Raised (a ``LedgerError``: one line, CLI exit 2) when a target cell lies in an array
    formula's range, when appended rows have no room above a 合计 row or pre-filled
    formulas, and when the patched sheet XML fails its own check (not well-formed, rows
    or cells out of order, ranges inconsistent).
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
        sheet_xml = _SheetXml(xml, edit.sheet, package.date1904, styles,
                              path=str(path), total_strings=package.total_strings)
        new_xml, written, appended, skipped = sheet_xml.apply(edit)
        result.cells_written += written
        if appended:
            result.appended_rows.setdefault(edit.sheet, []).extend(appended)
        result.skipped_formulas.extend(skipped)
        if not (written or appended):
            continue
        tables: list[tuple[str, bytes]] = []
        if appended:
            tables = package.extend_tables(part, appended[0] - 1, appended[-1])
            for table, table_xml in tables:
                replacements[table] = table_xml
            if sheet_xml.filter_grown is not None:
                names = package.grow_filter_name(
                    replacements.get(package.workbook), edit.sheet, *sheet_xml.filter_grown
                )
                if names is not None:
                    replacements[package.workbook] = names
        _verify_sheet(new_xml, sheet_xml, edit.sheet, str(path), tables)
        replacements[part] = new_xml
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
        self.sheet_order: list[str] = []  # every sheet (chart sheets too), as localSheetId counts
        self.styles_part: str | None = None
        self.strings_part: str | None = None
        self._total_strings: dict[int, str] | None = None
        for el in wb.iter():
            tag = _local(el.tag)
            if tag == "workbookPr":
                self.date1904 = el.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                self.sheet_order.append(el.get("name", ""))
                rid = next((v for k, v in el.attrib.items() if k.endswith(_REL_NS_END)), None)
                target = rels.get(rid or "")
                if target and target[0].endswith("/worksheet"):
                    self.sheets[el.get("name", "")] = target[1]
        for kind, part in rels.values():
            if kind.endswith("/styles"):
                self.styles_part = part
            elif kind.endswith("/sharedStrings"):
                self.strings_part = part

    def total_strings(self) -> Mapping[int, str]:
        """Shared strings that label a 合计/总计/小计 row, by index (read on first use)."""
        if self._total_strings is None:
            found: dict[int, str] = {}
            part = self.strings_part
            data = self.read(part) if part and self._find(part) else b""
            if _TOTAL_HINT.search(data):
                scan = _mask_opaque(data)
                starts = [m.start() for m in _SI.finditer(scan)]
                for i, (a, b) in enumerate(itertools.pairwise([*starts, len(data)])):
                    if _TOTAL_HINT.search(data, a, b):
                        text = _plain_text(data[a:b])
                        if _TOTAL_LABEL.match(text):
                            found[i] = text
            self._total_strings = found
        return self._total_strings

    def grow_filter_name(
        self, current: bytes | None, sheet: str, old_bottom: int, new_bottom: int
    ) -> bytes | None:
        """workbook.xml with the sheet's ``_xlnm._FilterDatabase`` grown like its autoFilter.

        LibreOffice takes the filter range from this hidden name, Excel from the sheet's
        ``autoFilter``; both are kept equal. None when there is no such name to change.
        """
        data = current if current is not None else self.read(self.workbook)
        try:
            index = self.sheet_order.index(self._sheet_name(sheet))
        except ValueError:
            return None
        pattern = re.compile(
            rb"(<(?:[\w.-]+:)?definedName\b[^>]*>)([^<]*)(</(?:[\w.-]+:)?definedName\s*>)"
        )
        for m in pattern.finditer(data):
            head = m.group(1)
            if _attr(head, b"name") != b"_xlnm._FilterDatabase":
                continue
            if _attr(head, b"localSheetId") != str(index).encode():
                continue
            body = m.group(2)
            grown = re.sub(
                rb"(:\$?[A-Za-z]{1,3}\$?)" + str(old_bottom).encode() + rb"$",
                lambda g: g.group(1) + str(new_bottom).encode(),
                body,
            )
            if grown == body:
                return None
            return data[: m.start(2)] + grown + data[m.end(2) :]
        return None

    def _sheet_name(self, sheet: str) -> str:
        if sheet in self.sheets:
            return sheet
        wanted = sheet.strip().casefold()
        return next((n for n in self.sheets if n.strip().casefold() == wanted), sheet)

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
    """``A1:J{last_row}`` -> ``A1:J{new_last_row}``.

    A range reaching down to the last data row (or into the blank rows just below it,
    short of ``new_last_row``) grows; None for any other range.
    """
    if not ref or b":" not in ref:
        return None
    top, bottom = ref.split(b":", 1)
    t = _CELL_REF.fullmatch(top.replace(b"$", b""))
    m = _CELL_REF.fullmatch(bottom.replace(b"$", b""))
    if m is None or t is None or int(t.group(2)) > last_row:
        return None
    if not last_row <= int(m.group(2)) < new_last_row:
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


# ------------------------------------------------------------- text in the XML

# Only CDATA sections, comments and processing instructions may hold a literal "<" in
# well-formed XML. Masking them (same length, so offsets stay valid) lets the byte-level
# searches below see tags only: cell text can never pass for a <row> or a </c>.
_OPAQUE = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>", re.S)
_TOTAL_LABEL = re.compile(r"\s*(?:合\s*计|总\s*计|小\s*计|(?:sub)?total\b|sum\b)", re.I)
_TOTAL_HINT = re.compile("计|total|sum".encode(), re.I)
_SI = re.compile(rb"<(?:[\w.-]+:)?si\b")
_TAGS = re.compile(rb"<[^>]*>")
_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)


def _mask_opaque(data: bytes) -> bytes:
    """``data`` with CDATA sections, comments and PIs blanked out (same length)."""
    if b"<!" not in data and data.find(b"<?", 8) < 0:  # the common case: nothing to mask
        return data
    buf = bytearray(data)
    for m in _OPAQUE.finditer(data):
        buf[m.start() : m.end()] = b" " * (m.end() - m.start())
    return bytes(buf)


def _plain_text(xml: bytes) -> str:
    """The character data of an XML fragment (tags dropped, CDATA kept, entities decoded)."""
    parts: list[bytes] = []
    pos = 0
    for m in _CDATA.finditer(xml):
        parts.append(_TAGS.sub(b"", xml[pos : m.start()]))
        parts.append(m.group(1).replace(b"&", b"&amp;").replace(b"<", b"&lt;"))
        pos = m.end()
    parts.append(_TAGS.sub(b"", xml[pos:]))
    return _unescape_xml(b"".join(parts).decode("utf-8", "replace"))


def _unescape_xml(text: str) -> str:
    def entity(m: re.Match[str]) -> str:
        body = m.group(1)
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            return chr(code) if code <= 0x10FFFF else ""
        return {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}.get(body, "")

    return re.sub(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|\w+);", entity, text)


# -------------------------------------------------------------------- the sheet

_SHEETDATA = re.compile(rb"<([\w.-]+:)?sheetData\b[^>]*?(/?)>")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)")
_COLUMN = re.compile(r"^[A-Z]{1,3}$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MAX_ROW, _MAX_COL = 1_048_576, 16_384
_TAG_END = (b">", b" ", b"/", b"\t", b"\n", b"\r")


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
    has_value: bool = False
    kind: bytes = b"n"  # the t= attribute


@dataclass(frozen=True)
class _RowPos:
    number: int
    start: int
    open_end: int
    self_closing: bool


class _ImplicitRows(Exception):
    """A row without r="...": rows must be counted from the top."""


def _bisect_starts(rows: list[_RowPos], start: int) -> int:
    """Index of the first row whose XML starts at or after ``start``."""
    return bisect.bisect_left(rows, start, key=lambda row: row.start)


def _parse_range(ref: bytes | str) -> tuple[int, int, int, int] | None:
    """``A1:C5`` (or ``$A$1``, ``B2``) -> (first row, first col, last row, last col), 1-based."""
    text = ref.encode("ascii", "replace") if isinstance(ref, str) else ref
    parts = text.replace(b"$", b"").strip().split(b":")
    if len(parts) > 2:
        return None
    found = [_CELL_REF.fullmatch(x) for x in parts]
    if any(m is None for m in found):
        return None
    (r1, c1), (r2, c2) = ((int(m.group(2)), column_index(m.group(1).decode().upper()))
                          for m in (found[0], found[-1]) if m is not None)
    if not (1 <= r1 <= r2 <= _MAX_ROW and 1 <= c1 <= c2 <= _MAX_COL):
        return None
    return r1, c1, r2, c2


def _bisect_rows(rows: list[_RowPos], n: int) -> int:
    """Index of the first row numbered ``n`` or more."""
    return bisect.bisect_left(rows, n, key=lambda row: row.number)


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

    def __init__(
        self,
        data: bytes,
        name: str,
        date1904: bool,
        styles: _Styles,
        *,
        path: str | None = None,
        total_strings: Callable[[], Mapping[int, str]] | None = None,
        scan: bytes | None = None,
    ) -> None:
        self.data = data
        # Searched; ``data`` is what gets copied. ``scan`` when the caller masked it already.
        self.scan = _mask_opaque(data) if scan is None else scan
        self.name = name
        self.path = path or name
        self.date1904 = date1904
        self.styles = styles
        self._total_strings = total_strings or dict
        self.filter_grown: tuple[int, int] | None = None  # (old, new) bottom row of autoFilter
        self._array_refs: list[tuple[int, int, int, int, str]] | None = None
        self.written_cells: set[tuple[int, int]] = set()  # (row, col) written by apply()
        data = self.scan
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
        self._t_attr = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")
        self._formula = re.compile(rb"<" + p + rb"f\b")
        self._value = re.compile(rb"<" + p + rb"(?:v|is|f)\b")
        self._row_tag = b"<" + self.p + b"row"
        self._value_tags = tuple(b"<" + self.p + t for t in (b"v", b"is", b"f"))
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
        m = self._row_re.search(self.scan, pos, self.inner[1])
        if m is None or m.start() >= hi:
            return None
        if m.group(1) is None:
            raise _ImplicitRows()
        return _RowPos(int(m.group(1)), m.start(), m.end(), self.scan[m.end() - 2 : m.end()] == b"/>")

    def _full_index(self) -> list[_RowPos]:
        if self._index is None:
            rows: list[_RowPos] = []
            last = 0
            for m in self._row_re.finditer(self.scan, *self.inner):
                last = int(m.group(1)) if m.group(1) is not None else last + 1
                rows.append(_RowPos(last, m.start(), m.end(), self.scan[m.end() - 2 : m.end()] == b"/>"))
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
            close = self._row_close.search(self.scan, pos.open_end, self.inner[1])
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
        content = self.scan[row.open_end : row.close_start]
        cells: list[_Cell] = []
        col = 0
        for m in self._cell_re.finditer(content):
            attrs = m.group(1)
            ref = _attr(attrs, b"r")
            ref_m = _CELL_REF.fullmatch(ref) if ref else None
            col = column_index(ref_m.group(1).decode()) if ref_m else col + 1
            style = _attr(attrs, b"s")
            inner = m.group(2) or b""
            kind = self._t_attr.search(attrs)
            cells.append(
                _Cell(
                    col, m.start(), m.end(),
                    self.data[row.open_end + m.start() : row.open_end + m.end()],
                    int(style) if style and style.isdigit() else None,
                    bool(self._formula.search(inner)), ref_m is not None,
                    has_value=self._value.search(inner) is not None,
                    kind=kind.group(1) if kind else b"n",
                )
            )
        self._cells_cache[row.number] = cells
        return cells

    def last_value_row(self) -> int:
        """The last row holding a value (formatted but empty rows below it do not count)."""
        row = self._prev_valued_row(self.inner[1])
        return row.number if row is not None else 0

    def last_data_row(self) -> int:
        """The last row holding data: a value that is not a formula, in a row not labelled 合计."""
        hi = self.inner[1]
        while True:
            row = self._prev_valued_row(hi)
            if row is None:
                return 0
            if self._row_kind(row)[0] == "data":
                return row.number
            hi = row.start

    def _prev_valued_row(self, hi: int) -> _Row | None:
        """The last row starting before ``hi`` whose content holds a value (<v>, <is>, <f>).

        Searched backwards over the bytes (C speed), so a million styled empty rows
        below the data cost one scan, not a million row look-ups.
        """
        lo = self.inner[0]
        last: dict[bytes, int] = {}
        while hi > lo:
            for tag in self._value_tags:
                # Results only move up as ``hi`` does: search again only past the last hit.
                if last.get(tag, hi) >= hi:
                    last[tag] = self._rfind_tag(tag, lo, hi)
            at = max(last.values())
            if at < 0:
                return None
            start = self._rfind_tag(self._row_tag, lo, at)
            if start < 0:
                return None
            try:
                pos = self._probe(start, at)
            except _ImplicitRows:
                rows = self._full_index()
                i = _bisect_starts(rows, start)
                pos = rows[i] if i < len(rows) and rows[i].start == start else None
            row = self.find(pos.number) if pos is not None else None
            if row is not None and row.start == start and self._has_value(row):
                return row
            hi = start
        return None

    def _rfind_tag(self, tag: bytes, lo: int, hi: int) -> int:
        """Offset of the last start tag ``tag`` (e.g. ``<v``) in [lo, hi), or -1."""
        scan = self.scan
        n = len(tag)
        while True:
            at = scan.rfind(tag, lo, hi)
            if at < 0 or scan[at + n : at + n + 1] in _TAG_END:
                return at
            hi = at

    def _row_kind(self, row: _Row) -> tuple[str, str]:
        """("blank" | "data" | "total" | "formula", the 合计 label) for one row."""
        valued = [c for c in self._cells(row) if c.has_value]
        if not valued:
            return "blank", ""
        for cell in valued[:3]:
            label = self._cell_text(cell)
            if label and _TOTAL_LABEL.match(label):
                return "total", label.strip()
        if all(c.has_formula or self._array_at(row.number, c.col) for c in valued):
            return "formula", ""
        return "data", ""

    def _cell_text(self, cell: _Cell) -> str | None:
        if cell.has_formula:
            return None
        if cell.kind == b"inlineStr":
            return _plain_text(cell.raw)
        if cell.kind == b"s":
            m = re.search(rb"<" + re.escape(self.p) + rb"v\b[^>]*>\s*(\d+)\s*<", cell.raw)
            if m:
                return self._total_strings().get(int(m.group(1)))
        return None

    # -- array formulas (legacy CSE and dynamic) and data tables own a whole range

    def _arrays(self) -> list[tuple[int, int, int, int, str]]:
        if self._array_refs is None:
            refs: list[tuple[int, int, int, int, str]] = []
            lo, hi = self.inner
            if self.scan.find(b"array", lo, hi) >= 0 or self.scan.find(b"dataTable", lo, hi) >= 0:
                pattern = re.compile(
                    rb"<" + re.escape(self.p) + rb"f\b[^>]*>"
                )
                for m in pattern.finditer(self.scan, lo, hi):
                    tag = m.group(0)
                    if _attr(tag, b"t") not in (b"array", b"dataTable"):
                        continue
                    box = _parse_range(_attr(tag, b"ref") or b"")
                    if box is not None:
                        refs.append((*box, (_attr(tag, b"ref") or b"").decode("ascii", "replace")))
            self._array_refs = refs
        return self._array_refs

    def _array_at(self, row: int, col: int) -> str | None:
        for r1, c1, r2, c2, ref in self._arrays():
            if r1 <= row <= r2 and c1 <= col <= c2:
                return ref
        return None

    def _free_rows(self, first: int, count: int) -> None:
        """Refuse unless rows ``first`` .. ``first + count - 1`` are blank (or absent)."""
        for n in range(first, first + count):
            if n > _MAX_ROW:
                raise PatchRefused(
                    self.path,
                    f"工作表「{self.name}」已到 Excel 的最后一行,无法追加新行;未做任何修改",
                    f"sheet '{self.name}' has no rows left below its data; nothing was changed",
                )
            row = self.find(n)
            if row is None:
                continue
            kind, label = self._row_kind(row)
            if kind == "blank":
                continue
            need = first + count - n
            if kind == "total":
                what_zh, what_en = f"合计行(「{label[:20]}」)", f"a total row ('{label[:20]}')"
            elif kind == "formula":
                what_zh, what_en = "预填了公式的行", "a row of pre-filled formulas"
            else:
                what_zh, what_en = "已有内容的行", "a row that holds data"
            raise PatchRefused(
                self.path,
                f"工作表「{self.name}」第 {n} 行是{what_zh},新行必须紧接在最后一行数据"
                f"(第 {first - 1} 行)之后,不能越过或覆盖它;请在第 {n} 行上方插入 {need} 个空行后"
                "重试;未做任何修改",
                f"row {n} of sheet '{self.name}' is {what_en}; new rows must go right after the "
                f"last data row ({first - 1}) and cannot skip or overwrite it. Insert {need} blank "
                f"row(s) above row {n} and try again; nothing was changed",
            )

    def _grow_filter(self, last_row: int, new_last_row: int) -> tuple[int, int, bytes] | None:
        """A splice growing the sheet's autoFilter over rows appended below it."""
        m = re.compile(rb"<" + re.escape(self.p) + rb"autoFilter\b[^>]*>").search(
            self.scan, self.inner[1]
        )
        if m is None:
            return None
        ref = _attr(m.group(0), b"ref")
        grown = _grow_ref(ref, last_row, new_last_row)
        if grown is None or ref is None:
            return None
        box = _parse_range(ref)
        if box is not None:
            self.filter_grown = (box[2], new_last_row)
        return m.start(), m.end(), _set_attr(m.group(0), b"ref", grown)

    def _has_value(self, row: _Row) -> bool:
        return (
            not row.self_closing
            and self._value.search(self.scan, row.open_end, row.close_start) is not None
        )

    def _col_styles(self) -> dict[int, int]:
        head = self.scan[: self.sd_tag[0]]
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
        new_rows = [{_check_col(k): v for k, v in r.items()} for r in edit.append_rows]
        new_rows = [r for r in new_rows if r]
        if new_rows:
            # Directly below the last data row; a 合计 row or pre-filled formulas further
            # down stay where they are, and blank (formatted) rows between are used.
            first = self.last_data_row() + 1
            self._free_rows(first, len(new_rows))
            for i, row_cells in enumerate(new_rows):
                targets.setdefault(_check_row(first + i), {}).update(row_cells)
                appended.append(first + i)
        if not targets:
            return self.data, 0, [], []
        for row in sorted(targets):
            for col in sorted(targets[row]):
                array = self._array_at(row, col)
                if array is not None:
                    ref = f"{self.name}!{column_letters(col)}{row}"
                    raise PatchRefused(
                        self.path,
                        f"单元格 {ref} 属于数组公式区域 {array},不能单独写入;未做任何修改",
                        f"cell {ref} is part of the array formula range {array} and cannot be "
                        "written on its own; nothing was changed",
                    )

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
        if appended:
            grown = self._grow_filter(appended[0] - 1, appended[-1])
            if grown:
                splices.append(grown)
        self.written_cells = set(planned)
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
            self.scan, 0, self.sd_tag[0]
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


# ------------------------------------------------------------ the self-check


class _Bad(Exception):
    """A problem found in the patched sheet XML: (Chinese, English)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _verify_sheet(
    xml: bytes, sheet: _SheetXml, name: str, path: str, tables: Sequence[tuple[str, bytes]]
) -> None:
    """Parse the patched sheet (streaming, no DOM) and raise ``PatchRefused`` unless it is sound.

    Checked: well-formed XML without a DTD; row numbers ascending; cells ascending within
    each row and addressed to their own row; every written cell present once and outside
    any array formula; merged ranges valid and not overlapping; the autoFilter, the
    dimension and the grown tables' ranges valid and covering the written rows.
    """
    try:
        _check_sheet_xml(xml, sheet)
        for part, table_xml in tables:
            _check_table(part, table_xml, sheet)
    except _Bad as bad:
        raise PatchRefused(
            path,
            f"写回后工作表「{name}」的自检未通过:{bad.zh};为保护台账,未做任何修改",
            f"the patched sheet '{name}' failed its self-check: {bad.en}; "
            "to protect the ledger nothing was changed",
        ) from None


def _check_sheet_xml(xml: bytes, sheet: _SheetXml) -> None:
    """Three passes: expat over the whole sheet (well-formed, no DTD) at C speed; every
    row number in order (a regex over the tags, text masked); and a full streaming parse
    of each row that was written (cells in order, in their row, each written cell once)."""
    written = sheet.written_cells
    seen: set[tuple[int, int]] = set()
    local_names: dict[str, str] = {}
    col_cache: dict[str, int] = {}
    row_no = 0
    col_no = 0

    def column(letters: str) -> int:
        n = col_cache.get(letters)
        if n is None:
            if not _COLUMN.match(letters) or column_index(letters) > _MAX_COL:
                raise _Bad(f"单元格地址无效({letters!r})", f"invalid cell address ({letters!r})")
            n = col_cache[letters] = column_index(letters)
        return n

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row_no, col_no
        local = local_names.get(tag)
        if local is None:
            local = local_names[tag] = tag.rpartition(":")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                col = col_no + 1
            else:
                letters = ref.rstrip("0123456789")
                digits = ref[len(letters) :]
                col = column(letters)
                if not digits.isdigit() or int(digits) != row_no:
                    raise _Bad(f"单元格 {ref} 不在第 {row_no} 行中", f"cell {ref} sits in row {row_no}")
            if col <= col_no or col > _MAX_COL:
                raise _Bad(f"第 {row_no} 行的单元格顺序错误(第 {col} 列)",
                           f"cells of row {row_no} out of order (column {col})")
            col_no = col
            if (row_no, col) in written:
                if (row_no, col) in seen:
                    raise _Bad(f"单元格 {column_letters(col)}{row_no} 出现两次",
                               f"cell {column_letters(col)}{row_no} appears twice")
                seen.add((row_no, col))
        elif local == "row":
            r = attrs.get("r", "")
            row_no, col_no = int(r) if r.isdigit() else -1, 0

    def no_dtd(*_args: object) -> None:
        raise _Bad("含有 DTD 声明", "it holds a DTD declaration")

    def parse(data: bytes, handler: bool) -> None:
        parser = pyexpat.ParserCreate()
        if handler:
            parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            parser.Parse(data, True)
        except pyexpat.ExpatError as exc:
            raise _Bad(
                f"XML 格式错误(第 {exc.lineno} 行第 {exc.offset} 列:{pyexpat.ErrorString(exc.code)})",
                f"not well-formed XML (line {exc.lineno}, column {exc.offset}: "
                f"{pyexpat.ErrorString(exc.code)})",
            ) from None

    parse(xml, handler=False)
    # Well-formed, so only CDATA, comments and PIs can hold a "<": with them masked, a
    # regex sees every tag and nothing else.
    # The new rows never hold CDATA, comments or PIs (their text is escaped): when the
    # sheet had none either, there is nothing to mask (a scan of 150 MB saved).
    scan = xml if sheet.scan is sheet.data else _mask_opaque(xml)
    p = re.escape(sheet.p)
    last = 0
    for r in re.findall(rb"<" + p + rb"row\b(?:[^>]*?\sr\s*=\s*[\"'](\d*)[\"'])?", scan):
        n = int(r) if r else last + 1
        if n <= last or n > _MAX_ROW:
            raise _Bad(f"行号顺序错误(第 {last} 行之后是 {r.decode() or '?'})",
                       f"rows out of order ({r.decode() or '?'} after {last})")
        last = n
    root = re.search(rb"<(?![?!])[^>]*>", scan)
    decls = b" ".join(re.findall(rb"""xmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""",
                                 root.group(0) if root else b""))
    after = _SheetXml(xml, sheet.name, sheet.date1904, sheet.styles, scan=scan)
    for number in sorted({r for r, _ in written}):
        span = after.find(number)
        if span is None:
            raise _Bad(f"写入的第 {number} 行不在结果中", f"written row {number} is missing from the result")
        row_no = col_no = 0
        parse(b"<gendan-check " + decls + b">" + xml[span.start : span.end] + b"</gendan-check>", True)
        if row_no != number:
            raise _Bad(f"第 {number} 行的行号变成了 {row_no}", f"row {number} was numbered {row_no}")
    head = scan[: after.sd_tag[0]]
    tail = scan[after.inner[1] :]
    merges = [(_attr(m.group(0), b"ref") or b"").decode("ascii", "replace")
              for m in re.finditer(rb"<" + p + rb"mergeCell\b[^>]*>", tail)]
    found: dict[str, str | None] = {}
    for key, where in (("dimension", head), ("autoFilter", tail)):
        m = re.search(rb"<" + p + key.encode() + rb"\b[^>]*>", where)
        if m is not None:
            value = _attr(m.group(0), b"ref")
            found[key] = value.decode("ascii", "replace") if value is not None else None
    arrays: list[str] = []
    if b"array" in scan or b"dataTable" in scan:
        for m in re.finditer(rb"<" + p + rb"f\b[^>]*>", scan):
            if _attr(m.group(0), b"t") in (b"array", b"dataTable"):
                arrays.append((_attr(m.group(0), b"ref") or b"").decode("ascii", "replace"))
    missing = written - seen
    if missing:
        row, col = min(missing)
        raise _Bad(f"写入的单元格 {column_letters(col)}{row} 不在结果中",
                   f"written cell {column_letters(col)}{row} is missing from the result")
    for ref in arrays:
        box = _parse_range(ref)
        if box is None:
            raise _Bad(f"数组公式区域无效({ref})", f"invalid array formula range ({ref})")
        hit = next(((r, c) for r, c in written if box[0] <= r <= box[2] and box[1] <= c <= box[3]), None)
        if hit is not None:
            cell = f"{column_letters(hit[1])}{hit[0]}"
            raise _Bad(f"单元格 {cell} 写进了数组公式区域 {ref}",
                       f"cell {cell} was written inside the array formula range {ref}")
    _check_merges(merges)
    last_row = max((r for r, _ in written), default=0)
    last_col = max((c for _, c in written), default=0)
    for key, zh in (("dimension", "使用范围"), ("autoFilter", "筛选范围")):
        if key not in found:
            continue
        area = found[key] or ""
        box = _parse_range(area)
        if box is None:
            raise _Bad(f"{zh}无效({area})", f"invalid {key} range ({area})")
        if key == "dimension" and written and (box[2] < last_row or box[3] < last_col):
            raise _Bad(f"{zh} {area} 未包含写入的单元格", f"{key} {area} does not cover the written cells")
    if sheet.filter_grown is not None:
        box = _parse_range(found.get("autoFilter") or "")
        if box is None or box[2] != sheet.filter_grown[1]:
            raise _Bad("筛选范围未包含追加的行", "the autoFilter does not cover the appended rows")


def _check_merges(refs: list[str]) -> None:
    boxes: list[tuple[int, int, int, int, str]] = []
    for ref in refs:
        parsed = _parse_range(ref)
        if parsed is None:
            raise _Bad(f"合并单元格范围无效({ref})", f"invalid merged range ({ref})")
        boxes.append((*parsed, ref))
    boxes.sort()
    active: list[tuple[int, int, int, int, str]] = []
    for box in boxes:
        active = [a for a in active if a[2] >= box[0]]  # still open at this box's top row
        for other in active:
            if other[1] <= box[3] and box[1] <= other[3]:
                raise _Bad(f"合并单元格 {other[4]} 与 {box[4]} 重叠",
                           f"merged ranges {other[4]} and {box[4]} overlap")
        active.append(box)


def _check_table(part: str, xml: bytes, sheet: _SheetXml) -> None:
    try:
        root = ElementTree.fromstring(xml)
    except Exception as exc:  # defusedxml's refusals and expat errors alike
        raise _Bad(f"表格 {part} 的 XML 无效", f"table {part} is not valid XML ({exc})") from None
    box = _parse_range(root.get("ref", ""))
    if box is None:
        raise _Bad(f"表格 {part} 的范围无效", f"table {part} has an invalid range")
    for el in root:
        if _local(el.tag) == "autoFilter":
            inner = _parse_range(el.get("ref", ""))
            if inner is None or not (box[0] <= inner[0] and inner[2] <= box[2]
                                     and box[1] <= inner[1] and inner[3] <= box[3]):
                raise _Bad(f"表格 {part} 的筛选范围超出表格", f"table {part}: autoFilter outside the table")
    last_row = max((r for r, _ in sheet.written_cells), default=0)
    if box[2] < last_row:
        raise _Bad(f"表格 {part} 未包含追加的行", f"table {part} does not cover the appended rows")


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
