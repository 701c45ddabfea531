"""Fuzz: generated malformed ledgers through `gendan check` and `gendan batch`.

Random types in cells, shuffled and renamed headers, merged cells, empty sheets,
huge strings, formulas without values, error values. Never a traceback, always
an exit code 0-3, and every issue names its file and sheet (and its cell when it
is about a cell)."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from gendan_xl import cli
from gendan_xl.batch import run_batch
from gendan_xl.schema import SHEETS

CASES = 128  # seeded; 16 ledgers per chunk keep CI well under 15 minutes
CHUNKS = 8
AS_OF = date(2026, 11, 26)
CELL_CODES = {
    "missing-value", "bad-date", "bad-number", "bad-choice", "excel-error", "uncalculated-formula",
    "duplicate-key", "non-positive-qty", "due-before-order", "unknown-item", "unknown-line",
    "unknown-order", "unknown-work-order", "over-shipped", "future-date", "signed-before-shipped",
    "duplicate-report-row", "duplicate-delivery-note",
}


def _value(rng: random.Random) -> object:
    kind = rng.randrange(14)
    if kind == 0:
        return None
    if kind == 1:
        return rng.randint(-5, 10**6)
    if kind == 2:
        return rng.uniform(-1e9, 1e9)
    if kind == 3:
        return datetime(2026, 1, 1) + timedelta(days=rng.randint(-800, 800))
    if kind == 4:
        return rng.choice(["#N/A", "#REF!", "#DIV/0!", "#VALUE!"])
    if kind == 5:
        return rng.choice(["=1/0", "=NA()", "=A1+B2", "=SUM(A:A)", '=HYPERLINK("http://x","y")'])
    if kind == 6:
        return "长" * rng.choice([1, 300, 32000])
    if kind == 7:
        return rng.choice(["2026/13/45", "11月3日", "20261103", "１２０", "1,200pcs", "约500", "合计", "  "])
    if kind == 8:
        return rng.choice([True, False])
    if kind == 9:
        return rng.choice(["普通", "急", "特急", "取消", "欠料", "休息", "加班"])
    if kind == 10:
        return f"SO{rng.randint(1, 20)}"
    if kind == 11:
        return f"P{rng.randint(1, 8)}"
    if kind == 12:
        return f"WO{rng.randint(1, 20)}"
    return "".join(chr(rng.randint(0x20, 0x9FFF)) for _ in range(rng.randint(1, 12)))


def _ledger(path: Path, seed: int) -> None:
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    specs = rng.sample(list(SHEETS), rng.randint(0, len(SHEETS)))
    for spec in specs:
        name = rng.choice([spec.name, *spec.aliases, spec.name + " ", "Sheet" + str(rng.randint(1, 9))])
        if name in wb.sheetnames:
            continue
        ws = wb.create_sheet(name[:31])
        if rng.random() < 0.1:
            continue  # empty sheet
        headers = [c.name for c in spec.columns]
        rng.shuffle(headers)
        headers = [h if rng.random() > 0.15 else rng.choice([h + "(PCS)", h.upper(), "", "未知列", h]) for h in headers]
        top = rng.randint(1, 4)
        left = rng.randint(1, 3)
        if top > 1 and rng.random() < 0.5:
            ws.cell(1, left, "2026年11月 跟踪表")
            ws.merge_cells(start_row=1, start_column=left, end_row=1, end_column=left + 3)
        for j, h in enumerate(headers):
            ws.cell(top, left + j, h or None)
        for i in range(rng.randint(0, 12)):
            for j in range(len(headers)):
                value = _value(rng)
                if value is not None:
                    ws.cell(top + 1 + i, left + j, value)
        if rng.random() < 0.2:
            r = top + rng.randint(1, 3)
            ws.merge_cells(start_row=r, start_column=left, end_row=r + 1, end_column=left + 1)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    wb.save(path)


def _assert_issues_name_cells(payload: dict[str, object]) -> None:
    for issue in payload["issues"]:  # type: ignore[attr-defined]
        assert issue["file"] and issue["sheet"] is not None, issue
        if issue["code"] in CELL_CODES:
            assert issue["cell"] and issue["row"] >= 1 and issue["column"], issue


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_malformed_ledgers_never_crash(chunk: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for seed in range(chunk, CASES, CHUNKS):
        folder = tmp_path / f"case{seed}"
        folder.mkdir()
        ledger = folder / "台账.xlsx"
        _ledger(ledger, seed)
        before = ledger.read_bytes()

        code = cli.main(["check", str(ledger), "--as-of", AS_OF.isoformat(), "--json"])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2, 3), (seed, code)
        assert "Traceback" not in err and "内部错误" not in err, (seed, err)
        if code in (0, 1):
            _assert_issues_name_cells(json.loads(out))
        else:
            assert len(err.strip().splitlines()) == 1 and "台账.xlsx" in err, (seed, err)

        (folder / "gendan.toml").write_text('[ledger]\nworkbook = "台账.xlsx"\n', encoding="utf-8")
        batch_code = run_batch(folder, AS_OF)
        assert batch_code in (0, 1, 2, 3), (seed, batch_code)
        assert batch_code == code, seed  # the batch judges the ledger as check does
        assert ledger.read_bytes() == before, seed
