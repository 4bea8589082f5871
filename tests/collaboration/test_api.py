"""The API of meetings: who may call each operation, series and time zones, revisions, the
calendar file, filters, and a constant number of queries for the lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation

from pilotage.collaboration import services
from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
from tests.access import Access, AccessMixin
from tests.api.client import error_of
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
DELETES_CRM = ("admin", "pmo", "portfolio_manager")
READ_ONLY = ("viewer", "finance")
HIDDEN = ("outsider", "nobody")
EVERYONE = (*SEES_CRM, *HIDDEN)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def paris(settings: Any) -> Iterator[None]:
    settings.TIME_ZONE = "Europe/Paris"
    with translation.override("en"):
        yield


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Paris."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def meeting(w: World, **values: Any) -> Meeting:
    """A steering committee of CRM in the future, organised by the project manager."""
    values.setdefault("title", "Steering committee")
    values.setdefault("starts_at", at(2031, 3, 4, 10))
    values.setdefault("ends_at", values["starts_at"] + dt.timedelta(hours=1))
    values.setdefault("organiser", w.project_manager)
    values.setdefault("kind", MeetingKind.STEERING_COMMITTEE)
    return services.meeting_create(actor=w.admin, project=w.project, **values)


def past_meeting(w: World) -> Meeting:
    return meeting(w, title="Kick-off", starts_at=at(2024, 1, 8, 9), kind=MeetingKind.KICK_OFF)


def cancelled_meeting(w: World) -> Meeting:
    return services.meeting_cancel(actor=w.admin, meeting=meeting(w), reason="Sponsor away")


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post("/api/v1" + url, json.dumps(data or {}), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch("/api/v1" + url, json.dumps(data), content_type="application/json")


def _new(w: World) -> dict[str, Any]:
    return {
        "title": "Weekly status",
        "starts_at": "2031-03-04T10:00:00+01:00",
        "ends_at": "2031-03-04T10:30:00+01:00",
    }


class TestAccess(AccessMixin):
    access = [
        operation(
            "project meetings",
            "get",
            lambda w: f"/projects/{w.project.pk}/meetings",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "plan meeting",
            "post",
            lambda w: f"/projects/{w.project.pk}/meetings",
            data=_new,
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation("my meetings", "get", lambda w: "/meetings", allowed=EVERYONE),
        operation(
            "get meeting",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change meeting",
            "patch",
            lambda w: f"/meetings/{meeting(w).pk}",
            data=lambda w: {"location": "Room 4"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete meeting",
            "delete",
            lambda w: f"/meetings/{meeting(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
        operation(
            "cancel meeting",
            "post",
            lambda w: f"/meetings/{meeting(w).pk}/cancel",
            data=lambda w: {"reason": "Sponsor away"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "reinstate meeting",
            "post",
            lambda w: f"/meetings/{cancelled_meeting(w).pk}/reinstate",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "record minutes",
            "post",
            lambda w: f"/meetings/{past_meeting(w).pk}/minutes",
            data=lambda w: {"minutes": "Scope agreed."},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "calendar file",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/ics",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
    ]


def test_a_series_planned_through_the_api_keeps_its_local_time(
    client: Client, world: World
) -> None:
    client.force_login(world.project_manager)
    response = post(
        client,
        f"/projects/{world.project.pk}/meetings",
        {
            "title": "Design review",
            "kind": "workshop",
            # Paris moves to summer time on 29 March 2026, between the first two meetings.
            "starts_at": "2026-03-23T10:00:00+01:00",
            "ends_at": "2026-03-23T11:30:00+01:00",
            "location": "Room 4",
            "attendee_ids": [world.viewer.pk],
            "optional_attendee_ids": [world.finance.pk],
            "guests": "Ada Lovelace <ada@example.com>",
            "agenda": "1. Screens",
            "repeat_count": 3,
            "every_weeks": 2,
        },
    )
    assert response.status_code == 201, response.content
    planned = response.json()
    assert [item["starts_at"] for item in planned] == [
        "2026-03-23T10:00:00+01:00",
        "2026-04-06T10:00:00+02:00",
        "2026-04-20T10:00:00+02:00",
    ]
    assert [item["ends_at"][11:] for item in planned] == ["11:30:00+01:00"] + 2 * ["11:30:00+02:00"]
    first = planned[0]
    assert first["series"] is not None
    assert {item["series"] for item in planned} == {first["series"]}
    assert first["project"]["code"] == "CRM"
    assert first["kind"] == "workshop"
    assert first["status"] == "planned"
    assert first["duration_minutes"] == 90
    assert first["organiser"]["username"] == world.project_manager.username
    assert [person["username"] for person in first["attendees"]] == [world.viewer.username]
    assert [person["username"] for person in first["optional_attendees"]] == ["finance"]
    assert first["guests"] == "Ada Lovelace <ada@example.com>"
    assert first["url"] == f"http://testserver/meetings/{first['id']}/"
    assert Meeting.objects.filter(project=world.project).count() == 3


def test_a_single_meeting_has_no_series_and_its_organiser_may_be_given(
    client: Client, world: World
) -> None:
    client.force_login(world.portfolio_manager)
    response = post(
        client,
        f"/projects/{world.project.pk}/meetings",
        {**_new(world), "organiser_id": world.project_manager.pk},
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()
    assert created["series"] is None
    assert created["organiser"]["username"] == world.project_manager.username


def test_a_time_without_its_offset_is_refused(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    response = post(
        client,
        f"/projects/{world.project.pk}/meetings",
        {"title": "Status", "starts_at": "2031-03-04T10:00:00", "ends_at": "2031-03-04T11:00:00"},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert {"starts_at", "ends_at"} <= set(error["fields"])
    assert "time zone" in error["fields"]["starts_at"][0]
    changed = patch(client, f"/meetings/{meeting(world).pk}", {"starts_at": "2031-03-05T10:00"})
    assert changed.status_code == 422
    assert "starts_at" in error_of(changed)["fields"]
    assert Meeting.objects.count() == 1


def test_errors_name_the_fields_of_the_request(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    url = f"/projects/{world.project.pk}/meetings"
    backwards = post(client, url, {**_new(world), "ends_at": "2031-03-04T09:00:00+01:00"})
    assert set(error_of(backwards)["fields"]) == {"ends_at"}
    blind = post(client, url, {**_new(world), "attendee_ids": [world.outsider.pk]})
    assert blind.status_code == 422
    assert "cannot see the project" in error_of(blind)["fields"]["attendee_ids"][0]
    unknown = post(client, url, {**_new(world), "optional_attendee_ids": [99999]})
    assert set(error_of(unknown)["fields"]) == {"optional_attendee_ids"}
    too_many = post(client, url, {**_new(world), "repeat_count": 53})
    assert set(error_of(too_many)["fields"]) == {"repeat_count"}
    guests = post(client, url, {**_new(world), "guests": "Bob <not an address>"})
    assert set(error_of(guests)["fields"]) == {"guests"}
    naive_series = post(
        client,
        url,
        {**_new(world), "starts_at": "2031-03-04T10:00:00", "repeat_count": 2},
    )
    assert "starts_at" in error_of(naive_series)["fields"]
    assert Meeting.objects.count() == 0


def test_changes_calendars_show_raise_the_revision(client: Client, world: World) -> None:
    item = meeting(world, attendees=[world.viewer])
    client.force_login(world.project_manager)
    url = f"/meetings/{item.pk}"
    moved = patch(
        client,
        url,
        {"starts_at": "2031-03-04T14:00:00+01:00", "ends_at": "2031-03-04T15:00:00+01:00"},
    )
    assert moved.status_code == 200, moved.content
    body = moved.json()
    assert (body["starts_at"], body["sequence"]) == ("2031-03-04T14:00:00+01:00", 1)
    assert body["title"] == "Steering committee"
    invited = patch(client, url, {"attendee_ids": [world.viewer.pk, world.finance.pk]}).json()
    assert invited["sequence"] == 2
    assert {person["username"] for person in invited["attendees"]} == {"viewer", "finance"}
    noted = patch(client, url, {"minutes": "Draft notes"}).json()
    assert (noted["minutes"], noted["sequence"]) == ("Draft notes", 2)
    null_title = patch(client, url, {"title": None})
    assert set(error_of(null_title)["fields"]) == {"title"}


def test_a_cancelled_meeting_is_struck_out_of_its_calendar_file(
    client: Client, world: World
) -> None:
    item = meeting(world, location="Room 4")
    client.force_login(world.project_manager)
    before = client.get(f"/api/v1/meetings/{item.pk}/ics")
    assert before["Content-Type"].startswith("text/calendar")
    assert "STATUS:CONFIRMED" in before.content.decode()
    cancelled = post(client, f"/meetings/{item.pk}/cancel", {"reason": "Sponsor away"})
    assert cancelled.status_code == 200, cancelled.content
    body = cancelled.json()
    assert (body["status"], body["cancellation_reason"]) == ("cancelled", "Sponsor away")
    calendar = client.get(f"/api/v1/meetings/{item.pk}/ics")
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")
    assert "attachment" in calendar["Content-Disposition"]
    text = calendar.content.decode().replace("\r\n ", "")
    assert "STATUS:CANCELLED" in text
    assert f"SEQUENCE:{body['sequence']}" in text
    assert "Sponsor away" in text
    assert f"http://testserver/meetings/{item.pk}/" in text
    refused = patch(client, f"/meetings/{item.pk}", {"location": "Room 5"})
    assert refused.status_code == 422
    assert "Reinstate" in error_of(refused)["message"]
    again = post(client, f"/meetings/{item.pk}/cancel")
    assert again.status_code == 422
    reinstated = post(client, f"/meetings/{item.pk}/reinstate").json()
    assert (reinstated["status"], reinstated["cancellation_reason"]) == ("planned", "")
    assert "STATUS:CONFIRMED" in client.get(f"/api/v1/meetings/{item.pk}/ics").content.decode()


def test_minutes_mark_a_meeting_held_once_it_has_started(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    future = post(client, f"/meetings/{meeting(world).pk}/minutes", {"minutes": "Too early"})
    assert future.status_code == 422
    assert "not started" in error_of(future)["message"]
    past = past_meeting(world)
    empty = post(client, f"/meetings/{past.pk}/minutes", {"minutes": "  "})
    assert set(error_of(empty)["fields"]) == {"minutes"}
    held = post(client, f"/meetings/{past.pk}/minutes", {"minutes": "Scope agreed."}).json()
    assert (held["status"], held["minutes"]) == ("held", "Scope agreed.")


def test_deleting_a_meeting(client: Client, world: World) -> None:
    item = meeting(world)
    client.force_login(world.portfolio_manager)
    assert client.delete(f"/api/v1/meetings/{item.pk}").status_code == 204
    assert client.get(f"/api/v1/meetings/{item.pk}").status_code == 404
    assert not Meeting.objects.filter(pk=item.pk).exists()


def test_the_project_list_filters(client: Client, world: World) -> None:
    past_meeting(world)
    meeting(world, title="Steering committee", starts_at=at(2031, 3, 4, 10))
    meeting(
        world,
        title="Data workshop",
        starts_at=at(2031, 3, 5, 14),
        kind=MeetingKind.WORKSHOP,
        agenda="Migration of the accounts",
    )
    cancelled = meeting(world, title="Board", starts_at=at(2031, 3, 6, 9))
    services.meeting_cancel(actor=world.admin, meeting=cancelled)
    services.meeting_create(
        actor=world.admin,
        project=world.sibling_project,
        title="HR steering",
        starts_at=at(2031, 3, 4, 10),
        ends_at=at(2031, 3, 4, 11),
    )
    client.force_login(world.viewer)
    url = f"/api/v1/projects/{world.project.pk}/meetings"

    def titles(**params: Any) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]

    assert titles() == ["Kick-off", "Steering committee", "Data workshop", "Board"]
    assert titles(since="2031-03-05") == ["Data workshop", "Board"]
    assert titles(until="2031-03-05") == ["Kick-off", "Steering committee", "Data workshop"]
    assert titles(since="2031-03-04T10:30:00+01:00", until="2031-03-05T12:00:00+01:00") == [
        "Steering committee"
    ]
    assert titles(status="cancelled") == ["Board"]
    assert titles(kind="workshop") == ["Data workshop"]
    assert titles(search="accounts") == ["Data workshop"]
    page = client.get(url, {"limit": 2, "offset": 1}).json()
    assert (page["count"], [item["title"] for item in page["items"]]) == (
        4,
        ["Steering committee", "Data workshop"],
    )
    wrong = client.get(url, {"since": "next week"})
    assert set(error_of(wrong)["fields"]) == {"since"}
    assert client.get(url, {"status": "postponed"}).status_code == 422


def test_my_meetings_are_those_i_organise_or_am_invited_to(client: Client, world: World) -> None:
    meeting(world, title="Organised", organiser=world.project_manager)
    meeting(world, title="Invited", organiser=world.admin, attendees=[world.viewer])
    meeting(world, title="Optional", organiser=world.admin, optional_attendees=[world.viewer])
    meeting(world, title="Earlier", organiser=world.admin, starts_at=at(2024, 5, 6, 9))
    meeting(world, title="Other people's", organiser=world.admin)
    past = meeting(world, title="Long ago", starts_at=at(2024, 1, 8, 9), attendees=[world.viewer])
    client.force_login(world.viewer)
    mine = client.get("/api/v1/meetings").json()
    assert [item["title"] for item in mine["items"]] == ["Long ago", "Invited", "Optional"]
    upcoming = client.get("/api/v1/meetings", {"since": "2025-01-01"}).json()
    assert [item["title"] for item in upcoming["items"]] == ["Invited", "Optional"]
    assert past.pk not in {item["id"] for item in upcoming["items"]}
    client.force_login(world.outsider)
    assert client.get("/api/v1/meetings").json()["count"] == 0


@pytest.mark.parametrize(
    ("url", "who"),
    [
        (lambda w: f"/api/v1/projects/{w.project.pk}/meetings", "project_manager"),
        (lambda w: "/api/v1/meetings", "viewer"),
    ],
    ids=["project", "mine"],
)
def test_list_endpoints_make_the_same_number_of_queries(
    client: Client,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    url: Callable[[World], str],
    who: str,
) -> None:
    def add(count: int) -> None:
        for index in range(count):
            meeting(
                world,
                starts_at=at(2031, 3, 4 + index, 10),
                attendees=[world.viewer, world.finance],
                optional_attendees=[world.portfolio_manager],
            )

    client.force_login(world.user(who))
    path = url(world)
    add(2)
    client.get(path)
    few = count_queries(lambda: client.get(path))
    add(8)
    assert count_queries(lambda: client.get(path)) == few
    assert client.get(path).json()["count"] == 10


def test_the_meeting_operations_are_described(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/projects/{project_id}/meetings",
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/meetings/{meeting_id}/cancel",
        "/api/v1/meetings/{meeting_id}/reinstate",
        "/api/v1/meetings/{meeting_id}/minutes",
        "/api/v1/meetings/{meeting_id}/ics",
    ]:
        assert path in paths, path
    assert paths["/api/v1/meetings/{meeting_id}/ics"]["get"]["tags"] == ["meetings"]
    assert (
        "text/calendar"
        in paths["/api/v1/meetings/{meeting_id}/ics"]["get"]["responses"]["200"]["content"]
    )
    assert MeetingStatus.CANCELLED in schema["components"]["schemas"]["MeetingStatus"]["enum"]
