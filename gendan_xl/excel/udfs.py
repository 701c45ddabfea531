"""Cell functions (UDFs) for Excel through xlwings: working days, lateness, status,
amounts in Chinese capitals and cartons.

The Python names are the Excel names. Each ``GD_*`` function is a plain Python
function (xlwings' decorators only attach metadata), so the tests call them
directly. Each argument may be a single value or a range: xlwings passes every
argument as a 2-D list (``ndim=2``); arguments are broadcast like Excel arrays
(a single cell, row or column stretches over the others; cells outside a shorter
range give ``#N/A``) and the result has the broadcast shape, or is a single value
when every argument was one. So one array formula can cover a whole column:
``=GD_WORKDAYS(F2:F500, G2:G500)``.

Inputs, cell by cell:
- dates: Excel dates (datetime), Excel serial numbers in the 1900 date system
  (serial 1 = 1900-01-01; 60 is Excel's fictitious 1900-02-29 and gives
  ``#VALUE!``), or text such as ``2026/11/3``, ``2026-11-03``, ``2026.11.3``,
  ``20261103``, ``2026年11月3日``, ``11月3日`` (this year);
- numbers: numbers, or text such as ``1,200`` or ``1200pcs``;
- a blank required input gives an empty text, so a whole-column formula leaves
  blank rows blank; an input cell holding an Excel error passes that error on;
  anything unreadable gives ``#VALUE!`` (``#NUM!`` for out-of-range values).
  Nothing raises into Excel.

Calendars: without a line (blank ``line``) the national calendar is used: Monday
to Friday, China's statutory holidays off, official make-up days (调休) worked.
With a line, the calendar is built from the 产线, 日历 (and 设置's 法定节假日) sheets
of the workbook holding the calling cell, with the engine's own code
(``read_grids`` + ``WorkCalendar.from_ledger``): xlwings passes the calling range
to the parameter named ``caller``. It is cached per workbook and rebuilt when
those sheets' values change (a UDF recalculates only when its arguments change:
after editing 日历, Ctrl+Alt+F9 recalculates everything). A line that is not on
产线 (or no caller, e.g. a call from Python) gives ``#N/A``, like a failed lookup,
rather than a silent national answer.

Errors: a cell's error result is the text of one of Excel's seven classic error
values (``ERROR_CODES``); the generated VBA wrapper (``gendan_xl.addin.udf_vba``)
turns each such text, element by element, into the real error value
(``CVErr``), so ``ISERROR``/``IFERROR`` and conditional formats see it.

Function wizard: each docstring is ``Chinese paragraph`` + blank line +
``English paragraph``; each ``doc=`` is ``中文 | English``; the category is
``跟单助手``. The add-in registers them when it opens (``Application.MacroOptions``).

``as_of`` defaults to today. These functions are not volatile (a volatile UDF
recalculates on every edit, a cost over thousands of rows), so for lateness
that moves with the date pass ``TODAY()`` as ``as_of``:
``=GD_DAYS_LATE(H2:H500, I2:I500, TODAY())``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np
import xlwings as xw

from gendan_xl.calendar import WorkCalendar, line_key
from gendan_xl.documents.money import cartons, rmb_upper
from gendan_xl.excel.live import LiveWorkbook
from gendan_xl.model import EXCEL_EPOCH, STATUS_LABEL, OrderStatus
from gendan_xl.read import read_grids
from gendan_xl.schema import match_sheet

ERR_VALUE = "#VALUE!"
ERR_NA = "#N/A"
ERR_NUM = "#NUM!"
ERR_DIV0 = "#DIV/0!"
# Excel's classic error values and their CVErr numbers (XlCVError). Every error a
# GD_* function returns is one of these texts; the VBA wrapper makes it real.
ERROR_CODES = {
    "#NULL!": 2000,
    "#DIV/0!": 2007,
    "#VALUE!": 2015,
    "#REF!": 2023,
    "#NAME?": 2029,
    "#NUM!": 2036,
    "#N/A": 2042,
}
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)

# GD_STATUS labels: the planner's labels where they mean the same thing, plus 待出货
# (produced in full, not yet shipped), which only this function reports.
LABEL_DONE = STATUS_LABEL["zh"][OrderStatus.DONE]  # 已完成
LABEL_OVERDUE = STATUS_LABEL["zh"][OrderStatus.OVERDUE]  # 已逾期
LABEL_AT_RISK = STATUS_LABEL["zh"][OrderStatus.AT_RISK]  # 有风险
LABEL_ON_TRACK = STATUS_LABEL["zh"][OrderStatus.ON_TRACK]  # 正常
LABEL_READY = "待出货"
RISK_WORKDAYS = 2  # the 风险天数 default of the settings

_EXCEL_EPOCH = EXCEL_EPOCH  # serial 61 = 1900-03-01
_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_TEXT = re.compile(
    r"(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_NUMBER_TEXT = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*[A-Za-z\u4e00-\u9fff]*")


CATEGORY = "跟单助手"


class CellError(Exception):
    """A cell's result is an Excel error value (``code``, one of ``ERROR_CODES``)."""

    def __init__(self, code: str) -> None:
        code = code if code in ERROR_CODES else ERR_VALUE  # newer errors: no CVErr everywhere
        super().__init__(code)
        self.code = code


# --- calendars -------------------------------------------------------------------

_national: WorkCalendar | None = None
CALENDAR_TABLES = frozenset({"lines", "calendar", "settings"})
Grids = dict[str, tuple[list[list[object]], int, int]]


def national_calendar() -> WorkCalendar:
    """The national calendar (built once per process)."""
    global _national
    if _national is None:
        _national = WorkCalendar.national()
    return _national


class BookCalendars:
    """Line calendars per workbook, rebuilt only when its 产线/日历/设置 values change.

    Each lookup reads those sheets' values (one call per sheet) and compares them
    with what the cached calendar was built from.
    """

    MAX_BOOKS = 16

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Grids, WorkCalendar]] = {}
        self.builds = 0  # how many calendars were built (the tests watch the cache)

    def clear(self) -> None:
        self._cache.clear()

    def calendar(self, live: LiveWorkbook) -> WorkCalendar:
        names = [n for n in live.sheet_names() if match_sheet(n) in CALENDAR_TABLES]
        grids = {name: live.grid(name) for name in names}
        key = str(live.book.fullname)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == grids:
            return cached[1]
        calendar = WorkCalendar.from_ledger(read_grids(live.name, grids, date.today()))
        self.builds += 1
        self._cache.pop(key, None)
        while len(self._cache) >= self.MAX_BOOKS:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = (grids, calendar)
        return calendar


BOOK_CALENDARS = BookCalendars()


class LineCalendars:
    """The calling workbook's line calendar for one UDF call, read on first need."""

    def __init__(self, caller: object) -> None:
        self._caller = caller
        self._calendar: WorkCalendar | None = None
        self._done = False

    def get(self) -> WorkCalendar | None:
        if not self._done:
            self._done = True
            try:
                book = self._caller.sheet.book  # type: ignore[attr-defined]
                self._calendar = BOOK_CALENDARS.calendar(LiveWorkbook(book))
            except Exception:  # no caller (a call from Python or VBA), or unreadable
                self._calendar = None
        return self._calendar


def _calendar_for(line: object, lines: LineCalendars | None) -> tuple[WorkCalendar, str | None]:
    if isinstance(line, bool):
        raise CellError(ERR_VALUE)
    if isinstance(line, str):
        _text(line)  # an error cell passes its error on
    key = line_key(line)
    if key is None:
        return national_calendar(), None
    calendar = lines.get() if lines is not None else None
    if calendar is None or key not in calendar:
        raise CellError(ERR_NA)
    return calendar, key


# --- reading cells ---------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def _text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if text.upper() in EXCEL_ERRORS:
        raise CellError(text.upper())
    return text


def serial_to_date(serial: float) -> date:
    """An Excel serial number (1900 date system) as a date; the time of day is dropped."""
    if math.isnan(serial) or math.isinf(serial):
        raise CellError(ERR_VALUE)
    whole = math.floor(serial)
    if whole < 1 or whole > _MAX_SERIAL:
        raise CellError(ERR_NUM)
    if whole == 60:  # 1900-02-29, which Excel counts but never existed
        raise CellError(ERR_VALUE)
    if whole < 60:
        return date(1899, 12, 31) + timedelta(days=whole)
    return _EXCEL_EPOCH + timedelta(days=whole)


def cell_date(value: object) -> date | None:
    """A date from a cell value, None when blank; CellError when unreadable."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(ERR_VALUE)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        return value.astype("datetime64[D]").item()  # type: ignore[no-any-return]
    if isinstance(value, int | float | np.number):
        return serial_to_date(float(value))
    if isinstance(value, str):
        text = _text(value)
        if re.fullmatch(r"\d{8}", text):
            year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
        elif re.fullmatch(r"\d+(\.\d+)?", text):
            return serial_to_date(float(text))
        else:
            match = _DATE_TEXT.fullmatch(text)
            if match is None:
                raise CellError(ERR_VALUE)
            year = int(match[1]) if match[1] else date.today().year
            month, day = int(match[2]), int(match[3])
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError(ERR_VALUE) from None
    raise CellError(ERR_VALUE)


def cell_number(value: object) -> float | None:
    """A number from a cell value, None when blank; CellError when unreadable."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(ERR_VALUE)
    if isinstance(value, int | float | np.number):
        number = float(value)
    elif isinstance(value, str):
        text = _text(value).replace(",", "")
        match = _NUMBER_TEXT.fullmatch(text)
        if match is None:
            raise CellError(ERR_VALUE)
        number = float(match[1])
    else:
        raise CellError(ERR_VALUE)
    if math.isinf(number):
        raise CellError(ERR_NUM)
    return number


def _required_date(value: object) -> date:
    day = cell_date(value)
    if day is None:
        raise _Blank
    return day


def _as_of(value: object) -> date:
    day = cell_date(value)
    return date.today() if day is None else day


class _Blank(Exception):
    """A required input is blank: the cell's result is empty text."""


# --- arrays ----------------------------------------------------------------------


def _grid(value: object) -> list[list[object]]:
    """Any argument as a 2-D list: a scalar is 1x1, a flat list a column."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        if not value:
            return [[None]]
        if all(isinstance(row, list | tuple) for row in value):
            return [list(row) if row else [None] for row in value]
        return [[v] for v in value]
    return [[value]]


def _pick(grid: list[list[object]], i: int, j: int) -> object:
    row = grid[0] if len(grid) == 1 else grid[i] if i < len(grid) else None
    if row is None:
        raise CellError(ERR_NA)
    if len(row) == 1:
        return row[0]
    if j < len(row):
        return row[j]
    raise CellError(ERR_NA)


def _cell(func: Callable[..., object], values: list[object]) -> object:
    try:
        return func(*values)
    except _Blank:
        return ""
    except CellError as err:
        return err.code
    except Exception:  # a cell function must never raise into Excel
        return ERR_VALUE


def apply_cells(func: Callable[..., object], *args: object) -> Any:
    """``func`` over the broadcast cells of ``args``; a scalar when every arg is one cell."""
    grids = [_grid(a) for a in args]
    n_rows = max(len(g) for g in grids)
    n_cols = max(max(len(r) for r in g) for g in grids)
    out: list[list[object]] = []
    for i in range(n_rows):
        row: list[object] = []
        for j in range(n_cols):
            try:
                values = [_pick(g, i, j) for g in grids]
            except CellError as err:
                row.append(err.code)
                continue
            row.append(_cell(func, values))
        out.append(row)
    if n_rows == 1 and n_cols == 1:
        return out[0][0]
    return out


# --- one cell each ---------------------------------------------------------------


def workdays_cell(
    start: object, end: object, line: object = None, lines: LineCalendars | None = None
) -> int:
    calendar, key = _calendar_for(line, lines)
    return calendar.workdays_between(_required_date(start), _required_date(end), key)


def add_workdays_cell(
    start: object, n: object, line: object = None, lines: LineCalendars | None = None
) -> datetime:
    calendar, key = _calendar_for(line, lines)
    first = _required_date(start)
    count = cell_number(n)
    steps = 0 if count is None else math.trunc(count)  # WORKDAY truncates
    try:
        day = calendar.add_workdays(first, steps, key)
    except (ValueError, OverflowError):
        raise CellError(ERR_NUM) from None
    if day.year < 1900:
        raise CellError(ERR_NUM)
    return datetime(day.year, day.month, day.day)


def days_late_cell(commitment: object, finish: object, as_of: object = None) -> int:
    due = _required_date(commitment)
    end = cell_date(finish)
    if end is None:
        end = _as_of(as_of)
    return max(0, (end - due).days)


def status_cell(
    qty: object, produced: object, shipped: object, commitment: object, as_of: object = None
) -> str:
    ordered = cell_number(qty)
    if ordered is None:
        raise _Blank
    if ordered <= 0:
        raise CellError(ERR_NUM)
    made = cell_number(produced) or 0.0
    sent = cell_number(shipped) or 0.0
    due = cell_date(commitment)
    today = _as_of(as_of)
    if sent >= ordered:
        return LABEL_DONE
    if due is not None and due < today:
        return LABEL_OVERDUE
    if made >= ordered:
        return LABEL_READY
    if due is not None and national_calendar().workdays_in(today, due) <= RISK_WORKDAYS:
        return LABEL_AT_RISK
    return LABEL_ON_TRACK


def rmb_upper_cell(amount: object) -> str:
    number = cell_number(amount)
    if number is None:
        raise _Blank
    if abs(number) >= 1e16:
        raise CellError(ERR_NUM)
    return rmb_upper(number)  # rounds str(number), so 0.05 stays 0.05


def cartons_cell(qty: object, per_carton: object) -> int:
    pieces = cell_number(qty)
    per = cell_number(per_carton)
    if pieces is None or per is None:
        raise _Blank
    if per == 0:
        raise CellError(ERR_DIV0)
    result = cartons(pieces, per)
    if result is None:
        raise CellError(ERR_NUM)
    return result


# --- the Excel functions ---------------------------------------------------------
# ndim=2: a single cell arrives as [[value]] and a range as rows, so a column and a
# row stay distinguishable; err_to_str: error cells arrive as "#N/A" etc.
# ``caller`` is filled in by xlwings with the calling range (the VBA wrapper passes
# Nothing for it); it is annotated ``Any`` because xlwings turns an annotation into
# a converter and only knows the types it registered.
# Docstrings: Chinese paragraph, blank line, English paragraph; doc=: "中文 | English".
# Both feed the function wizard (Application.MacroOptions, at most 255 characters).

_START = "开始日期 | start date"
_LINE = "产线名称,须在产线表中;空 = 全国工作日 | production line on 产线; blank = national calendar"
_AS_OF = "截至日期,空 = 今天(可填 TODAY()) | as-of date, blank = today (or TODAY())"
_DUE = "承诺交期 | committed delivery date"


@xw.func(category=CATEGORY)
@xw.arg("start", ndim=2, err_to_str=True, doc=_START)
@xw.arg("end", ndim=2, err_to_str=True, doc="结束日期 | end date")
@xw.arg("line", ndim=2, err_to_str=True, doc=_LINE)
def GD_WORKDAYS(start: Any, end: Any, line: Any = None, caller: Any = None) -> Any:
    """两个日期之间的工作日天数(含首尾,同 NETWORKDAYS),按国家节假日与调休或产线日历。

    Working days from start to end, both counted (like NETWORKDAYS), by China's
    holidays and make-up days or by the line's calendar.
    """
    return apply_cells(partial(workdays_cell, lines=LineCalendars(caller)), start, end, line)


@xw.func(category=CATEGORY)
@xw.arg("start", ndim=2, err_to_str=True, doc=_START)
@xw.arg("n", ndim=2, err_to_str=True, doc="工作日数,可为负 | working days, may be negative")
@xw.arg("line", ndim=2, err_to_str=True, doc=_LINE)
def GD_ADD_WORKDAYS(start: Any, n: Any, line: Any = None, caller: Any = None) -> Any:
    """开始日期加 n 个工作日后的日期(同 WORKDAY),按国家节假日与调休或产线日历。

    The date n working days after start (like WORKDAY), by China's holidays and
    make-up days or by the line's calendar.
    """
    return apply_cells(partial(add_workdays_cell, lines=LineCalendars(caller)), start, n, line)


@xw.func(category=CATEGORY)
@xw.arg("commitment", ndim=2, err_to_str=True, doc=_DUE)
@xw.arg("finish", ndim=2, err_to_str=True, doc="完成或出货日期,可空 | finish or ship date, may be blank")
@xw.arg("as_of", ndim=2, err_to_str=True, doc=_AS_OF)
def GD_DAYS_LATE(commitment: Any, finish: Any, as_of: Any = None) -> Any:
    """延误天数(日历天,不为负);完成日期为空时按截至日期计算已逾期天数。

    Days late (calendar days, never negative); with no finish date, days overdue
    as of the as-of date.
    """
    return apply_cells(days_late_cell, commitment, finish, as_of)


@xw.func(category=CATEGORY)
@xw.arg("qty", ndim=2, err_to_str=True, doc="订单数量 | ordered quantity")
@xw.arg("produced", ndim=2, err_to_str=True, doc="已生产良品数 | good quantity produced")
@xw.arg("shipped", ndim=2, err_to_str=True, doc="已出货数 | quantity shipped")
@xw.arg("commitment", ndim=2, err_to_str=True, doc=_DUE)
@xw.arg("as_of", ndim=2, err_to_str=True, doc=_AS_OF)
def GD_STATUS(qty: Any, produced: Any, shipped: Any, commitment: Any, as_of: Any = None) -> Any:
    """订单状态:已完成 / 已逾期 / 待出货 / 有风险(2 个工作日内到期且未生产完)/ 正常。

    Order status: done, overdue, ready to ship, at risk (due within 2 working days
    and not produced) or on track, in Chinese.
    """
    return apply_cells(status_cell, qty, produced, shipped, commitment, as_of)


@xw.func(category=CATEGORY)
@xw.arg("amount", ndim=2, err_to_str=True, doc="金额(元) | amount in yuan")
def GD_RMB_UPPER(amount: Any) -> Any:
    """人民币大写金额,如 1234.5 得 壹仟贰佰叁拾肆元伍角。

    An amount in Chinese capital numerals for invoices, e.g. 1234.5 gives
    壹仟贰佰叁拾肆元伍角.
    """
    return apply_cells(rmb_upper_cell, amount)


@xw.func(category=CATEGORY)
@xw.arg("qty", ndim=2, err_to_str=True, doc="数量 | quantity")
@xw.arg("per_carton", ndim=2, err_to_str=True, doc="每箱数量 | pieces per carton")
def GD_CARTONS(qty: Any, per_carton: Any) -> Any:
    """箱数 = 数量 / 每箱数量,向上取整。

    Cartons needed: quantity divided by pieces per carton, rounded up.
    """
    return apply_cells(cartons_cell, qty, per_carton)


UDFS = (GD_WORKDAYS, GD_ADD_WORKDAYS, GD_DAYS_LATE, GD_STATUS, GD_RMB_UPPER, GD_CARTONS)
