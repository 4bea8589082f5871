"""Pages of budgets and costs: the finance settings (reference lists), a project's or
programme's budget versions, a version's grid with its approval, a project's costs with the
actual cost ledger and the cost baseline, and the import of ERP exports."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, has_any_role, visible
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    history_context,
    paginate,
    posted_column_mapping,
    report_error,
)
from pilotage.core.templatetags.pilotage import money
from pilotage.finance import budget_import, budgets, costs, erp_import
from pilotage.finance.budgets import Period, month_start
from pilotage.finance.currency import finance_settings
from pilotage.finance.forms_budgets import (
    ActualCostFilterForm,
    ActualCostForm,
    BudgetCreateForm,
    CostBaselineForm,
    CostCategoryForm,
    DecisionForm,
    ErpUploadForm,
    ExchangeRateForm,
    FinanceSettingsForm,
    PeriodForm,
)
from pilotage.finance.models import (
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetStatus,
    CostCategory,
    ExchangeRate,
    ExpenseType,
)
from pilotage.finance.sheet_import import StoredUpload
from pilotage.interop.xlsx import Column, Sheet
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Programme, Project

FORBIDDEN = _("You do not have permission to do this.")
_CELL = re.compile(r"^c-(\d+)-(capex|opex)-(\d{4})-(\d{2})$")
MAX_GRID_MONTHS = 60


def _forbid() -> None:
    raise ForbiddenError(str(FORBIDDEN))


def _period(request: PageRequest) -> Period:
    form = PeriodForm(request.GET)
    value = form.data.get("period") or "month"
    return value if value in budgets.PERIODS else "month"


# Settings: reporting currency, tolerances, cost categories, exchange rates -------------------


def _settings_context(request: PageRequest, **forms: Any) -> dict[str, Any]:
    current = finance_settings()
    may_manage = can(request.user, Action.MANAGE_FINANCE)
    return {
        "settings": current,
        "may_manage": may_manage,
        "settings_form": forms.get("settings_form")
        or FinanceSettingsForm(
            initial={
                "reporting_currency": current.reporting_currency,
                "invoice_work_done_percent": current.invoice_work_done_percent,
                "invoice_overbilling_tolerance_percent": (
                    current.invoice_overbilling_tolerance_percent
                ),
                "invoice_rate_tolerance_percent": current.invoice_rate_tolerance_percent,
            },
            auto_id="id_settings_%s",
        ),
        "categories": budgets.cost_category_list(user=request.user),
        "category_form": forms.get("category_form") or CostCategoryForm(auto_id="id_category_%s"),
        "rates": budgets.exchange_rate_list(user=request.user),
        "rate_form": forms.get("rate_form") or ExchangeRateForm(auto_id="id_rate_%s"),
        "default_categories": [name for _code, name, _type in budgets.DEFAULT_CATEGORIES],
        "active_nav": "finance",
    }


@login_required
def settings_page(request: PageRequest) -> HttpResponse:
    """The organisation's money settings: everyone with a role reads them; finance (Manage
    finance organisation-wide) changes them."""
    if not has_any_role(request.user):
        _forbid()
    if request.method == "POST":
        if not can(request.user, Action.MANAGE_FINANCE):
            _forbid()
        form = FinanceSettingsForm(request.POST, auto_id="id_settings_%s")
        if form.is_valid():
            try:
                budgets.finance_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("The finance settings were saved."))
                return redirect("finance:settings")
        return render(
            request, "finance/settings.html", _settings_context(request, settings_form=form)
        )
    return render(request, "finance/settings.html", _settings_context(request))


@login_required
@require_POST
def category_create(request: PageRequest) -> HttpResponse:
    if not can(request.user, Action.MANAGE_FINANCE):
        _forbid()
    form = CostCategoryForm(request.POST, auto_id="id_category_%s")
    if form.is_valid():
        try:
            budgets.cost_category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The cost category was added."))
            return redirect(reverse("finance:settings") + "#categories")
    return render(request, "finance/settings.html", _settings_context(request, category_form=form))


@login_required
@require_POST
def category_defaults(request: PageRequest) -> HttpResponse:
    if not can(request.user, Action.MANAGE_FINANCE):
        _forbid()
    added = budgets.cost_categories_ensure_defaults(actor=request.user)
    messages.success(request, gettext("%(count)d cost categories were added.") % {"count": added})
    return redirect(reverse("finance:settings") + "#categories")


def _category(request: PageRequest, pk: int) -> CostCategory:
    if not can(request.user, Action.MANAGE_FINANCE) and has_any_role(request.user):
        _forbid()
    try:
        return budgets.cost_category_list(user=request.user).get(pk=pk)
    except CostCategory.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def category_update(request: PageRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    if not can(request.user, Action.MANAGE_FINANCE):
        _forbid()
    initial = {
        "code": category.code,
        "name": category.name,
        "expense_type": category.expense_type,
        "is_active": category.is_active,
    }
    form = CostCategoryForm(request.POST or None, initial=initial)
    form.instance = category
    if request.method == "POST" and form.is_valid():
        try:
            budgets.cost_category_update(actor=request.user, category=category, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The cost category was saved."))
            return redirect(reverse("finance:settings") + "#categories")
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": gettext("Edit the cost category"),
            "object_label": category.name,
            "cancel_url": reverse("finance:settings"),
            "breadcrumbs": [(reverse("finance:settings"), gettext("Finance settings"))],
            "active_nav": "finance",
        },
    )


@login_required
@require_POST
def category_delete(request: PageRequest, pk: int) -> HttpResponse:
    category = _category(request, pk)
    try:
        budgets.cost_category_delete(actor=request.user, category=category)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, gettext("The cost category was deleted."))
    return redirect(reverse("finance:settings") + "#categories")


@login_required
@require_POST
def rate_create(request: PageRequest) -> HttpResponse:
    if not can(request.user, Action.MANAGE_FINANCE):
        _forbid()
    form = ExchangeRateForm(request.POST, auto_id="id_rate_%s")
    if form.is_valid():
        try:
            budgets.exchange_rate_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The exchange rate was saved."))
            return redirect(reverse("finance:settings") + "#rates")
    return render(request, "finance/settings.html", _settings_context(request, rate_form=form))


@login_required
@require_POST
def rate_delete(request: PageRequest, pk: int) -> HttpResponse:
    if not can(request.user, Action.MANAGE_FINANCE):
        _forbid()
    rate = ExchangeRate.objects.filter(pk=pk).first()
    if rate is None:
        raise Http404
    budgets.exchange_rate_delete(actor=request.user, rate=rate)
    messages.success(request, gettext("The exchange rate was deleted."))
    return redirect(reverse("finance:settings") + "#rates")


# Budget versions of a project or programme ----------------------------------------------------


def _versions_context(
    request: PageRequest, owner: Project | Programme, versions: list[Budget]
) -> dict[str, Any]:
    period = _period(request)
    current = budgets.budgets_current(versions)
    approved = current.get(BudgetKind.APPROVED)
    forecast = current.get(BudgetKind.FORECAST)
    original = current.get(BudgetKind.ORIGINAL)
    return {
        "versions": versions,
        "original": original,
        "approved": approved,
        "forecast": forecast,
        "approved_phasing": budgets.budget_phased(approved, period) if approved else None,
        "forecast_phasing": budgets.budget_phased(forecast, period) if forecast else None,
        "period": period,
        "may_draft": budgets.can_draft_budget(request.user, owner),
        "may_approve": can(request.user, Action.APPROVE, owner),
    }


@login_required
def project_budgets(request: PageRequest, pk: int) -> HttpResponse:
    """A project's budget versions, and its current approved budget and forecast phased."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    versions = list(budgets.budget_list(user=request.user, project=project))
    context = _versions_context(request, project, versions)
    context.update(
        {
            "project": project,
            "owner": project,
            "summary": budgets.budget_summary(project),
            "create_url": reverse("finance:budget_create") + f"?project={project.pk}",
            "tab": "finance",
            "finance_tab": "budgets",
            "active_nav": "projects",
        }
    )
    return render(request, "finance/budget_project.html", context)


@login_required
def programme_budgets(request: PageRequest, pk: int) -> HttpResponse:
    """A programme's own budget versions (its envelope) and its projects' budgets."""
    programme = portfolio_selectors.programme_get_for_user(pk, user=request.user)
    versions = list(budgets.budget_list(user=request.user, programme=programme))
    context = _versions_context(request, programme, versions)
    rollup = [
        row
        for row in budgets.portfolio_budget_rollup(user=request.user, portfolio=programme.portfolio)
        if row.level == "project" and row.programme_id == programme.pk
    ]
    context.update(
        {
            "programme": programme,
            "owner": programme,
            "projects_rollup": rollup,
            "reporting_currency": finance_settings().reporting_currency,
            "create_url": reverse("finance:budget_create") + f"?programme={programme.pk}",
            "tab": "budgets",
            "active_nav": "programmes",
        }
    )
    return render(request, "finance/budget_programme.html", context)


def _owner_from_query(request: PageRequest) -> Project | Programme:
    source = request.POST if request.method == "POST" else request.GET
    project_pk = source.get("project") or request.GET.get("project")
    programme_pk = source.get("programme") or request.GET.get("programme")
    if project_pk:
        return portfolio_selectors.project_get_for_user(project_pk, user=request.user)
    if programme_pk:
        return portfolio_selectors.programme_get_for_user(programme_pk, user=request.user)
    raise Http404


@login_required
def budget_create(request: PageRequest) -> HttpResponse:
    """A new draft version of a project's (``?project=``) or programme's (``?programme=``)
    budget."""
    owner = _owner_from_query(request)
    if not budgets.can_draft_budget(request.user, owner):
        _forbid()
    is_project = isinstance(owner, Project)
    versions = budgets.budget_list(
        user=request.user,
        project=owner if is_project else None,  # type: ignore[arg-type]
        programme=None if is_project else owner,  # type: ignore[arg-type]
    )
    currency = owner.currency if isinstance(owner, Project) else owner.portfolio.currency
    form = BudgetCreateForm(
        request.POST or None,
        versions=versions,
        initial={
            "currency": currency,
            "kind": request.GET.get("kind", BudgetKind.APPROVED),
            "copy_from": request.GET.get("copy_from"),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            budget = budgets.budget_create(
                actor=request.user,
                project=owner if is_project else None,  # type: ignore[arg-type]
                programme=None if is_project else owner,  # type: ignore[arg-type]
                kind=data["kind"],
                name=data["name"],
                currency=data["currency"],
                notes=data["notes"],
                copy_from=data["copy_from"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The draft budget was created: enter its amounts."))
            return redirect(budget.get_absolute_url())
    back = reverse(
        "finance:project_budgets" if is_project else "finance:programme_budgets", args=[owner.pk]
    )
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": gettext("New budget version"),
            "object_label": str(owner),
            "cancel_url": back,
            "breadcrumbs": [(back, gettext("Budgets"))],
            "submit_label": gettext("Create the draft"),
            "active_nav": "projects" if is_project else "programmes",
        },
    )


# A budget version ---------------------------------------------------------------------------


def _add_months(first: dt.date, count: int) -> dt.date:
    month = first.month - 1 + count
    return dt.date(first.year + month // 12, month % 12 + 1, 1)


def _grid_months(budget: Budget, lines: list[Any], request: PageRequest) -> list[dt.date]:
    months = {line.month for line in lines}
    owner = budget.owner
    start = getattr(owner, "start_date", None)
    finish = getattr(owner, "finish_date", None)
    with contextlib.suppress(KeyError, ValueError):
        start = month_start(dt.date.fromisoformat(request.GET["from"] + "-01"))
    with contextlib.suppress(KeyError, ValueError):
        finish = month_start(dt.date.fromisoformat(request.GET["to"] + "-01"))
    if start is None:
        start = min(months) if months else month_start(timezone.localdate())
    start = month_start(start)
    if finish is None or finish < start:
        finish = max(months) if months else _add_months(start, 11)
    finish = month_start(finish)
    current = start
    while current <= finish and len(months) < MAX_GRID_MONTHS + len(lines):
        months.add(current)
        current = _add_months(current, 1)
        if (current.year - start.year) * 12 + current.month - start.month >= MAX_GRID_MONTHS:
            break
    return sorted(months)


def _grid(
    budget: Budget,
    request: PageRequest,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    lines = list(budget.lines.select_related("category"))
    months = _grid_months(budget, lines, request)
    amounts = {(line.category_id, line.expense_type, line.month): line.amount for line in lines}
    pairs: dict[tuple[int, str], CostCategory] = {}
    for line in lines:
        pairs[(line.category_id, line.expense_type)] = line.category
    if budget.status == BudgetStatus.DRAFT:
        for category in CostCategory.objects.filter(is_active=True).order_by("code"):
            pairs.setdefault((category.pk, category.expense_type), category)
        extra = request.GET.get("add_row", "")
        match = re.match(r"^(\d+)-(capex|opex)$", extra)
        if match:
            added = CostCategory.objects.filter(pk=int(match.group(1))).first()
            if added is not None:
                pairs.setdefault((added.pk, match.group(2)), added)
    rows = []
    totals = [Decimal(0)] * len(months)
    for (category_id, expense_type), category in sorted(
        pairs.items(), key=lambda item: (item[1].code, item[0][1])
    ):
        cells = []
        row_total = Decimal(0)
        for index, month in enumerate(months):
            name = f"c-{category_id}-{expense_type}-{month:%Y-%m}"
            amount = amounts.get((category_id, expense_type, month))
            if amount is not None:
                row_total += amount
                totals[index] += amount
            text = (typed or {}).get(name)
            cells.append(
                {
                    "name": name,
                    "month": month,
                    "amount": amount,
                    "text": text if text is not None else (f"{amount:.2f}" if amount else ""),
                    "error": (errors or {}).get(name, ""),
                }
            )
        rows.append(
            {
                "category": category,
                "expense_type": expense_type,
                "expense_type_label": ExpenseType(expense_type).label,
                "cells": cells,
                "total": row_total,
            }
        )
    return {"months": months, "rows": rows, "totals": totals, "total": sum(totals, Decimal(0))}


def _parse_grid(request: PageRequest) -> tuple[list[dict[str, Any]], dict[str, str]]:
    categories = {category.pk: category for category in CostCategory.objects.all()}
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for name, raw in request.POST.items():
        match = _CELL.match(name)
        if not match:
            continue
        text = str(raw).strip().replace("\u202f", "").replace(" ", "")
        if not text:
            continue
        category = categories.get(int(match.group(1)))
        if category is None:
            continue
        try:
            amount = Decimal(text.replace(",", "."))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = gettext("Enter an amount.")
            continue
        if amount < 0:
            errors[name] = gettext("A budget amount cannot be negative.")
            continue
        if amount.quantize(Decimal("0.01")) != amount:
            errors[name] = gettext("At most two decimals.")
            continue
        rows.append(
            {
                "category": category,
                "expense_type": match.group(2),
                "month": dt.date(int(match.group(3)), int(match.group(4)), 1),
                "amount": amount,
            }
        )
    return rows, errors


def _budget_back_url(budget: Budget) -> str:
    if budget.project_id:
        return reverse("finance:project_budgets", args=[budget.project_id])
    return reverse("finance:programme_budgets", args=[budget.programme_id])


@login_required
def budget_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A budget version: its grid of months × categories (editable while it is a draft), its
    approval and its history."""
    budget = budgets.budget_get_for_user(pk, user=request.user)
    may_draft = budgets.can_draft_budget(request.user, budget.owner)
    may_edit = may_draft and budget.status == BudgetStatus.DRAFT
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_draft:
            _forbid()
        rows, errors = _parse_grid(request)
        if not errors:
            try:
                budgets.budget_lines_replace(actor=request.user, budget=budget, rows=rows)
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(request, gettext("The budget was saved."))
                return redirect(request.get_full_path())
        else:
            messages.error(request, gettext("Nothing was saved: correct the cells marked in red."))
        typed = {name: str(value) for name, value in request.POST.items() if _CELL.match(name)}
    period = _period(request)
    context = {
        "budget": budget,
        "owner": budget.owner,
        "project": budget.project,
        "grid": _grid(budget, request, typed, errors),
        "phasing": budgets.budget_phased(budget, period),
        "period": period,
        "may_edit": may_edit,
        "may_draft": may_draft,
        "may_decide": can(request.user, Action.APPROVE, budget.owner)
        and budget.status == BudgetStatus.SUBMITTED,
        "decision_form": DecisionForm(),
        "back_url": _budget_back_url(budget),
        "inactive_categories": CostCategory.objects.filter(is_active=True).order_by("code"),
        "expense_types": ExpenseType.choices,
        "active_nav": "projects" if budget.project_id else "programmes",
        **history_context(request, budget),
    }
    return render(request, "finance/budget_detail.html", context)


def _budget_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    budget = budgets.budget_get_for_user(pk, user=request.user)
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            budgets.budget_submit(actor=request.user, budget=budget)
            messages.success(request, gettext("The budget was submitted for approval."))
        elif action == "approve":
            budgets.budget_approve(actor=request.user, budget=budget, comment=comment)
            messages.success(request, gettext("The budget was approved."))
        elif action == "reject":
            budgets.budget_reject(actor=request.user, budget=budget, comment=comment)
            messages.success(request, gettext("The budget was rejected."))
        else:
            back = _budget_back_url(budget)
            budgets.budget_delete(actor=request.user, budget=budget)
            messages.success(request, gettext("The draft budget was deleted."))
            return redirect(back)
    except ValidationError as error:
        report_error(request, error)
    return redirect(budget.get_absolute_url())


@login_required
@require_POST
def budget_submit(request: PageRequest, pk: int) -> HttpResponse:
    return _budget_action(request, pk, "submit")


@login_required
@require_POST
def budget_approve(request: PageRequest, pk: int) -> HttpResponse:
    return _budget_action(request, pk, "approve")


@login_required
@require_POST
def budget_reject(request: PageRequest, pk: int) -> HttpResponse:
    return _budget_action(request, pk, "reject")


@login_required
@require_POST
def budget_delete(request: PageRequest, pk: int) -> HttpResponse:
    return _budget_action(request, pk, "delete")


# A project's costs ----------------------------------------------------------------------------


def _ledger_xlsx(project: Project, rows: Any) -> HttpResponse:
    sheet = Sheet(
        gettext("Actual costs"),
        [
            Column(gettext("Date"), "date"),
            Column(gettext("Amount"), "decimal"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Source"), "text"),
            Column(gettext("Cost category"), "text"),
            Column(gettext("CAPEX or OPEX"), "text"),
            Column(gettext("Task"), "text", width=30),
            Column(gettext("Supplier"), "text"),
            Column(gettext("Reference"), "text"),
            Column(gettext("Description"), "text", width=40),
        ],
        [
            [
                row.incurred_on,
                row.amount,
                row.currency,
                str(row.get_source_display()),
                row.category.name if row.category else "",
                str(row.get_expense_type_display()),
                row.task.name if row.task else "",
                row.supplier.name if row.supplier else "",
                row.reference,
                row.description,
            ]
            for row in rows
        ],
    )
    return xlsx_response(f"actual-costs-{project.code}", [sheet], title=project.name)


def _chart_data(report: costs.CostReport) -> dict[str, Any]:
    series: list[dict[str, Any]] = [
        {
            "name": gettext("Budget (cumulative)"),
            "values": [float(entry.budget_cumulative) for entry in report.periods],
        },
    ]
    if report.forecast is not None:
        series.append(
            {
                "name": gettext("Forecast (cumulative)"),
                "values": [float(entry.forecast_cumulative) for entry in report.periods],
            }
        )
    series += [
        {
            "name": gettext("Planned (cost baseline, cumulative)"),
            "values": [float(entry.planned_cumulative) for entry in report.periods],
        },
        {
            "name": gettext("Actual (cumulative)"),
            "values": [float(entry.actual_cumulative) for entry in report.periods],
        },
    ]
    return {
        "labels": [entry.label for entry in report.periods],
        "series": series,
        "bars": {
            "name": gettext("Actual in the period"),
            "values": [float(entry.actual) for entry in report.periods],
        },
        "currency": report.currency,
    }


@login_required
def project_costs(request: PageRequest, pk: int) -> HttpResponse:
    """A project's budget against actual and forecast cost, its ledger and cost baselines."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    filters = ActualCostFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    ledger = costs.actual_cost_list(
        user=request.user,
        project=project,
        source=values.get("source") or None,
        category=values.get("category"),
        start=values.get("start"),
        finish=values.get("finish"),
    )
    if request.GET.get("format") == "xlsx":
        return _ledger_xlsx(project, ledger)
    return render(
        request, "finance/cost_project.html", _costs_context(request, project, ledger, filters)
    )


def _costs_context(
    request: PageRequest,
    project: Project,
    ledger: Any,
    filters: ActualCostFilterForm,
    *,
    cost_form: ActualCostForm | None = None,
) -> dict[str, Any]:
    period = _period(request)
    report = costs.cost_report(project, period=period)
    may_change = can(request.user, Action.CHANGE, project)
    may_finance = can(request.user, Action.MANAGE_FINANCE, project)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "project": project,
        "report": report,
        "chart_data": _chart_data(report),
        "period": period,
        "page": paginate(request, ledger),
        "filters": filters if filters.is_bound else ActualCostFilterForm(),
        "query": query.urlencode(),
        "cost_form": cost_form or ActualCostForm(project=project),
        "may_record": costs.can_record_cost(request.user, project, ActualCostSource.EXPENSE),
        "may_finance": may_finance,
        "may_capture": may_change or may_finance,
        "baselines": list(costs.cost_baseline_list(project)),
        "baseline_form": CostBaselineForm(),
        "typed_sources": [str(source) for source in costs.TYPED_SOURCES],
        "tab": "finance",
        "finance_tab": "costs",
        "active_nav": "projects",
    }


@login_required
@require_POST
def actual_cost_create(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    if not costs.can_record_cost(request.user, project, ActualCostSource.EXPENSE):
        _forbid()
    form = ActualCostForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            costs.actual_cost_create(
                actor=request.user,
                project=project,
                source=ActualCostSource.EXPENSE,
                incurred_on=data["incurred_on"],
                amount=data["amount"],
                currency=data["currency"],
                category=data["category"],
                expense_type=data["expense_type"] or None,
                task=data["task"],
                supplier=data["supplier"],
                reference=data["reference"],
                description=data["description"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, gettext("The expense was recorded."))
            return redirect(reverse("finance:project_costs", args=[project.pk]) + "#ledger")
    ledger = costs.actual_cost_list(user=request.user, project=project)
    return render(
        request,
        "finance/cost_project.html",
        _costs_context(request, project, ledger, ActualCostFilterForm(), cost_form=form),
    )


@login_required
@require_POST
def actual_cost_delete(request: PageRequest, pk: int) -> HttpResponse:
    cost = costs.actual_cost_get_for_user(pk, user=request.user)
    project_pk = cost.project_id
    try:
        costs.actual_cost_delete(actor=request.user, cost=cost)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, gettext("The cost was deleted."))
    return redirect(reverse("finance:project_costs", args=[project_pk]) + "#ledger")


@login_required
@require_POST
def cost_baseline_capture(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    form = CostBaselineForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        baseline = costs.cost_baseline_capture(actor=request.user, project=project, name=name)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            gettext("The cost baseline “%(name)s” was captured: %(total)s %(currency)s.")
            % {
                "name": baseline.name,
                "total": f"{baseline.budget_at_completion:,.2f}",
                "currency": baseline.currency,
            },
        )
    return redirect(reverse("finance:project_costs", args=[project.pk]) + "#baselines")


# ERP import -----------------------------------------------------------------------------------


def _importable_projects(request: PageRequest) -> Any:
    projects = visible(request.user, Project.objects.select_related("portfolio", "programme"))
    allowed = [
        project.pk
        for project in projects
        if costs.can_record_cost(request.user, project, ActualCostSource.ERP)
    ]
    return Project.objects.filter(pk__in=allowed).order_by("code")


def _require_importer(request: PageRequest) -> Any:
    if not has_any_role(request.user):
        _forbid()
    projects = _importable_projects(request)
    if not projects.exists():
        _forbid()
    return projects


def _erp_page() -> dict[str, Any]:
    """What the upload and the preview of an ERP export share on the import templates."""
    return {
        "title": gettext("Import actual costs"),
        "back_url": reverse("finance:settings"),
        "back_label": gettext("Finance settings"),
        "active_nav": "finance",
    }


@login_required
def erp_import_upload(request: PageRequest) -> HttpResponse:
    """Upload an ERP export of actual costs (CSV or Excel) for its preview."""
    projects = _require_importer(request)
    initial_project = request.GET.get("project")
    form = ErpUploadForm(
        request.POST or None,
        request.FILES or None,
        projects=projects,
        initial={"project": initial_project} if initial_project else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        project = form.cleaned_data["project"]
        if upload.size > erp_import.MAX_UPLOAD_BYTES:
            form.add_error("file", gettext("The file is larger than 5 MB: split it."))
        else:
            try:
                token = erp_import.erp_upload_store(
                    actor=request.user, name=upload.name, content=upload.read(), project=project
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                return redirect("finance:erp_import_detail", token=token)
    return render(
        request,
        "finance/sheet_import_upload.html",
        {
            **_erp_page(),
            "form": form,
            "mappings": erp_import.erp_mapping_list(),
            "section_nav": True,
            "heading": gettext("Import actual costs from the ERP"),
            "subtitle": gettext(
                "An export of SAP, Oracle or another ledger, as CSV or Excel: you check the "
                "columns and every row before anything is recorded."
            ),
            "help": [
                gettext(
                    "One cost per row: a date and an amount, and optionally the currency, the "
                    "project code, the task (name or WBS code), the cost category (code or "
                    "name), CAPEX or OPEX, the supplier (code or name), the document reference "
                    "and a description. English, SAP, Oracle and French headers are recognised."
                )
            ],
            "all_or_nothing": gettext(
                "Nothing is recorded if a row has an error, unless you choose to skip those "
                "rows. A cost already imported (same project, reference, date and amount) is "
                "refused, so importing the same file twice records it once."
            ),
        },
    )


def _preview(request: PageRequest, stored: erp_import.StoredUpload) -> erp_import.ErpPreview:
    project = (
        portfolio_selectors.project_get_for_user(stored.project_id, user=request.user)
        if stored.project_id
        else None
    )
    return erp_import.erp_preview(
        actor=request.user,
        name=stored.name,
        content=stored.content,
        project=project,
        mapping=stored.mapping,
    )


@login_required
def erp_import_detail(request: PageRequest, token: str) -> HttpResponse:
    """The preview of an uploaded export: its column mapping (editable, savable), the rows
    with their errors, the counts and totals."""
    stored = erp_import.erp_upload_get(token, actor=request.user)
    if request.method == "POST":
        try:
            headers = _preview(request, stored).headers
        except ValidationError as error:
            report_error(request, error)
            return redirect("finance:erp_import")
        mapping = posted_column_mapping(request, len(headers))
        erp_import.erp_upload_set_mapping(token, actor=request.user, mapping=mapping)
        name = request.POST.get("mapping_name", "").strip()
        if "save_mapping" in request.POST:
            try:
                erp_import.erp_mapping_save(
                    actor=request.user, name=name, headers=headers, mapping=mapping
                )
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(request, gettext("The column mapping was saved."))
        return redirect("finance:erp_import_detail", token=token)
    try:
        preview = _preview(request, stored)
    except ValidationError as error:
        report_error(request, error)
        erp_import.erp_upload_discard(token, actor=request.user)
        return redirect("finance:erp_import")
    errors = preview.errors
    ready = len(preview.valid_rows)
    totals = format_html_join(
        "", "<div>{}</div>", ((money(amount, code),) for code, amount in preview.totals.items())
    )
    return render(
        request,
        "finance/sheet_import_preview.html",
        {
            **_erp_page(),
            "preview": preview,
            "subtitle": gettext("Every row goes to %(project)s.") % {"project": preview.project}
            if preview.project
            else gettext("Each row goes to the project its project column names."),
            "upload_url": reverse("finance:erp_import"),
            "apply_url": reverse("finance:erp_import_apply", args=[token]),
            "apply_label": ngettext("Import %(count)s cost", "Import %(count)s costs", ready)
            % {"count": ready},
            "apply_options": [],
            "facts": [
                (gettext("Rows"), len(preview.rows)),
                (gettext("Ready to import"), ready),
                (gettext("With errors"), preview.error_rows),
                (gettext("Total"), totals or "—"),
            ],
            "columns": [
                {"index": index, "header": header, "key": preview.mapping.get(index, "")}
                for index, header in enumerate(preview.headers)
            ],
            "fields": [
                (target_field.key, target_field.label)
                for target_field in erp_import.ACTUAL_COSTS_TARGET.fields
            ],
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "row_headings": [
                gettext("Date"),
                gettext("Amount"),
                gettext("Project"),
                gettext("Category"),
                gettext("Supplier"),
                gettext("Reference"),
                gettext("Description"),
            ],
            "rows": [
                {
                    "number": row.number,
                    "ok": row.ok,
                    "cells": [
                        (
                            date_format(row.incurred_on, "SHORT_DATE_FORMAT")
                            if row.incurred_on
                            else ""
                        ),
                        money(row.amount, row.currency),
                        row.project.code if row.project else "",
                        row.category.name if row.category else "",
                        row.supplier.name if row.supplier else "",
                        row.reference,
                        row.description,
                    ],
                }
                for row in preview.rows[:100]
            ],
            "more_rows": max(len(preview.rows) - 100, 0),
        },
    )


@login_required
@require_POST
def erp_import_apply(request: PageRequest, token: str) -> HttpResponse:
    stored = erp_import.erp_upload_get(token, actor=request.user)
    try:
        preview = _preview(request, stored)
        created = erp_import.erp_apply(
            actor=request.user, preview=preview, skip_errors=bool(request.POST.get("skip_errors"))
        )
    except ValidationError as error:
        report_error(request, error)
        return redirect("finance:erp_import_detail", token=token)
    erp_import.erp_upload_discard(token, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d actual cost was imported.", "%(count)d actual costs were imported.", created
        )
        % {"count": created},
    )
    if preview.project is not None:
        return redirect(reverse("finance:project_costs", args=[preview.project.pk]) + "#ledger")
    return redirect("finance:erp_import")


# Budget import --------------------------------------------------------------------------------


class BudgetImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV or Excel (.xlsx), at most 5 MB."))
    into = forms.ChoiceField(label=_("Import into"))

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = []
        if budget.status == BudgetStatus.DRAFT:
            choices.append(("replace", _("This draft (its lines are replaced)")))
        choices.extend(
            (str(kind), gettext("A new draft version: %(kind)s") % {"kind": label})
            for kind, label in BudgetKind.choices
        )
        self.fields["into"].choices = choices  # type: ignore[attr-defined]


def _import_budget(request: PageRequest, pk: int) -> Budget:
    budget = budgets.budget_get_for_user(pk, user=request.user)
    if not budgets.can_draft_budget(request.user, budget.owner):
        _forbid()
    return budget


@login_required
def budget_import_upload(request: PageRequest, pk: int) -> HttpResponse:
    """Upload a CSV or Excel file of budget amounts (long or wide layout) for its preview."""
    budget = _import_budget(request, pk)
    form = BudgetImportForm(request.POST or None, request.FILES or None, budget=budget)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = budget_import.upload_store.store(
                actor=request.user,
                name=upload.name,
                content=upload.read(),
                options={"into": form.cleaned_data["into"]},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("finance:budget_import_detail", pk=budget.pk, token=token)
    return render(
        request,
        "finance/sheet_import_upload.html",
        {
            "form": form,
            "title": gettext("Import budget lines"),
            "back_url": budget.get_absolute_url(),
            "back_label": str(budget),
            "help": [
                gettext(
                    "One amount per row with its month (2027-03, 03/2027, mars 2027), cost "
                    "category (code or name), CAPEX or OPEX (by default the category's) and "
                    "amount; or one row per category and one column per month (Jan 2027, "
                    "2027-01, janv. 2027). English and French headers are recognised."
                ),
                gettext("Amounts are in the budget's currency; the lines replace all others."),
            ],
            "mappings": budget_import.budget_mapping_list(),
            "active_nav": "projects" if budget.project_id else "programmes",
        },
    )


def _budget_preview(
    request: PageRequest, budget: Budget, stored: StoredUpload
) -> budget_import.BudgetImportPreview:
    return budget_import.budget_import_preview(
        actor=request.user,
        owner=budget.owner,
        name=stored.name,
        content=stored.content,
        mapping=stored.mapping,
    )


@login_required
def budget_import_detail(request: PageRequest, pk: int, token: str) -> HttpResponse:
    """The preview of an uploaded file of budget amounts: its mapping, lines and errors."""
    budget = _import_budget(request, pk)
    store = budget_import.upload_store
    stored = store.get(token, actor=request.user)
    upload_url = reverse("finance:budget_import", args=[budget.pk])
    if request.method == "POST":
        try:
            headers = _budget_preview(request, budget, stored).headers
        except ValidationError as error:
            report_error(request, error)
            return redirect(upload_url)
        mapping = posted_column_mapping(request, len(headers))
        store.set_mapping(token, actor=request.user, mapping=mapping)
        if "save_mapping" in request.POST:
            try:
                budget_import.budget_mapping_save(
                    actor=request.user,
                    owner=budget.owner,
                    name=request.POST.get("mapping_name", ""),
                    headers=headers,
                    mapping=mapping,
                )
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(request, gettext("The column mapping was saved."))
        return redirect("finance:budget_import_detail", pk=budget.pk, token=token)
    try:
        preview = _budget_preview(request, budget, stored)
    except ValidationError as error:
        report_error(request, error)
        store.discard(token, actor=request.user)
        return redirect(upload_url)
    into = stored.options.get("into", "replace")
    errors = preview.errors
    return render(
        request,
        "finance/sheet_import_preview.html",
        {
            "preview": preview,
            "title": gettext("Import budget lines"),
            "subtitle": gettext("The lines replace those of %(budget)s.") % {"budget": budget}
            if into == "replace"
            else gettext("The lines make a new draft version of %(owner)s.")
            % {"owner": budget.owner},
            "back_url": budget.get_absolute_url(),
            "back_label": str(budget),
            "upload_url": upload_url,
            "apply_url": reverse("finance:budget_import_apply", args=[budget.pk, token]),
            "apply_label": ngettext(
                "Import %(count)d amount", "Import %(count)d amounts", len(preview.valid_lines)
            )
            % {"count": len(preview.valid_lines)},
            "apply_options": [],
            "facts": [
                (
                    gettext("Layout"),
                    gettext("one column per month")
                    if preview.layout == "wide"
                    else gettext("one amount per row"),
                ),
                (gettext("Rows"), preview.rows),
                (gettext("Amounts ready"), len(preview.valid_lines)),
                (gettext("Rows with errors"), preview.error_rows),
                (gettext("Total"), f"{preview.total:,.2f} {budget.currency}"),
            ],
            "columns": [
                {
                    "index": index,
                    "header": header,
                    "key": preview.mapping.get(index, ""),
                    "fixed": gettext("Amounts of %(month)s")
                    % {"month": f"{preview.month_columns[index]:%Y-%m}"}
                    if index in preview.month_columns
                    else "",
                }
                for index, header in enumerate(preview.headers)
            ],
            "fields": [
                (field.key, field.label) for field in budget_import.BUDGET_LINES_TARGET.fields
            ],
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "row_headings": [
                gettext("Month"),
                gettext("Cost category"),
                gettext("CAPEX or OPEX"),
                gettext("Amount"),
            ],
            "rows": [
                {
                    "number": line.number,
                    "ok": line.ok,
                    "cells": [
                        f"{line.month:%Y-%m}" if line.month else "",
                        line.category.name if line.category else "",
                        ExpenseType(line.expense_type).label if line.expense_type else "",
                        f"{line.amount:,.2f}" if line.amount is not None else "",
                    ],
                }
                for line in preview.lines[:100]
            ],
            "more_rows": max(len(preview.lines) - 100, 0),
            "active_nav": "projects" if budget.project_id else "programmes",
        },
    )


@login_required
@require_POST
def budget_import_apply(request: PageRequest, pk: int, token: str) -> HttpResponse:
    budget = _import_budget(request, pk)
    store = budget_import.upload_store
    stored = store.get(token, actor=request.user)
    into = stored.options.get("into", "replace")
    try:
        preview = _budget_preview(request, budget, stored)
        target = budget_import.budget_import_apply(
            actor=request.user,
            preview=preview,
            budget=budget if into == "replace" else None,
            owner=None if into == "replace" else budget.owner,
            kind=into if into in BudgetKind.values else BudgetKind.FORECAST,
            skip_errors=bool(request.POST.get("skip_errors")),
        )
    except ValidationError as error:
        report_error(request, error)
        return redirect("finance:budget_import_detail", pk=budget.pk, token=token)
    store.discard(token, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d amount was imported.",
            "%(count)d amounts were imported.",
            len(preview.valid_lines),
        )
        % {"count": len(preview.valid_lines)},
    )
    return redirect(target.get_absolute_url())


__all__ = [
    "actual_cost_create",
    "actual_cost_delete",
    "budget_approve",
    "budget_create",
    "budget_delete",
    "budget_detail",
    "budget_import_apply",
    "budget_import_detail",
    "budget_import_upload",
    "budget_reject",
    "budget_submit",
    "category_create",
    "category_defaults",
    "category_delete",
    "category_update",
    "cost_baseline_capture",
    "erp_import_apply",
    "erp_import_detail",
    "erp_import_upload",
    "programme_budgets",
    "project_budgets",
    "project_costs",
    "rate_create",
    "rate_delete",
    "settings_page",
]
