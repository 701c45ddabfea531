"""One test per issue code: a small valid ledger, one planted mistake, and the
exact list of (code, sheet, cell) that comes back.

The base ledger is clean (a test proves it); each test changes one cell or row
and asserts the whole flattened issue list, so a finding at the wrong address,
a missing finding and a false alarm on the good rows beside it all fail.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook

from gendan_xl.engine import CheckResult, check
from gendan_xl.model import ISSUE_TYPES, Severity

AS_OF = date(2026, 11, 20)

Sheets = dict[str, list[list[Any]]]

# Physical layout (row 1 = header). Columns are noted so planted cells read clearly.
BASE: Sheets = {
    # A 订单号, B 行号, C 客户, D 产品编码, E 数量, F 下单日期, G 交期, H 状态
    "订单": [
        ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
        ["SO1", "1", "ACME", "P1", 100, date(2026, 11, 1), date(2026, 12, 20), "正常"],  # 2
        ["SO1", "2", "ACME", "P2", 50, date(2026, 11, 1), date(2026, 12, 20), "正常"],  # 3
        ["SO2", "1", "BETA", "P1", 80, date(2026, 11, 2), date(2026, 12, 25), "正常"],  # 4
        # Bought in and already delivered: no work order, fully shipped.
        ["SO3", "1", "BETA", "P2", 20, date(2026, 10, 1), date(2026, 11, 10), "完成"],  # 5
    ],
    # A 产品编码, B 产线, C 标准产能
    "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 100], ["P2", "L1", 50]],
    "产线": [["产线", "车间"], ["L1", "一车间"], ["L2", "二车间"]],
    # A 工单号, B 订单号, C 行号, D 产品编码, E 数量, F 产线
    "工单": [
        ["工单号", "订单号", "行号", "产品编码", "数量", "产线"],
        ["WO1", "SO1", "1", "P1", 100, "L1"],  # 2
        ["WO2", "SO1", "2", "P2", 50, "L1"],  # 3
        ["WO3", "SO2", "1", "P1", 80, "L2"],  # 4
    ],
    # A 日期, B 工单号, C 产线, D 良品数
    "生产日报": [
        ["日期", "工单号", "产线", "良品数"],
        [date(2026, 11, 10), "WO1", "L1", 60],  # 2
        [date(2026, 11, 11), "WO1", "L1", 40],  # 3
        [date(2026, 11, 11), "WO2", "L1", 30],  # 4
    ],
    # A 出货日期, B 订单号, C 行号, D 数量, E 送货单号, F 签回日期
    "出货": [
        ["出货日期", "订单号", "行号", "数量", "送货单号", "签回日期"],
        [date(2026, 11, 12), "SO1", "1", 100, "DN1", date(2026, 11, 13)],  # 2
        [date(2026, 11, 12), "SO1", "2", 30, "DN1", None],  # 3
        [date(2026, 11, 5), "SO3", "1", 20, "DN2", date(2026, 11, 6)],  # 4
    ],
    "客户": [["客户", "全称"], ["ACME", "Acme Ltd"], ["BETA", "Beta Ltd"]],
}


@pytest.fixture
def sheets() -> Sheets:
    return copy.deepcopy(BASE)


def run(tmp_path: Path, sheets: Sheets, name: str = "ledger.xlsx") -> CheckResult:
    path = make_workbook(tmp_path / name, sheets)
    return check(path, AS_OF)


def flat(result: CheckResult) -> list[tuple[str, str, str | None]]:
    return sorted((i.code, i.ref.sheet, i.ref.cell) for i in result.issues)


def found(tmp_path: Path, sheets: Sheets) -> list[tuple[str, str, str | None]]:
    return flat(run(tmp_path, sheets))


def test_base_ledger_is_clean(tmp_path: Path, sheets: Sheets) -> None:
    result = run(tmp_path, sheets)
    assert flat(result) == []
    assert result.ledger.row_counts == {
        "订单": 4, "产品": 2, "产线": 2, "工单": 3, "生产日报": 3, "出货": 3, "客户": 2,
    }


def test_every_code_has_both_messages() -> None:
    for code, kind in ISSUE_TYPES.items():
        assert kind.zh and kind.en, code
        assert kind.zh != kind.en, code


# ------------------------------------------------------------------ reader codes


def test_missing_sheet(tmp_path: Path, sheets: Sheets) -> None:
    del sheets["工单"]
    result = run(tmp_path, sheets)
    assert flat(result) == [("missing-sheet", "工单", None)]
    (issue,) = result.issues
    assert issue.ref.file.endswith("ledger.xlsx")
    assert "工单" in issue.message("zh") and "missing" in issue.message("en")


def test_missing_column(tmp_path: Path, sheets: Sheets) -> None:
    for row in sheets["订单"]:
        del row[2]  # 客户
    result = run(tmp_path, sheets)
    assert flat(result) == [("missing-column", "订单", "A1")]
    assert result.issues[0].message() == "工作表缺少必填列「客户」"


def test_missing_value(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][2][2] = None  # 客户 of SO1-2
    assert found(tmp_path, sheets) == [("missing-value", "订单", "C3")]


def test_missing_value_blank_text(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][3][0] = "   "  # 工单号 of WO3: only spaces
    # WO3 disappears, so SO2-1 has no work order any more (due 12-25: not yet a warning).
    assert found(tmp_path, sheets) == [("missing-value", "工单", "A4")]


def test_bad_date(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][3][5] = "2026-13-45"  # 下单日期 of SO2
    result = run(tmp_path, sheets)
    assert flat(result) == [("bad-date", "订单", "F4")]
    assert result.issues[0].value == "2026-13-45"


def test_bad_number(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][2][4] = "五十"  # 数量 of WO2
    result = run(tmp_path, sheets)
    assert flat(result) == [("bad-number", "工单", "E3")]
    assert result.issues[0].value == "五十"


def test_excel_error(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][3][4] = "#N/A"  # openpyxl writes it as an error cell (t="e")
    result = run(tmp_path, sheets)
    assert flat(result) == [("excel-error", "订单", "E4")]
    assert result.issues[0].value == "#N/A"


def test_excel_error_in_text_column(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][2][4] = "#REF!"  # 送货单号
    assert found(tmp_path, sheets) == [("excel-error", "出货", "E3")]


def test_uncalculated_formula(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][3][4] = "=40+40"  # 数量 of WO3; openpyxl saves no cached value
    assert found(tmp_path, sheets) == [("uncalculated-formula", "工单", "E4")]


def test_uncalculated_formula_in_text_column(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][3][2] = '="BE"&"TA"'  # 客户 of SO2
    assert found(tmp_path, sheets) == [("uncalculated-formula", "订单", "C4")]


def test_bad_choice(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][1][7] = "进行中"  # 状态: not one of 正常/暂停/取消/完成
    result = run(tmp_path, sheets)
    assert flat(result) == [("bad-choice", "订单", "H2")]
    assert result.issues[0].severity == Severity.WARNING


# ------------------------------------------------------------------ check codes


def test_duplicate_key_order_line(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"].append(["SO2", "1", "BETA", "P1", 5, date(2026, 11, 2), date(2026, 12, 25), "正常"])
    result = run(tmp_path, sheets)
    assert flat(result) == [("duplicate-key", "订单", "B6")]
    assert result.issues[0].args["first_row"] == "4"


def test_duplicate_key_work_order(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][3][0] = "WO2"  # WO3's row now repeats WO2
    assert found(tmp_path, sheets) == [("duplicate-key", "工单", "A4")]


def test_non_positive_qty(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][3][3] = 0  # 数量 of the SO3 shipment
    assert found(tmp_path, sheets) == [("non-positive-qty", "出货", "D4")]


def test_non_positive_qty_negative_order(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][4][4] = -20  # SO3, closed and shipped 20: over-shipped too
    assert found(tmp_path, sheets) == [
        ("non-positive-qty", "订单", "E5"),
        ("over-shipped", "出货", "D4"),
    ]


def test_due_before_order(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][3][6] = date(2026, 10, 30)  # 交期 of SO2 before its 下单日期 11-02
    # SO2 is now past due with nothing shipped; that is planning's business, not a check.
    assert found(tmp_path, sheets) == [("due-before-order", "订单", "G4")]


def test_unknown_item(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][3][3] = "P9"  # WO3's item
    assert found(tmp_path, sheets) == [("unknown-item", "工单", "D4")]


def test_unknown_item_in_orders(tmp_path: Path, sheets: Sheets) -> None:
    sheets["订单"][4][3] = "P9"  # SO3 (closed, shipped by line number)
    assert found(tmp_path, sheets) == [("unknown-item", "订单", "D5")]


def test_unknown_line(tmp_path: Path, sheets: Sheets) -> None:
    sheets["生产日报"][2][2] = "L7"
    assert found(tmp_path, sheets) == [("unknown-line", "生产日报", "C3")]


def test_unknown_line_in_items(tmp_path: Path, sheets: Sheets) -> None:
    sheets["产品"][2][1] = "L7"
    assert found(tmp_path, sheets) == [("unknown-line", "产品", "B3")]


def test_unknown_order_shipment(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"].append([date(2026, 11, 15), "SO9", "1", 5, "DN3", None])
    result = run(tmp_path, sheets)
    assert flat(result) == [("unknown-order", "出货", "B5")]
    assert result.issues[0].value == "SO9-1"


def test_unknown_order_work_order(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"][3][1] = "SO9"  # WO3 names an order that does not exist
    # SO2-1 is left without a work order, but its commitment is more than 7 days away.
    assert found(tmp_path, sheets) == [("unknown-order", "工单", "B4")]


def test_unknown_work_order(tmp_path: Path, sheets: Sheets) -> None:
    sheets["生产日报"].append([date(2026, 11, 12), "WO9", "L1", 10])
    assert found(tmp_path, sheets) == [("unknown-work-order", "生产日报", "B5")]


def test_over_issued(tmp_path: Path, sheets: Sheets) -> None:
    sheets["工单"].append(["WO4", "SO2", "1", "P1", 30, "L2"])  # 80 + 30 > 80
    result = run(tmp_path, sheets)
    assert flat(result) == [("over-issued", "订单", "E4")]
    assert result.issues[0].args == {"key": "SO2-1", "total": "110", "qty": "80"}


def test_over_produced(tmp_path: Path, sheets: Sheets) -> None:
    sheets["生产日报"].append([date(2026, 11, 12), "WO1", "L1", 5])  # 60 + 40 + 5 > 100
    result = run(tmp_path, sheets)
    assert flat(result) == [("over-produced", "工单", "A2")]
    assert result.issues[0].args == {"total": "105", "qty": "100"}


def test_over_shipped(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"].append([date(2026, 11, 7), "SO3", "1", 5, "DN2b", None])  # 20 + 5 > 20
    result = run(tmp_path, sheets)
    assert flat(result) == [("over-shipped", "出货", "D5")]
    assert result.issues[0].args == {"key": "SO3-1", "total": "25", "qty": "20"}


def test_over_shipped_points_at_the_shipment_that_passes_the_qty(
    tmp_path: Path, sheets: Sheets
) -> None:
    # An earlier extra shipment (row 5, dated before row 4) is the one that passes 20.
    sheets["出货"].append([date(2026, 11, 4), "SO3", "1", 15, "DN0", None])
    assert found(tmp_path, sheets) == [("over-shipped", "出货", "D4")]


def test_shipped_before_produced(tmp_path: Path, sheets: Sheets) -> None:
    # SO1-2: 30 produced by 11-11 and 30 shipped on 11-12; ship 15 more on 11-13.
    sheets["出货"].append([date(2026, 11, 13), "SO1", "2", 15, "DN4", None])
    result = run(tmp_path, sheets)
    assert flat(result) == [("shipped-before-produced", "出货", "A5")]
    assert result.issues[0].args == {"key": "SO1-2", "shipped": "45", "produced": "30"}


def test_shipped_before_produced_by_date(tmp_path: Path, sheets: Sheets) -> None:
    # Shipping SO1-1 on 11-10 while only 60 were made by then (100 by 11-11).
    sheets["出货"][1][0] = date(2026, 11, 10)
    sheets["出货"][1][4] = "DN0"  # its own note (DN1 stays on 11-12)
    sheets["出货"][1][5] = date(2026, 11, 11)
    assert found(tmp_path, sheets) == [("shipped-before-produced", "出货", "A2")]


def test_future_date(tmp_path: Path, sheets: Sheets) -> None:
    sheets["生产日报"].append([date(2026, 11, 21), "WO3", "L2", 10])  # the day after as-of, a Saturday
    assert found(tmp_path, sheets) == [("future-date", "生产日报", "A5"), ("rest-day-report", "生产日报", "A5")]


def test_future_date_shipment(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"].append([date(2026, 11, 30), "SO2", "1", 0.5, "DN9", None])
    # Nothing made for SO2-1 yet, so it also ships ahead of production.
    assert found(tmp_path, sheets) == [
        ("future-date", "出货", "A5"),
        ("shipped-before-produced", "出货", "A5"),
    ]


def test_future_date_signed(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][3][5] = date(2026, 12, 1)
    assert found(tmp_path, sheets) == [("future-date", "出货", "F4")]


def test_as_of_day_itself_is_not_future(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][3][5] = datetime(2026, 11, 20, 17, 30)  # as-of day, with a time
    assert found(tmp_path, sheets) == []


def test_signed_before_shipped(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][1][5] = date(2026, 11, 11)  # signed the day before it shipped
    assert found(tmp_path, sheets) == [("signed-before-shipped", "出货", "F2")]


def test_duplicate_report_row(tmp_path: Path, sheets: Sheets) -> None:
    # The same report entered twice (WO3: 10 + 10 stays within its 80).
    sheets["生产日报"].append([date(2026, 11, 12), "WO3", "L2", 10])
    sheets["生产日报"].append([date(2026, 11, 12), "WO3", "L2", 10])
    result = run(tmp_path, sheets)
    assert flat(result) == [("duplicate-report-row", "生产日报", "B6")]
    assert result.issues[0].args["first_row"] == "5"


def test_same_work_order_other_shift_is_not_a_duplicate(tmp_path: Path, sheets: Sheets) -> None:
    sheets["生产日报"].append([date(2026, 11, 12), "WO3", "L2", 10])
    sheets["生产日报"].append([date(2026, 11, 12), "WO3", "L2", 12])
    assert found(tmp_path, sheets) == []


def test_no_work_order(tmp_path: Path, sheets: Sheets) -> None:
    del sheets["工单"][3]  # WO3 for SO2-1
    sheets["订单"][3][6] = date(2026, 11, 26)  # due within 7 days of the as-of date
    result = run(tmp_path, sheets)
    assert flat(result) == [("no-work-order", "订单", "A4")]
    assert result.issues[0].args == {
        "key": "SO2-1",
        "when": "距承诺交期 2026-11-26 不足 7 天",
        "when_en": "within 7 days of its commitment date 2026-11-26",
    }
    assert result.issues[0].message() == "订单行 SO2-1 距承诺交期 2026-11-26 不足 7 天仍未下工单(有单无工单)"


def test_no_work_order_after_the_date_says_it_has_passed(tmp_path: Path, sheets: Sheets) -> None:
    del sheets["工单"][3]
    sheets["订单"][3][6] = date(2026, 11, 18)  # two days before the as-of date
    result = run(tmp_path, sheets)
    assert flat(result) == [("no-work-order", "订单", "A4")]
    assert result.issues[0].message() == "订单行 SO2-1 承诺交期 2026-11-18 已过,仍未下工单(有单无工单)"
    assert "has passed" in result.issues[0].message("en")


def test_no_work_order_quiet_when_far_or_closed(tmp_path: Path, sheets: Sheets) -> None:
    del sheets["工单"][3]
    sheets["订单"][3][6] = date(2026, 11, 28)  # 8 days away: not yet
    assert found(tmp_path, sheets) == []
    sheets["订单"][3][6] = date(2026, 11, 26)
    sheets["订单"][3][7] = "取消"
    assert found(tmp_path, sheets) == []


def test_missing_rate(tmp_path: Path, sheets: Sheets) -> None:
    sheets["产品"][2][2] = 0  # P2 has no usable rate; SO1-2 is open, SO3 (完成) is not
    result = run(tmp_path, sheets)
    assert flat(result) == [("missing-rate", "订单", "D3")]
    assert result.issues[0].value == "P2"


def test_duplicate_delivery_note_customer(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][3][4] = "DN1"  # SO3 is BETA's; DN1 went to ACME on 11-12
    result = run(tmp_path, sheets)
    # One note, two conflicts on the same row: another customer and another date.
    assert flat(result) == [
        ("duplicate-delivery-note", "出货", "E4"),
        ("duplicate-delivery-note", "出货", "E4"),
    ]
    assert {i.args["what_en"] for i in result.issues} == {"customers", "dates"}


def test_duplicate_delivery_note_date(tmp_path: Path, sheets: Sheets) -> None:
    sheets["出货"][2][0] = date(2026, 11, 13)  # DN1's second line on another day
    result = run(tmp_path, sheets)
    assert flat(result) == [("duplicate-delivery-note", "出货", "E3")]
    assert result.issues[0].args["first"] == "2026-11-12"


def test_all_codes_of_the_issue_are_covered() -> None:
    """Every code issue 2 names exists in the table (and has a test above)."""
    codes = {
        "missing-sheet", "missing-column", "missing-value", "bad-date", "bad-number",
        "excel-error", "uncalculated-formula", "duplicate-key", "non-positive-qty",
        "due-before-order", "unknown-item", "unknown-line", "unknown-order",
        "unknown-work-order", "over-issued", "over-produced", "over-shipped",
        "shipped-before-produced", "future-date", "signed-before-shipped",
        "duplicate-report-row", "no-work-order", "missing-rate", "duplicate-delivery-note",
    }
    assert codes <= set(ISSUE_TYPES)
    tested = [name for name in globals() if name.startswith("test_")]
    for code in codes:
        stem = f"test_{code.replace('-', '_')}"
        assert any(name == stem or name.startswith(stem + "_") for name in tested), code


# ------------------------------------------------------------------ tolerant values


TOLERANT_DATES = [
    "2026年11月3日", "2026/11/3", "2026.11.3", "20261103", "11月3日", "2026-11-03",
    46329,  # the Excel serial of 2026-11-03
    datetime(2026, 11, 3, 9, 30),
]
TOLERANT_QTYS = ["１２０", "1,200", "1200pcs", " 80 ", "1,200 PCS", 120.0]


@pytest.mark.parametrize("value", TOLERANT_DATES, ids=str)
def test_tolerant_dates_raise_nothing(tmp_path: Path, sheets: Sheets, value: object) -> None:
    sheets["订单"][3][5] = value  # 下单日期 of SO2
    result = run(tmp_path, sheets)
    assert flat(result) == []
    orders = result.ledger["orders"]
    assert orders.loc[orders["_row"] == 4, "order_date"].iloc[0] == datetime(2026, 11, 3)


@pytest.mark.parametrize("value", TOLERANT_QTYS, ids=str)
def test_tolerant_numbers_raise_nothing(tmp_path: Path, sheets: Sheets, value: object) -> None:
    sheets["订单"][3][4] = value  # 数量 of SO2 ...
    sheets["工单"][3][4] = value  # ... and of WO3, its one work order: covered exactly
    result = run(tmp_path, sheets)
    assert flat(result) == []
    expected = {"１２０": 120, "1,200": 1200, "1200pcs": 1200, " 80 ": 80, "1,200 PCS": 1200}
    orders = result.ledger["orders"]
    assert orders.loc[orders["_row"] == 4, "qty"].iloc[0] == expected.get(str(value), value)


def test_tolerant_values_mixed_in_one_sheet(tmp_path: Path, sheets: Sheets) -> None:
    """All the tolerant spellings at once, in the daily report's date and qty columns."""
    days = ["2026年11月10日", "2026/11/11", "11月11日"]
    qtys = ["６０", "40pcs", "30 件"]
    for row, day, qty in zip(sheets["生产日报"][1:], days, qtys, strict=True):
        row[0], row[3] = day, qty
    result = run(tmp_path, sheets)
    assert flat(result) == []
    daily = result.ledger["daily"]
    assert daily["good_qty"].tolist() == [60, 40, 30]
    assert daily["date"].dt.day.tolist() == [10, 11, 11]
