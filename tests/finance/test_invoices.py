"""Invoices on a real database: registered, checked, held, accepted, approved and paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotage.core.errors import ForbiddenError
from pilotage.finance import contracts, invoices
from pilotage.finance.currency import finance_settings
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetLine,
    BudgetStatus,
    CostCategory,
    HoldReason,
    InvoiceStatus,
    PeriodLock,
)
from tests.finance import factories_contracts as f
from tests.world import World

pytestmark = pytest.mark.django_db


def _codes(invoice: object) -> list[str]:
    return [reason["code"] for reason in invoice.hold_reasons]  # type: ignore[attr-defined]


def test_register_computes_amounts_and_records_the_receipt(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    invoice = f.register(
        world,
        setup,
        [
            f.milestone_line(setup.design, quantity=Decimal("1"), unit_price=Decimal("20000")),
        ],
    )
    assert invoice.net_amount == Decimal("20000.00")
    assert invoice.tax_amount == Decimal("4000.00")
    assert invoice.total_amount == Decimal("24000.00")
    assert invoice.status == InvoiceStatus.MATCHED
    assert invoice.hold_reasons == []
    statuses = list(invoice.events.values_list("status", flat=True))
    assert statuses == [InvoiceStatus.RECEIVED, InvoiceStatus.MATCHED]


def test_amounts_are_rounded_to_the_cent(world: World) -> None:
    setup = f.fixed_price(world)
    invoice = f.register(
        world,
        setup,
        [
            f.milestone_line(
                setup.design,
                quantity=Decimal("3"),
                unit_price=Decimal("0.335"),
                tax_rate=Decimal("5.5"),
            )
        ],
    )
    assert invoice.net_amount == Decimal("1.01")
    assert invoice.tax_amount == Decimal("0.06")


def test_from_receipt_to_payment(world: World) -> None:
    """Held until the deliverable is accepted, then matched by the automatic re-check,
    approved (writing the ledger's actual cost) and paid."""
    setup = f.fixed_price(world)
    invoice = f.register(world, setup, [f.milestone_line(setup.go_live)])
    assert invoice.status == InvoiceStatus.ON_HOLD
    messages = [reason["message"] for reason in invoice.hold_reasons]
    assert (
        "Line 1 bills 'Go-live' but its deliverable 'Go-live acceptance' is not accepted"
        in messages
    )
    assert (
        "Billed to date 24,000.00 EUR exceeds the value of accepted work to date 0.00 EUR "
        "by 24,000.00 EUR" in messages
    )
    contracts.deliverable_accept(
        actor=world.project_manager, deliverable=setup.go_live_acceptance, note="Live since Monday"
    )
    setup.go_live_acceptance.refresh_from_db()
    assert setup.go_live_acceptance.decided_by == world.project_manager
    assert setup.go_live_acceptance.decided_at is not None
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.MATCHED
    assert invoice.hold_reasons == []

    invoices.invoice_approve(actor=world.finance, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    assert invoice.approved_by == world.finance
    costs = list(ActualCost.objects.filter(invoice=invoice))
    assert [(c.amount, c.currency, c.incurred_on, c.source) for c in costs] == [
        (Decimal("24000.00"), "EUR", f.ISSUED, ActualCostSource.INVOICE)
    ]
    assert costs[0].supplier == setup.supplier

    invoices.invoice_pay(
        actor=world.finance,
        invoice=invoice,
        paid_on=dt.date(2026, 11, 2),
        payment_reference="PAY-9",
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.paid_on == dt.date(2026, 11, 2)
    assert list(invoice.events.values_list("status", flat=True)) == [
        InvoiceStatus.RECEIVED,
        InvoiceStatus.ON_HOLD,
        InvoiceStatus.MATCHED,
        InvoiceStatus.APPROVED,
        InvoiceStatus.PAID,
    ]


def test_duplicate_number_is_recorded_but_held(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    first = f.register(world, setup, [f.milestone_line(setup.design)])
    second = f.register(
        world,
        setup,
        [f.milestone_line(setup.build, unit_price=Decimal("1"))],
        received_on=dt.date(2026, 10, 20),
    )
    assert second.pk != first.pk
    assert second.status == InvoiceStatus.ON_HOLD
    duplicate = [r for r in second.hold_reasons if r["code"] == HoldReason.DUPLICATE_NUMBER]
    assert duplicate[0]["message"] == (
        f"Number F-2026-031 was already registered on 2026-10-03 (invoice #{first.pk})"
    )


def test_milestone_billed_twice_is_over_billed(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    f.register(world, setup, [f.milestone_line(setup.design)], number="F-1")
    again = f.register(world, setup, [f.milestone_line(setup.design)], number="F-2")
    assert HoldReason.OVER_BILLED in _codes(again)
    assert "Line 1 bills 'Design', already billed on invoice F-1" in [
        r["message"] for r in again.hold_reasons
    ]


def test_milestone_task_ninety_percent_done_is_enough(world: World) -> None:
    setup = f.fixed_price(world)
    setup.build_task.__class__.objects.filter(pk=setup.build_task.pk).update(percent_complete=85)
    held = f.register(world, setup, [f.milestone_line(setup.build)], number="F-1")
    assert "Line 1 bills 'Build' but its task 'Build' is 85 % complete (90 % needed)" in [
        r["message"] for r in held.hold_reasons
    ]
    setup.build_task.__class__.objects.filter(pk=setup.build_task.pk).update(percent_complete=90)
    checked = invoices.invoice_check(actor=world.finance, invoice=held)
    assert checked.status == InvoiceStatus.MATCHED


def test_rate_differs_and_missing_time(world: World) -> None:
    setup = f.time_and_materials(world)
    f.approved_time(setup.person, world.project, dt.date(2026, 9, 7), 5)
    invoice = invoices.invoice_register(
        actor=world.admin,
        supplier=setup.supplier,
        project=world.project,
        contract=setup.contract,
        number="N-1",
        issue_date=dt.date(2026, 10, 1),
        received_on=dt.date(2026, 10, 1),
        currency="EUR",
        lines=[
            {
                "description": "Development, September",
                "resource": setup.person,
                "period_start": dt.date(2026, 9, 1),
                "period_end": dt.date(2026, 9, 30),
                "quantity": Decimal("10"),
                "unit_price": Decimal("950"),
            }
        ],
    )
    messages = [r["message"] for r in invoice.hold_reasons]
    assert (
        "Line 1 charges 950.00 per day; the contract rate for Yanis Haddad is 850.00 per day"
        in messages
    )
    assert (
        "Line 1 bills 80 hours of Yanis Haddad from 2026-09-01 to 2026-09-30 (10 by the day) "
        "but the "
        "approved timesheets show 40 hours" in messages
    )
    # Five approved days valued at 850: 4,250 of accepted work against 9,500 billed.
    assert (
        "Billed to date 9,500.00 EUR exceeds the value of accepted work to date 4,250.00 EUR "
        "by 5,250.00 EUR" in messages
    )


def test_time_and_materials_matched_writes_no_actual_cost(world: World) -> None:
    setup = f.time_and_materials(world)
    f.approved_time(setup.person, world.project, dt.date(2026, 9, 7), 5)
    invoice = invoices.invoice_register(
        actor=world.admin,
        supplier=setup.supplier,
        project=world.project,
        contract=setup.contract,
        number="N-2",
        issue_date=dt.date(2026, 10, 1),
        received_on=dt.date(2026, 10, 1),
        currency="EUR",
        lines=[
            {
                "description": "Development",
                "rate_line": setup.rate,
                "period_start": dt.date(2026, 9, 1),
                "period_end": dt.date(2026, 9, 30),
                "quantity": Decimal("5"),
                "unit_price": Decimal("850"),
            }
        ],
    )
    assert invoice.status == InvoiceStatus.MATCHED, invoice.hold_reasons
    invoices.invoice_approve(actor=world.admin, invoice=invoice)
    assert not ActualCost.objects.filter(invoice=invoice).exists()


def test_currency_without_rate(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    invoice = f.register(
        world,
        setup,
        [f.milestone_line(setup.design)],
        currency="USD",
        issue_date=dt.date(2026, 11, 3),
        received_on=dt.date(2026, 11, 3),
        due_date=None,
    )
    assert "No exchange rate from USD to EUR on 2026-11-03" in [
        r["message"] for r in invoice.hold_reasons
    ]
    f.rate("USD", dt.date(2026, 1, 1), "0.9")
    checked = invoices.invoice_check(actor=world.admin, invoice=invoice)
    assert HoldReason.CURRENCY_WITHOUT_RATE not in _codes(checked)


def test_bad_input_is_refused_with_clear_messages(world: World) -> None:
    setup = f.fixed_price(world)
    with pytest.raises(ValidationError) as caught:
        f.register(
            world, setup, [f.milestone_line(setup.design, unit_price=Decimal("-5"))], currency="XYZ"
        )
    text = " ".join(caught.value.messages)
    assert "Line 1: the unit price cannot be negative (-5)." in text
    assert "Unknown currency 'XYZ'" in text
    with pytest.raises(ValidationError, match="Unknown supplier 'NOPE'"):
        contracts.supplier_by_code("NOPE")


def test_contract_of_another_project_or_supplier(world: World) -> None:
    setup = f.fixed_price(world)
    other = f.supplier(world, "OTHER", "Other Ltd")
    with pytest.raises(ValidationError) as caught:
        invoices.invoice_register(
            actor=world.admin,
            supplier=other,
            project=world.sibling_project,
            contract=setup.contract,
            number="X",
            issue_date=f.ISSUED,
            received_on=f.ISSUED,
            currency="EUR",
            lines=[f.milestone_line(setup.design)],
        )
    text = " ".join(caught.value.messages)
    assert "another project" in text
    assert "another supplier" in text


def test_without_contract_is_held_for_no_evidence(world: World) -> None:
    acme = f.supplier(world)
    invoice = invoices.invoice_register(
        actor=world.admin,
        supplier=acme,
        project=world.project,
        number="S-1",
        issue_date=f.ISSUED,
        received_on=f.ISSUED,
        currency="EUR",
        lines=[{"description": "Licences", "quantity": Decimal(2), "unit_price": Decimal(100)}],
    )
    assert _codes(invoice) == [HoldReason.NO_EVIDENCE]
    with pytest.raises(ValidationError, match="say why"):
        invoices.invoice_approve(actor=world.admin, invoice=invoice)
    invoices.invoice_approve(actor=world.admin, invoice=invoice, comment="Licences received")
    assert ActualCost.objects.get(invoice=invoice).amount == Decimal("200.00")
    assert invoice.events.last().text == "Approved despite the hold: Licences received"


def test_approval_rights_and_locked_period(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    invoice = f.register(world, setup, [f.milestone_line(setup.design)])
    with pytest.raises(ForbiddenError):
        invoices.invoice_approve(actor=world.project_manager, invoice=invoice)
    PeriodLock.objects.create(start=dt.date(2026, 10, 1), finish=dt.date(2026, 10, 31))
    with pytest.raises(ValidationError, match="locked period"):
        invoices.invoice_approve(actor=world.finance, invoice=invoice)


def test_hold_dispute_comment_and_delete(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    invoice = f.register(world, setup, [f.milestone_line(setup.design)])
    invoices.invoice_approve(actor=world.admin, invoice=invoice)
    invoices.invoice_hold(
        actor=world.finance, invoice=invoice, reason="over_billed", comment="Check the scope"
    )
    assert invoice.status == InvoiceStatus.ON_HOLD
    assert not ActualCost.objects.filter(invoice=invoice).exists()
    # A manual hold survives a re-check.
    invoices.invoice_check(actor=world.finance, invoice=invoice)
    assert invoice.status == InvoiceStatus.ON_HOLD
    with pytest.raises(ValidationError):
        invoices.invoice_dispute(actor=world.finance, invoice=invoice, comment=" ")
    invoices.invoice_dispute(actor=world.finance, invoice=invoice, comment="Scope was reduced")
    assert invoice.status == InvoiceStatus.DISPUTED
    invoices.invoice_comment(actor=world.viewer, invoice=invoice, text="Supplier called")
    texts = list(invoice.events.values_list("text", flat=True))
    assert texts[-2:] == ["Scope was reduced", "Supplier called"]
    with pytest.raises(ValidationError, match="cannot be paid"):
        invoices.invoice_pay(actor=world.admin, invoice=invoice, paid_on=dt.date(2026, 11, 1))
    with pytest.raises(ValidationError, match="cannot be deleted"):
        invoices.invoice_delete(actor=world.admin, invoice=invoice)


def test_tolerances_come_from_the_settings(world: World) -> None:
    settings = finance_settings()
    settings.invoice_rate_tolerance_percent = Decimal(15)
    settings.save()
    setup = f.time_and_materials(world)
    f.approved_time(setup.person, world.project, dt.date(2026, 9, 7), 5)
    invoice = invoices.invoice_register(
        actor=world.admin,
        supplier=setup.supplier,
        project=world.project,
        contract=setup.contract,
        number="N-3",
        issue_date=dt.date(2026, 10, 1),
        received_on=dt.date(2026, 10, 1),
        currency="EUR",
        lines=[
            {
                "description": "Development",
                "rate_line": setup.rate,
                "quantity": Decimal("4"),
                "unit_price": Decimal("950"),
            }
        ],
    )
    assert HoldReason.RATE_DIFFERS not in _codes(invoice)


def test_funding_check_flags_milestones_beyond_the_remaining_budget(world: World) -> None:
    setup = f.fixed_price(world)
    budget = Budget.objects.create(
        project=world.project,
        kind=BudgetKind.APPROVED,
        status=BudgetStatus.APPROVED,
        currency="EUR",
    )
    category = CostCategory.objects.create(code="SERV", name="Services")
    BudgetLine.objects.create(
        budget=budget, category=category, month=dt.date(2026, 1, 1), amount=Decimal("50000")
    )
    ActualCost.objects.create(
        project=world.project,
        incurred_on=dt.date(2026, 6, 1),
        amount=Decimal("15000"),
        currency="EUR",
        source=ActualCostSource.EXPENSE,
    )
    flags = invoices.funding_check(world.project, today=dt.date(2026, 10, 1))
    # Remaining 35,000: Build (16,000) fits, Go-live (24,000 more, 40,000 in all) does not.
    assert [(flag.milestone, flag.shortfall) for flag in flags] == [
        (setup.go_live, Decimal("5000.00"))
    ]
    assert flags[0].remaining_budget == Decimal("35000.00")
    assert "by 5,000.00 EUR" in flags[0].message


def test_billed_vs_earned_by_month(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    f.register(world, setup, [f.milestone_line(setup.design)], number="F-1")
    f.register(
        world,
        setup,
        [f.milestone_line(setup.go_live)],
        number="F-2",
        issue_date=dt.date(2026, 11, 5),
        received_on=dt.date(2026, 11, 5),
        due_date=None,
    )
    series = invoices.billed_vs_earned(setup.contract, until=dt.date(2026, 11, 30))
    rows = {month: (billed, earned) for month, billed, earned in series.rows()}
    assert rows[dt.date(2026, 10, 1)][0] == Decimal("20000.00")
    assert rows[dt.date(2026, 11, 1)][0] == Decimal("44000.00")
    assert rows[dt.date(2026, 11, 1)][1] == Decimal("20000.00")
