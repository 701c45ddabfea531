"""Planning (DESIGN §5): progress, the finite-capacity schedule per line,
lateness and status per order line, line load and overloads, OTD, and the
rush-order what-if.

    from gendan_xl.plan import plan_ledger, whatif
    result = plan_ledger(ledger, as_of)          # PlanResult
    result.alerts()                              # late / overdue / at-risk lines first
    result.to_json()                             # the `gendan plan --json` object
    whatif(ledger, "P001", 500, due, as_of)      # WhatIfResult

Modules: ``progress`` (produced / shipped / balance, rates, line starts),
``schedule`` (the vectorised forward schedule of one line), ``core`` (the
stage itself), ``result`` (result objects and their JSON).
"""

from gendan_xl.plan.core import DEFAULT_RISK_DAYS, plan_ledger, risk_days_setting, whatif
from gendan_xl.plan.result import ALERT_STATUSES, SEVERITY_RANK, PlanResult, WhatIfResult
from gendan_xl.plan.schedule import MAX_HORIZON_DAYS, Placement, forward_schedule

__all__ = [
    "ALERT_STATUSES",
    "DEFAULT_RISK_DAYS",
    "MAX_HORIZON_DAYS",
    "SEVERITY_RANK",
    "Placement",
    "PlanResult",
    "WhatIfResult",
    "forward_schedule",
    "plan_ledger",
    "risk_days_setting",
    "whatif",
]
