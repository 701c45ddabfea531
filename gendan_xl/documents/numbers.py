"""Document numbers (工单号 WO..., 送货单号 SH...): rendering patterns and allocating
numbers that never collide.

A pattern such as ``SH{YYYYMMDD}{SEQ:3}`` renders, for one day, to a fixed
prefix and suffix around a zero-padded sequence; the sequence restarts for every
distinct rendered prefix (so once a day for the default patterns). A new number
is one past the highest sequence already seen for that prefix, where "seen"
means present in the ledger (the caller passes those numbers) or written to the
journal ``gendan_numbers.jsonl`` in the ledger's folder by any earlier
allocation.

The journal also records, for each number, the sources it was given for (see
``source_key``): running a document command again for the same sources gives the
same numbers (idempotent), ``reissue`` voids them (a 作废 record, with who and why)
and gives new ones. Each record starts on a fresh line; a broken line is reported
and every number in it counts as used. ``gendan_documents.jsonl`` beside it keeps
the data of every printed document for ``gendan docs reprint``.

A document command holds the ledger's own lock (``ledger_lock``, beside the
ledger's real path) from reading the ledger to the end of its write-back, so a
second clerk waits instead of numbering the same rows.

Clerks on different PCs and a batch run may allocate against the same shared
folder at the same moment, so an allocation holds the lock file ``.gendan.lock``
there (created atomically with O_CREAT|O_EXCL; it names its holder) while it
reads the journal and appends the new numbers. A lock left behind by a crashed
process is broken when its holder's process is gone (same host) or when the lock
file is older than ``stale_after`` seconds; a live lock is waited for, up to
``timeout`` seconds, then ``NumberLockError`` names who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from gendan_xl.locks import LockBusy, LockUnavailable, file_lock, identity, pid_alive, read_lock
from gendan_xl.model import LedgerError
from gendan_xl.schema import SETTING_KEYS

LOCK_NAME = ".gendan.lock"
JOURNAL_NAME = "gendan_numbers.jsonl"
DOCUMENTS_NAME = "gendan_documents.jsonl"  # the data of every printed document, for reprints
VOID = "作废"  # status of a voided number in the journal
STALE_AFTER = 60.0  # seconds: an allocation holds the lock for milliseconds
WAIT_TIMEOUT = 20.0  # seconds to wait for a live lock before giving up
LEDGER_LOCK_SUFFIX = ".gendan.lock"
LEDGER_LOCK_IN_FOLDER = ".gendan-ledger.lock"
LEDGER_WAIT = 30.0  # seconds a second run waits for the ledger lock (``--wait``)
# A ledger lock is held from reading to the end of the write-back (seconds to minutes
# on a large ledger); one from another PC is only broken after this long. One of a
# process that is gone on this PC is broken at once.
LEDGER_STALE = 30 * 60.0

# kind -> default pattern; the kinds match the settings keys ``wo_pattern`` / ``dn_pattern``.
DEFAULT_PATTERNS: dict[str, str] = {
    "wo": str(SETTING_KEYS["wo_pattern"][1]),
    "dn": str(SETTING_KEYS["dn_pattern"][1]),
    "rt": str(SETTING_KEYS["rt_pattern"][1]),  # 退货单
    "st": str(SETTING_KEYS["st_pattern"][1]),  # 对账单
    "fl": str(SETTING_KEYS["fl_pattern"][1]),
    "jq": str(SETTING_KEYS["jq_pattern"][1]),  # 交期变更通知
    "wx": str(SETTING_KEYS["wx_pattern"][1]),  # 外协申请单
    "yp": str(SETTING_KEYS["yp_pattern"][1]),  # 试样通知单
    "bg": "BG{YYYYMMDD}{SEQ:3}",  # 变更通知单 (gendan batch)
}

_TOKEN = re.compile(r"\{([A-Za-z]+)(?::(\d+))?\}")
_DATE_TOKENS = {
    "YYYYMMDD": "%Y%m%d",
    "YYMMDD": "%y%m%d",
    "YYYYMM": "%Y%m",
    "YYMM": "%y%m",
    "YYYY": "%Y",
    "YY": "%y",
    "MM": "%m",
    "DD": "%d",
}


class NumberPatternError(ValueError):
    """A number pattern from the settings cannot be used."""

    def __init__(self, pattern: str, reason_zh: str, reason_en: str) -> None:
        self.pattern = pattern
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"单号规则「{pattern}」无效:{reason_zh} / Invalid number pattern '{pattern}': {reason_en}")


class NumberLockError(LedgerError):
    """The number lock in the ledger's folder is held by someone else, or cannot be made.

    The CLI maps it to exit code 3 (like a busy batch lock).
    """


@dataclass(frozen=True)
class DayPattern:
    """A pattern rendered for one day: ``prefix`` + sequence padded to ``width`` + ``suffix``."""

    prefix: str
    suffix: str
    width: int

    def format(self, seq: int) -> str:
        return f"{self.prefix}{seq:0{self.width}d}{self.suffix}"

    def sequence_of(self, number: str) -> int | None:
        """The sequence of ``number`` if it was made by this pattern (case-insensitive), else None."""
        text = number.strip()
        if len(text) <= len(self.prefix) + len(self.suffix):
            return None
        if not text.upper().startswith(self.prefix.upper()):
            return None
        if self.suffix and not text.upper().endswith(self.suffix.upper()):
            return None
        middle = text[len(self.prefix) : len(text) - len(self.suffix)]
        if not middle.isascii() or not middle.isdigit():
            return None
        return int(middle)


def render_pattern(pattern: str, day: date) -> DayPattern:
    """Render the date tokens of ``pattern`` for ``day``; exactly one ``{SEQ:n}`` must remain.

    Tokens: {YYYY} {YY} {MM} {DD} {YYYYMMDD} {YYMMDD} {YYYYMM} {YYMM} and {SEQ:n} (n digits, zero-padded;
    {SEQ} alone means 3). Anything else in braces is an error.
    """
    parts: list[str] = []
    seq_index: int | None = None
    width = 3
    pos = 0
    for m in _TOKEN.finditer(pattern):
        parts.append(pattern[pos : m.start()])
        name, digits = m.group(1).upper(), m.group(2)
        if name == "SEQ":
            if seq_index is not None:
                raise NumberPatternError(pattern, "只能有一个 {SEQ}", "only one {SEQ} is allowed")
            width = int(digits) if digits else 3
            if not 1 <= width <= 9:
                raise NumberPatternError(pattern, "{SEQ:n} 的位数应为 1-9", "{SEQ:n} width must be 1-9")
            seq_index = len(parts)
            parts.append("")
        elif name in _DATE_TOKENS and digits is None:
            parts.append(day.strftime(_DATE_TOKENS[name]))
        else:
            raise NumberPatternError(
                pattern,
                f"不认识的占位符 {m.group(0)}(可用 {{YYYY}} {{YY}} {{MM}} {{DD}} {{YYYYMMDD}} {{YYMMDD}} {{YYYYMM}} {{SEQ:n}})",
                f"unknown token {m.group(0)} (use {{YYYY}} {{YY}} {{MM}} {{DD}} {{YYYYMMDD}} {{YYMMDD}} {{YYYYMM}} {{SEQ:n}})",
            )
        pos = m.end()
    parts.append(pattern[pos:])
    if seq_index is None:
        raise NumberPatternError(pattern, "缺少流水号 {SEQ:n}", "the sequence {SEQ:n} is missing")
    rendered = "".join(parts[:seq_index]), "".join(parts[seq_index + 1 :])
    if "{" in rendered[0] + rendered[1] or "}" in rendered[0] + rendered[1]:
        raise NumberPatternError(pattern, "花括号不成对", "unbalanced braces")
    return DayPattern(prefix=rendered[0], suffix=rendered[1], width=width)


def format_number(pattern: str, day: date, seq: int) -> str:
    """The number ``pattern`` gives for ``day`` and sequence ``seq``."""
    return render_pattern(pattern, day).format(seq)


def next_numbers(pattern: str, day: date, count: int, taken: Iterable[str]) -> list[str]:
    """``count`` numbers for ``day`` following the highest sequence among ``taken`` (pure)."""
    rendered = render_pattern(pattern, day)
    highest = 0
    for number in taken:
        seq = rendered.sequence_of(str(number))
        if seq is not None and seq > highest:
            highest = seq
    return [rendered.format(highest + i) for i in range(1, count + 1)]


# ------------------------------------------------------------------ the journal


def source_key(*parts: object) -> str:
    """The identity of what a number is for, as one string (JSON of the parts).

    A work order: ("wo", order-line key, qty, n); a delivery-note row: ("dn", ship
    date, order, item, qty, customer, n), a return row the same with "rt"; a
    statement: ("st", customer, period); ``n`` counts identical sources (two equal
    shipment rows on one day are two sources).
    """
    return json.dumps([str(p) for p in parts], ensure_ascii=False)


@dataclass
class JournalState:
    """What the journal (and its broken lines) says."""

    issued: dict[str, dict[str, object]] = field(default_factory=dict)  # number -> its issue record
    voided: dict[str, dict[str, object]] = field(default_factory=dict)  # number -> its 作废 record
    used: set[str] = field(default_factory=set)  # every number never to be given out again
    live: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (ledger, kind, source) -> number
    warnings: list[str] = field(default_factory=list)  # clerk-readable, one per broken line


_TOKEN_RUN = re.compile(r"[^\s\"',:{}\[\]]+")


def _scan_lines(path: Path) -> Iterator[tuple[int, dict[str, object] | None, str]]:
    """(line number, record or None when broken, raw text) for every non-blank line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise NumberLockError(
            str(path), f"无法读取单号记录文件({exc.strerror or exc})", f"cannot read the journal ({exc.strerror or exc})"
        ) from exc
    for i, line in enumerate(raw.split(b"\n"), start=1):
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except ValueError:
            yield i, None, text
            continue
        yield i, (record if isinstance(record, dict) else None), text


def read_journal(folder: Path) -> JournalState:
    """Parse ``gendan_numbers.jsonl`` in ``folder``.

    A line that is not one whole record (a write cut short by a crash or a full
    disk, two records glued together) gives a warning with its line number, and
    every number-like token in it counts as used: a number is never given twice.
    """
    path = Path(folder) / JOURNAL_NAME
    state = JournalState()
    for lineno, record, text in _scan_lines(path):
        if record is None or not isinstance(record.get("number"), str):
            state.used.update(_TOKEN_RUN.findall(text))
            state.warnings.append(
                f"单号记录文件 {path.name} 第 {lineno} 行不完整或已损坏,其中出现的单号都视为已使用"
                f" / line {lineno} of {path.name} is cut short or damaged; every number in it counts as used"
            )
            continue
        number = str(record["number"])
        state.used.add(number)
        kind, ledger = str(record.get("kind", "")), str(record.get("ledger", ""))
        if record.get("status") == VOID:
            state.voided[number] = record
            for key in [k for k, n in state.live.items() if n == number]:
                del state.live[key]
            continue
        state.issued[number] = record
        sources = record.get("sources")
        if isinstance(sources, list) and number not in state.voided:
            for src in sources:
                state.live[(ledger, kind, str(src))] = number
    return state


def issued_numbers(folder: Path) -> set[str]:
    """Every number recorded in the folder's journal (issued or voided; broken lines are
    left out here, see ``read_journal``)."""
    state = read_journal(folder)
    return set(state.issued) | set(state.voided)


def live_numbers(folder: Path, kind: str, ledger: str = "") -> dict[str, str]:
    """source key -> the number it was last given (not voided), for one ledger and kind."""
    state = read_journal(folder)
    return {src: n for (led, k, src), n in state.live.items() if led == ledger and k == kind}


def allocate(
    folder: Path,
    kind: str,
    pattern: str | None,
    day: date,
    count: int,
    existing: Iterable[str] = (),
    *,
    ledger: str = "",
    timeout: float = WAIT_TIMEOUT,
    stale_after: float = STALE_AFTER,
    sources: Sequence[Sequence[str]] | None = None,
    reissue: bool = False,
    why: str = "",
) -> list[str]:
    """Allocate ``count`` numbers of ``kind`` ("wo", "dn" ...) for ``day``.

    ``folder`` is the ledger's folder (where the lock and journal live), ``existing``
    the numbers already in the ledger, ``ledger`` the ledger file name for the journal.
    ``pattern`` None or blank means the kind's default.

    ``sources`` (one list of source keys per number, see ``source_key``) makes the
    allocation idempotent: a slot whose sources were all given number N before (and N
    is neither voided nor in the ledger already) gets N again; other slots get new
    numbers, recorded with their sources. With ``reissue`` the earlier numbers of the
    sources are voided (作废, with ``why``) and new ones given.

    Raises NumberPatternError for a bad pattern and NumberLockError when the lock stays
    busy for ``timeout`` seconds or the journal cannot be written.
    """
    pattern = (pattern or "").strip() or DEFAULT_PATTERNS.get(kind, "")
    render_pattern(pattern, day)  # fail on a bad pattern before taking the lock
    if count <= 0:
        return []
    if sources is not None and len(sources) != count:
        raise ValueError("one list of sources per number")
    folder = Path(folder)
    taken = {str(n).strip() for n in existing if n is not None}
    with number_lock(folder, timeout=timeout, stale_after=stale_after):
        state = read_journal(folder)
        slots: list[str | None] = [None] * count
        voids: list[str] = []
        for i, srcs in enumerate(sources or []):
            earlier = {state.live.get((ledger, kind, s)) for s in srcs}
            if reissue:
                voids += [n for n in earlier if n is not None and n not in voids]
                continue
            if len(earlier) == 1 and srcs:
                (number,) = earlier
                if number is not None and number not in taken and number not in slots:
                    slots[i] = number
        fresh = next_numbers(pattern, day, slots.count(None), taken | state.used)
        records: list[dict[str, object]] = [
            _record(kind, n, ledger, status=VOID, why=why or "重开 / reissued") for n in voids
        ]
        it = iter(fresh)
        for i, slot in enumerate(slots):
            if slot is None:
                number = next(it)
                slots[i] = number
                record = _record(kind, number, ledger, day=day.isoformat())
                if sources is not None:
                    record["sources"] = list(sources[i])
                records.append(record)
        _append_lines(folder / JOURNAL_NAME, records)
    return [str(n) for n in slots]


def void(folder: Path, kind: str, numbers: Iterable[str], why: str, *, ledger: str = "",
         timeout: float = WAIT_TIMEOUT, stale_after: float = STALE_AFTER) -> None:
    """Record ``numbers`` as voided (作废): never given out again, never reused for a source."""
    numbers = list(dict.fromkeys(numbers))
    if not numbers:
        return
    with number_lock(Path(folder), timeout=timeout, stale_after=stale_after):
        _append_lines(Path(folder) / JOURNAL_NAME, [_record(kind, n, ledger, status=VOID, why=why) for n in numbers])


def record_documents(folder: Path, records: Sequence[dict[str, object]], *,
                     timeout: float = WAIT_TIMEOUT, stale_after: float = STALE_AFTER) -> None:
    """Keep the data of printed documents (``gendan_documents.jsonl``) so that
    ``gendan docs reprint`` can print them again; each record names its ``number``."""
    if not records:
        return
    with number_lock(Path(folder), timeout=timeout, stale_after=stale_after):
        _append_lines(Path(folder) / DOCUMENTS_NAME, list(records))


def read_documents(folder: Path) -> tuple[dict[str, dict[str, object]], list[str]]:
    """number -> its latest document record, and warnings for broken lines."""
    path = Path(folder) / DOCUMENTS_NAME
    out: dict[str, dict[str, object]] = {}
    warnings: list[str] = []
    for lineno, record, _text in _scan_lines(path):
        if record is None or not isinstance(record.get("number"), str):
            warnings.append(f"{path.name} 第 {lineno} 行不完整或已损坏 / line {lineno} of {path.name} is damaged")
            continue
        out[str(record["number"])] = record
    return out, warnings


def _record(kind: str, number: str, ledger: str, **extra: object) -> dict[str, object]:
    ident = identity()
    return {
        "kind": kind, "number": number, "time": datetime.now().astimezone().isoformat(timespec="seconds"),
        "user": ident["user"], "host": ident["host"], "ledger": ledger, **extra,
    }


def _append_lines(path: Path, records: Sequence[dict[str, object]]) -> None:
    """Append one JSON line per record, starting on a fresh line (a line cut short
    earlier is closed first, so it cannot swallow the next record), then fsync."""
    body = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records).encode("utf-8")
    try:
        with open(path, "a+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    body = b"\n" + body
            fh.seek(0, os.SEEK_END)
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        why = exc.strerror or str(exc)
        full = exc.errno == errno.ENOSPC
        raise NumberLockError(
            str(path),
            f"无法写入单号记录文件({why}),"
            + ("磁盘已满,请腾出空间后重试" if full else "请检查共享文件夹的写权限和剩余空间")
            + ";本次没有发出任何单号",
            f"cannot write the number journal ({why}); "
            + ("the disk is full, free some space" if full else "check write access and free space")
            + "; no number was given out",
        ) from exc


@contextlib.contextmanager
def number_lock(
    folder: Path, *, timeout: float = WAIT_TIMEOUT, stale_after: float = STALE_AFTER
) -> Iterator[Path]:
    """Hold ``.gendan.lock`` in ``folder`` for the duration of the block."""
    path = Path(folder) / LOCK_NAME
    try:
        with file_lock(path, timeout=timeout, stale_after=stale_after):
            yield path
    except LockBusy as busy:
        if busy.stuck:
            raise NumberLockError(str(path), busy.stuck[0], busy.stuck[1]) from None
        raise _busy_error(path, busy.holder, timeout, stale_after) from None
    except LockUnavailable as exc:
        raise _cannot_lock(path, "没有写权限", "no write permission") from exc
    except OSError as exc:
        if isinstance(exc, NumberLockError):
            raise
        raise _cannot_lock(path, str(exc.strerror or exc), str(exc.strerror or exc)) from exc


def _busy_error(
    path: Path, holder: dict[str, object] | None, waited: float, stale_after: float
) -> NumberLockError:
    holder = holder or {}
    who = f"{holder.get('user', '?')}@{holder.get('host', '?')}"
    pid = holder.get("pid", "?")
    since = holder.get("time", "?")
    return NumberLockError(
        str(path),
        f"单号正被 {who}(进程 {pid},自 {since} 起)分配中,已等待 {waited:g} 秒仍未释放。"
        f"请稍后再试;如果那台电脑的程序已退出,锁会在 {stale_after:g} 秒后自动失效。",
        f"document numbers are being allocated by {who} (process {pid}, since {since}); "
        f"still busy after {waited:g} s. Try again later; if that program has exited the lock "
        f"expires after {stale_after:g} s.",
    )


# ------------------------------------------------------------------ the ledger lock


def real_path(path: Path) -> Path:
    """``path`` with every symlink resolved: a linked ledger is read, locked and
    patched at its target (the link stays a link)."""
    return Path(os.path.realpath(path))


def ledger_lock_path(target: Path) -> Path:
    """The one lock of a ledger, beside its real path: ``.<name>.gendan.lock`` for a
    workbook, ``.gendan-ledger.lock`` inside a ledger folder."""
    real = real_path(target)
    if real.is_dir():
        return real / LEDGER_LOCK_IN_FOLDER
    return real.with_name(f".{real.name}{LEDGER_LOCK_SUFFIX}")


def ledger_folder(target: Path) -> Path:
    """Where a ledger's journal and number lock live: beside its real path."""
    real = real_path(target)
    return real if real.is_dir() else real.parent


@contextlib.contextmanager
def ledger_lock(
    target: Path, *, timeout: float = LEDGER_WAIT, stale_after: float = LEDGER_STALE
) -> Iterator[Path]:
    """Hold the ledger's lock from reading it to the end of its write-back, so two
    clerks (or a clerk and a batch run) never number the same rows.

    A second holder waits up to ``timeout`` seconds, then ``NumberLockError`` (CLI
    exit 3) names who holds it. A lock of a process that is gone (same PC) is taken
    over at once, one from another PC after ``stale_after`` seconds.
    """
    path = ledger_lock_path(target)
    try:
        with file_lock(path, timeout=timeout, stale_after=stale_after):
            yield path
    except LockBusy as busy:
        if busy.stuck:
            raise NumberLockError(str(path), busy.stuck[0], busy.stuck[1]) from None
        holder = busy.holder
        who = f"{holder.get('user', '?')}@{holder.get('host', '?')}"
        pid, since = holder.get("pid", "?"), holder.get("time", "?")
        raise NumberLockError(
            str(real_path(target)),
            f"台账正被 {who}(进程 {pid},自 {since} 起)生成单据或写回,已等待 {timeout:g} 秒仍未结束。"
            f"请稍后再试(可用 --wait 秒数 等得更久)。",
            f"the ledger is being numbered or written back by {who} (process {pid}, since {since}); "
            f"still busy after {timeout:g} s. Try again later (--wait SECONDS waits longer).",
        ) from None
    except LockUnavailable as exc:
        raise _cannot_lock(path, "没有写权限", "no write permission") from exc
    except OSError as exc:
        if isinstance(exc, NumberLockError):
            raise
        raise _cannot_lock(path, str(exc.strerror or exc), str(exc.strerror or exc)) from exc


def lock_wait(value: float | None = None) -> float:
    """Seconds to wait for a busy ledger: ``value`` (``--wait``), else the
    environment's ``GENDAN_LOCK_WAIT``, else ``LEDGER_WAIT``."""
    if value is not None:
        return max(0.0, float(value))
    env = os.environ.get("GENDAN_LOCK_WAIT", "").strip()
    try:
        return max(0.0, float(env)) if env else LEDGER_WAIT
    except ValueError:
        return LEDGER_WAIT


def _cannot_lock(path: Path, why_zh: str, why_en: str) -> NumberLockError:
    return NumberLockError(
        str(path),
        f"无法在台账所在文件夹创建单号锁({why_zh}),请检查共享文件夹的写权限",
        f"cannot create the number lock in the ledger's folder ({why_en}); check write access",
    )


__all__ = [
    "DOCUMENTS_NAME",
    "JOURNAL_NAME",
    "LOCK_NAME",
    "VOID",
    "JournalState",
    "NumberLockError",
    "NumberPatternError",
    "allocate",
    "format_number",
    "issued_numbers",
    "ledger_folder",
    "ledger_lock",
    "ledger_lock_path",
    "live_numbers",
    "lock_wait",
    "next_numbers",
    "number_lock",
    "pid_alive",
    "read_documents",
    "read_journal",
    "read_lock",
    "real_path",
    "record_documents",
    "render_pattern",
    "source_key",
    "void",
]
