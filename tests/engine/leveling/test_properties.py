"""Properties of the leveling engine on random networks (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.engine.leveling import (
    LevelingOptions,
    LevelingProblem,
    check_schedule,
    kernels,
    level_resources,
    serial_sgs_reference,
)
from pilotage.engine.leveling.compiled import compile_problem

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw, *, hard: bool = False) -> LevelingProblem:
    """Random networks with every link type, lags, calendars and varying capacity; with
    ``hard``, fixed tasks and tasks levelled within slack too."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = draw(st.integers(1, 12))
    r = draw(st.integers(1, 3))
    h = 120
    calendars = draw(st.integers(1, 3))
    working = rng.random((calendars, h)) < 0.8
    working[:, :2] = True
    links = [(i, j) for j in range(n) for i in range(j) if rng.random() < 0.2]
    m = len(links)
    fixed = np.full(n, -1)
    latest = np.full(n, -1)
    if hard:
        fixed[rng.random(n) < 0.15] = rng.integers(0, 8)
        latest[rng.random(n) < 0.2] = rng.integers(3, 25)
    return LevelingProblem(
        durations=rng.integers(0, 5, n),
        demands=rng.integers(0, 3, (n, r)).astype(float),
        capacity=rng.integers(2, 4, (r, h)).astype(float),
        link_predecessor=np.array([a for a, _ in links], dtype=np.int64),
        link_successor=np.array([b for _, b in links], dtype=np.int64),
        link_type=rng.integers(0, 4, m),
        link_lag=rng.integers(-2, 4, m),
        release=rng.integers(0, 4, n),
        working=working,
        calendar=rng.integers(0, calendars, n),
        fixed_start=fixed,
        latest_finish=latest,
        priority=rng.integers(0, 3, n).astype(float) if rng.random() < 0.3 else None,
    )


OPTIONS = LevelingOptions(schedules=60, population=6)


@SETTINGS
@given(problems())
def test_every_leveled_schedule_is_feasible(problem):
    result = level_resources(problem, OPTIONS)
    assert check_schedule(problem, result.start) == []
    assert result.unresolved == ()
    assert (result.start >= result.earliest_start).all()


@SETTINGS
@given(problems(hard=True))
def test_only_fixed_and_within_slack_tasks_overload(problem):
    result = level_resources(problem, OPTIONS)
    remaining = check_schedule(problem, result.start)
    overloads = [sentence for sentence in remaining if " is used " in sentence]
    assert remaining == overloads
    assert bool(overloads) == bool(result.unresolved)
    for over in result.unresolved:
        assert any(problem.fixed_start[t] >= 0 or problem.latest_finish[t] >= 0 for t in over.tasks)


@SETTINGS
@given(problems(hard=True), st.integers(0, 5))
def test_same_seed_same_schedule(problem, seed):
    options = LevelingOptions(schedules=60, population=6, seed=seed)
    first = level_resources(problem, options)
    second = level_resources(problem, options)
    assert first.start.tolist() == second.start.tolist()
    assert first.schedules_generated == second.schedules_generated


@SETTINGS
@given(problems())
def test_makespan_is_never_below_the_bounds(problem):
    result = level_resources(problem, OPTIONS)
    assert result.makespan >= result.critical_path_bound
    assert result.makespan >= result.lower_bound


@SETTINGS
@given(problems(hard=True), st.integers(0, 2**16))
def test_serial_kernel_agrees_with_the_reference(problem, seed):
    compiled = compile_problem(problem)
    forward = compiled.forward
    order = kernels.topological_order(
        np.random.default_rng(seed).random(compiled.n),
        forward.pred_ptr,
        forward.succ_ptr,
        forward.succ_task,
    )
    start, finish, _, _, failed = kernels.serial_sgs(
        order,
        *compiled.task_arrays(),
        *forward.arrays(),
        compiled.release,
        compiled.latest_finish,
        False,
    )
    assert failed == -1
    expected_start, expected_finish = serial_sgs_reference(problem, order.tolist())
    assert start.tolist() == expected_start.tolist()
    assert finish.tolist() == expected_finish.tolist()


@SETTINGS
@given(problems())
def test_parallel_scheme_is_feasible(problem):
    compiled = compile_problem(problem)
    rank = np.arange(compiled.n, dtype=np.int64)[::-1].copy()
    start, _, earliest, over, failed = kernels.parallel_sgs(
        rank,
        *compiled.task_arrays(),
        *compiled.forward.arrays(),
        compiled.release,
        compiled.latest_finish,
        compiled.next_change,
    )
    assert failed == -1
    assert not over.any()
    assert check_schedule(problem, start) == []
    assert (start >= earliest).all()
