"""`gendan addin smoketest`: off Windows the refusal; every step, its pass and fail
branch, the JSON document and the summary through a double of the ``Excel``
adapter; the expected cell values against the UDFs themselves (through the xlwings
double); the Python side of the buttons (``excel/smoke.py``) on the demo ledger."""

from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from gendan_xl import __version__, cli
from gendan_xl.addin import AddinError
from gendan_xl.addin import smoketest as st
from gendan_xl.addin.doctor import FAIL, OK, SKIP
from gendan_xl.addin.ribbon import ribbon_tags
from gendan_xl.addin.smoketest import Prepared
from tests.test_addin_doctor import FakeSystem

REPO = Path(__file__).resolve().parents[1]
TAGS = ribbon_tags()

# What real Excel shows, read through xlwings, for each case when all is well:
# numbers as floats, dates as datetimes (the cell takes a date format), booleans.
EXCEL_SHOWS: dict[str, object] = {
    "GD_WORKDAYS": 10.0,  # 2026-11-02 .. 11-15: two national weeks
    "GD_WORKDAYS.line": 11.0,  # 注塑一线 works Saturdays; the demo's 日历 takes one day off
    "GD_ADD_WORKDAYS.line": datetime(2026, 11, 7),  # Friday + 1 is the Saturday
    "GD_ADD_WORKDAYS": datetime(2026, 11, 9),  # Friday + 1 is the Monday
    "GD_WORKDAYS.unknown_line": True,
    "GD_DAYS_LATE": 4.0,
    "GD_DAYS_LATE.error": True,
    "GD_DAYS_LATE.error_text": "#VALUE!",
    "GD_STATUS": "已完成",
    "GD_RMB_UPPER": "壹仟贰佰叁拾肆元伍角",
    "GD_CARTONS": 21.0,
    "GD_CARTONS.array": 5.0,
    "GD_CARTONS.array_error": True,
}
CASE_IDS = list(EXCEL_SHOWS)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return st.prepare(tmp_path_factory.mktemp("smoke"))


@pytest.fixture(scope="module")
def cases(prepared: Prepared) -> list[st.CellCase]:
    return st.cell_cases(prepared.ledger)


class FakeExcel:
    """Excel as the smoke test sees it. ``raises``: what a call raises, keyed
    ``start``, ``open:<file>``, ``run:<macro>[:<tag>]``, ``add_sheet``,
    ``formula:<formula>``, ``quit``; ``shows``: a formula's value (default: what
    healthy Excel shows); ``outcomes``: the file a button's Python writes (None:
    Python never ran)."""

    def __init__(
        self,
        cases: list[st.CellCase],
        raises: dict[str, Exception] | None = None,
        shows: dict[str, object] | None = None,
        outcomes: dict[str, dict[str, object] | None] | None = None,
        cells: dict[str, object] | None = None,
        timed_out: bool = False,
    ) -> None:
        self.raises = dict(raises or {})
        self.shows = {c.formula: EXCEL_SHOWS[c.id] for c in cases}
        by_id = {c.id: c.formula for c in cases}
        self.shows.update({by_id[k]: v for k, v in (shows or {}).items()})
        self.outcomes = dict(outcomes or {})
        self.macro_cells = {"D1": st.SELFTEST_TEXT, "D2": st.ERROR_SELFTEST_TEXT, **(cells or {})}
        self.timed_out = timed_out
        self.calls: list[tuple[object, ...]] = []
        self.folders: dict[str, Path] = {}
        self.written: dict[tuple[str, str, str], object] = {}
        self.active = ""

    def _call(self, key: str, *args: object) -> None:
        self.calls.append((key.split(":")[0], *args))
        if key in self.raises:
            raise self.raises[key]

    def start(self) -> str:
        self._call("start")
        return "16.0"

    def open(self, path: Path) -> str:
        self._call(f"open:{path.name}", path)
        assert path.is_file()
        self.folders[path.name] = path.parent
        return path.name

    def run(self, book: str, macro: str, *args: object) -> object:
        self._call(":".join(["run", macro, *map(str, args)]), book, macro, *args)
        assert book == st.ADDIN_FILE_NAME
        if macro == st.BUTTON_MACRO:
            tag = str(args[0])
            outcome = self.outcomes.get(tag, {"tag": tag, "ok": True, "error": "", "alerts": ["好"]})
            if outcome is not None:
                ledger_folder = self.folders[self.active]
                path = ledger_folder / st.HANDLER_RESULT.format(tag=tag)
                path.write_text(json.dumps(outcome, ensure_ascii=False), encoding="utf-8")
        return None

    def activate(self, book: str) -> None:
        self._call("activate", book)
        self.active = book

    def add_sheet(self, book: str, name: str) -> None:
        self._call("add_sheet", book, name)

    def set_formula(self, book: str, sheet: str, address: str, formula: str) -> None:
        self._call(f"formula:{formula}", book, sheet, address, formula)
        self.written[(book, sheet, address)] = self.shows[formula]

    def calculate(self) -> None:
        self._call("calculate")

    def value(self, book: str, sheet: str | int, address: str) -> object:
        self._call("value", book, sheet, address)
        if book == st.ADDIN_FILE_NAME:
            assert sheet == 0
            return self.macro_cells[address]
        return self.written[(book, str(sheet), address)]

    def quit(self) -> None:
        self._call("quit")


def run(prepared: Prepared, cases: list[st.CellCase], **fake: object) -> tuple[dict, FakeExcel]:  # type: ignore[type-arg]
    excel = FakeExcel(cases, **fake)  # type: ignore[arg-type]
    result = st.smoketest(excel, prepared.folder, FakeSystem(prepared.folder), prepare_files=lambda _f: prepared)
    return result, excel


def steps(result: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {s["id"]: s for s in result["steps"]}


def failed(result: dict) -> list[dict]:  # type: ignore[type-arg]
    return [s for s in result["steps"] if s["status"] == FAIL]


ALL_IDS = (
    ["files", "excel.start", "open.addin", "open.ledger", "vba.selftest", "vba.errors"]
    + [f"udf.{i}" for i in CASE_IDS]
    + [f"button.{t}" for t in TAGS]
)


# --- off Windows -------------------------------------------------------------------


def run_cli(*extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["addin", "smoketest", *extra])
    return code, out.getvalue(), err.getvalue()


def test_off_windows_it_says_it_needs_windows_and_excel(tmp_path: Path) -> None:
    for platform_name in ("linux", "darwin"):
        code, out, err = st.command(tmp_path, platform_name=platform_name, make_excel=pytest.fail)
        assert code == cli.EXIT_UNUSABLE and out == ""
        assert err.splitlines() == list(st.NEEDS_WINDOWS)
    assert list(tmp_path.iterdir()) == []  # nothing built, nothing written
    if __import__("sys").platform != "win32":
        code, out, err = run_cli("--out", str(tmp_path))
        assert (code, out) == (2, "")
        assert err.startswith("gendan addin smoketest 需要 Windows 和 Microsoft Excel") and "Traceback" not in err
        code, _out, err = run_cli("--lang", "en")
        assert err.startswith("gendan addin smoketest needs Windows and Microsoft Excel")


def test_when_xlwings_cannot_reach_excel_it_says_so(tmp_path: Path) -> None:
    def broken() -> st.Excel:
        raise ImportError("DLL load failed while importing win32api")

    code, out, err = st.command(tmp_path, platform_name="win32", make_excel=broken)
    assert code == 2 and out == ""
    assert err.startswith("无法通过 xlwings 连接 Excel:ImportError: DLL load failed while importing win32api;请先运行 gendan addin doctor")
    assert list(tmp_path.iterdir()) == []


# --- a healthy run -------------------------------------------------------------------


def test_a_healthy_run_passes_every_step_and_writes_the_file(
    tmp_path: Path, prepared: Prepared, cases: list[st.CellCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(st, "prepare", lambda folder: prepared)
    excel = FakeExcel(cases)
    code, out, err = st.command(tmp_path, platform_name="win32", make_excel=lambda: excel, system=FakeSystem(tmp_path))
    assert (code, err) == (0, "")
    saved = tmp_path / st.RESULT_FILE
    result = json.loads(saved.read_text(encoding="utf-8"))

    # the JSON document
    assert set(result) == {
        "tool", "started", "finished", "folder", "versions", "passed", "failed", "skipped", "ok", "steps"
    }
    assert result["tool"] == "gendan addin smoketest" and result["ok"] is True
    assert (result["passed"], result["failed"], result["skipped"]) == (len(ALL_IDS), 0, 0)
    assert [s["id"] for s in result["steps"]] == ALL_IDS
    assert all({"id", "status", "zh", "en"} <= set(s) for s in result["steps"])
    assert datetime.fromisoformat(result["started"]) <= datetime.fromisoformat(result["finished"])
    versions = result["versions"]
    assert set(versions) == {"windows", "excel", "python", "python_path", "xlwings", "gendan_xl"}
    assert (versions["excel"], versions["python"], versions["xlwings"], versions["gendan_xl"]) == (
        "16.0", "3.11.9", "0.37.8", __version__,
    )
    line = steps(result)["udf.GD_WORKDAYS.line"]
    assert line["formula"] == '=GD_WORKDAYS(DATE(2026,11,2),DATE(2026,11,15),"注塑一线")'
    assert (line["expected"], line["actual"], line["cell"]) == (11, 11, "A2")
    assert steps(result)["button.about"]["alerts"] == ["好"]
    assert Path(result["folder"]).parent == tmp_path  # a fresh folder beside the file

    # the summary: every step, Chinese first, counts, versions, where the file is
    lines = out.splitlines()
    assert len(lines) == len(ALL_IDS) + 3
    assert lines[0] == f"✓ [files] 已生成加载项与演示台账副本:{result['folder']} / add-in and demo ledger copy written: {result['folder']}"
    assert "✓ [excel.start] Excel 16.0 已在后台启动 / Excel 16.0 started invisibly" in lines
    assert "✓ [vba.selftest] VBA 已编译并运行 GendanRibbon.GendanSelfTest / VBA compiled and ran GendanRibbon.GendanSelfTest" in lines
    assert '✓ [udf.GD_DAYS_LATE.error] 错误输入得到真正的错误值(ISERROR 为 TRUE):=ISERROR(GD_DAYS_LATE("x",DATE(2026,11,5))) = True' in out
    assert lines[-3] == f"通过 {len(ALL_IDS)} 项,失败 0 项,未运行 0 项 / {len(ALL_IDS)} passed, 0 failed, 0 not run"
    assert lines[-2].startswith("版本 / Versions: windows ") and "excel 16.0, python 3.11.9, xlwings 0.37.8" in lines[-2]
    assert lines[-1] == f"结果已保存到 / Saved to: {saved}(请保留此文件 / keep this file)"
    assert all(re.search(r"[\u4e00-\u9fff]", ln.split(" / ")[0]) for ln in lines)


def test_excel_is_driven_in_the_right_order(prepared: Prepared, cases: list[st.CellCase]) -> None:
    _result, excel = run(prepared, cases)
    kinds = [c[0] for c in excel.calls]
    assert kinds[:3] == ["start", "open", "open"] and kinds[-1] == "quit"
    assert [c[1].name for c in excel.calls[1:3]] == [st.ADDIN_FILE_NAME, st.LEDGER_COPY]  # type: ignore[union-attr]
    macros = [c[2] for c in excel.calls if c[0] == "run"]
    assert macros == [st.SELFTEST_MACRO, st.ERROR_SELFTEST_MACRO] + [st.BUTTON_MACRO] * len(TAGS)
    # each button runs after its ledger copy was activated (RunPython's Book.caller())
    presses = [i for i, c in enumerate(excel.calls) if c[0] == "run" and c[2] == st.BUTTON_MACRO]
    assert [excel.calls[i - 1] for i in presses] == [("activate", st.LEDGER_COPY)] * len(TAGS)
    assert [excel.calls[i][3] for i in presses] == TAGS
    # formulas go to the new sheet of the copy, one row each, before any button
    formulas = [c for c in excel.calls if c[0] == "formula"]
    assert [(c[1], c[2], c[3]) for c in formulas] == [
        (st.LEDGER_COPY, st.SMOKE_SHEET, f"A{i}") for i in range(1, len(cases) + 1)
    ]
    assert kinds.index("add_sheet") < kinds.index("formula") and max(i for i, c in enumerate(excel.calls) if c[0] == "formula") < presses[0]


def test_english_summary(prepared: Prepared, cases: list[st.CellCase]) -> None:
    result, _excel = run(prepared, cases)
    text = st.summary(result, Path("x.json"), lang="en")
    assert text.splitlines()[1] == "✓ [excel.start] Excel 16.0 started invisibly / Excel 16.0 已在后台启动"
    assert text.splitlines()[-1] == "Saved to / 结果已保存到: x.json (keep this file / 请保留此文件)"


# --- every failure branch --------------------------------------------------------------

BOOM = RuntimeError("(-2147352567, '发生意外。')")
PY_DID_NOT_RUN = {"tag": "check", "ok": False, "error": "", "alerts": []}

FAILURES: list[tuple[str, dict[str, object], str, str]] = [
    # (what, how Excel misbehaves, the failing step, its Chinese message)
    ("excel does not start", {"raises": {"start": BOOM}}, "excel.start", f"启动 Excel失败:RuntimeError: {BOOM}"),
    (
        "add-in does not open",
        {"raises": {f"open:{st.ADDIN_FILE_NAME}": BOOM}},
        "open.addin",
        f"打开加载项失败:RuntimeError: {BOOM}",
    ),
    (
        "ledger does not open",
        {"raises": {f"open:{st.LEDGER_COPY}": OSError("locked")}},
        "open.ledger",
        "打开演示台账副本失败:OSError: locked",
    ),
    (
        "selftest cannot run",
        {"raises": {f"run:{st.SELFTEST_MACRO}": BOOM}},
        "vba.selftest",
        f"运行 GendanRibbon.GendanSelfTest失败:RuntimeError: {BOOM}",
    ),
    (
        "selftest writes nothing",
        {"cells": {"D1": None}},
        "vba.selftest",
        "GendanRibbon.GendanSelfTest 运行后 D1 是 None,应为 '跟单助手 gendan_xl self-test OK'",
    ),
    (
        "error values are text",
        {"cells": {"D2": "FFTT|FT"}},
        "vba.errors",
        "GendanErrors.GendanErrorSelfTest 运行后 D2 是 'FFTT|FT',应为 'TTFT|TF'",
    ),
    (
        "no sheet for the formulas",
        {"raises": {"add_sheet": BOOM}},
        "udf.sheet",
        f"新建工作表 冒烟测试失败:RuntimeError: {BOOM}",
    ),
    (
        "the line calendar is not the workbook's",
        {"shows": {"GD_WORKDAYS.line": 10.0}},
        "udf.GD_WORKDAYS.line",
        '注塑一线 的工作日(读自台账的产线/日历):=GD_WORKDAYS(DATE(2026,11,2),DATE(2026,11,15),"注塑一线") 得到 10,应为 11',
    ),
    (
        "an error comes back as text",
        {"shows": {"GD_DAYS_LATE.error": False}},
        "udf.GD_DAYS_LATE.error",
        '错误输入得到真正的错误值(ISERROR 为 TRUE):=ISERROR(GD_DAYS_LATE("x",DATE(2026,11,5))) 得到 False,应为 True',
    ),
    (
        "the UDF server is not there",
        {"shows": {"GD_RMB_UPPER": "#NAME?"}},
        "udf.GD_RMB_UPPER",
        "人民币大写:=GD_RMB_UPPER(1234.5) 得到 '#NAME?',应为 '壹仟贰佰叁拾肆元伍角'",
    ),
    (
        "a formula is refused",
        {"raises": {"formula:=GD_CARTONS(1001,50)": BOOM}},
        "udf.GD_CARTONS",
        f"箱数:=GD_CARTONS(1001,50)失败:RuntimeError: {BOOM}",
    ),
    (
        "Python never ran for a button",
        {"outcomes": {"capacity": None}},
        "button.capacity",
        "按钮 capacity:Python 没有运行(没有 gendan_smoketest_capacity.json);请运行 gendan addin doctor",
    ),
    (
        "a handler fails",
        {"outcomes": {"work_orders": {"tag": "work_orders", "ok": False, "error": "KeyError: '工单'", "alerts": []}}},
        "button.work_orders",
        "按钮 work_orders 出错:KeyError: '工单'",
    ),
    (
        "Application.Run fails",
        {"raises": {f"run:{st.BUTTON_MACRO}:statement": BOOM}},
        "button.statement",
        f"运行按钮 statement失败:RuntimeError: {BOOM}",
    ),
    (
        "a dialog stalls Excel",
        {"raises": {f"run:{st.BUTTON_MACRO}:about": BOOM}, "timed_out": True},
        "button.about",
        f"运行按钮 about失败:Excel 无响应(可能弹出了对话框),已被结束:RuntimeError: {BOOM}",
    ),
    ("Excel does not close", {"raises": {"quit": BOOM}}, "excel.quit", f"关闭 Excel 失败:{BOOM}"),
]


@pytest.mark.parametrize(("what", "fake", "step", "zh"), FAILURES, ids=[f[0] for f in FAILURES])
def test_each_failure_is_reported(
    prepared: Prepared, cases: list[st.CellCase], what: str, fake: dict[str, object], step: str, zh: str
) -> None:
    result, excel = run(prepared, cases, **fake)
    bad = failed(result)
    assert [s["id"] for s in bad] == [step], what
    assert bad[0]["zh"] == zh
    assert re.match(r"[a-z]", bad[0]["en"], re.I)  # the English twin, in English
    assert result["failed"] == 1 and result["ok"] is False
    assert excel.calls[-1][0] == "quit"  # Excel is always closed
    text = st.summary(result)
    assert f"✗ [{step}] {zh} / " in text and "失败 1 项" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("broken", "skipped_from"),
    [("start", "open.addin"), (f"open:{st.ADDIN_FILE_NAME}", "open.ledger"), (f"open:{st.LEDGER_COPY}", "vba.selftest")],
)
def test_what_cannot_run_after_an_early_failure_is_listed_as_not_run(
    prepared: Prepared, cases: list[st.CellCase], broken: str, skipped_from: str
) -> None:
    result, excel = run(prepared, cases, raises={broken: BOOM})
    assert [s["id"] for s in result["steps"]] == ALL_IDS
    rest = ALL_IDS[ALL_IDS.index(skipped_from):]
    assert [s["id"] for s in result["steps"] if s["status"] == SKIP] == rest
    assert steps(result)[rest[-1]]["zh"].startswith("未运行(") and steps(result)[rest[-1]]["en"].startswith("not run (")
    assert "run" not in [c[0] for c in excel.calls]


def test_without_a_sheet_the_functions_are_not_run(prepared: Prepared, cases: list[st.CellCase]) -> None:
    result, _excel = run(prepared, cases, raises={"add_sheet": BOOM})
    assert [s["status"] for s in result["steps"] if s["id"].startswith("udf.GD")] == [SKIP] * len(CASE_IDS)
    assert all(steps(result)[f"button.{t}"]["status"] == OK for t in TAGS)


def test_when_the_files_cannot_be_built_excel_is_never_started(tmp_path: Path, cases: list[st.CellCase]) -> None:
    def no_build(_folder: Path) -> Prepared:
        raise AddinError("xlwings 的 VBA 模块版本不符")

    excel = FakeExcel(cases)
    result = st.smoketest(excel, tmp_path, FakeSystem(tmp_path), prepare_files=no_build)
    assert excel.calls == []
    assert [(s["id"], s["status"], s["zh"]) for s in result["steps"]] == [
        ("files", FAIL, "无法生成加载项或演示台账:xlwings 的 VBA 模块版本不符")
    ]
    assert result["versions"]["excel"] == ""


def test_exit_code_is_1_when_a_step_fails(
    tmp_path: Path, prepared: Prepared, cases: list[st.CellCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(st, "prepare", lambda folder: prepared)
    excel = FakeExcel(cases, outcomes={"check": None})
    target = tmp_path / "sub" / "pc-张三.json"
    code, out, _err = st.command(target, platform_name="win32", make_excel=lambda: excel, system=FakeSystem(tmp_path))
    assert code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["failed"] == 1
    assert "失败 1 项" in out and str(target) in out.splitlines()[-1]


def test_a_stale_button_file_is_not_taken_for_a_run(prepared: Prepared, cases: list[st.CellCase]) -> None:
    stale = prepared.folder / st.HANDLER_RESULT.format(tag="alerts")
    stale.write_text(json.dumps({"tag": "alerts", "ok": True, "alerts": []}), encoding="utf-8")
    result, _excel = run(prepared, cases, outcomes={"alerts": None})
    assert [s["id"] for s in failed(result)] == ["button.alerts"]


# --- the expected values are what the UDFs compute ----------------------------------


def test_expected_values_are_the_udfs_own_answers_for_the_copy(prepared: Prepared, cases: list[st.CellCase]) -> None:
    """Excel passes the calling cell as ``caller``; through the xlwings double the
    Python UDFs, given the same arguments, give exactly the expected values."""
    from gendan_xl.excel import udfs
    from tests.xw_double import FakeBook

    book = FakeBook.from_xlsx(prepared.ledger)
    caller = book.sheets[0].range("A1")
    udfs.BOOK_CALENDARS.clear()
    by_id = {c.id: c.expected for c in cases}
    a, b, friday = date(2026, 11, 2), date(2026, 11, 15), date(2026, 11, 6)
    assert udfs.GD_WORKDAYS(a, b, None, caller) == by_id["GD_WORKDAYS"]
    assert udfs.GD_WORKDAYS(a, b, st.LINE, caller) == by_id["GD_WORKDAYS.line"]
    assert st.normalize(udfs.GD_ADD_WORKDAYS(friday, 1, st.LINE, caller)) == by_id["GD_ADD_WORKDAYS.line"]
    assert st.normalize(udfs.GD_ADD_WORKDAYS(friday, 1, None, caller)) == by_id["GD_ADD_WORKDAYS"]
    assert udfs.GD_WORKDAYS(a, b, st.NO_LINE, caller) == "#N/A"
    assert udfs.GD_DAYS_LATE("x", date(2026, 11, 5)) == by_id["GD_DAYS_LATE.error_text"]
    assert udfs.GD_STATUS(1000, 1000, 1000, date(2026, 11, 1), date(2026, 11, 26)) == by_id["GD_STATUS"]
    assert udfs.GD_RMB_UPPER(1234.5) == by_id["GD_RMB_UPPER"]
    assert udfs.GD_CARTONS(1001, 50) == by_id["GD_CARTONS"]
    assert udfs.GD_CARTONS([[100], [250]], 50) == [[2], [5]]
    # the line case means something: the line's answer is not the national one
    assert by_id["GD_WORKDAYS.line"] != by_id["GD_WORKDAYS"]
    assert by_id["GD_ADD_WORKDAYS.line"] != by_id["GD_ADD_WORKDAYS"]
    assert [c.id for c in cases] == CASE_IDS


def test_normalize() -> None:
    assert st.normalize(datetime(2026, 11, 7)) == 46333 == st.normalize(date(2026, 11, 7))
    assert st.normalize(46333.0) == 46333 and isinstance(st.normalize(46333.0), int)
    assert st.normalize(2.5) == 2.5
    assert st.normalize(True) is True and st.normalize("#N/A") == "#N/A" and st.normalize(None) is None


# --- the Python side of GendanSmokeButton ---------------------------------------------


def test_the_button_side_records_alerts_instead_of_showing_them(prepared: Prepared, monkeypatch: pytest.MonkeyPatch) -> None:
    from gendan_xl.demo import DEFAULT_AS_OF
    from gendan_xl.excel import buttons, smoke
    from tests.xw_double import FakeApp, FakeBook

    app = FakeApp()
    book = app.add(FakeBook.from_xlsx(prepared.ledger), active=True)
    live = smoke._RecordingWorkbook(book)
    outcome = smoke.handler_outcome(live, "about", DEFAULT_AS_OF)
    assert outcome["ok"] is True and outcome["error"] == ""
    assert len(outcome["alerts"]) == 1 and __version__ in str(outcome["alerts"][0])  # type: ignore[arg-type]
    assert app.alerts == []  # nothing shown

    assert smoke.handler_outcome(live, "nope", DEFAULT_AS_OF)["error"] == "unknown tag 'nope'"

    def broken(_live: object, _as_of: date) -> None:
        raise KeyError("工单")

    monkeypatch.setitem(buttons.HANDLERS, "check", broken)
    outcome = smoke.handler_outcome(live, "check", DEFAULT_AS_OF)
    assert (outcome["ok"], outcome["error"]) == (False, "KeyError: '工单'")


def test_run_handler_writes_its_outcome_beside_the_calling_book(
    tmp_path: Path, prepared: Prepared, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gendan_xl.excel import smoke
    from tests.xw_double import FakeApp, FakeBook, FakeXlwings

    app = FakeApp()
    book = app.add(FakeBook.from_xlsx(prepared.ledger), active=True)
    monkeypatch.setattr(smoke, "xw", FakeXlwings(app, book))
    target = Path(str(book.fullname)).parent / st.HANDLER_RESULT.format(tag="about")
    target.unlink(missing_ok=True)
    smoke.run_handler("about")
    outcome = json.loads(target.read_text(encoding="utf-8"))
    assert outcome["tag"] == "about" and outcome["ok"] is True and outcome["book"] == book.name
    assert smoke.HANDLER_RESULT == st.HANDLER_RESULT


def test_the_vba_macro_the_buttons_go_through() -> None:
    source = (REPO / "macros" / "GendanRibbon.bas").read_text(encoding="utf-8")
    assert "Public Sub GendanSmokeButton(tag As String)" in source
    assert "import gendan_xl.excel.smoke as s; s.run_handler('\" & tag & \"')" in source
    assert st.BUTTON_MACRO == "GendanRibbon.GendanSmokeButton"
    assert st.SELFTEST_TEXT in (REPO / "macros" / "GendanRibbon.bas").read_text(encoding="utf-8")
    assert '"D2").Value = flags' in (REPO / "macros" / "GendanErrors.bas").read_text(encoding="utf-8")


def test_readme_documents_the_smoketest() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "gendan addin smoketest" in readme and st.RESULT_FILE in readme
    in_excel = readme.split("## In Excel", 1)[1].split("\n## ", 1)[0]
    assert "gendan addin smoketest" in in_excel
