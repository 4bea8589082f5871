"""Writes of meetings: plan one or a series, change, cancel or reinstate, record the minutes,
delete.

Change on the project plans and edits its meetings; Delete on it deletes them. Everyone
invited (organiser, attendees, optional attendees) must be able to see the project: an
invitation to a project someone cannot open would be of no use to them. Every change of time,
place, status, title, agenda or of who is invited raises the meeting's ``sequence``, which
calendar programs use to replace their copy.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, can_view, require
from pilotage.collaboration.models import Meeting, MeetingStatus
from pilotage.collaboration.selectors import parse_guests
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    proposed_change,
    update_audited,
)
from pilotage.portfolio.models import Project

__all__ = [
    "MAX_SERIES",
    "MEETING_FIELDS",
    "meeting_cancel",
    "meeting_create",
    "meeting_delete",
    "meeting_record_minutes",
    "meeting_reinstate",
    "meeting_series_create",
    "meeting_update",
]

MEETING_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "organiser",
    "attendees",
    "optional_attendees",
    "guests",
    "agenda",
    "minutes",
)
_MANY = ("attendees", "optional_attendees")
# What a calendar program shows: a change of any of these is a new revision of the event.
_CALENDAR_FIELDS = frozenset(
    {
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "location",
        "online_url",
        "status",
        "agenda",
        "guests",
    }
)
MAX_SERIES = 52
"""At most this many meetings are planned at once by repetition (a year of weekly meetings)."""


def _check(
    project: Project,
    *,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    organiser: User | None,
    attendees: Iterable[User],
    optional_attendees: Iterable[User],
    guests: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is not None and timezone.is_naive(moment):
            errors[name] = [gettext("Give the time with its time zone.")]
    if starts_at is not None and ends_at is not None and not errors and ends_at <= starts_at:
        errors["ends_at"] = [gettext("A meeting must end after it starts.")]
    people: dict[str, list[User]] = {
        "organiser": [organiser] if organiser is not None else [],
        "attendees": list(attendees),
        "optional_attendees": list(optional_attendees),
    }
    for field, users in people.items():
        blind = sorted(
            (user.get_full_name() or user.username)
            for user in users
            if not (user.is_active and can_view(user, project))
        )
        if blind:
            errors[field] = [
                ngettext(
                    "%(people)s cannot see the project %(project)s.",
                    "%(people)s cannot see the project %(project)s.",
                    len(blind),
                )
                % {"people": ", ".join(blind), "project": project.code}
            ]
    both = {user.pk for user in people["attendees"]} & {
        user.pk for user in people["optional_attendees"]
    }
    if both:
        errors.setdefault("optional_attendees", []).append(
            gettext("Someone is both a required and an optional attendee.")
        )
    _, bad = parse_guests(guests)
    if bad:
        errors["guests"] = [
            gettext("These lines are neither a name nor “Name <address>”: %(lines)s")
            % {"lines": "; ".join(bad)}
        ]
    return errors


def _check_meeting(meeting: Meeting, many: Mapping[str, Iterable[User]]) -> dict[str, list[str]]:
    return _check(
        meeting.project,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        organiser=meeting.organiser,
        attendees=many.get("attendees", ()),
        optional_attendees=many.get("optional_attendees", ()),
        guests=meeting.guests,
    )


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    project: Project,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    attendees: Iterable[User] = (),
    optional_attendees: Iterable[User] = (),
    series: uuid.UUID | None = None,
    **values: Any,
) -> Meeting:
    """Plan a meeting of the project (Change on it). The organiser defaults to the actor."""
    check_fields(values, set(MEETING_FIELDS) - {"title", "starts_at", "ends_at"})
    require(actor, Action.CHANGE, project)
    values.setdefault("organiser", acting_user(actor))
    many = {"attendees": list(attendees), "optional_attendees": list(optional_attendees)}
    meeting = Meeting(
        project=project,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        series=series,
        created_by=acting_user(actor),
        **values,
    )
    return create_audited(
        actor=actor,
        instance=meeting,
        many_to_many=many,
        errors=_check_meeting(meeting, many),
    )


@transaction.atomic
def meeting_series_create(
    *,
    actor: Any,
    project: Project,
    count: int,
    every_weeks: int = 1,
    **values: Any,
) -> list[Meeting]:
    """Plan ``count`` meetings alike, ``every_weeks`` weeks apart, at the same local time
    (across a change to or from summer time), sharing a series; all or none are saved."""
    errors: dict[str, list[str]] = {}
    if not 1 <= count <= MAX_SERIES:
        errors["count"] = [
            gettext("Plan between 1 and %(most)d meetings at once.") % {"most": MAX_SERIES}
        ]
    if not 1 <= every_weeks <= 52:
        errors["every_weeks"] = [gettext("Repeat every 1 to 52 weeks.")]
    if errors:
        raise ValidationError(errors)
    starts_at: dt.datetime = values.pop("starts_at")
    ends_at: dt.datetime = values.pop("ends_at")
    series = Meeting.new_series() if count > 1 else None
    meetings = []
    zone = timezone.get_current_timezone()
    local_start = timezone.localtime(starts_at, zone) if timezone.is_aware(starts_at) else None
    local_end = timezone.localtime(ends_at, zone) if timezone.is_aware(ends_at) else None
    for index in range(count):
        shift = dt.timedelta(weeks=every_weeks * index)
        if local_start is not None and local_end is not None:
            start = timezone.make_aware((local_start + shift).replace(tzinfo=None), zone)
            end = timezone.make_aware((local_end + shift).replace(tzinfo=None), zone)
        else:
            start, end = starts_at + shift, ends_at + shift
        meetings.append(
            meeting_create(
                actor=actor, project=project, starts_at=start, ends_at=end, series=series, **values
            )
        )
    return meetings


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    """Change a meeting (Change on its project); a change of what calendars show raises its
    revision."""
    check_fields(changes, MEETING_FIELDS)
    require(actor, Action.CHANGE, meeting)
    if meeting.status == MeetingStatus.CANCELLED and set(changes) - {"minutes", "agenda"}:
        raise ValidationError(gettext("Reinstate the cancelled meeting before changing it."))
    return _update(actor, meeting, changes)


def _update(actor: Any, meeting: Meeting, changes: Mapping[str, Any]) -> Meeting:
    changed_calendar = any(
        name in _CALENDAR_FIELDS and getattr(meeting, name) != value
        for name, value in changes.items()
    )
    many = {
        name: list(changes[name]) if name in changes else list(getattr(meeting, name).all())
        for name in _MANY
    }
    proposed = proposed_change(meeting, changes, skip=_MANY)
    invited_changed = any(
        name in changes
        and {u.pk for u in many[name]} != set(getattr(meeting, name).values_list("pk", flat=True))
        for name in _MANY
    )
    if (
        changed_calendar
        or invited_changed
        or ("organiser" in changes and changes["organiser"] != meeting.organiser)
    ):
        meeting.sequence += 1
    return update_audited(
        actor=actor,
        instance=meeting,
        changes=changes,
        many_to_many=[name for name in _MANY if name in changes],
        errors=_check_meeting(proposed, many),
    )


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a planned meeting (Change on its project); calendars keep it, struck out."""
    require(actor, Action.CHANGE, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(gettext("Only a planned meeting can be cancelled."))
    return _update(
        actor,
        meeting,
        {"status": MeetingStatus.CANCELLED, "cancellation_reason": reason.strip()[:255]},
    )


@transaction.atomic
def meeting_reinstate(*, actor: Any, meeting: Meeting) -> Meeting:
    """Plan a cancelled meeting again (Change on its project)."""
    require(actor, Action.CHANGE, meeting)
    if meeting.status != MeetingStatus.CANCELLED:
        raise ValidationError(gettext("Only a cancelled meeting can be reinstated."))
    return _update(actor, meeting, {"status": MeetingStatus.PLANNED, "cancellation_reason": ""})


@transaction.atomic
def meeting_record_minutes(
    *, actor: Any, meeting: Meeting, minutes: str, now: dt.datetime | None = None
) -> Meeting:
    """Record what was said and decided, which marks the meeting as held (Change on its
    project). A meeting that has not started yet, or was cancelled, has no minutes."""
    require(actor, Action.CHANGE, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(gettext("A cancelled meeting has no minutes: reinstate it first."))
    if meeting.starts_at > (now or timezone.now()):
        raise ValidationError(
            gettext("The meeting has not started yet: record its minutes once it has.")
        )
    if not minutes.strip():
        raise ValidationError({"minutes": [gettext("Write the minutes.")]})
    return _update(actor, meeting, {"minutes": minutes, "status": MeetingStatus.HELD})


@transaction.atomic
def meeting_delete(*, actor: Any, meeting: Meeting) -> None:
    """Delete a meeting (Delete on its project). Cancelling keeps it in calendars as
    cancelled; deleting removes it from the export."""
    require(actor, Action.DELETE, meeting)
    delete_audited(actor=actor, instance=meeting)
