"""What the readers of issue trackers' exports share: dates, numbers, statuses, the document.

Jira, Trello and Asana do not plan: they list work items with a status, a person, perhaps an
estimate and a due date. Their readers (:mod:`~pilotage.interop.jira`,
:mod:`~pilotage.interop.trello`, :mod:`~pilotage.interop.asana`) turn each item into an
:class:`Item` and hand the items to a :class:`DocumentBuilder`, which makes the plan the same
way for all three:

- The outline comes from each item's ``parent``: a parent comes before its children, children
  follow their parent in file order, an item with children becomes a summary task. A loop of
  parents is broken (with a warning) rather than refused.
- UIDs are the file's numeric identifiers when it has them (Jira issue ids), otherwise numbers
  in outline order after the largest identifier given.
- Duration: an explicit duration (a start and a due date) wins; otherwise the work divided by
  the number of people assigned (each at 100 %); otherwise one working day, marked estimated
  (shown with a ``?``), said in one warning for all such tasks.
- A real start date becomes a *start no earlier than* constraint; without one the task is left
  to the scheduler. A due date becomes a deadline (a date without a time means the end of that
  working day, 17:00).
- Progress needs an actual start: the start date when there is one, else, for a finished item,
  its finish date less its duration in working days (not before the item was created), else
  the creation date, else the last update. A finished item without a finish date is taken as
  finished at its last update. An item in progress without any of these dates keeps no progress
  (one warning): the scheduler could not place it.
- People become one resource each (the same e-mail address, account or name is the same
  person) and one assignment at 100 % per item they work on.

All dates are naive wall-clock times: a time-zone offset in the file is dropped, never applied.

Examples
--------
>>> builder = DocumentBuilder("jira-csv", name="Launch")
>>> epic = builder.add(Item(ref="WEB-1", name="Checkout", uid=10001, wbs="WEB-1"))
>>> story = builder.add(Item(ref="WEB-2", name="Pay by card", uid=10002, parent=epic,
...                          work_minutes=960, people=[Person("Ana Silva")]))
>>> document = builder.build()
>>> [(task.uid, task.summary, task.duration_minutes) for task in document.plan.tasks]
[(10001, True, 0), (10002, False, 960)]
>>> document.counts()
{'tasks': 2, 'links': 0, 'resources': 1, 'assignments': 1, 'calendars': 0}
>>> parse_moment("06/Jul/26 6:38 PM")
(datetime.datetime(2026, 7, 6, 18, 38), True)
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Final

from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.plan import DurationFormat, Plan, PlanLink, PlanTask
from pilotage.interop.document import (
    CustomField,
    CustomFieldKind,
    CustomValue,
    CustomValueData,
    DocumentAssignment,
    DocumentResource,
    ProjectDocument,
    TaskDetails,
)
from pilotage.interop.errors import PlanFileError
from pilotage.interop.text import allow_long_csv_cells, decode_text, sniff_delimiter

__all__ = [
    "MAX_WARNINGS",
    "DocumentBuilder",
    "Item",
    "Person",
    "as_dict",
    "as_dicts",
    "as_list",
    "as_text",
    "at_day_finish",
    "at_day_start",
    "csv_table",
    "day_first_order",
    "file_stem",
    "fold",
    "load_json",
    "parse_moment",
    "parse_number",
    "priority_from_name",
    "progress_from_status",
    "working_days",
]

MAX_WARNINGS: Final = 1000
"""Warnings kept per file; the rest are counted in a last line."""

_SNIFFED_CHARACTERS: Final = 16 * 1024
"""How much of a CSV file the delimiter is guessed from (the header row is what matters)."""
"""The longest cell read (the csv module's default, 128 KiB, is less than some descriptions)."""

DAY_START: Final = time(8, 0)
"""When a date without a time starts: the plan's default start of a working day."""
DAY_FINISH: Final = time(17, 0)
"""When a date without a time finishes (a due date): the plan's default end of a working day."""

_MONTHS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("jan", "january", "janv", "janvier"), 1),
    **dict.fromkeys(("feb", "february", "fev", "fevr", "fevrier"), 2),
    **dict.fromkeys(("mar", "march", "mars"), 3),
    **dict.fromkeys(("apr", "april", "avr", "avril"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("jun", "june", "juin"), 6),
    **dict.fromkeys(("jul", "july", "juil", "juillet"), 7),
    **dict.fromkeys(("aug", "august", "aou", "aout"), 8),
    **dict.fromkeys(("sep", "sept", "september", "septembre"), 9),
    **dict.fromkeys(("oct", "october", "octobre"), 10),
    **dict.fromkeys(("nov", "november", "novembre"), 11),
    **dict.fromkeys(("dec", "december", "decembre"), 12),
}
_TIME: Final = (
    r"(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::\d{2}(?:[.,]\d+)?)?\s*(?P<half>[ap]\.?m\.?)?"
)
_ISO: Final = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    rf"(?:[T ]+{_TIME})?\s*(?:Z|[+-]\d{{2}}(?::?\d{{2}})?)?",
    re.IGNORECASE,
)
_NUMERIC: Final = re.compile(
    r"(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-](?P<year>\d{4}|\d{2})"
    rf"(?:[T ]+{_TIME})?",
    re.IGNORECASE,
)
_NAMED: Final = re.compile(
    r"(?P<day>\d{1,2})[/ .-]+(?P<month>[^\W\d_]+)\.?[/ .-]+(?P<year>\d{4}|\d{2})"
    rf"(?:[T ,]+{_TIME})?",
    re.IGNORECASE,
)
_NUMBER_SPACES: Final = re.compile(r"[\s\u00a0\u202f']")
_THOUSANDS_COMMA: Final = re.compile(r"-?\d{1,3}(?:,\d{3})+")

_DONE_WORDS: Final = frozenset(
    {
        "done",
        "closed",
        "resolved",
        "complete",
        "completed",
        "finished",
        "termine",
        "terminee",
        "ferme",
        "fermee",
        "resolu",
        "resolue",
        "fait",
        "fini",
        "clos",
        "close",
    }
)
_STARTED_WORDS: Final = frozenset(
    {
        "in progress",
        "indeterminate",
        "in review",
        "review",
        "in test",
        "in testing",
        "testing",
        "doing",
        "started",
        "en cours",
        "en revue",
        "en test",
        "en cours de revue",
    }
)
_PRIORITIES: Final[Mapping[str, int]] = {
    "blocker": 1000,
    "bloquant": 1000,
    "highest": 900,
    "critical": 900,
    "critique": 900,
    "urgent": 900,
    "la plus haute": 900,
    "tres haute": 900,
    "high": 700,
    "major": 700,
    "majeure": 700,
    "haute": 700,
    "elevee": 700,
    "medium": 500,
    "normal": 500,
    "moyenne": 500,
    "normale": 500,
    "low": 300,
    "minor": 300,
    "mineure": 300,
    "basse": 300,
    "faible": 300,
    "lowest": 100,
    "trivial": 100,
    "triviale": 100,
    "la plus basse": 100,
    "tres basse": 100,
}


def load_json(data: bytes, *, name: str) -> Any:
    """The JSON value of a file (any text encoding :func:`decode_text` reads).

    Raises
    ------
    PlanFileError
        If the file is not text or not JSON, naming the line of the syntax error.

    Examples
    --------
    >>> load_json(b'{"cards": []}', name="board.json")
    {'cards': []}
    >>> load_json(b'{"cards": [}', name="board.json")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: board.json, line 1: not valid JSON: Expecting value
    """
    text, _codec = decode_text(data, name=name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFileError(name, f"not valid JSON: {error.msg}", line=error.lineno) from error
    except RecursionError:
        raise PlanFileError(name, "the JSON is nested too deeply to be read") from None


def file_stem(name: str) -> str:
    """A file's name without its folder and extension, to name a plan.

    Examples
    --------
    >>> file_stem("exports/Jira 2026.csv"), file_stem(r"C:\\Users\\ana\\board.json")
    ('Jira 2026', 'board')
    """
    return PurePath(name.replace("\\", "/")).stem or name


def csv_table(
    text: str, *, name: str, accept: Callable[[Sequence[str]], bool], refusal: str
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The headers and the records of a CSV export, with the line each record starts on.

    The delimiter is sniffed (:func:`~pilotage.interop.text.sniff_delimiter`); when the headers
    it gives are not ``accept``-ed, the other usual delimiters are tried (a semicolon file with
    commas in its text). The header is the first non-blank record; a blank record after it is
    an empty list, so that the caller can count it; multi-line cells are read whole.

    Parameters
    ----------
    text : str
        The decoded file.
    name : str
        The file's name, for messages.
    accept : callable
        Whether a header row is the one expected.
    refusal : str
        The problem to report when no delimiter gives an accepted header row.

    Raises
    ------
    PlanFileError
        If the file is empty, a record cannot be read, or no header row is accepted.

    Examples
    --------
    >>> csv_table("A;B\\n1;2\\n;\\n", name="t.csv", accept=lambda row: "A" in row,
    ...           refusal="no A")
    (['A', 'B'], [(2, ['1', '2']), (3, [])])
    """
    sniffed = sniff_delimiter(text[:_SNIFFED_CHARACTERS])
    first_headers: tuple[int, list[str]] | None = None
    for delimiter in [sniffed, *(other for other in ",;\t|" if other != sniffed)]:
        records = _csv_records(text, name, delimiter)
        header = next((record for record in records if record[1]), None)
        if header is None:
            raise PlanFileError(name, "the file is empty: an export starts with its headers")
        if accept(header[1]):
            return header[1], list(records)
        first_headers = first_headers or header
    assert first_headers is not None
    shown = ", ".join(repr(header) for header in first_headers[1][:8] if header.strip())
    raise PlanFileError(
        name, f"{refusal} (the headers are {shown or 'empty'})", line=first_headers[0]
    )


def _csv_records(text: str, name: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    allow_long_csv_cells()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise PlanFileError(name, f"the CSV cannot be read: {error}", line=line) from error
        yield line, cells if any(cell.strip() for cell in cells) else []


def as_text(value: Any) -> str:
    """A JSON value as text: strings stripped, numbers written out, anything else empty.

    Examples
    --------
    >>> as_text(" Ship "), as_text(42), as_text(None), as_text(True), as_text({})
    ('Ship', '42', '', '', '')
    """
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON value if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A JSON value if it is an array, else an empty one."""
    return value if isinstance(value, list) else []


def as_dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON array (other members skipped)."""
    return [one for one in as_list(value) if isinstance(one, dict)]


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Text compared loosely: accents removed, lower case, single spaces.

    Examples
    --------
    >>> fold("  Terminé\\u00a0 ")
    'termine'
    >>> fold("Σ Original  Estimate")
    'σ original estimate'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(bare.casefold().split())


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _clock(match: re.Match[str]) -> tuple[time, bool]:
    hour_text = match.group("hour")
    if hour_text is None:
        return time(0, 0), False
    hour, minute = int(hour_text), int(match.group("minute"))
    half = match.group("half")
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"{hour} is not an hour of a 12-hour clock")
        hour = hour % 12 + (12 if half.casefold().startswith("p") else 0)
    return time(hour, minute), True


def parse_moment(text: str, *, day_first: bool = True) -> tuple[datetime, bool] | None:
    """A date or date-time written by an issue tracker or by Excel; None when the text is empty.

    Reads ISO dates with or without a time and an offset (``2026-07-06T18:38:00.000+0200``; the
    offset is dropped, the wall-clock time kept), ``2017-02-16 15:26``, Jira's
    ``06/Jul/26 6:38 PM`` (English or French month names), and the numeric dates Excel writes
    (``16/02/2017 15:26``, ``16.02.2017``), day first unless ``day_first`` is False. Seconds
    are dropped.

    Parameters
    ----------
    text : str
        The cell or value.
    day_first : bool, optional
        How to read a numeric date such as ``03/04/2026``: the 3rd of April (True) or the
        4th of March.

    Returns
    -------
    tuple of (datetime, bool) or None
        The moment and whether the text gave a time of day.

    Raises
    ------
    ValueError
        If the text is not a date in any of these forms, or not a real date.

    Examples
    --------
    >>> parse_moment("2026-07-06T18:38:00.000+0200")
    (datetime.datetime(2026, 7, 6, 18, 38), True)
    >>> parse_moment("16/02/2017")
    (datetime.datetime(2017, 2, 16, 0, 0), False)
    >>> parse_moment("02/16/2017 3:26 pm", day_first=False)
    (datetime.datetime(2017, 2, 16, 15, 26), True)
    >>> parse_moment("06/juil./26 18:38")
    (datetime.datetime(2026, 7, 6, 18, 38), True)
    >>> parse_moment("31/31/2026")
    Traceback (most recent call last):
    ...
    ValueError: month must be in 1..12
    """
    value = text.strip()
    if not value:
        return None
    match = _ISO.fullmatch(value)
    if match:
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    else:
        match = _NUMERIC.fullmatch(value)
        if match:
            first, second = int(match["first"]), int(match["second"])
            day, month = (first, second) if day_first else (second, first)
            year = _year(match["year"])
        else:
            match = _NAMED.fullmatch(value)
            if not match:
                raise ValueError(f"{value!r} is not a date")
            month_number = _MONTHS.get(fold(match["month"]).rstrip("."))
            if month_number is None:
                raise ValueError(f"{match['month']!r} is not the name of a month")
            day, month, year = int(match["day"]), month_number, _year(match["year"])
    clock, timed = _clock(match)
    return datetime.combine(date(year, month, day), clock), timed


def day_first_order(values: Iterable[str]) -> bool:
    """Whether the numeric dates of a file are written day first (``31/12/2026``).

    Excel rewrites dates in the order of the computer's regional settings. A file is read day
    first unless one of its dates can only be month first (``12/31/2026``) and none can only
    be day first.

    Examples
    --------
    >>> day_first_order(["03/04/2026", "12/31/2026 10:00"])
    False
    >>> day_first_order(["03/04/2026"])
    True
    """
    day_only = month_only = False
    for value in values:
        match = _NUMERIC.fullmatch(value.strip())
        if match:
            first, second = int(match["first"]), int(match["second"])
            day_only = day_only or (first > 12 >= second)
            month_only = month_only or (second > 12 >= first)
    return day_only or not month_only


def parse_number(text: str) -> Decimal | None:
    """A number written by a person or by Excel: ``2.5``, ``2,5``, ``14 400``, ``1,234.5``.

    Returns None for an empty text.

    Raises
    ------
    ValueError
        If the text is not a number.

    Examples
    --------
    >>> parse_number("2,5"), parse_number("14 400"), parse_number("1,234.50")
    (Decimal('2.5'), Decimal('14400'), Decimal('1234.50'))
    >>> parse_number("")
    >>> parse_number("lots")
    Traceback (most recent call last):
    ...
    ValueError: 'lots' is not a number
    """
    value = _NUMBER_SPACES.sub("", text)
    if not value:
        return None
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif _THOUSANDS_COMMA.fullmatch(value):
        value = value.replace(",", "")
    else:
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text.strip()!r} is not a number")
    return number


def progress_from_status(status: str, category: str = "") -> float | None:
    """The percentage complete a status means: 100 when done, 50 in progress, 0 otherwise.

    ``category`` is Jira's status category (``done``, ``indeterminate``, ``new``, or the
    names "Done", "In Progress", "To Do"); it decides when given. Returns None when neither
    the category nor the status name is known as done or started, so that the caller can look
    at other clues (a resolution).

    Examples
    --------
    >>> progress_from_status("Review / Test", "indeterminate")
    50.0
    >>> progress_from_status("Terminé"), progress_from_status("En cours")
    (100.0, 50.0)
    >>> progress_from_status("Backlog") is None
    True
    """
    for text, decisive in ((category, True), (status, False)):
        word = fold(text)
        if word in _DONE_WORDS:
            return 100.0
        if word in _STARTED_WORDS:
            return 50.0
        if word and decisive:
            return 0.0
    return None


def priority_from_name(name: str) -> int | None:
    """The 0-1000 priority of a priority's name (Jira's Highest to Lowest, Blocker to Trivial).

    Returns None for an empty or unknown name.

    Examples
    --------
    >>> priority_from_name("Highest"), priority_from_name("Low"), priority_from_name("Moyenne")
    (900, 300, 500)
    >>> priority_from_name("P2") is None
    True
    """
    return _PRIORITIES.get(fold(name))


def working_days(start: date, finish: date) -> int:
    """The number of weekdays (Monday to Friday) from one date to another, both included.

    Examples
    --------
    >>> working_days(date(2026, 3, 2), date(2026, 3, 6))
    5
    >>> working_days(date(2026, 3, 6), date(2026, 3, 9))
    2
    """
    days = (finish - start).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def _days_back(finish: datetime, days: int) -> datetime:
    """The start of a span of ``days`` weekdays ending on ``finish``'s day."""
    day = finish.date()
    remaining = days - 1
    while remaining > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return min(datetime.combine(day, DAY_START), finish)


def at_day_start(moment: tuple[datetime, bool]) -> datetime:
    """A start: a date without a time starts the working day (08:00)."""
    value, timed = moment
    return value if timed else datetime.combine(value.date(), DAY_START)


def at_day_finish(moment: tuple[datetime, bool]) -> datetime:
    """A due date or a finish: a date without a time (or at midnight) ends the working day."""
    value, timed = moment
    if timed and value.time() != time(0, 0):
        return value
    return datetime.combine(value.date(), DAY_FINISH)


@dataclass(eq=False)
class Person:
    """Someone named in the file: an assignee, a member.

    Two mentions are the same person when they share an e-mail address, an account code, or
    (when either lacks both) a name.
    """

    name: str
    email: str = ""
    code: str = ""
    initials: str = ""


@dataclass(eq=False)
class Item:
    """One work item of the file, before it becomes a task.

    ``ref`` names the item in warnings (``"WEB-12"``, ``"line 7"``, ``"card 'Pack'"``).
    ``start`` is a real start date (it becomes a *start no earlier than* constraint);
    ``created`` and ``updated`` only help to date progress. ``custom`` holds values of the
    custom fields declared with :meth:`DocumentBuilder.field`.
    """

    ref: str
    name: str
    uid: int | None = None
    wbs: str = ""
    parent: Item | None = None
    notes: str = ""
    priority: int = 500
    percent: float = 0.0
    work_minutes: int | None = None
    actual_work_minutes: int | None = None
    remaining_work_minutes: int | None = None
    duration_minutes: int | None = None
    start: datetime | None = None
    deadline: datetime | None = None
    created: datetime | None = None
    updated: datetime | None = None
    actual_finish: datetime | None = None
    people: list[Person] = field(default_factory=list)
    custom: dict[str, CustomValueData] = field(default_factory=dict)
    hyperlink_address: str = ""
    children: list[Item] = field(default_factory=list, repr=False)


class DocumentBuilder:
    """Collects items, links, custom fields and warnings, and builds the :class:`ProjectDocument`.

    Parameters
    ----------
    format : str
        The document's format (``"jira-csv"`` ...).
    name : str
        The plan's name.
    minutes_per_day : int, optional
        Working minutes in a day: the default duration, story points, durations in days.
    """

    def __init__(self, format: str, *, name: str, minutes_per_day: int = 480) -> None:
        self.format = format
        self.name = name
        self.minutes_per_day = minutes_per_day
        self.items: list[Item] = []
        self.null_tasks = 0
        self.properties: dict[str, str] = {}
        self._links: dict[tuple[int, int], tuple[Item, Item]] = {}
        self._fields: dict[str, CustomField] = {}
        self._warnings: list[str] = []
        self._dropped = 0
        self._warned: set[str] = set()

    def add(self, item: Item) -> Item:
        """Add an item (in file order) and return it."""
        self.items.append(item)
        return item

    def field(self, key: str, kind: CustomFieldKind = "text") -> str:
        """Declare a task custom field (kept only if some item has a value) and return its key."""
        self._fields.setdefault(key, CustomField(key, "task", kind))
        return key

    def link(self, predecessor: Item, successor: Item) -> None:
        """A finish-to-start dependency; the same pair twice is one link, a self-link is dropped."""
        if predecessor is successor:
            self.warn(f"{predecessor.ref} is linked to itself; the link was dropped.")
            return
        self._links.setdefault((id(predecessor), id(successor)), (predecessor, successor))

    def warn(self, message: str) -> None:
        """Record a warning (one sentence naming the row or element)."""
        if len(self._warnings) < MAX_WARNINGS:
            self._warnings.append(message)
        else:
            self._dropped += 1

    def warn_once(self, key: str, message: str) -> None:
        """Record a warning the first time ``key`` is seen."""
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)

    def build(self) -> ProjectDocument:
        """The document: tasks in outline order, resources, assignments, links, warnings.

        Raises
        ------
        PlanFileError
            If the plan cannot be built (a bug of the reader rather than of the file).
        """
        ordered = self._outline()
        uids = self._uids(ordered)
        counters = _Counters()
        tasks: list[PlanTask] = []
        details: dict[int, TaskDetails] = {}
        assignments: list[DocumentAssignment] = []
        people = _People()
        outline: dict[int, str] = {}
        siblings: dict[int | None, int] = {}
        for position, (item, level) in enumerate(ordered, start=1):
            uid = uids[id(item)]
            parent_uid = None if item.parent is None else uids[id(item.parent)]
            siblings[parent_uid] = siblings.get(parent_uid, 0) + 1
            number = str(siblings[parent_uid])
            outline[uid] = number if parent_uid is None else f"{outline[parent_uid]}.{number}"
            task, work = self._task(item, uid, position, level, parent_uid, outline[uid], counters)
            tasks.append(task)
            detail = self._details(item, work)
            if detail is not None:
                details[uid] = detail
            share = None if work is None or not item.people else round(work / len(item.people))
            for person in item.people:
                assignments.append(
                    DocumentAssignment(
                        uid=len(assignments) + 1,
                        task_uid=uid,
                        resource_uid=people.uid(person),
                        units=Decimal(1),
                        work_minutes=share,
                    )
                )
        self._summary_warnings(counters)
        links = [
            PlanLink(uids[id(predecessor)], uids[id(successor)])
            for predecessor, successor in self._links.values()
        ]
        used = {value.key for detail in details.values() for value in detail.custom_values}
        warnings = list(self._warnings)
        if self._dropped:
            warnings.append(f"... and {self._dropped} more warnings.")
        try:
            plan = Plan(
                name=self.name,
                start=self._plan_start(tasks, ordered),
                minutes_per_day=self.minutes_per_day,
                minutes_per_week=self.minutes_per_day * 5,
                tasks=tuple(tasks),
                links=tuple(links),
            )
        except ScheduleInputError as error:
            raise PlanFileError(self.name, str(error)) from error
        return ProjectDocument(
            format=self.format,
            plan=plan,
            properties={"Title": self.name, **self.properties},
            custom_fields=tuple(item for key, item in self._fields.items() if key in used),
            task_details=details,
            resources=people.resources(),
            assignments=tuple(assignments),
            warnings=tuple(warnings),
            null_tasks=self.null_tasks,
        )

    def _outline(self) -> list[tuple[Item, int]]:
        known = {id(item) for item in self.items}
        for item in self.items:
            item.children = []
        for item in self.items:
            if item.parent is not None and id(item.parent) not in known:
                item.parent = None
            seen = {id(item)}
            ancestor = item.parent
            while ancestor is not None:
                if id(ancestor) in seen:
                    self.warn(
                        f"{item.ref} is its own ancestor through its parents; it was placed at "
                        "the top level."
                    )
                    item.parent = None
                    break
                seen.add(id(ancestor))
                ancestor = ancestor.parent
        for item in self.items:
            if item.parent is not None:
                item.parent.children.append(item)
        ordered: list[tuple[Item, int]] = []
        stack = [(item, 1) for item in reversed(self.items) if item.parent is None]
        while stack:
            item, level = stack.pop()
            ordered.append((item, level))
            stack.extend((child, level + 1) for child in reversed(item.children))
        return ordered

    def _uids(self, ordered: list[tuple[Item, int]]) -> dict[int, int]:
        uids: dict[int, int] = {}
        taken: set[int] = set()
        for item, _level in ordered:
            if item.uid is not None and item.uid > 0 and item.uid not in taken:
                uids[id(item)] = item.uid
                taken.add(item.uid)
            elif item.uid is not None:
                self.warn(f"{item.ref}: the identifier {item.uid} is used twice; renumbered.")
        following = max(taken, default=0) + 1
        for item, _level in ordered:
            if id(item) not in uids:
                uids[id(item)] = following
                following += 1
        return uids

    def _task(
        self,
        item: Item,
        uid: int,
        position: int,
        level: int,
        parent_uid: int | None,
        outline_number: str,
        counters: _Counters,
    ) -> tuple[PlanTask, int | None]:
        summary = bool(item.children)
        work = item.work_minutes
        duration, unit, estimated = 0, None, False
        if not summary:
            duration, unit, estimated = self._duration(item, counters)
        actual_start, actual_finish, percent = None, None, item.percent
        if not summary and percent > 0:
            actual_start, actual_finish, percent = self._progress(item, duration, counters)
        task = PlanTask(
            uid=uid,
            id=position,
            name=item.name,
            outline_level=level,
            wbs=item.wbs,
            outline_number=outline_number,
            parent_uid=parent_uid,
            summary=summary,
            duration_minutes=duration,
            duration_format=unit,
            estimated=estimated,
            constraint_type="SNET" if item.start is not None else "ASAP",
            constraint_date=item.start,
            deadline=item.deadline,
            priority=item.priority,
            percent_complete=percent,
            actual_start=actual_start,
            actual_finish=actual_finish,
            notes=item.notes,
        )
        return task, work

    def _duration(self, item: Item, counters: _Counters) -> tuple[int, DurationFormat, bool]:
        if item.duration_minutes is not None:
            minutes = item.duration_minutes
        elif item.work_minutes:
            minutes = max(1, round(item.work_minutes / max(1, len(item.people))))
        else:
            counters.default_duration += 1
            return self.minutes_per_day, "d", True
        unit: DurationFormat = "d" if minutes % self.minutes_per_day == 0 else "h"
        return minutes, unit, False

    def _progress(
        self, item: Item, duration: int, counters: _Counters
    ) -> tuple[datetime | None, datetime | None, float]:
        finish = item.actual_finish
        if item.percent >= 100 and finish is None:
            finish = item.updated
        start = item.start
        if start is None and item.percent >= 100 and finish is not None:
            days = max(1, math.ceil(duration / self.minutes_per_day))
            start = _days_back(finish, days)
            if item.created is not None and item.created > start:
                start = min(item.created, finish)
        if start is None:
            start = item.created or item.updated
        if start is None:
            counters.undated_progress.append(item.ref)
            return None, None, 0.0
        if item.percent < 100:
            finish = None
        elif finish is not None and finish < start:
            start = finish
        return start, finish, item.percent

    def _details(self, item: Item, work: int | None) -> TaskDetails | None:
        values = tuple(
            CustomValue(key, item.custom[key])
            for key in self._fields
            if key in item.custom and item.custom[key] != ""
        )
        detail = TaskDetails(
            work_minutes=work,
            actual_work_minutes=item.actual_work_minutes,
            remaining_work_minutes=item.remaining_work_minutes,
            hyperlink_address=item.hyperlink_address,
            custom_values=values,
        )
        return None if detail == TaskDetails() else detail

    def _summary_warnings(self, counters: _Counters) -> None:
        if counters.default_duration:
            self.warn(
                f"{_tasks(counters.default_duration)} had no estimate and no dates giving a "
                "duration: each was given an estimated duration of 1 day."
            )
        if counters.undated_progress:
            more = len(counters.undated_progress) - 10
            shown = ", ".join(counters.undated_progress[:10]) + (
                f" and {more} more" if more > 0 else ""
            )
            self.warn(
                f"{_tasks(len(counters.undated_progress))} are done or in progress but the file "
                f"gives no date to place that progress ({shown}): "
                "they were imported as not started."
            )

    def _plan_start(
        self, tasks: list[PlanTask], ordered: list[tuple[Item, int]]
    ) -> datetime | None:
        moments = [
            moment
            for task in tasks
            for moment in (task.actual_start, task.constraint_date)
            if moment is not None
        ]
        moments.extend(item.created for item, _level in ordered if item.created is not None)
        if not moments:
            return None
        return datetime.combine(min(moments).date(), DAY_START)


def _tasks(count: int) -> str:
    return "1 task" if count == 1 else f"{count} tasks"


@dataclass
class _Counters:
    default_duration: int = 0
    undated_progress: list[str] = field(default_factory=list)


class _People:
    """One resource per person, matched by e-mail address, account code or name.

    A mention with only a name is the person of that name; a mention with an address or a code
    is only matched by name to someone known without either (who then gains them).
    """

    def __init__(self) -> None:
        self._uid_by_key: dict[str, int] = {}
        self._resources: dict[int, DocumentResource] = {}

    def uid(self, person: Person) -> int:
        keys = [
            f"{kind}:{fold(value)}"
            for kind, value in (("email", person.email), ("code", person.code))
            if value
        ]
        name = person.name or person.email or person.code
        name_key = f"name:{fold(name)}"
        uid = next((self._uid_by_key[key] for key in keys if key in self._uid_by_key), None)
        if uid is None and name_key in self._uid_by_key:
            known = self._resources[self._uid_by_key[name_key]]
            if not keys or (not known.email and not known.code):
                uid = known.uid
        if uid is None:
            uid = len(self._resources) + 1
            self._resources[uid] = DocumentResource(
                uid=uid,
                id=uid,
                name=name,
                email=person.email,
                code=person.code,
                initials=person.initials or _initials(name),
            )
        else:
            known = self._resources[uid]
            if (person.email and not known.email) or (person.code and not known.code):
                self._resources[uid] = replace(
                    known, email=known.email or person.email, code=known.code or person.code
                )
        for key in [*keys, name_key]:
            self._uid_by_key.setdefault(key, uid)
        return uid

    def resources(self) -> tuple[DocumentResource, ...]:
        return tuple(self._resources.values())


def _initials(name: str) -> str:
    words = [word for word in re.split(r"[\s._-]+", name) if word[:1].isalpha()]
    return "".join(word[0].upper() for word in words[:3])
