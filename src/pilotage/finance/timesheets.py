"""Timesheets: a person's weekly time on their tasks, its approval, the actual costs and
progress it feeds, locked periods and the list of missing timesheets.

Rules:

- A timesheet covers one week, Monday to Sunday. The person (the resource's user) fills it;
  administrators, the PMO and finance controllers of the whole organisation may fill it on
  their behalf.
- Time goes only on tasks the person is assigned to, at most 24 hours a day in all, and never
  on a date of a locked period. Saving replaces the whole grid, or nothing on error.
- Whoever approves holds Change or Manage finance on every project of the timesheet, and is
  not the person whose time it is (administrators excepted).
- Approval writes one actual cost per entry, valued at the rate of an active time-and-materials
  contract covering the person on that project and day (in the contract's currency), else at
  the person's internal hourly rate (reporting currency), else at zero with a warning.
- A project may choose to take progress from approved time: the approved minutes are added to
  the actual work of the assignment and of the task, whose percent complete becomes actual work
  over work (at most 99 % until someone says the task is finished).
- A locked period freezes time entry and changes on its dates, and reopening an approved
  timesheet with a locked date; time already submitted before the period closed may still be
  approved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import (
    Action,
    Grants,
    can,
    grants_for,
    require,
    require_organisation,
    visible,
)
from pilotage.core import audit
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.services import (
    acting_user,
    create_audited,
    delete_audited,
    update_audited,
    validate,
)
from pilotage.finance.budgets import EXTERNAL_CATEGORY, LABOUR_CATEGORY
from pilotage.finance.currency import finance_settings, quantize_money
from pilotage.finance.locks import ensure_open, lock_covering
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    CostCategory,
    ExpenseType,
    PeriodLock,
    ProjectFinance,
    Timesheet,
    TimesheetEntry,
    TimesheetStatus,
)
from pilotage.finance.rates import contract_rates, labour_rates
from pilotage.planning.models import STANDARD_WEEK, Task, WorkCalendar
from pilotage.planning.services import ensure_scheduled, recalculate
from pilotage.portfolio.models import Project
from pilotage.resources.models import Assignment, Resource, ResourceKind

__all__ = [
    "MINUTES_PER_DAY",
    "GridRow",
    "MissingTimesheet",
    "ProjectWeekHours",
    "TimesheetGrid",
    "TimesheetRow",
    "format_hours",
    "locked_dates",
    "may_approve",
    "may_fill",
    "missing_timesheets",
    "parse_hours",
    "period_lock_create",
    "period_lock_delete",
    "period_lock_get",
    "period_lock_list",
    "progress_from_timesheets",
    "project_finance_options_set",
    "project_timesheet_hours",
    "resource_of_user",
    "timesheet_approve",
    "timesheet_for_week",
    "timesheet_get_for_user",
    "timesheet_get_or_create",
    "timesheet_grid",
    "timesheet_list",
    "timesheet_missing_rates",
    "timesheet_project_totals",
    "timesheet_reject",
    "timesheet_reopen",
    "timesheet_save",
    "timesheet_submit",
    "timesheets_to_approve",
    "week_days",
    "week_start_of",
]

MINUTES_PER_DAY = 24 * 60
PERCENT_BEFORE_FINISHED = 99.0
EDITABLE = (TimesheetStatus.DRAFT, TimesheetStatus.REJECTED)


# Hours and weeks ------------------------------------------------------------------------------

_HOURS_MINUTES = re.compile(r"^(\d+)\s*[h:]\s*(\d{1,2})?\s*(?:m|min)?$", re.IGNORECASE)
_MINUTES_ONLY = re.compile(r"^(\d+)\s*(?:m|min)$", re.IGNORECASE)


def parse_hours(text: str | int | float | Decimal | None) -> int:
    """Minutes from hours as people type them: ``7.5``, ``7,5``, ``7h30``, ``7:30``, ``45m``.

    An empty value is zero. Raises ``ValidationError`` naming the value when it is not a
    duration or is negative.

    >>> parse_hours("7,5"), parse_hours("7h30"), parse_hours("0:45"), parse_hours("")
    (450, 450, 45, 0)
    """
    if text is None:
        return 0
    value = str(text).strip().replace(" ", "")
    if not value:
        return 0
    invalid = ValidationError(
        gettext("“%(value)s” is not a number of hours (write 7.5, 7,5 or 7h30).") % {"value": text},
        code="invalid_hours",
    )
    match = _HOURS_MINUTES.match(value)
    if match:
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        if minutes >= 60:
            raise invalid
        return hours * 60 + minutes
    match = _MINUTES_ONLY.match(value)
    if match:
        return int(match.group(1))
    if value.lower().endswith("h"):
        value = value[:-1]
    try:
        hours_decimal = Decimal(value.replace(",", "."))
    except InvalidOperation as exc:
        raise invalid from exc
    if not hours_decimal.is_finite():
        raise invalid
    if hours_decimal < 0:
        raise ValidationError(
            gettext("Time cannot be negative: “%(value)s”.") % {"value": text},
            code="negative_hours",
        )
    return int((hours_decimal * 60).to_integral_value())


def format_hours(minutes: int | None) -> str:
    """Minutes as decimal hours for a grid cell: ``450`` → ``7.5``; nothing for zero.

    >>> format_hours(450), format_hours(480), format_hours(20), format_hours(0)
    ('7.5', '8', '0.33', '')
    """
    if not minutes:
        return ""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01")).normalize()
    text = f"{hours:f}"
    return text


def week_start_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_days(week_start: dt.date) -> list[dt.date]:
    """The seven days of the week starting on ``week_start``."""
    return [week_start + dt.timedelta(days=offset) for offset in range(7)]


def _check_monday(week_start: dt.date) -> None:
    if week_start.weekday() != 0:
        raise ValidationError(
            {
                "week_start": gettext(
                    "A timesheet week starts on a Monday; %(date)s is a %(weekday)s."
                )
                % {"date": week_start.isoformat(), "weekday": _weekday_name(week_start)}
            },
            code="not_monday",
        )


def _weekday_name(day: dt.date) -> str:
    names = [
        gettext("Monday"),
        gettext("Tuesday"),
        gettext("Wednesday"),
        gettext("Thursday"),
        gettext("Friday"),
        gettext("Saturday"),
        gettext("Sunday"),
    ]
    return names[day.weekday()]


# Who may do what ------------------------------------------------------------------------------


def _is_owner(user: Any, resource: Resource) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and resource.user_id is not None
        and resource.user_id == user.pk
    )


def _fills_for_others(user: Any) -> bool:
    """Administrators, the PMO and organisation-wide finance fill timesheets for anyone."""
    return can(user, Action.MANAGE_FINANCE) or can(user, Action.CHANGE)


def _is_administrator(user: Any) -> bool:
    return can(user, Action.ADMINISTER)


def may_fill(user: Any, resource: Resource) -> bool:
    """Whether ``user`` may enter time for ``resource`` (their own, or on someone's behalf)."""
    return _is_owner(user, resource) or _fills_for_others(user)


def _require_fill(actor: Any, resource: Resource) -> None:
    if not may_fill(actor, resource):
        raise ForbiddenError(gettext("You may only fill in your own timesheets."))


def _allowing(grants: Grants, actions: Sequence[Action]) -> Q | None:
    """Projects where one of ``actions`` is allowed by a scoped role; None: all projects."""
    if any(grants.allows_everywhere(action) for action in actions):
        return None
    condition = Q(pk__in=[])
    for action in actions:
        condition |= (
            Q(portfolio_id__in=grants.ids("portfolio", action))
            | Q(programme_id__in=grants.ids("programme", action))
            | Q(id__in=grants.ids("project", action))
        )
    return condition


_APPROVER_ACTIONS = (Action.CHANGE, Action.MANAGE_FINANCE)


def _may_approve_project(user: Any, project: Project) -> bool:
    return any(can(user, action, project) for action in _APPROVER_ACTIONS)


def _timesheet_projects(timesheet: Timesheet) -> list[Project]:
    """The projects a timesheet's time is on; for a timesheet without time, the projects of
    the person's assignments that week."""
    entries = getattr(timesheet, "_prefetched_objects_cache", {}).get("entries")
    if entries is None:
        entries = timesheet.entries.select_related("project")
    projects = {entry.project_id: entry.project for entry in entries}
    if not projects:
        for assignment in _week_assignments(timesheet.resource, timesheet.week_start):
            projects[assignment.project_id] = assignment.project
    return sorted(projects.values(), key=lambda project: project.code)


def may_approve(user: Any, timesheet: Timesheet) -> bool:
    """Whether ``user`` may approve, reject or reopen ``timesheet``."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_owner(user, timesheet.resource) and not _is_administrator(user):
        return False
    projects = _timesheet_projects(timesheet)
    if not projects:
        return any(can(user, action) for action in _APPROVER_ACTIONS)
    return all(_may_approve_project(user, project) for project in projects)


def _require_approve(actor: Any, timesheet: Timesheet) -> None:
    if _is_owner(actor, timesheet.resource) and not _is_administrator(actor):
        raise ForbiddenError(gettext("You cannot approve or reject your own timesheet."))
    if not may_approve(actor, timesheet):
        raise ForbiddenError(
            gettext(
                "Approving this timesheet needs the right to change, or to manage the money "
                "of, every project it has time on."
            )
        )


# Selectors ------------------------------------------------------------------------------------


def _visible_timesheets(user: Any) -> QuerySet[Timesheet]:
    queryset = Timesheet.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    grants = grants_for(user)
    allowed = _allowing(grants, _APPROVER_ACTIONS)
    if allowed is None:
        return queryset
    projects = Project.objects.filter(allowed)
    condition = (
        Q(resource__user=user)
        | Q(pk__in=TimesheetEntry.objects.filter(project__in=projects).values("timesheet_id"))
        | (
            ~Q(pk__in=TimesheetEntry.objects.values("timesheet_id"))
            & Q(resource__in=Assignment.objects.filter(project__in=projects).values("resource_id"))
        )
    )
    return queryset.filter(condition)


def timesheet_list(
    *,
    user: Any,
    resource: Resource | int | None = None,
    status: str = "",
    week: dt.date | None = None,
    project: Project | int | None = None,
) -> QuerySet[Timesheet]:
    """The timesheets ``user`` may see: their own, those with time on projects whose work or
    money they manage; newest week first."""
    queryset = _visible_timesheets(user).select_related("resource", "decided_by")
    if resource is not None:
        queryset = queryset.filter(resource=resource)
    if status:
        queryset = queryset.filter(status=status)
    if week is not None:
        queryset = queryset.filter(week_start=week_start_of(week))
    if project is not None:
        queryset = queryset.filter(
            pk__in=TimesheetEntry.objects.filter(project=project).values("timesheet_id")
        )
    return queryset.annotate(total_minutes=Sum("entries__minutes")).order_by(
        "-week_start", "resource__name", "pk"
    )


def timesheet_get_for_user(pk: Any, *, user: Any) -> Timesheet:
    """A timesheet ``user`` may see; :class:`NotFoundError` otherwise."""
    try:
        return _visible_timesheets(user).select_related("resource", "decided_by").get(pk=pk)
    except (Timesheet.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def timesheet_for_week(*, user: Any, resource: Resource, week_start: dt.date) -> Timesheet | None:
    """The person's timesheet of that week if it exists, for someone who may fill it or see it.

    Raises :class:`NotFoundError` for a user who may neither fill nor see it.
    """
    _check_monday(week_start)
    found = (
        Timesheet.objects.filter(resource=resource, week_start=week_start)
        .select_related("resource", "decided_by")
        .first()
    )
    if may_fill(user, resource):
        return found
    if found is not None and _visible_timesheets(user).filter(pk=found.pk).exists():
        return found
    raise NotFoundError()


def resource_of_user(user: Any) -> Resource | None:
    """The resource a signed-in user fills timesheets as (their first active one)."""
    if not getattr(user, "is_authenticated", False) or not user.pk:
        return None
    return (
        Resource.objects.filter(user=user, is_active=True).order_by("pk").first()
        or Resource.objects.filter(user=user).order_by("pk").first()
    )


def _span(assignment: Assignment) -> tuple[dt.date | None, dt.date | None]:
    start = assignment.start or assignment.task.start
    finish = assignment.finish or assignment.task.finish
    return (start.date() if start else None, finish.date() if finish else None)


def _overlaps(assignment: Assignment, first: dt.date, last: dt.date) -> bool:
    start, finish = _span(assignment)
    if start is None or finish is None:
        return False
    return start <= last and finish >= first


def _week_assignments(resource: Resource, week_start: dt.date) -> list[Assignment]:
    last = week_start + dt.timedelta(days=6)
    assignments = Assignment.objects.filter(resource=resource).select_related(
        "project", "task", "project__portfolio"
    )
    return [item for item in assignments if _overlaps(item, week_start, last)]


def _weekdays_between(first: dt.date, last: dt.date) -> int:
    if last < first:
        return 0
    days = (last - first).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (first + dt.timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def _planned_minutes(assignment: Assignment, week_start: dt.date) -> int | None:
    """The assignment's work spread evenly over the weekdays it spans, for this week."""
    work = assignment.work_minutes
    start, finish = _span(assignment)
    if not work or start is None or finish is None:
        return None
    total = _weekdays_between(start, finish)
    if total == 0:
        return work if start >= week_start and start <= week_start + dt.timedelta(6) else 0
    inside = _weekdays_between(max(start, week_start), min(finish, week_start + dt.timedelta(6)))
    return round(work * inside / total)


@dataclass
class GridRow:
    """One task of a weekly grid: minutes per day (Monday first), the note and the planned work."""

    project: Project
    task: Task
    assignment: Assignment | None
    minutes: list[int]
    note: str = ""
    planned_minutes: int | None = None

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes)

    def days(self, week_start: dt.date) -> dict[dt.date, int]:
        return {day: self.minutes[index] for index, day in enumerate(week_days(week_start))}


@dataclass
class TimesheetGrid:
    """A person's week: one row per task they are assigned to that week or have time on."""

    resource: Resource
    week_start: dt.date
    timesheet: Timesheet | None
    rows: list[GridRow]
    locked: list[bool]

    @property
    def days(self) -> list[dt.date]:
        return week_days(self.week_start)

    @property
    def day_totals(self) -> list[int]:
        return [sum(row.minutes[index] for row in self.rows) for index in range(7)]

    @property
    def total_minutes(self) -> int:
        return sum(row.total_minutes for row in self.rows)

    @property
    def planned_minutes(self) -> int:
        return sum(row.planned_minutes or 0 for row in self.rows)

    @property
    def status(self) -> str:
        return self.timesheet.status if self.timesheet is not None else TimesheetStatus.DRAFT

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


def _locked_days(days: Sequence[dt.date]) -> list[bool]:
    locks = list(PeriodLock.objects.filter(start__lte=days[-1], finish__gte=days[0]))
    return [any(lock.start <= day <= lock.finish for lock in locks) for day in days]


def timesheet_grid(
    *, resource: Resource, week_start: dt.date, timesheet: Timesheet | None = None
) -> TimesheetGrid:
    """The weekly grid of ``resource``: every task they are assigned to whose dates overlap
    the week (even without time yet), then any other task the timesheet has time on."""
    _check_monday(week_start)
    days = week_days(week_start)
    rows: dict[int, GridRow] = {}
    for assignment in sorted(
        _week_assignments(resource, week_start),
        key=lambda item: (item.project.code, item.task.position),
    ):
        rows[assignment.task_id] = GridRow(
            project=assignment.project,
            task=assignment.task,
            assignment=assignment,
            minutes=[0] * 7,
            planned_minutes=_planned_minutes(assignment, week_start),
        )
    if timesheet is not None:
        entries = timesheet.entries.select_related("project", "task").order_by(
            "project__code", "task__position", "date"
        )
        for entry in entries:
            row = rows.get(entry.task_id)
            if row is None:
                row = rows[entry.task_id] = GridRow(
                    project=entry.project, task=entry.task, assignment=None, minutes=[0] * 7
                )
            index = (entry.date - week_start).days
            if 0 <= index < 7:
                row.minutes[index] += entry.minutes
            if entry.note and not row.note:
                row.note = entry.note
    return TimesheetGrid(
        resource=resource,
        week_start=week_start,
        timesheet=timesheet,
        rows=list(rows.values()),
        locked=_locked_days(days),
    )


def timesheet_project_totals(timesheet: Timesheet) -> list[tuple[Project, int]]:
    """Minutes of a timesheet per project, by project code."""
    totals: dict[int, int] = defaultdict(int)
    projects: dict[int, Project] = {}
    entries = getattr(timesheet, "_prefetched_objects_cache", {}).get("entries")
    if entries is None:
        entries = timesheet.entries.select_related("project")
    for entry in entries:
        totals[entry.project_id] += entry.minutes
        projects[entry.project_id] = entry.project
    return [(projects[pk], totals[pk]) for pk in sorted(projects, key=lambda pk: projects[pk].code)]


def timesheets_to_approve(user: Any) -> list[Timesheet]:
    """The submitted timesheets ``user`` may approve, oldest week first, entries prefetched."""
    queryset = (
        _visible_timesheets(user)
        .filter(status=TimesheetStatus.SUBMITTED)
        .select_related("resource", "resource__user")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=TimesheetEntry.objects.select_related("project").order_by(
                    "project__code", "date"
                ),
            )
        )
        .order_by("week_start", "resource__name", "pk")
    )
    return [timesheet for timesheet in queryset if may_approve(user, timesheet)]


def timesheet_missing_rates(timesheet: Timesheet) -> list[str]:
    """Sentences naming each person, project and day of the timesheet without any rate: its
    time would be recorded at zero cost."""
    entries = list(timesheet.entries.select_related("project").order_by("date"))
    valuer = _Valuer(entries, timesheet.resource)
    missing: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for entry in entries:
        if valuer.rate(entry)[0] is None:
            missing[(entry.project_id, str(entry.project))].append(entry.date)
    return [
        gettext("No rate for %(person)s on %(project)s (%(dates)s): the time is recorded at zero.")
        % {
            "person": timesheet.resource.name,
            "project": project,
            "dates": ", ".join(day.isoformat() for day in sorted(set(days))),
        }
        for (_pk, project), days in missing.items()
    ]


@dataclass(frozen=True)
class MissingTimesheet:
    """A person with assignments in a week whose timesheet is absent, draft or rejected."""

    resource: Resource
    week_start: dt.date
    timesheet: Timesheet | None
    projects: tuple[Project, ...]
    planned_minutes: int

    @property
    def status(self) -> str:
        return self.timesheet.status if self.timesheet is not None else ""


def missing_timesheets(
    *,
    user: Any,
    weeks: int = 4,
    until: dt.date | None = None,
    department: int | None = None,
    team: int | None = None,
) -> list[MissingTimesheet]:
    """For the ``weeks`` full weeks before the week of ``until`` (today): each person with an
    assignment on a project ``user`` can see that week, and no submitted or approved timesheet
    for it. By week (newest first), then name."""
    today = until or timezone.localdate()
    current = week_start_of(today)
    mondays = [current - dt.timedelta(weeks=offset) for offset in range(1, max(weeks, 0) + 1)]
    if not mondays:
        return []
    first, last = mondays[-1], current - dt.timedelta(days=1)
    assignments = (
        Assignment.objects.filter(
            project__in=visible(user, Project.objects.all()),
            resource__kind=ResourceKind.WORK,
            resource__is_generic=False,
            resource__is_active=True,
        )
        .select_related("resource", "task", "project")
        .order_by("resource__name", "resource_id", "project__code")
    )
    if department:
        assignments = assignments.filter(resource__department_id=department)
    if team:
        assignments = assignments.filter(resource__team_id=team)
    load: dict[tuple[int, dt.date], list[Assignment]] = defaultdict(list)
    people: dict[int, Resource] = {}
    for assignment in assignments:
        if not _overlaps(assignment, first, last):
            continue
        people[assignment.resource_id] = assignment.resource
        for monday in mondays:
            if _overlaps(assignment, monday, monday + dt.timedelta(days=6)):
                load[(assignment.resource_id, monday)].append(assignment)
    sheets = {
        (sheet.resource_id, sheet.week_start): sheet
        for sheet in Timesheet.objects.filter(
            resource_id__in=people, week_start__gte=first, week_start__lte=mondays[0]
        )
    }
    found: list[MissingTimesheet] = []
    for monday in mondays:
        for resource in sorted(people.values(), key=lambda item: (item.name, item.pk)):
            items = load.get((resource.pk, monday))
            if not items:
                continue
            sheet = sheets.get((resource.pk, monday))
            if sheet is not None and sheet.status not in EDITABLE:
                continue
            projects = {item.project_id: item.project for item in items}
            found.append(
                MissingTimesheet(
                    resource=resource,
                    week_start=monday,
                    timesheet=sheet,
                    projects=tuple(sorted(projects.values(), key=lambda p: p.code)),
                    planned_minutes=sum(_planned_minutes(item, monday) or 0 for item in items),
                )
            )
    return found


@dataclass(frozen=True)
class ProjectWeekHours:
    """A person's submitted and approved time on a project in one week."""

    resource: Resource
    week_start: dt.date
    submitted_minutes: int
    approved_minutes: int
    timesheet_ids: tuple[int, ...] = field(default_factory=tuple)


def project_timesheet_hours(*, user: Any, project: Project) -> list[ProjectWeekHours]:
    """Submitted and approved time on ``project`` per person and week, newest week first."""
    require(user, Action.VIEW, project)
    rows = (
        TimesheetEntry.objects.filter(
            project=project,
            timesheet__status__in=[TimesheetStatus.SUBMITTED, TimesheetStatus.APPROVED],
        )
        .values("timesheet_id", "timesheet__resource_id", "timesheet__week_start")
        .annotate(minutes=Sum("minutes"))
        .values_list(
            "timesheet_id",
            "timesheet__resource_id",
            "timesheet__week_start",
            "timesheet__status",
            "minutes",
        )
    )
    grouped: dict[tuple[int, dt.date], dict[str, Any]] = {}
    for sheet_id, resource_id, week, status, minutes in rows:
        item = grouped.setdefault((resource_id, week), {"submitted": 0, "approved": 0, "ids": []})
        item["approved" if status == TimesheetStatus.APPROVED else "submitted"] += minutes or 0
        item["ids"].append(sheet_id)
    resources = Resource.objects.in_bulk({resource_id for resource_id, _week in grouped})
    result = [
        ProjectWeekHours(
            resource=resources[resource_id],
            week_start=week,
            submitted_minutes=item["submitted"],
            approved_minutes=item["approved"],
            timesheet_ids=tuple(item["ids"]),
        )
        for (resource_id, week), item in grouped.items()
    ]
    return sorted(result, key=lambda row: (-row.week_start.toordinal(), row.resource.name))


def progress_from_timesheets(project: Project) -> bool:
    """Whether approved timesheets update the project's progress (off without options)."""
    return bool(
        ProjectFinance.objects.filter(project=project)
        .values_list("progress_from_timesheets", flat=True)
        .first()
    )


def period_lock_list() -> QuerySet[PeriodLock]:
    return PeriodLock.objects.select_related("locked_by").order_by("-start", "pk")


def period_lock_get(pk: Any) -> PeriodLock:
    try:
        return PeriodLock.objects.get(pk=pk)
    except (PeriodLock.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


# Services -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimesheetRow:
    """One row of a grid to save: a task, minutes by date, a note."""

    task: Task
    days: Mapping[dt.date, int]
    note: str = ""


@transaction.atomic
def timesheet_get_or_create(*, actor: User, resource: Resource, week_start: dt.date) -> Timesheet:
    """The person's timesheet of that week, created as a draft on first use."""
    _check_monday(week_start)
    _require_fill(actor, resource)
    found = Timesheet.objects.filter(resource=resource, week_start=week_start).first()
    if found is not None:
        return found
    return create_audited(actor=actor, instance=Timesheet(resource=resource, week_start=week_start))


def _require_editable(timesheet: Timesheet) -> None:
    if timesheet.status not in EDITABLE:
        raise ValidationError(
            gettext("This timesheet is %(status)s: it can no longer be changed.")
            % {"status": timesheet.get_status_display().lower()},
            code="not_editable",
        )


@transaction.atomic
def timesheet_save(*, actor: User, timesheet: Timesheet, rows: Sequence[TimesheetRow]) -> Timesheet:
    """Replace the timesheet's time by ``rows``; all or nothing.

    A row's zero minutes remove that day's time. Refused, with the problem named: a timesheet
    already submitted or approved, a date outside the week, a task the person is not assigned
    to, negative minutes, more than 24 hours on a day, a change on a locked date.
    """
    timesheet = (
        Timesheet.objects.select_for_update().select_related("resource").get(pk=timesheet.pk)
    )
    _require_fill(actor, timesheet.resource)
    _require_editable(timesheet)
    days = set(week_days(timesheet.week_start))
    errors: list[str] = []
    wanted: dict[tuple[int, dt.date], int] = {}
    notes: dict[int, str] = {}
    tasks: dict[int, Task] = {}
    assigned = set(
        Assignment.objects.filter(
            resource=timesheet.resource, task_id__in={row.task.pk for row in rows}
        ).values_list("task_id", flat=True)
    )
    for row in rows:
        task = row.task
        tasks[task.pk] = task
        if task.pk not in assigned:
            errors.append(
                gettext("%(person)s is not assigned to the task “%(task)s” (%(project)s).")
                % {
                    "person": timesheet.resource.name,
                    "task": task.name,
                    "project": task.project,
                }
            )
            continue
        notes[task.pk] = (row.note or "").strip()[:255]
        for day, minutes in row.days.items():
            if day not in days:
                errors.append(
                    gettext("%(date)s is not in the week of %(week)s (task “%(task)s”).")
                    % {
                        "date": day.isoformat(),
                        "week": timesheet.week_start.isoformat(),
                        "task": task.name,
                    }
                )
                continue
            if minutes < 0:
                errors.append(
                    gettext("Time cannot be negative (task “%(task)s”, %(date)s).")
                    % {"task": task.name, "date": day.isoformat()}
                )
                continue
            if minutes:
                key = (task.pk, day)
                wanted[key] = wanted.get(key, 0) + int(minutes)
    per_day: dict[dt.date, int] = defaultdict(int)
    for (_task, day), minutes in wanted.items():
        per_day[day] += minutes
    for day in sorted(per_day):
        if per_day[day] > MINUTES_PER_DAY:
            errors.append(
                gettext("%(date)s has %(hours)s hours in all: a day has no more than 24 hours.")
                % {"date": day.isoformat(), "hours": format_hours(per_day[day])}
            )
    if errors:
        raise ValidationError(errors)
    existing = {
        (entry.task_id, entry.date): entry
        for entry in timesheet.entries.select_related("task", "project")
    }
    changed_days = {
        key[1]
        for key in set(existing) | set(wanted)
        if (existing[key].minutes if key in existing else 0) != wanted.get(key, 0)
    }
    ensure_open(changed_days)
    for key, old in existing.items():
        if key not in wanted:
            delete_audited(actor=actor, instance=old)
    for (task_pk, day), minutes in sorted(wanted.items(), key=lambda item: item[0][1]):
        note = notes.get(task_pk, "")
        current = existing.get((task_pk, day))
        if current is None:
            task = tasks[task_pk]
            create_audited(
                actor=actor,
                instance=TimesheetEntry(
                    timesheet=timesheet,
                    project_id=task.project_id,
                    task=task,
                    date=day,
                    minutes=minutes,
                    note=note,
                ),
            )
        elif current.minutes != minutes or current.note != note:
            update_audited(
                actor=actor, instance=current, changes={"minutes": minutes, "note": note}
            )
    timesheet.save(update_fields=["updated_at"])
    return timesheet


@transaction.atomic
def timesheet_submit(*, actor: User, timesheet: Timesheet) -> Timesheet:
    """Send a draft (or rejected) timesheet for approval."""
    _require_fill(actor, timesheet.resource)
    _require_editable(timesheet)
    return update_audited(
        actor=actor,
        instance=timesheet,
        changes={"status": TimesheetStatus.SUBMITTED, "submitted_at": timezone.now()},
    )


def _require_submitted(timesheet: Timesheet, verb: str) -> None:
    if timesheet.status != TimesheetStatus.SUBMITTED:
        raise ValidationError(
            gettext("Only a submitted timesheet can be %(verb)s; this one is %(status)s.")
            % {"verb": verb, "status": timesheet.get_status_display().lower()},
            code="not_submitted",
        )


class _Valuer:
    """Prices a timesheet's entries: contract rate, else internal rate, else none."""

    def __init__(self, entries: Sequence[TimesheetEntry], resource: Resource) -> None:
        self.resource = resource
        project_ids = {entry.project_id for entry in entries}
        self.contracts = contract_rates(project_ids, [resource.pk]) if project_ids else {}
        self.internal = labour_rates([resource.pk])
        self.reporting = finance_settings().reporting_currency

    def rate(self, entry: TimesheetEntry) -> tuple[Decimal | None, str, bool]:
        """(hourly rate, currency, from a contract)."""
        for candidate in self.contracts.get((entry.project_id, self.resource.pk), []):
            if candidate.covers(entry.date):
                return candidate.hourly_rate, candidate.currency, True
        return self.internal.hourly_rate(self.resource.pk, entry.date), self.reporting, False


def _categories() -> dict[str, CostCategory]:
    return {
        category.code.upper(): category
        for category in CostCategory.objects.filter(
            Q(code__iexact=LABOUR_CATEGORY) | Q(code__iexact=EXTERNAL_CATEGORY)
        )
    }


def _write_costs(actor: User, timesheet: Timesheet, entries: Sequence[TimesheetEntry]) -> None:
    valuer = _Valuer(entries, timesheet.resource)
    categories = _categories()
    for entry in entries:
        hourly_rate, currency, external = valuer.rate(entry)
        amount = (
            quantize_money(hourly_rate * Decimal(entry.minutes) / Decimal(60))
            if hourly_rate is not None
            else Decimal("0.00")
        )
        category = categories.get(EXTERNAL_CATEGORY if external else LABOUR_CATEGORY)
        create_audited(
            actor=actor,
            instance=ActualCost(
                project_id=entry.project_id,
                task_id=entry.task_id,
                category=category,
                expense_type=category.expense_type if category else ExpenseType.OPEX,
                incurred_on=entry.date,
                amount=amount,
                currency=currency,
                source=ActualCostSource.TIMESHEET,
                reference=f"TS-{timesheet.pk}",
                description=f"{timesheet.resource.name} — {entry.task.name}"[:255],
                resource=timesheet.resource,
                minutes=entry.minutes,
                timesheet=timesheet,
                created_by=acting_user(actor),
            ),
        )


def _day_start(task: Task, day: dt.date) -> dt.datetime:
    """``day`` at the start of the working day of the task's calendar (else the project's)."""
    calendar: WorkCalendar | None = task.calendar
    if calendar is None:
        plan = getattr(task.project, "plan", None)
        calendar = plan.calendar if plan is not None else None
    week: Any = None
    seen: set[int] = set()
    while calendar is not None and calendar.pk not in seen:
        seen.add(calendar.pk)
        if calendar.week:
            week = calendar.week
            break
        calendar = calendar.base
    week = week or STANDARD_WEEK
    intervals = week[day.weekday()] or next((item for item in week if item), [[480, 1020]])
    minutes = int(intervals[0][0])
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def _update_task_progress(actor: User, task: Task, changes: dict[str, Any]) -> None:
    """Write progress fields of a task with its history, as the planning services do (the
    project is scheduled again by the caller)."""
    ensure_scheduled(task.project)
    task.refresh_from_db()
    before = audit.capture(task)
    for name, value in changes.items():
        setattr(task, name, value)
    validate(task)
    task.save(update_fields=[*changes, "updated_at"])
    audit.record_updated(actor=actor, instance=task, before=before)


def _percent(actual: int, work: int | None, current: float) -> float:
    if current >= 100:
        return current
    if not work:
        return current
    return min(PERCENT_BEFORE_FINISHED, round(actual * 100.0 / work, 1))


def _feed_progress(
    actor: User, timesheet: Timesheet, entries: Sequence[TimesheetEntry], sign: int
) -> None:
    """Add (sign 1) or take back (sign -1) the entries' minutes to the actual work and
    progress of their tasks, in projects that take progress from timesheets."""
    by_project: dict[int, list[TimesheetEntry]] = defaultdict(list)
    for entry in entries:
        by_project[entry.project_id].append(entry)
    enabled = set(
        ProjectFinance.objects.filter(
            project_id__in=by_project, progress_from_timesheets=True
        ).values_list("project_id", flat=True)
    )
    for project_id in sorted(enabled):
        project_entries = by_project[project_id]
        minutes: dict[int, int] = defaultdict(int)
        first_day: dict[int, dt.date] = {}
        for entry in project_entries:
            minutes[entry.task_id] += entry.minutes
            first_day[entry.task_id] = min(first_day.get(entry.task_id, entry.date), entry.date)
        assignments = {
            item.task_id: item
            for item in Assignment.objects.filter(resource=timesheet.resource, task_id__in=minutes)
        }
        project = project_entries[0].project
        tasks = Task.objects.filter(pk__in=minutes).select_related(
            "calendar", "calendar__base", "project", "project__plan__calendar"
        )
        for task in tasks:
            added = minutes[task.pk] * sign
            assignment = assignments.get(task.pk)
            if assignment is not None:
                update_audited(
                    actor=actor,
                    instance=assignment,
                    changes={
                        "actual_work_minutes": max(0, (assignment.actual_work_minutes or 0) + added)
                    },
                )
            if task.is_summary:
                continue
            actual = max(0, (task.actual_work_minutes or 0) + added)
            changes: dict[str, Any] = {"actual_work_minutes": actual}
            if sign > 0:
                if task.actual_start is None:
                    changes["actual_start"] = _day_start(task, first_day[task.pk])
                changes["percent_complete"] = _percent(
                    actual, task.work_minutes, task.percent_complete
                )
            elif task.percent_complete < 100:
                changes["percent_complete"] = _percent(actual, task.work_minutes, 0.0)
                if actual == 0 and task.actual_finish is None:
                    changes["percent_complete"] = 0.0
                    changes["actual_start"] = None
            _update_task_progress(actor, task, changes)
        recalculate(project)


@transaction.atomic
def timesheet_approve(*, actor: User, timesheet: Timesheet, comment: str = "") -> Timesheet:
    """Approve a submitted timesheet: write its actual costs and, where the project chooses
    so, its progress. Time on a locked date may be approved (it was recorded before the
    period closed)."""
    timesheet = (
        Timesheet.objects.select_for_update().select_related("resource").get(pk=timesheet.pk)
    )
    _require_approve(actor, timesheet)
    _require_submitted(timesheet, gettext("approved"))
    entries = list(timesheet.entries.select_related("project", "task").order_by("date", "task_id"))
    update_audited(
        actor=actor,
        instance=timesheet,
        changes={
            "status": TimesheetStatus.APPROVED,
            "decided_by": acting_user(actor),
            "decided_at": timezone.now(),
            "comment": (comment or "").strip(),
        },
    )
    _write_costs(actor, timesheet, entries)
    _feed_progress(actor, timesheet, entries, 1)
    return timesheet


@transaction.atomic
def timesheet_reject(*, actor: User, timesheet: Timesheet, comment: str) -> Timesheet:
    """Send a submitted timesheet back to its person, saying why (the comment is required)."""
    _require_approve(actor, timesheet)
    if not (comment or "").strip():
        raise ValidationError(
            {"comment": gettext("Say why the timesheet is rejected.")}, code="required"
        )
    _require_submitted(timesheet, gettext("rejected"))
    return update_audited(
        actor=actor,
        instance=timesheet,
        changes={
            "status": TimesheetStatus.REJECTED,
            "decided_by": acting_user(actor),
            "decided_at": timezone.now(),
            "comment": comment.strip(),
        },
    )


@transaction.atomic
def timesheet_reopen(*, actor: User, timesheet: Timesheet) -> Timesheet:
    """Take back an approval: the timesheet is submitted again, its actual costs are removed
    and the progress it fed is taken back. Refused when one of its dates is locked."""
    timesheet = (
        Timesheet.objects.select_for_update().select_related("resource").get(pk=timesheet.pk)
    )
    _require_approve(actor, timesheet)
    if timesheet.status != TimesheetStatus.APPROVED:
        raise ValidationError(
            gettext("Only an approved timesheet can be reopened; this one is %(status)s.")
            % {"status": timesheet.get_status_display().lower()},
            code="not_approved",
        )
    entries = list(timesheet.entries.select_related("project", "task").order_by("date", "task_id"))
    ensure_open(entry.date for entry in entries)
    for cost in timesheet.actual_costs.all():
        delete_audited(actor=actor, instance=cost)
    _feed_progress(actor, timesheet, entries, -1)
    return update_audited(
        actor=actor,
        instance=timesheet,
        changes={"status": TimesheetStatus.SUBMITTED, "decided_by": None, "decided_at": None},
    )


@transaction.atomic
def project_finance_options_set(
    *, actor: User, project: Project, progress_from_timesheets: bool
) -> ProjectFinance:
    """Choose whether the project's approved timesheets update its tasks' progress."""
    require(actor, Action.CHANGE, project)
    options = ProjectFinance.objects.filter(project=project).first()
    if options is None:
        return create_audited(
            actor=actor,
            instance=ProjectFinance(
                project=project, progress_from_timesheets=progress_from_timesheets
            ),
        )
    return update_audited(
        actor=actor,
        instance=options,
        changes={"progress_from_timesheets": progress_from_timesheets},
    )


@transaction.atomic
def period_lock_create(
    *, actor: User, start: dt.date, finish: dt.date, reason: str = ""
) -> PeriodLock:
    """Close the dates from ``start`` to ``finish`` to time entry and cost changes."""
    require_organisation(actor, Action.MANAGE_FINANCE)
    return create_audited(
        actor=actor,
        instance=PeriodLock(
            start=start,
            finish=finish,
            reason=(reason or "").strip(),
            locked_by=acting_user(actor),
        ),
    )


@transaction.atomic
def period_lock_delete(*, actor: User, lock: PeriodLock) -> None:
    """Open a locked period again."""
    require_organisation(actor, Action.MANAGE_FINANCE)
    delete_audited(actor=actor, instance=lock)


def locked_dates(dates: Iterable[dt.date]) -> set[dt.date]:
    """The dates among ``dates`` that fall in a locked period."""
    days = sorted(set(dates))
    found: set[dt.date] = set()
    while days:
        hit = lock_covering(days)
        if hit is None:
            break
        _day, lock = hit
        found.update(item for item in days if lock.start <= item <= lock.finish)
        days = [item for item in days if item not in found]
    return found
