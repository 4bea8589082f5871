"""Schedule risk analysis through the services: three-point estimates and their rules, the
adapter that turns a project (and the projects it depends on) into the engine's inputs, and
simulation runs stored with their seed, inputs and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.engine.errors import RiskInputError
from pilotage.engine.risk import LogNormal, Pert, Triangular, Uniform
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.risks import simulation
from pilotage.risks.models import (
    EstimateDistribution,
    Risk,
    RiskKind,
    RiskScaleLevel,
    RiskStatus,
    ScaleKind,
    SimulationRun,
    SimulationStatus,
    TaskEstimate,
)
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 8, 0)
DAY = 480


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@dataclass
class Plan:
    """A small plan of ``world.project``: a phase of three tasks in a row, then a milestone."""

    phase: Task
    design: Task
    build: Task
    test: Task
    live: Task


def build_plan(world: World, project: Project | None = None, start: dt.datetime = MONDAY) -> Plan:
    project = project or world.project
    planning.plan_update(actor=world.admin, project=project, start=start)

    def add(name: str, days: float, **values: Any) -> Task:
        return planning.task_create(
            actor=world.admin,
            project=project,
            name=name,
            duration_minutes=int(days * DAY),
            **values,
        )

    phase = add("Delivery", 1)
    design = add("Design", 5, outline_level=2)
    build = add("Build", 10, predecessors=str(design.position))
    test = add("Test", 3, predecessors=str(build.position))
    live = add("Go live", 0, predecessors=str(test.position))
    tasks = {task.name: task for task in Task.objects.filter(project=project)}
    return Plan(
        phase=tasks[phase.name],
        design=tasks[design.name],
        build=tasks[build.name],
        test=tasks[test.name],
        live=tasks[live.name],
    )


def estimate(world: World, task: Task, low: float, likely: float, high: float, **values: Any):  # type: ignore[no-untyped-def]
    return simulation.estimate_set(
        actor=world.project_manager,
        task=task,
        optimistic_minutes=int(low * DAY),
        most_likely_minutes=int(likely * DAY),
        pessimistic_minutes=int(high * DAY),
        **values,
    )


def make_risk(world: World, code: str, tasks: list[Task], **values: Any) -> Risk:
    values.setdefault("title", f"Risk {code}")
    risk = Risk.objects.create(
        portfolio=world.portfolio,
        programme=world.project.programme,
        project=values.pop("project", world.project),
        code=code,
        **values,
    )
    risk.tasks.set(tasks)
    return risk


# Estimates -----------------------------------------------------------------------------------


def test_an_estimate_is_set_replaced_and_cleared_with_its_history(world: World) -> None:
    plan = build_plan(world)
    first = estimate(world, plan.design, 4, 5, 8)
    assert (first.optimistic_minutes, first.most_likely_minutes, first.pessimistic_minutes) == (
        4 * DAY,
        5 * DAY,
        8 * DAY,
    )
    second = estimate(world, plan.design, 4, 6, 9, distribution=EstimateDistribution.PERT)
    assert second.pk == first.pk
    assert TaskEstimate.objects.get(task=plan.design).distribution == EstimateDistribution.PERT
    assert simulation.estimate_clear(actor=world.project_manager, task=plan.design)
    assert not TaskEstimate.objects.filter(task=plan.design).exists()
    assert not simulation.estimate_clear(actor=world.project_manager, task=plan.design)
    actions = [entry.action for entry in history_for(first)]
    assert sorted(actions) == ["created", "deleted", "updated"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ((6, 5, 8), "optimistic_minutes", "cannot be longer than the most likely one"),
        ((4, 9, 8), "pessimistic_minutes", "cannot be shorter than the most likely one"),
        ((-1, 5, 8), "optimistic_minutes", "The optimistic duration cannot be negative."),
        ((0, 0, 0), "pessimistic_minutes", "must be above zero"),
    ],
)
def test_an_estimate_out_of_order_is_refused_with_a_clear_message(
    world: World, values: tuple[float, float, float], field: str, message: str
) -> None:
    plan = build_plan(world)
    with pytest.raises(ValidationError) as caught:
        estimate(world, plan.build, *values)
    assert message in " ".join(caught.value.message_dict[field])
    assert not TaskEstimate.objects.exists()


def test_summary_tasks_milestones_and_other_projects_tasks_are_refused(world: World) -> None:
    plan = build_plan(world)
    with pytest.raises(ValidationError, match="is a summary task"):
        estimate(world, plan.phase, 1, 2, 3)
    with pytest.raises(ValidationError, match="is a milestone"):
        estimate(world, plan.live, 1, 2, 3)
    with pytest.raises(ValidationError, match="is not a task of the project HR"):
        simulation.estimate_set(
            actor=world.admin,
            task=plan.design,
            project=world.sibling_project,
            optimistic_minutes=DAY,
            most_likely_minutes=DAY,
            pessimistic_minutes=2 * DAY,
        )


def test_costs_are_all_three_or_none_and_in_order(world: World) -> None:
    plan = build_plan(world)
    with pytest.raises(ValidationError, match="or none of them"):
        estimate(world, plan.build, 8, 10, 15, cost_likely=Decimal("100"))
    with pytest.raises(ValidationError, match="from the lowest to the most likely"):
        estimate(
            world,
            plan.build,
            8,
            10,
            15,
            cost_low=Decimal("200"),
            cost_likely=Decimal("100"),
            cost_high=Decimal("300"),
        )


def test_a_lognormal_estimate_takes_its_median_as_most_likely(world: World) -> None:
    plan = build_plan(world)
    saved = simulation.estimate_set(
        actor=world.project_manager,
        task=plan.build,
        distribution=EstimateDistribution.LOGNORMAL,
        optimistic_minutes=4 * DAY,
        most_likely_minutes=None,
        pessimistic_minutes=9 * DAY,
    )
    assert saved.most_likely_minutes == 6 * DAY
    with pytest.raises(ValidationError, match="lognormal estimate needs an optimistic"):
        simulation.estimate_set(
            actor=world.project_manager,
            task=plan.build,
            distribution=EstimateDistribution.LOGNORMAL,
            optimistic_minutes=0,
            most_likely_minutes=DAY,
            pessimistic_minutes=9 * DAY,
        )


def test_only_who_may_change_the_project_estimates_it(world: World) -> None:
    plan = build_plan(world)
    with pytest.raises(ForbiddenError):
        estimate_as(world.viewer, plan.design)
    with pytest.raises(ForbiddenError):
        estimate_as(world.finance, plan.design)
    with pytest.raises(NotFoundError):
        estimate_as(world.outsider, plan.design)
    assert estimate_as(world.pmo, plan.design).pk


def estimate_as(user: Any, task: Task) -> TaskEstimate:
    return simulation.estimate_set(
        actor=user,
        task=task,
        optimistic_minutes=DAY,
        most_likely_minutes=2 * DAY,
        pessimistic_minutes=3 * DAY,
    )


def test_multipliers_estimate_the_tasks_without_one_or_the_chosen_ones(world: World) -> None:
    plan = build_plan(world)
    estimate(world, plan.design, 4, 5, 6)
    written = simulation.estimates_apply_multipliers(
        actor=world.project_manager, project=world.project, optimistic=0.9, pessimistic=1.3
    )
    assert sorted(item.task.name for item in written) == ["Build", "Test"]
    build = TaskEstimate.objects.get(task=plan.build)
    assert (build.optimistic_minutes, build.most_likely_minutes, build.pessimistic_minutes) == (
        round(0.9 * 10 * DAY),
        10 * DAY,
        round(1.3 * 10 * DAY),
    )
    design = TaskEstimate.objects.get(task=plan.design)
    assert design.pessimistic_minutes == 6 * DAY  # kept: it had its own estimate
    chosen = simulation.estimates_apply_multipliers(
        actor=world.project_manager,
        project=world.project,
        optimistic=1,
        most_likely=1,
        pessimistic=2,
        tasks=[plan.design],
    )
    assert [item.task_id for item in chosen] == [plan.design.pk]
    assert TaskEstimate.objects.get(task=plan.design).pessimistic_minutes == 10 * DAY
    with pytest.raises(ValidationError, match="must go from the optimistic"):
        simulation.estimates_apply_multipliers(
            actor=world.project_manager, project=world.project, optimistic=1.2, pessimistic=1.1
        )
    with pytest.raises(ValidationError, match="is a milestone"):
        simulation.estimates_apply_multipliers(
            actor=world.project_manager, project=world.project, tasks=[plan.live]
        )


def test_durations_are_read_and_shown_as_the_plan_shows_them(world: World) -> None:
    plan = build_plan(world)
    assert simulation.parse_duration("5", plan.build, field_name="optimistic") == 5 * DAY
    assert simulation.parse_duration("1.5d", plan.build, field_name="optimistic") == 720
    assert simulation.parse_duration("2w", plan.build, field_name="optimistic") == 10 * DAY
    assert simulation.show_duration(720, plan.build) == "1.5d"
    with pytest.raises(ValidationError) as caught:
        simulation.parse_duration("3ed", plan.build, field_name="pessimistic")
    assert "not elapsed time" in caught.value.message_dict["pessimistic"][0]
    with pytest.raises(ValidationError) as caught:
        simulation.parse_duration("soon", plan.build, field_name="pessimistic")
    assert "is not a duration" in caught.value.message_dict["pessimistic"][0]


def test_estimate_rows_list_the_leaf_tasks_in_few_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    plan = build_plan(world)
    estimate(world, plan.design, 4, 5, 8)
    with django_assert_max_num_queries(8):
        rows = simulation.estimate_rows(user=world.viewer, project=world.project)
        shown = [(row.task.name, row.planned, row.optimistic, row.pessimistic) for row in rows]
    assert shown == [
        ("Design", "5d", "4d", "8d"),
        ("Build", "10d", "", ""),
        ("Test", "3d", "", ""),
    ]


# The adapter ---------------------------------------------------------------------------------


def test_risk_events_come_from_open_risks_with_tasks_and_their_probability(world: World) -> None:
    plan = build_plan(world)
    RiskScaleLevel.objects.all().delete()
    for level, percent in enumerate((5, 20, 40, 60, 85), start=1):
        RiskScaleLevel.objects.create(
            kind=ScaleKind.PROBABILITY,
            level=level,
            name=f"P{level}",
            probability_percent=Decimal(percent),
        )
    for level in range(1, 6):
        RiskScaleLevel.objects.create(kind=ScaleKind.IMPACT, level=level, name=f"I{level}")
    make_risk(
        world,
        "R-001",
        [plan.build],
        probability=4,
        schedule_impact_min_days=Decimal("1"),
        schedule_impact_likely_days=Decimal("2"),
        schedule_impact_max_days=Decimal("5"),
        cost_impact=Decimal("3000"),
    )
    make_risk(
        world,
        "R-002",
        [plan.test, plan.phase],
        probability_percent=Decimal("25"),
        schedule_impact_likely_days=Decimal("3"),
    )
    make_risk(
        world,
        "R-003",
        [plan.design],
        kind=RiskKind.OPPORTUNITY,
        probability_percent=Decimal("50"),
        schedule_impact_likely_days=Decimal("2"),
        cost_impact=Decimal("1000"),
    )
    make_risk(world, "R-004", [plan.build], status=RiskStatus.CLOSED, cost_impact=Decimal("9"))
    make_risk(world, "R-005", [], cost_impact=Decimal("9"))
    make_risk(world, "R-006", [plan.build])
    setup = simulation.simulation_setup(user=world.project_manager, project=world.project)
    recorded = {risk["code"]: risk for risk in setup.inputs["risks"]}
    assert sorted(recorded) == ["R-001", "R-002", "R-003"]
    assert recorded["R-001"]["probability"] == pytest.approx(0.6)
    assert recorded["R-001"]["probability_source"] == "scale"
    assert recorded["R-002"]["probability"] == pytest.approx(0.25)
    events = {event.name.split()[0]: event for event in setup.risks}
    assert events["R-001"].delay_minutes == Triangular(1 * DAY, 2 * DAY, 5 * DAY)
    assert events["R-001"].cost.mean == 3000
    assert tuple(events["R-001"].task_uids) == (plan.build.pk,)
    # A single most likely value is a fixed delay; a summary task takes none.
    assert events["R-002"].delay_minutes == Triangular(3 * DAY, 3 * DAY, 3 * DAY)
    assert tuple(events["R-002"].task_uids) == (plan.test.pk,)
    assert any("R-002 delays only the tasks that do work" in w for w in setup.warnings)
    # An opportunity only lowers the cost.
    assert events["R-003"].delay_minutes is None
    assert events["R-003"].cost.mean == -1000


def test_risks_can_be_left_out(world: World) -> None:
    plan = build_plan(world)
    make_risk(world, "R-001", [plan.build], probability_percent=Decimal(50), cost_impact=5)
    setup = simulation.simulation_setup(
        user=world.project_manager, project=world.project, include_risks=False
    )
    assert setup.risks == []
    assert setup.inputs["risks"] == []


def test_estimates_and_costs_become_distributions(world: World) -> None:
    plan = build_plan(world)
    estimate(world, plan.design, 4, 5, 8)
    estimate(world, plan.build, 8, 10, 15, distribution=EstimateDistribution.PERT)
    estimate(
        world,
        plan.test,
        2,
        3,
        6,
        distribution=EstimateDistribution.LOGNORMAL,
        cost_low=Decimal("1000"),
        cost_likely=Decimal("1500"),
        cost_high=Decimal("4000"),
    )
    planning.task_update(actor=world.admin, task=plan.design, fixed_cost=Decimal("2500"))
    setup = simulation.simulation_setup(user=world.project_manager, project=world.project)
    assert setup.estimates == {
        plan.design.pk: Triangular(4 * DAY, 5 * DAY, 8 * DAY),
        plan.build.pk: Pert(8 * DAY, 10 * DAY, 15 * DAY),
        plan.test.pk: LogNormal(2 * DAY, 6 * DAY),
    }
    assert setup.costs == {plan.design.pk: 2500.0, plan.test.pk: LogNormal(1000.0, 4000.0)}
    uniform = simulation._distribution("uniform", 1, 2, 3)
    assert uniform == Uniform(1, 3)


def _link_sibling(world: World, plan: Plan, start: dt.datetime) -> Task:
    """A task of the sibling project, starting later than CRM, that Build waits for."""
    planning.plan_update(actor=world.admin, project=world.sibling_project, start=start)
    upstream = planning.task_create(
        actor=world.admin,
        project=world.sibling_project,
        name="Interface ready",
        duration_minutes=4 * DAY,
    )
    planning.dependency_create(actor=world.admin, predecessor=upstream, successor=plan.build)
    return upstream


def test_the_projects_depended_on_join_the_plan_with_their_own_start(world: World) -> None:
    plan = build_plan(world)
    later = dt.datetime(2026, 3, 9, 8, 0)
    upstream = _link_sibling(world, plan, later)
    unrelated = planning.task_create(
        actor=world.admin, project=world.sibling_project, name="Unrelated", duration_minutes=DAY
    )
    setup = simulation.simulation_setup(user=world.pmo, project=world.project, include_linked=True)
    assert [project.code for project in setup.projects] == ["CRM", "HR"]
    joined = setup.plan.tasks_by_uid[upstream.pk]
    assert (joined.constraint_type, joined.constraint_date) == ("SNET", later)
    assert joined.duration_minutes == 4 * DAY
    assert setup.plan.start == MONDAY
    # Only what can move this project joins it: the other project's finish is not ours.
    assert unrelated.pk not in setup.plan.tasks_by_uid
    # The chosen project's own tasks keep their start: they start with the merged plan.
    assert setup.plan.tasks_by_uid[plan.design.pk].constraint_type == "ASAP"
    assert setup.own == {plan.phase.pk, plan.design.pk, plan.build.pk, plan.test.pk, plan.live.pk}
    assert [entry["code"] for entry in setup.inputs["projects"]] == ["CRM", "HR"]


def test_projects_the_user_cannot_see_stay_pinned_at_their_dates(world: World) -> None:
    plan = build_plan(world)
    upstream = _link_sibling(world, plan, dt.datetime(2026, 3, 9, 8, 0))
    upstream.refresh_from_db()
    setup = simulation.simulation_setup(
        user=world.project_manager, project=world.project, include_linked=True
    )
    assert [project.code for project in setup.projects] == ["CRM"]
    pinned = setup.plan.tasks_by_uid[upstream.pk]
    assert pinned.id is None
    assert (pinned.actual_start, pinned.actual_finish) == (upstream.start, upstream.finish)
    assert simulation.upstream_projects(world.project, user=world.project_manager) == []
    assert simulation.upstream_projects(world.project, user=world.pmo) == [world.sibling_project]


# Runs ----------------------------------------------------------------------------------------


def _estimated_plan(world: World) -> Plan:
    plan = build_plan(world)
    estimate(world, plan.design, 4, 5, 8)
    estimate(world, plan.build, 8, 10, 16)
    estimate(world, plan.test, 2, 3, 6)
    return plan


def run(world: World, **settings: Any) -> SimulationRun:
    settings.setdefault("iterations", 1_000)
    return simulation.simulation_run(actor=world.project_manager, project=world.project, **settings)


def test_a_run_stores_its_seed_inputs_and_results(world: World) -> None:
    plan = _estimated_plan(world)
    make_risk(
        world,
        "R-001",
        [plan.build],
        probability_percent=Decimal(30),
        schedule_impact_likely_days=Decimal(4),
    )
    stored = run(world, deadline=dt.date(2026, 3, 27), budget=Decimal("10000"))
    stored.refresh_from_db()
    assert stored.status == SimulationStatus.DONE, stored.error
    assert 0 <= stored.seed < simulation.SEED_LIMIT
    assert stored.settings["seed"] == stored.seed
    assert stored.settings["deadline"] == "2026-03-27T23:59"
    assert [item["task"] for item in stored.inputs["estimates"]] == [
        plan.design.pk,
        plan.build.pk,
        plan.test.pk,
    ]
    assert [risk["code"] for risk in stored.inputs["risks"]] == ["R-001"]
    results = stored.results
    labels = [entry["label"] for entry in results["percentiles"]]
    assert labels == ["P10", "P50", "P80", "P90"]
    finishes = [dt.datetime.fromisoformat(entry["finish"]) for entry in results["percentiles"]]
    assert finishes == sorted(finishes)
    deterministic = dt.datetime.fromisoformat(results["deterministic_finish"])
    plan.live.refresh_from_db()
    assert deterministic == plan.live.finish
    assert 0 <= results["deadline_probability"] <= 1
    assert results["contingency"]["confidence"] == 80
    assert results["contingency"]["days"] == pytest.approx(
        results["contingency"]["minutes"] / DAY, abs=0.01
    )
    histogram = results["finish_histogram"]
    assert len(histogram["edges"]) == len(histogram["counts"]) + 1
    assert sum(histogram["counts"]) == 1_000
    assert len(results["cumulative"]["finish"]) == simulation.CUMULATIVE_POINTS
    assert results["cumulative"]["probability"][-1] == 1
    critical = {row["name"]: row["criticality"] for row in results["criticality"]}
    assert critical["Build"] == pytest.approx(1.0)
    assert set(critical) == {"Design", "Build", "Test", "Go live"}
    assert results["criticality"][0]["criticality"] >= results["criticality"][-1]["criticality"]
    assert {row["name"] for row in results["tornado"]} <= {"Design", "Build", "Test"}
    assert results["tornado"][0]["name"] == "Build"
    assert results["currency"] == world.project.currency
    assert results["elapsed_seconds"] == stored.elapsed_seconds
    assert "finish_samples" not in results
    assert list(stored.projects.all()) == [world.project]


def test_the_same_seed_and_inputs_give_the_same_results(world: World) -> None:
    _estimated_plan(world)
    first = run(world, uncertainty=(0.9, 1.0, 1.3))
    TaskEstimate.objects.all().delete()  # the rerun uses the estimates the run stored
    again = simulation.simulation_rerun(actor=world.pmo, run=first)
    assert again.pk != first.pk
    assert again.seed == first.seed
    assert again.inputs == first.inputs

    def comparable(results: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in results.items() if key != "elapsed_seconds"}

    assert comparable(again.results) == comparable(first.results)
    given = run(world, seed=first.seed, uncertainty=(0.9, 1.0, 1.3))
    assert given.results["percentiles"] != first.results["percentiles"]  # no estimates now
    other = run(world, seed=first.seed + 1)
    assert other.seed == first.seed + 1


def test_settings_out_of_range_are_refused_before_saving(world: World) -> None:
    with pytest.raises(ValidationError, match="no tasks to simulate"):
        run(world)
    _estimated_plan(world)
    with pytest.raises(ValidationError) as caught:
        run(world, iterations=10, confidence=100, uncertainty=(1.2, 1.0, 1.1))
    assert set(caught.value.message_dict) == {"iterations", "confidence", "uncertainty"}
    assert not SimulationRun.objects.exists()


def test_an_engine_error_gives_a_failed_run_with_the_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _estimated_plan(world)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RiskInputError("Task 12: ALAP tasks are not simulated")

    monkeypatch.setattr("pilotage.risks.simulation.simulate_plan", refuse)
    failed = run(world)
    assert failed.status == SimulationStatus.FAILED
    assert "ALAP tasks are not simulated" in failed.error
    assert SimulationRun.objects.get(pk=failed.pk).inputs["estimates"]


def test_who_may_run_read_and_delete_runs(world: World) -> None:
    _estimated_plan(world)
    with pytest.raises(ForbiddenError):
        simulation.simulation_run(actor=world.viewer, project=world.project, iterations=1000)
    with pytest.raises(NotFoundError):
        simulation.simulation_run(actor=world.outsider, project=world.project, iterations=1000)
    by_pmo = simulation.simulation_run(actor=world.pmo, project=world.project, iterations=1000)
    assert list(simulation.simulation_list(user=world.viewer, project=world.project)) == [by_pmo]
    assert list(simulation.simulation_list(user=world.outsider, project=world.project)) == []
    with pytest.raises(NotFoundError):
        simulation.simulation_get_for_user(by_pmo.pk, user=world.outsider)
    with pytest.raises(ForbiddenError):
        simulation.simulation_delete(actor=world.viewer, run=by_pmo)
    history = history_for(by_pmo)
    simulation.simulation_delete(actor=world.project_manager, run=by_pmo)
    assert not SimulationRun.objects.exists()
    assert [entry.action for entry in history] == ["deleted", "created"]
    # The history says who ran and deleted it; the results stay out of it.
    assert "results" not in history[1].snapshot


def test_linked_projects_are_simulated_and_the_chosen_projects_finish_reported(
    world: World,
) -> None:
    plan = _estimated_plan(world)
    upstream = _link_sibling(world, plan, dt.datetime(2026, 3, 9, 8, 0))
    # A long task of the sibling project that nothing here waits for: it must not count.
    planning.task_create(
        actor=world.admin,
        project=world.sibling_project,
        name="Long unrelated work",
        duration_minutes=200 * DAY,
    )
    estimate_as(world.admin, upstream)
    stored = simulation.simulation_run(
        actor=world.pmo, project=world.project, iterations=1000, include_linked=True
    )
    assert stored.status == SimulationStatus.DONE, stored.error
    assert sorted(project.code for project in stored.projects.all()) == ["CRM", "HR"]
    plan.live.refresh_from_db()
    assert stored.results["deterministic_finish"] == plan.live.finish.isoformat(timespec="minutes")
    p90 = dt.datetime.fromisoformat(stored.results["percentiles"][-1]["finish"])
    assert p90 < dt.datetime(2026, 6, 1)
    projects = {row["project"] for row in stored.results["criticality"]}
    assert projects == {"CRM", "HR"}
