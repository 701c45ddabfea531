"""插单说明: what a rush order does to the plan, for the rush-order meeting, and the
overtime that would avoid every slip.

The figures come from the what-if (``plan.whatif``): the rush order's forecast
finish, and each order line it pushes with its finish before and after. Nothing is
scheduled by hand here; the overtime is found by running the same what-if on a
calendar with overtime added.

The overtime rule (one rule, stated on the sheet):

- a pushed line *slips* when its new finish is after the later of its old forecast
  finish and its commitment date (or it can no longer be scheduled): a push that
  stays within the commitment date is not a slip;
- the window is the rush order's line's working days from the first day its
  schedule uses through the earliest date a slipping line must finish by (the
  later of its old finish and its commitment date), both included;
- the overtime is one amount of hours added to every working day of the window, in
  steps of ``STEP_HOURS``, the smallest such amount with which the what-if shows no
  slipping line, at most the 每日加班上限 setting (``max_overtime_hours``, default 3);
- hours are the plan's hours (the same measure as the line's available hours, i.e.
  after the line's 效率), so an hour of overtime makes an hour of planned work;
- when even the cap leaves a line slipping, the sheet says so and names the lines:
  no overtime within the cap avoids the slip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from gendan_xl.calendar import WorkCalendar, holidays_enabled
from gendan_xl.ledger import Ledger
from gendan_xl.plan.core import whatif
from gendan_xl.plan.result import WhatIfResult

STEP_HOURS = 0.5


@dataclass(frozen=True)
class PushedLine:
    """An order line the rush order moves."""

    key: str
    label: str
    customer: str
    item: str
    commitment_date: date | None
    before: date | None  # forecast finish without the rush order
    after: date | None  # with it (None: cannot be scheduled any more)
    delta_days: int | None  # calendar days later
    becomes_late: bool
    target: date | None  # must finish by: the later of ``before`` and the commitment date
    slips: bool  # finishes after ``target`` with the rush order
    material_lost: bool = False  # the rush order takes its material: no ready date any more


@dataclass(frozen=True)
class Overtime:
    """The overtime on the rush order's line that avoids every slip (see the module)."""

    line: str | None
    cap: float  # hours per working day at most (每日加班上限)
    days: tuple[date, ...] = ()  # the working days of the window
    normal_hours: tuple[float, ...] = ()  # the line's available hours on each of ``days`` without overtime
    hours_per_day: float | None = None  # None: nothing within the cap avoids the slips
    needed: bool = False  # some pushed line slips without overtime
    still_late: tuple[str, ...] = ()  # lines that slip even at the cap
    rush_finish: date | None = None  # the rush order's finish with the overtime

    @property
    def total_hours(self) -> float | None:
        return None if self.hours_per_day is None else self.hours_per_day * len(self.days)


@dataclass(frozen=True)
class RushBrief:
    """Everything the 插单说明 sheet shows."""

    as_of: date
    item: str
    item_name: str
    qty: float
    due: date
    priority: str
    line: str | None
    rate: float | None  # pcs per hour on its line
    finish: date | None
    status: str
    days_late: int | None
    pushed: list[PushedLine] = field(default_factory=list)
    overtime: Overtime | None = None
    company: str = ""

    @property
    def rush_hours(self) -> float | None:
        """Hours of work the rush order puts on its line (qty / rate)."""
        return self.qty / self.rate if self.rate else None


def _day(value: object) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, date) else None


def pushed_lines(result: WhatIfResult) -> list[PushedLine]:
    """The what-if's moved lines with their target and whether they slip."""
    out = []
    for rec in result.moved.to_dict("records"):
        before, after, commit = _day(rec["before"]), _day(rec["after"]), _day(rec["commitment_date"])
        target = max(before, commit) if before and commit else before or commit
        slips = target is not None and (after is None or after > target)
        delta = rec["delta_days"]
        out.append(PushedLine(
            key=str(rec["key"]), label=str(rec["label"]), customer=str(rec["customer"] or ""),
            item=str(rec["item"]), commitment_date=commit, before=before, after=after,
            delta_days=None if pd.isna(delta) else int(delta),
            becomes_late=bool(rec["becomes_late"]), target=target, slips=slips,
            material_lost=bool(rec.get("material_lost", False)),
        ))
    return out


def _overtime_calendar(ledger: Ledger, line: str, days: tuple[date, ...], normal: tuple[float, ...],
                       hours: float) -> WorkCalendar:
    """The ledger's calendar with ``hours`` more on ``line`` on each of ``days``
    (whose hours without overtime are ``normal``)."""
    extra = pd.DataFrame({
        "date": [pd.Timestamp(d) for d in days],
        "line": [line] * len(days),
        "kind": ["工作"] * len(days),
        "hours": [h + hours for h in normal],
    })
    base = ledger["calendar"]
    rows = extra if base is None or not len(base) else pd.concat(
        [base[["date", "line", "kind", "hours"]], extra], ignore_index=True
    )
    return WorkCalendar(ledger["lines"], rows, use_holidays=holidays_enabled(ledger.setting("holidays", "是")))


def rush_overtime(
    ledger: Ledger, result: WhatIfResult, item: str, qty: float, due: date, *,
    line: str | None = None, priority: str = "特急", cap: float | None = None,
    calendar: WorkCalendar | None = None,
) -> Overtime:
    """The smallest overtime per working day on the rush order's line (steps of
    ``STEP_HOURS``, at most ``cap``) with which no pushed line slips (module rule)."""
    cap = ledger.options.max_overtime_hours if cap is None else cap
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    on = result.new.get("line")
    on = str(on) if isinstance(on, str) and on in calendar else None
    # Overtime cannot bring material: a line whose material the rush order takes is
    # listed on the sheet, not counted here.
    slipping = [p for p in pushed_lines(result) if p.slips and not p.material_lost]
    if not slipping:
        return Overtime(line=on, cap=cap)
    if on is None:
        return Overtime(line=None, cap=cap, needed=True, still_late=tuple(p.label for p in slipping))
    start = result.after.starts.get(on, result.as_of)
    end = min(p.target for p in slipping if p.target is not None)
    n = (end - start).days + 1
    days = tuple(d.date() for d in pd.date_range(start, periods=max(n, 0)) if calendar.is_workday(on, d))
    normal = tuple(calendar.hours(on, d) for d in days)
    keys = {p.key: p for p in slipping}

    def attempt(hours: float) -> tuple[list[str], date | None]:
        cal = _overtime_calendar(ledger, on, days, normal, hours)
        run = whatif(ledger, item, qty, due, result.as_of, line=line, priority=priority, calendar=cal)
        after = run.after.orders.set_index("key")["forecast_finish"]
        late = []
        for key, p in keys.items():
            f = _day(after.get(key))
            if p.target is not None and (f is None or f > p.target):
                late.append(p.label)
        return late, _day(run.new.get("forecast_finish"))

    steps = math.floor(cap / STEP_HOURS + 1e-9)
    if not days or steps <= 0:
        return Overtime(line=on, cap=cap, days=days, normal_hours=normal, needed=True,
                        still_late=tuple(p.label for p in slipping))
    late, finish = attempt(steps * STEP_HOURS)
    if late:
        return Overtime(line=on, cap=cap, days=days, normal_hours=normal, needed=True, still_late=tuple(late))
    lo, hi, best = 0, steps, finish  # lo fails (no overtime slips), hi works
    while hi - lo > 1:
        mid = (lo + hi) // 2
        late, finish = attempt(mid * STEP_HOURS)
        if late:
            lo = mid
        else:
            hi, best = mid, finish
    return Overtime(line=on, cap=cap, days=days, normal_hours=normal, hours_per_day=hi * STEP_HOURS, needed=True,
                    rush_finish=best)


def rush_brief(
    ledger: Ledger, result: WhatIfResult, item: str, qty: float, due: date, *,
    line: str | None = None, priority: str = "特急", calendar: WorkCalendar | None = None,
) -> RushBrief:
    """The 插单说明 of a what-if already run (``result``) for these inputs."""
    items = ledger["items"]
    names = items.loc[items["item"] == item, "item_name"].dropna()
    new = result.new
    rate = new.get("rate")
    days_late = new.get("days_late")
    company = ledger.setting("company_name", "")
    return RushBrief(
        as_of=result.as_of, item=item, item_name=str(names.iloc[0]) if len(names) else "", qty=float(qty),
        due=due, priority=priority, line=new.get("line") if isinstance(new.get("line"), str) else None,
        rate=float(rate) if isinstance(rate, int | float) and rate == rate and rate > 0 else None,
        finish=_day(new.get("forecast_finish")), status=str(new.get("status") or ""),
        days_late=None if days_late is None else int(days_late),
        pushed=pushed_lines(result),
        overtime=rush_overtime(ledger, result, item, qty, due, line=line, priority=priority, calendar=calendar),
        company=str(company or ""),
    )
