"""`gendan changes OLD NEW`: a hand-made pair of ledgers with one change of each
kind, every change at its cell, and the plan effects worked out by hand.

Both versions are planned as of Monday 2026-12-07 (holidays off, every line one
shift of 8 h, efficiency 1, rest Saturday and Sunday, nothing reported yet, so
every line starts on the 7th). Every item makes 100 pcs/h, so 800 pcs = one day.
All order lines are ordered 12-01; the scheduler takes a line's jobs by priority,
then commitment date (变更交期, else 回复交期, else 交期).

OLD                                            NEW (what changed)
L1: SO1-1 A 800 due 12-30   -> Mon 12-07       SO2-1 优先级 普通 -> 特急: SO2-1 Mon 12-07,
    SO2-1 A 800 due 12-31   -> Tue 12-08       SO1-1 Tue 12-08
L2: SO3-1 B 800 due 12-18   -> Mon 12-07       SO3-1 数量 800 -> 1600 (WO3 too), SO4-1 交期
    SO4-1 B 800 due 12-31   -> Tue 12-08       12-31 -> 12-17: SO4-1 first, Mon 12-07; SO3-1
                                               two days, Tue-Wed -> Wed 12-09
L3: SO5-1 C due 12-21       -> Mon 12-07       SO5-1 状态 取消 (WO5 取消): not planned
    SO6-1 C due 12-22       -> Tue 12-08       SO6-1 回复交期 12-30
    SO7-1 C due 12-23       -> Wed 12-09       SO7-1 变更交期 12-15
    SO8-1 C due 12-24       -> Thu 12-10       SO8-1 and WO8 removed
    SO10-1 C due 12-28      -> Fri 12-11       SO10-1 产品编码 C -> D, WO10 产线 L3 -> L4
                                               SO9-1 C due 12-18 added with WO9 on L3
                                               L3: SO7-1 (12-15) Mon 12-07, SO9-1 (12-18)
                                               Tue 12-08, SO6-1 (12-30) Wed 12-09;
                                               L4: SO10-1 Mon 12-07
L5: SO11-1 E 800 due 12-31  -> Mon 12-07       unchanged: no effect

Effects (old finish -> new finish): SO1-1 07 -> 08, SO2-1 08 -> 07, SO3-1 07 -> 09,
SO4-1 08 -> 07, SO5-1 07 on_track -> none cancelled, SO6-1 08 -> 09, SO7-1 09 -> 07,
SO8-1 10 -> gone, SO9-1 new -> 08, SO10-1 11 -> 07. SO11-1 is not listed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook

from gendan_xl.changes import compare_ledgers
from gendan_xl.cli import main
from gendan_xl.read import read_ledger

D = date
AS_OF = D(2026, 12, 7)
ORDER_HEAD = ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "回复交期", "变更交期", "优先级", "状态"]
WO_HEAD = ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"]


def _order(no: str, item: str, qty: int, due: date, promised: date | None = None, changed: date | None = None,
           priority: str = "普通", status: str = "正常") -> list[Any]:
    return [no, 1, "华强", item, qty, D(2026, 12, 1), due, promised, changed, priority, status]


def _wo(no: str, order: str, item: str, qty: int, line: str, state: str = "未开工") -> list[Any]:
    return [no, order, 1, item, qty, line, state]


OLD_ORDERS = [
    _order("SO1", "A", 800, D(2026, 12, 30)),  # row 2
    _order("SO2", "A", 800, D(2026, 12, 31)),  # row 3
    _order("SO3", "B", 800, D(2026, 12, 18)),  # row 4
    _order("SO4", "B", 800, D(2026, 12, 31)),  # row 5
    _order("SO5", "C", 800, D(2026, 12, 21)),  # row 6
    _order("SO6", "C", 800, D(2026, 12, 22)),  # row 7
    _order("SO7", "C", 800, D(2026, 12, 23)),  # row 8
    _order("SO8", "C", 800, D(2026, 12, 24)),  # row 9: removed in NEW
    _order("SO10", "C", 800, D(2026, 12, 28)),  # row 10
    _order("SO11", "E", 800, D(2026, 12, 31)),  # row 11
]
NEW_ORDERS = [
    _order("SO1", "A", 800, D(2026, 12, 30)),  # row 2
    _order("SO2", "A", 800, D(2026, 12, 31), priority="特急"),  # row 3: J3
    _order("SO3", "B", 1600, D(2026, 12, 18)),  # row 4: E4
    _order("SO4", "B", 800, D(2026, 12, 17)),  # row 5: G5
    _order("SO5", "C", 800, D(2026, 12, 21), status="取消"),  # row 6: K6
    _order("SO6", "C", 800, D(2026, 12, 22), promised=D(2026, 12, 30)),  # row 7: H7
    _order("SO7", "C", 800, D(2026, 12, 23), changed=D(2026, 12, 15)),  # row 8: I8
    _order("SO10", "D", 800, D(2026, 12, 28)),  # row 9: D9
    _order("SO11", "E", 800, D(2026, 12, 31)),  # row 10
    _order("SO9", "C", 800, D(2026, 12, 18)),  # row 11: added
]
OLD_WOS = [
    _wo("WO1", "SO1", "A", 800, "L1"), _wo("WO2", "SO2", "A", 800, "L1"),
    _wo("WO3", "SO3", "B", 800, "L2"), _wo("WO4", "SO4", "B", 800, "L2"),
    _wo("WO5", "SO5", "C", 800, "L3"), _wo("WO6", "SO6", "C", 800, "L3"), _wo("WO7", "SO7", "C", 800, "L3"),
    _wo("WO8", "SO8", "C", 800, "L3"),  # row 9: removed in NEW
    _wo("WO10", "SO10", "C", 800, "L3"), _wo("WO11", "SO11", "E", 800, "L5"),
]
NEW_WOS = [
    _wo("WO1", "SO1", "A", 800, "L1"), _wo("WO2", "SO2", "A", 800, "L1"),
    _wo("WO3", "SO3", "B", 1600, "L2"),  # row 4: E4
    _wo("WO4", "SO4", "B", 800, "L2"),
    _wo("WO5", "SO5", "C", 800, "L3", "取消"),  # row 6: G6
    _wo("WO6", "SO6", "C", 800, "L3"), _wo("WO7", "SO7", "C", 800, "L3"),
    _wo("WO10", "SO10", "D", 800, "L4"),  # row 9: F9
    _wo("WO11", "SO11", "E", 800, "L5"),
    _wo("WO9", "SO9", "C", 800, "L3"),  # row 11: added
]


def sheets(orders: list[list[Any]], wos: list[list[Any]]) -> dict[str, Any]:
    return {
        "订单": [ORDER_HEAD, *orders],
        "产品": [["产品编码", "产线", "标准产能"], ["A", "L1", 100], ["B", "L2", 100], ["C", "L3", 100],
                 ["D", "L3", 100], ["E", "L5", 100]],
        "产线": [["产线", "班次数", "每班工时", "效率", "休息日"],
                 *[[f"L{i}", 1, 8, 1, "六,日"] for i in range(1, 6)]],
        "工单": [WO_HEAD, *wos],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [["出货日期", "订单号", "行号", "产品编码", "数量"]],
        "设置": [["项目", "值"], ["法定节假日", "否"]],
    }


def pair(tmp_path: Path) -> tuple[Path, Path]:
    old = make_workbook(tmp_path / "台账_旧.xlsx", sheets(OLD_ORDERS, OLD_WOS))
    new = make_workbook(tmp_path / "台账.xlsx", sheets(NEW_ORDERS, NEW_WOS))
    return old, new


EXPECTED_CHANGES = [
    # (kind, key, field, old, new, sheet, cell)
    ("priority-raised", "SO2-1", "优先级", "普通", "特急", "订单", "J3"),
    ("qty-changed", "SO3-1", "数量", "800", "1600", "订单", "E4"),
    ("date-changed", "SO4-1", "交期", "2026-12-31", "2026-12-17", "订单", "G5"),
    ("line-cancelled", "SO5-1", "状态", "正常", "取消", "订单", "K6"),
    ("date-changed", "SO6-1", "回复交期", None, "2026-12-30", "订单", "H7"),
    ("date-changed", "SO7-1", "变更交期", None, "2026-12-15", "订单", "I8"),
    ("item-changed", "SO10-1", "产品编码", "C", "D", "订单", "D9"),
    ("line-added", "SO9-1", "", None, None, "订单", "A11"),
    ("line-removed", "SO8-1", "", None, None, "订单", "A9"),  # in OLD
    ("wo-qty-changed", "WO3", "数量", "800", "1600", "工单", "E4"),
    ("wo-state-changed", "WO5", "状态", "未开工", "取消", "工单", "G6"),
    ("wo-line-changed", "WO10", "产线", "L3", "L4", "工单", "F9"),
    ("wo-added", "WO9", "", None, None, "工单", "A11"),
    ("wo-removed", "WO8", "", None, None, "工单", "A9"),  # in OLD
]

EXPECTED_EFFECTS = {
    # key: (old forecast, new forecast, old status, new status)
    "SO1-1": ("2026-12-07", "2026-12-08", "on_track", "on_track"),
    "SO2-1": ("2026-12-08", "2026-12-07", "on_track", "on_track"),
    "SO3-1": ("2026-12-07", "2026-12-09", "on_track", "on_track"),
    "SO4-1": ("2026-12-08", "2026-12-07", "on_track", "on_track"),
    "SO5-1": ("2026-12-07", None, "on_track", "cancelled"),
    "SO6-1": ("2026-12-08", "2026-12-09", "on_track", "on_track"),
    "SO7-1": ("2026-12-09", "2026-12-07", "on_track", "on_track"),
    "SO8-1": ("2026-12-10", None, "on_track", None),
    "SO9-1": (None, "2026-12-08", None, "on_track"),
    "SO10-1": ("2026-12-11", "2026-12-07", "on_track", "on_track"),
}


def test_every_change_at_its_cell_and_effects_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair(tmp_path)
    assert main(["changes", str(old), str(new), "--as-of", AS_OF.isoformat(), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["old"].endswith("台账_旧.xlsx") and out["new"].endswith("台账.xlsx")
    got = [(c["kind"], c["key"], c["field"], c["old"], c["new"], c["sheet"], c["cell"]) for c in out["changes"]]
    assert got == EXPECTED_CHANGES
    effects = {e["key"]: (e["old_forecast"], e["new_forecast"], e["old_status"], e["new_status"])
               for e in out["effects"]}
    assert effects == EXPECTED_EFFECTS


def test_same_ledger_no_changes_no_effects(tmp_path: Path) -> None:
    old, _new = pair(tmp_path)
    ledger = read_ledger(old, AS_OF)
    result = compare_ledgers(ledger, read_ledger(old, AS_OF), AS_OF)
    assert result.changes == [] and result.effects == []


def test_text_output_chinese_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair(tmp_path)
    assert main(["changes", str(old), str(new), "--as-of", AS_OF.isoformat()]) == 0
    text = capsys.readouterr().out
    for words in ("台账变更", "变更 14 项", "插单(优先级提高)", "订单!J3", "对排产的影响 10 行", "推迟"):
        assert words in text, words
    assert main(["changes", str(old), str(new), "--as-of", AS_OF.isoformat(), "--lang", "en"]) == 0
    assert "14 changes" in capsys.readouterr().out


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _old, new = pair(tmp_path)
    assert main(["changes", str(tmp_path / "无.xlsx"), str(new)]) == 2
    err = capsys.readouterr().err
    assert "无.xlsx" in err and "文件不存在" in err and "Traceback" not in err


def test_who_slips(tmp_path: Path) -> None:
    # Later finishes of lines still to be made: SO1-1 (pushed by the rush SO2-1), SO3-1
    # (more qty, and SO4-1 ahead of it), SO6-1 (its 回复交期 put it behind SO9-1). The
    # cancelled SO5-1 and the removed SO8-1 do not slip.
    old, new = pair(tmp_path)
    result = compare_ledgers(read_ledger(old, AS_OF), read_ledger(new, AS_OF), AS_OF)
    assert sorted(e.key for e in result.effects if e.slips) == ["SO1-1", "SO3-1", "SO6-1"]
