"""``gendan docs ...`` end to end: files written, exit codes, write-back into a
copy of a test ledger, refusal while the ledger is open in Excel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from test_documents import AS_OF, INJECTION, assert_injection_is_text, ledger_sheets, write_ledger

from gendan_xl.cli import EXIT_ERRORS, EXIT_LOCKED, EXIT_OK, EXIT_UNUSABLE, build_parser, main
from gendan_xl.documents.numbers import JOURNAL_NAME, issued_numbers
from gendan_xl.read import read_ledger

DAY = AS_OF.isoformat()


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "shared" / "台账.xlsx")


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def test_every_docs_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    import gendan_xl.cli.docs  # noqa: F401  (registers the commands)

    parser = build_parser()
    for kind in ("work-orders", "delivery-notes", "statement"):
        with pytest.raises(SystemExit):
            parser.parse_args(["docs", kind, "--help"])
        assert "example: gendan docs " + kind in capsys.readouterr().out


def test_work_orders_without_write_back(ledger_file: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = ledger_file.read_bytes()
    out = tmp_path / "out"
    assert run("docs", "work-orders", ledger_file, "--out", out, "--as-of", DAY) == EXIT_OK
    path = out / "制造命令单_20261126_WO20261126001.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["WO20261126001", "WO20261126002"]  # 分配结果 never prints with the forms
    log = out / "分配结果_制造命令单_20261126_WO20261126001.xlsx"
    assert openpyxl.load_workbook(log)["分配结果"]["J2"].value.startswith("未写回")
    assert ledger_file.read_bytes() == before
    assert issued_numbers(ledger_file.parent) == {"WO20261126001", "WO20261126002"}
    said = capsys.readouterr().out
    assert "WO20261126001" in said and f"分配结果(单号与台账行对照,不随单据打印):{log}" in said
    assert_injection_is_text(path)
    # A second run for the same order lines reprints the same numbers (issue 10), in a new file.
    assert run("docs", "work-orders", ledger_file, "--out", out, "--as-of", DAY) == EXIT_OK
    again = out / "制造命令单_20261126_WO20261126001(2).xlsx"
    assert openpyxl.load_workbook(again).sheetnames[:2] == ["WO20261126001", "WO20261126002"]
    assert openpyxl.load_workbook(path).sheetnames[0] == "WO20261126001"


def test_work_orders_write_back_appends_rows(ledger_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("docs", "work-orders", ledger_file, "--out", out, "--as-of", DAY, "--write-back") == EXIT_OK
    backups = list(ledger_file.parent.glob("台账.bak-*.xlsx"))
    assert len(backups) == 1
    wo = read_ledger(ledger_file, AS_OF)["work_orders"]
    assert list(wo["wo_no"]) == ["WO20261101001", "WO20261126001", "WO20261126002"]
    assert list(wo["status"])[1:] == ["未开工", "未开工"]
    log = openpyxl.load_workbook(out / "分配结果_制造命令单_20261126_WO20261126001.xlsx")
    assert log["分配结果"]["J2"].value == "已追加到「工单」表"
    # Nothing left to do the second time.
    assert run("docs", "work-orders", ledger_file, "--out", tmp_path / "again", "--as-of", DAY) == EXIT_OK
    assert not (tmp_path / "again").exists()


def test_unknown_order_is_reported(ledger_file: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = run("docs", "work-orders", ledger_file, "--order", "SO-001", "--order", "NOPE",
               "--out", tmp_path, "--as-of", DAY)
    assert code == EXIT_ERRORS
    assert "NOPE" in capsys.readouterr().err
    assert openpyxl.load_workbook(tmp_path / "制造命令单_20261126_WO20261126001.xlsx").sheetnames == [
        "WO20261126001"
    ]
    assert (tmp_path / "分配结果_制造命令单_20261126_WO20261126001.xlsx").is_file()


def test_delivery_notes_write_back_fills_note_numbers(ledger_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = run("docs", "delivery-notes", ledger_file, "--customer", "ACME", "--prices",
               "--out", out, "--as-of", DAY, "--write-back")
    assert code == EXIT_OK
    path = out / "送货单_20261126_SH20261124001.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["SH20261124001", "SH20261125001"]
    assert (out / "分配结果_送货单_20261126_SH20261124001.xlsx").is_file()
    ws = openpyxl.load_workbook(ledger_file)["出货"]
    assert ws["G7"].value == "SH20261124001"
    assert [ws[f"G{r}"].value for r in range(10, 22)] == ["SH20261125001"] * 12
    assert ws["G8"].value is None  # the other customer's row is untouched
    rows = CalamineWorkbook.from_path(str(ledger_file)).get_sheet_by_name("出货").to_python()
    assert rows[6][6] == "SH20261124001"
    # The statement now sees them (the 12-line note falls in November's period).
    assert run("docs", "statement", ledger_file, "--customer", "ACME", "--period", "2026-11",
               "--out", out, "--as-of", DAY) == EXIT_OK
    st = openpyxl.load_workbook(out / "对账单_ACME_2026-11.xlsx")["对账单"]
    notes = {c.value for c in st["C"] if isinstance(c.value, str) and c.value.startswith("SH")}
    assert notes == {"SH20261028001", "SH20261110001", "SH20261124001", "SH20261125001"}


def test_delivery_notes_unmatched_rows_give_exit_1(ledger_file: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = run("docs", "delivery-notes", ledger_file, "--date", "2026-11-25", "--out", tmp_path,
               "--as-of", DAY)
    assert code == EXIT_ERRORS
    assert "出货!9" in capsys.readouterr().err
    path = tmp_path / "送货单_20261125_SH20261125001.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["SH20261125001", "SH20261125002"]
    assert (tmp_path / "分配结果_送货单_20261125_SH20261125001.xlsx").is_file()
    assert_injection_is_text(path)


def test_refuses_write_back_while_open_in_excel(ledger_file: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    owner = ledger_file.with_name("~$" + ledger_file.name)
    owner.write_bytes(b"\x00clerk")
    before = ledger_file.read_bytes()
    for args in (("work-orders",), ("delivery-notes", "--customer", "ACME")):
        code = run("docs", *args, ledger_file, "--out", tmp_path / "out", "--as-of", DAY, "--write-back")
        assert code == EXIT_LOCKED
        assert "Excel" in capsys.readouterr().err
    assert ledger_file.read_bytes() == before
    assert not (tmp_path / "out").exists()
    assert not (ledger_file.parent / JOURNAL_NAME).exists()  # no number was used up
    # Reading an open ledger is fine: without --write-back the documents are made.
    assert run("docs", "work-orders", ledger_file, "--out", tmp_path / "out", "--as-of", DAY) == EXIT_OK


def test_statement_for_a_formula_named_customer(tmp_path: Path) -> None:
    sheets = ledger_sheets()
    sheets["出货"][7][6] = "SH20261125009"
    ledger_file = write_ledger(tmp_path / "l" / "台账.xlsx", sheets)
    code = run("docs", "statement", ledger_file, "--customer", INJECTION, "--period", "2026-11",
               "--out", tmp_path / "out", "--as-of", DAY)
    assert code == EXIT_OK
    [path] = (tmp_path / "out").iterdir()
    assert path.name == "对账单_=HYPERLINK(_http___x_,_y_)_2026-11.xlsx"
    assert_injection_is_text(path)


@pytest.mark.parametrize(
    "args",
    [
        ("statement", "--customer", "NOBODY", "--period", "2026-11"),
        ("statement", "--customer", "ACME", "--period", "2026-13"),
        ("delivery-notes", "--customer", "NOBODY"),
    ],
)
def test_bad_arguments_exit_2(ledger_file: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    assert run("docs", *args[:1], ledger_file, *args[1:], "--out", tmp_path) == EXIT_UNUSABLE


def test_bad_number_pattern_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheets = ledger_sheets()
    sheets["设置"].append(["工单号规则", "WO{YYYY}{BAD}"])
    ledger_file = write_ledger(tmp_path / "台账.xlsx", sheets)
    assert run("docs", "work-orders", ledger_file, "--out", tmp_path, "--as-of", DAY) == EXIT_UNUSABLE
    assert "{BAD}" in capsys.readouterr().err


def test_missing_ledger_exits_2(tmp_path: Path) -> None:
    assert run("docs", "work-orders", tmp_path / "nope.xlsx", "--out", tmp_path) == EXIT_UNUSABLE


def test_write_back_changes_only_the_patched_sheets(ledger_file: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(ledger_file) as z:
        before = {n: z.read(n) for n in z.namelist()}
    assert run("docs", "delivery-notes", ledger_file, "--customer", "ACME", "--out", tmp_path,
               "--as-of", DAY, "--write-back") == EXIT_OK
    with zipfile.ZipFile(ledger_file) as z:
        after = {n: z.read(n) for n in z.namelist()}
    changed = sorted(n for n in before if before[n] != after.get(n))
    assert changed == ["xl/worksheets/sheet6.xml"]  # 出货, the sixth sheet


def test_docs_json_numbers_rows_and_skipped(ledger_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """``--json``: every number issued or reused with its rows and qty, the rows
    skipped with their reason (the 出货 row of SO-999 names no order line)."""
    import json

    out = tmp_path / "out"
    assert run("docs", "work-orders", ledger_file, "--out", out, "--as-of", DAY, "--json") == EXIT_OK
    first = json.loads(capsys.readouterr().out)
    assert [(n["number"], n["order_no"], n["qty"], n["reused"]) for n in first["numbers"]] == [
        ("WO20261126001", "SO-002", 140, False), ("WO20261126002", "SO-001", 350, False)
    ]
    assert first["numbers"][0]["rows"] == [{"file": str(ledger_file), "sheet": "订单", "row": 4}]
    assert first["skipped"] == [] and first["output"].endswith("制造命令单_20261126_WO20261126001.xlsx")
    # Again: the same numbers, now reused.
    assert run("docs", "work-orders", ledger_file, "--out", out, "--as-of", DAY, "--json") == EXIT_OK
    assert [n["reused"] for n in json.loads(capsys.readouterr().out)["numbers"]] == [True, True]
    assert run("docs", "delivery-notes", ledger_file, "--out", out, "--as-of", DAY, "--json") == EXIT_ERRORS
    notes = json.loads(capsys.readouterr().out)
    assert notes["numbers"] and all(n["kind"] in ("dn", "rt") and n["rows"] for n in notes["numbers"])
    assert [(s["row"]["sheet"], s["row"]["row"]) for s in notes["skipped"]] == [("出货", 9)]
    assert "找不到对应的订单行" in notes["skipped"][0]["reason"]
