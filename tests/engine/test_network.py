"""Scheduling input: defaults, and bad input rejected with a message naming the task and field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest

from pilotage.engine.calendars import Calendar, WeekPattern, compile_calendar
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.scheduling import (
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleTasks,
    compute_schedule,
    compute_schedule_reference,
)

STANDARD = compile_calendar(
    Calendar("Standard", WeekPattern.standard()), date(2026, 5, 1), date(2026, 6, 30)
)
START = "2026-05-04T08:00"


def tasks_with(**fields: Any) -> ScheduleTasks:
    """Tasks 5 and 6 of one day each, with some fields replaced."""
    values: dict[str, Any] = {"ids": [5, 6], "duration_minutes": [480, 480], **fields}
    return ScheduleTasks.create(**values)


def links_with(**fields: Any) -> ScheduleLinks:
    """One FS link 5 -> 6, with some fields replaced."""
    values: dict[str, Any] = {"predecessor": [0], "successor": [1], **fields}
    return ScheduleLinks.create(**values)


class TestDefaults:
    def test_tasks_default_to_asap_on_the_first_calendar_without_progress(self) -> None:
        tasks = ScheduleTasks.create(ids=[3], duration_minutes=[60])
        assert tasks.calendar.tolist() == [0]
        assert tasks.constraint_type.tolist() == [ConstraintType.ASAP]
        assert tasks.parent.tolist() == [-1]
        assert np.isnat(tasks.actual_start).all()
        assert tasks.remaining_duration_minutes.tolist() == [-1]

    def test_links_default_to_finish_to_start_without_lag(self) -> None:
        links = ScheduleLinks.create([0], [1])
        assert links.link_type.tolist() == [LinkType.FS]
        assert links.lag_kind.tolist() == [LagKind.WORKING]
        assert links.lag_minutes.tolist() == [0]

    def test_the_codes_are_those_of_microsoft_project(self) -> None:
        assert [LinkType.FF, LinkType.FS, LinkType.SF, LinkType.SS] == [0, 1, 2, 3]
        assert [ConstraintType.MSO, ConstraintType.SNET, ConstraintType.FNLT] == [2, 4, 7]

    def test_dates_may_be_given_as_text(self) -> None:
        tasks = tasks_with(deadline=["2026-05-08T17:00", "NaT"])
        assert tasks.deadline.dtype == np.dtype("datetime64[m]")
        assert np.isnat(tasks.deadline[1])


BAD_INPUT: list[tuple[str, Callable[[], tuple[ScheduleTasks, ScheduleLinks]], str]] = [
    (
        "link to a missing predecessor",
        lambda: (tasks_with(), links_with(predecessor=[7])),
        "Task 6: link 0 predecessor index 7 is not a task",
    ),
    (
        "link to a missing successor",
        lambda: (tasks_with(), links_with(successor=[-2])),
        "Task 5: link 0 successor index -2 is not a task",
    ),
    (
        "negative duration",
        lambda: (tasks_with(duration_minutes=[480, -60]), links_with()),
        "Task 6: duration_minutes must not be negative (-60)",
    ),
    (
        "unknown constraint code",
        lambda: (tasks_with(constraint_type=[0, 9]), links_with()),
        "Task 6: constraint_type has an unknown code 9",
    ),
    (
        "unknown link type",
        lambda: (tasks_with(), links_with(link_type=[4])),
        "Task 6: link 0 from task 5 has an unknown link_type code 4",
    ),
    (
        "unknown lag kind",
        lambda: (tasks_with(), links_with(lag_kind=[3])),
        "Task 6: link 0 from task 5 has an unknown lag_kind code 3",
    ),
    (
        "percent lag that is not a number",
        lambda: (tasks_with(), links_with(lag_kind=[LagKind.PERCENT], lag_percent=[np.nan])),
        "Task 6: link 0 from task 5 has a lag_percent that is not a number",
    ),
    (
        "constraint without its date",
        lambda: (tasks_with(constraint_type=[0, ConstraintType.SNET]), links_with()),
        "Task 6: constraint_date is required by a SNET constraint",
    ),
    (
        "calendar that does not exist",
        lambda: (tasks_with(calendar=[0, 1]), links_with()),
        "Task 6: calendar index 1 is not a calendar",
    ),
    (
        "duplicated id",
        lambda: (tasks_with(ids=[5, 5]), links_with()),
        "Task 5: ids is used by more than one task",
    ),
    (
        "parent that does not exist",
        lambda: (tasks_with(parent=[-1, 2]), links_with()),
        "Task 6: parent index 2 is not a task",
    ),
    (
        "summary tasks in a loop",
        lambda: (
            ScheduleTasks.create(ids=[1, 2, 3], duration_minutes=[0, 0, 60], parent=[1, 0, 0]),
            ScheduleLinks.empty(),
        ),
        "Task 1: parent forms a loop of summary tasks: 1 -> 2 -> 1",
    ),
    (
        "summary task with a hard constraint",
        lambda: (
            tasks_with(
                parent=[-1, 0],
                constraint_type=[ConstraintType.MSO, 0],
                constraint_date=["2026-05-05T08:00", "NaT"],
            ),
            ScheduleLinks.empty(),
        ),
        "Task 5: constraint_type MSO is not allowed on a summary task",
    ),
    (
        "actual finish without actual start",
        lambda: (tasks_with(actual_finish=["NaT", "2026-05-05T17:00"]), links_with()),
        "Task 6: actual_start is required by an actual finish",
    ),
    (
        "actual finish before actual start",
        lambda: (
            tasks_with(
                actual_start=["2026-05-05T08:00", "NaT"], actual_finish=["2026-05-04T17:00", "NaT"]
            ),
            links_with(),
        ),
        "Task 5: actual_finish is before the actual start",
    ),
    (
        "percent complete above 100",
        lambda: (
            tasks_with(actual_start=[START, "NaT"], percent_complete=[120, 0]),
            links_with(),
        ),
        "Task 5: percent_complete must be within 0-100 (120.0)",
    ),
    (
        "progress on a task that has not started",
        lambda: (tasks_with(percent_complete=[0, 50]), links_with()),
        "Task 6: actual_start is required by the progress",
    ),
    (
        "negative remaining duration",
        lambda: (
            tasks_with(actual_start=[START, "NaT"], remaining_duration_minutes=[-5, -1]),
            links_with(),
        ),
        "Task 5: remaining_duration_minutes must not be negative (-5)",
    ),
    (
        "fractional duration",
        lambda: (tasks_with(duration_minutes=[480, 1.5]), links_with()),
        "Schedule: duration_minutes must hold whole numbers, not 1.5",
    ),
    (
        "field of the wrong length",
        lambda: (tasks_with(calendar=[0]), links_with()),
        "Tasks: calendar has 1 values for 2 tasks",
    ),
    (
        "link field of the wrong length",
        lambda: (tasks_with(), links_with(lag_minutes=[0, 0])),
        "Links: lag_minutes has 2 values for 1 links",
    ),
]


@pytest.mark.parametrize("scheduler", [compute_schedule, compute_schedule_reference])
@pytest.mark.parametrize(
    ("build", "message"),
    [pytest.param(build, message, id=name) for name, build, message in BAD_INPUT],
)
def test_bad_input_is_rejected_with_the_task_and_the_field(
    scheduler: Callable[..., Any],
    build: Callable[[], tuple[ScheduleTasks, ScheduleLinks]],
    message: str,
) -> None:
    def build_and_schedule() -> None:
        # A malformed field is caught when the arrays are built, a bad value when scheduling.
        tasks, links = build()
        scheduler(tasks, links, [STANDARD], project_start=START)

    with pytest.raises(ScheduleInputError, match="^" + re.escape(message)):
        build_and_schedule()


def test_a_task_linked_to_itself_is_a_cycle() -> None:
    with pytest.raises(CyclicDependencyError) as raised:
        compute_schedule(tasks_with(), links_with(successor=[0]), [STANDARD], project_start=START)
    assert raised.value.cycle == (5,)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"project_start": np.datetime64("NaT")}, "Schedule: project_start is required"),
        ({"project_start": "next monday"}, "Schedule: project_start is not a date and time"),
        ({"project_start": START, "schedule_from": "finish"}, "Schedule: schedule_from must be"),
    ],
)
def test_bad_project_dates_are_rejected(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ScheduleInputError, match=message):
        compute_schedule(tasks_with(), links_with(), [STANDARD], **arguments)


def test_no_calendar_is_rejected() -> None:
    with pytest.raises(ScheduleInputError, match="calendars must hold at least one calendar"):
        compute_schedule(tasks_with(), links_with(), [], project_start=START)


def test_a_missing_status_date_means_none() -> None:
    result = compute_schedule(
        tasks_with(), links_with(), [STANDARD], project_start=START, status_date="NaT"
    )
    assert str(result.early_start[0]) == START
