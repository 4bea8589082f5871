"""Resource leveling: :func:`level_resources`, the entry point of the leveling engine."""

from __future__ import annotations

import math
import time

import numpy as np

from pilotage.engine.leveling import explain
from pilotage.engine.leveling.compiled import CompiledProblem, compile_problem
from pilotage.engine.leveling.problem import (
    LevelingOptions,
    LevelingProblem,
    LevelingResult,
)
from pilotage.engine.leveling.search import (
    Candidate,
    Search,
    critical_path_dates,
    run_construction,
    run_improvement,
)

__all__ = ["default_budget", "level_resources"]

_FAST_SECONDS = 1.0
_OPTIMISE_SECONDS = 30.0
_PROBE_SHARE = 0.05
_NEIGHBOURHOOD_SHARE = 0.7


def default_budget(mode: str, tasks: int) -> int:
    """The default schedule budget: about what runs in a fraction of the default time limit.

    Examples
    --------
    >>> default_budget("fast", 120), default_budget("optimise", 120)
    (10000, 300000)
    """
    size = max(tasks, 1)
    if mode == "optimise":
        return int(min(1_000_000, max(2_000, 36_000_000 // size)))
    return int(min(40_000, max(20, 1_200_000 // size)))


def energy_bound(cp: CompiledProblem) -> int:
    """The resource-energy lower bound, when capacity is constant and every period works."""
    if not cp.uniform or cp.fixed.any() or cp.r == 0 or cp.h == 0:
        return 0
    capacity = cp.forward.capacity
    if not (capacity == capacity[:, :1]).all():
        return 0
    energy = (cp.demands * cp.durations[:, None]).sum(axis=0)
    bound = 0
    for resource in range(cp.r):
        if capacity[resource, 0] > 0:
            bound = max(bound, math.ceil(energy[resource] / capacity[resource, 0] - 1e-9))
    return int(bound)


def level_resources(
    problem: LevelingProblem, options: LevelingOptions | None = None
) -> LevelingResult:
    """Level the resources of ``problem``: the shortest schedule within the capacities.

    Parameters
    ----------
    problem : LevelingProblem
        Tasks, links, resources and calendars on a grid of periods.
    options : LevelingOptions, optional
        Mode, budget, time limit, seed and the heuristics' settings.

    Returns
    -------
    LevelingResult
        Starts and finishes, the bounds, the delays with their causes and what remains
        overallocated.

    Raises
    ------
    pilotage.engine.errors.EngineError
        Bad input (see :func:`~pilotage.engine.leveling.compiled.validate_problem`), or a
        horizon too short for the leveled schedule (``HorizonTooShortError``).

    Examples
    --------
    Two tasks need the only unit of a resource: the lower-priority one waits.

    >>> problem = LevelingProblem(
    ...     durations=np.array([3, 2]),
    ...     demands=np.array([[1.0], [1.0]]),
    ...     capacity=np.ones((1, 10)),
    ...     link_predecessor=np.array([], dtype=np.int64),
    ...     link_successor=np.array([], dtype=np.int64),
    ...     link_type=np.array([], dtype=np.int64),
    ...     link_lag=np.array([], dtype=np.int64),
    ...     priority=np.array([1.0, 5.0]),
    ... )
    >>> result = level_resources(problem)
    >>> result.start.tolist(), result.finish.tolist(), result.makespan
    ([2, 0], [5, 2], 5)
    >>> result.delays[0].task, result.delays[0].periods, result.delays[0].blockers[0].tasks
    (0, 2, (1,))
    """
    options = options or LevelingOptions()
    began = time.perf_counter()
    cp = compile_problem(problem)
    limit = options.time_limit_seconds
    if limit is None:
        limit = _OPTIMISE_SECONDS if options.mode == "optimise" else _FAST_SECONDS
    budget = options.schedules
    if budget is None:
        budget = default_budget(options.mode, cp.n)
    dates = critical_path_dates(cp)
    cp_bound = dates.makespan
    lower = max(cp_bound, energy_bound(cp))
    use_cpsat = options.mode == "optimise" and options.cpsat
    heuristic_seconds = limit * (1.0 - options.cpsat_share) if use_cpsat else limit
    search = Search(
        cp=cp,
        options=options,
        budget=budget,
        stop_at=began + heuristic_seconds,
        dates=dates,
        lower_bound=lower,
    )
    proven = False
    if cp.n and cp.demand_amount.size:
        lists = run_construction(search)
        proven = _proven(search, lower)
        if use_cpsat and not proven:
            probe = min(limit * _PROBE_SHARE, 2.0)
            lower, proven = _run_cpsat(cp, search, options, probe, lower)
        if not proven:
            run_improvement(search, lists)
    else:
        order = search.serial_order(np.arange(cp.n, dtype=np.float64))
        search.decode(order[None, :], "critical path")
    time_limit_reached = search.time_limit_reached
    proven = proven or _proven(search, lower)
    if use_cpsat and not proven:
        from pilotage.engine.leveling.cpsat import neighbourhood_search

        seconds = max(began + limit - time.perf_counter(), 0.1)
        neighbourhood_search(
            cp,
            search,
            seconds=seconds * _NEIGHBOURHOOD_SHARE,
            workers=options.cpsat_workers,
            seed=options.seed,
        )
        proven = _proven(search, lower)
    if use_cpsat and not proven:
        seconds = max(began + limit - time.perf_counter(), 0.1)
        lower, proven = _run_cpsat(cp, search, options, seconds, lower)
    methods = dict(search.methods)
    best = search.best
    assert best is not None
    return _result(cp, best, search, began, cp_bound, lower, proven, time_limit_reached, methods)


def _proven(search: Search, lower: int) -> bool:
    best = search.best
    return best is not None and best.score[0] == 0 and best.score[1] <= lower


def _run_cpsat(
    cp: CompiledProblem, search: Search, options: LevelingOptions, seconds: float, lower: int
) -> tuple[int, bool]:
    """CP-SAT from the best schedule so far; returns the new lower bound and the proof."""
    from pilotage.engine.leveling.cpsat import improve_with_cpsat

    best = search.best
    assert best is not None
    search.lower_bound = lower
    outcome = improve_with_cpsat(
        cp,
        best,
        seconds=seconds,
        workers=options.cpsat_workers,
        seed=options.seed,
        search=search,
    )
    if outcome is None:
        return lower, False
    candidate, bound, optimal = outcome
    lower = max(lower, bound)
    search.lower_bound = lower
    if candidate.score < best.score:
        search.best = candidate
    search.methods["CP-SAT"] = min(
        search.methods.get("CP-SAT", candidate.score[1]), candidate.score[1]
    )
    return lower, optimal or _proven(search, lower)


def _result(
    cp: CompiledProblem,
    best: Candidate,
    search: Search,
    began: float,
    cp_bound: int,
    lower: int,
    proven: bool,
    time_limit_reached: bool,
    methods: dict[str, int],
) -> LevelingResult:
    use = explain.usage(cp, best.start)
    return LevelingResult(
        start=best.start,
        finish=best.finish,
        makespan=int(best.finish.max(initial=0)),
        schedules_generated=search.schedules,
        critical_path_bound=cp_bound,
        proven_optimal=bool(proven),
        best_method=best.method,
        seconds=time.perf_counter() - began,
        time_limit_reached=time_limit_reached,
        earliest_start=best.earliest,
        delays=explain.delays(cp, best.start, best.earliest, use),
        unresolved=explain.overallocations(cp, use),
        lower_bound=int(lower),
        methods=methods,
    )
