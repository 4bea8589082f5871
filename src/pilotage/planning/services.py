"""Writes to plans: tasks, dependencies, calendars and baselines, each followed by a new schedule.

Every write is authorised, validated and audited, then the project is scheduled again in the
same transaction (:func:`recalculate`): if the new schedule cannot be computed (a cycle, a
calendar without working time) the error names the tasks and nothing is saved. Projects whose
tasks depend on the changed project are scheduled again too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require, require_organisation
from pilotage.core import audit
from pilotage.core.bulk import update_rows
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    update_audited,
    validate,
)
from pilotage.engine.errors import CalendarError, CyclicDependencyError, ScheduleInputError
from pilotage.engine.plan_health import PlanHealth, assess_plan_health
from pilotage.engine.schedule_plan import PlanSchedule, schedule_plan
from pilotage.planning import adapters
from pilotage.planning.models import (
    DATED_CONSTRAINTS,
    Baseline,
    BaselineTask,
    CalendarException,
    Dependency,
    ProjectPlan,
    Task,
    WorkCalendar,
    standard_week,
)
from pilotage.planning.parsing import (
    PredecessorSpec,
    format_predecessor,
    parse_predecessors,
)
from pilotage.portfolio.models import Project

TASK_FIELDS = frozenset(
    {
        "name",
        "notes",
        "wbs",
        "is_milestone",
        "duration_minutes",
        "duration_unit",
        "work_minutes",
        "constraint_type",
        "constraint_date",
        "deadline",
        "calendar",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "priority",
        "is_manual",
        "is_active",
        "is_effort_driven",
        "fixed_cost",
    }
)
PLAN_FIELDS = frozenset({"start", "status_date", "calendar"})
CALENDAR_FIELDS = frozenset(
    {"name", "base", "week", "holiday_country", "holiday_subdivision", "minutes_per_day"}
)
EXCEPTION_FIELDS = frozenset(
    {
        "name",
        "start",
        "finish",
        "working_times",
        "recurrence",
        "every",
        "weekdays",
        "day",
        "weekday",
        "position",
        "month",
        "occurrences",
    }
)
BASELINE_FIELDS = frozenset({"name", "description", "is_primary"})
LINK_FIELDS = frozenset({"type", "lag_minutes", "lag_unit", "lag_percent"})

_COMPUTED = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "is_critical",
)
_STRUCTURE = ("position", "parent", "outline_level", "outline_number", "is_summary")


# Plans ------------------------------------------------------------------------------------------


def plan_for(project: Project) -> ProjectPlan:
    """The project's plan settings, created with the defaults the first time they are needed."""
    plan = getattr(project, "_pilotage_plan", None)
    if isinstance(plan, ProjectPlan):
        return plan
    plan, _created = ProjectPlan.objects.select_related("calendar").get_or_create(
        project=project,
        defaults={"start": adapters._default_start(project)},
    )
    plan.project = project
    project._pilotage_plan = plan  # type: ignore[attr-defined]
    return plan


@transaction.atomic
def plan_update(*, actor: User, project: Project, **changes: Any) -> ProjectPlan:
    """Change the plan's start, status date or project calendar, and schedule again."""
    check_fields(changes, PLAN_FIELDS)
    require(actor, Action.CHANGE, project)
    plan = plan_for(project)
    calendar = changes.get("calendar")
    if calendar is not None:
        _require_calendar_usable(actor, calendar, project)
    errors: dict[str, list[str]] = {}
    if "start" in changes and changes["start"] is None:
        errors["start"] = [gettext("The plan needs a start date.")]
    update_audited(actor=actor, instance=plan, changes=changes, errors=errors)
    recalculate(project)
    return plan


# Tasks ------------------------------------------------------------------------------------------


def _ordered_tasks(project: Project) -> list[Task]:
    return list(Task.objects.filter(project=project).select_for_update().order_by("position", "pk"))


def _restructure(tasks: list[Task], levels: list[int]) -> list[Task]:
    """Number the rows 1..n and derive parents, outline numbers and summary flags from levels.

    Returns the tasks whose structure changed (to save).
    """
    changed: list[Task] = []
    stack: list[Task] = []
    counters: list[int] = []
    for index, (task, level) in enumerate(zip(tasks, levels, strict=True)):
        level = max(1, min(level, len(stack) + 1))
        del stack[level - 1 :]
        del counters[level:]
        if len(counters) < level:
            counters.append(0)
        counters[level - 1] += 1
        parent = stack[-1] if stack else None
        new = {
            "position": index + 1,
            "parent_id": parent.pk if parent else None,
            "outline_level": level,
            "outline_number": ".".join(str(number) for number in counters[:level]),
        }
        if any(getattr(task, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(task, name, value)
            if task not in changed:
                changed.append(task)
        stack.append(task)
    has_children = {task.parent_id for task in tasks if task.parent_id is not None}
    for task in tasks:
        summary = task.pk in has_children
        if task.is_summary != summary:
            task.is_summary = summary
            if summary:
                task.is_milestone = False
            if task not in changed:
                changed.append(task)
    return changed


def _write_fields(tasks: Sequence[Task], names: Sequence[str]) -> None:
    """Save some fields of many tasks with one prepared UPDATE run for every row.

    ``bulk_update`` builds one CASE expression per field and row, which takes seconds for a
    5,000-task plan; values the service computed need no model validation, only the database
    conversion of each field.
    """
    update_rows(Task, tasks, names)


def _save_structure(tasks: list[Task], levels: list[int], actor: User | None) -> None:
    parents_before = {task.pk: task.parent_id for task in tasks}
    states = {task.pk: audit.capture(task) for task in tasks} if actor is not None else {}
    changed = _restructure(tasks, levels)
    if not changed:
        return
    # Positions are free of constraints, so one pass of updates is enough.
    _write_fields(changed, (*_STRUCTURE, "is_milestone"))
    if actor is not None:
        by_pk = {task.pk: task for task in tasks}
        for task in changed:
            if parents_before.get(task.pk) != task.parent_id and task.pk in states:
                if task.parent_id is not None:
                    task.parent = by_pk[task.parent_id]
                audit.record_updated(actor=actor, instance=task, before=states[task.pk])


def _check_task_values(task: Task, errors: dict[str, list[str]]) -> None:
    if task.calendar is not None and task.calendar.project_id not in (None, task.project_id):
        errors.setdefault("calendar", []).append(
            gettext("This calendar belongs to another project.")
        )
    if task.duration_unit in {"%", "e%"}:
        errors.setdefault("duration_unit", []).append(gettext("A duration cannot be a percentage."))
    if task.constraint_type in DATED_CONSTRAINTS and task.constraint_date is None:
        errors.setdefault("constraint_date", []).append(
            gettext("A “%(constraint)s” constraint needs a date.")
            % {"constraint": task.get_constraint_type_display()}
        )
    if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
        errors.setdefault("actual_finish", []).append(
            gettext("The actual finish cannot be before the actual start.")
        )
    if task.actual_finish and task.actual_start is None:
        errors.setdefault("actual_start", []).append(
            gettext("A task with an actual finish needs an actual start.")
        )


def _apply_progress_defaults(task: Task) -> None:
    """As in Microsoft Project: progress without actual dates takes the scheduled ones."""
    if task.percent_complete and task.actual_start is None:
        task.actual_start = task.start
    if task.percent_complete >= 100 and task.actual_finish is None:
        task.actual_finish = task.finish
    if task.actual_finish is not None and task.percent_complete < 100:
        task.percent_complete = 100


@transaction.atomic
def task_create(
    *,
    actor: User,
    project: Project,
    name: str,
    position: int | None = None,
    outline_level: int | None = None,
    predecessors: str | None = None,
    **values: Any,
) -> Task:
    """Insert a task at row ``position`` (appended when None), at the level of the row it goes
    before (or ``outline_level``), and schedule the project again."""
    check_fields(values, TASK_FIELDS)
    require(actor, Action.CHANGE, project)
    plan_for(project)
    tasks = _ordered_tasks(project)
    index = len(tasks) if position is None else max(0, min(position - 1, len(tasks)))
    if outline_level is None:
        if index < len(tasks):
            level = tasks[index].outline_level
        elif tasks:
            last = tasks[-1]
            level = last.outline_level
        else:
            level = 1
    else:
        level = outline_level
    if values.get("duration_minutes") == 0 and "is_milestone" not in values:
        values["is_milestone"] = True
    if values.get("is_milestone"):
        values.setdefault("duration_minutes", 0)
    task = Task(project=project, name=name, position=index + 1, **values)
    # Every task gets the next free UID, which identifies it in files exchanged with other tools.
    task.uid = max((t.uid for t in tasks if t.uid is not None), default=0) + 1
    errors: dict[str, list[str]] = {}
    _check_task_values(task, errors)
    _apply_progress_defaults(task)
    # Positions are renumbered right after, so save at the end first.
    task.position = len(tasks) + 1
    create_audited(actor=actor, instance=task, errors=errors)
    tasks.insert(index, task)
    levels = [t.outline_level for t in tasks]
    levels[index] = level
    _save_structure(tasks, levels, None)
    if predecessors:
        _replace_predecessors(actor, task, predecessors, tasks, new=True)
    recalculate(project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_update(
    *, actor: User, task: Task, predecessors: str | None = None, **changes: Any
) -> Task:
    """Change a task's values (and its predecessors, written as ``3FS+2d; 5SS``) and schedule
    the project again."""
    check_fields(changes, TASK_FIELDS)
    require(actor, Action.CHANGE, task)
    if task.is_summary:
        locked = sorted(
            set(changes) & {"duration_minutes", "is_milestone", "percent_complete", "actual_start"}
            | set(changes) & {"actual_finish", "work_minutes", "calendar"}
        )
        changed_locked = [name for name in locked if changes[name] != getattr(task, name)]
        if changed_locked:
            raise ValidationError(
                {
                    name: [gettext("A summary task takes this value from its subtasks.")]
                    for name in changed_locked
                }
            )
    if "duration_minutes" in changes and "is_milestone" not in changes:
        changes["is_milestone"] = changes["duration_minutes"] == 0
    if changes.get("is_milestone"):
        changes["duration_minutes"] = 0
    # The caller's object may be older than the last schedule or outline change: read what
    # the services computed since, so that neither is overwritten nor used stale.
    if {"percent_complete", "actual_start", "actual_finish"} & set(changes):
        ensure_scheduled(task.project)
    task.refresh_from_db(fields=[*_COMPUTED, *_STRUCTURE])
    before = audit.capture(task)
    for name, value in changes.items():
        setattr(task, name, value)
    errors: dict[str, list[str]] = {}
    _check_task_values(task, errors)
    _apply_progress_defaults(task)

    validate(task, errors=errors)
    task.save(update_fields=[*TASK_FIELDS, "updated_at"])
    audit.record_updated(actor=actor, instance=task, before=before)
    if predecessors is not None:
        _replace_predecessors(actor, task, predecessors, _ordered_tasks(task.project))
    recalculate(task.project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_delete(*, actor: User, task: Task) -> int:
    """Delete a task with its subtasks and links; returns how many tasks were deleted."""
    require(actor, Action.CHANGE, task)
    project = task.project
    tasks = _ordered_tasks(project)
    index = next(i for i, row in enumerate(tasks) if row.pk == task.pk)
    end = index + 1
    while end < len(tasks) and tasks[end].outline_level > tasks[index].outline_level:
        end += 1
    doomed = tasks[index:end]
    downstream = _downstream_projects(doomed)
    for row in reversed(doomed):
        delete_audited(actor=actor, instance=row)
    remaining = tasks[:index] + tasks[end:]
    _save_structure(remaining, [t.outline_level for t in remaining], actor)
    recalculate(project, extra=downstream)
    return len(doomed)


def _subtree_end(tasks: list[Task], index: int) -> int:
    end = index + 1
    while end < len(tasks) and tasks[end].outline_level > tasks[index].outline_level:
        end += 1
    return end


@transaction.atomic
def task_indent(*, actor: User, task: Task) -> Task:
    """Make the task (and its subtasks) a subtask of the task above it."""
    require(actor, Action.CHANGE, task)
    tasks = _ordered_tasks(task.project)
    index = next(i for i, row in enumerate(tasks) if row.pk == task.pk)
    if index == 0 or tasks[index - 1].outline_level < tasks[index].outline_level:
        raise ValidationError(
            gettext("Task %(id)s cannot be indented: no task above it at its level.")
            % {"id": tasks[index].position}
        )
    end = _subtree_end(tasks, index)
    levels = [t.outline_level for t in tasks]
    for row in range(index, end):
        levels[row] += 1
    _check_not_linked_to_ancestor(tasks, levels)
    _save_structure(tasks, levels, actor)
    recalculate(task.project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_outdent(*, actor: User, task: Task) -> Task:
    """Move the task (and its subtasks) one level up the outline."""
    require(actor, Action.CHANGE, task)
    tasks = _ordered_tasks(task.project)
    index = next(i for i, row in enumerate(tasks) if row.pk == task.pk)
    if tasks[index].outline_level <= 1:
        raise ValidationError(
            gettext("Task %(id)s is already at the top level.") % {"id": tasks[index].position}
        )
    end = _subtree_end(tasks, index)
    levels = [t.outline_level for t in tasks]
    for row in range(index, end):
        levels[row] -= 1
    _check_not_linked_to_ancestor(tasks, levels)
    _save_structure(tasks, levels, actor)
    recalculate(task.project)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_move(*, actor: User, task: Task, position: int) -> Task:
    """Move the task with its subtasks so that it becomes row ``position``."""
    require(actor, Action.CHANGE, task)
    tasks = _ordered_tasks(task.project)
    index = next(i for i, row in enumerate(tasks) if row.pk == task.pk)
    end = _subtree_end(tasks, index)
    block = tasks[index:end]
    block_levels = [t.outline_level for t in block]
    rest = tasks[:index] + tasks[end:]
    target = max(0, min(position - 1, len(rest)))
    if target > index:
        # The block moves down: land after the task now at the wanted row.
        target = max(0, min(position - len(block), len(rest)))
    shift = (rest[target].outline_level if target < len(rest) else 1) - block_levels[0]
    new_tasks = rest[:target] + block + rest[target:]
    levels = [t.outline_level for t in rest[:target]]
    levels += [level + shift for level in block_levels]
    levels += [t.outline_level for t in rest[target:]]
    _check_not_linked_to_ancestor(new_tasks, levels)
    _save_structure(new_tasks, levels, actor)
    recalculate(task.project)
    task.refresh_from_db()
    return task


def _check_not_linked_to_ancestor(tasks: list[Task], levels: list[int]) -> None:
    """Refuse an outline that puts a task under a summary task it is linked with."""
    ancestors: dict[int, set[int]] = {}
    stack: list[tuple[int, int]] = []
    for task, level in zip(tasks, levels, strict=True):
        while stack and stack[-1][1] >= level:
            stack.pop()
        ancestors[task.pk] = {pk for pk, _ in stack}
        stack.append((task.pk, level))
    pairs = Dependency.objects.filter(successor__in=[t.pk for t in tasks]).values_list(
        "predecessor_id", "successor_id"
    )
    by_pk = {task.pk: task for task in tasks}
    for predecessor, successor in pairs:
        if predecessor in ancestors.get(successor, ()) or successor in ancestors.get(
            predecessor, ()
        ):
            raise ValidationError(
                gettext(
                    "Tasks %(first)s and %(second)s are linked, so one cannot be a subtask of "
                    "the other."
                )
                % {"first": by_pk[predecessor].position, "second": by_pk[successor].position}
            )


# Dependencies ---------------------------------------------------------------------------------


def predecessors_cell(
    task: Task, links: Iterable[Dependency], *, minutes_per_day: int | None = None
) -> str:
    """The predecessors of ``task`` as the grid shows them (``3FS+2d; 5SS; OTHER:4``), from
    its links loaded with ``select_related("predecessor__project")``; lags in working days of
    the task's calendar unless ``minutes_per_day`` is given."""
    day = _minutes_per_day(task) if minutes_per_day is None else minutes_per_day
    parts = []
    for link in links:
        predecessor = link.predecessor
        reference: int | str = predecessor.position
        if predecessor.project_id != task.project_id:
            reference = f"{predecessor.project.code}:{predecessor.position}"
        parts.append(
            format_predecessor(
                reference,
                link.type,
                link.lag_minutes,
                link.lag_unit,
                link.lag_percent,
                minutes_per_day=day,
            )
        )
    return "; ".join(parts)


def _links_into(task: Task) -> list[Dependency]:
    return list(
        Dependency.objects.filter(successor=task)
        .select_related("predecessor__project")
        .order_by("predecessor__project_id", "predecessor__position")
    )


def _check_link(
    predecessor: Task, successor: Task, parents: dict[int, int | None] | None = None
) -> None:
    """Refuse a link to itself, to one's own summary task, or one that closes a cycle.

    ``parents`` maps the project's task pks to their summary task's pk when the caller has the
    outline at hand (otherwise it is read).
    """
    if predecessor.pk == successor.pk:
        raise ValidationError(gettext("A task cannot depend on itself."))
    if predecessor.project_id == successor.project_id:
        if parents is None:
            parents = dict(
                Task.objects.filter(project=successor.project_id).values_list("pk", "parent_id")
            )
        for start, other in ((predecessor, successor), (successor, predecessor)):
            parent = parents.get(start.pk)
            while parent is not None:
                if parent == other.pk:
                    raise ValidationError(
                        gettext(
                            "Task %(task)s cannot be linked to its own summary task %(summary)s."
                        )
                        % {"task": start.position, "summary": other.position}
                    )
                parent = parents.get(parent)
    # A path back from the successor to the predecessor would close a cycle, maybe through
    # other projects.
    path = _link_path(successor.pk, predecessor.pk)
    if path is not None:
        names = _task_labels([predecessor.pk, *path])
        raise ValidationError(
            gettext("This link would close a cycle: %(cycle)s.") % {"cycle": " → ".join(names)}
        )


def _link_path(start: int, goal: int) -> list[int] | None:
    """Task pks on a chain of links from ``start`` to ``goal``, or None."""
    came_from: dict[int, int | None] = {start: None}
    frontier = [start]
    while frontier:
        if goal in came_from:
            break
        rows = Dependency.objects.filter(predecessor__in=frontier).values_list(
            "predecessor_id", "successor_id"
        )
        frontier = []
        for predecessor, successor in rows:
            if successor not in came_from:
                came_from[successor] = predecessor
                frontier.append(successor)
    if goal not in came_from:
        return None
    path = [goal]
    while (previous := came_from[path[-1]]) is not None:
        path.append(previous)
    return list(reversed(path))


def _task_labels(pks: Sequence[int]) -> list[str]:
    rows = {
        task.pk: task
        for task in Task.objects.filter(pk__in=set(pks))
        .select_related("project")
        .only("pk", "position", "name", "project__code")
    }
    return [
        f"{rows[pk].project.code}:{rows[pk].position} {rows[pk].name}" if pk in rows else str(pk)
        for pk in pks
    ]


def _record_predecessors(actor: User, task: Task, before: str, after: str | None = None) -> None:
    if after is None:
        after = predecessors_cell(task, _links_into(task))
    if before != after:
        audit.record_fields_changed(
            actor=actor, instance=task, fields={"predecessors": (before, after)}
        )


def _replace_predecessors(
    actor: User, task: Task, text: str, tasks: list[Task], *, new: bool = False
) -> None:
    """Make the links into ``task`` from its own project those listed in ``text`` (``new``: the
    task was just created, so it has no links yet)."""
    minutes_per_day = _minutes_per_day(task)
    try:
        specs = parse_predecessors(text, minutes_per_day=minutes_per_day)
    except ValidationError as error:
        raise ValidationError({"predecessors": error.messages}) from error
    by_position = {row.position: row for row in tasks}
    wanted: dict[int, PredecessorSpec] = {}
    for spec in specs:
        predecessor = by_position.get(spec.position)
        if predecessor is None:
            raise ValidationError(
                {
                    "predecessors": [
                        gettext("There is no task with ID %(id)s in this project.")
                        % {"id": spec.position}
                    ]
                }
            )
        wanted[predecessor.pk] = spec
    links = _links_into(task) if not new else []
    existing = {
        link.predecessor_id: link
        for link in links
        if link.predecessor.project_id == task.project_id
    }
    outside = [link for link in links if link.predecessor.project_id != task.project_id]
    before = predecessors_cell(task, links)
    for pk, link in existing.items():
        if pk not in wanted:
            link.delete()
    by_pk = {row.pk: row for row in tasks}
    parents = {row.pk: row.parent_id for row in tasks}
    for pk, spec in wanted.items():
        values = {
            "type": spec.type,
            "lag_minutes": 0 if spec.lag.percent is not None else spec.lag.minutes,
            "lag_unit": spec.lag.unit,
            "lag_percent": spec.lag.percent,
        }
        current = existing.get(pk)
        if current is None:
            try:
                _check_link(by_pk[pk], task, parents)
            except ValidationError as error:
                raise ValidationError({"predecessors": error.messages}) from error
            Dependency.objects.create(predecessor=by_pk[pk], successor=task, **values)
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.save()
    ordered = sorted(wanted.items(), key=lambda item: by_pk[item[0]].position)
    after = "; ".join(
        [
            *predecessors_cell(task, outside).split("; "),
            *(spec.text(minutes_per_day) for _pk, spec in ordered),
        ]
    ).strip("; ")
    _record_predecessors(actor, task, before, after)


def _minutes_per_day(task: Task) -> int:
    if task.calendar_id and task.calendar:
        return task.calendar.minutes_per_day
    plan = plan_for(task.project)
    return plan.calendar.minutes_per_day if plan.calendar else 480


def predecessors_text(task: Task) -> str:
    """The predecessors cell of a task: ``3FS+2d; 5SS; OTHER:4``."""
    return predecessors_cell(task, _links_into(task))


@transaction.atomic
def dependency_create(
    *,
    actor: User,
    predecessor: Task,
    successor: Task,
    type: str = "FS",
    lag_minutes: int = 0,
    lag_unit: str = "d",
    lag_percent: float | None = None,
) -> Dependency:
    """Link two tasks, in one project or across projects, and schedule again."""
    require(actor, Action.CHANGE, successor)
    require(actor, Action.VIEW, predecessor)
    if Dependency.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError(gettext("These two tasks are already linked."))
    _check_link(predecessor, successor)
    before = predecessors_text(successor)
    link = Dependency(
        predecessor=predecessor,
        successor=successor,
        type=type,
        lag_minutes=0 if lag_unit in {"%", "e%"} else lag_minutes,
        lag_unit=lag_unit,
        lag_percent=lag_percent if lag_unit in {"%", "e%"} else None,
    )
    errors: dict[str, list[str]] = {}
    if lag_unit in {"%", "e%"} and lag_percent is None:
        errors["lag_percent"] = [gettext("A percentage lag needs a percentage.")]

    validate(link, errors=errors)
    link.save()
    _record_predecessors(actor, successor, before)
    recalculate(successor.project)
    return link


@transaction.atomic
def dependency_update(*, actor: User, dependency: Dependency, **changes: Any) -> Dependency:
    check_fields(changes, LINK_FIELDS)
    require(actor, Action.CHANGE, dependency.successor)
    before = predecessors_text(dependency.successor)
    for name, value in changes.items():
        setattr(dependency, name, value)
    if dependency.lag_unit in {"%", "e%"}:
        dependency.lag_minutes = 0
        if dependency.lag_percent is None:
            raise ValidationError(
                {"lag_percent": [gettext("A percentage lag needs a percentage.")]}
            )
    else:
        dependency.lag_percent = None

    validate(dependency)
    dependency.save()
    _record_predecessors(actor, dependency.successor, before)
    recalculate(dependency.successor.project)
    return dependency


@transaction.atomic
def dependency_delete(*, actor: User, dependency: Dependency) -> None:
    successor = dependency.successor
    require(actor, Action.CHANGE, successor)
    before = predecessors_text(successor)
    dependency.delete()
    _record_predecessors(actor, successor, before)
    recalculate(successor.project)


# Calendars ------------------------------------------------------------------------------------


def _require_calendar_usable(actor: User, calendar: WorkCalendar, project: Project) -> None:
    if calendar.project_id not in (None, project.pk):
        raise ValidationError({"calendar": [gettext("This calendar belongs to another project.")]})


def _require_calendar_change(actor: User, calendar: WorkCalendar, action: Action) -> None:
    if calendar.project is not None:
        require(actor, Action.CHANGE, calendar.project)
    else:
        require_organisation(actor, action)


def _check_week(week: Any) -> list[str]:
    if week is None:
        return []
    if (
        not isinstance(week, list)
        or len(week) != 7
        or not all(
            isinstance(day, list)
            and all(
                isinstance(period, list | tuple)
                and len(period) == 2
                and all(isinstance(minute, int) for minute in period)
                and 0 <= period[0] < period[1] <= 1440
                for period in day
            )
            for day in week
        )
    ):
        return [gettext("The week must give seven days of working times, Monday first.")]
    return []


@transaction.atomic
def calendar_create(
    *,
    actor: User,
    name: str,
    project: Project | None = None,
    base: WorkCalendar | None = None,
    week: list[list[list[int]]] | None = None,
    holiday_country: str = "",
    holiday_subdivision: str = "",
    minutes_per_day: int = 480,
) -> WorkCalendar:
    """A calendar for one project, or shared by the organisation when ``project`` is None."""
    if project is not None:
        require(actor, Action.CHANGE, project)
    else:
        require_organisation(actor, Action.CREATE)
    if base is not None and base.project_id not in (None, getattr(project, "pk", None)):
        raise ValidationError({"base": [gettext("This calendar belongs to another project.")]})
    if week is None and base is None:
        week = standard_week()
    calendar = WorkCalendar(
        name=name,
        project=project,
        base=base,
        week=week,
        holiday_country=holiday_country.upper(),
        holiday_subdivision=holiday_subdivision,
        minutes_per_day=minutes_per_day,
    )
    errors = {"week": _check_week(week)} if _check_week(week) else {}

    validate(calendar, errors=errors)
    adapters.check_calendar(calendar, [])
    calendar.save()
    audit.record_created(actor=actor, instance=calendar)
    return calendar


def _projects_using(calendar: WorkCalendar) -> set[int]:
    family = {calendar.pk}
    frontier = {calendar.pk}
    while frontier:
        frontier = (
            set(WorkCalendar.objects.filter(base__in=frontier).values_list("pk", flat=True))
            - family
        )
        family |= frontier
    projects = set(
        ProjectPlan.objects.filter(calendar__in=family).values_list("project_id", flat=True)
    )
    projects |= set(
        Task.objects.filter(calendar__in=family)
        .order_by()
        .values_list("project_id", flat=True)
        .distinct()
    )
    return projects


def _reschedule_calendar_users(calendar: WorkCalendar) -> None:
    for project in Project.objects.filter(pk__in=_projects_using(calendar)):
        recalculate(project)


@transaction.atomic
def calendar_update(*, actor: User, calendar: WorkCalendar, **changes: Any) -> WorkCalendar:
    check_fields(changes, CALENDAR_FIELDS)
    _require_calendar_change(actor, calendar, Action.CHANGE)
    if "holiday_country" in changes:
        changes["holiday_country"] = (changes["holiday_country"] or "").upper()
    base = changes.get("base")
    if base is not None and base.project_id not in (None, calendar.project_id):
        raise ValidationError({"base": [gettext("This calendar belongs to another project.")]})
    if base is not None:
        ancestor: WorkCalendar | None = base
        while ancestor is not None:
            if ancestor.pk == calendar.pk:
                raise ValidationError({"base": [gettext("A calendar cannot derive from itself.")]})
            ancestor = ancestor.base
    errors = {"week": _check_week(changes["week"])} if _check_week(changes.get("week")) else {}
    before = audit.capture(calendar)
    for name, value in changes.items():
        setattr(calendar, name, value)

    validate(calendar, errors=errors)
    adapters.check_calendar(calendar, list(calendar.exceptions.all()))
    calendar.save()
    audit.record_updated(actor=actor, instance=calendar, before=before)
    _reschedule_calendar_users(calendar)
    return calendar


@transaction.atomic
def calendar_delete(*, actor: User, calendar: WorkCalendar) -> None:
    _require_calendar_change(actor, calendar, Action.DELETE)
    delete_audited(actor=actor, instance=calendar)


@transaction.atomic
def exception_create(*, actor: User, calendar: WorkCalendar, **values: Any) -> CalendarException:
    """Add a holiday, closure or working exception to a calendar and schedule its users again."""
    check_fields(values, EXCEPTION_FIELDS)
    _require_calendar_change(actor, calendar, Action.CHANGE)
    exception = CalendarException(calendar=calendar, **values)
    _validate_exception(exception)
    exception.save()
    audit.record_fields_changed(
        actor=actor,
        instance=calendar,
        fields={"exceptions": ("", _exception_text(exception))},
    )
    _reschedule_calendar_users(calendar)
    return exception


@transaction.atomic
def exception_update(
    *, actor: User, exception: CalendarException, **changes: Any
) -> CalendarException:
    check_fields(changes, EXCEPTION_FIELDS)
    calendar = exception.calendar
    _require_calendar_change(actor, calendar, Action.CHANGE)
    before = _exception_text(exception)
    for name, value in changes.items():
        setattr(exception, name, value)
    _validate_exception(exception)
    exception.save()
    audit.record_fields_changed(
        actor=actor, instance=calendar, fields={"exceptions": (before, _exception_text(exception))}
    )
    _reschedule_calendar_users(calendar)
    return exception


@transaction.atomic
def exception_delete(*, actor: User, exception: CalendarException) -> None:
    calendar = exception.calendar
    _require_calendar_change(actor, calendar, Action.CHANGE)
    before = _exception_text(exception)
    exception.delete()
    audit.record_fields_changed(actor=actor, instance=calendar, fields={"exceptions": (before, "")})
    _reschedule_calendar_users(calendar)


def _exception_text(exception: CalendarException) -> str:
    hours = exception.working_times or gettext("non-working")
    repeat = f" ({exception.get_recurrence_display()})" if exception.recurrence else ""
    return (
        f"{exception.name} {exception.start:%Y-%m-%d}–{exception.finish:%Y-%m-%d} {hours}{repeat}"
    )


def _validate_exception(exception: CalendarException) -> None:
    errors: dict[str, list[str]] = {}
    if exception.start and exception.finish and exception.finish < exception.start:
        errors["finish"] = [gettext("The last day cannot be before the first.")]
    try:
        adapters.parse_periods(exception.working_times)
    except ValidationError as error:
        errors["working_times"] = error.messages
    if exception.recurrence == "weekly" and not exception.weekdays:
        errors["weekdays"] = [gettext("Choose the weekdays it repeats on.")]
    if not isinstance(exception.weekdays, list) or not all(
        isinstance(day, int) and 0 <= day <= 6 for day in exception.weekdays
    ):
        errors["weekdays"] = [gettext("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")]

    validate(exception, errors=errors)
    others = [row for row in exception.calendar.exceptions.all() if row.pk != exception.pk]
    adapters.check_calendar(exception.calendar, [*others, exception])


# Baselines ------------------------------------------------------------------------------------


@transaction.atomic
def baseline_capture(
    *,
    actor: User,
    project: Project,
    name: str,
    description: str = "",
    is_primary: bool | None = None,
) -> Baseline:
    """Save the plan's current dates, durations and work under a name."""
    require(actor, Action.CHANGE, project)
    ensure_scheduled(project)
    plan = plan_for(project)
    if is_primary is None:
        is_primary = not Baseline.objects.filter(project=project).exists()
    baseline = Baseline(
        project=project,
        name=name,
        description=description,
        is_primary=is_primary,
        captured_by=acting_user(actor),
        finish=plan.finish,
    )
    tasks = list(Task.objects.filter(project=project).order_by("position"))
    baseline.start = min((t.start for t in tasks if t.start), default=None)
    create_audited(actor=actor, instance=baseline)
    if is_primary:
        Baseline.objects.filter(project=project, is_primary=True).exclude(pk=baseline.pk).update(
            is_primary=False
        )
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                baseline=baseline,
                task=task,
                position=task.position,
                name=task.name,
                is_summary=task.is_summary,
                is_milestone=task.is_milestone,
                start=task.start,
                finish=task.finish,
                duration_minutes=task.duration_minutes,
                work_minutes=task.work_minutes,
            )
            for task in tasks
        ],
        batch_size=500,
    )
    recalculate(project, cascade=False)
    return baseline


@transaction.atomic
def baseline_update(*, actor: User, baseline: Baseline, **changes: Any) -> Baseline:
    check_fields(changes, BASELINE_FIELDS)
    require(actor, Action.CHANGE, baseline)
    update_audited(actor=actor, instance=baseline, changes=changes)
    if changes.get("is_primary"):
        Baseline.objects.filter(project=baseline.project_id, is_primary=True).exclude(
            pk=baseline.pk
        ).update(is_primary=False)
    if "is_primary" in changes:
        recalculate(baseline.project, cascade=False)
    return baseline


@transaction.atomic
def baseline_delete(*, actor: User, baseline: Baseline) -> None:
    require(actor, Action.CHANGE, baseline)
    project = baseline.project
    delete_audited(actor=actor, instance=baseline)
    recalculate(project, cascade=False)


# Scheduling -----------------------------------------------------------------------------------


@dataclass
class Recalculation:
    """What a recalculation did: the schedule and the projects scheduled with it."""

    schedule: PlanSchedule | None
    projects: list[int]


def _downstream_projects(tasks: Iterable[Task]) -> set[int]:
    pks = [task.pk for task in tasks]
    return set(
        Dependency.objects.filter(predecessor__in=pks)
        .exclude(successor__project__in={task.project_id for task in tasks})
        .order_by()
        .values_list("successor__project_id", flat=True)
    )


def _projects_depending_on(project_id: int) -> set[int]:
    """The other projects with a task linked to one of this project's tasks.

    Two simple indexed queries rather than one join: inside the long transaction of a bulk
    build the tables have no statistics yet, and PostgreSQL may then plan the join as nested
    loops over whole tables.
    """
    task_ids = list(Task.objects.filter(project=project_id).order_by().values_list("pk", flat=True))
    if not task_ids:
        return set()
    successor_ids = set(
        Dependency.objects.filter(predecessor__in=task_ids)
        .order_by()
        .values_list("successor_id", flat=True)
    ) - set(task_ids)
    if not successor_ids:
        return set()
    return set(
        Task.objects.filter(pk__in=successor_ids).order_by().values_list("project_id", flat=True)
    ) - {project_id}


def _label_task(labels: dict[int, str], uid: int) -> str:
    return labels.get(uid, str(uid))


def _schedule_error(error: Exception, labels: dict[int, str]) -> ValidationError:
    if isinstance(error, CyclicDependencyError) and error.cycle:
        cycle = [*error.cycle, error.cycle[0]]
        return ValidationError(
            gettext("The links form a cycle: %(cycle)s.")
            % {"cycle": " → ".join(_label_task(labels, uid) for uid in cycle)},
            code="cycle",
        )
    message = re.sub(
        r"\bTask (\d+)(?: \([^)]*\))?",
        lambda match: gettext("Task %(task)s") % {"task": _label_task(labels, int(match[1]))},
        str(error),
    )
    return ValidationError(
        gettext("The schedule cannot be calculated: %(reason)s") % {"reason": message},
        code="schedule",
    )


@dataclass
class _Batch:
    """The projects to schedule at the end of a :func:`batch_scheduling` block, and the task
    rows a caller wrote for some of them (see :func:`recalculate`)."""

    projects: dict[int, Project] = field(default_factory=dict)
    tasks: dict[int, list[Task]] = field(default_factory=dict)


_deferred: ContextVar[_Batch | None] = ContextVar("pilotage_deferred_schedules", default=None)


@contextmanager
def batch_scheduling() -> Iterator[None]:
    """Schedule each project changed inside the block once, when the block ends.

    For builds of many rows through the services (the demo, imports): every write still
    validates and records its history, but the schedule (and its health check) is computed at
    the end, or earlier only when a service needs a project's dates (to capture a baseline or
    to date progress). Use it inside a transaction: a plan that cannot be scheduled then
    raises at the end and nothing is saved.
    """
    batch = _Batch()
    token = _deferred.set(batch)
    try:
        yield
    finally:
        _deferred.reset(token)
    for pk, project in batch.projects.items():
        _recalculate_all(project, cascade=True, extra=(), health=True, tasks=batch.tasks.get(pk))


def ensure_scheduled(project: Project) -> None:
    """Inside :func:`batch_scheduling`, schedule a changed project now (its dates are needed);
    the health check still waits for the end of the batch."""
    batch = _deferred.get()
    if batch is not None and project.pk in batch.projects:
        del batch.projects[project.pk]
        _recalculate_all(
            project, cascade=True, extra=(), health=False, tasks=batch.tasks.get(project.pk)
        )
        batch.projects[project.pk] = project


def recalculate(
    project: Project,
    *,
    cascade: bool = True,
    extra: Iterable[int] = (),
    tasks: Sequence[Task] | None = None,
) -> Recalculation:
    """Schedule the project again and store every task's dates; then the projects whose tasks
    depend on it, unless ``cascade`` is False. Raises a ValidationError naming the tasks when
    the plan cannot be scheduled (the caller's transaction then saves nothing). Inside
    :func:`batch_scheduling` the project is only marked to be scheduled at the end.

    ``tasks`` are the project's task rows as the caller has just written them all (an
    import): they are scheduled without being read back, as long as they are still exactly the
    project's tasks (:func:`~pilotage.planning.adapters.load_plan` checks their keys). A later
    call without them, for a further change inside the same batch, makes the batch read the
    tasks back."""
    batch = _deferred.get()
    if batch is not None:
        batch.projects.setdefault(project.pk, project)
        if tasks is None:
            batch.tasks.pop(project.pk, None)
        else:
            batch.tasks[project.pk] = list(tasks)
        for pk in extra:
            if pk not in batch.projects:
                batch.projects[pk] = Project.objects.get(pk=pk)
            batch.tasks.pop(pk, None)
        return Recalculation(schedule=None, projects=[])
    return _recalculate_all(project, cascade=cascade, extra=extra, health=True, tasks=tasks)


def _recalculate_all(
    project: Project,
    *,
    cascade: bool,
    extra: Iterable[int],
    health: bool,
    tasks: Sequence[Task] | None = None,
) -> Recalculation:
    done: list[int] = []
    queue: list[int] = [project.pk, *[pk for pk in extra if pk != project.pk]]
    schedule: PlanSchedule | None = None
    first = True
    while queue:
        pk = queue.pop(0)
        if pk in done:
            continue
        if pk == project.pk:
            result = _recalculate_one(project, health=health, tasks=tasks)
        else:
            result = _recalculate_one(Project.objects.get(pk=pk), health=health)
        if first:
            schedule, first = result, False
        done.append(pk)
        if cascade:
            queue.extend(other for other in sorted(_projects_depending_on(pk)) if other not in done)
    return Recalculation(schedule=schedule, projects=done)


def _recalculate_one(
    project: Project, *, health: bool = True, tasks: Sequence[Task] | None = None
) -> PlanSchedule | None:
    plan = plan_for(project)
    source = adapters.load_plan(plan, written=tasks)
    tasks = source.tasks
    now = timezone.now()
    if not tasks:
        ProjectPlan.objects.filter(pk=plan.pk).update(
            finish=None,
            calculated_at=now,
            task_count=0,
            critical_count=0,
            issues={},
            health_score=None,
            health_rating="",
        )
        plan.finish, plan.calculated_at, plan.issues = None, now, {}
        plan.task_count = plan.critical_count = 0
        plan.health_score, plan.health_rating = None, ""
        return None
    try:
        schedule = schedule_plan(source.plan)
    except (ScheduleInputError, CalendarError) as error:
        labels = {task.pk: f"{task.position} ({task.name})" for task in tasks}
        for task in source.external.values():
            labels[task.pk] = f"{task.project.code}:{task.position} ({task.name})"
        raise _schedule_error(error, labels) from error
    rows = schedule.index
    # Whole arrays to Python values at once (datetime64[m] gives datetime), in _COMPUTED's order.
    computed = list(
        zip(
            schedule.start.tolist(),
            schedule.finish.tolist(),
            schedule.early_start.tolist(),
            schedule.early_finish.tolist(),
            schedule.late_start.tolist(),
            schedule.late_finish.tolist(),
            schedule.total_float_minutes.tolist(),
            schedule.free_float_minutes.tolist(),
            schedule.critical.tolist(),
            strict=True,
        )
    )
    changed: list[Task] = []
    names: set[str] = set()
    for task in tasks:
        new = computed[rows[task.pk]]
        differ = [
            name for name, value in zip(_COMPUTED, new, strict=True) if getattr(task, name) != value
        ]
        if differ:
            names.update(differ)
            for name, value in zip(_COMPUTED, new, strict=True):
                setattr(task, name, value)
            changed.append(task)
    # Only the fields that changed somewhere (an imported plan usually keeps its start and finish).
    _write_fields(changed, [name for name in _COMPUTED if name in names])
    own = {task.pk for task in tasks}
    finish = max((task.finish for task in tasks if task.finish), default=None)
    issues = {
        "unmet_constraints": [uid for uid in schedule.unmet_constraints if uid in own],
        "negative_float": [uid for uid in schedule.negative_float if uid in own],
        "missed_deadlines": [uid for uid in schedule.missed_deadlines if uid in own],
    }
    health_score, health_rating = (
        _health(plan, schedule, tasks) if health else (plan.health_score, plan.health_rating)
    )
    ProjectPlan.objects.filter(pk=plan.pk).update(
        finish=finish,
        calculated_at=now,
        task_count=len(tasks),
        critical_count=sum(1 for task in tasks if task.is_critical and not task.is_summary),
        issues=issues,
        health_score=health_score,
        health_rating=health_rating,
    )
    plan.finish, plan.calculated_at, plan.issues = finish, now, issues
    plan.task_count = len(tasks)
    plan.critical_count = sum(1 for task in tasks if task.is_critical and not task.is_summary)
    plan.health_score, plan.health_rating = health_score, health_rating
    return schedule


def _health(
    plan: ProjectPlan, schedule: PlanSchedule, tasks: list[Task]
) -> tuple[float | None, str]:
    """The schedule health score and rating, stored for the project list."""
    health = assess_health(plan.project, schedule)
    score = health.score_percent
    return (None if score is None else round(score, 1)), (
        "" if health.rating is None else str(health.rating)
    )


def assess_health(project: Project, schedule: PlanSchedule) -> PlanHealth:
    """The DCMA 14-point assessment of a project's schedule, against its primary baseline."""
    baseline = baseline_dates(project)
    return assess_plan_health(schedule, baseline=baseline or None)


def baseline_dates(project: Project) -> dict[int, tuple[dt.datetime | None, dt.datetime | None]]:
    """The primary baseline's start and finish of each task, by task pk."""
    baseline = Baseline.objects.filter(project=project, is_primary=True).first()
    if baseline is None:
        return {}
    return {
        task_id: (start, finish)
        for task_id, start, finish in BaselineTask.objects.filter(
            baseline=baseline, task__isnull=False
        ).values_list("task_id", "start", "finish")
    }


def resequence(project: Project) -> None:
    """Renumber a project's rows and rebuild the outline from the stored levels."""
    tasks = _ordered_tasks(project)
    _save_structure(tasks, [task.outline_level for task in tasks], None)


def link_groups(project: Project) -> dict[int, list[Dependency]]:
    """The links into each task of the project, by successor pk."""
    groups: dict[int, list[Dependency]] = defaultdict(list)
    for link in Dependency.objects.filter(successor__project=project).select_related(
        "predecessor__project"
    ):
        groups[link.successor_id].append(link)
    return groups


__all__ = [
    "Recalculation",
    "baseline_capture",
    "baseline_dates",
    "baseline_delete",
    "baseline_update",
    "batch_scheduling",
    "calendar_create",
    "calendar_delete",
    "calendar_update",
    "dependency_create",
    "dependency_delete",
    "dependency_update",
    "ensure_scheduled",
    "exception_create",
    "exception_delete",
    "exception_update",
    "plan_for",
    "plan_update",
    "predecessors_cell",
    "predecessors_text",
    "recalculate",
    "resequence",
    "task_create",
    "task_delete",
    "task_indent",
    "task_move",
    "task_outdent",
    "task_update",
]
