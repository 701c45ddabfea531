"""Tolerant value parsing (read/values.py): the spellings DESIGN §3 accepts, the
ones it must refuse, and (hypothesis) that no cell value ever makes it raise."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan_xl.read.values import (
    ERROR_VALUES,
    clean_text,
    parse_date,
    parse_date_column,
    parse_number,
    parse_number_column,
    parse_text_column,
    serial_to_date,
    text_value,
)

AS_OF = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026.11.3", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("2026 年 11 月 3 日", date(2026, 11, 3)),
        ("2026年11月3号", date(2026, 11, 3)),
        ("２０２６－１１－０３", date(2026, 11, 3)),  # full-width digits and dash
        ("2026-11-03 14:30", date(2026, 11, 3)),
        ("2026-11-03T14:30:05", date(2026, 11, 3)),
        (46329, date(2026, 11, 3)),  # Excel serial
        (46329.75, date(2026, 11, 3)),  # serial with a time of day
        ("46329", date(2026, 11, 3)),
        (20261103, date(2026, 11, 3)),
        (20261103.0, date(2026, 11, 3)),
        (datetime(2026, 11, 3, 8, 0), date(2026, 11, 3)),
        (date(2026, 11, 3), date(2026, 11, 3)),
        (pd.Timestamp("2026-11-03 10:00"), date(2026, 11, 3)),
        (np.int64(46329), date(2026, 11, 3)),
    ],
)
def test_parse_date_accepts(value: object, expected: date) -> None:
    assert parse_date(value, AS_OF) == expected


@pytest.mark.parametrize(
    ("value", "as_of", "expected"),
    [
        ("11月3日", date(2026, 11, 20), date(2026, 11, 3)),
        ("11月3日", date(2027, 1, 10), date(2026, 11, 3)),  # last year is nearer
        ("1月5日", date(2026, 12, 20), date(2027, 1, 5)),  # next year is nearer
        ("11/3", date(2026, 11, 20), date(2026, 11, 3)),
        ("2月29日", date(2027, 6, 1), date(2028, 2, 29)),  # only a leap year has it
    ],
)
def test_parse_date_infers_the_year(value: str, as_of: date, expected: date) -> None:
    assert parse_date(value, as_of) == expected


@pytest.mark.parametrize(
    "value",
    ["2026-13-01", "2026-02-30", "明天", "#N/A", "", "  ", "13月40日", "ASAP", "2026-11",
     None, True, float("nan"), -5, 0, 1e12, time(8, 30), [2026, 11, 3]],
    ids=repr,
)
def test_parse_date_refuses(value: object) -> None:
    assert parse_date(value, AS_OF) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,200", 1200.0),
        ("１２０", 120.0),
        ("1200pcs", 1200.0),
        ("1,200 PCS", 1200.0),
        ("1200 个", 1200.0),
        ("12.5kg", 12.5),
        ("-3", -3.0),
        ("+7", 7.0),
        (".5", 0.5),
        ("50%", 0.5),
        (" 80 ", 80.0),
        ("８０箱", 80.0),
        (120, 120.0),
        (np.float32(1.5), 1.5),
        (np.int64(9), 9.0),
    ],
)
def test_parse_number_accepts(value: object, expected: float) -> None:
    assert parse_number(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    ["abc", "五十", "1,20", "1.2.3", "#DIV/0!", "#N/A", "", "pcs", "-", ".", None,
     True, False, float("nan"), float("inf"), "1e999", date(2026, 1, 1)],
    ids=repr,
)
def test_parse_number_refuses(value: object) -> None:
    assert parse_number(value) is None


def test_serial_bounds() -> None:
    assert serial_to_date(1) == date(1899, 12, 31)
    assert serial_to_date(2958465) == date(9999, 12, 31)
    assert serial_to_date(0) is None
    assert serial_to_date(2958466) is None


def test_text_value_keeps_codes_readable() -> None:
    assert text_value(1001.0) == "1001"  # a code typed as a number loses the ".0"
    assert text_value(1.5) == "1.5"
    assert text_value("  SO1 ") == "SO1"
    assert text_value(datetime(2026, 11, 3)) == "2026-11-03"
    assert text_value(None) is np.nan or pd.isna(text_value(None))
    assert pd.isna(text_value("   "))
    assert clean_text("ＡＢＣ　１") == "ABC 1"


def test_number_column_mixed_types() -> None:
    series = pd.Series([120, "1,200", "１２０", "1200pcs", None, "", "abc", "#N/A", 3.5], dtype=object)
    values, bad = parse_number_column(series)
    assert values.tolist()[:4] == [120, 1200, 120, 1200]
    assert values.iloc[8] == 3.5
    assert bad.tolist() == [False, False, False, False, False, False, True, True, False]
    assert values.dtype == "float64"


def test_number_column_typed_fast_path() -> None:
    values, bad = parse_number_column(pd.Series([1.0, np.nan, 3.0]))
    assert values.iloc[2] == 3.0 and not bad.any()


def test_date_column_mixed_types() -> None:
    series = pd.Series(
        [datetime(2026, 11, 3, 9), "2026/11/4", "2026年11月5日", 46332, "11月7日", None, "明天",
         "2026-11-08"],
        dtype=object,
    )
    values, bad = parse_date_column(series, AS_OF)
    days = [None if pd.isna(v) else v.day for v in values]
    assert days == [3, 4, 5, 6, 7, None, None, 8]
    assert bad.tolist() == [False] * 6 + [True, False]
    assert values.dtype == "datetime64[ns]"
    assert (values.dropna().dt.hour == 0).all()  # normalised to midnight


def test_date_column_from_numbers_and_datetimes() -> None:
    values, bad = parse_date_column(pd.Series([46329.0, np.nan, 20261104.0, -1.0]), AS_OF)
    assert values.iloc[0] == pd.Timestamp(2026, 11, 3)
    assert values.iloc[2] == pd.Timestamp(2026, 11, 4)
    assert bad.tolist() == [False, False, False, True]
    typed = pd.Series(pd.to_datetime(["2026-11-03 10:00", None]))
    values, bad = parse_date_column(typed, AS_OF)
    assert values.iloc[0] == pd.Timestamp(2026, 11, 3) and not bad.any()


def test_date_column_from_string_dtype() -> None:
    series = pd.Series(["2026-11-03", None, "2026/11/4", "nope"], dtype="string")
    values, bad = parse_date_column(series, AS_OF)
    assert values.iloc[0] == pd.Timestamp(2026, 11, 3)
    assert values.iloc[2] == pd.Timestamp(2026, 11, 4)
    assert bad.tolist() == [False, False, False, True]


def test_dates_pandas_cannot_hold_are_bad_not_a_crash() -> None:
    """A 9999-12-31 placeholder (or year 1) lies outside pandas' nanosecond range."""
    for series in (
        pd.Series(["9999-12-31", "2026-11-03"], dtype=object),
        pd.Series([date(9999, 12, 31), date(2026, 11, 3)], dtype=object),
        pd.Series(["9999-12-31", "2026-11-03"], dtype="string"),
        pd.Series([2958465.0, 46329.0]),
        pd.Series(np.array(["9999-12-31", "2026-11-03T10:00"], dtype="datetime64[ms]")),
        pd.Series([-1, 46329], dtype=object),
    ):
        values, bad = parse_date_column(series, AS_OF)
        assert bad.tolist() == [True, False], series
        assert values.iloc[1] == pd.Timestamp(2026, 11, 3)
        assert values.dtype == "datetime64[ns]"


def test_text_column_variants() -> None:
    assert parse_text_column(pd.Series([1001.0, np.nan, 2.5])).tolist()[::2] == ["1001", "2.5"]
    out = parse_text_column(pd.Series([" a ", "", None, 7], dtype=object))
    assert out.iloc[0] == "a" and pd.isna(out.iloc[1]) and pd.isna(out.iloc[2]) and out.iloc[3] == "7"
    out = parse_text_column(pd.Series([" x", "  ", None], dtype="string"))
    assert out.iloc[0] == "x" and pd.isna(out.iloc[1]) and pd.isna(out.iloc[2])
    out = parse_text_column(pd.Series(pd.to_datetime(["2026-11-03", None])))
    assert out.iloc[0] == "2026-11-03" and pd.isna(out.iloc[1])


def test_error_values_are_known() -> None:
    assert {"#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"} <= ERROR_VALUES


# ------------------------------------------------------------------ property tests

# Anything a reader may hand over for a cell.
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="0123456789０１２３年月日号/-.,: pcsPCS个#N/A!", max_size=20),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(sorted(ERROR_VALUES)),
    st.timedeltas(),  # python-calamine hands durations over as timedelta
)

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cell_values, st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_parse_date_never_raises(value: object, as_of: date) -> None:
    result = parse_date(value, as_of)
    assert result is None or isinstance(result, date)


@PROPERTY
@given(cell_values)
def test_parse_number_never_raises(value: object) -> None:
    result = parse_number(value)
    assert result is None or (isinstance(result, float) and np.isfinite(result))


@PROPERTY
@given(cell_values)
def test_text_value_never_raises(value: object) -> None:
    result = text_value(value)
    assert isinstance(result, str) or pd.isna(result)


@PROPERTY
@given(st.lists(cell_values, max_size=12), st.sampled_from([object, "string", "float", "datetime"]))
def test_column_parsers_never_raise(values: list[object], kind: object) -> None:
    series = _series(values, kind)
    n = len(series)
    numbers, bad_numbers = parse_number_column(series)
    dates, bad_dates = parse_date_column(series, AS_OF)
    texts = parse_text_column(series)
    for out in (numbers, bad_numbers, dates, bad_dates, texts):
        assert len(out) == n
        assert out.index.equals(series.index)
    assert numbers.dtype == "float64"
    assert pd.api.types.is_datetime64_any_dtype(dates.dtype)
    # A cell is bad only when it holds something: blanks are never "bad".
    blank = series.isna()
    assert not (bad_numbers & blank).any()
    assert not (bad_dates & blank).any()
    # Parsed and bad are exclusive.
    assert not (bad_numbers & numbers.notna()).any()
    assert not (bad_dates & dates.notna()).any()


def _series(values: list[object], kind: object) -> pd.Series:
    """The column as a reader could hand it over: object, string, float or datetime."""
    if kind == "string":
        return pd.Series([None if v is None else str(v) for v in values], dtype="string")
    if kind == "float":
        floats = [parse_number(v) if not isinstance(v, (date, time)) else None for v in values]
        return pd.Series([np.nan if f is None else f for f in floats], dtype="float64")
    if kind == "datetime":
        stamps = [v if isinstance(v, datetime) and 1700 < v.year < 2200 else None for v in values]
        return pd.Series(pd.to_datetime(stamps), dtype="datetime64[ns]")
    return pd.Series(values, dtype=object)


@PROPERTY
@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_date_spellings_round_trip(day: date) -> None:
    spellings = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        (day - date(1899, 12, 30)).days,
    ]
    if day.year >= 1901:
        spellings.append(day.strftime("%Y%m%d"))
    for text in spellings:
        assert parse_date(text, AS_OF) == day, text


@PROPERTY
@given(st.integers(min_value=0, max_value=10**12))
def test_number_spellings_round_trip(n: int) -> None:
    grouped = f"{n:,}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    for text in (str(n), grouped, full_width, f"{grouped}pcs", f"{n} 个"):
        assert parse_number(text) == float(n), text
