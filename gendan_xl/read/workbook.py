"""Open one workbook file and hand out its sheets as value grids with exact
physical coordinates.

.xlsx/.xlsm go through fastexcel (the fastest reader measured here) plus one
streaming pass over each sheet's XML (xlsxscan) for the header rows, the
physical offset, error cells and formulas without a cached value. .xls, .xlsb
and .ods go through python-calamine, whose grid starts at A1. Files that cannot
be used at all raise ``LedgerError`` with a one-line reason for the clerk.
"""

from __future__ import annotations

import logging
import threading
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa

from gendan_xl.ledger import TEXT_DTYPE
from gendan_xl.model import LedgerError
from gendan_xl.read.xlsxscan import (
    Cells,
    SheetScan,
    date_styles,
    package_part,
    read_cells,
    scan_sheet,
    shared_strings,
    sheet_parts,
    unescape,
    xml_text,
)
from gendan_xl.schema import match_sheet

logging.getLogger("fastexcel").setLevel(logging.ERROR)

# Zip-bomb guard: refuse packages that would unpack to more than this, or whose
# large parts compress suspiciously well.
MAX_UNPACKED = 4 << 30
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_ROWS = 12
# A sheet goes to the Rust reader only if the rectangle it would allocate (from A1
# to the farthest value) is at most this many cells, or at most one per 8 bytes of
# the sheet's XML (a value cell takes 20 bytes or more): beyond, a stray far value
# would cost gigabytes (about 32 bytes a cell), and the sheet is read cell by cell.
DENSE_CELLS = 1 << 22
XML_BYTES_PER_CELL = 8
XLSB_WALK_BYTES = 16 << 20

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xlam"}


@dataclass
class Head:
    """The first rows of a sheet: physical (row 1-based, col 0-based) -> value."""

    cells: dict[tuple[int, int], object]
    first_row: int

    def row(self, r: int) -> dict[int, object]:
        return {c: v for (rr, c), v in self.cells.items() if rr == r}

    @property
    def rows(self) -> list[int]:
        return sorted({r for r, _ in self.cells})


@dataclass
class ColumnPick:
    key: str
    col: int  # physical, 0-based
    header: str  # raw header text as written
    type: str  # schema column type


@dataclass
class Grid:
    """Data rows below a header: typed columns by key plus physical rows."""

    frame: pd.DataFrame  # columns: keys of the picks
    rows: pd.Series  # physical row of each frame row
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncalculated: set[tuple[int, int]] = field(default_factory=set)


class Book:
    """A workbook open for reading."""

    def __init__(self, path: Path, display: str | None = None) -> None:
        self.path = path
        self.display = display or str(path)
        self.sheet_names: list[str] = []

    def head(self, sheet: str) -> Head:
        raise NotImplementedError

    def load(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        raise NotImplementedError

    def prefetch(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> None:
        """Say that ``load(sheet, header_row, picks)`` will follow: a book may start
        on it now, beside the caller's work on the sheets before it."""
        return None

    def close(self) -> None:
        return None


def _fail(path: str, zh: str, en: str) -> LedgerError:
    # Reasons may quote a reader's multi-line error text: the clerk gets one line.
    return LedgerError(path, " ".join(zh.split()), " ".join(en.split()))


def open_book(path: Path, display: str | None = None) -> Book:
    """Open ``path`` as a workbook, or raise LedgerError saying why it can't be used."""
    shown = display or str(path)
    if not path.exists():
        raise _fail(shown, "文件不存在", "file not found")
    if path.is_dir():
        raise _fail(shown, "这是一个文件夹,不是工作簿", "this is a folder, not a workbook")
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise _fail(shown, f"无法打开文件({exc.strerror})", f"cannot open the file ({exc.strerror})") from exc
    if not magic:
        raise _fail(shown, "文件是空的(0 字节)", "the file is empty (0 bytes)")
    suffix = path.suffix.lower()
    if magic.startswith(b"PK"):
        # .xlsb and .ods are zips too, of other parts: only calamine reads them.
        # The content decides, whatever the file is called.
        if _zip_member(path, "xl/workbook.bin"):
            return CalamineBook(path, shown, ".xlsb")
        if (suffix == ".ods" and not _zip_member(path, "xl/workbook.xml")) or _zip_member(path, "content.xml"):
            return CalamineBook(path, shown, ".ods")
        return XlsxBook(path, shown)
    if magic == OLE_MAGIC:
        if _is_encrypted_ole(path):
            raise _fail(shown, "工作簿有密码保护,请先取消密码再试", "the workbook is password protected")
        return CalamineBook(path, shown, ".xls")
    raise _fail(
        shown,
        "不是 Excel 工作簿(文件内容不是 xlsx/xls/xlsb/ods)",
        "not an Excel workbook (content is not xlsx/xls/xlsb/ods)",
    )


def _zip_member(path: Path, name: str) -> bool:
    """Whether the zip at ``path`` holds ``name`` (False when it is no readable zip:
    XlsxBook then says what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower() == name for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _is_encrypted_ole(path: Path) -> bool:
    """An encrypted .xlsx is an OLE compound file with an EncryptedPackage stream."""
    data = path.read_bytes()[: 1 << 20]
    return "EncryptedPackage".encode("utf-16-le") in data


class XlsxBook(Book):
    def __init__(self, path: Path, display: str | None = None) -> None:
        super().__init__(path, display)
        try:
            self._zip = zipfile.ZipFile(path)
            self._check_package()
            self._parts = sheet_parts(self._zip)
        except LedgerError:
            raise
        except zipfile.BadZipFile as exc:
            raise _fail(self.display, "文件已损坏(zip 结构不完整)", "the file is corrupt (bad zip)") from exc
        except KeyError as exc:
            raise _fail(
                self.display, "不是 Excel 工作簿(缺少 xl/workbook.xml)", "not an Excel workbook"
            ) from exc
        except Exception as exc:  # malformed XML, truncated members ...
            raise _fail(
                self.display, f"文件已损坏,无法读取({type(exc).__name__})", f"the file is corrupt ({exc})"
            ) from exc
        self.sheet_names = list(self._parts)
        self._reader: object | None = None
        self._scans: dict[str, SheetScan] = {}
        self._heads: dict[str, Head] = {}
        self._careful: dict[str, Cells] = {}  # sheets read cell by cell (no r= attributes)
        self._full: dict[str, Future[SheetScan]] = {}
        self._pool: ThreadPoolExecutor | None = None
        # Sheets load one at a time in their own thread, in the order asked: the
        # Rust reader works on the next sheet while this thread parses the last one.
        self._loader: ThreadPoolExecutor | None = None
        self._loads: dict[str, tuple[Future[Grid], int, list[ColumnPick]]] = {}
        self._stop = threading.Event()
        # Background scans run while this thread is in the Rust reader (which frees
        # the GIL) or waits for them, not while it works on the tables.
        self._gate = threading.Event()
        self._dates: tuple[set[int], bool] | None = None
        # calamine finds shared strings only at their usual place.
        sst = package_part(self._zip, "/sharedStrings")
        self._careful_all = sst is not None and sst != "xl/sharedStrings.xml"

    def _check_package(self) -> None:
        total = 0
        for info in self._zip.infolist():
            total += info.file_size
            if info.file_size > 50 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _fail(
                    self.display,
                    f"文件内容压缩比异常({info.filename}),拒绝读取",
                    f"suspicious compression ratio in {info.filename}; refused",
                )
        if total > MAX_UNPACKED:
            raise _fail(self.display, "文件解压后过大,拒绝读取", "the package unpacks too large; refused")
        names = {n.lower() for n in self._zip.namelist()}
        if "xl/workbook.xml" not in names:
            raise _fail(self.display, "不是 Excel 工作簿(缺少 xl/workbook.xml)", "not an Excel workbook")

    def _damaged(self, sheet: str, why: str = "") -> LedgerError:
        return _fail(
            self.display,
            f"文件已损坏:工作表「{sheet}」内容不完整或无法解析{f'({why})' if why else ''}",
            f"the file is damaged: sheet '{sheet}' is cut short or cannot be parsed{f' ({why})' if why else ''}",
        )

    def _scan(self, sheet: str, head_only: bool = True, background: bool = False) -> SheetScan:
        """The head rows (cached); or, with ``head_only=False``, a full pass for
        error cells, formulas without values and the extent of the values, on its
        own zip handle so it can run in a thread beside fastexcel (which releases
        the GIL while parsing)."""
        if head_only and sheet in self._scans:
            return self._scans[sheet]
        try:
            if head_only:
                scan = scan_sheet(self._zip, self._parts[sheet], HEAD_ROWS, head_only=True)
                if scan.implicit:  # cells without r=: positions need the careful reader
                    self._careful[sheet] = read_cells(self._zip, self._parts[sheet], HEAD_ROWS)
                    scan = self._careful[sheet].scan
                if not scan.complete:
                    raise self._damaged(sheet)
                self._scans[sheet] = scan
                return scan
            gate = self._gate if background else None
            with zipfile.ZipFile(self.path) as zf:
                scan = scan_sheet(zf, self._parts[sheet], HEAD_ROWS, stop=self._stop, gate=gate)
            if not scan.complete and not self._stop.is_set():
                raise self._damaged(sheet)
            return scan
        except LedgerError:
            raise
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, KeyError, ValueError) as exc:
            raise self._damaged(sheet, type(exc).__name__) from exc

    def _full_scan(self, sheet: str) -> SheetScan:
        """The full scan of ``sheet``; the scans of the ledger sheets after it run
        ahead in a thread, beside the Rust reader, so their extent is known before
        it is called and the scan costs no time of its own."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gendan-scan")
        fut = self._full.get(sheet)
        if fut is None or fut.cancel():
            # Not started: the idle worker scans it first (this thread only waits, so
            # nothing competes with it); a busy one is not waited for.
            busy = any(f.running() for f in self._full.values())
            fut = None if busy else self._pool.submit(self._scan, sheet, False, True)
        later = self.sheet_names[self.sheet_names.index(sheet) + 1 :]
        for name in later:
            if name not in self._full and match_sheet(name) is not None:
                self._full[name] = self._pool.submit(self._scan, name, False, True)
        if fut is None:
            return self._scan(sheet, False)
        with _opened(self._gate, self._stop):
            return fut.result()

    def _dense_ok(self, sheet: str, scan: SheetScan) -> bool:
        size = self._zip.getinfo(self._parts[sheet]).file_size
        return scan.area() <= max(DENSE_CELLS, size // XML_BYTES_PER_CELL)

    def head(self, sheet: str) -> Head:
        if sheet not in self._heads:
            self._heads[sheet] = self._read_head(sheet)
        return self._heads[sheet]

    def _read_head(self, sheet: str) -> Head:
        scan = self._scan(sheet)
        if scan.first_cell is None:
            return Head({}, 0)
        wanted = {int(v) for (t, v) in scan.head.values() if t == "s" and v.strip().isdigit()}
        strings = shared_strings(self._zip, wanted)
        cells: dict[tuple[int, int], object] = {}
        for pos, (kind, raw) in scan.head.items():
            if kind == "s":
                cells[pos] = strings.get(int(raw), "") if raw.strip().isdigit() else raw
            elif kind in ("inlineStr", "str"):
                cells[pos] = xml_text(raw.encode()) if kind == "inlineStr" else raw
            elif kind == "b":
                cells[pos] = raw == "1"
            elif kind == "e":
                cells[pos] = raw
            else:
                try:
                    cells[pos] = float(raw)
                except ValueError:
                    cells[pos] = raw
        return Head(cells, scan.first_cell[0])

    def _fastexcel(self) -> object:
        if self._reader is None:
            import fastexcel

            try:
                # fastexcel, too, picks its reader by the name: xlsx content under
                # another name goes in as bytes.
                xlsx_name = self.path.suffix.lower() in (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam")
                self._reader = fastexcel.read_excel(str(self.path) if xlsx_name else self.path.read_bytes())
            except Exception as exc:
                raise _fail(self.display, f"文件无法读取({exc})", f"cannot read the file ({exc})") from exc
        return self._reader

    def prefetch(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> None:
        if sheet not in self._loads:
            self._loads[sheet] = (self._submit_load(sheet, header_row, picks), header_row, list(picks))

    def load(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        pending = self._loads.pop(sheet, None)
        if pending is not None and (pending[1], pending[2]) == (header_row, picks):
            fut = pending[0]
        else:
            if pending is not None and not pending[0].cancel():
                pending[0].exception()  # asked for with other columns: let it finish, unused
            fut = self._submit_load(sheet, header_row, picks)
        return fut.result()

    def _submit_load(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Future[Grid]:
        # Every load runs in the one loader thread, so the Rust reader is never
        # entered twice at once.
        if self._loader is None:
            self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gendan-load")
        return self._loader.submit(self._load_now, sheet, header_row, list(picks))

    def _load_now(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        if self._stop.is_set():
            raise self._damaged(sheet, "closed")
        if sheet in self._careful or self._careful_all:
            return self._load_careful(sheet, header_row, picks)
        # The extent first: the Rust reader allocates the whole rectangle up to
        # the farthest value, so a stray value at XFD1048576 must never reach it.
        scan = self._full_scan(sheet)
        if scan.implicit or not self._dense_ok(sheet, scan):
            return self._load_careful(sheet, header_row, picks)
        reader = self._fastexcel()
        names = _fastexcel_names(self.head(sheet).row(header_row))
        selected = [names.get(p.col) for p in picks]
        dtypes = {
            name: "string" for name, p in zip(selected, picks, strict=True) if name and p.type in ("text", "choice")
        }
        try:
            with _opened(self._gate, self._stop):
                sheet_obj = reader.load_sheet(  # type: ignore[attr-defined]
                    sheet,
                    header_row=header_row - 1,  # fastexcel counts physical rows from 0
                    use_columns=[n for n in selected if n],
                    dtypes=dtypes or None,
                    schema_sample_rows=None,
                )
            # Text straight into Arrow-backed strings: no Python object per cell.
            frame = sheet_obj.to_arrow().to_pandas(types_mapper=_arrow_text_type)
        except Exception as exc:
            raise self._damaged(sheet, " ".join(str(exc).split(" Context:")[0].split())) from exc
        out = pd.DataFrame(index=frame.index)
        for name, pick in zip(selected, picks, strict=True):
            out[pick.key] = frame[name] if name in frame else pd.Series(index=frame.index, dtype=object)
        rows = pd.Series(range(header_row + 1, header_row + 1 + len(frame)), index=frame.index)
        return Grid(out, rows, scan.errors, scan.uncalculated)

    def _load_careful(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        """Read the picked columns cell by cell: memory follows the cells that hold
        values, however far apart they are."""
        try:
            cells = read_cells(self._zip, self._parts[sheet], HEAD_ROWS, {p.col for p in picks}, header_row)
            if self._dates is None:
                self._dates = date_styles(self._zip)
            wanted = {int(raw) for col in cells.values.values() for _, kind, raw, _ in col if kind == "s" and raw.isdigit()}
            strings = shared_strings(self._zip, wanted)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, KeyError, ValueError, SyntaxError) as exc:
            raise self._damaged(sheet, type(exc).__name__) from exc
        if not cells.scan.complete:
            raise self._damaged(sheet)
        scan = cells.scan
        picked = {p.col for p in picks}
        row_set = {r for col in cells.values.values() for r, _, _, _ in col}
        row_set |= {r for (r, c) in (*scan.errors, *scan.uncalculated) if c in picked and r > header_row}
        rows = sorted(row_set)
        at = {r: i for i, r in enumerate(rows)}
        data: dict[str, list[object]] = {}
        for p in picks:
            column: list[object] = [None] * len(rows)
            for r, kind, raw, style in cells.values.get(p.col, []):
                column[at[r]] = _cell_value(kind, raw, style, strings, self._dates)
            data[p.key] = column
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in data.items()})
        frame = frame.where(frame != "", None) if len(frame) else frame
        return Grid(frame, pd.Series(rows, dtype="int64"), scan.errors, scan.uncalculated)

    def close(self) -> None:
        self._stop.set()
        self._gate.set()
        if self._loader is not None:
            self._loader.shutdown(wait=True, cancel_futures=True)
        self._gate.set()  # the loader may have closed it on its way out
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._zip.close()


@contextmanager
def _opened(gate: threading.Event, stop: threading.Event) -> Iterator[None]:
    gate.set()
    try:
        yield
    finally:
        if not stop.is_set():  # a closed book's scans must never wait again
            gate.clear()


_EPOCH = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _cell_value(kind: str, raw: str, style: int, strings: dict[int, str], dates: tuple[set[int], bool]) -> object:
    """A cell's value as python-calamine gives it (text, float, bool, date or datetime)."""
    if kind == "s":
        return strings.get(int(raw), "") if raw.isdigit() else raw
    if kind == "inlineStr":
        return raw
    if kind == "str":
        return unescape(raw)
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "d":
        try:
            return datetime.fromisoformat(raw.strip())
        except ValueError:
            return raw
    try:
        number = float(raw)
    except ValueError:
        return raw
    date_styles_, date1904 = dates
    if style in date_styles_ and -1 < number < 2958466:
        moment = (_EPOCH_1904 if date1904 else _EPOCH) + timedelta(milliseconds=round(number * 86_400_000))
        return moment.date() if number == int(number) else moment
    return number


def _arrow_text_type(arrow_type: pa.DataType) -> object:
    """pandas dtype for an Arrow column: text as ``TEXT_DTYPE``, the rest as default."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return TEXT_DTYPE
    return None


def _fastexcel_names(header: dict[int, object]) -> dict[int, str]:
    """Physical column -> the column name fastexcel gives it (duplicates get _1, _2)."""
    seen: dict[str, int] = {}
    out: dict[int, str] = {}
    for col in sorted(header):
        value = header[col]
        if value is None or (isinstance(value, str) and value == ""):
            continue
        if isinstance(value, float):
            name = str(int(value)) if value.is_integer() else str(value)
        else:
            name = str(value)
        count = seen.get(name, 0)
        seen[name] = count + 1
        out[col] = name if count == 0 else f"{name}_{count}"
    return out


class CalamineBook(Book):
    """.xls, .xlsb and .ods (and xlsx fallbacks): a full grid from A1."""

    def __init__(self, path: Path, display: str | None = None, kind: str | None = None) -> None:
        super().__init__(path, display)
        import python_calamine

        if (kind or path.suffix.lower()) == ".ods":
            self._check_ods()  # calamine reads every sheet of an .ods when it opens it
        try:
            if kind is None or path.suffix.lower() == kind:
                self._wb = python_calamine.CalamineWorkbook.from_path(str(path))
            else:
                # calamine picks its reader by the file's name: content under another
                # name (.xls saved as .xlsx) goes in by content.
                with path.open("rb") as fh:
                    self._wb = python_calamine.CalamineWorkbook.from_filelike(fh)  # type: ignore[arg-type]
        except Exception as exc:
            text = str(exc).lower()
            if "password" in text or "encrypt" in text:
                raise _fail(self.display, "工作簿有密码保护,请先取消密码再试", "the workbook is password protected") from exc
            if "cell limit exceeded" in text:  # calamine's own cap (.ods): a value far away
                raise _fail(
                    self.display,
                    "工作表远处有单元格内容,数据范围过大,无法读取;请删除远处的内容,或另存为 .xlsx 后再试",
                    "a sheet has a value far away (too large a range to read): "
                    "delete the far content or save as .xlsx",
                ) from exc
            raise _fail(self.display, f"文件已损坏或格式不支持({exc})", f"corrupt or unsupported file ({exc})") from exc
        self.sheet_names = list(self._wb.sheet_names)
        self._grids: dict[str, list[list[object]]] = {}
        self._kind = kind or path.suffix.lower()

    def _far_value(self, sheet: str, area: int) -> LedgerError:
        return _fail(
            self.display,
            f"工作表「{sheet}」远处有单元格内容(数据范围约 {area:,} 个单元格),读取需要过多内存;"
            "请删除远处的内容,或另存为 .xlsx 后再试",
            f"sheet '{sheet}' has a value far away (a range of about {area:,} cells); reading it "
            "would need too much memory: delete the far content or save as .xlsx",
        )

    def _check_ods(self) -> None:
        from gendan_xl.read import odsscan

        try:
            with zipfile.ZipFile(self.path) as zf:
                limit = max(DENSE_CELLS, zf.getinfo("content.xml").file_size // XML_BYTES_PER_CELL)
                areas = odsscan.value_areas(zf)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, zlib.error):
            return  # calamine says what is wrong with it
        for sheet, area in areas.items():
            if area > limit:
                raise self._far_value(sheet, area)

    def _check_extent(self, sheet: str) -> None:
        """calamine allocates the rectangle from A1 to the farthest value (about 32
        bytes a cell) and aborts the process when it can't: an .xlsb sheet with a
        stray value far away is refused before that (.xls can't be larger than
        65,536 x 256 cells, about 1.2 GB at worst; .ods is checked when opened)."""
        if self._kind != ".xlsb":
            return
        from gendan_xl.read import xlsbscan

        try:
            with zipfile.ZipFile(self.path) as zf:
                part = xlsbscan.sheet_parts(zf).get(sheet)
                if part is None:
                    return
                size = zf.getinfo(part).file_size
                limit = max(DENSE_CELLS, size // 4)
                # Writers state wrong ranges (pyxlsbwriter: A1), so the records are
                # walked (about 0.5 µs each); only a large part whose stated range
                # could hold its records and is small is taken at its word.
                stated = xlsbscan.stated_area(zf, part)
                if size > XLSB_WALK_BYTES and size // 64 <= stated <= limit:
                    return
                area = xlsbscan.value_area(zf, part)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError, SyntaxError, zlib.error):
            return  # calamine says what is wrong with it
        if area > limit:
            raise self._far_value(sheet, area)

    def _grid(self, sheet: str) -> list[list[object]]:
        if sheet not in self._grids:
            self._check_extent(sheet)
            try:
                grid: list[list[object]] = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)  # type: ignore[assignment]
                self._grids[sheet] = grid
            except Exception as exc:
                raise _fail(self.display, f"工作表「{sheet}」无法读取({exc})", f"sheet '{sheet}' cannot be read") from exc
        return self._grids[sheet]

    def head(self, sheet: str) -> Head:
        grid = self._grid(sheet)
        cells: dict[tuple[int, int], object] = {}
        first = 0
        for r, row in enumerate(grid, start=1):
            if first and r >= first + HEAD_ROWS:
                break
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if not first:
                    first = r
                cells[(r, c)] = v
        return Head(cells, first)

    def load(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        grid = self._grid(sheet)[header_row:]
        data = {
            p.key: pd.Series([row[p.col] if p.col < len(row) else None for row in grid], dtype=object)
            for p in picks
        }
        frame = pd.DataFrame(data)
        frame = frame.where(frame != "", None)
        rows = pd.Series(range(header_row + 1, header_row + 1 + len(grid)), index=frame.index)
        return Grid(frame, rows)


class GridBook(Book):
    """Sheets handed over as value grids (a live Excel workbook through xlwings, or
    a test double): ``{sheet: (rows, first_row, first_col)}`` where the grid's
    top-left cell is at physical (first_row 1-based, first_col 0-based)."""

    def __init__(self, name: str, sheets: dict[str, tuple[list[list[object]], int, int]]) -> None:
        super().__init__(Path(name), name)
        self.sheet_names = list(sheets)
        self._sheets = sheets

    def _cells(self, sheet: str) -> tuple[list[list[object]], int, int]:
        return self._sheets[sheet]

    def head(self, sheet: str) -> Head:
        grid, top, left = self._cells(sheet)
        cells: dict[tuple[int, int], object] = {}
        first = 0
        for r, row in enumerate(grid, start=top):
            if first and r >= first + HEAD_ROWS:
                break
            for c, v in enumerate(row or [], start=left):
                if v is None or v == "":
                    continue
                first = first or r
                cells[(r, c)] = v
        return Head(cells, first)

    def load(self, sheet: str, header_row: int, picks: list[ColumnPick]) -> Grid:
        grid, top, left = self._cells(sheet)
        body = grid[header_row + 1 - top :]
        data = {}
        for p in picks:
            i = p.col - left
            data[p.key] = pd.Series([row[i] if 0 <= i < len(row) else None for row in body], dtype=object)
        frame = pd.DataFrame(data)
        frame = frame.where(frame != "", None)
        rows = pd.Series(range(header_row + 1, header_row + 1 + len(body)), index=frame.index)
        return Grid(frame, rows)
