"""Sheet grid -> typed table: find the header row, map the columns, drop blank
and total rows, parse values tolerantly, and turn every failure into an Issue at
its physical cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gendan_xl.ledger import ROW, SRC, TEXT_DTYPE, Source
from gendan_xl.model import CellRef, Issue, make_issue
from gendan_xl.read.values import (
    ERROR_VALUES,
    clean_text,
    parse_date_column,
    parse_number_column,
    parse_text_column,
)
from gendan_xl.read.workbook import Book, ColumnPick, Head
from gendan_xl.read.xlsxscan import col_letter
from gendan_xl.schema import SheetSpec, match_column

HEADER_SEARCH_ROWS = 10
_TOTAL_PATTERN = r"^\s*(?:合\s*计|总\s*计|小\s*计|(?:sub)?total\b|sum\b)"
# Every match of _TOTAL_PATTERN starts with one of these (or with white space).
_TOTAL_FIRST = pa.array(["合", "总", "小", "s", "S", "t", "T", "\u017f", " ", "\t", "\n", "\r", "\f"])


@dataclass
class HeaderMatch:
    row: int  # physical row of the header
    picks: list[ColumnPick]
    score: int

    def covers(self, spec: SheetSpec) -> bool:
        found = {p.key for p in self.picks}
        return all(c.key in found for c in spec.required_columns)


def find_header(head: Head, spec: SheetSpec) -> HeaderMatch | None:
    """The row among the first ten that names the most of the sheet's columns."""
    best: HeaderMatch | None = None
    for r in head.rows[:HEADER_SEARCH_ROWS]:
        picks: list[ColumnPick] = []
        seen: set[str] = set()
        for c, value in sorted(head.row(r).items()):
            if not isinstance(value, str):
                continue
            key = match_column(spec.key, value)
            if key is None or key in seen:
                continue
            seen.add(key)
            picks.append(ColumnPick(key, c, value.strip(), spec.column(key).type))
        required = sum(1 for p in picks if spec.column(p.key).required)
        score = len(picks) + required
        if picks and (best is None or score > best.score):
            best = HeaderMatch(r, picks, score)
    return best


def read_table(
    book: Book, sheet: str, spec: SheetSpec, as_of: date, src: int, header: HeaderMatch | None = None
) -> tuple[pd.DataFrame | None, Source | None, list[Issue]]:
    """Read one sheet as the table ``spec``; return (frame, source, issues)."""
    issues: list[Issue] = []
    if header is None:
        header = find_header(book.head(sheet), spec)
    if header is None:
        ref = CellRef(file=book.display, sheet=sheet, row=1, column="A")
        for col in spec.required_columns:
            issues.append(make_issue("missing-column", ref, column_name=col.name))
        return None, None, issues
    columns = {p.key: (col_letter(p.col), p.header) for p in header.picks}
    source = Source(book.display, sheet, columns, header.row)
    for col in spec.required_columns:
        if col.key not in columns:
            ref = CellRef(file=book.display, sheet=sheet, row=header.row, column=None)
            issues.append(make_issue("missing-column", ref, column_name=col.name))
    grid = book.load(sheet, header.row, header.picks)
    raw = grid.frame
    keep = ~raw.isna().all(axis=1) & ~_total_rows(raw, header.picks)
    raw = raw[keep]
    rows = grid.rows[keep]
    out = pd.DataFrame(index=raw.index)
    bad_cells: dict[str, pd.Series] = {}
    by_key = {p.key: p for p in header.picks}

    # Error values and formulas without a cached value, from the XML scan.
    problem = {key: pd.Series(False, index=raw.index) for key in by_key}
    if grid.errors or grid.uncalculated:
        row_pos = pd.Series(raw.index, index=rows.to_numpy())
        for (r, c), code, value in [
            *(((rc, "excel-error", v) for rc, v in grid.errors.items())),
            *((rc, "uncalculated-formula", "") for rc in grid.uncalculated),
        ]:
            pick = next((p for p in header.picks if p.col == c), None)
            if pick is None or r not in row_pos.index:
                continue
            problem[pick.key].loc[row_pos[r]] = True
            issues.append(make_issue(code, _ref(source, r, pick), value))

    for pick in header.picks:
        cells = raw[pick.key]
        masked = cells.where(~problem[pick.key], None) if problem[pick.key].any() else cells
        if pick.type in ("text", "choice"):
            errors = _error_text(masked)
            if errors.any():
                for r, v in zip(rows[errors], masked[errors], strict=True):
                    issues.append(make_issue("excel-error", _ref(source, int(r), pick), v))
                masked = masked.where(~errors, None)
                problem[pick.key] |= errors
            out[pick.key] = parse_text_column(masked)
            if pick.type == "choice":
                issues += _check_choices(out[pick.key], rows, source, pick, spec)
            continue
        if pick.type == "date":
            values, bad = parse_date_column(masked, as_of)
            code = "bad-date"
        else:
            values, bad = parse_number_column(masked)
            code = "bad-number"
        errors = bad & _error_text(masked)
        if errors.any():
            for r, v in zip(rows[errors], masked[errors], strict=True):
                issues.append(make_issue("excel-error", _ref(source, int(r), pick), v))
            problem[pick.key] |= errors
            bad &= ~errors
        out[pick.key] = values
        bad_cells[pick.key] = bad
        if bad.any():
            for r, v in zip(rows[bad], masked[bad], strict=True):
                issues.append(make_issue(code, _ref(source, int(r), pick), clean_text(v)))

    for required in spec.required_columns:
        if required.key not in out:
            continue
        blank = out[required.key].isna() & ~problem[required.key]
        if required.key in bad_cells:
            blank &= ~bad_cells[required.key]
        if blank.any():
            pick = by_key[required.key]
            for r in rows[blank]:
                issues.append(make_issue("missing-value", _ref(source, int(r), pick)))
    out[ROW] = rows.astype("int64")
    out[SRC] = src
    return out.reset_index(drop=True), source, issues


def _ref(source: Source, row: int, pick: ColumnPick) -> CellRef:
    return CellRef(
        file=source.file, sheet=source.sheet, row=row, column=col_letter(pick.col), header=pick.header
    )


def _error_text(col: pd.Series) -> pd.Series:
    """Cells whose text is an Excel error value (from readers that pass them as text)."""
    if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        return pd.Series(False, index=col.index)
    s = col.astype("string")
    hit = s.str.startswith("#", na=False)
    if not hit.any():
        return hit
    return hit & s.str.strip().isin(ERROR_VALUES).fillna(False).astype(bool)


def _total_rows(raw: pd.DataFrame, picks: list[ColumnPick]) -> pd.Series:
    """Rows labelled 合计/总计/小计 in one of the first text columns."""
    mask = pd.Series(False, index=raw.index)
    texts = [p for p in sorted(picks, key=lambda p: p.col) if p.type in ("text", "choice")][:3]
    for pick in texts:
        col = raw[pick.key]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        arr = pa.array(col.astype(TEXT_DTYPE).array)
        # The first character of every label the pattern matches is one of a few
        # (after leading spaces): a cheap pass over that character picks the rows the
        # full pattern then looks at.
        first = pc.utf8_slice_codeunits(arr, 0, 1)
        maybe = pc.fill_null(pc.is_in(first, value_set=_TOTAL_FIRST), False)
        if not pc.any(maybe).as_py():
            continue
        at = np.flatnonzero(np.asarray(maybe.to_numpy(zero_copy_only=False), dtype=bool))
        hit = pc.fill_null(pc.match_substring_regex(arr.take(pa.array(at)), _TOTAL_PATTERN, ignore_case=True), False)
        mask.iloc[at[np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)]] = True
    return mask


def _check_choices(
    values: pd.Series, rows: pd.Series, source: Source, pick: ColumnPick, spec: SheetSpec
) -> list[Issue]:
    choices = spec.column(pick.key).choices
    present = values.notna()
    bad = present & ~values.isin(choices)
    if not bad.any():
        return []
    return [
        make_issue("bad-choice", _ref(source, int(r), pick), v, choices="/".join(choices))
        for r, v in zip(rows[bad], values[bad], strict=True)
    ]
