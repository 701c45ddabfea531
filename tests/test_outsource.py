"""外协: the optional 外协 sheet and `gendan outsource` proposals, worked out by hand.

As of Monday 2026-11-16. Line L1: 1 shift x 8 h, Monday to Friday. P1 100 pcs/h,
60 pcs a carton; P2 50 pcs/h, no carton size. No work orders: every line's quantity
is planned work, in schedule order by commitment date:

- SA-1 P1 2400 due Wed 11-18: 24 h, cum 24 -> 11-18 (on time).
- SC-1 P1 1200 due Thu 11-19: 12 h, cum 36 -> Fri 11-20 (late).
- SB-1 P2 1000 due Fri 11-20: 20 h, cum 56 -> Tue 11-24 (late).

Required load (backward, each alone): SA 8 h on 16, 17, 18; SC 8 h on 19, 4 on 18;
SB 8 h on 20 and 19, 4 on 18. Cumulative required minus available: 0, 0, 8, 16,
16, then 16 over the weekend, 8 on 11-23: one episode from 11-18, peak 16 h by Fri
11-20; its late lines SC-1 and SB-1.

Proposals, in schedule order: SC-1 must end by 11-19, cum 32 h: at most 8 h = 800
in-house, so at least 400 out; in cartons of 60: 7 cartons = 420 (6 = 360 leaves
8.4 h, cum 32.4 -> 11-20). In-house 780 = 7.8 h, cum 31.8 -> 11-19. Then SB-1 (SC's
420 out) must end by 11-20, cum 40: at most 8.2 h = 410 pieces, so 590 out (589
leaves 8.22 h -> 11-23). Together 4.2 h + 11.8 h = the episode's 16 h.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook

from gendan_xl.cli import main
from gendan_xl.engine import check
from gendan_xl.plan import plan_ledger
from gendan_xl.plan.outsource import outsourcing_proposals, proposals_json

D = date
AS_OF = D(2026, 11, 16)
OUT_HEADER = ["外协单号", "订单号", "行号", "产品编码", "数量", "发出日期", "预计回厂", "已回数量", "供应商"]


def sheets(outsourced: list[list[Any]] | None = None) -> dict[str, list[list[Any]]]:
    s: dict[str, list[list[Any]]] = {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期"],
            ["SA", 1, "ACME", "P1", 2400, D(2026, 11, 1), D(2026, 11, 18)],
            ["SB", 1, "ACME", "P2", 1000, D(2026, 11, 3), D(2026, 11, 20)],
            ["SC", 1, "BETA", "P1", 1200, D(2026, 11, 2), D(2026, 11, 19)],
        ],
        "产品": [["产品编码", "产线", "标准产能", "每箱数量", "外协供应商"],
                 ["P1", "L1", 100, 60, "协力塑胶"], ["P2", "L1", 50, None, None]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"]],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [["出货日期", "订单号", "行号", "数量"]],
    }
    if outsourced is not None:
        s["外协"] = [OUT_HEADER, *outsourced]
    return s


def _plan(path: Path, as_of: date = AS_OF) -> Any:
    checked = check(path, as_of)
    return checked, plan_ledger(checked.ledger, checked.as_of)


def test_proposals_by_hand(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "台账.xlsx", sheets())
    checked, plan = _plan(path)
    assert plan.to_json()["overloads"][0]["shortfall_hours"] == 16
    proposals = outsourcing_proposals(checked.ledger, plan)
    assert proposals_json(plan, proposals) == {
        "as_of": "2026-11-16",
        "proposals": [
            {"line": "L1", "order_key": "SC-1", "item": "P1", "qty": 420, "needed_by": "2026-11-19",
             "in_house_finish": "2026-11-19"},
            {"line": "L1", "order_key": "SB-1", "item": "P2", "qty": 590, "needed_by": "2026-11-20",
             "in_house_finish": "2026-11-20"},
        ],
    }
    assert proposals["hours"].tolist() == [4.2, 11.8]
    assert proposals["supplier"].tolist()[0] == "协力塑胶"


def test_moving_the_proposals_out_puts_every_line_on_time(tmp_path: Path, capsys: Any) -> None:
    before = make_workbook(tmp_path / "before.xlsx", sheets())
    assert main(["outsource", str(before), "--as-of", "2026-11-16", "--json"]) == 0
    proposals = json.loads(capsys.readouterr().out)["proposals"]
    rows = [
        [f"WX{n}", p["order_key"].split("-")[0], 1, p["item"], p["qty"], AS_OF, D.fromisoformat(p["needed_by"]), 0,
         "协力塑胶"]
        for n, p in enumerate(proposals, 1)
    ]
    after = make_workbook(tmp_path / "after.xlsx", sheets(rows))
    _checked, plan = _plan(after)
    orders = {o["order_no"]: o for o in plan.to_json()["orders"]}
    for p in proposals:
        o = orders[p["order_key"].split("-")[0]]
        assert o["forecast_finish"] <= p["needed_by"], o
        assert o["status"] not in ("late", "overdue"), o
    # The open 外协 pieces cover their lines: SC-1 1200 - 420, SB-1 1000 - 590 uncovered.
    assert orders["SC"]["uncovered_qty"] == 780 and orders["SB"]["uncovered_qty"] == 410
    assert plan.to_json()["overloads"] == []


def test_outsourced_lots_in_the_order_book_and_forecast(tmp_path: Path) -> None:
    # SC-1: 600 out, 200 back (good pieces count as produced), 400 open due 11-25:
    # in-house 1200 - 200 - 400 = 600 = 6 h after SA's 24 h -> cum 30 -> 11-19, so the
    # line's forecast is the later part, 11-25, late (reason 外协). SB-1's 100 out are
    # all back: produced 100, uncovered 900 = 18 h, cum 48 -> 11-23.
    path = make_workbook(tmp_path / "台账.xlsx", sheets([
        ["WX1", "SC", 1, "P1", 600, D(2026, 11, 10), D(2026, 11, 25), 200, "协力塑胶"],
        ["WX2", "SB", 1, "P2", 100, D(2026, 11, 10), D(2026, 11, 13), 100, "协力塑胶"],
    ]))
    checked, plan = _plan(path)
    book = checked.ledger.book.lines.set_index("order_no")
    assert book.loc["SC", "produced"] == 200 and book.loc["SC", "out_open"] == 400
    assert book.loc["SC", "uncovered_qty"] == 600
    assert book.loc["SB", "produced"] == 100 and book.loc["SB", "uncovered_qty"] == 900
    sc, sb = plan.order("SC-1"), plan.order("SB-1")
    assert sc["forecast_finish"] == D(2026, 11, 25) and sc["status"] == "late" and sc["reason"] == "outsourcing"
    assert sb["forecast_finish"] == D(2026, 11, 23)
    # WX2 is all back: no late-outsourcing although its date is past.
    assert not [i for i in checked.issues if i.code == "late-outsourcing"]


def test_late_return_at_its_cell_and_forecast_after_as_of(tmp_path: Path) -> None:
    # WX1 due Fri 11-13, 300 of 400 still out on Mon 11-16: late-outsourcing at 外协!G2;
    # its pieces count as back on the first working day after the as-of date, 11-17.
    # WX9 names an order that does not exist: unknown-order at 外协!B3.
    path = make_workbook(tmp_path / "台账.xlsx", sheets([
        ["WX1", "SA", 1, "P1", 400, D(2026, 11, 2), D(2026, 11, 13), 100, "协力塑胶"],
        ["WX9", "SZ", 1, "P1", 10, D(2026, 11, 2), D(2026, 11, 30), 0, "协力塑胶"],
    ]))
    checked, plan = _plan(path)
    late = [i for i in checked.issues if i.code == "late-outsourcing"]
    assert [(i.ref.sheet, i.ref.cell) for i in late] == [("外协", "G2")]
    assert "300" in late[0].message("zh") and "WX1" in late[0].message("zh")
    unknown = [i for i in checked.issues if i.code == "unknown-order"]
    assert [(i.ref.sheet, i.ref.cell) for i in unknown] == [("外协", "B3")]
    # SA-1: 2400 - 100 back - 300 open = 2000 in-house = 20 h -> 11-18; outsourced 11-17.
    assert plan.order("SA-1")["forecast_finish"] == D(2026, 11, 18)


# --- 外协申请单 ---------------------------------------------------------------------


def test_outsourcing_requests_keep_their_numbers(tmp_path: Path) -> None:
    from gendan_xl.documents.run import run_outsourcing

    path = make_workbook(tmp_path / "台账.xlsx", sheets())
    first = run_outsourcing(path, tmp_path / "out", AS_OF)
    # One form per proposal, in proposal order: SC-1 420 (7 cartons), SB-1 590.
    assert first.numbers == ["WX20261116001", "WX20261116002"]
    assert [(a.order_no, a.qty) for a in first.assignments] == [("SC", 420), ("SB", 590)]
    again = run_outsourcing(path, tmp_path / "out", AS_OF)
    assert again.numbers == first.numbers  # the same proposals: the same numbers
    only = run_outsourcing(path, tmp_path / "out", AS_OF, ["SB"], reissue=True)
    assert only.numbers == ["WX20261116003"]  # SB's voided and renumbered
    # The ledger is never touched (no write-back for this form).
    assert not list(tmp_path.glob("*.bak-*"))


@pytest.mark.libreoffice
def test_outsourcing_request_prints_on_one_a4_page(tmp_path: Path, soffice: Any) -> None:
    from xlsx_lint import lint_xlsx

    from gendan_xl.documents.run import run_outsourcing

    path = make_workbook(tmp_path / "台账.xlsx", sheets())
    out = run_outsourcing(path, tmp_path / "out", AS_OF).output
    assert out is not None and lint_xlsx(out) == []
    pdf = soffice.convert(out, "pdf", tmp_path / "pdf")
    assert soffice.pdf_pages(pdf) == 2  # two forms, one page each
    soffice.assert_cjk_embedded(pdf)
    text = soffice.pdf_text(pdf).replace(" ", "")
    for words in ("外协申请单", "WX20261116001", "SC-1", "协力塑胶", "2026-11-19", "16小时", "外协跟单员"):
        assert words in text, words
    png = soffice.png(pdf, 1)
    assert png.stat().st_size > 10_000
    keep = Path("/tmp/os/wx_page1.png")
    if keep.parent.exists():  # for a person to look at
        keep.write_bytes(png.read_bytes())


def test_report_tracks_open_lots(tmp_path: Path) -> None:
    import openpyxl

    from gendan_xl.write.report import write_report
    from gendan_xl.write.report_data import build_report_data

    # As of Mon 11-16: WX1 (SA-1) 300 of 400 still out, due Fri 11-13: 3 days late;
    # WX2 (SB-1) all back: not listed; WX3 (SC-1) 60 out, due 11-20: 4 days to go.
    path = make_workbook(tmp_path / "台账.xlsx", sheets([
        ["WX1", "SA", 1, "P1", 400, D(2026, 11, 2), D(2026, 11, 13), 100, "协力塑胶"],
        ["WX2", "SB", 1, "P2", 100, D(2026, 11, 2), D(2026, 11, 12), 100, "协力塑胶"],
        ["WX3", "SC", 1, "P1", 60, D(2026, 11, 10), D(2026, 11, 20), None, "永兴"],
    ]))
    checked, plan = _plan(path)
    out = write_report(tmp_path / "跟单报告.xlsx", build_report_data(checked.ledger, plan, checked.issues, AS_OF))
    ws = openpyxl.load_workbook(out)["外协跟踪"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[2], r[7], r[10], r[11]) for r in rows] == [
        ("WX1", "SA-1", 300, None, 3),
        ("WX3", "SC-1", 60, 4, None),
    ]
    # Without a 外协 sheet there is no such sheet.
    bare = make_workbook(tmp_path / "无外协.xlsx", sheets())
    checked, plan = _plan(bare)
    out = write_report(tmp_path / "r2.xlsx", build_report_data(checked.ledger, plan, checked.issues, AS_OF))
    assert "外协跟踪" not in openpyxl.load_workbook(out).sheetnames


def test_reprint_gives_the_same_form_and_refuses_a_voided_one(tmp_path: Path) -> None:
    import openpyxl

    from gendan_xl.documents.run import run_outsourcing, run_reprint

    path = make_workbook(tmp_path / "台账.xlsx", sheets())
    first = run_outsourcing(path, tmp_path / "out", AS_OF)
    assert first.output is not None
    again = run_reprint(["WX20261116002"], tmp_path / "reprint", path)
    assert again.output is not None and not again.warnings
    sheet = openpyxl.load_workbook(again.output)["WX20261116002"]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "SB-1" in texts and "2026-11-20" in {t[:10] for t in texts}
    run_outsourcing(path, tmp_path / "out", AS_OF, ["SB"], reissue=True)  # voids WX…002
    refused = run_reprint(["WX20261116002"], tmp_path / "reprint", path)
    assert refused.output is None and "作废" in refused.warnings[0]


def test_a_work_order_line_is_reduced_on_its_work_order(tmp_path: Path) -> None:
    # The same ledger with SC-1 on work order W-C (1200, 未开工): the schedule is the
    # same (12 h in the same place), so the proposal is the same 420, taken off W-C.
    # The 外协 row alone does not free the line (W-C still covers 1200 in-house); with
    # W-C lowered to 780 as well, SC-1 finishes 11-19, on time.
    def ledger(name: str, wo_qty: int, outsourced: list[list[Any]] | None) -> Path:
        s = sheets(outsourced)
        s["工单"] = [s["工单"][0], ["W-C", "SC", 1, "P1", wo_qty, "L1", "未开工"]]
        return make_workbook(tmp_path / name, s)

    checked, plan = _plan(ledger("a.xlsx", 1200, None))
    proposals = outsourcing_proposals(checked.ledger, plan)
    assert proposals[["order_key", "qty"]].values.tolist() == [["SC-1", 420], ["SB-1", 590]]
    lots = [["WX1", "SC", 1, "P1", 420, AS_OF, D(2026, 11, 19), 0, "协力塑胶"],
            ["WX2", "SB", 1, "P2", 590, AS_OF, D(2026, 11, 20), 0, "协力塑胶"]]
    _checked, kept = _plan(ledger("b.xlsx", 1200, lots))
    assert kept.order("SC-1")["status"] == "late"
    _checked, lowered = _plan(ledger("c.xlsx", 780, lots))
    sc, sb = lowered.order("SC-1"), lowered.order("SB-1")
    assert sc["forecast_finish"] == D(2026, 11, 19) and sc["status"] != "late"
    assert sb["forecast_finish"] == D(2026, 11, 20) and sb["status"] != "late"
