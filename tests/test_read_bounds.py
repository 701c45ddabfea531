"""Reading that can't be blown up (issue 10, item 8).

A stray value far away (``出货!XFD1048576``) made the Rust reader allocate the
whole rectangle up to it (512 GB: the process aborted). Valid files the scan did
not understand (cells without ``r=``, shared strings under another part name)
came out as "missing sheet", a cut sheet XML was not called damaged, and .xls
content under a .xlsx name was "invalid Zip archive".

The far-cell checks run ``check`` in a child process whose address space is
capped at 2 GB, so the old behaviour fails the test (the allocation aborts the
child) instead of eating the CI machine's memory.
"""

from __future__ import annotations

import copy
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from helpers import make_workbook
from lo import Soffice
from test_checks import BASE

from gendan_xl import cli
from gendan_xl.engine import check

AS_OF = date(2026, 11, 20)
BASE_COUNTS = {"订单": 4, "产品": 2, "产线": 2, "工单": 3, "生产日报": 3, "出货": 3, "客户": 2}
# 出货 columns: A 出货日期, B 订单号, C 行号, D 数量, E 送货单号, F 签回日期
SHIP_ROWS = 200


def ledger_with_200_shipments(path: Path) -> Path:
    """BASE, with 200 more 出货 rows (rows 5-204) of SO3-1 (already 完成, so no
    extra findings): 200 rows of real data."""
    sheets = copy.deepcopy(BASE)
    for i in range(SHIP_ROWS):
        sheets["出货"].append([date(2026, 11, 5), "SO3", "1", 0, f"DN{100 + i}", date(2026, 11, 6)])
    return make_workbook(path, sheets)


def edit_part(path: Path, part: str, edit: Callable[[bytes], bytes]) -> Path:
    """Rewrite one zip member in place (the others byte for byte)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, edit(data) if info.filename == part else data)
    path.write_bytes(buf.getvalue())
    return path


def sheet_part(path: Path, sheet: str) -> str:
    from gendan_xl.read.xlsxscan import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)[sheet]


def add_cells(path: Path, sheet: str, xml: bytes) -> Path:
    """Append row XML at the end of a sheet's data."""
    return edit_part(path, sheet_part(path, sheet), lambda d: d.replace(b"</sheetData>", xml + b"</sheetData>"))


CHILD = r"""
import json, resource, sys
from datetime import date
from pathlib import Path
cap = 2 << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from gendan_xl.engine import check
result = check(Path(sys.argv[1]), date(2026, 11, 20))
print(json.dumps({
    "counts": result.ledger.row_counts,
    "issues": sorted([i.code, i.ref.sheet, i.ref.cell] for i in result.issues),
    "rows": result.ledger["shipments"]["_row"].tolist()[-2:],
    "notes": [v for v in result.ledger["shipments"]["note_no"].tolist()[-1:]],
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
}, ensure_ascii=False, default=str))
"""


def check_capped(path: Path) -> dict[str, Any]:
    """``check`` in a child process limited to 2 GB of address space."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ------------------------------------------------------------------ far cells


def same_without(path: Path, tmp: Path) -> dict[str, Any]:
    """What check says of the ledger before the edit (a copy kept aside)."""
    clean = tmp / "clean" / path.name
    clean.parent.mkdir(exist_ok=True)
    clean.write_bytes(path.read_bytes())
    return check_capped(clean)


@pytest.mark.parametrize("ref", ["XFD1048576", "XFD5000"])
def test_a_stray_far_value_costs_nothing(tmp_path: Path, ref: str) -> None:
    """A value outside the table's columns is ignored like any unknown column:
    the findings are exactly those without it, and reading stays within the
    data's size (under the child's 2 GB cap, and under 1 GB peak)."""
    path = ledger_with_200_shipments(tmp_path / "台账.xlsx")
    expected = same_without(path, tmp_path)
    row = re.sub(r"[A-Z]", "", ref)
    add_cells(path, "出货", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode())
    got = check_capped(path)
    assert got["counts"] == {**BASE_COUNTS, "出货": 3 + SHIP_ROWS}
    assert got["issues"] == expected["issues"] and got["issues"]
    assert got["rows"] == [203, 204]
    assert got["peak_mb"] < 1024


def test_a_far_value_in_a_known_column_is_still_read(tmp_path: Path) -> None:
    """A 送货单号 typed in row 1048576 is a shipment row like any other: read, and
    its missing 出货日期/订单号/数量 are reported at that row."""
    path = ledger_with_200_shipments(tmp_path / "台账.xlsx")
    add_cells(path, "出货", b'<row r="1048576"><c r="E1048576" t="inlineStr"><is><t>DN999</t></is></c></row>')
    got = check_capped(path)
    assert got["counts"]["出货"] == 3 + SHIP_ROWS + 1
    assert got["rows"] == [204, 1048576]
    assert got["notes"] == ["DN999"]
    assert ["missing-value", "出货", "A1048576"] in got["issues"]
    assert ["missing-value", "出货", "B1048576"] in got["issues"]


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="XFD1048576" s="1"/>',  # a format only
        b'<c r="XFD1048576" s="1" t="inlineStr"><is><t></t></is></c>',  # empty text: looks blank
    ],
    ids=["style-only", "empty-text"],
)
def test_a_far_cell_that_looks_blank_and_a_bogus_dimension(tmp_path: Path, cell: bytes) -> None:
    path = ledger_with_200_shipments(tmp_path / "台账.xlsx")
    expected = same_without(path, tmp_path)
    part = sheet_part(path, "出货")
    edit_part(
        path,
        part,
        lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d).replace(
            b"</sheetData>", b'<row r="1048576">' + cell + b"</row></sheetData>"
        ),
    )
    got = check_capped(path)
    assert got["counts"] == {**BASE_COUNTS, "出货": 3 + SHIP_ROWS}
    assert got["issues"] == expected["issues"]


def test_far_value_cells_keep_their_types(tmp_path: Path) -> None:
    """The cell-by-cell path types values as the Rust reader does: dates from the
    style, shared strings, numbers; found problems stay at their physical cells."""
    path = tmp_path / "台账.xlsx"
    wb = xlsxwriter.Workbook(path)  # shared strings and styled dates, as Excel writes
    fmt = wb.add_format({"num_format": "yyyy/m/d"})
    for name, rows in BASE.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(r, c, v, fmt)
                elif v is not None:
                    ws.write(r, c, v)
    wb.get_worksheet_by_name("出货").write(4, 3, "十")  # D5: a bad number
    wb.get_worksheet_by_name("出货").write(4, 0, date(2026, 11, 5), fmt)
    # XFD200: 3.3M cells as a rectangle, enough to send the sheet cell by cell.
    wb.get_worksheet_by_name("出货").write(199, 16383, "far")
    wb.close()
    result = check(path, AS_OF)
    ships = result.ledger["shipments"]
    assert ships["ship_date"].tolist()[0].date() == date(2026, 11, 12)
    assert ships["order_no"].tolist()[:3] == ["SO1", "SO1", "SO3"]
    assert ships["qty"].tolist()[:3] == [100, 30, 20]
    assert ("bad-number", "出货", "D5") in {(i.code, i.ref.sheet, i.ref.cell) for i in result.issues}


# ------------------------------------------------------------------ valid but unusual xlsx


def xlsxwriter_base(path: Path) -> Path:
    wb = xlsxwriter.Workbook(path)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in BASE.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(r, c, v, fmt)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return path


def rewrite_sheets(path: Path, edit: Callable[[bytes], bytes]) -> Path:
    with zipfile.ZipFile(path) as zf:
        parts = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    for part in parts:
        edit_part(path, part, edit)
    return path


def assert_base(path: Path) -> None:
    result = check(path, AS_OF)
    assert sorted((i.code, i.ref.sheet, i.ref.cell) for i in result.issues) == []
    assert result.ledger.row_counts == BASE_COUNTS
    assert result.ledger["shipments"]["_row"].tolist() == [2, 3, 4]
    assert result.ledger["orders"]["due_date"].tolist()[0].date() == date(2026, 12, 20)


def test_cells_without_r_attributes(tmp_path: Path) -> None:
    """Positions implied by order (valid OOXML; some generators write it)."""
    path = rewrite_sheets(xlsxwriter_base(tmp_path / "台账.xlsx"), lambda d: re.sub(rb' r="[A-Z]+\d+"', b"", d))
    assert_base(path)


def test_rows_and_cells_without_r_attributes(tmp_path: Path) -> None:
    path = xlsxwriter_base(tmp_path / "台账.xlsx")
    rewrite_sheets(path, lambda d: re.sub(rb'<row r="\d+"', b"<row", re.sub(rb' r="[A-Z]+\d+"', b"", d)))
    assert_base(path)


def test_shared_strings_under_another_part_name(tmp_path: Path) -> None:
    """The relationship names the part; it need not be xl/sharedStrings.xml."""
    src = xlsxwriter_base(tmp_path / "src.xlsx")
    path = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = info.filename
            if name == "xl/sharedStrings.xml":
                name = "xl/strings1.xml"
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"sharedStrings.xml", b"strings1.xml")
            zout.writestr(name, data)
    assert_base(path)


def test_no_shared_strings_part(tmp_path: Path) -> None:
    """Every string inline, no sharedStrings part at all (and its relationship gone)."""
    path = xlsxwriter_base(tmp_path / "台账.xlsx")
    with zipfile.ZipFile(path) as zf:
        items = re.findall(rb"<si>(.*?)</si>", zf.read("xl/sharedStrings.xml"), re.S)

    def inline(data: bytes) -> bytes:
        return re.sub(
            rb'<c r="([A-Z]+\d+)"( s="\d+")? t="s"><v>(\d+)</v></c>',
            lambda m: b'<c r="' + m.group(1) + b'"' + (m.group(2) or b"") + b' t="inlineStr"><is>'
            + items[int(m.group(3))] + b"</is></c>",
            data,
        )

    rewrite_sheets(path, inline)
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == "xl/sharedStrings.xml":
                continue
            data = zin.read(info.filename)
            data = re.sub(rb"<(Relationship|Override) [^>]*sharedStrings[^>]*/>", b"", data)
            zout.writestr(info.filename, data)
    path.write_bytes(buf.getvalue())
    assert_base(path)


# ------------------------------------------------------------------ damaged


def cut_sheet(tmp: Path, keep: float) -> Path:
    path = ledger_with_200_shipments(tmp / "坏.xlsx")
    return edit_part(path, sheet_part(path, "出货"), lambda d: d[: int(len(d) * keep)])


@pytest.mark.parametrize("keep", [0.5, 0.97, 0.02])
def test_a_cut_sheet_is_a_damaged_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], keep: float) -> None:
    path = cut_sheet(tmp_path, keep)
    for lang, words in (("zh", "文件已损坏"), ("en", "damaged")):
        code = cli.main(["check", str(path), "--lang", lang])
        out, err = capsys.readouterr()
        assert code == 2, (out, err)
        assert out == ""
        assert len(err.splitlines()) == 1 and "坏.xlsx" in err and "出货" in err, err
        assert words in err
        assert "Traceback" not in err and "程序内部错误" not in err


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.replace(b'<row r="100"', b'<row r="100"><c r="A100"><v>1</v></row><row r="100x"', 1),
        lambda d: d.replace(b"DN150", b"DN\xff\xfe", 1),  # not UTF-8
    ],
    ids=["unclosed-cell", "bad-utf8"],
)
def test_garbage_in_a_sheet_is_a_damaged_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[bytes], bytes]
) -> None:
    path = ledger_with_200_shipments(tmp_path / "坏.xlsx")
    edit_part(path, sheet_part(path, "出货"), edit)
    code = cli.main(["check", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and "文件已损坏" in err and len(err.splitlines()) == 1, err


def test_a_missing_sheet_part_is_a_damaged_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger_with_200_shipments(tmp_path / "坏.xlsx")
    part = sheet_part(path, "出货")
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info.filename, zin.read(info.filename))
    path.write_bytes(buf.getvalue())
    code = cli.main(["check", str(path)])
    _, err = capsys.readouterr()
    assert code == 2 and "文件已损坏" in err and "出货" in err, err


# ------------------------------------------------------------------ content decides, not the name


@pytest.mark.parametrize("name", ["台账.xlsx", "台账.xlsm"])
def test_xls_content_under_an_xlsx_name(soffice: Soffice, tmp_path: Path, name: str) -> None:
    src = make_workbook(tmp_path / "src" / "台账.xlsx", copy.deepcopy(BASE))
    xls = soffice.convert(src, "xls:MS Excel 97", tmp_path / "xls")
    path = xls.rename(tmp_path / name)
    result = check(path, AS_OF)
    assert result.ledger.row_counts == BASE_COUNTS
    assert sorted((i.code, i.ref.sheet, i.ref.cell) for i in result.issues) == []


def test_ods_content_under_an_xlsx_name(soffice: Soffice, tmp_path: Path) -> None:
    src = make_workbook(tmp_path / "src" / "台账.xlsx", copy.deepcopy(BASE))
    path = soffice.convert(src, "ods", tmp_path / "ods").rename(tmp_path / "台账.xlsx")
    assert check(path, AS_OF).ledger.row_counts == BASE_COUNTS


@pytest.mark.parametrize("name", ["台账.xls", "台账.xlsb", "台账.ods"])
def test_xlsx_content_under_another_name(tmp_path: Path, name: str) -> None:
    """(Until now an .xlsx renamed .xlsb was refused as unusable: it is read.)"""
    path = make_workbook(tmp_path / "src.xlsx", copy.deepcopy(BASE)).rename(tmp_path / name)
    assert check(path, AS_OF).ledger.row_counts == BASE_COUNTS


# ------------------------------------------------------------------ .xlsb through calamine


def xlsb_shipments(path: Path, far: tuple[int, int] | None = None, stated: tuple[int, int] | None = None) -> Path:
    """出货 (BASE) as .xlsb, with a number record at ``far`` (row, col, 0-based)
    and/or a BrtWsDim claiming the range up to ``stated``."""
    import struct

    from test_read import make_xlsb

    from gendan_xl.read import xlsbscan

    rows: list[list[Any]] = [list(r) for r in BASE["出货"]]
    for r in rows[1:]:
        r[0] = r[0].toordinal() - date(1899, 12, 30).toordinal()  # dates as serials
        r[5] = r[5].toordinal() - date(1899, 12, 30).toordinal() if r[5] else None
    make_xlsb(path, "出货", rows, 1, 1)
    with zipfile.ZipFile(path) as zf:
        part = xlsbscan.sheet_parts(zf)["出货"]

    def edit(data: bytes) -> bytes:
        if far is not None:
            row_hdr = next((s, e) for k, s, e in xlsbscan.records(data) if k == xlsbscan.BRT_ROW_HDR)
            payload = struct.pack("<I", far[0]) + data[row_hdr[0] + 4 : row_hdr[1]]
            row = b"\x00" + bytes([len(payload)]) + payload
            cell = b"\x05\x10" + struct.pack("<II", far[1], 0) + struct.pack("<d", 1.0)
            end = data.rfind(b"\x92\x01\x00")  # BrtEndSheetData
            data = data[:end] + row + cell + data[end:]
        if stated is not None:
            dim = next((s, e) for k, s, e in xlsbscan.records(data) if k == xlsbscan.BRT_WS_DIM)
            data = data[: dim[0]] + struct.pack("<IIII", 0, stated[0], 0, stated[1]) + data[dim[0] + 16 :]
        return data

    return edit_part(path, part, edit)


CHECK_CHILD = r"""
import resource, sys
cap = int(sys.argv[3]) << 30
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from gendan_xl import cli
raise SystemExit(cli.main(["check", sys.argv[1], "--lang", sys.argv[2]]))
"""


def check_cli_capped(path: Path, lang: str = "zh", gigabytes: int = 2) -> subprocess.CompletedProcess[str]:
    """``gendan check`` in a child process limited to ``gigabytes`` of address space."""
    return subprocess.run(
        [sys.executable, "-c", CHECK_CHILD, str(path), lang, str(gigabytes)],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def test_xlsb_with_a_far_value_is_refused_clearly(tmp_path: Path) -> None:
    """calamine can't read it bounded: a clear exit 2, never an abort."""
    path = xlsb_shipments(tmp_path / "出货.xlsb", far=(1048575, 16383))
    for lang, words in (("zh", "远处"), ("en", "far away")):
        proc = check_cli_capped(path, lang)
        assert proc.returncode == 2, proc.stderr[-2000:]
        assert len(proc.stderr.splitlines()) == 1 and "出货.xlsb" in proc.stderr and words in proc.stderr


def test_xlsb_with_a_large_stated_range_but_no_far_value(tmp_path: Path) -> None:
    path = xlsb_shipments(tmp_path / "出货.xlsb", stated=(1048575, 16383))
    proc = check_cli_capped(path)
    assert proc.returncode in (0, 1) and "出货 3 行" in proc.stdout, proc.stdout + proc.stderr


def test_xlsb_with_a_near_value_is_read(tmp_path: Path) -> None:
    path = xlsb_shipments(tmp_path / "出货.xlsb", far=(20, 10))
    proc = check_cli_capped(path)
    assert proc.returncode in (0, 1) and "出货 3 行" in proc.stdout, proc.stdout + proc.stderr


# ------------------------------------------------------------------ .ods and .xls through calamine


def far_book(tmp: Path, ref: str) -> Path:
    """The 200-shipment ledger with "x" at 出货!``ref`` (openpyxl can address any cell)."""
    from openpyxl import load_workbook

    path = ledger_with_200_shipments(tmp / "src" / "台账.xlsx")
    wb = load_workbook(path)
    wb["出货"][ref] = "x"
    wb.save(path)
    return path


@pytest.mark.parametrize("ref", ["AMJ1048576", "AMJ60000"])
def test_ods_with_a_far_value_is_refused_clearly(soffice: Soffice, tmp_path: Path, ref: str) -> None:
    """calamine parses a whole .ods when opening it: a far value is refused before
    (at AMJ60000 it would allocate about 2 GB; beyond 100M cells it refuses itself,
    with a message saying the file is corrupt)."""
    path = soffice.convert(far_book(tmp_path, ref), "ods", tmp_path / "ods")
    proc = check_cli_capped(path, "en")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(proc.stderr.splitlines()) == 1 and "far away" in proc.stderr and "出货" in proc.stderr


def test_ods_with_a_near_value_is_read(soffice: Soffice, tmp_path: Path) -> None:
    path = soffice.convert(far_book(tmp_path, "K300"), "ods", tmp_path / "ods")
    proc = check_cli_capped(path)
    assert proc.returncode in (0, 1) and "出货 203 行" in proc.stdout, proc.stdout + proc.stderr


def test_xls_with_the_farthest_value_is_read(soffice: Soffice, tmp_path: Path) -> None:
    """.xls can't be larger than 65,536 x 256: the farthest value costs about 1.3 GB
    in calamine (not bounded here: README, Known limits) and the ledger is read right."""
    path = soffice.convert(far_book(tmp_path, "IV65536"), "xls:MS Excel 97", tmp_path / "xls")
    proc = check_cli_capped(path, gigabytes=3)
    assert proc.returncode in (0, 1) and "出货 203 行" in proc.stdout, proc.stdout + proc.stderr
