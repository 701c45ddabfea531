"""交期变更通知 and 插单说明 on a hand-built ledger, every figure worked out by hand.

The ledger (as of Monday 2026-12-07, holidays off, both lines 1 shift x 8 h,
efficiency 1, rest Saturday and Sunday, nothing reported yet, so both lines start
on the 7th):

- L1: SO1-1 A 2400 pcs at 100/h = 24 h, due Tue 12-08: Mon, Tue, Wed -> finish
  Wed 12-09, 1 day late (延误, reason capacity); then SO3-1 C 800 = 8 h, due 12-31:
  Thu 12-10, on time.
- L2: SO2-1 B 4000 = 40 h, due Wed 12-09: Mon..Fri -> finish Fri 12-11, late; then
  SO4-1 B 800 = 8 h, due 12-10 but 回复交期 12-11 (commitment 12-11): Mon 12-14, late.

Proposed dates (送货提前期 1 working day): SO1-1 12-09 + 1 = Thu 12-10; SO2-1 Fri
12-11 + 1 = Mon 12-14 (the weekend skipped); SO4-1 Mon 12-14 + 1 = Tue 12-15.
With 送货提前期 3: SO1-1 Wed 12-09 + 3 = Mon 12-14.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook
from openpyxl import load_workbook

from gendan_xl.cli import main
from gendan_xl.documents.delay_notices import customer_reason
from gendan_xl.documents.numbers import read_journal
from gendan_xl.documents.run import run_delay_notices, run_reprint
from gendan_xl.plan import whatif
from gendan_xl.plan.rush import rush_brief
from gendan_xl.read import read_ledger

D = date
AS_OF = D(2026, 12, 7)
COMPANY = "东莞市精诚五金制品有限公司"


def sheets(lead: object = None, cap: object = None) -> dict[str, Any]:
    settings: list[list[Any]] = [["项目", "值"], ["公司名称", COMPANY], ["公司地址", "东莞市长安镇振安路 1 号"],
                                 ["公司电话", "0769-8888 0000"], ["法定节假日", "否"]]
    if lead is not None:
        settings.append(["送货提前期", lead])
    if cap is not None:
        settings.append(["每日加班上限", cap])
    return {
        "订单": [
            ["订单号", "行号", "客户", "客户PO", "产品编码", "品名", "数量", "单位", "下单日期", "交期", "回复交期"],
            ["SO1", 1, "华强", "PO-H1", "A", "五金支架", 2400, "PCS", D(2026, 12, 1), D(2026, 12, 8), None],
            ["SO2", 1, "华强", "PO-H2", "B", "铰链", 4000, "PCS", D(2026, 12, 1), D(2026, 12, 9), None],
            ["SO3", 1, "美的", "PO-M1", "C", "垫片", 800, "PCS", D(2026, 12, 1), D(2026, 12, 31), None],
            ["SO4", 1, "美的", "PO-M2", "B", "铰链", 800, "PCS", D(2026, 12, 1), D(2026, 12, 10), D(2026, 12, 11)],
        ],
        "产品": [["产品编码", "品名", "产线", "标准产能"], ["A", "五金支架", "L1", 100], ["B", "铰链", "L2", 100],
                 ["C", "垫片", "L1", 100]],
        "产线": [["产线", "班次数", "每班工时", "效率", "休息日"], ["L1", 1, 8, 1, "六,日"], ["L2", 1, 8, 1, "六,日"]],
        "客户": [["客户", "全称", "地址", "联系人", "电话"],
                 ["华强", "深圳华强电子有限公司", "深圳市福田区华强北路 1 号", "王经理", "0755-1234 5678"],
                 ["美的", "佛山美的家电有限公司", "佛山市顺德区北滘镇", "李小姐", "0757-2222 3333"]],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
                 ["WO1", "SO1", 1, "A", 2400, "L1", "未开工"], ["WO2", "SO2", 1, "B", 4000, "L2", "未开工"],
                 ["WO3", "SO3", 1, "C", 800, "L1", "未开工"], ["WO4", "SO4", 1, "B", 800, "L2", "未开工"]],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [["出货日期", "订单号", "行号", "产品编码", "数量"]],
        "设置": settings,
    }


def ledger_file(tmp_path: Path, **kw: Any) -> Path:
    return make_workbook(tmp_path / "台账.xlsx", sheets(**kw))


def test_customer_reason_words() -> None:
    # The plan's reason codes in the three words a customer is told.
    assert customer_reason("material_shortage") == "物料"
    assert customer_reason("quality") == "品质"
    for code in ("capacity", "no_work_order", "no_rate", "awaiting_shipment", None):
        assert customer_reason(code) == "产能"


def test_late_lines_proposed_dates_and_reasons(tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    result = run_delay_notices(path, tmp_path / "out", AS_OF)
    got = {(a.customer, a.number): [r.row for r in a.rows] for a in result.assignments}
    # One letter per customer, 华强 first (sorted), rows of 订单 (header row 1).
    assert got == {("华强", "JQ20261207001"): [2, 3], ("美的", "JQ20261207002"): [5]}
    from gendan_xl.documents.numbers import read_documents

    docs, _ = read_documents(tmp_path)
    h = docs["JQ20261207001"]["doc"]
    lines = [(ln["label"], ln["original_date"], ln["forecast_finish"], ln["proposed_date"], ln["reason"])
             for ln in h["lines"]]
    assert [ln["reason_code"] for ln in h["lines"]] == ["capacity", "capacity"]
    assert lines == [
        ("SO1-1", "2026-12-08", "2026-12-09", "2026-12-10", "产能"),
        ("SO2-1", "2026-12-09", "2026-12-11", "2026-12-14", "产能"),
    ]
    m = docs["JQ20261207002"]["doc"]["lines"]
    assert [(ln["label"], ln["original_date"], ln["proposed_date"]) for ln in m] == [
        ("SO4-1", "2026-12-11", "2026-12-15")
    ]
    assert h["customer"]["address"] == "深圳市福田区华强北路 1 号"
    # SO3-1 is on time: on no letter.
    assert "SO3" not in json.dumps(docs, ensure_ascii=False)


def test_lead_days_setting_counts_working_days(tmp_path: Path) -> None:
    # 送货提前期 3: SO1-1 finishes Wed 12-09; Thu, Fri, (weekend), Mon -> 12-14.
    path = ledger_file(tmp_path, lead=3)
    result = run_delay_notices(path, tmp_path / "out", AS_OF, customer="华强")
    from gendan_xl.documents.numbers import read_documents

    docs, _ = read_documents(tmp_path)
    (number,) = [a.number for a in result.assignments]
    first = docs[number]["doc"]["lines"][0]
    assert (first["label"], first["proposed_date"]) == ("SO1-1", "2026-12-14")
    # 0: the forecast finish itself.
    path0 = make_workbook(tmp_path / "zero" / "台账.xlsx", sheets(lead=0))
    run_delay_notices(path0, tmp_path / "zero", AS_OF, customer="华强")
    docs0, _ = read_documents(tmp_path / "zero")
    assert [ln["proposed_date"] for d in docs0.values() for ln in d["doc"]["lines"]] == ["2026-12-09", "2026-12-11"]


def test_same_lines_same_number_and_reissue_voids(tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    first = run_delay_notices(path, tmp_path / "out", AS_OF)
    again = run_delay_notices(path, tmp_path / "out", AS_OF)
    assert [a.number for a in again.assignments] == [a.number for a in first.assignments] == [
        "JQ20261207001", "JQ20261207002"]
    assert again.reused == ["JQ20261207001", "JQ20261207002"]
    assert again.output != first.output  # a second file, never replacing the first
    reissued = run_delay_notices(path, tmp_path / "out", AS_OF, reissue=True)
    assert [a.number for a in reissued.assignments] == ["JQ20261207003", "JQ20261207004"]
    journal = read_journal(tmp_path)
    assert {"JQ20261207001", "JQ20261207002"} <= set(journal.voided)
    # A voided number is not reprinted; a live one is.
    rp = run_reprint(["JQ20261207001", "JQ20261207003"], tmp_path / "rp", tmp_path / "台账.xlsx")
    assert rp.output is not None and "作废" in rp.warnings[0]


def _cells(path: Path) -> dict[tuple[str, str], object]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = c.value
    return out


def test_write_back_fills_only_empty_reply_dates(tmp_path: Path) -> None:
    path = ledger_file(tmp_path)
    before = _cells(path)
    result = run_delay_notices(path, tmp_path / "out", AS_OF, write_back=True)
    after = _cells(path)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    # 回复交期 is column K: SO1 (row 2) and SO2 (row 3) get their proposed dates;
    # SO4 (row 5) already has 12-11 and keeps it (a warning says so).
    assert {k: v.date() for k, v in changed.items()} == {  # type: ignore[attr-defined]
        ("订单", "K2"): D(2026, 12, 10), ("订单", "K3"): D(2026, 12, 14)}
    assert set(before) <= set(after)
    assert any("K5" in w and "2026-12-15" in w for w in result.warnings)
    assert result.write_back and result.write_back[0].cells_written == 2
    # Read again with the new commitment dates: L1 SO1-1 12-09 <= 12-10, on time. On L2 the
    # order by commitment changes: SO4-1 (12-11) now runs first, Mon 12-07; SO2-1 (12-14) runs
    # Tue..Mon 12-14, on its new date. Nothing is late: no letter.
    again = run_delay_notices(path, tmp_path / "out2", AS_OF)
    assert again.assignments == [] and again.output is None


def test_write_back_leaves_reply_dates_under_a_changed_date(tmp_path: Path) -> None:
    """SO1 gets a 变更交期 of 12-08 (it outranks 回复交期 as the commitment): SO1-1 finishes
    12-09, still late, but writing 12-10 into 回复交期 would change nothing and the line
    would be late again on the next run: K2 stays empty and a warning names the date;
    SO2 (no 变更交期) still gets its 回复交期 12-14 in K3."""
    s = sheets()
    s["订单"] = [[*row, "变更交期" if i == 0 else (D(2026, 12, 8) if i == 1 else None)]
                 for i, row in enumerate(s["订单"])]
    path = make_workbook(tmp_path / "台账.xlsx", s)
    before = _cells(path)
    result = run_delay_notices(path, tmp_path / "out", AS_OF, write_back=True)
    changed = {k: v for k, v in _cells(path).items() if before.get(k) != v}
    assert {k: v.date() for k, v in changed.items()} == {("订单", "K3"): D(2026, 12, 14)}  # type: ignore[attr-defined]
    assert any("K2" in w and "变更交期 2026-12-08" in w and "2026-12-10" in w for w in result.warnings)


def test_write_back_without_the_column_is_a_warning(tmp_path: Path) -> None:
    s = sheets()
    s["订单"] = [row[:10] for row in s["订单"]]
    s["订单"][4][9] = D(2026, 12, 11)  # SO4 due 12-11 instead of the 回复交期
    path = make_workbook(tmp_path / "台账.xlsx", s)
    before = path.read_bytes()
    result = run_delay_notices(path, tmp_path / "out", AS_OF, write_back=True)
    assert any("没有「回复交期」列" in w for w in result.warnings)
    assert path.read_bytes() == before


def test_cli_json_follows_the_docs_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger_file(tmp_path)
    code = main(["docs", "delay-notices", str(path), "--out", str(tmp_path / "out"), "--as-of", "2026-12-07",
                 "--customer", "深圳华强电子有限公司", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"output", "assignments_file", "numbers", "skipped", "written_back", "warnings", "notes"}
    (n,) = out["numbers"]
    assert (n["number"], n["kind"], n["customer"], n["qty"]) == ("JQ20261207001", "jq", "华强", 6400)
    assert [r["row"] for r in n["rows"]] == [2, 3]


# --------------------------------------------------------------------- 插单说明


def test_rush_brief_overtime_within_the_cap(tmp_path: Path) -> None:
    # Rush A x 600 (6 h) 特急 due 12-09 on L1: rush Mon 6 h; SO1-1 24 h from Mon 2 h, Tue 8, Wed 8,
    # Thu 6 -> 12-10 (was 12-09: +1 day); SO3-1 8 h Thu 2 + Fri 6 -> 12-11 (was 12-10, +1).
    # SO1-1 must finish by max(12-09 old, 12-08 due) = 12-09: it slips. SO3-1 by max(12-10, 12-31): fine.
    # Window Mon 12-07 .. Wed 12-09 = 3 working days; 30 h by Wed evening needs 10 h a day:
    # 2.0 h overtime (1.5 gives 28.5 h < 30). Total 6 h = the rush order's hours.
    ledger = read_ledger(ledger_file(tmp_path), AS_OF)
    result = whatif(ledger, "A", 600, D(2026, 12, 9), AS_OF)
    brief = rush_brief(ledger, result, "A", 600, D(2026, 12, 9))
    assert brief.finish == D(2026, 12, 7) and brief.rush_hours == 6
    pushed = {p.label: (p.before, p.after, p.delta_days, p.slips) for p in brief.pushed}
    assert pushed == {
        "SO1-1": (D(2026, 12, 9), D(2026, 12, 10), 1, True),
        "SO3-1": (D(2026, 12, 10), D(2026, 12, 11), 1, False),
    }
    ot = brief.overtime
    assert ot is not None
    assert ot.days == (D(2026, 12, 7), D(2026, 12, 8), D(2026, 12, 9))
    assert ot.hours_per_day == 2.0 and ot.total_hours == 6.0
    assert ot.normal_hours == (8.0, 8.0, 8.0)


def test_rush_brief_says_when_the_cap_is_not_enough(tmp_path: Path) -> None:
    # Rush A x 1600 (16 h): rush Mon-Tue; SO1-1 Wed-Fri -> 12-11 (+2). Window Mon-Wed, 40 h by
    # Wed evening = 13.33 h a day: 5.33 h overtime, so 5.5 in half hours. Cap 3: not possible.
    ledger = read_ledger(ledger_file(tmp_path), AS_OF)
    result = whatif(ledger, "A", 1600, D(2026, 12, 9), AS_OF)
    brief = rush_brief(ledger, result, "A", 1600, D(2026, 12, 9))
    assert brief.overtime is not None
    assert brief.overtime.hours_per_day is None and brief.overtime.still_late == ("SO1-1",)
    # Cap 6: 5.5 h (5.0 gives 39 h < 40); total 16.5 h.
    ledger6 = read_ledger(make_workbook(tmp_path / "cap6" / "台账.xlsx", sheets(cap=6)), AS_OF)
    brief6 = rush_brief(ledger6, whatif(ledger6, "A", 1600, D(2026, 12, 9), AS_OF), "A", 1600, D(2026, 12, 9))
    assert brief6.overtime is not None
    assert brief6.overtime.hours_per_day == 5.5 and brief6.overtime.total_hours == 16.5


def test_whatif_sheet_option_writes_the_brief(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger_file(tmp_path)
    target = tmp_path / "插单说明.xlsx"
    code = main(["whatif", str(path), "--item", "A", "--qty", "600", "--due", "2026-12-09",
                 "--as-of", "2026-12-07", "--sheet", str(target)])
    assert code == 0
    out = capsys.readouterr().out
    assert "每天加班 2.0 小时" in out and str(target) in out
    ws = load_workbook(target).active
    assert ws is not None
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert "SO1-1" in text and "SO3-1" in text and "紧 急 插 单 说 明" in text
    # Run again: the first file stays, the second is 插单说明(2).xlsx.
    main(["whatif", str(path), "--item", "A", "--qty", "600", "--due", "2026-12-09",
          "--as-of", "2026-12-07", "--sheet", str(target), "--json"])
    assert (tmp_path / "插单说明(2).xlsx").exists()
    assert json.loads(capsys.readouterr().out)["new"]["forecast_finish"] == "2026-12-07"


def test_ribbon_whatif_writes_the_brief_beside_the_ledger(tmp_path: Path) -> None:
    from xw_double import FakeBook

    from gendan_xl.excel.buttons import WHATIF_SHEET, dispatch
    from gendan_xl.excel.live import LiveWorkbook

    path = ledger_file(tmp_path)
    book = FakeBook.from_xlsx(path)
    live = LiveWorkbook(book)  # type: ignore[arg-type]
    dispatch(live, "whatif", AS_OF)  # first click: the input sheet with an example
    sheet = book.sheets[WHATIF_SHEET]
    inputs = {"产品编码": "A", "数量": 600, "交期": D(2026, 12, 9), "产线": None, "优先级": "特急"}
    for (r, c), v in list(sheet.cells.items()):
        if c == 1 and v in inputs:
            if inputs[v] is None:
                sheet.cells.pop((r, 2), None)
            else:
                sheet.cells[(r, 2)] = inputs[v]
    dispatch(live, "whatif", AS_OF)
    brief = tmp_path / "插单说明_20261207_A.xlsx"
    assert brief.exists() and book.app.books.opened == [str(brief)]
    assert "每天加班 2.0 小时" in book.app.alerts[-1] and brief.name in book.app.alerts[-1]


def test_settings_read_and_bad_values_fall_back(tmp_path: Path) -> None:
    ledger = read_ledger(make_workbook(tmp_path / "a" / "台账.xlsx", sheets(lead="2天", cap="2.5小时")), AS_OF)
    assert (ledger.options.delivery_lead_days, ledger.options.max_overtime_hours) == (2, 2.5)
    assert ledger.options.jq_pattern == "JQ{YYYYMMDD}{SEQ:3}"
    bad = read_ledger(make_workbook(tmp_path / "b" / "台账.xlsx", sheets(lead=-1, cap=30)), AS_OF)
    assert (bad.options.delivery_lead_days, bad.options.max_overtime_hours) == (1, 3.0)
    codes = [i.code for i in bad.issues if i.code == "bad-setting-value"]
    assert len(codes) == 2


def test_reasons_from_reported_exceptions(tmp_path: Path) -> None:
    # Friday 12-04 reports with 异常 品质 on WO2 and 欠料 on WO4 (no pieces made, so the
    # forecasts stay as above): the plan's reasons become quality and material_shortage,
    # told to the customer as 品质 and 物料; SO1-1 stays 产能.
    s = sheets()
    s["生产日报"] = [["日期", "工单号", "产线", "良品数", "工时", "异常"],
                     [D(2026, 12, 4), "WO2", "L2", 0, 1, "品质"], [D(2026, 12, 4), "WO4", "L2", 0, 1, "欠料"]]
    path = make_workbook(tmp_path / "台账.xlsx", s)
    run_delay_notices(path, tmp_path / "out", AS_OF)
    from gendan_xl.documents.numbers import read_documents

    docs, _ = read_documents(tmp_path)
    got = {ln["label"]: (ln["reason_code"], ln["reason"], ln["reason_text"], ln["proposed_date"])
           for d in docs.values() for ln in d["doc"]["lines"]}
    assert got == {
        "SO1-1": ("capacity", "产能", "产能:生产排期已满", "2026-12-10"),
        "SO2-1": ("quality", "品质", "品质:品质异常返工", "2026-12-14"),
        "SO4-1": ("material_shortage", "物料", "物料:原材料到货延迟", "2026-12-15"),
    }


def test_overdue_line_without_forecast_is_skipped_with_the_reason(tmp_path: Path) -> None:
    # SO5-1: item D has no 标准产能 (an error at its cell; the rest still plans) and was due
    # 12-01, before the as-of date: 逾期 with no forecast finish, so no date to propose.
    s = sheets()
    s["订单"].append(["SO5", 1, "华强", "PO-H5", "D", "拉手", 100, "PCS", D(2026, 11, 20), D(2026, 12, 1), None])
    s["产品"].append(["D", "拉手", "L1", None])
    path = make_workbook(tmp_path / "台账.xlsx", s)
    result = run_delay_notices(path, tmp_path / "out", AS_OF)
    assert [(what, row.row if row else None) for what, _why, row in result.skipped] == [("SO5-1", 6)]
    assert "无法排产" in result.to_json()["skipped"][0]["reason"]  # type: ignore[index]
    assert [[r.row for r in a.rows] for a in result.assignments] == [[2, 3], [5]]
