"""``gendan.toml``: where the parts of a ledger are (and, for batch runs, what to
produce). Validated with pydantic; a bad key or value becomes one clear line
naming the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from gendan_xl.model import LedgerError

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
    settings: str | None = None


class LedgerConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    ledger: LedgerParts
    settings: dict[str, object] = {}


def load_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise LedgerError(str(path), f"无法读取配置文件({exc.strerror})", f"cannot read config ({exc.strerror})") from exc
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
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip().startswith(key) or line.strip().startswith(f'"{key}"'):
                return n
    except OSError:
        return None
    return None


def load_ledger_config(path: Path) -> LedgerConfig:
    data = load_toml(path)
    try:
        return LedgerConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_message(path, exc) from exc
