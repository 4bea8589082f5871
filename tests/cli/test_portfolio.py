"""``pilotage projects`` and ``pilotage demo``."""

from __future__ import annotations

import json

import pytest

from pilotage.accounts.models import User
from pilotage.cli.portfolio import HEALTH_NAMES, PHASE_NAMES
from pilotage.demo.data import DEMO_PASSWORD, DEMO_USERNAME
from pilotage.portfolio.models import HealthRag, Portfolio, Project, ProjectPhase
from pilotage.portfolio.services import project_update
from tests.cli.conftest import Run
from tests.factories import UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def _codes(run: Run, *args: str) -> list[str]:
    result = run(*args, "projects", "--format", "json")
    assert result.exit_code == 0, result.output
    return [row["code"] for row in json.loads(result.stdout)]


def test_choices_are_the_model_choices() -> None:
    assert tuple(ProjectPhase.values) == PHASE_NAMES
    assert tuple(HealthRag.values) == HEALTH_NAMES


def test_projects_json_lists_every_project_with_its_ids(run: Run, world: World) -> None:
    result = run("projects", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == ["CRM", "HR", "WMS"]
    crm = rows[0]
    assert crm["id"] == world.project.pk
    assert crm["portfolio_id"] == world.portfolio.pk
    assert crm["portfolio"] == "Corporate change"
    assert crm["budget"] == "100000.00"
    assert crm["finish_date"] == "2026-12-18"
    assert set(crm) >= {"name", "manager", "manager_id", "phase", "health", "currency"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("viewer", ["CRM", "HR"]),
        ("pm", ["CRM"]),
        ("outsider", ["WMS"]),
        ("nobody", []),
        ("pmo", ["CRM", "HR", "WMS"]),
    ],
)
def test_projects_as_a_user_lists_only_what_they_may_see(
    run: Run, world: World, username: str, expected: list[str]
) -> None:
    assert _codes(run, "--as", username) == expected


def test_projects_acting_user_from_the_environment(
    run: Run, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PILOTAGE_USER", "outsider")
    assert _codes(run) == ["WMS"]


def test_projects_filters(run: Run, world: World) -> None:
    project_update(
        actor=world.pmo,
        project=world.sibling_project,
        health="red",
        health_reason="Supplier bankrupt",
        phase="execution",
    )
    result = run("projects", "--format", "json", "--portfolio", "CORP", "--health", "red")
    assert [row["code"] for row in json.loads(result.stdout)] == ["HR"]
    phase = json.loads(run("projects", "--format", "json", "--phase", "execution").stdout)
    assert [row["code"] for row in phase] == ["HR"]
    search = json.loads(run("projects", "--format", "json", "--search", "warehouse").stdout)
    assert [row["code"] for row in search] == ["WMS"]
    limited = json.loads(run("projects", "--format", "json", "--limit", "2").stdout)
    assert len(limited) == 2


def test_projects_table_is_aligned(run: Run, world: World) -> None:
    result = run("projects")
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == [
        "Code",
        "Name",
        "Portfolio",
        "Manager",
        "Phase",
        "Health",
        "Finish",
        "Budget",
    ]
    assert [row.split()[0] for row in rows] == ["CRM", "HR", "WMS"]
    assert set(rule) == {"-", " "}
    name_column = header.index("Name")
    assert rule[name_column - 2 : name_column + 1] == "  -"
    assert all(row[name_column - 2 : name_column] == "  " for row in rows)
    assert all(row.endswith("100,000 EUR") for row in rows)


def test_projects_errors_are_one_line_without_traceback(run: Run, world: World) -> None:
    unknown_user = run("--as", "ghost", "projects")
    assert unknown_user.exit_code == 1
    assert unknown_user.output.strip() == "Error: Unknown user: ghost"
    hidden = run("--as", "outsider", "projects", "--portfolio", "CORP")
    assert hidden.exit_code == 1
    assert hidden.output.strip() == "Error: Unknown portfolio: CORP"
    bad_option = run("projects", "--health", "purple")
    assert bad_option.exit_code == 2
    assert "'purple' is not one of" in bad_option.output


def test_inactive_user_cannot_act(run: Run, world: World) -> None:
    User.objects.filter(pk=world.viewer.pk).update(is_active=False)
    result = run("--as", "viewer", "projects")
    assert result.exit_code == 1
    assert "not active" in result.output


def test_commands_refuse_a_database_that_is_not_migrated(
    run: Run, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pilotage.cli.base.pending_migrations", lambda: ["portfolio.0099_future"])
    result = run("projects")
    assert result.exit_code == 1
    assert "run `pilotage migrate` first" in result.output
    assert "Traceback" not in result.output


def test_demo_builds_the_small_demo_and_prints_the_login(run: Run) -> None:
    result = run("demo", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert f"Sign in as {DEMO_USERNAME} with the password {DEMO_PASSWORD}" in result.stdout
    assert Portfolio.objects.count() == 3
    assert Project.objects.count() >= 25
    assert User.objects.get(username=DEMO_USERNAME).check_password(DEMO_PASSWORD)


def test_demo_refuses_existing_data_unless_if_empty(run: Run, world: World) -> None:
    projects = Project.objects.count()
    refused = run("demo")
    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    skipped = run("demo", "--if-empty")
    assert skipped.exit_code == 0
    assert skipped.stdout.strip() == "Demo data already present"
    assert Project.objects.count() == projects
    assert not User.objects.filter(username=DEMO_USERNAME).exists()


def test_demo_if_empty_reminds_the_demo_login_while_it_still_works(run: Run, world: World) -> None:
    demo_user = UserFactory(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    reminder = f"Sign in as {DEMO_USERNAME} with the password {DEMO_PASSWORD}"
    assert reminder in run("demo", "--if-empty").stdout
    demo_user.set_password("changed-by-its-owner-42")
    demo_user.save()
    assert reminder not in run("demo", "--if-empty").stdout


def test_demo_needs_the_administer_permission(run: Run, world: World) -> None:
    result = run("--as", "pmo", "demo", "--if-empty")
    assert result.exit_code == 1
    assert "You do not have permission" in result.output
