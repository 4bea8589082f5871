"""``pilotage risks``."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pilotage.cli.risks import STATUS_NAMES
from pilotage.risks import register
from pilotage.risks.models import RiskStatus
from tests.cli.conftest import Run
from tests.world import World

pytestmark = pytest.mark.django_db


def _risks(world: World) -> None:
    register.risk_create(
        actor=world.admin,
        project=world.project,
        title="Supplier delivers late",
        probability=4,
        impact=4,
        residual_probability=2,
        residual_impact=4,
        cost_impact=Decimal(20_000),
        owner=world.project_manager,
        response="mitigate",
    )
    register.risk_create(
        actor=world.admin, project=world.sibling_project, title="Key people leave", probability=1
    )
    closed = register.risk_create(
        actor=world.admin, project=world.project, title="Old worry", probability=2
    )
    register.risk_close(actor=world.admin, risk=closed)
    register.risk_create(
        actor=world.admin, project=world.other_project, title="Warehouse floods", probability=5
    )


def test_the_status_names_are_the_models() -> None:
    assert set(STATUS_NAMES) == set(RiskStatus.values)


def test_table(run: Run, world: World) -> None:
    _risks(world)
    result = run("risks")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["Code", "Project", "Title", "Status"]
    titles = [line for line in lines[2:] if line.strip()]
    assert ["Warehouse" in titles[0], "Supplier" in titles[1], "Key people" in titles[2]] == [
        True,
        True,
        True,
    ]
    first = titles[1]
    assert first.startswith("R-001  CRM")
    assert "16" in first
    assert "Amber" in first
    assert "12,000.00" in first
    assert "Mitigate" in first
    assert not any("Old worry" in line for line in lines)
    assert any("Warehouse floods" in line for line in lines)


def test_json_of_a_project_with_every_status(run: Run, world: World) -> None:
    _risks(world)
    result = run("risks", "--project", "crm", "--status", "all", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [item["title"] for item in items] == ["Supplier delivers late", "Old worry"]
    item = items[0]
    assert (item["score"], item["residual_score"], item["rag"]) == (16, 8, "amber")
    assert item["expected_value"] == "12000.00"
    assert item["currency"] == world.project.currency
    assert item["owner"] == "pm"
    assert item["next_review"] is not None
    assert items[1]["status"] == "closed"


def test_permissions_of_the_user_given(run: Run, world: World) -> None:
    _risks(world)
    result = run("--as", "outsider", "risks", "--format", "json")
    assert [item["title"] for item in json.loads(result.output)] == ["Warehouse floods"]
    result = run("--as", "viewer", "risks", "--format", "json")
    assert {item["project"] for item in json.loads(result.output)} == {"CRM", "HR"}
    result = run("--as", "outsider", "risks", "--project", "CRM")
    assert result.exit_code == 1
    assert "Unknown project: CRM" in result.output


def test_unknown_status_lists_the_valid_ones(run: Run, world: World) -> None:
    result = run("risks", "--status", "late")
    assert result.exit_code == 1
    assert "Unknown status 'late'" in result.output
    assert "open, all, identified, active, occurred, closed" in result.output
