"""Tolerant, vectorised parsing of cell values into typed columns.

Clean columns take the fast path (the Rust reader already typed them); only the
values that fail it are looked at one by one, once per distinct value, so a
million-row column of real dates costs one vectorised pass. Every value that
cannot be parsed is reported back as a mask, never raised.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from gendan_xl.ledger import TEXT_DTYPE
from gendan_xl.model import EXCEL_EPOCH as EXCEL_DAY0

EXCEL_EPOCH = datetime.combine(EXCEL_DAY0, datetime.min.time())
MAX_SERIAL = 2958465  # 9999-12-31
MIN_SERIAL = 1

ERROR_VALUES = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#BUSY!", "#CONNECT!"}
)

_NUM_UNIT = re.compile(
    r"^([+-]?(?:\d+(?:,\d{3})*|\d*)(?:\.\d+)?)\s*(?:pcs|pc|个|只|件|套|箱|ctns?|kg|千克|公斤|g|克|"
    r"元|rmb|cny|¥|￥|%|pairs?|sets?|条|张|卷|米|m|台|片|双|包|袋|桶|瓶|支|根|块|h|小时)?\.?$",
    re.IGNORECASE,
)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_DAY = (
    re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{1,2})[/-](\d{1,2})$"),
)


def clean_text(value: object) -> str:
    """NFKC-normalised (full-width to half-width), trimmed text."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_number(value: object) -> float | None:
    """A number from a cell value: thousands separators, full-width digits and a
    trailing unit (``1,200pcs``) are accepted. None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if not isinstance(value, str):
        return None
    s = clean_text(value).replace(" ", "")
    if not s or s in ERROR_VALUES:
        return None
    m = _NUM_UNIT.match(s)
    if not m or not m.group(1) or m.group(1) in "+-.":
        return None
    try:
        f = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    if s.endswith("%"):
        f /= 100.0
    return f if math.isfinite(f) else None


def serial_to_date(serial: float) -> date | None:
    if not (MIN_SERIAL <= serial <= MAX_SERIAL):
        return None
    return (EXCEL_EPOCH + timedelta(days=math.floor(serial))).date()


def _infer_year(month: int, day: int, as_of: date) -> date | None:
    """``11月3日``: the year that puts the date nearest the as-of date."""
    best: date | None = None
    for year in (as_of.year - 1, as_of.year, as_of.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - as_of).days) < abs((best - as_of).days):
            best = candidate
    return best


def parse_date(value: object, as_of: date) -> date | None:
    """A date from a cell value, or None. Accepts Excel dates, serial numbers,
    ``2026-11-03``, ``2026/11/3``, ``2026.11.3``, ``20261103``, ``2026年11月3日``,
    ``11月3日`` (year inferred from the as-of date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if value is pd.NaT else value.date()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if math.isnan(f):
            return None
        if 19000101 <= f <= 99991231 and f.is_integer():
            return parse_date(str(int(f)), as_of)
        return serial_to_date(f)
    if not isinstance(value, str):
        return None
    s = clean_text(value).replace(" ", "") if "年" in value else clean_text(value)
    if not s:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    for pattern in _MONTH_DAY:
        m = pattern.match(s)
        if m:
            return _infer_year(int(m.group(1)), int(m.group(2)), as_of)
    try:
        f = float(s)
    except ValueError:
        return None
    return serial_to_date(f) if f.is_integer() else None


def text_value(value: object) -> object:
    """Cell value as text for code-like columns: integral floats lose their ``.0``."""
    if value is None:
        return np.nan
    if isinstance(value, float):
        if math.isnan(value):
            return np.nan
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    s = str(value).strip()
    return s if s else np.nan


def _not_blank(series: pd.Series) -> pd.Series:
    mask = series.notna()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        mask &= series.astype("string").str.strip().fillna("") != ""
    return mask


def _per_unique(series: pd.Series, func: object) -> pd.Series:
    """Apply ``func`` once per distinct value (few distinct values in practice)."""
    uniques = pd.unique(series.astype(object))
    mapping = {u: func(u) for u in uniques}  # type: ignore[operator]
    return series.astype(object).map(mapping)


def parse_number_column(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float64 values, mask of non-blank cells that are not numbers)."""
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        values = series.astype("float64")
        return values, pd.Series(False, index=series.index)
    present = _not_blank(series)
    fast = pd.to_numeric(series.where(present), errors="coerce") if present.any() else None
    values = (
        pd.Series(np.nan, index=series.index, dtype="float64") if fast is None else fast.astype("float64")
    )
    slow = present & values.isna()
    if slow.any():
        values.loc[slow] = _per_unique(series[slow], parse_number).astype("float64")
    bad = present & values.isna()
    return values, bad


def parse_date_column(series: pd.Series, as_of: date) -> tuple[pd.Series, pd.Series]:
    """(datetime64 values at midnight, mask of non-blank cells that are not dates)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) else series
        return _ns_dates(values.dt.normalize(), series.notna())
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        present = series.notna()
        converted = _per_unique(series[present], lambda v: _ns_date(parse_date(v, as_of)))
        values = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
        values.loc[present] = pd.to_datetime(converted, errors="coerce").astype("datetime64[ns]")
        return values, present & values.isna()
    present = _not_blank(series)
    values = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    if present.any():
        sub = series[present]
        # Fast path: ISO text as fastexcel renders Excel dates in mixed columns.
        if pd.api.types.is_string_dtype(sub.dtype) or sub.dtype == object:
            iso = pd.to_datetime(sub.astype("string"), format="ISO8601", errors="coerce")
            values.loc[present] = _ns_dates(iso.dt.normalize(), iso.notna())[0]
        slow = present & values.isna()
        if slow.any():
            converted = _per_unique(series[slow], lambda v: _ns_date(parse_date(v, as_of)))
            values.loc[slow] = pd.to_datetime(converted, errors="coerce").astype("datetime64[ns]")
    return values, present & values.isna()


# pandas keeps dates as nanoseconds: 1677-09-22 .. 2262-04-11. Outside that (a
# 9999-12-31 placeholder, year 1) a date is reported as bad, never a crash.
_FIRST_NS = pd.Timestamp.min.ceil("D")
_LAST_NS = pd.Timestamp.max.floor("D")


def _ns_date(value: date | None) -> date | None:
    if value is None or not (_FIRST_NS.date() <= value <= _LAST_NS.date()):
        return None
    return value


def _ns_dates(values: pd.Series, present: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime64[ns] values, mask of present values outside the ns range)."""
    inside = (values >= _FIRST_NS) & (values <= _LAST_NS)
    out = values.where(inside).astype("datetime64[ns]")
    return out, present & ~inside


def parse_text_column(series: pd.Series) -> pd.Series:
    """Trimmed strings (Arrow-backed, NaN for blank): vectorised string work stays in Arrow."""
    if pd.api.types.is_float_dtype(series.dtype) or series.dtype == object:
        series = _per_unique(series, text_value)
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = series.dt.strftime("%Y-%m-%d")
    s = series.astype(TEXT_DTYPE).str.strip()
    return s.where(s != "", np.nan)
