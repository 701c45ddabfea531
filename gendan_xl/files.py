"""Writing a file so that nobody ever sees half of it under its final name."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

TMP_PREFIX = ".gendan-tmp-"


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds rename it onto
    ``path`` (atomic on one volume), on any failure remove it and re-raise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


BACKUPS_KEEP = 20  # default of the ``backups_keep`` setting: write-back backups kept per ledger


def prune_backups(ledger_path: Path, keep: int = BACKUPS_KEEP) -> list[Path]:
    """Keep the newest ``keep`` (at least one) write-back backups of one ledger, the
    ``<stem>.bak-YYYYMMDD-HHMMSS[-N]<suffix>`` files beside it; returns those removed.
    Only that exact pattern for this ledger's own stem and suffix is touched."""
    import re

    path = Path(ledger_path)
    exact = re.compile(re.escape(path.stem) + r"\.bak-(\d{8})-(\d{6})(?:-(\d+))?" + re.escape(path.suffix), re.IGNORECASE)
    found: list[tuple[tuple[str, str, int], Path]] = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    for p in entries:
        m = exact.fullmatch(p.name)
        if m is None or p.is_symlink() or not p.is_file():
            continue
        found.append(((m.group(1), m.group(2), int(m.group(3) or 1)), p))
    found.sort(key=lambda item: item[0], reverse=True)
    removed: list[Path] = []
    for _, p in found[max(keep, 1) :]:
        with contextlib.suppress(OSError):
            p.unlink()
            removed.append(p)
    return removed
