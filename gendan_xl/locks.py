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

    def __init__(
        self,
        path: Path,
        holder: dict[str, object],
        waited: float,
        stale_after: float,
        stuck: tuple[str, str] | None = None,
    ) -> None:
        self.path = path
        self.holder = holder
        self.waited = waited
        self.stale_after = stale_after
        # (zh, en) when the lock is stale but cannot be removed (no right to delete it,
        # it is a folder ...): waiting longer would not help, a person must remove it.
        self.stuck = stuck
        super().__init__(self.message_en)

    @property
    def who(self) -> str:
        h = self.holder
        return f"{h.get('user', '?')}@{h.get('host', '?')}(进程/pid {h.get('pid', '?')},自/since {h.get('time', '?')})"

    @property
    def message_zh(self) -> str:
        if self.stuck:
            return f"{self.path} {self.stuck[0]}"
        return f"{self.path.name} 正被 {self.who} 占用"

    @property
    def message_en(self) -> str:
        if self.stuck:
            return f"{self.path} {self.stuck[1]}"
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
    """Take the lock; returns (token, the stale holder broken on the way or None).

    Raises ``LockBusy`` once ``timeout`` seconds have passed, on every path: a live
    holder, a stale lock that cannot be removed (a folder with the sticky bit, a
    lock path that is a directory) or one dated in the future. Between tries it
    sleeps, so a waiter never spins.
    """
    token = uuid.uuid4().hex
    record = {**identity(), "time": datetime.now().astimezone().isoformat(timespec="seconds"), "token": token}
    body = json.dumps(record, ensure_ascii=False).encode("utf-8")
    deadline = time.monotonic() + max(0.0, timeout)
    delay = 0.005
    taken: dict[str, object] | None = None
    stuck: tuple[str, str] | None = None
    while True:
        if _try_create(path, body):
            return token, taken
        holder = read_lock(path)
        stuck = _why_stuck(path)
        if stuck is None and holder is not None and is_stale(path, holder, stale_after):
            if _break_stale(path, holder):
                taken = holder
                continue  # removed: try to create it at once (even with no time to wait)
            else:
                stuck = (
                    "已失效但无法删除(没有删除权限?),请手动删除该文件",
                    "is stale but cannot be removed (no permission to delete it?); delete it by hand",
                )
        if time.monotonic() >= deadline:
            raise LockBusy(path, holder or {}, timeout, stale_after, stuck)
        remaining = deadline - time.monotonic()
        time.sleep(max(0.001, min(delay * (0.5 + random.random()), remaining)))
        delay = min(delay * 2, 0.2)


def _why_stuck(path: Path) -> tuple[str, str] | None:
    """Why the lock path can never be freed by waiting, if so."""
    try:
        if path.is_dir():
            return (
                "是一个文件夹而不是锁文件,请删除或改名该文件夹",
                "is a folder, not a lock file; remove or rename that folder",
            )
    except OSError:
        return None
    return None


def release(path: Path, token: str) -> None:
    holder = read_lock(path)
    if holder is not None and holder.get("token") == token:
        with contextlib.suppress(OSError):
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
    except OSError:
        return None


def is_stale(path: Path, holder: dict[str, object], stale_after: float) -> bool:
    age = lock_age(path)
    if age is None:
        return False  # gone meanwhile: just retry
    if age < -max(stale_after, 60.0):
        return True  # dated far in the future (a wrong clock): age can never make it stale
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
    except OSError:  # another breaker holds the guard, or the folder refuses it
        age = lock_age(guard)
        if age is not None and abs(age) > _BREAKER_STALE:
            with contextlib.suppress(OSError):
                guard.unlink()
        return False
    try:
        if read_lock(path) == holder:
            with contextlib.suppress(OSError):
                path.unlink()
                return True
        return False
    finally:
        with contextlib.suppress(OSError):
            guard.unlink()
