"""Issues, assumptions, dependencies and decisions of a project's RAID log: reads and writes.

Whoever sees a project sees its RAID items; Change on the project creates and edits them (a
project manager on their project); Delete on it deletes them (PMO, portfolio managers).
Each item gets the next free code of its kind in its portfolio (I-001, A-001, D-001,
DEC-001) unless one is typed, and takes its portfolio and programme from its project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, can_view, get_for_user, require, visible
from pilotage.core.search import search_filter
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    proposed_change,
    update_audited,
)
from pilotage.planning.models import Dependency, Task
from pilotage.portfolio.models import Portfolio, Project
from pilotage.risks.models import (
    OPEN_ISSUE_STATUSES,
    Assumption,
    AssumptionStatus,
    ChangeRequest,
    Decision,
    DependencyDirection,
    DependencyStatus,
    Issue,
    IssueStatus,
    ProjectDependency,
    RaidScoped,
    Risk,
    RiskAssessment,
    RiskStatus,
)
from pilotage.risks.register import (
    raid_escalate,
    raid_next_code,
    risk_expected_value,
)

__all__ = [
    "ASSUMPTION_FIELDS",
    "CODE_PREFIXES",
    "DECISION_FIELDS",
    "DEPENDENCY_FIELDS",
    "ISSUE_FIELDS",
    "PlanDates",
    "assumption_create",
    "assumption_delete",
    "assumption_get_for_user",
    "assumption_list",
    "assumption_raise_issue",
    "assumption_reopen",
    "assumption_update",
    "assumption_validate",
    "assumptions_overdue",
    "decision_create",
    "decision_delete",
    "decision_get_for_user",
    "decision_list",
    "decision_update",
    "dependency_create",
    "dependency_delete",
    "dependency_get_for_user",
    "dependency_import_from_plan",
    "dependency_list",
    "dependency_plan_dates",
    "dependency_plan_links",
    "dependency_update",
    "issue_close",
    "issue_create",
    "issue_delete",
    "issue_escalate",
    "issue_get_for_user",
    "issue_list",
    "issue_reopen",
    "issue_resolve",
    "issue_update",
    "issues_overdue",
    "next_code",
    "risk_mark_occurred",
    "visible_project_ids",
]

CODE_PREFIXES: dict[type[RaidScoped], str] = {
    Risk: "R",
    Issue: "I",
    Assumption: "A",
    ProjectDependency: "D",
    Decision: "DEC",
    ChangeRequest: "CR",
}

ISSUE_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "severity",
    "priority",
    "status",
    "due_date",
    "risk",
)
ASSUMPTION_FIELDS = ("code", "title", "description", "owner", "validate_by", "risk")
DEPENDENCY_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "direction",
    "other_project",
    "external_party",
    "task",
    "plan_dependency",
    "needed_by",
    "status",
)
DECISION_FIELDS = (
    "code",
    "title",
    "description",
    "owner",
    "decided_by",
    "decided_by_name",
    "decided_on",
    "rationale",
    "affects",
    "change_request",
)


# Shared -------------------------------------------------------------------------------------


def next_code(model: type[RaidScoped], portfolio: Portfolio) -> str:
    """The next free code of this kind of item in the portfolio: ``I-004`` after ``I-003``."""
    return raid_next_code(model, portfolio=portfolio, prefix=f"{CODE_PREFIXES[model]}-")


def _scope(project: Project) -> dict[str, Any]:
    # The portfolio and programme always come from the project, never from the caller.
    return {
        "project": project,
        "portfolio_id": project.portfolio_id,
        "programme_id": project.programme_id,
    }


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def visible_project_ids(user: Any) -> set[int]:
    """The ids of the projects ``user`` may see (one query), to name other projects only to
    those who may see them."""
    return set(visible(user, Project.objects.all()).values_list("pk", flat=True))


def _check_risk(item: Issue | Assumption, errors: dict[str, list[str]]) -> None:
    risk = item.risk
    if risk is not None and risk.project_id != item.project_id:
        errors.setdefault("risk", []).append(
            gettext("The risk %(code)s is not a risk of this project.") % {"code": risk.code}
        )


def _search(queryset: QuerySet[Any], search: str) -> QuerySet[Any]:
    return search_filter(queryset, search, ("code", "title", "description"))


def risk_mark_occurred(*, actor: Any, risk: Risk) -> Risk:
    """The risk happened (an issue was raised from it): its status becomes occurred and its
    scores as they stand are recorded in its assessment history."""
    if risk.status == RiskStatus.OCCURRED:
        return risk
    update_audited(actor=actor, instance=risk, changes={"status": RiskStatus.OCCURRED})
    RiskAssessment.objects.create(
        risk=risk,
        assessed_at=timezone.now(),
        assessed_by=acting_user(actor),
        status=risk.status,
        probability=risk.probability,
        impact=risk.impact,
        residual_probability=risk.residual_probability,
        residual_impact=risk.residual_impact,
        expected_value=risk_expected_value(risk),
    )
    return risk


def _refuse_if_not_changeable(actor: Any, item: RaidScoped) -> None:
    require(actor, Action.CHANGE, item)


# Issues -------------------------------------------------------------------------------------


def _issues() -> QuerySet[Issue]:
    return Issue.objects.select_related("project", "portfolio", "owner", "risk")


def issue_list(
    *,
    user: Any,
    project: Project | None = None,
    status: str = "",
    severity: str = "",
    priority: int | None = None,
    owner: Any = None,
    overdue: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[Issue]:
    """The issues the user may see, most urgent first. ``status`` may be a status or
    ``unresolved`` (open or in progress); ``overdue`` keeps the unresolved issues due before
    ``today``."""
    queryset = visible(user, _issues())
    if project is not None:
        queryset = queryset.filter(project=project)
    if status == "unresolved":
        queryset = queryset.filter(status__in=OPEN_ISSUE_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if severity:
        queryset = queryset.filter(severity=severity)
    if priority:
        queryset = queryset.filter(priority=priority)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    if overdue:
        queryset = queryset.filter(status__in=OPEN_ISSUE_STATUSES, due_date__lt=_today(today))
    queryset = _search(queryset, search)
    return queryset.order_by("priority", F("due_date").asc(nulls_last=True), "code", "pk")


def issues_overdue(
    *, user: Any, project: Project | None = None, today: dt.date | None = None
) -> QuerySet[Issue]:
    """Unresolved issues past their due date."""
    return issue_list(user=user, project=project, overdue=True, today=today)


def issue_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Issue:
    return get_for_user(_issues(), pk, user=user, action=action)


def _check_issue(issue: Issue) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _check_risk(issue, errors)
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) and not issue.resolution.strip():
        errors["resolution"] = [gettext("Say how the issue was resolved.")]
    return errors


@transaction.atomic
def issue_create(
    *, actor: Any, project: Project, title: str, code: str = "", **values: Any
) -> Issue:
    """An open issue of ``project`` (Change on it). Raising it from a risk of the project
    (``risk``) marks the risk as occurred."""
    check_fields(values, set(ISSUE_FIELDS) - {"code", "title", "status"})
    require(actor, Action.CHANGE, project)
    issue = Issue(
        **_scope(project),
        code=code.strip() or next_code(Issue, project.portfolio),
        title=title.strip(),
        created_by=acting_user(actor),
        **values,
    )
    create_audited(actor=actor, instance=issue, errors=_check_issue(issue))
    if issue.risk is not None:
        risk_mark_occurred(actor=actor, risk=issue.risk)
    return issue


@transaction.atomic
def issue_update(*, actor: Any, issue: Issue, **changes: Any) -> Issue:
    """Change an issue; its status moves here only between open and in progress (resolving,
    closing and reopening have their own services). Linking it to a risk marks the risk as
    occurred."""
    check_fields(changes, ISSUE_FIELDS)
    _refuse_if_not_changeable(actor, issue)
    errors: dict[str, list[str]] = {}
    moving = "status" in changes and changes["status"] != issue.status
    if moving and (
        changes["status"] not in OPEN_ISSUE_STATUSES or issue.status not in OPEN_ISSUE_STATUSES
    ):
        errors["status"] = [
            gettext(
                "Resolve, close or reopen the issue with its own button; the status changes "
                "here only between open and in progress."
            )
        ]
    proposed = proposed_change(issue, changes)
    for field, messages in _check_issue(proposed).items():
        errors.setdefault(field, []).extend(messages)
    old_risk = issue.risk_id
    update_audited(actor=actor, instance=issue, changes=changes, errors=errors)
    if issue.risk is not None and issue.risk_id != old_risk:
        risk_mark_occurred(actor=actor, risk=issue.risk)
    return issue


def _require_status(item: Any, allowed: Iterable[str], action: str) -> None:
    if item.status not in set(allowed):
        raise ValidationError(
            gettext("%(item)s is %(status)s: it cannot be %(action)s.")
            % {"item": item.code, "status": item.get_status_display().lower(), "action": action},
            code="invalid_status",
        )


@transaction.atomic
def issue_resolve(*, actor: Any, issue: Issue, resolution: str) -> Issue:
    """The issue is resolved; saying how is required."""
    _refuse_if_not_changeable(actor, issue)
    _require_status(issue, OPEN_ISSUE_STATUSES, gettext("resolved"))
    if not resolution.strip():
        raise ValidationError({"resolution": gettext("Say how the issue was resolved.")})
    return update_audited(
        actor=actor,
        instance=issue,
        changes={
            "status": IssueStatus.RESOLVED,
            "resolution": resolution.strip(),
            "resolved_at": timezone.now(),
        },
    )


@transaction.atomic
def issue_close(*, actor: Any, issue: Issue, resolution: str = "") -> Issue:
    """Close the issue: resolved ones keep their resolution, open ones need one now."""
    _refuse_if_not_changeable(actor, issue)
    _require_status(issue, (*OPEN_ISSUE_STATUSES, IssueStatus.RESOLVED), gettext("closed"))
    text = resolution.strip() or issue.resolution.strip()
    if not text:
        raise ValidationError(
            {"resolution": gettext("Say how the issue was resolved before closing it.")}
        )
    changes: dict[str, Any] = {"status": IssueStatus.CLOSED, "resolution": text}
    if issue.resolved_at is None:
        changes["resolved_at"] = timezone.now()
    return update_audited(actor=actor, instance=issue, changes=changes)


@transaction.atomic
def issue_reopen(*, actor: Any, issue: Issue) -> Issue:
    """A resolved or closed issue is open again (its last resolution stays in its history)."""
    _refuse_if_not_changeable(actor, issue)
    _require_status(issue, (IssueStatus.RESOLVED, IssueStatus.CLOSED), gettext("reopened"))
    return update_audited(
        actor=actor,
        instance=issue,
        changes={"status": IssueStatus.OPEN, "resolved_at": None},
    )


@transaction.atomic
def issue_delete(*, actor: Any, issue: Issue) -> None:
    require(actor, Action.DELETE, issue)
    delete_audited(actor=actor, instance=issue)


@transaction.atomic
def issue_escalate(*, actor: Any, issue: Issue, level: str, comment: str = "") -> Issue:
    """Raise (or lower) the level the issue shows at: programme or portfolio RAID pages."""
    raid_escalate(actor=actor, item=issue, level=level, comment=comment)
    return issue


# Assumptions --------------------------------------------------------------------------------


def _assumptions() -> QuerySet[Assumption]:
    return Assumption.objects.select_related("project", "portfolio", "owner", "risk")


def assumption_list(
    *,
    user: Any,
    project: Project | None = None,
    status: str = "",
    owner: Any = None,
    overdue: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[Assumption]:
    """The assumptions the user may see, soonest validation date first; ``overdue`` keeps
    those still to validate whose date has passed."""
    queryset = visible(user, _assumptions())
    if project is not None:
        queryset = queryset.filter(project=project)
    if status:
        queryset = queryset.filter(status=status)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    if overdue:
        queryset = queryset.filter(status=AssumptionStatus.OPEN, validate_by__lt=_today(today))
    queryset = _search(queryset, search)
    return queryset.order_by(F("validate_by").asc(nulls_last=True), "code", "pk")


def assumptions_overdue(
    *, user: Any, project: Project | None = None, today: dt.date | None = None
) -> QuerySet[Assumption]:
    """Assumptions still to validate past their validate-by date."""
    return assumption_list(user=user, project=project, overdue=True, today=today)


def assumption_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Assumption:
    return get_for_user(_assumptions(), pk, user=user, action=action)


def _check_assumption(assumption: Assumption) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    _check_risk(assumption, errors)
    return errors


@transaction.atomic
def assumption_create(
    *, actor: Any, project: Project, title: str, code: str = "", **values: Any
) -> Assumption:
    """An assumption of ``project``, to validate by a date (Change on the project)."""
    check_fields(values, set(ASSUMPTION_FIELDS) - {"code", "title"})
    require(actor, Action.CHANGE, project)
    assumption = Assumption(
        **_scope(project),
        code=code.strip() or next_code(Assumption, project.portfolio),
        title=title.strip(),
        created_by=acting_user(actor),
        **values,
    )
    return create_audited(actor=actor, instance=assumption, errors=_check_assumption(assumption))


@transaction.atomic
def assumption_update(*, actor: Any, assumption: Assumption, **changes: Any) -> Assumption:
    check_fields(changes, ASSUMPTION_FIELDS)
    _refuse_if_not_changeable(actor, assumption)
    return update_audited(
        actor=actor,
        instance=assumption,
        changes=changes,
        errors=_check_assumption(proposed_change(assumption, changes)),
    )


@transaction.atomic
def assumption_validate(
    *, actor: Any, assumption: Assumption, valid: bool, note: str = ""
) -> Assumption:
    """Record that the assumption held (validated) or proved false; a false one needs a note
    saying what was found."""
    _refuse_if_not_changeable(actor, assumption)
    status = AssumptionStatus.VALIDATED if valid else AssumptionStatus.INVALID
    if assumption.status == status:
        raise ValidationError(
            gettext("%(item)s is already %(status)s.")
            % {"item": assumption.code, "status": status.label.lower()},
            code="invalid_status",
        )
    if not valid and not note.strip():
        raise ValidationError({"note": gettext("Say what proved the assumption false.")})
    return update_audited(
        actor=actor,
        instance=assumption,
        changes={
            "status": status,
            "validation_note": note.strip(),
            "validated_at": timezone.now(),
        },
    )


@transaction.atomic
def assumption_reopen(*, actor: Any, assumption: Assumption) -> Assumption:
    """Back to "to validate" (the earlier verdict stays in the history)."""
    _refuse_if_not_changeable(actor, assumption)
    _require_status(
        assumption,
        (AssumptionStatus.VALIDATED, AssumptionStatus.INVALID),
        gettext("reopened"),
    )
    return update_audited(
        actor=actor,
        instance=assumption,
        changes={"status": AssumptionStatus.OPEN, "validated_at": None},
    )


@transaction.atomic
def assumption_raise_issue(
    *, actor: Any, assumption: Assumption, title: str = "", **values: Any
) -> Issue:
    """Raise an issue because the assumption proved false. The issue names the assumption and
    what was found; when the assumption carries the risk it would cause, the issue is raised
    from that risk (which is then marked occurred). The assumption's note names the issue."""
    _refuse_if_not_changeable(actor, assumption)
    if assumption.status != AssumptionStatus.INVALID:
        raise ValidationError(
            gettext("Only an assumption proved false raises an issue; %(item)s is %(status)s.")
            % {"item": assumption.code, "status": assumption.get_status_display().lower()},
            code="invalid_status",
        )
    project = assumption.project
    assert project is not None
    description = gettext("Assumption %(code)s (%(title)s) proved false: %(note)s") % {
        "code": assumption.code,
        "title": assumption.title,
        "note": assumption.validation_note,
    }
    values.setdefault("description", description)
    values.setdefault("risk", assumption.risk)
    issue = issue_create(
        actor=actor,
        project=project,
        title=title.strip()
        or gettext("Assumption proved false: %(title)s") % {"title": assumption.title},
        **values,
    )
    note = assumption.validation_note.rstrip()
    raised = gettext("Issue %(code)s raised.") % {"code": issue.code}
    update_audited(
        actor=actor,
        instance=assumption,
        changes={"validation_note": f"{note}\n{raised}" if note else raised},
    )
    return issue


@transaction.atomic
def assumption_delete(*, actor: Any, assumption: Assumption) -> None:
    require(actor, Action.DELETE, assumption)
    delete_audited(actor=actor, instance=assumption)


# Dependencies -------------------------------------------------------------------------------


def _dependencies() -> QuerySet[ProjectDependency]:
    return ProjectDependency.objects.select_related(
        "project",
        "portfolio",
        "owner",
        "other_project",
        "task",
        "plan_dependency__predecessor__project",
        "plan_dependency__successor__project",
    )


@dataclass(frozen=True)
class PlanDates:
    """The dates of a dependency's plan link: when the predecessor finishes, when the successor
    starts, and whether the predecessor finishes after the date it is needed by."""

    predecessor_finish: dt.datetime | None
    successor_start: dt.datetime | None
    at_risk: bool


def dependency_plan_dates(dependency: ProjectDependency) -> PlanDates | None:
    """The plan link's dates, or None without a plan link (no query with :func:`_dependencies`)."""
    link = dependency.plan_dependency
    if link is None:
        return None
    finish = link.predecessor.finish
    start = link.successor.start
    at_risk = (
        finish is not None
        and dependency.needed_by is not None
        and finish.date() > dependency.needed_by
        and dependency.status not in (DependencyStatus.MET,)
    )
    return PlanDates(predecessor_finish=finish, successor_start=start, at_risk=at_risk)


def dependency_list(
    *,
    user: Any,
    project: Project | None = None,
    status: str = "",
    direction: str = "",
    other_project: Project | None = None,
    overdue: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[ProjectDependency]:
    """The dependencies the user may see, soonest needed first; ``overdue`` keeps the open
    or at-risk ones whose needed-by date has passed."""
    queryset = visible(user, _dependencies())
    if project is not None:
        queryset = queryset.filter(project=project)
    if status:
        queryset = queryset.filter(status=status)
    if direction:
        queryset = queryset.filter(direction=direction)
    if other_project is not None:
        queryset = queryset.filter(other_project=other_project)
    if overdue:
        queryset = queryset.filter(
            status__in=(DependencyStatus.OPEN, DependencyStatus.AT_RISK),
            needed_by__lt=_today(today),
        )
    queryset = search_filter(queryset, search, ("code", "title", "description", "external_party"))
    return queryset.order_by(F("needed_by").asc(nulls_last=True), "code", "pk")


def dependency_get_for_user(
    pk: Any, *, user: Any, action: Action = Action.VIEW
) -> ProjectDependency:
    return get_for_user(_dependencies(), pk, user=user, action=action)


def _check_dependency(
    actor: Any, dependency: ProjectDependency, changed: set[str]
) -> dict[str, list[str]]:
    """Check the dependency and derive from its plan link what the link decides (the other
    project, this project's task and the direction)."""
    errors: dict[str, list[str]] = {}
    project_id = dependency.project_id
    link: Dependency | None = dependency.plan_dependency
    if link is not None:
        ours_first = link.predecessor.project_id == project_id
        ours_second = link.successor.project_id == project_id
        if ours_first == ours_second:
            errors["plan_dependency"] = [
                gettext(
                    "This plan link does not connect a task of this project to a task of "
                    "another project."
                )
            ]
        else:
            ours = link.predecessor if ours_first else link.successor
            theirs = link.successor if ours_first else link.predecessor
            if "plan_dependency" in changed and not can_view(actor, theirs.project):
                errors["plan_dependency"] = [
                    gettext("This plan link leads to a project you cannot see.")
                ]
            elif dependency.external_party.strip():
                errors["external_party"] = [
                    gettext("A plan link is with another project, not with an outside party.")
                ]
            else:
                if dependency.other_project_id is None:
                    dependency.other_project = theirs.project
                elif dependency.other_project_id != theirs.project_id:
                    errors["plan_dependency"] = [
                        gettext(
                            "This plan link is with another project than the one this "
                            "dependency is with."
                        )
                    ]
                if dependency.task_id is None:
                    dependency.task = ours
                elif dependency.task_id != ours.pk:
                    errors.setdefault("task", []).append(
                        gettext("The task is not the one the plan link starts from or leads to.")
                    )
                dependency.direction = (
                    DependencyDirection.OUTBOUND if ours_first else DependencyDirection.INBOUND
                )
    other = dependency.other_project
    party = dependency.external_party.strip()
    dependency.external_party = party
    if "plan_dependency" in errors or "external_party" in errors:
        pass
    elif other is not None and party:
        errors.setdefault("external_party", []).append(
            gettext("Give either another project or an outside party, not both.")
        )
    elif other is None and not party:
        errors.setdefault("other_project", []).append(
            gettext("Give the other project or the outside party this dependency is with.")
        )
    if other is not None:
        if other.pk == project_id:
            errors.setdefault("other_project", []).append(
                gettext("A dependency is with another project, not with this one.")
            )
        elif "other_project" in changed and not can_view(actor, other):
            errors.setdefault("other_project", []).append(
                gettext("Select a valid choice. That choice is not one of the available choices.")
            )
    task: Task | None = dependency.task
    if task is not None and task.project_id != project_id:
        errors.setdefault("task", []).append(gettext("Choose a task of this project."))
    return errors


@transaction.atomic
def dependency_create(
    *, actor: Any, project: Project, title: str, code: str = "", **values: Any
) -> ProjectDependency:
    """A dependency of ``project`` on another project it may see or on an outside party
    (exactly one), or of them on it. With a plan link between a task of the project and a
    task of another project, the other project, the task and the direction come from the
    link."""
    check_fields(values, set(DEPENDENCY_FIELDS) - {"code", "title"})
    require(actor, Action.CHANGE, project)
    dependency = ProjectDependency(
        **_scope(project),
        code=code.strip() or next_code(ProjectDependency, project.portfolio),
        title=title.strip(),
        created_by=acting_user(actor),
        **values,
    )
    changed = {name for name, value in values.items() if value not in (None, "")}
    errors = _check_dependency(actor, dependency, changed)
    return create_audited(actor=actor, instance=dependency, errors=errors)


@transaction.atomic
def dependency_update(
    *, actor: Any, dependency: ProjectDependency, **changes: Any
) -> ProjectDependency:
    check_fields(changes, DEPENDENCY_FIELDS)
    _refuse_if_not_changeable(actor, dependency)
    proposed = proposed_change(dependency, changes)
    changed = {name for name, value in changes.items() if getattr(dependency, name) != value}
    errors = _check_dependency(actor, proposed, changed)
    for name in ("other_project", "task", "direction", "external_party"):
        if getattr(proposed, name) != getattr(dependency, name):
            changes[name] = getattr(proposed, name)
    return update_audited(actor=actor, instance=dependency, changes=changes, errors=errors)


@transaction.atomic
def dependency_delete(*, actor: Any, dependency: ProjectDependency) -> None:
    require(actor, Action.DELETE, dependency)
    delete_audited(actor=actor, instance=dependency)


def dependency_plan_links(*, user: Any, project: Project) -> list[Dependency]:
    """The plan's links between a task of ``project`` and a task of another project the user
    sees that no dependency of the project records yet, in task order."""
    if not can_view(user, project):
        return []
    recorded = ProjectDependency.objects.filter(
        project=project, plan_dependency__isnull=False
    ).values("plan_dependency_id")
    seen = visible(user, Project.objects.all())
    links = (
        Dependency.objects.filter(
            Q(predecessor__project=project, successor__project__in=seen)
            | Q(successor__project=project, predecessor__project__in=seen)
        )
        .exclude(predecessor__project=F("successor__project"))
        .exclude(pk__in=recorded)
        .select_related("predecessor__project", "successor__project")
        .order_by("pk")
    )
    return list(links)


def _link_title(link: Dependency) -> str:
    return gettext("%(predecessor)s (%(from)s) → %(successor)s (%(to)s)") % {
        "predecessor": link.predecessor.name,
        "from": link.predecessor.project.code,
        "successor": link.successor.name,
        "to": link.successor.project.code,
    }


@transaction.atomic
def dependency_import_from_plan(
    *, actor: Any, project: Project, links: Iterable[Dependency]
) -> list[ProjectDependency]:
    """Record the plan's cross-project ``links`` as dependencies of ``project``: each needed
    by the successor's start. All or nothing: a link that is not one of
    :func:`dependency_plan_links` refuses the whole import."""
    require(actor, Action.CHANGE, project)
    available = {link.pk: link for link in dependency_plan_links(user=actor, project=project)}
    chosen = list(links)
    unknown = [link for link in chosen if link.pk not in available]
    if unknown:
        raise ValidationError(
            {
                "links": [
                    gettext(
                        "The plan link %(link)s is not a link of this project with a project "
                        "you can see, or it is already recorded."
                    )
                    % {"link": link.pk}
                    for link in unknown
                ]
            }
        )
    created = []
    for link in chosen:
        link = available[link.pk]
        start = link.successor.start
        created.append(
            dependency_create(
                actor=actor,
                project=project,
                title=_link_title(link)[:255],
                plan_dependency=link,
                needed_by=start.date() if start is not None else None,
            )
        )
    return created


# Decisions ----------------------------------------------------------------------------------


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "project", "portfolio", "owner", "decided_by", "change_request"
    )


def decision_list(
    *,
    user: Any,
    project: Project | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    search: str = "",
) -> QuerySet[Decision]:
    """The decisions the user may see, newest first."""
    queryset = visible(user, _decisions())
    if project is not None:
        queryset = queryset.filter(project=project)
    if since is not None:
        queryset = queryset.filter(decided_on__gte=since)
    if until is not None:
        queryset = queryset.filter(decided_on__lte=until)
    queryset = search_filter(
        queryset,
        search,
        ("code", "title", "description", "rationale", "affects", "decided_by_name"),
    )
    return queryset.order_by("-decided_on", "-code", "-pk")


def decision_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Decision:
    return get_for_user(_decisions(), pk, user=user, action=action)


def _check_decision(decision: Decision) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if decision.decided_by_id is None and not decision.decided_by_name.strip():
        errors["decided_by"] = [gettext("Say who decided: a user or a name.")]
    request: ChangeRequest | None = decision.change_request
    if request is not None and request.project_id != decision.project_id:
        errors["change_request"] = [
            gettext("The change request %(code)s is not one of this project's.")
            % {"code": request.code}
        ]
    return errors


@transaction.atomic
def decision_create(
    *,
    actor: Any,
    project: Project,
    title: str,
    decided_on: dt.date,
    code: str = "",
    **values: Any,
) -> Decision:
    """A decision in the project's log: what, who (a user or a name), when, why, what it
    affects (Change on the project)."""
    check_fields(values, set(DECISION_FIELDS) - {"code", "title", "decided_on"})
    require(actor, Action.CHANGE, project)
    decision = Decision(
        **_scope(project),
        code=code.strip() or next_code(Decision, project.portfolio),
        title=title.strip(),
        decided_on=decided_on,
        created_by=acting_user(actor),
        **values,
    )
    return create_audited(actor=actor, instance=decision, errors=_check_decision(decision))


@transaction.atomic
def decision_update(*, actor: Any, decision: Decision, **changes: Any) -> Decision:
    """Correct a recorded decision (Change on the project); every change stays in its
    history."""
    check_fields(changes, DECISION_FIELDS)
    _refuse_if_not_changeable(actor, decision)
    return update_audited(
        actor=actor,
        instance=decision,
        changes=changes,
        errors=_check_decision(proposed_change(decision, changes)),
    )


@transaction.atomic
def decision_delete(*, actor: Any, decision: Decision) -> None:
    require(actor, Action.DELETE, decision)
    delete_audited(actor=actor, instance=decision)
