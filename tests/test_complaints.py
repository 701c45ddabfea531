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

import openpyxl
import pandas as pd
import pytest
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


# --- the report sheets ---------------------------------------------------------------------

# 样品: A 样品单号, B 客户, C 产品编码, D 数量, E 要求日期, F 送样日期, G 确认结果, H 确认日期
YP_HEADER = ["样品单号", "客户", "产品编码", "数量", "要求日期", "送样日期", "确认结果", "确认日期"]


def report_sheets() -> dict[str, list[list[Any]]]:
    """CLEAN plus KS0 (ACME, 09-20 -> 09-25, 5 days to close, 3 pcs, 品质部); two more
    shipped lines for OTD: SO4-1 BETA due 11-03 shipped 11-05 (late, month 2026-11) and
    SO5-1 ACME due 10-20 shipped 10-25 (late, month 2026-10); with BASE's SO3-1 (BETA,
    due 11-10, shipped 11-05: on time) and SO1-1 (ACME, due 12-20, on time)."""
    s = sheets([["KS0", D(2026, 9, 20), "ACME", None, None, "包装破损", 3, "品质部", "换箱", "已结案",
                 D(2026, 9, 25)], *CLEAN])
    s["订单"] += [["SO4", "1", "BETA", "P2", 10, D(2026, 10, 1), D(2026, 11, 3), "完成"],
                 ["SO5", "1", "ACME", "P2", 10, D(2026, 10, 1), D(2026, 10, 20), "完成"]]
    s["出货"] += [[D(2026, 11, 5), "SO4", "1", 10, "DN3", D(2026, 11, 6)],
                 [D(2026, 10, 25), "SO5", "1", 10, "DN4", D(2026, 10, 26)]]
    # A 客户, B 日期, C 交期, D 品质, E 服务, F 价格
    s["满意度"] = [["客户", "日期", "交期", "品质", "服务", "价格"],
                 ["ACME", D(2026, 10, 30), 5, 4, 4, 3],
                 ["Beta Ltd", D(2026, 11, 10), 3, None, 4, 4],  # the full name: BETA
                 ["ACME", D(2026, 11, 15), 4, 4, 5, 3]]
    s["样品"] = [YP_HEADER,
                ["YP1", "ACME", "P1", 5, D(2026, 10, 28), D(2026, 10, 29), "合格", D(2026, 11, 2)],
                ["YP2", "ACME", "P2", 5, D(2026, 10, 8), D(2026, 10, 9), "需修改", D(2026, 10, 15)],
                ["YP3", "ACME", "P2", 5, D(2026, 11, 10), D(2026, 11, 12), "待确认", None],
                ["YP4", "ACME", "P1", 5, D(2026, 9, 1), D(2026, 9, 3), "不合格", D(2026, 9, 10)]]
    return s


def _report(tmp_path: Path) -> Path:
    from gendan_xl.engine import report_data
    from gendan_xl.write.report import write_report

    checked = check(make_workbook(tmp_path / "台账.xlsx", report_sheets()), AS_OF)
    return write_report(tmp_path / "跟单报告.xlsx", report_data(checked.ledger, checked, AS_OF))


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [tuple(c for c in r) for r in ws.iter_rows(values_only=True)]


def test_complaint_tracking_sheet(tmp_path: Path) -> None:
    """Open: KS2 (11-06, 14 days), KS3 (11-19, 1 day), longest first. Per customer:
    ACME KS0, KS1, KS2: 1 open, 2 closed, qty 3 + 10 + 5 = 18, days to close (5 + 9) / 2
    = 7; BETA KS3: 1 open, no qty, no average. Per 责任部门 (open first, then count,
    then name): (未填) KS3 and 仓库 KS2 open; 品质部 KS0 (5 days), 生产部 KS1 (9 days)."""
    wb = openpyxl.load_workbook(_report(tmp_path))
    assert wb.sheetnames[-3:] == ["客诉跟踪", "客户满意度", "检查结果"]
    rows = _rows(wb["客诉跟踪"])
    head = rows.index(next(r for r in rows if r[0] == "客诉编号"))
    assert [(r[0], r[10]) for r in rows[head + 1: head + 3]] == [("KS2", 14), ("KS3", 1)]
    cust = rows.index(next(r for r in rows if r[0] == "客户" and r[1] == "客诉数"))
    assert [r[:6] for r in rows[cust + 1: cust + 3]] == [
        ("ACME", 3, 1, 2, 18, 7), ("BETA", 1, 1, 0, None, None)]
    dept = rows.index(next(r for r in rows if r[0] == "责任部门"))
    assert [r[:6] for r in rows[dept + 1: dept + 5]] == [
        ("(未填)", 1, 1, 0, None, None), ("仓库", 1, 1, 0, 5, None),
        ("品质部", 1, 0, 1, 3, 5), ("生产部", 1, 0, 1, 10, 9)]


def test_satisfaction_sheet(tmp_path: Path) -> None:
    """ACME: surveys 10-30 and 11-15, months 2026-10 .. 2026-11; averages 交期 (5 + 4) / 2
    = 4.5, 品质 4, 服务 4.5, 价格 3, overall (4.5 + 4 + 4.5 + 3) / 4 = 4. OTD from the plan
    for months 10-11: SO5-1 (2026-10, late) = 0 of 1 (SO1-1 is 2026-12, outside).
    Complaints dated in 10-11: KS1, KS2 = 2 (KS0 of September is outside). Samples
    confirmed in 10-11: YP1 合格 (11-02), YP2 需修改 (10-15) -> 1 / 2 (YP3 unconfirmed,
    YP4 of September outside).
    BETA (surveyed as Beta Ltd, its 全称): month 2026-11 only; 交期 3, 品质 none, 服务 4,
    价格 4, overall (3 + 4 + 4) / 3; OTD 2026-11: SO3-1 on time, SO4-1 late = 1 of 2;
    complaints KS3 = 1; no confirmed sample."""
    from gendan_xl.complaints import satisfaction_table
    from gendan_xl.plan import plan_ledger

    checked = check(make_workbook(tmp_path / "台账.xlsx", report_sheets()), AS_OF)
    plan = plan_ledger(checked.ledger, AS_OF)
    otd = {(r["customer"], r["month"]): (r["lines"], r["on_time"]) for r in plan.otd.to_dict("records")}
    assert otd == {("ACME", "2026-10"): (1, 0), ("ACME", "2026-12"): (1, 1), ("BETA", "2026-11"): (2, 1)}
    table = satisfaction_table(checked.ledger, plan.otd)
    acme, beta = table.to_dict("records")
    assert (acme["customer"], acme["surveys"], acme["first_month"], acme["last_month"]) == ("ACME", 2, "2026-10",
                                                                                           "2026-11")
    assert [acme[k] for k in ("delivery", "quality", "service", "price", "overall")] == [4.5, 4, 4.5, 3, 4]
    assert (acme["otd_lines"], acme["otd_on_time"], acme["otd_rate"]) == (1, 0, 0)
    assert (acme["complaints"], acme["samples_confirmed"], acme["samples_passed"], acme["sample_pass_rate"]) == (
        2, 2, 1, 0.5)
    assert (beta["customer"], beta["first_month"], beta["last_month"]) == ("Beta Ltd", "2026-11", "2026-11")
    assert beta["overall"] == pytest.approx(11 / 3) and beta["quality"] != beta["quality"]  # NaN: no score
    assert (beta["otd_lines"], beta["otd_on_time"], beta["otd_rate"], beta["complaints"]) == (2, 1, 0.5, 1)
    assert beta["samples_confirmed"] == 0 and beta["sample_pass_rate"] != beta["sample_pass_rate"]

    wb = openpyxl.load_workbook(_report(tmp_path))
    ws = wb["客户满意度"]
    assert [c.value for c in ws[3]][:14] == ["客户", "调查次数", "起始月份", "截止月份", "交期", "品质", "服务", "价格",
                                             "综合", "准时交货率", "完成行数", "客诉数", "样品合格率", "确认样品数"]
    assert [c.value for c in ws[4]][:14] == ["ACME", 2, "2026-10", "2026-11", 4.5, 4, 4.5, 3, 4, 0, 1, 2, 0.5, 2]
    assert ws._charts and len(ws._charts[0].series) == 4  # the clustered columns: one series per score


def test_report_without_the_sheets_has_neither(tmp_path: Path) -> None:
    from gendan_xl.engine import report_data
    from gendan_xl.write.report import write_report

    checked = check(make_workbook(tmp_path / "台账.xlsx", copy.deepcopy(BASE)), AS_OF)
    out = write_report(tmp_path / "r.xlsx", report_data(checked.ledger, checked, AS_OF))
    names = openpyxl.load_workbook(out).sheetnames
    assert "客诉跟踪" not in names and "客户满意度" not in names


# --- 客诉处理单 ------------------------------------------------------------------------------


def test_forms_of_the_open_complaints_and_of_given_numbers(tmp_path: Path, capsys: Any) -> None:
    """Default: the open ones, oldest first: KS2 (11-06), KS3 (11-19). --complaint KS1
    prints a closed one; an unknown number is a warning (exit 1). The ledger is never
    touched."""
    import json

    from gendan_xl.cli import main

    path = make_workbook(tmp_path / "台账.xlsx", sheets(CLEAN))
    before = path.read_bytes()
    code = main(["docs", "complaint-forms", str(path), "--out", str(tmp_path / "out"), "--as-of", "2026-11-20",
                 "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    out = Path(data["output"])
    assert out.name == "客诉处理单_20261120_KS2.xlsx"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["KS2", "KS3"]
    texts = {str(c.value) for row in wb["KS2"].iter_rows() for c in row if c.value is not None}
    # KS2: ACME, SO1, P2 with 品名/规格 from 产品 when given (BASE has none), open 14 days
    for words in ("客 诉 处 理 单", "客诉编号:KS2", "ACME(Acme Ltd)", "SO1", "P2", "少装", "5", "仓库", "补发",
                  "处理中(已 14 天)", "原因分析(责任部门填写)", "纠正预防措施(责任部门填写)", "跟单", "品质",
                  "责任部门", "主管"):
        assert any(words in t for t in texts), words
    code = main(["docs", "complaint-forms", str(path), "--out", str(tmp_path / "out"), "--as-of", "2026-11-20",
                 "--complaint", "KS1", "KS9"])
    captured = capsys.readouterr()
    assert code == 1 and "KS9" in captured.err
    (closed,) = openpyxl.load_workbook(next((tmp_path / "out").glob("客诉处理单_20261120_KS1*.xlsx"))).worksheets
    texts = {str(c.value) for row in closed.iter_rows() for c in row if c.value is not None}
    assert "已结案(用时 9 天)" in texts
    assert path.read_bytes() == before


@pytest.mark.libreoffice
def test_complaint_form_prints_on_one_a4_page(tmp_path: Path, soffice: Any) -> None:
    from xlsx_lint import lint_xlsx

    from gendan_xl.documents.run import run_complaint_forms

    s = sheets([*CLEAN, ["KS4", D(2026, 11, 2), "BETA", "SO2", "P1", "尺寸偏大 0.3mm,客户抽检 200 件中 12 件超差,"
                         "要求全数挑选并提供改善报告", 120, "品质部", "修模,退货重做;库存品全检", None, None]])
    s["产品"] = [["产品编码", "品名", "规格", "单位", "产线", "标准产能"], ["P1", "上盖", "ABS 黑色", "PCS", "L1", 100],
                 ["P2", "底座", "PP", "PCS", "L1", 50]]
    path = make_workbook(tmp_path / "台账.xlsx", s)
    out = run_complaint_forms(path, tmp_path / "out", AS_OF).output
    assert out is not None and lint_xlsx(out) == []
    pdf = soffice.convert(out, "pdf", tmp_path / "pdf")
    assert soffice.pdf_pages(pdf) == 3  # KS4, KS2, KS3: one page each
    soffice.assert_cjk_embedded(pdf)
    text = soffice.pdf_text(pdf).replace(" ", "")
    for words in ("客诉处理单", "KS4", "上盖ABS黑色", "120PCS", "品质部", "处理中(已18天)", "原因分析", "纠正预防措施",
                  "主管"):
        assert words in text, words
    png = soffice.png(pdf, 1)
    assert png.stat().st_size > 10_000
    keep = Path("/tmp/os/ks_page1.png")
    if keep.parent.exists():  # for a person to look at
        keep.write_bytes(png.read_bytes())


def test_demo_plants_one_complaint_open_too_long() -> None:
    """The demo ledger: of its four complaints two are closed and two open; the one
    open for three weeks is reported at its 状态 cell, and nothing else on 客诉 or 满意度."""
    from gendan_xl.demo import DEFAULT_AS_OF, build_demo

    demo = build_demo()
    planted = [(p.sheet, p.cell, p.code) for p in demo.planted if p.sheet in ("客诉", "满意度")]
    assert planted == [("客诉", "J4", "complaint-open-long")]
    root = Path(__file__).resolve().parent.parent
    result = check(root / "workbooks" / "演示台账.xlsx", DEFAULT_AS_OF)
    found = sorted((i.ref.sheet, i.ref.cell, i.code) for i in result.issues if i.ref.sheet in ("客诉", "满意度"))
    assert found == planted


def test_scores_outside_one_to_five_are_flagged_and_left_out(tmp_path: Path) -> None:
    """满意度 ACME: 交期 5 and 45 (a typo for 4.5): 45 is score-out-of-range at C3 and the
    交期 average is 5 alone; 价格 0 at F2 likewise, 价格 average 3 (row 3 only)."""
    from gendan_xl.complaints import satisfaction_table

    s = copy.deepcopy(BASE)
    # A 客户, B 日期, C 交期, D 品质, E 服务, F 价格
    s["满意度"] = [["客户", "日期", "交期", "品质", "服务", "价格"],
                 ["ACME", D(2026, 11, 2), 5, 4, 4, 0],  # 2
                 ["ACME", D(2026, 11, 9), 45, 4, 5, 3]]  # 3
    result = check(make_workbook(tmp_path / "台账.xlsx", s), AS_OF)
    assert sorted((i.code, i.ref.sheet, i.ref.cell) for i in result.issues) == [
        ("score-out-of-range", "满意度", "C3"), ("score-out-of-range", "满意度", "F2")]
    no_otd = pd.DataFrame(columns=["customer", "month", "lines", "on_time", "rate"])
    (acme,) = satisfaction_table(result.ledger, no_otd).to_dict("records")
    assert [acme[k] for k in ("delivery", "quality", "service", "price")] == [5, 4, 4.5, 3]
