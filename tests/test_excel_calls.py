"""Few calls into Excel: each ribbon handler reads and writes whole blocks, so the
number of calls it makes into the workbook (counted by the double: every range
taken from a sheet) does not grow with the ledger's rows.

Counts measured here (demo ledger / the demo with its 订单 sheet grown to 10,000
rows): check 57/57, alerts 43/43, capacity 29/29, whatif 26/26, delivery notes
10/10, statement 9/9, settings 0/0, about 0/0; work orders 19 whether 6 or about 300
work orders are appended (one call per column; it was one per cell, about 8 per
work order, before)."""

from __future__ import annotations

import copy
from datetime import date, datetime
from pathlib import Path

import pytest
from xw_double import FakeBook

from gendan_xl.demo import build_demo
from gendan_xl.excel.buttons import dispatch
from gendan_xl.excel.live import LiveWorkbook, column_runs
from gendan_xl.write.demo_book import write_demo

AS_OF = date(2026, 11, 26)
ORDER_HEADER_ROW = 3  # the demo's 订单 sheet has a title and a note above its header
ROWS = 10_000


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(build_demo(), tmp_path_factory.mktemp("demo") / "演示台账.xlsx")


@pytest.fixture(scope="module")
def pristine(demo_path: Path) -> FakeBook:
    return FakeBook.from_xlsx(demo_path)


def grown(pristine: FakeBook, rows: int) -> FakeBook:
    """The demo with its 订单 sheet grown to ``rows`` order lines: copies of its
    first line, each a new order due in March 2027 (clean: no new findings)."""
    book = copy.deepcopy(pristine)
    orders = book.sheets["订单"]
    first = ORDER_HEADER_ROW + 1
    template = {c: v for (r, c), v in orders.cells.items() if r == first}
    last = max(r for r, _c in orders.cells)
    header = {v: c for (r, c), v in orders.cells.items() if r == ORDER_HEADER_ROW}
    for k in range(rows - (last - ORDER_HEADER_ROW)):
        row = last + 1 + k
        for column, value in template.items():
            orders.cells[(row, column)] = value
        orders.cells[(row, header["订单号"])] = f"BIG{k:05d}"
        orders.cells[(row, header["交期"])] = datetime(2027, 3, 1)
    return book


def calls(book: FakeBook, tag: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    book.fullname = str(folder / book.name)  # documents are written beside the ledger
    book.select("订单", ORDER_HEADER_ROW + 2)  # 对账单 is for the selected row's customer
    book.calls = 0
    dispatch(LiveWorkbook(book), tag, AS_OF)  # type: ignore[arg-type]
    assert book.app.alerts or tag == "settings"
    assert not any(a.startswith("出错了") for a in book.app.alerts), book.app.alerts
    return book.calls


@pytest.mark.parametrize(
    "tag", ["check", "alerts", "capacity", "whatif", "delivery_notes", "statement", "settings", "about"]
)
def test_calls_do_not_grow_with_rows(pristine: FakeBook, demo_path: Path, tmp_path: Path, tag: str) -> None:
    small = calls(copy.deepcopy(pristine), tag, tmp_path / "demo")
    big_book = grown(pristine, ROWS)
    assert max(r for r, _c in big_book.sheets["订单"].cells) == ORDER_HEADER_ROW + ROWS
    big = calls(big_book, tag, tmp_path / "big")
    assert big == small, (tag, small, big)
    assert small <= 5 * len(pristine.sheets) + 10  # a few calls per sheet read, whatever the rows


def test_appending_work_orders_costs_a_call_per_column(pristine: FakeBook, demo_path: Path, tmp_path: Path) -> None:
    # The ribbon makes documents for a saved workbook: its file is on disk (lock,
    # journal) while the rows come from the open workbook.
    for folder in (tmp_path / "demo", tmp_path / "big"):
        folder.mkdir()
        (folder / pristine.name).write_bytes(demo_path.read_bytes())
    small_book = copy.deepcopy(pristine)
    small = calls(small_book, "work_orders", tmp_path / "demo")
    big_book = grown(pristine, 600)  # about 300 more open lines: as many more work orders
    big = calls(big_book, "work_orders", tmp_path / "big")
    sheet = big_book.sheets["工单"]
    appended = max(r for r, _c in sheet.cells) - max(r for r, _c in small_book.sheets["工单"].cells)
    assert appended >= 290
    assert big == small, (small, big)


def test_column_runs() -> None:
    assert column_runs({"B2": 1, "B3": 2, "D2": 3, "B5": 4, "$AA$10": 5}) == [
        ((2, 2), [1, 2]),
        ((5, 2), [4]),
        ((2, 4), [3]),
        ((10, 27), [5]),
    ]
    assert column_runs({"C9": None, "C7": "x", "C8": "=1"}) == [((7, 3), ["x", "=1", None])]
    with pytest.raises(ValueError, match="not a cell address"):
        column_runs({"A1:B2": 1})


def test_block_writes_keep_text_safe(pristine: FakeBook) -> None:
    book = copy.deepcopy(pristine)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    live.write_cells("订单", {"Q4": "=SUM(1)", "Q5": "+86", "Q6": None})
    sheet = book.sheets["订单"]
    assert sheet.cell("Q4") == "'=SUM(1)" and sheet.cell("Q5") == "'+86" and sheet.cell("Q6") is None

