"""API operations of finance: suppliers, contracts (milestones, rates, purchase orders,
deliverables and their acceptance), invoices checked against the work done, the funding check.

Amounts are strings of decimals ("1234.50"). Suppliers are the organisation's (anyone with a
role reads them; Manage finance organisation-wide changes them); contracts and invoices follow
their project's permissions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts.permissions import Action
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    paginate,
    patch_schema,
    responses,
)
from pilotage.core.errors import NotFoundError
from pilotage.finance import contracts as services
from pilotage.finance import invoices as invoice_services
from pilotage.finance.models import (
    Contract,
    ContractKind,
    ContractStatus,
    Deliverable,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
    PaymentMilestone,
    PurchaseOrder,
    RateCardLine,
    Supplier,
)
from pilotage.planning.models import Task
from pilotage.portfolio.selectors import portfolio_get_for_user, project_get_for_user
from pilotage.resources.models import JobRole, RateUnit, Resource

router = Router(tags=["finance"])


def _ok(status: int, schema: Any) -> dict[Any, Any]:
    return responses(status, schema)


def _get(model: type[models.Model], pk: int | None, field: str) -> Any:
    """The object ``pk`` of ``model`` or a validation error on ``field``."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {
                field: gettext(
                    "Select a valid choice. That choice is not one of the available choices."
                )
            }
        )
    return found


# Schemas ------------------------------------------------------------------------------------


class SupplierRef(Schema):
    id: int
    code: str
    name: str


class ProjectRef(Schema):
    id: int
    code: str
    name: str


class SupplierOut(Schema):
    id: int
    code: str
    name: str
    vat_number: str
    country: str = Field(..., description="Two-letter country code.")
    currency: str
    email: str
    address: str
    notes: str
    is_active: bool


class SupplierIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    vat_number: str = ""
    country: str = Field("", description="Two-letter country code (FR, DE ...).")
    currency: str = "EUR"
    email: str = ""
    address: str = ""
    notes: str = ""
    is_active: bool = True


if TYPE_CHECKING:
    SupplierPatch = SupplierIn
else:
    SupplierPatch = patch_schema(SupplierIn, "SupplierPatch")


class MilestoneOut(Schema):
    id: int
    name: str
    amount: Decimal
    due_date: dt.date | None
    task_id: int | None
    deliverable_id: int | None


class RateOut(Schema):
    id: int
    resource_id: int | None
    role_id: int | None
    description: str
    rate: Decimal
    unit: RateUnit


class PurchaseOrderOut(Schema):
    id: int
    number: str
    issued_on: dt.date
    amount: Decimal
    description: str


class DeliverableOut(Schema):
    id: int
    contract_id: int
    name: str
    description: str
    task_id: int | None
    due_date: dt.date | None
    status: str
    decided_by: str | None = Field(None, description="Who accepted or rejected it.")
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_decided_by(deliverable: Deliverable) -> str | None:
        user = deliverable.decided_by
        return user.get_username() if user is not None else None


class ContractOut(Schema):
    id: int
    project_id: int
    supplier_id: int
    supplier: SupplierRef
    number: str
    title: str
    kind: ContractKind = Field(..., description="fixed_price or time_materials.")
    currency: str
    value: Decimal
    start_date: dt.date | None
    end_date: dt.date | None
    signed_on: dt.date | None
    status: ContractStatus
    notes: str


class ContractDetailOut(ContractOut):
    milestones: list[MilestoneOut]
    rates: list[RateOut]
    purchase_orders: list[PurchaseOrderOut]
    deliverables: list[DeliverableOut]

    @staticmethod
    def resolve_milestones(contract: Contract) -> list[PaymentMilestone]:
        return list(contract.milestones.all())

    @staticmethod
    def resolve_rates(contract: Contract) -> list[RateCardLine]:
        return list(contract.rates.all())

    @staticmethod
    def resolve_purchase_orders(contract: Contract) -> list[Any]:
        return list(contract.orders.all())

    @staticmethod
    def resolve_deliverables(contract: Contract) -> list[Deliverable]:
        return list(contract.deliverables.select_related("decided_by"))


class ContractIn(InputSchema):
    supplier_id: int
    number: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=200)
    kind: ContractKind = Field(..., description="fixed_price or time_materials.")
    currency: str = "EUR"
    value: Decimal = Field(Decimal(0), description="The price, or a T&M contract's ceiling.")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    signed_on: dt.date | None = None
    status: ContractStatus = ContractStatus.ACTIVE
    notes: str = ""


if TYPE_CHECKING:
    ContractPatch = ContractIn
else:
    ContractPatch = patch_schema(ContractIn, "ContractPatch")


class MilestoneIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    amount: Decimal
    due_date: dt.date | None = None
    task_id: int | None = Field(None, description="A task of the project: its completion.")
    deliverable_id: int | None = Field(None, description="A deliverable of the contract.")


class RateIn(InputSchema):
    resource_id: int | None = Field(None, description="The person (or give role_id).")
    role_id: int | None = None
    rate: Decimal
    unit: RateUnit = Field(RateUnit.DAY, description="h (per hour) or d (per day) ...")
    description: str = ""


class PurchaseOrderIn(InputSchema):
    number: str = Field(..., min_length=1, max_length=64)
    issued_on: dt.date
    amount: Decimal
    description: str = ""


class DeliverableIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    due_date: dt.date | None = None
    task_id: int | None = None
    description: str = ""


class DecisionIn(InputSchema):
    note: str = Field("", description="Required to reject.")


class MonthOut(Schema):
    month: str = Field(..., description="YYYY-MM.")
    billed: Decimal = Field(..., description="Cumulative net billed, invoices not disputed.")
    earned: Decimal = Field(..., description="Cumulative value of the accepted work.")


class BilledVsEarnedOut(Schema):
    contract_id: int
    currency: str
    months: list[MonthOut]


class HoldReasonOut(Schema):
    code: str = Field(
        ...,
        description="over_billed, no_evidence, duplicate_number, rate_differs or "
        "currency_without_rate.",
    )
    message: str
    line: int | None = None


class InvoiceOut(Schema):
    id: int
    number: str
    supplier: SupplierRef
    project: ProjectRef
    contract_id: int | None
    purchase_order_id: int | None
    issue_date: dt.date
    received_on: dt.date
    due_date: dt.date | None
    currency: str
    net_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    status: InvoiceStatus
    hold_reasons: list[HoldReasonOut]
    checked_at: dt.datetime | None
    approved_at: dt.datetime | None
    paid_on: dt.date | None
    payment_reference: str
    notes: str


class InvoiceLineOut(Schema):
    position: int
    description: str
    milestone_id: int | None
    rate_line_id: int | None
    resource_id: int | None
    period_start: dt.date | None
    period_end: dt.date | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal


class InvoiceEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    author: str
    status: str
    text: str

    @staticmethod
    def resolve_author(event: InvoiceEvent) -> str:
        return event.author_name


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]
    events: list[InvoiceEventOut]

    @staticmethod
    def resolve_lines(invoice: Invoice) -> list[InvoiceLine]:
        return list(invoice.lines.order_by("position"))

    @staticmethod
    def resolve_events(invoice: Invoice) -> list[InvoiceEvent]:
        return list(invoice_services.invoice_events(invoice))


class InvoiceLineIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=255)
    milestone_id: int | None = Field(None, description="Fixed price: the milestone billed.")
    rate_line_id: int | None = Field(None, description="Time and materials: the rate.")
    resource_id: int | None = Field(None, description="Time and materials: the person.")
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    quantity: Decimal = Field(Decimal(1), description="Days or hours per the rate's unit.")
    unit_price: Decimal
    tax_rate: Decimal = Field(Decimal(0), description="In percent.")


class InvoiceIn(InputSchema):
    supplier_id: int | None = Field(None, description="The supplier, or give supplier_code.")
    supplier_code: str | None = None
    project_id: int
    contract_id: int | None = None
    purchase_order_id: int | None = None
    number: str = Field(..., min_length=1, max_length=64)
    issue_date: dt.date
    received_on: dt.date
    due_date: dt.date | None = None
    currency: str = Field(..., description="EUR, USD, GBP ...")
    notes: str = ""
    lines: list[InvoiceLineIn]


class InvoiceFilters(Schema):
    status: InvoiceStatus | None = None
    supplier: int | None = Field(None, description="Supplier id.")
    project: int | None = Field(None, description="Project id.")
    portfolio: int | None = Field(None, description="Portfolio id.")
    contract: int | None = Field(None, description="Contract id.")
    overdue: bool | None = Field(None, description="Due before today and not paid.")
    hold_reason: str = Field("", description="Only invoices held for this reason (its code).")


class ApproveIn(InputSchema):
    comment: str = Field("", description="Required to approve an invoice on hold or disputed.")


class HoldIn(InputSchema):
    reason: str = Field(..., description="A hold reason code.")
    comment: str


class DisputeIn(InputSchema):
    comment: str


class PayIn(InputSchema):
    paid_on: dt.date
    payment_reference: str = ""


class CommentIn(InputSchema):
    text: str


class FundingFlagOut(Schema):
    milestone_id: int
    milestone: str
    contract_id: int
    contract_number: str
    due_date: dt.date
    amount: Decimal
    currency: str
    cumulative: Decimal
    remaining_budget: Decimal
    shortfall: Decimal
    message: str


# Suppliers ----------------------------------------------------------------------------------


@router.get("/suppliers", response=_ok(200, Page[SupplierOut]), summary="List suppliers")
def supplier_list(
    request: ApiRequest, page: Query[PageParams], search: str = "", active: bool | None = None
) -> dict[str, Any]:
    return paginate(services.supplier_list(user=request.auth, search=search, active=active), page)


@router.post("/suppliers", response=_ok(201, SupplierOut), summary="Create a supplier")
def supplier_create(request: ApiRequest, payload: SupplierIn) -> Status[Any]:
    """Needs Manage finance organisation-wide."""
    supplier = services.supplier_create(actor=request.auth, **payload.model_dump())
    return Status(201, supplier)


@router.get("/suppliers/{supplier_id}", response=_ok(200, SupplierOut), summary="Get a supplier")
def supplier_detail(request: ApiRequest, supplier_id: int) -> Any:
    return services.supplier_get_for_user(supplier_id, user=request.auth)


@router.patch(
    "/suppliers/{supplier_id}", response=_ok(200, SupplierOut), summary="Change a supplier"
)
def supplier_update(request: ApiRequest, supplier_id: int, payload: SupplierPatch) -> Any:
    supplier = services.supplier_get_for_user(
        supplier_id, user=request.auth, action=Action.MANAGE_FINANCE
    )
    return services.supplier_update(actor=request.auth, supplier=supplier, **payload.sent())


# Contracts ----------------------------------------------------------------------------------


def _contract_out(contract_id: int, user: Any) -> Contract:
    return services.contract_get_for_user(contract_id, user=user)


def _supplier(pk: int) -> Supplier:
    supplier: Supplier = _get(Supplier, pk, "supplier_id")
    return supplier


@router.get(
    "/projects/{project_id}/contracts",
    response=_ok(200, Page[ContractOut]),
    summary="List a project's contracts",
)
def contract_list(request: ApiRequest, project_id: int, page: Query[PageParams]) -> dict[str, Any]:
    project = project_get_for_user(project_id, user=request.auth)
    return paginate(services.contract_list(user=request.auth, project=project), page)


@router.post(
    "/projects/{project_id}/contracts",
    response=_ok(201, ContractDetailOut),
    summary="Create a contract",
)
def contract_create(request: ApiRequest, project_id: int, payload: ContractIn) -> Status[Any]:
    """Needs Manage finance on the project."""
    project = project_get_for_user(project_id, user=request.auth, action=Action.MANAGE_FINANCE)
    values = payload.model_dump()
    values["supplier"] = _supplier(values.pop("supplier_id"))
    contract = services.contract_create(actor=request.auth, project=project, **values)
    return Status(201, _contract_out(contract.pk, request.auth))


@router.get(
    "/contracts/{contract_id}",
    response=_ok(200, ContractDetailOut),
    summary="Get a contract with its milestones, rates, orders and deliverables",
)
def contract_detail(request: ApiRequest, contract_id: int) -> Any:
    return _contract_out(contract_id, request.auth)


@router.patch(
    "/contracts/{contract_id}", response=_ok(200, ContractDetailOut), summary="Change a contract"
)
def contract_update(request: ApiRequest, contract_id: int, payload: ContractPatch) -> Any:
    contract = services.contract_get_for_user(
        contract_id, user=request.auth, action=Action.MANAGE_FINANCE
    )
    changes = payload.sent()
    if "supplier_id" in changes:
        changes["supplier"] = _supplier(changes.pop("supplier_id"))
    services.contract_update(actor=request.auth, contract=contract, **changes)
    return _contract_out(contract.pk, request.auth)


def _finance_contract(request: ApiRequest, contract_id: int) -> Contract:
    return services.contract_get_for_user(
        contract_id, user=request.auth, action=Action.MANAGE_FINANCE
    )


def _task(contract: Contract, pk: int | None) -> Task | None:
    if pk is None:
        return None
    task = Task.objects.filter(pk=pk, project_id=contract.project_id).first()
    if task is None:
        raise ValidationError({"task_id": gettext("Not a task of the contract's project.")})
    return task


@router.post(
    "/contracts/{contract_id}/milestones",
    response=_ok(201, MilestoneOut),
    summary="Add a payment milestone",
)
def milestone_create(request: ApiRequest, contract_id: int, payload: MilestoneIn) -> Status[Any]:
    contract = _finance_contract(request, contract_id)
    values = payload.model_dump()
    values["task"] = _task(contract, values.pop("task_id"))
    deliverable_id = values.pop("deliverable_id")
    values["deliverable"] = (
        contract.deliverables.filter(pk=deliverable_id).first()
        if deliverable_id is not None
        else None
    )
    if deliverable_id is not None and values["deliverable"] is None:
        raise ValidationError({"deliverable_id": gettext("Not a deliverable of this contract.")})
    milestone = services.milestone_create(actor=request.auth, contract=contract, **values)
    return Status(201, milestone)


@router.post(
    "/contracts/{contract_id}/rates", response=_ok(201, RateOut), summary="Add a contract rate"
)
def rate_create(request: ApiRequest, contract_id: int, payload: RateIn) -> Status[Any]:
    contract = _finance_contract(request, contract_id)
    values = payload.model_dump()
    values["resource"] = _get(Resource, values.pop("resource_id"), "resource_id")
    values["role"] = _get(JobRole, values.pop("role_id"), "role_id")
    line = services.rate_line_create(actor=request.auth, contract=contract, **values)
    return Status(201, line)


@router.post(
    "/contracts/{contract_id}/purchase-orders",
    response=_ok(201, PurchaseOrderOut),
    summary="Add a purchase order",
)
def purchase_order_create(
    request: ApiRequest, contract_id: int, payload: PurchaseOrderIn
) -> Status[Any]:
    """The orders of a contract may not exceed its value."""
    contract = _finance_contract(request, contract_id)
    order = services.purchase_order_create(
        actor=request.auth, contract=contract, **payload.model_dump()
    )
    return Status(201, order)


@router.post(
    "/contracts/{contract_id}/deliverables",
    response=_ok(201, DeliverableOut),
    summary="Add a deliverable",
)
def deliverable_create(
    request: ApiRequest, contract_id: int, payload: DeliverableIn
) -> Status[Any]:
    contract = _finance_contract(request, contract_id)
    values = payload.model_dump()
    values["task"] = _task(contract, values.pop("task_id"))
    deliverable = services.deliverable_create(actor=request.auth, contract=contract, **values)
    return Status(201, deliverable)


@router.post(
    "/deliverables/{deliverable_id}/accept",
    response=_ok(200, DeliverableOut),
    summary="Accept a deliverable",
)
def deliverable_accept(request: ApiRequest, deliverable_id: int, payload: DecisionIn) -> Any:
    """The project's manager or someone managing its money; held invoices of the contract are
    checked again."""
    deliverable = services.deliverable_get_for_user(deliverable_id, user=request.auth)
    return services.deliverable_accept(
        actor=request.auth, deliverable=deliverable, note=payload.note
    )


@router.post(
    "/deliverables/{deliverable_id}/reject",
    response=_ok(200, DeliverableOut),
    summary="Reject a deliverable",
)
def deliverable_reject(request: ApiRequest, deliverable_id: int, payload: DecisionIn) -> Any:
    deliverable = services.deliverable_get_for_user(deliverable_id, user=request.auth)
    return services.deliverable_reject(
        actor=request.auth, deliverable=deliverable, note=payload.note
    )


@router.get(
    "/contracts/{contract_id}/billed-vs-earned",
    response=_ok(200, BilledVsEarnedOut),
    summary="Billed against earned, cumulative by month",
)
def billed_vs_earned(request: ApiRequest, contract_id: int) -> dict[str, Any]:
    contract = _contract_out(contract_id, request.auth)
    series = invoice_services.billed_vs_earned(contract)
    return {
        "contract_id": contract.pk,
        "currency": series.currency,
        "months": [
            {"month": month.strftime("%Y-%m"), "billed": billed, "earned": earned}
            for month, billed, earned in series.rows()
        ],
    }


# Invoices -----------------------------------------------------------------------------------


def _invoice(request: ApiRequest, invoice_id: int, action: Action = Action.VIEW) -> Invoice:
    return invoice_services.invoice_get_for_user(invoice_id, user=request.auth, action=action)


def _line_values(index: int, line: InvoiceLineIn) -> dict[str, Any]:
    values = line.model_dump()
    field = f"lines.{index}"
    values["milestone"] = _get(PaymentMilestone, values.pop("milestone_id"), field)
    values["rate_line"] = _get(RateCardLine, values.pop("rate_line_id"), field)
    values["resource"] = _get(Resource, values.pop("resource_id"), field)
    return values


@router.get("/invoices", response=_ok(200, Page[InvoiceOut]), summary="List invoices")
def invoice_list(
    request: ApiRequest, filters: Query[InvoiceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    portfolio = (
        portfolio_get_for_user(filters.portfolio, user=request.auth) if filters.portfolio else None
    )
    invoices = invoice_services.invoice_list(
        user=request.auth,
        status=filters.status or "",
        supplier=filters.supplier,
        project=filters.project,
        portfolio=portfolio,
        contract=filters.contract,
        overdue=filters.overdue,
        hold_reason=filters.hold_reason,
    )
    return paginate(invoices, page)


@router.post(
    "/invoices", response=_ok(201, InvoiceDetailOut), summary="Register an invoice and check it"
)
def invoice_register(request: ApiRequest, payload: InvoiceIn) -> Status[Any]:
    """Needs Manage finance on the project. Name the supplier by id or by code. The invoice is
    checked at once: it comes back matched, or on hold with its reasons."""
    if payload.supplier_id is not None:
        supplier = _supplier(payload.supplier_id)
    elif payload.supplier_code:
        supplier = services.supplier_by_code(payload.supplier_code)
    else:
        raise ValidationError({"supplier_id": gettext("Give the supplier's id or code.")})
    try:
        project = project_get_for_user(payload.project_id, user=request.auth)
    except NotFoundError as exc:
        raise ValidationError({"project_id": gettext("Unknown project.")}) from exc
    contract = None
    if payload.contract_id is not None:
        try:
            contract = services.contract_get_for_user(payload.contract_id, user=request.auth)
        except NotFoundError as exc:
            raise ValidationError({"contract_id": gettext("Unknown contract.")}) from exc
    order = _get(PurchaseOrder, payload.purchase_order_id, "purchase_order_id")
    invoice = invoice_services.invoice_register(
        actor=request.auth,
        supplier=supplier,
        project=project,
        contract=contract,
        purchase_order=order,
        number=payload.number,
        issue_date=payload.issue_date,
        received_on=payload.received_on,
        due_date=payload.due_date,
        currency=payload.currency,
        notes=payload.notes,
        lines=[_line_values(index, line) for index, line in enumerate(payload.lines)],
    )
    return Status(201, _invoice(request, invoice.pk))


@router.get(
    "/invoices/{invoice_id}",
    response=_ok(200, InvoiceDetailOut),
    summary="Get an invoice with its lines, hold reasons and thread",
)
def invoice_detail(request: ApiRequest, invoice_id: int) -> Any:
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/check",
    response=_ok(200, InvoiceDetailOut),
    summary="Check an invoice again",
)
def invoice_check(request: ApiRequest, invoice_id: int) -> Any:
    invoice = _invoice(request, invoice_id)
    invoice_services.invoice_check(actor=request.auth, invoice=invoice)
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/approve",
    response=_ok(200, InvoiceDetailOut),
    summary="Approve an invoice for payment",
)
def invoice_approve(request: ApiRequest, invoice_id: int, payload: ApproveIn) -> Any:
    """A matched invoice; one on hold or disputed only with a comment saying why."""
    invoice = _invoice(request, invoice_id)
    invoice_services.invoice_approve(actor=request.auth, invoice=invoice, comment=payload.comment)
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/hold", response=_ok(200, InvoiceDetailOut), summary="Hold an invoice"
)
def invoice_hold(request: ApiRequest, invoice_id: int, payload: HoldIn) -> Any:
    invoice = _invoice(request, invoice_id)
    invoice_services.invoice_hold(
        actor=request.auth, invoice=invoice, reason=payload.reason, comment=payload.comment
    )
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/dispute",
    response=_ok(200, InvoiceDetailOut),
    summary="Dispute an invoice",
)
def invoice_dispute(request: ApiRequest, invoice_id: int, payload: DisputeIn) -> Any:
    invoice = _invoice(request, invoice_id)
    invoice_services.invoice_dispute(actor=request.auth, invoice=invoice, comment=payload.comment)
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/pay",
    response=_ok(200, InvoiceDetailOut),
    summary="Record an invoice's payment",
)
def invoice_pay(request: ApiRequest, invoice_id: int, payload: PayIn) -> Any:
    invoice = _invoice(request, invoice_id)
    invoice_services.invoice_pay(
        actor=request.auth,
        invoice=invoice,
        paid_on=payload.paid_on,
        payment_reference=payload.payment_reference,
    )
    return _invoice(request, invoice_id)


@router.post(
    "/invoices/{invoice_id}/comments",
    response=_ok(201, InvoiceEventOut),
    summary="Comment on an invoice",
)
def invoice_comment(request: ApiRequest, invoice_id: int, payload: CommentIn) -> Status[Any]:
    invoice = _invoice(request, invoice_id)
    event = invoice_services.invoice_comment(actor=request.auth, invoice=invoice, text=payload.text)
    return Status(201, event)


@router.get(
    "/projects/{project_id}/funding-check",
    response=_ok(200, list[FundingFlagOut]),
    summary="Upcoming payment milestones beyond the remaining budget",
)
def funding_check(request: ApiRequest, project_id: int) -> list[dict[str, Any]]:
    project = project_get_for_user(project_id, user=request.auth)
    return [
        {
            "milestone_id": flag.milestone.pk,
            "milestone": flag.milestone.name,
            "contract_id": flag.contract.pk,
            "contract_number": flag.contract.number,
            "due_date": flag.due_date,
            "amount": flag.amount,
            "currency": flag.currency,
            "cumulative": flag.cumulative,
            "remaining_budget": flag.remaining_budget,
            "shortfall": flag.shortfall,
            "message": flag.message,
        }
        for flag in invoice_services.funding_check(project)
    ]
