"""The Monte Carlo schedule simulation against closed forms and the deterministic scheduler.

The calendar is the standard one (08:00-12:00 and 13:00-17:00, Monday to Friday, 480 working
minutes a day); the project starts on Monday 4 May 2026 at 08:00.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pytest

from pilotage.engine.calendars import (
    Calendar,
    WeekPattern,
    WorkingPeriod,
    WorkingTime,
    compile_calendar,
)
from pilotage.engine.errors import CyclicDependencyError, RiskInputError
from pilotage.engine.risk import (
    Discrete,
    RiskEvent,
    Triangular,
    Uniform,
    monte_carlo,
    simulate_schedule,
)
from pilotage.engine.scheduling import (
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleTasks,
    compute_schedule,
)

DAY = 480
START = "2026-05-04T08:00"
STANDARD = compile_calendar(
    Calendar("Standard", WeekPattern.standard()), date(2026, 4, 1), date(2027, 12, 31)
)


def chain(n: int) -> tuple[ScheduleTasks, ScheduleLinks]:
    tasks = ScheduleTasks.create(ids=np.arange(1, n + 1), duration_minutes=np.full(n, DAY))
    return tasks, ScheduleLinks.create(np.arange(n - 1), np.arange(1, n))


def test_a_chain_of_identical_tasks_follows_the_normal_approximation() -> None:
    n, low, mode, high = 30, 240, 480, 1200
    tasks, links = chain(n)
    estimate = Triangular(low, mode, high)
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(11),
        iterations=4000,
        estimates=dict.fromkeys(range(n), estimate),
        percentiles=(10, 50, 90),
    )
    mean = n * estimate.mean
    sd = math.sqrt(n * (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18)
    assert result.finish_minutes.mean() == pytest.approx(mean, abs=4 * sd / math.sqrt(4000) + 1)
    assert result.finish_minutes.std() == pytest.approx(sd, rel=0.05)
    z90 = 1.2815515655446004
    expected = [mean - z90 * sd, mean, mean + z90 * sd]
    assert result.finish_percentile_minutes == pytest.approx(expected, abs=0.1 * sd)
    assert result.criticality.tolist() == [1.0] * n


def test_a_merge_of_parallel_paths_follows_order_statistics() -> None:
    # k parallel tasks, uniform on [0, 10 days], join a milestone: the finish is their maximum,
    # whose distribution function is (t / 10 days) ** k.
    k, width = 4, 10 * DAY
    tasks = ScheduleTasks.create(ids=np.arange(1, k + 2), duration_minutes=[DAY] * k + [0])
    links = ScheduleLinks.create(np.arange(k), np.full(k, k))
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(12),
        iterations=8000,
        estimates=dict.fromkeys(range(k), Uniform(0, width)),
        percentiles=(10, 50, 90),
    )
    expected = [width * (p / 100) ** (1 / k) for p in (10, 50, 90)]
    assert result.finish_percentile_minutes == pytest.approx(expected, rel=0.02)
    assert result.finish_minutes.mean() == pytest.approx(width * k / (k + 1), rel=0.01)
    # Each branch is the longest a quarter of the time; the milestone always drives the finish.
    assert result.criticality[:k] == pytest.approx([1 / k] * k, abs=0.03)
    assert result.criticality[k] == 1.0


def _rich_network() -> tuple[ScheduleTasks, ScheduleLinks]:
    tasks = ScheduleTasks.create(
        ids=[1, 2, 3, 4, 5, 6, 7, 8],
        duration_minutes=[960, 1440, 480, 0, 2400, 720, 300, 0],
        constraint_type=[
            ConstraintType.ASAP,
            ConstraintType.ASAP,
            ConstraintType.SNET,
            ConstraintType.ASAP,
            ConstraintType.FNET,
            ConstraintType.ASAP,
            ConstraintType.SNLT,
            ConstraintType.ASAP,
        ],
        constraint_date=[
            "NaT",
            "NaT",
            "2026-05-12T13:00",
            "NaT",
            "2026-05-29T17:00",
            "NaT",
            "2026-05-14T08:00",
            "NaT",
        ],
    )
    links = ScheduleLinks.create(
        [0, 0, 1, 2, 3, 3, 4, 5, 6, 1],
        [1, 2, 3, 3, 4, 5, 7, 7, 7, 6],
        link_type=[
            LinkType.FS,
            LinkType.SS,
            LinkType.FS,
            LinkType.FF,
            LinkType.FS,
            LinkType.SS,
            LinkType.FS,
            LinkType.SF,
            LinkType.FS,
            LinkType.FS,
        ],
        lag_minutes=[0, 240, 480, 0, -960, 120, 0, 0, 0, 0],
    )
    return tasks, links


def test_zero_width_estimates_reproduce_compute_schedule() -> None:
    tasks, links = _rich_network()
    expected = compute_schedule(tasks, links, [STANDARD], project_start=START)
    estimates = {
        index: Triangular(duration, duration, duration)
        for index, duration in enumerate(tasks.duration_minutes.tolist())
    }
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(1),
        iterations=5,
        estimates=estimates,
    )
    assert (result.finish == expected.project_finish).all()
    assert (result.finish_percentiles == expected.project_finish).all()
    assert result.deterministic_finish == expected.project_finish
    assert (result.finish_minutes == result.deterministic_finish_minutes).all()
    assert result.criticality.tolist() == expected.critical.astype(float).tolist()
    assert result.contingency(80) == (0, 0.0)


def test_the_same_seed_gives_the_same_result() -> None:
    tasks, links = _rich_network()

    def run(seed: int) -> tuple[list[int], list[float]]:
        result = simulate_schedule(
            tasks,
            links,
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(seed),
            iterations=300,
            estimates={0: Triangular(480, 960, 2400), 4: Uniform(1800, 4000)},
            costs={0: Triangular(100, 200, 500)},
            risks=[RiskEvent(0.3, (1,), delay_minutes=Uniform(0, 960), cost=1000)],
            correlation=[(0, 4, 0.5)],
        )
        return result.finish_minutes.tolist(), result.cost.tolist()

    assert run(42) == run(42)
    assert run(42) != run(43)


def test_a_certain_risk_always_delays_and_an_impossible_one_never_does() -> None:
    tasks, links = chain(3)

    def finish_and_cost(probability: float) -> tuple[set[int], set[float]]:
        result = simulate_schedule(
            tasks,
            links,
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(3),
            iterations=200,
            risks=[RiskEvent(probability, (1,), delay_minutes=DAY, cost=Discrete((500,), (1,)))],
            deadline="2026-05-06T17:00",
            budget=100,
        )
        assert result.deadline_probability == (1.0 if probability == 0 else 0.0)
        assert result.budget_probability == (1.0 if probability == 0 else 0.0)
        return set(result.finish_minutes.tolist()), set(result.cost.tolist())

    assert finish_and_cost(0.0) == ({3 * DAY}, {0.0})
    assert finish_and_cost(1.0) == ({4 * DAY}, {500.0})


def test_a_risk_with_some_probability_occurs_that_share_of_the_time() -> None:
    tasks, links = chain(2)
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(8),
        iterations=5000,
        risks=[RiskEvent(0.25, (0,), delay_minutes=DAY)],
    )
    assert (result.finish_minutes > 2 * DAY).mean() == pytest.approx(0.25, abs=0.02)


def test_correlated_durations_have_the_requested_spearman() -> None:
    tasks = ScheduleTasks.create(ids=[1, 2], duration_minutes=[DAY, DAY])
    result_links = ScheduleLinks.empty()
    rho = 0.7
    # Two parallel tasks: the finish is their maximum, which correlation makes less spread.
    kwargs: dict[str, Any] = {
        "project_start": START,
        "iterations": 6000,
        "estimates": {0: Uniform(0, 10 * DAY), 1: Uniform(0, 10 * DAY)},
    }
    independent = simulate_schedule(
        tasks, result_links, [STANDARD], rng=np.random.default_rng(9), **kwargs
    )
    correlated = simulate_schedule(
        tasks,
        result_links,
        [STANDARD],
        rng=np.random.default_rng(9),
        correlation=[(0, 1, rho)],
        **kwargs,
    )
    # The expected maximum of two uniforms with Spearman rho is lower than 2/3 of the width.
    assert correlated.finish_minutes.mean() < independent.finish_minutes.mean() - 0.04 * 10 * DAY
    assert independent.finish_minutes.mean() == pytest.approx(2 / 3 * 10 * DAY, rel=0.02)


def test_sensitivity_ranks_the_most_uncertain_task_first() -> None:
    tasks, links = chain(3)
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(10),
        iterations=2000,
        estimates={0: Uniform(400, 560), 1: Uniform(0, 4000), 2: Uniform(300, 700)},
    )
    assert result.tornado(3).tolist() == [1, 2, 0]
    assert result.sensitivity[1] > 0.9


def test_costs_add_up_and_contingency_is_against_the_plan() -> None:
    tasks, links = chain(2)
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(13),
        iterations=20_000,
        costs={0: Triangular(100, 200, 600), 1: 50.0},
    )
    assert result.cost.mean() == pytest.approx(300 + 50, rel=0.01)
    assert result.planned_cost == 250
    _, cost_reserve = result.contingency(80)
    assert cost_reserve == pytest.approx(np.percentile(result.cost, 80) - 250)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"estimates": {0: 5, 9: Triangular(1, 2, 3)}}, RiskInputError, "9 is not the index"),
        ({"risks": [RiskEvent(0.5, (7,), delay_minutes=1)]}, RiskInputError, "7 is not the index"),
        ({"correlation": [(0, 1, 0.5)]}, RiskInputError, "no uncertain duration"),
        ({"estimates": {0: 5, 1: 5}, "correlation": [(0, 1, 1.5)]}, RiskInputError, "-1-1"),
        ({"iterations": 0}, RiskInputError, "iterations"),
        ({"method": "fast"}, RiskInputError, "method"),
        ({"percentiles": (50, 120)}, RiskInputError, "percentiles"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], error: type, match: str) -> None:
    tasks, links = chain(2)
    with pytest.raises(error, match=match):
        simulate_schedule(
            tasks,
            links,
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(0),
            **kwargs,  # type: ignore[arg-type]
        )


def test_a_probability_outside_zero_one_is_refused() -> None:
    with pytest.raises(RiskInputError, match="probability"):
        RiskEvent(-0.1, (0,), delay_minutes=5)


def test_a_cycle_is_refused() -> None:
    tasks, _ = chain(2)
    with pytest.raises(CyclicDependencyError):
        simulate_schedule(
            tasks,
            ScheduleLinks.create([0, 1], [1, 0]),
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(0),
        )


MORNINGS = compile_calendar(
    Calendar("Mornings", WeekPattern(((WorkingPeriod.from_clock("07:00", "12:00"),),) * 6 + ((),))),
    date(2026, 4, 1),
    date(2027, 12, 31),
)
ELAPSED = compile_calendar(
    Calendar("Elapsed", WeekPattern.continuous(), minutes_per_day=1440),
    date(2026, 4, 1),
    date(2027, 12, 31),
)


def _real_network() -> tuple[ScheduleTasks, ScheduleLinks, str]:
    """A plan in progress on three calendars: what a real plan has, all at once.

    A summary task (0) over a finished task (1), a started one (2) and an ALAP one (3); a task
    on another calendar with a leveling delay (4); another project's task pinned as a finished
    milestone on the elapsed calendar (5); a deadline, SNLT and FNET constraints; elapsed,
    percentage and negative lags.
    """
    status = "2026-05-07T12:00"
    tasks = ScheduleTasks.create(
        ids=[10, 11, 12, 13, 14, 15, 16, 17],
        duration_minutes=[0, 960, 2400, 480, 1500, 0, 720, 0],
        calendar=[0, 0, 0, 0, 1, 2, 0, 0],
        parent=[-1, 0, 0, 0, -1, -1, -1, -1],
        actual_start=["NaT", START, "2026-05-06T08:00", "NaT", "NaT", "2026-05-05T10:00"]
        + ["NaT"] * 2,
        actual_finish=["NaT", "2026-05-05T17:00", "NaT", "NaT", "NaT", "2026-05-05T10:00"]
        + ["NaT"] * 2,
        percent_complete=[0, 100, 30, 0, 0, 100, 0, 0],
        constraint_type=[
            ConstraintType.ASAP,
            ConstraintType.ASAP,
            ConstraintType.ASAP,
            ConstraintType.ALAP,
            ConstraintType.FNET,
            ConstraintType.ASAP,
            ConstraintType.SNLT,
            ConstraintType.ASAP,
        ],
        constraint_date=["NaT"] * 4 + ["2026-05-13T12:00", "NaT", "2026-05-14T08:00", "NaT"],
        deadline=["NaT"] * 7 + ["2026-05-22T17:00"],
        leveling_delay_minutes=[0, 0, 0, 0, 2880, 0, 0, 0],
        leveling_delay_elapsed=[False, False, False, False, True, False, False, False],
    )
    links = ScheduleLinks.create(
        [1, 2, 5, 2, 4, 3, 6, 0],
        [2, 4, 4, 6, 7, 7, 7, 6],
        link_type=[
            LinkType.FS,
            LinkType.SS,
            LinkType.FS,
            LinkType.FS,
            LinkType.FS,
            LinkType.FF,
            LinkType.FS,
            LinkType.SS,
        ],
        lag_minutes=[0, 0, 1440, -240, 0, 0, 0, 0],
        lag_kind=[
            LagKind.WORKING,
            LagKind.PERCENT,
            LagKind.ELAPSED,
            LagKind.WORKING,
            LagKind.WORKING,
            LagKind.WORKING,
            LagKind.WORKING,
            LagKind.WORKING,
        ],
        lag_percent=[0, 50, 0, 0, 0, 0, 0, 0],
    )
    return tasks, links, status


@pytest.mark.parametrize("method", ["compiled", "exact"])
def test_zero_width_estimates_reproduce_compute_schedule_on_a_real_network(method: str) -> None:
    tasks, links, status = _real_network()
    calendars = [STANDARD, MORNINGS, ELAPSED]
    expected = compute_schedule(tasks, links, calendars, project_start=START, status_date=status)
    leaves = [index for index in range(tasks.size) if not expected.summary[index]]
    result = simulate_schedule(
        tasks,
        links,
        calendars,
        project_start=START,
        status_date=status,
        rng=np.random.default_rng(1),
        iterations=20,
        estimates={index: float(tasks.duration_minutes[index]) for index in leaves},
        uncertainty=Triangular(1, 1, 1),
        method=method,  # type: ignore[arg-type]
    )
    assert result.method == method
    assert (result.finish == expected.project_finish).all()
    assert result.deterministic_finish == expected.project_finish
    assert result.criticality[leaves].tolist() == expected.critical[leaves].astype(float).tolist()
    assert np.isnan(result.criticality[0])
    assert result.contingency(90) == (0, 0.0)
    # The finished task's estimate is not used, and said so.
    assert any("Finished" in warning and "11" in warning for warning in result.warnings)


def test_the_compiled_and_the_exact_simulations_give_the_same_result() -> None:
    tasks, links, status = _real_network()
    calendars = [STANDARD, MORNINGS, ELAPSED]

    def run(method: str) -> monte_carlo.SimulationResult:
        return simulate_schedule(
            tasks,
            links,
            calendars,
            project_start=START,
            status_date=status,
            rng=np.random.default_rng(5),
            iterations=60,
            uncertainty=Triangular(0.5, 1, 2),
            risks=[RiskEvent(0.4, (4, 6), delay_minutes=Uniform(0, 960))],
            method=method,  # type: ignore[arg-type]
        )

    compiled, exact = run("compiled"), run("exact")
    assert compiled.finish.tolist() == exact.finish.tolist()
    assert np.array_equal(compiled.criticality, exact.criticality, equal_nan=True)
    assert np.array_equal(compiled.sensitivity, exact.sensitivity, equal_nan=True)
    assert len(set(compiled.finish.tolist())) > 10


def test_a_started_task_varies_only_its_remaining_work_and_a_finished_one_not_at_all() -> None:
    # Task 1 (5 days) started on Monday and is 40 % done at the status date, Wednesday 08:00:
    # its remaining 3 days, scaled by the estimate of its whole duration (0 to 10 days), take
    # 0 to 6 days from Wednesday; task 2 (2 days) follows. Task 0 finished last week.
    tasks = ScheduleTasks.create(
        ids=[1, 2, 3],
        duration_minutes=[4800, 5 * DAY, 2 * DAY],
        actual_start=["2026-04-27T08:00", START, "NaT"],
        actual_finish=["2026-05-01T17:00", "NaT", "NaT"],
        percent_complete=[100, 40, 0],
    )
    result = simulate_schedule(
        tasks,
        ScheduleLinks.create([0, 1], [1, 2]),
        [STANDARD],
        project_start=START,
        status_date="2026-05-06T08:00",
        rng=np.random.default_rng(6),
        iterations=4000,
        estimates={0: Uniform(0, 20 * DAY), 1: Uniform(0, 10 * DAY)},
        risks=[RiskEvent(1.0, (0,), delay_minutes=DAY)],
    )
    done, remaining, after = 2 * DAY, 3 * DAY, 2 * DAY
    assert result.finish_minutes.min() >= done + after
    assert result.finish_minutes.max() <= done + 2 * remaining + after
    assert result.finish_minutes.mean() == pytest.approx(done + remaining + after, rel=0.02)
    assert result.criticality.tolist() == [0.0, 1.0, 1.0]
    assert np.isnan(result.sensitivity[0])
    assert len(result.warnings) == 2


def test_a_percentage_lag_follows_the_duration_drawn() -> None:
    # B starts when A is half done (SS 50 %) and lasts 10 days: the finish is half of A's
    # drawn duration (2 to 4 days) plus 10 days.
    tasks = ScheduleTasks.create(ids=[1, 2], duration_minutes=[3 * DAY, 10 * DAY])
    links = ScheduleLinks.create(
        [0], [1], link_type=[LinkType.SS], lag_kind=[LagKind.PERCENT], lag_percent=[50]
    )
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(7),
        iterations=2000,
        estimates={0: Uniform(2 * DAY, 4 * DAY)},
    )
    assert result.finish_minutes.min() >= 11 * DAY
    assert result.finish_minutes.max() <= 12 * DAY
    assert result.finish_minutes.std() == pytest.approx(2 * DAY / 2 / math.sqrt(12), rel=0.05)


def test_the_uncertainty_multiplies_every_planned_duration() -> None:
    tasks, links = chain(5)
    result = simulate_schedule(
        tasks,
        links,
        [STANDARD],
        project_start=START,
        rng=np.random.default_rng(8),
        iterations=4000,
        uncertainty=Uniform(1, 2),
        estimates={2: float(DAY)},
    )
    # Four tasks of one to two days, one fixed at a day.
    assert result.finish_minutes.min() >= 5 * DAY
    assert result.finish_minutes.max() <= 9 * DAY
    assert result.finish_minutes.mean() == pytest.approx(7 * DAY, rel=0.01)
    assert np.isnan(result.sensitivity[2])


def test_dates_the_calendars_cannot_cover_fall_back_to_compute_schedule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def week_calendars() -> list[WorkingTime]:
        week = (date(2026, 5, 4), date(2026, 5, 10))
        return [
            compile_calendar(Calendar("Standard", WeekPattern.standard()), *week),
            compile_calendar(
                Calendar(
                    "Mornings",
                    WeekPattern(((WorkingPeriod.from_clock("07:00", "12:00"),),) * 6 + ((),)),
                ),
                *week,
            ),
        ]

    n = 8
    tasks = ScheduleTasks.create(
        ids=np.arange(1, n + 1), duration_minutes=np.full(n, DAY), calendar=np.arange(n) % 2
    )
    links = ScheduleLinks.create(np.arange(n - 1), np.arange(1, n))

    def run(method: str, calendars: list[WorkingTime]) -> monte_carlo.SimulationResult:
        return simulate_schedule(
            tasks,
            links,
            calendars,
            project_start=START,
            rng=np.random.default_rng(4),
            iterations=50,
            uncertainty=Uniform(1, 12),
            method=method,  # type: ignore[arg-type]
        )

    exact = run("exact", week_calendars())
    # Iterations run up to twelve times longer than planned, beyond the horizons grown for
    # three times the plan: with horizons that cannot grow further, compute_schedule runs.
    monkeypatch.setattr(monte_carlo._Scheduler, "grow", lambda *args, **kwargs: False)
    fallen_back = run("auto", week_calendars())
    assert fallen_back.method == "exact"
    assert any("calendars can cover" in warning for warning in fallen_back.warnings)
    assert fallen_back.finish.tolist() == exact.finish.tolist()
    assert fallen_back.criticality.tolist() == exact.criticality.tolist()
