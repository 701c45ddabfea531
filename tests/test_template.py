"""The blank ledger template (gendan template): every sheet and header of the
schema, notes, drop-downs, formats, frozen header, print setup; it reads back
through the schema and the reader, passes the structural check, opens and prints
in LibreOffice with a CJK font, and is the same on every run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lo import Soffice
from snapshot import canonical
from xlsx_lint import assert_clean_workbook

from gendan_xl import schema
from gendan_xl.engine import check
from gendan_xl.write.book import FONT, text_width
from gendan_xl.write.template import column_width, write_template

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "workbooks" / "台账模板.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "台账模板.xlsx")


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def letter(i: int) -> str:
    return openpyxl.utils.get_column_letter(i + 1)


def test_every_sheet_in_schema_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [s.name for s in schema.SHEETS]
    assert [schema.match_sheet(n) for n in book.sheetnames] == [s.key for s in schema.SHEETS]


@pytest.mark.parametrize("spec", schema.SHEETS, ids=lambda s: s.key)
def test_headers_match_schema(book: openpyxl.Workbook, spec: schema.SheetSpec) -> None:
    ws = book[spec.name]
    headers = [c.value for c in ws[1]]
    assert headers == [c.name for c in spec.columns]
    assert [schema.match_column(spec.key, h) for h in headers] == [c.key for c in spec.columns]
    for col, cell in zip(spec.columns, ws[1], strict=True):
        assert cell.font.name == FONT and cell.font.b
        # Required headers stand out.
        assert (cell.font.color.rgb == "FFC00000") == col.required, col.name


@pytest.mark.parametrize("spec", schema.SHEETS, ids=lambda s: s.key)
def test_header_notes(book: openpyxl.Workbook, spec: schema.SheetSpec) -> None:
    ws = book[spec.name]
    for col, cell in zip(spec.columns, ws[1], strict=True):
        assert cell.comment is not None, col.name
        note = cell.comment.text
        assert ("必填" in note) == col.required
        if col.note_zh:
            assert col.note_zh in note
        if col.choices:
            assert " / ".join(col.choices) in note
    assert spec.note_zh in ws["A1"].comment.text


def test_english_notes(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(write_template(tmp_path / "en.xlsx", lang="en"))["订单"]
    note = ws["A1"].comment.text
    assert "order_no" in note and "required" in note and "Customer order number" in note
    assert ws["A1"].value == "订单号"  # headers stay canonical


@pytest.mark.parametrize("spec", schema.SHEETS, ids=lambda s: s.key)
def test_drop_downs_equal_schema_choices(book: openpyxl.Workbook, spec: schema.SheetSpec) -> None:
    ws = book[spec.name]
    found = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    expected = {}
    for i, col in enumerate(spec.columns):
        if col.choices:
            expected[f"{letter(i)}2:{letter(i)}1048576"] = col.choices
    assert set(found) == set(expected)
    for ref, choices in expected.items():
        dv = found[ref]
        assert dv.type == "list"
        assert dv.formula1 == '"' + ",".join(choices) + '"'


@pytest.mark.parametrize("spec", schema.SHEETS, ids=lambda s: s.key)
def test_layout(book: openpyxl.Workbook, spec: schema.SheetSpec) -> None:
    ws = book[spec.name]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{letter(len(spec.columns) - 1)}1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 0  # one page wide, as many long as needed
    assert ws.print_title_rows == "$1:$1"
    for i, col in enumerate(spec.columns):
        dim = _column(ws, i + 1)
        assert dim.width >= text_width(col.name) + 2, col.name
        if col.type == "date":
            assert dim.number_format == "yyyy-mm-dd", col.name
        elif col.type == "number":
            assert dim.number_format in ("#,##0", "#,##0.00"), col.name


def _column(ws: Any, index: int) -> Any:
    """The column dimension covering a 1-based column (openpyxl groups equal ones)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= index <= dim.max:
            return dim
    raise AssertionError(f"no width set for column {index}")


def test_widths_count_chinese_double() -> None:
    latin = schema.ColumnSpec("a", "ABCDEFG")
    chinese = schema.ColumnSpec("b", "客户采购单号码")
    assert column_width(chinese) - column_width(latin) == 7


def test_settings_prefilled(book: openpyxl.Workbook) -> None:
    rows = [[c.value for c in r] for r in book["设置"].iter_rows(min_row=2)]
    expected = [[label, None if default == "" else default]
                for label, default in schema.SETTING_KEYS.values()]
    assert rows == expected
    assert [schema.SETTING_INDEX[schema.normalize(r[0])] for r in rows] == list(schema.SETTING_KEYS)


def test_reader_accepts_template(template: Path) -> None:
    result = check(template, date(2026, 11, 26))
    assert result.issues == []
    assert set(result.ledger.row_counts) == {s.name for s in schema.SHEETS}


def test_passes_lint(template: Path) -> None:
    assert_clean_workbook(template)


def test_deterministic(template: Path, tmp_path: Path) -> None:
    again = write_template(tmp_path / "again.xlsx")
    assert again.read_bytes() == template.read_bytes()


def test_opens_and_prints_in_libreoffice(template: Path, soffice: Soffice) -> None:
    pdf = assert_clean_workbook(template, soffice)
    assert pdf is not None
    # Fit to width: each blank sheet prints on exactly one page.
    assert soffice.pdf_pages(pdf) == len(schema.SHEETS)
    soffice.assert_cjk_embedded(pdf)
    assert soffice.png(pdf).stat().st_size > 0


# --- the committed copy under workbooks/ ------------------------------------------


def test_committed_template_is_current(template: Path) -> None:
    assert COMMITTED.is_file(), (
        f"{COMMITTED.relative_to(REPO)} is missing: run gendan template {COMMITTED.relative_to(REPO)}"
    )
    assert canonical(COMMITTED, fonts=True) == canonical(template, fonts=True), (
        f"{COMMITTED.relative_to(REPO)} is out of date: run gendan template "
        f"{COMMITTED.relative_to(REPO)}"
    )
