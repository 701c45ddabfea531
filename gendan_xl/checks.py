"""Cross-sheet rules over the typed tables. Each check is a plain function
``check_x(ledger, ctx) -> list[Issue]``; ``CHECKS`` lists them in order and
``run_checks`` applies them all. Rules are vectorised: a check selects the
offending rows with pandas, then builds one Issue per row."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from gendan_xl.calendar import WorkCalendar, china_day_kinds, line_key
from gendan_xl.ledger import (
    ROW,
    Ledger,
    Table,
    member,
    order_label,
    return_rows,
    signed_ship_qty,
    text_codes,
)
from gendan_xl.model import CellRef, Issue, make_issue
from gendan_xl.orderbook import OrderBook, norm_line
from gendan_xl.packing import check_carton_sizes
from gendan_xl.schema import WO_DONE_STATES, normalize
from gendan_xl.settings import Settings


@dataclass
class Context:
    """What the checks share: the as-of date, the order book, the settings and the
    working calendar (built on first use)."""

    as_of: date
    options: Settings
    ledger: Ledger

    @classmethod
    def build(cls, ledger: Ledger, as_of: date) -> Context:
        return cls(as_of=as_of, options=ledger.options, ledger=ledger)

    @property
    def book(self) -> OrderBook:
        return self.ledger.book

    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_ledger(self.ledger)

    @cached_property
    def reports(self) -> Reports:
        """Daily report rows as the audit sees them (``_reports``), built once."""
        return _reports(self.ledger, self)

    @property
    def wo_codes(self) -> np.ndarray:
        return self.book.wo_codes

    @property
    def ship_codes(self) -> np.ndarray:
        return self.book.ship_codes


Check = Callable[[Ledger, Context], list[Issue]]


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
        labels = order_label(orders.df)
        dup_col = "line_no" if orders.df["line_no"].notna().any() else "order_no"
        out += _duplicates(orders, labels.where(orders.df["order_no"].notna()), dup_col)
    for key, column in (("items", "item"), ("lines", "line"), ("work_orders", "wo_no"), ("customers", "customer")):
        table = ledger.table(key)
        if not table.df.empty:
            out += _duplicates(table, table.df[column].astype("string"), column)
    return out


def check_quantities(ledger: Ledger, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    for key in ("orders", "work_orders", "shipments", "forecasts", "outsourcing", "quality"):
        table = ledger.table(key)
        df = table.df
        bad = df["qty"].notna() & (df["qty"] <= 0)
        if key == "shipments":  # a return (类型 退货) may be written negative
            bad &= ~(return_rows(df) & (df["qty"] != 0))
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
        quality = ledger.table("quality")  # 品质异常 (optional): a hold on a work order nobody issued
        qdf = quality.df
        bad = qdf["wo_no"].notna() & ~member(qdf["wo_no"], wos.df["wo_no"])
        out += quality.issues_at("unknown-work-order", qdf[bad], "wo_no")
    return out


def check_unknown_orders(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Work orders and shipments that name no order line (有货无单)."""
    out: list[Issue] = []
    if not ledger.table("orders").present:
        return out
    for key, codes in (
        ("work_orders", ctx.book.wo_codes),
        ("shipments", ctx.book.ship_codes),
        ("outsourcing", ctx.book.out_codes),
    ):
        table = ledger.table(key)
        if len(codes) != len(table.df):
            continue
        df = table.df
        bad = (codes < 0) & df["order_no"].notna().to_numpy()
        if bad.any():
            rows = df[bad].assign(_label=order_label(df[bad]))
            out += table.issues_at("unknown-order", rows, "order_no", value_key="_label")
    return out


def check_over_issued(ledger: Ledger, ctx: Context) -> list[Issue]:
    lines = ctx.book.lines
    bad = lines["has_wo"] & lines["qty"].notna() & (lines["wo_total"] > lines["qty"] + 1e-9)
    return ledger.table("orders").issues_at(
        "over-issued", lines[bad], "qty", key="@label", total="@wo_total", qty="@qty"
    )


def check_over_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    wo = ctx.book.work_orders
    bad = (wo["produced"] > 0) & wo["qty"].notna() & (wo["produced"] > wo["qty"] + 1e-9)
    return ledger.table("work_orders").issues_at(
        "over-produced", wo[bad], "wo_no", value_key="wo_no", total="@produced", qty="@qty"
    )


def check_under_issued(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines with work orders that cover only part of their qty."""
    lines = ctx.book.lines
    bad = lines["has_wo"] & (lines["uncovered_qty"] > 0)
    rows = lines[bad].assign(_done=np.maximum(lines["produced"], lines["shipped"])[bad])
    return ledger.table("orders").issues_at(
        "under-issued", rows, "qty", key="@label", qty="@qty", done="@_done",
        active="@active_balance", uncovered="@uncovered_qty",
    )


def check_closed_short(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Work orders closed (完成/关闭) below their qty while their order line still
    has quantity no work order covers."""
    book = ctx.book
    wo = book.work_orders
    uncovered = book.line_of(wo["code"].to_numpy(), "uncovered_qty").astype("float64")
    short = wo["state"].isin(WO_DONE_STATES) & (wo["produced"] < wo["qty"] - 1e-9)
    bad = short & (np.nan_to_num(uncovered) > 0)
    rows = wo[bad].assign(
        _uncovered=uncovered[bad.to_numpy()], _label=book.line_of(wo["code"].to_numpy()[bad.to_numpy()], "label")
    )
    return ledger.table("work_orders").issues_at(
        "closed-short", rows, "status", value_key="state", wo="@wo_no", state="@state",
        produced="@produced", qty="@qty", key="@_label", uncovered="@_uncovered",
    )


def _first_in_group(flags: pd.Series, groups: pd.Series) -> pd.Series:
    """The first True of each group (rows already in order)."""
    return flags & (flags.astype("int64").groupby(groups.to_numpy(), sort=False).cumsum() == 1)


def check_over_shipped(ledger: Ledger, ctx: Context) -> list[Issue]:
    """The shipment row at which the running total passes the order qty."""
    table = ledger.table("shipments")
    lines = ctx.book.lines
    df = table.df.assign(_code=ctx.ship_codes)
    df = df[(df["_code"] >= 0) & df["qty"].notna()]
    if df.empty:
        return []
    df = df.sort_values(["ship_date", ROW], kind="stable")
    groups = df["_code"]
    running = signed_ship_qty(df).groupby(groups.to_numpy(), sort=False).cumsum()
    limit = pd.Series(lines["qty"].to_numpy()[groups.to_numpy()], index=df.index)
    first_over = _first_in_group(running > limit + 1e-9, groups)
    if not first_over.any():
        return []
    hit = df[first_over]
    codes = hit["_code"].to_numpy()
    rows = hit.assign(
        _label=lines["label"].to_numpy()[codes],
        _total=lines["shipped"].to_numpy()[codes],
        _qty=limit[first_over].to_numpy(),
    )
    return table.issues_at("over-shipped", rows, "qty", key="@_label", total="@_total", qty="@_qty")


def check_shipped_before_produced(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Cumulative shipped by a date exceeds cumulative good output by that date,
    for order lines that are made here (have work orders)."""
    book = ctx.book
    ships = ledger.table("shipments")
    s = ships.df.assign(_code=book.ship_codes)
    made_here = book.lines["has_wo"].to_numpy()
    s = s[(s["_code"] >= 0) & s["qty"].notna() & s["ship_date"].notna()]
    s = s[made_here[s["_code"].to_numpy()]]
    if s.empty:
        return []
    # Daily good output per order line and date: report -> work order -> order line.
    wo_line = book.work_orders["code"].to_numpy()
    pos = book.daily_wo
    code = np.where(pos >= 0, wo_line[np.clip(pos, 0, None)], -1) if len(wo_line) else np.full(len(pos), -1)
    daily = ledger["daily"]
    made_on = daily["date"].to_numpy()
    keep = (code >= 0) & ~np.isnat(made_on)
    s = s.sort_values(["ship_date", ROW], kind="stable")
    s["_shipped"] = signed_ship_qty(s).groupby(s["_code"].to_numpy(), sort=False).cumsum()
    # Good output of a line up to each shipment's date: production sorted by the
    # integer key (line, day); a shipment's cumulative figure is the running sum at
    # its key less the running sum before its line starts.
    made_day = made_on[keep].astype("datetime64[D]").astype(np.int64)
    ship_day = s["ship_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    origin = min(int(made_day.min()), int(ship_day.min())) if len(made_day) else int(ship_day.min())
    n_days = max(int(made_day.max()) if len(made_day) else origin, int(ship_day.max())) - origin + 1
    pkey = code[keep].astype(np.int64) * n_days + (made_day - origin)
    order = np.argsort(pkey, kind="stable")
    pkey = pkey[order]
    running = np.concatenate(([0.0], np.cumsum(np.nan_to_num(daily["good_qty"].to_numpy(dtype="float64")[keep][order]))))
    s_code = s["_code"].to_numpy().astype(np.int64)
    upto = np.searchsorted(pkey, s_code * n_days + (ship_day - origin), side="right")
    start = np.searchsorted(pkey, s_code * n_days, side="left")
    merged = s.assign(_produced=running[upto] - running[start])
    # One warning per order line: its first shipment that ran ahead of production.
    bad = _first_in_group(merged["_shipped"] > merged["_produced"] + 1e-9, merged["_code"])
    if not bad.any():
        return []
    hit = merged[bad]
    rows = hit.assign(_label=book.lines["label"].to_numpy()[hit["_code"].to_numpy()])
    return ships.issues_at(
        "shipped-before-produced", rows, "ship_date", key="@_label", shipped="@_shipped", produced="@_produced"
    )


def check_future_dates(ledger: Ledger, ctx: Context) -> list[Issue]:
    out: list[Issue] = []
    limit = pd.Timestamp(ctx.as_of)
    for key, column in (
        ("daily", "date"), ("shipments", "ship_date"), ("shipments", "signed_date"), ("quality", "date"),
        ("quality", "closed_date"),
    ):
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


def _row_hash(columns: list[np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row of equal-length numeric / date columns: equal rows get
    equal hashes (NaN / NaT alike, -0.0 as 0.0); unequal ones rarely collide, and
    callers compare the repeats in full."""
    h = np.zeros(len(columns[0]) if columns else 0, dtype=np.uint64)
    for v in columns:
        if v.dtype.kind == "M":
            bits = v.astype("datetime64[ns]").view(np.int64)
        elif v.dtype.kind == "f":
            bits = np.nan_to_num(v.astype(np.float64) + 0.0, nan=-1.5e300).view(np.int64)
        else:
            bits = v.astype(np.int64)
        h = (h * np.uint64(1_000_003)) ^ bits.view(np.uint64)
    return h


def check_duplicate_reports(ledger: Ledger, ctx: Context) -> list[Issue]:
    """A 生产日报 row that repeats an earlier one in every figure (entered twice)."""
    table = ledger.table("daily")
    df = table.df
    cols = ["date", "wo_no", "line", "shift", "good_qty", "bad_qty", "hours"]
    if df.empty:
        return []
    # Integer codes for the text columns, then one hash per row: only rows whose hash
    # repeats are compared in full (a million-row group-by on text is slow).
    values = {c: text_codes(df[c])[0] if c in ("wo_no", "line", "shift") else df[c].to_numpy() for c in cols}
    repeats = pd.Series(_row_hash(list(values.values()))).duplicated(keep=False).to_numpy()
    coded = pd.DataFrame(values, index=df.index)[repeats & df["wo_no"].notna().to_numpy()]
    dup = coded.duplicated(cols, keep="first")
    if not dup.any():
        return []
    first = pd.Series(df.loc[coded.index, ROW]).groupby([coded[c] for c in cols], dropna=False).transform("first")
    hit = df.loc[dup[dup].index]
    rows = hit.assign(
        _first=first[dup],
        _label=hit["date"].dt.strftime("%Y-%m-%d") + " " + hit["wo_no"].astype(str),
    )
    return table.issues_at("duplicate-report-row", rows, "wo_no", value_key="_label", first_row="@_first")


def check_no_work_order(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines with no work order within N days of their commitment (有单无工单)."""
    lines = ctx.book.lines
    if lines.empty or not ledger.table("work_orders").present:
        return []
    as_of = pd.Timestamp(ctx.as_of)
    soon = lines["commitment_date"] <= as_of + pd.Timedelta(days=ctx.options.no_work_order_days)
    bad = lines["open"] & ~lines["has_wo"] & soon & lines["qty"].notna()
    rows = lines[bad]
    passed = rows["commitment_date"] < as_of
    days = ctx.options.no_work_order_days
    when = np.where(passed, "承诺交期 " + _day(rows) + " 已过,", "距承诺交期 " + _day(rows) + f" 不足 {days} 天")
    when_en = np.where(
        passed, "although its commitment date " + _day(rows) + " has passed",
        f"within {days} days of its commitment date " + _day(rows),
    )
    return ledger.table("orders").issues_at(
        "no-work-order", rows.assign(_when=when, _when_en=when_en), "order_no",
        key="@label", when="@_when", when_en="@_when_en",
    )


def _day(rows: pd.DataFrame) -> pd.Series:
    return rows["commitment_date"].dt.strftime("%Y-%m-%d").fillna("")


def check_missing_rate(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines whose item is known but has no usable standard rate."""
    items = ledger["items"]
    if items.empty:
        return []
    rate = items.drop_duplicates("item").set_index("item")["std_rate"]
    lines = ctx.book.lines
    known = lines["item"].isin(rate.index)
    bad = known & ~(lines["item"].map(rate) > 0) & lines["open"]
    return ledger.table("orders").issues_at("missing-rate", lines[bad], "item")


def check_delivery_notes(ledger: Ledger, ctx: Context) -> list[Issue]:
    """One 送货单号 must stand for one customer and one ship date."""
    table = ledger.table("shipments")
    df = table.df
    notes = df["note_no"]
    if notes.isna().all():
        return []
    d = df.assign(
        _customer=ctx.book.line_of(ctx.ship_codes, "customer"), _date=df["ship_date"].dt.strftime("%Y-%m-%d")
    )
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


# --- daily-report audit (审核生产日报) ---------------------------------------------


@dataclass
class Reports:
    """Daily report rows as the audit sees them, with integer codes instead of text
    (a million rows stay fast): ``line`` is the report's own 产线, else its work
    order's; ``own`` its own; ``wo_own`` the work order's own 产线 (all -1 when
    blank); ``names[code]`` gives a line's name. ``std`` is the standard rate of the
    work order's item (NaN when unknown)."""

    frame: pd.DataFrame  # date, line, own, wo_own, std, good_qty, bad_qty, hours, wo_no, _src, _row
    names: list[str]


def _reports(ledger: Ledger, ctx: Context) -> Reports:
    book = ctx.book
    daily = ledger["daily"]
    pos = book.daily_wo
    wo = book.work_orders
    names = list(ctx.calendar.lines)
    index = {name: i for i, name in enumerate(names)}

    def code(name: object) -> int:
        key = line_key(name)
        if key is None:
            return -1
        if key not in index:
            index[key] = len(names)
            names.append(key)
        return index[key]

    def codes(column: pd.Series) -> np.ndarray:
        # Each distinct text once (a million rows hold a few dozen line names).
        raw, values = text_codes(column)
        mapped = np.array([code(v) for v in values] + [-1], dtype=np.int64)
        return mapped[raw]  # raw -1 (blank) picks the trailing -1

    own = codes(daily["line"])

    def per_report(per_wo: np.ndarray, blank: float) -> np.ndarray:
        if not len(per_wo):
            return np.full(len(pos), blank)
        out = per_wo[np.clip(pos, 0, None)]
        return np.where(pos >= 0, out, blank)

    wo_line = codes(wo["line"])
    wo_own = codes(wo["own_line"])
    items = ledger["items"]
    std = items[items["item"].notna()].drop_duplicates("item").set_index("item")["std_rate"]
    wo_std = wo["item"].map(std).to_numpy(dtype="float64") if len(wo) else np.zeros(0)
    line = np.where(own >= 0, own, per_report(wo_line, -1).astype(np.int64))
    frame = pd.DataFrame(
        {
            "date": daily["date"].to_numpy(),
            "line": line,
            "own": own,
            "wo_own": per_report(wo_own, -1).astype(np.int64),
            "std": per_report(wo_std, np.nan),
            "good_qty": daily["good_qty"].to_numpy(),
            "bad_qty": daily["bad_qty"].to_numpy(),
            "hours": daily["hours"].to_numpy(),
            "wo_no": daily["wo_no"].array,
            "_src": daily["_src"].to_numpy(),
            "_row": daily["_row"].to_numpy(),
        },
        index=daily.index,
    )
    return Reports(frame, names)


def _overtime(ledger: Ledger) -> pd.DataFrame:
    """日历 加班 hours per (line, date); a blank 产线 is every line (line NaN)."""
    cal = ledger["calendar"]
    ot = cal[(cal["kind"] == "加班") & cal["date"].notna()]
    return pd.DataFrame({"line": norm_line(ot["line"]), "date": ot["date"], "overtime": ot["hours"].fillna(0.0)})


def check_hours_over_capacity(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Hours reported for one line on one day above 班次数 x 每班工时 plus that day's
    日历 overtime; at the 工时 cell of the line-day's last report row."""
    lines = ledger["lines"]
    reports = ctx.reports
    r = reports.frame
    r = r[r["hours"].notna() & r["date"].notna() & (r["line"] >= 0)]
    if r.empty or lines.empty:
        return []
    names = np.asarray(reports.names, dtype=object)
    spec = lines[lines["line"].notna()]
    spec = pd.DataFrame(
        {
            "line": norm_line(spec["line"]),
            "normal": (spec["shifts"].fillna(1.0) * spec["hours_per_shift"].fillna(8.0)).to_numpy(),
        }
    ).drop_duplicates("line")
    # Line-days as integer keys (line code x day): sums and last rows without text group-bys.
    first = r["date"].min()
    day = (r["date"] - first).dt.days.to_numpy()
    n_days = int(day.max()) + 1
    key = r["line"].to_numpy().astype(np.int64) * n_days + day
    hours = r["hours"].to_numpy(dtype="float64")
    size = (int(key.max()) + 1) if len(key) else 0
    if size <= 4 * len(key) + 1024:
        # Few line-days for the rows (the usual case): sums and last rows over the
        # dense key range, no sort.
        count = np.bincount(key, minlength=size)
        uniq = np.flatnonzero(count)
        total = np.bincount(key, weights=hours, minlength=size)[uniq]
        last_of = np.full(size, -1, dtype=np.int64)
        np.maximum.at(last_of, key, np.arange(len(key)))
        last = last_of[uniq]
    else:
        uniq, inverse = np.unique(key, return_inverse=True)
        total = np.bincount(inverse, weights=hours)
        last = np.full(len(uniq), -1, dtype=np.int64)
        np.maximum.at(last, inverse, np.arange(len(key)))
    days = pd.DataFrame(
        {
            "line": names[uniq // n_days],
            "date": first + pd.to_timedelta(uniq % n_days, unit="D"),
            "hours": total,
            "_pos": last,
        }
    ).merge(spec, on="line", how="inner")
    ot = _overtime(ledger)
    own = ot[ot["line"].notna()].groupby(["line", "date"])["overtime"].max().rename("own_ot")
    every = ot[ot["line"].isna()].groupby("date")["overtime"].max().rename("all_ot")
    days = days.join(own, on=["line", "date"]).join(every, on="date")
    days["limit"] = days["normal"] + days["own_ot"].fillna(days["all_ot"]).fillna(0.0)
    over = days[days["hours"] > days["limit"] + 1e-9]
    if over.empty:
        return []
    rows = r.iloc[over["_pos"].to_numpy()].assign(
        _line=over["line"].to_numpy(), _hours=over["hours"].to_numpy(), _limit=over["limit"].to_numpy(),
        _day=over["date"].to_numpy(),
    )
    return ledger.table("daily").issues_at(
        "hours-over-capacity", rows, "hours", value_key="_hours", line="@_line", day="@_day",
        hours="@_hours", limit="@_limit",
    )


def check_rate_outliers(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Good pieces per hour far above or below the item's standard rate."""
    r = ctx.reports.frame
    r = r[(r["hours"] > 0) & r["good_qty"].notna() & (r["std"] > 0)]
    if r.empty:
        return []
    rate = r["good_qty"] / r["hours"]
    ratio = rate / r["std"]
    bad = (ratio > ctx.options.rate_high) | (ratio < ctx.options.rate_low)
    rows = r[bad].assign(_rate=rate[bad].round(1), _std=r["std"][bad], _ratio=ratio[bad].round(2))
    return ledger.table("daily").issues_at(
        "rate-outlier", rows, "good_qty", hours="@hours", rate="@_rate", std="@_std", ratio="@_ratio"
    )


def check_defect_rate(ledger: Ledger, ctx: Context) -> list[Issue]:
    """不良数 / (良品数 + 不良数) above the defect-rate setting."""
    daily = ledger.table("daily")
    df = daily.df
    total = df["good_qty"].fillna(0.0) + df["bad_qty"].fillna(0.0)
    share = df["bad_qty"] / total.where(total > 0)
    bad = share > ctx.options.defect_rate + 1e-12
    rows = df[bad].assign(_share=share[bad].map(_percent), _limit=_percent(ctx.options.defect_rate))
    return daily.issues_at("high-defect-rate", rows, "bad_qty", good="@good_qty", share="@_share", limit="@_limit")


def _percent(value: float) -> str:
    return f"{value:.1%}".replace(".0%", "%")


def check_line_mismatch(ledger: Ledger, ctx: Context) -> list[Issue]:
    """A report's 产线 that differs from its work order's 产线."""
    reports = ctx.reports
    r = reports.frame
    bad = (r["own"] >= 0) & (r["wo_own"] >= 0) & (r["own"] != r["wo_own"])
    if ledger.table("lines").present:  # a line not on 产线 is unknown-line already
        bad &= r["own"] < len(ctx.calendar.lines)  # codes of 产线 lines come first
    if not bad.any():
        return []
    names = np.asarray(reports.names, dtype=object)
    rows = r[bad].assign(_value=ledger["daily"]["line"][bad], _wo_line=names[r["wo_own"][bad].to_numpy()])
    return ledger.table("daily").issues_at(
        "line-mismatch", rows, "line", value_key="_value", wo="@wo_no", wo_line="@_wo_line",
    )


def check_rest_day_reports(ledger: Ledger, ctx: Context) -> list[Issue]:
    """A report dated on a rest day of its line (the calendar already counts 日历
    overtime and working-day rows as working days)."""
    reports = ctx.reports
    calendar = ctx.calendar
    known = len(calendar.lines)  # codes of 产线 lines come first
    r = reports.frame
    r = r[r["date"].notna() & (r["line"] >= 0) & (r["line"] < known)]
    if r.empty:
        return []
    # One working-day row per line over the reports' date range, then one lookup per report.
    first = r["date"].min()
    n = int((r["date"].max() - first).days) + 1
    working = np.stack([calendar.workday_array(line, first.date(), n) for line in reports.names[:known]])
    offset = (r["date"] - first).dt.days.to_numpy()
    rest = ~working[r["line"].to_numpy(), offset]
    if not rest.any():
        return []
    hit = r[rest]
    names = np.asarray(reports.names, dtype=object)
    return ledger.table("daily").issues_at(
        "rest-day-report", hit.assign(_line=names[hit["line"].to_numpy()]), "date", line="@_line"
    )


def check_holiday_data(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines due in years ``chinesecalendar`` has no holidays for: the
    forecasts there assume none (the plan says the same of its forecast years)."""
    if not ledger.options.holidays:
        return []
    lines = ctx.book.lines
    due = lines.loc[lines["open"], "commitment_date"].dropna()
    years = sorted(int(y) for y in due.dt.year.unique() if china_day_kinds(int(y)) is None)
    if not years:
        return []
    ref = CellRef(file=ledger.files[0] if ledger.files else ledger.name, sheet="日历")
    return [make_issue("no-holiday-data", ref, ", ".join(str(y) for y in years))]


def check_receipt_customers(ledger: Ledger, ctx: Context) -> list[Issue]:
    """收款 rows whose customer (short or full name) no sheet knows: their money would
    be on no statement."""
    table = ledger.table("receipts")
    df = table.df
    if df.empty:
        return []
    customers = ledger["customers"]
    known = pd.concat([customers["customer"], customers["full_name"], ledger["orders"]["customer"]]).dropna()
    names = {normalize(str(v)) for v in known}
    given = df["customer"].notna()
    bad = given & ~df["customer"].map(lambda v: normalize(str(v)) in names if isinstance(v, str) else True)
    return table.issues_at("unknown-customer", df[bad.astype(bool)], "customer", what="收款", effect="不计入任何对账单",
                           what_en="a receipt", effect_en="on no statement")


def check_forecasts(ledger: Ledger, ctx: Context) -> list[Issue]:
    """预测 rows (only when the sheet has rows): a period that cannot be read
    (``bad-period``, the row is not planned), an item the 产品 sheet does not list
    (not planned), a customer that neither 客户 nor 订单 knows (no order can consume
    it). The rules of the period are ``gendan_xl.forecasts``."""
    from gendan_xl.forecasts import forecast_rows

    table = ledger.table("forecasts")
    df = table.df
    if df.empty:
        return []
    out = forecast_rows(ledger, ctx.as_of).issues
    items = ledger.table("items")
    if items.present:
        bad = df["item"].notna() & ~member(df["item"], items.df["item"])
        out += table.issues_at("unknown-forecast-item", df[bad], "item")
    customers = ledger["customers"]
    known = pd.concat([customers["customer"], customers["full_name"], ledger["orders"]["customer"]]).dropna()
    names = {normalize(str(v)) for v in known}
    bad = df["customer"].notna() & ~df["customer"].map(lambda v: normalize(str(v)) in names if isinstance(v, str) else True)
    out += table.issues_at("unknown-forecast-customer", df[bad.astype(bool)], "customer")
    return out


def check_complaints(ledger: Ledger, ctx: Context) -> list[Issue]:
    """客诉 rows (only when the sheet has rows): a 客诉编号 entered twice, and the rules
    of ``gendan_xl.complaints`` (unknown order or item, an item not on its order, open
    too long, closed without a date, dates after the as-of date)."""
    from gendan_xl.complaints import complaint_issues

    table = ledger.table("complaints")
    if table.df.empty:
        return []
    return _duplicates(table, table.df["complaint_no"].astype("string"), "complaint_no") + complaint_issues(
        ledger, ctx.as_of
    )


def check_satisfaction(ledger: Ledger, ctx: Context) -> list[Issue]:
    """满意度 scores outside 1-5 (``gendan_xl.complaints``)."""
    from gendan_xl.complaints import satisfaction_issues

    return satisfaction_issues(ledger) if not ledger["satisfaction"].empty else []
def check_opening_stock(ledger: Ledger, ctx: Context) -> list[Issue]:
    """成品期初 rows (only when the sheet has rows): a 月份 that cannot be read
    (``bad-period``; the row is not used by the 成品月结) and an item the 产品 sheet
    does not list (``unknown-item``). The month rule is ``gendan_xl.monthly``."""
    from gendan_xl.monthly import opening_rows

    table = ledger.table("opening_stock")
    df = table.df
    if df.empty:
        return []
    out = opening_rows(ledger, ctx.as_of).issues
    items = ledger.table("items")
    if items.present:
        bad = df["item"].notna() & ~member(df["item"], items.df["item"])
        out += table.issues_at("unknown-item", df[bad], "item")
    return out


# --- materials (only when the sheets exist) --------------------------------------------


def _qty_text(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def check_unknown_materials(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Material codes on BOM, 采购 and 领料 that the 物料 sheet does not list."""
    master = ledger.table("materials")
    if not master.present:
        return []
    known = master.df["material"].dropna().astype(str)
    out: list[Issue] = []
    for key in ("bom", "purchases", "requisitions"):
        table = ledger.table(key)
        df = table.df
        bad = df["material"].notna() & ~member(df["material"].astype(str), known)
        out += table.issues_at("unknown-material", df[bad], "material")
    return out


def check_missing_bom(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Items with open work orders and no BOM row (when a BOM sheet exists), at the
    产品编码 of the item's first open work order."""
    if not ledger.table("bom").present:
        return []
    from gendan_xl.materials import bom_factors

    with_bom = set(bom_factors(ledger)["item"])
    wo = ctx.book.work_orders
    open_wo = wo[~wo["closed"] & (wo["balance"] > 0) & wo["item"].notna()]
    bad = open_wo[~open_wo["item"].astype(str).isin(with_bom)].drop_duplicates("item")
    return ledger.table("work_orders").issues_at("missing-bom", bad, "item")


def check_over_requisition(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Requisitions of a material for a work order (open or closed) above its need
    (工单 数量 x 用量 x (1 + 损耗率)) by more than the 领料超额比例 setting, at the
    数量 of the row whose running total crossed it."""
    if not ledger.table("bom").present:
        return []
    from gendan_xl.materials import bom_factors

    table = ledger.table("requisitions")
    df = table.df
    wo = ctx.book.work_orders.drop_duplicates("wo_no")
    r = df[df["wo_no"].notna() & df["material"].notna() & df["qty"].notna()]
    r = r[r["wo_no"].isin(wo["wo_no"])]
    if r.empty:
        return []
    item = r["wo_no"].map(wo.set_index("wo_no")["item"]).astype(str)
    factors = bom_factors(ledger).set_index(["item", "material"])["per_piece"]
    pairs = pd.MultiIndex.from_arrays([item, r["material"].astype(str)])
    per = factors.reindex(pairs).fillna(0.0).to_numpy()
    need = r["wo_no"].map(wo.set_index("wo_no")["qty"]).astype("float64").to_numpy() * per
    running = r.groupby([r["wo_no"], r["material"].astype(str)], sort=False)["qty"].cumsum().astype("float64")
    limit = ledger.options.over_requisition
    over = running.to_numpy() > need * (1 + limit) + 1e-9
    before = (running - r["qty"]).to_numpy() > need * (1 + limit) + 1e-9
    rows = r[over & ~before].assign(
        _issued=[_qty_text(v) for v in running[over & ~before]],
        _need=[_qty_text(v) for v in need[over & ~before]],
    )
    return table.issues_at(
        "over-requisition", rows, "qty", wo_no="@wo_no", material="@material", issued="@_issued",
        need="@_need", limit=_percent(limit),
    )


def check_late_purchases(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open purchases (not 已到/取消/关闭, not all arrived) due before the as-of date."""
    from gendan_xl.schema import PURCHASE_CLOSED_STATES

    table = ledger.table("purchases")
    df = table.df
    open_qty = df["qty"].astype("float64") - df["received"].astype("float64").fillna(0.0)
    bad = (df["due"] < pd.Timestamp(ctx.as_of)) & (open_qty > 1e-9) & ~df["status"].isin(PURCHASE_CLOSED_STATES)
    rows = df[bad].assign(_open=[_qty_text(v) for v in open_qty[bad]])
    return table.issues_at("late-purchase", rows, "due", po_no="@po_no", material="@material", open_qty="@_open")


def check_late_outsourcing(ledger: Ledger, ctx: Context) -> list[Issue]:
    """外协 lots still out (数量 > 已回数量) whose 预计回厂 is before the as-of date."""
    from gendan_xl.orderbook import outsourced_quantities

    table = ledger.table("outsourcing")
    df = table.df
    if df.empty:
        return []
    _returned, open_qty = outsourced_quantities(df)
    bad = (df["due"] < pd.Timestamp(ctx.as_of)).to_numpy() & (open_qty > 1e-9)
    rows = df[bad].assign(_open=[_qty_text(v) for v in open_qty[bad]])
    return table.issues_at("late-outsourcing", rows, "due", out_no="@out_no", open_qty="@_open")


def check_price_mismatch(ledger: Ledger, ctx: Context) -> list[Issue]:
    """A purchase's 单价 that differs from its supplier's price in force on its 下单日期."""
    if not ledger.table("supplier_prices").present:
        return []
    from gendan_xl.materials import price_in_force

    table = ledger.table("purchases")
    df = table.df
    df = df[df["supplier"].notna() & df["material"].notna() & df["unit_price"].notna() & df["order_date"].notna()]
    price = price_in_force(ledger, df["supplier"], df["material"], df["order_date"])
    bad = price.notna() & ((df["unit_price"].astype("float64") - price).abs() > 1e-9)
    rows = df[bad].assign(_price=[_qty_text(v) for v in price[bad]],
                          _date=df.loc[bad, "order_date"].dt.strftime("%Y-%m-%d"))
    return table.issues_at("price-mismatch", rows, "unit_price", supplier="@supplier", price="@_price",
                           order_date="@_date")


# --- samples (样品, optional sheet; 产品.新品) -------------------------------------------


def _known_customers(ledger: Ledger) -> set[str]:
    customers = ledger["customers"]
    known = pd.concat([customers["customer"], customers["full_name"], ledger["orders"]["customer"]]).dropna()
    return {normalize(str(v)) for v in known}


def check_samples(ledger: Ledger, ctx: Context) -> list[Issue]:
    """样品 rows: a 样品单号 entered twice, 数量 <= 0, an item 产品 does not list, a customer
    neither 客户 nor 订单 knows, 送样日期 / 确认日期 after the as-of date; a sample not
    sent by its 要求日期 (``sample-overdue``, at 要求日期), sent more than
    样品确认提醒天数 ago and still 待确认 (``sample-unconfirmed``, at 确认结果: the cell
    the clerk fills when the customer answers), answered without 确认日期 (info).
    States: ``gendan_xl.samples``."""
    from gendan_xl.samples import sample_states

    table = ledger.table("samples")
    df = table.df
    if df.empty:
        return []
    s = sample_states(ledger, ctx.as_of)
    out = _duplicates(table, df["sample_no"].astype("string"), "sample_no")
    out += table.issues_at("non-positive-qty", df[df["qty"].notna() & (df["qty"] <= 0)], "qty")
    items = ledger.table("items")
    if items.present:
        bad = df["item"].notna() & ~member(df["item"], items.df["item"])
        out += table.issues_at("unknown-item", df[bad], "item")
    names = _known_customers(ledger)
    bad = df["customer"].notna() & ~df["customer"].map(lambda v: normalize(str(v)) in names if isinstance(v, str) else True)
    out += table.issues_at("unknown-customer", df[bad.astype(bool)], "customer", what="样品", what_en="a sample",
                           effect="对不上该客户的订单", effect_en="no order can be matched to it")
    limit = pd.Timestamp(ctx.as_of)
    for column in ("sent_date", "confirmed_date"):
        out += table.issues_at("future-date", df[df[column] > limit], column, as_of=ctx.as_of)
    overdue = s[s["state"] == "overdue"]
    out += table.issues_at("sample-overdue", overdue, "required_date", sample="@label", days="@days_overdue")
    columns = table.sources[0].columns if table.sources else {}
    late = s[s["state"] == "waiting_long"]
    out += table.issues_at(
        "sample-unconfirmed", late, "result" if "result" in columns else "sent_date",
        value_key="result", sample="@label", sent="@sent_date", days="@days_waiting",
        limit=ctx.options.sample_confirm_days,
    )
    undated = s[s["state"].isin(["pass", "fail", "revise"]) & s["confirmed_date"].isna()]
    out += table.issues_at("sample-no-confirm-date", undated, "confirmed_date" if "confirmed_date" in columns else "result",
                           value_key="result", sample="@label")
    return out


def check_new_item_samples(ledger: Ledger, ctx: Context) -> list[Issue]:
    """Open order lines of a 新品 (产品.新品 = 是) whose customer has no 样品 row of
    the item with 确认结果 合格, at the 订单 row's 产品编码."""
    from gendan_xl.samples import lines_without_approved_sample

    rows = lines_without_approved_sample(ledger)
    return ledger.table("orders").issues_at("no-approved-sample", rows, "item", key="@label", customer="@customer")


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
    check_under_issued,
    check_closed_short,
    check_missing_rate,
    check_delivery_notes,
    check_receipt_customers,
    check_hours_over_capacity,
    check_rate_outliers,
    check_defect_rate,
    check_line_mismatch,
    check_rest_day_reports,
    check_holiday_data,
    check_unknown_materials,
    check_missing_bom,
    check_over_requisition,
    check_late_purchases,
    check_price_mismatch,
    check_forecasts,
    check_complaints,
    check_satisfaction,
    check_late_outsourcing,
    check_samples,
    check_new_item_samples,
    check_carton_sizes,
    check_opening_stock,
]


# Checks that read only the tables: they run while the order book is derived.
BOOK_FREE: tuple[Check, ...] = (
    check_duplicate_keys, check_quantities, check_due_before_order, check_references, check_future_dates,
    check_signed_before_shipped, check_duplicate_reports, check_defect_rate,
)
# The daily-report audit (a million rows on a big ledger): it needs the order book,
# and runs beside the other checks that do.
REPORT_AUDIT: tuple[Check, ...] = (
    check_hours_over_capacity, check_rate_outliers, check_line_mismatch, check_rest_day_reports,
)


def run_checks(ledger: Ledger, as_of: date) -> list[Issue]:
    """Every check over the ledger (the read issues are not repeated here), in the
    order of ``CHECKS``. The table-only checks and the daily-report audit run in a
    second thread (the vectorised work releases the interpreter, and a 2-core machine
    has a core to spare), the order book and the other checks in this one."""
    ctx = Context.build(ledger, as_of)
    found: dict[Check, list[Issue]] = {}
    book_ready = threading.Event()

    def beside() -> dict[Check, list[Issue]]:
        out = {check: check(ledger, ctx) for check in BOOK_FREE}
        book_ready.wait()
        out.update({check: check(ledger, ctx) for check in REPORT_AUDIT})
        return out

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gendan-checks") as pool:
        other = pool.submit(beside)
        try:
            ctx.book  # noqa: B018 - derived once, here
        finally:
            book_ready.set()
        for check in CHECKS:  # none of these uses ctx.calendar / ctx.reports (the other thread's)
            if check not in BOOK_FREE and check not in REPORT_AUDIT:
                found[check] = check(ledger, ctx)
        found.update(other.result())
    return [issue for check in CHECKS for issue in found[check]]


__all__ = ["CHECKS", "Context", "run_checks"]

