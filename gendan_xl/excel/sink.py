"""The live-workbook number sink: when a ribbon button makes documents, the open
workbook is the ledger, so the numbers ``gendan docs --write-back`` would patch into
the file on disk go into its cells instead (``documents.run.NumberSink``).

The same rules as the file patch: only cells that are empty get a value (a target
cell holding anything refuses the whole plan, nothing written), new rows go below
the last row holding a value, and the numbers are allocated under the ledger's
lock and journal by the one document run (``gendan_xl.documents.run``).
"""

from __future__ import annotations

from collections.abc import Sequence

from gendan_xl.cells import col_index
from gendan_xl.documents.models import WriteBackPlan
from gendan_xl.excel.live import LiveWorkbook, last_filled
from gendan_xl.model import LedgerError
from gendan_xl.write.patch import WriteBackRefused, WriteBackResult

Grid = tuple[list[list[object]], int, int]


def _value(grid: Grid, row: int, column: str) -> object:
    """The value at ``row`` (1-based) and column letters in a grid read by ``LiveWorkbook.grid``."""
    rows, top, left = grid
    r, c = row - top, col_index(column) - left
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        return rows[r][c]
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class LiveSink:
    """Numbers into the cells of the workbook open in Excel (``LiveWorkbook``)."""

    def __init__(self, live: LiveWorkbook) -> None:
        self.live = live

    def check(self, files: Sequence[str]) -> None:
        """The ledger read from the open workbook names only that workbook."""
        others = [f for f in dict.fromkeys(files) if f != self.live.name]
        if others:
            raise LedgerError(
                others[0],
                f"单号只能写入当前打开的工作簿「{self.live.name}」;这部分台账在别的文件中,"
                "请用 gendan docs ... --write-back",
                f"numbers can only go into the open workbook '{self.live.name}'; use gendan docs ... --write-back",
            )

    def apply(self, plan: WriteBackPlan) -> list[WriteBackResult]:
        """Cells by address, new rows below each sheet's last row holding a value: one
        write per sheet (``LiveWorkbook.write_cells``), after every target cell was
        read again and found empty."""
        grids: dict[str, Grid] = {}

        def grid(sheet: str) -> Grid:
            if sheet not in grids:
                grids[sheet] = self.live.grid(sheet)
            return grids[sheet]

        cells: dict[str, dict[str, object]] = {}
        for cell in plan.cells:
            held = _value(grid(cell.sheet), cell.row, cell.column)
            if not _blank(held):
                where = f"{cell.sheet}!{cell.column}{cell.row}"
                raise WriteBackRefused(
                    self.live.name,
                    f"单元格 {where} 已有内容「{str(held)[:40]}」,单号未写入,台账未改动;请重新运行",
                    f"cell {where} already holds '{str(held)[:40]}'; nothing was written; run again",
                )
            cells.setdefault(cell.sheet, {})[f"{cell.column}{cell.row}"] = cell.value
        appended: dict[str, list[int]] = {}
        for new in plan.rows:
            rows = appended.setdefault(new.sheet, [])
            row = (rows[-1] if rows else last_filled(*grid(new.sheet))[0]) + 1
            rows.append(row)
            cells.setdefault(new.sheet, {}).update({f"{letter}{row}": v for letter, v in new.values.items()})
        for sheet, values in cells.items():
            self.live.write_cells(sheet, values)
        return [WriteBackResult(self.live.path, None, cells_written=len(plan.cells), appended_rows=appended)]
