"""The order book: every order line of a ledger once, with its totals, and the order
line every work-order, daily-report and shipment row belongs to.

It is derived once per ledger (``ledger.book``), after reading and before checking;
checks, planning, documents, the report, the ribbon and batch all read their
order-line facts from it instead of matching rows again. Everything is vectorised:
order lines and work orders get integer codes (their position in ``lines`` /
``work_orders``) and totals are ``bincount``s over those codes.

Quantities, per order line (DESIGN §5 and "Order fate a clerk can trust"):

- ``issued``: qty of its active work orders (not 完成/关闭/取消);
- ``produced`` / ``rejects``: good and rejected pieces over all its work orders;
- ``shipped``: shipped pieces, less returns (出货.类型 退货);
- ``active_balance``: what its active work orders still have to make (a 暂停 work
  order still covers its balance, ``held_balance`` says how much of it is held);
- ``uncovered_qty``: for an open line, ``max(0, qty - max(produced, shipped) -
  active_balance - out_open)``: pieces no work order covers (有单无工单, partly).

Outsourcing (the optional 外协 sheet, rows matched to order lines like shipments):
``out_returned`` (已回数量 of its lots) counts in ``produced``; ``out_open`` (数量 -
已回数量 of its lots, never below 0) covers the line like a work order does;
``out_due`` is the latest 预计回厂 of its open lots (the plan's forecast for them).

Quality holds (optional 品质异常 sheet, ``quality``): a work order's ``produced`` is
its reported good pieces less its open 返工 (until 结案日期) and all its 报废;
``rework_balance`` is the part of its balance that waits for rework (planned again
on its line from 预计完成, ``rework_release``), and stays covered even when the work
order is closed. 让步接受 changes no quantity. ``quality_open``: the order line has
an item without 结案日期.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from gendan_xl.calendar import line_key
from gendan_xl.ledger import (
    ROW,
    SRC,
    Ledger,
    commitment_date,
    match_order_rows,
    order_key,
    order_label,
    positions,
    return_rows,
    signed_ship_qty,
)
from gendan_xl.model import PRIORITY_RANK
from gendan_xl.schema import (
    ORDER_CLOSED_STATES,
    ORDER_HOLD_STATES,
    REWORK,
    SCRAP,
    WO_CLOSED_STATES,
    WO_HOLD_STATES,
)

DEFAULT_PRIORITY = "普通"
EPS = 1e-9


def norm_line(series: pd.Series) -> pd.Series:
    """Line names as the calendar knows them (trimmed, NFKC; NaN for blank)."""
    uniques = series.dropna().unique()
    mapping = {u: line_key(u) for u in uniques}
    out = series.map(mapping)
    return out.where(out.notna(), np.nan).astype(object)


def _sum(codes: np.ndarray, values: pd.Series | np.ndarray, n: int) -> np.ndarray:
    """Sum of ``values`` per code 0..n-1 (code -1 and NaN values ignored)."""
    v = np.asarray(values, dtype="float64")
    ok = (codes >= 0) & ~np.isnan(v)
    return np.bincount(codes[ok], weights=v[ok], minlength=n)[:n]


def _max_date(codes: np.ndarray, dates: pd.Series, n: int) -> np.ndarray:
    """Latest date per code (NaT where none)."""
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    d = dates.to_numpy(dtype="datetime64[ns]")
    ok = (codes >= 0) & ~np.isnat(d)
    if ok.any():
        as_int = d[ok].astype(np.int64)
        best = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(best, codes[ok], as_int)
        has = best != np.iinfo(np.int64).min
        out[has] = best[has].astype("datetime64[ns]")
    return out


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, NaN where whole is 0."""
    return np.divide(part, whole, out=np.full(len(part), np.nan), where=whole > 0)


def _line_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Order-line facts of 订单 rows (one row each, not yet deduplicated)."""
    priority = df["priority"].where(df["priority"].notna(), DEFAULT_PRIORITY)
    return pd.DataFrame(
        {
            "key": order_key(df),
            "label": order_label(df),
            "order_no": df["order_no"],
            "line_no": df["line_no"],
            "customer": df["customer"],
            "customer_po": df.get("customer_po", np.nan),
            "item": df["item"],
            "item_name": df.get("item_name", np.nan),
            "qty": df["qty"].astype("float64"),
            "order_date": df["order_date"],
            "due_date": df["due_date"],
            "promised_date": df["promised_date"],
            "commitment_date": commitment_date(df),
            "priority": priority,
            "priority_rank": priority.map(PRIORITY_RANK).fillna(PRIORITY_RANK[DEFAULT_PRIORITY]).astype(np.int64),
            "order_status": df["status"],
            "line_override": norm_line(df["line"]) if "line" in df else np.nan,
            SRC: df[SRC],
            ROW: df[ROW],
        }
    )


def _add_outsourcing(out: pd.DataFrame, lots: pd.DataFrame, codes: np.ndarray) -> None:
    """外协 lots per order line (in place): returned good pieces count as produced,
    the open pieces cover the line, their latest 预计回厂 is ``out_due``."""
    n = len(out)
    if lots.empty or not len(codes):
        out["out_returned"] = 0.0
        out["out_open"] = 0.0
        out["out_due"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
        return
    returned, open_qty = outsourced_quantities(lots)
    out["out_returned"] = _sum(codes, returned, n)
    out["out_open"] = _sum(codes, open_qty, n)
    out["produced"] = out["produced"].to_numpy() + out["out_returned"].to_numpy()
    out["out_due"] = _max_date(np.where(open_qty > EPS, codes, -1), lots["due"], n)


def outsourced_quantities(lots: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per 外协 row: the pieces back (已回数量, blank 0) and still out (数量 - 已回数量,
    never below 0; a qty that cannot be read counts 0)."""
    qty = np.nan_to_num(lots["qty"].to_numpy(dtype="float64"))
    returned = np.clip(np.nan_to_num(lots["returned"].to_numpy(dtype="float64")), 0.0, None)
    return returned, np.clip(qty - returned, 0.0, None)


@dataclass(frozen=True)
class OrderBook:
    """Order lines (``lines``, position = code), distinct work orders
    (``work_orders``, position = work-order code) and the codes of every row."""

    lines: pd.DataFrame
    work_orders: pd.DataFrame
    order_codes: np.ndarray  # per 订单 row: its order line (-1: no 订单号)
    wo_codes: np.ndarray  # per 工单 row: its order line (-1: none matches)
    ship_codes: np.ndarray  # per 出货 row: its order line (-1: none matches)
    daily_wo: np.ndarray  # per 生产日报 row: its work order (-1: unknown 工单号)
    # per 外协 row: its order line (-1: none matches)
    out_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per 品质异常 row: its work order, order line, open state
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)

    # --- building ---------------------------------------------------------------

    @classmethod
    def build(cls, ledger: Ledger) -> OrderBook:
        orders = ledger["orders"]
        named = orders["order_no"].notna().to_numpy()
        rows = _line_rows(orders)
        first = named & ~rows["key"].duplicated(keep="first").to_numpy()
        lines = rows[first].reset_index(drop=True)
        index = pd.Index(lines["key"].astype(object))
        order_codes = np.where(named, index.get_indexer(rows["key"].astype(object)), -1)
        named_orders, named_codes = orders[named], order_codes[named]

        def codes_of(df: pd.DataFrame) -> np.ndarray:
            if df.empty or lines.empty:
                return np.full(len(df), -1, dtype=np.int64)
            hit = match_order_rows(df, named_orders)
            return np.where(hit >= 0, named_codes[np.clip(hit, 0, None)], -1)

        wo_rows = ledger["work_orders"]
        wo_codes = codes_of(wo_rows)
        ship_codes = codes_of(ledger["shipments"])

        # Work orders: the first row of each 工单号.
        has_no = wo_rows["wo_no"].notna().to_numpy()
        wo_first = has_no & ~wo_rows["wo_no"].duplicated(keep="first").to_numpy()
        wo = wo_rows[wo_first].reset_index(drop=True)
        daily = ledger["daily"]
        daily_wo = (
            positions(daily["wo_no"], wo["wo_no"])
            if len(wo) and len(daily)
            else np.full(len(daily), -1, dtype=np.int64)
        )
        quality = cls._quality(ledger["quality"], wo, wo_codes[wo_first], lines)
        work_orders = cls._work_orders(wo, wo_codes[wo_first], lines, ledger, daily, daily_wo, quality)
        out_codes = codes_of(ledger["outsourcing"])
        lines = cls._totals(
            lines, work_orders, ship_codes, ledger["shipments"], (ledger["outsourcing"], out_codes), quality
        )
        return cls(lines, work_orders, order_codes, wo_codes, ship_codes, daily_wo, out_codes, quality)

    @staticmethod
    def _quality(q: pd.DataFrame, wo: pd.DataFrame, codes: np.ndarray, lines: pd.DataFrame) -> pd.DataFrame:
        """品质异常 rows with their work order (``wo_code``), order line (``code``,
        ``key``, ``label``) and ``open`` (no 结案日期)."""
        wo_code = (
            positions(q["wo_no"], wo["wo_no"]) if len(q) and len(wo) else np.full(len(q), -1, dtype=np.int64)
        )
        code = np.where(wo_code >= 0, codes[np.clip(wo_code, 0, None)] if len(codes) else -1, -1)
        keys = lines["key"].to_numpy(dtype=object)
        labels = lines["label"].to_numpy(dtype=object)
        has = code >= 0
        pick = np.clip(code, 0, None)
        return pd.DataFrame(
            {
                "date": q["date"],
                "wo_no": q["wo_no"],
                "wo_code": wo_code,
                "code": code,
                "key": np.where(has, keys[pick] if len(keys) else None, None),
                "label": np.where(has, labels[pick] if len(labels) else None, None),
                "problem": q["problem"],
                "action": q["action"],
                "qty": q["qty"].astype("float64"),
                "expected": q["expected"],
                "closed_date": q["closed_date"],
                "open": q["closed_date"].isna().to_numpy(),
                SRC: q[SRC],
                ROW: q[ROW],
            }
        )

    @staticmethod
    def _work_orders(
        wo: pd.DataFrame,
        codes: np.ndarray,
        lines: pd.DataFrame,
        ledger: Ledger,
        daily: pd.DataFrame,
        daily_wo: np.ndarray,
        quality: pd.DataFrame,
    ) -> pd.DataFrame:
        n = len(wo)
        items = ledger["items"]
        items = items[items["item"].notna() & ~items["item"].duplicated(keep="first")]
        item_line = pd.Series(norm_line(items["line"]).to_numpy(), index=items["item"].to_numpy(), dtype=object)
        own_line = norm_line(wo["line"])
        line = own_line.where(own_line.notna(), wo["item"].map(item_line))
        reported = _sum(daily_wo, daily["good_qty"], n)
        rejects = _sum(daily_wo, daily["bad_qty"], n)
        # Quality holds: open rework and all scrap are not good output.
        qwo = quality["wo_code"].to_numpy()
        action = quality["action"]
        rework = (action == REWORK).to_numpy() & quality["open"].to_numpy()
        rework_open = _sum(np.where(rework, qwo, -1), quality["qty"], n)
        scrapped = _sum(np.where((action == SCRAP).to_numpy(), qwo, -1), quality["qty"], n)
        produced = np.clip(reported - rework_open - scrapped, 0.0, None)
        qty = wo["qty"].astype("float64").to_numpy()
        state = wo["status"]
        closed = state.isin(WO_CLOSED_STATES).to_numpy()
        held = state.isin(WO_HOLD_STATES).to_numpy()
        balance = np.nan_to_num(np.clip(qty - produced, 0.0, None))
        # The part of the balance that waits for rework: covered by the work order
        # even when it is closed (the rework is planned again on its line).
        rework_balance = np.minimum(rework_open, balance)
        keys = lines["key"].to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "wo_no": wo["wo_no"],
                "code": codes,
                "key": np.where(codes >= 0, keys[np.clip(codes, 0, None)] if len(keys) else None, None),
                "order_no": wo["order_no"],
                "line_no": wo["line_no"],
                "item": wo["item"],
                "qty": qty,
                "state": state,
                "closed": closed,
                "held": held,
                "own_line": own_line,
                "line": line,
                "reported": reported,
                "produced": produced,
                "rejects": rejects,
                "yield": _share(reported, reported + rejects),
                "rework_open": rework_open,
                "scrapped": scrapped,
                "rework_balance": rework_balance,
                "rework_release": _max_date(np.where(rework, qwo, -1), quality["expected"], n),
                "balance": balance,
                "active_balance": np.where(closed, rework_balance, balance),
                "last_report": _max_date(daily_wo, daily["date"], n),
                "plan_start": wo["plan_start"],
                "plan_finish": wo["plan_finish"],
                SRC: wo[SRC],
                ROW: wo[ROW],
            }
        )

    @staticmethod
    def _totals(
        lines: pd.DataFrame,
        wo: pd.DataFrame,
        ship_codes: np.ndarray,
        shipments: pd.DataFrame,
        outsourced: tuple[pd.DataFrame, np.ndarray] | None = None,
        quality: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        n = len(lines)
        codes = wo["code"].to_numpy()
        active = ~wo["closed"].to_numpy()
        cancelled = wo["state"].eq("取消").to_numpy()
        qty = wo["qty"].to_numpy()
        out = lines.copy()
        out["wo_total"] = _sum(np.where(cancelled, -1, codes), qty, n)
        out["issued"] = _sum(np.where(active, codes, -1), qty, n)
        out["active_balance"] = _sum(codes, wo["active_balance"], n)
        out["held_balance"] = _sum(np.where(wo["held"].to_numpy(), codes, -1), wo["active_balance"], n)
        # An active work order whose qty cannot be read may cover anything: no
        # uncovered quantity is claimed for its line (the bad cell is an error already).
        unknown = np.zeros(n, dtype=bool)
        unknown[codes[active & np.isnan(qty) & (codes >= 0)]] = True
        out["wo_qty_unknown"] = unknown
        out["produced"] = _sum(codes, wo["produced"], n)
        out["rejects"] = _sum(codes, wo["rejects"], n)
        out["rework_open"] = _sum(codes, wo["rework_open"], n)
        out["scrapped"] = _sum(codes, wo["scrapped"], n)
        if quality is not None and len(quality):
            qcodes = quality["code"].to_numpy()
            out["quality_open"] = np.bincount(qcodes[(qcodes >= 0) & quality["open"].to_numpy()], minlength=n)[:n] > 0
        else:
            out["quality_open"] = np.zeros(n, dtype=bool)
        # Returns (类型 退货) net off what was shipped; the last delivery date ignores them.
        out["shipped"] = _sum(ship_codes, signed_ship_qty(shipments), n)
        out["last_ship"] = _max_date(np.where(return_rows(shipments).to_numpy(), -1, ship_codes),
                                     shipments["ship_date"], n)
        out["last_report"] = _max_date(codes, wo["last_report"], n)
        has_wo = np.zeros(n, dtype=bool)
        has_wo[codes[codes >= 0]] = True
        out["has_wo"] = has_wo
        first_line = wo[codes >= 0].drop_duplicates("code")
        wo_line = np.full(n, np.nan, dtype=object)
        wo_line[first_line["code"].to_numpy()] = first_line["line"].to_numpy(dtype=object)
        out["wo_line"] = wo_line
        _add_outsourcing(out, *(outsourced or (pd.DataFrame(), np.zeros(0, dtype=np.int64))))
        return OrderBook._derived(out)

    @staticmethod
    def _derived(out: pd.DataFrame) -> pd.DataFrame:
        """Open state, balance left to make and the quantity no work order covers."""
        qty = out["qty"].to_numpy(dtype="float64")
        status = out["order_status"]
        out["open"] = (
            ~status.isin(ORDER_CLOSED_STATES + ORDER_HOLD_STATES).to_numpy()
            & (out["shipped"].to_numpy() < qty)
        )
        out["balance"] = np.nan_to_num(np.clip(qty - out["produced"].to_numpy(), 0.0, None))
        done = np.maximum(out["produced"].to_numpy(), out["shipped"].to_numpy())
        covered = out["active_balance"].to_numpy() + out["out_open"].to_numpy()
        uncovered = np.nan_to_num(np.clip(qty - done - covered, 0.0, None))
        uncovered[uncovered < EPS] = 0.0
        out["uncovered_qty"] = np.where(out["open"].to_numpy() & ~out["wo_qty_unknown"].to_numpy(), uncovered, 0.0)
        return out

    def with_extra(self, extra: pd.DataFrame) -> OrderBook:
        """The book with extra order rows (a what-if's rush order) as new lines that
        have no work orders, reports or shipments yet."""
        rows = _line_rows(extra)
        for column in ("wo_total", "issued", "active_balance", "held_balance", "produced", "rejects", "shipped",
                       "out_returned", "out_open", "rework_open", "scrapped"):
            rows[column] = 0.0
        rows["out_due"] = pd.NaT
        rows["quality_open"] = False
        rows["last_ship"] = pd.NaT
        rows["last_report"] = pd.NaT
        rows["has_wo"] = False
        rows["wo_qty_unknown"] = False
        rows["wo_line"] = np.nan
        rows = self._derived(rows)
        lines = pd.concat([self.lines, rows[self.lines.columns]], ignore_index=True)
        return replace(self, lines=lines)

    # --- lookups --------------------------------------------------------------------

    def line_of(self, codes: np.ndarray, column: str) -> np.ndarray:
        """``lines[column]`` per code (None / NaN for code -1)."""
        values = self.lines[column].to_numpy()
        if not len(values):
            return np.full(len(codes), np.nan, dtype=object)
        picked = values[np.clip(codes, 0, None)].astype(object)
        picked[codes < 0] = np.nan
        return picked

    @property
    def ship_keys(self) -> pd.Series:
        """Order-line key per 出货 row (NaN: none matches), on the 出货 table's index."""
        return pd.Series(self.line_of(self.ship_codes, "key"), dtype=object)


__all__ = ["OrderBook", "norm_line", "outsourced_quantities"]
