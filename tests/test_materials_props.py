"""Invariants of material allocation and the material-aware schedule (hypothesis):

- allocated quantities never exceed supply (per material's stock, per purchase);
- from_stock + from_po + short = open_need for every requirement;
- no work order starts before its material_ready;
- with release days, a line never schedules more hours than a day has, and no
  job starts before its release day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from test_plan_props import ITEMS, PROPS, build_ledger, ledgers

from gendan_xl.ledger import Ledger
from gendan_xl.plan import plan_ledger
from gendan_xl.plan.schedule import release_schedule

MATERIALS = ("M1", "M2", "M3")


@st.composite
def material_ledgers(draw: st.DrawFn) -> tuple[Ledger, date]:
    ledger, as_of = draw(ledgers())
    tables: dict[str, list[dict[str, Any]]] = {
        key: ledger[key].drop(columns=["_src", "_row"], errors="ignore").to_dict("records")
        for key in ("lines", "items", "calendar", "orders", "work_orders", "daily", "shipments")
    }
    tables["bom"] = [
        {"item": item, "material": m, "per_piece": float(draw(st.sampled_from([0.1, 1, 2.5]))),
         "loss_rate": draw(st.sampled_from([np.nan, 0.03, 5.0]))}
        for item in ITEMS for m in MATERIALS if draw(st.booleans())
    ]
    tables["materials"] = [
        {"material": m, "stock": float(draw(st.integers(0, 3000))),
         "lead_days": draw(st.sampled_from([np.nan, 3.0, 20.0]))}
        for m in MATERIALS
    ]
    tables["purchases"] = [
        {"po_no": f"PO{i}", "material": draw(st.sampled_from(MATERIALS)), "qty": float(draw(st.integers(1, 2000))),
         "received": float(draw(st.integers(0, 500))),
         "due": as_of + timedelta(days=draw(st.integers(-10, 30))),
         "status": draw(st.sampled_from([None, "未到", "取消"]))}
        for i in range(draw(st.integers(0, 5)))
    ]
    wos = [w["wo_no"] for w in tables["work_orders"]]
    tables["requisitions"] = [
        {"wo_no": draw(st.sampled_from(wos)), "material": draw(st.sampled_from(MATERIALS)),
         "qty": float(draw(st.integers(1, 800)))}
        for _ in range(draw(st.integers(0, 4)) if wos else 0)
    ]
    for rows in tables.values():
        for r in rows:
            for k, v in list(r.items()):
                if isinstance(v, pd.Timestamp):
                    r[k] = v.date()
    return build_ledger(tables), as_of


@PROPS
@given(material_ledgers())
def test_allocation_within_supply_and_adds_up(case: tuple[Ledger, date]) -> None:
    ledger, as_of = case
    result = plan_ledger(ledger, as_of)
    plan = result.materials
    if plan is None:  # no BOM row drawn: the sheet is absent
        assert ledger["bom"].empty
        return
    req = plan.requirements
    po_used = np.array([sum(p["qty"] for p in rows) for rows in plan.from_po()]) if len(req) else np.zeros(0)
    total = req["from_stock"].to_numpy() + po_used + req["short"].to_numpy()
    assert np.allclose(total, req["open_need"].to_numpy(), atol=1e-6)
    stock = ledger["materials"].set_index("material")["stock"]
    taken = req.groupby("material")["from_stock"].sum()
    for material, qty in taken.items():
        assert qty <= stock.get(material, 0.0) + 1e-6
    by_po: dict[str, float] = {}
    for rows in plan.from_po():
        for p in rows:
            by_po[p["po_no"]] = by_po.get(p["po_no"], 0.0) + p["qty"]
    open_qty = plan.purchases.set_index("po_no")["open_qty"]
    for po, qty in by_po.items():
        assert qty <= open_qty[po] + 1e-6
    assert (req["short"] >= 0).all() and (req["from_stock"] >= 0).all()


@PROPS
@given(material_ledgers())
def test_no_work_order_starts_before_its_material(case: tuple[Ledger, date]) -> None:
    ledger, as_of = case
    wo = plan_ledger(ledger, as_of).work_orders
    placed = wo[wo["forecast_start"].notna() & wo["material_ready"].notna()]
    assert (placed["forecast_start"] >= placed["material_ready"]).all()


@given(
    st.lists(st.tuples(st.floats(min_value=0.01, max_value=30), st.integers(0, 20)), min_size=0, max_size=12),
    st.lists(st.sampled_from([0.0, 4.0, 8.0, 10.0]), min_size=1, max_size=30),
)
def test_release_schedule_within_capacity_and_after_release(jobs: list[tuple[float, int]], capacity: list[float]) -> None:
    hours = np.array([h for h, _ in jobs], dtype=float)
    release = np.array([r for _, r in jobs], dtype=np.int64)
    placed = release_schedule(hours, np.array(capacity), release)
    assert (placed.scheduled <= np.array(capacity) + 1e-9).all()
    fits = placed.last_day >= 0
    assert np.isclose(placed.scheduled.sum(), hours[fits].sum())
    assert (placed.first_day[fits] >= np.minimum(release[fits], len(capacity))).all()
    assert (placed.first_day[fits] <= placed.last_day[fits]).all()
