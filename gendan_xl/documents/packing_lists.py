"""装箱单 / Packing List: one per delivery note (送货单), for export.

The 出货 rows that carry a 送货单号 are grouped by it, exactly the rows the
送货单 of that number lists (returns, 类型 退货, are left out); the packing list
prints the note's own number: no new numbers are given out, nothing is journaled
and the ledger is never written. Rows without a 送货单号 cannot be packed yet: the
run says so and names them (``gendan docs delivery-notes`` gives them a number).

Per line: the cartons of its quantity at 产品.每箱数量, numbered consecutively
through the whole note (line 1 cartons 1-20, line 2 21-35 ...), a last partial
carton as a row of its own, N.W. / G.W. from 产品.净重 / 毛重 (kg per carton) and
CBM from 产品.箱规; the arithmetic is ``gendan_xl.packing``. The quantity and
每箱数量 decide the cartons: a 出货.箱数 that disagrees is reported (and otherwise
ignored). A line whose item has no 每箱数量 uses the row's 箱数 as full cartons when
given (weights x cartons), else it gets no carton numbers, weights or CBM; either
way the run says what is missing, never fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import Company, CustomerInfo, LedgerRow, _Doc
from gendan_xl.ledger import Ledger, return_rows
from gendan_xl.packing import (
    CBM_PLACES,
    WEIGHT_PLACES,
    CartonRun,
    carton_runs,
    parse_carton_size,
    positive,
    round_to,
    run_weights,
)


class PackingRow(_Doc):
    """One printed row: a run of cartons with the same count each (or, without
    carton data, the whole line with blanks)."""

    cartons_label: str = ""  # "1-20", "21"; blank when the cartons are unknown
    per_carton: float | None = None
    cartons: int | None = None
    qty: float
    net: float | None = None  # kg, all cartons of the row
    gross: float | None = None
    cbm: float | None = None  # m³
    partial: bool = False  # the last carton of its line, not full


class PackingLine(_Doc):
    """One 出货 row of the note: its item and the rows of its cartons."""

    seq: int
    order_no: str = ""
    customer_po: str = ""
    item: str = ""
    customer_item: str = ""
    description: str = ""  # 品名 and 规格
    unit: str = ""
    qty: float
    rows: list[PackingRow]
    source: LedgerRow

    @property
    def cartons(self) -> int | None:
        counts = [r.cartons for r in self.rows]
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)


class PackingList(_Doc):
    """One 装箱单 / Packing List."""

    note_no: str
    ship_date: date
    company: Company
    customer: CustomerInfo
    marks: str = ""  # 客户.唛头, printed as written (several lines)
    lines: list[PackingLine]

    def _sum(self, key: str, places: int) -> float | None:
        values = [getattr(r, key) for ln in self.lines for r in ln.rows]
        if not values or any(v is None for v in values):
            return None
        return round_to(sum(values), places)

    @property
    def total_cartons(self) -> int | None:
        counts = [ln.cartons for ln in self.lines]
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)

    @property
    def total_qty(self) -> float:
        return sum(ln.qty for ln in self.lines)

    @property
    def total_net(self) -> float | None:
        return self._sum("net", WEIGHT_PLACES)

    @property
    def total_gross(self) -> float | None:
        return self._sum("gross", WEIGHT_PLACES)

    @property
    def total_cbm(self) -> float | None:
        return self._sum("cbm", CBM_PLACES)

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(ln.unit for ln in self.lines if ln.unit))


@dataclass
class PackingRun:
    docs: list[PackingList] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # missing or disagreeing data, per row
    unnumbered: list[LedgerRow] = field(default_factory=list)  # 出货 rows without a 送货单号
    unknown: list[str] = field(default_factory=list)  # --note numbers on no 出货 row


def customer_marks(ledger: Ledger) -> dict[str, str]:
    """客户.唛头 by customer short name (first row wins), line breaks kept."""
    out: dict[str, str] = {}
    df = ledger["customers"]
    if "marks" not in df:
        return out
    for name, marks in zip(df["customer"], df["marks"], strict=True):
        key = common.text(name)
        if key and key not in out:
            text = "" if marks is None or marks != marks else str(marks)
            out[key] = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    return out


def _deliveries(ledger: Ledger) -> pd.DataFrame:
    """出货 rows that are deliveries (not returns), with their order-line key ``_key``."""
    df = ledger["shipments"]
    keys = pd.Series(ledger.book.ship_keys.to_numpy(), index=df.index, dtype=object)
    df = df.assign(_key=keys, _note=df["note_no"].map(common.text))
    ok = df["qty"].notna() & (df["qty"] > 0) & ~return_rows(df).to_numpy()
    return df[ok.to_numpy()]


def build_packing_lists(
    ledger: Ledger, notes: Sequence[str] = (), on_date: date | None = None
) -> PackingRun:
    """A packing list per delivery note (only ``notes`` when given; only notes
    shipped on ``on_date`` when given), in ship-date and number order."""
    rows = _deliveries(ledger)
    run = PackingRun()
    wanted = [n.strip() for n in notes if n.strip()]
    if not wanted:
        pending = rows[rows["_note"] == ""]
        if on_date is not None:
            pending = pending[pending["ship_date"] == pd.Timestamp(on_date)]
        run.unnumbered = [common.ledger_row(ledger, "shipments", r) for r in pending.to_dict("records")]
    rows = rows[rows["_note"] != ""]
    if wanted:
        have = set(rows["_note"])
        run.unknown = [n for n in dict.fromkeys(wanted) if n not in have]
        rows = rows[rows["_note"].isin(set(wanted))]
    if on_date is not None:
        rows = rows[rows["ship_date"] == pd.Timestamp(on_date)]
    if rows.empty:
        return run
    by_key = common.order_rows(ledger)
    items = common.items(ledger)
    company = common.company(ledger)
    marks = customer_marks(ledger)
    first_day = rows.groupby("_note")["ship_date"].transform("min")
    rows = rows.assign(_first=first_day).sort_values(["_first", "_note", "_src", "_row"], kind="stable")
    for note_no, group in rows.groupby("_note", sort=False):
        recs = group.to_dict("records")
        orders = [by_key.loc[r["_key"]] if isinstance(r["_key"], str) and r["_key"] in by_key.index else None
                  for r in recs]
        names = list(dict.fromkeys(c for c in (common.text(o["customer"]) for o in orders if o is not None) if c))
        customer = names[0] if names else ""
        if len(names) > 1:
            run.problems.append(f"送货单 {note_no} 的出货行属于多个客户({'、'.join(names)}),装箱单按 {customer} 开")
        ship_day = common.day(group["ship_date"].min())
        assert ship_day is not None
        next_carton = 1
        lines: list[PackingLine] = []
        for seq, (rec, order) in enumerate(zip(recs, orders, strict=True), start=1):
            line, next_carton = _line(ledger, seq, rec, order, items, next_carton, run.problems)
            lines.append(line)
        run.docs.append(PackingList(
            note_no=str(note_no), ship_date=ship_day, company=company,
            customer=common.customer_info(ledger, customer) if customer else CustomerInfo(name=""),
            marks=marks.get(customer, ""), lines=lines,
        ))
    return run


def _line(
    ledger: Ledger, seq: int, rec: dict[Any, Any], order: Any, items: pd.DataFrame,
    first: int, problems: list[str],
) -> tuple[PackingLine, int]:
    """The line of one 出货 row, its cartons numbered from ``first``; returns the line
    and the next carton number."""
    source = common.ledger_row(ledger, "shipments", rec)
    where = source.address
    item = common.text(rec.get("item")) or (common.text(order["item"]) if order is not None else "")
    info = items.loc[item] if item in items.index else None

    def pick(key: str) -> str:
        own = common.text(order.get(key)) if order is not None and key in order else ""
        return own or (common.text(info.get(key)) if info is not None and key in info else "")

    qty = float(rec["qty"])
    per = positive(info["pcs_per_carton"]) if info is not None else None
    net = positive(info["net_weight"]) if info is not None else None
    gross = positive(info["gross_weight"]) if info is not None else None
    size_text = common.text(info["carton_size"]) if info is not None else ""
    size = parse_carton_size(size_text) if size_text else None
    given = common.number(rec.get("cartons"))
    label = f"{where}({item or '无产品编码'})"
    if info is None:
        problems.append(f"{label}:产品不在产品表中,没有每箱数量、重量和箱规,这一行只印数量")
    rows: list[PackingRow] = []
    if per is not None:
        runs = carton_runs(qty, per, first)
        count = sum(r.cartons for r in runs)
        if given is not None and int(given) != count:
            problems.append(
                f"{label}:箱数 {given:g} 与 数量 {qty:,.0f} ÷ 每箱 {per:g} = {count} 箱不符,"
                f"装箱单按 {count} 箱(以数量和每箱数量为准)"
            )
    elif given is not None and given > 0 and float(given).is_integer():
        runs = [CartonRun(first, first + int(given) - 1, qty / given)]
        count = int(given)
        problems.append(f"{label}:产品没有每箱数量,按出货行的箱数 {int(given)} 箱计(每箱件数取平均)")
    else:
        runs, count = [], 0
        if info is not None:
            problems.append(f"{label}:产品没有每箱数量,出货行也没有箱数:箱号、重量和体积空白")
    if runs:
        missing = [name for name, v in (("净重", net), ("毛重", gross)) if v is None]
        if size is None:
            missing.append("箱规" if not size_text else f"箱规(「{size_text}」无法识别)")
        if missing:
            problems.append(f"{label}:产品没有{'、'.join(missing)},装箱单上这些栏空白")
        for r in runs:
            w = run_weights(r, per, net, gross, size)
            rows.append(PackingRow(
                cartons_label=r.label, per_carton=r.per, cartons=r.cartons, qty=r.qty,
                net=w.net, gross=w.gross, cbm=w.cbm, partial=r.partial,
            ))
    else:
        rows.append(PackingRow(qty=qty))
    name = " ".join(x for x in (pick("item_name"), pick("spec")) if x)
    line = PackingLine(
        seq=seq,
        order_no=common.text(order["order_no"]) if order is not None else common.text(rec.get("order_no")),
        customer_po=common.text(order["customer_po"]) if order is not None else "",
        item=item, customer_item=pick("customer_item"), description=name, unit=pick("unit"),
        qty=qty, rows=rows, source=source,
    )
    return line, first + count


__all__ = ["PackingLine", "PackingList", "PackingRow", "PackingRun", "build_packing_lists", "customer_marks"]
