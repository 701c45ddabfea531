"""`gendan review`: the --json shape, bad input, --write-back (only 回复交期 cells
change), the 订单评审表 workbook. The figures are those of tests/test_review.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from test_review import AS_OF, sheets

from gendan_xl import cli
from gendan_xl.plan import plan_ledger
from gendan_xl.read import read_ledger


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cells(path: Path) -> dict[tuple[str, str], Any]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    out[(ws.title, c.coordinate)] = c.value
    return out


def test_json_shape(workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(sheets())
    before = path.read_bytes()
    code, out, err = run(capsys, "review", str(path), "--as-of", AS_OF.isoformat(), "--json")
    assert code == 1  # PX has no 标准产能: a data error, the review is still made
    data = json.loads(out)
    assert list(data) == ["as_of", "since", "lead_days", "lines", "written_back"]
    assert (data["as_of"], data["since"], data["lead_days"], data["written_back"]) == (
        "2026-11-16", "2026-11-09", 1, []
    )
    assert [ln["key"] for ln in data["lines"]] == ["N1-1", "N2-1", "N3-1", "N4-1", "N5-1"]
    for line in data["lines"]:
        assert list(line) == ["key", "due_date", "earliest_finish", "promise_date", "material_ready", "verdict",
                              "reason", "reply_date", "pushes"]
        for push in line["pushes"]:
            assert list(push) == ["key", "old_finish", "new_finish"]
    assert [ln["verdict"] for ln in data["lines"]] == ["可按期", "可按期", "可按期", "需协商", "无法排产"]
    assert err == ""
    assert path.read_bytes() == before  # never touched without --write-back
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".") or ".bak-" in p.name]


def test_terminal_zh_and_en(workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(sheets())
    code, out, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--since", "2026/11/12")
    assert code == 1
    assert "订单评审" in out and "N3-1" in out and "N1-1" not in out  # since 11-12: N1 (11-10) is committed
    assert "需协商" in out and "无法排产" in out and "C1-1 11-17→11-19(+2天,将延误)" in out
    code, out, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--lang", "en")
    assert "Order review" in out and "item 'PX' has no standard rate" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--since", "2026-13-45"], "不是有效日期 / not a date: 2026-13-45"),
        (["--since", "下周"], "不是有效日期 / not a date: 下周"),
        (["--as-of", "x"], "不是有效日期 / not a date: x"),
        (["--since", "2026-11-20"], "起始日期 2026-11-20 晚于评审日期 2026-11-16"),
    ],
)
def test_bad_input(
    workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    path = workbook(sheets())
    before = path.read_bytes()
    as_of = [] if "--as-of" in argv else ["--as-of", "2026-11-16"]
    try:
        code, _, err = run(capsys, "review", str(path), *as_of, *argv)
    except SystemExit as exc:  # argparse: usage and the message, exit 2
        code, err = int(exc.code or 0), capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_missing_ledger_and_sheet_over_the_ledger(tmp_path: Path, workbook: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "review", str(tmp_path / "nope.xlsx"))
    assert code == 2 and "nope.xlsx" in err and "Traceback" not in err
    path = workbook(sheets())
    before = path.read_bytes()
    code, _, err = run(capsys, "review", str(path), "--sheet", str(path))
    assert code == 2 and "输出文件就是台账本身" in err
    assert path.read_bytes() == before


def test_write_back_fills_only_reply_dates(workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    """回复交期 is column H; N1..N5 are rows 6..10. 可按期 lines get their 交期 (N1 11-25,
    N2 12-04, N3 11-18), N4 (需协商) the proposed 11-24, N5 (无法排产) nothing."""
    path = workbook(sheets())
    before = cells(path)
    code, out, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--write-back", "--json")
    assert code == 1  # the ledger's data error (PX), not the write-back
    assert json.loads(out)["written_back"] == [
        {"order_line": "N1-1", "cell": "订单!H6", "date": "2026-11-25"},
        {"order_line": "N2-1", "cell": "订单!H7", "date": "2026-12-04"},
        {"order_line": "N3-1", "cell": "订单!H8", "date": "2026-11-18"},
        {"order_line": "N4-1", "cell": "订单!H9", "date": "2026-11-24"},
    ]
    after = cells(path)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    assert changed == {
        ("订单", "H6"): datetime(2026, 11, 25),
        ("订单", "H7"): datetime(2026, 12, 4),
        ("订单", "H8"): datetime(2026, 11, 18),
        ("订单", "H9"): datetime(2026, 11, 24),
    }
    assert set(before) <= set(after)
    assert load_workbook(path)["订单"]["H9"].number_format == "yyyy-mm-dd"
    backups = [p for p in path.parent.iterdir() if ".bak-" in p.name]
    assert len(backups) == 1 and cells(backups[0]) == before
    # After the write-back the ordinary plan agrees with the review: N4 finishes 11-23,
    # one working day before its new 回复交期 11-24; C1 is the line pushed late (11-19).
    ledger = read_ledger(path, AS_OF)
    plan = plan_ledger(ledger, AS_OF)
    n4, c1 = plan.order("N4-1"), plan.order("C1-1")
    assert (n4["commitment_date"], n4["forecast_finish"]) == (date(2026, 11, 24), date(2026, 11, 23))
    assert (c1["forecast_finish"], c1["status"]) == (date(2026, 11, 19), "late")
    # A second review finds only N5 left (no 回复交期 was written for it).
    code, out, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--json")
    assert [ln["key"] for ln in json.loads(out)["lines"]] == ["N5-1"]


def test_write_back_refused_while_open_in_excel(workbook: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(sheets())
    owner = path.with_name("~$" + path.name)
    owner.write_bytes(b"\x05clerk")
    before = path.read_bytes()
    code, _, err = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--write-back")
    assert code == 3
    assert "Excel" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if ".bak-" in p.name]


def test_write_back_without_a_reply_column(workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    book = sheets()
    book["订单"] = [row[:7] + row[8:] for row in book["订单"] if row[0] != "C3"]  # drop 回复交期 (and C3)
    path = workbook(book)
    before = path.read_bytes()
    code, _, err = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--write-back")
    assert code == 1
    assert "「订单」表没有「回复交期」列" in err
    assert path.read_bytes() == before


def test_sheet_workbook(workbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(sheets())
    out = tmp_path / "评审.xlsx"
    code, _, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--sheet", str(out))
    assert code == 1
    wb = load_workbook(out)
    assert wb.sheetnames == ["订单评审表"]
    ws = wb["订单评审表"]
    assert ws["A2"].value == "订 单 评 审 表"
    rows = {ws.cell(r, 2).value: r for r in range(5, 10)}
    n4 = rows["N4-1"]
    # 要求交期, 最早完工, 可承诺交期, 回复客户交期, 结论
    assert [ws.cell(n4, c).value for c in (9, 10, 11, 12, 14)] == [
        datetime(2026, 11, 20), datetime(2026, 11, 23), datetime(2026, 11, 24), datetime(2026, 11, 24), "需协商"
    ]
    n1 = rows["N1-1"]  # 可按期: promised 11-18, the customer is told the date asked for, 11-25
    assert [ws.cell(n1, c).value for c in (11, 12, 14)] == [datetime(2026, 11, 18), datetime(2026, 11, 25), "可按期"]
    assert ws.cell(rows["N3-1"], 16).value == "C2-1 11-19→11-25(+6天)\nC1-1 11-17→11-19(+2天,将延误)"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert {"跟单", "计划", "生产", "业务"} <= set(texts)
    assert ws.print_area is not None and ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    # Run again: the file gendan wrote is replaced, not duplicated.
    run(capsys, "review", str(path), "--as-of", "2026-11-16", "--sheet", str(out))
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx" and "评审" in p.name) == ["评审.xlsx"]


def test_nothing_to_review(workbook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--since 11-14: every line was ordered before it; the sheet is one page with no line."""
    path = workbook(sheets())
    out = tmp_path / "空.xlsx"
    code, text, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--since", "2026-11-14",
                        "--sheet", str(out))
    assert code == 1  # PX's missing rate is still a data error of the ledger
    assert "没有待评审的订单行" in text
    code, text, _ = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--since", "2026-11-14", "--json",
                        "--write-back")
    assert json.loads(text)["lines"] == [] and json.loads(text)["written_back"] == []
    ws = load_workbook(out)["订单评审表"]
    assert ws["A2"].value == "订 单 评 审 表" and ws["A5"].value.startswith("本批 0 行")


def test_write_back_leaves_a_line_with_an_error(workbook: Callable[..., Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """N9 (row 11: P3 40 = 4 h on B, 交期 unreadable) is planned last on B (no date):
    O1 8 h -> 11-16, N1 16 -> 11-17, C3 20 -> 11-18, N9 24 -> 11-18; promise 11-19, 需协商.
    Its row has an error (bad-date at G11), so its 回复交期 is not written; the others are."""
    extra = [["N9", 1, "BETA", "P3", 40, date(2026, 11, 13), "下周", None, "普通"]]
    path = workbook(sheets(extra))
    code, out, err = run(capsys, "review", str(path), "--as-of", "2026-11-16", "--write-back", "--json")
    assert code == 1
    data = json.loads(out)
    n9 = next(ln for ln in data["lines"] if ln["key"] == "N9-1")
    assert (n9["due_date"], n9["earliest_finish"], n9["promise_date"], n9["verdict"], n9["reason"]) == (
        None, "2026-11-18", "2026-11-19", "需协商", "交期缺失或无法读取;最早可交 2026-11-19"
    )
    assert [w["cell"] for w in data["written_back"]] == ["订单!H6", "订单!H7", "订单!H8", "订单!H9"]
    assert "未写回 N9-1 的回复交期:「订单」第 11 行有错误" in err
    assert load_workbook(path)["订单"]["H11"].value is None
