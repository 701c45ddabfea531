"""样品 (samples): the optional sheet's checks, the 试样通知单 and the report's 样品跟踪,
on a ledger made by hand. As of Monday 2026-11-16; 样品确认提醒天数 7 (the default).

产品: P1 新品 = 是, P2 not new (否), P3 新品 = 是. 客户: ACME (全称 ACME Corp), BETA.

订单 (产品编码 in column D):
  row 2 SA-1 ACME P1 2400 正常     ACME has YP1 合格 for P1 (written with the full name): silent
  row 3 SB-1 ACME P2 1000 正常     P2 is not new: silent
  row 4 SC-1 BETA P1 1200 正常     BETA's only P1 sample (YP2) is 需修改: no-approved-sample D4
  row 5 SD-1 BETA P1  100 完成     closed: silent
  row 6 SE-1 ACME P3   50 暂停     on hold still open, no P3 sample: no-approved-sample D6
  row 7 SF-1 ACME P3   10 正常     shipped 10 of 10 (出货): silent

样品 (要求日期 E, 送样日期 F, 确认结果 G, 确认日期 H):
  row 2  YP1 ACME Corp P1 要求 11-02 送 11-01 合格 11-05      clean
  row 3  YP2 BETA P1     要求 11-10 送 11-09 需修改 11-12     clean (answered, dated)
  row 4  YP3 BETA P2     要求 11-13, not sent                 11-13 < 11-16: sample-overdue E4, 3 days
  row 5  YP4 ACME P2     要求 11-20, not sent                 not due yet: silent
  row 6  YP5 ACME P2     要求 11-05 送 11-06 待确认            16 - 6 = 10 days > 7: sample-unconfirmed G6
  row 7  YP6 BETA P2     要求 11-08 送 11-09 (blank = 待确认)  7 days, not more than 7: silent
  row 8  YP7 BETA P2     要求 11-03 送 11-04 合格, no 确认日期  sample-no-confirm-date H8 (info)
  row 9  YP8 ZETA P9     要求 11-20                           unknown-customer B9, unknown-item C9
  row 10 YP9 ACME P2     要求 11-20 送 11-18                   送样日期 after the as-of date: future-date F10
  row 11 YP5 ACME P2     要求 11-25                            样品单号 entered twice: duplicate-key A11
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook

from gendan_xl.engine import check

D = date
AS_OF = D(2026, 11, 16)
SAMPLE_HEADER = ["样品单号", "客户", "产品编码", "数量", "要求日期", "送样日期", "确认结果", "确认日期", "封样编号", "备注"]
SAMPLE_CODES = {"sample-overdue", "sample-unconfirmed", "no-approved-sample", "sample-no-confirm-date"}


def sample_rows() -> list[list[Any]]:
    return [
        ["YP1", "ACME Corp", "P1", 5, D(2026, 11, 2), D(2026, 11, 1), "合格", D(2026, 11, 5), "FY-1", None],
        ["YP2", "BETA", "P1", 3, D(2026, 11, 10), D(2026, 11, 9), "需修改", D(2026, 11, 12), None, "加强筋加厚"],
        ["YP3", "BETA", "P2", 4, D(2026, 11, 13), None, None, None, None, None],
        ["YP4", "ACME", "P2", 2, D(2026, 11, 20), None, "待确认", None, None, None],
        ["YP5", "ACME", "P2", 2, D(2026, 11, 5), D(2026, 11, 6), "待确认", None, None, None],
        ["YP6", "BETA", "P2", 2, D(2026, 11, 8), D(2026, 11, 9), None, None, None, None],
        ["YP7", "BETA", "P2", 1, D(2026, 11, 3), D(2026, 11, 4), "合格", None, "FY-2", None],
        ["YP8", "ZETA", "P9", 1, D(2026, 11, 20), None, None, None, None, None],
        ["YP9", "ACME", "P2", 1, D(2026, 11, 20), D(2026, 11, 18), None, None, None, None],
        ["YP5", "ACME", "P2", 2, D(2026, 11, 25), None, None, None, None, None],
    ]


def sheets(samples: list[list[Any]] | None = None, new: tuple[str, ...] = ("P1", "P3"),
           settings: list[list[Any]] | None = None) -> dict[str, list[list[Any]]]:
    s: dict[str, list[list[Any]]] = {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
            ["SA", 1, "ACME", "P1", 2400, D(2026, 11, 1), D(2026, 11, 18), "正常"],
            ["SB", 1, "ACME", "P2", 1000, D(2026, 11, 3), D(2026, 11, 20), "正常"],
            ["SC", 1, "BETA", "P1", 1200, D(2026, 11, 2), D(2026, 11, 19), "正常"],
            ["SD", 1, "BETA", "P1", 100, D(2026, 10, 2), D(2026, 10, 19), "完成"],
            ["SE", 1, "ACME", "P3", 50, D(2026, 11, 2), D(2026, 12, 19), "暂停"],
            ["SF", 1, "ACME", "P3", 10, D(2026, 11, 2), D(2026, 11, 12), "正常"],
        ],
        "产品": [["产品编码", "品名", "规格", "单位", "产线", "标准产能", "每箱数量", "新品"],
                 ["P1", "前盖", "ABS 黑色", "PCS", "L1", 100, 60, "是" if "P1" in new else "否"],
                 ["P2", "后壳", "PP 白色", "PCS", "L1", 50, None, "是" if "P2" in new else "否"],
                 ["P3", "旋钮", "POM", "PCS", "L1", 200, None, "是" if "P3" in new else None]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
        "客户": [["客户", "全称"], ["ACME", "ACME Corp"], ["BETA", "Beta Trading"]],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"]],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [["出货日期", "订单号", "行号", "数量"], [D(2026, 11, 12), "SF", 1, 10]],
    }
    if samples is not None:
        s["样品"] = [SAMPLE_HEADER, *samples]
    if settings is not None:
        s["设置"] = [["项目", "值"], *settings]
    return s


def found(path: Path, codes: set[str] | None = None) -> list[tuple[str, str, str | None]]:
    checked = check(path, AS_OF)
    return sorted(
        (i.code, i.ref.sheet, i.ref.cell) for i in checked.issues
        if i.ref.sheet == "样品" or i.code in (codes or SAMPLE_CODES)
    )


def test_each_check_fires_at_its_cell(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "台账.xlsx", sheets(sample_rows()))
    assert found(path) == sorted([
        ("duplicate-key", "样品", "A11"),
        ("future-date", "样品", "F10"),
        ("no-approved-sample", "订单", "D4"),
        ("no-approved-sample", "订单", "D6"),
        ("sample-no-confirm-date", "样品", "H8"),
        ("sample-overdue", "样品", "E4"),
        ("sample-unconfirmed", "样品", "G6"),
        ("unknown-customer", "样品", "B9"),
        ("unknown-item", "样品", "C9"),
    ])


def test_messages_name_the_sample_and_the_days(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "台账.xlsx", sheets(sample_rows()))
    issues = {(i.code, i.ref.cell): i for i in check(path, AS_OF).issues}
    overdue = issues[("sample-overdue", "E4")]
    assert overdue.severity == "warning"
    assert overdue.message("zh") == "样品 YP3 要求 2026-11-13 送样,已过 3 天仍未送(送样日期空白)"
    waiting = issues[("sample-unconfirmed", "G6")]
    assert waiting.message("zh") == "样品 YP5 已于 2026-11-06 送出 10 天,超过 7 天仍待客户确认"
    assert "10 days ago" in waiting.message("en")
    line = issues[("no-approved-sample", "D4")]
    assert line.message("zh") == "订单行 SC-1 的产品「P1」是新品,客户 BETA 还没有确认合格的样品(样品表)"
    assert issues[("sample-no-confirm-date", "H8")].severity == "info"
    assert issues[("unknown-customer", "B9")].message("zh").startswith("样品的客户「ZETA」")


def test_receipt_customers_keep_their_message(tmp_path: Path) -> None:
    s = sheets()
    s["收款"] = [["日期", "客户", "金额"], [D(2026, 11, 10), "GAMMA", 100]]
    path = make_workbook(tmp_path / "台账.xlsx", s)
    (issue,) = [i for i in check(path, AS_OF).issues if i.code == "unknown-customer"]
    assert issue.message("zh") == "收款的客户「GAMMA」不在客户表或订单表中,不计入任何对账单"
    assert issue.message("en").endswith("on no statement")


def test_clean_rows_stay_silent(tmp_path: Path) -> None:
    # The clean rows alone (YP1, YP2, YP4, YP6) and a 合格 BETA P1 and ACME P3 sample:
    # nothing on 样品, no new-item line without an approved sample.
    rows = sample_rows()
    clean = [rows[0], rows[1], rows[3], rows[5],
             ["YP10", "BETA", "P1", 2, D(2026, 11, 10), D(2026, 11, 11), "合格", D(2026, 11, 13), "FY-3", None],
             ["YP11", "ACME", "P3", 2, D(2026, 11, 10), D(2026, 11, 11), "合格", D(2026, 11, 13), "FY-4", None]]
    path = make_workbook(tmp_path / "台账.xlsx", sheets(clean))
    assert found(path) == []


def test_another_customers_approval_does_not_count(tmp_path: Path) -> None:
    # ACME's 合格 P1 sample (YP1) approves SA-1 only: BETA's SC-1 still has none.
    path = make_workbook(tmp_path / "台账.xlsx", sheets([sample_rows()[0]], new=("P1",)))
    assert found(path) == [("no-approved-sample", "订单", "D4")]


def test_without_new_items_or_sample_sheet_nothing_changes(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "台账.xlsx", sheets(None, new=()))
    assert found(path) == []
    # 新品 marked but no 样品 sheet: the open new-item lines are named (SA-1, SC-1, SE-1).
    path = make_workbook(tmp_path / "有新品.xlsx", sheets(None))
    assert found(path) == [("no-approved-sample", "订单", "D2"), ("no-approved-sample", "订单", "D4"),
                           ("no-approved-sample", "订单", "D6")]


def test_reminder_days_is_a_setting(tmp_path: Path) -> None:
    # 样品确认提醒天数 12: YP5, sent 10 days ago, is no longer a reminder; 9: it is, and so
    # is nothing else (YP6 waits 7 days).
    path = make_workbook(tmp_path / "台账.xlsx", sheets(sample_rows(), settings=[["样品确认提醒天数", 12]]))
    assert ("sample-unconfirmed", "样品", "G6") not in found(path)
    path = make_workbook(tmp_path / "b.xlsx", sheets(sample_rows(), settings=[["样品确认提醒天数", 6]]))
    # 6: YP5 (10 days) and YP6 (7 days) both
    hits = [f for f in found(path) if f[0] == "sample-unconfirmed"]
    assert hits == [("sample-unconfirmed", "样品", "G6"), ("sample-unconfirmed", "样品", "G7")]


def test_unconfirmed_points_at_sent_date_without_a_result_column(tmp_path: Path) -> None:
    header = ["样品单号", "客户", "产品编码", "要求日期", "送样日期"]
    s = sheets()
    s["样品"] = [header, ["YP5", "ACME", "P2", D(2026, 11, 5), D(2026, 11, 6)]]
    path = make_workbook(tmp_path / "台账.xlsx", s)
    assert found(path) == [("no-approved-sample", "订单", "D2"), ("no-approved-sample", "订单", "D4"),
                           ("no-approved-sample", "订单", "D6"), ("sample-unconfirmed", "样品", "E2")]


@pytest.mark.parametrize("status", ["取消", "完成"])
def test_closed_lines_need_no_sample(tmp_path: Path, status: str) -> None:
    s = sheets([sample_rows()[0]], new=("P1",))
    s["订单"][3][7] = status  # SC-1
    path = make_workbook(tmp_path / "台账.xlsx", s)
    assert found(path) == []


# --- 试样通知单 ----------------------------------------------------------------------
# Rows to send on 11-16 (送样日期 blank, no answer), in sheet order:
#   row 2  (no number) ACME P1 5, 要求 11-20            -> a new number
#   row 3  S-7         BETA P2 3, 要求 11-13 (3 days late) -> the clerk's S-7
#   row 5  (no number) BETA P2 4, 要求 11-25            -> a new number
# Not sent: row 4 (sent 11-10, 待确认), row 6 (合格). Row 6's 样品单号 YP20261116001
# is the pattern's first number of the day, so the new ones are 002 and 003.


def notice_rows() -> list[list[Any]]:
    return [
        [None, "ACME", "P1", 5, D(2026, 11, 20), None, None, None, None, "颜色按色板 C-12,表面纹理 MT-11020"],
        ["S-7", "BETA", "P2", 3, D(2026, 11, 13), None, "待确认", None, None, None],
        [None, "BETA", "P1", 2, D(2026, 11, 18), D(2026, 11, 10), "待确认", None, None, None],
        [None, "BETA", "P2", 4, D(2026, 11, 25), None, None, None, None, None],
        ["YP20261116001", "ACME", "P2", 1, D(2026, 11, 3), D(2026, 11, 4), "合格", D(2026, 11, 6), "FY-9", None],
    ]


def notice_ledger(tmp_path: Path, name: str = "台账.xlsx") -> Path:
    s = sheets(notice_rows())
    s["设置"] = [["项目", "值"], ["公司名称", "东莞市宏达塑胶制品有限公司"]]
    return make_workbook(tmp_path / name, s)


def test_sample_notices_numbered_once_per_row(tmp_path: Path) -> None:
    from gendan_xl.documents.run import run_sample_notices

    path = notice_ledger(tmp_path)
    first = run_sample_notices(path, tmp_path / "out", AS_OF)
    assert first.numbers == ["YP20261116002", "S-7", "YP20261116003"]
    assert [(a.customer, a.qty, a.rows[0].row) for a in first.assignments] == [
        ("ACME", 5, 2), ("BETA", 3, 3), ("BETA", 4, 5)]
    assert first.output is not None and first.output.name == "试样通知单_20261116_YP20261116002.xlsx"
    assert not first.warnings
    again = run_sample_notices(path, tmp_path / "out", AS_OF)
    assert again.numbers == first.numbers  # the same rows: the same numbers
    only = run_sample_notices(path, tmp_path / "out", AS_OF, ["YP20261116003"])
    assert only.numbers == ["YP20261116003"]  # a number the journal gave a row without one
    clerks = run_sample_notices(path, tmp_path / "out", AS_OF, ["S-7"])
    assert clerks.numbers == ["S-7"]
    missing = run_sample_notices(path, tmp_path / "out", AS_OF, ["YP20261116001"])  # 合格, already sent
    assert missing.numbers == [] and "YP20261116001" in missing.warnings[0]
    renewed = run_sample_notices(path, tmp_path / "out", AS_OF, reissue=True)
    assert renewed.numbers == ["YP20261116004", "S-7", "YP20261116005"]
    assert not list(tmp_path.glob("*.bak-*"))  # the ledger is untouched without --write-back


def test_sample_notice_facts(tmp_path: Path) -> None:
    from gendan_xl.documents.samples import build_sample_notices
    from gendan_xl.read import read_ledger

    ledger = read_ledger(notice_ledger(tmp_path), AS_OF)

    def alloc(pattern: str, day: date, count: int, existing: Any, sources: Any = None) -> list[str]:
        from gendan_xl.documents.numbers import next_numbers

        return next_numbers(pattern, day, count, existing)

    docs = build_sample_notices(ledger, AS_OF, alloc).docs
    first, late = docs[0], docs[1]
    assert (first.number, first.item_name, first.spec, first.unit, first.qty) == (
        "YP20261116002", "前盖", "ABS 黑色", "PCS", 5)
    assert first.customer_full == "ACME Corp" and first.remark.startswith("颜色按色板")
    assert first.days_overdue is None and late.days_overdue == 3  # 要求 11-13, as of 11-16


def test_sample_numbers_written_back_into_empty_cells(tmp_path: Path) -> None:
    import openpyxl

    from gendan_xl.documents.run import run_sample_notices

    path = notice_ledger(tmp_path)
    done = run_sample_notices(path, tmp_path / "out", AS_OF, write_back=True)
    assert done.numbers == ["YP20261116002", "S-7", "YP20261116003"]
    assert [w.cells_written for w in done.write_back] == [2]
    ws = openpyxl.load_workbook(path)["样品"]
    assert [ws.cell(r, 1).value for r in range(2, 7)] == [
        "YP20261116002", "S-7", None, "YP20261116003", "YP20261116001"]
    assert len(list(tmp_path.glob("*.bak-*"))) == 1
    # Run again: every row has its number now; the same notices, nothing written.
    again = run_sample_notices(path, tmp_path / "out", AS_OF, write_back=True)
    assert again.numbers == done.numbers and again.write_back == []


def test_cli_sample_notices_json(tmp_path: Path, capsys: Any) -> None:
    import json

    from gendan_xl.cli import main

    path = notice_ledger(tmp_path)
    code = main(["docs", "sample-notices", str(path), "--as-of", "2026-11-16", "--out", str(tmp_path / "o"),
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert [(n["number"], n["kind"], n["rows"][0]["row"]) for n in out["numbers"]] == [
        ("YP20261116002", "yp", 2), ("S-7", "yp", 3), ("YP20261116003", "yp", 5)]
    # A ledger without a 样品 sheet: a clear warning, exit 1, nothing written.
    bare = make_workbook(tmp_path / "无样品.xlsx", sheets())
    assert main(["docs", "sample-notices", str(bare), "--as-of", "2026-11-16", "--out", str(tmp_path / "o2")]) == 1
    assert "样品" in capsys.readouterr().err and not (tmp_path / "o2").exists()


def test_sample_notice_reprint(tmp_path: Path) -> None:
    import openpyxl

    from gendan_xl.documents.run import run_reprint, run_sample_notices

    path = notice_ledger(tmp_path)
    run_sample_notices(path, tmp_path / "out", AS_OF)
    again = run_reprint(["S-7"], tmp_path / "reprint", path)
    assert again.output is not None and not again.warnings
    texts = {str(c.value) for row in openpyxl.load_workbook(again.output)["S-7"].iter_rows() for c in row if c.value}
    assert "后壳" in texts and "编号:S-7" in texts


@pytest.mark.libreoffice
def test_sample_notice_prints_on_one_a4_page(tmp_path: Path, soffice: Any) -> None:
    from xlsx_lint import lint_xlsx

    from gendan_xl.documents.run import run_sample_notices

    out = run_sample_notices(notice_ledger(tmp_path), tmp_path / "out", AS_OF).output
    assert out is not None and lint_xlsx(out) == []
    pdf = soffice.convert(out, "pdf", tmp_path / "pdf")
    assert soffice.pdf_pages(pdf) == 3  # three samples, one A4 page each
    soffice.assert_cjk_embedded(pdf)
    pages = soffice.pdf_text(pdf).replace(" ", "").split("\f")
    for words in ("试样通知单", "YP20261116002", "ACMECorp", "前盖", "ABS黑色", "2026-11-20", "颜色按色板C-12",
                  "跟单", "工程", "生产", "品质"):
        assert words in pages[0], words
    assert "要求送样日期已过3天" in pages[1] and "S-7" in pages[1]
    png = soffice.png(pdf, 1)
    assert png.stat().st_size > 10_000
    keep = Path("/tmp/samples_png")
    if keep.exists():  # for a person to look at
        (keep / "yp_page1.png").write_bytes(png.read_bytes())
        (keep / "yp_page2.png").write_bytes(soffice.png(pdf, 2).read_bytes())


# --- 样品跟踪 (report) -----------------------------------------------------------------


def test_report_lists_samples_worst_first(tmp_path: Path) -> None:
    """The rows of ``sample_rows`` as of 11-16, worst first: YP3 逾期未送 3 days; YP5 待确认
    10 days (beyond 7); YP2 需修改; YP6 待确认 7 days, YP9 待确认 (sent 11-18, after the
    as-of date: no days); 未送 by 要求日期: YP4 and YP8 (11-20, sheet order), YP5 (11-25);
    合格: YP1 (确认 11-05), YP7 (no 确认日期) last."""
    import openpyxl

    from gendan_xl.plan import plan_ledger
    from gendan_xl.write.report import write_report
    from gendan_xl.write.report_data import build_report_data

    path = make_workbook(tmp_path / "台账.xlsx", sheets(sample_rows()))
    checked = check(path, AS_OF)
    plan = plan_ledger(checked.ledger, AS_OF)
    out = write_report(tmp_path / "跟单报告.xlsx", build_report_data(checked.ledger, plan, checked.issues, AS_OF))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames.index("样品跟踪") == wb.sheetnames.index("检查结果") - 1
    ws = wb["样品跟踪"]
    assert [c.value for c in ws[3]][:3] == ["状态", "样品单号", "客户"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[1], r[8], r[9], r[12]) for r in rows] == [
        ("逾期未送", "YP3", 3, None, None),
        ("待确认 10 天", "YP5", None, 10, None),
        ("需修改", "YP2", None, None, None),
        ("待确认 7 天", "YP6", None, 7, None),
        ("待确认", "YP9", None, None, None),
        ("未送", "YP4", None, None, None),
        ("未送", "YP8", None, None, None),
        ("未送", "YP5", None, None, None),
        ("合格", "YP1", None, None, "FY-1"),
        ("合格", "YP7", None, None, "FY-2"),
    ]
    assert rows[0][4] == "后壳"  # 品名 from 产品
    # Without a 样品 sheet there is no such sheet.
    bare = make_workbook(tmp_path / "无样品.xlsx", sheets())
    checked = check(bare, AS_OF)
    plan = plan_ledger(checked.ledger, AS_OF)
    out = write_report(tmp_path / "r2.xlsx", build_report_data(checked.ledger, plan, checked.issues, AS_OF))
    assert "样品跟踪" not in openpyxl.load_workbook(out).sheetnames


# --- the demo ledger -------------------------------------------------------------------


def test_demo_sample_marks_are_reported(tmp_path: Path) -> None:
    """The demo plants sample-overdue, sample-unconfirmed and one no-approved-sample;
    `gendan check` reports each at its cell, and 华信电子's new item SJ-1007, whose
    sample is 合格, has none."""
    from gendan_xl.demo import DEFAULT_AS_OF, build_demo
    from gendan_xl.write.demo_book import write_demo

    demo = build_demo()
    path = write_demo(demo, tmp_path / "demo.xlsx")
    issues = check(path, DEFAULT_AS_OF).issues
    got = {(i.ref.sheet, i.ref.cell, i.code) for i in issues}
    planted = [p for p in demo.planted if p.code in SAMPLE_CODES]
    assert sorted(p.code for p in planted) == ["no-approved-sample", "sample-overdue", "sample-unconfirmed"]
    for p in planted:
        assert (p.sheet, p.cell, p.code) in got, p
    items = [i.value for i in issues if i.code == "no-approved-sample"]
    assert "SJ-1010" in items and "SJ-1007" not in items


def test_a_sample_row_with_an_error_gets_no_notice(tmp_path: Path) -> None:
    """Row 3 (S-7) with 数量 -3 (non-positive-qty, an error) and row 5 with 要求日期
    "下周" (bad-date) are skipped with the reason; row 2 is printed with the number the
    run would have given it anyway (YP20261116002: row 6's 001 is taken)."""
    from gendan_xl.documents.run import run_sample_notices

    rows = notice_rows()
    rows[1][3] = -3
    rows[3][4] = "下周"
    s = sheets(rows)
    path = make_workbook(tmp_path / "台账.xlsx", s)
    assert ("non-positive-qty", "样品", "D3") in found(path, {"non-positive-qty"})
    done = run_sample_notices(path, tmp_path / "out", AS_OF)
    assert done.numbers == ["YP20261116002"]
    assert [(what, row.row if row else None) for what, _why, row in done.skipped] == [("S-7(样品!3)", 3), ("样品!5", 5)]
    assert "D3" in done.skipped[0][1] and "E5" in done.skipped[1][1]
    assert len(done.warnings) == 2
