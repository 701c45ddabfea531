"""送货单: shipment rows without a 送货单号, grouped by customer and ship date into
numbered delivery notes, and the 送货单号 cells ``--write-back`` fills in.

A shipment row belongs to the customer of its order line (the order book's match);
rows that match no order line cannot be put on a note and are returned as
``unmatched``. Cartons come from the row's 箱数, else from 产品.每箱数量; prices
from the order line's 单价, else the item's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import (
    Assignment,
    DeliveryLine,
    DeliveryNote,
    LedgerRow,
    NoteKind,
    WriteBackCell,
    WriteBackPlan,
)
from gendan_xl.documents.money import cartons
from gendan_xl.documents.work_orders import Allocator
from gendan_xl.ledger import Ledger, return_rows
from gendan_xl.schema import SETTING_KEYS

DEFAULT_NOTE_LINES = int(SETTING_KEYS["note_lines"][1])  # type: ignore[call-overload]


@dataclass
class DeliveryRun:
    notes: list[DeliveryNote] = field(default_factory=list)
    unmatched: list[LedgerRow] = field(default_factory=list)  # rows with no order line

    @property
    def assignments(self) -> list[Assignment]:
        return [
            Assignment(
                kind=n.kind, number=n.note_no, day=n.ship_date, customer=n.customer.name,
                order_no="、".join(dict.fromkeys(line.order_no for line in n.lines)),
                qty=n.total_qty, rows=[line.source for line in n.lines],
            )
            for n in self.notes
        ]


def note_lines_setting(ledger: Ledger) -> int:
    """Lines per printed page (设置: 送货单每页行数), 1-40, default 10."""
    value = common.number(ledger.setting("note_lines", DEFAULT_NOTE_LINES))
    if value is None or not 1 <= value <= 40:
        return DEFAULT_NOTE_LINES
    return int(value)


def note_paper_setting(ledger: Ledger) -> tuple[str, bool]:
    """(paper, landscape) from 设置: 送货单纸张. ``A5`` (default) prints landscape,
    ``A4`` portrait; 横/landscape or 竖/纵/portrait in the value override that."""
    raw = common.text(ledger.setting("note_paper", SETTING_KEYS["note_paper"][1])).upper()
    paper = "A4" if "A4" in raw else "A5"
    landscape = paper == "A5"
    if "横" in raw or "LANDSCAPE" in raw:
        landscape = True
    elif any(w in raw for w in ("竖", "纵", "PORTRAIT")):
        landscape = False
    return paper, landscape


def pending_shipments(ledger: Ledger, on_date: date | None = None, kind: str | None = None) -> pd.DataFrame:
    """Shipment rows without a 送货单号 (optionally of one ship date), with the order
    line key ``_key`` they belong to (NaN when none). ``kind`` "dn": deliveries only,
    "rt": returns only, None: both."""
    df = ledger["shipments"]
    keys = pd.Series(ledger.book.ship_keys.to_numpy(), index=df.index, dtype=object)
    df = df.assign(_key=keys)
    blank_note = df["note_no"].map(common.text) == ""
    ok = blank_note & df["ship_date"].notna() & df["qty"].notna() & (df["qty"] != 0)
    if on_date is not None:
        ok &= df["ship_date"] == pd.Timestamp(on_date)
    if kind is not None:
        ok &= return_rows(df) == (kind == "rt")
    return df[ok]


def build_delivery_notes(
    ledger: Ledger,
    allocate: Allocator,
    on_date: date | None = None,
    customer: str | None = None,
    show_prices: bool = False,
    earlier: Mapping[str, str] | None = None,
    kind: NoteKind = "dn",
) -> DeliveryRun:
    """Delivery notes for the pending shipments, one per customer and ship date,
    numbered by ``allocate`` for each ship date (notes ordered by date, then customer).

    ``customer`` is a short name as in the ledger (see ``common.find_customer``).
    ``earlier``: source key (``row_sources``) -> the number a row was given by an
    earlier run; rows given one keep it (they form that note again), so a shipment is
    never on two live notes.
    ``kind`` "rt": 退货单 for the pending returns instead (numbered by 退货单号规则).
    """
    rows = pending_shipments(ledger, on_date, kind)
    run = DeliveryRun()
    if rows.empty:
        return run
    by_key = common.order_rows(ledger)
    matched = rows["_key"].notna() & rows["_key"].isin(by_key.index)
    run.unmatched = [common.ledger_row(ledger, "shipments", r) for r in rows[~matched].to_dict("records")]
    rows = rows[matched]
    rows = rows.assign(_customer=rows["_key"].map(by_key["customer"]).map(common.text))
    if customer is not None:
        rows = rows[rows["_customer"] == customer]
    rows = rows[rows["_customer"] != ""]
    if rows.empty:
        return run
    rows = rows.sort_values(["ship_date", "_customer", "_src", "_row"], kind="stable")
    rows = rows.assign(_source=row_sources(rows, kind))
    rows = rows.assign(_earlier=rows["_source"].map(lambda s: (earlier or {}).get(s, "")))
    existing = {common.text(v) for v in ledger["shipments"]["note_no"].dropna()} - {""}
    pattern = common.text(ledger.setting("dn_pattern", "")) if kind == "dn" else ledger.options.rt_pattern
    items = common.items(ledger)
    company = common.company(ledger)
    per_page = note_lines_setting(ledger)
    groups: list[tuple[date, str, pd.DataFrame]] = [
        (pd.Timestamp(key[0]).date(), str(key[1]), group)  # type: ignore[index,arg-type]
        for key, group in rows.groupby(["ship_date", "_customer", "_earlier"], sort=True)
    ]
    numbers: dict[date, list[str]] = {}
    for ship_day in dict.fromkeys(g[0] for g in groups):
        day_groups = [g for g in groups if g[0] == ship_day]
        sources = [list(g[2]["_source"]) for g in day_groups]
        numbers[ship_day] = allocate(pattern, ship_day, len(day_groups), existing, sources=sources)
    for ship_day, name, group in groups:
        number = numbers[ship_day].pop(0)
        lines = [
            _line(ledger, i, rec, by_key.loc[rec["_key"]], items, show_prices)
            for i, rec in enumerate(group.to_dict("records"), start=1)
        ]
        run.notes.append(
            DeliveryNote(
                note_no=number,
                ship_date=ship_day,
                customer=common.customer_info(ledger, name),
                company=company,
                lines=lines,
                show_prices=show_prices,
                lines_per_page=per_page,
                kind=kind,
            )
        )
    return run


def row_sources(rows: pd.DataFrame, kind: str = "dn") -> list[str]:
    """The source key of each shipment row: ship date, order, item, qty and customer
    (and which of several identical rows it is, in sheet order)."""
    from gendan_xl.documents.numbers import source_key

    seen: dict[tuple[str, ...], int] = {}
    out = []
    for rec in rows.to_dict("records"):
        ship_day = common.day(rec["ship_date"])
        key = (
            ship_day.isoformat() if ship_day else "", common.text(rec.get("order_no")),
            common.text(rec.get("item")), common.text(rec.get("qty")), common.text(rec.get("_customer")),
        )
        n = seen[key] = seen.get(key, -1) + 1
        out.append(source_key(kind, *key, n))
    return out


def _line(
    ledger: Ledger,
    seq: int,
    rec: dict[Any, Any],
    order: pd.Series,
    items: pd.DataFrame,
    show_prices: bool,
) -> DeliveryLine:
    item = common.text(rec.get("item")) or common.text(order["item"])
    info = items.loc[item] if item in items.index else None

    def pick(key: str) -> str:
        return common.text(order[key]) or (common.text(info[key]) if info is not None else "")

    qty = abs(float(rec["qty"]))  # a return prints the qty returned (written +50 or -50)
    given = common.number(rec.get("cartons"))
    per = common.number(info["pcs_per_carton"]) if info is not None else None
    computed = cartons(qty, per) if given is None and per else None
    price = common.number(order["unit_price"])
    if price is None and info is not None:
        price = common.number(info["unit_price"])
    return DeliveryLine(
        seq=seq,
        order_no=common.text(order["order_no"]),
        customer_po=common.text(order["customer_po"]),
        item=item,
        item_name=pick("item_name"),
        spec=pick("spec"),
        unit=pick("unit"),
        qty=qty,
        cartons=abs(int(given)) if given is not None else computed,
        cartons_computed=computed is not None,
        unit_price=price if show_prices else None,
        amount=common.money(qty, price) if show_prices else None,
        remark=common.text(rec.get("remark")),
        source=common.ledger_row(ledger, "shipments", rec),
        customer_item=common.text(order.get("customer_item")) or (
            common.text(info.get("customer_item")) if info is not None else ""
        ),
        vehicle=common.text(rec.get("vehicle")),
        carrier=common.text(rec.get("carrier")),
    )


def delivery_write_back(ledger: Ledger, notes: Sequence[DeliveryNote]) -> WriteBackPlan:
    """The 送货单号 cells ``--write-back`` fills: one per shipment row on a note."""
    table = ledger.table("shipments")
    letters = {(s.file, s.sheet): s.columns.get("note_no", (None, None))[0] for s in table.sources}
    cells: list[WriteBackCell] = []
    problems: list[str] = []
    for note in notes:
        for line in note.lines:
            letter = letters.get((line.source.file, line.source.sheet))
            if letter is None:
                msg = f"「{line.source.sheet}」表没有「送货单号」列,无法写回;请先在表头加上该列"
                if msg not in problems:
                    problems.append(msg)
                continue
            cells.append(
                WriteBackCell(
                    file=line.source.file, sheet=line.source.sheet, row=line.source.row,
                    column=letter, value=note.note_no,
                )
            )
    return WriteBackPlan(cells=cells, problems=problems)
