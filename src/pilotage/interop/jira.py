"""Read Jira exports: the CSV of the issue navigator, and the JSON of the REST search API.

:func:`read_jira_csv` reads *Export > CSV (all fields)* and *CSV (current fields)* files from
Jira Server, Data Center and Cloud, as Jira writes them or after Excel re-saved them;
:func:`read_jira_json` reads the response of ``/rest/api/2/search`` (or ``/3/search``, whose
descriptions are Atlassian documents), a list of issues, or one issue.

What becomes what
-----------------
- Each issue is a task: the summary is its name, the issue key its WBS code, the description
  its notes, the Jira issue id its UID (numbers in file order when the file has no ids).
- Hierarchy: a sub-task sits under its parent issue (``Parent id``, ``Parent``, the ``parent``
  field), an issue under its epic (``Epic Link``, ``Custom field (Epic Link)``, ``Parent``); an
  issue with children is a summary task. A parent that is not in the export is said in a
  warning and the issue stays at the top level.
- Effort: the original estimate (seconds in CSV, ``timeoriginalestimate`` in JSON) is the
  task's work; without one, story points count one working day each (said in a warning). The
  time spent and the remaining estimate become actual and remaining work. The duration is the
  work (one assignee at 100 %), or one day, estimated, when there is no effort at all.
- Status: Done, Closed, Resolved, Terminé ... are 100 % complete, In Progress, En cours ... 50 %,
  anything else 0 %; Jira's status category decides when the file has it; an unknown status
  with a resolution is done. The resolution date is the actual finish.
- Dates: the due date is a deadline; a start date field (``Start date``, ``Target start``)
  becomes a *start no earlier than* constraint, otherwise the task is left to the scheduler;
  the creation date only helps to date progress and the project's start.
- Priority: Highest, High, Medium, Low, Lowest (and Blocker to Trivial) are 900, 700, 500, 300,
  100 (Blocker 1,000).
- The assignee is a resource (one per person, with the e-mail address when the file has it)
  assigned at 100 %.
- "Blocks" links are finish-to-start dependencies: the blocking issue comes first. A link to an
  issue that is not in the export is dropped with a warning naming both keys.
- Custom fields: "Issue type", "Status", "Story points", "Sprint" (the current sprint: the
  last of the Sprint columns, the active one in JSON), "Labels" and "Components" (joined with
  ", ").

CSV files are decoded with :func:`~pilotage.interop.text.decode_text` (byte-order mark,
UTF-8, Windows-1252) and may use commas or semicolons (French Excel). Headers are matched
loosely (case, accents, the ``Custom field (...)`` wrapper, Cloud's ``Σ`` aggregates, a few
French names); repeated columns (Sprint, Labels, Watchers, Comment, Attachment) are read
together; rows without a key and without a summary are blank rows (Excel leaves hundreds of
comma-only rows) and are counted in ``null_tasks``. Dates may be Jira's ``06/Jul/26 6:38 PM``,
ISO with an offset (the wall-clock time is kept, the offset dropped), or Excel's
``16/02/2017 15:26`` (day first unless a date of the file can only be month first).

Examples
--------
>>> csv_text = (
...     "Issue key,Issue id,Summary,Status,Original Estimate,Outward issue link (Blocks)\\n"
...     "WEB-1,101,Design,To Do,28800,WEB-2\\n"
...     "WEB-2,102,Build,To Do,57600,\\n"
... )
>>> document = read_jira_csv(csv_text.encode(), name="web.csv")
>>> [(task.uid, task.wbs, task.duration_minutes) for task in document.plan.tasks]
[(101, 'WEB-1', 480), (102, 'WEB-2', 960)]
>>> [(link.predecessor_uid, link.successor_uid) for link in document.plan.links]
[(101, 102)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from pilotage.interop.document import CustomValueData, ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.text import decode_text
from pilotage.interop.tracker import (
    DocumentBuilder,
    Item,
    Person,
    as_dict,
    as_dicts,
    as_list,
    as_text,
    at_day_finish,
    at_day_start,
    csv_table,
    day_first_order,
    file_stem,
    fold,
    load_json,
    parse_moment,
    parse_number,
    priority_from_name,
    progress_from_status,
)

__all__ = ["read_jira_csv", "read_jira_json"]

_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "key": ("issue key", "key", "cle de ticket", "cle du ticket", "cle"),
    "id": ("issue id", "id de ticket", "id du ticket"),
    "summary": ("summary", "resume"),
    "type": ("issue type", "type de ticket", "type du ticket"),
    "status": ("status", "etat", "statut"),
    "category": ("status category", "categorie d'etat", "categorie de statut"),
    "priority": ("priority", "priorite"),
    "resolution": ("resolution",),
    "assignee": ("assignee", "responsable", "personne assignee"),
    "assignee_id": ("assignee id", "id du responsable"),
    "assignee_email": ("assignee email", "assignee e-mail", "e-mail du responsable"),
    "created": ("created", "creation", "cree", "date de creation"),
    "updated": ("updated", "mise a jour", "mis a jour"),
    "resolved": ("resolved", "resolution date", "date de resolution", "resolu"),
    "due": ("due date", "due", "date d'echeance", "echeance"),
    "start": ("start date", "target start", "date de debut", "debut cible"),
    "description": ("description",),
    "estimate": ("original estimate", "estimation originale", "estimation initiale"),
    "estimate_total": ("σ original estimate", "σ estimation originale"),
    "spent": ("time spent", "temps consacre", "temps passe"),
    "spent_total": ("σ time spent", "σ temps consacre"),
    "remaining": ("remaining estimate", "estimation restante", "temps restant"),
    "remaining_total": ("σ remaining estimate", "σ estimation restante"),
    "points": ("story points", "story point estimate", "points de story"),
    "sprint": ("sprint",),
    "labels": ("labels", "etiquettes"),
    "components": ("component/s", "components", "composants", "composant/s"),
    "parent": ("parent id", "parent", "parent key", "id parent"),
    "epic": ("epic link", "lien d'epic", "lien de l'epic"),
    "parent_link": ("parent link",),
    "epic_name": ("epic name", "nom de l'epic"),
    "project": ("project name", "nom du projet"),
}
_CUSTOM_WRAPPER: Final = re.compile(r"(?:custom field|champ personnalise)\s*\((?P<name>.*)\)")
_BLOCKS: Final = re.compile(
    r"(?P<way>outward|inward) issue link \((?:blocks?|bloque)\)"
    r"|lien de ticket (?P<way_fr>sortant|entrant) \((?:blocks?|bloque)\)"
)
_DATE_FIELDS: Final = ("created", "updated", "resolved", "due", "start")
_EPIC_TYPES: Final = frozenset({"epic", "epique", "epopee"})
_UNASSIGNED: Final = frozenset({"unassigned", "non assigne", "non attribue", "automatic"})
_UNRESOLVED: Final = frozenset({"unresolved", "non resolu", "non resolue"})
_REFERENCE_SPLIT: Final = re.compile(r"[,;\s]+")
_JIRA_DURATION: Final = re.compile(r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>[wdhm])", re.IGNORECASE)
_SPRINT_FIELD: Final = re.compile(r"(?:^|[,\[])(?P<name>name|state)=(?P<value>[^,\]]*)")
_ADF_INLINE: Final = frozenset({"paragraph", "heading", "codeBlock", "text", "mediaSingle"})
_MAX_ADF_DEPTH: Final = 100

ISSUE_TYPE: Final = "Issue type"
STATUS: Final = "Status"
STORY_POINTS: Final = "Story points"
SPRINT: Final = "Sprint"
LABELS: Final = "Labels"
COMPONENTS: Final = "Components"


@dataclass(eq=False)
class _Issue:
    """What the reader keeps of an issue until the whole file is read."""

    item: Item
    key: str
    where: str
    issue_id: str = ""
    kind: str = ""
    epic_name: str = ""
    epic: bool = False
    parents: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    points: Decimal | None = None


class _Issues:
    """The issues read so far, the builder, and the steps common to CSV and JSON."""

    def __init__(self, format: str, *, name: str, minutes_per_day: int) -> None:
        if minutes_per_day <= 0:
            raise ValueError(f"minutes_per_day must be positive, not {minutes_per_day}")
        self.file = name
        self.builder = DocumentBuilder(
            format, name=file_stem(name), minutes_per_day=minutes_per_day
        )
        for key in (ISSUE_TYPE, STATUS, SPRINT, LABELS, COMPONENTS):
            self.builder.field(key)
        self.builder.field(STORY_POINTS, "number")
        self.issues: list[_Issue] = []
        self.projects: dict[str, None] = {}
        self._by_key: dict[str, _Issue] = {}
        self._by_id: dict[str, _Issue] = {}

    def add(self, issue: _Issue) -> None:
        key = issue.key.casefold()
        if key and key in self._by_key:
            self.builder.warn(
                f"{issue.where}: the issue {issue.key} appears a second time; this row was skipped."
            )
            return
        self.issues.append(issue)
        self.builder.add(issue.item)
        if key:
            self._by_key[key] = issue
        if issue.issue_id:
            self._by_id.setdefault(issue.issue_id, issue)

    def effort(
        self, issue: _Issue, seconds: Decimal | None, points: Decimal | None, points_used: list[str]
    ) -> None:
        issue.points = points
        if points is not None:
            issue.item.custom[STORY_POINTS] = points
        if seconds is not None and seconds > 0:
            issue.item.work_minutes = max(1, round(seconds / 60))
        elif points is not None and points > 0:
            issue.item.work_minutes = max(1, round(points * self.builder.minutes_per_day))
            points_used.append(issue.item.ref)

    def finish(self, points_used: list[str]) -> ProjectDocument:
        epics_by_name: dict[str, _Issue] = {}
        for issue in self.issues:
            if issue.epic or fold(issue.kind) in _EPIC_TYPES:
                for text in (issue.epic_name, issue.item.name):
                    if text:
                        epics_by_name.setdefault(fold(text), issue)
        for issue in self.issues:
            self._place(issue, epics_by_name)
        for issue in self.issues:
            for reference in issue.blocks:
                target = self._find(reference)
                if target is None:
                    self.builder.warn(
                        f"{issue.where} blocks {reference}, which is not in the export; the "
                        "link was dropped."
                    )
                else:
                    self.builder.link(issue.item, target.item)
            for reference in issue.blocked_by:
                target = self._find(reference)
                if target is None:
                    self.builder.warn(
                        f"{issue.where} is blocked by {reference}, which is not in the export; "
                        "the link was dropped."
                    )
                else:
                    self.builder.link(target.item, issue.item)
        if points_used:
            minutes = self.builder.minutes_per_day
            self.builder.warn(
                f"{_issues(len(points_used))} story points but no original estimate "
                f"({', '.join(points_used[:5])}{' ...' if len(points_used) > 5 else ''}): "
                f"their work counts 1 story point as 1 working day ({minutes} minutes)."
            )
        if len(self.projects) == 1:
            self.builder.name = next(iter(self.projects))
        elif len(self.projects) > 1:
            self.builder.properties["Subject"] = ", ".join(self.projects)
        return self.builder.build()

    def _find(self, reference: str) -> _Issue | None:
        text = reference.strip()
        found = self._by_key.get(text.casefold())
        if found is None:
            found = self._by_id.get(_integer_text(text))
        return found

    def _place(self, issue: _Issue, epics_by_name: Mapping[str, _Issue]) -> None:
        for reference in issue.parents:
            parent = self._find(reference) or epics_by_name.get(fold(reference))
            if parent is issue:
                continue
            if parent is not None:
                issue.item.parent = parent.item
                return
        if issue.parents:
            self.builder.warn(
                f"{issue.where}: its parent {issue.parents[0]} is not in the export; the issue "
                "was placed at the top level."
            )


def read_jira_csv(data: bytes, *, name: str, minutes_per_day: int = 480) -> ProjectDocument:
    """Read a Jira CSV export into a project document (format ``"jira-csv"``).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages; its stem names the plan unless the file names a single
        project.
    minutes_per_day : int, optional
        Working minutes in a day: the default duration and the work of a story point.

    Returns
    -------
    ProjectDocument
        One task per issue, the assignees as resources, "blocks" links; warnings for what was
        skipped or guessed.

    Raises
    ------
    PlanFileError
        If the file is not text, not CSV, or has neither a "Summary" nor an "Issue key" column.

    Examples
    --------
    >>> text = (
    ...     "Summary;Issue key;Status;Assignee;Created\\n"
    ...     "Ship;OPS-9;En cours;Léa Roux;02/03/2026 09:15\\n"
    ...     ";;;;\\n"
    ... )
    >>> document = read_jira_csv(text.encode("cp1252"), name="ops.csv")
    >>> task = document.plan.tasks[0]
    >>> task.name, task.percent_complete, task.actual_start
    ('Ship', 50.0, datetime.datetime(2026, 3, 2, 9, 15))
    >>> document.resources[0].name, document.null_tasks
    ('Léa Roux', 1)
    """
    text, _codec = decode_text(data, name=name)
    headers, records = csv_table(
        text,
        name=name,
        accept=lambda row: _Columns(row).has("summary") or _Columns(row).has("key"),
        refusal="this is not a Jira export: there is no 'Summary' or 'Issue key' column",
    )
    columns = _Columns(headers)
    issues = _Issues("jira-csv", name=name, minutes_per_day=minutes_per_day)
    day_first = day_first_order(
        value
        for _line, cells in records
        for field_name in _DATE_FIELDS
        for value in columns.every(cells, field_name)
    )
    points_used: list[str] = []
    for line, cells in records:
        issue = _csv_issue(issues, columns, line, cells, day_first, points_used)
        if issue is None:
            issues.builder.null_tasks += 1
        else:
            issues.add(issue)
    if issues.builder.null_tasks:
        blank = issues.builder.null_tasks
        issues.builder.warn(
            f"{'1 blank row was' if blank == 1 else f'{blank} blank rows were'} skipped (no "
            "issue key and no summary)."
        )
    return issues.finish(points_used)


class _Columns:
    """The header of a CSV export: where each field is, repeated columns included."""

    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = list(headers)
        self._index: dict[str, list[int]] = {}
        self.blocks_out: list[int] = []
        self.blocks_in: list[int] = []
        for position, header in enumerate(headers):
            folded = fold(header)
            names = [folded]
            wrapped = _CUSTOM_WRAPPER.fullmatch(folded)
            if wrapped:
                names.append(wrapped["name"].strip())
            for header_name in names:
                self._index.setdefault(header_name, []).append(position)
            link = _BLOCKS.fullmatch(folded)
            if link:
                way = link["way"] or link["way_fr"]
                (self.blocks_out if way in ("outward", "sortant") else self.blocks_in).append(
                    position
                )

        self._positions = {
            field_name: next(
                (self._index[header] for header in headers_of if header in self._index), []
            )
            for field_name, headers_of in _HEADERS.items()
        }

    def positions(self, field_name: str) -> list[int]:
        return self._positions[field_name]

    def has(self, field_name: str) -> bool:
        return bool(self.positions(field_name))

    def first(self, cells: Sequence[str], field_name: str) -> str:
        for value in self.every(cells, field_name):
            return value
        return ""

    def every(self, cells: Sequence[str], field_name: str) -> list[str]:
        return _values(cells, self.positions(field_name))


def _values(cells: Sequence[str], positions: Sequence[int]) -> list[str]:
    values = []
    for position in positions:
        if position < len(cells):
            value = cells[position].strip()
            if value:
                values.append(value)
    return values


def _csv_issue(
    issues: _Issues,
    columns: _Columns,
    line: int,
    cells: list[str],
    day_first: bool,
    points_used: list[str],
) -> _Issue | None:
    value = columns.first
    key = value(cells, "key")
    summary = value(cells, "summary")
    if not key and not summary:
        return None
    where = f"Line {line} ({key})" if key else f"Line {line}"
    warn = issues.builder.warn

    def moment(field_name: str) -> tuple[datetime, bool] | None:
        text = value(cells, field_name)
        try:
            return parse_moment(text, day_first=day_first)
        except ValueError:
            header = columns.headers[columns.positions(field_name)[0]]
            warn(f"{where}: {header} {text!r} is not a date; it was ignored.")
            return None

    def number(field_name: str) -> Decimal | None:
        text = value(cells, field_name)
        try:
            return _duration_seconds(text, issues.builder.minutes_per_day)
        except ValueError:
            header = columns.headers[columns.positions(field_name)[0]]
            warn(f"{where}: {header} {text!r} is not a number; it was ignored.")
            return None

    item = Item(ref=key or f"line {line}", name=summary or key, wbs=key)
    issue = _Issue(item=item, key=key, where=where, kind=value(cells, "type"))
    issue.issue_id = _integer_text(value(cells, "id"))
    item.uid = int(issue.issue_id) if issue.issue_id else None
    issue.epic_name = value(cells, "epic_name")
    item.notes = value(cells, "description")
    status = value(cells, "status")
    _set_status(issue, status, value(cells, "category"), value(cells, "resolution"))
    _set_priority(issues, issue, value(cells, "priority"))
    assignee = value(cells, "assignee")
    if assignee and fold(assignee) not in _UNASSIGNED:
        item.people.append(
            Person(
                assignee,
                email=value(cells, "assignee_email"),
                code=value(cells, "assignee_id"),
            )
        )
    _set_dates(
        item,
        created=moment("created"),
        updated=moment("updated"),
        resolved=moment("resolved"),
        due=moment("due"),
        start=moment("start"),
    )
    seconds = number("estimate") if columns.has("estimate") else None
    if seconds is None:
        seconds = number("estimate_total")
    spent = number("spent") if value(cells, "spent") else number("spent_total")
    remaining = number("remaining") if value(cells, "remaining") else number("remaining_total")
    item.actual_work_minutes = None if spent is None else round(spent / 60)
    item.remaining_work_minutes = None if remaining is None else round(remaining / 60)
    points_text = value(cells, "points")
    try:
        points = parse_number(points_text)
    except ValueError:
        warn(f"{where}: story points {points_text!r} is not a number; they were ignored.")
        points = None
    issues.effort(issue, seconds, points, points_used)
    sprints = columns.every(cells, "sprint")
    _set_custom(
        item,
        kind=issue.kind,
        status=status,
        sprint=sprints[-1] if sprints else "",
        labels=columns.every(cells, "labels"),
        components=columns.every(cells, "components"),
    )
    issue.parents = [
        text
        for field_name in ("parent", "epic", "parent_link")
        for text in [value(cells, field_name)]
        if text
    ]
    issue.blocks = _references(_values(cells, columns.blocks_out))
    issue.blocked_by = _references(_values(cells, columns.blocks_in))
    project = value(cells, "project")
    if project:
        issues.projects.setdefault(project, None)
    return issue


def _set_status(issue: _Issue, status: str, category: str, resolution: str) -> None:
    percent = progress_from_status(status, category)
    if percent is None:
        percent = 100.0 if resolution and fold(resolution) not in _UNRESOLVED else 0.0
    issue.item.percent = percent


def _set_priority(issues: _Issues, issue: _Issue, name: str) -> None:
    if not name:
        return
    priority = priority_from_name(name)
    if priority is None:
        issues.builder.warn_once(
            f"priority:{fold(name)}",
            f"{issue.where}: the priority {name!r} is not one of Highest, High, Medium, Low, "
            "Lowest; issues with it keep the default priority 500.",
        )
    else:
        issue.item.priority = priority


def _set_dates(
    item: Item,
    *,
    created: tuple[datetime, bool] | None,
    updated: tuple[datetime, bool] | None,
    resolved: tuple[datetime, bool] | None,
    due: tuple[datetime, bool] | None,
    start: tuple[datetime, bool] | None,
) -> None:
    item.created = None if created is None else created[0]
    item.updated = None if updated is None else updated[0]
    item.deadline = None if due is None else at_day_finish(due)
    item.start = None if start is None else at_day_start(start)
    if resolved is not None and item.percent >= 100:
        item.actual_finish = at_day_finish(resolved) if not resolved[1] else resolved[0]


def _set_custom(
    item: Item,
    *,
    kind: str,
    status: str,
    sprint: str,
    labels: Sequence[str],
    components: Sequence[str],
) -> None:
    values: dict[str, CustomValueData] = {
        ISSUE_TYPE: kind,
        STATUS: status,
        SPRINT: sprint,
        LABELS: ", ".join(dict.fromkeys(labels)),
        COMPONENTS: ", ".join(dict.fromkeys(components)),
    }
    item.custom.update({key: text for key, text in values.items() if text})


def _references(values: Sequence[str]) -> list[str]:
    found: dict[str, None] = {}
    for value in values:
        for reference in _REFERENCE_SPLIT.split(value):
            if reference:
                found.setdefault(reference, None)
    return list(found)


def _integer_text(text: str) -> str:
    """An identifier as digits (Excel may write ``24018.0`` or ``24 018``); empty if not one."""
    try:
        number = parse_number(text)
    except ValueError:
        return ""
    if number is None or number != number.to_integral_value() or number <= 0:
        return ""
    return str(int(number))


def _duration_seconds(text: str, minutes_per_day: int) -> Decimal | None:
    """Seconds from a CSV estimate: a number of seconds, or Jira's ``1w 2d 3h 30m``."""
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError:
        pass
    parts = list(_JIRA_DURATION.finditer(text))
    if not parts or _JIRA_DURATION.sub("", text).strip():
        raise ValueError(f"{text!r} is not a duration")
    minutes = {"w": 5 * minutes_per_day, "d": minutes_per_day, "h": 60, "m": 1}
    total = Decimal(0)
    for part in parts:
        amount = parse_number(part["amount"]) or Decimal(0)
        total += amount * minutes[part["unit"].lower()] * 60
    return total


# JSON ------------------------------------------------------------------------------------------


def read_jira_json(data: bytes, *, name: str, minutes_per_day: int = 480) -> ProjectDocument:
    """Read Jira issues as the REST API returns them (format ``"jira-json"``).

    Accepts a search response (``{"issues": [...]}``, with the ``names`` and ``schema`` maps
    when it was asked for them), a list of issues, or one issue. Custom fields are recognised
    by their names in ``names`` (Story Points, Story point estimate, Sprint, Epic Link, Start
    date) or, for sprints, by their values.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages.
    minutes_per_day : int, optional
        Working minutes in a day.

    Returns
    -------
    ProjectDocument

    Raises
    ------
    PlanFileError
        If the file is not JSON or holds no Jira issues.

    Examples
    --------
    >>> import json
    >>> issues = {"issues": [{"id": "7", "key": "APP-7", "fields": {
    ...     "summary": "Release", "status": {"name": "Closed",
    ...     "statusCategory": {"key": "done"}}, "resolutiondate": "2026-03-06T16:00:00.000+0100",
    ...     "created": "2026-03-02T09:00:00.000+0100", "timeoriginalestimate": 14400}}]}
    >>> task = read_jira_json(json.dumps(issues).encode(), name="search.json").plan.tasks[0]
    >>> task.uid, task.percent_complete, task.actual_start, task.actual_finish
    (7, 100.0, datetime.datetime(2026, 3, 6, 8, 0), datetime.datetime(2026, 3, 6, 16, 0))
    """
    payload = load_json(data, name=name)
    issues_data, names, schema, total = _json_issues(payload, name)
    issues = _Issues("jira-json", name=name, minutes_per_day=minutes_per_day)
    points_used: list[str] = []
    subtask_parents: dict[str, str] = {}
    for position, raw in enumerate(issues_data, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("fields"), dict):
            issues.builder.warn(f"Issue {position} of the file has no 'fields'; it was skipped.")
            continue
        issue_names = {**names, **_string_map(raw.get("names"))}
        issue = _json_issue(issues, raw, position, _Fields(issue_names, schema), points_used)
        issues.add(issue)
        for subtask in as_dicts(raw["fields"].get("subtasks")):
            key = as_text(subtask.get("key"))
            if key and issue.key:
                subtask_parents.setdefault(key.casefold(), issue.key)
    for issue in issues.issues:
        parent = subtask_parents.get(issue.key.casefold())
        if parent and not issue.parents:
            issue.parents.append(parent)
    if total is not None and total > len(issues_data):
        issues.builder.warn(
            f"The file holds {len(issues_data)} of the {total} issues the search found (one "
            "page of the results); only these were imported."
        )
    return issues.finish(points_used)


def _json_issues(
    payload: Any, name: str
) -> tuple[list[Any], dict[str, str], dict[str, Any], int | None]:
    total: int | None = None
    names: dict[str, str] = {}
    schema: dict[str, Any] = {}
    if isinstance(payload, dict) and isinstance(payload.get("issues"), list):
        issues = payload["issues"]
        names = _string_map(payload.get("names"))
        schema = payload["schema"] if isinstance(payload.get("schema"), dict) else {}
        if isinstance(payload.get("total"), int) and not isinstance(payload["total"], bool):
            total = payload["total"]
    elif isinstance(payload, list):
        issues = payload
    elif isinstance(payload, dict) and "fields" in payload and "key" in payload:
        issues = [payload]
    else:
        raise PlanFileError(
            name, "this is not a Jira export: there is no 'issues' list of issues with 'fields'"
        )
    return issues, names, schema, total


class _Fields:
    """Finds an issue's custom fields by their names (``names``) or their type (``schema``)."""

    def __init__(self, names: Mapping[str, str], schema: Mapping[str, Any]) -> None:
        self._by_name: dict[str, list[str]] = {}
        for field_id, field_name in names.items():
            self._by_name.setdefault(fold(field_name), []).append(field_id)
        self._sprint_ids = [
            field_id
            for field_id, description in schema.items()
            if isinstance(description, dict)
            and str(description.get("custom", "")).endswith(":gh-sprint")
        ]
        self._epic_ids = [
            field_id
            for field_id, description in schema.items()
            if isinstance(description, dict)
            and str(description.get("custom", "")).endswith(":gh-epic-link")
        ]

    def named(self, fields: Mapping[str, Any], *names: str) -> Any:
        for field_name in names:
            for field_id in self._by_name.get(field_name, ()):
                value = fields.get(field_id)
                if value not in (None, "", []):
                    return value
        return None

    def epic(self, fields: Mapping[str, Any]) -> str:
        for field_id in self._epic_ids:
            text = as_text(fields.get(field_id))
            if text:
                return text
        return as_text(self.named(fields, "epic link"))

    def sprint(self, fields: Mapping[str, Any]) -> str:
        value = self.named(fields, "sprint")
        for field_id in self._sprint_ids:
            value = value or fields.get(field_id)
        if value is None:
            for field_id, candidate in fields.items():
                if field_id.startswith("customfield_") and _looks_like_sprints(candidate):
                    value = candidate
                    break
        return _current_sprint(value)


def _json_issue(
    issues: _Issues,
    raw: Mapping[str, Any],
    position: int,
    custom: _Fields,
    points_used: list[str],
) -> _Issue:
    fields: Mapping[str, Any] = raw["fields"]
    key = as_text(raw.get("key"))
    where = f"Issue {key}" if key else f"Issue {position} of the file"
    summary = as_text(fields.get("summary"))
    item = Item(ref=key or f"issue {position}", name=summary or key, wbs=key)
    kind_data = as_dict(fields.get("issuetype"))
    issue = _Issue(item=item, key=key, where=where, kind=as_text(kind_data.get("name")))
    issue.epic = kind_data.get("hierarchyLevel") == 1
    issue.issue_id = _integer_text(as_text(raw.get("id")))
    item.uid = int(issue.issue_id) if issue.issue_id else None
    item.notes = _description(fields.get("description"))
    item.hyperlink_address = _browse_url(as_text(raw.get("self")), key)
    issue.epic_name = as_text(custom.named(fields, "epic name"))
    status = as_dict(fields.get("status"))
    status_name = as_text(status.get("name"))
    category = as_text(as_dict(status.get("statusCategory")).get("key"))
    resolution = as_text(as_dict(fields.get("resolution")).get("name"))
    _set_status(issue, status_name, category, resolution)
    _set_priority(issues, issue, as_text(as_dict(fields.get("priority")).get("name")))
    assignee = as_dict(fields.get("assignee"))
    if assignee:
        person = Person(
            as_text(assignee.get("displayName")) or as_text(assignee.get("name")),
            email=as_text(assignee.get("emailAddress")),
            code=as_text(assignee.get("accountId"))
            or as_text(assignee.get("name"))
            or as_text(assignee.get("key")),
        )
        if person.name or person.email or person.code:
            item.people.append(person)

    def moment(label: str, value: Any) -> tuple[datetime, bool] | None:
        text = as_text(value)
        try:
            return parse_moment(text)
        except ValueError:
            issues.builder.warn(f"{where}: {label} {text!r} is not a date; it was ignored.")
            return None

    _set_dates(
        item,
        created=moment("created", fields.get("created")),
        updated=moment("updated", fields.get("updated")),
        resolved=moment("resolutiondate", fields.get("resolutiondate")),
        due=moment("duedate", fields.get("duedate")),
        start=moment("start date", custom.named(fields, "start date", "target start")),
    )
    item.actual_work_minutes = _minutes(fields.get("timespent"))
    item.remaining_work_minutes = _minutes(fields.get("timeestimate"))
    seconds = _decimal(fields.get("timeoriginalestimate"))
    points = _decimal(custom.named(fields, "story points", "story point estimate"))
    issues.effort(issue, seconds, points, points_used)
    _set_custom(
        item,
        kind=issue.kind,
        status=status_name,
        sprint=custom.sprint(fields),
        labels=[as_text(label) for label in as_list(fields.get("labels"))],
        components=[
            as_text(component.get("name")) for component in as_dicts(fields.get("components"))
        ],
    )
    parent = as_dict(fields.get("parent"))
    issue.parents = [
        text
        for text in (as_text(parent.get("key")) or as_text(parent.get("id")), custom.epic(fields))
        if text
    ]
    for link in as_dicts(fields.get("issuelinks")):
        link_type = as_dict(link.get("type"))
        if fold(as_text(link_type.get("name"))) not in ("blocks", "block", "bloque"):
            continue
        outward = as_text(as_dict(link.get("outwardIssue")).get("key"))
        inward = as_text(as_dict(link.get("inwardIssue")).get("key"))
        if outward:
            issue.blocks.append(outward)
        if inward:
            issue.blocked_by.append(inward)
    project = as_text(as_dict(fields.get("project")).get("name"))
    if project:
        issues.projects.setdefault(project, None)
    return issue


def _looks_like_sprints(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(
        (isinstance(one, str) and ".sprint.Sprint@" in one)
        or (isinstance(one, dict) and {"name", "state", "boardId"} <= one.keys())
        for one in values
    )


def _current_sprint(value: Any) -> str:
    """The active sprint of a Sprint field's value, else the last one."""
    sprints: list[tuple[str, str]] = []
    for one in value if isinstance(value, list) else [value]:
        if isinstance(one, dict):
            sprints.append((as_text(one.get("name")), fold(as_text(one.get("state")))))
        elif isinstance(one, str) and one:
            found = {match["name"]: match["value"] for match in _SPRINT_FIELD.finditer(one)}
            sprints.append((found.get("name", one), fold(found.get("state", ""))))
    named = [(sprint, state) for sprint, state in sprints if sprint and sprint != "<null>"]
    active = [sprint for sprint, state in named if state == "active"]
    if active:
        return active[-1]
    return named[-1][0] if named else ""


def _description(value: Any) -> str:
    if isinstance(value, dict):
        return _adf_text(value, 0).strip()
    return as_text(value)


def _adf_text(node: Any, depth: int) -> str:
    """The plain text of an Atlassian document (Jira Cloud's rich text)."""
    if depth > _MAX_ADF_DEPTH or not isinstance(node, dict):
        return ""
    kind = node.get("type")
    if kind == "text":
        text = node.get("text")
        return text if isinstance(text, str) else ""
    if kind == "hardBreak":
        return "\n"
    if kind in ("mention", "emoji", "status", "date", "inlineCard"):
        attributes = as_dict(node.get("attrs"))
        return as_text(
            attributes.get("text") or attributes.get("shortName") or attributes.get("url")
        )
    parts = [_adf_text(child, depth + 1) for child in as_list(node.get("content"))]
    if kind in _ADF_INLINE:
        return "".join(parts)
    if kind == "listItem":
        return "- " + "\n".join(part for part in parts if part).replace("\n", "\n  ")
    return "\n".join(part for part in parts if part)


def _browse_url(api_url: str, key: str) -> str:
    match = re.match(r"(https?://.+?)/rest/api/", api_url)
    return f"{match[1]}/browse/{key}" if match and key else ""


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        try:
            return parse_number(str(value))
        except ValueError:
            return None
    return None


def _minutes(value: Any) -> int | None:
    seconds = _decimal(value)
    return None if seconds is None else round(seconds / 60)


def _string_map(value: Any) -> dict[str, str]:
    return {
        str(key): text for key, text in as_dict(value).items() if isinstance(text, str) and text
    }


def _issues(count: int) -> str:
    return "1 issue has" if count == 1 else f"{count} issues have"
