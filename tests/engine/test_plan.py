"""The plan model refuses inconsistent plans with a message naming the task or calendar."""

from __future__ import annotations

from datetime import datetime

import pytest

from pilotage.engine.calendars import Calendar, WeekPattern
from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask

STANDARD = PlanCalendar(1, Calendar("Standard", WeekPattern.standard()))


def tasks(*uids: int) -> tuple[PlanTask, ...]:
    return tuple(PlanTask(uid=uid, id=index, name=f"T{uid}") for index, uid in enumerate(uids, 1))


class TestPlan:
    def test_a_consistent_plan(self) -> None:
        plan = Plan(
            name="Launch",
            calendar_uid=1,
            calendars=(STANDARD, PlanCalendar(2, Calendar("Ann", base=STANDARD.calendar), 1)),
            tasks=(
                PlanTask(uid=10, id=1, name="Phase", summary=True),
                PlanTask(
                    uid=11, id=2, name="Build", outline_level=2, parent_uid=10, calendar_uid=2
                ),
                PlanTask(uid=12, id=3, name="Ship", outline_level=2, parent_uid=10),
            ),
            links=(PlanLink(11, 12), PlanLink(99, 12, cross_project=True)),
        )
        assert [task.uid for task in plan.children(10)] == [11, 12]
        assert plan.task(11).calendar_uid == 2
        assert plan.calendars_by_uid[2].base_uid == 1

    def test_task_uids_are_unique(self) -> None:
        with pytest.raises(ScheduleInputError, match="Task 3: the UID is used twice"):
            Plan(name="P", tasks=tasks(3, 3))

    def test_a_parent_comes_before_its_children(self) -> None:
        with pytest.raises(ScheduleInputError, match="Task 2: the parent task 1 must come before"):
            Plan(
                name="P",
                tasks=(
                    PlanTask(uid=2, id=1, name="Child", outline_level=2, parent_uid=1),
                    PlanTask(uid=1, id=2, name="Parent", summary=True),
                ),
            )

    def test_a_link_needs_both_tasks(self) -> None:
        with pytest.raises(ScheduleInputError, match="Task 1: the link from task 5 points at"):
            Plan(name="P", tasks=tasks(1), links=(PlanLink(5, 1),))
        with pytest.raises(
            ScheduleInputError, match="Task 8: the link from task 1 has a successor"
        ):
            Plan(name="P", tasks=tasks(1), links=(PlanLink(1, 8),))

    def test_a_cross_project_predecessor_need_not_be_in_the_plan(self) -> None:
        plan = Plan(name="P", tasks=tasks(1), links=(PlanLink(5, 1, cross_project=True),))
        assert plan.links[0].cross_project

    def test_calendars_must_exist(self) -> None:
        with pytest.raises(ScheduleInputError, match="Task 1: the calendar 4 is not in the plan"):
            Plan(name="P", tasks=(PlanTask(uid=1, id=1, name="A", calendar_uid=4),))
        with pytest.raises(ScheduleInputError, match="the project calendar 2 is not in the plan"):
            Plan(name="P", calendar_uid=2, calendars=(STANDARD,))
        with pytest.raises(ScheduleInputError, match="Calendar 3: the base calendar 9 is not"):
            Plan(name="P", calendars=(PlanCalendar(3, Calendar("Ann"), 9),))
        with pytest.raises(ScheduleInputError, match="Calendar 1: the UID is used twice"):
            Plan(name="P", calendars=(STANDARD, STANDARD))

    def test_conversion_factors_are_positive(self) -> None:
        with pytest.raises(ScheduleInputError, match="minutes_per_day must be positive"):
            Plan(name="P", minutes_per_day=0)


class TestPlanTask:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"duration_minutes": -1}, "duration_minutes must be 0 or more"),
            ({"remaining_duration_minutes": -5}, "remaining_duration_minutes must be 0 or more"),
            ({"outline_level": -1}, "outline_level must be 0 or more"),
            ({"constraint_type": "SNET"}, "a SNET constraint needs a constraint_date"),
            ({"constraint_type": "SOON"}, "constraint_type 'SOON' is not one of"),
            ({"priority": 1001}, "priority must be 0 to 1000"),
            ({"percent_complete": 101.0}, "percent_complete must be 0 to 100"),
            ({"duration_format": "ed"}, "elapsed=False contradicts the duration format 'ed'"),
            ({"duration_format": "days"}, "duration_format 'days' is not one of"),
            (
                {
                    "actual_start": datetime(2026, 3, 3, 8),
                    "actual_finish": datetime(2026, 3, 2, 17),
                },
                "actual_finish must not be before actual_start",
            ),
        ],
    )
    def test_invalid_values_name_the_task_and_the_field(
        self, fields: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ScheduleInputError, match=f"^Task 7: {message}"):
            PlanTask(uid=7, id=1, name="Design", **fields)  # type: ignore[arg-type]

    def test_an_elapsed_duration(self) -> None:
        task = PlanTask(
            uid=1, id=1, name="Cure", duration_minutes=1440, duration_format="ed", elapsed=True
        )
        assert task.elapsed


class TestPlanLink:
    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"type": "XX"}, "has type 'XX'"),
            ({"lag_format": "%"}, "lag_percent goes with a '%' or 'e%' lag format only"),
            ({"lag_percent": 50.0}, "lag_percent goes with a '%' or 'e%' lag format only"),
            (
                {"lag_format": "%", "lag_percent": 50.0, "lag_minutes": 10},
                "a percentage lag has no lag_minutes",
            ),
            ({"lag_format": "ed", "lag_minutes": 1440}, "elapsed_lag=False contradicts"),
            ({"lag_format": "fortnight"}, "unknown lag format 'fortnight'"),
        ],
    )
    def test_invalid_links_name_the_successor(
        self, fields: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ScheduleInputError, match=f"^Task 5: the link from task 3.*{message}"):
            PlanLink(3, 5, **fields)  # type: ignore[arg-type]

    def test_a_percentage_lag(self) -> None:
        link = PlanLink(3, 5, "SS", lag_format="e%", lag_percent=25.0, elapsed_lag=True)
        assert (link.lag_minutes, link.lag_percent) == (0, 25.0)
