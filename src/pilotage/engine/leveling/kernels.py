"""Compiled (numba) kernels of the leveling heuristics: the schedule-generation schemes.

Every function here works on the arrays of :mod:`pilotage.engine.leveling.compiled` and keeps
to one signature (int64 and float64 arrays, a few scalars), so that each compiles once and the
compiled code is cached on disk. :mod:`pilotage.engine.leveling.reference` is the plain-Python
serial scheme the tests compare :func:`serial_sgs` with.

Argument groups, in this order:

- task arrays: ``durations, calendar, demand_ptr, demand_resource, demand_amount``;
- side arrays (one direction of time): ``pred_ptr, pred_task, pred_type, pred_lag,
  pred_calendar, succ_ptr, succ_task, cum, pos, working_count, capacity, fixed_start,
  fixed_finish``, where ``capacity`` is indexed ``[period, resource]`` (the resources of one
  period side by side, as the scheme reads them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

__all__ = ["breed", "evaluate", "parallel_sgs", "serial_sgs", "topological_order"]

_EPS = 1e-9
_Function = TypeVar("_Function", bound=Callable[..., Any])


def _compiled(function: _Function) -> _Function:
    """Compile with numba, cached on disk, keeping the function's type for mypy."""
    return cast(_Function, njit(cache=True)(function))


_FS = 0
_FF = 2


@_compiled
def _bounds(
    j: int,
    start: Any,
    finish: Any,
    pred_ptr: Any,
    pred_task: Any,
    pred_type: Any,
    pred_lag: Any,
    pred_calendar: Any,
    cum: Any,
    pos: Any,
    working_count: Any,
    release: Any,
    h: int,
) -> tuple[int, int]:
    """Earliest start and earliest finish times the placed predecessors allow task ``j``."""
    start_bound = release[j]
    finish_bound = 0
    for k in range(pred_ptr[j], pred_ptr[j + 1]):
        i = pred_task[k]
        kind = pred_type[k]
        anchor = finish[i] if (kind == _FS or kind == _FF) else start[i]  # noqa: SIM109
        lag_calendar = pred_calendar[k]
        x = cum[lag_calendar, min(anchor, h)] + pred_lag[k]
        if anchor > h:
            x += anchor - h
        if x <= 0:
            t = 0
        elif x > working_count[lag_calendar]:
            t = h + 1 + x - working_count[lag_calendar]
        else:
            t = pos[lag_calendar, x - 1] + 1
        if kind <= 1:
            start_bound = max(start_bound, t)
        else:
            finish_bound = max(finish_bound, t)
    return start_bound, finish_bound


@_compiled
def _first_index(
    j: int, duration: int, c: int, start_bound: int, finish_bound: int, cum: Any, h: int
) -> int:
    """Index of the first working period of task ``j`` at its earliest (``h + 1``: beyond)."""
    if start_bound > h or finish_bound > h + 1:
        return h + 1
    k = cum[c, start_bound]
    if finish_bound > 0:
        k = max(k, cum[c, finish_bound - 1] - duration + 1)
    result: int = k
    return result


@_compiled
def serial_sgs(
    order: Any,
    durations: Any,
    calendar: Any,
    demand_ptr: Any,
    demand_resource: Any,
    demand_amount: Any,
    pred_ptr: Any,
    pred_task: Any,
    pred_type: Any,
    pred_lag: Any,
    pred_calendar: Any,
    succ_ptr: Any,
    succ_task: Any,
    cum: Any,
    pos: Any,
    working_count: Any,
    capacity: Any,
    fixed_start: Any,
    fixed_finish: Any,
    release: Any,
    deadline: Any,
    ignore_resources: bool,
) -> tuple[Any, Any, Any, Any, int]:
    """The serial schedule-generation scheme: tasks in ``order``, each at its earliest fit.

    Returns ``(start, finish, earliest, over, failed)``: ``over[j]`` is 1 when task ``j``
    could not fit before its deadline and was placed at its earliest start over capacity;
    ``failed`` is the first task that did not fit in the horizon, or -1.
    """
    n = durations.shape[0]
    h = capacity.shape[0]
    residual = capacity.copy()
    start = np.full(n, -1, dtype=np.int64)
    finish = np.full(n, -1, dtype=np.int64)
    earliest = np.full(n, -1, dtype=np.int64)
    over = np.zeros(n, dtype=np.int64)
    for j in range(n):
        if fixed_start[j] >= 0:
            start[j] = fixed_start[j]
            finish[j] = fixed_finish[j]
            earliest[j] = fixed_start[j]
            if durations[j] > 0 and not ignore_resources:
                c = calendar[j]
                first = cum[c, fixed_start[j]]
                for k in range(durations[j]):
                    t = pos[c, first + k]
                    for q in range(demand_ptr[j], demand_ptr[j + 1]):
                        residual[t, demand_resource[q]] -= demand_amount[q]
    for idx in range(order.shape[0]):
        j = order[idx]
        if fixed_start[j] >= 0:
            continue
        start_bound, finish_bound = _bounds(
            j,
            start,
            finish,
            pred_ptr,
            pred_task,
            pred_type,
            pred_lag,
            pred_calendar,
            cum,
            pos,
            working_count,
            release,
            h,
        )
        d = durations[j]
        if d == 0:
            t = max(start_bound, finish_bound)
            if t > h:
                return start, finish, earliest, over, j
            start[j] = t
            finish[j] = t
            earliest[j] = t
            continue
        c = calendar[j]
        first = _first_index(j, d, c, start_bound, finish_bound, cum, h)
        if first + d > working_count[c]:
            return start, finish, earliest, over, j
        earliest_first = first
        earliest[j] = pos[c, first]
        lo = demand_ptr[j]
        hi = demand_ptr[j + 1]
        if not ignore_resources and hi > lo:
            while True:
                if first + d > working_count[c]:
                    break
                conflict = -1
                for k in range(d - 1, -1, -1):
                    t = pos[c, first + k]
                    for q in range(lo, hi):
                        if residual[t, demand_resource[q]] < demand_amount[q] - _EPS:
                            conflict = k
                            break
                    if conflict >= 0:
                        break
                if conflict < 0:
                    break
                first += conflict + 1
            late = first + d > working_count[c] or (
                deadline[j] >= 0 and pos[c, first + d - 1] + 1 > deadline[j]
            )
            if late:
                if deadline[j] >= 0:
                    first = earliest_first
                    over[j] = 1
                else:
                    return start, finish, earliest, over, j
            for k in range(d):
                t = pos[c, first + k]
                for q in range(lo, hi):
                    residual[t, demand_resource[q]] -= demand_amount[q]
        start[j] = pos[c, first]
        finish[j] = pos[c, first + d - 1] + 1
    return start, finish, earliest, over, -1


@_compiled
def topological_order(key: Any, pred_ptr: Any, succ_ptr: Any, succ_task: Any) -> Any:
    """The links' order that takes, among the tasks ready, the smallest ``key`` first."""
    n = key.shape[0]
    waiting = np.empty(n, dtype=np.int64)
    for j in range(n):
        waiting[j] = pred_ptr[j + 1] - pred_ptr[j]
    heap = np.empty(n, dtype=np.int64)
    size = 0
    order = np.empty(n, dtype=np.int64)
    count = 0
    for j in range(n):
        if waiting[j] == 0:
            heap[size] = j
            size += 1
            child = size - 1
            while child > 0:
                parent = (child - 1) // 2
                a = heap[child]
                b = heap[parent]
                if key[a] < key[b] or (key[a] == key[b] and a < b):
                    heap[child] = b
                    heap[parent] = a
                    child = parent
                else:
                    break
    while size > 0:
        j = heap[0]
        size -= 1
        heap[0] = heap[size]
        parent = 0
        while True:
            left = 2 * parent + 1
            if left >= size:
                break
            best = left
            right = left + 1
            if right < size:
                a = heap[right]
                b = heap[left]
                if key[a] < key[b] or (key[a] == key[b] and a < b):
                    best = right
            a = heap[best]
            b = heap[parent]
            if key[a] < key[b] or (key[a] == key[b] and a < b):
                heap[best] = b
                heap[parent] = a
                parent = best
            else:
                break
        order[count] = j
        count += 1
        for k in range(succ_ptr[j], succ_ptr[j + 1]):
            s = succ_task[k]
            waiting[s] -= 1
            if waiting[s] == 0:
                heap[size] = s
                size += 1
                child = size - 1
                while child > 0:
                    parent = (child - 1) // 2
                    a = heap[child]
                    b = heap[parent]
                    if key[a] < key[b] or (key[a] == key[b] and a < b):
                        heap[child] = b
                        heap[parent] = a
                        child = parent
                    else:
                        break
    return order


@_compiled
def parallel_sgs(
    rank: Any,
    durations: Any,
    calendar: Any,
    demand_ptr: Any,
    demand_resource: Any,
    demand_amount: Any,
    pred_ptr: Any,
    pred_task: Any,
    pred_type: Any,
    pred_lag: Any,
    pred_calendar: Any,
    succ_ptr: Any,
    succ_task: Any,
    cum: Any,
    pos: Any,
    working_count: Any,
    capacity: Any,
    fixed_start: Any,
    fixed_finish: Any,
    release: Any,
    deadline: Any,
    next_change: Any,
) -> tuple[Any, Any, Any, Any, int]:
    """The parallel schedule-generation scheme: walk through time, start what fits, by rank.

    Same results as :func:`serial_sgs`; ``rank`` orders the tasks ready at the same time
    (smallest first).
    """
    n = durations.shape[0]
    h = capacity.shape[0]
    residual = capacity.copy()
    start = np.full(n, -1, dtype=np.int64)
    finish = np.full(n, -1, dtype=np.int64)
    earliest = np.full(n, -1, dtype=np.int64)
    earliest_first = np.zeros(n, dtype=np.int64)
    over = np.zeros(n, dtype=np.int64)
    waiting = np.zeros(n, dtype=np.int64)
    events = np.empty(n + 1, dtype=np.int64)
    event_count = 0
    eligible = np.empty(n, dtype=np.int64)
    eligible_count = 0
    left = 0
    for j in range(n):
        if fixed_start[j] >= 0:
            start[j] = fixed_start[j]
            finish[j] = fixed_finish[j]
            earliest[j] = fixed_start[j]
            events[event_count] = fixed_finish[j]
            event_count += 1
            if durations[j] > 0:
                c = calendar[j]
                first = cum[c, fixed_start[j]]
                for k in range(durations[j]):
                    t = pos[c, first + k]
                    for q in range(demand_ptr[j], demand_ptr[j + 1]):
                        residual[t, demand_resource[q]] -= demand_amount[q]
    for j in range(n):
        if fixed_start[j] >= 0:
            continue
        left += 1
        for k in range(pred_ptr[j], pred_ptr[j + 1]):
            if fixed_start[pred_task[k]] < 0:
                waiting[j] += 1
    ready = np.empty(n, dtype=np.int64)
    ready_count = 0
    for j in range(n):
        if fixed_start[j] < 0 and waiting[j] == 0:
            ready[ready_count] = j
            ready_count += 1
    t = 0
    while left > 0:
        placed_any = True
        while placed_any:
            placed_any = False
            # Tasks whose predecessors are all placed get their earliest start now.
            for e in range(ready_count):
                j = ready[e]
                start_bound, finish_bound = _bounds(
                    j,
                    start,
                    finish,
                    pred_ptr,
                    pred_task,
                    pred_type,
                    pred_lag,
                    pred_calendar,
                    cum,
                    pos,
                    working_count,
                    release,
                    h,
                )
                d = durations[j]
                if d == 0:
                    earliest[j] = max(start_bound, finish_bound)
                else:
                    c = calendar[j]
                    first = _first_index(j, d, c, start_bound, finish_bound, cum, h)
                    if first + d > working_count[c]:
                        return start, finish, earliest, over, j
                    earliest_first[j] = first
                    earliest[j] = pos[c, first]
                eligible[eligible_count] = j
                eligible_count += 1
            ready_count = 0
            for a in range(1, eligible_count):
                x = eligible[a]
                b = a - 1
                while b >= 0 and rank[eligible[b]] > rank[x]:
                    eligible[b + 1] = eligible[b]
                    b -= 1
                eligible[b + 1] = x
            keep = 0
            for e in range(eligible_count):
                j = eligible[e]
                d = durations[j]
                place = -2
                if d == 0:
                    if earliest[j] > h:
                        return start, finish, earliest, over, j
                    start[j] = earliest[j]
                    finish[j] = earliest[j]
                    place = -1
                elif earliest[j] <= t < h:
                    c = calendar[j]
                    if cum[c, t + 1] > cum[c, t]:
                        first = cum[c, t]
                        if first + d <= working_count[c]:
                            fits = True
                            for k in range(d - 1, -1, -1):
                                p = pos[c, first + k]
                                for q in range(demand_ptr[j], demand_ptr[j + 1]):
                                    if residual[p, demand_resource[q]] < demand_amount[q] - _EPS:
                                        fits = False
                                        break
                                if not fits:
                                    break
                            late = deadline[j] >= 0 and pos[c, first + d - 1] + 1 > deadline[j]
                            if fits and not late:
                                place = first
                            elif late:
                                place = earliest_first[j]
                                fits_there = True
                                for k in range(d):
                                    p = pos[c, place + k]
                                    for q in range(demand_ptr[j], demand_ptr[j + 1]):
                                        if (
                                            residual[p, demand_resource[q]]
                                            < demand_amount[q] - _EPS
                                        ):
                                            fits_there = False
                                if not fits_there:
                                    over[j] = 1
                if place == -2:
                    eligible[keep] = j
                    keep += 1
                    continue
                if place >= 0:
                    c = calendar[j]
                    for k in range(d):
                        p = pos[c, place + k]
                        for q in range(demand_ptr[j], demand_ptr[j + 1]):
                            residual[p, demand_resource[q]] -= demand_amount[q]
                    start[j] = pos[c, place]
                    finish[j] = pos[c, place + d - 1] + 1
                events[event_count] = finish[j]
                event_count += 1
                left -= 1
                placed_any = True
                for k in range(succ_ptr[j], succ_ptr[j + 1]):
                    s = succ_task[k]
                    if fixed_start[s] >= 0:
                        continue
                    waiting[s] -= 1
                    if waiting[s] == 0:
                        ready[ready_count] = s
                        ready_count += 1
            eligible_count = keep
            if ready_count > 0:
                placed_any = True
        if left == 0:
            break
        nxt = next_change[t] if t < h else h + 1
        keep = 0
        for e in range(event_count):
            if events[e] > t:
                nxt = min(nxt, events[e])
                events[keep] = events[e]
                keep += 1
        event_count = keep
        for e in range(eligible_count):
            if earliest[eligible[e]] > t:
                nxt = min(nxt, earliest[eligible[e]])
        t = nxt
        if t >= h:
            return start, finish, earliest, over, eligible[0]
    return start, finish, earliest, over, -1


@_compiled
def _justify(
    start: Any,
    finish: Any,
    durations: Any,
    calendar: Any,
    demand_ptr: Any,
    demand_resource: Any,
    demand_amount: Any,
    forward: Any,
    backward: Any,
    release: Any,
    deadline: Any,
    priority_class: Any,
    use_priorities: bool,
) -> tuple[Any, Any, Any, Any, Any, int]:
    """One forward-backward improvement: right-justify, then left-justify, by the serial scheme.

    Returns the new ``(order, start, finish, earliest, over, failed)``.
    """
    n = durations.shape[0]
    h = forward[10].shape[0]
    makespan = 0
    for j in range(n):
        makespan = max(makespan, finish[j])
    key = np.empty(n, dtype=np.float64)
    for j in range(n):
        key[j] = (h - finish[j]) * (h + 2.0) + (h - start[j])
    order = topological_order(key, backward[0], backward[5], backward[6])
    back_release = np.full(n, h - makespan, dtype=np.int64)
    no_deadline = np.full(n, -1, dtype=np.int64)
    b_start, b_finish, _, _, failed = serial_sgs(
        order,
        durations,
        calendar,
        demand_ptr,
        demand_resource,
        demand_amount,
        backward[0],
        backward[1],
        backward[2],
        backward[3],
        backward[4],
        backward[5],
        backward[6],
        backward[7],
        backward[8],
        backward[9],
        backward[10],
        backward[11],
        backward[12],
        back_release,
        no_deadline,
        False,
    )
    if failed >= 0:
        return order, start, finish, start, np.zeros(n, dtype=np.int64), failed
    for j in range(n):
        key[j] = (h - b_finish[j]) * (h + 2.0) + (h - b_start[j])
        if use_priorities:
            key[j] += priority_class[j] * (h + 2.0) * (h + 2.0)
    order = topological_order(key, forward[0], forward[5], forward[6])
    f_start, f_finish, f_earliest, f_over, failed = serial_sgs(
        order,
        durations,
        calendar,
        demand_ptr,
        demand_resource,
        demand_amount,
        forward[0],
        forward[1],
        forward[2],
        forward[3],
        forward[4],
        forward[5],
        forward[6],
        forward[7],
        forward[8],
        forward[9],
        forward[10],
        forward[11],
        forward[12],
        release,
        deadline,
        False,
    )
    return order, f_start, f_finish, f_earliest, f_over, failed


@_compiled
def evaluate(
    orders: Any,
    improve: int,
    priority_class: Any,
    use_priorities: bool,
    durations: Any,
    calendar: Any,
    demand_ptr: Any,
    demand_resource: Any,
    demand_amount: Any,
    forward: Any,
    backward: Any,
    release: Any,
    deadline: Any,
) -> tuple[Any, Any, Any, Any, Any, int]:
    """Decode activity lists by the serial scheme, each improved ``improve`` times.

    Returns ``(orders, start, finish, earliest, metrics, schedules)``, where the orders are
    those of the improved schedules (so that the search learns from the improvement) and
    ``metrics[p] = (failed, overallocated tasks, makespan, sum of finishes)``.
    """
    count, n = orders.shape
    out_orders = orders.copy()
    starts = np.zeros((count, n), dtype=np.int64)
    finishes = np.zeros((count, n), dtype=np.int64)
    earliests = np.zeros((count, n), dtype=np.int64)
    metrics = np.zeros((count, 4), dtype=np.int64)
    schedules = 0
    key = np.empty(n, dtype=np.float64)
    for p in range(count):
        order = orders[p]
        if use_priorities:
            for idx in range(n):
                key[order[idx]] = priority_class[order[idx]] * (n + 1.0) + idx
            order = topological_order(key, forward[0], forward[5], forward[6])
        start, finish, earliest, over, failed = serial_sgs(
            order,
            durations,
            calendar,
            demand_ptr,
            demand_resource,
            demand_amount,
            forward[0],
            forward[1],
            forward[2],
            forward[3],
            forward[4],
            forward[5],
            forward[6],
            forward[7],
            forward[8],
            forward[9],
            forward[10],
            forward[11],
            forward[12],
            release,
            deadline,
            False,
        )
        schedules += 1
        if failed >= 0:
            metrics[p, 0] = 1
            continue
        total = 0
        makespan = 0
        overs = 0
        for j in range(n):
            total += finish[j]
            makespan = max(makespan, finish[j])
            overs += over[j]
        for _ in range(improve):
            n_order, n_start, n_finish, n_earliest, n_over, n_failed = _justify(
                start,
                finish,
                durations,
                calendar,
                demand_ptr,
                demand_resource,
                demand_amount,
                forward,
                backward,
                release,
                deadline,
                priority_class,
                use_priorities,
            )
            schedules += 2
            if n_failed >= 0:
                break
            n_total = 0
            n_makespan = 0
            n_overs = 0
            for j in range(n):
                n_total += n_finish[j]
                n_makespan = max(n_makespan, n_finish[j])
                n_overs += n_over[j]
            better = n_overs < overs or (
                n_overs == overs
                and (n_makespan < makespan or (n_makespan == makespan and n_total < total))
            )
            worse = n_overs > overs or (n_overs == overs and n_makespan > makespan)
            if worse:
                break
            order, start, finish, earliest, over = n_order, n_start, n_finish, n_earliest, n_over
            total, makespan, overs = n_total, n_makespan, n_overs
            if not better:
                break
        out_orders[p] = order
        starts[p] = start
        finishes[p] = finish
        earliests[p] = earliest
        metrics[p, 1] = overs
        metrics[p, 2] = makespan
        metrics[p, 3] = total
    return out_orders, starts, finishes, earliests, metrics, schedules


@_compiled
def breed(
    population: Any,
    mother: Any,
    father: Any,
    cut_one: Any,
    cut_two: Any,
    mutate: Any,
    succ_ptr: Any,
    succ_task: Any,
) -> Any:
    """Two-point crossover of activity lists and adjacent-swap mutation (Hartmann, 1998).

    Child ``c`` takes positions ``< cut_one[c]`` from ``population[mother[c]]``, the next
    ones up to ``cut_two[c]`` in the father's order among the tasks left, the rest in the
    mother's order: every child is a precedence-feasible list. ``mutate[c, k]`` swaps
    positions ``k`` and ``k + 1`` unless a link joins the two tasks.
    """
    children, n = mutate.shape
    out = np.empty((children, n), dtype=np.int64)
    taken = np.zeros(n, dtype=np.bool_)
    for c in range(children):
        mom = population[mother[c]]
        dad = population[father[c]]
        taken[:] = False
        size = 0
        for k in range(cut_one[c]):
            out[c, size] = mom[k]
            taken[mom[k]] = True
            size += 1
        for k in range(n):
            if size >= cut_two[c]:
                break
            task = dad[k]
            if not taken[task]:
                out[c, size] = task
                taken[task] = True
                size += 1
        for k in range(n):
            task = mom[k]
            if not taken[task]:
                out[c, size] = task
                taken[task] = True
                size += 1
        for k in range(n - 1):
            if mutate[c, k]:
                a = out[c, k]
                b = out[c, k + 1]
                linked = False
                for q in range(succ_ptr[a], succ_ptr[a + 1]):
                    if succ_task[q] == b:
                        linked = True
                        break
                if not linked:
                    out[c, k] = b
                    out[c, k + 1] = a
    return out
