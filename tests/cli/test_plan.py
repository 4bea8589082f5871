"""``pilotage plan show``, ``recalc``, ``health`` and ``baseline`` on stored plans."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

from pilotage.cli.plan import TASK_COLUMNS
from pilotage.planning import services
from pilotage.planning.models import Baseline, ProjectPlan, Task
from tests.cli.conftest import Run
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 8, 0)


@pytest.fixture
def planned(world: World) -> World:
    """CRM: Design (2d), Build (3d) after it, Launch after Build; Docs (1d) linked to nothing."""
    services.plan_update(actor=world.pmo, project=world.project, start=MONDAY)
    for name, minutes, predecessors in (
        ("Design", 960, ""),
        ("Build", 1440, "1"),
        ("Launch", 0, "2FS+1d"),
        ("Docs", 480, ""),
    ):
        services.task_create(
            actor=world.pmo,
            project=world.project,
            name=name,
            duration_minutes=minutes,
            predecessors=predecessors,
        )
    return world


def _json(run: Run, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_show_json_has_every_task_with_its_schedule(run: Run, planned: World) -> None:
    data = _json(run, "plan", "show", "CRM", "--format", "json")
    assert data["project"]["code"] == "CRM"
    assert data["project"]["start"] == "2026-03-02T08:00:00"
    assert data["project"]["finish"] == "2026-03-09T17:00:00"
    assert data["project"]["task_count"] == 4
    tasks = {task["name"]: task for task in data["tasks"]}
    assert list(tasks) == ["Design", "Build", "Launch", "Docs"]
    assert set(tasks["Build"]) == set(TASK_COLUMNS)
    build = tasks["Build"]
    assert (build["position"], build["duration"], build["predecessors"]) == (2, "3d", "1")
    assert (build["start"], build["finish"]) == ("2026-03-04T08:00:00", "2026-03-06T17:00:00")
    assert build["critical"] is True
    assert build["total_float_minutes"] == 0
    assert tasks["Launch"]["predecessors"] == "2FS+1d"
    assert tasks["Launch"]["milestone"] is True
    assert tasks["Docs"]["critical"] is False
    # Docs may slip until the launch: 5 working days of float.
    assert tasks["Docs"]["total_float_minutes"] == 5 * 480


def test_show_csv_has_one_row_per_task(run: Run, planned: World) -> None:
    result = run("plan", "show", "CRM", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == TASK_COLUMNS
    assert [row["name"] for row in rows] == ["Design", "Build", "Launch", "Docs"]
    assert rows[2]["predecessors"] == "2FS+1d"
    assert rows[3]["free_float_minutes"] == str(5 * 480)


def test_show_table_for_the_terminal(run: Run, planned: World) -> None:
    proofread = services.task_create(actor=planned.pmo, project=planned.project, name="Proofread")
    services.task_indent(actor=planned.pmo, task=proofread)
    result = run("plan", "show", "CRM")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CRM — New CRM: 5 tasks")
    assert lines[1].split()[:4] == ["ID", "WBS", "Name", "Duration"]
    build = lines[4]
    assert build.split()[:4] == ["2", "2", "Build", "3d"]
    assert "2026-03-04 08:00" in build
    assert "yes" in build
    child = lines[-1]
    assert child.split()[:4] == ["5", "4.1", "Proofread", "1d"]
    assert "  Proofread" in child
    # Proofread may slip by 5 working days before it delays the launch.
    assert " 5 " in child


def test_show_an_empty_plan(run: Run, world: World) -> None:
    result = run("plan", "show", "HR")
    assert result.exit_code == 0, result.output
    assert "0 tasks" in result.stdout
    assert "No tasks." in result.stderr


@pytest.mark.parametrize("command", ["show", "recalc", "health"])
def test_a_project_the_user_may_not_see_is_unknown(run: Run, planned: World, command: str) -> None:
    result = run("--as", "outsider", "plan", command, "CRM")
    assert result.exit_code == 1
    assert "Unknown project: CRM" in result.stderr
    assert "Traceback" not in result.output


def test_recalc_stores_the_schedule_again(run: Run, planned: World) -> None:
    # Dates written behind the services' back, as after a restore of an old copy.
    Task.objects.filter(project=planned.project).update(start=None, finish=None)
    ProjectPlan.objects.filter(project=planned.project).update(finish=None, task_count=0)

    result = run("--as", "pm", "plan", "recalc", "CRM")
    assert result.exit_code == 0, result.output
    assert "CRM scheduled: 4 tasks, 3 critical, finish 2026-03-09 17:00." in result.stdout
    build = Task.objects.get(name="Build")
    assert build.start == dt.datetime(2026, 3, 4, 8, 0)
    assert ProjectPlan.objects.get(project=planned.project).task_count == 4


def test_recalc_schedules_the_projects_that_follow(run: Run, planned: World) -> None:
    services.plan_update(actor=planned.pmo, project=planned.sibling_project, start=MONDAY)
    portal = services.task_create(actor=planned.pmo, project=planned.sibling_project, name="Portal")
    services.dependency_create(
        actor=planned.pmo, predecessor=Task.objects.get(name="Launch"), successor=portal
    )
    result = run("plan", "recalc", "CRM")
    assert result.exit_code == 0, result.output
    assert "Scheduled again with it: HR." in result.stdout
    # The project manager of CRM does not see HR: it is not named to them.
    hidden = run("--as", "pm", "plan", "recalc", "CRM")
    assert hidden.exit_code == 0, hidden.output
    assert "HR" not in hidden.stdout


def test_recalc_needs_the_change_permission(run: Run, planned: World) -> None:
    result = run("--as", "viewer", "plan", "recalc", "CRM")
    assert result.exit_code == 1
    assert "You do not have permission" in result.stderr


def test_health_table_names_the_tasks_at_fault(run: Run, planned: World) -> None:
    result = run("plan", "health", "CRM")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CRM: schedule health ")
    rows = lines[3:]
    assert len(rows) == 14
    logic = rows[0].split()
    assert logic[:2] == ["1", "Logic"]
    assert "failed" in logic
    # Design has no predecessor, Docs is linked to nothing (Launch is a milestone).
    assert logic[-2:] == ["1,", "4"]
    assert "not assessed" in rows[10]


def test_health_json(run: Run, planned: World) -> None:
    data = _json(run, "--as", "viewer", "plan", "health", "CRM", "--format", "json")
    assert [check["number"] for check in data["checks"]] == list(range(1, 15))
    logic = data["checks"][0]
    assert [(task["position"], task["name"]) for task in logic["offending"]] == [
        (1, "Design"),
        (4, "Docs"),
    ]
    plan = ProjectPlan.objects.get(project=planned.project)
    assert (data["score"], data["rating"]) == (plan.health_score, plan.health_rating)
    assert data["has_baseline"] is False


def test_baseline_captures_the_current_dates(run: Run, planned: World) -> None:
    first = run("--as", "pm", "plan", "baseline", "CRM", "Approved", "--description", "Board")
    assert first.exit_code == 0, first.output
    assert "Baseline “Approved” of CRM captured (primary)." in first.stdout
    approved = Baseline.objects.get(name="Approved")
    assert (approved.description, approved.is_primary) == ("Board", True)
    assert approved.tasks.get(name="Build").start == dt.datetime(2026, 3, 4, 8, 0)
    assert approved.captured_by == planned.project_manager

    second = run("plan", "baseline", "CRM", "Replanned")
    assert second.exit_code == 0, second.output
    assert "(primary)" not in second.stdout
    third = run("plan", "baseline", "CRM", "Final", "--primary")
    assert "(primary)" in third.stdout
    assert list(Baseline.objects.filter(is_primary=True).values_list("name", flat=True)) == [
        "Final"
    ]
    health = _json(run, "plan", "health", "CRM", "--format", "json")
    assert health["has_baseline"] is True


def test_baseline_errors_are_one_line(run: Run, planned: World) -> None:
    run("plan", "baseline", "CRM", "Approved")
    again = run("plan", "baseline", "CRM", "Approved")
    assert again.exit_code == 1
    assert "already has a baseline with this name" in again.stderr
    assert "Traceback" not in again.output
    refused = run("--as", "viewer", "plan", "baseline", "CRM", "Mine")
    assert refused.exit_code == 1
    assert "You do not have permission" in refused.stderr
    assert Baseline.objects.count() == 1


def test_help_lists_the_plan_commands(run: Run) -> None:
    result = run("plan", "--help")
    assert result.exit_code == 0, result.output
    for command in ("show", "recalc", "health", "baseline"):
        assert command in result.output
