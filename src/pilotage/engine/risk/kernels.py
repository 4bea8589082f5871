"""Compiled (numba) kernels of the Monte Carlo simulation: draws, schedule passes, ranks.

The schedule passes loop over the tasks in topological order and, for each task, over a block
of iterations: arrays are laid out ``(tasks, iterations)`` so that the inner loop reads
contiguous memory and compiles to vector instructions, and a block of ``width`` iterations
keeps the dates of the whole network small enough to stay in the processor's caches. The
blocks are shared among the threads (``prange``); every result is an integer, so the split
does not change it. Keys are those of :mod:`pilotage.engine.scheduling.cpm`:
``2 * working offset + side``.

The plain-Python reference the tests compare :func:`forward_pass` and :func:`backward_pass`
with is written over the links one by one, as the rules read.
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
_MSO: Final = 2
_MFO: Final = 3
_SNET: Final = 4
_SNLT: Final = 5
_FNET: Final = 6
_FNLT: Final = 7
_COUNTING_RANGE: Final = 4
"""Columns whose values span at most this many times the iterations are ranked by counting."""


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


@_parallel
def forward_pass(
    duration: Any,
    count: int,
    base_lower: Any,
    constraint: Any,
    date_up: Any,
    date_down: Any,
    pointer: Any,
    source: Any,
    mask: Any,
    shift: Any,
    to_finish: Any,
    width: int,
    threads: int,
    early_start: Any,
    finish_key: Any,
) -> None:
    """Early start keys of every task and the project finish key of every iteration.

    Parameters
    ----------
    duration : int64 array (tasks, columns)
        Working minutes, tasks in topological order; the first ``count`` columns are used.
    count : int
        How many iterations (columns) to schedule.
    base_lower, constraint, date_up, date_down : int64 arrays (tasks,)
        The lower bound without constraint, the constraint type and its date as a lower
        (``up``) and an upper (``down``) key.
    pointer : int64 array (tasks + 1,)
        The links into task ``j`` are ``pointer[j]:pointer[j + 1]`` of the link arrays.
    source : int64 array (links,)
        The predecessor's row: ``p`` for its start, ``tasks + p`` for its finish.
    mask, shift : int64 arrays (links,)
        ``-2`` to drop the side of the predecessor's key (links with a lag) or ``-1``; twice
        the lag.
    to_finish : int64 array (links,)
        1 where the link bounds the successor's finish (FF, SF).
    width, threads : int
        Iterations per block; how many workers share the blocks.
    early_start : int64 array (tasks, columns), out
    finish_key : int64 array (columns,), out
        The latest early finish key.
    """
    size = duration.shape[0]
    blocks = (count + width - 1) // width
    workers = max(1, min(threads, blocks))
    for worker in prange(workers):
        dates = np.empty((2 * size, width), dtype=np.int64)
        start = np.empty(width, dtype=np.int64)
        upper = np.empty(width, dtype=np.int64)
        span = np.empty(width, dtype=np.int64)
        latest = np.empty(width, dtype=np.int64)
        for block in range(worker, blocks, workers):
            first = block * width
            n = min(width, count - first)
            latest[:n] = -_BIG
            for j in range(size):
                days = duration[j, first : first + n]
                kind = constraint[j]
                lower = base_lower[j]
                up = date_up[j]
                down = date_down[j]
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
                    before = dates[source[e]]
                    keep = mask[e]
                    lag = shift[e]
                    if to_finish[e]:
                        for i in range(n):
                            start[i] = max(start[i], (before[i] & keep) + lag - span[i])
                    else:
                        for i in range(n):
                            start[i] = max(start[i], (before[i] & keep) + lag)
                starts = dates[j]
                finishes = dates[size + j]
                out = early_start[j, first : first + n]
                for i in range(n):
                    bit = 1 if days[i] > 0 else 0
                    key = min(start[i], upper[i]) | bit
                    finish = key + span[i] - bit
                    starts[i] = key
                    finishes[i] = finish
                    out[i] = key
                    latest[i] = max(latest[i], finish)
            finish_key[first : first + n] = latest[:n]


@_parallel
def backward_pass(
    duration: Any,
    count: int,
    early_start: Any,
    project_finish: Any,
    pointer: Any,
    source: Any,
    side: Any,
    shift: Any,
    successor: Any,
    to_finish: Any,
    from_start: Any,
    width: int,
    threads: int,
    critical: Any,
    total_float: Any,
) -> None:
    """Count, per task, the iterations in which its total float is zero or less.

    Parameters
    ----------
    duration, count, early_start
        As for :func:`forward_pass`.
    project_finish : int64 array (columns,)
        The late finish key of tasks without successors.
    pointer : int64 array (tasks + 1,)
        The links out of task ``j`` are ``pointer[j]:pointer[j + 1]`` of the link arrays.
    source : int64 array (links,)
        The successor's row of late dates: ``s`` for its start, ``tasks + s`` for its finish.
    side, shift : int64 arrays (links,)
        1 where the link has a lag (the key moves to the side before it), minus twice the lag.
    successor, to_finish, from_start : int64 arrays (links,)
        The successor, 1 for links to its finish (FF, SF), 1 for links from the predecessor's
        start (SS, SF).
    width, threads : int
        Iterations per block; how many workers share the blocks.
    critical : int64 array (threads, tasks), out
        Counts per worker, to be summed.
    total_float : int64 array (tasks, columns) or (0, 0), out
        Each task's total float in working minutes, when wanted.
    """
    size = duration.shape[0]
    keep_float = total_float.shape[0] > 0
    blocks = (count + width - 1) // width
    workers = max(1, min(threads, blocks))
    for worker in prange(workers):
        late = np.empty((2 * size, width), dtype=np.int64)
        finish = np.empty(width, dtype=np.int64)
        span = np.empty(width, dtype=np.int64)
        counts = critical[worker]
        for block in range(worker, blocks, workers):
            first = block * width
            n = min(width, count - first)
            for j in range(size - 1, -1, -1):
                days = duration[j, first : first + n]
                for i in range(n):
                    finish[i] = project_finish[first + i]
                    span[i] = 2 * days[i]
                for e in range(pointer[j], pointer[j + 1]):
                    after = late[source[e]]
                    following = duration[successor[e], first : first + n]
                    lag = shift[e]
                    gap = side[e]
                    finish_bit = to_finish[e]
                    start_span = -from_start[e]
                    for i in range(n):
                        bit = 1 if following[i] > 0 else 0
                        value = (after[i] | gap | (bit & finish_bit)) + lag + (span[i] & start_span)
                        finish[i] = min(finish[i], value)
                finishes = late[size + j]
                starts = late[j]
                early = early_start[j, first : first + n]
                critical_here = 0
                for i in range(n):
                    bit = 1 if days[i] > 0 else 0
                    key = finish[i] & ~bit
                    start = key - (span[i] - bit)
                    finishes[i] = key
                    starts[i] = start
                    slack = (start >> 1) - (early[i] >> 1)
                    critical_here += 1 if slack <= 0 else 0
                    if keep_float:
                        total_float[j, first + i] = slack
                counts[j] += critical_here


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
