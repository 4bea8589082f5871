"""What every iteration of a simulation shares: a network laid out for the compiled passes.

:func:`simulation_network` applies the rules of
:func:`~pilotage.engine.scheduling.compute_schedule` that do not depend on the durations once,
with the scheduler's own helpers (summary tasks expanded into the links between the tasks that
do work, progress, constraint dates and deadlines as keys of each task's calendar, links into
finished tasks dropped, dates of finished and started tasks that never change converted
beforehand), and lays the result out as the integer tables that
:mod:`pilotage.engine.risk.kernels` reads: one column per task in topological order, one per
link grouped by successor (forward) and by predecessor (backward).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from pilotage.engine.calendars import PositionBound, PositionTables, WorkingTime
from pilotage.engine.risk import kernels
from pilotage.engine.scheduling.cpm import (
    _apply_summary_constraints,
    _convert_up,
    _expand_summaries,
    _keys_down,
    _keys_up,
    _minutes,
    _task_keys,
    _topological_levels,
)
from pilotage.engine.scheduling.network import (
    ConstraintType,
    FloatArray,
    IntArray,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleTasks,
)

__all__ = ["SimulationNetwork", "simulation_network"]

_I64: Final = np.int64
_BIG: Final = 1 << 61
_SAFE: Final = PositionTables.LIMIT // 2
"""Lags and delays below this (in absolute value) can go through the position tables."""
_NOT_STARTED: Final = 0
_STARTED: Final = 1
_FINISHED: Final = 2


@dataclass(frozen=True, eq=False)
class SimulationNetwork:
    """The tasks that do work, in topological order, with the tables of the compiled passes.

    Positions (columns of the tables) number the tasks that do work in topological order.

    Parameters
    ----------
    size : int
        How many tasks do work.
    task : array of int64
        The input task at each position.
    state : array of int64
        0 not started, 1 started, 2 finished.
    duration : array of int64
        The planned duration of each task.
    work : array of int64
        The planned work still to do: the duration, the remaining work of a started task, 0
        for a finished one.
    calendars : tuple of WorkingTime
        The compiled calendars of the network.
    calendar_codes : array of int64
        The calendars of the unfinished tasks (the rows of the passes' per-calendar arrays).
    finished_finish : int or None
        The latest actual finish (epoch minutes) of the finished tasks, None if none is.
    has_alap : bool
        Whether a task not started yet is ALAP.
    delayed : int
        How many tasks have a leveling delay.
    table, forward, forward_percent, forward_pointer, backward, backward_percent, \
backward_pointer
        The tables of :func:`~pilotage.engine.risk.kernels.forward_pass` and
        :func:`~pilotage.engine.risk.kernels.backward_pass`.
    tables : PositionTables or None
        The calendars' position tables when a pass converts dates, else None.
    convertible : bool
        False when the passes would convert dates but a lag or a delay is too large for the
        position tables (or there are too many calendars): only the plain per-iteration
        schedule can then simulate the network.
    """

    size: int
    task: IntArray
    state: IntArray
    duration: IntArray
    work: IntArray
    calendars: tuple[WorkingTime, ...]
    calendar_codes: IntArray
    finished_finish: int | None
    has_alap: bool
    delayed: int
    table: IntArray
    forward: IntArray
    forward_percent: FloatArray
    forward_pointer: IntArray
    backward: IntArray
    backward_percent: FloatArray
    backward_pointer: IntArray
    tables: PositionTables | None
    convertible: bool

    def table_arrays(self) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
        """The position tables' arrays as the kernels read them (empty without tables)."""
        tables = self.tables
        if tables is None:
            empty = np.zeros(1, dtype=_I64)
            return empty, empty, empty, empty, empty
        tables.refresh()
        return (
            tables._position_breaks,
            tables._position_values,
            tables._minute_breaks,
            tables._intercepts,
            tables._slopes,
        )


def _csr(ends: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """The pointer of rows grouped by ``ends`` and the order that groups them."""
    pointer = np.zeros(size + 1, dtype=_I64)
    np.cumsum(np.bincount(ends, minlength=size), out=pointer[1:])
    return pointer, np.argsort(ends, kind="stable").astype(_I64)


def simulation_network(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    project_start: np.datetime64,
    status_date: np.datetime64 | None,
) -> SimulationNetwork:
    """Lay a network out for the compiled passes (the network must be valid and acyclic).

    Parameters
    ----------
    tasks, links, calendars
        As for :func:`~pilotage.engine.scheduling.compute_schedule`.
    project_start, status_date : datetime64
        As for ``compute_schedule``.

    Returns
    -------
    SimulationNetwork
        The tables.
    """
    # The link each leaf link comes from travels through the expansion as its lag.
    numbered = ScheduleLinks.create(
        links.predecessor,
        links.successor,
        link_type=links.link_type,
        lag_minutes=np.arange(links.size, dtype=_I64),
    )
    leaves = _expand_summaries(tasks, numbered)
    keys = _task_keys(tasks, leaves, calendars, project_start, status_date)
    leaf_count = int(leaves.task.size)
    live = ~keys.finished[leaves.successor]
    predecessor_leaf = leaves.predecessor[live]
    successor_leaf = leaves.successor[live]
    origin = leaves.working_lag[live]
    order, _ = _topological_levels(
        leaf_count, predecessor_leaf, successor_leaf, tasks.ids[leaves.task]
    )
    order = order.astype(_I64)
    position = np.empty(leaf_count, dtype=_I64)
    position[order] = np.arange(leaf_count)
    task = leaves.task[order]

    state = np.where(keys.finished, _FINISHED, np.where(keys.in_progress, _STARTED, _NOT_STARTED))
    calendar = keys.calendar
    unfinished = ~keys.finished
    calendar_codes = np.unique(calendar[unfinished]).astype(_I64)
    compact = np.zeros(max(len(calendars), 1), dtype=_I64)
    compact[calendar_codes] = np.arange(calendar_codes.size)
    duration = tasks.duration_minutes[leaves.task]

    dated = ~np.isnat(tasks.constraint_date[leaves.task])
    date_up = np.zeros(leaf_count, dtype=_I64)
    date_down = np.zeros(leaf_count, dtype=_I64)
    if dated.any():
        minutes = _minutes(tasks.constraint_date[leaves.task][dated])
        date_up[dated] = _keys_up(minutes, calendar[dated], calendars)
        date_down[dated] = _keys_down(minutes, calendar[dated], calendars)
    # The bounds of the late finish that do not depend on the duration: those of
    # ``_task_keys`` but the SNLT one (its date plus the duration), which the passes add.
    has_deadline = ~np.isnat(tasks.deadline[leaves.task])
    late_fixed = np.full(leaf_count, _BIG, dtype=_I64)
    if has_deadline.any():
        late_fixed[has_deadline] = _keys_down(
            _minutes(tasks.deadline[leaves.task][has_deadline]),
            calendar[has_deadline],
            calendars,
        )
    _apply_summary_constraints(
        tasks,
        leaves,
        calendars,
        ~keys.started,
        keys.finished,
        np.zeros(leaf_count, dtype=_I64),
        late_fixed,
    )
    constraint = tasks.constraint_type[leaves.task].astype(_I64)
    finish_kind = (constraint == ConstraintType.FNLT) | (
        keys.in_progress & (constraint == ConstraintType.MFO)
    )
    late_fixed = np.where(finish_kind & unfinished, np.minimum(late_fixed, date_down), late_fixed)
    pinned = ~keys.started & (
        (constraint == ConstraintType.MSO) | (constraint == ConstraintType.MFO)
    )

    link_type = links.link_type[origin].astype(_I64)
    lag_kind = links.lag_kind[origin].astype(_I64)
    lag_minutes = links.lag_minutes[origin].astype(_I64)
    percent = links.lag_percent[origin].astype(np.float64)
    working_lag = np.where(lag_kind == LagKind.WORKING, lag_minutes, 0)
    elapsed_lag = np.where(lag_kind == LagKind.ELAPSED, lag_minutes, 0)
    is_percent = lag_kind == LagKind.PERCENT
    finished_before = keys.finished[predecessor_leaf]
    # A finished predecessor's duration never changes: its PERCENT lag is known.
    fixed_percent = is_percent & finished_before
    if fixed_percent.any():
        working_lag[fixed_percent] = np.rint(
            percent[fixed_percent] * duration[predecessor_leaf[fixed_percent]] / 100
        ).astype(_I64)
    is_percent &= ~finished_before
    from_start = (link_type == LinkType.SS) | (link_type == LinkType.SF)
    to_finish = (link_type == LinkType.FF) | (link_type == LinkType.SF)
    crossing = (calendar[predecessor_leaf] != calendar[successor_leaf]) | (elapsed_lag != 0)
    # A finished predecessor's dates, and a started one's start for SS and SF links, are the
    # same in every iteration: the forward pass reads them converted already.
    actual_finish_key = keys.actual_start_key + keys.finish_shift
    constant = finished_before | (from_start & keys.in_progress[predecessor_leaf])
    constant_value = np.where(
        from_start,
        keys.actual_start_key[predecessor_leaf],
        actual_finish_key[predecessor_leaf],
    )
    converted = constant & crossing
    if converted.any():
        constant_value[converted] = _convert_up(
            constant_value[converted],
            calendar[predecessor_leaf[converted]],
            calendar[successor_leaf[converted]],
            elapsed_lag[converted],
            calendars,
        )

    delayed_leaf = keys.delay != 0
    # The backward pass leaves out the links from finished tasks, the SS and SF links from
    # started ones (their start is known) and the links of tasks pinned by MSO or MFO.
    counted = (
        ~finished_before
        & ~(from_start & keys.in_progress[predecessor_leaf])
        & ~pinned[predecessor_leaf]
    )
    slow_forward = crossing & ~constant
    slow_backward = crossing & counted
    needs_tables = bool(
        slow_forward.any() or slow_backward.any() or (delayed_leaf & keys.delay_elapsed).any()
    )
    convertible = not needs_tables or (
        len(calendars) <= PositionTables.MAX_CALENDARS
        and all(
            not values.size or int(np.abs(values).max()) < _SAFE
            for values in (elapsed_lag, working_lag, keys.delay)
        )
    )
    tables = PositionTables(calendars) if needs_tables and convertible else None
    size = leaf_count

    def position_base(codes: IntArray) -> IntArray:
        return tables.position_base(codes) if tables is not None else np.zeros_like(codes)

    def minute_base(codes: IntArray, bound: PositionBound) -> IntArray:
        return tables.minute_base(codes, bound) if tables is not None else np.zeros_like(codes)

    before = position[predecessor_leaf]
    after = position[successor_leaf]
    forward_pointer, by_successor = _csr(after, size)
    forward = np.zeros((kernels.FORWARD_FIELDS, before.size), dtype=_I64)
    forward[kernels.F_SOURCE] = np.where(constant, -1, np.where(from_start, before, size + before))
    forward[kernels.F_CONSTANT] = np.where(constant, constant_value, 0)
    forward[kernels.F_SLOW] = slow_forward
    forward[kernels.F_POSITION_BASE] = position_base(calendar[predecessor_leaf])
    forward[kernels.F_MINUTE_BASE] = (
        minute_base(calendar[successor_leaf], PositionBound.AFTER) + elapsed_lag
    )
    forward[kernels.F_LAG] = working_lag
    forward[kernels.F_PERCENT] = is_percent
    forward[kernels.F_PREDECESSOR] = before
    forward[kernels.F_TO_FINISH] = to_finish
    forward = np.ascontiguousarray(forward[:, by_successor])
    forward_percent = np.ascontiguousarray(percent[by_successor])

    backward_pointer, by_predecessor = _csr(before[counted], size)
    backward = np.zeros((kernels.BACKWARD_FIELDS, int(counted.sum())), dtype=_I64)
    backward[kernels.B_SOURCE] = np.where(to_finish, size + after, after)[counted]
    backward[kernels.B_SUCCESSOR] = after[counted]
    backward[kernels.B_TO_FINISH] = to_finish[counted]
    backward[kernels.B_FROM_START] = from_start[counted]
    backward[kernels.B_LAG] = working_lag[counted]
    backward[kernels.B_PERCENT] = is_percent[counted]
    backward[kernels.B_SLOW] = crossing[counted]
    backward[kernels.B_POSITION_BASE] = position_base(calendar[successor_leaf])[counted]
    backward[kernels.B_MINUTE_BEFORE] = (
        minute_base(calendar[predecessor_leaf], PositionBound.BEFORE) - elapsed_lag
    )[counted]
    backward[kernels.B_MINUTE_START_BEFORE] = (
        minute_base(calendar[predecessor_leaf], PositionBound.START_BEFORE) - elapsed_lag
    )[counted]
    backward = np.ascontiguousarray(backward[:, by_predecessor])
    backward_percent = np.ascontiguousarray(percent[counted][by_predecessor])
    lower = np.where(keys.started, keys.lower, keys.base_lower)
    table = np.zeros((kernels.TASK_FIELDS, size), dtype=_I64)
    delayed_rows = np.full(leaf_count, -1, dtype=_I64)
    delayed_rows[np.flatnonzero(delayed_leaf[order])] = np.arange(int(delayed_leaf.sum()))
    columns = {
        kernels.T_CALENDAR: compact[calendar],
        kernels.T_STATE: state,
        kernels.T_LOWER: lower,
        kernels.T_CONSTRAINT: np.where(keys.started, 0, constraint),
        kernels.T_UP: date_up,
        kernels.T_DOWN: date_down,
        kernels.T_FINISH: np.where(keys.finished, actual_finish_key, 0),
        kernels.T_DELAY: keys.delay,
        kernels.T_DELAY_ELAPSED: keys.delay_elapsed,
        kernels.T_POSITION_BASE: position_base(calendar),
        kernels.T_MINUTE_AFTER: minute_base(calendar, PositionBound.AFTER),
        kernels.T_LATE_FIXED: late_fixed,
        kernels.T_DURATION_OFFSET: np.where(keys.in_progress, duration - keys.work, 0),
    }
    for field, values in columns.items():
        table[field] = np.asarray(values, dtype=_I64)[order]
    table[kernels.T_DELAYED_ROW] = delayed_rows

    finished_finish = None
    if keys.finished.any():
        finished_finish = int(keys.actual_finish[keys.finished].max())
    return SimulationNetwork(
        size=size,
        task=task.astype(_I64),
        state=state[order].astype(_I64),
        duration=duration[order].astype(_I64),
        work=keys.work[order].astype(_I64),
        calendars=tuple(calendars),
        calendar_codes=calendar_codes,
        finished_finish=finished_finish,
        has_alap=bool(keys.alap.any()),
        delayed=int(delayed_leaf.sum()),
        table=np.ascontiguousarray(table),
        forward=forward,
        forward_percent=forward_percent,
        forward_pointer=forward_pointer,
        backward=backward,
        backward_percent=backward_percent,
        backward_pointer=backward_pointer,
        tables=tables,
        convertible=convertible,
    )
