"""Reads of plans, always filtered by what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, Prefetch, Q, QuerySet

from pilotage.accounts.permissions import (
    Action,
    get_for_user,
    require,
    require_organisation,
    visible,
)
from pilotage.core.errors import NotFoundError
from pilotage.planning import adapters
from pilotage.planning.models import (
    Baseline,
    BaselineTask,
    CalendarException,
    Dependency,
    ProjectPlan,
    Task,
    WorkCalendar,
)
from pilotage.planning.parsing import format_predecessor, format_quantity
from pilotage.planning.services import plan_for
from pilotage.portfolio.models import Portfolio, Programme, Project

# Tasks ------------------------------------------------------------------------------------------


def task_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Task:
    return get_for_user(
        Task.objects.select_related("project__portfolio", "project__programme", "parent"),
        pk,
        user=user,
        action=action,
    )


def dependency_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Dependency:
    return get_for_user(
        Dependency.objects.select_related(
            "predecessor__project", "successor__project__portfolio", "successor__project__programme"
        ),
        pk,
        user=user,
        action=action,
    )


def task_list(*, user: Any, project: Project) -> QuerySet[Task]:
    """The project's tasks in row order (the project must be visible to the user)."""
    require(user, Action.VIEW, project)
    return Task.objects.filter(project=project).select_related("calendar").order_by("position")


def dependency_list(*, user: Any, project: Project) -> QuerySet[Dependency]:
    """The links into the project's tasks, cross-project ones included."""
    require(user, Action.VIEW, project)
    return (
        Dependency.objects.filter(successor__project=project)
        .select_related("predecessor__project", "successor")
        .order_by("successor__position", "predecessor__project_id", "predecessor__position")
    )


@dataclass
class PlanRow:
    """A task with what the grid and the Gantt chart show beside it."""

    task: Task
    predecessors: str
    duration_text: str
    successors: list[int] = field(default_factory=list)
    baseline_start: dt.datetime | None = None
    baseline_finish: dt.datetime | None = None
    baseline_duration_minutes: int | None = None
    percent_complete: float = 0.0

    @property
    def start_variance_days(self) -> float | None:
        return _variance(self.task.start, self.baseline_start, self.task)

    @property
    def finish_variance_days(self) -> float | None:
        return _variance(self.task.finish, self.baseline_finish, self.task)


def _variance(
    current: dt.datetime | None, baseline: dt.datetime | None, task: Task
) -> float | None:
    """Working days of slip in calendar terms (positive = later than the baseline)."""
    if current is None or baseline is None:
        return None
    return round((current - baseline).total_seconds() / 86400, 1)


@dataclass(frozen=True, slots=True)
class LinkView:
    """A link into one of the plan's tasks, read as a plain row (no task objects)."""

    pk: int
    predecessor_id: int
    successor_id: int
    type: str
    lag_minutes: int
    lag_unit: str
    lag_percent: float | None
    predecessor_project_id: int
    predecessor_position: int
    predecessor_project_code: str
    critical: bool


@dataclass
class PlanView:
    """Everything a plan page needs, read in a fixed number of queries."""

    project: Project
    plan: ProjectPlan
    rows: list[PlanRow]
    links: list[LinkView]
    baseline: Baseline | None
    minutes_per_day: int

    @property
    def tasks(self) -> list[Task]:
        return [row.task for row in self.rows]

    def internal_links(self) -> list[LinkView]:
        """The links between tasks of this project."""
        return [link for link in self.links if link.predecessor_project_id == self.project.pk]


def plan_view(*, user: Any, project: Project, baseline: Baseline | None = None) -> PlanView:
    """The project's rows with predecessors, durations and (primary) baseline dates."""
    require(user, Action.VIEW, project)
    plan = plan_for(project)
    minutes_per_day = plan.calendar.minutes_per_day if plan.calendar_id and plan.calendar else 480
    tasks = list(task_list(user=user, project=project))
    by_pk = {task.pk: task for task in tasks}
    rows_of_links = adapters.links_into(
        list(by_pk),
        "pk",
        "predecessor_id",
        "successor_id",
        "type",
        "lag_minutes",
        "lag_unit",
        "lag_percent",
        "predecessor__project_id",
        "predecessor__position",
        "predecessor__project__code",
        "predecessor__is_critical",
    )
    links = []
    for row in rows_of_links:
        values: tuple[Any, ...] = tuple(row)
        successor = by_pk.get(int(values[2]))
        critical = bool(values[-1]) and successor is not None and successor.is_critical
        links.append(LinkView(*values[:-1], critical))  # type: ignore[call-arg]
    links.sort(
        key=lambda link: (link.successor_id, link.predecessor_project_id, link.predecessor_position)
    )
    if baseline is None:
        baseline = Baseline.objects.filter(project=project, is_primary=True).first()
    baseline_rows: dict[int, BaselineTask] = {}
    if baseline is not None:
        baseline_rows = {
            row.task_id: row
            for row in BaselineTask.objects.filter(baseline=baseline, task__isnull=False).only(
                "task_id", "start", "finish", "duration_minutes"
            )
            if row.task_id is not None
        }
    by_successor: dict[int, list[LinkView]] = defaultdict(list)
    successors: dict[int, list[int]] = defaultdict(list)
    for link in links:
        by_successor[link.successor_id].append(link)
        successor = by_pk.get(link.successor_id)
        if successor is not None:
            successors[link.predecessor_id].append(successor.position)
    rows = []
    for task in tasks:
        parts = []
        for link in by_successor.get(task.pk, []):
            reference: int | str = link.predecessor_position
            if link.predecessor_project_id != project.pk:
                reference = f"{link.predecessor_project_code}:{link.predecessor_position}"
            parts.append(
                format_predecessor(
                    reference,
                    link.type,
                    link.lag_minutes,
                    link.lag_unit,
                    link.lag_percent,
                    # A lag counts working time of the successor's calendar.
                    minutes_per_day=task.calendar.minutes_per_day
                    if task.calendar_id and task.calendar
                    else minutes_per_day,
                )
            )
        base = baseline_rows.get(task.pk)
        rows.append(
            PlanRow(
                task=task,
                predecessors="; ".join(parts),
                duration_text=duration_text(task, minutes_per_day),
                successors=sorted(successors.get(task.pk, [])),
                baseline_start=base.start if base else None,
                baseline_finish=base.finish if base else None,
                baseline_duration_minutes=base.duration_minutes if base else None,
            )
        )
    _roll_up_progress(rows)
    return PlanView(
        project=project,
        plan=plan,
        rows=rows,
        links=links,
        baseline=baseline,
        minutes_per_day=minutes_per_day,
    )


def _roll_up_progress(rows: list[PlanRow]) -> None:
    """A summary task's % complete, as Microsoft Project computes it: the share of its subtasks'
    duration that is done."""
    done: dict[int, float] = defaultdict(float)
    total: dict[int, float] = defaultdict(float)
    by_pk = {row.task.pk: row for row in rows}
    for row in rows:
        task = row.task
        row.percent_complete = float(task.percent_complete)
        if task.is_summary:
            continue
        weight = float(task.duration_minutes) or 1.0
        parent = task.parent_id
        while parent is not None and parent in by_pk:
            total[parent] += weight
            done[parent] += weight * float(task.percent_complete) / 100
            parent = by_pk[parent].task.parent_id
    for pk, weight in total.items():
        by_pk[pk].percent_complete = round(100 * done[pk] / weight, 1) if weight else 0.0


def duration_text(task: Task, minutes_per_day: int = 480) -> str:
    """The duration as the grid shows it: ``5d``, ``2w``, ``0d`` for a milestone; a summary
    task's duration spans its scheduled dates."""
    if task.calendar_id and task.calendar:
        minutes_per_day = task.calendar.minutes_per_day
    if task.is_summary:
        return ""
    return format_quantity(
        task.duration_minutes, task.duration_unit, minutes_per_day=minutes_per_day
    )


def predecessor_links(*, user: Any, task: Task) -> QuerySet[Dependency]:
    """The links into a task (the task must be visible), other projects' included."""
    require(user, Action.VIEW, task)
    return (
        Dependency.objects.filter(successor=task)
        .select_related("predecessor__project")
        .order_by("predecessor__project_id", "predecessor__position")
    )


def successor_links(*, user: Any, task: Task) -> QuerySet[Dependency]:
    """The links out of a task into tasks the user may see (other projects included)."""
    visible_projects = visible(user, Project.objects.all())
    return (
        Dependency.objects.filter(predecessor=task, successor__project__in=visible_projects)
        .select_related("successor__project")
        .order_by("successor__project_id", "successor__position")
    )


def task_choices(*, user: Any, project: Project) -> QuerySet[Task]:
    """Tasks a link may start from: those of the projects the user can see."""
    del project
    return (
        visible(user, Task.objects.all())
        .select_related("project")
        .order_by("project__code", "position")
    )


# Calendars --------------------------------------------------------------------------------------


def calendar_list(*, user: Any, project: Project | None = None) -> QuerySet[WorkCalendar]:
    """Shared calendars and, with a project, that project's own; otherwise all visible."""
    queryset = visible(user, WorkCalendar.objects.all()).select_related("project", "base")
    if project is not None:
        require(user, Action.VIEW, project)
        queryset = queryset.filter(Q(project__isnull=True) | Q(project=project))
    return queryset.order_by("project__code", "name")


def calendar_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> WorkCalendar:
    calendar = get_for_user(
        WorkCalendar.objects.select_related("project", "base").prefetch_related(
            Prefetch("exceptions", queryset=CalendarException.objects.order_by("start", "pk"))
        ),
        pk,
        user=user,
        action=Action.VIEW,
    )
    if action is not Action.VIEW:
        if calendar.project is not None:
            require(user, Action.CHANGE, calendar.project)
        else:
            require_organisation(user, action)
    return calendar


def exception_get_for_user(
    pk: Any, *, user: Any, action: Action = Action.VIEW
) -> CalendarException:
    try:
        exception = CalendarException.objects.select_related("calendar").get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
    calendar_get_for_user(exception.calendar_id, user=user, action=action)
    return exception


# Baselines --------------------------------------------------------------------------------------


def baseline_list(*, user: Any, project: Project) -> QuerySet[Baseline]:
    require(user, Action.VIEW, project)
    return Baseline.objects.filter(project=project).select_related("captured_by")


def baseline_rows(*, user: Any, baseline: Baseline) -> QuerySet[BaselineTask]:
    """A baseline's rows in the order of the plan when it was captured."""
    require(user, Action.VIEW, baseline)
    return BaselineTask.objects.filter(baseline=baseline).order_by("position")


def baseline_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Baseline:
    return get_for_user(
        Baseline.objects.select_related("project__portfolio", "project__programme", "captured_by"),
        pk,
        user=user,
        action=action,
    )


# Programme and portfolio views ------------------------------------------------------------------


@dataclass
class ProjectTimeline:
    """One project of a multi-project Gantt: its plan, top-level tasks and milestones; a
    project without a schedule shows its planned start and finish dates."""

    project: Project
    plan: ProjectPlan | None
    start: dt.datetime | None
    finish: dt.datetime | None
    tasks: list[Task]


@dataclass
class MultiProjectView:
    timelines: list[ProjectTimeline]
    links: list[Dependency]


def multi_project_view(
    *, user: Any, projects: Iterable[Project], depth: int = 1
) -> MultiProjectView:
    """Projects with their top-level tasks (``depth`` outline levels) and milestones, and the
    links between the projects, for a programme's or a portfolio's Gantt chart."""
    project_list = list(projects)
    ids = [project.pk for project in project_list]
    plans = {plan.project_id: plan for plan in ProjectPlan.objects.filter(project__in=ids)}
    tasks: dict[int, list[Task]] = defaultdict(list)
    for task in (
        Task.objects.filter(project__in=ids)
        .filter(Q(outline_level__lte=depth) | Q(is_milestone=True))
        .order_by("project_id", "position")
    ):
        tasks[task.project_id].append(task)
    links = list(
        Dependency.objects.filter(predecessor__project__in=ids, successor__project__in=ids)
        .exclude(predecessor__project=F("successor__project"))
        .select_related("predecessor", "successor")
    )
    timelines = []
    for project in project_list:
        rows = tasks.get(project.pk, [])
        starts = [task.start for task in rows if task.start]
        plan = plans.get(project.pk)
        start = min(starts) if starts else _at(project.start_date, 8)
        finish = plan.finish if plan and plan.finish else _at(project.finish_date, 17)
        timelines.append(
            ProjectTimeline(project=project, plan=plan, start=start, finish=finish, tasks=rows)
        )
    return MultiProjectView(timelines=timelines, links=links)


def _at(day: dt.date | None, hour: int) -> dt.datetime | None:
    """A project's planned date (no schedule yet) as a moment of that day."""
    return None if day is None else dt.datetime(day.year, day.month, day.day, hour)


def programme_projects(*, user: Any, programme: Programme) -> QuerySet[Project]:
    require(user, Action.VIEW, programme)
    return visible(user, Project.objects.filter(programme=programme)).order_by("start_date", "code")


def portfolio_projects(*, user: Any, portfolio: Portfolio) -> QuerySet[Project]:
    require(user, Action.VIEW, portfolio)
    return visible(user, Project.objects.filter(portfolio=portfolio)).order_by(
        "programme__code", "start_date", "code"
    )


def custom_values(task: Task, plan: ProjectPlan) -> list[tuple[str, Any]]:
    """The task's custom field values with their names (the alias the file gave, else the
    field's own name), in the order the plan defines its fields."""
    values = task.custom_fields or {}
    if not values:
        return []
    labels = {
        str(item.get("key")): str(item.get("alias") or item.get("key"))
        for item in plan.custom_fields or []
        if item.get("owner", "task") == "task"
    }
    ordered = [key for key in labels if key in values]
    ordered += sorted(key for key in values if key not in labels and not key.endswith("#format"))
    return [(labels.get(key, key), values[key]) for key in ordered]
