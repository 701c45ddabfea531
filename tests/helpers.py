"""Build small workbooks inline for tests: ``make_workbook(path, {sheet: rows})``.

``rows`` is a list of lists: the first rows may be titles, ``None`` is an empty
cell, ``date``/``datetime`` values are written as real Excel dates, a string
starting with ``=`` becomes a formula (saved without a cached value, as openpyxl
does). A sheet may also be given as a dict to place the table elsewhere or shape
the sheet::

    make_workbook(path, {
        "订单": {"start": "C5", "rows": [["订单号", "客户"], ["A1", "ACME"]],
                 "merge": ["C3:F3"], "hidden_rows": [7], "hidden_columns": ["D"]},
        "产品": [["产品编码", "标准产能"], ["P1", 120]],
    })

Rows and columns named in ``merge``/``hidden_*`` are absolute sheet addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

Rows = Sequence[Sequence[Any]]
SheetContent = Rows | Mapping[str, Any]


def make_workbook(path: Path | str, sheets: Mapping[str, SheetContent]) -> Path:
    """Write ``sheets`` (in the given order) to a new .xlsx at ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for name, content in sheets.items():
        ws = wb.create_sheet(title=name)
        if isinstance(content, Mapping):
            spec = dict(content)
            rows = spec.pop("rows", [])
            start = spec.pop("start", "A1")
            merges = spec.pop("merge", [])
            hidden_rows = spec.pop("hidden_rows", [])
            hidden_columns = spec.pop("hidden_columns", [])
            if spec:
                raise ValueError(f"unknown keys for sheet {name!r}: {sorted(spec)}")
        else:
            rows, start, merges, hidden_rows, hidden_columns = content, "A1", [], [], []
        col_letter, row0 = coordinate_from_string(start)
        col0 = column_index_from_string(col_letter)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                cell = ws.cell(row=row0 + i, column=col0 + j, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm" if value.time() else "yyyy-mm-dd"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
        for rng in merges:
            ws.merge_cells(rng)
        for r in hidden_rows:
            ws.row_dimensions[r].hidden = True
        for c in hidden_columns:
            ws.column_dimensions[c].hidden = True
    wb.save(path)
    return path
