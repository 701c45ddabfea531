"""Order fate a clerk can trust: one small ledger, every figure worked out by hand.

As of Monday 2026-11-16. Line L1: 1 shift x 8 h, Monday to Friday (no statutory
holiday falls in these weeks); L2 the same. Items: P1 100 pcs/h, P2 50 pcs/h, on L1.

Order lines (all 普通):
- SA-1 P1 2000 due Fri 12-04. Its only work order W-A was set 完成 at 1200 good:
  uncovered = 2000 - max(1200, 0) - 0 = 800 (8 h of planned work).
- SB-1 P1 2000 due Fri 12-11. W-B 1200 生产中, nothing made: active balance 1200,
  uncovered = 2000 - 0 - 1200 = 800.
- SC-1 P2 500 due Tue 11-10. W-C made all 500 on 10-30 (完成), nothing shipped:
  overdue, awaiting shipment; 6 calendar days late (11-10 -> 11-16), 4 working days
  (11, 12, 13, 16).
- SD-1 P2 1000 due Thu 11-12. W-D 生产中, 600 made: 400 left = 8 h.
- SE-1 P1 6000 due Fri 11-20. W-E 未开工: 60 h.
- SF-1 P1 5150, made (W-F, 完成) and shipped in full: done. Its daily reports, all
  before the rate window, carry one row per audit code beside clean rows.

Rates: P1 on L1 has reports with hours on two days of the last ten working days
(W-A on 11-02 and 11-03), P2 on two (W-D on 11-09, 11-10): both keep the standard.

Finite schedule on L1 from 11-16 (priority all 普通, then commitment date):
W-D 8 h -> 11-16; W-E 60 h, cum 68 -> 11-26 (Thu); SA's 800 planned, 8 h, cum 76 ->
11-27; W-B 12 h, cum 88 -> 11-30; SB's 800 planned, 8 h, cum 96 -> 12-01.

Required load (each job backward from its date at 8 h a day, alone): W-D is past
due: 8 h on 11-16. W-E needs 60 h by 11-20: 8 h on 16-20 and 20 h that do not fit,
on 11-16. SA's 8 h on 12-04; W-B 4 h on 12-10 and 8 h on 12-11; SB's 8 h on 12-11.
Per day: 11-16 36, 17-20 8 each, 12-04 8, 12-10 4, 12-11 16 (96 h = all open
hours). Weeks: W47 68 h required of 40 available (170%); W48 0; W49 8; W50 20.
Cumulative required minus available: 28 from 11-16 through the weekend, 20 on
11-23, 12 on 11-24, 4 on 11-25, below from 11-26. One episode, 11-16 - 11-25, 28 h
short by Friday 11-20: the latest-due work up to then is W-E, 28 h x 100 = 2800 P1.
Its lines forecast late or overdue: SD-1, SE-1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import make_workbook

from gendan_xl.engine import check
from gendan_xl.plan import PlanResult, plan_ledger

D = date
AS_OF = D(2026, 11, 16)


def sheets() -> dict[str, list[list[Any]]]:
    return {
        # A 订单号, B 行号, C 客户, D 产品编码, E 数量, F 下单日期, G 交期, H 状态
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
            ["SA", 1, "ACME", "P1", 2000, D(2026, 10, 20), D(2026, 12, 4), "正常"],  # 2
            ["SB", 1, "ACME", "P1", 2000, D(2026, 10, 21), D(2026, 12, 11), "正常"],  # 3
            ["SC", 1, "BETA", "P2", 500, D(2026, 10, 15), D(2026, 11, 10), "正常"],  # 4
            ["SD", 1, "BETA", "P2", 1000, D(2026, 10, 16), D(2026, 11, 12), "正常"],  # 5
            ["SE", 1, "ACME", "P1", 6000, D(2026, 11, 2), D(2026, 11, 20), "正常"],  # 6
            ["SF", 1, "BETA", "P1", 5150, D(2026, 10, 10), D(2026, 11, 5), "正常"],  # 7
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 100], ["P2", "L1", 50]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"], ["L2", 1, 8, "六,日"]],
        # A 日期, B 产线, C 类型, D 工时
        "日历": [
            ["日期", "产线", "类型", "工时"],
            [D(2026, 10, 24), "L1", "加班", 8],  # a Saturday worked
            [D(2026, 10, 27), "L1", "加班", 4],  # 4 h overtime on a Tuesday
        ],
        # A 工单号, B 订单号, C 行号, D 产品编码, E 数量, F 产线, G 状态
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
            ["W-A", "SA", 1, "P1", 2000, "L1", "完成"],  # 2: closed short
            ["W-B", "SB", 1, "P1", 1200, "L1", "生产中"],  # 3
            ["W-C", "SC", 1, "P2", 500, "L1", "完成"],  # 4
            ["W-D", "SD", 1, "P2", 1000, "L1", "生产中"],  # 5
            ["W-E", "SE", 1, "P1", 6000, "L1", "未开工"],  # 6
            ["W-F", "SF", 1, "P1", 5150, "L1", "完成"],  # 7
        ],
        # A 日期, B 工单号, C 产线, D 良品数, E 不良数, F 工时
        "生产日报": [
            ["日期", "工单号", "产线", "良品数", "不良数", "工时"],
            [D(2026, 11, 2), "W-A", "L1", 600, 0, 6],  # 2
            [D(2026, 11, 3), "W-A", "L1", 600, 0, 6],  # 3
            [D(2026, 10, 30), "W-C", "L1", 500, 0, 8],  # 4: 62.5/h, 1.25x: fine
            [D(2026, 11, 9), "W-D", "L1", 300, 0, 6],  # 5
            [D(2026, 11, 10), "W-D", "L1", 300, 0, 6],  # 6
            [D(2026, 10, 24), "W-F", "L1", 400, 0, 4],  # 7: Saturday, but 日历 overtime: fine
            [D(2026, 10, 26), "W-F", "L1", 600, 0, 6],  # 8
            [D(2026, 10, 26), "W-F", "L1", 500, 0, 6],  # 9: 12 h on an 8 h day
            [D(2026, 10, 27), "W-F", "L1", 600, 0, 6],  # 10
            [D(2026, 10, 27), "W-F", "L1", 500, 0, 6],  # 11: 12 h = 8 + 4 overtime: fine
            [D(2026, 10, 28), "W-F", "L1", 1500, 0, 5],  # 12: 300/h, 3x the standard
            [D(2026, 10, 28), "W-F", "L1", 50, 0, 2],  # 13: 25/h, 0.25x
            [D(2026, 10, 29), "W-F", "L1", 400, 100, 4],  # 14: 20% rejects
            [D(2026, 10, 30), "W-F", "L2", 400, 10, 4],  # 15: L2, W-F is on L1; 2.4% rejects: fine
            [D(2026, 10, 31), "W-F", "L1", 200, 0, 2],  # 16: Saturday, no overtime
        ],
        "出货": [
            ["出货日期", "订单号", "行号", "数量", "送货单号", "签回日期"],
            [D(2026, 11, 2), "SF", 1, 5150, "DN1", D(2026, 11, 3)],
        ],
    }


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workbook(tmp_path_factory.mktemp("fate") / "台账.xlsx", sheets())


@pytest.fixture(scope="module")
def result(ledger_path: Path) -> PlanResult:
    checked = check(ledger_path, AS_OF)
    return plan_ledger(checked.ledger, AS_OF)


def test_each_finding_at_its_cell_and_nothing_on_the_clean_rows(ledger_path: Path) -> None:
    checked = check(ledger_path, AS_OF)
    found = sorted((i.code, i.ref.sheet, i.ref.cell) for i in checked.issues)
    assert found == [
        ("closed-short", "工单", "G2"),
        ("high-defect-rate", "生产日报", "E14"),
        ("hours-over-capacity", "生产日报", "F9"),
        ("line-mismatch", "生产日报", "C15"),
        ("rate-outlier", "生产日报", "D12"),
        ("rate-outlier", "生产日报", "D13"),
        ("rest-day-report", "生产日报", "A16"),
        ("under-issued", "订单", "E2"),
        ("under-issued", "订单", "E3"),
    ]
    by_cell = {(i.code, i.ref.cell): i for i in checked.issues}
    assert by_cell[("under-issued", "E2")].message() == (
        "订单行 SA-1 数量 2000,已生产/出货 1200,在制工单余量 0,还有 800 未下工单"
    )
    assert by_cell[("under-issued", "E3")].args["active"] == "1200"
    assert by_cell[("closed-short", "G2")].message() == (
        "工单 W-A 已完成,良品 1200 少于工单数量 2000;订单行 SA-1 还有 800 未下工单"
    )
    assert by_cell[("hours-over-capacity", "F9")].message() == "产线 L1 在 2026-10-26 报工 12 小时,超过当天可用 8 小时"
    assert by_cell[("rate-outlier", "D12")].args["ratio"] == "3"
    assert by_cell[("rate-outlier", "D13")].args["ratio"] == "0.25"
    assert by_cell[("high-defect-rate", "E14")].args["share"] == "20%"
    assert by_cell[("line-mismatch", "C15")].message() == "日报产线「L2」与工单 W-F 的产线「L1」不同"
    assert by_cell[("rest-day-report", "A16")].severity.value == "info"


def test_thresholds_come_from_the_settings(tmp_path: Path) -> None:
    book = sheets()
    book["设置"] = [["项目", "值"], ["产能偏高倍数", 4], ["产能偏低倍数", "0.2"], ["不良率上限", "25%"]]
    checked = check(make_workbook(tmp_path / "l.xlsx", book), AS_OF)
    codes = {i.code for i in checked.issues}
    assert "rate-outlier" not in codes and "high-defect-rate" not in codes
    assert checked.ledger.options.defect_rate == 0.25


def test_a_bad_setting_value_is_an_issue_at_its_cell(tmp_path: Path) -> None:
    book = sheets()
    book["设置"] = [["项目", "值"], ["风险天数", "两天"], ["不良率上限", "5%"]]
    checked = check(make_workbook(tmp_path / "l.xlsx", book), AS_OF)
    bad = [(i.code, i.ref.address, i.value) for i in checked.issues if i.code == "bad-setting-value"]
    assert bad == [("bad-setting-value", "设置!B2", "两天")]
    assert checked.ledger.options.risk_days == 2  # the default


def test_order_lines_by_hand(result: PlanResult) -> None:
    fields = ["label", "uncovered_qty", "forecast_finish", "days_late", "workdays_late", "status", "reason"]
    rows = {
        r["label"]: tuple(r[f] for f in fields[1:])
        for r in result.orders[fields].to_dict("records")
    }
    assert rows == {
        "SD-1": (0.0, pd.Timestamp("2026-11-16"), 4, 2, "overdue", "capacity"),
        "SC-1": (0.0, pd.Timestamp("2026-10-30"), 6, 4, "overdue", "awaiting_shipment"),
        "SE-1": (0.0, pd.Timestamp("2026-11-26"), 6, 4, "late", "capacity"),
        "SA-1": (800.0, pd.Timestamp("2026-11-27"), -7, -5, "at_risk", "no_work_order"),
        "SB-1": (800.0, pd.Timestamp("2026-12-01"), -10, -8, "at_risk", "no_work_order"),
    } | {"SF-1": rows["SF-1"]}
    # Most urgent first, in the one severity order: overdue (most days late first),
    # late, at risk, done.
    assert list(result.orders["label"]) == ["SC-1", "SD-1", "SE-1", "SA-1", "SB-1", "SF-1"]


def test_days_late_of_unshipped_goods_grows_with_the_as_of_date(ledger_path: Path) -> None:
    ledger = check(ledger_path, AS_OF).ledger
    for days_after in range(4):
        as_of = D(2026, 11, 16 + days_after)
        sc = plan_ledger(ledger, as_of).order("SC-1")
        assert (sc["days_late"], sc["status"], sc["reason"]) == (6 + days_after, "overdue", "awaiting_shipment")


def test_required_load_by_hand(result: PlanResult) -> None:
    days = result.capacity_daily
    l1 = days[days["line"] == "L1"].set_index("date")
    required = {str(d.date()): h for d, h in l1["required_hours"].items() if h}
    assert required == {
        "2026-11-16": 36, "2026-11-17": 8, "2026-11-18": 8, "2026-11-19": 8, "2026-11-20": 8,
        "2026-12-04": 8, "2026-12-10": 4, "2026-12-11": 16,
    }
    assert l1["required_hours"].sum() == 96  # all open hours on L1
    weeks = result.capacity_weekly
    w = weeks[weeks["line"] == "L1"].set_index("week")
    assert w.loc["2026-W47", ["available_hours", "scheduled_hours", "required_hours"]].tolist() == [40, 40, 68]
    assert w.loc["2026-W47", "required_utilization"] == 1.7
    assert w.loc["2026-W47", "utilization"] == 1.0
    assert w.loc[["2026-W48", "2026-W49", "2026-W50"], "required_hours"].tolist() == [0, 8, 20]
    assert w.loc[["2026-W48", "2026-W49", "2026-W50"], "scheduled_hours"].tolist() == [40, 16, 0]


def test_overload_episode_by_hand(result: PlanResult) -> None:
    assert result.to_json()["overloads"] == [
        {
            "line": "L1", "from": "2026-11-16", "by_date": "2026-11-20", "shortfall_hours": 28,
            "items": [{"item": "P1", "qty": 2800}], "order_keys": ["SD-1", "SE-1"],
        }
    ]


def test_yield_per_work_order_and_line(result: PlanResult) -> None:
    wo = {r["wo_no"]: r for r in result.to_json()["work_orders"]}
    # W-F: 5150 good, 110 rejects.
    assert (wo["W-F"]["produced"], wo["W-F"]["rejects"], wo["W-F"]["yield"]) == (5150, 110, round(5150 / 5260, 4))
    assert wo["W-E"]["yield"] is None  # nothing reported yet
    by_line = result.line_yield.set_index("line")
    assert by_line.loc["L1", "rejects"] == 110 and by_line.loc["L1", "produced"] == 1200 + 500 + 600 + 5150


def test_work_orders_proposed_for_exactly_the_uncovered_qty(ledger_path: Path) -> None:
    from gendan_xl.documents.work_orders import pending_lines

    checked = check(ledger_path, AS_OF)
    lines, unknown, skipped = pending_lines(checked.ledger, (), checked.issues)
    assert [(r["order_no"], r["_wo_qty"], r["_supplement"]) for r in lines.to_dict("records")] == [
        ("SA", 800.0, True), ("SB", 800.0, True)
    ]
    assert unknown == [] and skipped.empty


def test_a_line_with_an_error_gets_no_work_order(tmp_path: Path) -> None:
    from gendan_xl.documents.work_orders import build_work_orders

    book = sheets()
    book["订单"][2][3] = "P9"  # SB-1's item is not on 产品: an error on its row
    checked = check(make_workbook(tmp_path / "l.xlsx", book), AS_OF)
    run = build_work_orders(
        checked.ledger, AS_OF, lambda pattern, day, n, existing, sources=None: [f"N{i}" for i in range(n)],
        problems=checked.issues,
    )
    assert [(d.order_no, d.qty, d.supplement) for d in run.docs] == [("SA", 800.0, True)]
    assert [(s.label, s.source.row) for s in run.skipped] == [("SB-1", 3)]
    assert "订单!D3" in run.skipped[0].reason and "P9" in run.skipped[0].reason


def test_the_report_shows_the_overload_in_red(ledger_path: Path, soffice: Any, tmp_path: Path) -> None:
    """产能负荷 shows L1's required load over 100% in red (W47: 68 h of 40, 170%), in
    the heat map and the chart, and LibreOffice prints it so. Over the next four weeks
    L1 needs 96 h of 160 (60%): the overview's chart has no red point."""
    import re
    import subprocess
    import zipfile

    import openpyxl
    from xlsx_lint import lint_xlsx

    from gendan_xl.cli.report import report_data, write_report_file

    checked = check(ledger_path, AS_OF)
    path = write_report_file(tmp_path / "report.xlsx", report_data(checked.ledger, checked, AS_OF), "zh")
    assert lint_xlsx(path) == []
    wb = openpyxl.load_workbook(path)
    cap = wb["产能负荷"]
    assert [c.value for c in cap[4]][:3] == ["L1", "需求负荷率", 1.7]
    rules = [r for cf in cap.conditional_formatting for r in cf.rules if r.type == "cellIs"]
    assert rules and rules[0].operator == "greaterThan" and rules[0].dxf.fill.bgColor.rgb.endswith("FFC7CE")
    # The charts colour exactly the points over 100% red: W47 of L1 on the weekly chart,
    # L1 on the overview's 4-week chart (68 + 0 + 8 + 20 = 96 h of 160: 60%, not red).
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    red = [re.findall(r"<c:dPt><c:idx val=\"(\d+)\"/>.*?C00000", c) for c in charts]
    assert sorted(map(tuple, red)) == [(), (), ("0",)]
    pdf = soffice.convert(path, "pdf", tmp_path)
    page = next(
        i for i in range(1, soffice.pdf_pages(pdf) + 1)
        if subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.lstrip().startswith("产能负荷")
    )
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page + 2), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "170.0%" in text and "超负荷" in text and "P1 × 2,800" in text
    # Rendered as a clerk sees it: the chart page has red bars (#C00000).
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page + 1), str(pdf),
                    str(tmp_path / "cap")], check=True)
    reds = sum(_red_pixels(ppm) for ppm in sorted(tmp_path.glob("cap*.ppm")))
    assert reds > 50


def _red_pixels(ppm: Path) -> int:
    """Pixels of a binary PPM (P6) that are chart red (about #C00000)."""
    import numpy as np

    data = ppm.read_bytes()
    fields = data.split(maxsplit=4)  # P6, width, height, maxval, pixels
    assert fields[0] == b"P6"
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(fields[4][: width * height * 3], dtype=np.uint8).reshape(-1, 3).astype(int)
    r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    return int(((r > 170) & (g < 40) & (b < 40)).sum())
