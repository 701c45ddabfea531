"""The streaming XML scan finds the same cells whatever the chunk boundaries."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from gendan_xl.read import xlsxscan


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "订单"
    ws.append(["标题"])
    ws.append(["订单号", "数量", "备注"])
    for i in range(3, 400):
        ws.append([f"SO{i}", i, "x" * (i % 17)])
        if i % 37 == 0:
            ws.cell(i, 3, "=A1&B2")  # openpyxl saves no cached value
    wb.save(path)
    return path


@pytest.mark.parametrize("chunk", [97, 1000, 4096, 1 << 22])
def test_scan_is_independent_of_chunk_size(tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _book(tmp_path / "l.xlsx")
    with zipfile.ZipFile(path) as zf:
        part = xlsxscan.sheet_parts(zf)["订单"]
        monkeypatch.setattr(xlsxscan, "CHUNK", chunk)
        scan = xlsxscan.scan_sheet(zf, part, head_rows=12)
    assert scan.first_cell == (1, 0)
    assert sorted(scan.uncalculated) == [(i, 2) for i in range(3, 400) if i % 37 == 0]
    assert {r for r, _ in scan.head} == set(range(1, 13))
    assert xlsxscan.xml_text(scan.head[(2, 0)][1].encode()) == "订单号"
