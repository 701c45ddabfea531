"""The planning stage: progress -> jobs -> finite-capacity schedule per line ->
lateness and status per order line -> line load, overloads, OTD; and the
rush-order what-if (the same plan run with and without one extra order line).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.materials import MaterialPlan, material_plan
from gendan_xl.model import (
    PRIORITY_RANK,
    STATUS_SEVERITY,
    CellRef,
    Issue,
    LateReason,
    OrderStatus,
    make_issue,
)
from gendan_xl.orderbook import OrderBook, norm_line
from gendan_xl.plan.forecast import plan_forecasts
from gendan_xl.plan.load import LineLoad, capacity_tables, overload_episodes, required_load
from gendan_xl.plan.progress import (
    RATE_WINDOW_WORKDAYS,
    SIGNAL_WINDOW_WORKDAYS,
    Progress,
    lookup,
    lookup_many,
    progress,
    rates,
    recent_reports,
    signals,
)
from gendan_xl.plan.result import PlanResult, WhatIfResult
from gendan_xl.plan.schedule import (
    MAX_HORIZON_DAYS,
    Placement,
    forward_schedule,
    index_to_dates,
    release_schedule,
)

WHATIF_ORDER_NO = "插单"
EPS = 1e-9
S = OrderStatus
R = LateReason


class PlanInputError(ValueError):
    """A what-if asked for something the ledger cannot plan (an unknown line ...)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en


def plan_ledger(
    ledger: Ledger,
    as_of: date,
    *,
    risk_days: int | None = None,
    calendar: WorkCalendar | None = None,
    book: OrderBook | None = None,
) -> PlanResult:
    """Plan a ledger at ``as_of``.

    ``book``: the order book to plan (default ``ledger.book``); the what-if passes
    one with its rush order line added.
    """
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    risk = ledger.options.risk_days if risk_days is None else risk_days
    daily = ledger["daily"]
    prog = progress(ledger, book or ledger.book, calendar, as_of)
    actual = rates(prog, recent_reports(daily, prog, calendar, as_of, RATE_WINDOW_WORKDAYS))
    flags = signals(prog, recent_reports(daily, prog, calendar, as_of, SIGNAL_WINDOW_WORKDAYS))

    jobs = _jobs(prog, actual, calendar)
    # Rework (品质异常 返工) re-runs pieces already made: it needs no new material.
    made = ~jobs["rework"].to_numpy()
    materials = material_plan(ledger, jobs[made].reset_index(drop=True), as_of, calendar)
    jobs = _with_material(jobs, materials, made)
    jobs, loads = _schedule(jobs, prog, calendar)
    orders = _order_status(prog, jobs, actual, flags, calendar, as_of, risk)
    work_orders = _work_orders(prog, jobs, orders)
    required = required_load(jobs, loads)
    # Soft load: open customer forecasts in the hours firm work left over (a second
    # pass: nothing above depends on it, so firm results are the same without it).
    forecasts, forecast_hours = plan_forecasts(
        ledger, as_of, prog.item_line, lambda i, ln: _lookup_rate(i, ln, actual, prog.std_rate)[0], calendar, loads
    )
    daily_load, weekly_load = capacity_tables(loads, required, as_of, forecast_hours)
    return PlanResult(
        as_of=as_of,
        risk_days=risk,
        orders=orders,
        work_orders=work_orders,
        capacity_daily=daily_load,
        capacity_weekly=weekly_load,
        overloads=overload_episodes(jobs, loads, required, orders),
        otd=_otd(orders),
        rates=_rate_table(prog, actual),
        line_yield=_line_yield(prog.work_orders),
        starts=dict(prog.starts),
        issues=_calendar_issues(ledger, calendar, orders, forecasts),
        materials=materials,
        forecasts=forecasts,
        jobs=jobs,
    )


def _calendar_issues(
    ledger: Ledger, calendar: WorkCalendar, orders: pd.DataFrame, forecasts: pd.DataFrame | None = None
) -> list[Issue]:
    """Say so when forecasts (of order lines, or customer forecasts' placements)
    fall in years without China holiday data."""
    parts = [pd.to_datetime(df["forecast_finish"]) for df in (orders, forecasts) if df is not None and len(df)]
    finishes = pd.concat(parts).dropna() if parts else pd.Series(dtype="datetime64[ns]")
    last = int(finishes.max().year) if len(finishes) else 0
    years = sorted(y for y in calendar.years_without_holidays if y <= last)
    if not years:
        return []
    ref = CellRef(file=ledger.files[0] if ledger.files else ledger.name, sheet="日历")
    return [make_issue("no-holiday-data", ref, ", ".join(str(y) for y in years))]


def _line_yield(wo: pd.DataFrame) -> pd.DataFrame:
    """良率 per production line over its work orders' reports."""
    w = wo[wo["line"].notna() & ((wo["produced"] + wo["rejects"]) > 0)]
    g = w.groupby("line", sort=True)[["produced", "rejects"]].sum().reset_index()
    g["yield"] = (g["produced"] / (g["produced"] + g["rejects"])).round(4)
    return g


# --- rates ---------------------------------------------------------------------------


def _lookup_rate(
    item: pd.Series, line: pd.Series, actual: pd.DataFrame, std: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """The rate (pcs/hour) of each (item, line) and where it came from: looked up
    once per distinct pair (a few thousand), then spread over the rows."""
    if len(item) > 1:
        ci = pd.factorize(item.to_numpy(dtype=object), use_na_sentinel=False)[0].astype(np.int64)
        cl, lines = pd.factorize(line.to_numpy(dtype=object), use_na_sentinel=False)
        _, first, inverse = np.unique(ci * max(len(lines), 1) + cl, return_index=True, return_inverse=True)
        if len(first) < len(item):
            rate, source = _lookup_rate(item.iloc[first], line.iloc[first], actual, std)
            return rate[inverse], source[inverse]
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
    """What still has to be made, in schedule order: open work orders (not closed,
    not held), and each open order line's quantity no work order covers (on the
    item's line, as planned work).

    A work order's open rework (品质异常 返工, the order book's ``rework_balance``)
    is a job of its own on the work order's line (``rework``), released on its
    ``rework_release`` date (预计完成), also when the work order is closed."""
    ol = prog.lines
    open_keys = set(ol.loc[ol["open"], "key"])
    wo = prog.work_orders
    # object dtype: isin on Arrow text builds one scalar per wanted value (slow for 100k)
    wanted = ~wo["held"] & (wo["key"].isna() | wo["key"].astype(object).isin(open_keys))
    fresh = wo["balance"] - wo["rework_balance"]
    by_key = ol.set_index("key")

    def wo_part(w: pd.DataFrame, balance: pd.Series, rework: bool) -> pd.DataFrame:
        of_line = lookup_many(w["key"], by_key, ("priority_rank", "commitment_date", "order_date"))
        return pd.DataFrame(
            {
                "key": w["key"],
                "wo_no": w["wo_no"],
                "item": w["item"],
                "line": w["line"],
                "balance": balance,
                "priority_rank": of_line["priority_rank"].fillna(PRIORITY_RANK["普通"]),
                "commitment_date": of_line["commitment_date"],
                "order_date": of_line["order_date"],
                "from_wo": True,
                "rework": rework,
                "release": w["rework_release"] if rework else pd.NaT,
            }
        )

    new_work = wanted & ~wo["closed"] & (fresh > EPS)
    redo = wanted & (wo["rework_balance"] > EPS)
    wo_jobs = pd.concat(
        [wo_part(wo[new_work], fresh[new_work], False), wo_part(wo[redo], wo["rework_balance"][redo], True)]
    )
    o = ol[ol["uncovered_qty"] > 0]
    line = o["line_override"].where(o["line_override"].notna(), o["item"].map(prog.item_line))
    order_jobs = pd.DataFrame(
        {
            "key": o["key"],
            "wo_no": np.nan,
            "item": o["item"],
            "line": line,
            "balance": o["uncovered_qty"],
            "priority_rank": o["priority_rank"],
            "commitment_date": o["commitment_date"],
            "order_date": o["order_date"],
            "from_wo": False,
            "rework": False,
            "release": pd.NaT,
        }
    )
    jobs = pd.concat([wo_jobs, order_jobs], ignore_index=True)
    jobs["wo_no"] = jobs["wo_no"].astype(object)
    jobs["rework"] = jobs["rework"].astype(bool)
    jobs["release"] = pd.to_datetime(jobs["release"])
    jobs["commitment_date"] = pd.to_datetime(jobs["commitment_date"])
    jobs["order_date"] = pd.to_datetime(jobs["order_date"])
    jobs = jobs.sort_values(
        ["priority_rank", "commitment_date", "order_date", "key", "wo_no", "rework"], na_position="last",
        kind="stable",
    ).reset_index(drop=True)
    rate, source = _lookup_rate(jobs["item"], jobs["line"], actual, prog.std_rate)
    jobs["rate"] = rate
    jobs["rate_source"] = source
    known = jobs["line"].isin(list(calendar.lines))
    jobs["no_line"] = ~known
    jobs["no_rate"] = ~(jobs["rate"] > 0)
    jobs["hours"] = np.where(jobs["no_rate"], np.nan, jobs["balance"] / jobs["rate"])
    return jobs


def _with_material(jobs: pd.DataFrame, materials: MaterialPlan | None, made: np.ndarray) -> pd.DataFrame:
    """Each job's material_ready (NaT: none needed, or unknown) and material_unknown;
    ``materials`` covers the jobs ``made`` marks (in order), the others need none."""
    ready = np.full(len(jobs), np.datetime64("NaT"), dtype="datetime64[ns]")
    unknown = np.zeros(len(jobs), dtype=bool)
    if materials is not None:
        ready[made] = materials.jobs["material_ready"].to_numpy(dtype="datetime64[ns]")
        unknown[made] = materials.jobs["material_unknown"].to_numpy(dtype=bool)
    return jobs.assign(material_ready=ready, material_unknown=unknown)


def _schedule(
    jobs: pd.DataFrame, prog: Progress, calendar: WorkCalendar
) -> tuple[pd.DataFrame, dict[str, LineLoad]]:
    """Forward-schedule every line's jobs over its calendar from its start. A line
    where some job's material is ready (or its rework released, ``release``) only
    after the line's start is dispatched with release days (``release_schedule``);
    ``material_bound`` marks the jobs whose material is ready only after the day
    they would start without it."""
    first = np.full(len(jobs), np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    ok = ~(jobs["no_line"] | jobs["no_rate"]).to_numpy()
    loads: dict[str, LineLoad] = {}
    line_values = jobs["line"].to_numpy(dtype=object)
    hours = jobs["hours"].to_numpy(dtype="float64")
    ready = jobs["material_ready"].to_numpy(dtype="datetime64[D]")
    held_until = jobs["release"].to_numpy(dtype="datetime64[D]")
    bound = np.zeros(len(jobs), dtype=bool)
    # The jobs of each line, in job order: one grouping for all lines (comparing every
    # job's line with each line in turn costs lines x jobs).
    pos = np.flatnonzero(ok)
    codes, uniques = pd.factorize(line_values[pos])
    by_code = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[by_code], np.arange(len(uniques) + 1))
    of_line = {line: pos[by_code[bounds[i] : bounds[i + 1]]] for i, line in enumerate(uniques)}
    none = np.zeros(0, dtype=np.int64)
    for line in calendar.lines:
        start = prog.starts[line]
        available = calendar.hours_array(line, start, MAX_HORIZON_DAYS)
        idx = of_line.get(line, none)
        by_material = release_days(ready[idx], start)
        release = np.maximum(by_material, release_days(held_until[idx], start))
        placed = place_line(hours[idx], available, release)
        if (release > 0).any():
            # Pushed by material: ready after the day it would start without it.
            blind = forward_schedule(hours[idx], available).first_day
            bound[idx] = (by_material > 0) & ((by_material > blind) | (blind < 0))
        first[idx] = index_to_dates(start, placed.first_day)
        last[idx] = index_to_dates(start, placed.last_day)
        loads[line] = LineLoad(line, start, available, placed.scheduled)
    jobs = jobs.assign(forecast_start=first, forecast_finish=last, material_bound=bound)
    jobs["beyond"] = ok & jobs["forecast_finish"].isna()
    return jobs, loads


def release_days(ready: np.ndarray, start: date) -> np.ndarray:
    """Days from a line's start until each job's material is ready (0: none to wait for)."""
    delay = ready.astype("datetime64[D]") - np.datetime64(start, "D")
    return np.where(np.isnat(delay), 0, delay.astype("timedelta64[D]").astype(np.int64))


def place_line(hours: np.ndarray, available: np.ndarray, release: np.ndarray) -> Placement:
    """One line's jobs (in schedule order) on its days: dispatched with release days
    when some job waits for material, else one forward pass (the plan's scheduler,
    also used to re-plan a line with some work moved out, ``plan.outsource``)."""
    if (release > 0).any():
        return release_schedule(hours, available, release)
    return forward_schedule(hours, available)


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
    # One factorisation of the jobs' keys and one lookup of the order lines' keys among
    # them: each per-key figure is a reduction over the codes and each order line's a
    # take (no hashing of every key again per figure).
    codes, uniques = pd.factorize(keyed["key"].to_numpy(dtype=object))
    n_keys = len(uniques)
    at = pd.Index(uniques, dtype=object).get_indexer(ol["key"].to_numpy(dtype=object))
    found = at >= 0
    pending = pd.Series(found, index=ol.index)

    def any_of(values: pd.Series) -> np.ndarray:
        """Per key (code): some job of it is True."""
        return np.bincount(codes[values.to_numpy(dtype=bool)], minlength=n_keys) > 0

    def on_lines(per_key: np.ndarray, fill: object) -> np.ndarray:
        """A per-key array at each order line (``fill`` where no job has its key)."""
        out = np.full(len(ol), fill, dtype=per_key.dtype)
        out[found] = per_key[at[found]]
        return out

    def flag(series: pd.Series) -> pd.Series:
        """Order lines whose key is flagged True in ``series`` (key -> bool)."""
        return ol["key"].isin(series.index[series.to_numpy(dtype=bool)])

    def flag_of(per_key: np.ndarray) -> pd.Series:
        """Order lines whose key is flagged True in ``per_key`` (code -> bool)."""
        return pd.Series(on_lines(per_key, False), index=ol.index)

    # The job that finishes last decides the order line's line and rate (the last of
    # equal finishes in job order; a job not placed is last of all).
    finish_ns = keyed["forecast_finish"].to_numpy(dtype="datetime64[ns]")
    by_finish = np.argsort(np.where(np.isnat(finish_ns), np.iinfo(np.int64).max, finish_ns.view(np.int64)),
                           kind="stable")[::-1]
    decisive = by_finish[np.unique(codes[by_finish], return_index=True)[1]]  # per code, a keyed row
    unplaced = any_of(keyed["forecast_finish"].isna())
    job_finish = pd.Series(finish_ns).groupby(codes).max().to_numpy(dtype="datetime64[ns]") if n_keys else finish_ns
    job_start = (
        keyed["forecast_start"].groupby(codes).min().to_numpy(dtype="datetime64[ns]") if n_keys else finish_ns
    )

    line = ol["line_override"].where(ol["line_override"].notna(), ol["wo_line"])
    line = line.where(line.notna(), ol["item"].map(prog.item_line))
    line = pd.Series(on_lines(keyed["line"].to_numpy(dtype=object)[decisive], np.nan), index=ol.index).where(
        pending, line
    )
    ol["line"] = line
    rate, source = _lookup_rate(ol["item"], line, actual, prog.std_rate)
    ol["rate"] = rate
    ol["rate_source"] = source

    nat = np.datetime64("NaT")
    finish = pd.Series(on_lines(job_finish, nat), index=ol.index).where(pending & ~flag_of(unplaced))
    # Nothing left to make: production finished on the day of its last report.
    finish = finish.where(pending, ol["last_report"])
    ol["forecast_start"] = pd.Series(on_lines(job_start, nat), index=ol.index).where(pending)
    in_house = pd.to_datetime(finish)
    out_back, pending_out = _outsourced_back(ol, calendar, as_of)
    # The later of the in-house and the outsourced parts (an in-house part that
    # cannot be placed keeps the line without a forecast).
    finish = in_house.where(~pending_out | (pending & (in_house >= out_back)), out_back)
    finish = finish.where(~(pending_out & pending & in_house.isna()), pd.NaT)
    ol["forecast_finish"] = pd.to_datetime(finish)
    by_outsourcing = pending_out & ~(pending & (in_house >= out_back))
    ol["has_work_order"] = ol["has_wo"]
    ol["ready_qty"] = (ol[["produced", "qty"]].min(axis=1) - ol["shipped"]).clip(lower=0.0)

    f_no_rate, f_no_line = flag_of(any_of(keyed["no_rate"])), flag_of(any_of(keyed["no_line"]))
    f_beyond = flag_of(any_of(keyed["beyond"]))
    f_material, f_unknown_material = flag_of(any_of(keyed["material_bound"])), flag_of(any_of(keyed["material_unknown"]))
    f_short = flag(flags["shortage"]) if len(flags) else pd.Series(False, index=ol.index)
    f_quality = flag(flags["quality"]) if len(flags) else pd.Series(False, index=ol.index)
    f_hold_open = ol["quality_open"].astype(bool)  # 品质异常 without 结案日期
    wo_hold = ol["held_balance"] > 0
    uncovered = ol["uncovered_qty"] > 0

    commit = ol["commitment_date"]
    ts_as_of = pd.Timestamp(as_of)
    past_due = (commit < ts_as_of).to_numpy()
    _lateness(ol, calendar, past_due, ts_as_of)
    status_conditions: list[np.ndarray] = [
            (ol["order_status"] == "取消").to_numpy(),
            (ol["order_status"] == "暂停").to_numpy(),
            ((ol["order_status"] == "完成") | (ol["shipped"] >= ol["qty"])).to_numpy(),
            wo_hold.to_numpy(),
            past_due,
            ol["forecast_finish"].isna().to_numpy(),
            (ol["forecast_finish"] > commit).to_numpy(),
            (((pending | pending_out) & (ol["slack_workdays"] <= risk_days)) | uncovered | f_unknown_material).to_numpy(),
    ]
    status_choices = [S.CANCELLED, S.HOLD, S.DONE, S.HOLD, S.OVERDUE, S.UNSCHEDULABLE, S.LATE, S.AT_RISK]
    status = _first_true(status_conditions, [s.value for s in status_choices], S.ON_TRACK.value)
    ol["status"] = status
    # No forecast where there is nothing left to plan.
    closed = np.isin(status, [S.CANCELLED, S.HOLD, S.DONE])
    for col in ("forecast_start", "forecast_finish"):
        ol.loc[closed, col] = pd.NaT
    no_figure = closed | (ol["forecast_finish"].isna().to_numpy() & ~past_due)
    for col in ("days_late", "workdays_late", "slack_workdays"):
        ol[col] = ol[col].mask(no_figure).astype("Int64")

    needs_reason = np.isin(status, [S.OVERDUE, S.LATE, S.AT_RISK, S.UNSCHEDULABLE])
    making = pending | (ol["balance"] > 0)
    awaiting = (ol["produced"] >= ol["qty"]) & (ol["shipped"] < ol["qty"]) & ~pending & ~pending_out
    reason_conditions: list[np.ndarray] = [
            awaiting.to_numpy(),
            (f_no_rate | (~pending & making & np.isnan(rate))).to_numpy(),
            f_no_line.to_numpy(),
            (f_material | f_unknown_material).to_numpy(),
            f_hold_open.to_numpy(),
            f_beyond.to_numpy(),
            by_outsourcing.to_numpy(),
            (uncovered | (~ol["has_wo"] & making)).to_numpy(),
            f_short.to_numpy(),
            f_quality.to_numpy(),
            pending.to_numpy(),
    ]
    reason_choices = [
        R.AWAITING_SHIPMENT, R.NO_RATE, None, R.MATERIAL_SHORTAGE, R.QUALITY, R.CAPACITY, R.OUTSOURCING,
        R.NO_WORK_ORDER, R.MATERIAL_SHORTAGE, R.QUALITY, R.CAPACITY,
    ]
    reason = _first_true(reason_conditions, [r.value if r else None for r in reason_choices], None)
    reason[~needs_reason] = None
    ol["reason"] = reason

    ol["_rank"] = pd.Series(status).map(STATUS_SEVERITY).to_numpy()
    ol["_late"] = -ol["days_late"].astype("float64").fillna(-1e9)
    ol = ol.sort_values(["_rank", "_late", "commitment_date", "key"], na_position="last", kind="stable")
    columns = [
        "key", "label", "order_no", "line_no", "customer", "customer_po", "item", "item_name", "priority",
        "order_date", "qty", "issued", "produced", "rejects", "shipped", "ready_qty", "balance",
        "uncovered_qty", "due_date", "commitment_date", "has_work_order", "line", "rate", "rate_source",
        "forecast_start", "forecast_finish", "days_late", "workdays_late", "slack_workdays", "status",
        "reason", "last_ship", "out_returned", "out_open", SRC, ROW,
    ]
    return ol[columns].reset_index(drop=True)


def _outsourced_back(ol: pd.DataFrame, calendar: WorkCalendar, as_of: date) -> tuple[pd.Series, pd.Series]:
    """Per order line: when its open 外协 pieces are back (the latest 预计回厂 of its
    open lots; one already past counts as back on the first working day after the
    as-of date, like a late purchase) and whether it has open 外协 pieces at all."""
    pending_out = (ol["out_open"] > 0) & ol["open"]
    back = pd.to_datetime(ol["out_due"]).where(pending_out)
    late = pending_out & (back < pd.Timestamp(as_of))
    if late.any():
        line = ol["line"].where(ol["line"].isin(list(calendar.lines)))
        for name in line[late].drop_duplicates():
            rows = late & (line.eq(name) if isinstance(name, str) else line.isna())
            back[rows] = pd.Timestamp(calendar.add_workdays(as_of, 1, name if isinstance(name, str) else None))
    return back, pending_out


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


def _lateness(ol: pd.DataFrame, calendar: WorkCalendar, past_due: np.ndarray, as_of: pd.Timestamp) -> None:
    """days_late (calendar days), workdays_late and slack_workdays (working days
    of the order line's line; the default calendar for an unknown line).

    For a line past its commitment date the lateness runs to the later of its
    forecast finish and the as-of date: goods made but not shipped, or not yet
    forecast, grow later by one day for every day they stay unshipped."""
    finish, commit = ol["forecast_finish"], ol["commitment_date"]
    overdue_end = finish.where(finish > as_of, as_of)
    finish = finish.where(~past_due, overdue_end)
    ol["days_late"] = (finish - commit).dt.days.astype("float64")
    late = np.full(len(ol), np.nan)
    slack = np.full(len(ol), np.nan)
    # Working days only where a figure is shown: open lines (closed ones show none).
    both = (finish.notna() & commit.notna() & ol["open"]).to_numpy()
    f = finish.to_numpy(dtype="datetime64[D]")
    c = commit.to_numpy(dtype="datetime64[D]")
    known = ol["line"].isin(list(calendar.lines)).to_numpy()
    line_of = np.where(known, ol["line"].to_numpy(dtype=object), "")
    rows_all = np.flatnonzero(both)
    codes, names = pd.factorize(line_of[rows_all])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    for k, line in enumerate(names):
        rows = rows_all[order[bounds[k] : bounds[k + 1]]]
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
    if placed.index.duplicated().any():  # a work order with rework: its jobs as one
        g = placed.groupby(level=0, sort=False)
        finish = g["forecast_finish"].max().where(~placed["forecast_finish"].isna().groupby(level=0).any())
        placed = pd.DataFrame(
            {
                "rate": g["rate"].first(),
                "rate_source": g["rate_source"].first(),
                "forecast_start": g["forecast_start"].min(),
                "forecast_finish": finish,
                "material_ready": g["material_ready"].max(),
            }
        )
    wo["scheduled"] = wo["wo_no"].astype(object).isin(placed.index[placed["forecast_finish"].notna()].astype(object))
    cols = ("rate", "rate_source", "forecast_start", "forecast_finish", "material_ready")
    for col, values in lookup_many(wo["wo_no"], placed, cols).items():
        wo[col] = values
    wo["material_ready"] = pd.to_datetime(wo["material_ready"])
    wo["forecast_start"] = pd.to_datetime(wo["forecast_start"])
    wo["forecast_finish"] = pd.to_datetime(wo["forecast_finish"])
    by_key = orders.set_index("key")
    wo["commitment_date"] = lookup(wo["key"], by_key["commitment_date"])
    wo["order_status"] = wo["key"].map(by_key["status"])
    columns = [
        "wo_no", "key", "order_no", "line_no", "item", "qty", "produced", "rejects", "yield", "balance", "state",
        "line",
        "rate", "rate_source", "scheduled", "forecast_start", "forecast_finish", "commitment_date",
        "plan_finish", "order_status", "material_ready", SRC, ROW,
    ]
    return wo[columns]


# --- capacity, overloads, OTD ----------------------------------------------------------


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
    as_of: date,
    *,
    line: str | None = None,
    priority: str = "特急",
    customer: str | None = None,
    risk_days: int | None = None,
    calendar: WorkCalendar | None = None,
) -> WhatIfResult:
    """Plan with and without a rush order line (紧急插单) of ``qty`` of ``item``
    due ``due``: its forecast, and every existing order line whose forecast moves.

    Raises ``PlanInputError`` for a line the ledger does not have, or a line the
    item's 产品 row does not name (when it names one)."""
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    _check_whatif_line(ledger, calendar, item, line)
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
    after = plan_ledger(
        ledger, as_of, risk_days=risk_days, calendar=calendar, book=ledger.book.with_extra(extra)
    )
    new = after.order(after.orders.loc[after.orders["key"] == new_key, "label"].iloc[0])
    return WhatIfResult(as_of, new, moved_lines(before, after, new_key), before, after)


def _check_whatif_line(ledger: Ledger, calendar: WorkCalendar, item: str, line: str | None) -> None:
    if not line:
        return
    wanted = norm_line(pd.Series([line])).iloc[0]
    if wanted not in calendar:
        known = "、".join(calendar.lines) or "-"
        raise PlanInputError(
            f"产线「{line}」不在产线表中(可用:{known})", f"Line '{line}' is not on the 产线 sheet (known: {known})"
        )
    items = ledger["items"]
    named = norm_line(items.loc[items["item"] == item, "line"]).dropna()
    if len(named) and wanted not in set(named):
        default = named.iloc[0]
        raise PlanInputError(
            f"产品「{item}」的产线是「{default}」,不是「{line}」;如需换线请先在产品表中修改",
            f"Item '{item}' runs on line '{default}', not '{line}' (change it on the 产品 sheet first)",
        )


def promise_date(calendar: WorkCalendar, finish: date, as_of: date, lead_days: int, line: object) -> date:
    """The date that can be promised to a customer for a forecast finish: 送货提前期
    (``lead_days``) working days of ``line`` after it, or after ``as_of`` when the
    finish is earlier (made, not yet shipped). A line the calendar does not know
    counts on the default calendar. Used by the order review and the 交期变更通知."""
    base = max(finish, as_of)
    return calendar.add_workdays(base, lead_days, line if isinstance(line, str) and line in calendar else None)


def _material_date_lost(before: PlanResult, after: PlanResult) -> pd.Series:
    """Per order-line key: some work order of it had a material ready date before
    and has none after."""
    wb, wa = before.work_orders, after.work_orders
    if wb.empty or "material_ready" not in wb:
        return pd.Series(dtype=bool)
    ready_after = wa.drop_duplicates("wo_no").set_index("wo_no")["material_ready"]
    had = wb["material_ready"].notna().to_numpy()
    gone = wb["wo_no"].map(ready_after).isna().to_numpy()
    return pd.Series(had & gone, index=wb.index).groupby(wb["key"].to_numpy()).any()


def moved_lines(before: PlanResult, after: PlanResult, new_keys: str | Collection[str]) -> pd.DataFrame:
    """Existing order lines pushed by the lines added (``new_keys``, left out): their
    forecast finish is later, or they can no longer be planned.

    A line whose material had a ready date and has none once the new lines take
    their share (short, with no purchase or 采购周期 to bring more) is pushed too,
    with no new finish: the plan's optimistic finish for unknown material would
    otherwise read as the rush order making it *earlier*. A line that finishes
    earlier for any other reason is not listed: nothing added can speed it up."""
    new = {new_keys} if isinstance(new_keys, str) else set(new_keys)
    b = before.orders[~before.orders["key"].isin(new)].set_index("key")
    a = after.orders[~after.orders["key"].isin(new)].set_index("key").reindex(b.index)
    fb, fa = b["forecast_finish"], a["forecast_finish"]
    lost = _material_date_lost(before, after).reindex(b.index, fill_value=False).to_numpy(dtype=bool)
    fa = fa.where(~lost, pd.NaT)
    changed = (fa > fb) | (fa.isna() & fb.notna())
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
            "material_lost": lost,
        }
    )
    moved = moved[changed.to_numpy()]
    return moved.sort_values(["delta_days", "commitment_date", "key"], ascending=[False, True, True]).reset_index(
        drop=True
    )
