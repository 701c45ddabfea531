"""Tests of the test harness: the structural checker (xlsx_lint) and LibreOffice (lo).

Each structural check is shown to fire: a good workbook is written with
xlsxwriter, then one XML part is edited to plant exactly one defect.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import make_workbook
from lo import Soffice
from xlsx_lint import assert_clean_workbook, formula_problems, lint_xlsx

HEADERS = ["订单号", "数量", "交期", "状态"]


def write_good(path: Path) -> Path:
    """A small workbook using every feature the checker looks at."""
    wb = xlsxwriter.Workbook(str(path), {"use_future_functions": True})
    ws = wb.add_worksheet("订单")
    other = wb.add_worksheet("Other")
    ws.merge_range("A1:D1", "title")
    ws.add_table("A3:D5", {
        "name": "OrderTable",
        "columns": [{"header": h} for h in HEADERS],
        "data": [["A1", 1, 46000, "正常"], ["A2", 2, 46001, "暂停"]],
    })
    ws.write_formula("F1", '=SUMIFS(B4:B5,D4:D5,"正常")+COUNTIF(Other!A:A,"x")')
    ws.write_formula("F2", '=TEXTJOIN(",",TRUE,A4:A5)')
    ws.write_formula("F3", "=SUM(OrderTable[数量])")
    ws.data_validation("D4:D5", {"validate": "list", "source": ["正常", "暂停"]})
    ws.data_validation("B4:B5", {"validate": "integer", "criteria": ">", "value": "=F1"})
    ws.conditional_format("C4:C5", {
        "type": "formula", "criteria": "=$C4<TODAY()", "format": wb.add_format({"bold": True}),
    })
    ws.write_url("F4", "internal:'Other'!A1", string="go")
    wb.define_name("Data", "=订单!$A$3:$D$5")
    other.write("A1", "x")
    other.add_table("C3:D4", {"name": "Second", "columns": [{"header": "a"}, {"header": "b"}],
                              "data": [[1, 2]]})
    wb.close()
    return path


def patch(src: Path, dst: Path, part: str, old: str, new: str) -> Path:
    """Copy the package ``src`` to ``dst`` with ``old`` replaced once in ``part``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                assert old in text, f"{old!r} not in {part}"
                data = text.replace(old, new, 1).encode("utf-8")
            zout.writestr(info, data)
    return dst


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_good(tmp_path_factory.mktemp("lint") / "good.xlsx")


WB = "xl/workbook.xml"
S1 = "xl/worksheets/sheet1.xml"
T1 = "xl/tables/table1.xml"
SST = "xl/sharedStrings.xml"

DEFECTS = [
    ("long-sheet-name", WB, 'name="Other"', f'name="{"X" * 32}"', "longer than 31"),
    ("bad-sheet-char", WB, 'name="Other"', 'name="Oth/er"', "contains '/'"),
    ("duplicate-sheet", WB, 'name="订单"', 'name="other"', "duplicate sheet name 'Other'"),
    ("reserved-sheet", WB, 'name="Other"', 'name="history"', "reserved"),
    ("overlapping-merge", S1, '<mergeCells count="1"><mergeCell ref="A1:D1"/>',
     '<mergeCells count="2"><mergeCell ref="A1:D1"/><mergeCell ref="C1:C2"/>',
     "merged ranges A1:D1 and C1:C2 overlap"),
    ("merge-over-table", S1, '<mergeCell ref="A1:D1"/>', '<mergeCell ref="A1:D3"/>',
     "overlaps merged range"),
    ("table-like-cell-ref", T1, 'name="OrderTable" displayName="OrderTable"',
     'name="ABC1" displayName="ABC1"', "looks like a cell reference"),
    ("table-like-r1c1", T1, 'name="OrderTable" displayName="OrderTable"',
     'name="R2C3" displayName="R2C3"', "looks like a cell reference"),
    ("table-vs-defined-name", T1, 'displayName="OrderTable"', 'displayName="data"',
     "collides with a defined name"),
    ("table-duplicate", "xl/tables/table2.xml", 'displayName="Second"',
     'displayName="ordertable"', "already used by a table"),
    ("table-header-differs", T1, 'name="数量"', 'name="数量(PCS)"', "header cell is '数量'"),
    ("table-columns-count", T1, 'ref="A3:D5"', 'ref="A3:E5"', "spans 5 columns"),
    ("bad-defined-name", WB, 'definedName name="Data"', 'definedName name="1Data"',
     "defined name '1Data' has characters"),
    ("defined-name-cell-ref", WB, 'definedName name="Data"', 'definedName name="AB12"',
     "looks like a cell reference"),
    ("defined-name-twice", WB, "</definedNames>",
     '<definedName name="DATA">订单!$A$1</definedName></definedNames>', "defined twice"),
    ("defined-name-formula", WB, "订单!$A$3:$D$5", "订单!$A$3:$D$5)", "unbalanced parentheses"),
    ("long-list", S1, '<formula1>"正常,暂停"</formula1>',
     '<formula1>"' + ",".join(["选项"] * 90) + '"</formula1>', "list of 269 characters"),
    ("formula-leading-equals", S1, "<f>SUMIFS", "<f>=SUMIFS", "starts with '='"),
    ("formula-parentheses", S1, "<f>SUMIFS(B4:B5,", "<f>SUMIFS((B4:B5,", "unbalanced parentheses"),
    ("formula-quote", S1, ',"x")', ',"x)', "unterminated string"),
    ("formula-unknown-function", S1, "COUNTIF(", "COUNTIFF(", "unknown function COUNTIFF"),
    ("formula-missing-xlfn", S1, "_xlfn.TEXTJOIN", "TEXTJOIN", "must be stored as _xlfn.TEXTJOIN"),
    ("formula-not-in-libreoffice", S1, '_xlfn.TEXTJOIN(",",TRUE,A4:A5)',
     "_xlfn.XLOOKUP(1,A4:A5,B4:B5)", "not computed by LibreOffice"),
    ("formula-missing-sheet", S1, "Other!A:A", "Nope!A:A", "sheet that does not exist: 'Nope'"),
    ("cf-formula", S1, "TODAY()</formula>", "TODAY(</formula>", "conditional format on C4:C5"),
    ("validation-formula", S1, "<formula1>F1</formula1>", "<formula1>F1)</formula1>",
     "validation on B4:B5: formula1"),
    ("long-shared-string", SST, ">title<", ">" + "x" * 32_768 + "<", "32768 characters"),
    ("long-inline-string", S1, '<c r="A1" t="s"><v>0</v></c>',
     '<c r="A1" t="inlineStr"><is><t>' + "长" * 32_768 + "</t></is></c>", "text of 32768"),
    ("missing-shared-string", S1, '<c r="A1" t="s"><v>0</v>', '<c r="A1" t="s"><v>999</v>',
     "shared string #999 does not exist"),
    ("link-to-missing-sheet", S1, 'location="\'Other\'!A1"', 'location="\'Gone\'!A1"',
     "hyperlink at F4 to \"'Gone'!A1\" refers to a sheet that does not exist"),
    ("broken-xml", S1, "</sheetData>", "</sheetDat>", "XML error"),
]


def test_good_workbook_is_clean(good: Path) -> None:
    assert lint_xlsx(good) == []


@pytest.mark.parametrize(
    ("part", "old", "new", "expected"),
    [d[1:] for d in DEFECTS],
    ids=[d[0] for d in DEFECTS],
)
def test_each_defect_is_found(
    good: Path, tmp_path: Path, part: str, old: str, new: str, expected: str
) -> None:
    bad = patch(good, tmp_path / "bad.xlsx", part, old, new)
    problems = lint_xlsx(bad)
    assert any(expected in p for p in problems), problems


def test_not_a_package(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    assert lint_xlsx(fake)[0].startswith("not a zip package")


def test_too_many_hyperlinks(tmp_path: Path) -> None:
    links = "".join(f'<hyperlink ref="A{i}" location="\'Other\'!A1"/>' for i in range(1, 65_532))
    bad = patch(write_good(tmp_path / "g.xlsx"), tmp_path / "bad.xlsx", S1,
                "<pageMargins", f"<hyperlinks>{links}</hyperlinks><pageMargins")
    assert any("65532 hyperlinks" in p for p in lint_xlsx(bad))


@pytest.mark.parametrize(
    "formula",
    [
        "SUM(Table1[[#This Row],[数量(PCS)]])",
        "'O''Brien sheet'!A1+1",
        'IF(A1="((",")",A1)',
        "SUM({1,2;3,4})",
        "_xll.GENDAN_DAYS_LATE(A1,B1)",
        "_xlfn._xlws.SORT(A1:A3)",  # known to Excel; LibreOffice is checked separately
        "_xlfn.IFS(A1>1,1,TRUE,0)",
        "NETWORKDAYS(A1,B1,Holidays)+INDEX(B:B,MATCH(A1,A:A,0))",
        "HYPERLINK(\"#'订单'!B7\",\"订单!B7\")",
        "订单!$A$1:$B$2",
        "A1 B1",
        "'[1]Prices'!B2*2",
        "[1]Prices!B2*2",
    ],
)
def test_good_formulas(formula: str) -> None:
    problems = [p for p in formula_problems(formula, {"订单", "O'Brien sheet"})
                if "LibreOffice" not in p]
    assert problems == []


def test_openpyxl_workbook_is_clean(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "t.xlsx", {
        "订单": {"start": "C5", "rows": [["订单号", "交期"], ["A1", date(2026, 11, 3)]],
                 "merge": ["C3:D3"], "hidden_rows": [7], "hidden_columns": ["D"]},
        "产品": [["产品编码", "标准产能"], ["P1", 120], [None, "=SUM(B2:B2)"]],
    })
    assert lint_xlsx(path) == []
    wb = openpyxl.load_workbook(path)
    ws = wb["订单"]
    assert ws["C5"].value == "订单号"
    assert ws["D6"].is_date and ws["D6"].value.date() == date(2026, 11, 3)
    assert ws.row_dimensions[7].hidden and ws.column_dimensions["D"].hidden
    assert [r.coord for r in ws.merged_cells.ranges] == ["C3:D3"]
    assert wb["产品"]["B3"].value == "=SUM(B2:B2)"
    assert wb.sheetnames == ["订单", "产品"]


# --- LibreOffice itself --------------------------------------------------------


def test_libreoffice_opens_the_good_workbook(good: Path, soffice: Soffice) -> None:
    pdf = assert_clean_workbook(good, soffice)
    assert pdf is not None and soffice.pdf_pages(pdf) >= 1
    assert soffice.assert_cjk_embedded(pdf)
    png = soffice.png(pdf)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_libreoffice_output_passes_lint(good: Path, soffice: Soffice, tmp_path: Path) -> None:
    # A real client's own output: guards the checker against false alarms.
    copy = soffice.convert(good, "xlsx", tmp_path / "lo")
    assert lint_xlsx(copy) == []


def test_libreoffice_recalculates_on_load(soffice: Soffice, tmp_path: Path) -> None:
    # openpyxl saves formulas without cached values: only a recalculation fills them.
    src = make_workbook(tmp_path / "calc.xlsx", {"S": [[2, 3, "=A1*B1+1"]]})
    out = soffice.convert(src, "xlsx", tmp_path / "out")
    assert openpyxl.load_workbook(out, data_only=True)["S"]["C1"].value == 7


def test_libreoffice_failure_is_reported(soffice: Soffice, tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(AssertionError, match=r"did not convert fake\.xlsx"):
        soffice.convert(fake, "pdf")


@pytest.mark.parametrize(("require", "outcome"), [("0", "1 skipped"), ("1", "1 error")])
def test_missing_libreoffice_skips_or_fails(tmp_path: Path, require: str, outcome: str) -> None:
    (tmp_path / "test_needs_lo.py").write_text("def test_x(soffice):\n    pass\n")
    env = dict(os.environ, PATH=str(tmp_path / "nothing"), GENDAN_REQUIRE_LIBREOFFICE=require,
               PYTHONPATH=str(Path(__file__).parent))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q",
         "-rs", "-p", "no:xdist", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert outcome in result.stdout, result.stdout + result.stderr
    assert "soffice (libreoffice-calc-nogui)" in result.stdout
