"""Change requests: drafted with their impacts and task changes, evaluated, submitted for
approval at the level their impact calls for, approved or rejected, then applied to the plan,
a new primary baseline and the approved budget, all in one transaction.

The approval level comes from the RAID settings when the request is submitted: a cost (the
cost impact plus the task changes' added fixed costs, in the project's currency) or a delay
above the portfolio thresholds goes to the portfolio; above the programme thresholds, to the
project's programme (to the portfolio when the project has none); otherwise the project
decides. At project level the project's sponsor or anyone who may approve on the project
decides; at programme level the programme's sponsor or anyone who may approve on the
programme or its portfolio; at portfolio level anyone who may approve on the portfolio. The
person who requested or submitted a change never decides on it. Every step is an event of the
request's timeline.

Applying is a separate step taken by someone who may change the project (the plan and the
budget drafts are theirs): the tasks' durations change and new tasks are added through the
planning services (the project is scheduled again), a new primary baseline named after the
request is captured (earlier baselines are kept), and the project's current approved budget
gets a new approved version with one more amount in the month of approval. A project without
an approved budget, or a request without a cost, only changes the plan and the baseline, and
the timeline says why the budget was not changed. Any other failure (a cycle, a locked
period, a missing exchange rate) changes nothing and names the problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, can, get_for_user, require, visible
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.search import search_filter
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    update_audited,
)
from pilotage.finance import budgets as finance_budgets
from pilotage.finance.matching import format_money
from pilotage.finance.models import Budget
from pilotage.planning import services as planning_services
from pilotage.planning.models import Baseline, ProjectPlan, Task
from pilotage.portfolio.models import Project
from pilotage.risks.models import (
    ZERO,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeRequestStatus,
    ChangeRequestTask,
    Decision,
    EscalationLevel,
    RiskSettings,
)
from pilotage.risks.raid import next_code
from pilotage.risks.register import risk_settings

__all__ = [
    "CHANGE_REQUEST_FIELDS",
    "AppliedChange",
    "approval_level_for",
    "approval_note",
    "approval_refusal",
    "change_request_apply",
    "change_request_approve",
    "change_request_create",
    "change_request_delete",
    "change_request_evaluate",
    "change_request_events",
    "change_request_get_for_user",
    "change_request_list",
    "change_request_reject",
    "change_request_submit",
    "change_request_task_add",
    "change_request_task_get_for_user",
    "change_request_task_remove",
    "change_request_update",
    "change_request_withdraw",
    "change_requests_awaiting",
    "total_cost",
]

CHANGE_REQUEST_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "reason",
    "scope_impact",
    "schedule_impact_days",
    "cost_impact",
    "risk_impact",
)

_DECIDABLE = (ChangeRequestStatus.SUBMITTED,)
_WITHDRAWABLE = (
    ChangeRequestStatus.DRAFT,
    ChangeRequestStatus.SUBMITTED,
    ChangeRequestStatus.APPROVED,
)
_DELETABLE = (
    ChangeRequestStatus.DRAFT,
    ChangeRequestStatus.WITHDRAWN,
    ChangeRequestStatus.REJECTED,
)


def _name(user: Any) -> str:
    if user is None:
        return gettext("System")
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or user.get_username())


def _settings() -> RiskSettings:
    return risk_settings()


# Reads --------------------------------------------------------------------------------------


def _change_requests() -> QuerySet[ChangeRequest]:
    added = (
        ChangeRequestTask.objects.filter(change_request=OuterRef("pk"))
        .order_by()
        .values("change_request")
        .annotate(total=Sum("cost"))
        .values("total")
    )
    submitter = (
        ChangeRequestEvent.objects.filter(
            change_request=OuterRef("pk"), status=ChangeRequestStatus.SUBMITTED
        )
        .order_by("-created_at", "-pk")
        .values("actor_id")[:1]
    )
    return (
        ChangeRequest.objects.select_related(
            "project",
            "project__sponsor",
            "project__programme",
            "project__programme__sponsor",
            "project__portfolio",
            "portfolio",
            "owner",
            "created_by",
            "decided_by",
            "applied_by",
            "baseline",
            "budget",
        )
        .annotate(
            added_cost=Coalesce(
                Subquery(added),
                Value(ZERO),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
            submitted_by_id=Subquery(submitter),
        )
        .annotate(
            cost_total=ExpressionWrapper(
                F("cost_impact") + F("added_cost"),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            )
        )
        .annotate(level_if_submitted=_level_expression(_settings()))
    )


def _level_expression(settings: RiskSettings) -> Case:
    """:func:`approval_level_for` as a database expression on the annotated ``cost_total``,
    so that a list reads the settings once."""
    above_portfolio = Q(cost_total__gt=settings.portfolio_cost_threshold) | Q(
        schedule_impact_days__gt=settings.portfolio_days_threshold
    )
    above_programme = Q(cost_total__gt=settings.programme_cost_threshold) | Q(
        schedule_impact_days__gt=settings.programme_days_threshold
    )
    return Case(
        When(above_portfolio, then=Value(EscalationLevel.PORTFOLIO.value)),
        When(
            above_programme & Q(project__programme__isnull=False),
            then=Value(EscalationLevel.PROGRAMME.value),
        ),
        When(above_programme, then=Value(EscalationLevel.PORTFOLIO.value)),
        default=Value(EscalationLevel.PROJECT.value),
        output_field=CharField(),
    )


def change_request_list(
    *,
    user: Any,
    project: Project | None = None,
    status: str = "",
    approval_level: str = "",
    search: str = "",
) -> QuerySet[ChangeRequest]:
    """The change requests the user may see, newest code first, each with ``added_cost`` (the
    task changes' fixed costs) and ``submitted_by_id``."""
    queryset = visible(user, _change_requests())
    if project is not None:
        queryset = queryset.filter(project=project)
    if status:
        queryset = queryset.filter(status=status)
    if approval_level:
        queryset = queryset.filter(approval_level=approval_level)
    queryset = search_filter(queryset, search, ("code", "title", "description", "reason"))
    return queryset.order_by("-created_at", "-pk")


def change_request_get_for_user(
    pk: Any, *, user: Any, action: Action = Action.VIEW
) -> ChangeRequest:
    return get_for_user(_change_requests(), pk, user=user, action=action)


def change_request_events(change_request: ChangeRequest) -> list[ChangeRequestEvent]:
    """The request's timeline, oldest first."""
    return list(
        ChangeRequestEvent.objects.filter(change_request=change_request)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def change_request_task_get_for_user(
    pk: Any, *, user: Any, action: Action = Action.VIEW
) -> ChangeRequestTask:
    """A task change of a change request the user may see (and do ``action`` on)."""
    requests = visible(user, ChangeRequest.objects.all())
    try:
        change = ChangeRequestTask.objects.select_related(
            "change_request", "change_request__project", "task"
        ).get(pk=pk, change_request__in=requests)
    except (ChangeRequestTask.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
    require(user, action, change.change_request)
    return change


def total_cost(change_request: ChangeRequest) -> Decimal:
    """The cost impact plus the added fixed costs of the task changes."""
    added = getattr(change_request, "added_cost", None)
    if added is None:
        added = (
            ChangeRequestTask.objects.filter(change_request=change_request).aggregate(
                total=Sum("cost")
            )["total"]
            or ZERO
        )
    return Decimal(change_request.cost_impact) + Decimal(added)


def approval_level_for(
    *, cost: Decimal, days: Decimal, project: Project, settings: RiskSettings | None = None
) -> str:
    """The level that approves a change of ``cost`` and ``days`` of delay on ``project``."""
    settings = settings or _settings()
    if cost > settings.portfolio_cost_threshold or days > settings.portfolio_days_threshold:
        return EscalationLevel.PORTFOLIO
    if cost > settings.programme_cost_threshold or days > settings.programme_days_threshold:
        return (
            EscalationLevel.PROGRAMME
            if project.programme_id is not None
            else EscalationLevel.PORTFOLIO
        )
    return EscalationLevel.PROJECT


def _level(change_request: ChangeRequest) -> str:
    """The level that approves the request: the one fixed at submission, or the one it would
    get if submitted now; a programme level falls to the portfolio when the project has left
    its programme."""
    if change_request.status == ChangeRequestStatus.DRAFT:
        annotated: str | None = getattr(change_request, "level_if_submitted", None)
        level = annotated or approval_level_for(
            cost=total_cost(change_request),
            days=change_request.schedule_impact_days,
            project=change_request.project,
        )
    else:
        level = change_request.approval_level
    if level == EscalationLevel.PROGRAMME and change_request.project.programme_id is None:
        return EscalationLevel.PORTFOLIO
    return level


def _allowed_by_level(user: Any, change_request: ChangeRequest) -> bool:
    project = change_request.project
    level = _level(change_request)
    user_pk = getattr(user, "pk", None)
    if level == EscalationLevel.PROJECT:
        return (user_pk is not None and project.sponsor_id == user_pk) or can(
            user, Action.APPROVE, project
        )
    if level == EscalationLevel.PROGRAMME and project.programme is not None:
        programme = project.programme
        return (user_pk is not None and programme.sponsor_id == user_pk) or can(
            user, Action.APPROVE, programme
        )
    return can(user, Action.APPROVE, project.portfolio)


def _submitter_id(change_request: ChangeRequest) -> int | None:
    if hasattr(change_request, "submitted_by_id"):
        value: int | None = change_request.submitted_by_id
        return value
    return (
        ChangeRequestEvent.objects.filter(
            change_request=change_request, status=ChangeRequestStatus.SUBMITTED
        )
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def approval_refusal(user: Any, change_request: ChangeRequest) -> str:
    """Why ``user`` may not approve or reject the request now; empty when they may."""
    if change_request.status not in _DECIDABLE:
        return gettext(
            "%(code)s is %(status)s: only a submitted change request is approved or rejected."
        ) % {
            "code": change_request.code,
            "status": change_request.get_status_display().lower(),
        }
    user_pk = getattr(user, "pk", None)
    if user_pk is not None and user_pk == change_request.created_by_id:
        return gettext("You requested this change: someone else must decide on it.")
    if user_pk is not None and user_pk == _submitter_id(change_request):
        return gettext("You submitted this change: someone else must decide on it.")
    if not _allowed_by_level(user, change_request):
        return approval_note(change_request)
    return ""


def approval_note(change_request: ChangeRequest) -> str:
    """Which level approves the request and who may: a sentence for the page."""
    project = change_request.project
    level = _level(change_request)
    if level == EscalationLevel.PROJECT:
        if project.sponsor is not None:
            return gettext(
                "Approval at project level: by the project's sponsor, %(sponsor)s, or by "
                "someone who may approve on project %(project)s."
            ) % {"sponsor": _name(project.sponsor), "project": project.code}
        return gettext(
            "Approval at project level: by someone who may approve on project %(project)s "
            "(the project has no sponsor)."
        ) % {"project": project.code}
    if level == EscalationLevel.PROGRAMME and project.programme is not None:
        programme = project.programme
        if programme.sponsor is not None:
            return gettext(
                "Approval at programme level: by the programme's sponsor, %(sponsor)s, or by "
                "someone who may approve on programme %(programme)s or its portfolio."
            ) % {"sponsor": _name(programme.sponsor), "programme": programme.code}
        return gettext(
            "Approval at programme level: by someone who may approve on programme "
            "%(programme)s or its portfolio (the programme has no sponsor)."
        ) % {"programme": programme.code}
    return gettext(
        "Approval at portfolio level: by someone who may approve on portfolio %(portfolio)s."
    ) % {"portfolio": project.portfolio.code}


def change_requests_awaiting(*, user: Any) -> list[ChangeRequest]:
    """The submitted change requests the user may decide on, oldest submission first."""
    queryset = change_request_list(user=user, status=ChangeRequestStatus.SUBMITTED).order_by(
        "submitted_at", "pk"
    )
    return [request for request in queryset if not approval_refusal(user, request)]


# Writes -------------------------------------------------------------------------------------


def _event(
    actor: Any, change_request: ChangeRequest, comment: str = "", status: str | None = None
) -> ChangeRequestEvent:
    return ChangeRequestEvent.objects.create(
        change_request=change_request,
        actor=acting_user(actor),
        status=status or change_request.status,
        comment=comment.strip(),
    )


def _require_status(change_request: ChangeRequest, allowed: Sequence[str], action: str) -> None:
    if change_request.status not in allowed:
        raise ValidationError(
            gettext("%(code)s is %(status)s: it cannot be %(action)s.")
            % {
                "code": change_request.code,
                "status": change_request.get_status_display().lower(),
                "action": action,
            },
            code="invalid_status",
        )


@transaction.atomic
def change_request_create(
    *, actor: Any, project: Project, title: str, code: str = "", **values: Any
) -> ChangeRequest:
    """A draft change request of ``project`` (Change on it); its portfolio and programme are
    the project's."""
    check_fields(values, set(CHANGE_REQUEST_FIELDS) - {"code", "title"})
    require(actor, Action.CHANGE, project)
    change_request = ChangeRequest(
        project=project,
        portfolio_id=project.portfolio_id,
        programme_id=project.programme_id,
        code=code.strip() or next_code(ChangeRequest, project.portfolio),
        title=title.strip(),
        created_by=acting_user(actor),
        **values,
    )
    create_audited(actor=actor, instance=change_request)
    _event(actor, change_request, gettext("Requested."))
    return change_request


@transaction.atomic
def change_request_update(
    *, actor: Any, change_request: ChangeRequest, **changes: Any
) -> ChangeRequest:
    """Change a draft (a submitted request is withdrawn, then drafted again, to change)."""
    check_fields(changes, CHANGE_REQUEST_FIELDS)
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, (ChangeRequestStatus.DRAFT,), gettext("changed"))
    return update_audited(actor=actor, instance=change_request, changes=changes)


@transaction.atomic
def change_request_delete(*, actor: Any, change_request: ChangeRequest) -> None:
    """Delete a draft, withdrawn or rejected request (Delete on the project); decided and
    applied ones stay as the record."""
    require(actor, Action.DELETE, change_request)
    _require_status(change_request, _DELETABLE, gettext("deleted"))
    delete_audited(actor=actor, instance=change_request)


@transaction.atomic
def change_request_evaluate(
    *, actor: Any, change_request: ChangeRequest, evaluation: str
) -> ChangeRequest:
    """Record the evaluation of the change (Change on the project), before the decision."""
    require(actor, Action.CHANGE, change_request)
    _require_status(
        change_request,
        (ChangeRequestStatus.DRAFT, ChangeRequestStatus.SUBMITTED),
        gettext("evaluated"),
    )
    if not evaluation.strip():
        raise ValidationError({"evaluation": gettext("Write the evaluation.")})
    update_audited(actor=actor, instance=change_request, changes={"evaluation": evaluation.strip()})
    _event(actor, change_request, gettext("Evaluated: %(text)s") % {"text": evaluation.strip()})
    return change_request


@transaction.atomic
def change_request_submit(
    *, actor: Any, change_request: ChangeRequest, comment: str = ""
) -> ChangeRequest:
    """Send a draft for approval; the approval level is fixed now from its impact."""
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, (ChangeRequestStatus.DRAFT,), gettext("submitted"))
    if not (change_request.scope_impact.strip() or change_request.description.strip()):
        raise ValidationError(
            {"scope_impact": gettext("Describe the change before submitting it.")}
        )
    level = approval_level_for(
        cost=total_cost(change_request),
        days=change_request.schedule_impact_days,
        project=change_request.project,
    )
    update_audited(
        actor=actor,
        instance=change_request,
        changes={
            "status": ChangeRequestStatus.SUBMITTED,
            "approval_level": level,
            "submitted_at": timezone.now(),
        },
    )
    change_request.submitted_by_id = getattr(actor, "pk", None)  # type: ignore[attr-defined]
    text = gettext("Submitted for approval at %(level)s level.") % {
        "level": EscalationLevel(level).label.lower()
    }
    _event(actor, change_request, f"{text} {comment.strip()}".strip())
    return change_request


def _require_decider(actor: Any, change_request: ChangeRequest) -> None:
    require(actor, Action.VIEW, change_request)
    refusal = approval_refusal(actor, change_request)
    if refusal:
        if change_request.status not in _DECIDABLE:
            raise ValidationError(refusal, code="invalid_status")
        raise ForbiddenError(refusal)


def _log_decision(
    actor: Any, change_request: ChangeRequest, title: str, rationale: str
) -> Decision:
    project = change_request.project
    affects = [change_request.scope_impact.strip()]
    affects.append(
        gettext("Finish: %(days)s days later; cost: %(cost)s %(currency)s.")
        % {
            "days": f"{change_request.schedule_impact_days:g}",
            "cost": format_money(total_cost(change_request)),
            "currency": project.currency,
        }
    )
    decision = Decision(
        project=project,
        portfolio_id=project.portfolio_id,
        programme_id=project.programme_id,
        code=next_code(Decision, project.portfolio),
        title=title[:255],
        decided_by=acting_user(actor),
        decided_on=timezone.localdate(),
        rationale=rationale,
        affects="\n".join(text for text in affects if text),
        change_request=change_request,
        created_by=acting_user(actor),
    )
    # The approval is the authority to log it: approvers need not hold Change on the project.
    return create_audited(actor=actor, instance=decision)


@transaction.atomic
def change_request_approve(
    *, actor: Any, change_request: ChangeRequest, comment: str = ""
) -> ChangeRequest:
    """Approve a submitted request (see :func:`approval_refusal` for who may); the decision
    goes to the project's decision log."""
    _require_decider(actor, change_request)
    return _decide(
        actor,
        change_request,
        ChangeRequestStatus.APPROVED,
        gettext("%(code)s approved by %(name)s")
        % {"code": change_request.code, "name": _name(actor)},
        comment,
    )


@transaction.atomic
def change_request_reject(
    *, actor: Any, change_request: ChangeRequest, comment: str
) -> ChangeRequest:
    """Reject a submitted request; the reason is required and goes to the decision log."""
    _require_decider(actor, change_request)
    if not comment.strip():
        raise ValidationError({"comment": gettext("Say why the change is rejected.")})
    return _decide(
        actor,
        change_request,
        ChangeRequestStatus.REJECTED,
        gettext("%(code)s rejected by %(name)s")
        % {"code": change_request.code, "name": _name(actor)},
        comment,
    )


def _decide(
    actor: Any, change_request: ChangeRequest, status: str, title: str, comment: str
) -> ChangeRequest:
    """Record the decision on the request, in its timeline and in the decision log."""
    update_audited(
        actor=actor,
        instance=change_request,
        changes={
            "status": status,
            "decided_by": acting_user(actor),
            "decided_at": timezone.now(),
            "decision_comment": comment.strip(),
        },
    )
    _event(actor, change_request, comment)
    _log_decision(actor, change_request, title, comment.strip())
    return change_request


@transaction.atomic
def change_request_withdraw(
    *, actor: Any, change_request: ChangeRequest, comment: str = ""
) -> ChangeRequest:
    """Withdraw a request not yet applied (Change on the project)."""
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, _WITHDRAWABLE, gettext("withdrawn"))
    update_audited(
        actor=actor, instance=change_request, changes={"status": ChangeRequestStatus.WITHDRAWN}
    )
    _event(actor, change_request, comment)
    return change_request


# Task changes -------------------------------------------------------------------------------


@transaction.atomic
def change_request_task_add(
    *,
    actor: Any,
    change_request: ChangeRequest,
    duration_minutes: int,
    task: Task | None = None,
    name: str = "",
    cost: Decimal = ZERO,
) -> ChangeRequestTask:
    """A task change of a draft: a task of the project with its new duration (working
    minutes), or a new task with its name and duration; either may add a fixed cost."""
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, (ChangeRequestStatus.DRAFT,), gettext("changed"))
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if task is None and not name:
        errors["name"] = [gettext("Choose a task of the project, or name the new task.")]
    if task is not None and name:
        errors["name"] = [gettext("Choose a task or name a new one, not both.")]
    if task is not None and task.project_id != change_request.project_id:
        errors["task"] = [gettext("Choose a task of this project.")]
    elif task is not None and task.is_summary:
        errors["task"] = [
            gettext(
                "“%(task)s” is a summary task: it takes its duration from its subtasks; "
                "change those."
            )
            % {"task": task.name}
        ]
    elif task is not None and change_request.task_changes.filter(task=task).exists():
        errors["task"] = [
            gettext("This change request already changes “%(task)s”.") % {"task": task.name}
        ]
    if duration_minutes is None or duration_minutes < 0:
        errors["duration_minutes"] = [gettext("Give the new duration.")]
    if cost is not None and cost < 0:
        errors["cost"] = [gettext("An added fixed cost cannot be negative.")]
    change = ChangeRequestTask(
        change_request=change_request,
        task=task,
        name=name,
        duration_minutes=duration_minutes,
        cost=cost or ZERO,
    )
    create_audited(actor=actor, instance=change, errors=errors)
    _event(
        actor,
        change_request,
        gettext("Task change added: %(task)s.") % {"task": task.name if task else name},
    )
    return change


@transaction.atomic
def change_request_task_remove(*, actor: Any, task_change: ChangeRequestTask) -> None:
    change_request = task_change.change_request
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, (ChangeRequestStatus.DRAFT,), gettext("changed"))
    label = task_change.task.name if task_change.task else task_change.name
    delete_audited(actor=actor, instance=task_change)
    _event(actor, change_request, gettext("Task change removed: %(task)s.") % {"task": label})


# Applying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedChange:
    """What applying a change request did: the baseline captured, the budget version approved
    (None when the budget was not changed) and, then, why."""

    change_request: ChangeRequest
    baseline: Baseline
    budget: Budget | None
    budget_note: str


def _baseline_name(change_request: ChangeRequest) -> str:
    base = f"{change_request.code} {change_request.title}"[:90].strip()
    taken = set(
        Baseline.objects.filter(
            project=change_request.project_id, name__startswith=base
        ).values_list("name", flat=True)
    )
    name, number = base, 2
    while name in taken:
        name = f"{base} ({number})"
        number += 1
    return name


def _apply_tasks(actor: Any, change_request: ChangeRequest) -> None:
    project = change_request.project
    for change in change_request.task_changes.select_related("task", "task__project"):
        label = change.task.name if change.task is not None else change.name
        try:
            if change.task is not None:
                values: dict[str, Any] = {"duration_minutes": change.duration_minutes}
                if change.cost:
                    values["fixed_cost"] = (change.task.fixed_cost or ZERO) + change.cost
                planning_services.task_update(actor=actor, task=change.task, **values)
            else:
                planning_services.task_create(
                    actor=actor,
                    project=project,
                    name=change.name,
                    duration_minutes=change.duration_minutes,
                    fixed_cost=change.cost or None,
                )
        except ValidationError as exc:
            raise ValidationError(
                gettext("The change to “%(task)s” cannot be made: %(reason)s")
                % {"task": label, "reason": " ".join(exc.messages)},
                code="task_change",
            ) from exc


def _current_budget(actor: Any, project: Project) -> Budget | None:
    versions = finance_budgets.budget_list(user=actor, project=project)
    return finance_budgets.budgets_current(versions).get("approved")


def _apply_budget(
    actor: Any, change_request: ChangeRequest, cost: Decimal
) -> tuple[Budget | None, str]:
    project = change_request.project
    if not cost:
        return None, gettext("the change has no cost")
    if _current_budget(actor, project) is None:
        return None, gettext("the project has no approved budget")
    decided = change_request.decided_at or timezone.now()
    try:
        budget = finance_budgets.budget_approve_change(
            actor=actor,
            project=project,
            amount=cost,
            currency=project.currency,
            on=timezone.localtime(decided).date(),
            name=f"{change_request.code} {change_request.title}"[:200],
            comment=gettext("%(code)s approved by %(name)s")
            % {
                "code": change_request.code,
                "name": _name(change_request.decided_by),
            },
            approved_by=change_request.decided_by,
        )
    except ValidationError as exc:
        raise ValidationError(
            gettext("The budget cannot be raised: %(reason)s") % {"reason": " ".join(exc.messages)},
            code="budget",
        ) from exc
    return budget, ""


def _finish(project: Project) -> dt.datetime | None:
    finish: dt.datetime | None = (
        ProjectPlan.objects.filter(project=project).values_list("finish", flat=True).first()
    )
    return finish


@transaction.atomic
def change_request_apply(*, actor: Any, change_request: ChangeRequest) -> AppliedChange:
    """Apply an approved request (Change on the project): the task changes through the
    planning services (which schedule the project again), a new primary baseline named after
    the request, and a new approved budget version raised by the request's cost in the month
    of approval. All or nothing; the error names what failed."""
    require(actor, Action.CHANGE, change_request)
    _require_status(change_request, (ChangeRequestStatus.APPROVED,), gettext("applied"))
    project = change_request.project
    finish_before = _finish(project)
    _apply_tasks(actor, change_request)
    baseline = planning_services.baseline_capture(
        actor=actor,
        project=project,
        name=_baseline_name(change_request),
        description=gettext("Captured when %(code)s was applied.") % {"code": change_request.code},
        is_primary=True,
    )
    cost = total_cost(change_request)
    budget, budget_note = _apply_budget(actor, change_request, cost)
    update_audited(
        actor=actor,
        instance=change_request,
        changes={
            "status": ChangeRequestStatus.APPLIED,
            "applied_at": timezone.now(),
            "applied_by": acting_user(actor),
            "baseline": baseline,
            "budget": budget,
        },
    )
    parts = [gettext("Baseline “%(name)s” captured as primary.") % {"name": baseline.name}]
    finish_after = baseline.finish
    if finish_before is not None and finish_after is not None and finish_before != finish_after:
        parts.append(
            gettext("The finish moved from %(before)s to %(after)s.")
            % {"before": f"{finish_before:%Y-%m-%d}", "after": f"{finish_after:%Y-%m-%d}"}
        )
    if budget is not None:
        parts.append(
            gettext("Budget v%(number)d approved, raised by %(cost)s %(currency)s.")
            % {"number": budget.number, "cost": format_money(cost), "currency": project.currency}
        )
    else:
        parts.append(gettext("The budget was not changed: %(reason)s.") % {"reason": budget_note})
    _event(actor, change_request, " ".join(parts))
    return AppliedChange(
        change_request=change_request, baseline=baseline, budget=budget, budget_note=budget_note
    )
