"""Properties of the critical path method on random networks, checked with hypothesis.

The fast, vectorised implementation must always give exactly what the plain one gives; and
on networks without hard constraints, deadlines or progress, the early dates honour every link
and no task has negative float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import (
    Calendar,
    WeekPattern,
    WorkingPeriod,
    WorkingTime,
    compile_calendar,
)
from pilotage.engine.errors import CyclicDependencyError
from pilotage.engine.scheduling import (
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    compute_schedule,
    compute_schedule_reference,
)

FOUR_DAY_WEEK = WeekPattern(
    ((WorkingPeriod.from_clock("07:00", "11:30"), WorkingPeriod.from_clock("12:00", "18:00")),) * 4
    + ((),) * 3
)
CALENDARS: tuple[WorkingTime, ...] = (
    compile_calendar(
        Calendar("France", WeekPattern.standard(), holiday_country="FR"),
        date(2026, 4, 1),
        date(2026, 9, 30),
    ),
    compile_calendar(Calendar("Four days", FOUR_DAY_WEEK), date(2026, 4, 1), date(2026, 9, 30)),
)
BASE = np.datetime64("2026-05-04T08:00")
SOFT = [ConstraintType.ASAP, ConstraintType.ALAP, ConstraintType.SNET, ConstraintType.FNET]
HARD = [ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO]
FIELDS = (
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "start",
    "finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "summary",
    "negative_float",
    "unmet_constraints",
    "missed_deadlines",
)
PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Network:
    tasks: ScheduleTasks
    links: ScheduleLinks
    project_start: np.datetime64
    status_date: np.datetime64 | None

    def schedule(self, scheduler: Any) -> ScheduleResult:
        result: ScheduleResult = scheduler(
            self.tasks,
            self.links,
            CALENDARS,
            project_start=self.project_start,
            status_date=self.status_date,
        )
        return result


def instants(draw: st.DrawFn, size: int, *, days: int, missing: float = 0.0) -> list[Any]:
    minutes = st.integers(-2 * 1440, days * 1440)
    values: list[Any] = []
    for _ in range(size):
        if missing and draw(st.floats(0, 1)) < missing:
            values.append("NaT")
        else:
            values.append(BASE + np.timedelta64(draw(minutes), "m"))
    return values


@st.composite
def networks(
    draw: st.DrawFn,
    *,
    hard: bool = True,
    deadlines: bool = True,
    progress: bool = True,
    leveling: bool = True,
    elapsed_delays: bool = True,
) -> Network:
    size = draw(st.integers(1, 18))
    durations = [draw(st.sampled_from([0, 0, 30, 240, 480, 700, 960, 2400])) for _ in range(size)]
    parents = [-1] * size
    for task in range(1, size):
        if draw(st.booleans()) and draw(st.booleans()):
            parents[task] = draw(st.integers(0, task - 1))
    summary = {parent for parent in parents if parent >= 0}
    task_kinds = SOFT + HARD if hard else SOFT
    summary_kinds = [ConstraintType.ASAP, ConstraintType.ALAP, ConstraintType.SNET]
    if deadlines:
        summary_kinds.append(ConstraintType.FNLT)
    constraint_types = [
        draw(st.sampled_from(summary_kinds if task in summary else task_kinds))
        for task in range(size)
    ]
    dates = instants(draw, size, days=20)
    constraint_dates = [
        "NaT" if ConstraintType(kind) in (ConstraintType.ASAP, ConstraintType.ALAP) else when
        for kind, when in zip(constraint_types, dates, strict=True)
    ]
    deadline = instants(draw, size, days=25, missing=0.7) if deadlines else ["NaT"] * size

    actual_start: list[Any] = ["NaT"] * size
    actual_finish: list[Any] = ["NaT"] * size
    percent = [0.0] * size
    remaining = [-1] * size
    status_date = None
    if progress:
        if draw(st.booleans()):
            status_date = BASE + np.timedelta64(draw(st.integers(0, 6 * 1440)), "m")
        for task in range(size):
            state = draw(st.sampled_from(["not started"] * 3 + ["started", "finished"]))
            if state == "not started":
                continue
            began = BASE + np.timedelta64(draw(st.integers(-1440, 4 * 1440)), "m")
            actual_start[task] = began
            if state == "finished":
                actual_finish[task] = began + np.timedelta64(draw(st.integers(0, 3 * 1440)), "m")
            elif draw(st.booleans()):
                remaining[task] = draw(st.integers(0, 3000))
            else:
                percent[task] = draw(st.floats(0, 100, allow_nan=False))

    rank = draw(st.permutations(range(size)))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)),
            max_size=2 * size,
            unique=True,
        )
    )
    pairs = [(a, b) if rank[a] < rank[b] else (b, a) for a, b in pairs if a != b]
    pairs = list(dict.fromkeys(pairs))
    count = len(pairs)
    links = ScheduleLinks.create(
        [a for a, _ in pairs],
        [b for _, b in pairs],
        link_type=[draw(st.sampled_from(list(LinkType))) for _ in range(count)],
        lag_minutes=[draw(st.integers(-1500, 3000)) for _ in range(count)],
        lag_kind=[draw(st.sampled_from(list(LagKind))) for _ in range(count)],
        lag_percent=[draw(st.floats(-100, 200, allow_nan=False)) for _ in range(count)],
    )
    delays = [
        draw(st.sampled_from([0, 0, 0, 45, 480, 1440, 3000])) if leveling else 0
        for _ in range(size)
    ]
    tasks = ScheduleTasks.create(
        ids=[100 + 7 * task for task in range(size)],
        duration_minutes=durations,
        leveling_delay_minutes=delays,
        leveling_delay_elapsed=[elapsed_delays and draw(st.booleans()) for _ in range(size)],
        calendar=[draw(st.integers(0, len(CALENDARS) - 1)) for _ in range(size)],
        constraint_type=constraint_types,
        constraint_date=constraint_dates,
        deadline=deadline,
        parent=parents,
        actual_start=actual_start,
        actual_finish=actual_finish,
        percent_complete=percent,
        remaining_duration_minutes=remaining,
    )
    start = BASE + np.timedelta64(draw(st.sampled_from([0, -2 * 1440 + 120, 2 * 1440 + 270])), "m")
    return Network(tasks, links, start, status_date)


def schedule_or_cycle(network: Network, scheduler: Any) -> ScheduleResult | None:
    try:
        return network.schedule(scheduler)
    except CyclicDependencyError:
        return None


@PROPERTIES
@given(networks())
def test_the_fast_and_the_reference_implementations_agree(network: Network) -> None:
    fast = schedule_or_cycle(network, compute_schedule)
    reference = schedule_or_cycle(network, compute_schedule_reference)
    assert (fast is None) == (reference is None)
    if fast is None or reference is None:
        return
    assert fast.project_finish == reference.project_finish
    for field in FIELDS:
        np.testing.assert_array_equal(
            getattr(fast, field), getattr(reference, field), err_msg=field
        )


def leaves_under(tasks: ScheduleTasks, task: int) -> list[int]:
    children = [child for child in range(tasks.size) if tasks.parent[child] == task]
    if not children:
        return [task]
    return [leaf for child in children for leaf in leaves_under(tasks, child)]


def offset(task_calendar: int, instant: np.datetime64) -> int:
    return int(CALENDARS[task_calendar].working_offset(instant))


@PROPERTIES
@given(networks(hard=False, progress=False))
def test_early_dates_honour_every_link_when_no_hard_constraint_intervenes(
    network: Network,
) -> None:
    result = schedule_or_cycle(network, compute_schedule)
    assume(result is not None)
    assert result is not None
    tasks, links = network.tasks, network.links
    for link in range(links.size):
        kind = LagKind(int(links.lag_kind[link]))
        link_type = LinkType(int(links.link_type[link]))
        for before in leaves_under(tasks, int(links.predecessor[link])):
            for after in leaves_under(tasks, int(links.successor[link])):
                calendar = int(tasks.calendar[after])
                driver = (
                    result.early_start[before]
                    if link_type in (LinkType.SS, LinkType.SF)
                    else result.early_finish[before]
                )
                driven = (
                    result.early_finish[after]
                    if link_type in (LinkType.FF, LinkType.SF)
                    else result.early_start[after]
                )
                working_lag = 0
                if kind == LagKind.ELAPSED:
                    driver = driver + np.timedelta64(int(links.lag_minutes[link]), "m")
                elif kind == LagKind.WORKING:
                    working_lag = int(links.lag_minutes[link])
                else:
                    duration = int(tasks.duration_minutes[before])
                    working_lag = round(float(links.lag_percent[link]) * duration / 100)
                assert offset(calendar, driven) >= offset(calendar, driver) + working_lag


@PROPERTIES
# An elapsed leveling delay adds more working time after an ALAP predecessor placed late (over
# a day rather than a weekend) than the backward pass kept for it: negative float is then the
# planner's signal, so only working delays here.
@given(networks(hard=False, deadlines=False, progress=False, elapsed_delays=False))
def test_without_constraints_or_deadlines_no_float_is_negative(network: Network) -> None:
    result = schedule_or_cycle(network, compute_schedule)
    assume(result is not None)
    assert result is not None
    assert (result.total_float_minutes >= 0).all()
    assert (result.free_float_minutes >= 0).all()
    assert (result.early_start <= result.late_start).all()
    assert (result.early_finish <= result.late_finish).all()
    assert (result.early_start <= result.start).all()
    assert (result.start <= result.late_start).all()
    # The task that finishes last has no float: there is always a critical path.
    assert result.total_float_minutes.min() == 0
    assert result.critical.any()


@pytest.mark.parametrize("size", [1, 40])
def test_a_long_chain_of_random_networks_is_fast_and_reference_equal(size: int) -> None:
    """A deterministic deep network (many levels), beyond what hypothesis draws."""
    rng = np.random.default_rng(size)
    count = size * 5
    successor = np.repeat(np.arange(1, count), 2)
    predecessor = np.maximum(successor - rng.integers(1, 6, successor.size), 0)
    keep = predecessor < successor
    links = ScheduleLinks.create(
        predecessor[keep],
        successor[keep],
        link_type=rng.integers(0, 4, keep.sum()),
        lag_minutes=rng.integers(-600, 1200, keep.sum()),
    )
    tasks = ScheduleTasks.create(
        ids=np.arange(count),
        duration_minutes=rng.integers(0, 4, count) * 480,
        calendar=rng.integers(0, 2, count),
    )
    network = Network(tasks, links, BASE, None)
    fast, reference = (
        network.schedule(compute_schedule),
        network.schedule(compute_schedule_reference),
    )
    for field in FIELDS:
        np.testing.assert_array_equal(
            getattr(fast, field), getattr(reference, field), err_msg=field
        )
