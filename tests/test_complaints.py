"""客诉 (complaints) and 满意度 (satisfaction): the checks at their cells, the 客诉跟踪 and
客户满意度 report sheets and the printable 客诉处理单, worked out by hand.

The ledger is test_checks' clean BASE (as of Friday 2026-11-20; 订单 SO1-1 ACME P1,
SO1-2 ACME P2, SO2-1 BETA P1, SO3-1 BETA P2) plus a 客诉 sheet.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from helpers import make_workbook
from test_checks import AS_OF, BASE

from gendan_xl.engine import check

D = date
# A 客诉编号, B 日期, C 客户, D 订单号, E 产品编码, F 问题描述, G 数量, H 责任部门, I 处理措施, J 状态, K 结案日期
KS_HEADER = ["客诉编号", "日期", "客户", "订单号", "产品编码", "问题描述", "数量", "责任部门", "处理措施", "状态", "结案日期"]
CLEAN = [
    # closed 11-01 -> 11-10: 9 days to close
    ["KS1", D(2026, 11, 1), "ACME", "SO1", "P1", "刮花", 10, "生产部", "全检", "已结案", D(2026, 11, 10)],  # 2
    # open since 11-06: 14 days on 11-20, not more than 14: no warning (the boundary)
    ["KS2", D(2026, 11, 6), "ACME", "SO1", "P2", "少装", 5, "仓库", "补发", "处理中", None],  # 3
    # no order, no item: nothing to check but its dates
    ["KS3", D(2026, 11, 19), "BETA", None, None, "服务态度", None, None, None, None, None],  # 4
]


def sheets(rows: list[list[Any]], settings: list[list[Any]] | None = None) -> dict[str, list[list[Any]]]:
    s = copy.deepcopy(BASE)
    s["客诉"] = [KS_HEADER, *rows]
    if settings:
        s["设置"] = [["项目", "值"], *settings]
    return s


def complaint_issues(tmp_path: Path, rows: list[list[Any]], settings: list[list[Any]] | None = None) -> list[Any]:
    result = check(make_workbook(tmp_path / "台账.xlsx", sheets(rows, settings)), AS_OF)
    others = [i for i in result.issues if i.ref.sheet != "客诉"]
    assert others == []  # the BASE ledger stays clean
    return sorted((i.code, i.ref.cell) for i in result.issues)


def test_clean_complaints_are_silent(tmp_path: Path) -> None:
    assert complaint_issues(tmp_path, CLEAN) == []


def test_each_check_fires_at_its_cell(tmp_path: Path) -> None:
    rows = [
        *CLEAN,
        # blank 状态 = 处理中, since 11-05: 15 days > 14 -> complaint-open-long at J5
        ["KS4", D(2026, 11, 5), "BETA", "SO2", "P1", "变形", 20, "品质部", None, None, None],  # 5
        ["KS5", D(2026, 11, 18), "BETA", "SO9", "P1", "x", 1, None, None, "处理中", None],  # 6: unknown-order D6
        ["KS6", D(2026, 11, 18), "BETA", "SO2", "P9", "x", 1, None, None, "处理中", None],  # 7: unknown-item E7
        # SO2 has only P1: P2 is not on that order (P2 itself is known) -> E8
        ["KS7", D(2026, 11, 18), "BETA", "SO2", "P2", "x", 1, None, None, "处理中", None],  # 8
        # 已结案 without 结案日期 -> complaint-no-close-date at K9
        ["KS8", D(2026, 11, 12), "ACME", "SO1", "P1", "x", 1, None, None, "已结案", None],  # 9
        # dated after the as-of date -> future-date at B10
        ["KS9", D(2026, 11, 23), "ACME", None, None, "x", None, None, None, None, None],  # 10
        # 客诉编号 KS1 again -> duplicate-key at A11
        ["KS1", D(2026, 11, 19), "ACME", None, None, "x", None, None, None, None, None],  # 11
    ]
    assert complaint_issues(tmp_path, rows) == [
        ("complaint-item-not-on-order", "E8"),
        ("complaint-no-close-date", "K9"),
        ("complaint-open-long", "J5"),
        ("duplicate-key", "A11"),
        ("future-date", "B10"),
        ("unknown-item", "E7"),
        ("unknown-order", "D6"),
    ]


def test_open_long_message_and_setting(tmp_path: Path) -> None:
    """客诉结案提醒天数 10: KS2 (14 days open) now fires too; KS1 is closed and KS3 is one
    day old."""
    result = check(make_workbook(tmp_path / "台账.xlsx", sheets(CLEAN, [["客诉结案提醒天数", 10]])), AS_OF)
    (issue,) = [i for i in result.issues if i.code == "complaint-open-long"]
    assert (issue.ref.sheet, issue.ref.cell, issue.severity.value) == ("客诉", "J3", "warning")
    assert issue.message("zh") == "客诉 KS2 于 2026-11-06 登记,已 14 天仍未结案(超过 10 天)"
    assert "still open after 14 days" in issue.message("en")


def test_without_a_status_column_the_warning_points_at_the_date(tmp_path: Path) -> None:
    rows = [[r[i] for i in range(9)] for r in CLEAN]
    rows.append(["KS4", D(2026, 11, 5), "BETA", "SO2", "P1", "变形", 20, "品质部", None])  # 5: 15 days
    s = sheets([])
    s["客诉"] = [KS_HEADER[:9], *rows]
    result = check(make_workbook(tmp_path / "台账.xlsx", s), AS_OF)
    # KS4, 15 days open with no 状态 column: at its 日期 (B5); KS1 counts as open now
    # (no 状态 says 已结案) but is 19 days old... so it fires too, at B2.
    assert sorted((i.code, i.ref.cell) for i in result.issues) == [
        ("complaint-open-long", "B2"), ("complaint-open-long", "B5"),
    ]


def test_a_ledger_without_the_sheet_has_no_complaint_issue(tmp_path: Path) -> None:
    result = check(make_workbook(tmp_path / "台账.xlsx", copy.deepcopy(BASE)), AS_OF)
    assert result.issues == []
