"""A PMO officer brings a Microsoft Project file in through the browser, checks the preview,
creates the project, then downloads it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from pilotage.accounts.models import User
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from tests.factories import PortfolioFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAREHOUSE = Path(__file__).parent.parent / "exchange" / "fixtures" / "warehouse.xml"


def test_new_project_from_a_microsoft_project_file(
    page: Any, screenshot_dir: Path | None, tmp_path: Path
) -> None:
    User.objects.create_superuser("officer", "officer@example.org", "officer-password")
    PortfolioFactory(code="OPS", name="Operations")

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("officer-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto("/projects/")
    page.get_by_role("link", name="New project from file").click()
    page.get_by_label("File").set_input_files(str(WAREHOUSE))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", name="warehouse.xml")).to_be_visible()
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("Tasks")
    expect(page.get_by_test_id("dates-agreement")).to_contain_text("5 of the 5 tasks")
    assert not Project.objects.filter(code="WH-MOVE").exists()
    if screenshot_dir is not None:
        page.screenshot(path=str(screenshot_dir / "import.png"), full_page=False)

    page.get_by_label("Portfolio").select_option(label="Operations")
    page.get_by_label("Code").fill("WH-MOVE")
    page.get_by_test_id("import-apply").click()

    expect(page.locator("#plan-grid")).to_contain_text("Survey racks")
    expect(page.get_by_text("Imported 5 tasks")).to_be_visible()
    project = Project.objects.get(code="WH-MOVE")
    assert Task.objects.filter(project=project).count() == 5

    page.get_by_role("link", name="Import / export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Microsoft Project XML").click()
    saved = tmp_path / "exported.xml"
    download.value.save_as(saved)
    assert b"<Name>Survey racks</Name>" in saved.read_bytes()
