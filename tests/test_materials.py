"""Materials: one small ledger, every figure worked out by hand.

As of Monday 2026-11-16. Line L1: 1 shift x 8 h, Monday to Friday; L2 the same.
Items P1 and P2 at 100 pcs/h on L1, P3 at 100 pcs/h on L2.

BOM: P1 uses 0.1 kg of M1 (no loss); P2 uses 2 of M3 with 5% loss (2.1 a piece).
P3 has no BOM row (missing-bom at its work order's 产品编码).

物料: M1 stock 150, 采购周期 10 days; M3 stock 0, no 采购周期. (MX is not listed.)

Work orders, all 普通, in the scheduler's order (commitment date):
- WA (SA, due 11-20) P1 1000: M1 need 1000 x 0.1 = 100, 20 already issued -> 80.
- WB (SB, due 11-24) P1 1000: M1 need 100.
- WC (SC, due 11-25) P1 1000: M1 need 100.
- WD (SD, due 12-11) P2 500: M3 need 500 x 2.1 = 1050.
- WE (SE, 完成, closed) P1 500: need 50; 领料 40 then 15: running 55 > 50 x 1.03
  = 51.5 on the second row -> over-requisition at its 数量.
- WF (SF, due 12-11) P3 300 on L2: no BOM, no material constraint.

采购: PO1 S1 M1 50 due 11-20 (on time), ordered 11-05 at 10.0 while S1's price
since 11-01 is 11.0 -> price-mismatch at 单价. PO2 S1 M1 100, 40 arrived, open 60,
due 11-10 -> late 6 days, counted arriving on the first working day after the
as-of date, 11-17; ordered 10-20 at 10.0 = the price since 10-01: fine. PO3 S2
MX 10 due 11-30: unknown-material at its 物料编码.
M1 supply in use order: stock 150 (11-16), PO2 60 (11-17), PO1 50 (11-20).

Allocation of M1: WA takes 80 of stock (ready 11-16; 70 left). WB takes 70 of
stock and 30 of PO2 (ready 11-17). WC takes PO2's other 30 and PO1's 50, 20 short:
assumed ordered today, ready 11-16 + 10 days = 11-26 (later than 11-20).
M3: WD is 1050 short and M3 has no 采购周期: ready unknown (null).

Price changes: S1 M1 10.0 -> 11.0 since 11-01: +10%.

Schedule on L1 (cumulative hours from Monday 11-16, 8 a day on weekdays):
without materials WA 0-10 h (11-16..17), WB 10-20 (11-17..18), WC 20-30
(11-18..19), WD 30-35 (11-19..20). With materials: WA released 11-16 (0 h), WB
11-17 (8 h), WC 11-26 (64 h: 11-16..20 and 23..25 = 8 working days), WD unknown
(scheduled as if ready). Dispatch: WA 0-10; WB 10-20 (11-17..18); WC not yet
released, so WD 20-25 (11-18..19); idle to 64; WC 64-74: 11-26..27.
SC (due 11-25) finishes 11-27: late 2 days (26, 27), reason material_shortage.
SD finishes 11-19 but its material date is unknown: at_risk, material_shortage.
SA (11-17, due 11-20, slack 3) and SB (11-18, due 11-24, slack 4): on_track.
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


def sheets(with_materials: bool = True) -> dict[str, list[list[Any]]]:
    base: dict[str, list[list[Any]]] = {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
            ["SA", 1, "ACME", "P1", 1000, D(2026, 10, 20), D(2026, 11, 20), "正常"],
            ["SB", 1, "ACME", "P1", 1000, D(2026, 10, 20), D(2026, 11, 24), "正常"],
            ["SC", 1, "ACME", "P1", 1000, D(2026, 10, 20), D(2026, 11, 25), "正常"],
            ["SD", 1, "BETA", "P2", 500, D(2026, 10, 21), D(2026, 12, 11), "正常"],
            ["SE", 1, "BETA", "P1", 500, D(2026, 10, 1), D(2026, 11, 5), "完成"],
            ["SF", 1, "BETA", "P3", 300, D(2026, 10, 21), D(2026, 12, 11), "正常"],
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 100], ["P2", "L1", 100], ["P3", "L2", 100]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"], ["L2", 1, 8, "六,日"]],
        # A 工单号, B 订单号, C 行号, D 产品编码, E 数量, F 产线, G 状态
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
            ["WA", "SA", 1, "P1", 1000, "L1", "未开工"],
            ["WB", "SB", 1, "P1", 1000, "L1", "未开工"],
            ["WC", "SC", 1, "P1", 1000, "L1", "未开工"],
            ["WD", "SD", 1, "P2", 500, "L1", "未开工"],
            ["WE", "SE", 1, "P1", 500, "L1", "完成"],
            ["WF", "SF", 1, "P3", 300, "L2", "未开工"],  # 7
        ],
        "生产日报": [["日期", "工单号", "产线", "良品数"], [D(2026, 11, 2), "WE", "L1", 500]],
        "出货": [["出货日期", "订单号", "行号", "数量"], [D(2026, 11, 4), "SE", 1, 500]],
    }
    if not with_materials:
        return base
    return base | {
        "BOM": [
            ["产品编码", "物料编码", "用量", "损耗率"],
            ["P1", "M1", 0.1, None],
            ["P2", "M3", 2, "5%"],
        ],
        "物料": [
            ["物料编码", "物料名称", "单位", "库存", "类型", "供应商", "采购周期"],
            ["M1", "ABS 胶料", "kg", 150, "外购", "S1", 10],
            ["M3", "螺丝", "pcs", 0, "外购", "S3", None],
        ],
        # A 采购单号, B 供应商, C 物料编码, D 数量, E 单价, F 下单日期, G 预计到货, H 已到数量, I 状态
        "采购": [
            ["采购单号", "供应商", "物料编码", "数量", "单价", "下单日期", "预计到货", "已到数量", "状态"],
            ["PO1", "S1", "M1", 50, 10.0, D(2026, 11, 5), D(2026, 11, 20), 0, "未到"],  # 2
            ["PO2", "S1", "M1", 100, 10.0, D(2026, 10, 20), D(2026, 11, 10), 40, "部分到货"],  # 3
            ["PO3", "S2", "MX", 10, 5.0, D(2026, 11, 10), D(2026, 11, 30), 0, "未到"],  # 4
        ],
        # A 日期, B 工单号, C 物料编码, D 数量, E 领料部门
        "领料": [
            ["日期", "工单号", "物料编码", "数量", "领料部门"],
            [D(2026, 11, 13), "WA", "M1", 20, "注塑"],  # 2
            [D(2026, 10, 28), "WE", "M1", 40, "注塑"],  # 3
            [D(2026, 10, 30), "WE", "M1", 15, "注塑"],  # 4: running 55 > 51.5
        ],
        "供应商价格": [
            ["供应商", "物料编码", "单价", "生效日期"],
            ["S1", "M1", 10.0, D(2026, 10, 1)],
            ["S1", "M1", 11.0, D(2026, 11, 1)],
        ],
    }


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workbook(tmp_path_factory.mktemp("mat") / "台账.xlsx", sheets())


@pytest.fixture(scope="module")
def result(ledger_path: Path) -> PlanResult:
    return plan_ledger(check(ledger_path, AS_OF).ledger, AS_OF)


def test_material_findings_at_their_cells(ledger_path: Path) -> None:
    checked = check(ledger_path, AS_OF)
    found = sorted((i.code, i.ref.sheet, i.ref.cell) for i in checked.issues)
    assert found == [
        ("late-purchase", "采购", "G3"),
        ("missing-bom", "工单", "D7"),
        ("over-requisition", "领料", "D4"),
        ("price-mismatch", "采购", "E2"),
        ("unknown-material", "采购", "C4"),
    ]
    by_code = {i.code: i for i in checked.issues}
    assert by_code["over-requisition"].message() == "工单 WE 的物料 M1 累计领料 55,超出需求 50 的 3% 以上"
    assert by_code["late-purchase"].message() == "采购单 PO2 物料 M1 预计到货 2026-11-10 已过,还有 60 未到"
    assert by_code["price-mismatch"].message() == "单价 10 与供应商 S1 在下单日期 2026-11-05 有效的价格 11 不一致"


def test_materials_json_every_figure(result: PlanResult) -> None:
    assert result.materials is not None
    out = result.materials.to_json()
    assert out["as_of"] == "2026-11-16"
    assert out["requirements"] == [
        {"wo_no": "WA", "order_no": "SA", "item": "P1", "material": "M1", "need": 100, "issued": 20,
         "open_need": 80, "from_stock": 80, "from_po": [], "short": 0, "ready_date": "2026-11-16"},
        {"wo_no": "WB", "order_no": "SB", "item": "P1", "material": "M1", "need": 100, "issued": 0,
         "open_need": 100, "from_stock": 70, "from_po": [{"po_no": "PO2", "qty": 30, "date": "2026-11-17"}],
         "short": 0, "ready_date": "2026-11-17"},
        {"wo_no": "WC", "order_no": "SC", "item": "P1", "material": "M1", "need": 100, "issued": 0,
         "open_need": 100, "from_stock": 0,
         "from_po": [{"po_no": "PO2", "qty": 30, "date": "2026-11-17"},
                     {"po_no": "PO1", "qty": 50, "date": "2026-11-20"}],
         "short": 20, "ready_date": "2026-11-26"},
        {"wo_no": "WD", "order_no": "SD", "item": "P2", "material": "M3", "need": 1050, "issued": 0,
         "open_need": 1050, "from_stock": 0, "from_po": [], "short": 1050, "ready_date": None},
    ]
    assert out["purchases"] == [
        {"po_no": "PO2", "supplier": "S1", "material": "M1", "open_qty": 60, "due": "2026-11-10",
         "days_late": 6, "wo_nos": ["WB", "WC"]},
        {"po_no": "PO1", "supplier": "S1", "material": "M1", "open_qty": 50, "due": "2026-11-20",
         "days_late": 0, "wo_nos": ["WC"]},
        {"po_no": "PO3", "supplier": "S2", "material": "MX", "open_qty": 10, "due": "2026-11-30",
         "days_late": 0, "wo_nos": []},
    ]
    assert out["prices"] == [
        {"supplier": "S1", "material": "M1", "price": 11, "since": "2026-11-01", "previous": 10,
         "change_pct": 10},
    ]


def test_plan_start_dates_moved_by_material(result: PlanResult, tmp_path: Path) -> None:
    wo = {r["wo_no"]: r for r in result.to_json()["work_orders"]}
    got = {k: (wo[k]["forecast_start"], wo[k]["forecast_finish"], wo[k]["material_ready"]) for k in wo}
    assert got == {
        "WA": ("2026-11-16", "2026-11-17", "2026-11-16"),
        "WB": ("2026-11-17", "2026-11-18", "2026-11-17"),
        "WC": ("2026-11-26", "2026-11-27", "2026-11-26"),
        "WD": ("2026-11-18", "2026-11-19", None),
        "WE": (None, None, None),
        "WF": ("2026-11-16", "2026-11-16", None),
    }
    orders = {r["order_no"]: (r["status"], r["reason"], r["days_late"]) for r in result.to_json()["orders"]}
    assert orders["SC"] == ("late", "material_shortage", 2)
    assert orders["SD"][:2] == ("at_risk", "material_shortage")
    assert orders["SA"][0] == orders["SB"][0] == "on_track"

    # The same ledger without the material sheets: the order as before.
    bare = make_workbook(tmp_path / "bare.xlsx", sheets(with_materials=False))
    before = plan_ledger(check(bare, AS_OF).ledger, AS_OF)
    assert before.materials is None
    wo0 = {r["wo_no"]: (r["forecast_start"], r["forecast_finish"], r["material_ready"])
           for r in before.to_json()["work_orders"]}
    assert wo0["WC"] == ("2026-11-18", "2026-11-19", None)
    assert wo0["WD"] == ("2026-11-19", "2026-11-20", None)
    assert {r["order_no"]: r["status"] for r in before.to_json()["orders"]}["SC"] == "on_track"


def test_report_sheets_and_overview_counts(ledger_path: Path, tmp_path: Path) -> None:
    """欠料表: the three requirements not covered from stock now (WB waits for PO2,
    WC is 20 short, WD's date is unknown); 采购跟踪: the open purchases by 预计到货;
    概览: 2 work orders short (WC, WD), 1 late purchase (PO2)."""
    from openpyxl import load_workbook

    from gendan_xl.engine import report_data
    from gendan_xl.write.report import write_report

    checked = check(ledger_path, AS_OF)
    data = report_data(checked.ledger, checked, AS_OF)
    path = write_report(tmp_path / "r.xlsx", data)
    wb = load_workbook(path)
    assert wb.sheetnames[-3:] == ["欠料表", "采购跟踪", "检查结果"]
    short = [r for r in wb["欠料表"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[1], r[3], r[10], r[11], r[13]) for r in short] == [
        ("WB", "SB-1", "M1", "PO2 30", 0, None),
        ("WC", "SC-1", "M1", "PO2 30、PO1 50", 20, None),
        ("WD", "SD-1", "M3", None, 1050, "未知"),
    ]
    po = [(r[0], r[4], r[6], r[7], r[8]) for r in wb["采购跟踪"].iter_rows(min_row=4, values_only=True)]
    assert po == [("PO2", 60, 6, "WB、WC", "SB-1、SC-1"), ("PO1", 50, 0, "WC", "SC-1"), ("PO3", 10, 0, None, None)]
    overview = {r[0]: r[1] for r in wb["概览"].iter_rows(min_row=5, max_col=2, values_only=True) if r[0]}
    assert overview["欠料工单"] == 2 and overview["逾期未到采购"] == 1


def test_cli_materials_json_and_text(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from gendan_xl.cli import main

    assert main(["materials", str(ledger_path), "--as-of", "2026-11-16", "--json"]) == 1  # unknown-material
    out = json.loads(capsys.readouterr().out)
    assert [r["short"] for r in out["requirements"]] == [0, 0, 20, 1050]
    assert main(["materials", str(ledger_path), "--as-of", "2026-11-16", "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert "Late purchases" in text and "PO2" in text and "+10.00%" in text


def test_material_issue_notes(ledger_path: Path, tmp_path: Path) -> None:
    """发料通知单: one note per open work order with BOM rows, in schedule order,
    numbered FL20261116001..004; WB's note: need 100, 已领 0, 本次应发 70 (stock),
    欠料 30 (PO2, 11-17); WD's 预计到料 is unknown. The same work order gets its
    number again the same day; reprint prints the recorded note."""
    from openpyxl import load_workbook

    from gendan_xl.documents.run import run_material_issues, run_reprint

    folder = tmp_path / "l"
    folder.mkdir()
    target = folder / "台账.xlsx"
    target.write_bytes(ledger_path.read_bytes())
    result = run_material_issues(target, tmp_path, AS_OF)
    assert result.output is not None and not result.warnings
    wb = load_workbook(result.output)
    assert wb.sheetnames == ["FL20261116001", "FL20261116002", "FL20261116003", "FL20261116004"]
    ws = wb["FL20261116002"]
    assert ws["B4"].value == "WB" and ws["E4"].value == "SB-1"
    assert [c.value for c in ws[9]][:11] == ["M1", "ABS 胶料", None, "kg", 0.1, 0, 100, 0, 70, 30,
                                              ws["K9"].value]
    assert ws["K9"].value.date() == date(2026, 11, 17)
    assert wb["FL20261116004"]["K9"].value == "未知"
    # --json: each number with its work order's 工单 row (WA..WD are rows 2..5).
    numbers = result.to_json()["numbers"]
    assert [(n["number"], n["kind"], n["qty"], n["rows"][0]["sheet"], n["rows"][0]["row"]) for n in numbers] == [
        ("FL20261116001", "fl", 1000.0, "工单", 2), ("FL20261116002", "fl", 1000.0, "工单", 3),
        ("FL20261116003", "fl", 1000.0, "工单", 4), ("FL20261116004", "fl", 500.0, "工单", 5),
    ]
    again = run_material_issues(target, tmp_path, AS_OF, ["WB", "W?"])
    assert again.reused == ["FL20261116002"]
    assert [n["reused"] for n in again.to_json()["numbers"]] == [True]
    assert again.warnings == ["工单「W?」不是需要发料的未完工工单"]
    reprint = run_reprint(["FL20261116004"], tmp_path / "r", folder / "台账.xlsx")
    assert reprint.output is not None and load_workbook(reprint.output).sheetnames == ["FL20261116004"]


def test_work_order_form_has_a_material_section(tmp_path: Path) -> None:
    """A new 制造命令单 for 400 P2 lists its BOM material M3 (螺丝, pcs) at 2 x 1.05
    = 2.1 a piece: 840 in all."""
    from datetime import date as day

    from openpyxl import load_workbook

    from gendan_xl.documents.run import run_work_orders

    s = sheets()
    s["订单"].append(["SG", 1, "ACME", "P2", 400, day(2026, 11, 10), day(2026, 12, 18), "正常"])
    target = make_workbook(tmp_path / "l" / "台账.xlsx", s)
    result = run_work_orders(target, tmp_path, AS_OF)
    assert result.output is not None
    ws = load_workbook(result.output).worksheets[0]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    r = cells["M3"].row
    assert cells["用料(按 BOM,含损耗)"].row == r - 2
    assert [ws.cell(r, c).value for c in (1, 3, 6, 7, 8)] == ["M3", "螺丝", "pcs", 2.1, 840]


def test_whatif_that_takes_a_lines_material_pushes_it_never_speeds_it_up(tmp_path: Path) -> None:
    """A rush order that takes an existing work order's only material supply.

    As of Monday 11-16; line L1 8 h Mon-Fri; Q at 100 pcs/h, BOM 1 MQ a piece; MQ
    has no stock and no 采购周期; PO9 brings 100 MQ on Monday 11-23.
    Without the rush order: W1 (S1, Q 100, due 11-30) gets PO9's 100, ready 11-23,
    runs 1 h on 11-23: finish 11-23.
    With a 特急 rush of Q 100: the rush order is first in the job order and takes
    PO9's 100; W1 is 100 short with no 采购周期: no ready date. The plan schedules
    unknown material as if ready (11-16, flagged), which must not read as the rush
    order moving S1 *earlier* by 7 days: S1 is listed as pushed, short of material,
    with no new finish; and no line is ever listed with a negative delay.
    """
    from gendan_xl.plan import whatif
    from gendan_xl.plan.rush import pushed_lines

    path = make_workbook(
        tmp_path / "台账.xlsx",
        {
            "订单": [
                ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
                ["S1", 1, "ACME", "Q", 100, D(2026, 11, 2), D(2026, 11, 30), "正常"],
            ],
            "产品": [["产品编码", "产线", "标准产能"], ["Q", "L1", 100]],
            "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
            "工单": [
                ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
                ["W1", "S1", 1, "Q", 100, "L1", "未开工"],
            ],
            "BOM": [["产品编码", "物料编码", "用量"], ["Q", "MQ", 1]],
            "物料": [["物料编码", "物料名称", "单位", "库存"], ["MQ", "铜件", "pcs", 0]],
            "采购": [
                ["采购单号", "供应商", "物料编码", "数量", "下单日期", "预计到货", "已到数量"],
                ["PO9", "S9", "MQ", 100, D(2026, 11, 2), D(2026, 11, 23), 0],
            ],
        },
    )
    ledger = check(path, AS_OF).ledger
    result = whatif(ledger, "Q", 100, D(2026, 11, 20), AS_OF)
    before = result.before.orders.set_index("key")
    assert before.loc["S1#1", "forecast_finish"] == pd.Timestamp(2026, 11, 23)
    assert result.new["forecast_finish"] == D(2026, 11, 23)  # PO9 is the rush order's now
    moved = result.moved.set_index("key")
    assert list(moved.index) == ["S1#1"]
    assert bool(moved.loc["S1#1", "material_lost"])
    assert pd.isna(moved.loc["S1#1", "after"]) and pd.isna(moved.loc["S1#1", "delta_days"])
    assert not (result.moved["delta_days"].dropna() < 0).any()
    (pushed,) = pushed_lines(result)
    assert pushed.material_lost and pushed.after is None and pushed.slips
    assert result.to_json()["moved"][0]["material_lost"] is True
