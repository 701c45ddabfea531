"""外协申请单: one form per outsourcing proposal (``plan.outsource``), numbered by the
外协申请单号规则 (``WX{YYYYMMDD}{SEQ:3}``) under the ledger's journal: the same order
line with the same quantity and needed-by date keeps its number on a re-run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from gendan_xl.documents import common
from gendan_xl.documents.models import Assignment, Company, LedgerRow, _Doc
from gendan_xl.documents.numbers import source_key
from gendan_xl.documents.work_orders import Allocator
from gendan_xl.ledger import Ledger
from gendan_xl.plan import plan_ledger
from gendan_xl.plan.outsource import outsourcing_proposals


class OutsourcingRequest(_Doc):
    """One 外协申请单: what to make outside, how many, by when, and why."""

    number: str
    issue_date: date
    company: Company
    line: str  # the production line that is short
    label: str  # the order line, e.g. SO1-2
    key: str
    order_no: str
    customer: str
    item: str
    item_name: str = ""
    spec: str = ""
    unit: str = ""
    order_qty: float
    qty: float
    carton: float | None = None
    hours: float  # the in-house hours the quantity stands for
    needed_by: date
    in_house_finish: date | None = None
    forecast_finish: date | None = None  # without outsourcing
    supplier: str = ""
    shortfall_hours: float
    episode_from: date
    episode_by: date
    source: LedgerRow

    @property
    def reason(self) -> str:
        late = f"预计 {self.forecast_finish.isoformat()} 完工," if self.forecast_finish else ""
        return (
            f"产线 {self.line} 在 {self.episode_from.isoformat()} 至 {self.episode_by.isoformat()} 产能缺口 "
            f"{self.shortfall_hours:g} 小时;订单行 {self.label} {late}晚于承诺交期 {self.needed_by.isoformat()}。"
            f"外协 {self.qty:,.0f} 件(约 {self.hours:g} 工时)后,其余在厂内"
            + (f"于 {self.in_house_finish.isoformat()} 完工。" if self.in_house_finish else "不再生产。")
        )


@dataclass
class OutsourcingRun:
    docs: list[OutsourcingRequest] = field(default_factory=list)

    @property
    def assignments(self) -> list[Assignment]:
        return [
            Assignment(kind="wx", number=d.number, day=d.issue_date, customer=d.customer, order_no=d.order_no,
                       qty=d.qty, rows=[d.source])
            for d in self.docs
        ]


def build_outsourcing(
    ledger: Ledger, as_of: date, allocate: Allocator, orders: Sequence[str] = ()
) -> OutsourcingRun:
    """The 外协申请单 of every proposal (only those of ``orders`` — 订单号 or labels — when given)."""
    plan = plan_ledger(ledger, as_of)
    proposals = outsourcing_proposals(ledger, plan)
    wanted = {str(o) for o in orders}
    if wanted:
        proposals = proposals[proposals["order_no"].astype(str).isin(wanted) | proposals["order_key"].isin(wanted)]
    run = OutsourcingRun()
    if proposals.empty:
        return run
    by_key = plan.orders.drop_duplicates("key").set_index("key")
    rows = common.order_rows(ledger)
    recs = proposals.to_dict("records")
    sources = [[source_key("wx", r["key"], r["qty"], common.day(r["needed_by"]))] for r in recs]
    numbers = allocate(ledger.options.wx_pattern, as_of, len(recs), set(), sources=sources)
    company = common.company(ledger)
    for number, r in zip(numbers, recs, strict=True):
        o = by_key.loc[r["key"]]
        row = rows.loc[r["key"]] if r["key"] in rows.index else None
        needed = common.day(r["needed_by"])
        start, by = common.day(r["episode_from"]), common.day(r["episode_by"])
        assert needed is not None and start is not None and by is not None
        run.docs.append(OutsourcingRequest(
            number=number, issue_date=as_of, company=company, line=str(r["line"]), label=str(r["order_key"]),
            key=str(r["key"]), order_no=common.text(r["order_no"]), customer=common.text(r["customer"]),
            item=common.text(r["item"]), item_name=common.text(r["item_name"]),
            spec=common.text(row["spec"]) if row is not None else "",
            unit=common.text(row["unit"]) if row is not None else "",
            order_qty=float(r["order_qty"]), qty=float(r["qty"]),
            carton=float(r["carton"]) if r["carton"] == r["carton"] and r["carton"] is not None else None,
            hours=float(r["hours"]), needed_by=needed, in_house_finish=common.day(r["in_house_finish"]),
            forecast_finish=common.day(r["forecast_finish"]), supplier=common.text(r["supplier"]),
            shortfall_hours=float(r["shortfall_hours"]), episode_from=start, episode_by=by,
            source=common.ledger_row(ledger, "orders", o),
        ))
    return run


__all__ = ["OutsourcingRequest", "OutsourcingRun", "build_outsourcing"]
