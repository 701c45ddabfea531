"""Invariants of the schedule, on random small ledgers (hypothesis):

- scheduled hours never exceed available hours on any line and day;
- adding an order (what-if) never makes any existing forecast earlier;
- a larger quantity never finishes earlier.

Dates fall around China's 2026 Mid-autumn / National Day holidays so the
calendar's holidays, make-up days and 日历 rows all come into play.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gendan_xl.ledger import ROW, Ledger, Source, make_table
from gendan_xl.plan import PlanInputError, forward_schedule, plan_ledger, whatif
from gendan_xl.schema import SHEETS

BASE = date(2026, 9, 10)
LINES = ("L1", "L2")
ITEMS = ("I1", "I2", "I3")
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in df.columns:
        if col in ("date", "order_date", "due_date", "promised_date", "changed_date", "ship_date"):
            df[col] = pd.to_datetime(df[col])
    df[ROW] = np.arange(2, len(df) + 2, dtype=np.int64)
    return df


def build_ledger(tables: dict[str, list[dict[str, Any]]]) -> Ledger:
    out = {}
    for spec in SHEETS:
        rows = tables.get(spec.key)
        parts = [(frame(rows), Source("mem.xlsx", spec.name, {}))] if rows else []
        out[spec.key] = make_table(spec.key, parts)
    return Ledger("mem.xlsx", out)


days = st.integers(min_value=0, max_value=45)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[Ledger, date]:
    as_of = BASE + timedelta(days=draw(days))
    lines = [
        {
            "line": name,
            "hours_per_shift": float(draw(st.sampled_from([4, 8, 10]))),
            "shifts": float(draw(st.sampled_from([1, 2]))),
            "rest_days": draw(st.sampled_from(["日", "六,日"])),
        }
        for name in LINES
    ]
    items = [
        {"item": name, "line": draw(st.sampled_from(LINES)), "std_rate": float(draw(st.sampled_from([2.5, 5, 10, 40])))}
        for name in ITEMS
    ]
    calendar = [
        {
            "date": as_of + timedelta(days=draw(st.integers(-3, 40))),
            "line": draw(st.sampled_from([*LINES, None])),
            "kind": kind,
            "hours": float(draw(st.integers(1, 12))) if kind == "加班" else np.nan,
        }
        for kind in draw(st.lists(st.sampled_from(["休息", "加班"]), max_size=3))
    ]
    orders, work_orders, daily, shipments = [], [], [], []
    n = draw(st.integers(1, 8))
    for i in range(n):
        item = draw(st.sampled_from(ITEMS))
        qty = float(draw(st.integers(1, 3000)))
        orders.append(
            {
                "order_no": f"SO{i}",
                "line_no": "1",
                "customer": draw(st.sampled_from(["A", "B"])),
                "item": item,
                "qty": qty,
                "order_date": as_of - timedelta(days=draw(st.integers(0, 30))),
                "due_date": as_of + timedelta(days=draw(st.integers(-10, 60))),
                "priority": draw(st.sampled_from(["普通", "急", "特急", None])),
                "status": draw(st.sampled_from(["正常", "正常", "正常", "暂停", "取消"])),
            }
        )
        if draw(st.booleans()):
            wo = f"WO{i}"
            work_orders.append(
                {
                    "wo_no": wo, "order_no": f"SO{i}", "line_no": "1", "item": item, "qty": qty,
                    "line": draw(st.sampled_from([*LINES, None])),
                    "status": draw(st.sampled_from(["生产中", "未开工", "生产中", "暂停"])),
                }
            )
            for _ in range(draw(st.integers(0, 4))):
                daily.append(
                    {
                        "date": as_of - timedelta(days=draw(st.integers(-1, 12))),
                        "wo_no": wo,
                        "good_qty": float(draw(st.integers(0, 400))),
                        "hours": float(draw(st.integers(0, 10))),
                        "exception": draw(st.sampled_from([None, None, "欠料", "品质"])),
                    }
                )
        if draw(st.integers(0, 3)) == 0:
            shipments.append({"ship_date": as_of - timedelta(days=1), "order_no": f"SO{i}", "line_no": "1",
                              "qty": float(draw(st.integers(1, int(qty))))})
    tables = {
        "lines": lines, "items": items, "calendar": calendar, "orders": orders,
        "work_orders": work_orders, "daily": daily, "shipments": shipments,
    }
    return build_ledger(tables), as_of


def finish_days(result: Any) -> pd.Series:
    """Forecast finish per order key; NaT (never / not planned) as +infinity."""
    f = result.orders.set_index("key")["forecast_finish"]
    return f.fillna(pd.Timestamp.max)


@given(
    st.lists(st.floats(min_value=0.01, max_value=50), min_size=0, max_size=12),
    st.lists(st.sampled_from([0.0, 4.0, 8.0, 10.0, 2.5]), min_size=1, max_size=30),
)
def test_forward_schedule_never_exceeds_capacity(jobs: list[float], capacity: list[float]) -> None:
    placed = forward_schedule(np.array(jobs), np.array(capacity))
    assert (placed.scheduled <= np.array(capacity) + 1e-9).all()
    fits = placed.last_day >= 0
    assert placed.scheduled.sum() == np.float64(sum(np.array(jobs)[fits])) or np.isclose(
        placed.scheduled.sum(), sum(np.array(jobs)[fits])
    )
    # once a job does not fit, no later job does; finishes never go backwards
    assert list(fits) == sorted(fits, reverse=True)
    assert (np.diff(placed.last_day[fits]) >= 0).all()
    assert (placed.first_day[fits] <= placed.last_day[fits]).all()


@PROPS
@given(ledgers())
def test_scheduled_hours_never_exceed_available(case: tuple[Ledger, date]) -> None:
    ledger, as_of = case
    result = plan_ledger(ledger, as_of)
    cap = result.capacity_daily
    assert (cap["scheduled_hours"] <= cap["available_hours"] + 1e-6).all()
    assert not cap.duplicated(["line", "date"]).any()
    # every forecast lies on a day its line could work, never before the line's start
    placed = result.work_orders[result.work_orders["scheduled"]]
    for rec in placed.itertuples(index=False):
        assert rec.forecast_finish.date() >= result.starts[rec.line]
        day = cap[(cap["line"] == rec.line) & (cap["date"] == rec.forecast_finish)]
        assert float(day["scheduled_hours"].iloc[0]) > 0


@PROPS
@given(
    ledgers(),
    st.sampled_from(ITEMS),
    st.integers(1, 3000),
    st.integers(0, 40),
    st.sampled_from(["特急", "急", "普通"]),
    st.sampled_from([None, *LINES]),
)
def test_adding_an_order_never_makes_a_forecast_earlier(
    case: tuple[Ledger, date], item: str, qty: int, due_in: int, priority: str, line: str | None
) -> None:
    ledger, as_of = case
    items = ledger["items"]
    own = set(items.loc[items["item"] == item, "line"].dropna())
    if line is not None and own and line not in own:  # another line than the item's: refused
        with pytest.raises(PlanInputError):
            whatif(ledger, item, qty, as_of + timedelta(days=due_in), as_of, line=line, priority=priority)
        return
    result = whatif(ledger, item, qty, as_of + timedelta(days=due_in), as_of, line=line, priority=priority)
    before = finish_days(result.before)
    after = finish_days(result.after).reindex(before.index)
    assert (after >= before).all()
    assert (result.moved["delta_days"].dropna() > 0).all()
    assert result.moved["key"].isin(before.index[after != before]).all()


@PROPS
@given(ledgers(), st.integers(0, 7), st.integers(1, 5000))
def test_a_larger_quantity_never_finishes_earlier(case: tuple[Ledger, date], pick: int, extra: int) -> None:
    ledger, as_of = case
    orders = ledger["orders"]
    k = pick % len(orders)
    before = plan_ledger(ledger, as_of)
    bigger = build_ledger_with_qty(ledger, k, extra)
    after = plan_ledger(bigger, as_of)
    key = before.orders["key"][before.orders["order_no"] == orders["order_no"].iloc[k]].iloc[0]
    b = before.orders.set_index("key").loc[key]
    a = after.orders.set_index("key").loc[key]
    if b["status"] in ("cancelled", "hold", "done"):
        return
    if pd.isna(b["forecast_finish"]):
        assert pd.isna(a["forecast_finish"])
    else:
        assert pd.isna(a["forecast_finish"]) or a["forecast_finish"] >= b["forecast_finish"]
    if b["status"] == "late":
        assert a["status"] in ("late", "unschedulable")


def build_ledger_with_qty(ledger: Ledger, k: int, extra: int) -> Ledger:
    tables = {key: table for key, table in ledger.tables.items()}
    orders = ledger["orders"].copy()
    orders.loc[orders.index[k], "qty"] += extra
    wo = ledger["work_orders"].copy()
    wo.loc[wo["order_no"] == orders["order_no"].iloc[k], "qty"] += extra
    tables["orders"] = type(ledger.tables["orders"])(ledger.tables["orders"].spec, orders, ledger.tables["orders"].sources)
    tables["work_orders"] = type(ledger.tables["work_orders"])(
        ledger.tables["work_orders"].spec, wo, ledger.tables["work_orders"].sources
    )
    return Ledger(ledger.name, tables, dict(ledger.settings))


@PROPS
@given(ledgers())
def test_order_book_and_plan_invariants(case: tuple[Ledger, date]) -> None:
    """uncovered_qty is never negative and never on an on-track line; the required
    load of a line adds up to its open hours."""
    ledger, as_of = case
    result = plan_ledger(ledger, as_of)
    lines = ledger.book.lines
    assert (lines["uncovered_qty"] >= 0).all()
    orders = result.orders
    assert not ((orders["uncovered_qty"] > 0) & (orders["status"] == "on_track")).any()
    # What the finite schedule places is also required by the due dates: never less.
    required = result.capacity_daily.groupby("line")["required_hours"].sum()
    scheduled = result.capacity_daily.groupby("line")["scheduled_hours"].sum()
    days = result.capacity_daily.groupby("line").size()
    for line, hours in required.items():
        # Daily hours are kept to 6 decimals: allow that rounding on every day summed.
        assert hours >= scheduled[line] - 1e-6 * (days[line] + 1)


@given(
    st.lists(st.tuples(st.floats(min_value=0.1, max_value=80), st.integers(-1, 25)), max_size=10),
    st.lists(st.sampled_from([0.0, 4.0, 8.0, 10.0]), min_size=1, max_size=26),
)
def test_backward_load_adds_up_and_never_comes_after_the_due_day(
    jobs: list[tuple[float, int]], capacity: list[float]
) -> None:
    from gendan_xl.plan.load import backward_load

    available = np.array(capacity)
    hours = np.array([h for h, _ in jobs], dtype=float)
    due = np.array([min(d, len(capacity) - 1) for _, d in jobs], dtype=np.int64)
    working = np.flatnonzero(available > 0)
    first = int(working[0]) if len(working) else 0
    required = backward_load(hours, due, available, first)
    assert np.isclose(required.sum(), hours.sum())  # the sum over a line = its open hours
    assert (required >= -1e-9).all()
    # Each job alone, at full daily capacity: nothing after its due day, nothing on days off
    # (overflow goes to the first working day).
    for h, d in zip(hours, due, strict=True):
        alone = backward_load(np.array([h]), np.array([d]), available, first)
        assert np.isclose(alone[max(d, first) + 1 :].sum(), 0) or d < first
        assert (alone[available == 0] <= 1e-9).all() or not len(working)
        assert (alone[: first] <= 1e-9).all()


@PROPS
@given(ledgers(), st.integers(1, 20))
def test_days_late_of_an_overdue_line_grows_with_the_as_of_date(case: tuple[Ledger, date], later: int) -> None:
    ledger, as_of = case
    before = plan_ledger(ledger, as_of).orders.set_index("key")
    after = plan_ledger(ledger, as_of + timedelta(days=later)).orders.set_index("key")
    overdue = before.index[before["status"] == "overdue"]
    for key in overdue:
        b, a = before.loc[key], after.loc[key]
        assert b["days_late"] >= 0
        if a["status"] != "overdue":
            continue  # a later as-of may see it shipped or put on hold (reports after as-of count)
        assert a["days_late"] >= b["days_late"]
        if pd.isna(b["forecast_finish"]) or b["forecast_finish"] < pd.Timestamp(as_of):
            # nothing left to forecast: late by exactly one more day per calendar day (a
            # finish *on* the as-of day is work still to do today: a later as-of may
            # place it on fewer hours, e.g. when today had overtime)
            assert a["days_late"] == b["days_late"] + later
