"""Cross-sheet rules over the typed tables. Each check is a plain function
``check_x(ledger, ctx) -> list[Issue]``; ``CHECKS`` lists them in order and
``run_checks`` applies them all. Rules are vectorised: a check selects the
offending rows with pandas, then builds one Issue per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from gendan_xl.ledger import (
    ROW,
    SRC,
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


Check = Callable[[Ledger, Context], list[Issue]]


def key_label(order_no: object, line_no: object, item: object) -> str:
    """How a clerk names an order line: ``SO123-2`` or ``SO123(P001)``."""
    if isinstance(line_no, str) and line_no:
        return f"{order_no}-{line_no}"
    return f"{order_no}({item})"


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


def _order_frame(ledger: Ledger, ctx: Context) -> pd.DataFrame:
    orders = ledger["orders"]
    return pd.DataFrame(
        {"key": ctx.order_keys, "qty": orders["qty"], "label": _labels(orders)}
    ).drop_duplicates("key")


def check_over_issued(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("orders")
    wo = ledger["work_orders"]
    totals = wo["qty"].groupby(ctx.wo_keys).sum()
    df = table.df.assign(_key=ctx.order_keys, _label=_labels(table.df))
    df = df.drop_duplicates("_key")
    df["_total"] = df["_key"].map(totals)
    bad = df["_total"].notna() & df["qty"].notna() & (df["_total"] > df["qty"] + 1e-9)
    return table.issues_at("over-issued", df[bad], "qty", key="@_label", total="@_total", qty="@qty")


def check_over_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    table = ledger.table("work_orders")
    good = ledger["daily"]["good_qty"].groupby(ledger["daily"]["wo_no"]).sum()
    df = table.df.drop_duplicates("wo_no")
    df = df.assign(_total=df["wo_no"].map(good))
    bad = df["_total"].notna() & df["qty"].notna() & (df["_total"] > df["qty"] + 1e-9)
    return table.issues_at("over-produced", df[bad], "wo_no", total="@_total", qty="@qty")


def check_over_shipped(ledger: Ledger, ctx: Context) -> list[Issue]:
    """The shipment row at which the running total passes the order qty."""
    table = ledger.table("shipments")
    df = table.df.assign(_key=ctx.ship_keys)
    df = df[df["_key"].notna() & df["qty"].notna()]
    if df.empty:
        return []
    orders = _order_frame(ledger, ctx).set_index("key")
    df = df.sort_values(["ship_date", ROW], kind="stable")
    running = df.groupby("_key")["qty"].cumsum()
    limit = df["_key"].map(orders["qty"])
    over = running > limit + 1e-9
    first_over = over & ~over.groupby(df["_key"]).shift(fill_value=False).astype(bool)
    rows = df[first_over].assign(
        _label=df.loc[first_over, "_key"].map(orders["label"]),
        _total=df["_key"].map(df.groupby("_key")["qty"].sum())[first_over],
        _qty=limit[first_over],
    )
    return table.issues_at("over-shipped", rows, "qty", key="@_label", total="@_total", qty="@_qty")


def check_shipped_before_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Cumulative shipped by a date exceeds cumulative good output by that date,
    for order lines that are made here (have work orders)."""
    ships = ledger.table("shipments")
    s = ships.df.assign(_key=ctx.ship_keys)
    s = s[s["_key"].notna() & s["qty"].notna() & s["ship_date"].notna()]
    daily = ledger["daily"]
    wo_key = pd.Series(ctx.wo_keys.to_numpy(), index=ledger["work_orders"]["wo_no"].to_numpy())
    wo_key = wo_key[~wo_key.index.duplicated()]
    d = pd.DataFrame({"_key": daily["wo_no"].map(wo_key), "date": daily["date"], "good": daily["good_qty"]})
    d = d[d["_key"].notna() & d["date"].notna()]
    if s.empty:
        return []
    made_here = member(s["_key"], ctx.wo_keys)
    s = s[made_here].sort_values(["ship_date", ROW], kind="stable")
    if s.empty:
        return []
    s["_shipped"] = s.groupby("_key")["qty"].cumsum()
    prod = d.groupby(["_key", "date"])["good"].sum().groupby(level=0).cumsum().reset_index()
    prod = prod.rename(columns={"date": "ship_date", "good": "_produced"}).sort_values("ship_date")
    # pandas 3 turns the grouped keys into its str dtype; the shipments' keys are
    # object, and merge_asof refuses to match the two.
    prod["_key"] = prod["_key"].astype(object)
    merged = pd.merge_asof(
        s.reset_index().sort_values("ship_date"),
        prod,
        on="ship_date",
        by="_key",
        direction="backward",
    ).set_index("index")
    merged["_produced"] = merged["_produced"].fillna(0.0)
    bad = merged["_shipped"] > merged["_produced"] + 1e-9
    # One warning per order line: its first shipment that ran ahead of production.
    bad &= ~bad.groupby(merged["_key"]).shift(fill_value=False).astype(bool)
    rows = merged[bad].assign(_label=merged.loc[bad, "_key"].map(_order_frame(ledger, ctx).set_index("key")["label"]))
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
    shipped = ledger["shipments"]["qty"].groupby(ctx.ship_keys).sum()
    commit = commitment_date(df)
    open_line = ~df["status"].isin(CLOSED_STATES) & (
        ctx.order_keys.map(shipped).fillna(0.0) < df["qty"].fillna(0.0)
    )
    no_wo = ~member(ctx.order_keys, ctx.wo_keys)
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


__all__ = ["CHECKS", "SRC", "Context", "key_label", "run_checks"]
