"""对账单 an accountant pays from, and returns (出货.类型 退货).

The statement of the test ledger (``test_documents.ledger_sheets``) with a return,
an unnumbered return, receipts (one before the period, one by full name, one after
it), a tax rate and bank details is compared as a snapshot and printed through
LibreOffice; its balances are checked by hand and, over random ledgers, by
hypothesis: 期初 + 本期送货 - 本期退货 - 本期收款 = 期末 = the next period's 期初.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_documents import AS_OF, COMPANY, D, assert_snapshot, ledger_sheets, write_ledger
from xlsx_lint import lint_xlsx

from gendan_xl.batch import run_batch, write_example_config
from gendan_xl.cli import main
from gendan_xl.documents.numbers import JOURNAL_NAME
from gendan_xl.documents.statement import build_statement, last_closed_period, period_bounds
from gendan_xl.engine import check_ledger
from gendan_xl.ledger import Ledger
from gendan_xl.read import read_grids, read_ledger
from gendan_xl.write.docs_book import write_statement

RETURN_NOTE = "TH20261120001"


def full_sheets() -> dict[str, list[list[Any]]]:
    """The test ledger plus 类型 (a numbered and an unnumbered return), 收款, 税率 and
    the bank settings."""
    sheets = ledger_sheets()
    ships = sheets["出货"]
    ships[0] = [*ships[0], "类型"]
    for row in ships[1:]:
        row.append(None)
    ships.append([D(2026, 11, 20), "SO-001", 1, "P001", -20, None, RETURN_NOTE, None, "破损退回", "退货"])
    ships.append([D(2026, 11, 21), "SO-001", 2, "P002", 10, None, None, None, None, "退货"])
    sheets["客户"][0].append("税率")
    sheets["客户"][1].append("13%")
    sheets["客户"][2].append(None)
    sheets["收款"] = [
        ["日期", "客户", "金额", "方式", "备注"],
        [D(2026, 10, 15), "ACME", 100, "转账", "十月货款"],
        [D(2026, 11, 5), "深圳市艾克米电子有限公司", 1000, "转账", None],
        [D(2026, 11, 20), "ACME", 500, "承兑", "6 个月承兑汇票"],
        [D(2026, 11, 28), "ACME", 999, "转账", "下期"],
    ]
    sheets["设置"] += [["开户银行", "中国工商银行东莞长安支行"], ["银行账号", "2010 0213 0920 0123 456"],
                      ["付款条件", "月结 30 天"]]
    return sheets


@pytest.fixture(scope="module")
def full_ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    path = write_ledger(tmp_path_factory.mktemp("full") / "台账.xlsx", full_sheets())
    return read_ledger(path, AS_OF)


@pytest.fixture(scope="module")
def full_statement(full_ledger: Ledger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    st = build_statement(full_ledger, "ACME", "2026-11", AS_OF, number="DZ202611001").statement
    return write_statement(tmp_path_factory.mktemp("st") / "对账单_ACME_2026-11.xlsx", st)


def test_statement_balances_by_hand(full_ledger: Ledger) -> None:
    run = build_statement(full_ledger, "ACME", "2026-11", AS_OF)
    st = run.statement
    # 期初: the 10-20 delivery (50 x 2.6) less the 10-15 receipt.
    assert st.opening_balance == 130.0 - 100.0
    returns = [(ln.note_no, ln.qty, ln.amount) for ln in st.lines if ln.is_return]
    assert returns == [(RETURN_NOTE, -20.0, -52.0), ("", -10.0, -8.0)]
    assert st.returned_amount == 60.0
    # Both receipts in the period, the one by full name too; the 11-28 one is next period's.
    assert [(r.day, r.amount) for r in st.receipts] == [(D(2026, 11, 5), 1000.0), (D(2026, 11, 20), 500.0)]
    assert st.received_amount == 1500.0
    deliveries = 1420.0 + 80.0 + 4 * (250.0 + 80.0 + 1234.5)
    assert st.delivered_amount == deliveries
    assert st.closing_balance == round(30.0 + deliveries - 60.0 - 1500.0, 2)
    assert run.unnumbered == 14  # 13 deliveries and one return without a number
    # Per unit, never 个 + 套 added together.
    totals = {t.unit: (t.delivered, t.returned) for t in st.unit_totals}
    assert totals == {"个": (200 + 300 + 150 + 100 + 8 * 100, 30.0), "套": (400.0, 0.0)}
    # Tax included in the prices (default): 不含税 = 含税 / 1.13.
    net, tax = st.tax_split or (0.0, 0.0)
    assert net == round(st.billed_amount / 1.13, 2) and round(net + tax, 2) == st.billed_amount
    assert st.company.bank_name.startswith("中国工商银行") and st.company.payment_terms == "月结 30 天"


def test_statement_prices_without_tax(tmp_path: Path) -> None:
    sheets = full_sheets()
    sheets["设置"].append(["单价含税", "否"])
    led = read_ledger(write_ledger(tmp_path / "l.xlsx", sheets), AS_OF)
    st = build_statement(led, "ACME", "2026-11", AS_OF).statement
    first = st.lines[0]
    assert (first.amount, first.billed) == (520.0, 587.6)  # 520 x 1.13
    assert st.tax_split == (round(st.billed_amount / 1.13, 2), round(st.billed_amount - st.billed_amount / 1.13, 2))


def test_statement_snapshot(full_statement: Path) -> None:
    assert_snapshot(full_statement, "docs_statement_full")
    assert lint_xlsx(full_statement) == []
    texts = [c.value for ws in openpyxl.load_workbook(full_statement).worksheets
             for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(texts)
    for expected in ("No. DZ202611001", "未开送货单", "退货", "期初余额", "期末应收", "合计(个)", "合计(套)",
                     "注意:本期有 14 行出货尚未开送货单", "开户银行:中国工商银行东莞长安支行", "付款条件:月结 30 天",
                     "税率 13%"):
        assert expected in joined, expected


def test_open_period_says_so(full_ledger: Ledger, tmp_path: Path) -> None:
    st = build_statement(full_ledger, "ACME", "2026-12", AS_OF).statement
    assert st.open_until == AS_OF
    ws = openpyxl.load_workbook(write_statement(tmp_path / "open.xlsx", st)).active
    assert ws is not None
    assert any(str(c.value).startswith("截至 2026-11-26(未结账)") for row in ws.iter_rows() for c in row if c.value)
    assert all(ln.ship_date <= AS_OF for ln in st.lines)
    assert [r.amount for r in st.receipts] == []  # the 11-28 receipt is after the as-of date
    closed = build_statement(full_ledger, "ACME", "2026-11", AS_OF).statement
    assert closed.open_until is None


def test_last_closed_period() -> None:
    assert last_closed_period(D(2026, 11, 25), 25) == "2026-10"  # the 对账日 itself is not over
    assert last_closed_period(D(2026, 11, 26), 25) == "2026-11"
    assert last_closed_period(D(2026, 12, 1), None) == "2026-11"
    assert last_closed_period(D(2026, 1, 1), None) == "2025-12"
    assert last_closed_period(D(2026, 3, 1), 31) == "2026-02"  # Feb's cut-off is Feb 28


# ----------------------------------------------------------- balances, any ledger

ITEMS = (("A", "个", 1.5), ("B", "套", 12.34), ("C", "PCS", None))
CUSTOMERS = ("甲", "乙")


@st.composite
def random_ledgers(draw: st.DrawFn) -> tuple[dict[str, tuple[list[list[object]], int, int]], int | None]:
    cut = draw(st.one_of(st.none(), st.integers(1, 31)))
    orders: list[list[object]] = [["订单号", "行号", "客户", "产品编码", "数量", "单价", "下单日期", "交期"]]
    for i, (item, _unit, _price) in enumerate(ITEMS * 2):
        price = draw(st.one_of(st.none(), st.decimals("0.01", "99.99", places=2).map(float)))
        orders.append([f"SO{i}", 1, CUSTOMERS[i % 2], item, 100000, price, D(2026, 8, 1), D(2026, 12, 31)])
    day = st.integers(0, 120).map(lambda n: D(2026, 8, 20) + timedelta(days=n))
    ships: list[list[object]] = [["出货日期", "订单号", "行号", "数量", "送货单号", "类型"]]
    for _ in range(draw(st.integers(0, 25))):
        qty = draw(st.integers(1, 5000))
        kind = draw(st.sampled_from([None, "出货", "退货"]))
        if kind == "退货" and draw(st.booleans()):
            qty = -qty
        note = draw(st.sampled_from([None, "SH1", "SH2"]))
        ships.append([draw(day), f"SO{draw(st.integers(0, 5))}", 1, qty, note, kind])
    receipts: list[list[object]] = [["日期", "客户", "金额", "方式"]]
    for _ in range(draw(st.integers(0, 8))):
        amount = float(draw(st.decimals("0.01", "50000", places=2)))
        receipts.append([draw(day), draw(st.sampled_from(CUSTOMERS)), amount, "转账"])
    sheets = {
        "订单": orders,
        "产品": [["产品编码", "单位", "标准产能", "单价"], *[[i, u, 100, p] for i, u, p in ITEMS]],
        "产线": [["产线"], ["L1"]],
        "工单": [["工单号", "订单号", "产品编码", "数量"]],
        "生产日报": [["日期", "工单号", "良品数"]],
        "出货": ships,
        "客户": [["客户", "对账日"], *[[c, cut] for c in CUSTOMERS]],
        "收款": receipts,
    }
    return {k: (v, 1, 1) for k, v in sheets.items()}, cut


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_ledgers())
def test_balances_carry_over(case: tuple[dict[str, tuple[list[list[object]], int, int]], int | None]) -> None:
    sheets, _cut = case
    ledger = read_grids("随机台账.xlsx", sheets, D(2027, 1, 31))
    for customer in CUSTOMERS:
        previous = None
        for period in ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12"):
            s = build_statement(ledger, customer, period, D(2027, 1, 31)).statement
            assert s.closing_balance == round(
                s.opening_balance + s.delivered_amount - s.returned_amount - s.received_amount, 2
            )
            if previous is not None:
                assert s.opening_balance == previous, (customer, period)
            previous = s.closing_balance
            # every row of the period is on it, whatever its number
            start, end = period_bounds(int(period[:4]), int(period[5:]), s.customer.statement_day)
            rows = [r for r in sheets["出货"][0][1:]
                    if start <= r[0] <= end and int(str(r[1])[2:]) % 2 == CUSTOMERS.index(customer)]
            assert len(s.lines) == len(rows)


# ------------------------------------------------------------------ returns


def test_return_passes_check_and_reduces_shipped(full_ledger: Ledger, tmp_path: Path) -> None:
    issues = check_ledger(full_ledger, AS_OF).issues
    ship_rows = [i.ref.row for i in issues if i.code == "non-positive-qty" and i.ref.sheet == "出货"]
    assert ship_rows == []
    book = full_ledger.book.lines.set_index("key")
    # SO-001 line 1: 50 + 200 + 300 + 100 shipped, 20 returned; line 2: 150 shipped, 10 returned.
    assert book.loc["SO-001#1", "shipped"] == 650 - 20
    assert book.loc["SO-001#2", "shipped"] == 150 - 10
    # A negative qty without 类型 退货 stays an error.
    sheets = full_sheets()
    sheets["出货"][-1][-1] = None
    sheets["出货"][-1][4] = -10
    led = read_ledger(write_ledger(tmp_path / "neg.xlsx", sheets), AS_OF)
    bad = [i for i in check_ledger(led, AS_OF).issues if i.code == "non-positive-qty"]
    assert [(i.ref.sheet, i.ref.row) for i in bad] == [("出货", len(sheets["出货"]))]


def test_receipt_of_an_unknown_customer_is_a_warning(tmp_path: Path) -> None:
    sheets = full_sheets()
    sheets["收款"].append([D(2026, 11, 6), "ACMEE", 10, "现金", None])
    led = read_ledger(write_ledger(tmp_path / "r.xlsx", sheets), AS_OF)
    bad = [(i.ref.sheet, i.ref.row, i.severity.value) for i in check_ledger(led, AS_OF).issues
           if i.code == "unknown-customer"]
    assert bad == [("收款", len(sheets["收款"]), "warning")]


def test_delivery_notes_issue_return_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger_file = write_ledger(tmp_path / "台账.xlsx", full_sheets())
    out = tmp_path / "out"
    args = ["docs", "delivery-notes", str(ledger_file), "--out", str(out), "--as-of", "2026-11-26"]
    assert main(args) == 1  # the SO-999 row has no order line (as without returns)
    journal = [json.loads(x) for x in (tmp_path / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]
    returns = [r for r in journal if r["kind"] == "rt"]
    assert [r["number"] for r in returns] == ["TH20261121001"]
    assert all(r["number"].startswith("SH") for r in journal if r["kind"] == "dn")
    (book,) = out.glob("送货单_*.xlsx")
    (log,) = out.glob("分配结果_送货单_*.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["TH20261121001"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "退  货  单" in values and "No. TH20261121001" in values and 10 in values  # qty returned, positive
    assert "退货单" in [c.value for c in openpyxl.load_workbook(log)["分配结果"]["B"]]
    # Again: the same number for the same return row.
    assert main(args) == 1
    journal2 = (tmp_path / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    assert len(journal2) == len(journal)


# -------------------------------------------------------------------- batch


def test_batch_makes_the_statement_after_the_cutoff_day(tmp_path: Path) -> None:
    write_ledger(tmp_path / "台账.xlsx", full_sheets())
    write_example_config(tmp_path)
    out = tmp_path / "输出"
    name = "对账单_ACME_2026-11.xlsx"
    run_batch(tmp_path, D(2026, 11, 25))  # ACME's 对账日: its shipments may still come
    assert not (out / name).exists()
    # October's period (09-26..10-25) closed a month ago: batch does not number it on its
    # own (a first run on a new folder would make one for every customer); the CLI does.
    assert sorted(p.name for p in out.glob("对账单_*")) == []
    run_batch(tmp_path, D(2026, 11, 26))
    assert (out / name).exists()
    numbers = [json.loads(x)["number"] for x in (tmp_path / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]
    assert numbers == ["DZ202611001"]
    log = (out / "gendan-batch.log").read_text(encoding="utf-8")
    assert "ACME 2026-11 对账单:14 行出货还没有送货单号" in log
    first = (out / name).read_bytes()
    run_batch(tmp_path, D(2026, 11, 27))  # not again
    assert (out / name).read_bytes() == first
    assert sorted(p.name for p in out.glob("对账单_*")) == [name]
    # The CLI gives the same statement the same number.
    assert main(["docs", "statement", str(tmp_path / "台账.xlsx"), "--customer", "ACME", "--period", "2026-11",
                 "--out", str(tmp_path / "cli"), "--as-of", "2026-11-27"]) == 0
    again = [json.loads(x)["number"] for x in (tmp_path / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()]
    assert again == numbers
    ws = openpyxl.load_workbook(next((tmp_path / "cli").glob("对账单_ACME_2026-11*.xlsx"))).active
    assert ws is not None and ws["J4"].value == "No. DZ202611001"


def test_batch_leaves_periods_closed_long_ago_to_the_clerk(tmp_path: Path) -> None:
    """A run 8 days after the cut-off (a new output folder, a batch that did not run
    for a week and a day) numbers no statement; 7 days after, it still catches up."""
    write_ledger(tmp_path / "台账.xlsx", full_sheets())
    write_example_config(tmp_path)
    run_batch(tmp_path, D(2026, 12, 3))  # ACME's 11-25 + 8 (the other customer's month end, 11-30, is 3 days ago)
    assert list((tmp_path / "输出").glob("对账单_ACME_*")) == []
    run_batch(tmp_path, D(2026, 12, 2))  # 11-25 + 7
    assert [p.name for p in (tmp_path / "输出").glob("对账单_ACME_*")] == ["对账单_ACME_2026-11.xlsx"]


# ----------------------------------------------------------------- printing


@pytest.mark.libreoffice
def test_statement_prints_on_one_page(full_statement: Path, soffice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = soffice.convert(full_statement, "pdf", tmp_path)
    assert soffice.pdf_pages(pdf) == 2  # 19 lines, balances, receipts and sign-off: two A4 landscape pages
    soffice.assert_cjk_embedded(pdf)
    png = soffice.png(pdf, 1)
    assert png.stat().st_size > 10_000
    keep = Path("/tmp/st")
    if keep.is_dir():
        for page in (1, 2):
            (keep / f"statement_p{page}.png").write_bytes(soffice.png(pdf, page).read_bytes())


@pytest.mark.libreoffice
def test_return_note_prints(full_ledger: Ledger, soffice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from test_documents import dn_allocator

    from gendan_xl.documents.delivery import build_delivery_notes
    from gendan_xl.write.docs_book import write_delivery_notes

    run = build_delivery_notes(full_ledger, dn_allocator(), kind="rt", show_prices=True)
    assert [(n.kind, [ln.qty for ln in n.lines]) for n in run.notes] == [("rt", [10.0])]
    path = write_delivery_notes(tmp_path / "退货单.xlsx", run.notes)
    pdf = soffice.convert(path, "pdf", tmp_path)
    assert soffice.pdf_pages(pdf) == 1  # the note alone (分配结果 is a file of its own)
    soffice.assert_cjk_embedded(pdf)
    keep = Path("/tmp/st")
    if keep.is_dir():
        (keep / "return_note.png").write_bytes(soffice.png(pdf, 1).read_bytes())


def test_company_name_on_statement(full_statement: Path) -> None:
    ws = openpyxl.load_workbook(full_statement).active
    assert ws is not None and ws["A1"].value == COMPANY


def test_period_of_a_day() -> None:
    from datetime import date as d

    from gendan_xl.documents.statement import period_bounds, period_of

    # 对账日 20: 11-21 .. 12-20 is "2026-12"; the cut-off day itself closes its own period.
    assert period_of(d(2026, 11, 26), 20) == "2026-12"
    assert period_of(d(2026, 11, 20), 20) == "2026-11"
    assert period_of(d(2026, 11, 26), None) == "2026-11"  # month end
    assert period_of(d(2026, 12, 31), 25) == "2027-01"
    for day in (d(2026, 1, 1), d(2026, 2, 28), d(2026, 12, 31)):
        for cut in (None, 1, 15, 28, 31):
            start, end = period_bounds(*map(int, period_of(day, cut).split("-")), cut)
            assert start <= day <= end
