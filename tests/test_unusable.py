"""Ledgers that cannot be used at all: `gendan check` exits 2 with exactly one
line on stderr naming the file, and never a traceback."""

from __future__ import annotations

import copy
import io
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import make_workbook
from test_checks import BASE

from gendan_xl import cli

GENDAN = Path(sys.executable).with_name("gendan")


def good_xlsx(path: Path) -> Path:
    return make_workbook(path, copy.deepcopy(BASE))


def text_renamed(tmp: Path) -> Path:
    path = tmp / "订单.xlsx"
    path.write_text("订单号,客户\nSO1,ACME\n", encoding="utf-8")
    return path


def truncated_zip(tmp: Path) -> Path:
    data = good_xlsx(tmp / "src.xlsx").read_bytes()
    path = tmp / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted(tmp: Path) -> Path:
    """A real password-protected workbook (agile encryption, as Excel writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile  # installed with oletools

    src = good_xlsx(tmp / "src.xlsx")
    path = tmp / "加密.xlsx"
    with src.open("rb") as fh, path.open("wb") as out:
        OOXMLFile(fh).encrypt("secret", out)
    return path


def encrypted_named_xls(tmp: Path) -> Path:
    path = encrypted(tmp)
    return path.rename(path.with_suffix(".xls"))


def no_ledger_sheet(tmp: Path) -> Path:
    return make_workbook(tmp / "空.xlsx", {"Sheet1": [["随便写点什么"], [1, 2, 3]], "Sheet2": []})


def empty_workbook(tmp: Path) -> Path:
    return make_workbook(tmp / "空白.xlsx", {"Sheet1": []})


def missing_file(tmp: Path) -> Path:
    return tmp / "不存在.xlsx"


def folder_without_config(tmp: Path) -> Path:
    folder = tmp / "台账文件夹"
    folder.mkdir()
    good_xlsx(folder / "台账.xlsx")
    return folder


def zero_bytes(tmp: Path) -> Path:
    path = tmp / "零.xlsx"
    path.write_bytes(b"")
    return path


def zip_not_a_workbook(tmp: Path) -> Path:
    path = tmp / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path


def broken_sheet_xml(tmp: Path) -> Path:
    """A sound zip whose workbook.xml is cut off mid-tag."""
    src = good_xlsx(tmp / "src.xlsx")
    path = tmp / "坏.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())
    return path


def bad_toml(tmp: Path) -> Path:
    folder = tmp / "配置"
    folder.mkdir()
    (folder / "gendan.toml").write_text('[ledger\nworkbook = "台账.xlsx"\n', encoding="utf-8")
    return folder


def unknown_toml_key(tmp: Path) -> Path:
    folder = tmp / "配置2"
    folder.mkdir()
    (folder / "gendan.toml").write_text('[ledger]\nwrokbook = "台账.xlsx"\n', encoding="utf-8")
    return folder


def config_names_missing_workbook(tmp: Path) -> Path:
    folder = tmp / "配置3"
    folder.mkdir()
    (folder / "gendan.toml").write_text('[ledger]\nworkbook = "没有.xlsx"\n', encoding="utf-8")
    return folder


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    # name: (make, what the line must name)
    "txt-renamed-xlsx": (text_renamed, "订单.xlsx"),
    "truncated-zip": (truncated_zip, "截断.xlsx"),
    "encrypted": (encrypted, "加密.xlsx"),
    "encrypted-named-xls": (encrypted_named_xls, "加密.xls"),
    "no-ledger-sheet": (no_ledger_sheet, "空.xlsx"),
    "empty-workbook": (empty_workbook, "空白.xlsx"),
    "missing-file": (missing_file, "不存在.xlsx"),
    "folder-without-config": (folder_without_config, "台账文件夹"),
    "zero-bytes": (zero_bytes, "零.xlsx"),
    "zip-not-a-workbook": (zip_not_a_workbook, "压缩包.xlsx"),
    "broken-workbook-xml": (broken_sheet_xml, "坏.xlsx"),
    "bad-toml": (bad_toml, "gendan.toml"),
    "unknown-toml-key": (unknown_toml_key, "gendan.toml"),
    "config-names-missing-workbook": (config_names_missing_workbook, "没有.xlsx"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_unusable_input_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    make, name = CASES[case]
    target = make(tmp_path)
    lines: dict[str, str] = {}
    for lang in ("zh", "en"):
        code = cli.main(["check", str(target), "--lang", lang])
        out, err = capsys.readouterr()
        assert code == 2, (out, err)
        assert out == ""
        assert len(err.splitlines()) == 1 and err.endswith("\n"), err
        assert name in err
        assert "Traceback" not in err and "internal error" not in err and "程序内部错误" not in err
        lines[lang] = err
    assert lines["zh"] != lines["en"]


def test_messages_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = {
        "encrypted": "password",
        "missing-file": "not found",
        "truncated-zip": "corrupt",
        "txt-renamed-xlsx": "not an Excel workbook",
        "no-ledger-sheet": "no recognisable sheet",
        "folder-without-config": "gendan.toml",
    }
    for case, words in expected.items():
        folder = tmp_path / case
        folder.mkdir()
        cli.main(["check", str(CASES[case][0](folder)), "--lang", "en"])
        assert words in capsys.readouterr().err, case


@pytest.mark.parametrize("case", ["truncated-zip", "encrypted", "missing-file"])
def test_console_script_exit_2(tmp_path: Path, case: str) -> None:
    target = CASES[case][0](tmp_path)
    proc = subprocess.run(
        [str(GENDAN), "check", str(target)], capture_output=True, text=True, encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and CASES[case][1] in proc.stderr
