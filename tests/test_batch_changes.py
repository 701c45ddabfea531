"""`gendan batch` keeps the last run's snapshot and logs what changed since.

The ledgers are the hand-made pair of test_changes (14 changes, one of each kind).
Day 1 (Mon 12-07) runs on OLD: nothing to compare with yet, so no 变更记录 and no
notice, but the snapshot is kept in 输出/.gendan-snapshot. The clerk then saves NEW.
Day 2 (Tue 12-08): 变更记录.xlsx holds exactly the 14 changes, each with run date
12-08, and one 变更通知单 BG20261208001 is written. Day 3 (Wed 12-09), ledger
untouched: no change, so no notice and the log is not rewritten; the report of day 3
has a 变更记录 sheet with the 14 rows of day 2 (within the last 30 days).
"""

from __future__ import annotations

import hashlib
import time
from datetime import date
from pathlib import Path

from helpers import make_workbook
from openpyxl import load_workbook
from test_changes import EXPECTED_CHANGES, NEW_ORDERS, NEW_WOS, OLD_ORDERS, OLD_WOS, sheets
from xlsx_lint import lint_xlsx

from gendan_xl.batch import CHANGE_LOG, SNAPSHOT_DIR, run_batch, write_example_config
from gendan_xl.documents.numbers import read_journal
from gendan_xl.read.changelog import read_change_log

DAY1, DAY2, DAY3 = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)


def _notices(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("变更通知单_*.xlsx"))


def test_day1_day2_day3(tmp_path: Path) -> None:
    ledger = make_workbook(tmp_path / "台账.xlsx", sheets(OLD_ORDERS, OLD_WOS))
    write_example_config(tmp_path)
    out = tmp_path / "输出"

    # Day 1: the first run has nothing to compare with.
    assert run_batch(tmp_path, DAY1) in (0, 1)
    assert not (out / CHANGE_LOG).exists() and _notices(out) == []
    assert (out / SNAPSHOT_DIR / "台账.xlsx").read_bytes() == ledger.read_bytes()
    # The snapshot lives beside the outputs only: nothing new in the input folder.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".gendan")) == [
        "gendan.toml", "台账.xlsx", "输出"]

    # Day 2: the clerk saved NEW. A dry run first lists the two files and writes nothing.
    make_workbook(ledger, sheets(NEW_ORDERS, NEW_WOS))
    said: list[str] = []
    assert run_batch(tmp_path, DAY2, dry_run=True, echo=said.append) in (0, 1)
    assert any(CHANGE_LOG in line for line in said) and any("变更通知单_BG20261208nnn" in line for line in said)
    assert not (out / CHANGE_LOG).exists() and not (tmp_path / "gendan_numbers.jsonl").exists()
    assert run_batch(tmp_path, DAY2) in (0, 1)
    log = read_change_log(out / CHANGE_LOG)
    assert len(log) == len(EXPECTED_CHANGES) == 14
    assert set(log["run_date"]) == {DAY2}
    got = [(k, key, f, o or None, n or None, s, c) for k, key, f, o, n, s, c in
           log[["kind", "key", "field", "old", "new", "sheet", "cell"]].itertuples(index=False, name=None)]
    assert got == EXPECTED_CHANGES
    assert _notices(out) == ["变更通知单_BG20261208001.xlsx"]
    assert lint_xlsx(out / CHANGE_LOG) == [] and lint_xlsx(out / "变更通知单_BG20261208001.xlsx") == []
    journal = read_journal(tmp_path)
    assert "BG20261208001" in journal.issued
    # The snapshot is now NEW, and there is exactly one.
    assert (out / SNAPSHOT_DIR / "台账.xlsx").read_bytes() == ledger.read_bytes()
    assert [p.name for p in out.iterdir() if p.name.startswith(SNAPSHOT_DIR)] == [SNAPSHOT_DIR]
    log_hash = hashlib.sha256((out / CHANGE_LOG).read_bytes()).hexdigest()

    # Day 3: nothing changed: no notice, the log untouched.
    assert run_batch(tmp_path, DAY3) in (0, 1)
    assert _notices(out) == ["变更通知单_BG20261208001.xlsx"]
    assert hashlib.sha256((out / CHANGE_LOG).read_bytes()).hexdigest() == log_hash
    assert "与上次运行相比没有变更" in (out / "gendan-batch.log").read_text(encoding="utf-8")
    assert lint_xlsx(out / "跟单报告_20261209.xlsx") == []
    wb = load_workbook(out / "跟单报告_20261209.xlsx", read_only=True)
    ws = wb["变更记录"]
    rows = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    # title, header, then the 14 rows of day 2
    assert rows[1][:3] == ("运行日期", "变更", "订单行/工单")
    assert len(rows) == 2 + 14
    assert {r[2] for r in rows[2:]} >= {"SO2-1", "SO9-1", "WO8"}


def test_saved_again_without_change_gives_no_notice(tmp_path: Path) -> None:
    # The same ledger saved again (other bytes, same cells): the snapshot is read and
    # compared, nothing changed, so no 变更记录 and no notice.
    ledger = make_workbook(tmp_path / "台账.xlsx", sheets(NEW_ORDERS, NEW_WOS))
    write_example_config(tmp_path)
    out = tmp_path / "输出"
    run_batch(tmp_path, DAY1)
    before = ledger.read_bytes()
    time.sleep(1.1)  # a new timestamp in the package
    make_workbook(ledger, sheets(NEW_ORDERS, NEW_WOS))
    assert ledger.read_bytes() != before
    run_batch(tmp_path, DAY2)
    assert not (out / CHANGE_LOG).exists() and _notices(out) == []
    assert "与上次运行相比没有变更" in (out / "gendan-batch.log").read_text(encoding="utf-8")


def test_log_keeps_earlier_rows(tmp_path: Path) -> None:
    # Day 2 logs 14 changes; on day 3 the clerk puts OLD back: 14 more rows (the
    # reverse of each), and the 14 of day 2 are still there.
    ledger = make_workbook(tmp_path / "台账.xlsx", sheets(OLD_ORDERS, OLD_WOS))
    write_example_config(tmp_path)
    (tmp_path / "gendan.toml").write_text(
        (tmp_path / "gendan.toml").read_text(encoding="utf-8").replace("report = true", "report = false"),
        encoding="utf-8")
    out = tmp_path / "输出"
    run_batch(tmp_path, DAY1)
    make_workbook(ledger, sheets(NEW_ORDERS, NEW_WOS))
    run_batch(tmp_path, DAY2)
    make_workbook(ledger, sheets(OLD_ORDERS, OLD_WOS))
    run_batch(tmp_path, DAY3)
    log = read_change_log(out / CHANGE_LOG)
    assert list(log["run_date"]).count(DAY2) == 14 and list(log["run_date"]).count(DAY3) == 14
    back = log[log["run_date"] == DAY3]
    # SO8-1 comes back (added), SO9-1 goes (removed); 数量 of SO3-1 from 1600 to 800
    assert {("line-added", "SO8-1"), ("line-removed", "SO9-1")} <= set(zip(back["kind"], back["key"], strict=True))
    qty = back[back["kind"] == "qty-changed"]
    assert list(zip(qty["old"], qty["new"], strict=True)) == [("1600", "800")]
    assert _notices(out) == ["变更通知单_BG20261208001.xlsx", "变更通知单_BG20261209001.xlsx"]
