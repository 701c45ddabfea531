"""装箱单 / Packing List and the 出货计划's weight and CBM, worked out by hand.

The ledger (``sheets``), as of 2026-11-23:

产品 (per carton: pieces, 净重 kg, 毛重 kg, 箱规 cm -> m³ a carton):
- P1: 48, 9.6, 10.6, "60x40x35"   -> 0.084
- P2: 15, 6.0, 7.0, "62×56×40cm"  -> 0.13888
- P3: 100, 5.0, 5.5, "60*40*35"   -> 0.084
- P4: no 每箱数量 (blank), weights and 箱规 blank
- P5: 10, 4.0, 4.6, "60x40" (bad: two sizes) -> `bad-carton-size` at 产品!J6

送货单 SH001 (2026-11-20, ACME), cartons numbered through the whole note:
- line 1, P1 1,000 at 48: 20 full (960) + 40 left
    cartons 1-20 x 48: N.W. 20 x 9.6 = 192.00, G.W. 20 x 10.6 = 212.00, CBM 20 x 0.084 = 1.680
    carton 21 x 40:    N.W. 9.6 x 40/48 = 8.00, G.W. 8.00 + (10.6 - 9.6) = 9.00, CBM 0.084
- line 2, P2 225 at 15: exactly 15 cartons, 22-36 (箱数 written 16: disagrees, warned, 15 used)
    N.W. 15 x 6 = 90.00, G.W. 15 x 7 = 105.00, CBM 15 x 0.13888 = 2.0832 -> 2.083
- line 3, P3 250 at 100: 37-38 x 100, 39 x 50
    N.W. 10.00 / 2.50, G.W. 11.00 / 2.50 + 0.5 = 3.00, CBM 0.168 / 0.084
- totals: 21 + 15 + 3 = 39 cartons, 1,475 pcs, N.W. 192 + 8 + 90 + 10 + 2.5 = 302.50,
  G.W. 212 + 9 + 105 + 11 + 3 = 340.00, CBM 1.680 + 0.084 + 2.083 + 0.168 + 0.084 = 4.099

送货单 SH002 (2026-11-21, ACME): P4 100 (no per-carton data: blanks and a message),
P5 30 at 10 = cartons 1-3, N.W. 12.00, G.W. 13.80, CBM blank (bad 箱规), and P4 40
with 箱数 4 written = cartons 4-7 (the written count, no 每箱数量 to check it by).
A 出货 row without 送货单号 (SO3, 2026-11-22) cannot be packed: the run says so.
A return (类型 退货, TH001) is on no packing list.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import make_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from gendan_xl.cli import main
from gendan_xl.documents.packing_lists import build_packing_lists
from gendan_xl.engine import check
from gendan_xl.packing import (
    CartonSize,
    carton_count,
    carton_runs,
    parse_carton_size,
    run_weights,
    shipment_weights,
)
from gendan_xl.read import read_ledger
from gendan_xl.write.packing_book import write_packing_lists
from gendan_xl.write.report_data import shipping_days, shipping_plan

D = date
AS_OF = D(2026, 11, 23)
MARKS = "ACME\nHAMBURG\nC/NO. 1-UP\nMADE IN CHINA"


def sheets() -> dict[str, list[list[Any]]]:
    return {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "客户PO"],
            ["SO1", 1, "ACME", "P1", 1000, D(2026, 11, 1), D(2026, 11, 20), "PO-77"],
            ["SO1", 2, "ACME", "P2", 225, D(2026, 11, 1), D(2026, 11, 20), "PO-77"],
            ["SO2", 1, "ACME", "P3", 500, D(2026, 11, 2), D(2026, 11, 25), None],
            ["SO3", 1, "ACME", "P4", 100, D(2026, 11, 2), D(2026, 11, 25), None],
            ["SO4", 1, "ACME", "P5", 30, D(2026, 11, 2), D(2026, 11, 25), None],
        ],
        "产品": [
            ["产品编码", "品名", "规格", "单位", "产线", "标准产能", "每箱数量", "净重", "毛重", "箱规", "客户料号"],
            ["P1", "电饭煲上盖", "PP 白色 Φ260", "PCS", "L1", 100, 48, 9.6, 10.6, "60x40x35", "AC-001"],
            ["P2", "风扇网罩", "ABS 白色", "PCS", "L1", 100, 15, 6.0, 7.0, "62×56×40cm", None],
            ["P3", "灯罩", "PC 乳白", "PCS", "L1", 100, 100, 5.0, 5.5, "60*40*35", None],
            ["P4", "旋钮", "ABS 银色", "PCS", "L1", 100, None, None, None, None, None],
            ["P5", "把手", "PP 灰色", "PCS", "L1", 100, 10, 4.0, 4.6, "60x40", None],
        ],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"]],
        "生产日报": [["日期", "工单号", "产线", "良品数", "工时"]],
        "出货": [
            ["出货日期", "订单号", "行号", "产品编码", "数量", "箱数", "送货单号", "类型"],
            [D(2026, 11, 20), "SO1", 1, "P1", 1000, None, "SH001", None],
            [D(2026, 11, 20), "SO1", 2, "P2", 225, 16, "SH001", None],
            [D(2026, 11, 20), "SO2", 1, "P3", 250, 3, "SH001", None],
            [D(2026, 11, 21), "SO3", 1, "P4", 100, None, "SH002", None],
            [D(2026, 11, 21), "SO4", 1, "P5", 30, None, "SH002", None],
            [D(2026, 11, 22), "SO3", 1, "P4", 50, None, None, None],
            [D(2026, 11, 22), "SO1", 1, "P1", 10, None, "TH001", "退货"],
            [D(2026, 11, 21), "SO3", 1, "P4", 40, 4, "SH002", None],
        ],
        "客户": [["客户", "全称", "地址", "唛头"], ["ACME", "ACME Trading GmbH", "Hamburg", MARKS]],
        "设置": [["项目", "值"], ["公司名称", "东莞市示例塑胶制品有限公司"]],
    }


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workbook(tmp_path_factory.mktemp("packing") / "台账.xlsx", sheets())


def rows_of(line: Any) -> list[tuple[Any, ...]]:
    return [(r.cartons_label, r.per_carton, r.cartons, r.qty, r.net, r.gross, r.cbm, r.partial) for r in line.rows]


# --- 箱规 ---------------------------------------------------------------------------


@pytest.mark.parametrize("text,size", [
    ("60x40x35", (60, 40, 35)),
    ("62×56×40cm", (62, 56, 40)),
    ("60*40*35", (60, 40, 35)),
    ("60X40X35CM", (60, 40, 35)),
    ("60 x 40 x 35 (cm)", (60, 40, 35)),
    ("６０×４０×３５", (60, 40, 35)),  # full-width digits
    ("60cm×40cm×35cm", (60, 40, 35)),
    ("L60×W40×H35", (60, 40, 35)),
    ("600x400x350mm", (60, 40, 35)),
    ("0.6x0.4x0.35m", (60, 40, 35)),
    ("60.5x40x35", (60.5, 40, 35)),
])
def test_carton_size_good_forms(text: str, size: tuple[float, float, float]) -> None:
    got = parse_carton_size(text)
    assert got is not None
    assert (got.length, got.width, got.height) == pytest.approx(size)


@pytest.mark.parametrize("text", ["60x40", "60x40x35x2", "abc", "60-40-35", "60x0x35", "", "60mmx40x35cm", "60cmx40x35"])
def test_carton_size_bad_forms(text: str) -> None:
    assert parse_carton_size(text) is None


def test_cbm_of_one_carton() -> None:
    assert CartonSize(60, 40, 35).cbm == pytest.approx(0.084)  # 60 x 40 x 35 / 1e6
    assert CartonSize(62, 56, 40).cbm == pytest.approx(0.13888)


def test_bad_carton_size_is_a_warning_at_its_cell(ledger_path: Path) -> None:
    issues = [i for i in check(ledger_path, AS_OF).issues if i.code == "bad-carton-size"]
    assert [(i.ref.sheet, i.ref.cell, i.value) for i in issues] == [("产品", "J6", "60x40")]
    assert issues[0].severity == "warning"
    assert "60x40" in issues[0].message() and "长x宽x高" in issues[0].message()
    assert "L x W x H" in issues[0].message("en")


# --- carton arithmetic --------------------------------------------------------------


def test_carton_runs_and_weights_by_hand() -> None:
    # 1,000 at 48 from carton 1: 20 full (960) and carton 21 with 40.
    runs = carton_runs(1000, 48, 1)
    assert [(r.label, r.per, r.cartons, r.qty, r.partial) for r in runs] == [
        ("1-20", 48, 20, 960, False), ("21", 40, 1, 40, True)]
    size = CartonSize(60, 40, 35)
    full, part = (run_weights(r, 48, 9.6, 10.6, size) for r in runs)
    assert (full.net, full.gross, full.cbm) == (192.0, 212.0, 1.68)
    # partial: N.W. 9.6 x 40/48 = 8.00; G.W. 8.00 + tare 1.0 = 9.00; one carton's CBM
    assert (part.net, part.gross, part.cbm) == (8.0, 9.0, 0.084)
    # only 毛重 known: the partial carton's gross is prorated (10.6 x 40/48 = 8.8333 -> 8.83)
    assert run_weights(runs[1], 48, None, 10.6, None) == type(part)(None, 8.83, None)
    # the whole shipment as the 出货计划 counts it
    assert shipment_weights(1000, 48, 9.6, 10.6, size) == (21, type(part)(200.0, 221.0, 1.764))


@settings(max_examples=300, deadline=None)
@given(qty=st.integers(min_value=1, max_value=200_000), per=st.integers(min_value=1, max_value=5_000),
       first=st.integers(min_value=1, max_value=500))
def test_cartons_hold_exactly_the_quantity(qty: int, per: int, first: int) -> None:
    runs = carton_runs(qty, per, first)
    assert sum(r.qty for r in runs) == qty
    assert sum(r.cartons for r in runs) == math.ceil(qty / per) == carton_count(qty, per)
    assert runs[0].first == first and runs[-1].last == first + math.ceil(qty / per) - 1
    # consecutive, at most one partial carton, and it is the last and not empty
    assert all(a.last + 1 == b.first for a, b in itertools.pairwise(runs))
    assert [r.partial for r in runs][:-1] == [False] * (len(runs) - 1)
    assert all(0 < r.per <= per for r in runs)


@settings(max_examples=200, deadline=None)
@given(qty=st.integers(min_value=1, max_value=100_000), per=st.integers(min_value=1, max_value=2_000),
       net=st.integers(min_value=1, max_value=5_000), tare=st.integers(min_value=0, max_value=300))
def test_prorated_weights_never_exceed_full_cartons(qty: int, per: int, net: int, tare: int) -> None:
    """N.W. is prorated by pieces: the shipment's N.W. is qty x (net / per) within
    rounding; G.W. adds one tare per carton."""
    n, g = net / 100, (net + tare) / 100
    cartons, w = shipment_weights(qty, per, n, g, None)
    assert cartons is not None and w.net is not None and w.gross is not None
    assert w.net == pytest.approx(qty * n / per, abs=0.011)
    assert w.gross == pytest.approx(qty * n / per + cartons * (g - n), abs=0.011)


# --- the packing list ---------------------------------------------------------------


def test_packing_list_by_hand(ledger_path: Path) -> None:
    run = build_packing_lists(read_ledger(ledger_path, AS_OF))
    assert [d.note_no for d in run.docs] == ["SH001", "SH002"]  # TH001 is a return: none
    sh1 = run.docs[0]
    assert sh1.ship_date == D(2026, 11, 20) and sh1.customer.display_name == "ACME Trading GmbH"
    assert sh1.marks == MARKS
    l1, l2, l3 = sh1.lines
    assert (l1.item, l1.customer_item, l1.description) == ("P1", "AC-001", "电饭煲上盖 PP 白色 Φ260")
    assert rows_of(l1) == [("1-20", 48, 20, 960, 192.0, 212.0, 1.68, False),
                           ("21", 40, 1, 40, 8.0, 9.0, 0.084, True)]
    assert rows_of(l2) == [("22-36", 15, 15, 225, 90.0, 105.0, 2.083, False)]
    assert rows_of(l3) == [("37-38", 100, 2, 200, 10.0, 11.0, 0.168, False),
                           ("39", 50, 1, 50, 2.5, 3.0, 0.084, True)]
    assert (sh1.total_cartons, sh1.total_qty) == (39, 1475)
    assert (sh1.total_net, sh1.total_gross, sh1.total_cbm) == (302.5, 340.0, 4.099)
    # 箱数 16 written for 225 at 15: trusted qty and 每箱数量, warned at the row
    assert any("出货!3" in p and "箱数 16" in p and "15 箱" in p for p in run.problems)
    # 箱数 3 for 250 at 100 agrees (3 cartons): no message for row 4
    assert not any("出货!4" in p for p in run.problems)


def test_missing_data_leaves_blanks_and_says_so(ledger_path: Path) -> None:
    run = build_packing_lists(read_ledger(ledger_path, AS_OF), ["SH002"])
    (sh2,) = run.docs
    p4, p5, p4_boxed = sh2.lines
    # P4: no 每箱数量 and no 箱数: one row, quantity only
    assert rows_of(p4) == [("", None, None, 100, None, None, None, False)]
    # P5: numbering starts again at 1 on another note; 30 at 10 = 3 cartons, 4.0 / 4.6 each, no CBM
    assert rows_of(p5) == [("1-3", 10, 3, 30, 12.0, 13.8, None, False)]
    # P4 again with 箱数 4 written (出货!9): 4 full cartons 4-7 of 40 / 4 = 10 on average
    assert rows_of(p4_boxed) == [("4-7", 10, 4, 40, None, None, None, False)]
    assert any("出货!9" in p and "箱数 4 箱" in p for p in run.problems)
    assert (sh2.total_cartons, sh2.total_net, sh2.total_cbm) == (None, None, None)
    assert any("出货!5" in p and "每箱数量" in p for p in run.problems)
    assert any("出货!6" in p and "箱规" in p and "60x40" in p for p in run.problems)
    assert run.unnumbered == []  # with --note, other rows are not looked at


def test_rows_without_a_note_number_need_a_delivery_note_first(ledger_path: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["docs", "packing-lists", str(ledger_path), "--out", str(tmp_path), "--as-of", "2026-11-23"])
    out, err = capsys.readouterr()
    assert code == 1  # the missing item data are warnings
    assert "出货!7" in err and "请先开送货单" in err and "delivery-notes" in err
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["装箱单_20261123_SH001.xlsx"]
    assert "SH001" in out and "39 箱" in out and "340.00 kg" in out and "4.099 CBM" in out


def test_unknown_note_and_json(ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["docs", "packing-lists", str(ledger_path), "--note", "SH001", "SH999", "--out", str(tmp_path),
                 "--as-of", "2026-11-23", "--json"])
    got = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(n["number"], n["kind"], n["qty"]) for n in got["numbers"]] == [("SH001", "pl", 1475)]
    assert [r["row"] for r in got["numbers"][0]["rows"]] == [2, 3, 4]
    assert any("SH999" in w for w in got["warnings"])
    assert not any("出货!7" in w for w in got["warnings"])


def test_packing_list_workbook(ledger_path: Path, tmp_path: Path) -> None:
    import openpyxl

    run = build_packing_lists(read_ledger(ledger_path, AS_OF), ["SH001"])
    path = write_packing_lists(tmp_path / "装箱单.xlsx", run.docs)
    ws = openpyxl.load_workbook(path)["SH001"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] == "序号\nNo.")
    body = values[header + 1: header + 6]
    # 箱号, 每箱数量, 箱数, 数量, N.W., G.W., CBM of the five carton rows
    assert [r[4:11] for r in body] == [
        ["1-20", 48, 20, 960, 192, 212, 1.68], ["21", 40, 1, 40, 8, 9, 0.084],
        ["22-36", 15, 15, 225, 90, 105, 2.083],
        ["37-38", 100, 2, 200, 10, 11, 0.168], ["39", 50, 1, 50, 2.5, 3, 0.084],
    ]
    total = values[header + 6]
    assert total[0] == "合计 TOTAL" and total[6:11] == [39, 1475, 302.5, 340, 4.099]
    assert any(r[3] == MARKS for r in values)  # the shipping marks as written
    assert ws.print_area is not None and ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    # fitted to the width by a print scale of its own (manual page breaks need one):
    # 11 columns of 108.5 characters' width print about 216 mm wide, A4 has 190 mm
    # between the margins, so the scale is below 90% (and a one-page note has no breaks)
    assert 50 <= ws.page_setup.scale < 90 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.row_breaks.brk == []
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"  # the table header repeats on each page
    assert ws.cell(header + 3, 5).font.color.rgb.endswith("C00000")  # the partial carton in red


# --- 出货计划: weight and CBM per day ----------------------------------------------


def test_shipping_plan_weight_and_cbm_per_day(ledger_path: Path) -> None:
    """Three open lines in the window, nothing shipped or made yet:
    - 11-24: SO2 P3 500 at 100 = 5 cartons, G.W. 5 x 5.5 = 27.50, CBM 5 x 0.084 = 0.420
             SO1 P1 1,000 at 48 = 21 cartons, G.W. 212 + 9 = 221.00, CBM 21 x 0.084 = 1.764
    - 11-25: SO4 P5 30 at 10 = 3 cartons, G.W. 13.80, CBM blank (bad 箱规): missing 1
    Per day: 11-24 2 lines, 1,500 pcs, 26 cartons, 248.50 kg, 2.184 m³;
             11-25 1 line, 30 pcs, 3 cartons, 13.80 kg, no CBM, 1 line without."""
    ledger = read_ledger(ledger_path, AS_OF)
    T = pd.Timestamp
    lines = pd.DataFrame({
        "key": ["a", "b", "c"], "order_no": ["SO2", "SO1", "SO4"], "line_no": ["1", "1", "1"],
        "customer": ["ACME"] * 3, "item": ["P3", "P1", "P5"], "qty": [500.0, 1000.0, 30.0],
        "shipped": [0.0, 0.0, 0.0], "produced": [0.0, 0.0, 0.0], "status": ["on_track"] * 3,
        "forecast_finish": [T("2026-11-24"), T("2026-11-24"), T("2026-11-25")],
        "commitment_date": [T("2026-11-24"), T("2026-11-24"), T("2026-11-25")],
    })
    plan = shipping_plan(ledger, lines, AS_OF)
    assert list(zip(plan["item"], plan["cartons"], plan["weight"], plan["cbm"].fillna(-1), strict=True)) == [
        ("P1", 21, 221.0, 1.764), ("P3", 5, 27.5, 0.42), ("P5", 3, 13.8, -1)]
    days = shipping_days(plan)
    assert days.assign(ship_date=days["ship_date"].dt.date, cbm=days["cbm"].fillna(-1)).values.tolist() == [
        [D(2026, 11, 24), 2, 1500.0, 26.0, 248.5, 2.184, 0],
        [D(2026, 11, 25), 1, 30.0, 3.0, 13.8, -1, 1],
    ]
