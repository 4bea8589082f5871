"""Writes to resources and assignments, and their exchange with plan files.

Resources are the organisation's: a file's resource is matched with an existing one by email,
else by name and type, and created only when none matches, so that the same person imported
from two projects' files is one resource whose load adds up across them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require
from pilotage.core.bulk import insert_rows
from pilotage.interop.document import DocumentAssignment, DocumentResource, ProjectDocument
from pilotage.planning.documents import (
    custom_field_kinds,
    decode_baselines,
    decode_custom_values,
    encode_baselines,
    encode_custom_values,
)
from pilotage.planning.models import Task, WorkCalendar
from pilotage.planning.services import plan_for
from pilotage.portfolio.models import Project
from pilotage.resources.models import Assignment, Resource

__all__ = ["assignments_load_document", "resources_document", "resources_match"]


def _resource_values(
    item: DocumentResource, calendars: Mapping[int, WorkCalendar]
) -> dict[str, Any]:
    details: dict[str, Any] = {"uid": item.uid}
    if item.id is not None:
        details["id"] = item.id
    for name in ("guid",):
        value = getattr(item, name)
        if value:
            details[name] = value
    for name in ("work_minutes", "actual_work_minutes"):
        value = getattr(item, name)
        if value is not None:
            details[name] = value
    for name in ("cost", "actual_cost"):
        value = getattr(item, name)
        if value is not None:
            details[name] = str(value)
    if item.max_units is None:
        details["max_units_unset"] = True
    if item.baselines:
        details["baselines"] = encode_baselines(item.baselines)
    return {
        "name": item.name[:200],
        "kind": item.kind,
        "initials": item.initials[:30],
        "email": item.email[:254],
        "group": item.group[:200],
        "code": item.code[:100],
        "notes": item.notes,
        "material_label": item.material_label[:30],
        "is_generic": item.generic,
        "max_units": item.max_units if item.max_units is not None else Decimal(1),
        "standard_rate": item.standard_rate,
        "standard_rate_unit": item.standard_rate_unit,
        "overtime_rate": item.overtime_rate,
        "overtime_rate_unit": item.overtime_rate_unit,
        "cost_per_use": item.cost_per_use,
        "calendar": calendars.get(item.calendar_uid) if item.calendar_uid is not None else None,
        "custom_fields": encode_custom_values(item.custom_values),
        "file_details": details,
    }


def resources_match(resources: Sequence[DocumentResource]) -> dict[int, Resource | None]:
    """Each named file resource's existing match (by email, else name and type), or None."""
    emails = {item.email.lower() for item in resources if item.email}
    names = {item.name for item in resources if item.name}
    by_email: dict[str, Resource] = {}
    by_name: dict[tuple[str, str], Resource] = {}
    for resource in Resource.objects.filter(is_active=True).order_by("pk"):
        if resource.email and resource.email.lower() in emails:
            by_email.setdefault(resource.email.lower(), resource)
        if resource.name in names:
            by_name.setdefault((resource.name, resource.kind), resource)
    matches: dict[int, Resource | None] = {}
    for item in resources:
        if not item.name:
            continue
        match = by_email.get(item.email.lower()) if item.email else None
        matches[item.uid] = match or by_name.get((item.name, item.kind))
    return matches


def assignments_load_document(
    *,
    actor: User,
    project: Project,
    document: ProjectDocument,
    tasks_by_uid: Mapping[int, Task],
    calendars: Mapping[int, WorkCalendar],
) -> tuple[int, int]:
    """Create the document's resources that do not exist yet and its assignments; the
    project's previous assignments of the loaded tasks are replaced. Returns how many resources
    were created and how many assignments written."""
    require(actor, Action.CHANGE, project)
    matches = resources_match(document.resources)
    resource_of: dict[int, Resource] = {}
    created = 0
    for item in document.resources:
        if not item.name:
            continue
        values = _resource_values(item, calendars)
        resource = matches.get(item.uid)
        if resource is None:
            resource = Resource.objects.create(
                **{
                    **values,
                    "file_details": {"projects": {str(project.pk): values["file_details"]}},
                }
            )
            created += 1
        else:
            # An existing resource keeps what the organisation set; the file adds what it lacks.
            for name in ("email", "initials", "group", "code"):
                if not getattr(resource, name) and values[name]:
                    setattr(resource, name, values[name])
            if resource.standard_rate is None and values["standard_rate"] is not None:
                resource.standard_rate = values["standard_rate"]
                resource.standard_rate_unit = values["standard_rate_unit"]
            details = dict(resource.file_details or {})
            details.setdefault("projects", {})[str(project.pk)] = values["file_details"]
            resource.file_details = details
            resource.custom_fields = {**values["custom_fields"], **(resource.custom_fields or {})}
            resource.save()
        resource_of[item.uid] = resource
    Assignment.objects.filter(project=project, task__in=list(tasks_by_uid.values())).delete()
    rows: list[Assignment] = []
    seen: set[tuple[int, int]] = set()
    for assignment in document.assignments:
        task = tasks_by_uid.get(assignment.task_uid)
        resource = resource_of.get(assignment.resource_uid)
        if task is None or resource is None or (task.pk, resource.pk) in seen:
            continue
        seen.add((task.pk, resource.pk))
        rows.append(_assignment_row(project, task, resource, assignment))
    insert_rows(Assignment, rows)
    return created, len(rows)


def _assignment_row(
    project: Project, task: Task, resource: Resource, item: DocumentAssignment
) -> Assignment:
    details: dict[str, Any] = {}
    for name in ("remaining_work_minutes", "work_contour"):
        value = getattr(item, name)
        if value is not None:
            details[name] = value
    if item.actual_cost is not None:
        details["actual_cost"] = str(item.actual_cost)
    for name in ("actual_start", "actual_finish"):
        value = getattr(item, name)
        if value is not None:
            details[name] = value.isoformat()
    if item.guid:
        details["guid"] = item.guid
    if item.units is None:
        details["units_unset"] = True
    if item.baselines:
        details["baselines"] = encode_baselines(item.baselines)
    return Assignment(
        project=project,
        task=task,
        resource=resource,
        units=item.units if item.units is not None else Decimal(1),
        work_minutes=item.work_minutes,
        actual_work_minutes=item.actual_work_minutes,
        cost=item.cost,
        start=item.start,
        finish=item.finish,
        uid=item.uid,
        custom_fields=encode_custom_values(item.custom_values),
        file_details=details,
    )


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def resources_document(project: Project, document: ProjectDocument) -> ProjectDocument:
    """The document with the project's resources and assignments added (for export)."""
    plan = plan_for(project)
    resource_kinds = custom_field_kinds(plan, "resource")
    assignment_kinds = custom_field_kinds(plan, "assignment")
    assignments = list(
        Assignment.objects.filter(project=project)
        .select_related("resource__calendar")
        .order_by("pk")
    )
    task_uid = _task_uids(project, document)
    resources: dict[int, Resource] = {}
    # The project's file resources (assigned or not), then any other resource it assigns.
    for resource in (
        Resource.objects.filter(file_details__projects__has_key=str(project.pk))
        .select_related("calendar")
        .order_by("pk")
    ):
        resources[resource.pk] = resource
    for assignment in assignments:
        resources.setdefault(assignment.resource_id, assignment.resource)
    calendar_uid = {item.calendar.name: item.uid for item in document.plan.calendars}
    used: set[int] = set()
    uid_of: dict[int, int] = {}
    for pk, resource in resources.items():
        stored = ((resource.file_details or {}).get("projects") or {}).get(str(project.pk))
        details = stored or resource.file_details or {}
        uid = details.get("uid")
        if isinstance(uid, int) and uid not in used and uid > 0:
            uid_of[pk] = uid
            used.add(uid)
    next_uid = max(used, default=0) + 1
    for pk in resources:
        if pk not in uid_of:
            uid_of[pk] = next_uid
            used.add(next_uid)
            next_uid += 1
    document_resources: list[DocumentResource] = []
    for pk, resource in resources.items():
        stored = ((resource.file_details or {}).get("projects") or {}).get(str(project.pk))
        details = stored or resource.file_details or {}
        document_resources.append(
            DocumentResource(
                uid=uid_of[pk],
                id=details.get("id", len(document_resources) + 1),
                name=resource.name,
                kind=resource.kind,  # type: ignore[arg-type]
                initials=resource.initials,
                email=resource.email,
                group=resource.group,
                code=resource.code,
                notes=resource.notes,
                material_label=resource.material_label,
                max_units=None if details.get("max_units_unset") else resource.max_units,
                standard_rate=resource.standard_rate,
                standard_rate_unit=resource.standard_rate_unit,  # type: ignore[arg-type]
                overtime_rate=resource.overtime_rate,
                overtime_rate_unit=resource.overtime_rate_unit,  # type: ignore[arg-type]
                cost_per_use=resource.cost_per_use,
                calendar_uid=calendar_uid.get(resource.calendar.name)
                if resource.calendar is not None
                else None,
                generic=resource.is_generic,
                work_minutes=details.get("work_minutes"),
                actual_work_minutes=details.get("actual_work_minutes"),
                cost=Decimal(details["cost"]) if details.get("cost") is not None else None,
                actual_cost=Decimal(details["actual_cost"])
                if details.get("actual_cost") is not None
                else None,
                guid=details.get("guid", ""),
                baselines=decode_baselines(details.get("baselines") or ()),
                custom_values=decode_custom_values(resource.custom_fields or {}, resource_kinds),
            )
        )
    used_assignment: set[int] = {a.uid for a in assignments if a.uid is not None}
    next_assignment = max(used_assignment, default=0) + 1
    document_assignments: list[DocumentAssignment] = []
    for assignment in assignments:
        if assignment.task_id not in task_uid:
            continue
        uid = assignment.uid
        if uid is None:
            uid, next_assignment = next_assignment, next_assignment + 1
        details = assignment.file_details or {}
        document_assignments.append(
            DocumentAssignment(
                uid=uid,
                task_uid=task_uid[assignment.task_id],
                resource_uid=uid_of[assignment.resource_id],
                units=None if details.get("units_unset") else assignment.units,
                work_minutes=assignment.work_minutes,
                actual_work_minutes=assignment.actual_work_minutes,
                remaining_work_minutes=details.get("remaining_work_minutes"),
                cost=assignment.cost,
                actual_cost=Decimal(details["actual_cost"])
                if details.get("actual_cost") is not None
                else None,
                start=assignment.start,
                finish=assignment.finish,
                actual_start=_moment(details.get("actual_start")),
                actual_finish=_moment(details.get("actual_finish")),
                work_contour=details.get("work_contour"),
                guid=details.get("guid", ""),
                baselines=decode_baselines(details.get("baselines") or ()),
                custom_values=decode_custom_values(
                    assignment.custom_fields or {}, assignment_kinds
                ),
            )
        )
    return replace(
        document, resources=tuple(document_resources), assignments=tuple(document_assignments)
    )


def _task_uids(project: Project, document: ProjectDocument) -> dict[int, int]:
    """Task pk -> the UID the document gives it (tasks without a file UID are numbered in
    document order, as :func:`plan_document` numbers them)."""
    rows = list(Task.objects.filter(project=project).order_by("position", "pk").values("pk", "uid"))
    used = {row["uid"] for row in rows if row["uid"] is not None}
    next_uid = max(used, default=0) + 1
    result: dict[int, int] = {}
    for row in rows:
        if row["uid"] is None:
            result[row["pk"]] = next_uid
            next_uid += 1
        else:
            result[row["pk"]] = row["uid"]
    return result
