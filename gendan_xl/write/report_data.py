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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gendan_xl.complaints import ComplaintTracking, complaint_tracking, satisfaction_table
from gendan_xl.ledger import ROW, Ledger
from gendan_xl.materials import MaterialPlan
from gendan_xl.model import CLOSED_STATUSES, STATUS_SEVERITY, Issue, OrderStatus, Severity
from gendan_xl.packing import Weights, parse_carton_size, positive, shipment_weights
from gendan_xl.plan.result import PlanResult
from gendan_xl.schema import WO_CLOSED_STATES

if TYPE_CHECKING:
    from gendan_xl.monthly import MonthlySummary

SHIP_WINDOW_DAYS = 14
LOAD_WEEKS = 4  # the overview's utilisation covers this many ISO weeks from the as-of week
MAX_WEEKS = 26  # the heat map shows at most this many weeks
STACK_WEEKS = 8  # firm + forecast hours, stacked, over this many weeks from the as-of week

# Statuses of open order lines, most severe first (the one order of model.STATUS_SEVERITY).
OPEN_STATUSES = tuple(
    s.value for s in sorted(STATUS_SEVERITY, key=lambda s: STATUS_SEVERITY[s]) if s not in CLOSED_STATUSES
)
CLOSED = tuple(s.value for s in CLOSED_STATUSES)


@dataclass
class Figures:
    """Key figures of the overview sheet."""

    open_lines: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    otd_lines: int = 0
    otd_on_time: int = 0
    utilization: float | None = None  # scheduled, all lines, the next LOAD_WEEKS ISO weeks
    required_utilization: float | None = None  # required by the due dates, same weeks
    unsigned_notes: int = 0
    oldest_unsigned_days: int | None = None
    shipping_lines: int = 0
    errors: int = 0
    warnings: int = 0
    short_work_orders: int | None = None  # work orders short of material (None: no BOM sheet)
    late_purchases: int | None = None

    @property
    def otd_rate(self) -> float | None:
        return self.otd_on_time / self.otd_lines if self.otd_lines else None


@dataclass
class ReportData:
    as_of: date
    ledger_name: str
    alerts: pd.DataFrame  # open order lines, most severe first
    work_orders: pd.DataFrame  # open work orders
    capacity: pd.DataFrame  # line, week, available/scheduled/required hours and utilisation
    line_load: pd.DataFrame  # the same per line over the next LOAD_WEEKS weeks
    overloads: pd.DataFrame  # line, from, by_date, shortfall_hours, items (text), orders
    line_yield: pd.DataFrame  # line, produced, rejects, yield
    shipping: pd.DataFrame  # the next SHIP_WINDOW_DAYS days
    receipts: pd.DataFrame  # delivery notes not signed back
    otd: pd.DataFrame  # customer, month, lines, on_time, rate
    issues: list[Issue]
    figures: Figures
    # 欠料表 and 采购跟踪 (None without a BOM sheet: the sheets are not written)
    shortages: pd.DataFrame | None = None
    purchases: pd.DataFrame | None = None
    # line, week, available, scheduled (firm) and forecast hours, total utilisation:
    # the first STACK_WEEKS weeks of ``capacity``, for the stacked firm + forecast chart
    # (empty when the plan has no forecasts: 产能负荷 then shows no forecast rows)
    load_stack: pd.DataFrame = field(default_factory=pd.DataFrame)
    # 外协跟踪: open outsourced lots (None without a 外协 sheet: the sheet is not written)
    outsourcing: pd.DataFrame | None = None
    # 品质异常 items with their order line and its forecast (None without the sheet)
    quality: pd.DataFrame | None = None
    # 样品跟踪: every 样品 row with its state, worst first (None without a 样品 sheet)
    samples: pd.DataFrame | None = None
    # 客诉跟踪 (None without a 客诉 sheet) and 客户满意度 (None without a 满意度 sheet)
    complaints: ComplaintTracking | None = None
    satisfaction: pd.DataFrame | None = None
    # 成品月结 of the as-of month so far (None without a 成品期初 sheet)
    monthly: MonthlySummary | None = None


# --- helpers ---------------------------------------------------------------------


def number_text(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


# --- the tables ----------------------------------------------------------------------


def alerts(orders: pd.DataFrame) -> pd.DataFrame:
    """Open order lines, most severe first (the plan's order): 延误天数 only where a
    line is late (> 0), the slack in working days beside it."""
    df = orders[~orders["status"].isin(CLOSED)].copy()
    late = df["days_late"].astype("float64")
    df["days_late"] = late.where(late > 0)
    df["slack_workdays"] = df["slack_workdays"].astype("float64").where(~(late > 0))
    df["uncovered_qty"] = df["uncovered_qty"].where(df["uncovered_qty"] > 0)
    return df.reset_index(drop=True)


def open_work_orders(plan: PlanResult) -> pd.DataFrame:
    """Work orders still to make (balance > 0, not closed), by forecast finish, with
    what the report adds from their order line (customer, name, its status)."""
    wo = plan.work_orders
    df = wo[(wo["balance"] > 0) & ~wo["state"].isin(WO_CLOSED_STATES)].copy()
    by_key = plan.orders.drop_duplicates("key").set_index("key")
    for name in ("customer", "item_name"):
        df[name] = df["key"].map(by_key[name])
    df["status"] = df["key"].map(by_key["status"]).astype(object).fillna("")
    df["done_rate"] = np.where(df["qty"] > 0, df["produced"] / df["qty"], np.nan)
    df["rate_source"] = df["rate_source"].fillna("")
    df = df.sort_values(["forecast_finish", "commitment_date", "wo_no"], kind="stable", na_position="last")
    return df.reset_index(drop=True)


def iso_week(ts: pd.Series) -> pd.Series:
    iso = ts.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


HOURS = ("available_hours", "scheduled_hours", "required_hours", "forecast_hours")


def _utilisation(df: pd.DataFrame) -> pd.DataFrame:
    avail = df["available_hours"].where(df["available_hours"] > 0)
    df["utilization"] = df["scheduled_hours"] / avail
    df["required_utilization"] = df["required_hours"] / avail
    return df


def capacity_weeks(weekly: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Capacity per line and ISO week, from the as-of week on, at most MAX_WEEKS weeks
    (up to the last week with scheduled or required hours, at least LOAD_WEEKS)."""
    cols = ["line", "week", *HOURS, "utilization", "required_utilization"]
    if weekly.empty:
        return pd.DataFrame(columns=cols)
    first = iso_week(pd.Series([pd.Timestamp(as_of)])).iloc[0]
    w = weekly[weekly["week"] >= first].reindex(columns=["line", "week", *HOURS]).copy()
    w["forecast_hours"] = w["forecast_hours"].astype("float64").fillna(0.0)
    weeks = sorted(w["week"].unique())
    busy = sorted(w.loc[(w["scheduled_hours"] > 0) | (w["required_hours"] > 0) | (w["forecast_hours"] > 0),
                        "week"].unique())
    n = max(LOAD_WEEKS, weeks.index(busy[-1]) + 1 if busy else 0)
    w = w[w["week"].isin(set(weeks[: min(n, MAX_WEEKS)]))].copy()
    return _utilisation(w).sort_values(["line", "week"], kind="stable").reset_index(drop=True)[cols]


def line_load(capacity: pd.DataFrame) -> pd.DataFrame:
    """Per line over the first LOAD_WEEKS weeks: hours and both utilisations."""
    weeks = sorted(capacity["week"].unique())[:LOAD_WEEKS]
    c = capacity[capacity["week"].isin(weeks)]
    g = c.groupby("line", sort=True)[list(HOURS)].sum().reset_index()
    return _utilisation(g)


def load_stack(capacity: pd.DataFrame) -> pd.DataFrame:
    """Firm (scheduled) and forecast hours per line and week over the first
    STACK_WEEKS weeks, with the share of the available hours both take together."""
    cols = ["line", "week", "available_hours", "scheduled_hours", "forecast_hours", "total_utilization"]
    if capacity.empty:
        return pd.DataFrame(columns=cols)
    weeks = sorted(capacity["week"].unique())[:STACK_WEEKS]
    c = capacity[capacity["week"].isin(weeks)].copy()
    avail = c["available_hours"].where(c["available_hours"] > 0)
    c["total_utilization"] = (c["scheduled_hours"] + c["forecast_hours"]) / avail
    return c.sort_values(["line", "week"], kind="stable").reset_index(drop=True)[cols]


def overloads(plan_overloads: pd.DataFrame) -> pd.DataFrame:
    """Overload episodes with their items and order lines as text."""
    cols = ["line", "from", "by_date", "shortfall_hours", "items", "orders"]
    if plan_overloads.empty:
        return pd.DataFrame(columns=cols)
    df = plan_overloads.copy()
    df["items"] = df["items"].map(lambda v: "、".join(f"{i['item']} × {number_text(i['qty'])}" for i in v))
    df["orders"] = df["order_keys"].map(lambda v: "、".join(map(str, v)))
    return df.sort_values(["line", "from"], kind="stable").reset_index(drop=True)[cols]


def shipping_plan(ledger: Ledger, lines: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Open lines whose forecast finish or commitment falls in the next
    SHIP_WINDOW_DAYS days: what is left to ship, what is ready, cartons and weight."""
    start = pd.Timestamp(as_of)
    end = start + pd.Timedelta(days=SHIP_WINDOW_DAYS - 1)
    df = lines[~lines["status"].isin((*CLOSED, "hold"))]
    in_window = (
        df["forecast_finish"].between(start, end)
        | df["commitment_date"].between(start, end)
        | (df["status"] == OrderStatus.OVERDUE.value)  # past its date: ship as soon as it is ready
    )
    df = df[in_window.to_numpy()].copy()
    to_ship = (df["qty"] - df["shipped"].fillna(0)).clip(lower=0)
    df = df[(to_ship > 0).to_numpy()]
    to_ship = to_ship[to_ship > 0]
    df["to_ship"] = to_ship
    df["ready"] = np.minimum((df["produced"].fillna(0) - df["shipped"].fillna(0)).clip(lower=0), to_ship)
    items = ledger["items"].drop_duplicates("item").set_index("item")
    per_carton = df["item"].map(items["pcs_per_carton"]).astype("float64")
    df["pcs_per_carton"] = per_carton.where(per_carton > 0)
    df["cartons"] = np.ceil(df["to_ship"] / df["pcs_per_carton"])
    weights = [
        _packed(qty, item, items) for qty, item in zip(df["to_ship"], df["item"], strict=True)
    ]
    df["weight"] = pd.Series([w.gross for w in weights], index=df.index, dtype="float64")
    df["cbm"] = pd.Series([w.cbm for w in weights], index=df.index, dtype="float64")
    ship = pd.concat([df["forecast_finish"], df["commitment_date"]], axis=1).max(axis=1)
    df["ship_date"] = ship.where(ship > start, start)
    df = df.sort_values(["ship_date", "customer", "order_no", "line_no"], kind="stable")
    return df.reset_index(drop=True)


def _packed(qty: float, item: object, items: pd.DataFrame) -> Weights:
    """Gross weight and CBM of ``qty`` pieces of ``item`` packed as the 装箱单 packs
    them (``gendan_xl.packing``: a last partial carton's weight prorated)."""
    if not isinstance(item, str) or item not in items.index:
        return Weights(None, None, None)
    info = items.loc[item]
    size_text = info.get("carton_size")
    size = parse_carton_size(size_text) if isinstance(size_text, str) else None
    return shipment_weights(float(qty), positive(info.get("pcs_per_carton")), positive(info.get("net_weight")),
                            positive(info.get("gross_weight")), size)[1]


SHIP_DAY_COLS = ["ship_date", "lines", "to_ship", "cartons", "weight", "cbm"]


def shipping_days(shipping: pd.DataFrame) -> pd.DataFrame:
    """The 出货计划 per planned ship date: order lines, pieces, cartons, gross weight
    (kg) and volume (m³) to load that day. A day's weight or CBM is the sum of its
    lines that have one (a line without 毛重 or 箱规 adds nothing; ``missing`` counts
    such lines)."""
    cols = [*SHIP_DAY_COLS, "missing"]
    if shipping.empty:
        return pd.DataFrame(columns=cols)
    flagged = shipping.assign(_missing=(shipping["weight"].isna() | shipping["cbm"].isna()).astype("int64"))
    g = flagged.groupby("ship_date", sort=True)
    out = pd.DataFrame({
        "lines": g.size(),
        "to_ship": g["to_ship"].sum(),
        "cartons": g["cartons"].sum(min_count=1),
        "weight": g["weight"].sum(min_count=1).round(2),
        "cbm": g["cbm"].sum(min_count=1).round(3),
        "missing": g["_missing"].sum(),
    })
    return out.reset_index()[cols]


def unsigned_notes(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """Delivery notes shipped by the as-of date whose signed copy (回单) is not
    back, with the days outstanding; shipments without a note number count
    one by one."""
    s = ledger["shipments"]
    as_of_ts = pd.Timestamp(as_of)
    keep = (s["signed_date"].isna() & s["ship_date"].notna() & (s["ship_date"] <= as_of_ts)).to_numpy()
    s = s[keep]
    cols = ["note_no", "ship_date", "customer", "orders", "lines", "qty", "cartons", "days"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    customer = ledger.book.line_of(ledger.book.ship_codes[keep], "customer")
    note = s["note_no"].astype("string")
    group = note.fillna(pd.Series("\x00" + s.index.astype(str), index=s.index, dtype="string"))
    df = pd.DataFrame(
        {
            "group": group.to_numpy(),
            "note_no": note.to_numpy(),
            "ship_date": s["ship_date"].to_numpy(),
            "customer": customer,
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


def otd_table(plan_otd: pd.DataFrame) -> pd.DataFrame:
    cols = ["customer", "month", "lines", "on_time", "rate"]
    if plan_otd.empty:
        return pd.DataFrame(columns=cols)
    df = plan_otd.copy()
    df["rate"] = np.where(df["lines"] > 0, df["on_time"] / df["lines"], np.nan)
    df["month"] = df["month"].astype(str)
    return df.sort_values(["customer", "month"], kind="stable").reset_index(drop=True)[cols]


def figures(data: ReportData) -> Figures:
    a = data.alerts
    counts = a["status"].value_counts()
    f = Figures(open_lines=len(a), by_status={s: int(counts.get(s, 0)) for s in OPEN_STATUSES})
    f.otd_lines = int(data.otd["lines"].sum()) if len(data.otd) else 0
    f.otd_on_time = int(data.otd["on_time"].sum()) if len(data.otd) else 0
    avail = float(data.line_load["available_hours"].sum()) if len(data.line_load) else 0.0
    f.utilization = float(data.line_load["scheduled_hours"].sum()) / avail if avail > 0 else None
    f.required_utilization = float(data.line_load["required_hours"].sum()) / avail if avail > 0 else None
    f.unsigned_notes = len(data.receipts)
    f.oldest_unsigned_days = int(data.receipts["days"].max()) if len(data.receipts) else None
    f.shipping_lines = len(data.shipping)
    f.errors = sum(1 for i in data.issues if i.severity == Severity.ERROR)
    f.warnings = sum(1 for i in data.issues if i.severity == Severity.WARNING)
    return f


def build_report_data(ledger: Ledger, plan: PlanResult, issues: list[Issue], as_of: date) -> ReportData:
    """Everything the report shows, from a ledger, its plan and its issues."""
    capacity = capacity_weeks(plan.capacity_weekly, as_of)
    data = ReportData(
        as_of=as_of,
        ledger_name=ledger.name,
        alerts=alerts(plan.orders),
        work_orders=open_work_orders(plan),
        capacity=capacity,
        line_load=line_load(capacity),
        overloads=overloads(plan.overloads),
        line_yield=plan.line_yield,
        shipping=shipping_plan(ledger, plan.orders, as_of),
        receipts=unsigned_notes(ledger, as_of),
        otd=otd_table(plan.otd),
        issues=issues,
        figures=Figures(),
        # only for a ledger with forecasts: without one the sheet is as before
        load_stack=load_stack(capacity) if len(plan.forecasts) else pd.DataFrame(),
    )
    data.figures = figures(data)
    if ledger.table("outsourcing").present:
        data.outsourcing = outsourcing_table(ledger, as_of)
    if ledger.table("quality").present:
        data.quality = quality_table(ledger, plan, as_of)
    if ledger.table("samples").present:
        data.samples = samples_table(ledger, as_of)
    if ledger.table("complaints").present:
        data.complaints = complaint_tracking(ledger, as_of)
    if ledger.table("satisfaction").present:
        data.satisfaction = satisfaction_table(ledger, plan.otd)
    if ledger.table("opening_stock").present:
        from gendan_xl.monthly import monthly_summary

        data.monthly = monthly_summary(ledger, as_of.year, as_of.month, as_of)
    if plan.materials is not None:
        data.shortages, data.purchases = material_tables(ledger, plan.materials)
        wo_short = data.shortages.loc[data.shortages["short"] > 0, "wo_no"]
        data.figures.short_work_orders = int(wo_short.dropna().nunique())
        data.figures.late_purchases = int((data.purchases["days_late"] > 0).sum())
    return data


def quality_table(ledger: Ledger, plan: PlanResult, as_of: date) -> pd.DataFrame:
    """品质异常 items, open ones first (oldest first), then closed ones (latest
    first): the order book's facts of each (its work order, order line, open
    state), days open (to the as-of date, or to 结案日期), the date an open rework
    goes back on the line (``release``: 预计完成, not before the as-of date) and
    the order line's plan (status, reason, forecast finish, days late)."""
    book = ledger.book
    q = book.quality.copy()
    ts = pd.Timestamp(as_of)
    wo = book.work_orders
    pick = np.clip(q["wo_code"].to_numpy(), 0, None)
    known = q["wo_code"].to_numpy() >= 0

    def of_wo(column: str) -> np.ndarray:
        values = wo[column].to_numpy(dtype=object)
        out = values[pick] if len(values) else np.full(len(q), None, dtype=object)
        out[~known] = None
        return out

    q["item"] = of_wo("item")
    q["line"] = of_wo("line")
    q["wo_closed"] = of_wo("closed")
    end = q["closed_date"].where(~q["open"], ts)
    q["days_open"] = (end - q["date"]).dt.days.astype("float64")
    expected = q["expected"]
    q["release"] = expected.where(expected > ts, ts).where(q["open"])
    orders = plan.orders.drop_duplicates("key").set_index("key")
    keys = q["key"].astype(object).to_numpy()
    for column in ("customer", "status", "reason", "commitment_date", "forecast_finish", "days_late"):
        # reindex, not map: map casts a date table to float when no key matches
        values = orders[column].reindex(keys).to_numpy() if len(q) else np.array([], dtype=object)
        q["order_" + column if column in ("status", "reason") else column] = values
    q["forecast_finish"] = pd.to_datetime(q["forecast_finish"])
    q["commitment_date"] = pd.to_datetime(q["commitment_date"])
    late = q["days_late"].astype("float64")
    q["days_late"] = late.where(late > 0)
    day = q["date"].fillna(ts).to_numpy(dtype="datetime64[D]").astype(np.int64)
    q["_order"] = np.where(q["open"], day, -day)
    q = q.sort_values(["open", "_order", "wo_no"], ascending=[False, True, True], kind="stable")
    return q.drop(columns="_order").reset_index(drop=True)


def material_tables(ledger: Ledger, materials: MaterialPlan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """欠料表 (requirements not covered from stock now: short, or waiting for a
    purchase, or of unknown date) and 采购跟踪 (open purchase lines by 预计到货)."""
    short = materials.short.copy()
    m = ledger["materials"].drop_duplicates("material")
    m = m.assign(material=m["material"].astype(str)).set_index("material")
    short["material_name"] = short["material"].map(m["material_name"]) if len(m) else None
    short["unit"] = short["material"].map(m["unit"]) if len(m) else None
    pos = materials.from_po()
    short["po_text"] = [
        "、".join(f"{p['po_no']} {p['qty']:g}" for p in pos[i]) for i in short.index
    ]
    labels = ledger.book.lines.drop_duplicates("key").set_index("key")["label"]
    short["label"] = short["key"].map(labels)
    short["ready_text"] = np.where(short["ready_known"], "", "未知")
    p = materials.purchases.sort_values(["due", "po_no"], na_position="last", kind="stable").copy()
    p["material_name"] = p["material"].map(m["material_name"]) if len(m) else None
    p["wo_text"] = ["、".join(w) for w in p["wo_nos"]]
    p["order_text"] = ["、".join(str(labels.get(k, k)) for k in ks) for ks in p["keys"]]
    p["late"] = p["days_late"] > 0
    return short.reset_index(drop=True), p.reset_index(drop=True)


def outsourcing_table(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """外协跟踪: the 外协 lots still out (数量 > 已回数量), by 预计回厂, with their order
    line (from the order book) and the days to 预计回厂 (``days_left``, from the as-of
    date) or past it (``days_late``)."""
    from gendan_xl.orderbook import outsourced_quantities

    lots = ledger["outsourcing"]
    codes = ledger.book.out_codes
    returned, open_qty = outsourced_quantities(lots)
    df = lots.assign(
        returned=returned,
        open_qty=open_qty,
        label=ledger.book.line_of(codes, "label") if len(codes) == len(lots) else None,
        customer=ledger.book.line_of(codes, "customer") if len(codes) == len(lots) else None,
    )
    df = df[df["open_qty"] > 1e-9].copy()
    days = (df["due"] - pd.Timestamp(as_of)).dt.days.astype("float64")
    df["days_left"] = days.where(days >= 0)
    df["days_late"] = (-days).where(days < 0)
    df["late"] = days < 0
    df = df.sort_values(["due", "out_no"], kind="stable", na_position="last")
    return df.reset_index(drop=True)


def samples_table(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """样品跟踪: every 样品 row with its state (``gendan_xl.samples``), worst first:
    逾期未送 (most days overdue first), 待确认 beyond 样品确认提醒天数 (longest wait
    first), 需修改, 不合格, 待确认 within it, 未送 (earliest 要求日期 first), 合格
    (latest 确认日期 first)."""
    from gendan_xl.samples import STATE_RANK, sample_states

    df = sample_states(ledger, as_of)
    ts = pd.Timestamp(as_of)
    rank = df["state"].map(STATE_RANK).astype("int64")
    required = (df["required_date"] - ts).dt.days.astype("float64")
    confirmed = (df["confirmed_date"] - ts).dt.days.astype("float64")
    key = np.select(
        [df["state"].eq("overdue"), df["state"].isin(["waiting", "waiting_long"]), df["state"].eq("not_sent")],
        [-df["days_overdue"].fillna(0.0), -df["days_waiting"].fillna(0.0), required.fillna(1e9)],
        default=-confirmed.fillna(-1e9),
    )
    df = df.assign(_rank=rank, _key=key).sort_values(["_rank", "_key", ROW], kind="stable")
    return df.drop(columns=["_rank", "_key"]).reset_index(drop=True)


def window_end(as_of: date) -> date:
    return as_of + timedelta(days=SHIP_WINDOW_DAYS - 1)
