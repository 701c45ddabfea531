"""对账单: one customer's delivery notes in one period, priced, with their
signed-back state.

The period ``YYYY-MM`` ends on the customer's cut-off day (客户.对账日) of that
month and starts the day after the previous month's cut-off; without a cut-off
day it is the calendar month. A cut-off past a month's last day means that
month's last day (对账日 31 in February is Feb 28/29).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import Statement, StatementLine
from gendan_xl.ledger import Ledger

_PERIOD = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class PeriodError(ValueError):
    """A ``--period`` that is not ``YYYY-MM``."""


def parse_period(text: str) -> tuple[int, int]:
    m = _PERIOD.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"对账期间应为 YYYY-MM,如 2026-11 / period must be YYYY-MM: {text}")
    return int(m.group(1)), int(m.group(2))


def _cutoff(year: int, month: int, cut_day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(cut_day or last, last))


def period_bounds(year: int, month: int, cut_day: int | None) -> tuple[date, date]:
    """First and last day (inclusive) of the statement period ``year-month``."""
    end = _cutoff(year, month, cut_day)
    prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    start = _cutoff(prev_year, prev_month, cut_day) + timedelta(days=1)
    return start, end


@dataclass
class StatementRun:
    statement: Statement
    unnumbered: int  # shipments in the period still without a 送货单号 (not on the statement)


def build_statement(
    ledger: Ledger, customer: str, period: str, issue_date: date
) -> StatementRun:
    """The statement of ``customer`` (a short name as in the ledger) for ``period``."""
    year, month = parse_period(period)
    info = common.customer_info(ledger, customer)
    start, end = period_bounds(year, month, info.statement_day)
    shipments = ledger["shipments"]
    by_key = common.order_rows(ledger)
    keys = pd.Series(ledger.book.ship_keys.to_numpy(), index=shipments.index, dtype=object)
    df = shipments.assign(_key=keys)
    df = df[df["_key"].isin(by_key.index)]
    df = df.assign(_customer=df["_key"].map(by_key["customer"]).map(common.text))
    in_period = (
        (df["_customer"] == customer)
        & df["ship_date"].notna()
        & (df["ship_date"] >= pd.Timestamp(start))
        & (df["ship_date"] <= pd.Timestamp(end))
        & df["qty"].notna()
    )
    df = df.assign(_note=df["note_no"].map(common.text))[in_period]
    unnumbered = int((df["_note"] == "").sum())
    df = df[df["_note"] != ""].sort_values(["ship_date", "_note", "_src", "_row"], kind="stable")
    items = common.items(ledger)
    lines: list[StatementLine] = []
    for rec in df.to_dict("records"):
        order = by_key.loc[rec["_key"]]
        item = common.text(rec.get("item")) or common.text(order["item"])
        item_info = items.loc[item] if item in items.index else None
        price = common.number(order["unit_price"])
        if price is None and item_info is not None:
            price = common.number(item_info["unit_price"])
        qty = float(rec["qty"])
        name = common.text(order["item_name"]) or (
            common.text(item_info["item_name"]) if item_info is not None else ""
        )
        unit = common.text(order["unit"]) or (common.text(item_info["unit"]) if item_info is not None else "")
        lines.append(
            StatementLine(
                ship_date=rec["ship_date"].date(),
                note_no=str(rec["_note"]),
                order_no=common.text(order["order_no"]),
                customer_po=common.text(order["customer_po"]),
                item=item,
                item_name=name,
                unit=unit,
                qty=qty,
                unit_price=price,
                amount=common.money(qty, price),
                signed_date=common.day(rec.get("signed_date")),
                source=common.ledger_row(ledger, "shipments", rec),
            )
        )
    statement = Statement(
        customer=info,
        company=common.company(ledger),
        period=f"{year:04d}-{month:02d}",
        start=start,
        end=end,
        issue_date=issue_date,
        lines=lines,
    )
    return StatementRun(statement=statement, unnumbered=unnumbered)


def cutoff_customers(ledger: Ledger, day: date) -> list[str]:
    """Customers whose statement cut-off (客户.对账日, else month end) falls on ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    out: list[str] = []
    customers = ledger["customers"]
    for name, cut in zip(customers["customer"], customers["statement_day"], strict=True):
        if not isinstance(name, str) or not name:
            continue
        cut_day = int(cut) if isinstance(cut, float) and cut == cut and 1 <= cut <= 31 else last
        if min(cut_day, last) == day.day:
            out.append(name)
    return out
