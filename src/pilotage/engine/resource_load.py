"""Demand against capacity: working minutes asked of and offered by resources, day by day.

The load of an assignment is spread over the working time of its task's calendar between the
assignment's start and finish (a flat contour, as Microsoft Project's default): with known work,
in proportion to the working minutes of each day; without, at its units for every working
minute. A resource's capacity on a day is the working minutes of its calendar that day times
its capacity units (1 = full time). Days are then summed into weeks or months.

Everything is an array: one row per assignment or resource, one column per day, so a
portfolio's year of load is a few vectorised operations.

Examples
--------
>>> from datetime import date, datetime
>>> from pilotage.engine.calendars import Calendar, compile_calendar
>>> working = compile_calendar(Calendar("Standard"), date(2026, 3, 2), date(2026, 3, 15))
>>> load = assignment_load(
...     working, date(2026, 3, 2), 7,
...     starts=np.array([datetime(2026, 3, 3, 8)], dtype="datetime64[m]"),
...     finishes=np.array([datetime(2026, 3, 4, 17)], dtype="datetime64[m]"),
...     units=np.array([0.5]),
... )
>>> (load / 60).tolist()
[[0.0, 4.0, 4.0, 0.0, 0.0, 0.0, 0.0]]
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime

__all__ = [
    "Period",
    "assignment_load",
    "daily_working_minutes",
    "period_starts",
    "sum_by_period",
    "working_minutes_by_day",
]

Period: TypeAlias = Literal["week", "month"]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
Instants: TypeAlias = npt.NDArray[np.datetime64]


def _day_bounds(first_day: date, days: int) -> Instants:
    return np.datetime64(first_day, "m") + np.arange(days + 1, dtype=np.int64) * np.timedelta64(
        1440, "m"
    )


def daily_working_minutes(working: WorkingTime, first_day: date, days: int) -> IntArray:
    """The working minutes of each of ``days`` days from ``first_day``.

    Examples
    --------
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 3, 2), date(2026, 3, 8))
    >>> daily_working_minutes(working, date(2026, 3, 6), 3).tolist()
    [480, 0, 0]
    """
    if days < 0:
        raise ValueError(f"days must not be negative, not {days}")
    offsets = working.working_offset(_day_bounds(first_day, days))
    return np.diff(offsets).astype(np.int64)


def working_minutes_by_day(
    working: WorkingTime, first_day: date, days: int, starts: Instants, finishes: Instants
) -> IntArray:
    """The working minutes of each interval ``[start, finish)`` that fall in each day.

    Returns an array of shape ``(len(starts), days)``; an interval that finishes before it starts
    counts nothing.

    Examples
    --------
    >>> from datetime import datetime
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 3, 2), date(2026, 3, 8))
    >>> working_minutes_by_day(
    ...     working, date(2026, 3, 2), 3,
    ...     np.array([datetime(2026, 3, 2, 13)], dtype="datetime64[m]"),
    ...     np.array([datetime(2026, 3, 3, 10)], dtype="datetime64[m]"),
    ... ).tolist()
    [[240, 120, 0]]
    """
    bounds = working.working_offset(_day_bounds(first_day, days))
    start_offsets = working.working_offset(np.asarray(starts, dtype="datetime64[m]"))
    finish_offsets = np.maximum(
        working.working_offset(np.asarray(finishes, dtype="datetime64[m]")), start_offsets
    )
    clipped = np.minimum(
        np.maximum(bounds[np.newaxis, :], start_offsets[:, np.newaxis]),
        finish_offsets[:, np.newaxis],
    )
    return np.diff(clipped, axis=1).astype(np.int64)


def assignment_load(
    working: WorkingTime,
    first_day: date,
    days: int,
    *,
    starts: Instants,
    finishes: Instants,
    units: FloatArray,
    work_minutes: FloatArray | None = None,
) -> FloatArray:
    """The minutes of work each assignment asks for on each day.

    Parameters
    ----------
    working : WorkingTime
        The calendar the assignments' tasks work on.
    first_day, days : date, int
        The days to report.
    starts, finishes : array of datetime64
        Each assignment's start and finish.
    units : array of float
        Each assignment's units (1 = full time).
    work_minutes : array of float, optional
        Each assignment's work; NaN (or no array) to use ``units`` for every working minute.
        Known work is spread in proportion to the working minutes of each day of the whole
        assignment, so the days reported get their share of it.

    Returns
    -------
    array of float, shape (len(starts), days)

    Examples
    --------
    >>> from datetime import datetime
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 3, 2), date(2026, 3, 8))
    >>> starts = np.array([datetime(2026, 3, 2, 8)], dtype="datetime64[m]")
    >>> finishes = np.array([datetime(2026, 3, 3, 17)], dtype="datetime64[m]")
    >>> assignment_load(working, date(2026, 3, 3), 1, starts=starts, finishes=finishes,
    ...                 units=np.array([1.0]), work_minutes=np.array([1200.0])).tolist()
    [[600.0]]
    """
    starts = np.asarray(starts, dtype="datetime64[m]")
    finishes = np.asarray(finishes, dtype="datetime64[m]")
    units = np.asarray(units, dtype=np.float64)
    minutes = working_minutes_by_day(working, first_day, days, starts, finishes).astype(np.float64)
    rate = units.copy()
    if work_minutes is not None:
        work = np.asarray(work_minutes, dtype=np.float64)
        start_offsets = working.working_offset(starts)
        total = np.maximum(working.working_offset(finishes), start_offsets) - start_offsets
        known = ~np.isnan(work) & (total > 0)
        rate[known] = work[known] / total[known]
    result: FloatArray = minutes * rate[:, np.newaxis]
    return result


def period_starts(first_day: date, days: int, period: Period) -> tuple[IntArray, list[date]]:
    """Where each week (from Monday) or month begins among ``days`` days from ``first_day``.

    The first period begins on ``first_day`` whatever its weekday.

    Examples
    --------
    >>> indices, firsts = period_starts(date(2026, 1, 28), 10, "month")
    >>> indices.tolist(), firsts
    ([0, 4], [datetime.date(2026, 1, 28), datetime.date(2026, 2, 1)])
    >>> period_starts(date(2026, 3, 4), 10, "week")[0].tolist()
    [0, 5]
    """
    if period not in ("week", "month"):
        raise ValueError(f"period must be 'week' or 'month', not {period!r}")
    indices: list[int] = []
    firsts: list[date] = []
    for index in range(days):
        day = first_day + timedelta(days=index)
        begins = day.weekday() == 0 if period == "week" else day.day == 1
        if index == 0 or begins:
            indices.append(index)
            firsts.append(day)
    return np.asarray(indices, dtype=np.int64), firsts


def sum_by_period(values: FloatArray, starts: IntArray) -> FloatArray:
    """Sum the last axis (days) of ``values`` over the periods that begin at ``starts``.

    Examples
    --------
    >>> sum_by_period(np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([0, 3])).tolist()
    [[6.0, 4.0]]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape[-1] == 0 or starts.size == 0:
        return np.zeros((*values.shape[:-1], starts.size), dtype=np.float64)
    result: FloatArray = np.add.reduceat(values, starts, axis=-1)
    return result
