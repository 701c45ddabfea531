"""One snapshot helper for every workbook gendan writes (documents, the template, the
report): a workbook as canonical JSON read back with openpyxl (values, types, number
formats, merges, widths, heights, notes, validations, freeze panes, filters, print
setup), compared with ``tests/snapshots/<name>.json``.

After a deliberate layout change, regenerate with
``GENDAN_UPDATE_SNAPSHOTS=1 pytest tests/...``; in CI a missing snapshot fails.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("GENDAN_UPDATE_SNAPSHOTS", "").strip() not in ("", "0")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(path: Path, *, fonts: bool = False, paths: dict[str, str] | None = None) -> dict[str, Any]:
    """A workbook as comparable JSON. ``fonts``: also each cell's font name and bold;
    ``paths``: text to replace in cell values (a temporary folder -> ``<ledger>``)."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": []}
    for ws in wb.worksheets:
        cells: dict[str, Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                value = _plain(cell.value)
                if isinstance(value, str):
                    for real, shown in (paths or {}).items():
                        value = value.replace(real, shown)
                entry: dict[str, Any] = {"v": value, "t": cell.data_type}
                if cell.number_format != "General":
                    entry["fmt"] = cell.number_format
                if cell.comment is not None:
                    entry["note"] = cell.comment.text
                if fonts:
                    entry["font"] = [cell.font.name, bool(cell.font.b)]
                cells[cell.coordinate] = entry
        ps = ws.page_setup
        props = ws.sheet_properties.pageSetUpPr
        sheet: dict[str, Any] = {
            "name": ws.title,
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: round(v.width, 2) for k, v in sorted(ws.column_dimensions.items()) if v.width},
            "heights": {str(k): v.height for k, v in sorted(ws.row_dimensions.items()) if v.height},
            "print": {
                "paper": ps.paperSize,
                "orientation": ps.orientation,
                "scale": ps.scale,
                "fit_to_page": bool(props.fitToPage) if props is not None else False,
                "fit_width": ps.fitToWidth,
                "fit_height": ps.fitToHeight,
                "area": ws.print_area,
                "title_rows": ws.print_title_rows,
                "row_breaks": [b.id for b in ws.row_breaks.brk],
                "margins": [ws.page_margins.left, ws.page_margins.right, ws.page_margins.top,
                            ws.page_margins.bottom],
                "center_h": ws.print_options.horizontalCentered,
            },
        }
        validations = sorted([str(dv.sqref), dv.type, dv.formula1] for dv in ws.data_validations.dataValidation)
        if validations:
            sheet["validations"] = validations
        if ws.freeze_panes:
            sheet["freeze"] = ws.freeze_panes
        if ws.auto_filter.ref:
            sheet["filter"] = ws.auto_filter.ref
        out["sheets"].append(sheet)
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


def assert_snapshot(
    path: Path, name: str, *, fonts: bool = False, paths: dict[str, str] | None = None
) -> None:
    got = canonical(path, fonts=fonts, paths=paths)
    snap = SNAPSHOTS / f"{name}.json"
    text = json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE or not snap.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"snapshot {snap.name} is missing (set GENDAN_UPDATE_SNAPSHOTS=1 to create it)")
        SNAPSHOTS.mkdir(exist_ok=True)
        snap.write_text(text, encoding="utf-8")
        return
    want = json.loads(snap.read_text(encoding="utf-8"))
    assert got == want, f"{name}: differs from {snap} (GENDAN_UPDATE_SNAPSHOTS=1 to regenerate)"
