"""Finite-capacity forward scheduling of one production line.

Jobs on a line run one after another in priority order; a job that ends in the
middle of a day leaves the rest of that day to the next job. With the jobs'
cumulative hours ``H`` and the line's cumulative available hours ``C`` (day by
day from the line's start), a job's last day is the first day ``k`` with
``C[k] >= H[j]``: one ``searchsorted`` for all jobs, no loop per job or hour.
"""

from __future__ import annotations

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
