"""A resource manager opens the capacity heat map in a browser, clicks an over-allocated cell,
sees the projects and tasks behind it, then levels them with a preview and accepts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.accounts.models import User
from pilotage.demo.builder import build_demo
from pilotage.planning import services as planning_services
from pilotage.resources import services
from tests.factories import PortfolioFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where a cell of the heat map is on the screen, from Plotly's own axes.
CELL_POSITION = """([row, column]) => {
  const chart = document.getElementById("heatmap");
  const area = chart.querySelector(".nsewdrag").getBoundingClientRect();
  const layout = chart._fullLayout;
  return {x: area.left + layout.xaxis.l2p(column), y: area.top + layout.yaxis.l2p(row)};
}"""
FIRST_OVER_ALLOCATION = """() => {
  const data = JSON.parse(document.getElementById("capacity-data").textContent);
  for (let row = 0; row < data.z.length; row++) {
    for (let column = 0; column < data.z[row].length; column++) {
      if (data.z[row][column] > 100.5) return [row, column, data.rows[row]];
    }
  }
  return null;
}"""


def _sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _open_heat_map(page: Any) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Capacity").click()
    expect(page.get_by_role("heading", name="Demand against capacity")).to_be_visible()
    expect(page.locator("#heatmap .main-svg").first).to_be_visible()


def _click_cell(page: Any, row: int, column: int) -> None:
    point = page.evaluate(CELL_POSITION, [row, column])
    page.mouse.click(point["x"], point["y"])


def test_clicking_an_over_allocated_cell_shows_the_tasks_behind_it(page: Any) -> None:
    User.objects.create_superuser("manager", "manager@example.org", "manager-password")
    portfolio = PortfolioFactory(code="CORP", name="Corporate change")
    crm = ProjectFactory(portfolio=portfolio, code="CRM", name="New CRM")
    hr = ProjectFactory(portfolio=portfolio, code="HR", name="HR self-service")
    actor = User.objects.get(username="manager")
    today = timezone.localdate()
    monday = dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time(8))
    alice = services.resource_create(actor=actor, name="Alice Martin")
    for project, name, units in ((crm, "Design the data model", 1), (hr, "Write the specs", 0.6)):
        planning_services.plan_update(actor=actor, project=project, start=monday)
        task = planning_services.task_create(
            actor=actor, project=project, name=name, duration_minutes=10 * 480
        )
        services.assignment_create(
            actor=actor, task=task, resource=alice, units=Decimal(str(units))
        )

    _sign_in(page, "manager", "manager-password")
    _open_heat_map(page)
    conflicts = page.get_by_test_id("conflicts")
    expect(conflicts).to_contain_text("Alice Martin is at 160 %")
    expect(conflicts).to_contain_text("New CRM, Design the data model 100 %")

    _click_cell(page, 0, 0)
    panel = page.get_by_test_id("cell-panel")
    expect(panel).to_contain_text("Alice Martin")
    expect(panel).to_contain_text("160 %")
    expect(panel.get_by_role("link", name="Design the data model")).to_be_visible()
    expect(panel.get_by_role("link", name="Write the specs")).to_be_visible()

    panel.get_by_role("link", name="Write the specs").click()
    expect(page.get_by_role("heading", name="Write the specs")).to_be_visible()
    expect(page.get_by_test_id("task-assignments")).to_contain_text("Alice Martin")


def test_the_demo_portfolio_shows_its_conflicts_on_the_heat_map(
    page: Any, screenshot_dir: Path | None
) -> None:
    build_demo(size="small", seed=42, today=timezone.localdate())

    _sign_in(page, "demo", "pilotage-demo")
    _open_heat_map(page)
    expect(page.get_by_test_id("conflicts").locator("li").first).to_be_visible()
    found = page.evaluate(FIRST_OVER_ALLOCATION)
    assert found is not None, "the demo portfolio has no over-allocation on the heat map"
    row, column, name = found

    _click_cell(page, row, column)
    panel = page.get_by_test_id("cell-panel")
    expect(panel.get_by_role("heading")).to_contain_text(name)
    expect(panel.locator("a[href^='/tasks/']").first).to_be_visible()
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / "capacity.png"), full_page=False)

    # Level the portfolio from the heat map: a preview first, then accept.
    page.get_by_test_id("level-link").click()
    expect(page.get_by_role("heading", name="Resource leveling")).to_be_visible()
    page.get_by_label("What to level").select_option(label="Digital transformation")
    page.get_by_role("button", name="Preview the leveling").click()
    expect(page.get_by_test_id("leveling-status")).to_have_text("Preview")
    explanations = page.get_by_test_id("leveling-explanations")
    expect(explanations.locator("li").first).to_contain_text(" waits ")
    moved = explanations.locator("a").first.get_attribute("href")
    expect(page.locator(".chart-histogram .main-svg").first).to_be_visible()
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / "leveling.png"), full_page=False)
    page.get_by_test_id("leveling-accept").click()
    expect(page.locator(".message-success")).to_contain_text("Leveling accepted")
    expect(page.get_by_test_id("leveling-status")).to_have_text("Accepted")

    # The new dates are the task's everywhere: its page shows the delay leveling added.
    page.goto(moved)
    expect(page.get_by_test_id("leveling-delay")).to_be_visible()
