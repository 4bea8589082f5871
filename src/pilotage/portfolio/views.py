"""Pages of the portfolio domain: dashboard, projects, programmes, portfolios and objectives."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts import services as account_services
from pilotage.accounts.permissions import Action, can, require_organisation
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import (
    PER_PAGE_CHOICES,
    PageRequest,
    add_service_error,
    history_context,
    is_partial,
    paginate,
)
from pilotage.interop.xlsx import Column, Row, Sheet
from pilotage.portfolio import selectors, services
from pilotage.portfolio.filters import DashboardFilterForm, ProjectFilterForm
from pilotage.portfolio.forms import (
    MemberForm,
    ObjectiveForm,
    PortfolioForm,
    ProgrammeForm,
    ProjectForm,
    ServiceForm,
)
from pilotage.portfolio.models import HealthRag, Portfolio, Programme, Project, StrategicObjective

FORBIDDEN = _("You do not have permission to do this.")


def _forbid() -> None:
    raise ForbiddenError(str(FORBIDDEN))


# Dashboard ----------------------------------------------------------------------------------


def _chart_data(summary: selectors.DashboardSummary, portfolio: int | None) -> dict[str, Any]:
    """What charts.js draws, with the number separators of the user's language."""
    project_list = reverse("portfolio:project_list")
    scope = f"&portfolio={portfolio}" if portfolio else ""
    separators = str(formats.get_format("DECIMAL_SEPARATOR")) + str(
        formats.get_format("THOUSAND_SEPARATOR")
    )
    return {
        "separators": separators,
        "total": summary.project_count,
        "phase": {
            "labels": [label for _value, label, _count in summary.by_phase],
            "values": [count for _value, _label, count in summary.by_phase],
            "links": [f"{project_list}?phase={value}{scope}" for value, _l, _c in summary.by_phase],
        },
        "health": {
            "keys": [value for value, _label, _count in summary.by_health],
            "labels": [label for _value, label, _count in summary.by_health],
            "values": [count for _value, _label, count in summary.by_health],
            "links": [
                f"{project_list}?health={value}{scope}" for value, _l, _c in summary.by_health
            ],
        },
        "programme": {
            "labels": [name or gettext("No programme") for name, _n, _t in summary.by_programme],
            "values": [count for _name, count, _total in summary.by_programme],
        },
        "labels": {"projects": gettext("Projects")},
    }


@login_required
def dashboard(request: PageRequest) -> HttpResponse:
    filters = DashboardFilterForm(request.GET, user=request.user)
    summary = selectors.dashboard_summary(user=request.user, portfolio=filters.portfolio_id)
    health = {value: count for value, _label, count in summary.by_health}
    return render(
        request,
        "portfolio/dashboard.html",
        {
            "active_nav": "dashboard",
            "filters": filters,
            "summary": summary,
            "red_count": health.get(HealthRag.RED, 0),
            "amber_count": health.get(HealthRag.AMBER, 0),
            "chart_data": _chart_data(summary, filters.portfolio_id),
            "portfolio_param": filters.portfolio_id or "",
        },
    )


# Projects -----------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _score_text(score: float | None) -> str:
    return "" if score is None else f"{score:.0f}"


CSV_COLUMNS: list[tuple[Any, Callable[[Project], str]]] = [
    (_("Code"), lambda p: p.code),
    (_("Name"), lambda p: p.name),
    (_("Portfolio"), lambda p: p.portfolio.name),
    (_("Programme"), lambda p: p.programme.name if p.programme else ""),
    (_("Project manager"), lambda p: str(p.manager) if p.manager else ""),
    (_("Phase"), lambda p: p.get_phase_display()),
    (_("Status"), lambda p: p.get_status_display()),
    (_("Priority"), lambda p: p.get_priority_display()),
    (_("Health"), lambda p: p.get_health_display()),
    (
        _("Schedule health"),
        lambda p: _score_text(getattr(p, "schedule_health", None)),
    ),
    (_("Start"), lambda p: p.start_date.isoformat() if p.start_date else ""),
    (_("Finish"), lambda p: p.finish_date.isoformat() if p.finish_date else ""),
    (_("Budget"), lambda p: f"{p.budget:.2f}"),
    (_("Currency"), lambda p: p.currency),
    (_("Tags"), lambda p: ", ".join(t.name for t in p.tags.all())),
]


def _projects_csv(projects: models.QuerySet[Project]) -> StreamingHttpResponse:
    """The filtered list as CSV, UTF-8 with a byte order mark so that Excel reads the accents."""
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield "\ufeff" + writer.writerow([str(title) for title, _get in CSV_COLUMNS])
        for project in projects.iterator(chunk_size=500):
            yield writer.writerow([get(project) for _title, get in CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"projects-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def _projects_xlsx(projects: models.QuerySet[Project]) -> HttpResponse:
    """The filtered list as a formatted workbook: typed dates, money and scores."""
    sheet = Sheet(
        gettext("Projects"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=40),
            Column(gettext("Portfolio"), "text"),
            Column(gettext("Programme"), "text"),
            Column(gettext("Project manager"), "text"),
            Column(gettext("Phase"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Priority"), "text"),
            Column(gettext("Health"), "text"),
            Column(gettext("Schedule health"), "integer"),
            Column(gettext("Start"), "date"),
            Column(gettext("Finish"), "date"),
            Column(gettext("Budget"), "money"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Tags"), "text"),
        ],
        (
            Row(
                [
                    p.code,
                    p.name,
                    p.portfolio.name,
                    p.programme.name if p.programme else "",
                    str(p.manager) if p.manager else "",
                    p.get_phase_display(),
                    p.get_status_display(),
                    p.get_priority_display(),
                    p.get_health_display(),
                    _rounded(getattr(p, "schedule_health", None)),
                    p.start_date,
                    p.finish_date,
                    p.budget,
                    p.currency,
                    ", ".join(t.name for t in p.tags.all()),
                ]
            )
            for p in projects.iterator(chunk_size=500)
        ),
    )
    return xlsx_response("projects", [sheet], title=gettext("Projects"))


def _may_create_project(user: Any) -> bool:
    return selectors.portfolio_list_for_project_create(user=user).exists()


@login_required
def project_list(request: PageRequest) -> HttpResponseBase:
    filters = ProjectFilterForm(request.GET, user=request.user)
    projects = selectors.project_list(user=request.user, **filters.selector_kwargs())
    if request.GET.get("format") == "csv":
        return _projects_csv(projects)
    if request.GET.get("format") == "xlsx":
        return _projects_xlsx(projects)
    page = paginate(request, projects, filters.page_size)
    context = {
        "active_nav": "projects",
        "filters": filters,
        "page": page,
        "sort": filters.ordering,
        "per_page": filters.page_size,
        "per_page_choices": PER_PAGE_CHOICES,
        "htmx_target": "#project-results",
    }
    if is_partial(request):
        response = render(request, "portfolio/partials/project_table.html", context)
    else:
        context["may_create"] = _may_create_project(request.user)
        response = render(request, "portfolio/project_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def project_detail(request: PageRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(pk, user=request.user)
    members = account_selectors.membership_list(user=request.user, project=project)
    return render(
        request,
        "portfolio/project_detail.html",
        {"project": project, "members": members, "tab": "overview", "active_nav": "projects"},
    )


@login_required
def project_members(request: PageRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(pk, user=request.user)
    return _members_page(
        request, project, kind="project", template="portfolio/project_members.html"
    )


@login_required
def project_history(request: PageRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(pk, user=request.user)
    return render(
        request,
        "portfolio/project_history.html",
        {
            "project": project,
            "tab": "history",
            "active_nav": "projects",
            **history_context(request, project),
        },
    )


@login_required
def project_create(request: PageRequest) -> HttpResponse:
    if not _may_create_project(request.user):
        _forbid()
    initial = {}
    for key in ("portfolio", "programme"):
        if request.GET.get(key, "").isdigit():
            initial[key] = int(request.GET[key])
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    return _save_form(
        request,
        form,
        save=lambda data: services.project_create(actor=request.user, **data),
        message=_("Project “%(object)s” created."),
        context={
            "title": gettext("New project"),
            "cancel_url": reverse("portfolio:project_list"),
            "active_nav": "projects",
            "breadcrumbs": [(reverse("portfolio:project_list"), gettext("Projects"))],
        },
    )


@login_required
def project_update(request: PageRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = ProjectForm(request.POST or None, user=request.user, instance=project)
    return _save_form(
        request,
        form,
        save=lambda data: services.project_update(actor=request.user, project=project, **data),
        message=_("Project “%(object)s” saved."),
        context={
            "title": gettext("Edit project"),
            "object_label": str(project),
            "cancel_url": project.get_absolute_url(),
            "active_nav": "projects",
            "breadcrumbs": [
                (reverse("portfolio:project_list"), gettext("Projects")),
                (project.get_absolute_url(), str(project)),
            ],
        },
    )


@login_required
def project_delete(request: PageRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(pk, user=request.user, action=Action.DELETE)
    return _confirm_delete(
        request,
        project,
        delete=lambda: services.project_delete(actor=request.user, project=project),
        success_url=reverse("portfolio:project_list"),
        active_nav="projects",
    )


# Programmes ---------------------------------------------------------------------------------


def _programmes_xlsx(user: Any, programmes: models.QuerySet[Programme]) -> HttpResponse:
    """The listed programmes as a workbook, one budget column per currency of their projects
    (amounts in different currencies are never added together)."""
    rows = list(programmes)
    budgets = selectors.programme_budgets(user=user, programmes=rows)
    currencies = sorted({currency for totals in budgets.values() for currency, _t in totals})
    sheet = Sheet(
        gettext("Programmes"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=40),
            Column(gettext("Portfolio"), "text"),
            Column(gettext("Programme manager"), "text"),
            Column(gettext("Sponsor"), "text"),
            Column(gettext("Projects"), "integer"),
            *(
                Column(gettext("Budget"), "money", currency=currency)
                for currency in currencies or [""]
            ),
        ],
        [
            [
                programme.code,
                programme.name,
                programme.portfolio.name,
                str(programme.manager) if programme.manager else "",
                str(programme.sponsor) if programme.sponsor else "",
                programme.project_count,  # type: ignore[attr-defined]
                *(dict(budgets[programme.pk]).get(currency) for currency in currencies),
            ]
            for programme in rows
        ],
    )
    return xlsx_response("programmes", [sheet], title=gettext("Programmes"))


@login_required
def programme_list(request: PageRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    programmes = selectors.programme_list(user=request.user, search=search)
    if request.GET.get("format") == "xlsx":
        return _programmes_xlsx(request.user, programmes)
    page = paginate(request, programmes)
    budgets = selectors.programme_budgets(user=request.user, programmes=page)
    for programme in page:
        programme.budgets = budgets[programme.pk]
    return render(
        request,
        "portfolio/programme_list.html",
        {
            "active_nav": "programmes",
            "page": page,
            "search": search,
            "may_create": selectors.portfolio_list_for_action(
                user=request.user, action=Action.CREATE
            ).exists(),
        },
    )


@login_required
def programme_detail(request: PageRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(pk, user=request.user)
    projects = selectors.project_list(user=request.user, programme=programme)
    return render(
        request,
        "portfolio/programme_detail.html",
        {
            "programme": programme,
            "projects": projects,
            "tab": "overview",
            "active_nav": "programmes",
        },
    )


@login_required
def programme_members(request: PageRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(pk, user=request.user)
    return _members_page(
        request, programme, kind="programme", template="portfolio/programme_members.html"
    )


@login_required
def programme_history(request: PageRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(pk, user=request.user)
    return render(
        request,
        "portfolio/programme_history.html",
        {
            "programme": programme,
            "tab": "history",
            "active_nav": "programmes",
            **history_context(request, programme),
        },
    )


@login_required
def programme_create(request: PageRequest) -> HttpResponse:
    if not selectors.portfolio_list_for_action(user=request.user, action=Action.CREATE).exists():
        _forbid()
    initial = {}
    if request.GET.get("portfolio", "").isdigit():
        initial["portfolio"] = int(request.GET["portfolio"])
    form = ProgrammeForm(request.POST or None, user=request.user, initial=initial)
    return _save_form(
        request,
        form,
        save=lambda data: services.programme_create(actor=request.user, **data),
        message=_("Programme “%(object)s” created."),
        context={
            "title": gettext("New programme"),
            "cancel_url": reverse("portfolio:programme_list"),
            "active_nav": "programmes",
            "breadcrumbs": [(reverse("portfolio:programme_list"), gettext("Programmes"))],
        },
    )


@login_required
def programme_update(request: PageRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = ProgrammeForm(request.POST or None, user=request.user, instance=programme)
    return _save_form(
        request,
        form,
        save=lambda data: services.programme_update(
            actor=request.user, programme=programme, **data
        ),
        message=_("Programme “%(object)s” saved."),
        context={
            "title": gettext("Edit programme"),
            "object_label": str(programme),
            "cancel_url": programme.get_absolute_url(),
            "active_nav": "programmes",
            "breadcrumbs": [
                (reverse("portfolio:programme_list"), gettext("Programmes")),
                (programme.get_absolute_url(), str(programme)),
            ],
        },
    )


@login_required
def programme_delete(request: PageRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(pk, user=request.user, action=Action.DELETE)
    return _confirm_delete(
        request,
        programme,
        delete=lambda: services.programme_delete(actor=request.user, programme=programme),
        success_url=reverse("portfolio:programme_list"),
        active_nav="programmes",
    )


# Portfolios ---------------------------------------------------------------------------------


def _portfolios_xlsx(portfolios: models.QuerySet[Portfolio]) -> HttpResponse:
    sheet = Sheet(
        gettext("Portfolios"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=40),
            Column(gettext("Owner"), "text"),
            Column(gettext("Reporting currency"), "text"),
            Column(gettext("Programmes"), "integer"),
            Column(gettext("Projects"), "integer"),
        ],
        [
            [
                portfolio.code,
                portfolio.name,
                str(portfolio.owner) if portfolio.owner else "",
                portfolio.currency,
                portfolio.programme_count,  # type: ignore[attr-defined]
                portfolio.project_count,  # type: ignore[attr-defined]
            ]
            for portfolio in portfolios
        ],
    )
    return xlsx_response("portfolios", [sheet], title=gettext("Portfolios"))


@login_required
def portfolio_list(request: PageRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    portfolios = selectors.portfolio_list(user=request.user, search=search)
    if request.GET.get("format") == "xlsx":
        return _portfolios_xlsx(portfolios)
    return render(
        request,
        "portfolio/portfolio_list.html",
        {
            "active_nav": "portfolios",
            "page": paginate(request, portfolios),
            "search": search,
            "may_create": can(request.user, Action.CREATE),
        },
    )


@login_required
def portfolio_detail(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_user(pk, user=request.user)
    return render(
        request,
        "portfolio/portfolio_detail.html",
        {
            "portfolio": portfolio,
            "programmes": selectors.programme_list(user=request.user, portfolio=portfolio),
            "projects": selectors.project_list(user=request.user, portfolio=portfolio),
            "members": account_selectors.membership_list(user=request.user, portfolio=portfolio),
            "tab": "overview",
            "active_nav": "portfolios",
        },
    )


@login_required
def portfolio_members(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_user(pk, user=request.user)
    return _members_page(
        request, portfolio, kind="portfolio", template="portfolio/portfolio_members.html"
    )


@login_required
def portfolio_history(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_user(pk, user=request.user)
    return render(
        request,
        "portfolio/portfolio_history.html",
        {
            "portfolio": portfolio,
            "tab": "history",
            "active_nav": "portfolios",
            **history_context(request, portfolio),
        },
    )


@login_required
def portfolio_create(request: PageRequest) -> HttpResponse:
    require_organisation(request.user, Action.CREATE)
    form = PortfolioForm(request.POST or None, user=request.user)
    return _save_form(
        request,
        form,
        save=lambda data: services.portfolio_create(actor=request.user, **data),
        message=_("Portfolio “%(object)s” created."),
        context={
            "title": gettext("New portfolio"),
            "cancel_url": reverse("portfolio:portfolio_list"),
            "active_nav": "portfolios",
            "breadcrumbs": [(reverse("portfolio:portfolio_list"), gettext("Portfolios"))],
        },
    )


@login_required
def portfolio_update(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = PortfolioForm(request.POST or None, user=request.user, instance=portfolio)
    return _save_form(
        request,
        form,
        save=lambda data: services.portfolio_update(
            actor=request.user, portfolio=portfolio, **data
        ),
        message=_("Portfolio “%(object)s” saved."),
        context={
            "title": gettext("Edit portfolio"),
            "object_label": str(portfolio),
            "cancel_url": portfolio.get_absolute_url(),
            "active_nav": "portfolios",
            "breadcrumbs": [
                (reverse("portfolio:portfolio_list"), gettext("Portfolios")),
                (portfolio.get_absolute_url(), str(portfolio)),
            ],
        },
    )


@login_required
def portfolio_delete(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = selectors.portfolio_get_for_user(pk, user=request.user, action=Action.DELETE)
    return _confirm_delete(
        request,
        portfolio,
        delete=lambda: services.portfolio_delete(actor=request.user, portfolio=portfolio),
        success_url=reverse("portfolio:portfolio_list"),
        active_nav="portfolios",
    )


# Strategic objectives -----------------------------------------------------------------------


def _objective_for(request: PageRequest, pk: int, action: Action) -> StrategicObjective:
    objective = selectors.objective_get_for_user(pk, user=request.user, action=action)
    # A company-wide objective is visible to everyone with a role but changed only with an
    # organisation-wide role, which the selector does not check.
    if action is not Action.VIEW and not can(request.user, action, objective):
        _forbid()
    return objective


def _objectives_xlsx(objectives: models.QuerySet[StrategicObjective]) -> HttpResponse:
    company = gettext("Whole company")
    sheet = Sheet(
        gettext("Strategic objectives"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=40),
            Column(gettext("Portfolio"), "text"),
            Column(gettext("Weight"), "integer"),
            Column(gettext("Active"), "boolean"),
            Column(gettext("Projects"), "integer"),
        ],
        [
            [
                objective.code,
                objective.name,
                objective.portfolio.name if objective.portfolio else company,
                objective.weight,
                objective.is_active,
                objective.project_count,  # type: ignore[attr-defined]
            ]
            for objective in objectives
        ],
    )
    return xlsx_response("objectives", [sheet], title=gettext("Strategic objectives"))


@login_required
def objective_list(request: PageRequest) -> HttpResponse:
    objectives = selectors.objective_list(user=request.user)
    if request.GET.get("format") == "xlsx":
        return _objectives_xlsx(objectives)
    return render(
        request,
        "portfolio/objective_list.html",
        {
            "active_nav": "objectives",
            "page": paginate(request, objectives),
            "may_create": ObjectiveForm.allowed_for(request.user),
        },
    )


@login_required
def objective_detail(request: PageRequest, pk: int) -> HttpResponse:
    objective = _objective_for(request, pk, Action.VIEW)
    projects = selectors.project_list(user=request.user, objective=objective)
    return render(
        request,
        "portfolio/objective_detail.html",
        {
            "objective": objective,
            "projects": projects,
            "tab": "overview",
            "active_nav": "objectives",
        },
    )


@login_required
def objective_history(request: PageRequest, pk: int) -> HttpResponse:
    objective = _objective_for(request, pk, Action.VIEW)
    return render(
        request,
        "portfolio/objective_history.html",
        {
            "objective": objective,
            "tab": "history",
            "active_nav": "objectives",
            **history_context(request, objective),
        },
    )


@login_required
def objective_create(request: PageRequest) -> HttpResponse:
    if not ObjectiveForm.allowed_for(request.user):
        _forbid()
    form = ObjectiveForm(request.POST or None, user=request.user)
    return _save_form(
        request,
        form,
        save=lambda data: services.objective_create(actor=request.user, **data),
        message=_("Objective “%(object)s” created."),
        context={
            "title": gettext("New strategic objective"),
            "cancel_url": reverse("portfolio:objective_list"),
            "active_nav": "objectives",
            "breadcrumbs": [(reverse("portfolio:objective_list"), gettext("Objectives"))],
        },
    )


@login_required
def objective_update(request: PageRequest, pk: int) -> HttpResponse:
    objective = _objective_for(request, pk, Action.CHANGE)
    form = ObjectiveForm(request.POST or None, user=request.user, instance=objective)
    return _save_form(
        request,
        form,
        save=lambda data: services.objective_update(
            actor=request.user, objective=objective, **data
        ),
        message=_("Objective “%(object)s” saved."),
        context={
            "title": gettext("Edit strategic objective"),
            "object_label": str(objective),
            "cancel_url": objective.get_absolute_url(),
            "active_nav": "objectives",
            "breadcrumbs": [
                (reverse("portfolio:objective_list"), gettext("Objectives")),
                (objective.get_absolute_url(), str(objective)),
            ],
        },
    )


@login_required
def objective_delete(request: PageRequest, pk: int) -> HttpResponse:
    objective = _objective_for(request, pk, Action.DELETE)
    return _confirm_delete(
        request,
        objective,
        delete=lambda: services.objective_delete(actor=request.user, objective=objective),
        success_url=reverse("portfolio:objective_list"),
        active_nav="objectives",
    )


# Shared page patterns -----------------------------------------------------------------------


def _save_form(
    request: PageRequest,
    form: ServiceForm,
    *,
    save: Callable[[dict[str, Any]], Any],
    message: Any,
    context: dict[str, Any],
) -> HttpResponse:
    """Show ``form``; on a valid POST call the service, then go to the saved object's page.

    A service's ValidationError lands on the form and nothing is saved; a ForbiddenError
    (e.g. a portfolio chosen where the user may not create) is shown the same way.
    """
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        except ForbiddenError as exc:
            form.add_error(None, exc.message or str(FORBIDDEN))
        else:
            messages.success(request, message % {"object": saved})
            return redirect(saved)
    return render(request, "form_page.html", {"form": form, **context})


def _confirm_delete(
    request: PageRequest,
    obj: models.Model,
    *,
    delete: Callable[[], None],
    success_url: str,
    active_nav: str,
) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("“%(object)s” deleted.") % {"object": obj})
            return redirect(success_url)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": obj,
            "kind": obj._meta.verbose_name,
            "cancel_url": obj.get_absolute_url(),  # type: ignore[attr-defined]
            "error": error,
            "active_nav": active_nav,
        },
    )


def _members_page(
    request: PageRequest,
    scope: Portfolio | Programme | Project,
    *,
    kind: str,
    template: str,
) -> HttpResponse:
    """List who holds a role at ``scope``; those who manage members may add and remove them."""
    may_manage = can(request.user, Action.MANAGE_MEMBERS, scope)
    form = MemberForm(request.POST or None, user=request.user) if may_manage else None
    if request.method == "POST":
        if form is None:
            _forbid()
        elif form.is_valid():
            try:
                membership = account_services.membership_create(
                    actor=request.user,
                    user=form.cleaned_data["user"],
                    role=form.cleaned_data["role"],
                    **{kind: scope},
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(person)s is now %(role)s here.")
                    % {"person": membership.user, "role": membership.get_role_display()},
                )
                return redirect(request.path)
    members = account_selectors.membership_list(user=request.user, **{kind: scope})
    return render(
        request,
        template,
        {
            kind: scope,
            "scope": scope,
            "members": members,
            "form": form,
            "may_manage": may_manage,
            "tab": "members",
            "active_nav": f"{kind}s",
        },
    )
