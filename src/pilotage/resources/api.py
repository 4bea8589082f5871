"""REST operations on resources, the organisation's reference lists, assignments, role demand,
demand against capacity across all projects, and resource leveling.

Resources and the reference lists (departments, teams, roles, skills) are the organisation's:
anyone signed in reads them, administrators and the PMO change them. Assignments and role
demand belong to a project and follow its permissions. Units are fractions of a resource's
time: 1 is 100 %.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from pilotage.accounts.api import UserRef
from pilotage.accounts.permissions import Action, can, visible
from pilotage.accounts.selectors import user_get_for_user
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    Ref,
    paginate,
    patch_schema,
    resolve_references,
    responses,
)
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import selectors as planning_selectors
from pilotage.planning.models import Task
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.portfolio.selectors import (
    portfolio_get_for_user,
    programme_get_for_user,
    project_get_for_user,
)
from pilotage.resources import capacity, leveling, selectors, services
from pilotage.resources.models import (
    Assignment,
    Department,
    JobRole,
    LevelingMode,
    LevelingRun,
    LevelingStatus,
    NonProjectLoad,
    RateUnit,
    Resource,
    ResourceCapacity,
    ResourceKind,
    ResourceRate,
    ResourceSkill,
    Skill,
    SkillLevel,
    Team,
)

router = Router(tags=["resources"])

PeriodName = Literal["week", "month"]
GroupName = Literal["person", "role", "skill", "department", "team"]
DEFAULT_WEEKS = 26
MAX_DAYS = 3 * 366
UNITS_HELP = "1 = 100 % of the resource's time (0.5: half time); for a material, a quantity."

# The services name model fields; the inputs of these operations name related objects by id.
INPUT_NAMES = {
    "calendar": "calendar_id",
    "user": "user_id",
    "role": "role_id",
    "department": "department_id",
    "team": "team_id",
    "manager": "manager_id",
    "skill": "skill_id",
    "resource": "resource_id",
    "task": "task_id",
}


@contextmanager
def _input_names() -> Iterator[None]:
    """Report a service's validation errors under the names of this API's input fields."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields: dict[str, list[str]] = {}
        for name, messages in error.message_dict.items():
            fields.setdefault(INPUT_NAMES.get(name, name), []).extend(messages)
        raise ValidationError(fields) from error


# Reference lists and lookups -----------------------------------------------------------------

ORGANISATION_LISTS: dict[type[models.Model], Callable[[], models.QuerySet[Any]]] = {
    Department: selectors.department_list,
    Team: selectors.team_list,
    JobRole: selectors.job_role_list,
    Skill: selectors.skill_list,
}


def _organisation_item(model: type[models.Model], pk: Any) -> Any:
    """A department, team, role or skill (every signed-in user may see them)."""
    try:
        return ORGANISATION_LISTS[model]().get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def _unknown(model: type[models.Model], pk: Any) -> str:
    messages = {
        Department: gettext("Unknown department: %(id)s."),
        Team: gettext("Unknown team: %(id)s."),
        JobRole: gettext("Unknown role: %(id)s."),
        Skill: gettext("Unknown skill: %(id)s."),
    }
    return messages[model] % {"id": pk}


def _organisation_references(
    values: Mapping[str, Any], references: Mapping[str, tuple[str, type[models.Model]]]
) -> dict[str, Any]:
    """Replace the ids of departments, teams, roles and skills by the objects, naming the
    unknown ones (``null`` stays ``None``)."""
    resolved: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key not in references:
            resolved[key] = value
            continue
        target, model = references[key]
        if value is None:
            resolved[target] = None
            continue
        try:
            resolved[target] = _organisation_item(model, value)
        except NotFoundError:
            errors[key] = [_unknown(model, value)]
    if errors:
        raise ValidationError(errors)
    return resolved


def _check_filter_ids(values: Mapping[str, int | None]) -> None:
    """Refuse a filter naming a department, team, role or skill that does not exist."""
    models_by_name: dict[str, type[models.Model]] = {
        "department": Department,
        "team": Team,
        "role": JobRole,
        "skill": Skill,
    }
    errors: dict[str, list[str]] = {}
    for name, pk in values.items():
        model = models_by_name[name]
        if pk is not None and not ORGANISATION_LISTS[model]().filter(pk=pk).exists():
            errors[name] = [_unknown(model, pk)]
    if errors:
        raise ValidationError(errors)


def _resource(request: ApiRequest, resource_id: int, action: Action = Action.VIEW) -> Resource:
    return selectors.resource_get_for_user(resource_id, user=request.auth, action=action)


def _owned(
    request: ApiRequest, model: type[ResourceCapacity | ResourceRate | NonProjectLoad], pk: int
) -> Any:
    """A capacity step, a rate or a business-as-usual load, with the right to change its
    resource checked."""
    try:
        row = model.objects.select_related("resource").get(pk=pk)
    except model.DoesNotExist as exc:
        raise NotFoundError() from exc
    _resource(request, row.resource_id, Action.CHANGE)
    return row


def _check_dates(start: dt.date | None, finish: dt.date | None, field: str = "finish") -> None:
    if start is not None and finish is not None and finish < start:
        raise ValidationError({field: [gettext("The end date is before the start date.")]})


# Schemas shared ------------------------------------------------------------------------------


class NamedRef(Schema):
    id: int
    name: str


class ResourceRef(NamedRef):
    kind: ResourceKind
    is_generic: bool


class SkillHeldOut(Schema):
    """A skill a resource holds, at a level from 1 (notions) to 5 (reference)."""

    skill_id: int
    skill: NamedRef
    level: int = Field(..., description="1 notions, 2 practitioner, 3 experienced, 4 expert, 5.")
    level_label: str

    @staticmethod
    def resolve_level_label(held: ResourceSkill) -> str:
        return str(held.get_level_display())


# Resources -----------------------------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    name: str
    kind: ResourceKind = Field(..., description="work, material or cost.")
    is_generic: bool = Field(..., description="A role placeholder rather than a named person.")
    initials: str
    email: str
    group: str
    code: str
    notes: str
    material_label: str = Field(..., description="For a material: its unit (t, m³, box ...).")
    max_units: float = Field(..., description="Capacity before any dated step. " + UNITS_HELP)
    standard_rate: Decimal | None
    standard_rate_unit: RateUnit
    overtime_rate: Decimal | None
    overtime_rate_unit: RateUnit
    cost_per_use: Decimal | None
    calendar_id: int | None = Field(..., description="A shared calendar; null: the standard.")
    calendar: NamedRef | None
    user_id: int | None = Field(..., description="The user account of this person, if any.")
    user: UserRef | None
    role_id: int | None
    role: NamedRef | None
    department_id: int | None
    department: NamedRef | None
    team_id: int | None
    team: NamedRef | None
    is_active: bool
    skills: list[SkillHeldOut]
    assignment_count: int = Field(..., description="Assignments in every project.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_skills(resource: Resource) -> list[ResourceSkill]:
        return list(resource.skills.all())


class ResourceIn(InputSchema):
    name: str
    kind: ResourceKind = Field(ResourceKind.WORK, description="work, material or cost.")
    is_generic: bool = Field(False, description="A role placeholder (“Senior Java developer”).")
    initials: str = ""
    email: str = ""
    group: str = ""
    code: str = ""
    notes: str = ""
    material_label: str = Field("", description="For a material: its unit (t, m³, box ...).")
    max_units: Decimal = Field(
        Decimal(1), ge=0, description="Capacity before any dated step. " + UNITS_HELP
    )
    standard_rate: Decimal | None = Field(None, ge=0)
    standard_rate_unit: RateUnit = Field(RateUnit.HOUR, description="m, h, d, w, mo or y.")
    overtime_rate: Decimal | None = Field(None, ge=0)
    overtime_rate_unit: RateUnit = RateUnit.HOUR
    cost_per_use: Decimal | None = Field(None, ge=0)
    calendar_id: int | None = Field(None, description="A shared calendar; null: the standard.")
    user_id: int | None = Field(None, description="The user account of this person.")
    role_id: int | None = None
    department_id: int | None = None
    team_id: int | None = Field(None, description="A team of the resource's department.")
    is_active: bool = True


if TYPE_CHECKING:
    ResourcePatch = ResourceIn
else:
    ResourcePatch = patch_schema(ResourceIn, "ResourcePatch")


class ResourceFilters(Schema):
    search: str = Field("", description="Part of the name, the e-mail address or the code.")
    kind: ResourceKind | None = Field(None, description="work, material or cost.")
    department: int | None = Field(None, description="Department id.")
    team: int | None = Field(None, description="Team id.")
    role: int | None = Field(None, description="Role id.")
    skill: int | None = Field(None, description="Skill id: the resources that hold it.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) ones.")


ORGANISATION_REFERENCES: dict[str, tuple[str, type[models.Model]]] = {
    "role_id": ("role", JobRole),
    "department_id": ("department", Department),
    "team_id": ("team", Team),
}


def _resource_values(request: ApiRequest, values: dict[str, Any]) -> dict[str, Any]:
    values = resolve_references(
        values,
        {
            "calendar_id": (
                "calendar",
                lambda pk: planning_selectors.calendar_get_for_user(pk, user=request.auth),
            ),
            "user_id": ("user", lambda pk: user_get_for_user(pk, user=request.auth)),
        },
    )
    return _organisation_references(values, ORGANISATION_REFERENCES)


def _resource_out(request: ApiRequest, resource_id: int) -> Resource:
    """The resource as lists show it: with its skills and its number of assignments."""
    try:
        return selectors.resource_list(user=request.auth, active=None).get(pk=resource_id)
    except Resource.DoesNotExist as exc:
        raise NotFoundError() from exc


@router.get(
    "/resources",
    response=responses(200, Page[ResourceOut]),
    summary="List resources",
)
def resource_list(
    request: ApiRequest, filters: Query[ResourceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """People, role placeholders, equipment, materials and cost items, by name."""
    _check_filter_ids(
        {
            "department": filters.department,
            "team": filters.team,
            "role": filters.role,
            "skill": filters.skill,
        }
    )
    resources = selectors.resource_list(
        user=request.auth,
        search=filters.search,
        kind=filters.kind or "",
        department=filters.department,
        team=filters.team,
        role=filters.role,
        skill=filters.skill,
        active=filters.active,
    )
    return paginate(resources, page)


@router.post(
    "/resources",
    response=responses(201, ResourceOut),
    summary="Create a resource",
)
def resource_create(request: ApiRequest, payload: ResourceIn) -> Status[Any]:
    """Needs the Create permission organisation-wide (administrators, PMO)."""
    values = _resource_values(request, payload.model_dump())
    with _input_names():
        resource = services.resource_create(actor=request.auth, **values)
    return Status(201, _resource_out(request, resource.pk))


@router.get(
    "/resources/{resource_id}",
    response=responses(200, ResourceOut),
    summary="Get a resource",
)
def resource_detail(request: ApiRequest, resource_id: int) -> Any:
    return _resource_out(request, resource_id)


@router.patch(
    "/resources/{resource_id}",
    response=responses(200, ResourceOut),
    summary="Change a resource",
)
def resource_update(request: ApiRequest, resource_id: int, payload: ResourcePatch) -> Any:
    """Only the fields sent are changed; `null` empties a field that may be empty."""
    resource = _resource(request, resource_id, Action.CHANGE)
    changes = _resource_values(request, payload.sent())
    with _input_names():
        services.resource_update(actor=request.auth, resource=resource, **changes)
    return _resource_out(request, resource.pk)


@router.delete(
    "/resources/{resource_id}",
    response=responses(204, None),
    summary="Delete a resource",
)
def resource_delete(request: ApiRequest, resource_id: int) -> Status[None]:
    """Refused while the resource is assigned to tasks: make it inactive instead."""
    resource = _resource(request, resource_id, Action.DELETE)
    services.resource_delete(actor=request.auth, resource=resource)
    return Status(204, None)


# Capacity steps, cost rates, business as usual, skills held ----------------------------------


class CapacityStepOut(Schema):
    id: int
    resource_id: int
    effective_from: dt.date
    units: float = Field(..., description="1 = full time on its calendar, 0.8, 0 = away.")
    hours_per_day: float = Field(..., description="The units in hours of a calendar day.")

    @staticmethod
    def resolve_hours_per_day(step: ResourceCapacity) -> float:
        calendar = step.resource.calendar
        minutes = calendar.minutes_per_day if calendar is not None else 480
        return round(float(step.units) * minutes / 60, 2)


class CapacityStepIn(InputSchema):
    effective_from: dt.date = Field(..., description="From this day on (replaces a step then).")
    units: Decimal = Field(
        ..., ge=0, description="1 = full time on its calendar, 0.8 = four days a week, 0 = away."
    )


class RateOut(Schema):
    id: int
    resource_id: int
    effective_from: dt.date
    standard_rate: Decimal
    standard_rate_unit: RateUnit
    overtime_rate: Decimal | None
    cost_per_use: Decimal | None


class RateIn(InputSchema):
    effective_from: dt.date = Field(..., description="From this day on (replaces rates then).")
    standard_rate: Decimal = Field(..., ge=0)
    standard_rate_unit: RateUnit = Field(RateUnit.HOUR, description="m, h, d, w, mo or y.")
    overtime_rate: Decimal | None = Field(None, ge=0)
    cost_per_use: Decimal | None = Field(None, ge=0)


class NonProjectLoadOut(Schema):
    id: int
    resource_id: int
    name: str
    units: float = Field(..., description="Share of each working day: 0.2 = one day a week.")
    start: dt.date
    finish: dt.date | None = Field(..., description="The last day; null: no end.")


class NonProjectLoadIn(InputSchema):
    name: str = Field(..., description="The activity: support, training, management ...")
    units: Decimal = Field(..., ge=0, description="Share of each working day: 0.2 = one day.")
    start: dt.date
    finish: dt.date | None = Field(None, description="The last day; null: no end.")


class SkillHeldIn(InputSchema):
    skill_id: int
    level: int = Field(
        SkillLevel.PRACTITIONER,
        ge=1,
        le=5,
        description="1 notions, 2 practitioner, 3 experienced, 4 expert, 5 reference.",
    )


def _set_status(existed: bool, row: Any) -> Status[Any]:
    """201 for a new row, 200 when the row of that date (or skill) was replaced."""
    return Status(200 if existed else 201, row)


@router.get(
    "/resources/{resource_id}/capacities",
    response=responses(200, Page[CapacityStepOut]),
    summary="List a resource's capacity steps",
)
def capacity_step_list(
    request: ApiRequest, resource_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """Each step holds from its date until the next; before the first, `max_units` holds."""
    resource = _resource(request, resource_id)
    steps = resource.capacities.select_related("resource__calendar").order_by("effective_from")
    return paginate(steps, page)


@router.post(
    "/resources/{resource_id}/capacities",
    response={200: CapacityStepOut, **responses(201, CapacityStepOut)},
    summary="Set a resource's capacity from a date",
)
def capacity_step_set(
    request: ApiRequest, resource_id: int, payload: CapacityStepIn
) -> Status[Any]:
    """Answers 201 with a new step, 200 when it replaced the step of the same date."""
    resource = _resource(request, resource_id, Action.CHANGE)
    existed = resource.capacities.filter(effective_from=payload.effective_from).exists()
    step = services.capacity_set(actor=request.auth, resource=resource, **payload.model_dump())
    return _set_status(existed, step)


@router.delete(
    "/capacities/{capacity_id}",
    response=responses(204, None),
    summary="Delete a capacity step",
)
def capacity_step_delete(request: ApiRequest, capacity_id: int) -> Status[None]:
    step = _owned(request, ResourceCapacity, capacity_id)
    services.capacity_delete(actor=request.auth, capacity=step)
    return Status(204, None)


@router.get(
    "/resources/{resource_id}/rates",
    response=responses(200, Page[RateOut]),
    summary="List a resource's cost rates",
)
def rate_list(request: ApiRequest, resource_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """Each set of rates holds from its date until the next."""
    resource = _resource(request, resource_id)
    return paginate(resource.rates.order_by("effective_from"), page)


@router.post(
    "/resources/{resource_id}/rates",
    response={200: RateOut, **responses(201, RateOut)},
    summary="Set a resource's cost rates from a date",
)
def rate_set(request: ApiRequest, resource_id: int, payload: RateIn) -> Status[Any]:
    """Answers 201 with new rates, 200 when they replaced the rates of the same date."""
    resource = _resource(request, resource_id, Action.CHANGE)
    values = payload.model_dump()
    existed = resource.rates.filter(effective_from=values["effective_from"]).exists()
    rate = services.rate_set(actor=request.auth, resource=resource, **values)
    return _set_status(existed, rate)


@router.delete(
    "/rates/{rate_id}",
    response=responses(204, None),
    summary="Delete a resource's cost rates",
)
def rate_delete(request: ApiRequest, rate_id: int) -> Status[None]:
    rate = _owned(request, ResourceRate, rate_id)
    services.rate_delete(actor=request.auth, rate=rate)
    return Status(204, None)


@router.get(
    "/resources/{resource_id}/non-project-loads",
    response=responses(200, Page[NonProjectLoadOut]),
    summary="List a resource's business-as-usual load",
)
def non_project_load_list(
    request: ApiRequest, resource_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """Recurring work outside projects, which takes part of every working day."""
    resource = _resource(request, resource_id)
    return paginate(resource.non_project_loads.order_by("start", "pk"), page)


@router.post(
    "/resources/{resource_id}/non-project-loads",
    response=responses(201, NonProjectLoadOut),
    summary="Add business-as-usual load to a resource",
)
def non_project_load_create(
    request: ApiRequest, resource_id: int, payload: NonProjectLoadIn
) -> Status[Any]:
    resource = _resource(request, resource_id, Action.CHANGE)
    values = payload.model_dump()
    _check_dates(values["start"], values["finish"])
    load = services.non_project_load_create(actor=request.auth, resource=resource, **values)
    return Status(201, load)


@router.delete(
    "/non-project-loads/{load_id}",
    response=responses(204, None),
    summary="Delete a business-as-usual load",
)
def non_project_load_delete(request: ApiRequest, load_id: int) -> Status[None]:
    load = _owned(request, NonProjectLoad, load_id)
    services.non_project_load_delete(actor=request.auth, load=load)
    return Status(204, None)


@router.get(
    "/resources/{resource_id}/skills",
    response=responses(200, Page[SkillHeldOut]),
    summary="List a resource's skills",
)
def resource_skill_list(
    request: ApiRequest, resource_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    resource = _resource(request, resource_id)
    return paginate(resource.skills.select_related("skill").order_by("skill__name"), page)


@router.post(
    "/resources/{resource_id}/skills",
    response={200: SkillHeldOut, **responses(201, SkillHeldOut)},
    summary="Give a resource a skill at a level",
)
def resource_skill_set(request: ApiRequest, resource_id: int, payload: SkillHeldIn) -> Status[Any]:
    """Answers 201 for a new skill, 200 when it changed the level of one already held."""
    resource = _resource(request, resource_id, Action.CHANGE)
    values = _organisation_references(payload.model_dump(), {"skill_id": ("skill", Skill)})
    existed = resource.skills.filter(skill=values["skill"]).exists()
    held = services.resource_skill_set(actor=request.auth, resource=resource, **values)
    return _set_status(existed, held)


@router.delete(
    "/resources/{resource_id}/skills/{skill_id}",
    response=responses(204, None),
    summary="Take a skill from a resource",
)
def resource_skill_delete(request: ApiRequest, resource_id: int, skill_id: int) -> Status[None]:
    resource = _resource(request, resource_id, Action.CHANGE)
    held = resource.skills.filter(skill_id=skill_id).first()
    if held is None:
        raise NotFoundError()
    services.resource_skill_delete(actor=request.auth, held=held)
    return Status(204, None)


# Departments, teams, roles and skills --------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    manager_id: int | None
    manager: UserRef | None
    people: int = Field(..., description="How many resources belong to it.")


class DepartmentIn(InputSchema):
    name: str = Field(..., description="Unique.")
    code: str = ""
    manager_id: int | None = None


class TeamOut(Schema):
    id: int
    name: str
    department_id: int | None
    department: NamedRef | None
    people: int = Field(..., description="How many resources belong to it.")


class TeamIn(InputSchema):
    name: str = Field(..., description="Unique within its department.")
    department_id: int | None = None


class JobRoleOut(Schema):
    id: int
    name: str
    description: str
    people: int = Field(..., description="How many resources have this role.")


class JobRoleIn(InputSchema):
    name: str = Field(..., description="Unique: “Senior Java developer”, “Business analyst”.")
    description: str = ""


class SkillOut(Schema):
    id: int
    name: str
    category: str
    people: int = Field(..., description="How many resources hold it.")


class SkillIn(InputSchema):
    name: str = Field(..., description="Unique.")
    category: str = ""


if TYPE_CHECKING:
    DepartmentPatch = DepartmentIn
    TeamPatch = TeamIn
    JobRolePatch = JobRoleIn
    SkillPatch = SkillIn
else:
    DepartmentPatch = patch_schema(DepartmentIn, "DepartmentPatch")
    TeamPatch = patch_schema(TeamIn, "TeamPatch")
    JobRolePatch = patch_schema(JobRoleIn, "JobRolePatch")
    SkillPatch = patch_schema(SkillIn, "SkillPatch")


def _organisation_values(request: ApiRequest, values: dict[str, Any]) -> dict[str, Any]:
    values = resolve_references(
        values, {"manager_id": ("manager", lambda pk: user_get_for_user(pk, user=request.auth))}
    )
    return _organisation_references(values, {"department_id": ("department", Department)})


def _organisation_create(request: ApiRequest, model: Any, payload: InputSchema) -> Status[Any]:
    values = _organisation_values(request, payload.model_dump())
    with _input_names():
        item = services.organisation_item_create(actor=request.auth, model=model, **values)
    return Status(201, _organisation_item(model, item.pk))


def _organisation_update(request: ApiRequest, model: Any, pk: int, payload: InputSchema) -> Any:
    item = _organisation_item(model, pk)
    values = _organisation_values(request, payload.sent())
    with _input_names():
        services.organisation_item_update(actor=request.auth, item=item, **values)
    return _organisation_item(model, pk)


def _organisation_delete(request: ApiRequest, model: Any, pk: int) -> Status[None]:
    item = _organisation_item(model, pk)
    services.organisation_item_delete(actor=request.auth, item=item)
    return Status(204, None)


ORGANISATION = "organisation"


@router.get(
    "/departments",
    response=responses(200, Page[DepartmentOut]),
    tags=[ORGANISATION],
    summary="List departments",
)
def department_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(selectors.department_list(), page)


@router.post(
    "/departments",
    response=responses(201, DepartmentOut),
    tags=[ORGANISATION],
    summary="Create a department",
)
def department_create(request: ApiRequest, payload: DepartmentIn) -> Status[Any]:
    """Departments, teams, roles and skills are kept by administrators and the PMO."""
    return _organisation_create(request, Department, payload)


@router.get(
    "/departments/{item_id}",
    response=responses(200, DepartmentOut),
    tags=[ORGANISATION],
    summary="Get a department",
)
def department_detail(request: ApiRequest, item_id: int) -> Any:
    return _organisation_item(Department, item_id)


@router.patch(
    "/departments/{item_id}",
    response=responses(200, DepartmentOut),
    tags=[ORGANISATION],
    summary="Change a department",
)
def department_update(request: ApiRequest, item_id: int, payload: DepartmentPatch) -> Any:
    return _organisation_update(request, Department, item_id, payload)


@router.delete(
    "/departments/{item_id}",
    response=responses(204, None),
    tags=[ORGANISATION],
    summary="Delete a department",
)
def department_delete(request: ApiRequest, item_id: int) -> Status[None]:
    """Refused while resources or teams belong to it."""
    return _organisation_delete(request, Department, item_id)


@router.get(
    "/teams",
    response=responses(200, Page[TeamOut]),
    tags=[ORGANISATION],
    summary="List teams",
)
def team_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(selectors.team_list(), page)


@router.post(
    "/teams",
    response=responses(201, TeamOut),
    tags=[ORGANISATION],
    summary="Create a team",
)
def team_create(request: ApiRequest, payload: TeamIn) -> Status[Any]:
    return _organisation_create(request, Team, payload)


@router.get(
    "/teams/{item_id}",
    response=responses(200, TeamOut),
    tags=[ORGANISATION],
    summary="Get a team",
)
def team_detail(request: ApiRequest, item_id: int) -> Any:
    return _organisation_item(Team, item_id)


@router.patch(
    "/teams/{item_id}",
    response=responses(200, TeamOut),
    tags=[ORGANISATION],
    summary="Change a team",
)
def team_update(request: ApiRequest, item_id: int, payload: TeamPatch) -> Any:
    return _organisation_update(request, Team, item_id, payload)


@router.delete(
    "/teams/{item_id}",
    response=responses(204, None),
    tags=[ORGANISATION],
    summary="Delete a team",
)
def team_delete(request: ApiRequest, item_id: int) -> Status[None]:
    """Its members stay, without a team."""
    return _organisation_delete(request, Team, item_id)


@router.get(
    "/roles",
    response=responses(200, Page[JobRoleOut]),
    tags=[ORGANISATION],
    summary="List roles",
)
def job_role_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(selectors.job_role_list(), page)


@router.post(
    "/roles",
    response=responses(201, JobRoleOut),
    tags=[ORGANISATION],
    summary="Create a role",
)
def job_role_create(request: ApiRequest, payload: JobRoleIn) -> Status[Any]:
    """What people do (“Senior Java developer”): demand without names is planned by role."""
    return _organisation_create(request, JobRole, payload)


@router.get(
    "/roles/{item_id}",
    response=responses(200, JobRoleOut),
    tags=[ORGANISATION],
    summary="Get a role",
)
def job_role_detail(request: ApiRequest, item_id: int) -> Any:
    return _organisation_item(JobRole, item_id)


@router.patch(
    "/roles/{item_id}",
    response=responses(200, JobRoleOut),
    tags=[ORGANISATION],
    summary="Change a role",
)
def job_role_update(request: ApiRequest, item_id: int, payload: JobRolePatch) -> Any:
    return _organisation_update(request, JobRole, item_id, payload)


@router.delete(
    "/roles/{item_id}",
    response=responses(204, None),
    tags=[ORGANISATION],
    summary="Delete a role",
)
def job_role_delete(request: ApiRequest, item_id: int) -> Status[None]:
    """Refused while resources have it or projects ask for it."""
    return _organisation_delete(request, JobRole, item_id)


@router.get(
    "/skills",
    response=responses(200, Page[SkillOut]),
    tags=[ORGANISATION],
    summary="List skills",
)
def skill_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(selectors.skill_list(), page)


@router.post(
    "/skills",
    response=responses(201, SkillOut),
    tags=[ORGANISATION],
    summary="Create a skill",
)
def skill_create(request: ApiRequest, payload: SkillIn) -> Status[Any]:
    return _organisation_create(request, Skill, payload)


@router.get(
    "/skills/{item_id}",
    response=responses(200, SkillOut),
    tags=[ORGANISATION],
    summary="Get a skill",
)
def skill_detail(request: ApiRequest, item_id: int) -> Any:
    return _organisation_item(Skill, item_id)


@router.patch(
    "/skills/{item_id}",
    response=responses(200, SkillOut),
    tags=[ORGANISATION],
    summary="Change a skill",
)
def skill_update(request: ApiRequest, item_id: int, payload: SkillPatch) -> Any:
    return _organisation_update(request, Skill, item_id, payload)


@router.delete(
    "/skills/{item_id}",
    response=responses(204, None),
    tags=[ORGANISATION],
    summary="Delete a skill",
)
def skill_delete(request: ApiRequest, item_id: int) -> Status[None]:
    """Refused while resources hold it."""
    return _organisation_delete(request, Skill, item_id)


# Role demand ---------------------------------------------------------------------------------


class RoleDemandOut(Schema):
    id: int
    project_id: int
    role_id: int
    role: NamedRef
    month: dt.date = Field(..., description="The first day of the month.")
    units: float = Field(..., description="Full-time equivalents: 1.5 = one and a half people.")


class RoleDemandIn(InputSchema):
    role_id: int
    month: dt.date = Field(..., description="The month: 2027-03 (or any day of it).")
    units: Decimal = Field(
        ..., ge=0, description="Full-time equivalents needed that month; 0 removes the demand."
    )

    @field_validator("month", mode="before")
    @classmethod
    def _month_of_year(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value.strip()):
            return f"{value.strip()}-01"
        return value


@router.get(
    "/projects/{project_id}/role-demand",
    response=responses(200, Page[RoleDemandOut]),
    tags=["demand"],
    summary="List a project's demand by role and month",
)
def role_demand_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """People a project needs by role before it has a task plan, by role then month. Once the
    project has assignments, these count no more in the capacity view."""
    project = project_get_for_user(project_id, user=request.auth)
    return paginate(selectors.role_demand_list(user=request.auth, project=project), page)


@router.put(
    "/projects/{project_id}/role-demand",
    response=responses(200, list[RoleDemandOut]),
    tags=["demand"],
    summary="Set a project's demand by role and month",
)
def role_demand_set(request: ApiRequest, project_id: int, payload: list[RoleDemandIn]) -> list[Any]:
    """Each item sets one role's demand in one month; `units` 0 removes it; the months and
    roles not sent are left as they are. All items are written, or none. Answers the project's
    whole demand. Needs the Change permission on the project."""
    project = project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)
    errors: dict[str, list[str]] = {}
    rows: list[tuple[JobRole, dt.date, Decimal]] = []
    for number, item in enumerate(payload, start=1):
        try:
            role = _organisation_item(JobRole, item.role_id)
        except NotFoundError:
            errors.setdefault("role_id", []).append(
                gettext("Item %(number)d: %(problem)s")
                % {"number": number, "problem": _unknown(JobRole, item.role_id)}
            )
            continue
        rows.append((role, item.month, item.units))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), _input_names():
        for role, month, units in rows:
            services.role_demand_set(
                actor=request.auth, project=project, role=role, month=month, units=units
            )
    return list(selectors.role_demand_list(user=request.auth, project=project))


# Assignments ---------------------------------------------------------------------------------


class TaskRef(Schema):
    id: int
    project_id: int
    position: int = Field(..., description="The row number (the “ID” of Microsoft Project).")
    name: str


class AssignmentOut(Schema):
    id: int
    project_id: int
    task_id: int
    task: TaskRef
    resource_id: int
    resource: ResourceRef
    units: float = Field(..., description=UNITS_HELP)
    work_minutes: int | None = Field(..., description="The work the resource puts in.")
    actual_work_minutes: int | None
    start: dt.datetime | None = Field(
        ..., description="The assignment's start (its task's unless a file gave its own)."
    )
    finish: dt.datetime | None

    @staticmethod
    def resolve_start(assignment: Assignment) -> dt.datetime | None:
        start: dt.datetime | None = assignment.start or assignment.task.start
        return start

    @staticmethod
    def resolve_finish(assignment: Assignment) -> dt.datetime | None:
        finish: dt.datetime | None = assignment.finish or assignment.task.finish
        return finish


class AssignmentIn(InputSchema):
    resource_id: int
    units: Decimal = Field(Decimal(1), ge=0, description=UNITS_HELP)
    work_minutes: int | None = Field(
        None,
        ge=0,
        description="By default units × the task's duration. On an effort-driven task that "
        "already has resources, the task's work is kept and its duration shortens instead.",
    )


class _AssignmentChange(InputSchema):
    units: Decimal = Field(Decimal(1), ge=0, description=UNITS_HELP)
    work_minutes: int | None = Field(None, ge=0)


if TYPE_CHECKING:
    AssignmentPatch = _AssignmentChange
else:
    AssignmentPatch = patch_schema(_AssignmentChange, "AssignmentPatch")


def _assignment(request: ApiRequest, assignment_id: int, action: Action) -> Assignment:
    return selectors.assignment_get_for_user(assignment_id, user=request.auth, action=action)


def _assignment_out(request: ApiRequest, assignment_id: int) -> Assignment:
    # Read again: the plan was scheduled after the change, and the task's dates moved.
    return selectors.assignment_get_for_user(assignment_id, user=request.auth)


@router.get(
    "/tasks/{task_id}/assignments",
    response=responses(200, Page[AssignmentOut]),
    tags=["assignments"],
    summary="List a task's assignments",
)
def task_assignment_list(
    request: ApiRequest, task_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    task = planning_selectors.task_get_for_user(task_id, user=request.auth)
    assignments = selectors.task_assignments(user=request.auth, task=task)
    return paginate(assignments.select_related("task").order_by("resource__name", "pk"), page)


@router.post(
    "/tasks/{task_id}/assignments",
    response=responses(201, AssignmentOut),
    tags=["assignments"],
    summary="Assign a resource to a task",
)
def assignment_create(request: ApiRequest, task_id: int, payload: AssignmentIn) -> Status[Any]:
    """Needs the Change permission on the task's project; the plan is scheduled again."""
    task = planning_selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    values = resolve_references(
        payload.model_dump(),
        {
            "resource_id": (
                "resource",
                lambda pk: selectors.resource_get_for_user(pk, user=request.auth),
            )
        },
    )
    with _input_names():
        assignment = services.assignment_create(actor=request.auth, task=task, **values)
    return Status(201, _assignment_out(request, assignment.pk))


@router.get(
    "/assignments/{assignment_id}",
    response=responses(200, AssignmentOut),
    tags=["assignments"],
    summary="Get an assignment",
)
def assignment_detail(request: ApiRequest, assignment_id: int) -> Any:
    return _assignment(request, assignment_id, Action.VIEW)


@router.patch(
    "/assignments/{assignment_id}",
    response=responses(200, AssignmentOut),
    tags=["assignments"],
    summary="Change an assignment's units or work",
)
def assignment_update(request: ApiRequest, assignment_id: int, payload: AssignmentPatch) -> Any:
    """On an effort-driven task, changing the units alone keeps the task's work: its duration
    follows."""
    assignment = _assignment(request, assignment_id, Action.CHANGE)
    with _input_names():
        services.assignment_update(actor=request.auth, assignment=assignment, **payload.sent())
    return _assignment_out(request, assignment_id)


@router.delete(
    "/assignments/{assignment_id}",
    response=responses(204, None),
    tags=["assignments"],
    summary="Remove a resource from a task",
)
def assignment_delete(request: ApiRequest, assignment_id: int) -> Status[None]:
    assignment = _assignment(request, assignment_id, Action.CHANGE)
    services.assignment_delete(actor=request.auth, assignment=assignment)
    return Status(204, None)


# Demand against capacity ---------------------------------------------------------------------


class WindowParams(Schema):
    start: dt.date | None = Field(None, description="First day; by default this week's Monday.")
    finish: dt.date | None = Field(
        None, description=f"Last day; by default {DEFAULT_WEEKS} weeks after the start."
    )
    period: PeriodName = Field("week", description="week or month.")


class CapacityParams(WindowParams):
    group_by: GroupName = Field(
        "person", description="person, role, skill, department or team: what a row is."
    )
    department: int | None = Field(None, description="Only the resources of this department.")
    team: int | None = Field(None, description="Only the resources of this team.")
    role: int | None = Field(None, description="Only the resources with this role.")
    skill: int | None = Field(None, description="Only the resources holding this skill.")


class CellParams(CapacityParams):
    key: str = Field(..., description="A row's key, as the report gives it (resource-12).")
    index: int = Field(..., ge=0, description="The period's index, from 0.")


def default_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """This week's Monday, and the Sunday ``DEFAULT_WEEKS`` weeks later."""
    start = today - dt.timedelta(days=today.weekday())
    return start, start + dt.timedelta(weeks=DEFAULT_WEEKS, days=-1)


def _filters(params: WindowParams) -> capacity.CapacityFilters:
    start, finish = default_window(dt.date.today())
    start = params.start or start
    if params.finish is not None:
        finish = params.finish
    elif params.start is not None:
        finish = default_window(start)[1]
    if finish < start:
        raise ValidationError({"finish": [gettext("The end of the period is before its start.")]})
    if (finish - start).days >= MAX_DAYS:
        raise ValidationError({"finish": [gettext("Ask for at most three years at a time.")]})
    if isinstance(params, CapacityParams):
        wanted = {
            "department": params.department,
            "team": params.team,
            "role": params.role,
            "skill": params.skill,
        }
        _check_filter_ids(wanted)
        return capacity.CapacityFilters(
            start=start, finish=finish, period=params.period, group_by=params.group_by, **wanted
        )
    return capacity.CapacityFilters(start=start, finish=finish, period=params.period)


class PeriodOut(Schema):
    index: int
    start: dt.date = Field(..., description="The period's first day (a Monday, or the 1st).")
    label: str = Field(..., description="2026-W10 or Mar 2026.")


class CapacityRowOut(Schema):
    key: str = Field(..., description="resource-12, role-3, skill-5, department-2, team-4.")
    label: str
    resource_ids: list[int] = Field(..., description="The resources the row adds up.")
    capacity_hours: list[float] = Field(..., description="One value per period.")
    load_hours: list[float] = Field(..., description="Assigned work, business as usual, demand.")
    percent: list[float | None] = Field(
        ..., description="Load in % of capacity; null: load without any capacity."
    )
    overloaded: list[bool]

    @staticmethod
    def resolve_resource_ids(row: capacity.CapacityRow) -> list[int]:
        return list(row.resources)

    @staticmethod
    def resolve_percent(row: capacity.CapacityRow) -> list[float | None]:
        return [None if value is None else round(value, 1) for value in row.percents]


class ContributionOut(Schema):
    """One part of a load: a task of a project, a project's role demand, business as usual, or
    the projects the caller may not see, summed as “other projects”."""

    label: str = Field(..., description="In words, with its share: “New CRM, Build 60 %”.")
    project: Ref | None
    task_id: int | None
    task_name: str
    hours: float
    percent: float | None = Field(..., description="In % of the capacity of the period.")

    @staticmethod
    def resolve_percent(part: capacity.Contribution) -> float | None:
        return None if part.percent is None else round(part.percent, 1)


class ConflictOut(Schema):
    resource: ResourceRef
    period_index: int
    period: str = Field(..., description="The period in words: “week 12 of 2027”.")
    percent: float | None = Field(..., description="Null: work without any capacity.")
    load_hours: float
    capacity_hours: float
    sentence: str = Field(
        ...,
        description="“Alice Martin is at 160 % in week 12 of 2027: Project A, task X 100 %; "
        "Project B, task Y 60 %”.",
    )
    contributions: list[ContributionOut]

    @staticmethod
    def resolve_period(conflict: capacity.Conflict) -> str:
        return conflict.period_label

    @staticmethod
    def resolve_percent(conflict: capacity.Conflict) -> float | None:
        return None if conflict.percent is None else round(conflict.percent, 1)


class CapacityOut(Schema):
    start: dt.date
    finish: dt.date
    period: PeriodName
    group_by: GroupName
    periods: list[PeriodOut]
    rows: list[CapacityRowOut]
    conflicts: list[ConflictOut] = Field(
        ..., description="Each person over capacity in a period (when rows are people)."
    )


class CellOut(Schema):
    key: str
    label: str
    period_index: int
    period: str
    capacity_hours: float
    load_hours: float
    percent: float | None
    contributions: list[ContributionOut]


class HistogramSeriesOut(Schema):
    label: str = Field(..., description="A project, “business as usual” or “other projects”.")
    hours: list[float]


class HistogramOut(Schema):
    resource_id: int
    period: PeriodName
    periods: list[str]
    capacity_hours: list[float]
    series: list[HistogramSeriesOut]


def _periods(report: capacity.CapacityReport) -> list[dict[str, Any]]:
    return [
        {"index": index, "start": first, "label": label}
        for index, (first, label) in enumerate(
            zip(report.period_firsts, report.period_labels, strict=True)
        )
    ]


@router.get(
    "/capacity",
    response=responses(200, CapacityOut),
    tags=["capacity"],
    summary="Demand against capacity across all projects",
)
def capacity_matrix(request: ApiRequest, params: Query[CapacityParams]) -> dict[str, Any]:
    """Hours of capacity and load per row (person, role, skill, department or team) and
    period, with every project's assignments, business as usual and the role demand of projects
    without assignments; and, by person, each over-allocation with the tasks behind it. Projects
    the caller may not see are counted but not named."""
    filters = _filters(params)
    report = capacity.capacity_report(user=request.auth, filters=filters)
    return {
        "start": filters.start,
        "finish": filters.finish,
        "period": filters.period,
        "group_by": filters.group_by,
        "periods": _periods(report),
        "rows": report.rows,
        "conflicts": report.conflicts,
    }


@router.get(
    "/capacity/cell",
    response=responses(200, CellOut),
    tags=["capacity"],
    summary="What makes up one cell of the capacity matrix",
)
def capacity_cell(request: ApiRequest, params: Query[CellParams]) -> dict[str, Any]:
    """The same filters as `/capacity`, with a row `key` and a period `index`: the projects and
    tasks behind that load, with their hours and share of the capacity."""
    filters = _filters(params)
    detail = capacity.capacity_cell(
        user=request.auth, filters=filters, key=params.key, index=params.index
    )
    if detail is None:
        raise NotFoundError()
    return {
        "key": detail.row.key,
        "label": detail.row.label,
        "period_index": params.index,
        "period": detail.period_label,
        "capacity_hours": detail.row.capacity_hours[params.index],
        "load_hours": detail.row.load_hours[params.index],
        "percent": None if detail.percent is None else round(detail.percent, 1),
        "contributions": detail.contributions,
    }


@router.get(
    "/resources/{resource_id}/histogram",
    response=responses(200, HistogramOut),
    summary="A resource's load per period, by project",
)
def resource_histogram(
    request: ApiRequest, resource_id: int, params: Query[WindowParams]
) -> dict[str, Any]:
    """Hours per period of each project (and business as usual) against the capacity."""
    resource = _resource(request, resource_id)
    filters = _filters(params)
    histogram = capacity.resource_histogram(user=request.auth, resource=resource, filters=filters)
    return {
        "resource_id": resource.pk,
        "period": filters.period,
        "periods": histogram.period_labels,
        "capacity_hours": histogram.capacity_hours,
        "series": [{"label": label, "hours": hours} for label, hours in histogram.series],
    }


# Leveling ------------------------------------------------------------------------------------

LEVELING = "leveling"


class LevelingIn(InputSchema):
    """What to level: exactly one of `project_ids`, `portfolio_id` or `programme_id`."""

    project_ids: list[int] | None = Field(
        None, description="These projects, leveled together (Change needed on each)."
    )
    portfolio_id: int | None = Field(
        None, description="Every project of the portfolio that has tasks (Change needed on each)."
    )
    programme_id: int | None = Field(
        None, description="Every project of the programme that has tasks (Change needed on each)."
    )
    mode: LevelingMode = Field(
        LevelingMode.FAST,
        description="fast: heuristics, about a second; optimise: a longer search that can "
        "prove the shortest finish.",
    )
    within_slack: bool = Field(
        False, description="Only delay tasks within their total float: no finish moves."
    )
    time_limit_seconds: float | None = Field(
        None, gt=0, le=600, description="Stop searching after this long (default 1, 30 optimise)."
    )
    seed: int = Field(0, ge=0, description="The same seed gives the same result.")


class LevelingOptionsOut(Schema):
    within_slack: bool
    time_limit_seconds: float | None
    seed: int


class LeveledProjectOut(Schema):
    id: int
    code: str
    name: str
    finish_before: dt.datetime | None
    finish_after: dt.datetime | None
    delay_days: float = Field(..., description="How much later the project finishes, in days.")
    tasks_moved: int = Field(..., description="Its tasks that leveling delays.")


class LevelingTaskRef(Schema):
    """A task using the same resource; all empty when its project is hidden from the caller."""

    project_id: int | None
    project: str
    task_id: int | None
    name: str


class LevelingReasonOut(Schema):
    resource_id: int
    resource: str
    when: dt.datetime | None = Field(..., description="When the task could have started.")
    delay_minutes: int
    competing: list[LevelingTaskRef] = Field(..., description="Who used the resource then.")


class LeveledTaskOut(Schema):
    project_id: int
    task_id: int
    name: str
    start_before: dt.datetime | None
    finish_before: dt.datetime | None
    start: dt.datetime | None = Field(..., description="The start once leveled.")
    finish: dt.datetime | None = Field(..., description="The finish once leveled.")
    delay_minutes: int = Field(..., description="The leveling delay, in wall-clock minutes.")
    delay_unit: str = Field(..., description="How the delay reads: ed, eh or em (elapsed).")
    reasons: list[LevelingReasonOut] = Field(..., description="The resources it waits for.")


class UnresolvedOut(Schema):
    resource_id: int
    resource: str
    start: dt.datetime | None
    finish: dt.datetime | None
    tasks: list[LevelingTaskRef]


class RelatedProjectOut(Schema):
    id: int
    code: str


class LevelingStatsOut(Schema):
    seconds: float
    schedules: int = Field(..., description="Schedules the search generated.")
    method: str = Field(..., description="The method that found the result.")
    optimal: bool = Field(..., description="Whether the result is proven the shortest.")
    time_limit_reached: bool
    period_minutes: int = Field(..., description="The time step of the search.")


class LevelingSummaryOut(Schema):
    id: int
    status: LevelingStatus = Field(..., description="preview, accepted or discarded.")
    created_at: dt.datetime
    created_by: UserRef | None
    decided_at: dt.datetime | None
    decided_by: UserRef | None
    mode: LevelingMode
    options: LevelingOptionsOut
    projects: list[LeveledProjectOut]
    tasks_moved: int = Field(..., description="Tasks delayed, in all its projects.")
    unresolved_count: int = Field(..., description="Over-allocations leveling left.")
    stats: LevelingStatsOut


class LevelingRunOut(LevelingSummaryOut):
    tasks: list[LeveledTaskOut] = Field(
        ..., description="The tasks that leveling moves or delays, with the reasons."
    )
    related: list[RelatedProjectOut] = Field(
        ..., description="Other projects using the same resources, counted but never moved."
    )
    unresolved: list[UnresolvedOut] = Field(
        ..., description="Over-allocations left: fixed tasks, or no room within slack."
    )


class LevelingFilters(Schema):
    status: LevelingStatus | None = Field(None, description="preview, accepted or discarded.")
    project: int | None = Field(None, description="Only the runs that level this project.")


class LevelingClearOut(Schema):
    cleared: int = Field(..., description="How many tasks lost their leveling delay.")


def _leveling_runs(user: Any) -> models.QuerySet[LevelingRun]:
    return leveling.leveling_run_list(user=user)


def _leveling_run(request: ApiRequest, run_id: int) -> LevelingRun:
    try:
        return _leveling_runs(request.auth).get(pk=run_id)
    except LevelingRun.DoesNotExist as exc:
        raise NotFoundError() from exc


def _referenced_projects(runs: list[LevelingRun]) -> set[int]:
    ids: set[int] = set()
    for run in runs:
        result = run.result
        ids.update(row["project_id"] for row in result.get("related", []))
        for item in [*result.get("tasks", []), *result.get("unresolved", [])]:
            for reason in item.get("reasons", []):
                ids.update(ref["project_id"] for ref in reason["competing"])
            ids.update(ref["project_id"] for ref in item.get("tasks", []))
    ids.discard(None)
    return ids


def _leveling_out(user: Any, runs: list[LevelingRun], *, full: bool) -> list[dict[str, Any]]:
    """The runs as the caller may read them: the tasks of projects they may not see (other
    projects sharing a resource) are left unnamed."""
    referenced = _referenced_projects(runs) if full else set()
    shown = set(
        visible(user, Project.objects.filter(pk__in=referenced)).values_list("pk", flat=True)
    )

    def ref(task: Mapping[str, Any]) -> dict[str, Any]:
        if task["project_id"] in shown:
            return dict(task)
        return {"project_id": None, "project": "", "task_id": None, "name": ""}

    answers = []
    for run in runs:
        result = run.result
        # A project deleted since is no longer the run's: it is not shown.
        own = {project.pk for project in run.projects.all()}
        projects = [
            {**row, "id": row["project_id"]}
            for row in result.get("projects", [])
            if row["project_id"] in own
        ]
        answer: dict[str, Any] = {
            "id": run.pk,
            "status": run.status,
            "created_at": run.created_at,
            "created_by": run.created_by,
            "decided_at": run.decided_at,
            "decided_by": run.decided_by,
            "mode": run.mode,
            "options": {
                "within_slack": run.within_slack,
                "time_limit_seconds": run.time_limit_seconds,
                "seed": run.seed,
            },
            "projects": projects,
            "tasks_moved": sum(row["tasks_moved"] for row in projects),
            "unresolved_count": len(result.get("unresolved", [])),
            "stats": result.get("stats", {}),
        }
        if full:
            answer["tasks"] = [
                {
                    **task,
                    "reasons": [
                        {**reason, "competing": [ref(other) for other in reason["competing"]]}
                        for reason in task["reasons"]
                    ],
                }
                for task in result.get("tasks", [])
                if task["project_id"] in own
                and (
                    task["delay_minutes"]
                    or (task["start"], task["finish"])
                    != (task["start_before"], task["finish_before"])
                )
            ]
            answer["related"] = [
                {"id": row["project_id"], "code": row["code"]}
                for row in result.get("related", [])
                if row["project_id"] in shown
            ]
            answer["unresolved"] = [
                {**item, "tasks": [ref(task) for task in item["tasks"]]}
                for item in result.get("unresolved", [])
            ]
        answers.append(answer)
    return answers


def _leveling_detail(request: ApiRequest, run_id: int) -> dict[str, Any]:
    return _leveling_out(request.auth, [_leveling_run(request, run_id)], full=True)[0]


def _projects_of(request: ApiRequest, container: Portfolio | Programme) -> list[Project]:
    """The projects of a portfolio or programme that have tasks; the caller must be allowed
    to change each of them."""
    scope = (
        {"portfolio": container} if isinstance(container, Portfolio) else {"programme": container}
    )
    projects = list(
        Project.objects.filter(**scope)
        .filter(models.Exists(Task.objects.filter(project=models.OuterRef("pk"))))
        .order_by("code")
    )
    if any(not can(request.auth, Action.CHANGE, project) for project in projects):
        raise ForbiddenError(
            gettext("Leveling them needs the permission to change each of their projects.")
        )
    return projects


def _leveling_scope(request: ApiRequest, payload: LevelingIn) -> list[Project]:
    given = [
        name
        for name in ("project_ids", "portfolio_id", "programme_id")
        if getattr(payload, name) is not None
    ]
    if len(given) != 1:
        raise ValidationError(
            gettext("Give exactly one of project_ids, portfolio_id and programme_id.")
        )
    user = request.auth
    if payload.portfolio_id is not None:
        return _projects_of(request, portfolio_get_for_user(payload.portfolio_id, user=user))
    if payload.programme_id is not None:
        return _projects_of(request, programme_get_for_user(payload.programme_id, user=user))
    ids = list(dict.fromkeys(payload.project_ids or []))
    return [project_get_for_user(pk, user=user, action=Action.CHANGE) for pk in ids]


@router.post(
    "/leveling",
    response=responses(201, LevelingRunOut),
    tags=[LEVELING],
    summary="Level projects together and preview the result",
)
def leveling_create(request: ApiRequest, payload: LevelingIn) -> Status[Any]:
    """Delays tasks until the people and equipment they need are free, across the chosen
    projects, and answers the preview: each project's finish before and after, the tasks that
    move with the resources they wait for, and what is left over-allocated. No plan changes
    until `accept`. Other projects using the same resources count as they are. Plans that
    cannot be leveled (a task needing more of a resource than it ever has, a cycle) are refused
    with a 422 that names the task and the resource."""
    projects = _leveling_scope(request, payload)
    run = leveling.leveling_preview(
        actor=request.auth,
        projects=projects,
        mode=payload.mode,
        within_slack=payload.within_slack,
        time_limit_seconds=payload.time_limit_seconds,
        seed=payload.seed,
    )
    return Status(201, _leveling_detail(request, run.pk))


@router.get(
    "/leveling",
    response=responses(200, Page[LevelingSummaryOut]),
    tags=[LEVELING],
    summary="List leveling runs",
)
def leveling_list(
    request: ApiRequest, filters: Query[LevelingFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Newest first; only the runs whose projects the caller may all see. Get a run for its
    tasks."""
    runs = _leveling_runs(request.auth)
    if filters.status is not None:
        runs = runs.filter(status=filters.status)
    if filters.project is not None:
        runs = runs.filter(projects=filters.project)
    answer = paginate(runs, page)
    answer["items"] = _leveling_out(request.auth, answer["items"], full=False)
    return answer


@router.get(
    "/leveling/{run_id}",
    response=responses(200, LevelingRunOut),
    tags=[LEVELING],
    summary="Get a leveling run",
)
def leveling_detail(request: ApiRequest, run_id: int) -> dict[str, Any]:
    return _leveling_detail(request, run_id)


@router.post(
    "/leveling/{run_id}/accept",
    response=responses(200, LevelingRunOut),
    tags=[LEVELING],
    summary="Accept a leveling preview",
)
def leveling_accept(request: ApiRequest, run_id: int) -> dict[str, Any]:
    """Writes the tasks' leveling delays and schedules the projects again; earlier delays of
    these projects are replaced. Refused (422) once the run is accepted or discarded, or when
    a task or an assignment of its projects changed since the preview: level again."""
    run = _leveling_run(request, run_id)
    leveling.leveling_accept(actor=request.auth, run=run)
    return _leveling_detail(request, run_id)


@router.post(
    "/leveling/{run_id}/discard",
    response=responses(200, LevelingRunOut),
    tags=[LEVELING],
    summary="Discard a leveling preview",
)
def leveling_discard(request: ApiRequest, run_id: int) -> dict[str, Any]:
    """The plans stay as they are. Refused (422) once the run is accepted or discarded."""
    run = _leveling_run(request, run_id)
    leveling.leveling_discard(actor=request.auth, run=run)
    return _leveling_detail(request, run_id)


@router.post(
    "/projects/{project_id}/leveling/clear",
    response=responses(200, LevelingClearOut),
    tags=[LEVELING],
    summary="Remove a project's leveling delays",
)
def leveling_clear(request: ApiRequest, project_id: int) -> dict[str, int]:
    """Every task of the project loses its leveling delay and the plan is scheduled again."""
    project = project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)
    return {"cleared": leveling.leveling_clear(actor=request.auth, project=project)}
