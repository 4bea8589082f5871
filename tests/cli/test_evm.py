"""``pilotage evm``: a project's earned value as a table or as JSON."""

from __future__ import annotations

import json

import pytest

from pilotage.cli.finance import JSON_KEYS
from tests.cli.conftest import Run
from tests.finance.test_earned_value_service import hand_calculated
from tests.world import World

pytestmark = pytest.mark.django_db


def test_json_has_every_key_spelled_out(run: Run, world: World) -> None:
    hand_calculated(world.project)

    result = run("evm", "CRM", "--as-of", "2026-03-16", "--format", "json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert list(document) == list(JSON_KEYS)
    assert document["project"] == "CRM"
    assert document["currency"] == "EUR"
    assert document["as_of"] == "2026-03-16"
    assert document["planned_value"] == "2000.00"
    assert document["earned_value"] == "1800.00"
    assert document["actual_cost"] == "1860.00"
    assert document["budget_at_completion"] == "4000.00"
    assert document["estimate_at_completion"] == "4133.33"
    assert document["estimate_at_completion_atypical"] == "4060.00"
    assert document["variance_at_completion"] == "-133.33"
    assert document["schedule_performance_index"] == pytest.approx(0.9)
    assert document["cost_performance_index"] == pytest.approx(0.967742)
    assert document["earned_schedule"] == "2026-03-15"
    assert document["earned_schedule_days"] == pytest.approx(14)
    assert document["actual_time_days"] == pytest.approx(15)
    assert document["schedule_variance_time_days"] == pytest.approx(-1)
    assert document["independent_estimate_at_completion_time_days"] == pytest.approx(30)
    assert document["planned_finish"] == "2026-03-29"
    assert document["forecast_finish"] == "2026-03-31"


def test_table_shows_each_metric_with_its_abbreviation(run: Run, world: World) -> None:
    hand_calculated(world.project)

    result = run("evm", "CRM", "--as-of", "2026-03-16")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "CRM" in lines[0]
    assert "2026-03-16" in lines[0]
    by_abbreviation = {}
    for line in lines[3:]:
        parts = line.split("  ")
        cells = [part.strip() for part in parts if part.strip()]
        if len(cells) >= 3:
            by_abbreviation.setdefault(cells[1], cells[2])
    assert by_abbreviation["EV"] == "1,800.00 EUR"
    assert by_abbreviation["CPI"] == "0.968"
    assert by_abbreviation["SPI(t)"] == "0.933"
    assert by_abbreviation["EAC"] == "4,133.33 EUR"
    for abbreviation in ("PV", "AC", "BAC", "SV", "CV", "SPI", "ETC", "VAC", "TCPI", "ES"):
        assert abbreviation in by_abbreviation
    assert "IEAC(t)" in result.output


def test_respects_the_acting_users_rights(run: Run, world: World) -> None:
    hand_calculated(world.project)

    seen = run("--as", "viewer", "evm", "CRM", "--as-of", "2026-03-16", "--format", "json")
    hidden = run("--as", "outsider", "evm", "CRM")

    assert seen.exit_code == 0, seen.output
    assert hidden.exit_code == 1
    assert "Unknown project: CRM" in hidden.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("evm", "NOPE"), "Unknown project: NOPE"),
        (("evm", "HR"), "no cost baseline"),
        (("evm", "CRM", "--as-of", "16/03/2026"), "Invalid status date: 16/03/2026"),
    ],
)
def test_errors(run: Run, world: World, arguments: tuple[str, ...], message: str) -> None:
    hand_calculated(world.project)

    result = run(*arguments)

    assert result.exit_code != 0
    assert message in result.output
