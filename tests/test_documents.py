"""The three documents (制造命令单, 送货单, 对账单): what goes on them, and how they
are laid out, as canonical JSON snapshots read back with openpyxl.

Snapshots live in ``tests/snapshots/*.json``. After a deliberate layout change,
regenerate them with ``GENDAN_UPDATE_SNAPSHOTS=1 pytest tests/test_documents.py``
(the helper is ``tests/snapshot.py``, shared with the template and report tests)
and review the diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from snapshot import assert_snapshot
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
    assignments_path,
    fit_scale,
    note_row_heights,
    write_assignments,
    write_delivery_notes,
    write_statement,
    write_work_orders,
)

AS_OF = date(2026, 11, 26)
INJECTION = '=HYPERLINK("http://x","y")'
COMPANY = "东莞市测试五金制品有限公司"

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
        "work_orders": write_work_orders(out / "制造命令单_20261126.xlsx", run.docs, COMPANY),
    }
    paths["assignments"] = write_assignments(assignments_path(paths["work_orders"]), run.assignments,
                                             written_back=False, skipped=run.skipped)
    dn = build_delivery_notes(ledger, dn_allocator(), show_prices=True)
    paths["delivery_prices"] = write_delivery_notes(out / "送货单_价格.xlsx", dn.notes)
    plain = build_delivery_notes(ledger, dn_allocator(), show_prices=False)
    paths["delivery_plain"] = write_delivery_notes(out / "送货单_20261126.xlsx", plain.notes,
                                                   paper="A4", landscape=False)
    paths["delivery_assignments"] = write_assignments(assignments_path(paths["delivery_plain"]),
                                                      plain.assignments, written_back=True)
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
    assert ASSIGN_SHEET not in wb.sheetnames  # never printed with the forms
    log = openpyxl.load_workbook(documents["delivery_assignments"])
    assert log.sheetnames == [ASSIGN_SHEET] and log[ASSIGN_SHEET]["A2"].value == "SH20261124001"


def _dummy_note(prices: bool) -> DeliveryNote:
    from gendan_xl.documents.models import Company, CustomerInfo

    return DeliveryNote(note_no="x", ship_date=AS_OF, customer=CustomerInfo(name="c"),
                        company=Company(), lines=[], show_prices=prices)


def test_fit_scale_shrinks_only_when_needed() -> None:
    assert fit_scale([10] * 5, [15] * 10, "A4", False) == 100
    assert fit_scale([20] * 12, [20] * 20, "A5", True) < 80


# ------------------------------------------------- the forms' optional fields

LONG_NAME = ("加厚防摔双层真空保温杯三百五十毫升哑光磨砂外壳" * 6)[:120]
LONG_PO = ("PO-2026-ACME-深圳宝安仓-第二批次-分批交货-" * 6)[:120]
SHIP_TO = "深圳市宝安区福永街道凤凰路 88 号 3 号仓 收货口(请提前一天预约)"


def rich_sheets() -> dict[str, list[list[Any]]]:
    """``ledger_sheets`` with every optional column the forms print: 客户料号 on
    订单 and 产品, 模具号/包装要求/品质标准/样品号 on 产品, 车牌/承运 on 出货,
    送货地址 on 客户; an order line in 副 with a 120-character 品名 and PO shipped
    on 11-24 with the 个 of SO-004 (one note, mixed units)."""
    sheets = ledger_sheets()
    orders = sheets["订单"]
    orders[0] = [*orders[0], "客户料号"]
    for row in orders[1:]:
        row.append("ACME-7788" if row[0] == "SO-004" else None)
    orders.append(["SO-006", 1, "ACME", LONG_PO, "P004", LONG_NAME, None, 200, "副", 3.2,
                   D(2026, 11, 6), D(2026, 12, 20), None, None, "普通", "正常", None, None])
    items = sheets["产品"]
    items[0] += ["客户料号", "模具号", "包装要求", "品质标准", "样品号"]
    items[1] += ["C-P001", "M-2301", "每箱 50 个,单个气泡袋独立包装,外箱贴客户标签,注明订单号与批次号",
                 "按 ACME QS-018 检验,AQL 0.65;外观无划伤、无缩水", "S-0918"]
    items[2] += [None, "M-2302", None, None, None]
    items[3] += [None, None, None, None, None]
    items.append(["P004", "保温杯套装", "双层", "副", "L2", 60, 20, 3.0, None, None, None, None, None])
    ships = sheets["出货"]
    ships[0] = [*ships[0], "车牌", "承运"]
    for row in ships[1:]:
        row += ["粤S·A1234", "顺丰速运"] if row[0] == D(2026, 11, 24) else [None, None]
    ships.append([D(2026, 11, 24), "SO-006", 1, None, 200, None, None, None, None, "粤S·A1234", "顺丰速运"])
    customers = sheets["客户"]
    customers[0] = [*customers[0], "送货地址"]
    customers[1] = [*customers[1], SHIP_TO]
    customers[2] = [*customers[2], None]
    return sheets


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    return read_ledger(write_ledger(tmp_path_factory.mktemp("rich") / "台账.xlsx", rich_sheets()), AS_OF)


# SO-002 (交期 12-03) is forecast to finish 12-06; SO-001-2 (交期 12-15) on 12-02.
RICH_SCHEDULE = {"SO-002#1": (D(2026, 11, 30), D(2026, 12, 6)), "SO-001#2": (D(2026, 11, 30), D(2026, 12, 2))}


def write_rich(ledger: Ledger, out: Path) -> dict[str, Path]:
    """The forms with every optional field, into ``out``."""
    run = build_work_orders(ledger, AS_OF, wo_alloc, schedule=RICH_SCHEDULE)
    paths = {"work_orders_fields": write_work_orders(out / "制造命令单_fields.xlsx", run.docs, COMPANY)}
    on_24 = date(2026, 11, 24)
    priced = build_delivery_notes(ledger, dn_allocator(), on_date=on_24, show_prices=True)
    paths["delivery_fields_prices"] = write_delivery_notes(out / "送货单_fields_价格.xlsx", priced.notes)
    plain = build_delivery_notes(ledger, dn_allocator(), on_date=on_24)
    paths["delivery_fields"] = write_delivery_notes(out / "送货单_fields.xlsx", plain.notes)
    return paths


@pytest.fixture(scope="module")
def rich_documents(rich: Ledger, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_rich(rich, tmp_path_factory.mktemp("rich_out"))


def test_delivery_note_fields(rich: Ledger) -> None:
    note = build_delivery_notes(rich, dn_allocator(), on_date=date(2026, 11, 24)).notes[0]
    assert note.customer.delivery_address == SHIP_TO
    assert note.customer.address == "深圳市宝安区福永街道凤凰路 88 号"  # billing address stays
    assert [(ln.customer_item, ln.unit, ln.qty) for ln in note.lines] == [("ACME-7788", "个", 100), ("", "副", 200)]
    assert (note.vehicles, note.carriers) == ("粤S·A1234", "顺丰速运")
    assert note.totals_by_unit == [("个", 100), ("副", 200)]
    # 客户料号 falls back to the item's when the order line has none
    later = build_delivery_notes(rich, dn_allocator(), on_date=date(2026, 11, 25), customer="ACME").notes[0]
    assert later.lines[0].customer_item == "C-P001"


def test_delivery_note_without_optional_columns_prints_as_before(ledger: Ledger) -> None:
    note = build_delivery_notes(ledger, dn_allocator(), on_date=date(2026, 11, 24)).notes[0]
    assert note.customer.delivery_address == note.customer.address
    assert (note.vehicles, note.carriers, note.lines[0].customer_item) == ("", "", "")


def test_work_order_fields_and_late_warning(rich: Ledger) -> None:
    from gendan_xl.write.docs_book import late_warning

    late, on_time = build_work_orders(rich, AS_OF, wo_alloc, schedule=RICH_SCHEDULE).docs
    assert (late.order_no, late.due_date, late.plan_finish, late.days_late) == (
        "SO-002", date(2026, 12, 3), date(2026, 12, 6), 3)
    assert late_warning(late) == "预计完工 2026-12-06,晚于交期 3 天"
    assert (late.mold_no, late.sample_no) == ("M-2301", "S-0918")
    assert late.packing.startswith("每箱 50 个") and late.quality_std.startswith("按 ACME QS-018")
    assert on_time.days_late is None and late_warning(on_time) == ""
    assert on_time.mold_no == "M-2302" and on_time.packing == ""


def test_late_warning_comes_from_the_plan(rich: Ledger) -> None:
    """The red line compares the plan's forecast finish with its commitment date."""
    from gendan_xl.plan import plan_ledger

    orders = plan_ledger(rich, AS_OF).orders.set_index("key")
    docs = build_work_orders(rich, AS_OF, wo_alloc, schedule=planned_dates(rich, AS_OF)).docs
    for doc in docs:
        key = f"{doc.order_no}#{doc.line_no}"
        plan_late = orders.loc[key, "days_late"]
        assert doc.plan_finish == common.day(orders.loc[key, "forecast_finish"])
        assert doc.due_date == common.day(orders.loc[key, "commitment_date"])
        assert doc.days_late == (int(plan_late) if plan_late > 0 else None)


@pytest.mark.parametrize("kind", ["work_orders_fields", "delivery_fields", "delivery_fields_prices"])
def test_form_field_snapshots(rich_documents: dict[str, Path], kind: str) -> None:
    assert_snapshot(rich_documents[kind], f"docs_{kind}")


def _cells_with_text(path: Path) -> Iterator[Any]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value:
                    yield ws, cell


def test_long_text_wraps_and_is_never_shrunk(rich_documents: dict[str, Path]) -> None:
    """Every text cell is at least 8 pt and none shrinks to fit; the 120-character
    品名 and PO wrap and their row grows to show them."""
    for kind, path in rich_documents.items():
        for _ws, cell in _cells_with_text(path):
            assert not cell.alignment.shrink_to_fit, (kind, cell.coordinate)
            assert (cell.font.sz or 11) >= 8, (kind, cell.coordinate)
    for kind in ("delivery_fields", "delivery_fields_prices"):
        hits = [(ws, c) for ws, c in _cells_with_text(rich_documents[kind]) if c.value in (LONG_NAME, f"SO-006/{LONG_PO}")]
        assert len(hits) == 2, kind
        for ws, cell in hits:
            assert cell.alignment.wrap_text
            assert ws.row_dimensions[cell.row].height >= 90  # many wrapped lines, all shown


def test_note_pages_fill_by_height() -> None:
    """Lines that wrap take more of the page: a note of tall lines continues on a
    next page sooner, each page the same printed height."""
    from gendan_xl.documents.models import Company, CustomerInfo, DeliveryLine, LedgerRow
    from gendan_xl.write.docs_book import note_layout

    src = LedgerRow(file="x.xlsx", sheet="出货", row=2)
    lines = [DeliveryLine(seq=i, order_no="SO", item_name=LONG_NAME if i % 2 else "短", qty=1, unit="个",
                          source=src) for i in range(1, 7)]
    note = DeliveryNote(note_no="n", ship_date=AS_OF, customer=CustomerInfo(name="c"), company=Company(),
                        lines=lines)
    layout = note_layout(note)
    assert len(layout.pages) > 1
    sizes = {sum(layout.page_heights(p)) for p in range(len(layout.pages))}
    assert len(sizes) == 1  # every page prints the same height
    assert sum(1 for page in layout.pages for r in page if not isinstance(r, float)) == 6


def test_mixed_units_are_never_added(rich_documents: dict[str, Path]) -> None:
    texts = [c.value for _ws, c in _cells_with_text(rich_documents["delivery_fields"])]
    assert "合计:个 100;副 200" in texts
    numbers = [v for _s, _c, v, _t in cell_texts(rich_documents["delivery_fields"]) if isinstance(v, int | float)]
    assert 100 in numbers and 300 not in numbers  # 个 100 + 副 200 is never a total
    for label in ("制单:", "审核:", "仓管:", "品质:", "送货人:", "收货人(盖章):", "实收数量", "客户料号"):
        assert label in texts, label
    assert "送货地址:" + SHIP_TO in texts and "车牌:粤S·A1234    承运:顺丰速运" in texts
