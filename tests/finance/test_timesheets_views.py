"""The timesheet pages: the weekly grid, a timesheet's page, the approval queue, missing
timesheets, locked periods and a project's time; who may open them and what they do."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.accounts.models import User
from pilotage.finance import timesheets
from pilotage.finance.models import (
    ActualCost,
    PeriodLock,
    Timesheet,
    TimesheetEntry,
    TimesheetStatus,
)
from tests.access import Access, AccessMixin
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
ORGANISATION = ("admin", "pmo")
NOT_ORGANISATION = (
    "portfolio_manager",
    "project_manager",
    "viewer",
    "finance",
    "outsider",
    "nobody",
)
NEXT_WEEK = MONDAY + dt.timedelta(weeks=1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def crew(world: World) -> Team:
    found: Team | None = getattr(world, "_crew", None)
    if found is None:
        found = team(world)
        world._crew = found  # type: ignore[attr-defined]
    return found


def both_projects(world: World) -> Timesheet:
    """Alice's submitted week with time on CRM and HR."""
    found = Timesheet.objects.filter(week_start=MONDAY).first()
    return found or filled(world, crew(world), specify_minutes=60)


def week_url(world: World, week: dt.date = MONDAY) -> str:
    return f"/timesheets/{crew(world).alice.pk}/{week.isoformat()}/"


def lock(world: World) -> PeriodLock:
    return timesheets.period_lock_create(
        actor=world.admin, start=dt.date(2026, 9, 1), finish=dt.date(2026, 9, 30)
    )


class TestAccess(AccessMixin):
    access = [
        Access("my timesheet", "get", lambda w: "/timesheets/", allowed=EVERYONE),
        Access(
            "a submitted week",
            "get",
            lambda w: (both_projects(w), week_url(w))[1],
            allowed=("admin", "pmo", "portfolio_manager", "project_manager", "finance"),
            hidden=("viewer", "outsider", "nobody"),
        ),
        Access(
            "save a week",
            "post",
            lambda w: week_url(w, NEXT_WEEK),
            data=lambda w: {f"t{crew(w).build.pk}-d0": "8", "action": "save"},
            allowed=ORGANISATION,
            hidden=("portfolio_manager", "project_manager", "viewer", "finance", "outsider"),
            ok=(302,),
        ),
        Access(
            "change a submitted week seen by its approver",
            "post",
            lambda w: (both_projects(w), week_url(w))[1],
            data=lambda w: {f"t{crew(w).build.pk}-d0": "8", "action": "save"},
            allowed=(),
            forbidden=("project_manager", "portfolio_manager", "finance"),
            hidden=("viewer", "outsider", "nobody"),
        ),
        Access(
            "timesheet page",
            "get",
            lambda w: f"/timesheets/{both_projects(w).pk}/",
            allowed=("admin", "pmo", "portfolio_manager", "project_manager", "finance"),
            hidden=("viewer", "outsider", "nobody"),
        ),
        Access(
            "approve on the timesheet page",
            "post",
            lambda w: f"/timesheets/{both_projects(w).pk}/",
            data=lambda w: {"action": "approve", "comment": ""},
            allowed=("admin", "pmo", "portfolio_manager", "finance"),
            forbidden=("project_manager",),
            hidden=("viewer", "outsider", "nobody"),
            ok=(302,),
        ),
        Access("approval queue", "get", lambda w: "/timesheets/approvals/", allowed=EVERYONE),
        Access(
            "approve in the queue",
            "post",
            lambda w: "/timesheets/approvals/",
            data=lambda w: {"action": "approve", "timesheet": [both_projects(w).pk]},
            allowed=("admin", "pmo", "portfolio_manager", "finance"),
            forbidden=("project_manager",),
            ok=(302,),
        ),
        Access("missing timesheets", "get", lambda w: "/timesheets/missing/", allowed=EVERYONE),
        Access("locked periods", "get", lambda w: "/finance/locked-periods/", allowed=EVERYONE),
        Access(
            "lock a period",
            "post",
            lambda w: "/finance/locked-periods/",
            data=lambda w: {"start": "2026-10-01", "finish": "2026-10-31", "reason": "Closed"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "open a locked period",
            "post",
            lambda w: f"/finance/locked-periods/{lock(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "project time",
            "get",
            lambda w: f"/projects/{w.project.pk}/finance/timesheets/",
            allowed=("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "project progress option",
            "post",
            lambda w: f"/projects/{w.project.pk}/finance/timesheets/",
            data=lambda w: {"progress_from_timesheets": "on"},
            allowed=("admin", "pmo", "portfolio_manager", "project_manager"),
            forbidden=("viewer", "finance"),
            hidden=("outsider", "nobody"),
            ok=(302,),
        ),
    ]


def _signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_my_timesheet_opens_the_current_week_of_the_users_resource(
    client: Client, world: World
) -> None:
    people = crew(world)
    response = _signed_in(client, people.user).get("/timesheets/?week=2026-11-05")
    assert response.status_code == 302
    assert response["Location"] == week_url(world)
    alone = _signed_in(Client(), world.viewer).get("/timesheets/")
    assert "not linked to a resource" in alone.content.decode()


def test_a_day_that_is_not_a_monday_redirects_to_its_week(client: Client, world: World) -> None:
    people = crew(world)
    response = _signed_in(client, people.user).get(f"/timesheets/{people.alice.pk}/2026-11-04/")
    assert response["Location"] == week_url(world)


def test_the_person_fills_their_week_in_hours_and_submits_it(client: Client, world: World) -> None:
    people = crew(world)
    _signed_in(client, people.user)
    page = client.get(week_url(world)).content.decode()
    assert "Build" in page
    assert "Specify" in page
    build, specify = people.build.pk, people.specify.pk
    response = client.post(
        week_url(world),
        {
            f"t{build}-d0": "7,5",
            f"t{build}-d1": "7h30",
            f"t{specify}-d1": "0.5",
            f"t{build}-note": "Sprint 1",
            "action": "save",
        },
    )
    assert response.status_code == 302
    sheet = Timesheet.objects.get()
    assert sheet.status == TimesheetStatus.DRAFT
    assert sorted(TimesheetEntry.objects.values_list("minutes", flat=True)) == [30, 450, 450]
    client.post(week_url(world), {f"t{build}-d0": "8", "action": "submit"})
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.SUBMITTED
    # Rows not posted keep their time; the typed cell replaces Monday.
    assert TimesheetEntry.objects.get(task_id=build, date=WEEK[0]).minutes == 480
    page = client.get(week_url(world)).content.decode()
    assert "Submitted" in page
    assert 'name="t' not in page  # read-only once submitted


def test_a_bad_cell_saves_nothing_and_is_marked(client: Client, world: World) -> None:
    people = crew(world)
    _signed_in(client, people.user)
    response = client.post(
        week_url(world),
        {f"t{people.build.pk}-d0": "8", f"t{people.build.pk}-d1": "lots", "action": "save"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“lots” is not a number of hours" in page
    assert 'aria-invalid="true"' in page
    assert not Timesheet.objects.exists()


def test_service_errors_are_shown_and_nothing_is_saved(client: Client, world: World) -> None:
    people = crew(world)
    _signed_in(client, people.user)
    response = client.post(
        week_url(world),
        {f"t{people.build.pk}-d0": "20", f"t{people.specify.pk}-d0": "5", "action": "save"},
    )
    assert "a day has no more than 24 hours" in response.content.decode()
    assert not Timesheet.objects.exists()


def test_locked_days_are_greyed_and_keep_their_time(client: Client, world: World) -> None:
    people = crew(world)
    sheet = filled(world, people, submit=False, days=2)
    timesheets.period_lock_create(
        actor=world.admin, start=WEEK[0] - dt.timedelta(30), finish=WEEK[0]
    )
    _signed_in(client, people.user)
    page = client.get(week_url(world)).content.decode()
    assert f'name="t{people.build.pk}-d0"' not in page
    assert f'name="t{people.build.pk}-d1"' in page
    assert "locked period" in page
    client.post(week_url(world), {f"t{people.build.pk}-d1": "4", "action": "save"})
    assert dict(sheet.entries.values_list("date", "minutes")) == {WEEK[0]: 480, WEEK[1]: 240}


def test_copy_last_week_prefills_the_grid_without_saving(client: Client, world: World) -> None:
    people = crew(world)
    filled(world, people, build_minutes=360, days=2, submit=False)
    _signed_in(client, people.user)
    page = client.get(week_url(world, NEXT_WEEK) + "?copy=1").content.decode()
    assert f'name="t{people.build.pk}-d0" value="6"' in page
    assert not Timesheet.objects.filter(week_start=NEXT_WEEK).exists()


def test_the_approver_approves_several_and_rejects_with_a_comment_in_the_queue(
    client: Client, world: World
) -> None:
    people = crew(world)
    first = filled(world, people)
    second = filled(world, people, week=NEXT_WEEK)
    third = filled(world, people, week=NEXT_WEEK + dt.timedelta(weeks=1))
    _signed_in(client, world.project_manager)
    page = client.get("/timesheets/approvals/").content.decode()
    assert "Alice Martin" in page
    assert "CRM: 40 h" in page
    client.post("/timesheets/approvals/", {"action": "approve", "timesheet": [first.pk, second.pk]})
    assert set(Timesheet.objects.values_list("pk", "status")) == {
        (first.pk, TimesheetStatus.APPROVED),
        (second.pk, TimesheetStatus.APPROVED),
        (third.pk, TimesheetStatus.SUBMITTED),
    }
    assert ActualCost.objects.count() == 10
    response = client.post(
        "/timesheets/approvals/", {"action": "reject", "timesheet": [third.pk], "comment": ""}
    )
    third.refresh_from_db()
    assert third.status == TimesheetStatus.SUBMITTED
    follow = client.get(response["Location"]).content.decode()
    assert "Say why the timesheet is rejected" in follow
    client.post(
        "/timesheets/approvals/",
        {"action": "reject", "timesheet": [third.pk], "comment": "Wrong task"},
    )
    third.refresh_from_db()
    assert (third.status, third.comment) == (TimesheetStatus.REJECTED, "Wrong task")


def test_the_timesheet_page_warns_about_time_without_rate(client: Client, world: World) -> None:
    people = team(world, rate=None)
    sheet = filled(world, people, days=1)
    _signed_in(client, world.project_manager)
    page = client.get(f"/timesheets/{sheet.pk}/").content.decode()
    assert "No rate for Alice Martin on CRM" in page
    response = client.post(f"/timesheets/{sheet.pk}/", {"action": "approve"}, follow=True)
    assert "No rate for Alice Martin" in response.content.decode()
    assert "was approved" in response.content.decode()


def test_missing_timesheets_page_and_its_export(client: Client, world: World) -> None:
    people = crew(world)
    filled(world, people)  # the first week is submitted, the second is missing
    _signed_in(client, world.admin)
    query = "?weeks=3&until=2026-11-18"
    page = client.get("/timesheets/missing/" + query).content.decode()
    assert "Alice Martin" in page
    assert week_url(world, NEXT_WEEK) in page
    assert week_url(world) not in page
    response = client.get("/timesheets/missing/" + query + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Week", "Person", "Department")
    assert [row[1] for row in rows[1:]] == ["Alice Martin"]
    assert rows[1][5] == "CRM, HR"


def test_project_time_shows_hours_per_person_and_week(client: Client, world: World) -> None:
    people = crew(world)
    sheet = filled(world, people, specify_minutes=60)
    timesheets.timesheet_approve(actor=world.admin, timesheet=sheet)
    filled(world, people, week=NEXT_WEEK, build_minutes=240)
    _signed_in(client, world.viewer)
    page = client.get(f"/projects/{world.project.pk}/finance/timesheets/").content.decode()
    assert "Alice Martin" in page
    assert ">40<" in page  # approved the first week
    assert ">20<" in page  # submitted the second
    assert "progress_from_timesheets" not in page  # a viewer does not change the option


def _queries(count_queries: Callable[[Callable[[], Any]], int], client: Client, url: str) -> int:
    return count_queries(lambda: client.get(url))


def test_list_pages_take_a_constant_number_of_queries(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    people = crew(world)
    for offset in range(2):
        filled(world, people, week=MONDAY + dt.timedelta(weeks=offset))
    _signed_in(client, world.finance)
    urls = ["/timesheets/approvals/", "/timesheets/missing/?weeks=26&until=2027-06-01"]
    few = [_queries(count_queries, client, url) for url in urls]
    for offset in range(2, 10):
        filled(world, people, week=MONDAY + dt.timedelta(weeks=offset), specify_minutes=30)
    many = [_queries(count_queries, client, url) for url in urls]
    assert few == many
