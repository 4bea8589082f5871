"""Turn stored plans into the engine's plan model, and calendars into engine calendars.

The engine knows tasks by UID: here a task's UID is its primary key and its ID its row number
(``position``), so that messages and results map straight back to rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from pilotage.engine.calendars import (
    Calendar,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurrenceRule,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
    compile_calendar,
)
from pilotage.engine.calendars import (
    CalendarException as EngineException,
)
from pilotage.engine.errors import CalendarError
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.planning.models import (
    CalendarException,
    Dependency,
    ProjectPlan,
    Recurrence,
    Task,
    WorkCalendar,
)

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_periods(text: str) -> list[list[int]]:
    """Read ``08:00-12:00, 13:00-17:00`` into ``[[480, 720], [780, 1020]]``."""
    periods: list[list[int]] = []
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        match = _PERIOD.match(part)
        if match is None:
            raise ValidationError(
                gettext("“%(text)s” is not a working time: write it like 08:00-12:00.")
                % {"text": part.strip()},
                code="invalid_period",
            )
        start = int(match[1]) * 60 + int(match[2])
        end = int(match[3]) * 60 + int(match[4])
        if int(match[2]) >= 60 or int(match[4]) >= 60 or not 0 <= start < end <= 1440:
            raise ValidationError(
                gettext("“%(text)s” is not a working time: it must end after it starts.")
                % {"text": part.strip()},
                code="invalid_period",
            )
        periods.append([start, end])
    periods.sort()
    for (_, end), (start, _) in itertools.pairwise(periods):
        if start < end:
            raise ValidationError(
                gettext("The working times “%(text)s” overlap.") % {"text": text.strip()},
                code="invalid_period",
            )
    return periods


def format_periods(periods: Iterable[Sequence[int]]) -> str:
    """Show ``[[480, 720]]`` as ``08:00-12:00``."""

    def clock(minute: int) -> str:
        return f"{minute // 60:02d}:{minute % 60:02d}"

    return ", ".join(f"{clock(start)}-{clock(end)}" for start, end in periods)


def _periods(raw: Iterable[Sequence[int]]) -> tuple[WorkingPeriod, ...]:
    return tuple(WorkingPeriod(int(start), int(end)) for start, end in raw)


def _rule(exception: CalendarException) -> RecurrenceRule | None:
    every = exception.every or 1
    kind = exception.recurrence
    if kind == Recurrence.DAILY:
        return Daily(every)
    if kind == Recurrence.WEEKLY:
        return Weekly(tuple(int(day) for day in exception.weekdays or ()), every)
    if kind == Recurrence.MONTHLY_BY_DAY:
        return MonthlyByDay(exception.day or exception.start.day, every)
    if kind == Recurrence.MONTHLY_BY_WEEKDAY:
        return MonthlyByWeekday(
            exception.start.weekday() if exception.weekday is None else exception.weekday,
            exception.position or 1,
            every,
        )
    if kind == Recurrence.YEARLY_BY_DATE:
        return YearlyByDate(
            exception.month or exception.start.month, exception.day or exception.start.day
        )
    if kind == Recurrence.YEARLY_BY_WEEKDAY:
        return YearlyByWeekday(
            exception.month or exception.start.month,
            exception.start.weekday() if exception.weekday is None else exception.weekday,
            exception.position or 1,
        )
    return None


def engine_calendar(
    calendar: WorkCalendar,
    exceptions: Sequence[CalendarException] | None = None,
    base: Calendar | None = None,
) -> Calendar:
    """The engine's calendar for a stored one (its base must be converted first and passed)."""
    rows = list(calendar.exceptions.all()) if exceptions is None else list(exceptions)
    plain: list[EngineException] = []
    recurring: list[RecurringException] = []
    for row in rows:
        periods = tuple(WorkingPeriod(s, e) for s, e in parse_periods(row.working_times))
        rule = _rule(row)
        if rule is None:
            plain.append(EngineException(row.start, row.finish, periods, row.name))
        else:
            recurring.append(
                RecurringException(
                    row.name or str(row.start),
                    periods,
                    rule=rule,
                    first=row.start,
                    last=row.finish,
                    count=row.occurrences,
                )
            )
    week = (
        WeekPattern(tuple(_periods(day) for day in calendar.week))
        if calendar.week
        else (None if base is not None else WeekPattern.standard())
    )
    return Calendar(
        calendar.name,
        week,
        exceptions=tuple(plain),
        recurring=tuple(recurring),
        holiday_country=calendar.holiday_country or None,
        holiday_subdivision=calendar.holiday_subdivision or None,
        base=base,
        minutes_per_day=calendar.minutes_per_day,
        minutes_per_week=calendar.minutes_per_day * 5,
    )


def check_calendar(calendar: WorkCalendar, exceptions: Sequence[CalendarException]) -> None:
    """Raise a ValidationError naming the problem if the engine cannot use the calendar."""
    try:
        base = calendar_chain(calendar.base) if calendar.base_id and calendar.base else None
        converted = engine_calendar(calendar, exceptions, base=base)
        start = dt.date.today().replace(month=1, day=1)
        working = compile_calendar(converted, start, start + dt.timedelta(days=731))
        minutes = working.working_between(
            np.datetime64(start, "m"), np.datetime64(start + dt.timedelta(days=730), "m")
        )
    except CalendarError as error:
        raise ValidationError(str(error), code="invalid_calendar") from error
    if int(minutes) <= 0:
        raise ValidationError(
            gettext("Calendar “%(name)s” has no working time.") % {"name": calendar.name},
            code="invalid_calendar",
        )


def calendar_chain(calendar: WorkCalendar) -> Calendar:
    """The engine calendar of a stored calendar with its bases (one query per level)."""
    base = calendar_chain(calendar.base) if calendar.base_id and calendar.base else None
    return engine_calendar(calendar, base=base)


@dataclass
class PlanInput:
    """A project's plan as the engine sees it, with what it took from other projects."""

    plan: Plan
    tasks: list[Task]
    external: dict[int, Task] = field(default_factory=dict)
    links: list[Dependency | LinkRow] = field(default_factory=list)


class LinkRow(NamedTuple):
    """A dependency as the scheduler needs it, without loading its tasks (a named tuple: a
    plan's links are read by the ten thousand)."""

    predecessor_id: int
    successor_id: int
    type: str
    lag_minutes: int
    lag_unit: str
    lag_percent: float | None


ID_CHUNK = 10_000
"""How many ids one ``IN`` list holds (SQLite and PostgreSQL limit query parameters)."""


def links_into(task_ids: Sequence[int], *fields: str) -> list[tuple[Any, ...]]:
    """Values of the links into these tasks, queried by task ids without any join.

    Inside a long transaction (a bulk build, an import) the tables have no statistics yet and
    PostgreSQL may plan a join between links and tasks as nested loops over whole tables.
    """
    rows: list[tuple[Any, ...]] = []
    for first in range(0, len(task_ids), ID_CHUNK):
        chunk = task_ids[first : first + ID_CHUNK]
        rows.extend(
            Dependency.objects.filter(successor_id__in=chunk).order_by().values_list(*fields)
        )
    return rows


def load_plan(project_plan: ProjectPlan, *, written: Sequence[Task] | None = None) -> PlanInput:
    """Read a project's plan for the scheduler in five queries, whatever its size: the tasks
    (with their calendars), the links into them as plain rows, and the predecessors in other
    projects.

    ``written`` are task rows a caller has just written (an import): when they are exactly the
    project's stored tasks (same keys), they are used as they are instead of being read back,
    with the calendars the caller gave them; otherwise the tasks are read."""
    project = project_plan.project
    tasks = _stored_tasks(project_plan, written) if written is not None else None
    if tasks is None:
        tasks = list(
            Task.objects.filter(project=project)
            .select_related("calendar__base__base")
            .order_by("position", "pk")
        )
    links = [
        LinkRow._make(row)
        for row in links_into(
            [task.pk for task in tasks],
            "predecessor_id",
            "successor_id",
            "type",
            "lag_minutes",
            "lag_unit",
            "lag_percent",
        )
    ]
    own = {task.pk for task in tasks}
    outside = {link.predecessor_id for link in links} - own
    external = {
        task.pk: task for task in Task.objects.filter(pk__in=outside).select_related("project")
    }
    if project_plan.calendar_id:
        project_plan.calendar = WorkCalendar.objects.select_related("base__base").get(
            pk=project_plan.calendar_id
        )
    return build_plan(project_plan, tasks, links, external=external)


def _stored_tasks(project_plan: ProjectPlan, written: Sequence[Task]) -> list[Task] | None:
    """The written rows in plan order if they are all the project's tasks and only them."""
    stored = set(
        Task.objects.filter(project=project_plan.project_id).order_by().values_list("pk", flat=True)
    )
    keys = {task.pk for task in written}
    if None in keys or len(keys) != len(written) or keys != stored:
        return None
    return sorted(written, key=lambda task: (task.position, task.pk))


def build_plan(
    project_plan: ProjectPlan,
    tasks: list[Task],
    links: Sequence[Dependency | LinkRow],
    *,
    external: dict[int, Task] | None = None,
) -> PlanInput:
    """The engine plan of a project; predecessors in other projects come in as finished tasks
    pinned to their scheduled dates, so that they drive this project without being moved.

    ``external`` gives the predecessors in other projects; without it they are read from the
    links' ``predecessor`` (Dependency objects loaded with ``select_related``)."""
    project = project_plan.project
    calendars: dict[int, PlanCalendar] = {}

    def add_calendar(calendar: WorkCalendar | None) -> int | None:
        if calendar is None:
            return None
        if calendar.pk not in calendars:
            base_uid = add_calendar(calendar.base) if calendar.base_id else None
            base = calendars[base_uid].calendar if base_uid is not None else None
            calendars[calendar.pk] = PlanCalendar(
                calendar.pk, engine_calendar(calendar, base=base), base_uid
            )
        return calendar.pk

    project_calendar_uid = add_calendar(project_plan.calendar)
    plan_tasks: list[PlanTask] = []
    own = {task.pk for task in tasks}
    if external is None:
        external = {}
        for link in links:
            if isinstance(link, Dependency) and link.predecessor_id not in own:
                external[link.predecessor_id] = link.predecessor
    for task in external.values():
        if task.start is None or task.finish is None:
            continue
        plan_tasks.append(
            PlanTask(
                uid=task.pk,
                id=None,
                name=f"{task.project.code}: {task.name}",
                duration_minutes=0,
                milestone=True,
                percent_complete=100.0,
                actual_start=task.start,
                actual_finish=task.finish,
                elapsed=True,
                duration_format="ed",
            )
        )
    for task in tasks:
        plan_tasks.append(
            PlanTask(
                remaining_duration_minutes=_file_remaining(task),
                uid=task.pk,
                id=task.position,
                name=task.name,
                outline_level=task.outline_level,
                wbs=task.wbs_code,
                outline_number=task.outline_number,
                parent_uid=task.parent_id,
                summary=task.is_summary,
                milestone=task.is_milestone,
                manual=task.is_manual,
                active=task.is_active,
                priority=task.priority,
                estimated=task.is_estimated,
                leveling_delay_minutes=0 if task.is_summary else task.leveling_delay_minutes,
                leveling_delay_format=task.leveling_delay_unit,  # type: ignore[arg-type]
                duration_minutes=0 if task.is_milestone else task.duration_minutes,
                duration_format=task.duration_unit,  # type: ignore[arg-type]
                elapsed=task.is_elapsed,
                constraint_type=task.constraint_type,  # type: ignore[arg-type]
                constraint_date=task.constraint_date,
                deadline=task.deadline,
                calendar_uid=add_calendar(task.calendar),
                percent_complete=float(task.percent_complete),
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                notes=task.notes,
                start=task.start,
            )
        )
    scheduled_external = {uid for uid, task in external.items() if task.start is not None}
    plan_links = [
        PlanLink(
            predecessor_uid=link.predecessor_id,
            successor_uid=link.successor_id,
            type=link.type,  # type: ignore[arg-type]
            lag_minutes=0 if link.lag_unit in {"%", "e%"} else link.lag_minutes,
            lag_format=link.lag_unit,  # type: ignore[arg-type]
            lag_percent=link.lag_percent if link.lag_unit in {"%", "e%"} else None,
            elapsed_lag=link.lag_unit.startswith("e"),
        )
        for link in links
        if link.predecessor_id in own or link.predecessor_id in scheduled_external
    ]
    start = project_plan.start or _default_start(project)
    plan = Plan(
        name=project.name,
        start=start,
        status_date=project_plan.status_date,
        calendar_uid=project_calendar_uid,
        minutes_per_day=project_plan.calendar.minutes_per_day if project_plan.calendar else 480,
        calendars=tuple(_ordered_calendars(calendars)),
        tasks=tuple(plan_tasks),
        links=tuple(plan_links),
    )
    return PlanInput(plan=plan, tasks=tasks, external=external, links=list(links))


def _file_remaining(task: Task) -> int | None:
    """The remaining duration an imported file gives an unfinished task, as long as its
    progress and duration are still those of the file; otherwise the scheduler derives it
    from the % complete. Tools round % complete: the remaining duration is the exact value."""
    details = task.file_details
    if not details or "remaining_duration_minutes" not in details:
        return None
    if (
        details.get("percent_complete") != task.percent_complete
        or details.get("duration_minutes") != task.duration_minutes
    ):
        return None
    remaining = details["remaining_duration_minutes"]
    return int(remaining) if isinstance(remaining, int) else None


def _ordered_calendars(calendars: dict[int, PlanCalendar]) -> list[PlanCalendar]:
    ordered: list[PlanCalendar] = []
    placed: set[int] = set()

    def place(uid: int) -> None:
        if uid in placed:
            return
        base = calendars[uid].base_uid
        if base is not None:
            place(base)
        placed.add(uid)
        ordered.append(calendars[uid])

    for uid in calendars:
        place(uid)
    return ordered


def _default_start(project: object) -> dt.datetime:
    start_date = getattr(project, "start_date", None) or dt.date.today()
    return dt.datetime(start_date.year, start_date.month, start_date.day, 8, 0)
