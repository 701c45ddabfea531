"""发料通知单: per open work order, the materials to issue to the workshop, so the
workshop and the material clerk prepare: need, already issued, what stock covers
now (本次应发), what is still short and when it is expected.

Figures come from the material plan (``gendan_xl.materials``, via the plan: stock
and purchases allocated in schedule order); ``build_material_issues`` numbers the
notes (``FL{YYYYMMDD}{SEQ:3}`` by default, setting 发料单号规则).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import Assignment, LedgerRow, MaterialIssueDoc, MaterialIssueLine
from gendan_xl.documents.work_orders import Allocator
from gendan_xl.ledger import ROW, SRC, Ledger


@dataclass
class MaterialIssueRun:
    docs: list[MaterialIssueDoc] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # --wo numbers with no open work order needing material
    rows: dict[str, LedgerRow] = field(default_factory=dict)  # number -> the work order's 工单 row

    @property
    def assignments(self) -> list[Assignment]:
        """Each note's number with its work order's 工单 row (``--json``, 分配结果)."""
        return [
            Assignment(
                kind="fl", number=d.number, day=d.issue_date, order_no=d.order, qty=d.qty,
                rows=[self.rows[d.number]] if d.number in self.rows else [],
                note=f"{d.wo_no} {len(d.lines)} 种物料",
            )
            for d in self.docs
        ]


def build_material_issues(
    ledger: Ledger, as_of: date, allocate: Allocator, wo_nos: Sequence[str] = ()
) -> MaterialIssueRun:
    """One note per open work order with BOM rows (only ``wo_nos`` when given), in
    schedule order; planned start from the plan."""
    from gendan_xl.documents.numbers import source_key
    from gendan_xl.plan import plan_ledger

    plan = plan_ledger(ledger, as_of)
    run = MaterialIssueRun()
    if plan.materials is None:
        run.unknown = list(wo_nos)
        return run
    req = plan.materials.requirements
    req = req[req["wo_no"].notna()]
    if wo_nos:
        wanted = [str(w).strip() for w in wo_nos]
        run.unknown = [w for w in wanted if w not in set(req["wo_no"])]
        req = req[req["wo_no"].isin(wanted)]
    if req.empty:
        return run
    order = list(dict.fromkeys(req["wo_no"]))
    pattern = common.text(ledger.setting("fl_pattern", ""))
    numbers = allocate(pattern, as_of, len(order), set(), sources=[[source_key("fl", w, as_of.isoformat())]
                                                                    for w in order])
    wo = plan.work_orders.drop_duplicates("wo_no").set_index("wo_no")
    labels = ledger.book.lines.drop_duplicates("key").set_index("key")
    materials = ledger["materials"]
    materials = materials[materials["material"].notna()]
    materials = materials.assign(material=materials["material"].astype(str)).drop_duplicates("material")
    materials = materials.set_index("material")
    bom = ledger["bom"]
    bom = bom[bom["item"].notna() & bom["material"].notna()]
    first_bom = bom.assign(item=bom["item"].astype(str), material=bom["material"].astype(str)).drop_duplicates(
        ["item", "material"]).set_index(["item", "material"])
    items = common.items(ledger)
    for number, wo_no in zip(numbers, order, strict=True):
        rows = req[req["wo_no"] == wo_no]
        w = wo.loc[wo_no]
        item = common.text(w["item"])
        key = w["key"]
        label = common.text(labels["label"].get(key, "")) if isinstance(key, str) else ""
        lines = []
        for rec in rows.to_dict("records"):
            m = str(rec["material"])
            info = materials.loc[m] if m in materials.index else None
            b: Any = first_bom.loc[(item, m)] if (item, m) in first_bom.index else None
            loss = float(b["loss_rate"]) if b is not None and pd.notna(b["loss_rate"]) else 0.0
            lines.append(MaterialIssueLine(
                material=m,
                name=common.text(info["material_name"]) if info is not None else "",
                spec=common.text(info["spec"]) if info is not None else "",
                unit=common.text(info["unit"]) if info is not None else "",
                per_piece=float(b["per_piece"]) if b is not None else 0.0,
                loss_rate=loss if loss < 1 else loss / 100,
                need=float(rec["need"]),
                issued=float(rec["issued"]),
                to_issue=float(rec["from_stock"]),
                short=float(rec["open_need"] - rec["from_stock"]),
                ready=common.day(rec["ready_date"]),
                ready_known=bool(rec["ready_known"]),
            ))
        if pd.notna(w.get(SRC)) and pd.notna(w.get(ROW)):
            run.rows[number] = common.ledger_row(ledger, "work_orders", w)
        run.docs.append(MaterialIssueDoc(
            number=number,
            issue_date=as_of,
            wo_no=str(wo_no),
            order=label or common.text(w["order_no"]),
            item=item,
            item_name=common.text(items.loc[item, "item_name"]) if item in items.index else "",
            qty=float(w["qty"]),
            line=common.text(w["line"]),
            plan_start=common.day(w["forecast_start"]),
            lines=lines,
        ))
    return run
