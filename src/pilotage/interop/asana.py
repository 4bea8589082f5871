"""Read an Asana project exported as CSV (*Project actions > Export/Print > CSV*).

Asana writes one row per task and subtask with the columns ``Task ID``, ``Created At``,
``Completed At``, ``Last Modified``, ``Name``, ``Section/Column``, ``Assignee``,
``Assignee Email``, ``Start Date``, ``Due Date``, ``Tags``, ``Notes``, ``Projects``,
``Parent task``, ``Blocked By (Dependencies)``, ``Blocking (Dependencies)``, then one column
per custom field of the project.

What becomes what
-----------------
- Each section is a summary task (in the order the sections first appear), the section's
  tasks under it; a subtask sits under its parent task (``Parent task`` holds the parent's
  name, or its ID). Older exports write sections as rows named ``"Section:"``; those rows are
  read as sections.
- Dates: the start date is a *start no earlier than* constraint, the due date a deadline; a
  task with both lasts the working days from one to the other, otherwise one day, estimated.
  A completed task is 100 % complete, finished on its completion date.
- The assignee is a resource (with the e-mail address), assigned at 100 %.
- ``Blocked By`` and ``Blocking`` are finish-to-start dependencies (task IDs, or names);
  a dependency on a task that is not in the file is dropped with a warning naming both.
- Tags become the custom field "Tags"; a "Priority" column sets the priority (High 700,
  Medium 500, Low 300 ...); every other column with values (the project's custom fields)
  becomes a text custom field of the same name, and "Projects" one too when tasks belong to
  different projects (otherwise it names the plan).

Examples
--------
>>> text = (
...     "Task ID,Created At,Completed At,Name,Section/Column,Assignee,Assignee Email,"
...     "Start Date,Due Date,Parent task,Blocked By (Dependencies)\\n"
...     "11,2026-03-02,,Write copy,Content,Ana Silva,ana@example.com,2026-03-02,2026-03-04,,\\n"
...     "12,2026-03-02,,Review copy,Content,,,,2026-03-05,,11\\n"
... )
>>> document = read_asana_csv(text.encode(), name="site.csv")
>>> [(task.name, task.summary, task.duration_minutes) for task in document.plan.tasks]
[('Content', True, 0), ('Write copy', False, 1440), ('Review copy', False, 480)]
>>> [(link.predecessor_uid, link.successor_uid) for link in document.plan.links]
[(2, 3)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from pilotage.interop.document import ProjectDocument
from pilotage.interop.text import decode_text
from pilotage.interop.tracker import (
    DocumentBuilder,
    Item,
    Person,
    at_day_finish,
    at_day_start,
    csv_table,
    day_first_order,
    file_stem,
    fold,
    parse_moment,
    priority_from_name,
    working_days,
)

__all__ = ["read_asana_csv"]

TAGS: Final = "Tags"
PROJECTS: Final = "Projects"

_HEADERS: Final[Mapping[str, tuple[str, ...]]] = {
    "id": ("task id", "id de la tache"),
    "created": ("created at", "cree le", "date de creation"),
    "completed": ("completed at", "termine le", "date d'achevement"),
    "modified": ("last modified", "derniere modification"),
    "name": ("name", "nom", "task name"),
    "section": ("section/column", "section/colonne", "section"),
    "assignee": ("assignee", "responsable", "assigne a"),
    "email": ("assignee email", "e-mail du responsable", "adresse e-mail du responsable"),
    "start": ("start date", "date de debut"),
    "due": ("due date", "date d'echeance", "echeance"),
    "tags": ("tags", "etiquettes"),
    "notes": ("notes", "description"),
    "projects": ("projects", "projets"),
    "parent": ("parent task", "parent task id", "tache parente"),
    "blocked_by": ("blocked by (dependencies)", "bloquee par (dependances)"),
    "blocking": ("blocking (dependencies)", "bloque (dependances)"),
    "priority": ("priority", "priorite"),
}
_DATE_FIELDS: Final = ("created", "completed", "modified", "start", "due")
_DIGITS: Final = re.compile(r"\d+")


@dataclass(eq=False)
class _Row:
    item: Item
    line: int
    where: str
    task_id: str
    section: str
    parent: str
    blocked_by: str
    blocking: str
    projects: list[str] = field(default_factory=list)


class _Columns:
    def __init__(self, headers: Sequence[str]) -> None:
        self.headers = list(headers)
        self._index: dict[str, int] = {}
        for position, header in enumerate(headers):
            self._index.setdefault(fold(header), position)
        self.known: set[int] = set()
        for names in _HEADERS.values():
            for header_name in names:
                if header_name in self._index:
                    self.known.add(self._index[header_name])

    def position(self, field_name: str) -> int | None:
        for header_name in _HEADERS[field_name]:
            if header_name in self._index:
                return self._index[header_name]
        return None

    def value(self, cells: Sequence[str], field_name: str) -> str:
        position = self.position(field_name)
        if position is None or position >= len(cells):
            return ""
        return cells[position].strip()


def _accept(headers: Sequence[str]) -> bool:
    columns = _Columns(headers)
    return columns.position("name") is not None and (
        columns.position("id") is not None or columns.position("section") is not None
    )


def read_asana_csv(data: bytes, *, name: str) -> ProjectDocument:
    """Read an Asana CSV export into a project document (format ``"asana-csv"``).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for messages; its stem names the plan unless every task belongs to
        the same project.

    Returns
    -------
    ProjectDocument
        Sections as summary tasks, tasks and subtasks, assignees as resources, dependencies.

    Raises
    ------
    PlanFileError
        If the file is not text or CSV, or has no ``Name`` column beside ``Task ID`` or
        ``Section/Column``.

    Examples
    --------
    >>> read_asana_csv(b"Title,Owner\\nA,B\\n", name="tasks.csv")
    Traceback (most recent call last):
    ...
    pilotage.interop.errors.PlanFileError: tasks.csv, line 1: this is not an Asana export: \
there is no 'Name' column with 'Task ID' or 'Section/Column' (the headers are 'Title', 'Owner')
    """
    text, _codec = decode_text(data, name=name)
    headers, records = csv_table(
        text,
        name=name,
        accept=_accept,
        refusal=(
            "this is not an Asana export: there is no 'Name' column with 'Task ID' or "
            "'Section/Column'"
        ),
    )
    columns = _Columns(headers)
    builder = DocumentBuilder("asana-csv", name=file_stem(name))
    builder.field(TAGS)
    day_first = day_first_order(
        columns.value(cells, field_name) for _line, cells in records for field_name in _DATE_FIELDS
    )
    section_values = {fold(columns.value(cells, "section")) for _line, cells in records} - {""}
    rows: list[_Row] = []
    projects: dict[str, None] = {}
    current_section = ""
    extra = [
        position
        for position, header in enumerate(headers)
        if position not in columns.known and header.strip()
    ]
    for line, cells in records:
        task_name = columns.value(cells, "name")
        task_id = columns.value(cells, "id")
        if not task_name and not task_id:
            builder.null_tasks += 1
            continue
        if _is_section_row(columns, cells, task_name, section_values):
            current_section = task_name[:-1].strip()
            continue
        row = _row(builder, columns, line, cells, day_first)
        row.section = row.section or current_section
        for project in row.projects:
            projects.setdefault(project, None)
        for position in extra:
            value = cells[position].strip() if position < len(cells) else ""
            if value:
                row.item.custom[builder.field(headers[position].strip())] = value
        rows.append(row)
    _place(builder, rows)
    _link(builder, rows)
    if builder.null_tasks:
        builder.warn(f"{_rows(builder.null_tasks)} skipped (no task ID and no name).")
    if len(projects) == 1:
        builder.name = next(iter(projects))
    elif len(projects) > 1:
        builder.field(PROJECTS)
        for row in rows:
            if row.projects:
                row.item.custom[PROJECTS] = ", ".join(row.projects)
    return builder.build()


def _is_section_row(
    columns: _Columns, cells: Sequence[str], task_name: str, section_values: set[str]
) -> bool:
    """An older export's section row: a name ending with a colon and nothing else."""
    if not task_name.endswith(":"):
        return False
    if fold(task_name[:-1]) in section_values:
        return True
    return not any(
        columns.value(cells, field_name)
        for field_name in ("section", "assignee", "start", "due", "parent", "notes", "completed")
    )


def _row(
    builder: DocumentBuilder, columns: _Columns, line: int, cells: list[str], day_first: bool
) -> _Row:
    value = columns.value
    task_name = value(cells, "name") or f"Task {value(cells, 'id')}"
    where = f"Line {line} ({task_name})"

    def moment(field_name: str) -> tuple[datetime, bool] | None:
        text = value(cells, field_name)
        try:
            return parse_moment(text, day_first=day_first)
        except ValueError:
            position = columns.position(field_name)
            header = columns.headers[position] if position is not None else field_name
            builder.warn(f"{where}: {header} {text!r} is not a date; it was ignored.")
            return None

    task_id = value(cells, "id")
    item = Item(
        ref=f"line {line} ({task_name})",
        name=task_name,
        notes=value(cells, "notes"),
        hyperlink_address=(
            f"https://app.asana.com/0/0/{task_id}" if _DIGITS.fullmatch(task_id) else ""
        ),
    )
    created, modified = moment("created"), moment("modified")
    item.created = None if created is None else created[0]
    item.updated = None if modified is None else modified[0]
    completed = moment("completed")
    if completed is not None:
        item.percent = 100.0
        item.actual_finish = at_day_finish(completed)
    start, due = moment("start"), moment("due")
    item.start = None if start is None else at_day_start(start)
    item.deadline = None if due is None else at_day_finish(due)
    if start is not None and due is not None:
        days = working_days(start[0].date(), due[0].date())
        if days > 0:
            item.duration_minutes = days * builder.minutes_per_day
        else:
            builder.warn(f"{where}: the due date is before the start date; the task lasts 1 day.")
    assignee, email = value(cells, "assignee"), value(cells, "email")
    if assignee or email:
        item.people.append(Person(assignee or email, email=email))
    tags = ", ".join(dict.fromkeys(tag.strip() for tag in value(cells, "tags").split(",")))
    if tags.strip(", "):
        item.custom[TAGS] = tags.strip(", ")
    priority_name = value(cells, "priority")
    if priority_name:
        priority = priority_from_name(priority_name)
        if priority is None:
            builder.warn_once(
                f"priority:{fold(priority_name)}",
                f"{where}: the priority {priority_name!r} is not one of High, Medium, Low; "
                "tasks with it keep the default priority 500.",
            )
        else:
            item.priority = priority
        item.custom[builder.field("Priority")] = priority_name
    return _Row(
        item=item,
        line=line,
        where=where,
        task_id=task_id,
        section=value(cells, "section"),
        parent=value(cells, "parent"),
        blocked_by=value(cells, "blocked_by"),
        blocking=value(cells, "blocking"),
        projects=[
            project.strip() for project in value(cells, "projects").split(",") if project.strip()
        ],
    )


class _Finder:
    """Finds a task by its ID or its name (the nearest row above with that name first)."""

    def __init__(self, rows: list[_Row]) -> None:
        self._by_id = {row.task_id: row for row in rows if row.task_id}
        self._by_name: dict[str, list[_Row]] = {}
        for row in rows:
            self._by_name.setdefault(fold(row.item.name), []).append(row)

    def find(self, reference: str, near: _Row) -> tuple[_Row | None, bool]:
        """The row and whether the name was ambiguous."""
        found = self._by_id.get(reference.strip())
        if found is not None:
            return found, False
        candidates = [row for row in self._by_name.get(fold(reference), []) if row is not near]
        if not candidates:
            return None, False
        above = [row for row in candidates if row.line < near.line]
        return (above[-1] if above else candidates[0]), len(candidates) > 1

    def references(self, text: str, near: _Row) -> list[tuple[str, _Row | None]]:
        """The tasks a dependency cell names: comma-separated IDs, or names."""
        if not text:
            return []
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if all(part in self._by_id or _DIGITS.fullmatch(part) for part in parts):
            return [(part, self._by_id.get(part)) for part in parts]
        whole, _ambiguous = self.find(text, near)
        if whole is not None:
            return [(text, whole)]
        return [(part, self.find(part, near)[0]) for part in parts]


def _place(builder: DocumentBuilder, rows: list[_Row]) -> None:
    finder = _Finder(rows)
    sections: dict[str, Item] = {}
    for row in rows:
        if row.parent:
            parent, ambiguous = finder.find(row.parent, row)
            if parent is not None:
                row.item.parent = parent.item
                if ambiguous:
                    builder.warn(
                        f"{row.where}: several tasks are named {row.parent!r}; the subtask was "
                        "placed under the nearest one above it."
                    )
                continue
            builder.warn(
                f"{row.where}: its parent task {row.parent!r} is not in the file; the task was "
                f"placed {'in its section' if row.section else 'at the top level'}."
            )
        if row.section:
            key = fold(row.section)
            if key not in sections:
                sections[key] = Item(ref=f"section {row.section!r}", name=row.section)
            row.item.parent = sections[key]
    # Each section comes before the first task under it, so sections keep the file's order.
    section_ids = {id(section) for section in sections.values()}
    placed: set[int] = set()
    for row in rows:
        root, seen = row.item, {id(row.item)}
        while root.parent is not None and id(root.parent) not in seen:
            root = root.parent
            seen.add(id(root))
        if id(root) in section_ids and id(root) not in placed:
            placed.add(id(root))
            builder.add(root)
        builder.add(row.item)


def _link(builder: DocumentBuilder, rows: list[_Row]) -> None:
    finder = _Finder(rows)
    for row in rows:
        for reference, found in finder.references(row.blocked_by, row):
            if found is None:
                builder.warn(
                    f"{row.where} is blocked by {reference!r}, which is not in the file; the "
                    "dependency was dropped."
                )
            else:
                builder.link(found.item, row.item)
        for reference, found in finder.references(row.blocking, row):
            if found is None:
                builder.warn(
                    f"{row.where} blocks {reference!r}, which is not in the file; the dependency "
                    "was dropped."
                )
            else:
                builder.link(row.item, found.item)


def _rows(count: int) -> str:
    return "1 blank row was" if count == 1 else f"{count} blank rows were"
