"""Writes to resources: who may, what is refused, and effort-driven assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.resources import services
from pilotage.resources.models import (
    Assignment,
    Department,
    JobRole,
    Resource,
    ResourceCapacity,
    RoleDemand,
    Team,
)
from tests.world import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def task(world: World) -> Task:
    planning_services.plan_update(
        actor=world.admin, project=world.project, start=dt.datetime(2027, 3, 1, 8)
    )
    return planning_services.task_create(
        actor=world.admin,
        project=world.project,
        name="Build",
        duration_minutes=10 * 480,
        is_effort_driven=True,
    )


def person(world: World, name: str = "Alice Martin", **values: object) -> Resource:
    return services.resource_create(actor=world.pmo, name=name, **values)


def test_only_the_organisation_keeps_resources(world: World) -> None:
    for user in (world.project_manager, world.portfolio_manager, world.viewer):
        with pytest.raises(ForbiddenError):
            services.resource_create(actor=user, name="Bob")
    resource = person(world)
    assert history_for(resource).count() == 1
    with pytest.raises(ForbiddenError):
        services.resource_update(actor=world.viewer, resource=resource, name="Robert")


def test_team_of_another_department_is_refused(world: World) -> None:
    it = services.organisation_item_create(actor=world.pmo, model=Department, name="IT")
    finance = services.organisation_item_create(actor=world.pmo, model=Department, name="Finance")
    team = services.organisation_item_create(
        actor=world.pmo, model=Team, name="Data", department=it
    )
    with pytest.raises(ValidationError) as error:
        person(world, department=finance, team=team)
    assert error.value.message_dict["team"] == ["This team belongs to another department."]
    assert not Resource.objects.exists()


def test_capacity_on_the_same_date_replaces_and_negative_is_refused(world: World) -> None:
    resource = person(world)
    day = dt.date(2027, 1, 1)
    services.capacity_set(actor=world.pmo, resource=resource, effective_from=day, units=Decimal(1))
    services.capacity_set(
        actor=world.pmo, resource=resource, effective_from=day, units=Decimal("0.8")
    )
    assert list(ResourceCapacity.objects.values_list("units", flat=True)) == [Decimal("0.8")]
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        services.capacity_set(
            actor=world.pmo, resource=resource, effective_from=day, units=Decimal(-1)
        )


def test_a_resource_with_assignments_cannot_be_deleted(world: World, task: Task) -> None:
    resource = person(world)
    services.assignment_create(actor=world.project_manager, task=task, resource=resource)
    with pytest.raises(ValidationError, match="is assigned to 1 tasks"):
        services.resource_delete(actor=world.pmo, resource=resource)


def test_project_manager_assigns_in_own_project_only(world: World, task: Task) -> None:
    resource = person(world)
    assignment = services.assignment_create(
        actor=world.project_manager, task=task, resource=resource, units=Decimal("0.5")
    )
    assert assignment.work_minutes == 5 * 480
    task.refresh_from_db()
    assert task.work_minutes == 5 * 480
    other = planning_services.task_create(
        actor=world.admin, project=world.other_project, name="Elsewhere"
    )
    with pytest.raises((ForbiddenError, NotFoundError)):
        services.assignment_create(actor=world.project_manager, task=other, resource=resource)


def test_summary_tasks_and_inactive_resources_are_refused(world: World, task: Task) -> None:
    child = planning_services.task_create(actor=world.admin, project=world.project, name="Child")
    planning_services.task_indent(actor=world.admin, task=child)
    task.refresh_from_db()
    with pytest.raises(ValidationError, match="summary task"):
        services.assignment_create(actor=world.admin, task=task, resource=person(world))
    gone = person(world, "Bob", is_active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        services.assignment_create(actor=world.admin, task=child, resource=gone)


def test_effort_driven_task_shortens_when_a_second_person_joins(world: World, task: Task) -> None:
    alice, bob = person(world), person(world, "Bob")
    services.assignment_create(actor=world.admin, task=task, resource=alice)
    task.refresh_from_db()
    first_finish = task.finish
    services.assignment_create(actor=world.admin, task=task, resource=bob)
    task.refresh_from_db()
    # 80 hours of work shared by two people: five days instead of ten.
    assert task.duration_minutes == 5 * 480
    assert task.work_minutes == 10 * 480
    assert sorted(Assignment.objects.values_list("work_minutes", flat=True)) == [2400, 2400]
    assert task.finish is not None
    assert first_finish is not None
    assert task.finish < first_finish
    services.assignment_delete(actor=world.admin, assignment=Assignment.objects.get(resource=bob))
    task.refresh_from_db()
    assert task.duration_minutes == 10 * 480


def test_fixed_duration_task_keeps_its_duration(world: World, task: Task) -> None:
    planning_services.task_update(actor=world.admin, task=task, is_effort_driven=False)
    task.refresh_from_db()
    services.assignment_create(actor=world.admin, task=task, resource=person(world))
    services.assignment_create(actor=world.admin, task=task, resource=person(world, "Bob"))
    task.refresh_from_db()
    assert task.duration_minutes == 10 * 480
    assert task.work_minutes == 20 * 480


def test_role_demand_is_set_per_month_and_zero_removes_it(world: World) -> None:
    role = services.organisation_item_create(actor=world.pmo, model=JobRole, name="Analyst")
    assert isinstance(role, JobRole)
    services.role_demand_set(
        actor=world.project_manager,
        project=world.project,
        role=role,
        month=dt.date(2027, 3, 17),
        units=Decimal("1.5"),
    )
    demand = RoleDemand.objects.get()
    assert demand.month == dt.date(2027, 3, 1)
    with pytest.raises(ForbiddenError):
        services.role_demand_set(
            actor=world.viewer,
            project=world.project,
            role=role,
            month=dt.date(2027, 3, 1),
            units=Decimal(0),
        )
    services.role_demand_set(
        actor=world.project_manager,
        project=world.project,
        role=role,
        month=dt.date(2027, 3, 1),
        units=Decimal(0),
    )
    assert not RoleDemand.objects.exists()


def test_staffing_many_tasks_at_once(world: World, task: Task) -> None:
    second = planning_services.task_create(actor=world.admin, project=world.project, name="Test")
    alice = person(world)
    services.assignments_add(
        actor=world.project_manager,
        project=world.project,
        rows=[(task, alice, Decimal(1)), (second, alice, Decimal("0.5"))],
    )
    assert Assignment.objects.count() == 2
    second.refresh_from_db()
    assert second.work_minutes == 240
    with pytest.raises((ForbiddenError, NotFoundError)):
        services.assignments_add(actor=world.project_manager, project=world.other_project, rows=[])


def test_a_resource_change_is_recorded_with_old_and_new_values(world: World) -> None:
    resource = person(world)
    services.resource_update(actor=world.pmo, resource=resource, name="Alice Dupont")
    entry = history_for(resource).first()
    assert entry is not None
    assert [(c["field"], c["old"], c["new"]) for c in entry.changes] == [
        ("name", "Alice Martin", "Alice Dupont")
    ]
