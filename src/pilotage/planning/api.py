"""REST operations on plans: settings, tasks, dependencies, calendars, baselines and health.

Plan dates are wall-clock times at the project's site: they are read and written as ISO 8601
date-times without a time zone (``2026-03-02T08:00:00``). Durations and lags are read either as
planners type them (``5d``, ``-1d``, ``50%``) or as minutes with a unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from pilotage.accounts.api import UserRef
from pilotage.accounts.permissions import Action
from pilotage.core.api import (
    ApiRequest,
    HistoryEntryOut,
    InputSchema,
    Page,
    PageParams,
    Ref,
    history_page,
    input_names,
    paginate,
    patch_schema,
    resolve_references,
    responses,
)
from pilotage.core.errors import NotFoundError
from pilotage.planning import adapters, selectors, services
from pilotage.planning.health import project_health
from pilotage.planning.models import (
    ConstraintType,
    Dependency,
    DurationUnit,
    LinkType,
    ProjectPlan,
    Recurrence,
    Task,
    WorkCalendar,
)
from pilotage.planning.parsing import Quantity, format_quantity, parse_quantity
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_get_for_user

router = Router(tags=["plans"])

DATE_TIME = "ISO 8601 without a time zone: wall-clock time at the project's site."

# The services name model fields; the inputs of these operations name them as below.
INPUT_NAMES = {
    "calendar": "calendar_id",
    "base": "base_id",
    "parent": "parent_id",
    "predecessor": "predecessor_id",
    "successor": "successor_id",
    "is_milestone": "milestone",
    "is_primary": "primary",
    "is_effort_driven": "effort_driven",
}


def _input_names(typed: Mapping[str, str] | None = None) -> AbstractContextManager[None]:
    """Report a service's validation errors under the names of this API's input fields.

    ``typed`` maps the fields a text input was read into (``duration_minutes``) back to that
    input (``duration``), when the caller sent the text.
    """
    return input_names({**INPUT_NAMES, **(typed or {})})


DURATION_FIELDS = {"duration_minutes": "duration", "duration_unit": "duration"}
LAG_FIELDS = {"lag_minutes": "lag", "lag_unit": "lag", "lag_percent": "lag"}


def _check_wall_clock(values: Mapping[str, Any]) -> None:
    """Refuse date-times with a time zone: plan dates are not converted between zones."""
    errors = {
        name: [
            gettext(
                "Send the date and time without a time zone (plan dates are wall-clock times), "
                "for example 2026-03-02T08:00:00."
            )
        ]
        for name, value in values.items()
        if isinstance(value, dt.datetime) and value.tzinfo is not None
    }
    if errors:
        raise ValidationError(errors)


def _project(request: ApiRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return project_get_for_user(project_id, user=request.auth, action=action)


def _projects(request: ApiRequest) -> Any:
    return lambda pk: project_get_for_user(pk, user=request.auth)


def _calendars(request: ApiRequest) -> Any:
    return lambda pk: selectors.calendar_get_for_user(pk, user=request.auth)


def _tasks(request: ApiRequest) -> Any:
    return lambda pk: selectors.task_get_for_user(pk, user=request.auth)


def _minutes_per_day(project: Project, calendar: WorkCalendar | None = None) -> int:
    """The length of a working day for durations typed in days: the task's calendar's, else the
    project calendar's."""
    if calendar is not None:
        return int(calendar.minutes_per_day)
    plan = services.plan_for(project)
    return int(plan.calendar.minutes_per_day) if plan.calendar_id and plan.calendar else 480


def _day_of(task: Task, plan_minutes_per_day: int) -> int:
    """The working day a task's durations and the lags of the links into it are counted in."""
    if task.calendar_id and task.calendar:
        return int(task.calendar.minutes_per_day)
    return plan_minutes_per_day


def _quantity(text: str, *, field: str, minutes_per_day: int, lag: bool = False) -> Quantity:
    """Read ``5d`` (or, for a lag, ``-1d``, ``+2h``, ``50%``); errors are reported on ``field``."""
    stripped = text.strip()
    sign = -1 if lag and stripped.startswith("-") else 1
    if lag:
        stripped = stripped.lstrip("+-").strip()
    try:
        quantity = parse_quantity(stripped, minutes_per_day=minutes_per_day, allow_percent=lag)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if sign < 0:
        percent = None if quantity.percent is None else -quantity.percent
        quantity = Quantity(-quantity.minutes, quantity.unit, percent)
    return quantity


def _not_both(values: dict[str, Any], text_field: str, others: Sequence[str]) -> None:
    if str(values.get(text_field) or "").strip() and any(name in values for name in others):
        raise ValidationError(
            {
                text_field: [
                    gettext("Give either %(text)s or %(others)s, not both.")
                    % {"text": text_field, "others": ", ".join(others)}
                ]
            }
        )


class Timestamps(Schema):
    created_at: dt.datetime
    updated_at: dt.datetime


class CalendarRef(Schema):
    id: int
    name: str


class TaskRef(Schema):
    """A short reference to a task: its id, its project and its row ID."""

    id: int
    project_id: int
    position: int = Field(..., description="The row number (the “ID” of Microsoft Project).")
    name: str


# Plans --------------------------------------------------------------------------------------


class PlanOut(Schema):
    project_id: int
    start: dt.datetime | None = Field(..., description=DATE_TIME)
    status_date: dt.datetime | None = Field(..., description=DATE_TIME)
    calendar_id: int | None = Field(..., description="The project calendar; null: standard.")
    calendar: CalendarRef | None
    finish: dt.datetime | None = Field(..., description="The scheduled finish. " + DATE_TIME)
    calculated_at: dt.datetime | None = Field(
        ..., description="When the plan was last scheduled (with a time zone)."
    )
    task_count: int
    critical_count: int = Field(..., description="Critical tasks that are not summary tasks.")
    issues: dict[str, list[int]] = Field(
        ...,
        description="Task ids with an unmet constraint, negative float or a missed deadline, "
        "by kind: unmet_constraints, negative_float, missed_deadlines.",
    )
    health_score: float | None = Field(
        ..., description="Share of the schedule health checks passed, in percent."
    )
    health_rating: str = Field(..., description="green, amber, red, or empty.")


class PlanIn(InputSchema):
    start: dt.datetime = Field(..., description="The project's planned start. " + DATE_TIME)
    status_date: dt.datetime | None = Field(
        None, description="The date progress was recorded up to. " + DATE_TIME
    )
    calendar_id: int | None = Field(
        None, description="A shared calendar or one of the project's; null: the standard one."
    )


if TYPE_CHECKING:
    PlanPatch = PlanIn
else:
    PlanPatch = patch_schema(PlanIn, "PlanPatch")


def _plan_out(project: Project) -> ProjectPlan:
    plan = services.plan_for(project)
    # The summary is written by the scheduling service straight to the database.
    plan.refresh_from_db()
    return plan


@router.get(
    "/projects/{project_id}/plan",
    response=responses(200, PlanOut),
    summary="Get a project's plan settings and schedule summary",
)
def plan_detail(request: ApiRequest, project_id: int) -> Any:
    return services.plan_for(_project(request, project_id))


@router.patch(
    "/projects/{project_id}/plan",
    response=responses(200, PlanOut),
    summary="Change a project's plan settings",
)
def plan_update(request: ApiRequest, project_id: int, payload: PlanPatch) -> Any:
    """The plan is scheduled again; its tasks' dates change accordingly."""
    project = _project(request, project_id, Action.CHANGE)
    changes = payload.sent()
    _check_wall_clock(changes)
    changes = resolve_references(changes, {"calendar_id": ("calendar", _calendars(request))})
    with _input_names():
        services.plan_update(actor=request.auth, project=project, **changes)
    return _plan_out(project)


@router.post(
    "/projects/{project_id}/plan/recalculate",
    response=responses(200, PlanOut),
    summary="Schedule a project's plan again",
)
def plan_recalculate(request: ApiRequest, project_id: int) -> Any:
    """Every change schedules the plan already; this is for after a change elsewhere (a
    calendar's public holidays, for instance). Projects whose tasks follow this project's are
    scheduled again too. Needs the Change permission on the project."""
    project = _project(request, project_id, Action.CHANGE)
    with transaction.atomic():
        services.recalculate(project)
    return _plan_out(project)


@router.get(
    "/projects/{project_id}/plan/history",
    response=responses(200, Page[HistoryEntryOut]),
    summary="History of a project's plan settings",
)
def plan_history(request: ApiRequest, project_id: int, page: Query[PageParams]) -> dict[str, Any]:
    return history_page(services.plan_for(_project(request, project_id)), page)


# Tasks --------------------------------------------------------------------------------------


@dataclass
class TaskRow:
    """A task with the texts the API shows beside it (its other attributes are the task's)."""

    task: Task
    predecessors: str
    duration: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.task, name)


class TaskOut(Timestamps):
    id: int
    project_id: int
    position: int = Field(..., description="The row number (the “ID” of Microsoft Project).")
    wbs: str = Field(..., description="The custom WBS code; empty: the outline number is used.")
    wbs_code: str = Field(..., description="The WBS code shown: wbs, else the outline number.")
    outline_number: str = Field(..., description="1, 1.1, 1.2, 2 ...: from the outline.")
    outline_level: int
    parent_id: int | None = Field(..., description="The summary task it is under.")
    name: str
    notes: str
    summary: bool = Field(..., description="Whether it has subtasks (computed).")
    milestone: bool
    duration: str = Field(..., description="As typed: 5d, 2w, 4h, 3ed ...; empty for a summary.")
    duration_minutes: int = Field(..., description="Working minutes (wall-clock if elapsed).")
    duration_unit: DurationUnit
    work_minutes: int | None
    constraint_type: ConstraintType
    constraint_date: dt.datetime | None = Field(..., description=DATE_TIME)
    deadline: dt.datetime | None = Field(..., description=DATE_TIME)
    calendar_id: int | None = Field(..., description="The task's own calendar, if any.")
    percent_complete: float
    actual_start: dt.datetime | None = Field(..., description=DATE_TIME)
    actual_finish: dt.datetime | None = Field(..., description=DATE_TIME)
    predecessors: str = Field(
        ...,
        description="As in Microsoft Project: 3FS+2d; 5SS; a task of another project as CODE:ID.",
    )
    start: dt.datetime | None = Field(..., description="Scheduled. " + DATE_TIME)
    finish: dt.datetime | None = Field(..., description="Scheduled. " + DATE_TIME)
    early_start: dt.datetime | None
    early_finish: dt.datetime | None
    late_start: dt.datetime | None
    late_finish: dt.datetime | None
    total_float_minutes: int | None = Field(..., description="Working minutes; negative: late.")
    free_float_minutes: int | None
    critical: bool
    priority: int = Field(..., description="0 to 1000; leveling delays lower priorities first.")
    effort_driven: bool = Field(
        ..., description="Adding resources keeps the work and shortens the duration."
    )
    leveling_delay_minutes: int = Field(
        ..., description="Added to the start by resource leveling (see leveling_delay_unit)."
    )
    leveling_delay_unit: DurationUnit
    fixed_cost: Decimal | None = Field(
        ..., description="A cost besides the work of its resources, in the project currency."
    )

    @staticmethod
    def resolve_summary(row: TaskRow) -> bool:
        return bool(row.task.is_summary)

    @staticmethod
    def resolve_milestone(row: TaskRow) -> bool:
        return bool(row.task.is_milestone)

    @staticmethod
    def resolve_critical(row: TaskRow) -> bool:
        return bool(row.task.is_critical)

    @staticmethod
    def resolve_effort_driven(row: TaskRow) -> bool:
        return bool(row.task.is_effort_driven)

    @staticmethod
    def resolve_wbs_code(row: TaskRow) -> str:
        return str(row.task.wbs_code)


class _TaskFields(InputSchema):
    name: str
    notes: str = ""
    wbs: str = Field("", description="A custom WBS code; empty to use the outline number.")
    milestone: bool = Field(False, description="By default, true when the duration is 0.")
    duration: str = Field(
        "",
        description="As typed in a plan: 5d, 2w, 4h, 1mo, 3ed (elapsed days), 0 for a "
        "milestone. Or give duration_minutes and duration_unit.",
    )
    duration_minutes: int = Field(480, ge=0, description="Working minutes (wall-clock if elapsed).")
    duration_unit: DurationUnit = Field(
        DurationUnit.DAYS, description="The unit the duration is shown in."
    )
    work_minutes: int | None = Field(None, ge=0)
    constraint_type: ConstraintType = ConstraintType.ASAP
    constraint_date: dt.datetime | None = Field(
        None, description="Needed by every constraint but ASAP and ALAP. " + DATE_TIME
    )
    deadline: dt.datetime | None = Field(None, description=DATE_TIME)
    calendar_id: int | None = Field(None, description="A calendar of the task's own, if any.")
    percent_complete: float = Field(0, ge=0, le=100)
    actual_start: dt.datetime | None = Field(None, description=DATE_TIME)
    actual_finish: dt.datetime | None = Field(None, description=DATE_TIME)
    priority: int = Field(500, ge=0, le=1000, description="Leveling delays lower ones first.")
    effort_driven: bool = Field(
        False, description="Adding resources keeps the work and shortens the duration."
    )
    fixed_cost: Decimal | None = Field(
        None, ge=0, description="A cost besides the work of its resources, in the project currency."
    )
    predecessors: str = Field(
        "",
        description="The task's predecessors in its project, by row ID: 3FS+2d; 5SS; 7FF-1d. "
        "Replaces the links from tasks of the same project.",
    )


class TaskIn(_TaskFields):
    position: int | None = Field(
        None, ge=1, description="Insert at this row (the rows below move down); null: append."
    )
    outline_level: int | None = Field(
        None, ge=1, description="By default, the level of the row it is inserted before."
    )


if TYPE_CHECKING:
    TaskPatch = _TaskFields
else:
    TaskPatch = patch_schema(_TaskFields, "TaskPatch")


class MoveIn(InputSchema):
    position: int = Field(..., ge=1, description="The row the task (with its subtasks) moves to.")


def _task_values(
    request: ApiRequest, values: dict[str, Any], project: Project, task: Task | None
) -> tuple[dict[str, Any], str | None]:
    """The service arguments for the fields sent: references resolved, the duration read."""
    _check_wall_clock(values)
    predecessors = values.pop("predecessors", None)
    if "milestone" in values:
        values["is_milestone"] = values.pop("milestone")
    if "effort_driven" in values:
        values["is_effort_driven"] = values.pop("effort_driven")
    if "duration" in values and not values["duration"].strip():
        # An empty text gives no duration (the default one for a new task).
        del values["duration"]
        if task is not None and "duration_minutes" not in values:
            raise ValidationError({"duration": [gettext("Enter a duration, for example 5d.")]})
    _not_both(values, "duration", ("duration_minutes", "duration_unit"))
    values = resolve_references(values, {"calendar_id": ("calendar", _calendars(request))})
    chosen = values.get("calendar")
    if chosen is not None and chosen.project_id not in (None, project.pk):
        raise ValidationError(
            {"calendar_id": [gettext("This calendar belongs to another project.")]}
        )
    text = values.pop("duration", None)
    if text is not None:
        calendar = values["calendar"] if "calendar" in values else getattr(task, "calendar", None)
        quantity = _quantity(
            text, field="duration", minutes_per_day=_minutes_per_day(project, calendar)
        )
        values["duration_minutes"], values["duration_unit"] = quantity.minutes, quantity.unit
    return values, predecessors


def _task_rows(user: Any, project: Project, tasks: list[Task]) -> list[TaskRow]:
    """The tasks with their predecessors and durations as text (a fixed number of queries)."""
    minutes_per_day = _minutes_per_day(project)
    links: dict[int, list[Dependency]] = {task.pk: [] for task in tasks}
    if tasks:
        for link in selectors.dependency_list(user=user, project=project).filter(
            successor__in=list(links)
        ):
            links[link.successor_id].append(link)
    rows = []
    for task in tasks:
        predecessors = services.predecessors_cell(
            task, links[task.pk], minutes_per_day=_day_of(task, minutes_per_day)
        )
        rows.append(
            TaskRow(
                task=task,
                predecessors=predecessors,
                duration=selectors.duration_text(task, minutes_per_day),
            )
        )
    return rows


def _task_row(request: ApiRequest, task: Task) -> TaskRow:
    return _task_rows(request.auth, task.project, [task])[0]


@router.get(
    "/projects/{project_id}/tasks",
    response=responses(200, Page[TaskOut]),
    tags=["tasks"],
    summary="List a project's tasks",
)
def task_list(request: ApiRequest, project_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """In row order, with their scheduled dates, floats and predecessors."""
    project = _project(request, project_id)
    result = paginate(selectors.task_list(user=request.auth, project=project), page)
    result["items"] = _task_rows(request.auth, project, result["items"])
    return result


@router.post(
    "/projects/{project_id}/tasks",
    response=responses(201, TaskOut),
    tags=["tasks"],
    summary="Add a task to a project",
)
def task_create(request: ApiRequest, project_id: int, payload: TaskIn) -> Status[Any]:
    """Inserted at row `position` (appended by default); the plan is scheduled again, and
    refused with nothing saved if it cannot be (a cycle of links names the tasks)."""
    project = _project(request, project_id, Action.CHANGE)
    sent = payload.sent()
    values, predecessors = _task_values(request, sent, project, None)
    with _input_names(DURATION_FIELDS if sent.get("duration") else None):
        task = services.task_create(
            actor=request.auth, project=project, predecessors=predecessors, **values
        )
    return Status(201, _task_row(request, task))


@router.get(
    "/tasks/{task_id}", response=responses(200, TaskOut), tags=["tasks"], summary="Get a task"
)
def task_detail(request: ApiRequest, task_id: int) -> Any:
    return _task_row(request, selectors.task_get_for_user(task_id, user=request.auth))


@router.patch(
    "/tasks/{task_id}",
    response=responses(200, TaskOut),
    tags=["tasks"],
    summary="Change a task",
)
def task_update(request: ApiRequest, task_id: int, payload: TaskPatch) -> Any:
    """Only the fields sent are changed; the plan is scheduled again."""
    task = selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    sent = payload.sent()
    changes, predecessors = _task_values(request, sent, task.project, task)
    with _input_names(DURATION_FIELDS if sent.get("duration") else None):
        task = services.task_update(
            actor=request.auth, task=task, predecessors=predecessors, **changes
        )
    return _task_row(request, task)


@router.delete(
    "/tasks/{task_id}", response=responses(204, None), tags=["tasks"], summary="Delete a task"
)
def task_delete(request: ApiRequest, task_id: int) -> Status[None]:
    """Its subtasks and its links are deleted with it; the rows below move up."""
    task = selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    services.task_delete(actor=request.auth, task=task)
    return Status(204, None)


@router.post(
    "/tasks/{task_id}/indent",
    response=responses(200, TaskOut),
    tags=["tasks"],
    summary="Indent a task",
)
def task_indent(request: ApiRequest, task_id: int) -> Any:
    """The task and its subtasks go under the task above it, which becomes a summary task."""
    task = selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    return _task_row(request, services.task_indent(actor=request.auth, task=task))


@router.post(
    "/tasks/{task_id}/outdent",
    response=responses(200, TaskOut),
    tags=["tasks"],
    summary="Outdent a task",
)
def task_outdent(request: ApiRequest, task_id: int) -> Any:
    """The task and its subtasks move one level up the outline."""
    task = selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    return _task_row(request, services.task_outdent(actor=request.auth, task=task))


@router.post(
    "/tasks/{task_id}/move",
    response=responses(200, TaskOut),
    tags=["tasks"],
    summary="Move a task to another row",
)
def task_move(request: ApiRequest, task_id: int, payload: MoveIn) -> Any:
    """The task moves with its subtasks, taking the outline level of the row it lands on."""
    task = selectors.task_get_for_user(task_id, user=request.auth, action=Action.CHANGE)
    moved = services.task_move(actor=request.auth, task=task, position=payload.position)
    return _task_row(request, moved)


@router.get(
    "/tasks/{task_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["tasks"],
    summary="History of a task",
)
def task_history(request: ApiRequest, task_id: int, page: Query[PageParams]) -> dict[str, Any]:
    return history_page(selectors.task_get_for_user(task_id, user=request.auth), page)


# Dependencies -------------------------------------------------------------------------------


@dataclass
class LinkRow:
    """A link with its lag as text (its other attributes are the link's)."""

    link: Dependency
    lag: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.link, name)


def _link_rows(links: Sequence[Dependency], plan_minutes_per_day: int) -> list[LinkRow]:
    return [
        LinkRow(
            link=link,
            lag=format_quantity(
                link.lag_minutes,
                link.lag_unit,
                minutes_per_day=_day_of(link.successor, plan_minutes_per_day),
                percent=link.lag_percent,
            ),
        )
        for link in links
    ]


class DependencyOut(Schema):
    id: int
    predecessor_id: int
    predecessor: TaskRef
    successor_id: int
    successor: TaskRef
    type: LinkType
    lag: str = Field(..., description="As typed: 2d, -1d (a lead), 50% ...")
    lag_minutes: int = Field(..., description="Working minutes; 0 for a percentage.")
    lag_unit: DurationUnit
    lag_percent: float | None = Field(..., description="For a lag in % of the predecessor.")
    cross_project: bool = Field(..., description="Whether the predecessor is in another project.")
    created_at: dt.datetime

    @staticmethod
    def resolve_cross_project(row: LinkRow) -> bool:
        return bool(row.link.predecessor.project_id != row.link.successor.project_id)


class _LinkFields(InputSchema):
    type: LinkType = Field(LinkType.FS, description="FS, SS, FF or SF.")
    lag: str = Field(
        "",
        description="As typed: 2d, -1d (a lead), 3h, 50% (of the predecessor's duration). "
        "Or give lag_minutes, lag_unit and lag_percent.",
    )
    lag_minutes: int = Field(0, description="Working minutes; negative for a lead.")
    lag_unit: DurationUnit = Field(DurationUnit.DAYS, description="% for a percentage.")
    lag_percent: float | None = Field(None, description="The percentage, with lag_unit %.")


class DependencyIn(_LinkFields):
    predecessor_id: int = Field(..., description="A task the caller may see (any project).")
    successor_id: int = Field(..., description="A task of a project the caller may change.")


if TYPE_CHECKING:
    DependencyPatch = _LinkFields
else:
    DependencyPatch = patch_schema(_LinkFields, "DependencyPatch")


def _link_values(values: dict[str, Any], successor: Task) -> dict[str, Any]:
    _not_both(values, "lag", ("lag_minutes", "lag_unit", "lag_percent"))
    text = values.pop("lag", None)
    if text is not None:
        quantity = _quantity(
            text or "0",
            field="lag",
            minutes_per_day=_minutes_per_day(successor.project, successor.calendar),
            lag=True,
        )
        values["lag_minutes"] = quantity.minutes
        values["lag_unit"] = quantity.unit
        values["lag_percent"] = quantity.percent
    return values


def _dependency_out(dependency: Dependency) -> LinkRow:
    return _link_rows([dependency], _minutes_per_day(dependency.successor.project))[0]


@router.get(
    "/projects/{project_id}/dependencies",
    response=responses(200, Page[DependencyOut]),
    tags=["dependencies"],
    summary="List the links into a project's tasks",
)
def dependency_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """Links from tasks of other projects included, in the successors' row order."""
    project = _project(request, project_id)
    links = selectors.dependency_list(user=request.auth, project=project)
    result = paginate(links.select_related("successor__calendar"), page)
    result["items"] = _link_rows(result["items"], _minutes_per_day(project))
    return result


@router.post(
    "/dependencies",
    response=responses(201, DependencyOut),
    tags=["dependencies"],
    summary="Link two tasks",
)
def dependency_create(request: ApiRequest, payload: DependencyIn) -> Status[Any]:
    """The predecessor may be in another project. Needs the Change permission on the
    successor's project; a link that would close a cycle is refused, naming the tasks."""
    values = resolve_references(
        payload.sent(),
        {
            "predecessor_id": ("predecessor", _tasks(request)),
            "successor_id": ("successor", _tasks(request)),
        },
    )
    typed = LAG_FIELDS if values.get("lag") else None
    values = _link_values(values, values["successor"])
    with _input_names(typed):
        link = services.dependency_create(actor=request.auth, **values)
    return Status(201, _dependency_out(link))


@router.get(
    "/dependencies/{dependency_id}",
    response=responses(200, DependencyOut),
    tags=["dependencies"],
    summary="Get a link",
)
def dependency_detail(request: ApiRequest, dependency_id: int) -> Any:
    return _dependency_out(selectors.dependency_get_for_user(dependency_id, user=request.auth))


@router.patch(
    "/dependencies/{dependency_id}",
    response=responses(200, DependencyOut),
    tags=["dependencies"],
    summary="Change a link's type or lag",
)
def dependency_update(request: ApiRequest, dependency_id: int, payload: DependencyPatch) -> Any:
    dependency = selectors.dependency_get_for_user(
        dependency_id, user=request.auth, action=Action.CHANGE
    )
    changes = payload.sent()
    typed = LAG_FIELDS if changes.get("lag") else None
    changes = _link_values(changes, dependency.successor)
    with _input_names(typed):
        link = services.dependency_update(actor=request.auth, dependency=dependency, **changes)
    return _dependency_out(link)


@router.delete(
    "/dependencies/{dependency_id}",
    response=responses(204, None),
    tags=["dependencies"],
    summary="Delete a link",
)
def dependency_delete(request: ApiRequest, dependency_id: int) -> Status[None]:
    dependency = selectors.dependency_get_for_user(
        dependency_id, user=request.auth, action=Action.CHANGE
    )
    services.dependency_delete(actor=request.auth, dependency=dependency)
    return Status(204, None)


# Calendars ----------------------------------------------------------------------------------

WEEK_HELP = (
    "Monday to Sunday: seven lists of [start, end] minutes from midnight "
    "([[480, 720], [780, 1020]]), or seven texts (“08:00-12:00, 13:00-17:00”, “” for a day "
    "off)."
)


class ExceptionOut(Schema):
    id: int
    calendar_id: int
    name: str
    start: dt.date
    finish: dt.date = Field(..., description="The last day; for a repetition, the last one.")
    working_times: str = Field(..., description="Empty: a day off; else 08:00-12:00, ...")
    recurrence: Recurrence
    every: int
    weekdays: list[int] = Field(..., description="0 (Monday) to 6, for a weekly repetition.")
    day: int | None
    weekday: int | None
    position: int | None = Field(..., description="1 to 4, -1 for the last (monthly, yearly).")
    month: int | None
    occurrences: int | None


class CalendarOut(Timestamps):
    id: int
    name: str
    project_id: int | None = Field(..., description="Null for a calendar shared by everyone.")
    project: Ref | None
    base_id: int | None = Field(..., description="The calendar it takes its working time from.")
    base: CalendarRef | None
    week: list[list[list[int]]] | None = Field(..., description=WEEK_HELP)
    week_text: list[str] | None = Field(..., description="The same week as seven texts.")
    holiday_country: str
    holiday_subdivision: str
    minutes_per_day: int
    exceptions: list[ExceptionOut]

    @staticmethod
    def resolve_week_text(calendar: WorkCalendar) -> list[str] | None:
        if not calendar.week:
            return None
        return [adapters.format_periods(day) for day in calendar.week]

    @staticmethod
    def resolve_exceptions(calendar: WorkCalendar) -> list[Any]:
        return list(calendar.exceptions.all())


class CalendarIn(InputSchema):
    name: str
    project_id: int | None = Field(
        None, description="The project it belongs to; null: shared by the whole organisation."
    )
    base_id: int | None = Field(None, description="A calendar to take the working time from.")
    week: list[list[list[int]] | str] | None = Field(
        None, description=WEEK_HELP + " Null: the base calendar's week, else the standard one."
    )
    holiday_country: str = Field("", description="Two-letter country code (FR, DE, US ...).")
    holiday_subdivision: str = Field("", description="State or region code, optional.")
    minutes_per_day: int = Field(480, ge=1, le=1440, description="For durations in days.")


class _CalendarChange(InputSchema):
    name: str
    base_id: int | None = Field(None, description="A calendar to take the working time from.")
    week: list[list[list[int]] | str] | None = Field(
        None, description=WEEK_HELP + " Null: the base calendar's week."
    )
    holiday_country: str = ""
    holiday_subdivision: str = ""
    minutes_per_day: int = Field(480, ge=1, le=1440)


if TYPE_CHECKING:
    CalendarPatch = _CalendarChange
else:
    CalendarPatch = patch_schema(_CalendarChange, "CalendarPatch")


class CalendarFilters(Schema):
    project: int | None = Field(
        None, description="The shared calendars and this project's own; by default all."
    )


def _week(values: dict[str, Any]) -> None:
    """Read the days given as texts into minutes."""
    week = values.get("week")
    if not week:
        return
    days: list[Any] = []
    problems: list[str] = []
    for day in week:
        if isinstance(day, str):
            try:
                days.append(adapters.parse_periods(day))
            except ValidationError as error:
                problems.extend(error.messages)
        else:
            days.append(day)
    if problems:
        raise ValidationError({"week": problems})
    values["week"] = days


def _calendar_references(request: ApiRequest) -> dict[str, Any]:
    return {"project_id": ("project", _projects(request)), "base_id": ("base", _calendars(request))}


@router.get(
    "/calendars",
    response=responses(200, Page[CalendarOut]),
    tags=["calendars"],
    summary="List calendars",
)
def calendar_list(
    request: ApiRequest, filters: Query[CalendarFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """The shared calendars and those of the projects the caller may see."""
    project = None
    if filters.project is not None:
        try:
            project = project_get_for_user(filters.project, user=request.auth)
        except NotFoundError:
            # A filter, not a path: a project the caller may not see is an invalid value.
            raise NinjaValidationError(
                [
                    {
                        "source": "query",
                        "field": "project",
                        "message": gettext(
                            "Select a valid choice. That choice is not one of the available "
                            "choices."
                        ),
                    }
                ]
            ) from None
    calendars = selectors.calendar_list(user=request.auth, project=project)
    return paginate(calendars.prefetch_related("exceptions"), page)


@router.post(
    "/calendars",
    response=responses(201, CalendarOut),
    tags=["calendars"],
    summary="Create a calendar",
)
def calendar_create(request: ApiRequest, payload: CalendarIn) -> Status[Any]:
    """A project's calendar needs the Change permission on the project; a shared one, the
    Create permission organisation-wide."""
    values = resolve_references(payload.sent(), _calendar_references(request))
    _week(values)
    with _input_names():
        calendar = services.calendar_create(actor=request.auth, **values)
    return Status(201, calendar)


@router.get(
    "/calendars/{calendar_id}",
    response=responses(200, CalendarOut),
    tags=["calendars"],
    summary="Get a calendar with its exceptions",
)
def calendar_detail(request: ApiRequest, calendar_id: int) -> Any:
    return selectors.calendar_get_for_user(calendar_id, user=request.auth)


@router.patch(
    "/calendars/{calendar_id}",
    response=responses(200, CalendarOut),
    tags=["calendars"],
    summary="Change a calendar",
)
def calendar_update(request: ApiRequest, calendar_id: int, payload: CalendarPatch) -> Any:
    """The plans that use the calendar are scheduled again."""
    calendar = selectors.calendar_get_for_user(calendar_id, user=request.auth, action=Action.CHANGE)
    changes = resolve_references(payload.sent(), _calendar_references(request))
    base = changes.get("base")
    if base is not None and base.project_id not in (None, calendar.project_id):
        raise ValidationError({"base_id": [gettext("This calendar belongs to another project.")]})
    _week(changes)
    with _input_names():
        return services.calendar_update(actor=request.auth, calendar=calendar, **changes)


@router.delete(
    "/calendars/{calendar_id}",
    response=responses(204, None),
    tags=["calendars"],
    summary="Delete a calendar",
)
def calendar_delete(request: ApiRequest, calendar_id: int) -> Status[None]:
    """Refused while a plan, a task or another calendar uses it."""
    calendar = selectors.calendar_get_for_user(calendar_id, user=request.auth, action=Action.DELETE)
    services.calendar_delete(actor=request.auth, calendar=calendar)
    return Status(204, None)


@router.get(
    "/calendars/{calendar_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["calendars"],
    summary="History of a calendar",
)
def calendar_history(
    request: ApiRequest, calendar_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.calendar_get_for_user(calendar_id, user=request.auth), page)


class ExceptionIn(InputSchema):
    name: str = ""
    start: dt.date
    finish: dt.date = Field(..., description="The last day; for a repetition, the last one.")
    working_times: str = Field(
        "", description="Empty for a day off; “08:00-12:00, 13:00-17:00” for working days."
    )
    recurrence: Recurrence = Field(
        Recurrence.NONE,
        description="Empty, daily, weekly, monthly_day, monthly_weekday, yearly_date or "
        "yearly_weekday.",
    )
    every: int = Field(1, ge=1, description="Every n days, weeks or months.")
    weekdays: list[int] = Field(
        default_factory=list, description="0 (Monday) to 6, for a weekly repetition."
    )
    day: int | None = Field(None, ge=1, le=31, description="Day of the month.")
    weekday: int | None = Field(None, ge=0, le=6, description="0 (Monday) to 6.")
    position: int | None = Field(None, description="Week of the month: 1 to 4, -1 for the last.")
    month: int | None = Field(None, ge=1, le=12)
    occurrences: int | None = Field(None, ge=1, description="Stop after this many.")


if TYPE_CHECKING:
    ExceptionPatch = ExceptionIn
else:
    ExceptionPatch = patch_schema(ExceptionIn, "ExceptionPatch")


@router.post(
    "/calendars/{calendar_id}/exceptions",
    response=responses(201, ExceptionOut),
    tags=["calendars"],
    summary="Add an exception to a calendar",
)
def exception_create(request: ApiRequest, calendar_id: int, payload: ExceptionIn) -> Status[Any]:
    """A holiday, a closure, or days with other working times, possibly repeating."""
    calendar = selectors.calendar_get_for_user(calendar_id, user=request.auth, action=Action.CHANGE)
    exception = services.exception_create(actor=request.auth, calendar=calendar, **payload.sent())
    return Status(201, exception)


@router.patch(
    "/calendar-exceptions/{exception_id}",
    response=responses(200, ExceptionOut),
    tags=["calendars"],
    summary="Change a calendar exception",
)
def exception_update(request: ApiRequest, exception_id: int, payload: ExceptionPatch) -> Any:
    exception = selectors.exception_get_for_user(
        exception_id, user=request.auth, action=Action.CHANGE
    )
    return services.exception_update(actor=request.auth, exception=exception, **payload.sent())


@router.delete(
    "/calendar-exceptions/{exception_id}",
    response=responses(204, None),
    tags=["calendars"],
    summary="Delete a calendar exception",
)
def exception_delete(request: ApiRequest, exception_id: int) -> Status[None]:
    exception = selectors.exception_get_for_user(
        exception_id, user=request.auth, action=Action.CHANGE
    )
    services.exception_delete(actor=request.auth, exception=exception)
    return Status(204, None)


# Baselines ----------------------------------------------------------------------------------


class BaselineOut(Schema):
    id: int
    project_id: int
    name: str
    description: str
    primary: bool = Field(
        ..., description="The baseline the health check and the Gantt chart compare with."
    )
    captured_at: dt.datetime
    captured_by: UserRef | None
    start: dt.datetime | None = Field(..., description=DATE_TIME)
    finish: dt.datetime | None = Field(..., description=DATE_TIME)

    @staticmethod
    def resolve_primary(baseline: Any) -> bool:
        return bool(baseline.is_primary)


class BaselineRowOut(Schema):
    """A current task beside its baseline values (null for a task added since)."""

    task: TaskRef
    start: dt.datetime | None = Field(..., description="Scheduled now. " + DATE_TIME)
    finish: dt.datetime | None = Field(..., description="Scheduled now. " + DATE_TIME)
    duration_minutes: int
    baseline_start: dt.datetime | None
    baseline_finish: dt.datetime | None
    baseline_duration_minutes: int | None
    start_variance_days: float | None = Field(
        ..., description="Days the start moved since the baseline (positive: later)."
    )
    finish_variance_days: float | None = Field(
        ..., description="Days the finish moved since the baseline (positive: later)."
    )

    @staticmethod
    def resolve_start(row: selectors.PlanRow) -> dt.datetime | None:
        start: dt.datetime | None = row.task.start
        return start

    @staticmethod
    def resolve_finish(row: selectors.PlanRow) -> dt.datetime | None:
        finish: dt.datetime | None = row.task.finish
        return finish

    @staticmethod
    def resolve_duration_minutes(row: selectors.PlanRow) -> int:
        return int(row.task.duration_minutes)


class BaselineDetailOut(BaselineOut):
    tasks: list[BaselineRowOut] = Field(..., description="The project's tasks, in row order.")


class BaselineIn(InputSchema):
    name: str
    description: str = ""
    primary: bool | None = Field(
        None, description="By default, true for the project's first baseline."
    )


class _BaselineChange(InputSchema):
    name: str
    description: str = ""
    primary: bool = False


if TYPE_CHECKING:
    BaselinePatch = _BaselineChange
else:
    BaselinePatch = patch_schema(_BaselineChange, "BaselinePatch")


@dataclass
class BaselineView:
    """A baseline with the plan's rows beside it (its other attributes are the baseline's)."""

    baseline: Any
    tasks: list[selectors.PlanRow]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.baseline, name)


def _baseline_values(values: dict[str, Any]) -> dict[str, Any]:
    if "primary" in values:
        values["is_primary"] = values.pop("primary")
    return values


@router.get(
    "/projects/{project_id}/baselines",
    response=responses(200, Page[BaselineOut]),
    tags=["baselines"],
    summary="List a project's baselines",
)
def baseline_list(request: ApiRequest, project_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """The newest first."""
    project = _project(request, project_id)
    return paginate(selectors.baseline_list(user=request.auth, project=project), page)


@router.post(
    "/projects/{project_id}/baselines",
    response=responses(201, BaselineOut),
    tags=["baselines"],
    summary="Capture a baseline",
)
def baseline_capture(request: ApiRequest, project_id: int, payload: BaselineIn) -> Status[Any]:
    """Saves the plan's current dates, durations and work under a name."""
    project = _project(request, project_id, Action.CHANGE)
    with _input_names():
        baseline = services.baseline_capture(
            actor=request.auth, project=project, **_baseline_values(payload.model_dump())
        )
    return Status(201, baseline)


@router.get(
    "/baselines/{baseline_id}",
    response=responses(200, BaselineDetailOut),
    tags=["baselines"],
    summary="Get a baseline with each task's variance",
)
def baseline_detail(request: ApiRequest, baseline_id: int) -> Any:
    baseline = selectors.baseline_get_for_user(baseline_id, user=request.auth)
    view = selectors.plan_view(user=request.auth, project=baseline.project, baseline=baseline)
    return BaselineView(baseline, view.rows)


@router.patch(
    "/baselines/{baseline_id}",
    response=responses(200, BaselineOut),
    tags=["baselines"],
    summary="Change a baseline",
)
def baseline_update(request: ApiRequest, baseline_id: int, payload: BaselinePatch) -> Any:
    """Making a baseline primary makes the project's other baselines not primary."""
    baseline = selectors.baseline_get_for_user(baseline_id, user=request.auth, action=Action.CHANGE)
    with _input_names():
        return services.baseline_update(
            actor=request.auth, baseline=baseline, **_baseline_values(payload.sent())
        )


@router.delete(
    "/baselines/{baseline_id}",
    response=responses(204, None),
    tags=["baselines"],
    summary="Delete a baseline",
)
def baseline_delete(request: ApiRequest, baseline_id: int) -> Status[None]:
    baseline = selectors.baseline_get_for_user(baseline_id, user=request.auth, action=Action.CHANGE)
    services.baseline_delete(actor=request.auth, baseline=baseline)
    return Status(204, None)


@router.get(
    "/baselines/{baseline_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["baselines"],
    summary="History of a baseline",
)
def baseline_history(
    request: ApiRequest, baseline_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.baseline_get_for_user(baseline_id, user=request.auth), page)


# Health -------------------------------------------------------------------------------------


class OffendingTaskOut(Schema):
    id: int
    position: int | None = Field(
        ..., description="The row ID (for a task of another project, in that project)."
    )
    name: str


class HealthCheckOut(Schema):
    kind: str = Field(..., description="A stable key: logic, leads, lags, relationship_types ...")
    number: int = Field(..., description="1 to 14, in the DCMA's order.")
    label: str
    description: str
    threshold: float
    value: float | None = Field(..., description="Null when the check could not be assessed.")
    unit: str = Field(..., description="percent or index.")
    at_least: bool = Field(
        ..., description="Whether the value passes at or above the threshold (else at or below)."
    )
    status: str = Field(..., description="passed, failed or not_assessed.")
    passed: bool
    reason: str = Field(..., description="Why it could not be assessed; empty if it was.")
    numerator: float
    denominator: float
    offending: list[OffendingTaskOut] = Field(..., description="The tasks counting against it.")


class HealthOut(Schema):
    project_id: int
    score: float | None = Field(
        ..., description="Checks passed, in percent of the checks assessed; null if none was."
    )
    rating: str | None = Field(..., description="green (85 % and more), amber (60 %), red.")
    status_date: dt.datetime = Field(..., description="The date assessed at. " + DATE_TIME)
    has_baseline: bool = Field(..., description="Whether a primary baseline was compared with.")
    passed_count: int
    assessed_count: int
    checks: list[HealthCheckOut]

    @staticmethod
    def resolve_project_id(health: Any) -> int:
        return int(health.project.pk)


@router.get(
    "/projects/{project_id}/health",
    response=responses(200, HealthOut),
    tags=["plans"],
    summary="Assess a project's schedule health",
)
def plan_health(request: ApiRequest, project_id: int) -> Any:
    """The DCMA 14-point assessment of the plan as it stands, against its primary baseline,
    with the tasks that count against each check."""
    project = _project(request, project_id)
    return project_health(user=request.auth, project=project)
