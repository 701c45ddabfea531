"""Customer forecasts (the optional 预测 sheet): each row's period, and the
forecast quantity that firm orders have not yet consumed.

Period rule (one per row, either column):

- 月份: ``2026-12``, ``2026/12``, ``2026.12``, ``202612``, ``2026年12月``, ``12月``
  (the year that puts the month nearest the as-of date), or any date in the month
  (an Excel date, ``2026-12-05``, ``2026年12月5日``): the calendar month.
- 周: an ISO week ``2026-W49`` / ``2026W49`` / ``2026年第49周`` / ``W49`` / ``第49周``
  (without a year: the ISO year that puts the week nearest the as-of date), or any
  date in the week: the ISO week, Monday to Sunday.

A row with both columns filled, neither, or text that is neither form is a
``bad-period`` issue at its cell, and the row is not planned.

Consumption: the firm quantity of a forecast is the sum of 数量 of the order lines
(not 取消) of the same customer (names compared after normalisation: case,
full-width, spaces; a 客户.全称 stands for its short name) and item whose 交期 falls
in the period; what is left,
``max(0, forecast - firm)``, is the open forecast. Rows of the same customer, item
and period add up. Periods that ended before the as-of date are not planned.

Pure pandas over the typed tables and the order book (checks and planning both
use it; neither reads files).
"""

from __future__ import annotations

import calendar as _cal
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from gendan_xl.ledger import ROW, SRC, Ledger, Table
from gendan_xl.model import EXCEL_EPOCH, Issue, make_issue
from gendan_xl.schema import ORDER_CLOSED_STATES, normalize

CANCELLED = ORDER_CLOSED_STATES[0]  # 取消: an order that no longer consumes anything

MONTH_HINT = ("月份填 2026-12、2026年12月或该月任一日期", "month as 2026-12, 2026年12月 or any date in it")
WEEK_HINT = ("周填 2026-W49(ISO 周)或该周任一日期", "week as 2026-W49 (ISO week) or any date in it")
BOTH_HINT = ("月份和周只能填一个", "fill either 月份 or 周, not both")
NONE_HINT = ("月份和周都没填,须填一个", "both blank: fill 月份 or 周")

_YEAR_MONTH = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_MONTH_ONLY = re.compile(r"^(\d{1,2})月(?:份)?$")
_YEAR_WEEK = (
    re.compile(r"^(\d{4})\s*-?\s*w\s*(\d{1,2})(?:\s*-\s*[1-7])?$", re.IGNORECASE),
    re.compile(r"^(\d{4})年第?(\d{1,2})周$"),
)
_WEEK_ONLY = (re.compile(r"^w\s*(\d{1,2})$", re.IGNORECASE), re.compile(r"^第?(\d{1,2})周$"))
_DATES = (
    # the time may follow the day directly: ``_clean`` removed the space of "2026-12-05 00:00:00"
    # (how the reader passes an Excel date cell in a text column)
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _clean(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "") if text is not None else ""


def _date(text: str) -> date | None:
    """A day from text: ISO-like forms, 2026年12月5日, 20261205, or an Excel serial."""
    for pattern in _DATES:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):  # an Excel serial the reader passed as text
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    return None


def _month_bounds(year: int, month: int) -> tuple[date, date] | None:
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return date(year, month, 1), date(year, month, _cal.monthrange(year, month)[1])


def _week_bounds(year: int, week: int) -> tuple[date, date] | None:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    return monday, monday + timedelta(days=6)


def parse_month(value: object, as_of: date) -> tuple[date, date] | None:
    """(first day, last day) of the month a 月份 cell names, or None."""
    s = _clean(value)
    for pattern in _YEAR_MONTH:
        m = pattern.match(s)
        if m:
            return _month_bounds(int(m.group(1)), int(m.group(2)))
    m = _MONTH_ONLY.match(s)
    if m:
        month = int(m.group(1))
        if not 1 <= month <= 12:
            return None
        years = (as_of.year - 1, as_of.year, as_of.year + 1)
        year = min(years, key=lambda y: abs((y * 12 + month) - (as_of.year * 12 + as_of.month)))
        return _month_bounds(year, month)
    day = _date(s)
    return _month_bounds(day.year, day.month) if day else None


def parse_week(value: object, as_of: date) -> tuple[date, date] | None:
    """(Monday, Sunday) of the ISO week a 周 cell names, or None."""
    s = _clean(value)
    for pattern in _YEAR_WEEK:
        m = pattern.match(s)
        if m:
            return _week_bounds(int(m.group(1)), int(m.group(2)))
    for pattern in _WEEK_ONLY:
        m = pattern.match(s)
        if m:
            week = int(m.group(1))
            found = [b for y in (as_of.year - 1, as_of.year, as_of.year + 1) if (b := _week_bounds(y, week))]
            if not found:
                return None
            return min(found, key=lambda b: abs((b[0] - as_of).days))
    day = _date(s)
    if day is None:
        return None
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def period_label(kind: str, start: date) -> str:
    """``2026-12`` for a month, ``2026-W49`` for an ISO week."""
    if kind == "month":
        return f"{start:%Y-%m}"
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class ForecastRows:
    """The 预测 rows with a readable period: the sheet's columns plus kind (month /
    week), period (label), period_start, period_end; and the issues of the rest."""

    rows: pd.DataFrame
    issues: list[Issue]


def forecast_rows(ledger: Ledger, as_of: date) -> ForecastRows:
    """Each 预测 row's period; ``bad-period`` issues for the rows without one."""
    table = ledger.table("forecasts")
    df = table.df
    cols = [*df.columns, "kind", "period", "period_start", "period_end"]
    if df.empty:
        return ForecastRows(pd.DataFrame(columns=cols), [])
    issues: list[Issue] = []
    kinds: list[str | None] = []
    starts: list[date | None] = []
    ends: list[date | None] = []
    for month, week, src, row in zip(df["month"], df["week"], df[SRC], df[ROW], strict=True):
        has_m, has_w = isinstance(month, str) and month != "", isinstance(week, str) and week != ""
        bounds: tuple[date, date] | None = None
        kind: str | None = None
        if has_m and has_w:
            issues.append(_bad(table, int(src), int(row), "week", f"{month} / {week}", BOTH_HINT))
        elif not has_m and not has_w:
            issues.append(_bad(table, int(src), int(row), "month", "", NONE_HINT))
        elif has_m:
            bounds, kind = parse_month(month, as_of), "month"
            if bounds is None:
                issues.append(_bad(table, int(src), int(row), "month", month, MONTH_HINT))
        else:
            bounds, kind = parse_week(week, as_of), "week"
            if bounds is None:
                issues.append(_bad(table, int(src), int(row), "week", week, WEEK_HINT))
        kinds.append(kind if bounds else None)
        starts.append(bounds[0] if bounds else None)
        ends.append(bounds[1] if bounds else None)
    out = df.assign(
        kind=pd.Series(kinds, index=df.index, dtype=object),
        period_start=pd.to_datetime(pd.Series(starts, index=df.index, dtype=object)),
        period_end=pd.to_datetime(pd.Series(ends, index=df.index, dtype=object)),
    )
    out["period"] = [
        period_label(k, s.date()) if isinstance(k, str) else None for k, s in zip(out["kind"], out["period_start"], strict=True)
    ]
    return ForecastRows(out[cols], issues)


def _bad(table: Table, src: int, row: int, column: str, value: object, hint: tuple[str, str]) -> Issue:
    ref = table.ref(src, row, column)
    return make_issue("bad-period", ref, value, hint=hint[0], hint_en=hint[1])


DEMAND_COLUMNS = [
    "customer", "item", "kind", "period", "period_start", "period_end", "forecast_qty", "firm_qty", "open_qty",
    SRC, ROW,
]


def forecast_demand(ledger: Ledger, as_of: date, *, known_items: set[str] | None = None) -> pd.DataFrame:
    """One row per customer, item and period that still matters (the period ends
    on or after ``as_of``; a readable period, qty > 0, an item on the 产品 sheet):
    forecast_qty, firm_qty (order lines of the period, see the module doc) and
    open_qty = max(0, forecast_qty - firm_qty); _src/_row of its first 预测 row."""
    rows = forecast_rows(ledger, as_of).rows
    if rows.empty:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    items = known_items if known_items is not None else set(ledger["items"]["item"].dropna().astype(str))
    ok = (
        rows["period_start"].notna()
        & (rows["period_end"] >= pd.Timestamp(as_of))
        & rows["customer"].notna()
        & rows["item"].notna()
        & (rows["qty"] > 0)
    )
    rows = rows[ok.to_numpy()]
    rows = rows[rows["item"].astype(str).isin(items).to_numpy()]
    if rows.empty:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    rows = rows.assign(_cust=_customer_keys(ledger, rows["customer"]), item=rows["item"].astype(str))
    g = rows.groupby(["_cust", "item", "kind", "period_start"], sort=True, dropna=False)
    demand = g.agg(
        customer=("customer", "first"),
        period=("period", "first"),
        period_end=("period_end", "first"),
        forecast_qty=("qty", "sum"),
        **{SRC: (SRC, "first"), ROW: (ROW, "first")},
    ).reset_index()
    demand["firm_qty"] = _firm_qty(ledger, demand)
    demand["open_qty"] = (demand["forecast_qty"] - demand["firm_qty"]).clip(lower=0.0)
    demand = demand.sort_values(["period_end", "period_start", "_cust", "item"], kind="stable")
    return demand.reset_index(drop=True)[DEMAND_COLUMNS]


def _customer_keys(ledger: Ledger, names: pd.Series) -> pd.Series:
    """A customer's key for matching forecasts with orders: the normalised short name
    (客户.客户) for a name that is a 客户.全称, else the name itself, normalised."""
    customers = ledger["customers"]
    known = customers[customers["customer"].notna() & customers["full_name"].notna()]
    short = {normalize(str(f)): normalize(str(c)) for f, c in zip(known["full_name"], known["customer"], strict=True)}
    keys = names.map(lambda v: normalize(str(v)))
    return keys.map(lambda k: short.get(k, k))


customer_keys = _customer_keys  # the same customer match for 样品 rows (gendan_xl.samples)


def _firm_qty(ledger: Ledger, demand: pd.DataFrame) -> np.ndarray:
    """Per demand row: 数量 of the order lines (not 取消) of its customer and item
    whose 交期 is in its period."""
    lines = ledger.book.lines
    firm = lines[
        (lines["order_status"] != CANCELLED).to_numpy()
        & lines["customer"].notna().to_numpy()
        & lines["item"].notna().to_numpy()
        & lines["due_date"].notna().to_numpy()
        & (lines["qty"] > 0).to_numpy()
    ]
    out = np.zeros(len(demand), dtype=np.float64)
    if firm.empty:
        return out
    f = pd.DataFrame(
        {
            "_cust": _customer_keys(ledger, firm["customer"]).to_numpy(dtype=object),
            "item": firm["item"].astype(str).to_numpy(dtype=object),
            "due": pd.to_datetime(firm["due_date"]).to_numpy(),
            "qty": firm["qty"].astype("float64").to_numpy(),
        }
    )
    d = demand[["_cust", "item", "period_start", "period_end"]].assign(_pos=np.arange(len(demand)))
    m = d.merge(f, on=["_cust", "item"], how="inner")
    m = m[(m["due"] >= m["period_start"]) & (m["due"] <= m["period_end"])]
    sums = m.groupby("_pos")["qty"].sum()
    out[sums.index.to_numpy(dtype=np.int64)] = sums.to_numpy(dtype=np.float64)
    return out
