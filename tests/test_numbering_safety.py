"""Issue 10: nothing lost, nothing numbered twice.

Reproductions of what broke (two clerks at once, re-runs, a cut journal line,
outputs onto the ledger, documents before a failed write-back, same-day files, a
symlinked ledger, locks that never end), then many processes writing back at once
and runs killed with SIGKILL mid-write-back.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from test_documents import AS_OF, ledger_sheets, write_ledger

from gendan_xl.cli import EXIT_LOCKED, EXIT_OK, EXIT_UNUSABLE, main
from gendan_xl.documents import run as cli_docs
from gendan_xl.documents.numbers import (
    JOURNAL_NAME,
    LOCK_NAME,
    VOID,
    allocate,
    issued_numbers,
    ledger_lock,
    ledger_lock_path,
    read_journal,
)
from gendan_xl.locks import LockBusy, acquire
from gendan_xl.read import read_ledger

DAY = AS_OF.isoformat()
ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^\s+((?:WO|SH)\d{11})\s+(\S+)\s+(.*?)\s+←\s+(\S+) 第 ([\d,]+) 行$")


def clean_sheets() -> dict[str, list[list[Any]]]:
    """The documents' test ledger without its shipment of an unknown order (exit 1)."""
    sheets = ledger_sheets()
    sheets["出货"] = [r for r in sheets["出货"] if r[1] != "SO-999"]
    return sheets


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "shared" / "台账.xlsx", clean_sheets())


def run(*args: str | Path, capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    if capsys is None:
        return code, "", ""
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def printed(out: str) -> dict[str, tuple[str, list[int]]]:
    """number -> (sheet, rows) as the command listed them."""
    found = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            found[m.group(1)] = (m.group(4), [int(r) for r in m.group(5).split(",")])
    return found


def note_cells(path: Path) -> dict[int, str]:
    """出货 row -> 送货单号 in the file."""
    ws = openpyxl.load_workbook(path, read_only=True)["出货"]
    return {i: str(r[6]) for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[6]}


def wo_rows(path: Path) -> list[tuple[str, str]]:
    ws = openpyxl.load_workbook(path, read_only=True)["工单"]
    return [(str(r[0]), str(r[1])) for r in list(ws.iter_rows(values_only=True))[1:] if r[0]]


# ------------------------------------------------------------ two clerks, one ledger


def test_second_clerk_waits_for_the_ledger_lock_then_exits_3_naming_the_holder(
    ledger_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ledger_file.read_bytes()
    with ledger_lock(ledger_file):
        start = time.monotonic()
        code, _out, err = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "o", "--as-of", DAY,
                              "--write-back", "--wait", "0.5", capsys=capsys)
        waited = time.monotonic() - start
    assert code == EXIT_LOCKED
    assert waited >= 0.45
    assert "台账正被" in err and socket.gethostname() in err and str(os.getpid()) in err
    assert ledger_file.read_bytes() == before
    assert not (tmp_path / "o").exists()
    assert not (ledger_file.parent / JOURNAL_NAME).exists()


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gendan_xl", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=180)


def test_two_clerks_started_apart_never_number_the_same_rows(ledger_file: Path, tmp_path: Path) -> None:
    results: list[subprocess.CompletedProcess[str]] = []

    def clerk(i: int) -> None:
        results.append(_cli("docs", "delivery-notes", ledger_file, "--out", tmp_path / f"o{i}",
                            "--as-of", DAY, "--write-back"))

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(2)]
    threads[0].start()
    time.sleep(0.3)
    threads[1].start()
    for t in threads:
        t.join()
    assert sorted(r.returncode for r in results) == [0, 0], [r.stderr for r in results]
    listed = [printed(r.stdout) for r in results]
    assert sorted(len(x) for x in listed) == [0, 3]  # one did the work, the other found none
    cells = note_cells(ledger_file)
    for number, (_sheet, rows) in (listed[0] | listed[1]).items():
        assert all(cells[r] == number for r in rows)
    assert sum(1 for p in tmp_path.glob("o*/送货单_*.xlsx")) == 1


# ------------------------------------------------------------ the same rows, the same numbers


def test_rerun_without_write_back_reuses_the_numbers(ledger_file: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = ledger_file.read_bytes()
    _c, first, _e = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "a", "--as-of", DAY,
                        capsys=capsys)
    _c, second, _e = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "b", "--as-of", DAY,
                         capsys=capsys)
    assert printed(first) == printed(second) and len(printed(first)) == 3
    assert "沿用" in second
    _c, wo1, _e = run("docs", "work-orders", ledger_file, "--out", tmp_path / "a", "--as-of", DAY, capsys=capsys)
    _c, wo2, _e = run("docs", "work-orders", ledger_file, "--out", tmp_path / "b", "--as-of", "2026-11-27",
                      capsys=capsys)
    assert set(printed(wo1)) == set(printed(wo2)) == {"WO20261126001", "WO20261126002"}
    assert ledger_file.read_bytes() == before
    # Writing back afterwards fills in the numbers already printed.
    code, out, _e = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "c", "--as-of", DAY,
                        "--write-back", capsys=capsys)
    assert code == EXIT_OK and printed(out) == printed(first)
    cells = note_cells(ledger_file)
    for number, (_s, rows) in printed(first).items():
        assert [cells[r] for r in rows] == [number] * len(rows)
    assert len(issued_numbers(ledger_file.parent)) == 5


def test_a_new_row_never_moves_rows_off_their_printed_note(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    sheets = clean_sheets()
    path = write_ledger(tmp_path / "l" / "台账.xlsx", sheets)
    _c, first, _e = run("docs", "delivery-notes", path, "--date", "2026-11-24", "--out", tmp_path,
                        "--as-of", DAY, capsys=capsys)
    assert set(printed(first)) == {"SH20261124001"}
    sheets["出货"].append([AS_OF.replace(day=24), "SO-001", 2, "P002", 7, None, None, None, None])
    path = write_ledger(path, sheets)
    _c, second, _e = run("docs", "delivery-notes", path, "--date", "2026-11-24", "--out", tmp_path,
                         "--as-of", DAY, capsys=capsys)
    again = printed(second)
    assert again["SH20261124001"] == printed(first)["SH20261124001"]  # the printed note, unchanged
    assert set(again) == {"SH20261124001", "SH20261124002"}  # the new row on a note of its own


def test_reissue_voids_with_who_and_why_and_reprint_prints_the_same(ledger_file: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    run("docs", "work-orders", ledger_file, "--out", tmp_path / "a", "--as-of", DAY, capsys=capsys)
    code, out, _e = run("docs", "work-orders", ledger_file, "--out", tmp_path / "b", "--as-of", DAY,
                        "--reissue", capsys=capsys)
    assert code == EXIT_OK
    assert set(printed(out)) == {"WO20261126003", "WO20261126004"}
    state = read_journal(ledger_file.parent)
    assert set(state.voided) == {"WO20261126001", "WO20261126002"}
    record = state.voided["WO20261126001"]
    assert record["status"] == VOID and record["user"] and "reissue" in str(record["why"])
    # reprint: the voided ones are refused, the live ones come out as printed.
    code, out, err = run("docs", "reprint", "WO20261126003", "WO20261126001", "--ledger", ledger_file,
                         "--out", tmp_path / "r", capsys=capsys)
    assert code == 1 and "已作废" in err
    [reprinted] = (tmp_path / "r").glob("*.xlsx")
    [original] = (tmp_path / "b").glob("制造命令单_*.xlsx")
    ws_new, ws_old = (openpyxl.load_workbook(p)["WO20261126003"] for p in (reprinted, original))
    assert [[c.value for c in r] for r in ws_new.iter_rows()] == [[c.value for c in r] for r in ws_old.iter_rows()]


# ------------------------------------------------------------ a journal that survives cuts


def test_a_cut_journal_line_is_reported_and_its_numbers_count_as_used(
    ledger_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = ledger_file.parent / JOURNAL_NAME
    journal.write_text('{"kind": "wo", "number": "WO20261126001", "ledger": "x"}\n'
                       '{"kind": "dn", "number": "SH20261124001", "time": "2026-11-24T', encoding="utf-8")
    code, out, err = run("docs", "delivery-notes", ledger_file, "--out", tmp_path, "--as-of", DAY, capsys=capsys)
    assert code == EXIT_OK
    assert "第 2 行" in err
    assert "SH20261124001" not in printed(out) and "SH20261124002" in printed(out)
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert lines[1].endswith("2026-11-24T")  # the cut line is left as it was, closed by a newline
    assert all(json.loads(line) for line in lines[2:])  # the new records start on fresh lines
    # A second allocation sees every record written after the cut.
    assert allocate(ledger_file.parent, "dn", None, AS_OF.replace(day=24), 1, set()) == ["SH20261124003"]


# ------------------------------------------------------------ outputs never overwrite inputs


def test_outputs_onto_the_ledger_are_refused(ledger_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = ledger_file.read_bytes()
    link = ledger_file.with_name("别名.xlsx")
    link.symlink_to(ledger_file)
    for args in (("template", ledger_file), ("report", ledger_file, "--out", ledger_file),
                 ("check", ledger_file, "--report", ledger_file), ("report", ledger_file, "--out", link),
                 ("check", ledger_file, "--report", link)):
        code, _out, err = run(*args, capsys=capsys)
        assert code == EXIT_UNUSABLE, args
        assert "程序内部错误" not in err and ("台账" in err or "已存在" in err)
    assert ledger_file.read_bytes() == before


def test_report_replaces_only_what_gendan_wrote(ledger_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "报告.xlsx"
    assert run("report", ledger_file, "--out", out, "--as-of", DAY)[0] in (0, 1)
    assert run("report", ledger_file, "--out", out, "--as-of", DAY)[0] in (0, 1)
    assert sorted(p.name for p in out.parent.glob("*.xlsx")) == ["报告.xlsx"]  # its own: replaced
    wb = openpyxl.load_workbook(out)
    wb.active["A1"] = "经理批注"
    wb.save(out)  # a clerk's edit: no longer gendan's file
    edited = out.read_bytes()
    assert run("report", ledger_file, "--out", out, "--as-of", DAY)[0] in (0, 1)
    assert out.read_bytes() == edited
    assert (out.parent / "报告(2).xlsx").is_file()
    issues = tmp_path / "out" / "检查结果.xlsx"
    issues.write_bytes(b"a clerk's own file")
    assert run("check", ledger_file, "--report", issues, "--as-of", DAY)[0] in (0, 1)
    assert issues.read_bytes() == b"a clerk's own file"
    assert (issues.parent / "检查结果(2).xlsx").is_file()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".gendan-tmp")]


def test_template_never_replaces_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "模板.xlsx"
    target.write_bytes(b"mine")
    code, _o, err = run("template", target, capsys=capsys)
    assert code == EXIT_UNUSABLE and "已存在" in err
    assert target.read_bytes() == b"mine"


def test_same_day_document_files_never_replace_each_other(ledger_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("docs", "work-orders", ledger_file, "--order", "SO-001", "--out", out, "--as-of", DAY)[0] == 0
    assert run("docs", "work-orders", ledger_file, "--order", "SO-002", "--out", out, "--as-of", DAY)[0] == 0
    files = sorted(p.name for p in out.glob("制造命令单_*.xlsx"))
    assert len(files) == 2
    sheets = [openpyxl.load_workbook(out / f).sheetnames[0] for f in files]
    assert sorted(sheets) == ["WO20261126001", "WO20261126002"]


# ------------------------------------------------------------ order of effects


def _fill_cell_meanwhile(monkeypatch: pytest.MonkeyPatch, path: Path, cell: str, value: str) -> None:
    """Someone saves the ledger (without gendan) after it was read, before the patch."""
    real = cli_docs.record_documents

    def meanwhile(*args: Any, **kwargs: Any) -> None:
        wb = openpyxl.load_workbook(path)
        wb["出货"][cell] = value
        wb.save(path)
        real(*args, **kwargs)

    monkeypatch.setattr(cli_docs, "record_documents", meanwhile)


def test_a_target_cell_filled_meanwhile_refuses_naming_the_cell(
    ledger_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill_cell_meanwhile(monkeypatch, ledger_file, "G7", "SH-BY-HAND")
    code, out, err = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "o", "--as-of", DAY,
                         "--write-back", capsys=capsys)
    assert code == EXIT_LOCKED
    assert "出货!G7" in err and "台账未改动" in err
    assert note_cells(ledger_file)[7] == "SH-BY-HAND" and 8 not in note_cells(ledger_file)
    assert not (tmp_path / "o").exists()  # no document for a failed write-back
    assert "已写出" not in out
    state = read_journal(ledger_file.parent)
    assert set(state.voided) == set(state.issued) and len(state.voided) == 3
    # Never given again: the next run numbers past them.
    monkeypatch.undo()
    _c, again, _e = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "p", "--as-of", DAY,
                        capsys=capsys)
    assert not set(printed(again)) & set(state.voided)


def test_a_file_changed_meanwhile_refuses(ledger_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _fill_cell_meanwhile(monkeypatch, ledger_file, "I30", "备注")  # not a target cell
    code, _out, err = run("docs", "delivery-notes", ledger_file, "--out", tmp_path / "o", "--as-of", DAY,
                          "--write-back", capsys=capsys)
    assert code == EXIT_LOCKED and "被修改" in err
    assert not (tmp_path / "o").exists()


def test_failed_patch_writes_no_document_and_voids_the_numbers(
    ledger_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gendan_xl.write import docs_writeback

    def stray_far_row(*_a: Any, **_k: Any) -> None:
        raise ValueError("row out of range: 1048577")  # what the patch says below row 1048576

    monkeypatch.setattr(docs_writeback, "write_back_many", stray_far_row)
    before = ledger_file.read_bytes()
    code, out, err = run("docs", "work-orders", ledger_file, "--out", tmp_path / "o", "--as-of", DAY,
                         "--write-back", capsys=capsys)
    assert code == EXIT_UNUSABLE
    assert "1048576" in err and "台账未改动" in err and "作废" in err and "程序内部错误" not in err
    assert ledger_file.read_bytes() == before
    assert not (tmp_path / "o").exists() and "已追加" not in out
    assert set(read_journal(ledger_file.parent).voided) == {"WO20261126001", "WO20261126002"}


def test_over_long_value_is_a_clear_message(ledger_file: Path) -> None:
    from gendan_xl.documents.models import WriteBackCell, WriteBackPlan
    from gendan_xl.model import LedgerError
    from gendan_xl.write.docs_writeback import apply_write_back

    before = ledger_file.read_bytes()
    plan = WriteBackPlan(cells=[WriteBackCell(file=str(ledger_file), sheet="出货", row=7, column="G",
                                              value="S" * 32768)])
    with pytest.raises(LedgerError) as info:
        apply_write_back(plan, Path)
    assert "32767" in info.value.message("zh")
    assert ledger_file.read_bytes() == before


# ------------------------------------------------------------ a symlinked ledger


def test_symlinked_ledger_is_patched_through_its_target(tmp_path: Path) -> None:
    target = write_ledger(tmp_path / "real" / "台账.xlsx", clean_sheets())
    link_dir = tmp_path / "clerk"
    link_dir.mkdir()
    link = link_dir / "台账.xlsx"
    link.symlink_to(target)
    assert run("docs", "delivery-notes", link, "--out", tmp_path / "o", "--as-of", DAY, "--write-back")[0] == 0
    assert link.is_symlink() and link.resolve() == target
    assert note_cells(target)[7] == "SH20261124001"
    assert (target.parent / JOURNAL_NAME).is_file() and not (link_dir / JOURNAL_NAME).exists()
    assert list(target.parent.glob("台账.bak-*.xlsx")) and not list(link_dir.glob("*.bak-*"))
    assert ledger_lock_path(link) == target.with_name(".台账.xlsx.gendan.lock")


# ------------------------------------------------------------ locks that always end


def _cpu_fraction(fn: Any) -> tuple[float, float]:
    wall, cpu = time.monotonic(), time.process_time()
    fn()
    return time.monotonic() - wall, time.process_time() - cpu


def test_lock_path_that_is_a_directory_ends_at_the_deadline(tmp_path: Path) -> None:
    path = tmp_path / LOCK_NAME
    path.mkdir()
    old = time.time() - 3600
    os.utime(path, (old, old))
    with pytest.raises(LockBusy) as info:
        acquire(path, timeout=0.6, stale_after=1)
    assert "文件夹" in info.value.message_zh


@pytest.mark.parametrize("case", ["directory", "undeletable", "future"])
def test_acquire_honours_its_deadline_without_spinning(tmp_path: Path, case: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.lock"
    holder = {"user": "张三", "host": "PC-GONE", "pid": 4242, "time": "t", "token": "old"}
    if case == "directory":
        path.mkdir()
    else:
        path.write_text(json.dumps(holder), encoding="utf-8")
    stamp = time.time() + (86400 if case == "future" else -86400)
    os.utime(path, (stamp, stamp))
    if case in ("undeletable", "future"):  # a sticky-bit folder: someone else's file stays
        real_unlink = Path.unlink

        def refuse(self: Path, missing_ok: bool = False) -> None:
            if self == path:
                raise PermissionError(1, "Operation not permitted")
            real_unlink(self, missing_ok=missing_ok)

        monkeypatch.setattr(Path, "unlink", refuse)
    result: list[float] = []

    def attempt() -> None:
        with pytest.raises(LockBusy) as info:
            acquire(path, timeout=1.0, stale_after=60)
        assert info.value.stuck is not None
        result.append(1)

    wall, cpu = _cpu_fraction(attempt)
    assert result and 0.95 <= wall < 3
    assert cpu < 0.5 * wall  # it slept between tries


def test_cli_exits_3_when_the_ledger_lock_is_a_directory(ledger_file: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ledger_lock_path(ledger_file).mkdir()
    code, _out, err = run("docs", "work-orders", ledger_file, "--out", tmp_path, "--as-of", DAY,
                          "--write-back", "--wait", "0.3", capsys=capsys)
    assert code == EXIT_LOCKED and "文件夹" in err


# ------------------------------------------------------------ many processes at once


def _worker(args: tuple[int, int, str, Any, Any]) -> None:
    k, rounds, base, barrier, results = args
    os.environ["GENDAN_LOCK_WAIT"] = "60"
    for r in range(rounds):
        ledger = Path(base) / f"r{r}" / "台账.xlsx"
        kind = "delivery-notes" if k % 2 == 0 else "work-orders"
        barrier.wait(120)
        buf_out, buf_err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(buf_out), contextlib.redirect_stderr(buf_err):
            code = main(["docs", kind, str(ledger), "--out", str(ledger.parent / f"out{k}"), "--as-of", DAY,
                         "--write-back"])
        results.put((r, k, kind, code, buf_out.getvalue(), buf_err.getvalue()))


def _concurrent(tmp_path: Path, procs: int, rounds: int) -> None:
    for r in range(rounds):
        write_ledger(tmp_path / f"r{r}" / "台账.xlsx", clean_sheets())
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=((k, rounds, str(tmp_path), barrier, results),))
               for k in range(procs)]
    for w in workers:
        w.start()
    got = [results.get(timeout=600) for _ in range(procs * rounds)]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    seen: dict[tuple[int, str], int] = {}  # (round, number) -> the process that printed it
    for r, k, kind, code, out, err in got:
        assert code in (EXIT_OK, EXIT_LOCKED), err
        ledger = tmp_path / f"r{r}" / "台账.xlsx"
        for number, (sheet, rows) in printed(out).items():
            assert (r, number) not in seen, f"{number} printed by {seen[(r, number)]} and {k} in round {r}"
            seen[(r, number)] = k
            if kind == "delivery-notes":
                cells = note_cells(ledger)
                assert sheet == "出货" and [cells[x] for x in rows] == [number] * len(rows)
            else:
                assert [n for n, _o in wo_rows(ledger)].count(number) == 1
    for r in range(rounds):
        ledger = tmp_path / f"r{r}" / "台账.xlsx"
        numbers = [n for n, _o in wo_rows(ledger)]
        assert len(numbers) == len(set(numbers)) == 3  # no duplicate rows appended
        assert len(set(note_cells(ledger).values()) - {"送货单号"}) == 4 + 3  # 4 old + 3 new
        assert read_ledger(ledger, AS_OF)["shipments"]["note_no"].notna().all()


@pytest.mark.parametrize("procs", [2, 4])
def test_processes_writing_back_at_once(tmp_path: Path, procs: int) -> None:
    _concurrent(tmp_path, procs, rounds=3)


@pytest.mark.slow
@pytest.mark.parametrize("procs", [2, 4])
def test_processes_writing_back_at_once_20_rounds(tmp_path: Path, procs: int) -> None:
    _concurrent(tmp_path, procs, rounds=20)


# ------------------------------------------------------------ kill -9 mid-write-back


def _kill_trials(tmp_path: Path, trials: int) -> None:
    rng = random.Random(10)
    original = write_ledger(tmp_path / "orig" / "台账.xlsx", clean_sheets()).read_bytes()
    for t in range(trials):
        folder = tmp_path / f"t{t}"
        folder.mkdir()
        ledger = folder / "台账.xlsx"
        ledger.write_bytes(original)
        kind = ("delivery-notes", "work-orders")[t % 2]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "gendan_xl", "docs", kind, str(ledger), "--out",
                                 str(folder / "o"), "--as-of", DAY, "--write-back"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # The ledger is the old file or the new one, and valid.
        with zipfile.ZipFile(ledger) as z:
            assert z.testzip() is None
        read_ledger(ledger, AS_OF)
        was_patched = ledger.read_bytes() != original
        # Finish the job; no number may name two different things.
        done = _cli("docs", kind, ledger, "--out", folder / "p", "--as-of", DAY, "--write-back")
        assert done.returncode == 0, done.stderr
        if kind == "delivery-notes":
            cells = note_cells(ledger)
            by_number: dict[str, set[int]] = {}
            for row, number in cells.items():
                by_number.setdefault(number, set()).add(row)
            assert {n for n in by_number if n.startswith("SH202611")} >= set(printed(done.stdout))
            assert len([n for n in cells.values() if n.startswith("SH2026112")]) == 1 + 14  # old + every pending row
        else:
            numbers = [n for n, _o in wo_rows(ledger)]
            assert len(numbers) == len(set(numbers)) == 3
        state = read_journal(folder)
        ledger_numbers = set(note_cells(ledger).values()) | {n for n, _o in wo_rows(ledger)}
        assert not ledger_numbers & set(state.voided)
        if was_patched:
            assert printed(done.stdout) == {}


def test_kill_9_during_write_back(tmp_path: Path) -> None:
    _kill_trials(tmp_path, trials=3)


@pytest.mark.slow
def test_kill_9_during_write_back_20_trials(tmp_path: Path) -> None:
    _kill_trials(tmp_path, trials=20)
