"""The invoice pages: the register, registering an invoice, an invoice's page and its buttons."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.finance import contracts
from pilotage.finance.models import Invoice, InvoiceStatus
from tests.access import Access, AccessMixin
from tests.finance import factories_contracts as f
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance", "outsider")
SEES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
MANAGES_MONEY = ("admin", "pmo", "portfolio_manager", "finance")
HIDDEN = ("outsider", "nobody")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def held_invoice(world: World) -> Invoice:
    """F-2026-031 billing Go-live before its deliverable is accepted: on hold."""
    setup = f.fixed_price(world)
    return f.register(world, setup, [f.milestone_line(setup.go_live)])


def matched_invoice(world: World) -> Invoice:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    return f.register(world, setup, [f.milestone_line(setup.design)])


class TestAccess(AccessMixin):
    access = [
        Access("register", "get", lambda w: "/finance/invoices/", allowed=(*EVERYONE, "nobody")),
        Access(
            "project invoices",
            "get",
            lambda w: f"/projects/{w.project.pk}/finance/invoices/",
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "new invoice page",
            "get",
            lambda w: "/finance/invoices/new/",
            allowed=MANAGES_MONEY,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
        ),
        Access(
            "invoice page",
            "get",
            lambda w: f"/finance/invoices/{held_invoice(w).pk}/",
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "approve",
            "post",
            lambda w: f"/finance/invoices/{matched_invoice(w).pk}/approve/",
            allowed=MANAGES_MONEY,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "comment",
            "post",
            lambda w: f"/finance/invoices/{held_invoice(w).pk}/comment/",
            data=lambda w: {"text": "Called the supplier"},
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


def test_the_page_says_why_an_invoice_is_held(client: Client, world: World) -> None:
    invoice = held_invoice(world)
    client.force_login(world.finance)
    page = client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert "Why this invoice is on hold" in page
    assert "its deliverable &#x27;Go-live acceptance&#x27; is not accepted" in page
    assert "Re-check" in page
    assert "Approve anyway" in page


def test_register_an_invoice_through_the_form(client: Client, world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    client.force_login(world.finance)
    assert client.get(f"/finance/invoices/new/?contract={setup.contract.pk}").status_code == 200
    data = {
        "supplier": setup.supplier.pk,
        "project": world.project.pk,
        "contract": setup.contract.pk,
        "number": "F-77",
        "issue_date": "2026-10-02",
        "received_on": "2026-10-03",
        "due_date": "2026-11-02",
        "currency": "EUR",
        "notes": "",
        "file": SimpleUploadedFile("f-77.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Design",
        "lines-0-contract_line": f"m-{setup.design.pk}",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "20000",
        "lines-0-tax_rate": "20",
        "lines-1-quantity": "1",
        "lines-1-tax_rate": "0",
    }
    response = client.post("/finance/invoices/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get(number="F-77")
    assert invoice.status == InvoiceStatus.MATCHED
    assert invoice.total_amount == Decimal("24000.00")
    assert invoice.lines.count() == 1
    download = client.get(f"/finance/invoices/{invoice.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    client.force_login(world.outsider)
    assert client.get(f"/finance/invoices/{invoice.pk}/file/").status_code == 404


def test_a_negative_line_is_refused_on_the_form(client: Client, world: World) -> None:
    setup = f.fixed_price(world)
    client.force_login(world.admin)
    response = client.post(
        "/finance/invoices/new/",
        {
            "supplier": setup.supplier.pk,
            "project": world.project.pk,
            "contract": setup.contract.pk,
            "number": "F-78",
            "issue_date": "2026-10-02",
            "received_on": "2026-10-03",
            "currency": "EUR",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-description": "Design",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "-20",
            "lines-0-tax_rate": "0",
        },
    )
    assert response.status_code == 200
    assert "the unit price cannot be negative (-20)" in response.content.decode()
    assert not Invoice.objects.filter(number="F-78").exists()


def test_buttons_follow_the_workflow(client: Client, world: World) -> None:
    invoice = held_invoice(world)
    client.force_login(world.finance)
    response = client.post(f"/finance/invoices/{invoice.pk}/approve/", {"comment": ""})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ON_HOLD
    client.post(f"/finance/invoices/{invoice.pk}/approve/", {"comment": "Agreed by phone"})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    client.post(
        f"/finance/invoices/{invoice.pk}/pay/",
        {"paid_on": "2026-11-01", "payment_reference": "PAY-1"},
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.payment_reference == "PAY-1"


def test_register_filters_totals_and_export(client: Client, world: World) -> None:
    held = held_invoice(world)
    client.force_login(world.finance)
    page = client.get("/finance/invoices/", {"status": "on_hold"}).content.decode()
    assert held.number in page
    assert "28,800" in page or "28\u202f800" in page or "28 800" in page
    page = client.get("/finance/invoices/", {"status": "paid"}).content.decode()
    assert held.number not in page
    page = client.get("/finance/invoices/", {"hold_reason": "no_evidence"}).content.decode()
    assert held.number in page
    response = client.get("/finance/invoices/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Number"] == "F-2026-031"
    assert first["Status"] == "On hold"
    assert "not accepted" in first["Hold reasons"]


def test_the_register_makes_the_same_number_of_queries_for_more_invoices(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    setup = f.fixed_price(world)
    client.force_login(world.finance)

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            f.register(world, setup, [f.milestone_line(setup.build)], number=f"B-{number}")

    add(2, 0)
    few = count_queries(lambda: client.get("/finance/invoices/"))
    add(8, 2)
    assert count_queries(lambda: client.get("/finance/invoices/")) == few


def test_invoice_page_shows_the_evidence(client: Client, world: World) -> None:
    setup = f.time_and_materials(world)
    f.approved_time(setup.person, world.project, dt.date(2026, 9, 7), 5)
    from pilotage.finance import invoices

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
                "description": "Development",
                "rate_line": setup.rate,
                "period_start": dt.date(2026, 9, 1),
                "period_end": dt.date(2026, 9, 30),
                "quantity": Decimal("5"),
                "unit_price": Decimal("850"),
            }
        ],
    )
    client.force_login(world.viewer)
    page = client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert "Approved timesheet hours 2026-09-01 to 2026-09-30: 40" in page
    assert "Contract rate for Yanis Haddad: 850.00 per day" in page
