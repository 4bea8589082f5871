"""Suppliers, contracts and invoices for the tests of contracts and invoices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pilotage.accounts.permissions import Operator
from pilotage.finance import contracts, invoices
from pilotage.finance.models import (
    Contract,
    ContractKind,
    Deliverable,
    ExchangeRate,
    Invoice,
    PaymentMilestone,
    RateCardLine,
    Supplier,
    Timesheet,
    TimesheetEntry,
    TimesheetStatus,
)
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources import services as resources
from pilotage.resources.models import Resource
from tests.world import World

ISSUED = dt.date(2026, 10, 2)


def supplier(world: World, code: str = "ACME", name: str = "Acme Consulting") -> Supplier:
    return contracts.supplier_create(actor=world.admin, code=code, name=name)


def task(world: World, name: str, *, percent: float = 0, project: Project | None = None) -> Task:
    created = planning.task_create(
        actor=world.admin, project=project or world.project, name=name, duration_minutes=2400
    )
    Task.objects.filter(pk=created.pk).update(percent_complete=percent)
    created.refresh_from_db()
    return created


@dataclass
class FixedPrice:
    """A 60,000 EUR fixed-price contract of CRM with Acme: Design (20,000, deliverable
    "Design document"), Build (16,000, task "Build") and Go-live (24,000, deliverable "Go-live
    acceptance")."""

    supplier: Supplier
    contract: Contract
    design: PaymentMilestone
    build: PaymentMilestone
    go_live: PaymentMilestone
    design_document: Deliverable
    go_live_acceptance: Deliverable
    build_task: Task


def fixed_price(world: World, *, number: str = "C-100") -> FixedPrice:
    acme = Supplier.objects.filter(code="ACME").first() or supplier(world)
    contract = contracts.contract_create(
        actor=world.admin,
        project=world.project,
        supplier=acme,
        number=number,
        title="CRM integration",
        kind=ContractKind.FIXED_PRICE,
        currency="EUR",
        value=Decimal("60000"),
    )
    design_document = contracts.deliverable_create(
        actor=world.admin, contract=contract, name="Design document"
    )
    go_live_acceptance = contracts.deliverable_create(
        actor=world.admin, contract=contract, name="Go-live acceptance"
    )
    build_task = task(world, "Build")
    design = contracts.milestone_create(
        actor=world.admin,
        contract=contract,
        name="Design",
        amount=Decimal("20000"),
        due_date=dt.date(2026, 9, 30),
        deliverable=design_document,
    )
    build = contracts.milestone_create(
        actor=world.admin,
        contract=contract,
        name="Build",
        amount=Decimal("16000"),
        due_date=dt.date(2026, 10, 31),
        task=build_task,
    )
    go_live = contracts.milestone_create(
        actor=world.admin,
        contract=contract,
        name="Go-live",
        amount=Decimal("24000"),
        due_date=dt.date(2026, 12, 15),
        deliverable=go_live_acceptance,
    )
    return FixedPrice(
        acme, contract, design, build, go_live, design_document, go_live_acceptance, build_task
    )


@dataclass
class TimeAndMaterials:
    """A T&M contract of CRM with Nova: Yanis Haddad at 850 EUR a day."""

    supplier: Supplier
    contract: Contract
    person: Resource
    rate: RateCardLine


def time_and_materials(world: World) -> TimeAndMaterials:
    nova = supplier(world, "NOVA", "Nova Staffing")
    contract = contracts.contract_create(
        actor=world.admin,
        project=world.project,
        supplier=nova,
        number="C-200",
        title="CRM developers",
        kind=ContractKind.TIME_AND_MATERIALS,
        currency="EUR",
        value=Decimal("100000"),
    )
    person = resources.resource_create(actor=world.admin, name="Yanis Haddad")
    rate = contracts.rate_line_create(
        actor=world.admin, contract=contract, rate=Decimal("850"), unit="d", resource=person
    )
    return TimeAndMaterials(nova, contract, person, rate)


def approved_time(
    person: Resource, project: Project, monday: dt.date, days: int, minutes: int = 480
) -> Timesheet:
    """An approved timesheet of ``person``: ``days`` days of ``minutes`` from ``monday``."""
    work = Task.objects.filter(project=project, name="Development").first()
    if work is None:
        work = planning.task_create(
            actor=Operator(), project=project, name="Development", duration_minutes=2400
        )
    sheet = Timesheet.objects.create(
        resource=person, week_start=monday, status=TimesheetStatus.APPROVED
    )
    for offset in range(days):
        TimesheetEntry.objects.create(
            timesheet=sheet,
            project=project,
            task=work,
            date=monday + dt.timedelta(days=offset),
            minutes=minutes,
        )
    return sheet


def rate(currency: str, valid_from: dt.date, value: str) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency, valid_from=valid_from, rate=Decimal(value)
    )


def register(world: World, setup: Any, lines: list[dict[str, Any]], **values: Any) -> Invoice:
    """Register an invoice of ``setup``'s contract, as the admin, issued on ``ISSUED``."""
    values.setdefault("number", "F-2026-031")
    values.setdefault("issue_date", ISSUED)
    values.setdefault("received_on", ISSUED + dt.timedelta(days=1))
    values.setdefault("due_date", ISSUED + dt.timedelta(days=30))
    values.setdefault("currency", "EUR")
    values.setdefault("actor", world.admin)
    return invoices.invoice_register(
        supplier=setup.supplier,
        project=world.project,
        contract=setup.contract,
        lines=lines,
        **values,
    )


def milestone_line(milestone: PaymentMilestone, **values: Any) -> dict[str, Any]:
    return {
        "description": milestone.name,
        "milestone": milestone,
        "quantity": Decimal(1),
        "unit_price": milestone.amount,
        "tax_rate": Decimal(20),
        **values,
    }
