"""A project file's resources and assignments as the inputs of plan leveling, and back.

:func:`leveling_inputs` turns a :class:`~pilotage.interop.document.ProjectDocument` (an MSPDI
file, a plan-as-code file, anything :func:`~pilotage.interop.formats.read_project_file` reads)
into what :func:`~pilotage.engine.leveling.plan.level_plans` takes: the work resources with
their calendar and availability, and the assignments with their units. Material and cost
resources are not leveled, as in Microsoft Project. :func:`with_plan` puts the leveled plan
(its tasks carry the leveling delays) back into the document, to be written out.

Examples
--------
>>> from datetime import datetime
>>> from decimal import Decimal
>>> from pilotage.engine.plan import Plan, PlanTask
>>> from pilotage.interop.document import DocumentAssignment, DocumentResource, ProjectDocument
>>> document = ProjectDocument(
...     format="mspdi",
...     plan=Plan(name="P", start=datetime(2026, 3, 2, 8),
...               tasks=(PlanTask(uid=1, id=1, name="A", duration_minutes=480),)),
...     resources=(DocumentResource(uid=4, id=1, name="Alice", max_units=Decimal("0.5")),),
...     assignments=(DocumentAssignment(uid=1, task_uid=1, resource_uid=4),),
... )
>>> project, resources, assignments = leveling_inputs(document, key="P")
>>> resources[0].capacity, assignments[0].units
(((None, 0.5),), 1.0)
"""

from __future__ import annotations

from dataclasses import replace

from pilotage.engine.leveling.plan import LevelingAssignment, LevelingProject, LevelingResource
from pilotage.engine.plan import Plan
from pilotage.interop.document import DocumentResource, ProjectDocument

__all__ = ["leveling_inputs", "resource_key", "with_plan"]


def resource_key(resource: DocumentResource) -> str:
    """The key a document's resource is leveled under: its UID.

    Examples
    --------
    >>> resource_key(DocumentResource(uid=7, id=1, name="Crane"))
    '7'
    """
    return str(resource.uid)


def _resource(document: ProjectDocument, resource: DocumentResource) -> LevelingResource:
    plan_calendar = (
        document.plan.calendars_by_uid.get(resource.calendar_uid)
        if resource.calendar_uid is not None
        else None
    )
    if resource.capacity:
        capacity = tuple((step.start, float(step.units)) for step in resource.capacity)
    else:
        units = 1.0 if resource.max_units is None else float(resource.max_units)
        capacity = ((None, units),)
    return LevelingResource(
        key=resource_key(resource),
        name=resource.name or f"Resource {resource.uid}",
        calendar=None if plan_calendar is None else plan_calendar.calendar,
        capacity=capacity,
    )


def leveling_inputs(
    document: ProjectDocument, *, key: str, priority: int = 500
) -> tuple[LevelingProject, list[LevelingResource], list[LevelingAssignment]]:
    """The project, work resources and assignments of a document, ready to level.

    Parameters
    ----------
    document : ProjectDocument
        The project as read from a file.
    key : str
        The key the project is leveled under (its file name, say).
    priority : int, optional
        The project priority, 0 to 1000.

    Returns
    -------
    tuple
        The :class:`LevelingProject`, the :class:`LevelingResource` list (work resources,
        keyed by UID, on their calendar, with their availability over time or their maximum
        units) and the :class:`LevelingAssignment` list (units 1 when the file gives none).
    """
    work = {resource.uid: resource for resource in document.resources if resource.kind == "work"}
    resources = [_resource(document, resource) for resource in work.values()]
    assignments = [
        LevelingAssignment(
            project=key,
            task_uid=item.task_uid,
            resource=resource_key(work[item.resource_uid]),
            units=1.0 if item.units is None else float(item.units),
        )
        for item in document.assignments
        if item.resource_uid in work and item.task_uid in document.plan.tasks_by_uid
    ]
    return LevelingProject(key, document.plan, priority), resources, assignments


def with_plan(document: ProjectDocument, plan: Plan) -> ProjectDocument:
    """The document with another plan (the leveled one), its resources and the rest kept.

    Examples
    --------
    >>> document = ProjectDocument(format="mspdi", plan=Plan(name="Before"))
    >>> with_plan(document, Plan(name="After")).plan.name
    'After'
    """
    return replace(document, plan=plan)
