"""Hand-checked working-time arithmetic: weeks, holidays, exceptions, resource calendars."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    WorkingTime,
    YearlyByDate,
    YearlyByWeekday,
    compile_calendar,
)

MORNING = WorkingPeriod.from_clock("08:00", "12:00")
AFTERNOON = WorkingPeriod.from_clock("13:00", "17:00")
STANDARD = Calendar("Standard", WeekPattern.standard())
FRANCE = Calendar("France", WeekPattern.standard(), holiday_country="FR")


def at(text: str) -> np.datetime64:
    return np.datetime64(text, "m")


def compiled(calendar: Calendar) -> WorkingTime:
    return compile_calendar(calendar, date(2026, 1, 1), date(2026, 12, 31))


class TestStandardWeek:
    def test_a_day_of_work_from_monday_morning_finishes_monday_evening(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-04T08:00"), 480, side="finish") == at(
            "2026-05-04T17:00"
        )

    def test_work_after_a_full_day_starts_the_next_morning(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-04T08:00"), 480, side="start") == at(
            "2026-05-05T08:00"
        )

    def test_the_boundary_side_applies_to_offsets_too(self) -> None:
        working = compiled(STANDARD)
        offset = working.working_offset(at("2026-05-04T08:00")) + 480
        assert working.instant_at(offset, side="finish") == at("2026-05-04T17:00")
        assert working.instant_at(offset, side="start") == at("2026-05-05T08:00")

    def test_the_lunch_break_is_skipped(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-04T11:00"), 120, side="finish") == at(
            "2026-05-04T14:00"
        )
        assert working.add_working(at("2026-05-04T08:00"), 240, side="finish") == at(
            "2026-05-04T12:00"
        )
        assert working.add_working(at("2026-05-04T08:00"), 240, side="start") == at(
            "2026-05-04T13:00"
        )

    def test_work_continues_across_the_weekend(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-08T13:00"), 480, side="finish") == at(
            "2026-05-11T12:00"
        )
        assert working.working_between(at("2026-05-08T13:00"), at("2026-05-11T12:00")) == 480

    def test_work_counted_from_a_weekend_starts_on_monday(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-09T10:00"), 60, side="finish") == at(
            "2026-05-11T09:00"
        )

    def test_a_week_holds_forty_hours(self) -> None:
        working = compiled(STANDARD)
        assert working.working_between(at("2026-05-04T00:00"), at("2026-05-11T00:00")) == 2400


class TestPublicHolidays:
    def test_labour_day_is_not_worked_in_france(self) -> None:
        working = compiled(FRANCE)
        # Thursday 30 April, then Friday 1 May is a holiday and Monday 4 May finishes the work.
        assert working.add_working(at("2026-04-30T08:00"), 960, side="finish") == at(
            "2026-05-04T17:00"
        )
        assert compiled(STANDARD).add_working(at("2026-04-30T08:00"), 960, side="finish") == at(
            "2026-05-01T17:00"
        )

    def test_ascension_day_is_not_worked_in_france(self) -> None:
        working = compiled(FRANCE)
        assert not working.is_working(at("2026-05-14T09:00"))
        assert working.add_working(at("2026-05-13T08:00"), 960, side="finish") == at(
            "2026-05-15T17:00"
        )
        assert working.working_between(at("2026-05-11T08:00"), at("2026-05-18T08:00")) == 4 * 480

    def test_a_region_adds_its_own_holidays(self) -> None:
        moselle = Calendar(
            "Moselle", WeekPattern.standard(), holiday_country="FR", holiday_subdivision="57"
        )
        good_friday = at("2026-04-03T09:00")
        assert compiled(FRANCE).is_working(good_friday)
        assert not compiled(moselle).is_working(good_friday)

    def test_an_exception_can_make_a_holiday_a_working_day(self) -> None:
        solidarity = Calendar(
            "Solidarity day",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 5, 25), date(2026, 5, 25), (MORNING,)),),
            holiday_country="FR",
        )
        assert not compiled(FRANCE).is_working(at("2026-05-25T09:00"))
        assert (
            compiled(solidarity).working_between(at("2026-05-25T00:00"), at("2026-05-26T00:00"))
            == 240
        )


class TestExceptions:
    def test_an_extra_working_saturday(self) -> None:
        calendar = Calendar(
            "Saturday push",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 5, 9), date(2026, 5, 9), (MORNING,)),),
        )
        working = compiled(calendar)
        assert working.add_working(at("2026-05-08T13:00"), 480, side="finish") == at(
            "2026-05-09T12:00"
        )
        assert working.add_working(at("2026-05-08T13:00"), 480, side="start") == at(
            "2026-05-11T08:00"
        )

    def test_a_half_day(self) -> None:
        calendar = Calendar(
            "Half day",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 7, 1), date(2026, 7, 1), (MORNING,)),),
        )
        working = compiled(calendar)
        assert working.add_working(at("2026-07-01T08:00"), 480, side="finish") == at(
            "2026-07-02T12:00"
        )
        assert not working.is_working(at("2026-07-01T14:00"))

    def test_a_closure_over_several_days(self) -> None:
        calendar = Calendar(
            "Summer",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 8, 3), date(2026, 8, 14), name="Summer"),),
        )
        working = compiled(calendar)
        assert working.add_working(at("2026-07-31T17:00"), 60, side="finish") == at(
            "2026-08-17T09:00"
        )

    def test_the_later_of_two_overlapping_exceptions_applies(self) -> None:
        calendar = Calendar(
            "Overlap",
            WeekPattern.standard(),
            exceptions=(
                CalendarException(date(2026, 8, 3), date(2026, 8, 7)),
                CalendarException(date(2026, 8, 5), date(2026, 8, 5), (AFTERNOON,)),
            ),
        )
        working = compiled(calendar)
        assert working.working_between(at("2026-08-03T00:00"), at("2026-08-08T00:00")) == 240

    def test_a_yearly_closure_from_christmas_eve_to_new_years_eve(self) -> None:
        calendar = Calendar(
            "Year end",
            WeekPattern.standard(),
            recurring=(
                RecurringException("Year-end closure", rule=YearlyByDate(12, 24), span_days=8),
            ),
        )
        working = compiled(calendar)
        # Wednesday 23 December 2026, then nothing until Friday 1 January 2027.
        assert working.add_working(at("2026-12-23T08:00"), 960, side="finish") == at(
            "2027-01-01T17:00"
        )
        for year in (2026, 2030, 2041):
            closed = working.working_between(at(f"{year}-12-24T00:00"), at(f"{year + 1}-01-01"))
            assert closed == 0
        assert working.is_working(at("2030-12-23T09:00"))


class TestResourceCalendars:
    BASE = Calendar(
        "Company",
        WeekPattern.standard(),
        exceptions=(CalendarException(date(2026, 8, 12), date(2026, 8, 14), name="Summer bridge"),),
        holiday_country="FR",
    )

    def test_part_time_wednesdays_keep_the_base_holidays(self) -> None:
        alice = Calendar(
            "Alice",
            base=self.BASE,
            recurring=(RecurringException("Part time", (MORNING,), rule=Weekly((2,))),),
        )
        working = compiled(alice)
        assert working.add_working(at("2026-06-03T08:00"), 480, side="finish") == at(
            "2026-06-04T12:00"
        )
        assert working.working_between(at("2026-06-01T00:00"), at("2026-06-08T00:00")) == 2160
        assert not working.is_working(at("2026-05-01T09:00"))
        assert not working.is_working(at("2026-08-13T09:00"))

    def test_an_own_week_is_overridden_by_the_base_exceptions(self) -> None:
        bob = Calendar("Bob", WeekPattern.standard().with_day(2, (MORNING,)), base=self.BASE)
        working = compiled(bob)
        assert working.working_between(at("2026-06-01T00:00"), at("2026-06-08T00:00")) == 2160
        assert not working.is_working(at("2026-08-12T09:00"))

    def test_an_own_exception_overrides_the_base(self) -> None:
        carol = Calendar(
            "Carol",
            base=self.BASE,
            exceptions=(
                CalendarException(date(2026, 8, 13), date(2026, 8, 13), (MORNING, AFTERNOON)),
            ),
        )
        working = compiled(carol)
        assert working.working_between(at("2026-08-12T00:00"), at("2026-08-15T00:00")) == 480

    def test_a_resource_calendar_follows_a_base_of_a_base(self) -> None:
        team = Calendar("Team", base=self.BASE)
        dave = Calendar("Dave", base=team)
        assert dave.effective_week == WeekPattern.standard()
        assert dave.holiday_region == ("FR", None)
        assert not compiled(dave).is_working(at("2026-08-14T09:00"))


class TestNegativeAndBetween:
    def test_subtracting_a_day_from_an_evening_gives_that_morning(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-11T17:00"), -480, side="start") == at(
            "2026-05-11T08:00"
        )

    def test_subtracting_across_the_weekend(self) -> None:
        working = compiled(STANDARD)
        assert working.add_working(at("2026-05-11T08:00"), -480, side="start") == at(
            "2026-05-08T08:00"
        )
        assert working.add_working(at("2026-05-11T08:00"), -480, side="finish") == at(
            "2026-05-07T17:00"
        )
        assert working.add_working(at("2026-05-11T10:00"), -360, side="start") == at(
            "2026-05-08T13:00"
        )

    def test_working_between_is_signed(self) -> None:
        working = compiled(FRANCE)
        early, late = at("2026-04-30T10:00"), at("2026-05-04T15:00")
        # Thursday 10:00-17:00, Friday 1 May off, Monday 08:00-15:00.
        assert working.working_between(early, late) == 360 + 360
        assert working.working_between(late, early) == -(360 + 360)
        assert working.working_between(at("2026-05-09T10:00"), at("2026-05-10T20:00")) == 0


class TestNightShift:
    NIGHTS = Calendar(
        "Nights",
        WeekPattern(
            (
                (WorkingPeriod.from_clock("22:00", "24:00"),),
                *((WorkingPeriod(0, 360), WorkingPeriod(1320, 1440)),) * 4,
                (WorkingPeriod(0, 360),),
                (),
            )
        ),
    )

    def test_a_shift_runs_through_midnight(self) -> None:
        working = compiled(self.NIGHTS)
        monday_night = at("2026-05-04T22:00")
        assert working.add_working(monday_night, 480, side="finish") == at("2026-05-05T06:00")
        assert working.add_working(monday_night, 480, side="start") == at("2026-05-05T22:00")
        assert working.add_working(monday_night, 180, side="finish") == at("2026-05-05T01:00")
        assert working.is_working(at("2026-05-05T00:00"))
        assert working.working_between(monday_night, at("2026-05-05T06:00")) == 480

    def test_the_last_shift_ends_on_saturday_morning(self) -> None:
        working = compiled(self.NIGHTS)
        assert working.working_between(at("2026-05-04T00:00"), at("2026-05-11T00:00")) == 2400
        assert working.next_working(at("2026-05-09T06:00")) == at("2026-05-11T22:00")


class TestSnapping:
    @pytest.mark.parametrize(
        ("instant", "next_working", "previous_end"),
        [
            ("2026-05-04T10:00", "2026-05-04T10:00", "2026-05-04T10:00"),
            ("2026-05-04T12:30", "2026-05-04T13:00", "2026-05-04T12:00"),
            ("2026-05-04T08:00", "2026-05-04T08:00", "2026-05-01T17:00"),
            ("2026-05-04T17:00", "2026-05-05T08:00", "2026-05-04T17:00"),
            ("2026-05-09T12:00", "2026-05-11T08:00", "2026-05-08T17:00"),
        ],
    )
    def test_instants_snap_to_working_time(
        self, instant: str, next_working: str, previous_end: str
    ) -> None:
        working = compiled(STANDARD)
        assert working.next_working(at(instant)) == at(next_working)
        assert working.previous_working_end(at(instant)) == at(previous_end)


class TestArrays:
    def test_arrays_give_the_same_answers_as_scalars_in_the_same_shape(self) -> None:
        working = compiled(FRANCE)
        instants = np.array(
            [["2026-04-30T08:00", "2026-05-09T10:00"], ["2026-05-13T16:30", "2027-03-01T12:00"]],
            dtype="datetime64[m]",
        )
        minutes = np.array([[480, -30], [0, 2400]])
        moved = working.add_working(instants, minutes, side="finish")
        assert moved.shape == (2, 2)
        for index in np.ndindex(instants.shape):
            assert moved[index] == working.add_working(
                instants[index], int(minutes[index]), side="finish"
            )
        offsets = working.working_offset(instants)
        assert offsets.dtype == np.int64
        assert (working.instant_at(offsets, side="start") == working.next_working(instants)).all()

    def test_python_dates_are_accepted_as_midnight(self) -> None:
        working = compiled(STANDARD)
        assert working.working_offset(date(2026, 1, 5)) == working.working_offset(
            at("2026-01-05T00:00")
        )

    def test_working_intervals_list_the_worked_stretches(self) -> None:
        working = compiled(FRANCE)
        starts, ends = working.working_intervals(at("2026-04-30T10:00"), at("2026-05-05T00:00"))
        assert starts.tolist() == [
            at("2026-04-30T10:00").item(),
            at("2026-04-30T13:00").item(),
            at("2026-05-04T08:00").item(),
            at("2026-05-04T13:00").item(),
        ]
        assert (ends - starts).astype(int).sum() == 120 + 3 * 240


class TestHorizon:
    def test_the_horizon_grows_both_ways_without_moving_the_origin(self) -> None:
        narrow = compile_calendar(FRANCE, date(2026, 5, 1), date(2026, 5, 31))
        wide = compile_calendar(FRANCE, date(2026, 5, 1), date(2060, 12, 31))
        instants = np.array(
            ["2019-02-11T09:30", "2026-05-14T10:00", "2058-07-03T15:00"], dtype="datetime64[m]"
        )
        assert (narrow.working_offset(instants) == wide.working_offset(instants)).all()
        assert narrow.origin == at("2026-05-01T00:00")
        assert narrow.working_offset(at("2026-05-04T08:00")) == 0
        assert narrow.working_offset(at("2026-04-30T17:00")) == 0
        assert narrow.working_offset(at("2026-04-30T16:00")) == -60

    def test_large_offsets_are_reached_by_growing_the_horizon(self) -> None:
        narrow = compile_calendar(STANDARD, date(2026, 1, 5), date(2026, 1, 9))
        ten_years_of_weeks = 52 * 10 * 2400
        finish = narrow.instant_at(ten_years_of_weeks, side="finish")
        assert finish == at("2035-12-21T17:00")
        assert narrow.working_offset(finish) == ten_years_of_weeks
        assert narrow.instant_at(-2400, side="start") == at("2025-12-29T08:00")


class TestRecurrenceRules:
    @pytest.mark.parametrize(
        ("recurring", "expected"),
        [
            (
                RecurringException("Last Monday of May", rule=YearlyByWeekday(5, 0, -1)),
                ["2026-05-25", "2027-05-31"],
            ),
            (
                RecurringException("Fourth Thursday of November", rule=YearlyByWeekday(11, 3, 4)),
                ["2026-11-26"],
            ),
            (
                RecurringException("Leap day", rule=YearlyByDate(2, 29)),
                [],
            ),
            (
                RecurringException(
                    "Month end", rule=MonthlyByDay(31), first=date(2026, 5, 1), count=3
                ),
                ["2026-05-31", "2026-07-31", "2026-08-31"],
            ),
            (
                RecurringException(
                    "Every other month", rule=MonthlyByDay(15, every=2), first=date(2026, 11, 1)
                ),
                ["2026-11-15", "2027-01-15", "2027-03-15", "2027-05-15"],
            ),
            (
                RecurringException(
                    "First Monday",
                    rule=MonthlyByWeekday(0, 1),
                    first=date(2027, 2, 1),
                    last=date(2027, 4, 30),
                ),
                ["2027-02-01", "2027-03-01", "2027-04-05"],
            ),
            (
                RecurringException(
                    "Tue and Thu", rule=Weekly((1, 3)), first=date(2027, 5, 1), count=3
                ),
                ["2027-05-04", "2027-05-06", "2027-05-11"],
            ),
            (
                RecurringException("Every ten days", rule=Daily(10), first=date(2027, 5, 1)),
                ["2027-05-01", "2027-05-11", "2027-05-21", "2027-05-31"],
            ),
        ],
    )
    def test_occurrences(self, recurring: RecurringException, expected: list[str]) -> None:
        found = recurring.occurrences(date(2026, 1, 1), date(2027, 5, 31))
        assert [day.isoformat() for day in found] == expected
        assert all(recurring.occurs_on(day) for day in found)

    def test_an_own_recurring_exception_overrides_a_base_exception(self) -> None:
        base = Calendar(
            "Base",
            exceptions=(CalendarException(date(2026, 6, 1), date(2026, 6, 30), name="June off"),),
        )
        resource = Calendar(
            "Mondays",
            base=base,
            recurring=(RecurringException("Mondays", (MORNING,), rule=Weekly((0,))),),
        )
        working = compiled(resource)
        assert working.working_between(at("2026-06-01T00:00"), at("2026-07-01T00:00")) == 5 * 240
