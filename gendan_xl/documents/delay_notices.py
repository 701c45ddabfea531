"""交期变更通知: per customer, a letter listing each order line the plan forecasts
late, with the new date the factory proposes and the reason in a customer's words.

Every fact comes from the plan (``gendan_xl.plan``): which lines are late (status
延误 or 逾期), their forecast finish and reason code; nothing is scheduled again here.

- proposed date = the forecast finish (the as-of date when the finish is earlier:
  goods made but not yet shipped) plus 送货提前期 (setting ``delivery_lead_days``,
  default 1) working days of the order line's production line (the default
  calendar when the line is unknown), so rest days and holidays are skipped;
- reason: the plan's reason code mapped to what a customer is told: 物料 for a
  material shortage, 品质 for a quality problem, 产能 for everything else
  (capacity, no work order yet, no rate, made but waiting to ship);
- an order line the plan cannot forecast (无法排产) gets no letter line: it is listed
  as skipped with the reason, as there is no date to propose;
- numbers ``JQ{YYYYMMDD}{SEQ:3}`` (setting 交期变更通知单号规则), one per customer
  letter, journaled with the lines and proposed dates as sources: the same lines
  with the same dates get the same number again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from gendan_xl.calendar import WorkCalendar
from gendan_xl.documents import common
from gendan_xl.documents.models import (
    Assignment,
    DelayLine,
    DelayNotice,
    LedgerRow,
    WriteBackCell,
    WriteBackPlan,
)
from gendan_xl.documents.work_orders import Allocator
from gendan_xl.ledger import Ledger
from gendan_xl.model import LateReason, OrderStatus
from gendan_xl.plan import promise_date

# The plan's reason codes in the three words a customer is told.
CUSTOMER_REASON: dict[str, str] = {
    LateReason.MATERIAL_SHORTAGE.value: "物料",
    LateReason.QUALITY.value: "品质",
}
DEFAULT_REASON = "产能"
REASON_TEXT: dict[str, str] = {
    "产能": "产能:生产排期已满",
    "物料": "物料:原材料到货延迟",
    "品质": "品质:品质异常返工",
}
LATE_STATUSES = (OrderStatus.LATE.value, OrderStatus.OVERDUE.value)


def customer_reason(code: object) -> str:
    """产能 / 物料 / 品质 for a plan reason code (``LateReason`` value or None)."""
    return CUSTOMER_REASON.get(str(code), DEFAULT_REASON) if isinstance(code, str) else DEFAULT_REASON


@dataclass
class DelayRun:
    docs: list[DelayNotice] = field(default_factory=list)
    skipped: list[tuple[str, str, LedgerRow | None]] = field(default_factory=list)  # (line, why, 订单 row)

    @property
    def assignments(self) -> list[Assignment]:
        return [
            Assignment(
                kind="jq", number=d.number, day=d.issue_date, customer=d.customer.name,
                order_no="、".join(dict.fromkeys(line.order_no for line in d.lines)),
                qty=sum(line.qty for line in d.lines), rows=[line.source for line in d.lines],
                note=f"{len(d.lines)} 行订单延期",
            )
            for d in self.docs
        ]


def build_delay_notices(
    ledger: Ledger, as_of: date, allocate: Allocator, customer: str | None = None
) -> DelayRun:
    """One 交期变更通知 per customer with late order lines (only ``customer`` when
    given, a short name as in the ledger), numbered through ``allocate``."""
    from gendan_xl.documents.numbers import source_key
    from gendan_xl.plan import plan_ledger

    calendar = WorkCalendar.from_ledger(ledger)
    plan = plan_ledger(ledger, as_of, calendar=calendar)
    orders = plan.orders[plan.orders["status"].isin(LATE_STATUSES)]
    if customer is not None:
        orders = orders[orders["customer"].astype(str) == customer]
    run = DelayRun()
    if orders.empty:
        return run
    lead = ledger.options.delivery_lead_days
    rows = common.order_rows(ledger)
    by_customer: dict[str, list[DelayLine]] = {}
    for rec in orders.to_dict("records"):
        source = common.ledger_row(ledger, "orders", rec)
        label = common.text(rec["label"])
        finish = common.day(rec["forecast_finish"])
        commit = common.day(rec["commitment_date"])
        if finish is None or commit is None:
            run.skipped.append((label, "无法排产,没有可回复的新交期 / no forecast, no date to propose", source))
            continue
        row = rows.loc[rec["key"]] if rec["key"] in rows.index else None
        code = rec["reason"] if isinstance(rec["reason"], str) else ""
        words = customer_reason(code or None)
        by_customer.setdefault(common.text(rec["customer"]), []).append(DelayLine(
            label=label,
            key=str(rec["key"]),
            order_no=common.text(rec["order_no"]),
            customer_po=common.text(rec["customer_po"]),
            item=common.text(rec["item"]),
            item_name=common.text(rec["item_name"]),
            spec=common.text(row["spec"]) if row is not None else "",
            qty=float(rec["qty"]),
            unit=common.text(row["unit"]) if row is not None else "",
            original_date=commit,
            forecast_finish=finish,
            proposed_date=promise_date(calendar, finish, as_of, lead, rec["line"]),
            reason_code=code,
            reason=words,
            reason_text=REASON_TEXT[words],
            source=source,
        ))
    names = sorted(by_customer)
    if not names:
        return run
    for name in names:
        by_customer[name].sort(key=lambda ln: (ln.original_date, ln.label))
    pattern = ledger.options.jq_pattern
    sources = [[source_key("jq", ln.key, ln.proposed_date.isoformat()) for ln in by_customer[n]] for n in names]
    numbers = allocate(pattern, as_of, len(names), set(), sources=sources)
    company = common.company(ledger)
    for number, name in zip(numbers, names, strict=True):
        run.docs.append(DelayNotice(
            number=number, issue_date=as_of, customer=common.customer_info(ledger, name), company=company,
            lead_days=lead, lines=by_customer[name],
        ))
    return run


def delay_write_back(ledger: Ledger, docs: Sequence[DelayNotice]) -> WriteBackPlan:
    """The 回复交期 cells ``--write-back`` fills with the proposed dates: only empty
    ones (a 回复交期 already written is the clerk's and is left alone, with a warning),
    and only where 变更交期 is blank: 变更交期 outranks 回复交期 as the commitment
    date, so a reply date under it would change nothing and the line would stay late
    (a warning names the date to check instead)."""
    table = ledger.table("orders")
    letters = {(s.file, s.sheet): s.columns.get("promised_date", (None, None))[0] for s in table.sources}
    rows = common.order_rows(ledger)
    cells: list[WriteBackCell] = []
    problems: list[str] = []
    for doc in docs:
        for line in doc.lines:
            letter = letters.get((line.source.file, line.source.sheet))
            if letter is None:
                msg = f"「{line.source.sheet}」表没有「回复交期」列,无法写回;请先在表头加上该列"
                if msg not in problems:
                    problems.append(msg)
                continue
            changed = common.day(rows.loc[line.key, "changed_date"]) if line.key in rows.index else None
            if changed is not None:
                problems.append(
                    f"{line.source.sheet}!{letter}{line.source.row} 未写:该行已填变更交期 {changed.isoformat()},"
                    f"变更交期优先于回复交期;{line.label} 的新交期 {line.proposed_date.isoformat()} 请核对后改在变更交期"
                )
                continue
            had = common.day(rows.loc[line.key, "promised_date"]) if line.key in rows.index else None
            if had is not None:
                problems.append(
                    f"{line.source.sheet}!{letter}{line.source.row} 已有回复交期 {had.isoformat()},未改写;"
                    f"{line.label} 的新交期 {line.proposed_date.isoformat()} 请核对后手工填写"
                )
                continue
            cells.append(WriteBackCell(
                file=line.source.file, sheet=line.source.sheet, row=line.source.row, column=letter,
                value=line.proposed_date,
            ))
    return WriteBackPlan(cells=cells, problems=problems)
