"""A project's plan as a file document, both ways: load a read file into a project, and describe
a stored plan as a document an exporter writes.

Loading writes in bulk (one query per table, not per row) inside the caller's transaction, and
records one history entry for the import rather than one per row. In "update" mode tasks are
matched by the UID they had in the file, so their history, baselines and links from other
projects survive; tasks the file no longer has are deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require
from pilotage.core import audit
from pilotage.core.bulk import insert_rows, insert_values, update_rows
from pilotage.core.services import acting_user
from pilotage.engine.calendars import (
    Daily,
    MonthlyByDay,
    MonthlyByWeekday,
    Weekly,
    YearlyByDate,
    YearlyByWeekday,
)
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask
from pilotage.interop.document import (
    BaselineValues,
    CustomField,
    CustomValue,
    ProjectDocument,
    TaskDetails,
)
from pilotage.planning import adapters
from pilotage.planning.models import (
    Baseline,
    BaselineTask,
    CalendarException,
    Dependency,
    DurationUnit,
    ProjectPlan,
    Recurrence,
    Task,
    WorkCalendar,
)
from pilotage.planning.services import plan_for, recalculate
from pilotage.portfolio.models import Project

__all__ = [
    "PlanChanges",
    "custom_value_from_json",
    "custom_value_to_json",
    "decode_baselines",
    "decode_custom_values",
    "encode_baselines",
    "encode_custom_values",
    "plan_changes",
    "plan_document",
    "plan_load_document",
]

_NAME_LENGTH = 255


# Custom field values ----------------------------------------------------------------------------


def custom_value_to_json(value: Any) -> Any:
    """A custom field value as stored in a JSON field: dates as ISO text, numbers as text."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def custom_value_from_json(value: Any, kind: str) -> Any:
    """A stored custom field value back in the document's type for its field's kind."""
    if kind in ("number", "cost"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return str(value)
    if kind in ("date", "start", "finish"):
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if kind == "duration":
        return int(value) if isinstance(value, int | float | str) and str(value).isdigit() else 0
    if kind == "flag":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "flag"
    if isinstance(value, int):
        return "duration"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, dt.datetime):
        return "date"
    return "text"


def encode_custom_values(values: Iterable[CustomValue]) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for item in values:
        stored[item.key] = custom_value_to_json(item.value)
        if item.duration_format:
            stored[f"{item.key}#format"] = item.duration_format
    return stored


def decode_custom_values(
    stored: Mapping[str, Any], kinds: Mapping[str, str]
) -> tuple[CustomValue, ...]:
    values = []
    for key, raw in stored.items():
        if key.endswith("#format"):
            continue
        unit = stored.get(f"{key}#format")
        values.append(
            CustomValue(key, custom_value_from_json(raw, kinds.get(key, "text")), unit or None)
        )
    return tuple(values)


def encode_baselines(baselines: Iterable[BaselineValues]) -> list[dict[str, Any]]:
    return [
        {
            "number": item.number,
            "start": item.start.isoformat() if item.start else None,
            "finish": item.finish.isoformat() if item.finish else None,
            "duration_minutes": item.duration_minutes,
            "duration_format": item.duration_format,
            "work_minutes": item.work_minutes,
            "cost": str(item.cost) if item.cost is not None else None,
        }
        for item in baselines
    ]


def decode_baselines(stored: Iterable[Mapping[str, Any]]) -> tuple[BaselineValues, ...]:
    return tuple(
        BaselineValues(
            number=int(item["number"]),
            start=_moment(item.get("start")),
            finish=_moment(item.get("finish")),
            duration_minutes=item.get("duration_minutes"),
            duration_format=item.get("duration_format"),
            work_minutes=item.get("work_minutes"),
            cost=Decimal(item["cost"]) if item.get("cost") is not None else None,
        )
        for item in stored
    )


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def custom_field_kinds(plan: ProjectPlan, owner: str) -> dict[str, str]:
    """Each custom field key of this owner ("task", "resource", "assignment") and its kind."""
    return {
        str(item.get("key")): str(item.get("kind", "text"))
        for item in plan.custom_fields or []
        if item.get("owner", "task") == owner
    }


def custom_field_definitions(document: ProjectDocument) -> list[dict[str, Any]]:
    """The document's custom field definitions as stored on the plan, with a definition made
    up for every value whose field the file does not define."""
    definitions: dict[tuple[str, str], dict[str, Any]] = {}
    for item in document.custom_fields:
        definitions[(item.owner, item.key)] = {
            "key": item.key,
            "owner": item.owner,
            "kind": item.kind,
            "alias": item.alias,
            "field_id": item.field_id,
        }
    owners: list[tuple[str, Iterable[CustomValue]]] = [
        ("task", (value for d in document.task_details.values() for value in d.custom_values)),
        ("resource", (value for r in document.resources for value in r.custom_values)),
        ("assignment", (value for a in document.assignments for value in a.custom_values)),
    ]
    for owner, values in owners:
        for value in values:
            definitions.setdefault(
                (owner, value.key),
                {
                    "key": value.key,
                    "owner": owner,
                    "kind": _kind_of(value.value),
                    "alias": "",
                    "field_id": None,
                },
            )
    return list(definitions.values())


# Calendars --------------------------------------------------------------------------------------


def _calendar_rows(
    plan_calendar: PlanCalendar, project: Project
) -> tuple[WorkCalendar, list[CalendarException]]:
    calendar = plan_calendar.calendar
    week: list[list[list[int]]] = []
    if calendar.week is not None:
        week = [
            [[period.start_minute, period.end_minute] for period in day]
            for day in calendar.week.days
        ]
    row = WorkCalendar(
        name=calendar.name[:100] or gettext("Calendar %(uid)s") % {"uid": plan_calendar.uid},
        project=project,
        week=week,
        holiday_country=calendar.holiday_country or "",
        holiday_subdivision=calendar.holiday_subdivision or "",
        minutes_per_day=calendar.minutes_per_day,
    )
    exceptions: list[CalendarException] = []
    for exception in calendar.exceptions:
        exceptions.append(
            CalendarException(
                name=exception.name[:100],
                start=exception.start,
                finish=exception.finish,
                working_times=adapters.format_periods(
                    [(p.start_minute, p.end_minute) for p in exception.periods]
                ),
            )
        )
    for recurring in calendar.recurring:
        rule = recurring.rule
        values: dict[str, Any] = {}
        if isinstance(rule, Daily):
            values = {"recurrence": Recurrence.DAILY, "every": rule.every}
        elif isinstance(rule, Weekly):
            values = {
                "recurrence": Recurrence.WEEKLY,
                "every": rule.every,
                "weekdays": list(rule.weekdays),
            }
        elif isinstance(rule, MonthlyByDay):
            values = {"recurrence": Recurrence.MONTHLY_BY_DAY, "every": rule.every, "day": rule.day}
        elif isinstance(rule, MonthlyByWeekday):
            values = {
                "recurrence": Recurrence.MONTHLY_BY_WEEKDAY,
                "every": rule.every,
                "weekday": rule.weekday,
                "position": rule.position,
            }
        elif isinstance(rule, YearlyByDate):
            values = {"recurrence": Recurrence.YEARLY_BY_DATE, "month": rule.month, "day": rule.day}
        elif isinstance(rule, YearlyByWeekday):
            values = {
                "recurrence": Recurrence.YEARLY_BY_WEEKDAY,
                "month": rule.month,
                "weekday": rule.weekday,
                "position": rule.position,
            }
        first = recurring.first or dt.date(2000, 1, 1)
        exceptions.append(
            CalendarException(
                name=recurring.name[:100],
                start=first,
                # The model needs a last day: an open-ended rule runs for fifty years.
                finish=recurring.last or first.replace(year=first.year + 50),
                working_times=adapters.format_periods(
                    [(p.start_minute, p.end_minute) for p in recurring.periods]
                ),
                occurrences=recurring.count,
                **values,
            )
        )
    return row, exceptions


def _load_calendars(
    project: Project, calendars: Sequence[PlanCalendar], *, update: bool
) -> dict[int, WorkCalendar]:
    """Create (or, updating, replace by name) the file's calendars as the project's own."""
    existing = (
        {calendar.name: calendar for calendar in WorkCalendar.objects.filter(project=project)}
        if update
        else {}
    )
    by_uid: dict[int, WorkCalendar] = {}
    for plan_calendar in calendars:
        row, exceptions = _calendar_rows(plan_calendar, project)
        base = by_uid.get(plan_calendar.base_uid) if plan_calendar.base_uid is not None else None
        current = existing.get(row.name)
        if current is not None:
            current.week, current.base = row.week, base
            current.holiday_country = row.holiday_country
            current.holiday_subdivision = row.holiday_subdivision
            current.minutes_per_day = row.minutes_per_day
            current.save()
            current.exceptions.all().delete()
            row = current
        else:
            row.base = base
            row.save()
        for exception in exceptions:
            exception.calendar = row
        CalendarException.objects.bulk_create(exceptions)
        by_uid[plan_calendar.uid] = row
    return by_uid


# Loading ----------------------------------------------------------------------------------------


@dataclass
class PlanChanges:
    """What loading a document into an existing plan would do, matched by task UID."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def plan_changes(project: Project, document: ProjectDocument) -> PlanChanges:
    """The tasks an update would add, change and delete (names with their UID)."""
    existing = {
        task.uid: task
        for task in Task.objects.filter(project=project).only(
            "uid", "name", "duration_minutes", "percent_complete", "position"
        )
    }
    changes = PlanChanges()
    seen: set[int] = set()
    for plan_task in document.plan.tasks:
        seen.add(plan_task.uid)
        task = existing.get(plan_task.uid)
        label = f"{plan_task.uid} {plan_task.name}"
        if task is None:
            changes.added.append(label)
        elif (
            task.name != plan_task.name[:_NAME_LENGTH]
            or task.duration_minutes != plan_task.duration_minutes
            or abs(task.percent_complete - plan_task.percent_complete) > 1e-9
        ):
            changes.updated.append(label)
        else:
            changes.unchanged += 1
    for uid, task in existing.items():
        if uid is None or uid not in seen:
            changes.removed.append(f"{uid if uid is not None else '-'} {task.name}")
    return changes


def _task_values(
    plan_task: PlanTask,
    details: TaskDetails,
    calendars: Mapping[int, WorkCalendar],
    position: int,
) -> dict[str, Any]:
    unit = plan_task.duration_format or ("ed" if plan_task.elapsed else "d")
    file_details: dict[str, Any] = {}
    if plan_task.duration_format is None:
        file_details["duration_format"] = None
    if plan_task.id is not None and plan_task.id != position:
        file_details["id"] = plan_task.id
    if plan_task.wbs and plan_task.wbs == plan_task.outline_number:
        file_details["wbs_is_outline"] = True
    for name in (
        "guid",
        "hyperlink",
        "hyperlink_address",
        "task_type",
        "external_project",
    ):
        value = getattr(details, name)
        if value:
            file_details[name] = value
    for name in ("effort_driven",):
        value = getattr(details, name)
        if value is not None:
            file_details[name] = value
    if details.external:
        file_details["external"] = True
    for name in ("remaining_work_minutes", "manual_duration_minutes"):
        value = getattr(details, name)
        if value is not None:
            file_details[name] = value
    for name in ("manual_start", "manual_finish"):
        value = getattr(details, name)
        if value is not None:
            file_details[name] = value.isoformat()
    if details.actual_cost is not None:
        file_details["actual_cost"] = str(details.actual_cost)
    for name in ("actual_duration_minutes", "remaining_duration_minutes"):
        value = getattr(plan_task, name)
        if value:
            file_details[name] = value
    if plan_task.remaining_duration_minutes is not None:
        # The remaining duration holds while progress and duration stay as in the file.
        file_details["remaining_duration_minutes"] = plan_task.remaining_duration_minutes
        file_details["percent_complete"] = plan_task.percent_complete
        file_details["duration_minutes"] = max(plan_task.duration_minutes, 0)
    if plan_task.finish is not None:
        file_details["file_finish"] = plan_task.finish.isoformat()
    if plan_task.start is not None:
        file_details["file_start"] = plan_task.start.isoformat()
    if len(plan_task.name) > _NAME_LENGTH:
        file_details["name"] = plan_task.name
    return {
        "position": position,
        "outline_level": max(plan_task.outline_level, 1),
        "outline_number": plan_task.outline_number[:64],
        "wbs": "" if plan_task.wbs == plan_task.outline_number else plan_task.wbs[:64],
        "name": plan_task.name[:_NAME_LENGTH] or gettext("(no name)"),
        "notes": plan_task.notes,
        "is_summary": plan_task.summary,
        "is_milestone": plan_task.milestone,
        "duration_minutes": max(plan_task.duration_minutes, 0),
        "duration_unit": unit,
        "is_estimated": plan_task.estimated,
        "leveling_delay_minutes": 0 if plan_task.summary else plan_task.leveling_delay_minutes,
        "leveling_delay_unit": plan_task.leveling_delay_format or DurationUnit.ELAPSED_DAYS,
        "work_minutes": details.work_minutes,
        "actual_work_minutes": details.actual_work_minutes,
        "constraint_type": plan_task.constraint_type,
        "constraint_date": plan_task.constraint_date,
        "deadline": plan_task.deadline,
        "calendar": calendars.get(plan_task.calendar_uid)
        if plan_task.calendar_uid is not None
        else None,
        "percent_complete": plan_task.percent_complete,
        "actual_start": plan_task.actual_start,
        "actual_finish": plan_task.actual_finish,
        "priority": plan_task.priority,
        "is_manual": plan_task.manual,
        "is_active": plan_task.active,
        "cost": details.cost,
        "fixed_cost": details.fixed_cost,
        "uid": plan_task.uid,
        "custom_fields": encode_custom_values(details.custom_values),
        "file_details": file_details,
        # The file's dates: kept for manually scheduled tasks, recomputed for the others.
        "start": plan_task.start,
        "finish": plan_task.finish,
    }


_LOADED_FIELDS = (
    "position",
    "outline_level",
    "outline_number",
    "wbs",
    "name",
    "notes",
    "is_summary",
    "is_milestone",
    "duration_minutes",
    "duration_unit",
    "is_estimated",
    "leveling_delay_minutes",
    "leveling_delay_unit",
    "work_minutes",
    "actual_work_minutes",
    "constraint_type",
    "constraint_date",
    "deadline",
    "calendar",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "priority",
    "is_manual",
    "is_active",
    "cost",
    "fixed_cost",
    "uid",
    "custom_fields",
    "file_details",
    "start",
    "finish",
    "parent",
)


def plan_load_document(
    *,
    actor: User,
    project: Project,
    document: ProjectDocument,
    update: bool = False,
    file_name: str = "",
) -> dict[int, Task]:
    """Write a document's plan into a project: settings, calendars, tasks, links, baselines.

    Returns the project's tasks by their file UID (for assignments). With ``update`` the tasks
    are matched by UID (others added, missing ones deleted); without it the project's plan must
    be empty. Raises a ValidationError naming the problem; the caller's transaction then saves
    nothing. The project is scheduled again at the end.
    """
    require(actor, Action.CHANGE, project)
    existing: list[Task] = []
    if update:
        existing = list(Task.objects.filter(project=project))
    elif Task.objects.filter(project=project).exists():
        raise ValidationError(
            gettext("Project %(code)s already has a plan: import the file as an update.")
            % {"code": project.code},
            code="plan_not_empty",
        )
    source = document.plan
    plan = plan_for(project)
    calendars = _load_calendars(project, source.calendars, update=update)
    plan.start = source.start or plan.start
    plan.status_date = source.status_date
    if source.calendar_uid is not None and source.calendar_uid in calendars:
        plan.calendar = calendars[source.calendar_uid]
    plan.properties = dict(document.properties)
    plan.custom_fields = custom_field_definitions(document)
    plan.file_settings = {
        "format": document.format,
        "file": file_name,
        "name": source.name,
        "finish": source.finish.isoformat() if source.finish else None,
        "schedule_from_start": source.schedule_from_start,
        "current_date": source.current_date.isoformat() if source.current_date else None,
        "minutes_per_day": source.minutes_per_day,
        "minutes_per_week": source.minutes_per_week,
        "days_per_month": source.days_per_month,
        "default_start_minute": source.default_start_minute,
        "default_finish_minute": source.default_finish_minute,
        "honor_constraints": source.honor_constraints,
        "currency_code": source.currency_code,
        "currency_symbol": source.currency_symbol,
        "save_version": document.save_version,
        "calendar_uids": {str(uid): row.pk for uid, row in calendars.items()},
        "project_summary": _summary_details(source.project_summary, document),
    }
    plan.save()
    tasks_by_uid = _load_tasks(project, document, calendars, existing)
    _load_links(project, document, tasks_by_uid, update=update)
    _load_baselines(actor, project, document, tasks_by_uid, update=update)
    audit.record_fields_changed(
        actor=actor,
        instance=plan,
        fields={
            "import": (
                "",
                gettext("%(tasks)s tasks imported from %(file)s")
                % {"tasks": len(tasks_by_uid), "file": file_name or document.format},
            )
        },
    )
    # The rows just written are the plan: the schedule starts from them, not from a new read.
    recalculate(project, tasks=list(tasks_by_uid.values()))
    return tasks_by_uid


def _summary_details(summary: PlanTask | None, document: ProjectDocument) -> dict[str, Any] | None:
    if summary is None:
        return None
    details = document.details(summary.uid)
    return {
        "uid": summary.uid,
        "name": summary.name,
        "start": summary.start.isoformat() if summary.start else None,
        "finish": summary.finish.isoformat() if summary.finish else None,
        "guid": details.guid,
        "baselines": encode_baselines(details.baselines),
        "custom_fields": encode_custom_values(details.custom_values),
        "cost": str(details.cost) if details.cost is not None else None,
        "work_minutes": details.work_minutes,
    }


def _load_tasks(
    project: Project,
    document: ProjectDocument,
    calendars: Mapping[int, WorkCalendar],
    existing: Sequence[Task],
) -> dict[int, Task]:
    """Write the document's tasks: the existing ones with the same UID are updated, the
    others deleted, new ones inserted. Returns every task of the plan by its file UID."""
    by_uid = {task.uid: task for task in existing if task.uid is not None}
    tasks_by_uid: dict[int, Task] = {}
    new: list[Task] = []
    kept: list[Task] = []
    build = _task_builder(project)
    for position, plan_task in enumerate(document.plan.tasks, start=1):
        values = _task_values(plan_task, document.details(plan_task.uid), calendars, position)
        task = by_uid.pop(plan_task.uid, None)
        if task is None:
            task = build(values)
            new.append(task)
        else:
            for name, value in values.items():
                setattr(task, name, value)
            kept.append(task)
        tasks_by_uid[plan_task.uid] = task
    stale = [task.pk for task in (*by_uid.values(), *(t for t in existing if t.uid is None))]
    if stale:
        Dependency.objects.filter(successor_id__in=stale).delete()
        Dependency.objects.filter(predecessor_id__in=stale).delete()
        Task.objects.filter(pk__in=stale).update(parent=None)
        Task.objects.filter(pk__in=stale).delete()
    if kept:
        Task.objects.filter(pk__in=[task.pk for task in kept]).update(parent=None)
    inserted: list[tuple[Task, Task | None]] = []
    updated: list[tuple[Task, Task | None]] = []
    for plan_task in document.plan.tasks:
        task = tasks_by_uid[plan_task.uid]
        parent = tasks_by_uid[plan_task.parent_uid] if plan_task.parent_uid else None
        (updated if task.pk is not None else inserted).append((task, parent))
    _insert_outline(project, inserted)
    for task, parent in updated:
        task.parent = parent
    update_rows(Task, kept, _LOADED_FIELDS)
    return tasks_by_uid


def _task_builder(project: Project) -> Callable[[Mapping[str, Any]], Task]:
    """A function making a new task of the project from its values by field name (with
    ``calendar`` a calendar row), the way Django makes the rows it reads: every field's value
    passed in the order of the model's fields, which takes half the time of keyword arguments
    for a whole plan. A field the values leave out takes its default."""
    fields = Task._meta.concrete_fields
    names = [field.attname for field in fields]
    # Defaults made by a callable (a JSON field's dict) are made again for each task.
    fresh = [field for field in fields if field.has_default() and callable(field.default)]
    constant = {field.attname: field.get_default() for field in fields if field not in fresh}
    constant["project_id"] = project.pk

    def build(values: Mapping[str, Any]) -> Task:
        calendar = values.get("calendar")
        known = {
            **constant,
            **{
                field.attname: field.get_default() for field in fresh if field.attname not in values
            },
            **values,
            "calendar_id": calendar.pk if calendar is not None else None,
        }
        task = Task(*[known[name] for name in names])
        task.project = project
        if calendar is not None:
            task.calendar = calendar
        return task

    return build


def _insert_outline(project: Project, rows: Sequence[tuple[Task, Task | None]]) -> None:
    """Insert new tasks (with their parents) a level of the outline at a time, each level
    once its parents have their keys, so that every row is written with its parent: no second
    pass of updates."""
    waiting = list(rows)
    while waiting:
        ready = [task for task, parent in waiting if parent is None or parent.pk is not None]
        if not ready:
            raise ValidationError(
                gettext("The outline of the tasks loops: a task is inside itself."),
                code="outline_loop",
            )
        for task, parent in waiting:
            if parent is None or parent.pk is not None:
                task.parent = parent
        insert_rows(Task, ready)
        # UIDs are unique in a project: all of them at once, rather than a list of thousands.
        keys: dict[int | None, int] = dict(
            Task.objects.filter(project=project, uid__isnull=False)
            .order_by()
            .values_list("uid", "pk")
        )
        for task in ready:
            task.pk = keys[task.uid]
            task._state.adding = False
            task._state.db = Task.objects.db
        waiting = [(task, parent) for task, parent in waiting if task.pk is None]


_LINK_FIELDS = ("predecessor_id", "successor_id", "type", "lag_minutes", "lag_unit", "lag_percent")


def _load_links(
    project: Project,
    document: ProjectDocument,
    tasks_by_uid: Mapping[int, Task],
    *,
    update: bool,
) -> None:
    key_of = {uid: task.pk for uid, task in tasks_by_uid.items()}
    if update:
        # The file is the truth for links inside the project; links with other projects stay.
        own = list(key_of.values())
        Dependency.objects.filter(successor_id__in=own, predecessor_id__in=own).delete()
    links: list[tuple[Any, ...]] = []
    external: dict[int, list[dict[str, Any]]] = {}
    seen: set[tuple[int, int]] = set()
    for link in document.plan.links:
        successor = key_of.get(link.successor_uid)
        predecessor = key_of.get(link.predecessor_uid)
        if successor is None:
            continue
        if link.cross_project or predecessor is None:
            external.setdefault(link.successor_uid, []).append(_link_json(link))
            continue
        pair = (predecessor, successor)
        if pair in seen or predecessor == successor:
            continue
        seen.add(pair)
        unit = link.lag_format or ("ed" if link.elapsed_lag else "d")
        links.append((*pair, link.type, link.lag_minutes, unit, link.lag_percent))
    insert_values(Dependency, _LINK_FIELDS, links)
    changed = []
    for uid, items in external.items():
        task = tasks_by_uid[uid]
        task.file_details = {**task.file_details, "external_links": items}
        changed.append(task)
    update_rows(Task, changed, ["file_details"])


def _link_json(link: PlanLink) -> dict[str, Any]:
    return {
        "predecessor_uid": link.predecessor_uid,
        "type": link.type,
        "lag_minutes": link.lag_minutes,
        "lag_format": link.lag_format,
        "lag_percent": link.lag_percent,
        "elapsed_lag": link.elapsed_lag,
        "cross_project": link.cross_project,
        "cross_project_name": link.cross_project_name,
    }


def _link_from_json(successor_uid: int, item: Mapping[str, Any]) -> PlanLink:
    return PlanLink(
        predecessor_uid=int(item["predecessor_uid"]),
        successor_uid=successor_uid,
        type=item.get("type", "FS"),
        lag_minutes=int(item.get("lag_minutes") or 0),
        lag_format=item.get("lag_format"),
        lag_percent=item.get("lag_percent"),
        elapsed_lag=bool(item.get("elapsed_lag")),
        cross_project=bool(item.get("cross_project")),
        cross_project_name=str(item.get("cross_project_name") or ""),
    )


def _baseline_name(number: int) -> str:
    if number == 0:
        return gettext("Baseline")
    return gettext("Baseline %(number)s") % {"number": number}


def _load_baselines(
    actor: User,
    project: Project,
    document: ProjectDocument,
    tasks_by_uid: Mapping[int, Task],
    *,
    update: bool,
) -> None:
    numbers: dict[int, list[tuple[Task, BaselineValues]]] = {}
    for uid, task in tasks_by_uid.items():
        for values in document.details(uid).baselines:
            numbers.setdefault(values.number, []).append((task, values))
    if not numbers:
        return
    if update:
        Baseline.objects.filter(project=project, number__in=list(numbers)).delete()
    has_primary = Baseline.objects.filter(project=project, is_primary=True).exists()
    for number in sorted(numbers):
        name = _baseline_name(number)
        while Baseline.objects.filter(project=project, name=name).exists():
            name = f"{name} ({document.format})"
        rows = numbers[number]
        starts = [values.start for _task, values in rows if values.start]
        finishes = [values.finish for _task, values in rows if values.finish]
        baseline = Baseline.objects.create(
            project=project,
            name=name[:100],
            number=number,
            is_primary=not has_primary,
            captured_by=acting_user(actor),
            start=min(starts, default=None),
            finish=max(finishes, default=None),
        )
        has_primary = True
        insert_values(
            BaselineTask,
            _BASELINE_FIELDS,
            [
                (
                    baseline.pk,
                    task.pk,
                    task.position,
                    task.name,
                    task.is_summary,
                    task.is_milestone,
                    values.start,
                    values.finish,
                    values.duration_minutes,
                    values.duration_format or "",
                    values.work_minutes,
                    values.cost,
                )
                for task, values in rows
            ],
        )


_BASELINE_FIELDS = (
    "baseline_id",
    "task_id",
    "position",
    "name",
    "is_summary",
    "is_milestone",
    "start",
    "finish",
    "duration_minutes",
    "duration_unit",
    "work_minutes",
    "cost",
)


# Exporting --------------------------------------------------------------------------------------


def plan_document(project: Project) -> ProjectDocument:
    """The project's plan as a document: what an exporter writes (resources are added by the
    caller). Tasks without a file UID get one above the highest UID in use."""
    plan = plan_for(project)
    # The rows alone: the engine's plan and the tasks' calendar rows are not needed here.
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    settings = plan.file_settings or {}
    # The project's own calendars, and the shared ones its plan, tasks and resources use.
    calendar_rows = list(
        WorkCalendar.objects.filter(
            Q(project=project)
            | Q(pk__in={task.calendar_id for task in tasks if task.calendar_id})
            | Q(pk=plan.calendar_id)
            | Q(resources__assignments__project=project)
        )
        .distinct()
        .order_by("pk")
    )
    # A shared resource may keep the calendar another project's file gave it: the project's
    # own calendar of the same name stands for it.
    own_names = {row.name for row in calendar_rows if row.project_id == project.pk}
    calendar_rows = [
        row for row in calendar_rows if row.project_id == project.pk or row.name not in own_names
    ]
    file_uids = {
        pk: int(uid)
        for uid, pk in (settings.get("calendar_uids") or {}).items()
        if isinstance(pk, int)
    }
    plan_calendars, calendar_uid_of = _export_calendars(calendar_rows, file_uids)
    used = {task.uid for task in tasks if task.uid is not None}
    next_uid = max(used, default=0) + 1
    uid_of: dict[int, int] = {}
    for task in tasks:
        if task.uid is None:
            uid_of[task.pk] = next_uid
            next_uid += 1
        else:
            uid_of[task.pk] = task.uid
    kinds = custom_field_kinds(plan, "task")
    plan_tasks: list[PlanTask] = []
    details: dict[int, TaskDetails] = {}
    baselines = _export_baselines(project)
    by_pk = {task.pk: task for task in tasks}
    for task in tasks:
        extra = task.file_details or {}
        uid = uid_of[task.pk]
        unit = extra.get("duration_format", task.duration_unit) if task.duration_unit else None
        plan_tasks.append(
            PlanTask(
                uid=uid,
                id=extra.get("id", task.position),
                name=extra.get("name", task.name),
                outline_level=task.outline_level,
                wbs=task.outline_number if extra.get("wbs_is_outline") else task.wbs,
                outline_number=task.outline_number,
                parent_uid=uid_of[task.parent_id] if task.parent_id in by_pk else None,
                summary=task.is_summary,
                milestone=task.is_milestone,
                manual=task.is_manual,
                active=task.is_active,
                duration_minutes=task.duration_minutes,
                duration_format=unit,
                estimated=task.is_estimated,
                elapsed=task.is_elapsed,
                constraint_type=task.constraint_type,  # type: ignore[arg-type]
                constraint_date=task.constraint_date,
                deadline=task.deadline,
                calendar_uid=calendar_uid_of.get(task.calendar_id) if task.calendar_id else None,
                priority=task.priority,
                percent_complete=float(task.percent_complete),
                actual_start=task.actual_start,
                actual_finish=task.actual_finish,
                actual_duration_minutes=extra.get("actual_duration_minutes"),
                remaining_duration_minutes=extra.get("remaining_duration_minutes"),
                notes=task.notes,
                start=task.start,
                finish=task.finish,
                early_start=task.early_start,
                early_finish=task.early_finish,
                late_start=task.late_start,
                late_finish=task.late_finish,
                total_slack_minutes=task.total_float_minutes,
                free_slack_minutes=task.free_float_minutes,
                critical=task.is_critical,
                leveling_delay_minutes=task.leveling_delay_minutes,
                leveling_delay_format=task.leveling_delay_unit,  # type: ignore[arg-type]
            )
        )
        details[uid] = TaskDetails(
            work_minutes=task.work_minutes,
            actual_work_minutes=task.actual_work_minutes,
            remaining_work_minutes=extra.get("remaining_work_minutes"),
            cost=task.cost,
            actual_cost=Decimal(extra["actual_cost"]) if "actual_cost" in extra else None,
            fixed_cost=task.fixed_cost,
            task_type=extra.get("task_type"),
            effort_driven=extra.get("effort_driven"),
            manual_start=_moment(extra.get("manual_start")),
            manual_finish=_moment(extra.get("manual_finish")),
            manual_duration_minutes=extra.get("manual_duration_minutes"),
            guid=extra.get("guid", ""),
            hyperlink=extra.get("hyperlink", ""),
            hyperlink_address=extra.get("hyperlink_address", ""),
            baselines=baselines.get(task.pk, ()),
            custom_values=decode_custom_values(task.custom_fields or {}, kinds),
            external=bool(extra.get("external")),
            external_project=extra.get("external_project", ""),
        )
    own = set(by_pk)
    links = [
        PlanLink(
            predecessor_uid=uid_of[predecessor],
            successor_uid=uid_of[successor],
            type=kind,
            lag_minutes=0 if unit in {"%", "e%"} else lag,
            lag_format=unit,
            lag_percent=percent if unit in {"%", "e%"} else None,
            elapsed_lag=unit.startswith("e"),
        )
        for predecessor, successor, kind, lag, unit, percent in adapters.links_into(
            list(by_pk),
            "predecessor_id",
            "successor_id",
            "type",
            "lag_minutes",
            "lag_unit",
            "lag_percent",
        )
        if predecessor in own
    ]
    for task in tasks:
        for item in (task.file_details or {}).get("external_links", ()):
            links.append(_link_from_json(uid_of[task.pk], item))
    summary = _export_summary(settings.get("project_summary"), plan, tasks)
    if summary is not None:
        summary_task, summary_details = summary
        details[summary_task.uid] = summary_details
    project_summary = summary[0] if summary else None
    document_plan = Plan(
        name=settings.get("name") or project.name,
        start=plan.start,
        finish=plan.finish,
        schedule_from_start=settings.get("schedule_from_start", True),
        status_date=plan.status_date,
        current_date=_moment(settings.get("current_date")),
        calendar_uid=calendar_uid_of.get(plan.calendar_id) if plan.calendar_id else None,
        minutes_per_day=settings.get(
            "minutes_per_day", plan.calendar.minutes_per_day if plan.calendar else 480
        ),
        minutes_per_week=settings.get("minutes_per_week", 2400),
        days_per_month=settings.get("days_per_month", 20),
        default_start_minute=settings.get("default_start_minute", 480),
        default_finish_minute=settings.get("default_finish_minute", 1020),
        honor_constraints=settings.get("honor_constraints"),
        currency_code=settings.get("currency_code") or project.currency,
        currency_symbol=settings.get("currency_symbol", ""),
        calendars=tuple(plan_calendars),
        tasks=tuple(plan_tasks),
        links=tuple(links),
        project_summary=project_summary,
    )
    properties = dict(plan.properties or {})
    properties.setdefault("Title", project.name)
    if project.manager_id:
        properties.setdefault("Manager", str(project.manager))
    definitions = tuple(
        CustomField(
            key=str(item["key"]),
            owner=item.get("owner", "task"),
            kind=item.get("kind", "text"),
            alias=item.get("alias", ""),
            field_id=item.get("field_id"),
        )
        for item in plan.custom_fields or []
    )
    return ProjectDocument(
        format=str(settings.get("format", "pilotage")),
        plan=document_plan,
        properties=properties,
        custom_fields=definitions,
        task_details=details,
        save_version=settings.get("save_version"),
    )


def _export_summary(
    stored: Mapping[str, Any] | None, plan: ProjectPlan, tasks: Sequence[Task]
) -> tuple[PlanTask, TaskDetails] | None:
    if stored is None:
        return None
    starts = [task.start for task in tasks if task.start]
    finishes = [task.finish for task in tasks if task.finish]
    summary = PlanTask(
        uid=int(stored.get("uid", 0)),
        id=0,
        name=str(stored.get("name", "")),
        outline_level=0,
        summary=True,
        start=min(starts, default=plan.start),
        finish=max(finishes, default=plan.finish),
    )
    details = TaskDetails(
        guid=str(stored.get("guid") or ""),
        baselines=decode_baselines(stored.get("baselines") or ()),
        custom_values=decode_custom_values(stored.get("custom_fields") or {}, {}),
        cost=Decimal(stored["cost"]) if stored.get("cost") is not None else None,
        work_minutes=stored.get("work_minutes"),
    )
    return summary, details


def _export_baselines(project: Project) -> dict[int, tuple[BaselineValues, ...]]:
    """Each task's baselines by number: numbered ones keep their number, the primary one is
    baseline 0 when no baseline has that number, others take the free numbers up to 10."""
    baselines = list(Baseline.objects.filter(project=project).order_by("captured_at", "pk"))
    used = {baseline.number for baseline in baselines if baseline.number is not None}
    numbers: dict[int, int] = {
        baseline.pk: baseline.number for baseline in baselines if baseline.number is not None
    }
    free = [number for number in range(11) if number not in used]
    for baseline in sorted(baselines, key=lambda item: not item.is_primary):
        if baseline.pk in numbers or not free:
            continue
        numbers[baseline.pk] = free.pop(0)
    result: dict[int, list[BaselineValues]] = {}
    rows = (
        BaselineTask.objects.filter(baseline_id__in=list(numbers), task__isnull=False)
        .order_by()
        .values_list(
            "task_id",
            "baseline_id",
            "start",
            "finish",
            "duration_minutes",
            "duration_unit",
            "work_minutes",
            "cost",
        )
    )
    for task_id, baseline_id, start, finish, duration, unit, work, cost in rows:
        result.setdefault(task_id, []).append(
            BaselineValues(
                number=numbers[baseline_id],
                start=start,
                finish=finish,
                duration_minutes=duration,
                duration_format=unit or None,  # type: ignore[arg-type]
                work_minutes=work,
                cost=cost,
            )
        )
    return {
        pk: tuple(sorted(values, key=lambda item: item.number)) for pk, values in result.items()
    }


def _export_calendars(
    rows: Sequence[WorkCalendar], file_uids: Mapping[int, int]
) -> tuple[list[PlanCalendar], dict[int, int]]:
    """The calendars with their bases in base-first order, under the UID they had in the
    imported file, or numbered after the highest."""
    chain: dict[int, WorkCalendar] = {}

    def add(calendar: WorkCalendar) -> None:
        if calendar.pk in chain:
            return
        if calendar.base_id:
            base = calendar.base
            assert base is not None
            add(base)
        chain[calendar.pk] = calendar

    for row in rows:
        add(row)
    uid_of = {pk: file_uids[pk] for pk in chain if pk in file_uids}
    next_uid = max(uid_of.values(), default=0) + 1
    for pk in chain:
        if pk not in uid_of:
            uid_of[pk], next_uid = next_uid, next_uid + 1
    converted: dict[int, PlanCalendar] = {}
    for pk, calendar in chain.items():
        base_uid = uid_of[calendar.base_id] if calendar.base_id else None
        base = converted[calendar.base_id].calendar if calendar.base_id else None
        converted[pk] = PlanCalendar(
            uid_of[pk], adapters.engine_calendar(calendar, base=base), base_uid
        )
    return list(converted.values()), uid_of
