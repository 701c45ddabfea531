"""Cross-sheet rules over the typed tables. Each check is a plain function
``check_x(ledger, ctx) -> list[Issue]``; ``CHECKS`` lists them in order and
``run_checks`` applies them all. Rules are vectorised: a check selects the
offending rows with pandas, then builds one Issue per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from gendan_xl.ledger import (
    ROW,
    Ledger,
    Table,
    commitment_date,
    match_order_lines,
    member,
    order_key,
)
from gendan_xl.model import Issue

NO_WORK_ORDER_DAYS = 7
CLOSED_STATES = ("取消", "完成", "暂停")


@dataclass
class Context:
    """What the checks share, computed once."""

    as_of: date
    order_keys: pd.Series  # key per order row
    wo_keys: pd.Series  # order key per work-order row (NaN: no order line)
    ship_keys: pd.Series  # order key per shipment row

    @classmethod
    def build(cls, ledger: Ledger, as_of: date) -> Context:
        orders = ledger["orders"]
        return cls(
            as_of=as_of,
            order_keys=order_key(orders),
            wo_keys=match_order_lines(ledger["work_orders"], orders),
            ship_keys=match_order_lines(ledger["shipments"], orders),
        )

    @cached_property
    def lines(self) -> pd.Index:
        """The distinct order-line keys; their positions are the integer codes below
        (integer group-bys are several times faster than on text keys)."""
        return pd.Index(self.order_keys.drop_duplicates())

    def codes(self, keys: pd.Series) -> np.ndarray:
        """Position of each key in ``lines`` (-1: no order line)."""
        return np.asarray(self.lines.get_indexer(pd.Index(keys.astype(object))))

    @cached_property
    def wo_codes(self) -> np.ndarray:
        return self.codes(self.wo_keys)

    @cached_property
    def ship_codes(self) -> np.ndarray:
        return self.codes(self.ship_keys)

    @cached_property
    def has_work_order(self) -> np.ndarray:
        """Per order-line code: some work order names it."""
        out = np.zeros(len(self.lines), dtype=bool)
        out[self.wo_codes[self.wo_codes >= 0]] = True
        return out

    def per_line(self, codes: np.ndarray, values: pd.Series) -> np.ndarray:
        """Sum of ``values`` per order-line code (rows with code -1 or NaN ignored)."""
        ok = (codes >= 0) & values.notna().to_numpy()
        return np.bincount(codes[ok], weights=values.to_numpy(dtype="float64")[ok], minlength=len(self.lines))


Check = Callable[[Ledger, Context], list[Issue]]


def _labels(df: pd.DataFrame) -> pd.Series:
    order_no = df["order_no"].astype("string").fillna("")
    line_no = df["line_no"].astype("string").fillna("")
    item = df["item"].astype("string").fillna("")
    return pd.Series(
        np.where(line_no != "", order_no + "-" + line_no, order_no + "(" + item + ")"),
        index=df.index,
        dtype=object,
    )


def _duplicates(table: Table, keys: pd.Series, column: str) -> list[Issue]:
    """Every repeat of a key after its first row."""
    df = table.df
    present = keys.notna() & (keys.astype("string") != "")
    dup = keys.duplicated(keep="first") & present
    if not dup.any():
        return []
    first_row = df[ROW].groupby(keys.where(present)).transform("first")
    rows = df[dup].assign(_first=first_row[dup], _label=keys[dup])
    return table.issues_at("duplicate-key", rows, column, value_key="_label", first_row="@_first")


def check_duplicate_keys(ledger: Ledger, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    orders = ledger.table("orders")
    if not orders.df.empty:
        labels = _labels(orders.df)
        dup_col = "line_no" if orders.df["line_no"].notna().any() else "order_no"
        out += _duplicates(orders, labels.where(orders.df["order_no"].notna()), dup_col)
    for key, column in (("items", "item"), ("lines", "line"), ("work_orders", "wo_no"), ("customers", "customer")):
        table = ledger.table(key)
        if not table.df.empty:
            out += _duplicates(table, table.df[column].astype("string"), column)
    return out


def check_quantities(ledger: Ledger, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    for key in ("orders", "work_orders", "shipments"):
        table = ledger.table(key)
        df = table.df
        bad = df["qty"].notna() & (df["qty"] <= 0)
        out += table.issues_at("non-positive-qty", df[bad], "qty")
    return out


def check_due_before_order(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("orders")
    df = table.df
    bad = df["due_date"] < df["order_date"]
    return table.issues_at("due-before-order", df[bad], "due_date", order_date="@order_date")


def check_references(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Codes that must exist in their master sheet: items, lines, work orders."""
    out: list[Issue] = []
    items = ledger.table("items")
    lines = ledger.table("lines")
    if items.present:
        for key in ("orders", "work_orders"):
            table = ledger.table(key)
            df = table.df
            bad = df["item"].notna() & ~member(df["item"], items.df["item"])
            out += table.issues_at("unknown-item", df[bad], "item")
    if lines.present:
        for key in ("items", "work_orders", "daily"):
            table = ledger.table(key)
            df = table.df
            bad = df["line"].notna() & ~member(df["line"], lines.df["line"])
            out += table.issues_at("unknown-line", df[bad], "line")
    wos = ledger.table("work_orders")
    if wos.present:
        daily = ledger.table("daily")
        df = daily.df
        bad = df["wo_no"].notna() & ~member(df["wo_no"], wos.df["wo_no"])
        out += daily.issues_at("unknown-work-order", df[bad], "wo_no")
    return out


def check_unknown_orders(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Work orders and shipments that name no order line (有货无单)."""
    out: list[Issue] = []
    if not ledger.table("orders").present:
        return out
    for key, keys in (("work_orders", ctx.wo_keys), ("shipments", ctx.ship_keys)):
        table = ledger.table(key)
        df = table.df
        bad = keys.isna() & df["order_no"].notna()
        if bad.any():
            rows = df[bad].assign(_label=_labels(df[bad]))
            out += table.issues_at("unknown-order", rows, "order_no", value_key="_label")
    return out


def check_over_issued(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("orders")
    totals = ctx.per_line(ctx.wo_codes, ledger["work_orders"]["qty"])
    first = ~ctx.order_keys.duplicated()
    df = table.df[first]
    codes = ctx.codes(ctx.order_keys[first])
    df = df.assign(_total=totals[codes])
    bad = df["qty"].notna() & (df["_total"] > df["qty"] + 1e-9) & ctx.has_work_order[codes]
    rows = df[bad].assign(_label=_labels(df[bad]))
    return table.issues_at("over-issued", rows, "qty", key="@_label", total="@_total", qty="@qty")


def check_over_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("work_orders")
    daily = ledger["daily"]
    good = daily["good_qty"].groupby(daily["wo_no"], sort=False).sum()
    df = table.df.drop_duplicates("wo_no")
    df = df.assign(_total=df["wo_no"].map(good).astype("float64"))
    bad = df["_total"].notna() & df["qty"].notna() & (df["_total"] > df["qty"] + 1e-9)
    return table.issues_at("over-produced", df[bad], "wo_no", total="@_total", qty="@qty")


def _line_facts(ledger: Ledger, ctx: Context) -> pd.DataFrame:
    """Per order-line code: qty and the clerk's label (first row of a duplicated key)."""
    orders = ledger["orders"]
    first = ~ctx.order_keys.duplicated()
    return pd.DataFrame(
        {"qty": orders["qty"][first].to_numpy(), "label": _labels(orders[first]).to_numpy()},
        index=ctx.codes(ctx.order_keys[first]),
    )


def _first_in_group(flags: pd.Series, groups: pd.Series) -> pd.Series:
    """The first True of each group (rows already in order)."""
    return flags & (flags.astype("int64").groupby(groups.to_numpy(), sort=False).cumsum() == 1)


def check_over_shipped(ledger: Ledger, ctx: Context) -> list[Issue]:
    """The shipment row at which the running total passes the order qty."""
    table = ledger.table("shipments")
    df = table.df.assign(_code=ctx.ship_codes)
    df = df[(df["_code"] >= 0) & df["qty"].notna()]
    if df.empty:
        return []
    facts = _line_facts(ledger, ctx)
    df = df.sort_values(["ship_date", ROW], kind="stable")
    groups = df["_code"]
    running = df["qty"].groupby(groups.to_numpy(), sort=False).cumsum()
    limit = pd.Series(facts["qty"].reindex(groups.to_numpy()).to_numpy(), index=df.index)
    first_over = _first_in_group(running > limit + 1e-9, groups)
    if not first_over.any():
        return []
    totals = df["qty"].groupby(groups.to_numpy(), sort=False).sum()
    hit = df[first_over]
    rows = hit.assign(
        _label=facts["label"].reindex(hit["_code"]).to_numpy(),
        _total=totals.reindex(hit["_code"]).to_numpy(),
        _qty=limit[first_over].to_numpy(),
    )
    return table.issues_at("over-shipped", rows, "qty", key="@_label", total="@_total", qty="@_qty")


def check_shipped_before_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Cumulative shipped by a date exceeds cumulative good output by that date,
    for order lines that are made here (have work orders)."""
    ships = ledger.table("shipments")
    s = ships.df.assign(_code=ctx.ship_codes)
    wo_codes = ctx.wo_codes
    s = s[(s["_code"] >= 0) & s["qty"].notna() & s["ship_date"].notna() & s["_code"].isin(wo_codes[wo_codes >= 0])]
    if s.empty:
        return []
    # Daily good output per order line and date: work order -> order-line code.
    wos = ledger["work_orders"]
    first = ~wos["wo_no"].duplicated()
    wo_index = pd.Index(wos["wo_no"][first].astype(object))
    wo_line = wo_codes[first.to_numpy()]
    daily = ledger["daily"]
    pos = np.asarray(wo_index.get_indexer(pd.Index(daily["wo_no"].astype(object))))
    code = np.where(pos >= 0, wo_line[np.clip(pos, 0, None)], -1) if len(wo_line) else np.full(len(pos), -1)
    d = pd.DataFrame({"_code": code, "ship_date": daily["date"].to_numpy(), "_produced": daily["good_qty"].to_numpy()})
    d = d[(d["_code"] >= 0) & d["ship_date"].notna()]
    prod = d.groupby(["_code", "ship_date"], sort=False)["_produced"].sum().reset_index()
    prod = prod.sort_values(["_code", "ship_date"], kind="stable")
    prod["_produced"] = prod.groupby("_code", sort=False)["_produced"].cumsum()
    s = s.sort_values(["ship_date", ROW], kind="stable")
    s["_shipped"] = s["qty"].groupby(s["_code"].to_numpy(), sort=False).cumsum()
    merged = pd.merge_asof(
        s.reset_index(), prod.sort_values("ship_date"), on="ship_date", by="_code", direction="backward"
    ).set_index("index")
    merged["_produced"] = merged["_produced"].fillna(0.0)
    # One warning per order line: its first shipment that ran ahead of production.
    bad = _first_in_group(merged["_shipped"] > merged["_produced"] + 1e-9, merged["_code"])
    if not bad.any():
        return []
    hit = merged[bad]
    rows = hit.assign(_label=_line_facts(ledger, ctx)["label"].reindex(hit["_code"]).to_numpy())
    return ships.issues_at(
        "shipped-before-produced", rows, "ship_date", key="@_label", shipped="@_shipped", produced="@_produced"
    )


def check_future_dates(ledger: Ledger, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    limit = pd.Timestamp(ctx.as_of)
    for key, column in (("daily", "date"), ("shipments", "ship_date"), ("shipments", "signed_date")):
        table = ledger.table(key)
        df = table.df
        bad = df[column] > limit
        out += table.issues_at("future-date", df[bad], column, as_of=ctx.as_of)
    return out


def check_signed_before_shipped(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("shipments")
    df = table.df
    bad = df["signed_date"] < df["ship_date"]
    return table.issues_at("signed-before-shipped", df[bad], "signed_date", ship_date="@ship_date")


def check_duplicate_reports(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("daily")
    df = table.df
    cols = ["date", "wo_no", "line", "shift", "good_qty", "bad_qty", "hours"]
    if df.empty:
        return []
    dup = df.duplicated(cols, keep="first") & df["wo_no"].notna()
    if not dup.any():
        return []
    first = df.groupby(cols, dropna=False)[ROW].transform("first")
    rows = df[dup].assign(
        _first=first[dup],
        _label=df.loc[dup, "date"].dt.strftime("%Y-%m-%d") + " " + df.loc[dup, "wo_no"].astype(str),
    )
    return table.issues_at("duplicate-report-row", rows, "wo_no", value_key="_label", first_row="@_first")


def check_no_work_order(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines with no work order within 7 days of their commitment (有单无工单)."""
    table = ledger.table("orders")
    df = table.df
    if df.empty or not ledger.table("work_orders").present:
        return []
    codes = ctx.codes(ctx.order_keys)
    shipped = ctx.per_line(ctx.ship_codes, ledger["shipments"]["qty"])[codes]
    commit = commitment_date(df)
    open_line = ~df["status"].isin(CLOSED_STATES) & (shipped < df["qty"].fillna(0.0).to_numpy())
    no_wo = ~ctx.has_work_order[codes]
    soon = commit <= pd.Timestamp(ctx.as_of + timedelta(days=NO_WORK_ORDER_DAYS))
    bad = open_line & no_wo & soon & df["qty"].notna()
    rows = df[bad].assign(_label=_labels(df[bad]), _commit=commit[bad])
    return table.issues_at("no-work-order", rows, "order_no", key="@_label", commitment="@_commit")


def check_missing_rate(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines whose item is known but has no usable standard rate."""
    items = ledger["items"]
    if items.empty:
        return []
    rate = items.drop_duplicates("item").set_index("item")["std_rate"]
    table = ledger.table("orders")
    df = table.df
    item_rate = df["item"].map(rate)
    known = df["item"].isin(rate.index)
    bad = known & ~(item_rate > 0) & ~df["status"].isin(CLOSED_STATES)
    return table.issues_at("missing-rate", df[bad], "item")


def check_delivery_notes(ledger: Ledger, ctx: Context) -> list[Issue]:
    """One 送货单号 must stand for one customer and one ship date."""
    table = ledger.table("shipments")
    df = table.df
    notes = df["note_no"]
    if notes.isna().all():
        return []
    customer_by_key = pd.Series(ledger["orders"]["customer"].to_numpy(), index=ctx.order_keys.to_numpy())
    customer_by_key = customer_by_key[~customer_by_key.index.duplicated()]
    d = df.assign(_customer=ctx.ship_keys.map(customer_by_key), _date=df["ship_date"].dt.strftime("%Y-%m-%d"))
    d = d[notes.notna()]
    out: list[Issue] = []
    for column, what_zh, what_en in (("_customer", "客户", "customers"), ("_date", "日期", "dates")):
        sub = d[d[column].notna()]
        first = sub.groupby("note_no")[column].transform("first")
        bad = sub[column] != first
        # One issue per conflicting row after the first value.
        rows = sub[bad].assign(_first=first[bad])
        out += table.issues_at(
            "duplicate-delivery-note",
            rows,
            "note_no",
            what=what_zh,
            what_en=what_en,
            first="@_first",
            second=f"@{column}",
        )
    return out


CHECKS: list[Check] = [
    check_duplicate_keys,
    check_quantities,
    check_due_before_order,
    check_references,
    check_unknown_orders,
    check_over_issued,
    check_over_produced,
    check_over_shipped,
    check_shipped_before_produced,
    check_future_dates,
    check_signed_before_shipped,
    check_duplicate_reports,
    check_no_work_order,
    check_missing_rate,
    check_delivery_notes,
]


def run_checks(ledger: Ledger, as_of: date) -> list[Issue]:
    """Every check over the ledger; the read issues are not repeated here."""
    ctx = Context.build(ledger, as_of)
    out: list[Issue] = []
    for check in CHECKS:
        out += check(ledger, ctx)
    return out


__all__ = ["CHECKS", "Context", "run_checks"]
