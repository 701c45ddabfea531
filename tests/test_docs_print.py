"""The documents printed as a clerk would: through LibreOffice to PDF.

Page counts: a work order is one A4 page; a delivery note one page per
``note_lines`` lines (the 12-line note takes two); the statement two pages; the
分配结果 is a file of its own (one page) and never prints with the forms. Chinese must
print in an embedded CJK font. One PNG of
each kind is rendered for a person to look at (kept in the test's tmp folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_documents import AS_OF, rich_sheets, write_all, write_ledger, write_rich
from xlsx_lint import lint_xlsx

from gendan_xl.read import read_ledger

pytestmark = pytest.mark.libreoffice

# kind -> expected pages: the documents only (分配结果 is its own file)
PAGES = {
    "work_orders": 2,
    "assignments": 1,
    "delivery_prices": 1 + 1 + 2,
    "delivery_plain": 1 + 1 + 2,
    "delivery_assignments": 1,
    "statement": 2,  # 18 lines (13 without a note, listed) and the balances: two A4 landscape pages
    "statement_injection": 1,
    # with every optional field, a 120-character 品名 and PO, the late warning
    "work_orders_fields": 2,
    "delivery_fields": 1,
    "delivery_fields_prices": 1,
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> dict[str, tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("print")
    ledger = read_ledger(write_ledger(base / "台账.xlsx"), AS_OF)
    rich = read_ledger(write_ledger(base / "rich" / "台账.xlsx", rich_sheets()), AS_OF)
    paths = write_all(ledger, base / "out") | write_rich(rich, base / "out")
    return {kind: (path, soffice.convert(path, "pdf", base / "pdf")) for kind, path in paths.items()}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_count_and_cjk_font(printed, soffice, kind: str) -> None:  # type: ignore[no-untyped-def]
    path, pdf = printed[kind]
    assert soffice.pdf_pages(pdf) == PAGES[kind]
    soffice.assert_cjk_embedded(pdf)
    assert lint_xlsx(path) == []  # and LibreOffice opened it: the PDF exists


def test_assignments_never_print_with_the_forms(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    """No page of a form workbook carries the 分配结果 table; its own file does."""
    for kind in ("work_orders", "delivery_prices", "delivery_plain"):
        assert "台账行" not in soffice.pdf_text(printed[kind][1]), kind
    assert "台账行" in soffice.pdf_text(printed["assignments"][1])


@pytest.mark.parametrize("kind,page", [("work_orders", 1), ("delivery_prices", 4),
                                       ("delivery_plain", 2), ("statement", 1),
                                       ("work_orders_fields", 1), ("delivery_fields", 1),
                                       ("delivery_fields_prices", 1)])
def test_render_png(printed, soffice, kind: str, page: int) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed[kind][1], page)
    assert png.stat().st_size > 10_000  # a page with a grid and text, not blank
