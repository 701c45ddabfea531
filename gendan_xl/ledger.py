"""The Ledger: the typed tables of one ledger, and where every row came from.

Each table is a pandas DataFrame whose columns are the schema's column keys
(``order_no``, ``qty`` ...), typed (text: object with NaN for blank, number:
float64, date: datetime64 normalised to midnight), plus two origin columns:
``_src`` (index into ``Table.sources``) and ``_row`` (the physical Excel row,
1-based). A sheet or optional column that is absent still yields its column,
all blank, so later stages never test for presence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gendan_xl.model import CellRef, Issue, make_issue
from gendan_xl.schema import RETURN_KIND, SHEET_BY_KEY, SheetSpec
from gendan_xl.settings import Settings

if TYPE_CHECKING:
    from gendan_xl.orderbook import OrderBook

SRC = "_src"
ROW = "_row"
# Text columns: Arrow-backed strings with NaN for blank (vectorised string work stays in Arrow).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass(frozen=True)
class Source:
    """One sheet region that rows of a table were read from."""

    file: str  # the path as the clerk gave it (display form)
    sheet: str  # the sheet name as it appears in the workbook
    columns: dict[str, tuple[str, str]]  # column key -> (letter, header text as written)
    header_row: int = 1  # physical row of the header


def empty_frame(spec: SheetSpec) -> pd.DataFrame:
    data: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.type == "number":
            data[col.key] = pd.Series(dtype="float64")
        elif col.type == "date":
            data[col.key] = pd.Series(dtype="datetime64[ns]")
        else:
            data[col.key] = pd.Series(dtype="object")
    data[SRC] = pd.Series(dtype="int64")
    data[ROW] = pd.Series(dtype="int64")
    return pd.DataFrame(data)


@dataclass
class Table:
    spec: SheetSpec
    df: pd.DataFrame
    sources: list[Source] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return bool(self.sources)

    def ref(self, src: int, row: int, key: str | None = None) -> CellRef:
        """The cell of column ``key`` in a row that came from ``sources[src]``."""
        source = self.sources[src]
        letter, header = source.columns.get(key, (None, None)) if key else (None, None)
        if key and header is None:
            header = self.spec.column(key).name
        return CellRef(file=source.file, sheet=source.sheet, row=row, column=letter, header=header)

    def issues_at(
        self, code: str, rows: pd.DataFrame, column: str | None, value_key: str | None = None, **args: object
    ) -> list[Issue]:
        """One issue per row of ``rows`` (a slice of ``df``), pointing at ``column``.

        ``args`` values may be scalars or column names prefixed with ``@`` to take the
        value from each row.
        """
        out: list[Issue] = []
        vkey = value_key or column
        names = list(rows.columns)
        for values in rows.itertuples(index=False, name=None):
            r = dict(zip(names, values, strict=True))
            value = r.get(vkey) if vkey else ""
            extra = {
                k: (r.get(v[1:]) if isinstance(v, str) and v.startswith("@") else v)
                for k, v in args.items()
            }
            out.append(make_issue(code, self.ref(int(r[SRC]), int(r[ROW]), column), value, **extra))
        return out


@dataclass
class Ledger:
    """All tables of one ledger plus the issues found while reading it."""

    name: str  # display name of the ledger (main file or config folder)
    tables: dict[str, Table]
    settings: dict[str, object] = field(default_factory=dict)  # raw values as written
    issues: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    options: Settings = field(default_factory=Settings)  # the settings, parsed once
    _book: OrderBook | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def book(self) -> OrderBook:
        """The order book: every order line with its totals and every row's order
        line, derived once per ledger (the tables are not changed after reading)."""
        if self._book is None:
            from gendan_xl.orderbook import OrderBook

            self._book = OrderBook.build(self)
        return self._book

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.tables[key].df

    def table(self, key: str) -> Table:
        return self.tables[key]

    def setting(self, key: str, default: object = None) -> object:
        value = self.settings.get(key)
        return default if value in (None, "") else value

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows per sheet, keyed by the sheet name as the clerk wrote it."""
        counts: dict[str, int] = {}
        for table in self.tables.values():
            if not table.present:
                continue
            for i, source in enumerate(table.sources):
                n = int((table.df[SRC] == i).sum())
                counts[source.sheet] = counts.get(source.sheet, 0) + n
        return counts


def order_key(df: pd.DataFrame) -> pd.Series:
    """An order line's key: 订单号 + 行号 when 行号 is given, else 订单号 + 产品编码."""
    order_no = df["order_no"].astype("string").fillna("")
    line_no = df["line_no"].astype("string")
    item = df["item"].astype("string").fillna("") if "item" in df else pd.Series("", index=df.index)
    has_line = line_no.notna() & (line_no != "")
    return pd.Series(
        np.where(has_line, order_no + "#" + line_no.fillna(""), order_no + "@" + item),
        index=df.index,
        dtype="object",
    )


def order_label(df: pd.DataFrame) -> pd.Series:
    """How a clerk names an order line: ``SO123-2``, or ``SO123(P001)`` without 行号."""
    order_no = df["order_no"].astype("string").fillna("")
    line_no = df["line_no"].astype("string").fillna("")
    item = df["item"].astype("string").fillna("")
    return pd.Series(
        np.where(line_no != "", order_no + "-" + line_no, order_no + "(" + item + ")"),
        index=df.index,
        dtype=object,
    )


def commitment_date(orders: pd.DataFrame) -> pd.Series:
    """变更交期, else 回复交期, else 交期."""
    return orders["changed_date"].fillna(orders["promised_date"]).fillna(orders["due_date"])


def return_rows(shipments: pd.DataFrame) -> pd.Series:
    """出货 rows that are returns (类型 退货), whatever the sign of their qty."""
    return shipments["kind"].eq(RETURN_KIND).fillna(False).astype(bool)


def signed_ship_qty(shipments: pd.DataFrame) -> pd.Series:
    """Shipped qty per 出货 row with returns negative (a return of 50 counts -50,
    written as 50 or -50); other rows as written."""
    qty = shipments["qty"].astype("float64")
    return qty.where(~return_rows(shipments), -qty.abs())


def make_table(key: str, frames: Iterable[tuple[pd.DataFrame, Source]]) -> Table:
    spec = SHEET_BY_KEY[key]
    sources: list[Source] = []
    parts: list[pd.DataFrame] = []
    for frame, source in frames:
        frame = frame.copy() if SRC in frame else frame
        frame[SRC] = len(sources)
        sources.append(source)
        parts.append(frame)
    base = empty_frame(spec)
    if not parts:
        return Table(spec, base, sources)
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    for col in base.columns:
        if col not in df:
            df[col] = pd.Series(index=df.index, dtype=base[col].dtype)
    return Table(spec, df, sources)


def as_date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("")


def _arrow_text(series: pd.Series) -> pa.Array:
    """A column as Arrow text, blank as "" (the text ``_text`` gives)."""
    arr = pa.array(_text(series).astype(TEXT_DTYPE).array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr, "")


def match_order_rows(df: pd.DataFrame, orders: pd.DataFrame) -> np.ndarray:
    """The 订单 row (position in ``orders``) each row of ``df`` (work orders,
    shipments) belongs to; -1 where nothing matches.

    By 订单号 + 行号 when the row gives 行号; else by 订单号 + 产品编码; else by
    订单号 alone when that order has a single line. The first matching 订单 row wins.
    Keys are joined and looked up in Arrow: no Python object per row.
    """
    out = np.full(len(df), -1, dtype=np.int64)
    if df.empty or orders.empty:
        return out
    ref_no, ref_line, ref_item = (_arrow_text(orders[c]) for c in ("order_no", "line_no", "item"))
    no = _arrow_text(df["order_no"])
    sep = pa.scalar("\x1f", no.type)
    blank = pa.array([""] * len(df), pa.large_string()).cast(no.type)
    line = _arrow_text(df["line_no"]) if "line_no" in df else blank
    item = _arrow_text(df["item"]) if "item" in df else blank

    def lookup(probe: pa.Array, mask: np.ndarray, table: pa.Array, usable: np.ndarray) -> None:
        mask = mask & (out < 0)
        if not mask.any() or not usable.any():
            return
        rows = np.flatnonzero(usable)
        found = pc.fill_null(pc.index_in(probe.filter(pa.array(mask)), value_set=table.filter(pa.array(usable))), -1)
        hit = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)
        out[mask] = np.where(hit >= 0, rows[np.clip(hit, 0, None)], -1)

    def nonblank(arr: pa.Array) -> np.ndarray:
        return np.asarray(pc.not_equal(arr, "").to_numpy(zero_copy_only=False), dtype=bool)

    everywhere = np.ones(len(orders), dtype=bool)
    lookup(
        pc.binary_join_element_wise(no, line, sep),
        nonblank(line),
        pc.binary_join_element_wise(ref_no, ref_line, sep),
        nonblank(ref_line),
    )
    lookup(pc.binary_join_element_wise(no, item, sep), nonblank(item), pc.binary_join_element_wise(ref_no, ref_item, sep), everywhere)
    single = ~pd.Series(ref_no.to_numpy(zero_copy_only=False)).duplicated(keep=False).to_numpy()
    lookup(no, nonblank(no), ref_no, single)
    return out


def member(values: pd.Series, allowed: Iterable[object] | pd.Series | pd.Index) -> pd.Series:
    """``values.isin(allowed)`` for text, fast for large sets (pandas' Arrow-string
    isin builds a Python scalar per allowed value). Blank is never a member."""
    if not isinstance(allowed, pd.Series | pd.Index):
        allowed = pd.Series(list(allowed), dtype=object)
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values.isin(allowed)
    arr = pa.array(values.astype(TEXT_DTYPE).array)
    pool = pa.array(pd.Series(allowed).dropna().astype(TEXT_DTYPE).unique())
    hit = pc.fill_null(pc.is_in(arr, value_set=pool), False)
    return pd.Series(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool), index=values.index)


def positions(values: pd.Series, pool: pd.Series | pd.Index) -> np.ndarray:
    """Position of each text value in ``pool`` (first occurrence; -1: absent or blank),
    computed in Arrow (no Python object per value: a million-row column stays fast)."""
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    arr = pa.array(values.astype(TEXT_DTYPE).array)
    table = pa.array(pd.Series(pool).astype(TEXT_DTYPE).array)
    found = pc.fill_null(pc.index_in(arr, value_set=table), -1)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def text_codes(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Integer codes of a text column (-1 for blank) and the distinct values, in Arrow."""
    if not len(values):
        return np.zeros(0, dtype=np.int64), []
    arr = pa.array(values.astype(TEXT_DTYPE).array)
    if isinstance(arr, pa.ChunkedArray):  # a table read from several files
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return np.asarray(codes, dtype=np.int64), encoded.dictionary.to_pylist()

