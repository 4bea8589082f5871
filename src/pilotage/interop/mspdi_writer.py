"""Write a :class:`~pilotage.interop.document.ProjectDocument` as Microsoft Project XML (MSPDI).

:func:`write_mspdi` writes the file Microsoft Project 2010 and later save (``SaveVersion`` 14),
with the elements in the order of the MSPDI schema, so that Microsoft Project, ProjectLibre and
MPXJ open it: the project's settings and properties, the custom field definitions, the
calendars, the project summary task (UID 0) and the tasks with their links, work, costs,
baselines and custom field values, the resources and the assignments.

What the file needs and the document may lack is made up first by :func:`prepare_mspdi`, which
gives the document exactly as it is written (reading the file back with
:func:`~pilotage.interop.mspdi.read_mspdi_document` gives it again):

- Every task gets a start and a finish, the project a start, a finish, a calendar and a summary
  task: missing dates come from scheduling the plan (from today when it has no date at all), a
  missing project calendar is Microsoft Project's standard one, added as "Standard".
- The outline follows ``parent_uid``: tasks are put in outline order, outline levels follow the
  parents, a task is a summary task when it has subtasks; links are grouped under their
  successor, in the order of the tasks. A task with UID 0 (the UID of the project summary task
  in MSPDI) gets a free UID.
- Units follow the file: percentages of completion and percentage lags are whole numbers, a
  link without a lag unit gets days, an elapsed duration without a unit elapsed days; the
  constraint date of an ASAP or ALAP task is dropped; the name of the other project of a
  cross-project link ends with the predecessor's UID (``C:\\plans\\other.mpp\\42``).
- Calendars: a base calendar without a week gets the standard week; a derived calendar that a
  task, the project or another calendar uses becomes a base calendar with what it inherits (in
  Microsoft Project, tasks and projects have base calendars and resource calendars derive from
  base calendars); public holidays (``holiday_country``) become exceptions over the plan's
  years; a recurring exception keeps its rule when Microsoft Project repeats it on the same
  dates, with its first date and either its number of occurrences or its last date (an
  open-ended one runs to five years after the plan), and otherwise is written as its dates.
  Exceptions that fall on the same date (which Microsoft Project does not allow) are written as
  runs of dates with the hours that apply on each.
- Custom fields are Microsoft Project's own (Text1, Number2 ...): a field of another tool
  ("Story points") gets a free field of its kind, with its name as the alias. A value whose
  type does not suit its field's kind, and fields beyond Microsoft Project's thirty texts, twenty
  numbers ..., are left out.
- Resource baselines keep work and cost, assignment baselines start, finish, work and cost (the
  schema has no other); assignments to a task or resource not in the document are left out, as
  are the ``Keywords`` and ``Comments`` properties (MSPDI has no element for them).

Money is written in hundredths, durations and work as ``PTnHnMnS`` in hours, lags in tenths of
a minute, rates per hour (as the file wants them, whatever the display unit). Exceptions are
written in both encodings, as Microsoft Project 2010 does: ``Exceptions`` (with recurring
patterns) and ``WeekDay`` elements of day type 0 for each run of dates they cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, TypeAlias

import holidays
import numpy as np

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurrenceRule,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    compile_calendar,
)
from pilotage.engine.errors import EngineError
from pilotage.engine.plan import (
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanLink,
    PlanTask,
)
from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.document import (
    TASK_TYPES,
    BaselineValues,
    CustomField,
    CustomFieldKind,
    CustomFieldOwner,
    CustomValue,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    RateUnit,
    TaskDetails,
)
from pilotage.interop.mspdi import (
    CONSTRAINT_TYPE_CODES,
    DURATION_FORMAT_CODES,
    LINK_TYPE_CODES,
    MSPDI_NAMESPACE,
    RATE_FORMAT_CODES,
    _date_runs,
    _Recurrence,
    rate_minutes,
)
from pilotage.interop.mspdi_fields import (
    CF_TYPE_CODES,
    ELEMENT_TYPE_CODES,
    builtin_field,
    builtin_field_id,
    builtin_fields,
)

__all__ = ["WRITTEN_PROPERTIES", "prepare_mspdi", "write_mspdi"]

WRITTEN_PROPERTIES: Final = (
    "Name",
    "GUID",
    "Title",
    "Subject",
    "Category",
    "Company",
    "Manager",
    "Author",
    "CreationDate",
    "Revision",
    "LastSaved",
)
"""The document properties an MSPDI file holds, in the schema's order."""

_DATE_PROPERTIES: Final = frozenset({"CreationDate", "LastSaved"})
_EXTERNAL_TASK: Final = re.compile(r"\\\d+$")
_GUID: Final = re.compile(
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
)
_INVALID_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_FORMAT_CODES: Final[dict[DurationFormat, int]] = {
    unit: code for code, unit in DURATION_FORMAT_CODES.items()
}
_UNSET_FORMAT: Final = 53
_ESTIMATED_OFFSET: Final = 32
_LINK_CODES: Final = {link_type: code for code, link_type in LINK_TYPE_CODES.items()}
_CONSTRAINT_CODES: Final = {constraint: code for code, constraint in CONSTRAINT_TYPE_CODES.items()}
_RATE_CODES: Final[dict[RateUnit, int]] = {unit: code for code, unit in RATE_FORMAT_CODES.items()}
_CF_TYPES: Final[dict[CustomFieldKind, int]] = {kind: code for code, kind in CF_TYPE_CODES.items()}
_ELEMENT_TYPES: Final[dict[CustomFieldOwner, int]] = {
    owner: code for code, owner in ELEMENT_TYPE_CODES.items()
}
_TASK_TYPE_CODES: Final = {task_type: code for code, task_type in enumerate(TASK_TYPES)}
_FOLLOWING_YEARS: Final = 5
_COUNT_SEARCH_YEARS: Final = 100
_DAY_MINUTES: Final = 1440

CustomData: TypeAlias = str | Decimal | datetime | int | bool


def write_mspdi(document: ProjectDocument, *, save_version: int = 14) -> bytes:
    """Write a project document as a Microsoft Project XML file.

    Parameters
    ----------
    document : ProjectDocument
        The project; what the file needs and the document lacks is made up as
        :func:`prepare_mspdi` says.
    save_version : int, optional
        The ``SaveVersion`` the file says: 14 (Project 2010 and later, the default); the
        content is always what Project 2010 and later write.

    Returns
    -------
    bytes
        The file, UTF-8 with an XML declaration.

    Examples
    --------
    >>> from datetime import datetime
    >>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
    >>> document = ProjectDocument(
    ...     format="json",
    ...     plan=Plan(
    ...         name="Launch",
    ...         start=datetime(2026, 3, 2, 8),
    ...         tasks=(
    ...             PlanTask(uid=1, id=1, name="Build", duration_minutes=960, duration_format="d"),
    ...             PlanTask(uid=2, id=2, name="Ship", milestone=True),
    ...         ),
    ...         links=(PlanLink(1, 2, lag_minutes=480, lag_format="d"),),
    ...     ),
    ... )
    >>> content = write_mspdi(document)
    >>> content.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    True
    >>> b"<Duration>PT16H0M0S</Duration>" in content, b"<LinkLag>4800</LinkLag>" in content
    (True, True)
    >>> from pilotage.interop.mspdi import read_mspdi_document
    >>> again = read_mspdi_document(content)
    >>> [(task.name, task.start, task.finish) for task in again.plan.tasks]
    [('Build', datetime.datetime(2026, 3, 2, 8, 0), datetime.datetime(2026, 3, 3, 17, 0)), \
('Ship', datetime.datetime(2026, 3, 4, 17, 0), datetime.datetime(2026, 3, 4, 17, 0))]
    """
    return _Serializer(prepare_mspdi(document, save_version=save_version)).content()


def prepare_mspdi(
    document: ProjectDocument, *, save_version: int = 14, today: date | None = None
) -> ProjectDocument:
    """The document as :func:`write_mspdi` writes it, with what MSPDI needs made up.

    Reading the written file gives this document back (with the surrounding spaces of texts
    dropped, as the reader drops them). Where the given document has a value the file can hold,
    the prepared one keeps it; see the module's notes for what is added or put in the file's
    form.

    Parameters
    ----------
    document : ProjectDocument
        The project.
    save_version : int, optional
        The ``SaveVersion`` the file will say.
    today : date, optional
        The date to schedule from when the plan has no date at all (today by default).

    Returns
    -------
    ProjectDocument
        The document to write, with ``format`` ``"mspdi"``.

    Examples
    --------
    >>> from pilotage.engine.plan import Plan, PlanTask
    >>> document = ProjectDocument(
    ...     format="csv",
    ...     plan=Plan(name="P", tasks=(PlanTask(uid=1, id=1, name="A", duration_minutes=480),)),
    ... )
    >>> prepared = prepare_mspdi(document, today=date(2026, 3, 2))
    >>> prepared.plan.tasks[0].start, prepared.plan.tasks[0].finish
    (datetime.datetime(2026, 3, 2, 8, 0), datetime.datetime(2026, 3, 2, 17, 0))
    >>> prepared.plan.project_summary.uid, [c.calendar.name for c in prepared.plan.calendars]
    (0, ['Standard'])
    """
    plan, task_details, assignments = _without_task_zero(document)
    tasks = _in_outline_order(plan.tasks)
    # MSPDI keeps the links under their successor: they come back in the order of the tasks.
    row = {task.uid: index for index, task in enumerate(tasks)}
    links = tuple(
        _prepared_link(link)
        for link in sorted(plan.links, key=lambda link: row[link.successor_uid])
    )
    plan = replace(plan, tasks=tasks, links=links)
    tasks, project_start, project_finish = _dated_tasks(plan, today or date.today())
    horizon = (date(project_start.year, 1, 1), date(project_finish.year + _FOLLOWING_YEARS, 12, 31))
    # Microsoft Project schedules tasks and projects on base calendars, and derives resource
    # calendars from base calendars only.
    on_base = {task.calendar_uid for task in (*tasks, *filter(None, (plan.project_summary,)))}
    on_base |= {plan.calendar_uid, *(item.base_uid for item in plan.calendars)}
    calendars, calendar_uid = _prepared_calendars(plan, horizon, on_base)
    summary = _project_summary(plan, calendars, calendar_uid, project_start, project_finish)
    prepared_plan = replace(
        plan,
        start=project_start,
        finish=project_finish,
        calendar_uid=calendar_uid,
        calendars=calendars,
        tasks=tasks,
        project_summary=summary,
    )
    task_uids = {task.uid for task in tasks}
    resources = _prepared_resources(document.resources, {c.uid for c in calendars})
    resource_uids = {resource.uid for resource in resources}
    kept_assignments = tuple(
        _prepared_assignment(assignment)
        for assignment in assignments
        if assignment.task_uid in task_uids and assignment.resource_uid in resource_uids
    )
    details = {
        uid: _prepared_details(item)
        for uid, item in task_details.items()
        if uid in task_uids or uid == 0
    }
    fields = _CustomFields(document.custom_fields)
    details = {
        uid: replace(item, custom_values=fields.values("task", item.custom_values))
        for uid, item in details.items()
    }
    resources = tuple(
        replace(item, custom_values=fields.values("resource", item.custom_values))
        for item in resources
    )
    kept_assignments = tuple(
        replace(item, custom_values=fields.values("assignment", item.custom_values))
        for item in kept_assignments
    )
    name = plan.name.strip() or document.properties.get("Name", "").strip() or "Project"
    prepared_plan = replace(prepared_plan, name=name)
    properties = _prepared_properties(document.properties, name)
    return ProjectDocument(
        format="mspdi",
        plan=prepared_plan,
        properties=properties,
        custom_fields=fields.definitions(),
        task_details={uid: item for uid, item in details.items() if item != _NO_DETAILS},
        resources=resources,
        assignments=kept_assignments,
        save_version=save_version,
    )


_NO_DETAILS: Final = TaskDetails()


def _without_task_zero(
    document: ProjectDocument,
) -> tuple[Plan, Mapping[int, TaskDetails], tuple[DocumentAssignment, ...]]:
    """Give a task with UID 0 a free UID: in MSPDI, UID 0 is the project summary task."""
    plan = document.plan
    summary = plan.project_summary
    if summary is not None and summary.uid != 0:
        summary = replace(summary, uid=0)
    if 0 not in plan.tasks_by_uid:
        return replace(plan, project_summary=summary), document.task_details, document.assignments
    new = max(plan.tasks_by_uid) + 1

    def moved(uid: int | None) -> int | None:
        return new if uid == 0 else uid

    tasks = tuple(
        replace(task, uid=new if task.uid == 0 else task.uid, parent_uid=moved(task.parent_uid))
        for task in plan.tasks
    )
    links = tuple(
        replace(
            link,
            predecessor_uid=new
            if link.predecessor_uid == 0 and not link.cross_project
            else link.predecessor_uid,
            successor_uid=new if link.successor_uid == 0 else link.successor_uid,
        )
        for link in plan.links
    )
    details = {new if uid == 0 else uid: item for uid, item in document.task_details.items()}
    assignments = tuple(
        replace(item, task_uid=new) if item.task_uid == 0 else item for item in document.assignments
    )
    return replace(plan, tasks=tasks, links=links, project_summary=summary), details, assignments


def _in_outline_order(tasks: Sequence[PlanTask]) -> tuple[PlanTask, ...]:
    """The tasks depth first (each summary task before its subtasks), levels from the parents.

    MSPDI has no parent pointer: the outline is the order of the tasks and their levels.
    """
    children: dict[int | None, list[PlanTask]] = {}
    for task in tasks:
        children.setdefault(task.parent_uid, []).append(task)
    ordered: list[PlanTask] = []
    stack: list[tuple[PlanTask, int]] = [(task, 1) for task in reversed(children.get(None, []))]
    while stack:
        task, level = stack.pop()
        subtasks = children.get(task.uid, [])
        changes: dict[str, Any] = {}
        if task.outline_level != level:
            changes["outline_level"] = level
        if task.summary != bool(subtasks):
            changes["summary"] = bool(subtasks)
            if subtasks:
                changes["milestone"] = False
        if task.constraint_type in ("ASAP", "ALAP") and task.constraint_date is not None:
            changes["constraint_date"] = None
        if task.duration_format in PERCENT_FORMATS or (
            task.elapsed and task.duration_format is None
        ):
            changes["duration_format"] = "ed" if task.elapsed else None
        if task.percent_complete != round(task.percent_complete):
            changes["percent_complete"] = float(round(task.percent_complete))
        ordered.append(replace(task, **changes) if changes else task)
        stack.extend((subtask, level + 1) for subtask in reversed(subtasks))
    return tuple(ordered)


def _prepared_link(link: PlanLink) -> PlanLink:
    if link.cross_project and not _EXTERNAL_TASK.search(link.cross_project_name):
        # The name ends with the predecessor's UID in its project, as Microsoft Project (and
        # MPXJ, which reads the number back) want it: C:\plans\other.mpp\42.
        link = replace(
            link, cross_project_name=f"{link.cross_project_name}\\{link.predecessor_uid}"
        )
    if link.lag_format is None:
        return replace(link, lag_format="ed" if link.elapsed_lag else "d")
    if link.lag_percent is not None and link.lag_percent != round(link.lag_percent):
        return replace(link, lag_percent=float(round(link.lag_percent)))
    return link


def _dated_tasks(plan: Plan, today: date) -> tuple[tuple[PlanTask, ...], datetime, datetime]:
    """Give every task a start and a finish.

    A task with one of the two gets the other from its duration on its calendar; a task with
    neither gets the dates of a schedule of the plan (from its earliest date, else from today).
    """
    tasks = plan.tasks
    known = [
        moment
        for task in (*tasks, *((plan.project_summary,) if plan.project_summary else ()))
        for moment in (task.start, task.actual_start, task.constraint_date)
        if moment is not None
    ]
    anchor = plan.start or (
        min(known)
        if known
        else datetime.combine(today, time()) + timedelta(minutes=plan.default_start_minute)
    )
    if any(task.start is None or task.finish is None for task in tasks):
        scheduled: dict[int, tuple[datetime, datetime]] = {}
        if any(task.start is None and task.finish is None for task in tasks):
            try:
                schedule = schedule_plan(
                    plan if plan.start is not None else replace(plan, start=anchor)
                )
                scheduled = {uid: (item.start, item.finish) for uid, item in schedule.tasks.items()}
            except EngineError:
                pass
        filled: list[PlanTask] = []
        for task in tasks:
            if task.start is not None and task.finish is None:
                task = replace(task, finish=_moved(plan, task, task.start, task.duration_minutes))
            elif task.start is None and task.finish is not None:
                task = replace(task, start=_moved(plan, task, task.finish, -task.duration_minutes))
            elif task.start is None:
                start, finish = scheduled.get(task.uid, (anchor, None))
                finish = finish or _moved(plan, task, start, task.duration_minutes)
                task = replace(task, start=start, finish=finish)
            filled.append(task)
        tasks = tuple(filled)
    starts = [task.start for task in tasks if task.start is not None]
    finishes = [task.finish for task in tasks if task.finish is not None]
    project_start = plan.start or (min(starts) if starts else anchor)
    project_finish = plan.finish or max([project_start, *finishes])
    return tasks, project_start, project_finish


def _moved(plan: Plan, task: PlanTask, moment: datetime, minutes: int) -> datetime:
    """A moment moved by working minutes of the task's calendar (wall-clock when elapsed)."""
    if task.elapsed or minutes == 0:
        return moment + timedelta(minutes=minutes)
    uid = task.calendar_uid if task.calendar_uid is not None else plan.calendar_uid
    calendar = plan.calendars_by_uid[uid].calendar if uid is not None else Calendar("Standard")
    try:
        working = compile_calendar(calendar, moment.date(), moment.date())
        moved = working.add_working(
            np.datetime64(moment, "m"), minutes, side="finish" if minutes > 0 else "start"
        )
    except EngineError:
        return moment + timedelta(minutes=minutes)
    result: datetime = moved.astype("datetime64[m]").astype(datetime)
    return result


def _project_summary(
    plan: Plan,
    calendars: tuple[PlanCalendar, ...],
    calendar_uid: int,
    start: datetime,
    finish: datetime,
) -> PlanTask:
    summary = plan.project_summary
    if summary is not None:
        changes: dict[str, Any] = {"outline_level": 0, "parent_uid": None}
        if summary.id is None:
            changes["id"] = 0
        if summary.start is None or summary.finish is None:
            changes["start"] = summary.start or start
            changes["finish"] = summary.finish or finish
        if summary.constraint_type in ("ASAP", "ALAP"):
            changes["constraint_date"] = None
        if summary.duration_format in PERCENT_FORMATS or (
            summary.elapsed and summary.duration_format is None
        ):
            changes["duration_format"] = "ed" if summary.elapsed else None
        if summary.percent_complete != round(summary.percent_complete):
            changes["percent_complete"] = float(round(summary.percent_complete))
        return replace(summary, **changes)
    calendar = next(c.calendar for c in calendars if c.uid == calendar_uid)
    return PlanTask(
        uid=0,
        id=0,
        name=plan.name,
        outline_level=0,
        summary=True,
        start=start,
        finish=finish,
        duration_minutes=_working_minutes(calendar, start, finish),
    )


def _working_minutes(calendar: Calendar, start: datetime, finish: datetime) -> int:
    if finish <= start:
        return 0
    try:
        working = compile_calendar(calendar, start.date(), finish.date())
        return max(int(working.working_between(np.datetime64(start), np.datetime64(finish))), 0)
    except EngineError:
        return 0


def _prepared_calendars(
    plan: Plan, horizon: tuple[date, date], base_needed: set[int | None]
) -> tuple[tuple[PlanCalendar, ...], int]:
    """The calendars as written, each base calendar before those derived from it.

    A derived calendar that a task, the project or another calendar uses becomes a base
    calendar with what it inherits: in Microsoft Project tasks and projects have base calendars,
    and resource calendars derive from base calendars.
    """
    by_uid = {plan_calendar.uid: plan_calendar for plan_calendar in plan.calendars}
    built: dict[int, Calendar] = {}
    prepared: list[PlanCalendar] = []

    def build(plan_calendar: PlanCalendar, visiting: frozenset[int]) -> None:
        if plan_calendar.uid in built:
            return
        base_uid = plan_calendar.base_uid
        if base_uid in by_uid and base_uid not in visiting and base_uid != plan_calendar.uid:
            build(by_uid[base_uid], visiting | {plan_calendar.uid})
        base = built.get(base_uid) if base_uid is not None else None
        calendar = plan_calendar.calendar
        week = calendar.week
        if base is None and (week is None or calendar.base is not None):
            week = calendar.effective_week
        if week is not None:
            week = WeekPattern(tuple(tuple(sorted(day)) for day in week.days))
        exceptions = [*_holiday_exceptions(calendar, horizon), *calendar.exceptions]
        exceptions = [
            replace(exception, periods=tuple(sorted(exception.periods))) for exception in exceptions
        ]
        recurring: list[RecurringException] = []
        for item in calendar.recurring:
            layout = _layout(item, horizon)
            if isinstance(layout, _Layout):
                recurring.append(layout.exception)
            elif layout == "dates":
                exceptions.extend(_expanded(item, horizon))
        if base is not None and plan_calendar.uid in base_needed:
            lineage: list[Calendar] = []
            ancestor: Calendar | None = base
            while ancestor is not None:
                lineage.insert(0, ancestor)
                ancestor = ancestor.base
            week = week or base.effective_week
            exceptions = [*(item for each in lineage for item in each.exceptions), *exceptions]
            recurring = [*(item for each in lineage for item in each.recurring), *recurring]
            base = None
        exceptions, recurring = _without_overlaps(exceptions, recurring, horizon)
        new = Calendar(
            calendar.name if calendar.name.strip() else f"Calendar {plan_calendar.uid}",
            week,
            exceptions=tuple(exceptions),
            recurring=tuple(recurring),
            base=base,
            minutes_per_day=plan.minutes_per_day,
            minutes_per_week=plan.minutes_per_week,
            days_per_month=plan.days_per_month,
        )
        built[plan_calendar.uid] = new
        prepared.append(PlanCalendar(plan_calendar.uid, new, base_uid if base else None))

    for plan_calendar in plan.calendars:
        build(plan_calendar, frozenset())
    if plan.calendar_uid is not None:
        return tuple(prepared), plan.calendar_uid
    uid = max((c.uid for c in prepared), default=0) + 1
    standard = Calendar(
        "Standard",
        WeekPattern.standard(),
        minutes_per_day=plan.minutes_per_day,
        minutes_per_week=plan.minutes_per_week,
        days_per_month=plan.days_per_month,
    )
    return (*prepared, PlanCalendar(uid, standard)), uid


def _without_overlaps(
    exceptions: list[CalendarException],
    recurring: list[RecurringException],
    horizon: tuple[date, date],
) -> tuple[list[CalendarException], list[RecurringException]]:
    """The exceptions with no two on the same date, as Microsoft Project wants them.

    The exceptions that share a date with another are replaced by runs of dates, each date
    with the hours of the exception that applies there (a dated exception over a recurring one,
    the later over the earlier); the others are kept as they are.
    """
    days_of: list[list[date]] = [
        [
            item.start + timedelta(days=offset)
            for offset in range((item.finish - item.start).days + 1)
        ]
        for item in exceptions
    ]
    for item in recurring:
        layout = _layout(item, horizon)
        days_of.append(list(layout.dates) if isinstance(layout, _Layout) else [])
    # Precedence as in the calendar model: recurring exceptions first, dated ones after, the
    # later one in each list winning.
    rank = [len(recurring) + index for index in range(len(exceptions))] + list(
        range(len(recurring))
    )
    covering: dict[date, list[int]] = {}
    for index, days in enumerate(days_of):
        for day in days:
            covering.setdefault(day, []).append(index)
    clashing = {index for owners in covering.values() if len(owners) > 1 for index in owners}
    if not clashing:
        return exceptions, recurring
    items: list[CalendarException | RecurringException] = [*exceptions, *recurring]
    winners: dict[date, tuple[tuple[WorkingPeriod, ...], str]] = {}
    for day, owners in covering.items():
        if clashing.intersection(owners):
            winner = items[max(owners, key=lambda index: rank[index])]
            winners[day] = (tuple(winner.periods), winner.name)
    runs: list[CalendarException] = []
    for day in sorted(winners):
        periods, name = winners[day]
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.finish + timedelta(days=1) == day
            and (last.periods, last.name) == (periods, name)
        ):
            runs[-1] = replace(last, finish=day)
        else:
            runs.append(CalendarException(day, day, periods, name))
    kept = [item for index, item in enumerate(exceptions) if index not in clashing]
    kept_recurring = [
        item for index, item in enumerate(recurring, start=len(exceptions)) if index not in clashing
    ]
    return [*kept, *runs], kept_recurring


def _holiday_exceptions(calendar: Calendar, horizon: tuple[date, date]) -> list[CalendarException]:
    if calendar.holiday_country is None:
        return []
    found = holidays.country_holidays(
        calendar.holiday_country,
        subdiv=calendar.holiday_subdivision,
        years=range(horizon[0].year, horizon[1].year + 1),
    )
    return [CalendarException(day, day, (), str(name)) for day, name in sorted(found.items())]


@dataclass(frozen=True)
class _Layout:
    """How a recurring exception is written: its pattern, range and dates."""

    exception: RecurringException
    pattern: _Recurrence
    last: date
    dates: tuple[date, ...]
    by_occurrences: bool


def _pattern(rule: RecurrenceRule) -> _Recurrence:
    """The MSPDI pattern of a rule (the reverse of the reader's)."""
    if isinstance(rule, Daily):
        return _Recurrence(7 if rule.every > 1 else 1, rule.every, frozenset(), 1, 1, 0, 0)
    if isinstance(rule, Weekly):
        return _Recurrence(6, rule.every, frozenset(rule.weekdays), 1, 1, 0, 0)
    if isinstance(rule, MonthlyByDay):
        return _Recurrence(4, rule.every, frozenset(), 1, rule.day, 0, 0)
    if isinstance(rule, YearlyByDate):
        return _Recurrence(2, 1, frozenset(), rule.month, rule.day, 0, 0)
    item = 3 + (rule.weekday + 1) % 7
    position = 4 if rule.position == -1 else rule.position - 1
    if isinstance(rule, MonthlyByWeekday):
        return _Recurrence(5, rule.every, frozenset(), 1, 1, item, position)
    return _Recurrence(3, 1, frozenset(), rule.month, 1, item, position)


def _layout(item: RecurringException, horizon: tuple[date, date]) -> _Layout | str:
    """The layout of a recurring exception, ``"dates"`` to write its dates, ``""`` to drop it.

    A recurrence keeps its rule when Microsoft Project, reading the pattern, repeats it on the
    dates the calendar model gives; otherwise its dates are written.
    """
    if item.span_days != 1:
        return "dates"
    pattern = _pattern(item.rule)
    rule = pattern.rule() if not pattern.problem() else None
    if rule is None:
        return "dates"
    first = item.first or horizon[0]
    if item.count is not None and item.first is not None:
        limit = item.last or date(min(first.year + _COUNT_SEARCH_YEARS, 9999), 12, 31)
        candidate = replace(item, rule=rule, first=first, last=limit)
        dates = candidate.occurrences(first, limit)
        by_occurrences = item.last is None or len(dates) == item.count
    else:
        limit = item.last or max(horizon[1], date(first.year + _FOLLOWING_YEARS, 12, 31))
        candidate = replace(item, rule=rule, first=first, last=limit, count=None)
        dates = candidate.occurrences(first, limit)
        by_occurrences = False
    if not dates:
        return ""
    if pattern.kind == 1:
        return "dates"
    last = dates[-1] if by_occurrences else limit
    if tuple(pattern.dates(first, last, len(dates))) != dates:
        return "dates"
    exception = RecurringException(
        item.name,
        tuple(sorted(item.periods)),
        rule=rule,
        first=first,
        last=None if by_occurrences else last,
        count=len(dates) if by_occurrences else None,
    )
    return _Layout(exception, pattern, last, dates, by_occurrences)


def _expanded(item: RecurringException, horizon: tuple[date, date]) -> list[CalendarException]:
    first = item.first or horizon[0]
    last = item.last
    if last is None:
        years = _COUNT_SEARCH_YEARS if item.count is not None and item.first else _FOLLOWING_YEARS
        last = max(horizon[1], date(min(first.year + years, 9999), 12, 31))
    days = list(replace(item, first=first).occurrences(first, last))
    if not days:
        return []
    return _date_runs(days, tuple(sorted(item.periods)), item.name)


def _prepared_resources(
    resources: Sequence[DocumentResource], calendar_uids: set[int]
) -> tuple[DocumentResource, ...]:
    kept: list[DocumentResource] = []
    seen: set[int] = set()
    for resource in resources:
        if resource.uid in seen or (resource.uid == 0 and not resource.name):
            continue
        seen.add(resource.uid)
        changes: dict[str, Any] = {
            "baselines": _baselines(resource.baselines, dated=False, timed=False),
            "guid": _guid(resource.guid),
        }
        if resource.calendar_uid is not None and resource.calendar_uid not in calendar_uids:
            changes["calendar_uid"] = None
        kept.append(replace(resource, **changes))
    return tuple(kept)


def _prepared_assignment(assignment: DocumentAssignment) -> DocumentAssignment:
    return replace(
        assignment,
        baselines=_baselines(assignment.baselines, dated=True, timed=False),
        guid=_guid(assignment.guid),
    )


def _prepared_details(details: TaskDetails) -> TaskDetails:
    return replace(
        details,
        baselines=_baselines(details.baselines, dated=True, timed=True),
        guid=_guid(details.guid),
    )


def _guid(text: str) -> str:
    return text if _GUID.fullmatch(text) else ""


def _baselines(
    baselines: Iterable[BaselineValues], *, dated: bool, timed: bool
) -> tuple[BaselineValues, ...]:
    """Baselines 0 to 10 once each, in order, with the fields the owner's schema has."""
    by_number: dict[int, BaselineValues] = {}
    for baseline in baselines:
        if not 0 <= baseline.number <= 10 or baseline.number in by_number:
            continue
        if not dated:
            baseline = replace(baseline, start=None, finish=None)
        if not timed:
            baseline = replace(baseline, duration_minutes=None, duration_format=None)
        by_number[baseline.number] = baseline
    return tuple(by_number[number] for number in sorted(by_number))


def _prepared_properties(properties: Mapping[str, str], name: str) -> dict[str, str]:
    prepared: dict[str, str] = {}
    for key in WRITTEN_PROPERTIES:
        value = properties.get(key, "").strip()
        if key == "Title":
            value = name
        elif key == "Name":
            value = value or name
        if value and _valid_property(key, value):
            prepared[key] = value
    return prepared


def _valid_property(key: str, value: str) -> bool:
    if key == "GUID":
        return _GUID.fullmatch(value) is not None
    if key == "Revision":
        return value.isascii() and value.isdigit()
    if key in _DATE_PROPERTIES:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return False
        return moment.tzinfo is None and value == _date_text(moment)
    return True


_KIND_OF_VALUE: Final[tuple[tuple[type, CustomFieldKind], ...]] = (
    (bool, "flag"),
    (int, "duration"),
    (Decimal, "number"),
    (datetime, "date"),
    (str, "text"),
)


class _CustomFields:
    """The document's custom fields as Microsoft Project fields, and their values."""

    def __init__(self, fields: Sequence[CustomField]) -> None:
        self._definitions: list[CustomField | None] = []
        self._by_key: dict[tuple[CustomFieldOwner, str], CustomField | None] = {}
        self._used: set[int] = set()
        pending: list[tuple[int, CustomField]] = []
        for field in fields:
            if (field.owner, field.key) in self._by_key:
                continue
            kept = self._as_itself(field)
            self._by_key[field.owner, field.key] = kept
            self._definitions.append(kept)
            if kept is None:
                pending.append((len(self._definitions) - 1, field))
        for index, field in pending:
            allocated = self._allocate(field)
            self._definitions[index] = allocated
            self._by_key[field.owner, field.key] = allocated

    def _as_itself(self, field: CustomField) -> CustomField | None:
        field_id = builtin_field_id(field.owner, field.key)
        builtin = builtin_field(field_id) if field_id is not None else None
        if builtin is not None and builtin.kind == field.kind and field_id not in self._used:
            self._used.add(builtin.field_id)
            return replace(field, field_id=builtin.field_id)
        if (
            field.field_id is not None
            and builtin_field(field.field_id) is None
            and field.field_id not in self._used
            and field.field_id > 0
        ):
            self._used.add(field.field_id)
            kind: CustomFieldKind = "text" if field.kind == "outline_code" else field.kind
            return replace(field, kind=kind)
        return None

    def _allocate(self, field: CustomField) -> CustomField | None:
        kind = field.kind
        if field.owner == "assignment" and kind == "outline_code":
            kind = "text"
        for candidate in builtin_fields(field.owner, kind):
            if candidate.field_id not in self._used:
                self._used.add(candidate.field_id)
                return CustomField(
                    candidate.key, field.owner, kind, field.alias or field.key, candidate.field_id
                )
        return None

    def _definition(self, owner: CustomFieldOwner, value: CustomValue) -> CustomField | None:
        key = (owner, value.key)
        if key in self._by_key:
            return self._by_key[key]
        field_id = builtin_field_id(owner, value.key)
        builtin = builtin_field(field_id) if field_id is not None else None
        if builtin is not None:
            field = CustomField(builtin.key, owner, builtin.kind, "", builtin.field_id)
        else:
            kind: CustomFieldKind = "text"
            for kind_type, value_kind in _KIND_OF_VALUE:
                if isinstance(value.value, kind_type):
                    kind = value_kind
                    break
            field = CustomField(value.key, owner, kind)
        kept = self._as_itself(field)
        if kept is None:
            kept = self._allocate(field)
        self._by_key[key] = kept
        self._definitions.append(kept)
        return kept

    def values(
        self, owner: CustomFieldOwner, values: Sequence[CustomValue]
    ) -> tuple[CustomValue, ...]:
        kept: list[CustomValue] = []
        for value in values:
            definition = self._definition(owner, value)
            if definition is None:
                continue
            data = _custom_data(definition.kind, value.value)
            if data is None:
                continue
            unit = value.duration_format if definition.kind == "duration" else None
            kept.append(CustomValue(definition.key, data, unit))
        return tuple(kept)

    def definitions(self) -> tuple[CustomField, ...]:
        return tuple(field for field in self._definitions if field is not None)


def _custom_data(kind: CustomFieldKind, value: CustomData) -> CustomData | None:
    """The value in the type its kind has, or None when it has another type."""
    if kind in ("text", "outline_code"):
        return value if isinstance(value, str) else None
    if kind in ("number", "cost"):
        if isinstance(value, Decimal) and value.is_finite():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        return None
    if kind in ("date", "start", "finish"):
        return value.replace(microsecond=0, tzinfo=None) if isinstance(value, datetime) else None
    if kind == "duration":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return value if isinstance(value, bool) else None


def _text(value: str) -> str:
    return _INVALID_XML.sub("", value).translate(_ESCAPES)


def _date_text(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def _duration_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"PT{sign}{hours}H{rest}M0S"


def _decimal_text(number: Decimal) -> str:
    return format(number, "f")


def _hundredths(amount: Decimal) -> str:
    return format(amount.scaleb(2), "f")


def _clock_text(minute: int) -> str:
    hours, minutes = divmod(minute % _DAY_MINUTES, 60)
    return f"{hours:02d}:{minutes:02d}:00"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _format_code(unit: DurationFormat | None, *, estimated: bool = False) -> int:
    if unit is None:
        return _UNSET_FORMAT
    code = _FORMAT_CODES[unit]
    return code + _ESTIMATED_OFFSET if estimated else code


def _weekday_mask(weekdays: Iterable[int]) -> int:
    return sum(1 << ((weekday + 1) % 7) for weekday in set(weekdays))


class _Serializer:
    """Writes a prepared document, element by element in the schema's order."""

    def __init__(self, document: ProjectDocument) -> None:
        self.document = document
        self.plan = document.plan
        self.parts: list[str] = []
        self.fields = {(field.owner, field.key): field for field in document.custom_fields}

    def content(self) -> bytes:
        self._project()
        return "".join(self.parts).encode("utf-8")

    def _element(self, name: str, value: str | int | None) -> None:
        if value is None:
            return
        text = _text(value) if isinstance(value, str) else str(value)
        self.parts.append(f"<{name}>{text}</{name}>")

    def _date(self, name: str, moment: datetime | None) -> None:
        if moment is not None:
            self.parts.append(f"<{name}>{_date_text(moment)}</{name}>")

    def _duration(self, name: str, minutes: int | None) -> None:
        if minutes is not None:
            self.parts.append(f"<{name}>{_duration_text(minutes)}</{name}>")

    def _money(self, name: str, amount: Decimal | None) -> None:
        if amount is not None:
            self.parts.append(f"<{name}>{_hundredths(amount)}</{name}>")

    def _decimal(self, name: str, number: Decimal | None) -> None:
        if number is not None:
            self.parts.append(f"<{name}>{_decimal_text(number)}</{name}>")

    def _project(self) -> None:
        document, plan = self.document, self.plan
        add = self.parts.append
        add('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
        add(f'<Project xmlns="{MSPDI_NAMESPACE}">')
        self._element("SaveVersion", document.save_version)
        for key in WRITTEN_PROPERTIES:
            self._element(key, document.properties.get(key))
        self._element("ScheduleFromStart", _flag(plan.schedule_from_start))
        self._date("StartDate", plan.start)
        self._date("FinishDate", plan.finish)
        self._element("CurrencySymbol", plan.currency_symbol or None)
        self._element("CurrencyCode", plan.currency_code or None)
        self._element("CalendarUID", plan.calendar_uid)
        self._element("DefaultStartTime", _clock_text(plan.default_start_minute))
        self._element("DefaultFinishTime", _clock_text(plan.default_finish_minute))
        self._element("MinutesPerDay", plan.minutes_per_day)
        self._element("MinutesPerWeek", plan.minutes_per_week)
        self._element("DaysPerMonth", plan.days_per_month)
        if plan.honor_constraints is not None:
            self._element("HonorConstraints", _flag(plan.honor_constraints))
        self._date("StatusDate", plan.status_date)
        self._date("CurrentDate", plan.current_date)
        self._custom_field_definitions()
        add("<Calendars>")
        for plan_calendar in plan.calendars:
            self._calendar(plan_calendar)
        add("</Calendars><Tasks>")
        if plan.project_summary is not None:
            self._task(plan.project_summary, ())
        links_by_successor: dict[int, list[PlanLink]] = {}
        for link in plan.links:
            links_by_successor.setdefault(link.successor_uid, []).append(link)
        for task in plan.tasks:
            self._task(task, links_by_successor.get(task.uid, ()))
        add("</Tasks><Resources>")
        for resource in document.resources:
            self._resource(resource)
        add("</Resources><Assignments>")
        for assignment in document.assignments:
            self._assignment(assignment)
        add("</Assignments></Project>\n")

    def _custom_field_definitions(self) -> None:
        add = self.parts.append
        add("<ExtendedAttributes>")
        for field in self.document.custom_fields:
            add("<ExtendedAttribute>")
            self._element("FieldID", field.field_id)
            # Microsoft Project names its outline codes "Outline Code1" ... with a space.
            outline_code = field.kind == "outline_code" and builtin_field(field.field_id or 0)
            self._element(
                "FieldName",
                field.key.replace("OutlineCode", "Outline Code", 1) if outline_code else field.key,
            )
            if field.kind in _CF_TYPES:
                self._element("CFType", _CF_TYPES[field.kind])
            if field.field_id is not None and builtin_field(field.field_id) is None:
                self._element("ElemType", _ELEMENT_TYPES[field.owner])
            self._element("Alias", field.alias or None)
            add("</ExtendedAttribute>")
        add("</ExtendedAttributes>")

    def _calendar(self, plan_calendar: PlanCalendar) -> None:
        calendar = plan_calendar.calendar
        add = self.parts.append
        add("<Calendar>")
        self._element("UID", plan_calendar.uid)
        self._element("Name", calendar.name)
        self._element("IsBaseCalendar", _flag(plan_calendar.base_uid is None))
        self._element(
            "BaseCalendarUID", -1 if plan_calendar.base_uid is None else plan_calendar.base_uid
        )
        layouts = [
            layout
            for item in calendar.recurring
            if isinstance(layout := _layout(item, (item.first or date.min, date.max)), _Layout)
        ]
        old_form = [
            (exception.start, exception.finish, exception.periods)
            for exception in calendar.exceptions
        ] + [
            (run.start, run.finish, run.periods)
            for layout in layouts
            for run in _date_runs(list(layout.dates), layout.exception.periods, "")
        ]
        if calendar.week is not None or old_form:
            add("<WeekDays>")
            if calendar.week is not None:
                for day_type in range(1, 8):
                    periods = calendar.week.days[(day_type + 5) % 7]
                    add("<WeekDay>")
                    self._element("DayType", day_type)
                    self._working(periods)
                    add("</WeekDay>")
            for first, last, periods in old_form:
                add("<WeekDay><DayType>0</DayType>")
                self._element("DayWorking", _flag(bool(periods)))
                self._time_period(first, last)
                self._working_times(periods)
                add("</WeekDay>")
            add("</WeekDays>")
        if calendar.exceptions or layouts:
            add("<Exceptions>")
            for exception in calendar.exceptions:
                add("<Exception><EnteredByOccurrences>0</EnteredByOccurrences>")
                self._time_period(exception.start, exception.finish)
                self._element("Occurrences", (exception.finish - exception.start).days + 1)
                self._element("Name", exception.name or None)
                self._element("Type", 1)
                self._working(exception.periods)
                add("</Exception>")
            for layout in layouts:
                self._recurring(layout)
            add("</Exceptions>")
        add("</Calendar>")

    def _recurring(self, layout: _Layout) -> None:
        pattern, item = layout.pattern, layout.exception
        add = self.parts.append
        add("<Exception>")
        self._element("EnteredByOccurrences", _flag(layout.by_occurrences))
        self._time_period(item.first or layout.dates[0], layout.last)
        self._element("Occurrences", len(layout.dates))
        self._element("Name", item.name or None)
        self._element("Type", pattern.kind)
        kind = pattern.kind
        if kind in (4, 5, 6, 7):
            self._element("Period", pattern.every)
        if kind == 6:
            self._element("DaysOfWeek", _weekday_mask(pattern.weekdays))
        if kind in (3, 5):
            self._element("MonthItem", pattern.month_item)
            self._element("MonthPosition", pattern.position)
        if kind in (2, 3):
            self._element("Month", pattern.month - 1)
        if kind in (2, 4):
            self._element("MonthDay", pattern.month_day)
        self._working(item.periods)
        add("</Exception>")

    def _time_period(self, first: date, last: date) -> None:
        self.parts.append(
            f"<TimePeriod><FromDate>{first.isoformat()}T00:00:00</FromDate>"
            f"<ToDate>{last.isoformat()}T23:59:00</ToDate></TimePeriod>"
        )

    def _working(self, periods: Sequence[WorkingPeriod]) -> None:
        self._element("DayWorking", _flag(bool(periods)))
        self._working_times(periods)

    def _working_times(self, periods: Sequence[WorkingPeriod]) -> None:
        if not periods:
            return
        add = self.parts.append
        add("<WorkingTimes>")
        for period in periods:
            add(
                f"<WorkingTime><FromTime>{_clock_text(period.start_minute)}</FromTime>"
                f"<ToTime>{_clock_text(period.end_minute)}</ToTime></WorkingTime>"
            )
        add("</WorkingTimes>")

    def _task(self, task: PlanTask, links: Sequence[PlanLink]) -> None:
        details = self.document.details(task.uid)
        element, date_, duration, money = self._element, self._date, self._duration, self._money
        add = self.parts.append
        add("<Task>")
        element("UID", task.uid)
        element("GUID", details.guid or None)
        element("ID", task.id)
        element("Name", task.name or None)
        element("Active", _flag(task.active))
        element("Manual", _flag(task.manual))
        if details.task_type is not None:
            element("Type", _TASK_TYPE_CODES[details.task_type])
        element("WBS", task.wbs or None)
        element("OutlineNumber", task.outline_number or None)
        element("OutlineLevel", task.outline_level)
        element("Priority", task.priority)
        date_("Start", task.start)
        date_("Finish", task.finish)
        duration("Duration", task.duration_minutes)
        date_("ManualStart", details.manual_start)
        date_("ManualFinish", details.manual_finish)
        duration("ManualDuration", details.manual_duration_minutes)
        element("DurationFormat", _format_code(task.duration_format, estimated=task.estimated))
        duration("Work", details.work_minutes)
        if details.effort_driven is not None:
            element("EffortDriven", _flag(details.effort_driven))
        element("Estimated", _flag(task.estimated))
        element("Milestone", _flag(task.milestone))
        element("Summary", _flag(task.summary))
        if task.critical is not None:
            element("Critical", _flag(task.critical))
        element("ExternalTask", _flag(details.external))
        element("ExternalTaskProject", details.external_project or None)
        date_("EarlyStart", task.early_start)
        date_("EarlyFinish", task.early_finish)
        date_("LateStart", task.late_start)
        date_("LateFinish", task.late_finish)
        if task.free_slack_minutes is not None:
            element("FreeSlack", task.free_slack_minutes * 10)
        if task.total_slack_minutes is not None:
            element("TotalSlack", task.total_slack_minutes * 10)
        money("FixedCost", details.fixed_cost)
        element("PercentComplete", round(task.percent_complete))
        money("Cost", details.cost)
        date_("ActualStart", task.actual_start)
        date_("ActualFinish", task.actual_finish)
        duration("ActualDuration", task.actual_duration_minutes)
        money("ActualCost", details.actual_cost)
        duration("ActualWork", details.actual_work_minutes)
        duration("RemainingDuration", task.remaining_duration_minutes)
        duration("RemainingWork", details.remaining_work_minutes)
        element("ConstraintType", _CONSTRAINT_CODES[task.constraint_type])
        element("CalendarUID", -1 if task.calendar_uid is None else task.calendar_uid)
        if task.constraint_type not in ("ASAP", "ALAP"):
            date_("ConstraintDate", task.constraint_date)
        date_("Deadline", task.deadline)
        if task.leveling_delay_minutes or task.leveling_delay_format is not None:
            element("LevelingDelay", task.leveling_delay_minutes * 10)
        if task.leveling_delay_format is not None:
            element("LevelingDelayFormat", _format_code(task.leveling_delay_format))
        element("Hyperlink", details.hyperlink or None)
        element("HyperlinkAddress", details.hyperlink_address or None)
        element("Notes", task.notes or None)
        for link in links:
            self._link(link)
        self._custom_values("task", details.custom_values)
        self._baselines(details.baselines, self._task_baseline)
        add("</Task>")

    def _link(self, link: PlanLink) -> None:
        add = self.parts.append
        add("<PredecessorLink>")
        self._element("PredecessorUID", link.predecessor_uid)
        self._element("Type", _LINK_CODES[link.type])
        self._element("CrossProject", _flag(link.cross_project))
        if link.cross_project:
            self._element("CrossProjectName", link.cross_project_name or None)
        if link.lag_percent is not None:
            self._element("LinkLag", round(link.lag_percent))
        else:
            self._element("LinkLag", link.lag_minutes * 10)
        self._element("LagFormat", _format_code(link.lag_format or "d"))
        add("</PredecessorLink>")

    def _custom_values(self, owner: CustomFieldOwner, values: Sequence[CustomValue]) -> None:
        if not values:
            return
        add = self.parts.append
        for value in values:
            field = self.fields[owner, value.key]
            add("<ExtendedAttribute>")
            self._element("FieldID", field.field_id)
            data = value.value
            if isinstance(data, bool):
                self._element("Value", _flag(data))
            elif isinstance(data, int):
                self._element("Value", _duration_text(data))
            elif isinstance(data, datetime):
                self._element("Value", _date_text(data))
            elif isinstance(data, Decimal):
                cost = field.kind == "cost"
                self._element("Value", _hundredths(data) if cost else _decimal_text(data))
            else:
                self._element("Value", data)
            if value.duration_format is not None:
                self._element("DurationFormat", _format_code(value.duration_format))
            add("</ExtendedAttribute>")

    def _baselines(
        self,
        baselines: Sequence[BaselineValues],
        write: Callable[[BaselineValues], None],
    ) -> None:
        for baseline in baselines:
            self.parts.append("<Baseline>")
            self._element("Number", baseline.number)
            write(baseline)
            self.parts.append("</Baseline>")

    def _task_baseline(self, baseline: BaselineValues) -> None:
        self._date("Start", baseline.start)
        self._date("Finish", baseline.finish)
        self._duration("Duration", baseline.duration_minutes)
        if baseline.duration_format is not None:
            self._element("DurationFormat", _format_code(baseline.duration_format))
        self._duration("Work", baseline.work_minutes)
        self._money("Cost", baseline.cost)

    def _resource_baseline(self, baseline: BaselineValues) -> None:
        self._duration("Work", baseline.work_minutes)
        self._money("Cost", baseline.cost)

    def _assignment_baseline(self, baseline: BaselineValues) -> None:
        self._date("Start", baseline.start)
        self._date("Finish", baseline.finish)
        self._duration("Work", baseline.work_minutes)
        self._money("Cost", baseline.cost)

    def _resource(self, resource: DocumentResource) -> None:
        element = self._element
        add = self.parts.append
        add("<Resource>")
        element("UID", resource.uid)
        element("GUID", resource.guid or None)
        element("ID", resource.id)
        element("Name", resource.name or None)
        element("Type", 1 if resource.kind == "work" else 0)
        element("Initials", resource.initials or None)
        element("MaterialLabel", resource.material_label or None)
        element("Code", resource.code or None)
        element("Group", resource.group or None)
        element("EmailAddress", resource.email or None)
        self._decimal("MaxUnits", resource.max_units)
        self._duration("Work", resource.work_minutes)
        self._duration("ActualWork", resource.actual_work_minutes)
        self._rate("StandardRate", resource.standard_rate, resource.standard_rate_unit)
        self._money("Cost", resource.cost)
        self._rate("OvertimeRate", resource.overtime_rate, resource.overtime_rate_unit)
        self._money("CostPerUse", resource.cost_per_use)
        self._money("ActualCost", resource.actual_cost)
        element("CalendarUID", resource.calendar_uid)
        element("Notes", resource.notes or None)
        element("IsGeneric", _flag(resource.generic))
        self._custom_values("resource", resource.custom_values)
        self._baselines(resource.baselines, self._resource_baseline)
        element("IsCostResource", _flag(resource.kind == "cost"))
        add("</Resource>")

    def _rate(self, name: str, rate: Decimal | None, unit: RateUnit) -> None:
        if rate is not None:
            hourly = rate
            if unit != "h":
                plan = self.plan
                minutes = rate_minutes(
                    unit,
                    minutes_per_day=plan.minutes_per_day,
                    minutes_per_week=plan.minutes_per_week,
                    days_per_month=plan.days_per_month,
                )
                hourly = rate * 60 / minutes
            self._decimal(name, hourly)
        self._element(name + "Format", _RATE_CODES[unit])

    def _assignment(self, assignment: DocumentAssignment) -> None:
        element, date_, duration, money = self._element, self._date, self._duration, self._money
        add = self.parts.append
        add("<Assignment>")
        element("UID", assignment.uid)
        element("GUID", assignment.guid or None)
        element("TaskUID", assignment.task_uid)
        element("ResourceUID", assignment.resource_uid)
        money("ActualCost", assignment.actual_cost)
        date_("ActualFinish", assignment.actual_finish)
        date_("ActualStart", assignment.actual_start)
        duration("ActualWork", assignment.actual_work_minutes)
        money("Cost", assignment.cost)
        date_("Finish", assignment.finish)
        duration("RemainingWork", assignment.remaining_work_minutes)
        date_("Start", assignment.start)
        self._decimal("Units", assignment.units)
        duration("Work", assignment.work_minutes)
        element("WorkContour", assignment.work_contour)
        self._custom_values("assignment", assignment.custom_values)
        self._baselines(assignment.baselines, self._assignment_baseline)
        add("</Assignment>")
