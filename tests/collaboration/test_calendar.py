"""Meetings as iCalendar events: who is invited, how calendar programs show them and their
changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import translation

from pilotage.accounts.models import Role, User
from pilotage.collaboration import services
from pilotage.collaboration.calendar import meeting_calendar, meeting_events
from pilotage.collaboration.models import Meeting, MeetingKind
from pilotage.collaboration.selectors import meeting_list
from pilotage.interop.ical import write_ics
from tests.factories import MembershipFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
BASE_URL = "https://pilotage.example.org/"
START = dt.datetime(2026, 6, 16, 14, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def member(world: World, username: str, email: str, first: str, last: str) -> User:
    user: User = UserFactory(username=username, email=email, first_name=first, last_name=last)
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=world.project)
    return user


def steering(world: World, **values: object) -> Meeting:
    """A steering committee with people with and without usable addresses."""
    world.project_manager.first_name, world.project_manager.last_name = "Paul", "Martin"
    world.project_manager.save()
    ada = member(world, "ada", "ada@example.com", "Ada", "Lovelace")
    grace = member(world, "grace", "", "Grace", "Hopper")
    alan = member(world, "alan", "alan@example.com", "Alan", "Turing")
    broken = member(world, "edsger", "edsger at example", "Edsger", "Dijkstra")
    chosen: dict[str, object] = {
        "kind": MeetingKind.STEERING_COMMITTEE,
        "location": "Board room",
        "online_url": "https://meet.example.org/crm-steerco",
        "attendees": [ada, grace, broken],
        "optional_attendees": [alan],
        "guests": "Jane Roe <jane.roe@supplier.example>\nBob Stone\nops@supplier.example",
        "agenda": "1. Budget\n2. Go-live date",
    }
    chosen.update(values)
    return services.meeting_create(
        actor=world.project_manager,
        project=world.project,
        title="Steering committee",
        starts_at=START,
        ends_at=START + dt.timedelta(minutes=90),
        **chosen,
    )


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def only_event(data: bytes) -> icalendar.Event:
    (event,) = parse(data).walk("VEVENT")
    return event


def attendees_of(event: icalendar.Event) -> dict[str, dict[str, str]]:
    """The attendees by address, with their parameters."""
    found = event.get("ATTENDEE", [])
    if not isinstance(found, list):
        found = [found]
    return {str(address): dict(address.params) for address in found}


def test_a_meeting_is_a_busy_event_with_its_organiser_and_attendees(world: World) -> None:
    meeting = steering(world)
    event = only_event(meeting_calendar(meeting, base_url=BASE_URL))
    assert str(event["UID"]) == f"meeting-{meeting.pk}@pilotage"
    assert str(event["SUMMARY"]) == "CRM: Steering committee"
    assert str(event["TRANSP"]) == "OPAQUE"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == "Board room"
    assert str(event["URL"]) == f"https://pilotage.example.org/meetings/{meeting.pk}/"
    assert [str(category) for category in event["CATEGORIES"].cats] == [
        "Meeting",
        "Steering committee",
        "CRM",
    ]
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:pm@example.com"
    assert organizer.params["CN"] == "Paul Martin"
    assert "ROLE" not in organizer.params
    attendees = attendees_of(event)
    assert set(attendees) == {
        "mailto:ada@example.com",
        "mailto:alan@example.com",
        "mailto:jane.roe@supplier.example",
        "mailto:ops@supplier.example",
    }
    assert attendees["mailto:ada@example.com"]["CN"] == "Ada Lovelace"
    assert attendees["mailto:ada@example.com"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:alan@example.com"]["ROLE"] == "OPT-PARTICIPANT"
    assert attendees["mailto:jane.roe@supplier.example"]["CN"] == "Jane Roe"
    assert attendees["mailto:jane.roe@supplier.example"]["ROLE"] == "REQ-PARTICIPANT"


def test_people_without_a_usable_address_are_named_in_the_description(world: World) -> None:
    meeting = steering(world)
    event = only_event(meeting_calendar(meeting))
    description = str(event["DESCRIPTION"])
    lines = description.splitlines()
    assert lines[0] == "Steering committee of CRM New CRM."
    assert "Join online: https://meet.example.org/crm-steerco" in lines
    (also,) = [line for line in lines if line.startswith("Also invited: ")]
    assert set(also.removeprefix("Also invited: ").split(", ")) == {
        "Grace Hopper",
        "Edsger Dijkstra",
        "Bob Stone",
    }
    assert description.endswith("Agenda:\n1. Budget\n2. Go-live date")
    # Someone whose stored address is unusable is not written as an attendee.
    assert not any("edsger" in address for address in attendees_of(event))


def test_times_are_written_in_the_paris_time_zone(world: World) -> None:
    meeting = steering(world)
    calendar = parse(meeting_calendar(meeting))
    event = only_event(meeting_calendar(meeting))
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == dt.datetime(2026, 6, 16, 15, 30, tzinfo=PARIS)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(calendar["X-WR-CALNAME"]) == "CRM: Steering committee"


def test_without_a_base_address_there_is_no_url(world: World) -> None:
    (event,) = meeting_events([steering(world)])
    assert event.url == ""
    assert "URL" not in only_event(meeting_calendar(Meeting.objects.get()))


def test_an_organiser_without_an_address_is_left_out(world: World) -> None:
    world.project_manager.email = ""
    world.project_manager.save()
    event = only_event(meeting_calendar(steering(world)))
    assert "ORGANIZER" not in event
    assert "mailto:ada@example.com" in attendees_of(event)


def test_the_location_falls_back_to_the_online_link(world: World) -> None:
    meeting = steering(world, location="")
    assert str(only_event(meeting_calendar(meeting))["LOCATION"]) == (
        "https://meet.example.org/crm-steerco"
    )


def test_changes_raise_the_sequence_and_a_cancelled_meeting_stays_struck_out(
    world: World,
) -> None:
    meeting = steering(world)
    first = only_event(meeting_calendar(meeting))
    assert first.get("SEQUENCE", 0) == 0
    services.meeting_update(
        actor=world.project_manager, meeting=meeting, starts_at=START - dt.timedelta(hours=1)
    )
    services.meeting_cancel(actor=world.project_manager, meeting=meeting, reason="Sponsor away")
    meeting.refresh_from_db()
    event = only_event(meeting_calendar(meeting))
    assert str(event["UID"]) == str(first["UID"])
    assert event.decoded("SEQUENCE") == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Cancelled: Sponsor away" in str(event["DESCRIPTION"]).splitlines()
    assert event.decoded("DTSTART") == START - dt.timedelta(hours=1)


def test_a_held_meeting_stays_confirmed(world: World) -> None:
    meeting = steering(world)
    services.meeting_record_minutes(
        actor=world.project_manager,
        meeting=meeting,
        minutes="Budget approved.",
        now=START + dt.timedelta(hours=2),
    )
    meeting.refresh_from_db()
    event = only_event(meeting_calendar(meeting))
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Budget approved" not in str(event["DESCRIPTION"])


def test_several_meetings_make_one_calendar(world: World) -> None:
    steering(world)
    services.meeting_series_create(
        actor=world.project_manager,
        project=world.project,
        count=3,
        title="Weekly status review",
        starts_at=START + dt.timedelta(days=1),
        ends_at=START + dt.timedelta(days=1, minutes=30),
    )
    events = meeting_events(meeting_list(user=world.pmo), base_url=BASE_URL)
    data = write_ics(events, name="CRM", time_zone="Europe/Paris")
    parsed = parse(data).walk("VEVENT")
    assert len(parsed) == 4
    assert len({str(event["UID"]) for event in parsed}) == 4
    assert sorted(str(event["SUMMARY"]) for event in parsed) == [
        "CRM: Steering committee",
        "CRM: Weekly status review",
        "CRM: Weekly status review",
        "CRM: Weekly status review",
    ]
    assert {str(event["TRANSP"]) for event in parsed} == {"OPAQUE"}
