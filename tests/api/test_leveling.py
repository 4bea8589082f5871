"""The leveling API: preview projects leveled together, accept or discard, clear the delays,
and who may do it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.portfolio import services as portfolio_services
from pilotage.portfolio.models import Project
from pilotage.resources import services
from pilotage.resources.leveling import leveling_preview
from pilotage.resources.models import LevelingRun, Resource
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)
SEES_CORP = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN_CORP = ("outsider", "nobody")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _at(day: dt.date, hour: int = 8) -> str:
    return dt.datetime.combine(day, dt.time(hour)).isoformat()


def _task(world: World, project: Project, name: str, days: int) -> Task:
    if not Task.objects.filter(project=project).exists():
        planning_services.plan_update(
            actor=world.admin, project=project, start=dt.datetime.combine(MONDAY, dt.time(8))
        )
    return planning_services.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=days * 480
    )


def _person(world: World, name: str = "Alice Martin") -> Resource:
    return services.resource_create(actor=world.admin, name=name)


def _shared(world: World) -> tuple[Task, Task, Resource]:
    """Alice full time on a CRM task and on an HR task, the same two weeks; the CRM project
    has the higher priority."""
    portfolio_services.project_update(actor=world.admin, project=world.project, priority=1)
    crm = _task(world, world.project, "Design the data model", 10)
    hr = _task(world, world.sibling_project, "Write the specifications", 10)
    alice = _person(world)
    services.assignment_create(actor=world.admin, task=crm, resource=alice)
    services.assignment_create(actor=world.admin, task=hr, resource=alice)
    return crm, hr, alice


def _crm_run(world: World) -> LevelingRun:
    """A preview of the CRM project alone, made by the administrator."""
    _task(world, world.project, "Design the data model", 5)
    return leveling_preview(actor=world.admin, projects=[world.project])


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _crm_scope(world: World) -> dict[str, Any]:
    _task(world, world.project, "Design the data model", 5)
    return {"project_ids": [world.project.pk]}


def _portfolio_scope(world: World) -> dict[str, Any]:
    _task(world, world.project, "Design the data model", 5)
    _task(world, world.sibling_project, "Write the specifications", 5)
    return {"portfolio_id": world.portfolio.pk}


class TestLevelingOperations(AccessMixin):
    access = [
        operation(
            "preview",
            "post",
            lambda w: "/leveling",
            data=_crm_scope,
            allowed=CHANGES_CRM,
            ok=(201,),
            forbidden=("viewer",),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "preview_portfolio",
            "post",
            lambda w: "/leveling",
            data=_portfolio_scope,
            allowed=("admin", "pmo", "portfolio_manager"),
            ok=(201,),
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "list",
            "get",
            lambda w: "/leveling",
            allowed=(*SEES_CORP, *HIDDEN_CORP),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/leveling/{_crm_run(w).pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "accept",
            "post",
            lambda w: f"/leveling/{_crm_run(w).pk}/accept",
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "discard",
            "post",
            lambda w: f"/leveling/{_crm_run(w).pk}/discard",
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "clear",
            "post",
            lambda w: f"/projects/{w.project.pk}/leveling/clear",
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CORP,
        ),
    ]


def test_preview_delays_the_lower_priority_project_and_says_why(
    world: World, api: ApiFactory
) -> None:
    crm, hr, alice = _shared(world)
    session = api(world.pmo)
    response = session.post(
        "/leveling", {"project_ids": [world.project.pk, world.sibling_project.pk]}
    )
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["status"] == "preview"
    assert run["created_by"]["username"] == "pmo"
    assert run["mode"] == "fast"
    assert run["options"] == {"within_slack": False, "time_limit_seconds": None, "seed": 0}
    projects = {row["code"]: row for row in run["projects"]}
    assert projects["CRM"]["finish_after"] == projects["CRM"]["finish_before"]
    assert projects["CRM"]["tasks_moved"] == 0
    assert projects["HR"]["finish_before"] == _at(MONDAY + dt.timedelta(days=11), 17)
    assert projects["HR"]["finish_after"] == _at(MONDAY + dt.timedelta(days=25), 17)
    assert projects["HR"]["delay_days"] == 14
    assert projects["HR"]["tasks_moved"] == 1
    # Only the task that moves is listed, with the person it waits for and who has her.
    (task,) = run["tasks"]
    assert (task["project_id"], task["task_id"]) == (world.sibling_project.pk, hr.pk)
    assert task["start_before"] == _at(MONDAY)
    assert task["start"] == _at(MONDAY + dt.timedelta(days=14))
    assert task["delay_minutes"] == 14 * 1440
    (reason,) = task["reasons"]
    assert (reason["resource_id"], reason["resource"]) == (alice.pk, "Alice Martin")
    assert reason["competing"] == [
        {
            "project_id": world.project.pk,
            "project": "New CRM",
            "task_id": crm.pk,
            "name": "Design the data model",
        }
    ]
    assert run["unresolved"] == []
    assert run["stats"]["schedules"] > 0
    # A preview changes no plan.
    detail = session.get(f"/tasks/{hr.pk}").json()
    assert (detail["start"], detail["leveling_delay_minutes"]) == (_at(MONDAY), 0)
    assert session.get(f"/leveling/{run['id']}").json() == run


def test_accept_moves_the_tasks_and_the_task_shows_its_delay(world: World, api: ApiFactory) -> None:
    _crm, hr, _alice = _shared(world)
    session = api(world.portfolio_manager)
    run = session.post(
        "/leveling", {"project_ids": [world.project.pk, world.sibling_project.pk]}
    ).json()
    accepted = session.post(f"/leveling/{run['id']}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"]["username"] == "pfm"
    task = session.get(f"/tasks/{hr.pk}").json()
    assert task["leveling_delay_minutes"] == 14 * 1440
    assert task["start"] == _at(MONDAY + dt.timedelta(days=14))
    assert task["finish"] == _at(MONDAY + dt.timedelta(days=25), 17)

    again = session.post(f"/leveling/{run['id']}/accept")
    assert again.status_code == 422
    assert "already accepted" in error_of(again)["message"]
    assert session.post(f"/leveling/{run['id']}/discard").status_code == 422

    cleared = session.post(f"/projects/{world.sibling_project.pk}/leveling/clear")
    assert cleared.json() == {"cleared": 1}
    task = session.get(f"/tasks/{hr.pk}").json()
    assert (task["start"], task["leveling_delay_minutes"]) == (_at(MONDAY), 0)


def test_discard_leaves_the_dates(world: World, api: ApiFactory) -> None:
    _crm, hr, _alice = _shared(world)
    session = api(world.admin)
    run = session.post(
        "/leveling", {"project_ids": [world.project.pk, world.sibling_project.pk]}
    ).json()
    discarded = session.post(f"/leveling/{run['id']}/discard")
    assert discarded.status_code == 200
    assert discarded.json()["status"] == "discarded"
    task = session.get(f"/tasks/{hr.pk}").json()
    assert (task["start"], task["leveling_delay_minutes"]) == (_at(MONDAY), 0)
    refused = session.post(f"/leveling/{run['id']}/accept")
    assert refused.status_code == 422
    assert "already discarded" in error_of(refused)["message"]


def test_a_preview_of_plans_changed_since_is_refused(world: World, api: ApiFactory) -> None:
    _crm, hr, _alice = _shared(world)
    session = api(world.admin)
    run = session.post(
        "/leveling", {"project_ids": [world.project.pk, world.sibling_project.pk]}
    ).json()
    changed = session.patch(f"/tasks/{hr.pk}", {"duration": "5d"})
    assert changed.status_code == 200, changed.content
    refused = session.post(f"/leveling/{run['id']}/accept")
    assert refused.status_code == 422
    assert "changed after this preview" in error_of(refused)["message"]
    task = session.get(f"/tasks/{hr.pk}").json()
    assert (task["start"], task["leveling_delay_minutes"]) == (_at(MONDAY), 0)
    assert session.get(f"/leveling/{run['id']}").json()["status"] == "preview"


def test_a_task_needing_more_than_the_resource_has_is_named(world: World, api: ApiFactory) -> None:
    task = _task(world, world.project, "Move the servers", 2)
    services.assignment_create(
        actor=world.admin, task=task, resource=_person(world, "Bob Stone"), units=Decimal(2)
    )
    response = api(world.admin).post("/leveling", {"project_ids": [world.project.pk]})
    assert response.status_code == 422
    message = error_of(response)["message"]
    assert "Move the servers" in message
    assert "Bob Stone" in message
    assert not LevelingRun.objects.exists()


def test_a_portfolio_levels_each_of_its_projects_with_tasks(world: World, api: ApiFactory) -> None:
    _shared(world)
    response = api(world.portfolio_manager).post("/leveling", {"portfolio_id": world.portfolio.pk})
    assert response.status_code == 201, response.content
    assert [row["code"] for row in response.json()["projects"]] == ["CRM", "HR"]
    by_programme = api(world.admin).post("/leveling", {"programme_id": world.programme.pk})
    assert [row["code"] for row in by_programme.json()["projects"]] == ["CRM"]


def test_a_project_manager_may_not_level_the_whole_portfolio(world: World, api: ApiFactory) -> None:
    _shared(world)
    response = api(world.project_manager).post("/leveling", {"portfolio_id": world.portfolio.pk})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert not LevelingRun.objects.exists()


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"project_ids": [], "portfolio_id": 0},
        {"portfolio_id": 0, "programme_id": 0},
    ],
)
def test_exactly_one_scope_is_needed(world: World, api: ApiFactory, scope: dict[str, Any]) -> None:
    response = api(world.admin).post("/leveling", scope)
    assert response.status_code == 422
    assert "exactly one" in error_of(response)["message"]


def test_options_are_checked(world: World, api: ApiFactory) -> None:
    session = api(world.admin)
    response = session.post(
        "/leveling",
        {"project_ids": [world.project.pk], "mode": "perfect", "time_limit_seconds": 0},
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"mode", "time_limit_seconds"}
    empty = session.post("/leveling", {"portfolio_id": world.other_portfolio.pk})
    assert empty.status_code == 422
    assert "at least one project" in error_of(empty)["message"]


def test_the_list_is_newest_first_and_only_shows_runs_of_visible_projects(
    world: World, api: ApiFactory, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    _shared(world)
    both = leveling_preview(actor=world.admin, projects=[world.project, world.sibling_project])
    crm = leveling_preview(actor=world.admin, projects=[world.project])
    admin = api(world.admin)
    body = admin.get("/leveling").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [crm.pk, both.pk]
    assert body["items"][1]["tasks_moved"] == 1
    assert "tasks" not in body["items"][0]
    # The project manager of CRM does not see HR: not the run that levels it too.
    manager = api(world.project_manager)
    assert [item["id"] for item in manager.get("/leveling").json()["items"]] == [crm.pk]
    assert manager.get(f"/leveling/{both.pk}").status_code == 404
    assert api(world.outsider).get("/leveling").json()["count"] == 0
    assert [
        item["id"] for item in admin.get("/leveling", status="preview", limit=1).json()["items"]
    ] == [crm.pk]
    assert admin.get("/leveling", project=world.sibling_project.pk).json()["count"] == 1

    few = count_queries(lambda: admin.get("/leveling"))
    for _ in range(3):
        leveling_preview(actor=world.admin, projects=[world.project])
    assert count_queries(lambda: admin.get("/leveling")) == few


def test_tasks_of_projects_the_reader_may_not_see_are_not_named(
    world: World, api: ApiFactory
) -> None:
    crm = _task(world, world.project, "Design the data model", 10)
    wms = _task(world, world.other_project, "Pick the scanners", 10)
    alice = _person(world)
    services.assignment_create(actor=world.admin, task=wms, resource=alice)
    services.assignment_create(actor=world.admin, task=crm, resource=alice)
    run = leveling_preview(actor=world.admin, projects=[world.project])
    own = api(world.admin).get(f"/leveling/{run.pk}").json()
    assert own["related"] == [{"id": world.other_project.pk, "code": "WMS"}]
    assert own["tasks"][0]["reasons"][0]["competing"][0]["name"] == "Pick the scanners"
    seen = api(world.viewer).get(f"/leveling/{run.pk}").json()
    assert seen["related"] == []
    (competing,) = seen["tasks"][0]["reasons"][0]["competing"]
    assert competing == {"project_id": None, "project": "", "task_id": None, "name": ""}
    assert "Pick the scanners" not in str(seen)


def test_unknown_projects_and_runs_are_not_found(world: World, api: ApiFactory) -> None:
    session = api(world.admin)
    assert session.post("/leveling", {"project_ids": [99999]}).status_code == 404
    assert session.get("/leveling/99999").status_code == 404
    assert session.post("/leveling/99999/accept").status_code == 404


def test_a_project_deleted_since_leaves_the_run(world: World, api: ApiFactory) -> None:
    _shared(world)
    run = leveling_preview(actor=world.admin, projects=[world.project, world.sibling_project])
    portfolio_services.project_delete(actor=world.admin, project=world.sibling_project)
    body = api(world.admin).get(f"/leveling/{run.pk}").json()
    assert [row["code"] for row in body["projects"]] == ["CRM"]
    assert body["tasks"] == []
