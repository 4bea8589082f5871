"""Schedule risk analysis: three-point estimates of tasks and Monte Carlo runs of a project's
plan, with the selectors and services of both and the adapter that feeds the engine.

Estimates belong to leaf tasks (neither summary tasks nor milestones), in working minutes; a
lognormal estimate reads its optimistic and pessimistic values as its P10 and P90. Whoever may
change a project sets its estimates and runs, repeats and deletes its simulations (project
managers, the PMO, portfolio managers); whoever sees the project reads them.

A run simulates the project's stored plan (:func:`pilotage.planning.adapters.load_plan`) with
the estimates, the project's open risks that touch tasks, and the tasks' costs; the tasks
without an estimate may vary by a multiplier of their planned duration. With the projects it
depends on, their plans join it (across the cross-project links, upstream, transitively, only
those the user may see); each keeps its own start and calendar, and the results are about the
chosen project's own tasks. What went in (estimates, risk events, costs, settings and seed) is
stored with the results, so that a run can be read and repeated: the same seed and inputs on
the same plan give the same results. An engine error is stored as a failed run with the
message, never raised to the user.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, get_for_user, require, visible
from pilotage.core import audit
from pilotage.core.errors import NotFoundError
from pilotage.core.services import acting_user, create_audited, delete_audited, update_audited
from pilotage.engine.calendars import Calendar, WeekPattern
from pilotage.engine.errors import EngineError
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.engine.risk import (
    Distribution,
    LogNormal,
    Pert,
    PlanRiskEvent,
    PlanSimulation,
    Triangular,
    Uniform,
    simulate_plan,
)
from pilotage.planning import adapters
from pilotage.planning.models import Dependency, Task
from pilotage.planning.parsing import format_quantity, parse_quantity
from pilotage.planning.services import plan_for
from pilotage.portfolio.models import Project
from pilotage.risks.models import (
    OPEN_RISK_STATUSES,
    EstimateDistribution,
    Risk,
    RiskKind,
    SimulationRun,
    SimulationStatus,
    TaskEstimate,
)
from pilotage.risks.register import risk_scales

__all__ = [
    "CONFIDENCE_RANGE",
    "DEFAULT_UNCERTAINTY",
    "ITERATIONS_RANGE",
    "EstimateRow",
    "SimulationSetup",
    "estimate_clear",
    "estimate_list",
    "estimate_rows",
    "estimate_set",
    "estimate_task_get_for_user",
    "estimates_apply_multipliers",
    "minutes_per_day",
    "parse_duration",
    "plan_minutes_per_day",
    "show_duration",
    "simulation_defaults",
    "simulation_delete",
    "simulation_get_for_user",
    "simulation_list",
    "simulation_rerun",
    "simulation_run",
    "simulation_setup",
    "upstream_projects",
]

logger = logging.getLogger(__name__)

ITERATIONS_RANGE = (1_000, 100_000)
CONFIDENCE_RANGE = (1, 99)
REPORTED_PERCENTILES = (10, 50, 80, 90)
DEFAULT_UNCERTAINTY = (0.9, 1.0, 1.3)
HISTOGRAM_BINS = 30
CUMULATIVE_POINTS = 101
TORNADO_SIZE = 15
SEED_LIMIT = 2**32
STANDARD_CALENDAR_UID = 0
"""The calendar given, in a plan of several projects, to the tasks of a project without a
calendar of its own (no stored calendar has this key)."""


# Durations as the plan shows them ------------------------------------------------------------


def minutes_per_day(task: Task, default: int = 480) -> int:
    """The working minutes of one day of the task (its calendar's, else the plan's)."""
    if task.calendar_id and task.calendar:
        return int(task.calendar.minutes_per_day)
    return default


def _unit(task: Task) -> str:
    return "ed" if task.is_elapsed else "d"


def show_duration(minutes: int | None, task: Task, per_day: int = 480) -> str:
    """Minutes of a task shown in days as the plan shows durations (``5d``, ``2.5d``)."""
    if minutes is None:
        return ""
    return format_quantity(minutes, _unit(task), minutes_per_day=minutes_per_day(task, per_day))


def parse_duration(text: str, task: Task, *, field_name: str, per_day: int = 480) -> int:
    """Read a duration typed for a task (``5``, ``5d``, ``3.5d``, ``2w``, ``12h``) into its
    minutes; elapsed units only for a task that runs in elapsed time."""
    try:
        quantity = parse_quantity(
            text, minutes_per_day=minutes_per_day(task, per_day), default_unit=_unit(task)
        )
    except ValidationError as error:
        raise ValidationError({field_name: error.messages}) from error
    if quantity.unit.startswith("e") != task.is_elapsed:
        message = (
            gettext("This task runs in elapsed time: give elapsed days (ed), hours (eh)...")
            if task.is_elapsed
            else gettext("Give working time (d, h, w, mo), not elapsed time.")
        )
        raise ValidationError({field_name: [message]})
    return quantity.minutes


# Estimates -----------------------------------------------------------------------------------


@dataclass
class EstimateRow:
    """A leaf task of the estimates grid with its estimate (None when it has none)."""

    task: Task
    estimate: TaskEstimate | None
    minutes_per_day: int

    @property
    def planned(self) -> str:
        return show_duration(self.task.duration_minutes, self.task, self.minutes_per_day)

    def _shown(self, name: str) -> str:
        if self.estimate is None:
            return ""
        return show_duration(getattr(self.estimate, name), self.task, self.minutes_per_day)

    @property
    def optimistic(self) -> str:
        return self._shown("optimistic_minutes")

    @property
    def most_likely(self) -> str:
        return self._shown("most_likely_minutes")

    @property
    def pessimistic(self) -> str:
        return self._shown("pessimistic_minutes")


def plan_minutes_per_day(project: Project) -> int:
    """The working minutes of a day of the project's calendar (480 without one)."""
    plan = plan_for(project)
    return int(plan.calendar.minutes_per_day) if plan.calendar_id and plan.calendar else 480


def _leaf_tasks(project: Project) -> QuerySet[Task]:
    return Task.objects.filter(project=project, is_summary=False, is_milestone=False)


def estimate_rows(*, user: Any, project: Project) -> list[EstimateRow]:
    """The leaf tasks of the project in plan order with their estimates (the project must be
    visible); a fixed number of queries whatever the plan's size."""
    require(user, Action.VIEW, project)
    per_day = plan_minutes_per_day(project)
    tasks = _leaf_tasks(project).select_related("calendar", "estimate").order_by("position", "pk")
    return [
        EstimateRow(task=task, estimate=getattr(task, "estimate", None), minutes_per_day=per_day)
        for task in tasks
    ]


def estimate_list(*, user: Any, project: Project) -> QuerySet[TaskEstimate]:
    """The project's estimates in plan order, with their tasks (the project must be visible)."""
    return (
        visible(user, TaskEstimate.objects.filter(project=project))
        .select_related("task", "task__calendar")
        .order_by("task__position", "pk")
    )


def estimate_task_get_for_user(
    project: Project, task_id: Any, *, user: Any, action: Action = Action.VIEW
) -> Task:
    """The task ``task_id`` of ``project`` if the user may do ``action`` on the project."""
    require(user, action, project)
    try:
        return Task.objects.select_related("calendar", "project").get(pk=task_id, project=project)
    except (Task.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def _check_task(task: Task, project: Project | None = None) -> None:
    if project is not None and task.project_id != project.pk:
        raise ValidationError(
            {
                "task": [
                    gettext("The task “%(task)s” is not a task of the project %(project)s.")
                    % {"task": task.name, "project": project.code}
                ]
            }
        )
    if task.is_summary:
        raise ValidationError(
            {
                "task": [
                    gettext(
                        "“%(task)s” is a summary task: its duration comes from its subtasks, "
                        "estimate them instead."
                    )
                    % {"task": task.name}
                ]
            }
        )
    if task.is_milestone:
        raise ValidationError(
            {
                "task": [
                    gettext("“%(task)s” is a milestone: it takes no time to estimate.")
                    % {"task": task.name}
                ]
            }
        )


def _estimate_errors(
    distribution: str,
    optimistic: int | None,
    most_likely: int | None,
    pessimistic: int | None,
    costs: tuple[Decimal | None, Decimal | None, Decimal | None],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if distribution not in EstimateDistribution.values:
        errors["distribution"] = [
            gettext("Unknown distribution “%(value)s”.") % {"value": distribution}
        ]
    labels = {
        "optimistic_minutes": gettext("The optimistic duration"),
        "most_likely_minutes": gettext("The most likely duration"),
        "pessimistic_minutes": gettext("The pessimistic duration"),
    }
    values = {
        "optimistic_minutes": optimistic,
        "most_likely_minutes": most_likely,
        "pessimistic_minutes": pessimistic,
    }
    for name, value in values.items():
        if value is None:
            errors[name] = [gettext("%(what)s is required.") % {"what": labels[name]}]
        elif value < 0:
            errors[name] = [gettext("%(what)s cannot be negative.") % {"what": labels[name]}]
    if errors:
        return errors
    assert optimistic is not None
    assert most_likely is not None
    assert pessimistic is not None
    if optimistic > most_likely:
        errors["optimistic_minutes"] = [
            gettext("The optimistic duration cannot be longer than the most likely one.")
        ]
    if most_likely > pessimistic:
        errors["pessimistic_minutes"] = [
            gettext("The pessimistic duration cannot be shorter than the most likely one.")
        ]
    if optimistic > pessimistic and "pessimistic_minutes" not in errors:
        errors["pessimistic_minutes"] = [
            gettext("The pessimistic duration cannot be shorter than the optimistic one.")
        ]
    if pessimistic == 0:
        errors.setdefault("pessimistic_minutes", []).append(
            gettext(
                "A task with an estimate takes some time: the pessimistic duration must be "
                "above zero."
            )
        )
    if distribution == EstimateDistribution.LOGNORMAL and optimistic == 0:
        errors.setdefault("optimistic_minutes", []).append(
            gettext("A lognormal estimate needs an optimistic duration above zero.")
        )
    low, likely, high = costs
    given = [value for value in costs if value is not None]
    if given and len(given) < 3:
        errors["cost_likely"] = [
            gettext("Give the lowest, most likely and highest costs, or none of them.")
        ]
    elif given:
        assert low is not None
        assert likely is not None
        assert high is not None
        if min(given) < 0:
            errors["cost_low"] = [gettext("A cost cannot be negative.")]
        elif not low <= likely <= high:
            errors["cost_likely"] = [
                gettext("The costs must go from the lowest to the most likely to the highest.")
            ]
        elif distribution == EstimateDistribution.LOGNORMAL and low == 0:
            errors["cost_low"] = [gettext("A lognormal estimate needs a lowest cost above zero.")]
    return errors


@transaction.atomic
def estimate_set(
    *,
    actor: Any,
    task: Task,
    optimistic_minutes: int | None,
    most_likely_minutes: int | None,
    pessimistic_minutes: int | None,
    distribution: str = EstimateDistribution.TRIANGULAR,
    cost_low: Decimal | None = None,
    cost_likely: Decimal | None = None,
    cost_high: Decimal | None = None,
    project: Project | None = None,
) -> TaskEstimate:
    """Give a leaf task its three-point estimate (replacing the one it had); CHANGE on its
    project. A lognormal estimate without a most likely value takes its median.

    ``project``, when given, is the project the caller meant: a task of another project is
    refused.
    """
    require(actor, Action.CHANGE, task.project)
    _check_task(task, project)
    if (
        distribution == EstimateDistribution.LOGNORMAL
        and most_likely_minutes is None
        and optimistic_minutes is not None
        and pessimistic_minutes is not None
        and 0 < optimistic_minutes <= pessimistic_minutes
    ):
        most_likely_minutes = round(math.sqrt(optimistic_minutes * pessimistic_minutes))
    errors = _estimate_errors(
        distribution,
        optimistic_minutes,
        most_likely_minutes,
        pessimistic_minutes,
        (cost_low, cost_likely, cost_high),
    )
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "distribution": distribution,
        "optimistic_minutes": optimistic_minutes,
        "most_likely_minutes": most_likely_minutes,
        "pessimistic_minutes": pessimistic_minutes,
        "cost_low": cost_low,
        "cost_likely": cost_likely,
        "cost_high": cost_high,
    }
    existing = TaskEstimate.objects.filter(task=task).first()
    if existing is None:
        estimate = TaskEstimate(project_id=task.project_id, task=task, **values)
        return create_audited(actor=actor, instance=estimate)
    changes = {name: value for name, value in values.items() if getattr(existing, name) != value}
    if not changes:
        return existing
    return update_audited(actor=actor, instance=existing, changes=changes)


@transaction.atomic
def estimate_clear(*, actor: Any, task: Task) -> bool:
    """Remove the task's estimate (CHANGE on its project); False when it had none."""
    require(actor, Action.CHANGE, task.project)
    existing = TaskEstimate.objects.filter(task=task).first()
    if existing is None:
        return False
    delete_audited(actor=actor, instance=existing)
    return True


def _check_multipliers(
    optimistic: float, most_likely: float, pessimistic: float, *, prefix: str = ""
) -> None:
    if min(optimistic, most_likely, pessimistic) < 0 or not all(
        math.isfinite(value) for value in (optimistic, most_likely, pessimistic)
    ):
        raise ValidationError(
            {prefix + "optimistic": [gettext("A multiplier cannot be negative.")]}
        )
    if not optimistic <= most_likely <= pessimistic:
        raise ValidationError(
            {
                prefix + "most_likely": [
                    gettext(
                        "The multipliers must go from the optimistic to the most likely to the "
                        "pessimistic one (for example 0.9, 1.0, 1.3)."
                    )
                ]
            }
        )
    if pessimistic <= 0:
        raise ValidationError(
            {prefix + "pessimistic": [gettext("The pessimistic multiplier must be above zero.")]}
        )


@transaction.atomic
def estimates_apply_multipliers(
    *,
    actor: Any,
    project: Project,
    optimistic: float = DEFAULT_UNCERTAINTY[0],
    most_likely: float = DEFAULT_UNCERTAINTY[1],
    pessimistic: float = DEFAULT_UNCERTAINTY[2],
    tasks: Sequence[Task] | None = None,
    distribution: str = EstimateDistribution.TRIANGULAR,
) -> list[TaskEstimate]:
    """Estimate tasks as multiples of their planned duration (0.9, 1.0 and 1.3 of it ...):
    the ``tasks`` given (their estimates are replaced), or else every unfinished leaf task of
    the project without an estimate. CHANGE on the project; returns the estimates written."""
    require(actor, Action.CHANGE, project)
    _check_multipliers(optimistic, most_likely, pessimistic)
    if distribution not in EstimateDistribution.values:
        raise ValidationError(
            {
                "distribution": [
                    gettext("Unknown distribution “%(value)s”.") % {"value": distribution}
                ]
            }
        )
    if tasks is None:
        chosen = list(
            _leaf_tasks(project)
            .filter(estimate__isnull=True)
            # A finished task's duration is known: the simulation keeps its actual dates.
            .exclude(percent_complete__gte=100)
            .select_related("project")
            .order_by("position")
        )
    else:
        chosen = list(tasks)
        for task in chosen:
            _check_task(task, project)
    written = []
    for task in chosen:
        planned = int(task.duration_minutes)
        low = round(planned * optimistic)
        high = round(planned * pessimistic)
        likely = min(max(round(planned * most_likely), low), high)
        if distribution == EstimateDistribution.LOGNORMAL:
            low = max(low, 1)
        if high <= 0:
            continue
        existing = TaskEstimate.objects.filter(task=task).first()
        written.append(
            estimate_set(
                actor=actor,
                task=task,
                optimistic_minutes=low,
                most_likely_minutes=max(likely, low),
                pessimistic_minutes=max(high, low),
                distribution=distribution,
                cost_low=existing.cost_low if existing else None,
                cost_likely=existing.cost_likely if existing else None,
                cost_high=existing.cost_high if existing else None,
            )
        )
    return written


# The projects a project depends on -----------------------------------------------------------


def upstream_projects(project: Project, *, user: Any) -> list[Project]:
    """The projects this one depends on through cross-project links, transitively, that the
    user may see (nearest first). A project the user may not see is not followed further: its
    tasks stay pinned at their scheduled dates."""
    seen = {project.pk}
    frontier = [project.pk]
    found: list[Project] = []
    while frontier:
        candidates = (
            set(
                Dependency.objects.filter(successor__project__in=frontier)
                .exclude(predecessor__project__in=frontier)
                .order_by()
                .values_list("predecessor__project_id", flat=True)
            )
            - seen
        )
        if not candidates:
            break
        seen |= candidates
        allowed = list(visible(user, Project.objects.filter(pk__in=candidates)).order_by("code"))
        found.extend(allowed)
        frontier = [other.pk for other in allowed]
    return found


# The adapter ---------------------------------------------------------------------------------


@dataclass
class SimulationSetup:
    """What one run gives the engine, and what it needs to read the results back.

    ``tasks`` are the rows of every task in the plan by key (the plan's UIDs), the tasks of
    other projects pinned at their dates included; ``own`` are the keys of the chosen
    project's tasks; ``inputs`` is the JSON record of the estimates, risk events and costs used.
    """

    project: Project
    projects: list[Project]
    plan: Plan
    tasks: dict[int, Task]
    own: set[int]
    minutes_per_day: int
    estimates: dict[int, Distribution | float] = field(default_factory=dict)
    costs: dict[int, Distribution | float] = field(default_factory=dict)
    risks: list[Any] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def label(self, uid: int) -> tuple[str, str, str]:
        """The WBS, name and project code of a task of the plan."""
        task = self.tasks.get(uid)
        if task is None:
            return "", str(uid), ""
        return task.wbs_code, task.name, task.project.code


def _merge_plans(project: Project, projects: Sequence[Project]) -> SimulationSetup:
    """One engine plan of ``project`` and the other ``projects``: each keeps its own start
    (tasks that would start earlier get a start-no-earlier-than constraint at it) and its own
    calendar; predecessors in projects outside the set stay pinned at their dates."""
    sources = {}
    for member in [project, *[p for p in projects if p.pk != project.pk]]:
        source = adapters.load_plan(plan_for(member))
        for task in source.tasks:
            task.project = member
        sources[member.pk] = source
    main = sources[project.pk].plan
    per_day = int(main.minutes_per_day)
    if len(sources) == 1:
        source = sources[project.pk]
        tasks = {task.pk: task for task in source.tasks}
        tasks.update(source.external)
        return SimulationSetup(
            project=project,
            projects=[project],
            plan=main,
            tasks=tasks,
            own={task.pk for task in source.tasks},
            minutes_per_day=per_day,
        )
    included = set(sources)
    starts = [source.plan.start for source in sources.values() if source.plan.start is not None]
    merged_start = min(starts) if starts else main.start
    calendars: dict[int, PlanCalendar] = {}
    for source in sources.values():
        for plan_calendar in source.plan.calendars:
            calendars.setdefault(plan_calendar.uid, plan_calendar)
    rows: dict[int, Task] = {}
    plan_tasks: list[PlanTask] = []
    for source in sources.values():
        for uid, external in source.external.items():
            if external.project_id in included or uid in rows:
                continue
            pinned = source.plan.tasks_by_uid.get(uid)
            if pinned is not None:
                plan_tasks.append(pinned)
                rows[uid] = external
    # Upstream projects first, the chosen one last, so that results read in plan order.
    order = [pk for pk in sources if pk != project.pk] + [project.pk]
    for pk in order:
        source = sources[pk]
        own = {task.pk for task in source.tasks}
        calendar_uid = source.plan.calendar_uid
        if calendar_uid != main.calendar_uid and calendar_uid is None:
            calendars.setdefault(
                STANDARD_CALENDAR_UID,
                PlanCalendar(
                    STANDARD_CALENDAR_UID,
                    Calendar("Standard", WeekPattern.standard(), minutes_per_day=480),
                ),
            )
            calendar_uid = STANDARD_CALENDAR_UID
        start = source.plan.start
        for plan_task in source.plan.tasks:
            if plan_task.uid not in own:
                continue
            changes: dict[str, Any] = {}
            if plan_task.calendar_uid is None and calendar_uid != main.calendar_uid:
                changes["calendar_uid"] = calendar_uid
            if (
                start is not None
                and merged_start is not None
                and start > merged_start
                and plan_task.constraint_type == "ASAP"
                and not plan_task.summary
            ):
                changes["constraint_type"] = "SNET"
                changes["constraint_date"] = start
            plan_tasks.append(dataclasses.replace(plan_task, **changes) if changes else plan_task)
        rows.update({task.pk: task for task in source.tasks})
    uids = {plan_task.uid for plan_task in plan_tasks}
    links: dict[tuple[int, int], PlanLink] = {}
    for source in sources.values():
        for link in source.plan.links:
            if link.predecessor_uid in uids and link.successor_uid in uids:
                links.setdefault((link.predecessor_uid, link.successor_uid), link)
    own = {task.pk for task in sources[project.pk].tasks}
    kept = _driving_tasks(plan_tasks, links.values(), own)
    plan_tasks = [plan_task for plan_task in plan_tasks if plan_task.uid in kept]
    rows = {uid: task for uid, task in rows.items() if uid in kept}
    plan = Plan(
        name=main.name,
        start=merged_start,
        status_date=main.status_date,
        calendar_uid=main.calendar_uid,
        minutes_per_day=per_day,
        calendars=tuple(_base_first(calendars)),
        tasks=tuple(plan_tasks),
        links=tuple(link for key, link in links.items() if kept.issuperset(key)),
    )
    return SimulationSetup(
        project=project,
        projects=[project, *[other for other in projects if other.pk != project.pk]],
        plan=plan,
        tasks=rows,
        own=own,
        minutes_per_day=per_day,
    )


def _driving_tasks(tasks: Sequence[PlanTask], links: Iterable[PlanLink], own: set[int]) -> set[int]:
    """The chosen project's tasks and the tasks of other projects that can move them: their
    predecessors through the links, transitively, with the summary tasks above them (whose
    links and constraints apply to their subtasks) and everything under a summary task that is
    a predecessor. The other projects' remaining tasks are left out, so that the finish of the
    simulated network is the chosen project's."""
    predecessors: dict[int, list[int]] = {}
    for link in links:
        predecessors.setdefault(link.successor_uid, []).append(link.predecessor_uid)
    by_uid = {task.uid: task for task in tasks}
    children: dict[int, list[int]] = {}
    for task in tasks:
        if task.parent_uid is not None:
            children.setdefault(task.parent_uid, []).append(task.uid)
    kept: set[int] = set()
    queue = [uid for uid in own if uid in by_uid]
    whole: set[int] = set()
    while queue:
        uid = queue.pop()
        if uid not in kept:
            kept.add(uid)
            parent = by_uid[uid].parent_uid
            if parent is not None:
                queue.append(parent)
            queue.extend(predecessors.get(uid, ()))
            for predecessor in predecessors.get(uid, ()):
                if predecessor not in whole:
                    whole.add(predecessor)
                    queue.extend(_descendants(predecessor, children))
    return kept


def _descendants(uid: int, children: Mapping[int, list[int]]) -> list[int]:
    found: list[int] = []
    stack = list(children.get(uid, ()))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, ()))
    return found


def _base_first(calendars: Mapping[int, PlanCalendar]) -> list[PlanCalendar]:
    ordered: list[PlanCalendar] = []
    placed: set[int] = set()

    def place(uid: int) -> None:
        if uid in placed:
            return
        base = calendars[uid].base_uid
        if base is not None and base in calendars:
            place(base)
        placed.add(uid)
        ordered.append(calendars[uid])

    for uid in calendars:
        place(uid)
    return ordered


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _estimate_record(estimate: TaskEstimate, task: Task) -> dict[str, Any]:
    return {
        "task": task.pk,
        "wbs": task.wbs_code,
        "name": task.name,
        "distribution": estimate.distribution,
        "optimistic_minutes": estimate.optimistic_minutes,
        "most_likely_minutes": estimate.most_likely_minutes,
        "pessimistic_minutes": estimate.pessimistic_minutes,
        "cost_low": _number(estimate.cost_low),
        "cost_likely": _number(estimate.cost_likely),
        "cost_high": _number(estimate.cost_high),
    }


def _delay_record(risk: Risk) -> dict[str, Any] | None:
    low = _number(risk.schedule_impact_min_days)
    likely = _number(risk.schedule_impact_likely_days)
    high = _number(risk.schedule_impact_max_days)
    if likely is None and low is None and high is None:
        return None
    return {"low_days": low, "likely_days": likely, "high_days": high}


def _collect_inputs(setup: SimulationSetup, *, include_risks: bool) -> dict[str, Any]:
    """The JSON record of the estimates, risk events and task costs a new run uses."""
    # By project rather than by a list of task ids, which may be longer than a query allows.
    rows = TaskEstimate.objects.filter(project__in=_project_ids(setup)).order_by(
        "project_id", "task__position"
    )
    estimates = [
        _estimate_record(estimate, setup.tasks[estimate.task_id])
        for estimate in rows
        if estimate.task_id in setup.tasks
    ]
    costs: dict[str, float] = {}
    for uid in sorted(setup.own & set(setup.tasks)):
        task = setup.tasks[uid]
        if task.is_summary:
            continue
        amount = task.cost if task.cost is not None else task.fixed_cost
        if amount:
            costs[str(uid)] = float(amount)
    risks: list[dict[str, Any]] = []
    if include_risks:
        scale = {
            level.level: level.probability_percent
            for level in risk_scales().probability
            if level.probability_percent is not None
        }
        open_risks = (
            Risk.objects.filter(project__in=_project_ids(setup), status__in=OPEN_RISK_STATUSES)
            .prefetch_related(Prefetch("tasks", queryset=Task.objects.only("pk")))
            .order_by("project_id", "code")
        )
        for risk in open_risks:
            record = _risk_record(risk, scale, setup)
            if record is not None:
                risks.append(record)
    return {
        "projects": [
            {"id": member.pk, "code": member.code, "name": member.name} for member in setup.projects
        ],
        "minutes_per_day": setup.minutes_per_day,
        "estimates": estimates,
        "risks": risks,
        "costs": costs,
    }


def _project_ids(setup: SimulationSetup) -> set[int]:
    return {member.pk for member in setup.projects}


def _risk_record(
    risk: Risk, scale: Mapping[int, Decimal], setup: SimulationSetup
) -> dict[str, Any] | None:
    """The risk as an event of the simulation, or None when it cannot be one (a warning says
    why, unless it simply has no tasks, or neither a delay nor a cost)."""
    task_ids = [task.pk for task in risk.tasks.all()]
    delay = _delay_record(risk) if risk.kind == RiskKind.THREAT else None
    # Another project's money is not this project's cost: only its delays count here.
    cost = _number(risk.cost_impact) if risk.project_id == setup.project.pk else None
    if not task_ids or (delay is None and not cost):
        return None
    if risk.probability_percent is not None:
        percent, source = float(risk.probability_percent), "risk"
    elif risk.probability in scale:
        percent, source = float(scale[risk.probability]), "scale"
    else:
        setup.warnings.append(
            gettext(
                "Risk %(code)s was left out: it has no probability in percent and its "
                "probability level %(level)s has none on the scale."
            )
            % {"code": risk.code, "level": risk.probability}
        )
        return None
    if cost and risk.kind == RiskKind.OPPORTUNITY:
        cost = -abs(cost)
    return {
        "risk": risk.pk,
        "code": risk.code,
        "title": risk.title,
        "kind": risk.kind,
        "probability": percent / 100,
        "probability_source": source,
        "tasks": task_ids,
        "delay": delay,
        "cost": cost or None,
    }


def _distribution(kind: str, low: float, mode: float, high: float) -> Distribution | float:
    """The engine's distribution of an estimate (a lognormal one reads low and high as its
    P10 and P90); a fixed value when the three are equal."""
    if low == mode == high:
        return float(mode)
    if kind == EstimateDistribution.PERT:
        return Pert(low, mode, high)
    if kind == EstimateDistribution.UNIFORM:
        return Uniform(low, high)
    if kind == EstimateDistribution.LOGNORMAL:
        return LogNormal(low, high)
    return Triangular(low, mode, high)


def _delay_distribution(delay: Mapping[str, Any], per_day: int) -> Distribution | float | None:
    low, likely, high = delay.get("low_days"), delay.get("likely_days"), delay.get("high_days")
    if likely is None:
        if low is not None and high is not None:
            return Uniform(low * per_day, high * per_day) if low < high else float(low * per_day)
        single = low if low is not None else high
        return None if single is None else float(single * per_day)
    low = likely if low is None else low
    high = likely if high is None else high
    if not 0 <= low <= likely <= high:
        return None
    if low == high:
        return float(likely * per_day)
    return Triangular(low * per_day, likely * per_day, high * per_day)


def _engine_inputs(setup: SimulationSetup, inputs: Mapping[str, Any]) -> None:
    """Fill ``setup`` with the engine's estimates, costs and risk events from the JSON record
    ``inputs`` (a new run's or a stored one), warning about what no longer fits the plan."""
    per_day = int(inputs.get("minutes_per_day") or setup.minutes_per_day)
    leaves = {
        plan_task.uid
        for plan_task in setup.plan.tasks
        if not plan_task.summary and plan_task.uid in setup.tasks
    }
    workable = {uid for uid in leaves if not setup.tasks[uid].is_milestone}
    simulated = {uid for uid, task in setup.tasks.items() if task.project_id in _project_ids(setup)}
    missing: list[str] = []
    for record in inputs.get("estimates", []):
        uid = int(record["task"])
        if uid not in workable:
            missing.append(record.get("name") or str(uid))
            continue
        setup.estimates[uid] = _distribution(
            record["distribution"],
            float(record["optimistic_minutes"]),
            float(record["most_likely_minutes"]),
            float(record["pessimistic_minutes"]),
        )
        if record.get("cost_likely") is not None:
            setup.costs[uid] = _distribution(
                record["distribution"],
                float(record["cost_low"]),
                float(record["cost_likely"]),
                float(record["cost_high"]),
            )
    if missing:
        setup.warnings.append(
            gettext(
                "These estimates no longer match a task that does work and were left out: "
                "%(tasks)s."
            )
            % {"tasks": ", ".join(missing)}
        )
    for key, amount in inputs.get("costs", {}).items():
        uid = int(key)
        if uid in simulated and uid not in setup.costs:
            setup.costs[uid] = float(amount)
    for record in inputs.get("risks", []):
        name = f"{record['code']} {record['title']}"
        delay = None
        tasks: tuple[int, ...] = ()
        if record.get("delay"):
            delay = _delay_distribution(record["delay"], per_day)
            if delay is None:
                setup.warnings.append(
                    gettext(
                        "The delay of risk %(code)s was left out: its lowest, most likely and "
                        "highest days are not in order."
                    )
                    % {"code": record["code"]}
                )
            else:
                tasks = tuple(uid for uid in record["tasks"] if int(uid) in leaves)
                skipped = [uid for uid in record["tasks"] if int(uid) not in leaves]
                if skipped:
                    setup.warnings.append(
                        gettext(
                            "Risk %(code)s delays only the tasks that do work: summary tasks "
                            "and tasks no longer in the plan were left out."
                        )
                        % {"code": record["code"]}
                    )
                if not tasks:
                    delay = None
        cost = record.get("cost")
        if delay is None and not cost:
            continue
        setup.risks.append(
            PlanRiskEvent(
                probability=float(record["probability"]),
                task_uids=tasks,
                delay_minutes=delay,
                cost=float(cost) if cost else None,
                name=name,
            )
        )


def simulation_setup(
    *,
    user: Any,
    project: Project,
    include_risks: bool = True,
    include_linked: bool = False,
    inputs: Mapping[str, Any] | None = None,
) -> SimulationSetup:
    """The engine's plan, estimates, costs and risk events for a run of ``project`` as
    ``user`` sees it: from the project's data now, or from the record ``inputs`` of an
    earlier run (the projects and inputs it used, on today's plans)."""
    if inputs is not None:
        stored = {int(entry["id"]) for entry in inputs.get("projects", [])} - {project.pk}
        others = list(visible(user, Project.objects.filter(pk__in=stored)).order_by("code"))
    elif include_linked:
        others = upstream_projects(project, user=user)
    else:
        others = []
    setup = _merge_plans(project, others)
    if inputs is not None and len(setup.projects) < len(inputs.get("projects", [])):
        setup.warnings.append(
            gettext(
                "Some projects of the first run are no longer there or no longer visible: "
                "their tasks stay at their scheduled dates."
            )
        )
    if inputs is None:
        inputs = _collect_inputs(setup, include_risks=include_risks)
    setup.inputs = dict(inputs)
    _engine_inputs(setup, inputs)
    return setup


# Runs ----------------------------------------------------------------------------------------


def simulation_list(*, user: Any, project: Project) -> QuerySet[SimulationRun]:
    """The project's runs, newest first, with who ran them (the project must be visible).

    A run's inputs and results can be large (a line per task): the list reads only what it
    shows of them, as ``summary_percentiles``, ``summary_deadline_probability`` and
    ``summary_projects``."""
    return (
        visible(user, SimulationRun.objects.filter(project=project))
        .select_related("created_by")
        .defer("inputs", "results")
        .annotate(
            summary_percentiles=KeyTransform("percentiles", "results"),
            summary_deadline_probability=KeyTransform("deadline_probability", "results"),
            summary_projects=KeyTransform("projects", "inputs"),
        )
        .order_by("-created_at", "-pk")
    )


def simulation_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> SimulationRun:
    return get_for_user(
        SimulationRun.objects.select_related(
            "project", "project__portfolio", "project__programme", "created_by"
        ),
        pk,
        user=user,
        action=action,
    )


def simulation_defaults(project: Project) -> dict[str, Any]:
    """The settings a new run starts from: the project's target finish and budget."""
    return {
        "iterations": 10_000,
        "uncertainty": DEFAULT_UNCERTAINTY,
        "include_risks": True,
        "include_linked": False,
        "deadline": project.finish_date,
        "budget": project.budget,
        "confidence": 80,
    }


def _deadline_moment(deadline: dt.date | dt.datetime | None) -> dt.datetime | None:
    """A deadline date means by the end of that day (plan dates are wall-clock times)."""
    if deadline is None:
        return None
    if isinstance(deadline, dt.datetime):
        return deadline.replace(tzinfo=None)
    return dt.datetime.combine(deadline, dt.time(23, 59))


def _check_settings(
    *,
    iterations: int,
    seed: int | None,
    uncertainty: Sequence[float] | None,
    confidence: int,
    budget: Decimal | float | None,
) -> None:
    errors: dict[str, list[str]] = {}
    low, high = ITERATIONS_RANGE
    if not low <= iterations <= high:
        errors["iterations"] = [
            gettext("Run between %(low)s and %(high)s iterations.")
            % {"low": f"{low:,}", "high": f"{high:,}"}
        ]
    if seed is not None and not 0 <= seed < 2**63:
        errors["seed"] = [gettext("The seed is a whole number from 0 up.")]
    low, high = CONFIDENCE_RANGE
    if not low <= confidence <= high:
        errors["confidence"] = [
            gettext("The confidence is a percentage between %(low)s and %(high)s.")
            % {"low": low, "high": high}
        ]
    if budget is not None and budget < 0:
        errors["budget"] = [gettext("The budget cannot be negative.")]
    if uncertainty is not None:
        if len(uncertainty) != 3:
            errors["uncertainty"] = [
                gettext("Give three multipliers: optimistic, most likely and pessimistic.")
            ]
        else:
            try:
                _check_multipliers(*uncertainty, prefix="uncertainty_")
            except ValidationError as error:
                errors["uncertainty"] = error.messages
    if errors:
        raise ValidationError(errors)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[m]").astype(dt.datetime)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time()).isoformat(timespec="minutes")
    return str(value)


def _round(value: Any, places: int = 4) -> float | None:
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    return round(number, places)


def _results(
    result: PlanSimulation, setup: SimulationSetup, *, confidence: int, currency: str
) -> dict[str, Any]:
    """The stored results of a run: percentiles, probabilities, contingency, charts' data,
    criticality and tornado, never the samples."""
    per_day = setup.minutes_per_day
    costs = np.asarray(result.cost_samples, dtype=np.float64)
    cost_percentiles = {
        key: _round(value, 2) for key, value in dict(result.cost_percentiles).items()
    }
    percentiles = [
        {
            "percentile": float(key[1:]),
            "label": key,
            "finish": _iso(value),
            "cost": cost_percentiles.get(key),
        }
        for key, value in dict(result.finish_percentiles).items()
    ]
    minutes, days, money = result.contingency(confidence)
    counts, edges = result.finish_histogram(HISTOGRAM_BINS)
    samples = np.sort(np.asarray(result.finish_samples).astype("datetime64[m]").astype(np.int64))
    levels = np.linspace(0, 100, CUMULATIVE_POINTS)
    curve = np.percentile(samples, levels, method="higher").astype(np.int64)
    cost_varies = bool(costs.size and float(costs.max()) > float(costs.min()))
    cost_histogram = None
    if cost_varies:
        cost_counts, cost_edges = result.cost_histogram(HISTOGRAM_BINS)
        cost_histogram = {
            "counts": [int(count) for count in cost_counts],
            "edges": [round(float(edge), 2) for edge in cost_edges],
        }
    criticality: list[dict[str, Any]] = []
    simulated = _simulated(setup)
    for uid, value in dict(result.criticality).items():
        task = setup.tasks.get(int(uid))
        if task is None or int(uid) not in simulated or task.is_summary:
            continue
        if value is None or math.isnan(float(value)):
            continue
        criticality.append(
            {
                "task": task.pk,
                "wbs": task.wbs_code,
                "name": task.name,
                "project": task.project.code,
                "milestone": bool(task.is_milestone),
                "criticality": round(float(value), 4),
            }
        )
    criticality.sort(key=lambda row: (-row["criticality"], _position(setup, row["task"])))
    tornado: list[dict[str, Any]] = []
    for uid, _name, value in result.tornado(TORNADO_SIZE):
        wbs, name, code = setup.label(int(uid))
        tornado.append(
            {
                "task": int(uid),
                "wbs": wbs,
                "name": name,
                "project": code,
                "sensitivity": round(float(value), 4),
            }
        )
    return {
        "iterations": int(result.iterations),
        "percentiles": percentiles,
        "deterministic_finish": _iso(result.deterministic_finish),
        "deadline_probability": _round(result.deadline_probability),
        "budget_probability": _round(result.budget_probability),
        "confidence": confidence,
        "contingency": {
            "confidence": confidence,
            "minutes": int(minutes),
            "days": round(float(days), 2),
            "cost": round(float(money), 2),
        },
        "finish_histogram": {
            "counts": [int(count) for count in counts],
            "edges": [_iso(edge) for edge in edges],
        },
        "cumulative": {
            "finish": [_iso(np.datetime64(int(value), "m")) for value in curve],
            "probability": [round(float(level) / 100, 4) for level in levels],
        },
        "cost_varies": cost_varies,
        "cost_mean": round(float(costs.mean()), 2) if costs.size else None,
        "cost_histogram": cost_histogram,
        "criticality": criticality,
        "tornado": tornado,
        "warnings": [*setup.warnings, *[str(warning) for warning in result.warnings]],
        "method": str(result.method),
        "minutes_per_day": per_day,
        "currency": currency,
    }


def _simulated(setup: SimulationSetup) -> set[int]:
    ids = _project_ids(setup)
    return {uid for uid, task in setup.tasks.items() if task.project_id in ids}


def _position(setup: SimulationSetup, uid: int) -> tuple[int, int]:
    task = setup.tasks[uid]
    order = 0 if task.project_id == setup.project.pk else -1
    return order, int(task.position)


def _execute(run: SimulationRun, setup: SimulationSetup) -> None:
    """Run the engine and put its results (or its error) on ``run``."""
    settings = run.settings
    uncertainty = settings.get("uncertainty")
    deadline = settings.get("deadline")
    budget = settings.get("budget")
    confidence = int(settings.get("confidence", 80))
    percentiles = sorted({*REPORTED_PERCENTILES, confidence})
    started = time.perf_counter()
    try:
        result = simulate_plan(
            setup.plan,
            rng=np.random.default_rng(run.seed),
            iterations=run.iterations,
            estimates=setup.estimates,
            uncertainty=Triangular(*uncertainty) if uncertainty else None,
            costs=setup.costs,
            risks=setup.risks,
            percentiles=percentiles,
            deadline=dt.datetime.fromisoformat(deadline) if deadline else None,
            budget=float(budget) if budget is not None else None,
        )
        run.results = _results(
            result, setup, confidence=confidence, currency=setup.project.currency
        )
        run.status = SimulationStatus.DONE
        run.error = ""
    except (EngineError, ValueError, ArithmeticError, MemoryError) as error:
        logger.info("Simulation of project %s failed: %s", setup.project.pk, error)
        run.results = {"warnings": setup.warnings}
        run.status = SimulationStatus.FAILED
        run.error = gettext("The simulation could not run: %(reason)s") % {"reason": error}
    run.elapsed_seconds = round(time.perf_counter() - started, 3)
    run.results["elapsed_seconds"] = run.elapsed_seconds


def _save_run(actor: Any, run: SimulationRun, projects: Iterable[Project]) -> SimulationRun:
    run.full_clean(exclude=["settings", "inputs", "results"])
    run.save()
    run.projects.set(list(projects))
    # The history records who ran what; the inputs and results stay on the run itself.
    audit.record_created(actor=actor, instance=run)
    return run


@transaction.atomic
def simulation_run(
    *,
    actor: Any,
    project: Project,
    iterations: int = 10_000,
    seed: int | None = None,
    uncertainty: Sequence[float] | None = None,
    include_risks: bool = True,
    include_linked: bool = False,
    deadline: dt.date | dt.datetime | None = None,
    budget: Decimal | float | None = None,
    confidence: int = 80,
    name: str = "",
) -> SimulationRun:
    """Simulate the project's schedule and cost and store the run (CHANGE on the project).

    ``uncertainty`` gives the optimistic, most likely and pessimistic multipliers of the
    planned duration of the tasks without an estimate (None: they keep it). Without a seed a
    random one is drawn; either way it is stored. Settings out of range are refused with a
    ValidationError; an error of the engine gives a run with the status "failed" and the
    message.
    """
    require(actor, Action.CHANGE, project)
    _check_settings(
        iterations=iterations,
        seed=seed,
        uncertainty=uncertainty,
        confidence=confidence,
        budget=budget,
    )
    seed = secrets.randbelow(SEED_LIMIT) if seed is None else int(seed)
    moment = _deadline_moment(deadline)
    settings = {
        "iterations": iterations,
        "seed": seed,
        "uncertainty": [float(value) for value in uncertainty] if uncertainty else None,
        "include_risks": include_risks,
        "include_linked": include_linked,
        "deadline": _iso(moment),
        "budget": float(budget) if budget is not None else None,
        "confidence": int(confidence),
    }
    setup = simulation_setup(
        user=actor, project=project, include_risks=include_risks, include_linked=include_linked
    )
    return _start(actor, project, setup, settings, name=name)


def _start(
    actor: Any,
    project: Project,
    setup: SimulationSetup,
    settings: dict[str, Any],
    *,
    name: str,
) -> SimulationRun:
    if not any(uid in setup.tasks and not setup.tasks[uid].is_summary for uid in setup.own):
        raise ValidationError(
            gettext("The plan has no tasks to simulate yet: add tasks on the Plan tab.")
        )
    run = SimulationRun(
        project=project,
        name=name.strip(),
        seed=int(settings["seed"]),
        iterations=int(settings["iterations"]),
        settings=settings,
        inputs=setup.inputs,
        created_by=acting_user(actor),
    )
    _execute(run, setup)
    return _save_run(actor, run, setup.projects)


@transaction.atomic
def simulation_rerun(*, actor: Any, run: SimulationRun) -> SimulationRun:
    """Run ``run`` again as a new run: same seed, settings, estimates, risk events and costs
    (the plan is today's). CHANGE on its project."""
    project = run.project
    require(actor, Action.CHANGE, project)
    setup = simulation_setup(user=actor, project=project, inputs=run.inputs)
    return _start(actor, project, setup, dict(run.settings), name=run.name)


@transaction.atomic
def simulation_delete(*, actor: Any, run: SimulationRun) -> None:
    """Delete a run (CHANGE on its project)."""
    require(actor, Action.CHANGE, run.project)
    delete_audited(actor=actor, instance=run)
