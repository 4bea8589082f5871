"""``pilotage resources``, ``pilotage capacity`` and ``pilotage conflicts``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from pilotage.cli.resources import GROUP_NAMES, PERIOD_NAMES
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources import services
from pilotage.resources.capacity import GROUPINGS, PERIODS
from pilotage.resources.models import Department, JobRole, Resource
from tests.cli.conftest import Run
from tests.world import World

pytestmark = pytest.mark.django_db

WEEK = 5 * 480
MARCH = ("--from", "2026-03-02", "--to", "2026-03-15")


def _monday() -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday())


def _week_task(world: World, project: Project, name: str, monday: dt.date) -> Task:
    start = dt.datetime.combine(monday, dt.time(8))
    planning.plan_update(actor=world.admin, project=project, start=start)
    return planning.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=WEEK
    )


def _overload(world: World, monday: dt.date) -> Resource:
    """Alice (IT, Java developer) full time on CRM's Build and at 60 % on HR's Train, the week
    of ``monday``; Bob (Finance) has nothing to do."""
    it = services.organisation_item_create(actor=world.admin, model=Department, name="IT")
    finance = services.organisation_item_create(
        actor=world.admin, model=Department, name="Finance", code="FIN"
    )
    java = services.organisation_item_create(
        actor=world.admin, model=JobRole, name="Java developer"
    )
    alice = services.resource_create(
        actor=world.admin, name="Alice Martin", department=it, role=java
    )
    services.resource_create(actor=world.admin, name="Bob Stone", department=finance)
    build = _week_task(world, world.project, "Build", monday)
    train = _week_task(world, world.sibling_project, "Train", monday)
    services.assignment_create(actor=world.admin, task=build, resource=alice)
    services.assignment_create(
        actor=world.admin,
        task=train,
        resource=alice,
        units=Decimal("0.6"),
    )
    return alice


@pytest.fixture
def this_week(world: World) -> Resource:
    return _overload(world, _monday())


@pytest.fixture
def march(world: World) -> Resource:
    return _overload(world, dt.date(2026, 3, 2))


def test_choices_are_the_report_choices() -> None:
    assert tuple(name for name, _label in PERIODS) == PERIOD_NAMES
    assert tuple(name for name, _label in GROUPINGS) == GROUP_NAMES


# resources ----------------------------------------------------------------------------------


def test_resources_json_gives_capacity_and_load_this_week(run: Run, this_week: Resource) -> None:
    result = run("resources", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"Alice Martin", "Bob Stone"}
    alice = rows["Alice Martin"]
    assert alice["id"] == this_week.pk
    assert alice["role"] == "Java developer"
    assert alice["department"] == "IT"
    assert alice["assignments"] == 2
    assert alice["capacity_hours"] == 40.0
    assert alice["load_hours"] == 64.0
    assert alice["load_percent"] == 160.0
    assert rows["Bob Stone"]["load_percent"] == 0.0
    year, week, _day = _monday().isocalendar()
    assert alice["week"] == f"{year}-W{week:02d}"


def test_resources_table_and_filters(run: Run, this_week: Resource) -> None:
    table = run("resources")
    assert table.exit_code == 0, table.output
    alice_line = next(line for line in table.stdout.splitlines() if "Alice" in line)
    assert alice_line.split()[-3:] == ["40.0", "64.0", "160"]
    finance = run("resources", "--department", "fin", "--format", "json")
    assert [row["name"] for row in json.loads(finance.stdout)] == ["Bob Stone"]
    java = run("resources", "--role", "java developer", "--format", "json")
    assert [row["name"] for row in json.loads(java.stdout)] == ["Alice Martin"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--department", "Sales", "Unknown department: Sales"), ("--role", "Pilot", "Unknown role")],
)
def test_resources_unknown_filter_is_an_error(
    run: Run, world: World, option: str, value: str, message: str
) -> None:
    result = run("resources", option, value)
    assert result.exit_code == 1
    assert message in result.output


def test_resources_as_a_user_without_roles(run: Run, this_week: Resource) -> None:
    result = run("--as", "nobody", "resources", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


# capacity -----------------------------------------------------------------------------------


def test_capacity_json_matrix(run: Run, march: Resource) -> None:
    result = run("capacity", *MARCH, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [period["label"] for period in document["periods"]] == ["2026-W10", "2026-W11"]
    rows = {row["label"]: row for row in document["rows"]}
    assert rows["Alice Martin"]["percent"] == [160.0, 0.0]
    assert rows["Alice Martin"]["overloaded"] == [True, False]
    assert rows["Bob Stone"]["load_hours"] == [0.0, 0.0]


def test_capacity_table_over_only(run: Run, march: Resource) -> None:
    result = run("capacity", *MARCH, "--over-only")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["Person", "2026-W10", "2026-W11"]
    body = [line for line in lines[3:] if line.strip()]
    assert [line.split() for line in body] == [["Alice", "Martin", "160", "0"]]


def test_capacity_by_department_and_month(run: Run, march: Resource) -> None:
    result = run(
        "capacity",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--period",
        "month",
        "--group-by",
        "department",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = {row["label"]: row for row in json.loads(result.stdout)["rows"]}
    assert set(rows) == {"Finance", "IT"}
    assert rows["IT"]["load_hours"] == [64.0]
    assert rows["IT"]["capacity_hours"] == [176.0]


def test_capacity_end_before_start_is_an_error(run: Run, world: World) -> None:
    result = run("capacity", "--from", "2026-03-10", "--to", "2026-03-01")
    assert result.exit_code == 1
    assert "before its start" in result.output


# conflicts ----------------------------------------------------------------------------------


def test_conflicts_in_plain_words(run: Run, march: Resource) -> None:
    result = run("conflicts", *MARCH)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Alice Martin is at 160 % in week 10 of 2026: New CRM, Build 100 %; "
        "HR self-service, Train 60 %"
    ]


def test_conflicts_name_only_the_projects_the_user_may_see(run: Run, march: Resource) -> None:
    result = run("--as", "pm", "conflicts", *MARCH, "--format", "json")
    assert result.exit_code == 0, result.output
    (conflict,) = json.loads(result.stdout)
    assert conflict["resource"] == "Alice Martin"
    assert conflict["period_start"] == "2026-03-02"
    assert conflict["percent"] == 160.0
    assert [
        (part["project_code"], part["task"], part["hours"]) for part in conflict["contributions"]
    ] == [
        ("CRM", "Build", 40.0),
        (None, "", 24.0),
    ]
    assert "HR self-service" not in conflict["sentence"]


def test_no_conflicts_is_said_on_standard_error(run: Run, march: Resource) -> None:
    result = run("conflicts", "--from", "2026-04-06", "--to", "2026-04-19")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Nobody is over capacity from 2026-04-06 to 2026-04-19." in result.stderr


def test_conflicts_by_department(run: Run, march: Resource) -> None:
    result = run("conflicts", *MARCH, "--department", "Finance", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []
