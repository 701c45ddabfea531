"""Operating-system failures (disk full, read-only folder, no permission ...) as one
clear Chinese-first line naming the path, instead of an exception class name."""

from __future__ import annotations

import errno

_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("磁盘已满", "disk full"),
    errno.EROFS: ("文件夹只读", "read-only file system"),
    errno.EACCES: ("没有写入权限(文件夹只读,或文件被占用)", "permission denied"),
    errno.EPERM: ("没有权限", "operation not permitted"),
    errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
    errno.EBUSY: ("文件被占用", "file busy"),
    errno.EISDIR: ("同名的文件夹已存在", "a folder of that name exists"),
    errno.ENOTDIR: ("路径中有一段不是文件夹", "part of the path is not a folder"),
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = ("超出磁盘配额", "disk quota exceeded")


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc``: itself, its first argument (xlsxwriter's
    FileCreateError wraps one) or its cause / context."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        if current.args and isinstance(current.args[0], OSError):
            return current.args[0]
        current = current.__cause__ or current.__context__
    return None


def describe(exc: OSError) -> tuple[str, str]:
    """(zh, en) reason for an OSError; the English part keeps the system's own words."""
    zh, en = _REASONS.get(exc.errno or -1, ("", ""))
    system = exc.strerror or str(exc) or type(exc).__name__
    if not zh:
        return f"系统错误:{system}", system
    return zh, f"{en} ({system})" if system.lower() != en else en


def failure_line(path: object, exc: OSError, action_zh: str = "写入失败", action_en: str = "write failed") -> str:
    """``写入失败:<path>:磁盘已满 / write failed: <path>: disk full (No space left on device)``."""
    zh, en = describe(exc)
    return f"{action_zh}:{path}:{zh} / {action_en}: {path}: {en}"
