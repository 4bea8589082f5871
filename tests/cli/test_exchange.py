"""``pilotage import`` (dry run, new project, update) and ``pilotage export``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from pilotage.interop.mspdi import read_mspdi_document
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from tests.cli.conftest import Run
from tests.world import World

WAREHOUSE = Path(__file__).parent.parent / "exchange" / "fixtures" / "warehouse.xml"


def test_dry_run_json_counts_without_a_database(run: Run) -> None:
    result = run("import", str(WAREHOUSE), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "format": "mspdi",
        "tasks": 5,
        "links": 3,
        "resources": 2,
        "assignments": 2,
        "calendars": 1,
        "warnings": [],
    }


def pilotage(*args: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run ``pilotage`` as a user does, in a fresh process with only the environment given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "DJANGO_SETTINGS_MODULE" and not key.startswith("PILOTAGE_")
    }
    return subprocess.run(
        [sys.executable, "-m", "pilotage", *args],
        env={**env, **environment},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dry_run_table_in_a_fresh_process(tmp_path: Path) -> None:
    """The table of a dry run needs no database: Django is not set up for it."""
    data_dir = tmp_path / "data"
    result = pilotage(
        "import", str(WAREHOUSE), "--dry-run", cwd=tmp_path, PILOTAGE_DATA_DIR=str(data_dir)
    )
    assert result.returncode == 0, result.stderr
    header, rule, *rows = result.stdout.splitlines()
    assert header.split() == ["What", "Count"]
    assert set(rule) == {"-", " "}
    assert dict(row.split() for row in rows) == {
        "Format": "mspdi",
        "Tasks": "5",
        "Links": "3",
        "Resources": "2",
        "Assignments": "2",
        "Calendars": "1",
    }
    assert result.stderr == "Dry run: nothing was written.\n"
    assert not data_dir.exists()


def test_dry_run_table_in_french(tmp_path: Path) -> None:
    result = pilotage(
        "import",
        str(WAREHOUSE),
        "--dry-run",
        cwd=tmp_path,
        PILOTAGE_DATA_DIR=str(tmp_path / "data"),
        PILOTAGE_LANGUAGE="fr",
    )
    assert result.returncode == 0, result.stderr
    rows = dict(line.split() for line in result.stdout.splitlines()[2:])
    assert rows["Tâches"] == "5"
    assert "Tasks" not in rows


def test_dry_run_of_a_table_reports_row_errors(run: Run, tmp_path: Path) -> None:
    table = tmp_path / "tasks.csv"
    table.write_text("Name,Duration,Predecessors\nDig,2d,\nPour,1x,1\n\nCure,5ed,2\n")
    result = run("import", str(table), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["format"], report["tasks"], report["links"]) == ("csv", 3, 2)
    assert any("row 3" in warning and "'1x'" in warning for warning in report["warnings"])


def test_a_broken_file_fails_with_its_name(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "cut.xml"
    broken.write_bytes(WAREHOUSE.read_bytes()[:900])
    result = run("import", str(broken), "--dry-run")
    assert result.exit_code == 1
    assert "cut.xml" in result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_import_creates_then_updates_a_project(run: Run, world: World, tmp_path: Path) -> None:
    result = run(
        "import", str(WAREHOUSE), "--portfolio", "CORP", "--code", "WH", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project"] == "WH"
    project = Project.objects.get(code="WH")
    assert Task.objects.filter(project=project).count() == 5
    changed = tmp_path / "v2.xml"
    changed.write_bytes(
        WAREHOUSE.read_bytes().replace(b"<Name>Move</Name>", b"<Name>Relocate</Name>")
    )
    dry = run("import", str(changed), "--project", "WH", "--dry-run", "--format", "json")
    assert json.loads(dry.stdout)["changes"]["updated_count"] == 1
    assert Task.objects.get(project=project, uid=20).name == "Move"
    result = run("import", str(changed), "--project", "WH")
    assert result.exit_code == 0, result.output
    assert Task.objects.get(project=project, uid=20).name == "Relocate"


@pytest.mark.django_db
def test_import_as_a_viewer_of_the_project_is_refused(run: Run, world: World) -> None:
    result = run("--as", "viewer", "import", str(WAREHOUSE), "--project", "CRM")
    assert result.exit_code == 1
    assert "permission" in result.stderr


@pytest.mark.django_db
def test_export_every_format(run: Run, world: World, tmp_path: Path) -> None:
    run("import", str(WAREHOUSE), "--portfolio", "CORP", "--code", "WH")
    xml = run("export", "WH", "--format", "mspdi")
    assert xml.exit_code == 0, xml.output
    assert read_mspdi_document(xml.stdout_bytes, name="wh.xml").counts()["tasks"] == 5
    target = tmp_path / "wh.xlsx"
    assert run("export", "WH", "--format", "xlsx", "--output", str(target)).exit_code == 0
    assert load_workbook(io.BytesIO(target.read_bytes()))["Tasks"].max_row == 6
    ics = run("export", "WH", "--format", "ics")
    assert len(Calendar.from_ical(ics.stdout_bytes).walk("VEVENT")) == 2
    plan = json.loads(run("export", "WH", "--format", "json").stdout)
    assert plan["name"] == "Warehouse move"
    assert run("export", "NOPE", "--format", "ics").exit_code == 1
