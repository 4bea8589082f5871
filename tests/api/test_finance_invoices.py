"""The REST API of suppliers, contracts, deliverables and invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pilotage.finance import contracts
from pilotage.finance.models import Invoice
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.finance import factories_contracts as f
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
MANAGES_CRM = ("admin", "pmo", "portfolio_manager", "finance")
HIDDEN_CRM = ("outsider", "nobody")
WITH_ROLE = (*SEES_CRM, "outsider")


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _invoice(world: World) -> Invoice:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    return f.register(world, setup, [f.milestone_line(setup.design)])


class TestOperations(AccessMixin):
    access = [
        operation("suppliers", "get", lambda w: "/suppliers", allowed=(*WITH_ROLE, "nobody")),
        operation(
            "create supplier",
            "post",
            lambda w: "/suppliers",
            data=lambda w: {"code": "ZED", "name": "Zed"},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "finance", "outsider"),
            ok=(201,),
        ),
        operation(
            "supplier",
            "get",
            lambda w: f"/suppliers/{f.supplier(w).pk}",
            allowed=WITH_ROLE,
            hidden=("nobody",),
        ),
        operation(
            "contracts",
            "get",
            lambda w: f"/projects/{w.project.pk}/contracts",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "create contract",
            "post",
            lambda w: f"/projects/{w.project.pk}/contracts",
            data=lambda w: {
                "supplier_id": f.supplier(w).pk,
                "number": "C-9",
                "title": "Audit",
                "kind": "fixed_price",
                "value": "1000",
            },
            allowed=MANAGES_CRM,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CRM,
            ok=(201,),
        ),
        operation(
            "accept deliverable",
            "post",
            lambda w: f"/deliverables/{f.fixed_price(w).go_live_acceptance.pk}/accept",
            allowed=(*MANAGES_CRM, "project_manager"),
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "invoice",
            "get",
            lambda w: f"/invoices/{_invoice(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "approve invoice",
            "post",
            lambda w: f"/invoices/{_invoice(w).pk}/approve",
            allowed=MANAGES_CRM,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "funding check",
            "get",
            lambda w: f"/projects/{w.project.pk}/funding-check",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
    ]


def test_register_by_supplier_code_and_follow_to_payment(api: ApiFactory, world: World) -> None:
    setup = f.fixed_price(world)
    client = api(world.finance)
    body = {
        "supplier_code": "acme",
        "project_id": world.project.pk,
        "contract_id": setup.contract.pk,
        "number": "F-2026-031",
        "issue_date": "2026-10-02",
        "received_on": "2026-10-03",
        "currency": "EUR",
        "lines": [
            {
                "description": "Go-live",
                "milestone_id": setup.go_live.pk,
                "unit_price": "24000",
                "tax_rate": "20",
            }
        ],
    }
    response = client.post("/invoices", body)
    assert response.status_code == 201, response.content
    invoice = response.json()
    assert invoice["status"] == "on_hold"
    assert invoice["net_amount"] == "24000.00"
    assert invoice["total_amount"] == "28800.00"
    assert {reason["code"] for reason in invoice["hold_reasons"]} == {
        "no_evidence",
        "over_billed",
    }
    accepted = api(world.project_manager).post(
        f"/deliverables/{setup.go_live_acceptance.pk}/accept", {"note": "Live"}
    )
    assert accepted.json()["decided_by"] == "pm"
    detail = client.get(f"/invoices/{invoice['id']}").json()
    assert detail["status"] == "matched"
    approved = client.post(f"/invoices/{invoice['id']}/approve", {})
    assert approved.json()["status"] == "approved"
    paid = client.post(f"/invoices/{invoice['id']}/pay", {"paid_on": "2026-11-02"})
    assert paid.json()["status"] == "paid"
    assert [event["status"] for event in paid.json()["events"]] == [
        "received",
        "on_hold",
        "matched",
        "approved",
        "paid",
    ]


def test_unknown_supplier_and_negative_amounts(api: ApiFactory, world: World) -> None:
    client = api(world.admin)
    body = {
        "supplier_code": "NOPE",
        "project_id": world.project.pk,
        "number": "X-1",
        "issue_date": "2026-10-02",
        "received_on": "2026-10-02",
        "currency": "EUR",
        "lines": [{"description": "Work", "unit_price": "-10"}],
    }
    response = client.post("/invoices", body)
    assert response.status_code == 422
    assert error_of(response)["fields"]["supplier"] == ["Unknown supplier 'NOPE'"]
    f.supplier(world)
    response = client.post("/invoices", {**body, "supplier_code": "ACME"})
    assert response.status_code == 422
    assert "Line 1: the unit price cannot be negative (-10)." in str(error_of(response)["fields"])


def test_purchase_orders_may_not_exceed_the_value(api: ApiFactory, world: World) -> None:
    setup = f.fixed_price(world)
    client = api(world.admin)
    ok = client.post(
        f"/contracts/{setup.contract.pk}/purchase-orders",
        {"number": "PO-1", "issued_on": "2026-03-01", "amount": "50000"},
    )
    assert ok.status_code == 201
    too_much = client.post(
        f"/contracts/{setup.contract.pk}/purchase-orders",
        {"number": "PO-2", "issued_on": "2026-03-01", "amount": "20000"},
    )
    assert too_much.status_code == 422
    assert "10,000.00 EUR more than its value of 60,000.00 EUR" in str(error_of(too_much))
    detail = client.get(f"/contracts/{setup.contract.pk}").json()
    assert [order["number"] for order in detail["purchase_orders"]] == ["PO-1"]
    assert [m["name"] for m in detail["milestones"]] == ["Design", "Build", "Go-live"]


def test_filters_billed_vs_earned_and_hold(api: ApiFactory, world: World) -> None:
    invoice = _invoice(world)
    client = api(world.finance)
    listed = client.get("/invoices", status="matched").json()
    assert [item["number"] for item in listed["items"]] == [invoice.number]
    assert client.get("/invoices", status="paid").json()["count"] == 0
    series = client.get(f"/contracts/{invoice.contract_id}/billed-vs-earned").json()
    assert series["months"][0]["month"] == "2026-10"
    assert series["months"][0]["billed"] == "20000.00"
    held = client.post(
        f"/invoices/{invoice.pk}/hold", {"reason": "rate_differs", "comment": "Check"}
    )
    assert held.json()["status"] == "on_hold"
    refused = client.post(f"/invoices/{invoice.pk}/approve", {})
    assert refused.status_code == 422
    comment = client.post(f"/invoices/{invoice.pk}/comments", {"text": "Asked for a credit note"})
    assert comment.status_code == 201
    assert comment.json()["text"] == "Asked for a credit note"


def test_the_list_makes_the_same_number_of_queries(
    api: ApiFactory, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    setup = f.fixed_price(world)
    client = api(world.finance)
    for number in range(2):
        f.register(world, setup, [f.milestone_line(setup.build)], number=f"B-{number}")
    few = count_queries(lambda: client.get("/invoices"))
    for number in range(2, 10):
        f.register(world, setup, [f.milestone_line(setup.build)], number=f"B-{number}")
    assert count_queries(lambda: client.get("/invoices")) == few


def test_funding_check(api: ApiFactory, world: World) -> None:
    setup = f.fixed_price(world)
    today = dt.date.today()
    for offset, milestone in enumerate((setup.design, setup.build, setup.go_live), start=1):
        milestone.due_date = today + dt.timedelta(days=10 * offset)
        milestone.save()
    world.project.budget = Decimal("30000")
    world.project.save()
    flags = api(world.viewer).get(f"/projects/{world.project.pk}/funding-check").json()
    # 20,000 fits in 30,000; with Build 36,000 and with Go-live 60,000 do not.
    assert [(flag["milestone"], flag["shortfall"]) for flag in flags] == [
        ("Build", "6000.00"),
        ("Go-live", "30000.00"),
    ]
    assert flags[0]["remaining_budget"] == "30000.00"
