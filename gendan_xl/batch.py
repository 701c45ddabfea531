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
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gendan_xl.config import CONFIG_NAME, LedgerParts, load_toml, validation_message
from gendan_xl.engine import CheckResult, check_ledger
from gendan_xl.files import TMP_PREFIX, replacing
from gendan_xl.ledger import Ledger
from gendan_xl.locks import LockBusy, file_lock
from gendan_xl.model import Lang, LedgerError, Severity
from gendan_xl.read import read_ledger

RUN_LOCK = ".gendan-batch.lock"
LOG_NAME = "gendan-batch.log"
JSONL_NAME = "gendan-batch.jsonl"
EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE, EXIT_LOCKED = 0, 1, 2, 3
# Test hooks: kill the process at a named step, or fail writes as a full disk would.
KILL_AT_ENV = "GENDAN_BATCH_KILL_AT"
FAIL_WRITE_ENV = "GENDAN_BATCH_FAIL_WRITE"
HOLD_ENV = "GENDAN_BATCH_HOLD"  # test hook: seconds to hold the run lock before working


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
        return BatchConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_message(path, exc) from exc


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
statements = true               # 各客户对账日生成 对账单

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
    counts: dict[str, int] = field(default_factory=dict)
    issues: dict[str, int] = field(default_factory=dict)
    exit_code: int = EXIT_OK
    echo: Callable[[str], None] | None = None

    def say(self, text: str) -> None:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self.lines.append(f"{stamp} {text}")
        if self.echo is not None:
            self.echo(text)

    def record(self) -> dict[str, Any]:
        return {
            "start": self.started.isoformat(timespec="seconds"),
            "end": datetime.now().astimezone().isoformat(timespec="seconds"),
            "folder": str(self.folder),
            "inputs": [vars(i) for i in self.inputs],
            "counts": self.counts,
            "issues": self.issues,
            "outputs": self.outputs,
            "exit_code": self.exit_code,
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


def owner_of(path: Path) -> str | None:
    """Who has a workbook open in Excel: the ``~$name`` owner file beside it."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.exists():
            try:
                raw = candidate.read_bytes()[:200]
            except OSError:
                return "?"
            size = raw[0] if raw else 0
            name = raw[1 : 1 + size].decode("latin-1", "replace").strip("\x00 ")
            return name or "?"
    return None


# ------------------------------------------------------------------ inputs


def input_paths(config: BatchConfig, folder: Path) -> list[tuple[str, str]]:
    """(config key, path relative to folder) of every input file."""
    out: list[tuple[str, str]] = []
    for key, pattern in config.ledger.model_dump().items():
        if not pattern:
            continue
        if any(ch in pattern for ch in "*?["):
            for p in sorted(glob.glob(str(folder / pattern))):
                out.append((key, os.path.relpath(p, folder)))
        else:
            out.append((key, pattern))
    return out


def snapshot_inputs(config: BatchConfig, folder: Path, dest: Path, log: RunLog) -> None:
    """Copy every input into ``dest`` under the same relative path."""
    for _key, rel in input_paths(config, folder):
        src = folder / rel
        if not src.exists():
            continue  # the reader reports a missing part with its own message
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        entry = InputFile(rel, target.stat().st_size, sha256_of(target), owner_of(src))
        log.inputs.append(entry)
        if entry.open_by:
            log.say(f"「{rel}」正被 {entry.open_by} 打开,使用其最后保存的版本 / open by {entry.open_by}, last saved version used")
    _fault("after-snapshot")


# ------------------------------------------------------------------ outputs


Writer = Callable[[Path], Any]


@dataclass
class Output:
    kind: str  # file name prefix, e.g. 跟单报告
    name: str  # final file name
    write: Writer


def atomic_write(folder: Path, name: str, write: Writer) -> Path:
    """Write via a temporary file in ``folder`` and rename into place."""
    final = folder / name
    with replacing(final) as tmp:
        if os.environ.get(FAIL_WRITE_ENV):
            import errno

            raise OSError(errno.ENOSPC, "No space left on device")
        write(tmp)
        _fault("before-rename")
    return final


_DATED = re.compile(r"^(?P<kind>.+?)_(?P<stamp>\d{8})(?P<rest>.*)\.xlsx$")


def prune(folder: Path, kind: str, keep: int) -> list[Path]:
    """Keep the ``keep`` newest dated outputs of one kind (by the date in the name)."""
    dated: dict[str, list[Path]] = {}
    for p in folder.glob(f"{kind}_*.xlsx"):
        m = _DATED.match(p.name)
        if m and m.group("kind") == kind:
            dated.setdefault(m.group("stamp"), []).append(p)
    removed: list[Path] = []
    for stamp in sorted(dated, reverse=True)[keep:]:
        for p in dated[stamp]:
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def clean_temporaries(folder: Path) -> None:
    """Temporary files left by a killed run (never under a final name). Called
    while holding the run lock, so no other run can be writing them."""
    for p in folder.glob(TMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            p.unlink()


# Producers: (config flag, function returning outputs). Report and document
# modules register theirs here so batch needs no import of them at the top.
# (ledger, check result, as-of, language, the batch folder the ledger files are in)
Producer = Callable[[Ledger, CheckResult, date, str, Path], list[Output]]
PRODUCERS: list[tuple[str, Producer]] = []


def _check_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.issues_book import write_issue_report

    name = f"检查结果_{as_of:%Y%m%d}.xlsx"
    language: Lang = "en" if lang == "en" else "zh"
    return [Output("检查结果", name, lambda p: write_issue_report(p, result.issues, language, folder))]


_planned: dict[int, Any] = {}  # one plan per run, shared by the report and the shipment plan


def _report_data(ledger: Ledger, result: CheckResult, as_of: date) -> Any:
    from gendan_xl.engine import report_data

    if id(result) not in _planned:
        _planned.clear()
        _planned[id(result)] = report_data(ledger, result, as_of)
    return _planned[id(result)]


def _language(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _report_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.report import report_name, write_report

    data = _report_data(ledger, result, as_of)
    return [Output("跟单报告", report_name(as_of), lambda p: write_report(p, data, _language(lang), folder))]


def _shipment_plan_output(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    from gendan_xl.write.report import write_shipment_plan

    data = _report_data(ledger, result, as_of)
    return [Output("出货计划", f"出货计划_{as_of:%Y%m%d}.xlsx", lambda p: write_shipment_plan(p, data, _language(lang)))]


def _statement_outputs(ledger: Ledger, result: CheckResult, as_of: date, lang: str, folder: Path) -> list[Output]:
    """On each customer's cut-off day, that customer's statement for the period ending today."""
    from gendan_xl.documents.common import sanitize_file_part
    from gendan_xl.documents.statement import build_statement, cutoff_customers
    from gendan_xl.write.docs_book import write_statement

    outputs: list[Output] = []
    for name in cutoff_customers(ledger, as_of):
        st = build_statement(ledger, name, f"{as_of:%Y-%m}", as_of).statement
        kind = f"对账单_{sanitize_file_part(name)}"
        outputs.append(Output(kind, f"{kind}_{as_of:%Y%m%d}.xlsx", partial(write_statement, st=st)))
    return outputs


PRODUCERS += [
    ("check", _check_output),
    ("report", _report_output),
    ("shipment_plan", _shipment_plan_output),
    ("statements", _statement_outputs),
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


def run_batch(
    folder: Path,
    as_of: date | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] | None = None,
    progress: bool = False,
) -> int:
    """One batch run over ``folder``; returns the exit code. Never raises for bad data."""
    as_of = as_of or date.today()
    log = RunLog(folder, echo=echo)
    log.say(f"开始 / start: {folder} as-of {as_of} by {getpass.getuser()}@{socket.gethostname()}")
    out_dir: Path | None = None
    try:
        config = load_batch_config(folder)
        out_dir = folder / config.output.folder
        with run_lock(folder, config.lock.stale_minutes, log):
            log.exit_code = _run_locked(folder, config, out_dir, as_of, dry_run, log, progress)
    except LockBusy as exc:
        log.say(exc.message_zh + " / " + exc.message_en)
        log.exit_code = EXIT_LOCKED
    except LedgerError as exc:
        log.say(f"无法读取 / unusable: {exc.message('zh')}")
        log.exit_code = EXIT_UNUSABLE
    except OSError as exc:
        log.say(f"写入失败 / write failed: {exc.filename or ''} {exc.strerror or exc}")
        log.exit_code = EXIT_UNUSABLE
    except Exception as exc:  # a scheduled run must end with a log line, never a traceback
        log.say(f"内部错误 / internal error: {type(exc).__name__}: {exc}")
        log.exit_code = EXIT_UNUSABLE
    log.say(f"结束 / end: exit {log.exit_code}")
    _write_logs(folder, out_dir, log)
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
        with _status("读取台账 / reading the ledger", progress):
            ledger = read_ledger(snapshot, as_of, config.settings)
        result = check_ledger(ledger, as_of)
        log.counts = ledger.row_counts
        log.issues = {s.value: result.count(s) for s in Severity}
        log.say(
            f"读取 {sum(log.counts.values())} 行;错误 {log.issues['error']},警告 {log.issues['warning']}"
            f" / {sum(log.counts.values())} rows; {log.issues['error']} errors, {log.issues['warning']} warnings"
        )
        outputs: list[Output] = []
        flags = config.produce.model_dump()
        for flag, producer in PRODUCERS:
            if flags.get(flag, True):
                outputs += producer(ledger, result, as_of, config.output.lang, folder)
        if dry_run:
            for o in outputs:
                log.say(f"将写出 / would write: {out_dir / o.name}")
            return EXIT_ERRORS if result.has_errors else EXIT_OK
        out_dir.mkdir(parents=True, exist_ok=True)
        clean_temporaries(out_dir)
        for o in _progress(outputs, progress):
            path = atomic_write(out_dir, o.name, o.write)
            log.outputs.append(os.path.relpath(path, folder))
            log.say(f"已写出 / written: {path.name}")
            _fault("after-output")
        for kind in {o.kind for o in outputs}:
            for p in prune(out_dir, kind, config.output.keep):
                log.say(f"已清理旧报表 / pruned: {p.name}")
        return EXIT_ERRORS if result.has_errors else EXIT_OK


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


def _write_logs(folder: Path, out_dir: Path | None, log: RunLog) -> None:
    """Append the human log and one JSON line; the log folder is the output folder
    when it exists, else the batch folder."""
    where = out_dir if out_dir is not None and out_dir.exists() else folder
    with contextlib.suppress(OSError):
        with (where / LOG_NAME).open("a", encoding="utf-8") as fh:
            fh.write("\n".join(log.lines) + "\n")
        with (where / JSONL_NAME).open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(log.record(), ensure_ascii=False) + "\n")
