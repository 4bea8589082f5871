"""The plan operations: who may call them, and planning through the API from end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from pilotage.core.audit import history_for
from pilotage.planning import services
from pilotage.planning.models import (
    Baseline,
    CalendarException,
    Dependency,
    ProjectPlan,
    Task,
    WorkCalendar,
)
from pilotage.portfolio.models import Project
from tests.access import Access, AccessMixin
from tests.api.client import ApiClient, ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 8, 0)

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN_CRM = ("outsider", "nobody")


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _task(w: World, name: str = "Design", project: Project | None = None, **values: Any) -> Task:
    return services.task_create(actor=w.pmo, project=project or w.project, name=name, **values)


def _second_task(w: World) -> Task:
    _task(w, "Phase")
    return _task(w, "Step")


def _indented_task(w: World) -> Task:
    task = _second_task(w)
    return services.task_indent(actor=w.pmo, task=task)


def _link(w: World) -> Dependency:
    _task(w, "Design")
    build = _task(w, "Build", predecessors="1")
    return Dependency.objects.get(successor=build)


def _project_calendar(w: World) -> WorkCalendar:
    return services.calendar_create(actor=w.pmo, name="Site", project=w.project)


def _shared_calendar(w: World) -> WorkCalendar:
    return services.calendar_create(actor=w.pmo, name="Shared")


def _exception(w: World) -> CalendarException:
    day = dt.date(2026, 5, 1)
    return services.exception_create(
        actor=w.pmo, calendar=_project_calendar(w), name="Closure", start=day, finish=day
    )


def _baseline(w: World) -> Baseline:
    _task(w)
    return services.baseline_capture(actor=w.pmo, project=w.project, name="Approved")


def _sees(name: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    """A read of something of the CRM project."""
    return operation(name, "get", url, allowed=SEES_CRM, hidden=HIDDEN_CRM, **kwargs)


def _changes(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    """A change to something of the CRM project."""
    return operation(
        name,
        method,
        url,
        allowed=CHANGES_CRM,
        forbidden=("viewer",),
        hidden=HIDDEN_CRM,
        **kwargs,
    )


class TestPlanOperations(AccessMixin):
    access = [
        _sees("plan", lambda w: f"/projects/{w.project.pk}/plan"),
        _changes(
            "plan_update",
            "patch",
            lambda w: f"/projects/{w.project.pk}/plan",
            data=lambda w: {"status_date": "2026-03-06T17:00:00"},
        ),
        _changes("recalculate", "post", lambda w: f"/projects/{w.project.pk}/plan/recalculate"),
        _sees("plan_history", lambda w: f"/projects/{w.project.pk}/plan/history"),
        _sees("health", lambda w: f"/projects/{w.project.pk}/health"),
    ]


class TestTaskOperations(AccessMixin):
    access = [
        _sees("list", lambda w: f"/projects/{w.project.pk}/tasks"),
        _changes(
            "create",
            "post",
            lambda w: f"/projects/{w.project.pk}/tasks",
            data=lambda w: {"name": "Design", "duration": "3d"},
            ok=(201,),
        ),
        _sees("detail", lambda w: f"/tasks/{_task(w).pk}"),
        _changes(
            "update", "patch", lambda w: f"/tasks/{_task(w).pk}", data=lambda w: {"notes": "Hi"}
        ),
        _changes("delete", "delete", lambda w: f"/tasks/{_task(w).pk}", ok=(204,)),
        _changes("indent", "post", lambda w: f"/tasks/{_second_task(w).pk}/indent"),
        _changes("outdent", "post", lambda w: f"/tasks/{_indented_task(w).pk}/outdent"),
        _changes(
            "move",
            "post",
            lambda w: f"/tasks/{_second_task(w).pk}/move",
            data=lambda w: {"position": 1},
        ),
        _sees("history", lambda w: f"/tasks/{_task(w).pk}/history"),
    ]


class TestDependencyOperations(AccessMixin):
    access = [
        _sees("list", lambda w: f"/projects/{w.project.pk}/dependencies"),
        # Tasks the caller may not see are refused as invalid input (422), tested below.
        operation(
            "create",
            "post",
            lambda w: "/dependencies",
            data=lambda w: {
                "predecessor_id": _task(w, "Design").pk,
                "successor_id": _task(w, "Build").pk,
                "lag": "1d",
            },
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            ok=(201,),
        ),
        _sees("detail", lambda w: f"/dependencies/{_link(w).pk}"),
        _changes(
            "update",
            "patch",
            lambda w: f"/dependencies/{_link(w).pk}",
            data=lambda w: {"type": "SS"},
        ),
        _changes("delete", "delete", lambda w: f"/dependencies/{_link(w).pk}", ok=(204,)),
    ]


SHARED_READERS = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider")


class TestCalendarOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/calendars", allowed=(*SHARED_READERS, "nobody")),
        operation(
            "create_shared",
            "post",
            lambda w: "/calendars",
            data=lambda w: {"name": "Night shifts"},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
            ok=(201,),
        ),
        # A project the caller may not see is refused as invalid input (422), tested below.
        operation(
            "create_in_project",
            "post",
            lambda w: "/calendars",
            data=lambda w: {"name": "Site", "project_id": w.project.pk},
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            ok=(201,),
        ),
        _sees("detail", lambda w: f"/calendars/{_project_calendar(w).pk}"),
        operation(
            "detail_shared",
            "get",
            lambda w: f"/calendars/{_shared_calendar(w).pk}",
            allowed=SHARED_READERS,
            hidden=("nobody",),
        ),
        _changes(
            "update",
            "patch",
            lambda w: f"/calendars/{_project_calendar(w).pk}",
            data=lambda w: {"minutes_per_day": 420},
        ),
        operation(
            "update_shared",
            "patch",
            lambda w: f"/calendars/{_shared_calendar(w).pk}",
            data=lambda w: {"name": "Renamed"},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider"),
            hidden=("nobody",),
        ),
        _changes("delete", "delete", lambda w: f"/calendars/{_project_calendar(w).pk}", ok=(204,)),
        operation(
            "delete_shared",
            "delete",
            lambda w: f"/calendars/{_shared_calendar(w).pk}",
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider"),
            hidden=("nobody",),
            ok=(204,),
        ),
        _sees("history", lambda w: f"/calendars/{_project_calendar(w).pk}/history"),
        _changes(
            "exception_create",
            "post",
            lambda w: f"/calendars/{_project_calendar(w).pk}/exceptions",
            data=lambda w: {"name": "Inventory", "start": "2026-06-01", "finish": "2026-06-02"},
            ok=(201,),
        ),
        _changes(
            "exception_update",
            "patch",
            lambda w: f"/calendar-exceptions/{_exception(w).pk}",
            data=lambda w: {"working_times": "08:00-12:00"},
        ),
        _changes(
            "exception_delete",
            "delete",
            lambda w: f"/calendar-exceptions/{_exception(w).pk}",
            ok=(204,),
        ),
    ]


class TestBaselineOperations(AccessMixin):
    access = [
        _sees("list", lambda w: f"/projects/{w.project.pk}/baselines"),
        _changes(
            "capture",
            "post",
            lambda w: f"/projects/{w.project.pk}/baselines",
            data=lambda w: {"name": "Approved"},
            ok=(201,),
        ),
        _sees("detail", lambda w: f"/baselines/{_baseline(w).pk}"),
        _changes(
            "update",
            "patch",
            lambda w: f"/baselines/{_baseline(w).pk}",
            data=lambda w: {"description": "Signed off"},
        ),
        _changes("delete", "delete", lambda w: f"/baselines/{_baseline(w).pk}", ok=(204,)),
        _sees("history", lambda w: f"/baselines/{_baseline(w).pk}/history"),
    ]


# Flows --------------------------------------------------------------------------------------


@pytest.fixture
def crm(api: ApiFactory, world: World) -> ApiClient:
    """The project manager of CRM, with the plan starting on Monday 2 March 2026 at 08:00."""
    client = api(world.project_manager)
    response = client.patch(f"/projects/{world.project.pk}/plan", {"start": MONDAY.isoformat()})
    assert response.status_code == 200, response.content
    return client


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _tasks(client: ApiClient, project: Project) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = _ok(client.get(f"/projects/{project.pk}/tasks"))["items"]
    return items


def test_plan_settings_and_summary(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}"
    plan = _ok(crm.get(f"{url}/plan"))
    assert plan["start"] == "2026-03-02T08:00:00"
    assert (plan["task_count"], plan["finish"], plan["calendar"]) == (0, None, None)

    calendar = _ok(crm.post("/calendars", {"name": "Site", "project_id": world.project.pk}), 201)
    changed = _ok(
        crm.patch(
            f"{url}/plan",
            {"status_date": "2026-03-04T17:00:00", "calendar_id": calendar["id"]},
        )
    )
    assert changed["status_date"] == "2026-03-04T17:00:00"
    assert changed["calendar"] == {"id": calendar["id"], "name": "Site"}

    crm.post(f"{url}/tasks", {"name": "Design", "duration": "2d"})
    summary = _ok(crm.post(f"{url}/plan/recalculate"))
    assert summary["task_count"] == 1
    assert summary["critical_count"] == 1
    # Work not started is scheduled after the status date (Wednesday 17:00).
    assert summary["finish"] == "2026-03-06T17:00:00"
    assert summary["calculated_at"] is not None
    assert summary["health_rating"] in {"green", "amber", "red"}
    assert _ok(crm.patch(f"{url}/plan", {"status_date": None}))["finish"] == "2026-03-03T17:00:00"

    history = _ok(crm.get(f"{url}/plan/history"))["items"]
    assert any(change["field"] == "status_date" for entry in history for change in entry["changes"])


def test_plan_dates_with_a_time_zone_or_null_start_are_refused(
    crm: ApiClient, world: World
) -> None:
    url = f"/projects/{world.project.pk}/plan"
    zoned = crm.patch(url, {"start": "2026-03-09T08:00:00+01:00", "status_date": None})
    assert zoned.status_code == 422
    assert list(error_of(zoned)["fields"]) == ["start"]
    refused = crm.patch(url, {"start": None})
    assert refused.status_code == 422
    assert list(error_of(refused)["fields"]) == ["start"]
    assert ProjectPlan.objects.get(project=world.project).start == MONDAY


def test_create_link_indent_move_and_delete(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    design = _ok(crm.post(url, {"name": "Design", "duration": "2d"}), 201)
    assert (design["position"], design["duration"], design["duration_minutes"]) == (1, "2d", 960)
    assert (design["start"], design["finish"]) == ("2026-03-02T08:00:00", "2026-03-03T17:00:00")

    build = _ok(crm.post(url, {"name": "Build", "duration": "3d", "predecessors": "1"}), 201)
    assert build["predecessors"] == "1"
    assert (build["start"], build["finish"]) == ("2026-03-04T08:00:00", "2026-03-06T17:00:00")
    assert build["critical"] is True
    assert build["total_float_minutes"] == 0

    launch = _ok(crm.post(url, {"name": "Launch", "duration": "0", "predecessors": "2FS+1d"}), 201)
    assert launch["milestone"] is True
    assert launch["predecessors"] == "2FS+1d"
    assert launch["start"] == "2026-03-09T17:00:00"

    phase = _ok(crm.post(url, {"name": "Phase", "position": 1, "duration_minutes": 480}), 201)
    assert phase["position"] == 1
    rows = _tasks(crm, world.project)
    assert [row["name"] for row in rows] == ["Phase", "Design", "Build", "Launch"]
    # The predecessors follow the rows they point at.
    assert [row["predecessors"] for row in rows] == ["", "", "2", "3FS+1d"]

    for task in (design, build):
        _ok(crm.post(f"/tasks/{task['id']}/indent"))
    rows = _tasks(crm, world.project)
    assert [(row["outline_number"], row["summary"]) for row in rows] == [
        ("1", True),
        ("1.1", False),
        ("1.2", False),
        ("2", False),
    ]
    assert rows[1]["parent_id"] == phase["id"]
    assert (rows[0]["start"], rows[0]["finish"]) == (design["start"], build["finish"])
    assert rows[0]["duration"] == ""

    # A summary task's duration comes from its subtasks.
    locked = crm.patch(f"/tasks/{phase['id']}", {"duration": "9d"})
    assert list(error_of(locked)["fields"]) == ["duration"]

    outdented = _ok(crm.post(f"/tasks/{build['id']}/outdent"))
    assert (outdented["outline_number"], outdented["parent_id"]) == ("2", None)

    moved = _ok(crm.post(f"/tasks/{launch['id']}/move", {"position": 1}))
    assert moved["position"] == 1
    assert [row["name"] for row in _tasks(crm, world.project)] == [
        "Launch",
        "Phase",
        "Design",
        "Build",
    ]

    assert crm.delete(f"/tasks/{phase['id']}").status_code == 204
    rows = _tasks(crm, world.project)
    assert [(row["position"], row["name"]) for row in rows] == [(1, "Launch"), (2, "Build")]


def test_patch_changes_a_task_and_is_in_its_history(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    _ok(crm.post(url, {"name": "Design", "duration": "2d"}), 201)
    build = _ok(crm.post(url, {"name": "Build", "duration": "1d"}), 201)

    changed = _ok(
        crm.patch(
            f"/tasks/{build['id']}",
            {
                "duration": "1w",
                "predecessors": "1SS+1d",
                "constraint_type": "SNET",
                "constraint_date": "2026-03-04T08:00:00",
                "deadline": "2026-03-20T17:00:00",
                "percent_complete": 0,
            },
        )
    )
    assert (changed["duration"], changed["duration_minutes"], changed["duration_unit"]) == (
        "1w",
        2400,
        "w",
    )
    assert changed["predecessors"] == "1SS+1d"
    assert changed["start"] == "2026-03-04T08:00:00"
    assert changed["deadline"] == "2026-03-20T17:00:00"

    by_minutes = _ok(
        crm.patch(f"/tasks/{build['id']}", {"duration_minutes": 240, "duration_unit": "h"})
    )
    assert by_minutes["duration"] == "4h"

    history = _ok(crm.get(f"/tasks/{build['id']}/history"))["items"]
    fields = {change["field"] for entry in history for change in entry["changes"]}
    assert {"duration_minutes", "predecessors", "constraint_type"} <= fields
    assert history[0]["actor"]["username"] == "pm"


def test_a_cycle_is_refused_naming_the_tasks_and_nothing_is_saved(
    crm: ApiClient, world: World
) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    design = _ok(crm.post(url, {"name": "Design"}), 201)
    build = _ok(crm.post(url, {"name": "Build", "predecessors": "1"}), 201)
    entries = history_for(Task.objects.get(pk=design["id"])).count()

    response = crm.patch(f"/tasks/{design['id']}", {"name": "Design v2", "predecessors": "2"})
    assert response.status_code == 422
    error = error_of(response)
    assert list(error["fields"]) == ["predecessors"]
    assert "Design" in error["message"]
    assert "Build" in error["message"]

    linked = crm.post(
        "/dependencies", {"predecessor_id": build["id"], "successor_id": design["id"]}
    )
    assert linked.status_code == 422
    assert "cycle" in error_of(linked)["message"]

    task = Task.objects.get(pk=design["id"])
    assert task.name == "Design"
    assert not Dependency.objects.filter(successor=task).exists()
    assert history_for(task).count() == entries


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"duration": "3x"}, "duration"),
        ({"duration": "3d", "duration_minutes": 60}, "duration"),
        ({"predecessors": "1XY"}, "predecessors"),
        ({"predecessors": "9"}, "predecessors"),
        ({"constraint_type": "MSO"}, "constraint_date"),
        ({"percent_complete": 120}, "percent_complete"),
        ({"deadline": "next week"}, "deadline"),
        ({"calendar_id": 999999}, "calendar_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_task_input_is_refused_naming_the_field(
    crm: ApiClient, world: World, payload: dict[str, Any], field: str
) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    _ok(crm.post(url, {"name": "Design"}), 201)
    created = crm.post(url, {"name": "Build", **payload})
    assert created.status_code == 422, created.content
    error = error_of(created)
    assert list(error["fields"]) == [field]
    if field == "duration" and "3x" in str(payload):
        assert "3x" in error["message"]
    assert Task.objects.filter(project=world.project).count() == 1

    design = Task.objects.get(project=world.project)
    changed = crm.patch(f"/tasks/{design.pk}", payload)
    assert changed.status_code == 422, changed.content
    assert list(error_of(changed)["fields"]) == [field]
    design.refresh_from_db()
    assert design.duration_minutes == 480
    assert design.constraint_type == "ASAP"


def test_links_with_lags_leads_and_percentages(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    design = _ok(crm.post(url, {"name": "Design", "duration": "4d"}), 201)
    build = _ok(crm.post(url, {"name": "Build", "duration": "2d"}), 201)
    pair = {"predecessor_id": design["id"], "successor_id": build["id"]}

    lead = _ok(crm.post("/dependencies", {**pair, "lag": "-1d"}), 201)
    assert (lead["type"], lead["lag"], lead["lag_minutes"], lead["lag_unit"]) == (
        "FS",
        "-1d",
        -480,
        "d",
    )
    assert lead["predecessor"] == {
        "id": design["id"],
        "project_id": world.project.pk,
        "position": 1,
        "name": "Design",
    }
    assert lead["cross_project"] is False
    assert _ok(crm.get(f"/tasks/{build['id']}"))["start"] == "2026-03-05T08:00:00"

    half = _ok(crm.patch(f"/dependencies/{lead['id']}", {"type": "SS", "lag": "50%"}))
    assert (half["lag"], half["lag_percent"], half["lag_minutes"]) == ("50%", 50.0, 0)
    assert _ok(crm.get(f"/tasks/{build['id']}"))["predecessors"] == "1SS+50%"
    assert _ok(crm.get(f"/tasks/{build['id']}"))["start"] == "2026-03-04T08:00:00"

    listed = _ok(crm.get(f"/projects/{world.project.pk}/dependencies"))
    assert [item["id"] for item in listed["items"]] == [lead["id"]]

    bad = crm.patch(f"/dependencies/{lead['id']}", {"lag": "2 parsecs"})
    assert list(error_of(bad)["fields"]) == ["lag"]

    assert crm.delete(f"/dependencies/{lead['id']}").status_code == 204
    assert _ok(crm.get(f"/tasks/{build['id']}"))["predecessors"] == ""


def test_lags_are_counted_in_the_successors_working_day(crm: ApiClient, world: World) -> None:
    short = _ok(
        crm.post(
            "/calendars",
            {"name": "Short days", "project_id": world.project.pk, "minutes_per_day": 420},
        ),
        201,
    )
    url = f"/projects/{world.project.pk}/tasks"
    _ok(crm.post(url, {"name": "Design"}), 201)
    build = _ok(
        crm.post(
            url,
            {
                "name": "Build",
                "duration": "2d",
                "calendar_id": short["id"],
                "predecessors": "1FS+2d",
            },
        ),
        201,
    )
    assert (build["duration"], build["duration_minutes"]) == ("2d", 840)
    assert build["predecessors"] == "1FS+2d"
    link = _ok(crm.get(f"/projects/{world.project.pk}/dependencies"))["items"][0]
    assert (link["lag"], link["lag_minutes"]) == ("2d", 840)


def test_cross_project_link(api: ApiFactory, world: World) -> None:
    pmo = api(world.pmo)
    for project in (world.project, world.sibling_project):
        _ok(pmo.patch(f"/projects/{project.pk}/plan", {"start": MONDAY.isoformat()}))
    crm_task = _ok(
        pmo.post(f"/projects/{world.project.pk}/tasks", {"name": "Data model", "duration": "3d"}),
        201,
    )
    hr_task = _ok(
        pmo.post(
            f"/projects/{world.sibling_project.pk}/tasks", {"name": "Portal", "duration": "1d"}
        ),
        201,
    )
    pair = {"predecessor_id": crm_task["id"], "successor_id": hr_task["id"]}

    # The project manager of CRM does not see HR: its task is reported as invalid input.
    refused = api(world.project_manager).post("/dependencies", pair)
    assert refused.status_code == 422
    assert list(error_of(refused)["fields"]) == ["successor_id"]
    assert not Dependency.objects.exists()

    link = _ok(pmo.post("/dependencies", pair), 201)
    assert link["cross_project"] is True
    assert link["predecessor"]["project_id"] == world.project.pk
    portal = _tasks(pmo, world.sibling_project)[0]
    assert portal["predecessors"] == "CRM:1"
    assert portal["start"] == "2026-03-05T08:00:00"
    hr_links = _ok(pmo.get(f"/projects/{world.sibling_project.pk}/dependencies"))["items"]
    assert [item["id"] for item in hr_links] == [link["id"]]

    # Lengthening the CRM task moves the HR task too.
    _ok(pmo.patch(f"/tasks/{crm_task['id']}", {"duration": "4d"}))
    assert _tasks(pmo, world.sibling_project)[0]["start"] == "2026-03-06T08:00:00"


def test_task_list_is_paginated_in_row_order(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    for number in range(5):
        crm.post(url, {"name": f"Task {number}", "position": 1})
    page = _ok(crm.get(url, limit=2, offset=1))
    assert (page["count"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [(item["position"], item["name"]) for item in page["items"]] == [
        (2, "Task 3"),
        (3, "Task 2"),
    ]


def test_task_list_makes_a_constant_number_of_queries(
    crm: ApiClient, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    calendar = services.calendar_create(actor=world.pmo, name="Site", project=world.project)
    other = _task(world, "Elsewhere", project=world.sibling_project)

    def add_tasks(count: int) -> None:
        for _ in range(count):
            task = _task(world, "Step", calendar=calendar, predecessors="1")
            services.dependency_create(actor=world.pmo, predecessor=other, successor=task)
        services.task_indent(actor=world.pmo, task=task)

    def fetch() -> None:
        assert crm.get(f"/projects/{world.project.pk}/tasks").status_code == 200

    _task(world, "First")
    add_tasks(2)
    fetch()
    few = count_queries(fetch)
    add_tasks(12)
    many = count_queries(fetch)
    rows = _tasks(crm, world.project)
    assert len(rows) == 15
    assert rows[-1]["predecessors"] == f"1; {world.sibling_project.code}:1"
    assert few == many, (few, many)


def test_dependency_list_makes_a_constant_number_of_queries(
    crm: ApiClient, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    first = _task(world, "First")

    def add(count: int) -> None:
        for _ in range(count):
            services.dependency_create(
                actor=world.pmo, predecessor=first, successor=_task(world, "Next")
            )

    def fetch() -> None:
        assert crm.get(f"/projects/{world.project.pk}/dependencies").status_code == 200

    add(2)
    few = count_queries(fetch)
    add(10)
    assert few == count_queries(fetch)


def test_calendars_with_weeks_as_text_and_exceptions(crm: ApiClient, world: World) -> None:
    week = ["07:00-12:00, 13:00-16:00"] * 4 + ["07:00-12:00", "", ""]
    created = _ok(
        crm.post(
            "/calendars",
            {"name": "Site", "project_id": world.project.pk, "week": week, "minutes_per_day": 480},
        ),
        201,
    )
    assert created["week"][0] == [[420, 720], [780, 960]]
    assert created["week_text"] == week
    assert created["project"]["code"] == "CRM"

    closure = _ok(
        crm.post(
            f"/calendars/{created['id']}/exceptions",
            {"name": "Closure", "start": "2026-03-03", "finish": "2026-03-03"},
        ),
        201,
    )
    detail = _ok(crm.get(f"/calendars/{created['id']}"))
    assert [item["name"] for item in detail["exceptions"]] == ["Closure"]

    # Used by the plan, the calendar drives the dates: Tuesday is closed.
    crm.patch(
        f"/projects/{world.project.pk}/plan",
        {"calendar_id": created["id"], "start": "2026-03-02T07:00:00"},
    )
    task = _ok(
        crm.post(f"/projects/{world.project.pk}/tasks", {"name": "Dig", "duration": "2d"}), 201
    )
    assert task["finish"] == "2026-03-04T16:00:00"
    _ok(crm.patch(f"/calendar-exceptions/{closure['id']}", {"working_times": "07:00-09:00"}))
    # Monday 8 hours, Tuesday 2, Wednesday 6: 07:00-12:00 and 13:00-14:00.
    assert _ok(crm.get(f"/tasks/{task['id']}"))["finish"] == "2026-03-04T14:00:00"
    assert crm.delete(f"/calendar-exceptions/{closure['id']}").status_code == 204
    assert _ok(crm.get(f"/tasks/{task['id']}"))["finish"] == "2026-03-03T16:00:00"

    visible = _ok(crm.get("/calendars", project=world.project.pk))["items"]
    assert [item["name"] for item in visible] == ["Site"]

    in_use = crm.delete(f"/calendars/{created['id']}")
    assert in_use.status_code == 422
    assert WorkCalendar.objects.filter(pk=created["id"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"week": ["8h-12h"] * 7}, "week"),
        ({"week": [[[480, 720]]] * 6}, "week"),
        ({"minutes_per_day": 0}, "minutes_per_day"),
        ({"base_id": 999999}, "base_id"),
        ({"project_id": 999999}, "project_id"),
    ],
)
def test_bad_calendar_input_is_refused_naming_the_field(
    crm: ApiClient, world: World, payload: dict[str, Any], field: str
) -> None:
    response = crm.post("/calendars", {"name": "Site", "project_id": world.project.pk, **payload})
    assert response.status_code == 422, response.content
    assert list(error_of(response)["fields"]) == [field]
    assert not WorkCalendar.objects.exists()


def test_a_calendar_of_another_project_is_refused(api: ApiFactory, world: World) -> None:
    pmo = api(world.pmo)
    hr = _ok(pmo.post("/calendars", {"name": "HR", "project_id": world.sibling_project.pk}), 201)
    crm = _ok(pmo.post("/calendars", {"name": "CRM", "project_id": world.project.pk}), 201)
    tasks = f"/projects/{world.project.pk}/tasks"
    task = pmo.post(tasks, {"name": "Design", "calendar_id": hr["id"]})
    assert list(error_of(task)["fields"]) == ["calendar_id"]
    plan = pmo.patch(f"/projects/{world.project.pk}/plan", {"calendar_id": hr["id"]})
    assert list(error_of(plan)["fields"]) == ["calendar_id"]
    based = pmo.patch(f"/calendars/{crm['id']}", {"base_id": hr["id"]})
    assert list(error_of(based)["fields"]) == ["base_id"]
    assert not Task.objects.exists()
    assert WorkCalendar.objects.get(pk=crm["id"]).base_id is None


def test_calendars_of_hidden_projects_are_refused_as_input(api: ApiFactory, world: World) -> None:
    outsider = api(world.outsider)
    refused = outsider.post("/calendars", {"name": "Site", "project_id": world.project.pk})
    assert list(error_of(refused)["fields"]) == ["project_id"]
    listed = outsider.get("/calendars", project=world.project.pk)
    assert list(error_of(listed)["fields"]) == ["project"]
    assert not WorkCalendar.objects.exists()


def test_baselines_and_variances(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}"
    design = _ok(crm.post(f"{url}/tasks", {"name": "Design", "duration": "2d"}), 201)
    build = _ok(crm.post(f"{url}/tasks", {"name": "Build", "predecessors": "1"}), 201)

    approved = _ok(crm.post(f"{url}/baselines", {"name": "Approved"}), 201)
    assert approved["primary"] is True
    assert approved["captured_by"]["username"] == "pm"
    assert (approved["start"], approved["finish"]) == (
        "2026-03-02T08:00:00",
        "2026-03-04T17:00:00",
    )

    _ok(crm.patch(f"/tasks/{design['id']}", {"duration": "4d"}))
    later = _ok(crm.post(f"{url}/baselines", {"name": "Replanned", "description": "+2 days"}), 201)
    assert later["primary"] is False

    detail = _ok(crm.get(f"/baselines/{approved['id']}"))
    rows = {row["task"]["name"]: row for row in detail["tasks"]}
    assert rows["Build"]["baseline_start"] == "2026-03-04T08:00:00"
    assert rows["Build"]["start"] == "2026-03-06T08:00:00"
    assert rows["Build"]["start_variance_days"] == 2.0
    assert rows["Design"]["finish_variance_days"] == 2.0
    assert rows["Design"]["baseline_duration_minutes"] == 960

    listed = _ok(crm.get(f"{url}/baselines"))["items"]
    assert [item["name"] for item in listed] == ["Replanned", "Approved"]

    _ok(crm.patch(f"/baselines/{later['id']}", {"primary": True}))
    assert _ok(crm.get(f"/baselines/{approved['id']}"))["primary"] is False

    duplicate = crm.post(f"{url}/baselines", {"name": "Approved"})
    assert duplicate.status_code == 422

    assert crm.delete(f"/baselines/{approved['id']}").status_code == 204
    assert list(Baseline.objects.values_list("name", flat=True)) == ["Replanned"]
    del build


def test_health_lists_the_fourteen_checks_with_the_tasks_at_fault(
    crm: ApiClient, world: World
) -> None:
    url = f"/projects/{world.project.pk}"
    crm.post(f"{url}/tasks", {"name": "Kick-off", "duration": "0"})
    crm.post(f"{url}/tasks", {"name": "Design", "duration": "2d", "predecessors": "1"})
    build = _ok(crm.post(f"{url}/tasks", {"name": "Build", "duration": "3d"}), 201)
    launch = _ok(crm.post(f"{url}/tasks", {"name": "Launch", "duration": "0"}), 201)

    health = _ok(crm.get(f"{url}/health"))
    assert [check["number"] for check in health["checks"]] == list(range(1, 15))
    logic = health["checks"][0]
    assert (logic["kind"], logic["label"], logic["status"], logic["passed"]) == (
        "logic",
        "Logic",
        "failed",
        False,
    )
    # Design has no successor; Build is linked to nothing. Milestones are not counted.
    assert [(task["position"], task["name"]) for task in logic["offending"]] == [
        (2, "Design"),
        (3, "Build"),
    ]
    assert logic["value"] > logic["threshold"]
    plan = _ok(crm.get(f"{url}/plan"))
    assert (health["score"], health["rating"]) == (plan["health_score"], plan["health_rating"])
    missed = health["checks"][10]
    assert (missed["kind"], missed["status"], health["has_baseline"]) == (
        "missed_tasks",
        "not_assessed",
        False,
    )
    assert missed["reason"] == "The project has no primary baseline to compare with."

    _ok(crm.patch(f"/tasks/{build['id']}", {"predecessors": "2"}))
    _ok(crm.patch(f"/tasks/{launch['id']}", {"predecessors": "3"}))
    healed = _ok(crm.get(f"{url}/health"))
    assert healed["checks"][0]["passed"] is True
    assert healed["checks"][0]["offending"] == []
    assert healed["passed_count"] > health["passed_count"]


def test_health_of_an_empty_plan_assesses_nothing(crm: ApiClient, world: World) -> None:
    health = _ok(crm.get(f"/projects/{world.project.pk}/health"))
    assert len(health["checks"]) == 14
    assert health["score"] is None
    assert health["rating"] is None
    assert {check["status"] for check in health["checks"]} == {"not_assessed"}


def test_unknown_ids_are_not_found(crm: ApiClient) -> None:
    for path in (
        "/projects/999999/plan",
        "/tasks/999999",
        "/dependencies/999999",
        "/calendars/999999",
        "/calendar-exceptions/999999",
        "/baselines/999999",
        "/projects/999999/health",
    ):
        response = crm.get(path) if "exceptions" not in path else crm.delete(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


def test_a_task_takes_a_fixed_cost_for_the_cost_baseline(crm: ApiClient, world: World) -> None:
    url = f"/projects/{world.project.pk}/tasks"
    task = _ok(crm.post(url, {"name": "Licences", "duration": "1d", "fixed_cost": "1500.50"}), 201)
    assert task["fixed_cost"] == "1500.50"

    changed = _ok(crm.patch(f"/tasks/{task['id']}", {"fixed_cost": "2000"}))
    assert changed["fixed_cost"] == "2000.00"
    entry = history_for(Task.objects.get(pk=task["id"])).first()
    assert entry is not None
    assert [change["field"] for change in entry.changes] == ["fixed_cost"]

    refused = crm.patch(f"/tasks/{task['id']}", {"fixed_cost": "-5"})
    assert refused.status_code == 422
    assert Task.objects.get(pk=task["id"]).fixed_cost == 2000
