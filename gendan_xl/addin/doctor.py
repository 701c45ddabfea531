"""`gendan addin doctor`: why does a button do nothing on this PC?

Each check prints ✓ (fine), ✗ (broken, with the fix) or – (cannot be checked
here, with why), Chinese first. What it looks at:

- Python: version (3.11 or newer) and the interpreter's path;
- xlwings: the installed version against the one the add-in's VBA is pinned to;
- gendan_xl: its Excel modules import (the UDF server and the ribbon load them);
- the add-in builds from this installation;
- the xlwings settings file ``%USERPROFILE%\\.gendan_xl\\gendan_xl.conf``: present,
  its ``INTERPRETER_WIN`` exists, its ``UDF Modules`` names gendan's functions;
- the add-in in Excel's XLSTART folder, byte for byte the one this installation
  builds (so it matches the installed gendan_xl and xlwings);
- Windows only: the xlwings DLL beside the configured interpreter (where xlwings'
  VBA loads it from), and the Trust Center settings that block the add-in
  (registry, Office 16.0: ``VBAWarnings``, ``RequireAddinSig``).

Everything outside Python goes through ``System`` (files, environment, registry,
the build), so tests replace it and reach every branch on any OS.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from gendan_xl.addin.build import (
    ADDIN_FILE_NAME,
    UDF_MODULE,
    AddinError,
    build_addin,
    install_targets,
)

XLWINGS_PINNED = "0.37.8"  # pyproject.toml pins this; the add-in's VBA is this version's
MIN_PYTHON = (3, 11)
EXCEL_MODULES = ("gendan_xl.excel.udfs", "gendan_xl.excel.buttons")
SECURITY_KEY = r"Software\Microsoft\Office\16.0\Excel\Security"
OK, FAIL, SKIP = "ok", "fail", "skip"
MARKS = {OK: "✓", FAIL: "✗", SKIP: "–"}
ON_WINDOWS_ONLY = ("仅能在 Windows 上检查", "can only be checked on Windows")


@dataclass(frozen=True)
class Finding:
    """One check: status, what was found (Chinese, English), the fix when broken."""

    status: str
    zh: str
    en: str
    fix_zh: str = ""
    fix_en: str = ""

    def lines(self, lang: str = "zh") -> list[str]:
        first, second = (self.en, self.zh) if lang == "en" else (self.zh, self.en)
        out = [f"{MARKS[self.status]} {first} / {second}"]
        if self.fix_zh:
            fix = (
                f"Fix: {self.fix_en} / 解决:{self.fix_zh}"
                if lang == "en"
                else f"解决:{self.fix_zh} / Fix: {self.fix_en}"
            )
            out.append("    " + fix)
        return out


class System:
    """The PC as the doctor sees it. Tests subclass it."""

    @property
    def platform(self) -> str:
        return sys.platform

    @property
    def executable(self) -> str:
        return sys.executable

    @property
    def python_version(self) -> tuple[int, int, int]:
        return sys.version_info[0], sys.version_info[1], sys.version_info[2]

    @property
    def environ(self) -> Mapping[str, str]:
        return os.environ

    def home(self) -> Path:
        return Path.home()

    def is_file(self, path: Path) -> bool:
        try:
            return path.is_file()
        except OSError:
            return False

    def read_bytes(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None

    def distribution_version(self, name: str) -> str | None:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return None

    def import_problem(self, module: str) -> str | None:
        """None when ``module`` imports, else the reason in one line."""
        try:
            importlib.import_module(module)
        except Exception as exc:  # anything that would stop Excel's Python
            return f"{type(exc).__name__}: {exc}"
        return None

    def built_addin(self) -> bytes:
        """The add-in this installation builds (raises AddinError)."""
        with tempfile.TemporaryDirectory() as tmp:
            return build_addin(Path(tmp) / ADDIN_FILE_NAME).read_bytes()

    def registry_dword(self, key: str, name: str) -> int | None:
        """A DWORD under HKEY_CURRENT_USER, None when absent (Windows only)."""
        import winreg  # type: ignore[import-not-found,unused-ignore]

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:  # type: ignore[attr-defined,unused-ignore]
                value, _kind = winreg.QueryValueEx(handle, name)  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            return None
        return int(value) if isinstance(value, int) else None


def profile_dirs(system: System) -> tuple[Path, Path]:
    """(APPDATA, USERPROFILE), from the environment, else where Windows puts them
    under the home folder (so a copied profile can be checked anywhere)."""
    home = system.home()
    env = system.environ
    userprofile = Path(env["USERPROFILE"]) if env.get("USERPROFILE") else home
    appdata = Path(env["APPDATA"]) if env.get("APPDATA") else userprofile / "AppData" / "Roaming"
    return appdata, userprofile


def read_user_config(data: bytes) -> dict[str, str]:
    """xlwings' user config (``"KEY","value"`` lines, as ``install`` writes them),
    keys upper-cased."""
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text:
        text = data.decode("gbk", errors="replace")
    found: dict[str, str] = {}
    for line in text.splitlines():
        parts = [p.strip().strip('"') for p in line.split(",", 1)]
        if len(parts) == 2 and parts[0]:
            found[parts[0].upper()] = parts[1]
    return found


def _python(system: System) -> Finding:
    version = ".".join(map(str, system.python_version))
    if system.python_version[:2] >= MIN_PYTHON:
        return Finding(OK, f"Python {version}:{system.executable}", f"Python {version}: {system.executable}")
    return Finding(
        FAIL,
        f"Python {version} 太旧:{system.executable}",
        f"Python {version} is too old: {system.executable}",
        "从 python.org 安装 Python 3.11 或更新版本,再 pip install gendan_xl",
        "install Python 3.11 or newer from python.org, then pip install gendan_xl",
    )


def _xlwings(system: System) -> Finding:
    version = system.distribution_version("xlwings")
    if version is None:
        return Finding(
            FAIL,
            "未安装 xlwings",
            "xlwings is not installed",
            f"pip install xlwings=={XLWINGS_PINNED}",
            f"pip install xlwings=={XLWINGS_PINNED}",
        )
    if version != XLWINGS_PINNED:
        return Finding(
            FAIL,
            f"xlwings 版本 {version},加载项需要 {XLWINGS_PINNED}",
            f"xlwings {version} installed, the add-in needs {XLWINGS_PINNED}",
            f"pip install xlwings=={XLWINGS_PINNED},再运行 gendan addin install",
            f"pip install xlwings=={XLWINGS_PINNED}, then gendan addin install",
        )
    return Finding(OK, f"xlwings {version}(与加载项一致)", f"xlwings {version} (matches the add-in)")


def _modules(system: System) -> Finding:
    for module in EXCEL_MODULES:
        problem = system.import_problem(module)
        if problem is not None:
            return Finding(
                FAIL,
                f"无法导入 {module}:{problem}",
                f"cannot import {module}: {problem}",
                "在同一个 Python 中重新安装:pip install --force-reinstall gendan_xl",
                "reinstall into this Python: pip install --force-reinstall gendan_xl",
            )
    version = system.distribution_version("gendan_xl") or "?"
    return Finding(OK, f"gendan_xl {version} 的 Excel 模块可以导入", f"gendan_xl {version}: Excel modules import")


def _build(system: System) -> tuple[Finding, bytes | None]:
    try:
        data = system.built_addin()
    except AddinError as exc:
        return (
            Finding(
                FAIL,
                f"加载项无法生成:{exc}",
                f"the add-in cannot be built: {exc}",
                "按上面的提示修复后再运行 gendan addin install",
                "fix what the message says, then run gendan addin install",
            ),
            None,
        )
    return Finding(OK, "加载项可以由本机安装生成", "the add-in builds from this installation"), data


NOT_INSTALLED_HERE = (
    "本机未安装(gendan addin install 只在 Windows 上运行)",
    "not installed here (gendan addin install runs on Windows only)",
)


def _config(system: System, config: Path, windows: bool) -> list[Finding]:
    data = system.read_bytes(config)
    install = ("运行 gendan addin install", "run gendan addin install")
    if data is None and not windows:
        zh, en = NOT_INSTALLED_HERE
        return [Finding(SKIP, f"xlwings 设置文件 {config}:{zh}", f"xlwings settings file {config}: {en}")]
    if data is None:
        return [Finding(FAIL, f"找不到 xlwings 设置文件 {config}", f"no xlwings settings file {config}", *install)]
    settings = read_user_config(data)
    found = [Finding(OK, f"xlwings 设置文件:{config}", f"xlwings settings file: {config}")]
    interpreter = settings.get("INTERPRETER_WIN", "")
    if not interpreter:
        found.append(
            Finding(FAIL, "设置文件里没有 INTERPRETER_WIN", "the settings file has no INTERPRETER_WIN", *install)
        )
    elif not system.is_file(Path(interpreter)):
        found.append(
            Finding(
                FAIL,
                f"INTERPRETER_WIN 指向的 Python 不存在:{interpreter}",
                f"INTERPRETER_WIN points to a missing Python: {interpreter}",
                "用要使用的 Python 重新运行 gendan addin install",
                "run gendan addin install again with the Python you use",
            )
        )
    else:
        found.append(Finding(OK, f"INTERPRETER_WIN:{interpreter}", f"INTERPRETER_WIN: {interpreter}"))
    modules = settings.get("UDF MODULES", "")
    if UDF_MODULE not in [m.strip() for m in modules.split(";")]:
        found.append(
            Finding(
                FAIL,
                f"UDF Modules 是“{modules}”,应包含 {UDF_MODULE}",
                f"UDF Modules is '{modules}', it must name {UDF_MODULE}",
                *install,
            )
        )
    else:
        found.append(Finding(OK, f"UDF Modules:{modules}", f"UDF Modules: {modules}"))
    return found


def _xlstart(system: System, addin: Path, built: bytes | None, windows: bool) -> Finding:
    data = system.read_bytes(addin)
    if data is None and not windows:
        zh, en = NOT_INSTALLED_HERE
        return Finding(SKIP, f"XLSTART 中的加载项 {addin}:{zh}", f"the add-in in XLSTART {addin}: {en}")
    if data is None:
        return Finding(
            FAIL,
            f"XLSTART 中没有加载项:{addin}",
            f"the add-in is not in XLSTART: {addin}",
            "关闭 Excel,运行 gendan addin install",
            "close Excel and run gendan addin install",
        )
    if built is not None and data != built:
        return Finding(
            FAIL,
            f"XLSTART 中的加载项与已安装的 gendan_xl 不一致:{addin}",
            f"the add-in in XLSTART does not match the installed gendan_xl: {addin}",
            "关闭 Excel,重新运行 gendan addin install",
            "close Excel and run gendan addin install again",
        )
    return Finding(OK, f"加载项已在 XLSTART:{addin}", f"the add-in is in XLSTART: {addin}")


def _dll(system: System, interpreter: str) -> Finding:
    version = XLWINGS_PINNED  # the DLL name the add-in's VBA declares
    folder = PureWindowsPath(interpreter or system.executable).parent
    names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
    places = [folder, folder.parent]  # an installation, or a virtualenv's Scripts\..
    for place in places:
        for name in names:
            if system.is_file(Path(str(place / name))):
                return Finding(OK, f"xlwings DLL:{place / name}", f"xlwings DLL: {place / name}")
    return Finding(
        FAIL,
        f"找不到 {names[0]}(应在 {folder} 或其上一级)",
        f"{names[0]} not found in {folder} or its parent",
        f"pip install --force-reinstall xlwings=={XLWINGS_PINNED}",
        f"pip install --force-reinstall xlwings=={XLWINGS_PINNED}",
    )


def _trust_center(system: System) -> list[Finding]:
    found = []
    warnings = system.registry_dword(SECURITY_KEY, "VBAWarnings")
    if warnings in (3, 4):
        what = "只允许数字签名的宏" if warnings == 3 else "禁用所有宏且不通知"
        found.append(
            Finding(
                FAIL,
                f"信任中心:{what},加载项的宏不会运行",
                "Trust Center: macros are disabled (signed only, or all without notice)",
                "文件 > 选项 > 信任中心 > 信任中心设置 > 宏设置:选择“禁用所有宏,并发出通知”"
                "(XLSTART 是受信任位置,其中的加载项可以运行)",
                "File > Options > Trust Center > Trust Center Settings > Macro Settings: "
                "'Disable all macros with notification' (XLSTART is a trusted location)",
            )
        )
    else:
        found.append(Finding(OK, "信任中心:宏设置允许受信任位置的宏", "Trust Center: macros in trusted locations may run"))
    if system.registry_dword(SECURITY_KEY, "RequireAddinSig") == 1:
        found.append(
            Finding(
                FAIL,
                "信任中心:要求加载项经过签名,未签名的跟单助手会被禁用",
                "Trust Center: add-ins must be signed; the unsigned add-in is disabled",
                "信任中心设置 > 加载项:取消“要求受信任的发布者签署应用程序加载项”",
                "Trust Center Settings > Add-ins: untick 'Require Application Add-ins to be signed'",
            )
        )
    return found


def diagnose(system: System | None = None) -> list[Finding]:
    """Every check, in the order a clerk would fix them."""
    system = system or System()
    windows = system.platform == "win32"
    appdata, userprofile = profile_dirs(system)
    addin, config = install_targets(appdata, userprofile)
    findings = [_python(system), _xlwings(system), _modules(system)]
    build, built = _build(system)
    findings.append(build)
    findings += _config(system, config, windows)
    findings.append(_xlstart(system, addin, built, windows))
    if windows:
        data = system.read_bytes(config)
        interpreter = read_user_config(data).get("INTERPRETER_WIN", "") if data else ""
        findings.append(_dll(system, interpreter))
        findings += _trust_center(system)
    else:
        zh, en = ON_WINDOWS_ONLY
        findings.append(Finding(SKIP, f"xlwings DLL:{zh}", f"the xlwings DLL: {en}"))
        findings.append(Finding(SKIP, f"信任中心(宏、加载项签名):{zh}", f"Trust Center (macros, add-in signing): {en}"))
        findings.append(
            Finding(
                SKIP,
                "Excel 本身(功能区、函数、宏):请在装有 Excel 的 Windows 电脑上运行 gendan addin doctor",
                "Excel itself (ribbon, functions, macros): run gendan addin doctor on the Windows PC with Excel",
            )
        )
    return findings


def report(findings: list[Finding], lang: str = "zh") -> str:
    """The findings as text, with a closing summary line."""
    lines: list[str] = []
    for finding in findings:
        lines += finding.lines(lang)
    failed = sum(f.status == FAIL for f in findings)
    skipped = sum(f.status == SKIP for f in findings)
    if failed:
        summary = (f"有 {failed} 项需要处理(见“解决”)", f"{failed} problem(s) to fix (see 'Fix')")
    else:
        summary = ("未发现问题", "no problem found")
    if skipped:
        summary = (summary[0] + f",{skipped} 项未检查", summary[1] + f", {skipped} not checked here")
    first, second = (summary[1], summary[0]) if lang == "en" else summary
    lines.append(f"{first} / {second}")
    return "\n".join(lines)
