"""An in-memory double of exactly the xlwings calls gendan_xl.excel.live makes.

Built from an .xlsx read with openpyxl (cached values, errors as text, as xlwings
returns them with ``err_to_str=True``). It records alerts, notes, colours and
activations so handler tests can assert on what the clerk would see.

Several books can be open in one ``FakeApp``: ``FakeXlwings`` stands in for the
``xlwings`` module (``books.active``, ``Book.caller()``), so a test can make the
active book differ from the one whose ribbon was pressed. A UDF's ``caller`` is
a ``FakeRange`` (``caller.sheet.book`` is its workbook). Every range taken from a
sheet (``range``, ``used_range``) counts as one call into Excel (``book.calls``).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

_ADDR = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _rc(address: Any) -> tuple[int, int]:
    if isinstance(address, tuple):
        return int(address[0]), int(address[1])
    m = _ADDR.match(address.upper().replace("$", ""))
    assert m, address
    return int(m.group(2)), column_index_from_string(m.group(1))


class FakeNote:
    def __init__(self, cells: dict[tuple[int, int], str], key: tuple[int, int]) -> None:
        self._cells, self._key = cells, key

    @property
    def text(self) -> str:
        return self._cells[self._key]

    @text.setter
    def text(self, value: str) -> None:
        self._cells[self._key] = value

    def delete(self) -> None:
        del self._cells[self._key]


class FakeFont:
    def __init__(self) -> None:
        self.bold = False


class FakeOptions:
    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    @property
    def value(self) -> list[list[object]]:
        return self._rng.grid()


class FakeRange:
    def __init__(self, sheet: FakeSheet, first: tuple[int, int], last: tuple[int, int] | None = None) -> None:
        self.sheet = sheet
        self.row, self.column = first
        self.last = last or first
        self.font = FakeFont()

    def options(self, **kwargs: Any) -> FakeOptions:
        assert kwargs.get("ndim") == 2 and kwargs.get("err_to_str") is True
        return FakeOptions(self)

    def grid(self) -> list[list[object]]:
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.column, self.last[1] + 1)]
            for r in range(self.row, self.last[0] + 1)
        ]

    @property
    def value(self) -> object:
        if self.last == (self.row, self.column):
            return self.sheet.cells.get((self.row, self.column))
        return self.grid()

    @value.setter
    def value(self, value: object) -> None:
        rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]]
        for i, row in enumerate(rows):  # type: ignore[arg-type]
            for j, v in enumerate(row):
                key = (self.row + i, self.column + j)
                if v is None:
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = v
                self.sheet.writes.append((key, v))

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self.sheet.colors.get((self.row, self.column))

    @color.setter
    def color(self, rgb: tuple[int, int, int] | None) -> None:
        for r in range(self.row, self.last[0] + 1):
            for c in range(self.column, self.last[1] + 1):
                if rgb is None:
                    self.sheet.colors.pop((r, c), None)
                else:
                    self.sheet.colors[(r, c)] = rgb

    @property
    def note(self) -> FakeNote | None:
        key = (self.row, self.column)
        return FakeNote(self.sheet.notes, key) if key in self.sheet.notes else None

    def add_note(self, text: str) -> FakeNote:
        key = (self.row, self.column)
        assert key not in self.sheet.notes, "xlwings raises when a note exists"
        self.sheet.notes[key] = text
        return FakeNote(self.sheet.notes, key)

    def clear_contents(self) -> None:
        for r in range(self.row, self.last[0] + 1):
            for c in range(self.column, self.last[1] + 1):
                self.sheet.cells.pop((r, c), None)

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get((self.row, self.column), "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r in range(self.row, self.last[0] + 1):
            for c in range(self.column, self.last[1] + 1):
                self.sheet.formats[(r, c)] = fmt

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.column, 8.43)

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.widths[self.column] = width


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name
        self.cells: dict[tuple[int, int], object] = {}
        self.colors: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.notes: dict[tuple[int, int], str] = {}
        self.widths: dict[int, float] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.writes: list[tuple[tuple[int, int], object]] = []
        self.visible = True

    def range(self, first: Any, last: Any = None) -> FakeRange:
        self.book.calls += 1
        if last is None and isinstance(first, str) and ":" in first:  # "A1:B3"
            first, last = first.split(":")
        return FakeRange(self, _rc(first), _rc(last) if last is not None else None)

    @property
    def used_range(self) -> FakeRange:
        self.book.calls += 1
        if not self.cells:
            return FakeRange(self, (1, 1))
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, (min(rows), min(cols)), (max(rows), max(cols)))

    def clear(self) -> None:
        self.cells.clear()
        self.colors.clear()
        self.notes.clear()
        self.formats.clear()

    def activate(self) -> None:
        self.book.active_sheet = self.name

    def cell(self, address: str) -> object:
        return self.cells.get(_rc(address))

    def put(self, address: str, value: object) -> None:
        """Set a cell as the clerk would (not counted as a call)."""
        if value is None:
            self.cells.pop(_rc(address), None)
        else:
            self.cells[_rc(address)] = value


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self._sheets: list[FakeSheet] = []

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        assert name not in [s.name for s in self._sheets], "Excel refuses duplicate sheet names"
        sheet = FakeSheet(self._book, name)
        index = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(index, sheet)
        return sheet


class FakeBooks:
    def __init__(self) -> None:
        self.opened: list[str] = []
        self.open_books: list[FakeBook] = []
        self.active_book: FakeBook | None = None

    def open(self, path: str) -> str:
        self.opened.append(path)
        return path

    @property
    def active(self) -> FakeBook:
        assert self.active_book is not None, "no book open"
        return self.active_book

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.open_books))


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[str] = []
        self.books = FakeBooks()

    def add(self, book: FakeBook, active: bool = False) -> FakeBook:
        """Open ``book`` in this Excel instance (it then alerts through this app)."""
        book.app = self
        self.books.open_books.append(book)
        if active or self.books.active_book is None:
            self.books.active_book = book
        return book

    def alert(self, prompt: str, title: str | None = None, **_: Any) -> None:
        self.alerts.append(prompt)


class FakeXlwings:
    """The parts of the ``xlwings`` module the ribbon entry point uses."""

    def __init__(self, app: FakeApp, caller: FakeBook | None) -> None:
        self.books = app.books
        self.apps = SimpleNamespace(active=app)
        outer = self

        class Book:
            @staticmethod
            def caller() -> FakeBook:
                if outer.pressed is None:
                    raise RuntimeError("Book.caller() needs to be called from Excel")
                return outer.pressed

        self.pressed = caller
        self.Book = Book


class FakeSelection:
    def __init__(self, sheet: FakeSheet, row: int) -> None:
        self.sheet, self.row = sheet, row


class FakeBook:
    def __init__(self, fullname: Path) -> None:
        self.fullname = str(fullname)
        self.name = fullname.name
        self.sheets = FakeSheets(self)
        self.app = FakeApp()
        self.active_sheet = ""
        self.selection: FakeSelection | None = None
        self.calls = 0

    @classmethod
    def from_xlsx(cls, path: Path) -> FakeBook:
        book = cls(path)
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            sheet = book.sheets.add(ws.title, after=book.sheets[len(book.sheets) - 1] if len(book.sheets) else None)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None and cell.value != "":
                        sheet.cells[(cell.row, cell.column)] = cell.value
        return book

    def select(self, sheet: str, row: int) -> None:
        self.selection = FakeSelection(self.sheets[sheet], row)


__all__ = ["FakeApp", "FakeBook", "FakeRange", "FakeXlwings", "get_column_letter", "line_book"]


def line_book(
    lines: list[list[object]],
    calendar: list[list[object]] | None = None,
    name: str = "台账.xlsx",
) -> FakeBook:
    """A workbook with an 订单 sheet (for calling cells) and the given 产线 and 日历
    rows (header first), as a UDF's ``caller.sheet.book`` sees it."""
    book = FakeBook(Path("/fake") / name)
    orders = book.sheets.add("订单")
    orders.cells[(1, 1)] = "订单号"
    for title, rows in (("产线", lines), ("日历", calendar)):
        if rows is None:
            continue
        sheet = book.sheets.add(title, after=book.sheets[len(book.sheets) - 1])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cells[(r, c)] = value
    return book
