"""Write iCalendar (.ics) files of a plan's dates, for calendar programs to show or subscribe to.

:func:`write_ics` writes a ``VCALENDAR`` with one ``VEVENT`` per :class:`CalendarEvent`, using
the ``icalendar`` package, which folds long lines and escapes commas, semicolons, backslashes
and new lines. The file is what Outlook, Google Calendar, Apple Calendar and Thunderbird expect
of a published calendar: ``PRODID``, ``VERSION``, ``CALSCALE``, ``METHOD:PUBLISH``, the
calendar's name (``X-WR-CALNAME`` and RFC 7986 ``NAME``) and time zone (``X-WR-TIMEZONE``).

Times
-----
Plan dates are wall-clock times without a zone. A naive date-time is taken in ``time_zone``
(an IANA name such as ``"Europe/Paris"``) and written with ``TZID=Europe/Paris``; the file then
carries that zone's ``VTIMEZONE``, covering the years of the events. An aware date-time is
converted to ``time_zone``. ``"UTC"`` writes times ending in ``Z``, with no ``VTIMEZONE``.
``DTSTAMP`` and ``LAST-MODIFIED`` are written in UTC.

All-day events and milestones
-----------------------------
An all-day event (``all_day=True``, or a ``start`` that is a date) is written as
``VALUE=DATE``; its ``end`` is its last day, included (a date-time at midnight counts as the
day before), and ``DTEND`` is the day after, as RFC 5545 wants. Without an ``end`` it lasts
one day. These events are marked ``TRANSP:TRANSPARENT`` (with Outlook's all-day and free
markers) so that a plan's tasks do not show people as busy.

Meetings
--------
A meeting is a timed event with ``busy=True`` (``TRANSP:OPAQUE``: it shows people as busy), an
``organizer`` and ``attendees`` (:class:`Attendee`, written as ``mailto:`` addresses with their
names, and ``ROLE=OPT-PARTICIPANT`` for optional ones) and a ``sequence`` that grows with every
change, so that a calendar that already holds it takes the newer version. A cancelled meeting
keeps its UID with ``STATUS:CANCELLED``, so subscribed calendars strike it out rather than keep
it. People without an e-mail address are listed in the description instead: RFC 5545 wants an
address for every attendee.

A timed event whose end is missing or equal to its start, such as a milestone, is written with
``DTSTART`` alone: RFC 5545 reads that as an event that takes no time, at its instant, which is
the exact moment the milestone falls. To show milestones as whole days instead, give them
``all_day=True``.

Examples
--------
>>> from datetime import date, datetime
>>> data = write_ics(
...     [CalendarEvent("task-1@pilotage", "Design", datetime(2026, 3, 2, 8),
...                    datetime(2026, 3, 6, 17)),
...      CalendarEvent("task-2@pilotage", "Go-live", date(2026, 3, 9), all_day=True)],
...     name="Office move", time_zone="Europe/Paris",
...     stamp=datetime(2026, 1, 5, 12, tzinfo=UTC),
... )
>>> lines = data.decode().splitlines()
>>> [line for line in lines if line.startswith(("DTSTART;", "DTEND;", "X-WR-CALNAME"))]
... # doctest: +NORMALIZE_WHITESPACE
['X-WR-CALNAME:Office move', 'DTSTART;TZID=Europe/Paris:20260302T080000',
 'DTEND;TZID=Europe/Paris:20260306T170000', 'DTSTART;VALUE=DATE:20260309',
 'DTEND;VALUE=DATE:20260310']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

__all__ = ["EVENT_STATUSES", "PRODUCT_ID", "Attendee", "CalendarEvent", "write_ics"]

PRODUCT_ID: Final = "-//Pilotage//Pilotage//EN"
EVENT_STATUSES: Final = ("TENTATIVE", "CONFIRMED", "CANCELLED")
"""The statuses RFC 5545 allows on an event."""


@dataclass(frozen=True, slots=True)
class Attendee:
    """Someone invited to an event (or its organiser): a name and an e-mail address.

    Parameters
    ----------
    name : str
        As calendar programs show it (``CN``).
    email : str
        The address (written as ``mailto:``); it must not be empty.
    optional : bool, optional
        Invited but not required (``ROLE=OPT-PARTICIPANT``).
    """

    name: str
    email: str
    optional: bool = False


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event of the calendar: a task, a milestone, a meeting, a deadline.

    Parameters
    ----------
    uid : str
        A stable identifier, the same at every export (``"task-42@pilotage.example.org"``),
        so that a subscribed calendar updates the event instead of adding another.
    summary : str
        The event's title.
    start : datetime or date
        When it starts; a naive date-time is a wall-clock time in the calendar's time zone.
    end : datetime or date, optional
        When it ends (for an all-day event, its last day); None for a milestone.
    all_day : bool, optional
        Write whole days (``VALUE=DATE``) rather than times.
    description, url, location : str, optional
    categories : tuple of str, optional
    status : str, optional
        ``"TENTATIVE"``, ``"CONFIRMED"`` or ``"CANCELLED"`` (any case); empty for none.
    last_modified : datetime, optional
        When the item last changed; naive values are in the calendar's time zone.
    busy : bool, optional
        Show the time as busy (``TRANSP:OPAQUE``), as for a meeting; plan dates are free.
    organizer : Attendee, optional
    attendees : tuple of Attendee, optional
    sequence : int, optional
        The revision of the event (``SEQUENCE``), raised at every change of its time or status.
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    all_day: bool = False
    description: str = ""
    url: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()
    status: str = ""
    last_modified: datetime | None = None
    busy: bool = False
    organizer: Attendee | None = None
    attendees: tuple[Attendee, ...] = ()
    sequence: int = 0


def write_ics(
    events: Sequence[CalendarEvent],
    *,
    name: str,
    time_zone: str,
    description: str = "",
    stamp: datetime | None = None,
) -> bytes:
    """Write events to an iCalendar file.

    Parameters
    ----------
    events : sequence of CalendarEvent
        The events, written in this order.
    name : str
        The calendar's name, as calendar programs show it.
    time_zone : str
        The IANA time zone of naive date-times (``"Europe/Paris"``, ``"UTC"``).
    description : str, optional
        The calendar's description.
    stamp : datetime, optional
        The ``DTSTAMP`` of every event (when the file was made); now by default. A naive value
        is UTC.

    Returns
    -------
    bytes
        The file, UTF-8 with CRLF line ends.

    Raises
    ------
    ValueError
        If the time zone is unknown, a UID is empty or repeats, an end comes before its start,
        a status is not one of :data:`EVENT_STATUSES`, an attendee has no e-mail address or
        the sequence is negative; the message names the event.

    Examples
    --------
    >>> write_ics([CalendarEvent("a", "A", date(2026, 3, 2), date(2026, 3, 1))], name="P",
    ...           time_zone="UTC")
    Traceback (most recent call last):
    ...
    ValueError: Event 'a': the end 2026-03-01 is before the start 2026-03-02
    >>> write_ics([], name="P", time_zone="Mars/Olympus")
    Traceback (most recent call last):
    ...
    ValueError: 'Mars/Olympus' is not a time zone name (such as Europe/Paris)
    """
    zone = _zone(time_zone)
    if stamp is None:
        stamp = datetime.now(UTC)
    stamp = _utc(stamp, UTC)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", time_zone)
    seen: set[str] = set()
    years: list[int] = []
    for event in events:
        if not event.uid.strip():
            raise ValueError(f"Event {event.summary!r}: the UID is empty")
        if event.uid in seen:
            raise ValueError(f"Event {event.uid!r}: the UID is used twice")
        seen.add(event.uid)
        component, timed_years = _event(event, zone, stamp)
        years.extend(timed_years)
        calendar.add_component(component)
    if years and time_zone.upper() != "UTC":
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
        )
    data: bytes = calendar.to_ical()
    return data


def _address(event: CalendarEvent, person: Attendee, *, organizer: bool) -> icalendar.vCalAddress:
    email = person.email.strip()
    if not email or any(c in email for c in " \t\r\n<>") or "@" not in email:
        raise ValueError(
            f"Event {event.uid!r}: {person.name or email!r} has no valid e-mail address"
        )
    address = icalendar.vCalAddress(f"mailto:{email}")
    if person.name.strip():
        address.params["CN"] = person.name.strip()
    if not organizer:
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "OPT-PARTICIPANT" if person.optional else "REQ-PARTICIPANT"
    return address


def _zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{time_zone!r} is not a time zone name (such as Europe/Paris)") from error


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _utc(moment: datetime, zone: ZoneInfo | timezone) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _last_day(end: datetime | date, first: date) -> date:
    if isinstance(end, datetime):
        if end.time() == time(0) and end.date() > first:
            return end.date() - timedelta(days=1)
        return end.date()
    return end


def _event(
    event: CalendarEvent, zone: ZoneInfo, stamp: datetime
) -> tuple[icalendar.Event, list[int]]:
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", stamp)
    component.add("summary", event.summary)
    years: list[int] = []
    all_day = event.all_day or not isinstance(event.start, datetime)
    if all_day:
        first = event.start.date() if isinstance(event.start, datetime) else event.start
        last = _last_day(event.end, first) if event.end is not None else first
        if last < first:
            raise ValueError(f"Event {event.uid!r}: the end {last} is before the start {first}")
        component.add("dtstart", first)
        component.add("dtend", last + timedelta(days=1))
        component.add("x-microsoft-cdo-alldayevent", "TRUE")
        component.add("x-microsoft-cdo-busystatus", "FREE")
    else:
        assert isinstance(event.start, datetime)
        start = _local(event.start, zone)
        component.add("dtstart", start)
        years.append(start.year)
        if event.end is not None:
            end_moment = (
                event.end
                if isinstance(event.end, datetime)
                else datetime.combine(event.end + timedelta(days=1), time(0))
            )
            end = _local(end_moment, zone)
            if end < start:
                raise ValueError(
                    f"Event {event.uid!r}: the end {end_moment.isoformat(sep=' ')} is before "
                    f"the start {event.start.isoformat(sep=' ')}"
                )
            if end > start:
                component.add("dtend", end)
                years.append(end.year)
    component.add("transp", "OPAQUE" if event.busy and not all_day else "TRANSPARENT")
    if event.sequence < 0:
        raise ValueError(f"Event {event.uid!r}: the sequence {event.sequence} is negative")
    if event.sequence:
        component.add("sequence", event.sequence)
    if event.organizer is not None:
        component.add("organizer", _address(event, event.organizer, organizer=True))
    for attendee in event.attendees:
        component.add("attendee", _address(event, attendee, organizer=False))
    if event.description:
        component.add("description", event.description)
    if event.location:
        component.add("location", event.location)
    if event.url:
        component.add("url", event.url)
    if event.categories:
        component.add("categories", list(event.categories))
    if event.status:
        status = event.status.upper()
        if status not in EVENT_STATUSES:
            raise ValueError(
                f"Event {event.uid!r}: the status {event.status!r} is not one of "
                f"{', '.join(EVENT_STATUSES)}"
            )
        component.add("status", status)
    if event.last_modified is not None:
        component.add("last-modified", _utc(event.last_modified, zone))
    return component, years
