"""``--write-back`` for documents: turn a ``WriteBackPlan`` (cells to fill, rows to
append, per ledger file and sheet) into surgical patches of the clerk's files
(``write.patch``), one backup and one atomic replace per file.

Before patching, each file is compared with the state it had when the ledger was
read (``snapshot``) and every cell to fill is read again from the file on disk: a
file changed meanwhile, or a target cell that is no longer empty, refuses the
write-back (``WriteBackRefused``, exit 3) with nothing written. A symlinked file is
patched at its target, so the link stays a link.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from gendan_xl.cells import col_index
from gendan_xl.documents.models import WriteBackPlan
from gendan_xl.model import LedgerError
from gendan_xl.write.patch import (
    MAX_TEXT,
    CellValue,
    SheetEdit,
    WriteBackRefused,
    WriteBackResult,
    check_writable,
    write_back_many,
)

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one version of a file on disk."""

    inode: int
    size: int
    mtime_ns: int


def fingerprint(path: Path) -> Fingerprint | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return Fingerprint(st.st_ino, st.st_size, st.st_mtime_ns)


def snapshot(files: Iterable[Path]) -> dict[Path, Fingerprint | None]:
    """Fingerprints of ``files`` (by real path), taken before the ledger is read."""
    return {Path(os.path.realpath(p)): fingerprint(Path(os.path.realpath(p))) for p in files}


def plan_files(plan: WriteBackPlan, resolve: Callable[[str], Path]) -> list[Path]:
    """The files a plan touches, in first-use order."""
    names = [c.file for c in plan.cells] + [r.file for r in plan.rows]
    return [resolve(n) for n in dict.fromkeys(names)]


def check_plan_writable(files: list[Path]) -> None:
    """Raise ``WriteBackRefused``/``LedgerError`` unless every file can be patched now."""
    for path in files:
        check_writable(Path(os.path.realpath(path)))


def verify_unchanged(
    plan: WriteBackPlan, resolve: Callable[[str], Path], before: dict[Path, Fingerprint | None]
) -> None:
    """Refuse unless every file of the plan is still the version read at the start and
    every cell to fill is still empty on disk (read again here)."""
    by_sheet: dict[tuple[Path, str], list[tuple[int, str]]] = {}
    for cell in plan.cells:
        real = Path(os.path.realpath(resolve(cell.file)))
        by_sheet.setdefault((real, cell.sheet), []).append((cell.row, cell.column))
    for (real, sheet), cells in by_sheet.items():
        filled = read_cells(real, sheet, cells)
        if filled:
            (row, col), value = next(iter(filled.items()))
            where = f"{sheet}!{col}{row}"
            raise WriteBackRefused(
                str(real),
                f"单元格 {where} 在生成单据期间已被填入「{value[:40]}」,已放弃写回,台账未改动;请重新运行",
                f"cell {where} was filled meanwhile ('{value[:40]}'); nothing was written, "
                "the ledger is unchanged; run again",
            )
    for path in plan_files(plan, resolve):
        real = Path(os.path.realpath(path))
        if real not in before or fingerprint(real) != before[real]:
            raise WriteBackRefused(
                str(real),
                "文件在生成单据期间被修改(或另存)过,已放弃写回,台账未改动;请重新运行",
                "the file was changed (or saved) while the documents were made; nothing was "
                "written, the ledger is unchanged; run again",
            )


def read_cells(path: Path, sheet: str, cells: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The cells among ``cells`` (row, column letters) of ``sheet`` that hold anything
    (a value or a formula) in the file on disk: (row, letters) -> its text."""
    wanted = {(int(r), col_index(c)): (int(r), c) for r, c in cells}
    if not wanted:
        return {}
    last_row = max(r for r, _c in wanted)
    found: dict[tuple[int, str], str] = {}
    try:
        with zipfile.ZipFile(path) as z:
            part = _sheet_part(z, sheet)
            if part is None:
                return {}
            shared: list[str] | None = None
            row_no = 0
            with z.open(part) as fh:
                for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                    tag = el.tag.rsplit("}", 1)[-1]
                    if tag == "row":
                        if event == "start":
                            row_no = int(el.get("r") or row_no + 1)
                            if row_no > last_row:
                                break
                        else:
                            el.clear()
                        continue
                    if tag != "c" or event != "end":
                        continue
                    ref = el.get("r") or ""
                    letters = "".join(ch for ch in ref if ch.isalpha())
                    if not letters:
                        continue
                    key = (row_no, col_index(letters))
                    if key not in wanted:
                        continue
                    if el.get("t") == "s" and shared is None:
                        shared = _shared_strings(z)
                    text = _cell_text(el, shared or [])
                    if text:
                        found[wanted[key]] = text
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError) as exc:
        raise WriteBackRefused(
            str(path),
            f"写回前无法重新读取文件({exc}),台账未改动",
            f"cannot read the file again before writing back ({exc}); the ledger is unchanged",
        ) from exc
    return found


def _cell_text(el: Element, shared: list[str]) -> str:
    """The text of a ``<c>`` element ("=" for a formula without a value, "" when blank)."""
    inline = el.find(f"{{{_MAIN_NS}}}is")
    if inline is not None:
        return "".join(t.text or "" for t in inline.iter(f"{{{_MAIN_NS}}}t"))
    v = el.find(f"{{{_MAIN_NS}}}v")
    if v is None or v.text is None:
        return "=" if el.find(f"{{{_MAIN_NS}}}f") is not None else ""
    if el.get("t") == "s":
        idx = int(v.text)
        return shared[idx] if 0 <= idx < len(shared) else v.text
    return v.text


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    name = next((n for n in z.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    out = []
    with z.open(name) as fh:
        for _event, el in ElementTree.iterparse(fh, events=("end",)):
            if el.tag.rsplit("}", 1)[-1] == "si":
                out.append("".join(t.text or "" for t in el.iter(f"{{{_MAIN_NS}}}t")))
                el.clear()
    return out


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str | None:
    names = {n.lower(): n for n in z.namelist()}
    wb_name = names.get("xl/workbook.xml")
    rels_name = names.get("xl/_rels/workbook.xml.rels")
    if wb_name is None or rels_name is None:
        return None
    wb = ElementTree.fromstring(z.read(wb_name))
    rid = None
    for el in wb.iter(f"{{{_MAIN_NS}}}sheet"):
        if el.get("name") == sheet:
            rid = el.get(f"{{{_REL_NS}}}id")
    if rid is None:
        return None
    rels = ElementTree.fromstring(z.read(rels_name))
    for el in rels:
        if el.get("Id") == rid:
            target = el.get("Target") or ""
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            return names.get(full.lower())
    return None


def apply_write_back(plan: WriteBackPlan, resolve: Callable[[str], Path]) -> list[WriteBackResult]:
    """Patch every file the plan names; ``resolve`` maps a ledger source name to its path.

    A value the sheet cannot take (text over 32,767 characters, a row past Excel's
    last row because something stands in row 1,048,576 ...) is a ``LedgerError``
    (exit 2) naming the file, raised before that file is touched.
    """
    by_file: dict[str, dict[str, tuple[dict[tuple[int, str], CellValue], list[dict[str, CellValue]]]]] = {}
    for cell in plan.cells:
        sheet = by_file.setdefault(cell.file, {}).setdefault(cell.sheet, ({}, []))
        sheet[0][(cell.row, cell.column)] = cell.value
    for row in plan.rows:
        sheet = by_file.setdefault(row.file, {}).setdefault(row.sheet, ({}, []))
        sheet[1].append(dict(row.values))
    results = []
    for file, sheets in by_file.items():
        real = Path(os.path.realpath(resolve(file)))  # a symlink: patch its target, keep the link
        edits = [SheetEdit(name, cells, rows) for name, (cells, rows) in sheets.items()]
        for name, (cells, rows) in sheets.items():
            for value in [*cells.values(), *(v for r in rows for v in r.values())]:
                if isinstance(value, str) and len(value) > MAX_TEXT:
                    raise LedgerError(
                        str(real),
                        f"「{name}」表要写入的内容超过 Excel 单元格上限 {MAX_TEXT} 个字符(「{value[:30]}…」)",
                        f"a value for sheet '{name}' is longer than Excel's {MAX_TEXT} characters",
                    )
        try:
            results.append(write_back_many(real, edits))
        except (ValueError, OverflowError) as exc:
            raise LedgerError(
                str(real),
                f"无法写回:{_why_zh(exc)}",
                f"cannot write back: {exc}",
            ) from exc
    return results


def _why_zh(exc: Exception) -> str:
    text = str(exc)
    if "row out of range" in text:
        return (
            "新行会超出 Excel 的最后一行 1048576(表的最后几行、例如第 1048576 行,有内容?"
            "请删除远处的零散内容后重试)"
        )
    if "longer than" in text:
        return f"内容超过 Excel 单元格上限 {MAX_TEXT} 个字符"
    if "column" in text:
        return "列超出 Excel 的范围"
    return text
