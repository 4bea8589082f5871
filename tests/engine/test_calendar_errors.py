"""Calendars that cannot be used fail with a CalendarError naming the calendar and the day."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
    compile_calendar,
)
from pilotage.engine.errors import CalendarError, EngineError

MORNING = WorkingPeriod(480, 720)


def week_with_monday(*periods: WorkingPeriod) -> WeekPattern:
    return WeekPattern.standard().with_day(0, periods)


@pytest.mark.parametrize(
    ("periods", "problem"),
    [
        ((WorkingPeriod(480, 720), WorkingPeriod(660, 780)), "08:00-12:00 and 11:00-13:00 overlap"),
        ((WorkingPeriod(-60, 720),), "outside 00:00-24:00"),
        ((WorkingPeriod(1320, 1500),), "outside 00:00-24:00"),
        ((WorkingPeriod(780, 720),), "13:00-12:00 must start before it ends"),
        ((WorkingPeriod(720, 720),), "12:00-12:00 must start before it ends"),
    ],
)
def test_an_invalid_week_period_names_the_calendar_and_the_weekday(
    periods: tuple[WorkingPeriod, ...], problem: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        Calendar("Workshop", week_with_monday(*periods))
    message = str(caught.value)
    assert "'Workshop'" in message
    assert "Monday" in message
    assert problem in message


def test_an_invalid_exception_period_names_the_calendar_and_the_date() -> None:
    with pytest.raises(CalendarError, match=r"'Workshop'.*'Inventory' \(2026-07-01\).*overlap"):
        Calendar(
            "Workshop",
            exceptions=(
                CalendarException(
                    date(2026, 7, 1),
                    date(2026, 7, 1),
                    (MORNING, WorkingPeriod(600, 900)),
                    name="Inventory",
                ),
            ),
        )


def test_an_exception_ending_before_it_starts() -> None:
    with pytest.raises(CalendarError, match=r"'Workshop'.*2026-07-03 to 2026-07-01.*before"):
        Calendar("Workshop", exceptions=(CalendarException(date(2026, 7, 3), date(2026, 7, 1)),))


def test_touching_periods_are_one_stretch_of_work() -> None:
    calendar = Calendar("Touching", week_with_monday(MORNING, WorkingPeriod(720, 780)))
    working = compile_calendar(calendar, date(2026, 5, 4), date(2026, 5, 4))
    assert working.add_working(np.datetime64("2026-05-04T08:00"), 240, side="start") == (
        np.datetime64("2026-05-04T12:00")
    )


@pytest.mark.parametrize(
    ("rule", "options", "problem"),
    [
        (YearlyByWeekday(5, 0, 5), {}, "position must be 1 to 4 or -1"),
        (YearlyByWeekday(13, 0, 1), {}, "month must be 1 to 12"),
        (YearlyByDate(2, 30), {}, "2/30 is not a day of the year"),
        (MonthlyByDay(32), {}, "day of the month must be 1 to 31"),
        (Weekly(()), {}, "weekdays must be 0 (Monday) to 6"),
        (Weekly((7,)), {}, "weekdays must be 0 (Monday) to 6"),
        (Daily(0), {}, "every 1 or more"),
        (Daily(2), {}, "needs a first date"),
        (Daily(), {"count": 3}, "count of occurrences needs a first date"),
        (Daily(), {"first": date(2026, 2, 1), "count": 0}, "count must be 1 or more"),
        (Daily(), {"first": date(2026, 2, 1), "last": date(2026, 1, 1)}, "ends (2026-01-01)"),
        (Daily(), {"span_days": 0}, "lasts 1 to 366 days"),
        ("every day", {}, "is not a recurrence rule"),
    ],
)
def test_an_invalid_recurring_exception_names_the_calendar_and_the_exception(
    rule: Any, options: dict[str, Any], problem: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        Calendar("Plant", recurring=(RecurringException("Maintenance", rule=rule, **options),))
    message = str(caught.value)
    assert "'Plant'" in message
    assert "'Maintenance'" in message
    assert problem in message


def test_a_week_has_seven_days() -> None:
    with pytest.raises(CalendarError, match=r"7 days"):
        WeekPattern(((MORNING,),) * 5)


def test_an_unknown_holiday_country() -> None:
    with pytest.raises(CalendarError, match=r"'Abroad'.*'XX'"):
        Calendar("Abroad", holiday_country="XX")


def test_an_unknown_holiday_subdivision() -> None:
    with pytest.raises(CalendarError, match=r"'Abroad'.*'FR'"):
        Calendar("Abroad", holiday_country="FR", holiday_subdivision="ZZ")


def test_a_subdivision_needs_a_country() -> None:
    with pytest.raises(CalendarError, match=r"'Abroad'.*needs a holiday country"):
        Calendar("Abroad", holiday_subdivision="57")


@pytest.mark.parametrize("value", [0, -480, 7.5])
def test_minutes_per_day_must_be_a_positive_whole_number(value: Any) -> None:
    with pytest.raises(CalendarError, match=r"'Odd'.*minutes_per_day"):
        Calendar("Odd", minutes_per_day=value)


def test_a_calendar_without_working_time_cannot_be_compiled() -> None:
    never = Calendar("Never", WeekPattern(((),) * 7))
    with pytest.raises(CalendarError, match=r"Calendar 'Never' has no working time"):
        compile_calendar(never, date(2026, 1, 1), date(2026, 12, 31))


def test_a_calendar_whose_working_time_ends_cannot_reach_beyond_it() -> None:
    once = Calendar(
        "Once",
        WeekPattern(((),) * 7),
        exceptions=(CalendarException(date(2026, 3, 2), date(2026, 3, 2), (MORNING,)),),
    )
    working = compile_calendar(once, date(2026, 1, 1), date(2026, 12, 31))
    assert working.instant_at(240, side="finish") == np.datetime64("2026-03-02T12:00")
    with pytest.raises(CalendarError, match=r"Calendar 'Once' has no working time after"):
        working.instant_at(241, side="finish")
    with pytest.raises(CalendarError, match=r"Calendar 'Once' has no working time before"):
        working.instant_at(0, side="finish")


def test_dates_beyond_the_horizon_limit() -> None:
    working = compile_calendar(Calendar("Standard"), date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(CalendarError, match=r"'Standard'.*200-year limit"):
        working.working_offset(np.datetime64("2400-01-01T08:00"))
    with pytest.raises(CalendarError, match=r"'Standard'.*200-year limit"):
        compile_calendar(Calendar("Standard"), date(1900, 1, 1), date(2200, 1, 1))


def test_a_missing_instant_is_refused() -> None:
    working = compile_calendar(Calendar("Standard"), date(2026, 1, 1), date(2026, 12, 31))
    instants = np.array(["2026-05-04T08:00", "NaT"], dtype="datetime64[m]")
    with pytest.raises(CalendarError, match=r"'Standard'.*NaT"):
        working.working_offset(instants)


def test_working_minutes_must_be_whole_numbers() -> None:
    working = compile_calendar(Calendar("Standard"), date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(CalendarError, match=r"whole numbers"):
        working.add_working(np.datetime64("2026-05-04T08:00"), np.array([1.5]), side="start")


def test_a_horizon_ending_before_it_starts() -> None:
    with pytest.raises(CalendarError, match=r"'Standard'.*ends"):
        compile_calendar(Calendar("Standard"), date(2026, 2, 1), date(2026, 1, 1))


def test_an_unknown_side_is_refused() -> None:
    working = compile_calendar(Calendar("Standard"), date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(CalendarError, match=r"side"):
        working.instant_at(0, side="middle")  # type: ignore[call-overload]


def test_calendar_errors_are_engine_errors() -> None:
    assert issubclass(CalendarError, EngineError)
