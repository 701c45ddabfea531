"""成品月结 (gendan_xl/monthly.py, `gendan monthly`, the report's 成品月结 sheet).

A hand-made ledger with two items whose 期初 come one from a 成品期初 row of the month
and one rolled forward from the month before, movements on the month's edges
(10-31 / 11-01 / 11-30 / 12-01), a scrap, a rework closed in the next month, a
concession, returns and an item shipped with no stock; every figure worked out by
hand below. Hypothesis checks the arithmetic on random ledgers:
期初 + 入库 - 出货 + 退货 = 期末 per item, and 期末 of a month = 期初 of the next
when no 成品期初 row names the next month.
"""

from __future__ import annotations

import json
from datetime import date
from datetime import date as D
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan_xl.cli import main
from gendan_xl.engine import check_ledger
from gendan_xl.ledger import Ledger
from gendan_xl.monthly import FROM_SHEET, ROLLED, UNKNOWN, MonthError, monthly_summary, parse_period
from gendan_xl.read import read_grids

AS_OF = date(2026, 12, 5)

ORDER_HEAD = ["订单号", "行号", "客户", "产品编码", "数量", "单价", "下单日期", "交期"]
SHIP_HEAD = ["出货日期", "订单号", "行号", "产品编码", "数量", "类型"]


def sheets() -> dict[str, list[list[Any]]]:
    """The hand-made ledger (as of 2026-12-05)."""
    return {
        "订单": [
            ORDER_HEAD,
            ["SO1", 1, "ACME", "P1", 1000, 2.5, D(2026, 10, 1), D(2026, 12, 20)],
            ["SO1", 2, "ACME", "P2", 200, None, D(2026, 10, 1), D(2026, 12, 20)],  # priced from 产品: 3.0
            ["SO2", 1, "BETA", "P2", 500, 4, D(2026, 10, 1), D(2026, 12, 20)],
            ["SO3", 1, "BETA", "P3", 100, 1.5, D(2026, 10, 1), D(2026, 12, 20)],
        ],
        "产品": [
            ["产品编码", "品名", "规格", "单位", "产线", "标准产能", "单价"],
            ["P1", "水杯", "350ml", "个", "L1", 100, 2.0],
            ["P2", "杯盖", "PP", "个", "L1", 100, 3.0],
            ["P3", "支架", "304", "套", "L1", 100, 1.0],
            ["P4", "托盘", None, "个", "L1", 100, 1.0],  # no movement, no opening: left out
        ],
        "产线": [["产线", "班次数", "每班工时"], ["L1", 1, 8]],
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线"],
            ["WO1", "SO1", 1, "P1", 1000, "L1"],
            ["WO2", "SO2", 1, "P2", 500, "L1"],
            ["WO3", "SO1", 2, "P2", 200, "L1"],
        ],
        "生产日报": [
            ["日期", "工单号", "产线", "良品数", "工时"],
            [D(2026, 10, 31), "WO1", "L1", 300, 3],  # October: P1's November opening is counted, not rolled
            [D(2026, 11, 2), "WO1", "L1", 200, 2],
            [D(2026, 11, 30), "WO1", "L1", 150, 2],
            [D(2026, 12, 1), "WO1", "L1", 99, 1],  # December
            [D(2026, 10, 15), "WO2", "L1", 120, 2],
            [D(2026, 10, 31), "WO2", "L1", 30, 1],
            [D(2026, 11, 10), "WO3", "L1", 80, 1],
        ],
        "品质异常": [
            ["日期", "工单号", "问题", "处理", "数量", "预计完成", "结案日期"],
            [D(2026, 10, 20), "WO2", "缩水", "报废", 10, None, D(2026, 10, 21)],
            [D(2026, 11, 16), "WO1", "毛边", "返工", 40, D(2026, 12, 1), D(2026, 12, 2)],
            [D(2026, 11, 5), "WO2", "色差", "让步接受", 5, None, D(2026, 11, 5)],
        ],
        "出货": [
            SHIP_HEAD,
            [D(2026, 10, 31), "SO2", 1, "P2", 100, None],
            [D(2026, 11, 2), "SO1", 1, "P1", 250, "出货"],
            [D(2026, 11, 30), "SO1", 1, "P1", 20, "退货"],
            [D(2026, 11, 30), "SO2", 1, "P2", 60, None],
            [D(2026, 11, 20), "SO1", 2, None, 40, None],  # item from the order line: P2
            [D(2026, 11, 25), "SO2", 1, "P2", -10, "退货"],  # a return written negative
            [D(2026, 11, 12), "SO3", 1, "P3", 30, None],  # nothing was made: negative stock
            [D(2026, 12, 1), "SO1", 1, "P1", 100, None],  # December
        ],
        "客户": [["客户", "全称"], ["ACME", "艾克米"], ["BETA", "贝塔"]],
        "成品期初": [
            ["产品编码", "月份", "数量"],
            ["P1", "2026年11月", 100],
            ["P2", D(2026, 10, 15), 50],  # a date in the month: October
            ["P4", "十一月", 7],  # unreadable month: bad-period, not used
        ],
    }


def grids(data: dict[str, list[list[Any]]]) -> dict[str, tuple[list[list[object]], int, int]]:
    return {name: (rows, 1, 0) for name, rows in data.items()}


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return read_grids("月结台账.xlsx", grids(sheets()), AS_OF)


def figures(summary: Any) -> dict[str, tuple[Any, ...]]:
    return {
        r["item"]: (r["opening"], r["opening_source"], r["produced"], r["quality"], r["in_qty"], r["shipped"],
                    r["returned"], r["closing"], r["negative"])
        for r in summary.items.to_dict("records")
    }


def test_november_by_hand(ledger: Ledger) -> None:
    s = monthly_summary(ledger, 2026, 11, AS_OF)
    assert (s.period, s.start, s.end, s.closed) == ("2026-11", D(2026, 11, 1), D(2026, 11, 30), True)
    assert figures(s) == {
        # P1: 期初 100 from the 2026年11月 row (the 10-31 report is October's and the
        # row replaces it); 日报 11-02 200 + 11-30 150 = 350; 返工 of 11-16 -40 (closed
        # in December) -> 入库 310; 出货 11-02 250; 退货 11-30 20 (the 12-01 shipment and
        # report are December's). 期末 100 + 310 - 250 + 20 = 180.
        "P1": (100.0, FROM_SHEET, 350.0, -40.0, 310.0, 250.0, 20.0, 180.0, False),
        # P2: no November row: October's 50 rolled forward: + 120 (10-15) + 30 (10-31)
        # - 10 (scrap 10-20) - 100 (shipped 10-31) = 90. November: 日报 80 (WO3, on
        # SO1-2 whose item is P2), the 让步接受 changes nothing; 出货 60 (11-30) + 40
        # (11-20, item from the order line) = 100; 退货 10 (written -10). 期末 90 + 80
        # - 100 + 10 = 80.
        "P2": (90.0, ROLLED, 80.0, 0.0, 80.0, 100.0, 10.0, 80.0, False),
        # P3: no 成品期初 at all and nothing before November: 期初 0 (unknown); 30
        # shipped with nothing made: 期末 -30, flagged. P4: nothing at all, left out.
        "P3": (0.0, UNKNOWN, 0.0, 0.0, 0.0, 30.0, 0.0, -30.0, True),
    }
    assert s.items.set_index("item").loc["P2", "opening_month"] == "2026-10"
    assert s.items.set_index("item").loc["P1", "item_name"] == "水杯"
    assert [w.split(" ")[0] for w in s.warnings()] == ["P3"]
    assert "-30" in s.warnings()[0]
    customers = {r["customer"]: tuple(list(r.values())[1:]) for r in s.customers.to_dict("records")}
    assert customers == {
        # ACME: SO1-1 250 x 2.5 = 625.00 and SO1-2 40 x 3.0 (产品 单价, the order line
        # has none) = 120.00: 290 pcs, 745.00; return 20 x 2.5 = -50.00; net 270, 695.00.
        "ACME": (290.0, 745.0, 20.0, -50.0, 270.0, 695.0, 0),
        # BETA: SO2-1 60 x 4 = 240.00 and SO3-1 30 x 1.5 = 45.00: 90 pcs, 285.00; return
        # 10 x 4 = -40.00; net 80, 245.00.
        "BETA": (90.0, 285.0, 10.0, -40.0, 80.0, 245.0, 0),
    }
    assert any("没有成品期初" in n for n in s.note_lines())


def test_december_rolls_november_forward(ledger: Ledger) -> None:
    s = monthly_summary(ledger, 2026, 12, AS_OF)
    assert (s.end, s.closed) == (AS_OF, False)
    f = figures(s)
    # P1: 期初 = November's 期末 180 (no December row); 日报 12-01 99, the rework closed
    # 12-02 comes back +40 -> 入库 139; 出货 12-01 100. 期末 180 + 139 - 100 = 219.
    assert f["P1"] == (180.0, ROLLED, 99.0, 40.0, 139.0, 100.0, 0.0, 219.0, False)
    # P2: no movement, 期初 = 80 (kept: it has stock); P3 stays at -30 (red again).
    assert f["P2"][0] == f["P2"][7] == 80.0
    assert f["P3"][7] == -30.0 and f["P3"][8]
    assert s.note_lines()[0].startswith("本月未结束:统计 2026-12-01 至 2026-12-05")


def test_cumulative_intake_equals_the_order_books_produced(ledger: Ledger) -> None:
    """Summed over every month, 入库 per item is the order book's produced (reported
    good pieces less open rework and all scrap) of the item's work orders."""
    total: dict[str, float] = {}
    for month in (10, 11, 12):
        for r in monthly_summary(ledger, 2026, month, AS_OF).items.to_dict("records"):
            total[r["item"]] = total.get(r["item"], 0.0) + r["in_qty"]
    wo = ledger.book.work_orders
    produced = wo.groupby("item")["produced"].sum().to_dict()
    assert {k: v for k, v in total.items() if v} == {k: v for k, v in produced.items() if v}
    # P1 300 + 350 + 99 (the rework is closed) = 749; P2 120 + 30 - 10 + 80 = 220
    assert produced == {"P1": 749.0, "P2": 220.0}


def test_opening_sheet_issues(ledger: Ledger) -> None:
    issues = check_ledger(ledger, AS_OF).issues
    bad = [(i.code, i.ref.address, i.value) for i in issues if i.ref.sheet == "成品期初"]
    assert bad == [("bad-period", "成品期初!B4", "十一月")]


def test_unknown_item_on_the_opening_sheet() -> None:
    data = sheets()
    data["成品期初"].append(["P9", "2026-11", 5])
    issues = check_ledger(read_grids("x.xlsx", grids(data), AS_OF), AS_OF).issues
    found = [(i.code, i.ref.address) for i in issues if i.ref.sheet == "成品期初"]
    assert ("unknown-item", "成品期初!A5") in found


def test_period_forms_and_bad_text() -> None:
    assert parse_period("2026-11", AS_OF) == (2026, 11)
    assert parse_period("2026年11月", AS_OF) == (2026, 11)
    assert parse_period("2026-11-15", AS_OF) == (2026, 11)
    # how the xlsx reader passes an Excel date cell of a text column such as 月份
    assert parse_period("2026-10-15 00:00:00", AS_OF) == (2026, 10)
    with pytest.raises(MonthError):
        parse_period("十一月", AS_OF)


def test_month_after_the_as_of_date_is_refused(ledger: Ledger) -> None:
    with pytest.raises(MonthError) as exc:
        monthly_summary(ledger, 2027, 1, AS_OF)
    assert "之后" in exc.value.message("zh")


# --- the command --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from helpers import make_workbook

    return make_workbook(tmp_path_factory.mktemp("monthly") / "台账.xlsx", sheets())


def test_cli_json(ledger_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["monthly", str(ledger_file), "--period", "2026-11", "--as-of", "2026-12-05", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # the ledger has an error (the unreadable 月份)
    assert set(data) == {"ledger", "period", "start", "end", "as_of", "closed", "items", "customers", "warnings",
                         "notes"}
    p2 = next(i for i in data["items"] if i["item"] == "P2")
    assert (p2["opening"], p2["opening_source"], p2["opening_month"], p2["in"], p2["closing"]) == (
        90, "rolled", "2026-10", 80, 80)
    acme = next(c for c in data["customers"] if c["customer"] == "ACME")
    assert (acme["net_qty"], acme["net_amount"], acme["returned_amount"]) == (270, 695, -50)
    assert [i["item"] for i in data["items"] if i["negative"]] == ["P3"]


def test_cli_bad_period(ledger_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["monthly", str(ledger_file), "--period", "2026-13"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--period" in err and "2026-13" in err and "Traceback" not in err
    code = main(["monthly", str(ledger_file), "--period", "soon", "--lang", "en"])
    assert code == 2
    assert "not a month: soon" in capsys.readouterr().err


def test_cli_terminal_and_workbook(ledger_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "月结.xlsx"
    code = main(["monthly", str(ledger_file), "--period", "2026-11", "--as-of", "2026-12-05", "--out", str(target)])
    text = capsys.readouterr().out
    assert code == 1
    assert "成品月结 2026-11" in text and "P3" in text and "期末库存为 -30" in text
    assert target.is_file()
    import openpyxl

    ws = openpyxl.load_workbook(target)["成品月结"]
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    p1 = next(r for r in values if r[0] == "P1")
    assert 180 in p1 and 100 in p1 and 310 in p1
    assert ws.print_title_rows is not None
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


# --- hypothesis --------------------------------------------------------------------

ITEMS = ("A", "B", "C")
DAYS = [D(2026, m, d) for m, d in ((8, 1), (8, 31), (9, 1), (9, 15), (9, 30), (10, 1), (10, 31), (11, 1),
                                    (11, 30), (12, 1), (12, 31))]
MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11", "2026-12")


@st.composite
def random_ledgers(draw: st.DrawFn) -> dict[str, list[list[Any]]]:
    reports = draw(st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(ITEMS), st.integers(1, 500)),
                            max_size=12))
    ships = draw(st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(ITEMS), st.integers(1, 300),
                                    st.booleans()), max_size=12))
    holds = draw(st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(ITEMS), st.integers(1, 50),
                                    st.sampled_from(("返工", "报废", "让步接受")), st.one_of(st.none(), st.sampled_from(DAYS))),
                          max_size=4))
    openings = draw(st.lists(st.tuples(st.sampled_from(ITEMS), st.sampled_from(MONTHS), st.integers(0, 400)),
                             max_size=4))
    return {
        "订单": [ORDER_HEAD] + [[f"SO{i}", 1, "ACME", i, 10_000, 1.0, D(2026, 7, 1), D(2027, 3, 1)] for i in ITEMS],
        "产品": [["产品编码", "标准产能"]] + [[i, 100] for i in ITEMS],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量"]] + [[f"W{i}", f"SO{i}", 1, i, 10_000] for i in ITEMS],
        "生产日报": [["日期", "工单号", "良品数"]] + [[d, f"W{i}", q] for d, i, q in reports],
        "品质异常": [["日期", "工单号", "处理", "数量", "结案日期"]]
        + [[d, f"W{i}", a, q, c if c is None or c >= d else None] for d, i, q, a, c in holds],
        "出货": [SHIP_HEAD] + [[d, f"SO{i}", 1, i, q, "退货" if r else None] for d, i, q, r in ships],
        "成品期初": [["产品编码", "月份", "数量"]] + [[i, m, q] for i, m, q in openings],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_ledgers())
def test_stock_arithmetic_and_carry_over(data: dict[str, list[list[Any]]]) -> None:
    as_of = D(2027, 1, 31)
    ledger = read_grids("随机台账.xlsx", grids(data), as_of)
    sheet_months = {(r[0], r[1]) for r in data["成品期初"][1:]}
    previous: dict[str, float] | None = None
    for month in range(8, 13):
        s = monthly_summary(ledger, 2026, month, as_of)
        rows = s.items.set_index("item")
        for _item, r in rows.iterrows():
            assert r["closing"] == pytest.approx(r["opening"] + r["in_qty"] - r["shipped"] + r["returned"])
            assert r["in_qty"] == pytest.approx(r["produced"] + r["quality"])
            assert r["negative"] == (r["closing"] < -1e-9)
        if previous is not None:
            for item in ITEMS:
                if (item, f"2026-{month:02d}") in sheet_months:
                    continue
                opening = float(rows.loc[item, "opening"]) if item in rows.index else 0.0
                assert opening == pytest.approx(previous.get(item, 0.0))
        previous = {str(k): float(v) for k, v in rows["closing"].items()}


# --- printed (LibreOffice) --------------------------------------------------------


def test_printed_sheet(ledger_file: Path, tmp_path: Path, soffice: Any) -> None:
    """The 成品月结 printed by LibreOffice: one A4 landscape page, the CJK font
    embedded, the figures worked out above on it, the SUM totals recalculated by
    LibreOffice to the values gendan wrote (closing 180 + 80 - 30 = 230, net amount
    695 + 245 = 940)."""
    import subprocess

    import openpyxl

    target = tmp_path / "成品月结_202611.xlsx"
    assert main(["monthly", str(ledger_file), "--period", "2026-11", "--as-of", "2026-12-05",
                 "--out", str(target)]) == 1
    pdf = soffice.convert(target, "pdf", tmp_path)
    soffice.assert_cjk_embedded(pdf)
    assert soffice.pdf_pages(pdf) == 1
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert round(float(size[2])) == 842 and round(float(size[4])) == 595  # A4 landscape
    text = soffice.pdf_text(pdf)
    for expected in ("成品月结 2026-11", "期初 + 入库 - 出货 + 退货 = 期末", "由 2026-10 期初结转", "期初未知",
                     "P3 2026-11 期末库存为 -30", "客户出货汇总", "695.00"):
        assert expected in text, expected
    soffice.png(pdf)  # looked at by hand when the sheet changes
    recalculated = openpyxl.load_workbook(soffice.convert(target, "xlsx", tmp_path / "lo"), data_only=True)
    ws = recalculated["成品月结"]
    customers, items = [r for r in ws.iter_rows(values_only=True) if r[0] == "合计"]
    assert items[11] == 230  # 期末: 180 + 80 - 30
    assert customers[6] == pytest.approx(940)  # 净金额: 695.00 + 245.00
