"""A whole project as a file holds it: the plan, resources, assignments, baselines, custom fields.

Every importer (Microsoft Project XML, GanttProject, Jira, Trello, Asana, Excel, MPXJ's formats)
produces a :class:`ProjectDocument`, and every exporter of a project takes one. The plan
(:class:`~pilotage.engine.plan.Plan`) carries what the scheduler needs; the rest of the document
carries what a faithful round trip needs and the scheduler does not: work and cost, baselines
0 to 10, resources, assignments, custom fields, the project's properties.

Units follow the plan's: naive wall-clock date-times, whole minutes for durations and work
(working minutes of the plan's day unless said otherwise), money as :class:`~decimal.Decimal` in
the currency unit (not the hundredths MSPDI writes), units as a fraction (1.0 = 100 %).

Examples
--------
>>> from pilotage.engine.plan import Plan, PlanTask
>>> document = ProjectDocument(
...     format="mspdi",
...     plan=Plan(name="Launch", tasks=(PlanTask(uid=1, id=1, name="Build"),)),
...     resources=(DocumentResource(uid=1, id=1, name="Alice"),),
...     assignments=(DocumentAssignment(uid=1, task_uid=1, resource_uid=1),),
... )
>>> document.counts()
{'tasks': 1, 'links': 0, 'resources': 1, 'assignments': 1, 'calendars': 0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal, TypeAlias

from pilotage.engine.plan import DurationFormat, Plan

__all__ = [
    "CUSTOM_FIELD_KINDS",
    "CUSTOM_FIELD_OWNERS",
    "RESOURCE_KINDS",
    "TASK_TYPES",
    "BaselineValues",
    "CapacityStep",
    "CustomField",
    "CustomFieldKind",
    "CustomFieldOwner",
    "CustomValue",
    "DocumentAssignment",
    "DocumentResource",
    "ProjectDocument",
    "RateUnit",
    "ResourceKind",
    "TaskDetails",
    "TaskType",
]

TaskType: TypeAlias = Literal["fixed_units", "fixed_duration", "fixed_work"]
"""MSPDI task ``Type`` 0, 1 and 2."""
TASK_TYPES: Final[tuple[TaskType, ...]] = ("fixed_units", "fixed_duration", "fixed_work")

ResourceKind: TypeAlias = Literal["work", "material", "cost"]
"""A person or machine whose time is booked; a consumable counted in units; a cost item."""
RESOURCE_KINDS: Final[tuple[ResourceKind, ...]] = ("work", "material", "cost")

RateUnit: TypeAlias = Literal["m", "h", "d", "w", "mo", "y"]
"""What a rate is per: minute, hour, day, week, month, year (material rates are per unit)."""

CustomFieldKind: TypeAlias = Literal[
    "text", "number", "cost", "date", "start", "finish", "duration", "flag", "outline_code"
]
"""The kinds of MS Project custom fields (``CFType``) plus outline codes."""
CUSTOM_FIELD_KINDS: Final[tuple[CustomFieldKind, ...]] = (
    "text",
    "number",
    "cost",
    "date",
    "start",
    "finish",
    "duration",
    "flag",
    "outline_code",
)

CustomFieldOwner: TypeAlias = Literal["task", "resource", "assignment"]
CUSTOM_FIELD_OWNERS: Final[tuple[CustomFieldOwner, ...]] = ("task", "resource", "assignment")

CustomValueData: TypeAlias = str | Decimal | datetime | int | bool
"""A custom field's value: text (text, outline code), Decimal (number, cost), datetime (date,
start, finish), int (duration, in minutes), bool (flag)."""


@dataclass(frozen=True, slots=True)
class CustomField:
    """The definition of a custom field (MSPDI ``ExtendedAttribute`` under ``Project``).

    Parameters
    ----------
    key : str
        The stable key values refer to: MS Project's field name for its own fields
        (``"Text1"``, ``"Number3"``, ``"Flag2"``), or a name for other tools' fields
        (``"Story points"``, ``"Sprint"``).
    owner : CustomFieldOwner
        Whether the field belongs to tasks, resources or assignments.
    kind : CustomFieldKind
        The value's type.
    alias : str, optional
        The name the user gave the field; shown instead of the key when set.
    field_id : int, optional
        MS Project's field identifier (``FieldID``, e.g. 188743731 for Task Text1).
    """

    key: str
    owner: CustomFieldOwner = "task"
    kind: CustomFieldKind = "text"
    alias: str = ""
    field_id: int | None = None

    @property
    def label(self) -> str:
        """The name to show: the alias, else the key.

        Examples
        --------
        >>> CustomField("Text1", alias="Cost centre").label, CustomField("Text2").label
        ('Cost centre', 'Text2')
        """
        return self.alias or self.key


@dataclass(frozen=True, slots=True)
class CustomValue:
    """A custom field's value on a task, resource or assignment.

    ``duration_format`` is the display unit of a duration value, when the file gives one.
    """

    key: str
    value: CustomValueData
    duration_format: DurationFormat | None = None


@dataclass(frozen=True, slots=True)
class BaselineValues:
    """One saved baseline of a task, resource or assignment (MSPDI ``Baseline``, number 0-10).

    Only what the file sets is not None.
    """

    number: int
    start: datetime | None = None
    finish: datetime | None = None
    duration_minutes: int | None = None
    duration_format: DurationFormat | None = None
    work_minutes: int | None = None
    cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TaskDetails:
    """What a task carries beyond the plan's :class:`~pilotage.engine.plan.PlanTask`.

    Parameters
    ----------
    work_minutes, actual_work_minutes, remaining_work_minutes : int, optional
        Work in working minutes (person-minutes), as the file gives it.
    cost, actual_cost, fixed_cost : Decimal, optional
        Money in the currency unit.
    task_type : TaskType, optional
        Fixed units, fixed duration or fixed work.
    effort_driven : bool, optional
    manual_start, manual_finish : datetime, optional
        The dates a manually scheduled task was given.
    manual_duration_minutes : int, optional
    guid : str, optional
        The task's GUID in the file, kept so that a re-export keeps identity.
    hyperlink, hyperlink_address : str, optional
    baselines : tuple of BaselineValues
        Baselines 0 to 10, in increasing number.
    custom_values : tuple of CustomValue
    external : bool, optional
        The row stands for a task of another project (MSPDI ``ExternalTask``).
    external_project : str, optional
        The path of that project (MSPDI ``ExternalTaskProject``).
    """

    work_minutes: int | None = None
    actual_work_minutes: int | None = None
    remaining_work_minutes: int | None = None
    cost: Decimal | None = None
    actual_cost: Decimal | None = None
    fixed_cost: Decimal | None = None
    task_type: TaskType | None = None
    effort_driven: bool | None = None
    manual_start: datetime | None = None
    manual_finish: datetime | None = None
    manual_duration_minutes: int | None = None
    guid: str = ""
    hyperlink: str = ""
    hyperlink_address: str = ""
    baselines: tuple[BaselineValues, ...] = ()
    custom_values: tuple[CustomValue, ...] = ()
    external: bool = False
    external_project: str = ""


@dataclass(frozen=True, slots=True)
class CapacityStep:
    """The units of a resource available from a moment on, until the next step.

    Parameters
    ----------
    start : datetime or None
        From when; None only on a resource's first step, for "from the beginning".
    units : Decimal
        The units available, as a fraction (1 = one full-time person, 0 = not available).

    Examples
    --------
    >>> CapacityStep(datetime(2026, 6, 1), Decimal("0.5")).units
    Decimal('0.5')
    """

    start: datetime | None
    units: Decimal


@dataclass(frozen=True, slots=True)
class DocumentResource:
    """A resource of the file (MSPDI ``Resource``; a Jira assignee; a Trello member).

    Parameters
    ----------
    uid : int
        The identifier assignments point at.
    id : int or None
        The row number.
    name : str
    kind : ResourceKind, optional
        ``"work"`` by default.
    initials, email, group, code, notes, material_label : str, optional
        ``material_label`` is the unit of a material resource ("t", "m3").
    max_units : Decimal, optional
        Availability as a fraction (1 = 100 %, 3 = three people); None when not said.
    standard_rate, overtime_rate : Decimal, optional
        Money per ``*_rate_unit`` (per unit for a material).
    standard_rate_unit, overtime_rate_unit : RateUnit, optional
    cost_per_use : Decimal, optional
    calendar_uid : int, optional
        The resource's calendar in the document.
    generic : bool, optional
        A role placeholder rather than a named person.
    work_minutes, actual_work_minutes : int, optional
    cost, actual_cost : Decimal, optional
    guid : str, optional
    baselines, custom_values : tuple, optional
    key : str, optional
        The short name a Pilotage plan file gives the resource ("alice"), which its tasks'
        assignments use.
    capacity : tuple of CapacityStep, optional
        Availability that changes over time: from each step's start, its units, until the next
        step's start. Only the first step may have no start (from the beginning); before a
        first step that has one, the resource is not available. Empty: ``max_units`` all the
        time. Readers that fill it set ``max_units`` to the most units of its steps.
    """

    uid: int
    id: int | None
    name: str
    kind: ResourceKind = "work"
    initials: str = ""
    email: str = ""
    group: str = ""
    code: str = ""
    notes: str = ""
    material_label: str = ""
    max_units: Decimal | None = None
    standard_rate: Decimal | None = None
    standard_rate_unit: RateUnit = "h"
    overtime_rate: Decimal | None = None
    overtime_rate_unit: RateUnit = "h"
    cost_per_use: Decimal | None = None
    calendar_uid: int | None = None
    generic: bool = False
    work_minutes: int | None = None
    actual_work_minutes: int | None = None
    cost: Decimal | None = None
    actual_cost: Decimal | None = None
    guid: str = ""
    baselines: tuple[BaselineValues, ...] = ()
    custom_values: tuple[CustomValue, ...] = ()
    key: str = ""
    capacity: tuple[CapacityStep, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentAssignment:
    """A resource working on a task (MSPDI ``Assignment``).

    ``units`` is a fraction (1 = 100 %; for a material, the quantity); work in working minutes;
    money in the currency unit.
    """

    uid: int
    task_uid: int
    resource_uid: int
    units: Decimal | None = None
    work_minutes: int | None = None
    actual_work_minutes: int | None = None
    remaining_work_minutes: int | None = None
    cost: Decimal | None = None
    actual_cost: Decimal | None = None
    start: datetime | None = None
    finish: datetime | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    work_contour: int | None = None
    guid: str = ""
    baselines: tuple[BaselineValues, ...] = ()
    custom_values: tuple[CustomValue, ...] = ()


@dataclass(frozen=True)
class ProjectDocument:
    """A project as read from a file, or as about to be written to one.

    Parameters
    ----------
    format : str
        The kind of file: ``"mspdi"``, ``"gan"``, ``"jira-csv"``, ``"jira-json"``,
        ``"trello-json"``, ``"asana-csv"``, ``"xlsx"``, ``"csv"``, ``"mpp"``, ``"xer"``,
        ``"pmxml"``, ``"pod"``, ``"json"`` ...
    plan : Plan
        Settings, calendars, tasks and links (tasks in document order, the hierarchy by
        ``parent_uid``); ``plan.project_summary`` is MSPDI's task UID 0 when the file has one.
    properties : mapping of str to str, optional
        Descriptive properties by their MSPDI element name: ``Title``, ``Subject``, ``Author``,
        ``Manager``, ``Company``, ``Category``, ``Keywords``, ``Comments``, ``CreationDate``,
        ``LastSaved``, ``GUID`` ...
    custom_fields : tuple of CustomField, optional
        Definitions of the custom fields the values refer to.
    task_details : mapping of int to TaskDetails, optional
        Per task UID, what the plan's task does not carry; a task without an entry has none.
    resources, assignments : tuple, optional
    warnings : tuple of str, optional
        One line per thing the reader skipped or had to guess, naming the row or element.
    null_tasks : int, optional
        Blank rows skipped.
    save_version : int, optional
        MSPDI ``SaveVersion`` of the file read.
    """

    format: str
    plan: Plan
    properties: Mapping[str, str] = field(default_factory=dict)
    custom_fields: tuple[CustomField, ...] = ()
    task_details: Mapping[int, TaskDetails] = field(default_factory=dict)
    resources: tuple[DocumentResource, ...] = ()
    assignments: tuple[DocumentAssignment, ...] = ()
    warnings: tuple[str, ...] = ()
    null_tasks: int = 0
    save_version: int | None = None

    def details(self, uid: int) -> TaskDetails:
        """The details of the task with this UID (empty details when it has none).

        Examples
        --------
        >>> ProjectDocument(format="csv", plan=Plan(name="P")).details(3).work_minutes is None
        True
        """
        return self.task_details.get(uid, _NO_DETAILS)

    def counts(self) -> dict[str, int]:
        """What the document holds, counted as ``pilotage import --dry-run`` reports it.

        ``tasks`` counts real tasks (not the project summary task, not blank rows), ``links``
        the predecessor links, ``resources`` the named resources.
        """
        return {
            "tasks": len(self.plan.tasks),
            "links": len(self.plan.links),
            "resources": sum(1 for resource in self.resources if resource.name),
            "assignments": len(self.assignments),
            "calendars": len(self.plan.calendars),
        }


_NO_DETAILS: Final = TaskDetails()
