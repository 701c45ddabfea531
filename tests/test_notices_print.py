"""交期变更通知 and 插单说明 printed through LibreOffice: page counts, the CJK font
embedded, and one PNG of each for a person to look at (in the test's tmp folder).

- the hand-built ledger of test_delay_notices gives two letters (华强 2 lines, 美的
  1 line): one A4 portrait page each;
- a letter of 40 one-line rows (22 pt each, 880 pt, with about 330 pt of heading,
  closing and sign-offs) at the fit-to-width scale (about 90%, some 830 pt of rows a
  page) continues on a second page, the table header repeated;
- the 插单说明 of the rush order A x 600 is one page.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from test_delay_notices import AS_OF, ledger_file
from xlsx_lint import lint_xlsx

from gendan_xl.documents.models import Company, CustomerInfo, DelayLine, DelayNotice, LedgerRow
from gendan_xl.documents.run import run_delay_notices
from gendan_xl.plan import whatif
from gendan_xl.plan.rush import rush_brief
from gendan_xl.read import read_ledger
from gendan_xl.write.notices_book import write_delay_notices, write_rush_brief

pytestmark = pytest.mark.libreoffice


def long_letter(n: int) -> DelayNotice:
    lines = [
        DelayLine(label=f"SO{i:04d}-1", key=f"SO{i:04d}#1", order_no=f"SO{i:04d}", customer_po=f"PO-2026-{i:05d}",
                  item=f"P{i:03d}", item_name="铰链", spec="", qty=1000.0 + i, unit="PCS",
                  original_date=date(2026, 12, 1) + timedelta(days=i % 20),
                  forecast_finish=date(2026, 12, 10) + timedelta(days=i % 20),
                  proposed_date=date(2026, 12, 11) + timedelta(days=i % 20),
                  reason_code="capacity", reason="产能", reason_text="产能:生产排期已满",
                  source=LedgerRow(file="台账.xlsx", sheet="订单", row=i + 1))
        for i in range(1, n + 1)
    ]
    return DelayNotice(number="JQ20261207009", issue_date=AS_OF,
                       customer=CustomerInfo(name="华强", full_name="深圳华强电子有限公司", address="深圳市福田区"),
                       company=Company(name="东莞市精诚五金制品有限公司"), lead_days=1, lines=lines)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, soffice) -> dict[str, tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("notices")
    path = ledger_file(base)
    letters = run_delay_notices(path, base / "out", AS_OF).output
    assert letters is not None
    long = write_delay_notices(base / "out" / "long.xlsx", [long_letter(40)])
    ledger = read_ledger(path, AS_OF)
    due = date(2026, 12, 9)
    brief = write_rush_brief(base / "out" / "插单说明.xlsx",
                             rush_brief(ledger, whatif(ledger, "A", 600, due, AS_OF), "A", 600, due))
    paths = {"letters": letters, "long": long, "brief": brief}
    return {k: (p, soffice.convert(p, "pdf", base / "pdf" / k)) for k, p in paths.items()}


@pytest.mark.parametrize("kind,pages", [("letters", 2), ("long", 2), ("brief", 1)])
def test_pages_and_font(printed, soffice, kind: str, pages: int) -> None:  # type: ignore[no-untyped-def]
    path, pdf = printed[kind]
    assert soffice.pdf_pages(pdf) == pages
    soffice.assert_cjk_embedded(pdf)
    assert lint_xlsx(path) == []


def test_letter_text_and_repeated_header(printed, soffice) -> None:  # type: ignore[no-untyped-def]
    text = soffice.pdf_text(printed["letters"][1]).replace(" ", "")
    for words in ("交期变更通知", "JQ20261207001", "深圳华强电子有限公司", "深圳市福田区华强北路1号",
                  "2026-12-14", "尊敬的", "客户确认", "佛山美的家电有限公司"):
        assert words in text, words
    # Each letter counts its own pages: the second letter's page is 第 1 页 again.
    second = text.split("\f")[1]
    assert "JQ20261207002" in second and "第1页" in second
    pages = soffice.pdf_text(printed["long"][1]).split("\f")
    assert "新交期" in pages[1] and "SO0040-1" in pages[1]


@pytest.mark.parametrize("kind", ["letters", "long", "brief"])
def test_render_png(printed, soffice, kind: str) -> None:  # type: ignore[no-untyped-def]
    png = soffice.png(printed[kind][1], 1)
    assert png.stat().st_size > 10_000
