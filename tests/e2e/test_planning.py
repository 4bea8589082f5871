"""A planner builds, links, reschedules and baselines a plan in the browser, then reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from pilotage.accounts.models import User
from pilotage.planning import services
from pilotage.planning.models import Task
from tests.factories import PortfolioFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _grid_row(page: Any, name: str) -> Any:
    return page.locator("#plan-grid tr[data-task]").filter(has_text=name)


def _edit(page: Any, name: str, field: str, value: str) -> None:
    _settled(page)
    cell = _grid_row(page, name).locator(f'td[data-field="{field}"]')
    cell.click()
    editor = cell.locator("input.cell-editor")
    editor.fill(value)
    editor.press("Enter")
    expect(page.locator("#plan-grid .cell-editor[disabled]")).to_have_count(0)


def _settled(page: Any) -> None:
    """Wait until no grid request is in flight, so that typing lands in the current grid."""
    expect(page.locator(".htmx-request")).to_have_count(0)


def _add(page: Any, name: str, duration: str, predecessors: str = "") -> None:
    _settled(page)
    page.locator("#new-duration").fill(duration)
    page.locator("#new-predecessors").fill(predecessors)
    page.locator("#new-name").fill(name)
    page.locator("#new-name").press("Enter")
    expect(_grid_row(page, name)).to_have_count(1)
    _settled(page)


def test_build_link_reschedule_and_baseline_a_plan(page: Any) -> None:
    User.objects.create_superuser("planner", "planner@example.org", "planner-password")
    portfolio = PortfolioFactory(code="CORP", name="Corporate")
    project = ProjectFactory(portfolio=portfolio, code="MOVE", name="Office move")
    planner = User.objects.get(username="planner")
    services.plan_update(actor=planner, project=project, start=dt.datetime(2026, 3, 2, 8, 0))

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("planner")
    page.get_by_label("Password").fill("planner-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/projects/{project.pk}/plan/")
    expect(page.get_by_text("This plan has no tasks yet.")).to_be_visible()

    _add(page, "Move", "1d")
    _add(page, "Pack the archives", "3d")
    _add(page, "Move the furniture", "2d", "2")
    _add(page, "Offices open", "0", "3FS+1d")
    # Make the first task a phase holding the next two.
    _grid_row(page, "Pack the archives").locator(".row-id").click()
    page.get_by_role("button", name="Indent").click()
    expect(_grid_row(page, "Pack the archives").locator("td").nth(1)).to_have_text("1.1")
    _grid_row(page, "Move the furniture").locator(".row-id").click()
    page.get_by_role("button", name="Indent").click()
    expect(_grid_row(page, "Move the furniture").locator("td").nth(1)).to_have_text("1.2")
    expect(_grid_row(page, "Move").first).to_have_class("is-summary is-critical")

    opening = _grid_row(page, "Offices open").locator('td[data-field="start"]')
    expect(opening).to_have_attribute("data-value", "2026-03-09")

    # Capture a baseline, then let the packing slip by two days.
    page.get_by_role("link", name="Baselines").click()
    page.get_by_label("Name").fill("Approved")
    page.get_by_role("button", name="Capture").click()
    expect(page.get_by_text("Approved").first).to_be_visible()
    page.goto(f"/projects/{project.pk}/plan/")
    _edit(page, "Pack the archives", "duration", "5d")
    expect(opening).to_have_attribute("data-value", "2026-03-11")

    # A malformed duration is refused on its cell and nothing changes.
    _grid_row(page, "Move the furniture").locator('td[data-field="duration"]').click()
    editor = page.locator("input.cell-editor")
    editor.fill("3x")
    editor.press("Enter")
    expect(page.locator("#plan-grid [role=alert]")).to_contain_text("3x")
    assert Task.objects.get(name="Move the furniture").duration_minutes == 960
    page.keyboard.press("Escape")

    page.get_by_role("link", name="Gantt").click()
    expect(page.locator(".gantt-body .gantt-milestone")).to_have_count(1)
    expect(page.locator(".gantt-body .gantt-baseline").first).to_be_attached()

    page.get_by_role("link", name="Baselines").click()
    page.get_by_role("link", name="Approved").click()
    expect(page.locator("table")).to_contain_text("Pack the archives")
    expect(page.locator("table")).to_contain_text("+2")

    page.get_by_role("link", name="Health").click()
    expect(page.get_by_text("Health score")).to_be_visible()
    expect(page.get_by_role("heading", name="The DCMA 14-point assessment")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(14)
