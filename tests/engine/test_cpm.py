"""Textbook critical path examples worked by hand, through both the fast and the reference CPM.

Unless a test says otherwise, the calendar is Microsoft Project's standard one (08:00-12:00 and
13:00-17:00, Monday to Friday, so a day is 480 working minutes) and the project starts on
Monday 4 May 2026 at 08:00.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol

import numpy as np
import pytest

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
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

DAY = 480
START = "2026-05-04T08:00"


def compiled(calendar: Calendar) -> WorkingTime:
    return compile_calendar(calendar, date(2026, 4, 1), date(2026, 7, 31))


STANDARD = compiled(Calendar("Standard", WeekPattern.standard()))
FRANCE = compiled(Calendar("France", WeekPattern.standard(), holiday_country="FR"))
ROUND_THE_CLOCK = compiled(Calendar("Round the clock", WeekPattern.continuous()))


class Scheduler(Protocol):
    def __call__(
        self,
        tasks: ScheduleTasks,
        links: ScheduleLinks,
        calendars: Sequence[WorkingTime],
        *,
        project_start: Any,
        status_date: Any = None,
    ) -> ScheduleResult: ...


@pytest.fixture(params=[compute_schedule, compute_schedule_reference], ids=["fast", "reference"])
def schedule(request: pytest.FixtureRequest) -> Callable[..., ScheduleResult]:
    scheduler: Scheduler = request.param

    def run(
        tasks: ScheduleTasks,
        links: ScheduleLinks | None = None,
        calendars: Sequence[WorkingTime] = (STANDARD,),
        *,
        project_start: str = START,
        status_date: str | None = None,
    ) -> ScheduleResult:
        return scheduler(
            tasks,
            links if links is not None else ScheduleLinks.empty(),
            calendars,
            project_start=project_start,
            status_date=status_date,
        )

    return run


def texts(values: np.ndarray[Any, Any]) -> list[str]:
    return [str(value) for value in values]


class TestFinishToStartNetwork:
    """A -> B -> D -> F and A -> C -> E -> F, with F a milestone (durations in days).

    ::

        A 2 (Mon-Tue)  B 3 (Wed-Fri)  D 4 (Mon-Thu)  F 0 (Thu 17:00)
                       C 1 (Wed)      E 2 (Thu-Fri)

    The critical path is A-B-D-F (9 working days); C and E can slip 4 days.
    """

    @pytest.fixture
    def result(self, schedule: Callable[..., ScheduleResult]) -> ScheduleResult:
        tasks = ScheduleTasks.create(
            ids=[1, 2, 3, 4, 5, 6],
            duration_minutes=[2 * DAY, 3 * DAY, 1 * DAY, 4 * DAY, 2 * DAY, 0],
        )
        links = ScheduleLinks.create([0, 0, 1, 2, 3, 4], [1, 2, 3, 4, 5, 5])
        return schedule(tasks, links)

    def test_early_dates(self, result: ScheduleResult) -> None:
        assert texts(result.early_start) == [
            "2026-05-04T08:00",
            "2026-05-06T08:00",
            "2026-05-06T08:00",
            "2026-05-11T08:00",
            "2026-05-07T08:00",
            "2026-05-14T17:00",
        ]
        assert texts(result.early_finish) == [
            "2026-05-05T17:00",
            "2026-05-08T17:00",
            "2026-05-06T17:00",
            "2026-05-14T17:00",
            "2026-05-08T17:00",
            "2026-05-14T17:00",
        ]

    def test_late_dates(self, result: ScheduleResult) -> None:
        assert texts(result.late_start) == [
            "2026-05-04T08:00",
            "2026-05-06T08:00",
            "2026-05-12T08:00",
            "2026-05-11T08:00",
            "2026-05-13T08:00",
            "2026-05-14T17:00",
        ]
        assert texts(result.late_finish) == [
            "2026-05-05T17:00",
            "2026-05-08T17:00",
            "2026-05-12T17:00",
            "2026-05-14T17:00",
            "2026-05-14T17:00",
            "2026-05-14T17:00",
        ]

    def test_the_critical_path_is_a_b_d_f(self, result: ScheduleResult) -> None:
        assert result.critical.tolist() == [True, True, False, True, False, True]
        assert result.project_finish == np.datetime64("2026-05-14T17:00")

    def test_total_float_is_shared_but_free_float_belongs_to_the_last_task(
        self, result: ScheduleResult
    ) -> None:
        assert result.total_float_minutes.tolist() == [0, 0, 4 * DAY, 0, 4 * DAY, 0]
        # C cannot slip without pushing E; E can slip 4 days before F moves.
        assert result.free_float_minutes.tolist() == [0, 0, 0, 0, 4 * DAY, 0]

    def test_the_milestone_sits_at_the_finish_of_its_predecessor(
        self, result: ScheduleResult
    ) -> None:
        assert result.start[5] == result.finish[5] == np.datetime64("2026-05-14T17:00")

    def test_nothing_is_reported(self, result: ScheduleResult) -> None:
        assert result.negative_float.size == 0
        assert result.unmet_constraints.size == 0
        assert result.missed_deadlines.size == 0


def predecessor_and_successor(
    link_type: LinkType, lag_minutes: int, lag_kind: LagKind = LagKind.WORKING, percent: float = 0
) -> tuple[ScheduleTasks, ScheduleLinks]:
    """P (3 days, not before Tuesday 5 May: Tue-Thu) and Q (2 days) linked P -> Q."""
    tasks = ScheduleTasks.create(
        ids=[1, 2],
        duration_minutes=[3 * DAY, 2 * DAY],
        constraint_type=[ConstraintType.SNET, ConstraintType.ASAP],
        constraint_date=["2026-05-05T08:00", "NaT"],
    )
    links = ScheduleLinks.create(
        [0],
        [1],
        link_type=[link_type],
        lag_minutes=[lag_minutes],
        lag_kind=[lag_kind],
        lag_percent=[percent],
    )
    return tasks, links


@pytest.mark.parametrize(
    ("link_type", "lag_minutes", "start", "finish"),
    [
        # FS: Q starts after P finishes (Thursday 17:00) plus the lag.
        (LinkType.FS, 0, "2026-05-08T08:00", "2026-05-11T17:00"),
        (LinkType.FS, DAY, "2026-05-11T08:00", "2026-05-12T17:00"),
        (LinkType.FS, -DAY, "2026-05-07T08:00", "2026-05-08T17:00"),
        # SS: Q starts after P starts (Tuesday 08:00) plus the lag.
        (LinkType.SS, 0, "2026-05-05T08:00", "2026-05-06T17:00"),
        (LinkType.SS, DAY, "2026-05-06T08:00", "2026-05-07T17:00"),
        (LinkType.SS, -DAY, "2026-05-04T08:00", "2026-05-05T17:00"),
        # FF: Q finishes after P finishes plus the lag.
        (LinkType.FF, 0, "2026-05-06T08:00", "2026-05-07T17:00"),
        (LinkType.FF, DAY, "2026-05-07T08:00", "2026-05-08T17:00"),
        (LinkType.FF, -DAY, "2026-05-05T08:00", "2026-05-06T17:00"),
        # SF: Q finishes after P starts plus the lag.
        (LinkType.SF, 3 * DAY, "2026-05-06T08:00", "2026-05-07T17:00"),
        (LinkType.SF, 2 * DAY, "2026-05-05T08:00", "2026-05-06T17:00"),
        # A lead that would start Q before the project start: the project start wins.
        (LinkType.SF, -DAY, "2026-05-04T08:00", "2026-05-05T17:00"),
        # Half a day of lag after a full day of work ends at noon: work resumes after lunch.
        (LinkType.FS, DAY // 2, "2026-05-08T13:00", "2026-05-12T12:00"),
    ],
)
def test_each_link_type_with_lags(
    schedule: Callable[..., ScheduleResult],
    link_type: LinkType,
    lag_minutes: int,
    start: str,
    finish: str,
) -> None:
    result = schedule(*predecessor_and_successor(link_type, lag_minutes))
    assert texts(result.early_start) == ["2026-05-05T08:00", start]
    assert texts(result.early_finish) == ["2026-05-07T17:00", finish]


@pytest.mark.parametrize(
    ("lag_kind", "lag_minutes", "percent", "start"),
    [
        # 12 elapsed hours after Thursday 17:00 is Friday 05:00: work starts at 08:00.
        (LagKind.ELAPSED, 12 * 60, 0, "2026-05-08T08:00"),
        # 2 elapsed days run over the weekend; 2 working days would end on Monday evening.
        (LagKind.ELAPSED, 2 * 24 * 60, 0, "2026-05-11T08:00"),
        (LagKind.WORKING, 2 * DAY, 0, "2026-05-12T08:00"),
        # 50 % of P's 3 days is a day and a half: Friday and Monday morning.
        (LagKind.PERCENT, 0, 50.0, "2026-05-11T13:00"),
        (LagKind.PERCENT, 0, -100.0, "2026-05-05T08:00"),
    ],
)
def test_elapsed_and_percent_lags(
    schedule: Callable[..., ScheduleResult],
    lag_kind: LagKind,
    lag_minutes: int,
    percent: float,
    start: str,
) -> None:
    tasks, links = predecessor_and_successor(LinkType.FS, lag_minutes, lag_kind, percent)
    assert str(schedule(tasks, links).early_start[1]) == start


def two_tasks(
    constraint: ConstraintType, constraint_date: str = "NaT", deadline: str = "NaT"
) -> tuple[ScheduleTasks, ScheduleLinks]:
    """A (2 days) -> B (2 days): by the links alone A is Mon-Tue and B Wed-Thu."""
    tasks = ScheduleTasks.create(
        ids=[1, 2],
        duration_minutes=[2 * DAY, 2 * DAY],
        constraint_type=[ConstraintType.ASAP, constraint],
        constraint_date=["NaT", constraint_date],
        deadline=["NaT", deadline],
    )
    return tasks, ScheduleLinks.create([0], [1])


@pytest.mark.parametrize(
    ("constraint", "constraint_date", "b_start", "b_finish", "total_float", "unmet"),
    [
        (ConstraintType.ASAP, "NaT", "2026-05-06T08:00", "2026-05-07T17:00", [0, 0], []),
        # SNET pushes B to Friday; A may then slip until Thursday evening.
        (
            ConstraintType.SNET,
            "2026-05-08T08:00",
            "2026-05-08T08:00",
            "2026-05-11T17:00",
            [2 * DAY, 0],
            [],
        ),
        # A SNET earlier than the links allow changes nothing.
        (
            ConstraintType.SNET,
            "2026-05-04T08:00",
            "2026-05-06T08:00",
            "2026-05-07T17:00",
            [0, 0],
            [],
        ),
        (
            ConstraintType.FNET,
            "2026-05-11T17:00",
            "2026-05-08T08:00",
            "2026-05-11T17:00",
            [2 * DAY, 0],
            [],
        ),
        # SNLT and FNLT later than the links: B stays ASAP.
        (
            ConstraintType.SNLT,
            "2026-05-08T08:00",
            "2026-05-06T08:00",
            "2026-05-07T17:00",
            [0, 0],
            [],
        ),
        # Earlier than the links: the constraint wins, B overlaps A and A gets negative float.
        (
            ConstraintType.SNLT,
            "2026-05-05T08:00",
            "2026-05-05T08:00",
            "2026-05-06T17:00",
            [-DAY, 0],
            [1],
        ),
        (
            ConstraintType.FNLT,
            "2026-05-06T17:00",
            "2026-05-05T08:00",
            "2026-05-06T17:00",
            [-DAY, 0],
            [1],
        ),
        # Must start/finish on: B sits on the date whatever the links say.
        (
            ConstraintType.MSO,
            "2026-05-08T08:00",
            "2026-05-08T08:00",
            "2026-05-11T17:00",
            [2 * DAY, 0],
            [],
        ),
        (
            ConstraintType.MSO,
            "2026-05-05T08:00",
            "2026-05-05T08:00",
            "2026-05-06T17:00",
            [-DAY, 0],
            [1],
        ),
        (
            ConstraintType.MFO,
            "2026-05-11T17:00",
            "2026-05-08T08:00",
            "2026-05-11T17:00",
            [2 * DAY, 0],
            [],
        ),
        # A constraint date on a Saturday: MSO moves to Monday morning, MFO to Friday evening.
        (
            ConstraintType.MSO,
            "2026-05-09T10:00",
            "2026-05-11T08:00",
            "2026-05-12T17:00",
            [3 * DAY, 0],
            [],
        ),
        (
            ConstraintType.MFO,
            "2026-05-09T10:00",
            "2026-05-07T08:00",
            "2026-05-08T17:00",
            [DAY, 0],
            [],
        ),
    ],
)
def test_constraints(
    schedule: Callable[..., ScheduleResult],
    constraint: ConstraintType,
    constraint_date: str,
    b_start: str,
    b_finish: str,
    total_float: list[int],
    unmet: list[int],
) -> None:
    result = schedule(*two_tasks(constraint, constraint_date))
    assert (str(result.early_start[1]), str(result.early_finish[1])) == (b_start, b_finish)
    assert str(result.early_start[0]) == "2026-05-04T08:00"
    assert result.total_float_minutes.tolist() == total_float
    assert result.unmet_constraints.tolist() == unmet
    assert result.negative_float.tolist() == [
        index for index, value in enumerate(total_float) if value < 0
    ]


def test_a_missed_deadline_gives_negative_float_but_does_not_move_the_task(
    schedule: Callable[..., ScheduleResult],
) -> None:
    result = schedule(*two_tasks(ConstraintType.ASAP, deadline="2026-05-06T17:00"))
    assert texts(result.early_start) == ["2026-05-04T08:00", "2026-05-06T08:00"]
    # B must finish by Wednesday evening, so start on Tuesday, so A must finish on Monday.
    assert texts(result.late_finish) == ["2026-05-04T17:00", "2026-05-06T17:00"]
    assert result.total_float_minutes.tolist() == [-DAY, -DAY]
    assert result.critical.tolist() == [True, True]
    assert result.negative_float.tolist() == [0, 1]
    assert result.missed_deadlines.tolist() == [1]
    assert result.unmet_constraints.tolist() == []
    # Free float is never negative, as in Microsoft Project.
    assert result.free_float_minutes.tolist() == [0, 0]


def test_a_must_start_on_task_keeps_its_late_dates_on_the_date_too(
    schedule: Callable[..., ScheduleResult],
) -> None:
    """A (1 day) -> B (1 day, MSO Wednesday) -> C (1 day, FNLT Wednesday evening)."""
    tasks = ScheduleTasks.create(
        ids=[1, 2, 3],
        duration_minutes=[DAY, DAY, DAY],
        constraint_type=[ConstraintType.ASAP, ConstraintType.MSO, ConstraintType.FNLT],
        constraint_date=["NaT", "2026-05-06T08:00", "2026-05-06T17:00"],
    )
    result = schedule(tasks, ScheduleLinks.create([0, 1], [1, 2]))
    # C is pulled back onto Wednesday, against its link from B...
    assert texts(result.early_start) == [
        "2026-05-04T08:00",
        "2026-05-06T08:00",
        "2026-05-06T08:00",
    ]
    assert result.unmet_constraints.tolist() == [2]
    # ... but B stays on its date, so the conflict does not reach A, which can wait a day.
    assert texts(result.late_start) == [
        "2026-05-05T08:00",
        "2026-05-06T08:00",
        "2026-05-06T08:00",
    ]
    assert result.total_float_minutes.tolist() == [DAY, 0, 0]


def test_a_deadline_that_is_met_limits_the_float(
    schedule: Callable[..., ScheduleResult],
) -> None:
    tasks = ScheduleTasks.create(
        ids=[1, 2],
        duration_minutes=[DAY, 4 * DAY],
        deadline=["2026-05-06T17:00", "NaT"],
    )
    result = schedule(tasks)
    # Without the deadline A could slip 3 days, until B's finish on Thursday.
    assert result.total_float_minutes.tolist() == [2 * DAY, 0]
    assert result.missed_deadlines.size == 0


class TestAsLateAsPossible:
    """A (4 days, Mon-Thu) -> C (1 day, Fri); B (1 day, ALAP) -> C; D (1 day, ALAP) alone;
    E (1 day, ALAP) -> G (1 day, ASAP). As in Microsoft Project, ALAP tasks sit on their late
    dates and drive their successors from there."""

    @pytest.fixture
    def result(self, schedule: Callable[..., ScheduleResult]) -> ScheduleResult:
        alap = ConstraintType.ALAP
        tasks = ScheduleTasks.create(
            ids=[1, 2, 3, 4, 5, 6],
            duration_minutes=[4 * DAY, DAY, DAY, DAY, DAY, DAY],
            constraint_type=[0, alap, 0, alap, alap, 0],
        )
        return schedule(tasks, ScheduleLinks.create([0, 1, 4], [2, 2, 5]))

    def test_an_alap_task_finishes_just_before_its_successor(self, result: ScheduleResult) -> None:
        assert (str(result.start[1]), str(result.finish[1])) == (
            "2026-05-07T08:00",
            "2026-05-07T17:00",
        )

    def test_an_alap_task_without_successor_finishes_with_the_project(
        self, result: ScheduleResult
    ) -> None:
        assert (str(result.start[3]), str(result.finish[3])) == (
            "2026-05-08T08:00",
            "2026-05-08T17:00",
        )

    def test_an_alap_task_pushes_its_successor(self, result: ScheduleResult) -> None:
        # E could run on Monday, but ALAP puts it on Thursday, so G cannot start before Friday.
        assert (str(result.start[4]), str(result.finish[4])) == (
            "2026-05-07T08:00",
            "2026-05-07T17:00",
        )
        assert str(result.early_start[5]) == str(result.start[5]) == "2026-05-08T08:00"

    def test_alap_tasks_keep_their_early_dates_but_use_up_their_float(
        self, result: ScheduleResult
    ) -> None:
        assert texts(result.early_start[[1, 3, 4]]) == ["2026-05-04T08:00"] * 3
        assert result.total_float_minutes.tolist() == [0, 0, 0, 0, 0, 0]
        assert result.critical.all()
        assert result.project_finish == np.datetime64("2026-05-08T17:00")


def test_weekends_and_a_public_holiday_are_skipped(
    schedule: Callable[..., ScheduleResult],
) -> None:
    """Friday 8 May (Victory in Europe Day) and Thursday 14 May (Ascension) are French holidays."""
    tasks = ScheduleTasks.create(ids=[1, 2, 3], duration_minutes=[3 * DAY, 2 * DAY, DAY])
    links = ScheduleLinks.create([0, 1], [1, 2])
    result = schedule(tasks, links, (FRANCE,), project_start="2026-05-06T08:00")
    assert texts(result.early_start) == [
        "2026-05-06T08:00",
        "2026-05-12T08:00",
        "2026-05-15T08:00",
    ]
    assert texts(result.early_finish) == [
        "2026-05-11T17:00",
        "2026-05-13T17:00",
        "2026-05-15T17:00",
    ]


def test_a_task_on_another_calendar_works_through_the_night(
    schedule: Callable[..., ScheduleResult],
) -> None:
    """A (1 day, standard) -> B (24 hours, round the clock, 2 hours of lag) -> C (1 day)."""
    tasks = ScheduleTasks.create(
        ids=[1, 2, 3], duration_minutes=[DAY, 24 * 60, DAY], calendar=[0, 1, 0]
    )
    links = ScheduleLinks.create([0, 1], [1, 2], lag_minutes=[120, 0])
    result = schedule(tasks, links, (STANDARD, ROUND_THE_CLOCK))
    assert texts(result.early_start) == [
        "2026-05-04T08:00",
        "2026-05-04T19:00",
        "2026-05-06T08:00",
    ]
    assert texts(result.early_finish) == [
        "2026-05-04T17:00",
        "2026-05-05T19:00",
        "2026-05-06T17:00",
    ]
    # C cannot start before Wednesday morning anyway, so B can slip through the night (13 hours
    # of its own calendar); A cannot, as its next working hour would push B past 08:00.
    assert result.total_float_minutes.tolist() == [0, 13 * 60, 0]
    assert str(result.late_finish[1]) == "2026-05-06T08:00"


class TestSummaryTask:
    """X (1 day) -> S -> Y (1 day), where S holds S1 (2 days) -> S2 (3 days) and S3 (1 day).

    The links to and from S apply to S1, S2 and S3.
    """

    @pytest.fixture
    def result(self, schedule: Callable[..., ScheduleResult]) -> ScheduleResult:
        tasks = ScheduleTasks.create(
            ids=[10, 20, 21, 22, 23, 30],
            duration_minutes=[DAY, 0, 2 * DAY, 3 * DAY, DAY, DAY],
            parent=[-1, -1, 1, 1, 1, -1],
        )
        links = ScheduleLinks.create([0, 2, 1], [1, 3, 5])
        return schedule(tasks, links)

    def test_the_summary_spans_its_tasks(self, result: ScheduleResult) -> None:
        assert result.summary.tolist() == [False, True, False, False, False, False]
        assert (str(result.early_start[1]), str(result.early_finish[1])) == (
            "2026-05-05T08:00",
            "2026-05-11T17:00",
        )

    def test_links_of_the_summary_apply_to_each_of_its_tasks(self, result: ScheduleResult) -> None:
        assert texts(result.early_start) == [
            "2026-05-04T08:00",
            "2026-05-05T08:00",
            "2026-05-05T08:00",
            "2026-05-07T08:00",
            "2026-05-05T08:00",
            "2026-05-12T08:00",
        ]

    def test_the_summary_is_as_critical_as_its_most_critical_task(
        self, result: ScheduleResult
    ) -> None:
        assert result.total_float_minutes.tolist() == [0, 0, 0, 0, 4 * DAY, 0]
        assert result.critical.tolist() == [True, True, True, True, False, True]


def test_a_summary_start_constraint_and_deadline_apply_to_its_tasks(
    schedule: Callable[..., ScheduleResult],
) -> None:
    tasks = ScheduleTasks.create(
        ids=[1, 2, 3],
        duration_minutes=[0, 2 * DAY, DAY],
        parent=[-1, 0, 0],
        constraint_type=[ConstraintType.SNET, 0, 0],
        constraint_date=["2026-05-06T08:00", "NaT", "NaT"],
        deadline=["2026-05-06T17:00", "NaT", "NaT"],
    )
    result = schedule(tasks)
    assert texts(result.early_start) == ["2026-05-06T08:00"] * 3
    assert result.total_float_minutes.tolist() == [-DAY, -DAY, 0]
    assert result.missed_deadlines.tolist() == [0]


def test_a_link_between_two_projects_drives_the_second_one(
    schedule: Callable[..., ScheduleResult],
) -> None:
    """Project P (summary) holds P1 (3 days); project Q holds Q1 (1 day), which needs P1."""
    tasks = ScheduleTasks.create(
        ids=[100, 101, 200, 201], duration_minutes=[0, 3 * DAY, 0, DAY], parent=[-1, 0, -1, 2]
    )
    result = schedule(tasks, ScheduleLinks.create([1], [3]))
    assert str(result.early_start[2]) == "2026-05-07T08:00"
    assert result.critical.all()


class TestProgress:
    """Status date Wednesday 6 May, 17:00.

    A (2 days) done Mon-Tue; B (3 days) started Wednesday with 2 days left; C (2 days) after B;
    D (1 day) not started and without links; E (2 days) after B, started out of sequence on
    Tuesday with 1 day left; F (4 days) started Monday and 25 % complete.
    """

    @pytest.fixture
    def result(self, schedule: Callable[..., ScheduleResult]) -> ScheduleResult:
        tasks = ScheduleTasks.create(
            ids=[1, 2, 3, 4, 5, 6],
            duration_minutes=[2 * DAY, 3 * DAY, 2 * DAY, DAY, 2 * DAY, 4 * DAY],
            actual_start=[
                "2026-05-04T08:00",
                "2026-05-06T08:00",
                "NaT",
                "NaT",
                "2026-05-05T08:00",
                "2026-05-04T08:00",
            ],
            actual_finish=["2026-05-05T17:00", "NaT", "NaT", "NaT", "NaT", "NaT"],
            remaining_duration_minutes=[0, 2 * DAY, -1, -1, DAY, -1],
            percent_complete=[100, 0, 0, 0, 0, 25],
        )
        links = ScheduleLinks.create([0, 1, 1], [1, 2, 4])
        return schedule(tasks, links, status_date="2026-05-06T17:00")

    def test_remaining_work_is_scheduled_after_the_status_date(
        self, result: ScheduleResult
    ) -> None:
        # B did a day on Wednesday; its two remaining days are Thursday and Friday.
        assert (str(result.early_start[1]), str(result.early_finish[1])) == (
            "2026-05-06T08:00",
            "2026-05-08T17:00",
        )
        # F did its first day on Monday and its three remaining days start on Thursday.
        assert str(result.early_finish[5]) == "2026-05-11T17:00"

    def test_work_not_started_cannot_start_before_the_status_date(
        self, result: ScheduleResult
    ) -> None:
        assert (str(result.early_start[3]), str(result.early_finish[3])) == (
            "2026-05-07T08:00",
            "2026-05-07T17:00",
        )

    def test_retained_logic_holds_remaining_work_until_the_predecessor_finishes(
        self, result: ScheduleResult
    ) -> None:
        assert str(result.early_start[4]) == "2026-05-05T08:00"
        assert str(result.early_finish[4]) == "2026-05-11T17:00"

    def test_finished_work_keeps_its_actual_dates(self, result: ScheduleResult) -> None:
        assert (str(result.early_start[0]), str(result.early_finish[0])) == (
            "2026-05-04T08:00",
            "2026-05-05T17:00",
        )
        assert (str(result.late_start[0]), str(result.late_finish[0])) == (
            "2026-05-04T08:00",
            "2026-05-05T17:00",
        )

    def test_floats_and_the_critical_path(self, result: ScheduleResult) -> None:
        assert texts(result.early_start[2:3]) == ["2026-05-11T08:00"]
        assert result.project_finish == np.datetime64("2026-05-12T17:00")
        assert result.total_float_minutes.tolist() == [0, 0, 0, 3 * DAY, DAY, DAY]
        # A finished task is never critical.
        assert result.critical.tolist() == [False, True, True, False, False, False]

    def test_a_started_task_late_start_is_its_actual_start(self, result: ScheduleResult) -> None:
        assert str(result.late_start[1]) == "2026-05-06T08:00"
        assert str(result.late_finish[1]) == "2026-05-08T17:00"


# Eight independent pairs "Task 1 -> Task 2" of one day each, with the link types and lags
# of MPXJ's task-links sample, and the dates, total slack and free slack that Microsoft Project
# 2003 computed for them (project start Friday 17 October 2014).
MICROSOFT_PROJECT_PAIRS = [
    # (link type, lag, predecessor: late start, total slack; successor: early start, slack)
    (LinkType.FS, 0, "2014-10-31", 10 * DAY, "2014-10-20", 10 * DAY),
    (LinkType.FS, DAY, "2014-10-30", 9 * DAY, "2014-10-21", 9 * DAY),
    (LinkType.FS, 2 * DAY, "2014-10-29", 8 * DAY, "2014-10-22", 8 * DAY),
    (LinkType.FS, 5 * DAY, "2014-10-24", 5 * DAY, "2014-10-27", 5 * DAY),
    (LinkType.FS, 10 * DAY, "2014-10-17", 0, "2014-11-03", 0),
    (LinkType.SF, 2 * DAY, "2014-10-31", 10 * DAY, "2014-10-20", 10 * DAY),
    (LinkType.SS, 2 * DAY, "2014-10-30", 9 * DAY, "2014-10-21", 9 * DAY),
    (LinkType.FF, 2 * DAY, "2014-10-30", 9 * DAY, "2014-10-21", 9 * DAY),
]


def test_the_dates_microsoft_project_computed_for_each_link_type(
    schedule: Callable[..., ScheduleResult],
) -> None:
    pairs = len(MICROSOFT_PROJECT_PAIRS)
    tasks = ScheduleTasks.create(
        ids=np.arange(1, 2 * pairs + 1), duration_minutes=[DAY] * 2 * pairs
    )
    links = ScheduleLinks.create(
        np.arange(0, 2 * pairs, 2),
        np.arange(1, 2 * pairs, 2),
        link_type=[pair[0] for pair in MICROSOFT_PROJECT_PAIRS],
        lag_minutes=[pair[1] for pair in MICROSOFT_PROJECT_PAIRS],
    )
    result = schedule(tasks, links, project_start="2014-10-17T08:00")
    assert result.project_finish == np.datetime64("2014-11-03T17:00")
    for index, (_, _, late, slack, early, successor_slack) in enumerate(MICROSOFT_PROJECT_PAIRS):
        before, after = 2 * index, 2 * index + 1
        assert str(result.early_start[before]) == "2014-10-17T08:00"
        assert str(result.late_start[before]) == late + "T08:00"
        assert str(result.late_finish[before]) == late + "T17:00"
        assert str(result.early_start[after]) == early + "T08:00"
        assert str(result.early_finish[after]) == early + "T17:00"
        assert str(result.late_finish[after]) == "2014-11-03T17:00"
        assert result.total_float_minutes[[before, after]].tolist() == [slack, successor_slack]
        assert result.free_float_minutes[[before, after]].tolist() == [0, successor_slack]


class TestCycles:
    def test_a_cycle_is_named(self, schedule: Callable[..., ScheduleResult]) -> None:
        tasks = ScheduleTasks.create(ids=[7, 1, 2, 3, 9], duration_minutes=[DAY] * 5)
        links = ScheduleLinks.create([0, 1, 2, 3, 3], [1, 2, 3, 1, 4])
        with pytest.raises(CyclicDependencyError) as raised:
            schedule(tasks, links)
        cycle = raised.value.cycle
        assert sorted(cycle) == [1, 2, 3]
        # The ids come in link order: 1 -> 2 -> 3 -> 1, from whichever task.
        start = cycle.index(1)
        assert cycle[start:] + cycle[:start] == (1, 2, 3)
        path = " -> ".join(str(task) for task in (*cycle, cycle[0]))
        assert str(raised.value) == f"The dependencies form a cycle: tasks {path}"

    def test_a_link_between_a_summary_and_its_own_task_is_a_cycle(
        self, schedule: Callable[..., ScheduleResult]
    ) -> None:
        tasks = ScheduleTasks.create(ids=[1, 2], duration_minutes=[0, DAY], parent=[-1, 0])
        with pytest.raises(CyclicDependencyError) as raised:
            schedule(tasks, ScheduleLinks.create([0], [1]))
        assert raised.value.cycle == (1, 2)


def test_an_empty_plan_finishes_when_it_starts(schedule: Callable[..., ScheduleResult]) -> None:
    result = schedule(ScheduleTasks.create(ids=[], duration_minutes=[]))
    assert result.early_start.size == 0
    assert result.project_finish == np.datetime64(START)
