"""Pages of calendars, baselines and the schedule health check of a project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import holidays
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import Action, can, require_organisation
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import local_time, xlsx_response
from pilotage.core.pages import (
    ChangeRow,
    HistoryRow,
    PageRequest,
    add_service_error,
    history_context,
    paginate,
)
from pilotage.engine.calendars import Calendar
from pilotage.engine.errors import CalendarError
from pilotage.engine.health import DEFAULT_THRESHOLDS
from pilotage.interop.xlsx import Column, Sheet
from pilotage.planning import adapters, selectors, services
from pilotage.planning.forms_records import (
    BaselineChoiceForm,
    BaselineForm,
    CalendarForm,
    ExceptionForm,
)
from pilotage.planning.health import CheckOutcome, ProjectHealth, project_health
from pilotage.planning.models import (
    Baseline,
    BaselineTask,
    CalendarException,
    Recurrence,
    Task,
    WorkCalendar,
)
from pilotage.planning.parsing import format_quantity
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project

FORBIDDEN = _("You do not have permission to do this.")
CALENDARS_NAV = "calendars"


def _forbid() -> None:
    raise ForbiddenError(str(FORBIDDEN))


def _save(
    request: PageRequest,
    form: Any,
    *,
    save: Callable[[], Any],
    message: Any,
    success_url: Callable[[Any], str],
    context: dict[str, Any],
    template: str = "form_page.html",
) -> HttpResponse:
    """Show ``form``; on a valid POST call the service and go to ``success_url(saved)``.

    A service's ValidationError lands on the form and nothing is saved.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, message % {"object": saved})
            return redirect(success_url(saved))
    return render(request, template, {"form": form, **context})


def _confirm_delete(
    request: PageRequest,
    obj: models.Model,
    *,
    delete: Callable[[], None],
    success_url: str,
    cancel_url: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("“%(object)s” deleted.") % {"object": obj})
            return redirect(success_url)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": obj,
            "kind": obj._meta.verbose_name,
            "cancel_url": cancel_url,
            "error": error,
            "active_nav": CALENDARS_NAV,
            **(context or {}),
        },
    )


# Calendars ------------------------------------------------------------------------------------


def _may_change_calendar(user: Any, calendar: WorkCalendar, action: Action = Action.CHANGE) -> bool:
    if calendar.project is not None:
        return can(user, Action.CHANGE, calendar.project)
    return can(user, action)


def _effective_week(calendar: WorkCalendar) -> list[list[list[int]]] | None:
    """The week in force, walking up the bases already loaded; None when there is none."""
    current: WorkCalendar | None = calendar
    while current is not None:
        if current.week:
            return list(current.week)
        current = current.base if current.base_id else None
    return None


def _weekly_minutes(week: Sequence[Sequence[Sequence[int]]] | None) -> int:
    if week is None:
        week = [[[480, 720], [780, 1020]]] * 5 + [[], []]
    return sum(end - start for day in week for start, end in day)


def _hours(minutes: int) -> str:
    hours = minutes / 60
    places = 0 if minutes % 60 == 0 else 1
    return formats.number_format(round(hours, places), decimal_pos=places)


def _holiday_region(calendar: WorkCalendar) -> tuple[str, str]:
    current: WorkCalendar | None = calendar
    while current is not None:
        if current.holiday_country:
            return current.holiday_country, current.holiday_subdivision
        current = current.base if current.base_id else None
    return "", ""


@dataclass(frozen=True)
class CalendarRow:
    """A calendar in the list, with its weekly hours and whose holidays it keeps."""

    calendar: WorkCalendar
    weekly_hours: str
    holidays_of: str


def _calendars_xlsx(calendars: Iterable[WorkCalendar]) -> HttpResponse:
    shared = gettext("Shared")
    sheet = Sheet(
        gettext("Calendars"),
        [
            Column(gettext("Name"), "text", width=30),
            Column(gettext("Project"), "text", width=30),
            Column(gettext("Base calendar"), "text"),
            Column(gettext("Public holidays"), "text"),
            Column(gettext("Exceptions"), "integer"),
            Column(gettext("Hours a week"), "decimal"),
        ],
        [
            [
                calendar.name,
                f"{calendar.project.code} {calendar.project.name}" if calendar.project else shared,
                calendar.base.name if calendar.base else "",
                " ".join(filter(None, _holiday_region(calendar))),
                calendar.exception_count,  # type: ignore[attr-defined]
                _weekly_minutes(_effective_week(calendar)) / 60,
            ]
            for calendar in calendars
        ],
    )
    return xlsx_response("calendars", [sheet], title=gettext("Calendars"))


@login_required
def calendar_list(request: PageRequest) -> HttpResponse:
    project = None
    if request.GET.get("project", "").isdigit():
        project = portfolio_selectors.project_get_for_user(
            int(request.GET["project"]), user=request.user
        )
    calendars = (
        selectors.calendar_list(user=request.user, project=project)
        .select_related("base__base")
        .annotate(exception_count=Count("exceptions"))
    )
    if request.GET.get("format") == "xlsx":
        return _calendars_xlsx(calendars)
    page = paginate(request, calendars, 50)
    rows = [
        CalendarRow(
            calendar=calendar,
            weekly_hours=_hours(_weekly_minutes(_effective_week(calendar))),
            holidays_of=" ".join(filter(None, _holiday_region(calendar))),
        )
        for calendar in page.object_list
    ]
    may_create_shared = can(request.user, Action.CREATE)
    may_create_here = project is not None and can(request.user, Action.CHANGE, project)
    return render(
        request,
        "planning/calendar_list.html",
        {
            "page": page,
            "rows": rows,
            "project": project,
            "may_create_shared": may_create_shared,
            "may_create_here": may_create_here,
            "active_nav": CALENDARS_NAV,
        },
    )


@login_required
def calendar_create(request: PageRequest) -> HttpResponse:
    project = None
    if request.GET.get("project", "").isdigit():
        project = portfolio_selectors.project_get_for_user(
            int(request.GET["project"]), user=request.user, action=Action.CHANGE
        )
    else:
        require_organisation(request.user, Action.CREATE)
    form = CalendarForm(request.POST or None, user=request.user, project=project)
    breadcrumbs = [(reverse("planning:calendar_list"), gettext("Calendars"))]
    if project is not None:
        breadcrumbs.insert(0, (project.get_absolute_url(), str(project)))
    return _save(
        request,
        form,
        save=lambda: services.calendar_create(
            actor=request.user, project=project, **form.service_values()
        ),
        message=_("Calendar “%(object)s” created."),
        success_url=lambda calendar: calendar.get_absolute_url(),
        template="planning/calendar_form.html",
        context={
            "title": gettext("New calendar for %(project)s") % {"project": project}
            if project is not None
            else gettext("New shared calendar"),
            "cancel_url": _calendars_url(project),
            "active_nav": CALENDARS_NAV,
            "breadcrumbs": breadcrumbs,
        },
    )


def _calendars_url(project: Project | None) -> str:
    url = reverse("planning:calendar_list")
    return f"{url}?project={project.pk}" if project is not None else url


@dataclass(frozen=True)
class DayRow:
    """One weekday of a calendar's week."""

    name: Any
    periods: str
    hours: str


@dataclass(frozen=True)
class HolidayRow:
    """A public holiday and what the calendar makes of it."""

    day: dt.date
    name: str
    periods: str

    @property
    def worked(self) -> bool:
        return bool(self.periods)


def _week_rows(engine: Calendar) -> list[DayRow]:
    days = engine.effective_week.days
    return [
        DayRow(
            name=WEEKDAYS[number],
            periods=", ".join(str(period) for period in days[number]),
            hours=_hours(sum(period.minutes for period in days[number])),
        )
        for number in range(7)
    ]


def _holiday_language(calendar: Any) -> str | None:
    """The language of the holiday names closest to the page's, else the country's own."""
    supported = set(getattr(calendar, "supported_languages", ()) or ())
    language = (get_language() or "en").replace("-", "_")
    short = language.split("_")[0]
    for candidate in (language, short, f"{short}_{short.upper()}", "en_US", "en_GB"):
        if candidate in supported and candidate.split("_")[0] == short:
            return candidate
    return None


def _public_holidays(engine: Calendar, today: dt.date) -> list[HolidayRow]:
    """The public holidays of the next twelve months, with the hours worked on them."""
    region = engine.holiday_region
    if region is None:
        return []
    country, subdivision = region
    end = today + dt.timedelta(days=365)
    years = list(range(today.year, end.year + 1))
    probe = holidays.country_holidays(country, subdiv=subdivision, years=years)
    language = _holiday_language(probe)
    named = (
        holidays.country_holidays(country, subdiv=subdivision, years=years, language=language)
        if language is not None
        else probe
    )
    return [
        HolidayRow(
            day=day,
            name=str(name),
            periods=", ".join(str(period) for period in engine.periods_on(day)),
        )
        for day, name in sorted(named.items())
        if today <= day < end
    ]


def _position_text(position: int | None) -> str:
    names = {
        1: gettext("first"),
        2: gettext("second"),
        3: gettext("third"),
        4: gettext("fourth"),
        -1: gettext("last"),
    }
    return names.get(position or 1, str(position))


def repetition_text(exception: CalendarException) -> str:
    """How an exception repeats, in words: ``Every 2 weeks on Monday, Friday``."""
    kind = exception.recurrence
    every = exception.every or 1
    start = exception.start
    if not kind:
        return ""
    if kind == Recurrence.DAILY:
        text = ngettext("Every day", "Every %(n)s days", every) % {"n": every}
    elif kind == Recurrence.WEEKLY:
        days = ", ".join(str(WEEKDAYS[int(day)]) for day in exception.weekdays or [])
        text = ngettext("Every week on %(days)s", "Every %(n)s weeks on %(days)s", every) % {
            "n": every,
            "days": days,
        }
    elif kind == Recurrence.MONTHLY_BY_DAY:
        text = ngettext(
            "Every month on day %(day)s", "Every %(n)s months on day %(day)s", every
        ) % {"n": every, "day": exception.day or start.day}
    elif kind == Recurrence.MONTHLY_BY_WEEKDAY:
        weekday = start.weekday() if exception.weekday is None else exception.weekday
        text = ngettext(
            "Every month on the %(position)s %(weekday)s",
            "Every %(n)s months on the %(position)s %(weekday)s",
            every,
        ) % {
            "n": every,
            "position": _position_text(exception.position),
            "weekday": WEEKDAYS[weekday],
        }
    elif kind == Recurrence.YEARLY_BY_DATE:
        text = gettext("Every year on %(day)s %(month)s") % {
            "day": exception.day or start.day,
            "month": MONTHS[exception.month or start.month],
        }
    else:
        weekday = start.weekday() if exception.weekday is None else exception.weekday
        text = gettext("Every year on the %(position)s %(weekday)s of %(month)s") % {
            "position": _position_text(exception.position),
            "weekday": WEEKDAYS[weekday],
            "month": MONTHS[exception.month or start.month],
        }
    if exception.occurrences:
        text += " " + ngettext("(%(count)s time)", "(%(count)s times)", exception.occurrences) % {
            "count": exception.occurrences
        }
    return text


def _calendar_header(request: PageRequest, calendar: WorkCalendar, tab: str) -> dict[str, Any]:
    return {
        "calendar": calendar,
        "tab": tab,
        "may_change": _may_change_calendar(request.user, calendar),
        "may_delete": _may_change_calendar(request.user, calendar, Action.DELETE),
        "calendars_url": _calendars_url(calendar.project),
        "active_nav": CALENDARS_NAV,
    }


@login_required
def calendar_detail(request: PageRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendar_get_for_user(pk, user=request.user)
    context = _calendar_header(request, calendar, "overview")
    error = ""
    week: list[DayRow] = []
    public_holidays: list[HolidayRow] = []
    try:
        engine = adapters.calendar_chain(calendar)
    except (CalendarError, ValidationError) as problem:
        error = str(problem)
    else:
        week = _week_rows(engine)
        public_holidays = _public_holidays(engine, timezone.localdate())
        context["region"] = engine.holiday_region
    exceptions = [
        (exception, repetition_text(exception)) for exception in calendar.exceptions.all()
    ]
    context.update(
        {
            "week": week,
            "weekly_hours": _hours(_weekly_minutes(_effective_week(calendar))),
            "inherits_week": calendar.week is None and calendar.base_id is not None,
            "exceptions": exceptions,
            "public_holidays": public_holidays,
            "calendar_error": error,
            "exception_form": ExceptionForm() if context["may_change"] else None,
        }
    )
    return render(request, "planning/calendar_detail.html", context)


@login_required
def calendar_update(request: PageRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendar_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = CalendarForm(
        request.POST or None, user=request.user, project=calendar.project, instance=calendar
    )
    return _save(
        request,
        form,
        save=lambda: services.calendar_update(
            actor=request.user, calendar=calendar, **form.service_values()
        ),
        message=_("Calendar “%(object)s” saved."),
        success_url=lambda saved: saved.get_absolute_url(),
        template="planning/calendar_form.html",
        context={
            "title": gettext("Edit calendar"),
            "object_label": str(calendar),
            "cancel_url": calendar.get_absolute_url(),
            "active_nav": CALENDARS_NAV,
            "breadcrumbs": [
                (_calendars_url(calendar.project), gettext("Calendars")),
                (calendar.get_absolute_url(), str(calendar)),
            ],
        },
    )


@login_required
def calendar_delete(request: PageRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendar_get_for_user(pk, user=request.user, action=Action.DELETE)
    return _confirm_delete(
        request,
        calendar,
        delete=lambda: services.calendar_delete(actor=request.user, calendar=calendar),
        success_url=_calendars_url(calendar.project),
        cancel_url=calendar.get_absolute_url(),
    )


def _week_text(value: Any) -> str:
    """A stored week as a person reads it: ``Monday 08:00-12:00, 13:00-17:00; ...``."""
    if not isinstance(value, list):
        return "" if value is None else str(value)
    parts = []
    for number, day in enumerate(value[:7]):
        try:
            periods = adapters.format_periods(day) or gettext("non-working")
        except (TypeError, ValueError):
            periods = str(day)
        parts.append(f"{WEEKDAYS[number]} {periods}")
    return "; ".join(parts)


def _readable_weeks(rows: Iterable[HistoryRow]) -> list[HistoryRow]:
    """History rows with the week shown by day rather than as stored minutes."""
    label = str(WorkCalendar._meta.get_field("week").verbose_name)
    label = label[:1].upper() + label[1:]
    readable = []
    for row in rows:
        weeks = [change for change in row.entry.changes if change.get("field") == "week"]
        if not weeks:
            readable.append(row)
            continue
        changes = [change for change in row.changes if change.label != label] + [
            ChangeRow(
                label=label,
                old=_week_text(change.get("old")),
                new=_week_text(change.get("new")),
            )
            for change in weeks
        ]
        readable.append(HistoryRow(entry=row.entry, who=row.who, changes=changes))
    return readable


@login_required
def calendar_history(request: PageRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendar_get_for_user(pk, user=request.user)
    history = history_context(request, calendar)
    page = history["history_page"]
    page.object_list = _readable_weeks(page.object_list)
    return render(
        request,
        "planning/calendar_history.html",
        {**_calendar_header(request, calendar, "history"), **history},
    )


# Calendar exceptions --------------------------------------------------------------------------


@login_required
def exception_create(request: PageRequest, pk: int) -> HttpResponse:
    calendar = selectors.calendar_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = ExceptionForm(request.POST or None)
    return _save(
        request,
        form,
        save=lambda: services.exception_create(
            actor=request.user, calendar=calendar, **form.service_values()
        ),
        message=_("Exception “%(object)s” added."),
        success_url=lambda _saved: calendar.get_absolute_url(),
        template="planning/calendar_exception_form.html",
        context={
            "title": gettext("New exception"),
            "object_label": str(calendar),
            "cancel_url": calendar.get_absolute_url(),
            "active_nav": CALENDARS_NAV,
            "breadcrumbs": [
                (_calendars_url(calendar.project), gettext("Calendars")),
                (calendar.get_absolute_url(), str(calendar)),
            ],
        },
    )


@login_required
def exception_update(request: PageRequest, pk: int) -> HttpResponse:
    exception = selectors.exception_get_for_user(pk, user=request.user, action=Action.CHANGE)
    calendar = exception.calendar
    form = ExceptionForm(request.POST or None, instance=exception)
    return _save(
        request,
        form,
        save=lambda: services.exception_update(
            actor=request.user, exception=exception, **form.service_values()
        ),
        message=_("Exception “%(object)s” saved."),
        success_url=lambda _saved: calendar.get_absolute_url(),
        template="planning/calendar_exception_form.html",
        context={
            "title": gettext("Edit exception"),
            "object_label": str(exception),
            "cancel_url": calendar.get_absolute_url(),
            "active_nav": CALENDARS_NAV,
            "breadcrumbs": [
                (_calendars_url(calendar.project), gettext("Calendars")),
                (calendar.get_absolute_url(), str(calendar)),
            ],
        },
    )


@login_required
def exception_delete(request: PageRequest, pk: int) -> HttpResponse:
    exception = selectors.exception_get_for_user(pk, user=request.user, action=Action.CHANGE)
    calendar = exception.calendar
    return _confirm_delete(
        request,
        exception,
        delete=lambda: services.exception_delete(actor=request.user, exception=exception),
        success_url=calendar.get_absolute_url(),
        cancel_url=calendar.get_absolute_url(),
    )


# Baselines ------------------------------------------------------------------------------------


def _project_context(project: Project, tab: str) -> dict[str, Any]:
    return {"project": project, "tab": tab, "active_nav": "projects"}


def _baselines_xlsx(user: Any, project: Project, baselines: Sequence[Baseline]) -> HttpResponse:
    """The project's baselines and, on a second sheet, the primary baseline's tasks."""
    sheets = [
        Sheet(
            gettext("Baselines"),
            [
                Column(gettext("Name"), "text", width=30),
                Column(gettext("Primary"), "boolean"),
                Column(gettext("Description"), "text", width=40),
                Column(gettext("Captured"), "datetime"),
                Column(gettext("Captured by"), "text"),
                Column(gettext("Start"), "date"),
                Column(gettext("Finish"), "date"),
                Column(gettext("Tasks"), "integer"),
            ],
            [
                [
                    baseline.name,
                    baseline.is_primary,
                    baseline.description,
                    local_time(baseline.captured_at),
                    str(baseline.captured_by) if baseline.captured_by else "",
                    baseline.start.date() if baseline.start else None,
                    baseline.finish.date() if baseline.finish else None,
                    baseline.task_count,  # type: ignore[attr-defined]
                ]
                for baseline in baselines
            ],
        )
    ]
    primary = next((baseline for baseline in baselines if baseline.is_primary), None)
    if primary is not None:
        plan = services.plan_for(project)
        minutes_per_day = (
            plan.calendar.minutes_per_day if plan.calendar_id and plan.calendar else 480
        )
        sheets.append(
            Sheet(
                gettext("Primary baseline tasks"),
                [
                    Column(gettext("ID"), "integer"),
                    Column(gettext("Name"), "text", width=40),
                    Column(gettext("Baseline start"), "datetime"),
                    Column(gettext("Baseline finish"), "datetime"),
                    Column(gettext("Duration (days)"), "duration_days"),
                    Column(gettext("Work (hours)"), "decimal"),
                    Column(gettext("Cost"), "money", currency=project.currency),
                ],
                [
                    [
                        row.position,
                        row.name,
                        row.start,
                        row.finish,
                        # As on the page: a summary's stored duration is not its span.
                        None
                        if row.is_summary or row.duration_minutes is None
                        else row.duration_minutes / minutes_per_day,
                        None if row.work_minutes is None else row.work_minutes / 60,
                        row.cost,
                    ]
                    for row in selectors.baseline_rows(user=user, baseline=primary)
                ],
            )
        )
    title = f"{project.code} {project.name} — {gettext('Baselines')}"
    return xlsx_response(f"baselines-{project.code}", sheets, title=title)


@login_required
def baseline_list(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    may_change = can(request.user, Action.CHANGE, project)
    baselines = (
        selectors.baseline_list(user=request.user, project=project)
        .annotate(task_count=Count("tasks"))
        .order_by("-captured_at", "-pk")
    )
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _baselines_xlsx(request.user, project, list(baselines))
    form = None
    if request.method == "POST":
        if not may_change:
            _forbid()
        form = BaselineForm(request.POST)
        if form.is_valid():
            try:
                baseline = services.baseline_capture(
                    actor=request.user, project=project, **form.service_values()
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, gettext("Baseline “%(object)s” captured.") % {"object": baseline}
                )
                return redirect("planning:baseline_list", pk=project.pk)
    elif may_change:
        has_primary = any(baseline.is_primary for baseline in baselines)
        form = BaselineForm(
            initial={
                "name": _next_baseline_name(baselines),
                "is_primary": not has_primary,
            }
        )
    return render(
        request,
        "planning/baseline_list.html",
        {
            **_project_context(project, "baselines"),
            "baselines": baselines,
            "form": form,
            "may_change": may_change,
        },
    )


def _next_baseline_name(baselines: Iterable[Baseline]) -> str:
    names = {baseline.name for baseline in baselines}
    number = len(names) + 1
    while gettext("Baseline %(number)s") % {"number": number} in names:
        number += 1
    return gettext("Baseline %(number)s") % {"number": number}


@dataclass
class Side:
    """A task's dates and duration on one side of a comparison."""

    start: dt.datetime | None = None
    finish: dt.datetime | None = None
    duration: str = ""


@dataclass
class ComparisonRow:
    """One task in a baseline comparison: the baseline's values and the compared ones."""

    position: int
    wbs: str
    name: str
    outline_level: int
    is_summary: bool
    is_milestone: bool
    task: Task | None
    baseline: Side | None
    compared: Side | None
    deleted: bool = False

    @property
    def start_variance(self) -> float | None:
        if self.baseline is None or self.compared is None:
            return None
        return _variance_days(self.compared.start, self.baseline.start)

    @property
    def finish_variance(self) -> float | None:
        if self.baseline is None or self.compared is None:
            return None
        return _variance_days(self.compared.finish, self.baseline.finish)

    @property
    def start_variance_text(self) -> str:
        return _signed(self.start_variance)

    @property
    def finish_variance_text(self) -> str:
        return _signed(self.finish_variance)

    @property
    def indent(self) -> int:
        return max(0, self.outline_level - 1)


def _signed(value: float | None) -> str:
    """A variance with its sign: ``+2``, ``−0.5``, ``0``."""
    if value is None:
        return ""
    places = 0 if value == int(value) else 1
    text = formats.number_format(abs(value), decimal_pos=places)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"\u2212{text}"
    return text


def _variance_days(current: dt.datetime | None, reference: dt.datetime | None) -> float | None:
    """Days later than the reference (negative = earlier), as the plan grid shows them."""
    if current is None or reference is None:
        return None
    return round((current - reference).total_seconds() / 86400, 1)


@dataclass
class Comparison:
    rows: list[ComparisonRow]
    reference_label: str
    compared_label: str
    with_plan: bool
    late_count: int = field(default=0)


def _baseline_duration(row: BaselineTask, unit: str, minutes_per_day: int) -> str:
    if row.is_summary or row.duration_minutes is None:
        return ""
    if unit in {"%", "e%"}:
        unit = "d"
    return format_quantity(row.duration_minutes, unit, minutes_per_day=minutes_per_day)


def _task_duration(task: Task, minutes_per_day: int) -> str:
    return selectors.duration_text(task, minutes_per_day)


def _row_key(row: BaselineTask) -> tuple[Any, ...]:
    if row.task_id is not None:
        return ("task", row.task_id)
    return ("row", row.position, row.name)


def _merge(
    compared: list[tuple[tuple[Any, ...], Any]],
    reference: list[tuple[tuple[Any, ...], Any]],
) -> list[tuple[Any | None, Any | None]]:
    """Pair the rows of both sides by key, in the compared side's order, each row only on the
    reference side placed after the reference row before it that is paired."""
    reference_keys = {key for key, _item in reference}
    compared_keys = {key for key, _item in compared}
    by_key = dict(reference)
    after: dict[Any, list[Any]] = {}
    anchor: tuple[Any, ...] | None = None
    for key, item in reference:
        if key in compared_keys:
            anchor = key
        else:
            after.setdefault(anchor, []).append(item)
    pairs: list[tuple[Any | None, Any | None]] = [(None, item) for item in after.get(None, [])]
    for key, item in compared:
        pairs.append((item, by_key.get(key) if key in reference_keys else None))
        pairs.extend((None, orphan) for orphan in after.get(key, []))
    return pairs


def baseline_comparison(
    *,
    user: Any,
    baseline: Baseline,
    against: Baseline | None = None,
) -> Comparison:
    """A baseline beside the current plan (or beside another baseline), task by task, in a
    fixed number of queries."""
    project = baseline.project
    plan = services.plan_for(project)
    minutes_per_day = plan.calendar.minutes_per_day if plan.calendar_id and plan.calendar else 480
    reference_rows = list(selectors.baseline_rows(user=user, baseline=baseline))
    tasks = {task.pk: task for task in selectors.task_list(user=user, project=project)}
    rows: list[ComparisonRow] = []

    def reference_side(row: BaselineTask, task: Task | None) -> Side:
        unit = task.duration_unit if task is not None else "d"
        return Side(row.start, row.finish, _baseline_duration(row, unit, minutes_per_day))

    if against is None:
        compared: list[tuple[tuple[Any, ...], Any]] = [
            (("task", task.pk), task) for task in tasks.values()
        ]
        compared_label = gettext("Current plan")
    else:
        compared = [
            (_row_key(row), row) for row in selectors.baseline_rows(user=user, baseline=against)
        ]
        compared_label = str(against)
    for new, old in _merge(compared, [(_row_key(row), row) for row in reference_rows]):
        task: Task | None
        side: Side | None
        source: Task | BaselineTask
        if isinstance(new, Task):
            task, source = new, new
            side = Side(new.start, new.finish, _task_duration(new, minutes_per_day))
        elif isinstance(new, BaselineTask):
            task = tasks.get(new.task_id) if new.task_id else None
            side, source = reference_side(new, task), new
        else:
            assert isinstance(old, BaselineTask)
            task = tasks.get(old.task_id) if old.task_id else None
            side, source = None, old
        rows.append(
            ComparisonRow(
                position=task.position if task is not None else source.position,
                wbs=task.wbs_code if task is not None else "",
                name=task.name if task is not None else source.name,
                outline_level=task.outline_level if task is not None else 1,
                is_summary=source.is_summary,
                is_milestone=source.is_milestone,
                task=task,
                baseline=reference_side(old, task) if old is not None else None,
                compared=side,
                deleted=task is None,
            )
        )
    late = sum(1 for row in rows if (row.finish_variance or 0) > 0 and not row.is_summary)
    return Comparison(
        rows=rows,
        reference_label=str(baseline),
        compared_label=compared_label,
        with_plan=against is None,
        late_count=late,
    )


@login_required
def baseline_detail(request: PageRequest, pk: int) -> HttpResponse:
    baseline = selectors.baseline_get_for_user(pk, user=request.user)
    project = baseline.project
    choices = selectors.baseline_list(user=request.user, project=project)
    choice_form = BaselineChoiceForm(request.GET or None, baseline=baseline, choices=choices)
    against = None
    if choice_form.is_valid():
        against = choice_form.cleaned_data["against"]
    comparison = baseline_comparison(user=request.user, baseline=baseline, against=against)
    return render(
        request,
        "planning/baseline_detail.html",
        {
            **_project_context(project, "baselines"),
            "baseline": baseline,
            "against": against,
            "choice_form": choice_form,
            "comparison": comparison,
            "may_change": can(request.user, Action.CHANGE, project),
        },
    )


@login_required
def baseline_update(request: PageRequest, pk: int) -> HttpResponse:
    baseline = selectors.baseline_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = BaselineForm(request.POST or None, instance=baseline)
    project = baseline.project
    return _save(
        request,
        form,
        save=lambda: services.baseline_update(
            actor=request.user, baseline=baseline, **form.service_values()
        ),
        message=_("Baseline “%(object)s” saved."),
        success_url=lambda saved: saved.get_absolute_url(),
        context={
            "title": gettext("Edit baseline"),
            "object_label": str(baseline),
            "cancel_url": baseline.get_absolute_url(),
            "active_nav": "projects",
            "breadcrumbs": [
                (project.get_absolute_url(), str(project)),
                (reverse("planning:baseline_list", args=[project.pk]), gettext("Baselines")),
            ],
        },
    )


@login_required
def baseline_delete(request: PageRequest, pk: int) -> HttpResponse:
    baseline = selectors.baseline_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = baseline.project
    return _confirm_delete(
        request,
        baseline,
        delete=lambda: services.baseline_delete(actor=request.user, baseline=baseline),
        success_url=reverse("planning:baseline_list", args=[project.pk]),
        cancel_url=baseline.get_absolute_url(),
        context={"active_nav": "projects"},
    )


# Schedule health ------------------------------------------------------------------------------


OFFENDING_SHOWN_OPEN = 5
"""Offending tasks beyond this many are folded away under a summary line."""


def _number(value: float, places: int) -> str:
    return formats.number_format(round(value, places), decimal_pos=places)


def _measure(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "percent":
        return f"{_number(value, 1)}\u00a0%"
    return _number(value, 2)


def _threshold(check: CheckOutcome) -> str:
    sign = "≥" if check.at_least else "≤"
    if check.unit == "percent":
        return f"{sign}\u00a0{_number(check.threshold, 0)}\u00a0%"
    return f"{sign}\u00a0{_number(check.threshold, 2)}"


@dataclass(frozen=True)
class CheckRow:
    """One of the fourteen checks as the health page shows it."""

    check: CheckOutcome
    threshold: str
    value: str

    @property
    def folded(self) -> bool:
        return len(self.check.offending) > OFFENDING_SHOWN_OPEN


RATING_LABELS = {"green": _("Green"), "amber": _("Amber"), "red": _("Red")}


@login_required
def health(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    primary = (
        selectors.baseline_list(user=request.user, project=project).filter(is_primary=True).first()
    )
    error = ""
    assessment: ProjectHealth | None = None
    if selectors.task_list(user=request.user, project=project).exists():
        try:
            assessment = project_health(user=request.user, project=project)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    context: dict[str, Any] = {
        **_project_context(project, "health"),
        "primary": primary,
        "error": error,
        "assessment": assessment,
        "green_from": _number(DEFAULT_THRESHOLDS.green_score_percent, 0),
        "amber_from": _number(DEFAULT_THRESHOLDS.amber_score_percent, 0),
        "may_change": can(request.user, Action.CHANGE, project),
    }
    if assessment is not None:
        context.update(
            {
                "checks": [
                    CheckRow(check, _threshold(check), _measure(check.value, check.unit))
                    for check in assessment.checks
                ],
                "score": None if assessment.score is None else _number(assessment.score, 0),
                "rating": assessment.rating or "",
                "rating_label": RATING_LABELS.get(assessment.rating or "", _("Not rated")),
                "passed_count": assessment.passed_count,
                "assessed_count": assessment.assessed_count,
                "status_date": assessment.status_date,
                "status_date_set": services.plan_for(project).status_date is not None,
            }
        )
    return render(request, "planning/health.html", context)
