"""Planning (DESIGN §5): progress, the finite-capacity schedule per line,
lateness and status per order line, line load and overloads, OTD, and the
rush-order what-if.

    from gendan_xl.plan import plan_ledger, whatif
    result = plan_ledger(ledger, as_of)          # PlanResult
    result.alerts()                              # late / overdue / at-risk lines first
    result.to_json()                             # the `gendan plan --json` object
    whatif(ledger, "P001", 500, due, as_of)      # WhatIfResult

Modules: ``progress`` (line starts, recent reports, rates; the totals come from
the order book), ``schedule`` (the vectorised forward schedule of one line),
``load`` (available, scheduled and required load, overload episodes), ``core``
(the stage itself), ``result`` (result objects and their JSON).
"""

from gendan_xl.plan.core import PlanInputError, plan_ledger, promise_date, whatif
from gendan_xl.plan.result import ALERT_STATUSES, SEVERITY_RANK, PlanResult, WhatIfResult
from gendan_xl.plan.schedule import MAX_HORIZON_DAYS, Placement, forward_schedule

__all__ = [
    "ALERT_STATUSES",
    "MAX_HORIZON_DAYS",
    "SEVERITY_RANK",
    "Placement",
    "PlanInputError",
    "PlanResult",
    "WhatIfResult",
    "forward_schedule",
    "plan_ledger",
    "promise_date",
    "whatif",
]
