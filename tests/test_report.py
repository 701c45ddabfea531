"""The report workbook (`gendan report`): sheets, rows and values from a small
ledger worked out by hand, Excel-native layout and print settings, text that
stays text, and the real client: LibreOffice opens it, recalculates its totals
to the same values, and prints every sheet one page wide with Chinese embedded."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import make_workbook
from lo import Soffice
from snapshot import assert_snapshot
from xlsx_lint import lint_xlsx

from gendan_xl import cli
from gendan_xl.cli.report import report_data, write_report_file
from gendan_xl.demo.run import demo_report, demo_steps
from gendan_xl.engine import check
from gendan_xl.write.report import SHEET_NAMES, report_name

AS_OF = date(2026, 11, 26)  # a Thursday
D = date
INJECTION = '=HYPERLINK("http://example.com","click")'

# SO1 overdue (400 of 1000 made), SO2 due tomorrow (at risk), SO3 far from its date
# but with no work order (at risk: never on track while pieces have none), SO4 / SO5 / SO7 fully shipped (OTD only), SO6 cancelled
# with a bad qty (one check error). Line L1: 8 h a day, Monday to Friday.
LEDGER: dict[str, list[list[Any]]] = {
    "订单": [
        ["订单号", "行号", "客户", "客户PO", "产品编码", "品名", "数量", "下单日期", "交期", "优先级", "状态"],
        ["SO1", 1, "ACME", "PO-1", "P1", "上盖", 1000, D(2026, 11, 1), D(2026, 11, 20), "普通", "正常"],
        ["SO2", 1, "ACME", "PO-2", "P2", "底座", 400, D(2026, 11, 10), D(2026, 11, 27), "普通", "正常"],
        ["SO3", 1, INJECTION, "=1+1", "P1", "上盖", 500, D(2026, 11, 12), D(2026, 12, 31), "普通", "正常"],
        ["SO4", 1, "BETA", "PO-4", "P1", "上盖", 300, D(2026, 10, 1), D(2026, 11, 10), "普通", "正常"],
        ["SO5", 1, "BETA", "PO-5", "P2", "底座", 100, D(2026, 9, 1), D(2026, 10, 15), "普通", "正常"],
        ["SO6", 1, "BETA", "PO-6", "P2", "底座", "abc", D(2026, 11, 1), D(2026, 12, 1), "普通", "取消"],
        ["SO7", 1, "ACME", "PO-7", "P1", "上盖", 200, D(2026, 11, 1), D(2026, 11, 25), "普通", "正常"],
    ],
    "产品": [
        ["产品编码", "品名", "产线", "标准产能", "每箱数量", "毛重"],
        ["P1", "上盖", "L1", 100, 50, 12.5],
        ["P2", "底座", "L1", 50, 20, 8],
    ],
    "产线": [["产线", "班次数", "每班工时", "效率", "休息日"], ["L1", 1, 8, 1, "六,日"]],
    "工单": [
        ["工单号", "订单号", "行号", "产品编码", "数量", "产线"],
        ["W1", "SO1", 1, "P1", 1000, "L1"],
        ["W2", "SO2", 1, "P2", 400, "L1"],
        ["W4", "SO4", 1, "P1", 300, "L1"],
        ["W5", "SO5", 1, "P2", 100, "L1"],
        ["W7", "SO7", 1, "P1", 200, "L1"],
    ],
    "生产日报": [
        ["日期", "工单号", "产线", "良品数", "工时"],
        [D(2026, 11, 20), "W1", "L1", 400, 4],
        [D(2026, 11, 5), "W4", "L1", 300, 3],
        [D(2026, 10, 12), "W5", "L1", 100, 2],
        [D(2026, 11, 23), "W7", "L1", 200, 2],
    ],
    "出货": [
        ["出货日期", "订单号", "行号", "数量", "箱数", "送货单号", "签回日期"],
        [D(2026, 11, 9), "SO4", 1, 300, 6, "DN-1", D(2026, 11, 12)],
        [D(2026, 10, 20), "SO5", 1, 100, 5, "DN-2", None],
        [D(2026, 11, 24), "SO7", 1, 200, 4, "DN-3", None],
    ],
}
SHEETS_ZH = ["概览", "交期预警", "工单进度", "产能负荷", "出货计划", "回单跟踪", "准时交货率", "检查结果"]
SHEETS_EN = ["Overview", "Due-date alerts", "Work orders", "Line load", "Shipping plan",
             "Signed copies", "On-time delivery", "Issues"]


def write_ledger(path: Path, sheets: dict[str, list[list[Any]]] = LEDGER) -> Path:
    """The ledger above; cells starting with '=' are stored as text, as a clerk
    typing '=...' into a text-formatted cell would leave them."""
    make_workbook(path, sheets)
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ledger(tmp_path_factory.mktemp("ledger") / "台账.xlsx")


def make_report(ledger_path: Path, out: Path, lang: str = "zh") -> Path:
    checked = check(ledger_path, AS_OF)
    data = report_data(checked.ledger, checked, AS_OF)
    return write_report_file(out, data, lang)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report(ledger_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_report(ledger_path, tmp_path_factory.mktemp("out") / report_name(AS_OF))


@pytest.fixture(scope="module")
def book(report: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report)


def table(ws: Any, header_row: int, columns: int | None = None) -> list[list[Any]]:
    """Rows below ``header_row`` (1-based) up to the first blank row, as values
    (datetimes as dates)."""
    out = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in row):
            break
        vals = [v.date() if isinstance(v, datetime) else v for v in row[:columns]]
        out.append(vals)
    return out


def colour_rules(ws: Any) -> dict[tuple[str, str], str]:
    """Formula conditional formats: (range, formula) -> fill colour (RGB)."""
    out = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            if rule.type == "expression":
                out[(str(cf.sqref), rule.formula[0])] = rule.dxf.fill.bgColor.rgb[-6:]
    return out


def canonical(ws: Any) -> list[list[Any]]:
    """A sheet as [cell, value, number format] for every non-empty cell."""
    out = []
    for row in ws.iter_rows():
        for c in row:
            if c.value is None:
                continue
            value = c.value.date().isoformat() if isinstance(c.value, datetime) else c.value
            out.append([c.coordinate, value, c.number_format])
    return out


# --- content ----------------------------------------------------------------------------


def test_sheets_in_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS_ZH
    assert [SHEET_NAMES[k]["zh"] for k in SHEET_NAMES] == SHEETS_ZH[:-1]


def test_alerts_open_lines_by_severity(book: openpyxl.Workbook) -> None:
    ws = book["交期预警"]
    assert [c.value for c in ws[3]] == [
        "订单号", "行号", "客户", "客户PO", "产品编码", "品名", "产线", "优先级", "数量", "已生产", "已出货",
        "未完成", "未下工单", "承诺交期", "预计完工", "延误天数", "余量(工作日)", "状态", "原因",
    ]
    rows = table(ws, 3)
    # Done (SO4, SO5, SO7) and cancelled (SO6) lines are not listed.
    assert [r[0] for r in rows] == ["SO1", "SO2", "SO3"]
    # 延误天数 only where a line is late, 余量 (working days of slack) only where it is not;
    # 未下工单 only where pieces have no work order.
    assert rows[0] == ["SO1", "1", "ACME", "PO-1", "P1", "上盖", "L1", "普通", 1000, 400, 0, 600, None,
                       D(2026, 11, 20), D(2026, 11, 26), 6, None, "已逾期", "产能不足"]
    assert rows[1][11:] == [400, None, D(2026, 11, 27), D(2026, 11, 27), None, 0, "有风险", "产能不足"]
    # SO3: 500 with no work order, 5 h after SO1 and SO2 -> Monday 11-30; 23 working days
    # of December before its date.
    assert rows[2][11:] == [500, 500, D(2026, 12, 31), D(2026, 11, 30), None, 23, "有风险", "未下工单"]
    # Whole rows coloured by status (conditional formats on the status column).
    rules = colour_rules(ws)
    assert rules[("A4:S6", '$R4="已逾期"')] == "FFC7CE"
    assert rules[("A4:S6", '$R4="有风险"')] == "FFEB9C"
    assert rules[("A4:S6", '$R4="将延误"')] == "FCE4D6"
    assert ws["N4"].number_format == "yyyy-mm-dd"
    assert ws["I4"].number_format == "#,##0"


def test_ledger_text_stays_text(book: openpyxl.Workbook) -> None:
    ws = book["交期预警"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "SO3")
    assert row[2].value == INJECTION and row[2].data_type == "s"
    assert row[3].value == "=1+1" and row[3].data_type == "s"


def test_work_orders(book: openpyxl.Workbook) -> None:
    rows = table(book["工单进度"], 3)
    # Only work orders with something left to make, earliest forecast first.
    assert [r[0] for r in rows] == ["W1", "W2"]
    # qty, made, balance, done, rejects, 良率, rate, its source
    assert rows[0][7:15] == [1000, 400, 600, 0.4, 0, 1.0, 100, "标准"]
    assert book["工单进度"]["K4"].number_format == "0.0%"


def test_shipping_plan_with_cartons_weight_and_totals(book: openpyxl.Workbook) -> None:
    ws = book["出货计划"]
    rows = table(ws, 3)
    body, total = rows[:-1], rows[-1]
    assert [r[2] for r in body] == ["SO1", "SO2", "SO3"]
    # to ship, ready now, pcs per carton, cartons, gross weight (cartons x 毛重)
    assert [r[9:14] for r in body] == [
        [1000, 400, 50, 20, 250],
        [400, 0, 20, 20, 160],
        [500, 0, 50, 10, 125],
    ]
    assert total[0] == "合计"
    # no 箱规 on this ledger's 产品 sheet: the CBM column is blank, its total 0
    assert [r[14] for r in body] == [None, None, None]
    assert total[9:15] == ["=SUM(J4:J6)", "=SUM(K4:K6)", None, "=SUM(M4:M6)", "=SUM(N4:N6)", "=SUM(O4:O6)"]
    assert ws.auto_filter.ref == "A3:P6"  # the total row stays out of the filter
    # Per day, under the table (row 9 its caption, 10 its header): each planned ship
    # date's lines, pieces, cartons and gross kg add up to the table's 50 cartons and
    # 250 + 160 + 125 = 535 kg; CBM blank, every line counted as missing it.
    assert str(ws["A9"].value).startswith("按日汇总")
    days = table(ws, 10, 7)
    assert [d[1:5] for d in days] and sum(d[1] for d in days) == 3
    assert sum(d[3] for d in days) == 50 and sum(d[4] for d in days) == 535
    assert [d[5] for d in days] == [None] * len(days) and sum(d[6] for d in days) == 3


def test_receipts_canonical(book: openpyxl.Workbook) -> None:
    ws = book["回单跟踪"]
    got = [c for c in canonical(ws) if int(c[0][1:]) >= 3]
    assert got == [
        ["A3", "送货单号", "General"], ["B3", "出货日期", "General"], ["C3", "客户", "General"],
        ["D3", "订单号", "General"], ["E3", "行数", "General"], ["F3", "数量", "General"],
        ["G3", "箱数", "General"], ["H3", "未签回天数", "General"],
        # DN-2 shipped 2026-10-20: 37 days out; DN-3 shipped 2026-11-24: 2 days. DN-1 is signed.
        ["A4", "DN-2", "General"], ["B4", "2026-10-20", "yyyy-mm-dd"], ["C4", "BETA", "General"],
        ["D4", "SO5", "General"], ["E4", 1, "#,##0"], ["F4", 100, "#,##0"], ["G4", 5, "#,##0"],
        ["H4", 37, "#,##0"],
        ["A5", "DN-3", "General"], ["B5", "2026-11-24", "yyyy-mm-dd"], ["C5", "ACME", "General"],
        ["D5", "SO7", "General"], ["E5", 1, "#,##0"], ["F5", 200, "#,##0"], ["G5", 4, "#,##0"],
        ["H5", 2, "#,##0"],
    ]
    assert colour_rules(ws) == {  # 30 days and more: red; 14 to 29: yellow
        ("A4:H5", "$H4>=30"): "FFC7CE",
        ("A4:H5", "AND($H4>=14,$H4<30)"): "FFEB9C",
    }


def test_otd(book: openpyxl.Workbook) -> None:
    ws = book["准时交货率"]
    rows = table(ws, 3)
    assert rows[:-1] == [
        ["ACME", "2026-11", 1, 1, 1.0],
        ["BETA", "2026-10", 1, 0, 0.0],
        ["BETA", "2026-11", 1, 1, 1.0],
    ]
    assert rows[-1] == ["合计", None, "=SUM(C4:C6)", "=SUM(D4:D6)", '=IF(C7>0,D7/C7,"")']
    assert ws["E4"].number_format == "0.0%"
    assert ws.conditional_formatting  # colour scale on the rate


def test_capacity_heat_map(book: openpyxl.Workbook) -> None:
    ws = book["产能负荷"]
    assert [c.value for c in ws[3]][:4] == ["产线", "项目", "2026-W48", "2026-W49"]
    # W48 from Thursday 26th: 2 days x 8 h. Required by the dates: SO1's 6 h are past due
    # (on the 26th), SO2's 8 h by the 27th; SO3's 5 h fall on 12-31: 14 / 16. Scheduled: all
    # 16 h used (6 h SO1 + 8 h SO2 + 2 h SO3), SO3's other 3 h in W49 (of 40).
    assert [c.value for c in ws[4]][:4] == ["L1", "需求负荷率", 0.875, 0]
    assert [c.value for c in ws[5]][:4] == ["L1", "排产负荷率", 1.0, 0.075]
    assert ws["C4"].number_format == "0.0%"
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert ranges and ranges[0].startswith("C4:")
    assert ws._charts  # the weekly load chart


def test_overview_figures(book: openpyxl.Workbook) -> None:
    ws = book["概览"]
    figures = {r[0]: r[1] for r in table(ws, 4) if r[0]}
    assert figures["未完成订单行"] == 3
    assert figures["已逾期"] == 1
    assert figures["有风险"] == 2
    assert figures["正常"] == 0
    # The next four weeks (W48-W51): 136 h available; 14 h required by the dates, 19 scheduled.
    assert figures["需求负荷(未来4周,按交期)"] == pytest.approx(14 / 136)
    assert figures["排产负荷(未来4周)"] == pytest.approx(19 / 136)
    assert figures["准时交货率"] == pytest.approx(2 / 3)
    assert figures["未签回送货单"] == 2
    assert figures["最长未签回天数"] == 37
    assert figures["检查错误"] == 1
    assert len(ws._charts) == 2


def test_issues_sheet(book: openpyxl.Workbook) -> None:
    rows = table(book["检查结果"], 1)
    assert [(r[3], r[7]) for r in rows] == [("G7", "bad-number")]


def test_excel_native_layout(book: openpyxl.Workbook) -> None:
    for name in SHEETS_ZH:
        ws = book[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.page_setup.paperSize in (9, "9"), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) in ((1, 0), (None, 0)), name
    for name in ("交期预警", "工单进度", "出货计划", "回单跟踪", "准时交货率"):
        ws = book[name]
        assert ws.freeze_panes == "A4", name
        assert ws.print_title_rows == "$3:$3", name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A3:"), name
    # Widths fit Chinese text: 品名 values are CJK (2 units a character).
    assert book["交期预警"].column_dimensions["F"].width >= 6
    # The house font is named on every written cell.
    assert book["交期预警"]["C4"].font.name == "等线"


def test_english(ledger_path: Path, tmp_path: Path) -> None:
    path = make_report(ledger_path, tmp_path / "report.xlsx", "en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS_EN
    ws = wb["Due-date alerts"]
    assert ws["A3"].value == "Order no"
    assert [r[17] for r in table(ws, 3)] == ["overdue", "at_risk", "at_risk"]
    assert lint_xlsx(path) == []


def test_structure_is_clean(report: Path) -> None:
    assert lint_xlsx(report) == []


def test_report_snapshot(report: Path, ledger_path: Path) -> None:
    """Every sheet's values, formats, widths, notes and print setup, as reviewed (the
    ledger's temporary path shown as <ledger>)."""
    assert_snapshot(report, "report", paths={str(ledger_path): "<ledger>"})


# --- CLI and demo ---------------------------------------------------------------------------


def test_cli_default_name_in_current_folder(
    ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = cli.main(["report", str(ledger_path), "--as-of", "2026-11-26"])
    assert code == cli.EXIT_ERRORS  # written, but the ledger has a data error
    assert (tmp_path / "跟单报告_20261126.xlsx").is_file()
    out = capsys.readouterr().out
    assert "跟单报告_20261126.xlsx" in out and "已逾期 1" in out
    assert not list(tmp_path.glob(".~gendan-*"))


def test_cli_out_file_and_folder(ledger_path: Path, tmp_path: Path) -> None:
    assert cli.main(["report", str(ledger_path), "--as-of", "2026-11-26", "--out",
                     str(tmp_path / "r.xlsx"), "--lang", "en"]) == cli.EXIT_ERRORS
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == SHEETS_EN
    folder = tmp_path / "reports"
    folder.mkdir()
    cli.main(["report", str(ledger_path), "--as-of", "2026-11-26", "--out", str(folder)])
    assert (folder / "跟单报告_20261126.xlsx").is_file()


def test_cli_unusable_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(tmp_path / "missing.xlsx")]) == cli.EXIT_UNUSABLE
    assert "Traceback" not in capsys.readouterr().err


def test_cli_help_has_an_example() -> None:
    cli.load_commands()
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    choices: Any = sub.choices
    assert "gendan report" in choices["report"].description


def test_demo_writes_the_report(tmp_path: Path) -> None:
    from gendan_xl.demo import build_demo
    from gendan_xl.read import read_ledger
    from gendan_xl.write.demo_book import write_demo

    assert demo_report in demo_steps()
    data = build_demo()
    path = write_demo(data, tmp_path / "demo.xlsx")
    said: list[str] = []
    demo_report(path, read_ledger(path, data.as_of), data.as_of, tmp_path, "zh", said.append)
    out = tmp_path / report_name(data.as_of)
    assert out.is_file() and str(out) in said[0]
    assert lint_xlsx(out) == []
    wb = openpyxl.load_workbook(out, read_only=True)
    # The demo has a BOM, a 外协, a 品质异常, a 样品, a 客诉, a 满意度 and a 成品期初 sheet: 欠料表,
    # 采购跟踪, 外协跟踪, 品质异常, 样品跟踪, 客诉跟踪, 客户满意度 and 成品月结 come before 检查结果.
    assert wb.sheetnames == [*SHEETS_ZH[:-1], "欠料表", "采购跟踪", "外协跟踪", "品质异常", "样品跟踪", "客诉跟踪",
                             "客户满意度", "成品月结", SHEETS_ZH[-1]]
    assert wb["交期预警"].max_row > 20


def test_output_follows_open_work(tmp_path: Path) -> None:
    """Twenty more fully shipped, signed lines of history add no row to any
    sheet except the OTD aggregates."""
    history = {k: [list(r) for r in v] for k, v in LEDGER.items()}
    for i in range(20):
        no = f"OLD{i}"
        history["订单"].append([no, 1, "GAMMA", f"PO-{no}", "P1", "上盖", 100, D(2026, 8, 1),
                               D(2026, 9, 1 + i), "普通", "正常"])
        history["工单"].append([f"WO-{no}", no, 1, "P1", 100, "L1"])
        history["生产日报"].append([D(2026, 8, 10), f"WO-{no}", "L1", 100, 1])
        history["出货"].append([D(2026, 8, 20), no, 1, 100, 2, f"DN-{no}", D(2026, 8, 22)])
    small, big = (make_report(write_ledger(tmp_path / f"{n}.xlsx", led), tmp_path / f"r{n}.xlsx")
                  for n, led in (("a", LEDGER), ("b", history)))
    a, b = openpyxl.load_workbook(small, read_only=True), openpyxl.load_workbook(big, read_only=True)
    for name in ("交期预警", "工单进度", "出货计划", "回单跟踪", "产能负荷"):
        assert a[name].max_row == b[name].max_row, name
    assert b["准时交货率"].max_row == a["准时交货率"].max_row + 1  # GAMMA 2026-09


def test_batch_writes_the_report(ledger_path: Path, tmp_path: Path) -> None:
    from gendan_xl import batch

    cli.load_commands()  # registers the report producer, as `gendan batch` does
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "台账.xlsx").write_bytes(ledger_path.read_bytes())
    (folder / "gendan.toml").write_text('[ledger]\nworkbook = "台账.xlsx"\n', encoding="utf-8")
    assert batch.run_batch(folder, AS_OF) == cli.EXIT_ERRORS
    out = next(folder.rglob("跟单报告_20261126.xlsx"))
    assert lint_xlsx(out) == []


# --- LibreOffice -----------------------------------------------------------------------------


def test_libreoffice_recalculates_the_same_totals(report: Path, soffice: Soffice, tmp_path: Path) -> None:
    ours = openpyxl.load_workbook(report, data_only=True)
    converted = soffice.convert(report, "xlsx", tmp_path)
    theirs = openpyxl.load_workbook(converted, data_only=True)
    formulas = openpyxl.load_workbook(report)
    checked = 0
    for name in ("出货计划", "准时交货率"):
        for row in formulas[name].iter_rows():
            for c in row:
                if c.data_type == "f":
                    mine = ours[name][c.coordinate].value
                    lo = theirs[name][c.coordinate].value
                    assert lo == pytest.approx(mine), (name, c.coordinate, c.value)
                    checked += 1
    assert checked == 8  # 出货计划 5 totals (CBM among them), 准时交货率 3
    assert theirs["出货计划"]["J7"].value == 1900
    assert theirs["准时交货率"]["E7"].value == pytest.approx(2 / 3)


def test_printed_pdf(report: Path, soffice: Soffice, tmp_path: Path) -> None:
    pdf = soffice.convert(report, "pdf", tmp_path)
    soffice.assert_cjk_embedded(pdf)
    pages = soffice.pdf_pages(pdf)
    assert len(SHEETS_ZH) <= pages <= len(SHEETS_ZH) + 2
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert round(float(size[2])) == 842 and round(float(size[4])) == 595  # A4 landscape
    # One page wide: each table's first and last column headers print on the same page.
    firsts_lasts = {"交期预警": ("订单号", "原因"), "工单进度": ("工单号", "订单状态"),
                    "出货计划": ("计划出货", "状态"), "回单跟踪": ("送货单号", "未签回天数")}
    texts = [
        subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for i in range(1, pages + 1)
    ]
    for sheet, (first, last) in firsts_lasts.items():
        page = next(t for t in texts if t.lstrip().startswith(sheet))
        assert first in page and last in page, sheet
    png = soffice.png(pdf, 2)
    assert png.stat().st_size > 10_000
