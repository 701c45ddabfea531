"""Input safety: zip bombs are refused, XML is parsed with defusedxml, inputs untouched."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

from helpers import make_workbook

from gendan_xl import cli


def test_defusedxml_is_installed_for_openpyxl() -> None:
    assert importlib.util.find_spec("defusedxml") is not None
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_zip_bomb_is_refused_with_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = make_workbook(tmp_path / "good.xlsx", {"订单": [["订单号", "客户"], ["SO1", "甲"]]})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # 64 MB of padding inside the sheet: deflates about a thousandfold.
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20), 1)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1 << 20
    before = bomb.read_bytes()
    assert cli.main(["check", str(bomb)]) == cli.EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bomb.xlsx" in err and "拒绝" in err
    assert bomb.read_bytes() == before
