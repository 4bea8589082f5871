"""Import timesheets from a CSV or Excel file: one row per person, task, day and hours.

The rows are grouped by person and week; each week's timesheet is created or updated through
:func:`~pilotage.finance.timesheets.timesheet_get_or_create` and
:func:`~pilotage.finance.timesheets.timesheet_save`, so every rule of timesheets applies (the
person must be assigned to the task, at most 24 hours a day, no locked date, only a draft or
rejected timesheet changes). The file's hours replace those of the same task and day; the
timesheet's other time stays. The preview runs each week as it would be written and undoes it,
so a week breaking a rule makes an error on each of its rows, naming the rule.

Who may import: whoever fills timesheets for others (administrators, the PMO, finance of the
whole organisation), or a person importing their own time only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from pilotage.accounts.permissions import Action, can
from pilotage.core.errors import DomainError, ForbiddenError
from pilotage.exchange.models import ColumnMapping
from pilotage.finance import timesheets
from pilotage.finance.models import Timesheet
from pilotage.finance.sheet_import import (
    RowsPreview,
    SheetRowError,
    UploadStore,
    choose_mapping,
    mapped_rows,
    mapping_list,
    mapping_save,
    read_sheet,
    refuse_unusable,
    row_error,
)
from pilotage.finance.timesheets import TimesheetRow
from pilotage.interop.tabular import (
    ImportTarget,
    TargetField,
    check_mapping,
    register_target,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources.models import Resource

__all__ = [
    "TIMESHEET_ENTRIES_TARGET",
    "TimesheetImportPreview",
    "TimesheetImportRow",
    "may_import",
    "timesheet_import_apply",
    "timesheet_import_preview",
    "timesheet_mapping_list",
    "timesheet_mapping_save",
    "upload_store",
]

TARGET_KEY = "timesheet_entries"

# The English labels of the fields, for the translation catalogue.
FIELD_LABELS = (
    gettext_noop("Person"),
    gettext_noop("Project"),
    gettext_noop("Task"),
    gettext_noop("Date"),
    gettext_noop("Hours"),
    gettext_noop("Note"),
)

TIMESHEET_ENTRIES_TARGET = ImportTarget(
    TARGET_KEY,
    "Timesheet entries",
    (
        TargetField(
            key="person",
            label="Person",
            required=True,
            synonyms=(
                "Resource",
                "Resource name",
                "Employee",
                "Email",
                "Name",
                "Personne",
                "Ressource",
                "Collaborateur",
                "Salarié",
                "Nom",
            ),
        ),
        TargetField(
            key="project",
            label="Project",
            required=True,
            synonyms=("Project code", "Project number", "Projet", "Code projet"),
        ),
        TargetField(
            key="task",
            label="Task",
            required=True,
            synonyms=("Task name", "WBS", "Activity", "Tâche", "Activité", "Lot"),
        ),
        TargetField(
            key="date",
            label="Date",
            kind="date",
            required=True,
            synonyms=("Day", "Work date", "Jour", "Date de travail"),
        ),
        TargetField(
            key="hours",
            label="Hours",
            required=True,
            synonyms=("Time", "Duration", "Heures", "Temps", "Durée", "Nombre d'heures"),
        ),
        TargetField(
            key="note",
            label="Note",
            synonyms=("Comment", "Description", "Commentaire", "Remarque", "Libellé"),
        ),
    ),
)
register_target(TIMESHEET_ENTRIES_TARGET)

upload_store = UploadStore("timesheets")


def _fills_for_others(user: Any) -> bool:
    # The same rule as timesheets.may_fill for someone else's time.
    return can(user, Action.MANAGE_FINANCE) or can(user, Action.CHANGE)


def may_import(user: Any) -> bool:
    """Whether ``user`` may import timesheets: for anyone, or at least their own."""
    return _fills_for_others(user) or timesheets.resource_of_user(user) is not None


def _require_importer(actor: Any) -> None:
    if not may_import(actor):
        raise ForbiddenError(gettext("You do not have permission to do this."))


# Preview --------------------------------------------------------------------------------------


@dataclass
class TimesheetImportRow:
    """One row of the file as it would be written."""

    number: int
    resource: Resource | None = None
    project: Project | None = None
    task: Task | None = None
    date: dt.date | None = None
    minutes: int | None = None
    note: str = ""
    errors: list[SheetRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def hours(self) -> str:
        return timesheets.format_hours(self.minutes) or "0"


@dataclass
class TimesheetImportWeek:
    """The rows of one person's week, and the rule it breaks if any."""

    resource: Resource
    week_start: dt.date
    rows: list[TimesheetImportRow]
    error: str = ""


@dataclass(kw_only=True)
class TimesheetImportPreview(RowsPreview[TimesheetImportRow]):
    """What a file would import: the mapping, the rows and their errors, the weeks."""

    weeks: list[TimesheetImportWeek] = field(default_factory=list)

    @property
    def valid_weeks(self) -> list[TimesheetImportWeek]:
        return [week for week in self.weeks if not week.error]

    @property
    def total_minutes(self) -> int:
        return sum(row.minutes or 0 for row in self.valid_rows)

    @property
    def can_apply(self) -> bool:
        return not self.mapping_problems and bool(self.valid_weeks)


class _Lookups:
    """People, projects and tasks by the names a file gives them."""

    def __init__(self, records: Sequence[dict[str, Any]]) -> None:
        self.people: dict[str, Resource] = {}
        for resource in Resource.objects.order_by("-is_active", "pk"):
            for key in (resource.name, resource.email, resource.code):
                if key:
                    self.people.setdefault(key.strip().casefold(), resource)
        codes = {str(values.get("project", "")).strip().casefold() for values in records}
        self.projects = {
            project.code.casefold(): project
            for project in Project.objects.all()
            if project.code.casefold() in codes
        }
        self.tasks: dict[tuple[int, str], Task] = {}
        for task in Task.objects.filter(
            project_id__in=[project.pk for project in self.projects.values()]
        ).order_by("position"):
            for key in (task.name, task.wbs, task.outline_number, str(task.position)):
                if key:
                    self.tasks.setdefault((task.project_id, key.strip().casefold()), task)


def _resolve(
    actor: Any,
    row: TimesheetImportRow,
    values: dict[str, Any],
    lookups: _Lookups,
    header_of: dict[str, str],
    fills_for_others: bool,
) -> None:
    def error(key: str, message: str) -> None:
        row.errors.append(row_error(row.number, header_of.get(key, ""), message))

    row.date = values.get("date")
    row.note = str(values.get("note", "")).strip()[:255]
    hours = values.get("hours")
    if hours is not None:
        try:
            row.minutes = timesheets.parse_hours(hours)
        except ValidationError as problem:
            error("hours", problem.messages[0])
    person = str(values.get("person", "")).strip()
    if person:
        row.resource = lookups.people.get(person.casefold())
        if row.resource is None:
            error("person", gettext("Unknown person '%(name)s'") % {"name": person})
        elif not fills_for_others and not timesheets.may_fill(actor, row.resource):
            error("person", gettext("You may only fill in your own timesheets."))
    code = str(values.get("project", "")).strip()
    if code:
        row.project = lookups.projects.get(code.casefold())
        if row.project is None:
            error("project", gettext("Unknown project '%(code)s'") % {"code": code})
    name = str(values.get("task", "")).strip()
    if name and row.project is not None:
        row.task = lookups.tasks.get((row.project.pk, name.casefold()))
        if row.task is None:
            error(
                "task",
                gettext("Unknown task '%(task)s' in project %(project)s")
                % {"task": name, "project": row.project.code},
            )


class _UndoError(Exception):
    """Undoes a week written by the preview."""


def _write_week(actor: Any, week: TimesheetImportWeek, *, submit: bool) -> Timesheet:
    timesheet = timesheets.timesheet_get_or_create(
        actor=actor, resource=week.resource, week_start=week.week_start
    )
    tasks: dict[int, Task] = {}
    days: dict[int, dict[dt.date, int]] = {}
    notes: dict[int, str] = {}
    for entry in timesheet.entries.select_related("task"):
        tasks[entry.task_id] = entry.task
        days.setdefault(entry.task_id, {})[entry.date] = entry.minutes
        notes.setdefault(entry.task_id, entry.note)
    replaced: set[tuple[int, dt.date]] = set()
    for row in week.rows:
        assert row.task is not None and row.date is not None  # noqa: PT018
        task_days = days.setdefault(row.task.pk, {})
        tasks[row.task.pk] = row.task
        key = (row.task.pk, row.date)
        if key not in replaced:
            task_days[row.date] = 0
            replaced.add(key)
        task_days[row.date] += row.minutes or 0
        if row.note:
            notes[row.task.pk] = row.note
    timesheet = timesheets.timesheet_save(
        actor=actor,
        timesheet=timesheet,
        rows=[
            TimesheetRow(task=tasks[pk], days=task_days, note=notes.get(pk, ""))
            for pk, task_days in days.items()
        ],
    )
    if submit:
        timesheet = timesheets.timesheet_submit(actor=actor, timesheet=timesheet)
    return timesheet


def _problem_text(problem: Exception) -> str:
    if isinstance(problem, ValidationError):
        return " ".join(str(message) for message in problem.messages)
    return str(problem) or gettext("You do not have permission to do this.")


def timesheet_import_preview(
    *,
    actor: Any,
    name: str,
    content: bytes,
    mapping: dict[Any, str] | None = None,
) -> TimesheetImportPreview:
    """Read a file of time and check every row and every week without writing anything.

    Raises ``ValidationError`` if the file cannot be read as a table.
    """
    _require_importer(actor)
    table = read_sheet(name=name, content=content)
    columns, source, saved = choose_mapping(TIMESHEET_ENTRIES_TARGET, table.headers, mapping)
    problems = check_mapping(columns, table.headers, TIMESHEET_ENTRIES_TARGET)
    preview = TimesheetImportPreview(
        name=table.name,
        headers=table.headers,
        mapping=columns,
        mapping_source=source,
        mapping_problems=problems,
        rows=[],
        weeks=[],
        saved_mapping=saved,
    )
    if problems:
        return preview
    result, header_of, rows = mapped_rows(
        table, columns, TIMESHEET_ENTRIES_TARGET, TimesheetImportRow
    )
    lookups = _Lookups([record.values for record in result.records])
    fills = _fills_for_others(actor)
    for record in result.records:
        _resolve(actor, rows[record.number], record.values, lookups, header_of, fills)
    preview.rows = [rows[number] for number in sorted(rows)]
    weeks: dict[tuple[int, dt.date], TimesheetImportWeek] = {}
    for row in preview.valid_rows:
        assert row.resource is not None and row.date is not None  # noqa: PT018
        start = timesheets.week_start_of(row.date)
        weeks.setdefault(
            (row.resource.pk, start), TimesheetImportWeek(row.resource, start, [])
        ).rows.append(row)
    preview.weeks = sorted(weeks.values(), key=lambda week: (week.resource.name, week.week_start))
    for week in preview.weeks:
        try:
            with transaction.atomic():
                _write_week(actor, week, submit=False)
                raise _UndoError
        except _UndoError:
            continue
        except (ValidationError, DomainError) as problem:
            week.error = _problem_text(problem)
            for row in week.rows:
                row.errors.append(
                    row_error(
                        row.number,
                        "",
                        gettext("the week of %(week)s of %(person)s is refused: %(problem)s")
                        % {
                            "week": week.week_start.isoformat(),
                            "person": week.resource.name,
                            "problem": week.error,
                        },
                    )
                )
    return preview


# Apply ----------------------------------------------------------------------------------------


@transaction.atomic
def timesheet_import_apply(
    *,
    actor: Any,
    preview: TimesheetImportPreview,
    submit: bool = False,
    skip_errors: bool = False,
) -> list[Timesheet]:
    """Write the weeks of a preview (and submit them if ``submit``); returns the timesheets.

    All or nothing: any row error refuses the whole file unless ``skip_errors``, which leaves
    out the rows with errors (and the weeks refused by a rule).
    """
    _require_importer(actor)
    refuse_unusable(
        mapping_problems=preview.mapping_problems, errors=preview.errors, skip_errors=skip_errors
    )
    weeks = preview.valid_weeks
    if not weeks:
        raise ValidationError(gettext("The file has no time to import."), code="empty")
    return [_write_week(actor, week, submit=submit) for week in weeks]


# Saved mappings -------------------------------------------------------------------------------


def timesheet_mapping_list() -> Any:
    return mapping_list(TARGET_KEY)


def timesheet_mapping_save(
    *, actor: Any, name: str, headers: Sequence[str], mapping: dict[int, str]
) -> ColumnMapping:
    """Save a mapping for the next file of the same layout."""
    _require_importer(actor)
    return mapping_save(actor=actor, target=TARGET_KEY, name=name, headers=headers, mapping=mapping)
