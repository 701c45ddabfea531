"""The planning stage: progress -> jobs -> finite-capacity schedule per line ->
lateness and status per order line -> line load, overloads, OTD; and the
rush-order what-if (the same plan run with and without one extra order line).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.model import PRIORITY_RANK, CellRef, Issue, LateReason, OrderStatus, make_issue
from gendan_xl.plan.progress import (
    CLOSED_WO_STATES,
    RATE_WINDOW_WORKDAYS,
    SIGNAL_WINDOW_WORKDAYS,
    Progress,
    lookup,
    norm_line,
    progress,
    rates,
    recent_reports,
    signals,
)
from gendan_xl.plan.result import SEVERITY_RANK, PlanResult, WhatIfResult
from gendan_xl.plan.schedule import EPS, MAX_HORIZON_DAYS, forward_schedule, index_to_dates

DEFAULT_RISK_DAYS = 2
MIN_LOAD_DAYS = 28  # the line-load table covers at least four weeks
WHATIF_ORDER_NO = "插单"
S = OrderStatus
R = LateReason


def risk_days_setting(ledger: Ledger) -> int:
    value = ledger.setting("risk_days", DEFAULT_RISK_DAYS)
    try:
        number = float(str(value).strip())
    except ValueError:
        return DEFAULT_RISK_DAYS
    return DEFAULT_RISK_DAYS if math.isnan(number) else max(0, int(number))


def plan_ledger(
    ledger: Ledger,
    as_of: date | None = None,
    *,
    risk_days: int | None = None,
    calendar: WorkCalendar | None = None,
    extra_orders: pd.DataFrame | None = None,
) -> PlanResult:
    """Plan a ledger at ``as_of`` (default today).

    ``extra_orders``: order rows (columns of the 订单 table, plus an optional
    ``line``) planned as if they were in the ledger; the what-if uses it.
    """
    as_of = as_of or date.today()
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    risk = risk_days_setting(ledger) if risk_days is None else risk_days
    daily = ledger["daily"]
    prog = progress(
        ledger["orders"], ledger["items"], ledger["work_orders"], daily, ledger["shipments"],
        calendar, as_of, extra_orders,
    )
    actual = rates(prog, recent_reports(daily, prog, calendar, as_of, RATE_WINDOW_WORKDAYS))
    flags = signals(prog, recent_reports(daily, prog, calendar, as_of, SIGNAL_WINDOW_WORKDAYS))

    jobs = _jobs(prog, actual, calendar)
    jobs, loads = _schedule(jobs, prog, calendar)
    orders = _order_status(prog, jobs, actual, flags, calendar, as_of, risk)
    work_orders = _work_orders(prog, jobs, orders)
    daily_load, weekly_load = _capacity(loads, prog, as_of)
    return PlanResult(
        as_of=as_of,
        risk_days=risk,
        orders=orders,
        work_orders=work_orders,
        capacity_daily=daily_load,
        capacity_weekly=weekly_load,
        overloads=_overloads(jobs, loads, prog, as_of),
        otd=_otd(orders),
        rates=_rate_table(prog, actual),
        starts=dict(prog.starts),
        issues=_calendar_issues(ledger, calendar, orders),
    )


def _calendar_issues(ledger: Ledger, calendar: WorkCalendar, orders: pd.DataFrame) -> list[Issue]:
    """Say so when forecasts fall in years without China holiday data."""
    finishes = pd.to_datetime(orders["forecast_finish"]).dropna() if len(orders) else pd.Series(dtype="datetime64[ns]")
    last = int(finishes.max().year) if len(finishes) else 0
    years = sorted(y for y in calendar.years_without_holidays if y <= last)
    if not years:
        return []
    ref = CellRef(file=ledger.files[0] if ledger.files else ledger.name, sheet="日历")
    return [make_issue("no-holiday-data", ref, ", ".join(str(y) for y in years))]


# --- rates ---------------------------------------------------------------------------


def _lookup_rate(
    item: pd.Series, line: pd.Series, actual: pd.DataFrame, std: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """The rate (pcs/hour) of each (item, line) and where it came from."""
    act = actual.set_index(["item", "line"])["actual_rate"]
    idx = pd.MultiIndex.from_arrays([item.to_numpy(dtype=object), line.to_numpy(dtype=object)])
    a = act.reindex(idx).to_numpy(dtype="float64") if len(act) else np.full(len(item), np.nan)
    s = item.map(std).to_numpy(dtype="float64")
    has_a, has_s = ~np.isnan(a), ~np.isnan(s)
    rate = np.where(has_a, a, s)
    source = np.full(len(rate), None, dtype=object)
    source[has_s] = "standard"
    source[has_a] = "actual"
    return rate, source


def _rate_table(prog: Progress, actual: pd.DataFrame) -> pd.DataFrame:
    out = actual.copy()
    out["std_rate"] = out["item"].map(prog.std_rate)
    return out[["item", "line", "std_rate", "actual_rate", "report_days"]]


# --- jobs and schedule ---------------------------------------------------------------


def _jobs(prog: Progress, actual: pd.DataFrame, calendar: WorkCalendar) -> pd.DataFrame:
    """What still has to be made, in schedule order: open work orders, and open
    order lines without any work order (on the item's line)."""
    ol = prog.lines
    open_line = _open(ol)
    open_keys = set(ol.loc[open_line, "key"])
    wo = prog.work_orders
    wo_open = (
        ~wo["state"].isin(CLOSED_WO_STATES)
        & (wo["balance"] > 0)
        & (wo["key"].isna() | wo["key"].isin(open_keys))
    )
    w = wo[wo_open]
    by_key = ol.set_index("key")
    wo_jobs = pd.DataFrame(
        {
            "key": w["key"],
            "wo_no": w["wo_no"],
            "item": w["item"],
            "line": w["line"],
            "balance": w["balance"],
            "priority_rank": w["key"].map(by_key["priority_rank"]).fillna(PRIORITY_RANK["普通"]),
            "commitment_date": lookup(w["key"], by_key["commitment_date"]),
            "order_date": lookup(w["key"], by_key["order_date"]),
            "from_wo": True,
        }
    )
    o = ol[open_line & ~ol["has_wo"] & (ol["balance"] > 0)]
    line = o["line_override"].where(o["line_override"].notna(), o["item"].map(prog.item_line))
    order_jobs = pd.DataFrame(
        {
            "key": o["key"],
            "wo_no": np.nan,
            "item": o["item"],
            "line": line,
            "balance": o["balance"],
            "priority_rank": o["priority_rank"],
            "commitment_date": o["commitment_date"],
            "order_date": o["order_date"],
            "from_wo": False,
        }
    )
    jobs = pd.concat([wo_jobs, order_jobs], ignore_index=True)
    jobs["wo_no"] = jobs["wo_no"].astype(object)
    jobs["commitment_date"] = pd.to_datetime(jobs["commitment_date"])
    jobs["order_date"] = pd.to_datetime(jobs["order_date"])
    jobs = jobs.sort_values(
        ["priority_rank", "commitment_date", "order_date", "key", "wo_no"], na_position="last", kind="stable"
    ).reset_index(drop=True)
    rate, source = _lookup_rate(jobs["item"], jobs["line"], actual, prog.std_rate)
    jobs["rate"] = rate
    jobs["rate_source"] = source
    known = jobs["line"].isin(list(calendar.lines))
    jobs["no_line"] = ~known
    jobs["no_rate"] = ~(jobs["rate"] > 0)
    jobs["hours"] = np.where(jobs["no_rate"], np.nan, jobs["balance"] / jobs["rate"])
    return jobs


def _open(ol: pd.DataFrame) -> pd.Series:
    """Order lines still to be made and shipped."""
    return ~ol["order_status"].isin(("取消", "暂停", "完成")) & (ol["shipped"] < ol["qty"])


class LineLoad:
    """One line's days from its start: available and scheduled hours."""

    def __init__(self, line: str, start: date, available: np.ndarray, scheduled: np.ndarray) -> None:
        self.line = line
        self.start = start
        self.available = available
        self.scheduled = scheduled
        self.cum_available = np.cumsum(available)

    @property
    def last_busy(self) -> int:
        """Index of the last day with scheduled hours (-1 when idle)."""
        busy = np.flatnonzero(self.scheduled > EPS)
        return int(busy[-1]) if len(busy) else -1


def _schedule(
    jobs: pd.DataFrame, prog: Progress, calendar: WorkCalendar
) -> tuple[pd.DataFrame, dict[str, LineLoad]]:
    """Forward-schedule every line's jobs over its calendar from its start."""
    first = np.full(len(jobs), np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    ok = ~(jobs["no_line"] | jobs["no_rate"]).to_numpy()
    loads: dict[str, LineLoad] = {}
    line_values = jobs["line"].to_numpy(dtype=object)
    hours = jobs["hours"].to_numpy(dtype="float64")
    for line in calendar.lines:
        start = prog.starts[line]
        available = calendar.hours_array(line, start, MAX_HORIZON_DAYS)
        idx = np.flatnonzero(ok & (line_values == line))
        placed = forward_schedule(hours[idx], available)
        first[idx] = index_to_dates(start, placed.first_day)
        last[idx] = index_to_dates(start, placed.last_day)
        loads[line] = LineLoad(line, start, available, placed.scheduled)
    jobs = jobs.assign(forecast_start=first, forecast_finish=last)
    jobs["beyond"] = ok & jobs["forecast_finish"].isna()
    return jobs, loads


# --- order lines -------------------------------------------------------------------


def _order_status(
    prog: Progress,
    jobs: pd.DataFrame,
    actual: pd.DataFrame,
    flags: pd.DataFrame,
    calendar: WorkCalendar,
    as_of: date,
    risk_days: int,
) -> pd.DataFrame:
    ol = prog.lines.copy()
    keyed = jobs[jobs["key"].notna()]
    g = keyed.groupby("key", sort=False)
    pending = ol["key"].isin(keyed["key"].unique())
    # The job that finishes last decides the order line's line and rate.
    decisive = keyed.sort_values("forecast_finish", na_position="last", kind="stable").drop_duplicates(
        "key", keep="last"
    ).set_index("key")
    unplaced = (keyed["forecast_finish"].isna()).groupby(keyed["key"]).any()
    job_finish = g["forecast_finish"].max()
    job_start = g["forecast_start"].min()
    no_rate = g["no_rate"].any() if len(keyed) else pd.Series(dtype=bool)
    no_line = g["no_line"].any() if len(keyed) else pd.Series(dtype=bool)
    beyond = g["beyond"].any() if len(keyed) else pd.Series(dtype=bool)

    def flag(series: pd.Series) -> pd.Series:
        """Order lines whose key is flagged True in ``series`` (key -> bool)."""
        return ol["key"].isin(series.index[series.to_numpy(dtype=bool)])

    line = ol["line_override"].where(ol["line_override"].notna(), ol["wo_line"])
    line = line.where(line.notna(), ol["item"].map(prog.item_line))
    line = ol["key"].map(decisive["line"]).where(pending, line)
    ol["line"] = line
    rate, source = _lookup_rate(ol["item"], line, actual, prog.std_rate)
    ol["rate"] = rate
    ol["rate_source"] = source

    finish = lookup(ol["key"], job_finish).where(pending & ~flag(unplaced))
    # Nothing left to make: production finished on the day of its last report.
    finish = finish.where(pending, ol["last_report"])
    ol["forecast_start"] = lookup(ol["key"], job_start).where(pending)
    ol["forecast_finish"] = pd.to_datetime(finish)
    ol["has_work_order"] = ol["has_wo"]
    ol["ready_qty"] = (ol[["produced", "qty"]].min(axis=1) - ol["shipped"]).clip(lower=0.0)

    f_no_rate, f_no_line, f_beyond = flag(no_rate), flag(no_line), flag(beyond)
    f_short = flag(flags["shortage"]) if len(flags) else pd.Series(False, index=ol.index)
    f_quality = flag(flags["quality"]) if len(flags) else pd.Series(False, index=ol.index)
    paused = prog.work_orders[(prog.work_orders["state"] == "暂停") & (prog.work_orders["balance"] > 0)]
    wo_hold = ol["key"].isin(set(paused["key"].dropna()))

    _lateness(ol, calendar)
    commit = ol["commitment_date"]
    ts_as_of = pd.Timestamp(as_of)
    status_conditions: list[np.ndarray] = [
            (ol["order_status"] == "取消").to_numpy(),
            (ol["order_status"] == "暂停").to_numpy(),
            ((ol["order_status"] == "完成") | (ol["shipped"] >= ol["qty"])).to_numpy(),
            wo_hold.to_numpy(),
            (commit < ts_as_of).to_numpy(),
            ol["forecast_finish"].isna().to_numpy(),
            (ol["forecast_finish"] > commit).to_numpy(),
            (pending & (ol["slack_workdays"] <= risk_days)).to_numpy(),
    ]
    status_choices = [S.CANCELLED, S.HOLD, S.DONE, S.HOLD, S.OVERDUE, S.UNSCHEDULABLE, S.LATE, S.AT_RISK]
    status = _first_true(status_conditions, [s.value for s in status_choices], S.ON_TRACK.value)
    ol["status"] = status
    # No forecast where there is nothing left to plan.
    closed = np.isin(status, [S.CANCELLED, S.HOLD, S.DONE])
    for col in ("forecast_start", "forecast_finish"):
        ol.loc[closed, col] = pd.NaT
    for col in ("days_late", "workdays_late", "slack_workdays"):
        ol[col] = ol[col].mask(closed | ol["forecast_finish"].isna().to_numpy()).astype("Int64")

    needs_reason = np.isin(status, [S.OVERDUE, S.LATE, S.AT_RISK, S.UNSCHEDULABLE])
    making = pending | (ol["balance"] > 0)
    reason_conditions: list[np.ndarray] = [
            (f_no_rate | (~pending & making & np.isnan(rate))).to_numpy(),
            f_no_line.to_numpy(),
            f_beyond.to_numpy(),
            (~ol["has_wo"] & making).to_numpy(),
            f_short.to_numpy(),
            f_quality.to_numpy(),
            pending.to_numpy(),
    ]
    reason_choices = [R.NO_RATE, None, R.CAPACITY, R.NO_WORK_ORDER, R.MATERIAL_SHORTAGE, R.QUALITY, R.CAPACITY]
    reason = _first_true(reason_conditions, [r.value if r else None for r in reason_choices], None)
    reason[~needs_reason] = None
    ol["reason"] = reason

    ol["_rank"] = pd.Series(status).map(SEVERITY_RANK).to_numpy()
    ol["_late"] = -ol["days_late"].astype("float64").fillna(-1e9)
    ol = ol.sort_values(["_rank", "_late", "commitment_date", "key"], na_position="last", kind="stable")
    columns = [
        "key", "label", "order_no", "line_no", "customer", "item", "priority", "order_date", "qty",
        "produced", "shipped", "ready_qty", "balance", "due_date", "commitment_date", "has_work_order",
        "line", "rate", "rate_source", "forecast_start", "forecast_finish", "days_late",
        "workdays_late", "slack_workdays", "status", "reason", "last_ship", SRC, ROW,
    ]
    return ol[columns].reset_index(drop=True)


def _first_true(conditions: list[np.ndarray], choices: list[str | None], default: str | None) -> np.ndarray:
    """Per row, the choice of the first condition that holds (np.select for objects)."""
    n = len(conditions[0]) if conditions else 0
    out = np.full(n, default, dtype=object)
    done = np.zeros(n, dtype=bool)
    for cond, choice in zip(conditions, choices, strict=True):
        hit = np.asarray(cond, dtype=bool) & ~done
        out[hit] = choice
        done |= hit
    return out


def _lateness(ol: pd.DataFrame, calendar: WorkCalendar) -> None:
    """days_late (calendar days), workdays_late and slack_workdays (working days
    of the order line's line; the default calendar for an unknown line)."""
    finish, commit = ol["forecast_finish"], ol["commitment_date"]
    ol["days_late"] = (finish - commit).dt.days.astype("float64")
    late = np.full(len(ol), np.nan)
    slack = np.full(len(ol), np.nan)
    both = (finish.notna() & commit.notna()).to_numpy()
    f = finish.to_numpy(dtype="datetime64[D]")
    c = commit.to_numpy(dtype="datetime64[D]")
    known = ol["line"].isin(list(calendar.lines)).to_numpy()
    line_of = np.where(known, ol["line"].to_numpy(dtype=object), "")
    for line in pd.unique(line_of[both]):
        rows = both & (line_of == line)
        counts = _workdays_from(calendar, str(line) or None, c[rows], f[rows])
        late[rows] = counts
        slack[rows] = np.maximum(-counts, 0)
    ol["workdays_late"] = late
    ol["slack_workdays"] = slack


def _workdays_from(calendar: WorkCalendar, line: str | None, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed working days from ``a`` to ``b`` (``datetime64[D]`` arrays): the working
    days d with a < d <= b, negated when b is before a. One calendar slice per line,
    then a cumulative count: no per-row calendar call."""
    lo = min(a.min(), b.min())
    n = int((max(a.max(), b.max()) - lo).astype(np.int64)) + 1
    working = calendar.workday_array(line, pd.Timestamp(lo).date(), n)
    cum = np.concatenate(([0], np.cumsum(working, dtype=np.int64)))  # cum[k]: working days before lo + k
    ia = (a - lo).astype(np.int64)
    ib = (b - lo).astype(np.int64)
    return cum[ib + 1] - cum[ia + 1]


def _work_orders(prog: Progress, jobs: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    wo = prog.work_orders.copy()
    placed = jobs[jobs["from_wo"]].set_index("wo_no")
    wo["scheduled"] = wo["wo_no"].isin(placed.index[placed["forecast_finish"].notna()])
    for col in ("rate", "rate_source", "forecast_start", "forecast_finish"):
        wo[col] = lookup(wo["wo_no"], placed[col])
    wo["forecast_start"] = pd.to_datetime(wo["forecast_start"])
    wo["forecast_finish"] = pd.to_datetime(wo["forecast_finish"])
    by_key = orders.set_index("key")
    wo["commitment_date"] = lookup(wo["key"], by_key["commitment_date"])
    wo["order_status"] = wo["key"].map(by_key["status"])
    columns = [
        "wo_no", "key", "order_no", "line_no", "item", "qty", "produced", "balance", "state", "line",
        "rate", "rate_source", "scheduled", "forecast_start", "forecast_finish", "commitment_date",
        "plan_finish", "order_status", SRC, ROW,
    ]
    return wo[columns]


# --- capacity, overloads, OTD ----------------------------------------------------------


def _capacity(loads: dict[str, LineLoad], prog: Progress, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Available and scheduled hours per line and day, from each line's start
    through the end of the planned work (at least four weeks), and per ISO week."""
    end = np.datetime64(as_of, "D") + MIN_LOAD_DAYS - 1
    for load in loads.values():
        if load.last_busy >= 0:
            end = max(end, np.datetime64(load.start, "D") + load.last_busy)
    end = end + (6 - pd.Timestamp(end).weekday())  # through the Sunday: whole ISO weeks
    parts = []
    for line, load in loads.items():
        n = int((end - np.datetime64(load.start, "D")).astype(int)) + 1
        if n <= 0:
            continue
        dates = (np.datetime64(load.start, "D") + np.arange(n)).astype("datetime64[ns]")
        parts.append(
            pd.DataFrame(
                {
                    "line": line,
                    "date": dates,
                    "available_hours": load.available[:n],
                    "scheduled_hours": np.round(load.scheduled[:n], 6),
                }
            )
        )
    cols = ["line", "date", "available_hours", "scheduled_hours"]
    days = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    days["date"] = pd.to_datetime(days["date"])
    days["utilization"] = _utilization(days)
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
        )
        .reset_index()
    )
    weeks["utilization"] = _utilization(weeks)
    return days, weeks


def _utilization(df: pd.DataFrame) -> pd.Series:
    avail = df["available_hours"].astype("float64")
    return (df["scheduled_hours"].astype("float64") / avail.where(avail > 0)).round(4)


def _overloads(
    jobs: pd.DataFrame, loads: dict[str, LineLoad], prog: Progress, as_of: date
) -> pd.DataFrame:
    """Per line, each commitment date by which the hours due exceed the hours
    available from the line's start; the shortfall falls on the latest-due work
    in that window (what to outsource or make in overtime). Work already past its
    date counts as due on the as-of date."""
    cols = [
        "line", "by_date", "due_hours", "available_hours", "shortfall_hours", "shortfall_qty",
        "order_keys", "items",
    ]
    ok = jobs["forecast_finish"].notna() | jobs["beyond"]
    j = jobs[ok & jobs["commitment_date"].notna()].copy()
    if j.empty:
        return pd.DataFrame(columns=cols)
    labels = prog.lines.set_index("key")["label"]
    j["label"] = j["key"].map(labels).fillna(j["wo_no"])
    j["due"] = j["commitment_date"].where(j["commitment_date"] >= pd.Timestamp(as_of), pd.Timestamp(as_of))
    out = []
    for line, part in j.groupby("line", sort=False):
        load = loads[str(line)]
        p = part.sort_values(["due", "priority_rank", "order_date", "key", "wo_no"], na_position="last", kind="stable")
        hours = p["hours"].to_numpy(dtype="float64")
        rate = p["rate"].to_numpy(dtype="float64")
        cum_h = np.cumsum(hours)
        cum_q = np.cumsum(hours * rate)
        due = p["due"].to_numpy(dtype="datetime64[D]")
        last_of_date = np.flatnonzero(np.r_[due[1:] != due[:-1], True])
        dates = due[last_of_date]
        day_idx = (dates - np.datetime64(load.start, "D")).astype(np.int64)
        avail = np.where(day_idx < 0, 0.0, load.cum_available[np.clip(day_idx, 0, len(load.available) - 1)])
        short = cum_h[last_of_date] - avail
        over = short > EPS
        if not over.any():
            continue
        pos, short, dates, avail = last_of_date[over], short[over], dates[over], avail[over]
        target = cum_h[pos] - short
        first = np.searchsorted(cum_h, target + EPS, side="left")  # first job with hours past target
        partial = cum_h[first] - target  # hours of job ``first`` inside the shortfall
        qty = (cum_q[pos] - cum_q[first]) + partial * rate[first]
        label_arr = p["label"].to_numpy(dtype=object)
        item_arr = p["item"].to_numpy(dtype=object)
        for k in range(len(pos)):
            sl = slice(int(first[k]), int(pos[k]) + 1)
            out.append(
                {
                    "line": line,
                    "by_date": pd.Timestamp(dates[k]),
                    "due_hours": round(float(cum_h[pos[k]]), 4),
                    "available_hours": round(float(avail[k]), 4),
                    "shortfall_hours": round(float(short[k]), 4),
                    "shortfall_qty": math.ceil(float(qty[k]) - 1e-6),
                    "order_keys": list(dict.fromkeys(label_arr[sl])),
                    "items": list(dict.fromkeys(item_arr[sl])),
                }
            )
    df = pd.DataFrame(out, columns=cols)
    df["by_date"] = pd.to_datetime(df["by_date"])
    return df


def _otd(orders: pd.DataFrame) -> pd.DataFrame:
    """On-time delivery per customer and month of commitment, over fully shipped
    lines: on time when the last shipment is on or before the commitment date."""
    shipped = orders[
        (orders["qty"] > 0)
        & (orders["shipped"] >= orders["qty"])
        & (orders["status"] != S.CANCELLED)
        & orders["commitment_date"].notna()
        & orders["last_ship"].notna()
    ]
    cols = ["customer", "month", "lines", "on_time", "rate"]
    if shipped.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(
        {
            "customer": shipped["customer"].fillna(""),
            "month": shipped["commitment_date"].dt.strftime("%Y-%m"),
            "on_time": shipped["last_ship"] <= shipped["commitment_date"],
        }
    )
    out = df.groupby(["customer", "month"]).agg(lines=("on_time", "size"), on_time=("on_time", "sum")).reset_index()
    out["on_time"] = out["on_time"].astype(int)
    out["rate"] = (out["on_time"] / out["lines"]).round(4)
    return out[cols]


# --- what-if ---------------------------------------------------------------------------


def whatif(
    ledger: Ledger,
    item: str,
    qty: float,
    due: date,
    as_of: date | None = None,
    *,
    line: str | None = None,
    priority: str = "特急",
    customer: str | None = None,
    risk_days: int | None = None,
    calendar: WorkCalendar | None = None,
) -> WhatIfResult:
    """Plan with and without a rush order line (紧急插单) of ``qty`` of ``item``
    due ``due``: its forecast, and every existing order line whose forecast moves."""
    as_of = as_of or date.today()
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    before = plan_ledger(ledger, as_of, risk_days=risk_days, calendar=calendar)
    extra = pd.DataFrame(
        {
            "order_no": [WHATIF_ORDER_NO],
            "line_no": ["1"],
            "customer": [customer or ""],
            "item": [item],
            "qty": [float(qty)],
            "order_date": [pd.Timestamp(as_of)],
            "due_date": [pd.Timestamp(due)],
            "promised_date": [pd.NaT],
            "changed_date": [pd.NaT],
            "priority": [priority],
            "status": ["正常"],
            "line": [line if line else np.nan],
            SRC: [-1],
            ROW: [0],
        }
    )
    extra["line"] = norm_line(extra["line"])
    # A ledger order that happens to be called 插单 keeps its own line.
    taken = set(before.orders["key"])
    order_no = WHATIF_ORDER_NO
    while f"{order_no}#1" in taken:
        order_no += "*"
    extra["order_no"] = order_no
    new_key = f"{order_no}#1"
    after = plan_ledger(ledger, as_of, risk_days=risk_days, calendar=calendar, extra_orders=extra)
    new = after.order(after.orders.loc[after.orders["key"] == new_key, "label"].iloc[0])
    return WhatIfResult(as_of, new, _moved(before, after, new_key), before, after)


def _moved(before: PlanResult, after: PlanResult, new_key: str) -> pd.DataFrame:
    b = before.orders.set_index("key")
    a = after.orders[after.orders["key"] != new_key].set_index("key").reindex(b.index)
    fb, fa = b["forecast_finish"], a["forecast_finish"]
    changed = (fb != fa) & ~(fb.isna() & fa.isna())
    commit = b["commitment_date"]
    late_before = fb.isna() | (fb > commit)
    late_after = fa.isna() | (fa > commit)
    moved = pd.DataFrame(
        {
            "key": b.index,
            "label": b["label"].to_numpy(),
            "order_no": b["order_no"].to_numpy(),
            "line_no": b["line_no"].to_numpy(),
            "customer": b["customer"].to_numpy(),
            "item": b["item"].to_numpy(),
            "commitment_date": commit.to_numpy(),
            "before": fb.to_numpy(),
            "after": fa.to_numpy(),
            "delta_days": (fa - fb).dt.days.astype("Int64").to_numpy(),
            "status_before": b["status"].to_numpy(),
            "status_after": a["status"].to_numpy(),
            "becomes_late": (late_after & ~late_before & commit.notna()).to_numpy(),
        }
    )
    moved = moved[changed.to_numpy()]
    return moved.sort_values(["delta_days", "commitment_date", "key"], ascending=[False, True, True]).reset_index(
        drop=True
    )
