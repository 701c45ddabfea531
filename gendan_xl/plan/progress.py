"""Progress and rates: what each work order and order line has produced and
shipped, what is left to make, where each line's schedule starts, and the rate
(pcs per hour) each item runs at on each line.

Everything here is vectorised over the ledger's tables; the million-row daily
report table is only grouped once (output per work order) and otherwise cut
down to the few days that matter (the recent window, reports on or after the
as-of date) before any per-row mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar, line_key
from gendan_xl.ledger import ROW, SRC, commitment_date, match_order_lines, order_key
from gendan_xl.model import PRIORITY_RANK

CLOSED_WO_STATES = ("完成", "取消", "暂停")
RATE_WINDOW_WORKDAYS = 10  # actual rate: reports of the last 10 working days ...
RATE_MIN_DAYS = 3  # ... when at least 3 days carry hours
SIGNAL_WINDOW_WORKDAYS = 5  # 欠料 / 品质 reported in the last 5 working days
SHORTAGE, QUALITY = "欠料", "品质"
DEFAULT_PRIORITY_RANK = PRIORITY_RANK["普通"]


def norm_line(series: pd.Series) -> pd.Series:
    """Line names as the calendar knows them (trimmed, NFKC; NaN for blank)."""
    uniques = series.dropna().unique()
    mapping = {u: line_key(u) for u in uniques}
    out = series.map(mapping)
    return out.where(out.notna(), np.nan).astype(object)


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``keys.map(table)`` for a uniquely indexed ``table``, keeping its dtype even
    when either side is empty (``map`` trips over empty datetime tables)."""
    values = table.reindex(keys.to_numpy()).to_numpy() if len(keys) else table.iloc[:0].to_numpy()
    return pd.Series(values, index=keys.index, dtype=table.dtype)


def labels(order_no: pd.Series, line_no: pd.Series, item: pd.Series) -> pd.Series:
    """How a clerk names an order line: ``SO123-2``, or ``SO123(P001)`` without 行号."""
    o = order_no.astype("string").fillna("")
    n = line_no.astype("string").fillna("")
    i = item.astype("string").fillna("")
    return pd.Series(np.where(n != "", o + "-" + n, o + "(" + i + ")"), index=order_no.index, dtype=object)


def order_lines(orders: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per order line (first row of a duplicated key), with its key,
    commitment date, priority rank and an optional forced line (what-if rows)."""
    df = orders
    if extra is not None and len(extra):
        df = pd.concat([orders, extra], ignore_index=True)
    df = df[df["order_no"].notna()]
    keys = order_key(df)
    priority = df["priority"].where(df["priority"].notna(), "普通")
    out = pd.DataFrame(
        {
            "key": keys,
            "label": labels(df["order_no"], df["line_no"], df["item"]),
            "order_no": df["order_no"],
            "line_no": df["line_no"],
            "customer": df["customer"],
            "item": df["item"],
            "qty": df["qty"].astype("float64"),
            "order_date": df["order_date"],
            "due_date": df["due_date"],
            "commitment_date": commitment_date(df),
            "priority": priority,
            "priority_rank": priority.map(PRIORITY_RANK).fillna(DEFAULT_PRIORITY_RANK).astype(np.int64),
            "order_status": df["status"],
            "line_override": norm_line(df["line"]) if "line" in df else np.nan,
            SRC: df[SRC],
            ROW: df[ROW],
        }
    )
    out = out[~out["key"].duplicated(keep="first")]
    return out.reset_index(drop=True)


@dataclass
class Progress:
    """The ledger's state at the as-of date, ready to schedule."""

    lines: pd.DataFrame  # order lines: ... produced, shipped, balance, last_ship, has_wo, wo_line
    work_orders: pd.DataFrame  # wo_no, key, item, qty, state, line, produced, balance, last_report
    item_line: pd.Series  # item -> default line
    std_rate: pd.Series  # item -> 标准产能 (> 0 only)
    starts: dict[str, date]  # line -> first day the schedule may use
    daily_line: pd.Series  # wo_no -> line (for report rows without 产线)


def progress(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    work_orders: pd.DataFrame,
    daily: pd.DataFrame,
    shipments: pd.DataFrame,
    calendar: WorkCalendar,
    as_of: date,
    extra: pd.DataFrame | None = None,
) -> Progress:
    ol = order_lines(orders, extra)
    items = items[items["item"].notna() & ~items["item"].duplicated(keep="first")]
    item_line = pd.Series(norm_line(items["line"]).to_numpy(), index=items["item"].to_numpy(), dtype=object)
    std = pd.Series(items["std_rate"].to_numpy(dtype="float64"), index=items["item"].to_numpy())
    std = std[std > 0]

    # Work orders: output so far from the daily reports (one groupby over all rows).
    wo = work_orders[work_orders["wo_no"].notna() & ~work_orders["wo_no"].duplicated(keep="first")]
    wo_key = match_order_lines(wo, orders) if len(orders) else pd.Series(np.nan, index=wo.index, dtype=object)
    per_wo = daily[["wo_no", "good_qty", "date"]].groupby("wo_no", sort=False)
    wo_good = per_wo["good_qty"].sum().astype("float64")
    wo_last = per_wo["date"].max()
    wo_line = norm_line(wo["line"])
    wo_line = wo_line.where(wo_line.notna(), wo["item"].map(item_line))
    wo_produced = lookup(wo["wo_no"], wo_good).fillna(0.0).astype("float64")
    wof = pd.DataFrame(
        {
            "wo_no": wo["wo_no"],
            "key": wo_key,
            "order_no": wo["order_no"],
            "line_no": wo["line_no"],
            "item": wo["item"],
            "qty": wo["qty"].astype("float64"),
            "state": wo["status"],
            "line": wo_line,
            "produced": wo_produced,
            "balance": (wo["qty"].astype("float64") - wo_produced).clip(lower=0.0).fillna(0.0),
            "last_report": lookup(wo["wo_no"], wo_last),
            "plan_start": wo["plan_start"],
            "plan_finish": wo["plan_finish"],
            SRC: wo[SRC],
            ROW: wo[ROW],
        }
    ).reset_index(drop=True)

    # Order lines: produced over their work orders, shipped over their shipments.
    by_key = wof[wof["key"].notna()].groupby("key", sort=False)
    ship_key = match_order_lines(shipments, orders) if len(orders) else pd.Series(np.nan, index=shipments.index)
    ships = pd.DataFrame({"key": ship_key, "qty": shipments["qty"], "date": shipments["ship_date"]})
    ship_by = ships[ships["key"].notna()].groupby("key", sort=False)
    ol["produced"] = ol["key"].map(by_key["produced"].sum()).fillna(0.0)
    ol["shipped"] = ol["key"].map(ship_by["qty"].sum()).fillna(0.0)
    ol["last_ship"] = lookup(ol["key"], ship_by["date"].max())
    ol["last_report"] = lookup(ol["key"], by_key["last_report"].max())
    ol["has_wo"] = ol["key"].isin(wof["key"].dropna().unique())
    ol["wo_line"] = ol["key"].map(by_key["line"].first())
    ol["balance"] = (ol["qty"] - ol["produced"]).clip(lower=0.0).fillna(0.0)

    # Where each line starts: the as-of date, or the day after its latest report
    # when reports already cover the as-of date.
    wo_line_by_no = pd.Series(wof["line"].to_numpy(), index=wof["wo_no"].to_numpy(), dtype=object)
    starts = {line: as_of for line in calendar.lines}
    ahead = daily[daily["date"] >= pd.Timestamp(as_of)]
    if len(ahead):
        ahead_line = _report_line(ahead, wo_line_by_no)
        for line, last in ahead["date"].groupby(ahead_line).max().items():
            if line in starts:
                starts[str(line)] = max(as_of, last.date() + timedelta(days=1))
    return Progress(ol, wof, item_line, std, starts, wo_line_by_no)


def _report_line(rows: pd.DataFrame, wo_line_by_no: pd.Series) -> pd.Series:
    """A report row's line: its own 产线, else its work order's line."""
    own = norm_line(rows["line"])
    return own.where(own.notna(), rows["wo_no"].map(wo_line_by_no))


def window_starts(calendar: WorkCalendar, starts: dict[str, date], as_of: date, n: int) -> dict[str, date]:
    """Per line, the first day of its last ``n`` working days before its start."""
    out = {line: calendar.add_workdays(start, -n, line) for line, start in starts.items()}
    out[""] = calendar.add_workdays(as_of, -n, None)  # lines the calendar does not know
    return out


def recent_reports(
    daily: pd.DataFrame, prog: Progress, calendar: WorkCalendar, as_of: date, n: int
) -> pd.DataFrame:
    """Daily report rows within the last ``n`` working days before their line's start,
    with ``line`` and ``item`` (from the work order) filled in."""
    lo = {k: pd.Timestamp(v) for k, v in window_starts(calendar, prog.starts, as_of, n).items()}
    hi = {k: pd.Timestamp(v) for k, v in prog.starts.items()}
    hi[""] = pd.Timestamp(as_of)
    d = daily[(daily["date"] >= pd.Timestamp(min(lo.values()))) & (daily["date"] < pd.Timestamp(max(hi.values())))]
    if d.empty:
        return pd.DataFrame(columns=["date", "wo_no", "line", "item", "good_qty", "hours", "exception"])
    line = _report_line(d, prog.daily_line)
    known = line.where(line.isin(list(prog.starts)), "")
    keep = (d["date"] >= known.map(lo)) & (d["date"] < known.map(hi))
    wo_item = pd.Series(prog.work_orders["item"].to_numpy(), index=prog.work_orders["wo_no"].to_numpy())
    return pd.DataFrame(
        {
            "date": d["date"][keep],
            "wo_no": d["wo_no"][keep],
            "line": line[keep],
            "item": d["wo_no"][keep].map(wo_item),
            "good_qty": d["good_qty"][keep],
            "hours": d["hours"][keep],
            "exception": d["exception"][keep],
        }
    )


def rates(prog: Progress, recent: pd.DataFrame) -> pd.DataFrame:
    """Actual rate per item and line from recent reports: good qty / hours, used
    when at least ``RATE_MIN_DAYS`` days carry hours. Columns: item, line,
    actual_rate, report_days."""
    r = recent[(recent["hours"] > 0) & recent["item"].notna() & recent["line"].notna()]
    if r.empty:
        return pd.DataFrame({"item": [], "line": [], "actual_rate": [], "report_days": []})
    g = r.groupby(["item", "line"], sort=False)
    out = pd.DataFrame(
        {
            "good": g["good_qty"].sum(),
            "hours": g["hours"].sum(),
            "report_days": g["date"].nunique(),
        }
    ).reset_index()
    out["actual_rate"] = out["good"] / out["hours"]
    out = out[(out["report_days"] >= RATE_MIN_DAYS) & (out["actual_rate"] > 0)]
    return out[["item", "line", "actual_rate", "report_days"]].reset_index(drop=True)


def signals(prog: Progress, recent: pd.DataFrame) -> pd.DataFrame:
    """Per order-line key: 欠料 / 品质 reported on its work orders in the recent window."""
    wo_key = pd.Series(prog.work_orders["key"].to_numpy(), index=prog.work_orders["wo_no"].to_numpy())
    key = recent["wo_no"].map(wo_key)
    flags = pd.DataFrame(
        {
            "key": key,
            "shortage": recent["exception"] == SHORTAGE,
            "quality": recent["exception"] == QUALITY,
        }
    )
    flags = flags[flags["key"].notna()]
    return flags.groupby("key", sort=False)[["shortage", "quality"]].any()
