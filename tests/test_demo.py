"""The demo ledger: deterministic, the promised size, its layout matched by the
schema, and every planted mistake really sitting in the written workbook."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from xlsx_lint import lint_xlsx

from gendan_xl.demo import DEFAULT_AS_OF, DemoData, ExcelError, build_demo
from gendan_xl.model import ISSUE_TYPES
from gendan_xl.schema import SHEETS, match_column, match_sheet
from gendan_xl.write.demo_book import write_demo


def _dates(values: Iterable[object]) -> list[date]:
    return [v for v in values if isinstance(v, date)]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return build_demo()


@pytest.fixture(scope="module")
def demo_path(demo: DemoData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(demo, tmp_path_factory.mktemp("demo") / "demo.xlsx")


def test_same_seed_same_bytes(demo_path: Path, tmp_path: Path) -> None:
    again = write_demo(build_demo(), tmp_path / "again.xlsx")
    assert again.read_bytes() == demo_path.read_bytes()


def test_other_seed_other_data() -> None:
    a = build_demo(seed=7).sheet("orders").rows
    b = build_demo(seed=8).sheet("orders").rows
    assert a != b


def test_sizes(demo: DemoData) -> None:
    assert len(demo.sheet("lines").rows) == 3
    assert 35 <= len(demo.sheet("items").rows) <= 45
    assert 280 <= len(demo.sheet("orders").rows) <= 320
    assert 6 <= len(demo.sheet("customers").rows) <= 10
    orders = demo.sheet("orders")
    order_nos = {r[orders.columns.index("order_no")] for r in orders.rows}
    # most order lines have a work order
    assert len(demo.sheet("work_orders").rows) >= 0.85 * len(orders.rows)
    assert len(demo.sheet("daily").rows) > 300
    assert len(demo.sheet("shipments").rows) > 100
    assert len(order_nos) > 100


def test_every_sheet_present_once(demo: DemoData) -> None:
    keys = [s.spec.key for s in demo.sheets]
    assert sorted(keys) == sorted(s.key for s in SHEETS)


def test_story_is_plausible(demo: DemoData) -> None:
    orders = demo.sheet("orders")
    col = orders.columns.index
    statuses = Counter(r[col("status")] for r in orders.rows)
    priorities = Counter(r[col("priority")] for r in orders.rows)
    assert statuses["正常"] > 0.6 * len(orders.rows)
    assert {"暂停", "取消", "完成"} <= set(statuses)
    assert priorities["普通"] > 0.7 * len(orders.rows)
    assert {"急", "特急"} <= set(priorities)
    order_dates = _dates(r[col("order_date")] for r in orders.rows)
    assert min(order_dates) >= date(2026, 8, 1)
    assert max(order_dates) <= DEFAULT_AS_OF
    assert any(r[col("promised_date")] for r in orders.rows)
    assert any(r[col("changed_date")] for r in orders.rows)

    daily = demo.sheet("daily")
    dcol = daily.columns.index
    assert max(_dates(r[dcol("date")] for r in daily.rows)) < DEFAULT_AS_OF
    assert {"欠料", "品质", "设备"} <= {r[dcol("exception")] for r in daily.rows}
    assert {r[dcol("line")] for r in daily.rows} == {r[0] for r in demo.sheet("lines").rows}

    ships = demo.sheet("shipments")
    scol = ships.columns.index
    notes = [r[scol("note_no")] for r in ships.rows]
    assert any(n is None for n in notes), "recent shipments without a delivery note number"
    assert any(isinstance(n, str) and n.startswith("SH") for n in notes)
    signed = [r[scol("signed_date")] for r in ships.rows if r[scol("note_no")]]
    assert any(s is None for s in signed) and any(s is not None for s in signed)
    assert max(_dates(r[scol("ship_date")] for r in ships.rows)) <= DEFAULT_AS_OF

    kinds = {r[2] for r in demo.sheet("calendar").rows}
    assert {"休息", "加班"} <= kinds


def test_sheet_names_and_headers_match_the_schema(demo: DemoData, demo_path: Path) -> None:
    wb = openpyxl.load_workbook(demo_path, read_only=True)
    try:
        assert wb.sheetnames == [s.name for s in demo.sheets]
        for sheet in demo.sheets:
            assert match_sheet(sheet.name) == sheet.spec.key
            header = next(wb[sheet.name].iter_rows(min_row=sheet.header_row, max_row=sheet.header_row,
                                                   values_only=True))
            written = [h for h in header if h is not None]
            assert written == sheet.headers
            assert [match_column(sheet.spec.key, h) for h in written] == sheet.columns
            for spec_col in sheet.spec.required_columns:
                assert spec_col.key in sheet.columns
    finally:
        wb.close()


def test_orders_sheet_looks_like_a_clerks(demo: DemoData, demo_path: Path) -> None:
    wb = openpyxl.load_workbook(demo_path)
    ws = wb[demo.sheet("orders").name]
    assert ws["A1"].value == "2026年11月订单跟踪表"
    assert "A1:R1" in {str(r) for r in ws.merged_cells.ranges}  # A..R: the 18 columns incl. 客户料号
    assert demo.sheet("orders").header_row == 3
    assert ws.freeze_panes == "B4"
    assert ws["K4"].number_format == "yyyy-mm-dd"
    assert isinstance(ws["K4"].value, datetime)
    assert ws["A4"].font.name  # a named font, not the default fallback
    assert ws.max_row == 3 + len(demo.sheet("orders").rows) + 2  # blank row, then 合计
    assert ws.cell(ws.max_row, 1).value == "合计"


def test_planted_cells_hold_the_planted_values(demo: DemoData, demo_path: Path) -> None:
    assert len(demo.planted) >= 10
    codes = {p.code for p in demo.planted}
    assert {
        "bad-date", "bad-number", "duplicate-key", "unknown-order", "unknown-item",
        "unknown-work-order", "over-shipped", "due-before-order", "duplicate-report-row",
        "excel-error",
    } <= codes
    assert codes <= set(ISSUE_TYPES)
    formulas = openpyxl.load_workbook(demo_path)
    values = openpyxl.load_workbook(demo_path, data_only=True)
    for p in demo.planted:
        cell = formulas[p.sheet][p.cell]
        cached = values[p.sheet][p.cell]
        if isinstance(p.value, ExcelError):
            assert cell.value == "=" + p.value.formula
            assert cached.value == p.value.code and cached.data_type == "e"
        elif isinstance(p.value, date):
            assert cell.value == datetime.combine(p.value, datetime.min.time()), p
        else:
            assert cell.value == p.value, p
    assert values["订单"][next(p.cell for p in demo.planted if p.code == "bad-date")].value == "2026/13/45"
    assert values["订单"][next(p.cell for p in demo.planted if p.code == "bad-number")].value == "约500"


def test_planted_values_are_wrong_in_the_way_described(demo: DemoData) -> None:
    orders = demo.sheet("orders")
    by_code = {p.code: p for p in demo.planted}
    item_codes = {r[0] for r in demo.sheet("items").rows}
    wo_nos = {r[0] for r in demo.sheet("work_orders").rows}
    order_nos = {r[0] for r in orders.rows}
    assert by_code["unknown-item"].value not in item_codes
    assert by_code["unknown-work-order"].value not in wo_nos
    assert by_code["unknown-order"].value not in order_nos
    dup_row = int(by_code["duplicate-key"].cell[1:]) - orders.header_row - 1
    assert orders.rows[dup_row] == orders.rows[dup_row - 1]
    daily = demo.sheet("daily")
    rep_row = int(by_code["duplicate-report-row"].cell[1:]) - daily.header_row - 1
    assert daily.rows[rep_row] == daily.rows[rep_row - 1]


def test_workbook_is_structurally_clean(demo_path: Path) -> None:
    assert lint_xlsx(demo_path) == []


def test_other_as_of_still_builds() -> None:
    data = build_demo(as_of=date(2026, 10, 30), seed=3)
    assert data.planted
    assert max(_dates(r[0] for r in data.sheet("daily").rows)) < date(2026, 10, 30)


def test_demo_has_an_order_late_because_of_material(demo_path: Path) -> None:
    """The demo's material sheets: one item's masterbatch arrives after its order
    line's date, so at least one open line is late (or overdue) for 欠料."""
    from gendan_xl.engine import check
    from gendan_xl.plan import plan_ledger

    checked = check(demo_path, DEFAULT_AS_OF)
    plan = plan_ledger(checked.ledger, DEFAULT_AS_OF)
    late = plan.orders[(plan.orders["reason"] == "material_shortage") & plan.orders["status"].isin(["late", "overdue"])]
    assert len(late) >= 1
    assert plan.materials is not None and len(plan.materials.late_purchases) == 1
    assert not {"missing-bom", "over-requisition", "unknown-material"} & {i.code for i in checked.issues}
