"""Exports of a project: Microsoft Project XML, an Excel workbook, iCalendar, a Pilotage plan.

Every export describes the stored project through the same document
(:func:`project_document`), so what Microsoft Project, Excel and a calendar receive agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require, visible
from pilotage.collaboration.calendar import meeting_events
from pilotage.collaboration.selectors import meeting_list, meetings_of_user
from pilotage.core.bulk import collection_paused
from pilotage.interop.document import ProjectDocument
from pilotage.interop.ical import CalendarEvent, write_ics
from pilotage.interop.xlsx import Column, Row, Sheet, write_xlsx
from pilotage.planning.documents import plan_document
from pilotage.planning.models import Task
from pilotage.planning.parsing import format_quantity
from pilotage.portfolio.models import Project
from pilotage.resources.services import resources_document

__all__ = [
    "EXPORT_FORMATS",
    "ExportFile",
    "calendar_events",
    "project_document",
    "project_export",
    "user_calendar",
]

EXPORT_FORMATS = ("mspdi", "xlsx", "ics", "json")
"""What a project exports to."""

_CONTENT_TYPES = {
    "mspdi": ("application/xml", "xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
    "json": ("application/json", "json"),
}


@dataclass(frozen=True)
class ExportFile:
    """An exported file: its bytes, the name to save it under and its media type."""

    content: bytes
    file_name: str
    content_type: str


def project_document(project: Project) -> ProjectDocument:
    """The stored project as a document: plan, calendars, baselines, resources, assignments."""
    return resources_document(project, plan_document(project))


@collection_paused()
def project_export(*, actor: User, project: Project, format: str, base_url: str = "") -> ExportFile:
    """The project in one of :data:`EXPORT_FORMATS`; ``base_url`` (``https://host``) makes the
    links of calendar events absolute."""
    require(actor, Action.VIEW, project)
    if format not in _CONTENT_TYPES:
        raise ValueError(f"unknown export format {format!r}")
    content_type, suffix = _CONTENT_TYPES[format]
    stem = slugify(project.code) or "project"
    if format == "ics":
        content = write_ics(
            calendar_events(_project_tasks([project]), base_url=base_url)
            + meeting_events(meeting_list(user=actor, project=project), base_url=base_url),
            name=f"{project.code} {project.name}",
            time_zone=settings.TIME_ZONE,
        )
        return ExportFile(content, f"{stem}.{suffix}", content_type)
    document = project_document(project)
    if format == "mspdi":
        from pilotage.interop.mspdi_writer import write_mspdi

        content = write_mspdi(document)
    elif format == "json":
        from pilotage.interop.planfile_writer import write_plan

        content = write_plan(document.plan, format="json").encode()
    else:
        content = _workbook(project, document)
    return ExportFile(content, f"{stem}.{suffix}", content_type)


def _workbook(project: Project, document: ProjectDocument) -> bytes:
    plan = document.plan
    minutes_per_day = plan.minutes_per_day
    resources = {item.uid: item for item in document.resources}
    names_by_task: dict[int, list[str]] = {}
    for assignment in document.assignments:
        resource = resources.get(assignment.resource_uid)
        if resource is None:
            continue
        units = assignment.units
        label = resource.name
        if units is not None and units != 1 and resource.kind == "work":
            label = f"{resource.name}[{units * 100:.0f}%]"
        names_by_task.setdefault(assignment.task_uid, []).append(label)
    ids = {task.uid: task.id for task in plan.tasks}
    predecessors: dict[int, list[str]] = {}
    for link in plan.links:
        if link.predecessor_uid not in ids:
            continue
        text = f"{ids[link.predecessor_uid]}"
        if link.type != "FS" or link.lag_minutes or link.lag_percent:
            text += link.type
        if link.lag_percent:
            text += f"{link.lag_percent:+g}%"
        elif link.lag_minutes:
            sign = "+" if link.lag_minutes > 0 else "-"
            unit = link.lag_format or "d"
            text += sign + format_quantity(
                abs(link.lag_minutes), unit, minutes_per_day=minutes_per_day
            )
        predecessors.setdefault(link.successor_uid, []).append(text)
    task_rows = []
    for task in plan.tasks:
        details = document.details(task.uid)
        unit = task.duration_format or ("ed" if task.elapsed else "d")
        task_rows.append(
            Row(
                [
                    task.id,
                    task.uid,
                    task.wbs or task.outline_number,
                    task.name,
                    format_quantity(task.duration_minutes, unit, minutes_per_day=minutes_per_day)
                    if not task.summary
                    else "",
                    task.start,
                    task.finish,
                    task.percent_complete / 100,
                    "; ".join(predecessors.get(task.uid, [])),
                    "; ".join(names_by_task.get(task.uid, [])),
                    (details.work_minutes / 60) if details.work_minutes is not None else None,
                    details.cost,
                    task.milestone,
                    task.critical,
                    (task.total_slack_minutes / minutes_per_day)
                    if task.total_slack_minutes is not None
                    else None,
                    task.constraint_type,
                    task.constraint_date,
                    task.deadline,
                    task.notes,
                ],
                level=max(task.outline_level - 1, 0),
            )
        )
    currency = plan.currency_code or project.currency
    tasks_sheet = Sheet(
        gettext("Tasks"),
        [
            Column(gettext("ID"), "integer"),
            Column(gettext("UID"), "integer"),
            Column(gettext("WBS"), "text"),
            Column(gettext("Name"), "text", width=48),
            Column(gettext("Duration"), "text"),
            Column(gettext("Start"), "datetime"),
            Column(gettext("Finish"), "datetime"),
            Column(gettext("% complete"), "percent"),
            Column(gettext("Predecessors"), "text"),
            Column(gettext("Resource names"), "text"),
            Column(gettext("Work (hours)"), "decimal"),
            Column(gettext("Cost"), "money", currency=currency),
            Column(gettext("Milestone"), "boolean"),
            Column(gettext("Critical"), "boolean"),
            Column(gettext("Total float (days)"), "decimal"),
            Column(gettext("Constraint"), "text"),
            Column(gettext("Constraint date"), "datetime"),
            Column(gettext("Deadline"), "datetime"),
            Column(gettext("Notes"), "text", width=40),
        ],
        task_rows,
    )
    resource_sheet = Sheet(
        gettext("Resources"),
        [
            Column(gettext("Name"), "text", width=30),
            Column(gettext("Type"), "text"),
            Column(gettext("Initials"), "text"),
            Column(gettext("Group"), "text"),
            Column(gettext("Email"), "text", width=30),
            Column(gettext("Max. units"), "percent"),
            Column(gettext("Standard rate"), "money", currency=currency),
            Column(gettext("Overtime rate"), "money", currency=currency),
            Column(gettext("Cost per use"), "money", currency=currency),
        ],
        [
            Row(
                [
                    item.name,
                    item.kind,
                    item.initials,
                    item.group,
                    item.email,
                    item.max_units,
                    item.standard_rate,
                    item.overtime_rate,
                    item.cost_per_use,
                ]
            )
            for item in document.resources
        ],
    )
    names = {task.uid: task.name for task in plan.tasks}
    assignment_sheet = Sheet(
        gettext("Assignments"),
        [
            Column(gettext("Task"), "text", width=40),
            Column(gettext("Resource"), "text", width=30),
            Column(gettext("Units"), "percent"),
            Column(gettext("Work (hours)"), "decimal"),
            Column(gettext("Cost"), "money", currency=currency),
            Column(gettext("Start"), "datetime"),
            Column(gettext("Finish"), "datetime"),
        ],
        [
            Row(
                [
                    names.get(item.task_uid, ""),
                    resources[item.resource_uid].name if item.resource_uid in resources else "",
                    item.units,
                    (item.work_minutes / 60) if item.work_minutes is not None else None,
                    item.cost,
                    item.start,
                    item.finish,
                ]
            )
            for item in document.assignments
        ],
    )
    return write_xlsx(
        [tasks_sheet, resource_sheet, assignment_sheet],
        title=f"{project.code} {project.name}",
        yes_label=gettext("Yes"),
        no_label=gettext("No"),
    )


# Calendars --------------------------------------------------------------------------------------


def _project_tasks(projects: Iterable[Project]) -> Sequence[Task]:
    return list(
        Task.objects.filter(project__in=list(projects))
        .filter(is_summary=False)
        .exclude(is_milestone=False, deadline__isnull=True)
        .select_related("project")
        .order_by("project__code", "position")
    )


def calendar_events(tasks: Iterable[Task], *, base_url: str = "") -> list[CalendarEvent]:
    """Milestones (stage gates are milestones of the plan) and deadlines as calendar events."""
    host = "pilotage"
    events: list[CalendarEvent] = []
    for task in tasks:
        project = task.project
        url = f"{base_url.rstrip('/')}{task.get_absolute_url()}" if base_url else ""
        if task.is_milestone and task.finish is not None:
            done = task.percent_complete >= 100
            events.append(
                CalendarEvent(
                    uid=f"milestone-{task.pk}@{host}",
                    summary=f"{project.code}: {task.name}",
                    start=task.finish,
                    end=task.finish,
                    description=gettext("Milestone of %(project)s.") % {"project": project.name},
                    url=url,
                    categories=(gettext("Milestone"), project.code),
                    status="CONFIRMED" if done else "TENTATIVE",
                    last_modified=task.updated_at,
                )
            )
        if task.deadline is not None:
            events.append(
                CalendarEvent(
                    uid=f"deadline-{task.pk}@{host}",
                    summary=gettext("Deadline: %(project)s: %(task)s")
                    % {"project": project.code, "task": task.name},
                    start=task.deadline.date(),
                    all_day=True,
                    description=gettext("%(task)s must finish by %(when)s.")
                    % {"task": task.name, "when": f"{task.deadline:%Y-%m-%d %H:%M}"},
                    url=url,
                    categories=(gettext("Deadline"), project.code),
                    last_modified=task.updated_at,
                )
            )
    return events


def user_calendar(user: User, *, base_url: str = "") -> bytes:
    """The milestones and deadlines of every project the user may see and is involved in
    (manager, sponsor or member), or of all visible projects for the PMO's roles, and the
    meetings the user organises or is invited to."""
    projects = visible(user, Project.objects.all())
    involved = projects.filter(_involvement(user)).distinct()
    chosen = involved if involved.exists() else projects
    return write_ics(
        calendar_events(_project_tasks(chosen), base_url=base_url)
        + meeting_events(meetings_of_user(user), base_url=base_url),
        name=gettext("Pilotage: %(user)s") % {"user": user.get_full_name() or user.username},
        time_zone=settings.TIME_ZONE,
        description=gettext("Milestones, deadlines and meetings of your projects."),
    )


def _involvement(user: User) -> Q:
    return Q(manager=user) | Q(sponsor=user) | Q(memberships__user=user)
