"""What planning hands on: ``PlanResult`` (order lines, work orders, line load,
overloads, OTD) and ``WhatIfResult`` (a rush order's effect), as DataFrames for
the report writer and as the JSON contract of ``gendan plan --json`` /
``gendan whatif --json``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.materials import MaterialPlan
from gendan_xl.model import STATUS_SEVERITY, Issue, OrderStatus

# Order lines a clerk must look at first, most urgent first (one order everywhere).
SEVERITY_RANK: dict[str, int] = {s.value: rank for s, rank in STATUS_SEVERITY.items()}
ALERT_STATUSES = (OrderStatus.OVERDUE, OrderStatus.LATE, OrderStatus.UNSCHEDULABLE, OrderStatus.AT_RISK)

ORDER_FIELDS = (
    "order_no", "line_no", "customer", "item", "qty", "produced", "shipped", "balance", "uncovered_qty",
    "due_date", "commitment_date", "line", "rate", "rate_source", "forecast_finish",
    "days_late", "workdays_late", "slack_workdays", "status", "reason",
)
WORK_ORDER_FIELDS = (
    "wo_no", "order_no", "line_no", "item", "qty", "produced", "rejects", "yield", "balance", "state", "line",
    "rate", "rate_source", "forecast_start", "forecast_finish", "commitment_date", "plan_finish",
    "material_ready",
)
CAPACITY_FIELDS = (
    "line", "period", "available_hours", "scheduled_hours", "utilization", "required_hours",
    "required_utilization", "forecast_hours",
)
FORECAST_FIELDS = (
    "customer", "item", "period", "period_start", "period_end", "forecast_qty", "firm_qty", "open_qty", "line",
    "hours", "forecast_start", "forecast_finish", "in_period",
)
OVERLOAD_FIELDS = ("line", "from", "by_date", "shortfall_hours", "items", "order_keys")
OTD_FIELDS = ("customer", "month", "lines", "on_time", "rate")


@dataclass
class PlanResult:
    """Planning of one ledger at one as-of date.

    ``orders`` (one row per order line, sorted most urgent first): key, label
    (``SO1-2``), order_no, line_no, customer, customer_po, item, item_name,
    priority, order_date, qty, issued, produced, rejects, shipped, ready_qty
    (produced, not yet shipped), balance (left to make), uncovered_qty (no work
    order covers it), due_date, commitment_date, has_work_order, line, rate,
    rate_source (``standard``/``actual``), forecast_start, forecast_finish,
    days_late, workdays_late (for a line past its date: up to the later of its
    forecast and the as-of date), slack_workdays, status (``OrderStatus``
    value), reason (``LateReason`` value or None), last_ship, _src/_row (the 订单
    row, for ``ledger.table('orders').ref``).

    ``work_orders``: wo_no, key, order_no, line_no, item, qty, produced, rejects,
    yield, balance, state (工单状态 as written), line, rate, rate_source, scheduled,
    forecast_start, forecast_finish, commitment_date, plan_finish,
    material_ready (the day its last material is ready; NaT when it needs none,
    has no BOM, or a material's date is unknown), _src/_row.

    ``capacity_daily``: line, date, available_hours, scheduled_hours (the finite
    schedule), required_hours (open work laid backward from its dates, see
    ``plan.load``), utilization and required_utilization (None on a day off),
    from each line's start through the end of the planned and required work (at
    least four weeks). ``capacity_weekly``: the same per line and ISO week
    (``2026-W41``, with week_start, the Monday).

    ``overloads``: one row per line per episode: line, from, by_date (the day
    the shortfall peaks), shortfall_hours, items (``[{"item", "qty"}]``, pieces
    per item), order_keys (labels of the episode's lines forecast late).

    ``otd``: customer, month (``2026-10``), lines, on_time, rate.

    ``forecasts`` (the optional 预测 sheet, ``plan.forecast``): one row per
    customer, item and period still to come: customer, item, kind (month/week),
    period (``2026-12`` / ``2026-W49``), period_start, period_end (its due day),
    forecast_qty, firm_qty (order lines of the customer and item due in the
    period), open_qty (the soft demand, never below 0), line, rate, hours,
    forecast_start, forecast_finish (in the hours firm work leaves; NaT when it
    does not fit or has no line or rate), in_period, _src/_row (first 预测 row).
    ``capacity_daily``/``capacity_weekly`` carry its hours as ``forecast_hours``,
    beside (never inside) scheduled_hours and utilization.
    """

    as_of: date
    risk_days: int
    orders: pd.DataFrame
    work_orders: pd.DataFrame
    capacity_daily: pd.DataFrame
    capacity_weekly: pd.DataFrame
    overloads: pd.DataFrame
    otd: pd.DataFrame
    rates: pd.DataFrame  # item, line, std_rate, actual_rate, report_days
    line_yield: pd.DataFrame  # line, produced, rejects, yield (良率)
    starts: dict[str, date]  # line -> first day the schedule used
    issues: list[Issue] = field(default_factory=list)
    # Requirements, allocation, late purchases and prices; None without a BOM sheet.
    materials: MaterialPlan | None = None
    # Open customer forecasts placed as soft load (empty without a 预测 sheet).
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The scheduled jobs (open work orders and uncovered quantities) in schedule order,
    # with hours, rate, material_ready, forecast_start/finish: re-planning a line
    # with some work moved out (``plan.outsource``) starts from them.
    jobs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def alerts(self) -> pd.DataFrame:
        """Overdue, late, unschedulable and at-risk order lines, most urgent first."""
        return self.orders[self.orders["status"].isin([s.value for s in ALERT_STATUSES])]

    def status_counts(self) -> dict[str, int]:
        counts = self.orders["status"].value_counts()
        return {s.value: int(counts.get(s.value, 0)) for s in OrderStatus}

    def order(self, label: str) -> dict[str, Any]:
        """One order line by its label (``SO1-2``) as a plain dict (tests, UDFs)."""
        rows = self.orders[self.orders["label"] == label]
        if rows.empty:
            raise KeyError(label)
        return {str(k): _plain(v) for k, v in rows.iloc[0].items()}

    def to_json(self) -> dict[str, Any]:
        day_rows = self.capacity_daily.assign(period=_dates(self.capacity_daily["date"]))
        week_rows = self.capacity_weekly.assign(period=self.capacity_weekly["week"])
        return {
            "as_of": self.as_of.isoformat(),
            "orders": records(self.orders, ORDER_FIELDS),
            "work_orders": records(self.work_orders, WORK_ORDER_FIELDS),
            "capacity": records(day_rows, CAPACITY_FIELDS) + records(week_rows, CAPACITY_FIELDS),
            "overloads": records(self.overloads, OVERLOAD_FIELDS),
            "otd": records(self.otd, OTD_FIELDS),
            "forecasts": records(self.forecasts, FORECAST_FIELDS) if len(self.forecasts) else [],
        }


@dataclass
class WhatIfResult:
    """A rush order (紧急插单) scheduled into the plan.

    ``new``: the new order line's row of ``after.orders`` as a dict.
    ``moved``: every existing order line the rush order pushes (its forecast
    finish later, or none any more): key, label, order_no, line_no, customer, item,
    commitment_date, before, after, delta_days (calendar days; None when either
    side has no forecast), status_before, status_after, becomes_late,
    material_lost (its material taken: no ready date, so no finish).
    """

    as_of: date
    new: dict[str, Any]
    moved: pd.DataFrame
    before: PlanResult
    after: PlanResult

    def to_json(self) -> dict[str, Any]:
        return {
            "new": {
                "forecast_finish": _json_value(self.new.get("forecast_finish")),
                "days_late": _json_value(self.new.get("days_late")),
                "status": self.new.get("status"),
            },
            "moved": records(
                self.moved,
                ("order_no", "line_no", "before", "after", "delta_days", "becomes_late", "material_lost"),
            ),
        }


# --- JSON helpers ------------------------------------------------------------------


def _dates(series: pd.Series) -> pd.Series:
    return series.dt.strftime("%Y-%m-%d")


def _plain(value: object) -> Any:
    """A DataFrame cell as a plain Python value: NaN/NaT -> None, numpy scalars
    unwrapped, timestamps -> date."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _json_value(value: object) -> Any:
    value = _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def records(df: pd.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts with exactly ``fields``: dates ``YYYY-MM-DD``,
    blanks null, whole floats as integers."""
    if df.empty:
        return []
    cols = []
    for f in fields:
        s = df[f]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.dt.strftime("%Y-%m-%d")
        cols.append(s.astype(object).tolist())
    return [{f: _json_value(v) for f, v in zip(fields, row, strict=True)} for row in zip(*cols, strict=True)]
