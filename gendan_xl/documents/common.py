"""What the three documents share: the company and customers from the ledger,
order-line lookups, the ledger row a line came from, and value clean-up."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from gendan_xl.documents.models import Company, CustomerInfo, LedgerRow
from gendan_xl.ledger import (
    ROW,
    SRC,
    Ledger,
    as_date,
)
from gendan_xl.schema import normalize


def text(value: object) -> str:
    """A ledger cell as text: blank for missing, integers without ``.0``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def number(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def day(value: object) -> date | None:
    return as_date(value)


def money(qty: float | None, price: float | None) -> float | None:
    """qty x price rounded to the fen, half up (as the amount is printed)."""
    if qty is None or price is None:
        return None
    amount = Decimal(str(qty)) * Decimal(str(price))
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def company(ledger: Ledger) -> Company:
    return Company(
        name=text(ledger.setting("company_name", "")),
        address=text(ledger.setting("company_address", "")),
        phone=text(ledger.setting("company_phone", "")),
        bank_name=ledger.options.bank_name,
        bank_account=ledger.options.bank_account,
        payment_terms=ledger.options.payment_terms,
    )


def customers(ledger: Ledger) -> dict[str, CustomerInfo]:
    """Customers by short name (first row wins), from the 客户 sheet."""
    out: dict[str, CustomerInfo] = {}
    for rec in ledger["customers"].to_dict("records"):
        name = text(rec.get("customer"))
        if not name or name in out:
            continue
        cut = number(rec.get("statement_day"))
        out[name] = CustomerInfo(
            name=name,
            full_name=text(rec.get("full_name")),
            address=text(rec.get("address")),
            contact=text(rec.get("contact")),
            phone=text(rec.get("phone")),
            statement_day=int(cut) if cut is not None and 1 <= cut <= 31 else None,
            ship_to=text(rec.get("ship_to")),
            tax_rate=tax_rate(rec.get("tax_rate")),
        )
    return out


def tax_rate(value: object) -> float | None:
    """客户.税率 as a share: 13%, 0.13 and 13 all mean 0.13; blank or out of range: None."""
    rate = number(value)
    if rate is None or rate < 0:
        return None
    if rate >= 1:
        rate /= 100
    return rate if rate < 1 else None


def customer_info(ledger: Ledger, name: str) -> CustomerInfo:
    return customers(ledger).get(name) or CustomerInfo(name=name)


def find_customer(ledger: Ledger, wanted: str) -> str | None:
    """The short name a clerk's ``--customer`` means: a short name or full name,
    matched after normalisation (full-width, case, spaces)."""
    key = normalize(wanted)
    names = set(customers(ledger)) | {text(c) for c in ledger["orders"]["customer"].dropna()}
    for name in sorted(names):
        if normalize(name) == key:
            return name
    for info in customers(ledger).values():
        if info.full_name and normalize(info.full_name) == key:
            return info.name
    return None


def ledger_row(ledger: Ledger, table: str, rec: Mapping[Any, Any]) -> LedgerRow:
    source = ledger.table(table).sources[int(rec[SRC])]
    return LedgerRow(file=source.file, sheet=source.sheet, row=int(rec[ROW]))


def order_rows(ledger: Ledger) -> pd.DataFrame:
    """The 订单 row of each order line (the first row of its key), indexed by the
    order-line key, from the order book."""
    codes = ledger.book.order_codes
    first = (codes >= 0) & ~pd.Series(codes).duplicated().to_numpy()
    rows = ledger["orders"][first]
    return rows.set_axis(pd.Index(ledger.book.lines["key"].to_numpy()[codes[first]]), axis=0)


def items(ledger: Ledger) -> pd.DataFrame:
    """The 产品 table, one row per item code."""
    df = ledger["items"]
    return df[df["item"].notna()].drop_duplicates("item").set_index("item")


def ledger_folder(ledger: Ledger) -> Path:
    """Where the number lock and journal live: the ledger workbook's folder, or the
    configuration folder."""
    path = Path(ledger.name)
    if path.is_dir():
        return path
    return path.parent


def sanitize_file_part(name: str) -> str:
    """Text safe inside a file name on Windows and elsewhere."""
    clean = "".join("_" if ch in '<>:"/\\|?*' or ord(ch) < 32 else ch for ch in name).strip(" .")
    return clean[:60] or "_"
