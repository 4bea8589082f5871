"""Pages of a project's issues, assumptions, dependencies, decisions and change requests under
its RAID tab: lists with filters and an Excel export, each item's page with its actions and
history, their forms, and the change requests awaiting the user's decision."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.core.exports import local_time, xlsx_response
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    history_context,
    paginate,
    render_list,
)
from pilotage.core.pages import report_error as report_errors
from pilotage.interop.xlsx import Column, Sheet
from pilotage.planning.parsing import format_quantity
from pilotage.planning.selectors import duration_text
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.forms import ServiceForm
from pilotage.portfolio.models import Project
from pilotage.risks import change_requests as cr_services
from pilotage.risks import raid
from pilotage.risks.forms_raid import (
    AssumptionFilterForm,
    AssumptionForm,
    ChangeRequestFilterForm,
    ChangeRequestForm,
    CommentForm,
    DecisionFilterForm,
    DecisionForm,
    DependencyFilterForm,
    DependencyForm,
    EscalateForm,
    EvaluationForm,
    ImportLinksForm,
    IssueFilterForm,
    IssueForm,
    RaiseIssueForm,
    ResolutionForm,
    TaskChangeForm,
    ValidationForm,
    link_label,
)
from pilotage.risks.models import (
    OPEN_ISSUE_STATUSES,
    AssumptionStatus,
    ChangeRequest,
    ChangeRequestStatus,
    EscalationLevel,
    Issue,
    IssueStatus,
    ProjectDependency,
)


def _project(request: PageRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return portfolio_selectors.project_get_for_user(project_id, user=request.user, action=action)


def _context(project: Project, raid_tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "tab": "raid",
        "raid_tab": raid_tab,
        "active_nav": "projects",
        **extra,
    }


def _list_page(
    request: PageRequest,
    project: Project,
    *,
    raid_tab: str,
    filters: Any,
    items: Any,
    template: str,
    partial: str,
    export: Callable[[Any], HttpResponse],
    rows: Callable[[Iterable[Any]], Any] | None = None,
    **extra: Any,
) -> HttpResponseBase:
    if request.GET.get("format") == "xlsx":
        return export(items)
    page = paginate(request, items)
    context = _context(
        project,
        raid_tab,
        filters=filters,
        page=page,
        rows=rows(page.object_list) if rows else page.object_list,
        may_change=can(request.user, Action.CHANGE, project),
        htmx_target=f"#{raid_tab}-results",
        **extra,
    )
    return render_list(request, template, partial, context)


def _form_page(
    request: PageRequest,
    project: Project,
    form: ServiceForm,
    *,
    save: Callable[[], models.Model],
    detail: str,
    message: str,
    raid_tab: str,
    title: str,
    cancel_url: str,
    template: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message % {"object": saved})
            return redirect(detail, saved.pk)
    return render(
        request,
        template,
        _context(project, raid_tab, form=form, title=title, cancel_url=cancel_url),
    )


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _done(request: PageRequest, message: str, item: Any) -> None:
    messages.success(request, message % {"object": item})


def _detail_context(request: PageRequest, item: Any, raid_tab: str, **extra: Any) -> dict[str, Any]:
    return _context(
        item.project,
        raid_tab,
        item=item,
        may_change=can(request.user, Action.CHANGE, item),
        may_delete=can(request.user, Action.DELETE, item),
        **history_context(request, item),
        **extra,
    )


# Issues -------------------------------------------------------------------------------------


def _issues_xlsx(issues: Iterable[Issue]) -> HttpResponse:
    sheet = Sheet(
        gettext("Issues"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Title"), "text", width=40),
            Column(gettext("Project"), "text"),
            Column(gettext("Severity"), "text"),
            Column(gettext("Priority"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Owner"), "text"),
            Column(gettext("Due"), "date"),
            Column(gettext("Escalated to"), "text"),
            Column(gettext("From risk"), "text"),
            Column(gettext("Resolution"), "text", width=40),
            Column(gettext("Resolved at"), "datetime"),
        ],
        [
            [
                issue.code,
                issue.title,
                issue.project.code if issue.project else "",
                str(issue.get_severity_display()),
                str(issue.get_priority_display()),
                str(issue.get_status_display()),
                _who(issue.owner),
                issue.due_date,
                str(issue.get_escalation_level_display()),
                issue.risk.code if issue.risk else "",
                issue.resolution,
                local_time(issue.resolved_at),
            ]
            for issue in issues
        ],
    )
    return xlsx_response("issues", [sheet], title=gettext("Issues"))


@login_required
def project_issues(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = IssueFilterForm(request.GET)
    items = raid.issue_list(user=request.user, project=project, **filters.selector_kwargs())
    return _list_page(
        request,
        project,
        raid_tab="issues",
        filters=filters,
        items=items,
        template="risks/issue_list.html",
        partial="risks/partials/raid_issue_table.html",
        export=_issues_xlsx,
        overdue_count=raid.issues_overdue(user=request.user, project=project).count(),
        today=timezone.localdate(),
    )


@login_required
def issue_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    initial = {}
    if request.GET.get("risk", "").isdigit():
        initial["risk"] = int(request.GET["risk"])
    form = IssueForm(request.POST or None, project=project, user=request.user, initial=initial)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.issue_create(actor=request.user, project=project, **form.changes()),
        detail="risks:issue_detail",
        message=gettext("Issue “%(object)s” raised."),
        raid_tab="issues",
        title=gettext("New issue"),
        cancel_url=reverse("risks:project_issues", args=[project.pk]),
        template="risks/issue_form.html",
    )


@login_required
def issue_update(request: PageRequest, pk: int) -> HttpResponse:
    issue = raid.issue_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = issue.project
    assert project is not None
    form = IssueForm(request.POST or None, project=project, user=request.user, instance=issue)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.issue_update(actor=request.user, issue=issue, **form.changes()),
        detail="risks:issue_detail",
        message=gettext("Issue “%(object)s” saved."),
        raid_tab="issues",
        title=gettext("Edit issue %(code)s") % {"code": issue.code},
        cancel_url=reverse("risks:issue_detail", args=[issue.pk]),
        template="risks/issue_form.html",
    )


def _escalation_choices(item: Any) -> list[tuple[str, str]]:
    levels = [
        (value, label)
        for value, label in EscalationLevel.choices
        if value != item.escalation_level
        and (value != EscalationLevel.PROGRAMME or item.programme_id)
    ]
    return [(str(value), str(label)) for value, label in levels]


@login_required
def issue_detail(request: PageRequest, pk: int) -> HttpResponse:
    issue = raid.issue_get_for_user(pk, user=request.user)
    escalate = EscalateForm()
    escalate.fields["level"].choices = _escalation_choices(issue)  # type: ignore[attr-defined]
    return render(
        request,
        "risks/issue_detail.html",
        _detail_context(
            request,
            issue,
            "issues",
            resolution_form=ResolutionForm(initial={"resolution": issue.resolution}),
            escalate_form=escalate,
            is_unresolved=issue.status in OPEN_ISSUE_STATUSES,
            is_done=issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED),
            is_overdue=issue.status in OPEN_ISSUE_STATUSES
            and issue.due_date is not None
            and issue.due_date < timezone.localdate(),
        ),
    )


@login_required
@require_POST
def issue_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of an issue's page: resolve, close, reopen, escalate, delete."""
    issue = raid.issue_get_for_user(pk, user=request.user)
    post = request.POST
    try:
        if action == "resolve":
            raid.issue_resolve(
                actor=request.user, issue=issue, resolution=post.get("resolution", "")
            )
            _done(request, gettext("“%(object)s” resolved."), issue)
        elif action == "close":
            raid.issue_close(actor=request.user, issue=issue, resolution=post.get("resolution", ""))
            _done(request, gettext("“%(object)s” closed."), issue)
        elif action == "reopen":
            raid.issue_reopen(actor=request.user, issue=issue)
            _done(request, gettext("“%(object)s” reopened."), issue)
        elif action == "escalate":
            raid.issue_escalate(
                actor=request.user,
                issue=issue,
                level=post.get("level", ""),
                comment=post.get("comment", ""),
            )
            _done(request, gettext("“%(object)s” escalated."), issue)
        elif action == "delete":
            project_id = issue.project_id
            raid.issue_delete(actor=request.user, issue=issue)
            _done(request, gettext("“%(object)s” deleted."), issue)
            return redirect("risks:project_issues", project_id)
        else:
            raise Http404
    except ValidationError as exc:
        report_errors(request, exc)
    return redirect("risks:issue_detail", issue.pk)


# Assumptions --------------------------------------------------------------------------------


def _assumptions_xlsx(assumptions: Iterable[Any]) -> HttpResponse:
    sheet = Sheet(
        gettext("Assumptions"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Title"), "text", width=40),
            Column(gettext("Project"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Validate by"), "date"),
            Column(gettext("Owner"), "text"),
            Column(gettext("Risk if false"), "text"),
            Column(gettext("Validation note"), "text", width=40),
            Column(gettext("Validated at"), "datetime"),
        ],
        [
            [
                item.code,
                item.title,
                item.project.code if item.project else "",
                str(item.get_status_display()),
                item.validate_by,
                _who(item.owner),
                item.risk.code if item.risk else "",
                item.validation_note,
                local_time(item.validated_at),
            ]
            for item in assumptions
        ],
    )
    return xlsx_response("assumptions", [sheet], title=gettext("Assumptions"))


@login_required
def project_assumptions(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = AssumptionFilterForm(request.GET)
    items = raid.assumption_list(user=request.user, project=project, **filters.selector_kwargs())
    return _list_page(
        request,
        project,
        raid_tab="assumptions",
        filters=filters,
        items=items,
        template="risks/assumption_list.html",
        partial="risks/partials/raid_assumption_table.html",
        export=_assumptions_xlsx,
        overdue_count=raid.assumptions_overdue(user=request.user, project=project).count(),
        today=timezone.localdate(),
    )


@login_required
def assumption_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    form = AssumptionForm(request.POST or None, project=project, user=request.user)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.assumption_create(actor=request.user, project=project, **form.changes()),
        detail="risks:assumption_detail",
        message=gettext("Assumption “%(object)s” recorded."),
        raid_tab="assumptions",
        title=gettext("New assumption"),
        cancel_url=reverse("risks:project_assumptions", args=[project.pk]),
        template="risks/assumption_form.html",
    )


@login_required
def assumption_update(request: PageRequest, pk: int) -> HttpResponse:
    assumption = raid.assumption_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = assumption.project
    assert project is not None
    form = AssumptionForm(
        request.POST or None, project=project, user=request.user, instance=assumption
    )
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.assumption_update(
            actor=request.user, assumption=assumption, **form.changes()
        ),
        detail="risks:assumption_detail",
        message=gettext("Assumption “%(object)s” saved."),
        raid_tab="assumptions",
        title=gettext("Edit assumption %(code)s") % {"code": assumption.code},
        cancel_url=reverse("risks:assumption_detail", args=[assumption.pk]),
        template="risks/assumption_form.html",
    )


@login_required
def assumption_detail(request: PageRequest, pk: int) -> HttpResponse:
    assumption = raid.assumption_get_for_user(pk, user=request.user)
    return render(
        request,
        "risks/assumption_detail.html",
        _detail_context(
            request,
            assumption,
            "assumptions",
            validation_form=ValidationForm(),
            raise_form=RaiseIssueForm(),
            is_open=assumption.status == AssumptionStatus.OPEN,
            is_false=assumption.status == AssumptionStatus.INVALID,
            is_overdue=assumption.status == AssumptionStatus.OPEN
            and assumption.validate_by is not None
            and assumption.validate_by < timezone.localdate(),
        ),
    )


@login_required
@require_POST
def assumption_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of an assumption's page: validate, reopen, raise an issue, delete."""
    assumption = raid.assumption_get_for_user(pk, user=request.user)
    try:
        if action == "validate":
            form = ValidationForm(request.POST)
            if not form.is_valid():
                raise ValidationError(gettext("Choose whether the assumption held."))
            raid.assumption_validate(
                actor=request.user,
                assumption=assumption,
                valid=form.cleaned_data["verdict"] == "valid",
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                gettext("“%(object)s” recorded as %(status)s.")
                % {"object": assumption, "status": assumption.get_status_display().lower()},
            )
        elif action == "reopen":
            raid.assumption_reopen(actor=request.user, assumption=assumption)
            _done(request, gettext("“%(object)s” is to validate again."), assumption)
        elif action == "raise-issue":
            raise_form = RaiseIssueForm(request.POST)
            if not raise_form.is_valid():
                raise ValidationError(gettext("Check the issue's severity and priority."))
            issue = raid.assumption_raise_issue(
                actor=request.user, assumption=assumption, **raise_form.cleaned_data
            )
            _done(request, gettext("Issue “%(object)s” raised."), issue)
            return redirect("risks:issue_detail", issue.pk)
        elif action == "delete":
            project_id = assumption.project_id
            raid.assumption_delete(actor=request.user, assumption=assumption)
            _done(request, gettext("“%(object)s” deleted."), assumption)
            return redirect("risks:project_assumptions", project_id)
        else:
            raise Http404
    except ValidationError as exc:
        report_errors(request, exc)
    return redirect("risks:assumption_detail", assumption.pk)


# Dependencies -------------------------------------------------------------------------------


def _party(dependency: ProjectDependency, seen: set[int]) -> str:
    other = dependency.other_project
    if other is None:
        return dependency.external_party
    if other.pk in seen:
        return f"{other.code} — {other.name}"
    return gettext("A project you cannot see")


def _dependency_rows(
    dependencies: Iterable[ProjectDependency], seen: set[int]
) -> list[dict[str, Any]]:
    return [
        {
            "item": dependency,
            "party": _party(dependency, seen),
            "other_visible": dependency.other_project_id in seen,
            "dates": raid.dependency_plan_dates(dependency),
        }
        for dependency in dependencies
    ]


def _dependencies_xlsx(dependencies: Iterable[ProjectDependency], seen: set[int]) -> HttpResponse:
    rows = []
    for row in _dependency_rows(dependencies, seen):
        item, dates = row["item"], row["dates"]
        rows.append(
            [
                item.code,
                item.title,
                item.project.code if item.project else "",
                str(item.get_direction_display()),
                row["party"],
                item.task.name if item.task else "",
                item.needed_by,
                dates.predecessor_finish if dates else None,
                dates.successor_start if dates else None,
                bool(dates and dates.at_risk),
                str(item.get_status_display()),
                _who(item.owner),
            ]
        )
    sheet = Sheet(
        gettext("Dependencies"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Title"), "text", width=40),
            Column(gettext("Project"), "text"),
            Column(gettext("Direction"), "text"),
            Column(gettext("With"), "text", width=30),
            Column(gettext("Task"), "text"),
            Column(gettext("Needed by"), "date"),
            Column(gettext("Predecessor finishes"), "datetime"),
            Column(gettext("Successor starts"), "datetime"),
            Column(gettext("At risk in the plan"), "boolean"),
            Column(gettext("Status"), "text"),
            Column(gettext("Owner"), "text"),
        ],
        rows,
    )
    return xlsx_response("dependencies", [sheet], title=gettext("Dependencies"))


@login_required
def project_dependencies(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = DependencyFilterForm(request.GET)
    items = raid.dependency_list(user=request.user, project=project, **filters.selector_kwargs())
    seen = raid.visible_project_ids(request.user)
    may_change = can(request.user, Action.CHANGE, project)
    return _list_page(
        request,
        project,
        raid_tab="dependencies",
        filters=filters,
        items=items,
        template="risks/dependency_list.html",
        partial="risks/partials/raid_dependency_table.html",
        export=lambda rows: _dependencies_xlsx(rows, seen),
        rows=lambda page: _dependency_rows(page, seen),
        today=timezone.localdate(),
        links_to_import=len(raid.dependency_plan_links(user=request.user, project=project))
        if may_change
        else 0,
    )


@login_required
def dependency_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    form = DependencyForm(request.POST or None, project=project, user=request.user)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.dependency_create(actor=request.user, project=project, **form.changes()),
        detail="risks:dependency_detail",
        message=gettext("Dependency “%(object)s” recorded."),
        raid_tab="dependencies",
        title=gettext("New dependency"),
        cancel_url=reverse("risks:project_dependencies", args=[project.pk]),
        template="risks/dependency_form.html",
    )


@login_required
def dependency_update(request: PageRequest, pk: int) -> HttpResponse:
    dependency = raid.dependency_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = dependency.project
    assert project is not None
    form = DependencyForm(
        request.POST or None, project=project, user=request.user, instance=dependency
    )
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.dependency_update(
            actor=request.user, dependency=dependency, **form.changes()
        ),
        detail="risks:dependency_detail",
        message=gettext("Dependency “%(object)s” saved."),
        raid_tab="dependencies",
        title=gettext("Edit dependency %(code)s") % {"code": dependency.code},
        cancel_url=reverse("risks:dependency_detail", args=[dependency.pk]),
        template="risks/dependency_form.html",
    )


@login_required
def dependency_detail(request: PageRequest, pk: int) -> HttpResponse:
    dependency = raid.dependency_get_for_user(pk, user=request.user)
    seen = raid.visible_project_ids(request.user)
    link = dependency.plan_dependency
    return render(
        request,
        "risks/dependency_detail.html",
        _detail_context(
            request,
            dependency,
            "dependencies",
            row=_dependency_rows([dependency], seen)[0],
            link_label=link_label(link) if link is not None else "",
        ),
    )


@login_required
@require_POST
def dependency_delete(request: PageRequest, pk: int) -> HttpResponse:
    dependency = raid.dependency_get_for_user(pk, user=request.user)
    project_id = dependency.project_id
    try:
        raid.dependency_delete(actor=request.user, dependency=dependency)
    except ValidationError as exc:
        report_errors(request, exc)
        return redirect("risks:dependency_detail", dependency.pk)
    _done(request, gettext("“%(object)s” deleted."), dependency)
    return redirect("risks:project_dependencies", project_id)


@login_required
def dependency_import(request: PageRequest, project_id: int) -> HttpResponse:
    """Record the plan's cross-project links as dependencies: the links not yet recorded."""
    project = _project(request, project_id, Action.CHANGE)
    links = raid.dependency_plan_links(user=request.user, project=project)
    form = ImportLinksForm(request.POST or None, links=links)
    if request.method == "POST" and form.is_valid():
        try:
            created = raid.dependency_import_from_plan(
                actor=request.user, project=project, links=form.cleaned_data["links"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                gettext("%(count)d dependencies recorded from the plan.") % {"count": len(created)},
            )
            return redirect("risks:project_dependencies", project.pk)
    rows = [
        {
            "link": link,
            "label": link_label(link),
            "inbound": link.successor.project_id == project.pk,
            "finish": link.predecessor.finish,
            "start": link.successor.start,
        }
        for link in links
    ]
    return render(
        request,
        "risks/dependency_import.html",
        _context(project, "dependencies", form=form, links=rows),
    )


# Decisions ----------------------------------------------------------------------------------


def _decisions_xlsx(decisions: Iterable[Any]) -> HttpResponse:
    sheet = Sheet(
        gettext("Decisions"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Decided on"), "date"),
            Column(gettext("Decision"), "text", width=40),
            Column(gettext("Project"), "text"),
            Column(gettext("Decided by"), "text"),
            Column(gettext("Why"), "text", width=40),
            Column(gettext("What it affects"), "text", width=40),
            Column(gettext("Change request"), "text"),
        ],
        [
            [
                item.code,
                item.decided_on,
                item.title,
                item.project.code if item.project else "",
                _who(item.decided_by) or item.decided_by_name,
                item.rationale,
                item.affects,
                item.change_request.code if item.change_request else "",
            ]
            for item in decisions
        ],
    )
    return xlsx_response("decisions", [sheet], title=gettext("Decisions"))


@login_required
def project_decisions(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = DecisionFilterForm(request.GET)
    items = raid.decision_list(user=request.user, project=project, **filters.selector_kwargs())
    return _list_page(
        request,
        project,
        raid_tab="decisions",
        filters=filters,
        items=items,
        template="risks/decision_list.html",
        partial="risks/partials/raid_decision_table.html",
        export=_decisions_xlsx,
    )


@login_required
def decision_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    initial = {}
    if request.GET.get("change_request", "").isdigit():
        initial["change_request"] = int(request.GET["change_request"])
    form = DecisionForm(request.POST or None, project=project, user=request.user, initial=initial)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.decision_create(actor=request.user, project=project, **form.changes()),
        detail="risks:decision_detail",
        message=gettext("Decision “%(object)s” logged."),
        raid_tab="decisions",
        title=gettext("Log a decision"),
        cancel_url=reverse("risks:project_decisions", args=[project.pk]),
        template="risks/decision_form.html",
    )


@login_required
def decision_update(request: PageRequest, pk: int) -> HttpResponse:
    decision = raid.decision_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = decision.project
    assert project is not None
    form = DecisionForm(request.POST or None, project=project, user=request.user, instance=decision)
    return _form_page(
        request,
        project,
        form,
        save=lambda: raid.decision_update(actor=request.user, decision=decision, **form.changes()),
        detail="risks:decision_detail",
        message=gettext("Decision “%(object)s” saved."),
        raid_tab="decisions",
        title=gettext("Edit decision %(code)s") % {"code": decision.code},
        cancel_url=reverse("risks:decision_detail", args=[decision.pk]),
        template="risks/decision_form.html",
    )


@login_required
def decision_detail(request: PageRequest, pk: int) -> HttpResponse:
    decision = raid.decision_get_for_user(pk, user=request.user)
    return render(
        request, "risks/decision_detail.html", _detail_context(request, decision, "decisions")
    )


@login_required
@require_POST
def decision_delete(request: PageRequest, pk: int) -> HttpResponse:
    decision = raid.decision_get_for_user(pk, user=request.user)
    project_id = decision.project_id
    raid.decision_delete(actor=request.user, decision=decision)
    _done(request, gettext("“%(object)s” deleted."), decision)
    return redirect("risks:project_decisions", project_id)


# Change requests ----------------------------------------------------------------------------


def _change_requests_xlsx(requests: Iterable[ChangeRequest]) -> HttpResponse:
    sheet = Sheet(
        gettext("Change requests"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Title"), "text", width=40),
            Column(gettext("Project"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Approval level"), "text"),
            Column(gettext("Delay (days)"), "decimal"),
            Column(gettext("Cost impact"), "decimal"),
            Column(gettext("Added fixed costs"), "decimal"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Requested by"), "text"),
            Column(gettext("Submitted at"), "datetime"),
            Column(gettext("Decided by"), "text"),
            Column(gettext("Decided at"), "datetime"),
            Column(gettext("Applied at"), "datetime"),
        ],
        [
            [
                item.code,
                item.title,
                item.project.code,
                str(item.get_status_display()),
                str(item.get_approval_level_display())
                if item.status != ChangeRequestStatus.DRAFT
                else "",
                item.schedule_impact_days,
                item.cost_impact,
                getattr(item, "added_cost", None),
                item.project.currency,
                _who(item.created_by),
                local_time(item.submitted_at),
                _who(item.decided_by),
                local_time(item.decided_at),
                local_time(item.applied_at),
            ]
            for item in requests
        ],
    )
    return xlsx_response("change-requests", [sheet], title=gettext("Change requests"))


@login_required
def project_change_requests(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = _project(request, project_id)
    filters = ChangeRequestFilterForm(request.GET)
    items = cr_services.change_request_list(
        user=request.user, project=project, **filters.selector_kwargs()
    )
    return _list_page(
        request,
        project,
        raid_tab="change_requests",
        filters=filters,
        items=items,
        template="risks/change_request_list.html",
        partial="risks/partials/raid_change_request_table.html",
        export=_change_requests_xlsx,
    )


@login_required
def change_request_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    form = ChangeRequestForm(request.POST or None, project=project, user=request.user)
    return _form_page(
        request,
        project,
        form,
        save=lambda: cr_services.change_request_create(
            actor=request.user, project=project, **form.changes()
        ),
        detail="risks:change_request_detail",
        message=gettext("Change request “%(object)s” drafted."),
        raid_tab="change_requests",
        title=gettext("New change request"),
        cancel_url=reverse("risks:project_change_requests", args=[project.pk]),
        template="risks/change_request_form.html",
    )


@login_required
def change_request_update(request: PageRequest, pk: int) -> HttpResponse:
    change_request = cr_services.change_request_get_for_user(
        pk, user=request.user, action=Action.CHANGE
    )
    project = change_request.project
    form = ChangeRequestForm(
        request.POST or None, project=project, user=request.user, instance=change_request
    )
    return _form_page(
        request,
        project,
        form,
        save=lambda: cr_services.change_request_update(
            actor=request.user, change_request=change_request, **form.changes()
        ),
        detail="risks:change_request_detail",
        message=gettext("Change request “%(object)s” saved."),
        raid_tab="change_requests",
        title=gettext("Edit change request %(code)s") % {"code": change_request.code},
        cancel_url=reverse("risks:change_request_detail", args=[change_request.pk]),
        template="risks/change_request_form.html",
    )


def _task_change_rows(change_request: ChangeRequest) -> list[dict[str, Any]]:
    rows = []
    for change in change_request.task_changes.select_related("task", "task__calendar"):
        task = change.task
        unit = task.duration_unit if task is not None else "d"
        rows.append(
            {
                "change": change,
                "name": task.name if task is not None else change.name,
                "is_new": task is None,
                "current": duration_text(task) if task is not None else "",
                "new": format_quantity(change.duration_minutes, unit),
            }
        )
    return rows


def _change_request_page(
    request: PageRequest, change_request: ChangeRequest, **extra: Any
) -> HttpResponse:
    user = request.user
    status = change_request.status
    may_change = can(user, Action.CHANGE, change_request)
    refusal = cr_services.approval_refusal(user, change_request)
    context = _detail_context(
        request,
        change_request,
        "change_requests",
        events=cr_services.change_request_events(change_request),
        task_rows=_task_change_rows(change_request),
        decisions=list(change_request.decisions.order_by("-decided_on", "-pk")),
        total_cost=cr_services.total_cost(change_request),
        approval_note=cr_services.approval_note(change_request),
        is_draft=status == ChangeRequestStatus.DRAFT,
        may_decide=not refusal,
        refusal=refusal if status == ChangeRequestStatus.SUBMITTED else "",
        may_apply=may_change and status == ChangeRequestStatus.APPROVED,
        may_withdraw=may_change
        and status
        in (
            ChangeRequestStatus.DRAFT,
            ChangeRequestStatus.SUBMITTED,
            ChangeRequestStatus.APPROVED,
        ),
        may_evaluate=may_change
        and status in (ChangeRequestStatus.DRAFT, ChangeRequestStatus.SUBMITTED),
        may_remove=can(user, Action.DELETE, change_request)
        and status
        in (
            ChangeRequestStatus.DRAFT,
            ChangeRequestStatus.WITHDRAWN,
            ChangeRequestStatus.REJECTED,
        ),
        comment_form=CommentForm(),
        evaluation_form=EvaluationForm(initial={"evaluation": change_request.evaluation}),
        task_form=extra.pop("task_form", None) or TaskChangeForm(project=change_request.project),
        **extra,
    )
    return render(request, "risks/change_request_detail.html", context)


@login_required
def change_request_detail(request: PageRequest, pk: int) -> HttpResponse:
    change_request = cr_services.change_request_get_for_user(pk, user=request.user)
    return _change_request_page(request, change_request)


@login_required
@require_POST
def change_request_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a change request's page: evaluate, submit, approve, reject, withdraw,
    apply, add a task change, delete."""
    change_request = cr_services.change_request_get_for_user(pk, user=request.user)
    user = request.user
    comment = request.POST.get("comment", "")
    try:
        if action == "evaluate":
            cr_services.change_request_evaluate(
                actor=user,
                change_request=change_request,
                evaluation=request.POST.get("evaluation", ""),
            )
            _done(request, gettext("Evaluation of “%(object)s” saved."), change_request)
        elif action == "submit":
            cr_services.change_request_submit(
                actor=user, change_request=change_request, comment=comment
            )
            _done(request, gettext("“%(object)s” submitted for approval."), change_request)
        elif action == "approve":
            cr_services.change_request_approve(
                actor=user, change_request=change_request, comment=comment
            )
            _done(request, gettext("“%(object)s” approved."), change_request)
        elif action == "reject":
            cr_services.change_request_reject(
                actor=user, change_request=change_request, comment=comment
            )
            _done(request, gettext("“%(object)s” rejected."), change_request)
        elif action == "withdraw":
            cr_services.change_request_withdraw(
                actor=user, change_request=change_request, comment=comment
            )
            _done(request, gettext("“%(object)s” withdrawn."), change_request)
        elif action == "apply":
            applied = cr_services.change_request_apply(actor=user, change_request=change_request)
            _done(request, gettext("“%(object)s” applied to the plan."), change_request)
            if applied.budget is None:
                messages.warning(
                    request,
                    gettext("The budget was not changed: %(reason)s.")
                    % {"reason": applied.budget_note},
                )
        elif action == "add-task":
            form = TaskChangeForm(request.POST, project=change_request.project)
            if not form.is_valid():
                return _change_request_page(request, change_request, task_form=form)
            try:
                cr_services.change_request_task_add(
                    actor=user, change_request=change_request, **form.service_kwargs()
                )
            except ValidationError as exc:
                add_service_error(form, exc)
                return _change_request_page(request, change_request, task_form=form)
            _done(request, gettext("Task change added to “%(object)s”."), change_request)
        elif action == "delete":
            project_id = change_request.project_id
            cr_services.change_request_delete(actor=user, change_request=change_request)
            _done(request, gettext("“%(object)s” deleted."), change_request)
            return redirect("risks:project_change_requests", project_id)
        else:
            raise Http404
    except ValidationError as exc:
        report_errors(request, exc)
    return redirect("risks:change_request_detail", change_request.pk)


@login_required
@require_POST
def change_request_task_remove(request: PageRequest, pk: int) -> HttpResponse:
    change = cr_services.change_request_task_get_for_user(pk, user=request.user)
    try:
        cr_services.change_request_task_remove(actor=request.user, task_change=change)
    except ValidationError as exc:
        report_errors(request, exc)
    else:
        messages.success(request, gettext("Task change removed."))
    return redirect("risks:change_request_detail", change.change_request_id)


@login_required
def change_request_approvals(request: PageRequest) -> HttpResponse:
    """The change requests waiting for the user's decision, across the projects they see."""
    awaiting = cr_services.change_requests_awaiting(user=request.user)
    rows = [
        {
            "item": item,
            "total_cost": cr_services.total_cost(item),
            "note": cr_services.approval_note(item),
        }
        for item in awaiting
    ]
    return render(
        request,
        "risks/change_request_approvals.html",
        {"rows": rows, "active_nav": "risks"},
    )
