"""The one engine behind the CLI, the ribbon and batch runs: read -> check
(-> plan -> write, in their own modules). Each entry point returns data plus
issues; callers decide how to show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gendan_xl.checks import run_checks
from gendan_xl.ledger import Ledger
from gendan_xl.model import Issue, Lang, Severity, sort_issues
from gendan_xl.read import read_ledger

if TYPE_CHECKING:
    from gendan_xl.plan import PlanResult
    from gendan_xl.write.report_data import ReportData


@dataclass
class CheckResult:
    ledger: Ledger
    as_of: date
    issues: list[Issue]

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity == severity)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == Severity.ERROR for i in self.issues)

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "ledger": self.ledger.name,
            "as_of": self.as_of.isoformat(),
            "stats": {
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "infos": self.count(Severity.INFO),
                "rows": self.ledger.row_counts,
            },
            "issues": [i.to_json(lang) for i in self.issues],
        }


def check_ledger(ledger: Ledger, as_of: date) -> CheckResult:
    """Run the checks; the order book is derived among them (once; every later stage
    reads it)."""
    issues = sort_issues(ledger.issues + run_checks(ledger, as_of))
    return CheckResult(ledger, as_of, issues)


def report_data(ledger: Ledger, checked: CheckResult, as_of: date, plan: PlanResult | None = None) -> ReportData:
    """Plan the ledger (unless ``plan`` is the ledger's plan at ``as_of`` already) and
    gather what the report shows (the check's and the plan's issues together, each once)."""
    from gendan_xl.plan import plan_ledger
    from gendan_xl.write.report_data import build_report_data

    plan = plan or plan_ledger(ledger, as_of)
    seen = {(i.code, i.ref, i.value) for i in checked.issues}
    extra = [i for i in plan.issues if (i.code, i.ref, i.value) not in seen]
    return build_report_data(ledger, plan, sort_issues(checked.issues + extra), as_of)


def check(target: Path, as_of: date) -> CheckResult:
    """Read and check a ledger (a workbook, or a folder / gendan.toml)."""
    return check_ledger(read_ledger(target, as_of), as_of)
