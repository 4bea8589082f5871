"""A plain-Python serial schedule-generation scheme, the reference the kernels are tested on.

It follows the definitions literally: it tries every period in turn until the links, the
calendar and the capacities all allow the task, counting working periods by walking the
calendar. It is slow and meant for tests.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pilotage.engine.leveling.problem import IntArray, LevelingProblem

__all__ = ["serial_sgs_reference"]

_EPSILON = 1e-9


def serial_sgs_reference(
    problem: LevelingProblem, order: Sequence[int]
) -> tuple[IntArray, IntArray]:
    """Schedule the tasks one by one in ``order``, each at the earliest period it fits.

    Fixed tasks are placed first; a task that cannot fit before its ``latest_finish`` is
    placed at its earliest start over capacity. ``order`` must list every task after its
    predecessors.

    Parameters
    ----------
    problem : LevelingProblem
        The problem (assumed valid).
    order : sequence of int
        An activity list.

    Returns
    -------
    start, finish : (n,) int arrays

    Examples
    --------
    >>> problem = LevelingProblem(
    ...     np.array([2, 2]), np.array([[1.0], [1.0]]), np.ones((1, 6)),
    ...     *[np.array([], dtype=np.int64)] * 4,
    ... )
    >>> [a.tolist() for a in serial_sgs_reference(problem, [1, 0])]
    [[2, 0], [4, 2]]
    """
    durations = np.asarray(problem.durations).tolist()
    n = len(durations)
    capacity = np.asarray(problem.capacity, dtype=np.float64)
    resources, horizon = capacity.shape
    residual = capacity.copy()
    demands = np.asarray(problem.demands, dtype=np.float64).reshape(n, resources)
    working = (
        np.ones((1, horizon), dtype=bool)
        if problem.working is None
        else np.asarray(problem.working, dtype=bool)
    )
    calendar = [0] * n if problem.calendar is None else np.asarray(problem.calendar).tolist()
    release = [0] * n if problem.release is None else np.asarray(problem.release).tolist()
    fixed = [-1] * n if problem.fixed_start is None else np.asarray(problem.fixed_start).tolist()
    latest = (
        [-1] * n if problem.latest_finish is None else np.asarray(problem.latest_finish).tolist()
    )
    incoming: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for i, j, kind, lag in zip(
        np.asarray(problem.link_predecessor).tolist(),
        np.asarray(problem.link_successor).tolist(),
        np.asarray(problem.link_type).tolist(),
        np.asarray(problem.link_lag).tolist(),
        strict=True,
    ):
        incoming[j].append((i, kind, lag))
    start = [-1] * n
    finish = [-1] * n

    def periods_from(i: int, s: int) -> list[int] | None:
        row = working[calendar[i]]
        found: list[int] = []
        t = s
        while len(found) < durations[i] and t < horizon:
            if row[t]:
                found.append(t)
            t += 1
        return found if len(found) == durations[i] else None

    def count(c: int, t: int) -> int:
        return int(working[c, : max(min(t, horizon), 0)].sum())

    def links_hold(j: int, s: int, f: int) -> bool:
        c = calendar[j]
        for i, kind, lag in incoming[j]:
            anchor = finish[i] if kind in (0, 2) else start[i]
            mine = s if kind in (0, 1) else f
            if count(c, mine) < count(c, anchor) + lag:
                return False
        return True

    def fits(i: int, worked: list[int]) -> bool:
        needed = demands[i] > 0
        return all((residual[needed, t] >= demands[i, needed] - _EPSILON).all() for t in worked)

    def place(i: int, worked: list[int], s: int) -> None:
        for t in worked:
            residual[:, t] -= demands[i]
        start[i] = s
        finish[i] = worked[-1] + 1 if worked else s

    for i in range(n):
        if fixed[i] >= 0:
            worked = periods_from(i, fixed[i]) or []
            place(i, worked, worked[0] if worked else fixed[i])
    for j in order:
        if fixed[j] >= 0:
            continue
        earliest: tuple[int, list[int]] | None = None
        chosen: tuple[int, list[int]] | None = None
        for s in range(release[j], horizon + 1):
            candidate: list[int] = []
            f = s
            if durations[j] > 0:
                if s == horizon or not working[calendar[j], s]:
                    continue
                found = periods_from(j, s)
                if found is None:
                    break
                candidate = found
                f = candidate[-1] + 1
            if not links_hold(j, s, f):
                continue
            if earliest is None:
                earliest = (s, candidate)
            if fits(j, candidate):
                chosen = (s, candidate)
                break
        if earliest is None:
            raise ValueError(f"Task {j} does not fit in the horizon")
        if chosen is None or (
            latest[j] >= 0 and (chosen[1][-1] + 1 if chosen[1] else chosen[0]) > latest[j]
        ):
            if chosen is None and latest[j] < 0:
                raise ValueError(f"Task {j} does not fit in the horizon")
            chosen = earliest
        place(j, chosen[1], chosen[0])
    return np.array(start, dtype=np.int64), np.array(finish, dtype=np.int64)
