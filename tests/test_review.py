"""订单评审 (gendan review): verdicts, promise dates and pushes worked out by hand.

Planned at Monday 2026-11-16 (no statutory holiday in November; 送货提前期 1
working day, the default). Two lines, both 1 shift x 8 h, Monday to Friday:
A线 working days 16:8 17:16 18:24 19:32 20:40 | 23:48 24:56 25:64 26:72 27:80 (cumulative
hours); B线 the same. Nothing has been reported, so both start on the 16th.

Items: P1 (A线, 10/h), P2 (A线, 20/h), P3 (B线, 10/h), PX (A线, no standard rate).

Committed (a work order, or a 回复交期, or ordered before the window):
  C1 普通 P1 160 (16 h), due 11-18, WO1         on A
  C2 普通 P1 160 (16 h), due 11-27, WO2         on A
  O1 普通 P3  80 ( 8 h), due 11-20, ordered 11-02 (before the window, no work order) on B
  C3 普通 P3  40 ( 4 h), ordered 11-12, 交期 11-19, 回复交期 11-26 (answered) on B
New (ordered 11-10 .. 11-13, the window is 11-09 .. 11-16):
  N1 普通 P3  80 ( 8 h), due 11-25  on B
  N2 普通 P1  80 ( 8 h), due 12-04  on A
  N3 特急 P1 160 (16 h), due 11-18  on A
  N4 普通 P2 320 (16 h), due 11-20  on A
  N5 普通 PX 100,        due 11-30  (no rate)

Before (new lines held back), in schedule order (priority, commitment, order date):
  A: C1 cum 16 -> 11-17; C2 cum 32 -> 11-19.
  B: O1 (11-20) cum 8 -> 11-16; C3 (11-26) cum 12 -> 11-17.
After, round 1 (new lines at their 交期):
  A: N3 (特急) cum 16 -> 11-17; C1 (11-18) cum 32 -> 11-19; N4 (11-20) cum 48 -> 11-23;
     C2 (11-27) cum 64 -> 11-25; N2 (12-04) cum 72 -> 11-26.
  B: O1 (11-20) cum 8 -> 11-16; N1 (11-25) cum 16 -> 11-17; C3 (11-26) cum 20 -> 11-18.
  Promise = finish + 1 working day: N3 11-18 (<= 11-18: 可按期), N4 11-24 (> 11-20: 需协商),
  N2 11-27 (<= 12-04: 可按期), N1 11-18 (<= 11-25: 可按期), N5 none (无法排产: no rate).
Round 2: N4 planned at its proposed 11-24: still after C1 (11-18) and before C2 (11-27),
  so nothing moves; finish 11-23, promise 11-24 = the proposal: done in two rounds.
Pushes (finish later after than before):
  C1 11-17 -> 11-19 (due 11-18: becomes late), ahead of it on A only N3 (特急);
  C2 11-19 -> 11-25 (due 11-27), ahead of it on A: N3 and N4 (11-24 < 11-27), not N2;
  C3 11-17 -> 11-18 (on B), ahead of it on B: N1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gendan_xl.plan.review import review_orders
from gendan_xl.read import read_ledger

D = date
AS_OF = D(2026, 11, 16)


def sheets(extra_orders: list[list[Any]] | None = None) -> dict[str, Any]:
    # A 订单号, B 行号, C 客户, D 产品编码, E 数量, F 下单日期, G 交期, H 回复交期, I 优先级
    orders = [
        ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "回复交期", "优先级"],
        ["C1", 1, "ACME", "P1", 160, D(2026, 11, 1), D(2026, 11, 18), None, "普通"],
        ["C2", 1, "ACME", "P1", 160, D(2026, 11, 2), D(2026, 11, 27), None, "普通"],
        ["O1", 1, "BETA", "P3", 80, D(2026, 11, 2), D(2026, 11, 20), None, "普通"],
        ["C3", 1, "BETA", "P3", 40, D(2026, 11, 12), D(2026, 11, 19), D(2026, 11, 26), "普通"],
        ["N1", 1, "BETA", "P3", 80, D(2026, 11, 10), D(2026, 11, 25), None, "普通"],
        ["N2", 1, "ACME", "P1", 80, D(2026, 11, 11), D(2026, 12, 4), None, "普通"],
        ["N3", 1, "GAMMA", "P1", 160, D(2026, 11, 12), D(2026, 11, 18), None, "特急"],
        ["N4", 1, "ACME", "P2", 320, D(2026, 11, 13), D(2026, 11, 20), None, "普通"],
        ["N5", 1, "GAMMA", "PX", 100, D(2026, 11, 13), D(2026, 11, 30), None, "普通"],
        *(extra_orders or []),
    ]
    return {
        "订单": orders,
        "产品": [
            ["产品编码", "品名", "产线", "标准产能"],
            ["P1", "外壳", "A线", 10],
            ["P2", "底座", "A线", 20],
            ["P3", "支架", "B线", 10],
            ["PX", "样品", "A线", None],
        ],
        "产线": [
            ["产线", "班次数", "每班工时", "效率", "休息日"],
            ["A线", 1, 8, 1.0, "六,日"],
            ["B线", 1, 8, 1.0, "六,日"],
        ],
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
            ["WO1", "C1", 1, "P1", 160, "A线", "未开工"],
            ["WO2", "C2", 1, "P1", 160, "A线", "未开工"],
        ],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [["出货日期", "订单号", "行号", "数量"]],
    }


@pytest.fixture
def ledger_path(workbook: Callable[..., Path]) -> Path:
    return workbook(sheets())


def test_five_new_lines_by_hand(ledger_path: Path) -> None:
    result = review_orders(read_ledger(ledger_path, AS_OF), AS_OF)
    assert result.since == D(2026, 11, 9) and result.lead_days == 1 and result.rounds == 2
    got = result.to_json()
    assert got["as_of"] == "2026-11-16"
    by_key = {ln["key"]: ln for ln in got["lines"]}
    # O1 (ordered before the window) and C1/C2 (work orders), C3 (回复交期) are not reviewed.
    assert list(by_key) == ["N1-1", "N2-1", "N3-1", "N4-1", "N5-1"]
    assert by_key["N1-1"] == {
        "key": "N1-1", "due_date": "2026-11-25", "earliest_finish": "2026-11-17", "promise_date": "2026-11-18",
        "material_ready": None, "verdict": "可按期", "reason": "", "reply_date": "2026-11-25",
        "pushes": [{"key": "C3-1", "old_finish": "2026-11-17", "new_finish": "2026-11-18"}],
    }
    assert by_key["N2-1"] == {
        "key": "N2-1", "due_date": "2026-12-04", "earliest_finish": "2026-11-26", "promise_date": "2026-11-27",
        "material_ready": None, "verdict": "可按期", "reason": "", "reply_date": "2026-12-04", "pushes": [],
    }
    n3 = by_key["N3-1"]
    assert (n3["earliest_finish"], n3["promise_date"], n3["verdict"], n3["reply_date"]) == (
        "2026-11-17", "2026-11-18", "可按期", "2026-11-18"
    )
    # Longest delay first.
    assert n3["pushes"] == [
        {"key": "C2-1", "old_finish": "2026-11-19", "new_finish": "2026-11-25"},
        {"key": "C1-1", "old_finish": "2026-11-17", "new_finish": "2026-11-19"},
    ]
    n4 = by_key["N4-1"]
    assert (n4["earliest_finish"], n4["promise_date"], n4["verdict"], n4["reply_date"]) == (
        "2026-11-23", "2026-11-24", "需协商", "2026-11-24"
    )
    assert n4["reason"] == "产能:最早 2026-11-23 完工,送货提前期后 2026-11-24,晚于交期 2026-11-20"
    assert n4["pushes"] == [{"key": "C2-1", "old_finish": "2026-11-19", "new_finish": "2026-11-25"}]
    assert by_key["N5-1"] == {
        "key": "N5-1", "due_date": "2026-11-30", "earliest_finish": None, "promise_date": None,
        "material_ready": None, "verdict": "无法排产", "reason": "产品「PX」没有标准产能", "reply_date": None,
        "pushes": [],
    }
    # C1 becomes late (due 11-18, now 11-19); C2 and C3 stay in time.
    late = {p.key: p.becomes_late for ln in result.lines for p in ln.pushes}
    assert late == {"C1-1": True, "C2-1": False, "C3-1": False}
    assert result.counts() == {"可按期": 3, "需协商": 1, "无法排产": 1}
    assert result.to_json("en")["lines"][4]["reason"] == "item 'PX' has no standard rate"


def test_since_lead_days_and_a_proposal_planned_again(workbook: Callable[..., Path]) -> None:
    """--since 11-12 reviews only N3, N4 (and N5); N1 and N2 count as committed.
    送货提前期 4 working days.

    Before: A: C1 (11-18) 16 -> 11-17; C2 (11-27) 32 -> 11-19; N2 (12-04) 40 -> 11-20.
    Round 1: A: N3 (特急) 16 -> 11-17; C1 32 -> 11-19; N4 (11-20) 48 -> 11-23; C2 64 -> 11-25;
      N2 72 -> 11-26. N3: 11-17 + 4 = 11-23 > 11-18; N4: 11-23 + 4 = 11-27 > 11-20.
    Round 2 (N3 at 11-23, still first as 特急; N4 at 11-27, after C2: same date, C2 ordered
      earlier): N3 16 -> 11-17; C1 32 -> 11-19; C2 48 -> 11-23; N4 64 -> 11-25; N2 72 -> 11-26.
      N4: 11-25 + 4 = 12-01 (26, 27, 30, 1), later than 11-27.
    Round 3 (N4 at 12-01, still before N2's 12-04): nothing moves, N4 promise 12-01: done.
    Pushes: C1 11-17 -> 11-19 and C2 11-19 -> 11-23 (only N3 ahead of them on A),
      N2 11-20 -> 11-26 (N3 and N4 ahead of it)."""
    book = sheets()
    book["设置"] = [["项目", "值"], ["送货提前期", 4]]
    result = review_orders(read_ledger(workbook(book), AS_OF), AS_OF, since=D(2026, 11, 12))
    assert (result.lead_days, result.rounds) == (4, 3)
    got = {ln["key"]: ln for ln in result.to_json()["lines"]}
    assert list(got) == ["N3-1", "N4-1", "N5-1"]
    assert [(ln["earliest_finish"], ln["promise_date"], ln["verdict"], ln["reply_date"]) for ln in got.values()] == [
        ("2026-11-17", "2026-11-23", "需协商", "2026-11-23"),
        ("2026-11-25", "2026-12-01", "需协商", "2026-12-01"),
        (None, None, "无法排产", None),
    ]
    assert got["N3-1"]["pushes"] == [
        {"key": "N2-1", "old_finish": "2026-11-20", "new_finish": "2026-11-26"},
        {"key": "C2-1", "old_finish": "2026-11-19", "new_finish": "2026-11-23"},
        {"key": "C1-1", "old_finish": "2026-11-17", "new_finish": "2026-11-19"},
    ]
    assert got["N4-1"]["pushes"] == [{"key": "N2-1", "old_finish": "2026-11-20", "new_finish": "2026-11-26"}]


def test_material_readiness_with_a_bom(workbook: Callable[..., Path]) -> None:
    """BOM: P3 uses 1 M3 (stock 1,000: ready on the as-of date); P2 uses 1 M2 (no stock,
    PO1 400 arriving 11-18); P1 uses 1 M4 (no stock, no purchase, no 采购周期: unknown).
    PX has no BOM row. N4 (P2) may start only on 11-18, but on A it comes after N3 and
    C1 (busy to the end of 11-19) anyway: every date of the first test stands."""
    book = sheets()
    book["BOM"] = [["产品编码", "物料编码", "用量", "损耗率"], ["P3", "M3", 1, None], ["P2", "M2", 1, None],
                   ["P1", "M4", 1, None]]
    book["物料"] = [["物料编码", "物料名称", "单位", "库存", "采购周期"], ["M3", "钢片", "pcs", 1000, None],
                   ["M2", "胶料", "kg", 0, None], ["M4", "螺丝", "pcs", 0, None]]
    book["采购"] = [["采购单号", "供应商", "物料编码", "数量", "下单日期", "预计到货", "已到数量", "状态"],
                   ["PO1", "S1", "M2", 400, D(2026, 11, 10), D(2026, 11, 18), 0, "未到"]]
    result = review_orders(read_ledger(workbook(book), AS_OF), AS_OF)
    got = {ln.key: ln for ln in result.lines}
    assert {k: (ln.material_ready, ln.material_note) for k, ln in got.items()} == {
        "N1-1": (D(2026, 11, 16), ""),
        "N2-1": (None, "物料日期未知"),
        "N3-1": (None, "物料日期未知"),
        "N4-1": (D(2026, 11, 18), ""),
        "N5-1": (None, "无BOM"),
    }
    assert [(ln.earliest_finish, ln.promise_date, ln.verdict) for ln in got.values()] == [
        (D(2026, 11, 17), D(2026, 11, 18), "可按期"),
        (D(2026, 11, 26), D(2026, 11, 27), "可按期"),
        (D(2026, 11, 17), D(2026, 11, 18), "可按期"),
        (D(2026, 11, 23), D(2026, 11, 24), "需协商"),
        (None, None, "无法排产"),
    ]
    assert got["N2-1"].reason_zh == "物料日期未知"
    assert got["N5-1"].reason_zh == "产品「PX」没有标准产能"  # the note of a line that cannot be planned: its reason only


def test_reasons_for_lines_that_cannot_be_planned(workbook: Callable[..., Path]) -> None:
    """N6 names an item the 产品 sheet does not have; N7's item runs on C线, which is not
    on the 产线 sheet; N8's item names no line. None of them is planned, so the other
    lines' figures are those of the first test (N4 still pushes C2 only)."""
    book = sheets([
        ["N6", 1, "ACME", "PZ", 10, D(2026, 11, 13), D(2026, 11, 30), None, "普通"],
        ["N7", 1, "ACME", "PC", 10, D(2026, 11, 13), D(2026, 11, 30), None, "普通"],
        ["N8", 1, "ACME", "PN", 10, D(2026, 11, 13), D(2026, 11, 30), None, "普通"],
    ])
    book["产品"] += [["PC", "外协件", "C线", 10], ["PN", "新品", None, 10]]
    result = review_orders(read_ledger(workbook(book), AS_OF), AS_OF)
    got = {ln.key: ln for ln in result.lines}
    assert [(k, got[k].verdict, got[k].reason_zh) for k in ("N5-1", "N6-1", "N7-1", "N8-1")] == [
        ("N5-1", "无法排产", "产品「PX」没有标准产能"),
        ("N6-1", "无法排产", "产品编码「PZ」不在产品表中"),
        ("N7-1", "无法排产", "产线「C线」不在产线表中"),
        ("N8-1", "无法排产", "产品「PN」没有产线"),
    ]
    assert all(got[k].reply_date is None and not got[k].pushes for k in ("N6-1", "N7-1", "N8-1"))
    assert (got["N4-1"].promise_date, [p.key for p in got["N4-1"].pushes]) == (D(2026, 11, 24), ["C2-1"])


def test_bad_lead_days_setting_keeps_the_default(workbook: Callable[..., Path]) -> None:
    book = sheets()
    book["设置"] = [["项目", "值"], ["送货提前期", "两天"]]
    ledger = read_ledger(workbook(book), AS_OF)
    assert [(i.code, i.ref.sheet, i.ref.cell) for i in ledger.issues if i.code == "bad-setting-value"] == [
        ("bad-setting-value", "设置", "B2")
    ]
    assert review_orders(ledger, AS_OF).lead_days == 1
