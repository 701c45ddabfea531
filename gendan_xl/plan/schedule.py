"""Finite-capacity forward scheduling of one production line.

Jobs on a line run one after another in priority order; a job that ends in the
middle of a day leaves the rest of that day to the next job. With the jobs'
cumulative hours ``H`` and the line's cumulative available hours ``C`` (day by
day from the line's start), a job's last day is the first day ``k`` with
``C[k] >= H[j]``: one ``searchsorted`` for all jobs, no loop per job or hour.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# Hours are sums of many float quotients (qty / rate); treat a difference below
# this as equal so that a job filling a day exactly ends on that day.
EPS = 1e-6

# Look at most this far ahead; a job that does not fit is unschedulable.
MAX_HORIZON_DAYS = 3 * 366


@dataclass(frozen=True)
class Placement:
    """Where a sequence of jobs lands on a line's days (indexes from the first day)."""

    first_day: np.ndarray  # int64, the day a job's first hour is used; -1 when it does not fit
    last_day: np.ndarray  # int64, the day its last hour is used (its finish); -1 when it does not fit
    scheduled: np.ndarray  # float64 per day: hours used by the jobs that fit


def forward_schedule(job_hours: np.ndarray, capacity: np.ndarray) -> Placement:
    """Place jobs (in the given order) on days with ``capacity`` hours each.

    ``job_hours`` must be positive. Jobs that do not fit within the days given
    get -1 and use no hours; every job after one that does not fit does not fit
    either (they run in sequence).
    """
    job_hours = np.asarray(job_hours, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.float64)
    n_jobs, n_days = len(job_hours), len(capacity)
    cum_cap = np.cumsum(capacity)
    cum_job = np.cumsum(job_hours)
    before = cum_job - job_hours
    last = np.searchsorted(cum_cap, cum_job - EPS, side="left").astype(np.int64)
    first = np.searchsorted(cum_cap, before + EPS, side="left").astype(np.int64)
    fits = last < n_days
    first = np.minimum(first, last)  # a job of (almost) no hours starts the day it ends
    first[~fits] = -1
    last[~fits] = -1
    scheduled = np.zeros(n_days, dtype=np.float64)
    if n_jobs and fits.any():
        j = int(np.flatnonzero(fits)[-1])
        total = min(float(cum_job[j]), float(cum_cap[last[j]]))
        used = np.minimum(cum_cap, total)
        scheduled = np.diff(used, prepend=0.0)
    return Placement(first, last, scheduled)


def release_schedule(job_hours: np.ndarray, capacity: np.ndarray, release_day: np.ndarray) -> Placement:
    """Place jobs that may not start before their release day (material ready).

    Dispatching on one line, without preemption: whenever the line is free it
    takes the first job (in the given priority order) whose release day has come;
    when none has, it stands idle until the next release. A job waiting for
    material therefore does not hold back the jobs behind it that have theirs,
    and takes the line as soon as both its material and the line are free.
    Positions are on the line's cumulative-hours axis; a job released on day d
    may use hours from the start of day d.
    """
    job_hours = np.asarray(job_hours, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.float64)
    n_jobs, n_days = len(job_hours), len(capacity)
    cum_cap = np.cumsum(capacity)
    rel = np.clip(np.asarray(release_day, dtype=np.int64), 0, n_days)
    before = np.concatenate(([0.0], cum_cap))
    release = before[rel]  # hours available before the release day
    by_release = np.argsort(release, kind="stable")
    # Plain Python floats and ints in the loop (numpy scalars cost several times more
    # per step); the same IEEE arithmetic, so the same positions.
    rel_sorted = release[by_release].tolist()
    order_sorted = by_release.tolist()
    hours_list = job_hours.tolist()
    start_list = [0.0] * n_jobs
    ready: list[int] = []
    t, k = 0.0, 0
    for _ in range(n_jobs):
        if not ready:
            t = max(t, rel_sorted[k])
        while k < n_jobs and rel_sorted[k] <= t + EPS:
            heapq.heappush(ready, order_sorted[k])
            k += 1
        j = heapq.heappop(ready)
        start_list[j] = t
        t += hours_list[j]
    start = np.array(start_list, dtype=np.float64)
    end = start + job_hours
    last = np.searchsorted(cum_cap, end - EPS, side="left").astype(np.int64)
    first = np.searchsorted(cum_cap, start + EPS, side="left").astype(np.int64)
    fits = last < n_days
    first = np.minimum(first, last)
    first[~fits] = -1
    last[~fits] = -1
    # Hours used per day: busy time up to each day's end, jobs in time order.
    scheduled = np.zeros(n_days, dtype=np.float64)
    if n_jobs and fits.any():
        placed = np.flatnonzero(fits)
        order = placed[np.argsort(start[placed], kind="stable")]
        s, e = start[order], end[order]
        busy = np.cumsum(e - s)
        n_before = np.searchsorted(s, cum_cap, side="left")  # jobs started before each day's end
        idx = np.clip(n_before - 1, 0, None)
        used = np.where(n_before > 0, busy[idx] - np.clip(e[idx] - cum_cap, 0.0, None), 0.0)
        scheduled = np.diff(used, prepend=0.0)
    return Placement(first, last, scheduled)


def day_dates(start: date, n_days: int) -> np.ndarray:
    """``datetime64[D]`` dates of ``n_days`` days from ``start``."""
    return np.datetime64(start, "D") + np.arange(n_days)


def index_to_dates(start: date, index: np.ndarray) -> np.ndarray:
    """Day indexes from ``start`` as ``datetime64[ns]``; NaT where the index is -1."""
    out = (np.datetime64(start, "D") + index.astype("timedelta64[D]")).astype("datetime64[ns]")
    out[index < 0] = np.datetime64("NaT")
    return out


def last_day(start: date, n_days: int) -> date:
    return start + timedelta(days=n_days - 1)
