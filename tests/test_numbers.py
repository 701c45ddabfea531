"""Document number patterns and collision-free allocation on a shared folder."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan_xl.documents.numbers import (
    JOURNAL_NAME,
    LOCK_NAME,
    NumberLockError,
    NumberPatternError,
    allocate,
    format_number,
    issued_numbers,
    next_numbers,
    number_lock,
    pid_alive,
    read_lock,
    render_pattern,
)

DAY = date(2026, 11, 3)


@pytest.mark.parametrize(
    ("pattern", "seq", "expected"),
    [
        ("WO{YYYYMMDD}{SEQ:3}", 1, "WO20261103001"),
        ("SH{YYYYMMDD}{SEQ:3}", 12, "SH20261103012"),
        ("SH{YYMMDD}-{SEQ:4}", 7, "SH261103-0007"),
        ("{YYYY}/{MM}/{DD}#{SEQ:2}", 3, "2026/11/03#03"),
        ("送{YY}{MM}{SEQ}", 5, "送2611005"),
        ("D{SEQ:2}-{YYYY}", 99, "D99-2026"),
        ("WO{YYYYMMDD}{SEQ:3}", 1000, "WO202611031000"),  # overflow widens, never wraps
        ("wo{yyyymmdd}{seq:3}", 1, "wo20261103001"),
    ],
)
def test_pattern_rendering(pattern: str, seq: int, expected: str) -> None:
    assert format_number(pattern, DAY, seq) == expected


@pytest.mark.parametrize(
    "pattern", ["WO{YYYYMMDD}", "{SEQ:3}{SEQ:2}", "WO{DATE}{SEQ:3}", "WO{SEQ:0}", "WO{YYYY:2}{SEQ}", "WO{{SEQ}"]
)
def test_bad_patterns_are_refused_in_both_languages(pattern: str) -> None:
    with pytest.raises(NumberPatternError) as info:
        render_pattern(pattern, DAY)
    assert "单号规则" in str(info.value) and "Invalid number pattern" in str(info.value)


def test_next_numbers_follow_the_highest_taken_of_the_same_day() -> None:
    taken = {"SH20261103001", "sh20261103007 ", "SH20261102050", "SH20261103ABC", "SH2026110300"}
    # SH2026110300 has a 2-digit sequence "00": it counts as 0.
    assert next_numbers("SH{YYYYMMDD}{SEQ:3}", DAY, 2, taken) == ["SH20261103008", "SH20261103009"]
    assert next_numbers("SH{YYYYMMDD}{SEQ:3}", date(2026, 11, 4), 1, taken) == ["SH20261104001"]
    assert next_numbers("D{SEQ:2}-{YYYY}", DAY, 1, {"D41-2026", "D77-2025"}) == ["D42-2026"]


@given(st.sets(st.integers(min_value=1, max_value=5000), max_size=30), st.integers(1, 20))
def test_new_numbers_never_collide_with_taken(taken_seqs: set[int], count: int) -> None:
    taken = {format_number("WO{YYYYMMDD}{SEQ:3}", DAY, s) for s in taken_seqs}
    new = next_numbers("WO{YYYYMMDD}{SEQ:3}", DAY, count, taken)
    assert len(set(new)) == count and not set(new) & taken


def test_allocate_skips_ledger_numbers_and_journals(tmp_path: Path) -> None:
    first = allocate(tmp_path, "dn", None, DAY, 2, {"SH20261103005", "WO20261103009"}, ledger="台账.xlsx")
    assert first == ["SH20261103006", "SH20261103007"]
    # Issued numbers count even when the ledger no longer shows them (not written back).
    assert allocate(tmp_path, "dn", "", DAY, 1, set()) == ["SH20261103008"]
    assert allocate(tmp_path, "wo", None, DAY, 1, set()) == ["WO20261103001"]
    assert allocate(tmp_path, "dn", None, date(2026, 11, 4), 1, set()) == ["SH20261104001"]
    records = [json.loads(line) for line in (tmp_path / JOURNAL_NAME).read_text("utf-8").splitlines()]
    assert [r["number"] for r in records] == [
        "SH20261103006", "SH20261103007", "SH20261103008", "WO20261103001", "SH20261104001"
    ]
    assert records[0]["kind"] == "dn" and records[0]["ledger"] == "台账.xlsx"
    assert {"time", "user", "host"} <= set(records[0])
    assert not (tmp_path / LOCK_NAME).exists()
    assert allocate(tmp_path, "dn", None, DAY, 0, set()) == []


def test_a_torn_journal_line_is_ignored(tmp_path: Path) -> None:
    allocate(tmp_path, "dn", None, DAY, 1, set())
    with open(tmp_path / JOURNAL_NAME, "a", encoding="utf-8") as fh:
        fh.write('{"kind": "dn", "number": "SH2026110')  # a crash mid-write
    assert issued_numbers(tmp_path) == {"SH20261103001"}
    assert allocate(tmp_path, "dn", None, DAY, 1, set()) == ["SH20261103002"]


def test_bad_pattern_fails_before_locking(tmp_path: Path) -> None:
    with pytest.raises(NumberPatternError):
        allocate(tmp_path, "dn", "SH{YYYYMMDD}", DAY, 1, set())
    assert list(tmp_path.iterdir()) == []


def _write_lock(folder: Path, **fields: object) -> Path:
    path = folder / LOCK_NAME
    record = {"pid": os.getpid(), "host": socket.gethostname(), "user": "张三",
              "time": "2026-11-03T08:00:00+08:00", "token": "x"}
    record.update(fields)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def test_live_lock_times_out_naming_its_holder(tmp_path: Path) -> None:
    _write_lock(tmp_path, host="PC-ZHANGSAN", pid=4242)
    start = time.monotonic()
    with pytest.raises(NumberLockError) as info:
        allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=0.4)
    assert time.monotonic() - start > 0.35  # it did wait for the holder before giving up
    zh, en = info.value.message("zh"), info.value.message("en")
    assert "张三@PC-ZHANGSAN" in zh and "4242" in zh and zh.index("单号") < zh.index("张三")
    assert "张三@PC-ZHANGSAN" in en and "Try again" in en
    assert read_lock(tmp_path / LOCK_NAME)["host"] == "PC-ZHANGSAN"  # left alone
    assert not (tmp_path / JOURNAL_NAME).exists()


def test_stale_lock_by_age_is_recovered(tmp_path: Path) -> None:
    lock = _write_lock(tmp_path, host="PC-CRASHED", pid=4242)
    old = time.time() - 3600
    os.utime(lock, (old, old))
    assert allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=1) == ["SH20261103001"]
    assert not lock.exists()


def test_stale_lock_of_dead_process_on_this_host_is_recovered(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(proc.stdout)
    assert not pid_alive(dead_pid)
    lock = _write_lock(tmp_path, pid=dead_pid)  # fresh mtime, same host
    assert allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=1) == ["SH20261103001"]
    assert not lock.exists()


def test_lock_of_live_process_on_this_host_is_respected(tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as holder:
        try:
            _write_lock(tmp_path, pid=holder.pid)
            with pytest.raises(NumberLockError):
                allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=0.3)
        finally:
            holder.kill()
    holder.wait()
    assert allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=1) == ["SH20261103001"]


def test_unreadable_old_lock_is_recovered(tmp_path: Path) -> None:
    lock = tmp_path / LOCK_NAME
    lock.write_bytes(b"")  # crashed between creating and writing it
    old = time.time() - 30
    os.utime(lock, (old, old))
    assert allocate(tmp_path, "dn", None, DAY, 1, set(), timeout=1) == ["SH20261103001"]


def test_lock_is_released_on_error_and_not_stolen(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), number_lock(tmp_path):
        assert read_lock(tmp_path / LOCK_NAME)["pid"] == os.getpid()
        raise RuntimeError("boom")
    assert not (tmp_path / LOCK_NAME).exists()
    # Releasing never removes a lock that someone else holds by now.
    with number_lock(tmp_path):
        _write_lock(tmp_path, host="OTHER", token="theirs")
    assert read_lock(tmp_path / LOCK_NAME)["token"] == "theirs"


def test_unwritable_folder_gives_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    with pytest.raises(NumberLockError) as info:
        allocate(missing, "dn", None, DAY, 1, set())
    assert "单号锁" in info.value.message("zh")


def _allocate_many(folder: str, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start.wait(30)
    got = [allocate(Path(folder), "dn", None, DAY, 1, set(), timeout=60)[0] for _ in range(50)]
    out.put(got)


@pytest.mark.parametrize("stale_lock_first", [False, True], ids=["free", "stale-lock-present"])
def test_four_processes_get_distinct_numbers(tmp_path: Path, stale_lock_first: bool) -> None:
    if stale_lock_first:  # all four find a crashed PC's lock and race to break it
        lock = _write_lock(tmp_path, host="PC-CRASHED", pid=4242)
        old = time.time() - 3600
        os.utime(lock, (old, old))
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [ctx.Process(target=_allocate_many, args=(str(tmp_path), start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # let every process import and wait at the start line
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
    assert set(numbers) == {format_number("SH{YYYYMMDD}{SEQ:3}", DAY, s) for s in range(1, 201)}
    assert issued_numbers(tmp_path) == set(numbers)
    assert not (tmp_path / LOCK_NAME).exists()
