"""The documents printed as a clerk would: through LibreOffice to PDF.

Page counts: a work order is one A4 page; a delivery note one page per
``note_lines`` lines (the 12-line note takes two); the statement two pages; a
发料通知单 one A4 page per work order; the 分配结果 is a file of its own (one page)
and never prints with the forms. Chinese must
print in an embedded CJK font. One PNG of
each kind is rendered for a person to look at (kept in the test's tmp folder).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import make_workbook
from test_documents import (
    AS_OF,
    COMPANY,
    rich_sheets,
    wo_alloc,
    write_all,
    write_ledger,
    write_rich,
)
from test_materials import AS_OF as MATERIALS_AS_OF
from test_materials import sheets as material_sheets
from xlsx_lint import lint_xlsx

from gendan_xl.documents.material_issues import build_material_issues
from gendan_xl.documents.numbers import next_numbers
from gendan_xl.documents.work_orders import build_work_orders
from gendan_xl.read import read_ledger
from gendan_xl.write.docs_book import write_material_issues, write_work_orders

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
    # the materials ledger of test_materials: open work orders WA, WB, WC, WD, one page each
    "material_issues": 4,
    "work_orders_materials": 1,  # a 制造命令单 with its 用料 section
}


def fl_alloc(pattern: str, day: date, count: int, existing: Any, sources: Any = None) -> list[str]:
    return next_numbers(pattern or "FL{YYYYMMDD}{SEQ:3}", day, count, existing)


def write_materials(base: Path, out: Path) -> dict[str, Path]:
    """发料通知单 of the hand-computed materials ledger, and a new work order for 400
    P2 (BOM: M3 螺丝 2 x 1.05 a piece) with its 用料 section."""
    s = material_sheets()
    s["订单"].append(["SG", 1, "ACME", "P2", 400, date(2026, 11, 10), date(2026, 12, 18), "正常"])
    ledger = read_ledger(make_workbook(base / "materials" / "台账.xlsx", s), MATERIALS_AS_OF)
    notes = build_material_issues(ledger, MATERIALS_AS_OF, fl_alloc).docs
    wos = build_work_orders(ledger, MATERIALS_AS_OF, wo_alloc, ["SG"]).docs
    return {
        "material_issues": write_material_issues(out / "发料通知单_20261116.xlsx", notes, COMPANY),
        "work_orders_materials": write_work_orders(out / "制造命令单_用料.xlsx", wos, COMPANY),
    }


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> dict[str, tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("print")
    ledger = read_ledger(write_ledger(base / "台账.xlsx"), AS_OF)
    rich = read_ledger(write_ledger(base / "rich" / "台账.xlsx", rich_sheets()), AS_OF)
    paths = write_all(ledger, base / "out") | write_rich(rich, base / "out") | write_materials(base, base / "out")
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
                                       ("delivery_fields_prices", 1), ("material_issues", 3),
                                       ("work_orders_materials", 1)])
def test_render_png(printed, soffice, kind: str, page: int) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed[kind][1], page)
    assert png.stat().st_size > 10_000  # a page with a grid and text, not blank


def test_material_issue_pages_say_what_to_issue(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    """Each page is one work order's note; WC's (page 3): need 100 of M1, nothing
    from stock (本次应发 0), 欠料 100 - 0 = 100 (PO2 30, PO1 50, 20 bought: 11-26);
    the sign-offs are printed."""
    text = soffice.pdf_text(printed["material_issues"][1])
    pages = text.split("\f")
    assert [p.count("发料通知单") >= 1 for p in pages[:4]] == [True] * 4
    for wo, page in zip(("WA", "WB", "WC", "WD"), pages, strict=False):
        assert wo in page and "物料员" in page and "领料人" in page
    assert "FL20261116003" in pages[2] and "2026-11-26" in pages[2]
