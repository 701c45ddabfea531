"""The committed demo ledger is what the generator writes (values and formats)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from gendan_xl.demo import build_demo
from gendan_xl.write.demo_book import write_demo

WORKBOOKS = Path(__file__).resolve().parent.parent / "workbooks"


def _canonical(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
        for ws in wb.worksheets
    }


def test_committed_demo_ledger_is_current(tmp_path: Path) -> None:
    fresh = write_demo(build_demo(), tmp_path / "演示台账.xlsx")
    committed = WORKBOOKS / "演示台账.xlsx"
    assert committed.exists(), "run: gendan demo, then copy 演示台账.xlsx to workbooks/"
    assert _canonical(committed) == _canonical(fresh), (
        "workbooks/演示台账.xlsx is stale: regenerate it with gendan_xl.write.demo_book.write_demo(build_demo(), ...)"
    )
