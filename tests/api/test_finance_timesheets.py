"""Timesheets, their approval, missing timesheets, locked periods and a project's finance
options through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pilotage.finance import timesheets
from pilotage.finance.models import ActualCost, PeriodLock, Timesheet, TimesheetStatus
from pilotage.planning.models import Task
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.finance.factories_timesheets import MONDAY, WEEK, Team, filled, team
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = (
    "admin",
    "pmo",
    "portfolio_manager",
    "project_manager",
    "viewer",
    "finance",
    "outsider",
    "nobody",
)
NOT_ORGANISATION = ("portfolio_manager", "project_manager", "viewer", "finance", "outsider")
NEXT_WEEK = MONDAY + dt.timedelta(weeks=1)


def crew(world: World) -> Team:
    found: Team | None = getattr(world, "_crew", None)
    if found is None:
        found = team(world)
        world._crew = found  # type: ignore[attr-defined]
    return found


def both_projects(world: World) -> Timesheet:
    found = Timesheet.objects.filter(week_start=MONDAY).first()
    return found or filled(world, crew(world), specify_minutes=60)


def approved(world: World) -> Timesheet:
    sheet = both_projects(world)
    if sheet.status != TimesheetStatus.APPROVED:
        timesheets.timesheet_approve(actor=world.admin, timesheet=sheet)
    return sheet


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _lock(world: World) -> PeriodLock:
    return timesheets.period_lock_create(
        actor=world.admin, start=dt.date(2026, 9, 1), finish=dt.date(2026, 9, 30)
    )


APPROVERS = ("admin", "pmo", "portfolio_manager", "finance")


class TestTimesheetOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/timesheets", allowed=EVERYONE),
        operation("missing", "get", lambda w: "/timesheets/missing", allowed=EVERYONE),
        operation(
            "grid",
            "get",
            lambda w: f"/timesheets/{both_projects(w).resource_id}/{MONDAY}",
            allowed=(*APPROVERS, "project_manager"),
            hidden=("viewer", "outsider", "nobody"),
        ),
        operation(
            "save a grid",
            "put",
            lambda w: f"/timesheets/{crew(w).alice.pk}/{NEXT_WEEK}",
            data=lambda w: {"rows": [{"task_id": crew(w).build.pk, "days": {str(NEXT_WEEK): 60}}]},
            allowed=("admin", "pmo"),
            hidden=(*NOT_ORGANISATION, "nobody"),
        ),
        operation(
            "approve",
            "post",
            lambda w: f"/timesheets/{both_projects(w).pk}/approve",
            allowed=APPROVERS,
            forbidden=("project_manager",),
            hidden=("viewer", "outsider", "nobody"),
        ),
        operation(
            "reject",
            "post",
            lambda w: f"/timesheets/{both_projects(w).pk}/reject",
            data=lambda w: {"comment": "Wrong task"},
            allowed=APPROVERS,
            forbidden=("project_manager",),
            hidden=("viewer", "outsider", "nobody"),
        ),
        operation(
            "reopen",
            "post",
            lambda w: f"/timesheets/{approved(w).pk}/reopen",
            allowed=APPROVERS,
            forbidden=("project_manager",),
            hidden=("viewer", "outsider", "nobody"),
        ),
        operation("locked periods", "get", lambda w: "/period-locks", allowed=EVERYONE),
        operation(
            "lock a period",
            "post",
            lambda w: "/period-locks",
            data=lambda w: {"start": "2026-10-01", "finish": "2026-10-31"},
            allowed=("admin", "pmo"),
            forbidden=(*NOT_ORGANISATION, "nobody"),
            ok=(201,),
        ),
        operation(
            "open a locked period",
            "delete",
            lambda w: f"/period-locks/{_lock(w).pk}",
            allowed=("admin", "pmo"),
            forbidden=(*NOT_ORGANISATION, "nobody"),
            ok=(204,),
        ),
        operation(
            "finance options",
            "patch",
            lambda w: f"/projects/{w.project.pk}/finance-options",
            data=lambda w: {"progress_from_timesheets": True},
            allowed=("admin", "pmo", "portfolio_manager", "project_manager"),
            forbidden=("viewer", "finance"),
            hidden=("outsider", "nobody"),
        ),
    ]


def test_the_person_fills_and_submits_a_week_and_the_manager_approves(
    world: World, api: ApiFactory
) -> None:
    people = crew(world)
    alice = api(people.user)
    url = f"/timesheets/{people.alice.pk}/{MONDAY}"
    empty = alice.get(url).json()
    assert empty["timesheet_id"] is None
    assert [row["task_id"] for row in empty["rows"]] == [people.build.pk, people.specify.pk]
    assert empty["rows"][0]["planned_minutes"] == 2400
    response = alice._send(
        "put",
        url,
        {
            "rows": [
                {
                    "task_id": people.build.pk,
                    "days": {str(WEEK[0]): 450, str(WEEK[1]): 480},
                    "note": "API",
                }
            ]
        },
    )
    assert response.status_code == 200, response.content
    grid = response.json()
    assert grid["total_minutes"] == 930
    assert grid["rows"][0]["days"][str(WEEK[0])] == 450
    sheet_id = grid["timesheet_id"]
    submitted = alice.post(f"/timesheets/{sheet_id}/submit")
    assert submitted.json()["status"] == "submitted"
    assert alice.post(f"/timesheets/{sheet_id}/approve").status_code == 403
    decision = api(world.project_manager).post(f"/timesheets/{sheet_id}/approve", {"comment": "OK"})
    assert decision.status_code == 200, decision.content
    body = decision.json()
    assert (body["status"], body["comment"], body["warnings"]) == ("approved", "OK", [])
    # 15.5 hours at 60 EUR an hour.
    assert sum(ActualCost.objects.values_list("amount", flat=True)) == Decimal("930.00")
    listed = api(world.project_manager).get("/timesheets", status="approved").json()
    assert [item["id"] for item in listed["items"]] == [sheet_id]
    assert listed["items"][0]["total_minutes"] == 930


def test_grid_errors_name_the_problem(world: World, api: ApiFactory) -> None:
    people = crew(world)
    other = Task.objects.create(project=world.project, name="Deploy", position=99)
    alice = api(people.user)
    url = f"/timesheets/{people.alice.pk}/{MONDAY}"
    response = alice._send(
        "put", url, {"rows": [{"task_id": other.pk, "days": {str(WEEK[0]): 60}}]}
    )
    assert response.status_code == 422
    assert "Deploy" in error_of(response)["message"] + str(error_of(response)["fields"])
    timesheets.period_lock_create(actor=world.admin, start=WEEK[0], finish=WEEK[0])
    locked = alice._send(
        "put", url, {"rows": [{"task_id": people.build.pk, "days": {str(WEEK[0]): 60}}]}
    )
    assert locked.status_code == 422
    assert "2026-11-02" in str(error_of(locked))
    unknown = alice._send("put", url, {"rows": [{"task_id": 999999, "days": {}}]})
    assert "Unknown task: 999999" in str(error_of(unknown)["fields"])
    not_monday = alice.get(f"/timesheets/{people.alice.pk}/2026-11-04")
    assert not_monday.status_code == 422
    assert "Monday" in str(error_of(not_monday))


def test_a_rejection_without_comment_is_refused(world: World, api: ApiFactory) -> None:
    sheet = both_projects(world)
    response = api(world.finance).post(f"/timesheets/{sheet.pk}/reject", {"comment": ""})
    assert response.status_code == 422
    assert "comment" in error_of(response)["fields"]


def test_reopen_removes_the_costs(world: World, api: ApiFactory) -> None:
    sheet = approved(world)
    assert ActualCost.objects.filter(timesheet=sheet).exists()
    response = api(world.finance).post(f"/timesheets/{sheet.pk}/reopen")
    assert response.json()["status"] == "submitted"
    assert not ActualCost.objects.filter(timesheet=sheet).exists()


def test_missing_timesheets_and_locks_and_options(world: World, api: ApiFactory) -> None:
    people = crew(world)
    filled(world, people)
    client = api(world.pmo)
    missing = client.get("/timesheets/missing", weeks=3, until="2026-11-18").json()
    assert [(row["resource_id"], row["week_start"], row["status"]) for row in missing] == [
        (people.alice.pk, str(NEXT_WEEK), None)
    ]
    created = client.post(
        "/period-locks", {"start": "2026-10-01", "finish": "2026-10-31", "reason": "Closed"}
    )
    assert created.status_code == 201
    backwards = client.post("/period-locks", {"start": "2026-10-31", "finish": "2026-10-01"})
    assert backwards.status_code == 422
    assert client.get("/period-locks").json()["count"] == 1
    options = client.patch(
        f"/projects/{world.project.pk}/finance-options", {"progress_from_timesheets": True}
    )
    assert options.json() == {"project_id": world.project.pk, "progress_from_timesheets": True}
    assert timesheets.progress_from_timesheets(world.project)


def test_the_list_takes_a_constant_number_of_queries(
    world: World, api: ApiFactory, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    people = crew(world)
    client = api(world.finance)
    for offset in range(2):
        filled(world, people, week=MONDAY + dt.timedelta(weeks=offset))
    few = count_queries(lambda: client.get("/timesheets"))
    for offset in range(2, 10):
        filled(world, people, week=MONDAY + dt.timedelta(weeks=offset), specify_minutes=15)
    many = count_queries(lambda: client.get("/timesheets"))
    assert client.get("/timesheets").json()["count"] == 10
    assert few == many
