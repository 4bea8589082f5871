"""A project's schedule health, computed fresh: the DCMA 14-point checks with the tasks at fault.

The scheduling service stores only the score and the rating after each edit (for lists of
projects); pages, the API and the command line that show the checks themselves call
:func:`project_health`, which schedules the stored plan again and assesses it against the
primary baseline, exactly as the stored score was computed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from pilotage.accounts.permissions import Action, require
from pilotage.engine.errors import CalendarError, ScheduleInputError
from pilotage.engine.health import HealthCheckKind
from pilotage.engine.schedule_plan import schedule_plan
from pilotage.planning import adapters, selectors, services
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project

CHECK_LABELS: dict[HealthCheckKind, Promise] = {
    HealthCheckKind.LOGIC: gettext_lazy("Logic"),
    HealthCheckKind.LEADS: gettext_lazy("Leads"),
    HealthCheckKind.LAGS: gettext_lazy("Lags"),
    HealthCheckKind.RELATIONSHIP_TYPES: gettext_lazy("Relationship types"),
    HealthCheckKind.HARD_CONSTRAINTS: gettext_lazy("Hard constraints"),
    HealthCheckKind.HIGH_FLOAT: gettext_lazy("High float"),
    HealthCheckKind.NEGATIVE_FLOAT: gettext_lazy("Negative float"),
    HealthCheckKind.HIGH_DURATION: gettext_lazy("High duration"),
    HealthCheckKind.INVALID_DATES: gettext_lazy("Invalid dates"),
    HealthCheckKind.RESOURCES: gettext_lazy("Resources"),
    HealthCheckKind.MISSED_TASKS: gettext_lazy("Missed tasks"),
    HealthCheckKind.CRITICAL_PATH_TEST: gettext_lazy("Critical path test"),
    HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX: gettext_lazy("Critical path length index (CPLI)"),
    HealthCheckKind.BASELINE_EXECUTION_INDEX: gettext_lazy("Baseline execution index (BEI)"),
}
"""The name of each check, translated."""

CHECK_DESCRIPTIONS: dict[HealthCheckKind, Promise] = {
    HealthCheckKind.LOGIC: gettext_lazy(
        "Unfinished tasks without a predecessor or without a successor."
    ),
    HealthCheckKind.LEADS: gettext_lazy("Links with a negative lag."),
    HealthCheckKind.LAGS: gettext_lazy("Links with a positive lag."),
    HealthCheckKind.RELATIONSHIP_TYPES: gettext_lazy("Finish-to-start links among all the links."),
    HealthCheckKind.HARD_CONSTRAINTS: gettext_lazy(
        "Tasks that must start or finish on a date, or no later than a date."
    ),
    HealthCheckKind.HIGH_FLOAT: gettext_lazy(
        "Tasks with more than 44 working days of total float."
    ),
    HealthCheckKind.NEGATIVE_FLOAT: gettext_lazy("Tasks with total float below zero."),
    HealthCheckKind.HIGH_DURATION: gettext_lazy("Tasks longer than 44 working days."),
    HealthCheckKind.INVALID_DATES: gettext_lazy(
        "Forecast dates before the status date, or actual dates after it."
    ),
    HealthCheckKind.RESOURCES: gettext_lazy("Unfinished tasks without resources."),
    HealthCheckKind.MISSED_TASKS: gettext_lazy(
        "Tasks due by the status date that finished late or are not finished."
    ),
    HealthCheckKind.CRITICAL_PATH_TEST: gettext_lazy(
        "Delaying the first critical task delays the project's finish by as much."
    ),
    HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX: gettext_lazy(
        "How the remaining critical path and its float compare: below 1, the finish slips."
    ),
    HealthCheckKind.BASELINE_EXECUTION_INDEX: gettext_lazy(
        "Tasks finished compared with the tasks due by the status date."
    ),
}
"""What each check measures, in one translated sentence."""


_LINK_CHECKS = frozenset(
    {HealthCheckKind.LEADS, HealthCheckKind.LAGS, HealthCheckKind.RELATIONSHIP_TYPES}
)


def not_assessed_reason(kind: HealthCheckKind, *, has_baseline: bool) -> str:
    """Why a check could not be assessed, in one translated sentence."""
    if kind is HealthCheckKind.RESOURCES:
        return gettext("Resource assignments are not recorded for this plan.")
    if kind in {HealthCheckKind.MISSED_TASKS, HealthCheckKind.BASELINE_EXECUTION_INDEX}:
        if not has_baseline:
            return gettext("The project has no primary baseline to compare with.")
        return gettext("No task is due by the status date yet.")
    if kind is HealthCheckKind.CRITICAL_PATH_TEST:
        return gettext("No unfinished critical task to delay, or the project is finished.")
    if kind is HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX:
        return gettext("No critical path remains after the status date.")
    if kind in _LINK_CHECKS:
        return gettext("No link leads into an unfinished task.")
    return gettext("No unfinished task with a duration to measure.")


@dataclass(frozen=True)
class TaskReference:
    """A task counting against a check: its primary key, its row ID and its name."""

    id: int
    position: int | None
    name: str


@dataclass(frozen=True)
class CheckOutcome:
    """One of the fourteen checks, ready to show.

    ``value`` is a percentage (``unit == "percent"``) or an index; ``None`` when the check
    could not be assessed, and ``reason`` then says why (empty otherwise). A percentage
    passes at or below ``threshold``, except when ``at_least`` (then at or above, like the
    indexes). ``offending`` lists the tasks counting against the check in row order (for the
    link checks, the successors of the links).
    """

    kind: str
    number: int
    label: str
    description: str
    threshold: float
    value: float | None
    unit: str
    at_least: bool
    status: str
    passed: bool
    reason: str
    numerator: float
    denominator: float
    offending: list[TaskReference]


@dataclass(frozen=True)
class ProjectHealth:
    """The health of one project's schedule: the score, the rating and the fourteen checks.

    ``score`` is the share of the assessed checks that passed, in percent (``None`` when no
    check could be assessed); ``rating`` is ``"green"``, ``"amber"``, ``"red"`` or ``None``.
    ``status_date`` is the date the plan was assessed at (naive wall-clock time);
    ``has_baseline`` whether a primary baseline was compared with.
    """

    project: Project
    score: float | None
    rating: str | None
    status_date: dt.datetime
    has_baseline: bool
    passed_count: int
    assessed_count: int
    checks: list[CheckOutcome]


def project_health(*, user: Any, project: Project) -> ProjectHealth:
    """Schedule the project's plan as stored and assess its health against its primary baseline.

    The user must be allowed to view the project (else
    :class:`~pilotage.core.errors.NotFoundError`). Raises a ValidationError naming the tasks
    if the plan cannot be scheduled (which the services prevent from being saved). Reads only;
    a few queries whatever the plan's size.
    """
    require(user, Action.VIEW, project)
    plan = services.plan_for(project)
    tasks = list(
        selectors.task_list(user=user, project=project).select_related("calendar__base__base")
    )
    links = list(selectors.dependency_list(user=user, project=project))
    try:
        source = adapters.build_plan(plan, tasks, links)
        schedule = schedule_plan(source.plan)
    except (ScheduleInputError, CalendarError) as error:
        labels = {task.pk: f"{task.position} ({task.name})" for task in tasks}
        # The engine names tasks by UID (the primary key); people know them by their row ID.
        reason = re.sub(
            r"\bTask (\d+)(?: \([^)]*\))?",
            lambda match: gettext("Task %(task)s") % {"task": labels.get(int(match[1]), match[1])},
            str(error),
        )
        raise ValidationError(
            gettext("The schedule cannot be calculated: %(reason)s") % {"reason": reason},
            code="schedule",
        ) from error
    has_baseline = bool(services.baseline_dates(project))
    health = services.assess_health(project, schedule)
    references = _references(tasks, source.external)
    checks = [
        CheckOutcome(
            kind=check.kind.value,
            number=check.kind.number,
            label=str(CHECK_LABELS[check.kind]),
            description=str(CHECK_DESCRIPTIONS[check.kind]),
            threshold=float(check.threshold),
            value=None if check.value is None else float(check.value),
            unit=check.unit,
            at_least=check.at_least,
            status=check.status.value,
            passed=check.passed,
            reason=""
            if check.assessed
            else not_assessed_reason(check.kind, has_baseline=has_baseline),
            numerator=float(check.numerator),
            denominator=float(check.denominator),
            offending=[
                references.get(uid) or TaskReference(uid, None, str(uid))
                for uid in health.offending(check.kind)
            ],
        )
        for check in health.result.checks
    ]
    return ProjectHealth(
        project=project,
        score=None if health.score_percent is None else round(health.score_percent, 1),
        rating=None if health.rating is None else health.rating.value,
        status_date=health.status_date,
        has_baseline=has_baseline,
        passed_count=health.result.passed_count,
        assessed_count=health.result.assessed_count,
        checks=checks,
    )


def _references(tasks: list[Task], external: dict[int, Task]) -> dict[int, TaskReference]:
    references = {task.pk: TaskReference(task.pk, task.position, task.name) for task in tasks}
    for uid, task in external.items():
        references[uid] = TaskReference(uid, task.position, f"{task.project.code}: {task.name}")
    return references


__all__ = [
    "CHECK_DESCRIPTIONS",
    "CHECK_LABELS",
    "CheckOutcome",
    "ProjectHealth",
    "TaskReference",
    "not_assessed_reason",
    "project_health",
]
