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
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext, ngettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require, require_organisation
from pilotage.core import audit
from pilotage.core.bulk import insert_rows, insert_values
from pilotage.core.services import (
    check_fields,
    create_audited,
    delete_audited,
    proposed_change,
    update_audited,
)
from pilotage.interop.document import DocumentAssignment, DocumentResource, ProjectDocument
from pilotage.planning.adapters import ID_CHUNK
from pilotage.planning.documents import (
    custom_field_kinds,
    decode_baselines,
    decode_custom_values,
    encode_baselines,
    encode_custom_values,
)
from pilotage.planning.models import Task, WorkCalendar
from pilotage.planning.services import plan_for, recalculate
from pilotage.portfolio.models import Project
from pilotage.resources.models import (
    Assignment,
    Department,
    JobRole,
    NonProjectLoad,
    Resource,
    ResourceCapacity,
    ResourceRate,
    ResourceSkill,
    RoleDemand,
    Skill,
    SkillLevel,
    Team,
)

__all__ = [
    "assignment_create",
    "assignment_delete",
    "assignment_update",
    "assignments_add",
    "assignments_load_document",
    "capacity_delete",
    "capacity_set",
    "non_project_load_create",
    "non_project_load_delete",
    "organisation_item_create",
    "organisation_item_delete",
    "organisation_item_update",
    "rate_delete",
    "rate_set",
    "resource_create",
    "resource_delete",
    "resource_skill_delete",
    "resource_skill_set",
    "resource_update",
    "resources_document",
    "resources_match",
    "role_demand_set",
]


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
    previous = Assignment.objects.filter(project=project)
    if previous.exists():
        keys = [task.pk for task in tasks_by_uid.values()]
        for first in range(0, len(keys), ID_CHUNK):
            previous.filter(task_id__in=keys[first : first + ID_CHUNK]).delete()
    task_keys = {uid: task.pk for uid, task in tasks_by_uid.items()}
    resource_keys = {uid: resource.pk for uid, resource in resource_of.items()}
    rows: list[tuple[Any, ...]] = []
    seen: set[tuple[int, int]] = set()
    for assignment in document.assignments:
        task_key = task_keys.get(assignment.task_uid)
        resource_key = resource_keys.get(assignment.resource_uid)
        if task_key is None or resource_key is None or (task_key, resource_key) in seen:
            continue
        seen.add((task_key, resource_key))
        rows.append((project.pk, task_key, resource_key, *_assignment_values(assignment)))
    insert_values(Assignment, _ASSIGNMENT_FIELDS, rows)
    return created, len(rows)


_ASSIGNMENT_FIELDS = (
    "project_id",
    "task_id",
    "resource_id",
    "units",
    "work_minutes",
    "actual_work_minutes",
    "cost",
    "start",
    "finish",
    "uid",
    "custom_fields",
    "file_details",
)


def _assignment_values(item: DocumentAssignment) -> tuple[Any, ...]:
    """An assignment's values from ``units`` on, in the order of ``_ASSIGNMENT_FIELDS``."""
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
    return (
        item.units if item.units is not None else Decimal(1),
        item.work_minutes,
        item.actual_work_minutes,
        item.cost,
        item.start,
        item.finish,
        item.uid,
        encode_custom_values(item.custom_values),
        details,
    )


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def resources_document(project: Project, document: ProjectDocument) -> ProjectDocument:
    """The document with the project's resources and assignments added (for export)."""
    plan = plan_for(project)
    resource_kinds = custom_field_kinds(plan, "resource")
    assignment_kinds = custom_field_kinds(plan, "assignment")
    # Each resource is read once, not once for each of its assignments.
    assignments = list(Assignment.objects.filter(project=project).order_by("pk"))
    task_uid = _task_uids(project, document)
    resources: dict[int, Resource] = {}
    # The project's file resources (assigned or not), then any other resource it assigns.
    for resource in (
        Resource.objects.filter(file_details__projects__has_key=str(project.pk))
        .select_related("calendar")
        .order_by("pk")
    ):
        resources[resource.pk] = resource
    others = {assignment.resource_id for assignment in assignments} - set(resources)
    assigned = {
        resource.pk: resource
        for resource in Resource.objects.filter(pk__in=others).select_related("calendar")
    }
    for assignment in assignments:
        if assignment.resource_id not in resources:
            resources[assignment.resource_id] = assigned[assignment.resource_id]
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


# The organisation: departments, teams, roles, skills ------------------------------------------

OrganisationItem = Department | Team | JobRole | Skill
ORGANISATION_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Department: ("name", "code", "manager"),
    Team: ("name", "department"),
    JobRole: ("name", "description"),
    Skill: ("name", "category"),
}


@transaction.atomic
def organisation_item_create(
    *, actor: User, model: type[OrganisationItem], **values: Any
) -> OrganisationItem:
    """A department, team, role or skill; the organisation's administrators and PMO keep them."""
    check_fields(values, ORGANISATION_FIELDS[model])
    require_organisation(actor, Action.CREATE)
    return create_audited(actor=actor, instance=model(**values))


@transaction.atomic
def organisation_item_update(
    *, actor: User, item: OrganisationItem, **changes: Any
) -> OrganisationItem:
    check_fields(changes, ORGANISATION_FIELDS[type(item)])
    require_organisation(actor, Action.CHANGE)
    return update_audited(actor=actor, instance=item, changes=changes)


@transaction.atomic
def organisation_item_delete(*, actor: User, item: OrganisationItem) -> None:
    require_organisation(actor, Action.DELETE)
    delete_audited(actor=actor, instance=item)


# Resources ------------------------------------------------------------------------------------

RESOURCE_FIELDS = (
    "name",
    "kind",
    "initials",
    "email",
    "group",
    "code",
    "notes",
    "material_label",
    "is_generic",
    "max_units",
    "standard_rate",
    "standard_rate_unit",
    "overtime_rate",
    "overtime_rate_unit",
    "cost_per_use",
    "calendar",
    "user",
    "role",
    "department",
    "team",
    "is_active",
)


def _check_resource(resource: Resource) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if resource.calendar_id and resource.calendar and resource.calendar.project_id is not None:
        errors["calendar"] = [gettext("A resource works on a shared calendar, not a project's.")]
    team = resource.team if resource.team_id else None
    if (
        team is not None
        and team.department_id is not None
        and resource.department_id is not None
        and team.department_id != resource.department_id
    ):
        errors["team"] = [gettext("This team belongs to another department.")]
    return errors


@transaction.atomic
def resource_create(*, actor: User, name: str, **values: Any) -> Resource:
    """A person, a role placeholder, equipment, a material or a cost item."""
    check_fields(values, RESOURCE_FIELDS)
    require_organisation(actor, Action.CREATE)
    resource = Resource(name=name, **values)
    return create_audited(actor=actor, instance=resource, errors=_check_resource(resource))


@transaction.atomic
def resource_update(*, actor: User, resource: Resource, **changes: Any) -> Resource:
    check_fields(changes, RESOURCE_FIELDS)
    require_organisation(actor, Action.CHANGE)
    proposed = proposed_change(resource, changes)
    errors = _check_resource(proposed)
    return update_audited(actor=actor, instance=resource, changes=changes, errors=errors)


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    """Delete a resource that has no assignment (deactivate it otherwise)."""
    require_organisation(actor, Action.DELETE)
    count = resource.assignments.count()
    if count:
        raise ValidationError(
            gettext(
                "“%(name)s” is assigned to %(count)d tasks: remove the assignments or make the "
                "resource inactive."
            )
            % {"name": resource.name, "count": count}
        )
    delete_audited(actor=actor, instance=resource)


DatedT = TypeVar("DatedT", ResourceCapacity, ResourceRate, ResourceSkill, RoleDemand)


def _replace_or_create(
    actor: User, model: type[DatedT], key: dict[str, Any], values: Mapping[str, Any]
) -> DatedT:
    """Change the row with ``key`` (one per resource and date, skill or month), or create it."""
    existing = model.objects.filter(**key).first()
    if existing is not None:
        return update_audited(actor=actor, instance=existing, changes=values)
    return create_audited(actor=actor, instance=model(**key, **values))


@transaction.atomic
def capacity_set(
    *, actor: User, resource: Resource, effective_from: dt.date, units: Decimal
) -> ResourceCapacity:
    """The resource's capacity from a date on (replacing one from the same date)."""
    require_organisation(actor, Action.CHANGE)
    return _replace_or_create(
        actor,
        ResourceCapacity,
        {"resource": resource, "effective_from": effective_from},
        {"units": units},
    )


@transaction.atomic
def capacity_delete(*, actor: User, capacity: ResourceCapacity) -> None:
    require_organisation(actor, Action.CHANGE)
    delete_audited(actor=actor, instance=capacity)


@transaction.atomic
def rate_set(
    *, actor: User, resource: Resource, effective_from: dt.date, **values: Any
) -> ResourceRate:
    """The resource's cost rates from a date on (replacing those from the same date)."""
    check_fields(values, ("standard_rate", "standard_rate_unit", "overtime_rate", "cost_per_use"))
    require_organisation(actor, Action.CHANGE)
    return _replace_or_create(
        actor, ResourceRate, {"resource": resource, "effective_from": effective_from}, values
    )


@transaction.atomic
def rate_delete(*, actor: User, rate: ResourceRate) -> None:
    require_organisation(actor, Action.CHANGE)
    delete_audited(actor=actor, instance=rate)


@transaction.atomic
def non_project_load_create(
    *,
    actor: User,
    resource: Resource,
    name: str,
    units: Decimal,
    start: dt.date,
    finish: dt.date | None = None,
) -> NonProjectLoad:
    """Business-as-usual work taking ``units`` of the resource's time from ``start``."""
    require_organisation(actor, Action.CHANGE)
    load = NonProjectLoad(resource=resource, name=name, units=units, start=start, finish=finish)
    return create_audited(actor=actor, instance=load)


@transaction.atomic
def non_project_load_delete(*, actor: User, load: NonProjectLoad) -> None:
    require_organisation(actor, Action.CHANGE)
    delete_audited(actor=actor, instance=load)


@transaction.atomic
def resource_skill_set(
    *, actor: User, resource: Resource, skill: Skill, level: int = SkillLevel.PRACTITIONER
) -> ResourceSkill:
    require_organisation(actor, Action.CHANGE)
    return _replace_or_create(
        actor, ResourceSkill, {"resource": resource, "skill": skill}, {"level": level}
    )


@transaction.atomic
def resource_skill_delete(*, actor: User, held: ResourceSkill) -> None:
    require_organisation(actor, Action.CHANGE)
    delete_audited(actor=actor, instance=held)


# Project demand by role -----------------------------------------------------------------------


@transaction.atomic
def role_demand_set(
    *, actor: User, project: Project, role: JobRole, month: dt.date, units: Decimal
) -> RoleDemand | None:
    """How many people of ``role`` the project needs in ``month``; 0 removes the demand."""
    require(actor, Action.CHANGE, project)
    month = month.replace(day=1)
    key = {"project": project, "role": role, "month": month}
    if units == 0:
        existing = RoleDemand.objects.filter(**key).first()
        if existing is not None:
            delete_audited(actor=actor, instance=existing)
        return None
    return _replace_or_create(actor, RoleDemand, key, {"units": units})


# Assignments ----------------------------------------------------------------------------------


def _check_assignable(task: Task, resource: Resource) -> None:
    if task.is_summary:
        raise ValidationError(
            {"task": [gettext("Assign resources to the subtasks, not to a summary task.")]}
        )
    if not resource.is_active:
        raise ValidationError({"resource": [gettext("This resource is no longer active.")]})


def _rebalance_effort(task: Task, work: int) -> None:
    """Keep an effort-driven task's work: its duration follows the total units assigned."""
    assignments = list(task.assignments.filter(resource__kind="work"))
    total_units = sum((a.units for a in assignments), Decimal(0))
    if not assignments or total_units <= 0 or work <= 0:
        return
    for assignment in assignments:
        assignment.work_minutes = round(work * float(assignment.units / total_units))
        assignment.save(update_fields=["work_minutes"])
    task.duration_minutes = max(round(work / float(total_units)), 1)
    task.work_minutes = work
    task.save(update_fields=["duration_minutes", "work_minutes", "updated_at"])


def _task_work(task: Task) -> int:
    values = task.assignments.filter(resource__kind="work").values_list("work_minutes", flat=True)
    return sum(value or 0 for value in values)


def _sync_task_work(task: Task) -> None:
    task.work_minutes = _task_work(task) or None
    task.save(update_fields=["work_minutes", "updated_at"])


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    task: Task,
    resource: Resource,
    units: Decimal = Decimal(1),
    work_minutes: int | None = None,
) -> Assignment:
    """Put a resource on a task. Its work is units × duration unless given; on an
    effort-driven task the task's work is kept and its duration shortens."""
    require(actor, Action.CHANGE, task.project)
    _check_assignable(task, resource)
    effort = task.is_effort_driven and task.assignments.exists()
    work_before = _task_work(task) if effort else 0
    if work_minutes is None and resource.kind == "work":
        work_minutes = round(float(units) * task.duration_minutes)
    assignment = Assignment(
        project=task.project, task=task, resource=resource, units=units, work_minutes=work_minutes
    )
    create_audited(actor=actor, instance=assignment)
    if effort and work_before:
        _rebalance_effort(task, work_before)
    else:
        _sync_task_work(task)
    recalculate(task.project)
    return assignment


@transaction.atomic
def assignment_update(*, actor: User, assignment: Assignment, **changes: Any) -> Assignment:
    """Change an assignment's units or work; the task's work follows."""
    check_fields(changes, ("units", "work_minutes"))
    require(actor, Action.CHANGE, assignment.project)
    task = assignment.task
    effort = task.is_effort_driven and "units" in changes and "work_minutes" not in changes
    work_before = _task_work(task) if effort else 0
    update_audited(actor=actor, instance=assignment, changes=changes)
    if effort and work_before:
        _rebalance_effort(task, work_before)
    else:
        _sync_task_work(task)
    recalculate(task.project)
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: Assignment) -> None:
    require(actor, Action.CHANGE, assignment.project)
    task = assignment.task
    work_before = _task_work(task) if task.is_effort_driven else 0
    delete_audited(actor=actor, instance=assignment)
    if work_before and task.assignments.exists():
        _rebalance_effort(task, work_before)
    else:
        _sync_task_work(task)
    recalculate(task.project)


@transaction.atomic
def assignments_add(
    *, actor: User, project: Project, rows: Sequence[tuple[Task, Resource, Decimal]]
) -> list[Assignment]:
    """Assign many resources at once (staffing a whole plan): units × duration of work each,
    one permission check and one insert; the tasks' dates do not change."""
    require(actor, Action.CHANGE, project)
    created: list[Assignment] = []
    for task, resource, units in rows:
        if task.project_id != project.pk:
            raise ValidationError(
                gettext("Task “%(task)s” is not in this project.") % {"task": task.name}
            )
        _check_assignable(task, resource)
        work = round(float(units) * task.duration_minutes) if resource.kind == "work" else None
        created.append(
            Assignment(
                project=project, task=task, resource=resource, units=units, work_minutes=work
            )
        )
        if units < 0:
            raise ValidationError({"units": [gettext("Units cannot be negative.")]})
    insert_rows(Assignment, created)
    audit.record_fields_changed(
        actor=actor,
        instance=project,
        fields={
            "assignments": (
                "",
                ngettext("%d assignment added", "%d assignments added", len(created))
                % len(created),
            )
        },
    )
    work_by_task: dict[int, int] = {}
    for assignment in created:
        work_by_task[assignment.task_id] = work_by_task.get(assignment.task_id, 0) + (
            assignment.work_minutes or 0
        )
    tasks = [task for task, _resource, _units in rows]
    for task in {task.pk: task for task in tasks}.values():
        task.work_minutes = (task.work_minutes or 0) + work_by_task.get(task.pk, 0)
        task.save(update_fields=["work_minutes", "updated_at"])
    return created
