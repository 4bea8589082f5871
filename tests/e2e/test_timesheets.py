"""A team member fills in their week in a browser and submits it; the project manager approves
it in the approval queue, which records its actual costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.accounts.models import Membership, Role, User
from pilotage.finance.models import ActualCost, Timesheet, TimesheetStatus
from pilotage.planning import services as planning_services
from pilotage.resources import services
from tests.factories import PortfolioFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_team_member_submits_a_week_and_the_manager_approves_it(page: Any) -> None:
    admin = User.objects.create_superuser("admin", "admin@example.org", "admin-password")
    alice_user = User.objects.create_user("alice", "alice@example.org", "alice-password")
    manager = User.objects.create_user("pm", "pm@example.org", "pm-password")
    crm = ProjectFactory(portfolio=PortfolioFactory(code="CORP"), code="CRM", name="New CRM")
    Membership.objects.create(user=alice_user, role=Role.TEAM_MEMBER, project=crm)
    Membership.objects.create(user=manager, role=Role.PROJECT_MANAGER, project=crm)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    planning_services.plan_update(
        actor=admin, project=crm, start=dt.datetime.combine(monday, dt.time(8))
    )
    task = planning_services.task_create(
        actor=admin, project=crm, name="Design the data model", duration_minutes=10 * 480
    )
    alice = services.resource_create(
        actor=admin, name="Alice Martin", user=alice_user, standard_rate=Decimal("60")
    )
    services.assignment_create(actor=admin, task=task, resource=alice)

    _sign_in(page, "alice", "alice-password")
    page.goto("/timesheets/")
    grid = page.get_by_test_id("timesheet-grid")
    expect(grid).to_contain_text("Design the data model")
    cells = grid.locator("input.timesheet-cell")
    cells.nth(0).fill("7,5")
    cells.nth(1).fill("8h")
    # The totals follow the typing.
    expect(grid.locator("[data-grand-total]")).to_have_text("15.5")
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_text("The timesheet was submitted for approval.")).to_be_visible()
    expect(page.get_by_test_id("timesheet-status")).to_contain_text("Submitted")

    page.context.clear_cookies()
    _sign_in(page, "pm", "pm-password")
    page.goto("/timesheets/approvals/")
    queue = page.get_by_test_id("approval-queue")
    expect(queue).to_contain_text("Alice Martin")
    expect(queue).to_contain_text("CRM: 15.5 h")
    queue.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve the selected").click()
    expect(page.get_by_text("was approved")).to_be_visible()
    expect(page.get_by_text("No timesheet waits for your approval.")).to_be_visible()

    sheet = Timesheet.objects.get()
    assert sheet.status == TimesheetStatus.APPROVED
    assert sheet.decided_by == manager
    assert sum(ActualCost.objects.values_list("amount", flat=True)) == Decimal("930.00")
