"""Pages of meetings: a project's meetings under its Meetings tab, the meetings a person
organises or is invited to, each meeting's page with its actions, its forms and its calendar
file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.collaboration import selectors, services
from pilotage.collaboration.calendar import meeting_calendar
from pilotage.collaboration.forms import CancelForm, MeetingFilterForm, MeetingForm, MinutesForm
from pilotage.collaboration.models import Meeting, MeetingStatus
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    history_context,
    paginate,
    per_page_from,
    render_list,
)
from pilotage.core.pages import report_error as report_errors
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project

PAST_PAGE = "past_page"
"""The query parameter of the page of past meetings (``page`` is the upcoming ones')."""


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as a line of a list: its local times, how many are invited, the user's part."""

    meeting: Meeting
    starts: dt.datetime
    ends: dt.datetime
    invited: int
    part: str = ""

    @property
    def same_day(self) -> bool:
        return self.starts.date() == self.ends.date()

    @property
    def has_minutes(self) -> bool:
        return bool(self.meeting.minutes.strip())


def _part(meeting: Meeting, user: Any) -> str:
    if meeting.organiser_id == user.pk:
        return gettext("Organiser")
    if any(person.pk == user.pk for person in meeting.attendees.all()):
        return gettext("Attendee")
    if any(person.pk == user.pk for person in meeting.optional_attendees.all()):
        return gettext("Optional")
    return ""


def _rows(meetings: Any, user: Any = None) -> list[MeetingRow]:
    rows = []
    for meeting in meetings:
        guests, _bad = selectors.parse_guests(meeting.guests)
        rows.append(
            MeetingRow(
                meeting=meeting,
                starts=timezone.localtime(meeting.starts_at),
                ends=timezone.localtime(meeting.ends_at),
                invited=len(meeting.attendees.all())
                + len(meeting.optional_attendees.all())
                + len(guests),
                part=_part(meeting, user) if user is not None else "",
            )
        )
    return rows


def _project(request: PageRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return portfolio_selectors.project_get_for_user(project_id, user=request.user, action=action)


def _context(project: Project, **extra: Any) -> dict[str, Any]:
    return {"project": project, "tab": "meetings", "active_nav": "projects", **extra}


def _split(
    request: PageRequest, meetings: QuerySet[Meeting], *, user: Any = None
) -> dict[str, Any]:
    """The upcoming meetings (still going on included), earliest first, and the past ones,
    newest first, each a page of rows."""
    now = timezone.now()
    upcoming = paginate(request, meetings.filter(ends_at__gt=now))
    past = Paginator(
        meetings.filter(ends_at__lte=now).order_by("-starts_at", "-pk"), per_page_from(request)
    ).get_page(request.GET.get(PAST_PAGE))
    return {
        "page": upcoming,
        "rows": _rows(upcoming.object_list, user),
        "past_page": past,
        "past_rows": _rows(past.object_list, user),
    }


@login_required
def project_meetings(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = MeetingFilterForm(request.GET)
    meetings = selectors.meeting_list(
        user=request.user, project=project, **filters.selector_kwargs()
    )
    context = _context(
        project,
        filters=filters,
        may_plan=can(request.user, Action.CHANGE, project),
        htmx_target="#meetings-results",
        **_split(request, meetings),
    )
    return render_list(
        request,
        "collaboration/project_meetings.html",
        "collaboration/partials/meeting_results.html",
        context,
    )


@login_required
def my_meetings(request: PageRequest) -> HttpResponseBase:
    """The meetings the user organises or is invited to, across the projects they see."""
    meetings = selectors.meetings_of_user(request.user)
    context = {
        "active_nav": "",
        "htmx_target": "#meetings-results",
        "show_project": True,
        **_split(request, meetings, user=request.user),
    }
    return render_list(
        request,
        "collaboration/my_meetings.html",
        "collaboration/partials/meeting_results.html",
        context,
    )


def _form_page(
    request: PageRequest,
    project: Project,
    form: MeetingForm,
    *,
    title: str,
    cancel_url: str,
    save: Callable[[], str],
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            redirect_to = save()
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(redirect_to)
    return render(
        request,
        "collaboration/meeting_form.html",
        _context(project, form=form, title=title, cancel_url=cancel_url),
    )


@login_required
def meeting_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    form = MeetingForm(request.POST or None, project=project, user=request.user)

    def save() -> str:
        values = form.changes()
        repeat = form.repeat()
        if repeat is None:
            meeting = services.meeting_create(actor=request.user, project=project, **values)
            messages.success(
                request, gettext("Meeting “%(object)s” planned.") % {"object": meeting.title}
            )
            return meeting.get_absolute_url()
        count, every_weeks = repeat
        meetings = services.meeting_series_create(
            actor=request.user, project=project, count=count, every_weeks=every_weeks, **values
        )
        messages.success(
            request,
            ngettext(
                "%(count)d meeting “%(object)s” planned.",
                "%(count)d meetings “%(object)s” planned.",
                len(meetings),
            )
            % {"count": len(meetings), "object": meetings[0].title},
        )
        return meetings[0].get_absolute_url()

    return _form_page(
        request,
        project,
        form,
        title=gettext("Plan a meeting"),
        cancel_url=reverse("collaboration:project_meetings", args=[project.pk]),
        save=save,
    )


@login_required
def meeting_update(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = MeetingForm(
        request.POST or None, project=meeting.project, user=request.user, instance=meeting
    )

    def save() -> str:
        saved = services.meeting_update(actor=request.user, meeting=meeting, **form.changes())
        messages.success(request, gettext("Meeting “%(object)s” saved.") % {"object": saved.title})
        return saved.get_absolute_url()

    return _form_page(
        request,
        meeting.project,
        form,
        title=gettext("Edit meeting “%(title)s”") % {"title": meeting.title},
        cancel_url=meeting.get_absolute_url(),
        save=save,
    )


def _series(request: PageRequest, meeting: Meeting) -> dict[str, Any]:
    place = selectors.meeting_series_place(meeting, user=request.user)
    if place is None:
        return {}
    return {
        "series_number": place.number,
        "series_count": place.count,
        "series_previous": place.previous,
        "series_next": place.next,
    }


@login_required
def meeting_detail(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user)
    may_change = can(request.user, Action.CHANGE, meeting)
    status = meeting.status
    started = meeting.starts_at <= timezone.now()
    guests, _bad = selectors.parse_guests(meeting.guests)
    context = _context(
        meeting.project,
        item=meeting,
        starts=timezone.localtime(meeting.starts_at),
        ends=timezone.localtime(meeting.ends_at),
        guests=guests,
        is_cancelled=status == MeetingStatus.CANCELLED,
        may_edit=may_change and status != MeetingStatus.CANCELLED,
        may_record=may_change and started and status != MeetingStatus.CANCELLED,
        may_cancel=may_change and status == MeetingStatus.PLANNED,
        may_reinstate=may_change and status == MeetingStatus.CANCELLED,
        may_remove=can(request.user, Action.DELETE, meeting),
        cancel_form=CancelForm(),
        **_series(request, meeting),
        **history_context(request, meeting),
    )
    return render(request, "collaboration/meeting_detail.html", context)


@login_required
def meeting_minutes(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record_minutes(
                actor=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                gettext("Minutes of “%(object)s” recorded.") % {"object": meeting.title},
            )
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "collaboration/meeting_action.html",
        _context(
            meeting.project,
            item=meeting,
            form=form,
            title=gettext("Minutes of “%(title)s”") % {"title": meeting.title},
            submit_label=gettext("Save the minutes"),
            cancel_url=meeting.get_absolute_url(),
        ),
    )


@login_required
def meeting_cancel(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            report_errors(request, exc)
        else:
            messages.success(
                request, gettext("Meeting “%(object)s” cancelled.") % {"object": meeting.title}
            )
        return redirect(meeting.get_absolute_url())
    return render(
        request,
        "collaboration/meeting_action.html",
        _context(
            meeting.project,
            item=meeting,
            form=form,
            title=gettext("Cancel “%(title)s”") % {"title": meeting.title},
            intro=gettext(
                "Calendars that hold the meeting keep it, marked cancelled; it can be "
                "reinstated later."
            ),
            submit_label=gettext("Cancel the meeting"),
            danger=True,
            cancel_url=meeting.get_absolute_url(),
        ),
    )


@login_required
@require_POST
def meeting_reinstate(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user, action=Action.CHANGE)
    try:
        services.meeting_reinstate(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(
            request, gettext("Meeting “%(object)s” reinstated.") % {"object": meeting.title}
        )
    return redirect(meeting.get_absolute_url())


@login_required
def meeting_delete(request: PageRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(pk, user=request.user, action=Action.DELETE)
    error = ""
    if request.method == "POST":
        project_id = meeting.project_id
        try:
            services.meeting_delete(actor=request.user, meeting=meeting)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, gettext("Meeting “%(object)s” deleted.") % {"object": meeting.title}
            )
            return redirect("collaboration:project_meetings", project_id=project_id)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": meeting,
            "kind": gettext("meeting"),
            "error": error,
            "cancel_url": meeting.get_absolute_url(),
            "active_nav": "projects",
        },
    )


@login_required
def meeting_ics(request: PageRequest, pk: int) -> HttpResponse:
    """The meeting as a calendar file, to add to one's calendar program."""
    meeting = selectors.meeting_get_for_user(pk, user=request.user)
    content = meeting_calendar(meeting, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    name = f"{meeting.project.code}-meeting-{meeting.pk}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
