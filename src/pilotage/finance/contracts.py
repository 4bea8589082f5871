"""Suppliers, contracts and what hangs on a contract: payment milestones, a rate card, purchase
orders and deliverables with their acceptance.

Suppliers are the organisation's: anyone with a role sees them; changing them takes the
Manage finance right organisation-wide. A contract belongs to a project: whoever sees the
project sees its contracts, Manage finance on the project creates and changes them, and a
deliverable is accepted or rejected by someone who may change the project (its manager) or
manage its money.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import (
    Action,
    can,
    get_for_user,
    has_any_role,
    require,
    require_organisation,
    visible,
)
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.services import (
    acting_user,
    check_fields,
    create_audited,
    delete_audited,
    proposed_change,
    update_audited,
)
from pilotage.finance.matching import format_money
from pilotage.finance.models import (
    ZERO,
    Contract,
    ContractKind,
    Deliverable,
    DeliverableStatus,
    Invoice,
    InvoiceStatus,
    PaymentMilestone,
    PurchaseOrder,
    RateCardLine,
    Supplier,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Currency, Project
from pilotage.resources.models import JobRole, Resource

__all__ = [
    "CONTRACT_FIELDS",
    "SUPPLIER_FIELDS",
    "contract_create",
    "contract_get_for_user",
    "contract_list",
    "contract_update",
    "deliverable_accept",
    "deliverable_create",
    "deliverable_delete",
    "deliverable_get_for_user",
    "deliverable_reject",
    "deliverable_submit",
    "milestone_create",
    "milestone_delete",
    "purchase_order_create",
    "purchase_order_delete",
    "rate_line_create",
    "rate_line_delete",
    "supplier_by_code",
    "supplier_create",
    "supplier_deactivate",
    "supplier_get_for_user",
    "supplier_list",
    "supplier_update",
]

SUPPLIER_FIELDS = (
    "code",
    "name",
    "vat_number",
    "country",
    "currency",
    "email",
    "address",
    "notes",
    "is_active",
)
CONTRACT_FIELDS = (
    "supplier",
    "number",
    "title",
    "kind",
    "currency",
    "value",
    "start_date",
    "end_date",
    "signed_on",
    "status",
    "notes",
    "file",
)


def _forbid() -> None:
    raise ForbiddenError(gettext("You do not have permission to do this."))


# Suppliers ----------------------------------------------------------------------------------


def supplier_list(*, user: Any, search: str = "", active: bool | None = True) -> QuerySet[Supplier]:
    """The organisation's suppliers by name, with their number of contracts and invoices
    (anyone holding a role sees them)."""
    if not has_any_role(user):
        return Supplier.objects.none()
    queryset = Supplier.objects.all()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(code__icontains=search) | Q(vat_number__icontains=search)
        )
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.annotate(
        contract_count=Count("contracts", distinct=True),
        invoice_count=Count("invoices", distinct=True),
    ).order_by("name", "pk")


def supplier_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Supplier:
    """The supplier ``pk``; changing it takes Manage finance organisation-wide."""
    if not has_any_role(user):
        raise NotFoundError()
    try:
        supplier = Supplier.objects.get(pk=pk)
    except (Supplier.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
    if action is not Action.VIEW:
        require_organisation(user, Action.MANAGE_FINANCE)
    return supplier


def supplier_by_code(code: str) -> Supplier:
    """The supplier with this code (any case), or a validation error naming the code."""
    supplier = Supplier.objects.filter(code__iexact=code.strip()).first()
    if supplier is None:
        raise ValidationError(
            {"supplier": gettext("Unknown supplier '%(code)s'") % {"code": code}},
            code="unknown_supplier",
        )
    return supplier


def _check_supplier(supplier: Supplier) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if supplier.country and (len(supplier.country) != 2 or not supplier.country.isalpha()):
        errors["country"] = [gettext("Give the two-letter country code (FR, DE, US ...).")]
    return errors


@transaction.atomic
def supplier_create(*, actor: Any, code: str, name: str, **values: Any) -> Supplier:
    """A supplier of the organisation (Manage finance organisation-wide)."""
    check_fields(values, SUPPLIER_FIELDS)
    require_organisation(actor, Action.MANAGE_FINANCE)
    supplier = Supplier(code=code.strip(), name=name.strip(), **values)
    supplier.country = supplier.country.upper()
    return create_audited(actor=actor, instance=supplier, errors=_check_supplier(supplier))


@transaction.atomic
def supplier_update(*, actor: Any, supplier: Supplier, **changes: Any) -> Supplier:
    check_fields(changes, SUPPLIER_FIELDS)
    require_organisation(actor, Action.MANAGE_FINANCE)
    if changes.get("country"):
        changes["country"] = changes["country"].upper()
    proposed = proposed_change(supplier, changes)
    return update_audited(
        actor=actor, instance=supplier, changes=changes, errors=_check_supplier(proposed)
    )


@transaction.atomic
def supplier_deactivate(*, actor: Any, supplier: Supplier) -> Supplier:
    """Hide the supplier from the choices of new contracts and invoices; its history stays."""
    return supplier_update(actor=actor, supplier=supplier, is_active=False)


# Contracts ----------------------------------------------------------------------------------


def contract_list(
    *,
    user: Any,
    project: Project | None = None,
    supplier: Supplier | None = None,
    status: str = "",
) -> QuerySet[Contract]:
    """The contracts of the projects the user sees, with their supplier and project."""
    queryset = visible(user, Contract.objects.all()).select_related("supplier", "project")
    if project is not None:
        queryset = queryset.filter(project=project)
    if supplier is not None:
        queryset = queryset.filter(supplier=supplier)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("project__code", "number")


def contract_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Contract:
    return get_for_user(
        Contract.objects.select_related("supplier", "project", "project__portfolio"),
        pk,
        user=user,
        action=action,
    )


def _sum(rows: Iterable[Decimal]) -> Decimal:
    return sum(rows, ZERO)


def _check_contract(contract: Contract) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if contract.currency not in Currency.values:
        errors["currency"] = [
            gettext("Unknown currency '%(currency)s'.") % {"currency": contract.currency}
        ]
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        errors["end_date"] = [gettext("The end is before the start.")]
    if contract.pk is not None:
        orders = _sum(contract.orders.values_list("amount", flat=True))
        if orders > contract.value:
            errors["value"] = [
                gettext(
                    "The purchase orders of this contract total %(orders)s %(currency)s, more "
                    "than a value of %(value)s %(currency)s."
                )
                % {
                    "orders": format_money(orders),
                    "value": format_money(contract.value),
                    "currency": contract.currency,
                }
            ]
        if contract.kind == ContractKind.FIXED_PRICE:
            milestones = _sum(contract.milestones.values_list("amount", flat=True))
            if milestones > contract.value:
                errors.setdefault("value", []).append(
                    gettext(
                        "The payment milestones of this contract total %(milestones)s "
                        "%(currency)s, more than a value of %(value)s %(currency)s."
                    )
                    % {
                        "milestones": format_money(milestones),
                        "value": format_money(contract.value),
                        "currency": contract.currency,
                    }
                )
    return errors


@transaction.atomic
def contract_create(
    *,
    actor: Any,
    project: Project,
    supplier: Supplier,
    number: str,
    title: str,
    kind: str,
    **values: Any,
) -> Contract:
    """A contract with a supplier for work on ``project`` (Manage finance on the project)."""
    check_fields(values, CONTRACT_FIELDS)
    require(actor, Action.MANAGE_FINANCE, project)
    contract = Contract(
        project=project,
        supplier=supplier,
        number=number.strip(),
        title=title.strip(),
        kind=kind,
        created_by=acting_user(actor),
        **values,
    )
    return create_audited(actor=actor, instance=contract, errors=_check_contract(contract))


@transaction.atomic
def contract_update(*, actor: Any, contract: Contract, **changes: Any) -> Contract:
    check_fields(changes, CONTRACT_FIELDS)
    require(actor, Action.MANAGE_FINANCE, contract)
    proposed = proposed_change(contract, changes)
    errors = _check_contract(proposed)
    if (
        "kind" in changes
        and changes["kind"] != contract.kind
        and (contract.milestones.exists() or contract.rates.exists())
    ):
        errors.setdefault("kind", []).append(
            gettext("The kind cannot change while the contract has payment milestones or rates.")
        )
    return update_audited(actor=actor, instance=contract, changes=changes, errors=errors)


def _require_finance(actor: Any, contract: Contract) -> None:
    require(actor, Action.MANAGE_FINANCE, contract)


# Payment milestones -------------------------------------------------------------------------


def _check_task(contract: Contract, task: Task | None, errors: dict[str, list[str]]) -> None:
    if task is not None and task.project_id != contract.project_id:
        errors.setdefault("task", []).append(
            gettext("The task '%(task)s' is not a task of the contract's project.")
            % {"task": task.name}
        )


@transaction.atomic
def milestone_create(
    *,
    actor: Any,
    contract: Contract,
    name: str,
    amount: Decimal,
    due_date: dt.date | None = None,
    task: Task | None = None,
    deliverable: Deliverable | None = None,
) -> PaymentMilestone:
    """A payment milestone of a fixed-price contract; together they may not exceed its value."""
    _require_finance(actor, contract)
    errors: dict[str, list[str]] = {}
    if contract.kind != ContractKind.FIXED_PRICE:
        errors["__all__"] = [gettext("Only a fixed-price contract has payment milestones.")]
    if amount is not None and amount < 0:
        errors["amount"] = [gettext("The amount cannot be negative.")]
    _check_task(contract, task, errors)
    if deliverable is not None and deliverable.contract_id != contract.pk:
        errors["deliverable"] = [
            gettext("The deliverable '%(name)s' is not one of this contract's.")
            % {"name": deliverable.name}
        ]
    if not errors and amount is not None:
        existing = _sum(contract.milestones.values_list("amount", flat=True))
        if existing + amount > contract.value:
            errors["amount"] = [
                gettext(
                    "The payment milestones would total %(total)s %(currency)s, %(excess)s "
                    "%(currency)s more than the contract's value of %(value)s %(currency)s."
                )
                % {
                    "total": format_money(existing + amount),
                    "excess": format_money(existing + amount - contract.value),
                    "value": format_money(contract.value),
                    "currency": contract.currency,
                }
            ]
    milestone = PaymentMilestone(
        contract=contract,
        name=name.strip(),
        amount=amount,
        due_date=due_date,
        task=task,
        deliverable=deliverable,
    )
    return create_audited(actor=actor, instance=milestone, errors=errors)


@transaction.atomic
def milestone_delete(*, actor: Any, milestone: PaymentMilestone) -> None:
    _require_finance(actor, milestone.contract)
    delete_audited(actor=actor, instance=milestone)


# Rate card ----------------------------------------------------------------------------------


@transaction.atomic
def rate_line_create(
    *,
    actor: Any,
    contract: Contract,
    rate: Decimal,
    unit: str = "d",
    resource: Resource | None = None,
    role: JobRole | None = None,
    description: str = "",
) -> RateCardLine:
    """A rate of a time-and-materials contract, for a named person or for a role."""
    _require_finance(actor, contract)
    errors: dict[str, list[str]] = {}
    if contract.kind != ContractKind.TIME_AND_MATERIALS:
        errors["__all__"] = [gettext("Only a time-and-materials contract has a rate card.")]
    if resource is None and role is None:
        errors["resource"] = [gettext("Give the person or the role this rate is for.")]
    if rate is not None and rate < 0:
        errors["rate"] = [gettext("The rate cannot be negative.")]
    duplicate = contract.rates.filter(
        Q(resource=resource) if resource is not None else Q(resource__isnull=True, role=role)
    )
    if (resource is not None or role is not None) and duplicate.exists():
        errors.setdefault("resource", []).append(
            gettext("The contract already has a rate for %(who)s.") % {"who": resource or role}
        )
    line = RateCardLine(
        contract=contract,
        rate=rate,
        unit=unit,
        resource=resource,
        role=role if resource is None else None,
        description=description,
    )
    return create_audited(actor=actor, instance=line, errors=errors)


@transaction.atomic
def rate_line_delete(*, actor: Any, line: RateCardLine) -> None:
    _require_finance(actor, line.contract)
    delete_audited(actor=actor, instance=line)


# Purchase orders ----------------------------------------------------------------------------


@transaction.atomic
def purchase_order_create(
    *,
    actor: Any,
    contract: Contract,
    number: str,
    issued_on: dt.date,
    amount: Decimal,
    description: str = "",
) -> PurchaseOrder:
    """An order under a contract; the orders of a contract may not exceed its value."""
    _require_finance(actor, contract)
    errors: dict[str, list[str]] = {}
    if amount is not None and amount < 0:
        errors["amount"] = [gettext("The amount cannot be negative.")]
    elif amount is not None:
        existing = _sum(contract.orders.values_list("amount", flat=True))
        if existing + amount > contract.value:
            errors["amount"] = [
                gettext(
                    "The purchase orders of contract %(contract)s would total %(total)s "
                    "%(currency)s, %(excess)s %(currency)s more than its value of %(value)s "
                    "%(currency)s."
                )
                % {
                    "contract": contract.number,
                    "total": format_money(existing + amount),
                    "excess": format_money(existing + amount - contract.value),
                    "value": format_money(contract.value),
                    "currency": contract.currency,
                }
            ]
    order = PurchaseOrder(
        contract=contract,
        project=contract.project,
        number=number.strip(),
        issued_on=issued_on,
        amount=amount,
        description=description,
    )
    return create_audited(actor=actor, instance=order, errors=errors)


@transaction.atomic
def purchase_order_delete(*, actor: Any, order: PurchaseOrder) -> None:
    _require_finance(actor, order.contract)
    delete_audited(actor=actor, instance=order)


# Deliverables -------------------------------------------------------------------------------


def deliverable_get_for_user(pk: Any, *, user: Any) -> Deliverable:
    """The deliverable ``pk`` of a contract whose project the user sees."""
    contracts = visible(user, Contract.objects.all())
    try:
        return Deliverable.objects.select_related(
            "contract", "contract__project", "contract__supplier", "task", "decided_by"
        ).get(pk=pk, contract__in=contracts)
    except (Deliverable.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


@transaction.atomic
def deliverable_create(
    *,
    actor: Any,
    contract: Contract,
    name: str,
    due_date: dt.date | None = None,
    task: Task | None = None,
    description: str = "",
) -> Deliverable:
    _require_finance(actor, contract)
    errors: dict[str, list[str]] = {}
    _check_task(contract, task, errors)
    deliverable = Deliverable(
        contract=contract, name=name.strip(), due_date=due_date, task=task, description=description
    )
    return create_audited(actor=actor, instance=deliverable, errors=errors)


@transaction.atomic
def deliverable_delete(*, actor: Any, deliverable: Deliverable) -> None:
    _require_finance(actor, deliverable.contract)
    if deliverable.status == DeliverableStatus.ACCEPTED:
        raise ValidationError(gettext("An accepted deliverable cannot be deleted."))
    delete_audited(actor=actor, instance=deliverable)


def _require_decider(actor: Any, contract: Contract) -> None:
    require(actor, Action.VIEW, contract)
    if not (can(actor, Action.CHANGE, contract) or can(actor, Action.MANAGE_FINANCE, contract)):
        _forbid()


def _decide(
    actor: Any, deliverable: Deliverable, status: str, note: str, allowed: Iterable[str]
) -> Deliverable:
    if deliverable.status not in set(allowed):
        raise ValidationError(
            gettext("The deliverable '%(name)s' is %(status)s: it cannot be %(action)s.")
            % {
                "name": deliverable.name,
                "status": deliverable.get_status_display().lower(),
                "action": DeliverableStatus(status).label.lower(),
            }
        )
    changes: dict[str, Any] = {"status": status, "decision_note": note.strip()}
    if status in (DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED):
        changes["decided_by"] = acting_user(actor)
        changes["decided_at"] = timezone.now()
    return update_audited(actor=actor, instance=deliverable, changes=changes)


@transaction.atomic
def deliverable_submit(*, actor: Any, deliverable: Deliverable, note: str = "") -> Deliverable:
    """The supplier handed the deliverable over: it waits for acceptance."""
    _require_decider(actor, deliverable.contract)
    return _decide(
        actor,
        deliverable,
        DeliverableStatus.SUBMITTED,
        note,
        (DeliverableStatus.PENDING, DeliverableStatus.REJECTED),
    )


@transaction.atomic
def deliverable_accept(*, actor: Any, deliverable: Deliverable, note: str = "") -> Deliverable:
    """Accept the deliverable (who and when are recorded), then re-check the contract's
    invoices on hold: the acceptance may be the evidence they were waiting for."""
    _require_decider(actor, deliverable.contract)
    accepted = _decide(
        actor,
        deliverable,
        DeliverableStatus.ACCEPTED,
        note,
        (DeliverableStatus.PENDING, DeliverableStatus.SUBMITTED, DeliverableStatus.REJECTED),
    )
    from pilotage.finance.invoices import invoices_recheck_held

    invoices_recheck_held(contract=deliverable.contract, actor=actor)
    return accepted


@transaction.atomic
def deliverable_reject(*, actor: Any, deliverable: Deliverable, note: str) -> Deliverable:
    """Refuse the deliverable; the note says why (required)."""
    _require_decider(actor, deliverable.contract)
    if not note.strip():
        raise ValidationError({"note": gettext("Say why the deliverable is rejected.")})
    return _decide(
        actor,
        deliverable,
        DeliverableStatus.REJECTED,
        note,
        (DeliverableStatus.PENDING, DeliverableStatus.SUBMITTED),
    )


def contract_totals(contract: Contract) -> dict[str, Decimal]:
    """The contract's value, its milestones, its orders and what was invoiced on it (net, in
    the invoices' currencies added as they are when they match the contract's)."""
    invoiced = (
        Invoice.objects.filter(contract=contract, currency=contract.currency)
        .exclude(status=InvoiceStatus.DISPUTED)
        .aggregate(total=Sum("net_amount"))["total"]
    )
    return {
        "value": contract.value,
        "milestones": _sum(contract.milestones.values_list("amount", flat=True)),
        "orders": _sum(contract.orders.values_list("amount", flat=True)),
        "invoiced": invoiced or ZERO,
    }
