"""对账单: everything a customer's accountant pays from, for one period.

The period ``YYYY-MM`` ends on the customer's cut-off day (客户.对账日) of that
month and starts the day after the previous month's cut-off; without a cut-off
day it is the calendar month. A cut-off past a month's last day means that
month's last day (对账日 31 in February is Feb 28/29).

On it: every 出货 row of the customer in the period, deliveries and returns
(出货.类型 退货, negative), with or without a 送货单号 (未开送货单 rows are listed
and counted, never left out); the payments of the 收款 sheet; and the balances
期初余额 (every earlier delivery less returns and payments) + 本期送货 - 本期退货 -
本期收款 = 期末应收. A statement made on or before its period's last day covers the
days up to its issue date and says so (截至 YYYY-MM-DD,未结账).

Amounts are qty x price (order line 单价, else the item's) to the fen. With a
customer tax rate (客户.税率) the statement also shows 不含税 and 税额; prices are
taken as tax included unless 设置 单价含税 is 否, then each line's amount grows by
the rate and the balances are in tax-included money.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from gendan_xl.documents import common
from gendan_xl.documents.models import CustomerInfo, Receipt, Statement, StatementLine, cents
from gendan_xl.documents.numbers import allocate, source_key
from gendan_xl.ledger import Ledger, return_rows, signed_ship_qty
from gendan_xl.schema import normalize

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


def period_of(day: date, cut_day: int | None) -> str:
    """The period (``YYYY-MM``) whose days include ``day``: with 对账日 20, 11-26 is in
    2026-12 (11-21 to 12-20)."""
    year, month = day.year, day.month
    while _cutoff(year, month, cut_day) < day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}"


def last_closed_period(day: date, cut_day: int | None) -> str:
    """The latest period whose last day is before ``day`` (``YYYY-MM``): the one a
    run on ``day`` may close, since the cut-off day itself is over."""
    year, month = day.year, day.month
    while _cutoff(year, month, cut_day) >= day:
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"


@dataclass
class StatementRun:
    statement: Statement
    unnumbered: int  # shipments in the period without a 送货单号 (listed, marked 未开送货单)


class StatementBook:
    """What every statement of a ledger reads, derived once (batch makes one for
    each customer): the dated 出货 rows with a quantity, per customer, each with its
    order line, signed qty (returns negative), price (order line 单价, else the
    item's) and amount; the 收款 rows per customer (short or full name)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.by_key = common.order_rows(ledger)
        self.items = common.items(ledger)
        self.customers = common.customers(ledger)
        self.company = common.company(ledger)
        shipments = ledger["shipments"]
        book = ledger.book
        keys = pd.Series(book.ship_keys.to_numpy(), index=shipments.index, dtype=object)
        owner = pd.Series(book.line_of(book.ship_codes, "customer"), index=shipments.index, dtype=object)
        ok = (
            keys.isin(self.by_key.index)
            & owner.notna()
            & shipments["ship_date"].notna()
            & shipments["qty"].notna()
            & (shipments["qty"] != 0)
        )
        df = shipments[ok]
        key = keys[ok]
        own_item = df["item"].map(common.text)
        order_item = key.map(self.by_key["item"]).map(common.text)
        item = own_item.where(own_item != "", order_item)
        price = key.map(self.by_key["unit_price"]).astype("float64")
        if not self.items.empty:
            price = price.fillna(item.map(self.items["unit_price"]).astype("float64"))
        qty = signed_ship_qty(df)
        df = df.assign(
            _key=key, _customer=owner[ok].map(common.text), _item=item, _return=return_rows(df), _qty=qty,
            _note=df["note_no"].map(common.text), _price=price,
            _amount=pd.Series(  # to the fen, half up, as each line prints it (NaN: no price)
                [common.money(q, None if p != p else p) for q, p in zip(qty, price, strict=True)],
                index=df.index, dtype="float64",
            ),
        )
        self.rows = dict(tuple(df.groupby("_customer", sort=False)))
        receipts = ledger["receipts"]
        receipts = receipts[receipts["date"].notna() & receipts["amount"].notna()]
        names: dict[str, str] = {normalize(n): n for n in owner[ok].map(common.text).unique() if n}
        for short, info in self.customers.items():
            names[normalize(short)] = short
            if info.full_name:
                names.setdefault(normalize(info.full_name), short)
        whose = receipts["customer"].map(lambda v: names.get(normalize(common.text(v)), "") if common.text(v) else "")
        self.receipts = dict(tuple(receipts.assign(_customer=whose).groupby("_customer", sort=False)))

    def customer_rows(self, customer: str) -> pd.DataFrame:
        return self.rows.get(customer, _EMPTY)

    def customer_receipts(self, customer: str) -> pd.DataFrame:
        return self.receipts.get(customer, _EMPTY_RECEIPTS)

    def info(self, customer: str) -> CustomerInfo:
        return self.customers.get(customer) or CustomerInfo(name=customer)


_EMPTY = pd.DataFrame(columns=["ship_date", "_note", "_src", "_row", "_qty", "_amount", "_return"])
_EMPTY_RECEIPTS = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "amount": pd.Series(dtype="float64"),
                                "_src": pd.Series(dtype="int64"), "_row": pd.Series(dtype="int64")})


def _billed(amount: float | None, grow: float | None) -> float | None:
    """What the customer owes for a line: its amount, grown by the tax rate when
    prices exclude tax."""
    return amount if amount is None or grow is None else common.money(amount, grow)


def build_statement(
    ledger: Ledger, customer: str, period: str, issue_date: date, number: str = "",
    book: StatementBook | None = None,
) -> StatementRun:
    """The statement of ``customer`` (a short name as in the ledger) for ``period``,
    numbered ``number`` (allocated by the caller; blank: not numbered). ``book``: the
    ledger's ``StatementBook`` when several statements are made."""
    book = book or StatementBook(ledger)
    year, month = parse_period(period)
    info = book.info(customer)
    start, end = period_bounds(year, month, info.statement_day)
    cut = min(end, issue_date)
    grow = None if info.tax_rate is None or ledger.options.prices_include_tax else 1 + info.tax_rate
    rows = book.customer_rows(customer)
    day = pd.to_datetime(rows["ship_date"])
    inside = rows[(day >= pd.Timestamp(start)) & (day <= pd.Timestamp(cut))]
    inside = inside.sort_values(["ship_date", "_note", "_src", "_row"], kind="stable")
    lines = [_line(book, rec, grow) for rec in inside.to_dict("records")]

    receipts = book.customer_receipts(customer)
    paid_before = receipts[receipts["date"] < pd.Timestamp(start)]
    paid = receipts[(receipts["date"] >= pd.Timestamp(start)) & (receipts["date"] <= pd.Timestamp(cut))]
    paid = paid.sort_values(["date", "_src", "_row"], kind="stable")
    earlier = [_billed(common.number(a), grow) or 0.0 for a in rows.loc[day < pd.Timestamp(start), "_amount"]]
    opening = cents([*earlier, *(-float(a) for a in paid_before["amount"])])

    statement = Statement(
        customer=info,
        company=book.company,
        period=f"{year:04d}-{month:02d}",
        start=start,
        end=end,
        issue_date=issue_date,
        lines=lines,
        number=number,
        open_until=issue_date if issue_date <= end else None,
        opening_balance=opening,
        receipts=[
            Receipt(
                day=rec["date"].date(), amount=float(rec["amount"]), method=common.text(rec.get("method")),
                remark=common.text(rec.get("remark")), source=common.ledger_row(ledger, "receipts", rec),
            )
            for rec in paid.to_dict("records")
        ],
        prices_include_tax=ledger.options.prices_include_tax,
    )
    return StatementRun(statement=statement, unnumbered=len(statement.unnumbered))


def _line(book: StatementBook, rec: dict[Any, Any], grow: float | None) -> StatementLine:
    order = book.by_key.loc[rec["_key"]]
    item = str(rec["_item"])
    item_info = book.items.loc[item] if item in book.items.index else None

    def pick(key: str) -> str:
        return common.text(order[key]) or (common.text(item_info[key]) if item_info is not None else "")

    price = common.number(rec["_price"])
    amount = common.number(rec["_amount"])
    return StatementLine(
        ship_date=rec["ship_date"].date(),
        note_no=str(rec["_note"]),
        order_no=common.text(order["order_no"]),
        customer_po=common.text(order["customer_po"]),
        item=item,
        item_name=pick("item_name"),
        unit=pick("unit"),
        qty=float(rec["_qty"]),
        unit_price=price,
        amount=amount,
        signed_date=common.day(rec.get("signed_date")),
        source=common.ledger_row(book.ledger, "shipments", rec),
        spec=pick("spec"),
        is_return=bool(rec["_return"]),
        billed=_billed(amount, grow),
    )


def statement_sources(customer: str, period: str) -> list[str]:
    """What a statement number is given for: one customer and period (the same
    statement made again keeps its number)."""
    return [source_key("st", customer, period)]


def numbered_statement(
    ledger: Ledger, customer: str, period: str, issue_date: date, folder: Path, ledger_name: str,
    book: StatementBook | None = None,
) -> StatementRun:
    """``build_statement`` with its 对账单号 (设置 对账单号规则, rendered for the period's
    last day) from the journal in ``folder``: the same customer and period keep their
    number on every run, the CLI's and batch's alike."""
    run = build_statement(ledger, customer, period, issue_date, book=book)
    st = run.statement
    (number,) = allocate(
        folder, "st", ledger.options.st_pattern, st.end, 1, (), ledger=ledger_name,
        sources=[statement_sources(customer, st.period)],
    )
    run.statement = st.model_copy(update={"number": number})
    return run


def journal_name(target: Path) -> str:
    """The ledger name statement numbers are journaled under: the main workbook's
    file name, also when the ledger is a folder whose gendan.toml names it (the CLI
    on 台账.xlsx and batch on its folder give a statement the same number)."""
    from gendan_xl.config import CONFIG_NAME, load_ledger_config

    if target.is_dir() or target.suffix.lower() == ".toml":
        config_file = target / CONFIG_NAME if target.is_dir() else target
        if config_file.is_file():
            workbook = load_ledger_config(config_file).ledger.workbook
            if workbook:
                return Path(workbook).name
    return target.name


def unnumbered_warning(run: StatementRun, customer: str) -> str:
    """The line the terminal and the batch log show for rows without a 送货单号."""
    st = run.statement
    return (
        f"{customer} {st.period} 对账单:{run.unnumbered} 行出货还没有送货单号,已列入并标「未开送货单」"
        f"(可先运行 gendan docs delivery-notes)/ {run.unnumbered} shipment rows without a delivery-note "
        "number are on the statement, marked 未开送货单"
    )


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
