"""Validation of a :class:`LevelingProblem` and its arrays in the form the kernels read.

Calendars become two tables per calendar row: ``cum[c, t]``, the number of working periods
before ``t``, and ``pos[c, k]``, the period of the ``k``-th working period. A task with work is
placed by the index ``k`` of its first working period; links are compared through ``cum`` of
the calendar their lag counts in. The same tables for time running backwards (``t -> h - t``)
give the mirror problem that the backward passes of the justification solve with the same
kernel: a link ``i -> j`` becomes ``j -> i`` (FS and SF keep their type, SS and FF swap) and
its lag still counts in the calendar of the original successor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pilotage.engine.errors import (
    CalendarError,
    CyclicDependencyError,
    HorizonTooShortError,
    ResourceCapacityError,
    ScheduleInputError,
)
from pilotage.engine.leveling.problem import (
    LINK_FF,
    LINK_SS,
    BoolArray,
    FloatArray,
    IntArray,
    LevelingProblem,
)

__all__ = ["CompiledProblem", "Side", "compile_problem", "validate_problem"]

_EPSILON = 1e-9


@dataclass
class Side:
    """One direction of time: incoming links by task, outgoing links, calendars, capacity."""

    pred_ptr: IntArray
    pred_task: IntArray
    pred_type: IntArray
    pred_lag: IntArray
    pred_calendar: IntArray
    succ_ptr: IntArray
    succ_task: IntArray
    cum: IntArray
    pos: IntArray
    working_count: IntArray
    capacity: FloatArray
    fixed_start: IntArray
    fixed_finish: IntArray

    def __post_init__(self) -> None:
        self.capacity_by_period: FloatArray = np.ascontiguousarray(self.capacity.T)

    def arrays(
        self,
    ) -> tuple[
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        IntArray,
        FloatArray,
        IntArray,
        IntArray,
    ]:
        """The arrays in the order the kernels take them."""
        return (
            self.pred_ptr,
            self.pred_task,
            self.pred_type,
            self.pred_lag,
            self.pred_calendar,
            self.succ_ptr,
            self.succ_task,
            self.cum,
            self.pos,
            self.working_count,
            self.capacity_by_period,
            self.fixed_start,
            self.fixed_finish,
        )


@dataclass
class CompiledProblem:
    """The validated problem as plain int64/float64 arrays."""

    problem: LevelingProblem
    n: int
    r: int
    h: int
    durations: IntArray
    calendar: IntArray
    demands: FloatArray
    demand_ptr: IntArray
    demand_resource: IntArray
    demand_amount: FloatArray
    release: IntArray
    latest_finish: IntArray
    fixed: BoolArray
    priority_class: IntArray
    has_priorities: bool
    forward: Side
    backward: Side
    next_change: IntArray
    uniform: bool

    def task_arrays(self) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
        """The per-task arrays in the order the kernels take them."""
        return (
            self.durations,
            self.calendar,
            self.demand_ptr,
            self.demand_resource,
            self.demand_amount,
        )


def _int_vector(value: Any, name: str, length: int | None) -> IntArray:
    array = np.asarray(value)
    if array.ndim != 1 or (length is not None and array.shape[0] != length):
        expected = "a vector" if length is None else f"a vector of {length} values"
        raise ScheduleInputError(f"{name} must be {expected}, got shape {array.shape}")
    whole = np.issubdtype(array.dtype, np.integer) or (
        np.issubdtype(array.dtype, np.number)
        and bool(np.all(np.isfinite(array) & (array == np.round(array))))
    )
    if array.size and not whole:
        raise ScheduleInputError(f"{name} must hold whole numbers")
    return np.ascontiguousarray(array, dtype=np.int64)


def _float_array(value: Any, name: str, shape: tuple[int, ...]) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise ScheduleInputError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ScheduleInputError(f"{name} must hold finite numbers")
    return np.ascontiguousarray(array)


def _first_negative(values: IntArray | FloatArray, minimum: float = 0) -> int:
    bad = np.flatnonzero(values < minimum)
    return int(bad[0]) if bad.size else -1


def _find_cycle(n: int, pred: IntArray, succ: IntArray, remaining: BoolArray) -> list[int]:
    """One cycle among the tasks Kahn's algorithm could not order, in link order."""
    out: dict[int, list[int]] = {}
    for i, j in zip(pred.tolist(), succ.tolist(), strict=True):
        if remaining[i] and remaining[j]:
            out.setdefault(i, []).append(j)
    start = int(np.flatnonzero(remaining)[0])
    # Every remaining task has a remaining predecessor, so walking backwards must loop;
    # walk forwards along tasks that keep a remaining successor instead.
    seen: dict[int, int] = {}
    path: list[int] = []
    node = start
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        nxt = [j for j in out.get(node, []) if remaining[j]]
        if not nxt:
            remaining[node] = False
            path.clear()
            seen.clear()
            node = int(np.flatnonzero(remaining)[0])
            continue
        node = nxt[0]
    return path[seen[node] :]


def _topological_check(problem: LevelingProblem, n: int, pred: IntArray, succ: IntArray) -> None:
    indegree = np.bincount(succ, minlength=n)
    order = np.argsort(succ, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pred, minlength=n), out=ptr[1:])
    by_pred = np.argsort(pred, kind="stable")
    succ_of = succ[by_pred]
    stack = list(np.flatnonzero(indegree == 0).tolist())
    done = 0
    indegree = indegree.copy()
    while stack:
        i = stack.pop()
        done += 1
        for j in succ_of[ptr[i] : ptr[i + 1]].tolist():
            indegree[j] -= 1
            if indegree[j] == 0:
                stack.append(j)
    del order
    if done < n:
        cycle = _find_cycle(n, pred, succ, indegree > 0)
        names = " -> ".join(problem.task_label(t) for t in (*cycle, cycle[0]))
        raise CyclicDependencyError(f"The links form a cycle: {names}", cycle=cycle)


def validate_problem(problem: LevelingProblem) -> None:
    """Check a problem and raise an :class:`~pilotage.engine.errors.EngineError` naming the fault.

    Parameters
    ----------
    problem : LevelingProblem
        The problem to check.

    Raises
    ------
    ScheduleInputError
        Shapes, negative durations or demands, unknown task indices or link types.
    CyclicDependencyError
        The links form a cycle (the error names it).
    CalendarError
        A calendar some task uses has no working time.
    ResourceCapacityError
        A task needs more of a resource than the resource has in any period it could work.

    Examples
    --------
    >>> bad = LevelingProblem(
    ...     np.array([2]), np.array([[3.0]]), np.full((1, 5), 2.0), *[np.array([], int)] * 4,
    ...     task_names=("Pour",), resource_names=("Crane",),
    ... )
    >>> validate_problem(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ResourceCapacityError: Task 'Pour' needs 3 units of resource ...
    """
    compile_problem(problem)


def _calendar_tables(working: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    calendars, h = working.shape
    cum = np.zeros((calendars, h + 1), dtype=np.int64)
    np.cumsum(working, axis=1, out=cum[:, 1:])
    counts = cum[:, h].copy()
    pos = np.full((calendars, h), h, dtype=np.int64)
    for c in range(calendars):
        periods = np.flatnonzero(working[c])
        pos[c, : periods.size] = periods
    return cum, pos, counts


def _links_by(
    key: IntArray, other: IntArray, n: int, *extra: IntArray
) -> tuple[IntArray, IntArray, list[IntArray]]:
    order = np.argsort(key, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=ptr[1:])
    return ptr, np.ascontiguousarray(other[order]), [np.ascontiguousarray(e[order]) for e in extra]


def _fixed_positions(
    durations: IntArray,
    calendar: IntArray,
    fixed_start: IntArray,
    cum: IntArray,
    pos: IntArray,
    counts: IntArray,
    problem: LevelingProblem,
) -> tuple[IntArray, IntArray]:
    n = durations.shape[0]
    start = np.full(n, -1, dtype=np.int64)
    finish = np.full(n, -1, dtype=np.int64)
    for i in np.flatnonzero(fixed_start >= 0).tolist():
        s, d, c = int(fixed_start[i]), int(durations[i]), int(calendar[i])
        if d == 0:
            start[i] = finish[i] = s
            continue
        k = int(cum[c, s])
        if k + d > counts[c]:
            raise HorizonTooShortError(
                f"{problem.task_label(i)} is fixed at period {s} but its calendar has fewer "
                f"than {d} working periods from there to the end of the horizon",
                task=i,
            )
        start[i] = pos[c, k]
        finish[i] = pos[c, k + d - 1] + 1
    return start, finish


def compile_problem(problem: LevelingProblem) -> CompiledProblem:
    """Validate ``problem`` and build the kernels' arrays (see :func:`validate_problem`)."""
    durations = _int_vector(problem.durations, "durations", None)
    n = durations.shape[0]
    capacity_raw = np.asarray(problem.capacity, dtype=np.float64)
    if capacity_raw.ndim != 2 or capacity_raw.shape[1] < 1:
        raise ScheduleInputError(
            f"capacity must be a (resources, periods) array with at least one period, "
            f"got shape {capacity_raw.shape}"
        )
    r, h = capacity_raw.shape
    capacity = _float_array(capacity_raw, "capacity", (r, h))
    demands = _float_array(problem.demands, "demands", (n, r))
    if (bad := _first_negative(durations)) >= 0:
        raise ScheduleInputError(f"{problem.task_label(bad)}: the duration must not be negative")
    if (demands < 0).any():
        bad = int(np.argwhere(demands < 0)[0][0])
        raise ScheduleInputError(f"{problem.task_label(bad)}: demands must not be negative")
    if capacity.size and capacity.min() < 0:
        resource = int(np.argmin(capacity.min(axis=1)))
        raise ScheduleInputError(
            f"The capacity of {problem.resource_label(resource)} must not be negative"
        )
    pred = _int_vector(problem.link_predecessor, "link_predecessor", None)
    m = pred.shape[0]
    succ = _int_vector(problem.link_successor, "link_successor", m)
    kind = _int_vector(problem.link_type, "link_type", m)
    lag = _int_vector(problem.link_lag, "link_lag", m)
    for name, values in (("link_predecessor", pred), ("link_successor", succ)):
        if m and (values.min() < 0 or values.max() >= n):
            raise ScheduleInputError(f"{name} must hold task indices 0 to {n - 1}")
    if m and (kind.min() < 0 or kind.max() > 3):
        raise ScheduleInputError("link_type must be 0 (FS), 1 (SS), 2 (FF) or 3 (SF)")
    _topological_check(problem, n, pred, succ)

    def optional(value: Any, name: str, default: int) -> IntArray:
        if value is None:
            return np.full(n, default, dtype=np.int64)
        return _int_vector(value, name, n)

    release = optional(problem.release, "release", 0)
    if (bad := _first_negative(release)) >= 0 or (release >= h).any():
        bad = bad if bad >= 0 else int(np.flatnonzero(release >= h)[0])
        raise ScheduleInputError(
            f"{problem.task_label(bad)}: the release must be a period from 0 to {h - 1}"
        )
    if problem.working is None:
        working = np.ones((1, h), dtype=np.bool_)
    else:
        working = np.asarray(problem.working, dtype=np.bool_)
        if working.ndim != 2 or working.shape[1] != h or working.shape[0] < 1:
            raise ScheduleInputError(
                f"working must have shape (calendars, {h}), got {working.shape}"
            )
    calendar = optional(problem.calendar, "calendar", 0)
    if n and (calendar.min() < 0 or calendar.max() >= working.shape[0]):
        raise ScheduleInputError(f"calendar must hold rows 0 to {working.shape[0] - 1}")
    cum, pos, counts = _calendar_tables(working)
    used = np.unique(calendar[durations > 0])
    for c in used.tolist():
        if counts[c] == 0:
            raise CalendarError(f"{problem.calendar_label(c)} has no working time")
    fixed_start = optional(problem.fixed_start, "fixed_start", -1)
    if (fixed_start < -1).any() or (fixed_start >= h).any():
        bad = int(np.flatnonzero((fixed_start < -1) | (fixed_start >= h))[0])
        raise ScheduleInputError(
            f"{problem.task_label(bad)}: fixed_start must be -1 or a period from 0 to {h - 1}"
        )
    latest_finish = optional(problem.latest_finish, "latest_finish", -1)
    if (bad := _first_negative(latest_finish, -1)) >= 0:
        raise ScheduleInputError(f"{problem.task_label(bad)}: latest_finish must be -1 or >= 0")
    _check_capacity(problem, durations, demands, capacity, working, calendar)
    priority_class, has_priorities = _priority_classes(problem, n)

    demand_mask = demands > 0
    demand_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(demand_mask.sum(axis=1), out=demand_ptr[1:])
    rows, cols = np.nonzero(demand_mask)
    demand_resource = np.ascontiguousarray(cols, dtype=np.int64)
    demand_amount = np.ascontiguousarray(demands[rows, cols])

    link_calendar = calendar[succ] if m else np.zeros(0, dtype=np.int64)
    f_ptr, f_task, (f_type, f_lag, f_cal) = _links_by(succ, pred, n, kind, lag, link_calendar)
    s_ptr, s_task, _ = _links_by(pred, succ, n)
    fixed_s, fixed_f = _fixed_positions(durations, calendar, fixed_start, cum, pos, counts, problem)
    forward = Side(
        f_ptr,
        f_task,
        f_type,
        f_lag,
        f_cal,
        s_ptr,
        s_task,
        cum,
        pos,
        counts,
        capacity,
        fixed_s,
        fixed_f,
    )
    # The mirror problem: time t -> h - t, links reversed, SS <-> FF.
    back_kind = kind.copy()
    back_kind[kind == LINK_SS] = LINK_FF
    back_kind[kind == LINK_FF] = LINK_SS
    b_ptr, b_task, (b_type, b_lag, b_cal) = _links_by(pred, succ, n, back_kind, lag, link_calendar)
    bs_ptr, bs_task, _ = _links_by(succ, pred, n)
    back_cum = np.ascontiguousarray(counts[:, None] - cum[:, ::-1])
    back_pos = np.full_like(pos, h)
    for c in range(working.shape[0]):
        k = int(counts[c])
        back_pos[c, :k] = h - 1 - pos[c, :k][::-1]
    back_fixed_s = np.where(fixed_f >= 0, h - fixed_f, -1).astype(np.int64)
    back_fixed_f = np.where(fixed_s >= 0, h - fixed_s, -1).astype(np.int64)
    backward = Side(
        b_ptr,
        b_task,
        b_type,
        b_lag,
        b_cal,
        bs_ptr,
        bs_task,
        back_cum,
        back_pos,
        counts.copy(),
        np.ascontiguousarray(capacity[:, ::-1]),
        back_fixed_s,
        back_fixed_f,
    )
    changes = np.zeros(h + 1, dtype=np.bool_)
    changes[h] = True
    if h > 1:
        changes[1:h] |= (capacity[:, 1:] != capacity[:, :-1]).any(axis=0)
        changes[1:h] |= (working[:, 1:] != working[:, :-1]).any(axis=0)
    change_at = np.flatnonzero(changes)
    next_change = change_at[
        np.searchsorted(change_at, np.arange(h + 1), side="right").clip(max=change_at.size - 1)
    ].astype(np.int64)
    next_change[h] = h + 1
    uniform = bool(working[np.unique(calendar)].all()) if n else True
    return CompiledProblem(
        problem=problem,
        n=n,
        r=r,
        h=h,
        durations=durations,
        calendar=calendar,
        demands=demands,
        demand_ptr=demand_ptr,
        demand_resource=demand_resource,
        demand_amount=demand_amount,
        release=release,
        latest_finish=latest_finish,
        fixed=fixed_start >= 0,
        priority_class=priority_class,
        has_priorities=has_priorities,
        forward=forward,
        backward=backward,
        next_change=next_change,
        uniform=uniform,
    )


def _check_capacity(
    problem: LevelingProblem,
    durations: IntArray,
    demands: FloatArray,
    capacity: FloatArray,
    working: BoolArray,
    calendar: IntArray,
) -> None:
    if not demands.size:
        return
    for c in np.unique(calendar).tolist():
        tasks = np.flatnonzero((calendar == c) & (durations > 0))
        if not tasks.size:
            continue
        most = capacity[:, working[c]].max(axis=1) if working[c].any() else capacity[:, 0] * 0
        over = demands[tasks] > most[None, :] + _EPSILON
        if over.any():
            row, resource = (int(v) for v in np.argwhere(over)[0])
            task = int(tasks[row])
            need = demands[task, resource]
            label = problem.resource_label(resource)
            if most[resource] <= 0:
                tail = f"but {label} has no capacity"
            else:
                tail = f"but {label} never has more than {most[resource]:g}"
            raise ResourceCapacityError(
                f"{problem.task_label(task)} needs {need:g} units of {label} per period, {tail}",
                task=task,
                resource=resource,
            )


def _priority_classes(problem: LevelingProblem, n: int) -> tuple[IntArray, bool]:
    """Rank tasks by (project priority, task priority), highest first: 0 is the first class."""
    keys: list[FloatArray] = []
    if problem.group_priority is not None:
        if problem.group is None:
            raise ScheduleInputError("group_priority needs group")
        group = _int_vector(problem.group, "group", n)
        values = np.asarray(problem.group_priority, dtype=np.float64)
        if values.ndim != 1 or (n and (group.min() < 0 or group.max() >= values.shape[0])):
            raise ScheduleInputError("group_priority must have one value per group")
        keys.append(-values[group])
    elif problem.group is not None:
        group = _int_vector(problem.group, "group", n)
        if n and group.min() < 0:
            raise ScheduleInputError("group must hold project indices >= 0")
    if problem.priority is not None:
        priority = np.asarray(problem.priority, dtype=np.float64)
        if priority.shape != (n,) or not np.all(np.isfinite(priority)):
            raise ScheduleInputError(f"priority must be a vector of {n} finite numbers")
        keys.append(-priority)
    if not keys or n == 0:
        return np.zeros(n, dtype=np.int64), False
    stacked = np.stack(keys[::-1])  # np.lexsort sorts by the last key first
    order = np.lexsort(stacked)
    sorted_keys = stacked[:, order]
    new_class = np.ones(n, dtype=np.int64)
    new_class[0] = 0
    if n > 1:
        new_class[1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).any(axis=0)
    classes = np.empty(n, dtype=np.int64)
    classes[order] = np.cumsum(new_class)
    return classes, bool(classes.max() > 0)
