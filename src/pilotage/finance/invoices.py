"""Supplier invoices: registered, checked against the contract and the work done, held,
disputed, approved and paid; the funding check of upcoming payment milestones; billed against
earned on a contract.

The check (:func:`invoice_check`) gathers the evidence here and applies the pure rules of
:mod:`pilotage.finance.matching`. Every change of status adds an entry to the invoice's thread.

An approved invoice writes its actual cost to the ledger (``ActualCost``, source invoice, one
row per line, net amount in the invoice's currency, on its issue date) for its fixed-price
lines and for the lines of an invoice without a contract. Time-and-materials lines write
nothing: their cost is already in the ledger through the approved timesheets of the people
they bill, valued at the contract's rates; counting the invoice too would count the work
twice. Holding or disputing an approved invoice removes its rows again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, can, get_for_user, require, visible
from pilotage.core.errors import ForbiddenError
from pilotage.core.services import acting_user, create_audited, delete_audited, update_audited
from pilotage.finance import matching
from pilotage.finance.budgets import EXTERNAL_CATEGORY
from pilotage.finance.currency import (
    CurrencyRateMissingError,
    RateTable,
    finance_settings,
    quantize_money,
    rate_table,
)
from pilotage.finance.locks import ensure_open
from pilotage.finance.matching import (
    DuplicateEvidence,
    InvoiceEvidence,
    LineEvidence,
    MilestoneEvidence,
    RateEvidence,
    Tolerances,
)
from pilotage.finance.models import (
    ZERO,
    ActualCost,
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetStatus,
    Contract,
    ContractKind,
    CostCategory,
    DeliverableStatus,
    HoldReason,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
    PaymentMilestone,
    PurchaseOrder,
    RateCardLine,
    Supplier,
    TimesheetEntry,
    TimesheetStatus,
)
from pilotage.finance.rates import HOURS_PER_RATE_UNIT, hourly
from pilotage.portfolio.models import Currency, Project
from pilotage.resources.models import RateUnit, Resource

__all__ = [
    "MAX_FILE_BYTES",
    "BilledVsEarned",
    "FundingFlag",
    "InvoiceReview",
    "LineReview",
    "billed_vs_earned",
    "funding_check",
    "invoice_approve",
    "invoice_check",
    "invoice_comment",
    "invoice_delete",
    "invoice_dispute",
    "invoice_events",
    "invoice_get_for_user",
    "invoice_hold",
    "invoice_list",
    "invoice_pay",
    "invoice_recheck",
    "invoice_register",
    "invoice_review",
    "invoices_recheck_held",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff"})
HUNDRED = Decimal(100)
MINUTES_PER_HOUR = Decimal(60)
# Statuses whose invoice the check may (re)consider.
CHECKABLE = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.MATCHED, InvoiceStatus.ON_HOLD})


def _forbid() -> None:
    raise ForbiddenError(gettext("You do not have permission to do this."))


def _event(invoice: Invoice, actor: Any, text: str, status: str = "") -> InvoiceEvent:
    author = acting_user(actor)
    name = ""
    if actor is not None:
        full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
        name = full or actor.get_username()
    return InvoiceEvent.objects.create(
        invoice=invoice, author=author, author_name=name[:150], status=status, text=text
    )


def _status_error(invoice: Invoice, action: str) -> ValidationError:
    return ValidationError(
        gettext("Invoice %(number)s is %(status)s: it cannot be %(action)s.")
        % {
            "number": invoice.number,
            "status": invoice.get_status_display().lower(),
            "action": action,
        },
        code="invalid_status",
    )


# Selectors ----------------------------------------------------------------------------------


def invoice_list(
    *,
    user: Any,
    status: str = "",
    supplier: Any = None,
    project: Any = None,
    portfolio: Any = None,
    contract: Any = None,
    overdue: bool | None = None,
    hold_reason: str = "",
    today: dt.date | None = None,
) -> QuerySet[Invoice]:
    """The invoices of the projects the user sees, most recently received first."""
    queryset = visible(user, Invoice.objects.all()).select_related(
        "supplier", "project", "contract"
    )
    if status:
        queryset = queryset.filter(status=status)
    if supplier:
        queryset = queryset.filter(supplier=supplier)
    if project:
        queryset = queryset.filter(project=project)
    if portfolio:
        queryset = queryset.filter(project__portfolio=portfolio)
    if contract:
        queryset = queryset.filter(contract=contract)
    if overdue is not None:
        day = today or timezone.localdate()
        late = Q(due_date__lt=day) & ~Q(status=InvoiceStatus.PAID)
        queryset = queryset.filter(late) if overdue else queryset.exclude(late)
    if hold_reason:
        queryset = queryset.filter(hold_reasons__icontains=f'"{hold_reason}"')
    return queryset.order_by("-received_on", "-pk")


def invoice_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Invoice:
    return get_for_user(
        Invoice.objects.select_related(
            "supplier",
            "project",
            "project__portfolio",
            "contract",
            "purchase_order",
            "received_by",
            "approved_by",
        ),
        pk,
        user=user,
        action=action,
    )


def invoice_events(invoice: Invoice) -> QuerySet[InvoiceEvent]:
    return invoice.events.select_related("author").order_by("occurred_at", "pk")


def _lines(invoice: Invoice) -> list[InvoiceLine]:
    return list(
        invoice.lines.select_related(
            "milestone",
            "milestone__task",
            "milestone__deliverable",
            "milestone__deliverable__decided_by",
            "rate_line",
            "rate_line__resource",
            "rate_line__role",
            "resource",
        ).order_by("position", "pk")
    )


# Evidence -----------------------------------------------------------------------------------


def _tolerances() -> Tolerances:
    settings = finance_settings()
    return Tolerances(
        work_done_percent=settings.invoice_work_done_percent,
        overbilling_percent=settings.invoice_overbilling_tolerance_percent,
        rate_percent=settings.invoice_rate_tolerance_percent,
    )


def _convert(
    table: RateTable, amount: Decimal, source: str, target: str, on: dt.date
) -> Decimal | None:
    try:
        return table.convert_between(amount, source, target, on)
    except CurrencyRateMissingError:
        return None


def _has_rate(table: RateTable, source: str, target: str, on: dt.date) -> bool:
    return source == target or (table.has_rate(source, on) and table.has_rate(target, on))


class _ContractRates:
    """A contract's rate card: a line naming the person comes before one for their role."""

    def __init__(self, contract: Contract) -> None:
        self.lines = list(contract.rates.select_related("resource", "role"))
        self.by_resource = {line.resource_id: line for line in self.lines if line.resource_id}
        self.by_role = {
            line.role_id: line for line in self.lines if line.role_id and not line.resource_id
        }

    def for_resource(self, resource_id: int | None, role_id: int | None) -> RateCardLine | None:
        if resource_id is not None and resource_id in self.by_resource:
            return self.by_resource[resource_id]
        if role_id is not None:
            return self.by_role.get(role_id)
        return None


def _approved_entries(project_id: int) -> QuerySet[TimesheetEntry]:
    return TimesheetEntry.objects.filter(
        project_id=project_id, timesheet__status=TimesheetStatus.APPROVED
    )


def _approved_hours(
    project_id: int, resource_id: int, start: dt.date | None, end: dt.date | None
) -> Decimal:
    entries = _approved_entries(project_id).filter(timesheet__resource_id=resource_id)
    if start is not None:
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    minutes = entries.aggregate(total=Sum("minutes"))["total"] or 0
    return Decimal(minutes) / MINUTES_PER_HOUR


def _time_value_by_day(
    contract: Contract, until: dt.date | None = None
) -> list[tuple[dt.date, Decimal]]:
    """Approved timesheet time on the contract's project of the people its rate card covers,
    valued at the contract's rates: (day, value) rows."""
    rates = _ContractRates(contract)
    if not rates.lines:
        return []
    entries = _approved_entries(contract.project_id)
    if contract.start_date:
        entries = entries.filter(date__gte=contract.start_date)
    if contract.end_date:
        entries = entries.filter(date__lte=contract.end_date)
    if until is not None:
        entries = entries.filter(date__lte=until)
    rows = []
    for day, resource_id, role_id, minutes in entries.values_list(
        "date", "timesheet__resource_id", "timesheet__resource__role_id", "minutes"
    ):
        line = rates.for_resource(resource_id, role_id)
        if line is None:
            continue
        rows.append((day, Decimal(minutes) / MINUTES_PER_HOUR * hourly(line.rate, line.unit)))
    return rows


def _milestone_evidence(
    milestone: PaymentMilestone, billed_on: Sequence[str] = ()
) -> MilestoneEvidence:
    deliverable = milestone.deliverable
    task = milestone.task
    return MilestoneEvidence(
        name=milestone.name,
        amount=milestone.amount,
        deliverable_name=deliverable.name if deliverable is not None else None,
        deliverable_accepted=deliverable is not None
        and deliverable.status == DeliverableStatus.ACCEPTED,
        task_name=task.name if task is not None else None,
        task_percent_complete=Decimal(str(task.percent_complete)) if task is not None else None,
        task_finished=task is not None
        and (task.actual_finish is not None or task.percent_complete >= 100),
        billed_on=tuple(billed_on),
    )


def _accepted_to_date(
    contract: Contract, tolerances: Tolerances, until: dt.date | None = None
) -> Decimal:
    if contract.kind == ContractKind.FIXED_PRICE:
        milestones = contract.milestones.select_related("task", "deliverable")
        return sum(
            (
                milestone.amount
                for milestone in milestones
                if _milestone_evidence(milestone).is_earned(tolerances)
            ),
            ZERO,
        )
    return quantize_money(sum((value for _day, value in _time_value_by_day(contract, until)), ZERO))


def _billed_to_date(invoice: Invoice, contract: Contract, table: RateTable) -> Decimal | None:
    """This invoice and the contract's earlier invoices not disputed, net, in the contract's
    currency; None when one of them has no exchange rate."""
    others = (
        Invoice.objects.filter(contract=contract, issue_date__lte=invoice.issue_date)
        .exclude(pk=invoice.pk)
        .exclude(status=InvoiceStatus.DISPUTED)
        .values_list("net_amount", "currency", "issue_date")
    )
    total = ZERO
    for amount, currency, issued in [
        (invoice.net_amount, invoice.currency, invoice.issue_date),
        *others,
    ]:
        converted = _convert(table, amount, currency, contract.currency, issued)
        if converted is None:
            return None
        total += converted
    return total


def _unit_label(unit: str) -> str:
    labels: dict[str, str] = {
        RateUnit.MINUTE: gettext("minute"),
        RateUnit.HOUR: gettext("hour"),
        RateUnit.DAY: gettext("day"),
        RateUnit.WEEK: gettext("week"),
        RateUnit.MONTH: gettext("month"),
        RateUnit.YEAR: gettext("year"),
    }
    return str(labels.get(unit, unit))


def _period(invoice: Invoice, line: InvoiceLine) -> tuple[dt.date | None, dt.date]:
    contract = invoice.contract
    start = line.period_start or (contract.start_date if contract else None)
    end = line.period_end or invoice.issue_date
    return start, end


@dataclass
class LineReview:
    """An invoice line with the contract line it bills and the evidence found for it."""

    line: InvoiceLine
    evidence: LineEvidence
    facts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class InvoiceReview:
    """What the check saw: each line's evidence, and billed against accepted work to date."""

    evidence: InvoiceEvidence
    lines: list[LineReview]
    currency: str

    @property
    def billed_to_date(self) -> Decimal | None:
        return self.evidence.billed_to_date

    @property
    def accepted_to_date(self) -> Decimal | None:
        return self.evidence.accepted_to_date


def _line_facts(invoice: Invoice, line: InvoiceLine, evidence: LineEvidence) -> list[str]:
    facts: list[str] = []
    milestone = line.milestone
    if milestone is not None:
        deliverable = milestone.deliverable
        if deliverable is not None:
            if deliverable.status == DeliverableStatus.ACCEPTED:
                who = deliverable.decided_by
                facts.append(
                    gettext("Deliverable '%(name)s' accepted by %(who)s on %(when)s")
                    % {
                        "name": deliverable.name,
                        "who": (who.get_full_name() or who.get_username()) if who else "—",
                        "when": timezone.localtime(deliverable.decided_at).date().isoformat()
                        if deliverable.decided_at
                        else "—",
                    }
                )
            else:
                facts.append(
                    gettext("Deliverable '%(name)s': %(status)s")
                    % {"name": deliverable.name, "status": deliverable.get_status_display()}
                )
        if milestone.task is not None:
            facts.append(
                gettext("Task '%(name)s' %(percent)s %% complete")
                % {
                    "name": milestone.task.name,
                    "percent": matching.format_quantity(
                        Decimal(str(milestone.task.percent_complete))
                    ),
                }
            )
    rate = evidence.rate
    if rate is not None:
        facts.append(
            gettext("Contract rate for %(person)s: %(rate)s per %(unit)s")
            % {
                "person": rate.person,
                "rate": matching.format_money(rate.rate),
                "unit": rate.unit_label,
            }
        )
        if rate.approved_hours is not None:
            start, end = _period(invoice, line)
            facts.append(
                gettext("Approved timesheet hours %(start)s to %(end)s: %(hours)s")
                % {
                    "start": start.isoformat() if start else "…",
                    "end": end.isoformat(),
                    "hours": matching.format_quantity(rate.approved_hours),
                }
            )
    return facts


def invoice_review(invoice: Invoice) -> InvoiceReview:
    """Gather the evidence of ``invoice``: what :func:`invoice_check` judges, and what its page
    shows line by line."""
    tolerances = _tolerances()
    table = rate_table()
    contract = invoice.contract
    lines = _lines(invoice)
    duplicates = tuple(
        DuplicateEvidence(other.pk, other.number, other.received_on)
        for other in Invoice.objects.filter(
            supplier_id=invoice.supplier_id, number__iexact=invoice.number
        )
        .exclude(pk=invoice.pk)
        .order_by("received_on", "pk")
    )
    target = contract.currency if contract else table.reporting_currency
    milestone_ids = [line.milestone_id for line in lines if line.milestone_id]
    billed_elsewhere: dict[int, list[str]] = defaultdict(list)
    for milestone_id, number in (
        InvoiceLine.objects.filter(milestone_id__in=milestone_ids)
        .exclude(invoice=invoice)
        .exclude(invoice__status=InvoiceStatus.DISPUTED)
        .values_list("milestone_id", "invoice__number")
    ):
        if number not in billed_elsewhere[milestone_id]:
            billed_elsewhere[milestone_id].append(number)
    rates = _ContractRates(contract) if contract is not None else None
    reviews: list[LineReview] = []
    for line in lines:
        milestone = (
            _milestone_evidence(line.milestone, billed_elsewhere.get(line.milestone_id or 0, ()))
            if line.milestone is not None
            else None
        )
        rate_evidence = None
        if contract is not None and contract.kind == ContractKind.TIME_AND_MATERIALS:
            rate_evidence = _rate_evidence(invoice, line, rates)
        line_evidence = LineEvidence(
            position=line.position,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            milestone=milestone,
            rate=rate_evidence,
            period_start=line.period_start,
            period_end=line.period_end,
        )
        reviews.append(LineReview(line=line, evidence=line_evidence))
        reviews[-1].facts = _line_facts(invoice, line, line_evidence)
    evidence = InvoiceEvidence(
        number=invoice.number,
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        lines=tuple(review.evidence for review in reviews),
        contract_kind=contract.kind if contract else None,
        contract_currency=contract.currency if contract else None,
        reporting_currency=table.reporting_currency,
        has_exchange_rate=_has_rate(table, invoice.currency, target, invoice.issue_date),
        duplicates=duplicates,
        billed_to_date=_billed_to_date(invoice, contract, table) if contract else None,
        accepted_to_date=_accepted_to_date(contract, tolerances, invoice.issue_date)
        if contract
        else None,
    )
    return InvoiceReview(evidence=evidence, lines=reviews, currency=target)


def _rate_evidence(
    invoice: Invoice, line: InvoiceLine, rates: _ContractRates | None
) -> RateEvidence | None:
    rate_line = line.rate_line
    resource = line.resource
    if rate_line is None and rates is not None and resource is not None:
        rate_line = rates.for_resource(resource.pk, resource.role_id)
    if rate_line is None:
        return None
    person_resource = resource or rate_line.resource
    person = str(person_resource or rate_line.role)
    approved = None
    if person_resource is not None:
        start, end = _period(invoice, line)
        approved = _approved_hours(invoice.project_id, person_resource.pk, start, end)
    return RateEvidence(
        person=person,
        rate=rate_line.rate,
        unit_label=_unit_label(rate_line.unit),
        hours_per_unit=HOURS_PER_RATE_UNIT[rate_line.unit],
        approved_hours=approved,
    )


def _manual_reasons(invoice: Invoice) -> list[dict[str, Any]]:
    return [reason for reason in invoice.hold_reasons or [] if reason.get("manual")]


def _run_check(invoice: Invoice, actor: Any) -> Invoice:
    review = invoice_review(invoice)
    result = matching.check_invoice(review.evidence, _tolerances())
    reasons = [finding.as_dict() for finding in result.findings] + _manual_reasons(invoice)
    status = InvoiceStatus.MATCHED if not reasons else InvoiceStatus.ON_HOLD
    changed = status != invoice.status or reasons != invoice.hold_reasons
    invoice.hold_reasons = reasons
    invoice.status = status
    invoice.checked_at = timezone.now()
    invoice.save(update_fields=["hold_reasons", "status", "checked_at", "updated_at"])
    if changed:
        if status == InvoiceStatus.MATCHED:
            text = gettext("Checked: the invoice matches its contract and the work done.")
        else:
            text = (
                gettext("Checked: on hold.")
                + " "
                + " ".join(f"{reason['message']}." for reason in reasons)
            )
        _event(invoice, actor, text, status)
    return invoice


# Services -----------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _check_file(file: Any) -> list[str]:
    problems = []
    size = getattr(file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        problems.append(gettext("The file is larger than 10 MB."))
    suffix = Path(getattr(file, "name", "") or "").suffix.lower()
    if suffix not in FILE_SUFFIXES:
        problems.append(gettext("Attach a PDF or an image (PNG, JPEG, GIF, WebP, TIFF)."))
    return problems


def _check_lines(
    lines: Sequence[Mapping[str, Any]], contract: Contract | None
) -> tuple[list[InvoiceLine], list[str]]:
    built: list[InvoiceLine] = []
    problems: list[str] = []
    for position, values in enumerate(lines, start=1):
        known = {
            "description",
            "milestone",
            "rate_line",
            "resource",
            "period_start",
            "period_end",
            "quantity",
            "unit_price",
            "tax_rate",
        }
        unknown = sorted(set(values) - known)
        if unknown:
            raise TypeError(f"Unknown invoice line fields: {', '.join(unknown)}")
        quantity = _decimal(values.get("quantity", Decimal(1)))
        unit_price = _decimal(values.get("unit_price"))
        tax_rate = _decimal(values.get("tax_rate"))
        prefix = gettext("Line %(line)d: ") % {"line": position}
        description = str(values.get("description") or "").strip()
        if not description:
            problems.append(prefix + gettext("give a description."))
        for amount, message in (
            (quantity, gettext("the quantity cannot be negative (%(value)s).")),
            (unit_price, gettext("the unit price cannot be negative (%(value)s).")),
            (tax_rate, gettext("the tax rate cannot be negative (%(value)s).")),
        ):
            if amount < 0:
                problems.append(prefix + message % {"value": amount})
        if tax_rate > HUNDRED:
            problems.append(prefix + gettext("the tax rate is at most 100 %."))
        milestone = values.get("milestone")
        rate_line = values.get("rate_line")
        if milestone is not None and (contract is None or milestone.contract_id != contract.pk):
            problems.append(
                prefix
                + gettext("the payment milestone '%(name)s' is not one of the contract's.")
                % {"name": milestone.name}
            )
        if rate_line is not None and (contract is None or rate_line.contract_id != contract.pk):
            problems.append(
                prefix
                + gettext("the rate '%(name)s' is not one of the contract's.") % {"name": rate_line}
            )
        start, end = values.get("period_start"), values.get("period_end")
        if start and end and end < start:
            problems.append(prefix + gettext("the period ends before it starts."))
        amount = quantize_money(quantity * unit_price)
        built.append(
            InvoiceLine(
                position=position,
                description=description[:255],
                milestone=milestone,
                rate_line=rate_line,
                resource=values.get("resource"),
                period_start=start,
                period_end=end,
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
                tax_rate=tax_rate,
            )
        )
    return built, problems


@transaction.atomic
def invoice_register(
    *,
    actor: Any,
    supplier: Supplier,
    project: Project,
    number: str,
    issue_date: dt.date,
    received_on: dt.date,
    currency: str,
    lines: Sequence[Mapping[str, Any]],
    contract: Contract | None = None,
    purchase_order: PurchaseOrder | None = None,
    due_date: dt.date | None = None,
    file: Any = None,
    notes: str = "",
) -> Invoice:
    """Record a supplier's invoice (Manage finance on the project) and check it at once.

    The amounts come from the lines: amount = quantity × unit price (to the cent), tax =
    amount × tax rate. A number the supplier already used on another invoice is recorded
    but held as a duplicate.
    """
    require(actor, Action.MANAGE_FINANCE, project)
    errors: dict[str, list[str]] = defaultdict(list)
    number = (number or "").strip()
    if not number:
        errors["number"].append(gettext("Give the invoice's number."))
    if currency not in Currency.values:
        errors["currency"].append(
            gettext("Unknown currency '%(currency)s'; use one of %(known)s.")
            % {"currency": currency, "known": ", ".join(Currency.values)}
        )
    if purchase_order is not None:
        if contract is None:
            contract = purchase_order.contract
        elif purchase_order.contract_id != contract.pk:
            errors["purchase_order"].append(
                gettext("The purchase order %(order)s is not one of contract %(contract)s.")
                % {"order": purchase_order.number, "contract": contract.number}
            )
    if contract is not None:
        if contract.project_id != project.pk:
            errors["contract"].append(
                gettext("The contract %(contract)s is for another project than %(project)s.")
                % {"contract": contract.number, "project": project.code}
            )
        if contract.supplier_id != supplier.pk:
            errors["contract"].append(
                gettext("The contract %(contract)s is with another supplier than %(supplier)s.")
                % {"contract": contract.number, "supplier": supplier.name}
            )
    if due_date and issue_date and due_date < issue_date:
        errors["due_date"].append(gettext("The invoice is due before it was issued."))
    if received_on and issue_date and received_on < issue_date:
        errors["received_on"].append(gettext("The invoice was received before it was issued."))
    if not lines:
        errors["lines"].append(gettext("An invoice has at least one line."))
    built, problems = _check_lines(lines, contract)
    errors["lines"].extend(problems)
    if file:
        errors["file"].extend(_check_file(file))
    net = sum((line.amount for line in built), ZERO)
    tax = sum((quantize_money(line.amount * line.tax_rate / HUNDRED) for line in built), ZERO)
    invoice = Invoice(
        project=project,
        supplier=supplier,
        contract=contract,
        purchase_order=purchase_order,
        number=number,
        issue_date=issue_date,
        received_on=received_on,
        due_date=due_date,
        currency=currency,
        net_amount=net,
        tax_amount=tax,
        total_amount=net + tax,
        status=InvoiceStatus.RECEIVED,
        notes=notes,
        received_by=acting_user(actor),
    )
    if file:
        invoice.file = file
    create_audited(actor=actor, instance=invoice, errors={k: v for k, v in errors.items() if v})
    for line in built:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    _event(invoice, actor, gettext("Invoice received."), InvoiceStatus.RECEIVED)
    return _run_check(invoice, actor)


@transaction.atomic
def invoice_check(*, actor: Any, invoice: Invoice) -> Invoice:
    """Check the invoice against its contract and the work done: matched, or on hold with the
    reasons (Manage finance on the project)."""
    require(actor, Action.MANAGE_FINANCE, invoice)
    if invoice.status not in CHECKABLE:
        raise _status_error(invoice, gettext("checked again"))
    return _run_check(invoice, actor)


invoice_recheck = invoice_check


def invoices_recheck_held(*, contract: Contract, actor: Any = None) -> list[Invoice]:
    """Check again the contract's invoices on hold (after a deliverable was accepted)."""
    held = Invoice.objects.filter(contract=contract, status=InvoiceStatus.ON_HOLD).select_related(
        "contract", "supplier"
    )
    return [_run_check(invoice, actor) for invoice in held]


def _require_approver(actor: Any, invoice: Invoice) -> None:
    require(actor, Action.MANAGE_FINANCE, invoice)
    if not can(actor, Action.APPROVE, invoice):
        _forbid()


def _write_costs(invoice: Invoice, actor: Any) -> None:
    contract = invoice.contract
    if contract is not None and contract.kind == ContractKind.TIME_AND_MATERIALS:
        return
    lines = _lines(invoice)
    if not lines:
        return
    ensure_open([invoice.issue_date])
    category = CostCategory.objects.filter(code__iexact=EXTERNAL_CATEGORY).first()
    ActualCost.objects.bulk_create(
        ActualCost(
            project_id=invoice.project_id,
            task=line.milestone.task if line.milestone is not None else None,
            category=category,
            incurred_on=invoice.issue_date,
            amount=line.amount,
            currency=invoice.currency,
            source=ActualCostSource.INVOICE,
            reference=invoice.number[:100],
            description=line.description[:255],
            supplier_id=invoice.supplier_id,
            invoice=invoice,
            created_by=acting_user(actor),
        )
        for line in lines
    )


def _remove_costs(invoice: Invoice) -> None:
    rows = ActualCost.objects.filter(invoice=invoice)
    dates = list(rows.values_list("incurred_on", flat=True))
    if dates:
        ensure_open(dates)
        rows.delete()


def _set_status(invoice: Invoice, actor: Any, status: str, **changes: Any) -> Invoice:
    return update_audited(actor=actor, instance=invoice, changes={"status": status, **changes})


@transaction.atomic
def invoice_approve(*, actor: Any, invoice: Invoice, comment: str = "") -> Invoice:
    """Approve for payment: a matched invoice; a held or disputed one only with a comment
    saying why it is approved anyway (an override kept in the thread). Writes the ledger's
    actual cost of its fixed-price lines and of an invoice without contract."""
    _require_approver(actor, invoice)
    comment = comment.strip()
    if invoice.status in (InvoiceStatus.ON_HOLD, InvoiceStatus.DISPUTED, InvoiceStatus.RECEIVED):
        if not comment:
            raise ValidationError(
                {
                    "comment": gettext(
                        "Invoice %(number)s is %(status)s: say why it is approved anyway."
                    )
                    % {"number": invoice.number, "status": invoice.get_status_display().lower()}
                },
                code="comment_required",
            )
        text = gettext("Approved despite the hold: %(comment)s") % {"comment": comment}
    elif invoice.status == InvoiceStatus.MATCHED:
        text = comment or gettext("Approved.")
    else:
        raise _status_error(invoice, gettext("approved"))
    _write_costs(invoice, actor)
    _set_status(
        invoice,
        actor,
        InvoiceStatus.APPROVED,
        approved_by=acting_user(actor),
        approved_at=timezone.now(),
    )
    _event(invoice, actor, text, InvoiceStatus.APPROVED)
    return invoice


@transaction.atomic
def invoice_hold(*, actor: Any, invoice: Invoice, reason: str, comment: str) -> Invoice:
    """Put the invoice on hold by hand for a reason (one of the hold reasons) and a comment;
    the reason stays until the invoice is approved."""
    require(actor, Action.MANAGE_FINANCE, invoice)
    errors: dict[str, list[str]] = {}
    if reason not in HoldReason.values:
        errors["reason"] = [
            gettext("Unknown hold reason '%(reason)s'; use one of %(known)s.")
            % {"reason": reason, "known": ", ".join(HoldReason.values)}
        ]
    if not comment.strip():
        errors["comment"] = [gettext("Say why the invoice is held.")]
    if errors:
        raise ValidationError(errors)
    if invoice.status == InvoiceStatus.PAID:
        raise _status_error(invoice, gettext("held"))
    if invoice.status == InvoiceStatus.APPROVED:
        _remove_costs(invoice)
    reasons = [
        *invoice.hold_reasons,
        {"code": reason, "message": comment.strip(), "line": None, "manual": True},
    ]
    _set_status(invoice, actor, InvoiceStatus.ON_HOLD, hold_reasons=reasons)
    _event(
        invoice,
        actor,
        gettext("Held (%(reason)s): %(comment)s")
        % {"reason": HoldReason(reason).label, "comment": comment.strip()},
        InvoiceStatus.ON_HOLD,
    )
    return invoice


@transaction.atomic
def invoice_dispute(*, actor: Any, invoice: Invoice, comment: str) -> Invoice:
    """Dispute the invoice with the supplier; the comment (required) opens or goes on with
    the thread. A disputed invoice no longer counts in the contract's billed-to-date."""
    require(actor, Action.MANAGE_FINANCE, invoice)
    if not comment.strip():
        raise ValidationError({"comment": gettext("Say what is disputed.")})
    if invoice.status == InvoiceStatus.PAID:
        raise _status_error(invoice, gettext("disputed"))
    if invoice.status == InvoiceStatus.APPROVED:
        _remove_costs(invoice)
    if invoice.status != InvoiceStatus.DISPUTED:
        _set_status(invoice, actor, InvoiceStatus.DISPUTED)
    _event(invoice, actor, comment.strip(), InvoiceStatus.DISPUTED)
    return invoice


@transaction.atomic
def invoice_comment(*, actor: Any, invoice: Invoice, text: str) -> InvoiceEvent:
    """Add a message to the invoice's thread (anyone who may see the invoice)."""
    require(actor, Action.VIEW, invoice)
    if not text.strip():
        raise ValidationError({"text": gettext("Write a comment.")})
    return _event(invoice, actor, text.strip())


@transaction.atomic
def invoice_pay(
    *, actor: Any, invoice: Invoice, paid_on: dt.date, payment_reference: str = ""
) -> Invoice:
    """Record the payment of an approved invoice."""
    require(actor, Action.MANAGE_FINANCE, invoice)
    if invoice.status != InvoiceStatus.APPROVED:
        raise _status_error(invoice, gettext("paid (approve it first)"))
    if paid_on is None:
        raise ValidationError({"paid_on": gettext("Give the payment date.")})
    if paid_on < invoice.issue_date:
        raise ValidationError(
            {"paid_on": gettext("The payment date is before the invoice was issued.")}
        )
    _set_status(
        invoice,
        actor,
        InvoiceStatus.PAID,
        paid_on=paid_on,
        payment_reference=payment_reference.strip()[:100],
    )
    _event(
        invoice,
        actor,
        gettext("Paid on %(date)s%(reference)s.")
        % {
            "date": paid_on.isoformat(),
            "reference": f" ({payment_reference.strip()})" if payment_reference.strip() else "",
        },
        InvoiceStatus.PAID,
    )
    return invoice


@transaction.atomic
def invoice_delete(*, actor: Any, invoice: Invoice) -> None:
    """Delete an invoice registered by mistake: only while received or on hold."""
    require(actor, Action.MANAGE_FINANCE, invoice)
    if invoice.status not in (InvoiceStatus.RECEIVED, InvoiceStatus.ON_HOLD):
        raise _status_error(invoice, gettext("deleted"))
    delete_audited(actor=actor, instance=invoice)


# Funding check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingFlag:
    """An upcoming payment milestone the remaining approved budget does not cover."""

    milestone: PaymentMilestone
    contract: Contract
    due_date: dt.date
    amount: Decimal
    currency: str
    cumulative: Decimal
    remaining_budget: Decimal
    shortfall: Decimal

    @property
    def message(self) -> str:
        return gettext(
            "'%(milestone)s' (%(contract)s) due %(date)s for %(amount)s %(currency)s: the "
            "payments due by then total %(cumulative)s, beyond the remaining budget of "
            "%(remaining)s by %(shortfall)s %(currency)s"
        ) % {
            "milestone": self.milestone.name,
            "contract": self.contract.number,
            "date": self.due_date.isoformat(),
            "amount": matching.format_money(self.amount),
            "currency": self.currency,
            "cumulative": matching.format_money(self.cumulative),
            "remaining": matching.format_money(self.remaining_budget),
            "shortfall": matching.format_money(self.shortfall),
        }


def _approved_budget(project: Project, table: RateTable, today: dt.date) -> Decimal | None:
    budget = (
        Budget.objects.filter(
            project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
        )
        .order_by("-number", "-pk")
        .first()
    )
    if budget is None:
        return project.budget
    total = budget.lines.aggregate(total=Sum("amount"))["total"] or ZERO
    converted = _convert(table, total, budget.currency, project.currency, today)
    return converted if converted is not None else total


def _actual_to_date(project: Project, table: RateTable, today: dt.date) -> Decimal:
    total = ZERO
    rows = ActualCost.objects.filter(project=project, incurred_on__lte=today).values_list(
        "amount", "currency", "incurred_on"
    )
    by_key: dict[tuple[str, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for amount, currency, day in rows:
        by_key[(currency, day)] += amount
    for (currency, day), amount in by_key.items():
        converted = _convert(table, amount, currency, project.currency, day)
        total += converted if converted is not None else ZERO
    return total


def funding_check(project: Project, *, today: dt.date | None = None) -> list[FundingFlag]:
    """The upcoming payment milestones (due today or later, not invoiced yet) of the project's
    contracts, in due order, whose cumulative amount exceeds the remaining approved budget:
    the current approved budget (else the project's budget) less the actual cost to date."""
    day = today or timezone.localdate()
    table = rate_table()
    budget = _approved_budget(project, table, day)
    if budget is None:
        return []
    remaining = budget - _actual_to_date(project, table, day)
    invoiced = InvoiceLine.objects.filter(milestone__isnull=False).exclude(
        invoice__status=InvoiceStatus.DISPUTED
    )
    milestones = (
        PaymentMilestone.objects.filter(contract__project=project, due_date__gte=day)
        .exclude(pk__in=invoiced.values("milestone_id"))
        .select_related("contract")
        .order_by("due_date", "pk")
    )
    flags: list[FundingFlag] = []
    cumulative = ZERO
    for milestone in milestones:
        assert milestone.due_date is not None
        amount = _convert(
            table, milestone.amount, milestone.contract.currency, project.currency, day
        )
        if amount is None:
            amount = milestone.amount
        cumulative += amount
        if cumulative > remaining:
            flags.append(
                FundingFlag(
                    milestone=milestone,
                    contract=milestone.contract,
                    due_date=milestone.due_date,
                    amount=amount,
                    currency=project.currency,
                    cumulative=cumulative,
                    remaining_budget=remaining,
                    shortfall=cumulative - remaining,
                )
            )
    return flags


# Billed against earned ----------------------------------------------------------------------


@dataclass(frozen=True)
class BilledVsEarned:
    """Month by month, cumulative: what the supplier billed (invoices not disputed, net, in the
    contract's currency) and the value of the accepted work."""

    currency: str
    months: list[dt.date]
    billed: list[Decimal]
    earned: list[Decimal]

    def rows(self) -> list[tuple[dt.date, Decimal, Decimal]]:
        return list(zip(self.months, self.billed, self.earned, strict=True))


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _earned_events(contract: Contract, tolerances: Tolerances) -> list[tuple[dt.date, Decimal]]:
    if contract.kind == ContractKind.TIME_AND_MATERIALS:
        return _time_value_by_day(contract)
    events = []
    for milestone in contract.milestones.select_related("task", "deliverable"):
        evidence = _milestone_evidence(milestone)
        if not evidence.is_earned(tolerances):
            continue
        deliverable, task = milestone.deliverable, milestone.task
        when: dt.date | None = None
        if deliverable is not None and deliverable.decided_at is not None:
            when = timezone.localtime(deliverable.decided_at).date()
        elif task is not None and task.actual_finish is not None:
            when = task.actual_finish.date()
        events.append((when or milestone.due_date or timezone.localdate(), milestone.amount))
    return events


def billed_vs_earned(contract: Contract, *, until: dt.date | None = None) -> BilledVsEarned:
    """The contract's cumulative billed and earned amounts at the end of each month, from the
    first month with either to ``until`` (today by default, or the last month with data)."""
    table = rate_table()
    billed_events: list[tuple[dt.date, Decimal]] = []
    for amount, currency, issued in (
        Invoice.objects.filter(contract=contract)
        .exclude(status=InvoiceStatus.DISPUTED)
        .values_list("net_amount", "currency", "issue_date")
    ):
        converted = _convert(table, amount, currency, contract.currency, issued)
        if converted is not None:
            billed_events.append((issued, converted))
    earned_events = _earned_events(contract, _tolerances())
    days = [day for day, _ in billed_events + earned_events]
    if not days:
        return BilledVsEarned(contract.currency, [], [], [])
    first = _month(min(days))
    last = _month(max([*days, until or timezone.localdate()]))
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _next_month(month)

    def cumulative(events: Iterable[tuple[dt.date, Decimal]]) -> list[Decimal]:
        per_month: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
        for day, amount in events:
            per_month[_month(day)] += amount
        running, values = ZERO, []
        for month in months:
            running += per_month.get(month, ZERO)
            values.append(quantize_money(running))
        return values

    return BilledVsEarned(
        contract.currency, months, cumulative(billed_events), cumulative(earned_events)
    )


def contract_invoices(contract: Contract) -> QuerySet[Invoice]:
    return contract.invoices.select_related("supplier").order_by("issue_date", "pk")


def contract_detail_data(contract: Contract) -> dict[str, Any]:
    """The parts of a contract's page, each read once."""
    deliverables = list(contract.deliverables.select_related("task", "decided_by"))
    milestones = list(contract.milestones.select_related("task", "deliverable"))
    tolerances = _tolerances()
    billed_lines = defaultdict(list)
    for milestone_id, number, invoice_id in (
        InvoiceLine.objects.filter(milestone__contract=contract)
        .exclude(invoice__status=InvoiceStatus.DISPUTED)
        .values_list("milestone_id", "invoice__number", "invoice_id")
    ):
        billed_lines[milestone_id].append((number, invoice_id))
    milestone_rows = [
        {
            "milestone": milestone,
            "evidence": _milestone_evidence(milestone),
            "earned": _milestone_evidence(milestone).is_earned(tolerances),
            "invoices": billed_lines.get(milestone.pk, []),
        }
        for milestone in milestones
    ]
    return {
        "deliverables": deliverables,
        "milestones": milestone_rows,
        "rates": list(contract.rates.select_related("resource", "role")),
        "orders": list(contract.orders.all()),
        "invoices": list(contract_invoices(contract)),
        "accepted_to_date": _accepted_to_date(contract, tolerances),
    }


def lines_with_prefetch() -> Prefetch[Any]:
    """Prefetch of invoice lines for lists that show them."""
    return Prefetch("lines", queryset=InvoiceLine.objects.order_by("position"))


def resource_choices(project: Project) -> QuerySet[Resource]:
    """People who may appear on a time-and-materials line: the organisation's resources."""
    return Resource.objects.filter(is_active=True).order_by("name")
