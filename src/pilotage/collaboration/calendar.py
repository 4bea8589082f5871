"""Meetings as iCalendar events: for a project's calendar, a person's subscription and the
"add to my calendar" file of one meeting."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.collaboration.models import Meeting, MeetingStatus
from pilotage.collaboration.selectors import parse_guests
from pilotage.interop.ical import Attendee, CalendarEvent, write_ics

__all__ = ["meeting_calendar", "meeting_events"]

_STATUS = {
    MeetingStatus.PLANNED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _address(email: str) -> str:
    """The address if calendar programs can use it, else empty (the person is then named in
    the description)."""
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def meeting_events(meetings: Iterable[Meeting], *, base_url: str = "") -> list[CalendarEvent]:
    """One busy event per meeting, with its organiser and attendees; a cancelled meeting
    stays, marked cancelled, so that calendars that hold it strike it out."""
    events = []
    for meeting in meetings:
        project = meeting.project
        url = f"{base_url.rstrip('/')}{meeting.get_absolute_url()}" if base_url else ""
        attendees: list[Attendee] = []
        without_address: list[str] = []
        for user, optional in [(u, False) for u in meeting.attendees.all()] + [
            (u, True) for u in meeting.optional_attendees.all()
        ]:
            if _address(user.email):
                attendees.append(Attendee(_name(user), user.email, optional=optional))
            else:
                without_address.append(_name(user))
        guests, _ = parse_guests(meeting.guests)
        for guest in guests:
            if _address(guest.email):
                attendees.append(Attendee(guest.name, guest.email))
            else:
                without_address.append(guest.name)
        organiser = meeting.organiser
        lines = [
            gettext("%(kind)s of %(project)s.")
            % {"kind": meeting.get_kind_display(), "project": f"{project.code} {project.name}"}
        ]
        if meeting.status == MeetingStatus.CANCELLED and meeting.cancellation_reason:
            lines.append(gettext("Cancelled: %(reason)s") % {"reason": meeting.cancellation_reason})
        if meeting.online_url:
            lines.append(gettext("Join online: %(url)s") % {"url": meeting.online_url})
        if without_address:
            lines.append(
                gettext("Also invited: %(people)s") % {"people": ", ".join(without_address)}
            )
        if meeting.agenda.strip():
            lines.append("")
            lines.append(gettext("Agenda:"))
            lines.append(meeting.agenda.strip())
        events.append(
            CalendarEvent(
                uid=f"meeting-{meeting.pk}@pilotage",
                summary=f"{project.code}: {meeting.title}",
                start=meeting.starts_at,
                end=meeting.ends_at,
                description="\n".join(lines),
                url=url,
                location=meeting.location or meeting.online_url,
                categories=(gettext("Meeting"), meeting.get_kind_display(), project.code),
                status=_STATUS[MeetingStatus(meeting.status)],
                last_modified=meeting.updated_at,
                busy=True,
                organizer=(
                    Attendee(_name(organiser), organiser.email)
                    if organiser is not None and _address(organiser.email)
                    else None
                ),
                attendees=tuple(attendees),
                sequence=meeting.sequence,
            )
        )
    return events


def meeting_calendar(meeting: Meeting, *, base_url: str = "") -> bytes:
    """One meeting as a calendar file, to open in a calendar program."""
    return write_ics(
        meeting_events([meeting], base_url=base_url),
        name=f"{meeting.project.code}: {meeting.title}",
        time_zone=settings.TIME_ZONE,
    )
