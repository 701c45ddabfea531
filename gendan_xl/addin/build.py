"""Build ``gendan_xl.xlam`` from text on any OS, and install it on Windows.

The add-in's VBA project is, in this order:

- ``ThisWorkbook`` and ``Sheet1``: document modules matching the workbook's code
  names; ``ThisWorkbook.Workbook_Open`` registers the functions' wizard help;
- every ``macros/*.bas`` (the ribbon callback ``GendanButton``, ``GendanSelfTest``,
  and ``GendanErrors``, which turns error texts into real Excel error values);
- ``xlwings``: the custom add-in module shipped in the installed xlwings package,
  version-checked and named for this add-in (settings sheet ``gendan_xl.conf``);
- ``xlwings_udfs``: VBA wrappers of the ``@xw.func`` functions of
  ``gendan_xl.excel.udfs``, generated from its source (skipped while that module
  does not exist);
- ``GendanFunctionHelp``: ``GendanRegisterFunctions``, the description, argument
  help and category of each function for Excel's function wizard, in the build's
  language (``lang``: Chinese by default, ``en`` for English).

Public API: ``build_addin(out)`` and ``install_addin()``; both raise ``AddinError``
(message Chinese first, then English) when they cannot do their job.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gendan_xl.addin import cfb, ovba, package, udf_vba
from gendan_xl.addin.ribbon import ribbon_path
from gendan_xl.addin.sources import (
    ADDIN_PROJECT_NAME,
    AddinError,
    bas_files,
    macros_dir,
    read_bas,
    xlwings_module_source,
)
from gendan_xl.files import replacing

ADDIN_FILE_NAME = "gendan_xl.xlam"
VBA_PROJECT_NAME = "GendanXL"
UDF_MODULE = "gendan_xl.excel.udfs"
CONFIG_SHEET = f"{ADDIN_PROJECT_NAME}.conf"
SHEET_CODE_NAME = "Sheet1"


@dataclass(frozen=True)
class AddinContents:
    """What goes into the add-in, before it is serialised."""

    project: ovba.VBAProject
    customui_xml: bytes
    config_rows: tuple[tuple[str, str], ...]


def config_rows() -> tuple[tuple[str, str], ...]:
    """The add-in's own xlwings settings (sheet ``gendan_xl.conf``, keys in column A).

    The interpreter is per PC, so it is not here: ``install_addin`` writes it to
    the user config file, which this sheet would otherwise override.
    """
    return (("UDF Modules", UDF_MODULE),)


def udf_wrapper_module(module_name: str = UDF_MODULE) -> ovba.VBAModule | None:
    """The generated ``xlwings_udfs`` module, or None when the UDF module is absent."""
    modules = udf_modules(module_name)
    return modules[0] if modules else None


def udf_modules(module_name: str = UDF_MODULE, lang: str = "zh") -> list[ovba.VBAModule]:
    """The generated ``xlwings_udfs`` and ``GendanFunctionHelp`` modules (none when
    the UDF module is absent)."""
    path = udf_vba.module_source_file(module_name)
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
        sources = [
            udf_vba.udf_module_source(module_name, text),
            udf_vba.help_module_source(text, lang),
        ]
    except (udf_vba.UdfSourceError, SyntaxError) as exc:
        raise AddinError(
            f"无法为 {module_name} 的 Excel 函数生成 VBA：{exc}"
            f" Cannot generate VBA wrappers for {module_name}: {exc}"
        ) from exc
    return [ovba.standard_module(source) for source in sources]


def addin_contents(
    macros: Path | None = None,
    udf_module: str | None = UDF_MODULE,
    include_xlwings: bool = True,
    lang: str = "zh",
) -> AddinContents:
    """Collect the modules, ribbon and settings from ``macros/`` and xlwings.

    ``include_xlwings=False`` leaves out xlwings' module, for tests only:
    LibreOffice's Basic has no VBA conditional compilation (``#If``), so it cannot
    compile that module, and it compiles a project as a whole before running any
    macro in it.
    """
    macros = macros or macros_dir()
    modules = [
        ovba.document_module(
            "ThisWorkbook", ovba.WORKBOOK_BASE, udf_vba.WORKBOOK_OPEN if udf_module else ""
        ),
        ovba.document_module(SHEET_CODE_NAME, ovba.WORKSHEET_BASE),
    ]
    for path in bas_files(macros):
        try:
            modules.append(ovba.standard_module(read_bas(path)))
        except (ValueError, UnicodeDecodeError) as exc:
            raise AddinError(
                f"宏文件 {path.name} 无效：{exc} Invalid macro file {path.name}."
            ) from exc
    if include_xlwings:
        modules.append(ovba.standard_module(xlwings_module_source(ADDIN_PROJECT_NAME)))
    if udf_module:
        generated = udf_modules(udf_module, lang)
        modules += generated
        if not generated:  # nothing to register: ThisWorkbook stays empty
            modules[0] = ovba.document_module("ThisWorkbook", ovba.WORKBOOK_BASE)
    project = ovba.VBAProject(name=VBA_PROJECT_NAME, modules=modules, codepage=936)
    return AddinContents(
        project=project,
        customui_xml=ribbon_path(macros).read_bytes(),
        config_rows=config_rows(),
    )


def vba_project_bin(project: ovba.VBAProject) -> bytes:
    """The project as a ``vbaProject.bin`` compound file."""
    return cfb.write_compound_file(project.streams())


def build_addin(out: Path, macros: Path | None = None, lang: str = "zh") -> Path:
    """Write the add-in to ``out`` (a file, or a folder to hold ``gendan_xl.xlam``).

    ``lang``: the language of the function wizard's help (``zh`` or ``en``).
    Written to a temporary file first and renamed, so a half-written add-in
    never replaces a good one. Returns the path written.
    """
    return write_addin(addin_contents(macros, lang=lang), out)


def write_addin(contents: AddinContents, out: Path) -> Path:
    """Serialise ``contents`` as an ``.xlam`` at ``out`` (see ``build_addin``)."""
    out = Path(out)
    if out.is_dir():
        out = out / ADDIN_FILE_NAME
    data = package.write_xlam(
        vba_project_bin(contents.project),
        contents.customui_xml,
        CONFIG_SHEET,
        [list(row) for row in contents.config_rows],
        title="跟单助手 gendan_xl",
    )
    with replacing(out) as tmp:
        tmp.write_bytes(data)
    return out


# --------------------------------------------------------------------------
# install (Windows)
# --------------------------------------------------------------------------


def user_config_text(python: str, udf_module: str = UDF_MODULE) -> str:
    """The user config file in the format xlwings' VBA reads (``Input #``: quoted CSV)."""
    return f'"INTERPRETER_WIN","{python}"\r\n"UDF MODULES","{udf_module}"\r\n'


def install_targets(appdata: Path, userprofile: Path) -> tuple[Path, Path]:
    """Where the add-in and the config go: Excel's per-user XLSTART, xlwings' user config."""
    addin = appdata / "Microsoft" / "Excel" / "XLSTART" / ADDIN_FILE_NAME
    config = userprofile / f".{ADDIN_PROJECT_NAME}" / f"{ADDIN_PROJECT_NAME}.conf"
    return addin, config


def _install(appdata: Path, userprofile: Path, python: str) -> str:
    addin, config = install_targets(appdata, userprofile)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            built = build_addin(Path(tmp) / ADDIN_FILE_NAME)
            addin.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built, addin)
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            user_config_text(python), encoding="mbcs" if sys.platform == "win32" else "utf-8"
        )
    except PermissionError as exc:
        raise AddinError(
            f"无法写入 {exc.filename}：请先关闭 Excel 再安装。"
            f" Cannot write {exc.filename}: close Excel and try again."
        ) from exc
    return (
        f"已安装跟单助手加载项：{addin}\n"
        f"Python 解释器设置已写入：{config}\n"
        "请重新启动 Excel，功能区会出现“跟单助手”选项卡。\n"
        f"Installed the add-in to {addin} and the xlwings settings (interpreter {python}) "
        f"to {config}. Restart Excel to see the 跟单助手 tab."
    )


def install_plan() -> str:
    """What ``install_addin`` does, in words (shown where it cannot run)."""
    return (
        "在 Windows 上，本命令会：1) 生成 gendan_xl.xlam 并复制到 "
        "%APPDATA%\\Microsoft\\Excel\\XLSTART（Excel 启动时自动加载）；"
        "2) 把当前 Python 解释器写入 %USERPROFILE%\\.gendan_xl\\gendan_xl.conf"
        "（INTERPRETER_WIN），供 xlwings 调用。"
        " On Windows this copies gendan_xl.xlam to Excel's XLSTART folder and writes "
        "the current Python interpreter to %USERPROFILE%\\.gendan_xl\\gendan_xl.conf."
    )


def install_addin() -> str:
    """Install the add-in for this Windows user; returns a message for the clerk.

    Raises ``AddinError`` off Windows (saying what it would do) or when a file
    cannot be written (Excel still open).
    """
    if sys.platform != "win32":
        raise AddinError(
            "“gendan addin install”只能在 Windows 上运行（Excel 桌面版 + xlwings）。"
            "可以在任何系统上用“gendan addin build”生成加载项后复制到 Windows 电脑。"
            " 'gendan addin install' runs on Windows only. " + install_plan()
        )
    appdata = os.environ.get("APPDATA")
    userprofile = os.environ.get("USERPROFILE")
    if not appdata or not userprofile:
        raise AddinError("找不到 APPDATA 或 USERPROFILE 环境变量。 APPDATA/USERPROFILE not set.")
    return _install(Path(appdata), Path(userprofile), sys.executable)
