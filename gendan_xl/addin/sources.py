"""Where the add-in's inputs come from: ``macros/`` and the installed xlwings' VBA.

Nothing here imports xlwings (only ``gendan_xl.excel`` may): the xlwings package
folder is found with ``importlib.util.find_spec`` and its version read from the
installed distribution's metadata.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
from pathlib import Path

# The name white-labels xlwings' custom add-in module: its config sheet is
# ``gendan_xl.conf`` and its user config ``%USERPROFILE%\.gendan_xl\gendan_xl.conf``.
ADDIN_PROJECT_NAME = "gendan_xl"
XLWINGS_ADDIN_BAS = "xlwings_custom_addin.bas"
_PROJECT_NAME_LINE = re.compile(r'^(Public Const PROJECT_NAME As String = )"myaddin"$', re.M)
_VERSION_CONST = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)
_VERSION_COMMENT = re.compile(r"^'Version: (\S+)", re.M)


class AddinError(RuntimeError):
    """The add-in cannot be built or installed; the message is for the clerk."""


class AddinSourceError(AddinError):
    """An input of the add-in build is missing or does not match."""


def macros_dir() -> Path:
    """The folder holding the ``.bas`` modules and ``customUI14.xml``.

    ``GENDAN_MACROS_DIR`` wins; then ``gendan_xl/addin/macros`` (if a wheel ships
    them there); then the repository's ``macros/`` next to the package.
    """
    candidates = []
    if os.environ.get("GENDAN_MACROS_DIR"):
        candidates.append(Path(os.environ["GENDAN_MACROS_DIR"]))
    here = Path(__file__).resolve().parent
    candidates += [here / "macros", here.parents[1] / "macros"]
    for candidate in candidates:
        if (candidate / "customUI14.xml").is_file():
            return candidate
    raise AddinSourceError(
        "找不到宏源文件目录 macros/（需要 customUI14.xml 和 .bas 文件）。"
        " Macro sources not found; set GENDAN_MACROS_DIR. Looked in: "
        + ", ".join(str(c) for c in candidates)
    )


def bas_files(macros: Path | None = None) -> list[Path]:
    """The ``.bas`` modules of ``macros/``, sorted by name."""
    return sorted((macros or macros_dir()).glob("*.bas"))


def read_bas(path: Path) -> str:
    """A ``.bas`` file as text (UTF-8 in the repository; a BOM is dropped)."""
    return path.read_text(encoding="utf-8-sig")


def xlwings_version() -> str:
    """Version of the installed xlwings distribution."""
    try:
        return importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError as exc:
        raise AddinSourceError("未安装 xlwings。 xlwings is not installed.") from exc


def xlwings_package_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise AddinSourceError("未安装 xlwings。 xlwings is not installed.")
    return Path(spec.origin).parent


def xlwings_vba_version(source: str) -> str:
    """The xlwings version a VBA module declares (both places must agree)."""
    const = _VERSION_CONST.search(source)
    comment = _VERSION_COMMENT.search(source)
    if not const or not comment or const.group(1) != comment.group(1):
        raise AddinSourceError("xlwings VBA module: version declaration not found or inconsistent")
    return const.group(1)


def xlwings_module_source(project_name: str = ADDIN_PROJECT_NAME) -> str:
    """xlwings' custom add-in VBA module, named for this add-in, version-checked.

    xlwings ships ``xlwings_custom_addin.bas`` (BSD-3-Clause; its licence text is
    kept in the module) for white-labelled add-ins: it reads its settings from a
    ``<PROJECT_NAME>.conf`` sheet and file, and ``Book.caller()`` is the active
    workbook, not the add-in. Its DLL and Python side must be the same version.
    Returned with LF line ends, like every module source before it is written.
    """
    path = xlwings_package_dir() / XLWINGS_ADDIN_BAS
    if not path.is_file():
        raise AddinSourceError(f"xlwings VBA module missing: {path}")
    source = path.read_text(encoding="ascii").replace("\r\n", "\n")
    installed = xlwings_version()
    declared = xlwings_vba_version(source)
    if declared != installed:
        raise AddinSourceError(
            f"xlwings 的 VBA 模块版本 ({declared}) 与已安装的 xlwings ({installed}) 不一致。"
            f" xlwings VBA module {declared} does not match installed xlwings {installed}."
        )
    source, count = _PROJECT_NAME_LINE.subn(lambda m: f'{m.group(1)}"{project_name}"', source)
    if count != 1:
        raise AddinSourceError("xlwings VBA module: PROJECT_NAME constant not found")
    return source
