"""`gendan demo DIR`, the README's first command, end to end: every output it
promises is written, and a second run in the same folder loses nothing (the
documents keep their numbers, no file is replaced)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from gendan_xl.cli import main


@pytest.mark.slow
def test_demo_writes_every_output_and_runs_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo_out"
    assert main(["demo", str(folder)]) == 0
    first = {p.name for p in folder.iterdir()}
    stems = ("检查结果_20261126", "跟单报告_20261126", "制造命令单_20261126_WO", "送货单_20261126_SH",
             "对账单_", "发料通知单_20261126_FL", "订单评审表_20261126", "交期变更通知_20261126_JQ",
             "插单说明_20261126_", "装箱单_20261126_SH", "试样通知单_20261126_YP", "客诉处理单_20261126_KS",
             "成品月结_202611")
    for stem in stems:
        assert any(name.startswith(stem) for name in first), stem
    out = capsys.readouterr().out
    assert "订单评审表" in out and "交期变更通知" in out and "插单说明" in out
    assert "客诉处理单" in out and "成品月结" in out
    review = next(folder.glob("订单评审表_*.xlsx"))
    assert load_workbook(review).sheetnames  # opens

    assert main(["demo", str(folder)]) == 0
    second = {p.name for p in folder.iterdir()}
    assert first <= second  # nothing the first run wrote is gone
    again = capsys.readouterr().out
    # The same rows get the same numbers: the work orders of the first run are reused.
    wo_first = sorted(n for n in first if n.startswith("制造命令单_"))
    assert any(n.startswith(wo_first[0].removesuffix(".xlsx")) and n != wo_first[0] for n in second)
    assert "WO20261126001" in again
