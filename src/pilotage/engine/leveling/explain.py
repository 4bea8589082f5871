"""Why each task was delayed, and which overallocations remain, in a leveled schedule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pilotage.engine.leveling.compiled import CompiledProblem
from pilotage.engine.leveling.problem import (
    Blocker,
    FloatArray,
    IntArray,
    LevelingDelay,
    Overallocation,
)

__all__ = ["Usage", "delays", "overallocations", "usage"]

_EPSILON = 1e-9


@dataclass
class Usage:
    """Who uses which resource when: (resource, period, task, amount) rows sorted by resource
    and period, with the total use per resource and period."""

    resource: IntArray
    period: IntArray
    task: IntArray
    amount: FloatArray
    total: FloatArray
    resource_ptr: IntArray


def working_periods(cp: CompiledProblem, task: int, start: int) -> IntArray:
    """The periods a task starting at ``start`` works in."""
    d = int(cp.durations[task])
    if d == 0:
        return np.zeros(0, dtype=np.int64)
    c = int(cp.calendar[task])
    first = int(cp.forward.cum[c, min(start, cp.h)])
    result: IntArray = cp.forward.pos[c, first : first + d]
    return result


def usage(cp: CompiledProblem, start: IntArray) -> Usage:
    """The use of every resource in every period by the schedule ``start``."""
    fwd = cp.forward
    tasks = np.flatnonzero((cp.durations > 0) & (np.diff(cp.demand_ptr) > 0))
    if tasks.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Usage(
            empty,
            empty,
            empty,
            np.zeros(0),
            np.zeros((cp.r, cp.h)),
            np.zeros(cp.r + 1, dtype=np.int64),
        )
    durations = cp.durations[tasks]
    pair_task = np.repeat(tasks, durations)
    offsets = np.arange(pair_task.size) - np.repeat(np.cumsum(durations) - durations, durations)
    cal = cp.calendar[pair_task]
    first = fwd.cum[cal, np.minimum(start[pair_task], cp.h)]
    pair_period = fwd.pos[cal, first + offsets]
    counts = np.diff(cp.demand_ptr)[pair_task]
    row_task = np.repeat(pair_task, counts)
    row_period = np.repeat(pair_period, counts)
    entry = np.repeat(cp.demand_ptr[pair_task], counts) + (
        np.arange(row_task.size) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    row_resource = cp.demand_resource[entry]
    row_amount = cp.demand_amount[entry]
    order = np.lexsort((row_task, row_period, row_resource))
    total = np.zeros((cp.r, cp.h))
    np.add.at(total, (row_resource, row_period), row_amount)
    resource = row_resource[order]
    ptr = np.searchsorted(resource, np.arange(cp.r + 1)).astype(np.int64)
    return Usage(resource, row_period[order], row_task[order], row_amount[order], total, ptr)


def _tasks_using(use: Usage, resource: int, periods: IntArray, exclude: int) -> tuple[int, ...]:
    lo, hi = int(use.resource_ptr[resource]), int(use.resource_ptr[resource + 1])
    period = use.period[lo:hi]
    a = int(np.searchsorted(period, periods.min()))
    b = int(np.searchsorted(period, periods.max(), side="right"))
    rows = np.arange(a, b)
    rows = rows[np.isin(period[rows], periods)]
    tasks = np.unique(use.task[lo:hi][rows])
    return tuple(int(t) for t in tasks if t != exclude)


def delays(
    cp: CompiledProblem, start: IntArray, earliest: IntArray, use: Usage
) -> tuple[LevelingDelay, ...]:
    """For each task leveling delayed, the resources short at its earliest start, and who used
    them then."""
    result: list[LevelingDelay] = []
    capacity = cp.forward.capacity
    for j in np.flatnonzero((start > earliest) & ~cp.fixed).tolist():
        periods = working_periods(cp, j, int(earliest[j]))
        blockers: list[Blocker] = []
        if periods.size and periods.max() < cp.h:
            for q in range(int(cp.demand_ptr[j]), int(cp.demand_ptr[j + 1])):
                resource = int(cp.demand_resource[q])
                amount = float(cp.demand_amount[q])
                short = (
                    use.total[resource, periods] + amount > capacity[resource, periods] + _EPSILON
                )
                if short.any():
                    tasks = _tasks_using(use, resource, periods[short], j)
                    blockers.append(Blocker(resource=resource, tasks=tasks))
        result.append(
            LevelingDelay(task=j, periods=int(start[j] - earliest[j]), blockers=tuple(blockers))
        )
    return tuple(result)


def overallocations(cp: CompiledProblem, use: Usage) -> tuple[Overallocation, ...]:
    """Runs of periods where a resource is used beyond its capacity, with the tasks then."""
    over = use.total > cp.forward.capacity + _EPSILON
    result: list[Overallocation] = []
    for resource in np.flatnonzero(over.any(axis=1)).tolist():
        row = np.concatenate([[False], over[resource], [False]])
        edges = np.flatnonzero(row[1:] != row[:-1])
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            tasks = _tasks_using(use, resource, np.arange(a, b), -1)
            result.append(Overallocation(resource, a, b, tasks))
    return tuple(result)
