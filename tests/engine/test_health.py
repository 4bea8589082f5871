"""The DCMA 14-point schedule health checks, on small networks worked by hand.

Unless a test says otherwise, the calendar is Microsoft Project's standard one (08:00-12:00 and
13:00-17:00, Monday to Friday, no holidays, so a day is 480 working minutes), the project starts
on Monday 4 May 2026 at 08:00 and the status date is that same instant. Task ids are the task's
index plus 101, so that ids and indices never coincide.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck as HypothesisHealthCheck
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.health import (
    CheckStatus,
    HealthCheck,
    HealthCheckKind,
    HealthRating,
    HealthResult,
    HealthThresholds,
    assess_schedule_health,
)
from pilotage.engine.scheduling import (
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    compute_schedule,
)

DAY = 480
START = "2026-05-04T08:00"
STANDARD = compile_calendar(
    Calendar("Standard", WeekPattern.standard()), date(2026, 4, 1), date(2026, 12, 31)
)
Kind = HealthCheckKind


def ids(count: int) -> list[int]:
    return list(range(101, 101 + count))


def network(durations: list[int], **fields: Any) -> ScheduleTasks:
    return ScheduleTasks.create(ids=ids(len(durations)), duration_minutes=durations, **fields)


def chain_links(count: int, **fields: Any) -> ScheduleLinks:
    """Task 0 -> task 1 -> ... -> task ``count - 1``."""
    return ScheduleLinks.create(list(range(count - 1)), list(range(1, count)), **fields)


def schedule(
    tasks: ScheduleTasks,
    links: ScheduleLinks | None = None,
    *,
    status: str = START,
    calendars: tuple[WorkingTime, ...] = (STANDARD,),
) -> ScheduleResult:
    return compute_schedule(
        tasks,
        links if links is not None else ScheduleLinks.empty(),
        calendars,
        project_start=START,
        status_date=status,
    )


def assess(
    tasks: ScheduleTasks,
    links: ScheduleLinks | None = None,
    *,
    status: str = START,
    calendars: tuple[WorkingTime, ...] = (STANDARD,),
    **options: Any,
) -> HealthResult:
    links = links if links is not None else ScheduleLinks.empty()
    result = schedule(tasks, links, status=status, calendars=calendars)
    return assess_schedule_health(tasks, links, result, calendars, status_date=status, **options)


def check(
    tasks: ScheduleTasks, links: ScheduleLinks | None, kind: Kind, **options: Any
) -> HealthCheck:
    return assess(tasks, links, **options).check(kind)


def outcome(found: HealthCheck) -> tuple[float | None, CheckStatus, list[int]]:
    return found.value, found.status, found.offending_ids.tolist()


PASSED, FAILED, NOT_ASSESSED = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.NOT_ASSESSED


class TestLogic:
    def test_a_plan_linked_from_start_to_finish_passes(self) -> None:
        """Start milestone -> A -> B -> C -> finish milestone: milestones are not counted."""
        tasks = network([0, DAY, DAY, DAY, 0])
        found = check(tasks, chain_links(5), Kind.LOGIC)
        assert outcome(found) == (0.0, PASSED, [])
        assert (found.numerator, found.denominator) == (0, 3)

    def test_open_starts_and_ends_are_missing_logic(self) -> None:
        """A -> B -> C, and D alone: A has no predecessor, C no successor, D neither: 3 / 4."""
        tasks = network([DAY, DAY, DAY, DAY])
        found = check(tasks, chain_links(3), Kind.LOGIC)
        assert outcome(found) == (75.0, FAILED, [101, 103, 104])

    def test_five_percent_passes_and_a_lower_threshold_fails(self) -> None:
        """Start -> T1 ... T19 -> finish, and T20 after the start without a successor: 1 / 20."""
        tasks = network([0] + [DAY] * 19 + [0, DAY])
        links = ScheduleLinks.create([*range(20), 0], [*range(1, 21), 21])
        assert outcome(check(tasks, links, Kind.LOGIC)) == (5.0, PASSED, [122])
        stricter = HealthThresholds(missing_logic_percent=4.9)
        found = check(tasks, links, Kind.LOGIC, thresholds=stricter)
        assert outcome(found) == (5.0, FAILED, [122])
        assert found.threshold == 4.9

    def test_links_of_a_summary_task_count_for_its_tasks_and_finished_work_is_left_out(
        self,
    ) -> None:
        """Start -> X -> S -> Y -> finish, where summary S holds S1 -> S2; Z is finished and
        unlinked. S1 gets its predecessor and S2 its successor through S."""
        tasks = network(
            [0, DAY, 0, DAY, DAY, DAY, 0, DAY],
            parent=[-1, -1, -1, 2, 2, -1, -1, -1],
            actual_start=["NaT"] * 7 + ["2026-05-04T08:00"],
            actual_finish=["NaT"] * 7 + ["2026-05-04T17:00"],
        )
        links = ScheduleLinks.create([0, 1, 3, 2, 5], [1, 2, 4, 5, 6])
        found = check(tasks, links, Kind.LOGIC, status="2026-05-04T17:00")
        assert outcome(found) == (0.0, PASSED, [])
        assert found.denominator == 4


def four_links(
    link_type: list[int] | None = None,
    lag_minutes: list[int] | None = None,
    lag_kind: list[int] | None = None,
    lag_percent: list[float] | None = None,
) -> tuple[ScheduleTasks, ScheduleLinks]:
    """A -> B, A -> C, B -> D, C -> D (each 2 days)."""
    tasks = network([2 * DAY] * 4)
    links = ScheduleLinks.create(
        [0, 0, 1, 2],
        [1, 2, 3, 3],
        link_type=link_type,
        lag_minutes=lag_minutes,
        lag_kind=lag_kind,
        lag_percent=lag_percent,
    )
    return tasks, links


class TestLeads:
    def test_no_negative_lag_passes(self) -> None:
        found = check(*four_links(lag_minutes=[0, DAY, 0, 0]), Kind.LEADS)
        assert outcome(found) == (0.0, PASSED, [])
        assert (found.numerator, found.denominator) == (0, 4)

    def test_one_lead_in_four_links_fails(self) -> None:
        found = check(*four_links(lag_minutes=[-DAY, 0, 0, 0]), Kind.LEADS)
        assert outcome(found) == (25.0, FAILED, [102])

    def test_a_negative_percentage_lag_is_a_lead(self) -> None:
        found = check(
            *four_links(
                lag_kind=[LagKind.WORKING, LagKind.WORKING, LagKind.PERCENT, LagKind.WORKING],
                lag_percent=[0, 0, -50.0, 0],
            ),
            Kind.LEADS,
        )
        assert outcome(found) == (25.0, FAILED, [104])

    def test_links_into_finished_tasks_are_history(self) -> None:
        """A (done) -> B (done, started with a day of lead) -> C: only B -> C is counted."""
        tasks = network(
            [2 * DAY, 2 * DAY, DAY],
            actual_start=["2026-05-04T08:00", "2026-05-05T08:00", "NaT"],
            actual_finish=["2026-05-05T17:00", "2026-05-06T17:00", "NaT"],
        )
        links = chain_links(3, lag_minutes=[-DAY, 0])
        found = check(tasks, links, Kind.LEADS, status="2026-05-06T17:00")
        assert outcome(found) == (0.0, PASSED, [])
        assert found.denominator == 1


class TestLags:
    def test_one_lag_in_twenty_links_passes(self) -> None:
        found = check(network([DAY] * 21), chain_links(21, lag_minutes=[DAY] + [0] * 19), Kind.LAGS)
        assert outcome(found) == (5.0, PASSED, [102])

    def test_two_lags_in_twenty_links_fail_unless_the_threshold_allows_them(self) -> None:
        tasks, links = network([DAY] * 21), chain_links(21, lag_minutes=[0] * 18 + [DAY, 2 * DAY])
        assert outcome(check(tasks, links, Kind.LAGS)) == (10.0, FAILED, [120, 121])
        relaxed = HealthThresholds(lags_percent=10)
        assert check(tasks, links, Kind.LAGS, thresholds=relaxed).status is PASSED

    def test_a_lead_is_not_a_lag(self) -> None:
        assert check(*four_links(lag_minutes=[-DAY, 0, 0, 0]), Kind.LAGS).value == 0.0


class TestRelationshipTypes:
    def test_nine_finish_to_start_links_in_ten_pass(self) -> None:
        types = [LinkType.FS] * 9 + [LinkType.SS]
        found = check(
            network([DAY] * 11), chain_links(11, link_type=types), Kind.RELATIONSHIP_TYPES
        )
        assert outcome(found) == (90.0, PASSED, [111])
        assert found.at_least
        assert (found.numerator, found.denominator) == (9, 10)

    def test_eight_in_ten_fail(self) -> None:
        types = [LinkType.FS] * 4 + [LinkType.FF] + [LinkType.FS] * 4 + [LinkType.SS]
        found = check(
            network([DAY] * 11), chain_links(11, link_type=types), Kind.RELATIONSHIP_TYPES
        )
        assert outcome(found) == (80.0, FAILED, [106, 111])


def unlinked_with_constraints(kinds: dict[int, tuple[ConstraintType, str]]) -> ScheduleTasks:
    """Twenty unlinked one-day tasks, some with constraints."""
    types = [ConstraintType.ASAP] * 20
    dates = ["NaT"] * 20
    for task, (kind, when) in kinds.items():
        types[task], dates[task] = kind, when
    durations = [DAY] * 20
    if 19 in kinds:
        durations[19] = 0
    return network(durations, constraint_type=types, constraint_date=dates)


class TestHardConstraints:
    SOFT = {
        1: (ConstraintType.SNET, "2026-05-05T08:00"),
        2: (ConstraintType.FNET, "2026-05-06T17:00"),
        3: (ConstraintType.ALAP, "NaT"),
        # A must-finish-on milestone: milestones are not counted.
        19: (ConstraintType.MFO, "2026-05-08T17:00"),
    }

    def test_one_hard_constraint_in_twenty_tasks_passes(self) -> None:
        tasks = unlinked_with_constraints({0: (ConstraintType.MSO, "2026-05-06T08:00")})
        assert outcome(check(tasks, None, Kind.HARD_CONSTRAINTS)) == (5.0, PASSED, [101])

    def test_soft_constraints_and_milestones_are_not_counted(self) -> None:
        """One must-start-on among 19 tasks with work (the 20th is a milestone): 1 / 19."""
        tasks = unlinked_with_constraints(
            {**self.SOFT, 5: (ConstraintType.MSO, "2026-05-06T08:00")}
        )
        found = check(tasks, None, Kind.HARD_CONSTRAINTS)
        assert outcome(found) == (100 / 19, FAILED, [106])
        assert found.denominator == 19
        relaxed = HealthThresholds(hard_constraints_percent=5.3)
        assert check(tasks, None, Kind.HARD_CONSTRAINTS, thresholds=relaxed).status is PASSED

    def test_each_hard_constraint_counts_and_soft_ones_do_not(self) -> None:
        tasks = unlinked_with_constraints(
            {
                **self.SOFT,
                5: (ConstraintType.MFO, "2026-05-08T17:00"),
                6: (ConstraintType.SNLT, "2026-05-07T08:00"),
                7: (ConstraintType.FNLT, "2026-05-07T17:00"),
                8: (ConstraintType.MSO, "2026-05-05T08:00"),
            }
        )
        found = check(tasks, None, Kind.HARD_CONSTRAINTS)
        assert found.status is FAILED
        assert found.offending_ids.tolist() == [106, 107, 108, 109]
        assert (found.numerator, found.denominator) == (4, 19)


class TestFloat:
    def test_44_days_of_float_is_not_high(self) -> None:
        """Long (50 days) and Short (6 days), unlinked: Short can slip 44 days."""
        found = check(network([50 * DAY, 6 * DAY]), None, Kind.HIGH_FLOAT)
        assert outcome(found) == (0.0, PASSED, [])

    def test_45_days_of_float_is_high(self) -> None:
        tasks = network([50 * DAY, 5 * DAY])
        assert outcome(check(tasks, None, Kind.HIGH_FLOAT)) == (50.0, FAILED, [102])
        relaxed = HealthThresholds(high_float_days=45)
        assert check(tasks, None, Kind.HIGH_FLOAT, thresholds=relaxed).status is PASSED

    def test_days_follow_the_calendar_or_the_given_minutes_per_day(self) -> None:
        """44 days of 480 minutes are more than 50 days of 420 minutes."""
        tasks = network([50 * DAY, 6 * DAY])
        assert check(tasks, None, Kind.HIGH_FLOAT, minutes_per_day=420).status is FAILED
        short_days = compile_calendar(
            Calendar("Short days", WeekPattern.standard(), minutes_per_day=420),
            date(2026, 4, 1),
            date(2026, 12, 31),
        )
        found = check(tasks, None, Kind.HIGH_FLOAT, calendars=(short_days,))
        assert outcome(found) == (50.0, FAILED, [102])

    def test_negative_float_fails(self) -> None:
        """A (2 days) -> B (2 days, deadline Wednesday evening, finishes Thursday evening)."""
        tasks = network([2 * DAY, 2 * DAY], deadline=["NaT", "2026-05-06T17:00"])
        found = check(tasks, chain_links(2), Kind.NEGATIVE_FLOAT)
        assert outcome(found) == (100.0, FAILED, [101, 102])

    def test_a_deadline_that_is_met_gives_no_negative_float(self) -> None:
        tasks = network([2 * DAY, 2 * DAY], deadline=["NaT", "2026-05-07T17:00"])
        assert outcome(check(tasks, chain_links(2), Kind.NEGATIVE_FLOAT)) == (0.0, PASSED, [])


class TestHighDuration:
    def test_one_long_task_in_twenty_passes_and_two_fail(self) -> None:
        one = network([45 * DAY, 44 * DAY] + [DAY] * 18)
        assert outcome(check(one, None, Kind.HIGH_DURATION)) == (5.0, PASSED, [101])
        two = network([45 * DAY, 46 * DAY] + [DAY] * 18)
        assert outcome(check(two, None, Kind.HIGH_DURATION)) == (10.0, FAILED, [101, 102])

    def test_the_baseline_duration_is_used_where_there_is_one(self) -> None:
        """Two 10-day tasks baselined at 45 days (Monday 4 May to Friday 3 July) and 44 days;
        a 50-day task without a baseline."""
        tasks = network([10 * DAY, 10 * DAY, 50 * DAY])
        found = check(
            tasks,
            None,
            Kind.HIGH_DURATION,
            baseline_start=["2026-05-04T08:00", "2026-05-04T08:00", "NaT"],
            baseline_finish=["2026-07-03T17:00", "2026-07-02T17:00", "NaT"],
        )
        assert outcome(found) == (200 / 3, FAILED, [101, 103])

    def test_a_started_task_is_measured_by_its_remaining_duration(self) -> None:
        started = network(
            [60 * DAY], actual_start=["2026-05-04T08:00"], remaining_duration_minutes=[40 * DAY]
        )
        found = check(started, None, Kind.HIGH_DURATION, status="2026-05-04T17:00")
        assert outcome(found) == (0.0, PASSED, [])
        assert check(network([60 * DAY]), None, Kind.HIGH_DURATION).status is FAILED


class TestInvalidDates:
    """Status date Wednesday 6 May, 17:00."""

    STATUS = "2026-05-06T17:00"

    def test_dates_on_the_right_side_of_the_status_date_pass(self) -> None:
        """A done Monday-Tuesday; B not started (scheduled on Thursday)."""
        tasks = network(
            [2 * DAY, DAY],
            actual_start=["2026-05-04T08:00", "NaT"],
            actual_finish=["2026-05-05T17:00", "NaT"],
        )
        found = check(tasks, None, Kind.INVALID_DATES, status=self.STATUS)
        assert outcome(found) == (0.0, PASSED, [])

    def test_forecasts_in_the_past_and_actuals_in_the_future_fail(self) -> None:
        """A done Mon-Tue (valid); B must start on Monday but has not started; C started on
        Thursday; D not started (valid); E finished on Friday."""
        tasks = network(
            [2 * DAY, DAY, DAY, DAY, 3 * DAY],
            constraint_type=[0, ConstraintType.MSO, 0, 0, 0],
            constraint_date=["NaT", "2026-05-04T08:00", "NaT", "NaT", "NaT"],
            actual_start=["2026-05-04T08:00", "NaT", "2026-05-07T08:00", "NaT", "2026-05-06T08:00"],
            actual_finish=["2026-05-05T17:00", "NaT", "NaT", "NaT", "2026-05-08T17:00"],
        )
        found = check(tasks, None, Kind.INVALID_DATES, status=self.STATUS)
        assert outcome(found) == (60.0, FAILED, [102, 103, 105])
        assert found.denominator == 5


class TestResources:
    def test_without_resource_information_the_check_is_not_assessed(self) -> None:
        found = check(network([DAY]), None, Kind.RESOURCES)
        assert outcome(found) == (None, NOT_ASSESSED, [])

    def test_work_without_resources_fails(self) -> None:
        """A, B and C are work; M is a milestone and F is finished: neither needs resources."""
        tasks = network(
            [DAY, DAY, DAY, 0, DAY],
            actual_start=["NaT"] * 4 + ["2026-05-04T08:00"],
            actual_finish=["NaT"] * 4 + ["2026-05-04T17:00"],
        )
        status = "2026-05-04T17:00"
        found = check(tasks, None, Kind.RESOURCES, status=status, has_resources=[1, 0, 1, 0, 0])
        assert outcome(found) == (100 / 3, FAILED, [102])
        found = check(
            tasks,
            None,
            Kind.RESOURCES,
            status=status,
            has_resources=[True, True, True, False, False],
        )
        assert outcome(found) == (0.0, PASSED, [])


class TestMissedTasksAndBaselineExecution:
    """Status date Friday 8 May, 17:00; one-day tasks, unlinked.

    A due Monday, done Monday; B due Tuesday, done Wednesday (late); C due Wednesday, not
    started; D due next Thursday, done this Thursday; E without a baseline, done Friday;
    G without a baseline, not started; M a milestone due Monday, not reached.
    """

    STATUS = "2026-05-08T17:00"

    @pytest.fixture
    def health(self) -> HealthResult:
        tasks = network(
            [DAY, DAY, DAY, DAY, DAY, DAY, 0],
            actual_start=[
                "2026-05-04T08:00",
                "2026-05-06T08:00",
                "NaT",
                "2026-05-07T08:00",
                "2026-05-08T08:00",
                "NaT",
                "NaT",
            ],
            actual_finish=[
                "2026-05-04T17:00",
                "2026-05-06T17:00",
                "NaT",
                "2026-05-07T17:00",
                "2026-05-08T17:00",
                "NaT",
                "NaT",
            ],
        )
        return assess(
            tasks,
            status=self.STATUS,
            baseline_finish=[
                "2026-05-04T17:00",
                "2026-05-05T17:00",
                "2026-05-06T17:00",
                "2026-05-14T17:00",
                "NaT",
                "NaT",
                "2026-05-04T17:00",
            ],
        )

    def test_tasks_due_that_finished_late_or_not_at_all_are_missed(
        self, health: HealthResult
    ) -> None:
        found = health.check(Kind.MISSED_TASKS)
        # Due: A, B, C (M is a milestone); missed: B (late) and C (not finished).
        assert outcome(found) == (200 / 3, FAILED, [102, 103])

    def test_the_baseline_execution_index_counts_every_finished_task(
        self, health: HealthResult
    ) -> None:
        found = health.check(Kind.BASELINE_EXECUTION_INDEX)
        # Finished: A, B, D, E = 4; due: A, B, C, plus E finished without a baseline = 4.
        assert outcome(found) == (1.0, PASSED, [103])
        assert (found.numerator, found.denominator, found.unit) == (4, 4, "index")

    def test_too_few_tasks_finished_fails(self) -> None:
        """Twenty tasks due: 19 finished gives 0.95 (passes), 18 gives 0.90 (fails)."""
        for finished, ratio, status in ((19, 0.95, PASSED), (18, 0.9, FAILED)):
            tasks = network(
                [DAY] * 20,
                actual_start=["2026-05-04T08:00"] * finished + ["NaT"] * (20 - finished),
                actual_finish=["2026-05-04T17:00"] * finished + ["NaT"] * (20 - finished),
            )
            health = assess(
                tasks, status="2026-05-05T17:00", baseline_finish=["2026-05-04T17:00"] * 20
            )
            found = health.check(Kind.BASELINE_EXECUTION_INDEX)
            assert (found.value, found.status) == (ratio, status)
            assert found.offending_ids.tolist() == ids(20)[finished:]
            assert health.check(Kind.MISSED_TASKS).value == 100 * (20 - finished) / 20

    def test_without_a_baseline_neither_is_assessed(self) -> None:
        health = assess(network([DAY]))
        assert health.check(Kind.MISSED_TASKS).status is NOT_ASSESSED
        assert health.check(Kind.BASELINE_EXECUTION_INDEX).status is NOT_ASSESSED

    def test_before_anything_is_due_neither_is_assessed(self) -> None:
        health = assess(network([DAY]), baseline_finish=["2026-05-04T17:00"])
        assert health.check(Kind.MISSED_TASKS).value is None
        assert health.check(Kind.BASELINE_EXECUTION_INDEX).value is None


class TestCriticalPathTest:
    def test_a_continuous_critical_path_passes_the_delay_on(self) -> None:
        """Start -> A (2 days) -> B (3 days) -> finish, and start -> C (1 day) -> finish."""
        tasks = network([0, 2 * DAY, 3 * DAY, DAY, 0])
        links = ScheduleLinks.create([0, 1, 2, 0, 3], [1, 2, 4, 3, 4])
        found = check(tasks, links, Kind.CRITICAL_PATH_TEST)
        assert outcome(found) == (1.0, PASSED, [])
        assert (found.numerator, found.denominator) == (600.0, 600.0)

    def test_an_open_finish_breaks_the_path(self) -> None:
        """A (2 days) starts B (5 days, start-to-start), B -> finish. A is critical through its
        start, but nothing waits for its finish: the 600 days of delay go nowhere."""
        tasks = network([2 * DAY, 5 * DAY, 0])
        links = chain_links(3, link_type=[LinkType.SS, LinkType.FS])
        found = check(tasks, links, Kind.CRITICAL_PATH_TEST)
        assert outcome(found) == (0.0, FAILED, [101])
        assert (found.numerator, found.denominator) == (0.0, 600.0)

    def test_a_hard_constraint_breaks_the_path(self) -> None:
        """A (2 days) -> B (3 days, must finish on Friday) -> finish."""
        tasks = network(
            [2 * DAY, 3 * DAY, 0],
            constraint_type=[0, ConstraintType.MFO, 0],
            constraint_date=["NaT", "2026-05-08T17:00", "NaT"],
        )
        assert outcome(check(tasks, chain_links(3), Kind.CRITICAL_PATH_TEST)) == (
            0.0,
            FAILED,
            [101],
        )

    def test_missing_logic_to_the_finish_milestone_breaks_the_path(self) -> None:
        """A (2 days) -> B (3 days) with no successor; C (1 day) -> finish milestone. The
        critical path A-B does not reach the finish."""
        tasks = network([2 * DAY, 3 * DAY, DAY, 0])
        links = ScheduleLinks.create([0, 2], [1, 3])
        found = check(tasks, links, Kind.CRITICAL_PATH_TEST, completion_task=3)
        assert outcome(found) == (0.0, FAILED, [101])
        # Without naming the finish milestone, the project completes with B, which does move.
        assert check(tasks, links, Kind.CRITICAL_PATH_TEST).status is PASSED

    def test_a_started_task_is_delayed_through_its_remaining_duration(self) -> None:
        """A (4 days, started Monday, 2 days left at Tuesday evening) -> B (1 day) -> finish."""
        tasks = network(
            [4 * DAY, DAY, 0],
            actual_start=["2026-05-04T08:00", "NaT", "NaT"],
            remaining_duration_minutes=[2 * DAY, -1, -1],
        )
        found = check(tasks, chain_links(3), Kind.CRITICAL_PATH_TEST, status="2026-05-05T17:00")
        assert outcome(found) == (1.0, PASSED, [])

    def test_the_delay_is_a_threshold(self) -> None:
        tasks = network([0, 2 * DAY, 0])
        thresholds = HealthThresholds(critical_path_delay_days=10)
        found = check(tasks, chain_links(3), Kind.CRITICAL_PATH_TEST, thresholds=thresholds)
        assert (found.value, found.numerator, found.denominator) == (1.0, 10.0, 10.0)

    def test_without_another_critical_task_it_is_not_assessed(self) -> None:
        assert check(network([DAY]), None, Kind.CRITICAL_PATH_TEST).status is NOT_ASSESSED
        finished = network(
            [DAY], actual_start=["2026-05-04T08:00"], actual_finish=["2026-05-04T17:00"]
        )
        found = check(finished, None, Kind.CRITICAL_PATH_TEST, status="2026-05-04T17:00")
        assert found.status is NOT_ASSESSED


class TestCriticalPathLengthIndex:
    """A (10 days, Mon 4 - Fri 15 May) -> B (10 days, Mon 18 - Fri 29 May) -> finish milestone:
    the critical path is 20 days long."""

    def tasks(self, **fields: Any) -> ScheduleTasks:
        return network([10 * DAY, 10 * DAY, 0], **fields)

    def test_on_time_without_a_baseline_is_one(self) -> None:
        found = check(self.tasks(), chain_links(3), Kind.CRITICAL_PATH_LENGTH_INDEX)
        assert outcome(found) == (1.0, PASSED, [])
        assert (found.numerator, found.denominator) == (20.0, 20.0)

    @pytest.mark.parametrize(
        ("baseline", "index", "status"),
        [
            # Forecast Friday 29 May; one day late: (20 - 1) / 20.
            ("2026-05-28T17:00", 0.95, PASSED),
            ("2026-05-27T17:00", 0.9, FAILED),
            # Three days early: (20 + 3) / 20.
            ("2026-06-03T17:00", 1.15, PASSED),
        ],
    )
    def test_float_against_the_baseline_finish(
        self, baseline: str, index: float, status: CheckStatus
    ) -> None:
        found = check(
            self.tasks(),
            chain_links(3),
            Kind.CRITICAL_PATH_LENGTH_INDEX,
            baseline_finish=["NaT", "NaT", baseline],
        )
        assert (found.value, found.status) == (index, status)
        offending = [101, 102, 103] if status is FAILED else []
        assert found.offending_ids.tolist() == offending

    def test_without_a_baseline_for_the_finish_the_latest_baseline_finish_is_used(self) -> None:
        found = check(
            self.tasks(),
            chain_links(3),
            Kind.CRITICAL_PATH_LENGTH_INDEX,
            baseline_finish=["2026-05-15T17:00", "2026-05-28T17:00", "NaT"],
        )
        assert found.value == 0.95

    def test_a_missed_deadline_on_the_finish_gives_negative_float(self) -> None:
        tasks = self.tasks(deadline=["NaT", "NaT", "2026-05-27T17:00"])
        found = check(tasks, chain_links(3), Kind.CRITICAL_PATH_LENGTH_INDEX)
        assert (found.value, found.status) == (0.9, FAILED)

    def test_the_critical_path_is_measured_from_the_status_date(self) -> None:
        """At Friday 8 May, A (started Monday) has 7 days left: it finishes on Tuesday 19 May
        and B on Tuesday 2 June, 17 days after the status date and 2 days after the baseline
        finish (Friday 29 May): (17 - 2) / 17."""
        tasks = self.tasks(
            actual_start=["2026-05-04T08:00", "NaT", "NaT"],
            remaining_duration_minutes=[7 * DAY, -1, -1],
        )
        found = check(
            tasks,
            chain_links(3),
            Kind.CRITICAL_PATH_LENGTH_INDEX,
            status="2026-05-08T17:00",
            baseline_finish=["NaT", "NaT", "2026-05-29T17:00"],
        )
        assert (found.numerator, found.denominator) == (15.0, 17.0)
        assert (found.value, found.status) == (15 / 17, FAILED)

    def test_a_finished_project_is_not_assessed(self) -> None:
        finished = network(
            [DAY], actual_start=["2026-05-04T08:00"], actual_finish=["2026-05-04T17:00"]
        )
        found = check(finished, None, Kind.CRITICAL_PATH_LENGTH_INDEX, status="2026-05-04T17:00")
        assert found.status is NOT_ASSESSED


class TestScore:
    def test_a_clean_plan_is_green(self) -> None:
        """Start -> A -> B -> finish with resources and a baseline that nothing is due on yet."""
        tasks = network([0, 2 * DAY, 3 * DAY, 0])
        health = assess(
            tasks,
            chain_links(4),
            has_resources=[False, True, True, False],
            baseline_finish=[
                "2026-05-04T08:00",
                "2026-05-05T17:00",
                "2026-05-08T17:00",
                "2026-05-08T17:00",
            ],
        )
        statuses = {found.kind: found.status for found in health.checks}
        assert [kind for kind, status in statuses.items() if status is NOT_ASSESSED] == [
            Kind.MISSED_TASKS,
            Kind.BASELINE_EXECUTION_INDEX,
        ]
        assert (health.passed_count, health.assessed_count) == (12, 12)
        assert (health.score_percent, health.rating) == (100.0, HealthRating.GREEN)

    @pytest.mark.parametrize(
        ("green", "amber", "rating"),
        [
            (85, 60, HealthRating.GREEN),
            (95, 90, HealthRating.AMBER),
            (100, 95, HealthRating.RED),
        ],
    )
    def test_the_score_is_the_share_of_checks_passed(
        self, green: float, amber: float, rating: HealthRating
    ) -> None:
        """A -> B -> C and D alone: only the logic check fails, of 11 assessed (resources and
        the two baseline checks are not)."""
        thresholds = HealthThresholds(green_score_percent=green, amber_score_percent=amber)
        health = assess(network([DAY] * 4), chain_links(3), thresholds=thresholds)
        failed = [found.kind for found in health.checks if found.status is FAILED]
        assert failed == [Kind.LOGIC]
        assert (health.passed_count, health.assessed_count) == (10, 11)
        assert health.score_percent == 100 * 10 / 11
        assert health.rating is rating

    def test_an_empty_plan_has_no_score(self) -> None:
        health = assess(network([]))
        assert health.assessed_count == 0
        assert (health.score_percent, health.rating) == (None, None)

    def test_the_checks_come_in_the_dcma_order(self) -> None:
        health = assess(network([DAY]))
        assert [found.kind for found in health.checks] == list(HealthCheckKind)
        assert [found.kind.number for found in health.checks] == list(range(1, 15))
        assert health.check("high_float") is health.checks[5]


class TestBadInput:
    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"high_float_days": -1}, "high_float_days must not be negative"),
            ({"lags_percent": 101}, "lags_percent must not exceed 100"),
            ({"baseline_execution_index": math.nan}, "baseline_execution_index must be finite"),
            ({"leads_percent": True}, "leads_percent must be a number"),
            ({"critical_path_delay_days": 0}, "critical_path_delay_days must be more than 0"),
            (
                {"green_score_percent": 50, "amber_score_percent": 60},
                "amber_score_percent must not exceed green_score_percent",
            ),
        ],
    )
    def test_bad_thresholds_are_named(self, options: dict[str, Any], message: str) -> None:
        with pytest.raises(ScheduleInputError, match=message):
            HealthThresholds(**options)

    def test_a_result_of_another_network_is_refused(self) -> None:
        tasks = network([DAY, DAY])
        other = schedule(network([DAY]))
        with pytest.raises(ScheduleInputError, match=r"result\.start has 1 values for 2 tasks"):
            assess_schedule_health(
                tasks, ScheduleLinks.empty(), other, [STANDARD], status_date=START
            )

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"has_resources": [True]}, "has_resources has 1 values for 2 tasks"),
            ({"has_resources": ["yes", "no"]}, "has_resources must hold booleans"),
            ({"baseline_finish": ["2026-05-04T17:00"]}, "baseline_finish has 1 values"),
            ({"baseline_start": ["soon", "later"]}, "baseline_start must hold dates"),
            ({"completion_task": 2}, "completion_task index 2 is not a task"),
            ({"minutes_per_day": 0}, "minutes_per_day must be more than 0"),
            ({"status_date": None}, "status_date is required"),
        ],
    )
    def test_bad_options_are_named(self, options: dict[str, Any], message: str) -> None:
        tasks = network([DAY, DAY])
        result = schedule(tasks)
        arguments: dict[str, Any] = {"status_date": START, **options}
        with pytest.raises(ScheduleInputError, match=message):
            assess_schedule_health(tasks, ScheduleLinks.empty(), result, [STANDARD], **arguments)

    def test_the_completion_task_cannot_be_a_summary_task(self) -> None:
        tasks = network([0, DAY], parent=[-1, 0])
        with pytest.raises(ScheduleInputError, match="Task 101: completion_task must not be"):
            assess(tasks, completion_task=0)


# Random networks: any mixture of links, lags, constraints, deadlines, summary tasks, progress
# and baselines on two calendars.
FOUR_DAYS = compile_calendar(
    Calendar(
        "Four days",
        WeekPattern.standard().with_day(4, ()),
        holiday_country="FR",
        minutes_per_day=420,
    ),
    date(2026, 4, 1),
    date(2026, 9, 30),
)
CALENDARS = (STANDARD, FOUR_DAYS)
BASE = np.datetime64(START)
TASK_KINDS = list(ConstraintType)
SUMMARY_KINDS = [ConstraintType.ASAP, ConstraintType.ALAP, ConstraintType.SNET, ConstraintType.FNLT]


def instant(draw: st.DrawFn, *, days: int, missing: float = 0.0) -> Any:
    if missing and draw(st.floats(0, 1)) < missing:
        return "NaT"
    return BASE + np.timedelta64(draw(st.integers(-2 * 1440, days * 1440)), "m")


@st.composite
def assessments(draw: st.DrawFn) -> tuple[HealthResult, ScheduleTasks]:
    size = draw(st.integers(0, 14))
    parents = [-1] * size
    for task in range(1, size):
        if draw(st.integers(0, 3)) == 0:
            parents[task] = draw(st.integers(0, task - 1))
    summary = {parent for parent in parents if parent >= 0}
    kinds = [
        draw(st.sampled_from(SUMMARY_KINDS if task in summary else TASK_KINDS))
        for task in range(size)
    ]
    actual_start: list[Any] = ["NaT"] * size
    actual_finish: list[Any] = ["NaT"] * size
    for task in range(size):
        state = draw(st.sampled_from(["not started", "not started", "started", "finished"]))
        if state != "not started":
            began = BASE + np.timedelta64(draw(st.integers(0, 6 * 1440)), "m")
            actual_start[task] = began
            if state == "finished":
                actual_finish[task] = began + np.timedelta64(draw(st.integers(0, 3 * 1440)), "m")
    tasks = ScheduleTasks.create(
        ids=[7 * task + 3 for task in range(size)],
        duration_minutes=[
            draw(st.sampled_from([0, 240, DAY, 3 * DAY, 50 * DAY])) for _ in range(size)
        ],
        calendar=[draw(st.integers(0, 1)) for _ in range(size)],
        constraint_type=kinds,
        constraint_date=[
            "NaT" if kind in (ConstraintType.ASAP, ConstraintType.ALAP) else instant(draw, days=30)
            for kind in kinds
        ],
        deadline=[instant(draw, days=30, missing=0.7) for _ in range(size)],
        parent=parents,
        actual_start=actual_start,
        actual_finish=actual_finish,
    )
    rank = draw(st.permutations(range(size)))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=2 * size)
        if size
        else st.just([])
    )
    pairs = list(dict.fromkeys((a, b) if rank[a] < rank[b] else (b, a) for a, b in pairs if a != b))
    count = len(pairs)
    links = ScheduleLinks.create(
        [a for a, _ in pairs],
        [b for _, b in pairs],
        link_type=[draw(st.sampled_from(list(LinkType))) for _ in range(count)],
        lag_minutes=[draw(st.integers(-1500, 3000)) for _ in range(count)],
        lag_kind=[draw(st.sampled_from(list(LagKind))) for _ in range(count)],
        lag_percent=[draw(st.floats(-100, 200, allow_nan=False)) for _ in range(count)],
    )
    status = BASE + np.timedelta64(draw(st.integers(0, 8 * 1440)), "m")
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["baseline_start"] = [instant(draw, days=20, missing=0.3) for _ in range(size)]
        options["baseline_finish"] = [instant(draw, days=40, missing=0.3) for _ in range(size)]
    if draw(st.booleans()):
        options["has_resources"] = [draw(st.booleans()) for _ in range(size)]
    try:
        result = compute_schedule(tasks, links, CALENDARS, project_start=BASE, status_date=status)
        health = assess_schedule_health(
            tasks, links, result, CALENDARS, status_date=status, **options
        )
    except CyclicDependencyError:
        # A link between a summary task and a task under it.
        health = assess_schedule_health(
            tasks,
            ScheduleLinks.empty(),
            compute_schedule(
                tasks, ScheduleLinks.empty(), CALENDARS, project_start=BASE, status_date=status
            ),
            CALENDARS,
            status_date=status,
            **options,
        )
    return health, tasks


@settings(max_examples=120, deadline=None, suppress_health_check=[HypothesisHealthCheck.too_slow])
@given(assessments())
def test_every_outcome_is_well_formed(drawn: tuple[HealthResult, ScheduleTasks]) -> None:
    health, tasks = drawn
    assert [found.kind for found in health.checks] == list(HealthCheckKind)
    known = set(tasks.ids.tolist())
    for found in health.checks:
        offending = found.offending_ids.tolist()
        assert set(offending) <= known
        assert len(set(offending)) == len(offending)
        assert (found.value is None) == (found.status is NOT_ASSESSED)
        if found.value is None:
            continue
        if found.unit == "percent":
            assert 0.0 <= found.value <= 100.0
            assert found.numerator <= found.denominator
        meets = found.value >= found.threshold if found.at_least else found.value <= found.threshold
        assert found.passed is meets
    if health.score_percent is None:
        assert health.assessed_count == 0
        assert health.rating is None
    else:
        assert 0.0 <= health.score_percent <= 100.0
        assert health.score_percent == 100.0 * health.passed_count / health.assessed_count
