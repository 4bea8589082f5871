"""Write a plan as a Pilotage plan file: plan-as-code in JSON or TOML.

:func:`write_plan` is the inverse of :func:`pilotage.interop.planfile.parse_plan`: the text it
writes reads back to an equal :class:`~pilotage.engine.plan.Plan` for everything the format
can express, which is everything a person enters in a plan: the project's settings, the
calendars (week, public holidays, exceptions, recurring exceptions, base calendar), the tasks
and their outline, durations in their display units (elapsed ones too), milestones,
constraints, deadlines, priority, progress, manual scheduling, leveling delays, notes, and the
links of the four types with their lags in any unit or as a percentage; and, when they are
given, the resources (their id, name, type, units or units over time, calendar, rates, cost per
use and who they are) and their assignments to tasks (units and work). The format is described in
``docs/plan-format.md`` and ``docs/plan.schema.json``.

Readable files
--------------
Values equal to the reader's defaults are left out (a task's ``id`` and ``wbs`` when they are
its position in the outline, priority 500, an ASAP constraint ...), keys come in a fixed order,
each task is an object of its own nested under its summary task, durations and lags are
written as ``"5d"``, ``"3h"``, ``"2w"``, ``"10ed"`` or ``"50%"`` and dates in ISO form (a date
alone when its time is the plan's default start or finish time, which the reader gives back).
JSON is indented by two spaces, with short lists on one line; TOML uses ``[[tasks]]`` tables
indented by their depth.

What is not written
-------------------
What an authoring tool computes or keeps for itself is dropped: scheduled, early and late
dates and floats, the critical flag, actual and estimated durations, the project's finish,
current date, currency and summary row, links to other projects. The rest reads back as
written, up to these normalisations (the reader's own rules):

- instants lose their seconds; calendars are numbered from 1 in the order written, and each
  takes the plan's ``minutes_per_day``, ``minutes_per_week`` and ``days_per_month``;
- a calendar's own week equal to the week it would inherit reads back as no week of its own;
  calendar names are made unique and not empty ("Calendar 2", "Night (2)"); a plan that has
  calendars but no project calendar gets a "Standard" calendar (Microsoft Project's standard
  week) as its project calendar, which schedules the same;
- tasks come in outline order; a task is a summary task when it has subtasks, its outline
  level, outline number and parent come from the nesting, an empty ``wbs`` is the outline
  number and an id left unset is the position; a summary task has no duration, progress,
  calendar, manual start or milestone flag, and only an ASAP, ALAP, SNET or FNLT constraint;
- a duration without a display unit is written in days, hours or minutes (elapsed ones in
  ``ed``, ``eh``, ``em``), the largest that is exact; a zero duration makes a milestone and
  keeps its unit only when elapsed; a zero lag has no unit;
- progress needs an actual start: without one, % complete, actual finish and remaining
  duration are dropped; a manual task needs its start, without one it is automatic;
- an empty task or plan name is written as "Task UID" or "Untitled"; a link from a task to
  itself is dropped; the links come grouped by successor, in outline order;
- a constraint date on an ASAP or ALAP constraint is dropped;
- a leveling delay is written in its own unit, else (elapsed, Microsoft Project's default) in
  ``ed``, ``eh`` or ``em``, the largest that is exact; a summary task has none;
- resources are numbered from 1 in the order written (assignments in the order of the tasks);
  a resource without a usable ``key`` gets one made from its name; a resource's work, cost,
  GUID, baselines and custom fields, an assignment's dates, cost and progress, and the
  assignments to resources or tasks not written, or repeating a resource on a task, are
  dropped; a rate's unit is kept only with its rate; a resource whose capacity changes over
  time reads back with the most units of its steps as its ``max_units``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, Literal, TypeAlias

from pilotage.engine.calendars import (
    CalendarException,
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    RecurringException,
    Weekly,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    YearlyByWeekday,
)
from pilotage.engine.plan import (
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanLink,
    PlanTask,
)
from pilotage.engine.schedule_plan import leveling_delay_is_elapsed
from pilotage.interop.document import CapacityStep, DocumentAssignment, DocumentResource

__all__ = ["SCHEMA_URL", "write_plan"]

SCHEMA_URL: Final = "https://pilotage.readthedocs.io/plan.schema.json"
"""The address of the plan's JSON Schema, written as ``$schema`` at the top of a JSON plan."""

Document: TypeAlias = dict[str, Any]
Kind: TypeAlias = Literal["start", "finish"]

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_POSITIONS: Final = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_SUMMARY_CONSTRAINTS: Final = frozenset({"ASAP", "ALAP", "SNET", "FNLT"})
_START_CONSTRAINTS: Final = frozenset({"MSO", "SNET", "SNLT"})
_LINE_WIDTH: Final = 100
_TOML_BARE_KEY: Final = re.compile(r"^[A-Za-z0-9_-]+$")
_RESOURCE_KEY: Final = re.compile(r"^[^\s:]+$")
_KEY_CHARACTERS: Final = re.compile(r"[^\w.-]+")
_TOML_ESCAPES: Final = {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


def write_plan(
    plan: Plan,
    *,
    format: Literal["json", "toml"] = "json",
    resources: Sequence[DocumentResource] = (),
    assignments: Sequence[DocumentAssignment] = (),
) -> str:
    """Write a plan as a Pilotage plan file, in JSON or TOML.

    Parameters
    ----------
    plan : Plan
        The plan, as a reader or the planning app builds it.
    format : {"json", "toml"}, optional
        The syntax, JSON by default.
    resources, assignments : sequence, optional
        The resources of a :class:`~pilotage.interop.document.ProjectDocument` and their
        assignments to the plan's tasks, written as the plan's ``resources`` and each task's
        ``resources``.

    Returns
    -------
    str
        The document, ending with a newline; :func:`pilotage.interop.planfile.parse_plan`
        reads it back to the same plan, up to the normalisations listed in the module's
        documentation.

    Raises
    ------
    ValueError
        If the format is unknown, or the plan has no start and no task date to start from.

    Examples
    --------
    >>> from datetime import datetime
    >>> from pilotage.engine.plan import PlanLink, PlanTask
    >>> plan = Plan(
    ...     name="Launch",
    ...     start=datetime(2026, 3, 2, 8),
    ...     tasks=(
    ...         PlanTask(uid=1, id=1, name="Design", duration_minutes=960, duration_format="d"),
    ...         PlanTask(uid=2, id=2, name="Build", duration_minutes=4320,
    ...                  duration_format="ed", elapsed=True),
    ...     ),
    ...     links=(PlanLink(1, 2, "SS", lag_percent=50.0, lag_format="%"),),
    ... )
    >>> print(write_plan(plan, format="toml"))
    name = "Launch"
    start = 2026-03-02
    <BLANKLINE>
    [[tasks]]
    uid = 1
    name = "Design"
    duration = "2d"
    <BLANKLINE>
    [[tasks]]
    uid = 2
    name = "Build"
    duration = "3ed"
    predecessors = ["1SS+50%"]
    <BLANKLINE>
    >>> from pilotage.interop.planfile import parse_plan
    >>> read = parse_plan(write_plan(plan), format="json").plan
    >>> read.links == plan.links, [(task.duration_minutes, task.elapsed) for task in read.tasks]
    (True, [(960, False), (4320, True)])
    """
    if format not in ("json", "toml"):
        raise ValueError(f"unknown plan format {format!r}: write json or toml")
    document = _DocumentWriter(plan, resources, assignments).document()
    return _json_document(document) if format == "json" else _toml_document(document)


class _DocumentWriter:
    """Builds the plan-as-code document of a plan: nested dicts in the order they are written."""

    def __init__(
        self,
        plan: Plan,
        resources: Sequence[DocumentResource] = (),
        assignments: Sequence[DocumentAssignment] = (),
    ) -> None:
        self.plan = plan
        self.calendar_names = _calendar_names(plan.calendars)
        self.resources = _resource_keys(resources)
        self.assignments: dict[int, list[tuple[str, DocumentAssignment]]] = {}
        task_uids = {task.uid for task in plan.tasks}
        keys = {resource.uid: key for key, resource in self.resources.items()}
        for assignment in assignments:
            key = keys.get(assignment.resource_uid)
            if key is None or assignment.task_uid not in task_uids:
                continue
            on_task = self.assignments.setdefault(assignment.task_uid, [])
            if all(other != key for other, _ in on_task):
                on_task.append((key, assignment))
        self.links: dict[int, list[PlanLink]] = {}
        uids = {task.uid for task in plan.tasks}
        for link in plan.links:
            if (
                not link.cross_project
                and link.predecessor_uid in uids
                and link.predecessor_uid != link.successor_uid
            ):
                self.links.setdefault(link.successor_uid, []).append(link)
        self.children: dict[int | None, list[PlanTask]] = {}
        for task in plan.tasks:
            parent = task.parent_uid if task.parent_uid in uids else None
            self.children.setdefault(parent, []).append(task)
        self.row = 0

    def document(self) -> Document:
        plan = self.plan
        document: Document = {"name": plan.name if plan.name.strip() else "Untitled"}
        document["start"] = self.moment(_plan_start(plan), "start")
        if plan.status_date is not None:
            document["status_date"] = self.moment(plan.status_date, "finish")
        calendars = [self.calendar(item) for item in plan.calendars]
        if plan.calendar_uid is not None:
            document["calendar"] = self.calendar_names[plan.calendar_uid]
        elif calendars:
            # No project calendar: the standard one, written out so that it stays the project's.
            standard = _unique("Standard", {entry["name"] for entry in calendars})
            calendars.append({"name": standard})
            document["calendar"] = standard
        for key, value, default in (
            ("minutes_per_day", plan.minutes_per_day, 480),
            ("minutes_per_week", plan.minutes_per_week, 2400),
            ("days_per_month", plan.days_per_month, 20),
        ):
            if value != default:
                document[key] = value
        if plan.default_start_minute != 480:
            document["default_start_time"] = _clock(plan.default_start_minute)
        if plan.default_finish_minute != 1020:
            document["default_finish_time"] = _clock(plan.default_finish_minute)
        if calendars:
            document["calendars"] = calendars
        if self.resources:
            document["resources"] = [
                self.resource(key, resource) for key, resource in self.resources.items()
            ]
        tasks = self.task_list(None, "")
        if tasks:
            document["tasks"] = tasks
        return document

    def moment(self, value: datetime, kind: Kind) -> date | datetime:
        """The instant to the minute, or its date alone when its time is the default one."""
        value = value.replace(second=0, microsecond=0, tzinfo=None)
        plan = self.plan
        default = plan.default_start_minute if kind == "start" else plan.default_finish_minute
        if default < 1440 and value.hour * 60 + value.minute == default:
            return value.date()
        return value

    # Calendars

    def calendar(self, item: PlanCalendar) -> Document:
        calendar = item.calendar
        entry: Document = {"name": self.calendar_names[item.uid]}
        base = self.base_uid(item)
        if base is not None:
            entry["base"] = self.calendar_names[base]
        inherited = (
            WeekPattern.standard()
            if base is None
            else self.plan.calendars_by_uid[base].calendar.effective_week
        )
        week = calendar.week if base is not None else calendar.effective_week
        if week is not None:
            days = {
                _WEEKDAYS[weekday]: _hours(periods)
                for weekday, periods in enumerate(week.days)
                if periods != inherited.days[weekday]
            }
            if days:
                entry["week"] = days
        if calendar.holiday_country is not None:
            country = calendar.holiday_country
            subdivision = calendar.holiday_subdivision
            entry["holidays"] = (
                country if subdivision is None else {"country": country, "subdivision": subdivision}
            )
        exceptions = [_exception(exception) for exception in calendar.exceptions]
        if exceptions:
            entry["exceptions"] = exceptions
        recurring = [_recurring(exception) for exception in calendar.recurring]
        if recurring:
            entry["recurring"] = recurring
        return entry

    def base_uid(self, item: PlanCalendar) -> int | None:
        """The UID of the calendar's base, found by its definition when the UID is not given."""
        if item.base_uid is not None and item.base_uid in self.calendar_names:
            return item.base_uid
        if item.calendar.base is None:
            return None
        for other in self.plan.calendars:
            if other.uid != item.uid and other.calendar == item.calendar.base:
                return other.uid
        return None

    # Tasks

    def task_list(self, parent: int | None, prefix: str) -> list[Document]:
        entries = []
        for index, task in enumerate(self.children.get(parent, ()), 1):
            number = f"{prefix}.{index}" if prefix else str(index)
            entries.append(self.task(task, number))
        return entries

    def task(self, task: PlanTask, number: str) -> Document:
        self.row += 1
        summary = task.uid in self.children
        entry: Document = {"uid": task.uid}
        if task.id is not None and task.id != self.row:
            entry["id"] = task.id
        entry["name"] = task.name if task.name.strip() else f"Task {task.uid}"
        if task.wbs and task.wbs != number:
            entry["wbs"] = task.wbs
        if not summary:
            self.work(task, entry)
        self.constraint(task, entry, summary)
        if task.deadline is not None:
            entry["deadline"] = self.moment(task.deadline, "finish")
        if task.priority != 500:
            entry["priority"] = task.priority
        if not summary and task.manual and task.start is not None:
            entry["manual"] = True
            entry["start"] = self.moment(task.start, "start")
        if not task.active:
            entry["active"] = False
        if not summary and task.actual_start is not None:
            self.progress(task, entry)
        if not summary and task.leveling_delay_minutes:
            elapsed = leveling_delay_is_elapsed(task)
            unit = _unit(
                task.leveling_delay_minutes, task.leveling_delay_format, elapsed, self.plan
            )
            minutes = _unit_minutes(unit, self.plan)
            entry["leveling_delay"] = _amount(task.leveling_delay_minutes, minutes) + unit
        predecessors = [self.predecessor(link) for link in self.links.get(task.uid, ())]
        if predecessors:
            entry["predecessors"] = predecessors
        assigned = [self.assignment(key, item) for key, item in self.assignments.get(task.uid, ())]
        if assigned:
            entry["resources"] = assigned
        if task.notes:
            entry["notes"] = task.notes
        if summary:
            entry["tasks"] = self.task_list(task.uid, number)
        return entry

    def work(self, task: PlanTask, entry: Document) -> None:
        """The duration, milestone flag and calendar of a task without subtasks."""
        if task.duration_minutes:
            entry["duration"] = self.duration(task.duration_minutes, task)
            if task.milestone:
                entry["milestone"] = True
        else:
            # The unit of a zero duration is written when something else is shown in it (the
            # remaining duration), so that the file reads back the same.
            shows_remaining = (
                task.actual_start is not None and task.remaining_duration_minutes is not None
            )
            if task.elapsed or shows_remaining:
                entry["duration"] = self.duration(0, task)
            entry["milestone"] = True
        if task.calendar_uid is not None and task.calendar_uid in self.calendar_names:
            entry["calendar"] = self.calendar_names[task.calendar_uid]

    def constraint(self, task: PlanTask, entry: Document, summary: bool) -> None:
        constraint = task.constraint_type
        if constraint == "ASAP" or (summary and constraint not in _SUMMARY_CONSTRAINTS):
            return
        entry["constraint"] = constraint
        if constraint != "ALAP" and task.constraint_date is not None:
            kind: Kind = "start" if constraint in _START_CONSTRAINTS else "finish"
            entry["constraint_date"] = self.moment(task.constraint_date, kind)

    def progress(self, task: PlanTask, entry: Document) -> None:
        assert task.actual_start is not None
        percent = task.percent_complete
        if percent != (100 if task.actual_finish is not None else 0):
            entry["percent_complete"] = int(percent) if percent.is_integer() else percent
        entry["actual_start"] = self.moment(task.actual_start, "start")
        if task.actual_finish is not None:
            entry["actual_finish"] = self.moment(task.actual_finish, "finish")
        if task.remaining_duration_minutes is not None:
            entry["remaining_duration"] = self.duration(task.remaining_duration_minutes, task)

    def duration(self, minutes: int, task: PlanTask) -> str:
        """Minutes of the task (its duration or what remains) in the unit of its duration."""
        unit = _unit(task.duration_minutes, task.duration_format, task.elapsed, self.plan)
        return _amount(minutes, _unit_minutes(unit, self.plan)) + unit

    # Resources

    def resource(self, key: str, resource: DocumentResource) -> Document:
        entry: Document = {"id": key}
        if resource.name.strip() and resource.name != key:
            entry["name"] = resource.name
        if resource.kind != "work":
            entry["type"] = resource.kind
        if resource.capacity:
            entry["max_units"] = [_step(step) for step in resource.capacity]
        elif resource.max_units is not None:
            entry["max_units"] = _number(resource.max_units)
        if resource.calendar_uid is not None and resource.calendar_uid in self.calendar_names:
            entry["calendar"] = self.calendar_names[resource.calendar_uid]
        for name, rate, unit in (
            ("standard_rate", resource.standard_rate, resource.standard_rate_unit),
            ("overtime_rate", resource.overtime_rate, resource.overtime_rate_unit),
        ):
            if rate is not None:
                amount = _number(rate)
                entry[name] = (
                    amount
                    if unit == "h" and not isinstance(amount, str)
                    else (f"{_plain(rate)}/{unit}")
                )
        if resource.cost_per_use is not None:
            entry["cost_per_use"] = _number(resource.cost_per_use)
        for name in ("email", "group"):
            if getattr(resource, name):
                entry[name] = getattr(resource, name)
        if resource.generic:
            entry["generic"] = True
        for name in ("initials", "code", "material_label", "notes"):
            if getattr(resource, name):
                entry[name] = getattr(resource, name)
        return entry

    def assignment(self, key: str, item: DocumentAssignment) -> str | Document:
        """``"alice"``, ``"bob:50%"``; or ``{resource, units, work}`` when it has work."""
        units = None
        if item.units is not None:
            resource = self.resources[key]
            units = (
                f"{_plain(item.units * 100)}%" if resource.kind == "work" else _plain(item.units)
            )
        if item.work_minutes is None:
            return key if units is None else f"{key}:{units}"
        entry: Document = {"resource": key}
        if units is not None:
            entry["units"] = units
        unit = _unit(item.work_minutes, None, False, self.plan)
        entry["work"] = _amount(item.work_minutes, _unit_minutes(unit, self.plan)) + unit
        return entry

    def predecessor(self, link: PlanLink) -> str:
        lag = ""
        if link.lag_format in PERCENT_FORMATS and link.lag_percent:
            sign = "-" if link.lag_percent < 0 else "+"
            lag = f"{sign}{_decimal(abs(link.lag_percent))}{link.lag_format}"
        elif link.lag_minutes:
            unit = _unit(abs(link.lag_minutes), link.lag_format, link.elapsed_lag, self.plan)
            sign = "-" if link.lag_minutes < 0 else "+"
            lag = sign + _amount(abs(link.lag_minutes), _unit_minutes(unit, self.plan)) + unit
        kind = link.type if lag or link.type != "FS" else ""
        return f"{link.predecessor_uid}{kind}{lag}"


def _plan_start(plan: Plan) -> datetime:
    if plan.start is not None:
        return plan.start
    dates = [
        moment
        for task in plan.tasks
        for moment in (task.start, task.early_start, task.actual_start, task.constraint_date)
        if moment is not None
    ]
    dates += [moment for moment in (plan.status_date, plan.finish) if moment is not None]
    if not dates:
        raise ValueError(f"the plan {plan.name!r} has no start date and no task date")
    return min(dates)


def _calendar_names(calendars: Sequence[PlanCalendar]) -> dict[int, str]:
    """A unique, non-empty name for each calendar, by UID."""
    names: dict[int, str] = {}
    for item in calendars:
        name = item.calendar.name if item.calendar.name.strip() else f"Calendar {item.uid}"
        names[item.uid] = _unique(name, set(names.values()))
    return names


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name} ({number})"
    return candidate


def _resource_keys(resources: Sequence[DocumentResource]) -> dict[str, DocumentResource]:
    """The resources by a unique short key: their own, else one made from their name."""
    keys: dict[str, DocumentResource] = {}
    uids: set[int] = set()
    for resource in resources:
        if resource.uid in uids:
            continue
        uids.add(resource.uid)
        key = resource.key if _RESOURCE_KEY.match(resource.key) else ""
        if not key or key in keys:
            made = _KEY_CHARACTERS.sub("-", resource.name.strip().lower()).strip("-.")
            key = _unique_key(made or f"resource-{resource.uid}", keys)
        keys[key] = resource
    return keys


def _unique_key(key: str, taken: Mapping[str, object]) -> str:
    candidate, number = key, 1
    while candidate in taken:
        number += 1
        candidate = f"{key}-{number}"
    return candidate


def _plain(value: Decimal) -> str:
    """A decimal in positional notation, without trailing zeros.

    >>> _plain(Decimal("50.00")), _plain(Decimal("1E+2")), _plain(Decimal("0.125"))
    ('50', '100', '0.125')
    """
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _number(value: Decimal) -> int | float | str:
    """A decimal as a number of the file, or as a text when a number would not keep it exactly.

    >>> _number(Decimal("2")), _number(Decimal("0.5")), _number(Decimal("0.10000000000000000001"))
    (2, 0.5, '0.10000000000000000001')
    """
    if value == value.to_integral_value():
        return int(value)
    approximate = float(value)
    if Decimal(repr(approximate)) == value:
        return approximate
    return _plain(value)


def _step(step: CapacityStep) -> Document:
    entry: Document = {}
    if step.start is not None:
        start = step.start.replace(second=0, microsecond=0)
        entry["from"] = start.date() if start.hour == start.minute == 0 else start
    entry["units"] = _number(step.units)
    return entry


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _hours(periods: Iterable[WorkingPeriod]) -> list[str]:
    return [f"{_clock(period.start_minute)}-{_clock(period.end_minute)}" for period in periods]


def _exception(exception: CalendarException) -> Document:
    entry: Document = {}
    if exception.name:
        entry["name"] = exception.name
    entry["start"] = exception.start
    if exception.finish != exception.start:
        entry["finish"] = exception.finish
    if exception.periods:
        entry["hours"] = _hours(exception.periods)
    return entry


def _recurring(exception: RecurringException) -> Document:
    entry: Document = {}
    if exception.name:
        entry["name"] = exception.name
    rule = exception.rule
    if isinstance(rule, YearlyByDate):
        entry.update(month=rule.month, day=rule.day)
    elif isinstance(rule, YearlyByWeekday):
        entry.update(
            month=rule.month, weekday=_WEEKDAYS[rule.weekday], position=_POSITIONS[rule.position]
        )
    else:
        if isinstance(rule, Daily):
            entry["repeat"] = "daily"
        elif isinstance(rule, Weekly):
            entry["repeat"] = "weekly"
        else:
            entry["repeat"] = "monthly"
        if rule.every != 1:
            entry["every"] = rule.every
        if isinstance(rule, MonthlyByDay):
            entry["day"] = rule.day
        elif isinstance(rule, MonthlyByWeekday):
            entry.update(weekday=_WEEKDAYS[rule.weekday], position=_POSITIONS[rule.position])
        elif isinstance(rule, Weekly):
            entry["weekdays"] = [_WEEKDAYS[weekday] for weekday in rule.weekdays]
    if exception.first is not None:
        entry["start"] = exception.first
    if exception.last is not None:
        entry["finish"] = exception.last
    if exception.count is not None:
        entry["occurrences"] = exception.count
    if exception.span_days != 1:
        entry["days"] = exception.span_days
    if exception.periods:
        entry["hours"] = _hours(exception.periods)
    return entry


def _unit(minutes: int, unit: DurationFormat | None, elapsed: bool, plan: Plan) -> DurationFormat:
    """The unit to write a duration or lag in: its own, else the largest exact one."""
    if unit is not None and unit not in PERCENT_FORMATS:
        return unit
    if elapsed:
        return "ed" if minutes % 1440 == 0 else "eh" if minutes % 60 == 0 else "em"
    return "d" if minutes % plan.minutes_per_day == 0 else "h" if minutes % 60 == 0 else "m"


def _unit_minutes(unit: DurationFormat, plan: Plan) -> int:
    return {
        "m": 1,
        "h": 60,
        "d": plan.minutes_per_day,
        "w": plan.minutes_per_week,
        "mo": plan.days_per_month * plan.minutes_per_day,
        "em": 1,
        "eh": 60,
        "ed": 1440,
        "ew": 10080,
        "emo": 43200,
    }[unit]


def _amount(minutes: int, unit_minutes: int) -> str:
    """The shortest decimal number of units that the reader turns back into these minutes.

    >>> _amount(960, 480), _amount(720, 480), _amount(500, 480), _amount(0, 480)
    ('2', '1.5', '1.042', '0')
    """
    for digits in range(16):
        text = f"{minutes / unit_minutes:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if round(float(text) * unit_minutes) == minutes:
            return text
    raise ValueError(f"{minutes} minutes cannot be written in units of {unit_minutes} minutes")


def _decimal(value: float) -> str:
    """A number in positional notation that reads back as the same float.

    >>> _decimal(50.0), _decimal(12.5), _decimal(1e-05), _decimal(1 / 3)
    ('50', '12.5', '0.00001', '0.3333333333333333')
    """
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# JSON


def _json_document(document: Document) -> str:
    return f'{{\n  "$schema": {json.dumps(SCHEMA_URL)},\n{_json_members(document, 1)}\n}}\n'


def _json_members(value: Mapping[str, Any], level: int) -> str:
    """The members of an object written one per line: the plan, a calendar, a task, a week."""
    pad = "  " * level
    lines = []
    for key, item in value.items():
        if isinstance(item, dict) and key == "week":
            text = f"{{\n{_json_members(item, level + 1)}\n{pad}}}" if item else "{}"
        elif isinstance(item, list) and any(isinstance(element, dict) for element in item):
            expand = key in ("calendars", "tasks")
            inner = "  " * (level + 1)
            elements = [
                f"{inner}{{\n{_json_members(element, level + 2)}\n{inner}}}"
                if expand
                else inner + _json_inline(element)
                for element in item
            ]
            text = "[\n" + ",\n".join(elements) + f"\n{pad}]"
        else:
            text = _json_inline(item)
        lines.append(f"{pad}{json.dumps(key)}: {text}")
    return ",\n".join(lines)


def _json_inline(value: Any) -> str:
    if isinstance(value, dict):
        members = ", ".join(
            f"{json.dumps(key)}: {_json_inline(item)}" for key, item in value.items()
        )
        return f"{{{members}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_inline(item) for item in value) + "]"
    if isinstance(value, datetime):
        return json.dumps(value.isoformat(timespec="seconds"))
    if isinstance(value, date):
        return json.dumps(value.isoformat())
    if isinstance(value, float):
        return _decimal(value)
    return json.dumps(value, ensure_ascii=False)


# TOML


def _toml_document(document: Document) -> str:
    lines: list[str] = []
    for key, value in document.items():
        if key not in ("calendars", "resources", "tasks"):
            lines.append(f"{key} = {_toml_value(value)}")
    for calendar in document.get("calendars", ()):
        lines += ["", "[[calendars]]"]
        week_table: Mapping[str, Any] | None = None
        for key, value in calendar.items():
            line = f"{key} = {_toml_value(value)}"
            if key == "week" and len(line) > _LINE_WIDTH:
                week_table = value
            elif key in ("exceptions", "recurring"):
                items = "".join(f"  {_toml_value(item)},\n" for item in value)
                lines.append(f"{key} = [\n{items}]")
            else:
                lines.append(line)
        if week_table is not None:
            lines += ["", "[calendars.week]"]
            lines += [f"{day} = {_toml_value(hours)}" for day, hours in week_table.items()]
    for resource in document.get("resources", ()):
        lines += ["", "[[resources]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in resource.items()]
    for task in document.get("tasks", ()):
        _toml_task(task, 0, lines)
    return "\n".join(lines) + "\n"


def _toml_task(task: Mapping[str, Any], depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    lines += ["", f"{indent}[[{'.'.join(['tasks'] * (depth + 1))}]]"]
    for key, value in task.items():
        if key != "tasks":
            lines.append(f"{indent}{key} = {_toml_value(value)}")
    for child in task.get("tasks", ()):
        _toml_task(child, depth + 1, lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = _decimal(value)
        return text if "." in text else f"{text}.0"
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = ", ".join(
            f"{_toml_key(key)} = {_toml_value(item)}" for key, item in value.items()
        )
        return f"{{ {members} }}"
    raise TypeError(f"cannot write {value!r} in TOML")


def _toml_key(key: str) -> str:
    return key if _TOML_BARE_KEY.match(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    r"""A TOML basic string; a text of several lines is written on several lines.

    >>> print(_toml_string('Say "hi" \\ bye'))
    "Say \"hi\" \\ bye"
    >>> lines = _toml_string("First line\nSecond line\r\n").splitlines()
    >>> lines[1:3], lines[0] == lines[3] == 3 * '"'
    (['First line', 'Second line\\r'], True)
    """
    if "\n" in text:
        return '"""\n' + _toml_escape(text, keep="\n\t") + '"""'
    return '"' + _toml_escape(text, keep="") + '"'


def _toml_escape(text: str, *, keep: str) -> str:
    out = []
    for character in text:
        if character in keep:
            out.append(character)
        elif character in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[character])
        elif character < " " or character == "\x7f":
            out.append(f"\\u{ord(character):04X}")
        else:
            out.append(character)
    return "".join(out)
