"""Read plan files: Microsoft Project XML, or Pilotage's own plan-as-code in JSON or TOML.

:func:`read_plan_file` picks the reader from the file's extension: ``.xml`` (and ``.mpp``, to
explain that it must be saved as XML) goes to :func:`pilotage.interop.mspdi.read_mspdi`,
``.json`` and ``.toml`` to the plan-as-code reader, :func:`parse_plan`. A file with another
extension is recognised by its first character.

The plan-as-code format is documented in ``docs/plan-format.md`` and described by the JSON
Schema ``docs/plan.schema.json``; the TOML form has exactly the same structure. In short: a
project with a ``name`` and a ``start``, named ``calendars``, and ``tasks`` nested under their
summary task, each with a ``uid``, a ``name``, a ``duration`` such as ``"5d"`` and
``predecessors`` such as ``["3", "4SS+2d", "7FF-1d"]``, and ``resources`` with a short ``id``
that the tasks assign: ``resources = ["alice", "bob:50%"]``. The resources and assignments are
returned as :class:`~pilotage.interop.document.DocumentResource` and
:class:`~pilotage.interop.document.DocumentAssignment`, as the other formats' readers give them.

Every problem is a :class:`~pilotage.interop.errors.PlanFileError` naming the file, the line
(found again in the text when the problem is not in the syntax) and the task or calendar and
the field.

:func:`write_plan` (from :mod:`pilotage.interop.planfile_writer`) is the inverse of
:func:`parse_plan`: it writes any plan as plan-as-code.
"""

from __future__ import annotations

import difflib
import json
import json.decoder
import json.scanner
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, TypeAlias

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
    YearlyByWeekday,
)
from pilotage.engine.errors import CalendarError, ScheduleInputError
from pilotage.engine.plan import (
    CONSTRAINT_TYPES,
    DURATION_FORMATS,
    ELAPSED_FORMATS,
    LINK_TYPES,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanConstraintType,
    PlanLink,
    PlanLinkType,
    PlanTask,
)
from pilotage.interop.document import (
    RESOURCE_KINDS,
    CapacityStep,
    DocumentAssignment,
    DocumentResource,
    RateUnit,
    ResourceKind,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.mspdi import read_mspdi
from pilotage.interop.planfile_writer import write_plan

__all__ = [
    "ASSIGNMENT_FIELDS",
    "CALENDAR_FIELDS",
    "CAPACITY_FIELDS",
    "PLAN_FIELDS",
    "PREDECESSOR_FIELDS",
    "RECURRING_FIELDS",
    "RESOURCE_FIELDS",
    "TASK_FIELDS",
    "PlanFileError",
    "PlanFormat",
    "PlanReadResult",
    "parse_plan",
    "read_plan_file",
    "write_plan",
]

PlanFormat: TypeAlias = Literal["mspdi", "json", "toml"]
"""Which kind of file a plan was read from."""

PLAN_FIELDS: Final = frozenset(
    {
        "$schema",
        "name",
        "start",
        "status_date",
        "calendar",
        "minutes_per_day",
        "minutes_per_week",
        "days_per_month",
        "default_start_time",
        "default_finish_time",
        "calendars",
        "resources",
        "tasks",
    }
)
"""The fields of a plan-as-code document."""

CALENDAR_FIELDS: Final = frozenset({"name", "base", "week", "holidays", "exceptions", "recurring"})
"""The fields of a calendar in a plan-as-code document."""

TASK_FIELDS: Final = frozenset(
    {
        "uid",
        "id",
        "name",
        "wbs",
        "duration",
        "milestone",
        "calendar",
        "constraint",
        "constraint_date",
        "deadline",
        "priority",
        "manual",
        "start",
        "active",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "remaining_duration",
        "leveling_delay",
        "predecessors",
        "resources",
        "notes",
        "tasks",
    }
)
"""The fields of a task in a plan-as-code document."""

PREDECESSOR_FIELDS: Final = frozenset({"task", "type", "lag"})
"""The fields of a predecessor written as an object rather than as ``"3FS+2d"``."""

RESOURCE_FIELDS: Final = frozenset(
    {
        "id",
        "name",
        "type",
        "max_units",
        "calendar",
        "standard_rate",
        "overtime_rate",
        "cost_per_use",
        "email",
        "group",
        "generic",
        "initials",
        "code",
        "material_label",
        "notes",
    }
)
"""The fields of a resource in a plan-as-code document."""

CAPACITY_FIELDS: Final = frozenset({"from", "units"})
"""The fields of a step of a resource's ``max_units`` when it changes over time."""

ASSIGNMENT_FIELDS: Final = frozenset({"resource", "units", "work"})
"""The fields of a task's assignment written as an object rather than as ``"bob:50%"``."""

RECURRING_FIELDS: Final = frozenset(
    {
        "name",
        "repeat",
        "every",
        "month",
        "day",
        "weekday",
        "position",
        "weekdays",
        "start",
        "finish",
        "occurrences",
        "days",
        "hours",
    }
)
"""The fields of a recurring exception of a calendar."""

_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXCEPTION_FIELDS: Final = frozenset({"name", "start", "finish", "hours"})
_REPEATS: Final = ("daily", "weekly", "monthly", "yearly")
_REPEAT_FIELDS: Final[dict[str, frozenset[str]]] = {
    "daily": frozenset({"every"}),
    "weekly": frozenset({"every", "weekdays"}),
    "monthly": frozenset({"every", "day", "weekday", "position"}),
    "yearly": frozenset({"month", "day", "weekday", "position"}),
}
_REPEAT_UNITS: Final = {"daily": "days", "weekly": "weeks", "monthly": "months"}
_POSITIONS: Final = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_HOLIDAY_FIELDS: Final = frozenset({"country", "subdivision"})
_SUMMARY_CONSTRAINTS: Final = frozenset({"ASAP", "ALAP", "SNET", "FNLT"})
_START_CONSTRAINTS: Final = frozenset({"MSO", "SNET", "SNLT"})
_NUMBER: Final = r"(\d+(?:\.\d+)?|\.\d+)"
_DURATION: Final = re.compile(rf"^\s*{_NUMBER}\s*(emo|mo|em|eh|ed|ew|m|h|d|w)\s*$")
_LAG: Final = re.compile(rf"^\s*([+-])?\s*{_NUMBER}\s*(emo|mo|em|eh|ed|ew|m|h|d|w|e%|%)\s*$")
_PREDECESSOR: Final = re.compile(r"^\s*(\d+)\s*(FS|SS|FF|SF)?\s*(?:([+-].*))?$", re.IGNORECASE)
_PERIOD: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOCK: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::00)?\s*$")
_LAG_FORMATS: Final[dict[str, DurationFormat]] = {unit: unit for unit in DURATION_FORMATS}
_CONSTRAINTS: Final[dict[str, PlanConstraintType]] = {kind: kind for kind in CONSTRAINT_TYPES}
_LINK_TYPE_NAMES: Final[dict[str, PlanLinkType]] = {kind: kind for kind in LINK_TYPES}
_DATE_ONLY: Final = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")
_TOML_POSITION: Final = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_TOML_HEADER: Final = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(?:#.*)?$")
_TOML_BARE: Final = r"""(?:[A-Za-z0-9_$-]+|"[^"]*"|'[^']*')"""
_TOML_KEY: Final = re.compile(rf"^\s*({_TOML_BARE}(?:\s*\.\s*{_TOML_BARE})*)\s*=")
_RESOURCE_KEY: Final = re.compile(r"^[^\s:]+$")
_ASSIGNMENT: Final = re.compile(r"^\s*([^\s:]+)\s*(?::(.*))?$")
_UNITS: Final = re.compile(rf"^\s*{_NUMBER}\s*(%)?\s*$")
_AMOUNT: Final = re.compile(rf"^\s*{_NUMBER}\s*$")
_RATE: Final = re.compile(rf"^\s*{_NUMBER}\s*(?:/\s*(mo|m|h|d|w|y))?\s*$")
_RATE_UNITS: Final[dict[str, RateUnit]] = {
    "m": "m",
    "h": "h",
    "d": "d",
    "w": "w",
    "mo": "mo",
    "y": "y",
}
_WORK_UNITS: Final = frozenset({"m", "h", "d", "w", "mo"})
_RESOURCE_KIND_NAMES: Final[dict[str, ResourceKind]] = {kind: kind for kind in RESOURCE_KINDS}

Path_: TypeAlias = tuple[str | int, ...]
Kind: TypeAlias = Literal["start", "finish"]


@dataclass(frozen=True)
class PlanReadResult:
    """What :func:`read_plan_file` read: the plan, and what it had to skip or guess.

    Parameters
    ----------
    plan : Plan
        The plan.
    warnings : list of str
        One line per problem that did not stop the reading.
    format : {"mspdi", "json", "toml"}
        The kind of file.
    resources, assignments : tuple, optional
        The resources of a plan-as-code file (UIDs 1, 2 ... in the file's order, ``key`` their
        ``id``) and the tasks' assignments to them (UIDs in the order of the tasks); a Microsoft
        Project file's are read by :func:`pilotage.interop.mspdi.read_mspdi_document`.

    Examples
    --------
    >>> result = parse_plan('{"name": "Empty", "start": "2026-03-02"}', format="json")
    >>> result.plan.name, result.plan.start, result.warnings, result.format
    ('Empty', datetime.datetime(2026, 3, 2, 8, 0), [], 'json')
    """

    plan: Plan
    warnings: list[str] = field(default_factory=list)
    format: PlanFormat = "json"
    resources: tuple[DocumentResource, ...] = ()
    assignments: tuple[DocumentAssignment, ...] = ()


def read_plan_file(path: str | os.PathLike[str], *, name: str | None = None) -> PlanReadResult:
    """Read a plan file: Microsoft Project XML, or plan-as-code in JSON or TOML.

    Parameters
    ----------
    path : str or path-like
        The file. ``.xml`` is read as Microsoft Project XML (MSPDI), ``.json`` and ``.toml``
        as plan-as-code; another extension is recognised by the file's first character.
    name : str, optional
        How to name the file in messages; its path by default.

    Returns
    -------
    PlanReadResult
        The plan, the warnings and the kind of file.

    Raises
    ------
    PlanFileError
        If the file cannot be read or holds something that is not a valid plan; the message
        names the file, the line when it is known, and the task or calendar and the field.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plan_path = Path(folder) / "launch.toml"
    ...     _ = plan_path.write_text('name = "Launch"\\nstart = 2026-03-02\\n'
    ...                              '[[tasks]]\\nuid = 1\\nname = "Build"\\nduration = "3x"\\n')
    ...     read_plan_file(plan_path, name="launch.toml")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: launch.toml, line 6: Task 1: duration '3x' is not \
a duration (write a number and a unit: 30m, 4h, 5d, 2w, 1mo, or 3ed for elapsed days)
    """
    label = name or os.fspath(path)
    suffix = Path(path).suffix.lower()
    if suffix in (".xml", ".mspdi", ".mpp"):
        result = read_mspdi(path, name=label)
        return PlanReadResult(result.plan, list(result.warnings), "mspdi")
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise PlanFileError(label, f"cannot be read: {error.strerror or error}") from error
    if suffix == ".json":
        return parse_plan(content, format="json", name=label)
    if suffix == ".toml":
        return parse_plan(content, format="toml", name=label)
    first = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"<":
        result = read_mspdi(content, name=label)
        return PlanReadResult(result.plan, list(result.warnings), "mspdi")
    if first == b"{":
        return parse_plan(content, format="json", name=label)
    raise PlanFileError(
        label,
        "not a plan file: name it .xml (Microsoft Project XML), .json or .toml (a Pilotage plan)",
    )


def parse_plan(
    content: str | bytes, *, format: Literal["json", "toml"], name: str = "the plan"
) -> PlanReadResult:
    """Read a plan-as-code document from its text.

    Parameters
    ----------
    content : str or bytes
        The document (bytes are decoded as UTF-8).
    format : {"json", "toml"}
        Its syntax.
    name : str, optional
        How to name the document in messages.

    Returns
    -------
    PlanReadResult
        The plan.

    Raises
    ------
    PlanFileError
        If the text is not valid JSON or TOML, or not a valid plan; the message names the
        line, the task or calendar, and the field.

    Examples
    --------
    >>> result = parse_plan('''
    ... name = "Launch"
    ... start = 2026-03-02T08:00:00
    ... [[tasks]]
    ... uid = 1
    ... name = "Design"
    ... duration = "2d"
    ... [[tasks]]
    ... uid = 2
    ... name = "Build"
    ... duration = "3d"
    ... predecessors = ["1FS+1d"]
    ... ''', format="toml")
    >>> [(task.uid, task.duration_minutes) for task in result.plan.tasks]
    [(1, 960), (2, 1440)]
    >>> link = result.plan.links[0]
    >>> link.predecessor_uid, link.successor_uid, link.type, link.lag_minutes
    (1, 2, 'FS', 480)
    >>> parse_plan('{"name": "Launch", "start": "2026-03-02", "tasks": [{"uid": 1}]}',
    ...            format="json", name="plan.json")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: plan.json, line 1: Task 1: name is required
    """
    text = _decode(content, name)
    data = _load(text, format, name)
    builder = _Builder()
    try:
        plan = builder.plan(data)
    except _InvalidPlanError as problem:
        line = _locate(text, format, problem.path)
        raise PlanFileError(name, problem.message, line=line) from None
    return PlanReadResult(
        plan, [], format, tuple(builder.resources.values()), tuple(builder.assignments)
    )


class _InvalidPlanError(Exception):
    """A problem in the plan, with the path of the value at fault (keys and list indices)."""

    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _decode(content: str | bytes, name: str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise PlanFileError(name, "the file is not UTF-8 text", line=line) from None


def _load(text: str, format: Literal["json", "toml"], name: str) -> dict[str, Any]:
    data: Any
    if format == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise PlanFileError(name, f"malformed JSON: {error.msg}", line=error.lineno) from None
        except RecursionError:
            raise PlanFileError(name, "malformed JSON: nested too deeply") from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = _TOML_POSITION.search(message)
            line = int(found.group(1)) if found else None
            problem = _TOML_POSITION.sub("", message)
            raise PlanFileError(name, f"malformed TOML: {problem}", line=line) from None
    if not isinstance(data, dict):
        raise PlanFileError(
            name, f"not a Pilotage plan: the document is {_kind(data)}, not an object", line=1
        )
    return data


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "a date" if isinstance(value, date | time) else type(value).__name__


@dataclass
class _Settings:
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    start_minute: int = 480
    finish_minute: int = 1020

    def unit_minutes(self, unit: str) -> int:
        return {
            "m": 1,
            "h": 60,
            "d": self.minutes_per_day,
            "w": self.minutes_per_week,
            "mo": self.days_per_month * self.minutes_per_day,
            "em": 1,
            "eh": 60,
            "ed": 1440,
            "ew": 10080,
            "emo": 43200,
        }[unit]


@dataclass(frozen=True)
class _Where:
    """The object being read: who it is in messages and where it is in the document."""

    owner: str
    path: Path_

    def at(self, key: str | int) -> Path_:
        return (*self.path, key)

    def fail(self, key: str | int | None, problem: str) -> NoReturn:
        raise _InvalidPlanError(
            self.path if key is None else self.at(key), f"{self.owner}: {problem}"
        )


@dataclass(frozen=True)
class _RawLink:
    where: _Where
    link: PlanLink


class _Builder:
    """Builds a Plan from a parsed plan-as-code document, checking every value."""

    def __init__(self) -> None:
        self.settings = _Settings()
        self.calendar_uids: dict[str, int] = {}
        self.tasks: list[PlanTask] = []
        self.task_where: dict[int, _Where] = {}
        self.links: list[_RawLink] = []
        self.resources: dict[str, DocumentResource] = {}
        self.assignments: list[DocumentAssignment] = []

    def plan(self, data: Mapping[str, Any]) -> Plan:
        where = _Where("Plan", ())
        _check_fields(data, PLAN_FIELDS, where)
        name = _text(data, "name", where, required=True)
        settings = self.settings
        for key in ("minutes_per_day", "minutes_per_week", "days_per_month"):
            value = _integer(data, key, where, low=1, high=10080 if key != "days_per_month" else 31)
            if value is not None:
                setattr(settings, key, value)
        if settings.minutes_per_day > 1440:
            where.fail("minutes_per_day", "minutes_per_day must be 1 to 1440")
        for key, attribute in (
            ("default_start_time", "start_minute"),
            ("default_finish_time", "finish_minute"),
        ):
            clock = _text(data, key, where)
            if clock is not None:
                setattr(settings, attribute, _clock(clock, where, key))
        start = self.moment(data, "start", where, "start", required=True)
        status_date = self.moment(data, "status_date", where, "finish")
        calendars = self.calendars(data.get("calendars", []), where.at("calendars"))
        project_calendar = _text(data, "calendar", where)
        calendar_uid = None
        if project_calendar is not None:
            calendar_uid = self.calendar_uid(project_calendar, where, "calendar")
        elif calendars:
            calendar_uid = calendars[0].uid
        self.resource_list(data.get("resources", []), where.at("resources"))
        self.task_list(data.get("tasks", []), where.at("tasks"), None, "")
        links = self.resolve_links()
        try:
            return Plan(
                name=name,
                start=start,
                status_date=status_date,
                calendar_uid=calendar_uid,
                minutes_per_day=settings.minutes_per_day,
                minutes_per_week=settings.minutes_per_week,
                days_per_month=settings.days_per_month,
                default_start_minute=settings.start_minute,
                default_finish_minute=settings.finish_minute,
                calendars=tuple(calendars),
                tasks=tuple(self.tasks),
                links=tuple(links),
            )
        except ScheduleInputError as error:
            raise _InvalidPlanError((), str(error)) from None

    def moment(
        self,
        data: Mapping[str, Any],
        key: str,
        where: _Where,
        kind: Kind,
        *,
        required: bool = False,
    ) -> datetime | None:
        value = data.get(key)
        if value is None:
            if required:
                where.fail(None, f"{key} is required")
            return None
        default_minute = (
            self.settings.start_minute if kind == "start" else self.settings.finish_minute
        )

        def at_default_time(day: date) -> datetime:
            # A default time of 24:00 is the midnight that ends the day.
            return datetime.combine(day, time()) + timedelta(minutes=default_minute)

        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            return at_default_time(value)
        elif isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                where.fail(
                    key,
                    f"{key} {value!r} is not a date and time (write 2026-03-02T08:00:00, or "
                    "2026-03-02)",
                )
            if _DATE_ONLY.match(value):
                return at_default_time(moment.date())
        else:
            where.fail(key, f"{key} must be a date and time, not {_kind(value)}")
        if moment.tzinfo is not None:
            where.fail(key, f"{key} {value!s} has a time zone; write the local time without one")
        return moment.replace(second=0, microsecond=0)

    def calendars(self, items: object, path: Path_) -> list[PlanCalendar]:
        entries = _list(items, path, "Plan", "calendars")
        raw: dict[str, tuple[_Where, Mapping[str, Any]]] = {}
        for index, item in enumerate(entries):
            where = _Where(f"The calendar at {_dotted((*path, index))}", (*path, index))
            if not isinstance(item, dict):
                where.fail(None, f"a calendar must be an object, not {_kind(item)}")
            name = _text(item, "name", where, required=True)
            where = _Where(f"Calendar {name!r}", where.path)
            _check_fields(item, CALENDAR_FIELDS, where)
            if name in raw:
                where.fail("name", "the name is used by another calendar")
            raw[name] = (where, item)
            self.calendar_uids[name] = index + 1
        built: dict[str, PlanCalendar] = {}

        def build(name: str, chain: tuple[str, ...]) -> PlanCalendar:
            if name in built:
                return built[name]
            where, item = raw[name]
            base_name = _text(item, "base", where)
            base: PlanCalendar | None = None
            if base_name is not None:
                if base_name not in raw:
                    where.fail("base", f"the base calendar {base_name!r} is not in the plan")
                if base_name in chain:
                    loop = " -> ".join((*chain, base_name))
                    where.fail("base", f"the base calendars form a loop: {loop}")
                base = build(base_name, (*chain, base_name))
            built[name] = self.calendar(name, item, where, base)
            return built[name]

        return [build(name, (name,)) for name in raw]

    def calendar(
        self, name: str, item: Mapping[str, Any], where: _Where, base: PlanCalendar | None
    ) -> PlanCalendar:
        week: WeekPattern | None = None
        days = item.get("week")
        if days is not None:
            if not isinstance(days, dict):
                where.fail("week", f"week must be an object of weekdays, not {_kind(days)}")
            week_where = _Where(where.owner, where.at("week"))
            _check_fields(days, frozenset(_WEEKDAYS), week_where, what="weekday")
            week = base.calendar.effective_week if base is not None else WeekPattern.standard()
            for weekday, day_name in enumerate(_WEEKDAYS):
                if day_name in days:
                    week = week.with_day(weekday, _periods(days[day_name], week_where, day_name))
        country, subdivision = self.holidays(item.get("holidays"), where)
        exceptions = []
        for index, entry in enumerate(
            _list(item.get("exceptions", []), where.at("exceptions"), where.owner, "exceptions")
        ):
            exceptions.append(
                self.exception(entry, _Where(where.owner, (*where.at("exceptions"), index)))
            )
        recurring = []
        for index, entry in enumerate(
            _list(item.get("recurring", []), where.at("recurring"), where.owner, "recurring")
        ):
            recurring.append(
                self.recurring(entry, _Where(where.owner, (*where.at("recurring"), index)))
            )
        settings = self.settings
        try:
            calendar = Calendar(
                name,
                week,
                exceptions=tuple(exceptions),
                recurring=tuple(recurring),
                holiday_country=country,
                holiday_subdivision=subdivision,
                base=None if base is None else base.calendar,
                minutes_per_day=settings.minutes_per_day,
                minutes_per_week=settings.minutes_per_week,
                days_per_month=settings.days_per_month,
            )
        except CalendarError as error:
            path = where.at("holidays") if "holiday" in str(error) else where.path
            raise _InvalidPlanError(path, str(error)) from None
        return PlanCalendar(self.calendar_uids[name], calendar, None if base is None else base.uid)

    def holidays(self, value: object, where: _Where) -> tuple[str | None, str | None]:
        if value is None:
            return None, None
        if isinstance(value, str):
            return value.strip().upper(), None
        if not isinstance(value, dict):
            where.fail(
                "holidays", f"holidays must be a country code or an object, not {_kind(value)}"
            )
        holiday_where = _Where(where.owner, where.at("holidays"))
        _check_fields(value, _HOLIDAY_FIELDS, holiday_where)
        country = _text(value, "country", holiday_where, required=True)
        subdivision = _text(value, "subdivision", holiday_where)
        return country.strip().upper(), subdivision

    def exception(self, entry: object, where: _Where) -> CalendarException:
        if not isinstance(entry, dict):
            where.fail(None, f"an exception must be an object, not {_kind(entry)}")
        _check_fields(entry, _EXCEPTION_FIELDS, where)
        name = _text(entry, "name", where) or ""
        first = _day(entry, "start", where, required=True)
        last = _day(entry, "finish", where) or first
        if last < first:
            where.fail("finish", f"the exception {name!r} finishes before it starts")
        periods = _periods(entry.get("hours", []), where, "hours")
        return CalendarException(first, last, periods, name)

    def recurring(self, entry: object, where: _Where) -> RecurringException:
        if not isinstance(entry, dict):
            where.fail(None, f"a recurring exception must be an object, not {_kind(entry)}")
        _check_fields(entry, RECURRING_FIELDS, where)
        name = _text(entry, "name", where) or ""
        repeat_text = _text(entry, "repeat", where)
        repeat = "yearly" if repeat_text is None else repeat_text.strip().lower()
        if repeat not in _REPEATS:
            where.fail("repeat", f"repeat {repeat_text!r} is not one of {', '.join(_REPEATS)}")
        for key in ("every", "month", "day", "weekday", "position", "weekdays"):
            if key in entry and key not in _REPEAT_FIELDS[repeat]:
                where.fail(key, f"a {repeat} recurring exception has no {key}")
        every = _integer(entry, "every", where, low=1, high=1000) or 1
        rule = self.rule(entry, where, repeat, every)
        first = _day(entry, "start", where)
        last = _day(entry, "finish", where)
        if first is not None and last is not None and last < first:
            where.fail("finish", f"the recurring exception {name!r} finishes before it starts")
        count = _integer(entry, "occurrences", where, low=1, high=1_000_000)
        if every > 1 and first is None:
            where.fail(
                "every",
                f"repeating every {every} {_REPEAT_UNITS[repeat]} needs a start date to count from",
            )
        if count is not None and first is None:
            where.fail("occurrences", "a number of occurrences needs a start date to count from")
        span = _integer(entry, "days", where, low=1, high=366) or 1
        periods = _periods(entry.get("hours", []), where, "hours")
        return RecurringException(
            name, periods, rule=rule, first=first, last=last, count=count, span_days=span
        )

    def rule(
        self, entry: Mapping[str, Any], where: _Where, repeat: str, every: int
    ) -> RecurrenceRule:
        if repeat == "daily":
            return Daily(every)
        if repeat == "weekly":
            if "weekdays" not in entry:
                where.fail(None, 'a weekly recurring exception needs its weekdays ("monday" ...)')
            path = where.at("weekdays")
            names = _list(entry["weekdays"], path, where.owner, "weekdays")
            if not names:
                where.fail("weekdays", "weekdays must name at least one day")
            item_where = _Where(where.owner, path)
            return Weekly(
                tuple(_weekday(name, item_where, index) for index, name in enumerate(names)),
                every,
            )
        month = None
        if repeat == "yearly":
            month = _integer(entry, "month", where, low=1, high=12, required=True)
        day = _integer(entry, "day", where, low=1, high=31)
        has_weekday = "weekday" in entry or "position" in entry
        if day is not None and has_weekday:
            where.fail("day", f"a {repeat} recurring exception has a day or a weekday, not both")
        if day is None and not has_weekday:
            where.fail(
                None, f"a {repeat} recurring exception needs a day, or a weekday and a position"
            )
        if day is not None:
            if month is None:
                return MonthlyByDay(day, every)
            try:
                date(2024, month, day)
            except ValueError:
                where.fail("day", f"{month}-{day} is not a date")
            return YearlyByDate(month, day)
        if "weekday" not in entry:
            where.fail(None, "the position needs a weekday (monday to sunday)")
        if "position" not in entry:
            where.fail(None, "the weekday needs a position (first, second, third, fourth or last)")
        weekday = _weekday(entry["weekday"], where, "weekday")
        position = _position(entry["position"], where)
        if month is None:
            return MonthlyByWeekday(weekday, position, every)
        return YearlyByWeekday(month, weekday, position)

    def calendar_uid(self, name: str, where: _Where, key: str) -> int:
        uid = self.calendar_uids.get(name)
        if uid is None:
            known = ", ".join(repr(known) for known in self.calendar_uids) or "none"
            where.fail(key, f"calendar {name!r} is not one of the plan's calendars ({known})")
        return uid

    def task_list(self, items: object, path: Path_, parent: int | None, prefix: str) -> None:
        owner = "Plan" if parent is None else f"Task {parent}"
        for index, item in enumerate(_list(items, path, owner, "tasks")):
            number = f"{prefix}.{index + 1}" if prefix else str(index + 1)
            self.task(item, (*path, index), parent, number)

    def task(self, item: object, path: Path_, parent: int | None, number: str) -> None:
        where = _Where(f"The task at {_dotted(path)}", path)
        if not isinstance(item, dict):
            where.fail(None, f"a task must be an object, not {_kind(item)}")
        uid = _integer(item, "uid", where, low=0, high=2**62, required=True)
        assert uid is not None
        where = _Where(f"Task {uid}", path)
        if uid in self.task_where:
            where.fail("uid", "the UID is used by another task")
        self.task_where[uid] = where
        _check_fields(item, TASK_FIELDS, where)
        name = _text(item, "name", where, required=True)
        children = item.get("tasks", [])
        summary = bool(children)
        duration, duration_format = self.duration(item, "duration", where)
        milestone = _flag(item, "milestone", where, default=False)
        manual = _flag(item, "manual", where, default=False)
        if summary:
            for key in (
                "duration",
                "milestone",
                "manual",
                "percent_complete",
                "actual_start",
                "actual_finish",
                "remaining_duration",
                "start",
                "calendar",
                "leveling_delay",
            ):
                if key in item:
                    where.fail(
                        key,
                        f"{key} is not allowed on a summary task: its dates come from its subtasks",
                    )
        elif duration is None:
            if not milestone:
                where.fail(
                    None, 'duration is required (e.g. "5d"), or "milestone": true for a milestone'
                )
            duration = 0
        constraint, constraint_date = self.constraint(item, where, summary)
        start = self.moment(item, "start", where, "start")
        if manual and start is None:
            where.fail("manual", "a manually scheduled task needs its start")
        if start is not None and not manual:
            where.fail(
                "start",
                'start is only for a manually scheduled task ("manual": true); hold an '
                "automatic task with a constraint such as SNET",
            )
        percent = _number(item, "percent_complete", where, low=0, high=100)
        actual_start = self.moment(item, "actual_start", where, "start")
        actual_finish = self.moment(item, "actual_finish", where, "finish")
        remaining, _ = self.duration(item, "remaining_duration", where)
        leveling_delay, leveling_delay_format = self.duration(item, "leveling_delay", where)
        if leveling_delay is not None and leveling_delay < 0:
            where.fail("leveling_delay", "a leveling delay cannot be negative")
        if actual_start is None:
            for key, given in (
                ("percent_complete", bool(percent)),
                ("actual_finish", actual_finish is not None),
                ("remaining_duration", remaining is not None),
            ):
                if given:
                    where.fail(key, f"actual_start is required by the progress ({key})")
        if actual_start and actual_finish and actual_finish < actual_start:
            where.fail("actual_finish", "actual_finish is before actual_start")
        calendar_name = _text(item, "calendar", where)
        calendar_uid = (
            None if calendar_name is None else self.calendar_uid(calendar_name, where, "calendar")
        )
        priority = _integer(item, "priority", where, low=0, high=1000)
        outline_level = number.count(".") + 1
        row_id = _integer(item, "id", where, low=0, high=2**62)
        try:
            self.tasks.append(
                PlanTask(
                    uid=uid,
                    id=len(self.tasks) + 1 if row_id is None else row_id,
                    name=name,
                    outline_level=outline_level,
                    wbs=_text(item, "wbs", where) or number,
                    outline_number=number,
                    parent_uid=parent,
                    summary=summary,
                    milestone=milestone or (not summary and duration == 0),
                    manual=manual,
                    active=_flag(item, "active", where, default=True),
                    duration_minutes=duration or 0,
                    duration_format=duration_format,
                    elapsed=duration_format in ELAPSED_FORMATS,
                    constraint_type=constraint,
                    constraint_date=constraint_date,
                    deadline=self.moment(item, "deadline", where, "finish"),
                    calendar_uid=calendar_uid,
                    priority=500 if priority is None else priority,
                    percent_complete=100.0 if actual_finish and percent is None else percent or 0.0,
                    actual_start=actual_start,
                    actual_finish=actual_finish,
                    remaining_duration_minutes=remaining,
                    leveling_delay_minutes=leveling_delay or 0,
                    leveling_delay_format=leveling_delay_format,
                    notes=_text(item, "notes", where) or "",
                    start=start,
                )
            )
        except ScheduleInputError as error:
            raise _InvalidPlanError(path, str(error)) from None
        self.predecessors(item.get("predecessors", []), where, uid)
        self.task_resources(item.get("resources", []), where, uid)
        self.task_list(children, where.at("tasks"), uid, number)

    def duration(
        self, item: Mapping[str, Any], key: str, where: _Where
    ) -> tuple[int | None, DurationFormat | None]:
        value = item.get(key)
        if value is None:
            return None, None
        if not isinstance(value, str) or isinstance(value, bool):
            where.fail(key, f'{key} must be a text such as "5d", not {_kind(value)}')
        found = _DURATION.match(value)
        if found is None:
            where.fail(
                key,
                f"{key} {value!r} is not a duration (write a number and a unit: 30m, 4h, 5d, "
                "2w, 1mo, or 3ed for elapsed days)",
            )
        unit = found.group(2)
        return round(float(found.group(1)) * self.settings.unit_minutes(unit)), _LAG_FORMATS[unit]

    def constraint(
        self, item: Mapping[str, Any], where: _Where, summary: bool
    ) -> tuple[PlanConstraintType, datetime | None]:
        text = _text(item, "constraint", where)
        constraint = _CONSTRAINTS.get("ASAP" if text is None else text.strip().upper())
        if constraint is None:
            where.fail(
                "constraint",
                f"constraint {text!r} is not one of {', '.join(CONSTRAINT_TYPES)}",
            )
        if summary and constraint not in _SUMMARY_CONSTRAINTS:
            where.fail(
                "constraint",
                f"a summary task cannot have a {constraint} constraint (only ASAP, ALAP, SNET "
                "and FNLT)",
            )
        side: Kind = "start" if constraint in _START_CONSTRAINTS else "finish"
        moment = self.moment(item, "constraint_date", where, side)
        if constraint in ("ASAP", "ALAP"):
            if moment is not None:
                where.fail("constraint_date", f"an {constraint} constraint takes no date")
        elif moment is None:
            where.fail("constraint", f"a {constraint} constraint needs a constraint_date")
        return constraint, moment

    def predecessors(self, items: object, where: _Where, successor: int) -> None:
        path = where.at("predecessors")
        for index, entry in enumerate(_list(items, path, where.owner, "predecessors")):
            entry_where = _Where(where.owner, (*path, index))
            if isinstance(entry, int) and not isinstance(entry, bool):
                entry = str(entry)
            if isinstance(entry, str):
                found = _PREDECESSOR.match(entry)
                if found is None:
                    entry_where.fail(
                        None,
                        f"predecessor {entry!r} is not a predecessor (write the task's UID, the "
                        'link type and the lag, e.g. "3", "3SS", "3FS+2d", "3FF-1d")',
                    )
                predecessor = int(found.group(1))
                type_text = (found.group(2) or "FS").upper()
                lag, lag_key = found.group(3), None
            elif isinstance(entry, dict):
                _check_fields(entry, PREDECESSOR_FIELDS, entry_where)
                task = _integer(entry, "task", entry_where, low=0, high=2**62, required=True)
                assert task is not None
                predecessor = task
                type_text = (_text(entry, "type", entry_where) or "FS").strip().upper()
                lag_value = entry.get("lag")
                if lag_value is not None and not isinstance(lag_value, str):
                    entry_where.fail(
                        "lag", f'lag must be a text such as "2d", not {_kind(lag_value)}'
                    )
                lag, lag_key = lag_value, "lag"
            else:
                entry_where.fail(
                    None, f"a predecessor must be a text or an object, not {_kind(entry)}"
                )
            link_type = _LINK_TYPE_NAMES.get(type_text)
            if link_type is None:
                entry_where.fail(
                    "type", f"link type {type_text!r} is not one of {', '.join(LINK_TYPES)}"
                )
            if predecessor == successor:
                entry_where.fail(None, "a task cannot be its own predecessor")
            link = self.link(predecessor, successor, link_type, lag, entry_where, lag_key)
            self.links.append(_RawLink(entry_where, link))

    def link(
        self,
        predecessor: int,
        successor: int,
        link_type: PlanLinkType,
        lag: str | None,
        where: _Where,
        lag_key: str | None,
    ) -> PlanLink:
        lag_minutes = 0
        lag_format: DurationFormat | None = None
        lag_percent: float | None = None
        if lag is not None and lag.strip():
            found = _LAG.match(lag)
            if found is None:
                where.fail(
                    lag_key,
                    f"the lag {lag!r} of the link from task {predecessor} is not a lag (write "
                    "+2d, -1d, +4h, +3ed or +50%)",
                )
            sign = -1 if found.group(1) == "-" else 1
            amount = float(found.group(2))
            lag_format = _LAG_FORMATS[found.group(3)]
            if lag_format in ("%", "e%"):
                lag_percent = sign * amount
            else:
                lag_minutes = sign * round(amount * self.settings.unit_minutes(found.group(3)))
        try:
            return PlanLink(
                predecessor,
                successor,
                link_type,
                lag_minutes,
                lag_format,
                lag_percent,
                lag_format in ELAPSED_FORMATS,
            )
        except ScheduleInputError as error:
            raise _InvalidPlanError(where.path, str(error)) from None

    # Resources and assignments

    def resource_list(self, items: object, path: Path_) -> None:
        for index, item in enumerate(_list(items, path, "Plan", "resources")):
            self.resource(item, (*path, index))

    def resource(self, item: object, path: Path_) -> None:
        where = _Where(f"The resource at {_dotted(path)}", path)
        if not isinstance(item, dict):
            where.fail(None, f"a resource must be an object, not {_kind(item)}")
        key = item.get("id")
        if isinstance(key, int) and not isinstance(key, bool) and key >= 0:
            key = str(key)
        if key is None:
            where.fail(None, 'id is required: the short name its assignments use, e.g. "alice"')
        if not isinstance(key, str) or not _RESOURCE_KEY.match(key):
            where.fail(
                "id",
                f'id {key!r} is not a short name without spaces or colons, such as "alice"',
            )
        where = _Where(f"Resource {key!r}", path)
        if key in self.resources:
            where.fail("id", "the id is used by another resource")
        _check_fields(item, RESOURCE_FIELDS, where)
        name = _text(item, "name", where)
        kind_text = _text(item, "type", where)
        kind = _RESOURCE_KIND_NAMES.get("work" if kind_text is None else kind_text.strip().lower())
        if kind is None:
            where.fail("type", f"type {kind_text!r} is not one of {', '.join(RESOURCE_KINDS)}")
        max_units, capacity = self.max_units(item.get("max_units"), where)
        calendar_name = _text(item, "calendar", where)
        calendar_uid = (
            None if calendar_name is None else self.calendar_uid(calendar_name, where, "calendar")
        )
        standard_rate, standard_unit = _rate(item, "standard_rate", where)
        overtime_rate, overtime_unit = _rate(item, "overtime_rate", where)
        uid = len(self.resources) + 1
        self.resources[key] = DocumentResource(
            uid=uid,
            id=uid,
            name=key if name is None or not name.strip() else name,
            kind=kind,
            initials=_text(item, "initials", where) or "",
            email=_text(item, "email", where) or "",
            group=_text(item, "group", where) or "",
            code=_text(item, "code", where) or "",
            notes=_text(item, "notes", where) or "",
            material_label=_text(item, "material_label", where) or "",
            max_units=max_units,
            standard_rate=standard_rate,
            standard_rate_unit=standard_unit,
            overtime_rate=overtime_rate,
            overtime_rate_unit=overtime_unit,
            cost_per_use=_money(item, "cost_per_use", where),
            calendar_uid=calendar_uid,
            generic=_flag(item, "generic", where, default=False),
            key=key,
            capacity=capacity,
        )

    def max_units(
        self, value: object, where: _Where
    ) -> tuple[Decimal | None, tuple[CapacityStep, ...]]:
        """A resource's units: one number, or steps ``{from, units}`` when they change."""
        if value is None:
            return None, ()
        if not isinstance(value, list):
            return _units(value, where, "max_units", "max_units"), ()
        path = where.at("max_units")
        if not value:
            where.fail("max_units", "max_units must have at least one step when it is a list")
        steps: list[CapacityStep] = []
        for index, entry in enumerate(value):
            step_where = _Where(where.owner, (*path, index))
            if not isinstance(entry, dict):
                step_where.fail(
                    None,
                    "a step of max_units must be an object such as "
                    f'{{"from": "2026-06-01", "units": 0.5}}, not {_kind(entry)}',
                )
            _check_fields(entry, CAPACITY_FIELDS, step_where)
            if "units" not in entry:
                step_where.fail(None, "a step of max_units needs its units")
            units = _units(entry["units"], step_where, "units", "units")
            start = self.step_start(entry.get("from"), step_where)
            if start is None and index > 0:
                step_where.fail(
                    None, "only the first step of max_units may leave out its from date"
                )
            previous = steps[-1].start if steps else None
            if previous is not None and start is not None and start <= previous:
                step_where.fail(
                    "from",
                    f"the steps of max_units must come in order of date: {start:%Y-%m-%d %H:%M} "
                    f"is not after {previous:%Y-%m-%d %H:%M}",
                )
            steps.append(CapacityStep(start, units))
        return max(step.units for step in steps), tuple(steps)

    def step_start(self, value: object, where: _Where) -> datetime | None:
        """When a step of capacity starts: a date alone is its midnight."""
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return datetime.combine(value, time())
        if isinstance(value, str) and _DATE_ONLY.match(value):
            day = _day({"from": value}, "from", where)
            return datetime.combine(day, time())
        return self.moment({"from": value}, "from", where, "start")

    def task_resources(self, items: object, where: _Where, task_uid: int) -> None:
        path = where.at("resources")
        seen: set[str] = set()
        for index, entry in enumerate(_list(items, path, where.owner, "resources")):
            entry_where = _Where(where.owner, (*path, index))
            units_key: str | None = None
            work: int | None = None
            if isinstance(entry, str):
                found = _ASSIGNMENT.match(entry)
                if found is None:
                    entry_where.fail(
                        None,
                        f"resource {entry!r} is not an assignment (write the resource's id and "
                        'its units, e.g. "alice", "bob:50%")',
                    )
                key, units_text = found.group(1), found.group(2)
                units = (
                    None if units_text is None else _units(units_text, entry_where, None, "units")
                )
            elif isinstance(entry, dict):
                _check_fields(entry, ASSIGNMENT_FIELDS, entry_where)
                key = _text(entry, "resource", entry_where, required=True)
                units_key = "units"
                units = (
                    None
                    if entry.get("units") is None
                    else _units(entry["units"], entry_where, "units", "units")
                )
                work, work_unit = self.duration(entry, "work", entry_where)
                if work_unit is not None and work_unit not in _WORK_UNITS:
                    entry_where.fail(
                        "work",
                        f"work {entry['work']!r} must be working time (m, h, d, w or mo), not "
                        "elapsed time",
                    )
            else:
                entry_where.fail(
                    None, f"an assignment must be a text or an object, not {_kind(entry)}"
                )
            resource = self.resources.get(key)
            if resource is None:
                entry_where.fail(
                    "resource" if isinstance(entry, dict) else None,
                    f"resource {key!r} is not one of the plan's resources"
                    + self.known_resources(key),
                )
            if key in seen:
                entry_where.fail(units_key, f"resource {key!r} is assigned twice")
            seen.add(key)
            self.assignments.append(
                DocumentAssignment(
                    uid=len(self.assignments) + 1,
                    task_uid=task_uid,
                    resource_uid=resource.uid,
                    units=units,
                    work_minutes=work,
                )
            )

    def known_resources(self, key: str) -> str:
        if not self.resources:
            return " (the plan has none: list them under resources)"
        close = difflib.get_close_matches(key, list(self.resources), n=1)
        if close:
            return f" (did you mean {close[0]!r}?)"
        names = list(self.resources)
        listed = ", ".join(repr(name) for name in names[:10])
        return f" ({listed}{', ...' if len(names) > 10 else ''})"

    def resolve_links(self) -> list[PlanLink]:
        links = []
        for raw in self.links:
            predecessor = raw.link.predecessor_uid
            if predecessor not in self.task_where:
                raw.where.fail(
                    None, f"predecessor {predecessor} is not the UID of a task of the plan"
                )
            links.append(raw.link)
        return links


def _dotted(path: Path_) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _check_fields(
    item: Mapping[str, Any], allowed: frozenset[str], where: _Where, *, what: str = "field"
) -> None:
    for key in item:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where.fail(key, f"unknown {what} {key!r}{hint}")


def _list(value: object, path: Path_, owner: str, key: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise _InvalidPlanError(path, f"{owner}: {key} must be a list, not {_kind(value)}")
    return value


def _text(item: Mapping[str, Any], key: str, where: _Where, *, required: bool = False) -> Any:
    value = item.get(key)
    if value is None:
        if required:
            where.fail(None, f"{key} is required")
        return None
    if not isinstance(value, str):
        where.fail(key, f"{key} must be a text, not {_kind(value)}")
    if required and not value.strip():
        where.fail(key, f"{key} must not be empty")
    return value


def _integer(
    item: Mapping[str, Any],
    key: str,
    where: _Where,
    *,
    low: int,
    high: int,
    required: bool = False,
) -> int | None:
    value = item.get(key)
    if value is None:
        if required:
            where.fail(None, f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            where.fail(key, f"{key} must be a whole number, not {_kind(value)} ({value!r})")
    if not low <= value <= high:
        where.fail(key, f"{key} must be {low} to {high}, not {value}")
    return int(value)


def _number(
    item: Mapping[str, Any], key: str, where: _Where, *, low: float, high: float
) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        where.fail(key, f"{key} must be a number, not {_kind(value)} ({value!r})")
    if not low <= value <= high:
        where.fail(key, f"{key} must be {low:g} to {high:g}, not {value:g}")
    return float(value)


def _decimal(value: int | float | str) -> Decimal:
    """A number read exactly: a float as the shortest decimal that reads back as it."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _units(value: object, where: _Where, key: str | None, label: str) -> Decimal:
    """Units as a fraction: a number (0.5, 2), or a text such as ``"50%"`` or ``"0.5"``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            where.fail(key, f"{label} must be a number, not {value!r}")
        if value < 0:
            where.fail(key, f"{label} must not be negative, not {value:g}")
        return _decimal(value)
    if isinstance(value, str):
        found = _UNITS.match(value)
        if found is not None:
            amount = Decimal(found.group(1))
            return amount / 100 if found.group(2) else amount
        if value.strip().startswith("-"):
            where.fail(key, f"{label} must not be negative, not {value.strip()!r}")
        where.fail(
            key,
            f"{label} {value!r} is not units (write a percentage such as 50%, or a number: "
            "0.5 is half time, 2 is two people)",
        )
    where.fail(key, f'{label} must be a number or a percentage such as "50%", not {_kind(value)}')


def _rate(item: Mapping[str, Any], key: str, where: _Where) -> tuple[Decimal | None, RateUnit]:
    """A rate: a number per hour (per unit for a material), or a text such as ``"400/d"``."""
    value = item.get(key)
    if value is None:
        return None, "h"
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if value < 0:
            where.fail(key, f"{key} must not be negative, not {value:g}")
        return _decimal(value), "h"
    if isinstance(value, str):
        found = _RATE.match(value)
        if found is not None:
            return Decimal(found.group(1)), _RATE_UNITS[found.group(2) or "h"]
        if value.strip().startswith("-"):
            where.fail(key, f"{key} must not be negative, not {value.strip()!r}")
    where.fail(
        key,
        f"{key} {value!r} is not a rate (write an amount per hour, such as 50, or per another "
        'unit: "400/d", "2000/w", "8000/mo", "60000/y", "1/m")',
    )


def _money(item: Mapping[str, Any], key: str, where: _Where) -> Decimal | None:
    value = item.get(key)
    if value is None:
        return None
    amount: Decimal | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        amount = _decimal(value)
    elif isinstance(value, str):
        found = _AMOUNT.match(value)
        if found is not None:
            amount = Decimal(found.group(1))
        elif value.strip().startswith("-"):
            where.fail(key, f"{key} must not be negative, not {value.strip()!r}")
    if amount is None:
        where.fail(key, f"{key} must be an amount such as 150, not {_kind(value)} ({value!r})")
    if amount < 0:
        where.fail(key, f"{key} must not be negative, not {value}")
    return amount


def _flag(item: Mapping[str, Any], key: str, where: _Where, *, default: bool) -> bool:
    value = item.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        where.fail(key, f"{key} must be true or false, not {_kind(value)} ({value!r})")
    return value


def _day(item: Mapping[str, Any], key: str, where: _Where, *, required: bool = False) -> Any:
    value = item.get(key)
    if value is None:
        if required:
            where.fail(None, f"{key} is required")
        return None
    if isinstance(value, datetime):
        where.fail(key, f"{key} must be a date without a time, such as 2026-12-25")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    where.fail(key, f"{key} {value!r} is not a date such as 2026-12-25")


def _clock(text: str, where: _Where, key: str) -> int:
    found = _CLOCK.match(text)
    if found is None or int(found.group(1)) > 24 or int(found.group(2)) > 59:
        where.fail(key, f"{key} {text!r} is not a time such as 08:00")
    minute = int(found.group(1)) * 60 + int(found.group(2))
    if minute > 1440:
        where.fail(key, f"{key} {text!r} is not a time such as 08:00")
    return minute


def _weekday(value: object, where: _Where, key: str | int) -> int:
    if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
        return _WEEKDAYS.index(value.strip().lower())
    label = "weekdays" if isinstance(key, int) else key
    where.fail(key, f"{label} {value!r} is not a day of the week (monday to sunday)")


def _position(value: object, where: _Where) -> int:
    if isinstance(value, str) and value.strip().lower() in _POSITIONS:
        return _POSITIONS[value.strip().lower()]
    where.fail("position", f"position {value!r} is not one of {', '.join(_POSITIONS)}")


def _periods(value: object, where: _Where, key: str) -> tuple[WorkingPeriod, ...]:
    if not isinstance(value, list):
        where.fail(
            key,
            f'{key} must be a list of working hours such as ["08:00-12:00"], not {_kind(value)}',
        )
    periods = []
    for index, entry in enumerate(value):
        found = _PERIOD.match(entry) if isinstance(entry, str) else None
        if found is None:
            raise _InvalidPlanError(
                (*where.at(key), index),
                f"{where.owner}: {key} {entry!r} is not working hours such as 08:00-12:00",
            )
        hours = [int(part) for part in found.groups()]
        start, end = hours[0] * 60 + hours[1], hours[2] * 60 + hours[3]
        if hours[1] > 59 or hours[3] > 59 or not 0 <= start < end <= 1440:
            raise _InvalidPlanError(
                (*where.at(key), index),
                f"{where.owner}: {key} {entry!r} must start before it ends, within 00:00-24:00",
            )
        periods.append(WorkingPeriod(start, end))
    return tuple(periods)


def _locate(text: str, format: Literal["json", "toml"], path: Path_) -> int | None:
    """The line of the value at ``path``, or of its nearest ancestor that can be found."""
    try:
        lines = _json_lines(text) if format == "json" else _toml_lines(text)
    except (ValueError, RecursionError):
        return None
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return 1


def _json_lines(text: str) -> dict[Path_, int]:
    """The line of every value of a JSON document, by path (with the pure-Python scanner,
    whose parsing hooks see where each value starts)."""
    starts: dict[int, dict[str | int, int]] = {}
    hooks = vars(json.decoder)
    parse_object: Callable[..., tuple[dict[str, Any], int]] = hooks["JSONObject"]
    parse_array: Callable[..., tuple[list[Any], int]] = hooks["JSONArray"]

    def recording(scan_once: Callable[[str, int], Any], into: list[int]) -> Callable[..., Any]:
        def scan(string: str, index: int) -> Any:
            into.append(index)
            return scan_once(string, index)

        return scan

    def on_object(s_and_end: tuple[str, int], strict: bool, scan_once: Any, *rest: Any) -> Any:
        values: list[int] = []
        result, end = parse_object(s_and_end, strict, recording(scan_once, values), *rest)
        if len(values) == len(result):
            starts[id(result)] = dict(zip(result, values, strict=True))
        return result, end

    def on_array(s_and_end: tuple[str, int], scan_once: Any) -> Any:
        values: list[int] = []
        result, end = parse_array(s_and_end, recording(scan_once, values))
        starts[id(result)] = dict(enumerate(values))
        return result, end

    decoder = json.JSONDecoder()
    vars(decoder).update(parse_object=on_object, parse_array=on_array)
    vars(decoder)["scan_once"] = vars(json.scanner)["py_make_scanner"](decoder)
    document = decoder.decode(text)
    newlines = [index for index, character in enumerate(text) if character == "\n"]

    def line_at(offset: int) -> int:
        low, high = 0, len(newlines)
        while low < high:
            middle = (low + high) // 2
            if newlines[middle] < offset:
                low = middle + 1
            else:
                high = middle
        return low + 1

    lines: dict[Path_, int] = {(): 1}

    def walk(value: Any, path: Path_) -> None:
        positions = starts.get(id(value))
        if positions is None:
            return
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            if key in positions:
                lines[(*path, key)] = line_at(positions[key])
            walk(child, (*path, key))

    walk(document, ())
    return lines


def _toml_key_parts(dotted: str) -> list[str]:
    parts = re.findall(_TOML_BARE, dotted)
    return [part[1:-1] if part[:1] in "\"'" else part for part in parts]


def _toml_lines(text: str) -> dict[Path_, int]:
    """The line of the keys and tables of a TOML document, by path, read line by line.

    The tables of an array (``[[tasks]]``, ``[[tasks.tasks]]``) are numbered in document
    order, which is the order in which TOML appends them.
    """
    lines: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    current: Path_ = ()

    def resolve(keys: list[str]) -> Path_:
        path: Path_ = ()
        for key in keys:
            path = (*path, key)
            if path in counts:
                path = (*path, counts[path] - 1)
        return path

    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header is not None and header.group(1) == "[[":
            keys = _toml_key_parts(header.group(2))
            array = (*resolve(keys[:-1]), keys[-1])
            counts[array] = counts.get(array, 0) + 1
            current = (*array, counts[array] - 1)
            lines.setdefault(array, number)
            lines[current] = number
            continue
        if header is not None:
            current = resolve(_toml_key_parts(header.group(2)))
            lines[current] = number
            continue
        key = _TOML_KEY.match(line)
        if key is not None:
            lines.setdefault((*current, *_toml_key_parts(key.group(1))), number)
    return lines
