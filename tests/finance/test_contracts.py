"""Suppliers, contracts, milestones, rates, purchase orders and deliverables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from pilotage.core.errors import ForbiddenError
from pilotage.finance import contracts
from pilotage.finance.models import ContractKind, DeliverableStatus, Supplier
from tests.access import Access, AccessMixin
from tests.finance import factories_contracts as f
from tests.world import World

pytestmark = pytest.mark.django_db

WITH_ROLE = (
    "admin",
    "pmo",
    "portfolio_manager",
    "project_manager",
    "viewer",
    "finance",
    "outsider",
)
SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
MANAGES_CRM = ("admin", "pmo", "portfolio_manager", "finance")
HIDDEN = ("outsider", "nobody")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_suppliers_are_managed_organisation_wide(world: World) -> None:
    acme = contracts.supplier_create(actor=world.pmo, code="ACME", name="Acme", country="fr")
    assert acme.country == "FR"
    with pytest.raises(ForbiddenError):
        contracts.supplier_create(actor=world.finance, code="B", name="B")
    contracts.supplier_deactivate(actor=world.admin, supplier=acme)
    assert not Supplier.objects.get(pk=acme.pk).is_active
    assert list(contracts.supplier_list(user=world.viewer)) == []
    assert list(contracts.supplier_list(user=world.viewer, active=None)) == [acme]
    assert list(contracts.supplier_list(user=world.nobody, active=None)) == []


def test_milestones_may_not_exceed_the_contract_value(world: World) -> None:
    setup = f.fixed_price(world)
    with pytest.raises(ValidationError) as caught:
        contracts.milestone_create(
            actor=world.admin, contract=setup.contract, name="Extra", amount=Decimal("2500")
        )
    assert (
        "The payment milestones would total 62,500.00 EUR, 2,500.00 EUR more than the "
        "contract's value of 60,000.00 EUR." in caught.value.messages
    )
    with pytest.raises(ValidationError, match="payment milestones of this contract total"):
        contracts.contract_update(actor=world.admin, contract=setup.contract, value=Decimal(50000))


def test_purchase_orders_may_not_exceed_the_contract_value(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.purchase_order_create(
        actor=world.finance,
        contract=setup.contract,
        number="PO-1",
        issued_on=dt.date(2026, 3, 1),
        amount=Decimal("45000"),
    )
    with pytest.raises(
        ValidationError, match=r"purchase orders of contract C-100 would total 60,000\.01 EUR"
    ):
        contracts.purchase_order_create(
            actor=world.finance,
            contract=setup.contract,
            number="PO-2",
            issued_on=dt.date(2026, 3, 1),
            amount=Decimal("15000.01"),
        )


def test_rate_cards_only_on_time_and_materials(world: World) -> None:
    setup = f.fixed_price(world)
    person = f.time_and_materials(world).person
    with pytest.raises(ValidationError, match="Only a time-and-materials contract"):
        contracts.rate_line_create(
            actor=world.admin, contract=setup.contract, rate=Decimal(1), resource=person
        )


def test_deliverable_acceptance_records_who_and_when(world: World) -> None:
    setup = f.fixed_price(world)
    with pytest.raises(ForbiddenError):
        contracts.deliverable_accept(actor=world.viewer, deliverable=setup.design_document)
    contracts.deliverable_submit(actor=world.project_manager, deliverable=setup.design_document)
    with pytest.raises(ValidationError, match="Say why"):
        contracts.deliverable_reject(
            actor=world.project_manager, deliverable=setup.design_document, note=""
        )
    contracts.deliverable_reject(
        actor=world.project_manager, deliverable=setup.design_document, note="Incomplete"
    )
    accepted = contracts.deliverable_accept(
        actor=world.finance, deliverable=setup.design_document, note="Second version fine"
    )
    assert accepted.status == DeliverableStatus.ACCEPTED
    assert accepted.decided_by == world.finance
    assert accepted.decided_at is not None
    assert accepted.decision_note == "Second version fine"
    with pytest.raises(ValidationError, match="is accepted: it cannot be rejected"):
        contracts.deliverable_reject(actor=world.admin, deliverable=accepted, note="No")


def test_contract_needs_manage_finance_on_the_project(world: World) -> None:
    acme = f.supplier(world)
    with pytest.raises(ForbiddenError):
        contracts.contract_create(
            actor=world.project_manager,
            project=world.project,
            supplier=acme,
            number="C-1",
            title="x",
            kind=ContractKind.FIXED_PRICE,
        )


class TestAccess(AccessMixin):
    access = [
        Access("suppliers", "get", lambda w: "/finance/suppliers/", allowed=(*WITH_ROLE, "nobody")),
        Access(
            "supplier",
            "get",
            lambda w: f"/finance/suppliers/{f.supplier(w).pk}/",
            allowed=WITH_ROLE,
            hidden=("nobody",),
        ),
        Access(
            "new supplier",
            "post",
            lambda w: "/finance/suppliers/new/",
            data=lambda w: {"code": "Z", "name": "Zed", "currency": "EUR"},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "finance", "project_manager", "viewer"),
            ok=(302,),
        ),
        Access(
            "project contracts",
            "get",
            lambda w: f"/projects/{w.project.pk}/finance/contracts/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "new contract",
            "post",
            lambda w: f"/projects/{w.project.pk}/finance/contracts/new/",
            data=lambda w: {
                "supplier": f.supplier(w).pk,
                "number": "C-5",
                "title": "Audit",
                "kind": "fixed_price",
                "currency": "EUR",
                "value": "1000",
                "status": "active",
            },
            allowed=MANAGES_CRM,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "contract",
            "get",
            lambda w: f"/finance/contracts/{f.fixed_price(w).contract.pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "add milestone",
            "post",
            lambda w: (
                f"/finance/contracts/{f.fixed_price(w, number='C-7').contract.pk}/milestone/add/"
            ),
            data=lambda w: {"milestone-name": "Extra", "milestone-amount": "0"},
            allowed=MANAGES_CRM,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "accept deliverable",
            "post",
            lambda w: f"/finance/deliverables/{f.fixed_price(w).design_document.pk}/accept/",
            allowed=(*MANAGES_CRM, "project_manager"),
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


def test_contract_page_shows_milestones_evidence_and_chart(client: Client, world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    f.register(world, setup, [f.milestone_line(setup.design)], number="F-1")
    client.force_login(world.project_manager)
    page = client.get(f"/finance/contracts/{setup.contract.pk}/").content.decode()
    assert "Billed vs earned over time" in page
    assert "billed-earned-data" in page
    assert "Go-live acceptance" in page
    assert ">Accept<" in page
    assert "F-1" in page


def test_project_contracts_show_the_funding_check(client: Client, world: World) -> None:
    setup = f.fixed_price(world)
    today = dt.date.today()
    setup.go_live.due_date = today + dt.timedelta(days=30)
    setup.go_live.save()
    world.project.budget = Decimal("10000")
    world.project.save()
    client.force_login(world.viewer)
    page = client.get(f"/projects/{world.project.pk}/finance/contracts/").content.decode()
    assert "Funding check" in page
    assert "by 14,000.00 EUR" in page


def test_supplier_xlsx(client: Client, world: World) -> None:
    f.supplier(world)
    client.force_login(world.viewer)
    response = client.get("/finance/suppliers/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
