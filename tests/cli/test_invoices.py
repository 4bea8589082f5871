"""``pilotage invoices``."""

from __future__ import annotations

import json

import pytest

from pilotage.cli.invoices import STATUS_NAMES
from pilotage.finance import contracts
from pilotage.finance.models import InvoiceStatus
from tests.cli.conftest import Run
from tests.finance import factories_contracts as f
from tests.world import World

pytestmark = pytest.mark.django_db


def _two_invoices(world: World) -> None:
    setup = f.fixed_price(world)
    contracts.deliverable_accept(actor=world.admin, deliverable=setup.design_document)
    f.register(world, setup, [f.milestone_line(setup.design)], number="F-1")
    f.register(world, setup, [f.milestone_line(setup.go_live)], number="F-2")


def test_the_status_names_are_the_models() -> None:
    assert set(STATUS_NAMES) == set(InvoiceStatus.values)


def test_table(run: Run, world: World) -> None:
    _two_invoices(world)
    result = run("invoices")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["Number", "Supplier", "Project", "Issued"]
    held = next(line for line in lines if line.startswith("F-2"))
    assert "28,800.00" in held
    assert "On hold" in held
    assert "is not accepted" in held


def test_json_with_status_filter(run: Run, world: World) -> None:
    _two_invoices(world)
    result = run("invoices", "--status", "on_hold", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [item["number"] for item in items] == ["F-2"]
    item = items[0]
    assert item["supplier"] == "Acme Consulting"
    assert item["project"] == "CRM"
    assert item["net_amount"] == "24000.00"
    assert item["total_amount"] == "28800.00"
    assert item["status"] == "on_hold"
    assert {reason["code"] for reason in item["hold_reasons"]} == {"no_evidence", "over_billed"}
    assert set(item["hold_reasons"][0]) == {"code", "message"}


def test_permissions_of_the_user_given(run: Run, world: World) -> None:
    _two_invoices(world)
    result = run("--as", "outsider", "invoices", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []
    result = run("--as", "viewer", "invoices", "--project", "crm", "--format", "json")
    assert len(json.loads(result.output)) == 2


def test_unknown_status_lists_the_valid_ones(run: Run, world: World) -> None:
    result = run("invoices", "--status", "late")
    assert result.exit_code == 1
    assert "Unknown status 'late'" in result.output
    assert "received, matched, on_hold, disputed, approved, paid" in result.output
