"""A finance controller follows a supplier invoice from receipt to payment in the browser: it
is registered with its line, held because the deliverable it bills is not accepted, the project
manager accepts the deliverable, the invoice is checked again, approved and marked paid."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from pilotage.accounts.models import Role
from pilotage.finance.models import Invoice, InvoiceStatus
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.finance import factories_contracts as f
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_invoice_from_receipt_to_payment(page: Any) -> None:
    world = build_world()
    setup = f.fixed_price(world)
    controller = UserFactory(username="controller", first_name="Camille", last_name="Roux")
    MembershipFactory(user=controller, role=Role.FINANCE, portfolio=world.portfolio)

    _sign_in(page, "controller")
    page.goto(f"/finance/invoices/new/?contract={setup.contract.pk}")
    form = page.get_by_test_id("invoice-form")
    form.get_by_label("Number").fill("F-2026-031")
    form.get_by_label("Issued on").fill("2026-10-02")
    form.get_by_label("Received on").fill("2026-10-03")
    page.locator("[name=lines-0-description]").fill("Go-live")
    page.locator("[name=lines-0-contract_line]").select_option(f"m-{setup.go_live.pk}")
    page.locator("[name=lines-0-unit_price]").fill("24000")
    page.locator("[name=lines-0-tax_rate]").fill("20")
    page.get_by_role("button", name="Register and check").click()

    expect(page.get_by_role("heading", name="Invoice F-2026-031")).to_be_visible()
    expect(page.get_by_test_id("invoice-status")).to_have_text("On hold")
    reasons = page.get_by_test_id("hold-reasons")
    expect(reasons).to_contain_text(
        "Line 1 bills 'Go-live' but its deliverable 'Go-live acceptance' is not accepted"
    )
    invoice = Invoice.objects.get(number="F-2026-031")

    # The project manager accepts the deliverable on the contract's page.
    page.context.clear_cookies()
    _sign_in(page, "pm")
    page.goto(f"/finance/contracts/{setup.contract.pk}/")
    row = page.get_by_test_id("deliverables").get_by_role("row", name="Go-live acceptance")
    row.get_by_role("textbox").fill("Live since Monday")
    row.get_by_role("button", name="Accept").click()
    expect(row).to_contain_text("Accepted")

    page.context.clear_cookies()
    _sign_in(page, "controller")
    page.goto(f"/finance/invoices/{invoice.pk}/")
    page.get_by_role("button", name="Re-check").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Matched")
    expect(page.get_by_test_id("invoice-lines")).to_contain_text(
        "Deliverable 'Go-live acceptance' accepted by"
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Approved")
    page.get_by_label("Paid on").fill("2026-11-02")
    page.get_by_label("Payment reference").fill("PAY-2026-118")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("invoice-thread")).to_contain_text(
        "Paid on 2026-11-02 (PAY-2026-118)."
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.approved_by == controller
