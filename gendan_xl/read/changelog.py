"""Read back the cumulative change log a batch run wrote (变更记录.xlsx), so the next
run can append to it without losing a row."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from gendan_xl.changes import LOG_COLUMNS, LOG_SHEET
from gendan_xl.model import LedgerError


def read_change_log(path: Path) -> pd.DataFrame:
    """The rows of ``path`` (columns: the keys of ``LOG_COLUMNS``, matched by their
    Chinese header; run_date as a date). A missing file is an empty log; a file that
    cannot be read, or has no 变更记录 sheet with those headers, is a LedgerError:
    the caller must not write over it."""
    import python_calamine

    cols = [k for k, _ in LOG_COLUMNS]
    if not path.exists():
        return pd.DataFrame(columns=cols)
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(LOG_SHEET).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors for damaged files
        raise LedgerError(str(path), f"变更记录无法读取({exc}),未覆盖", f"the change log cannot be read ({exc}); "
                          "not overwritten") from exc
    header_at = next((i for i, r in enumerate(rows[:10]) if LOG_COLUMNS[0][1] in [str(v).strip() for v in r]), None)
    if header_at is None:
        raise LedgerError(str(path), "变更记录的表头不对,未覆盖", "the change log has no expected header; not overwritten")
    header = [str(v).strip() for v in rows[header_at]]
    where = {key: header.index(name) for key, name in LOG_COLUMNS if name in header}
    records = []
    for r in rows[header_at + 1:]:
        if all(v in (None, "") for v in r):
            continue
        rec: dict[str, object] = {}
        for key in cols:
            value: object = r[where[key]] if key in where and where[key] < len(r) else ""
            if key == "run_date":
                value = _as_date(value)
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            rec[key] = "" if value is None else value if key == "run_date" else str(value)
        records.append(rec)
    return pd.DataFrame(records, columns=cols)


def _as_date(value: object) -> object:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return value
    return value
