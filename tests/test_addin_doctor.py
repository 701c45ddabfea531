"""`gendan addin doctor`: on this machine (not Windows) with a temporary HOME, with a
fake installation in it, and every Windows branch through a double of ``System``."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath

import pytest

from gendan_xl import cli
from gendan_xl.addin import AddinError, doctor
from gendan_xl.addin import build as addin_build
from gendan_xl.addin.doctor import FAIL, OK, SKIP, Finding, System, diagnose, report

REPO = Path(__file__).resolve().parents[1]


def run_doctor(*extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["addin", "doctor", *extra])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("APPDATA", raising=False)
    monkeypatch.delenv("USERPROFILE", raising=False)
    return tmp_path


def installed(home: Path, python: str = sys.executable) -> tuple[Path, Path]:
    """Install as ``gendan addin install`` does on Windows, into the temporary HOME."""
    appdata = home / "AppData" / "Roaming"
    addin_build._install(appdata, home, python)
    return addin_build.install_targets(appdata, home)


def by_mark(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"✓": [], "✗": [], "–": []}
    for line in text.splitlines():
        if line[:1] in found:
            found[line[:1]].append(line)
    return found


# --- this machine ----------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="the off-Windows report")
def test_doctor_on_this_machine_with_nothing_installed(home: Path) -> None:
    code, out, err = run_doctor()
    assert code == cli.EXIT_OK and err == ""
    marks = by_mark(out)
    assert not marks["✗"]
    assert [line.split(" ")[1] for line in marks["✓"]] == ["Python", "xlwings", "gendan_xl", "加载项可以由本机安装生成"]
    assert f"Python {sys.version_info[0]}.{sys.version_info[1]}" in marks["✓"][0]
    assert sys.executable in marks["✓"][0]
    assert "xlwings 0.37.8(与加载项一致)" in marks["✓"][1]
    skipped = "\n".join(marks["–"])
    assert str(home / ".gendan_xl" / "gendan_xl.conf") in skipped
    assert str(home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "gendan_xl.xlam") in skipped
    assert "xlwings DLL:仅能在 Windows 上检查" in skipped and "信任中心" in skipped
    assert out.splitlines()[-1].startswith("未发现问题,5 项未检查 / no problem found")
    assert re.search(r"[\u4e00-\u9fff]", out.splitlines()[1].split(" / ")[0])  # Chinese first


@pytest.mark.skipif(sys.platform == "win32", reason="the off-Windows report")
def test_doctor_checks_a_fake_installation_in_home(home: Path) -> None:
    addin, config = installed(home)
    code, out, _err = run_doctor()
    assert code == cli.EXIT_OK, out
    good = "\n".join(by_mark(out)["✓"])
    assert f"xlwings 设置文件:{config}" in good
    assert f"INTERPRETER_WIN:{sys.executable}" in good
    assert "UDF Modules:gendan_xl.excel.udfs" in good
    assert f"加载项已在 XLSTART:{addin}" in good
    assert len(by_mark(out)["–"]) == 3  # DLL, Trust Center, Excel itself

    # an add-in from another version of gendan_xl
    addin.write_bytes(addin.read_bytes() + b"\0")
    code, out, _err = run_doctor("--lang", "en")
    assert code == cli.EXIT_ERRORS
    bad = by_mark(out)["✗"]
    assert bad == [
        f"✗ the add-in in XLSTART does not match the installed gendan_xl: {addin} / "
        f"XLSTART 中的加载项与已安装的 gendan_xl 不一致:{addin}"
    ]
    assert "Fix: close Excel and run gendan addin install again / 解决:关闭 Excel,重新运行 gendan addin install" in out

    # the settings name a Python that is gone, and not gendan's functions
    config.write_text('"INTERPRETER_WIN","/nowhere/python.exe"\r\n"UDF MODULES","other.udfs"\r\n')
    code, out, _err = run_doctor()
    assert code == cli.EXIT_ERRORS and "Traceback" not in out
    bad = "\n".join(by_mark(out)["✗"])
    assert "INTERPRETER_WIN 指向的 Python 不存在:/nowhere/python.exe" in bad
    assert "UDF Modules 是“other.udfs”,应包含 gendan_xl.excel.udfs" in bad
    assert "解决:用要使用的 Python 重新运行 gendan addin install" in out

    config.write_text('"UDF MODULES","gendan_xl.excel.udfs"\r\n')
    code, out, _err = run_doctor()
    assert "✗ 设置文件里没有 INTERPRETER_WIN" in out


def test_environment_folders_win_over_home(tmp_path: Path) -> None:
    system = FakeSystem(tmp_path, environ={"APPDATA": "/x/Roaming", "USERPROFILE": "/x"})
    assert doctor.profile_dirs(system) == (Path("/x/Roaming"), Path("/x"))
    assert doctor.profile_dirs(FakeSystem(tmp_path)) == (tmp_path / "AppData" / "Roaming", tmp_path)


def test_pinned_xlwings_is_pyprojects() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert f"xlwings=={doctor.XLWINGS_PINNED}" in deps


# --- every branch through a double -----------------------------------------------------

PYTHON = r"C:\Python311\python.exe"


class FakeSystem(System):
    """A PC described by data: files, environment, registry, versions."""

    def __init__(
        self,
        home: Path,
        platform: str = "win32",
        files: Mapping[Path, bytes] | None = None,
        environ: Mapping[str, str] | None = None,
        registry: Mapping[str, int] | None = None,
        versions: Mapping[str, str] | None = None,
        import_errors: Mapping[str, str] | None = None,
        python: tuple[int, int, int] = (3, 11, 9),
        build: bytes | AddinError = b"ADDIN",
    ) -> None:
        self._home = home
        self._platform = platform
        self.files = dict(files or {})
        self._environ = dict(environ or {})
        self.registry = dict(registry or {})
        self.versions = {"xlwings": "0.37.8", "gendan_xl": "0.1.0", **(versions or {})}
        self.import_errors = dict(import_errors or {})
        self._python = python
        self.build = build

    @property
    def platform(self) -> str:
        return self._platform

    @property
    def executable(self) -> str:
        return PYTHON

    @property
    def python_version(self) -> tuple[int, int, int]:
        return self._python

    @property
    def environ(self) -> Mapping[str, str]:
        return self._environ

    def home(self) -> Path:
        return self._home

    def is_file(self, path: Path) -> bool:
        return Path(str(path)) in self.files

    def read_bytes(self, path: Path) -> bytes | None:
        return self.files.get(path)

    def distribution_version(self, name: str) -> str | None:
        return self.versions.get(name) or None

    def import_problem(self, module: str) -> str | None:
        return self.import_errors.get(module)

    def built_addin(self) -> bytes:
        if isinstance(self.build, AddinError):
            raise self.build
        return self.build

    def registry_dword(self, key: str, name: str) -> int | None:
        assert key == doctor.SECURITY_KEY
        return self.registry.get(name)


def healthy(home: Path, **changes: object) -> FakeSystem:
    """A Windows PC where everything is right; ``changes`` break one thing."""
    addin, config = addin_build.install_targets(home / "AppData" / "Roaming", home)
    files = {
        addin: b"ADDIN",
        config: addin_build.user_config_text(PYTHON).encode(),
        Path(PYTHON): b"",
        Path(str(PureWindowsPath(PYTHON).parent / "xlwings64-0.37.8.dll")): b"",
    }
    system = FakeSystem(home, files=files, registry={"VBAWarnings": 2})
    for name, value in changes.items():
        setattr(system, name, value)
    return system


def statuses(findings: list[Finding]) -> list[str]:
    return [f.status for f in findings]


def failed(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.status == FAIL]


def test_a_healthy_windows_pc(tmp_path: Path) -> None:
    findings = diagnose(healthy(tmp_path))
    assert set(statuses(findings)) == {OK}, report(findings)
    text = report(findings)
    assert "xlwings DLL:C:\\Python311\\xlwings64-0.37.8.dll" in text
    assert text.splitlines()[-1] == "未发现问题 / no problem found"


def _without(system: FakeSystem, path: Path) -> FakeSystem:
    system.files.pop(path)
    return system


BROKEN: list[tuple[str, object, str, str]] = [
    # (what, how to break a healthy PC, text of the ✗ line, text of its fix)
    ("old python", {"_python": (3, 10, 4)}, "Python 3.10.4 太旧", "安装 Python 3.11 或更新版本"),
    ("no xlwings", {"versions": {"xlwings": "", "gendan_xl": "0.1.0"}}, "未安装 xlwings", "pip install xlwings==0.37.8"),
    (
        "other xlwings",
        {"versions": {"xlwings": "0.33.1", "gendan_xl": "0.1.0"}},
        "xlwings 版本 0.33.1,加载项需要 0.37.8",
        "pip install xlwings==0.37.8,再运行 gendan addin install",
    ),
    (
        "import fails",
        {"import_errors": {"gendan_xl.excel.udfs": "ImportError: DLL load failed"}},
        "无法导入 gendan_xl.excel.udfs:ImportError: DLL load failed",
        "pip install --force-reinstall gendan_xl",
    ),
    (
        "build fails",
        {"build": AddinError("xlwings 的 VBA 模块版本不符 mismatch")},
        "加载项无法生成:xlwings 的 VBA 模块版本不符",
        "按上面的提示修复",
    ),
    ("macros off", {"registry": {"VBAWarnings": 4}}, "信任中心:禁用所有宏且不通知", "禁用所有宏,并发出通知"),
    ("signed only", {"registry": {"VBAWarnings": 3}}, "信任中心:只允许数字签名的宏", "宏设置"),
    (
        "signed add-ins",
        {"registry": {"VBAWarnings": 2, "RequireAddinSig": 1}},
        "信任中心:要求加载项经过签名",
        "取消“要求受信任的发布者签署应用程序加载项”",
    ),
]


@pytest.mark.parametrize(("what", "change", "line", "fix"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_problem_is_found_with_its_fix(tmp_path: Path, what: str, change: dict, line: str, fix: str) -> None:  # type: ignore[type-arg]
    findings = diagnose(healthy(tmp_path, **change))
    bad = failed(findings)
    assert len(bad) == 1, report(findings)
    assert line in bad[0].zh and fix in bad[0].fix_zh
    assert bad[0].en and bad[0].fix_en
    text = report(findings)
    assert text.splitlines()[-1].startswith("有 1 项需要处理")


def test_missing_files_on_windows(tmp_path: Path) -> None:
    addin, config = addin_build.install_targets(tmp_path / "AppData" / "Roaming", tmp_path)
    dll = Path(str(PureWindowsPath(PYTHON).parent / "xlwings64-0.37.8.dll"))

    bad = failed(diagnose(_without(healthy(tmp_path), addin)))
    assert [f.zh for f in bad] == [f"XLSTART 中没有加载项:{addin}"]
    assert bad[0].fix_zh == "关闭 Excel,运行 gendan addin install"

    bad = failed(diagnose(_without(healthy(tmp_path), config)))
    assert next(f.zh for f in bad) == f"找不到 xlwings 设置文件 {config}"

    bad = failed(diagnose(_without(healthy(tmp_path), dll)))
    assert [f.zh for f in bad] == ["找不到 xlwings64-0.37.8.dll(应在 C:\\Python311 或其上一级)"]

    bad = failed(diagnose(_without(healthy(tmp_path), Path(PYTHON))))
    assert [f.zh for f in bad] == [f"INTERPRETER_WIN 指向的 Python 不存在:{PYTHON}"]

    system = healthy(tmp_path)
    system.files[addin] = b"OLDER"
    assert [f.zh for f in failed(diagnose(system))] == [f"XLSTART 中的加载项与已安装的 gendan_xl 不一致:{addin}"]


def test_dll_of_a_virtualenv_sits_above_scripts(tmp_path: Path) -> None:
    venv_python = r"C:\venvs\gendan\Scripts\python.exe"
    system = healthy(tmp_path)
    _addin, config = addin_build.install_targets(tmp_path / "AppData" / "Roaming", tmp_path)
    system.files[config] = addin_build.user_config_text(venv_python).encode()
    system.files[Path(venv_python)] = b""
    assert failed(diagnose(system))[0].zh.startswith("找不到 xlwings64-0.37.8.dll")
    system.files[Path(r"C:\venvs\gendan\xlwings64-0.37.8.dll")] = b""
    assert failed(diagnose(system)) == []


def test_off_windows_the_windows_checks_are_skipped_with_a_note(tmp_path: Path) -> None:
    findings = diagnose(healthy(tmp_path, _platform="linux"))
    skipped = [f for f in findings if f.status == SKIP]
    assert [f.en for f in skipped] == [
        "the xlwings DLL: can only be checked on Windows",
        "Trust Center (macros, add-in signing): can only be checked on Windows",
        "Excel itself (ribbon, functions, macros): run gendan addin doctor on the Windows PC with Excel",
    ]


def test_config_in_the_code_page_of_a_chinese_windows(tmp_path: Path) -> None:
    python = r"C:\用户\张三\Python311\python.exe"
    assert doctor.read_user_config(addin_build.user_config_text(python).encode("gbk")) == {
        "INTERPRETER_WIN": python,
        "UDF MODULES": "gendan_xl.excel.udfs",
    }
