"""Leveling whole plans: priorities, within slack, fixed tasks, calendars, explanations, errors.

The plans start on Monday 2 March 2026 at 08:00 on Microsoft Project's standard calendar
(Monday to Friday, 08:00-12:00 and 13:00-17:00: a day is 480 working minutes); every expected
date is worked out by hand in the comments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from itertools import pairwise
from typing import Any

import pytest

from pilotage.engine.calendars import Calendar, CalendarException, WeekPattern, WorkingPeriod
from pilotage.engine.errors import CyclicDependencyError, ResourceCapacityError
from pilotage.engine.leveling import level_resources
from pilotage.engine.leveling import plan as plan_module
from pilotage.engine.leveling.plan import (
    CompetingTask,
    LevelingAssignment,
    LevelingProject,
    LevelingResource,
    PlanLevelingOptions,
    PlanLevelingResult,
    level_plans,
)
from pilotage.engine.leveling.problem import LevelingProblem, LevelingResult
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.engine.schedule_plan import schedule_plan

DAY = 480
START = datetime(2026, 3, 2, 8)
ALICE = LevelingResource("alice", "Alice Martin")
EVENING = Calendar("Evening", WeekPattern(((WorkingPeriod(1080, 1320),),) * 5 + ((),) * 2))
"""Weekdays from 18:00 to 22:00."""


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour)


def task(uid: int, days: float = 1, **fields: object) -> PlanTask:
    values: dict[str, object] = {
        "uid": uid,
        "id": uid,
        "name": f"T{uid}",
        "duration_minutes": round(days * DAY),
    }
    values.update(fields)
    return PlanTask(**values)  # type: ignore[arg-type]


def plan(*tasks: PlanTask, links: tuple[PlanLink, ...] = (), **fields: object) -> Plan:
    values: dict[str, object] = {"name": "P", "start": START}
    values.update(fields)
    return Plan(tasks=tasks, links=links, **values)  # type: ignore[arg-type]


def everyone(key: str, *uids: int, resource: str = "alice") -> list[LevelingAssignment]:
    return [LevelingAssignment(key, uid, resource) for uid in uids]


def dates(result: PlanLevelingResult, project: str, uid: int) -> tuple[datetime, datetime]:
    leveled = result.task(project, uid)
    return leveled.start, leveled.finish


class TestPriorities:
    def test_two_projects_share_a_person_and_the_project_priority_decides(self) -> None:
        # Alice designs in both projects (2 days each). A has priority 800: it keeps Monday and
        # Tuesday; B's design waits until Wednesday, and B's build (1 day) follows on Friday.
        first = plan(task(1, 2, name="Design"), name="A")
        second = plan(
            task(1, 2, name="Design"), task(2, 1, name="Build"), links=(PlanLink(1, 2),), name="B"
        )
        result = level_plans(
            [LevelingProject("A", first, priority=800), LevelingProject("B", second)],
            [ALICE],
            everyone("A", 1) + everyone("B", 1),
        )
        assert dates(result, "A", 1) == (at(2, 8), at(3, 17))
        assert dates(result, "B", 1) == (at(4, 8), at(5, 17))
        assert dates(result, "B", 2) == (at(6, 8), at(6, 17))
        # Only the design is delayed (two elapsed days); the build just follows it.
        assert [(task.project, task.uid) for task in result.delayed] == [("B", 1)]
        assert result.task("B", 1).leveling_delay_minutes == 2 * 1440
        assert result.task("B", 1).leveling_delay_format == "ed"
        b = result.project("B")
        assert (b.finish_before, b.finish_after) == (at(4, 17), at(6, 17))
        assert result.project("A").finish_after == at(3, 17)

    def test_with_the_priorities_the_other_way_round_the_other_project_waits(self) -> None:
        first = plan(task(1, 2, name="Design"), name="A")
        second = plan(task(1, 2, name="Design"), name="B")
        result = level_plans(
            [LevelingProject("A", first), LevelingProject("B", second, priority=900)],
            [ALICE],
            everyone("A", 1) + everyone("B", 1),
        )
        assert dates(result, "B", 1) == (at(2, 8), at(3, 17))
        assert dates(result, "A", 1) == (at(4, 8), at(5, 17))

    def test_priority_1000_is_never_leveled(self) -> None:
        # The protected project keeps its dates even with the lower task priority.
        first = plan(task(1, 1, priority=0), name="A")
        second = plan(task(1, 1, priority=999), name="B")
        result = level_plans(
            [LevelingProject("A", first, priority=1000), LevelingProject("B", second)],
            [ALICE],
            everyone("A", 1) + everyone("B", 1),
        )
        assert dates(result, "A", 1) == (at(2, 8), at(2, 17))
        assert dates(result, "B", 1) == (at(3, 8), at(3, 17))

    def test_task_priority_within_a_project(self) -> None:
        site = plan(task(1, 1, priority=200), task(2, 1, priority=700))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 2) == (at(2, 8), at(2, 17))
        assert dates(result, "P", 1) == (at(3, 8), at(3, 17))


class TestWithinSlack:
    def test_a_task_with_float_is_delayed_and_the_finish_stays(self) -> None:
        # T3 (3 days) sets the finish on Wednesday; T2 may slip two days. Within slack, T2
        # waits for T1 (higher priority) and goes to Tuesday.
        site = plan(task(1, 1, priority=600), task(2, 1), task(3, 3))
        result = level_plans(
            [LevelingProject("P", site)],
            [ALICE],
            everyone("P", 1, 2),
            PlanLevelingOptions(within_slack=True),
        )
        assert dates(result, "P", 2) == (at(3, 8), at(3, 17))
        assert result.project("P").finish_after == result.project("P").finish_before
        assert result.unresolved == ()

    def test_what_does_not_fit_in_the_float_is_left_and_reported(self) -> None:
        # T1 and T2 (2 days each) are both critical: neither may move within slack.
        site = plan(task(1, 2, priority=600), task(2, 2))
        result = level_plans(
            [LevelingProject("P", site)],
            [ALICE],
            everyone("P", 1, 2),
            PlanLevelingOptions(within_slack=True),
        )
        assert dates(result, "P", 2) == (at(2, 8), at(3, 17))
        assert result.delayed == ()
        [left] = result.unresolved
        assert (left.resource_key, left.resource_name) == ("alice", "Alice Martin")
        assert (left.start, left.finish) == (at(2, 8), at(3, 17))
        assert {item.uid for item in left.tasks} == {1, 2}

    def test_without_the_option_the_finish_moves(self) -> None:
        site = plan(task(1, 2, priority=600), task(2, 2))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 2) == (at(4, 8), at(5, 17))
        assert result.unresolved == ()


class TestFixedTasks:
    def test_a_started_task_keeps_its_dates_and_its_resource(self) -> None:
        # T1 started on Monday (2 days, half done); T2 has the higher priority but must wait.
        started = task(1, 2, actual_start=at(2, 8), percent_complete=50)
        site = plan(started, task(2, 1, priority=900), status_date=at(2, 17))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 1) == (at(2, 8), at(3, 17))
        assert dates(result, "P", 2) == (at(4, 8), at(4, 17))

    @pytest.mark.parametrize(
        "fields",
        [
            {"constraint_type": "MSO", "constraint_date": at(2, 8)},
            {"constraint_type": "FNLT", "constraint_date": at(2, 17)},
            {"manual": True, "start": at(2, 8)},
        ],
    )
    def test_hard_constraints_and_manual_tasks_are_not_moved(self, fields: object) -> None:
        assert isinstance(fields, dict)
        site = plan(task(1, 1, priority=0, **fields), task(2, 1, priority=900))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 1) == (at(2, 8), at(2, 17))
        assert dates(result, "P", 2) == (at(3, 8), at(3, 17))

    def test_summary_tasks_roll_up_and_milestones_use_nothing(self) -> None:
        phase = task(1, 0, summary=True, name="Phase")
        first = task(2, 1, parent_uid=1, outline_level=2, priority=600)
        second = task(3, 1, parent_uid=1, outline_level=2)
        done = task(4, 0, milestone=True, name="Done")
        site = plan(phase, first, second, done, links=(PlanLink(1, 4),))
        result = level_plans(
            [LevelingProject("P", site)],
            [ALICE],
            everyone("P", 1, 2, 3, 4),
        )
        assert dates(result, "P", 3) == (at(3, 8), at(3, 17))
        schedule = result.project("P").schedule
        assert (schedule.task(1).start, schedule.task(1).finish) == (at(2, 8), at(3, 17))
        assert dates(result, "P", 4) == (at(3, 17), at(3, 17))
        assert {task.uid for task in result.tasks} == {2, 3, 4}


class TestCalendars:
    def test_a_holiday_in_the_project_calendar(self) -> None:
        # Wednesday 4 March is a holiday: T1 takes Monday and Tuesday, T2 waits until Thursday;
        # from Monday 08:00 that is three elapsed days.
        holiday = Calendar(
            "Site",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 3, 4), date(2026, 3, 4), name="Holiday"),),
        )
        site = plan(
            task(1, 2, priority=600),
            task(2, 1),
            calendar_uid=1,
            calendars=(PlanCalendar(1, holiday),),
        )
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 2) == (at(5, 8), at(5, 17))
        assert result.task("P", 2).leveling_delay_minutes == 3 * 1440

    def test_a_resource_calendar_takes_capacity_away(self) -> None:
        # Alice is off on Tuesday: T1 (Monday) then T2, which cannot work on Tuesday without
        # her, goes to Wednesday.
        off = Calendar(
            "Alice",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 3, 3), date(2026, 3, 3), name="Off"),),
        )
        alice = LevelingResource("alice", "Alice Martin", calendar=off)
        site = plan(task(1, 1, priority=600), task(2, 1))
        result = level_plans([LevelingProject("P", site)], [alice], everyone("P", 1, 2))
        assert dates(result, "P", 2) == (at(4, 8), at(4, 17))

    def test_capacity_from_a_date_on(self) -> None:
        # Two cranes until Tuesday, then one: T1 and T2 both run on Monday; T3 and T4 (on
        # Tuesday's single crane) take Tuesday and Wednesday.
        crane = LevelingResource(
            "crane", "Crane", capacity=((None, 2.0), (datetime(2026, 3, 3, 0), 1.0))
        )
        site = plan(
            task(1, 1, priority=900),
            task(2, 1, priority=800),
            task(3, 1, priority=700),
            task(4, 1),
            links=(PlanLink(1, 3), PlanLink(2, 4)),
        )
        result = level_plans(
            [LevelingProject("P", site)], [crane], everyone("P", 1, 2, 3, 4, resource="crane")
        )
        assert dates(result, "P", 2) == (at(2, 8), at(2, 17))
        assert dates(result, "P", 3) == (at(3, 8), at(3, 17))
        assert dates(result, "P", 4) == (at(4, 8), at(4, 17))

    def test_an_elapsed_task_works_around_the_clock(self) -> None:
        # T1 (1 elapsed day from Monday 08:00 to Tuesday 08:00) holds Alice; T2 waits until
        # Tuesday 08:00.
        elapsed = task(1, 0, duration_minutes=1440, elapsed=True, priority=600)
        site = plan(elapsed, task(2, 1))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 1) == (at(2, 8), at(3, 8))
        assert dates(result, "P", 2) == (at(3, 8), at(3, 17))


class TestExplanations:
    def test_each_delay_names_the_resource_and_the_competing_tasks(self) -> None:
        first = plan(task(1, 2, name="Design"), name="A")
        second = plan(task(7, 1, name="Review"), name="B")
        result = level_plans(
            [LevelingProject("A", first, priority=800), LevelingProject("B", second)],
            [ALICE],
            everyone("A", 1) + everyone("B", 7),
        )
        [explanation] = result.explanations
        assert explanation.task == CompetingTask("B", 7, "Review")
        assert (explanation.resource_key, explanation.resource_name) == ("alice", "Alice Martin")
        assert explanation.competing == (CompetingTask("A", 1, "Design"),)
        assert explanation.when == at(2, 8)
        assert explanation.delay_minutes == 2 * 1440
        assert explanation.sentence == (
            "B: Review (UID 7) waits 2ed for Alice Martin, busy with A: Design (UID 1) on "
            "2026-03-02 08:00."
        )


class TestRoundTrip:
    def test_the_delays_give_the_leveled_dates_back_through_schedule_plan(self) -> None:
        # A chain with a lag and an SS link, two people, three projects: copy only the delays
        # onto the original plans and schedule them again.
        plans = {
            "A": plan(
                task(1, 2),
                task(2, 1.5),
                task(3, 1),
                links=(PlanLink(1, 2, lag_minutes=240), PlanLink(2, 3, "SS", lag_minutes=120)),
                name="A",
            ),
            "B": plan(task(1, 1), task(2, 3), links=(PlanLink(1, 2),), name="B"),
            "C": plan(task(1, 2), task(2, 2), name="C"),
        }
        bob = LevelingResource("bob", "Bob")
        result = level_plans(
            [LevelingProject(key, value) for key, value in plans.items()],
            [ALICE, bob],
            [
                *everyone("A", 1, 3),
                *everyone("B", 1, 2),
                *everyone("C", 1),
                *everyone("A", 2, resource="bob"),
                *everyone("C", 2, resource="bob"),
                *everyone("B", 2, resource="bob"),
            ],
        )
        assert result.delayed
        for key, original in plans.items():
            delays = {
                task.uid: (task.leveling_delay_minutes, task.leveling_delay_format)
                for task in result.tasks
                if task.project == key
            }
            copied = replace(
                original,
                tasks=tuple(
                    replace(
                        item,
                        leveling_delay_minutes=delays[item.uid][0],
                        leveling_delay_format=delays[item.uid][1],
                    )
                    for item in original.tasks
                ),
            )
            schedule = schedule_plan(copied)
            for item in original.tasks:
                row = schedule.task(item.uid)
                assert (row.start, row.finish) == dates(result, key, item.uid), (key, item.uid)
        # Nobody works on two tasks at once in the leveled dates.
        for resource, work in (
            ("alice", [("A", 1), ("A", 3), ("B", 1), ("B", 2), ("C", 1)]),
            ("bob", [("A", 2), ("C", 2), ("B", 2)]),
        ):
            spans = sorted(dates(result, *item) for item in work)
            for (_, finish), (start, _) in pairwise(spans):
                assert finish <= start, resource

    def test_leveling_twice_gives_the_same_delays(self) -> None:
        site = plan(task(1, 2, priority=600), task(2, 2))
        once = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        again = level_plans(
            [LevelingProject("P", once.project("P").plan)], [ALICE], everyone("P", 1, 2)
        )
        assert [task.leveling_delay_minutes for task in once.tasks] == [
            task.leveling_delay_minutes for task in again.tasks
        ]
        assert again.task("P", 2).start_before == once.task("P", 2).start


class TestErrors:
    def test_a_resource_with_no_working_time(self) -> None:
        nobody = LevelingResource("alice", "Alice Martin", capacity=((None, 0.0),))
        with pytest.raises(ResourceCapacityError, match="Resource 'Alice Martin' has no working"):
            level_plans([LevelingProject("P", plan(task(1)))], [nobody], everyone("P", 1))

    def test_a_task_needing_more_than_the_capacity(self) -> None:
        crane = LevelingResource("crane", "Crane")
        with pytest.raises(
            ResourceCapacityError,
            match=r"Task 'Build' \(UID 12\) needs 2 units of 'Crane' which has at most 1",
        ):
            level_plans(
                [LevelingProject("P", plan(task(12, name="Build")))],
                [crane],
                [LevelingAssignment("P", 12, "crane", 2.0)],
            )

    def test_capacity_before_the_task_can_start_does_not_count(self) -> None:
        # Full time until the plan starts, part time after: a full-time task can never fit,
        # and the message says so at once instead of searching ever further ahead.
        part_time = LevelingResource("alice", "Alice Martin", capacity=((None, 1.0), (START, 0.8)))
        with pytest.raises(
            ResourceCapacityError,
            match=r"needs 1 units of 'Alice Martin' which has at most 0.8 from the task's start",
        ):
            level_plans([LevelingProject("P", plan(task(1, 5)))], [part_time], everyone("P", 1))

    def test_a_cycle_names_its_tasks(self) -> None:
        looped = plan(
            task(1, name="Pour"), task(2, name="Cure"), links=(PlanLink(1, 2), PlanLink(2, 1))
        )
        with pytest.raises(CyclicDependencyError, match=r"task 1 \(Pour\)"):
            level_plans([LevelingProject("P", looped)], [ALICE], everyone("P", 1, 2))

    def test_an_assignment_to_an_unknown_resource(self) -> None:
        with pytest.raises(Exception, match="'bob', which is not a resource"):
            level_plans(
                [LevelingProject("P", plan(task(1)))], [ALICE], everyone("P", 1, resource="bob")
            )


class TestIdlePeriods:
    """Nights and weekends, when no calendar of the tasks works, are left out of the grid the
    engine sees; the delays and dates are those of the full grid."""

    def test_a_wait_across_a_weekend(self) -> None:
        # T1 takes Monday to Thursday; T2 (two days) waits for Alice until Friday 08:00, works
        # on Friday and, after the weekend, on Monday 9 March: four elapsed days of delay.
        site = plan(task(1, 4, priority=600), task(2, 2))
        result = level_plans([LevelingProject("P", site)], [ALICE], everyone("P", 1, 2))
        assert dates(result, "P", 2) == (at(6, 8), at(9, 17))
        assert result.task("P", 2).leveling_delay_minutes == 4 * 1440
        assert result.explanations[0].when == at(2, 8)

    def test_an_evening_calendar_keeps_its_hours(self) -> None:
        # Project B works 18:00-22:00 on weekdays; Bob does B's two tasks of eight hours: T1
        # on Monday and Tuesday evenings, T2 waits until Wednesday 18:00 (two elapsed days
        # after Monday 18:00) and finishes on Thursday at 22:00.
        b = plan(
            task(1, 1, priority=600),
            task(2, 1),
            name="B",
            calendar_uid=2,
            calendars=(PlanCalendar(2, EVENING),),
        )
        a = plan(task(1, 1), name="A")
        bob = LevelingResource("bob", "Bob")
        result = level_plans(
            [LevelingProject("A", a), LevelingProject("B", b)],
            [ALICE, bob],
            [*everyone("A", 1), *everyone("B", 1, 2, resource="bob")],
        )
        assert dates(result, "B", 1) == (at(2, 18), at(3, 22))
        assert dates(result, "B", 2) == (at(4, 18), at(5, 22))
        assert result.task("B", 2).leveling_delay_minutes == 2 * 1440

    @pytest.mark.parametrize("within_slack", [False, True])
    def test_the_same_delays_as_on_the_full_grid(
        self, within_slack: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Two calendars (standard days, weekday evenings), an elapsed lag, an SS lag, a lead,
        # a started task, a must-start-on task, a resource calendar with a day off and a
        # capacity that changes: leveled with and without the idle periods, everything a
        # planner sees is the same, and the engine saw far fewer periods.
        off = Calendar(
            "Bob",
            WeekPattern.standard(),
            exceptions=(CalendarException(date(2026, 3, 5), date(2026, 3, 5), name="Off"),),
        )
        a = plan(
            task(1, 2, priority=700),
            task(2, 1.5),
            task(3, 1, actual_start=at(2, 8), percent_complete=50),
            task(4, 1, constraint_type="MSO", constraint_date=at(4, 8)),
            task(5, 3),
            task(6, 2.5, calendar_uid=2),
            links=(
                PlanLink(1, 2, lag_minutes=1440, lag_format="ed", elapsed_lag=True),
                PlanLink(2, 5, "SS", lag_minutes=240),
            ),
            calendars=(PlanCalendar(2, EVENING),),
            name="A",
        )
        b = plan(
            task(1, 2),
            task(2, 1),
            task(3, 2, priority=300),
            links=(PlanLink(1, 3),),
            name="B",
            calendar_uid=2,
            calendars=(PlanCalendar(2, EVENING),),
        )
        c = plan(task(1, 3), task(2, 2), links=(PlanLink(1, 2, lag_minutes=-240),), name="C")
        resources = [
            ALICE,
            LevelingResource("bob", "Bob", calendar=off),
            LevelingResource("crane", "Crane", capacity=((None, 2.0), (at(4, 0), 1.0))),
        ]
        assignments = [
            *everyone("A", 1, 3, 4, 6),
            *everyone("A", 2, 5, resource="bob"),
            *everyone("A", 5, resource="crane"),
            *everyone("B", 1, 2, 3),
            *everyone("B", 3, resource="crane"),
            *everyone("C", 1, 2, resource="bob"),
            *everyone("C", 1, resource="crane"),
        ]
        projects = [
            LevelingProject("A", a, priority=600),
            LevelingProject("B", b),
            LevelingProject("C", c, priority=400),
        ]
        horizons: list[int] = []
        engine = level_resources

        def recording(problem: LevelingProblem, *args: Any) -> LevelingResult:
            horizons.append(problem.horizon)
            return engine(problem, *args)

        monkeypatch.setattr(plan_module, "level_resources", recording)
        options = PlanLevelingOptions(within_slack=within_slack)

        def seen(result: PlanLevelingResult) -> tuple[object, ...]:
            return (
                [
                    (t.project, t.uid, t.start, t.finish, t.leveling_delay_minutes)
                    for t in result.tasks
                ],
                [(t.project, t.uid, t.leveling_delay_format) for t in result.tasks],
                [item.sentence for item in result.explanations],
                [(u.resource_key, u.start, u.finish, u.tasks) for u in result.unresolved],
                [(p.key, p.finish_after) for p in result.projects],
            )

        compact = level_plans(projects, resources, assignments, options)
        monkeypatch.setattr(plan_module, "_DROP_IDLE_PERIODS", False)
        full = level_plans(projects, resources, assignments, options)
        assert compact.delayed
        assert seen(compact) == seen(full)
        # Weekdays from 08:00 to 22:00 but the lunch hour: well under half of the hours.
        assert horizons[0] * 2 < horizons[-1]
