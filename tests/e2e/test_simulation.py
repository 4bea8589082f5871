"""A project manager estimates a task in the grid, runs a schedule risk simulation in the
browser, and reads the P80 finish and the most critical task on the results page: the figures
shown are the ones the run stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from pilotage.accounts.models import Role
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.risks import simulation
from pilotage.risks.models import SimulationRun, TaskEstimate
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    PortfolioFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DAY = 480


def _small_project() -> tuple[Any, Any, dict[str, Task]]:
    admin = UserFactory(username="planner", is_superuser=True, is_staff=True)
    manager = UserFactory(username="manon")
    portfolio = PortfolioFactory(code="CORP", name="Corporate")
    project = ProjectFactory(portfolio=portfolio, code="MOVE", name="Office move")
    MembershipFactory(user=manager, role=Role.PROJECT_MANAGER, project=project)
    planning.plan_update(actor=admin, project=project, start=dt.datetime(2026, 3, 2, 8, 0))

    def add(name: str, days: int, predecessors: str = "") -> Task:
        return planning.task_create(
            actor=admin,
            project=project,
            name=name,
            duration_minutes=days * DAY,
            predecessors=predecessors or None,
        )

    add("Plan the move", 3)
    add("Pack the archives", 10, "1")
    add("Order the signs", 2, "1")
    add("Move the furniture", 2, "2;3")
    tasks = {task.name: task for task in Task.objects.filter(project=project)}
    for name, (low, likely, high) in {
        "Plan the move": (2, 3, 5),
        "Order the signs": (1, 2, 4),
        "Move the furniture": (2, 2, 4),
    }.items():
        simulation.estimate_set(
            actor=admin,
            task=tasks[name],
            optimistic_minutes=low * DAY,
            most_likely_minutes=likely * DAY,
            pessimistic_minutes=high * DAY,
        )
    return manager, project, tasks


def test_run_a_simulation_and_read_the_p80_and_the_most_critical_task(page: Any) -> None:
    _manager, project, tasks = _small_project()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("manon")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/projects/{project.pk}/raid/estimates/")

    # The packing has no estimate yet: give it one in the grid.
    expect(page.get_by_test_id("estimate-count")).to_contain_text("3 of 4 tasks estimated.")
    page.get_by_label("Optimistic: Pack the archives", exact=True).fill("8d")
    page.get_by_label("Most likely: Pack the archives", exact=True).fill("10d")
    page.get_by_label("Pessimistic: Pack the archives", exact=True).fill("3w")
    row = page.locator(f"#estimate-row-{tasks['Pack the archives'].pk}")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#estimate-row-{tasks['Pack the archives'].pk}")).to_contain_text("Saved")
    saved = TaskEstimate.objects.get(task=tasks["Pack the archives"])
    assert saved.pessimistic_minutes == 15 * DAY

    page.get_by_role("navigation", name="RAID sections").get_by_role(
        "link", name="Simulation"
    ).click()
    form = page.get_by_test_id("simulation-form")
    form.get_by_label("Iterations").fill("5000")
    form.get_by_label("Random seed").fill("2026")
    form.get_by_role("button", name="Run the simulation").click()

    run = SimulationRun.objects.get()
    assert run.status == "done", run.error
    p80 = next(entry for entry in run.results["percentiles"] if entry["label"] == "P80")
    shown = page.get_by_test_id("p80-finish")
    expect(shown).to_be_visible()
    assert shown.get_attribute("datetime").startswith(p80["finish"])
    assert str(dt.datetime.fromisoformat(p80["finish"]).year) in shown.inner_text()

    most_critical = run.results["criticality"][0]
    assert most_critical["name"] != "Order the signs"  # it has ten days of float
    first = page.get_by_test_id("top-critical").get_by_role("listitem").first
    expect(first).to_contain_text(most_critical["name"])
    expect(first).to_contain_text(f"{round(100 * most_critical['criticality'], 1):g} %")
    expect(page.locator("#simulation-finish-chart .main-svg").first).to_be_visible()
    expect(page.get_by_test_id("simulation-seed")).to_have_text("2026")
