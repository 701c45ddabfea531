"""Document numbers (工单号 WO..., 送货单号 SH...): rendering patterns and allocating
numbers that never collide.

A pattern such as ``SH{YYYYMMDD}{SEQ:3}`` renders, for one day, to a fixed
prefix and suffix around a zero-padded sequence; the sequence restarts for every
distinct rendered prefix (so once a day for the default patterns). A new number
is one past the highest sequence already seen for that prefix, where "seen"
means present in the ledger (the caller passes those numbers) or written to the
journal ``gendan_numbers.jsonl`` in the ledger's folder by any earlier
allocation.

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
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from gendan_xl.locks import LockBusy, LockUnavailable, file_lock, identity, pid_alive, read_lock
from gendan_xl.model import LedgerError
from gendan_xl.schema import SETTING_KEYS

LOCK_NAME = ".gendan.lock"
JOURNAL_NAME = "gendan_numbers.jsonl"
STALE_AFTER = 60.0  # seconds: an allocation holds the lock for milliseconds
WAIT_TIMEOUT = 20.0  # seconds to wait for a live lock before giving up

# kind -> default pattern; the kinds match the settings keys ``wo_pattern`` / ``dn_pattern``.
DEFAULT_PATTERNS: dict[str, str] = {
    "wo": str(SETTING_KEYS["wo_pattern"][1]),
    "dn": str(SETTING_KEYS["dn_pattern"][1]),
}

_TOKEN = re.compile(r"\{([A-Za-z]+)(?::(\d+))?\}")
_DATE_TOKENS = {
    "YYYYMMDD": "%Y%m%d",
    "YYMMDD": "%y%m%d",
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

    Tokens: {YYYY} {YY} {MM} {DD} {YYYYMMDD} {YYMMDD} and {SEQ:n} (n digits, zero-padded;
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
                f"不认识的占位符 {m.group(0)}(可用 {{YYYY}} {{YY}} {{MM}} {{DD}} {{YYYYMMDD}} {{YYMMDD}} {{SEQ:n}})",
                f"unknown token {m.group(0)} (use {{YYYY}} {{YY}} {{MM}} {{DD}} {{YYYYMMDD}} {{YYMMDD}} {{SEQ:n}})",
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


def issued_numbers(folder: Path) -> set[str]:
    """Every number recorded in the folder's journal (unreadable lines are ignored)."""
    path = Path(folder) / JOURNAL_NAME
    out: set[str] = set()
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a crash
                if isinstance(record, dict) and isinstance(record.get("number"), str):
                    out.add(record["number"])
    except FileNotFoundError:
        pass
    return out


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
) -> list[str]:
    """Allocate ``count`` new numbers of ``kind`` ("wo", "dn" ...) for ``day``.

    ``folder`` is the ledger's folder (where the lock and journal live), ``existing``
    the numbers already in the ledger, ``ledger`` the ledger file name for the journal.
    ``pattern`` None or blank means the kind's default. Raises NumberPatternError for a
    bad pattern and NumberLockError when the lock stays busy for ``timeout`` seconds.
    """
    pattern = (pattern or "").strip() or DEFAULT_PATTERNS.get(kind, "")
    render_pattern(pattern, day)  # fail on a bad pattern before taking the lock
    if count <= 0:
        return []
    folder = Path(folder)
    taken = {str(n).strip() for n in existing if n is not None}
    with number_lock(folder, timeout=timeout, stale_after=stale_after):
        numbers = next_numbers(pattern, day, count, taken | issued_numbers(folder))
        _append_journal(folder, kind, numbers, ledger)
    return numbers


def _append_journal(folder: Path, kind: str, numbers: list[str], ledger: str) -> None:
    ident = identity()
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    lines = "".join(
        json.dumps(
            {"kind": kind, "number": n, "time": now, "user": ident["user"], "host": ident["host"],
             "ledger": ledger},
            ensure_ascii=False,
        )
        + "\n"
        for n in numbers
    )
    path = folder / JOURNAL_NAME
    try:
        with open(path, "a", encoding="utf-8", newline="\n") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise NumberLockError(
            str(path),
            f"无法写入单号记录文件({exc.strerror or exc}),请检查共享文件夹的写权限",
            f"cannot write the number journal ({exc.strerror or exc}); check write access to the folder",
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


def _cannot_lock(path: Path, why_zh: str, why_en: str) -> NumberLockError:
    return NumberLockError(
        str(path),
        f"无法在台账所在文件夹创建单号锁({why_zh}),请检查共享文件夹的写权限",
        f"cannot create the number lock in the ledger's folder ({why_en}); check write access",
    )


__all__ = [
    "JOURNAL_NAME",
    "LOCK_NAME",
    "NumberLockError",
    "NumberPatternError",
    "allocate",
    "format_number",
    "issued_numbers",
    "next_numbers",
    "number_lock",
    "pid_alive",
    "read_lock",
    "render_pattern",
]
