"""Read a ledger: one workbook, or parts named in a ``gendan.toml``.

``read_ledger`` is the only entry point the rest of the engine uses. It returns
a ``Ledger`` whose ``issues`` hold everything found while reading (missing
sheets and columns, values that do not parse, Excel errors ...). It raises
``LedgerError`` only when the ledger cannot be used at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

import pandas as pd

from gendan_xl.config import CONFIG_NAME, LedgerConfig, load_ledger_config, owner_of, part_files
from gendan_xl.ledger import ROW, SRC, Ledger, Source, Table, make_table
from gendan_xl.model import CellRef, Issue, LedgerError, make_issue
from gendan_xl.read.tables import HeaderMatch, find_header, read_table
from gendan_xl.read.workbook import Book, GridBook, open_book
from gendan_xl.schema import SETTING_INDEX, SHEET_BY_KEY, SHEETS, match_sheet, normalize
from gendan_xl.settings import parse_settings

__all__ = ["read_grids", "read_ledger", "resolve_ledger"]


def resolve_ledger(target: Path) -> tuple[Path | None, LedgerConfig | None]:
    """A workbook path, or a folder / ``gendan.toml`` naming the parts."""
    if target.is_dir():
        cfg = target / CONFIG_NAME
        if not cfg.exists():
            raise LedgerError(
                str(target), f"文件夹中没有 {CONFIG_NAME}", f"no {CONFIG_NAME} in this folder"
            )
        return None, load_ledger_config(cfg)
    if target.suffix.lower() == ".toml":
        return None, load_ledger_config(target)
    return target, None


def read_grids(
    name: str, sheets: dict[str, tuple[list[list[object]], int, int]], as_of: date
) -> Ledger:
    """A ledger from value grids (a live workbook): ``{sheet: (rows, top_row, left_col)}``."""
    reader = _Reader(as_of)
    reader.read_book(GridBook(name, sheets), name)
    return reader.ledger(name, None)


def read_ledger(
    target: Path, as_of: date, settings: Mapping[str, object] | None = None, *, shown_as: Path | None = None
) -> Ledger:
    """Read a ledger. ``settings`` override the 设置 sheet (and gendan.toml's [settings]).

    ``shown_as``: the ledger's real path when ``target`` is a copy of it (batch reads
    a snapshot): the ledger's name and every message then name the real files, never
    the copy."""
    workbook, config = resolve_ledger(target)
    reader = _Reader(as_of)
    shown = (lambda p: shown_as / p.relative_to(target)) if shown_as is not None else (lambda p: p)
    try:
        if config is None:
            assert workbook is not None
            reader.read_workbook(workbook, str(shown(workbook)))
            name = str(shown(workbook))
        else:
            base = target if target.is_dir() else target.parent
            reader.read_config(config, base)
            name = str(shown(target))
    except LedgerError as exc:
        if shown_as is None or str(target) not in exc.path:
            raise
        raise LedgerError(exc.path.replace(str(target), str(shown_as)), exc.reason_zh, exc.reason_en) from exc
    # A sheet named like a ledger sheet whose header was not found is a finding
    # (missing-column), not an unusable file.
    if not reader.frames and not reader.issues:
        raise LedgerError(
            reader.main_file or name,
            "没有可识别的工作表(需要 订单/产品/产线/工单/生产日报/出货 等)",
            "no recognisable sheet (expected 订单/Orders, 产品/Items, ...)",
        )
    return reader.ledger(name, config, settings)


class _Reader:
    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.frames: dict[str, list[tuple[pd.DataFrame, Source]]] = {}
        self.issues: list[Issue] = []
        self.files: list[str] = []
        self.main_file = ""

    def _add(self, key: str, book: Book, sheet: str, header: HeaderMatch | None = None) -> None:
        spec = SHEET_BY_KEY[key]
        src = len(self.frames.get(key, []))
        frame, source, issues = read_table(book, sheet, spec, self.as_of, src, header)
        self.issues += issues
        if frame is not None and source is not None:
            self.frames.setdefault(key, []).append((frame, source))

    def read_workbook(self, path: Path, display: str, only: Iterable[str] | None = None) -> None:
        self.read_book(open_book(path, display), display, only)

    def read_book(self, book: Book, display: str, only: Iterable[str] | None = None) -> None:
        self.files.append(display)
        self.main_file = self.main_file or display
        wanted = set(only) if only is not None else None
        try:
            # Headers first (cheap: the first rows), so every sheet's load can be
            # asked for at once and run beside the parsing of the ones before it.
            todo: list[tuple[str, str, HeaderMatch | None]] = []
            planned: set[str] = set()
            for sheet in book.sheet_names:
                key = match_sheet(sheet)
                if key is None or (wanted is not None and key not in wanted) or key in self.frames:
                    continue
                header = find_header(book.head(sheet), SHEET_BY_KEY[key])
                todo.append((key, sheet, header))
                if header is not None and key not in planned:
                    planned.add(key)
                    book.prefetch(sheet, header.row, header.picks)
            for key, sheet, header in todo:
                if key not in self.frames:
                    self._add(key, book, sheet, header)
        finally:
            book.close()

    def read_part(self, key: str, path: Path, display: str) -> None:
        """A file holding one table: the sheet named for it, else the first whose
        header row names the table's required columns."""
        try:
            book = open_book(path, display)
        except LedgerError as exc:
            if key == "daily":  # one bad file among many reports: say so, go on
                self.issues.append(
                    make_issue("unreadable-file", CellRef(file=display, sheet=""), reason=exc.reason_zh)
                )
                return
            raise
        self.files.append(display)
        try:
            spec = SHEET_BY_KEY[key]
            named = [s for s in book.sheet_names if match_sheet(s) == key]
            for sheet in named or book.sheet_names:
                header = find_header(book.head(sheet), spec)
                if header is not None and (named or header.covers(spec)):
                    src = len(self.frames.get(key, []))
                    frame, source, issues = read_table(book, sheet, spec, self.as_of, src, header)
                    self.issues += issues
                    if frame is not None and source is not None:
                        self.frames.setdefault(key, []).append((frame, source))
                    return
            self.issues.append(
                make_issue(
                    "missing-sheet",
                    CellRef(file=display, sheet=spec.name),
                    sheet_name=spec.name,
                    aliases="、".join(spec.aliases[:4]),
                )
            )
        finally:
            book.close()

    def read_config(self, config: LedgerConfig, base: Path) -> None:
        parts = config.ledger
        outputs = base / config.output_folder
        for spec in SHEETS:
            pattern = getattr(parts, spec.key)
            if not pattern:
                continue
            paths = self._part_files(base, spec.key, pattern, outputs)
            if not paths and spec.key == "daily":
                continue
            if not paths:
                raise LedgerError(str(base / pattern), "文件不存在", "file not found")
            for p in paths:
                self.read_part(spec.key, p, _display(p, base))
        if parts.workbook:
            named = {s.key for s in SHEETS if getattr(parts, s.key)}
            files = self._part_files(base, "workbook", parts.workbook, outputs)
            path = files[0] if files else base / parts.workbook
            self.read_workbook(path, _display(path, base), only={s.key for s in SHEETS} - named)

    def _part_files(self, base: Path, key: str, pattern: str, outputs: Path) -> list[Path]:
        """The files of one config entry (inside ``base``; globs skip owner files,
        temporaries, backups and gendan's outputs); a file open in Excel is noted."""
        found = part_files(base, key, pattern, outputs)
        for path in found.files:
            owner = owner_of(path)
            if owner is not None:
                self.issues.append(
                    make_issue("file-open", CellRef(file=_display(path, base), sheet=""), _display(path, base), owner=owner)
                )
        return found.files

    def ledger(
        self, name: str, config: LedgerConfig | None, overrides: Mapping[str, object] | None = None
    ) -> Ledger:
        tables = {spec.key: make_table(spec.key, self.frames.get(spec.key, [])) for spec in SHEETS}
        for spec in SHEETS:
            if spec.required and not tables[spec.key].present:
                self.issues.append(
                    make_issue(
                        "missing-sheet",
                        CellRef(file=self.main_file or name, sheet=spec.name),
                        sheet_name=spec.name,
                        aliases="、".join(spec.aliases[:4]),
                    )
                )
        settings, refs = _settings(tables["settings"], self.issues)
        for extra in (config.settings if config is not None else {}, overrides or {}):
            for label, value in extra.items():
                key = SETTING_INDEX.get(normalize(label), label)
                if value is not None:
                    settings[key] = value
                    refs.pop(key, None)
        options, issues = parse_settings(settings, refs)
        self.issues += issues
        return Ledger(
            name=name, tables=tables, settings=settings, issues=self.issues, files=self.files, options=options
        )


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _settings(table: Table, issues: list[Issue]) -> tuple[dict[str, object], dict[str, CellRef]]:
    """The 设置 sheet's values by setting key, and the cell each was written in."""
    out: dict[str, object] = {}
    refs: dict[str, CellRef] = {}
    for rec in table.df.to_dict("records"):
        label = rec.get("key")
        if not isinstance(label, str):
            continue
        key = SETTING_INDEX.get(normalize(label))
        if key is None:
            issues.append(make_issue("bad-setting", table.ref(int(rec[SRC]), int(rec[ROW]), "key"), label))
            continue
        out[key] = rec.get("value")
        refs[key] = table.ref(int(rec[SRC]), int(rec[ROW]), "value")
    return out, refs
