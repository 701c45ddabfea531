"""The 装箱单 printed as a clerk would: through LibreOffice to PDF and PNG.

The two notes of ``test_packing``'s ledger: one A4 portrait page each (fit to the
paper's width), the CJK font embedded, both languages and the hand-worked totals
on the page (SH001: 39 cartons, 1,475 pcs, N.W. 302.50, G.W. 340.00, 4.099 CBM).
The PNG of page 1 is kept in the test's tmp folder for a person to look at.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from helpers import make_workbook
from test_packing import AS_OF, sheets
from xlsx_lint import lint_xlsx

from gendan_xl.documents.packing_lists import build_packing_lists
from gendan_xl.read import read_ledger
from gendan_xl.write.packing_book import write_packing_lists

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("packing_print")
    ledger = read_ledger(make_workbook(base / "台账.xlsx", sheets()), AS_OF)
    book = write_packing_lists(base / "装箱单_20261123_SH001.xlsx", build_packing_lists(ledger).docs)
    return book, soffice.convert(book, "pdf", base)


def test_workbook_is_clean(printed: tuple[Path, Path]) -> None:
    assert lint_xlsx(printed[0]) == []


def test_one_a4_portrait_page_per_note_with_cjk(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    pdf = printed[1]
    assert soffice.pdf_pages(pdf) == 2
    soffice.assert_cjk_embedded(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    assert round(float(size[2])) == 595 and round(float(size[4])) == 842  # A4 portrait


def test_page_shows_both_languages_and_the_totals(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    first = soffice.pdf_text(printed[1]).split("\f")[0]
    for text in ("装", "PACKING LIST", "SH001", "唛头", "Shipping Marks", "Carton No.", "CBM",
                 "1-20", "22-36", "37-38", "1,475", "302.50", "340.00", "4.099", "MADE IN CHINA"):
        assert text in first, text
    # one page wide: the first and the last column of the table print on the page
    assert "序号" in first and "体积" in first


def test_render_png(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed[1], 1)
    assert png.stat().st_size > 10_000  # a page with a grid and text, not blank


def test_a_long_note_continues_with_the_header_repeated(tmp_path: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    """45 lines of P1 (1,000 at 48: two rows each, 90 rows) run over several pages,
    one page wide; every page repeats the table header; the last carton is 45 x 21 = 945."""
    s = sheets()
    s["出货"] = [s["出货"][0]] + [[AS_OF, "SO1", 1, "P1", 1000, None, "SH100", None] for _ in range(45)]
    ledger = read_ledger(make_workbook(tmp_path / "台账.xlsx", s), AS_OF)
    (doc,) = build_packing_lists(ledger).docs
    assert doc.lines[-1].rows[-1].cartons_label == "945" and doc.total_cartons == 945
    book = write_packing_lists(tmp_path / "装箱单.xlsx", [doc])
    ws = openpyxl.load_workbook(book)["SH100"]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks
    # every page starts at a line's first row (its 序号 is there, not a merged continuation)
    assert all(isinstance(ws.cell(row=b + 1, column=1).value, int) for b in breaks)
    pdf = soffice.convert(book, "pdf", tmp_path)
    pages = [p for p in soffice.pdf_text(pdf).split("\f") if p.strip()]
    assert len(pages) == len(breaks) + 1
    assert all("Carton No." in p and "体积" in p for p in pages)
    assert "945" in pages[-1] and "Shipping Marks" in pages[-1] and "客户签收" in pages[-1]
