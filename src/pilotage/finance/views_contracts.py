"""Pages of suppliers, contracts and invoices: the supplier list and page, a project's
contracts (with the funding check) and invoices, a contract's page (milestones, rate card,
orders, deliverables to accept, billed against earned), the invoice register, the form to
register an invoice and an invoice's page with its thread."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, require, require_organisation
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import PageRequest, add_service_error, is_partial, paginate
from pilotage.finance import contracts as contract_services
from pilotage.finance import invoices as invoice_services
from pilotage.finance.forms_contracts import (
    CommentForm,
    ContractForm,
    DecisionForm,
    DeliverableForm,
    HoldForm,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceLineFormSet,
    MilestoneForm,
    PayForm,
    PurchaseOrderForm,
    RateLineForm,
    SupplierFilterForm,
    SupplierForm,
    contract_line_choices,
    finance_projects,
)
from pilotage.finance.models import Contract, Invoice, InvoiceStatus
from pilotage.interop.xlsx import Column, Sheet
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.forms import ServiceForm


def _save_form(
    request: PageRequest,
    form: ServiceForm,
    *,
    save: Callable[[], models.Model],
    message: str,
    context: dict[str, Any],
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message % {"object": saved})
            target: Any = saved
            return redirect(target)
    return render(request, "form_page.html", {"form": form, **context})


def _separators() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR")) + str(
        formats.get_format("THOUSAND_SEPARATOR")
    )


# Suppliers ----------------------------------------------------------------------------------


def _suppliers_xlsx(suppliers: Iterable[Any]) -> HttpResponse:
    sheet = Sheet(
        gettext("Suppliers"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Name"), "text", width=30),
            Column(gettext("VAT number"), "text"),
            Column(gettext("Country"), "text"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Email"), "text"),
            Column(gettext("Contracts"), "integer"),
            Column(gettext("Invoices"), "integer"),
            Column(gettext("Active"), "boolean"),
        ],
        [
            [
                s.code,
                s.name,
                s.vat_number,
                s.country,
                s.currency,
                s.email,
                s.contract_count,
                s.invoice_count,
                s.is_active,
            ]
            for s in suppliers
        ],
    )
    return xlsx_response("suppliers", [sheet], title=gettext("Suppliers"))


@login_required
def supplier_list(request: PageRequest) -> HttpResponseBase:
    filters = SupplierFilterForm(request.GET)
    suppliers = contract_services.supplier_list(user=request.user, **filters.selector_kwargs())
    if request.GET.get("format") == "xlsx":
        return _suppliers_xlsx(suppliers)
    return render(
        request,
        "finance/supplier_list.html",
        {
            "filters": filters,
            "page": paginate(request, suppliers),
            "may_manage": can(request.user, Action.MANAGE_FINANCE),
            "active_nav": "finance",
        },
    )


@login_required
def supplier_create(request: PageRequest) -> HttpResponse:
    require_organisation(request.user, Action.MANAGE_FINANCE)
    form = SupplierForm(request.POST or None)
    return _save_form(
        request,
        form,
        save=lambda: contract_services.supplier_create(actor=request.user, **form.changes()),
        message=gettext("Supplier “%(object)s” created."),
        context={
            "title": gettext("New supplier"),
            "cancel_url": reverse("finance:supplier_list"),
            "active_nav": "finance",
            "breadcrumbs": [(reverse("finance:supplier_list"), gettext("Suppliers"))],
        },
    )


@login_required
def supplier_update(request: PageRequest, pk: int) -> HttpResponse:
    supplier = contract_services.supplier_get_for_user(
        pk, user=request.user, action=Action.MANAGE_FINANCE
    )
    form = SupplierForm(request.POST or None, instance=supplier)
    return _save_form(
        request,
        form,
        save=lambda: contract_services.supplier_update(
            actor=request.user, supplier=supplier, **form.changes()
        ),
        message=gettext("Supplier “%(object)s” saved."),
        context={
            "title": gettext("Edit supplier"),
            "object_label": supplier.name,
            "cancel_url": supplier.get_absolute_url(),
            "active_nav": "finance",
            "breadcrumbs": [(reverse("finance:supplier_list"), gettext("Suppliers"))],
        },
    )


@login_required
@require_POST
def supplier_activate(request: PageRequest, pk: int) -> HttpResponse:
    """Deactivate (or reactivate) a supplier."""
    supplier = contract_services.supplier_get_for_user(
        pk, user=request.user, action=Action.MANAGE_FINANCE
    )
    active = request.POST.get("active") == "1"
    contract_services.supplier_update(actor=request.user, supplier=supplier, is_active=active)
    messages.success(
        request,
        (
            gettext("“%(object)s” is active again.")
            if active
            else gettext("“%(object)s” deactivated.")
        )
        % {"object": supplier},
    )
    return redirect(supplier)


@login_required
def supplier_detail(request: PageRequest, pk: int) -> HttpResponse:
    supplier = contract_services.supplier_get_for_user(pk, user=request.user)
    contracts = list(contract_services.contract_list(user=request.user, supplier=supplier))
    invoices = list(invoice_services.invoice_list(user=request.user, supplier=supplier))
    totals: dict[str, dict[str, Any]] = {}
    for invoice in invoices:
        row = totals.setdefault(invoice.currency, {"total": 0, "unpaid": 0})
        row["total"] += invoice.total_amount
        if invoice.status != InvoiceStatus.PAID:
            row["unpaid"] += invoice.total_amount
    return render(
        request,
        "finance/supplier_detail.html",
        {
            "supplier": supplier,
            "contracts": contracts,
            "invoices": invoices,
            "totals": sorted(totals.items()),
            "may_manage": can(request.user, Action.MANAGE_FINANCE),
            "active_nav": "finance",
        },
    )


# Contracts ----------------------------------------------------------------------------------


@login_required
def project_contracts(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    contracts = list(contract_services.contract_list(user=request.user, project=project))
    return render(
        request,
        "finance/contract_project_list.html",
        {
            "project": project,
            "contracts": contracts,
            "funding_flags": invoice_services.funding_check(project),
            "may_manage": can(request.user, Action.MANAGE_FINANCE, project),
            "tab": "finance",
            "finance_tab": "contracts",
            "active_nav": "projects",
        },
    )


@login_required
def contract_create(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(
        pk, user=request.user, action=Action.MANAGE_FINANCE
    )
    form = ContractForm(request.POST or None)
    return _save_form(
        request,
        form,
        save=lambda: contract_services.contract_create(
            actor=request.user, project=project, **form.changes()
        ),
        message=gettext("Contract “%(object)s” created."),
        context={
            "title": gettext("New contract"),
            "object_label": project.name,
            "cancel_url": reverse("finance:project_contracts", args=[project.pk]),
            "active_nav": "projects",
            "breadcrumbs": [
                (project.get_absolute_url(), project.name),
                (reverse("finance:project_contracts", args=[project.pk]), gettext("Contracts")),
            ],
        },
    )


@login_required
def contract_update(request: PageRequest, pk: int) -> HttpResponse:
    contract = contract_services.contract_get_for_user(
        pk, user=request.user, action=Action.MANAGE_FINANCE
    )
    form = ContractForm(request.POST or None, instance=contract)
    return _save_form(
        request,
        form,
        save=lambda: contract_services.contract_update(
            actor=request.user, contract=contract, **form.changes()
        ),
        message=gettext("Contract “%(object)s” saved."),
        context={
            "title": gettext("Edit contract"),
            "object_label": str(contract),
            "cancel_url": contract.get_absolute_url(),
            "active_nav": "projects",
            "breadcrumbs": [
                (contract.project.get_absolute_url(), contract.project.name),
                (contract.get_absolute_url(), contract.number),
            ],
        },
    )


CONTRACT_PARTS = ("milestone", "rate", "order", "deliverable")


def _part_forms(contract: Contract, data: Any = None, part: str = "") -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if part == name else None

    return {
        "milestone_form": MilestoneForm(bound("milestone"), contract=contract),
        "rate_form": RateLineForm(bound("rate")),
        "order_form": PurchaseOrderForm(bound("order")),
        "deliverable_form": DeliverableForm(bound("deliverable"), contract=contract),
    }


def _contract_page(request: PageRequest, contract: Contract, **extra: Any) -> HttpResponse:
    data = invoice_services.contract_detail_data(contract)
    series = invoice_services.billed_vs_earned(contract)
    may_manage = can(request.user, Action.MANAGE_FINANCE, contract)
    may_decide = may_manage or can(request.user, Action.CHANGE, contract)
    context = {
        "contract": contract,
        "project": contract.project,
        **data,
        "totals": contract_services.contract_totals(contract),
        "series": series,
        "chart_data": {
            "months": [month.strftime("%Y-%m") for month in series.months],
            "billed": [float(value) for value in series.billed],
            "earned": [float(value) for value in series.earned],
            "currency": series.currency,
            "separators": _separators(),
            "labels": {"billed": gettext("Billed"), "earned": gettext("Earned")},
        },
        "may_manage": may_manage,
        "may_decide": may_decide,
        "decision_form": DecisionForm(),
        "active_nav": "projects",
        **_part_forms(contract),
        **extra,
    }
    return render(request, "finance/contract_detail.html", context)


@login_required
def contract_detail(request: PageRequest, pk: int) -> HttpResponse:
    contract = contract_services.contract_get_for_user(pk, user=request.user)
    return _contract_page(request, contract)


@login_required
@require_POST
def contract_part_create(request: PageRequest, pk: int, part: str) -> HttpResponse:
    """Add a payment milestone, a rate, a purchase order or a deliverable to a contract."""
    if part not in CONTRACT_PARTS:
        raise Http404
    contract = contract_services.contract_get_for_user(
        pk, user=request.user, action=Action.MANAGE_FINANCE
    )
    forms = _part_forms(contract, request.POST, part)
    form = forms[f"{part}_form"]
    if form.is_valid():
        values = form.cleaned_data
        try:
            if part == "milestone":
                contract_services.milestone_create(actor=request.user, contract=contract, **values)
            elif part == "rate":
                contract_services.rate_line_create(actor=request.user, contract=contract, **values)
            elif part == "order":
                contract_services.purchase_order_create(
                    actor=request.user, contract=contract, **values
                )
            else:
                contract_services.deliverable_create(
                    actor=request.user, contract=contract, **values
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect(contract)
    return _contract_page(request, contract, **forms, open_part=part)


@login_required
@require_POST
def deliverable_decide(request: PageRequest, pk: int, action: str) -> HttpResponse:
    """Submit, accept or reject a deliverable."""
    deliverable = contract_services.deliverable_get_for_user(pk, user=request.user)
    services = {
        "submit": contract_services.deliverable_submit,
        "accept": contract_services.deliverable_accept,
        "reject": contract_services.deliverable_reject,
    }
    if action not in services:
        raise Http404
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services[action](actor=request.user, deliverable=deliverable, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = {
            "submit": gettext("“%(object)s” submitted for acceptance."),
            "accept": gettext("“%(object)s” accepted."),
            "reject": gettext("“%(object)s” rejected."),
        }
        messages.success(request, done[action] % {"object": deliverable})
    return redirect(deliverable.contract)


# Invoices -----------------------------------------------------------------------------------


def _invoices_xlsx(invoices: Iterable[Invoice]) -> HttpResponse:
    sheet = Sheet(
        gettext("Invoices"),
        [
            Column(gettext("Number"), "text"),
            Column(gettext("Supplier"), "text", width=26),
            Column(gettext("Project"), "text"),
            Column(gettext("Contract"), "text"),
            Column(gettext("Issued on"), "date"),
            Column(gettext("Received on"), "date"),
            Column(gettext("Due"), "date"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Net amount"), "decimal"),
            Column(gettext("Tax"), "decimal"),
            Column(gettext("Total"), "decimal"),
            Column(gettext("Status"), "text"),
            Column(gettext("Hold reasons"), "text", width=60),
        ],
        [
            [
                invoice.number,
                invoice.supplier.name,
                invoice.project.code,
                invoice.contract.number if invoice.contract else "",
                invoice.issue_date,
                invoice.received_on,
                invoice.due_date,
                invoice.currency,
                invoice.net_amount,
                invoice.tax_amount,
                invoice.total_amount,
                str(invoice.get_status_display()),
                " ".join(f"{reason['message']}." for reason in invoice.hold_reasons or []),
            ]
            for invoice in invoices
        ],
    )
    return xlsx_response("invoices", [sheet], title=gettext("Invoices"))


def _totals(invoices: Any) -> list[tuple[str, Any]]:
    rows = invoices.order_by().values("currency").annotate(total=models.Sum("total_amount"))
    return sorted((row["currency"], row["total"]) for row in rows)


def _invoice_register(request: PageRequest, *, project: Any = None) -> HttpResponseBase:
    filters = InvoiceFilterForm(request.GET, user=request.user)
    kwargs = filters.selector_kwargs()
    if project is not None:
        kwargs["project"] = project
    invoices = invoice_services.invoice_list(user=request.user, **kwargs)
    if request.GET.get("format") == "xlsx":
        return _invoices_xlsx(invoices)
    context: dict[str, Any] = {
        "filters": filters,
        "page": paginate(request, invoices),
        "totals": _totals(invoices),
        "project": project,
        "may_register": bool(
            can(request.user, Action.MANAGE_FINANCE, project)
            if project is not None
            else finance_projects(request.user)
        ),
        "active_nav": "projects" if project is not None else "finance",
    }
    if is_partial(request):
        response = render(request, "finance/partials/invoice_table.html", context)
    elif project is not None:
        context.update({"tab": "finance", "finance_tab": "invoices"})
        response = render(request, "finance/invoice_project_list.html", context)
    else:
        response = render(request, "finance/invoice_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def invoice_list(request: PageRequest) -> HttpResponseBase:
    return _invoice_register(request)


@login_required
def project_invoices(request: PageRequest, pk: int) -> HttpResponseBase:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    return _invoice_register(request, project=project)


@login_required
def invoice_create(request: PageRequest) -> HttpResponse:
    projects = finance_projects(request.user)
    if not projects:
        raise ForbiddenError(gettext("You do not have permission to do this."))
    initial: dict[str, Any] = {}
    contracts = Contract.objects.filter(project__in=projects)
    if request.GET.get("contract", "").isdigit():
        contract = contract_services.contract_get_for_user(
            request.GET["contract"], user=request.user
        )
        initial = {
            "contract": contract,
            "project": contract.project,
            "supplier": contract.supplier,
            "currency": contract.currency,
        }
        contracts = contracts.filter(pk=contract.pk)
    elif request.GET.get("project", "").isdigit():
        initial = {"project": int(request.GET["project"])}
        contracts = contracts.filter(project_id=int(request.GET["project"]))
    choices = contract_line_choices(contracts)
    post = request.POST if request.method == "POST" else None
    form = InvoiceForm(post, request.FILES or None, user=request.user, initial=initial)
    lines = InvoiceLineFormSet(post, prefix="lines", contract_lines=choices)
    if post is not None and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            invoice = invoice_services.invoice_register(
                actor=request.user,
                lines=[line.line_values() for line in lines if line.has_changed()],
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if invoice.status == InvoiceStatus.MATCHED:
                messages.success(request, gettext("Invoice registered: it matches its contract."))
            else:
                messages.warning(request, gettext("Invoice registered and put on hold."))
            return redirect(invoice)
    return render(
        request,
        "finance/invoice_form.html",
        {"form": form, "lines": lines, "active_nav": "finance"},
    )


@login_required
def invoice_detail(request: PageRequest, pk: int) -> HttpResponse:
    invoice = invoice_services.invoice_get_for_user(pk, user=request.user)
    may_manage = can(request.user, Action.MANAGE_FINANCE, invoice)
    return render(
        request,
        "finance/invoice_detail.html",
        {
            "invoice": invoice,
            "project": invoice.project,
            "review": invoice_services.invoice_review(invoice),
            "events": list(invoice_services.invoice_events(invoice)),
            "may_manage": may_manage,
            "may_approve": may_manage and can(request.user, Action.APPROVE, invoice),
            "may_check": may_manage and invoice.status in invoice_services.CHECKABLE,
            "may_delete": may_manage
            and invoice.status in (InvoiceStatus.RECEIVED, InvoiceStatus.ON_HOLD),
            "hold_form": HoldForm(),
            "comment_form": CommentForm(),
            "pay_form": PayForm(),
            "active_nav": "finance",
        },
    )


@login_required
@require_POST
def invoice_action(request: PageRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of an invoice's page: check, approve, hold, dispute, pay, comment, delete."""
    invoice = invoice_services.invoice_get_for_user(pk, user=request.user)
    post = request.POST
    comment = post.get("comment", "")
    done = gettext("Saved.")
    try:
        if action == "check":
            invoice_services.invoice_check(actor=request.user, invoice=invoice)
            done = (
                gettext("The invoice matches its contract and the work done.")
                if invoice.status == InvoiceStatus.MATCHED
                else gettext("The invoice is still on hold.")
            )
        elif action == "approve":
            invoice_services.invoice_approve(actor=request.user, invoice=invoice, comment=comment)
            done = gettext("Invoice approved for payment.")
        elif action == "hold":
            invoice_services.invoice_hold(
                actor=request.user,
                invoice=invoice,
                reason=post.get("reason", ""),
                comment=comment,
            )
            done = gettext("Invoice put on hold.")
        elif action == "dispute":
            invoice_services.invoice_dispute(actor=request.user, invoice=invoice, comment=comment)
            done = gettext("Invoice disputed.")
        elif action == "pay":
            form = PayForm(post)
            if not form.is_valid():
                raise ValidationError(gettext("Give the payment date."))
            invoice_services.invoice_pay(actor=request.user, invoice=invoice, **form.cleaned_data)
            done = gettext("Payment recorded.")
        elif action == "comment":
            invoice_services.invoice_comment(
                actor=request.user, invoice=invoice, text=post.get("text", "")
            )
            done = gettext("Comment added.")
        elif action == "delete":
            invoice_services.invoice_delete(actor=request.user, invoice=invoice)
            messages.success(request, gettext("Invoice deleted."))
            return redirect("finance:invoice_list")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(invoice)


@login_required
def invoice_file(request: PageRequest, pk: int) -> FileResponse:
    """The invoice's file, to whoever may see the invoice."""
    invoice = invoice_services.invoice_get_for_user(pk, user=request.user)
    require(request.user, Action.VIEW, invoice)
    if not invoice.file:
        raise Http404
    name = (invoice.file.name or "").rsplit("/", 1)[-1]
    return FileResponse(invoice.file.open("rb"), filename=name)
