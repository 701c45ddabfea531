"""`gendan batch`: safe by construction on a shared folder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import make_workbook

from gendan_xl.batch import (
    JSONL_NAME,
    LOG_NAME,
    RUN_LOCK,
    TMP_PREFIX,
    run_batch,
    write_example_config,
)
from gendan_xl.demo import build_demo
from gendan_xl.documents.numbers import JOURNAL_NAME
from gendan_xl.write.demo_book import write_demo

AS_OF = date(2026, 11, 26)
STAMP = "20261126"


def _hashes(folder: Path) -> dict[str, str]:
    """The inputs: every file but outputs, locks and the number journal (statement
    numbers are journaled beside the ledger, shared with the clerks' CLI runs)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "输出" not in p.parts and not p.name.startswith(".gendan") and p.name != JOURNAL_NAME
    }


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(build_demo(), tmp_path_factory.mktemp("demo") / "台账.xlsx")


@pytest.fixture
def folder(tmp_path: Path, demo_file: Path) -> Path:
    (tmp_path / "台账.xlsx").write_bytes(demo_file.read_bytes())
    write_example_config(tmp_path)
    return tmp_path


def _run(folder: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gendan_xl", "batch", str(folder), "--as-of", AS_OF.isoformat(), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _records(folder: Path) -> list[dict[str, object]]:
    path = folder / "输出" / JSONL_NAME
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_over_demo_writes_outputs_and_never_touches_inputs(folder: Path) -> None:
    before = _hashes(folder)
    code = run_batch(folder, AS_OF)
    assert code == 1  # the demo plants data errors
    assert _hashes(folder) == before
    out = folder / "输出"
    assert (out / f"检查结果_{STAMP}.xlsx").exists()
    record = _records(folder)[-1]
    assert record["exit_code"] == 1
    assert record["issues"]["error"] > 0  # type: ignore[index]
    inputs = record["inputs"]
    assert inputs[0]["path"] == "台账.xlsx"  # type: ignore[index]
    assert inputs[0]["sha256"] == before["台账.xlsx"]  # type: ignore[index]
    assert "结束" in (out / LOG_NAME).read_text(encoding="utf-8")
    assert not list(out.glob(TMP_PREFIX + "*"))


def test_dry_run_writes_no_output(folder: Path) -> None:
    assert run_batch(folder, AS_OF, dry_run=True) == 1
    assert not list((folder / "输出").glob("*.xlsx")) if (folder / "输出").exists() else True


@pytest.mark.parametrize("point", ["after-snapshot", "before-rename", "after-output"])
def test_killed_run_leaves_previous_outputs_intact(folder: Path, point: str) -> None:
    assert _run(folder).returncode == 1
    out = folder / "输出"
    previous = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    assert previous
    before = _hashes(folder)
    killed = _run(folder, env={"GENDAN_BATCH_KILL_AT": point})
    assert killed.returncode == -9
    assert _hashes(folder) == before
    now = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    if point == "after-output":
        assert set(now) == set(previous)  # rewritten whole (same content), not partial
    else:
        assert now == previous
    for name, data in now.items():  # every file under a final name is a whole workbook
        assert data[:2] == b"PK" and data[-22:-18] == b"PK\x05\x06", name
    # The killed run left its run lock; the next run takes it over (dead pid) and cleans up.
    assert (folder / RUN_LOCK).exists()
    assert _run(folder).returncode == 1
    assert not (folder / RUN_LOCK).exists()
    assert "took over a stale run lock" in (out / LOG_NAME).read_text(encoding="utf-8")


def test_full_disk_gives_exit_2_and_nothing_half_written(folder: Path) -> None:
    result = _run(folder, env={"GENDAN_BATCH_FAIL_WRITE": "1"})
    assert result.returncode == 2
    out = folder / "输出"
    assert not list(out.glob("*.xlsx"))
    assert not list(out.glob(TMP_PREFIX + "*"))
    log = (out / LOG_NAME).read_text(encoding="utf-8")
    assert "写入失败" in log and "No space left" in log


def test_second_concurrent_run_exits_3(folder: Path) -> None:
    lock = folder / RUN_LOCK
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        import socket

        lock.write_text(
            json.dumps({"user": "clerk", "host": socket.gethostname(), "pid": holder.pid, "time": "now", "token": "x"}),
            encoding="utf-8",
        )
        result = _run(folder)
        # 3, not 1: it neither waited for the holder (alive for 30 s) nor took its lock.
        assert result.returncode == 3
        assert lock.exists()  # the live holder's lock is left alone
        log = (folder / "输出" / LOG_NAME) if (folder / "输出").exists() else folder / LOG_NAME
        assert "clerk@" in log.read_text(encoding="utf-8")
    finally:
        holder.kill()
        holder.wait()


def test_two_runs_at_once_exactly_one_runs(folder: Path) -> None:
    # Each run holds the lock for 8 s before working, so the two surely overlap.
    env = {**os.environ, "GENDAN_BATCH_HOLD": "8"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "gendan_xl", "batch", str(folder), "--as-of", AS_OF.isoformat()],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    codes = sorted(p.wait(timeout=180) for p in procs)
    assert codes == [1, 3]
    assert not (folder / RUN_LOCK).exists()


def test_stale_lock_from_another_host_taken_over_after_age(folder: Path) -> None:
    lock = folder / RUN_LOCK
    lock.write_text(json.dumps({"user": "x", "host": "other-pc", "pid": 1, "time": "t", "token": "t"}), encoding="utf-8")
    assert _run(folder).returncode == 3  # young lock from another PC: respected
    old = time.time() - 4 * 3600
    os.utime(lock, (old, old))
    assert _run(folder).returncode == 1  # older than stale_minutes: taken over


def test_corrupt_daily_file_is_reported_and_the_rest_processed(tmp_path: Path) -> None:
    base = [["订单号", "客户", "产品编码", "数量", "下单日期", "交期"], ["SO1", "甲", "P1", 100, date(2026, 11, 1), date(2026, 12, 20)]]
    make_workbook(
        tmp_path / "台账.xlsx",
        {
            "订单": base,
            "产品": [["产品编码", "标准产能", "产线"], ["P1", 50, "L1"]],
            "产线": [["产线"], ["L1"]],
            "工单": [["工单号", "订单号", "产品编码", "数量", "产线"], ["WO1", "SO1", "P1", 100, "L1"]],
            "出货": [["出货日期", "订单号", "产品编码", "数量"]],
        },
    )
    daily = tmp_path / "日报"
    make_workbook(daily / "a.xlsx", {"Sheet1": [["日期", "工单号", "良品数", "工时"], [date(2026, 11, 20), "WO1", 30, 8]]})
    make_workbook(daily / "c.xlsx", {"Sheet1": [["日期", "工单号", "良品数", "工时"], [date(2026, 11, 21), "WO1", 20, 8]]})
    (daily / "b.xlsx").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "gendan.toml").write_text('[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n', encoding="utf-8")
    before = _hashes(tmp_path)
    code = run_batch(tmp_path, AS_OF)
    assert code == 1
    assert _hashes(tmp_path) == before
    record = json.loads((tmp_path / "输出" / JSONL_NAME).read_text(encoding="utf-8").splitlines()[-1])
    assert record["counts"]["Sheet1"] == 2  # both good files read
    from gendan_xl.engine import check

    issues = check(tmp_path, AS_OF).issues
    assert [(i.code, i.ref.file) for i in issues if i.code == "unreadable-file"] == [
        ("unreadable-file", str(Path("日报") / "b.xlsx"))
    ]


def test_missing_required_part_exits_2(folder: Path) -> None:
    (folder / "gendan.toml").write_text('[ledger]\nworkbook = "没有这个文件.xlsx"\n', encoding="utf-8")
    result = _run(folder)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_config_names_key_and_line(folder: Path) -> None:
    (folder / "gendan.toml").write_text('[ledger]\nworkbook = "台账.xlsx"\n\n[output]\nkeep = "many"\n', encoding="utf-8")
    assert run_batch(folder, AS_OF) == 2
    log = (folder / LOG_NAME).read_text(encoding="utf-8")
    assert "output.keep" in log and "第 5 行" in log


def test_outputs_pruned_to_keep(folder: Path) -> None:
    cfg = folder / "gendan.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("keep = 10", "keep = 2"), encoding="utf-8")
    for day in (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)):
        run_batch(folder, day)
    names = sorted(p.name for p in (folder / "输出").glob("检查结果_*.xlsx"))
    assert names == ["检查结果_20261124.xlsx", "检查结果_20261125.xlsx"]


def test_open_in_excel_is_logged(folder: Path) -> None:
    owner = folder / "~$台账.xlsx"
    owner.write_bytes(bytes([5]) + b"clerk" + b"\x00" * 50)
    run_batch(folder, AS_OF)
    record = _records(folder)[-1]
    assert record["inputs"][0]["open_by"] == "clerk"  # type: ignore[index]
    assert "open by clerk, last saved version used" in (folder / "输出" / LOG_NAME).read_text(encoding="utf-8")


def test_batch_over_demo_produces_every_output_and_they_open(folder: Path, soffice) -> None:  # type: ignore[no-untyped-def]
    from xlsx_lint import assert_clean_workbook

    from gendan_xl.documents.statement import cutoff_customers
    from gendan_xl.read import read_ledger

    day = date(2026, 12, 1)  # the first run after month end: statements of customers without a 对账日
    due = cutoff_customers(read_ledger(folder / "台账.xlsx", day), day - timedelta(days=1))
    assert due, "the demo has customers whose cut-off is month end"
    assert run_batch(folder, day) == 1
    out = folder / "输出"
    names = sorted(p.name for p in out.glob("*.xlsx"))
    expected = {f"检查结果_{day:%Y%m%d}.xlsx", f"跟单报告_{day:%Y%m%d}.xlsx", f"出货计划_{day:%Y%m%d}.xlsx"}
    assert expected <= set(names)
    statements = [n for n in names if n.startswith("对账单_")]
    # Month-end customers close November; the others their last closed period.
    assert {f"对账单_{c}_2026-11.xlsx" for c in due} <= set(statements)
    for name in names:
        assert_clean_workbook(out / name, soffice)


def _xlsx_text(path: Path) -> str:
    """Every part of a workbook package as text: cells, shared strings, links, headers."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))


def test_outputs_name_the_real_ledger_never_the_snapshot(folder: Path) -> None:
    """Batch reads a private copy (/tmp/gendan-snap-…); the report, the shipment
    plan, the issue workbook and the statements name the ledger in the shared folder."""
    import openpyxl

    run_batch(folder, AS_OF)
    outputs = sorted((folder / "输出").glob("*.xlsx"))
    kinds = {p.name.split("_")[0] for p in outputs}
    assert {"跟单报告", "出货计划", "检查结果"} <= kinds, kinds
    for path in outputs:
        text = _xlsx_text(path)
        assert "gendan-snap" not in text, path.name
    subtitles = []
    for stem in ("跟单报告", "出货计划"):
        wb = openpyxl.load_workbook(next(p for p in outputs if p.name.startswith(stem)))
        subtitles += [c.value for ws in wb.worksheets for row in ws.iter_rows(max_row=3) for c in row
                      if isinstance(c.value, str) and "台账:" in c.value]
    assert subtitles and all(f"台账:{folder}" in s for s in subtitles), subtitles[:3]
    # The issue workbook's 打开 links lead to the real ledger, beside the 输出 folder.
    issues = openpyxl.load_workbook(next(p for p in outputs if p.name.startswith("检查结果")))
    links = {c.hyperlink.target.split("#")[0].replace("\\", "/") for ws in issues.worksheets for row in ws.iter_rows()
             for c in row if c.hyperlink is not None and c.hyperlink.target}
    assert links and all((folder / "输出" / link).resolve() == (folder / "台账.xlsx").resolve()
                         for link in links), sorted(links)[:3]
