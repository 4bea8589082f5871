"""Compiled (numba) kernels of the Monte Carlo simulation: draws, schedule passes, ranks.

The schedule passes loop over the tasks in topological order and, for each task, over a block
of iterations: arrays are laid out ``(tasks, iterations)`` so that the inner loop reads
contiguous memory and compiles to vector instructions, and a block of ``width`` iterations
keeps the dates of the whole network small enough to stay in the processor's caches. The
blocks are shared among the threads (``prange``); every result is an integer, so the split
does not change it. Keys are those of :mod:`pilotage.engine.scheduling.cpm`:
``2 * working offset + side`` in each task's own calendar.

The passes follow the rules of :func:`~pilotage.engine.scheduling.compute_schedule` (progress,
leveling delays, constraints, ALAP tasks, deadlines, links across calendars and elapsed lags);
what every iteration shares is worked out beforehand (:mod:`pilotage.engine.risk.network`) and
handed over as integer tables, one row per field (the ``T_*``, ``F_*`` and ``B_*`` indices
below). A date that crosses from one calendar to another, or moves by wall-clock minutes, goes
through the merged tables of :class:`~pilotage.engine.calendars.PositionTables`, looked up
here with two binary searches; a date beyond the calendars' compiled horizons raises the
worker's flag, and the caller grows the horizons and runs the pass again.

The tests compare these passes with ``compute_schedule`` run once per iteration.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import numpy as np
from numba import njit, prange

__all__ = [
    "backward_pass",
    "forward_pass",
    "spearman_with",
    "three_point_draws",
    "whole_minutes",
]

_Function = TypeVar("_Function", bound=Callable[..., Any])

_BIG: Final = 1 << 61
_OUTSIDE: Final = -(1 << 61)
"""What a conversion through the position tables gives outside the compiled horizons."""
_ALAP: Final = 1
_MSO: Final = 2
_MFO: Final = 3
_SNET: Final = 4
_SNLT: Final = 5
_FNET: Final = 6
_FNLT: Final = 7
_FINISHED: Final = 2
_COUNTING_RANGE: Final = 4
"""Columns whose values span at most this many times the iterations are ranked by counting."""

# Rows of the task table (one column per task, in topological order).
T_CALENDAR: Final = 0
"""The task's calendar, numbered among the calendars of the unfinished tasks."""
T_STATE: Final = 1
"""0 not started, 1 started, 2 finished."""
T_LOWER: Final = 2
"""The lower bound of the start key before the task's own constraint (project start, status
date, summary tasks' SNET; for a started task where its remaining work resumes; for a finished
one its actual start)."""
T_CONSTRAINT: Final = 3
"""The constraint of a task not started yet (ASAP, 0, otherwise)."""
T_UP: Final = 4
T_DOWN: Final = 5
"""The constraint date as a lower and as an upper bound key."""
T_FINISH: Final = 6
"""The actual finish key of a finished task."""
T_DELAY: Final = 7
T_DELAY_ELAPSED: Final = 8
"""The leveling delay (minutes) and whether it is wall-clock time."""
T_POSITION_BASE: Final = 9
T_MINUTE_AFTER: Final = 10
"""The task's calendar in the position tables, for its elapsed delay."""
T_LATE_FIXED: Final = 11
"""The bound on the late finish key that does not depend on the duration (deadlines, FNLT)."""
T_DURATION_OFFSET: Final = 12
"""Duration minus remaining work (a started task's work done), for PERCENT lags."""
T_DELAYED_ROW: Final = 13
"""The task's row in the array of the working minutes added by delays, or -1."""
TASK_FIELDS: Final = 14

# Rows of the table of the links into each task (forward pass).
F_SOURCE: Final = 0
"""The predecessor's row of dates: ``p`` for its start, ``tasks + p`` for its finish; -1 when
the date is the same in every iteration (``F_CONSTANT``)."""
F_CONSTANT: Final = 1
F_SLOW: Final = 2
"""1 where the date is converted (another calendar, an elapsed lag)."""
F_POSITION_BASE: Final = 3
F_MINUTE_BASE: Final = 4
"""The conversion's calendars in the position tables, the elapsed lag included."""
F_LAG: Final = 5
F_PERCENT: Final = 6
"""Working lag in minutes; or 1 when the lag is a percentage of the predecessor's duration."""
F_PREDECESSOR: Final = 7
F_TO_FINISH: Final = 8
FORWARD_FIELDS: Final = 9

# Rows of the table of the links out of each task (backward pass).
B_SOURCE: Final = 0
"""The successor's row of late dates (before its leveling delay): ``s`` for its start,
``tasks + s`` for its finish."""
B_SUCCESSOR: Final = 1
B_TO_FINISH: Final = 2
B_FROM_START: Final = 3
B_LAG: Final = 4
B_PERCENT: Final = 5
B_SLOW: Final = 6
B_POSITION_BASE: Final = 7
B_MINUTE_BEFORE: Final = 8
B_MINUTE_START_BEFORE: Final = 9
BACKWARD_FIELDS: Final = 10


def _compiled(function: _Function) -> _Function:
    """Compile with numba, cached on disk, keeping the function's type for mypy."""
    return cast(_Function, njit(cache=True)(function))


def _parallel(function: _Function) -> _Function:
    """Compile with numba's ``prange`` loops spread over threads, cached on disk."""
    return cast(_Function, njit(cache=True, parallel=True)(function))


@_compiled
def _triangular_row(
    uniforms: Any, left: float, mode: float, right: float, out: Any, first: int
) -> None:
    """One row of triangular draws, with numpy's arithmetic (one uniform draw per value)."""
    base = right - left
    left_base = mode - left
    ratio = left_base / base
    left_product = left_base * base
    right_product = (right - mode) * base
    for i in range(uniforms.size):
        u = uniforms[i]
        if u <= ratio:
            out[first + i] = left + math.sqrt(u * left_product)
        else:
            out[first + i] = right - math.sqrt((1.0 - u) * right_product)


@_parallel
def three_point_draws(
    uniforms: Any,
    rows: Any,
    low: Any,
    mode: Any,
    high: Any,
    uniform: Any,
    out: Any,
    first: int,
) -> None:
    """Turn standard uniform draws into triangular or uniform ones, as numpy's generator does.

    ``numpy.random.Generator.triangular`` and ``.uniform`` use one standard uniform draw per
    value and the same arithmetic, so drawing ``uniforms`` of shape ``(k, n)`` with
    ``Generator.random`` and transforming row ``r`` here gives, bit for bit, what ``k``
    successive calls of ``size=n`` would: one vectorised draw instead of ``k`` calls.
    Row ``r`` goes to ``out[rows[r], first:first + n]``.
    """
    count = uniforms.shape[1]
    for r in prange(rows.size):
        row = rows[r]
        left = low[r]
        right = high[r]
        if uniform[r]:
            width = right - left
            target = out[row]
            for i in range(count):
                target[first + i] = left + width * uniforms[r, i]
        else:
            _triangular_row(uniforms[r], left, mode[r], right, out[row], first)


@_parallel
def whole_minutes(
    drawn: Any, count: int, duration: Any, kept_row: Any, kept: Any, first: int
) -> None:
    """Round drawn durations to whole minutes, no fewer than 0, and keep some rows' values.

    ``duration[:, :count]`` receives ``max(rint(drawn), 0)`` of ``drawn[:, :count]``; a row
    ``j`` with ``kept_row[j] >= 0`` is also copied, as float32, to
    ``kept[kept_row[j], first:first + count]``.
    """
    for j in prange(drawn.shape[0]):
        source = drawn[j]
        target = duration[j]
        for i in range(count):
            target[i] = np.int64(max(np.rint(source[i]), 0.0))
        row = kept_row[j]
        if row >= 0:
            copy = kept[row]
            for i in range(count):
                copy[first + i] = np.float32(target[i])


@_compiled
def _search(values: Any, target: int, hint: int) -> int:
    """``np.searchsorted(values, target)``, looking near ``hint`` first (-1 for no hint).

    Successive iterations convert nearby dates: galloping from the previous answer takes a
    few steps in cached memory where a search of the whole merged tables takes twenty.
    """
    n = values.size
    if hint < 0 or hint > n:
        return int(np.searchsorted(values, target))
    if hint < n and values[hint] < target:
        low = hint + 1
        step = 1
        high = low
        while high < n and values[high] < target:
            low = high + 1
            high = low + step
            step *= 2
        high = min(high, n)
    else:
        high = hint
        step = 1
        low = high - 1
        while low >= 0 and values[low] >= target:
            high = low
            low = high - step
            step *= 2
        low = max(low + 1, 0)
    while low < high:
        middle = (low + high) // 2
        if values[middle] < target:
            low = middle + 1
        else:
            high = middle
    return low


@_compiled
def _convert(
    position: int,
    minute: int,
    position_breaks: Any,
    position_values: Any,
    minute_breaks: Any,
    intercepts: Any,
    slopes: Any,
    hints: Any,
) -> int:
    """:meth:`PositionTables.convert <pilotage.engine.calendars.PositionTables.convert>` of
    one value; ``hints`` holds where the previous value of the same link was found."""
    found = _search(position_breaks, position, hints[0])
    hints[0] = found
    instant = position_values[found] + (position >> 1) + minute
    index = _search(minute_breaks, instant, hints[1])
    hints[1] = index
    converted: int = slopes[index] * instant + intercepts[index]
    return converted


@_compiled
def _percent_lag(percent: float, done: int, days: int) -> int:
    """A PERCENT lag in working minutes, as ``compute_schedule`` rounds it."""
    return int(np.rint(percent * np.float64(max(done + days, 0)) / 100.0))


@_compiled
def _forward_block(
    first: int,
    n: int,
    duration: Any,
    task: Any,
    forward: Any,
    forward_percent: Any,
    pointer: Any,
    position_breaks: Any,
    position_values: Any,
    minute_breaks: Any,
    intercepts: Any,
    slopes: Any,
    dates: Any,
    start: Any,
    upper: Any,
    span: Any,
    logic: Any,
    alap_pass: bool,
    early_start: Any,
    added: Any,
    latest: Any,
    late_start: Any,
    asap: Any,
    hints: Any,
) -> bool:
    """One forward pass over a block of iterations: start and finish keys in ``dates``.

    The first pass (``alap_pass`` false) also writes the early start keys, the working
    minutes each leveling delay added and the latest finish key per calendar. The second
    pass places the ALAP tasks on their late start (``late_start``) or their early start if
    later, keeps their early start from the dates of this pass in ``asap``, and schedules
    their successors after them. Returns False if a date left the compiled horizons.
    """
    size = duration.shape[0]
    inside = True
    for j in range(size):
        state = task[T_STATE, j]
        starts = dates[j]
        finishes = dates[size + j]
        if state == _FINISHED:
            fixed_start = task[T_LOWER, j]
            fixed_finish = task[T_FINISH, j]
            for i in range(n):
                starts[i] = fixed_start
                finishes[i] = fixed_finish
            if not alap_pass:
                early = early_start[j]
                for i in range(n):
                    early[first + i] = fixed_start
            continue
        days = duration[j, first : first + n]
        kind = task[T_CONSTRAINT, j]
        lower = task[T_LOWER, j]
        up = task[T_UP, j]
        down = task[T_DOWN, j]
        for i in range(n):
            span[i] = 2 * days[i]
            start[i] = lower
            upper[i] = _BIG
        if kind == _SNET:
            for i in range(n):
                start[i] = max(lower, up)
        elif kind == _FNET:
            for i in range(n):
                start[i] = max(lower, up - span[i])
        elif kind == _MSO:
            for i in range(n):
                start[i] = up
                upper[i] = up
        elif kind == _MFO:
            for i in range(n):
                start[i] = down - span[i]
                upper[i] = down - span[i]
        elif kind == _SNLT:
            for i in range(n):
                upper[i] = down
        elif kind == _FNLT:
            for i in range(n):
                upper[i] = down - span[i]
        for e in range(pointer[j], pointer[j + 1]):
            hints[0] = hints[1] = -1
            source = forward[F_SOURCE, e]
            to_finish = forward[F_TO_FINISH, e] == 1
            slow = forward[F_SLOW, e] == 1
            if forward[F_PERCENT, e] == 1:
                predecessor = forward[F_PREDECESSOR, e]
                done = task[T_DURATION_OFFSET, predecessor]
                before_days = duration[predecessor, first : first + n]
                percent = forward_percent[e]
                constant = forward[F_CONSTANT, e]
                position_base = forward[F_POSITION_BASE, e]
                minute_base = forward[F_MINUTE_BASE, e]
                for i in range(n):
                    if source < 0:
                        value = constant
                    else:
                        value = dates[source, i]
                        if slow:
                            value = _convert(
                                value + position_base,
                                minute_base,
                                position_breaks,
                                position_values,
                                minute_breaks,
                                intercepts,
                                slopes,
                                hints,
                            )
                            if value == _OUTSIDE:
                                inside = False
                    lag = _percent_lag(percent, done, before_days[i])
                    if lag != 0:
                        value = (value & -2) + 2 * lag
                    if to_finish:
                        value -= span[i]
                    start[i] = max(start[i], value)
                continue
            lag = forward[F_LAG, e]
            keep = -2 if lag != 0 else -1
            shift = 2 * lag
            if source < 0:
                value = (forward[F_CONSTANT, e] & keep) + shift
                if to_finish:
                    for i in range(n):
                        start[i] = max(start[i], value - span[i])
                else:
                    for i in range(n):
                        start[i] = max(start[i], value)
            elif slow:
                before = dates[source]
                position_base = forward[F_POSITION_BASE, e]
                minute_base = forward[F_MINUTE_BASE, e]
                for i in range(n):
                    value = _convert(
                        before[i] + position_base,
                        minute_base,
                        position_breaks,
                        position_values,
                        minute_breaks,
                        intercepts,
                        slopes,
                        hints,
                    )
                    if value == _OUTSIDE:
                        inside = False
                    value = (value & keep) + shift
                    if to_finish:
                        value -= span[i]
                    start[i] = max(start[i], value)
            else:
                before = dates[source]
                if to_finish:
                    for i in range(n):
                        start[i] = max(start[i], (before[i] & keep) + shift - span[i])
                else:
                    for i in range(n):
                        start[i] = max(start[i], (before[i] & keep) + shift)
        if alap_pass and kind == _ALAP:
            # Scheduled on its late dates, or its early dates if later; the early dates are
            # where it could start as soon as possible after its predecessors as scheduled.
            pinned = late_start[j]
            first_early = early_start[j]
            kept_asap = asap[j]
            for i in range(n):
                bit = 1 if days[i] > 0 else 0
                kept_asap[i] = min(start[i], upper[i]) | bit
                key = max(pinned[i], first_early[first + i]) | bit
                starts[i] = key
                finishes[i] = key + span[i] - bit
            continue
        delay = task[T_DELAY, j]
        if delay != 0:
            if task[T_DELAY_ELAPSED, j] == 1:
                hints[0] = hints[1] = -1
                position_base = task[T_POSITION_BASE, j]
                minute_base = task[T_MINUTE_AFTER, j] + delay
                for i in range(n):
                    bit = 1 if days[i] > 0 else 0
                    logic[i] = start[i] | bit
                    value = _convert(
                        logic[i] + position_base,
                        minute_base,
                        position_breaks,
                        position_values,
                        minute_breaks,
                        intercepts,
                        slopes,
                        hints,
                    )
                    if value == _OUTSIDE:
                        inside = False
                    start[i] = value
            else:
                for i in range(n):
                    bit = 1 if days[i] > 0 else 0
                    logic[i] = start[i] | bit
                    start[i] = (logic[i] & -2) + 2 * delay
        calendar = task[T_CALENDAR, j]
        for i in range(n):
            bit = 1 if days[i] > 0 else 0
            key = min(start[i], upper[i]) | bit
            finish = key + span[i] - bit
            starts[i] = key
            finishes[i] = finish
            if not alap_pass:
                latest[calendar, i] = max(latest[calendar, i], finish)
        if not alap_pass:
            early = early_start[j]
            for i in range(n):
                early[first + i] = starts[i]
            if delay != 0:
                row = added[task[T_DELAYED_ROW, j]]
                for i in range(n):
                    row[first + i] = max((starts[i] >> 1) - (logic[i] >> 1), 0)
    return inside


@_parallel
def forward_pass(
    duration: Any,
    count: int,
    task: Any,
    forward: Any,
    forward_percent: Any,
    pointer: Any,
    position_breaks: Any,
    position_values: Any,
    minute_breaks: Any,
    intercepts: Any,
    slopes: Any,
    width: int,
    threads: int,
    early_start: Any,
    added: Any,
    latest: Any,
    flags: Any,
) -> None:
    """Early start keys of every task and the latest early finish key of each calendar.

    Parameters
    ----------
    duration : int64 array (tasks, columns)
        Work in working minutes of each task's calendar (remaining work for a started task, 0
        for a finished one), tasks in topological order; the first ``count`` columns are used.
    count : int
        How many iterations (columns) to schedule.
    task : int64 array (TASK_FIELDS, tasks)
        What each task's dates depend on (see the ``T_*`` rows).
    forward, forward_percent, pointer
        The links into task ``j`` are columns ``pointer[j]:pointer[j + 1]`` of ``forward``
        (see the ``F_*`` rows) and ``forward_percent`` (the percentage of PERCENT lags).
    position_breaks, position_values, minute_breaks, intercepts, slopes
        The arrays of the calendars' :class:`~pilotage.engine.calendars.PositionTables`.
    width, threads : int
        Iterations per block; how many workers share the blocks.
    early_start : int64 array (tasks, columns), out
    added : int64 array (delayed tasks, columns), out
        The working minutes each leveling delay added.
    latest : int64 array (calendars, columns), out
        The latest early finish key of the unfinished tasks of each calendar (``-2**61``
        where a calendar has none).
    flags : int64 array (threads,), out
        Set to 1 by a worker that met a date beyond the compiled horizons.
    """
    size = duration.shape[0]
    calendars = latest.shape[0]
    blocks = (count + width - 1) // width
    workers = max(1, min(threads, blocks))
    for worker in prange(workers):
        dates = np.empty((2 * size, width), dtype=np.int64)
        start = np.empty(width, dtype=np.int64)
        upper = np.empty(width, dtype=np.int64)
        span = np.empty(width, dtype=np.int64)
        logic = np.empty(width, dtype=np.int64)
        hints = np.full(2, -1, dtype=np.int64)
        block_latest = np.empty((calendars, width), dtype=np.int64)
        nothing = np.empty((0, 0), dtype=np.int64)
        for block in range(worker, blocks, workers):
            first = block * width
            n = min(width, count - first)
            block_latest[:, :n] = -_BIG
            inside = _forward_block(
                first,
                n,
                duration,
                task,
                forward,
                forward_percent,
                pointer,
                position_breaks,
                position_values,
                minute_breaks,
                intercepts,
                slopes,
                dates,
                start,
                upper,
                span,
                logic,
                False,
                early_start,
                added,
                block_latest,
                nothing,
                nothing,
                hints,
            )
            if not inside:
                flags[worker] = 1
            latest[:, first : first + n] = block_latest[:, :n]


@_parallel
def backward_pass(
    duration: Any,
    count: int,
    early_start: Any,
    added: Any,
    project_finish: Any,
    task: Any,
    forward: Any,
    forward_percent: Any,
    forward_pointer: Any,
    backward: Any,
    backward_percent: Any,
    backward_pointer: Any,
    position_breaks: Any,
    position_values: Any,
    minute_breaks: Any,
    intercepts: Any,
    slopes: Any,
    has_alap: bool,
    width: int,
    threads: int,
    critical: Any,
    total_float: Any,
    flags: Any,
) -> None:
    """Count, per task, the iterations in which it is critical as ``compute_schedule`` says.

    The late dates follow the links back from the project finish, the deadlines and the
    constraints; with ALAP tasks, a second forward pass places them on their late dates
    (see :func:`_forward_block`). A task is critical when its total float is zero or less and
    it is not finished; an ALAP task always is.

    Parameters
    ----------
    duration, count, early_start, added, task, forward, forward_percent, forward_pointer
        As for and from :func:`forward_pass`.
    project_finish : int64 array (calendars, columns)
        The project finish of each iteration as an upper bound key in each calendar.
    backward, backward_percent, backward_pointer
        The links out of task ``j`` are columns ``backward_pointer[j]:backward_pointer[j +
        1]`` of ``backward`` (see the ``B_*`` rows) and ``backward_percent``.
    position_breaks, position_values, minute_breaks, intercepts, slopes
        As for :func:`forward_pass`.
    has_alap : bool
        Whether some task not started yet is ALAP.
    width, threads : int
        Iterations per block; how many workers share the blocks.
    critical : int64 array (threads, tasks), out
        Counts per worker, to be summed.
    total_float : int64 array (tasks, columns) or (0, 0), out
        Each task's total float in working minutes, when wanted.
    flags : int64 array (threads,), out
        As for :func:`forward_pass`.
    """
    size = duration.shape[0]
    keep_float = total_float.shape[0] > 0
    blocks = (count + width - 1) // width
    workers = max(1, min(threads, blocks))
    for worker in prange(workers):
        late = np.empty((2 * size, width), dtype=np.int64)
        bound = np.empty(width, dtype=np.int64)
        span = np.empty(width, dtype=np.int64)
        counts = critical[worker]
        rows = size if has_alap else 0
        late_start = np.empty((rows, width), dtype=np.int64)
        asap = np.empty((rows, width), dtype=np.int64)
        dates = np.empty((2 * rows, width), dtype=np.int64)
        start = np.empty(width, dtype=np.int64)
        upper = np.empty(width, dtype=np.int64)
        logic = np.empty(width, dtype=np.int64)
        hints = np.full(2, -1, dtype=np.int64)
        nothing = np.empty((0, 0), dtype=np.int64)
        for block in range(worker, blocks, workers):
            first = block * width
            n = min(width, count - first)
            inside = True
            for j in range(size - 1, -1, -1):
                state = task[T_STATE, j]
                if state == _FINISHED:
                    if keep_float:
                        for i in range(n):
                            total_float[j, first + i] = 0
                    continue
                days = duration[j, first : first + n]
                kind = task[T_CONSTRAINT, j]
                fixed = task[T_LATE_FIXED, j]
                up = task[T_UP, j]
                down = task[T_DOWN, j]
                for i in range(n):
                    span[i] = 2 * days[i]
                if kind == _MSO:
                    for i in range(n):
                        bound[i] = min(up + span[i], fixed)
                elif kind == _MFO:
                    for i in range(n):
                        bound[i] = min(down, fixed)
                else:
                    finish_bound = project_finish[task[T_CALENDAR, j], first : first + n]
                    for i in range(n):
                        bound[i] = min(fixed, finish_bound[i])
                    if kind == _SNLT:
                        for i in range(n):
                            bound[i] = min(bound[i], down + span[i])
                    done = task[T_DURATION_OFFSET, j]
                    for e in range(backward_pointer[j], backward_pointer[j + 1]):
                        hints[0] = hints[1] = -1
                        after = late[backward[B_SOURCE, e]]
                        following = duration[backward[B_SUCCESSOR, e], first : first + n]
                        finish_bit = backward[B_TO_FINISH, e]
                        from_start = backward[B_FROM_START, e] == 1
                        if backward[B_SLOW, e] == 0 and backward[B_PERCENT, e] == 0:
                            lag = backward[B_LAG, e]
                            side = 1 if lag != 0 else 0
                            start_span = -1 if from_start else 0
                            for i in range(n):
                                bit = 1 if following[i] > 0 else 0
                                value = (
                                    (after[i] | side | (bit & finish_bit))
                                    - 2 * lag
                                    + (span[i] & start_span)
                                )
                                bound[i] = min(bound[i], value)
                            continue
                        percent = backward[B_PERCENT, e] == 1
                        slow = backward[B_SLOW, e] == 1
                        position_base = backward[B_POSITION_BASE, e]
                        before_base = backward[B_MINUTE_BEFORE, e]
                        start_base = backward[B_MINUTE_START_BEFORE, e]
                        for i in range(n):
                            if percent:
                                lag = _percent_lag(backward_percent[e], done, days[i])
                            else:
                                lag = backward[B_LAG, e]
                            bit = 1 if following[i] > 0 else 0
                            side = (bit & finish_bit) | (1 if lag != 0 else 0)
                            value = (after[i] | side) - 2 * lag
                            if slow:
                                minute_base = (
                                    start_base if from_start and days[i] > 0 else before_base
                                )
                                value = _convert(
                                    value + position_base,
                                    minute_base,
                                    position_breaks,
                                    position_values,
                                    minute_breaks,
                                    intercepts,
                                    slopes,
                                    hints,
                                )
                                if value == _OUTSIDE:
                                    inside = False
                            if from_start:
                                value += span[i]
                            bound[i] = min(bound[i], value)
                starts = late[j]
                finishes = late[size + j]
                early = early_start[j]
                delayed = task[T_DELAYED_ROW, j]
                critical_here = 0
                for i in range(n):
                    bit = 1 if days[i] > 0 else 0
                    key = bound[i] & (-2 if bit == 1 else -1)
                    own_start = key - (span[i] - bit)
                    logic_start = own_start
                    if delayed >= 0:
                        logic_start = (own_start | 1) - 2 * added[delayed, first + i]
                    starts[i] = logic_start
                    finishes[i] = logic_start + span[i] - bit
                    if has_alap:
                        late_start[j, i] = own_start
                    else:
                        slack = (own_start >> 1) - (early[first + i] >> 1)
                        critical_here += 1 if slack <= 0 else 0
                        if keep_float:
                            total_float[j, first + i] = slack
                counts[j] += critical_here
            if has_alap:
                inside = (
                    _forward_block(
                        first,
                        n,
                        duration,
                        task,
                        forward,
                        forward_percent,
                        forward_pointer,
                        position_breaks,
                        position_values,
                        minute_breaks,
                        intercepts,
                        slopes,
                        dates,
                        start,
                        upper,
                        span,
                        logic,
                        True,
                        early_start,
                        nothing,
                        nothing,
                        late_start,
                        asap,
                        hints,
                    )
                    and inside
                )
                for j in range(size):
                    if task[T_STATE, j] == _FINISHED:
                        continue
                    alap = task[T_CONSTRAINT, j] == _ALAP
                    scheduled = asap[j] if alap else dates[j]
                    critical_here = 0
                    for i in range(n):
                        slack = (late_start[j, i] >> 1) - (scheduled[i] >> 1)
                        if alap:
                            slack = min(slack, 0)
                        critical_here += 1 if slack <= 0 else 0
                        if keep_float:
                            total_float[j, first + i] = slack
                    counts[j] += critical_here
            if not inside:
                flags[worker] = 1


@_parallel
def spearman_with(columns: Any, target_ranks: Any) -> Any:
    """Spearman correlation of each row of ``columns`` with values of ordinal ``target_ranks``.

    Ranks are ordinal, ties in order of appearance (a stable sort), as for the target. Rows of
    whole numbers spanning a few times the number of values are ranked by counting, others by
    a stable sort. A constant row, or fewer than two values, gives NaN.

    Parameters
    ----------
    columns : float32 array (variables, iterations)
    target_ranks : int64 array (iterations,)
        A permutation of ``0 .. iterations - 1``.

    Returns
    -------
    float64 array (variables,)
    """
    variables, n = columns.shape
    result = np.full(variables, np.nan)
    if n < 2:
        return result
    # The sum of products of centred ranks, 4 * sum(r * t) - n (n - 1)^2, over the
    # sum of squares of either permutation, n (n^2 - 1) / 12, with integers where it matters.
    offset = n * (n - 1) * (n - 1)
    scale = 3.0 / (float(n) * (float(n) * float(n) - 1.0))
    for v in prange(variables):
        row = columns[v]
        low = row.min()
        high = row.max()
        if not low < high:
            continue
        ranks = np.empty(n, dtype=np.int64)
        spread = high - low
        if spread <= _COUNTING_RANGE * n and np.all(row == np.floor(row)):
            bottom = np.int64(low)
            slots = np.zeros(np.int64(spread) + 2, dtype=np.int64)
            for i in range(n):
                slots[np.int64(row[i]) - bottom + 1] += 1
            for k in range(1, slots.size):
                slots[k] += slots[k - 1]
            for i in range(n):
                slot = np.int64(row[i]) - bottom
                ranks[i] = slots[slot]
                slots[slot] += 1
        else:
            order = np.argsort(row, kind="mergesort")
            for k in range(n):
                ranks[order[k]] = k
        total = np.int64(0)
        for i in range(n):
            total += ranks[i] * target_ranks[i]
        result[v] = float(4 * total - offset) * scale
    return result
