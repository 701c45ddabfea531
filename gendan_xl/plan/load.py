"""Line load: what each line has available, what the finite schedule puts on it,
and what the open work requires by its dates, per day and ISO week; and the
overload episodes that the required load reveals.

The finite schedule never exceeds capacity by construction, so it cannot show an
overload. The required load can: every open job's hours are laid backward from
its commitment date over the line's working days at the line's full daily
capacity, as late as possible, ignoring every other job (infinite loading).
Hours that would fall before the line's first day land on its first working day.
Where cumulative required hours exceed cumulative available hours, the line is
short; a run of such days is one overload episode.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.model import OrderStatus
from gendan_xl.plan.schedule import EPS

MIN_LOAD_DAYS = 28  # the line-load table covers at least four weeks
LATE_STATUSES = (OrderStatus.OVERDUE.value, OrderStatus.LATE.value)


class LineLoad:
    """One line's days from its start: available and scheduled hours."""

    def __init__(self, line: str, start: date, available: np.ndarray, scheduled: np.ndarray) -> None:
        self.line = line
        self.start = start
        self.available = available
        self.scheduled = scheduled
        self.cum_available = np.cumsum(available)

    def first_working(self) -> int:
        """Index of the first day with any hours (0 when there is none)."""
        days = np.flatnonzero(self.available > 0)
        return int(days[0]) if len(days) else 0

    def due_index(self, dates: pd.Series) -> np.ndarray:
        """Day index of each date from the line's start: -1 before it (or no date),
        at most the last day of the horizon."""
        return self.due_days(dates.to_numpy(dtype="datetime64[D]"))

    def due_days(self, d: np.ndarray) -> np.ndarray:
        """``due_index`` of ``datetime64[D]`` dates."""
        idx = (d - np.datetime64(self.start, "D")).astype(np.int64)
        idx = np.where(np.isnat(d), -1, idx)
        return np.clip(idx, -1, len(self.available) - 1)


class _LineJobs:
    """Per line, the positions of its jobs that carry hours, in job order, and the
    columns the load tables read as whole arrays: one grouping for all lines, and no
    frame per line."""

    def __init__(self, jobs: pd.DataFrame) -> None:
        ok = (~jobs["no_rate"] & ~jobs["no_line"] & (jobs["hours"] > 0)).to_numpy()
        pos = np.flatnonzero(ok)
        codes, uniques = pd.factorize(jobs["line"].to_numpy(dtype=object)[pos])
        order = np.argsort(codes, kind="stable")  # stable: job order within a line
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        self.positions = {line: pos[order[bounds[i] : bounds[i + 1]]] for i, line in enumerate(uniques)}
        self.jobs = jobs
        self.hours = jobs["hours"].to_numpy(dtype="float64")
        self.commit = jobs["commitment_date"].to_numpy(dtype="datetime64[D]")

    def of(self, line: object) -> np.ndarray:
        found = self.positions.get(line)
        return np.zeros(0, dtype=np.int64) if found is None else found


def backward_load(hours: np.ndarray, due: np.ndarray, available: np.ndarray, first_day: int) -> np.ndarray:
    """Required hours per day: each job's hours laid backward from its due day
    (index; -1 = before the first day) at full daily capacity, as late as possible,
    jobs ignoring each other. Hours that do not fit before the due day land on
    ``first_day``. The result sums to ``hours.sum()``."""
    n = len(available)
    required = np.zeros(n, dtype=np.float64)
    if not len(hours):
        return required
    cum = np.cumsum(available)
    cum_due = np.where(due >= 0, cum[np.clip(due, 0, None)], 0.0)
    target = cum_due - hours  # cumulative hours left before the job's first hour
    fits = target >= 0
    # Partial day k: the first day with cum[k] > target; days k+1..due are full.
    k = np.where(fits, np.searchsorted(cum, target, side="right"), -1)
    k = np.minimum(k, np.maximum(due, -1))
    partial = np.where(fits & (k >= 0), cum[np.clip(k, 0, None)] - np.maximum(target, 0.0), 0.0)
    np.add.at(required, k[fits & (k >= 0)], partial[fits & (k >= 0)])
    # Full days: (k, due] for jobs that fit, [0, due] for those that overflow.
    lo = np.where(fits, k + 1, 0)
    hi = due + 1
    has_full = hi > lo
    cover = np.zeros(n + 1, dtype=np.int64)
    np.add.at(cover, lo[has_full], 1)
    np.add.at(cover, hi[has_full], -1)
    required += np.cumsum(cover)[:n] * available
    overflow = np.where(fits, 0.0, -target)
    required[first_day] += float(overflow.sum())
    return required


def required_load(jobs: pd.DataFrame, loads: dict[str, LineLoad]) -> dict[str, np.ndarray]:
    """Per line, the required hours per day (same days as its ``LineLoad``)."""
    out: dict[str, np.ndarray] = {}
    by_line = _LineJobs(jobs)
    for line, load in loads.items():
        p = by_line.of(line)
        out[line] = backward_load(by_line.hours[p], load.due_days(by_line.commit[p]), load.available,
                                  load.first_working())
    return out


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole > 0)).round(4)


def capacity_tables(
    loads: dict[str, LineLoad],
    required: dict[str, np.ndarray],
    as_of: date,
    forecast: dict[str, np.ndarray] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Available, scheduled and required hours per line and day, from each line's
    start through the end of the planned, required and forecast work (at least four
    weeks), and per ISO week; utilisation of each. ``forecast``: the hours the open
    customer forecasts take per line and day (``plan.forecast``; soft load, shown
    beside the firm scheduled hours, never in them)."""
    forecast = forecast or {}
    soft = {line: forecast.get(line, np.zeros(len(load.available))) for line, load in loads.items()}
    end = np.datetime64(as_of, "D") + MIN_LOAD_DAYS - 1
    for line, load in loads.items():
        busy = np.flatnonzero((load.scheduled > EPS) | (required[line] > EPS) | (soft[line] > EPS))
        if len(busy):
            end = max(end, np.datetime64(load.start, "D") + int(busy[-1]))
    end = end + (6 - pd.Timestamp(end).weekday())  # through the Sunday: whole ISO weeks
    # Per line, its days as arrays; one frame for all lines at the end.
    names: list[str] = []
    counts: list[int] = []
    parts: dict[str, list[np.ndarray]] = {
        "date": [], "available_hours": [], "scheduled_hours": [], "required_hours": [], "forecast_hours": []
    }
    for line, load in loads.items():
        n = min(int((end - np.datetime64(load.start, "D")).astype(int)) + 1, len(load.available))
        if n <= 0:
            continue
        available = load.available[:n]
        names.append(line)
        counts.append(n)
        parts["date"].append((np.datetime64(load.start, "D") + np.arange(n)).astype("datetime64[ns]"))
        parts["available_hours"].append(available)
        # never above what is available, whatever the float sums did
        parts["scheduled_hours"].append(np.minimum(np.round(load.scheduled[:n], 6), available))
        parts["required_hours"].append(np.round(required[line][:n], 6))
        parts["forecast_hours"].append(np.round(soft[line][:n], 6))
    cols = ["line", "date", "available_hours", "scheduled_hours", "required_hours", "forecast_hours"]
    days = (
        pd.DataFrame(
            {"line": np.repeat(np.array(names, dtype=object), counts)}
            | {k: np.concatenate(v) for k, v in parts.items()}
        )
        if names
        else pd.DataFrame(columns=cols)
    )
    days["date"] = pd.to_datetime(days["date"])
    days["utilization"] = _share(days["scheduled_hours"], days["available_hours"])
    days["required_utilization"] = _share(days["required_hours"], days["available_hours"])
    iso = days["date"].dt.isocalendar()
    week = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    week_start = days["date"] - pd.to_timedelta(days["date"].dt.day_of_week, unit="D")
    weeks = (
        days.assign(week=week, week_start=week_start)
        .groupby(["line", "week"], sort=False)
        .agg(
            week_start=("week_start", "first"),
            available_hours=("available_hours", "sum"),
            scheduled_hours=("scheduled_hours", "sum"),
            required_hours=("required_hours", "sum"),
            forecast_hours=("forecast_hours", "sum"),
        )
        .reset_index()
    )
    weeks["scheduled_hours"] = np.minimum(weeks["scheduled_hours"], weeks["available_hours"])
    weeks["utilization"] = _share(weeks["scheduled_hours"], weeks["available_hours"])
    weeks["required_utilization"] = _share(weeks["required_hours"], weeks["available_hours"])
    return days, weeks


OVERLOAD_COLUMNS = ["line", "from", "by_date", "shortfall_hours", "items", "order_keys"]


def overload_episodes(
    jobs: pd.DataFrame, loads: dict[str, LineLoad], required: dict[str, np.ndarray], orders: pd.DataFrame
) -> pd.DataFrame:
    """One row per line per episode: a run of consecutive days on which cumulative
    required hours exceed cumulative available hours. ``by_date`` is the day the
    shortfall peaks and ``shortfall_hours`` its size: hours to outsource or work
    as overtime by then. The shortfall falls on the latest-due work up to that day;
    ``items`` gives its pieces per item (never summed across items), ``order_keys``
    the order lines of the episode that the finite schedule forecasts late."""
    out = []
    by_line = _LineJobs(jobs)
    late_job: np.ndarray | None = None
    # Each episode's pieces per item, summed at the end in one grouping (episode, item).
    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for line, load in loads.items():
        excess = np.cumsum(required[line]) - load.cum_available
        over = excess > EPS
        if not over.any():
            continue
        if late_job is None:  # first line over: what the episodes read of every job
            late_job, lab_of_job, labels = _late_jobs(jobs, orders)
            rates = jobs["rate"].to_numpy(dtype="float64")
            items = jobs["item"].to_numpy(dtype=object)
        p = by_line.of(line)
        due = np.maximum(load.due_days(by_line.commit[p]), 0)
        j_hours, j_rate, j_item = by_line.hours[p], rates[p], items[p]
        j_late, j_lab = late_job[p], lab_of_job[p]
        starts = np.flatnonzero(over & ~np.r_[False, over[:-1]])
        ends = np.flatnonzero(over & ~np.r_[over[1:], False])
        for first, last in zip(starts, ends, strict=True):
            run = excess[first : last + 1]
            # The last working day of the largest shortfall: by then that many hours are
            # missing (a weekend after it carries the same shortfall, not a later date).
            at_max = np.flatnonzero(run >= run.max() - EPS)
            working = at_max[load.available[first + at_max] > 0]
            peak = int(first + (working if len(working) else at_max)[-1])
            shortfall = float(excess[peak])
            out.append(
                {
                    "line": line,
                    "from": pd.Timestamp(np.datetime64(load.start, "D") + int(first)),
                    "by_date": pd.Timestamp(np.datetime64(load.start, "D") + peak),
                    "shortfall_hours": round(shortfall, 1),
                    "items": [],
                    "order_keys": _late_in_window(j_late, j_lab, labels, due, int(first), peak),
                }
            )
            walk, taken = _shortfall_walk(j_hours, due, peak, shortfall)
            pieces.append((np.full(len(walk), len(out) - 1), j_item[walk], taken * j_rate[walk]))
    _shortfall_items(out, pieces)
    df = pd.DataFrame(out, columns=OVERLOAD_COLUMNS)
    for col in ("from", "by_date"):
        df[col] = pd.to_datetime(df[col])
    return df


def _shortfall_walk(hours: np.ndarray, due: np.ndarray, peak: int, shortfall: float) -> tuple[np.ndarray, np.ndarray]:
    """The jobs (positions) that make up the shortfall, in the order it falls on them,
    and the hours it takes of each: the work due on or before the peak day, latest
    first (the last in schedule order among equal dates), then later work, earliest
    first."""
    position = np.arange(len(hours))
    before = due <= peak
    walk = np.r_[
        position[before][np.lexsort((position[before], due[before]))][::-1],
        position[~before][np.lexsort((position[~before], due[~before]))],
    ].astype(np.int64)
    h = hours[walk]
    return walk, np.minimum(h, np.clip(shortfall - (np.cumsum(h) - h), 0.0, None))


def _shortfall_items(out: list[dict[str, object]], pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Fill each episode's ``items``: pieces per item (in the order the items come in
    its walk), one grouping by (episode, item) for all episodes (the same sums, in
    the same order, as one grouping per episode)."""
    if not pieces:
        return
    episode = np.concatenate([p[0] for p in pieces])
    items = np.concatenate([p[1] for p in pieces])
    qty = pd.Series(np.concatenate([p[2] for p in pieces]))
    if not len(qty):
        return
    sums = qty.groupby([episode, items], sort=False).sum()
    index = sums.index
    for e, item, q in zip(index.get_level_values(0).tolist(), index.get_level_values(1).tolist(), sums.tolist(),
                          strict=True):
        if q > EPS:
            listed = out[int(e)]["items"]
            assert isinstance(listed, list)
            listed.append({"item": str(item), "qty": math.ceil(float(q) - 1e-6)})


def _late_jobs(jobs: pd.DataFrame, orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per job: its order line is forecast late (overdue or late), and that line's
    position among the order lines (keys deduplicated, the last row's label kept);
    and those lines' labels."""
    lab = orders.drop_duplicates("key", keep="last")
    late_keys = [k for k in set(orders.loc[orders["status"].isin(LATE_STATUSES), "key"]) if isinstance(k, str)]
    late_line = lab["key"].isin(late_keys).to_numpy(dtype=bool)
    at = pd.Index(lab["key"].to_numpy(dtype=object), dtype=object).get_indexer(
        pd.Index(jobs["key"].to_numpy(dtype=object), dtype=object)
    )
    late_job = np.zeros(len(jobs), dtype=bool)
    late_job[at >= 0] = late_line[at[at >= 0]]
    return late_job, at, lab["label"].to_numpy(dtype=object)


def _late_in_window(
    late: np.ndarray, line_of: np.ndarray, labels: np.ndarray, due: np.ndarray, first: int, peak: int
) -> list[str]:
    """Labels of the order lines due in the episode that the schedule forecasts late
    (each once, in job order)."""
    hit = np.flatnonzero((due >= first) & (due <= peak) & late)
    lines = line_of[hit]
    once = np.sort(np.unique(lines, return_index=True)[1])
    return [str(v) for v in labels[lines[once]].tolist()]
