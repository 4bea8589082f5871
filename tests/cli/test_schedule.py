"""``pilotage schedule PLAN``: a plan file scheduled and printed, with no database."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pilotage.cli.planning import TASK_COLUMNS
from tests.cli.conftest import Run

FIXTURES = Path(__file__).parent / "fixtures"
LAUNCH = FIXTURES / "launch.xml"
OFFICE_MOVE = FIXTURES / "office-move.toml"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
NAMESPACE = {"p": "http://schemas.microsoft.com/project"}
REQUIRED = {
    "uid",
    "name",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
}


def scheduled(run: Run, plan: Path, output: str = "json") -> Any:
    result = run("schedule", str(plan), "--format", output)
    assert result.exit_code == 0, result.output
    return result


def tasks_by_uid(document: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {task["uid"]: task for task in document["tasks"]}


def file_dates(plan: Path) -> dict[int, tuple[str, str]]:
    """The Start and Finish the file gives each task."""
    tree = etree.parse(str(plan))
    return {
        int(task.findtext("p:UID", namespaces=NAMESPACE)): (
            task.findtext("p:Start", namespaces=NAMESPACE),
            task.findtext("p:Finish", namespaces=NAMESPACE),
        )
        for task in tree.iterfind("p:Tasks/p:Task", namespaces=NAMESPACE)
    }


class TestJson:
    def test_the_document_has_the_project_and_every_task(self, run: Run) -> None:
        document = json.loads(scheduled(run, LAUNCH).stdout)
        assert set(document) == {"project", "tasks"}
        project = document["project"]
        assert project["name"] == "Product launch"
        assert (project["start"], project["finish"]) == (
            "2026-03-02T08:00:00",
            "2026-03-17T17:00:00",
        )
        assert [task["uid"] for task in document["tasks"]] == [1, 2, 3, 4, 5, 6, 7]
        for task in document["tasks"]:
            assert set(task) >= REQUIRED
            for key in ("early_start", "early_finish", "late_start", "late_finish"):
                assert ISO.match(task[key]), task[key]
            assert isinstance(task["total_float_minutes"], int)
            assert isinstance(task["critical"], bool)

    def test_the_dates_are_those_of_the_file_leveling_delay_included(self, run: Run) -> None:
        tasks = tasks_by_uid(json.loads(scheduled(run, LAUNCH).stdout))
        expected = file_dates(LAUNCH)
        for uid, task in tasks.items():
            assert (task["early_start"], task["early_finish"]) == expected[uid], uid
        # Training would finish a day after Go live starts (Friday 13 to Monday 16); its
        # leveling delay of one elapsed day moves it to Monday 16 and Tuesday 17.
        assert (tasks[7]["early_start"], tasks[7]["early_finish"]) == (
            "2026-03-16T08:00:00",
            "2026-03-17T17:00:00",
        )
        assert tasks[5]["manual"] is True

    def test_summary_tasks_floats_and_critical_path(self, run: Run) -> None:
        tasks = tasks_by_uid(json.loads(scheduled(run, LAUNCH).stdout))
        assert tasks[1]["summary"] is True
        assert (tasks[1]["early_start"], tasks[1]["early_finish"]) == (
            "2026-03-02T08:00:00",
            "2026-03-13T17:00:00",
        )
        assert [uid for uid, task in tasks.items() if task["critical"]] == [1, 2, 3, 4, 6, 7]
        # The docs (Tuesday 3) may slip until Build finishes: 7 working days, the company day
        # of Monday 9 excluded.
        assert tasks[5]["total_float_minutes"] == 7 * 480
        assert tasks[5]["free_float_minutes"] == 7 * 480
        assert tasks[6]["milestone"] is True

    def test_warnings_go_to_standard_error_one_per_line(self, run: Run) -> None:
        result = scheduled(run, LAUNCH)
        assert result.stderr.splitlines() == [
            "Warning: Manually scheduled, so kept on the start the file gives whatever their "
            "predecessors: task 5",
            "Warning: Task 5 (Write the docs): manually scheduled on 2026-03-03 08:00, before its "
            "predecessors allow (2026-03-05 08:00); the links into it are left out",
        ]
        assert json.loads(result.stdout)["project"]["warnings"] == [
            line.removeprefix("Warning: ") for line in result.stderr.splitlines()
        ]

    def test_a_plan_written_as_code(self, run: Run) -> None:
        document = json.loads(scheduled(run, OFFICE_MOVE).stdout)
        project, tasks = document["project"], tasks_by_uid(document)
        assert (project["format"], project["calendar"], project["status_date"]) == (
            "toml",
            "Office",
            "2026-03-04T17:00:00",
        )
        # Choosing the movers: half of 3 days done from Monday 2; the rest resumes after the
        # status date (Wednesday 4 at 17:00): Thursday, and Friday until 12:00.
        assert tasks[2]["early_finish"] == "2026-03-06T12:00:00"
        # The move (on the movers' calendar, with Saturday mornings) ends on Saturday 14.
        assert tasks[4]["early_finish"] == "2026-03-14T09:00:00"
        assert tasks[6]["early_start"] == "2026-03-23T08:00:00"
        assert tasks[6]["critical"] is True


class TestCsvAndTable:
    def test_csv_has_the_same_columns_and_values_as_json(self, run: Run) -> None:
        rows = list(csv.DictReader(io.StringIO(scheduled(run, LAUNCH, "csv").stdout)))
        document = json.loads(scheduled(run, LAUNCH).stdout)
        assert tuple(rows[0]) == TASK_COLUMNS
        assert len(rows) == len(document["tasks"])
        for row, task in zip(rows, document["tasks"], strict=True):
            assert row["uid"] == str(task["uid"])
            assert row["name"] == task["name"]
            assert row["early_start"] == task["early_start"]
            assert row["late_finish"] == task["late_finish"]
            assert row["total_float_minutes"] == str(task["total_float_minutes"])
            assert row["critical"] == str(task["critical"])

    def test_the_table_indents_names_by_outline_level(self, run: Run) -> None:
        lines = scheduled(run, LAUNCH, "table").stdout.splitlines()
        header, rule, *rows = lines
        assert header.split() == [
            "UID",
            "ID",
            "WBS",
            "Name",
            "Early",
            "start",
            "Early",
            "finish",
            "Late",
            "start",
            "Late",
            "finish",
            "Total",
            "float",
            "(d)",
            "Free",
            "float",
            "(d)",
            "Critical",
        ]
        assert set(rule) == {"-", " "}
        assert len(rows) == 7
        name_column = header.index("Name")
        assert rows[0][name_column:].startswith("Launch ")
        assert rows[1][name_column:].startswith("  Design ")
        docs = rows[4]
        assert "2026-03-03 08:00  2026-03-03 17:00  2026-03-13 08:00  2026-03-13 17:00" in docs
        assert docs.split()[-2:] == ["7", "7"]
        assert rows[1].split()[-1] == "yes"


class TestErrors:
    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        return tmp_path

    def write(self, folder: Path, name: str, text: str) -> str:
        path = folder / name
        path.write_text(text)
        return str(path)

    def failed(self, run: Run, plan: str) -> str:
        result = run("schedule", plan, "--format", "json")
        assert result.exit_code == 1
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        return lines[0]

    def test_a_missing_file(self, run: Run, folder: Path) -> None:
        plan = str(folder / "missing.xml")
        assert self.failed(run, plan) == (
            f"Error: {plan}: cannot be read: No such file or directory"
        )

    def test_a_file_that_is_not_microsoft_project_xml(self, run: Run, folder: Path) -> None:
        plan = self.write(folder, "page.xml", "<?xml version='1.0'?>\n<html><body/></html>\n")
        assert self.failed(run, plan) == (
            f"Error: {plan}, line 2: not a Microsoft Project XML file: the document is <html>, "
            "not <Project>"
        )

    def test_malformed_xml(self, run: Run, folder: Path) -> None:
        text = LAUNCH.read_text().replace("<Name>Design</Name>", "<Name>Design</Nme>")
        plan = self.write(folder, "broken.xml", text)
        line = next(
            number
            for number, content in enumerate(text.splitlines(), 1)
            if "Design</Nme>" in content
        )
        message = self.failed(run, plan)
        assert message.startswith(f"Error: {plan}, line {line}: malformed XML: ")

    def test_a_link_to_a_missing_task(self, run: Run, folder: Path) -> None:
        text = LAUNCH.read_text().replace(
            "<PredecessorUID>6</PredecessorUID>", "<PredecessorUID>66</PredecessorUID>"
        )
        plan = self.write(folder, "plan.xml", text)
        line = next(
            number for number, content in enumerate(text.splitlines(), 1) if ">66<" in content
        )
        assert self.failed(run, plan) == (
            f"Error: {plan}, line {line}: Task 7: PredecessorUID 66 is not a task of the file"
        )

    def test_a_cycle(self, run: Run, folder: Path) -> None:
        plan = self.write(
            folder,
            "cycle.toml",
            'name = "Loop"\nstart = 2026-03-02\n'
            '[[tasks]]\nuid = 1\nname = "Design"\nduration = "1d"\npredecessors = ["2"]\n'
            '[[tasks]]\nuid = 2\nname = "Build"\nduration = "1d"\npredecessors = ["1"]\n',
        )
        message = self.failed(run, plan)
        assert message.startswith(f"Error: {plan}: The dependencies form a cycle: task ")
        assert "task 1 (Design)" in message
        assert "task 2 (Build)" in message

    def test_a_malformed_duration(self, run: Run, folder: Path) -> None:
        plan = self.write(
            folder,
            "plan.json",
            '{"name": "P", "start": "2026-03-02",\n "tasks": [\n'
            '  {"uid": 4, "name": "Build", "duration": "3x"}\n ]\n}\n',
        )
        assert self.failed(run, plan).startswith(
            f"Error: {plan}, line 3: Task 4: duration '3x' is not a duration"
        )

    def test_a_calendar_without_working_time(self, run: Run, folder: Path) -> None:
        days = ", ".join(
            f"{day} = []" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        )
        plan = self.write(
            folder,
            "plan.toml",
            f'name = "P"\nstart = 2026-03-02\n[[calendars]]\nname = "Never"\nweek = {{ {days} }}\n'
            '[[tasks]]\nuid = 1\nname = "A"\nduration = "1d"\n',
        )
        assert self.failed(run, plan) == f"Error: {plan}: Calendar 'Never' has no working time"


def test_no_database_and_no_django_set_up(tmp_path: Path) -> None:
    """The command runs where there is no data directory, and never sets Django up."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from django.apps import apps\n"
        "from django.conf import settings\n"
        "from pilotage.cli.main import main\n"
        f"result = CliRunner().invoke(main, ['schedule', {str(LAUNCH)!r}, '--format', 'json'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(apps.ready, settings.configured, result.stdout.count('\"uid\"'))\n"
    )
    data_dir = tmp_path / "data"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "PILOTAGE_DATABASE_URL"}
    }
    env["PILOTAGE_DATA_DIR"] = str(data_dir)
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert output.stdout.split() == ["False", "False", "7"]
    assert not data_dir.exists()
