"""API operations of project meetings (tag "meetings").

Meetings follow their project's permissions: whoever sees the project reads its meetings,
Change on it plans, changes, cancels and reinstates them and records their minutes, Delete on
it deletes them. Meeting times are ISO 8601 date-times with their offset
(``2026-03-02T10:00:00+01:00``); they are answered in the server's time zone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts.permissions import Action
from pilotage.collaboration import selectors, services
from pilotage.collaboration.calendar import meeting_calendar
from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    Ref,
    input_names,
    paginate,
    parse_moment,
    patch_schema,
    resolve_references,
    responses,
)
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_get_for_user

router = Router(tags=["meetings"])

# The services name the model's fields; this API's inputs name people by their ids.
INPUT_NAMES = {
    "organiser": "organiser_id",
    "attendees": "attendee_ids",
    "optional_attendees": "optional_attendee_ids",
    "count": "repeat_count",
}


# Input helpers ------------------------------------------------------------------------------


def _person(user: Any) -> Any:
    return lambda pk: account_selectors.user_get_for_user(pk, user=user)


def _input(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    person = _person(request.auth)
    return resolve_references(
        data,
        {
            "organiser_id": ("organiser", person),
            "attendee_ids": ("attendees", person),
            "optional_attendee_ids": ("optional_attendees", person),
        },
    )


def _moment(value: str | None, *, field: str, end_of_day: bool) -> dt.datetime | None:
    """An ISO date-time, or an ISO date: its start (``since``) or its end (``until``) in the
    server's time zone."""
    if value is None or not value.strip():
        return None
    if not end_of_day:
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return parse_moment(value, field=field)


def _project(request: ApiRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return project_get_for_user(project_id, user=request.auth, action=action)


def _meeting(request: ApiRequest, meeting_id: int, action: Action = Action.VIEW) -> Meeting:
    return selectors.meeting_get_for_user(meeting_id, user=request.auth, action=action)


# Schemas ------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


class MeetingOut(Schema):
    id: int
    project: Ref
    title: str
    kind: MeetingKind
    status: MeetingStatus = Field(..., description="planned, held (minutes recorded), cancelled.")
    starts_at: dt.datetime = Field(..., description="In the server's time zone, with its offset.")
    ends_at: dt.datetime = Field(..., description="In the server's time zone, with its offset.")
    duration_minutes: int
    location: str
    online_url: str
    organiser: PersonOut | None
    attendees: list[PersonOut]
    optional_attendees: list[PersonOut]
    guests: str = Field(..., description="People without an account, one “Name <address>” a line.")
    agenda: str
    minutes: str
    cancellation_reason: str
    series: uuid.UUID | None = Field(
        None, description="Shared by the meetings planned together by repetition."
    )
    sequence: int = Field(
        ..., description="The calendar revision: it grows with each change calendars show."
    )
    url: str = Field(..., description="The meeting's page.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_starts_at(meeting: Meeting) -> dt.datetime:
        return timezone.localtime(meeting.starts_at)

    @staticmethod
    def resolve_ends_at(meeting: Meeting) -> dt.datetime:
        return timezone.localtime(meeting.ends_at)

    @staticmethod
    def resolve_duration_minutes(meeting: Meeting) -> int:
        return meeting.duration_minutes()

    @staticmethod
    def resolve_attendees(meeting: Meeting) -> list[Any]:
        return list(meeting.attendees.all())

    @staticmethod
    def resolve_optional_attendees(meeting: Meeting) -> list[Any]:
        return list(meeting.optional_attendees.all())

    @staticmethod
    def resolve_url(meeting: Meeting, context: Any) -> str:
        return str(context["request"].build_absolute_uri(meeting.get_absolute_url()))


class MeetingFields(InputSchema):
    title: str = Field(..., min_length=1, max_length=255)
    kind: MeetingKind = MeetingKind.STATUS_REVIEW
    starts_at: dt.datetime = Field(
        ..., description="ISO 8601 with its offset, e.g. 2026-03-02T10:00:00+01:00."
    )
    ends_at: dt.datetime = Field(..., description="After the start, with its offset.")
    location: str = Field("", max_length=255)
    online_url: str = Field("", max_length=500, description="The link to join online.")
    organiser_id: int | None = Field(
        None, description="A user who sees the project; when left out, the caller."
    )
    attendee_ids: list[int] = Field(
        default_factory=list, description="Required attendees: users who see the project."
    )
    optional_attendee_ids: list[int] = Field(
        default_factory=list, description="Optional attendees: users who see the project."
    )
    guests: str = Field(
        "", description="People without an account, one a line: “Name <address>”, or a name."
    )
    agenda: str = ""


class MeetingIn(MeetingFields):
    repeat_count: int = Field(
        1,
        ge=1,
        le=services.MAX_SERIES,
        description="How many meetings to plan, one every `every_weeks` weeks, as a series.",
    )
    every_weeks: int = Field(1, ge=1, le=52, description="Weeks between repeated meetings.")


class MeetingUpdate(MeetingFields):
    minutes: str = ""


if TYPE_CHECKING:
    MeetingPatch = MeetingUpdate
else:
    MeetingPatch = patch_schema(MeetingUpdate, "MeetingPatch")


class CancelIn(InputSchema):
    reason: str = Field("", max_length=255, description="Shown in calendars with the meeting.")


class MinutesIn(InputSchema):
    minutes: str = Field(..., description="What was said and decided.")


# Operations ---------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/meetings",
    response=responses(200, Page[MeetingOut]),
    summary="List a project's meetings",
)
def project_meeting_list(
    request: ApiRequest,
    project_id: int,
    page: Query[PageParams],
    since: str | None = None,
    until: str | None = None,
    status: MeetingStatus | None = None,
    kind: MeetingKind | None = None,
    search: str = "",
) -> dict[str, Any]:
    """Earliest first. `since` keeps the meetings that end after it and `until` those that
    start before it: ISO date-times, or ISO dates (from the start of `since`'s day to the end
    of `until`'s). `search` looks in the title, place, agenda and minutes."""
    project = _project(request, project_id)
    items = selectors.meeting_list(
        user=request.auth,
        project=project,
        since=_moment(since, field="since", end_of_day=False),
        until=_moment(until, field="until", end_of_day=True),
        status=status or "",
        kind=kind or "",
        search=search,
    )
    return paginate(items, page)


@router.post(
    "/projects/{project_id}/meetings",
    response=responses(201, list[MeetingOut]),
    summary="Plan a meeting, or a series of meetings",
)
def project_meeting_create(
    request: ApiRequest, project_id: int, payload: MeetingIn
) -> Status[list[Meeting]]:
    """Needs Change on the project; everyone invited must see it. With `repeat_count` above 1,
    the meetings are planned `every_weeks` weeks apart at the same local time and share a
    series: all or none are saved. Answers the meetings planned."""
    project = _project(request, project_id, Action.CHANGE)
    values = payload.model_dump(exclude={"organiser_id"})
    if "organiser_id" in payload.model_fields_set:
        values["organiser_id"] = payload.organiser_id
    count = values.pop("repeat_count")
    every_weeks = values.pop("every_weeks")
    with input_names(INPUT_NAMES):
        created = services.meeting_series_create(
            actor=request.auth,
            project=project,
            count=count,
            every_weeks=every_weeks,
            **_input(request, values),
        )
    planned = selectors.meeting_list(user=request.auth, project=project).filter(
        pk__in=[meeting.pk for meeting in created]
    )
    return Status(201, list(planned))


@router.get(
    "/meetings",
    response=responses(200, Page[MeetingOut]),
    summary="List the caller's meetings",
)
def my_meeting_list(
    request: ApiRequest, page: Query[PageParams], since: str | None = None
) -> dict[str, Any]:
    """The meetings the caller organises or is invited to (required or optional), in the
    projects they see, earliest first. `since` (an ISO date-time or date) keeps those that
    end after it."""
    items = selectors.meetings_of_user(
        request.auth, since=_moment(since, field="since", end_of_day=False)
    )
    return paginate(items, page)


@router.get("/meetings/{meeting_id}", response=responses(200, MeetingOut), summary="Get a meeting")
def meeting_detail(request: ApiRequest, meeting_id: int) -> Meeting:
    return _meeting(request, meeting_id)


@router.patch(
    "/meetings/{meeting_id}", response=responses(200, MeetingOut), summary="Change a meeting"
)
def meeting_update(request: ApiRequest, meeting_id: int, payload: MeetingPatch) -> Meeting:
    """Only the fields sent change. A change of what calendars show (time, place, title,
    agenda, the people invited) raises the meeting's `sequence`. A cancelled meeting takes
    only agenda and minutes until it is reinstated."""
    meeting = _meeting(request, meeting_id, Action.CHANGE)
    with input_names(INPUT_NAMES):
        services.meeting_update(
            actor=request.auth, meeting=meeting, **_input(request, payload.sent())
        )
    return _meeting(request, meeting_id)


@router.delete("/meetings/{meeting_id}", response=responses(204, None), summary="Delete a meeting")
def meeting_delete(request: ApiRequest, meeting_id: int) -> Status[None]:
    """Needs Delete on the project. A deleted meeting leaves the calendars without notice:
    cancel it instead to have it struck out."""
    services.meeting_delete(actor=request.auth, meeting=_meeting(request, meeting_id))
    return Status(204, None)


@router.post(
    "/meetings/{meeting_id}/cancel",
    response=responses(200, MeetingOut),
    summary="Cancel a planned meeting",
)
def meeting_cancel(request: ApiRequest, meeting_id: int, payload: CancelIn) -> Meeting:
    """Calendars keep it, marked cancelled, with the reason."""
    services.meeting_cancel(
        actor=request.auth, meeting=_meeting(request, meeting_id), reason=payload.reason
    )
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/reinstate",
    response=responses(200, MeetingOut),
    summary="Plan a cancelled meeting again",
)
def meeting_reinstate(request: ApiRequest, meeting_id: int) -> Meeting:
    services.meeting_reinstate(actor=request.auth, meeting=_meeting(request, meeting_id))
    return _meeting(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/minutes",
    response=responses(200, MeetingOut),
    summary="Record a meeting's minutes",
)
def meeting_minutes(request: ApiRequest, meeting_id: int, payload: MinutesIn) -> Meeting:
    """Marks the meeting as held; only once it has started, and not when cancelled."""
    services.meeting_record_minutes(
        actor=request.auth, meeting=_meeting(request, meeting_id), minutes=payload.minutes
    )
    return _meeting(request, meeting_id)


@router.get(
    "/meetings/{meeting_id}/ics",
    response=responses(200, None),
    summary="Download a meeting as a calendar file",
    openapi_extra={
        "responses": {
            200: {
                "description": "An iCalendar file (text/calendar) holding the meeting.",
                "content": {"text/calendar": {"schema": {"type": "string"}}},
            }
        }
    },
)
def meeting_ics(request: ApiRequest, meeting_id: int) -> HttpResponse:
    """To open in a calendar program; a cancelled meeting is marked cancelled."""
    meeting = _meeting(request, meeting_id)
    content = meeting_calendar(meeting, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    name = slugify(f"{meeting.project.code} {meeting.title}")
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response
