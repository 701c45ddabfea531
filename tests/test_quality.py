"""Quality holds (品质异常): rework, scrap and concession change the forecast as worked
out by hand.

As of Monday 2026-11-16. Line L1: 1 shift x 8 h, Monday to Friday (no statutory
holiday in these weeks). Item P1 100 pcs/h on L1 (no report carries hours: the
standard rate is used). Risk days 2 (default).

Order lines (both 普通):
- SA-1 P1 2000 due Fri 11-20, work order W-A 2000 on L1;
- SB-1 P1 800 due Fri 12-04, work order W-B 800 未开工 (8 h).

Base (W-A 生产中, 1000 good reported on 11-12): W-A balance 1000 = 10 h: 8 h on
11-16, 2 h on 11-17 -> SA-1 finishes 11-17; W-B takes hours 10-18 -> 11-18.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from helpers import make_workbook
from hypothesis import given
from hypothesis import strategies as st
from lo import Soffice
from test_plan_props import PROPS, ledgers
from xlsx_lint import lint_xlsx

from gendan_xl import cli
from gendan_xl.cli.report import report_data, write_report_file
from gendan_xl.engine import check
from gendan_xl.ledger import ROW, Ledger, Source, make_table
from gendan_xl.plan import PlanResult, plan_ledger

D = date
AS_OF = D(2026, 11, 16)
QUALITY_HEADER = ["日期", "工单号", "问题", "处理", "数量", "预计完成", "结案日期"]


def sheets(quality: list[list[Any]] | None = None, closed: bool = False) -> dict[str, Any]:
    """The ledger; ``closed``: W-A is 完成 with all 2000 reported good (11-12, 11-13)."""
    reports = (
        [[D(2026, 11, 12), "W-A", "L1", 1000, 0], [D(2026, 11, 13), "W-A", "L1", 1000, 0]]
        if closed
        else [[D(2026, 11, 12), "W-A", "L1", 1000, 0]]
    )
    out: dict[str, Any] = {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
            ["SA", 1, "ACME", "P1", 2000, D(2026, 11, 2), D(2026, 11, 20), "正常"],
            ["SB", 1, "ACME", "P1", 800, D(2026, 11, 3), D(2026, 12, 4), "正常"],
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 100]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
            ["W-A", "SA", 1, "P1", 2000, "L1", "完成" if closed else "生产中"],
            ["W-B", "SB", 1, "P1", 800, "L1", "未开工"],
        ],
        "生产日报": [["日期", "工单号", "产线", "良品数", "不良数"], *reports],
        "出货": [["出货日期", "订单号", "行号", "数量"]],
    }
    if quality is not None:
        # A 日期, B 工单号, C 问题, D 处理, E 数量, F 预计完成, G 结案日期
        out["品质异常"] = [QUALITY_HEADER, *quality]
    return out


def plan_of(tmp_path: Path, quality: list[list[Any]] | None = None, closed: bool = False) -> PlanResult:
    path = make_workbook(tmp_path / "台账.xlsx", sheets(quality, closed))
    checked = check(path, AS_OF)
    assert not [i for i in checked.issues if i.severity == "error"], checked.issues
    return plan_ledger(checked.ledger, AS_OF)


def facts(result: PlanResult, label: str) -> tuple[Any, ...]:
    o = result.order(label)
    return o["produced"], o["balance"], o["uncovered_qty"], o["forecast_finish"], o["status"], o["reason"]


def wo_dates(result: PlanResult, wo_no: str) -> tuple[Any, Any]:
    row = result.work_orders[result.work_orders["wo_no"] == wo_no].iloc[0]
    return row["forecast_start"].date(), row["forecast_finish"].date()


def test_without_the_sheet(tmp_path: Path) -> None:
    r = plan_of(tmp_path)
    assert facts(r, "SA-1") == (1000, 1000, 0, D(2026, 11, 17), "on_track", None)
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 18)


def test_open_rework_is_out_of_good_output_and_planned_from_its_date(tmp_path: Path) -> None:
    """返工 300, 预计完成 Wed 11-25, open: produced 1000 - 300 = 700, balance 1300.
    W-A's fresh 1000 (10 h) runs 11-16 .. 11-17; W-B is not held back (hours 10-18,
    11-18); the rework's 3 h may start only on 11-25 (the line stands idle before):
    SA-1 finishes 11-25, 5 calendar days after 11-20, late, reason quality."""
    r = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "缩水", "返工", 300, D(2026, 11, 25), None]])
    assert facts(r, "SA-1") == (700, 1300, 0, D(2026, 11, 25), "late", "quality")
    assert r.order("SA-1")["days_late"] == 5
    assert wo_dates(r, "W-A") == (D(2026, 11, 16), D(2026, 11, 25))
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 18)


def test_plan_json_gives_reason_quality(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_workbook(
        tmp_path / "台账.xlsx", sheets([[D(2026, 11, 13), "W-A", "缩水", "返工", 300, D(2026, 11, 25), None]])
    )
    code = cli.main(["plan", str(path), "--as-of", AS_OF.isoformat(), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    sa = next(o for o in data["orders"] if o["order_no"] == "SA")
    assert (sa["status"], sa["reason"], sa["forecast_finish"], sa["produced"]) == (
        "late", "quality", "2026-11-25", 700
    )


@pytest.mark.parametrize("expected", [None, D(2026, 11, 10)], ids=["blank", "past"])
def test_rework_without_a_future_date_starts_at_the_as_of_date(tmp_path: Path, expected: date | None) -> None:
    """Blank or past 预计完成: released on the as-of date. W-A: 1000 + 300 = 13 h, 8 h
    on 11-16 and 5 h on 11-17 -> 11-17; W-B hours 13-21 -> 11-18 (5 h). SA-1 has 3
    working days of slack (11-18, 19, 20 > 2): on track, so no reason."""
    r = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "缩水", "返工", 300, expected, None]])
    assert facts(r, "SA-1") == (700, 1300, 0, D(2026, 11, 17), "on_track", None)
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 18)


def test_closed_rework_is_back_to_normal(tmp_path: Path) -> None:
    """结案日期 11-13: the 300 are good again: as without the sheet."""
    r = plan_of(tmp_path, [[D(2026, 11, 12), "W-A", "缩水", "返工", 300, D(2026, 11, 25), D(2026, 11, 13)]])
    assert facts(r, "SA-1") == (1000, 1000, 0, D(2026, 11, 17), "on_track", None)
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 18)


def test_concession_is_recorded_only(tmp_path: Path) -> None:
    r = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "色差", "让步接受", 300, None, None]])
    assert facts(r, "SA-1") == (1000, 1000, 0, D(2026, 11, 17), "on_track", None)
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 18)


def test_scrap_reduces_good_output_for_good(tmp_path: Path) -> None:
    """报废 800, closed on 11-13 (closing does not bring scrap back): produced 200,
    balance 1800 = 18 h on the open W-A: 11-16 8, 11-17 8, 11-18 2 -> 11-18 (2
    working days of slack: at risk, capacity); W-B hours 18-26 -> 11-19."""
    r = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "压伤", "报废", 800, None, D(2026, 11, 13)]])
    assert facts(r, "SA-1") == (200, 1800, 0, D(2026, 11, 18), "at_risk", "capacity")
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 19)


def test_scrap_on_a_closed_work_order_becomes_uncovered(tmp_path: Path) -> None:
    """W-A 完成 with 2000 good; 报废 300: produced 1700, W-A is closed so the 300
    replacement pieces are uncovered (3 h of planned work, 11-16); W-B hours 3-11 ->
    11-17. SA-1 is at risk (uncovered): open item -> quality, once closed ->
    no_work_order."""
    open_scrap = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "压伤", "报废", 300, None, None]], closed=True)
    assert facts(open_scrap, "SA-1") == (1700, 300, 300, D(2026, 11, 16), "at_risk", "quality")
    assert open_scrap.order("SB-1")["forecast_finish"] == D(2026, 11, 17)
    done = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "压伤", "报废", 300, None, D(2026, 11, 14)]], closed=True)
    assert facts(done, "SA-1") == (1700, 300, 300, D(2026, 11, 16), "at_risk", "no_work_order")


def test_rework_on_a_closed_work_order_stays_covered(tmp_path: Path) -> None:
    """W-A 完成 with 2000 good; 返工 300 open until 11-25: produced 1700, the 300 are
    covered by W-A (not uncovered) and planned on L1 from 11-25 (3 h) -> late."""
    r = plan_of(tmp_path, [[D(2026, 11, 13), "W-A", "缩水", "返工", 300, D(2026, 11, 25), None]], closed=True)
    assert facts(r, "SA-1") == (1700, 300, 0, D(2026, 11, 25), "late", "quality")
    # W-B runs from the start: 8 h on 11-16.
    assert r.order("SB-1")["forecast_finish"] == D(2026, 11, 16)


def test_reader_checks(tmp_path: Path) -> None:
    """An unknown 工单号 is unknown-work-order at its cell; a 处理 outside the three
    choices is bad-choice; a zero 数量 is non-positive-qty."""
    path = make_workbook(tmp_path / "台账.xlsx", sheets([
        [D(2026, 11, 13), "W-X", "缩水", "返工", 300, None, None],  # row 2
        [D(2026, 11, 13), "W-A", "缩水", "挑选", 300, None, None],  # row 3
        [D(2026, 11, 13), "W-A", "缩水", "报废", 0, None, None],  # row 4
    ]))
    found = {(i.code, i.ref.sheet, i.ref.cell) for i in check(path, AS_OF).issues}
    assert ("unknown-work-order", "品质异常", "B2") in found
    assert ("bad-choice", "品质异常", "D3") in found
    assert ("non-positive-qty", "品质异常", "E4") in found


# --- the report sheet ------------------------------------------------------------------

REPORT_ROWS = [
    [D(2026, 11, 13), "W-A", "缩水", "返工", 300, D(2026, 11, 25), None],  # open
    [D(2026, 11, 9), "W-A", "压伤", "报废", 100, None, D(2026, 11, 12)],
    [D(2026, 11, 12), "W-A", "色差", "让步接受", 50, None, D(2026, 11, 13)],
]


def make_report(tmp_path: Path, quality: list[list[Any]] | None, lang: str = "zh") -> Path:
    path = make_workbook(tmp_path / "台账.xlsx", sheets(quality))
    checked = check(path, AS_OF)
    data = report_data(checked.ledger, checked, AS_OF)
    return write_report_file(tmp_path / f"report_{lang}.xlsx", data, lang)  # type: ignore[arg-type]


def dates_as_text(row: tuple[Any, ...]) -> list[Any]:
    return [v.date().isoformat() if hasattr(v, "date") else v for v in row]


def test_report_sheet(tmp_path: Path) -> None:
    """W-A reported 1000 good; open 返工 300 and 报废 100: produced 600, balance 1400:
    fresh 1100 (11 h: 11-16 8 h, 11-17 3 h), W-B 8 h to 11-18, the rework's 3 h on
    11-25: SA-1 late by 5 days, reason quality. Open first, then closed ones latest
    first; days open to the as-of date (11-13 -> 11-16: 3) or to 结案日期
    (11-09 -> 11-12: 3; 11-12 -> 11-13: 1)."""
    path = make_report(tmp_path, REPORT_ROWS)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-2:] == ["品质异常", "检查结果"]
    ws = wb["品质异常"]
    assert ws["A1"].value == "品质异常"
    assert "未结案 1 项,已结案 2 项" in ws["A2"].value
    rows = [dates_as_text(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert rows[0] == [
        "日期", "工单号", "订单行", "客户", "产品编码", "问题", "处理", "数量", "预计完成", "结案日期", "已开天数",
        "承诺交期", "预计完工", "延误天数", "订单行状态", "原因", "对交期的影响",
    ]
    assert rows[1:] == [
        ["2026-11-13", "W-A", "SA-1", "ACME", "P1", "缩水", "返工", 300, "2026-11-25", None, 3,
         "2026-11-20", "2026-11-25", 5, "将延误", "品质异常", "300 件不计良品,2026-11-25 起在 L1 重新排产"],
        ["2026-11-12", "W-A", "SA-1", "ACME", "P1", "色差", "让步接受", 50, None, "2026-11-13", 1,
         "2026-11-20", "2026-11-25", 5, "将延误", "品质异常", "只记录,数量不变"],
        ["2026-11-09", "W-A", "SA-1", "ACME", "P1", "压伤", "报废", 100, None, "2026-11-12", 3,
         "2026-11-20", "2026-11-25", 5, "将延误", "品质异常", "良品减少 100 件,补产计入工单未完成数"],
    ]
    # The open item of a late line is red, the closed ones plain.
    assert ws["A4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A5"].fill.fgColor.rgb in ("00000000", None) or not ws["A5"].fill.fill_type
    # A4 landscape, one page wide, header row repeated.
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 wide (the default), any tall
    assert ws.print_title_rows == "$3:$3"
    assert lint_xlsx(path) == []


def test_report_without_the_sheet_has_no_quality_sheet(tmp_path: Path) -> None:
    assert "品质异常" not in openpyxl.load_workbook(make_report(tmp_path, None)).sheetnames


def test_report_sheet_in_english(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(make_report(tmp_path, REPORT_ROWS, "en"))["Quality holds"]
    first = next(dates_as_text(r) for r in ws.iter_rows(min_row=4, max_row=4, values_only=True))
    assert first[6] == "rework" and first[16] == "300 pcs out of good output, planned again on L1 from 2026-11-25"
    assert (first[14], first[15]) == ("late", "quality")


def test_report_sheet_prints(tmp_path: Path, soffice: Soffice) -> None:
    """LibreOffice prints the 品质异常 sheet on one A4 landscape page width: its
    first and last column headers are on its page."""
    path = make_report(tmp_path, REPORT_ROWS)
    pdf = soffice.convert(path, "pdf", tmp_path)
    soffice.assert_cjk_embedded(pdf)
    pages = soffice.pdf_pages(pdf)
    texts = [
        subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for i in range(1, pages + 1)
    ]
    page = next(i for i, t in enumerate(texts, 1) if t.lstrip().startswith("品质异常"))
    text = texts[page - 1]
    assert "日期" in text and "对交期的影响" in text and "300 件不计良品" in text
    png = soffice.png(pdf, page)
    assert png.stat().st_size > 10_000


# --- invariants on random ledgers (hypothesis) -------------------------------------------


def _with_quality(ledger: Ledger, rows: list[dict[str, Any]]) -> Ledger:
    df = pd.DataFrame(rows)
    for column in ("date", "expected", "closed_date"):
        df[column] = pd.to_datetime(df[column])
    df[ROW] = np.arange(2, len(df) + 2, dtype=np.int64)
    tables = dict(ledger.tables)
    tables["quality"] = make_table("quality", [(df, Source("mem.xlsx", "品质异常", {}))])
    return Ledger(ledger.name, tables)


@st.composite
def quality_cases(draw: st.DrawFn) -> tuple[Ledger, date, list[dict[str, Any]]]:
    """A random ledger (test_plan_props) and up to four 品质异常 rows on its work orders."""
    ledger, as_of = draw(ledgers())
    wos = ledger["work_orders"]["wo_no"].dropna().astype(str).tolist()
    if not wos:
        return ledger, as_of, []
    rows = [
        {
            "date": as_of - timedelta(days=draw(st.integers(0, 10))),
            "wo_no": draw(st.sampled_from(wos)),
            "action": draw(st.sampled_from(["返工", "让步接受", "报废"])),
            "qty": float(draw(st.integers(1, 3000))),
            "expected": (as_of + timedelta(days=draw(st.integers(-5, 30)))) if draw(st.booleans()) else None,
            "closed_date": as_of if draw(st.booleans()) else None,
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    return ledger, as_of, rows


def _fate(result: PlanResult, reason: bool = True) -> list[tuple[Any, ...]]:
    o = result.orders.sort_values("key")
    reasons = o["reason"] if reason else [None] * len(o)
    return list(zip(o["key"], o["forecast_finish"], o["status"], reasons, o["produced"], strict=True))


@PROPS
@given(quality_cases())
def test_invariants_on_random_ledgers(case: tuple[Ledger, date, list[dict[str, Any]]]) -> None:
    """On random ledgers with random 品质异常 rows:
    - 让步接受 rows and closed 返工 rows change no order line's quantities, forecast
      or status, and when all of them are closed not its reason either (an open
      让步接受 is an open item: reason quality where a reason is given);
    - an order line with an open rework job finishes no earlier than its release
      day (预计完成, or the as-of date);
    - open rework and scrap never make any forecast earlier than without them."""
    ledger, as_of, rows = case
    if not rows:
        return
    base = plan_ledger(ledger, as_of)
    neutral = [r for r in rows if r["action"] == "让步接受" or (r["action"] == "返工" and r["closed_date"])]
    if neutral:
        all_closed = all(r["closed_date"] for r in neutral)
        same = plan_ledger(_with_quality(ledger, neutral), as_of)
        assert _fate(same, all_closed) == _fate(base, all_closed)
    held = _with_quality(ledger, rows)
    after = plan_ledger(held, as_of)
    wo = held.book.work_orders
    rework = wo[wo["rework_balance"] > 0]
    by_key = after.orders.set_index("key")
    for key, release in zip(rework["key"], rework["rework_release"], strict=True):
        if key is None or key not in by_key.index:
            continue
        finish = by_key.loc[key, "forecast_finish"]
        if pd.notna(finish):
            assert finish >= max(release, pd.Timestamp(as_of)) if pd.notna(release) else finish >= pd.Timestamp(as_of)
    before = base.orders.set_index("key")["forecast_finish"]
    now = after.orders.set_index("key")["forecast_finish"].reindex(before.index)
    earlier = (now < before) & before.notna()
    assert not earlier.any(), after.orders[after.orders["key"].isin(before.index[earlier])]


def test_report_sheet_with_an_unknown_work_order(tmp_path: Path) -> None:
    """A hold on a work order nobody issued matches no order line: the sheet still
    lists it (no order-line figures), and says it changes nothing."""
    path = make_workbook(tmp_path / "台账.xlsx", sheets([[D(2026, 11, 13), "W-X", "缩水", "返工", 300, None, None]]))
    checked = check(path, AS_OF)
    out = write_report_file(tmp_path / "report.xlsx", report_data(checked.ledger, checked, AS_OF), "zh")
    row = next(openpyxl.load_workbook(out)["品质异常"].iter_rows(min_row=4, max_row=4, values_only=True))
    assert (row[1], row[2], row[10], row[13], row[16]) == ("W-X", None, 3, None, "工单不在工单表中,不影响排产")
