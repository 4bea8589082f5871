"""The plan grid and a task's page: who may use them, and what a planner does with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.planning import services
from pilotage.planning.models import Dependency, Task
from tests.access import Access, AccessMixin
from tests.planning.helpers import MONDAY, first_task, plan_with_tasks
from tests.world import World

pytestmark = pytest.mark.django_db

READERS = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
EDITORS = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN = ("outsider", "nobody")


def plan_url(world: World) -> str:
    plan_with_tasks(world)
    return reverse("planning:plan", args=[world.project.pk])


class TestPlanAccess(AccessMixin):
    access = [
        Access("grid", "get", plan_url, allowed=READERS, hidden=HIDDEN),
        Access(
            "task",
            "get",
            lambda w: reverse("planning:task_detail", args=[first_task(w).pk]),
            allowed=READERS,
            hidden=HIDDEN,
        ),
        Access(
            "task-history",
            "get",
            lambda w: reverse("planning:task_history", args=[first_task(w).pk]),
            allowed=READERS,
            hidden=HIDDEN,
        ),
        Access(
            "settings",
            "get",
            lambda w: reverse("planning:plan_settings", args=[w.project.pk]),
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "cell",
            "post",
            lambda w: reverse("planning:task_cell", args=[first_task(w).pk]),
            data=lambda w: {"name": "Renamed"},
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "insert",
            "post",
            lambda w: reverse("planning:task_insert", args=[w.project.pk]),
            data=lambda w: {"name": "Added"},
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "indent",
            "post",
            lambda w: reverse("planning:task_indent", args=[plan_with_tasks(w)[1].pk]),
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete",
            "post",
            lambda w: reverse("planning:task_delete", args=[first_task(w).pk]),
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "recalculate",
            "post",
            lambda w: reverse("planning:plan_recalculate", args=[w.project.pk]),
            allowed=EDITORS,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


def htmx(client: Client, url: str, data: dict[str, str]) -> str:
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_typing_in_the_grid_builds_a_linked_plan(client: Client, world: World) -> None:
    services.plan_update(actor=world.pmo, project=world.project, start=MONDAY)
    client.force_login(world.project_manager)
    insert = reverse("planning:task_insert", args=[world.project.pk])
    htmx(client, insert, {"name": "Design", "duration": "2d"})
    htmx(client, insert, {"name": "Build", "duration": "3d", "predecessors": "1"})
    html = htmx(client, insert, {"name": "Go-live", "duration": "0"})
    assert "Go-live" in html
    go_live = Task.objects.get(project=world.project, name="Go-live")
    html = htmx(
        client, reverse("planning:task_cell", args=[go_live.pk]), {"predecessors": "2FS+1d"}
    )
    go_live.refresh_from_db()
    assert go_live.is_milestone
    assert go_live.start == dt.datetime(2026, 3, 9, 17, 0)
    assert 'data-field="predecessors">2FS+1d<' in html


def test_a_malformed_duration_is_shown_on_its_cell_and_nothing_changes(
    client: Client, world: World
) -> None:
    task = first_task(world)
    client.force_login(world.pmo)
    html = htmx(client, reverse("planning:task_cell", args=[task.pk]), {"duration": "3x"})
    assert "3x" in html
    assert 'aria-invalid="true"' in html
    task.refresh_from_db()
    assert task.duration_minutes == 480


def test_a_cycle_typed_in_the_grid_names_the_tasks(client: Client, world: World) -> None:
    tasks = plan_with_tasks(world)
    client.force_login(world.pmo)
    html = htmx(client, reverse("planning:task_cell", args=[tasks[0].pk]), {"predecessors": "3"})
    assert "cycle" in html
    assert "Task 3" in html
    assert not Dependency.objects.filter(successor=tasks[0]).exists()


def test_typing_a_start_pins_the_task(client: Client, world: World) -> None:
    task = first_task(world)
    client.force_login(world.pmo)
    htmx(client, reverse("planning:task_cell", args=[task.pk]), {"start": "2026-03-04"})
    task.refresh_from_db()
    assert (task.constraint_type, task.start) == ("SNET", dt.datetime(2026, 3, 4, 8, 0))


def test_indent_and_outdent_from_the_grid(client: Client, world: World) -> None:
    tasks = plan_with_tasks(world)
    client.force_login(world.pmo)
    html = htmx(client, reverse("planning:task_indent", args=[tasks[1].pk]), {})
    assert "linked, so one cannot be a subtask" in html
    htmx(client, reverse("planning:task_cell", args=[tasks[1].pk]), {"predecessors": ""})
    htmx(client, reverse("planning:task_indent", args=[tasks[1].pk]), {})
    tasks[0].refresh_from_db()
    assert tasks[0].is_summary
    htmx(client, reverse("planning:task_outdent", args=[tasks[1].pk]), {})
    tasks[0].refresh_from_db()
    assert not tasks[0].is_summary


def test_a_viewer_sees_the_grid_without_inputs(client: Client, world: World) -> None:
    plan_with_tasks(world)
    client.force_login(world.viewer)
    html = client.get(reverse("planning:plan", args=[world.project.pk])).content.decode()
    assert "Task 2" in html
    assert "hx-post" not in html


def test_the_task_page_saves_every_value(client: Client, world: World) -> None:
    task = first_task(world)
    client.force_login(world.pmo)
    response = client.post(
        reverse("planning:task_detail", args=[task.pk]),
        {
            "save_task": "1",
            "name": "Design review",
            "duration": "2d",
            "constraint_type": "SNET",
            "constraint_date": "2026-03-03T08:00",
            "deadline": "2026-03-06T17:00",
            "percent_complete": "0",
            "notes": "With the architects",
            "predecessors": "",
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.name == "Design review"
    assert task.duration_minutes == 960
    assert task.start == dt.datetime(2026, 3, 3, 8, 0)
    assert task.deadline == dt.datetime(2026, 3, 6, 17, 0)


def test_a_constraint_without_date_is_refused_on_the_task_page(
    client: Client, world: World
) -> None:
    task = first_task(world)
    client.force_login(world.pmo)
    response = client.post(
        reverse("planning:task_detail", args=[task.pk]),
        {"save_task": "1", "name": task.name, "duration": "1d", "constraint_type": "MSO"},
    )
    assert response.status_code == 200
    assert "needs a date" in response.content.decode()


def test_a_predecessor_from_another_project_is_linked_on_the_task_page(
    client: Client, world: World
) -> None:
    upstream = plan_with_tasks(world, world.sibling_project)[2]
    task = first_task(world)
    client.force_login(world.pmo)
    response = client.post(
        reverse("planning:task_detail", args=[task.pk]),
        {"add_link": "1", "predecessor": upstream.pk, "type": "FS", "lag": "1d"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.start == dt.datetime(2026, 3, 6, 8, 0)
    page = client.get(reverse("planning:task_detail", args=[task.pk])).content.decode()
    assert "HR:3" in page


def test_the_grid_reads_a_fixed_number_of_queries(
    client: Client, world: World, count_queries
) -> None:  # type: ignore[no-untyped-def]
    plan_with_tasks(world, count=5)
    client.force_login(world.pmo)
    url = reverse("planning:plan", args=[world.project.pk])
    small = count_queries(lambda: client.get(url))
    for number in range(6, 26):
        services.task_create(
            actor=world.admin, project=world.project, name=f"T{number}", predecessors="1"
        )
    assert count_queries(lambda: client.get(url)) == small


def test_the_grid_speaks_french(client: Client, world: World) -> None:
    plan_with_tasks(world)
    world.pmo.language = "fr"
    world.pmo.save()
    client.force_login(world.pmo)
    html = client.get(reverse("planning:plan", args=[world.project.pk])).content.decode()
    assert "Prédécesseurs" in html
    assert "Durée" in html
