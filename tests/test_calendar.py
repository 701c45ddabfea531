"""The working calendar: weekly rest days, China's holidays and 调休, 日历 exceptions,
and working-day arithmetic. Expected values are worked out by hand from the 2026
official calendar (National Day 1-7 October off, make-up days Sunday 20 September
and Saturday 10 October; Mid-autumn 25-27 September off)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan_xl import calendar as calmod
from gendan_xl.calendar import WorkCalendar, holidays_enabled, line_key, parse_rest_days
from gendan_xl.ledger import Ledger, Source, make_table

NAN = float("nan")
D = date


def lines_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": ["A线", "B线", "C线"],
            "workshop": ["一车间", "一车间", "二车间"],
            "shifts": [2.0, NAN, 1.0],
            "hours_per_shift": [10.0, NAN, 8.0],
            "efficiency": [0.9, NAN, 0.5],
            "rest_days": ["日", NAN, "周六、周日"],
        }
    )


def exceptions_table() -> pd.DataFrame:
    rows = [
        (D(2026, 11, 15), "B线", "加班", 4.0),  # Sunday overtime, 4 hours
        (D(2026, 11, 11), "A线", "休息", NAN),  # a Wednesday off for A only
        (D(2026, 11, 20), None, "休息", NAN),  # Friday off for every line ...
        (D(2026, 11, 20), "A线", "加班", NAN),  # ... but A works its normal hours
        (D(2026, 11, 21), None, "工作", NAN),  # Saturday worked by all, normal hours
        (D(2026, 11, 22), "Z线", "加班", 8.0),  # a line that does not exist
        (D(2026, 11, 23), None, "放风", NAN),  # unknown kind: ignored
    ]
    df = pd.DataFrame(rows, columns=["date", "line", "kind", "hours"])
    df["date"] = pd.to_datetime(df["date"])
    return df


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(lines_table(), exceptions_table())


def test_chinesecalendar_2026_national_day_data() -> None:
    """The data the calendar relies on: holidays (True, name), make-up days (False, name)."""
    assert chinese_calendar.get_holiday_detail(D(2026, 9, 20)) == (False, "National Day")
    assert chinese_calendar.get_holiday_detail(D(2026, 10, 10)) == (False, "National Day")
    for day in range(1, 8):
        assert chinese_calendar.get_holiday_detail(D(2026, 10, day))[0] is True
    assert chinese_calendar.get_holiday_detail(D(2026, 9, 25)) == (True, "Mid-autumn Festival")
    assert chinese_calendar.get_holiday_detail(D(2026, 10, 11)) == (True, None)  # plain Sunday


def test_line_hours_multiply_shifts_hours_and_efficiency(cal: WorkCalendar) -> None:
    assert cal.lines == ("A线", "B线", "C线")
    assert cal.normal_hours("A线") == pytest.approx(18.0)  # 2 x 10 x 0.9
    assert cal.normal_hours("B线") == 8.0  # defaults 1 x 8 x 1.0
    assert cal.normal_hours("C线") == 4.0  # 1 x 8 x 0.5
    assert cal.normal_hours(None) == 8.0
    assert cal.hours("C线", D(2026, 11, 2)) == 4.0  # a Monday


# Day by day from Friday 18 September to Monday 12 October 2026.
SEP18 = D(2026, 9, 18)
#              Fr Sa Su Mo Tu We Th Fr Sa Su Mo Tu We | Th Fr Sa Su Mo Tu We | Th Fr Sa Su Mo
#              18 19 20 21 22 23 24 25 26 27 28 29 30 |  1  2  3  4  5  6  7 |  8  9 10 11 12
NATIONAL = [1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1]
SUNDAY_ONLY = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1]
NO_HOLIDAYS = [1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1]


def test_national_calendar_2026_national_day() -> None:
    national = WorkCalendar.national()
    hours = national.hours_array(None, SEP18, 25)
    assert hours.tolist() == [8.0 * w for w in NATIONAL]
    assert national.is_workday(None, D(2026, 9, 20))  # make-up Sunday
    assert national.is_workday(None, D(2026, 10, 10))  # make-up Saturday
    assert not national.is_workday(None, D(2026, 10, 1))
    assert not national.is_workday(None, D(2026, 10, 11))  # ordinary Sunday


def test_line_resting_on_sundays_works_saturdays_but_not_holiday_saturdays(
    cal: WorkCalendar,
) -> None:
    hours = cal.hours_array("A线", SEP18, 25)
    assert hours.tolist() == pytest.approx([18.0 * w for w in SUNDAY_ONLY])
    assert cal.is_workday("A线", D(2026, 9, 19))  # ordinary Saturday
    assert not cal.is_workday("A线", D(2026, 9, 26))  # Saturday in Mid-autumn
    assert not cal.is_workday("A线", D(2026, 10, 3))  # Saturday in National Day
    assert cal.hours("A线", D(2026, 10, 3)) == 0.0
    assert cal.hours("A线", D(2026, 10, 10)) == pytest.approx(18.0)


def test_default_rest_days_and_chinese_text(cal: WorkCalendar) -> None:
    assert cal.workday_array("B线", SEP18, 25).astype(int).tolist() == NATIONAL
    assert cal.workday_array("C线", SEP18, 25).astype(int).tolist() == NATIONAL


def test_holidays_turned_off() -> None:
    plain = WorkCalendar(lines_table(), None, use_holidays=False)
    assert plain.workday_array("B线", SEP18, 25).astype(int).tolist() == NO_HOLIDAYS
    assert plain.years_without_holidays == set()


def test_calendar_exceptions(cal: WorkCalendar) -> None:
    # 加班 on a Sunday with 4 hours, for B only
    assert cal.hours("B线", D(2026, 11, 15)) == 4.0
    assert not cal.is_workday("A线", D(2026, 11, 15))
    assert not cal.is_workday("C线", D(2026, 11, 15))
    # 休息 on a Wednesday for A only
    assert cal.hours("A线", D(2026, 11, 11)) == 0.0
    assert cal.hours("B线", D(2026, 11, 11)) == 8.0
    # all-lines 休息, overridden for A by its own 加班 row with blank hours
    assert cal.hours("A线", D(2026, 11, 20)) == pytest.approx(18.0)
    assert cal.hours("B线", D(2026, 11, 20)) == 0.0
    assert cal.hours(None, D(2026, 11, 20)) == 0.0
    # all-lines 工作 on a Saturday: each line at its normal hours
    assert cal.hours("B线", D(2026, 11, 21)) == 8.0
    assert cal.hours("C线", D(2026, 11, 21)) == 4.0
    # unknown kinds and lines are left out, and the unknown line is noted
    assert cal.hours("B线", D(2026, 11, 23)) == 8.0
    assert cal.unknown_exception_lines == {"Z线"}


def test_exceptions_override_holidays_too() -> None:
    exc = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-02", "2026-10-10"]),
            "line": [None, "B线"],
            "kind": ["加班", "休息"],
            "hours": [6.0, NAN],
        }
    )
    cal = WorkCalendar(lines_table(), exc)
    assert cal.hours("B线", D(2026, 10, 2)) == 6.0  # overtime in the holiday
    assert cal.hours("B线", D(2026, 10, 10)) == 0.0  # make-up Saturday cancelled
    assert cal.hours("C线", D(2026, 10, 10)) == 4.0


def test_workdays_between_like_networkdays() -> None:
    national = WorkCalendar.national()
    # 28, 29, 30 September, 8, 9, 10 (make-up Saturday), 12 October
    assert national.workdays_between(D(2026, 9, 28), D(2026, 10, 12)) == 7
    assert national.workdays_between(D(2026, 10, 12), D(2026, 9, 28)) == -7
    assert national.workdays_between(D(2026, 10, 8), D(2026, 10, 8)) == 1
    assert national.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert national.workdays_in(D(2026, 9, 28), D(2026, 10, 12)) == 6
    assert national.workday_diff(D(2026, 10, 12), D(2026, 9, 28)) == -6


def test_add_workdays_like_workday(cal: WorkCalendar) -> None:
    national = WorkCalendar.national()
    assert national.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert national.add_workdays(D(2026, 10, 1), 1) == D(2026, 10, 8)
    assert national.add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert national.add_workdays(D(2026, 9, 24), 1) == D(2026, 9, 28)  # over Mid-autumn
    assert national.add_workdays(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert national.add_workdays(D(2026, 10, 12), -3) == D(2026, 10, 8)
    assert national.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)
    assert national.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)  # no 2027 data
    # A works Saturdays: Sep 30 -> Oct 8, 9, 10
    assert cal.add_workdays(D(2026, 9, 30), 3, "A线") == D(2026, 10, 10)
    assert cal.add_workdays(D(2026, 9, 19), 1, "A线") == D(2026, 9, 20)


def test_years_without_holiday_data_degrade() -> None:
    national = WorkCalendar.national()
    assert national.is_workday(None, D(2027, 1, 1))  # no data: an ordinary Friday
    assert national.is_workday(None, D(2003, 1, 1))
    assert national.workdays_between(D(2026, 12, 28), D(2027, 1, 8)) == 10
    assert national.years_without_holidays == {2003, 2027}


def test_unknown_line_and_blank_line(cal: WorkCalendar) -> None:
    assert "A线" in cal and " A线 " in cal
    assert "Z线" not in cal
    assert None not in cal
    with pytest.raises(KeyError):
        cal.hours("Z线", D(2026, 11, 2))


def test_from_ledger_reads_the_holiday_setting() -> None:
    src = Source("ledger.xlsx", "产线", {})
    tables = {
        "lines": make_table("lines", [(lines_table(), src)]),
        "calendar": make_table("calendar", []),
    }
    on = WorkCalendar.from_ledger(Ledger("ledger.xlsx", tables, settings={}))
    off = WorkCalendar.from_ledger(Ledger("ledger.xlsx", tables, settings={"holidays": "否"}))
    assert not on.is_workday("B线", D(2026, 10, 1))
    assert off.is_workday("B线", D(2026, 10, 1))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("日", {6}),
        ("六,日", {5, 6}),
        ("六，日", {5, 6}),
        ("周六、周日", {5, 6}),
        ("星期六 星期天", {5, 6}),
        ("六日", {5, 6}),
        ("Sat,Sun", {5, 6}),
        ("sunday", {6}),
        ("6,7", {5, 6}),
        ("7", {6}),
        (7.0, {6}),
        ("周三", {2}),
        ("", {5, 6}),
        (None, {5, 6}),
        (NAN, {5, 6}),
        ("双休", {5, 6}),
        ("单休", {6}),
        ("无", set()),
    ],
)
def test_parse_rest_days(text: object, days: set[int]) -> None:
    assert parse_rest_days(text) == frozenset(days)


def test_unreadable_rest_days_fall_back_and_are_noted() -> None:
    assert parse_rest_days("每月第一个周日") is None
    lines = pd.DataFrame({"line": ["X"], "rest_days": ["隔周休"]})
    cal = WorkCalendar(lines)
    assert cal.rest_days("X") == frozenset({5, 6})
    assert cal.unparsed_rest_days == {"X": "隔周休"}


def test_small_helpers() -> None:
    assert line_key(1.0) == "1"
    assert line_key(" Ａ线 ") == "A线"
    assert line_key(NAN) is None
    assert holidays_enabled("否") is False
    assert holidays_enabled("是") is True
    assert holidays_enabled(None) is True
    assert holidays_enabled("off") is False


def test_china_lookups_are_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    WorkCalendar.national().hours_array(None, D(2026, 1, 1), 365)

    def forbidden(day: date) -> tuple[bool, str | None]:
        raise AssertionError("chinesecalendar asked again")

    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", forbidden)
    lines = pd.DataFrame({"line": [f"L{i}" for i in range(30)]})
    cal = WorkCalendar(lines)
    for i in range(30):
        assert cal.hours_array(f"L{i}", D(2026, 6, 1), 200).sum() > 0


def test_hours_array_is_a_copy(cal: WorkCalendar) -> None:
    first = cal.hours_array("A线", SEP18, 5)
    first[:] = -1
    assert cal.hours("A线", SEP18) == pytest.approx(18.0)
    assert cal.hours_array("A线", SEP18, 0).shape == (0,)


# --- properties -------------------------------------------------------------------

DAYS = st.dates(min_value=D(2025, 6, 1), max_value=D(2027, 6, 30))
LINES = st.sampled_from([None, "A线", "B线", "C线"])
PROP_CAL = WorkCalendar(lines_table(), exceptions_table())


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS, LINES)
def test_add_workdays_inverts_workdays_between(d: date, e: date, line: str | None) -> None:
    if e < d:
        d, e = e, d
    if not PROP_CAL.is_workday(line, e):
        return
    n = PROP_CAL.workdays_between(d, e, line)
    offset = 1 if PROP_CAL.is_workday(line, d) else 0
    assert PROP_CAL.add_workdays(d, n - offset, line) == e


@settings(max_examples=300, deadline=None)
@given(DAYS, st.integers(min_value=-400, max_value=400), LINES)
def test_add_workdays_lands_on_workdays_and_counts_them(d: date, n: int, line: str | None) -> None:
    e = PROP_CAL.add_workdays(d, n, line)
    if n == 0:
        assert e == d
        return
    assert PROP_CAL.is_workday(line, e)
    if n > 0:
        assert e > d
        assert PROP_CAL.workdays_in(d, e, line) == n
    else:
        assert e < d
        # working days in [e, d)
        assert PROP_CAL.workdays_between(e, d, line) - int(PROP_CAL.is_workday(line, d)) == -n


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS, LINES)
def test_networkdays_is_antisymmetric_and_diff_agrees(d: date, e: date, line: str | None) -> None:
    if d != e:
        assert PROP_CAL.workdays_between(d, e, line) == -PROP_CAL.workdays_between(e, d, line)
    diff = PROP_CAL.workday_diff(d, e, line)
    many = PROP_CAL.workday_diff_many(line, [pd.Timestamp(d)], [pd.Timestamp(e)])
    assert many.tolist() == [diff]


@settings(max_examples=100, deadline=None)
@given(DAYS, st.integers(min_value=1, max_value=60), LINES)
def test_hours_array_matches_single_days(d: date, n: int, line: str | None) -> None:
    hours = PROP_CAL.hours_array(line, d, n)
    single = [PROP_CAL.hours(line, d + timedelta(days=i)) for i in range(n)]
    assert np.array_equal(hours, np.array(single))
    flags = PROP_CAL.workday_array(line, d, n)
    assert flags.tolist() == [PROP_CAL.is_workday(line, d + timedelta(days=i)) for i in range(n)]


def test_workday_diff_many_skips_blanks() -> None:
    out = PROP_CAL.workday_diff_many(
        None,
        [pd.NaT, pd.Timestamp("2026-09-28")],
        [pd.Timestamp("2026-10-12"), pd.Timestamp("2026-10-12")],
    )
    assert out.tolist() == [0, 6]


def test_module_cache_holds_years_without_data() -> None:
    WorkCalendar.national().hours(None, D(2030, 1, 1))
    assert calmod._CHINA_YEARS[2030] is None
