"""The optimisation mode: CP-SAT proves what the heuristics cannot."""

from __future__ import annotations

from pilotage.engine.leveling import LevelingOptions, check_schedule, level_resources
from tests.engine.leveling.helpers import make_problem


def test_cpsat_proves_an_optimum_above_the_simple_bounds():
    # Three tasks of two units on a capacity of three: no two can overlap, so the optimum is
    # 6, while the critical path says 2 and the resource energy 4.
    problem = make_problem([2, 2, 2], [[2], [2], [2]], [3])
    fast = level_resources(problem, LevelingOptions(schedules=50))
    assert fast.makespan == 6
    assert not fast.proven_optimal
    assert (fast.critical_path_bound, fast.lower_bound) == (2, 4)
    best = level_resources(problem, LevelingOptions(mode="optimise", time_limit_seconds=5))
    assert best.makespan == 6
    assert best.proven_optimal
    assert best.lower_bound == 6
    assert check_schedule(problem, best.start) == []


def test_neighbourhood_search_never_loses_feasibility_or_length():
    import time

    import numpy as np

    from pilotage.engine.leveling.compiled import compile_problem
    from pilotage.engine.leveling.cpsat import neighbourhood_search
    from pilotage.engine.leveling.search import Search, critical_path_dates

    rng = np.random.default_rng(4)
    n = 14
    links = [(i, j, 0, 0) for j in range(1, n) for i in range(j) if rng.random() < 0.15]
    problem = make_problem(
        rng.integers(1, 5, n).tolist(),
        rng.integers(0, 3, (n, 2)).tolist(),
        [3, 3],
        links,
        horizon=80,
    )
    compiled = compile_problem(problem)
    dates = critical_path_dates(compiled)
    search = Search(
        cp=compiled,
        options=LevelingOptions(),
        budget=1,
        stop_at=time.perf_counter() + 5,
        dates=dates,
        lower_bound=dates.makespan,
    )
    worst_first = search.serial_order(-dates.latest_finish.astype(float))
    search.decode(worst_first[None, :], "test")
    before = search.best.score[1]
    neighbourhood_search(compiled, search, seconds=1.0, workers=1, seed=0)
    assert search.best.score[1] <= before
    assert check_schedule(problem, search.best.start) == []
