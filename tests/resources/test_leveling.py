"""Leveling runs: a preview changes nothing, accepting moves the tasks everywhere, and the
pages show why each task moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project, ProjectPriority
from pilotage.resources import services
from pilotage.resources.capacity import CapacityFilters, capacity_report
from pilotage.resources.leveling import leveling_accept, leveling_discard, leveling_preview
from pilotage.resources.models import LevelingStatus, Resource
from tests.world import World

MONDAY = dt.date(2027, 3, 1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _task(world: World, project: Project, name: str, days: int = 10) -> Task:
    planning_services.plan_update(
        actor=world.admin, project=project, start=dt.datetime.combine(MONDAY, dt.time(8))
    )
    return planning_services.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=days * 480
    )


@pytest.fixture
def clash(world: World) -> tuple[Task, Task, Resource]:
    """Alice full time on two tasks of two projects at once; the CRM project matters more."""
    world.project.priority = ProjectPriority.HIGH
    world.project.save()
    world.sibling_project.priority = ProjectPriority.LOW
    world.sibling_project.save()
    alice = services.resource_create(actor=world.admin, name="Alice Martin")
    crm = _task(world, world.project, "Design the data model")
    hr = _task(world, world.sibling_project, "Write the specifications")
    services.assignment_create(actor=world.admin, task=crm, resource=alice)
    services.assignment_create(actor=world.admin, task=hr, resource=alice)
    return crm, hr, alice


def _conflicts(world: World) -> int:
    filters = CapacityFilters(start=MONDAY, finish=MONDAY + dt.timedelta(weeks=8))
    return len(capacity_report(user=world.admin, filters=filters).conflicts)


def test_preview_delays_the_lower_priority_project_and_changes_nothing(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    _crm, hr, _alice = clash
    run = leveling_preview(actor=world.pmo, projects=[world.project, world.sibling_project])
    moved = {row["task_id"]: row for row in run.result["tasks"] if row["delay_minutes"]}
    assert list(moved) == [hr.pk]
    # Two weeks of Alice's work first on the CRM task: the HR task starts on Monday 15 March.
    assert moved[hr.pk]["start"] == "2027-03-15T08:00:00"
    (reason,) = moved[hr.pk]["reasons"]
    assert reason["resource"] == "Alice Martin"
    assert [ref["name"] for ref in reason["competing"]] == ["Design the data model"]
    hr.refresh_from_db()
    assert hr.start == dt.datetime(2027, 3, 1, 8)
    assert hr.leveling_delay_minutes == 0
    assert _conflicts(world) == 2


def test_accept_moves_the_task_and_clears_the_conflicts(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    _crm, hr, _alice = clash
    run = leveling_preview(actor=world.pmo, projects=[world.project, world.sibling_project])
    leveling_accept(actor=world.pmo, run=run)
    hr.refresh_from_db()
    assert hr.start == dt.datetime(2027, 3, 15, 8)
    assert hr.leveling_delay_minutes == 14 * 1440
    assert _conflicts(world) == 0
    run.refresh_from_db()
    assert run.status == LevelingStatus.ACCEPTED
    with pytest.raises(ValidationError, match="already accepted"):
        leveling_accept(actor=world.pmo, run=run)
    # Another edit of the plan keeps the delay: the task follows its predecessors plus it.
    planning_services.task_update(actor=world.admin, task=hr, name="Write the specs")
    hr.refresh_from_db()
    assert hr.start == dt.datetime(2027, 3, 15, 8)


def test_a_changed_plan_must_be_leveled_again(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    crm, _hr, _alice = clash
    run = leveling_preview(actor=world.pmo, projects=[world.project, world.sibling_project])
    planning_services.task_update(actor=world.admin, task=crm, duration_minutes=5 * 480)
    with pytest.raises(ValidationError, match="changed after this preview"):
        leveling_accept(actor=world.pmo, run=run)


def test_discard_leaves_the_plans(world: World, clash: tuple[Task, Task, Resource]) -> None:
    _crm, hr, _alice = clash
    run = leveling_preview(actor=world.pmo, projects=[world.sibling_project])
    leveling_discard(actor=world.pmo, run=run)
    hr.refresh_from_db()
    assert hr.leveling_delay_minutes == 0
    assert run.status == LevelingStatus.DISCARDED


def test_a_project_outside_the_choice_is_not_moved_but_counts(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    crm, _hr, _alice = clash
    # Leveling only the CRM project: the HR task stays, so the CRM task waits for it.
    run = leveling_preview(actor=world.pmo, projects=[world.project])
    moved = [row["task_id"] for row in run.result["tasks"] if row["delay_minutes"]]
    assert moved == [crm.pk]
    assert [row["code"] for row in run.result["related"]] == ["HR"]


def test_only_those_who_may_change_every_project_level_them(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    with pytest.raises(NotFoundError):
        leveling_preview(actor=world.project_manager, projects=[world.sibling_project])
    with pytest.raises(ForbiddenError):
        leveling_preview(actor=world.viewer, projects=[world.project])
    with pytest.raises(ValidationError, match="at least one project"):
        leveling_preview(actor=world.pmo, projects=[])


def test_a_task_needing_more_than_the_capacity_is_named(
    world: World, clash: tuple[Task, Task, Resource]
) -> None:
    crm, _hr, _alice = clash
    assignment = crm.assignments.get()
    services.assignment_update(actor=world.admin, assignment=assignment, units=Decimal(2))
    with pytest.raises(ValidationError) as error:
        leveling_preview(actor=world.pmo, projects=[world.project])
    text = " ".join(error.value.messages)
    assert "Design the data model" in text
    assert "Alice Martin" in text


def test_pages_preview_explain_and_accept(
    client: Client, world: World, clash: tuple[Task, Task, Resource]
) -> None:
    _crm, hr, _alice = clash
    client.force_login(world.pmo)
    page = client.get(reverse("resources:leveling_list"))
    assert page.status_code == 200
    response = client.post(
        reverse("resources:leveling_list"),
        {"scope": f"portfolio:{world.portfolio.pk}", "mode": "fast", "seed": 0},
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    text = detail.content.decode()
    assert "Write the specifications (HR self-service) waits 14 days for Alice Martin" in text
    assert "Design the data model (New CRM)" in text
    accepted = client.post(response["Location"] + "accept/", follow=True)
    assert "Leveling accepted" in accepted.content.decode()
    hr.refresh_from_db()
    assert hr.start == dt.datetime(2027, 3, 15, 8)


def test_pages_hide_runs_of_projects_one_may_not_see(
    client: Client, world: World, clash: tuple[Task, Task, Resource]
) -> None:
    run = leveling_preview(actor=world.pmo, projects=[world.project, world.sibling_project])
    client.force_login(world.outsider)
    assert client.get(reverse("resources:leveling_detail", args=[run.pk])).status_code == 404
    client.force_login(world.viewer)
    page = client.get(reverse("resources:leveling_detail", args=[run.pk]))
    assert page.status_code == 200
    assert "Accept and reschedule" not in page.content.decode()
    decided = client.post(reverse("resources:leveling_decide", args=[run.pk, "accept"]))
    assert decided.status_code == 403
    run.refresh_from_db()
    assert run.status == LevelingStatus.PREVIEW
