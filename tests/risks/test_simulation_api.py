"""The simulations part of the API: estimates and runs, who may use each operation, what it
answers, and a constant number of queries on the lists."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from pilotage.risks import simulation
from pilotage.risks.models import SimulationRun, TaskEstimate
from tests.access import Access, AccessMixin
from tests.risks.test_simulation import DAY, build_plan, estimate
from tests.risks.test_simulation_pages import CHANGES, HIDDEN, READ_ONLY, SEES, _plan, _run
from tests.world import World

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _estimates(w: World) -> str:
    _plan(w)
    return f"{API}/projects/{w.project.pk}/estimates"


class TestAccess(AccessMixin):
    access = [
        Access("estimates", "get", _estimates, allowed=SEES, hidden=HIDDEN, api=True),
        Access(
            "put estimate",
            "put",
            lambda w: f"{_estimates(w)}/{_plan(w).test.pk}",
            data=lambda w: {
                "optimistic_minutes": DAY,
                "most_likely_minutes": 2 * DAY,
                "pessimistic_minutes": 4 * DAY,
            },
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            api=True,
        ),
        Access(
            "delete estimate",
            "delete",
            lambda w: f"{_estimates(w)}/{_plan(w).design.pk}",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(204,),
            api=True,
        ),
        Access(
            "multipliers",
            "post",
            lambda w: f"{_estimates(w)}/multipliers",
            data=lambda w: {"optimistic": 0.8, "most_likely": 1, "pessimistic": 1.5},
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            api=True,
        ),
        Access(
            "simulations",
            "get",
            lambda w: f"{API}/projects/{w.project.pk}/simulations",
            allowed=SEES,
            hidden=HIDDEN,
            api=True,
        ),
        Access(
            "new simulation",
            "post",
            lambda w: (_plan(w), f"{API}/projects/{w.project.pk}/simulations")[1],
            data=lambda w: {"iterations": 1000, "seed": 3},
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
            api=True,
        ),
        Access(
            "simulation",
            "get",
            lambda w: f"{API}/simulations/{_run(w).pk}",
            allowed=SEES,
            hidden=HIDDEN,
            api=True,
        ),
        Access(
            "rerun",
            "post",
            lambda w: f"{API}/simulations/{_run(w).pk}/rerun",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
            api=True,
        ),
        Access(
            "delete simulation",
            "delete",
            lambda w: f"{API}/simulations/{_run(w).pk}",
            allowed=CHANGES,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(204,),
            api=True,
        ),
    ]


def _put(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(data), content_type="application/json")


def test_put_sets_an_estimate_and_refuses_wrong_ones(client: Client, world: World) -> None:
    plan = _plan(world)
    client.force_login(world.project_manager)
    url = f"{_estimates(world)}/{plan.test.pk}"
    answer = _put(
        client,
        url,
        {
            "distribution": "pert",
            "optimistic_minutes": DAY,
            "most_likely_minutes": 3 * DAY,
            "pessimistic_minutes": 5 * DAY,
            "cost_low": "100",
            "cost_likely": "150",
            "cost_high": "300",
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["task"] == "Test"
    assert body["planned_minutes"] == 3 * DAY
    assert body["cost_high"] == "300.00"
    wrong = _put(
        client,
        url,
        {"optimistic_minutes": 4 * DAY, "most_likely_minutes": 3 * DAY, "pessimistic_minutes": DAY},
    )
    assert wrong.status_code == 422
    fields = wrong.json()["error"]["fields"]
    assert "cannot be longer than the most likely one" in fields["optimistic_minutes"][0]
    milestone = _put(
        client,
        f"{_estimates(world)}/{plan.live.pk}",
        {"optimistic_minutes": 0, "most_likely_minutes": 0, "pessimistic_minutes": DAY},
    )
    assert milestone.status_code == 422
    assert "is a milestone" in milestone.json()["error"]["fields"]["task"][0]
    other = build_plan(world, world.sibling_project)
    elsewhere = _put(
        client,
        f"{_estimates(world)}/{other.build.pk}",
        {"optimistic_minutes": DAY, "most_likely_minutes": DAY, "pessimistic_minutes": DAY},
    )
    assert elsewhere.status_code == 404


def test_multipliers_answer_the_estimates_written(client: Client, world: World) -> None:
    plan = _plan(world)
    client.force_login(world.project_manager)
    answer = client.post(
        f"{_estimates(world)}/multipliers",
        json.dumps({"optimistic": 1, "most_likely": 1, "pessimistic": 2}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 1
    assert body["items"][0]["task_id"] == plan.test.pk
    assert body["items"][0]["pessimistic_minutes"] == 6 * DAY


def test_create_answers_the_results_and_defaults_to_the_projects_deadline(
    client: Client, world: World
) -> None:
    _plan(world)
    client.force_login(world.pmo)
    answer = client.post(
        f"{API}/projects/{world.project.pk}/simulations",
        json.dumps({"iterations": 2000, "seed": 11, "uncertainty": [0.9, 1, 1.2]}),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "done"
    assert body["seed"] == 11
    assert body["iterations"] == 2000
    assert body["settings"]["deadline"] == f"{world.project.finish_date:%Y-%m-%d}T23:59"
    assert body["settings"]["budget"] == float(world.project.budget)
    assert [entry["label"] for entry in body["results"]["percentiles"]] == [
        "P10",
        "P50",
        "P80",
        "P90",
    ]
    p80 = body["results"]["percentiles"][2]["finish"]
    assert body["p80_finish"].startswith(p80)
    assert body["project_ids"] == [world.project.pk]
    none = client.post(
        f"{API}/projects/{world.project.pk}/simulations",
        json.dumps({"iterations": 1000, "deadline": None, "budget": None}),
        content_type="application/json",
    ).json()
    assert none["settings"]["deadline"] is None
    assert none["results"]["deadline_probability"] is None
    wrong = client.post(
        f"{API}/projects/{world.project.pk}/simulations",
        json.dumps({"iterations": 10, "uncertainty": [1, 2]}),
        content_type="application/json",
    )
    assert wrong.status_code == 422
    assert set(wrong.json()["error"]["fields"]) == {"iterations", "uncertainty"}


def test_rerun_gives_the_same_results(client: Client, world: World) -> None:
    first = _run(world)
    client.force_login(world.project_manager)
    answer = client.post(f"{API}/simulations/{first.pk}/rerun")
    assert answer.status_code == 201
    assert answer.json()["results"]["percentiles"] == first.results["percentiles"]


def test_lists_make_the_same_number_of_queries_for_more_rows(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    plan = _plan(world)
    _run(world)
    client.force_login(world.viewer)
    runs = f"{API}/projects/{world.project.pk}/simulations"
    few_runs = count_queries(lambda: client.get(runs))
    few_estimates = count_queries(lambda: client.get(_estimates(world)))
    for seed in range(3):
        simulation.simulation_run(
            actor=world.admin, project=world.project, iterations=1000, seed=seed
        )
    estimate(world, plan.test, 1, 2, 3)
    assert count_queries(lambda: client.get(runs)) == few_runs
    assert count_queries(lambda: client.get(_estimates(world))) == few_estimates
    assert client.get(runs).json()["count"] == SimulationRun.objects.count()
    assert client.get(_estimates(world)).json()["count"] == TaskEstimate.objects.count()
