"""Progress and rates: what each work order and order line has produced and
shipped, what is left to make, where each line's schedule starts, and the rate
(pcs per hour) each item runs at on each line.

The totals themselves come from the order book (``ledger.book``); the million-row
daily report table is only cut down here to the few days that matter (the recent
window, reports on or after the as-of date) before any per-row mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import Ledger
from gendan_xl.orderbook import OrderBook, norm_line

RATE_WINDOW_WORKDAYS = 10  # actual rate: reports of the last 10 working days ...
RATE_MIN_DAYS = 3  # ... when at least 3 days carry hours
SIGNAL_WINDOW_WORKDAYS = 5  # 欠料 / 品质 reported in the last 5 working days
SHORTAGE, QUALITY = "欠料", "品质"


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``keys.map(table)`` for a uniquely indexed ``table``, keeping its dtype even
    when either side is empty (``map`` trips over empty datetime tables)."""
    values = table.reindex(keys.to_numpy()).to_numpy() if len(keys) else table.iloc[:0].to_numpy()
    dtype = table.dtype
    if dtype.kind in "iu" and pd.isna(values).any():  # a key missing from the table: NaN, not an int
        dtype = np.dtype("float64")
    return pd.Series(values, index=keys.index, dtype=dtype)


def lookup_many(keys: pd.Series, table: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """``lookup(keys, table[c])`` for several columns of one uniquely indexed table,
    with one hash pass over the keys for all of them."""
    if not len(keys) or not len(table):
        return {c: lookup(keys, table[c]) for c in columns}
    pos = table.index.get_indexer(pd.Index(keys.to_numpy(), dtype=object))
    out = {}
    for c in columns:
        col = table[c]
        values = pd.api.extensions.take(col.to_numpy(), pos, allow_fill=True)
        dtype = col.dtype
        if dtype.kind in "iu" and pd.isna(values).any():  # a key missing from the table: NaN, not an int
            dtype = np.dtype("float64")
        out[c] = pd.Series(values, index=keys.index, dtype=dtype)
    return out


@dataclass
class Progress:
    """The ledger's state at the as-of date, ready to schedule."""

    lines: pd.DataFrame  # the order book's lines (totals, uncovered_qty ...)
    work_orders: pd.DataFrame  # the order book's work orders (produced, balance, line ...)
    item_line: pd.Series  # item -> default line
    std_rate: pd.Series  # item -> 标准产能 (> 0 only)
    starts: dict[str, date]  # line -> first day the schedule may use
    daily_line: pd.Series  # wo_no -> line (for report rows without 产线)


def progress(ledger: Ledger, book: OrderBook, calendar: WorkCalendar, as_of: date) -> Progress:
    """Where each line's schedule starts and the lookups planning needs, over the
    order book (what-if rows included when ``book`` carries them)."""
    items = ledger["items"]
    items = items[items["item"].notna() & ~items["item"].duplicated(keep="first")]
    item_line = pd.Series(norm_line(items["line"]).to_numpy(), index=items["item"].to_numpy(), dtype=object)
    std = pd.Series(items["std_rate"].to_numpy(dtype="float64"), index=items["item"].to_numpy())
    std = std[std > 0]
    wof = book.work_orders

    # Where each line starts: the as-of date, or the day after its latest report
    # when reports already cover the as-of date.
    wo_line_by_no = pd.Series(wof["line"].to_numpy(), index=wof["wo_no"].to_numpy(), dtype=object)
    starts = {line: as_of for line in calendar.lines}
    daily = ledger["daily"]
    ahead = daily[daily["date"] >= pd.Timestamp(as_of)]
    if len(ahead):
        ahead_line = _report_line(ahead, wo_line_by_no)
        for line, last in ahead["date"].groupby(ahead_line).max().items():
            if line in starts:
                starts[str(line)] = max(as_of, last.date() + timedelta(days=1))
    return Progress(book.lines.copy(), wof, item_line, std, starts, wo_line_by_no)


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
