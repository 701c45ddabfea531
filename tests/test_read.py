"""The reader on workbooks as clerks keep them: title rows, tables starting at C5,
merged titles, hidden rows and columns, blank and total rows, headers with
units, full-width and English headers, daily reports in many files, and every
input format. Row numbers must be Excel's physical rows in every case."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from helpers import make_workbook
from lo import Soffice

from gendan_xl.ledger import Ledger
from gendan_xl.model import LedgerError
from gendan_xl.read import read_ledger

AS_OF = date(2026, 11, 20)
ORDER_HEADER = ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期"]


def read(path: Path) -> Ledger:
    return read_ledger(path, AS_OF)


def issues(ledger: Ledger) -> list[tuple[str, str, str | None]]:
    """Findings other than the sheets these single-sheet books leave out."""
    return sorted(
        (i.code, i.ref.sheet, i.ref.cell) for i in ledger.issues if i.code != "missing-sheet"
    )


def column(ledger: Ledger, table: str, key: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in ledger[table][key].tolist()]


def order(no: str, qty: object = 10, due: object = date(2026, 12, 1)) -> list[object]:
    return [no, "1", "ACME", "P1", qty, date(2026, 11, 1), due]


# ------------------------------------------------------------------ layouts


# The awkward orders sheet: table at C5 under a merged title, a hidden row and a
# hidden column, a blank row, subtotal and total rows, a unit in a header and an
# extra column nobody asked for. Physical rows are noted on the right.
AWKWARD_ROWS: list[list[Any]] = [
    ["2026年11月订单跟踪表"],  # 5 (merged C5:J5)
    [],  # 6
    ["订单号", "行号", "客户", "产品编码", "数量(PCS)", "下单日期", "交期", "跟单员"],  # 7
    ["SO1", "1", "ACME", "P1", 100, date(2026, 11, 1), date(2026, 12, 1), "小王"],  # 8
    ["SO2", "1", "ACME", "P1", 50, date(2026, 11, 2), date(2026, 12, 2), "小王"],  # 9 hidden
    [],  # 10
    ["SO3", "2", "BETA", "P2", "1,200pcs", "2026/11/3", "2026年12月3日", "小李"],  # 11
    ["小计", None, None, None, 1350],  # 12
    ["SO4", "1", "BETA", "P2", "１２０", date(2026, 11, 4), "明天", None],  # 13: bad 交期
    [],  # 14
    ["合计", None, None, None, 1470],  # 15
]
AWKWARD = {
    "订单": {
        "start": "C5",
        "rows": AWKWARD_ROWS,
        "merge": ["C5:J5"],
        "hidden_rows": [9],
        "hidden_columns": ["D"],
    }
}


def assert_awkward(ledger: Ledger) -> None:
    orders = ledger["orders"]
    assert orders["_row"].tolist() == [8, 9, 11, 13]
    assert column(ledger, "orders", "order_no") == ["SO1", "SO2", "SO3", "SO4"]
    assert column(ledger, "orders", "line_no") == ["1", "1", "2", "1"]
    assert column(ledger, "orders", "qty") == [100, 50, 1200, 120]
    assert column(ledger, "orders", "order_date") == [
        pd.Timestamp(2026, 11, d) for d in (1, 2, 3, 4)
    ]
    assert column(ledger, "orders", "due_date")[:3] == [
        pd.Timestamp(2026, 12, d) for d in (1, 2, 3)
    ]
    assert issues(ledger) == [("bad-date", "订单", "I13")]
    (bad,) = [i for i in ledger.issues if i.code == "bad-date"]
    assert (bad.ref.column, bad.ref.row, bad.ref.header, bad.value) == ("I", 13, "交期", "明天")
    source = ledger.table("orders").sources[0]
    assert source.header_row == 7
    assert source.columns["qty"] == ("G", "数量(PCS)")
    assert source.columns["order_no"] == ("C", "订单号")
    assert ledger.row_counts == {"订单": 4}


def test_awkward_layout_xlsx(tmp_path: Path) -> None:
    assert_awkward(read(make_workbook(tmp_path / "台账.xlsx", AWKWARD)))


def test_awkward_layout_xlsm_renamed(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "台账.xlsx", AWKWARD)
    assert_awkward(read(path.rename(tmp_path / "台账.xlsm")))


def test_title_rows_without_offset(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "l.xlsx", {
        "订单明细": [["ABC 工厂"], ["订单跟踪表 2026-11"], [], ORDER_HEADER, order("SO1"), order("SO2")],
    })
    ledger = read(path)
    assert ledger["orders"]["_row"].tolist() == [5, 6]
    assert issues(ledger) == []
    assert ledger.table("orders").sources[0].sheet == "订单明细"


def test_leading_blank_rows_and_columns(tmp_path: Path) -> None:
    """Nothing at all above or left of the table: the reader's grid starts at the
    first value, Excel's rows do not."""
    path = make_workbook(tmp_path / "l.xlsx", {"订单": {"start": "F12", "rows": [
        ORDER_HEADER, order("SO1"), order("SO2", qty="x"),
    ]}})
    ledger = read(path)
    assert ledger["orders"]["_row"].tolist() == [13, 14]
    assert issues(ledger) == [("bad-number", "订单", "J14")]


def test_many_blank_rows_in_the_middle(tmp_path: Path) -> None:
    rows: list[list[Any]] = [ORDER_HEADER, order("SO1"), *([[]] * 40), order("SO2", qty=0.5)]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert ledger["orders"]["_row"].tolist() == [2, 43]


@pytest.mark.parametrize("label", ["合计", "总计", "小计", " 合 计 ", "Total", "SUBTOTAL", "合计:"])
def test_total_rows_are_skipped(tmp_path: Path, label: str) -> None:
    rows = [ORDER_HEADER, order("SO1"), [label, None, None, None, 10], order("SO2")]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert ledger["orders"]["_row"].tolist() == [2, 4]
    assert issues(ledger) == []


def test_total_prefilter_picks_what_the_pattern_matches() -> None:
    """The first-character pass before the total-row pattern must never drop a row the
    pattern alone would match (and the pattern still decides)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from gendan_xl.read.tables import _TOTAL_PATTERN, _total_rows
    from gendan_xl.read.workbook import ColumnPick

    labels = ["合计", " 合 计", "\t总计", "\f小计", "Total", "SUBTOTAL", "sum", "Sum:", "\u017fum", "sumatra",
              "设计", "合同", "total2", "  tot", "SO1", "", None, "\u3000合计", "TOTAL ", "subtotal\n"]
    raw = pd.DataFrame({"order_no": pd.Series(labels, dtype="string")})
    got = _total_rows(raw, [ColumnPick("order_no", 0, "订单号", "text")]).tolist()
    # The pattern alone, over every row (what the reader did before the first-character pass).
    want = pc.fill_null(pc.match_substring_regex(pa.array(labels, pa.string()), _TOTAL_PATTERN, ignore_case=True),
                        False).to_pylist()
    assert got == want
    assert got[:9] == [True] * 9 and not any(got[9:18])


def test_total_label_in_a_later_column(tmp_path: Path) -> None:
    """合计 written under 客户 (the order number left blank) is still a total row."""
    rows = [ORDER_HEADER, order("SO1"), [None, None, "合计", None, 10], order("SO2")]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert ledger["orders"]["_row"].tolist() == [2, 4]
    assert issues(ledger) == []


def test_english_and_full_width_headers(tmp_path: Path) -> None:
    header = ["Order No", "Line", "CUSTOMER", "Item Code", "ＱＴＹ（ＰＣＳ）", "order date", "Due Date",
              "Remarks"]
    path = make_workbook(tmp_path / "l.xlsx", {
        "ＯＲＤＥＲＳ": [header, order("SO1"), order("SO2")],
        "Items": [["item", "Standard Rate (pcs/h)"], ["P1", "１００"]],
    })
    ledger = read(path)
    assert issues(ledger) == []
    assert ledger["orders"]["qty"].tolist() == [10, 10]
    source = ledger.table("orders").sources[0]
    assert source.sheet == "ＯＲＤＥＲＳ"
    assert source.columns["qty"] == ("E", "ＱＴＹ（ＰＣＳ）")
    assert ledger["items"]["std_rate"].tolist() == [100]


def test_header_spellings(tmp_path: Path) -> None:
    """Aliases, spaces, a star for required, a trailing colon."""
    header = [" 订单号* ", "项次", "客户简称", "料号", "订单数量 (pcs)", "接单日期", "客户交期："]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": [header, order("SO1")]}))
    assert issues(ledger) == []
    assert set(ledger.table("orders").sources[0].columns) == {
        "order_no", "line_no", "customer", "item", "qty", "order_date", "due_date",
    }


def test_extra_columns_are_ignored_and_order_does_not_matter(tmp_path: Path) -> None:
    header = ["备注2", "交期", "数量", "业务员", "产品编码", "客户", "订单号", "下单日期", ""]
    row = ["x", date(2026, 12, 1), 7, "王", "P1", "ACME", "SO1", date(2026, 11, 1), "y"]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": [header, row]}))
    assert issues(ledger) == []
    assert column(ledger, "orders", "qty") == [7]
    assert ledger.table("orders").sources[0].columns["order_no"] == ("G", "订单号")
    assert "业务员" not in ledger["orders"].columns


def test_missing_optional_column_is_blank(tmp_path: Path) -> None:
    header = ["订单号", "客户", "产品编码", "数量", "下单日期", "交期"]
    row = ["SO1", "ACME", "P1", 5, date(2026, 11, 1), date(2026, 12, 1)]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": [header, row]}))
    assert issues(ledger) == []
    assert ledger["orders"]["line_no"].isna().all()
    assert ledger["orders"]["changed_date"].isna().all()


def test_header_after_row_ten_is_not_found(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[f"说明 {i}"] for i in range(12)] + [ORDER_HEADER, order("SO1")]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    # The sheet is recognised by its name, so this is a finding, not an unusable file.
    assert issues(ledger) == [("missing-column", "订单", "A1")] * 6


def test_hidden_rows_and_columns_are_read(tmp_path: Path) -> None:
    rows = [ORDER_HEADER, order("SO1"), order("SO2", qty="bad"), order("SO3")]
    path = make_workbook(tmp_path / "l.xlsx", {
        "订单": {"rows": rows, "hidden_rows": [3], "hidden_columns": ["E", "A"]},
    })
    ledger = read(path)
    assert column(ledger, "orders", "order_no") == ["SO1", "SO2", "SO3"]
    assert issues(ledger) == [("bad-number", "订单", "E3")]


def test_codes_typed_as_numbers_stay_text(tmp_path: Path) -> None:
    rows = [ORDER_HEADER, [1001, 1, "ACME", 200345, 5, date(2026, 11, 1), date(2026, 12, 1)]]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert column(ledger, "orders", "order_no") == ["1001"]
    assert column(ledger, "orders", "line_no") == ["1"]
    assert column(ledger, "orders", "item") == ["200345"]


def test_far_future_placeholder_date_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    rows = [ORDER_HEADER, order("SO1", due=date(9999, 12, 31)), order("SO2", due="9999-12-31"),
            order("SO3")]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert issues(ledger) == [("bad-date", "订单", "G2"), ("bad-date", "订单", "G3")]
    assert column(ledger, "orders", "due_date")[2] == pd.Timestamp(2026, 12, 1)


def test_dates_with_times_and_mixed_date_cells(tmp_path: Path) -> None:
    rows = [ORDER_HEADER,
            order("SO1", due=datetime(2026, 12, 1, 18, 30)),
            order("SO2", due="2026-12-02"),
            order("SO3", due=46360),  # a serial typed as a number: 2026-12-04
            order("SO4", due="12月5日")]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": rows}))
    assert issues(ledger) == []
    assert column(ledger, "orders", "due_date") == [pd.Timestamp(2026, 12, d) for d in (1, 2, 4, 5)]


def test_numbers_first_then_text_keep_every_value(tmp_path: Path) -> None:
    """fastexcel guesses types from the first rows by default; text that comes
    after 1500 numbers must not turn into nulls."""
    path = tmp_path / "big.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("生产日报")
    ws.write_row(0, 0, ["日期", "工单号", "良品数", "备注"])
    n = 1600
    for i in range(n):
        text = i >= 1500
        ws.write_datetime(i + 1, 0, datetime(2026, 11, 1 + i % 19), wb.add_format({"num_format": "yyyy-mm-dd"}))
        ws.write(i + 1, 1, f"WO-{i}" if text else 100000 + i)
        ws.write(i + 1, 2, f"{i}pcs" if text else i)
        ws.write(i + 1, 3, "备注" if text else 7)
    # The last rows: a text date in the date column.
    ws.write_string(n + 1, 0, "2026年11月19日")
    ws.write_string(n + 1, 1, "WO-last")
    ws.write_number(n + 1, 2, 1)
    wb.close()
    ledger = read(path)
    assert issues(ledger) == []
    daily = ledger["daily"]
    assert len(daily) == n + 1
    assert daily["_row"].tolist() == list(range(2, n + 3))
    assert daily["wo_no"].notna().all()
    assert daily["wo_no"].iloc[0] == "100000" and daily["wo_no"].iloc[1550] == "WO-1550"
    assert daily["good_qty"].tolist()[:n] == list(range(n))
    assert daily["date"].notna().all()
    assert daily["date"].iloc[-1] == pd.Timestamp(2026, 11, 19)


def test_sheet_names_are_matched_and_others_ignored(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "l.xlsx", {
        "说明": [["这是说明页"]],
        " 订单跟踪 ": [ORDER_HEADER, order("SO1")],
        "产品资料": [["产品编码", "标准产能"], ["P1", 10]],
        "Sheet3": [["随便"]],
    })
    ledger = read(path)
    assert [(t, s.sheet) for t in ("orders", "items") for s in ledger.table(t).sources] == [
        ("orders", " 订单跟踪 "), ("items", "产品资料"),
    ]
    missing = {i.ref.sheet for i in ledger.issues if i.code == "missing-sheet"}
    assert missing == {"出货", "工单", "生产日报", "产线"}


# ------------------------------------------------------------------ error cells and formulas


def _error_book(path: Path) -> Path:
    """Error values as Excel saves them: formulas with a cached error (xlsxwriter),
    a formula without a cached value next to them."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("订单")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(1, 1, ORDER_HEADER)  # header at row 2, from column B
    for r, no in enumerate(["SO1", "SO2", "SO3", "SO4"], start=2):
        ws.write_row(r, 1, [no, "1", "ACME", "P1"])
        ws.write_number(r, 5, 10)
        ws.write_datetime(r, 6, datetime(2026, 11, 1), date_fmt)
        ws.write_datetime(r, 7, datetime(2026, 12, 1), date_fmt)
    ws.write_formula(3, 5, "=1/0", None, "#DIV/0!")  # F4
    ws.write_formula(4, 3, "=NA()", None, "#N/A")  # D5 (客户)
    ws.write_formula(5, 7, '=DATE(2026,12,1)+"x"', date_fmt, "#VALUE!")  # H6
    ws.write_formula(2, 4, '="P"&"1"', None, "P1")  # E3: a formula with a good cached value
    wb.close()
    return path


def test_excel_errors_from_cached_formula_values(tmp_path: Path) -> None:
    ledger = read(_error_book(tmp_path / "e.xlsx"))
    assert issues(ledger) == [
        ("excel-error", "订单", "D5"),
        ("excel-error", "订单", "F4"),
        ("excel-error", "订单", "H6"),
    ]
    assert [i.value for i in ledger.issues if i.code == "excel-error"] == ["#DIV/0!", "#N/A", "#VALUE!"]
    # The error cells are blank in the table, never numbers; the good formula keeps its value.
    assert column(ledger, "orders", "qty") == [10, None, 10, 10]
    assert column(ledger, "orders", "item") == ["P1"] * 4


def test_formulas_without_cached_values(tmp_path: Path) -> None:
    rows = [ORDER_HEADER, order("SO1"), order("SO2", qty="=2*5"), ["=\"SO\"&3", *order("")[1:]]]
    ledger = read(make_workbook(tmp_path / "l.xlsx", {"订单": {"start": "B3", "rows": rows}}))
    assert issues(ledger) == [("uncalculated-formula", "订单", "B6"), ("uncalculated-formula", "订单", "F5")]
    # Reported once: not again as a missing value.
    assert [i.code for i in ledger.issues if i.ref.cell in ("F5", "B6")] == ["uncalculated-formula"] * 2


def test_error_text_typed_into_cells(tmp_path: Path) -> None:
    """Error spellings stored as text (a paste from another program) are errors too."""
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet("订单")
    ws.write_row(0, 0, ORDER_HEADER)
    ws.write_row(1, 0, ["SO1", "1", "#N/A", "P1", "#REF!", "2026-11-01", "2026-12-01"])
    wb.close()
    ledger = read(path)
    assert issues(ledger) == [("excel-error", "订单", "C2"), ("excel-error", "订单", "E2")]


# ------------------------------------------------------------------ every input format


@pytest.fixture(scope="module")
def converted(soffice: Soffice, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The awkward ledger (plus an error sheet) in every format LibreOffice writes."""
    folder = tmp_path_factory.mktemp("formats")
    src = make_workbook(folder / "src" / "台账.xlsx", AWKWARD)
    errors = _error_book(folder / "src" / "错误.xlsx")
    out: dict[str, Path] = {"xlsx": src}
    for fmt, key in (
        ("xlsx", "xlsx-libreoffice"),
        ("xlsm:Calc MS Excel 2007 VBA XML", "xlsm"),
        ("xls:MS Excel 97", "xls"),
        ("ods", "ods"),
    ):
        out[key] = soffice.convert(src, fmt, folder / key)
        out[key + "-errors"] = soffice.convert(errors, fmt, folder / key)
    out["xlsx-errors"] = errors
    return out


FORMATS = ["xlsx", "xlsx-libreoffice", "xlsm", "xls", "ods"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_the_awkward_layout(converted: dict[str, Path], fmt: str) -> None:
    path = converted[fmt]
    assert path.suffix == "." + fmt.split("-")[0]
    assert_awkward(read(path))


@pytest.mark.parametrize(
    "fmt",
    [
        "xlsx",
        "xlsx-libreoffice",
        "xlsm",
        pytest.param("xls", marks=pytest.mark.xfail(
            strict=True, reason="python-calamine hands error cells of .xls over as empty strings")),
        pytest.param("ods", marks=pytest.mark.xfail(
            strict=True, reason="python-calamine hands error cells of .ods over as empty strings")),
    ],
)
def test_every_format_reports_excel_errors(converted: dict[str, Path], fmt: str) -> None:
    ledger = read(converted[fmt + "-errors"])
    assert issues(ledger) == [
        ("excel-error", "订单", "D5"),
        ("excel-error", "订单", "F4"),
        ("excel-error", "订单", "H6"),
    ]


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_error_cells_of_calamine_formats_are_not_silent(converted: dict[str, Path], fmt: str) -> None:
    """What .xls/.ods give today: an error in a required column at least shows up,
    as a missing value at the right cell; it never becomes a number."""
    ledger = read(converted[fmt + "-errors"])
    assert issues(ledger) == [("missing-value", "订单", "D5"), ("missing-value", "订单", "F4"),
                              ("missing-value", "订单", "H6")]
    assert column(ledger, "orders", "qty") == [10, None, 10, 10]


def make_xlsb(path: Path, sheet: str, rows: list[list[Any]], start_row: int, start_col: int) -> Path:
    """An .xlsb written by pyxlsbwriter (LibreOffice cannot export .xlsb). It has no
    merges or hidden rows, so only the grid layout is reproduced; the table is
    placed at (start_row, start_col), 1-based, by padding with empty cells."""
    from pyxlsbwriter import XlsbWriter

    width = start_col - 1 + max(len(r) for r in rows)
    grid = [[None] * width for _ in range(start_row - 1)]
    for row in rows:
        padded = [None] * (start_col - 1) + list(row)
        grid.append(padded + [None] * (width - len(padded)))
    with XlsbWriter(str(path)) as writer:
        writer.add_sheet(sheet)
        writer.write_sheet(grid)
    return _one_sheet_data_record(path)


BEGIN_SHEET_DATA = b"\x91\x01\x00"  # BIFF12 record 0x91 (BrtBeginSheetData), size 0


def _one_sheet_data_record(path: Path) -> Path:
    """pyxlsbwriter 0.1.0 opens the sheet data twice; LibreOffice then shows an
    empty sheet (calamine does not mind). Drop the stray first record so the
    fixture is a well-formed workbook both clients read the same way."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            if info.filename.startswith("xl/worksheets/sheet") and data.count(BEGIN_SHEET_DATA) == 2:
                first = data.find(BEGIN_SHEET_DATA)
                data = data[:first] + data[first + len(BEGIN_SHEET_DATA):]
            zf.writestr(info, data)
    return path


def test_xlsb_awkward_layout(tmp_path: Path) -> None:
    assert_awkward(read(make_xlsb(tmp_path / "台账.xlsb", "订单", AWKWARD_ROWS, 5, 3)))


def test_xlsb_is_a_real_workbook(soffice: Soffice, tmp_path: Path) -> None:
    """LibreOffice opens the .xlsb fixture and sees the same cells we read."""
    path = make_xlsb(tmp_path / "台账.xlsb", "订单", AWKWARD_ROWS, 5, 3)
    as_xlsx = soffice.convert(path, "xlsx", tmp_path / "lo")
    assert_awkward(read(as_xlsx))


def test_xlsb_with_several_sheets_through_check(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsb"
    from pyxlsbwriter import XlsbWriter

    with XlsbWriter(str(path)) as writer:
        writer.add_sheet("说明")
        writer.write_sheet([["只是说明"]])
        writer.add_sheet("产品")
        writer.write_sheet([["产品编码", "标准产能"], ["P1", 10], ["P2", "x"]])
    ledger = read(_one_sheet_data_record(path))
    assert issues(ledger) == [("bad-number", "产品", "B3")]
    assert column(ledger, "items", "item") == ["P1", "P2"]


# ------------------------------------------------------------------ ledgers in several files


def _config_ledger(folder: Path, daily_files: dict[str, Any], toml: str | None = None) -> Path:
    make_workbook(folder / "台账.xlsx", {
        "订单": [ORDER_HEADER, order("SO1", qty=100)],
        "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 50]],
        "产线": [["产线"], ["L1"], ["L2"]],
        "工单": [["工单号", "订单号", "行号", "产品编码", "数量", "产线"], ["WO1", "SO1", "1", "P1", 100, "L1"]],
        "出货": [["出货日期", "订单号", "行号", "数量"]],
    })
    for name, content in daily_files.items():
        if isinstance(content, bytes):
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        else:
            make_workbook(folder / name, content)
    (folder / "gendan.toml").write_text(
        toml or '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n', encoding="utf-8"
    )
    return folder


DAILY_HEADER = ["日期", "工单号", "产线", "良品数"]


def test_daily_reports_in_several_files(tmp_path: Path) -> None:
    folder = _config_ledger(tmp_path, {
        "日报/一车间_1110.xlsx": {"生产日报": [DAILY_HEADER, [date(2026, 11, 10), "WO1", "L1", 10]]},
        # A title above the table, a sheet named Sheet1 and the table at B4.
        "日报/一车间_1111.xlsx": {"Sheet1": {"start": "B4", "rows": [
            DAILY_HEADER, [date(2026, 11, 11), "WO1", "L1", 20], [],
            [date(2026, 11, 11), "WO9", "L1", "x"],
        ]}},
        "日报/二车间_1111.xlsx": {"日报": [["二车间生产日报"], DAILY_HEADER,
                                          [date(2026, 11, 11), "WO1", "L2", 30]]},
        "日报/说明.txt": b"not a report",  # not matched by the glob
    })
    ledger = read(folder)
    daily = ledger.table("daily")
    files = [daily.sources[i].file for i in daily.df["_src"]]
    assert files == ["日报/一车间_1110.xlsx", "日报/一车间_1111.xlsx", "日报/一车间_1111.xlsx",
                     "日报/二车间_1111.xlsx"]
    assert daily.df["_row"].tolist() == [2, 5, 7, 3]
    assert daily.df["good_qty"].tolist()[:2] == [10, 20]
    assert [(i.code, i.ref.file, i.ref.sheet, i.ref.cell) for i in ledger.issues] == [
        ("bad-number", "日报/一车间_1111.xlsx", "Sheet1", "E7"),
    ]
    assert ledger.row_counts["Sheet1"] == 2
    assert ledger.table("orders").sources[0].file == "台账.xlsx"


def test_one_unreadable_daily_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    folder = _config_ledger(tmp_path, {
        "日报/a.xlsx": {"生产日报": [DAILY_HEADER, [date(2026, 11, 10), "WO1", "L1", 10]]},
        "日报/b.xlsx": b"PK\x03\x04 truncated",
    })
    ledger = read(folder)
    assert len(ledger["daily"]) == 1
    assert [(i.code, i.ref.file) for i in ledger.issues] == [("unreadable-file", "日报/b.xlsx")]


def test_config_as_toml_path_and_separate_parts(tmp_path: Path) -> None:
    folder = _config_ledger(
        tmp_path,
        {"订单2.xlsx": {"Sheet1": [["客户订单"], ORDER_HEADER, order("SO7")]}},
        toml='[ledger]\nworkbook = "台账.xlsx"\norders = "订单2.xlsx"\n',
    )
    ledger = read(folder / "gendan.toml")
    assert column(ledger, "orders", "order_no") == ["SO7"]
    assert ledger["orders"]["_row"].tolist() == [3]
    assert ledger.table("orders").sources[0].file == "订单2.xlsx"
    # 生产日报 named nowhere: reported once, against the main workbook.
    assert [(i.code, i.ref.sheet) for i in ledger.issues] == [("missing-sheet", "生产日报")]


def test_config_naming_a_missing_file(tmp_path: Path) -> None:
    folder = _config_ledger(tmp_path, {}, toml='[ledger]\nworkbook = "台账.xlsx"\norders = "无.xlsx"\n')
    with pytest.raises(LedgerError, match=r"无\.xlsx"):
        read(folder)


def test_empty_daily_glob_is_not_an_error(tmp_path: Path) -> None:
    folder = _config_ledger(tmp_path, {})
    ledger = read(folder)
    assert [(i.code, i.ref.sheet) for i in ledger.issues] == [("missing-sheet", "生产日报")]
