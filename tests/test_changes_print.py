"""The 变更通知单 printed through LibreOffice: the notice of the hand-made pair of
test_changes (14 changes, 10 order lines planned differently, 3 of them slipping:
SO1-1, SO3-1, SO6-1) fits one A4 portrait page with the CJK font embedded, and a
PNG of it is left in the test's tmp folder for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_changes import AS_OF, pair
from xlsx_lint import lint_xlsx

from gendan_xl.changes import change_notice, compare_ledgers
from gendan_xl.read import read_ledger
from gendan_xl.write.changes_book import write_change_notice

pytestmark = pytest.mark.libreoffice


def test_change_notice_one_page(tmp_path: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    old, new = pair(tmp_path)
    result = compare_ledgers(read_ledger(old, AS_OF), read_ledger(new, AS_OF), AS_OF)
    doc = change_notice(result, "BG20261207001", AS_OF, "东莞市精诚五金制品有限公司", "2026-12-04 07:00")
    # Slipping lines first: SO1-1, SO3-1, SO6-1, then the rest by key.
    assert [e.key for e in doc.effects[:3]] == ["SO1-1", "SO3-1", "SO6-1"]
    path = write_change_notice(tmp_path / "变更通知单_BG20261207001.xlsx", doc)
    assert lint_xlsx(path) == []
    pdf = soffice.convert(path, "pdf", tmp_path / "pdf")
    assert soffice.pdf_pages(pdf) == 1
    soffice.assert_cjk_embedded(pdf)
    text = soffice.pdf_text(pdf).replace(" ", "")
    for words in ("变更通知单", "BG20261207001", "计划、生产、仓库、品质", "订单!J3", "工单!A9",
                  "插单(优先级提高)", "推迟1天", "推迟2天", "提前4天", "已取消", "已删除", "新增", "跟单", "品质", "第1页共1页"):
        assert words in text, words
    png = soffice.png(pdf, 1)
    assert png.stat().st_size > 10_000
    print(png)
    assert "与上次运行(2026-12-04" in text
