"""Shared test fixtures: LibreOffice as the real client, inline workbooks.

- ``soffice`` (session): a ``lo.Soffice`` with a private profile. Without
  LibreOffice the test is skipped with a reason, unless
  ``GENDAN_REQUIRE_LIBREOFFICE=1`` (CI sets it): then it fails, so CI can never
  skip the real-client tests silently. Tests using it get the ``libreoffice`` mark.
- ``workbook`` (factory): ``workbook({sheet: rows}, name="ledger.xlsx") -> Path``
  in the test's tmp folder; see ``helpers.make_workbook``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from helpers import SheetContent, make_workbook
from lo import Soffice, find_soffice, missing_tools

REQUIRE_ENV = "GENDAN_REQUIRE_LIBREOFFICE"


def libreoffice_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "soffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Soffice]:
    missing = missing_tools()
    if missing:
        reason = "LibreOffice tests need: " + ", ".join(missing)
        if libreoffice_required():
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(reason)
    yield Soffice(tmp_path_factory.mktemp("soffice"), exe=find_soffice())


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    def build(sheets: Mapping[str, SheetContent], name: str = "ledger.xlsx") -> Path:
        return make_workbook(tmp_path / name, sheets)

    return build
