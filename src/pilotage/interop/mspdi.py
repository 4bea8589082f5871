"""Read Microsoft Project XML (MSPDI) files into a :class:`~pilotage.engine.plan.Plan`.

MSPDI is the XML that Microsoft Project writes with *File > Save As > XML*, and that ProjectLibre,
GanttProject and most planning tools export "for Microsoft Project". :func:`read_mspdi` reads the
project settings, the calendars, the tasks with their outline, durations, constraints and
progress, and the predecessor links. :func:`read_mspdi_document` reads the same plan (with the
same code) and the rest of the file into a :class:`~pilotage.interop.document.ProjectDocument`:
the project's properties, the custom field definitions, each task's work, costs, baselines and
custom field values, the resources and the assignments.

How values are converted
------------------------
- Dates (``2026-03-02T08:00:00``) stay naive local wall-clock times; a time-zone offset written
  by another tool is dropped without shifting the time (with a warning).
- ``Duration``, ``RemainingDuration`` and ``ActualDuration`` are XSD durations which Microsoft
  Project always writes in hours (``PT57H8M24S``), negative ones with the sign inside
  (``PT-8H0M0S``). They become whole minutes, rounded to the nearest minute: MS Project keeps a
  tenth of a minute, the scheduler works to the minute. Other tools' ``PnDTnHnMnS`` forms are
  read as MPXJ reads them: a day is ``MinutesPerDay`` working minutes (1,440 for an elapsed
  duration) and the hours of a value with days count as a fraction of a 24-hour day.
- ``LinkLag``, ``TotalSlack``, ``FreeSlack`` and ``LevelingDelay`` are tenths of a minute and
  become whole minutes (rounded). A percentage lag (``LagFormat`` 19 or 20) is the exception:
  its ``LinkLag`` is the percentage itself.
- ``DurationFormat`` and ``LagFormat`` codes become display units (:data:`DURATION_FORMAT_CODES`):
  codes 35 to 52 are the same units marked as estimates, 21 and 53 mean "not set".
- Link ``Type`` 0, 1, 2, 3 are FF, FS, SF, SS (FS when absent); ``ConstraintType`` 0 to 7 are
  ASAP, ALAP, MSO, MFO, SNET, SNLT, FNET, FNLT.
- A recurring calendar exception keeps the bound its author entered (``EnteredByOccurrences``):
  its number of occurrences, or its last date; the other, which Microsoft Project derives and
  writes too, is left out.
- Money (``Cost``, ``FixedCost``, ``CostPerUse``, baseline costs, cost custom fields) is written
  in hundredths of the currency unit and becomes a :class:`~decimal.Decimal` in the unit
  (``820000`` is 8,200.00). ``Work`` is a duration in working minutes. Rates are written per
  hour whatever their ``StandardRateFormat`` says: a rate per day is the hourly rate times
  ``MinutesPerDay / 60`` (see :func:`rate_minutes`).
  Resource ``Type`` 0, 1, 2 are material, work, cost (``IsCostResource`` also says cost).
- Custom field values (``ExtendedAttribute``) are named by their ``FieldID``: the definitions
  under ``Project/ExtendedAttributes`` give the alias, and Microsoft Project's own fields
  (:mod:`pilotage.interop.mspdi_fields`) have a key and a kind without a definition. Values
  become text, :class:`~decimal.Decimal` (numbers, costs in the unit), ``datetime``, minutes
  (durations, with their display unit) or ``bool``.

What is skipped, and said in the warnings: blank rows (``IsNull``), the project summary row (task
UID 0, kept as ``plan.project_summary`` for its dates), links to blank rows, values with codes
this reader does not know; for the document, assignments to a task or resource that is not in
the file, custom field values that cannot be read, and outline codes written as ``OutlineCode``
elements (Project 2003). Skipped without a warning: the unnamed resource UID 0 and the
assignments to resource -65535, which Microsoft Project writes in every file.

Safety: the XML is parsed with lxml without entity expansion, DTD loading or network access, and
a file that declares a document type is refused (an MSPDI file never has one).

Large files: a file saved by Microsoft Project carries dozens of fields per task that a plan does
not use, custom fields, baselines, and assignments with their timephased data. The file is read
as a stream, so memory does not grow with its size, and the content of the ``Tasks``,
``Resources`` and ``Assignments`` sections is parsed in pieces of about a mebibyte: for
:func:`read_mspdi`, the resources and assignments are only checked to be well-formed XML,
without building their elements. Whenever the pieces cannot vouch for the file (malformed XML,
a value that cannot be read, a section where it is not expected, an encoding other than UTF-8),
the file is read again in one pass; the plan, the warnings and the messages are the same either
way.
"""

from __future__ import annotations

import calendar as gregorian
import gc
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Final, NamedTuple, TypeAlias
from xml.sax.saxutils import quoteattr

from lxml import etree

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
    ELAPSED_FORMATS,
    PERCENT_FORMATS,
    DurationFormat,
    Plan,
    PlanCalendar,
    PlanConstraintType,
    PlanLink,
    PlanLinkType,
    PlanTask,
)
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
    ResourceKind,
    TaskDetails,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.mspdi_fields import (
    CF_TYPE_CODES,
    ELEMENT_TYPE_CODES,
    builtin_field,
    owner_of_field_id,
)

__all__ = [
    "CONSTRAINT_TYPE_CODES",
    "DURATION_FORMAT_CODES",
    "LINK_TYPE_CODES",
    "MSPDI_NAMESPACE",
    "PROPERTY_NAMES",
    "RATE_FORMAT_CODES",
    "RESOURCE_TYPE_CODES",
    "MspdiReadResult",
    "PlanFileError",
    "parse_duration",
    "rate_minutes",
    "read_mspdi",
    "read_mspdi_document",
]

MSPDI_NAMESPACE: Final = "http://schemas.microsoft.com/project"
"""The default namespace of every element of an MSPDI file."""

DURATION_FORMAT_CODES: Final[dict[int, DurationFormat]] = {
    3: "m",
    4: "em",
    5: "h",
    6: "eh",
    7: "d",
    8: "ed",
    9: "w",
    10: "ew",
    11: "mo",
    12: "emo",
    19: "%",
    20: "e%",
}
"""MSPDI ``DurationFormat``/``LagFormat`` codes and the display units they stand for."""

LINK_TYPE_CODES: Final[dict[int, PlanLinkType]] = {0: "FF", 1: "FS", 2: "SF", 3: "SS"}
"""MSPDI ``PredecessorLink/Type`` codes."""

CONSTRAINT_TYPE_CODES: Final[dict[int, PlanConstraintType]] = {
    0: "ASAP",
    1: "ALAP",
    2: "MSO",
    3: "MFO",
    4: "SNET",
    5: "SNLT",
    6: "FNET",
    7: "FNLT",
}
"""MSPDI ``ConstraintType`` codes."""

RATE_FORMAT_CODES: Final[dict[int, RateUnit]] = {1: "m", 2: "h", 3: "d", 4: "w", 5: "mo", 7: "y"}
"""MSPDI ``StandardRateFormat``/``OvertimeRateFormat`` codes: what a rate is shown per."""

RESOURCE_TYPE_CODES: Final[dict[int, ResourceKind]] = {0: "material", 1: "work", 2: "cost"}
"""MSPDI resource ``Type`` codes (2, a cost resource, is also said by ``IsCostResource``)."""

PROPERTY_NAMES: Final = (
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
    "Keywords",
    "Comments",
)
"""The project's descriptive elements read into ``ProjectDocument.properties``.

``Keywords`` and ``Comments`` are not MSPDI elements (Microsoft Project keeps them in the file
properties of an .mpp), but they are read when another tool writes them."""

Source: TypeAlias = str | os.PathLike[str] | bytes | IO[bytes]

_UNSET_FORMATS: Final = frozenset({21, 53})
_ESTIMATED_OFFSET: Final = 32
_MAX_WARNINGS: Final = 1000
_MAX_KNOWN_VALUES: Final = 10_000
_DAY_MINUTES: Final = 1440
_DEFAULT_PERIODS: Final = (WorkingPeriod(480, 720), WorkingPeriod(780, 1020))
_START_CONSTRAINTS: Final = frozenset({"MSO", "SNET", "SNLT"})
_ENCODING_DECLARATION: Final = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_LIBXML_POSITION: Final = re.compile(r", line \d+, column \d+$")
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_DURATION_PATTERN: Final = re.compile(
    r"(?P<sign>-)?P"
    r"(?:(?P<years>-?\d+(?:\.\d*)?)Y)?"
    r"(?:(?P<months>-?\d+(?:\.\d*)?)M)?"
    r"(?:(?P<weeks>-?\d+(?:\.\d*)?)W)?"
    r"(?:(?P<days>-?\d+(?:\.\d*)?)D)?"
    r"(?:T"
    r"(?:(?P<hours>-?\d+(?:\.\d*)?)H)?"
    r"(?:(?P<minutes>-?\d+(?:\.\d*)?)M)?"
    r"(?:(?P<seconds>-?\d+(?:\.\d*)?)S)?"
    r")?"
)

_LINK_TYPES_BY_TEXT: Final[dict[str, PlanLinkType]] = {
    str(code): link_type for code, link_type in LINK_TYPE_CODES.items()
}
_UNITS_BY_TEXT: Final[dict[str, tuple[DurationFormat | None, bool]]] = {
    **{str(code): (unit, False) for code, unit in DURATION_FORMAT_CODES.items()},
    **{str(code + 32): (unit, True) for code, unit in DURATION_FORMAT_CODES.items()},
    **{str(code): (None, False) for code in (21, 53)},
}
_HOURS_PATTERN: Final = re.compile(r"-?PT(-?\d+)H(-?\d+)M(-?\d+)S")

_EVENT_TAGS: Final = ("{*}Project", "{*}Calendar", "{*}Task", "{*}Resource", "{*}Assignment")
_PARSER_OPTIONS: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "remove_blank_text": True,
    "remove_comments": True,
    "remove_pis": True,
}
_XML_NAMESPACE: Final = "http://www.w3.org/XML/1998/namespace"
# The sections whose content is parsed in pieces, and the elements the pieces are cut after.
_SECTIONS: Final = {b"Tasks": b"Task", b"Resources": b"Resource", b"Assignments": b"Assignment"}
_SECTION_START: Final = re.compile(rb"<(Tasks|Resources|Assignments)>")
_SECTION_TAGS: Final = ("{*}Tasks", "{*}Resources", "{*}Assignments")
_LONGEST_SECTION_START: Final = len(b"<Assignments>")
_PIECE_BYTES: Final = 1 << 20
# "Task" and "Calendar" other than in TaskUID and CalendarUID (which assignments and resources
# have): where neither occurs, there is no Task or Calendar element.
_TASK_NAME: Final = re.compile(rb"Task(?!UID)")
_CALENDAR_NAME: Final = re.compile(rb"Calendar(?!UID)")
_MAX_PIECE_BYTES: Final = 64 << 20

_TASK_FIELDS: Final = (
    "UID",
    "ID",
    "Name",
    "IsNull",
    "WBS",
    "OutlineNumber",
    "OutlineLevel",
    "Priority",
    "Start",
    "Finish",
    "Duration",
    "DurationFormat",
    "Estimated",
    "Milestone",
    "Summary",
    "Manual",
    "Active",
    "Critical",
    "EarlyStart",
    "EarlyFinish",
    "LateStart",
    "LateFinish",
    "FreeSlack",
    "TotalSlack",
    "PercentComplete",
    "ActualStart",
    "ActualFinish",
    "ActualDuration",
    "RemainingDuration",
    "ConstraintType",
    "ConstraintDate",
    "Deadline",
    "CalendarUID",
    "LevelingDelay",
    "LevelingDelayFormat",
    "Notes",
)
_TASK_DETAIL_FIELDS: Final = (
    "GUID",
    "Type",
    "Work",
    "ActualWork",
    "RemainingWork",
    "Cost",
    "ActualCost",
    "FixedCost",
    "EffortDriven",
    "ManualStart",
    "ManualFinish",
    "ManualDuration",
    "Hyperlink",
    "HyperlinkAddress",
    "ExternalTask",
    "ExternalTaskProject",
)
_DETAIL_CHILDREN: Final = ("Baseline", "ExtendedAttribute", "OutlineCode")
_PLACEHOLDER_RESOURCE: Final = -65535
_YEAR_WEEKS: Final = 52
_RATE_PLACES: Final = Decimal("1e-10")
_LINK_FIELDS: Final = (
    "PredecessorUID",
    "Type",
    "CrossProject",
    "CrossProjectName",
    "LinkLag",
    "LagFormat",
)


@dataclass(frozen=True)
class MspdiReadResult:
    """What :func:`read_mspdi` read: the plan, and what it had to skip or guess.

    Parameters
    ----------
    plan : Plan
        The plan.
    warnings : list of str
        One line per problem that did not stop the reading, naming the task or calendar.
    null_tasks : int
        How many blank rows (``IsNull``) were skipped.
    save_version : int, optional
        The file's ``SaveVersion`` (9 = Project 2002/2003, 12 = 2007, 14 = 2010 and later).

    Examples
    --------
    >>> result = read_mspdi(b'<Project xmlns="http://schemas.microsoft.com/project"/>')
    >>> result.plan.tasks, result.warnings, result.null_tasks
    ((), [], 0)
    """

    plan: Plan
    warnings: list[str] = field(default_factory=list)
    null_tasks: int = 0
    save_version: int | None = None


def read_mspdi(source: Source, *, name: str | None = None) -> MspdiReadResult:
    """Read a Microsoft Project XML file.

    Parameters
    ----------
    source : str, path-like, bytes or binary file
        A path to the file, the file's content, or a file opened in binary mode.
    name : str, optional
        How to name the file in messages; by default its path, or ``"the file"`` for content.

    Returns
    -------
    MspdiReadResult
        The plan and the warnings.

    Raises
    ------
    PlanFileError
        If the file cannot be read, is not XML, is malformed XML (the message gives the line),
        is not MSPDI, or holds a value that cannot be read (the message names the task or
        calendar, the field and the line), such as a duration ``3x`` or a link to a task that is
        not in the file.

    Examples
    --------
    >>> result = read_mspdi(b'''<Project xmlns="http://schemas.microsoft.com/project">
    ...   <Name>Launch</Name><MinutesPerDay>480</MinutesPerDay>
    ...   <Tasks>
    ...     <Task><UID>1</UID><ID>1</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel>
    ...       <Duration>PT16H0M0S</Duration><DurationFormat>7</DurationFormat></Task>
    ...     <Task><UID>2</UID><ID>2</ID><Name>Ship</Name><OutlineLevel>1</OutlineLevel>
    ...       <Duration>PT0H0M0S</Duration>
    ...       <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>
    ...         <LinkLag>4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
    ...   </Tasks>
    ... </Project>''')
    >>> [(task.name, task.duration_minutes, task.milestone) for task in result.plan.tasks]
    [('Build', 960, False), ('Ship', 0, True)]
    >>> link = result.plan.links[0]
    >>> link.type, link.lag_minutes, link.lag_format
    ('FS', 480, 'd')
    >>> read_mspdi(b"<html><body/></html>", name="page.html")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: page.html, line 1: not a Microsoft Project XML \
file: the document is <html>, not <Project>
    """
    return _read_source(source, name, full=False)[0]


def read_mspdi_document(source: Source, *, name: str | None = None) -> ProjectDocument:
    """Read a Microsoft Project XML file whole: the plan, resources, assignments and the rest.

    Everything :func:`read_mspdi` reads, plus the project's descriptive properties, the custom
    field definitions, each task's work, costs, type, manual dates, GUID, hyperlink, baselines 0
    to 10, custom field values and external-task marks, the resources and the assignments (see
    the module's notes for the units). The unnamed resource UID 0 that Microsoft Project always
    writes, and the assignments to resource -65535 (its placeholder for "no resource"), are left
    out without a warning.

    Parameters
    ----------
    source : str, path-like, bytes or binary file
        A path to the file, the file's content, or a file opened in binary mode.
    name : str, optional
        How to name the file in messages; by default its path, or ``"the file"`` for content.

    Returns
    -------
    ProjectDocument
        The document, with ``format`` ``"mspdi"``.

    Raises
    ------
    PlanFileError
        As :func:`read_mspdi`; also for a resource or an assignment without a UID or with a UID
        used twice.

    Examples
    --------
    >>> document = read_mspdi_document(b'''<Project xmlns="http://schemas.microsoft.com/project">
    ...   <Title>Launch</Title><Author>Ada</Author>
    ...   <Tasks><Task><UID>1</UID><ID>1</ID><Name>Build</Name><OutlineLevel>1</OutlineLevel>
    ...     <Duration>PT16H0M0S</Duration><Work>PT32H0M0S</Work><Cost>820000</Cost></Task></Tasks>
    ...   <Resources><Resource><UID>0</UID><ID>0</ID></Resource>
    ...     <Resource><UID>1</UID><ID>1</ID><Name>Alice</Name><Type>1</Type>
    ...       <StandardRate>50</StandardRate><StandardRateFormat>3</StandardRateFormat></Resource>
    ...   </Resources>
    ...   <Assignments><Assignment><UID>1</UID><TaskUID>1</TaskUID><ResourceUID>1</ResourceUID>
    ...     <Units>0.5</Units><Work>PT32H0M0S</Work></Assignment></Assignments>
    ... </Project>''')
    >>> document.properties["Author"], document.details(1).work_minutes, document.details(1).cost
    ('Ada', 1920, Decimal('8200.00'))
    >>> alice = document.resources[0]
    >>> alice.name, alice.standard_rate, alice.standard_rate_unit
    ('Alice', Decimal('400'), 'd')
    >>> document.counts()
    {'tasks': 1, 'links': 0, 'resources': 1, 'assignments': 1, 'calendars': 0}
    """
    result, reader = _read_source(source, name, full=True)
    extras = reader.extras
    return ProjectDocument(
        format="mspdi",
        plan=result.plan,
        properties=extras.properties,
        custom_fields=extras.custom_fields,
        task_details=extras.task_details,
        resources=extras.resources,
        assignments=extras.assignments,
        warnings=tuple(result.warnings),
        null_tasks=result.null_tasks,
        save_version=result.save_version,
    )


def _read_source(
    source: Source, name: str | None, *, full: bool
) -> tuple[MspdiReadResult, _Reader]:
    label = name or _source_label(source)
    stream, start, owned = _open(source, label)
    try:
        head = stream.read(200)
        stream.seek(start)
        if not head:
            raise PlanFileError(label, "the file is empty")
        if head.startswith(_OLE2_MAGIC):
            raise PlanFileError(
                label,
                "this is a binary Microsoft Project file (.mpp), not XML: save it from "
                "Microsoft Project as XML (File > Save As > XML)",
            )
        default_name = Path(label).stem if isinstance(source, str | os.PathLike) else ""
        with _collector_paused():
            return _read(stream, start, head, label, default_name, full=full)
    finally:
        if owned:
            stream.close()


def _read(
    stream: IO[bytes], start: int, head: bytes, label: str, default_name: str, *, full: bool
) -> tuple[MspdiReadResult, _Reader]:
    """Read in pieces when the file allows it, else (or when in doubt) in one pass."""
    if _may_read_in_pieces(head):
        try:
            reader = _Reader(label, default_name, full=full)
            return reader.read_in_pieces(stream), reader
        except _NeedsOnePassError:
            stream.seek(start)
    first = _Reader(label, default_name, full=full)
    first.may_be_windows_1252 = not _declares_another_encoding(head)
    try:
        return first.read(stream, encoding=None), first
    except _NotUtf8Error:
        stream.seek(start)
        reader = _Reader(label, default_name, full=full)
        reader.warn("the file is not valid UTF-8; it was read as Windows-1252")
        return reader.read(stream, encoding="windows-1252"), reader


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is read.

    Reading a large plan allocates millions of objects that all stay alive (tasks, links,
    dates); the collector would walk them again and again for no garbage, since the reader
    makes no reference cycles. That costs about a tenth of the reading time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_duration(
    text: str,
    *,
    minutes_per_day: int = 480,
    days_per_month: int = 20,
    elapsed: bool = False,
) -> int:
    """Convert an MSPDI duration (an XSD duration) to whole minutes.

    Parameters
    ----------
    text : str
        The duration, e.g. ``PT8H0M0S``, ``PT-8H0M0S`` (Microsoft Project's negative form),
        ``-PT8H`` or ``P1DT4H``. A lone ``0`` (written by some tools) is zero.
    minutes_per_day : int, optional
        Working minutes in a day, for values written with a day part.
    days_per_month : int, optional
        Working days in a month, for values written with a month or year part.
    elapsed : bool, optional
        The duration is elapsed: a day is 24 hours and a month 30 days.

    Returns
    -------
    int
        The duration in minutes, rounded to the nearest minute (halves away from zero).

    Raises
    ------
    ValueError
        If the text is not a duration.

    Examples
    --------
    >>> parse_duration("PT57H8M24S")
    3428
    >>> parse_duration("PT-8H30M0S")
    -510
    >>> parse_duration("P1D"), parse_duration("P1D", elapsed=True), parse_duration("P1DT12H")
    (480, 1440, 720)
    >>> parse_duration("3x")
    Traceback (most recent call last):
    ...
    ValueError: '3x' is not a duration such as PT8H0M0S
    """
    value = text.strip()
    if value == "0":
        return 0
    quick = _HOURS_PATTERN.fullmatch(value)
    if quick is not None:
        clock = [abs(int(part)) for part in quick.groups()]
        rounded = _round_ratio(clock[0] * 3600 + clock[1] * 60 + clock[2], 60)
        return -rounded if "-" in value else rounded
    match = _DURATION_PATTERN.fullmatch(value)
    if match is None or not any(
        match.group(part)
        for part in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
    ):
        raise ValueError(f"{text!r} is not a duration such as PT8H0M0S")
    negative = "-" in value
    parts = {
        part: abs(Fraction(match.group(part) or 0))
        for part in ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
    }
    hours = parts["hours"] + parts["minutes"] / 60 + parts["seconds"] / 3600
    day_minutes = _DAY_MINUTES if elapsed else minutes_per_day
    total: Fraction
    if parts["years"] or parts["months"]:
        months = (
            parts["years"] * 12
            + parts["months"]
            + (parts["weeks"] * 7 + parts["days"] + hours / 24) / 30
        )
        total = months * (30 if elapsed else days_per_month) * day_minutes
    elif parts["weeks"] or parts["days"]:
        total = (parts["weeks"] * 7 + parts["days"] + hours / 24) * day_minutes
    else:
        total = hours * 60
    rounded = _round_half_away(total)
    return -rounded if negative else rounded


def rate_minutes(
    unit: RateUnit,
    *,
    minutes_per_day: int = 480,
    minutes_per_week: int = 2400,
    days_per_month: int = 20,
) -> int:
    """Working minutes in the unit a rate is per: MSPDI rates are per hour whatever their format.

    A file writes ``<StandardRate>50</StandardRate><StandardRateFormat>3</StandardRateFormat>``
    for 400 a day with 8-hour days: the rate per day is the hourly rate times
    ``rate_minutes("d") / 60``. A month is ``days_per_month`` days and a year 52 weeks, as
    Microsoft Project (and MPXJ) count them.

    Parameters
    ----------
    unit : {"m", "h", "d", "w", "mo", "y"}
        What the rate is per.
    minutes_per_day, minutes_per_week, days_per_month : int, optional
        The project's settings.

    Returns
    -------
    int
        The working minutes in one such unit.

    Examples
    --------
    >>> rate_minutes("d"), rate_minutes("mo"), rate_minutes("y", minutes_per_week=2250)
    (480, 9600, 117000)
    """
    return {
        "m": 1,
        "h": 60,
        "d": minutes_per_day,
        "w": minutes_per_week,
        "mo": minutes_per_day * days_per_month,
        "y": minutes_per_week * _YEAR_WEEKS,
    }[unit]


def _round_half_away(value: Fraction) -> int:
    whole = int(abs(value) + Fraction(1, 2))
    return -whole if value < 0 else whole


def _round_ratio(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves away from zero."""
    whole = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -whole if numerator < 0 else whole


def _source_label(source: Source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if isinstance(source, bytes):
        return "the file"
    stream_name = getattr(source, "name", None)
    return stream_name if isinstance(stream_name, str) else "the file"


def _open(source: Source, label: str) -> tuple[IO[bytes], int, bool]:
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).open("rb"), 0, True
        except OSError as error:
            raise PlanFileError(label, f"cannot be read: {error.strerror or error}") from error
    if isinstance(source, bytes):
        return io.BytesIO(source), 0, True
    if source.seekable():
        return source, source.tell(), False
    return io.BytesIO(source.read()), 0, True


def _is_encoding_error(message: str) -> bool:
    return "UTF-8" in message or "Invalid bytes in character encoding" in message


def _declares_another_encoding(head: bytes) -> bool:
    """Whether the XML declaration names an encoding other than UTF-8 (then it is trusted)."""
    declared = _ENCODING_DECLARATION.search(head)
    return declared is not None and declared.group(1).lower().replace(b"_", b"-") not in (
        b"utf-8",
        b"utf8",
    )


class _NotUtf8Error(Exception):
    """The parser met bytes that are not UTF-8 in a file that declares no other encoding."""


class _NeedsOnePassError(Exception):
    """Reading in pieces cannot vouch for this file: it is read again in one pass."""


def _may_read_in_pieces(head: bytes) -> bool:
    """Whether the file is UTF-8 (or ASCII), so that its pieces can be parsed on their own."""
    return (
        not _declares_another_encoding(head)
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        and b"\x00" not in head
    )


class _Discard:
    """A parser target that keeps nothing: the parser only checks that the XML is well formed."""

    def close(self) -> None:
        return None


@dataclass
class _RawCalendar:
    uid: int
    name: str
    base_uid: int | None
    line: int | None
    days: dict[int, tuple[WorkingPeriod, ...]]
    exceptions: list[CalendarException]
    recurring: list[RecurringException]
    work_weeks: list[tuple[str, date, date, dict[int, tuple[WorkingPeriod, ...]]]]


class _RawValue(NamedTuple):
    """A custom field value as written: converted once the definitions are known."""

    field_id: int
    value: str | None
    duration_format: str | None


@dataclass
class _Extras:
    """What :func:`read_mspdi_document` reads beyond the plan."""

    properties: dict[str, str] = field(default_factory=dict)
    custom_fields: tuple[CustomField, ...] = ()
    task_details: dict[int, TaskDetails] = field(default_factory=dict)
    resources: tuple[DocumentResource, ...] = ()
    assignments: tuple[DocumentAssignment, ...] = ()


@dataclass
class _Settings:
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20


class _Fields:
    """The texts of one MSPDI element's children, read with messages naming their owner."""

    __slots__ = ("element", "owner", "reader", "texts")

    def __init__(self, reader: _Reader, owner: str, element: Any, texts: dict[str, str]) -> None:
        self.reader = reader
        self.owner = owner
        self.element = element
        self.texts = texts

    def text(self, name: str) -> str | None:
        return self.texts.get(name)

    def line(self, name: str) -> int | None:
        if self.element is None:
            return None
        child = self.element.find(self.reader.namespace + name)
        return _line(child if child is not None else self.element)

    def error(self, name: str, problem: str) -> PlanFileError:
        return PlanFileError(self.reader.label, f"{self.owner}: {problem}", line=self.line(name))

    def integer(self, name: str) -> int | None:
        value = self.texts.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            try:
                number = Fraction(value)
            except ValueError:
                raise self.error(name, f"{name} {value!r} is not a whole number") from None
            if number.denominator != 1:
                raise self.error(name, f"{name} {value!r} is not a whole number") from None
            return int(number)

    def number(self, name: str) -> Fraction | None:
        value = self.texts.get(name)
        if value is None:
            return None
        try:
            return Fraction(value)
        except ValueError:
            raise self.error(name, f"{name} {value!r} is not a number") from None

    def decimal(self, name: str) -> Decimal | None:
        value = self.texts.get(name)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise self.error(name, f"{name} {value!r} is not a number")
        return number

    def money(self, name: str) -> Decimal | None:
        """An amount that MSPDI writes in hundredths of the currency unit."""
        number = self.decimal(name)
        return None if number is None else number.scaleb(-2)

    def optional_flag(self, name: str) -> bool | None:
        return None if self.texts.get(name) is None else self.flag(name, False)

    def flag(self, name: str, default: bool) -> bool:
        value = self.texts.get(name)
        if value is None:
            return default
        if value in ("1", "true"):
            return True
        if value in ("0", "false"):
            return False
        self.reader.warn(f"{self.owner}: {name} {value!r} is not 0 or 1; read as {int(default)}")
        return default

    def datetime(self, name: str) -> datetime | None:
        value = self.texts.get(name)
        if value is None:
            return None
        known = self.reader.dates
        instant = known.get(value)
        if instant is not None:
            return instant
        if value == "NA":
            return None
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            raise self.error(
                name, f"{name} {value!r} is not a date such as 2026-03-02T08:00:00"
            ) from None
        if instant.tzinfo is not None:
            self.reader.warn_once(
                "time zone",
                f"{self.owner}: {name} {value!r} has a time-zone offset; dates are kept as the "
                "local times written, without the offset",
            )
            return instant.replace(tzinfo=None)
        if len(known) >= _MAX_KNOWN_VALUES:
            known.clear()
        known[value] = instant
        return instant

    def duration(self, name: str, *, elapsed: bool = False) -> int | None:
        value = self.texts.get(name)
        if value is None:
            return None
        known = self.reader.durations
        minutes = known.get((value, elapsed))
        if minutes is not None:
            return minutes
        settings = self.reader.settings
        try:
            minutes = parse_duration(
                value,
                minutes_per_day=settings.minutes_per_day,
                days_per_month=settings.days_per_month,
                elapsed=elapsed,
            )
        except ValueError:
            raise self.error(name, f"{name} {value!r} is not a duration such as PT8H0M0S") from None
        if len(known) >= _MAX_KNOWN_VALUES:
            known.clear()
        known[value, elapsed] = minutes
        return minutes

    def tenths(self, name: str) -> int | None:
        value = self.texts.get(name)
        if value is None:
            return None
        try:
            return _round_ratio(int(value), 10)
        except ValueError:
            number = self.number(name)
            return None if number is None else _round_half_away(number / 10)

    def unit(self, name: str) -> DurationFormat | None:
        value = self.texts.get(name)
        if value is None:
            return None
        known = _UNITS_BY_TEXT.get(value)
        return known[0] if known is not None else self.duration_format(name)[0]

    def duration_format(self, name: str) -> tuple[DurationFormat | None, bool]:
        known = _UNITS_BY_TEXT.get(self.texts.get(name) or "")
        if known is not None:
            return known
        code = self.integer(name)
        if code is None or code in _UNSET_FORMATS:
            return None, False
        estimated = code > _ESTIMATED_OFFSET
        unit = DURATION_FORMAT_CODES.get(code - _ESTIMATED_OFFSET if estimated else code)
        if unit is None:
            self.reader.warn(f"{self.owner}: {name} {code} is not a known unit; ignored")
            return None, False
        return unit, estimated


def _line(element: Any) -> int | None:
    line = element.sourceline
    return line if isinstance(line, int) else None


class _Reader:
    """One reading of one MSPDI document, in one pass (:meth:`read`) or in pieces."""

    def __init__(self, label: str, default_name: str, *, full: bool = False) -> None:
        self.label = label
        self.default_name = default_name
        # full: also read what read_mspdi_document gives (details, resources, assignments)
        self.full = full
        self.extras = _Extras()
        self.task_details: dict[int, TaskDetails] = {}
        self.resources: list[tuple[DocumentResource, int | None]] = []
        self.resource_uids: set[int] = set()
        self.skipped_resource_uids: set[int] = set()
        self.assignments: list[tuple[DocumentAssignment, int | None]] = []
        self.assignment_uids: set[int] = set()
        self.custom_values: list[tuple[str, CustomFieldOwner, int, list[_RawValue]]] = []
        self.outline_code_elements = 0
        self._detail_tags: frozenset[str] = frozenset()
        self.may_be_windows_1252 = False
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self._dropped_warnings = 0
        self.settings = _Settings()
        self._settings_read = False
        self.namespace = ""
        self.project_fields: _Fields | None = None
        self.calendars: list[_RawCalendar] = []
        self.tasks: list[PlanTask] = []
        self.task_uids: set[int] = set()
        self.null_uids: set[int] = set()
        self.project_summary: PlanTask | None = None
        self.links: list[tuple[PlanLink, int | None]] = []
        self.parents_with_children: set[int] = set()
        self._outline: list[tuple[int, int]] = []
        self._task_fields: dict[str, str] = {}
        # Values already converted, by text: dates and durations repeat within and across tasks.
        self.durations: dict[tuple[str, bool], int] = {}
        self.dates: dict[str, datetime] = {}
        self._link_values: dict[tuple[str | None, ...], tuple[Any, ...]] = {}
        self._link_tag = ""
        self._link_fields_by_tag: dict[str, str] = {}
        # Reading in pieces (read_in_pieces)
        self._main: Any = None
        self._root: Any = None
        self._last_event: tuple[str, Any] | None = None
        self._section: Any = None
        self._piece_start = b""
        self._piece_end = b""
        self._build_parser: Any = None
        self._check_parser: Any = None

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self._dropped_warnings += 1

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)

    def read(self, stream: IO[bytes], *, encoding: str | None) -> MspdiReadResult:
        """Read the file in one pass, every element through the same parser."""
        context = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=_EVENT_TAGS,
            encoding=encoding,
            **_PARSER_OPTIONS,
        )
        root: Any = None
        try:
            for event, element in context:
                if root is None:
                    root = self._check_root(element.getroottree())
                if event == "start":
                    continue
                self._element_end(root, element)
        except etree.XMLSyntaxError as error:
            raise self._syntax_error(error, encoding, seen=root is not None) from error
        if root is None:
            root = self._check_root(context.root.getroottree())
        return self._result()

    def read_in_pieces(self, stream: IO[bytes]) -> MspdiReadResult:
        """Read a UTF-8 file with the content of its large sections parsed in pieces.

        The content of ``Tasks``, ``Resources`` and ``Assignments`` is cut after whole tasks,
        resources or assignments into pieces of about a mebibyte. The rest of the file goes
        through one parser as in :meth:`read`, which thus sees these sections empty. Each piece
        is parsed on its own between the same root and section start tags, so its elements have
        the same names, namespaces and texts as in one pass, and the tasks and calendars in it
        are read in the same order. A piece with no task or calendar element (the resources and
        the assignments, with their timephased data) is only checked to be well-formed, without
        building its elements. Memory stays that of a piece, whatever the size of the file.

        Two checks make the cutting safe: the main parser must see each section start tag open
        a child of the root, and the matching end tag close that same element; and each piece
        must be well-formed on its own, which fails if a cut fell inside a comment, a CDATA
        section or an element other than a whole task, resource or assignment.

        Raises
        ------
        _NeedsOnePassError
            On anything this way of reading cannot vouch for: malformed XML, a value that cannot
            be read, a section tag that is not a child of the root. The file is then read again
            with :meth:`read`, which reports the problem with its line.
        """
        try:
            return self._read_in_pieces(stream)
        except _NeedsOnePassError:
            raise
        except Exception as error:
            raise _NeedsOnePassError from error

    def _read_in_pieces(self, stream: IO[bytes]) -> MspdiReadResult:
        self._main = etree.XMLPullParser(
            events=("start", "end"), tag=_EVENT_TAGS + _SECTION_TAGS, **_PARSER_OPTIONS
        )
        self._build_parser = etree.XMLParser(**_PARSER_OPTIONS)
        self._check_parser = etree.XMLParser(target=_Discard(), **_PARSER_OPTIONS)
        buffer = b""
        section: bytes | None = None
        end_of_file = False
        while True:
            if section is None:
                match = _SECTION_START.search(buffer)
                if match is not None:
                    self._feed(buffer[: match.start()])
                    section = match.group(1)
                    self._open_section(section, buffer[match.start() : match.end()])
                    buffer = buffer[match.end() :]
                    continue
                if end_of_file:
                    self._feed(buffer)
                    break
                keep = max(len(buffer) - _LONGEST_SECTION_START + 1, 0)
                self._feed(buffer[:keep])
                buffer = buffer[keep:]
            else:
                end_tag = b"</" + section + b">"
                end = buffer.find(end_tag)
                if end >= 0:
                    self._piece(buffer[:end])
                    self._close_section(end_tag)
                    buffer = buffer[end + len(end_tag) :]
                    section = None
                    continue
                if len(buffer) >= _PIECE_BYTES:
                    item_end = b"</" + _SECTIONS[section] + b">"
                    cut = buffer.rfind(item_end)
                    if cut >= 0:
                        cut += len(item_end)
                        self._piece(buffer[:cut])
                        buffer = buffer[cut:]
                        continue
                    if len(buffer) > _MAX_PIECE_BYTES:
                        raise _NeedsOnePassError
                if end_of_file:
                    raise _NeedsOnePassError
            block = stream.read(_PIECE_BYTES)
            if block:
                buffer += block
            else:
                end_of_file = True
        closed = self._main.close()
        self._main_events()
        if self._root is None:
            self._root = self._check_root(closed.getroottree())
        return self._result()

    def _feed(self, data: bytes) -> None:
        if data:
            self._main.feed(data)
            self._main_events()

    def _main_events(self) -> None:
        for event, element in self._main.read_events():
            if self._root is None:
                self._root = self._check_root(element.getroottree())
            self._last_event = (event, element)
            if event == "end":
                self._element_end(self._root, element)

    def _open_section(self, section: bytes, start_tag: bytes) -> None:
        """Feed a section's start tag; check that it opened a child of the root."""
        self._last_event = None
        self._feed(start_tag)
        last = self._last_event
        root = self._root
        if (
            last is None
            or last[0] != "start"
            or last[1].tag != self.namespace + section.decode()
            or last[1].getparent() is not root
        ):
            raise _NeedsOnePassError
        self._section = last[1]
        local = etree.QName(root).localname
        qname = f"{root.prefix}:{local}" if root.prefix else local
        declarations = "".join(
            f" xmlns:{prefix}={quoteattr(uri)}" if prefix else f" xmlns={quoteattr(uri)}"
            for prefix, uri in root.nsmap.items()
        )
        space = root.get(f"{{{_XML_NAMESPACE}}}space")
        if space is not None:
            declarations += f" xml:space={quoteattr(space)}"
        self._piece_start = f"<{qname}{declarations}>".encode() + start_tag
        self._piece_end = b"</" + section + b"></" + qname.encode() + b">"

    def _close_section(self, end_tag: bytes) -> None:
        """Feed a section's end tag; check that it closed the element the start tag opened.

        The main parser gets the start and the end tag with nothing between: if the end tag
        closes the element seen opening, that element is the one the start tag opened.
        """
        self._last_event = None
        self._feed(end_tag)
        if self._last_event is None or self._last_event != ("end", self._section):
            raise _NeedsOnePassError
        self._section = None

    def _piece(self, content: bytes) -> None:
        """Parse one piece of a section's content; read the tasks and calendars in it."""
        if not content:
            return
        if (
            not self.full
            and _TASK_NAME.search(content) is None
            and _CALENDAR_NAME.search(content) is None
        ):
            # No element named Task or Calendar: only whether the XML is well formed matters.
            parser = self._check_parser
        else:
            parser = self._build_parser
        parser.feed(self._piece_start)
        parser.feed(content)
        parser.feed(self._piece_end)
        wrapper = parser.close()
        if wrapper is None:
            return
        (container,) = wrapper
        root = self._root
        task_tag, calendar_tag = self.namespace + "Task", self.namespace + "Calendar"
        resource_tag, assignment_tag = self.namespace + "Resource", self.namespace + "Assignment"
        for element in container:
            tag = element.tag
            if tag == task_tag:
                self._ensure_settings(root)
                self._task(element)
            elif tag == calendar_tag:
                self._ensure_settings(root)
                self._calendar(element)
            elif self.full and tag == resource_tag:
                self._ensure_settings(root)
                self._resource(element)
            elif self.full and tag == assignment_tag:
                self._ensure_settings(root)
                self._assignment(element)

    def _syntax_error(
        self, error: Any, encoding: str | None, *, seen: bool
    ) -> PlanFileError | _NotUtf8Error:
        message = _LIBXML_POSITION.sub("", str(getattr(error, "msg", "") or error))
        if encoding is None and self.may_be_windows_1252 and _is_encoding_error(message):
            return _NotUtf8Error()
        line = getattr(error, "lineno", None)
        line = line if isinstance(line, int) and line > 0 else None
        problem = "malformed XML" if seen else "not an XML file"
        return PlanFileError(self.label, f"{problem}: {message}", line=line)

    def _check_root(self, tree: Any) -> Any:
        root = tree.getroot()
        if tree.docinfo.doctype:
            raise PlanFileError(
                self.label,
                "the file declares a document type (<!DOCTYPE>), which Microsoft Project XML "
                "never has; it is refused because it could expand entities or read other files",
                line=_line(root),
            )
        tag: str = root.tag if isinstance(root.tag, str) else ""
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "Project" or namespace not in ("", MSPDI_NAMESPACE):
            shown = f"<{local}>" if not namespace else f"<{local}> in namespace {namespace}"
            raise PlanFileError(
                self.label,
                f"not a Microsoft Project XML file: the document is {shown}, not <Project>",
                line=_line(root),
            )
        self.namespace = "{" + namespace + "}" if namespace else ""
        task_fields = _TASK_FIELDS + _TASK_DETAIL_FIELDS if self.full else _TASK_FIELDS
        self._task_fields = {self.namespace + name: name for name in task_fields}
        if self.full:
            self._detail_tags = frozenset(self.namespace + name for name in _DETAIL_CHILDREN)
        self._link_tag = self.namespace + "PredecessorLink"
        self._link_fields_by_tag = {self.namespace + name: name for name in _LINK_FIELDS}
        return root

    def _element_end(self, root: Any, element: Any) -> None:
        tag = element.tag
        parent = element.getparent()
        if parent is None:
            self.project_fields = self._fields(root, "Project")
            return
        if parent is None or parent.getparent() is not root:
            return
        namespace = self.namespace
        if tag == namespace + "Task":
            self._ensure_settings(root)
            self._task(element)
        elif tag == namespace + "Calendar":
            self._ensure_settings(root)
            self._calendar(element)
        elif tag == namespace + "Resource":
            if self.full:
                self._ensure_settings(root)
                self._resource(element)
        elif tag == namespace + "Assignment":
            if self.full:
                self._ensure_settings(root)
                self._assignment(element)
        else:
            return
        element.clear()
        while element.getprevious() is not None:
            del parent[0]

    def _texts(self, element: Any) -> dict[str, str]:
        """The non-empty texts of an element's children without children of their own."""
        cut = len(self.namespace)
        namespace = self.namespace
        texts: dict[str, str] = {}
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag.startswith(namespace) and len(child) == 0:
                value = child.text
                if value:
                    value = value.strip()
                    if value:
                        texts[tag[cut:]] = value
        return texts

    def _fields(self, element: Any, owner: str) -> _Fields:
        return _Fields(self, owner, element, self._texts(element))

    def _ensure_settings(self, root: Any) -> None:
        if self._settings_read:
            return
        self._settings_read = True
        self.settings = self._read_settings(self._fields(root, "Project"))
        self.durations.clear()

    def _read_settings(self, fields: _Fields) -> _Settings:
        defaults = _Settings()
        values = {}
        for name, default in (
            ("MinutesPerDay", defaults.minutes_per_day),
            ("MinutesPerWeek", defaults.minutes_per_week),
            ("DaysPerMonth", defaults.days_per_month),
        ):
            value = fields.integer(name)
            if value is not None and value <= 0:
                self.warn(f"Project: {name} {value} is not positive; {default} is used")
                value = None
            values[name] = default if value is None else value
        return _Settings(values["MinutesPerDay"], values["MinutesPerWeek"], values["DaysPerMonth"])

    def _result(self) -> MspdiReadResult:
        fields = self.project_fields or _Fields(self, "Project", None, {})
        settings = self._read_settings(fields)
        if settings != self.settings and self._settings_read:
            self.warn(
                "Project: MinutesPerDay, MinutesPerWeek or DaysPerMonth come after the calendars "
                "or tasks; durations written in days were converted with the defaults"
            )
        calendars = self._build_calendars(settings)
        calendar_uids = {plan_calendar.uid for plan_calendar in calendars}
        project_calendar = fields.integer("CalendarUID")
        if project_calendar is not None and project_calendar not in calendar_uids:
            if project_calendar > 0 or calendars:
                self.warn(
                    f"Project: the project calendar {project_calendar} is not in the file; "
                    "the standard calendar is used"
                )
            project_calendar = None
        tasks = self._finish_tasks(calendar_uids)
        links = self._finish_links()
        name = fields.text("Title") or fields.text("Name") or self.default_name
        try:
            plan = Plan(
                name=name,
                start=fields.datetime("StartDate"),
                finish=fields.datetime("FinishDate"),
                schedule_from_start=fields.flag("ScheduleFromStart", True),
                status_date=fields.datetime("StatusDate"),
                current_date=fields.datetime("CurrentDate"),
                calendar_uid=project_calendar,
                minutes_per_day=settings.minutes_per_day,
                minutes_per_week=settings.minutes_per_week,
                days_per_month=settings.days_per_month,
                default_start_minute=self._clock(fields, "DefaultStartTime", 480),
                default_finish_minute=self._clock(fields, "DefaultFinishTime", 1020),
                honor_constraints=(
                    None
                    if fields.text("HonorConstraints") is None
                    else fields.flag("HonorConstraints", True)
                ),
                currency_code=fields.text("CurrencyCode") or "",
                currency_symbol=fields.text("CurrencySymbol") or "",
                calendars=tuple(calendars),
                tasks=tuple(tasks),
                links=tuple(links),
                project_summary=self.project_summary,
            )
        except ScheduleInputError as error:
            raise PlanFileError(self.label, str(error)) from error
        if self.full:
            self.extras = self._document_extras(fields, plan)
        if self._dropped_warnings:
            self.warnings.append(f"... and {self._dropped_warnings} more warnings")
        return MspdiReadResult(
            plan=plan,
            warnings=self.warnings,
            null_tasks=len(self.null_uids),
            save_version=fields.integer("SaveVersion"),
        )

    def _clock(self, fields: _Fields, name: str, default: int) -> int:
        value = fields.text(name)
        if value is None:
            return default
        minute = _clock_minutes(value)
        if minute is None:
            raise fields.error(name, f"{name} {value!r} is not a time such as 08:00:00")
        return minute

    def _task(self, element: Any) -> None:
        texts: dict[str, str] = {}
        link_elements: list[Any] = []
        detail_elements: list[Any] = []
        field_names = self._task_fields
        link_tag = self._link_tag
        detail_tags = self._detail_tags
        for child in element:
            tag = child.tag
            name = field_names.get(tag)
            if name is not None:
                value = child.text
                if value:
                    value = value.strip()
                    if value:
                        texts[name] = value
            elif tag == link_tag:
                link_elements.append(child)
            elif tag in detail_tags:
                detail_elements.append(child)
        fields = _Fields(self, "A task", element, texts)
        uid = fields.integer("UID")
        if uid is None:
            raise PlanFileError(self.label, "a task has no UID", line=_line(element))
        fields.owner = f"Task {uid}"
        if (
            uid in self.task_uids
            or uid in self.null_uids
            or (uid == 0 and self.project_summary is not None)
        ):
            raise PlanFileError(
                self.label, f"Task {uid}: the UID is used twice", line=_line(element)
            )
        if fields.flag("IsNull", False):
            self.null_uids.add(uid)
            return
        outline_level = fields.integer("OutlineLevel")
        if uid == 0 and not outline_level:
            self.project_summary = self._plan_task(uid, fields, element, 0, None)
            if link_elements:
                self.warn("Task 0: the project summary task has predecessor links; ignored")
            if self.full:
                self._task_details(self.project_summary, fields, detail_elements)
            return
        if outline_level is None:
            outline_level = 1
        elif outline_level < 1:
            self.warn(f"Task {uid}: OutlineLevel {outline_level} read as 1")
            outline_level = 1
        parent = self._place_in_outline(uid, outline_level)
        plan_task = self._plan_task(uid, fields, element, outline_level, parent)
        self.tasks.append(plan_task)
        self.task_uids.add(uid)
        for link_element in link_elements:
            self._link(uid, link_element)
        if self.full:
            self._task_details(plan_task, fields, detail_elements)

    def _place_in_outline(self, uid: int, level: int) -> int | None:
        outline = self._outline
        while outline and outline[-1][0] >= level:
            outline.pop()
        parent = outline[-1][1] if outline else None
        if level > (outline[-1][0] if outline else 0) + 1:
            where = f"task {parent}" if parent is not None else "the top level"
            self.warn(f"Task {uid}: OutlineLevel {level} is more than one level below {where}")
        if parent is not None:
            self.parents_with_children.add(parent)
        outline.append((level, uid))
        return parent

    def _plan_task(
        self, uid: int, fields: _Fields, element: Any, outline_level: int, parent: int | None
    ) -> PlanTask:
        owner = fields.owner
        duration_format, estimated_code = fields.duration_format("DurationFormat")
        if duration_format in PERCENT_FORMATS:
            self.warn(f"{owner}: a task duration cannot be a percentage; the unit is ignored")
            duration_format = None
        elapsed = duration_format in ELAPSED_FORMATS
        duration = fields.duration("Duration", elapsed=elapsed)
        if duration is not None and duration < 0:
            raise fields.error("Duration", f"Duration {fields.text('Duration')!r} is negative")
        remaining = fields.duration("RemainingDuration", elapsed=elapsed)
        actual = fields.duration("ActualDuration", elapsed=elapsed)
        if (remaining is not None and remaining < 0) or (actual is not None and actual < 0):
            name = (
                "RemainingDuration" if remaining is not None and remaining < 0 else "ActualDuration"
            )
            raise fields.error(name, f"{name} {fields.text(name)!r} is negative")
        start = fields.datetime("Start")
        finish = fields.datetime("Finish")
        constraint_type, constraint_date = self._constraint(fields, start, finish)
        leveling_format, _ = fields.duration_format("LevelingDelayFormat")
        percent_text = fields.texts.get("PercentComplete")
        percent: int | Fraction | None
        if percent_text is not None and percent_text.isascii() and percent_text.isdigit():
            percent = int(percent_text)
        else:
            percent = fields.number("PercentComplete")
        if percent is not None and not 0 <= percent <= 100:
            raise fields.error(
                "PercentComplete",
                f"PercentComplete {fields.text('PercentComplete')} is not 0 to 100",
            )
        priority = fields.integer("Priority")
        if priority is not None and not 0 <= priority <= 1000:
            self.warn(f"{owner}: Priority {priority} is not 0 to 1000; 500 is used")
            priority = None
        actual_start = fields.datetime("ActualStart")
        actual_finish = fields.datetime("ActualFinish")
        if actual_start is not None and actual_finish is not None and actual_finish < actual_start:
            raise fields.error("ActualFinish", "ActualFinish is before ActualStart")
        summary = fields.flag("Summary", False)
        milestone_flag = fields.text("Milestone")
        calendar_uid = fields.integer("CalendarUID")
        try:
            return PlanTask(
                uid=uid,
                id=fields.integer("ID"),
                name=fields.text("Name") or "",
                outline_level=outline_level,
                wbs=fields.text("WBS") or "",
                outline_number=fields.text("OutlineNumber") or "",
                parent_uid=parent,
                summary=summary,
                milestone=(
                    fields.flag("Milestone", False)
                    if milestone_flag is not None
                    else duration == 0 and not summary
                ),
                manual=fields.flag("Manual", False),
                active=fields.flag("Active", True),
                duration_minutes=duration or 0,
                duration_format=duration_format,
                estimated=estimated_code or fields.flag("Estimated", False),
                elapsed=elapsed,
                constraint_type=constraint_type,
                constraint_date=constraint_date,
                deadline=fields.datetime("Deadline"),
                calendar_uid=None if calendar_uid is None or calendar_uid < 0 else calendar_uid,
                priority=500 if priority is None else priority,
                percent_complete=0.0 if percent is None else float(percent),
                actual_start=actual_start,
                actual_finish=actual_finish,
                actual_duration_minutes=actual,
                remaining_duration_minutes=remaining,
                notes=fields.text("Notes") or "",
                start=start,
                finish=finish,
                early_start=fields.datetime("EarlyStart"),
                early_finish=fields.datetime("EarlyFinish"),
                late_start=fields.datetime("LateStart"),
                late_finish=fields.datetime("LateFinish"),
                total_slack_minutes=fields.tenths("TotalSlack"),
                free_slack_minutes=fields.tenths("FreeSlack"),
                critical=None
                if fields.text("Critical") is None
                else fields.flag("Critical", False),
                leveling_delay_minutes=fields.tenths("LevelingDelay") or 0,
                leveling_delay_format=leveling_format,
            )
        except ScheduleInputError as error:
            raise PlanFileError(self.label, str(error), line=_line(element)) from error

    def _constraint(
        self, fields: _Fields, start: datetime | None, finish: datetime | None
    ) -> tuple[PlanConstraintType, datetime | None]:
        code = fields.integer("ConstraintType")
        if code is None:
            return "ASAP", None
        constraint = CONSTRAINT_TYPE_CODES.get(code)
        if constraint is None:
            self.warn(f"{fields.owner}: ConstraintType {code} is not known; read as ASAP")
            return "ASAP", None
        if constraint in ("ASAP", "ALAP"):
            return constraint, None
        moment = fields.datetime("ConstraintDate")
        if moment is not None:
            return constraint, moment
        fallback = start if constraint in _START_CONSTRAINTS else finish
        if fallback is None:
            self.warn(f"{fields.owner}: a {constraint} constraint without a date; read as ASAP")
            return "ASAP", None
        self.warn(
            f"{fields.owner}: a {constraint} constraint without a date; the task's "
            f"{'start' if constraint in _START_CONSTRAINTS else 'finish'} "
            f"{fallback.isoformat()} is used"
        )
        return constraint, fallback

    def _link(self, successor: int, element: Any) -> None:
        cut = len(self.namespace)
        link_fields = self._link_fields_by_tag
        texts: dict[str, str] = {}
        for child in element:
            value = child.text
            if value:
                tag = child.tag
                name = link_fields.get(tag)
                if name is None:
                    if not isinstance(tag, str):
                        continue
                    name = tag[cut:]
                value = value.strip()
                if value:
                    texts[name] = value
        fields: _Fields | None = None
        predecessor_text = texts.get("PredecessorUID")
        predecessor: int | None = None
        if predecessor_text is not None:
            try:
                predecessor = int(predecessor_text)
            except ValueError:
                fields = _Fields(self, f"Task {successor}", element, texts)
                predecessor = fields.integer("PredecessorUID")
        if predecessor is None:
            raise PlanFileError(
                self.label,
                f"Task {successor}: a PredecessorLink has no PredecessorUID",
                line=_line(element),
            )
        # Links repeat a few kinds of type, lag and format: the values read from one are kept
        # for the next link with the same texts, unless reading them gave a warning.
        key = (
            texts.get("Type"),
            texts.get("LagFormat"),
            texts.get("LinkLag"),
            texts.get("CrossProject"),
            texts.get("CrossProjectName"),
        )
        values = self._link_values.get(key)
        if values is None:
            warnings = len(self.warnings) + self._dropped_warnings
            fields = fields or _Fields(self, f"Task {successor}", element, texts)
            values = self._link_fields(successor, predecessor, fields)
            if len(self.warnings) + self._dropped_warnings == warnings:
                self._link_values[key] = values
        try:
            link = PlanLink(predecessor, successor, *values)
        except ScheduleInputError as error:
            raise PlanFileError(self.label, str(error), line=_line(element)) from error
        self.links.append((link, _line(element)))

    def _link_fields(self, successor: int, predecessor: int, fields: _Fields) -> tuple[Any, ...]:
        """A link's fields after its two tasks, in :class:`PlanLink` order."""
        texts = fields.texts
        code = texts.get("Type")
        link_type = _LINK_TYPES_BY_TEXT.get(code or "1")
        if link_type is None:
            self.warn(
                f"Task {successor}: the link from task {predecessor} has Type {code}, which is "
                "not known; read as FS"
            )
            link_type = "FS"
        lag_format = fields.unit("LagFormat")
        lag_text = texts.get("LinkLag")
        lag_minutes = 0
        lag_percent = None
        if lag_format == "%" or lag_format == "e%":
            lag_percent = float(fields.number("LinkLag") or 0)
        elif lag_text is not None:
            lag_minutes = fields.tenths("LinkLag") or 0
        cross = texts.get("CrossProject")
        return (
            link_type,
            lag_minutes,
            lag_format,
            lag_percent,
            lag_format in ELAPSED_FORMATS,
            False if cross is None else fields.flag("CrossProject", False),
            texts.get("CrossProjectName", ""),
        )

    def _finish_tasks(self, calendar_uids: set[int]) -> list[PlanTask]:
        tasks = self.tasks
        for index, task in enumerate(tasks):
            has_children = task.uid in self.parents_with_children
            changes: dict[str, Any] = {}
            if has_children != task.summary:
                if task.summary:
                    self.warn(
                        f"Task {task.uid}: marked as a summary task but has no subtasks; read as "
                        "an ordinary task"
                    )
                changes["summary"] = has_children
                if has_children:
                    changes["milestone"] = False
            calendar = task.calendar_uid
            if calendar is not None and calendar not in calendar_uids:
                if calendar > 0:
                    self.warn(
                        f"Task {task.uid}: the task calendar {calendar} is not in the file; "
                        "the project calendar is used"
                    )
                changes["calendar_uid"] = None
            if changes:
                tasks[index] = replace(task, **changes)
        summary = self.project_summary
        if summary is not None and summary.calendar_uid not in calendar_uids:
            self.project_summary = replace(summary, calendar_uid=None)
        return tasks

    def _finish_links(self) -> list[PlanLink]:
        links: list[PlanLink] = []
        seen: set[tuple[int, int]] = set()
        task_uids = self.task_uids
        for link, line in self.links:
            predecessor = link.predecessor_uid
            if not link.cross_project and predecessor not in task_uids:
                successor = f"Task {link.successor_uid}"
                about = f"the link from task {predecessor}"
                if predecessor in self.null_uids:
                    self.warn(f"{successor}: {about} points at a blank row; ignored")
                    continue
                if predecessor == 0 and self.project_summary is not None:
                    self.warn(f"{successor}: {about} points at the project summary task; ignored")
                    continue
                raise PlanFileError(
                    self.label,
                    f"{successor}: PredecessorUID {predecessor} is not a task of the file",
                    line=line,
                )
            pair = (predecessor, link.successor_uid)
            if pair in seen:
                self.warn(
                    f"Task {link.successor_uid}: the link from task {predecessor} appears twice; "
                    "both are kept"
                )
            seen.add(pair)
            links.append(link)
        return links

    # What read_mspdi_document reads beyond the plan.

    def _task_details(self, task: PlanTask, fields: _Fields, children: list[Any]) -> None:
        owner = fields.owner
        baselines, values = self._baselines_and_values(children, owner)
        code = fields.integer("Type")
        task_type = None
        if code is not None:
            if 0 <= code < len(TASK_TYPES):
                task_type = TASK_TYPES[code]
            else:
                self.warn(f"{owner}: Type {code} is not 0, 1 or 2; ignored")
        details = TaskDetails(
            work_minutes=fields.duration("Work"),
            actual_work_minutes=fields.duration("ActualWork"),
            remaining_work_minutes=fields.duration("RemainingWork"),
            cost=fields.money("Cost"),
            actual_cost=fields.money("ActualCost"),
            fixed_cost=fields.money("FixedCost"),
            task_type=task_type,
            effort_driven=fields.optional_flag("EffortDriven"),
            manual_start=fields.datetime("ManualStart"),
            manual_finish=fields.datetime("ManualFinish"),
            manual_duration_minutes=fields.duration("ManualDuration", elapsed=task.elapsed),
            guid=fields.text("GUID") or "",
            hyperlink=fields.text("Hyperlink") or "",
            hyperlink_address=fields.text("HyperlinkAddress") or "",
            baselines=baselines,
            external=fields.flag("ExternalTask", False),
            external_project=fields.text("ExternalTaskProject") or "",
        )
        if details != _NO_TASK_DETAILS:
            self.task_details[task.uid] = details
        if values:
            self.custom_values.append((owner, "task", task.uid, values))

    def _detail_children(self, element: Any) -> list[Any]:
        tags = self._detail_tags
        return [child for child in element if child.tag in tags]

    def _baselines_and_values(
        self, children: list[Any], owner: str
    ) -> tuple[tuple[BaselineValues, ...], list[_RawValue]]:
        """The baselines (by number) and the custom field values among an element's children."""
        baselines: dict[int, BaselineValues] = {}
        values: list[_RawValue] = []
        cut = len(self.namespace)
        for child in children:
            local = child.tag[cut:]
            fields = self._fields(child, owner)
            if local == "Baseline":
                baseline = self._baseline(fields)
                if baseline is None:
                    continue
                if baseline.number in baselines:
                    self.warn(
                        f"{owner}: baseline {baseline.number} appears twice; the first is kept"
                    )
                    continue
                baselines[baseline.number] = baseline
            elif local == "ExtendedAttribute":
                field_id = fields.integer("FieldID")
                if field_id is None:
                    self.warn(f"{owner}: a custom field value has no FieldID; ignored")
                    continue
                values.append(
                    _RawValue(field_id, fields.text("Value"), fields.text("DurationFormat"))
                )
            else:
                self.outline_code_elements += 1
        return tuple(baselines[number] for number in sorted(baselines)), values

    def _baseline(self, fields: _Fields) -> BaselineValues | None:
        number = fields.integer("Number")
        if number is None or not 0 <= number <= 10:
            self.warn(
                f"{fields.owner}: a baseline has Number {fields.text('Number')}, not 0 to 10; "
                "ignored"
            )
            return None
        unit, _ = fields.duration_format("DurationFormat")
        return BaselineValues(
            number,
            start=fields.datetime("Start"),
            finish=fields.datetime("Finish"),
            duration_minutes=fields.duration("Duration", elapsed=unit in ELAPSED_FORMATS),
            duration_format=unit,
            work_minutes=fields.duration("Work"),
            cost=fields.money("Cost"),
        )

    def _resource(self, element: Any) -> None:
        fields = self._fields(element, "A resource")
        uid = fields.integer("UID")
        if uid is None:
            raise PlanFileError(self.label, "a resource has no UID", line=_line(element))
        owner = f"Resource {uid}"
        fields.owner = owner
        if uid in self.resource_uids or uid in self.skipped_resource_uids:
            raise PlanFileError(self.label, f"{owner}: the UID is used twice", line=_line(element))
        name = fields.text("Name") or ""
        if fields.flag("IsNull", False) or (uid == 0 and not name):
            self.skipped_resource_uids.add(uid)
            return
        kind = self._resource_kind(fields)
        standard_rate, standard_unit = self._rate(fields, "StandardRate", kind)
        overtime_rate, overtime_unit = self._rate(fields, "OvertimeRate", kind)
        baselines, values = self._baselines_and_values(self._detail_children(element), owner)
        calendar = fields.integer("CalendarUID")
        resource = DocumentResource(
            uid=uid,
            id=fields.integer("ID"),
            name=name,
            kind=kind,
            initials=fields.text("Initials") or "",
            email=fields.text("EmailAddress") or "",
            group=fields.text("Group") or "",
            code=fields.text("Code") or "",
            notes=fields.text("Notes") or "",
            material_label=fields.text("MaterialLabel") or "",
            max_units=fields.decimal("MaxUnits"),
            standard_rate=standard_rate,
            standard_rate_unit=standard_unit,
            overtime_rate=overtime_rate,
            overtime_rate_unit=overtime_unit,
            cost_per_use=fields.money("CostPerUse"),
            calendar_uid=None if calendar is None or calendar < 0 else calendar,
            generic=fields.flag("IsGeneric", False),
            work_minutes=fields.duration("Work"),
            actual_work_minutes=fields.duration("ActualWork"),
            cost=fields.money("Cost"),
            actual_cost=fields.money("ActualCost"),
            guid=fields.text("GUID") or "",
            baselines=baselines,
        )
        self.resources.append((resource, _line(element)))
        self.resource_uids.add(uid)
        if values:
            self.custom_values.append((owner, "resource", uid, values))

    def _resource_kind(self, fields: _Fields) -> ResourceKind:
        if fields.flag("IsCostResource", False):
            return "cost"
        code = fields.integer("Type")
        if code is None:
            return "work"
        kind = RESOURCE_TYPE_CODES.get(code)
        if kind is None:
            self.warn(f"{fields.owner}: Type {code} is not 0, 1 or 2; read as a work resource")
            return "work"
        return kind

    def _rate(
        self, fields: _Fields, name: str, kind: ResourceKind
    ) -> tuple[Decimal | None, RateUnit]:
        """A rate per its display unit: the file gives it per hour whatever the unit.

        As MPXJ reads them, a material's rate is converted the same way (Microsoft Project shows
        a material's rate per unit of the material, with an hourly format).
        """
        hourly = fields.decimal(name)
        code = fields.integer(name + "Format")
        unit: RateUnit = "h"
        if code is not None:
            known = RATE_FORMAT_CODES.get(code)
            if known is None:
                self.warn(f"{fields.owner}: {name}Format {code} is not known; read per hour")
            else:
                unit = known
        if hourly is None or unit == "h":
            return hourly, unit
        settings = self.settings
        minutes = rate_minutes(
            unit,
            minutes_per_day=settings.minutes_per_day,
            minutes_per_week=settings.minutes_per_week,
            days_per_month=settings.days_per_month,
        )
        return _plain(hourly * minutes / 60), unit

    def _assignment(self, element: Any) -> None:
        fields = self._fields(element, "An assignment")
        uid = fields.integer("UID")
        if uid is None:
            raise PlanFileError(self.label, "an assignment has no UID", line=_line(element))
        owner = f"Assignment {uid}"
        fields.owner = owner
        if uid in self.assignment_uids:
            raise PlanFileError(self.label, f"{owner}: the UID is used twice", line=_line(element))
        self.assignment_uids.add(uid)
        resource_uid = fields.integer("ResourceUID")
        if resource_uid == _PLACEHOLDER_RESOURCE:
            return
        task_uid = fields.integer("TaskUID")
        if task_uid is None or resource_uid is None:
            self.warn(
                f"{owner}: it has no {'TaskUID' if task_uid is None else 'ResourceUID'}; skipped"
            )
            return
        baselines, values = self._baselines_and_values(self._detail_children(element), owner)
        assignment = DocumentAssignment(
            uid=uid,
            task_uid=task_uid,
            resource_uid=resource_uid,
            units=fields.decimal("Units"),
            work_minutes=fields.duration("Work"),
            actual_work_minutes=fields.duration("ActualWork"),
            remaining_work_minutes=fields.duration("RemainingWork"),
            cost=fields.money("Cost"),
            actual_cost=fields.money("ActualCost"),
            start=fields.datetime("Start"),
            finish=fields.datetime("Finish"),
            actual_start=fields.datetime("ActualStart"),
            actual_finish=fields.datetime("ActualFinish"),
            work_contour=fields.integer("WorkContour"),
            guid=fields.text("GUID") or "",
            baselines=baselines,
        )
        self.assignments.append((assignment, _line(element)))
        if values:
            self.custom_values.append((owner, "assignment", uid, values))

    def _document_extras(self, fields: _Fields, plan: Plan) -> _Extras:
        properties = {
            name: value for name in PROPERTY_NAMES if (value := fields.text(name)) is not None
        }
        definitions = self._custom_field_definitions(fields.element)
        converted, implicit = self._convert_custom_values(definitions)
        calendar_uids = {plan_calendar.uid for plan_calendar in plan.calendars}
        resources: list[DocumentResource] = []
        for resource, _ in self.resources:
            changes: dict[str, Any] = {}
            if resource.calendar_uid is not None and resource.calendar_uid not in calendar_uids:
                self.warn(
                    f"Resource {resource.uid}: the calendar {resource.calendar_uid} is not in the "
                    "file; ignored"
                )
                changes["calendar_uid"] = None
            values = converted.get(("resource", resource.uid))
            if values:
                changes["custom_values"] = values
            resources.append(replace(resource, **changes) if changes else resource)
        assignments: list[DocumentAssignment] = []
        for assignment, _ in self.assignments:
            problem = self._assignment_problem(assignment)
            if problem:
                self.warn(f"Assignment {assignment.uid}: {problem}; skipped")
                continue
            values = converted.get(("assignment", assignment.uid))
            assignments.append(replace(assignment, custom_values=values) if values else assignment)
        task_details = dict(self.task_details)
        for (owner, uid), values in converted.items():
            if owner == "task":
                task_details[uid] = replace(
                    task_details.get(uid, _NO_TASK_DETAILS), custom_values=values
                )
        if self.outline_code_elements:
            self.warn(
                "Outline code values written as OutlineCode elements (the Project 2003 form) "
                f"are not read: {self.outline_code_elements} ignored"
            )
        return _Extras(
            properties=properties,
            custom_fields=(*definitions.values(), *implicit),
            task_details=task_details,
            resources=tuple(resources),
            assignments=tuple(assignments),
        )

    def _assignment_problem(self, assignment: DocumentAssignment) -> str:
        task, resource = assignment.task_uid, assignment.resource_uid
        if task not in self.task_uids:
            if task in self.null_uids:
                return f"its task {task} is a blank row"
            if task == 0 and self.project_summary is not None:
                return "its task is the project summary task"
            return f"its task {task} is not in the file"
        if resource not in self.resource_uids:
            if resource in self.skipped_resource_uids:
                return f"its resource {resource} is a blank or unnamed resource"
            return f"its resource {resource} is not in the file"
        return ""

    def _custom_field_definitions(self, root: Any) -> dict[int, CustomField]:
        found: dict[int, CustomField] = {}
        if root is None:
            return found
        for element in self._grandchildren(root, "ExtendedAttributes", "ExtendedAttribute"):
            fields = self._fields(element, "Project")
            field_id = fields.integer("FieldID")
            if field_id is None:
                self.warn("Project: a custom field definition has no FieldID; ignored")
                continue
            if field_id in found:
                continue
            builtin = builtin_field(field_id)
            alias = fields.text("Alias") or ""
            if builtin is not None:
                found[field_id] = CustomField(
                    builtin.key, builtin.owner, builtin.kind, alias, field_id
                )
                continue
            element_type = fields.integer("ElemType")
            owner = (
                ELEMENT_TYPE_CODES.get(element_type or 0) or owner_of_field_id(field_id) or "task"
            )
            kind_code = fields.integer("CFType")
            kind = CF_TYPE_CODES.get(kind_code, "text") if kind_code is not None else "text"
            key = fields.text("FieldName") or alias or f"Field {field_id}"
            found[field_id] = CustomField(key, owner, kind, alias, field_id)
        return found

    def _convert_custom_values(
        self, definitions: dict[int, CustomField]
    ) -> tuple[dict[tuple[str, int], tuple[CustomValue, ...]], list[CustomField]]:
        implicit: dict[int, CustomField] = {}
        converted: dict[tuple[str, int], tuple[CustomValue, ...]] = {}
        for owner_label, owner, uid, raw_values in self.custom_values:
            values: list[CustomValue] = []
            for raw in raw_values:
                definition = definitions.get(raw.field_id) or implicit.get(raw.field_id)
                if definition is None:
                    definition = self._implicit_field(owner_label, owner, raw.field_id)
                    implicit[raw.field_id] = definition
                value = self._custom_value(owner_label, definition, raw)
                if value is not None:
                    values.append(value)
            if values:
                converted[owner, uid] = tuple(values)
        return converted, list(implicit.values())

    def _implicit_field(
        self, owner_label: str, owner: CustomFieldOwner, field_id: int
    ) -> CustomField:
        builtin = builtin_field(field_id)
        if builtin is not None:
            return CustomField(builtin.key, builtin.owner, builtin.kind, "", field_id)
        self.warn(
            f"{owner_label}: the custom field {field_id} is not defined in the file; its values "
            "are read as text"
        )
        return CustomField(
            f"Field {field_id}", owner_of_field_id(field_id) or owner, "text", "", field_id
        )

    def _custom_value(
        self, owner_label: str, definition: CustomField, raw: _RawValue
    ) -> CustomValue | None:
        text = raw.value
        label = f"{owner_label}: the custom field {definition.label}"
        if text is None:
            self.warn(f"{label} has no Value (only a lookup table reference); ignored")
            return None
        kind: CustomFieldKind = definition.kind
        if kind in ("date", "start", "finish", "duration") and text == "NA":
            return None
        try:
            if kind == "duration":
                unit = _UNITS_BY_TEXT.get(raw.duration_format or "", (None, False))[0]
                settings = self.settings
                minutes = parse_duration(
                    text,
                    minutes_per_day=settings.minutes_per_day,
                    days_per_month=settings.days_per_month,
                    elapsed=unit in ELAPSED_FORMATS,
                )
                return CustomValue(definition.key, minutes, unit)
            return CustomValue(definition.key, _custom_data(kind, text))
        except (ValueError, InvalidOperation):
            self.warn(f"{label} has the value {text!r}, which is not a {kind} value; ignored")
            return None

    def _calendar(self, element: Any) -> None:
        fields = self._fields(element, "A calendar")
        uid = fields.integer("UID")
        if uid is None:
            raise PlanFileError(self.label, "a calendar has no UID", line=_line(element))
        name = fields.text("Name") or f"Calendar {uid}"
        owner = f"Calendar {uid} ({name})"
        fields.owner = owner
        if any(raw.uid == uid for raw in self.calendars):
            raise PlanFileError(self.label, f"{owner}: the UID is used twice", line=_line(element))
        base_uid = fields.integer("BaseCalendarUID")
        days: dict[int, tuple[WorkingPeriod, ...]] = {}
        old_exceptions: list[CalendarException] = []
        for week_day in self._grandchildren(element, "WeekDays", "WeekDay"):
            day_fields = self._fields(week_day, owner)
            day_type = day_fields.integer("DayType")
            periods = self._periods(week_day, day_fields, owner)
            if day_type == 0:
                span = self._time_period(week_day, owner)
                if span is not None:
                    old_exceptions.append(CalendarException(span[0], span[1], periods))
            elif day_type is not None and 1 <= day_type <= 7:
                days[(day_type + 5) % 7] = periods
            else:
                self.warn(f"{owner}: a WeekDay has DayType {day_type}, which is not known; ignored")
        exceptions: list[CalendarException] = []
        recurring: list[RecurringException] = []
        work_weeks = [
            week
            for week_element in self._grandchildren(element, "WorkWeeks", "WorkWeek")
            if (week := self._work_week(week_element, owner)) is not None
        ]
        for exception_element in self._grandchildren(element, "Exceptions", "Exception"):
            self._exception(exception_element, owner, exceptions, recurring, dated=bool(work_weeks))
        self.calendars.append(
            _RawCalendar(
                uid=uid,
                name=name,
                base_uid=base_uid,
                line=_line(element),
                days=days,
                exceptions=exceptions if exceptions or recurring else old_exceptions,
                recurring=recurring,
                work_weeks=work_weeks,
            )
        )

    def _grandchildren(self, element: Any, container: str, name: str) -> Iterator[Any]:
        for holder in element.iterchildren(self.namespace + container):
            yield from holder.iterchildren(self.namespace + name)

    def _periods(self, element: Any, fields: _Fields, owner: str) -> tuple[WorkingPeriod, ...]:
        periods: list[WorkingPeriod] = []
        for working_time in self._grandchildren(element, "WorkingTimes", "WorkingTime"):
            time_fields = self._fields(working_time, owner)
            start_text, end_text = time_fields.text("FromTime"), time_fields.text("ToTime")
            if start_text is None or end_text is None:
                continue
            start, end = _clock_minutes(start_text), _clock_minutes(end_text)
            if start is None or end is None:
                raise PlanFileError(
                    self.label,
                    f"{owner}: working time {start_text}-{end_text} is not two times such as "
                    "08:00:00",
                    line=_line(working_time),
                )
            if end == 0:
                end = _DAY_MINUTES
            if end <= start:
                raise PlanFileError(
                    self.label,
                    f"{owner}: working time {start_text}-{end_text} ends before it starts",
                    line=_line(working_time),
                )
            periods.append(WorkingPeriod(start, end))
        working = fields.text("DayWorking")
        if working in ("0", "false"):
            return ()
        if not periods and working in ("1", "true"):
            return _DEFAULT_PERIODS
        return tuple(sorted(periods))

    def _time_period(self, element: Any, owner: str) -> tuple[date, date] | None:
        for holder in element.iterchildren(self.namespace + "TimePeriod"):
            fields = self._fields(holder, owner)
            first, last = fields.datetime("FromDate"), fields.datetime("ToDate")
            if first is None and last is None:
                return None
            if first is None or last is None:
                first = last = first or last
            if first is None or last is None:
                return None
            if last < first:
                raise PlanFileError(
                    self.label,
                    f"{owner}: the exception from {first.date()} to {last.date()} ends before it "
                    "starts",
                    line=_line(holder),
                )
            return first.date(), last.date()
        return None

    def _work_week(
        self, element: Any, owner: str
    ) -> tuple[str, date, date, dict[int, tuple[WorkingPeriod, ...]]] | None:
        fields = self._fields(element, owner)
        span = self._time_period(element, owner)
        if span is None:
            return None
        days: dict[int, tuple[WorkingPeriod, ...]] = {}
        for week_day in self._grandchildren(element, "WeekDays", "WeekDay"):
            day_fields = self._fields(week_day, owner)
            day_type = day_fields.integer("DayType")
            if day_type is not None and 1 <= day_type <= 7:
                days[(day_type + 5) % 7] = self._periods(week_day, day_fields, owner)
        return fields.text("Name") or "", span[0], span[1], days

    def _exception(
        self,
        element: Any,
        owner: str,
        exceptions: list[CalendarException],
        recurring: list[RecurringException],
        *,
        dated: bool,
    ) -> None:
        fields = self._fields(element, owner)
        span = self._time_period(element, owner)
        if span is None:
            return
        first, last = span
        name = fields.text("Name") or ""
        periods = self._periods(element, fields, owner)
        kind = fields.integer("Type")
        every = fields.integer("Period") or 1
        label = f"{owner}: exception {name!r}" if name else f"{owner}: an exception"
        if kind in (None, 9) or (kind in (1, 7) and every == 1):
            exceptions.append(CalendarException(first, last, periods, name))
            return
        if kind == 8:
            self.warn(
                f"{label} recurs by weekday count, which is not supported; it is read as the "
                f"whole range {first} to {last}"
            )
            exceptions.append(CalendarException(first, last, periods, name))
            return
        if every < 1:
            self.warn(f"{label} has Period {every}; read as 1")
            every = 1
        pattern = _Recurrence(
            kind=kind,
            every=every,
            weekdays=_weekdays(fields.integer("DaysOfWeek") or 0),
            month=(fields.integer("Month") or 0) + 1,
            month_day=fields.integer("MonthDay") or 1,
            month_item=fields.integer("MonthItem") or 0,
            position=fields.integer("MonthPosition") or 0,
        )
        problem = pattern.problem()
        if problem:
            self.warn(f"{label} cannot be read: {problem}; ignored")
            return
        count = fields.integer("Occurrences")
        count = count if count is not None and count > 0 else None
        occurrences = pattern.dates(first, last, count)
        if not occurrences:
            self.warn(f"{label} has no occurrence between {first} and {last}; ignored")
            return
        rule = pattern.rule()
        if rule is not None and not dated:
            candidate = RecurringException(
                name, periods, rule=rule, first=first, last=last, count=count
            )
            if candidate.occurrences(first, last) == tuple(occurrences):
                recurring.append(
                    _as_entered(candidate, fields.text("EnteredByOccurrences"), occurrences)
                )
                return
        exceptions.extend(_date_runs(occurrences, periods, name))

    def _build_calendars(self, settings: _Settings) -> list[PlanCalendar]:
        raw_by_uid = {raw.uid: raw for raw in self.calendars}
        built: dict[int, PlanCalendar] = {}
        order: list[PlanCalendar] = []

        def build(raw: _RawCalendar, visiting: tuple[int, ...]) -> PlanCalendar:
            done = built.get(raw.uid)
            if done is not None:
                return done
            owner = f"Calendar {raw.uid} ({raw.name})"
            base: PlanCalendar | None = None
            base_uid = raw.base_uid
            if base_uid is not None and base_uid in raw_by_uid:
                if base_uid == raw.uid or base_uid in visiting:
                    self.warn(f"{owner}: the base calendars form a loop; the base is ignored")
                else:
                    base = build(raw_by_uid[base_uid], (*visiting, raw.uid))
            elif base_uid is not None and base_uid > 0:
                self.warn(f"{owner}: the base calendar {base_uid} is not in the file; ignored")
            plan_calendar = self._make_calendar(raw, base, settings, owner)
            built[raw.uid] = plan_calendar
            order.append(plan_calendar)
            return plan_calendar

        for raw in self.calendars:
            build(raw, ())
        return order

    def _make_calendar(
        self, raw: _RawCalendar, base: PlanCalendar | None, settings: _Settings, owner: str
    ) -> PlanCalendar:
        base_calendar = base.calendar if base is not None else None
        week: WeekPattern | None
        if base_calendar is not None and not raw.days:
            week = None
        else:
            week = base_calendar.effective_week if base_calendar else WeekPattern.standard()
            for weekday, periods in raw.days.items():
                week = week.with_day(weekday, periods)
        default_week = week if week is not None else WeekPattern.standard()
        if week is None and base_calendar is not None:
            default_week = base_calendar.effective_week
        exceptions = [
            *_work_week_exceptions(raw.work_weeks, default_week),
            *raw.exceptions,
        ]
        try:
            calendar = Calendar(
                raw.name,
                week,
                exceptions=tuple(exceptions),
                recurring=tuple(raw.recurring),
                base=base_calendar,
                minutes_per_day=settings.minutes_per_day,
                minutes_per_week=settings.minutes_per_week,
                days_per_month=settings.days_per_month,
            )
        except CalendarError as error:
            raise PlanFileError(self.label, f"{owner}: {error}", line=raw.line) from error
        return PlanCalendar(raw.uid, calendar, base.uid if base is not None else None)


_NO_TASK_DETAILS: Final = TaskDetails()


def _plain(number: Decimal) -> Decimal:
    """A converted rate rounded to ten decimal places, without trailing zeros."""
    try:
        number = number.quantize(_RATE_PLACES)
    except InvalidOperation:
        return number
    normal = number.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def _custom_data(kind: CustomFieldKind, text: str) -> str | Decimal | datetime | bool:
    """A custom field's value of a kind other than duration (ValueError if it is not one)."""
    if kind in ("text", "outline_code"):
        return text
    if kind in ("number", "cost"):
        number = Decimal(text)
        if not number.is_finite():
            raise ValueError(text)
        return number.scaleb(-2) if kind == "cost" else number
    if kind == "flag":
        if text in ("1", "true"):
            return True
        if text in ("0", "false"):
            return False
        raise ValueError(text)
    return datetime.fromisoformat(text).replace(tzinfo=None)


def _clock_minutes(text: str) -> int | None:
    parts = text.split(":")
    if not 2 <= len(parts) <= 3 or not all(part.strip().isdigit() for part in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    if hours > 24 or minutes > 59 or seconds > 59 or (hours == 24 and (minutes or seconds)):
        return None
    return hours * 60 + minutes + (1 if seconds >= 30 else 0)


def _weekdays(mask: int) -> frozenset[int]:
    """Weekdays (0 = Monday) of an MSPDI ``DaysOfWeek`` mask (1 = Sunday, 2 = Monday ...)."""
    return frozenset((bit + 6) % 7 for bit in range(7) if mask & (1 << bit))


def _as_entered(
    candidate: RecurringException, entered_by_occurrences: str | None, occurrences: list[date]
) -> RecurringException:
    """Keep the one bound the author gave a recurring exception, when the file says which.

    Microsoft Project writes both the end date and the number of occurrences, and says in
    ``EnteredByOccurrences`` which one the author entered ("end after 5 occurrences" or "end
    by"); the other is derived. The derived one is dropped when that gives the same dates.
    """
    first, last = candidate.first, candidate.last
    if first is None or last is None:
        return candidate
    if entered_by_occurrences in ("1", "true"):
        if candidate.count is not None and len(occurrences) == candidate.count:
            return replace(candidate, last=None)
    elif entered_by_occurrences in ("0", "false") and candidate.count is not None:
        by_date = replace(candidate, count=None)
        if by_date.occurrences(first, last) == tuple(occurrences):
            return by_date
    return candidate


def _date_runs(
    days: list[date], periods: tuple[WorkingPeriod, ...], name: str
) -> list[CalendarException]:
    runs: list[CalendarException] = []
    start = previous = days[0]
    for day in days[1:]:
        if day != previous + timedelta(days=1):
            runs.append(CalendarException(start, previous, periods, name))
            start = day
        previous = day
    runs.append(CalendarException(start, previous, periods, name))
    return runs


def _work_week_exceptions(
    work_weeks: list[tuple[str, date, date, dict[int, tuple[WorkingPeriod, ...]]]],
    default_week: WeekPattern,
) -> list[CalendarException]:
    """Dated exceptions for the days where an alternative work week differs from the default.

    As MPXJ reads them, a weekday that a work week does not list is non-working in it.
    """
    exceptions: list[CalendarException] = []
    for name, first, last, days in work_weeks:
        differing: dict[tuple[WorkingPeriod, ...], list[date]] = {}
        day = first
        while day <= last:
            periods = days.get(day.weekday(), ())
            if periods != default_week.days[day.weekday()]:
                differing.setdefault(periods, []).append(day)
            day += timedelta(days=1)
        for periods, dates in differing.items():
            exceptions.extend(_date_runs(dates, periods, f"Work week {name}".strip()))
    return exceptions


@dataclass(frozen=True)
class _Recurrence:
    """An MSPDI recurring exception pattern, expanded as Microsoft Project (and MPXJ) do."""

    kind: int
    every: int
    weekdays: frozenset[int]
    month: int
    month_day: int
    month_item: int
    position: int

    def problem(self) -> str:
        if self.kind not in (1, 2, 3, 4, 5, 6, 7):
            return f"Type {self.kind} is not known"
        if self.kind == 6 and not self.weekdays:
            return "a weekly recurrence without DaysOfWeek"
        if self.kind in (2, 3) and not 1 <= self.month <= 12:
            return f"Month {self.month - 1} is not 0 to 11"
        if self.kind in (2, 4) and not 1 <= self.month_day <= 31:
            return f"MonthDay {self.month_day} is not 1 to 31"
        if self.kind in (3, 5) and not (0 <= self.month_item <= 9 and 0 <= self.position <= 4):
            return f"MonthItem {self.month_item} or MonthPosition {self.position} is not known"
        return ""

    def dates(self, first: date, last: date, count: int | None) -> list[date]:
        found: list[date] = []
        for day in self._candidates(first, last):
            if first <= day <= last:
                found.append(day)
                if count is not None and len(found) >= count:
                    break
        return found

    def _candidates(self, first: date, last: date) -> Iterator[date]:
        kind = self.kind
        if kind in (1, 7):
            day = first
            while day <= last:
                yield day
                day += timedelta(days=self.every)
        elif kind == 6:
            sunday = first - timedelta(days=(first.weekday() + 1) % 7)
            day = first
            while day <= last:
                week = (day - sunday).days // 7
                if week % self.every == 0 and day.weekday() in self.weekdays:
                    yield day
                day += timedelta(days=1)
        elif kind in (4, 5):
            year, month = first.year, first.month
            if kind == 4 and self.month_day < first.day:
                year, month = _add_months(year, month, 1)
            while date(year, month, 1) <= last:
                found = (
                    _clamped(year, month, self.month_day)
                    if kind == 4
                    else _relative_day(year, month, self.month_item, self.position)
                )
                if found is not None:
                    yield found
                year, month = _add_months(year, month, self.every)
        else:
            for year in range(first.year, last.year + 1):
                found = (
                    _clamped(year, self.month, self.month_day)
                    if kind == 2
                    else _relative_day(year, self.month, self.month_item, self.position)
                )
                if found is not None:
                    yield found

    def rule(self) -> RecurrenceRule | None:
        """The same pattern as a calendar rule, or None when the calendar model has no such rule."""
        weekday = (self.month_item - 4) % 7 if self.month_item >= 3 else None
        position = -1 if self.position == 4 else self.position + 1
        if self.kind in (1, 7):
            return Daily(every=self.every)
        if self.kind == 6:
            return Weekly(tuple(sorted(self.weekdays)), every=self.every)
        if self.kind == 4:
            return MonthlyByDay(self.month_day, every=self.every)
        if self.kind == 2:
            if self.month_day > gregorian.monthrange(2000, self.month)[1]:
                return None
            return YearlyByDate(self.month, self.month_day)
        if weekday is None:
            return None
        if self.kind == 5:
            return MonthlyByWeekday(weekday, position, every=self.every)
        return YearlyByWeekday(self.month, weekday, position)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, gregorian.monthrange(year, month)[1]))


def _relative_day(year: int, month: int, item: int, position: int) -> date | None:
    """The n-th (0-3, 4 = last) day of a kind in a month: MSPDI ``MonthItem`` 0 = any day,
    1 = weekday, 2 = weekend day, 3 = Sunday ... 9 = Saturday."""
    length = gregorian.monthrange(year, month)[1]
    days = [date(year, month, number) for number in range(1, length + 1)]
    if item == 1:
        days = [day for day in days if day.weekday() < 5]
    elif item == 2:
        days = [day for day in days if day.weekday() >= 5]
    elif item >= 3:
        days = [day for day in days if day.weekday() == (item - 4) % 7]
    if position == 4:
        return days[-1] if days else None
    return days[position] if position < len(days) else None
