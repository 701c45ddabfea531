"""外协 proposals from overloads: for each overload episode (``plan.load``), the order
lines on that line that the plan forecasts late (status 延误), and for each the
smallest quantity that, made outside, lets the rest of it finish in-house by its
commitment date.

The rule (documented in the README): the line's scheduled jobs (``PlanResult.jobs``,
in schedule order) are placed again with the plan's own scheduler
(``core.place_line``, material release days included) while the late line's
in-house quantity is reduced by ``q`` pieces, taken first from its quantity that no
work order covers, then from its work orders, the last in schedule order first.
``q`` is searched by bisection in whole cartons (产品.每箱数量; whole pieces when it
is blank), at most the line's whole in-house remainder: the smallest ``q`` with
which the in-house part finishes on or before the commitment date. Reducing a job
never makes it finish later, so the test is monotone in ``q``. Late lines of an
episode are taken in schedule order, each with the quantities proposed before it
already moved out, so the proposals together get every proposed line on time
(moving work out of one line only brings the lines behind it forward).

Lines already past their commitment date (逾期) cannot be brought back on time and
are not proposed; a line late only because an open 外协 lot comes back late needs
no further outsourcing either.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import Ledger
from gendan_xl.model import OrderStatus
from gendan_xl.plan.core import place_line, release_days
from gendan_xl.plan.result import PlanResult, records
from gendan_xl.plan.schedule import EPS, MAX_HORIZON_DAYS

PROPOSAL_FIELDS = ("line", "order_key", "item", "qty", "needed_by", "in_house_finish")
PROPOSAL_COLUMNS = [
    *PROPOSAL_FIELDS, "key", "order_no", "line_no", "customer", "item_name", "order_qty", "hours", "rate",
    "shortfall_hours", "episode_from", "episode_by", "forecast_finish", "carton", "supplier",
]


def _item_facts(ledger: Ledger) -> tuple[dict[str, float], dict[str, str]]:
    """Per item: pieces per carton (> 0 only) and the suggested 外协供应商."""
    items = ledger["items"]
    items = items[items["item"].notna() & ~items["item"].duplicated(keep="first")]
    carton = {
        str(i): float(c)
        for i, c in zip(items["item"], items["pcs_per_carton"], strict=True)
        if isinstance(c, int | float) and c == c and c > 0
    }
    supplier = {
        str(i): str(s).strip()
        for i, s in zip(items["item"], items["out_supplier"], strict=True)
        if isinstance(s, str) and s.strip()
    }
    return carton, supplier


def outsourcing_proposals(ledger: Ledger, plan: PlanResult, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """One row per proposal (``PROPOSAL_COLUMNS``), episodes in the plan's order."""
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    jobs = plan.jobs
    if plan.overloads.empty or jobs.empty:
        return pd.DataFrame(columns=PROPOSAL_COLUMNS)
    carton, supplier = _item_facts(ledger)
    orders: dict[str, dict[str, Any]] = {
        str(r["label"]): {str(k): v for k, v in r.items()} for r in plan.orders.drop_duplicates("label").to_dict("records")
    }
    ok = ~(jobs["no_line"] | jobs["no_rate"]).to_numpy() & (jobs["hours"] > 0).to_numpy()
    line_values = jobs["line"].to_numpy(dtype=object)
    out: list[dict[str, Any]] = []
    for ep in plan.overloads.to_dict("records"):
        line = str(ep["line"])
        if line not in plan.starts:
            continue
        start = plan.starts[line]
        available = calendar.hours_array(line, start, MAX_HORIZON_DAYS)
        idx = np.flatnonzero(ok & (line_values == line))
        sub = jobs.iloc[idx].reset_index(drop=True)
        hours = sub["hours"].to_numpy(dtype="float64").copy()
        rate = sub["rate"].to_numpy(dtype="float64")
        release = release_days(sub["material_ready"].to_numpy(dtype="datetime64[ns]"), start)
        if "release" in sub:  # rework (品质异常 返工) waits for its 预计完成, as in the plan
            release = np.maximum(release, release_days(sub["release"].to_numpy(dtype="datetime64[ns]"), start))
        keys = sub["key"].to_numpy(dtype=object)
        # The episode's lines forecast late (not those past due), in schedule order.
        first_job: dict[str, int] = {}
        for label in ep["order_keys"]:
            o = orders.get(str(label))
            if o is not None and o["status"] == OrderStatus.LATE.value and (keys == o["key"]).any():
                first_job[str(label)] = int(np.flatnonzero(keys == o["key"])[0])
        for label in sorted(first_job, key=first_job.__getitem__):
            o = orders[label]
            proposal = _smallest_qty(o, sub, hours, rate, available, release, start, carton)
            if proposal is None:
                continue
            qty, finish, new_hours = proposal
            hours = new_hours  # the next line's search starts with this one moved out
            item = str(o["item"])
            line_rate = float(rate[keys == o["key"]][0])
            out.append(
                {
                    "line": line,
                    "order_key": label,
                    "item": item,
                    "qty": qty,
                    "needed_by": o["commitment_date"],
                    "in_house_finish": finish,
                    "key": o["key"],
                    "order_no": o["order_no"],
                    "line_no": o["line_no"],
                    "customer": o["customer"],
                    "item_name": o["item_name"],
                    "order_qty": o["qty"],
                    "hours": round(qty / line_rate, 1),
                    "rate": line_rate,
                    "shortfall_hours": ep["shortfall_hours"],
                    "episode_from": ep["from"],
                    "episode_by": ep["by_date"],
                    "forecast_finish": o["forecast_finish"],
                    "carton": carton.get(item),
                    "supplier": supplier.get(item),
                }
            )
    df = pd.DataFrame(out, columns=PROPOSAL_COLUMNS)
    for col in ("needed_by", "in_house_finish", "episode_from", "episode_by", "forecast_finish"):
        df[col] = pd.to_datetime(df[col])
    return df


def _reduced(hours: np.ndarray, rate: np.ndarray, mine: np.ndarray, from_wo: np.ndarray, qty: float) -> np.ndarray:
    """``hours`` with ``qty`` pieces taken off the jobs ``mine`` (positions): the
    uncovered quantity first, then work orders, the last in schedule order first."""
    out = hours.copy()
    order = sorted(mine.tolist(), key=lambda p: (bool(from_wo[p]), -p))
    left = qty
    for p in order:
        if left <= EPS:
            break
        pieces = out[p] * rate[p]
        take = min(pieces, left)
        out[p] = max((pieces - take) / rate[p], 0.0)
        left -= take
    return out


def _smallest_qty(
    o: dict[str, Any],
    sub: pd.DataFrame,
    hours: np.ndarray,
    rate: np.ndarray,
    available: np.ndarray,
    release: np.ndarray,
    start: date,
    carton: dict[str, float],
) -> tuple[float, pd.Timestamp | None, np.ndarray] | None:
    """The smallest quantity (whole cartons, at most the in-house remainder) that
    lets ``o``'s in-house part finish by its commitment date; its in-house finish
    (None when all of it goes out) and the line's hours with it moved out."""
    commit = o["commitment_date"]
    if pd.isna(commit):
        return None
    due = int((np.datetime64(pd.Timestamp(commit).date(), "D") - np.datetime64(start, "D")).astype(np.int64))
    if due < 0:
        return None
    mine = np.flatnonzero(sub["key"].to_numpy(dtype=object) == o["key"])
    from_wo = sub["from_wo"].to_numpy(dtype=bool)
    remainder = float((hours[mine] * rate[mine]).sum())
    if remainder <= EPS:
        return None

    def finish(h: np.ndarray) -> int | None:
        """Last day (index) of the line's remaining in-house jobs; None when none is
        left; a very large day when one does not fit in the horizon."""
        live = mine[h[mine] > EPS]
        if not len(live):
            return None
        placed = place_line(np.maximum(h, 0.0), available, release)
        last = placed.last_day[live]
        return 10**9 if (last < 0).any() else int(last.max())

    def on_time(q: float) -> bool:
        day = finish(_reduced(hours, rate, mine, from_wo, q))
        return day is None or day <= due

    if on_time(0.0):
        return None  # late for another reason (an open 外协 lot): moving more out does not help
    unit = carton.get(str(o["item"])) or 1.0
    n_max = math.ceil(remainder / unit - 1e-9)
    lo, hi = 0, n_max  # on_time(lo * unit) is False, on_time(hi) is True (nothing left in-house)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if on_time(min(mid * unit, remainder)):
            hi = mid
        else:
            lo = mid
    qty = min(hi * unit, remainder)
    new_hours = _reduced(hours, rate, mine, from_wo, qty)
    day = finish(new_hours)
    fin = None if day is None else pd.Timestamp(np.datetime64(start, "D") + day)
    return (int(qty) if float(qty).is_integer() else round(qty, 4)), fin, new_hours


def proposals_json(plan: PlanResult, proposals: pd.DataFrame) -> dict[str, Any]:
    """The ``gendan outsource --json`` object."""
    return {"as_of": plan.as_of.isoformat(), "proposals": records(proposals, PROPOSAL_FIELDS)}


__all__ = ["PROPOSAL_COLUMNS", "PROPOSAL_FIELDS", "outsourcing_proposals", "proposals_json"]
