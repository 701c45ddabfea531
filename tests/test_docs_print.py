"""The documents printed as a clerk would: through LibreOffice to PDF.

Page counts: a work order is one A4 page; a delivery note one page per
``note_lines`` lines (the 12-line note takes two); the statement two pages; the
分配结果 sheet one page. Chinese must print in an embedded CJK font. One PNG of
each kind is rendered for a person to look at (kept in the test's tmp folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_documents import AS_OF, write_all, write_ledger
from xlsx_lint import lint_xlsx

from gendan_xl.read import read_ledger

pytestmark = pytest.mark.libreoffice

# kind -> expected pages: documents + the 分配结果 sheet where there is one
PAGES = {
    "work_orders": 2 + 1,
    "delivery_prices": 1 + 1 + 2 + 1,
    "delivery_plain": 1 + 1 + 2 + 1,
    "statement": 2,  # 18 lines (13 without a note, listed) and the balances: two A4 landscape pages
    "statement_injection": 1,
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> dict[str, tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("print")
    ledger = read_ledger(write_ledger(base / "台账.xlsx"), AS_OF)
    out = {}
    for kind, path in write_all(ledger, base / "out").items():
        out[kind] = (path, soffice.convert(path, "pdf", base / "pdf"))
    return out


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_count_and_cjk_font(printed, soffice, kind: str) -> None:  # type: ignore[no-untyped-def]
    path, pdf = printed[kind]
    assert soffice.pdf_pages(pdf) == PAGES[kind]
    soffice.assert_cjk_embedded(pdf)
    assert lint_xlsx(path) == []  # and LibreOffice opened it: the PDF exists


@pytest.mark.parametrize("kind,page", [("work_orders", 1), ("delivery_prices", 4),
                                       ("delivery_plain", 2), ("statement", 1)])
def test_render_png(printed, soffice, kind: str, page: int) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed[kind][1], page)
    assert png.stat().st_size > 10_000  # a page with a grid and text, not blank
