"""Batch (and `gendan check FOLDER`) on a hostile but realistic shared folder: paths
that try to leave it, globs that would read gendan's own by-products, failing
writes, dry runs into a pipe, pruning beside a clerk's files, leftovers of killed runs."""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from helpers import make_workbook

from gendan_xl.batch import JSONL_NAME, LOG_NAME, RUN_LOCK, run_batch
from gendan_xl.config import path_refusal
from gendan_xl.files import prune_backups

AS_OF = date(2026, 11, 26)
DAILY_HEADER = ["日期", "工单号", "良品数", "工时"]


def _ledger(folder: Path) -> Path:
    return make_workbook(
        folder / "台账.xlsx",
        {
            "订单": [
                ["订单号", "客户", "产品编码", "数量", "下单日期", "交期"],
                ["SO1", "甲", "P1", 100, date(2026, 11, 1), date(2026, 12, 20)],
            ],
            "产品": [["产品编码", "标准产能", "产线"], ["P1", 50, "L1"]],
            "产线": [["产线"], ["L1"]],
            "工单": [["工单号", "订单号", "产品编码", "数量", "产线"], ["WO1", "SO1", "P1", 100, "L1"]],
            "出货": [["出货日期", "订单号", "产品编码", "数量"]],
            "生产日报": [DAILY_HEADER, [date(2026, 11, 19), "WO1", 10, 8]],
        },
    )


def _daily(path: Path, good: int) -> Path:
    return make_workbook(path, {"日报": [DAILY_HEADER, [date(2026, 11, 20), "WO1", good, 8]]})


def _config(folder: Path, body: str) -> None:
    (folder / "gendan.toml").write_text(body, encoding="utf-8")


def _listing(*roots: Path) -> dict[str, str]:
    """Every file and folder under ``roots`` with a hash of its bytes."""
    out: dict[str, str] = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            key = str(p)
            out[key] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else "dir"
    return out


def _inputs(folder: Path) -> dict[str, str]:
    return {
        k: v
        for k, v in _listing(folder).items()
        if "输出" not in Path(k).parts and not Path(k).name.startswith((".gendan", ".~gendan", "gendan-batch"))
    }


def _run(folder: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gendan_xl", "batch", str(folder), "--as-of", AS_OF.isoformat(), *extra],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def _records(folder: Path) -> list[dict[str, object]]:
    for place in (folder / "输出", folder):
        path = place / JSONL_NAME
        if path.exists():
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return []


# ---------------------------------------------------------------- paths stay in the folder


def test_parent_path_refused_and_victims_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "c"
    _ledger(folder)
    victim = tmp_path / "victim.cfg"
    victim.write_bytes(b"secret = 1\n")
    # Before the fix the snapshot copy went to <TMPDIR>/gendan-snap-X/../../../victim.cfg:
    # with this TMPDIR that is a second file outside the snapshot, overwritten.
    tmpdir = tmp_path / "t1" / "t2" / "t3"
    tmpdir.mkdir(parents=True)
    second = tmp_path / "t1" / "victim.cfg"
    second.write_bytes(b"other = 2\n")
    _config(folder, '[ledger]\nworkbook = "台账.xlsx"\ndaily = "../../../victim.cfg"\n')
    before = _inputs(folder)
    result = _run(folder, env={"TMPDIR": str(tmpdir)})
    assert result.returncode == 2
    assert "ledger.daily" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert victim.read_bytes() == b"secret = 1\n"
    assert second.read_bytes() == b"other = 2\n"
    assert _inputs(folder) == before
    assert "ledger.daily" in (folder / LOG_NAME).read_text(encoding="utf-8")
    assert not (folder / RUN_LOCK).exists()
    # `gendan check FOLDER` refuses it too
    check = subprocess.run(
        [sys.executable, "-m", "gendan_xl", "check", str(folder)], capture_output=True, text=True, encoding="utf-8"
    )
    assert check.returncode == 2 and "ledger.daily" in check.stderr


def test_absolute_path_refused(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    _config(tmp_path, f"[ledger]\nworkbook = {json.dumps(str(ledger))}\n")
    before = _inputs(tmp_path)
    result = _run(tmp_path)
    assert result.returncode == 2
    assert "ledger.workbook" in result.stderr and "绝对路径" in result.stderr
    assert _inputs(tmp_path) == before
    record = _records(tmp_path)[-1]
    assert record["exit_code"] == 2 and "ledger.workbook" in str(record["error"])


@pytest.mark.parametrize(
    "value", ["/etc/passwd", "C:\\台账.xlsx", "C:台账.xlsx", "\\\\server\\share\\台账.xlsx", "日报/../../x.xlsx", "..\\x.xlsx"]
)
def test_path_refusal_covers_windows_spellings(value: str) -> None:
    assert path_refusal(value) is not None
    assert path_refusal("日报/*.xlsx") is None and path_refusal("台账.xlsx") is None


def test_symlink_leading_outside_refused(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    _ledger(folder)
    outside = _daily(tmp_path / "elsewhere" / "a.xlsx", 30)
    (folder / "日报").mkdir()
    (folder / "日报" / "a.xlsx").symlink_to(outside)
    _config(folder, '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n')
    assert run_batch(folder, AS_OF) == 2
    assert "ledger.daily" in (folder / LOG_NAME).read_text(encoding="utf-8")


# ---------------------------------------------------------------- globs skip by-products


def _by_products_folder(folder: Path) -> None:
    _ledger(folder)
    daily = folder / "日报"
    good = _daily(daily / "一车间.xlsx", 30)
    (daily / "一车间.bak-20261120-101500.xlsx").write_bytes(good.read_bytes())  # a write-back backup
    (daily / "一车间.bak-20261120-101500-2.xlsx").write_bytes(good.read_bytes())
    (daily / "~$一车间.xlsx").write_bytes(bytes([5]) + b"clerk" + b" " * 48 + b"\x00" * 110)  # open in Excel
    (daily / "导入.tmp").write_bytes(b"half a file")
    (daily / ".~gendan-123-一车间.xlsx.tmp").write_bytes(b"PK\x03\x04 cut")
    (daily / "检查结果_20261120.xlsx").write_bytes(good.read_bytes())  # a gendan output saved here
    _config(folder, '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*"\n')


def test_glob_skips_backups_owner_files_temporaries_and_outputs_in_batch(tmp_path: Path) -> None:
    _by_products_folder(tmp_path)
    before = _inputs(tmp_path)
    code = run_batch(tmp_path, AS_OF)
    assert code == 0, (tmp_path / "输出" / LOG_NAME).read_text(encoding="utf-8")
    assert _inputs(tmp_path) == before
    record = _records(tmp_path)[-1]
    assert [i["path"] for i in record["inputs"]] == ["台账.xlsx", str(Path("日报") / "一车间.xlsx")]  # type: ignore[index]
    assert record["inputs"][1]["open_by"] == "clerk"  # type: ignore[index]
    assert record["counts"]["日报"] == 1  # the backups' rows are not read twice  # type: ignore[index]
    assert record["unreadable"] == []
    kinds = {Path(str(s["path"])).name: s["kind"] for s in record["skipped"]}  # type: ignore[union-attr]
    assert kinds == {
        "一车间.bak-20261120-101500.xlsx": "backup",
        "一车间.bak-20261120-101500-2.xlsx": "backup",
        "~$一车间.xlsx": "open",
        "导入.tmp": "temp",
        "检查结果_20261120.xlsx": "output",
    }
    log = (tmp_path / "输出" / LOG_NAME).read_text(encoding="utf-8")
    assert "open by clerk" in log


def test_glob_skips_the_same_in_check(tmp_path: Path) -> None:
    from gendan_xl.engine import check

    _by_products_folder(tmp_path)
    result = check(tmp_path, AS_OF)
    assert result.ledger.row_counts["日报"] == 1
    assert not [i for i in result.issues if i.code == "unreadable-file"]
    opened = [i for i in result.issues if i.code == "file-open"]
    assert [(i.ref.file, i.args["owner"], i.severity.value) for i in opened] == [
        (str(Path("日报") / "一车间.xlsx"), "clerk", "info")
    ]
    cli = subprocess.run(
        [sys.executable, "-m", "gendan_xl", "check", str(tmp_path), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "clerk" in cli.stdout


def test_glob_skips_the_output_folder(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\ndaily = "*/*.xlsx"\n\n[output]\nfolder = "报表"\n')
    _daily(tmp_path / "日报" / "a.xlsx", 30)
    assert run_batch(tmp_path, AS_OF) == 0
    assert run_batch(tmp_path, AS_OF) == 0  # its own outputs in 报表/ are not read back
    record = json.loads((tmp_path / "报表" / JSONL_NAME).read_text(encoding="utf-8").splitlines()[-1])
    assert [i["path"] for i in record["inputs"]] == ["台账.xlsx", str(Path("日报") / "a.xlsx")]


# ---------------------------------------------------------------- failures speak Chinese


def test_read_only_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening anything for writing in the output folder fails as on a read-only share
    (patched in-process: chmod does not stop root, and this must hold for any user)."""
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    out = tmp_path / "输出"
    out.mkdir()
    real_open = io.open

    def read_only_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, Path)) and Path(file).parent == out and any(m in mode for m in "wax+"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", read_only_open)
    monkeypatch.setattr(builtins, "open", read_only_open)
    before = _inputs(tmp_path)
    lines: list[str] = []
    code = run_batch(tmp_path, AS_OF, on_failure=lines.append)
    monkeypatch.undo()
    assert code == 2
    assert len(lines) == 1
    assert lines[0].startswith("写入失败:") and "没有写入权限" in lines[0] and "检查结果_20261126.xlsx" in lines[0]
    assert "FileCreateError" not in lines[0] and "内部错误" not in lines[0]
    assert list(out.iterdir()) == []  # nothing half-written
    assert not (tmp_path / RUN_LOCK).exists()
    record = _records(tmp_path)[-1]  # in the batch folder, the output folder refused it
    assert record["exit_code"] == 2 and "没有写入权限" in str(record["error"])
    assert _inputs(tmp_path) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_output_folder_for_real(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    out = tmp_path / "输出"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = _run(tmp_path)
    finally:
        out.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.startswith("写入失败") and len(result.stderr.strip().splitlines()) == 1
    assert _records(tmp_path)[-1]["exit_code"] == 2
    assert not (tmp_path / RUN_LOCK).exists()


def test_read_only_output_folder_hook_through_cli(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    result = _run(tmp_path, env={"GENDAN_BATCH_FAIL_WRITE": "EROFS"})
    assert result.returncode == 2
    assert result.stderr.startswith("写入失败:") and "文件夹只读" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _records(tmp_path)[-1]["exit_code"] == 2
    assert not (tmp_path / RUN_LOCK).exists()
    assert not [p for p in (tmp_path / "输出").iterdir() if p.suffix in (".xlsx", ".part", ".tmp")]


def test_log_names_every_unreadable_input_with_why(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _daily(tmp_path / "日报" / "a.xlsx", 30)
    (tmp_path / "日报" / "b.xlsx").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "日报" / "c.xlsx").write_bytes(b"not a workbook at all")
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\ndaily = "日报/*.xlsx"\n')
    assert run_batch(tmp_path, AS_OF) == 1
    log = (tmp_path / "输出" / LOG_NAME).read_text(encoding="utf-8")
    for name in ("b.xlsx", "c.xlsx"):
        line = next(line for line in log.splitlines() if "无法读取" in line and name in line)
        assert "文件无法读取:" in line and len(line.split(name, 1)[1]) > 10  # the reason follows
    record = _records(tmp_path)[-1]
    assert sorted(Path(str(u["path"])).name for u in record["unreadable"]) == ["b.xlsx", "c.xlsx"]  # type: ignore[union-attr]


def test_unreadable_required_part_named_with_why(tmp_path: Path) -> None:
    _ledger(tmp_path)
    (tmp_path / "出货.xlsx").write_bytes(b"PK\x03\x04 broken")
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\nshipments = "出货.xlsx"\n')
    lines: list[str] = []
    assert run_batch(tmp_path, AS_OF, on_failure=lines.append) == 2
    assert len(lines) == 1 and "出货.xlsx" in lines[0]
    record = _records(tmp_path)[-1]
    assert [u["path"] for u in record["unreadable"]] == ["出货.xlsx"]  # type: ignore[index]
    assert not (tmp_path / RUN_LOCK).exists()


def test_interrupt_still_writes_record_and_releases_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gendan_xl.batch as batch

    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "check_ledger", interrupted)
    assert run_batch(tmp_path, AS_OF) == 2
    assert not (tmp_path / RUN_LOCK).exists()
    assert _records(tmp_path)[-1]["error"] == "已中断 / interrupted"


def test_sigterm_still_writes_record_and_releases_lock(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "gendan_xl", "batch", str(tmp_path), "--as-of", AS_OF.isoformat()],
        env={**os.environ, "GENDAN_BATCH_HOLD": "30"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / RUN_LOCK).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.terminate()
    assert proc.wait(timeout=60) == 2
    assert not (tmp_path / RUN_LOCK).exists()
    assert _records(tmp_path)[-1]["exit_code"] == 2


# ---------------------------------------------------------------- housekeeping


def test_dry_run_into_a_pipe_prints_the_list_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "share"
    _ledger(folder)
    _config(folder, '[ledger]\nworkbook = "台账.xlsx"\n')
    snaps = tmp_path / "tmp"
    snaps.mkdir()
    before = _listing(tmp_path)
    result = _run(folder, "--dry-run", env={"TMPDIR": str(snaps)})  # stdout is a pipe
    assert result.returncode == 0, result.stderr
    assert "检查结果_20261126.xlsx" in result.stdout and "would write" in result.stdout
    assert "跟单报告_20261126.xlsx" in result.stdout
    assert _listing(tmp_path) == before  # no log, no output folder, no lock, no temp left


def test_dry_run_with_existing_output_folder_writes_nothing(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    assert run_batch(tmp_path, AS_OF) == 0
    before = _listing(tmp_path)
    lines: list[str] = []
    assert run_batch(tmp_path, date(2026, 11, 27), dry_run=True, echo=lines.append) == 0
    assert _listing(tmp_path) == before
    assert any("检查结果_20261127.xlsx" in line for line in lines)


def test_pruning_keeps_files_gendan_did_not_write(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n\n[output]\nkeep = 1\n\n[produce]\nshipment_plan = false\n')
    out = tmp_path / "输出"
    assert run_batch(tmp_path, date(2026, 11, 20)) == 0
    report = out / "跟单报告_20261120.xlsx"
    annotated = out / "跟单报告_20261120_经理批注版.xlsx"
    annotated.write_bytes(report.read_bytes())  # the manager's annotated copy
    (out / "跟单报告_20261119.xlsx").write_bytes(report.read_bytes())  # a clerk's file, never written by gendan
    assert run_batch(tmp_path, date(2026, 11, 21)) == 0
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names == [
        "检查结果_20261121.xlsx",
        "跟单报告_20261119.xlsx",
        "跟单报告_20261120_经理批注版.xlsx",
        "跟单报告_20261121.xlsx",
    ]
    record = _records(tmp_path)[-1]
    assert sorted(record["pruned"]) == [  # type: ignore[arg-type]
        str(Path("输出") / "检查结果_20261120.xlsx"),
        str(Path("输出") / "跟单报告_20261120.xlsx"),
    ]


def test_pruning_keeps_an_output_changed_since_written(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n\n[output]\nkeep = 1\n')
    out = tmp_path / "输出"
    assert run_batch(tmp_path, date(2026, 11, 20)) == 0
    report = out / "跟单报告_20261120.xlsx"
    report.write_bytes(report.read_bytes() + b"\x00")  # saved over by someone
    assert run_batch(tmp_path, date(2026, 11, 21)) == 0
    assert report.exists()
    assert not (out / "检查结果_20261120.xlsx").exists()


def test_old_temporaries_removed_new_ones_kept(tmp_path: Path) -> None:
    _ledger(tmp_path)
    _config(tmp_path, '[ledger]\nworkbook = "台账.xlsx"\n')
    out = tmp_path / "输出"
    out.mkdir()
    old = time.time() - 2 * 3600
    olds = [
        tmp_path / ".~gendan-4242-台账.xlsx.tmp",  # a write-back killed beside the ledger
        out / ".~gendan-4243-跟单报告.xlsx.tmp",
        out / ".gendan-tmp-4244-检查结果_20261125.xlsx.part",  # a report write killed
    ]
    news = [tmp_path / ".~gendan-4245-台账.xlsx.tmp", out / ".gendan-tmp-4246-出货计划_20261126.xlsx.part"]
    for p in olds + news:
        p.write_bytes(b"x" * 1000)
    for p in olds:
        os.utime(p, (old, old))
    clerk = out / "备注.tmp"  # not gendan's
    clerk.write_bytes(b"y")
    os.utime(clerk, (old, old))
    before = _inputs(tmp_path)
    assert run_batch(tmp_path, AS_OF) == 0
    assert [p.exists() for p in olds] == [False, False, False]
    assert [p.exists() for p in news] == [True, True]
    assert clerk.exists()
    assert _inputs(tmp_path) == before


def test_prune_backups_keeps_the_newest(tmp_path: Path) -> None:
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(b"ledger")
    names = [f"台账.bak-202611{d:02d}-101500.xlsx" for d in range(1, 26)]
    names += ["台账.bak-20261125-101500-2.xlsx", "台账.bak-20261125-101500-3.xlsx"]
    for n in names:
        (tmp_path / n).write_bytes(b"b")
    others = ["台账2.bak-20261101-101500.xlsx", "台账.bak-20261101-101500.xlsm", "台账_备份.xlsx", "出货.bak-20261101-101500.xlsx"]
    for n in others:
        (tmp_path / n).write_bytes(b"o")
    removed = prune_backups(ledger, keep=20)
    kept = sorted(p.name for p in tmp_path.glob("台账.bak-*.xlsx"))
    assert len(kept) == 20
    assert "台账.bak-20261125-101500-3.xlsx" in kept and "台账.bak-20261108-101500.xlsx" in kept
    assert "台账.bak-20261107-101500.xlsx" not in kept
    assert len(removed) == 7
    assert all((tmp_path / n).exists() for n in others)
    assert ledger.read_bytes() == b"ledger"
    assert prune_backups(ledger, keep=0) and len(list(tmp_path.glob("台账.bak-*.xlsx"))) == 1  # never below one


def test_owner_name_in_the_pc_code_page(tmp_path: Path) -> None:
    from gendan_xl.config import owner_of

    book = tmp_path / "日报.xlsx"
    book.write_bytes(b"PK")
    name = "张三".encode("gbk")
    (tmp_path / "~$日报.xlsx").write_bytes(bytes([len(name)]) + name + b" " * (53 - len(name)) + b"\x00" * 110)
    assert owner_of(book) == "张三"
    (tmp_path / "~$日报.xlsx").write_bytes(b"")
    assert owner_of(book) == "?"
