"""The compiled Monte Carlo passes against ``compute_schedule`` run once per iteration.

The exact path of the simulation schedules each iteration with
:func:`~pilotage.engine.scheduling.compute_schedule` (itself checked against the plain
task-by-task reference); the compiled passes, which take blocks of iterations at once and share
them among threads, must give the same project finish, the same total float of every task and
the same critical tasks, on random networks with every feature the scheduler has.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingPeriod, compile_calendar
from pilotage.engine.errors import CyclicDependencyError
from pilotage.engine.risk import (
    Distribution,
    Triangular,
    Uniform,
    kernels,
    monte_carlo,
    simulate_schedule,
)
from pilotage.engine.risk.network import SimulationNetwork, simulation_network
from pilotage.engine.scheduling import (
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleTasks,
    compute_schedule,
)
from tests.engine.test_cpm_properties import CALENDARS, Network, networks

DAY = 480
START = np.datetime64("2026-05-04T08:00")
STANDARD = compile_calendar(
    Calendar("Standard", WeekPattern.standard()), date(2026, 4, 1), date(2027, 12, 31)
)


def both_ways(
    net: SimulationNetwork,
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    work: np.ndarray,
    *,
    start: np.datetime64,
    status: np.datetime64 | None = None,
) -> tuple[tuple[list[int], list[int], list[list[int]]], ...]:
    """Finish, critical counts and total floats of some iterations, compiled then exact."""
    columns = work.shape[1]
    results = []
    for exact in (False, True):
        scheduler = monte_carlo._Scheduler(net, tasks, links, start, status, exact=exact)
        total_float = np.zeros_like(work)
        finish, critical = scheduler.passes(
            work,
            columns,
            np.empty_like(work),
            np.empty((net.delayed, columns), dtype=np.int64),
            total_float,
        )
        assert scheduler.exact == exact
        results.append((finish.tolist(), critical.tolist(), total_float.tolist()))
    return tuple(results)


def random_work(net: SimulationNetwork, seed: int, columns: int) -> np.ndarray:
    """Work per task and iteration around the planned work: zeros, odd minutes, longer."""
    rng = np.random.default_rng(seed)
    work = np.rint(net.work[:, None] * rng.uniform(0, 2, (net.size, columns))).astype(np.int64)
    work[rng.random(work.shape) < 0.15] = 0
    work[rng.random(work.shape) < 0.1] += 37
    work[net.state == 2] = 0
    return work


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.integers(0, 2**16))
def test_the_compiled_passes_agree_with_compute_schedule(network: Network, seed: int) -> None:
    # Progress, two calendars, elapsed and percentage lags, leveling delays, ALAP tasks,
    # summary tasks, every constraint and deadline, a status date.
    try:
        compute_schedule(
            network.tasks,
            network.links,
            CALENDARS,
            project_start=network.project_start,
            status_date=network.status_date,
        )
    except CyclicDependencyError:
        return
    net = simulation_network(
        network.tasks, network.links, CALENDARS, network.project_start, network.status_date
    )
    compiled, exact = both_ways(
        net,
        network.tasks,
        network.links,
        random_work(net, seed, 6),
        start=network.project_start,
        status=network.status_date,
    )
    assert compiled == exact


def test_the_planned_work_gives_compute_schedules_finish_floats_and_critical_tasks() -> None:
    tasks, links = random_network(5)
    net = simulation_network(tasks, links, [STANDARD], START, None)
    expected = compute_schedule(tasks, links, [STANDARD], project_start=START)
    (finish, critical, floats), _ = both_ways(
        net, tasks, links, np.tile(net.work[:, None], (1, 3)), start=START
    )
    assert finish == [int(expected.project_finish.astype(np.int64))] * 3
    assert critical == (3 * expected.critical[net.task]).tolist()
    assert [row[0] for row in floats] == expected.total_float_minutes[net.task].tolist()


def test_dates_beyond_the_compiled_horizons_grow_them_and_run_again() -> None:
    # Two calendars compiled for one week and a chain that crosses from one to the other for
    # months: the first conversions fall outside, the horizons grow, the pass runs again.
    week = (date(2026, 5, 4), date(2026, 5, 10))
    calendars = (
        compile_calendar(Calendar("Standard", WeekPattern.standard()), *week),
        compile_calendar(
            Calendar(
                "Mornings",
                WeekPattern(((WorkingPeriod.from_clock("07:00", "12:00"),),) * 6 + ((),)),
            ),
            *week,
        ),
    )
    n = 12
    tasks = ScheduleTasks.create(
        ids=np.arange(1, n + 1), duration_minutes=np.full(n, 5 * DAY), calendar=np.arange(n) % 2
    )
    links = ScheduleLinks.create(
        np.arange(n - 1),
        np.arange(1, n),
        lag_minutes=np.full(n - 1, 1440),
        lag_kind=np.full(n - 1, LagKind.ELAPSED),
    )
    net = simulation_network(tasks, links, calendars, START, None)
    compiled, exact = both_ways(net, tasks, links, random_work(net, 1, 5) + DAY, start=START)
    assert compiled == exact
    assert max(compiled[0]) > int(np.datetime64("2026-07-01T00:00").astype(np.int64))


def random_network(seed: int, n: int = 40) -> tuple[ScheduleTasks, ScheduleLinks]:
    """Tasks with zero or more days, every link type, lags of both signs, every constraint."""
    rng = np.random.default_rng(seed)
    kinds = [
        ConstraintType.SNET,
        ConstraintType.FNET,
        ConstraintType.SNLT,
        ConstraintType.FNLT,
        ConstraintType.MSO,
        ConstraintType.MFO,
    ]
    constrained = rng.random(n) < 0.25
    constraint = np.where(constrained, rng.choice(kinds, n), ConstraintType.ASAP)
    when = START + rng.integers(0, 40, n) * np.timedelta64(1, "D")
    when = when + rng.integers(0, 10, n) * np.timedelta64(60, "m")
    tasks = ScheduleTasks.create(
        ids=np.arange(1, n + 1),
        duration_minutes=rng.integers(0, 4, n) * DAY,
        constraint_type=constraint,
        constraint_date=np.where(constrained, when, np.datetime64("NaT")),
    )
    predecessors, successors = [], []
    for successor in range(1, n):
        for predecessor in set(rng.integers(max(0, successor - 8), successor, 3).tolist()):
            predecessors.append(predecessor)
            successors.append(successor)
    m = len(predecessors)
    links = ScheduleLinks.create(
        predecessors,
        successors,
        link_type=rng.choice(list(LinkType), m),
        lag_minutes=np.where(rng.random(m) < 0.4, rng.integers(-4, 5, m) * 120, 0),
    )
    return tasks, links


@pytest.mark.parametrize("seed", range(6))
def test_blocks_shorter_than_the_iterations_give_the_same_keys(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks, links = random_network(seed)
    net = simulation_network(tasks, links, [STANDARD], START, None)
    work = random_work(net, seed, 23)
    whole, _ = both_ways(net, tasks, links, work, start=START)
    # Blocks of 5 iterations, the last one short, shared by the threads.
    monkeypatch.setattr(monte_carlo, "_BLOCK", 5)
    blocks, _ = both_ways(net, tasks, links, work, start=START)
    assert blocks == whole


def test_the_passes_schedule_only_the_columns_asked_for() -> None:
    tasks, links = random_network(99)
    net = simulation_network(tasks, links, [STANDARD], START, None)
    work = np.tile(net.work[:, None], (1, 8)).astype(np.int64)
    scheduler = monte_carlo._Scheduler(net, tasks, links, START, None, exact=False)
    finish, critical = scheduler.passes(
        work, 3, np.empty_like(work), np.empty((0, 8), dtype=np.int64)
    )
    expected = compute_schedule(tasks, links, [STANDARD], project_start=START)
    assert finish.tolist() == [int(expected.project_finish.astype(np.int64))] * 3
    assert critical.tolist() == (3 * expected.critical[net.task]).tolist()


def test_triangular_and_uniform_runs_draw_what_one_call_per_task_draws() -> None:
    estimates: dict[int, Distribution] = {
        0: Triangular(100, 300, 900),
        1: Uniform(50, 60),
        2: Triangular(7, 7, 7),  # draws nothing
        3: Triangular(0, 0, 10),
        5: Uniform(3, 3),
    }
    position = np.array([4, 0, 3, 1, 5, 2])
    plan = monte_carlo._draw_plan(estimates, position)
    assert len(plan) == 1
    drawn = np.full((6, 12), -1.0)
    rng = np.random.default_rng(5)
    step = plan[0]
    uniforms = rng.random((step.rows.size, 10))
    kernels.three_point_draws(
        uniforms, step.rows, step.low, step.mode, step.high, step.uniform, drawn, 2
    )

    one_by_one = np.random.default_rng(5)
    for task in (0, 1, 3, 5):
        estimate = estimates[task]
        expected = estimate.sample(one_by_one, 10)
        assert drawn[position[task], 2:].tolist() == expected.tolist()
    assert (drawn[position[2]] == -1).all()


def test_the_ranks_correlation_agrees_with_ranking_by_sorting() -> None:
    rng = np.random.default_rng(4)
    n = 500
    target = rng.integers(0, 50, n)
    target_ranks = np.empty(n, dtype=np.int64)
    target_ranks[np.argsort(target, kind="stable")] = np.arange(n)
    columns = np.stack(
        [
            np.rint(target * 3 + rng.normal(0, 40, n)),  # whole numbers, ranked by counting
            rng.integers(0, 4, n),  # many ties
            rng.normal(0, 1, n),  # fractions, ranked by sorting
            np.rint(rng.uniform(0, 1e7, n)),  # too wide to count
            np.full(n, 5.0),  # constant
        ]
    ).astype(np.float32)

    def ranks(values: np.ndarray) -> np.ndarray:
        out = np.empty(values.size)
        out[np.argsort(values, kind="stable")] = np.arange(values.size)
        return out

    result = kernels.spearman_with(columns, target_ranks)
    for row in range(4):
        expected = np.corrcoef(ranks(columns[row]), target_ranks)[0, 1]
        assert result[row] == pytest.approx(expected, abs=1e-12)
    assert np.isnan(result[4])


def test_without_sensitivity_the_finish_is_the_same() -> None:
    tasks, links = random_network(7)
    estimates = {index: Triangular(0, DAY, 3 * DAY) for index in range(0, tasks.size, 2)}

    def run(sensitivity: bool) -> monte_carlo.SimulationResult:
        return simulate_schedule(
            tasks,
            links,
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(2),
            iterations=200,
            estimates=estimates,
            sensitivity=sensitivity,
        )

    with_it, without = run(True), run(False)
    assert with_it.finish_minutes.tolist() == without.finish_minutes.tolist()
    assert with_it.criticality.tolist() == without.criticality.tolist()
    assert np.isnan(without.sensitivity).all()
    assert not np.isnan(with_it.sensitivity[list(estimates)]).all()
