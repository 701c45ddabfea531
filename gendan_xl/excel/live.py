"""The live-workbook adapter: the only code that touches xlwings objects.

It reads each sheet's used range as a value grid with its top-left offset (so
cell addresses stay exact), and writes values, fill colours, notes and result
sheets. Everything else (reading the grids as a ledger, checking, planning,
documents) is the same engine the CLI uses. Tests drive it through an in-memory
double of exactly the xlwings calls made here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xlwings as xw

MARK_SHEET = "_gendan"  # hidden: the cells this add-in coloured, to clear them next run
NOTE_PREFIX = "跟单助手:"
FORMULA_START = ("=", "+", "-", "@")


def as_text_safe(value: object) -> object:
    """Text that Excel would read as a formula is written with a leading apostrophe
    (Excel's own 'this is text' marker), so a ledger value never becomes a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def block(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """Rows padded to one width (Excel takes a rectangle in one call), text made safe."""
    width = max((len(r) for r in rows), default=0)
    return [[as_text_safe(v) for v in row] + [None] * (width - len(row)) for row in rows]


_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_runs(cells: Mapping[str, object]) -> list[tuple[tuple[int, int], list[object]]]:
    """``{"B2": x, "B3": y, "D2": z}`` as runs of adjacent cells in one column, each
    ((first row, column), values top to bottom): ``[((2, 2), [x, y]), ((2, 4), [z])]``."""
    by_column: dict[int, dict[int, object]] = {}
    for address, value in cells.items():
        match = _ADDRESS.match(address)
        if match is None:
            raise ValueError(f"not a cell address: {address}")
        column = 0
        for letter in match[1].upper():
            column = column * 26 + ord(letter) - 64
        by_column.setdefault(column, {})[int(match[2])] = value
    runs: list[tuple[tuple[int, int], list[object]]] = []
    for column in sorted(by_column):
        rows = by_column[column]
        for row in sorted(rows):
            if runs and runs[-1][0][1] == column and runs[-1][0][0] + len(runs[-1][1]) == row:
                runs[-1][1].append(rows[row])
            else:
                runs.append(((row, column), [rows[row]]))
    return runs


def last_filled(rows: Sequence[Sequence[object]], top: int, left: int) -> tuple[int, int]:
    """(last row, last column), both 1-based, holding a value in a grid read by
    ``LiveWorkbook.grid``; (0, 0) when it holds none. Excel's used range can reach
    past the data (formatted but empty cells), so this looks at the values."""
    last_row = last_col = 0
    for i, row in enumerate(rows):
        filled = [j for j, v in enumerate(row) if v is not None and not (isinstance(v, str) and not v.strip())]
        if filled:
            last_row = top + i
            last_col = max(last_col, left + filled[-1] + 1)
    return last_row, last_col


class LiveWorkbook:
    """A clerk's open workbook, seen through xlwings."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path:
        return Path(self.book.fullname)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def has_sheet(self, name: str) -> bool:
        return name in self.sheet_names()

    def grid(self, sheet: str) -> tuple[list[list[object]], int, int]:
        """(rows, top row 1-based, left column 0-based) of the sheet's used range."""
        used = self.book.sheets[sheet].used_range
        values = used.options(ndim=2, err_to_str=True).value
        return [list(row) for row in (values or [])], int(used.row), int(used.column) - 1

    def grids(self, skip: Sequence[str] = ()) -> dict[str, tuple[list[list[object]], int, int]]:
        return {name: self.grid(name) for name in self.sheet_names() if name not in skip and name != MARK_SHEET}

    def write_sheet(self, name: str, rows: Sequence[Sequence[object]], widths: Sequence[float] = ()) -> None:
        """Create or refresh a result sheet: header row bold, values as given."""
        if self.has_sheet(name):
            sheet = self.book.sheets[name]
            sheet.clear()
        else:
            sheet = self.book.sheets.add(name, after=self.book.sheets[len(self.book.sheets) - 1])
        if rows:
            sheet.range("A1").value = block(rows)
            sheet.range((1, 1), (1, max(len(r) for r in rows))).font.bold = True
        for i, width in enumerate(widths, start=1):
            sheet.range((1, i)).column_width = width

    def write_cells(self, sheet: str, cells: dict[str, object]) -> None:
        """Values into cells by address (``{"G12": "SH20261126001"}``): one call per
        run of vertically adjacent cells (``column_runs``), so appending N rows costs
        a call per column, not per cell."""
        target = self.book.sheets[sheet]
        for (row, column), values in column_runs(cells):
            if len(values) == 1:
                target.range((row, column)).value = as_text_safe(values[0])
            else:
                target.range((row, column)).value = block([[v] for v in values])

    def write_range(self, sheet: str, first: tuple[int, int], rows: Sequence[Sequence[object]]) -> None:
        """A block of values with its top-left cell at ``first`` (row, column; 1-based), in one call."""
        if rows:
            self.book.sheets[sheet].range(first).value = block(rows)

    def clear(self, sheet: str, first: tuple[int, int], last: tuple[int, int]) -> None:
        """Empty the cells from ``first`` to ``last`` (values only; formats stay)."""
        self.book.sheets[sheet].range(first, last).clear_contents()

    def number_formats(self, sheet: str, formats: Mapping[str, str]) -> None:
        """Number formats by range address (``{"M2:M40": "yyyy-mm-dd"}``)."""
        target = self.book.sheets[sheet]
        for address, fmt in formats.items():
            target.range(address).number_format = fmt

    def fill(self, sheet: str, address: str, rgb: tuple[int, int, int]) -> None:
        """Fill colour of a range (``"A2:Q9"``), in one call."""
        self.book.sheets[sheet].range(address).color = rgb

    def extent(self, sheet: str) -> tuple[int, int]:
        """(last row, last column) holding a value, 1-based; (0, 0) for an empty sheet."""
        return last_filled(*self.grid(sheet))

    def mark(self, sheet: str, address: str, rgb: tuple[int, int, int], note: str) -> None:
        """Fill a cell and attach a note saying why."""
        cell = self.book.sheets[sheet].range(address)
        cell.color = rgb
        text = NOTE_PREFIX + note
        existing = cell.note
        if existing is not None:
            existing.text = text
        else:
            cell.add_note(text)

    def unmark(self, sheet: str, address: str) -> None:
        """Undo ``mark``: clear the fill, and the note if it is ours."""
        if not self.has_sheet(sheet):
            return
        cell = self.book.sheets[sheet].range(address)
        cell.color = None
        existing = cell.note
        if existing is not None and existing.text.startswith(NOTE_PREFIX):
            existing.delete()

    def read_marks(self) -> list[tuple[str, str]]:
        if not self.has_sheet(MARK_SHEET):
            return []
        rows, _top, _left = self.grid(MARK_SHEET)
        return [(str(r[0]), str(r[1])) for r in rows if r and len(r) >= 2 and r[0] and r[1]]

    def save_marks(self, marks: Sequence[tuple[str, str]]) -> None:
        self.write_sheet(MARK_SHEET, [list(m) for m in marks])
        self.book.sheets[MARK_SHEET].visible = False

    def selection(self) -> tuple[str, int] | None:
        """(sheet name, physical row) of the clerk's current selection."""
        try:
            selected = self.book.selection
        except Exception:  # no window (e.g. hidden instance)
            return None
        if selected is None:
            return None
        return str(selected.sheet.name), int(selected.row)

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    def alert(self, message: str, title: str = "跟单助手") -> None:
        self.book.app.alert(message, title=title)

    def open(self, path: Path) -> Any:
        """Open an output workbook in the same Excel instance."""
        return self.book.app.books.open(str(path))
