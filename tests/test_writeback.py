"""Write-back into the clerk's ledger: only the patched sheet XML changes.

The ledger is built here with xlsxwriter and holds a chart, an image, data
validation, conditional formatting, comments and a defined name; after patching,
every other zip part is byte-identical and the values read back with openpyxl,
python-calamine and LibreOffice.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gendan_xl.model import LedgerError
from gendan_xl.write.patch import (
    SheetEdit,
    WriteBackRefused,
    backup_path,
    column_index,
    column_letters,
    excel_serial,
    is_date_format,
    write_back,
    write_back_many,
)
from gendan_xl.write.patch_zip import rewrite_zip

INJECTION = '=HYPERLINK("http://x","y")'
WO_HEADERS = ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "计划开工", "计划完工", "下达日期", "状态"]
SH_HEADERS = ["出货日期", "订单号", "行号", "产品编码", "数量", "箱数", "送货单号", "签回日期", "备注"]


def tiny_png() -> bytes:
    """A valid 2x2 RGB PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def build_ledger(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = wb.add_format({"border": 1, "font_name": "微软雅黑"})
    num = wb.add_format({"border": 1, "num_format": "#,##0"})
    day = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd"})
    note = wb.add_format({"border": 1, "font_color": "#C00000"})

    wo = wb.add_worksheet("工单")
    wo.write_row(0, 0, WO_HEADERS, head)
    for i in range(3):
        r = i + 1
        wo.write_string(r, 0, f"WO20261101{i + 1:03d}", text)
        wo.write_string(r, 1, f"PO-{i + 1}", text)
        wo.write_number(r, 2, 1, num)
        wo.write_string(r, 3, f"ITEM-{i}", text)
        wo.write_number(r, 4, 1000 * (i + 1), num)
        wo.write_string(r, 5, "A线", text)
        for c in (6, 7, 8):
            wo.write_datetime(r, c, datetime(2026, 11, 2 + i + c), day)
        wo.write_string(r, 9, "未开工", text)

    sh = wb.add_worksheet("出货")
    sh.write_row(0, 0, SH_HEADERS, head)
    for i in range(5):
        r = i + 1
        sh.write_datetime(r, 0, datetime(2026, 11, 3), day)
        sh.write_string(r, 1, f"PO-{i + 1}", text)
        sh.write_number(r, 2, 1, num)
        sh.write_string(r, 3, f"ITEM-{i}", text)
        sh.write_number(r, 4, 100 * (i + 1), num)
        sh.write_number(r, 5, 2, num)
        sh.write_blank(r, 6, None, note)  # 送货单号 still blank, but formatted
        sh.write_blank(r, 7, None, day)
    sh.write_formula(4, 6, '="SH"&TEXT(A5,"yyyymmdd")', note, "SH20261103")  # G5: a formula
    sh.write_string(5, 6, "SH20261031001", note)  # G6: already numbered
    sh.write_comment("A1", "出货记录:送货单号由跟单助手分配")
    sh.write_comment("G6", "已签回")
    sh.data_validation("H2:H200", {"validate": "date", "criteria": ">", "value": date(2020, 1, 1)})
    sh.data_validation("F2:F200", {"validate": "integer", "criteria": ">=", "value": 0})
    sh.conditional_format("E2:E200", {"type": "cell", "criteria": ">", "value": 300,
                                      "format": wb.add_format({"bg_color": "#FFC7CE"})})

    overview = wb.add_worksheet("概览")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "出货数量", "categories": "=出货!$B$2:$B$6", "values": "=出货!$E$2:$E$6"})
    overview.insert_chart("B2", chart)
    overview.insert_image("J2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    wb.define_name("出货数量", "=出货!$E$2:$E$200")
    wb.define_name("工单!本表工单", "=工单!$A$2:$A$200")
    wb.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def raw_infos(path: Path) -> dict[str, tuple[int, int, int]]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (i.CRC, i.compress_size, i.file_size) for i in zf.infolist()}


def sheet_part(path: Path, name: str) -> str:
    """Resolve the worksheet part through openpyxl's own reader (an independent check)."""
    wb = openpyxl.load_workbook(path)
    idx = wb.sheetnames.index(name)
    return f"xl/worksheets/sheet{idx + 1}.xml"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return build_ledger(tmp_path / "台账.xlsx")


def do_write_back(path: Path):
    return write_back_many(
        path,
        [
            SheetEdit(
                "出货",
                cells={
                    (2, "G"): "SH20261103001",
                    (3, "G"): "SH20261103002",
                    (4, "G"): INJECTION,
                    (5, "G"): "SH20261103003",  # a formula cell: must be skipped
                },
            ),
            SheetEdit(
                "工单",
                append_rows=[
                    {"A": "WO20261103001", "B": "PO-9", "C": 1, "D": "ITEM-9", "E": 1500,
                     "F": "B线", "G": date(2026, 11, 5), "H": date(2026, 11, 9),
                     "I": date(2026, 11, 3), "J": "未开工"},
                    {"A": "WO20261103002", "B": INJECTION, "D": "ITEM-8", "E": 2.5,
                     "G": datetime(2026, 11, 6, 8, 30)},
                ],
            ),
        ],
        now=datetime(2026, 11, 3, 10, 15, 0),
    )


def test_only_patched_sheets_change(ledger: Path) -> None:
    before_parts, before_raw = parts(ledger), raw_infos(ledger)
    original = ledger.read_bytes()
    result = do_write_back(ledger)

    changed = {sheet_part(ledger, "出货"), sheet_part(ledger, "工单")}
    assert set(result.parts_changed) == changed
    after_parts, after_raw = parts(ledger), raw_infos(ledger)
    assert set(after_parts) == set(before_parts)
    for name in before_parts:
        if name in changed:
            assert after_parts[name] != before_parts[name]
        else:
            assert after_parts[name] == before_parts[name], name
            assert after_raw[name] == before_raw[name], name  # same compressed size: not recompressed
    # The features the brief names are really in there.
    names = set(before_parts)
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert any(n.startswith("xl/media/") for n in names)
    assert any(n.startswith("xl/comments") for n in names)
    sheet_xml = before_parts[sheet_part(ledger, "出货")]
    assert b"<dataValidations" in sheet_xml and b"<conditionalFormatting" in sheet_xml
    assert b"<definedName" in before_parts["xl/workbook.xml"]

    assert result.backup == ledger.with_name("台账.bak-20261103-101500.xlsx")
    assert result.backup.read_bytes() == original
    assert result.cells_written == 3 + 10 + 5
    assert result.appended_rows == {"工单": [5, 6]} and result.rows_appended == 2
    assert result.skipped_formulas == ["出货!G5"]
    with zipfile.ZipFile(ledger) as zf:
        assert zf.testzip() is None


def test_values_read_back_with_openpyxl(ledger: Path) -> None:
    before = openpyxl.load_workbook(ledger)
    do_write_back(ledger)
    wb = openpyxl.load_workbook(ledger)
    sh, wo = wb["出货"], wb["工单"]
    assert [sh[f"G{r}"].value for r in range(2, 7)] == [
        "SH20261103001", "SH20261103002", INJECTION, '="SH"&TEXT(A5,"yyyymmdd")', "SH20261031001"
    ]
    assert sh["G4"].data_type == "s"  # text, not a formula
    assert sh["G5"].data_type == "f"
    # Patched cells keep their style.
    for r in (2, 3, 4):
        assert sh[f"G{r}"].font.color.rgb == before["出货"][f"G{r}"].font.color.rgb
        assert sh[f"G{r}"].border.left.style == "thin"
    # Appended rows: below the last row holding a value.
    assert wo["A5"].value == "WO20261103001"
    assert wo["A6"].value == "WO20261103002"
    assert wo["E5"].value == 1500 and wo["E6"].value == 2.5
    assert wo["G5"].value == datetime(2026, 11, 5)
    assert wo["G5"].number_format == "yyyy-mm-dd"
    assert wo["G6"].value == datetime(2026, 11, 6, 8, 30)
    assert wo["I5"].value == datetime(2026, 11, 3)
    assert wo["E5"].number_format == "#,##0"
    assert wo["A5"].border.left.style == "thin" and wo["A5"].font.name == "微软雅黑"
    assert wo["B6"].value == INJECTION and wo["B6"].data_type == "s"
    assert wo["C6"].value is None
    # The original rows are untouched.
    assert [c.value for c in wo[2]] == [c.value for c in before["工单"][2]]
    assert sh.max_row == before["出货"].max_row


def test_appended_rows_go_below_last_value_row(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"))
    ws = wb.add_worksheet("工单")
    ws.write_row(0, 0, WO_HEADERS)
    ws.write_row(1, 0, ["WO1", "PO1"])
    fmt = wb.add_format({"border": 1})
    for r in range(2, 20):  # formatted but empty rows below the data
        ws.write_blank(r, 0, None, fmt)
    wb.close()
    res = write_back(tmp_path / "plain.xlsx", "工单", append_rows=[{"A": "WO2"}, {"A": "WO3"}])
    assert res.appended_rows == {"工单": [3, 4]}
    got = openpyxl.load_workbook(tmp_path / "plain.xlsx")["工单"]
    assert [got[f"A{r}"].value for r in range(1, 6)] == ["工单号", "WO1", "WO2", "WO3", None]
    assert got["A3"].border.left.style == "thin"


def test_rows_appended_below_a_table_extend_it(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工单")
    ws.add_table("A1:C3", {"name": "工单表", "columns": [{"header": h} for h in WO_HEADERS[:3]],
                           "data": [["WO1", "PO1", 1], ["WO2", "PO2", 2]]})
    ws.add_table("E1:F3", {"name": "Totals", "total_row": True,
                           "columns": [{"header": "x"}, {"header": "y", "total_function": "sum"}],
                           "data": [[1, 2]]})
    wb.close()
    before = parts(path)
    res = write_back(path, "工单", append_rows=[{"A": "WO3", "B": "PO3", "C": 3}])
    assert res.appended_rows == {"工单": [4]}
    after = parts(path)
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml"}
    assert b'ref="A1:C4"' in after["xl/tables/table1.xml"]
    assert after["xl/tables/table1.xml"].count(b'ref="A1:C4"') == 2  # table and its autoFilter
    table = openpyxl.load_workbook(path)["工单"].tables["工单表"]
    assert table.ref == "A1:C4"
    assert lint_xlsx_clean(path)


def lint_xlsx_clean(path: Path) -> bool:
    from xlsx_lint import lint_xlsx

    problems = lint_xlsx(path)
    assert problems == []
    return True


def test_values_read_back_with_calamine(ledger: Path) -> None:
    do_write_back(ledger)
    wb = CalamineWorkbook.from_path(str(ledger))
    sh = wb.get_sheet_by_name("出货").to_python()
    assert [row[6] for row in sh[1:6]] == [
        "SH20261103001", "SH20261103002", INJECTION, "SH20261103", "SH20261031001"
    ]
    wo = wb.get_sheet_by_name("工单").to_python()
    assert wo[4][0] == "WO20261103001"
    assert wo[4][4] == 1500
    assert wo[4][6] == date(2026, 11, 5)
    assert wo[5][1] == INJECTION


def test_dimension_follows_appended_rows(ledger: Path) -> None:
    do_write_back(ledger)
    xml = parts(ledger)[sheet_part(ledger, "工单")]
    assert b'<dimension ref="A1:J6"/>' in xml


def test_refuses_when_open_in_excel(ledger: Path) -> None:
    original = ledger.read_bytes()
    owner = ledger.with_name("~$" + ledger.name)
    owner.write_bytes(b"\x08clerk")
    with pytest.raises(WriteBackRefused) as info:
        write_back(ledger, "出货", {(2, "G"): "SH1"})
    assert "Excel" in info.value.message("zh") and "~$" in info.value.message("zh")
    assert info.value.message("zh").startswith(str(ledger))
    assert "open in Excel" in info.value.message("en")
    assert ledger.read_bytes() == original
    assert sorted(p.name for p in ledger.parent.iterdir()) == sorted([ledger.name, owner.name])


def test_refuses_when_open_in_libreoffice(ledger: Path) -> None:
    ledger.with_name(f".~lock.{ledger.name}#").write_text("x")
    with pytest.raises(WriteBackRefused):
        write_back(ledger, "出货", {(2, "G"): "SH1"})


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions as a non-root user")
def test_refuses_when_locked(ledger: Path) -> None:
    ledger.chmod(0o444)
    try:
        with pytest.raises(WriteBackRefused):
            write_back(ledger, "出货", {(2, "G"): "SH1"})
    finally:
        ledger.chmod(0o644)


def test_refuses_when_another_program_holds_the_file(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows, where Excel opens the file without sharing write access."""
    import builtins

    real_open = builtins.open

    def locked_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(file) == ledger and "+" in mode:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked_open)
    with pytest.raises(WriteBackRefused) as info:
        write_back(ledger, "出货", {(2, "G"): "SH1"})
    assert "占用" in info.value.message("zh") and "locked" in info.value.message("en")


def test_refuses_when_file_changes_during_write(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gendan_xl.write.patch as patch_mod

    real = patch_mod.rewrite_zip

    def clerk_saves_meanwhile(raw, replacements, out):  # type: ignore[no-untyped-def]
        real(raw, replacements, out)
        ledger.write_bytes(raw + b"")  # same bytes, new mtime: someone saved it
        os.utime(ledger, ns=(0, 10**9))

    monkeypatch.setattr(patch_mod, "rewrite_zip", clerk_saves_meanwhile)
    original = ledger.read_bytes()
    with pytest.raises(WriteBackRefused):
        write_back(ledger, "出货", {(2, "G"): "SH1"})
    assert ledger.read_bytes() == original
    assert [p.name for p in ledger.parent.iterdir()] == [ledger.name]  # no backup, no temp file left


def test_refuses_other_formats_and_missing_sheet(tmp_path: Path, ledger: Path) -> None:
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"x")
    with pytest.raises(LedgerError):
        write_back(xls, "出货", {(2, "G"): "SH1"})
    with pytest.raises(LedgerError) as info:
        write_back(ledger, "发货", {(2, "G"): "SH1"})
    assert "发货" in info.value.message("zh") and "出货" in info.value.message("zh")


def test_nothing_to_do_leaves_file_alone(ledger: Path) -> None:
    original = ledger.read_bytes()
    res = write_back(ledger, "出货", {(5, "G"): "SH1"})  # only a formula cell
    assert res.backup is None and res.skipped_formulas == ["出货!G5"] and res.cells_written == 0
    assert ledger.read_bytes() == original
    assert len(list(ledger.parent.iterdir())) == 1


def test_backup_names_do_not_collide(tmp_path: Path) -> None:
    p = tmp_path / "台账.xlsm"
    stamp = datetime(2026, 11, 3, 9, 0, 0)
    first = backup_path(p, stamp)
    assert first.name == "台账.bak-20261103-090000.xlsm"
    first.write_text("x")
    assert backup_path(p, stamp).name == "台账.bak-20261103-090000-2.xlsm"


# ---- hand-written sheet XML: prefixes, self-closing rows, implicit refs ----------------

_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/s1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/s2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WB = """<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<x:sheets><x:sheet name="出货" sheetId="1" r:id="rId7"/><x:sheet name="Empty" sheetId="2" r:id="rId8"/></x:sheets>
</x:workbook>"""
_WB_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/s2.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/s1.xml"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0&quot;pcs&quot;"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"><alignment horizontal="center"/></xf></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_SHEET1 = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:C4"/>
<x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>订单号</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>数量</x:t></x:is></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>送货单号</x:t></x:is></x:c></x:row>
<x:row r="2" spans="1:2"><x:c t="inlineStr"><x:is><x:t>PO-1</x:t></x:is></x:c><x:c s="1"><x:v>5</x:v></x:c></x:row>
<x:row r="3"/>
<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>PO-4</x:t></x:is></x:c><x:c r="C4" s="2"><x:f>A4&amp;"x"</x:f><x:v>PO-4x</x:v></x:c></x:row>
</x:sheetData>
</x:worksheet>"""
_SHEET2 = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData/></worksheet>"""


def handmade(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("xl/worksheets/s1.xml", _SHEET1)
        zf.writestr("xl/worksheets/s2.xml", _SHEET2)
    return path


def test_prefixed_xml_self_closing_rows_and_missing_cells(tmp_path: Path) -> None:
    path = handmade(tmp_path / "hand.xlsx")
    res = write_back(
        path, "出货",
        {(2, "C"): "SH001", (3, "B"): 7, (4, "C"): "no", (4, "B"): 1.25, (9, "A"): "far"},
        append_rows=[{"A": "PO-5", "C": "SH002"}],
    )
    assert res.skipped_formulas == ["出货!C4"]
    assert res.appended_rows == {"出货": [5]}
    assert res.parts_changed == ["xl/worksheets/s1.xml"]
    xml = parts(path)["xl/worksheets/s1.xml"].decode()
    assert '<x:row r="2" spans="1:3"><x:c r="A2" t="inlineStr">' in xml  # implicit refs made explicit
    assert '<x:c r="C2" t="inlineStr"><x:is><x:t xml:space="preserve">SH001</x:t></x:is></x:c>' in xml
    assert '<x:row r="3"><x:c r="B3" s="1"><x:v>7</x:v></x:c></x:row>' in xml  # style from above
    assert '<x:dimension ref="A1:C9"/>' in xml
    assert xml.index('r="5"') < xml.index('r="9"')
    wb = openpyxl.load_workbook(path)
    ws = wb["出货"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=9, max_col=3)]
    assert rows == [
        ["订单号", "数量", "送货单号"], ["PO-1", 5, "SH001"], [None, 7, None],
        ["PO-4", 1.25, '=A4&"x"'], ["PO-5", None, "SH002"], [None] * 3, [None] * 3, [None] * 3,
        ["far", None, None],
    ]
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("出货").to_python()
    assert cal[1] == ["PO-1", 5, "SH001"] and cal[8][0] == "far"


def test_numpy_row_numbers_are_accepted(tmp_path: Path) -> None:
    import numpy as np

    path = handmade(tmp_path / "hand.xlsx")
    res = write_back(path, "出货", {(np.int64(2), "C"): "SH9"})
    assert res.cells_written == 1


def test_empty_sheet_and_date_style_added_when_column_has_none(tmp_path: Path) -> None:
    path = handmade(tmp_path / "hand.xlsx")
    before = parts(path)
    res = write_back(path, "Empty", append_rows=[{"A": "x", "B": date(2026, 11, 3)}])
    assert res.appended_rows == {"Empty": [1]}
    assert res.parts_changed == ["xl/styles.xml", "xl/worksheets/s2.xml"]
    after = parts(path)
    assert b'<cellXfs count="4">' in after["xl/styles.xml"]
    assert after["xl/styles.xml"].replace(b'count="4"', b'count="3"').replace(
        b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>', b""
    ) == before["xl/styles.xml"]
    ws = openpyxl.load_workbook(path)["Empty"]
    assert ws["A1"].value == "x"
    assert ws["B1"].value == datetime(2026, 11, 3)
    assert ws["B1"].is_date


def test_date_variant_keeps_the_cells_font_and_alignment(tmp_path: Path) -> None:
    path = handmade(tmp_path / "hand.xlsx")
    # C5 is new: it takes C4's style (bold, centred, General); no date style above in C,
    # so a date variant of that style is added to styles.xml.
    res = write_back(path, "出货", {(5, "C"): date(2026, 11, 3)})
    assert res.parts_changed == ["xl/styles.xml", "xl/worksheets/s1.xml"]
    ws = openpyxl.load_workbook(path)["出货"]
    cell = ws["C5"]
    assert cell.is_date and cell.value == datetime(2026, 11, 3)
    assert cell.font.b and cell.alignment.horizontal == "center"


def test_strings_that_look_like_formulas_or_markup_stay_text(tmp_path: Path) -> None:
    path = handmade(tmp_path / "hand.xlsx")
    values = [INJECTION, "<b>&amp;</b>", "  lead and trail  ", "line1\r\nline2", "+1", "@SUM(A1)",
              "bell\x07", "中文 全角１２３"]
    write_back(path, "Empty", {(i + 1, "A"): v for i, v in enumerate(values)})
    got = [r[0] for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Empty").to_python()]
    expected = [v.replace("\x07", "") for v in values]
    assert got == expected
    ws = openpyxl.load_workbook(path)["Empty"]
    assert [ws.cell(i + 1, 1).value for i in range(len(values))] == expected
    assert all(ws.cell(i + 1, 1).data_type == "s" for i in range(len(values)))


def test_1904_date_system_and_serials() -> None:
    assert excel_serial(date(2026, 11, 3)) == 46329
    assert excel_serial(date(2026, 11, 3), date1904=True) == 46329 - 1462
    assert excel_serial(datetime(2026, 11, 3, 12)) == 46329.5
    assert column_index("A") == 1 and column_index("XFD") == 16384
    assert [column_letters(n) for n in (1, 26, 27, 702, 703)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert is_date_format("yyyy/m/d") and is_date_format('[$-804]yyyy"年"m"月"d"日"')
    assert not is_date_format('0.0"pcs"') and not is_date_format("#,##0_);[Red](#,##0)")
    assert not is_date_format("General")


def test_bad_addresses_are_rejected(ledger: Path) -> None:
    with pytest.raises(ValueError):
        write_back(ledger, "出货", {(0, "G"): "x"})
    with pytest.raises(ValueError):
        write_back(ledger, "出货", {(2, "G1"): "x"})


def test_zip_rewrite_keeps_comment_and_falls_back_for_zip64(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.xml", b"<a/>" * 100)
        zf.writestr("b.bin", os.urandom(100), compress_type=zipfile.ZIP_STORED)
        zf.comment = b"hello"
    out = io.BytesIO()
    rewrite_zip(buf.getvalue(), {"a.xml": b"<b/>"}, out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert zf.read("a.xml") == b"<b/>" and zf.comment == b"hello" and zf.testzip() is None
    # A zip64 package (forced) goes through zipfile and still round-trips.
    buf64 = io.BytesIO()
    with zipfile.ZipFile(buf64, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf, \
            zf.open("big.xml", "w", force_zip64=True) as fh:
        fh.write(b"<x/>")
    out64 = io.BytesIO()
    rewrite_zip(buf64.getvalue(), {"big.xml": b"<y/>"}, out64)
    with zipfile.ZipFile(io.BytesIO(out64.getvalue())) as zf:
        assert zf.read("big.xml") == b"<y/>"


# ---- the real client ---------------------------------------------------------------------


@pytest.mark.libreoffice
def test_patched_file_opens_in_libreoffice(ledger: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    """LibreOffice loads the patched ledger and sees the new values (the shared ``soffice``
    fixture skips without LibreOffice, or fails when GENDAN_REQUIRE_LIBREOFFICE=1)."""
    do_write_back(ledger)
    converted = soffice.convert(ledger, "xlsx")
    assert converted.exists(), "LibreOffice could not load the patched workbook"
    wb = openpyxl.load_workbook(converted)
    assert wb["出货"]["G2"].value == "SH20261103001"
    assert wb["出货"]["G4"].value == INJECTION
    assert wb["工单"]["A6"].value == "WO20261103002"
    assert wb["工单"]["G5"].value == datetime(2026, 11, 5)


def test_patched_file_passes_the_structural_checks(ledger: Path) -> None:
    from xlsx_lint import lint_xlsx

    do_write_back(ledger)
    assert lint_xlsx(ledger) == []


# ---- property: patched cells read back, every other cell is unchanged --------------------

_BASE: dict[str, bytes] = {}


def _base_book() -> bytes:
    if "book" not in _BASE:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "base.xlsx"
            wb = xlsxwriter.Workbook(str(path))
            ws = wb.add_worksheet("出货")
            day = wb.add_format({"num_format": "yyyy-mm-dd"})
            for r in range(12):
                for c in range(5):
                    if (r + c) % 4 == 3:
                        continue  # leave holes: absent cells
                    if c == 2:
                        ws.write_datetime(r, c, datetime(2026, 1, 1 + r), day)
                    elif c == 3:
                        ws.write_number(r, c, r * 10 + c)
                    else:
                        ws.write_string(r, c, f"v{r}-{c}")
            ws.write_formula(4, 4, "=D5*2", None, 80)  # E5
            wb.close()
            _BASE["book"] = path.read_bytes()
    return _BASE["book"]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_numbers = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
_dates = st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31))
# Columns hold one kind of value each, as a ledger's do (a number written under a date
# takes the date format of the cells above, as it would in Excel).
_by_column = {"A": _text, "B": _text, "C": _text | _dates, "D": _text | _numbers, "E": _numbers,
              "F": _dates, "G": _text | _numbers}
_cells = st.lists(
    st.sampled_from(sorted(_by_column)).flatmap(
        lambda col: st.tuples(st.integers(1, 16), st.just(col), _by_column[col])
    ),
    min_size=1, max_size=12,
).map(lambda items: {(r, c): v for r, c, v in items})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=_cells)
def test_patched_cells_read_back_and_nothing_else_changes(cells: dict[tuple[int, str], object]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.xlsx"
        path.write_bytes(_base_book())
        before = openpyxl.load_workbook(path)["出货"]
        old = {(c.row, c.column_letter): c.value for row in before.iter_rows() for c in row}
        res = write_back(path, "出货", cells, backup=False)
        after = openpyxl.load_workbook(path)["出货"]
        new = {(c.row, c.column_letter): c.value for row in after.iter_rows() for c in row}
    expected = dict(old)
    for key, value in cells.items():
        if key == (5, "E"):
            continue  # the formula cell
        if isinstance(value, date):
            value = datetime(value.year, value.month, value.day)
        elif value == "":
            value = None  # an empty text clears the cell
        expected[key] = value
    assert res.skipped_formulas == (["出货!E5"] if (5, "E") in cells else [])
    keys = set(expected) | set(new)
    for key in keys:
        want, got = expected.get(key), new.get(key)
        if isinstance(want, float) and isinstance(got, float):
            assert got == pytest.approx(want, rel=1e-15), key
        else:
            assert got == want, key
