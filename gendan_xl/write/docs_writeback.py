"""``--write-back`` for documents: turn a ``WriteBackPlan`` (cells to fill, rows to
append, per ledger file and sheet) into surgical patches of the clerk's files
(``write.patch``), one backup and one atomic replace per file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gendan_xl.documents.models import WriteBackPlan
from gendan_xl.write.patch import (
    CellValue,
    SheetEdit,
    WriteBackResult,
    check_writable,
    write_back_many,
)


def plan_files(plan: WriteBackPlan, resolve: Callable[[str], Path]) -> list[Path]:
    """The files a plan touches, in first-use order."""
    names = [c.file for c in plan.cells] + [r.file for r in plan.rows]
    return [resolve(n) for n in dict.fromkeys(names)]


def check_plan_writable(files: list[Path]) -> None:
    """Raise ``WriteBackRefused``/``LedgerError`` unless every file can be patched now."""
    for path in files:
        check_writable(path)


def apply_write_back(plan: WriteBackPlan, resolve: Callable[[str], Path]) -> list[WriteBackResult]:
    """Patch every file the plan names; ``resolve`` maps a ledger source name to its path."""
    by_file: dict[str, dict[str, tuple[dict[tuple[int, str], CellValue], list[dict[str, CellValue]]]]] = {}
    for cell in plan.cells:
        sheet = by_file.setdefault(cell.file, {}).setdefault(cell.sheet, ({}, []))
        sheet[0][(cell.row, cell.column)] = cell.value
    for row in plan.rows:
        sheet = by_file.setdefault(row.file, {}).setdefault(row.sheet, ({}, []))
        sheet[1].append(dict(row.values))
    results = []
    for file, sheets in by_file.items():
        edits = [SheetEdit(name, cells, rows) for name, (cells, rows) in sheets.items()]
        results.append(write_back_many(resolve(file), edits))
    return results
