"""Reads of meetings: a project's, one meeting, and the meetings a person is invited to."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from pilotage.accounts.permissions import Action, get_for_user, visible
from pilotage.collaboration.models import Meeting
from pilotage.core.search import search_filter
from pilotage.portfolio.models import Project

__all__ = [
    "Guest",
    "SeriesPlace",
    "meeting_get_for_user",
    "meeting_list",
    "meeting_series_place",
    "meetings_of_user",
    "parse_guests",
]

_ADDRESS = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>\s]+)>\s*$")
_BARE_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class Guest:
    """Someone invited without an account: a name and, when given, an address."""

    name: str
    email: str = ""


def parse_guests(text: str) -> tuple[list[Guest], list[str]]:
    """The guests written one per line (``Name <address>``, an address alone or a name
    alone), and the lines that could not be read, quoted."""
    guests: list[Guest] = []
    bad: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _ADDRESS.match(line)
        if match:
            email = match["email"]
            if not _BARE_ADDRESS.match(email):
                bad.append(line)
                continue
            guests.append(Guest(match["name"].strip().strip('"') or email, email))
        elif _BARE_ADDRESS.match(line):
            guests.append(Guest(line, line))
        elif "@" in line or "<" in line or ">" in line:
            bad.append(line)
        else:
            guests.append(Guest(line))
    return guests, bad


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("project", "organiser").prefetch_related(
        "attendees", "optional_attendees"
    )


def meeting_list(
    *,
    user: Any,
    project: Project | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: str = "",
    kind: str = "",
    search: str = "",
) -> QuerySet[Meeting]:
    """The meetings the user may see, earliest first: those not over at ``since`` and
    starting before ``until``."""
    queryset = visible(user, _meetings())
    if project is not None:
        queryset = queryset.filter(project=project)
    if since is not None:
        queryset = queryset.filter(ends_at__gt=since)
    if until is not None:
        queryset = queryset.filter(starts_at__lt=until)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = search_filter(queryset, search, ("title", "location", "agenda", "minutes"))
    return queryset.order_by("starts_at", "pk")


def meeting_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Meeting:
    """The meeting if the user may see it and do ``action`` on it (else not found or
    forbidden)."""
    return get_for_user(_meetings(), pk, user=user, action=action)


def meetings_of_user(user: Any, *, since: dt.datetime | None = None) -> QuerySet[Meeting]:
    """The meetings of projects the user sees that they organise or are invited to."""
    queryset = visible(user, _meetings()).filter(
        Q(organiser=user) | Q(attendees=user) | Q(optional_attendees=user)
    )
    if since is not None:
        queryset = queryset.filter(ends_at__gt=since)
    return queryset.distinct().order_by("starts_at", "pk")


@dataclass(frozen=True)
class SeriesPlace:
    """Where a meeting stands in its series: its number from 1, how many the user sees, and
    the meetings before and after it."""

    number: int
    count: int
    previous: Meeting | None
    next: Meeting | None


def meeting_series_place(meeting: Meeting, *, user: Any) -> SeriesPlace | None:
    """The meeting's place in its series, among the meetings of it the user sees; None for a
    meeting planned alone."""
    if meeting.series is None:
        return None
    siblings = list(
        visible(user, Meeting.objects.select_related("project"))
        .filter(project=meeting.project_id, series=meeting.series)
        .order_by("starts_at", "pk")
    )
    index = next((i for i, other in enumerate(siblings) if other.pk == meeting.pk), None)
    if index is None:
        return None
    return SeriesPlace(
        number=index + 1,
        count=len(siblings),
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
    )
