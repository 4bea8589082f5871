"""Leveling runs: level projects together, preview the result, then accept or discard it.

A preview levels the chosen projects with :func:`pilotage.engine.leveling.plan.level_plans`
and stores what it found (new dates, delays and their reasons, finish per project) without
changing any plan. Accepting writes each task's leveling delay and schedules the projects
again; the leveling of a project replaces its earlier one (delays are cleared first, as
Microsoft Project does by default).

What takes part: the work resources assigned in the chosen projects, with their calendars,
their capacity steps less their business-as-usual load. Other projects that use the same
people are taken as they are (never moved), so their load counts. Generic resources (role
placeholders) are demand to be staffed, not people: they are not leveled.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, can_view, require, visible
from pilotage.core import audit
from pilotage.core.errors import NotFoundError
from pilotage.engine.calendars import Calendar
from pilotage.engine.errors import EngineError
from pilotage.engine.leveling.plan import (
    LevelingAssignment,
    LevelingProject,
    LevelingResource,
    PlanLevelingOptions,
    PlanLevelingResult,
    level_plans,
)
from pilotage.engine.resource_load import assignment_load, period_starts, sum_by_period
from pilotage.planning import adapters
from pilotage.planning.models import Task
from pilotage.planning.services import batch_scheduling, plan_for, recalculate
from pilotage.portfolio.models import Project
from pilotage.resources.capacity import CompiledCalendars, short_period_label, units_by_day
from pilotage.resources.models import (
    Assignment,
    LevelingMode,
    LevelingRun,
    LevelingStatus,
    Resource,
    ResourceKind,
)

# Microsoft Project's project priority (0 to 1,000) for Pilotage's four levels.
PROJECT_PRIORITY = {1: 900, 2: 700, 3: 500, 4: 300}
NEVER_LEVEL = 1000


def _capacity_steps(resource: Resource) -> tuple[tuple[dt.datetime | None, float], ...]:
    """Units available from each date on: capacity steps less business as usual."""
    capacity: list[tuple[dt.date | None, Decimal]] = [(None, resource.max_units)]
    capacity += [(step.effective_from, step.units) for step in resource.capacities.all()]
    loads = list(resource.non_project_loads.all())
    dates: set[dt.date] = {day for day, _units in capacity if day is not None}
    for load in loads:
        dates.add(load.start)
        if load.finish is not None:
            dates.add(load.finish + dt.timedelta(days=1))

    def units_on(day: dt.date | None) -> float:
        value = resource.max_units
        for since, units in capacity:
            if since is None or (day is not None and since <= day):
                value = units
        busy = sum(
            (
                load.units
                for load in loads
                if day is not None
                and load.start <= day
                and (load.finish is None or day <= load.finish)
            ),
            Decimal(0),
        )
        return max(float(value - busy), 0.0)

    steps: list[tuple[dt.datetime | None, float]] = [(None, units_on(None))]
    for day in sorted(dates):
        steps.append((dt.datetime.combine(day, dt.time()), units_on(day)))
    return tuple(steps)


def _related_projects(projects: Sequence[Project], resources: Iterable[int]) -> list[Project]:
    """Projects outside the choice whose tasks use the same resources."""
    chosen = {project.pk for project in projects}
    others = (
        Assignment.objects.filter(resource_id__in=list(resources))
        .exclude(project_id__in=chosen)
        .values_list("project_id", flat=True)
        .distinct()
    )
    return list(Project.objects.filter(pk__in=list(others)).order_by("code"))


def _level(
    projects: Sequence[Project],
    *,
    mode: str,
    within_slack: bool,
    time_limit: float | None,
    seed: int,
) -> tuple[PlanLevelingResult, list[Project]]:
    chosen_ids = [project.pk for project in projects]
    rows = list(
        Assignment.objects.filter(
            project_id__in=chosen_ids,
            resource__kind=ResourceKind.WORK,
            resource__is_generic=False,
            task__is_summary=False,
        ).values_list("resource_id", flat=True)
    )
    related = _related_projects(projects, set(rows))
    every = [*projects, *related]
    assignments = list(
        Assignment.objects.filter(
            project__in=every,
            resource__kind=ResourceKind.WORK,
            resource__is_generic=False,
            task__is_summary=False,
            task__is_active=True,
        ).values_list("project_id", "task_id", "resource_id", "units")
    )
    resources = list(
        Resource.objects.filter(pk__in={row[2] for row in assignments})
        .select_related("calendar", "calendar__base")
        .prefetch_related("capacities", "non_project_loads")
    )
    calendars: dict[int, Calendar] = {}
    inputs: list[LevelingResource] = []
    for resource in resources:
        calendar = None
        if resource.calendar_id and resource.calendar is not None:
            if resource.calendar_id not in calendars:
                calendars[resource.calendar_id] = adapters.calendar_chain(resource.calendar)
            calendar = calendars[resource.calendar_id]
        inputs.append(
            LevelingResource(
                key=str(resource.pk),
                name=resource.name,
                calendar=calendar,
                capacity=_capacity_steps(resource),
            )
        )
    plans = [
        LevelingProject(
            key=str(project.pk),
            plan=adapters.load_plan(plan_for(project)).plan,
            priority=PROJECT_PRIORITY.get(project.priority, 500)
            if project.pk in chosen_ids
            else NEVER_LEVEL,
        )
        for project in every
    ]
    options = PlanLevelingOptions(
        mode="optimise" if mode == LevelingMode.OPTIMISE else "fast",
        within_slack=within_slack,
        time_limit_seconds=time_limit,
        seed=seed,
    )
    result = level_plans(
        plans,
        inputs,
        [
            LevelingAssignment(str(project_id), task_id, str(resource_id), float(units))
            for project_id, task_id, resource_id, units in assignments
        ],
        options,
    )
    return result, related


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _result_data(
    user: User, result: PlanLevelingResult, projects: Sequence[Project], related: list[Project]
) -> dict[str, Any]:
    names = {project.pk: project for project in [*projects, *related]}
    visible = {pk for pk, project in names.items() if can_view(user, project)}
    chosen = {project.pk for project in projects}

    def task_ref(project_key: str, uid: int, name: str) -> dict[str, Any]:
        project_id = int(project_key)
        if project_id not in visible:
            return {"project_id": None, "task_id": None, "name": "", "project": ""}
        project = names[project_id]
        return {"project_id": project_id, "task_id": uid, "name": name, "project": project.name}

    reasons: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for explanation in result.explanations:
        reasons[(explanation.task.project, explanation.task.uid)].append(
            {
                "resource_id": int(explanation.resource_key),
                "resource": explanation.resource_name,
                "when": _moment(explanation.when),
                "delay_minutes": explanation.delay_minutes,
                "competing": [
                    task_ref(task.project, task.uid, task.name) for task in explanation.competing
                ],
            }
        )
    tasks = [
        {
            "project_id": int(task.project),
            "task_id": task.uid,
            "name": task.name,
            "start_before": _moment(task.start_before),
            "finish_before": _moment(task.finish_before),
            "start": _moment(task.start),
            "finish": _moment(task.finish),
            "delay_minutes": task.leveling_delay_minutes,
            "delay_unit": task.leveling_delay_format or "ed",
            "reasons": reasons.get((task.project, task.uid), []),
        }
        for task in result.tasks
        if int(task.project) in chosen and (task.moved or task.leveling_delay_minutes)
    ]
    project_rows = []
    for leveled in result.projects:
        project = names[int(leveled.key)]
        if project.pk not in chosen:
            continue
        project_rows.append(
            {
                "project_id": project.pk,
                "code": project.code,
                "name": project.name,
                "finish_before": _moment(leveled.finish_before),
                "finish_after": _moment(leveled.finish_after),
                "delay_days": round(
                    (leveled.finish_after - leveled.finish_before).total_seconds() / 86400, 1
                ),
                "tasks_moved": sum(1 for row in tasks if row["project_id"] == project.pk),
            }
        )
    return {
        "projects": project_rows,
        "tasks": tasks,
        "related": [{"project_id": p.pk, "code": p.code} for p in related if p.pk in visible],
        "related_ids": [p.pk for p in related],
        "unresolved": [
            {
                "resource_id": int(item.resource_key),
                "resource": item.resource_name,
                "start": _moment(item.start),
                "finish": _moment(item.finish),
                "tasks": [task_ref(t.project, t.uid, t.name) for t in item.tasks],
            }
            for item in result.unresolved
        ],
        "stats": {
            "seconds": round(result.seconds, 3),
            "schedules": result.schedules_generated,
            "method": result.best_method,
            "optimal": result.proven_optimal,
            "time_limit_reached": result.time_limit_reached,
            "period_minutes": result.period_minutes,
        },
    }


@transaction.atomic
def leveling_preview(
    *,
    actor: User,
    projects: Sequence[Project],
    mode: str = LevelingMode.FAST,
    within_slack: bool = False,
    time_limit_seconds: float | None = None,
    seed: int = 0,
) -> LevelingRun:
    """Level ``projects`` together and store the result to preview; no plan changes."""
    if not projects:
        raise ValidationError({"projects": [gettext("Choose at least one project to level.")]})
    for project in projects:
        require(actor, Action.CHANGE, project)
    if time_limit_seconds is not None and not 0 < time_limit_seconds <= 600:
        raise ValidationError(
            {"time_limit_seconds": [gettext("The time limit must be between 0 and 600 seconds.")]}
        )
    try:
        result, related = _level(
            projects,
            mode=mode,
            within_slack=within_slack,
            time_limit=time_limit_seconds,
            seed=seed,
        )
    except EngineError as error:
        raise ValidationError(
            gettext("These plans cannot be leveled: %(error)s") % {"error": error}
        ) from error
    run = LevelingRun.objects.create(
        created_by=actor,
        mode=mode,
        within_slack=within_slack,
        time_limit_seconds=time_limit_seconds,
        seed=seed,
        result=_result_data(actor, result, projects, related),
    )
    run.projects.set(projects)
    audit.record_created(actor=actor, instance=run)
    return run


def _require_preview(actor: User, run: LevelingRun) -> list[Project]:
    projects = list(run.projects.all())
    for project in projects:
        require(actor, Action.CHANGE, project)
    if run.status != LevelingStatus.PREVIEW:
        raise ValidationError(
            gettext("This leveling was already %(status)s.")
            % {"status": run.get_status_display().lower()}
        )
    return projects


@transaction.atomic
def leveling_accept(*, actor: User, run: LevelingRun) -> LevelingRun:
    """Write the leveling delays of the preview and schedule the projects again."""
    projects = _require_preview(actor, run)
    # Any change to a task or an assignment of the projects, or of the projects whose load
    # was taken as it was, since the preview (another leveling included) makes it stale.
    watched = [project.pk for project in projects] + run.result.get("related_ids", [])
    changed = (
        Task.objects.filter(project_id__in=watched, updated_at__gt=run.created_at).exists()
        or Assignment.objects.filter(project_id__in=watched, created_at__gt=run.created_at).exists()
    )
    if changed:
        raise ValidationError(gettext("The plans changed after this preview: level them again."))
    delays = {
        row["task_id"]: (row["delay_minutes"], row["delay_unit"])
        for row in run.result.get("tasks", [])
        if row["delay_minutes"]
    }
    tasks = list(Task.objects.filter(project__in=projects))
    now = timezone.now()
    for task in tasks:
        minutes, unit = delays.get(task.pk, (0, task.leveling_delay_unit))
        if task.leveling_delay_minutes != minutes or task.leveling_delay_unit != unit:
            task.leveling_delay_minutes, task.leveling_delay_unit = minutes, unit
            Task.objects.filter(pk=task.pk).update(
                leveling_delay_minutes=minutes, leveling_delay_unit=unit, updated_at=now
            )
    with batch_scheduling():
        for project in projects:
            count = sum(1 for task in tasks if task.project_id == project.pk and task.pk in delays)
            audit.record_fields_changed(
                actor=actor,
                instance=project,
                fields={
                    "leveling": (
                        "",
                        gettext("%(count)d tasks delayed by leveling") % {"count": count},
                    )
                },
            )
            recalculate(project)
    run.status = LevelingStatus.ACCEPTED
    run.decided_at = timezone.now()
    run.decided_by = actor
    run.save(update_fields=["status", "decided_at", "decided_by"])
    return run


@transaction.atomic
def leveling_discard(*, actor: User, run: LevelingRun) -> LevelingRun:
    """Leave the plans as they are."""
    _require_preview(actor, run)
    run.status = LevelingStatus.DISCARDED
    run.decided_at = timezone.now()
    run.decided_by = actor
    run.save(update_fields=["status", "decided_at", "decided_by"])
    return run


@transaction.atomic
def leveling_clear(*, actor: User, project: Project) -> int:
    """Remove every leveling delay of a project and schedule it again."""
    require(actor, Action.CHANGE, project)
    cleared = Task.objects.filter(project=project, leveling_delay_minutes__gt=0).update(
        leveling_delay_minutes=0, updated_at=timezone.now()
    )
    if cleared:
        audit.record_fields_changed(
            actor=actor,
            instance=project,
            fields={"leveling": ("", gettext("leveling delays cleared"))},
        )
        recalculate(project)
    return cleared


# Reading a run ---------------------------------------------------------------------------------


def leveling_run_list(*, user: User) -> QuerySet[LevelingRun]:
    """The runs all of whose projects the user may see, newest first."""
    links = LevelingRun.projects.through.objects.filter(levelingrun_id=OuterRef("pk"))
    hidden = Project.objects.exclude(pk__in=visible(user, Project.objects.all()).values("pk"))
    return (
        LevelingRun.objects.filter(Exists(links))
        .exclude(Exists(links.filter(project__in=hidden)))
        .select_related("created_by", "decided_by")
        .prefetch_related("projects")
        .order_by("-created_at", "-pk")
    )


def leveling_run_get_for_user(pk: Any, *, user: User) -> LevelingRun:
    try:
        return leveling_run_list(user=user).get(pk=pk)
    except (LevelingRun.DoesNotExist, ValueError, TypeError) as error:
        raise NotFoundError() from error


@dataclass
class LevelingHistogram:
    """A resource's weekly load before and after a leveling, against its capacity."""

    resource: Resource
    period_labels: list[str]
    capacity_hours: list[float]
    before_hours: list[float]
    after_hours: list[float]


def _hours(minutes: Any, starts: Any) -> list[float]:
    return [round(float(value) / 60, 1) for value in sum_by_period(minutes, starts)]


def leveling_histograms(run: LevelingRun, *, limit: int = 6) -> list[LevelingHistogram]:
    """The resources the leveling waited for most, week by week before and after."""
    counts: dict[int, int] = defaultdict(int)
    moved: dict[int, dict[str, Any]] = {}
    for row in run.result.get("tasks", []):
        if row["start"] != row["start_before"] or row["finish"] != row["finish_before"]:
            moved[row["task_id"]] = row
        for reason in row.get("reasons", []):
            counts[reason["resource_id"]] += 1
    chosen = [pk for pk, _count in sorted(counts.items(), key=lambda item: -item[1])][:limit]
    if not chosen or not moved:
        return []
    moments = [
        dt.datetime.fromisoformat(row[name])
        for row in moved.values()
        for name in ("start_before", "start", "finish_before", "finish")
        if row[name]
    ]
    first, last = min(moments).date(), max(moments).date()
    first -= dt.timedelta(days=first.weekday())
    days = (last - first).days + 1
    calendars = CompiledCalendars(first, last)
    resources = {
        resource.pk: resource
        for resource in Resource.objects.filter(pk__in=chosen).prefetch_related("capacities")
    }
    rows = list(
        Assignment.objects.filter(resource_id__in=chosen, task__is_summary=False).values_list(
            "resource_id",
            "task_id",
            "units",
            "work_minutes",
            "task__start",
            "task__finish",
            "task__calendar_id",
            "project__plan__calendar_id",
        )
    )
    starts_index, firsts = period_starts(first, days, "week")
    histograms: list[LevelingHistogram] = []
    for pk in chosen:
        resource = resources[pk]
        mine = [row for row in rows if row[0] == pk and row[4] is not None]
        before = np.zeros(days)
        after = np.zeros(days)
        for row in mine:
            calendar = row[6] if row[6] is not None else row[7]
            info = moved.get(row[1])
            spans = {
                "before": (
                    dt.datetime.fromisoformat(info["start_before"]) if info else row[4],
                    dt.datetime.fromisoformat(info["finish_before"]) if info else row[5],
                ),
                "after": (
                    dt.datetime.fromisoformat(info["start"]) if info else row[4],
                    dt.datetime.fromisoformat(info["finish"]) if info else row[5],
                ),
            }
            for name, target in (("before", before), ("after", after)):
                start, finish = spans[name]
                target += assignment_load(
                    calendars.working(calendar),
                    first,
                    days,
                    starts=np.array([start], dtype="datetime64[m]"),
                    finishes=np.array([finish], dtype="datetime64[m]"),
                    units=np.array([float(row[2])]),
                    work_minutes=np.array([np.nan if row[3] is None else float(row[3])]),
                )[0]
        daily = calendars.daily(resource.calendar_id, days).astype(np.float64)
        capacity = daily * units_by_day(resource.max_units, resource.capacities.all(), first, days)
        histograms.append(
            LevelingHistogram(
                resource=resource,
                period_labels=[short_period_label(day, "week") for day in firsts],
                capacity_hours=[
                    round(float(v) / 60, 1) for v in sum_by_period(capacity, starts_index)
                ],
                before_hours=[round(float(v) / 60, 1) for v in sum_by_period(before, starts_index)],
                after_hours=[round(float(v) / 60, 1) for v in sum_by_period(after, starts_index)],
            )
        )
    return histograms
