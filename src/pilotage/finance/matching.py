"""The rules that check a supplier's invoice against its contract and the work done.

Pure functions over plain dataclasses: the invoice service gathers the evidence from the
database (milestones and their deliverables or tasks, rate-card lines and approved timesheet
hours, earlier invoices, exchange rates) and calls :func:`check_invoice`, which returns the
reasons to hold the invoice, each with a sentence naming the figures. No reason: the invoice
matches.

The rules:

- a fixed-price line bills a payment milestone of the contract whose work is done: its
  deliverable accepted (100 % done), or, without a deliverable, its task at least
  ``work_done_percent`` complete (a finished task is 100 %); a milestone billed by another
  invoice that is not disputed is over-billed;
- a time-and-materials line bills a rate of the contract at that rate (within
  ``rate_percent``), for no more time than the approved timesheets of that person on the
  project in the line's period show (at least ``work_done_percent`` of the time billed);
- billed-to-date on the contract (this invoice and the earlier ones not disputed) may exceed
  the value of the accepted work to date by ``overbilling_percent`` at most;
- an invoice in another currency than its contract's (or than the reporting currency, without
  a contract) needs an exchange rate on its issue date;
- an invoice without a contract has nothing to be checked against, and a number the supplier
  already used on another invoice is a duplicate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

__all__ = [
    "CURRENCY_WITHOUT_RATE",
    "DUPLICATE_NUMBER",
    "NO_EVIDENCE",
    "OVER_BILLED",
    "RATE_DIFFERS",
    "CheckResult",
    "DuplicateEvidence",
    "Finding",
    "InvoiceEvidence",
    "LineEvidence",
    "MilestoneEvidence",
    "RateEvidence",
    "Tolerances",
    "check_invoice",
    "format_money",
    "format_quantity",
]

# The codes of pilotage.finance.models.HoldReason.
OVER_BILLED = "over_billed"
NO_EVIDENCE = "no_evidence"
DUPLICATE_NUMBER = "duplicate_number"
RATE_DIFFERS = "rate_differs"
CURRENCY_WITHOUT_RATE = "currency_without_rate"

FIXED_PRICE = "fixed_price"
TIME_AND_MATERIALS = "time_materials"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def format_money(amount: Decimal) -> str:
    """An amount with two decimals and a comma between thousands.

    >>> format_money(Decimal("48000"))
    '48,000.00'
    """
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def format_quantity(value: Decimal) -> str:
    """A quantity without trailing zeros.

    >>> format_quantity(Decimal("10.5000")), format_quantity(Decimal("80.00"))
    ('10.5', '80')
    """
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Tolerances:
    """The organisation's tolerances, in percent (see ``FinanceSettings``)."""

    work_done_percent: Decimal = Decimal(90)
    overbilling_percent: Decimal = Decimal(0)
    rate_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class MilestoneEvidence:
    """A payment milestone and what shows its work is done."""

    name: str
    amount: Decimal
    deliverable_name: str | None = None
    deliverable_accepted: bool = False
    task_name: str | None = None
    task_percent_complete: Decimal | None = None
    task_finished: bool = False
    # Numbers of the other invoices (not disputed) that bill this milestone too.
    billed_on: tuple[str, ...] = ()

    @property
    def done_percent(self) -> Decimal:
        """How far its work is done: 100 for an accepted deliverable or a finished task, the
        task's percent complete otherwise, 0 without evidence or with a deliverable pending."""
        if self.deliverable_name is not None:
            return HUNDRED if self.deliverable_accepted else Decimal(0)
        if self.task_name is not None:
            if self.task_finished:
                return HUNDRED
            return self.task_percent_complete or Decimal(0)
        return Decimal(0)

    def is_earned(self, tolerances: Tolerances) -> bool:
        """Whether its amount counts as accepted work (the work done far enough)."""
        has_evidence = self.deliverable_name is not None or self.task_name is not None
        return has_evidence and self.done_percent >= tolerances.work_done_percent


@dataclass(frozen=True)
class RateEvidence:
    """A time-and-materials rate and the approved time of the person a line bills."""

    person: str
    rate: Decimal
    unit_label: str
    hours_per_unit: Decimal
    # Approved timesheet hours of the person on the project in the line's period; None when
    # the line names no person whose time could be looked up.
    approved_hours: Decimal | None = None


@dataclass(frozen=True)
class LineEvidence:
    """An invoice line with the contract line it was matched to."""

    position: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    milestone: MilestoneEvidence | None = None
    rate: RateEvidence | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


@dataclass(frozen=True)
class DuplicateEvidence:
    """Another invoice of the same supplier with the same number."""

    invoice_id: int
    number: str
    registered_on: dt.date


@dataclass(frozen=True)
class InvoiceEvidence:
    """Everything the check needs to know about one invoice."""

    number: str
    currency: str
    issue_date: dt.date
    lines: tuple[LineEvidence, ...] = ()
    contract_kind: str | None = None
    contract_currency: str | None = None
    reporting_currency: str = "EUR"
    # Whether the invoice's currency converts to the contract's (or the reporting) currency on
    # its issue date.
    has_exchange_rate: bool = True
    duplicates: tuple[DuplicateEvidence, ...] = ()
    # In the contract's currency; None when they could not be computed (a missing rate).
    billed_to_date: Decimal | None = None
    accepted_to_date: Decimal | None = None


@dataclass(frozen=True)
class Finding:
    """A reason to hold an invoice: its code, a sentence, and the line it is about (if any)."""

    code: str
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "line": self.line}


@dataclass(frozen=True)
class CheckResult:
    """The reasons found; none means the invoice matches its contract and the work done."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def clear(self) -> bool:
        return not self.findings

    def codes(self) -> list[str]:
        return [finding.code for finding in self.findings]


def _milestone_findings(
    line: LineEvidence, tolerances: Tolerances, billed_here: dict[str, int]
) -> list[Finding]:
    milestone = line.milestone
    if milestone is None:
        return [
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills '%(description)s' but names no payment milestone of "
                    "the contract"
                )
                % {"line": line.position, "description": line.description},
                line.position,
            )
        ]
    found: list[Finding] = []
    values = {"line": line.position, "milestone": milestone.name}
    if milestone.deliverable_name is not None and not milestone.deliverable_accepted:
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills '%(milestone)s' but its deliverable '%(deliverable)s' "
                    "is not accepted"
                )
                % {**values, "deliverable": milestone.deliverable_name},
                line.position,
            )
        )
    elif milestone.deliverable_name is None and milestone.task_name is None:
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills '%(milestone)s' but the milestone has neither a "
                    "deliverable nor a task to show its work is done"
                )
                % values,
                line.position,
            )
        )
    elif milestone.deliverable_name is None and not milestone.is_earned(tolerances):
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills '%(milestone)s' but its task '%(task)s' is "
                    "%(done)s %% complete (%(needed)s %% needed)"
                )
                % {
                    **values,
                    "task": milestone.task_name,
                    "done": format_quantity(milestone.done_percent),
                    "needed": format_quantity(tolerances.work_done_percent),
                },
                line.position,
            )
        )
    if milestone.billed_on:
        found.append(
            Finding(
                OVER_BILLED,
                gettext("Line %(line)d bills '%(milestone)s', already billed on invoice %(other)s")
                % {**values, "other": ", ".join(milestone.billed_on)},
                line.position,
            )
        )
    elif milestone.name in billed_here:
        found.append(
            Finding(
                OVER_BILLED,
                gettext("Line %(line)d bills '%(milestone)s', already billed on line %(other)d")
                % {**values, "other": billed_here[milestone.name]},
                line.position,
            )
        )
    billed_here.setdefault(milestone.name, line.position)
    return found


def _rate_findings(line: LineEvidence, tolerances: Tolerances) -> list[Finding]:
    rate = line.rate
    if rate is None:
        return [
            Finding(
                NO_EVIDENCE,
                gettext("Line %(line)d bills '%(description)s' but matches no rate of the contract")
                % {"line": line.position, "description": line.description},
                line.position,
            )
        ]
    found: list[Finding] = []
    allowed = rate.rate * tolerances.rate_percent / HUNDRED
    if abs(line.unit_price - rate.rate) > allowed:
        found.append(
            Finding(
                RATE_DIFFERS,
                gettext(
                    "Line %(line)d charges %(price)s per %(unit)s; the contract rate for "
                    "%(person)s is %(rate)s per %(unit)s"
                )
                % {
                    "line": line.position,
                    "price": format_money(line.unit_price),
                    "unit": rate.unit_label,
                    "person": rate.person,
                    "rate": format_money(rate.rate),
                },
                line.position,
            )
        )
    billed_hours = line.quantity * rate.hours_per_unit
    if rate.approved_hours is None:
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills %(quantity)s %(unit)s of %(person)s but names no "
                    "person whose approved timesheets could show the work"
                )
                % {
                    "line": line.position,
                    "quantity": format_quantity(line.quantity),
                    "unit": rate.unit_label,
                    "person": rate.person,
                },
                line.position,
            )
        )
    elif rate.approved_hours < billed_hours * tolerances.work_done_percent / HUNDRED:
        if line.period_start and line.period_end:
            period = gettext(" from %(start)s to %(end)s") % {
                "start": line.period_start.isoformat(),
                "end": line.period_end.isoformat(),
            }
        else:
            period = ""
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext(
                    "Line %(line)d bills %(billed)s hours of %(person)s%(period)s (%(quantity)s "
                    "by the %(unit)s) but the approved timesheets show %(approved)s hours"
                )
                % {
                    "line": line.position,
                    "quantity": format_quantity(line.quantity),
                    "unit": rate.unit_label,
                    "billed": format_quantity(billed_hours),
                    "person": rate.person,
                    "period": period,
                    "approved": format_quantity(rate.approved_hours),
                },
                line.position,
            )
        )
    return found


def check_invoice(evidence: InvoiceEvidence, tolerances: Tolerances) -> CheckResult:
    """The reasons to hold an invoice, in the order a controller reads them.

    >>> line = LineEvidence(1, "Design", Decimal(1), Decimal(1000), Decimal(1000),
    ...     milestone=MilestoneEvidence("Design", Decimal(1000), "Design document", True))
    >>> evidence = InvoiceEvidence("F-1", "EUR", dt.date(2026, 10, 1), (line,),
    ...     contract_kind=FIXED_PRICE, contract_currency="EUR",
    ...     billed_to_date=Decimal(1000), accepted_to_date=Decimal(1000))
    >>> check_invoice(evidence, Tolerances()).clear
    True
    >>> late = MilestoneEvidence("Design", Decimal(1000), "Design document", False)
    >>> pending = InvoiceEvidence("F-1", "EUR", dt.date(2026, 10, 1),
    ...     (LineEvidence(1, "Design", Decimal(1), Decimal(1000), Decimal(1000), milestone=late),),
    ...     contract_kind=FIXED_PRICE, contract_currency="EUR",
    ...     billed_to_date=Decimal(1000), accepted_to_date=Decimal(0))
    >>> check_invoice(pending, Tolerances()).codes()
    ['no_evidence', 'over_billed']
    """
    found: list[Finding] = []
    for duplicate in evidence.duplicates:
        found.append(
            Finding(
                DUPLICATE_NUMBER,
                gettext("Number %(number)s was already registered on %(date)s (invoice #%(id)d)")
                % {
                    "number": duplicate.number,
                    "date": duplicate.registered_on.isoformat(),
                    "id": duplicate.invoice_id,
                },
            )
        )
    target = evidence.contract_currency or evidence.reporting_currency
    if evidence.currency != target and not evidence.has_exchange_rate:
        found.append(
            Finding(
                CURRENCY_WITHOUT_RATE,
                gettext("No exchange rate from %(source)s to %(target)s on %(date)s")
                % {
                    "source": evidence.currency,
                    "target": target,
                    "date": evidence.issue_date.isoformat(),
                },
            )
        )
    if evidence.contract_kind is None:
        found.append(
            Finding(
                NO_EVIDENCE,
                gettext("The invoice names no contract: there is no contract to check it against"),
            )
        )
        return CheckResult(tuple(found))
    billed_here: dict[str, int] = {}
    for line in evidence.lines:
        if evidence.contract_kind == FIXED_PRICE:
            found.extend(_milestone_findings(line, tolerances, billed_here))
        else:
            found.extend(_rate_findings(line, tolerances))
    billed, accepted = evidence.billed_to_date, evidence.accepted_to_date
    if billed is not None and accepted is not None:
        ceiling = accepted * (HUNDRED + tolerances.overbilling_percent) / HUNDRED
        if billed > ceiling:
            currency = evidence.contract_currency or evidence.currency
            found.append(
                Finding(
                    OVER_BILLED,
                    gettext(
                        "Billed to date %(billed)s %(currency)s exceeds the value of accepted "
                        "work to date %(accepted)s %(currency)s by %(excess)s %(currency)s"
                    )
                    % {
                        "billed": format_money(billed),
                        "accepted": format_money(accepted),
                        "excess": format_money(billed - accepted),
                        "currency": currency,
                    },
                )
            )
    return CheckResult(tuple(found))
