"""A PMO's first visit in a real browser: sign in, dashboard, a project, rename it, read history,
then its RAID log, a schedule risk simulation and its meetings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.demo.builder import build_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shoot(page: Any, folder: Path | None, name: str) -> None:
    if folder is not None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_sign_in_browse_rename_a_project_and_find_it_in_history(
    page: Any, screenshot_dir: Path | None
) -> None:
    build_demo(size="small", seed=42, today=timezone.localdate())

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    _shoot(page, screenshot_dir, "login")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("pilotage-demo")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Portfolio dashboard")).to_be_visible()
    # Plotly has drawn the charts (its SVG roots only exist once a chart is rendered).
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    _shoot(page, screenshot_dir, "dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    _shoot(page, screenshot_dir, "projects")

    page.get_by_role("link", name="CRM replacement", exact=True).click()
    expect(page.get_by_role("heading", name="CRM replacement")).to_be_visible()
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    _shoot(page, screenshot_dir, "project")

    tabs = page.get_by_role("navigation", name="Project sections")
    tabs.get_by_role("link", name="Plan").click()
    expect(page.locator("#plan-grid tr[data-task]").first).to_be_visible()
    _shoot(page, screenshot_dir, "plan")
    tabs.get_by_role("link", name="Gantt").click()
    expect(page.locator(".gantt-body .gantt-bar").first).to_be_attached()
    _shoot(page, screenshot_dir, "gantt")
    tabs.get_by_role("link", name="Overview").click()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name", exact=True).fill("CRM replacement (Salesforce)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="CRM replacement (Salesforce)")).to_be_visible()

    page.get_by_role("link", name="History").click()
    latest = page.locator(".history-entry").first
    expect(latest).to_contain_text("Demo User")
    expect(latest).to_contain_text("Name")
    expect(latest).to_contain_text("CRM replacement")
    expect(latest).to_contain_text("CRM replacement (Salesforce)")
    _shoot(page, screenshot_dir, "history")

    _simulate_the_crm(page, screenshot_dir)
    _read_the_crm_meetings(page, screenshot_dir)


def _simulate_the_crm(page: Any, screenshot_dir: Path | None) -> None:
    """The PMO reads the CRM's RAID overview, runs a simulation, reads its P80 and most
    critical task (in the same demo, to build it once)."""
    from pilotage.risks.models import SimulationRun

    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="RAID").click()
    # The register's heat map and top risks, from the demo's RAID log.
    expect(page.get_by_role("heading", name="Heat map")).to_be_visible()
    expect(page.get_by_text("Duplicate accounts far above the 8 % estimated").first).to_be_visible()
    _shoot(page, screenshot_dir, "raid")

    page.get_by_role("navigation", name="RAID sections").get_by_role(
        "link", name="Simulation"
    ).click()
    form = page.get_by_test_id("simulation-form")
    form.get_by_label("Iterations").fill("2000")
    form.get_by_label("Random seed").fill("11")
    form.get_by_role("button", name="Run the simulation").click()

    run = SimulationRun.objects.filter(seed=11).get()
    assert run.status == "done", run.error
    p80 = next(entry for entry in run.results["percentiles"] if entry["label"] == "P80")
    shown = page.get_by_test_id("p80-finish")
    expect(shown).to_be_visible()
    assert (shown.get_attribute("datetime") or "").startswith(p80["finish"])
    most_critical = next(row for row in run.results["criticality"] if not row["milestone"])
    first = page.get_by_test_id("top-critical").get_by_role("listitem").first
    expect(first).to_contain_text(most_critical["name"])
    expect(page.locator("#simulation-finish-chart .main-svg").first).to_be_visible()
    _shoot(page, screenshot_dir, "simulation")


def _read_the_crm_meetings(page: Any, screenshot_dir: Path | None) -> None:
    """The PMO opens the CRM's meetings and its next steering committee."""
    from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus

    page.get_by_role("navigation", name="Project sections").get_by_role(
        "link", name="Meetings"
    ).click()
    expect(page.get_by_role("heading", name="Upcoming meetings")).to_be_visible()
    _shoot(page, screenshot_dir, "meetings")
    following = (
        Meeting.objects.filter(
            project__code="DIG-CRM",
            kind=MeetingKind.STEERING_COMMITTEE,
            status=MeetingStatus.PLANNED,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at")
        .first()
    )
    assert following is not None
    page.locator(f"a[href='{following.get_absolute_url()}']").first.click()
    expect(page.get_by_role("heading", name="Steering committee")).to_be_visible()
    local = timezone.localtime(following.starts_at)
    expect(page.get_by_test_id("meeting-when")).to_contain_text(f"{local:%H:%M}")
    expect(page.get_by_test_id("attendees")).to_contain_text("Laurent Girard")
    _shoot(page, screenshot_dir, "meeting")
