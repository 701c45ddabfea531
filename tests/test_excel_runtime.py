"""The add-in at run time, short of Excel: cell functions reading the calling
workbook's line calendars, error results becoming real Excel error values through
the VBA wrapper, the function wizard's help, and ribbon handlers acting on the book
that pressed the button. Excel is played by tests/xw_double.py."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import xlwings.constants
import xlwings.conversion
from xw_double import FakeApp, FakeBook, FakeXlwings, line_book

from gendan_xl.addin import build as addin_build
from gendan_xl.addin import udf_vba
from gendan_xl.addin.sources import macros_dir
from gendan_xl.excel import buttons, udfs
from gendan_xl.excel.udfs import (
    BOOK_CALENDARS,
    ERROR_CODES,
    GD_ADD_WORKDAYS,
    GD_CARTONS,
    GD_DAYS_LATE,
    GD_RMB_UPPER,
    GD_STATUS,
    GD_WORKDAYS,
)

# 注塑一线 works Saturdays (rests only on Sundays); 装配线 keeps the default week.
LINES = [["产线", "班次数", "休息日"], ["注塑一线", 2, "日"], ["装配线", 1, None]]
CALENDAR = [["日期", "产线", "类型"]]
SAT, OCT12 = "2026-09-19", "2026-10-12"  # a Saturday; Mid-Autumn is 25-27 Sep 2026


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    BOOK_CALENDARS.clear()
    yield
    BOOK_CALENDARS.clear()


def excel_sees(result: object) -> object:
    """What the cell shows once the VBA wrapper's ``GendanErrors`` has run: error
    texts become ``("CVErr", n)``, element by element. The mapping is read from
    macros/GendanErrors.bas itself, not restated here."""
    mapping = error_mapping()
    if isinstance(result, list):
        return [[excel_sees(v) for v in row] for row in result]
    if isinstance(result, str) and result in mapping:
        return ("CVErr", mapping[result])
    return result


def error_mapping() -> dict[str, int]:
    text = (macros_dir() / "GendanErrors.bas").read_text(encoding="utf-8")
    return {m[1]: int(m[2]) for m in re.finditer(r'Case "([^"]+)": GendanCellError = CVErr\((\d+)\)', text)}


# --- line calendars from the calling workbook --------------------------------------


def test_a_saturday_line_across_national_day_differs_from_the_national_calendar() -> None:
    book = line_book(LINES, CALENDAR)
    caller = book.sheets["订单"].range("H2")
    # national: 20 (make-up Sunday) to 24 Sep, 28-30 Sep, 8, 9, 10 (make-up Saturday), 12 Oct
    assert GD_WORKDAYS(SAT, OCT12, None, caller) == 12
    # 注塑一线 also works Saturday 19 Sep; the holidays stay off
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", caller) == 13
    assert GD_WORKDAYS(SAT, OCT12, "装配线", caller) == 12
    assert GD_ADD_WORKDAYS("2026-09-18", 1, None, caller) == datetime(2026, 9, 20)
    assert GD_ADD_WORKDAYS("2026-09-18", 1, "注塑一线", caller) == datetime(2026, 9, 19)
    # a column of lines in one array formula: one calendar read for all of it
    calls = book.calls
    assert GD_WORKDAYS(SAT, OCT12, [["注塑一线"], ["装配线"], [None]], caller) == [[13], [12], [12]]
    assert book.calls - calls == 2  # the 产线 and 日历 sheets' used ranges


def test_editing_the_calendar_sheet_changes_the_next_answer() -> None:
    book = line_book(LINES, CALENDAR)
    caller = book.sheets["订单"].range("H2")
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", caller) == 13
    builds = BOOK_CALENDARS.builds
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", caller) == 13
    assert BOOK_CALENDARS.builds == builds  # nothing changed: the cached calendar
    # the clerk books overtime on 5 October for 注塑一线 only
    book.sheets["日历"].put("A2", datetime(2026, 10, 5))
    book.sheets["日历"].put("B2", "注塑一线")
    book.sheets["日历"].put("C2", "加班")
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", caller) == 14
    assert GD_WORKDAYS(SAT, OCT12, "装配线", caller) == 12
    assert BOOK_CALENDARS.builds == builds + 1
    # and a new line on 产线 is known at once
    assert GD_WORKDAYS(SAT, OCT12, "包装线", caller) == "#N/A"
    book.sheets["产线"].put("A4", "包装线")
    book.sheets["产线"].put("C4", "无")
    assert GD_WORKDAYS(SAT, OCT12, "包装线", caller) == 14  # 24 days but the 10 holidays


def test_each_workbook_has_its_own_lines() -> None:
    first = line_book(LINES, CALENDAR, name="一厂.xlsx")
    second = line_book([["产线", "休息日"], ["注塑一线", "六,日"]], None, name="二厂.xlsx")
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", first.sheets["订单"].range("A1")) == 13
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", second.sheets["订单"].range("A1")) == 12


def test_settings_sheet_can_switch_holidays_off() -> None:
    book = line_book(LINES, CALENDAR)
    settings = book.sheets.add("设置", after=book.sheets[len(book.sheets) - 1])
    settings.put("A1", "项目")
    settings.put("B1", "值")
    settings.put("A2", "法定节假日")
    settings.put("B2", "否")
    # no holidays: every day but Sunday for 注塑一线, 19 Sep to 12 Oct (24 days, 4 Sundays)
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", book.sheets["订单"].range("A1")) == 20


def test_unknown_line_is_a_real_na_error() -> None:
    caller = line_book(LINES, CALENDAR).sheets["订单"].range("H2")
    result = GD_WORKDAYS(SAT, OCT12, "Z线", caller)
    assert result == "#N/A"
    assert excel_sees(result) == ("CVErr", xlwings.constants.CVError.xlErrNA)
    assert excel_sees(GD_ADD_WORKDAYS(SAT, 1, [["Z线"], ["注塑一线"]], caller)) == [
        [("CVErr", 2042)],
        [datetime(2026, 9, 20)],
    ]


def test_a_workbook_without_lines_or_a_broken_caller_gives_na() -> None:
    bare = FakeBook(Path("/fake/空.xlsx"))
    bare.sheets.add("订单")
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", bare.sheets["订单"].range("A1")) == "#N/A"
    assert GD_WORKDAYS(SAT, OCT12, "注塑一线", object()) == "#N/A"


# --- real error values ---------------------------------------------------------------


def test_the_wrapper_mapping_is_excels_own() -> None:
    """GendanErrors.bas maps exactly the seven classic error texts, to the numbers
    xlwings' constants (from Excel's type library) give XlCVError."""
    cv = xlwings.constants.CVError
    assert error_mapping() == {
        "#NULL!": cv.xlErrNull,
        "#DIV/0!": cv.xlErrDiv0,
        "#VALUE!": cv.xlErrValue,
        "#REF!": cv.xlErrRef,
        "#NAME?": cv.xlErrName,
        "#NUM!": cv.xlErrNum,
        "#N/A": cv.xlErrNA,
    }
    assert error_mapping() == ERROR_CODES


ERROR_CASES = [
    (GD_WORKDAYS, ("下周一", OCT12), "#VALUE!"),
    (GD_WORKDAYS, (60, OCT12), "#VALUE!"),
    (GD_WORKDAYS, (0, OCT12), "#NUM!"),
    (GD_WORKDAYS, ("#REF!", OCT12), "#REF!"),
    (GD_WORKDAYS, ("#SPILL!", OCT12), "#VALUE!"),  # newer errors have no CVErr everywhere
    (GD_WORKDAYS, (OCT12, OCT12, True), "#VALUE!"),
    (GD_WORKDAYS, (OCT12, OCT12, "Z线"), "#N/A"),
    (GD_ADD_WORKDAYS, (10, -100), "#NUM!"),
    (GD_ADD_WORKDAYS, (OCT12, "x"), "#VALUE!"),
    (GD_DAYS_LATE, ("x", OCT12), "#VALUE!"),
    (GD_DAYS_LATE, ("#DIV/0!", OCT12), "#DIV/0!"),
    (GD_STATUS, ("abc", 1, 1, OCT12, OCT12), "#VALUE!"),
    (GD_STATUS, (0, 0, 0, OCT12, OCT12), "#NUM!"),
    (GD_STATUS, (100, "#N/A", 0, OCT12, OCT12), "#N/A"),
    (GD_RMB_UPPER, ("abc",), "#VALUE!"),
    (GD_RMB_UPPER, (1e16,), "#NUM!"),
    (GD_RMB_UPPER, ("#NAME?",), "#NAME?"),
    (GD_CARTONS, (1200, 0), "#DIV/0!"),
    (GD_CARTONS, (1200, -10), "#NUM!"),
    (GD_CARTONS, (1200, "box"), "#VALUE!"),
    (GD_CARTONS, ("#NULL!", 10), "#NULL!"),
]


@pytest.mark.parametrize(("func", "args", "code"), ERROR_CASES)
def test_every_error_path_is_an_error_value(func, args, code: str) -> None:  # type: ignore[no-untyped-def]
    assert func(*args) == code
    assert excel_sees(func(*args)) == ("CVErr", ERROR_CODES[code])
    # and element by element in a range, beside a good cell
    column = [[a] for a in (args[0], args[0])]
    assert excel_sees(func(column, *args[1:]))[0] == [("CVErr", ERROR_CODES[code])]


def test_only_errors_become_error_values() -> None:
    results = [GD_STATUS(100, 100, 100, OCT12, OCT12), GD_RMB_UPPER(12.5), GD_CARTONS(None, 1)]
    assert [excel_sees(r) for r in results] == results


def test_every_generated_wrapper_passes_its_result_through_gendan_errors() -> None:
    wrappers = addin_build.udf_wrapper_module()
    assert wrappers is not None
    assignments = [ln.strip() for ln in wrappers.source.splitlines() if "XLPy.CallUDF(" in ln]
    assert len(assignments) == 2 * len(udfs.UDFS)
    for line in assignments:
        name = line.split(" = ")[0]
        assert line.startswith(f'{name} = GendanErrors(XLPy.CallUDF("gendan_xl.excel.udfs", "{name}", ')
        assert line.endswith("))")
    # the caller is passed as Nothing in its place, after the optional line
    assert 'Array(start, end_, line_, Nothing), ActiveWorkbook, Application.Caller))' in wrappers.source
    assert "Function GD_WORKDAYS(start, end_, Optional line_)\n" in wrappers.source


def test_parameter_annotations_are_converters_xlwings_knows() -> None:
    """xlwings turns each annotation into a converter (``accessors[type]``); an
    annotation it has not registered (``object``) would fail every call in Excel."""
    for func in udfs.UDFS:
        for name, hint in typing.get_type_hints(func).items():
            assert hint in xlwings.conversion.accessors, (func.__name__, name, hint)


# --- the function wizard -------------------------------------------------------------


def test_every_function_has_chinese_and_english_help() -> None:
    source = Path(udfs.__file__).read_text(encoding="utf-8")
    found = {u.name: u for u in udf_vba.find_udfs(source)}
    assert set(found) == {f.__name__ for f in udfs.UDFS}
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for udf in found.values():
        assert udf.category == "跟单助手"
        shown = [a for a in udf.args if a.vba is None]
        assert [a.name for a in udf.args if a.vba is not None] in ([], ["caller"])
        for text in [udf.doc] + [a.doc for a in shown]:
            zh, en = udf_vba.help_text(text, "zh"), udf_vba.help_text(text, "en")
            assert cjk.search(zh) and zh != en, (udf.name, text)
            assert re.match(r"[A-Za-z]", en), (udf.name, en)  # English first (names 产线 etc. may follow)
            assert 0 < len(zh) <= 255 and 0 < len(en) <= 255


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_registration_module_describes_each_function(lang: str) -> None:
    source = Path(udfs.__file__).read_text(encoding="utf-8")
    vba = udf_vba.help_module_source(source, lang)
    assert "Option Private Module" in vba and "On Error Resume Next" in vba
    statements = re.split(r"\n    Application\.MacroOptions ", vba)[1:]
    assert len(statements) == len(udfs.UDFS)
    for func, statement in zip(udfs.UDFS, statements, strict=True):
        udf = next(u for u in udf_vba.find_udfs(source) if u.name == func.__name__)
        assert statement.startswith(f'Macro:=book & "{func.__name__}", _')
        assert f'Description:="{udf_vba.help_text(udf.doc, lang)}"' in statement
        assert 'Category:="跟单助手"' in statement
        docs = ", ".join(f'"{udf_vba.help_text(a.doc, lang)}"' for a in udf.args if a.vba is None)
        assert f"ArgumentDescriptions:=Array({docs})" in statement
    if lang == "en":
        assert 'Description:="Working days from start to end, both counted' in vba


def test_the_addin_registers_the_help_when_it_opens() -> None:
    contents = addin_build.addin_contents()
    modules = {m.name: m.source for m in contents.project.modules}
    assert "Private Sub Workbook_Open()" in modules["ThisWorkbook"]
    assert "GendanRegisterFunctions" in modules["ThisWorkbook"]
    assert "Public Sub GendanRegisterFunctions()" in modules["GendanFunctionHelp"]
    assert "Public Function GendanErrors(" in modules["GendanErrors"]
    english = {m.name: m.source for m in addin_build.addin_contents(lang="en").project.modules}
    assert english["GendanFunctionHelp"] != modules["GendanFunctionHelp"]
    # without UDFs nothing is registered, and ThisWorkbook stays empty
    bare = {m.name: m.source for m in addin_build.addin_contents(udf_module=None).project.modules}
    assert "GendanFunctionHelp" not in bare and "Sub " not in bare["ThisWorkbook"]


def test_help_texts_fit_the_project_code_page() -> None:
    for lang in ("zh", "en"):
        for module in addin_build.addin_contents(lang=lang).project.modules:
            module.source.encode("cp936")  # the project's code page: every text must fit


# --- ribbon handlers act on the book that pressed ----------------------------------


def two_books(tmp_path: Path) -> tuple[FakeApp, FakeBook, FakeBook]:
    app = FakeApp()
    active = app.add(FakeBook(tmp_path / "别的工作簿.xlsx"), active=True)
    active.sheets.add("Sheet1")
    pressed = app.add(line_book(LINES, CALENDAR, name="台账.xlsx"))
    return app, active, pressed


def test_handlers_act_on_the_calling_book_not_the_active_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, active, pressed = two_books(tmp_path)
    assert app.books.active is active
    monkeypatch.setattr(buttons, "_xlwings", lambda: FakeXlwings(app, pressed))
    buttons.run("settings")
    assert "设置" in [s.name for s in pressed.sheets]
    assert [s.name for s in active.sheets] == ["Sheet1"] and active.calls == 0
    buttons.run("about")
    assert app.alerts and "跟单助手" in app.alerts[-1]
    assert active.calls == 0


def test_no_calling_book_gives_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, active, _pressed = two_books(tmp_path)
    monkeypatch.setattr(buttons, "_xlwings", lambda: FakeXlwings(app, None))
    buttons.run("check")
    assert app.alerts == [buttons.NO_CALLER]
    assert active.calls == 0


def test_as_of_default_is_today_in_the_udfs() -> None:
    due = date.today().replace(day=1)
    assert GD_DAYS_LATE(due, None) == (date.today() - due).days
