"""The cell functions, called as plain Python the way xlwings calls them: scalars,
2-D lists for ranges, None for blank cells, "#N/A"-style text for error cells."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xw_double import FakeRange, line_book

from gendan_xl.excel import udfs
from gendan_xl.excel.udfs import (
    GD_ADD_WORKDAYS,
    GD_CARTONS,
    GD_DAYS_LATE,
    GD_RMB_UPPER,
    GD_STATUS,
    GD_WORKDAYS,
    cell_date,
    serial_to_date,
)

# Excel serials (1900 date system) worked out by hand: 2026-09-28 is day 46293.
SEP28, SEP30, OCT8, OCT12 = 46293, 46295, 46303, 46307


def a_line_caller() -> FakeRange:
    """A cell in a workbook whose 产线 sheet has one line, A线, resting only on Sundays."""
    book = line_book([["产线", "班次数", "休息日"], ["A线", 2, "日"]])
    return book.sheets["订单"].range("H2")


def test_functions_keep_their_excel_names() -> None:
    assert [f.__name__ for f in udfs.UDFS] == [
        "GD_WORKDAYS",
        "GD_ADD_WORKDAYS",
        "GD_DAYS_LATE",
        "GD_STATUS",
        "GD_RMB_UPPER",
        "GD_CARTONS",
    ]


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (SEP28, date(2026, 9, 28)),
        (46293.75, date(2026, 9, 28)),  # a date with a time of day
        ("2026/11/3", date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 3)),
        ("2026.11.3", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("２０２６年１１月３日", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        ("2026-11-03 08:30:00", date(2026, 11, 3)),
        ("46293", date(2026, 9, 28)),
        (datetime(2026, 11, 3, 15, 0), date(2026, 11, 3)),
        (date(2026, 11, 3), date(2026, 11, 3)),
        (None, None),
        ("  ", None),
    ],
)
def test_cell_dates(value: object, day: date | None) -> None:
    assert cell_date(value) == day


def test_month_day_text_takes_this_year() -> None:
    assert cell_date("11月3日") == date(date.today().year, 11, 3)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (60, "#VALUE!"),
        (0, "#NUM!"),
        (-5, "#NUM!"),
        (3_000_000, "#NUM!"),
        ("2026-02-30", "#VALUE!"),
        ("下周一", "#VALUE!"),
        (True, "#VALUE!"),
        ("#N/A", "#N/A"),
        ("#REF!", "#REF!"),
    ],
)
def test_bad_dates_become_excel_errors(value: object, error: str) -> None:
    assert GD_WORKDAYS(value, SEP28) == error


def test_serial_round_trip() -> None:
    assert serial_to_date(2958465) == date(9999, 12, 31)


# --- GD_WORKDAYS / GD_ADD_WORKDAYS --------------------------------------------------


def test_workdays_over_national_day() -> None:
    # 28, 29, 30 September, 8, 9, 10 (make-up Saturday), 12 October
    assert GD_WORKDAYS(SEP28, OCT12) == 7
    assert GD_WORKDAYS(OCT12, SEP28) == -7
    assert GD_WORKDAYS("2026-10-01", "2026-10-07") == 0
    assert GD_WORKDAYS(datetime(2026, 9, 20), datetime(2026, 9, 20)) == 1  # make-up Sunday
    assert GD_WORKDAYS([[SEP28]], [[OCT12]]) == 7  # a single cell as xlwings passes it


def test_workdays_on_whole_columns() -> None:
    starts = [[SEP28], ["2026/9/28"], [None], ["oops"], [datetime(2026, 10, 1)]]
    ends = [[OCT12], ["2026年10月8日"], [OCT8], [OCT8], [None]]
    assert GD_WORKDAYS(starts, ends) == [[7], [4], [""], ["#VALUE!"], [""]]


def test_arrays_broadcast_like_excel() -> None:
    # one end date against a column of starts, and a row against a column
    assert GD_WORKDAYS([[SEP28], [SEP30]], OCT12) == [[7], [5]]
    assert GD_WORKDAYS([[SEP28], [SEP30]], [[OCT8, OCT12]]) == [[4, 7], [2, 5]]
    # a shorter range: the cells it does not cover are #N/A
    assert GD_WORKDAYS([[SEP28], [SEP30], [SEP30]], [[OCT8], [OCT12]]) == [[4], [5], ["#N/A"]]
    # a flat list from Python is a column
    assert GD_WORKDAYS([SEP28, SEP30], OCT12) == [[7], [5]]


def test_add_workdays() -> None:
    assert GD_ADD_WORKDAYS(SEP30, 1) == datetime(2026, 10, 8)
    assert GD_ADD_WORKDAYS("2026-10-09", 1) == datetime(2026, 10, 10)  # make-up Saturday
    assert GD_ADD_WORKDAYS(OCT8, -1) == datetime(2026, 9, 30)
    assert GD_ADD_WORKDAYS(OCT8, 2.9) == datetime(2026, 10, 10)  # truncated like WORKDAY
    assert GD_ADD_WORKDAYS("2026-10-03", 0) == datetime(2026, 10, 3)
    assert GD_ADD_WORKDAYS("2026-10-03", None) == datetime(2026, 10, 3)
    assert GD_ADD_WORKDAYS([[SEP30], [None], [SEP28]], [[1], [1], ["x"]]) == [
        [datetime(2026, 10, 8)],
        [""],
        ["#VALUE!"],
    ]
    assert GD_ADD_WORKDAYS(10, -100) == "#NUM!"  # before 1900


def test_line_calendar_comes_from_the_calling_workbook() -> None:
    assert GD_WORKDAYS(SEP28, OCT12, "A线") == "#N/A"  # no caller: no workbook to ask
    caller = a_line_caller()
    # A rests only on Sundays
    assert GD_WORKDAYS("2026-09-19", "2026-09-20", "A线", caller) == 2  # Saturday + make-up Sunday
    assert GD_WORKDAYS("2026-10-03", "2026-10-03", "A线", caller) == 0
    assert GD_ADD_WORKDAYS("2026-10-08", 2, "A线", caller) == datetime(2026, 10, 10)
    assert GD_WORKDAYS(SEP28, OCT12, "Z线", caller) == "#N/A"
    lines = [["A线"], [None], ["Z线"]]
    assert GD_WORKDAYS("2026-09-19", "2026-09-20", lines, caller) == [[2], [1], ["#N/A"]]
    # blank line: the national calendar even in a workbook with lines
    assert GD_WORKDAYS("2026-09-19", "2026-09-20", None, caller) == 1


# --- GD_DAYS_LATE / GD_STATUS -------------------------------------------------------


def test_days_late() -> None:
    assert GD_DAYS_LATE("2026-10-08", "2026-10-12") == 4
    assert GD_DAYS_LATE("2026-10-12", "2026-10-08") == 0  # early: never negative
    assert GD_DAYS_LATE("2026-10-08", None, "2026-11-01") == 24
    assert GD_DAYS_LATE(None, "2026-10-12") == ""
    assert GD_DAYS_LATE("soon", "2026-10-12") == "#VALUE!"
    due = (pd.Timestamp.today().normalize() - pd.Timedelta(days=3)).date()
    assert GD_DAYS_LATE(due, None) == 3  # as of today
    assert GD_DAYS_LATE([[OCT8], [OCT12]], [[None], [OCT8]], "2026-10-10") == [[2], [0]]


@pytest.mark.parametrize(
    ("qty", "produced", "shipped", "commitment", "label"),
    [
        (100, 100, 100, "2026-10-01", "已完成"),  # shipped in full, even though late
        (100, 100, 120, None, "已完成"),
        (100, 100, 50, "2026-10-09", "已逾期"),  # as of 10 Oct
        (100, 100, 0, "2026-10-20", "待出货"),
        (100, 40, 0, "2026-10-13", "有风险"),  # 12, 13 Oct: 2 working days left
        (100, 40, 0, "2026-10-14", "正常"),  # 3 working days left
        (100, None, None, "2026-10-10", "有风险"),  # due today
        (100, None, None, None, "正常"),
        (None, 5, 5, "2026-10-10", ""),
        ("abc", 5, 5, "2026-10-10", "#VALUE!"),
        (0, 0, 0, "2026-10-10", "#NUM!"),
        (100, "#N/A", 0, "2026-10-20", "#N/A"),
    ],
)
def test_status(
    qty: object, produced: object, shipped: object, commitment: object, label: str
) -> None:
    assert GD_STATUS(qty, produced, shipped, commitment, "2026-10-10") == label


def test_status_on_a_column() -> None:
    assert GD_STATUS(
        [[100], [100]],
        [[100], [0]],
        [[100], [0]],
        [["2026-10-01"], ["2026-10-01"]],
        datetime(2026, 10, 10),
    ) == [["已完成"], ["已逾期"]]


# --- GD_RMB_UPPER / GD_CARTONS ------------------------------------------------------


def test_rmb_upper() -> None:
    assert GD_RMB_UPPER(0.05) == "伍分"
    assert GD_RMB_UPPER(10000) == "壹万元整"
    assert GD_RMB_UPPER(100200.3) == "壹拾万零贰佰元叁角"
    assert GD_RMB_UPPER("1,234.5") == "壹仟贰佰叁拾肆元伍角"
    assert GD_RMB_UPPER(None) == ""
    assert GD_RMB_UPPER("abc") == "#VALUE!"
    assert GD_RMB_UPPER(True) == "#VALUE!"
    assert GD_RMB_UPPER(1e16) == "#NUM!"
    assert GD_RMB_UPPER("#DIV/0!") == "#DIV/0!"
    assert GD_RMB_UPPER([[0.05], [10000], [None], [100200.3]]) == [
        ["伍分"],
        ["壹万元整"],
        [""],
        ["壹拾万零贰佰元叁角"],
    ]


def test_cartons() -> None:
    assert GD_CARTONS(1201, 100) == 13
    assert GD_CARTONS("1,200pcs", 100) == 12
    assert GD_CARTONS(1200, None) == ""
    assert GD_CARTONS(None, 100) == ""
    assert GD_CARTONS(1200, 0) == "#DIV/0!"
    assert GD_CARTONS(1200, -10) == "#NUM!"
    assert GD_CARTONS(1200, "box") == "#VALUE!"
    assert GD_CARTONS([[1200, 1201]], 100) == [[12, 13]]


# --- never raises -------------------------------------------------------------------

ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.datetimes(),
    st.dates(),
    st.sampled_from(["#N/A", "2026-10-01", "20261001", "2026年10月1日", "1,200", "A线"]),
)
GRID = st.one_of(
    ANY_CELL, st.lists(st.lists(ANY_CELL, min_size=1, max_size=3), min_size=1, max_size=3)
)


@settings(deadline=None)
@given(GRID, GRID, GRID)
def test_udfs_never_raise(a: object, b: object, c: object) -> None:
    caller = a_line_caller()
    for result in (
        GD_WORKDAYS(a, b, c, caller),
        GD_ADD_WORKDAYS(a, b, c, caller),
        GD_DAYS_LATE(a, b, c),
        GD_STATUS(a, b, c, a, b),
        GD_RMB_UPPER(a),
        GD_CARTONS(a, b),
    ):
        cells = result if isinstance(result, list) else [[result]]
        for row in cells:
            for value in row:
                assert isinstance(value, int | str | datetime), value
                if isinstance(value, str) and value.startswith("#"):
                    assert value in udfs.ERROR_CODES, value  # the wrapper makes it a real error
