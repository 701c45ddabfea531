"""试样通知单: one form per 样品 row not yet sent (送样日期 blank, no answer yet), to
engineering, production and QC, numbered by the 试样通知单号规则
(``YP{YYYYMMDD}{SEQ:3}``) under the ledger's journal.

A row whose 样品单号 is filled keeps the clerk's number (nothing is allocated); a row
without one gets a number whose journal source is the row's customer, item, qty and
要求日期 (with a count for identical rows), so the same rows get the same numbers on a
re-run and ``reissue`` voids and renumbers them. ``--write-back`` puts the new number
into the empty 样品单号 cell (``sample_write_back``). States: ``gendan_xl.samples``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gendan_xl.documents import common
from gendan_xl.documents.models import (
    Assignment,
    Company,
    LedgerRow,
    WriteBackCell,
    WriteBackPlan,
    _Doc,
)
from gendan_xl.documents.numbers import source_key
from gendan_xl.documents.work_orders import Allocator
from gendan_xl.ledger import Ledger
from gendan_xl.model import Issue, Severity
from gendan_xl.samples import sample_states

TO_SEND = ("not_sent", "overdue")  # states of a row still to be made and sent


class SampleNotice(_Doc):
    """One 试样通知单: which sample to make, how many, by when, for whom."""

    number: str
    issue_date: date
    company: Company
    given: bool = False  # the number is the clerk's own 样品单号 (nothing allocated)
    customer: str
    customer_full: str = ""
    item: str
    item_name: str = ""
    spec: str = ""
    unit: str = ""
    customer_item: str = ""  # 产品.客户料号
    mold_no: str = ""  # 产品.模具号
    quality_std: str = ""  # 产品.品质标准
    qty: float | None = None
    required_date: date | None = None
    remark: str = ""
    source: LedgerRow  # the 样品 row

    @property
    def days_overdue(self) -> int | None:
        """Days 要求日期 lies before the issue date (None when not past)."""
        if self.required_date is None:
            return None
        late = (self.issue_date - self.required_date).days
        return late if late > 0 else None


@dataclass
class SampleRun:
    docs: list[SampleNotice] = field(default_factory=list)
    skipped: list[tuple[str, str, LedgerRow | None]] = field(default_factory=list)  # (what, why, row)
    unknown: list[str] = field(default_factory=list)  # --sample numbers no row to send has

    @property
    def assignments(self) -> list[Assignment]:
        return [
            Assignment(kind="yp", number=d.number, day=d.issue_date, customer=d.customer, qty=d.qty or 0.0,
                       rows=[d.source], note=f"产品 {d.item}" + ("(台账原有单号)" if d.given else ""))
            for d in self.docs
        ]


def sample_source(customer: str, item: str, qty: float | None, required: date | None, n: int) -> str:
    """The journal source of a 样品 row without a 样品单号 (``n`` counts identical rows)."""
    return source_key("yp", customer, item, "" if qty is None else f"{qty:g}",
                      required.isoformat() if required else "", n)


def build_sample_notices(
    ledger: Ledger, as_of: date, allocate: Allocator, samples: Sequence[str] = (),
    earlier: Mapping[str, str] | None = None, problems: Sequence[Issue] = (),
) -> SampleRun:
    """The 试样通知单 of every 样品 row still to send (only ``samples`` — 样品单号, or
    the YP number the journal gave a row without one (``earlier``: source -> number) —
    when given), in sheet order. A row with an error among ``problems`` (the ledger's
    check) is skipped with the first error as the reason, as the work orders do."""
    errors: dict[tuple[str, str, int], str] = {}
    for issue in problems:
        if issue.severity == Severity.ERROR and issue.ref.row is not None:
            errors.setdefault((issue.ref.file, issue.ref.sheet, issue.ref.row),
                              f"{issue.ref.cell} {issue.message('zh')}")
    run = SampleRun()
    df = ledger["samples"]
    if df.empty:
        run.unknown = list(samples)
        return run
    states = sample_states(ledger, as_of)
    items = common.items(ledger)
    customers = common.customers(ledger)
    wanted = {s.strip() for s in samples if s.strip()}
    seen: dict[str, int] = {}
    picked: list[tuple[dict[Any, Any], str | None, str]] = []  # (row, clerk's number, source)
    for rec in states.to_dict("records"):
        customer, item = common.text(rec["customer"]), common.text(rec["item"])
        qty, required = common.number(rec["qty"]), common.day(rec["required_date"])
        given = common.text(rec["sample_no"]) or None
        src = sample_source(customer, item, qty, required, 0)
        if given is None:
            n = seen.get(src, 0)
            seen[src] = n + 1
            src = sample_source(customer, item, qty, required, n)
        if rec["state"] not in TO_SEND:
            continue
        mine = given if given is not None else (earlier or {}).get(src)
        if wanted and mine not in wanted:
            continue
        row = common.ledger_row(ledger, "samples", rec)
        what = f"{given}({row.address})" if given else row.address
        error = errors.get((row.file, row.sheet, row.row))
        if error is not None:
            run.skipped.append((what, f"样品行有错误,请先修正:{error}", row))
            continue
        if not customer or not item:
            run.skipped.append((what, "客户或产品编码空白 / no customer or item", row))
            continue
        picked.append((rec, given, src))
    shown = {given for _r, given, _s in picked if given} | {
        (earlier or {}).get(src) for _r, given, src in picked if not given
    }
    run.unknown = sorted(wanted - {n for n in shown if n})
    fresh = [src for _rec, given, src in picked if given is None]
    existing = {common.text(v) for v in df["sample_no"].dropna()}
    numbers = iter(allocate(ledger.options.yp_pattern, as_of, len(fresh), existing, sources=[[s] for s in fresh]))
    company = common.company(ledger)
    for rec, given, _src in picked:
        item = common.text(rec["item"])
        info = items.loc[item] if item in items.index else None

        def of_item(column: str, info: object = info) -> str:
            return common.text(info[column]) if info is not None else ""  # type: ignore[index]

        customer = common.text(rec["customer"])
        full = customers[customer].full_name if customer in customers else ""
        run.docs.append(SampleNotice(
            number=given or next(numbers), issue_date=as_of, company=company, given=given is not None,
            customer=customer, customer_full=full, item=item, item_name=of_item("item_name"),
            spec=of_item("spec"), unit=of_item("unit"), customer_item=of_item("customer_item"),
            mold_no=of_item("mold_no"), quality_std=of_item("quality_std"), qty=common.number(rec["qty"]),
            required_date=common.day(rec["required_date"]), remark=common.text(rec["remark"]),
            source=common.ledger_row(ledger, "samples", rec),
        ))
    return run


def sample_write_back(ledger: Ledger, docs: Sequence[SampleNotice]) -> WriteBackPlan:
    """The empty 样品单号 cells ``--write-back`` fills with the new YP numbers (a row
    with the clerk's own number is never touched)."""
    table = ledger.table("samples")
    letters = {(s.file, s.sheet): s.columns.get("sample_no", (None, None))[0] for s in table.sources}
    cells: list[WriteBackCell] = []
    problems: list[str] = []
    for doc in docs:
        if doc.given:
            continue
        letter = letters.get((doc.source.file, doc.source.sheet))
        if letter is None:
            msg = f"「{doc.source.sheet}」表没有「样品单号」列,无法写回;请先在表头加上该列"
            if msg not in problems:
                problems.append(msg)
            continue
        cells.append(WriteBackCell(file=doc.source.file, sheet=doc.source.sheet, row=doc.source.row,
                                   column=letter, value=doc.number))
    return WriteBackPlan(cells=cells, problems=problems)


__all__ = ["SampleNotice", "SampleRun", "build_sample_notices", "sample_source", "sample_write_back"]
