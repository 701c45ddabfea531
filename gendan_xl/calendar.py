"""Working calendar per production line: which days a line works and for how many hours.

A day's hours on a line follow three layers, the later overriding the earlier:

1. the week: every day except the line's weekly rest days (休息日, blank = 六,日)
   is a working day of 班次数 x 每班工时 x 效率 hours (defaults 1, 8, 1.0);
2. China's statutory calendar (``chinesecalendar``), unless turned off
   (设置 法定节假日 = 否): statutory holidays are off even when they fall on a day
   the line would work (a Saturday for a line resting only on Sundays), and
   official make-up working days (调休上班) are worked by every line;
3. rows of the 日历 sheet: 休息 makes the day off; 加班 / 工作 make it a working
   day with the row's 工时 as the day's available hours (taken as written, not
   multiplied by efficiency), or the line's normal hours when 工时 is blank.
   A row with a blank 产线 applies to every line; a row naming the line wins over
   such a row for the same date; of two rows for the same date and the same
   line (or both for all lines), the lower one wins.

``line=None`` is the default calendar: Monday to Friday, 8 hours, China's
holidays (per the setting) and the all-lines 日历 rows. ``WorkCalendar.national()``
has no 日历 rows, so its default calendar is the national one the UDFs use.

Years that ``chinesecalendar`` has no data for degrade to "no holidays, no
make-up days" and are listed in ``WorkCalendar.years_without_holidays``; nothing
here raises for them.

Days are computed per line as numpy arrays over whole years and cached (with a
running count of working days), so the scheduler's ``hours_array`` calls are
slices and working-day counts are two lookups.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gendan_xl.ledger import Ledger

DEFAULT_REST_DAYS: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
DEFAULT_SHIFTS = 1.0
DEFAULT_HOURS_PER_SHIFT = 8.0
DEFAULT_EFFICIENCY = 1.0

# Day kinds in China's statutory calendar.
_REGULAR, _HOLIDAY, _MAKEUP = 0, 1, 2

_OFF_KINDS = frozenset({"休息", "休", "放假", "停工", "停产", "off", "rest", "holiday"})
_ON_KINDS = frozenset({"加班", "工作", "上班", "开工", "work", "overtime", "workday"})

_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_DAYS = (
    (re.compile(r"mon(day)?"), 0),
    (re.compile(r"tue(s(day)?)?"), 1),
    (re.compile(r"wed(nesday)?"), 2),
    (re.compile(r"thu(r(s(day)?)?)?"), 3),
    (re.compile(r"fri(day)?"), 4),
    (re.compile(r"sat(urday)?"), 5),
    (re.compile(r"sun(day)?"), 6),
)
_NO_REST = frozenset({"无", "没有", "不休", "none", "no", "0", "-", "/"})
_SEPARATORS = re.compile(r"[\s,，、;；/|+&和及与]+")


# --- parsing helpers -------------------------------------------------------------


def line_key(value: object) -> str | None:
    """The name a line is looked up by: trimmed text, NFKC-normalised; blank -> None.

    A number such as ``1.0`` (a line called "1" read as a number) becomes ``"1"``.
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def parse_rest_days(value: object) -> frozenset[int] | None:
    """Weekly rest days from tolerant text: ``日``, ``六,日``, ``周六、周日``,
    ``星期六 星期日``, ``Sat,Sun``, ``6,7`` (1 = Monday ... 7 = Sunday), ``双休``.

    Blank gives the default (六,日); ``无`` / ``none`` gives no rest day. Returns
    None when the text is not understood (the caller falls back to the default).
    Weekdays are ``date.weekday()`` numbers: 0 = Monday ... 6 = Sunday.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DEFAULT_REST_DAYS
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if not text:
        return DEFAULT_REST_DAYS
    if text in _NO_REST:
        return frozenset()
    if text in ("双休", "周末", "weekend", "weekends"):
        return DEFAULT_REST_DAYS
    if text in ("单休",):
        return frozenset({6})
    for word in ("星期", "礼拜", "周"):
        text = text.replace(word, " ")
    days: set[int] = set()
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        rest = token
        for pattern, day in _EN_DAYS:
            if pattern.fullmatch(rest):
                days.add(day)
                rest = ""
                break
        for ch in rest:  # "六日", "67", "6-7" are read one day per character
            if ch in _ZH_DAYS:
                days.add(_ZH_DAYS[ch])
            elif ch in "1234567":
                days.add(int(ch) - 1)
            elif ch in "-.。末":
                continue
            else:
                return None
    return frozenset(days) if days else None


def holidays_enabled(value: object) -> bool:
    """The 设置 value of 法定节假日 as a switch: blank or 是/yes/true/1 -> on; 否/no/false/0/off -> off."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    return text not in ("否", "不", "不用", "关", "关闭", "no", "n", "false", "off", "0")


def to_date(value: object) -> date:
    """A date from a ``date``, ``datetime``, ``pd.Timestamp`` or ``np.datetime64``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    raise TypeError(f"not a date: {value!r}")


def _number(value: object, default: float) -> float:
    if value is None or isinstance(value, bool):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) or math.isinf(number) else number


def _kind_is_working(kind: object) -> bool | None:
    if kind is None or (isinstance(kind, float) and math.isnan(kind)):
        return None
    text = unicodedata.normalize("NFKC", str(kind)).strip().casefold()
    if text in _OFF_KINDS:
        return False
    if text in _ON_KINDS:
        return True
    return None


# --- China's statutory calendar --------------------------------------------------

_CHINA_YEARS: dict[int, np.ndarray | None] = {}


@functools.cache
def _china_year_range() -> tuple[int, int]:
    """Years ``chinesecalendar`` has data for (it checks the same bounds and raises
    NotImplementedError outside them; knowing them up front saves a raise per year)."""
    import chinese_calendar

    try:
        days = chinese_calendar.holidays.keys()
        return min(days).year, max(days).year
    except (AttributeError, TypeError, ValueError):
        return 1, 9999  # unknown: ask day by day


def china_day_kinds(year: int) -> np.ndarray | None:
    """Per day of ``year``: 0 regular, 1 statutory holiday, 2 make-up working day (调休).

    None when ``chinesecalendar`` has no data for the year. Cached per process:
    the package's data does not change while we run.
    """
    if year in _CHINA_YEARS:
        return _CHINA_YEARS[year]
    import chinese_calendar

    low, high = _china_year_range()
    if not low <= year <= high:
        _CHINA_YEARS[year] = None
        return None
    first = date(year, 1, 1)
    n_days = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
    kinds: np.ndarray | None = np.zeros(n_days, dtype=np.int8)
    try:
        for i in range(n_days):
            # (True, name) = statutory holiday; (False, name) = make-up working day;
            # (True, None) is an ordinary weekend, left to the line's own rest days.
            is_off, name = chinese_calendar.get_holiday_detail(first + timedelta(days=i))
            if name is not None:
                kinds[i] = _HOLIDAY if is_off else _MAKEUP  # type: ignore[index]
    except (NotImplementedError, KeyError, ValueError):
        kinds = None
    _CHINA_YEARS[year] = kinds
    return kinds


# --- the calendar ----------------------------------------------------------------


@dataclass(frozen=True)
class LineCalendar:
    """One line's weekly pattern and its own 日历 overrides."""

    name: str | None
    normal_hours: float
    rest_days: frozenset[int]
    overrides: dict[date, tuple[bool, float]]  # day -> (working, hours)


@dataclass
class _Span:
    """A line's days from 1 January of ``first_year`` through 31 December of ``last_year``."""

    first_year: int
    last_year: int
    working: np.ndarray  # bool
    hours: np.ndarray  # float64
    cum: np.ndarray  # int64: working days before each index (len = days + 1)

    @property
    def origin(self) -> date:
        return date(self.first_year, 1, 1)


class WorkCalendar:
    """Working days and hours per production line (see the module docstring).

    ``lines``: the 产线 table (columns ``line, shifts, hours_per_shift, efficiency,
    rest_days``); ``exceptions``: the 日历 table (``date, line, kind, hours``).
    Unknown lines raise ``KeyError`` (check ``line in calendar`` first); ``None``
    is the default calendar.
    """

    def __init__(
        self,
        lines: pd.DataFrame | None = None,
        exceptions: pd.DataFrame | None = None,
        use_holidays: bool = True,
    ) -> None:
        self.use_holidays = use_holidays
        self.years_without_holidays: set[int] = set()
        self.unparsed_rest_days: dict[str, str] = {}
        self.unknown_exception_lines: set[str] = set()
        all_lines, per_line = self._read_exceptions(exceptions)
        self._lines: dict[str | None, LineCalendar] = {
            None: LineCalendar(
                None,
                DEFAULT_SHIFTS * DEFAULT_HOURS_PER_SHIFT,
                DEFAULT_REST_DAYS,
                self._resolve(all_lines, {}, DEFAULT_SHIFTS * DEFAULT_HOURS_PER_SHIFT),
            )
        }
        if lines is not None and len(lines):
            for rec in lines.to_dict("records"):
                name = line_key(rec.get("line"))
                if name is None or name in self._lines:
                    continue  # blank or duplicate line: the checks report it
                normal = self._normal_hours(rec)
                rest = parse_rest_days(rec.get("rest_days"))
                if rest is None:
                    self.unparsed_rest_days[name] = str(rec.get("rest_days"))
                    rest = DEFAULT_REST_DAYS
                self._lines[name] = LineCalendar(
                    name, normal, rest, self._resolve(all_lines, per_line.get(name, {}), normal)
                )
        self.unknown_exception_lines = {k for k in per_line if k not in self._lines}
        self._spans: dict[str | None, _Span] = {}

    # construction ----------------------------------------------------------------

    @classmethod
    def national(cls) -> WorkCalendar:
        """Monday to Friday, 8 hours, China's holidays off and make-up days worked."""
        return cls(None, None, use_holidays=True)

    @classmethod
    def from_ledger(cls, ledger: Ledger) -> WorkCalendar:
        """The calendar of a ledger: its 产线 and 日历 tables and the 法定节假日 setting."""
        return cls(
            ledger["lines"],
            ledger["calendar"],
            use_holidays=holidays_enabled(ledger.setting("holidays", "是")),
        )

    @staticmethod
    def _normal_hours(rec: Mapping[Hashable, object]) -> float:
        shifts = _number(rec.get("shifts"), DEFAULT_SHIFTS)
        per_shift = _number(rec.get("hours_per_shift"), DEFAULT_HOURS_PER_SHIFT)
        efficiency = _number(rec.get("efficiency"), DEFAULT_EFFICIENCY)
        if efficiency > 5:  # written as a percentage (85 for 85%)
            efficiency /= 100
        return max(0.0, shifts * per_shift * efficiency)

    @staticmethod
    def _read_exceptions(
        exceptions: pd.DataFrame | None,
    ) -> tuple[dict[date, tuple[bool, float]], dict[str, dict[date, tuple[bool, float]]]]:
        """日历 rows as (working, hours or NaN) per day, for all lines and per line."""
        all_lines: dict[date, tuple[bool, float]] = {}
        per_line: dict[str, dict[date, tuple[bool, float]]] = {}
        if exceptions is None or not len(exceptions):
            return all_lines, per_line
        for rec in exceptions.to_dict("records"):
            raw_day = rec.get("date")
            if (
                raw_day is None
                or raw_day is pd.NaT
                or (isinstance(raw_day, float) and math.isnan(raw_day))
            ):
                continue
            try:
                day = to_date(raw_day)
            except TypeError:
                continue
            working = _kind_is_working(rec.get("kind"))
            if working is None:
                continue  # unknown kind: the checks report it
            hours = _number(rec.get("hours"), math.nan)
            if not working:
                hours = 0.0
            elif hours < 0:
                hours = math.nan  # nonsense hours: use the line's normal hours
            entry = (working, hours)
            name = line_key(rec.get("line"))
            if name is None:
                all_lines[day] = entry
            else:
                per_line.setdefault(name, {})[day] = entry
        return all_lines, per_line

    @staticmethod
    def _resolve(
        all_lines: dict[date, tuple[bool, float]],
        own: dict[date, tuple[bool, float]],
        normal: float,
    ) -> dict[date, tuple[bool, float]]:
        merged = {**all_lines, **own}
        return {
            day: (working, normal if working and math.isnan(hours) else hours)
            for day, (working, hours) in merged.items()
        }

    # lines -----------------------------------------------------------------------

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines this calendar knows, in the order of the 产线 table."""
        return tuple(k for k in self._lines if k is not None)

    def __contains__(self, line: object) -> bool:
        """Whether ``line`` names a line of the 产线 table (blank -> False)."""
        key = line_key(line)
        return key is not None and key in self._lines

    def _line(self, line: object) -> LineCalendar:
        key = line_key(line)
        try:
            return self._lines[key]
        except KeyError:
            raise KeyError(f"unknown production line: {line!r}") from None

    def normal_hours(self, line: object = None) -> float:
        """Hours of an ordinary working day on ``line``."""
        return self._line(line).normal_hours

    def rest_days(self, line: object = None) -> frozenset[int]:
        """Weekly rest days of ``line`` (0 = Monday ... 6 = Sunday)."""
        return self._line(line).rest_days

    # day arrays ------------------------------------------------------------------

    def _build(self, key: str | None, first_year: int, last_year: int) -> _Span:
        """The line's days from 1 January ``first_year`` through 31 December ``last_year``."""
        spec = self._lines[key]
        origin = date(first_year, 1, 1)
        n_days = (date(last_year, 12, 31) - origin).days + 1
        weekday = (origin.weekday() + np.arange(n_days)) % 7
        working = ~np.isin(weekday, list(spec.rest_days))
        if self.use_holidays:
            for year in range(first_year, last_year + 1):
                kinds = china_day_kinds(year)
                if kinds is None:
                    self.years_without_holidays.add(year)
                    continue
                i = (date(year, 1, 1) - origin).days
                part = working[i : i + len(kinds)]  # a view: edits land in ``working``
                part[kinds == _HOLIDAY] = False
                part[kinds == _MAKEUP] = True
        hours = np.where(working, spec.normal_hours, 0.0)
        for day, (day_working, day_hours) in spec.overrides.items():
            if first_year <= day.year <= last_year:
                i = (day - origin).days
                working[i] = day_working
                hours[i] = day_hours
        cum = np.concatenate(([0], np.cumsum(working, dtype=np.int64)))
        return _Span(first_year, last_year, working, hours, cum)

    def _span(self, key: str | None, first_year: int, last_year: int) -> _Span:
        """The line's cached day arrays, grown to cover ``first_year..last_year``."""
        first_year, last_year = max(1, first_year), min(9999, last_year)
        span = self._spans.get(key)
        if span is not None and span.first_year <= first_year and last_year <= span.last_year:
            return span
        if span is not None:
            first_year = min(first_year, span.first_year)
            last_year = max(last_year, span.last_year)
        span = self._build(key, first_year, last_year)
        self._spans[key] = span
        return span

    def _index(self, key: str | None, start: date, end: date) -> tuple[_Span, int, int]:
        """The span covering start..end and the indexes of both days in it."""
        span = self._span(key, start.year, end.year)
        origin = span.origin
        return span, (start - origin).days, (end - origin).days

    # per day ---------------------------------------------------------------------

    def hours_array(self, line: object, start: object, n_days: int) -> np.ndarray:
        """Available hours on ``line`` for ``n_days`` consecutive days from ``start`` (a copy)."""
        key = self._line(line).name
        first = to_date(start)
        if n_days <= 0:
            return np.zeros(0, dtype=np.float64)
        span, i, j = self._index(key, first, first + timedelta(days=n_days - 1))
        return span.hours[i : j + 1].copy()

    def workday_array(self, line: object, start: object, n_days: int) -> np.ndarray:
        """Working-day flags on ``line`` for ``n_days`` consecutive days from ``start`` (a copy)."""
        key = self._line(line).name
        first = to_date(start)
        if n_days <= 0:
            return np.zeros(0, dtype=bool)
        span, i, j = self._index(key, first, first + timedelta(days=n_days - 1))
        return span.working[i : j + 1].copy()

    def hours(self, line: object, day: object) -> float:
        """Available hours on ``line`` on ``day`` (0 on a day off)."""
        key = self._line(line).name
        d = to_date(day)
        span, i, _ = self._index(key, d, d)
        return float(span.hours[i])

    def is_workday(self, line: object, day: object) -> bool:
        """Whether ``line`` works on ``day``."""
        key = self._line(line).name
        d = to_date(day)
        span, i, _ = self._index(key, d, d)
        return bool(span.working[i])

    # working-day arithmetic --------------------------------------------------------

    def workdays_in(
        self, start_exclusive: object, end_inclusive: object, line: object = None
    ) -> int:
        """Working days d with start_exclusive < d <= end_inclusive (0 when end <= start)."""
        key = self._line(line).name
        a, b = to_date(start_exclusive), to_date(end_inclusive)
        if b <= a:
            return 0
        span, i, j = self._index(key, a, b)
        return int(span.cum[j + 1] - span.cum[i + 1])

    def workday_diff(self, start: object, end: object, line: object = None) -> int:
        """Signed working days from ``start`` to ``end``: ``workdays_in(start, end)``,
        or minus ``workdays_in(end, start)`` when end is earlier (e.g. workdays late)."""
        a, b = to_date(start), to_date(end)
        if b >= a:
            return self.workdays_in(a, b, line)
        return -self.workdays_in(b, a, line)

    def workday_diff_many(
        self, line: object, starts: Iterable[object], ends: Iterable[object]
    ) -> np.ndarray:
        """``workday_diff`` for paired sequences of dates, vectorised (NaT -> 0)."""
        key = self._line(line).name
        s = pd.to_datetime(pd.Series(list(starts), dtype="object"), errors="coerce")
        e = pd.to_datetime(pd.Series(list(ends), dtype="object"), errors="coerce")
        valid = (s.notna() & e.notna()).to_numpy()
        out = np.zeros(len(s), dtype=np.int64)
        if not valid.any():
            return out
        sv, ev = s[valid], e[valid]
        lo = min(sv.min(), ev.min()).date()
        hi = max(sv.max(), ev.max()).date()
        span = self._span(key, lo.year, hi.year)
        origin = np.datetime64(span.origin, "D")
        i = (sv.to_numpy().astype("datetime64[D]") - origin).astype(np.int64)
        j = (ev.to_numpy().astype("datetime64[D]") - origin).astype(np.int64)
        # cum[k + 1] = working days on or before index k
        out[valid] = span.cum[j + 1] - span.cum[i + 1]
        return out

    def workdays_between(self, start: object, end: object, line: object = None) -> int:
        """Working days from ``start`` to ``end`` counting both ends, like NETWORKDAYS;
        negative when end is before start."""
        a, b = to_date(start), to_date(end)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        key = self._line(line).name
        span, i, j = self._index(key, a, b)
        return sign * int(span.cum[j + 1] - span.cum[i])

    def add_workdays(self, start: object, n: int, line: object = None) -> date:
        """The ``n``-th working day after ``start`` (before it when n < 0), like WORKDAY;
        ``n == 0`` returns ``start`` itself. Raises ValueError only if no such day exists
        between years 1 and 9999 (a line that never works)."""
        key = self._line(line).name
        d = to_date(start)
        n = int(n)
        if n == 0:
            return d
        step = 1
        while True:
            if n > 0:
                span = self._span(key, d.year, d.year + step)
                i = (d - span.origin).days
                # cum[k + 1] - cum[i + 1] = working days in (d, day k]
                target = span.cum[i + 1] + n
                if span.cum[-1] >= target:
                    k = int(np.searchsorted(span.cum, target, side="left")) - 1
                    return span.origin + timedelta(days=k)
                if span.last_year >= 9999:
                    break
            else:
                span = self._span(key, d.year - step, d.year)
                i = (d - span.origin).days
                # working days in [day k, d) = cum[i] - cum[k]
                target = span.cum[i] + n  # n < 0
                if target >= 0:
                    k = int(np.searchsorted(span.cum, target, side="right")) - 1
                    return span.origin + timedelta(days=k)
                if span.first_year <= 1:
                    break
            step *= 2
        raise ValueError(f"no {abs(n)}th working day from {d} on line {key!r}")
