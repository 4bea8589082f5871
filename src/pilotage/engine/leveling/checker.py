"""An independent feasibility check of a leveled schedule: :func:`check_schedule`.

It shares no code with the solver: it walks each task's calendar period by period and counts
working periods directly, so that a bug in the compiled tables or the kernels shows here.
"""

from __future__ import annotations

import numpy as np

from pilotage.engine.leveling.problem import IntArray, LevelingProblem

__all__ = ["check_schedule"]

_KIND = ("finish-to-start", "start-to-start", "finish-to-finish", "start-to-finish")
_EPSILON = 1e-9


def check_schedule(problem: LevelingProblem, start: IntArray) -> list[str]:
    """Every way the schedule ``start`` breaks the problem, one plain sentence each.

    A task with work must start in a working period of its calendar, fit its working periods
    in the horizon, start no earlier than its release (and exactly at its fixed start when it
    has one). Every link must hold, except links into a fixed task (fixed tasks stay where the
    plan says). No resource may be used beyond its capacity in any period.

    Parameters
    ----------
    problem : LevelingProblem
        The problem.
    start : (n,) int array
        The start period of each task.

    Returns
    -------
    list of str
        Empty when the schedule is feasible.

    Examples
    --------
    >>> problem = LevelingProblem(
    ...     np.array([2, 2]), np.array([[1.0], [1.0]]), np.ones((1, 6)),
    ...     np.array([0]), np.array([1]), np.array([0]), np.array([0]),
    ... )
    >>> check_schedule(problem, np.array([0, 2]))
    []
    >>> check_schedule(problem, np.array([0, 1]))  # doctest: +NORMALIZE_WHITESPACE
    ['Task 1 starts at 1, before Task 0 finishes at 2 plus a lag of 0 (finish-to-start)',
     'resource 0 is used 2 of 1 in period 1 (Task 0, Task 1)']
    """
    durations = [int(v) for v in np.asarray(problem.durations).tolist()]
    n = len(durations)
    capacity = np.asarray(problem.capacity, dtype=np.float64)
    resources, horizon = capacity.shape
    starts = [int(v) for v in np.asarray(start).ravel().tolist()]
    if len(starts) != n:
        return [f"The schedule has {len(starts)} starts for {n} tasks"]
    working = (
        np.ones((1, horizon), dtype=bool)
        if problem.working is None
        else np.asarray(problem.working, dtype=bool)
    )
    calendar = [0] * n if problem.calendar is None else np.asarray(problem.calendar).tolist()
    release = [0] * n if problem.release is None else np.asarray(problem.release).tolist()
    fixed = [-1] * n if problem.fixed_start is None else np.asarray(problem.fixed_start).tolist()
    demands = np.asarray(problem.demands, dtype=np.float64).reshape(n, resources)
    problems: list[str] = []
    finishes: list[int] = []
    periods: list[list[int]] = []
    for i in range(n):
        label = problem.task_label(i)
        row = working[int(calendar[i])]
        s, d = starts[i], durations[i]
        worked: list[int] = []
        if d == 0:
            if not 0 <= s <= horizon:
                problems.append(f"{label} is at {s}, outside periods 0 to {horizon}")
            finishes.append(s)
        else:
            if not 0 <= s < horizon or not row[s]:
                problems.append(f"{label} starts at {s}, which is not a working period")
            t = max(s, 0)
            while len(worked) < d and t < horizon:
                if row[t]:
                    worked.append(t)
                t += 1
            if len(worked) < d:
                problems.append(f"{label} does not fit in the horizon from period {s}")
            finishes.append(worked[-1] + 1 if worked else s)
        periods.append(worked)
        if s < int(release[i]) and int(fixed[i]) < 0:
            problems.append(f"{label} starts at {s}, before its release at {release[i]}")
        if int(fixed[i]) >= 0:
            wanted = int(fixed[i])
            if d > 0:
                while wanted < horizon and not row[wanted]:
                    wanted += 1
            if s != wanted:
                problems.append(f"{label} is fixed at {wanted} but starts at {s}")

    def count(c: int, t: int) -> int:
        row: list[bool] = working[c, : max(min(t, horizon), 0)].tolist()
        return sum(row) + max(t - int(horizon), 0)

    links = zip(
        np.asarray(problem.link_predecessor).tolist(),
        np.asarray(problem.link_successor).tolist(),
        np.asarray(problem.link_type).tolist(),
        np.asarray(problem.link_lag).tolist(),
        strict=True,
    )
    for i, j, kind, lag in links:
        if int(fixed[j]) >= 0:
            continue
        c = int(calendar[j])
        anchor = finishes[i] if kind in (0, 2) else starts[i]
        mine = starts[j] if kind in (0, 1) else finishes[j]
        if count(c, mine) < count(c, anchor) + lag:
            what = "starts" if kind in (0, 1) else "finishes"
            their = "finishes" if kind in (0, 2) else "starts"
            problems.append(
                f"{problem.task_label(j)} {what} at {mine}, before {problem.task_label(i)} "
                f"{their} at {anchor} plus a lag of {lag} ({_KIND[kind]})"
            )
    used = np.zeros((resources, horizon))
    users: dict[tuple[int, int], list[int]] = {}
    for i in range(n):
        for t in periods[i]:
            used[:, t] += demands[i]
            for r in np.flatnonzero(demands[i] > 0).tolist():
                users.setdefault((r, t), []).append(i)
    for r, t in zip(*np.nonzero(used > capacity + _EPSILON), strict=True):
        names = ", ".join(problem.task_label(i) for i in users.get((int(r), int(t)), []))
        problems.append(
            f"{problem.resource_label(int(r))} is used {used[r, t]:g} of {capacity[r, t]:g} "
            f"in period {int(t)} ({names})"
        )
    return problems
