"""The optimisation mode's exact search: OR-Tools CP-SAT, warm started from the best heuristic.

The model is the classic one for the RCPSP: one interval per task, one cumulative constraint
per resource (capacity that varies over time is its maximum, lowered by fixed intervals where it
is smaller), the links as linear inequalities and the makespan to minimise, bounded above by
the best heuristic schedule, which is also given as the solution hint. It applies when every
task's calendar works in every period (so that periods and working periods coincide), when no
task is levelled within slack and when no priorities rank the tasks; otherwise the optimisation
mode relies on the heuristics alone. The solution is left-justified by the serial scheme so that
it reports the same earliest starts and delays as a heuristic schedule.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from pilotage.engine.leveling.compiled import CompiledProblem
from pilotage.engine.leveling.problem import LINK_FF, LINK_FS, LINK_SS, BoolArray, IntArray
from pilotage.engine.leveling.search import Candidate

if TYPE_CHECKING:
    from pilotage.engine.leveling.search import Search

__all__ = ["cpsat_applies", "improve_with_cpsat", "neighbourhood_search"]


def cpsat_applies(cp: CompiledProblem) -> bool:
    """Whether the CP-SAT model covers this problem (see the module's description)."""
    return bool(
        cp.uniform and not (cp.latest_finish >= 0).any() and not cp.has_priorities and cp.n > 0
    )


def _build(
    cp: CompiledProblem,
    search: Search,
    upper: int,
    frozen: BoolArray | None = None,
    shifted: BoolArray | None = None,
    current: IntArray | None = None,
) -> tuple[Any, list[Any], Any, Any]:
    """The CP-SAT model; with ``frozen``/``shifted``, the LNS neighbourhood of ``current``:
    frozen tasks keep their starts, shifted tasks move together by one (non-positive) shift.
    Returns ``(model, starts, makespan, shift)``."""
    from ortools.sat.python import cp_model

    dates = search.dates
    slack = upper - dates.makespan
    model = cp_model.CpModel()
    n, h = cp.n, cp.h
    durations = cp.durations.tolist()
    shift = None
    if shifted is not None and current is not None and shifted.any():
        earliest_shift = int((dates.earliest_start[shifted] - current[shifted]).max())
        shift = model.new_int_var(min(earliest_shift, 0), 0, "shift")
    starts: list[Any] = []
    intervals: list[Any] = []
    for j in range(n):
        d = durations[j]
        if cp.fixed[j]:
            var: Any = model.new_constant(int(cp.forward.fixed_start[j]))
        elif frozen is not None and current is not None and frozen[j]:
            var = model.new_constant(int(current[j]))
        elif shift is not None and shifted is not None and current is not None and shifted[j]:
            var = shift + int(current[j])
        else:
            lo = int(dates.earliest_start[j])
            hi = min(int(dates.latest_start[j]) + slack, h - d, upper - d)
            var = model.new_int_var(lo, max(lo, hi), f"s{j}")
        starts.append(var)
        intervals.append(model.new_fixed_size_interval_var(var, d, f"i{j}") if d > 0 else None)
    fwd = cp.forward
    for j in range(n):
        if cp.fixed[j]:
            continue
        for k in range(int(fwd.pred_ptr[j]), int(fwd.pred_ptr[j + 1])):
            i = int(fwd.pred_task[k])
            kind = int(fwd.pred_type[k])
            lag = int(fwd.pred_lag[k])
            anchor = starts[i] + durations[i] if kind in (LINK_FS, LINK_FF) else starts[i]
            if kind in (LINK_FS, LINK_SS):
                model.add(starts[j] >= anchor + lag)
            else:
                model.add(starts[j] + durations[j] >= anchor + lag)
    capacity = fwd.capacity
    for resource in range(cp.r):
        users = np.flatnonzero((cp.demands[:, resource] > 0) & (cp.durations > 0))
        if users.size == 0:
            continue
        amounts = cp.demands[users, resource]
        row = capacity[resource]
        scale = 1
        if not np.allclose(amounts, np.round(amounts)) or not np.allclose(row, np.round(row)):
            scale = 1000
        top = round(float(row.max()) * scale)
        task_intervals = [intervals[int(j)] for j in users]
        task_demands = [round(float(a) * scale) for a in amounts]
        gap = top - np.round(row * scale).astype(np.int64)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], gap, [0]])) != 0)
        for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
            if gap[a] > 0:
                task_intervals.append(model.new_fixed_size_interval_var(a, b - a, f"gap{a}"))
                task_demands.append(int(gap[a]))
        model.add_cumulative(task_intervals, task_demands, top)
    makespan = model.new_int_var(min(search.lower_bound, upper), upper, "makespan")
    for j in range(n):
        model.add(makespan >= starts[j] + durations[j])
    model.minimize(makespan)
    return model, starts, makespan, shift


def _solve(model: Any, seconds: float, workers: int, seed: int) -> tuple[Any, int]:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    return solver, solver.solve(model)


def _adopt(search: Search, solution: IntArray, method: str) -> None:
    """Left-justify a CP-SAT solution by the serial scheme (with improvement) and keep it."""
    order = search.list_of(solution, solution + search.cp.durations)
    search.decode(order[None, :], method)


def improve_with_cpsat(
    cp: CompiledProblem,
    best: Candidate,
    *,
    seconds: float,
    workers: int,
    seed: int,
    search: Search,
) -> tuple[Candidate, int, bool] | None:
    """Search for a shorter schedule than ``best`` with CP-SAT for at most ``seconds``.

    Returns ``(schedule, lower bound, proven optimal)``, or None when the model does not apply.
    """
    if not cpsat_applies(cp) or best.score[0] != 0:
        return None
    from ortools.sat.python import cp_model

    upper = int(best.score[1])
    model, starts, makespan, _ = _build(cp, search, upper)
    for j in range(cp.n):
        if not cp.fixed[j]:
            model.add_hint(starts[j], int(best.start[j]))
    model.add_hint(makespan, upper)
    solver, status = _solve(model, seconds, workers, seed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return best, 0, False
    bound = int(np.ceil(solver.best_objective_bound - 1e-9))
    optimal = status == cp_model.OPTIMAL
    value = int(solver.value(makespan))
    if value >= upper:
        return best, bound, optimal and value == upper
    _adopt(search, np.array([solver.value(v) for v in starts], dtype=np.int64), "CP-SAT")
    candidate = search.best
    assert candidate is not None
    return candidate, bound, optimal


def neighbourhood_search(
    cp: CompiledProblem, search: Search, *, seconds: float, workers: int, seed: int
) -> None:
    """Large neighbourhood search with CP-SAT on time windows of the best schedule.

    Each step frees the tasks that start in a random window of the best schedule, keeps the
    tasks before it where they are and lets the tasks after it move earlier together, and
    asks CP-SAT for the shortest schedule of that neighbourhood (a time-window neighbourhood
    in the manner of Godard, Laborie & Nuijten, 2005).
    """
    if not cpsat_applies(cp) or search.best is None or search.best.score[0] != 0:
        return
    from ortools.sat.python import cp_model

    rng = np.random.default_rng(seed)
    stop_at = time.perf_counter() + seconds
    step_seconds = 1.0
    while True:
        remaining = stop_at - time.perf_counter()
        best = search.best
        if remaining < 0.05 or best is None or best.score[1] <= search.lower_bound:
            return
        current = best.start
        upper = int(best.score[1])
        width = int(rng.integers(max(2, upper // 6), max(3, upper // 3) + 1))
        begin = int(rng.integers(0, max(1, upper - width)))
        frozen = current < begin
        shifted = current >= begin + width
        model, starts, makespan, shift = _build(cp, search, upper, frozen, shifted, current)
        for j in range(cp.n):
            if not (cp.fixed[j] or frozen[j] or shifted[j]):
                model.add_hint(starts[j], int(current[j]))
        if shift is not None:
            model.add_hint(shift, 0)
        solver, status = _solve(model, min(step_seconds, remaining), workers, seed)
        improved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if improved and int(solver.value(makespan)) < upper:
            solution = np.array([solver.value(v) for v in starts], dtype=np.int64)
            _adopt(search, solution, "CP-SAT neighbourhood search")
