"""Demand against capacity: loads spread over working time, capacity steps, business as usual,
role demand, grouping, drill-down and the conflicts in plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pytest
from django.utils import translation

from pilotage.engine.calendars import Calendar, compile_calendar
from pilotage.engine.resource_load import assignment_load, period_starts, sum_by_period
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources import services
from pilotage.resources.capacity import (
    CapacityFilters,
    capacity_cell,
    capacity_report,
    resource_histogram,
)
from pilotage.resources.models import Department, JobRole, Resource, Skill
from tests.world import World

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _start(world: World, project: Project) -> None:
    planning_services.plan_update(
        actor=world.admin, project=project, start=dt.datetime.combine(MONDAY, dt.time(8))
    )


def _task(world: World, project: Project, name: str, days: int) -> Task:
    return planning_services.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=days * 480
    )


@pytest.fixture
def alice(world: World) -> Resource:
    role = services.organisation_item_create(actor=world.admin, model=JobRole, name="Analyst")
    department = services.organisation_item_create(actor=world.admin, model=Department, name="IT")
    assert isinstance(role, JobRole)
    assert isinstance(department, Department)
    return services.resource_create(
        actor=world.admin, name="Alice Martin", role=role, department=department
    )


@pytest.fixture
def overbooked(world: World, alice: Resource) -> tuple[Task, Task]:
    """Alice full time on a CRM task and at 60 % on an HR task, the same two weeks."""
    _start(world, world.project)
    _start(world, world.sibling_project)
    crm = _task(world, world.project, "Design the data model", 10)
    hr = _task(world, world.sibling_project, "Write the specifications", 10)
    services.assignment_create(actor=world.admin, task=crm, resource=alice)
    services.assignment_create(actor=world.admin, task=hr, resource=alice, units=Decimal("0.6"))
    return crm, hr


def _filters(**values: object) -> CapacityFilters:
    return CapacityFilters(
        start=MONDAY,
        finish=MONDAY + dt.timedelta(days=27),
        **values,  # type: ignore[arg-type]
    )


def test_engine_spreads_work_over_working_days() -> None:
    working = compile_calendar(Calendar("Standard"), MONDAY, MONDAY + dt.timedelta(days=30))
    starts = np.array([dt.datetime(2027, 3, 4, 8)], dtype="datetime64[m]")
    finishes = np.array([dt.datetime(2027, 3, 9, 17)], dtype="datetime64[m]")
    load = assignment_load(working, MONDAY, 14, starts=starts, finishes=finishes, units=np.ones(1))
    # Thursday to the next Tuesday: four working days of 8 hours, nothing at the weekend.
    assert (load[0] / 60).tolist()[:9] == [0, 0, 0, 8, 8, 0, 0, 8, 8]
    starts_index, firsts = period_starts(MONDAY, 14, "week")
    assert sum_by_period(load, starts_index)[0].tolist() == [16 * 60, 16 * 60]
    assert firsts == [MONDAY, MONDAY + dt.timedelta(days=7)]


def test_two_projects_overload_a_person_and_the_conflict_names_them(
    world: World, overbooked: tuple[Task, Task]
) -> None:
    report = capacity_report(user=world.admin, filters=_filters())
    (row,) = report.rows
    assert row.label == "Alice Martin"
    assert row.capacity_hours[:2] == [40.0, 40.0]
    assert row.load_hours[:3] == [64.0, 64.0, 0.0]
    assert row.overloaded[:3] == [True, True, False]
    first = report.conflicts[0]
    assert first.percent == pytest.approx(160)
    assert first.sentence == (
        "Alice Martin is at 160 % in week 9 of 2027: New CRM, Design the data model 100 %; "
        "HR self-service, Write the specifications 60 %"
    )


def test_the_cell_lists_only_projects_the_user_may_see(
    world: World, overbooked: tuple[Task, Task]
) -> None:
    key = f"resource-{overbooked[0].assignments.get().resource_id}"
    own = capacity_cell(user=world.project_manager, filters=_filters(), key=key, index=0)
    assert own is not None
    labels = [part.label for part in own.contributions]
    assert labels == ["New CRM, Design the data model 100 %", "other projects 60 %"]
    full = capacity_cell(user=world.admin, filters=_filters(), key=key, index=0)
    assert full is not None
    assert [part.hours for part in full.contributions] == [40.0, 24.0]
    assert capacity_cell(user=world.admin, filters=_filters(), key=key, index=99) is None


def test_capacity_steps_and_business_as_usual(world: World, alice: Resource) -> None:
    services.capacity_set(
        actor=world.admin,
        resource=alice,
        effective_from=MONDAY + dt.timedelta(days=7),
        units=Decimal("0.5"),
    )
    services.non_project_load_create(
        actor=world.admin, resource=alice, name="Support", units=Decimal("0.25"), start=MONDAY
    )
    (row,) = capacity_report(user=world.admin, filters=_filters()).rows
    assert row.capacity_hours == [40.0, 20.0, 20.0, 20.0]
    assert row.load_hours == [10.0, 10.0, 10.0, 10.0]
    assert row.percents == [25.0, 50.0, 50.0, 50.0]


def test_a_person_away_with_work_is_a_conflict(
    world: World, alice: Resource, overbooked: tuple[Task, Task]
) -> None:
    services.capacity_set(
        actor=world.admin, resource=alice, effective_from=MONDAY, units=Decimal(0)
    )
    report = capacity_report(user=world.admin, filters=_filters())
    assert report.rows[0].percents[0] is None
    assert report.conflicts[0].sentence.startswith(
        "Alice Martin has no capacity in week 9 of 2027 but 64 h of work"
    )


def test_role_view_adds_generic_demand_and_role_demand_of_unplanned_projects(
    world: World, alice: Resource, overbooked: tuple[Task, Task]
) -> None:
    role = alice.role
    assert role is not None
    services.resource_create(
        actor=world.admin, name="Analyst (to hire)", role=role, is_generic=True
    )
    services.role_demand_set(
        actor=world.admin, project=world.other_project, role=role, month=MONDAY, units=Decimal(1)
    )
    month = CapacityFilters(
        start=MONDAY, finish=dt.date(2027, 3, 31), period="month", group_by="role"
    )
    report = capacity_report(user=world.admin, filters=month)
    (row,) = report.rows
    # March 2027: 23 working days; Alice full time (184 h); the two tasks 10 days each at
    # 100 % and 60 % (128 h); one person of role demand for the month (184 h).
    assert row.capacity_hours == [184.0]
    assert row.load_hours == [128.0 + 184.0]
    cell = capacity_cell(user=world.admin, filters=month, key=row.key, index=0)
    assert cell is not None
    assert "Warehouse system, role demand 100 %" in [part.label for part in cell.contributions]
    # A person's view never shows role demand, and generic resources have no row.
    people = capacity_report(user=world.admin, filters=_filters(period="month"))
    assert [r.label for r in people.rows] == ["Alice Martin"]


def test_skill_and_department_rows(world: World, alice: Resource) -> None:
    skill = services.organisation_item_create(actor=world.admin, model=Skill, name="SQL")
    assert isinstance(skill, Skill)
    services.resource_skill_set(actor=world.admin, resource=alice, skill=skill, level=4)
    by_skill = capacity_report(user=world.admin, filters=_filters(group_by="skill"))
    assert [row.label for row in by_skill.rows] == ["SQL"]
    by_department = capacity_report(user=world.admin, filters=_filters(group_by="department"))
    assert [row.label for row in by_department.rows] == ["IT"]
    assert by_department.conflicts == []


def test_histogram_stacks_projects_against_capacity(
    world: World, alice: Resource, overbooked: tuple[Task, Task]
) -> None:
    histogram = resource_histogram(user=world.project_manager, resource=alice, filters=_filters())
    assert histogram.capacity_hours == [40.0, 40.0, 40.0, 40.0]
    assert dict(histogram.series) == {
        "New CRM": [40.0, 40.0, 0.0, 0.0],
        "other projects": [24.0, 24.0, 0.0, 0.0],
    }


def test_finish_before_start_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="before its start"):
        capacity_report(
            user=world.admin,
            filters=CapacityFilters(start=MONDAY, finish=MONDAY - dt.timedelta(days=1)),
        )
