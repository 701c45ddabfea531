"""The add-in's files made exactly like Excel's own: the compound file's storage
start sectors and MiniFAT padding, and a theme part. The oracle is an add-in Excel
itself saved, shipped inside xlwings (``quickstart_addin.xlam``); olefile reads both."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from defusedxml import ElementTree

from gendan_xl.addin import build_addin, cfb
from gendan_xl.addin.package import CT_THEME, FONT_NAME, REL_THEME, THEME_PART
from gendan_xl.addin.sources import xlwings_package_dir

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
EXCEL_ADDIN = xlwings_package_dir() / "quickstart_addin.xlam"


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "gendan_xl.xlam")


def vba_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/vbaProject.bin")


def entries(data: bytes) -> dict[str, tuple[int, int, int]]:
    """name -> (type, start sector, size), as olefile reads the directory."""
    ole = olefile.OleFileIO(io.BytesIO(data))
    return {e.name: (e.entry_type, e.isectStart, e.size) for e in ole.direntries if e is not None}


def minifat_tail(data: bytes) -> list[int]:
    """The MiniFAT entries after those olefile counts as in use (the header names
    the MiniFAT's first sector; the chain is followed by hand)."""
    first, count = struct.unpack_from("<II", data, 60)
    assert count >= 1
    ole = olefile.OleFileIO(io.BytesIO(data))
    ole.loadminifat()
    used = len(ole.minifat)  # olefile trims it to the mini stream's length
    raw = b""
    sector = first
    fat = ole.fat
    while sector != cfb.ENDOFCHAIN:
        raw += data[512 + sector * 512 : 512 + (sector + 1) * 512]
        sector = fat[sector]
    values = list(struct.unpack(f"<{len(raw) // 4}I", raw))
    return values[used:]


@pytest.mark.parametrize("which", ["ours", "excel"])
def test_vba_storage_starts_at_sector_zero(addin: Path, which: str) -> None:
    data = vba_bin(addin if which == "ours" else EXCEL_ADDIN)
    found = entries(data)
    assert found["VBA"] == (olefile.STGTY_STORAGE, 0, 0)  # [MS-CFB] 2.6.3
    assert found["Root Entry"][0] == olefile.STGTY_ROOT


def test_minifat_tail_is_freesect(addin: Path) -> None:
    """[MS-CFB] marks unused allocation entries FREESECT; ours do. The add-in Excel
    saved (in xlwings) leaves zeros there: unreachable either way, so both load."""
    tail = minifat_tail(vba_bin(addin))
    assert tail and set(tail) == {cfb.FREESECT}
    assert set(minifat_tail(vba_bin(EXCEL_ADDIN))) == {0}


def test_every_storage_starts_at_zero_in_a_nested_tree() -> None:
    data = cfb.write_compound_file({"A": {"B": {"s": b"x" * 10}}, "big": b"y" * 5000})
    found = entries(data)
    assert found["A"][:2] == (olefile.STGTY_STORAGE, 0)
    assert found["B"][:2] == (olefile.STGTY_STORAGE, 0)
    assert olefile.OleFileIO(io.BytesIO(data)).openstream("A/B/s").read() == b"x" * 10
    assert minifat_tail(data) and set(minifat_tail(data)) == {cfb.FREESECT}


def _theme_tree(path: Path) -> ElementTree.Element:  # type: ignore[name-defined]
    with zipfile.ZipFile(path) as archive:
        return ElementTree.fromstring(archive.read(THEME_PART))


def _shape(element, depth: int) -> list:  # type: ignore[no-untyped-def]
    """Tag names down to ``depth`` levels, as nested lists (the structure, no values)."""
    if depth == 0:
        return []
    return [(child.tag, _shape(child, depth - 1)) for child in element]


def test_theme_part_is_related_typed_and_shaped_like_excels(addin: Path) -> None:
    with zipfile.ZipFile(addin) as archive:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    assert any(r.get("Type") == REL_THEME and r.get("Target") == "theme/theme1.xml" for r in rels)
    assert any(o.get("PartName") == "/" + THEME_PART and o.get("ContentType") == CT_THEME for o in types)
    ours, excels = _theme_tree(addin), _theme_tree(EXCEL_ADDIN)
    assert ours.tag == excels.tag == f"{A}theme"
    mine, theirs = ours.find(f"{A}themeElements"), excels.find(f"{A}themeElements")
    assert mine is not None and theirs is not None
    # same schemes in the same order, the colour scheme slot for slot
    assert [c.tag for c in mine] == [c.tag for c in theirs]
    assert [c.tag for c in mine.find(f"{A}clrScheme")] == [c.tag for c in theirs.find(f"{A}clrScheme")]
    for font in ("majorFont", "minorFont"):
        first = [c.tag for c in mine.find(f"{A}fontScheme/{A}{font}")][:3]
        assert first == [c.tag for c in theirs.find(f"{A}fontScheme/{A}{font}")][:3]
    fmt_mine, fmt_theirs = mine.find(f"{A}fmtScheme"), theirs.find(f"{A}fmtScheme")
    assert [c.tag for c in fmt_mine] == [c.tag for c in fmt_theirs]
    for style_list in fmt_mine:
        assert len(style_list) == 3, style_list.tag  # the schema's minimum, as Excel writes
    assert mine.find(f"{A}fontScheme/{A}minorFont/{A}ea").get("typeface") == FONT_NAME


def test_theme_is_our_own(addin: Path) -> None:
    with zipfile.ZipFile(addin) as archive:
        ours = archive.read(THEME_PART)
    with zipfile.ZipFile(EXCEL_ADDIN) as archive:
        theirs = archive.read(THEME_PART)
    assert len(ours) < len(theirs) / 2 and b"Office" not in ours
