"""Writing output files safely: nobody ever sees half of a file under its final
name, an output never lands on a ledger file, and a file gendan did not write is
never replaced.

- ``replacing(path)``: write beside ``path`` and rename onto it (atomic).
- ``write_new(path, write)``: like ``replacing`` but never replaces anything: an
  existing name becomes ``name(2).xlsx``, ``name(3).xlsx`` ...
- ``write_output(path, write)``: replaces ``path`` only when gendan wrote it before
  and nobody changed it since (a record of what gendan wrote, ``.gendan-outputs.jsonl``
  in the output folder, holds its hash); otherwise writes a new name.
- ``refuse_inputs(path, inputs)``: an output whose real path is an input's is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from gendan_xl.model import LedgerError

TMP_PREFIX = ".gendan-tmp-"
OUTPUTS_RECORD = ".gendan-outputs.jsonl"


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


def numbered_name(path: Path, n: int) -> Path:
    """``name.xlsx`` -> ``name(n).xlsx`` (n >= 2)."""
    return path if n < 2 else path.with_name(f"{path.stem}({n}){path.suffix}")


def write_new(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file and give it ``path``, or the first free
    ``path(n)``: an existing file is never replaced, even by a run at the same moment
    (the name is taken with a hard link, which fails if it exists). Returns the name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{TMP_PREFIX}{os.getpid()}-{path.name}.part")
    try:
        write(tmp)
        for n in range(1, 10_000):
            candidate = numbered_name(path, n)
            if candidate.exists():
                continue
            try:
                os.link(tmp, candidate)
            except FileExistsError:
                continue
            except OSError:  # no hard links here (some shares): best effort
                if candidate.exists():
                    continue
                os.replace(tmp, candidate)
                return candidate
            tmp.unlink()
            return candidate
        raise FileExistsError(str(path))
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def refuse_inputs(path: Path, inputs: Iterable[Path]) -> None:
    """``LedgerError`` (exit 2) when ``path`` is (by its real path) one of ``inputs``."""
    real = os.path.realpath(path)
    for p in inputs:
        if os.path.realpath(p) == real:
            raise LedgerError(
                str(path),
                "输出文件就是台账本身(或它的一部分),已拒绝写出,台账未改动;请换一个文件名",
                "the output is the ledger itself (or one of its parts); refused, the ledger is "
                "unchanged; choose another name",
            )


def _digest(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def _record_path(path: Path) -> Path:
    return path.parent / OUTPUTS_RECORD


def written_by_gendan(path: Path) -> bool:
    """Whether ``path`` is a file gendan wrote and nobody changed since."""
    digest = _digest(path)
    if digest is None:
        return False
    try:
        lines = _record_path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    for line in lines:
        with contextlib.suppress(ValueError, AttributeError):
            record = json.loads(line)
            if record.get("name") == path.name and record.get("sha256") == digest:
                return True
    return False


def remember_output(path: Path) -> None:
    """Record that gendan wrote ``path`` (name and hash), so a later run may replace it."""
    digest = _digest(path)
    if digest is None:
        return
    line = json.dumps({"name": path.name, "sha256": digest}, ensure_ascii=False) + "\n"
    with contextlib.suppress(OSError), open(_record_path(path), "a+b") as fh:
        fh.seek(0, os.SEEK_END)
        if fh.tell() > 0:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                line = "\n" + line
        fh.seek(0, os.SEEK_END)
        fh.write(line.encode("utf-8"))


def write_output(path: Path, write: Callable[[Path], object]) -> Path:
    """Write ``path`` atomically; an existing file is replaced only when gendan wrote
    it and nobody changed it since, otherwise the output gets a new name
    (``name(2).xlsx`` ...). Returns the name written."""
    if path.exists() and not written_by_gendan(path):
        final = write_new(path, write)
    else:
        with replacing(path) as tmp:
            write(tmp)
        final = path
    remember_output(final)
    return final


def ledger_parts(target: Path) -> list[Path]:
    """Every file a ledger is read from (its real paths): the workbook, or each part
    (glob matches included) its ``gendan.toml`` names. Unreadable configs give []."""
    import glob

    from gendan_xl.read import resolve_ledger

    real = Path(os.path.realpath(target))
    try:
        workbook, config = resolve_ledger(real)
    except LedgerError:
        return [real]
    if config is None:
        return [real if workbook is None else Path(os.path.realpath(workbook))]
    base = real if real.is_dir() else real.parent
    out: list[Path] = []
    for pattern in config.ledger.model_dump().values():
        if not pattern:
            continue
        text = str(base / str(pattern))
        matches = glob.glob(text) if any(ch in str(pattern) for ch in "*?[") else [text]
        out += [Path(os.path.realpath(m)) for m in matches]
    return out


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
