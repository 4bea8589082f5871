"""A finance controller opens the demo's finance dashboard in a browser, sees why the demo's
anomalous invoices are on hold, and reads a project's earned value on its Finance tab: the
figures on the page are the service's, computed from the cost baseline, the progress and the
actual-cost ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.demo.builder import build_demo
from pilotage.demo.data import DEMO_PASSWORD
from pilotage.finance.earned_value import project_earned_value
from pilotage.portfolio.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_finance_dashboard_explains_the_held_invoices_and_the_earned_value(
    page: Any, screenshot_dir: Path | None
) -> None:
    build_demo(size="small", seed=42, today=timezone.localdate())

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("philippe.lambert")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Finance").click()
    expect(page.get_by_role("heading", name="Finance dashboard")).to_be_visible()

    held = page.get_by_test_id("invoices-on-hold")
    expect(held).to_contain_text("was already registered on")
    expect(held).to_contain_text("the contract rate for Marc Olivier (Orbis Consulting) is 850.00")
    expect(held).to_contain_text("is not accepted")
    expect(held).to_contain_text("but the approved timesheets show")

    row = held.get_by_role("row").filter(has_text="the contract rate for")
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("On hold")
    expect(page.get_by_test_id("hold-reasons")).to_contain_text("charges 920.00 per day")
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / "invoice.png"), full_page=False)

    crm = Project.objects.get(code="DIG-CRM")
    figures = project_earned_value(crm, as_of=timezone.localdate())
    assert figures.cost_performance_index is not None
    page.goto(f"/projects/{crm.pk}/")
    page.get_by_role("navigation", name="Project sections").get_by_role(
        "link", name="Finance"
    ).click()
    table = page.get_by_test_id("evm-table")
    expect(table.get_by_role("row", name="Cost performance index")).to_contain_text(
        f"{figures.cost_performance_index:.2f}"
    )
    expect(table.get_by_role("row", name="Earned value").first).to_contain_text(
        f"{figures.earned_value:,.2f}"
    )
    expect(page.locator("#evm-chart .main-svg, .chart .main-svg").first).to_be_visible()
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / "finance.png"), full_page=False)
