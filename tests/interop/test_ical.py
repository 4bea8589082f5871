"""Writing iCalendar files of a plan's dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from pilotage.interop.ical import PRODUCT_ID, CalendarEvent, write_ics

STAMP = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def write(events: list[CalendarEvent], **options: Any) -> bytes:
    settings: dict[str, Any] = {"name": "Office move", "time_zone": "Europe/Paris"}
    settings.update(options)
    return write_ics(events, stamp=STAMP, **settings)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events_of(data: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in parse(data).walk("VEVENT")}


def content_lines(data: bytes) -> list[str]:
    """The logical lines of the file, unfolded."""
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


class TestTheCalendar:
    def test_calendar_properties(self) -> None:
        calendar = parse(write([], description="Dates of the office move"))
        assert str(calendar["PRODID"]) == PRODUCT_ID == "-//Pilotage//Pilotage//EN"
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["CALSCALE"]) == "GREGORIAN"
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert str(calendar["X-WR-CALNAME"]) == "Office move"
        assert str(calendar["NAME"]) == "Office move"
        assert str(calendar["X-WR-CALDESC"]) == "Dates of the office move"
        assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"

    def test_the_file_uses_crlf_and_folds_long_lines(self) -> None:
        data = write([CalendarEvent("t1@pilotage", "x" * 200, datetime(2026, 3, 2, 8))])
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b"")
        assert max(len(line) for line in data.split(b"\r\n")) <= 75

    def test_the_same_events_give_the_same_file(self) -> None:
        events = [
            CalendarEvent(
                "t1@pilotage", "Design", datetime(2026, 3, 2, 8), datetime(2026, 3, 6, 17)
            )
        ]
        assert write(events) == write(events)

    def test_the_structure_matches_a_published_all_day_calendar(self) -> None:
        data = write([CalendarEvent("t1@pilotage", "Go-live", date(2026, 3, 9))])
        lines = content_lines(data)
        assert lines[:5] == [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODUCT_ID}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
        ]
        event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT") + 1]
        assert "DTSTART;VALUE=DATE:20260309" in event
        assert "DTEND;VALUE=DATE:20260310" in event
        assert "DTSTAMP:20260105T120000Z" in event
        assert "UID:t1@pilotage" in event
        assert "TRANSP:TRANSPARENT" in event
        assert "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE" in event
        assert lines[-2:] == ["END:VCALENDAR", ""]


class TestEvents:
    def test_every_field_reads_back(self) -> None:
        data = write(
            [
                CalendarEvent(
                    uid="task-7@pilotage.example.org",
                    summary="Build the walls",
                    start=datetime(2026, 3, 2, 8),
                    end=datetime(2026, 3, 6, 17),
                    description="Masonry of the ground floor",
                    url="https://pilotage.example.org/projects/3/tasks/7",
                    location="Site A",
                    categories=("Task", "Critical"),
                    status="confirmed",
                    last_modified=datetime(2026, 2, 1, 10, 30),
                )
            ]
        )
        event = events_of(data)["task-7@pilotage.example.org"]
        assert str(event["SUMMARY"]) == "Build the walls"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == datetime(2026, 3, 2, 8, tzinfo=PARIS)
        assert start.tzinfo is not None
        assert str(start.tzinfo) == "Europe/Paris"
        assert end == datetime(2026, 3, 6, 17, tzinfo=PARIS)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert str(event["DESCRIPTION"]) == "Masonry of the ground floor"
        assert str(event["URL"]) == "https://pilotage.example.org/projects/3/tasks/7"
        assert str(event["LOCATION"]) == "Site A"
        assert [str(category) for category in event["CATEGORIES"].cats] == ["Task", "Critical"]
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("DTSTAMP") == STAMP
        # 10:30 in Paris in February is 09:30 UTC.
        assert event.decoded("LAST-MODIFIED") == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
        assert str(event["TRANSP"]) == "TRANSPARENT"

    def test_commas_semicolons_newlines_and_non_ascii_text_survive(self) -> None:
        summary = "Réunion: budget, planning; «été» 2026 ✓"
        description = "Première ligne, avec; ponctuation\nDeuxième ligne \\ fin"
        data = write(
            [
                CalendarEvent(
                    "meeting-1@pilotage",
                    summary,
                    datetime(2026, 7, 1, 14),
                    datetime(2026, 7, 1, 15, 30),
                    description=description,
                    location="Salle 3, Lyon; 2e étage",
                    categories=("Comité, pilotage", "Été"),
                )
            ]
        )
        event = events_of(data)["meeting-1@pilotage"]
        assert str(event["SUMMARY"]) == summary
        assert str(event["DESCRIPTION"]) == description
        assert str(event["LOCATION"]) == "Salle 3, Lyon; 2e étage"
        assert [str(category) for category in event["CATEGORIES"].cats] == [
            "Comité, pilotage",
            "Été",
        ]
        raw = content_lines(data)
        assert "SUMMARY:Réunion: budget\\, planning\\; «été» 2026 ✓" in raw

    def test_a_vtimezone_describes_the_zone_of_the_times(self) -> None:
        data = write(
            [
                CalendarEvent("winter", "Winter", datetime(2026, 1, 12, 9)),
                CalendarEvent("summer", "Summer", datetime(2027, 7, 12, 9)),
            ]
        )
        zones = parse(data).walk("VTIMEZONE")
        assert [str(zone["TZID"]) for zone in zones] == ["Europe/Paris"]
        events = events_of(data)
        # The same wall-clock time is 08:00 UTC in winter and 07:00 UTC in summer.
        assert events["winter"].decoded("DTSTART").astimezone(UTC).hour == 8
        assert events["summer"].decoded("DTSTART").astimezone(UTC).hour == 7

    def test_utc_times_end_with_z_and_need_no_vtimezone(self) -> None:
        data = write(
            [CalendarEvent("a", "A", datetime(2026, 3, 2, 8), datetime(2026, 3, 2, 9))],
            time_zone="UTC",
        )
        assert "DTSTART:20260302T080000Z" in content_lines(data)
        assert parse(data).walk("VTIMEZONE") == []

    def test_an_aware_time_is_converted_to_the_calendar_zone(self) -> None:
        new_york = timezone(timedelta(hours=-5))
        data = write([CalendarEvent("a", "A", datetime(2026, 3, 2, 3, tzinfo=new_york))])
        assert "DTSTART;TZID=Europe/Paris:20260302T090000" in content_lines(data)


class TestAllDayEventsAndMilestones:
    def test_an_all_day_event_ends_the_day_after_its_last_day(self) -> None:
        data = write(
            [
                CalendarEvent("one", "One day", date(2026, 3, 9)),
                CalendarEvent("week", "Week", date(2026, 3, 2), date(2026, 3, 6)),
                CalendarEvent(
                    "task",
                    "Task",
                    datetime(2026, 3, 2, 8),
                    datetime(2026, 3, 6, 17),
                    all_day=True,
                ),
                CalendarEvent(
                    "midnight", "Midnight", datetime(2026, 3, 2), datetime(2026, 3, 7), all_day=True
                ),
            ]
        )
        events = events_of(data)
        spans = {
            uid: (event.decoded("DTSTART"), event.decoded("DTEND")) for uid, event in events.items()
        }
        assert spans == {
            "one": (date(2026, 3, 9), date(2026, 3, 10)),
            "week": (date(2026, 3, 2), date(2026, 3, 7)),
            "task": (date(2026, 3, 2), date(2026, 3, 7)),
            "midnight": (date(2026, 3, 2), date(2026, 3, 7)),
        }
        assert events["week"]["DTSTART"].params["VALUE"] == "DATE"
        assert parse(data).walk("VTIMEZONE") == []

    def test_a_milestone_is_an_instant_without_an_end(self) -> None:
        moment = datetime(2026, 3, 17, 17)
        data = write(
            [
                CalendarEvent("m1", "Offices ready", moment, moment),
                CalendarEvent("m2", "Keys handed over", moment),
            ]
        )
        for event in events_of(data).values():
            assert event.decoded("DTSTART") == moment.replace(tzinfo=PARIS)
            assert "DTEND" not in event
            assert "DURATION" not in event

    def test_a_timed_event_ending_on_a_date_ends_at_the_end_of_that_day(self) -> None:
        data = write([CalendarEvent("a", "A", datetime(2026, 3, 2, 8), date(2026, 3, 3))])
        assert events_of(data)["a"].decoded("DTEND") == datetime(2026, 3, 4, tzinfo=PARIS)


class TestErrors:
    @pytest.mark.parametrize(
        ("events", "message"),
        [
            (
                [CalendarEvent("a", "A", datetime(2026, 3, 2, 9), datetime(2026, 3, 2, 8))],
                "Event 'a': the end 2026-03-02 08:00:00 is before the start 2026-03-02 09:00:00",
            ),
            (
                [CalendarEvent("a", "A", date(2026, 3, 2), date(2026, 3, 1))],
                "Event 'a': the end 2026-03-01 is before the start 2026-03-02",
            ),
            (
                [
                    CalendarEvent("a", "A", date(2026, 3, 2)),
                    CalendarEvent("a", "B", date(2026, 3, 3)),
                ],
                "Event 'a': the UID is used twice",
            ),
            (
                [CalendarEvent(" ", "Nameless", date(2026, 3, 2))],
                "Event 'Nameless': the UID is empty",
            ),
            (
                [CalendarEvent("a", "A", date(2026, 3, 2), status="done")],
                "Event 'a': the status 'done' is not one of TENTATIVE, CONFIRMED, CANCELLED",
            ),
        ],
    )
    def test_bad_events_are_named(self, events: list[CalendarEvent], message: str) -> None:
        with pytest.raises(ValueError, match="^" + message.replace("(", r"\(") + "$"):
            write(events)

    def test_an_unknown_time_zone(self) -> None:
        with pytest.raises(ValueError, match="'Europe/Atlantis' is not a time zone name"):
            write([], time_zone="Europe/Atlantis")


# Meetings: busy time, organiser, attendees and revisions ----------------------------------------


def meeting_event(**values: Any) -> CalendarEvent:
    from pilotage.interop.ical import Attendee

    settings: dict[str, Any] = {
        "uid": "meeting-1@pilotage",
        "summary": "Steering committee",
        "start": datetime(2026, 6, 16, 14),
        "end": datetime(2026, 6, 16, 15, 30),
        "busy": True,
        "organizer": Attendee("Paul Martin", "paul.martin@example.com"),
        "attendees": (
            Attendee("Ada Lovelace", "ada@example.com"),
            Attendee("Alan Turing", "alan@example.com", optional=True),
        ),
        "sequence": 3,
    }
    settings.update(values)
    return CalendarEvent(**settings)


def test_a_meeting_is_busy_with_its_organizer_attendees_and_sequence() -> None:
    event = events_of(write([meeting_event()]))["meeting-1@pilotage"]
    assert str(event["TRANSP"]) == "OPAQUE"
    assert event.decoded("SEQUENCE") == 3
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:paul.martin@example.com"
    assert organizer.params["CN"] == "Paul Martin"
    assert "ROLE" not in organizer.params
    attendees = {str(address): address.params for address in event["ATTENDEE"]}
    assert list(attendees) == ["mailto:ada@example.com", "mailto:alan@example.com"]
    assert attendees["mailto:ada@example.com"]["CN"] == "Ada Lovelace"
    assert attendees["mailto:ada@example.com"]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:ada@example.com"]["CUTYPE"] == "INDIVIDUAL"
    assert attendees["mailto:alan@example.com"]["ROLE"] == "OPT-PARTICIPANT"


def test_names_with_commas_and_accents_survive_in_attendees() -> None:
    from pilotage.interop.ical import Attendee

    data = write(
        [meeting_event(attendees=(Attendee("Garnier, Émilie", "emilie.garnier@example.com"),))]
    )
    event = events_of(data)["meeting-1@pilotage"]
    assert event["ATTENDEE"].params["CN"] == "Garnier, Émilie"


def test_a_first_version_writes_no_sequence_and_plan_dates_stay_free() -> None:
    data = write(
        [
            meeting_event(sequence=0, organizer=None, attendees=()),
            CalendarEvent("task-1@pilotage", "Design", datetime(2026, 3, 2, 8)),
        ]
    )
    events = events_of(data)
    meeting = events["meeting-1@pilotage"]
    assert "SEQUENCE" not in meeting
    assert "ORGANIZER" not in meeting
    assert "ATTENDEE" not in meeting
    assert str(meeting["TRANSP"]) == "OPAQUE"
    assert str(events["task-1@pilotage"]["TRANSP"]) == "TRANSPARENT"


def test_an_all_day_event_stays_free_even_when_busy() -> None:
    data = write(
        [
            meeting_event(uid="offsite", start=date(2026, 6, 16), end=date(2026, 6, 17)),
            meeting_event(
                uid="workshop",
                start=datetime(2026, 6, 18, 9),
                end=datetime(2026, 6, 18, 17),
                all_day=True,
            ),
        ]
    )
    for event in events_of(data).values():
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert str(event["X-MICROSOFT-CDO-BUSYSTATUS"]) == "FREE"


def test_bad_attendees_and_sequences_are_named() -> None:
    import re

    from pilotage.interop.ical import Attendee

    named = "Event 'meeting-1@pilotage': {} has no valid e-mail address"
    cases = [
        (Attendee("Ada Lovelace", ""), named.format("'Ada Lovelace'")),
        (Attendee("Ada Lovelace", "  "), named.format("'Ada Lovelace'")),
        (Attendee("Ada Lovelace", "ada at example.com"), named.format("'Ada Lovelace'")),
        (Attendee("", "<ada@example.com>"), named.format("'<ada@example.com>'")),
        (Attendee("Ada Lovelace", "ada.example.com"), named.format("'Ada Lovelace'")),
    ]
    for attendee, message in cases:
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            write([meeting_event(attendees=(attendee,))])
    with pytest.raises(ValueError, match=f"^{re.escape(named.format(repr('Paul Martin')))}$"):
        write([meeting_event(organizer=Attendee("Paul Martin", "paul.martin"))])
    with pytest.raises(
        ValueError, match=r"^Event 'meeting-1@pilotage': the sequence -1 is negative$"
    ):
        write([meeting_event(sequence=-1)])
