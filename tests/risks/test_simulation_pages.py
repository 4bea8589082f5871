"""The estimates grid and the simulation pages: who may open and use them, what they show, the
Excel export and a constant number of queries on the lists."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.planning import services as planning
from pilotage.risks import simulation
from pilotage.risks.models import SimulationRun, TaskEstimate
from tests.access import Access, AccessMixin
from tests.risks.test_simulation import DAY, Plan, build_plan, estimate
from tests.world import World

pytestmark = pytest.mark.django_db

SEES = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
CHANGES = ("admin", "pmo", "portfolio_manager", "project_manager")
READ_ONLY = ("viewer", "finance")
HIDDEN = ("outsider", "nobody")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _plan(world: World) -> Plan:
    """The world's plan with estimates, built once per test."""
    existing: Plan | None = getattr(world, "_simulation_plan", None)
    if existing is None:
        existing = build_plan(world)
        estimate(world, existing.design, 4, 5, 8)
        estimate(world, existing.build, 8, 10, 16)
        world._simulation_plan = existing  # type: ignore[attr-defined]
    return existing


def _run(world: World) -> SimulationRun:
    existing: SimulationRun | None = getattr(world, "_simulation_run", None)
    if existing is None:
        _plan(world)
        existing = simulation.simulation_run(
            actor=world.admin, project=world.project, iterations=1000, seed=7
        )
        world._simulation_run = existing  # type: ignore[attr-defined]
    return existing


def _estimates(w: World) -> str:
    _plan(w)
    return f"/projects/{w.project.pk}/raid/estimates/"


def _row(w: World) -> str:
    return f"/projects/{w.project.pk}/raid/estimates/{_plan(w).test.pk}/"


def _row_clear(w: World) -> str:
    return f"/projects/{w.project.pk}/raid/estimates/{_plan(w).design.pk}/clear/"


def _simulations(w: World) -> str:
    _plan(w)
    return f"/projects/{w.project.pk}/raid/simulations/"


NEW_RUN = {
    "iterations": "1000",
    "confidence": "80",
    "uncertainty_low": "0.9",
    "uncertainty_mode": "1",
    "uncertainty_high": "1.2",
    "include_risks": "on",
}


class TestAccess(AccessMixin):
    access = [
        Access("estimates", "get", _estimates, allowed=SEES, hidden=HIDDEN),
        Access(
            "estimates export",
            "get",
            _estimates,
            data=lambda w: {"format": "xlsx"},
            allowed=SEES,
            hidden=HIDDEN,
        ),
        Access(
            "save estimate",
            "post",
            _row,
            data=lambda w: {
                "distribution": "triangular",
                "optimistic": "2d",
                "most_likely": "3d",
                "pessimistic": "5d",
            },
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "clear estimate",
            "post",
            _row_clear,
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "multipliers",
            "post",
            lambda w: f"{_estimates(w)}multipliers/",
            data=lambda w: {
                "optimistic": "0.9",
                "most_likely": "1",
                "pessimistic": "1.3",
                "distribution": "triangular",
                "scope": "missing",
            },
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access("simulations", "get", _simulations, allowed=SEES, hidden=HIDDEN),
        Access(
            "new simulation",
            "post",
            _simulations,
            data=lambda w: NEW_RUN,
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "simulation",
            "get",
            lambda w: f"/raid/simulations/{_run(w).pk}/",
            allowed=SEES,
            hidden=HIDDEN,
        ),
        Access(
            "run again",
            "post",
            lambda w: f"/raid/simulations/{_run(w).pk}/rerun/",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete simulation form",
            "get",
            lambda w: f"/raid/simulations/{_run(w).pk}/delete/",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "delete simulation",
            "post",
            lambda w: f"/raid/simulations/{_run(w).pk}/delete/",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


def test_the_grid_shows_durations_in_days_and_saves_a_row_in_place(
    client: Client, world: World
) -> None:
    plan = _plan(world)
    client.force_login(world.project_manager)
    page = client.get(_estimates(world)).content.decode()
    assert "2 of 3 tasks estimated." in page
    assert 'value="4d"' in page
    assert 'value="8d"' in page
    assert "Delivery" not in page  # a summary task has no estimate of its own
    assert "Go live" not in page  # nor a milestone
    response = client.post(
        _row(world),
        {"distribution": "pert", "optimistic": "2", "most_likely": "3d", "pessimistic": "1w"},
        headers={"HX-Request": "true"},
    )
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="estimate-row-{plan.test.pk}"')
    assert "Saved" in row
    saved = TaskEstimate.objects.get(task=plan.test)
    assert (saved.optimistic_minutes, saved.pessimistic_minutes) == (2 * DAY, 5 * DAY)
    assert saved.distribution == "pert"


def test_a_wrong_row_comes_back_with_its_errors(client: Client, world: World) -> None:
    plan = _plan(world)
    client.force_login(world.project_manager)
    row = client.post(
        _row(world),
        {"distribution": "triangular", "optimistic": "5d", "most_likely": "3d", "pessimistic": "x"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "is not a duration" in row
    row = client.post(
        _row(world),
        {
            "distribution": "triangular",
            "optimistic": "5d",
            "most_likely": "3d",
            "pessimistic": "6d",
        },
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "cannot be longer than the most likely one" in row
    assert not TaskEstimate.objects.filter(task=plan.test).exists()


def test_the_viewer_reads_the_grid_without_inputs(client: Client, world: World) -> None:
    _plan(world)
    client.force_login(world.viewer)
    page = client.get(_estimates(world)).content.decode()
    assert "4d" in page
    assert "<input" not in page.split('data-testid="estimate-table"')[1].split("</table>")[0]
    assert "Apply the multipliers" not in page


def test_the_bulk_action_estimates_the_ticked_tasks(client: Client, world: World) -> None:
    plan = _plan(world)
    client.force_login(world.project_manager)
    response = client.post(
        f"{_estimates(world)}multipliers/",
        {
            "optimistic": "1",
            "most_likely": "1",
            "pessimistic": "2",
            "distribution": "uniform",
            "scope": "selected",
            "tasks": [str(plan.design.pk)],
        },
        follow=True,
    )
    assert "1 tasks estimated." in response.content.decode()
    design = TaskEstimate.objects.get(task=plan.design)
    assert (design.distribution, design.pessimistic_minutes) == ("uniform", 10 * DAY)
    assert not TaskEstimate.objects.filter(task=plan.test).exists()


def test_the_export_has_a_row_per_leaf_task(client: Client, world: World) -> None:
    _plan(world)
    client.force_login(world.viewer)
    response = client.get(_estimates(world), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert [row[2] for row in rows[1:]] == ["Design", "Build", "Test"]
    assert first["Planned (days)"] == 5
    assert first["Optimistic (days)"] == 4
    assert first["Pessimistic (days)"] == 8


def test_the_estimates_grid_makes_the_same_number_of_queries_for_more_tasks(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    _plan(world)
    client.force_login(world.project_manager)
    few = count_queries(lambda: client.get(_estimates(world)))
    for number in range(6):
        task = planning.task_create(
            actor=world.admin, project=world.project, name=f"Extra {number}", duration_minutes=DAY
        )
        estimate(world, task, 1, 1, 2)
    assert count_queries(lambda: client.get(_estimates(world))) == few


def test_the_simulation_form_defaults_to_the_projects_finish_and_budget(
    client: Client, world: World
) -> None:
    _plan(world)
    client.force_login(world.project_manager)
    page = client.get(_simulations(world)).content.decode()
    assert f'value="{world.project.finish_date:%Y-%m-%d}"' in page
    assert "Run the simulation" in page
    client.force_login(world.viewer)
    assert "Run the simulation" not in client.get(_simulations(world)).content.decode()


def test_a_run_from_the_form_opens_its_results(client: Client, world: World) -> None:
    _plan(world)
    client.force_login(world.project_manager)
    response = client.post(
        _simulations(world),
        {**NEW_RUN, "seed": "42", "name": "First", "deadline": "2026-03-20", "budget": "1000"},
    )
    run = SimulationRun.objects.get()
    assert response["Location"] == f"/raid/simulations/{run.pk}/"
    assert run.seed == 42
    assert run.settings["uncertainty"] == [0.9, 1.0, 1.2]
    assert run.settings["deadline"] == "2026-03-20T23:59"
    assert run.settings["budget"] == 1000
    page = client.get(response["Location"]).content.decode()
    p80 = next(entry for entry in run.results["percentiles"] if entry["label"] == "P80")
    assert f'datetime="{p80["finish"]}' in page
    # The card names the work that drives the finish, not the milestone closing the plan.
    card = page.split('data-testid="top-critical"')[1].split("</div>")[0]
    live = next(row for row in run.results["criticality"] if row["name"] == "Go live")
    assert live["milestone"]
    assert live["criticality"] == 1
    first = next(row for row in run.results["criticality"] if not row["milestone"])
    assert first["name"] in card
    assert "Go live" not in card
    assert 'id="simulation-data"' in page
    listing = client.get(_simulations(world)).content.decode()
    assert "First" in listing
    assert ">42<" in listing


def test_wrong_settings_stay_on_the_form(client: Client, world: World) -> None:
    _plan(world)
    client.force_login(world.project_manager)
    response = client.post(
        _simulations(world),
        {**NEW_RUN, "iterations": "50", "uncertainty_low": "1.5"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "greater than or equal to 1000" in page
    assert not SimulationRun.objects.exists()


def test_a_failed_run_shows_its_error(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pilotage.engine.errors import ScheduleInputError

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ScheduleInputError("Task 3: elapsed lags are not simulated")

    monkeypatch.setattr("pilotage.risks.simulation.simulate_plan", refuse)
    _plan(world)
    client.force_login(world.project_manager)
    response = client.post(_simulations(world), NEW_RUN, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="simulation-error"' in page
    assert "elapsed lags are not simulated" in page


def test_the_runs_list_makes_the_same_number_of_queries_for_more_runs(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    _run(world)
    client.force_login(world.viewer)
    few = count_queries(lambda: client.get(_simulations(world)))
    for seed in range(4):
        simulation.simulation_run(
            actor=world.pmo, project=world.project, iterations=1000, seed=seed
        )
    assert count_queries(lambda: client.get(_simulations(world))) == few


def test_run_again_repeats_the_results(client: Client, world: World) -> None:
    first = _run(world)
    client.force_login(world.pmo)
    response = client.post(f"/raid/simulations/{first.pk}/rerun/")
    again = SimulationRun.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/raid/simulations/{again.pk}/"
    assert again.results["percentiles"] == first.results["percentiles"]


def test_a_run_still_reads_after_its_tasks_change(client: Client, world: World) -> None:
    run = _run(world)
    planning.task_delete(actor=world.admin, task=_plan(world).design)
    client.force_login(world.viewer)
    response = client.get(f"/raid/simulations/{run.pk}/")
    assert response.status_code == 200
    used = response.content.decode().split('data-testid="estimates-used"')[1]
    assert "Design" in used.split("</table>")[0]


def test_row_ids_and_ticks_carry_the_bare_task_number(client: Client, world: World) -> None:
    # Numbers are shown with thousands separators; ids and posted values must not be.
    from pilotage.planning.models import Task

    _plan(world)
    Task.objects.create(
        pk=12345, project=world.project, name="Archive the boxes", position=99, uid=99
    )
    client.force_login(world.project_manager)
    page = client.get(_estimates(world)).content.decode()
    assert 'id="estimate-row-12345"' in page
    assert 'name="tasks" value="12345"' in page
    assert "12,345" not in page
