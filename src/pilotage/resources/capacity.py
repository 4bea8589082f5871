"""Demand against capacity across all projects: the heat map, its cells, conflicts, histograms.

Reads only. Capacity is each resource's calendar working time times its capacity units (from
their effective dates; the resource's max. units before the first). Load is the work of the
resource's assignments spread over its tasks' working time, plus its business-as-usual load.
Role demand of projects that have no assignment yet counts in the role view. Generic
resources (role placeholders) have no capacity of their own: their assignments are demand for
their role.

Load counts every project, so that a resource manager sees the true load of a person; the
projects and tasks behind it are named only where the user may see them, the rest is summed
as "other projects".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import visible
from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.resource_load import (
    Period,
    assignment_load,
    daily_working_minutes,
    period_starts,
    sum_by_period,
)
from pilotage.planning import adapters
from pilotage.planning.models import WorkCalendar
from pilotage.portfolio.models import Project
from pilotage.resources.models import (
    Assignment,
    JobRole,
    NonProjectLoad,
    Resource,
    ResourceCapacity,
    ResourceKind,
    ResourceSkill,
    RoleDemand,
)

GroupBy = Literal["person", "role", "skill", "department", "team"]
GROUPINGS: tuple[tuple[str, Any], ...] = (
    ("person", _("Person")),
    ("role", _("Role")),
    ("skill", _("Skill")),
    ("department", _("Department")),
    ("team", _("Team")),
)
PERIODS: tuple[tuple[str, Any], ...] = (("week", _("Week")), ("month", _("Month")))
OVERLOAD_TOLERANCE = 1.005  # half a percent: rounding of units and minutes is not a conflict
FloatArray = npt.NDArray[np.float64]
OTHER_PROJECTS = 0


@dataclass(frozen=True)
class CapacityFilters:
    """What a capacity report covers."""

    start: dt.date
    finish: dt.date
    period: Period = "week"
    group_by: GroupBy = "person"
    department: int | None = None
    team: int | None = None
    role: int | None = None
    skill: int | None = None
    resource: int | None = None


@dataclass
class Contribution:
    """Part of a row's load in one period: a task of a project, business as usual, or demand."""

    label: str
    project: Project | None
    task_name: str
    task_id: int | None
    hours: float
    percent: float | None
    resource_name: str = ""


@dataclass
class CapacityRow:
    key: str
    label: str
    capacity_hours: list[float]
    load_hours: list[float]
    url: str = ""
    resources: list[int] = field(default_factory=list)

    @property
    def percents(self) -> list[float | None]:
        return [
            _percent(load, cap)
            for load, cap in zip(self.load_hours, self.capacity_hours, strict=True)
        ]

    @property
    def overloaded(self) -> list[bool]:
        return [
            load > 0.01 and load > cap * OVERLOAD_TOLERANCE
            for load, cap in zip(self.load_hours, self.capacity_hours, strict=True)
        ]


@dataclass
class Conflict:
    """One resource over its capacity in one period, with what makes up the load."""

    resource: Resource
    period_index: int
    period_label: str
    percent: float | None
    load_hours: float
    capacity_hours: float
    contributions: list[Contribution]

    @property
    def sentence(self) -> str:
        parts = "; ".join(part.label for part in self.contributions)
        if self.percent is None:
            return gettext(
                "%(name)s has no capacity in %(period)s but %(hours)s h of work: %(parts)s"
            ) % {
                "name": self.resource.name,
                "period": self.period_label,
                "hours": _number(self.load_hours),
                "parts": parts,
            }
        return gettext("%(name)s is at %(percent)s %% in %(period)s: %(parts)s") % {
            "name": self.resource.name,
            "percent": _number(self.percent),
            "period": self.period_label,
            "parts": parts,
        }


@dataclass
class CapacityReport:
    filters: CapacityFilters
    period_firsts: list[dt.date]
    period_labels: list[str]
    rows: list[CapacityRow]
    conflicts: list[Conflict]

    @property
    def overloaded_cells(self) -> int:
        return sum(sum(row.overloaded) for row in self.rows)


def _percent(load: float, capacity: float) -> float | None:
    if capacity <= 0:
        return None if load > 0.01 else 0.0
    return 100.0 * load / capacity


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 or value >= 100 else f"{value:.1f}"


def period_label(first: dt.date, period: Period) -> str:
    """ "week 12 of 2027" or "March 2027", as a sentence names a period."""
    if period == "week":
        year, week, _day = first.isocalendar()
        return gettext("week %(week)s of %(year)s") % {"week": week, "year": year}
    return date_format(first, "F Y")


def short_period_label(first: dt.date, period: Period) -> str:
    if period == "week":
        year, week, _day = first.isocalendar()
        return f"{year}-W{week:02d}"
    return date_format(first, "M Y")


# Calendars ---------------------------------------------------------------------------------


class CompiledCalendars:
    """Compiled working time per stored calendar, the standard week for none."""

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        self.first_day = first_day
        self.last_day = last_day
        self._compiled: dict[int | None, WorkingTime] = {}
        self._daily: dict[int | None, npt.NDArray[np.int64]] = {}

    def working(self, calendar_id: int | None) -> WorkingTime:
        if calendar_id not in self._compiled:
            calendar: Calendar
            if calendar_id is None:
                calendar = Calendar("Standard", WeekPattern.standard())
            else:
                stored = WorkCalendar.objects.select_related("base").get(pk=calendar_id)
                calendar = adapters.calendar_chain(stored)
            self._compiled[calendar_id] = compile_calendar(calendar, self.first_day, self.last_day)
        return self._compiled[calendar_id]

    def daily(self, calendar_id: int | None, days: int) -> npt.NDArray[np.int64]:
        if calendar_id not in self._daily:
            self._daily[calendar_id] = daily_working_minutes(
                self.working(calendar_id), self.first_day, days
            )
        return self._daily[calendar_id]


def units_by_day(
    default: Decimal, steps: Iterable[ResourceCapacity], first_day: dt.date, days: int
) -> FloatArray:
    units = np.full(days, float(default), dtype=np.float64)
    for step in sorted(steps, key=lambda row: row.effective_from):
        index = max((step.effective_from - first_day).days, 0)
        if index < days:
            units[index:] = float(step.units)
    return units


def _range_mask(
    start: dt.date, finish: dt.date | None, first_day: dt.date, days: int
) -> FloatArray:
    mask = np.zeros(days, dtype=np.float64)
    begin = max((start - first_day).days, 0)
    end = days if finish is None else min((finish - first_day).days + 1, days)
    if begin < end:
        mask[begin:end] = 1.0
    return mask


# Loading -------------------------------------------------------------------------------------


@dataclass
class _AssignmentLoad:
    pk: int
    resource_id: int
    project_id: int
    task_id: int
    task_name: str
    by_day: FloatArray


@dataclass
class _Data:
    filters: CapacityFilters
    first_day: dt.date
    days: int
    resources: list[Resource]
    capacity: dict[int, FloatArray]  # minutes per day
    business_as_usual: dict[int, FloatArray]
    assignments: list[_AssignmentLoad]
    role_demand: dict[int, list[tuple[Project, FloatArray]]]
    starts: npt.NDArray[np.int64]
    firsts: list[dt.date]


def _first_day(filters: CapacityFilters) -> dt.date:
    if filters.period == "week":
        return filters.start - dt.timedelta(days=filters.start.weekday())
    return filters.start.replace(day=1)


def _resources(filters: CapacityFilters) -> list[Resource]:
    queryset = (
        Resource.objects.filter(
            Q(is_active=True, kind=ResourceKind.WORK) | Q(pk=filters.resource or 0)
        )
        .select_related("role", "department", "team")
        .prefetch_related(
            "capacities",
            "non_project_loads",
            Prefetch("skills", queryset=ResourceSkill.objects.select_related("skill")),
        )
    )
    if filters.resource:
        return list(queryset.filter(pk=filters.resource))
    if filters.department:
        queryset = queryset.filter(department_id=filters.department)
    if filters.team:
        queryset = queryset.filter(team_id=filters.team)
    if filters.role:
        queryset = queryset.filter(role_id=filters.role)
    if filters.skill:
        queryset = queryset.filter(skills__skill_id=filters.skill).distinct()
    return list(queryset)


def _load_data(filters: CapacityFilters) -> _Data:
    if filters.finish < filters.start:
        raise ValueError(gettext("The end of the period is before its start."))
    first_day = _first_day(filters)
    days = (filters.finish - first_day).days + 1
    calendars = CompiledCalendars(first_day, filters.finish)
    resources = _resources(filters)
    capacity: dict[int, FloatArray] = {}
    business_as_usual: dict[int, FloatArray] = {}
    for resource in resources:
        daily = calendars.daily(resource.calendar_id, days).astype(np.float64)
        if resource.is_generic:
            capacity[resource.pk] = np.zeros(days, dtype=np.float64)
        else:
            units = units_by_day(resource.max_units, resource.capacities.all(), first_day, days)
            capacity[resource.pk] = daily * units
        bau_rows: list[NonProjectLoad] = list(resource.non_project_loads.all())
        if bau_rows:
            bau = np.zeros(days, dtype=np.float64)
            for load in bau_rows:
                bau += float(load.units) * _range_mask(load.start, load.finish, first_day, days)
            business_as_usual[resource.pk] = daily * bau
    window_start = dt.datetime.combine(first_day, dt.time())
    window_end = dt.datetime.combine(filters.finish + dt.timedelta(days=1), dt.time())
    rows = list(
        Assignment.objects.filter(
            resource__in=[resource.pk for resource in resources],
            task__is_summary=False,
            task__is_active=True,
            task__start__lt=window_end,
            task__finish__gt=window_start,
        ).values_list(
            "pk",
            "resource_id",
            "project_id",
            "task_id",
            "task__name",
            "units",
            "work_minutes",
            "start",
            "finish",
            "task__start",
            "task__finish",
            "task__calendar_id",
            "project__plan__calendar_id",
        )
    )
    by_calendar: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_calendar[row[11] if row[11] is not None else row[12]].append(row)
    assignments: list[_AssignmentLoad] = []
    for calendar_id, group in by_calendar.items():
        starts = np.array([row[7] or row[9] for row in group], dtype="datetime64[m]")
        finishes = np.array([row[8] or row[10] for row in group], dtype="datetime64[m]")
        units = np.array([float(row[5]) for row in group], dtype=np.float64)
        work = np.array(
            [np.nan if row[6] is None else float(row[6]) for row in group], dtype=np.float64
        )
        load_rows = assignment_load(
            calendars.working(calendar_id),
            first_day,
            days,
            starts=starts,
            finishes=finishes,
            units=units,
            work_minutes=work,
        )
        for row, by_day in zip(group, load_rows, strict=True):
            if by_day.any():
                assignments.append(_AssignmentLoad(row[0], row[1], row[2], row[3], row[4], by_day))
    role_demand = _role_demand(filters, first_day, days, calendars)
    starts_index, firsts = period_starts(first_day, days, filters.period)
    return _Data(
        filters,
        first_day,
        days,
        resources,
        capacity,
        business_as_usual,
        assignments,
        role_demand,
        starts_index,
        firsts,
    )


def _role_demand(
    filters: CapacityFilters, first_day: dt.date, days: int, calendars: CompiledCalendars
) -> dict[int, list[tuple[Project, FloatArray]]]:
    """Demand by role of the projects without any assignment, spread over each month."""
    demands = (
        RoleDemand.objects.filter(
            month__gte=first_day.replace(day=1), month__lte=filters.finish, units__gt=0
        )
        .exclude(project__assignments__isnull=False)
        .select_related("project")
    )
    if filters.role:
        demands = demands.filter(role_id=filters.role)
    standard = calendars.daily(None, days).astype(np.float64)
    result: dict[int, list[tuple[Project, FloatArray]]] = defaultdict(list)
    for demand in demands:
        month_end = (demand.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        mask = _range_mask(demand.month, month_end - dt.timedelta(days=1), first_day, days)
        result[demand.role_id].append((demand.project, standard * mask * float(demand.units)))
    return result


# Grouping ------------------------------------------------------------------------------------


def _row_keys(resource: Resource, group_by: GroupBy) -> list[tuple[str, str]]:
    if group_by == "person":
        return [] if resource.is_generic else [(f"resource-{resource.pk}", resource.name)]
    if group_by == "role":
        return [(f"role-{resource.role_id}", resource.role.name)] if resource.role else []
    if group_by == "department":
        department = resource.department
        return [(f"department-{department.pk}", department.name)] if department else []
    if group_by == "team":
        return [(f"team-{resource.team_id}", resource.team.name)] if resource.team else []
    return [(f"skill-{held.skill_id}", held.skill.name) for held in resource.skills.all()]


def _row_url(key: str) -> str:
    kind, _sep, pk = key.partition("-")
    return reverse("resources:resource_detail", args=[pk]) if kind == "resource" else ""


def _rows(data: _Data) -> list[CapacityRow]:
    group_by = data.filters.group_by
    periods = data.starts.size
    members: dict[str, list[Resource]] = defaultdict(list)
    labels: dict[str, str] = {}
    for resource in data.resources:
        for key, label in _row_keys(resource, group_by):
            members[key].append(resource)
            labels[key] = label
    load_by_resource: dict[int, FloatArray] = defaultdict(lambda: np.zeros(data.days))
    for assignment in data.assignments:
        load_by_resource[assignment.resource_id] += assignment.by_day
    for pk, bau in data.business_as_usual.items():
        load_by_resource[pk] += bau
    rows: list[CapacityRow] = []
    role_ids_seen: set[int] = set()
    for key, resources in members.items():
        capacity = sum((data.capacity[r.pk] for r in resources), np.zeros(data.days))
        load = sum((load_by_resource[r.pk] for r in resources), np.zeros(data.days))
        if group_by == "role":
            role_id = int(key.partition("-")[2])
            role_ids_seen.add(role_id)
            for _project, demand in data.role_demand.get(role_id, []):
                load = load + demand
        rows.append(_row(key, labels[key], capacity, load, data, resources))
    if group_by == "role":
        missing = [pk for pk in data.role_demand if pk not in role_ids_seen]
        for role in JobRole.objects.filter(pk__in=missing):
            load = sum((demand for _p, demand in data.role_demand[role.pk]), np.zeros(data.days))
            rows.append(_row(f"role-{role.pk}", role.name, np.zeros(data.days), load, data, []))
    rows.sort(key=lambda row: row.label.lower())
    assert all(len(row.load_hours) == periods for row in rows)
    return rows


def _row(
    key: str,
    label: str,
    capacity: FloatArray,
    load: FloatArray,
    data: _Data,
    resources: Sequence[Resource],
) -> CapacityRow:
    return CapacityRow(
        key=key,
        label=label,
        capacity_hours=[round(float(v) / 60, 2) for v in sum_by_period(capacity, data.starts)],
        load_hours=[round(float(v) / 60, 2) for v in sum_by_period(load, data.starts)],
        url=_row_url(key),
        resources=[resource.pk for resource in resources],
    )


# Contributions and conflicts -----------------------------------------------------------------


def _period_slice(data: _Data, index: int) -> slice:
    begin = int(data.starts[index])
    end = int(data.starts[index + 1]) if index + 1 < data.starts.size else data.days
    return slice(begin, end)


def _contributions(
    data: _Data,
    *,
    user: Any,
    resources: Sequence[Resource],
    index: int,
    capacity_minutes: float,
    role_id: int | None = None,
) -> list[Contribution]:
    window = _period_slice(data, index)
    names = {resource.pk: resource.name for resource in resources}
    by_task: dict[tuple[int, int], float] = defaultdict(float)
    for assignment in data.assignments:
        if assignment.resource_id in names:
            minutes = float(assignment.by_day[window].sum())
            if minutes > 0:
                by_task[(assignment.project_id, assignment.task_id)] += minutes
    tasks = {a.task_id: a for a in data.assignments}
    demands = data.role_demand.get(role_id, []) if role_id is not None else []
    project_ids = {project_id for project_id, _task in by_task}
    project_ids |= {project.pk for project, _demand in demands}
    seen = {
        project.pk: project for project in visible(user, Project.objects.filter(pk__in=project_ids))
    }
    parts: list[Contribution] = []
    hidden = 0.0
    for (project_id, task_id), minutes in by_task.items():
        project = seen.get(project_id)
        if project is None:
            hidden += minutes
            continue
        name = tasks[task_id].task_name
        label = f"{project.name}, {name}"
        parts.append(_part(label, project, name, task_id, minutes, capacity_minutes))
    for project, demand in demands:
        minutes = float(demand[window].sum())
        if minutes <= 0:
            continue
        if project.pk not in seen:
            hidden += minutes
            continue
        label = gettext("%(project)s, role demand") % {"project": project.name}
        parts.append(_part(label, project, "", None, minutes, capacity_minutes))
    if hidden:
        parts.append(_part(gettext("other projects"), None, "", None, hidden, capacity_minutes))
    bau = sum(
        float(data.business_as_usual[r.pk][window].sum())
        for r in resources
        if r.pk in data.business_as_usual
    )
    if bau:
        parts.append(_part(gettext("business as usual"), None, "", None, bau, capacity_minutes))
    parts.sort(key=lambda part: -part.hours)
    return parts


def _part(
    label: str,
    project: Project | None,
    task_name: str,
    task_id: int | None,
    minutes: float,
    capacity_minutes: float,
) -> Contribution:
    percent = 100.0 * minutes / capacity_minutes if capacity_minutes > 0 else None
    text = label if percent is None else f"{label} {_number(percent)} %"
    return Contribution(text, project, task_name, task_id, round(minutes / 60, 2), percent)


def _conflicts(data: _Data, rows: list[CapacityRow], *, user: Any) -> list[Conflict]:
    if data.filters.group_by != "person":
        return []
    resources = {resource.pk: resource for resource in data.resources}
    conflicts: list[Conflict] = []
    for row in rows:
        resource = resources[row.resources[0]]
        for index, over in enumerate(row.overloaded):
            if not over:
                continue
            capacity = row.capacity_hours[index] * 60
            conflicts.append(
                Conflict(
                    resource=resource,
                    period_index=index,
                    period_label=period_label(data.firsts[index], data.filters.period),
                    percent=row.percents[index],
                    load_hours=row.load_hours[index],
                    capacity_hours=row.capacity_hours[index],
                    contributions=_contributions(
                        data,
                        user=user,
                        resources=[resource],
                        index=index,
                        capacity_minutes=capacity,
                    ),
                )
            )
    conflicts.sort(key=lambda c: (c.period_index, -(c.percent or 1e9), c.resource.name))
    return conflicts


def capacity_report(*, user: Any, filters: CapacityFilters) -> CapacityReport:
    """Demand against capacity per row (person, role, skill, department or team) and period."""
    data = _load_data(filters)
    rows = _rows(data)
    return CapacityReport(
        filters=filters,
        period_firsts=data.firsts,
        period_labels=[short_period_label(first, filters.period) for first in data.firsts],
        rows=rows,
        conflicts=_conflicts(data, rows, user=user),
    )


@dataclass
class CellDetail:
    row: CapacityRow
    period_label: str
    percent: float | None
    contributions: list[Contribution]


def capacity_cell(
    *, user: Any, filters: CapacityFilters, key: str, index: int
) -> CellDetail | None:
    """What makes up the load of one cell of the heat map, or None when there is no such cell."""
    data = _load_data(filters)
    rows = {row.key: row for row in _rows(data)}
    row = rows.get(key)
    if row is None or not 0 <= index < data.starts.size:
        return None
    members = [resource for resource in data.resources if resource.pk in set(row.resources)]
    role_id = int(key.partition("-")[2]) if key.startswith("role-") else None
    return CellDetail(
        row=row,
        period_label=period_label(data.firsts[index], filters.period),
        percent=row.percents[index],
        contributions=_contributions(
            data,
            user=user,
            resources=members,
            index=index,
            capacity_minutes=row.capacity_hours[index] * 60,
            role_id=role_id,
        ),
    )


@dataclass
class Histogram:
    """One resource's load per period, by project, against its capacity."""

    period_labels: list[str]
    capacity_hours: list[float]
    series: list[tuple[str, list[float]]]


def resource_histogram(*, user: Any, resource: Resource, filters: CapacityFilters) -> Histogram:
    data = _load_data(replace(filters, resource=resource.pk))
    mine = [a for a in data.assignments if a.resource_id == resource.pk]
    project_ids = {a.project_id for a in mine}
    names = {
        project.pk: project.name
        for project in visible(user, Project.objects.filter(pk__in=project_ids))
    }
    by_label: dict[str, FloatArray] = defaultdict(lambda: np.zeros(data.days))
    for assignment in mine:
        label = names.get(assignment.project_id, gettext("other projects"))
        by_label[label] += assignment.by_day
    if resource.pk in data.business_as_usual:
        by_label[gettext("business as usual")] += data.business_as_usual[resource.pk]
    capacity = data.capacity.get(resource.pk, np.zeros(data.days))
    return Histogram(
        period_labels=[short_period_label(first, filters.period) for first in data.firsts],
        capacity_hours=[round(float(v) / 60, 2) for v in sum_by_period(capacity, data.starts)],
        series=[
            (label, [round(float(v) / 60, 2) for v in sum_by_period(values, data.starts)])
            for label, values in sorted(by_label.items())
        ],
    )
