"""Ribbon handlers on an in-memory double of the demo ledger give the same
numbers as the CLI on the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from xw_double import FakeBook

from gendan_xl.demo import build_demo
from gendan_xl.engine import check
from gendan_xl.excel.buttons import HANDLERS, ISSUE_SHEET, dispatch, on_check
from gendan_xl.excel.live import MARK_SHEET, NOTE_PREFIX, LiveWorkbook, as_text_safe
from gendan_xl.write.demo_book import write_demo

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(build_demo(), tmp_path_factory.mktemp("demo") / "演示台账.xlsx")


def _flat(issues):  # type: ignore[no-untyped-def]
    return sorted((i.code, i.ref.sheet, i.ref.cell or "", i.value) for i in issues)


def test_check_handler_matches_cli(demo_path: Path) -> None:
    book = FakeBook.from_xlsx(demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    result = on_check(live, AS_OF)
    cli = check(demo_path, AS_OF)
    assert _flat(result.issues) == _flat(cli.issues)
    assert len(result.issues) > 5
    # Every issue with a cell is highlighted, with our note, and listed in 检查结果.
    for issue in result.issues:
        if issue.ref.column and issue.ref.row:
            sheet = book.sheets[issue.ref.sheet]
            key = (issue.ref.row, _col(issue.ref.column))
            assert key in sheet.colors
            assert sheet.notes[key].startswith(NOTE_PREFIX)
    listed = book.sheets[ISSUE_SHEET]
    assert listed.cell("A1") == "级别"
    assert listed.used_range.last[0] == len(result.issues) + 1
    assert book.sheets[MARK_SHEET].visible is False
    assert book.app.alerts and "错误" in book.app.alerts[-1]


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def test_check_handler_clears_previous_marks(demo_path: Path) -> None:
    book = FakeBook.from_xlsx(demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    first = on_check(live, AS_OF)
    bad = next(i for i in first.issues if i.code == "bad-date")
    sheet = book.sheets[bad.ref.sheet]
    key = (bad.ref.row, _col(bad.ref.column or "A"))
    sheet.cells[key] = "2026-11-01"  # the clerk fixes the cell
    second = on_check(live, AS_OF)
    assert "bad-date" not in {i.code for i in second.issues}
    assert key not in sheet.colors and key not in sheet.notes
    # A note the clerk wrote themselves is left alone.
    sheet.notes[(1, 1)] = "my own note"
    on_check(live, AS_OF)
    assert sheet.notes[(1, 1)] == "my own note"


def test_dispatch_turns_errors_into_one_message(demo_path: Path) -> None:
    book = FakeBook.from_xlsx(demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]

    def boom(_live: LiveWorkbook, _as_of: date) -> None:
        raise ValueError("坏了")

    HANDLERS["_boom"] = boom
    try:
        dispatch(live, "_boom", AS_OF)
    finally:
        del HANDLERS["_boom"]
    assert book.app.alerts == ["出错了:ValueError: 坏了"]
    dispatch(live, "no-such-tag", AS_OF)
    assert "未知按钮" in book.app.alerts[-1]


def test_settings_sheet_created_once(tmp_path: Path) -> None:
    book = FakeBook(tmp_path / "空.xlsx")
    book.sheets.add("订单")
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "settings", AS_OF)
    assert book.active_sheet == "设置"
    assert book.sheets["设置"].cell("A2") == "公司名称"
    book.sheets["设置"].cells[(2, 2)] = "宏达"
    dispatch(live, "settings", AS_OF)
    assert book.sheets["设置"].cell("B2") == "宏达"


def test_text_that_looks_like_a_formula_stays_text() -> None:
    assert as_text_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert as_text_safe("普通") == "普通"
    assert as_text_safe(12) == 12
