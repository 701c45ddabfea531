"""Write-back that checks itself (issue 10, item 9).

Each test reproduces one way the surgical patch used to damage a ledger or put rows
in the wrong place: cell text that looks like a <row> tag, an autoFilter left short
of appended rows, rows appended below a 合计 row, array formulas overwritten, and a
sheet of a million styled empty rows. A patch that goes wrong anyway is caught by
the self-check before the ledger is replaced.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlsxwriter

from gendan_xl.model import LedgerError
from gendan_xl.write import patch
from gendan_xl.write.patch import PatchRefused, SheetEdit, write_back, write_back_many

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# ---- a hand-written package: full control over the sheet XML ----------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="工单" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<styleSheet xmlns="{NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border/><border><left style="thin"/><right style="thin"/>'
    "<top/><bottom/><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/></cellXfs>'
    "</styleSheet>"
)


def sheet_xml(rows: str | Iterator[str], after: str = "", dimension: str = "A1:C3") -> bytes:
    body = rows if isinstance(rows, str) else "".join(rows)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{body}</sheetData>{after}</worksheet>"
    ).encode()


def make_book(path: Path, sheet: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/styles.xml", _STYLES)
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def data_row(r: int, extra: str = "") -> str:
    return f'<row r="{r}">{inline(f"A{r}", f"WO{r:03d}")}<c r="B{r}"><v>{r}</v></c>{extra}</row>'


def sheet_part(path: Path, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    leftovers = [p.name for p in path.parent.iterdir() if p != path and p.suffix != ".keep"]
    assert leftovers == [], leftovers  # no backup, no temporary file


def rows_in_order(xml: bytes) -> list[int]:
    root = ET.fromstring(xml)  # raises on XML that is not well-formed
    numbers = [int(r.get("r", "0")) for r in root.iter(f"{{{NS}}}row")]
    assert numbers == sorted(set(numbers))
    return numbers


# ---- 1. cell text that looks like a row tag ----------------------------------------------

TRAPS = (
    '<c r="C{r}" t="inlineStr"><is><t><![CDATA[<row r="999999"><c r="A999999"><v>1</v></c>'
    '</row></c></row></sheetData>]]></t></is></c>'
)
COMMENT = '<!-- <row r="999998"> </c></row> -->'


def trap_sheet(n: int = 200) -> bytes:
    rows = []
    for r in range(1, n + 1):
        # Text holding "<row r=999999>" (CDATA) and a comment in every tenth row, so the
        # bisection probes land on them wherever it starts.
        extra = TRAPS.format(r=r) if r % 10 == 5 else ""
        rows.append(data_row(r, extra) + (COMMENT if r % 10 == 7 else ""))
    return sheet_xml(rows, dimension=f"A1:C{n}")


def test_cell_text_holding_a_row_tag_cannot_mislead_the_patch(tmp_path: Path) -> None:
    path = make_book(tmp_path / "cdata.xlsx", trap_sheet())
    cells = {(r, "D"): f"SH{r}" for r in (5, 15, 150, 195, 196, 197, 198, 199, 200)}
    res = write_back(path, "工单", cells, [{"A": "WO-NEW1"}, {"A": "WO-NEW2"}], backup=False)
    assert res.appended_rows == {"工单": [201, 202]}
    xml = sheet_part(path)
    assert rows_in_order(xml) == list(range(1, 203))
    assert xml.count(b"<![CDATA[") == 20  # the clerk's text is kept as it was
    ws = openpyxl.load_workbook(path)["工单"]
    for (r, _col), value in cells.items():
        assert ws[f"D{r}"].value == value
        assert ws[f"A{r}"].value == f"WO{r:03d}"
    assert ws["C5"].value.startswith('<row r="999999">')
    assert [ws["A201"].value, ws["A202"].value] == ["WO-NEW1", "WO-NEW2"]


def test_last_row_is_found_past_text_that_mimics_rows(tmp_path: Path) -> None:
    # The last data row itself holds the trap: appending must not believe row 999999 exists.
    rows = [data_row(r) for r in range(1, 10)] + [data_row(10, TRAPS.format(r=10))]
    path = make_book(tmp_path / "tail.xlsx", sheet_xml(rows, dimension="A1:C10"))
    res = write_back(path, "工单", append_rows=[{"A": "WO-NEW"}], backup=False)
    assert res.appended_rows == {"工单": [11]}
    assert rows_in_order(sheet_part(path)) == list(range(1, 12))


@pytest.mark.libreoffice
def test_libreoffice_keeps_every_row_after_patching_text_traps(tmp_path: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    from xlsx_lint import lint_xlsx

    path = make_book(tmp_path / "cdata.xlsx", trap_sheet())
    cells = {(r, "D"): f"SH{r}" for r in range(190, 201)}
    write_back(path, "工单", cells, [{"A": "WO-NEW"}], backup=False)
    assert lint_xlsx(path) == []
    converted = soffice.convert(path, "xlsx")
    assert converted.exists(), "LibreOffice could not load the patched workbook"
    ws = openpyxl.load_workbook(converted)["工单"]
    assert ws.max_row == 201
    assert [ws[f"A{r}"].value for r in range(194, 202)] == [f"WO{r:03d}" for r in range(194, 201)] + ["WO-NEW"]
    assert [ws[f"D{r}"].value for r in range(196, 201)] == [f"SH{r}" for r in range(196, 201)]


# ---- 2. the self-check: a broken patch never replaces the ledger -------------------------


def test_a_patch_that_breaks_the_xml_is_refused_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_book(tmp_path / "broken.xlsx", trap_sheet(20))
    before = path.read_bytes()
    real = patch._render_cell

    def unescaped(p: bytes, ref: str, style: int | None, value: object, date1904: bool) -> bytes:
        return real(p, ref, style, value, date1904).replace(b"&lt;", b"<")

    monkeypatch.setattr(patch, "_render_cell", unescaped)
    with pytest.raises(PatchRefused) as info:
        write_back(path, "工单", {(3, "D"): "a<b"})
    assert isinstance(info.value, LedgerError)  # one line, exit 2 in the CLI
    assert info.value.reason_zh.startswith("写回后工作表「工单」的自检未通过:XML 格式错误")
    assert "nothing was changed" in info.value.message("en")
    assert_untouched(path, before)


def test_rows_out_of_order_after_patching_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_book(tmp_path / "order.xlsx", sheet_xml([data_row(r) for r in (1, 2, 3, 8, 9)]))
    before = path.read_bytes()
    # A faulty insertion point: new row 5 lands after row 9.
    monkeypatch.setattr(patch._SheetXml, "_insert_offset", lambda self, n: self.inner[1])
    with pytest.raises(PatchRefused, match="行号顺序错误"):
        write_back(path, "工单", {(5, "A"): "x"})
    assert_untouched(path, before)


def test_cells_out_of_order_after_patching_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_book(tmp_path / "cells.xlsx", sheet_xml([data_row(r) for r in (1, 2, 3)]))
    before = path.read_bytes()

    def reversed_row(self, row, new_cells):  # type: ignore[no-untyped-def]
        return row.open_tag + b"".join(new_cells[c] for c in sorted(new_cells, reverse=True)) + b"</row>"

    monkeypatch.setattr(patch._SheetXml, "_rebuild_row", reversed_row)
    with pytest.raises(PatchRefused, match="单元格顺序错误"):
        write_back(path, "工单", {(2, "D"): "x", (2, "E"): "y"})
    assert_untouched(path, before)


def test_overlapping_merges_are_refused(tmp_path: Path) -> None:
    after = '<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="B2:C3"/></mergeCells>'
    path = make_book(tmp_path / "merge.xlsx", sheet_xml([data_row(r) for r in (1, 2, 3)], after))
    before = path.read_bytes()
    with pytest.raises(PatchRefused, match="合并单元格 A1:B2 与 B2:C3 重叠"):
        write_back(path, "工单", {(3, "D"): "x"})
    assert_untouched(path, before)


# ---- 3. the autoFilter grows over appended rows ------------------------------------------


def filter_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工单")
    ws.write_row(0, 0, ["工单号", "订单号", "数量"])
    for r in range(1, 4):
        ws.write_row(r, 0, [f"WO{r}", f"PO{r}", r * 10])
    ws.autofilter("A1:C4")
    wb.close()
    return path


def test_autofilter_and_its_hidden_name_grow_over_appended_rows(tmp_path: Path) -> None:
    path = filter_book(tmp_path / "filter.xlsx")
    res = write_back(path, "工单", append_rows=[{"A": "WO4", "C": 40}, {"A": "WO5", "C": 50}], backup=False)
    assert res.appended_rows == {"工单": [5, 6]}
    assert b'<autoFilter ref="A1:C6"/>' in sheet_part(path)
    assert b"\xe5\xb7\xa5\xe5\x8d\x95!$A$1:$C$6<" in sheet_part(path, "xl/workbook.xml")  # 工单!$A$1:$C$6
    assert openpyxl.load_workbook(path)["工单"].auto_filter.ref == "A1:C6"


@pytest.mark.libreoffice
def test_libreoffice_sees_the_grown_autofilter(tmp_path: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    from xlsx_lint import lint_xlsx

    path = filter_book(tmp_path / "filter.xlsx")
    write_back(path, "工单", append_rows=[{"A": "WO4", "C": 40}, {"A": "WO5", "C": 50}], backup=False)
    assert lint_xlsx(path) == []
    converted = soffice.convert(path, "xlsx")
    assert converted.exists()
    ws = openpyxl.load_workbook(converted)["工单"]
    assert ws.auto_filter.ref == "A1:C6"
    assert ws["A6"].value == "WO5"


# ---- 4. rows go after the last data row, never below a 合计 row --------------------------


def total_book(path: Path, blank_rows: int, label: str = "合计", formulas: int = 0) -> Path:
    """Data in rows 2-4, ``formulas`` pre-filled formula rows, ``blank_rows`` bordered empty
    rows, then a 合计 row (shared string label, SUM formula)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工单")
    border = wb.add_format({"border": 1})
    ws.write_row(0, 0, ["工单号", "订单号", "数量"])
    for r in range(1, 4):
        ws.write_row(r, 0, [f"WO{r}", f"PO{r}", r * 10], border)
    r = 4
    for _ in range(formulas):
        ws.write_formula(r, 3, f'=IF(C{r + 1}="","",C{r + 1}*2)', border, "")
        r += 1
    for _ in range(blank_rows):
        ws.write_blank(r, 0, None, border)
        ws.write_blank(r, 1, None, border)
        ws.write_blank(r, 2, None, border)
        r += 1
    ws.write_string(r, 0, label, border)
    ws.write_formula(r, 2, f"=SUM(C2:C{r})", border, 60)
    wb.close()
    return path


def test_new_rows_go_into_blank_rows_above_the_total_row(tmp_path: Path) -> None:
    path = total_book(tmp_path / "total.xlsx", blank_rows=3)  # blank rows 5-7, 合计 row 8
    res = write_back(path, "工单", append_rows=[{"A": "WO4", "C": 40}, {"A": "WO5", "C": 50}], backup=False)
    assert res.appended_rows == {"工单": [5, 6]}
    ws = openpyxl.load_workbook(path)["工单"]
    assert [ws[f"A{r}"].value for r in range(2, 9)] == ["WO1", "WO2", "WO3", "WO4", "WO5", None, "合计"]
    assert ws["C8"].value == "=SUM(C2:C7)"
    assert ws["A5"].border.left.style == "thin"  # the pre-formatted row's style is kept


@pytest.mark.parametrize(
    ("blank_rows", "label", "formulas", "row", "words"),
    [
        (0, "合计", 0, 5, "合计行(「合计」)"),
        (1, "总 计", 0, 6, "合计行(「总 计」)"),
        (0, "小计:", 0, 5, "合计行"),
        (2, "Total", 0, 7, "合计行(「Total」)"),
        (3, "合计", 2, 5, "预填了公式的行"),
    ],
)
def test_no_room_above_the_total_row_is_refused_naming_the_row(
    tmp_path: Path, blank_rows: int, label: str, formulas: int, row: int, words: str
) -> None:
    path = total_book(tmp_path / "total.xlsx", blank_rows, label, formulas)
    before = path.read_bytes()
    with pytest.raises(PatchRefused) as info:
        write_back(path, "工单", append_rows=[{"A": "WO4"}, {"A": "WO5"}, {"A": "WO6"}])
    message = info.value.message("zh")
    assert f"第 {row} 行是{words}" in message, message
    assert "最后一行数据(第 4 行)" in message
    assert f"row {row} of sheet '工单'" in info.value.message("en")
    assert_untouched(path, before)


def test_inline_total_label_and_formula_only_rows_are_not_data(tmp_path: Path) -> None:
    rows = [data_row(r) for r in (1, 2, 3)]
    rows.append('<row r="4" s="1" customFormat="1"/>')
    rows.append(f'<row r="5">{inline("A5", " 合 计 ")}<c r="B5"><f>SUM(B1:B3)</f><v>6</v></c></row>')
    path = make_book(tmp_path / "inline.xlsx", sheet_xml(rows, dimension="A1:B5"))
    res = write_back(path, "工单", append_rows=[{"A": "WO-NEW"}], backup=False)
    assert res.appended_rows == {"工单": [4]}
    xml = sheet_part(path)
    assert b'<row r="4" s="1" customFormat="1"><c r="A4" s="1" t="inlineStr">' in xml
    assert rows_in_order(xml) == [1, 2, 3, 4, 5]


# ---- 5. array formulas own their whole range ---------------------------------------------


def array_book(path: Path, last: int = 4) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工单")
    ws.write_row(0, 0, ["工单号", "订单号", "数量", "双倍"])
    for r in range(1, 4):
        ws.write_row(r, 0, [f"WO{r}", f"PO{r}", r * 10])
    ws.write_array_formula(f"D2:D{last}", f"{{=C2:C{last}*2}}")
    wb.close()
    return path


@pytest.mark.parametrize("ref", ["D3", "D4", "D2"])
def test_cells_of_an_array_formula_are_never_written(tmp_path: Path, ref: str) -> None:
    path = array_book(tmp_path / "array.xlsx")
    before = path.read_bytes()
    with pytest.raises(PatchRefused) as info:
        write_back(path, "工单", {(2, "B"): "PO-X", (int(ref[1:]), "D"): 99})
    assert info.value.reason_zh.startswith(f"单元格 工单!{ref} 属于数组公式区域 D2:D4")
    assert f"cell 工单!{ref} is part of the array formula range D2:D4" in info.value.message("en")
    assert_untouched(path, before)


def test_appended_row_inside_an_array_range_is_refused(tmp_path: Path) -> None:
    # The array reaches below the data; its (cached) results make rows 5-8 formula rows.
    path = array_book(tmp_path / "array.xlsx", last=8)
    before = path.read_bytes()
    with pytest.raises(PatchRefused, match="第 5 行是预填了公式的行"):
        write_back(path, "工单", append_rows=[{"A": "WO4", "D": 1}])
    assert_untouched(path, before)
    # Without cached results below the data the rows look blank: the cell is named.
    rows = [data_row(r) for r in (1, 2)]
    rows.append(f'<row r="3">{inline("A3", "WO3")}<c r="D3"><f t="array" ref="D3:E9">B3:B9*2</f>'
                "<v>6</v></c></row>")
    (tmp_path / "hand").mkdir()
    path = make_book(tmp_path / "hand" / "hand.xlsx", sheet_xml(rows, dimension="A1:E3"))
    before = path.read_bytes()
    with pytest.raises(PatchRefused, match="工单!E4 属于数组公式区域 D3:E9"):
        write_back(path, "工单", append_rows=[{"A": "WO4", "E": 1}])
    assert_untouched(path, before)


def test_cells_beside_an_array_formula_are_written(tmp_path: Path) -> None:
    path = array_book(tmp_path / "array.xlsx")
    write_back(path, "工单", {(3, "B"): "PO-X"}, backup=False)
    ws = openpyxl.load_workbook(path)["工单"]
    assert ws["B3"].value == "PO-X"
    assert ws["D2"].value.text == "=C2:C4*2"


# ---- 6. a million styled empty rows ------------------------------------------------------


def styled_rows_sheet(last: int, cells_only: bool = False) -> bytes:
    def rows() -> Iterator[str]:
        for r in range(1, 11):
            yield data_row(r)
        for r in range(11, last + 1):
            if cells_only:
                yield f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
            else:
                yield f'<row r="{r}" s="1" customFormat="1"/>'

    return sheet_xml(rows(), dimension=f"A1:B{last}")


@pytest.mark.parametrize("cells_only", [False, True])
def test_a_million_styled_empty_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cells_only: bool) -> None:
    """Correct, and without a look-up per styled row (the old code looked up every one of
    them: 43 s and 780 MB; benchmarks/bench_writeback.py --styled measures the time)."""
    path = make_book(tmp_path / "styled.xlsx", styled_rows_sheet(1_048_576, cells_only))
    lookups = 0
    real_find = patch._SheetXml.find

    def counting_find(self, n):  # type: ignore[no-untyped-def]
        nonlocal lookups
        lookups += 1
        return real_find(self, n)

    monkeypatch.setattr(patch._SheetXml, "find", counting_find)
    res = write_back_many(
        path,
        [SheetEdit("工单", {(3, "C"): "x", (900_000, "B"): 7}, [{"A": "WO-NEW1"}, {"A": "WO-NEW2"}])],
        backup=False,
    )
    assert lookups < 500
    assert res.appended_rows == {"工单": [11, 12]}
    assert res.cells_written == 4
    xml = sheet_part(path)
    ends = xml[-2000:]
    assert b'<row r="1048576"' in ends
    assert (b'<c r="A11" s="1" t="inlineStr"><is><t xml:space="preserve">WO-NEW1</t></is></c>') in xml
    assert b'<c r="B900000" s="1"><v>7</v></c>' in xml
    start = xml.index(b'<row r="11"')
    assert xml[start : start + 400].count(b"WO-NEW") == 2
