"""Material requirements and their allocation to supply.

Need per job (an open work order, or an order line's uncovered planned work) and
material = quantity x 用量 x (1 + 损耗率); for a work order the quantity is its
工单 数量 and what 领料 already issued to it is taken off (open_need), for
planned work it is the uncovered quantity.

Supply per material, in the order it is used: 库存 first (ready on the as-of
date), then each open purchase (数量 - 已到数量, not 已到/取消/关闭) in arrival
order. A purchase already past its 预计到货 is taken to arrive on the first working
day after the as-of date; one with no 预计到货 has an unknown date.

Jobs take supply in the scheduler's job order (priority, commitment date, order
date, key). Vectorised: on each material's axis the jobs' needs and the supply
segments are consecutive intervals (cumulative sums); a job gets the overlap of
its interval with each supply segment. All materials share one axis (each
shifted past the previous one), so one ``searchsorted`` finds every job's
segments, with no loop per material or job.

What is left short with no supply is assumed ordered on the as-of date and ready
after the material's 采购周期 (calendar days); with no 采购周期 its date is unknown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar
from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.schema import PURCHASE_CLOSED_STATES

EPS = 1e-6


@dataclass
class MaterialPlan:
    """Requirements, their supply, and what it means for each job.

    ``requirements``: one row per job and material, in job order: job (position
    in the scheduler's jobs), wo_no (None for planned work), key, item, material,
    per_piece (用量 x (1 + 损耗率)), need, issued, open_need, from_stock, from_po
    (list of ``{"po_no", "qty", "date"}``, date = the arrival counted), short,
    ready_date (NaT when unknown), ready_known.

    ``jobs``: per job position: material_ready (NaT when none is needed or it is
    unknown), material_unknown (some material has no known date), has_bom.

    ``purchases``: one row per open purchase line: po_no, supplier, material,
    open_qty, due, arrival, days_late (calendar days past 预计到货, 0 when not
    late), wo_nos and keys (the jobs it supplies, in job order), _src/_row.

    ``prices``: one row per supplier price that replaced an earlier one: supplier,
    material, price, since, previous, change_pct.
    """

    as_of: date
    requirements: pd.DataFrame
    jobs: pd.DataFrame
    purchases: pd.DataFrame
    prices: pd.DataFrame
    # What each requirement draws from purchases, in use order: req (requirements
    # row), po (purchases row), qty, date. Lists per requirement only on demand
    # (``from_po``): most callers never need them.
    draws: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"req": [], "po": [], "qty": [], "date": []}))

    @property
    def short(self) -> pd.DataFrame:
        """Requirements not fully covered by stock (short, or waiting for a purchase)."""
        r = self.requirements
        return r[(r["short"] > EPS) | (r["ready_date"].isna() & (r["open_need"] > EPS))
                 | (r["ready_date"] > pd.Timestamp(self.as_of))]

    @property
    def late_purchases(self) -> pd.DataFrame:
        return self.purchases[self.purchases["days_late"] > 0]

    def from_po(self) -> list[list[dict[str, Any]]]:
        """Per requirement, the purchases it draws on: ``{"po_no", "qty", "date"}``."""
        po_no = self.purchases["po_no"].tolist()
        rows: list[list[dict[str, Any]]] = [[] for _ in range(len(self.requirements))]
        d = self.draws
        for r, p, q, day in zip(d["req"].tolist(), d["po"].tolist(), d["qty"].tolist(), d["date"].tolist(),
                                strict=True):
            rows[r].append({"po_no": po_no[p], "qty": q, "date": day})
        return rows

    def to_json(self) -> dict[str, Any]:
        """The contract of ``gendan materials --json``."""
        r = self.requirements.assign(from_po=pd.Series(self.from_po(), index=self.requirements.index, dtype=object))
        purchases = self.purchases.sort_values(["due", "po_no"], na_position="last", kind="stable")
        return {
            "as_of": self.as_of.isoformat(),
            "requirements": _records(r, REQUIREMENT_FIELDS),
            "purchases": _records(purchases, PURCHASE_FIELDS),
            "prices": _records(self.prices, PRICE_FIELDS),
        }


REQUIREMENT_FIELDS = (
    "wo_no", "order_no", "item", "material", "need", "issued", "open_need", "from_stock", "from_po", "short",
    "ready_date",
)
PURCHASE_FIELDS = ("po_no", "supplier", "material", "open_qty", "due", "days_late", "wo_nos")
PRICE_FIELDS = ("supplier", "material", "price", "since", "previous", "change_pct")


def _json(value: Any) -> Any:
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date().isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return round(value, 4)
    return value


def _records(df: pd.DataFrame, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{f: _json(v) for f, v in zip(fields, row, strict=True)}
            for row in df[list(fields)].itertuples(index=False, name=None)]


def loss_share(values: pd.Series) -> pd.Series:
    """损耗率 as a share: 3% is read as 0.03 already; 1 or more is a percent (3 -> 3%)."""
    v = values.astype("float64").fillna(0.0).clip(lower=0.0)
    return v.where(v < 1, v / 100)


def bom_factors(ledger: Ledger) -> pd.DataFrame:
    """item, material, per_piece (用量 x (1 + 损耗率); repeated rows add up), in BOM order."""
    bom = ledger["bom"]
    ok = bom["item"].notna() & bom["material"].notna() & (bom["per_piece"] > 0)
    b = bom[ok]
    factor = b["per_piece"].astype("float64") * (1 + loss_share(b["loss_rate"]))
    out = pd.DataFrame({"item": b["item"].astype(str), "material": b["material"].astype(str), "per_piece": factor})
    return out.groupby(["item", "material"], sort=False, as_index=False).agg(per_piece=("per_piece", "sum"))


def issued_by_wo(ledger: Ledger) -> pd.Series:
    """领料 quantity per (wo_no, material)."""
    req = ledger["requisitions"]
    ok = req["wo_no"].notna() & req["material"].notna() & req["qty"].notna()
    r = req[ok]
    keys = pd.MultiIndex.from_arrays([r["wo_no"].astype(str), r["material"].astype(str)], names=["wo_no", "material"])
    return pd.Series(r["qty"].astype("float64").to_numpy(), index=keys).groupby(level=[0, 1]).sum()


def _issued_at(ledger: Ledger, wo_no: pd.Series, material: pd.Series) -> np.ndarray:
    """``issued_by_wo(ledger)`` at each (wo_no, material), NaN where there is none:
    the same sums (grouped in row order), on integer pair codes instead of a
    MultiIndex of text (half a million pairs)."""
    req = ledger["requisitions"]
    ok = req["wo_no"].notna() & req["material"].notna() & req["qty"].notna()
    r = req[ok]
    out = np.full(len(wo_no), np.nan)
    if not len(r) or not len(wo_no):
        return out
    n = len(r)
    wo_codes, _ = pd.factorize(pd.concat([r["wo_no"].astype(str), wo_no.astype(str)], ignore_index=True))
    mat_codes, mat_uniques = pd.factorize(pd.concat([r["material"].astype(str), material], ignore_index=True))
    pair = wo_codes.astype(np.int64) * max(len(mat_uniques), 1) + mat_codes
    sums = pd.Series(r["qty"].astype("float64").to_numpy()).groupby(pair[:n]).sum()
    keys, values = sums.index.to_numpy(dtype=np.int64), sums.to_numpy(dtype="float64")
    want = pair[n:]
    at = np.clip(np.searchsorted(keys, want), 0, len(keys) - 1)
    hit = (keys[at] == want) & (wo_codes[n:] >= 0) & (mat_codes[n:] >= 0)
    out[hit] = values[at[hit]]
    return out


def material_plan(ledger: Ledger, jobs: pd.DataFrame, as_of: date, calendar: WorkCalendar) -> MaterialPlan | None:
    """Allocate supply to ``jobs`` (the scheduler's jobs in schedule order: key,
    wo_no, item, balance, from_wo). None when the ledger has no BOM sheet."""
    if not ledger.table("bom").present:
        return None
    ts = pd.Timestamp(as_of)
    factors = bom_factors(ledger)
    wo_qty = ledger.book.work_orders.drop_duplicates("wo_no").set_index("wo_no")["qty"]

    j = pd.DataFrame(
        {
            "job": np.arange(len(jobs)),
            "wo_no": jobs["wo_no"].to_numpy(dtype=object),
            "key": jobs["key"].to_numpy(dtype=object),
            "item": jobs["item"].astype(object).where(jobs["item"].notna(), None).to_numpy(dtype=object),
            "from_wo": jobs["from_wo"].to_numpy(dtype=bool),
            "balance": jobs["balance"].to_numpy(dtype="float64"),
        }
    )
    j["item"] = j["item"].map(lambda v: None if v is None else str(v))
    # Looked up per job, before each job becomes one row per material.
    j["_wo_qty"] = _lookup(wo_qty, j["wo_no"]).astype("float64")
    j["order_no"] = _lookup(ledger.book.lines.drop_duplicates("key").set_index("key")["order_no"], j["key"])
    req = j.merge(factors, on="item", how="inner", sort=False).sort_values(["job"], kind="stable")
    basis = np.where(req["from_wo"], req["_wo_qty"].to_numpy(dtype="float64"), req["balance"])
    req = req.drop(columns="_wo_qty")
    req["need"] = np.nan_to_num(basis * req["per_piece"].to_numpy())
    got = _issued_at(ledger, req["wo_no"], req["material"])
    req["issued"] = np.where(req["from_wo"], np.nan_to_num(got), 0.0)
    req["open_need"] = (req["need"] - req["issued"]).clip(lower=0.0)
    req = req.reset_index(drop=True)

    materials = ledger["materials"]
    materials = materials[materials["material"].notna()].copy()
    materials["material"] = materials["material"].astype(str)
    materials = materials.drop_duplicates("material").set_index("material")
    purchases = _open_purchases(ledger, as_of, calendar)

    seg = _segments(materials, purchases, ts)
    alloc = _allocate(req, seg)
    req, draws = _finish(req, alloc, seg, materials, ts)
    job_frame = _job_ready(req, len(jobs))
    purchases = _purchase_jobs(purchases, alloc, req, seg)
    return MaterialPlan(as_of, req, job_frame, purchases, price_changes(ledger), draws)


def _lookup(values: pd.Series, keys: pd.Series) -> pd.Series:
    """``values`` (indexed by key) at each of ``keys``, NaN where a key is not there
    (as ``keys.map(values)``, with one hash lookup per key: ``map`` over a text index
    is slow for half a million keys)."""
    pos = pd.Index(values.index.astype(object)).get_indexer(keys.astype(object))
    if not len(values):
        return pd.Series(np.nan, index=keys.index)
    return pd.Series(values.to_numpy()[np.clip(pos, 0, None)], index=keys.index).where(pos >= 0)


def _open_purchases(ledger: Ledger, as_of: date, calendar: WorkCalendar) -> pd.DataFrame:
    p = ledger["purchases"]
    ok = p["material"].notna() & p["qty"].notna() & ~p["status"].isin(PURCHASE_CLOSED_STATES)
    p = p[ok]
    open_qty = (p["qty"].astype("float64") - p["received"].astype("float64").fillna(0.0)).clip(lower=0.0)
    out = pd.DataFrame(
        {
            "po_no": p["po_no"].astype(object),
            "supplier": p["supplier"].astype(object),
            "material": p["material"].astype(str),
            "open_qty": open_qty,
            "due": pd.to_datetime(p["due"]),
            SRC: p[SRC],
            ROW: p[ROW],
        }
    )
    out = out[out["open_qty"] > EPS].reset_index(drop=True)
    ts = pd.Timestamp(as_of)
    late = out["due"] < ts
    next_day = pd.Timestamp(calendar.add_workdays(as_of, 1)) if late.any() else ts + timedelta(days=1)
    out["arrival"] = out["due"].where(~late, next_day)
    out["days_late"] = np.where(late, (ts - out["due"]).dt.days, 0).astype(np.int64)
    return out


def _segments(materials: pd.DataFrame, purchases: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Supply segments per material in the order they are used: stock, then purchases
    by arrival (unknown last), 预计到货, 采购单号. ``po`` is the purchases row (-1: stock)."""
    stock = materials["stock"].astype("float64").fillna(0.0).clip(lower=0.0) if len(materials) else pd.Series(
        dtype="float64"
    )
    stock = stock[stock > EPS]
    s = pd.DataFrame(
        {"material": stock.index.astype(str), "qty": stock.to_numpy(), "date": as_of, "po": -1, "_due": as_of,
         "_no": ""}
    )
    p = pd.DataFrame(
        {
            "material": purchases["material"],
            "qty": purchases["open_qty"],
            "date": purchases["arrival"],
            "po": np.arange(len(purchases)),
            "_due": purchases["due"],
            "_no": purchases["po_no"].astype(str),
        }
    )
    seg = pd.concat([s, p], ignore_index=True)
    seg["date"] = pd.to_datetime(seg["date"])
    seg["_due"] = pd.to_datetime(seg["_due"])
    seg = seg.sort_values(["material", "po", "date", "_due", "_no"], key=_stock_first, na_position="last",
                          kind="stable")
    return seg.reset_index(drop=True)[["material", "qty", "date", "po"]]


def _stock_first(col: pd.Series) -> pd.Series:
    return col.clip(upper=0) if col.name == "po" else col


def _allocate(req: pd.DataFrame, seg: pd.DataFrame) -> pd.DataFrame:
    """(req row, segment row, qty) for every positive overlap of a job's need with
    a supply segment of its material."""
    # Material codes in order of first appearance, requirements then segments: one
    # factorisation of both (as the index of their distinct values would give).
    codes, mats = pd.factorize(np.concatenate([req["material"].to_numpy(dtype=object),
                                               seg["material"].to_numpy(dtype=object)]))
    rm, sm = codes[: len(req)], codes[len(req) :]
    n_m = len(mats)
    need = req["open_need"].to_numpy(dtype="float64")
    qty = seg["qty"].to_numpy(dtype="float64")
    # Within each material, requirements are in job order and segments in use order.
    r_end = pd.Series(need).groupby(rm).cumsum().to_numpy() if len(req) else np.zeros(0)
    s_end = pd.Series(qty).groupby(sm).cumsum().to_numpy() if len(seg) else np.zeros(0)
    r_start, s_start = r_end - need, s_end - qty
    length = np.maximum(np.bincount(rm, need, n_m), np.bincount(sm, qty, n_m)) + 1.0
    offset = np.concatenate(([0.0], np.cumsum(length)[:-1]))
    # Global axis: segments are sorted by (material, use order) only if materials
    # come in index order; sort them so.
    order = np.lexsort((np.arange(len(seg)), sm))
    g_start = (offset[sm] + s_start)[order]
    g_end = (offset[sm] + s_end)[order]
    want = np.flatnonzero(need > EPS)
    lo = np.searchsorted(g_end, offset[rm[want]] + r_start[want], side="right") - 1
    hi = np.searchsorted(g_start, offset[rm[want]] + r_end[want], side="left") + 1
    lo = np.clip(lo, 0, len(seg))
    hi = np.clip(hi, 0, len(seg))
    counts = np.maximum(hi - lo, 0)
    ri = np.repeat(want, counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    si = order[np.repeat(lo, counts) + step] if len(ri) else np.zeros(0, dtype=np.int64)
    same = rm[ri] == sm[si]
    ri, si = ri[same], si[same]
    amount = np.minimum(r_end[ri], s_end[si]) - np.maximum(r_start[ri], s_start[si])
    keep = amount > EPS
    return pd.DataFrame({"req": ri[keep], "seg": si[keep], "qty": amount[keep]})


def _finish(
    req: pd.DataFrame, alloc: pd.DataFrame, seg: pd.DataFrame, materials: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(req)
    is_stock = (seg["po"].to_numpy()[alloc["seg"].to_numpy()] < 0) if len(alloc) else np.zeros(0, dtype=bool)
    from_stock = np.bincount(alloc["req"][is_stock], alloc["qty"][is_stock], n) if n else np.zeros(0)
    from_po_qty = np.bincount(alloc["req"][~is_stock], alloc["qty"][~is_stock], n) if n else np.zeros(0)
    req["from_stock"] = from_stock
    short = req["open_need"].to_numpy() - from_stock - from_po_qty
    req["short"] = np.where(short > EPS, short, 0.0)
    dates = seg["date"].to_numpy(dtype="datetime64[ns]")[alloc["seg"].to_numpy()]
    # Latest arrival per requirement; an unknown arrival makes it unknown.
    a = alloc.assign(date=dates)
    last = a.groupby("req")["date"].max()
    unknown_po = a["date"].isna().groupby(a["req"]).any()
    # Nothing drawn (nothing open, or all short): ready on the as-of date, then the lead time.
    ready = pd.Series(as_of, index=req.index, dtype="datetime64[ns]")
    ready.loc[last.index] = last.fillna(as_of)
    known = ~req.index.isin(unknown_po.index[unknown_po.to_numpy(dtype=bool)])
    # Looked up once per distinct material (20k), not per requirement (500k).
    m_codes, m_values = pd.factorize(req["material"].to_numpy(dtype=object))
    lead_of = _lookup(materials["lead_days"] if len(materials) else pd.Series(dtype="float64"),
                      pd.Series(m_values, dtype=object)).astype("float64").to_numpy()
    lead = pd.Series(np.where(m_codes >= 0, lead_of[np.clip(m_codes, 0, None)] if len(lead_of) else np.nan, np.nan),
                     index=req.index)
    short_mask = req["short"] > EPS
    by_lead = as_of + pd.to_timedelta(lead.fillna(0).clip(lower=0).round(), unit="D")
    ready = ready.where(~short_mask | (ready >= by_lead), by_lead)
    known &= ~(short_mask & lead.isna()).to_numpy()
    req["ready_known"] = known
    req["ready_date"] = ready.where(pd.Series(known, index=ready.index))
    # The purchases each requirement draws on, in use order (alloc rows come by
    # requirement, then segment in use order).
    pos = a[~is_stock]
    draws = pd.DataFrame({"req": pos["req"].to_numpy(), "po": seg["po"].to_numpy()[pos["seg"].to_numpy()],
                          "qty": pos["qty"].to_numpy(), "date": pos["date"].to_numpy()})
    return req, draws


def _job_ready(req: pd.DataFrame, n_jobs: int) -> pd.DataFrame:
    ready = np.full(n_jobs, np.datetime64("NaT"), dtype="datetime64[ns]")
    unknown = np.zeros(n_jobs, dtype=bool)
    has = np.zeros(n_jobs, dtype=bool)
    if len(req):
        g = req.groupby("job")
        latest = g["ready_date"].max()
        ready[latest.index.to_numpy()] = latest.to_numpy(dtype="datetime64[ns]")
        unk = (~g["ready_known"].all())
        unknown[unk.index.to_numpy()] = unk.to_numpy(dtype=bool)
        has[latest.index.to_numpy()] = True
    ready[unknown] = np.datetime64("NaT")
    return pd.DataFrame({"material_ready": ready, "material_unknown": unknown, "has_bom": has})


def _purchase_jobs(purchases: pd.DataFrame, alloc: pd.DataFrame, req: pd.DataFrame, seg: pd.DataFrame) -> pd.DataFrame:
    out = purchases.copy()
    wo: list[list[str]] = [[] for _ in range(len(out))]
    keys: list[list[str]] = [[] for _ in range(len(out))]
    if len(alloc):
        po = seg["po"].to_numpy()[alloc["seg"].to_numpy()]
        take = po >= 0
        ri = alloc["req"].to_numpy()[take]  # by requirement, so in job order within each purchase
        for column, lists in (("wo_no", wo), ("key", keys)):
            # Integer codes of the values (one hash pass), then the first time each
            # value draws on each purchase, kept in draw order: (po, value) pairs
            # without a text frame.
            codes, uniques = pd.factorize(req[column])
            code = codes[ri]
            has = code >= 0
            p_has, c_has = po[take][has], code[has].astype(np.int64)
            pair = p_has.astype(np.int64) * max(len(uniques), 1) + c_has
            first = np.sort(np.unique(pair, return_index=True)[1])
            order = np.argsort(p_has[first], kind="stable")
            pos = p_has[first][order]
            values = np.asarray(uniques, dtype=object)[c_has[first][order]].tolist()
            if not len(pos):
                continue
            starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
            ends = np.r_[starts[1:], len(pos)].astype(np.int64)
            for p, a, b in zip(pos[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
                lists[p] = values[a:b]
    out["wo_nos"] = wo
    out["keys"] = keys
    return out


def price_changes(ledger: Ledger) -> pd.DataFrame:
    """Each supplier price that replaced an earlier one for the same supplier and material."""
    p = ledger["supplier_prices"]
    p = p[p["supplier"].notna() & p["material"].notna() & p["unit_price"].notna() & p["since"].notna()]
    p = p.assign(supplier=p["supplier"].astype(str), material=p["material"].astype(str)).sort_values(
        ["supplier", "material", "since"], kind="stable"
    )
    previous = p.groupby(["supplier", "material"])["unit_price"].shift(1)
    out = pd.DataFrame(
        {
            "supplier": p["supplier"],
            "material": p["material"],
            "price": p["unit_price"].astype("float64"),
            "since": pd.to_datetime(p["since"]),
            "previous": previous.astype("float64"),
        }
    )
    out = out[out["previous"].notna()]
    out["change_pct"] = ((out["price"] - out["previous"]) / out["previous"] * 100).round(2)
    return out.reset_index(drop=True)


def price_in_force(ledger: Ledger, supplier: pd.Series, material: pd.Series, when: pd.Series) -> pd.Series:
    """The 供应商价格 in force on ``when`` (the latest 生效日期 on or before it) for
    each (supplier, material); NaN where none."""
    p = ledger["supplier_prices"]
    p = p[p["supplier"].notna() & p["material"].notna() & p["unit_price"].notna() & p["since"].notna()]
    out = pd.Series(np.nan, index=supplier.index, dtype="float64")
    if p.empty:
        return out
    left = pd.DataFrame(
        {"_i": np.arange(len(supplier)), "supplier": supplier.astype(str).to_numpy(),
         "material": material.astype(str).to_numpy(), "when": pd.to_datetime(when).to_numpy()}
    )
    left = left[left["when"].notna()].sort_values("when")
    right = pd.DataFrame(
        {"supplier": p["supplier"].astype(str).to_numpy(), "material": p["material"].astype(str).to_numpy(),
         "when": pd.to_datetime(p["since"]).to_numpy(), "price": p["unit_price"].astype("float64").to_numpy()}
    ).sort_values("when")
    if left.empty:
        return out
    m = pd.merge_asof(left, right, on="when", by=["supplier", "material"], direction="backward")
    values = out.to_numpy().copy()
    values[m["_i"].to_numpy()] = m["price"].to_numpy()
    return pd.Series(values, index=supplier.index)
