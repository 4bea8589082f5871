"""``pilotage simulate PLAN``: a plan file simulated and summarised, with no database.

``renovation.xml`` carries three-point estimates in Duration1-3 (Microsoft Project's PERT
analysis) on tasks 2 and 3; ``renovation.toml`` has none, two calendars, a started task, an
elapsed lag and a leveling delay.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pilotage.cli import simulate as simulate_command
from tests.cli.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures"
MSPDI = FIXTURES / "renovation.xml"
NATIVE = FIXTURES / "renovation.toml"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
KEYS = ["P10", "P50", "P80", "P90"]


def simulated(run: Run, plan: Path | str, *args: str) -> Any:
    result = run("simulate", str(plan), "--format", "json", "--iterations", "2000", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def scheduled_finish(run: Run, plan: Path) -> str:
    result = run("schedule", str(plan), "--format", "json")
    assert result.exit_code == 0, result.output
    finish: str = json.loads(result.stdout)["project"]["finish"]
    return finish


class TestJson:
    def test_the_document_has_the_percentiles_criticality_and_the_rest(self, run: Run) -> None:
        document = simulated(run, MSPDI, "--seed", "7")
        assert list(document) == [
            "finish_percentiles",
            "deterministic_finish",
            "criticality_index",
            "iterations",
            "seed",
            "method",
            "tornado",
            "warnings",
        ]
        percentiles = document["finish_percentiles"]
        assert list(percentiles) == KEYS
        assert all(ISO.match(value) for value in percentiles.values())
        assert sorted(percentiles.values()) == list(percentiles.values())
        assert ISO.match(document["deterministic_finish"])
        # Every task that does work, by UID; the summary task is left out.
        assert list(document["criticality_index"]) == ["2", "3", "4", "5", "6"]
        assert all(0 <= value <= 1 for value in document["criticality_index"].values())
        assert (document["iterations"], document["seed"], document["method"]) == (
            2000,
            7,
            "compiled",
        )

    def test_the_deterministic_finish_is_the_schedules(self, run: Run) -> None:
        for plan in (MSPDI, NATIVE):
            document = simulated(run, plan, "--seed", "1")
            assert document["deterministic_finish"] == scheduled_finish(run, plan)

    def test_the_files_three_point_estimates_are_what_varies(self, run: Run) -> None:
        document = simulated(run, MSPDI, "--seed", "2")
        # Only Strip out (2) and Rewire (3) have Duration1-3, and they are on the critical
        # path: the finish varies, and only they sway it.
        assert {row["uid"] for row in document["tornado"]} == {2, 3}
        assert (document["tornado"][0]["uid"], document["tornado"][0]["name"]) == (3, "Rewire")
        assert document["finish_percentiles"]["P10"] < document["finish_percentiles"]["P90"]
        assert document["criticality_index"]["4"] < 0.5 < document["criticality_index"]["3"]

    def test_without_estimates_the_finish_is_the_deterministic_one(self, run: Run) -> None:
        result = run("simulate", str(MSPDI), "--format", "json", "--estimates", "none")
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert set(document["finish_percentiles"].values()) == {document["deterministic_finish"]}
        assert document["tornado"] == []
        assert "--uncertainty" in result.stderr
        assert document["warnings"] == [
            line.removeprefix("Warning: ") for line in result.stderr.splitlines()
        ]

    def test_the_uncertainty_and_a_deadline_on_a_plan_written_as_code(self, run: Run) -> None:
        document = simulated(
            run,
            NATIVE,
            "--seed",
            "3",
            "--uncertainty",
            "triangular:0.9:1:1.6",
            "--deadline",
            "2026-03-20",
        )
        probability = document["deadline_probability"]
        assert 0 < probability < 1
        percentiles = document["finish_percentiles"]
        # The deadline is Friday 20 March at the end of the plan's day.
        assert percentiles["P10"] <= "2026-03-20T17:00:00"
        finished_by = sum(value <= "2026-03-20T17:00:00" for value in percentiles.values())
        assert finished_by >= 1
        assert set(document["criticality_index"]) == {"2", "3", "4", "5", "6", "7"}
        assert document["criticality_index"]["7"] == 1.0
        names = {row["name"] for row in document["tornado"]}
        assert {"Paint", "Rewire"} <= names

    def test_the_same_seed_gives_the_same_document(self, run: Run) -> None:
        options = ("--seed", "11", "--uncertainty", "pert:0.8:1:2")
        assert simulated(run, NATIVE, *options) == simulated(run, NATIVE, *options)
        other = simulated(run, NATIVE, "--seed", "12", "--uncertainty", "pert:0.8:1:2")
        assert other["finish_percentiles"] != simulated(run, NATIVE, *options)["finish_percentiles"]

    def test_a_very_large_run_leaves_the_tornado_out(
        self, run: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(simulate_command, "SENSITIVITY_VALUES", 6 * 1999)
        document = simulated(run, MSPDI, "--seed", "5")
        assert document["tornado"] == []
        assert any("tornado is left out" in warning for warning in document["warnings"])
        assert document["criticality_index"]["3"] == 1.0

    def test_triangular_estimates_differ_from_pert_ones(self, run: Run) -> None:
        pert = simulated(run, MSPDI, "--seed", "4")
        triangular = simulated(run, MSPDI, "--seed", "4", "--estimates", "triangular")
        # The triangular distribution has the heavier tail (its mean is further from the mode).
        assert triangular["finish_percentiles"]["P90"] > pert["finish_percentiles"]["P90"]


class TestTable:
    def test_the_summary_reads_percentiles_contingency_criticality_and_tornado(
        self, run: Run
    ) -> None:
        result = run(
            "simulate",
            str(NATIVE),
            "--iterations",
            "1000",
            "--uncertainty",
            "uniform:1:1.5",
            "--deadline",
            "2026-03-19T12:00",
        )
        assert result.exit_code == 0, result.output
        text = result.stdout
        header = text.splitlines()[0]
        match = re.fullmatch(r"Flat renovation: 1,000 iterations, seed (\d+) \(compiled\)", header)
        assert match is not None, header
        for key in ("Deterministic", *KEYS):
            assert re.search(rf"^{key} +\d{{4}}-\d\d-\d\d \d\d:\d\d$", text, re.MULTILINE), key
        assert "Chance to finish by 2026-03-19 12:00: " in text
        assert re.search(
            r"^Contingency at P80: \d+\.\d\d working days \(\d+ minutes\)$", text, re.M
        )
        critical = text.split("Most often critical")[1].split("Tornado")[0]
        assert re.search(r"^ +7 +7 +Handover +100\.0$", critical, re.MULTILINE), critical
        assert "Rewire" in text.split("Tornado")[1]
        # The seed printed repeats the run.
        again = run(
            "simulate",
            str(NATIVE),
            "--iterations",
            "1000",
            "--uncertainty",
            "uniform:1:1.5",
            "--deadline",
            "2026-03-19T12:00",
            "--seed",
            match.group(1),
        )
        assert again.stdout == text

    def test_a_random_seed_is_chosen_each_time(self, run: Run) -> None:
        seeds = {
            run("simulate", str(MSPDI), "--iterations", "10").stdout.splitlines()[0]
            for _ in range(3)
        }
        assert len(seeds) > 1


class TestBadInput:
    def refused(self, run: Run, *args: str) -> str:
        result = run("simulate", *args)
        assert result.exit_code != 0
        assert result.stdout == ""
        return result.stderr

    @pytest.mark.parametrize(
        ("option", "value", "problem"),
        [
            ("--uncertainty", "normal:1:2", "is not triangular:LOW:MODE:HIGH"),
            ("--uncertainty", "triangular:1:2", "takes 3 multipliers"),
            ("--uncertainty", "uniform:a:b", "takes 2 multipliers"),
            ("--uncertainty", "triangular:1.2:1:1.5", "low <= mode <= high"),
            ("--uncertainty", "pert:-1:1:2", "0 or more"),
            ("--iterations", "0", "0 is not in the range"),
            ("--seed", "-4", "-4 is not in the range"),
            ("--deadline", "next friday", "is not a date"),
            ("--format", "csv", "'csv' is not one of"),
            ("--estimates", "beta", "'beta' is not one of"),
        ],
    )
    def test_a_bad_option_names_the_option(
        self, run: Run, option: str, value: str, problem: str
    ) -> None:
        message = self.refused(run, str(MSPDI), option, value)
        assert f"Invalid value for '{option}'" in message
        assert problem in message

    def test_a_missing_file(self, run: Run, tmp_path: Path) -> None:
        plan = str(tmp_path / "missing.xml")
        assert self.refused(run, plan).splitlines() == [
            f"Error: {plan}: cannot be read: No such file or directory"
        ]

    def test_malformed_xml_gets_the_importers_message(self, run: Run, tmp_path: Path) -> None:
        plan = tmp_path / "broken.xml"
        plan.write_text(MSPDI.read_text().replace("<Name>Rewire</Name>", "<Name>Rewire</Nme>"))
        message = self.refused(run, str(plan))
        assert message.startswith(f"Error: {plan}, line ")
        assert "malformed XML" in message

    def test_a_bad_plan_written_as_code(self, run: Run, tmp_path: Path) -> None:
        plan = tmp_path / "plan.toml"
        plan.write_text(NATIVE.read_text().replace('duration = "3d"', 'duration = "3x"'))
        assert "Task 6: duration '3x' is not a duration" in self.refused(run, str(plan))

    def test_estimates_out_of_order_name_the_task(self, run: Run, tmp_path: Path) -> None:
        plan = tmp_path / "plan.xml"
        plan.write_text(MSPDI.read_text().replace("PT80H0M0S", "PT16H0M0S"))
        assert self.refused(run, str(plan)).splitlines() == [
            f"Error: {plan}: Task 3: Duration1, Duration2 and Duration3 (optimistic, expected "
            "and pessimistic) must be in increasing order, not 1440, 1920 and 960 minutes"
        ]


def test_the_command_is_listed(run: Run) -> None:
    result = run("--help")
    assert re.search(r"^\s+simulate\s+Simulate a plan file", result.stdout, re.MULTILINE)
