"""客诉处理单: one form per complaint of the 客诉 sheet, to pass a complaint to the
responsible department and collect its cause analysis and corrective action.

The form's number is the complaint's own 客诉编号 (no numbering of its own, nothing is
written into the ledger). By default the open complaints (状态 not 已结案) are printed,
oldest first; given 客诉编号 print those, whatever their state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from gendan_xl.complaints import complaint_table
from gendan_xl.documents import common
from gendan_xl.documents.models import Company, LedgerRow, _Doc
from gendan_xl.ledger import Ledger
from gendan_xl.schema import COMPLAINT_OPEN


class ComplaintForm(_Doc):
    """One 客诉处理单: the complaint as registered, and its state on the print date."""

    number: str  # the 客诉编号
    print_date: date
    company: Company
    complaint_date: date | None = None  # 日期 of the complaint
    customer: str
    customer_full: str = ""
    contact: str = ""  # 联系人 and 电话 from 客户
    order_no: str = ""
    customer_po: str = ""
    item: str = ""
    item_name: str = ""
    spec: str = ""
    unit: str = ""
    problem: str = ""
    qty: float | None = None
    dept: str = ""
    action: str = ""
    status: str = COMPLAINT_OPEN
    closed_date: date | None = None
    days_open: int | None = None  # to the print date, or to 结案日期 once closed
    source: LedgerRow


@dataclass
class ComplaintFormRun:
    docs: list[ComplaintForm] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # 客诉编号 asked for that the sheet does not have


def build_complaint_forms(ledger: Ledger, as_of: date, numbers: Sequence[str] = ()) -> ComplaintFormRun:
    """The 客诉处理单 of the open complaints, or of the complaints ``numbers`` name."""
    t = complaint_table(ledger, as_of)
    t = t[t["complaint_no"].notna()]
    run = ComplaintFormRun()
    wanted = [str(n).strip() for n in numbers]
    if wanted:
        have = set(t["complaint_no"].astype(str))
        run.unknown = [n for n in dict.fromkeys(wanted) if n not in have]
        t = t[t["complaint_no"].astype(str).isin(set(wanted))]
    else:
        t = t[t["open"]]
    t = t.sort_values(["date", "complaint_no"], kind="stable", na_position="last")
    company = common.company(ledger)
    customers = common.customers(ledger)
    for r in t.to_dict("records"):
        name = common.text(r["customer"])
        info = customers.get(name)
        contact = " ".join(x for x in (info.contact, info.phone) if x) if info else ""
        days = common.number(r["days_open"])
        run.docs.append(ComplaintForm(
            number=common.text(r["complaint_no"]), print_date=as_of, company=company,
            complaint_date=common.day(r["date"]),
            customer=name, customer_full=info.full_name if info else "", contact=contact,
            order_no=common.text(r["order_no"]), customer_po=common.text(r["customer_po"]),
            item=common.text(r["item"]), item_name=common.text(r["item_name"]), spec=common.text(r["spec"]),
            unit=common.text(r["unit"]), problem=common.text(r["problem"]), qty=common.number(r["qty"]),
            dept=common.text(r["dept"]), action=common.text(r["action"]),
            status=common.text(r["status"]) or COMPLAINT_OPEN, closed_date=common.day(r["closed_date"]),
            days_open=int(days) if days is not None else None,
            source=common.ledger_row(ledger, "complaints", r),
        ))
    return run


__all__ = ["ComplaintForm", "ComplaintFormRun", "build_complaint_forms"]
