"""制造命令单: new work orders for open order lines, numbered, ready to print and
to append to the clerk's 工单 sheet.

``pending_lines`` picks the order lines (open, with quantity no work order covers:
the order book's ``uncovered_qty``);
``build_work_orders`` turns them into ``WorkOrderDoc`` with allocated numbers;
``work_order_write_back`` says which 工单 rows ``--write-back`` appends.
Planned start and finish come from the schedule (``gendan_xl.plan``);
``planned_dates`` is the one call that asks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import (
    Assignment,
    LedgerRow,
    WorkOrderDoc,
    WorkOrderMaterial,
    WriteBackPlan,
    WriteBackRow,
)
from gendan_xl.documents.money import cartons
from gendan_xl.ledger import Ledger
from gendan_xl.model import PRIORITY_RANK, Issue, Severity

NEW_WO_STATUS = "未开工"

# order-line key -> (planned start, planned finish)
Schedule = Mapping[str, tuple[date | None, date | None]]


class Allocator(Protocol):
    """(pattern from the settings, day, count, numbers already in the ledger) -> numbers.

    ``sources``: one list of source keys (``numbers.source_key``) per number, so that
    the same sources get the same numbers again (see ``numbers.allocate``).
    """

    def __call__(
        self, pattern: str, day: date, count: int, existing: Iterable[str],
        sources: Sequence[Sequence[str]] | None = None,
    ) -> list[str]: ...


def line_sources(lines: pd.DataFrame) -> list[str]:
    """The source key of each pending line's new work order: order-line key and qty."""
    from gendan_xl.documents.numbers import source_key

    keys = [(str(k), common.text(q)) for k, q in zip(lines["_key"], lines["_wo_qty"], strict=True)]
    seen: dict[tuple[str, str], int] = {}
    out = []
    for key in keys:
        n = seen[key] = seen.get(key, -1) + 1
        out.append(source_key("wo", *key, n))
    return out


@dataclass(frozen=True)
class SkippedLine:
    """An order line that needs a work order but gets none in this run, and why."""

    label: str
    reason: str
    source: LedgerRow


@dataclass
class WorkOrderRun:
    """The work orders of one run, the order numbers asked for that are unknown, and
    the lines skipped because their 订单 row has an error."""

    docs: list[WorkOrderDoc] = field(default_factory=list)
    unknown_orders: list[str] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)

    @property
    def assignments(self) -> list[Assignment]:
        return [
            Assignment(
                kind="wo", number=d.wo_no, day=d.issue_date, customer=d.customer,
                order_no=d.order_no, qty=d.qty, rows=[d.source], note=SUPPLEMENT if d.supplement else "",
            )
            for d in self.docs
        ]


def skipped_text(run: WorkOrderRun) -> str:
    """The skipped lines, one per line of text: ``SO1-2:订单!E7:...``."""
    return "\n".join(f"{s.label}:{s.reason}" for s in run.skipped)


SUPPLEMENT = "补下工单"  # a line whose work orders cover part of its qty: one more for the rest


def pending_lines(
    ledger: Ledger, order_nos: Sequence[str] = (), problems: Iterable[Issue] = ()
) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Order lines that need a new work order, in issuing order; the named orders
    that have no such line; and the lines skipped because their 订单 row has an
    error (``problems``: the check's issues), with the first error's message.

    A line needs one when it is open and part of its qty is covered by no work
    order (the order book's ``uncovered_qty``, which is the new work order's qty,
    ``_wo_qty``); ``_supplement`` says it already has work orders (补下工单).
    ``order_nos`` limits the run to those orders.
    """
    rows = common.order_rows(ledger)
    lines = ledger.book.lines.set_index("key").loc[rows.index]
    df = rows.assign(
        _key=rows.index,
        _label=lines["label"].to_numpy(),
        _commit=lines["commitment_date"].to_numpy(),
        _wo_qty=lines["uncovered_qty"].to_numpy(),
        _supplement=lines["has_wo"].to_numpy(),
    ).reset_index(drop=True)
    df = df[df["item"].notna() & (df["qty"] > 0) & (df["_wo_qty"] > 0)]
    unknown: list[str] = []
    if order_nos:
        numbers = df["order_no"].map(common.text)
        wanted = [common.text(n) for n in order_nos]
        unknown = [n for n in wanted if n not in set(numbers)]
        df = df[numbers.isin(wanted)]
    bad = _error_rows(ledger, problems)
    source = ledger.table("orders").sources
    at = pd.Series(
        [(source[int(s)].file, source[int(s)].sheet, int(r)) for s, r in zip(df["_src"], df["_row"], strict=True)],
        index=df.index, dtype=object,
    )
    skip = at.map(lambda k: k in bad).astype(bool)
    skipped = df[skip].assign(_reason=at[skip].map(bad))
    df = df[~skip]
    df = df.assign(
        _rank=df["priority"].map(PRIORITY_RANK).fillna(PRIORITY_RANK["普通"]),
    ).sort_values(["_rank", "_commit", "order_date", "_src", "_row"], kind="stable", na_position="last")
    return df, unknown, skipped


def _error_rows(ledger: Ledger, problems: Iterable[Issue]) -> dict[tuple[str, str, int], str]:
    """(file, sheet, row) of 订单 rows with an error-severity issue -> its message."""
    sheets = {s.sheet for s in ledger.table("orders").sources}
    out: dict[tuple[str, str, int], str] = {}
    for issue in problems:
        ref = issue.ref
        if issue.severity == Severity.ERROR and ref.sheet in sheets and ref.row is not None:
            out.setdefault((ref.file, ref.sheet, ref.row), f"{ref.address}:{issue.message()}")
    return out


def planned_dates(ledger: Ledger, as_of: date) -> dict[str, tuple[date | None, date | None]]:
    """Planned start and finish per order-line key: the forecast of the finite-capacity
    schedule (``gendan_xl.plan``), where lines without a work order are scheduled too.

    Empty when planning is not available: the dates then stay blank on the documents.
    """
    try:
        from gendan_xl.plan import plan_ledger
    except ImportError:
        return {}
    orders = plan_ledger(ledger, as_of).orders
    return {
        str(key): (common.day(start), common.day(finish))
        for key, start, finish in zip(
            orders["key"], orders["forecast_start"], orders["forecast_finish"], strict=True
        )
    }


def build_work_orders(
    ledger: Ledger,
    as_of: date,
    allocate: Allocator,
    order_nos: Sequence[str] = (),
    schedule: Schedule | None = None,
    problems: Iterable[Issue] = (),
) -> WorkOrderRun:
    """Work orders for the pending lines, numbered by ``allocate`` (pattern, day, count,
    existing) in issuing order; issued on ``as_of``. Lines whose 订单 row has an
    error-severity issue among ``problems`` are skipped (``run.skipped``)."""
    lines, unknown, skipped = pending_lines(ledger, order_nos, problems)
    run = WorkOrderRun(unknown_orders=unknown)
    run.skipped = [
        SkippedLine(common.text(rec["_label"]), str(rec["_reason"]), common.ledger_row(ledger, "orders", rec))
        for rec in skipped.to_dict("records")
    ]
    if lines.empty:
        return run
    existing = _existing_numbers(ledger)
    pattern = common.text(ledger.setting("wo_pattern", ""))
    numbers = allocate(pattern, as_of, len(lines), existing, sources=[[s] for s in line_sources(lines)])
    items = common.items(ledger)
    schedule = schedule or {}
    usage = _usage(ledger)
    for number, rec in zip(numbers, lines.to_dict("records"), strict=True):
        item = common.text(rec["item"])
        info = items.loc[item] if item in items.index else None

        def from_item(key: str, rec: dict[Any, Any] = rec, info: Any = info) -> str:
            return common.text(rec.get(key)) or (common.text(info[key]) if info is not None else "")

        def product(key: str, info: Any = info) -> str:
            return common.text(info.get(key)) if info is not None else ""

        per = common.number(info["pcs_per_carton"]) if info is not None else None
        qty = float(rec["_wo_qty"])
        start, finish = schedule.get(str(rec["_key"]), (None, None))
        run.docs.append(
            WorkOrderDoc(
                wo_no=number,
                issue_date=as_of,
                order_no=common.text(rec["order_no"]),
                line_no=common.text(rec["line_no"]),
                customer=common.text(rec["customer"]),
                customer_po=common.text(rec["customer_po"]),
                item=item,
                item_name=from_item("item_name"),
                spec=from_item("spec"),
                qty=qty,
                unit=from_item("unit"),
                line=common.text(info["line"]) if info is not None else "",
                priority=common.text(rec["priority"]),
                plan_start=start,
                plan_finish=finish,
                due_date=common.day(rec["_commit"]),
                pcs_per_carton=per,
                cartons=cartons(qty, per) if per else None,
                remark=common.text(rec["remark"]),
                supplement=bool(rec["_supplement"]),
                source=common.ledger_row(ledger, "orders", rec),
                mold_no=product("mold_no"),
                packing=product("packing"),
                quality_std=product("quality_std"),
                sample_no=product("sample_no"),
                materials=[WorkOrderMaterial(material=m, name=n, unit=u, per_piece=per_piece, need=qty * per_piece)
                           for m, n, u, per_piece in usage.get(item, [])],
            )
        )
    return run


def _usage(ledger: Ledger) -> dict[str, list[tuple[str, str, str, float]]]:
    """Per item, its BOM materials: code, name, unit, 用量 x (1 + 损耗率)."""
    if not ledger.table("bom").present:
        return {}
    from gendan_xl.materials import bom_factors

    m = ledger["materials"]
    m = m[m["material"].notna()]
    m = m.assign(material=m["material"].astype(str)).drop_duplicates("material").set_index("material")
    out: dict[str, list[tuple[str, str, str, float]]] = {}
    f = bom_factors(ledger)
    for item, material, per in zip(f["item"].tolist(), f["material"].tolist(), f["per_piece"].tolist(), strict=True):
        name = common.text(m.at[material, "material_name"]) if material in m.index else ""
        unit = common.text(m.at[material, "unit"]) if material in m.index else ""
        out.setdefault(str(item), []).append((str(material), name, unit, float(per)))
    return out


def _existing_numbers(ledger: Ledger) -> set[str]:
    """Every work-order number the ledger already knows (工单 and 生产日报)."""
    out: set[str] = set()
    for table in ("work_orders", "daily"):
        out |= {common.text(v) for v in ledger[table]["wo_no"].dropna()}
    return out - {""}


def work_order_write_back(ledger: Ledger, docs: Sequence[WorkOrderDoc]) -> WriteBackPlan:
    """The 工单 rows ``--write-back`` appends: one per new work order, in the first
    工单 sheet of the ledger, under the columns it has."""
    table = ledger.table("work_orders")
    if not docs:
        return WriteBackPlan()
    if not table.present:
        return WriteBackPlan(problems=["台账没有「工单」工作表,无法写回新工单;请先加上该表"])
    source = table.sources[0]
    letters = {key: letter for key, (letter, _header) in source.columns.items()}
    missing = [table.spec.column(k).name for k in ("wo_no", "order_no") if k not in letters]
    if missing:
        return WriteBackPlan(problems=[f"「{source.sheet}」表缺少列:{'、'.join(missing)},无法写回"])
    rows: list[WriteBackRow] = []
    for d in docs:
        values: dict[str, object] = {
            "wo_no": d.wo_no,
            "order_no": d.order_no,
            "line_no": int(d.line_no) if d.line_no.isdigit() else (d.line_no or None),
            "item": d.item,
            "qty": d.qty,
            "line": d.line or None,
            "plan_start": d.plan_start,
            "plan_finish": d.plan_finish,
            "issue_date": d.issue_date,
            "status": NEW_WO_STATUS,
        }
        rows.append(
            WriteBackRow(
                file=source.file,
                sheet=source.sheet,
                values={letters[k]: v for k, v in values.items() if k in letters and v is not None},  # type: ignore[misc]
            )
        )
    return WriteBackPlan(rows=rows)
