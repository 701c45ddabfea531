"""The 订单评审表 printed through LibreOffice: one A4 landscape page per eight
order lines, Chinese in an embedded CJK font, the sign-offs on every page.

The five-line review of tests/test_review.py is one page; with five more new
lines (P3 on B线, ten in all) it is two sheets of one page each (8 + 2 lines).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import make_workbook
from test_review import AS_OF, sheets
from xlsx_lint import lint_xlsx

from gendan_xl.plan.review import review_orders
from gendan_xl.read import read_ledger
from gendan_xl.write.review_book import write_review

pytestmark = pytest.mark.libreoffice

MORE = [[f"N{i}", 1, "DELTA", "P3", 40, date(2026, 11, 13), date(2026, 12, 18), None, "普通"] for i in range(6, 11)]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("review_print")
    out = {}
    for name, book in (("five", sheets()), ("ten", sheets(MORE))):
        ledger = read_ledger(make_workbook(base / name / "台账.xlsx", book), AS_OF)
        result = review_orders(ledger, AS_OF)
        sheet = write_review(base / f"订单评审表_{name}.xlsx", result, "深圳市示例五金制品有限公司")
        assert lint_xlsx(sheet) == []
        out[name] = soffice.convert(sheet, "pdf", base / "pdf")
    return out


@pytest.mark.parametrize(("name", "pages"), [("five", 1), ("ten", 2)])
def test_pages_font_and_signoffs(printed: dict[str, Path], soffice, name: str, pages: int) -> None:  # type: ignore[no-untyped-def]
    pdf = printed[name]
    assert soffice.pdf_pages(pdf) == pages
    soffice.assert_cjk_embedded(pdf)
    text = "".join(soffice.pdf_text(pdf).split())  # pdftotext spaces out wide cells
    assert text.count("订单评审表") >= pages
    for title in ("跟单", "计划", "生产", "业务"):
        assert text.count(title) >= pages
    assert f"第{pages}页共{pages}页" in text


def test_render_png(printed: dict[str, Path], soffice) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed["five"], 1)
    assert png.stat().st_size > 10_000  # a page with a grid and text, not blank
    print(png)
