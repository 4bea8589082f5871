"""Working calendars: when people work, and fast arithmetic in working minutes.

A :class:`Calendar` says which minutes of which days are working time: a :class:`WeekPattern`
of working periods for each day of the week, overridden on given dates by public holidays (from
the ``holidays`` package), by a base calendar's exceptions (for a resource calendar), by
:class:`RecurringException` rules and by :class:`CalendarException` date ranges. The precedence
on a date, highest first, is: own exception > own recurring exception > the base calendar's
exceptions and recurring exceptions (recursively) > public holiday > week pattern.

:func:`compile_calendar` turns a calendar into a :class:`WorkingTime`: the sorted working
intervals as integer minutes since the Unix epoch with the cumulative working minutes at each
interval start. Conversions between instants (``numpy.datetime64`` with unit ``"m"``, naive
local time) and working offsets are then binary searches over those arrays, vectorised over any
number of instants. The compiled horizon grows on demand, up to :data:`HORIZON_LIMIT_YEARS`.

Examples
--------
>>> standard = Calendar("Standard", WeekPattern.standard(), holiday_country="FR")
>>> working = compile_calendar(standard, date(2026, 1, 1), date(2026, 12, 31))
>>> working.add_working(np.datetime64("2026-04-30T13:00"), 480, side="finish")
np.datetime64('2026-05-04T12:00')
"""

from __future__ import annotations

import calendar as gregorian
import functools
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from typing import Any, ClassVar, Final, Literal, NamedTuple, TypeAlias, cast, overload

import holidays
import numpy as np
import numpy.typing as npt

from pilotage.engine.errors import CalendarError

__all__ = [
    "HORIZON_LIMIT_YEARS",
    "Calendar",
    "CalendarException",
    "Daily",
    "MonthlyByDay",
    "MonthlyByWeekday",
    "PositionBound",
    "PositionTables",
    "RecurrenceRule",
    "RecurringException",
    "Side",
    "WeekPattern",
    "Weekly",
    "WorkingPeriod",
    "WorkingTime",
    "YearlyByDate",
    "YearlyByWeekday",
    "compile_calendar",
]

HORIZON_LIMIT_YEARS: Final = 200
"""The longest span of dates a compiled calendar covers; beyond it a CalendarError is raised."""

_DAY_MINUTES: Final = 1440
_HORIZON_LIMIT_DAYS: Final = 73_050
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_FIRST_DAY: Final = date.min.toordinal() - _EPOCH_ORDINAL
_END_DAY: Final = date.max.toordinal() - _EPOCH_ORDINAL + 1
_WEEKDAY_NAMES: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_POSITIONS: Final = (1, 2, 3, 4, -1)

Side: TypeAlias = Literal["start", "finish"]
"""Where an instant at the boundary of two working intervals goes: see WorkingTime.instant_at."""

Instant: TypeAlias = np.datetime64 | date
Instants: TypeAlias = npt.NDArray[np.datetime64]
Minutes: TypeAlias = int | np.integer[Any]
MinutesArray: TypeAlias = npt.NDArray[np.integer[Any]]
_Int64Array: TypeAlias = npt.NDArray[np.int64]
_BoolArray: TypeAlias = npt.NDArray[np.bool_]


def _clock(minute: int) -> str:
    if 0 <= minute <= _DAY_MINUTES:
        return f"{minute // 60:02d}:{minute % 60:02d}"
    return f"minute {minute}"


def _day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _date_of(day_number: int) -> date:
    return date.fromordinal(day_number + _EPOCH_ORDINAL)


@dataclass(frozen=True, slots=True, order=True)
class WorkingPeriod:
    """Working hours within one day, as minutes from midnight: ``[start_minute, end_minute)``.

    A valid period has ``0 <= start_minute < end_minute <= 1440``; a period ending at 1440 runs
    to midnight and joins a period starting at 0 on the next day (a night shift). Periods are
    checked by the :class:`Calendar` that uses them, so that the error names the calendar and
    the day.

    Parameters
    ----------
    start_minute : int
        Minutes from midnight at which work starts.
    end_minute : int
        Minutes from midnight at which work stops.

    Examples
    --------
    >>> morning = WorkingPeriod(8 * 60, 12 * 60)
    >>> str(morning), morning.minutes
    ('08:00-12:00', 240)
    """

    start_minute: int
    end_minute: int

    @classmethod
    def from_clock(cls, start: str, end: str) -> WorkingPeriod:
        """Build a period from ``"HH:MM"`` times; ``"24:00"`` is midnight at the end of the day.

        Parameters
        ----------
        start, end : str
            Wall-clock times such as ``"08:00"`` and ``"12:30"``.

        Returns
        -------
        WorkingPeriod
            The period between the two times.

        Raises
        ------
        CalendarError
            If a time is not written ``HH:MM``.

        Examples
        --------
        >>> WorkingPeriod.from_clock("22:00", "24:00")
        WorkingPeriod(start_minute=1320, end_minute=1440)
        """
        return cls(_parse_clock(start), _parse_clock(end))

    @property
    def minutes(self) -> int:
        """Working minutes in the period.

        Examples
        --------
        >>> WorkingPeriod(13 * 60, 17 * 60).minutes
        240
        """
        return self.end_minute - self.start_minute

    def __str__(self) -> str:
        return f"{_clock(self.start_minute)}-{_clock(self.end_minute)}"


def _parse_clock(text: str) -> int:
    hours, separator, minutes = text.partition(":")
    if not (separator and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise CalendarError(f"{text!r} is not a time of day written HH:MM")
    return int(hours) * 60 + int(minutes)


_MORNING: Final = WorkingPeriod(8 * 60, 12 * 60)
_AFTERNOON: Final = WorkingPeriod(13 * 60, 17 * 60)
_WHOLE_DAY: Final = WorkingPeriod(0, _DAY_MINUTES)


@dataclass(frozen=True, slots=True)
class WeekPattern:
    """The working periods of each day of the week, Monday first.

    Parameters
    ----------
    days : tuple of 7 tuples of WorkingPeriod
        ``days[0]`` is Monday, ``days[6]`` Sunday; an empty tuple is a non-working day.

    Raises
    ------
    CalendarError
        If there are not exactly seven days.

    Examples
    --------
    >>> week = WeekPattern.standard()
    >>> [str(period) for period in week.days[0]], week.days[5], week.minutes
    (['08:00-12:00', '13:00-17:00'], (), 2400)
    """

    days: tuple[tuple[WorkingPeriod, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise CalendarError(
                f"A week pattern has 7 days, Monday first; this one has {len(self.days)}"
            )
        object.__setattr__(self, "days", tuple(tuple(day) for day in self.days))

    @classmethod
    def standard(cls) -> WeekPattern:
        """Microsoft Project's standard week: 08:00-12:00 and 13:00-17:00, Monday to Friday.

        Returns
        -------
        WeekPattern
            Forty working hours a week.

        Examples
        --------
        >>> WeekPattern.standard().minutes // 60
        40
        """
        working_day = (_MORNING, _AFTERNOON)
        return cls((working_day,) * 5 + ((),) * 2)

    @classmethod
    def continuous(cls) -> WeekPattern:
        """Work around the clock, seven days a week (Microsoft Project's "24 Hours").

        Returns
        -------
        WeekPattern
            Every minute is working time.

        Examples
        --------
        >>> WeekPattern.continuous().minutes == 7 * 1440
        True
        """
        return cls(((_WHOLE_DAY,),) * 7)

    def with_day(self, weekday: int, periods: Iterable[WorkingPeriod]) -> WeekPattern:
        """Return a copy of this week with other working periods on one day.

        Parameters
        ----------
        weekday : int
            0 for Monday to 6 for Sunday.
        periods : iterable of WorkingPeriod
            The day's working periods; empty for a non-working day.

        Returns
        -------
        WeekPattern
            The new week.

        Examples
        --------
        >>> part_time = WeekPattern.standard().with_day(2, [WorkingPeriod(480, 720)])
        >>> part_time.minutes // 60
        36
        """
        if not 0 <= weekday <= 6:
            raise CalendarError(f"A weekday is 0 (Monday) to 6 (Sunday), not {weekday}")
        days = list(self.days)
        days[weekday] = tuple(periods)
        return WeekPattern(tuple(days))

    @property
    def minutes(self) -> int:
        """Working minutes in one week.

        Examples
        --------
        >>> WeekPattern.standard().minutes
        2400
        """
        return sum(period.minutes for day in self.days for period in day)


@dataclass(frozen=True, slots=True)
class CalendarException:
    """Other working hours on a range of dates (both included).

    Parameters
    ----------
    start, finish : date
        The first and last dates of the exception.
    periods : tuple of WorkingPeriod, optional
        The working periods of each of those dates; empty (the default) means non-working
        (a holiday, a closure), non-empty means these hours instead of the usual ones (an extra
        working Saturday, a short day).
    name : str, optional
        What the exception is, e.g. ``"Summer closure"``.

    Examples
    --------
    >>> closure = CalendarException(date(2026, 8, 3), date(2026, 8, 21), name="Summer closure")
    >>> closure.periods
    ()
    """

    start: date
    finish: date
    periods: tuple[WorkingPeriod, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", tuple(self.periods))

    def _label(self) -> str:
        dates = (
            self.start.isoformat()
            if self.start == self.finish
            else f"{self.start.isoformat()} to {self.finish.isoformat()}"
        )
        return f"exception {self.name!r} ({dates})" if self.name else f"exception on {dates}"


@dataclass(frozen=True, slots=True)
class Daily:
    """Every day, or every ``every`` days counted from the exception's first date.

    Parameters
    ----------
    every : int, optional
        The number of days from one occurrence to the next (1 by default).

    Examples
    --------
    >>> inventory = RecurringException(
    ...     "Inventory", rule=Daily(every=3), first=date(2026, 1, 1), count=2
    ... )
    >>> [day.isoformat() for day in inventory.occurrences(date(2026, 1, 1), date(2026, 1, 31))]
    ['2026-01-01', '2026-01-04']
    """

    every: int = 1


@dataclass(frozen=True, slots=True)
class Weekly:
    """On some days of the week, every week or every few weeks.

    Parameters
    ----------
    weekdays : tuple of int
        The days of the week, 0 for Monday to 6 for Sunday.
    every : int, optional
        The number of weeks from one occurrence to the next (1 by default), counted from the
        week of the exception's first date.

    Examples
    --------
    >>> team_day = RecurringException("Team day", rule=Weekly((0, 4)))
    >>> [day.isoformat() for day in team_day.occurrences(date(2026, 5, 4), date(2026, 5, 11))]
    ['2026-05-04', '2026-05-08', '2026-05-11']
    """

    weekdays: tuple[int, ...]
    every: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", tuple(self.weekdays))


@dataclass(frozen=True, slots=True)
class MonthlyByDay:
    """On a day of the month, every month or every few months.

    Parameters
    ----------
    day : int
        The day of the month, 1 to 31; months without that day are skipped.
    every : int, optional
        The number of months from one occurrence to the next (1 by default), counted from the
        month of the exception's first date.

    Examples
    --------
    >>> month_end = RecurringException("Month end", rule=MonthlyByDay(31))
    >>> [day.isoformat() for day in month_end.occurrences(date(2026, 3, 1), date(2026, 6, 30))]
    ['2026-03-31', '2026-05-31']
    """

    day: int
    every: int = 1


@dataclass(frozen=True, slots=True)
class MonthlyByWeekday:
    """On the first, second, third, fourth or last given weekday of the month.

    Parameters
    ----------
    weekday : int
        The day of the week, 0 for Monday to 6 for Sunday.
    position : int
        1 to 4 for the first to the fourth such weekday of the month, -1 for the last.
    every : int, optional
        The number of months from one occurrence to the next (1 by default), counted from the
        month of the exception's first date.

    Examples
    --------
    >>> last_friday = RecurringException("Release", rule=MonthlyByWeekday(4, -1))
    >>> [day.isoformat() for day in last_friday.occurrences(date(2026, 5, 1), date(2026, 6, 30))]
    ['2026-05-29', '2026-06-26']
    """

    weekday: int
    position: int
    every: int = 1


@dataclass(frozen=True, slots=True)
class YearlyByDate:
    """On the same date every year.

    Parameters
    ----------
    month : int
        The month, 1 to 12.
    day : int
        The day of the month; 29 February occurs only in leap years.

    Examples
    --------
    >>> christmas = RecurringException("Christmas", rule=YearlyByDate(12, 25))
    >>> christmas.occurs_on(date(2040, 12, 25))
    True
    """

    month: int
    day: int


@dataclass(frozen=True, slots=True)
class YearlyByWeekday:
    """On the first, second, third, fourth or last given weekday of a month, every year.

    Parameters
    ----------
    month : int
        The month, 1 to 12.
    weekday : int
        The day of the week, 0 for Monday to 6 for Sunday.
    position : int
        1 to 4 for the first to the fourth such weekday of the month, -1 for the last.

    Examples
    --------
    >>> memorial_day = RecurringException("Memorial Day", rule=YearlyByWeekday(5, 0, -1))
    >>> memorial_day.occurrences(date(2026, 1, 1), date(2026, 12, 31))
    (datetime.date(2026, 5, 25),)
    """

    month: int
    weekday: int
    position: int


RecurrenceRule: TypeAlias = (
    Daily | Weekly | MonthlyByDay | MonthlyByWeekday | YearlyByDate | YearlyByWeekday
)
"""How a recurring exception repeats (the recurrence patterns of Microsoft Project)."""


@dataclass(frozen=True, slots=True)
class RecurringException:
    """Other working hours on the dates of a recurrence rule, as in Microsoft Project.

    Parameters
    ----------
    name : str
        What the exception is, e.g. ``"Christmas closure"``.
    periods : tuple of WorkingPeriod, optional
        The working periods on each occurrence; empty (the default) means non-working.
    rule : RecurrenceRule
        How the dates repeat (keyword only).
    first, last : date, optional
        The range within which occurrences count (keyword only); no limit when omitted.
    count : int, optional
        Stop after this many occurrences counted from ``first`` (keyword only).
    span_days : int, optional
        How many consecutive days each occurrence lasts, 1 by default (keyword only): a
        year-end closure is ``YearlyByDate(12, 24)`` with ``span_days=8``. ``first``, ``last``
        and ``count`` apply to the first day of each occurrence.

    Examples
    --------
    >>> christmas = RecurringException("Christmas", rule=YearlyByDate(12, 25))
    >>> christmas.occurs_on(date(2031, 12, 25))
    True
    >>> [day.isoformat() for day in christmas.occurrences(date(2026, 1, 1), date(2027, 12, 31))]
    ['2026-12-25', '2027-12-25']
    >>> closure = RecurringException("Year end", rule=YearlyByDate(12, 24), span_days=8)
    >>> closure.occurs_on(date(2026, 12, 31)), closure.occurs_on(date(2027, 1, 1))
    (True, False)
    """

    name: str
    periods: tuple[WorkingPeriod, ...] = ()
    rule: RecurrenceRule = field(kw_only=True)
    first: date | None = field(default=None, kw_only=True)
    last: date | None = field(default=None, kw_only=True)
    count: int | None = field(default=None, kw_only=True)
    span_days: int = field(default=1, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", tuple(self.periods))

    def occurs_on(self, day: date) -> bool:
        """Whether the exception applies on a date (a plain, one-date-at-a-time check).

        Parameters
        ----------
        day : date
            The date to test.

        Returns
        -------
        bool
            True if the date is one of the occurrences.

        Examples
        --------
        >>> third_friday = RecurringException(
        ...     "Release day", rule=MonthlyByWeekday(weekday=4, position=3)
        ... )
        >>> third_friday.occurs_on(date(2026, 5, 15)), third_friday.occurs_on(date(2026, 5, 22))
        (True, False)
        """
        return any(self._starts_on(day - timedelta(days=back)) for back in range(self.span_days))

    def _starts_on(self, day: date) -> bool:
        if (self.first is not None and day < self.first) or (
            self.last is not None and day > self.last
        ):
            return False
        if not _rule_matches(self.rule, day, self.first):
            return False
        if self.count is None or self.first is None:
            return True
        seen = 0
        current = self.first
        while current <= day:
            seen += _rule_matches(self.rule, current, self.first)
            current += timedelta(days=1)
        return seen <= self.count

    def occurrences(self, start: date, finish: date) -> tuple[date, ...]:
        """The dates on which the exception applies between two dates (both included).

        Parameters
        ----------
        start, finish : date
            The range of dates to list.

        Returns
        -------
        tuple of date
            The occurrences in order.

        Examples
        --------
        >>> fortnightly = RecurringException(
        ...     "Team day", rule=Weekly((4,), every=2), first=date(2026, 1, 2), count=3
        ... )
        >>> days = fortnightly.occurrences(date(2026, 1, 1), date(2026, 12, 31))
        >>> [day.isoformat() for day in days]
        ['2026-01-02', '2026-01-16', '2026-01-30']
        """
        first_day, end_day = _day_number(start), _day_number(finish) + 1
        if end_day <= first_day:
            return ()
        days = np.arange(first_day, end_day, dtype=np.int64)
        mask = _occurrence_mask(self, days)
        return tuple(_date_of(int(day)) for day in days[mask])

    def _label(self) -> str:
        return f"recurring exception {self.name!r}"


@dataclass(frozen=True, slots=True)
class Calendar:
    """A working calendar: a week pattern, its exceptions and public holidays.

    A calendar with a ``base`` (a resource calendar) inherits the base's week pattern when its
    own ``week`` is None, the base's public holidays when its own ``holiday_country`` is None,
    and always the base's exceptions, which its own exceptions override. A calendar without a
    base and without a week uses :meth:`WeekPattern.standard`.

    Parameters
    ----------
    name : str
        The calendar's name, used in error messages.
    week : WeekPattern, optional
        The working periods of each weekday; None inherits the base's week.
    exceptions : tuple of CalendarException, optional
        Date ranges with other hours; where two overlap, the later one in the tuple applies.
    recurring : tuple of RecurringException, optional
        Recurring exceptions; where two fall on a date, the later one in the tuple applies.
    holiday_country : str, optional
        ISO 3166 country code whose public holidays (from the ``holidays`` package) are
        non-working days; None inherits the base's.
    holiday_subdivision : str, optional
        A region of that country (e.g. ``"57"`` for Moselle in France) with its own holidays.
    base : Calendar, optional
        The calendar this one derives from.
    minutes_per_day, minutes_per_week, days_per_month : int, optional
        How "days", "weeks" and "months" of duration convert to working minutes (Microsoft
        Project's defaults: 480, 2400 and 20); these are not inherited from the base.

    Raises
    ------
    CalendarError
        If a working period is invalid (outside 00:00-24:00, ending before it starts,
        overlapping another on the same day), an exception ends before it starts, a recurrence
        rule is invalid or the holiday country is unknown. The message names the calendar and
        the day.

    Notes
    -----
    On a given date the first of these that applies decides the working periods: one of the
    calendar's own exceptions, one of its own recurring exceptions, the base calendar's
    exceptions and recurring exceptions (by the same rule, up its own bases), a public holiday
    (non-working), the week pattern.

    Examples
    --------
    >>> standard = Calendar("Standard", WeekPattern.standard(), holiday_country="FR")
    >>> standard.periods_on(date(2026, 5, 1))
    ()
    >>> wednesday_mornings = RecurringException(
    ...     "Wednesday mornings", (WorkingPeriod(480, 720),), rule=Weekly((2,))
    ... )
    >>> part_time = Calendar("Part time", base=standard, recurring=(wednesday_mornings,))
    >>> [str(period) for period in part_time.periods_on(date(2026, 5, 6))]
    ['08:00-12:00']
    """

    name: str
    week: WeekPattern | None = None
    exceptions: tuple[CalendarException, ...] = ()
    recurring: tuple[RecurringException, ...] = ()
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    base: Calendar | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "exceptions", tuple(self.exceptions))
        object.__setattr__(self, "recurring", tuple(self.recurring))
        _validate_calendar(self)

    @property
    def effective_week(self) -> WeekPattern:
        """The week pattern in force: this calendar's own, else its base's, else the standard.

        Examples
        --------
        >>> base = Calendar("Base", WeekPattern.continuous())
        >>> Calendar("Resource", base=base).effective_week == WeekPattern.continuous()
        True
        """
        if self.week is not None:
            return self.week
        if self.base is not None:
            return self.base.effective_week
        return WeekPattern.standard()

    @property
    def holiday_region(self) -> tuple[str, str | None] | None:
        """The country and subdivision whose public holidays apply, or None.

        Examples
        --------
        >>> Calendar("Resource", base=Calendar("Base", holiday_country="FR")).holiday_region
        ('FR', None)
        """
        if self.holiday_country is not None:
            return (self.holiday_country, self.holiday_subdivision)
        if self.base is not None:
            return self.base.holiday_region
        return None

    def periods_on(self, day: date) -> tuple[WorkingPeriod, ...]:
        """The working periods of one date, applying the precedence rules one date at a time.

        This is the plain definition of the calendar; :func:`compile_calendar` computes the
        same thing for many dates at once.

        Parameters
        ----------
        day : date
            The date.

        Returns
        -------
        tuple of WorkingPeriod
            The sorted working periods (touching periods joined); empty on a non-working day.

        Examples
        --------
        >>> standard = Calendar("Standard", WeekPattern.standard())
        >>> [str(period) for period in standard.periods_on(date(2026, 5, 4))]
        ['08:00-12:00', '13:00-17:00']
        """
        periods = self._exception_periods_on(day)
        if periods is not None:
            return _normalise(periods)
        region = self.holiday_region
        if region is not None and _day_number(day) in _holiday_days(*region, day.year):
            return ()
        return _normalise(self.effective_week.days[day.weekday()])

    def _exception_periods_on(self, day: date) -> tuple[WorkingPeriod, ...] | None:
        for exception in reversed(self.exceptions):
            if exception.start <= day <= exception.finish:
                return exception.periods
        for recurring in reversed(self.recurring):
            if recurring.occurs_on(day):
                return recurring.periods
        if self.base is not None:
            return self.base._exception_periods_on(day)
        return None

    def _lineage(self) -> list[Calendar]:
        lineage: list[Calendar] = []
        current: Calendar | None = self
        while current is not None:
            lineage.append(current)
            current = current.base
        return lineage


def _normalise(periods: Iterable[WorkingPeriod]) -> tuple[WorkingPeriod, ...]:
    merged: list[WorkingPeriod] = []
    for period in sorted(periods):
        if merged and merged[-1].end_minute >= period.start_minute:
            last = merged.pop()
            period = WorkingPeriod(last.start_minute, max(last.end_minute, period.end_minute))
        merged.append(period)
    return tuple(merged)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_periods(calendar: Calendar, where: str, periods: tuple[WorkingPeriod, ...]) -> None:
    prefix = f"Calendar {calendar.name!r}, {where}"
    for period in periods:
        if not isinstance(period, WorkingPeriod):
            raise CalendarError(f"{prefix}: {period!r} is not a working period")
        if not (_is_int(period.start_minute) and _is_int(period.end_minute)):
            raise CalendarError(f"{prefix}: working period {period!r} must use whole minutes")
        if not (
            0 <= period.start_minute <= _DAY_MINUTES and 0 <= period.end_minute <= _DAY_MINUTES
        ):
            raise CalendarError(f"{prefix}: working period {period} is outside 00:00-24:00")
        if period.start_minute >= period.end_minute:
            raise CalendarError(f"{prefix}: working period {period} must start before it ends")
    ordered = sorted(periods)
    for previous, following in itertools.pairwise(ordered):
        if following.start_minute < previous.end_minute:
            raise CalendarError(f"{prefix}: working periods {previous} and {following} overlap")


def _check_rule(calendar: Calendar, recurring: RecurringException) -> None:
    prefix = f"Calendar {calendar.name!r}, {recurring._label()}"
    rule = recurring.rule
    problems: list[str] = []
    if isinstance(rule, Daily | Weekly | MonthlyByDay | MonthlyByWeekday):
        if not (_is_int(rule.every) and rule.every >= 1):
            problems.append(f"it must repeat every 1 or more periods, not {rule.every!r}")
        elif rule.every > 1 and recurring.first is None:
            problems.append("repeating every few periods needs a first date to count from")
    if isinstance(rule, Weekly):
        if not rule.weekdays or any(not (_is_int(w) and 0 <= w <= 6) for w in rule.weekdays):
            problems.append(f"weekdays must be 0 (Monday) to 6 (Sunday), not {rule.weekdays!r}")
    elif isinstance(rule, MonthlyByDay):
        if not (_is_int(rule.day) and 1 <= rule.day <= 31):
            problems.append(f"the day of the month must be 1 to 31, not {rule.day!r}")
    elif isinstance(rule, YearlyByDate):
        if not (_is_int(rule.month) and 1 <= rule.month <= 12):
            problems.append(f"the month must be 1 to 12, not {rule.month!r}")
        elif not (_is_int(rule.day) and 1 <= rule.day <= gregorian.monthrange(2000, rule.month)[1]):
            problems.append(f"{rule.month}/{rule.day!r} is not a day of the year")
    elif isinstance(rule, MonthlyByWeekday | YearlyByWeekday):
        if isinstance(rule, YearlyByWeekday) and not (
            _is_int(rule.month) and 1 <= rule.month <= 12
        ):
            problems.append(f"the month must be 1 to 12, not {rule.month!r}")
        if not (_is_int(rule.weekday) and 0 <= rule.weekday <= 6):
            problems.append(f"the weekday must be 0 (Monday) to 6 (Sunday), not {rule.weekday!r}")
        if rule.position not in _POSITIONS:
            problems.append(f"the position must be 1 to 4 or -1 (last), not {rule.position!r}")
    elif not isinstance(rule, Daily):
        problems.append(f"{rule!r} is not a recurrence rule")
    if recurring.count is not None:
        if not (_is_int(recurring.count) and recurring.count >= 1):
            problems.append(f"the count must be 1 or more, not {recurring.count!r}")
        elif recurring.first is None:
            problems.append("a count of occurrences needs a first date to count from")
    if (
        recurring.first is not None
        and recurring.last is not None
        and recurring.last < recurring.first
    ):
        problems.append(f"it ends ({recurring.last}) before it starts ({recurring.first})")
    if not (_is_int(recurring.span_days) and 1 <= recurring.span_days <= 366):
        problems.append(f"an occurrence lasts 1 to 366 days, not {recurring.span_days!r}")
    if problems:
        raise CalendarError(f"{prefix}: {'; '.join(problems)}")


def _validate_calendar(calendar: Calendar) -> None:
    name = calendar.name
    if calendar.base is not None and not isinstance(calendar.base, Calendar):
        raise CalendarError(f"Calendar {name!r}: the base {calendar.base!r} is not a calendar")
    if calendar.week is not None:
        if not isinstance(calendar.week, WeekPattern):
            raise CalendarError(f"Calendar {name!r}: {calendar.week!r} is not a week pattern")
        for weekday, periods in enumerate(calendar.week.days):
            _check_periods(calendar, _WEEKDAY_NAMES[weekday], periods)
    for exception in calendar.exceptions:
        if exception.finish < exception.start:
            raise CalendarError(
                f"Calendar {name!r}, {exception._label()}: it ends before it starts"
            )
        _check_periods(calendar, exception._label(), exception.periods)
    for recurring in calendar.recurring:
        _check_rule(calendar, recurring)
        _check_periods(calendar, recurring._label(), recurring.periods)
    for label, value in (
        ("minutes_per_day", calendar.minutes_per_day),
        ("minutes_per_week", calendar.minutes_per_week),
        ("days_per_month", calendar.days_per_month),
    ):
        if not (_is_int(value) and value > 0):
            raise CalendarError(f"Calendar {name!r}: {label} must be a positive whole number")
    if calendar.holiday_country is None:
        if calendar.holiday_subdivision is not None:
            raise CalendarError(f"Calendar {name!r}: a holiday subdivision needs a holiday country")
    else:
        problem = _holiday_region_problem(calendar.holiday_country, calendar.holiday_subdivision)
        if problem:
            raise CalendarError(f"Calendar {name!r}: {problem}")


@functools.lru_cache(maxsize=256)
def _holiday_region_problem(country: str, subdivision: str | None) -> str:
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        return f"no public holidays are known for {country!r}: {error}"
    return ""


@functools.lru_cache(maxsize=4096)
def _holiday_days(country: str, subdivision: str | None, year: int) -> frozenset[int]:
    known = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(_day_number(day) for day in known)


def _position_matches(day: date, position: int) -> bool:
    if position == -1:
        return day.day + 7 > gregorian.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == position


def _months_since(day: date, anchor: date | None) -> int:
    if anchor is None:
        return 0
    return (day.year - anchor.year) * 12 + day.month - anchor.month


def _rule_matches(rule: RecurrenceRule, day: date, anchor: date | None) -> bool:
    if isinstance(rule, Daily):
        return anchor is None or (day - anchor).days % rule.every == 0
    if isinstance(rule, Weekly):
        if day.weekday() not in rule.weekdays:
            return False
        if anchor is None:
            return True
        monday, anchor_monday = (d - timedelta(days=d.weekday()) for d in (day, anchor))
        return ((monday - anchor_monday).days // 7) % rule.every == 0
    if isinstance(rule, MonthlyByDay):
        return day.day == rule.day and _months_since(day, anchor) % rule.every == 0
    if isinstance(rule, MonthlyByWeekday):
        return (
            day.weekday() == rule.weekday
            and _position_matches(day, rule.position)
            and _months_since(day, anchor) % rule.every == 0
        )
    if isinstance(rule, YearlyByDate):
        return (day.month, day.day) == (rule.month, rule.day)
    return (
        day.month == rule.month
        and day.weekday() == rule.weekday
        and _position_matches(day, rule.position)
    )


class _DayFields(NamedTuple):
    days: _Int64Array
    weekday: _Int64Array
    day_of_month: _Int64Array
    month: _Int64Array
    month_index: _Int64Array
    days_in_month: _Int64Array


def _day_fields(days: _Int64Array) -> _DayFields:
    month_start = days.astype("datetime64[D]").astype("datetime64[M]")
    month_index = month_start.astype(np.int64)
    first_of_month = month_start.astype("datetime64[D]").astype(np.int64)
    first_of_next = (month_start + 1).astype("datetime64[D]").astype(np.int64)
    return _DayFields(
        days=days,
        weekday=(days + 3) % 7,
        day_of_month=days - first_of_month + 1,
        month=month_index % 12 + 1,
        month_index=month_index,
        days_in_month=first_of_next - first_of_month,
    )


def _position_mask(fields: _DayFields, position: int) -> _BoolArray:
    if position == -1:
        return fields.day_of_month + 7 > fields.days_in_month
    return cast(_BoolArray, (fields.day_of_month - 1) // 7 + 1 == position)


def _rule_mask(rule: RecurrenceRule, fields: _DayFields, anchor: date | None) -> _BoolArray:
    anchor_day = None if anchor is None else _day_number(anchor)
    every_month: _BoolArray | bool = True
    if isinstance(rule, MonthlyByDay | MonthlyByWeekday) and anchor is not None:
        anchor_month = (anchor.year - 1970) * 12 + anchor.month - 1
        every_month = (fields.month_index - anchor_month) % rule.every == 0
    mask: _BoolArray
    if isinstance(rule, Daily):
        if anchor_day is None:
            mask = np.ones(fields.days.shape, dtype=np.bool_)
        else:
            mask = (fields.days - anchor_day) % rule.every == 0
    elif isinstance(rule, Weekly):
        mask = np.isin(fields.weekday, rule.weekdays)
        if anchor_day is not None:
            anchor_monday = anchor_day - (anchor_day + 3) % 7
            weeks = (fields.days - fields.weekday - anchor_monday) // 7
            mask &= weeks % rule.every == 0
    elif isinstance(rule, MonthlyByDay):
        mask = (fields.day_of_month == rule.day) & every_month
    elif isinstance(rule, MonthlyByWeekday):
        mask = (fields.weekday == rule.weekday) & _position_mask(fields, rule.position)
        mask &= every_month
    elif isinstance(rule, YearlyByDate):
        mask = (fields.month == rule.month) & (fields.day_of_month == rule.day)
    else:
        mask = (fields.month == rule.month) & (fields.weekday == rule.weekday)
        mask &= _position_mask(fields, rule.position)
    return mask


def _search_days(rule: RecurrenceRule, count: int) -> int:
    # Upper bounds on the days needed for `count` occurrences: the longest gap between two
    # occurrences is a cycle for daily and weekly rules, two cycles of 31 days for a day of the
    # month (the 31st skips short months) and eight years for 29 February.
    if isinstance(rule, Daily):
        gap = rule.every
    elif isinstance(rule, Weekly):
        gap = 7 * rule.every
    elif isinstance(rule, MonthlyByDay | MonthlyByWeekday):
        gap = 62 * rule.every
    else:
        gap = 8 * 366
    return min(count * gap + 366, 2 * _HORIZON_LIMIT_DAYS)


@functools.lru_cache(maxsize=1024)
def _last_occurrence_day(recurring: RecurringException) -> int | None:
    last = None if recurring.last is None else _day_number(recurring.last)
    if recurring.count is None or recurring.first is None:
        return last
    first = _day_number(recurring.first)
    end = first + _search_days(recurring.rule, recurring.count)
    if last is not None:
        end = min(end, last + 1)
    days = np.arange(first, end, dtype=np.int64)
    hits = days[_rule_mask(recurring.rule, _day_fields(days), recurring.first)]
    if hits.size >= recurring.count:
        return int(hits[recurring.count - 1])
    return last


def _start_mask(recurring: RecurringException, days: _Int64Array, fields: _DayFields) -> _BoolArray:
    mask = _rule_mask(recurring.rule, fields, recurring.first)
    if recurring.first is not None:
        mask &= days >= _day_number(recurring.first)
    last = _last_occurrence_day(recurring)
    if last is not None:
        mask &= days <= last
    return mask


def _occurrence_mask(
    recurring: RecurringException, days: _Int64Array, fields: _DayFields | None = None
) -> _BoolArray:
    """Which of the consecutive ``days`` an occurrence of ``recurring`` covers."""
    span = recurring.span_days
    if span == 1:
        return _start_mask(recurring, days, fields or _day_fields(days))
    # An occurrence covers a day if one starts within the `span` days up to it, including
    # occurrences that start before the first day asked about.
    reach = np.arange(int(days[0]) - span + 1, int(days[-1]) + 1, dtype=np.int64)
    started = np.concatenate(([0], np.cumsum(_start_mask(recurring, reach, _day_fields(reach)))))
    return started[span:] - started[:-span] > 0


def _day_patterns(
    calendar: Calendar, first_day: int, end_day: int
) -> tuple[npt.NDArray[np.intp], list[tuple[WorkingPeriod, ...]]]:
    """Index, for each day of ``[first_day, end_day)``, into a table of distinct day patterns."""
    table: list[tuple[WorkingPeriod, ...]] = []
    index_of: dict[tuple[WorkingPeriod, ...], int] = {}

    def pattern(periods: Iterable[WorkingPeriod]) -> int:
        normal = _normalise(periods)
        if normal not in index_of:
            index_of[normal] = len(table)
            table.append(normal)
        return index_of[normal]

    days = np.arange(first_day, end_day, dtype=np.int64)
    week_patterns = np.array(
        [pattern(periods) for periods in calendar.effective_week.days], dtype=np.intp
    )
    patterns = week_patterns[(days + 3) % 7]

    region = calendar.holiday_region
    if region is not None:
        years = range(_date_of(first_day).year, _date_of(end_day - 1).year + 1)
        holiday_days = np.fromiter(
            (day for year in years for day in _holiday_days(*region, year)), dtype=np.int64
        )
        holiday_days = holiday_days[(holiday_days >= first_day) & (holiday_days < end_day)]
        patterns[holiday_days - first_day] = pattern(())

    lineage = calendar._lineage()
    fields = _day_fields(days) if any(member.recurring for member in lineage) else None
    for member in reversed(lineage):
        for recurring in member.recurring:
            patterns[_occurrence_mask(recurring, days, fields)] = pattern(recurring.periods)
        for exception in member.exceptions:
            low = max(_day_number(exception.start), first_day) - first_day
            high = min(_day_number(exception.finish) + 1, end_day) - first_day
            if low < high:
                patterns[low:high] = pattern(exception.periods)
    return patterns, table


def _working_intervals(
    calendar: Calendar, first_day: int, end_day: int
) -> tuple[_Int64Array, _Int64Array]:
    """Sorted, disjoint, non-touching working intervals in minutes since the epoch."""
    patterns, table = _day_patterns(calendar, first_day, end_day)
    counts = np.array([len(periods) for periods in table], dtype=np.int64)
    pointers = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    period_starts = np.array(
        [period.start_minute for periods in table for period in periods], dtype=np.int64
    )
    period_ends = np.array(
        [period.end_minute for periods in table for period in periods], dtype=np.int64
    )
    per_day = counts[patterns]
    total = int(per_day.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    day_of_interval = np.repeat(np.arange(patterns.size, dtype=np.int64), per_day)
    within_day = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(per_day) - per_day, per_day)
    period = np.repeat(pointers[patterns], per_day) + within_day
    day_minute = (first_day + day_of_interval) * _DAY_MINUTES
    starts = day_minute + period_starts[period]
    ends = day_minute + period_ends[period]
    # A period ending at midnight and one starting at midnight the next day are one stretch of
    # work (a night shift): joining them leaves no boundary at which start and finish differ.
    separate = starts[1:] != ends[:-1]
    return (
        starts[np.concatenate(([True], separate))],
        ends[np.concatenate((separate, [True]))],
    )


def _may_have_working_time(calendar: Calendar) -> bool:
    if calendar.effective_week.minutes > 0:
        return True
    return any(rule.periods for member in calendar._lineage() for rule in member.recurring) or any(
        exception.periods for member in calendar._lineage() for exception in member.exceptions
    )


class _Horizon(NamedTuple):
    first_day: int
    end_day: int
    starts: _Int64Array
    ends: _Int64Array
    cumulative: _Int64Array
    cumulative_end: _Int64Array


class WorkingTime:
    """A compiled calendar: conversions between instants and working minutes.

    Build one with :func:`compile_calendar`. Instants are ``numpy.datetime64`` values (or
    ``datetime.date``/``datetime.datetime``, or arrays of datetime64) truncated to the minute;
    working offsets count working minutes from :attr:`origin` (negative before it). Every
    method takes a scalar or an array and returns the same shape; arrays are processed without
    Python loops. The compiled horizon grows as needed, so any instant or offset within
    :data:`HORIZON_LIMIT_YEARS` works, and :attr:`origin` never moves.

    Working time is the union of half-open intervals ``[start, end)``: 08:00 is working time
    in the standard calendar and 12:00 is not.

    Examples
    --------
    >>> working = compile_calendar(
    ...     Calendar("Standard", WeekPattern.standard()), date(2026, 5, 4), date(2026, 5, 8)
    ... )
    >>> starts = np.array(["2026-05-04T08:00", "2026-05-08T16:00"], dtype="datetime64[m]")
    >>> working.add_working(starts, 480, side="finish")
    array(['2026-05-04T17:00', '2026-05-11T16:00'], dtype='datetime64[m]')
    """

    __slots__ = ("_horizon", "_origin_minute", "_pieces", "calendar")

    def __init__(self, calendar: Calendar, start: date, finish: date) -> None:
        if not isinstance(calendar, Calendar):
            raise CalendarError(f"{calendar!r} is not a calendar")
        if finish < start:
            raise CalendarError(
                f"Calendar {calendar.name!r}: the horizon ends ({finish}) before it starts "
                f"({start})"
            )
        if not _may_have_working_time(calendar):
            raise CalendarError(f"Calendar {calendar.name!r} has no working time")
        self.calendar = calendar
        self._pieces: _Pieces | None = None
        first_day, end_day = _day_number(start), _day_number(finish) + 1
        self._check_span(first_day, end_day)
        self._origin_minute = first_day * _DAY_MINUTES
        self._horizon = self._compile(first_day, end_day)
        while self._horizon.starts.size == 0:
            self._grow(backward=True, forward=True)

    @property
    def name(self) -> str:
        """The calendar's name.

        Examples
        --------
        >>> compile_calendar(Calendar("Night"), date(2026, 1, 1), date(2026, 1, 31)).name
        'Night'
        """
        return self.calendar.name

    @property
    def origin(self) -> np.datetime64:
        """The instant of working offset 0: midnight at the start of the first compiled date.

        Examples
        --------
        >>> compile_calendar(Calendar("Standard"), date(2026, 1, 5), date(2026, 1, 9)).origin
        np.datetime64('2026-01-05T00:00')
        """
        return np.datetime64(self._origin_minute, "m")

    @property
    def horizon(self) -> tuple[date, date]:
        """The first and last dates compiled so far (the horizon grows on demand).

        Examples
        --------
        >>> compile_calendar(Calendar("Standard"), date(2026, 1, 1), date(2026, 12, 31)).horizon
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
        """
        return (_date_of(self._horizon.first_day), _date_of(self._horizon.end_day - 1))

    @overload
    def working_offset(self, instants: Instant) -> np.int64: ...
    @overload
    def working_offset(self, instants: Instants) -> _Int64Array: ...
    def working_offset(self, instants: Instant | Instants) -> np.int64 | _Int64Array:
        """Working minutes from :attr:`origin` to each instant (negative before the origin).

        Parameters
        ----------
        instants : datetime64, date or array of datetime64
            The instants.

        Returns
        -------
        int64 or array of int64
            The working offsets.

        Raises
        ------
        CalendarError
            If an instant is NaT or lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> int(working.working_offset(np.datetime64("2026-05-04T12:30")))
        240
        """
        minutes = self._minutes(instants)
        offsets = self._offsets_of(minutes)
        return cast(np.int64, offsets[()]) if offsets.ndim == 0 else offsets

    @overload
    def instant_at(self, offsets: Minutes, *, side: Side) -> np.datetime64: ...
    @overload
    def instant_at(self, offsets: MinutesArray, *, side: Side) -> Instants: ...
    def instant_at(
        self, offsets: Minutes | MinutesArray, *, side: Side
    ) -> np.datetime64 | Instants:
        """The instant at each working offset from :attr:`origin`.

        Parameters
        ----------
        offsets : int or array of int
            Working minutes from the origin.
        side : {"start", "finish"}
            Where an offset that falls on the boundary between two working intervals goes: a
            start goes to the beginning of the next interval (work starting after a full day
            starts at 08:00 the next day), a finish to the end of the previous one (work of a
            full day finishes at 17:00, not at 08:00 the next day).

        Returns
        -------
        datetime64 or array of datetime64
            The instants, in minutes.

        Raises
        ------
        CalendarError
            If an offset lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> working.instant_at(480, side="start"), working.instant_at(480, side="finish")
        (np.datetime64('2026-05-05T08:00'), np.datetime64('2026-05-04T17:00'))
        """
        offset_array = self._integers(offsets, "working offsets")
        instants = self._instants_at(offset_array, side)
        return _instant_result(instants)

    @overload
    def add_working(self, instants: Instant, minutes: Minutes, *, side: Side) -> np.datetime64: ...
    @overload
    def add_working(
        self, instants: Instants, minutes: Minutes | MinutesArray, *, side: Side
    ) -> Instants: ...
    @overload
    def add_working(self, instants: Instant, minutes: MinutesArray, *, side: Side) -> Instants: ...
    def add_working(
        self, instants: Instant | Instants, minutes: Minutes | MinutesArray, *, side: Side
    ) -> np.datetime64 | Instants:
        """Move each instant by working minutes: forward, or backward when negative.

        Parameters
        ----------
        instants : datetime64, date or array of datetime64
            Where to start counting.
        minutes : int or array of int
            Working minutes to add (broadcast against ``instants``).
        side : {"start", "finish"}
            Where a result on a boundary between working intervals goes, as in
            :meth:`instant_at`: usually "finish" to find when work ends and "start" to find
            when it must begin.

        Returns
        -------
        datetime64 or array of datetime64
            The moved instants.

        Raises
        ------
        CalendarError
            If an instant is NaT or a result lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> working.add_working(np.datetime64("2026-05-08T17:00"), -480, side="start")
        np.datetime64('2026-05-08T08:00')
        """
        offsets = self._offsets_of(self._minutes(instants))
        moved = offsets + self._integers(minutes, "working minutes")
        return _instant_result(self._instants_at(moved, side))

    @overload
    def working_between(self, start: Instant, finish: Instant) -> np.int64: ...
    @overload
    def working_between(self, start: Instants, finish: Instant | Instants) -> _Int64Array: ...
    @overload
    def working_between(self, start: Instant, finish: Instants) -> _Int64Array: ...
    def working_between(
        self, start: Instant | Instants, finish: Instant | Instants
    ) -> np.int64 | _Int64Array:
        """Working minutes from ``start`` to ``finish``; negative when ``finish`` is earlier.

        Parameters
        ----------
        start, finish : datetime64, date or array of datetime64
            The instants (broadcast against each other).

        Returns
        -------
        int64 or array of int64
            The working minutes between them.

        Raises
        ------
        CalendarError
            If an instant is NaT or lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> monday, friday = np.datetime64("2026-05-04T08:00"), np.datetime64("2026-05-08T17:00")
        >>> int(working.working_between(monday, friday))
        2400
        >>> int(working.working_between(friday, monday))
        -2400
        """
        between = self._offsets_of(self._minutes(finish)) - self._offsets_of(self._minutes(start))
        return cast(np.int64, between[()]) if between.ndim == 0 else between

    @overload
    def next_working(self, instants: Instant) -> np.datetime64: ...
    @overload
    def next_working(self, instants: Instants) -> Instants: ...
    def next_working(self, instants: Instant | Instants) -> np.datetime64 | Instants:
        """Each instant if it is working time, else the start of the next working interval.

        Parameters
        ----------
        instants : datetime64, date or array of datetime64
            The instants.

        Returns
        -------
        datetime64 or array of datetime64
            The earliest working instants at or after them.

        Raises
        ------
        CalendarError
            If an instant is NaT or lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> working.next_working(np.datetime64("2026-05-08T17:00"))
        np.datetime64('2026-05-11T08:00')
        """
        minutes = self._minutes(instants)
        if minutes.size:
            self._cover_minutes(int(minutes.min()), int(minutes.max()))
            while self._horizon.ends[-1] <= minutes.max():
                self._grow(backward=False, forward=True)
        horizon = self._horizon
        index = np.searchsorted(horizon.ends, minutes, side="right")
        return _instant_result(np.maximum(minutes, horizon.starts[index]))

    @overload
    def previous_working_end(self, instants: Instant) -> np.datetime64: ...
    @overload
    def previous_working_end(self, instants: Instants) -> Instants: ...
    def previous_working_end(self, instants: Instant | Instants) -> np.datetime64 | Instants:
        """Each instant if work was going on just before it, else the end of the previous work.

        Parameters
        ----------
        instants : datetime64, date or array of datetime64
            The instants.

        Returns
        -------
        datetime64 or array of datetime64
            The latest instants at or before them that end working time.

        Raises
        ------
        CalendarError
            If an instant is NaT or lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> working.previous_working_end(np.datetime64("2026-05-05T08:00"))
        np.datetime64('2026-05-04T17:00')
        """
        minutes = self._minutes(instants)
        if minutes.size:
            self._cover_minutes(int(minutes.min()), int(minutes.max()))
            while self._horizon.starts[0] >= minutes.min():
                self._grow(backward=True, forward=False)
        horizon = self._horizon
        index = np.searchsorted(horizon.starts, minutes, side="left") - 1
        return _instant_result(np.minimum(minutes, horizon.ends[index]))

    @overload
    def is_working(self, instants: Instant) -> bool: ...
    @overload
    def is_working(self, instants: Instants) -> _BoolArray: ...
    def is_working(self, instants: Instant | Instants) -> bool | _BoolArray:
        """Whether each instant is working time (the minute that starts at it is worked).

        Parameters
        ----------
        instants : datetime64, date or array of datetime64
            The instants.

        Returns
        -------
        bool or array of bool
            True where the instant is within a working interval.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> working.is_working(np.datetime64("2026-05-04T08:00")), working.is_working(
        ...     np.datetime64("2026-05-04T12:00")
        ... )
        (True, False)
        """
        minutes = self._minutes(instants)
        if minutes.size:
            self._cover_minutes(int(minutes.min()), int(minutes.max()))
        horizon = self._horizon
        index = np.searchsorted(horizon.starts, minutes, side="right") - 1
        working = np.asarray((index >= 0) & (minutes < horizon.ends[np.maximum(index, 0)]))
        return bool(working) if working.ndim == 0 else working

    def working_intervals(self, start: Instant, finish: Instant) -> tuple[Instants, Instants]:
        """The working intervals between two instants, clipped to them (e.g. to shade a Gantt).

        Parameters
        ----------
        start, finish : datetime64 or date
            The range of time.

        Returns
        -------
        tuple of two arrays of datetime64
            The starts and the ends of the working intervals, in order.

        Raises
        ------
        CalendarError
            If an instant is NaT or lies beyond the horizon limit.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> starts, ends = working.working_intervals(
        ...     np.datetime64("2026-05-04T10:00"), np.datetime64("2026-05-05T00:00")
        ... )
        >>> starts
        array(['2026-05-04T10:00', '2026-05-04T13:00'], dtype='datetime64[m]')
        >>> ends
        array(['2026-05-04T12:00', '2026-05-04T17:00'], dtype='datetime64[m]')
        """
        low, high = (int(self._minutes(instant)) for instant in (start, finish))
        if high <= low:
            empty = np.empty(0, dtype="datetime64[m]")
            return empty, empty.copy()
        self._cover_minutes(low, high)
        horizon = self._horizon
        first = int(np.searchsorted(horizon.ends, low, side="right"))
        last = int(np.searchsorted(horizon.starts, high, side="left"))
        starts = np.maximum(horizon.starts[first:last], low)
        ends = np.minimum(horizon.ends[first:last], high)
        return starts.view("datetime64[m]"), ends.view("datetime64[m]")

    def _minutes(self, instants: Instant | Instants) -> _Int64Array:
        try:
            values = np.asarray(instants, dtype="datetime64[m]")
        except (TypeError, ValueError) as error:
            raise CalendarError(
                f"Calendar {self.name!r} cannot read {instants!r:.60} as instants: {error}"
            ) from error
        minutes = values.view(np.int64)
        if minutes.size and np.isnat(values).any():
            raise CalendarError(f"Calendar {self.name!r} cannot place a missing instant (NaT)")
        return minutes

    def _integers(self, values: Minutes | MinutesArray, what: str) -> _Int64Array:
        array = np.asarray(values)
        if array.dtype.kind not in "iu":
            raise CalendarError(
                f"Calendar {self.name!r}: {what} must be whole numbers, not {array.dtype}"
            )
        return array.astype(np.int64, copy=False)

    def _offsets_of(self, minutes: _Int64Array) -> _Int64Array:
        if minutes.size:
            self._cover_minutes(int(minutes.min()), int(minutes.max()))
        horizon = self._horizon
        index = np.maximum(np.searchsorted(horizon.starts, minutes, side="right") - 1, 0)
        starts = horizon.starts[index]
        worked = np.clip(minutes - starts, 0, horizon.ends[index] - starts)
        return np.asarray(horizon.cumulative[index] + worked)

    def _instants_at(self, offsets: _Int64Array, side: Side) -> _Int64Array:
        if side not in ("start", "finish"):
            raise CalendarError(f"side must be 'start' or 'finish', not {side!r}")
        if offsets.size:
            self._cover_offsets(int(offsets.min()), int(offsets.max()), side)
        horizon = self._horizon
        if side == "start":
            index = np.searchsorted(horizon.cumulative_end, offsets, side="right")
        else:
            index = np.searchsorted(horizon.cumulative, offsets, side="left") - 1
        return np.asarray(horizon.starts[index] + (offsets - horizon.cumulative[index]))

    def _cover_minutes(self, low: int, high: int) -> None:
        first_day, end_day = low // _DAY_MINUTES, high // _DAY_MINUTES + 1
        horizon = self._horizon
        if first_day < horizon.first_day or end_day > horizon.end_day:
            self._extend(first_day, end_day)

    def _cover_offsets(self, low: int, high: int, side: Side) -> None:
        # A start needs the interval in which its offset is worked; a finish needs the one
        # that works up to its offset.
        if side == "start":
            high += 1
        else:
            low -= 1
        while self._horizon.cumulative[0] > low:
            self._grow(backward=True, forward=False, deficit=int(self._horizon.cumulative[0]) - low)
        while self._horizon.cumulative_end[-1] < high:
            self._grow(
                backward=False, forward=True, deficit=high - int(self._horizon.cumulative_end[-1])
            )

    def _grow(self, *, backward: bool, forward: bool, deficit: int = 0) -> None:
        horizon = self._horizon
        span = horizon.end_day - horizon.first_day
        worked = (
            int(horizon.cumulative_end[-1] - horizon.cumulative[0]) if horizon.starts.size else 0
        )
        days = span
        if worked:
            days = max(days, deficit * span // worked + 7)
        first_day = horizon.first_day - days if backward else horizon.first_day
        end_day = horizon.end_day + days if forward else horizon.end_day
        overflow = (end_day - first_day) - _HORIZON_LIMIT_DAYS
        if overflow > 0:
            if backward:
                cut = min(overflow, horizon.first_day - first_day)
                first_day += cut
                overflow -= cut
            if forward:
                end_day -= min(overflow, end_day - horizon.end_day)
        first_day, end_day = max(first_day, _FIRST_DAY), min(end_day, _END_DAY)
        if (first_day, end_day) == (horizon.first_day, horizon.end_day):
            if backward and forward:
                where = f"between {_date_of(first_day)} and {_date_of(end_day - 1)}"
            elif backward:
                where = f"before {np.datetime64(int(horizon.starts[0]), 'm')}"
            else:
                where = f"after {np.datetime64(int(horizon.ends[-1]), 'm')}"
            raise CalendarError(
                f"Calendar {self.name!r} has no working time {where} within the "
                f"{HORIZON_LIMIT_YEARS}-year limit of a calendar"
            )
        self._horizon = self._compile(first_day, end_day)

    def _extend(self, first_day: int, end_day: int) -> None:
        horizon = self._horizon
        span = horizon.end_day - horizon.first_day
        needed_low = min(first_day, horizon.first_day)
        needed_high = max(end_day, horizon.end_day)
        self._check_span(needed_low, needed_high)
        # Growing by at least the current span keeps repeated small extensions cheap.
        low, high = needed_low, needed_high
        if first_day < horizon.first_day:
            low = min(low, horizon.first_day - span)
        if end_day > horizon.end_day:
            high = max(high, horizon.end_day + span)
        excess = max(high - low - _HORIZON_LIMIT_DAYS, 0)
        cut = min(excess, needed_low - low)
        low += cut
        high -= excess - cut
        self._horizon = self._compile(max(low, _FIRST_DAY), min(high, _END_DAY))

    def _check_span(self, first_day: int, end_day: int) -> None:
        if end_day - first_day > _HORIZON_LIMIT_DAYS:
            raise CalendarError(
                f"Calendar {self.name!r} cannot cover {np.datetime64(first_day, 'D')} to "
                f"{np.datetime64(end_day - 1, 'D')}: more than the {HORIZON_LIMIT_YEARS}-year "
                "limit"
            )
        if first_day < _FIRST_DAY or end_day > _END_DAY:
            raise CalendarError(
                f"Calendar {self.name!r} cannot cover dates outside the years 1 to 9999"
            )

    def _compile(self, first_day: int, end_day: int) -> _Horizon:
        starts, ends = _working_intervals(self.calendar, first_day, end_day)
        lengths = ends - starts
        cumulative_end = np.cumsum(lengths)
        cumulative = cumulative_end - lengths
        # Offsets count from the origin, which stays put however far the horizon grows.
        index = max(int(np.searchsorted(starts, self._origin_minute, side="right")) - 1, 0)
        shift = 0
        if starts.size:
            shift = int(cumulative[index]) + int(
                np.clip(self._origin_minute - starts[index], 0, lengths[index])
            )
        return _Horizon(
            first_day, end_day, starts, ends, cumulative - shift, cumulative_end - shift
        )

    def _position_pieces(self) -> _Pieces:
        """The tables of the current horizon for :class:`PositionTables`, kept until it grows."""
        pieces = self._pieces
        if pieces is None or pieces.horizon is not self._horizon:
            pieces = self._pieces = _pieces_of(self._horizon)
        return pieces


def _instant_result(minutes: _Int64Array) -> np.datetime64 | Instants:
    instants = np.asarray(minutes).view("datetime64[m]")
    return cast(np.datetime64, instants[()]) if instants.ndim == 0 else instants


class PositionBound(IntEnum):
    """Which working position of a calendar stands for an instant (see :class:`PositionTables`).

    ``AFTER`` is the first position at or after the instant (a lower bound: an instant in a
    pause goes to the start of the next working period), ``BEFORE`` the last position at or
    before it (an upper bound: an instant in a pause goes to the end of the previous working
    period) and ``START_BEFORE`` the last start position at or before it (the start of the
    last working minute that begins no later than the instant).

    Examples
    --------
    >>> [bound.name for bound in PositionBound]
    ['AFTER', 'BEFORE', 'START_BEFORE']
    """

    AFTER = 0
    BEFORE = 1
    START_BEFORE = 2


_REGION: Final = 1 << 44
"""The distance between the regions of two tables in the merged arrays of PositionTables."""
_AWAY: Final = -(1 << 60)
"""An instant before every region: where a position outside its horizon is sent."""


class _Pieces(NamedTuple):
    """The tables of one horizon, before they are moved to their region and merged.

    ``position_breaks`` and ``position_values`` map positions to instants;
    ``breaks[bound]``, ``intercepts[bound]`` and ``slopes[bound]`` map instants to positions.
    Each values array starts with the value of the gap before the region's first break.
    """

    horizon: _Horizon
    position_breaks: _Int64Array
    position_values: _Int64Array
    breaks: tuple[_Int64Array, ...]
    intercepts: tuple[_Int64Array, ...]
    slopes: tuple[_Int64Array, ...]


def _pieces_of(horizon: _Horizon) -> _Pieces:
    starts, ends = horizon.starts, horizon.ends
    offsets = np.append(horizon.cumulative, horizon.cumulative_end[-1:])
    # Position 2 * offset + side lies in interval i when 2 * cumulative[i] < position <=
    # 2 * cumulative_end[i]: its instant is the interval start plus the offset worked in it.
    position_values = np.concatenate(([_AWAY], starts - horizon.cumulative))

    # Instant to position: alternating pauses (flat) and working intervals (slope 2), between
    # the first and last minutes the horizon can place (the minutes on either side of an
    # instant tell whether it is in a pause).
    first, end = horizon.first_day * _DAY_MINUTES, horizon.end_day * _DAY_MINUTES
    boundaries = np.empty(2 * starts.size + 2, dtype=np.int64)
    boundaries[0], boundaries[-1] = first, end - 1
    boundaries[1:-1:2], boundaries[2:-1:2] = starts, ends
    np.clip(boundaries, first, end - 1, out=boundaries)
    slopes = np.zeros(boundaries.size, dtype=np.int64)
    slopes[2::2] = 2
    breaks: list[_Int64Array] = []
    intercepts: list[_Int64Array] = []
    # AFTER counts the breaks below an instant; BEFORE and START_BEFORE count those at or
    # below it, which is counting the breaks one minute earlier below it.
    for flat, worked, shift in ((1, 0, 0), (0, 1, 1), (-1, 1, 1)):
        intercept = np.empty(boundaries.size, dtype=np.int64)
        intercept[0] = PositionTables.OUTSIDE
        intercept[1::2] = 2 * offsets + flat
        intercept[2::2] = 2 * (horizon.cumulative - starts) + worked
        breaks.append(boundaries - shift)
        intercepts.append(intercept)
    return _Pieces(
        horizon,
        2 * offsets,
        position_values,
        tuple(breaks),
        tuple(intercepts),
        (slopes,) * len(breaks),
    )


class PositionTables:
    """Conversions of working positions between compiled calendars, for tight loops.

    A working *position* is a working offset and a side in one integer: ``2 * offset + 1`` for
    the side "start" and ``2 * offset`` for the side "finish" of :meth:`WorkingTime.instant_at`
    (within working time both stand for the same instant; at a boundary the finish is the end
    of one working period and the start the beginning of the next). Positions are ordered as
    the instants they stand for.

    :meth:`convert` takes positions in some calendars to their instants, adds minutes and
    takes the results to positions in other calendars (see :class:`PositionBound`), for
    arrays of any mix of calendars, with two binary searches over the merged tables of all
    the calendars and no validation: it is meant for loops that convert a few values many
    times. A position or an instant outside what a calendar has compiled gives
    :attr:`OUTSIDE`: extend the horizon with the calendar's own methods, call
    :meth:`refresh` and convert again.

    Parameters
    ----------
    calendars : sequence of WorkingTime
        The calendars, numbered by their place in the sequence; at most
        :attr:`MAX_CALENDARS`.

    Raises
    ------
    CalendarError
        If there are too many calendars.

    Examples
    --------
    Monday 17:00 (the finish of the first day's work, position ``2 * 480``) in the standard
    calendar, plus 14 and 16 hours, as lower bounds: Tuesday 08:00 (a start) and 09:00.

    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
    >>> tables = PositionTables([working])
    >>> codes = np.zeros(2, dtype=np.int64)
    >>> tables.convert(
    ...     np.array([960, 960]) + tables.position_base(codes),
    ...     np.array([14 * 60, 16 * 60]) + tables.minute_base(codes, PositionBound.AFTER),
    ... ).tolist()
    [961, 1080]
    """

    MAX_CALENDARS: ClassVar[int] = 256
    """The most calendars one set of tables holds."""
    LIMIT: ClassVar[int] = 1 << 40
    """Positions and added minutes must be smaller than this, in absolute value."""
    OUTSIDE: ClassVar[int] = -(1 << 61)
    """The result of a conversion that leaves the compiled horizons."""

    __slots__ = (
        "_calendars",
        "_horizons",
        "_intercepts",
        "_minute_breaks",
        "_position_breaks",
        "_position_values",
        "_slopes",
    )

    def __init__(self, calendars: Sequence[WorkingTime]) -> None:
        if len(calendars) > self.MAX_CALENDARS:
            raise CalendarError(
                f"Position tables hold at most {self.MAX_CALENDARS} calendars, not {len(calendars)}"
            )
        self._calendars = tuple(calendars)
        self._horizons: tuple[_Horizon, ...] = ()
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the tables if a calendar's horizon has grown since they were built.

        Examples
        --------
        The finish of two weeks of work is beyond a one-week horizon until it grows:

        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> tables = PositionTables([working])
        >>> codes = np.zeros(1, dtype=np.int64)
        >>> def lower_bound(position: int) -> int:
        ...     return int(tables.convert(
        ...         np.array([position]) + tables.position_base(codes),
        ...         tables.minute_base(codes, PositionBound.AFTER),
        ...     )[0])
        >>> lower_bound(2 * 4800) == PositionTables.OUTSIDE
        True
        >>> working.instant_at(4800, side="finish")
        np.datetime64('2026-05-15T17:00')
        >>> tables.refresh()
        >>> lower_bound(2 * 4800)
        9600
        """
        horizons = tuple(working._horizon for working in self._calendars)
        if len(horizons) == len(self._horizons) and all(
            new is old for new, old in zip(horizons, self._horizons, strict=True)
        ):
            return
        pieces = [working._position_pieces() for working in self._calendars]
        count = len(pieces)
        position_breaks: list[_Int64Array] = []
        position_values: list[_Int64Array] = []
        for code, piece in enumerate(pieces):
            base = code * _REGION
            position_breaks.append(piece.position_breaks + base)
            position_values.append(piece.position_values - base // 2)
        minute_breaks: list[_Int64Array] = []
        intercepts: list[_Int64Array] = []
        slopes: list[_Int64Array] = []
        for bound in PositionBound:
            for code, piece in enumerate(pieces):
                base = (bound * count + code) * _REGION
                slope = piece.slopes[bound]
                minute_breaks.append(piece.breaks[bound] + base)
                intercepts.append(piece.intercepts[bound] - slope * base)
                slopes.append(slope)
        self._position_breaks = np.concatenate(position_breaks)
        self._position_values = np.concatenate([*position_values, [_AWAY]])
        self._minute_breaks = np.concatenate(minute_breaks)
        self._intercepts = np.concatenate([*intercepts, [self.OUTSIDE]])
        self._slopes = np.concatenate([*slopes, [0]])
        self._horizons = horizons

    def position_base(self, codes: _Int64Array) -> _Int64Array:
        """What to add to positions in calendars ``codes`` before :meth:`convert`.

        Parameters
        ----------
        codes : array of int64
            The calendar of each position (its place in the sequence).

        Returns
        -------
        array of int64
            The offsets that place each position in its calendar's table.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> PositionTables([working]).position_base(np.array([0])).tolist()
        [0]
        """
        return np.asarray(codes, dtype=np.int64) * _REGION

    def minute_base(self, codes: _Int64Array, bounds: PositionBound | _Int64Array) -> _Int64Array:
        """What to add to the minutes given to :meth:`convert` to reach calendars ``codes``.

        Parameters
        ----------
        codes : array of int64
            The calendar to convert each instant into.
        bounds : PositionBound or array of int64
            Which position stands for each instant.

        Returns
        -------
        array of int64
            The offsets that place each instant in the table of its calendar and bound.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> tables = PositionTables([working, working])
        >>> (tables.minute_base(np.array([1]), PositionBound.BEFORE) > 0).tolist()
        [True]
        """
        region = np.asarray(bounds, dtype=np.int64) * len(self._calendars) + codes
        return np.asarray(region * _REGION, dtype=np.int64)

    def convert(self, positions: _Int64Array, minutes: _Int64Array) -> _Int64Array:
        """Positions to instants, plus minutes, to positions, in other calendars.

        Parameters
        ----------
        positions : array of int64
            Positions, each plus the :meth:`position_base` of its calendar.
        minutes : array of int64 (same shape)
            Minutes to add to each instant, plus the :meth:`minute_base` of the calendar and
            the bound of the result.

        Returns
        -------
        array of int64
            The positions; :attr:`OUTSIDE` where a position or an instant lies outside the
            compiled horizon of its calendar.

        Examples
        --------
        >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
        >>> tables = PositionTables([working])
        >>> codes = np.zeros(2, dtype=np.int64)
        >>> tables.convert(
        ...     np.array([960, 10**6]) + tables.position_base(codes),
        ...     np.array([-60, 0]) + tables.minute_base(codes, PositionBound.BEFORE),
        ... ).tolist() == [2 * 420 + 1, PositionTables.OUTSIDE]
        True
        """
        instants = self._position_values[self._position_breaks.searchsorted(positions)]
        instants += positions >> 1
        instants += minutes
        index = self._minute_breaks.searchsorted(instants)
        result = self._slopes[index]
        result *= instants
        result += self._intercepts[index]
        return result


def compile_calendar(calendar: Calendar, start: date, finish: date) -> WorkingTime:
    """Compile a calendar for fast conversions between instants and working minutes.

    Parameters
    ----------
    calendar : Calendar
        The calendar.
    start, finish : date
        The dates to compile first (both included); :attr:`WorkingTime.origin` is midnight at
        the start of ``start``. Dates outside them are compiled when first used.

    Returns
    -------
    WorkingTime
        The compiled calendar.

    Raises
    ------
    CalendarError
        If the calendar has no working time, ``finish`` is before ``start`` or the range spans
        more than :data:`HORIZON_LIMIT_YEARS`.

    Examples
    --------
    >>> working = compile_calendar(
    ...     Calendar("Standard", WeekPattern.standard(), holiday_country="FR"),
    ...     date(2026, 1, 1),
    ...     date(2026, 12, 31),
    ... )
    >>> working.add_working(np.datetime64("2026-05-13T08:00"), 960, side="finish")
    np.datetime64('2026-05-15T17:00')
    """
    return WorkingTime(calendar, start, finish)
