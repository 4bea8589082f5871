"""``pilotage import`` (dry run, new project, update) and ``pilotage export``."""

from __future__ import annotations

import io
import json
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
