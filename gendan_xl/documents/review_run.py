"""``gendan review`` as one run (the CLI and the ribbon call it): read -> check ->
review (``plan.review``) -> with ``write_back``, fill 回复交期 -> the 订单评审表.

With ``write_back`` the run holds the ledger's lock (``documents.run``) from
reading to the end of the patch, refuses (exit 3) while the 订单 file is open in
Excel, and patches only the 回复交期 cells of the lines judged 可按期 (their 交期:
the date the customer asked for, which the plan keeps) or 需协商 (the proposed
date), after checking the file is the one read and each target cell still empty;
a dated backup is written first. 无法排产 lines are left blank. Without it the
ledger is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gendan_xl.documents.models import WriteBackCell, WriteBackPlan
from gendan_xl.documents.run import ledger_sink, locked_ledger
from gendan_xl.engine import CheckResult, check_ledger
from gendan_xl.files import ledger_parts, refuse_inputs, write_output
from gendan_xl.ledger import Ledger
from gendan_xl.model import Issue, LedgerError, Severity
from gendan_xl.plan.review import ReviewResult, review_orders
from gendan_xl.read import read_ledger
from gendan_xl.write.patch import WriteBackResult
from gendan_xl.write.review_book import write_review


@dataclass
class ReviewRun:
    result: ReviewResult
    errors: int  # data errors in the ledger (the review is still made from what could be read)
    sheet: Path | None = None
    written_back: list[WriteBackResult] = field(default_factory=list)
    filled: list[tuple[str, str, date]] = field(default_factory=list)  # (order line, cell, date)
    warnings: list[str] = field(default_factory=list)


def review_write_back(
    ledger: Ledger, result: ReviewResult, issues: Sequence[Issue] = ()
) -> tuple[WriteBackPlan, list[tuple[str, str, date]]]:
    """The 回复交期 cells to fill: one per line with a reply date whose 订单 row has no
    error (``issues``: the ledger's check; a line with one is left, with a warning)."""
    table = ledger.table("orders")
    bad_rows = {(i.ref.file, i.ref.sheet, i.ref.row) for i in issues if i.severity == Severity.ERROR}
    cells: list[WriteBackCell] = []
    filled: list[tuple[str, str, date]] = []
    problems: list[str] = []
    for line in result.lines:
        if line.reply_date is None:
            continue
        ref = table.ref(line.src, line.row, "promised_date")
        if (ref.file, ref.sheet, ref.row) in bad_rows:
            problems.append(f"未写回 {line.key} 的回复交期:「{ref.sheet}」第 {ref.row} 行有错误,请先修正(gendan check)")
            continue
        if ref.column is None:
            problems.append(f"「{ref.sheet}」表没有「回复交期」列,无法写回 {line.key} 的交期;请先加上这一列")
            continue
        cells.append(WriteBackCell(file=ref.file, sheet=ref.sheet, row=line.row, column=ref.column,
                                   value=line.reply_date))
        filled.append((line.key, f"{ref.sheet}!{ref.column}{line.row}", line.reply_date))
    return WriteBackPlan(cells=cells, problems=list(dict.fromkeys(problems))), filled


def _review(ledger: Ledger, as_of: date, since: date | None) -> tuple[ReviewResult, CheckResult]:
    checked = check_ledger(ledger, as_of)
    return review_orders(ledger, as_of, since), checked


def run_review(
    target: Path,
    as_of: date,
    since: date | None = None,
    *,
    write_back: bool = False,
    sheet: Path | None = None,
    wait: float | None = None,
    ledger: Ledger | None = None,
) -> ReviewRun:
    """Review ``target``'s new order lines; ``sheet``: write the 订单评审表 there."""
    if since is not None and since > as_of:
        raise LedgerError(
            "--since", f"起始日期 {since} 晚于评审日期 {as_of}", f"--since {since} is after the as-of date {as_of}"
        )
    if sheet is not None:  # before reading: a typo must not cost a long read
        refuse_inputs(sheet, ledger_parts(target))
    if write_back:
        with locked_ledger(target, wait) as session:
            ledger = ledger or read_ledger(session.real, as_of)
            sink = ledger_sink(session, ledger, "orders", True, None)
            assert sink is not None  # write_back: a file patch
            result, checked = _review(ledger, as_of, since)
            plan, filled = review_write_back(ledger, result, checked.issues)
            run = ReviewRun(result, checked.count(Severity.ERROR), warnings=list(plan.problems))
            if plan.cells:
                run.written_back = sink.apply(plan)  # backups pruned by the sink
                run.filled = filled
    else:
        ledger = ledger or read_ledger(target, as_of)
        result, checked = _review(ledger, as_of, since)
        run = ReviewRun(result, checked.count(Severity.ERROR))
    if sheet is not None:
        company = str(ledger.options.company_name or "")
        run.sheet = write_output(sheet, lambda p: write_review(p, result, company))
    return run


__all__ = ["ReviewRun", "review_write_back", "run_review"]
