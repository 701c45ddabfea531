"""The three documents (制造命令单, 送货单, 对账单): what goes on them, and how they
are laid out, as canonical JSON snapshots read back with openpyxl.

Snapshots live in ``tests/snapshots/*.json``. After a deliberate layout change,
regenerate them with ``GENDAN_UPDATE_SNAPSHOTS=1 pytest tests/test_documents.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from xlsx_lint import lint_xlsx

from gendan_xl.documents import common
from gendan_xl.documents.delivery import (
    build_delivery_notes,
    delivery_write_back,
    note_lines_setting,
    note_paper_setting,
)
from gendan_xl.documents.models import DeliveryNote
from gendan_xl.documents.numbers import next_numbers
from gendan_xl.documents.statement import PeriodError, build_statement, parse_period, period_bounds
from gendan_xl.documents.work_orders import (
    build_work_orders,
    pending_lines,
    planned_dates,
    work_order_write_back,
)
from gendan_xl.ledger import Ledger
from gendan_xl.read import read_ledger
from gendan_xl.write.docs_book import (
    ASSIGN_SHEET,
    fit_scale,
    note_row_heights,
    write_delivery_notes,
    write_statement,
    write_work_orders,
)

AS_OF = date(2026, 11, 26)
INJECTION = '=HYPERLINK("http://x","y")'
COMPANY = "东莞市测试五金制品有限公司"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("GENDAN_UPDATE_SNAPSHOTS", "").strip() not in ("", "0")

# ----------------------------------------------------------------- the ledger

ORDER_HEAD = ["订单号", "行号", "客户", "客户PO", "产品编码", "品名", "规格", "数量", "单位", "单价",
              "下单日期", "交期", "回复交期", "变更交期", "优先级", "状态", "备注"]
SHIP_HEAD = ["出货日期", "订单号", "行号", "产品编码", "数量", "箱数", "送货单号", "签回日期", "备注"]
D = date


def ledger_sheets(overflow_lines: int = 12) -> dict[str, list[list[Any]]]:
    """A small ledger as {sheet: rows}: ACME (对账日 25), a customer whose name is a
    formula, an order whose 12 lines ship on one day (a note that overflows)."""
    orders: list[list[Any]] = [
        ORDER_HEAD,
        ["SO-001", 1, "ACME", "PO-A1", "P001", "水杯", "350ml 白色", 1000, "个", 2.6,
         D(2026, 11, 1), D(2026, 12, 10), None, None, "普通", "正常", None],
        ["SO-001", 2, "ACME", "PO-A1", "P002", None, None, 500, None, None,
         D(2026, 11, 1), D(2026, 12, 12), D(2026, 12, 15), None, "普通", "正常", "加急包装"],
        ["SO-002", 1, INJECTION, INJECTION, "P001", None, None, 240, None, None,
         D(2026, 11, 5), D(2026, 12, 5), None, D(2026, 12, 3), "急", "正常", INJECTION],
        ["SO-003", 1, "ACME", "PO-A3", "P003", None, None, 300, None, None,
         D(2026, 11, 6), D(2026, 12, 20), None, None, "普通", "取消", None],
        ["SO-004", 1, "ACME", "PO-A4", "P002", None, None, 100, None, None,
         D(2026, 11, 2), D(2026, 11, 24), None, None, "普通", "正常", None],
    ]
    for i in range(1, overflow_lines + 1):
        item = ("P001", "P002", "P003")[(i - 1) % 3]
        orders.append(["SO-005", i, "ACME", "PO-A5", item, None, None, 100, None, None,
                       D(2026, 11, 3), D(2026, 11, 28), None, None, "普通", "完成", None])
    shipments: list[list[Any]] = [
        SHIP_HEAD,
        [D(2026, 10, 20), "SO-001", 1, "P001", 50, 1, "SH20261020001", D(2026, 10, 22), None],
        [D(2026, 10, 28), "SO-001", 1, "P001", 200, 4, "SH20261028001", D(2026, 10, 30), None],
        [D(2026, 11, 10), "SO-001", 1, "P001", 300, 6, "SH20261110001", None, None],
        [D(2026, 11, 10), "SO-001", 2, "P002", 150, None, "SH20261110001", None, None],
        [D(2026, 11, 26), "SO-001", 1, "P001", 100, 2, "SH20261126001", None, None],
        [D(2026, 11, 24), "SO-004", 1, "P002", 100, None, None, None, "第一批"],
        [D(2026, 11, 25), "SO-002", 1, None, 100, None, None, None, INJECTION],
        [D(2026, 11, 25), "SO-999", 1, "P001", 10, None, None, None, None],
    ]
    for i in range(1, overflow_lines + 1):
        shipments.append([D(2026, 11, 25), "SO-005", i, None, 100, None, None, None, None])
    return {
        "订单": orders,
        "产品": [
            ["产品编码", "品名", "规格", "单位", "产线", "标准产能", "每箱数量", "单价"],
            ["P001", "水杯", "350ml 白色", "个", "L1", 100, 50, 2.5],
            ["P002", "杯盖", "PP 白色", "个", "L1", 200, 100, 0.8],
            ["P003", "支架", "不锈钢 304", "套", "L2", 50, 24, 12.345],
        ],
        "产线": [["产线", "车间", "班次数", "每班工时", "效率", "休息日"],
                 ["L1", "注塑", 2, 8, 1, "日"], ["L2", "五金", 1, 8, 1, "六,日"]],
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "计划开工", "计划完工", "下达日期", "状态"],
            ["WO20261101001", "SO-001", 1, "P001", 1000, "L1", D(2026, 11, 3), D(2026, 11, 10),
             D(2026, 11, 1), "生产中"],
        ],
        "生产日报": [
            ["日期", "工单号", "产线", "班次", "良品数", "不良数", "工时"],
            [D(2026, 11, 24), "WO20261101001", "L1", "白班", 600, 5, 8],
        ],
        "出货": shipments,
        "客户": [
            ["客户", "全称", "地址", "联系人", "电话", "对账日"],
            ["ACME", "深圳市艾克米电子有限公司", "深圳市宝安区福永街道凤凰路 88 号", "王小姐", "0755-12345678", 25],
            [INJECTION, INJECTION, INJECTION, INJECTION, INJECTION, None],
        ],
        "设置": [["项目", "值"], ["公司名称", COMPANY], ["公司地址", "东莞市长安镇振安路 1 号"],
                 ["公司电话", "0769-87654321"]],
    }


def write_ledger(path: Path, sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    """Write the ledger with xlsxwriter, every string literally (a cell holding
    ``=HYPERLINK(...)`` is text, as a clerk typing it after an apostrophe gets)."""
    sheets = sheets or ledger_sheets()
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), date_fmt)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    wb.close()
    return path


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """Read once per module: the documents never change the ledger."""
    return read_ledger(write_ledger(tmp_path_factory.mktemp("ledger") / "台账.xlsx"), AS_OF)


def wo_alloc(pattern: str, day: date, count: int, existing: Any, sources: Any = None) -> list[str]:
    return next_numbers(pattern or "WO{YYYYMMDD}{SEQ:3}", day, count, existing)


def dn_allocator() -> Any:
    issued: set[str] = set()

    def alloc(pattern: str, day: date, count: int, existing: Any, sources: Any = None) -> list[str]:
        numbers = next_numbers(pattern or "SH{YYYYMMDD}{SEQ:3}", day, count, set(existing) | issued)
        issued.update(numbers)
        return numbers

    return alloc


# ------------------------------------------------------------- snapshots


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(path: Path) -> dict[str, Any]:
    """A workbook as comparable JSON: per sheet its values, number formats, merges,
    widths, heights and print settings."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": []}
    for ws in wb.worksheets:
        cells: dict[str, Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                entry: dict[str, Any] = {"v": _plain(cell.value), "t": cell.data_type}
                if cell.number_format != "General":
                    entry["fmt"] = cell.number_format
                cells[cell.coordinate] = entry
        ps = ws.page_setup
        props = ws.sheet_properties.pageSetUpPr
        out["sheets"].append({
            "name": ws.title,
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: round(v.width, 2) for k, v in sorted(ws.column_dimensions.items()) if v.width},
            "heights": {str(k): v.height for k, v in sorted(ws.row_dimensions.items()) if v.height},
            "print": {
                "paper": ps.paperSize,
                "orientation": ps.orientation,
                "scale": ps.scale,
                "fit_to_page": bool(props.fitToPage) if props is not None else False,
                "fit_width": ps.fitToWidth,
                "fit_height": ps.fitToHeight,
                "area": ws.print_area,
                "title_rows": ws.print_title_rows,
                "row_breaks": [b.id for b in ws.row_breaks.brk],
                "margins": [ws.page_margins.left, ws.page_margins.right, ws.page_margins.top,
                            ws.page_margins.bottom],
                "center_h": ws.print_options.horizontalCentered,
            },
        })
    return out


def assert_snapshot(path: Path, name: str) -> None:
    got = canonical(path)
    snap = SNAPSHOTS / f"{name}.json"
    text = json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE or not snap.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"snapshot {snap.name} is missing (set GENDAN_UPDATE_SNAPSHOTS=1 to create it)")
        SNAPSHOTS.mkdir(exist_ok=True)
        snap.write_text(text, encoding="utf-8")
        return
    want = json.loads(snap.read_text(encoding="utf-8"))
    assert got == want, f"{name}: differs from {snap} (GENDAN_UPDATE_SNAPSHOTS=1 to regenerate)"


def cell_texts(path: Path) -> Iterator[tuple[str, str, Any, str]]:
    """(sheet, coordinate, value, data type) of every non-empty cell."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell.coordinate, cell.value, cell.data_type


def assert_injection_is_text(path: Path) -> None:
    hits = [(s, c, t) for s, c, v, t in cell_texts(path) if isinstance(v, str) and INJECTION in v]
    assert hits, "the formula-looking text should be on the document"
    assert all(t == "s" for _s, _c, t in hits), hits
    with open(path, "rb") as fh:
        import zipfile

        with zipfile.ZipFile(fh) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert b"<f>" not in z.read(name), f"a formula in {name}"


# ------------------------------------------------------------------ data


def test_pending_work_order_lines(ledger: Ledger) -> None:
    lines, unknown, skipped = pending_lines(ledger)
    assert skipped.empty
    # SO-002 is 急 and comes first: 240 ordered, 100 already shipped, no work order: 140 left
    # to cover. SO-001-2: 500 - 150 shipped = 350. SO-001-1's work order (1000, 600 made,
    # 650 shipped) covers the rest; SO-003 cancelled; SO-004 fully shipped; SO-005 完成.
    assert [(r["order_no"], r["line_no"], r["_wo_qty"], r["_supplement"]) for r in lines.to_dict("records")] == [
        ("SO-002", "1", 140.0, False), ("SO-001", "2", 350.0, False)
    ]
    assert unknown == []


def test_named_orders_get_the_uncovered_rest(ledger: Ledger) -> None:
    lines, unknown, _ = pending_lines(ledger, ["SO-001", "SO-404"])
    assert [(r["line_no"], r["_wo_qty"]) for r in lines.to_dict("records")] == [("2", 350.0)]
    assert unknown == ["SO-404"]


def test_work_order_documents(ledger: Ledger) -> None:
    schedule = {"SO-001#2": (date(2026, 11, 30), date(2026, 12, 2))}
    run = build_work_orders(ledger, AS_OF, wo_alloc, schedule=schedule)
    first, second = run.docs
    assert (first.wo_no, second.wo_no) == ("WO20261126001", "WO20261126002")
    assert first.customer == INJECTION and first.due_date == date(2026, 12, 3)  # 变更交期
    assert (first.item_name, first.spec, first.unit, first.line) == ("水杯", "350ml 白色", "个", "L1")
    assert (first.qty, first.pcs_per_carton, first.cartons) == (140, 50, 3)
    assert (first.plan_start, first.plan_finish) == (None, None)
    assert (second.plan_start, second.plan_finish) == (date(2026, 11, 30), date(2026, 12, 2))
    assert second.due_date == date(2026, 12, 15)  # 回复交期
    assert (second.qty, second.cartons, second.remark) == (350, 4, "加急包装")
    assert second.source.sheet == "订单" and second.source.row == 3


def test_planned_dates_from_the_schedule(ledger: Ledger) -> None:
    dates = planned_dates(ledger, AS_OF)
    start, finish = dates["SO-001#2"]
    assert start is not None and finish is not None and AS_OF <= start <= finish


def test_work_order_write_back_rows(ledger: Ledger) -> None:
    run = build_work_orders(ledger, AS_OF, wo_alloc)
    plan = work_order_write_back(ledger, run.docs)
    assert not plan.problems and not plan.cells
    assert [r.values for r in plan.rows][1] == {
        "A": "WO20261126002", "B": "SO-001", "C": 2, "D": "P002", "E": 350.0, "F": "L1",
        "I": AS_OF, "J": "未开工",
    }


def test_delivery_notes_group_by_customer_and_day(ledger: Ledger) -> None:
    run = build_delivery_notes(ledger, dn_allocator(), show_prices=True)
    summary = [(n.note_no, n.ship_date.isoformat(), n.customer.name, len(n.lines)) for n in run.notes]
    assert summary == [
        ("SH20261124001", "2026-11-24", "ACME", 1),
        ("SH20261125001", "2026-11-25", INJECTION, 1),
        ("SH20261125002", "2026-11-25", "ACME", 12),
    ]
    assert [r.address for r in run.unmatched] == ["出货!9"]
    inj = run.notes[1].lines[0]
    assert (inj.cartons, inj.cartons_computed, inj.unit_price, inj.amount) == (2, True, 2.5, 250.0)
    big = run.notes[2]
    assert [len(p) for p in big.pages] == [10, 2]
    assert big.lines[2].unit_price == 12.345 and big.lines[2].amount == 1234.5
    assert big.total_amount == 4 * (250 + 80 + 1234.5)
    assert big.customer.full_name == "深圳市艾克米电子有限公司"


def test_delivery_note_filters(ledger: Ledger) -> None:
    run = build_delivery_notes(ledger, dn_allocator(), on_date=date(2026, 11, 25), customer="ACME")
    assert [(n.note_no, len(n.lines)) for n in run.notes] == [("SH20261125001", 12)]
    assert run.notes[0].lines[0].amount is None  # no prices asked for
    assert common.find_customer(ledger, "深圳市艾克米电子有限公司") == "ACME"
    assert common.find_customer(ledger, " acme ") == "ACME"
    assert common.find_customer(ledger, "nobody") is None


def test_delivery_write_back_cells(ledger: Ledger) -> None:
    run = build_delivery_notes(ledger, dn_allocator(), on_date=date(2026, 11, 24))
    plan = delivery_write_back(ledger, run.notes)
    assert [(c.sheet, c.row, c.column, c.value) for c in plan.cells] == [
        ("出货", 7, "G", "SH20261124001")
    ]


def test_note_settings(tmp_path: Path) -> None:
    sheets = ledger_sheets()
    sheets["设置"] += [["送货单每页行数", 8], ["送货单纸张", "A4"]]
    led = read_ledger(write_ledger(tmp_path / "l.xlsx", sheets), AS_OF)
    assert note_lines_setting(led) == 8
    assert note_paper_setting(led) == ("A4", False)
    sheets["设置"][-2:] = [["送货单每页行数", "很多"], ["送货单纸张", "A4 横向"]]
    led = read_ledger(write_ledger(tmp_path / "m.xlsx", sheets), AS_OF)
    assert note_lines_setting(led) == 10
    assert note_paper_setting(led) == ("A4", True)


def test_statement_period_bounds() -> None:
    assert period_bounds(2026, 11, 25) == (date(2026, 10, 26), date(2026, 11, 25))
    assert period_bounds(2026, 11, None) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_bounds(2026, 1, 25) == (date(2025, 12, 26), date(2026, 1, 25))
    assert period_bounds(2026, 3, 31) == (date(2026, 3, 1), date(2026, 3, 31))  # Feb cut-off is Feb 28
    assert parse_period("2026年11月") == (2026, 11)
    with pytest.raises(PeriodError):
        parse_period("2026-13")


def test_statement_lines(ledger: Ledger) -> None:
    run = build_statement(ledger, "ACME", "2026-11", AS_OF)
    st = run.statement
    assert (st.start, st.end) == (date(2026, 10, 26), date(2026, 11, 25))
    assert [(ln.note_no, ln.qty, ln.unit_price, ln.amount, ln.signed) for ln in st.lines if ln.numbered] == [
        ("SH20261028001", 200, 2.6, 520.0, True),
        ("SH20261110001", 300, 2.6, 780.0, False),
        ("SH20261110001", 150, 0.8, 120.0, False),
    ]
    assert st.unsigned_notes == ["SH20261110001"]
    # 11-24 and the 12 lines of 11-25 have no note yet: listed (未开送货单), never left out.
    assert run.unnumbered == 13 and [ln.ship_date for ln in st.unnumbered][:2] == [D(2026, 11, 24), D(2026, 11, 25)]
    unnumbered = 80.0 + 4 * (250.0 + 80.0 + 1234.5)
    assert st.total_amount == round(1420.0 + unnumbered, 2) == st.delivered_amount
    # The 10-20 delivery (50 x 2.6) is before the period: the opening balance.
    assert st.opening_balance == 130.0 and st.closing_balance == round(130.0 + st.total_amount, 2)
    assert [t.unit for t in st.unit_totals] == ["个", "套"]


# ---------------------------------------------------------------- layout


def _notes(ledger: Ledger, prices: bool) -> list[DeliveryNote]:
    return build_delivery_notes(ledger, dn_allocator(), show_prices=prices).notes


def write_all(ledger: Ledger, out: Path) -> dict[str, Path]:
    """Every kind of document for the test ledger, into ``out``."""
    run = build_work_orders(ledger, AS_OF, wo_alloc, schedule={"SO-001#2": (date(2026, 11, 30), None)})
    paths = {
        "work_orders": write_work_orders(out / "制造命令单_20261126.xlsx", run.docs, COMPANY,
                                         run.assignments, written_back=False),
    }
    dn = build_delivery_notes(ledger, dn_allocator(), show_prices=True)
    paths["delivery_prices"] = write_delivery_notes(out / "送货单_价格.xlsx", dn.notes, dn.assignments,
                                                    written_back=False)
    plain = build_delivery_notes(ledger, dn_allocator(), show_prices=False)
    paths["delivery_plain"] = write_delivery_notes(out / "送货单_20261126.xlsx", plain.notes,
                                                   plain.assignments, written_back=True,
                                                   paper="A4", landscape=False)
    st = build_statement(ledger, "ACME", "2026-11", AS_OF).statement
    paths["statement"] = write_statement(out / "对账单_ACME_2026-11.xlsx", st)
    st_inj = build_statement(ledger, INJECTION, "2026-11", AS_OF).statement
    paths["statement_injection"] = write_statement(out / "对账单_inj.xlsx", st_inj)
    return paths


@pytest.fixture(scope="module")
def documents(ledger: Ledger, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_all(ledger, tmp_path_factory.mktemp("out"))


@pytest.mark.parametrize(
    "kind", ["work_orders", "delivery_prices", "delivery_plain", "statement"]
)
def test_document_snapshots(documents: dict[str, Path], kind: str) -> None:
    assert_snapshot(documents[kind], f"docs_{kind}")


def test_outputs_lint_clean(documents: dict[str, Path]) -> None:
    for kind, path in documents.items():
        assert lint_xlsx(path) == [], kind
        assert not list(path.parent.glob(".*tmp*")), "temporary files left behind"


def test_formula_injection_stays_text(ledger: Ledger, documents: dict[str, Path], tmp_path: Path) -> None:
    for kind in ("work_orders", "delivery_prices", "delivery_plain"):
        assert_injection_is_text(documents[kind])
    # The injection-named customer's own statement needs a numbered note: give it one.
    sheets = ledger_sheets()
    sheets["出货"][7][6] = "SH20261125009"
    led = read_ledger(write_ledger(tmp_path / "inj.xlsx", sheets), AS_OF)
    st = build_statement(led, INJECTION, "2026-11", AS_OF).statement
    assert len(st.lines) == 1
    assert_injection_is_text(write_statement(tmp_path / "st.xlsx", st))


def test_overflowing_note_repeats_its_header(documents: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(documents["delivery_prices"])
    ws = wb["SH20261125002"]
    breaks = [b.id for b in ws.row_breaks.brk]
    per_page = len(note_row_heights(_dummy_note(prices=True)))
    assert breaks == [per_page]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts.count("送  货  单") == 2
    assert "第 1/2 页" in texts and "第 2/2 页" in texts and "(续下页)" in texts
    assert any(t.startswith("合计金额(大写):人民币 ") for t in texts)
    assert wb[ASSIGN_SHEET]["A2"].value == "SH20261124001"


def _dummy_note(prices: bool) -> DeliveryNote:
    from gendan_xl.documents.models import Company, CustomerInfo

    return DeliveryNote(note_no="x", ship_date=AS_OF, customer=CustomerInfo(name="c"),
                        company=Company(), lines=[], show_prices=prices)


def test_fit_scale_shrinks_only_when_needed() -> None:
    assert fit_scale([10] * 5, [15] * 10, "A4", False) == 100
    assert fit_scale([20] * 12, [20] * 20, "A5", True) < 80
