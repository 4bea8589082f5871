"""API operations of the RAID log's issues, assumptions, dependencies, decisions and change
requests (tag "raid").

Items follow their project's permissions: whoever sees the project reads them, Change on it
creates and edits them, Delete on it deletes them. Codes are given when left out. Amounts are
decimals in the project's currency; durations of task changes are working minutes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts.permissions import Action, can, visible
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    paginate,
    patch_schema,
    resolve_references,
    responses,
)
from pilotage.core.errors import NotFoundError
from pilotage.planning.models import Dependency, Task
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_get_for_user
from pilotage.risks import change_requests as cr_services
from pilotage.risks import raid
from pilotage.risks.models import (
    AssumptionStatus,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeRequestStatus,
    ChangeRequestTask,
    Decision,
    DependencyDirection,
    DependencyStatus,
    EscalationLevel,
    IssuePriority,
    IssueSeverity,
    IssueStatus,
    ProjectDependency,
    Risk,
)

router = Router(tags=["raid"])


# References ---------------------------------------------------------------------------------


def _visible(user: Any, model: type[models.Model], **filters: Any) -> Any:
    def get(pk: Any) -> Any:
        found = visible(user, model._default_manager.filter(**filters)).filter(pk=pk).first()
        if found is None:
            raise NotFoundError()
        return found

    return get


def _person(user: Any) -> Any:
    return lambda pk: account_selectors.user_get_for_user(pk, user=user)


def _references(user: Any, *names: str) -> dict[str, tuple[str, Any]]:
    known: dict[str, tuple[str, Any]] = {
        "owner_id": ("owner", _person(user)),
        "decided_by_id": ("decided_by", _person(user)),
        "risk_id": ("risk", _visible(user, Risk)),
        "task_id": ("task", _visible(user, Task)),
        "other_project_id": ("other_project", _visible(user, Project)),
        "plan_dependency_id": ("plan_dependency", _visible(user, Dependency)),
        "change_request_id": ("change_request", _visible(user, ChangeRequest)),
    }
    return {name: known[name] for name in names}


def _input(request: ApiRequest, data: dict[str, Any], *names: str) -> dict[str, Any]:
    return resolve_references(data, _references(request.auth, *names))


def _writable(request: ApiRequest, project_id: int) -> Project:
    return project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)


def _project(request: ApiRequest, project_id: int | None, action: Action) -> Project | None:
    if project_id is None:
        return None
    return project_get_for_user(project_id, user=request.auth, action=action)


# Schemas ------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class RaidOut(Schema):
    id: int
    code: str
    title: str
    description: str
    project_id: int | None
    programme_id: int | None
    portfolio_id: int
    owner: PersonOut | None
    escalation_level: EscalationLevel
    created_at: dt.datetime
    updated_at: dt.datetime


class IssueOut(RaidOut):
    severity: IssueSeverity
    priority: IssuePriority = Field(..., description="1 urgent, 2 high, 3 normal, 4 low.")
    status: IssueStatus
    due_date: dt.date | None
    resolution: str
    resolved_at: dt.datetime | None
    risk_id: int | None = Field(None, description="The risk it was raised from.")


class IssueFields(InputSchema):
    code: str = Field("", max_length=20, description="Empty for the next free code (I-001 …).")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    owner_id: int | None = None
    severity: IssueSeverity = IssueSeverity.MEDIUM
    priority: IssuePriority = IssuePriority.NORMAL
    due_date: dt.date | None = None
    risk_id: int | None = Field(
        None, description="A risk of the project it was raised from: the risk becomes occurred."
    )


class IssueIn(IssueFields):
    project_id: int


class IssueUpdate(IssueFields):
    status: IssueStatus = Field(
        IssueStatus.OPEN, description="Only between open and in_progress; see the actions."
    )


if TYPE_CHECKING:
    IssuePatch = IssueUpdate
else:
    IssuePatch = patch_schema(IssueUpdate, "IssuePatch")


class ResolutionIn(InputSchema):
    resolution: str = Field("", description="Required to resolve, and to close an open issue.")


class EscalateIn(InputSchema):
    level: EscalationLevel
    comment: str = ""


class AssumptionOut(RaidOut):
    validate_by: dt.date | None
    status: AssumptionStatus = Field(..., description="open (to validate), validated, invalid.")
    validation_note: str
    validated_at: dt.datetime | None
    risk_id: int | None = Field(None, description="The risk run if it proves false.")


class AssumptionFields(InputSchema):
    code: str = Field("", max_length=20, description="Empty for the next free code (A-001 …).")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    owner_id: int | None = None
    validate_by: dt.date | None = None
    risk_id: int | None = None


class AssumptionIn(AssumptionFields):
    project_id: int


if TYPE_CHECKING:
    AssumptionPatch = AssumptionFields
else:
    AssumptionPatch = patch_schema(AssumptionFields, "AssumptionPatch")


class ValidateIn(InputSchema):
    valid: bool = Field(..., description="True: validated; false: proved false.")
    note: str = Field("", description="Required when it proved false.")


class RaiseIssueIn(InputSchema):
    title: str = Field("", max_length=255)
    severity: IssueSeverity = IssueSeverity.HIGH
    priority: IssuePriority = IssuePriority.HIGH
    owner_id: int | None = None
    due_date: dt.date | None = None


class DependencyOut(RaidOut):
    direction: DependencyDirection = Field(..., description="inbound: we depend on them.")
    other_project: ProjectRef | None = Field(
        None, description="The other project, when the caller may see it."
    )
    external_party: str
    task_id: int | None
    plan_dependency_id: int | None
    needed_by: dt.date | None
    status: DependencyStatus
    predecessor_finish: dt.datetime | None = Field(
        None, description="When the plan link's predecessor finishes."
    )
    successor_start: dt.datetime | None = Field(
        None, description="When the plan link's successor starts."
    )
    at_risk: bool = Field(
        False, description="The plan link's predecessor finishes after the needed-by date."
    )

    @staticmethod
    def resolve_other_project(item: ProjectDependency, context: Any) -> Project | None:
        other = item.other_project
        if other is None or not can(context["request"].auth, Action.VIEW, other):
            return None
        return other

    @staticmethod
    def resolve_predecessor_finish(item: ProjectDependency) -> dt.datetime | None:
        dates = raid.dependency_plan_dates(item)
        return dates.predecessor_finish if dates else None

    @staticmethod
    def resolve_successor_start(item: ProjectDependency) -> dt.datetime | None:
        dates = raid.dependency_plan_dates(item)
        return dates.successor_start if dates else None

    @staticmethod
    def resolve_at_risk(item: ProjectDependency) -> bool:
        dates = raid.dependency_plan_dates(item)
        return bool(dates and dates.at_risk)


class DependencyFields(InputSchema):
    code: str = Field("", max_length=20, description="Empty for the next free code (D-001 …).")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    owner_id: int | None = None
    direction: DependencyDirection = DependencyDirection.INBOUND
    other_project_id: int | None = Field(None, description="Another project, or give …")
    external_party: str = Field("", max_length=200, description="… an outside party.")
    task_id: int | None = Field(None, description="A task of this project.")
    plan_dependency_id: int | None = Field(
        None,
        description="A plan link between a task of this project and a task of the other "
        "project; it sets the other project, the task and the direction.",
    )
    needed_by: dt.date | None = None
    status: DependencyStatus = DependencyStatus.OPEN


class DependencyIn(DependencyFields):
    project_id: int


if TYPE_CHECKING:
    DependencyPatch = DependencyFields
else:
    DependencyPatch = patch_schema(DependencyFields, "DependencyPatch")


class PlanLinkOut(Schema):
    id: int
    predecessor_id: int
    predecessor: str
    predecessor_project: ProjectRef
    predecessor_finish: dt.datetime | None
    successor_id: int
    successor: str
    successor_project: ProjectRef
    successor_start: dt.datetime | None
    type: str

    @staticmethod
    def resolve_predecessor(link: Dependency) -> str:
        return link.predecessor.name

    @staticmethod
    def resolve_predecessor_project(link: Dependency) -> Project:
        return link.predecessor.project

    @staticmethod
    def resolve_predecessor_finish(link: Dependency) -> dt.datetime | None:
        finish: dt.datetime | None = link.predecessor.finish
        return finish

    @staticmethod
    def resolve_successor(link: Dependency) -> str:
        return link.successor.name

    @staticmethod
    def resolve_successor_project(link: Dependency) -> Project:
        return link.successor.project

    @staticmethod
    def resolve_successor_start(link: Dependency) -> dt.datetime | None:
        start: dt.datetime | None = link.successor.start
        return start


class ImportIn(InputSchema):
    project_id: int
    link_ids: list[int] = Field(..., min_length=1, description="Plan links to record.")


class DecisionOut(RaidOut):
    decided_on: dt.date
    decided_by: PersonOut | None
    decided_by_name: str
    rationale: str
    affects: str
    change_request_id: int | None


class DecisionFields(InputSchema):
    code: str = Field("", max_length=20, description="Empty for the next free code (DEC-001 …).")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    owner_id: int | None = None
    decided_on: dt.date
    decided_by_id: int | None = Field(None, description="The user who decided, or give …")
    decided_by_name: str = Field("", max_length=200, description="… who decided, by name.")
    rationale: str = ""
    affects: str = ""
    change_request_id: int | None = None


class DecisionIn(DecisionFields):
    project_id: int


if TYPE_CHECKING:
    DecisionPatch = DecisionFields
else:
    DecisionPatch = patch_schema(DecisionFields, "DecisionPatch")


class TaskChangeOut(Schema):
    id: int
    task_id: int | None = Field(None, description="Null for a new task.")
    name: str = Field(..., description="The new task's name (or the task's).")
    duration_minutes: int = Field(..., description="The new duration, in working minutes.")
    cost: Decimal = Field(..., description="Fixed cost added.")

    @staticmethod
    def resolve_name(change: ChangeRequestTask) -> str:
        return change.task.name if change.task is not None else change.name


class TaskChangeIn(InputSchema):
    task_id: int | None = Field(None, description="A task of the project, or give name.")
    name: str = Field("", max_length=255, description="A new task's name.")
    duration_minutes: int = Field(..., ge=0, description="Working minutes.")
    cost: Decimal = Field(Decimal(0), ge=0)


class EventOut(Schema):
    id: int
    status: ChangeRequestStatus
    actor: PersonOut | None
    comment: str
    created_at: dt.datetime


class ChangeRequestOut(RaidOut):
    project_id: int
    reason: str
    scope_impact: str
    schedule_impact_days: Decimal
    cost_impact: Decimal
    added_cost: Decimal = Field(..., description="The task changes' added fixed costs.")
    total_cost: Decimal = Field(..., description="Cost impact plus added fixed costs.")
    risk_impact: str
    evaluation: str
    status: ChangeRequestStatus
    approval_level: EscalationLevel = Field(
        ..., description="Set when submitted: project, programme or portfolio."
    )
    approval_note: str = Field(..., description="Which level approves and who may.")
    requested_by: PersonOut | None
    submitted_at: dt.datetime | None
    decided_by: PersonOut | None
    decided_at: dt.datetime | None
    decision_comment: str
    applied_at: dt.datetime | None
    applied_by: PersonOut | None
    baseline_id: int | None
    budget_id: int | None

    @staticmethod
    def resolve_added_cost(item: ChangeRequest) -> Decimal:
        added: Decimal = cr_services.total_cost(item) - item.cost_impact
        return added

    @staticmethod
    def resolve_total_cost(item: ChangeRequest) -> Decimal:
        return cr_services.total_cost(item)

    @staticmethod
    def resolve_approval_note(item: ChangeRequest) -> str:
        return cr_services.approval_note(item)

    @staticmethod
    def resolve_requested_by(item: ChangeRequest) -> Any:
        return item.created_by


class ChangeRequestDetailOut(ChangeRequestOut):
    task_changes: list[TaskChangeOut]
    events: list[EventOut]

    @staticmethod
    def resolve_task_changes(item: ChangeRequest) -> list[ChangeRequestTask]:
        return list(item.task_changes.select_related("task"))

    @staticmethod
    def resolve_events(item: ChangeRequest) -> list[ChangeRequestEvent]:
        return cr_services.change_request_events(item)


class ChangeRequestFields(InputSchema):
    code: str = Field("", max_length=20, description="Empty for the next free code (CR-001 …).")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    owner_id: int | None = None
    reason: str = ""
    scope_impact: str = ""
    schedule_impact_days: Decimal = Field(Decimal(0), description="Delay of the finish, days.")
    cost_impact: Decimal = Field(Decimal(0), description="In the project's currency.")
    risk_impact: str = ""


class ChangeRequestIn(ChangeRequestFields):
    project_id: int


if TYPE_CHECKING:
    ChangeRequestPatch = ChangeRequestFields
else:
    ChangeRequestPatch = patch_schema(ChangeRequestFields, "ChangeRequestPatch")


class CommentIn(InputSchema):
    comment: str = Field("", description="Required to reject.")


class EvaluationIn(InputSchema):
    evaluation: str = Field(..., min_length=1)


class ApplyOut(Schema):
    change_request: ChangeRequestDetailOut
    baseline_id: int
    budget_id: int | None = Field(None, description="Null when the budget was not changed.")
    budget_note: str = Field(..., description="Why the budget was not changed, if it was not.")


# Issues -------------------------------------------------------------------------------------


def _issue(request: ApiRequest, issue_id: int, action: Action = Action.VIEW) -> Any:
    return raid.issue_get_for_user(issue_id, user=request.auth, action=action)


@router.get("/issues", response=responses(200, Page[IssueOut]), summary="List issues")
def issue_list(
    request: ApiRequest,
    page: Query[PageParams],
    project: int | None = None,
    status: str = "",
    severity: IssueSeverity | None = None,
    overdue: bool = False,
    search: str = "",
) -> dict[str, Any]:
    """``status`` is a status or ``unresolved`` (open or in progress)."""
    items = raid.issue_list(
        user=request.auth,
        project=_project(request, project, Action.VIEW),
        status=status,
        severity=severity or "",
        overdue=overdue,
        search=search,
    )
    return paginate(items, page)


@router.post("/issues", response=responses(201, IssueOut), summary="Raise an issue")
def issue_create(request: ApiRequest, payload: IssueIn) -> Status[Any]:
    """Needs Change on the project. Raising it from a risk marks the risk as occurred."""
    values = payload.model_dump()
    project = _writable(request, values.pop("project_id"))
    issue = raid.issue_create(
        actor=request.auth, project=project, **_input(request, values, "owner_id", "risk_id")
    )
    return Status(201, _issue(request, issue.pk))


@router.get("/issues/{issue_id}", response=responses(200, IssueOut), summary="Get an issue")
def issue_detail(request: ApiRequest, issue_id: int) -> Any:
    return _issue(request, issue_id)


@router.patch("/issues/{issue_id}", response=responses(200, IssueOut), summary="Change an issue")
def issue_update(request: ApiRequest, issue_id: int, payload: IssuePatch) -> Any:
    issue = _issue(request, issue_id, Action.CHANGE)
    changes = _input(request, payload.sent(), "owner_id", "risk_id")
    raid.issue_update(actor=request.auth, issue=issue, **changes)
    return _issue(request, issue_id)


@router.delete("/issues/{issue_id}", response=responses(204, None), summary="Delete an issue")
def issue_delete(request: ApiRequest, issue_id: int) -> Status[None]:
    raid.issue_delete(actor=request.auth, issue=_issue(request, issue_id))
    return Status(204, None)


@router.post(
    "/issues/{issue_id}/resolve", response=responses(200, IssueOut), summary="Resolve an issue"
)
def issue_resolve(request: ApiRequest, issue_id: int, payload: ResolutionIn) -> Any:
    issue = _issue(request, issue_id)
    raid.issue_resolve(actor=request.auth, issue=issue, resolution=payload.resolution)
    return _issue(request, issue_id)


@router.post(
    "/issues/{issue_id}/close", response=responses(200, IssueOut), summary="Close an issue"
)
def issue_close(request: ApiRequest, issue_id: int, payload: ResolutionIn) -> Any:
    issue = _issue(request, issue_id)
    raid.issue_close(actor=request.auth, issue=issue, resolution=payload.resolution)
    return _issue(request, issue_id)


@router.post(
    "/issues/{issue_id}/reopen", response=responses(200, IssueOut), summary="Reopen an issue"
)
def issue_reopen(request: ApiRequest, issue_id: int) -> Any:
    raid.issue_reopen(actor=request.auth, issue=_issue(request, issue_id))
    return _issue(request, issue_id)


@router.post(
    "/issues/{issue_id}/escalate",
    response=responses(200, IssueOut),
    summary="Escalate an issue (or bring it back down)",
)
def issue_escalate(request: ApiRequest, issue_id: int, payload: EscalateIn) -> Any:
    raid.issue_escalate(
        actor=request.auth,
        issue=_issue(request, issue_id),
        level=payload.level,
        comment=payload.comment,
    )
    return _issue(request, issue_id)


# Assumptions --------------------------------------------------------------------------------


def _assumption(request: ApiRequest, assumption_id: int, action: Action = Action.VIEW) -> Any:
    return raid.assumption_get_for_user(assumption_id, user=request.auth, action=action)


@router.get(
    "/assumptions", response=responses(200, Page[AssumptionOut]), summary="List assumptions"
)
def assumption_list(
    request: ApiRequest,
    page: Query[PageParams],
    project: int | None = None,
    status: AssumptionStatus | None = None,
    overdue: bool = False,
    search: str = "",
) -> dict[str, Any]:
    items = raid.assumption_list(
        user=request.auth,
        project=_project(request, project, Action.VIEW),
        status=status or "",
        overdue=overdue,
        search=search,
    )
    return paginate(items, page)


@router.post("/assumptions", response=responses(201, AssumptionOut), summary="Record an assumption")
def assumption_create(request: ApiRequest, payload: AssumptionIn) -> Status[Any]:
    values = payload.model_dump()
    project = _writable(request, values.pop("project_id"))
    assumption = raid.assumption_create(
        actor=request.auth, project=project, **_input(request, values, "owner_id", "risk_id")
    )
    return Status(201, _assumption(request, assumption.pk))


@router.get(
    "/assumptions/{assumption_id}",
    response=responses(200, AssumptionOut),
    summary="Get an assumption",
)
def assumption_detail(request: ApiRequest, assumption_id: int) -> Any:
    return _assumption(request, assumption_id)


@router.patch(
    "/assumptions/{assumption_id}",
    response=responses(200, AssumptionOut),
    summary="Change an assumption",
)
def assumption_update(request: ApiRequest, assumption_id: int, payload: AssumptionPatch) -> Any:
    assumption = _assumption(request, assumption_id, Action.CHANGE)
    changes = _input(request, payload.sent(), "owner_id", "risk_id")
    raid.assumption_update(actor=request.auth, assumption=assumption, **changes)
    return _assumption(request, assumption_id)


@router.delete(
    "/assumptions/{assumption_id}",
    response=responses(204, None),
    summary="Delete an assumption",
)
def assumption_delete(request: ApiRequest, assumption_id: int) -> Status[None]:
    raid.assumption_delete(actor=request.auth, assumption=_assumption(request, assumption_id))
    return Status(204, None)


@router.post(
    "/assumptions/{assumption_id}/validate",
    response=responses(200, AssumptionOut),
    summary="Record that an assumption held or proved false",
)
def assumption_validate(request: ApiRequest, assumption_id: int, payload: ValidateIn) -> Any:
    raid.assumption_validate(
        actor=request.auth,
        assumption=_assumption(request, assumption_id),
        valid=payload.valid,
        note=payload.note,
    )
    return _assumption(request, assumption_id)


@router.post(
    "/assumptions/{assumption_id}/reopen",
    response=responses(200, AssumptionOut),
    summary="Set an assumption to validate again",
)
def assumption_reopen(request: ApiRequest, assumption_id: int) -> Any:
    raid.assumption_reopen(actor=request.auth, assumption=_assumption(request, assumption_id))
    return _assumption(request, assumption_id)


@router.post(
    "/assumptions/{assumption_id}/raise-issue",
    response=responses(201, IssueOut),
    summary="Raise the issue an assumption proved false causes",
)
def assumption_raise_issue(
    request: ApiRequest, assumption_id: int, payload: RaiseIssueIn
) -> Status[Any]:
    values = _input(request, payload.model_dump(), "owner_id")
    issue = raid.assumption_raise_issue(
        actor=request.auth, assumption=_assumption(request, assumption_id), **values
    )
    return Status(201, _issue(request, issue.pk))


# Dependencies -------------------------------------------------------------------------------


DEPENDENCY_REFERENCES = ("owner_id", "other_project_id", "task_id", "plan_dependency_id")


def _dependency(request: ApiRequest, dependency_id: int, action: Action = Action.VIEW) -> Any:
    return raid.dependency_get_for_user(dependency_id, user=request.auth, action=action)


@router.get(
    "/raid-dependencies",
    response=responses(200, Page[DependencyOut]),
    summary="List dependencies between projects",
)
def dependency_list(
    request: ApiRequest,
    page: Query[PageParams],
    project: int | None = None,
    status: DependencyStatus | None = None,
    direction: DependencyDirection | None = None,
    overdue: bool = False,
    search: str = "",
) -> dict[str, Any]:
    items = raid.dependency_list(
        user=request.auth,
        project=_project(request, project, Action.VIEW),
        status=status or "",
        direction=direction or "",
        overdue=overdue,
        search=search,
    )
    return paginate(items, page)


@router.get(
    "/raid-dependencies/plan-links",
    response=responses(200, list[PlanLinkOut]),
    summary="The plan's cross-project links of a project not yet recorded",
)
def dependency_plan_links(request: ApiRequest, project: int) -> list[Dependency]:
    found = _project(request, project, Action.VIEW)
    assert found is not None
    return raid.dependency_plan_links(user=request.auth, project=found)


@router.post(
    "/raid-dependencies/import",
    response=responses(201, list[DependencyOut]),
    summary="Record plan links as dependencies",
)
def dependency_import(request: ApiRequest, payload: ImportIn) -> Status[Any]:
    """All or nothing: a link that is not a cross-project link of the project with a project
    the caller sees, or is already recorded, refuses the import."""
    project = _project(request, payload.project_id, Action.CHANGE)
    assert project is not None
    links = list(Dependency.objects.filter(pk__in=payload.link_ids))
    missing = set(payload.link_ids) - {link.pk for link in links}
    links.extend(Dependency(pk=pk) for pk in sorted(missing))
    created = raid.dependency_import_from_plan(actor=request.auth, project=project, links=links)
    return Status(
        201,
        list(
            raid.dependency_list(user=request.auth, project=project).filter(
                pk__in=[item.pk for item in created]
            )
        ),
    )


@router.post(
    "/raid-dependencies", response=responses(201, DependencyOut), summary="Record a dependency"
)
def dependency_create(request: ApiRequest, payload: DependencyIn) -> Status[Any]:
    """With another project the caller sees or an outside party (exactly one)."""
    values = payload.model_dump()
    project = _writable(request, values.pop("project_id"))
    dependency = raid.dependency_create(
        actor=request.auth,
        project=project,
        **_input(request, values, *DEPENDENCY_REFERENCES),
    )
    return Status(201, _dependency(request, dependency.pk))


@router.get(
    "/raid-dependencies/{dependency_id}",
    response=responses(200, DependencyOut),
    summary="Get a dependency",
)
def dependency_detail(request: ApiRequest, dependency_id: int) -> Any:
    return _dependency(request, dependency_id)


@router.patch(
    "/raid-dependencies/{dependency_id}",
    response=responses(200, DependencyOut),
    summary="Change a dependency",
)
def dependency_update(request: ApiRequest, dependency_id: int, payload: DependencyPatch) -> Any:
    dependency = _dependency(request, dependency_id, Action.CHANGE)
    changes = _input(request, payload.sent(), *DEPENDENCY_REFERENCES)
    raid.dependency_update(actor=request.auth, dependency=dependency, **changes)
    return _dependency(request, dependency_id)


@router.delete(
    "/raid-dependencies/{dependency_id}",
    response=responses(204, None),
    summary="Delete a dependency",
)
def dependency_delete(request: ApiRequest, dependency_id: int) -> Status[None]:
    raid.dependency_delete(actor=request.auth, dependency=_dependency(request, dependency_id))
    return Status(204, None)


# Decisions ----------------------------------------------------------------------------------


DECISION_REFERENCES = ("owner_id", "decided_by_id", "change_request_id")


def _decision(request: ApiRequest, decision_id: int, action: Action = Action.VIEW) -> Decision:
    return raid.decision_get_for_user(decision_id, user=request.auth, action=action)


@router.get("/decisions", response=responses(200, Page[DecisionOut]), summary="List decisions")
def decision_list(
    request: ApiRequest,
    page: Query[PageParams],
    project: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    search: str = "",
) -> dict[str, Any]:
    items = raid.decision_list(
        user=request.auth,
        project=_project(request, project, Action.VIEW),
        since=since,
        until=until,
        search=search,
    )
    return paginate(items, page)


@router.post("/decisions", response=responses(201, DecisionOut), summary="Log a decision")
def decision_create(request: ApiRequest, payload: DecisionIn) -> Status[Any]:
    values = payload.model_dump()
    project = _writable(request, values.pop("project_id"))
    decision = raid.decision_create(
        actor=request.auth, project=project, **_input(request, values, *DECISION_REFERENCES)
    )
    return Status(201, _decision(request, decision.pk))


@router.get(
    "/decisions/{decision_id}", response=responses(200, DecisionOut), summary="Get a decision"
)
def decision_detail(request: ApiRequest, decision_id: int) -> Any:
    return _decision(request, decision_id)


@router.patch(
    "/decisions/{decision_id}",
    response=responses(200, DecisionOut),
    summary="Correct a decision (kept in its history)",
)
def decision_update(request: ApiRequest, decision_id: int, payload: DecisionPatch) -> Any:
    decision = _decision(request, decision_id, Action.CHANGE)
    changes = _input(request, payload.sent(), *DECISION_REFERENCES)
    raid.decision_update(actor=request.auth, decision=decision, **changes)
    return _decision(request, decision_id)


@router.delete(
    "/decisions/{decision_id}", response=responses(204, None), summary="Delete a decision"
)
def decision_delete(request: ApiRequest, decision_id: int) -> Status[None]:
    raid.decision_delete(actor=request.auth, decision=_decision(request, decision_id))
    return Status(204, None)


# Change requests ----------------------------------------------------------------------------


def _change_request(
    request: ApiRequest, change_request_id: int, action: Action = Action.VIEW
) -> ChangeRequest:
    return cr_services.change_request_get_for_user(
        change_request_id, user=request.auth, action=action
    )


@router.get(
    "/change-requests",
    response=responses(200, Page[ChangeRequestOut]),
    summary="List change requests",
)
def change_request_list(
    request: ApiRequest,
    page: Query[PageParams],
    project: int | None = None,
    status: ChangeRequestStatus | None = None,
    approval_level: EscalationLevel | None = None,
    search: str = "",
) -> dict[str, Any]:
    items = cr_services.change_request_list(
        user=request.auth,
        project=_project(request, project, Action.VIEW),
        status=status or "",
        approval_level=approval_level or "",
        search=search,
    )
    return paginate(items, page)


@router.get(
    "/change-requests/awaiting",
    response=responses(200, list[ChangeRequestOut]),
    summary="The change requests awaiting the caller's decision",
)
def change_request_awaiting(request: ApiRequest) -> list[ChangeRequest]:
    return cr_services.change_requests_awaiting(user=request.auth)


@router.post(
    "/change-requests",
    response=responses(201, ChangeRequestDetailOut),
    summary="Draft a change request",
)
def change_request_create(request: ApiRequest, payload: ChangeRequestIn) -> Status[Any]:
    values = payload.model_dump()
    project = _writable(request, values.pop("project_id"))
    change_request = cr_services.change_request_create(
        actor=request.auth, project=project, **_input(request, values, "owner_id")
    )
    return Status(201, _change_request(request, change_request.pk))


@router.get(
    "/change-requests/{change_request_id}",
    response=responses(200, ChangeRequestDetailOut),
    summary="Get a change request with its task changes and timeline",
)
def change_request_detail(request: ApiRequest, change_request_id: int) -> Any:
    return _change_request(request, change_request_id)


@router.patch(
    "/change-requests/{change_request_id}",
    response=responses(200, ChangeRequestDetailOut),
    summary="Change a draft change request",
)
def change_request_update(
    request: ApiRequest, change_request_id: int, payload: ChangeRequestPatch
) -> Any:
    change_request = _change_request(request, change_request_id, Action.CHANGE)
    changes = _input(request, payload.sent(), "owner_id")
    cr_services.change_request_update(actor=request.auth, change_request=change_request, **changes)
    return _change_request(request, change_request_id)


@router.delete(
    "/change-requests/{change_request_id}",
    response=responses(204, None),
    summary="Delete a draft, withdrawn or rejected change request",
)
def change_request_delete(request: ApiRequest, change_request_id: int) -> Status[None]:
    cr_services.change_request_delete(
        actor=request.auth, change_request=_change_request(request, change_request_id)
    )
    return Status(204, None)


@router.post(
    "/change-requests/{change_request_id}/evaluate",
    response=responses(200, ChangeRequestDetailOut),
    summary="Record the evaluation of a change request",
)
def change_request_evaluate(
    request: ApiRequest, change_request_id: int, payload: EvaluationIn
) -> Any:
    cr_services.change_request_evaluate(
        actor=request.auth,
        change_request=_change_request(request, change_request_id),
        evaluation=payload.evaluation,
    )
    return _change_request(request, change_request_id)


@router.post(
    "/change-requests/{change_request_id}/submit",
    response=responses(200, ChangeRequestDetailOut),
    summary="Submit a change request for approval",
)
def change_request_submit(request: ApiRequest, change_request_id: int, payload: CommentIn) -> Any:
    """The approval level is fixed now from the change's cost and delay."""
    cr_services.change_request_submit(
        actor=request.auth,
        change_request=_change_request(request, change_request_id),
        comment=payload.comment,
    )
    return _change_request(request, change_request_id)


@router.post(
    "/change-requests/{change_request_id}/approve",
    response=responses(200, ChangeRequestDetailOut),
    summary="Approve a submitted change request",
)
def change_request_approve(request: ApiRequest, change_request_id: int, payload: CommentIn) -> Any:
    """By the sponsor or someone who may approve at the change's level; never by whoever
    requested or submitted it."""
    cr_services.change_request_approve(
        actor=request.auth,
        change_request=_change_request(request, change_request_id),
        comment=payload.comment,
    )
    return _change_request(request, change_request_id)


@router.post(
    "/change-requests/{change_request_id}/reject",
    response=responses(200, ChangeRequestDetailOut),
    summary="Reject a submitted change request",
)
def change_request_reject(request: ApiRequest, change_request_id: int, payload: CommentIn) -> Any:
    cr_services.change_request_reject(
        actor=request.auth,
        change_request=_change_request(request, change_request_id),
        comment=payload.comment,
    )
    return _change_request(request, change_request_id)


@router.post(
    "/change-requests/{change_request_id}/withdraw",
    response=responses(200, ChangeRequestDetailOut),
    summary="Withdraw a change request not yet applied",
)
def change_request_withdraw(request: ApiRequest, change_request_id: int, payload: CommentIn) -> Any:
    cr_services.change_request_withdraw(
        actor=request.auth,
        change_request=_change_request(request, change_request_id),
        comment=payload.comment,
    )
    return _change_request(request, change_request_id)


@router.post(
    "/change-requests/{change_request_id}/apply",
    response=responses(200, ApplyOut),
    summary="Apply an approved change request to the plan, baseline and budget",
)
def change_request_apply(request: ApiRequest, change_request_id: int) -> dict[str, Any]:
    """All or nothing; needs Change on the project."""
    applied = cr_services.change_request_apply(
        actor=request.auth, change_request=_change_request(request, change_request_id)
    )
    return {
        "change_request": _change_request(request, change_request_id),
        "baseline_id": applied.baseline.pk,
        "budget_id": applied.budget.pk if applied.budget is not None else None,
        "budget_note": applied.budget_note,
    }


@router.get(
    "/change-requests/{change_request_id}/tasks",
    response=responses(200, list[TaskChangeOut]),
    summary="List a change request's task changes",
)
def change_request_tasks(request: ApiRequest, change_request_id: int) -> list[Any]:
    change_request = _change_request(request, change_request_id)
    return list(change_request.task_changes.select_related("task"))


@router.post(
    "/change-requests/{change_request_id}/tasks",
    response=responses(201, TaskChangeOut),
    summary="Add a task change to a draft",
)
def change_request_task_add(
    request: ApiRequest, change_request_id: int, payload: TaskChangeIn
) -> Status[Any]:
    change_request = _change_request(request, change_request_id)
    values = payload.model_dump()
    task_id = values.pop("task_id")
    task = None
    if task_id is not None:
        task = (
            visible(request.auth, Task.objects.filter(project=change_request.project_id))
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise ValidationError({"task_id": gettext("Choose a task of this project.")})
    change = cr_services.change_request_task_add(
        actor=request.auth, change_request=change_request, task=task, **values
    )
    return Status(201, change)


@router.delete(
    "/change-requests/{change_request_id}/tasks/{task_change_id}",
    response=responses(204, None),
    summary="Remove a task change from a draft",
)
def change_request_task_remove(
    request: ApiRequest, change_request_id: int, task_change_id: int
) -> Status[None]:
    change = cr_services.change_request_task_get_for_user(task_change_id, user=request.auth)
    if change.change_request_id != change_request_id:
        raise NotFoundError()
    cr_services.change_request_task_remove(actor=request.auth, task_change=change)
    return Status(204, None)
