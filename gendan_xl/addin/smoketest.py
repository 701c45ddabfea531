"""`gendan addin smoketest`: the add-in in real Excel, once, on the clerk's PC.

Windows with Excel only. It builds the add-in and a copy of the demo ledger into a
fresh folder, starts an invisible Excel, opens both, and checks in order:

1. the VBA project compiles and runs: ``GendanSelfTest`` and
   ``GendanErrorSelfTest`` write their cells in the add-in's first sheet;
2. every ``GD_*`` function, entered as a formula in a new sheet of the copy and
   read back, gives what gendan computes in this Python (a line argument read from
   the copy's 产线/日历, real error values seen by ``ISERROR``/``ISNA``, an array);
3. every ribbon handler, run through ``Application.Run`` of the add-in's
   ``GendanSmokeButton`` on the copy, finishes without an error (its outcome is a
   file the handler's Python writes beside the copy).

It writes ``gendan_smoketest.json`` (every step, versions) and a summary, Chinese
first. Excel is reached only through the small ``Excel`` protocol
(``gendan_xl.excel.smoke.XlwingsExcel`` in real life), so the tests run every
branch here with a double of it.
"""

from __future__ import annotations

import json
import platform
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from gendan_xl import __version__
from gendan_xl.addin.build import ADDIN_FILE_NAME, AddinError, build_addin
from gendan_xl.addin.doctor import FAIL, MARKS, OK, SKIP, System
from gendan_xl.addin.ribbon import ribbon_tags

RESULT_FILE = "gendan_smoketest.json"
LEDGER_COPY = "演示台账_smoketest.xlsx"
HANDLER_RESULT = "gendan_smoketest_{tag}.json"  # written by gendan_xl.excel.smoke.run_handler
SELFTEST_MACRO = "GendanRibbon.GendanSelfTest"
SELFTEST_TEXT = "跟单助手 gendan_xl self-test OK"
ERROR_SELFTEST_MACRO = "GendanErrors.GendanErrorSelfTest"
ERROR_SELFTEST_TEXT = "TTFT|TF"
BUTTON_MACRO = "GendanRibbon.GendanSmokeButton"
SMOKE_SHEET = "冒烟测试"
LINE = "注塑一线"  # the demo's line that works Saturdays
NO_LINE = "没有这条线"
NEEDS_WINDOWS = (
    "gendan addin smoketest 需要 Windows 和 Microsoft Excel,本机无法运行;"
    "请在装有 Excel 的电脑上运行(可先用 gendan addin doctor 检查其余各项)。",
    "gendan addin smoketest needs Windows and Microsoft Excel and cannot run here; "
    "run it on the PC with Excel (gendan addin doctor checks everything else).",
)


class Excel(Protocol):
    """What the smoke test asks of Excel. Books are named by their file name."""

    timed_out: bool

    def start(self) -> str: ...  # starts an invisible Excel, returns its version
    def open(self, path: Path) -> str: ...
    def run(self, book: str, macro: str, *args: object) -> object: ...
    def activate(self, book: str) -> None: ...
    def add_sheet(self, book: str, name: str) -> None: ...
    def set_formula(self, book: str, sheet: str, address: str, formula: str) -> None: ...
    def calculate(self) -> None: ...
    def value(self, book: str, sheet: str | int, address: str) -> object: ...
    def quit(self) -> None: ...


@dataclass
class Step:
    """One check: its id, status (ok/fail/skip), what happened (Chinese, English), data."""

    id: str
    status: str
    zh: str
    en: str
    detail: dict[str, object] = field(default_factory=dict)

    def line(self, lang: str = "zh") -> str:
        first, second = (self.en, self.zh) if lang == "en" else (self.zh, self.en)
        return f"{MARKS[self.status]} [{self.id}] {first} / {second}"


@dataclass(frozen=True)
class CellCase:
    """A formula for the smoke sheet and the value it must show."""

    id: str
    formula: str
    expected: object
    zh: str
    en: str


# --- expected values -------------------------------------------------------------


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def normalize(value: object) -> object:
    """A cell value as comparable data: dates and datetimes as Excel serials,
    whole floats as int, True/False as bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return _serial(value.date())
    if isinstance(value, date):
        return _serial(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _excel_date(day: date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def cell_cases(ledger: Path) -> list[CellCase]:
    """The formulas with the values gendan computes for them here, the line calendar
    read from ``ledger`` (the copy Excel opens) with the planner's own code."""
    from gendan_xl.calendar import WorkCalendar
    from gendan_xl.demo import DEFAULT_AS_OF
    from gendan_xl.read import read_ledger

    national = WorkCalendar.national()
    lines = WorkCalendar.from_ledger(read_ledger(ledger, DEFAULT_AS_OF))
    first, last = date(2026, 11, 2), date(2026, 11, 15)  # two weeks with two Saturdays
    friday = date(2026, 11, 6)
    span = f"{_excel_date(first)},{_excel_date(last)}"
    return [
        CellCase(
            "GD_WORKDAYS",
            f"=GD_WORKDAYS({span})",
            national.workdays_between(first, last),
            "全国工作日", "national working days",
        ),
        CellCase(
            "GD_WORKDAYS.line",
            f'=GD_WORKDAYS({span},"{LINE}")',
            lines.workdays_between(first, last, LINE),
            f"{LINE} 的工作日(读自台账的产线/日历)", f"working days of {LINE} (from the ledger's 产线/日历)",
        ),
        CellCase(
            "GD_ADD_WORKDAYS.line",
            f'=GD_ADD_WORKDAYS({_excel_date(friday)},1,"{LINE}")',
            _serial(lines.add_workdays(friday, 1, LINE)),
            f"{LINE} 周五后一个工作日", f"the working day after a Friday on {LINE}",
        ),
        CellCase(
            "GD_ADD_WORKDAYS",
            f"=GD_ADD_WORKDAYS({_excel_date(friday)},1)",
            _serial(national.add_workdays(friday, 1)),
            "全国日历周五后一个工作日", "the national working day after a Friday",
        ),
        CellCase(
            "GD_WORKDAYS.unknown_line",
            f'=ISNA(GD_WORKDAYS({span},"{NO_LINE}"))',
            True,
            "不在产线表中的产线得到 #N/A 错误值", "a line not on 产线 gives the error value #N/A",
        ),
        CellCase(
            "GD_DAYS_LATE",
            f"=GD_DAYS_LATE({_excel_date(date(2026, 11, 1))},{_excel_date(date(2026, 11, 5))})",
            4,
            "延误天数", "days late",
        ),
        CellCase(
            "GD_DAYS_LATE.error",
            f'=ISERROR(GD_DAYS_LATE("x",{_excel_date(date(2026, 11, 5))}))',
            True,
            "错误输入得到真正的错误值(ISERROR 为 TRUE)", "bad input gives a real error value (ISERROR is TRUE)",
        ),
        CellCase(
            "GD_DAYS_LATE.error_text",
            f'=GD_DAYS_LATE("x",{_excel_date(date(2026, 11, 5))})',
            "#VALUE!",
            "错误值为 #VALUE!", "the error value is #VALUE!",
        ),
        CellCase(
            "GD_STATUS",
            f"=GD_STATUS(1000,1000,1000,{_excel_date(date(2026, 11, 1))},{_excel_date(DEFAULT_AS_OF)})",
            "已完成",
            "订单状态", "order status",
        ),
        CellCase("GD_RMB_UPPER", "=GD_RMB_UPPER(1234.5)", "壹仟贰佰叁拾肆元伍角", "人民币大写", "amount in capitals"),
        CellCase("GD_CARTONS", "=GD_CARTONS(1001,50)", 21, "箱数", "cartons"),
        CellCase(
            "GD_CARTONS.array",
            "=INDEX(GD_CARTONS({100;250},50),2)",
            5,
            "整列输入逐个计算", "a column of inputs, element by element",
        ),
        CellCase(
            "GD_CARTONS.array_error",
            '=ISERROR(INDEX(GD_CARTONS({100;"x"},50),2))',
            True,
            "数组中的坏值得到该位置的错误值", "a bad element gives an error value in its place",
        ),
    ]


# --- the run ---------------------------------------------------------------------


@dataclass
class Prepared:
    folder: Path
    addin: Path
    ledger: Path


def prepare(folder: Path) -> Prepared:
    """Build the add-in and write the demo ledger copy into ``folder``."""
    from gendan_xl.demo import build_demo
    from gendan_xl.write.demo_book import write_demo

    folder.mkdir(parents=True, exist_ok=True)
    addin = build_addin(folder / ADDIN_FILE_NAME)
    ledger = write_demo(build_demo(), folder / LEDGER_COPY)
    return Prepared(folder, addin, ledger)


def _problem(exc: BaseException, excel: Excel) -> tuple[str, str]:
    what = f"{type(exc).__name__}: {exc}".strip()
    if excel.timed_out:
        return (
            f"Excel 无响应(可能弹出了对话框),已被结束:{what}",
            f"Excel stopped responding (a dialog may have opened) and was ended: {what}",
        )
    return what, what


FAILED = object()  # what ``Run.attempt`` returns when the action raised


class Run:
    """The steps, in order, over one Excel."""

    def __init__(self, excel: Excel, prepared: Prepared, cases: list[CellCase], tags: list[str]) -> None:
        self.excel = excel
        self.files = prepared
        self.cases = cases
        self.tags = tags
        self.steps: list[Step] = []
        self.excel_version = ""

    def add(self, id: str, status: str, zh: str, en: str, **detail: object) -> Step:
        step = Step(id, status, zh, en, dict(detail))
        self.steps.append(step)
        return step

    def attempt(self, id: str, zh: str, en: str, action: Callable[[], object]) -> object:
        """Run ``action``; on an exception record a failed step and return FAILED."""
        try:
            return action()
        except Exception as exc:
            pzh, pen = _problem(exc, self.excel)
            self.add(id, FAIL, f"{zh}失败:{pzh}", f"{en} failed: {pen}")
            return FAILED

    def skip_rest(self, after: str) -> None:
        reason = (f"未运行({after}失败)", f"not run ({after} failed)")
        ids = ["open.addin", "open.ledger", "vba.selftest", "vba.errors"]
        ids += [f"udf.{c.id}" for c in self.cases] + [f"button.{t}" for t in self.tags]
        done = {s.id for s in self.steps}
        for id in ids:
            if id not in done:
                self.add(id, SKIP, reason[0], reason[1])

    def go(self) -> None:
        version = self.attempt("excel.start", "启动 Excel", "starting Excel", self.excel.start)
        if version is FAILED:
            self.skip_rest("启动 Excel")
            return
        self.excel_version = str(version)
        self.add("excel.start", OK, f"Excel {version} 已在后台启动", f"Excel {version} started invisibly")
        addin = self.attempt("open.addin", "打开加载项", "opening the add-in", lambda: self.excel.open(self.files.addin))
        if addin is FAILED:
            self.skip_rest("打开加载项")
            return
        self.add("open.addin", OK, f"已打开加载项 {addin}", f"add-in {addin} opened")
        ledger = self.attempt(
            "open.ledger", "打开演示台账副本", "opening the demo ledger copy", lambda: self.excel.open(self.files.ledger)
        )
        if ledger is FAILED:
            self.skip_rest("打开演示台账副本")
            return
        self.add("open.ledger", OK, f"已打开演示台账副本 {ledger}", f"demo ledger copy {ledger} opened")
        self.vba(str(addin))
        self.cells(str(ledger))
        self.buttons(str(addin), str(ledger))

    def _macro_writes(self, id: str, addin: str, macro: str, address: str, want: str) -> None:
        zh, en = f"运行 {macro}", f"running {macro}"

        def run() -> object:
            self.excel.run(addin, macro)
            return self.excel.value(addin, 0, address)

        got = self.attempt(id, zh, en, run)
        if got is FAILED:
            return
        if got == want:
            self.add(id, OK, f"VBA 已编译并运行 {macro}", f"VBA compiled and ran {macro}", cell=address, value=got)
        else:
            self.add(
                id, FAIL,
                f"{macro} 运行后 {address} 是 {got!r},应为 {want!r}",
                f"after {macro}, {address} holds {got!r}, expected {want!r}",
                cell=address, value=got, expected=want,
            )

    def vba(self, addin: str) -> None:
        self._macro_writes("vba.selftest", addin, SELFTEST_MACRO, "D1", SELFTEST_TEXT)
        self._macro_writes("vba.errors", addin, ERROR_SELFTEST_MACRO, "D2", ERROR_SELFTEST_TEXT)

    def cells(self, ledger: str) -> None:
        made = self.attempt(
            "udf.sheet", f"新建工作表 {SMOKE_SHEET}", f"adding the sheet {SMOKE_SHEET}",
            lambda: self.excel.add_sheet(ledger, SMOKE_SHEET),
        )
        if made is FAILED:
            for case in self.cases:
                self.add(f"udf.{case.id}", SKIP, "未运行(无法新建工作表)", "not run (no sheet to write to)")
            return
        for row, case in enumerate(self.cases, start=1):
            self.cell(ledger, f"A{row}", case)

    def cell(self, ledger: str, address: str, case: CellCase) -> None:
        id = f"udf.{case.id}"

        def enter() -> object:
            self.excel.set_formula(ledger, SMOKE_SHEET, address, case.formula)
            self.excel.calculate()
            return self.excel.value(ledger, SMOKE_SHEET, address)

        got = self.attempt(id, f"{case.zh}:{case.formula}", f"{case.en}: {case.formula}", enter)
        if got is FAILED:
            return
        value = normalize(got)
        detail: dict[str, object] = {"formula": case.formula, "cell": address, "expected": case.expected, "actual": value}
        if value == case.expected:
            self.add(id, OK, f"{case.zh}:{case.formula} = {value!r}", f"{case.en}: {case.formula} = {value!r}", **detail)
        else:
            self.add(
                id, FAIL,
                f"{case.zh}:{case.formula} 得到 {value!r},应为 {case.expected!r}",
                f"{case.en}: {case.formula} gave {value!r}, expected {case.expected!r}",
                **detail,
            )

    def buttons(self, addin: str, ledger: str) -> None:
        for tag in self.tags:
            self.button(addin, ledger, tag)

    def button(self, addin: str, ledger: str, tag: str) -> None:
        id = f"button.{tag}"
        result = self.files.folder / HANDLER_RESULT.format(tag=tag)
        result.unlink(missing_ok=True)

        def press() -> object:
            self.excel.activate(ledger)  # RunPython's Book.caller() is the active book
            return self.excel.run(addin, BUTTON_MACRO, tag)

        if self.attempt(id, f"运行按钮 {tag}", f"running the button {tag}", press) is FAILED:
            return
        try:
            outcome = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.add(
                id, FAIL,
                f"按钮 {tag}:Python 没有运行(没有 {result.name});请运行 gendan addin doctor",
                f"button {tag}: Python did not run (no {result.name}); run gendan addin doctor",
            )
            return
        alerts = [str(a) for a in outcome.get("alerts", [])]
        if outcome.get("ok") is True:
            self.add(id, OK, f"按钮 {tag} 运行完成", f"button {tag} ran", alerts=alerts)
        else:
            error = str(outcome.get("error", ""))
            self.add(id, FAIL, f"按钮 {tag} 出错:{error}", f"button {tag} failed: {error}", alerts=alerts, error=error)


# --- versions, report ------------------------------------------------------------


def versions(system: System, excel_version: str) -> dict[str, str]:
    return {
        "windows": platform.platform(),
        "excel": excel_version,
        "python": ".".join(map(str, system.python_version)),
        "python_path": system.executable,
        "xlwings": system.distribution_version("xlwings") or "",
        "gendan_xl": __version__,
    }


def smoketest(
    excel: Excel,
    folder: Path,
    system: System | None = None,
    prepare_files: Callable[[Path], Prepared] = prepare,
    now: Callable[[], datetime] = datetime.now,
) -> dict[str, object]:
    """Run every step in ``folder``; the result as the JSON document's data."""
    system = system or System()
    started = now()
    steps: list[Step] = []
    excel_version = ""
    try:
        prepared = prepare_files(folder)
    except (AddinError, OSError) as exc:
        steps.append(
            Step("files", FAIL, f"无法生成加载项或演示台账:{exc}", f"cannot build the add-in or the demo ledger: {exc}")
        )
    else:
        steps.append(
            Step("files", OK, f"已生成加载项与演示台账副本:{folder}", f"add-in and demo ledger copy written: {folder}")
        )
        run = Run(excel, prepared, cell_cases(prepared.ledger), ribbon_tags())
        try:
            run.go()
        finally:
            try:
                excel.quit()
            except Exception as exc:  # report it, the results so far still count
                run.add("excel.quit", FAIL, f"关闭 Excel 失败:{exc}", f"closing Excel failed: {exc}")
        steps += run.steps
        excel_version = run.excel_version
    counts = {s: sum(step.status == s for step in steps) for s in (OK, FAIL, SKIP)}
    return {
        "tool": "gendan addin smoketest",
        "started": started.isoformat(timespec="seconds"),
        "finished": now().isoformat(timespec="seconds"),
        "folder": str(folder),
        "versions": versions(system, excel_version),
        "passed": counts[OK],
        "failed": counts[FAIL],
        "skipped": counts[SKIP],
        "ok": counts[FAIL] == 0 and counts[SKIP] == 0,
        "steps": [
            {"id": s.id, "status": s.status, "zh": s.zh, "en": s.en, **s.detail} for s in steps
        ],
    }


def write_result(result: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def summary(result: dict[str, object], saved: Path | None = None, lang: str = "zh") -> str:
    """The result as text for the clerk: every step, the counts, versions, the file."""
    steps = result["steps"]
    assert isinstance(steps, list)
    lines = [Step(s["id"], s["status"], s["zh"], s["en"]).line(lang) for s in steps]
    passed, failed, skipped = result["passed"], result["failed"], result["skipped"]
    zh = f"通过 {passed} 项,失败 {failed} 项,未运行 {skipped} 项"
    en = f"{passed} passed, {failed} failed, {skipped} not run"
    versions_ = result["versions"]
    assert isinstance(versions_, dict)
    shown = ", ".join(f"{k} {v}" for k, v in versions_.items() if k != "python_path")
    if lang == "en":
        lines += [f"{en} / {zh}", f"Versions / 版本: {shown}"]
    else:
        lines += [f"{zh} / {en}", f"版本 / Versions: {shown}"]
    if saved is not None:
        if lang == "en":
            lines.append(f"Saved to / 结果已保存到: {saved} (keep this file / 请保留此文件)")
        else:
            lines.append(f"结果已保存到 / Saved to: {saved}(请保留此文件 / keep this file)")
    return "\n".join(lines)


def work_folder(out_dir: Path) -> Path:
    """A fresh folder for the add-in, the ledger copy and what the buttons write."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="gendan_smoketest_", dir=out_dir))


def command(
    out: Path,
    lang: str = "zh",
    platform_name: str | None = None,
    make_excel: Callable[[], Excel] | None = None,
    system: System | None = None,
) -> tuple[int, str, str]:
    """``gendan addin smoketest``: (exit code, stdout text, stderr text).

    ``out``: the folder for gendan_smoketest.json (or the .json file itself). Exit 0
    when every step passed, 1 when one failed, 2 when it cannot run here."""
    import sys

    def refuse(zh: str, en: str) -> tuple[int, str, str]:
        return 2, "", (f"{en}\n{zh}" if lang == "en" else f"{zh}\n{en}") + "\n"

    if (platform_name or sys.platform) != "win32":
        return refuse(*NEEDS_WINDOWS)
    if make_excel is None:
        make_excel = _xlwings_excel
    try:
        excel = make_excel()
    except Exception as exc:  # xlwings or pywin32 missing or broken
        what = f"{type(exc).__name__}: {exc}"
        return refuse(
            f"无法通过 xlwings 连接 Excel:{what};请先运行 gendan addin doctor",
            f"cannot reach Excel through xlwings: {what}; run gendan addin doctor first",
        )
    target = out if out.suffix.lower() == ".json" else out / RESULT_FILE
    result = smoketest(excel, work_folder(target.parent), system)
    try:
        saved: Path | None = write_result(result, target)
    except OSError as exc:
        saved = None
        result["steps"].append(  # type: ignore[attr-defined]
            {"id": "result.file", "status": FAIL, "zh": f"无法写入 {target}:{exc}", "en": f"cannot write {target}: {exc}"}
        )
        result["failed"] = int(result["failed"]) + 1  # type: ignore[call-overload]
    code = 0 if result["failed"] == 0 and result["skipped"] == 0 else 1
    return code, summary(result, saved, lang), ""


def _xlwings_excel() -> Excel:
    from gendan_xl.excel.smoke import XlwingsExcel

    return XlwingsExcel()
