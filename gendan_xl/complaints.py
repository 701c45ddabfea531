"""客诉 (complaints) and 满意度 (customer satisfaction), the optional register sheets:
the complaint rows with their aging, the checks on them, the 客诉跟踪 summaries and
the per-customer satisfaction figures beside OTD, complaints and sample pass rate.

Definitions (the README says the same):

- A complaint is **open** unless its 状态 is 已结案 (blank = 处理中). ``days_open`` is
  the as-of date minus 日期 for an open complaint, 结案日期 minus 日期 for a closed one
  (NaN when closed without 结案日期); ``days_to_close`` is set only for closed ones
  with both dates.
- ``complaint-open-long``: open and 日期 more than 客诉结案提醒天数 (default 14)
  calendar days before the as-of date, at the 状态 cell.
- ``complaint-no-close-date`` (warning): 已结案 without 结案日期, at the 结案日期 cell:
  the complaint's days to close cannot be counted in the 客诉跟踪 averages.
- ``score-out-of-range`` (warning): a 满意度 score outside 1-5, at its cell; it is
  left out of the averages.
- Satisfaction, per customer (names matched after normalisation, a 客户.全称 counts as
  its 客户): the **window** is every calendar month from the month of the customer's
  first 满意度 row to the month of its last (one survey: that month). Beside the
  average scores go, over the same window: OTD from the plan (``plan.otd``, lines and
  on-time lines of the months of commitment in the window, summed), the 客诉 rows
  dated in it, and the sample pass rate: 合格 / (合格 + 不合格 + 需修改) over the
  样品 rows of the customer confirmed in it (确认日期, else 送样日期).

pandas only: no reading, no writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.ledger import SRC, Ledger, Table, member
from gendan_xl.model import Issue
from gendan_xl.schema import COMPLAINT_CLOSED, SAMPLE_FAIL, SAMPLE_PASS, SAMPLE_REVISE, normalize

SCORES = ("delivery", "quality", "service", "price")
UNASSIGNED = "(未填)"


# --- complaints ---------------------------------------------------------------------


def _first_by(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df[df[key].notna() & ~df[key].duplicated(keep="first")].set_index(key)


def complaint_table(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """Every 客诉 row with ``open``, ``days_open``, ``days_to_close`` and the item's
    品名/规格/单位 (产品, else the first 订单 row of that order and item)."""
    df = ledger["complaints"].copy()
    ts = pd.Timestamp(as_of)
    closed = df["status"].eq(COMPLAINT_CLOSED).fillna(False).astype(bool)
    df["open"] = ~closed
    end = df["closed_date"].where(closed, ts)
    df["days_open"] = (end - df["date"]).dt.days.astype("float64")
    df["days_to_close"] = df["days_open"].where(closed & df["closed_date"].notna())
    items = _first_by(ledger["items"], "item")
    orders = ledger["orders"]
    pair = orders["order_no"].astype("string") + "\x1f" + orders["item"].astype("string")
    by_pair = orders.assign(_pair=pair)
    by_pair = by_pair[by_pair["_pair"].notna() & ~by_pair["_pair"].duplicated()].set_index("_pair")
    wanted = df["order_no"].astype("string") + "\x1f" + df["item"].astype("string")
    for column, order_column in (("item_name", "item_name"), ("spec", "spec"), ("unit", "unit")):
        master = df["item"].map(items[column]) if column in items and len(items) else pd.Series(np.nan, index=df.index)
        fallback = wanted.map(by_pair[order_column]) if order_column in by_pair and len(by_pair) else np.nan
        df[column] = master.where(master.notna(), fallback)
    df["customer_po"] = wanted.map(by_pair["customer_po"]) if len(by_pair) else np.nan
    return df


def _column_or(table: Table, src: int, wanted: str, fallback: str) -> str:
    return wanted if wanted in table.sources[src].columns else fallback


def _at(
    table: Table, code: str, rows: pd.DataFrame, wanted: str, fallback: str, value_key: str | None = None,
    **args: object,
) -> list[Issue]:
    """Issues at column ``wanted`` of each row, or ``fallback`` where the row's sheet
    has no such column (a 客诉 sheet without 状态 or 结案日期)."""
    out: list[Issue] = []
    for src in sorted(set(rows[SRC].tolist())):
        column = _column_or(table, int(src), wanted, fallback)
        out += table.issues_at(code, rows[rows[SRC] == src], column, value_key, **args)
    return out


def complaint_issues(ledger: Ledger, as_of: date) -> list[Issue]:
    """The checks of the 客诉 sheet (only when it has rows): 订单号 and 产品编码 that
    订单 / 产品 do not list (``unknown-order`` / ``unknown-item``), an item not on
    that order (``complaint-item-not-on-order``), open too long
    (``complaint-open-long``), 已结案 without 结案日期 (``complaint-no-close-date``),
    日期 / 结案日期 after the as-of date (``future-date``)."""
    table = ledger.table("complaints")
    df = table.df
    if df.empty:
        return []
    out: list[Issue] = []
    orders = ledger.table("orders")
    items = ledger.table("items")
    order_known = member(df["order_no"], orders.df["order_no"]) if orders.present else df["order_no"].notna()
    if orders.present:
        out += table.issues_at("unknown-order", df[df["order_no"].notna() & ~order_known], "order_no")
    item_known = member(df["item"], items.df["item"]) if items.present else df["item"].notna()
    if items.present:
        out += table.issues_at("unknown-item", df[df["item"].notna() & ~item_known], "item")
    if orders.present:
        o = orders.df
        pairs = (o["order_no"].astype("string") + "\x1f" + o["item"].astype("string")).dropna()
        given = df["order_no"].astype("string") + "\x1f" + df["item"].astype("string")
        stray = order_known & item_known & given.notna() & ~member(given, pairs)
        out += table.issues_at("complaint-item-not-on-order", df[stray], "item", order_no="@order_no")
    t = complaint_table(ledger, as_of)
    limit = ledger.options.complaint_open_days
    ts = pd.Timestamp(as_of)
    age = (ts - t["date"]).dt.days
    long_open = t["open"] & (age > limit)
    hit = t[long_open]
    rows = hit.assign(_state=hit["status"].fillna("处理中"), _age=age[long_open],
                      _day=hit["date"].dt.strftime("%Y-%m-%d"))
    out += _at(table, "complaint-open-long", rows, "status", "date", value_key="_state",
               no="@complaint_no", day="@_day", days="@_age", limit=limit)
    closed_blank = ~t["open"] & t["closed_date"].isna()
    out += _at(table, "complaint-no-close-date", t[closed_blank].assign(_blank=""), "closed_date", "status",
               value_key="_blank", no="@complaint_no")
    for column in ("date", "closed_date"):
        out += table.issues_at("future-date", df[df[column] > ts], column, as_of=as_of)
    return out


def complaint_summary(complaints: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per customer (``by="customer"``) or 责任部门 (``by="dept"``): complaints, open,
    closed, qty and the average days to close (closed ones with both dates)."""
    cols = [by, "count", "open_count", "closed_count", "qty", "avg_days_to_close"]
    if complaints.empty:
        return pd.DataFrame(columns=cols)
    df = complaints.assign(_key=complaints[by].astype(object).where(complaints[by].notna(), UNASSIGNED))
    g = df.groupby("_key", sort=True)
    out = pd.DataFrame({
        "count": g.size(),
        "open_count": g["open"].sum().astype(int),
        "qty": g["qty"].sum(min_count=1),
        "avg_days_to_close": g["days_to_close"].mean(),
    })
    out["closed_count"] = out["count"] - out["open_count"]
    out = out.rename_axis(by).reset_index()
    return out.sort_values(["open_count", "count", by], ascending=[False, False, True], kind="stable")[cols] \
        .reset_index(drop=True)


def open_complaints(complaints: pd.DataFrame) -> pd.DataFrame:
    """Open complaints, longest open first (then by 客诉编号)."""
    df = complaints[complaints["open"]]
    return df.sort_values(["days_open", "complaint_no"], ascending=[False, True], kind="stable",
                          na_position="last").reset_index(drop=True)


@dataclass
class ComplaintTracking:
    """What the 客诉跟踪 sheet shows: the open complaints (longest open first) and the
    summaries per customer and per 责任部门."""

    open: pd.DataFrame
    by_customer: pd.DataFrame
    by_dept: pd.DataFrame
    open_days: int  # 客诉结案提醒天数: open longer than this is red
    total: int  # complaints on the sheet


def complaint_tracking(ledger: Ledger, as_of: date) -> ComplaintTracking:
    t = complaint_table(ledger, as_of)
    return ComplaintTracking(
        open=open_complaints(t), by_customer=complaint_summary(t, "customer"), by_dept=complaint_summary(t, "dept"),
        open_days=ledger.options.complaint_open_days, total=len(t),
    )


# --- satisfaction ------------------------------------------------------------------------


def customer_keys(ledger: Ledger, names: pd.Series) -> pd.Series:
    """A customer's matching key: the normalised 客户 short name for a name that is a
    客户.全称, else the name itself normalised (NaN stays NaN)."""
    customers = ledger["customers"]
    known = customers[customers["customer"].notna() & customers["full_name"].notna()]
    short = {normalize(str(f)): normalize(str(c)) for f, c in zip(known["full_name"], known["customer"], strict=True)}
    return names.map(lambda v: short.get(normalize(str(v)), normalize(str(v))) if isinstance(v, str) else np.nan)


def valid_scores(df: pd.DataFrame) -> pd.DataFrame:
    """The four score columns with every value outside 1-5 blanked (``score-out-of-range``)."""
    return pd.DataFrame({k: df[k].where(df[k].between(1, 5)) for k in SCORES}, index=df.index)


def satisfaction_issues(ledger: Ledger) -> list[Issue]:
    """满意度 scores outside 1-5 (``score-out-of-range``, at the cell): left out of the averages."""
    table = ledger.table("satisfaction")
    df = table.df
    out: list[Issue] = []
    for key in SCORES:
        bad = df[key].notna() & ~df[key].between(1, 5)
        out += table.issues_at("score-out-of-range", df[bad], key)
    return out


def _months(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(start.to_period("M"), end.to_period("M"), freq="M")]


def satisfaction_table(ledger: Ledger, otd: pd.DataFrame) -> pd.DataFrame:
    """Per customer of the 满意度 sheet (in order of first appearance): surveys, window
    (first and last month), average 交期/品质/服务/价格 and overall (the mean of the four
    averages it has), OTD lines/on-time/rate from ``otd`` (the plan's table: customer,
    month, lines, on_time) over the window's months, complaints dated in the window,
    confirmed samples and their pass rate in the window."""
    cols = ["customer", "surveys", "first_month", "last_month", *SCORES, "overall", "otd_lines", "otd_on_time",
            "otd_rate", "complaints", "samples_confirmed", "samples_passed", "sample_pass_rate"]
    s = ledger["satisfaction"]
    s = s[s["customer"].notna() & s["date"].notna()]
    if s.empty:
        return pd.DataFrame(columns=cols)
    s = s.assign(_key=customer_keys(ledger, s["customer"]))
    s[list(SCORES)] = valid_scores(s)
    c = ledger["complaints"]
    c = c.assign(_key=customer_keys(ledger, c["customer"]), _month=c["date"].dt.strftime("%Y-%m"))
    samples = ledger["samples"]
    confirmed = samples["result"].isin([SAMPLE_PASS, SAMPLE_FAIL, SAMPLE_REVISE])
    samples = samples[confirmed.fillna(False).astype(bool)]
    samples = samples.assign(
        _key=customer_keys(ledger, samples["customer"]),
        _month=samples["confirmed_date"].fillna(samples["sent_date"]).dt.strftime("%Y-%m"),
    )
    o = otd.assign(_key=customer_keys(ledger, otd["customer"].astype(object))) if len(otd) else otd
    rows: list[dict[str, object]] = []
    for key, g in s.groupby("_key", sort=False):
        months = set(_months(g["date"].min(), g["date"].max()))
        avgs = {k: float(g[k].mean()) if g[k].notna().any() else np.nan for k in SCORES}
        given = [v for v in avgs.values() if v == v]
        row: dict[str, object] = {
            "customer": g["customer"].iloc[0], "surveys": len(g),
            "first_month": min(months), "last_month": max(months),
            **avgs, "overall": float(np.mean(given)) if given else np.nan,
        }
        if len(o):
            mine = o[(o["_key"] == key) & o["month"].astype(str).isin(months)]
            lines, on_time = int(mine["lines"].sum()), int(mine["on_time"].sum())
        else:
            lines = on_time = 0
        row |= {"otd_lines": lines, "otd_on_time": on_time, "otd_rate": on_time / lines if lines else np.nan}
        row["complaints"] = int(((c["_key"] == key) & c["_month"].isin(months)).sum())
        mine_s = samples[(samples["_key"] == key) & samples["_month"].isin(months)]
        passed = int((mine_s["result"] == SAMPLE_PASS).sum())
        row |= {"samples_confirmed": len(mine_s), "samples_passed": passed,
                "sample_pass_rate": passed / len(mine_s) if len(mine_s) else np.nan}
        rows.append(row)
    return pd.DataFrame(rows)[cols]


__all__ = [
    "ComplaintTracking",
    "complaint_issues",
    "complaint_summary",
    "complaint_table",
    "complaint_tracking",
    "customer_keys",
    "open_complaints",
    "satisfaction_issues",
    "satisfaction_table",
    "valid_scores",
]
