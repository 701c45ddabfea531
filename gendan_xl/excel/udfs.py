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
With a line, the calendar registered by ``set_line_calendar`` (the excel layer
builds it from the workbook's 产线 / 日历 sheets) is used; when none is
registered or it does not know the line, the result is ``#N/A``, like a failed
lookup, rather than a silent national answer.

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
from typing import Any

import numpy as np
import xlwings as xw

from gendan_xl.calendar import WorkCalendar, line_key
from gendan_xl.documents.money import cartons, rmb_upper
from gendan_xl.model import EXCEL_EPOCH, STATUS_LABEL, OrderStatus

ERR_VALUE = "#VALUE!"
ERR_NA = "#N/A"
ERR_NUM = "#NUM!"
ERR_DIV0 = "#DIV/0!"
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


class CellError(Exception):
    """A cell's result is an Excel error value (``code``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- calendars -------------------------------------------------------------------

_national: WorkCalendar | None = None
_line_calendar: WorkCalendar | None = None


def national_calendar() -> WorkCalendar:
    """The national calendar (built once per process)."""
    global _national
    if _national is None:
        _national = WorkCalendar.national()
    return _national


def set_line_calendar(calendar: WorkCalendar | None) -> None:
    """Register the calendar used when a UDF names a line (None to forget it)."""
    global _line_calendar
    _line_calendar = calendar


def get_line_calendar() -> WorkCalendar | None:
    return _line_calendar


def _calendar_for(line: object) -> tuple[WorkCalendar, str | None]:
    if isinstance(line, bool):
        raise CellError(ERR_VALUE)
    if isinstance(line, str):
        _text(line)  # an error cell passes its error on
    key = line_key(line)
    if key is None:
        return national_calendar(), None
    if _line_calendar is None or key not in _line_calendar:
        raise CellError(ERR_NA)
    return _line_calendar, key


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


def workdays_cell(start: object, end: object, line: object = None) -> int:
    calendar, key = _calendar_for(line)
    return calendar.workdays_between(_required_date(start), _required_date(end), key)


def add_workdays_cell(start: object, n: object, line: object = None) -> datetime:
    calendar, key = _calendar_for(line)
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


@xw.func
@xw.arg("start", ndim=2, err_to_str=True, doc="开始日期 start date")
@xw.arg("end", ndim=2, err_to_str=True, doc="结束日期 end date")
@xw.arg("line", ndim=2, err_to_str=True, doc="产线(可空 = 全国工作日) line, blank = national")
def GD_WORKDAYS(start: Any, end: Any, line: Any = None) -> Any:
    """工作日天数(含首尾,同 NETWORKDAYS):国家法定节假日与调休,或产线日历。"""
    return apply_cells(workdays_cell, start, end, line)


@xw.func
@xw.arg("start", ndim=2, err_to_str=True, doc="开始日期 start date")
@xw.arg("n", ndim=2, err_to_str=True, doc="工作日数,可为负 working days, may be negative")
@xw.arg("line", ndim=2, err_to_str=True, doc="产线(可空 = 全国工作日) line, blank = national")
def GD_ADD_WORKDAYS(start: Any, n: Any, line: Any = None) -> Any:
    """开始日期加 n 个工作日(同 WORKDAY)。"""
    return apply_cells(add_workdays_cell, start, n, line)


@xw.func
@xw.arg("commitment", ndim=2, err_to_str=True, doc="承诺交期 commitment date")
@xw.arg("finish", ndim=2, err_to_str=True, doc="完成/出货日期(可空) finish date, may be blank")
@xw.arg("as_of", ndim=2, err_to_str=True, doc="截至日期(可空 = 今天) as-of date, blank = today")
def GD_DAYS_LATE(commitment: Any, finish: Any, as_of: Any = None) -> Any:
    """延误天数(日历天,不为负);完成日期为空时按截至日期计算逾期天数。"""
    return apply_cells(days_late_cell, commitment, finish, as_of)


@xw.func
@xw.arg("qty", ndim=2, err_to_str=True, doc="订单数量 ordered qty")
@xw.arg("produced", ndim=2, err_to_str=True, doc="已生产(良品) produced")
@xw.arg("shipped", ndim=2, err_to_str=True, doc="已出货 shipped")
@xw.arg("commitment", ndim=2, err_to_str=True, doc="承诺交期 commitment date")
@xw.arg("as_of", ndim=2, err_to_str=True, doc="截至日期(可空 = 今天) as-of date, blank = today")
def GD_STATUS(qty: Any, produced: Any, shipped: Any, commitment: Any, as_of: Any = None) -> Any:
    """订单状态:已完成 / 已逾期 / 待出货 / 有风险(2 个工作日内到期且未生产完)/ 正常。"""
    return apply_cells(status_cell, qty, produced, shipped, commitment, as_of)


@xw.func
@xw.arg("amount", ndim=2, err_to_str=True, doc="金额 amount")
def GD_RMB_UPPER(amount: Any) -> Any:
    """人民币大写金额,如 1234.5 -> 壹仟贰佰叁拾肆元伍角。"""
    return apply_cells(rmb_upper_cell, amount)


@xw.func
@xw.arg("qty", ndim=2, err_to_str=True, doc="数量 qty")
@xw.arg("per_carton", ndim=2, err_to_str=True, doc="每箱数量 pcs per carton")
def GD_CARTONS(qty: Any, per_carton: Any) -> Any:
    """箱数 = 数量 / 每箱数量,向上取整。"""
    return apply_cells(cartons_cell, qty, per_carton)


UDFS = (GD_WORKDAYS, GD_ADD_WORKDAYS, GD_DAYS_LATE, GD_STATUS, GD_RMB_UPPER, GD_CARTONS)
