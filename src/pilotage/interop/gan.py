"""Read GanttProject files (``.gan``) into a :class:`~pilotage.interop.document.ProjectDocument`.

A ``.gan`` file is the XML GanttProject saves: a ``<project>`` with its ``<calendars>`` (the
weekend days of the default week, holidays and extra working days), the ``<tasks>`` nested as
the outline, ``<resources>``, ``<allocations>`` of resources to tasks, resource
``<vacations>`` and ``<roles>``. :func:`read_gan` reads all of it.

How values are converted
------------------------
- GanttProject counts in days without hours. A day is a working day of 480 minutes (08:00 to
  12:00 and 13:00 to 17:00 on the working days of the default week), so a task of 3 days lasts
  1,440 working minutes. A task starts when the working time of its start date starts (08:00)
  and finishes when its last working minute ends (17:00); a milestone (``meeting="true"``) lasts
  0 minutes and finishes when it starts.
- Task UIDs are GanttProject's task ids plus one (GanttProject numbers from 0, and UID 0 is the
  project summary task in Microsoft Project); resource UIDs likewise. This is also how MPXJ
  numbers them. Task ids (row numbers) follow the order of the file.
- ``<depend>`` sits on the predecessor and names the successor. Its ``type`` 1, 2, 3, 4 is
  start-start, finish-start, finish-finish, start-finish (:data:`GAN_LINK_TYPES`); its
  ``difference`` is a lag in working days. GanttProject's "rubber" links (which let the
  successor start later than the link requires) have no equivalent and read as plain links.
- Priorities 3, 0, 1, 2, 4 (lowest, low, normal, high, highest) become Microsoft Project's
  priorities of the same names: 100, 400, 500, 600, 900 (:data:`GAN_PRIORITIES`).
- GanttProject keeps a task where it is drawn unless a link pushes it later; a task without a
  predecessor that starts after the project does is given a start-no-earlier-than constraint on
  its drawn start, so that scheduling it keeps it there.
- An "earliest begin" date (``thirdDate`` with ``thirdDate-constraint="1"``) becomes a
  start-no-earlier-than constraint; when its checkbox is off (``0``) it is ignored.
- A holiday with an empty year recurs every year on that date; ``WORKING_DAY`` dates are
  working days (with the standard hours) even in a weekend. A resource's vacations (both dates
  included) become non-working dates of a calendar of its own based on the project calendar.
- ``load`` of an allocation is a percentage: 50 becomes units of 0.5; the assignment's work is
  the task's duration times its units.
- A resource's ``standard`` rate is money per day; its role (``function``) becomes its group;
  its phone number and its custom properties, and the custom properties of tasks, become
  custom fields keyed by their names; the "responsible" mark of an allocation becomes the
  assignment flag ``Responsible``.
- A manual task cost (``cost-calculated="false"``) becomes both the task's cost and its fixed
  cost.

Safety: the XML is parsed without entity expansion, DTD loading or network access, and a file
that declares a document type is refused (GanttProject never writes one).

Examples
--------
>>> document = read_gan(b'''<project name="Move">
...   <tasks>
...     <task id="0" name="Pack" start="2026-03-02" duration="2">
...       <depend id="1" type="2" difference="0"/>
...     </task>
...     <task id="1" name="Moved" meeting="true" start="2026-03-04" duration="0"/>
...   </tasks>
... </project>''')
>>> [(task.uid, task.name, task.start, task.finish) for task in document.plan.tasks]
[(1, 'Pack', datetime.datetime(2026, 3, 2, 8, 0), datetime.datetime(2026, 3, 3, 17, 0)), \
(2, 'Moved', datetime.datetime(2026, 3, 4, 8, 0), datetime.datetime(2026, 3, 4, 8, 0))]
>>> document.plan.links[0]
PlanLink(predecessor_uid=1, successor_uid=2, type='FS', lag_minutes=0, lag_format='d', \
lag_percent=None, elapsed_lag=False, cross_project=False, cross_project_name='')
"""

from __future__ import annotations

import os
import re
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, TypeAlias
from urllib.parse import unquote_plus

import numpy as np
from lxml import etree

from pilotage.engine.calendars import (
    Calendar,
    CalendarException,
    RecurringException,
    WeekPattern,
    WorkingPeriod,
    YearlyByDate,
    compile_calendar,
)
from pilotage.engine.errors import CalendarError, ScheduleInputError
from pilotage.engine.plan import (
    Plan,
    PlanCalendar,
    PlanConstraintType,
    PlanLink,
    PlanLinkType,
    PlanTask,
)
from pilotage.interop.document import (
    CustomField,
    CustomFieldKind,
    CustomFieldOwner,
    CustomValue,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    TaskDetails,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.text import MAX_TEXT_BYTES

__all__ = ["GAN_LINK_TYPES", "GAN_PRIORITIES", "read_gan"]

Source: TypeAlias = "bytes | str | os.PathLike[str]"

GAN_LINK_TYPES: Final[dict[str, PlanLinkType]] = {"1": "SS", "2": "FS", "3": "FF", "4": "SF"}
"""GanttProject's dependency ``type`` codes."""

GAN_PRIORITIES: Final[dict[str, int]] = {"3": 100, "0": 400, "1": 500, "2": 600, "4": 900}
"""GanttProject's priority codes (lowest 3, low 0, normal 1, high 2, highest 4) as Microsoft
Project priorities of the same names."""

_MINUTES_PER_DAY: Final = 480
_DAY_START: Final = 480
_WORKING_DAY: Final = (WorkingPeriod(480, 720), WorkingPeriod(780, 1020))
_WEEKDAY_KEYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CALENDAR_UID: Final = 1
_MAX_WARNINGS: Final = 1000
_PARSER_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
}
_ENCODING_DECLARATION: Final = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_LIBXML_POSITION: Final = re.compile(r", line \d+, column \d+$")
_FIRST_ELEMENT: Final = re.compile(r"<[A-Za-z_]")
_DOCTYPE_REFUSED: Final = (
    "the file declares a document type (<!DOCTYPE>), which GanttProject never writes; it is "
    "refused because it could expand entities or read other files"
)
_KINDS: Final[dict[str, CustomFieldKind]] = {
    "text": "text",
    "string": "text",
    "int": "number",
    "integer": "number",
    "double": "number",
    "date": "date",
    "boolean": "flag",
}
_DEFAULT_ROLES: Final = {"0": "", "1": "Project manager"}
_BINARY_STARTS: Final = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x1f\x8b")


def read_gan(source: Source, *, name: str | None = None) -> ProjectDocument:
    """Read a GanttProject file.

    Parameters
    ----------
    source : bytes, str or path-like
        The file's content, or a path to the file.
    name : str, optional
        How to name the file in messages; by default its path, or ``"the file"`` for content.

    Returns
    -------
    ProjectDocument
        The plan (one calendar, the tasks in outline order, the links), the resources, the
        assignments, the custom fields and what had to be skipped, with format ``"gan"``.

    Raises
    ------
    PlanFileError
        If the file cannot be read, is not XML, is malformed XML, declares a document type, is
        not a GanttProject file, or holds a task whose id, start or duration cannot be read
        (the message names the task and the line).

    Examples
    --------
    >>> document = read_gan(b'''<project name="Launch">
    ...   <calendars><day-types>
    ...     <default-week sun="1" mon="0" tue="0" wed="0" thu="0" fri="0" sat="1"/>
    ...   </day-types><date year="2026" month="3" date="3" type="HOLIDAY"/></calendars>
    ...   <tasks><task id="4" name="Build" start="2026-03-02" duration="2" complete="50"/></tasks>
    ...   <resources><resource id="0" name="Ada"><rate name="standard" value="400"/></resource>
    ...   </resources>
    ...   <allocations><allocation task-id="4" resource-id="0" load="50"/></allocations>
    ... </project>''', name="launch.gan")
    >>> task = document.plan.tasks[0]
    >>> task.uid, task.duration_minutes, task.finish, task.percent_complete
    (5, 960, datetime.datetime(2026, 3, 4, 17, 0), 50.0)
    >>> document.counts()
    {'tasks': 1, 'links': 0, 'resources': 1, 'assignments': 1, 'calendars': 1}
    >>> assignment = document.assignments[0]
    >>> assignment.units, assignment.work_minutes, document.resources[0].standard_rate_unit
    (Decimal('0.5'), 480, 'd')
    >>> read_gan(b"<Project/>", name="plan.gan")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: plan.gan, line 1: not a GanttProject file: the \
document is <Project>, not <project>
    """
    label = name or (os.fspath(source) if isinstance(source, str | os.PathLike) else "the file")
    data = _load(source, label)
    if isinstance(source, str | os.PathLike):
        default_name = Path(os.fspath(source)).stem
    else:
        default_name = Path(name).stem if name else ""
    return _GanReader(label, default_name).read(data)


def _load(source: Source, label: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(os.fspath(source))
        try:
            if path.stat().st_size > MAX_TEXT_BYTES:
                raise PlanFileError(label, _too_large())
            data = path.read_bytes()
        except OSError as error:
            raise PlanFileError(label, f"cannot be read: {error.strerror or error}") from error
    if len(data) > MAX_TEXT_BYTES:
        raise PlanFileError(label, _too_large())
    if not data.strip():
        raise PlanFileError(label, "the file is empty")
    if data.startswith(_BINARY_STARTS):
        raise PlanFileError(
            label, "not a GanttProject file: it is a binary file (an archive or an Office file)"
        )
    return data


def _declares_doctype(data: bytes) -> bool:
    """Whether a document type comes before the first element (checked before parsing, so that
    no entity is ever expanded)."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        codec = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-16-le"
        if head[:2] == b"\x00<":
            codec = "utf-16-be"
        text = head.decode(codec, errors="ignore")
    else:
        text = head.decode("latin-1")
    first_element = _FIRST_ELEMENT.search(text)
    doctype = text.find("<!DOCTYPE")
    return doctype >= 0 and (first_element is None or doctype < first_element.start())


def _too_large() -> str:
    return f"the file is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB, the limit"


def _line(element: Any) -> int | None:
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None


def _plain(value: Decimal) -> Decimal:
    """A decimal without trailing zeros and without an exponent: 0.500 -> 0.5, 100.0 -> 100."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    return (
        normalized.quantize(Decimal(1))
        if isinstance(exponent, int) and exponent > 0
        else normalized
    )


def _dedented(text: str | None) -> str:
    return textwrap.dedent(text or "").strip()


@dataclass
class _RawTask:
    """A task as the file gives it, before dates are computed."""

    gan_id: int
    uid: int
    name: str
    element: Any
    outline_level: int
    outline_number: str
    parent_uid: int | None
    start_day: date
    duration_minutes: int
    milestone: bool
    summary: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    plan_fields: dict[str, Any] = field(default_factory=dict)


class _GanReader:
    def __init__(self, label: str, default_name: str) -> None:
        self.label = label
        self.default_name = default_name
        self.warnings: list[str] = []
        self._dropped = 0
        self.custom_fields: list[CustomField] = []
        self._keys: set[str] = set()

    # -- plumbing -------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self._dropped += 1

    def fail(self, problem: str, element: Any = None) -> PlanFileError:
        return PlanFileError(self.label, problem, line=_line(element))

    def _parse(self, data: bytes) -> Any:
        if _declares_doctype(data):
            raise self.fail(_DOCTYPE_REFUSED, None)
        declared = _ENCODING_DECLARATION.search(data[:200])
        declares_other = declared is not None and declared.group(1).lower() not in (
            b"utf-8",
            b"utf8",
        )
        try:
            root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
        except etree.XMLSyntaxError as error:
            message = _LIBXML_POSITION.sub("", str(getattr(error, "msg", "") or error))
            utf8_problem = "UTF-8" in message or "Invalid bytes in character encoding" in message
            if declares_other or not utf8_problem or data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise self._syntax_error(error, message, data) from error
            try:
                parser = etree.XMLParser(encoding="windows-1252", **_PARSER_OPTIONS)
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError as second:
                raise self._syntax_error(error, message, data) from second
            self.warn("The file is not valid UTF-8; it was read as Windows-1252.")
        tree = root.getroottree()
        if tree.docinfo.doctype:
            raise self.fail(_DOCTYPE_REFUSED, root)
        if root.tag != "project":
            shown = root.tag if isinstance(root.tag, str) else "?"
            raise self.fail(
                f"not a GanttProject file: the document is <{shown}>, not <project>", root
            )
        return root

    def _syntax_error(self, error: Any, message: str, data: bytes) -> PlanFileError:
        line = getattr(error, "lineno", None)
        line = line if isinstance(line, int) and line > 0 else None
        problem = "malformed XML" if b"<" in data[:1024] else "not an XML file"
        return PlanFileError(self.label, f"{problem}: {message}", line=line)

    def _key(self, wanted: str) -> str:
        key = wanted or "Field"
        number = 2
        while key in self._keys:
            key = f"{wanted} ({number})"
            number += 1
        self._keys.add(key)
        return key

    def _define(
        self, name: str, owner: CustomFieldOwner, kind: CustomFieldKind
    ) -> tuple[str, CustomFieldKind]:
        key = self._key(name)
        self.custom_fields.append(CustomField(key=key, owner=owner, kind=kind))
        return key, kind

    # -- the whole file -------------------------------------------------------------------

    def read(self, data: bytes) -> ProjectDocument:
        root = self._parse(data)
        calendar = self._calendar(root)
        task_fields = self._task_field_definitions(root)
        raw_tasks = self._raw_tasks(root, task_fields)
        by_gan_id = {raw.gan_id: raw for raw in raw_tasks}
        tasks = self._dated_tasks(raw_tasks, calendar)
        links = self._links(raw_tasks, by_gan_id)
        tasks = _kept_where_drawn(tasks, links)
        resources, resource_calendars = self._resources(root, calendar)
        assignments = self._assignments(root, by_gan_id, {r.uid: r for r in resources}, tasks)
        if self._dropped:
            self.warnings.append(f"{self._dropped} more warnings were not listed.")
        properties = self._properties(root)
        plan_name = properties.get("Title") or self.default_name
        try:
            plan = Plan(
                name=plan_name,
                start=min((task.start for task in tasks if task.start), default=None),
                finish=max((task.finish for task in tasks if task.finish), default=None),
                calendar_uid=_CALENDAR_UID,
                minutes_per_day=_MINUTES_PER_DAY,
                minutes_per_week=5 * _MINUTES_PER_DAY,
                default_start_minute=_DAY_START,
                default_finish_minute=_WORKING_DAY[-1].end_minute,
                calendars=(PlanCalendar(_CALENDAR_UID, calendar), *resource_calendars),
                tasks=tuple(tasks),
                links=tuple(links),
            )
        except ScheduleInputError as error:
            raise PlanFileError(self.label, str(error)) from error
        return ProjectDocument(
            format="gan",
            plan=plan,
            properties=properties,
            custom_fields=tuple(self.custom_fields),
            task_details={raw.uid: TaskDetails(**raw.details) for raw in raw_tasks if raw.details},
            resources=tuple(resources),
            assignments=tuple(assignments),
            warnings=tuple(self.warnings),
        )

    def _properties(self, root: Any) -> dict[str, str]:
        properties: dict[str, str] = {}
        title = (root.get("name") or "").strip()
        if title:
            properties["Title"] = title
        company = (root.get("company") or "").strip()
        if company:
            properties["Company"] = company
        description = root.find("description")
        if description is not None and _dedented(description.text):
            properties["Comments"] = _dedented(description.text)
        return properties

    # -- calendar -------------------------------------------------------------------------

    def _calendar(self, root: Any) -> Calendar:
        week = WeekPattern.standard()
        exceptions: list[CalendarException] = []
        recurring: list[RecurringException] = []
        calendars = root.find("calendars")
        if calendars is not None:
            default_week = next(calendars.iter("default-week"), None)
            if default_week is not None:
                week = self._week(default_week, week)
            for element in calendars.iter("date"):
                self._calendar_date(element, exceptions, recurring)
        try:
            calendar = Calendar(
                "Standard", week, exceptions=tuple(exceptions), recurring=tuple(recurring)
            )
        except CalendarError as error:
            raise self.fail(f"the calendar cannot be read: {error}", calendars) from error
        extra_working = any(item.periods for item in exceptions) or any(
            item.periods for item in recurring
        )
        if week.minutes == 0 and not extra_working:
            raise self.fail(
                "the calendar has no working day: every day of its default week is a weekend",
                calendars,
            )
        return calendar

    def _week(self, element: Any, week: WeekPattern) -> WeekPattern:
        for weekday, key in enumerate(_WEEKDAY_KEYS):
            value = element.get(key)
            if value is None:
                continue
            if value == "0":
                week = week.with_day(weekday, _WORKING_DAY)
            elif value == "1":
                week = week.with_day(weekday, ())
            else:
                self.warn(
                    f"Calendar (line {_line(element)}): the default week gives {key}={value!r}, "
                    "not 0 (working) or 1 (weekend); the standard hours were kept."
                )
        return week

    def _calendar_date(
        self,
        element: Any,
        exceptions: list[CalendarException],
        recurring: list[RecurringException],
    ) -> None:
        kind = (element.get("type") or "HOLIDAY").upper()
        if kind == "NEUTRAL":
            return
        where = f"Calendar date (line {_line(element)})"
        if kind not in ("HOLIDAY", "WORKING_DAY"):
            self.warn(f"{where}: the type {kind!r} is not HOLIDAY or WORKING_DAY; it was skipped.")
            return
        periods = _WORKING_DAY if kind == "WORKING_DAY" else ()
        label = _dedented(element.text)
        year = (element.get("year") or "").strip()
        try:
            month = int(element.get("month") or "")
            day = int(element.get("date") or "")
            if year:
                on = date(int(year), month, day)
                exceptions.append(CalendarException(on, on, periods, name=label))
            else:
                date(2000, month, day)  # a leap year: 29 February is a valid yearly date
                rule = YearlyByDate(month, day)
                name = label or f"{'Working day' if periods else 'Holiday'} {day:02d}/{month:02d}"
                recurring.append(RecurringException(name, periods, rule=rule))
        except ValueError:
            shown = "-".join(element.get(key) or "?" for key in ("year", "month", "date"))
            self.warn(f"{where}: {shown!r} is not a date; it was skipped.")

    # -- tasks ----------------------------------------------------------------------------

    def _task_field_definitions(self, root: Any) -> dict[str, tuple[str, CustomFieldKind]]:
        definitions: dict[str, tuple[str, CustomFieldKind]] = {}
        for element in root.iterfind("tasks/taskproperties/taskproperty"):
            if element.get("type") != "custom":
                continue
            field_id = element.get("id") or ""
            name = (element.get("name") or field_id).strip()
            valuetype = (element.get("valuetype") or "text").lower()
            kind = _KINDS.get(valuetype)
            if kind is None:
                self.warn(
                    f"Task property {name!r} (line {_line(element)}): the value type "
                    f"{valuetype!r} is not known; its values were read as text."
                )
                kind = "text"
            definitions[field_id] = self._define(name, "task", kind)
        return definitions

    def _raw_tasks(
        self, root: Any, task_fields: dict[str, tuple[str, CustomFieldKind]]
    ) -> list[_RawTask]:
        """The tasks in outline order (a task before the tasks nested in it)."""
        raw_tasks: list[_RawTask] = []
        container = root.find("tasks")
        if container is None:
            return raw_tasks
        lines: dict[int, int | None] = {}
        # One entry per open level: its remaining children, its outline prefix, its task, and
        # how many of its children were read.
        stack: list[tuple[Iterator[Any], str, _RawTask | None]] = [
            (container.iterchildren("task"), "", None)
        ]
        counts = [0]
        while stack:
            children, prefix, parent = stack[-1]
            element = next(children, None)
            if element is None:
                stack.pop()
                counts.pop()
                continue
            counts[-1] += 1
            number = f"{prefix}{counts[-1]}"
            raw = self._raw_task(element, parent, number, task_fields)
            if raw.gan_id in lines:
                raise self.fail(
                    f"task {raw.name!r}: the id {raw.gan_id} is used by another task (line "
                    f"{lines[raw.gan_id]})",
                    element,
                )
            lines[raw.gan_id] = _line(element)
            if parent is not None:
                parent.summary = True
            raw_tasks.append(raw)
            stack.append((element.iterchildren("task"), number + ".", raw))
            counts.append(0)
        return raw_tasks

    def _raw_task(
        self,
        element: Any,
        parent: _RawTask | None,
        number: str,
        task_fields: dict[str, tuple[str, CustomFieldKind]],
    ) -> _RawTask:
        name = element.get("name") or ""
        shown = f"task {name!r}" if name else "a task"
        text_id = element.get("id")
        try:
            gan_id = int(text_id or "")
        except ValueError:
            raise self.fail(f"{shown}: the id {text_id!r} is not a whole number", element) from None
        if gan_id < 0:
            raise self.fail(f"{shown}: the id {gan_id} is negative", element)
        where = f"Task {gan_id} {name!r} (line {_line(element)})"
        start_day = self._task_start(element, shown)
        milestone = (element.get("meeting") or "").lower() == "true"
        duration_minutes = 0 if milestone else self._task_duration(element, shown, where)
        raw = _RawTask(
            gan_id=gan_id,
            uid=gan_id + 1,
            name=name,
            element=element,
            outline_level=number.count(".") + 1,
            outline_number=number,
            parent_uid=parent.uid if parent is not None else None,
            start_day=start_day,
            duration_minutes=duration_minutes,
            milestone=milestone,
        )
        raw.plan_fields = self._task_plan_fields(element, where)
        raw.details = self._task_details(element, where, task_fields)
        return raw

    def _task_start(self, element: Any, shown: str) -> date:
        text = (element.get("start") or "").strip()
        try:
            return date.fromisoformat(text)
        except ValueError:
            problem = "has no start date" if not text else f"start {text!r} is not a date"
            raise self.fail(f"{shown}: {problem} (written yyyy-mm-dd)", element) from None

    def _task_duration(self, element: Any, shown: str, where: str) -> int:
        text = (element.get("duration") or "0").strip()
        try:
            days = Decimal(text)
            if not days.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise self.fail(
                f"{shown}: the duration {text!r} is not a number of days", element
            ) from None
        if days < 0:
            self.warn(f"{where}: the duration {text} is negative; 0 was used.")
            return 0
        return int((days * _MINUTES_PER_DAY).to_integral_value())

    def _task_plan_fields(self, element: Any, where: str) -> dict[str, Any]:
        plan_fields: dict[str, Any] = {}
        complete = element.get("complete")
        if complete:
            try:
                percent = float(Decimal(complete))
            except InvalidOperation:
                self.warn(f"{where}: the completion {complete!r} is not a number; 0 was used.")
            else:
                if not 0 <= percent <= 100:
                    percent = min(max(percent, 0.0), 100.0)
                    self.warn(
                        f"{where}: the completion {complete} is out of 0-100; {percent:g} was used."
                    )
                plan_fields["percent_complete"] = percent
        priority = element.get("priority")
        if priority is not None:
            if priority in GAN_PRIORITIES:
                plan_fields["priority"] = GAN_PRIORITIES[priority]
            else:
                self.warn(f"{where}: the priority {priority!r} is not known; normal was used.")
        if element.get("thirdDate-constraint") == "1" and element.get("thirdDate"):
            try:
                earliest = date.fromisoformat(element.get("thirdDate"))
            except ValueError:
                self.warn(
                    f"{where}: the earliest begin date {element.get('thirdDate')!r} is not a "
                    "date; it was ignored."
                )
            else:
                constraint: PlanConstraintType = "SNET"
                plan_fields["constraint_type"] = constraint
                plan_fields["constraint_date"] = datetime.combine(earliest, time()) + timedelta(
                    minutes=_DAY_START
                )
        notes = element.find("notes")
        if notes is not None and _dedented(notes.text):
            plan_fields["notes"] = _dedented(notes.text)
        return plan_fields

    def _task_details(
        self, element: Any, where: str, task_fields: dict[str, tuple[str, CustomFieldKind]]
    ) -> dict[str, Any]:
        details: dict[str, Any] = {}
        guid = element.get("uid")
        if guid:
            try:
                details["guid"] = str(uuid.UUID(hex=guid))
            except ValueError:
                self.warn(f"{where}: the uid {guid!r} is not a GUID; it was not kept.")
        link = element.get("webLink")
        if link and unquote_plus(link).strip() not in ("", "http://", "https://"):
            details["hyperlink_address"] = unquote_plus(link).strip()
        if (element.get("cost-calculated") or "").lower() == "false":
            text = element.get("cost-manual-value") or "0"
            try:
                cost = Decimal(text)
            except InvalidOperation:
                self.warn(f"{where}: the cost {text!r} is not a number; it was ignored.")
            else:
                if cost.is_finite() and cost != 0:
                    details["cost"] = cost
                    details["fixed_cost"] = cost
        values: list[CustomValue] = []
        for value_element in element.iterchildren("customproperty"):
            field_id = value_element.get("taskproperty-id") or ""
            if field_id not in task_fields:
                self.warn(
                    f"{where}: the custom property {field_id!r} is not defined in the file; its "
                    "value was skipped."
                )
                continue
            key, kind = task_fields[field_id]
            value = self._custom_value(key, kind, value_element.get("value"), where)
            if value is not None:
                values.append(value)
        if values:
            details["custom_values"] = tuple(values)
        return details

    def _custom_value(
        self, key: str, kind: CustomFieldKind, text: str | None, where: str
    ) -> CustomValue | None:
        if text is None or (text == "" and kind != "text"):
            return None
        if kind == "text":
            return CustomValue(key, text) if text else None
        if kind == "flag":
            if text.lower() in ("true", "false"):
                return CustomValue(key, text.lower() == "true")
        elif kind == "number":
            try:
                number = Decimal(text)
                if number.is_finite():
                    return CustomValue(key, number)
            except InvalidOperation:
                pass
        elif kind == "date":
            try:
                return CustomValue(key, datetime.fromisoformat(text))
            except ValueError:
                pass
        self.warn(f"{where}: {key} {text!r} is not a {kind}; it was skipped.")
        return None

    def _dated_tasks(self, raw_tasks: list[_RawTask], calendar: Calendar) -> list[PlanTask]:
        if not raw_tasks:
            return []
        days = [raw.start_day for raw in raw_tasks]
        day_starts: dict[date, int] = {}
        for day in set(days):
            periods = calendar.periods_on(day)
            day_starts[day] = periods[0].start_minute if periods else _DAY_START
        starts = [
            datetime.combine(raw.start_day, time()) + timedelta(minutes=day_starts[raw.start_day])
            for raw in raw_tasks
        ]
        try:
            working = compile_calendar(calendar, min(days), max(days))
            finishes = working.add_working(
                np.array(starts, dtype="datetime64[m]"),
                np.array([raw.duration_minutes for raw in raw_tasks], dtype=np.int64),
                side="finish",
            )
        except CalendarError as error:
            raise PlanFileError(
                self.label, f"the task dates cannot be computed: {error}"
            ) from error
        tasks: list[PlanTask] = []
        for row, (raw, start, finish) in enumerate(
            zip(raw_tasks, starts, finishes.tolist(), strict=True), start=1
        ):
            try:
                tasks.append(
                    PlanTask(
                        uid=raw.uid,
                        id=row,
                        name=raw.name,
                        outline_level=raw.outline_level,
                        outline_number=raw.outline_number,
                        parent_uid=raw.parent_uid,
                        summary=raw.summary,
                        milestone=raw.milestone,
                        duration_minutes=raw.duration_minutes,
                        duration_format="d",
                        start=start,
                        finish=start if raw.duration_minutes == 0 else finish,
                        **raw.plan_fields,
                    )
                )
            except ScheduleInputError as error:
                raise self.fail(str(error), raw.element) from error
        return tasks

    def _links(self, raw_tasks: list[_RawTask], by_gan_id: dict[int, _RawTask]) -> list[PlanLink]:
        links: list[PlanLink] = []
        seen: set[tuple[int, int]] = set()
        for raw in raw_tasks:
            for element in raw.element.iterchildren("depend"):
                where = f"Task {raw.gan_id} {raw.name!r} (line {_line(element)})"
                text_id = element.get("id") or ""
                successor = by_gan_id.get(int(text_id)) if text_id.isdigit() else None
                if successor is None:
                    self.warn(
                        f"{where}: the dependency on task {text_id!r}, which is not in the "
                        "file, was skipped."
                    )
                    continue
                if successor is raw:
                    self.warn(f"{where}: a dependency on the task itself was skipped.")
                    continue
                code = element.get("type") or "2"
                link_type = GAN_LINK_TYPES.get(code)
                if link_type is None:
                    self.warn(
                        f"{where}: the dependency type {code!r} is not 1 to 4; finish-start was "
                        "used."
                    )
                    link_type = "FS"
                difference = (element.get("difference") or "0").strip()
                try:
                    lag_days = Decimal(difference)
                    if not lag_days.is_finite():
                        raise InvalidOperation
                except InvalidOperation:
                    self.warn(f"{where}: the lag {difference!r} is not a number of days; 0 used.")
                    lag_days = Decimal(0)
                pair = (raw.uid, successor.uid)
                if pair in seen:
                    self.warn(
                        f"{where}: a second dependency on task {successor.gan_id} was skipped."
                    )
                    continue
                seen.add(pair)
                links.append(
                    PlanLink(
                        predecessor_uid=raw.uid,
                        successor_uid=successor.uid,
                        type=link_type,
                        lag_minutes=int((lag_days * _MINUTES_PER_DAY).to_integral_value()),
                        lag_format="d",
                    )
                )
        return links

    # -- resources and assignments --------------------------------------------------------

    def _roles(self, root: Any) -> dict[str, str]:
        roles = {f"Default:{key}": name for key, name in _DEFAULT_ROLES.items()}
        for element in root.iterfind("roles/role"):
            role_id = element.get("id") or ""
            roles[role_id] = (element.get("name") or "").strip()
        return roles

    def _resources(
        self, root: Any, calendar: Calendar
    ) -> tuple[list[DocumentResource], list[PlanCalendar]]:
        container = root.find("resources")
        if container is None:
            return [], []
        roles = self._roles(root)
        definitions: dict[str, tuple[str, CustomFieldKind]] = {}
        for element in container.iterchildren("custom-property-definition"):
            field_id = element.get("id") or ""
            name = (element.get("name") or field_id).strip()
            kind = _KINDS.get((element.get("type") or "text").lower(), "text")
            definitions[field_id] = self._define(name, "resource", kind)
        elements = list(container.iterchildren("resource"))
        phone_key = (
            self._define("Phone", "resource", "text")[0]
            if any((element.get("phone") or "").strip() for element in elements)
            else ""
        )
        vacations = self._vacations(root)
        resources: list[DocumentResource] = []
        calendars: list[PlanCalendar] = []
        seen: set[int] = set()
        for row, element in enumerate(elements, start=1):
            name = (element.get("name") or "").strip()
            text_id = element.get("id") or ""
            where = f"Resource {text_id} {name!r} (line {_line(element)})"
            if not text_id.isdigit() or int(text_id) in seen:
                self.warn(f"{where}: the id is missing, not a number or used twice; skipped.")
                continue
            seen.add(int(text_id))
            values: list[CustomValue] = []
            phone = (element.get("phone") or "").strip()
            if phone:
                values.append(CustomValue(phone_key, phone))
            for value_element in element.iterchildren("custom-property"):
                field_id = value_element.get("definition-id") or ""
                if field_id not in definitions:
                    self.warn(f"{where}: the custom property {field_id!r} is not defined; skipped.")
                    continue
                key, kind = definitions[field_id]
                value = self._custom_value(key, kind, value_element.get("value"), where)
                if value is not None:
                    values.append(value)
            role = element.get("function") or ""
            if role and role not in roles:
                self.warn(f"{where}: the role {role!r} is not defined in the file; left blank.")
            calendar_uid = None
            if int(text_id) in vacations:
                calendar_uid = _CALENDAR_UID + len(calendars) + 1
                calendars.append(
                    PlanCalendar(
                        calendar_uid,
                        Calendar(
                            name or f"Resource {text_id}",
                            base=calendar,
                            exceptions=tuple(vacations[int(text_id)]),
                        ),
                        base_uid=_CALENDAR_UID,
                    )
                )
            resources.append(
                DocumentResource(
                    uid=int(text_id) + 1,
                    id=row,
                    name=name,
                    email=(element.get("contacts") or "").strip(),
                    group=roles.get(role, ""),
                    standard_rate=self._rate(element, where),
                    standard_rate_unit="d",
                    calendar_uid=calendar_uid,
                    custom_values=tuple(values),
                )
            )
        for resource_id in sorted(set(vacations) - seen):
            self.warn(f"Vacation of resource {resource_id}, which is not in the file: skipped.")
        return resources, calendars

    def _rate(self, element: Any, where: str) -> Decimal | None:
        rate: Decimal | None = None
        for rate_element in element.iterchildren("rate"):
            if (rate_element.get("name") or "standard") != "standard":
                self.warn(f"{where}: the rate {rate_element.get('name')!r} was skipped.")
                continue
            text = rate_element.get("value") or ""
            try:
                rate = Decimal(text)
                if not rate.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.warn(f"{where}: the rate {text!r} is not a number; it was skipped.")
                rate = None
        return rate

    def _vacations(self, root: Any) -> dict[int, list[CalendarException]]:
        vacations: dict[int, list[CalendarException]] = {}
        for element in root.iterfind("vacations/vacation"):
            where = f"Vacation (line {_line(element)})"
            resource_id = element.get("resourceid") or ""
            try:
                start = date.fromisoformat(element.get("start") or "")
                finish = date.fromisoformat(element.get("end") or "")
            except ValueError:
                self.warn(f"{where}: the start or end is not a date; it was skipped.")
                continue
            if not resource_id.isdigit() or finish < start:
                self.warn(f"{where}: no resource id, or the end is before the start; skipped.")
                continue
            label = _dedented(element.text) or "Vacation"
            vacations.setdefault(int(resource_id), []).append(
                CalendarException(start, finish, name=label)
            )
        return vacations

    def _assignments(
        self,
        root: Any,
        by_gan_id: dict[int, _RawTask],
        resources: dict[int, DocumentResource],
        tasks: list[PlanTask],
    ) -> list[DocumentAssignment]:
        elements = list(root.iterfind("allocations/allocation"))
        responsible_key = (
            self._define("Responsible", "assignment", "flag")[0]
            if any((element.get("responsible") or "").lower() == "true" for element in elements)
            else ""
        )
        tasks_by_uid = {task.uid: task for task in tasks}
        assignments: list[DocumentAssignment] = []
        for element in elements:
            where = f"Allocation (line {_line(element)})"
            task_id = element.get("task-id") or ""
            resource_id = element.get("resource-id") or ""
            raw = by_gan_id.get(int(task_id)) if task_id.isdigit() else None
            resource = resources.get(int(resource_id) + 1) if resource_id.isdigit() else None
            if raw is None or resource is None:
                missing = f"task {task_id!r}" if raw is None else f"resource {resource_id!r}"
                self.warn(f"{where}: {missing} is not in the file; the allocation was skipped.")
                continue
            load = (element.get("load") or "100").strip()
            try:
                units = Decimal(load) / 100
                if not units.is_finite() or units < 0:
                    raise InvalidOperation
            except InvalidOperation:
                self.warn(f"{where}: the load {load!r} is not a percentage; 100 was used.")
                units = Decimal(1)
            task = tasks_by_uid[raw.uid]
            values: tuple[CustomValue, ...] = ()
            if responsible_key:
                flag = (element.get("responsible") or "").lower() == "true"
                values = (CustomValue(responsible_key, flag),)
            assignments.append(
                DocumentAssignment(
                    uid=len(assignments) + 1,
                    task_uid=raw.uid,
                    resource_uid=resource.uid,
                    units=_plain(units),
                    work_minutes=int((task.duration_minutes * units).to_integral_value()),
                    start=task.start,
                    finish=task.finish,
                    custom_values=values,
                )
            )
        return assignments


def _kept_where_drawn(tasks: list[PlanTask], links: list[PlanLink]) -> list[PlanTask]:
    """Tasks without predecessors, drawn after the project's start, held on their start."""
    starts = [task.start for task in tasks if task.start is not None]
    if not starts:
        return tasks
    project_start = min(starts)
    linked = {link.successor_uid for link in links}
    kept: list[PlanTask] = []
    for task in tasks:
        if (
            not task.summary
            and task.uid not in linked
            and task.constraint_type == "ASAP"
            and task.start is not None
            and task.start > project_start
        ):
            task = replace(task, constraint_type="SNET", constraint_date=task.start)
        kept.append(task)
    return kept
