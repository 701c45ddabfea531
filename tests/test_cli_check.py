"""`gendan check`: exit codes, the terminal summary, --json (the contract of
issue 2 part 5), --report (the 检查结果 workbook with a link per issue),
--lang en, and inputs left byte-identical."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from helpers import make_workbook
from test_checks import BASE, Sheets
from xlsx_lint import lint_xlsx

from gendan_xl import cli, engine

GENDAN = Path(sys.executable).with_name("gendan")
AS_OF = "2026-11-20"


def ledger(tmp_path: Path, change: object = None, name: str = "台账.xlsx") -> Path:
    sheets: Sheets = copy.deepcopy(BASE)
    if callable(change):
        change(sheets)
    return make_workbook(tmp_path / name, sheets)


def with_errors(sheets: Sheets) -> None:
    sheets["订单"][3][4] = "abc"  # bad-number at 订单!E4 (error)
    sheets["生产日报"].append([date(2026, 11, 12), "WO1", "L1", 5])  # over-produced (warning)


def warnings_only(sheets: Sheets) -> None:
    sheets["生产日报"].append([date(2026, 11, 12), "WO1", "L1", 5])  # over-produced at 工单!A2


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_clean_ledger_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(ledger(tmp_path)), "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert "错误 0 个" in out and "订单 4 行" in out


def test_warnings_only_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(ledger(tmp_path, warnings_only)), "--as-of", AS_OF)
    assert code == 0
    assert "警告 1 个" in out and "A2" in out and "工单 WO1 良品合计 105 超过工单数量 100" in out


def test_errors_exit_1_and_summary_groups_by_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(ledger(tmp_path, with_errors)), "--as-of", AS_OF)
    assert (code, err) == (1, "")
    assert "错误 1 个,警告 1 个" in out
    # Errors first: the 订单 group (error) is printed before the 工单 group (warning).
    assert out.index("订单") < out.index("「数量」不是有效数字:abc") < out.index("工单 WO1")
    assert "E4" in out


def test_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger(tmp_path, with_errors)
    code, out, err = run(capsys, str(path), "--as-of", AS_OF, "--json")
    assert (code, err) == (1, "")
    assert out.count("\n") == 1  # exactly one line: one JSON object
    data = json.loads(out)
    assert set(data) == {"ledger", "as_of", "stats", "issues"}
    assert data["ledger"] == str(path)
    assert data["as_of"] == AS_OF
    assert data["stats"] == {
        "errors": 1,
        "warnings": 1,
        "infos": 0,
        "rows": {"订单": 4, "产品": 2, "产线": 2, "工单": 3, "生产日报": 4, "出货": 3, "客户": 2},
    }
    keys = {"code", "severity", "file", "sheet", "row", "column", "header", "cell", "value", "message"}
    assert all(set(i) == keys for i in data["issues"])
    assert data["issues"] == [
        {
            "code": "bad-number", "severity": "error", "file": str(path), "sheet": "订单",
            "row": 4, "column": "E", "header": "数量", "cell": "E4", "value": "abc",
            "message": "「数量」不是有效数字:abc",
        },
        {
            "code": "over-produced", "severity": "warning", "file": str(path), "sheet": "工单",
            "row": 2, "column": "A", "header": "工单号", "cell": "A2", "value": "WO1",
            "message": "工单 WO1 良品合计 105 超过工单数量 100",
        },
    ]


def test_json_sheet_name_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def rename(sheets: Sheets) -> None:
        sheets["Orders "] = sheets.pop("订单")
        sheets["Orders "][3][4] = "abc"

    code, out, _ = run(capsys, str(ledger(tmp_path, rename)), "--as-of", AS_OF, "--json")
    data = json.loads(out)
    assert code == 1
    assert [(i["sheet"], i["cell"]) for i in data["issues"]] == [("Orders ", "E4")]
    assert "Orders " in data["stats"]["rows"]


def test_lang_en(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ledger(tmp_path, with_errors))
    code, out, _ = run(capsys, path, "--as-of", AS_OF, "--json", "--lang", "en")
    messages = [i["message"] for i in json.loads(out)["issues"]]
    assert messages == [
        "'数量' is not a valid number: abc",
        "Work order WO1: good qty 105 exceeds its qty 100",
    ]
    code, out, _ = run(capsys, path, "--as-of", AS_OF, "--lang", "en")
    assert code == 1
    assert "1 errors, 1 warnings" in out and "is not a valid number" in out
    assert "错误" not in out


def test_as_of_moves_future_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ledger(tmp_path))
    code, out, _ = run(capsys, path, "--as-of", "2026-11-11", "--json")
    assert code == 1
    found = {(i["code"], i["sheet"], i["cell"]) for i in json.loads(out)["issues"]}
    assert ("future-date", "出货", "A2") in found  # shipped 11-12, checked as of 11-11
    code, _, _ = run(capsys, path, "--as-of", "2026年11月20日")
    assert code == 0


def test_report_workbook_links_every_issue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger(tmp_path, with_errors)
    report = tmp_path / "out" / "检查结果.xlsx"
    code, out, _ = run(capsys, str(path), "--as-of", AS_OF, "--report", str(report))
    assert code == 1
    assert str(report) in out
    assert lint_xlsx(report) == []
    wb = openpyxl.load_workbook(report)
    ws = wb["检查结果"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3], r[7]) for r in rows] == [("订单", "E4", "bad-number"), ("工单", "A2", "over-produced")]
    links = [ws.cell(row=r, column=9).hyperlink for r in range(2, 2 + len(rows))]
    assert all(link is not None for link in links)
    # xlsxwriter stores an external link as a file (Windows separators) plus a location.
    targets = [(link.target, link.location) for link in links]  # type: ignore[union-attr]
    assert targets == [("..\\台账.xlsx", "'订单'!E4"), ("..\\台账.xlsx", "'工单'!A2")]
    # The link resolves, from the report's folder, to the ledger itself.
    relative = Path(*targets[0][0].split("\\"))
    assert (report.parent / relative).resolve() == path.resolve()


def test_report_lang_en(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "issues.xlsx"
    run(capsys, str(ledger(tmp_path, with_errors)), "--as-of", AS_OF, "--report", str(report),
        "--lang", "en")
    ws = openpyxl.load_workbook(report)["Issues"]
    assert ws["G2"].value == "'数量' is not a valid number: abc"


def test_config_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets: Sheets = copy.deepcopy(BASE)
    daily = sheets.pop("生产日报")
    make_workbook(tmp_path / "台账.xlsx", sheets)
    make_workbook(tmp_path / "日报" / "a.xlsx", {"生产日报": daily[:3]})
    make_workbook(tmp_path / "日报" / "b.xlsx", {"生产日报": [daily[0], daily[3], daily[1]]})
    (tmp_path / "gendan.toml").write_text(
        '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, str(tmp_path), "--as-of", AS_OF, "--json")
    data = json.loads(out)
    # b.xlsx repeats a row of a.xlsx (the 11-10 report): a duplicate, and WO1 over-produced.
    assert [(i["code"], i["file"], i["sheet"], i["cell"]) for i in data["issues"]] == [
        ("over-produced", "台账.xlsx", "工单", "A2"),
        ("duplicate-report-row", "日报/b.xlsx", "生产日报", "B3"),
    ]
    assert code == 0
    assert data["stats"]["rows"]["生产日报"] == 4


def test_inputs_are_byte_identical_after_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ledger"
    sheets: Sheets = copy.deepcopy(BASE)
    daily = sheets.pop("生产日报")
    with_errors(sheets | {"生产日报": daily})
    make_workbook(folder / "台账.xlsx", sheets)
    make_workbook(folder / "日报" / "a.xlsx", {"生产日报": daily})
    (folder / "gendan.toml").write_text(
        '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n', encoding="utf-8"
    )
    single = ledger(folder, with_errors, name="single.xlsx")
    before = digest(folder)
    report = tmp_path / "r.xlsx"
    for args in ([str(folder)], [str(single)], [str(single), "--json"], [str(folder), "--report", str(report)]):
        run(capsys, *args, "--as-of", AS_OF)
    assert digest(folder) == before
    assert not any(p.name.startswith(".~lock") for p in folder.rglob("*"))


def test_unexpected_exception_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(engine, "check", boom)
    code, out, err = run(capsys, str(ledger(tmp_path)))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "RuntimeError: kaputt" in err and "Traceback" not in err
    code, _, err = run(capsys, str(ledger(tmp_path)), "--debug")
    assert code == 2 and "Traceback" in err


def test_check_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--help"])
    assert exc.value.code == 0
    assert "gendan check 台账.xlsx" in capsys.readouterr().out


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed `gendan` command, as a clerk or a scheduled task runs it."""
    path = ledger(tmp_path, with_errors)
    proc = subprocess.run(
        [str(GENDAN), "check", str(path), "--as-of", AS_OF, "--json"],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["stats"]["errors"] == 1
