"""成品月结: the finished-goods stock of one calendar month, per item, and what each
customer was shipped in it.

Per item: 期初 + 入库 - 出货 + 退货 = 期末, where

- 期初 (opening) is the 成品期初 row(s) of the item for that month (rows of the same
  item and month add up); without one, the previous month's 期末 — worked out from
  the item's latest earlier 成品期初 row rolled forward month by month with the
  movements below. An item with no 成品期初 row at all, this month or earlier, has
  an unknown opening: it is taken as 0 before the ledger's first movement and rolled
  forward the same way (``opening_source`` "unknown"; the sheet says so). So the
  期末 of a month is always the 期初 of the next unless a 成品期初 row for the next
  month says otherwise.
- 入库 (good output into stock) = 日报良品 + 品质调整: the 良品数 of 生产日报 rows dated
  in the month, booked to the item of their work order (the order book's match of
  each report to its work order, ``ledger.book.daily_wo``; a report whose 工单号 is
  on no work order is not counted and the notes say how many); and the 品质异常
  rows of that work order, dated as the order book nets them: a 报废 takes its 数量
  off on its 日期, a 返工 takes it off on its 日期 and puts it back on its 结案日期.
  Summed over all months this is exactly the order book's ``produced`` of the work
  orders (reported good pieces less open rework and scrap); 外协 已回数量 has no date
  on the 外协 sheet and is not in 入库.
- 出货 / 退货: 出货 rows dated in the month, 类型 出货 (or blank) / 类型 退货 (a
  return written negative counts by its size), each on the item it names (产品编码 of
  the row, else its order line's), as the 对账单 books them.

Rows dated after the as-of date are not counted (they are ``future-date`` issues);
a month not yet over covers its days up to the as-of date.

Per customer (the order line's 客户, as on the 对账单): the month's 出货 and 退货
quantities and amounts priced exactly as the 对账单 prices them
(``documents.statement.StatementBook``: order line 单价, else the item's, qty x price
to the fen; returns negative), over the calendar month (not the customer's 对账日
period). An 出货 row that names no order line is in the item figures but on no
customer's (nor on any 对账单); the notes count them.

A negative 期末 (more shipped than there was) is flagged; items with no opening and no
movement in the month are left out.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.forecasts import parse_month
from gendan_xl.ledger import ROW, SRC, Ledger, return_rows
from gendan_xl.model import Issue, Lang, make_issue
from gendan_xl.schema import REWORK, SCRAP

EPS = 1e-9
OPENING_HINT = ("月份填 2026-11、2026年11月或该月任一日期", "month as 2026-11, 2026年11月 or any date in it")
# Where an item's 期初 comes from.
FROM_SHEET, ROLLED, UNKNOWN = "sheet", "rolled", "unknown"
FLOWS = ("produced", "quality", "shipped", "returned")
ITEM_COLUMNS = [
    "item", "item_name", "spec", "unit", "opening", "opening_source", "opening_month",
    "produced", "quality", "in_qty", "shipped", "returned", "closing", "negative",
]
CUSTOMER_COLUMNS = [
    "customer", "shipped", "shipped_amount", "returned", "returned_amount", "net_qty", "net_amount", "unpriced",
]


class MonthError(ValueError):
    """A month that cannot be summarised (not a month, or after the as-of date)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en

    def message(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def parse_period(text: str, as_of: date) -> tuple[int, int]:
    """``--period`` as (year, month): the 月份 forms of the 预测 sheet (2026-11,
    2026/11, 202611, 2026年11月, 11月, a date in the month)."""
    bounds = parse_month(text, as_of)
    if bounds is None:
        raise MonthError(
            f"月份无法识别:{text}(应为 YYYY-MM,如 2026-11、2026年11月)",
            f"not a month: {text} (use YYYY-MM, e.g. 2026-11)",
        )
    return bounds[0].year, bounds[0].month


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _text(series: pd.Series) -> pd.Series:
    """Codes as text ("" for blank), trimmed."""
    return series.astype(object).map(lambda v: "" if v is None or v != v else str(v).strip())


def _month_index(days: pd.Series) -> np.ndarray:
    d = pd.to_datetime(days)
    return (d.dt.year * 12 + d.dt.month - 1).to_numpy(dtype=np.int64)


# --- the rows ----------------------------------------------------------------------


@dataclass
class Openings:
    """The 成品期初 rows with a readable month: item, month (index year*12+month-1),
    qty, _src, _row; the issues of the rest."""

    rows: pd.DataFrame
    issues: list[Issue]


def opening_rows(ledger: Ledger, as_of: date) -> Openings:
    """Each 成品期初 row's month (``bad-period`` at the 月份 cell when it cannot be read;
    the row is then not used). Rows without an item or a quantity are not used
    either (the reader reports the blank or unreadable cell)."""
    table = ledger.table("opening_stock")
    df = table.df
    cols = ["item", "month", "qty", SRC, ROW]
    if df.empty:
        return Openings(pd.DataFrame(columns=cols), [])
    issues: list[Issue] = []
    months: list[int] = []
    for value, src, row in zip(df["month"], df[SRC], df[ROW], strict=True):
        bounds = parse_month(value, as_of) if isinstance(value, str) and value.strip() else None
        if bounds is None:
            months.append(-1)
            if isinstance(value, str) and value.strip():
                ref = table.ref(int(src), int(row), "month")
                issues.append(make_issue("bad-period", ref, value, hint=OPENING_HINT[0], hint_en=OPENING_HINT[1]))
        else:
            months.append(_index(bounds[0].year, bounds[0].month))
    out = pd.DataFrame({
        "item": _text(df["item"]).to_numpy(dtype=object),
        "month": np.asarray(months, dtype=np.int64),
        "qty": df["qty"].astype("float64").to_numpy(),
        SRC: df[SRC].to_numpy(), ROW: df[ROW].to_numpy(),
    })
    ok = (out["month"] >= 0) & (out["item"] != "") & out["qty"].notna()
    return Openings(out[ok].reset_index(drop=True)[cols], issues)


@dataclass
class Movements:
    """Every dated stock movement up to the as-of date: item, day, kind (one of
    ``FLOWS``), qty (signed as it acts on stock for ``quality``, positive for the
    others), and counts of rows that could not be booked to an item."""

    rows: pd.DataFrame
    unknown_wo: pd.Series  # per-row day of daily reports whose 工单号 is on no work order
    no_item: pd.Series  # per-row day of 出货 rows naming no item
    unmatched: pd.Series  # per-row day of 出货 rows naming no order line (on no 对账单)


def movements(ledger: Ledger, as_of: date) -> Movements:
    book = ledger.book
    cut = pd.Timestamp(as_of)
    parts: list[pd.DataFrame] = []
    wo_item = _text(book.work_orders["item"]).to_numpy(dtype=object)

    def item_of_wo(codes: np.ndarray) -> np.ndarray:
        if not len(wo_item):
            return np.full(len(codes), "", dtype=object)
        out = wo_item[np.clip(codes, 0, None)].copy()
        out[codes < 0] = ""
        return out

    def part(item: np.ndarray, day: pd.Series, kind: str, qty: np.ndarray) -> None:
        parts.append(pd.DataFrame({"item": item, "day": pd.to_datetime(day).to_numpy(), "kind": kind, "qty": qty}))

    # 生产日报: good pieces on the work order's item.
    daily = ledger["daily"]
    codes = book.daily_wo
    good = daily["good_qty"].astype("float64")
    dated = (daily["date"].notna() & good.notna() & (daily["date"] <= cut)).to_numpy()
    known = codes >= 0
    part(item_of_wo(codes[dated & known]), daily["date"][dated & known], "produced",
         good.to_numpy()[dated & known])
    unknown_wo = daily["date"][dated & ~known & daily["wo_no"].notna().to_numpy()]

    # 品质异常 as the order book nets it: scrap off on its date, rework off on its date
    # and back on its 结案日期.
    q = book.quality
    if len(q):
        qcodes = q["wo_code"].to_numpy()
        qty = q["qty"].astype("float64").to_numpy()
        action = q["action"].astype(object).to_numpy()
        usable = (qcodes >= 0) & ~np.isnan(qty)
        off = usable & np.isin(action, [SCRAP, REWORK]) & (q["date"].notna() & (q["date"] <= cut)).to_numpy()
        part(item_of_wo(qcodes[off]), q["date"][off], "quality", -qty[off])
        back = (usable & (action == REWORK) & (q["closed_date"].notna() & (q["closed_date"] <= cut)).to_numpy())
        part(item_of_wo(qcodes[back]), q["closed_date"][back], "quality", qty[back])

    # 出货: deliveries and returns, on the row's own item, else its order line's.
    s = ledger["shipments"]
    own = _text(s["item"])
    line_item = pd.Series(book.line_of(book.ship_codes, "item"), index=s.index, dtype=object)
    item = own.where(own != "", _text(line_item))
    sqty = s["qty"].astype("float64")
    shipped_on = (s["ship_date"].notna() & sqty.notna() & (sqty != 0) & (s["ship_date"] <= cut)).to_numpy()
    has_item = (item != "").to_numpy()
    ret = return_rows(s).to_numpy()
    ok = shipped_on & has_item
    part(item[ok & ~ret].to_numpy(dtype=object), s["ship_date"][ok & ~ret], "shipped", sqty[ok & ~ret].to_numpy())
    part(item[ok & ret].to_numpy(dtype=object), s["ship_date"][ok & ret], "returned", sqty[ok & ret].abs().to_numpy())
    no_item = s["ship_date"][shipped_on & ~has_item]
    unmatched = s["ship_date"][shipped_on & (book.ship_codes < 0)] if len(book.ship_codes) == len(s) \
        else s["ship_date"][:0]

    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["item", "day", "kind", "qty"])
    rows = rows[rows["item"] != ""].reset_index(drop=True)
    return Movements(rows, unknown_wo, no_item, unmatched)


# --- the summary ---------------------------------------------------------------------


@dataclass
class MonthlySummary:
    """One month's 成品月结 (see the module doc)."""

    period: str  # YYYY-MM
    start: date
    end: date  # the last day counted: the month's last day, or the as-of date before it
    month_end: date
    as_of: date
    items: pd.DataFrame  # ITEM_COLUMNS, by item code
    customers: pd.DataFrame  # CUSTOMER_COLUMNS, by customer
    has_opening_sheet: bool
    notes: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)

    @property
    def closed(self) -> bool:
        """The whole month is counted (its last day is on or before the as-of date)."""
        return self.end >= self.month_end

    @property
    def negative(self) -> pd.DataFrame:
        return self.items[self.items["negative"]]

    def warnings(self, lang: Lang = "zh") -> list[str]:
        """One line per item whose 期末 is below zero."""
        out = []
        for r in self.negative.to_dict("records"):
            if lang == "zh":
                out.append(f"{r['item']} {self.period} 期末库存为 {qty_text(r['closing'])}:出货多于期初加入库,"
                           "请核对成品期初、生产日报和出货")
            else:
                out.append(f"{r['item']} {self.period}: closing stock {qty_text(r['closing'])}, more shipped than "
                           "opening plus output; check 成品期初, the daily reports and 出货")
        return out

    def note_lines(self, lang: Lang = "zh") -> list[str]:
        return [zh if lang == "zh" else en for zh, en in self.notes]

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        def num(v: object) -> float | int | None:
            if v is None or (isinstance(v, float) and v != v):
                return None
            f = float(v)  # type: ignore[arg-type]
            return int(f) if f.is_integer() else round(f, 6)

        def txt(v: object) -> str | None:
            return None if v is None or (isinstance(v, float) and v != v) or v == "" else str(v)

        items = [
            {
                "item": r["item"], "item_name": txt(r["item_name"]), "spec": txt(r["spec"]), "unit": txt(r["unit"]),
                "opening": num(r["opening"]), "opening_source": r["opening_source"],
                "opening_month": txt(r["opening_month"]),
                "produced": num(r["produced"]), "quality": num(r["quality"]), "in": num(r["in_qty"]),
                "shipped": num(r["shipped"]), "returned": num(r["returned"]), "closing": num(r["closing"]),
                "negative": bool(r["negative"]),
            }
            for r in self.items.to_dict("records")
        ]
        customers = [
            {
                "customer": r["customer"], "shipped": num(r["shipped"]), "shipped_amount": num(r["shipped_amount"]),
                "returned": num(r["returned"]), "returned_amount": num(r["returned_amount"]),
                "net_qty": num(r["net_qty"]), "net_amount": num(r["net_amount"]), "unpriced_rows": int(r["unpriced"]),
            }
            for r in self.customers.to_dict("records")
        ]
        return {
            "period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(), "closed": self.closed, "items": items, "customers": customers,
            "warnings": self.warnings(lang), "notes": self.note_lines(lang),
        }


def qty_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _cal.monthrange(year, month)[1])


def monthly_summary(ledger: Ledger, year: int, month: int, as_of: date) -> MonthlySummary:
    """The 成品月结 of ``year-month`` as of ``as_of`` (a month not yet over: its days
    so far). Raises ``MonthError`` for a month that starts after the as-of date."""
    start, month_end = month_bounds(year, month)
    if start > as_of:
        raise MonthError(
            f"{year:04d}-{month:02d} 在截至日期 {as_of.isoformat()} 之后,还没有可结的数据",
            f"{year:04d}-{month:02d} is after the as-of date {as_of.isoformat()}: nothing to summarise",
        )
    target = _index(year, month)
    mv = movements(ledger, as_of)
    openings = opening_rows(ledger, as_of).rows
    items = _item_table(ledger, mv.rows, openings, target)
    customers, unpriced = _customer_table(ledger, start, min(month_end, as_of))
    summary = MonthlySummary(
        period=_label(target), start=start, end=min(month_end, as_of), month_end=month_end, as_of=as_of,
        items=items, customers=customers, has_opening_sheet=ledger.table("opening_stock").present,
    )
    summary.notes = _notes(summary, mv, target, unpriced)
    return summary


def _item_table(ledger: Ledger, rows: pd.DataFrame, openings: pd.DataFrame, target: int) -> pd.DataFrame:
    mi = _month_index(rows["day"]) if len(rows) else np.zeros(0, dtype=np.int64)
    signed = np.where(rows["kind"].isin(["shipped"]).to_numpy(), -1.0, 1.0) * rows["qty"].to_numpy(dtype="float64") \
        if len(rows) else np.zeros(0)
    flows = rows.assign(_m=mi, _net=signed)

    # The latest 成品期初 month on or before the target month, per item, and its qty.
    anchors = openings[openings["month"] <= target].groupby(["item", "month"], sort=True)["qty"].sum().reset_index()
    latest = anchors.sort_values(["item", "month"]).drop_duplicates("item", keep="last").set_index("item")

    # Net movement before the target month, counted from the anchor month on (or from
    # the first movement when the item has no anchor).
    before = flows[flows["_m"] < target]
    anchor_m = before["item"].map(latest["month"]).fillna(-1).to_numpy(dtype=np.int64) if len(before) else \
        np.zeros(0, dtype=np.int64)
    before = before[before["_m"].to_numpy() >= anchor_m]
    carried = before.groupby("item")["_net"].sum()

    inside = flows[flows["_m"] == target]
    per_kind = inside.pivot_table(index="item", columns="kind", values="qty", aggfunc="sum") if len(inside) \
        else pd.DataFrame()
    codes = sorted(set(latest.index) | set(carried.index) | set(per_kind.index))
    df = pd.DataFrame({"item": codes})
    for kind in FLOWS:
        df[kind] = df["item"].map(per_kind[kind]).fillna(0.0).to_numpy() if kind in per_kind else 0.0
    base = df["item"].map(latest["qty"]) if len(latest) else pd.Series(np.nan, index=df.index)
    df["opening"] = base.fillna(0.0).to_numpy() + df["item"].map(carried).fillna(0.0).to_numpy()
    month = df["item"].map(latest["month"]) if len(latest) else pd.Series(np.nan, index=df.index)
    df["opening_source"] = np.where(month.isna(), UNKNOWN, np.where(month == target, FROM_SHEET, ROLLED))
    df["opening_month"] = [None if m != m else _label(int(m)) for m in month]
    df["in_qty"] = df["produced"] + df["quality"]
    df["closing"] = df["opening"] + df["in_qty"] - df["shipped"] + df["returned"]
    for column in ("opening", "in_qty", "closing", *FLOWS):
        df[column] = df[column].astype("float64").round(6) + 0.0  # no -0.0 or float dust
    df["negative"] = df["closing"] < -EPS
    moved = (df[list(FLOWS)].abs() > EPS).any(axis=1)
    df = df[moved | (df["opening"].abs() > EPS)].reset_index(drop=True)
    info = ledger["items"]
    info = info[info["item"].notna()].assign(item=lambda f: _text(f["item"])).drop_duplicates("item")
    info = info.set_index("item")
    for column, key in (("item_name", "item_name"), ("spec", "spec"), ("unit", "unit")):
        df[column] = df["item"].map(info[key]) if len(info) else None
    return df[ITEM_COLUMNS]


def _customer_table(ledger: Ledger, start: date, end: date) -> tuple[pd.DataFrame, int]:
    """Per customer, the month's deliveries and returns priced as the 对账单 prices
    them; and the number of rows without a price (no amount)."""
    from gendan_xl.documents.models import cents
    from gendan_xl.documents.statement import StatementBook

    book = StatementBook(ledger)
    out: list[dict[str, Any]] = []
    unpriced = 0
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    for customer, rows in book.rows.items():
        day = pd.to_datetime(rows["ship_date"])
        rows = rows[((day >= lo) & (day <= hi)).to_numpy()]
        if rows.empty:
            continue
        ret = rows["_return"].to_numpy(dtype=bool)
        qty = rows["_qty"].astype("float64").to_numpy()
        amount = rows["_amount"].astype("float64").to_numpy()
        priced = ~np.isnan(amount)
        n_unpriced = int((~priced).sum())
        unpriced += n_unpriced
        out.append({
            "customer": str(customer),
            "shipped": float(qty[~ret].sum()),
            "shipped_amount": cents([float(a) for a in amount[~ret & priced]]),
            "returned": float(-qty[ret].sum()) + 0.0,
            "returned_amount": cents([float(a) for a in amount[ret & priced]]),
            "net_qty": float(qty.sum()),
            "net_amount": cents([float(a) for a in amount[priced]]),
            "unpriced": n_unpriced,
        })
    df = pd.DataFrame(out, columns=CUSTOMER_COLUMNS)
    return df.sort_values("customer", kind="stable").reset_index(drop=True), unpriced


def _notes(summary: MonthlySummary, mv: Movements, target: int, unpriced: int) -> list[tuple[str, str]]:
    def in_month(days: pd.Series) -> int:
        return int((_month_index(days) == target).sum()) if len(days) else 0

    notes: list[tuple[str, str]] = []
    if not summary.closed:
        notes.append((f"本月未结束:统计 {summary.start.isoformat()} 至 {summary.end.isoformat()}",
                      f"month not over: {summary.start.isoformat()} to {summary.end.isoformat()} counted"))
    unknown = int((summary.items["opening_source"] == UNKNOWN).sum())
    if unknown:
        notes.append((f"{unknown} 个产品没有成品期初:期初未知,按台账最早记录前库存为 0 推算",
                       f"{unknown} items have no 成品期初 row: opening unknown, assumed 0 before the ledger's "
                       "first record"))
    n = in_month(mv.unknown_wo)
    if n:
        notes.append((f"{n} 行生产日报的工单号不在工单表中,未计入入库",
                      f"{n} daily-report rows name no known work order: not in 入库"))
    n = in_month(mv.no_item)
    if n:
        notes.append((f"{n} 行出货无法确定产品编码,未计入", f"{n} 出货 rows name no item: not counted"))
    n = in_month(mv.unmatched)
    if n:
        notes.append((f"{n} 行出货没有对应订单行,计入产品出货但不在客户汇总(也不在对账单上)",
                      f"{n} 出货 rows name no order line: in the item figures, not in the customer totals"))
    if unpriced:
        notes.append((f"{unpriced} 行出货没有单价,金额未计", f"{unpriced} 出货 rows have no price: no amount"))
    return notes


__all__ = [
    "MonthError",
    "MonthlySummary",
    "Movements",
    "Openings",
    "monthly_summary",
    "movements",
    "opening_rows",
    "parse_period",
]
