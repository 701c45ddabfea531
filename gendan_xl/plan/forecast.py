"""Customer forecasts as soft load: a second pass after the firm schedule.

Firm work (every open work order and uncovered order line) is scheduled first,
exactly as without a 预测 sheet. The open forecast of each customer, item and
period (``gendan_xl.forecasts.forecast_demand``: what firm orders have not
consumed) then goes into the hours the firm schedule left over on the item's
line, at the lowest priority: forecasts in order of their period's end, none
started before its period begins (or the line's first day), due at the end of
its period. So a forecast can never take an hour a firm job uses, and no firm
forecast finish, status or lateness changes. Rates are the ones firm work uses
(the recent actual rate of the item on the line, else 标准产能); materials are
not considered for forecasts; forecast load is not part of the required load,
so it never makes an overload episode.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.forecasts import DEMAND_COLUMNS, forecast_demand
from gendan_xl.ledger import Ledger
from gendan_xl.plan.load import LineLoad
from gendan_xl.plan.schedule import EPS, index_to_dates, release_schedule

FORECAST_COLUMNS = [
    *DEMAND_COLUMNS[:-2], "line", "rate", "hours", "forecast_start", "forecast_finish", "in_period",
    *DEMAND_COLUMNS[-2:],
]


def plan_forecasts(
    ledger: Ledger,
    as_of: date,
    item_line: pd.Series,
    rate_of: Callable[[pd.Series, pd.Series], np.ndarray],
    calendar: WorkCalendar,
    loads: dict[str, LineLoad],
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """(one row per open forecast with its line, rate, hours and placement; forecast
    hours per line and day on the days of each ``LineLoad``).

    ``rate_of(items, lines) -> rates`` is the firm schedule's rate lookup."""
    hours_by_line = {line: np.zeros(len(load.available), dtype=np.float64) for line, load in loads.items()}
    demand = forecast_demand(ledger, as_of, known_items=set(map(str, item_line.index)))
    if demand.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS), hours_by_line
    line = demand["item"].map(item_line)
    rate = np.asarray(rate_of(demand["item"], line), dtype=np.float64)
    has_rate = rate > 0
    hours = np.where(has_rate, demand["open_qty"].to_numpy(dtype=np.float64) / np.where(has_rate, rate, 1.0), np.nan)
    first = np.full(len(demand), np.datetime64("NaT"), dtype="datetime64[ns]")
    last = first.copy()
    line_values = line.to_numpy(dtype=object)
    period_start = demand["period_start"].to_numpy(dtype="datetime64[D]")
    for name in calendar.lines:
        load = loads.get(name)
        if load is None:
            continue
        idx = np.flatnonzero((line_values == name) & has_rate & (hours > EPS))
        if not len(idx):
            continue
        leftover = np.clip(load.available - load.scheduled, 0.0, None)
        leftover[leftover < EPS] = 0.0
        release = np.clip((period_start[idx] - np.datetime64(load.start, "D")).astype(np.int64), 0, None)
        placed = release_schedule(hours[idx], leftover, release)
        first[idx] = index_to_dates(load.start, placed.first_day)
        last[idx] = index_to_dates(load.start, placed.last_day)
        hours_by_line[name] = np.minimum(placed.scheduled, leftover)
    out = demand.assign(
        line=line.to_numpy(dtype=object),
        rate=np.where(has_rate, rate, np.nan),
        hours=hours,
        forecast_start=first,
        forecast_finish=last,
    )
    out["in_period"] = (out["forecast_finish"] <= out["period_end"]) | (out["open_qty"] <= 0)
    return out[FORECAST_COLUMNS], hours_by_line
