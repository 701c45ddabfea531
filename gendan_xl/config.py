"""``gendan.toml``: where the parts of a ledger are (and, for batch runs, what to
produce). Validated with pydantic; a bad key or value becomes one clear line
naming the key."""

from __future__ import annotations

import codecs
import glob
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from pydantic import BaseModel, ConfigDict, ValidationError

from gendan_xl.model import LedgerError
from gendan_xl.schema import OUTPUT_STEMS

CONFIG_NAME = "gendan.toml"


class LedgerParts(BaseModel):
    """Paths relative to the config's folder. ``workbook`` holds every sheet not
    named separately; any table may live in its own file, or (daily reports) in a
    glob of many files."""

    model_config = ConfigDict(extra="forbid")

    workbook: str | None = None
    orders: str | None = None
    items: str | None = None
    lines: str | None = None
    calendar: str | None = None
    work_orders: str | None = None
    daily: str | None = None
    shipments: str | None = None
    customers: str | None = None
    receipts: str | None = None
    settings: str | None = None
    # materials (optional sheets)
    bom: str | None = None
    materials: str | None = None
    purchases: str | None = None
    requisitions: str | None = None
    supplier_prices: str | None = None
    # customer forecasts (optional sheet)
    forecasts: str | None = None
    # outsourcing lots (optional sheet)
    outsourcing: str | None = None
    # quality holds (optional sheet)
    quality: str | None = None
    # samples, complaints, satisfaction, finished-goods opening stock (optional sheets)
    samples: str | None = None
    complaints: str | None = None
    satisfaction: str | None = None
    opening_stock: str | None = None


class LedgerConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    ledger: LedgerParts
    settings: dict[str, object] = {}

    @property
    def output_folder(self) -> str:
        """Where batch writes (its outputs are never read back as ledger parts)."""
        output = (self.model_extra or {}).get("output")
        folder = output.get("folder") if isinstance(output, dict) else None
        return folder if isinstance(folder, str) and folder else DEFAULT_OUTPUT_FOLDER


def read_config_text(path: Path) -> str:
    """The text of a config file saved by any Windows editor: UTF-8 with or without
    BOM, UTF-16 with BOM (Notepad's "Unicode") or GBK (Notepad's "ANSI" on a Chinese
    PC). Anything else is a clear error, never a decoding traceback."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LedgerError(
            str(path), f"无法读取配置文件({exc.strerror or exc})", f"cannot read config ({exc.strerror or exc})"
        ) from exc
    return decode_config(raw, str(path))


def decode_config(raw: bytes, where: str) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gbk"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 without a BOM decodes as text full of NULs
            return text
    raise LedgerError(
        where,
        "配置文件编码无法识别:请用记事本另存为 UTF-8 编码",
        "config encoding not recognised: save it as UTF-8 (UTF-16 with BOM or GBK also work)",
    )


def load_toml(path: Path) -> dict[str, object]:
    text = read_config_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LedgerError(str(path), f"配置文件格式错误:{exc}", f"config is not valid TOML: {exc}") from exc


def validation_message(path: Path, exc: ValidationError) -> LedgerError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    line = _line_of(path, str(err["loc"][-1]))
    where = f"第 {line} 行 " if line else ""
    return LedgerError(
        str(path),
        f"配置项「{key}」{where}有误:{err['msg']}",
        f"config key '{key}'{f' (line {line})' if line else ''}: {err['msg']}",
    )


def _line_of(path: Path, key: str) -> int | None:
    try:
        text = read_config_text(path)
    except LedgerError:
        return None
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key) or line.strip().startswith(f'"{key}"'):
            return n
    return None


def load_ledger_config(path: Path) -> LedgerConfig:
    data = load_toml(path)
    try:
        config = LedgerConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_message(path, exc) from exc
    check_config_paths(path, {**ledger_paths(config.ledger), "output.folder": config.output_folder})
    return config


def ledger_paths(parts: LedgerParts) -> dict[str, object]:
    return {f"ledger.{k}": v for k, v in parts.model_dump().items()}


# ------------------------------------------------------------------ paths stay in the folder

DEFAULT_OUTPUT_FOLDER = "输出"  # batch's output folder when [output] does not name one

# Names gendan gives what it writes, so a glob over a folder never reads them back:
# write-back backups, temporaries of a running or killed write, and dated outputs.
_BACKUP_NAME = re.compile(r"\.bak-\d{8}-\d{6}(?:-\d+)?(?:\.[^.]*)?$", re.IGNORECASE)
# stem[_customer]_(YYYYMMDD|YYYY-MM)[_first number][ (n)].xlsx, or stem_重印_number.xlsx
_OUTPUT_NAME = re.compile(
    r"^(?:" + "|".join(re.escape(stem) for stem in OUTPUT_STEMS.values()) + r")"
    r"(?:(?:_[^_]+)?_(?:\d{8}|\d{4}-\d{2})(?:_[^_.]+)?|_重印_[^_.]+)"
    r"(?:[-_ ]?[(（]?\d{1,3}[)）]?)?\.xlsx$",
    re.IGNORECASE,
)


def is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def path_refusal(value: str) -> tuple[str, str] | None:
    """Why a gendan.toml path is refused (zh, en), or None: it must be relative and
    must not climb out with ``..`` (checked for both Windows and POSIX spelling)."""
    win = PureWindowsPath(value)
    if win.drive or win.root or PurePosixPath(value).is_absolute():
        return "不能是绝对路径", "must not be an absolute path"
    if ".." in win.parts:
        return "不能含 ..(不能指向上级文件夹)", "must not contain .."
    return None


def refuse_path(cfg_path: Path | None, key: str, value: str, zh: str, en: str) -> LedgerError:
    line = _line_of(cfg_path, key.rsplit(".", 1)[-1]) if cfg_path is not None else None
    where = f"(第 {line} 行)" if line else ""
    return LedgerError(
        str(cfg_path) if cfg_path is not None else value,
        f"配置项「{key}」{where}的路径必须在本文件夹内,{zh}:{value}",
        f"config key '{key}'{f' (line {line})' if line else ''} must name a path inside the folder; {en}: {value}",
    )


def check_config_paths(cfg_path: Path, paths: dict[str, object]) -> None:
    """Refuse (exit 2, naming the key) any absolute or ``..`` path among ``{key: value}``."""
    for key, value in paths.items():
        if isinstance(value, str) and value:
            why = path_refusal(value)
            if why is not None:
                raise refuse_path(cfg_path, key, value, *why)


def inside(base: Path, path: Path) -> bool:
    """``path`` resolves (symlinks included) to somewhere inside ``base``."""
    try:
        return path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


@dataclass(frozen=True)
class Skipped:
    """A file a glob matched but gendan does not read."""

    path: Path
    kind: str  # "open" (an Excel owner file ~$...), "temp", "backup", "output"
    owner: str | None = None

    def describe(self) -> tuple[str, str]:
        if self.kind == "open":
            who = self.owner or "?"
            return f"正被 {who} 打开(Excel 占用标记文件,已跳过)", f"open by {who} (Excel owner file, skipped)"
        return {
            "temp": ("临时文件,已跳过", "temporary file, skipped"),
            "backup": ("gendan 写回前的备份,已跳过", "gendan write-back backup, skipped"),
            "output": ("gendan 的输出文件,已跳过", "a gendan output, skipped"),
        }[self.kind]


@dataclass
class PartFiles:
    key: str
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def skip_kind(path: Path, outputs: Path | None = None) -> str | None:
    """Why a file matched by a glob is not a ledger part, or None when it is one."""
    name = path.name
    if name.startswith("~$"):
        return "open"
    if name.startswith((".~", ".gendan")) or name.lower().endswith((".tmp", ".part")):
        return "temp"
    if _BACKUP_NAME.search(name):
        return "backup"
    if _OUTPUT_NAME.match(name) or (outputs is not None and inside(outputs, path)):
        return "output"
    return None


def part_files(base: Path, key: str, pattern: str, outputs: Path | None = None) -> PartFiles:
    """The files one ``[ledger]`` entry names, each resolving inside ``base``. A glob
    skips Excel owner files, temporaries, gendan's backups and outputs."""
    found = PartFiles(key)
    why = path_refusal(pattern)
    if why is not None:
        raise refuse_path(None, f"ledger.{key}", pattern, *why)
    if is_glob(pattern):
        candidates = [base / p for p in sorted(glob.glob(pattern, root_dir=base))]
    else:
        candidates = [base / pattern]
    for path in candidates:
        if not inside(base, path):
            raise refuse_path(None, f"ledger.{key}", pattern, "经链接指向了文件夹之外", "it leads outside through a link")
        if not is_glob(pattern):
            found.files.append(path)
            continue
        if not path.is_file():
            continue
        kind = skip_kind(path, outputs)
        if kind is None:
            found.files.append(path)
        else:
            found.skipped.append(Skipped(path, kind, owner_name(path) if kind == "open" else None))
    return found


def owner_name(owner_file: Path) -> str:
    """The user name in an Excel owner file (``~$name.xlsx``): a length byte, then the
    name in the PC's ANSI code page (GBK on a Chinese Windows)."""
    try:
        raw = owner_file.read_bytes()[:200]
    except OSError:
        return "?"
    size = raw[0] if raw else 0
    data = raw[1 : 1 + size]
    try:
        name = data.decode("gbk")
    except UnicodeDecodeError:
        name = data.decode("latin-1")
    return name.strip("\x00 ") or "?"


def owner_of(path: Path) -> str | None:
    """Who has a workbook open in Excel: the ``~$name`` owner file beside it (Excel
    drops the first two characters of a long name)."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.is_file():
            return owner_name(candidate)
    return None
