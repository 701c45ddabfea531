"""订单评审 (order review): which dates the factory can keep for the order lines that
came in and have not been answered yet.

An order line is *new* (not yet reviewed) when it is open, has no 回复交期 and no
work order, and was ordered between ``since`` (default seven days before the as-of
date) and the as-of date. Every new line is planned together, each at its priority,
against everything already committed, with the planning stage itself (no scheduler
of its own):

- *before*: the plan without the new lines (they are held back in a copy of the
  order book: they make nothing);
- *after*: the plan with them, each at the date it would be given. A line whose
  date can be kept is planned at its 交期 (the date written back as 回复交期); one that
  needs a later date is planned again at that proposed date, because once written
  back that is the date the scheduler orders it by (priority, then commitment date,
  then order date), until the proposal stops moving (at most ``MAX_ROUNDS`` plans).
  So the review shows the plan ``gendan plan`` will show after ``--write-back``.

Per new line: earliest finish (its forecast finish in *after*), promise date (the
finish plus 送货提前期 working days of its production line), material readiness
(with a BOM sheet: the day its last material is ready; None when it needs none or
a date is unknown), and a verdict: 可按期 when the promise date is on or before the
交期, 需协商 with the promise date proposed, 无法排产 with the reason (unknown item,
no production line, no standard rate, beyond the planning horizon).

Pushes: committed order lines whose forecast finish is later in *after* than in
*before*. A push is listed under the new lines scheduled ahead of it on its
production line (the forward schedule of a line only delays a job for the jobs
before it); one moved only through material (no new line ahead on its line) under
the new lines ahead of it in the schedule order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.model import PRIORITY_RANK, Lang
from gendan_xl.orderbook import OrderBook
from gendan_xl.plan.core import moved_lines, plan_ledger, promise_date
from gendan_xl.plan.result import PlanResult
from gendan_xl.plan.schedule import MAX_HORIZON_DAYS

DEFAULT_SINCE_DAYS = 7
MAX_ROUNDS = 5

OK = "可按期"
NEGOTIATE = "需协商"
UNSCHEDULABLE = "无法排产"
VERDICT_EN = {OK: "can be met", NEGOTIATE: "needs a later date", UNSCHEDULABLE: "cannot be scheduled"}


@dataclass(frozen=True)
class Push:
    """A committed order line whose forecast finish moves later."""

    key: str  # its label, e.g. SO1-2
    customer: str
    commitment_date: date | None
    old_finish: date | None
    new_finish: date | None  # None: no longer placed within the horizon
    becomes_late: bool

    @property
    def days(self) -> int | None:
        if self.old_finish is None or self.new_finish is None:
            return None
        return (self.new_finish - self.old_finish).days


@dataclass
class ReviewLine:
    """The review of one new order line."""

    key: str  # label, e.g. SO9-1
    order_no: str
    customer: str
    customer_po: str
    item: str
    item_name: str
    qty: float
    priority: str
    order_date: date | None
    due_date: date | None
    line: str
    earliest_finish: date | None
    promise_date: date | None
    material_ready: date | None
    material_note: str  # "" / 无BOM / 物料日期未知 ...
    verdict: str  # 可按期 / 需协商 / 无法排产
    reason_zh: str
    reason_en: str
    reply_date: date | None  # what --write-back puts into 回复交期
    src: int
    row: int
    pushes: list[Push] = field(default_factory=list)

    def reason(self, lang: Lang) -> str:
        return self.reason_zh if lang == "zh" else self.reason_en


@dataclass
class ReviewResult:
    as_of: date
    since: date
    lead_days: int
    lines: list[ReviewLine]
    before: PlanResult
    after: PlanResult
    rounds: int = 1

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for ln in self.lines if ln.verdict == v) for v in (OK, NEGOTIATE, UNSCHEDULABLE)}

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        """The ``gendan review --json`` contract."""

        def d(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat(),
            "lead_days": self.lead_days,
            "lines": [
                {
                    "key": ln.key,
                    "due_date": d(ln.due_date),
                    "earliest_finish": d(ln.earliest_finish),
                    "promise_date": d(ln.promise_date),
                    "material_ready": d(ln.material_ready),
                    "verdict": ln.verdict,
                    "reason": ln.reason(lang),
                    "reply_date": d(ln.reply_date),
                    "pushes": [
                        {"key": p.key, "old_finish": d(p.old_finish), "new_finish": d(p.new_finish)}
                        for p in ln.pushes
                    ],
                }
                for ln in self.lines
            ],
        }


def _day(value: object) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def new_line_mask(book: OrderBook, as_of: date, since: date) -> np.ndarray:
    """Order lines not yet reviewed: open, no 回复交期, no work order, ordered from
    ``since`` to ``as_of`` (both included)."""
    lines = book.lines
    ordered = pd.to_datetime(lines["order_date"])
    return (
        lines["open"].to_numpy(dtype=bool)
        & ~lines["has_wo"].to_numpy(dtype=bool)
        & lines["promised_date"].isna().to_numpy()
        & lines["key"].notna().to_numpy()
        & (ordered >= pd.Timestamp(since)).to_numpy()
        & (ordered <= pd.Timestamp(as_of)).to_numpy()
    )


def _held_back(book: OrderBook, new: np.ndarray) -> OrderBook:
    """The book as if the new lines had not been ordered: they plan nothing."""
    lines = book.lines.copy()
    lines.loc[new, "open"] = False
    lines.loc[new, "uncovered_qty"] = 0.0
    lines.loc[new, "order_status"] = "取消"
    return replace(book, lines=lines)


def _with_commitments(book: OrderBook, commit: dict[str, pd.Timestamp]) -> OrderBook:
    if not commit:
        return book
    lines = book.lines.copy()
    hit = lines["key"].isin(list(commit))
    lines.loc[hit, "commitment_date"] = lines.loc[hit, "key"].map(commit)
    lines["commitment_date"] = pd.to_datetime(lines["commitment_date"])
    return replace(book, lines=lines)


def review_orders(
    ledger: Ledger,
    as_of: date,
    since: date | None = None,
    *,
    calendar: WorkCalendar | None = None,
) -> ReviewResult:
    """Review the order lines ordered from ``since`` (default seven days before
    ``as_of``) that have no 回复交期 and no work order."""
    since = since or as_of - timedelta(days=DEFAULT_SINCE_DAYS)
    calendar = calendar or WorkCalendar.from_ledger(ledger)
    lead = ledger.options.delivery_lead_days
    book = ledger.book
    new = new_line_mask(book, as_of, since)
    new_lines = book.lines[new]
    keys = new_lines["key"].tolist()
    before = plan_ledger(ledger, as_of, calendar=calendar, book=_held_back(book, new))
    commit = {k: pd.Timestamp(v) for k, v in zip(keys, new_lines["commitment_date"], strict=True)}
    rounds = 0
    while True:
        rounds += 1
        after = plan_ledger(ledger, as_of, calendar=calendar, book=_with_commitments(book, commit))
        finish, promise = _promises(after, keys, lead, calendar)
        moved = False
        for k, due in zip(keys, new_lines["commitment_date"], strict=True):
            p = promise.get(k)
            wanted = pd.Timestamp(p) if p is not None and pd.Timestamp(p) > pd.Timestamp(due) else None
            if wanted is not None and wanted > commit[k]:
                commit[k] = wanted
                moved = True
        if not moved or rounds >= MAX_ROUNDS:
            break
    lines = _review_lines(ledger, new_lines, after, finish, promise, commit, calendar)
    _attach_pushes(lines, before, after, keys, commit)
    return ReviewResult(as_of, since, lead, lines, before, after, rounds)


def _promises(
    after: PlanResult, keys: list[str], lead: int, calendar: WorkCalendar
) -> tuple[dict[str, date | None], dict[str, date | None]]:
    orders = after.orders.set_index("key")
    finish: dict[str, date | None] = {}
    promise: dict[str, date | None] = {}
    for k in keys:
        f = _day(orders.at[k, "forecast_finish"])
        finish[k] = f
        promise[k] = promise_date(calendar, f, after.as_of, lead, orders.at[k, "line"]) if f is not None else None
    return finish, promise


def _materials(after: PlanResult) -> pd.DataFrame | None:
    """Per order line with BOM rows: ready (its last material's date), known (every
    date known). None without a BOM sheet."""
    if after.materials is None:
        return None
    req = after.materials.requirements
    return req.groupby("key").agg(ready=("ready_date", "max"), known=("ready_known", "all"))


def _material(materials: pd.DataFrame | None, key: str) -> tuple[date | None, str, str]:
    """(material_ready, note zh, note en) of a new line."""
    if materials is None:
        return None, "", ""
    if key not in materials.index:
        return None, "无BOM", "no BOM"
    if not bool(materials.at[key, "known"]):
        return None, "物料日期未知", "material date unknown"
    return _day(pd.to_datetime(materials["ready"]).get(key)), "", ""


def _review_lines(
    ledger: Ledger,
    new_lines: pd.DataFrame,
    after: PlanResult,
    finish: dict[str, date | None],
    promise: dict[str, date | None],
    commit: dict[str, pd.Timestamp],
    calendar: WorkCalendar,
) -> list[ReviewLine]:
    orders = after.orders.set_index("key")
    items = ledger["items"]
    known_items = set(items["item"].dropna())
    names = items.dropna(subset=["item"]).drop_duplicates("item").set_index("item")["item_name"]
    materials = _materials(after)
    out = []
    for rec in new_lines.to_dict("records"):
        k = rec["key"]
        o = orders.loc[k]
        due = _day(rec["commitment_date"])  # 变更交期, else 交期 (a new line has no 回复交期)
        f, p = finish[k], promise[k]
        ready, note_zh, note_en = _material(materials, k)
        line = _text(o["line"])
        if p is None:
            verdict = UNSCHEDULABLE
            zh, en = _unschedulable_reason(rec["item"], line, o["rate"], known_items, calendar)
            reply = None
        elif due is not None and p <= due:
            verdict, zh, en, reply = OK, "", "", due
        elif due is None:
            verdict, reply = NEGOTIATE, p
            zh, en = f"交期缺失或无法读取;最早可交 {p}", f"no readable due date; {p} at the earliest"
        else:
            verdict = NEGOTIATE
            cause_zh, cause_en = ("物料", "material") if o["reason"] == "material_shortage" else ("产能", "capacity")
            zh = f"{cause_zh}:最早 {f} 完工,送货提前期后 {p},晚于交期 {due}"
            en = f"{cause_en}: finishes {f} at the earliest, {p} with the delivery lead time, after the due date {due}"
            reply = _day(commit[k])
        if note_zh and verdict != UNSCHEDULABLE:
            zh = f"{zh};{note_zh}" if zh else note_zh
            en = f"{en}; {note_en}" if en else note_en
        out.append(
            ReviewLine(
                key=_text(rec["label"]), order_no=_text(rec["order_no"]), customer=_text(rec["customer"]),
                customer_po=_text(rec["customer_po"]), item=_text(rec["item"]), item_name=_text(rec["item_name"]) or _text(names.get(rec["item"])),
                qty=float(rec["qty"]), priority=_text(rec["priority"]), order_date=_day(rec["order_date"]),
                due_date=due, line=line, earliest_finish=f, promise_date=p, material_ready=ready,
                material_note=note_zh, verdict=verdict, reason_zh=zh, reason_en=en, reply_date=reply,
                src=int(rec[SRC]), row=int(rec[ROW]),
            )
        )
    return out


def _unschedulable_reason(
    item: object, line: str, rate: object, known_items: set[object], calendar: WorkCalendar
) -> tuple[str, str]:
    if item not in known_items:
        return f"产品编码「{item}」不在产品表中", f"item '{item}' is not on the 产品 sheet"
    if not line:
        return f"产品「{item}」没有产线", f"item '{item}' has no production line"
    if line not in calendar:
        return f"产线「{line}」不在产线表中", f"line '{line}' is not on the 产线 sheet"
    if not (isinstance(rate, float | int) and rate > 0):
        return f"产品「{item}」没有标准产能", f"item '{item}' has no standard rate"
    return (
        f"{MAX_HORIZON_DAYS} 天的排产期内排不下",
        f"does not fit within the {MAX_HORIZON_DAYS}-day planning horizon",
    )


def _sort_key(priority: object, commitment: object, order_date: object, key: str) -> tuple[Any, ...]:
    """An order line's place in the scheduler's job order."""
    rank = PRIORITY_RANK.get(str(priority), PRIORITY_RANK["普通"])
    far = pd.Timestamp.max
    c, o = _day(commitment), _day(order_date)
    return (rank, pd.Timestamp(c) if c else far, pd.Timestamp(o) if o else far, key)


def _attach_pushes(
    lines: list[ReviewLine], before: PlanResult, after: PlanResult, keys: list[str], commit: dict[str, pd.Timestamp]
) -> None:
    moved = moved_lines(before, after, keys)
    later = moved[(moved["after"] > moved["before"]) | (moved["after"].isna() & moved["before"].notna())]
    if later.empty or not lines:
        return
    orders = after.orders.set_index("key")
    by_key = dict(zip(keys, lines, strict=True))
    new_order = {
        k: _sort_key(orders.at[k, "priority"], commit[k], orders.at[k, "order_date"], k) for k in keys
    }
    new_line = {k: _text(orders.at[k, "line"]) for k in keys}
    for rec in later.to_dict("records"):
        k = rec["key"]
        mine = _sort_key(orders.at[k, "priority"], orders.at[k, "commitment_date"], orders.at[k, "order_date"], k)
        ahead = [n for n in keys if new_order[n] < mine]
        same_line = [n for n in ahead if new_line[n] == _text(orders.at[k, "line"])]
        push = Push(
            key=_text(rec["label"]), customer=_text(rec["customer"]), commitment_date=_day(rec["commitment_date"]),
            old_finish=_day(rec["before"]), new_finish=_day(rec["after"]), becomes_late=bool(rec["becomes_late"]),
        )
        for n in same_line or ahead or keys:
            by_key[n].pushes.append(push)


__all__ = ["NEGOTIATE", "OK", "UNSCHEDULABLE", "Push", "ReviewLine", "ReviewResult", "new_line_mask", "review_orders"]
