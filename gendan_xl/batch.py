"""`gendan batch FOLDER`: the scheduled run on a shared drive.

Safe by construction: a run lock in the folder (a second run exits 3 at once); every
input copied to a private snapshot before it is read (Excel may hold it open);
every output written to a temporary name in the output folder and renamed into
place, so nobody ever sees half a file; earlier outputs kept under dated names and
pruned to the configured count; inputs never written. One human log and one JSON
line per run. Exit codes: 0 clean, 1 data errors found (outputs written), 2
unreadable input or config or a failed write, 3 another run holds the lock.
"""

from __future__ import annotations

import contextlib
import getpass
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gendan_xl.config import (
    CONFIG_NAME,
    LedgerParts,
    Skipped,
    check_config_paths,
    ledger_paths,
    load_toml,
    owner_of,
    part_files,
    validation_message,
)
from gendan_xl.engine import CheckResult, check_ledger
from gendan_xl.failures import failure_line, os_error_in
from gendan_xl.files import TMP_PREFIX, replacing
from gendan_xl.ledger import Ledger
from gendan_xl.locks import LockBusy, file_lock
from gendan_xl.model import Lang, LedgerError, Severity
from gendan_xl.read import read_ledger
from gendan_xl.schema import output_name
from gendan_xl.termtext import visible

__all__ = ["owner_of", "run_batch", "write_example_config"]

RUN_LOCK = ".gendan-batch.lock"
SNAPSHOT_DIR = ".gendan-snapshot"  # in the output folder: the inputs of the last run, for 变更记录
CHANGE_LOG = "变更记录.xlsx"
LOG_NAME = "gendan-batch.log"
JSONL_NAME = "gendan-batch.jsonl"
EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE, EXIT_LOCKED = 0, 1, 2, 3
# Test hooks: kill the process at a named step, or fail writes as a full disk would.
KILL_AT_ENV = "GENDAN_BATCH_KILL_AT"
FAIL_WRITE_ENV = "GENDAN_BATCH_FAIL_WRITE"
HOLD_ENV = "GENDAN_BATCH_HOLD"  # test hook: seconds to hold the run lock before working
TEMP_MAX_AGE = 3600.0  # seconds: a temporary file older than this belongs to a killed run
KILLED_TEMP_GLOBS = (TMP_PREFIX + "*", ".~gendan-*.tmp")  # files.replacing, write/patch.py


class OutputConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    folder: str = "输出"
    keep: int = Field(default=10, ge=1, le=1000)
    lang: Literal["zh", "en"] = "zh"


class ProduceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: bool = True
    report: bool = True
    shipment_plan: bool = True
    statements: bool = True
    shortages: bool = True  # 欠料表_YYYYMMDD.xlsx, only when the ledger has a BOM sheet


class LockConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stale_minutes: float = Field(default=180, gt=0)


class BatchConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ledger: LedgerParts
    output: OutputConfig = OutputConfig()
    produce: ProduceConfig = ProduceConfig()
    lock: LockConfig = LockConfig()
    settings: dict[str, Any] = {}


def load_batch_config(folder: Path) -> BatchConfig:
    path = folder / CONFIG_NAME
    if not path.exists():
        raise LedgerError(str(path), "找不到配置文件(可用 gendan batch --init 生成示例)", "config not found (see gendan batch --init)")
    data = load_toml(path)
    try:
        config = BatchConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_message(path, exc) from exc
    check_config_paths(path, {**ledger_paths(config.ledger), "output.folder": config.output.folder})
    return config


EXAMPLE_CONFIG = """\
# gendan batch 配置 / configuration. 路径相对于本文件所在文件夹。
# Paths are relative to this file's folder.

[ledger]
workbook = "台账.xlsx"          # 主台账:下面没有单独指定的表都从这里读
# daily = "日报/*.xlsx"         # 生产日报:每车间每天一个文件时用通配符
# shipments = "出货记录.xlsx"   # 任何一张表都可以放在单独的文件里

[output]
folder = "输出"                 # 报表写到这里(不存在时自动创建)
keep = 10                       # 每种报表保留最近几份
lang = "zh"                     # zh 或 en

[produce]
check = true                    # 检查结果_YYYYMMDD.xlsx
report = true                   # 跟单报告_YYYYMMDD.xlsx
shipment_plan = true            # 出货计划_YYYYMMDD.xlsx
statements = true               # 对账日过后的第一次运行生成 对账单_客户_YYYY-MM.xlsx

[lock]
stale_minutes = 180             # 运行锁超过这么久且进程已不在,视为失效

[settings]
# risk_days = 2                 # 覆盖台账「设置」表中的同名项
"""


def write_example_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_NAME
    if path.exists():
        raise LedgerError(str(path), "配置文件已存在,未覆盖", "config already exists; not overwritten")
    path.write_text(EXAMPLE_CONFIG, encoding="utf-8")
    return path


# ------------------------------------------------------------------ run state


@dataclass
class InputFile:
    path: str  # as the config names it, relative to the folder
    size: int
    sha256: str
    open_by: str | None = None


@dataclass
class RunLog:
    folder: Path
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    lines: list[str] = field(default_factory=list)
    inputs: list[InputFile] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    output_sha256: dict[str, str] = field(default_factory=dict)
    unreadable: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)
    exit_code: int = EXIT_OK
    failure: str | None = None  # the one line that says why the run failed (exit 2 or 3)
    echo: Callable[[str], None] | None = None

    def say(self, text: str) -> None:
        text = visible(text)  # file names and cell text may hold ESC or other controls
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self.lines.append(f"{stamp} {text}")
        if self.echo is not None:
            self.echo(text)

    def fail(self, code: int, text: str) -> None:
        self.exit_code = code
        self.failure = visible(text)
        self.say(text)

    def cannot_read(self, path: str, zh: str, en: str) -> None:
        self.unreadable.append({"path": path, "reason": zh, "reason_en": en})
        self.say(f"无法读取 / cannot read: {path}: {zh} / {en}")

    def record(self) -> dict[str, Any]:
        return {
            "start": self.started.isoformat(timespec="seconds"),
            "end": datetime.now().astimezone().isoformat(timespec="seconds"),
            "folder": str(self.folder),
            "inputs": [vars(i) for i in self.inputs],
            "counts": self.counts,
            "issues": self.issues,
            "outputs": self.outputs,
            "output_sha256": self.output_sha256,
            "unreadable": self.unreadable,
            "skipped": self.skipped,
            "pruned": self.pruned,
            "exit_code": self.exit_code,
            "error": self.failure,
        }


def _fault(point: str) -> None:
    """Test hook: die here as a killed process would (no cleanup, no finally)."""
    if os.environ.get(KILL_AT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------ inputs


def input_paths(config: BatchConfig, folder: Path, skipped: list[Skipped] | None = None) -> list[tuple[str, str]]:
    """(config key, path relative to folder) of every input file. Every path resolves
    inside ``folder``; globs skip owner files, temporaries, backups and outputs (added
    to ``skipped``)."""
    outputs = folder / config.output.folder
    out: list[tuple[str, str]] = []
    for key, pattern in config.ledger.model_dump().items():
        if not pattern:
            continue
        found = part_files(folder, key, pattern, outputs)
        out += [(key, os.path.relpath(p, folder)) for p in found.files]
        if skipped is not None:
            skipped += found.skipped
    return out


def snapshot_inputs(config: BatchConfig, folder: Path, dest: Path, log: RunLog) -> None:
    """Copy every input into ``dest`` under the same relative path. A file matched by
    a glob that cannot be copied is logged and left out (exit 1 at least); a file
    named outright that cannot be copied makes the run unusable (exit 2)."""
    skipped: list[Skipped] = []
    for key, rel in input_paths(config, folder, skipped):
        src = folder / rel
        if not src.exists():
            continue  # the reader reports a missing part with its own message
        target = dest / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                target.unlink()
            error = os_error_in(exc) or exc
            zh, en = _read_reason(error)
            log.cannot_read(rel, zh, en)
            if not _is_glob_key(config, key):
                raise LedgerError(rel, f"无法读取输入文件:{zh}", f"cannot read the input: {en}") from exc
            continue
        entry = InputFile(rel, target.stat().st_size, sha256_of(target), owner_of(src))
        log.inputs.append(entry)
        if entry.open_by:
            log.say(f"「{rel}」正被 {entry.open_by} 打开,使用其最后保存的版本 / open by {entry.open_by}, last saved version used")
    for item in skipped:
        rel = os.path.relpath(item.path, folder)
        zh, en = item.describe()
        log.skipped.append({"path": rel, "kind": item.kind, **({"open_by": item.owner} if item.owner else {})})
        log.say(f"跳过 / skipped: {rel}: {zh} / {en}")
    _fault("after-snapshot")


def _is_glob_key(config: BatchConfig, key: str) -> bool:
    from gendan_xl.config import is_glob

    pattern = getattr(config.ledger, key, None)
    return isinstance(pattern, str) and is_glob(pattern)


def _read_reason(exc: OSError) -> tuple[str, str]:
    from gendan_xl.failures import describe

    if isinstance(exc, PermissionError):
        system = exc.strerror or str(exc)
        return "没有读取权限,或文件被占用", f"permission denied or file locked ({system})"
    return describe(exc)


# ------------------------------------------------------------------ outputs


Writer = Callable[[Path], Any]


@dataclass
class Output:
    kind: str  # file name prefix, e.g. 跟单报告
    name: str  # final file name
    write: Writer
    warnings: list[str] = field(default_factory=list)  # for the run log, e.g. rows left without a number


def atomic_write(folder: Path, name: str, write: Writer) -> Path:
    """Write via a temporary file in ``folder`` and rename into place."""
    final = folder / name
    try:
        with replacing(final) as tmp:
            _fail_write_hook(tmp)
            write(tmp)
            _fault("before-rename")
    except Exception as exc:
        # xlsxwriter wraps the OSError in its FileCreateError: report the OSError,
        # naming the final path (the temporary one means nothing to a clerk).
        error = os_error_in(exc)
        if error is None:
            raise
        raise WriteFailed(final, error) from exc
    return final


class WriteFailed(Exception):
    """An output could not be written; ``line`` is the one-line message."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        self.error = error
        super().__init__(failure_line(path, error))

    @property
    def line(self) -> str:
        return str(self)


def _fail_write_hook(tmp: Path) -> None:
    """Test hook: fail as a full disk (``1`` / ``ENOSPC``) or a read-only folder
    (``EACCES`` / ``EROFS``) would, at the point the temporary file is created."""
    what = os.environ.get(FAIL_WRITE_ENV)
    if not what:
        return
    import errno

    code = getattr(errno, what, errno.ENOSPC) if what != "1" else errno.ENOSPC
    raise OSError(code, os.strerror(code), str(tmp))


def recorded_outputs(places: list[Path]) -> dict[str, set[str] | None]:
    """Every output an earlier batch run recorded in its JSON lines (path relative to
    the batch folder -> the sha256 it had when written; None for records that predate
    hashes). Damaged lines are skipped."""
    seen: dict[str, set[str] | None] = {}
    for place in places:
        try:
            text = (place / JSONL_NAME).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            hashes = record.get("output_sha256")
            outputs = record.get("outputs")
            for rel in outputs if isinstance(outputs, list) else []:
                if isinstance(rel, str):
                    digest = hashes.get(rel) if isinstance(hashes, dict) else None
                    remember_output(seen, rel, str(digest) if digest else None)
    return seen


def remember_output(seen: dict[str, set[str] | None], rel: str, digest: str | None) -> None:
    """Note that a run wrote ``rel`` with content ``digest`` (None: content unknown,
    so the name alone identifies it)."""
    if digest is None:
        seen[rel] = None
        return
    known = seen.setdefault(rel, set())
    if known is not None:
        known.add(digest)


def prune(
    folder: Path, kind: str, keep: int, recorded: dict[str, set[str] | None], base: Path, dry_run: bool = False
) -> list[Path]:
    """Keep the ``keep`` newest dated outputs of one kind (by the date in the name).
    Only files a batch run wrote are candidates: exactly ``<kind>_YYYYMMDD.xlsx``,
    recorded in a run's JSON line, and unchanged since (same sha256 when recorded).
    Anything else (``跟单报告_20261120_经理批注版.xlsx``, a report a manager annotated in
    place) is left alone."""
    exact = re.compile(re.escape(kind) + r"_(\d{8})\.xlsx")
    dated: dict[str, list[Path]] = {}
    for p in folder.glob(f"{glob.escape(kind)}_*.xlsx"):
        m = exact.fullmatch(p.name)
        rel = os.path.relpath(p, base)
        if m is None or rel not in recorded or p.is_symlink() or not p.is_file():
            continue
        hashes = recorded[rel]
        if hashes is not None:
            try:
                if sha256_of(p) not in hashes:
                    continue
            except OSError:
                continue
        dated.setdefault(m.group(1), []).append(p)
    removed: list[Path] = []
    for stamp in sorted(dated, reverse=True)[keep:]:
        for p in dated[stamp]:
            if dry_run:
                removed.append(p)
                continue
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def clean_temporaries(folders: list[Path], max_age: float = TEMP_MAX_AGE, dry_run: bool = False) -> list[Path]:
    """Temporary files a killed gendan run left (never under a final name), older than
    ``max_age`` seconds: a younger one may belong to a write still running (a clerk's
    ``gendan report`` or write-back does not take the batch lock)."""
    removed: list[Path] = []
    now = time.time()
    for folder in dict.fromkeys(folders):
        for pattern in KILLED_TEMP_GLOBS:
            for p in folder.glob(pattern):
                try:
                    if p.is_symlink() or not p.is_file() or now - p.stat().st_mtime <= max_age:
                        continue
                    if not dry_run:
                        p.unlink()
                except OSError:
                    continue
                removed.append(p)
    return removed


# Producers: (config flag, function returning outputs). Report and document
# modules register theirs here so batch needs no import of them at the top.
# (ledger, check result, as-of, language, the batch folder the ledger files are in)
Producer = Callable[[Ledger, CheckResult, date, str, Path], list[Output]]
PRODUCERS: list[tuple[str, Producer]] = []


def _check_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.issues_book import write_issue_report

    name = output_name("check", f"{as_of:%Y%m%d}")
    language: Lang = "en" if lang == "en" else "zh"
    return [Output("检查结果", name, lambda p: write_issue_report(p, result.issues, language, folder))]


# One plan per run, shared by the change effects, the report and the shipment plan.
# The cache holds the ledger (and check result) it was made for, so an id is never
# reused for another run's objects while its entry lives.
_plans: dict[int, tuple[Ledger, Any]] = {}
_planned: dict[int, tuple[CheckResult, Any]] = {}


def _plan(ledger: Ledger, as_of: date) -> Any:
    from gendan_xl.plan import plan_ledger

    hit = _plans.get(id(ledger))
    if hit is None or hit[0] is not ledger or hit[1].as_of != as_of:
        _plans.clear()
        _plans[id(ledger)] = hit = (ledger, plan_ledger(ledger, as_of))
    return hit[1]


def _report_data(ledger: Ledger, result: CheckResult, as_of: date) -> Any:
    from gendan_xl.engine import report_data

    hit = _planned.get(id(result))
    if hit is None or hit[0] is not result:
        _planned.clear()
        _planned[id(result)] = hit = (result, report_data(ledger, result, as_of, _plan(ledger, as_of)))
    return hit[1]


def _language(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _report_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.report import report_name, write_report

    data = _report_data(ledger, result, as_of)

    def write(path: Path) -> Path:
        # Read when written: this run's 变更记录 is written before the report.
        return write_report(path, data, _language(lang), folder, change_log=_recent_changes(folder, as_of))

    return [Output("跟单报告", report_name(as_of), write)]


def _recent_changes(folder: Path, as_of: date) -> Any:
    """The last 30 days of the cumulative change log, or None when there is none
    (or it cannot be read: the report is made without that sheet)."""
    from gendan_xl.changes import recent_log
    from gendan_xl.read.changelog import read_change_log

    path = folder / load_batch_config(folder).output.folder / CHANGE_LOG
    if not path.is_file():
        return None
    try:
        return recent_log(read_change_log(path), as_of)
    except LedgerError:
        return None


def _shipment_plan_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.report import write_shipment_plan

    data = _report_data(ledger, result, as_of)
    name = output_name("shipment_plan", f"{as_of:%Y%m%d}")
    return [Output("出货计划", name, lambda p: write_shipment_plan(p, data, _language(lang)))]


# A period closed more than this many days ago is not made by batch on its own (the first
# run on a new output folder would otherwise number a statement for every customer).
STATEMENT_CATCH_UP_DAYS = 7


def _statement_outputs(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    """Each customer's statement of its last closed period (its 对账日 is over, so the
    whole cut-off day is on it), on the first run after the 对账日: once the file is in
    the output folder later runs leave it. The number is allocated when the file is
    written (never in a dry run) and is the same one the CLI gives that statement."""
    from gendan_xl.documents.common import customers, sanitize_file_part
    from gendan_xl.documents.statement import (
        StatementBook,
        build_statement,
        journal_name,
        last_closed_period,
        numbered_statement,
        parse_period,
        period_bounds,
        unnumbered_warning,
    )
    from gendan_xl.write.docs_book import write_statement

    config = load_batch_config(folder)
    out_dir = folder / config.output.folder
    journal = (folder / config.ledger.workbook).parent if config.ledger.workbook else folder
    ledger_name = journal_name(folder)
    outputs: list[Output] = []
    book = StatementBook(ledger)  # once for every customer
    for name, info in customers(ledger).items():
        period = last_closed_period(as_of, info.statement_day)
        file_name = output_name("statement", sanitize_file_part(name), period)
        _start, end = period_bounds(*parse_period(period), info.statement_day)
        if (out_dir / file_name).exists() or (as_of - end).days > STATEMENT_CATCH_UP_DAYS:
            continue  # made already, or closed long before: `gendan docs statement` makes it
        run = build_statement(ledger, name, period, as_of, book=book)
        st = run.statement
        if not st.lines and not st.receipts and not st.opening_balance:
            continue

        def write(path: Path, name: str = name, period: str = period) -> Path:
            numbered = numbered_statement(ledger, name, period, as_of, journal, ledger_name, book).statement
            return write_statement(path, numbered)

        kind = output_name("statement", sanitize_file_part(name)).removesuffix(".xlsx")
        warnings = [unnumbered_warning(run, name)] if run.unnumbered else []
        outputs.append(Output(kind, file_name, write, warnings))
    return outputs


def _shortage_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    """欠料表 and 采购跟踪 on their own (for the material clerk), when a BOM exists."""
    from gendan_xl.write.report import write_shortage_report

    data = _report_data(ledger, result, as_of)
    if data.shortages is None:
        return []
    name = output_name("shortages", f"{as_of:%Y%m%d}")
    return [Output("欠料表", name, lambda p: write_shortage_report(p, data, _language(lang)))]


PRODUCERS += [
    ("check", _check_output),
    ("report", _report_output),
    ("shipment_plan", _shipment_plan_output),
    ("statements", _statement_outputs),
    ("shortages", _shortage_output),
]


# ------------------------------------------------------------------ the run


@contextlib.contextmanager
def run_lock(folder: Path, stale_minutes: float, log: RunLog) -> Iterator[None]:
    with file_lock(folder / RUN_LOCK, timeout=0, stale_after=stale_minutes * 60) as info:
        if info.get("taken_over"):
            h = info["taken_over"]
            log.say(f"接管了失效的运行锁 / took over a stale run lock: {h}")
        if os.environ.get(HOLD_ENV):
            time.sleep(float(os.environ[HOLD_ENV]))
        yield


class Terminated(BaseException):
    """SIGTERM (Task Scheduler ending the task, ``kill``): unwind so the lock is
    released and the run's record written."""


@contextlib.contextmanager
def _terminate_as_exception() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_batch(
    folder: Path,
    as_of: date | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] | None = None,
    progress: bool = False,
    on_failure: Callable[[str], None] | None = None,
) -> int:
    """One batch run over ``folder``; returns the exit code. Never raises for bad data.

    Whatever fails, the run lock is released and the log and JSON record are written
    (except with ``dry_run``, which writes nothing anywhere); ``on_failure`` gets the
    one line saying why a run ended with exit 2 or 3."""
    as_of = as_of or date.today()
    log = RunLog(folder, echo=echo)
    log.say(f"开始 / start: {folder} as-of {as_of} by {getpass.getuser()}@{socket.gethostname()}")
    out_dir: Path | None = None
    try:
        with _terminate_as_exception():
            config = load_batch_config(folder)
            out_dir = folder / config.output.folder
            if dry_run:  # reads only: no lock file, no log, nothing anywhere
                log.exit_code = _run_locked(folder, config, out_dir, as_of, dry_run, log, progress)
            else:
                with run_lock(folder, config.lock.stale_minutes, log):
                    log.exit_code = _run_locked(folder, config, out_dir, as_of, dry_run, log, progress)
    except LockBusy as exc:
        log.fail(EXIT_LOCKED, exc.message_zh + " / " + exc.message_en)
    except LedgerError as exc:
        log.fail(EXIT_UNUSABLE, f"无法使用 / unusable: {exc.message('zh')} / {exc.reason_en}")
    except WriteFailed as exc:
        log.fail(EXIT_UNUSABLE, exc.line)
    except OSError as exc:
        log.fail(EXIT_UNUSABLE, failure_line(exc.filename or folder, exc, "文件操作失败", "file operation failed"))
    except (KeyboardInterrupt, Terminated):
        log.fail(EXIT_UNUSABLE, "已中断 / interrupted")
    except Exception as exc:  # a scheduled run must end with a log line, never a traceback
        error = os_error_in(exc)
        if error is not None:
            log.fail(EXIT_UNUSABLE, failure_line(error.filename or folder, error, "文件操作失败", "file operation failed"))
        else:
            log.fail(EXIT_UNUSABLE, f"内部错误 / internal error: {type(exc).__name__}: {exc}")
    _plans.clear()  # the run's ledger and plan are not kept past the run
    _planned.clear()
    log.say(f"结束 / end: exit {log.exit_code}")
    if not dry_run:
        problem = _write_logs(folder, out_dir, log)
        if problem and on_failure is not None:
            on_failure(problem)
    if log.failure and on_failure is not None:
        on_failure(log.failure)
    return log.exit_code


def _run_locked(
    folder: Path, config: BatchConfig, out_dir: Path, as_of: date, dry_run: bool, log: RunLog, progress: bool
) -> int:
    with tempfile.TemporaryDirectory(prefix="gendan-snap-") as snap:
        snapshot = Path(snap)
        snapshot_inputs(config, folder, snapshot, log)
        parts = config.ledger.model_dump()
        cfg_text = "[ledger]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in parts.items() if v)
        (snapshot / CONFIG_NAME).write_text(cfg_text, encoding="utf-8")
        inputs = {i.path for i in log.inputs}
        try:
            with _status("读取台账 / reading the ledger", progress):
                ledger = read_ledger(snapshot, as_of, config.settings, shown_as=folder)
        except LedgerError as exc:
            if exc.path in inputs or os.path.normpath(exc.path) in inputs:
                log.cannot_read(exc.path, exc.reason_zh, exc.reason_en)
            raise
        result = check_ledger(ledger, as_of)
        for issue in result.issues:
            if issue.code == "unreadable-file":
                log.cannot_read(issue.ref.file, issue.message("zh"), issue.message("en"))
        log.counts = ledger.row_counts
        log.issues = {s.value: result.count(s) for s in Severity}
        log.say(
            f"读取 {sum(log.counts.values())} 行;错误 {log.issues['error']},警告 {log.issues['warning']}"
            f" / {sum(log.counts.values())} rows; {log.issues['error']} errors, {log.issues['warning']} warnings"
        )
        has_errors = result.has_errors or bool(log.unreadable)
        outputs: list[Output] = _change_outputs(config, folder, out_dir, snapshot, ledger, as_of, log, dry_run)
        flags = config.produce.model_dump()
        for flag, producer in PRODUCERS:
            if flags.get(flag, True):
                outputs += producer(ledger, result, as_of, config.output.lang, folder)
        temp_dirs = [out_dir, folder, *{(folder / i.path).parent for i in log.inputs}]
        if dry_run:
            for o in outputs:
                log.say(f"将写出 / would write: {out_dir / o.name}")
                for warning in o.warnings:
                    log.say(f"注意 / warning: {warning}")
            if out_dir.is_dir():
                recorded = recorded_outputs([out_dir, folder])
                for kind in dict.fromkeys(o.kind for o in outputs):
                    for p in prune(out_dir, kind, config.output.keep, recorded, folder, dry_run=True):
                        log.say(f"将清理旧报表 / would prune: {p.name}")
            for p in clean_temporaries([d for d in temp_dirs if d.is_dir()], dry_run=True):
                log.say(f"将删除遗留临时文件 / would remove a leftover temporary file: {p}")
            return EXIT_ERRORS if has_errors else EXIT_OK
        out_dir.mkdir(parents=True, exist_ok=True)
        for p in clean_temporaries(temp_dirs):
            log.say(f"已删除遗留临时文件 / removed a leftover temporary file: {os.path.relpath(p, folder)}")
        for o in _progress(outputs, progress):
            path = atomic_write(out_dir, o.name, o.write)
            rel = os.path.relpath(path, folder)
            log.outputs.append(rel)
            with contextlib.suppress(OSError):
                log.output_sha256[rel] = sha256_of(path)
            log.say(f"已写出 / written: {path.name}")
            for warning in o.warnings:
                log.say(f"注意 / warning: {warning}")
            _fault("after-output")
        recorded = recorded_outputs([out_dir, folder])
        for rel, digest in log.output_sha256.items():
            remember_output(recorded, rel, digest)
        for kind in dict.fromkeys(o.kind for o in outputs):
            for p in prune(out_dir, kind, config.output.keep, recorded, folder):
                log.pruned.append(os.path.relpath(p, folder))
                log.say(f"已清理旧报表 / pruned: {p.name}")
        if not _outputs_in_input_folder(folder, out_dir):
            keep_snapshot(snapshot, out_dir)
        return EXIT_ERRORS if has_errors else EXIT_OK


def keep_snapshot(snapshot: Path, out_dir: Path) -> Path:
    """Keep this run's inputs as the one snapshot the next run compares with
    (``out_dir/.gendan-snapshot``, beside the outputs, never in the input folder):
    copied to a temporary folder, then swapped in, so a run killed half way leaves
    the previous snapshot whole."""
    final = out_dir / SNAPSHOT_DIR
    fresh = out_dir / (SNAPSHOT_DIR + ".new")
    old = out_dir / (SNAPSHOT_DIR + ".old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(snapshot, fresh)
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _previous_snapshot(out_dir: Path) -> Path | None:
    """The last run's snapshot; one left as ``.old`` by a run killed between the
    two renames of ``keep_snapshot`` counts too."""
    for name in (SNAPSHOT_DIR, SNAPSHOT_DIR + ".old"):
        if (out_dir / name / CONFIG_NAME).is_file():
            return out_dir / name
    return None


def _outputs_in_input_folder(folder: Path, out_dir: Path) -> bool:
    """``[output] folder = "."``: a snapshot there would sit among the inputs."""
    try:
        return out_dir.resolve() == folder.resolve()
    except OSError:
        return True


def _same_files(a: Path, b: Path) -> bool:
    """Both folders hold the same files with the same bytes."""
    def files(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}

    try:
        return files(a) == files(b)
    except OSError:
        return False


def _change_outputs(
    config: BatchConfig,
    folder: Path,
    out_dir: Path,
    snapshot: Path,
    ledger: Ledger,
    as_of: date,
    log: RunLog,
    dry_run: bool,
) -> list[Output]:
    """Compare this run's ledger with the last run's snapshot: append the changes to
    变更记录.xlsx and, when anything changed, write a 变更通知单 (numbered
    BG{YYYYMMDD}{SEQ:3} in the ledger's journal). No change, no output."""
    from gendan_xl.changes import (
        append_log,
        change_notice,
        compare_ledgers,
        log_rows,
        notice_source,
    )
    from gendan_xl.documents.common import company
    from gendan_xl.documents.numbers import allocate, source_key
    from gendan_xl.documents.statement import journal_name
    from gendan_xl.read.changelog import read_change_log
    from gendan_xl.write.changes_book import write_change_log, write_change_notice

    if _outputs_in_input_folder(folder, out_dir):
        log.say("输出文件夹就是输入文件夹,不保存快照,不比较变更 / the output folder is the input folder:"
                " no snapshot kept, changes not compared")
        return []
    previous = _previous_snapshot(out_dir)
    if previous is None:
        log.say("没有上次运行的快照,本次不比较变更 / no snapshot of an earlier run: changes not compared")
        return []
    if _same_files(previous, snapshot):  # nothing saved since: no need to read the old copy
        log.say("与上次运行相比没有变更 / no changes since the last run")
        return []
    try:
        old = read_ledger(previous, as_of, config.settings, shown_as=folder)
    except LedgerError as exc:
        log.say(f"上次运行的快照无法读取,本次不比较变更 / the last snapshot cannot be read: {exc.message('zh')}")
        return []
    result = compare_ledgers(old, ledger, as_of, new_plan=_plan(ledger, as_of))
    if not result.changes:
        log.say("与上次运行相比没有变更 / no changes since the last run")
        return []
    slipping = sum(1 for e in result.effects if e.slips)
    log.say(f"与上次运行相比有 {len(result.changes)} 项变更,{slipping} 个订单行推迟"
            f" / {len(result.changes)} changes since the last run, {slipping} order lines slip")
    outputs: list[Output] = []
    log_path = out_dir / CHANGE_LOG
    try:
        earlier = read_change_log(log_path)
    except LedgerError as exc:
        log.say(f"注意 / warning: {exc.message('zh')} / {exc.reason_en}")
    else:
        merged = append_log(earlier, log_rows(result, as_of))
        outputs.append(Output("变更记录", CHANGE_LOG, lambda p: write_change_log(p, merged)))
    since = _snapshot_date(previous)
    if dry_run:
        outputs.append(Output("变更通知单", f"变更通知单_BG{as_of:%Y%m%d}nnn.xlsx",
                              lambda p: p))
        return outputs
    journal = (folder / config.ledger.workbook).parent if config.ledger.workbook else folder
    (number,) = allocate(journal, "bg", None, as_of, 1, ledger=journal_name(folder),
                         sources=[[source_key("bg", notice_source(result, as_of))]])
    doc = change_notice(result, number, as_of, company(ledger).name, since)
    outputs.append(Output("变更通知单", f"变更通知单_{number}.xlsx", lambda p: write_change_notice(p, doc)))
    return outputs


def _snapshot_date(snapshot: Path) -> str:
    """When the snapshot was taken (its config file's time), for the notice."""
    try:
        stamp = (snapshot / CONFIG_NAME).stat().st_mtime
    except OSError:
        return ""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


@contextlib.contextmanager
def _status(text: str, show: bool) -> Iterator[None]:
    """A spinner on a terminal; nothing when scheduled (no terminal)."""
    if not show:
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


def _progress(outputs: list[Output], show: bool) -> Iterator[Output]:
    if not show:
        yield from outputs
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("写出报表 / writing", total=len(outputs))
        for o in outputs:
            yield o
            bar.advance(task)


def _write_logs(folder: Path, out_dir: Path | None, log: RunLog) -> str | None:
    """Append the human log and one JSON line in the output folder when it exists,
    else (or when it cannot be written) in the batch folder. Returns a message when
    neither place could take them."""
    places = [out_dir] if out_dir is not None and out_dir.is_dir() else []
    places.append(folder)
    record = json.dumps(log.record(), ensure_ascii=False) + "\n"
    text = "\n".join(log.lines) + "\n"
    error: OSError | None = None
    for where in places:
        try:
            _append(where / LOG_NAME, text)
            _append(where / JSONL_NAME, record)
            return None
        except OSError as exc:
            error = exc
    assert error is not None
    return failure_line(error.filename or folder, error, "无法写运行日志", "cannot write the run log")


def _append(path: Path, text: str) -> None:
    """Append ``text`` starting on a fresh line (a line cut by an earlier failure
    is not glued to this one)."""
    with path.open("a+b") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.write(b"\n")
        fh.write(text.encode("utf-8"))
