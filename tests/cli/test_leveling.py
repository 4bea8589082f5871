"""``pilotage level``: a plan file leveled and explained, and PSPLIB instances, with no database.

``fixtures/leveling.xml`` (worked out by hand in its comment): Alice Martin designs (2 days,
priority 700) and plans the site (1 day); the crane lifts the beams (priority 600) and hoists
the roof (1 day each), then Inspect follows the roof. All start on Monday 2 March 2026.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

from pilotage.interop.formats import read_project_file
from tests.cli.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "leveling.xml"

# Jobs 2, 3 and 4 share resource 1 (2 units): 2 + 2 and 2 + 1 units do not fit together, so
# they run one after the other: 3 + 2 + 1 = 6 periods, which is optimal.
TINY = """\
************************************************************************
file with basedata            : tiny.bas
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  5
horizon                       :  10
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          3           2   3   4
   2        1          1           5
   3        1          1           5
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1
------------------------------------------------------------------------
  1      1     0       0
  2      1     3       2
  3      1     2       2
  4      1     1       1
  5      1     0       0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1
    2
************************************************************************
"""


def leveled(run: Run, *args: str) -> str:
    result = run("level", str(SITE), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


class TestPlan:
    def test_the_table_gives_each_delay_its_reason_and_the_finishes(self, run: Run) -> None:
        lines = leveled(run).splitlines()
        assert lines[0].split() == [
            "UID",
            "Name",
            "Delay",
            "Start",
            "before",
            "Start",
            "after",
            "Finish",
            "after",
        ]
        assert lines[2].split() == [
            "2",
            "Plan",
            "the",
            "site",
            "2ed",
            "2026-03-02",
            "08:00",
            "2026-03-04",
            "08:00",
            "2026-03-04",
            "17:00",
        ]
        assert lines[3].split()[:5] == ["4", "Hoist", "the", "roof", "1ed"]
        assert (
            "- Plan the site (UID 2) waits 2ed for Alice Martin, busy with Design (UID 1) on "
            "2026-03-02 08:00."
        ) in lines
        assert (
            "- Hoist the roof (UID 4) waits 1ed for Crane, busy with Lift the beams (UID 3) on "
            "2026-03-02 08:00."
        ) in lines
        assert lines[-1] == (
            "Project finish: 2026-03-03 17:00 before leveling, 2026-03-04 17:00 after"
        )

    def test_json_spells_everything_out(self, run: Run) -> None:
        document = json.loads(leveled(run, "--format", "json"))
        assert document["project"] == {
            "name": "Site works",
            "file": str(SITE),
            "finish_before": "2026-03-03T17:00:00",
            "finish_after": "2026-03-04T17:00:00",
        }
        first, second = document["delayed_tasks"]
        assert (first["uid"], first["leveling_delay"], first["leveling_delay_minutes"]) == (
            2,
            "2ed",
            2880,
        )
        assert (first["start"], first["finish"]) == ("2026-03-04T08:00:00", "2026-03-04T17:00:00")
        [reason] = first["reasons"]
        assert reason["resource"] == "Alice Martin"
        assert reason["competing_tasks"] == [{"uid": 1, "name": "Design"}]
        assert reason["waiting_from"] == "2026-03-02T08:00:00"
        assert second["uid"] == 4
        assert document["unresolved_overallocations"] == []
        assert set(document["search"]) >= {"method", "proven_optimal", "time_limit_reached"}

    def test_the_same_seed_gives_the_same_answer(self, run: Run) -> None:
        def answer() -> dict[str, Any]:
            document: dict[str, Any] = json.loads(leveled(run, "--seed", "3", "--format", "json"))
            del document["search"]["seconds"]
            return document

        assert answer() == answer()

    def test_within_slack_nothing_moves_and_the_overallocations_are_listed(self, run: Run) -> None:
        # The site plan has one day of float but needs two; the roof has none.
        output = leveled(run, "--within-slack")
        assert "No task needs to be delayed." in output
        assert "Over-allocations left:" in output
        assert (
            "- Alice Martin, 2026-03-02 08:00 - 2026-03-02 17:00: Design (UID 1), "
            "Plan the site (UID 2)"
        ) in output
        assert "- Crane, 2026-03-02 08:00 - 2026-03-02 17:00" in output
        assert output.splitlines()[-1] == (
            "Project finish: 2026-03-03 17:00 before leveling, 2026-03-03 17:00 after"
        )

    def test_the_leveled_plan_written_as_microsoft_project_xml(
        self, run: Run, tmp_path: Path
    ) -> None:
        out = tmp_path / "leveled.xml"
        leveled(run, "-o", str(out))
        document = read_project_file(out.read_bytes(), out.name)
        delays = {task.uid: task.leveling_delay_minutes for task in document.plan.tasks}
        assert delays == {1: 0, 2: 2880, 3: 0, 4: 1440, 5: 0}
        assert len(document.resources) == 2
        assert len(document.assignments) == 4
        schedule = json.loads(run("schedule", str(out), "--format", "json").stdout)
        assert schedule["project"]["finish"] == "2026-03-04T17:00:00"
        inspect = next(task for task in schedule["tasks"] if task["uid"] == 5)
        assert (inspect["start"], inspect["finish"]) == (
            "2026-03-04T08:00:00",
            "2026-03-04T17:00:00",
        )

    def test_the_leveled_plan_written_as_a_pilotage_plan(self, run: Run, tmp_path: Path) -> None:
        out = tmp_path / "leveled.toml"
        leveled(run, "-o", str(out))
        text = out.read_text()
        assert 'leveling_delay = "2ed"' in text
        assert 'leveling_delay = "1ed"' in text
        schedule = json.loads(run("schedule", str(out), "--format", "json").stdout)
        assert schedule["project"]["finish"] == "2026-03-04T17:00:00"

    def test_a_task_needing_more_than_a_resource_has(self, run: Run, tmp_path: Path) -> None:
        text = SITE.read_text().replace(
            "<TaskUID>3</TaskUID><ResourceUID>2</ResourceUID><Units>1</Units>",
            "<TaskUID>3</TaskUID><ResourceUID>2</ResourceUID><Units>2</Units>",
        )
        plan = tmp_path / "two-cranes.xml"
        plan.write_text(text)
        out = tmp_path / "out.xml"
        result = run("level", str(plan), "-o", str(out))
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.strip() == (
            f"Error: {plan}: Task 'Lift the beams' (UID 3) needs 2 units of 'Crane' which has "
            "at most 1 from the task's start on"
        )
        assert not out.exists()
        assert plan.read_text() == text

    def test_a_resource_with_no_working_time(self, run: Run, tmp_path: Path) -> None:
        text = SITE.read_text().replace(
            "<Name>Crane</Name><Type>1</Type><MaxUnits>1</MaxUnits>",
            "<Name>Crane</Name><Type>1</Type><MaxUnits>0</MaxUnits>",
        )
        plan = tmp_path / "no-crane.xml"
        plan.write_text(text)
        result = run("level", str(plan))
        assert result.exit_code == 1
        assert "Resource 'Crane' has no working time" in result.stderr

    def test_a_file_that_is_not_a_plan(self, run: Run, tmp_path: Path) -> None:
        plan = tmp_path / "notes.txt"
        plan.write_text("hello")
        result = run("level", str(plan))
        assert result.exit_code == 1
        assert "notes.txt" in result.stderr

    def test_an_unknown_output_extension(self, run: Run, tmp_path: Path) -> None:
        result = run("level", str(SITE), "-o", str(tmp_path / "out.pdf"))
        assert result.exit_code == 1
        assert "write the leveled plan as .xml, .json or .toml" in result.stderr


class TestPsplib:
    def test_json_is_exactly_the_makespan_and_every_jobs_start(
        self, run: Run, tmp_path: Path
    ) -> None:
        instance = tmp_path / "tiny.sm"
        instance.write_text(TINY)
        result = run("level", "--psplib", str(instance), "--format", "json")
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert set(document) == {"makespan", "starts"}
        assert document["makespan"] == 6
        starts = document["starts"]
        assert list(starts) == ["1", "2", "3", "4", "5"]
        assert (starts["1"], starts["5"]) == (0, 6)
        spans = sorted(
            (starts[job], starts[job] + duration)
            for job, duration in (("2", 3), ("3", 2), ("4", 1))
        )
        assert spans[0][0] == 0
        assert all(before[1] <= after[0] for before, after in pairwise(spans))

    def test_the_table(self, run: Run, tmp_path: Path) -> None:
        instance = tmp_path / "tiny.sm"
        instance.write_text(TINY)
        result = run("level", "--psplib", str(instance), "--mode", "optimise", "--time-limit", "5")
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["Job", "Start", "Finish", "Duration"]
        assert len(lines) == 2 + 5 + 1
        assert lines[-1] == "Makespan: 6 (lower bound 6, optimal)"

    def test_a_malformed_instance_is_named(self, run: Run, tmp_path: Path) -> None:
        instance = tmp_path / "broken.sm"
        instance.write_text("jobs (incl. supersource/sink ):  two\n")
        result = run("level", "--psplib", str(instance), "--format", "json")
        assert result.exit_code == 1
        assert "broken.sm" in result.stderr

    def test_either_a_plan_or_an_instance(self, run: Run, tmp_path: Path) -> None:
        assert run("level").exit_code == 1
        both = run("level", str(SITE), "--psplib", str(tmp_path / "x.sm"))
        assert both.exit_code == 1
        assert "Give either a PLAN file or --psplib FILE.sm." in both.stderr
