"""Pages of meetings: who may use them, the forms and their errors, the actions of a meeting's
page, its calendar file, and the lists with their constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.utils import timezone, translation

from pilotage.accounts.models import Membership
from pilotage.accounts.permissions import forget_grants
from pilotage.collaboration import services
from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
from pilotage.portfolio.models import Project
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
DELETES_CRM = ("admin", "pmo", "portfolio_manager")
READ_ONLY = ("viewer", "finance")
HIDDEN = ("outsider", "nobody")
EVERYONE = (*SEES_CRM, *HIDDEN)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local moment ``days`` from today, at a whole time of day."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_current_timezone()
    )


def meeting(
    w: World,
    *,
    days: int = 7,
    project: Project | None = None,
    title: str = "Steering committee",
    **values: Any,
) -> Meeting:
    values.setdefault("attendees", [w.viewer])
    return services.meeting_create(
        actor=w.admin,
        project=project or w.project,
        title=title,
        starts_at=_at(days, 10),
        ends_at=_at(days, 11, 30),
        **values,
    )


def held(w: World) -> Meeting:
    return meeting(w, days=-1)


def cancelled(w: World) -> Meeting:
    return services.meeting_cancel(actor=w.admin, meeting=meeting(w), reason="Sponsor away")


def form_data(w: World, **values: Any) -> dict[str, Any]:
    day = timezone.localdate() + dt.timedelta(days=10)
    data: dict[str, Any] = {
        "title": "Weekly status",
        "kind": MeetingKind.STATUS_REVIEW,
        "date": day.isoformat(),
        "starts_at": "09:30",
        "ends_at": "10:15",
        "location": "Room 4",
        "organiser": w.project_manager.pk,
        "attendees": [w.viewer.pk],
        "optional_attendees": [w.finance.pk],
        "guests": "Ann Vendor <ann@vendor.example>",
        "agenda": "Progress\nRisks",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _table(body: str, testid: str) -> str:
    """The rows of one of a list page's tables."""
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</table>", start)]


def _project(w: World, tail: str = "") -> str:
    return f"/projects/{w.project.pk}/meetings/{tail}"


class TestAccess(AccessMixin):
    access = [
        Access("project meetings", "get", _project, allowed=SEES_CRM, hidden=HIDDEN),
        Access(
            "plan form",
            "get",
            lambda w: _project(w, "new/"),
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "plan",
            "post",
            lambda w: _project(w, "new/"),
            data=form_data,
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "meeting",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit form",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/edit/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "post",
            lambda w: f"/meetings/{meeting(w).pk}/edit/",
            data=lambda w: form_data(w, title="Moved"),
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "minutes form",
            "get",
            lambda w: f"/meetings/{held(w).pk}/minutes/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "record minutes",
            "post",
            lambda w: f"/meetings/{held(w).pk}/minutes/",
            data=lambda w: {"minutes": "Go ahead."},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "cancel form",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/cancel/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "cancel",
            "post",
            lambda w: f"/meetings/{meeting(w).pk}/cancel/",
            data=lambda w: {"reason": "Sponsor away"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "reinstate",
            "post",
            lambda w: f"/meetings/{cancelled(w).pk}/reinstate/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete confirmation",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
        ),
        Access(
            "delete",
            "post",
            lambda w: f"/meetings/{meeting(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "calendar file",
            "get",
            lambda w: f"/meetings/{meeting(w).pk}/meeting.ics",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access("my meetings", "get", lambda w: "/meetings/", allowed=EVERYONE),
    ]


# Planning and editing -----------------------------------------------------------------------


def test_planning_a_meeting_saves_what_the_form_says(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    response = client.post(_project(world, "new/"), form_data(world))
    created = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{created.pk}/"
    local_start = timezone.localtime(created.starts_at)
    assert local_start.date() == timezone.localdate() + dt.timedelta(days=10)
    assert (local_start.hour, local_start.minute) == (9, 30)
    assert created.duration_minutes() == 45
    assert created.series is None
    assert list(created.attendees.all()) == [world.viewer]
    assert list(created.optional_attendees.all()) == [world.finance]
    assert created.organiser == world.project_manager
    page = client.get(response["Location"]).content.decode()
    assert "09:30–10:15" in page
    assert "Europe/Paris" in page
    assert "Ann Vendor" in page
    assert "Progress<br>Risks" in page


def test_a_series_of_three_is_planned_from_the_form(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    response = client.post(_project(world, "new/"), form_data(world, every_weeks="1", count="3"))
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert len(meetings) == 3
    assert response["Location"] == f"/meetings/{meetings[0].pk}/"
    assert len({m.series for m in meetings}) == 1
    assert meetings[0].series is not None
    local = [timezone.localtime(m.starts_at) for m in meetings]
    assert [t.date() - local[0].date() for t in local] == [dt.timedelta(weeks=n) for n in range(3)]
    assert {(t.hour, t.minute) for t in local} == {(9, 30)}
    page = client.get(f"/meetings/{meetings[1].pk}/").content.decode()
    assert "Part of a series: meeting 2 of 3" in page
    assert f'href="/meetings/{meetings[0].pk}/" rel="prev"' in page
    assert f'href="/meetings/{meetings[2].pk}/" rel="next"' in page


def test_an_end_before_the_start_is_shown_on_the_end_and_nothing_is_saved(
    client: Client, world: World
) -> None:
    client.force_login(world.project_manager)
    response = client.post(
        _project(world, "new/"),
        form_data(world, starts_at="10:00", ends_at="09:00", every_weeks="2", count="4"),
    )
    assert response.status_code == 200
    assert Meeting.objects.count() == 0
    form = response.context["form"]
    assert form.errors["ends_at"] == ["A meeting must end after it starts."]
    assert "A meeting must end after it starts." in response.content.decode()


def test_an_attendee_who_cannot_see_the_project_is_refused(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    response = client.post(_project(world, "new/"), form_data(world, attendees=[world.outsider.pk]))
    assert response.status_code == 200
    assert Meeting.objects.count() == 0
    assert "attendees" in response.context["form"].errors
    assert "outsider" not in response.content.decode()


def test_an_edit_names_an_attendee_who_lost_access(client: Client, world: World) -> None:
    item = meeting(world)
    Membership.objects.filter(user=world.viewer).delete()
    forget_grants(world.viewer)
    client.force_login(world.project_manager)
    response = client.post(
        f"/meetings/{item.pk}/edit/",
        form_data(world, title="Renamed", attendees=[world.viewer.pk], optional_attendees=[]),
    )
    assert response.status_code == 200
    message = f"{world.viewer.get_full_name()} cannot see the project CRM."
    assert response.context["form"].errors["attendees"] == [message]
    item.refresh_from_db()
    assert item.title == "Steering committee"


def test_the_edit_form_shows_the_local_times_and_saves_only_changes(
    client: Client, world: World
) -> None:
    item = meeting(world, guests="Bob <bob@example.org>")
    client.force_login(world.portfolio_manager)
    form = client.get(f"/meetings/{item.pk}/edit/").content.decode()
    assert 'value="10:00"' in form
    assert 'value="11:30"' in form
    assert "Number of meetings" not in form
    day = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        f"/meetings/{item.pk}/edit/",
        form_data(
            world,
            title="Steering committee",
            kind=item.kind,
            date=day.isoformat(),
            starts_at="10:00",
            ends_at="12:00",
            location="",
            organiser=world.admin.pk,
            optional_attendees=[],
            guests="Bob <bob@example.org>",
            agenda="",
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.duration_minutes() == 120
    assert item.sequence == 1


# The actions of a meeting's page ------------------------------------------------------------


def test_recording_minutes_marks_the_meeting_held(client: Client, world: World) -> None:
    future = meeting(world)
    past = held(world)
    client.force_login(world.project_manager)
    page = client.get(future.get_absolute_url()).content.decode()
    assert f"/meetings/{future.pk}/minutes/" not in page
    page = client.get(past.get_absolute_url()).content.decode()
    assert f"/meetings/{past.pk}/minutes/" in page
    response = client.post(
        f"/meetings/{past.pk}/minutes/", {"minutes": "Budget approved.\nNext gate in May."}
    )
    assert response["Location"] == past.get_absolute_url()
    past.refresh_from_db()
    assert past.status == MeetingStatus.HELD
    page = client.get(past.get_absolute_url()).content.decode()
    assert "Budget approved.<br>Next gate in May." in page
    refused = client.post(f"/meetings/{future.pk}/minutes/", {"minutes": "Too early"})
    assert refused.status_code == 200
    assert "has not started yet" in refused.content.decode()
    future.refresh_from_db()
    assert future.minutes == ""


def test_cancelling_then_reinstating_a_meeting(client: Client, world: World) -> None:
    item = meeting(world)
    client.force_login(world.project_manager)
    client.post(f"/meetings/{item.pk}/cancel/", {"reason": "Sponsor on leave"})
    item.refresh_from_db()
    assert item.status == MeetingStatus.CANCELLED
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Cancelled: Sponsor on leave" in page
    assert f"/meetings/{item.pk}/reinstate/" in page
    assert f"/meetings/{item.pk}/edit/" not in page
    client.post(f"/meetings/{item.pk}/reinstate/")
    item.refresh_from_db()
    assert item.status == MeetingStatus.PLANNED
    assert item.cancellation_reason == ""
    page = client.get(item.get_absolute_url()).content.decode()
    assert f"/meetings/{item.pk}/cancel/" in page


def test_deleting_a_meeting(client: Client, world: World) -> None:
    item = meeting(world)
    client.force_login(world.portfolio_manager)
    confirm = client.get(f"/meetings/{item.pk}/delete/").content.decode()
    assert "Steering committee" in confirm
    response = client.post(f"/meetings/{item.pk}/delete/")
    assert response["Location"] == _project(world)
    assert not Meeting.objects.filter(pk=item.pk).exists()


def test_the_calendar_file_holds_the_meeting(client: Client, world: World) -> None:
    item = meeting(world, optional_attendees=[world.finance])
    client.force_login(world.viewer)
    response = client.get(f"/meetings/{item.pk}/meeting.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="CRM-meeting-{item.pk}.ics"'
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{item.pk}@pilotage"
    assert str(event["STATUS"]) == "CONFIRMED"
    attendees: Any = event["ATTENDEE"]
    if not isinstance(attendees, list):
        attendees = [attendees]
    addresses = {str(address).lower() for address in attendees}
    assert addresses == {"mailto:viewer@example.com", "mailto:finance@example.com"}
    assert event.decoded("DTSTART") == item.starts_at
    services.meeting_cancel(actor=world.admin, meeting=item)
    again = icalendar.Calendar.from_ical(client.get(f"/meetings/{item.pk}/meeting.ics").content)
    assert str(again.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


# Lists ----------------------------------------------------------------------------------------


def test_the_project_list_puts_upcoming_first_and_past_newest_first(
    client: Client, world: World
) -> None:
    meeting(world, days=14, title="Gate review", kind=MeetingKind.GATE_REVIEW)
    meeting(world, days=2, title="Kick-off", kind=MeetingKind.KICK_OFF, location="Room 1")
    old = meeting(world, days=-20, title="Old workshop", kind=MeetingKind.WORKSHOP)
    services.meeting_record_minutes(actor=world.admin, meeting=old, minutes="Done")
    meeting(world, days=-3, title="Last review")
    meeting(world, project=world.other_project, title="Hidden one", attendees=[])
    client.force_login(world.viewer)
    body = client.get(_project(world)).content.decode()
    upcoming, past = _table(body, "upcoming-meetings"), _table(body, "past-meetings")
    assert upcoming.index("Kick-off") < upcoming.index("Gate review")
    assert "Old workshop" not in upcoming
    assert past.index("Last review") < past.index("Old workshop")
    assert past.count('data-testid="minutes-recorded"') == 1
    assert "Hidden one" not in body
    assert f'href="/projects/{world.project.pk}/export/ics/"' in body
    assert "Plan a meeting" not in body
    body = client.get(_project(world), {"kind": MeetingKind.GATE_REVIEW}).content.decode()
    assert "Gate review" in _table(body, "upcoming-meetings")
    assert "Kick-off" not in _table(body, "upcoming-meetings")
    body = client.get(_project(world), {"status": MeetingStatus.HELD}).content.decode()
    assert "Old workshop" in _table(body, "past-meetings")
    assert "Last review" not in _table(body, "past-meetings")
    partial = client.get(_project(world), {"q": "room 1"}, headers={"HX-Request": "true"})
    rows = _table(partial.content.decode(), "upcoming-meetings")
    assert "Kick-off" in rows
    assert "Gate review" not in rows
    assert b'<nav class="tabs' not in partial.content
    client.force_login(world.project_manager)
    assert "Plan a meeting" in client.get(_project(world)).content.decode()


def test_the_project_tab_leads_to_the_meetings(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    overview = client.get(f"/projects/{world.project.pk}/").content.decode()
    assert f'<a href="{_project(world)}">Meetings</a>' in overview
    tab = client.get(_project(world)).content.decode()
    assert f'<a href="{_project(world)}" aria-current="page">Meetings</a>' in tab


def test_my_meetings_lists_only_mine(client: Client, world: World) -> None:
    meeting(world, title="Invited required", attendees=[world.viewer])
    meeting(world, title="Invited optional", attendees=[], optional_attendees=[world.viewer])
    meeting(world, title="Not invited", attendees=[world.finance])
    meeting(world, title="Organised", attendees=[], organiser=world.viewer, days=-2)
    meeting(world, title="Other portfolio", project=world.other_project, attendees=[world.admin])
    client.force_login(world.viewer)
    body = client.get("/meetings/").content.decode()
    for title in ("Invited required", "Invited optional", "Organised"):
        assert title in body
    assert "Not invited" not in body
    assert "Other portfolio" not in body
    for part in ("Attendee", "Optional", "Organiser"):
        assert f'<td data-label="You">{part}</td>' in body
    assert '<a class="button" href="/calendar/">Calendar subscription</a>' in body
    upcoming, past = _table(body, "upcoming-meetings"), _table(body, "past-meetings")
    assert "Organised" in past
    assert "Organised" not in upcoming
    assert "My meetings" in client.get("/calendar/").content.decode()


@pytest.mark.parametrize("url", [lambda w: _project(w), lambda w: "/meetings/"])
def test_the_lists_make_the_same_number_of_queries_for_more_meetings(
    client: Client,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    url: Callable[[World], str],
) -> None:
    def add(number: int) -> None:
        item = meeting(
            world,
            days=(number + 1) * (-1 if number % 2 else 1),
            title=f"Meeting {number}",
            attendees=[world.viewer, world.project_manager],
            optional_attendees=[world.finance],
            organiser=world.viewer if number % 2 else world.project_manager,
            guests="Ann <ann@example.org>",
        )
        if number % 3 == 0 and item.starts_at < timezone.now():
            services.meeting_record_minutes(actor=world.admin, meeting=item, minutes="Noted")

    client.force_login(world.viewer)
    address = url(world)
    for number in range(2):
        add(number)
    client.get(address)
    few = count_queries(lambda: client.get(address))
    for number in range(2, 10):
        add(number)
    assert count_queries(lambda: client.get(address)) == few
