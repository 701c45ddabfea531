"""What the report workbook shows, as plain tables: the plan's results and the
ledger cut down to open work (pandas only, no spreadsheet library here).

``build_report_data`` turns a ledger, its plan and its issues into one
``ReportData``: open order lines by severity, open work orders, capacity per
line and ISO week, the 14-day shipping plan, delivery notes awaiting their
signed copy, OTD per customer and month, and the key figures of the overview.
Done and cancelled lines appear only inside the OTD aggregates, so the report
grows with open work, not with history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.ledger import Ledger, order_key
from gendan_xl.model import Issue, Severity

SHIP_WINDOW_DAYS = 14
LOAD_WEEKS = 4  # the overview's utilisation covers this many ISO weeks from the as-of week
MAX_WEEKS = 26  # the heat map shows at most this many weeks

# Severity order of the 交期预警 sheet; done and cancelled lines are not listed.
SEVERITY = {"overdue": 0, "late": 1, "at_risk": 2, "unschedulable": 3, "on_track": 4, "hold": 5}
CLOSED = ("done", "cancelled")


@dataclass
class Figures:
    """Key figures of the overview sheet."""

    open_lines: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    otd_lines: int = 0
    otd_on_time: int = 0
    utilization: float | None = None  # all lines, the next LOAD_WEEKS ISO weeks
    unsigned_notes: int = 0
    oldest_unsigned_days: int | None = None
    shipping_lines: int = 0
    errors: int = 0
    warnings: int = 0

    @property
    def otd_rate(self) -> float | None:
        return self.otd_on_time / self.otd_lines if self.otd_lines else None


@dataclass
class ReportData:
    as_of: date
    ledger_name: str
    alerts: pd.DataFrame  # open order lines, most severe first
    work_orders: pd.DataFrame  # open work orders
    capacity: pd.DataFrame  # line, week, available_hours, scheduled_hours, utilization
    line_load: pd.DataFrame  # line, available_hours, scheduled_hours, utilization (next LOAD_WEEKS weeks)
    overloads: pd.DataFrame  # line, by_date, shortfall_hours, shortfall_qty, orders
    shipping: pd.DataFrame  # the next SHIP_WINDOW_DAYS days
    receipts: pd.DataFrame  # delivery notes not signed back
    otd: pd.DataFrame  # customer, month, lines, on_time, rate
    issues: list[Issue]
    figures: Figures


# --- helpers ---------------------------------------------------------------------


def frame(value: Any) -> pd.DataFrame:
    """A plan result part as a DataFrame (it may be one, or a list of records)."""
    if isinstance(value, pd.DataFrame):
        return value
    if value is None:
        return pd.DataFrame()
    rows = [r if isinstance(r, dict) else getattr(r, "__dict__", r) for r in value]
    return pd.DataFrame(rows)


def column(df: pd.DataFrame, name: str, default: Any = np.nan) -> pd.Series:
    if name in df:
        return df[name]
    return pd.Series(default, index=df.index, dtype=object if isinstance(default, str) else None)


def as_ts(series: pd.Series) -> pd.Series:
    """Dates of any form (date, Timestamp, ISO text) as datetime64 at midnight."""
    return pd.to_datetime(series, errors="coerce").dt.normalize()


def first_given(own: pd.Series, other: pd.Series) -> pd.Series:
    """``own`` where given, else ``other`` (as objects: the two may differ in dtype)."""
    return own.astype(object).where(own.notna(), other.astype(object))


def text_of(value: Any) -> str:
    """A status/reason value (enum, text or blank) as its plain text value."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(getattr(value, "value", value))


def _by_key(ledger: Ledger, columns: list[str]) -> pd.DataFrame:
    """Ledger order columns indexed by order-line key (first row of a key)."""
    orders = ledger["orders"]
    keys = order_key(orders)
    out = orders[columns].copy()
    out.index = pd.Index(keys.to_numpy())
    return out[~out.index.duplicated(keep="first")]


# --- the tables ----------------------------------------------------------------------


def order_lines(ledger: Ledger, plan_orders: Any) -> pd.DataFrame:
    """The plan's order lines with what the report adds from the ledger
    (客户PO, 品名, 优先级 when the plan lacks them) and a ``severity`` rank."""
    df = frame(plan_orders).copy()
    if df.empty:
        return pd.DataFrame(
            columns=["key", "order_no", "line_no", "customer", "customer_po", "item", "item_name",
                     "line", "priority", "qty", "produced", "shipped", "balance", "commitment_date",
                     "forecast_finish", "days_late", "status", "reason", "severity"]
        )
    if "key" not in df:
        df["key"] = order_key(df)
    extra = _by_key(ledger, ["customer_po", "item_name", "priority"])
    for name in ("customer_po", "item_name", "priority"):
        if name not in df:
            df[name] = df["key"].map(extra[name])
    for name in ("commitment_date", "forecast_finish", "due_date"):
        df[name] = as_ts(column(df, name))
    for name in ("qty", "produced", "shipped", "balance", "days_late"):
        df[name] = pd.to_numeric(column(df, name), errors="coerce")
    df["status"] = column(df, "status", "").map(text_of)
    df["reason"] = column(df, "reason", "").map(text_of)
    df["severity"] = df["status"].map(SEVERITY).fillna(len(SEVERITY)).astype(np.int64)
    return df


def alerts(lines: pd.DataFrame) -> pd.DataFrame:
    """Open order lines, most severe first: by status, then most days late,
    then earliest commitment."""
    df = lines[~lines["status"].isin(CLOSED)].copy()
    df["_late"] = -df["days_late"].fillna(-1e9)
    df = df.sort_values(
        ["severity", "_late", "commitment_date", "order_no", "line_no"],
        kind="stable",
        na_position="last",
    )
    return df.drop(columns="_late").reset_index(drop=True)


def open_work_orders(ledger: Ledger, plan_work_orders: Any, lines: pd.DataFrame) -> pd.DataFrame:
    """Work orders still to make (balance > 0, not closed), by forecast finish."""
    df = frame(plan_work_orders).copy()
    if df.empty:
        return pd.DataFrame(
            columns=["wo_no", "order_no", "line_no", "customer", "item", "item_name", "line", "qty",
                     "produced", "balance", "done_rate", "plan_finish", "forecast_finish",
                     "commitment_date", "rate", "rate_source", "status"]
        )
    for name in ("qty", "produced", "balance", "rate"):
        df[name] = pd.to_numeric(column(df, name), errors="coerce")
    if df["balance"].isna().all():
        df["balance"] = (df["qty"] - df["produced"].fillna(0)).clip(lower=0)
    state = column(df, "state", "").astype("string").fillna("")
    keep = (df["balance"] > 0) & ~state.isin(["完成", "取消"])
    df = df[keep.to_numpy()].copy()
    by_key = lines.drop_duplicates("key").set_index("key") if len(lines) else pd.DataFrame()
    key = column(df, "key")

    def from_lines(name: str) -> pd.Series:
        if name in by_key:
            return key.map(by_key[name])
        return pd.Series(np.nan, index=df.index, dtype=object)

    for name in ("customer", "item_name", "commitment_date"):
        df[name] = first_given(column(df, name), from_lines(name)) if name in df else from_lines(name)
    df["order_status"] = from_lines("status")
    if df["item_name"].isna().any():
        items = ledger["items"].drop_duplicates("item").set_index("item")["item_name"]
        df["item_name"] = first_given(df["item_name"], df["item"].map(items))
    for name in ("plan_finish", "forecast_finish", "commitment_date"):
        df[name] = as_ts(column(df, name))
    df["done_rate"] = np.where(df["qty"] > 0, df["produced"].fillna(0) / df["qty"], np.nan)
    df["rate_source"] = column(df, "rate_source", "").map(text_of)
    df["status"] = column(df, "order_status", "").map(text_of)
    df = df.sort_values(["forecast_finish", "commitment_date", "wo_no"], kind="stable", na_position="last")
    return df.reset_index(drop=True)


def iso_week(ts: pd.Series) -> pd.Series:
    iso = ts.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def capacity_weeks(plan_capacity: Any, as_of: date) -> pd.DataFrame:
    """Capacity per line and ISO week, from the as-of week on, at most MAX_WEEKS weeks
    (up to the last week with scheduled hours, at least LOAD_WEEKS)."""
    df = frame(plan_capacity)
    cols = ["line", "week", "available_hours", "scheduled_hours", "utilization"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    if "week" not in df:  # JSON-style rows: weeks are the periods named YYYY-Www
        period = df["period"].astype(str)
        df = df[period.str.contains("W").to_numpy()].rename(columns={"period": "week"})
    w = df
    w = w[["line", "week", "available_hours", "scheduled_hours"]].copy()
    first = iso_week(pd.Series([pd.Timestamp(as_of)])).iloc[0]
    w = w[w["week"] >= first]
    weeks = sorted(w["week"].unique())
    busy = sorted(w.loc[w["scheduled_hours"] > 0, "week"].unique())
    n = max(LOAD_WEEKS, weeks.index(busy[-1]) + 1 if busy else 0)
    keep = set(weeks[: min(n, MAX_WEEKS)])
    w = w[w["week"].isin(keep)].copy()
    w["utilization"] = np.where(w["available_hours"] > 0, w["scheduled_hours"] / w["available_hours"], np.nan)
    return w.sort_values(["line", "week"], kind="stable").reset_index(drop=True)[cols]


def line_load(capacity: pd.DataFrame) -> pd.DataFrame:
    """Per line over the first LOAD_WEEKS weeks: available, scheduled, utilisation."""
    weeks = sorted(capacity["week"].unique())[:LOAD_WEEKS]
    c = capacity[capacity["week"].isin(weeks)]
    g = c.groupby("line", sort=True)[["available_hours", "scheduled_hours"]].sum().reset_index()
    g["utilization"] = np.where(g["available_hours"] > 0, g["scheduled_hours"] / g["available_hours"], np.nan)
    return g


def overloads(plan_overloads: Any) -> pd.DataFrame:
    df = frame(plan_overloads).copy()
    cols = ["line", "by_date", "shortfall_hours", "shortfall_qty", "orders"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["by_date"] = as_ts(column(df, "by_date"))
    keys = column(df, "order_keys", "")
    df["orders"] = keys.map(lambda v: "、".join(map(str, v)) if isinstance(v, list | tuple) else text_of(v))
    return df.sort_values(["line", "by_date"], kind="stable").reset_index(drop=True)[cols]


def shipping_plan(ledger: Ledger, lines: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Open lines whose forecast finish or commitment falls in the next
    SHIP_WINDOW_DAYS days: what is left to ship, what is ready, cartons and weight."""
    start = pd.Timestamp(as_of)
    end = start + pd.Timedelta(days=SHIP_WINDOW_DAYS - 1)
    df = lines[~lines["status"].isin((*CLOSED, "hold"))]
    in_window = df["forecast_finish"].between(start, end) | df["commitment_date"].between(start, end)
    df = df[in_window.to_numpy()].copy()
    to_ship = (df["qty"] - df["shipped"].fillna(0)).clip(lower=0)
    df = df[(to_ship > 0).to_numpy()]
    to_ship = to_ship[to_ship > 0]
    df["to_ship"] = to_ship
    df["ready"] = np.minimum((df["produced"].fillna(0) - df["shipped"].fillna(0)).clip(lower=0), to_ship)
    items = ledger["items"].drop_duplicates("item").set_index("item")
    per_carton = df["item"].map(items["pcs_per_carton"]).astype("float64")
    gross = df["item"].map(items["gross_weight"]).astype("float64")
    df["pcs_per_carton"] = per_carton.where(per_carton > 0)
    df["cartons"] = np.ceil(df["to_ship"] / df["pcs_per_carton"])
    df["weight"] = df["cartons"] * gross
    ship = pd.concat([df["forecast_finish"], df["commitment_date"]], axis=1).max(axis=1)
    df["ship_date"] = ship.where(ship > start, start)
    df = df.sort_values(["ship_date", "customer", "order_no", "line_no"], kind="stable")
    return df.reset_index(drop=True)


def unsigned_notes(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """Delivery notes shipped by the as-of date whose signed copy (回单) is not
    back, with the days outstanding; shipments without a note number count
    one by one."""
    s = ledger["shipments"]
    as_of_ts = pd.Timestamp(as_of)
    s = s[s["signed_date"].isna() & s["ship_date"].notna() & (s["ship_date"] <= as_of_ts)]
    cols = ["note_no", "ship_date", "customer", "orders", "lines", "qty", "cartons", "days"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    customers = ledger["orders"].drop_duplicates("order_no").set_index("order_no")["customer"]
    note = s["note_no"].astype("string")
    group = note.fillna(pd.Series("\x00" + s.index.astype(str), index=s.index, dtype="string"))
    df = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "note_no": note.to_numpy(),
            "ship_date": s["ship_date"].to_numpy(),
            "customer": s["order_no"].map(customers).to_numpy(),
            "order_no": s["order_no"].astype("string").to_numpy(),
            "qty": s["qty"].to_numpy(),
            "cartons": s["cartons"].to_numpy(),
        }
    )
    g = df.groupby("group", sort=False)
    out = pd.DataFrame(
        {
            "note_no": g["note_no"].first(),
            "ship_date": g["ship_date"].min(),
            "customer": g["customer"].first(),
            "orders": g["order_no"].agg(lambda v: "、".join(dict.fromkeys(x for x in v if isinstance(x, str)))),
            "lines": g.size(),
            "qty": g["qty"].sum(min_count=1),
            "cartons": g["cartons"].sum(min_count=1),
        }
    )
    out["days"] = (as_of_ts - out["ship_date"]).dt.days
    out = out.sort_values(["days", "note_no"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)[cols]


def otd_table(plan_otd: Any) -> pd.DataFrame:
    df = frame(plan_otd).copy()
    cols = ["customer", "month", "lines", "on_time", "rate"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    df["lines"] = pd.to_numeric(df["lines"], errors="coerce")
    df["on_time"] = pd.to_numeric(df["on_time"], errors="coerce")
    df["rate"] = np.where(df["lines"] > 0, df["on_time"] / df["lines"], np.nan)
    df["month"] = df["month"].astype(str)
    return df.sort_values(["customer", "month"], kind="stable").reset_index(drop=True)[cols]


def figures(data: ReportData) -> Figures:
    a = data.alerts
    counts = a["status"].value_counts()
    f = Figures(open_lines=len(a), by_status={s: int(counts.get(s, 0)) for s in SEVERITY})
    f.otd_lines = int(data.otd["lines"].sum()) if len(data.otd) else 0
    f.otd_on_time = int(data.otd["on_time"].sum()) if len(data.otd) else 0
    avail = float(data.line_load["available_hours"].sum()) if len(data.line_load) else 0.0
    f.utilization = float(data.line_load["scheduled_hours"].sum()) / avail if avail > 0 else None
    f.unsigned_notes = len(data.receipts)
    f.oldest_unsigned_days = int(data.receipts["days"].max()) if len(data.receipts) else None
    f.shipping_lines = len(data.shipping)
    f.errors = sum(1 for i in data.issues if i.severity == Severity.ERROR)
    f.warnings = sum(1 for i in data.issues if i.severity == Severity.WARNING)
    return f


def build_report_data(ledger: Ledger, plan: Any, issues: list[Issue], as_of: date) -> ReportData:
    """Everything the report shows, from a ledger, its plan result and its issues.

    ``plan`` is a ``gendan_xl.plan`` result: ``orders``, ``work_orders``,
    ``capacity_weekly``, ``overloads`` and ``otd`` as DataFrames (lists of
    records with the fields of ``gendan plan --json`` work too).
    """
    lines = order_lines(ledger, getattr(plan, "orders", None))
    weekly = getattr(plan, "capacity_weekly", None)
    capacity = capacity_weeks(weekly if weekly is not None else getattr(plan, "capacity", None), as_of)
    data = ReportData(
        as_of=as_of,
        ledger_name=ledger.name,
        alerts=alerts(lines),
        work_orders=open_work_orders(ledger, getattr(plan, "work_orders", None), lines),
        capacity=capacity,
        line_load=line_load(capacity),
        overloads=overloads(getattr(plan, "overloads", None)),
        shipping=shipping_plan(ledger, lines, as_of),
        receipts=unsigned_notes(ledger, as_of),
        otd=otd_table(getattr(plan, "otd", None)),
        issues=issues,
        figures=Figures(),
    )
    data.figures = figures(data)
    return data


def window_end(as_of: date) -> date:
    return as_of + timedelta(days=SHIP_WINDOW_DAYS - 1)
