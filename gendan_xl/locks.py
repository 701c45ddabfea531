"""Lock files on a shared drive: created atomically (O_CREAT|O_EXCL), naming
their holder (user, host, pid, time), broken when stale (the holder's process is
gone on this host, or the file is older than ``stale_after``).

Used for the batch run lock and for document-number allocation. Works on SMB
shares where OS-level byte-range locks are unreliable across machines.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import random
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

_BREAKER_STALE = 10.0  # seconds: the guard used while breaking a stale lock


class LockBusy(Exception):
    """Someone else holds the lock (and it is not stale)."""

    def __init__(self, path: Path, holder: dict[str, object], waited: float, stale_after: float) -> None:
        self.path = path
        self.holder = holder
        self.waited = waited
        self.stale_after = stale_after
        super().__init__(self.message_en)

    @property
    def who(self) -> str:
        h = self.holder
        return f"{h.get('user', '?')}@{h.get('host', '?')}(进程/pid {h.get('pid', '?')},自/since {h.get('time', '?')})"

    @property
    def message_zh(self) -> str:
        return f"{self.path.name} 正被 {self.who} 占用"

    @property
    def message_en(self) -> str:
        return f"{self.path.name} is held by {self.who}"


class LockUnavailable(OSError):
    """The lock file cannot be created at all (no write access ...)."""


def identity() -> dict[str, object]:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (service accounts)
        user = "?"
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid()}


@contextlib.contextmanager
def file_lock(path: Path, *, timeout: float, stale_after: float) -> Iterator[dict[str, object]]:
    """Hold the lock at ``path`` for the block; yields what was taken over, if anything
    (``{"taken_over": holder}`` when a stale lock was broken)."""
    token, taken = acquire(path, timeout=timeout, stale_after=stale_after)
    try:
        yield {"taken_over": taken} if taken else {}
    finally:
        release(path, token)


def acquire(path: Path, *, timeout: float, stale_after: float) -> tuple[str, dict[str, object] | None]:
    """Take the lock; returns (token, the stale holder broken on the way or None)."""
    token = uuid.uuid4().hex
    record = {**identity(), "time": datetime.now().astimezone().isoformat(timespec="seconds"), "token": token}
    body = json.dumps(record, ensure_ascii=False).encode("utf-8")
    deadline = time.monotonic() + timeout
    delay = 0.005
    taken: dict[str, object] | None = None
    while True:
        if _try_create(path, body):
            return token, taken
        holder = read_lock(path)
        if holder is not None and is_stale(path, holder, stale_after):
            if _break_stale(path, holder):
                taken = holder
            continue
        if time.monotonic() >= deadline:
            raise LockBusy(path, holder or {}, timeout, stale_after)
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.2)


def release(path: Path, token: str) -> None:
    holder = read_lock(path)
    if holder is not None and holder.get("token") == token:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _try_create(path: Path, body: bytes) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    except FileExistsError:
        return False
    except PermissionError:
        if path.exists():  # Windows: a file being deleted by another process
            return False
        raise LockUnavailable(f"cannot create {path}: permission denied") from None
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def read_lock(path: Path) -> dict[str, object] | None:
    """The holder record; ``{}`` if unreadable, None if there is no lock."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        record = json.loads(raw.decode("utf-8"))
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def lock_age(path: Path) -> float | None:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None


def is_stale(path: Path, holder: dict[str, object], stale_after: float) -> bool:
    age = lock_age(path)
    if age is None:
        return False  # gone meanwhile: just retry
    if not holder:
        # Unreadable: the holder crashed between creating and writing it (microseconds).
        return age > min(stale_after, 5.0)
    if age > stale_after:
        return True
    pid = holder.get("pid")
    if holder.get("host") == socket.gethostname() and isinstance(pid, int):
        return pid != os.getpid() and not pid_alive(pid)
    return False


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _win_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: existence check only
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _win_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _break_stale(path: Path, holder: dict[str, object]) -> bool:
    """Remove a stale lock unless another waiter got there first.

    Two waiters could judge the same lock stale; the second must not delete the
    fresh lock the first created since. A short-lived guard file serialises
    breakers, and the lock is re-read under it. Returns whether it was removed.
    """
    guard = path.with_name(path.name + ".break")
    try:
        os.close(os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except (FileExistsError, PermissionError):
        age = lock_age(guard)
        if age is not None and age > _BREAKER_STALE:
            with contextlib.suppress(FileNotFoundError):
                guard.unlink()
        time.sleep(0.01)
        return False
    try:
        if read_lock(path) == holder:
            with contextlib.suppress(OSError):
                path.unlink()
                return True
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            guard.unlink()
