"""Ribbon handlers on an in-memory double of the demo ledger give the same
numbers as the CLI on the file."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from xw_double import FakeBook

from gendan_xl import cli
from gendan_xl.demo import build_demo
from gendan_xl.documents.numbers import JOURNAL_NAME
from gendan_xl.engine import check
from gendan_xl.excel.buttons import (
    ALERT_SHEET,
    CAPACITY_SHEET,
    HANDLERS,
    ISSUE_SHEET,
    WHATIF_SHEET,
    dispatch,
    on_check,
)
from gendan_xl.excel.live import MARK_SHEET, NOTE_PREFIX, LiveWorkbook, as_text_safe
from gendan_xl.model import STATUS_LABEL
from gendan_xl.write.demo_book import write_demo
from gendan_xl.write.docs_book import assignments_path

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
    key = (bad.ref.row or 0, _col(bad.ref.column or "A"))
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


# --- planning, documents: the same numbers as the CLI on the file ------------------------


def _cli_json(*argv: str) -> dict:  # type: ignore[type-arg]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(list(argv))
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def pristine(demo_path: Path) -> FakeBook:
    return FakeBook.from_xlsx(demo_path)


def _book(pristine: FakeBook, path: Path) -> FakeBook:
    """A fresh double of the demo ledger, as if opened from ``path``."""
    book = copy.deepcopy(pristine)
    book.fullname, book.name = str(path), path.name
    return book


def _copy(demo_path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(demo_path, folder / demo_path.name))


@pytest.fixture(scope="module")
def plan_json(demo_path: Path) -> dict:  # type: ignore[type-arg]
    return _cli_json("plan", str(demo_path), "--as-of", AS_OF.isoformat(), "--json")


def _rows(sheet, first: int = 1):  # type: ignore[no-untyped-def]
    """The sheet's rows from ``first`` as lists (up to its last used column)."""
    last_row, last_col = sheet.used_range.last
    return [[sheet.cells.get((r, c)) for c in range(1, last_col + 1)] for r in range(first, last_row + 1)]


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def test_alerts_handler_matches_plan(demo_path: Path, pristine: FakeBook, plan_json: dict) -> None:  # type: ignore[type-arg]
    book = _book(pristine, demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "alerts", AS_OF)
    sheet = book.sheets[ALERT_SHEET]
    rows = _rows(sheet)
    head = rows[0]
    assert head[:2] == ["订单号", "行号"] and "预计完工" in head and "状态" in head
    col = {h: i for i, h in enumerate(head)}
    shown = {
        (r[col["订单号"]], r[col["行号"]]): (_iso(r[col["预计完工"]]), r[col["延误天数"]], r[col["状态"]])
        for r in rows[1:]
    }
    labels = {s.value: label for s, label in STATUS_LABEL["zh"].items()}
    cli_open = {
        # 延误天数 only where a line is late; the JSON keeps the signed value.
        (o["order_no"], str(o["line_no"])): (
            o["forecast_finish"], o["days_late"] if (o["days_late"] or 0) > 0 else None, labels[o["status"]]
        )
        for o in plan_json["orders"]
        if o["status"] not in ("done", "cancelled")
    }
    assert shown == cli_open
    assert len(rows) - 1 == len(cli_open) > 50
    # Most severe first, statuses in Chinese, dates formatted as dates.
    assert rows[1][col["状态"]] == "已逾期"
    assert sheet.formats[(2, col["预计完工"] + 1)] == "yyyy-mm-dd"
    assert "已逾期" in book.app.alerts[-1] and book.active_sheet == ALERT_SHEET
    # Rows are filled by status across the whole table; on-track rows stay plain.
    width = len(head)
    for i, r in enumerate(rows[1:], start=2):
        status = r[col["状态"]]
        fills = {sheet.colors.get((i, c)) for c in range(1, width + 1)}
        if status in ("已逾期", "将延误", "有风险"):
            assert len(fills) == 1 and None not in fills, (i, status)
        elif status == "正常":
            assert fills == {None}, (i, status)
    # A second click refreshes the sheet: same rows, no second sheet.
    names = [s.name for s in book.sheets]
    dispatch(live, "alerts", AS_OF)
    assert [s.name for s in book.sheets] == names
    assert _rows(book.sheets[ALERT_SHEET]) == rows


def test_capacity_handler_matches_plan(demo_path: Path, pristine: FakeBook, plan_json: dict) -> None:  # type: ignore[type-arg]
    book = _book(pristine, demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "capacity", AS_OF)
    rows = _rows(book.sheets[CAPACITY_SHEET])
    assert rows[0][:8] == ["产线", "周", "可用工时", "需求工时", "需求负荷率", "排产工时", "排产负荷率", "负荷"]
    weeks = [r for r in rows[1:] if r[1] and str(r[1])[4:6] == "-W"]
    cli_weeks = {
        (c["line"], c["period"]): (c["available_hours"], c["required_hours"], c["scheduled_hours"])
        for c in plan_json["capacity"]
        if "-W" in c["period"]
    }
    assert len(weeks) >= 3 * 4
    for line, week, available, required, req_util, scheduled, util, load in (r[:8] for r in weeks):
        assert cli_weeks[(line, week)] == pytest.approx((available, required, scheduled), abs=1e-3)
        assert util == pytest.approx(scheduled / available) if available else util is None
        assert req_util == pytest.approx(required / available) if available else req_util is None
        # The load level follows the required load: over 100% is 超负荷.
        assert load in ("正常", "偏高", "满负荷", "超负荷", "休息")
        assert (load == "超负荷") == bool(available and required / available > 1.0005)
    assert weeks[0][1] == "2026-W48"  # from the as-of week on
    assert any(r[7] == "超负荷" for r in weeks)  # the demo has overloaded weeks
    # The demo's 预测 sheet: the soft load of each week, as in the plan, beside the firm hours.
    assert rows[0][8] == "预测工时"
    cli_forecast = {(c["line"], c["period"]): c["forecast_hours"] for c in plan_json["capacity"] if "-W" in c["period"]}
    assert all(cli_forecast[(r[0], r[1])] == pytest.approx(r[8], abs=1e-3) for r in weeks)
    assert any(r[8] > 0 for r in weeks)
    # The overload episodes follow the weeks, one row each, as in the plan.
    title = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("超负荷"))
    assert rows[title + 1][:4] == ["产线", "开始日期", "缺口最大日", "缺口工时"]
    shortfalls = [r for r in rows[title + 2:] if r[0]]
    assert len(shortfalls) == len(plan_json["overloads"]) > 0
    assert sorted((r[0], _iso(r[1]), _iso(r[2]), r[3]) for r in shortfalls) == sorted(
        (o["line"], o["from"], o["by_date"], o["shortfall_hours"]) for o in plan_json["overloads"]
    )
    dispatch(live, "capacity", AS_OF)
    assert _rows(book.sheets[CAPACITY_SHEET]) == rows
    assert [s.name for s in book.sheets].count(CAPACITY_SHEET) == 1


def _set_inputs(book: FakeBook, **values: object) -> None:
    sheet = book.sheets[WHATIF_SHEET]
    labels = {"item": "产品编码", "qty": "数量", "due": "交期", "line": "产线", "priority": "优先级"}
    for key, value in values.items():
        row = next(r for (r, c), v in sheet.cells.items() if c == 1 and v == labels[key])
        if value is None:
            sheet.cells.pop((row, 2), None)
        else:
            sheet.cells[(row, 2)] = value


def _whatif_result(book: FakeBook) -> tuple[tuple, list[tuple]]:  # type: ignore[type-arg]
    """(finish, days late, status) and the moved table from the result beside the inputs."""
    sheet = book.sheets[WHATIF_SHEET]
    cell = {v: r for (r, c), v in sheet.cells.items() if c == 5}
    new = tuple(sheet.cells.get((cell[label], 6)) for label in ("预计完工", "延误天数(负数为提前)", "状态"))
    moved = []
    if "订单号" in cell:
        r = cell["订单号"] + 1
        while (r, 5) in sheet.cells:
            v = [sheet.cells.get((r, c)) for c in range(5, 15)]
            moved.append((v[0], v[1], _iso(v[5]), _iso(v[6]), v[7], v[8] == "是"))
            r += 1
    return new, moved


def _cli_whatif(demo_path: Path, item: str, qty: int, due: date, priority: str) -> dict:  # type: ignore[type-arg]
    return _cli_json(
        "whatif", str(demo_path), "--item", item, "--qty", str(qty), "--due", due.isoformat(),
        "--priority", priority, "--as-of", AS_OF.isoformat(), "--json",
    )


def test_whatif_handler_matches_cli(demo_path: Path, pristine: FakeBook) -> None:
    book = _book(pristine, demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    # First click: the input sheet with a filled-in example from the ledger, no result yet.
    dispatch(live, "whatif", AS_OF)
    sheet = book.sheets[WHATIF_SHEET]
    items = {v for (r, c), v in book.sheets["产品"].cells.items() if c == 1 and r > 1}
    assert sheet.cell("A2") == "产品编码" and sheet.cell("B2") in items
    assert isinstance(sheet.cell("B4"), date) and sheet.cell("E1") is None
    assert "示例" in book.app.alerts[-1] and book.active_sheet == WHATIF_SHEET

    # A rush order that pushes lines back, some of them past their date. A longer
    # result of an earlier click (stale cells right of the inputs) is cleared first.
    for r in range(1, 80):
        sheet.cells[(r, 7)] = "旧结果"
    _set_inputs(book, item="ZZ-3003", qty="2,000", due="2026-12-04", line=None, priority="特急")
    dispatch(live, "whatif", AS_OF)
    expected = _cli_json(
        "whatif", str(demo_path), "--item", "ZZ-3003", "--qty", "2000", "--due", "2026-12-04",
        "--as-of", AS_OF.isoformat(), "--json",
    )
    new, moved = _whatif_result(book)
    labels = {s.value: label for s, label in STATUS_LABEL["zh"].items()}
    assert (_iso(new[0]), new[1], new[2]) == (
        expected["new"]["forecast_finish"], expected["new"]["days_late"], labels[expected["new"]["status"]]
    )
    assert moved == [
        (m["order_no"], str(m["line_no"]), m["before"], m["after"], m["delta_days"], m["becomes_late"])
        for m in expected["moved"]
    ]
    assert len(moved) > 5 and any(m[5] for m in moved)
    assert "旧结果" not in sheet.cells.values()
    assert sheet.used_range.last[0] == 8 + len(moved)  # the moved table's header is row 8
    assert sheet.cell("B2") == "ZZ-3003" and sheet.cell("B3") == "2,000"  # inputs as typed
    assert sheet.formats[(9, 9)] == "yyyy-mm-dd"  # 承诺交期 of the first moved line
    assert [s.name for s in book.sheets].count(WHATIF_SHEET) == 1
    assert "另有" in book.app.alerts[-1]


def test_whatif_bad_inputs_give_one_message(demo_path: Path, pristine: FakeBook) -> None:
    book = _book(pristine, demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "whatif", AS_OF)
    _set_inputs(book, qty="很多", due="下周")
    dispatch(live, "whatif", AS_OF)
    assert len(book.app.alerts) == 2
    message = book.app.alerts[-1]
    assert "数量" in message and "交期" in message and "Error" not in message
    assert book.sheets[WHATIF_SHEET].cell("E1") is None


def _assigned(path: Path) -> list[list[object]]:
    """The 分配结果 beside a document workbook (a file of its own): number, kind,
    date, customer, order, qty, file, sheet, rows (the 状态 column says whether it
    was written back)."""
    wb = openpyxl.load_workbook(assignments_path(path), read_only=True)
    rows = [list(r)[:9] for r in wb["分配结果"].iter_rows(values_only=True)]
    wb.close()
    return rows


def _journal(folder: Path) -> list[str]:
    lines = (folder / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["number"] for line in lines]


def _row_numbers(text: str) -> list[int]:
    """``"191"``, ``"192-193"``, ``"3,5-6"`` as row numbers."""
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def test_work_orders_handler_matches_cli(demo_path: Path, pristine: FakeBook, tmp_path: Path) -> None:
    cli_file = _copy(demo_path, tmp_path / "cli")
    xl_file = _copy(demo_path, tmp_path / "excel")
    # Exit 1: the demo's XS2611048-2 (item SJ-1O03, not on 产品) needs a work order but
    # its row has an error, so it is skipped and said so.
    assert cli.main(["docs", "work-orders", str(cli_file), "--as-of", AS_OF.isoformat(),
                     "--out", str(cli_file.parent)]) == cli.EXIT_ERRORS
    book = _book(pristine, xl_file)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    sheet = book.sheets["工单"]
    last = max(r for r, _c in sheet.cells)
    dispatch(live, "work_orders", AS_OF)

    numbers = _journal(cli_file.parent)
    assert _journal(xl_file.parent) == numbers and len(numbers) >= 3
    name = f"制造命令单_{AS_OF:%Y%m%d}_{numbers[0]}.xlsx"
    assert book.app.books.opened == [str(xl_file.parent / name)]
    assert _assigned(xl_file.parent / name) == _assigned(cli_file.parent / name)
    # Appended below the last row, under the sheet's own headers.
    head = {sheet.cells[(1, c)]: c for c in range(1, 11)}
    assigned = _assigned(cli_file.parent / name)[1:]
    skipped = [r for r in assigned if not r[0]]
    assert [(r[1], r[4]) for r in skipped] == [("工单", "XS2611048-2")]
    orders = {r[0]: r[4] for r in assigned if r[0]}
    for i, number in enumerate(numbers, start=1):
        assert sheet.cells[(last + i, head["工单号"])] == number
        assert sheet.cells[(last + i, head["订单号"])] == orders[number]
        assert sheet.cells[(last + i, head["状态"])] == "未开工"
    assert max(r for r, _c in sheet.cells) == last + len(numbers)
    assert f"{len(numbers)} 张工单" in book.app.alerts[-1]

    # A second click finds nothing left to do: no new rows, no new numbers.
    dispatch(live, "work_orders", AS_OF)
    assert max(r for r, _c in sheet.cells) == last + len(numbers)
    assert _journal(xl_file.parent) == numbers
    assert "没有可下的工单" in book.app.alerts[-1] and "XS2611048-2" in book.app.alerts[-1]


def test_delivery_notes_handler_matches_cli(demo_path: Path, pristine: FakeBook, tmp_path: Path) -> None:
    cli_file = _copy(demo_path, tmp_path / "cli")
    xl_file = _copy(demo_path, tmp_path / "excel")
    assert cli.main(["docs", "delivery-notes", str(cli_file), "--as-of", AS_OF.isoformat(),
                     "--out", str(cli_file.parent)]) == cli.EXIT_OK
    book = _book(pristine, xl_file)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "delivery_notes", AS_OF)

    numbers = _journal(cli_file.parent)
    assert _journal(xl_file.parent) == numbers and len(numbers) >= 3
    name = f"送货单_{AS_OF:%Y%m%d}_{numbers[0]}.xlsx"
    assert book.app.books.opened == [str(xl_file.parent / name)]
    assigned = _assigned(cli_file.parent / name)
    assert _assigned(xl_file.parent / name) == assigned
    # Each number sits in the 送货单号 cell of each of its 出货 rows.
    sheet = book.sheets["出货"]
    column = next(c for (r, c), v in sheet.cells.items() if v == "送货单号")
    filled = 0
    for number, *_rest, rows in assigned[1:]:
        for row in _row_numbers(str(rows)):
            assert sheet.cells[(row, column)] == number
            filled += 1
    assert filled > len(numbers)  # some notes carry several rows

    dispatch(live, "delivery_notes", AS_OF)
    assert _journal(xl_file.parent) == numbers
    assert "没有需要开送货单" in book.app.alerts[-1]


def test_delivery_notes_add_the_note_column_when_missing(workbook, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = workbook({
        "订单": [["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期"],
                 ["SO1", 1, "华信", "P1", 100, date(2026, 11, 1), date(2026, 12, 1)],
                 ["SO2", 1, "东晟", "P1", 50, date(2026, 11, 2), date(2026, 12, 2)]],
        "产品": [["产品编码", "标准产能"], ["P1", 100]],
        "出货": [["出货日期", "订单号", "行号", "数量", "备注"],
                 [date(2026, 11, 25), "SO1", 1, 60, "先出一部分"],
                 [date(2026, 11, 25), "SO2", 1, 50, None],
                 [date(2026, 11, 26), "SO1", 1, 40, None]],
    })
    book = FakeBook.from_xlsx(path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "delivery_notes", AS_OF)
    sheet = book.sheets["出货"]
    assert sheet.cell("F1") == "送货单号"  # the first free column
    # One note per customer and day, numbered by day (customers in name order).
    assert {sheet.cell("F2"), sheet.cell("F3")} == {"SH20261125001", "SH20261125002"}
    assert sheet.cell("F4") == "SH20261126001"
    assert sheet.cell("E2") == "先出一部分"


def _statement(path: Path) -> list[tuple]:  # type: ignore[type-arg]
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [tuple(r) for r in wb["对账单"].iter_rows(values_only=True)]
    wb.close()
    return rows


def test_statement_handler_picks_the_selected_customer(
    demo_path: Path, pristine: FakeBook, tmp_path: Path
) -> None:
    cli_file = _copy(demo_path, tmp_path / "cli")
    xl_file = _copy(demo_path, tmp_path / "excel")
    book = _book(pristine, xl_file)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    name = "对账单_华信电子_2026-11.xlsx"

    # Nothing selected (or a header row): the clerk is asked to select a row.
    dispatch(live, "statement", AS_OF)
    book.select("订单", 3)
    dispatch(live, "statement", AS_OF)
    assert book.app.books.opened == [] and all("选中" in a for a in book.app.alerts)

    # A 出货 row of an order of 华信电子: its customer, the as-of month up to its 对账日 (25).
    orders = book.sheets["订单"]
    hx_orders = {orders.cells[(r, 1)] for (r, c), v in orders.cells.items() if c == 3 and v == "华信电子"}
    ship = book.sheets["出货"]
    row = next(r for (r, c), v in sorted(ship.cells.items()) if c == 2 and v in hx_orders)
    book.select("出货", row)
    dispatch(live, "statement", AS_OF)
    assert book.app.books.opened == [str(xl_file.parent / name)]
    assert "2026-10-26 至 2026-11-25" in book.app.alerts[-1]
    cli.main(["docs", "statement", str(cli_file), "--customer", "华信电子", "--period", "2026-11",
              "--as-of", AS_OF.isoformat(), "--out", str(cli_file.parent)])
    assert _statement(xl_file.parent / name) == _statement(cli_file.parent / name)

    # A 订单 row and a 客户 row name their customer directly.
    order_row = next(r for (r, c), v in orders.cells.items() if c == 3 and v == "东晟电器")
    book.select("订单", order_row)
    dispatch(live, "statement", AS_OF)
    assert book.app.books.opened[-1].endswith("对账单_东晟电器_2026-11.xlsx")
    customers = book.sheets["客户"]
    book.select("客户", next(r for (r, c), v in customers.cells.items() if c == 1 and v == "凯达照明"))
    dispatch(live, "statement", AS_OF)
    assert book.app.books.opened[-1].endswith("对账单_凯达照明_2026-11.xlsx")
    assert "2026-11-01 至 2026-11-30" in book.app.alerts[-1]  # no 对账日: the calendar month


def test_documents_need_a_saved_workbook() -> None:
    book = FakeBook(Path("工作簿1"))  # never saved: Excel gives no folder
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    for tag in ("work_orders", "delivery_notes", "statement", "material_issues"):
        dispatch(live, tag, AS_OF)
    assert len(book.app.alerts) == 4 and all("请先保存" in a for a in book.app.alerts)


def test_shortages_handler_matches_the_report(demo_path: Path, pristine: FakeBook) -> None:
    """欠料: the 欠料表 sheet holds the report's 欠料表 rows (the demo has a BOM)."""
    from gendan_xl.engine import check_ledger, report_data
    from gendan_xl.read import read_ledger

    book = _book(pristine, demo_path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "shortages", AS_OF)
    rows = _rows(book.sheets["欠料表"])
    ledger = read_ledger(demo_path, AS_OF)
    data = report_data(ledger, check_ledger(ledger, AS_OF), AS_OF)
    assert data.shortages is not None and len(data.shortages) > 0
    assert len(rows) - 1 == len(data.shortages)
    assert rows[0][0] == "工单号"
    assert [r[0] for r in rows[1:]] == [None if v != v else v for v in data.shortages["wo_no"]]
    assert "欠料" in book.app.alerts[-1] and book.active_sheet == "欠料表"
    # A second click refreshes it in place.
    dispatch(live, "shortages", AS_OF)
    assert [s.name for s in book.sheets].count("欠料表") == 1


def test_review_handler_matches_cli(demo_path: Path, pristine: FakeBook, tmp_path: Path) -> None:
    """订单评审: the 订单评审 sheet holds the CLI's lines (same verdicts and dates), the
    printable 订单评审表 is written beside the saved ledger, and the ledger's cells
    are not touched (回复交期 stays for the clerk)."""
    path = _copy(demo_path, tmp_path / "review")
    book = _book(pristine, path)
    before = {name: dict(book.sheets[name].cells) for name in ("订单",)}
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "review", AS_OF)
    cli_lines = _cli_json("review", str(demo_path), "--as-of", AS_OF.isoformat(), "--json")["lines"]
    assert cli_lines  # the demo has order lines of the last week without 回复交期 or work order
    rows = _rows(book.sheets["订单评审"])
    assert rows[0][:10] == ["订单行", "客户", "产品编码", "数量", "要求交期", "最早完工", "可承诺交期", "回复客户交期",
                            "物料齐套", "结论"]
    assert [[r[0], _iso(r[4]), _iso(r[5]), _iso(r[6]), _iso(r[7]), r[9]] for r in rows[1:]] == [
        [ln["key"], ln["due_date"], ln["earliest_finish"], ln["promise_date"], ln["reply_date"], ln["verdict"]]
        for ln in cli_lines
    ]
    assert book.active_sheet == "订单评审" and "订单评审:" in book.app.alerts[-1]
    assert (tmp_path / "review" / f"订单评审表_{AS_OF:%Y%m%d}.xlsx").exists()
    assert {name: dict(book.sheets[name].cells) for name in ("订单",)} == before
