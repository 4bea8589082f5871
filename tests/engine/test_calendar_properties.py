"""Properties of working-time arithmetic on random calendars (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurrenceRule,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
    compile_calendar,
)

WINDOW_START = date(2026, 1, 1)
WINDOW_DAYS = 120
ORIGIN_MINUTE = int(np.datetime64(WINDOW_START, "m").astype(np.int64))

# Cut points favour the usual office hours and midnight, so that night shifts (a period ending
# at 24:00 followed by one starting at 00:00) and touching periods come up often.
cut_points = st.one_of(st.sampled_from([0, 480, 720, 780, 1020, 1320, 1440]), st.integers(0, 1440))


@st.composite
def day_periods(draw: st.DrawFn) -> tuple[WorkingPeriod, ...]:
    cuts = sorted(draw(st.lists(cut_points, max_size=6, unique=True)))
    return tuple(
        WorkingPeriod(start, end) for start, end in zip(cuts[::2], cuts[1::2], strict=False)
    )


weeks = st.tuples(*[day_periods()] * 7).map(WeekPattern).filter(lambda week: week.minutes > 0)
days_in_window = st.integers(0, WINDOW_DAYS - 1).map(lambda day: WINDOW_START + timedelta(day))


@st.composite
def exceptions(draw: st.DrawFn) -> CalendarException:
    start = draw(days_in_window)
    length = draw(st.integers(0, 10))
    return CalendarException(start, start + timedelta(length), draw(day_periods()))


rules: st.SearchStrategy[RecurrenceRule] = st.one_of(
    st.builds(Daily, st.integers(1, 5)),
    st.builds(
        Weekly,
        st.lists(st.integers(0, 6), min_size=1, max_size=3, unique=True).map(tuple),
        st.integers(1, 3),
    ),
    st.builds(MonthlyByDay, st.integers(1, 31), st.integers(1, 2)),
    st.builds(MonthlyByWeekday, st.integers(0, 6), st.sampled_from([1, 2, 3, 4, -1])),
    st.builds(YearlyByDate, st.integers(1, 3), st.integers(1, 28)),
    st.builds(
        YearlyByWeekday, st.integers(1, 3), st.integers(0, 6), st.sampled_from([1, 2, 3, 4, -1])
    ),
)


@st.composite
def recurring_exceptions(draw: st.DrawFn) -> RecurringException:
    first = draw(days_in_window)
    # Bounded, so that a rule such as "every day off" cannot end all working time.
    last = first + timedelta(draw(st.integers(0, 90)))
    return RecurringException(
        "Recurring",
        draw(day_periods()),
        rule=draw(rules),
        first=first,
        last=last,
        count=draw(st.none() | st.integers(1, 6)),
        span_days=draw(st.integers(1, 3)),
    )


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    base = Calendar(
        "Base",
        draw(weeks),
        exceptions=tuple(draw(st.lists(exceptions(), max_size=3))),
        recurring=tuple(draw(st.lists(recurring_exceptions(), max_size=2))),
        holiday_country=draw(st.sampled_from([None, "FR"])),
    )
    if not draw(st.booleans()):
        return base
    return Calendar(
        "Resource",
        draw(st.none() | weeks),
        exceptions=tuple(draw(st.lists(exceptions(), max_size=3))),
        recurring=tuple(draw(st.lists(recurring_exceptions(), max_size=2))),
        base=base,
    )


def instants_in_window(size: int) -> st.SearchStrategy[np.ndarray]:
    minutes = st.lists(st.integers(0, WINDOW_DAYS * 1440 - 1), min_size=1, max_size=size).map(
        lambda values: (ORIGIN_MINUTE + np.array(values, dtype=np.int64)).view("datetime64[m]")
    )
    return minutes


@settings(max_examples=60, deadline=None)
@given(calendars())
def test_the_compiled_calendar_matches_its_definition_day_by_day(calendar: Calendar) -> None:
    working = compile_calendar(calendar, WINDOW_START, WINDOW_START + timedelta(WINDOW_DAYS))
    for day in (WINDOW_START + timedelta(offset) for offset in range(WINDOW_DAYS)):
        midnight = np.datetime64(day, "m")
        starts, ends = working.working_intervals(midnight, midnight + np.timedelta64(1, "D"))
        compiled = [
            (int((start - midnight).astype(int)), int((end - midnight).astype(int)))
            for start, end in zip(starts, ends, strict=True)
        ]
        defined = [(period.start_minute, period.end_minute) for period in calendar.periods_on(day)]
        assert compiled == defined, day


@settings(max_examples=80, deadline=None)
@given(calendars(), instants_in_window(40), st.data())
def test_adding_working_minutes_then_measuring_gives_them_back(
    calendar: Calendar, instants: np.ndarray, data: st.DataObject
) -> None:
    weekly = calendar.effective_week.minutes
    minutes = np.array(
        data.draw(
            st.lists(
                st.integers(-20 * weekly, 20 * weekly),
                min_size=len(instants),
                max_size=len(instants),
            )
        )
    )
    working = compile_calendar(calendar, WINDOW_START, WINDOW_START + timedelta(7))
    for side in ("start", "finish"):
        moved = working.add_working(instants, minutes, side=side)
        assert (working.working_between(instants, moved) == minutes).all()
        assert (moved[minutes > 0] > instants[minutes > 0]).all()
        assert (moved[minutes < 0] < instants[minutes < 0]).all()


@settings(max_examples=80, deadline=None)
@given(calendars(), instants_in_window(60))
def test_an_instant_in_working_time_is_found_again_from_its_offset(
    calendar: Calendar, instants: np.ndarray
) -> None:
    working = compile_calendar(calendar, WINDOW_START, WINDOW_START + timedelta(WINDOW_DAYS))
    offsets = working.working_offset(instants)
    is_working = working.is_working(instants)
    starts = working.instant_at(offsets, side="start")
    assert (starts[is_working] == instants[is_working]).all()
    assert (starts[~is_working] == working.next_working(instants[~is_working])).all()
    worked_before = working.is_working(instants - np.timedelta64(1, "m"))
    finishes = working.instant_at(offsets, side="finish")
    assert (finishes[worked_before] == instants[worked_before]).all()
    assert (
        finishes[~worked_before] == working.previous_working_end(instants[~worked_before])
    ).all()


@settings(max_examples=80, deadline=None)
@given(calendars(), instants_in_window(60))
def test_working_offsets_grow_by_one_for_each_working_minute(
    calendar: Calendar, instants: np.ndarray
) -> None:
    working = compile_calendar(calendar, WINDOW_START, WINDOW_START + timedelta(WINDOW_DAYS))
    ordered = np.sort(instants)
    offsets = working.working_offset(ordered)
    assert (np.diff(offsets) >= 0).all()
    step = working.working_offset(ordered + np.timedelta64(1, "m")) - offsets
    assert (step == working.is_working(ordered)).all()


@settings(max_examples=80, deadline=None)
@given(calendars(), st.data())
def test_instants_grow_with_offsets_and_finishes_never_follow_starts(
    calendar: Calendar, data: st.DataObject
) -> None:
    weekly = calendar.effective_week.minutes
    offsets = data.draw(st.lists(st.integers(-20 * weekly, 20 * weekly), min_size=1, max_size=60))
    working = compile_calendar(calendar, WINDOW_START, WINDOW_START + timedelta(WINDOW_DAYS))
    ordered = np.sort(np.array(offsets, dtype=np.int64))
    starts = working.instant_at(ordered, side="start")
    finishes = working.instant_at(ordered, side="finish")
    assert (np.diff(starts.astype(np.int64)) >= 0).all()
    assert (np.diff(finishes.astype(np.int64)) >= 0).all()
    assert (finishes <= starts).all()
    assert (working.working_between(finishes, starts) == 0).all()
    assert (working.working_offset(starts) == ordered).all()
    assert (working.working_offset(finishes) == ordered).all()


@settings(max_examples=40, deadline=None)
@given(calendars(), instants_in_window(20), st.data())
def test_a_horizon_grown_on_demand_gives_the_same_answers_as_a_wide_one(
    calendar: Calendar, instants: np.ndarray, data: st.DataObject
) -> None:
    weekly = calendar.effective_week.minutes
    offsets = data.draw(st.lists(st.integers(-20 * weekly, 20 * weekly), min_size=1))
    narrow = compile_calendar(calendar, WINDOW_START, WINDOW_START)
    wide = compile_calendar(calendar, WINDOW_START - timedelta(3 * 365), date(2030, 12, 31))
    shift = wide.working_offset(narrow.origin)
    assert (narrow.working_offset(instants) == wide.working_offset(instants) - shift).all()
    shifted = np.array(offsets, dtype=np.int64)
    for side in ("start", "finish"):
        assert (
            narrow.instant_at(shifted, side=side) == wide.instant_at(shifted + shift, side=side)
        ).all()
