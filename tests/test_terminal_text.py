"""Cell text on a terminal: rich markup and control characters are shown, never obeyed;
gendan.toml in the encodings Windows editors save."""

from __future__ import annotations

import codecs
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from helpers import make_workbook

from gendan_xl.config import load_ledger_config
from gendan_xl.model import LedgerError
from gendan_xl.termtext import markup_safe, visible

# openpyxl refuses control characters; ``_x001B_`` is how xlsx stores ESC and the
# reader decodes it, exactly as for a file Excel saved.
ESC_IN_FILE = "_x001B_"
CUSTOMER = "[/red]甲" + ESC_IN_FILE + "[2J"
ITEM = "P9[/red][bold]" + ESC_IN_FILE + "]0;pwned" + "_x0007_"


def _ledger(path: Path) -> Path:
    return make_workbook(
        path,
        {
            "订单": [
                ["订单号", "客户", "产品编码", "数量", "下单日期", "交期"],
                ["SO1", CUSTOMER, "P1", 100, date(2026, 11, 1), date(2026, 11, 20)],
                ["SO2", "乙", ITEM, 50, date(2026, 11, 1), date(2026, 12, 20)],
            ],
            "产品": [["产品编码", "标准产能", "产线"], ["P1", 50, "L1"]],
            "产线": [["产线"], ["L1"]],
            "工单": [["工单号", "订单号", "产品编码", "数量", "产线"], ["WO1", "SO1", "P1", 100, "L1"]],
            "出货": [["出货日期", "订单号", "产品编码", "数量"]],
        },
    )


def _gendan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gendan_xl", *args], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def _assert_shown_not_obeyed(result: subprocess.CompletedProcess[str]) -> None:
    text = result.stdout + result.stderr
    assert result.returncode in (0, 1), text
    assert "MarkupError" not in text and "程序内部错误" not in text and "Traceback" not in text
    assert "\x1b" not in text and "\x07" not in text  # nothing reaches the terminal raw
    assert "\\x1b" in result.stdout  # ... but it is shown


def test_check_shows_markup_and_escapes_in_cells(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "台账.xlsx")
    result = _gendan("check", str(ledger), "--as-of", "2026-11-26")
    _assert_shown_not_obeyed(result)
    assert "P9[/red][bold]\\x1b]0;pwned\\x07" in result.stdout  # the unknown item, verbatim


def test_plan_shows_markup_and_escapes_in_cells(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "台账.xlsx")
    result = _gendan("plan", str(ledger), "--as-of", "2026-11-26")
    _assert_shown_not_obeyed(result)
    assert "[/red]甲\\x1b[2J" in result.stdout  # the overdue line's customer, verbatim


def test_markup_safe_round_trips_through_rich() -> None:
    from rich.console import Console

    console = Console(file=None, record=True, width=200, color_system=None)
    texts = ["[/red]", "a\\", "a\\\\", "\\[b]", "[bold]x[/bold]", "\x1b[31mred", "line\rover", "\u202eevil", "[", "]"]
    for text in texts:
        for before, after in (("", ""), ("[bold]", "[/bold]"), ("[red]", "[/red]|")):
            with console.capture() as cap:
                console.print(before + markup_safe(text) + after, end="")
            assert cap.get() == visible(text) + after.replace("[/bold]", "").replace("[/red]", ""), text
            assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in cap.get())


# ---------------------------------------------------------------- gendan.toml encodings

CONFIG = '# 台账配置\n[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n'


@pytest.mark.parametrize(
    "encoded",
    [
        CONFIG.encode("utf-8"),
        codecs.BOM_UTF8 + CONFIG.encode("utf-8"),
        CONFIG.encode("utf-16"),  # with BOM: Notepad's "Unicode"
        codecs.BOM_UTF16_BE + CONFIG.encode("utf-16-be"),
        CONFIG.encode("gbk"),  # Notepad's "ANSI" on a Chinese PC
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "gbk"],
)
def test_config_read_in_windows_encodings(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "gendan.toml"
    path.write_bytes(encoded)
    config = load_ledger_config(path)
    assert config.ledger.workbook == "台账.xlsx"
    assert config.ledger.daily == "日报/*.xlsx"


@pytest.mark.parametrize(
    "encoded",
    [CONFIG.encode("utf-16-le"), b'[ledger]\nworkbook = "\xff\xfe\xfa.xlsx"\n'],
    ids=["utf16-no-bom", "garbage"],
)
def test_undecodable_config_is_a_clear_error(tmp_path: Path, encoded: bytes) -> None:
    path = tmp_path / "gendan.toml"
    path.write_bytes(encoded)
    with pytest.raises(LedgerError) as info:
        load_ledger_config(path)
    assert "编码" in info.value.reason_zh and "UTF-8" in info.value.reason_zh
    # and through the CLI: exit 2, one line, no internal error
    result = _gendan("check", str(tmp_path))
    assert result.returncode == 2
    assert "编码" in result.stderr and "程序内部错误" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_gbk_config_through_batch(tmp_path: Path) -> None:
    from gendan_xl.batch import JSONL_NAME, run_batch

    _ledger(tmp_path / "台账.xlsx")
    (tmp_path / "gendan.toml").write_bytes('[ledger]\nworkbook = "台账.xlsx"\n\n[output]\nfolder = "输出"\n'.encode("gbk"))
    assert run_batch(tmp_path, date(2026, 11, 26)) in (0, 1)
    assert (tmp_path / "输出" / JSONL_NAME).exists()
