"""Monte Carlo simulation of a schedule's finish and cost: :func:`simulate_schedule`.

Each iteration draws every uncertain duration and cost, decides which risk events occur, and
schedules the network with the rules of :func:`~pilotage.engine.scheduling.compute_schedule`.
All the iterations of a chunk are scheduled at once: the forward and backward passes run once
per topological level of the network on ``(iterations, tasks)`` arrays of the same integer keys
as ``compute_schedule`` (``2 * working offset + side``), so the Python overhead grows with the
depth of the network, not with the number of tasks or iterations. Chunks of iterations bound the
memory (about 500 MB per chunk whatever the network's size).

Choices written down:

- Durations are sampled in working minutes of the task's calendar and rounded to the minute
  (negative draws become 0). A risk event that occurs adds the same drawn delay to each task it
  touches and its drawn cost once.
- Correlation between durations uses Iman and Conover's rank reordering rather than a Gaussian
  copula with inverse distribution functions: it needs no inverse CDF (numpy has none for the
  Beta distribution, and scipy is not a dependency), keeps each marginal distribution exactly,
  and targets the Spearman correlation users state.
- The criticality index of a task is the share of iterations in which its total float, measured
  against that iteration's project finish only, is zero or less. Deadlines and late-date bounds
  of constraints do not enter the backward pass here, so that "critical" means "drives the
  finish"; a task whose SNLT, FNLT, MSO or MFO constraint overrides its links still counts as
  critical, its float being negative.
- Sensitivity is the Spearman correlation between a task's sampled duration (risk delays
  included) and the project finish, over all iterations (ties ranked in order of appearance);
  :meth:`SimulationResult.tornado` sorts the tasks by its magnitude.
- Contingency at a confidence ``c`` is the ``c``-th percentile minus the deterministic value:
  ``compute_schedule``'s finish with the durations as planned, and the sum of the cost
  estimates' most likely values unless a planned cost is given.

Restrictions of this first version (a :class:`~pilotage.engine.errors.ScheduleInputError` says
so): all the tasks that do work share one calendar; no elapsed lags; no progress (actual
dates), no leveling delays and no ALAP tasks. PERCENT lags keep the planned duration of their
predecessor. Several projects are simulated together by giving their tasks and the links
between them as one network, as for ``compute_schedule``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import RiskInputError, ScheduleInputError
from pilotage.engine.risk.distributions import (
    Distribution,
    as_distribution,
    correlation_matrix,
    rank_correlate,
)
from pilotage.engine.scheduling.cpm import (
    _down_in,
    _expand_summaries,
    _grouped,
    _instants_in,
    _keys_down,
    _keys_up,
    _task_keys,
    _topological_levels,
    _up_in,
    compute_schedule,
)
from pilotage.engine.scheduling.network import (
    ConstraintType,
    DateArray,
    FloatArray,
    InstantLike,
    IntArray,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleTasks,
    as_instant,
)

__all__ = ["RiskEvent", "SimulationResult", "simulate_schedule"]

_I64: Final = np.int64
_BIG: Final = 1 << 61
_CHUNK_ELEMENTS: Final = 8_000_000
"""About 64 MB per (iterations, entries) array of a chunk; a chunk holds about eight."""

Estimate: TypeAlias = Distribution | float


@dataclass(frozen=True)
class RiskEvent:
    """Something that may happen, delaying some tasks and costing money if it does.

    Parameters
    ----------
    probability : float
        The chance it happens in any one iteration, 0 to 1.
    tasks : tuple of int
        Indices of the tasks it delays (each by the same drawn delay).
    delay_minutes : Distribution or float, optional
        Working minutes added to each task's duration when it happens.
    cost : Distribution or float, optional
        Cost added to the project when it happens.
    name : str, optional
        A label for messages.

    Examples
    --------
    >>> RiskEvent(0.3, (2,), delay_minutes=480).probability
    0.3
    >>> RiskEvent(1.5, (2,))
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.RiskInputError: Risk event '': probability must be within 0-1, not 1.5
    """

    probability: float
    tasks: tuple[int, ...] = ()
    delay_minutes: Estimate | None = None
    cost: Estimate | None = None
    name: str = ""

    def __post_init__(self) -> None:
        where = f"Risk event {self.name!r}"
        if not 0 <= self.probability <= 1:
            raise RiskInputError(f"{where}: probability must be within 0-1, not {self.probability}")
        object.__setattr__(self, "tasks", tuple(int(task) for task in self.tasks))
        for name in ("delay_minutes", "cost"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_distribution(value, f"{where}: {name}"))


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The distributions of a simulated schedule's finish and cost.

    Parameters
    ----------
    iterations : int
        How many iterations were run.
    percentiles : tuple of float
        The percentiles reported (e.g. 10, 50, 80, 90).
    finish : array of datetime64[m]
        The project finish of each iteration.
    finish_minutes : array of int64
        The same, as working minutes from the project start.
    cost : array of float64
        The total cost of each iteration.
    finish_percentiles : array of datetime64[m]
        The finish at each of ``percentiles`` (an iteration's finish, the next one up).
    finish_percentile_minutes : array of int64
        The same in working minutes from the project start.
    cost_percentiles : array of float64
        The cost at each of ``percentiles``.
    deterministic_finish : datetime64[m]
        The finish ``compute_schedule`` gives with the planned durations.
    deterministic_finish_minutes : int
        The same in working minutes from the project start.
    planned_cost : float
        The cost of the plan (the given one, or the sum of the most likely costs).
    deadline_probability, budget_probability : float or None
        The share of iterations finishing by the deadline and within the budget.
    criticality : array of float64
        Per input task, the share of iterations in which it is critical (NaN for summary tasks).
    sensitivity : array of float64
        Per input task, the Spearman correlation of its duration with the project finish (NaN
        where the duration never varies and for summary tasks).
    """

    iterations: int
    percentiles: tuple[float, ...]
    finish: DateArray
    finish_minutes: IntArray
    cost: FloatArray
    finish_percentiles: DateArray
    finish_percentile_minutes: IntArray
    cost_percentiles: FloatArray
    deterministic_finish: np.datetime64
    deterministic_finish_minutes: int
    planned_cost: float
    deadline_probability: float | None
    budget_probability: float | None
    criticality: FloatArray
    sensitivity: FloatArray = field(repr=False)

    def contingency(self, confidence: float) -> tuple[int, float]:
        """The schedule (working minutes) and cost reserves needed at a confidence level.

        Parameters
        ----------
        confidence : float
            The percentile to plan for, 0 to 100 (80 for "P80").

        Returns
        -------
        tuple of (int, float)
            The finish percentile minus the deterministic finish, in working minutes, and the
            cost percentile minus the planned cost.
        """
        if not 0 <= confidence <= 100:
            raise RiskInputError(f"confidence must be within 0-100, not {confidence}")
        minutes = int(np.percentile(self.finish_minutes, confidence, method="higher"))
        cost = float(np.percentile(self.cost, confidence))
        return minutes - self.deterministic_finish_minutes, cost - self.planned_cost

    def tornado(self, count: int = 10) -> IntArray:
        """The tasks whose duration sways the finish most, by decreasing |sensitivity|.

        Parameters
        ----------
        count : int, optional
            How many tasks to return at most.

        Returns
        -------
        array of int64
            Task indices.
        """
        magnitude = np.abs(self.sensitivity)
        known = np.flatnonzero(~np.isnan(magnitude))
        ranked = known[np.argsort(-magnitude[known], kind="stable")]
        return ranked[:count].astype(_I64)

    def finish_histogram(self, bins: int = 30) -> tuple[IntArray, IntArray]:
        """Counts of iterations per band of finish (working minutes from the project start).

        Returns
        -------
        tuple of arrays
            The counts and the ``bins + 1`` band edges.
        """
        counts, edges = np.histogram(self.finish_minutes, bins=bins)
        return counts.astype(_I64), np.rint(edges).astype(_I64)

    def cost_histogram(self, bins: int = 30) -> tuple[IntArray, FloatArray]:
        """Counts of iterations per band of cost.

        Returns
        -------
        tuple of arrays
            The counts and the ``bins + 1`` band edges.
        """
        counts, edges = np.histogram(self.cost, bins=bins)
        return counts.astype(_I64), edges.astype(np.float64)


@dataclass(frozen=True)
class _Network:
    """The leaves in level order with what the passes need (constants of every iteration)."""

    size: int
    order: IntArray
    bounds: list[int]
    working: WorkingTime
    base_duration: IntArray  # in level order
    base_lower: IntArray
    constraint: IntArray
    date_up: IntArray
    date_down: IntArray
    # Forward entries (grouped by successor, each group led by the task's bound).
    forward_source: IntArray
    forward_mask: IntArray
    forward_shift: IntArray
    forward_finish_entries: IntArray  # link entries to the finish of their successor
    forward_finish_task: IntArray
    forward_segments: IntArray
    forward_level: list[int]
    # Backward entries (grouped by predecessor).
    backward_source: IntArray
    backward_side: IntArray
    backward_shift: IntArray
    backward_finish_entries: IntArray
    backward_finish_task: IntArray
    backward_start_entries: IntArray  # links from the start of their predecessor
    backward_start_task: IntArray
    backward_segments: IntArray
    backward_level: list[int]


def _check_supported(tasks: ScheduleTasks, links: ScheduleLinks, leaves: IntArray) -> None:
    def refuse(index: int, problem: str) -> ScheduleInputError:
        return ScheduleInputError(
            f"Task {int(tasks.ids[index])}: {problem} is not supported by the simulation yet"
        )

    calendars = np.unique(tasks.calendar[leaves])
    if calendars.size > 1:
        raise ScheduleInputError(
            "Schedule: the simulation needs all the tasks on one calendar for now "
            f"(found calendars {calendars.tolist()})"
        )
    for name, mask in (
        ("an actual start", ~np.isnat(tasks.actual_start)),
        ("a leveling delay", tasks.leveling_delay_minutes != 0),
        ("an ALAP constraint", tasks.constraint_type == ConstraintType.ALAP),
    ):
        if mask.any():
            raise refuse(int(np.flatnonzero(mask)[0]), name)
    elapsed = (links.lag_kind == LagKind.ELAPSED) & (links.lag_minutes != 0)
    if elapsed.any():
        raise refuse(int(links.successor[np.flatnonzero(elapsed)[0]]), "an elapsed lag")


def _network(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    start: np.datetime64,
) -> tuple[_Network, IntArray]:
    leaves = _expand_summaries(tasks, links)
    keys = _task_keys(tasks, leaves, calendars, start, None)
    size = int(leaves.task.size)
    working = calendars[int(tasks.calendar[leaves.task[0]])] if size else calendars[0]
    order, bounds = _topological_levels(
        size, leaves.predecessor, leaves.successor, tasks.ids[leaves.task]
    )
    position = np.empty(size, dtype=_I64)
    position[order] = np.arange(size)
    task = leaves.task[order]
    constraint = tasks.constraint_type[task].astype(_I64)
    dated = ~np.isnat(tasks.constraint_date[task])
    date_up = np.zeros(size, dtype=_I64)
    date_down = np.zeros(size, dtype=_I64)
    if dated.any():
        minutes = tasks.constraint_date[task][dated].view(_I64)
        chosen = np.zeros(int(dated.sum()), dtype=_I64)
        date_up[dated] = _keys_up(minutes, chosen, [working])
        date_down[dated] = _keys_down(minutes, chosen, [working])

    predecessor, successor = position[leaves.predecessor], position[leaves.successor]
    link_type = leaves.link_type
    from_start = (link_type == LinkType.SS) | (link_type == LinkType.SF)
    to_finish = (link_type == LinkType.FF) | (link_type == LinkType.SF)
    lag = leaves.working_lag
    real = int(predecessor.size)
    identity = np.arange(size, dtype=_I64)

    def group(ends: IntArray) -> tuple[IntArray, IntArray, list[int], IntArray]:
        count = np.bincount(ends, minlength=size)
        entries, starts = _grouped(
            identity, count, np.cumsum(count) - count, np.argsort(ends, kind="stable"), real
        )
        level_bounds = np.append(starts, entries.size)[bounds]
        level_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
        return entries, starts, level_bounds.tolist(), starts - level_bounds[level_of]

    def per_entry(entries: IntArray, values: IntArray, bound: IntArray | int) -> IntArray:
        tail = np.broadcast_to(np.asarray(bound, dtype=_I64), (size,))
        return np.concatenate([values.astype(_I64), tail])[entries]

    # One extra False so that the bound entries (index ``real`` and up) select nothing.
    finish_link, start_link = np.append(to_finish, False), np.append(from_start, False)
    forward, _, forward_level, forward_segments = group(successor)
    forward_finish = np.flatnonzero(finish_link[np.minimum(forward, real)])
    backward, _, backward_level, backward_segments = group(predecessor)
    backward_finish = np.flatnonzero(finish_link[np.minimum(backward, real)])
    backward_start = np.flatnonzero(start_link[np.minimum(backward, real)])
    network = _Network(
        size=size,
        order=order,
        bounds=bounds,
        working=working,
        base_duration=tasks.duration_minutes[task],
        base_lower=keys.base_lower[order],
        constraint=constraint,
        date_up=date_up,
        date_down=date_down,
        forward_source=per_entry(
            forward, np.where(from_start, 0, 1) * size + predecessor, 2 * size + identity
        ),
        forward_mask=per_entry(forward, np.where(lag != 0, -2, -1), -1),
        forward_shift=per_entry(forward, 2 * lag, 0),
        forward_finish_entries=forward_finish,
        forward_finish_task=successor[forward[forward_finish]],
        forward_segments=forward_segments,
        forward_level=forward_level,
        backward_source=per_entry(backward, np.where(to_finish, 1, 0) * size + successor, 2 * size),
        backward_side=per_entry(backward, (lag != 0).astype(_I64), 0),
        backward_shift=per_entry(backward, -2 * lag, 0),
        backward_finish_entries=backward_finish,
        backward_finish_task=successor[backward[backward_finish]],
        backward_start_entries=backward_start,
        backward_start_task=predecessor[backward[backward_start]],
        backward_segments=backward_segments,
        backward_level=backward_level,
    )
    return network, leaves.task


def _schedule_chunk(net: _Network, duration: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Project finish keys, early starts and total floats of a chunk of iterations.

    ``duration`` is (iterations, tasks) in level order.
    """
    size, chunk = net.size, duration.shape[0]
    bit = (duration > 0).astype(_I64)
    span = 2 * duration
    finish_shift = span - bit
    kind = net.constraint
    lower = np.broadcast_to(net.base_lower, (chunk, size)).copy()
    upper = np.full((chunk, size), _BIG, dtype=_I64)
    up, down = net.date_up, net.date_down
    for code, value in (
        (ConstraintType.SNET, up),
        (ConstraintType.FNET, up - span),
        (ConstraintType.MSO, up),
        (ConstraintType.MFO, down - span),
    ):
        where = kind == code
        if where.any():
            bound = np.broadcast_to(value, (chunk, size))[:, where]
            if code in (ConstraintType.SNET, ConstraintType.FNET):
                lower[:, where] = np.maximum(lower[:, where], bound)
            else:
                lower[:, where] = bound
    for code, value in (
        (ConstraintType.SNLT, down),
        (ConstraintType.FNLT, down - span),
        (ConstraintType.MSO, up),
        (ConstraintType.MFO, down - span),
    ):
        where = kind == code
        if where.any():
            upper[:, where] = np.broadcast_to(value, (chunk, size))[:, where]

    dates = np.empty((chunk, 3 * size), dtype=_I64)
    dates[:, 2 * size :] = lower
    shift = np.broadcast_to(net.forward_shift, (chunk, net.forward_shift.size)).copy()
    shift[:, net.forward_finish_entries] -= span[:, net.forward_finish_task]
    bounds, links = net.bounds, net.forward_level
    for level in range(len(bounds) - 1):
        first, last = bounds[level], bounds[level + 1]
        link_first, link_last = links[level], links[level + 1]
        values = dates[:, net.forward_source[link_first:link_last]]
        values &= net.forward_mask[link_first:link_last]
        values += shift[:, link_first:link_last]
        start = np.maximum.reduceat(values, net.forward_segments[first:last], axis=1)
        np.minimum(start, upper[:, first:last], out=start)
        start |= bit[:, first:last]
        dates[:, first:last] = start
        dates[:, size + first : size + last] = start + finish_shift[:, first:last]
    early_start = dates[:, :size]
    finish_key = dates[:, size : 2 * size].max(axis=1)
    minutes = _instants_in(finish_key, net.working)
    project_finish = _down_in(minutes, net.working)

    late = np.empty((chunk, 2 * size + 1), dtype=_I64)
    late[:, 2 * size] = project_finish
    side = np.broadcast_to(net.backward_side, (chunk, net.backward_side.size)).copy()
    side[:, net.backward_finish_entries] |= bit[:, net.backward_finish_task]
    shift = np.broadcast_to(net.backward_shift, (chunk, net.backward_shift.size)).copy()
    shift[:, net.backward_start_entries] += span[:, net.backward_start_task]
    finish_mask = np.where(bit == 1, -2, -1)
    links = net.backward_level
    for level in range(len(bounds) - 2, -1, -1):
        first, last = bounds[level], bounds[level + 1]
        link_first, link_last = links[level], links[level + 1]
        values = late[:, net.backward_source[link_first:link_last]]
        values |= side[:, link_first:link_last]
        values += shift[:, link_first:link_last]
        finish = np.minimum.reduceat(values, net.backward_segments[first:last], axis=1)
        finish &= finish_mask[:, first:last]
        late[:, size + first : size + last] = finish
        late[:, first:last] = finish - finish_shift[:, first:last]
    total_float = (late[:, :size] >> 1) - (early_start >> 1)
    return finish_key, minutes, total_float


def _ordinal_ranks(values: npt.NDArray[np.floating] | IntArray) -> FloatArray:
    ranks = np.empty(values.shape, dtype=np.float64)
    order = np.argsort(values, axis=0, kind="stable")
    np.put_along_axis(
        ranks,
        order,
        np.broadcast_to(
            np.arange(values.shape[0], dtype=np.float64).reshape(-1, *([1] * (values.ndim - 1))),
            values.shape,
        ),
        axis=0,
    )
    return ranks


def _spearman(columns: npt.NDArray[np.float32], target: IntArray) -> FloatArray:
    """Spearman correlation of each column with ``target`` (NaN for a constant column)."""
    result = np.full(columns.shape[1], np.nan)
    target_ranks = _ordinal_ranks(target)
    target_ranks -= target_ranks.mean()
    target_norm = float(np.sqrt((target_ranks**2).sum()))
    for first in range(0, columns.shape[1], 256):
        block = columns[:, first : first + 256]
        varies = block.max(axis=0) > block.min(axis=0)
        if not varies.any() or target_norm == 0:
            continue
        ranks = _ordinal_ranks(block[:, varies])
        ranks -= ranks.mean(axis=0)
        norms = np.sqrt((ranks**2).sum(axis=0))
        chosen = np.flatnonzero(varies) + first
        result[chosen] = (target_ranks @ ranks) / (norms * target_norm)
    return result


def simulate_schedule(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    *,
    project_start: InstantLike,
    rng: np.random.Generator,
    iterations: int = 1000,
    estimates: Mapping[int, Estimate] | None = None,
    costs: Mapping[int, Estimate] | None = None,
    risks: Sequence[RiskEvent] = (),
    correlation: Sequence[tuple[int, int, float]] = (),
    percentiles: Sequence[float] = (10, 50, 80, 90),
    deadline: InstantLike | None = None,
    budget: float | None = None,
    planned_cost: float | None = None,
) -> SimulationResult:
    """Simulate a network's finish and cost under uncertain durations, costs and risk events.

    Parameters
    ----------
    tasks, links, calendars
        The network, as for :func:`~pilotage.engine.scheduling.compute_schedule` (tasks of
        several projects and the links between them may be simulated together).
    project_start : datetime64, date or str
        No task starts earlier (unless a constraint says so).
    rng : numpy.random.Generator
        The source of randomness: the same seed gives the same result.
    iterations : int, optional
        How many schedules to draw.
    estimates : mapping of task index to Distribution or float, optional
        The duration of each uncertain task, in working minutes; other tasks keep their
        ``duration_minutes``.
    costs : mapping of task index to Distribution or float, optional
        The cost of each task that has one.
    risks : sequence of RiskEvent, optional
        Events that may delay tasks and add cost.
    correlation : sequence of (task, task, rho), optional
        Spearman correlations between the durations of tasks that have estimates.
    percentiles : sequence of float, optional
        The percentiles to report, 0 to 100.
    deadline : datetime64, date or str, optional
        A date to report the probability of finishing by.
    budget : float, optional
        A cost to report the probability of staying within.
    planned_cost : float, optional
        The plan's cost for the contingency (the sum of the most likely costs by default).

    Returns
    -------
    SimulationResult
        Finish and cost samples and percentiles, probabilities, criticality and sensitivity.

    Raises
    ------
    ScheduleInputError
        If the network is malformed or uses what the simulation does not support yet.
    RiskInputError
        If an estimate, a risk event, a correlation or a setting is invalid.

    Examples
    --------
    Two tasks in a row, the first taking one to three days:

    >>> from datetime import date
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> from pilotage.engine.risk import Triangular
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 6, 30))
    >>> result = simulate_schedule(
    ...     ScheduleTasks.create(ids=[1, 2], duration_minutes=[960, 480]),
    ...     ScheduleLinks.create([0], [1]),
    ...     [working],
    ...     project_start="2026-05-04T08:00",
    ...     rng=np.random.default_rng(7),
    ...     estimates={0: Triangular(480, 960, 1440)},
    ... )
    >>> result.deterministic_finish
    np.datetime64('2026-05-06T17:00')
    >>> result.criticality.tolist()
    [1.0, 1.0]
    >>> bool(result.finish_percentile_minutes[0] < 1440 < result.finish_percentile_minutes[-1])
    True
    """
    if iterations < 1:
        raise RiskInputError(f"iterations must be at least 1, not {iterations}")
    chosen = tuple(float(value) for value in percentiles)
    if any(not 0 <= value <= 100 for value in chosen):
        raise RiskInputError(f"percentiles must be within 0-100, not {list(chosen)}")
    start = as_instant(project_start, "project_start", required=True)
    due = as_instant(deadline, "deadline", required=False)
    deterministic = compute_schedule(tasks, links, calendars, project_start=start)
    summary = deterministic.summary
    leaf_tasks = np.flatnonzero(~summary)
    _check_supported(tasks, links, leaf_tasks)
    net, leaf_task = _network(tasks, links, calendars, start)
    size = net.size
    leaf_of = np.full(tasks.size, -1, dtype=_I64)
    leaf_of[leaf_task] = np.arange(size)
    position = np.empty(size, dtype=_I64)
    position[net.order] = np.arange(size)

    def leaf(task: object, where: str) -> int:
        index = int(task)  # type: ignore[call-overload]
        if not 0 <= index < tasks.size or leaf_of[index] < 0:
            raise RiskInputError(f"{where}: {index} is not the index of a task that does work")
        return int(leaf_of[index])

    duration_of = {
        leaf(task, "estimates"): as_distribution(value, f"estimates[{task}]")
        for task, value in (estimates or {}).items()
    }
    cost_of = [as_distribution(value, f"costs[{task}]") for task, value in (costs or {}).items()]
    for task in costs or {}:
        if not 0 <= int(task) < tasks.size:
            raise RiskInputError(f"costs: {task} is not the index of a task")
    risk_leaves = [
        np.asarray([leaf(task, f"risk {event.name!r}") for task in event.tasks], dtype=_I64)
        for event in risks
    ]
    estimated = sorted(duration_of)
    involved = sorted({leaf(task, "correlation") for pair in correlation for task in pair[:2]})
    matrix = correlation_matrix(
        [(leaf(a, "correlation"), leaf(b, "correlation"), float(rho)) for a, b, rho in correlation],
        involved,
    )
    for index in involved:
        if index not in duration_of:
            raise RiskInputError("correlation: joins a task without an estimate")

    varying = sorted(set(estimated).union(*(set(rows.tolist()) for rows in risk_leaves)))
    sampled_durations = np.zeros((iterations, len(varying)), dtype=np.float32)
    varying_column = {index: column for column, index in enumerate(varying)}
    finish_minutes = np.empty(iterations, dtype=_I64)
    finish_instants = np.empty(iterations, dtype=_I64)
    cost = np.zeros(iterations)
    critical_count = np.zeros(size, dtype=_I64)
    start_offset = int(_up_in(np.array([start.astype(_I64)]), net.working)[0]) >> 1
    entries = max(net.forward_source.size, net.backward_source.size, 1)
    chunk = int(max(1, min(iterations, _CHUNK_ELEMENTS // (entries + 3 * size + 1))))
    base = tasks.duration_minutes[leaf_task]

    for first in range(0, iterations, chunk):
        count = min(chunk, iterations - first)
        duration = np.broadcast_to(base.astype(np.float64), (count, size)).copy()
        for index in estimated:
            duration[:, index] = duration_of[index].sample(rng, count)
        if len(involved) > 1:
            duration[:, involved] = rank_correlate(duration[:, involved], matrix, rng)
        for distribution in cost_of:
            cost[first : first + count] += distribution.sample(rng, count)
        for event, rows in zip(risks, risk_leaves, strict=True):
            occurs = rng.random(count) < event.probability
            if event.delay_minutes is not None:
                drawn = as_distribution(event.delay_minutes, "delay_minutes").sample(rng, count)
                delay = np.where(occurs, drawn, 0.0)
                duration[:, rows] += delay[:, None]
            if event.cost is not None:
                drawn = as_distribution(event.cost, "cost").sample(rng, count)
                cost[first : first + count] += np.where(occurs, drawn, 0.0)
        whole = np.maximum(np.rint(duration), 0).astype(_I64)
        if varying:
            sampled_durations[first : first + count] = whole[:, varying]
        finish_key, minutes, total_float = _schedule_chunk(net, whole[:, net.order])
        finish_minutes[first : first + count] = (finish_key >> 1) - start_offset
        finish_instants[first : first + count] = minutes
        critical_count += (total_float <= 0).sum(axis=0)[position]

    criticality = np.full(tasks.size, np.nan)
    criticality[leaf_task] = critical_count / iterations
    sensitivity = np.full(tasks.size, np.nan)
    if varying:
        by_column = _spearman(sampled_durations, finish_minutes)
        for index, column in varying_column.items():
            sensitivity[leaf_task[index]] = by_column[column]

    finish = finish_instants.view("datetime64[m]")
    deterministic_finish = deterministic.project_finish
    deterministic_minutes = (
        int(_down_in(np.array([deterministic_finish.astype(_I64)]), net.working)[0]) >> 1
    ) - start_offset
    plan_cost = (
        float(planned_cost)
        if planned_cost is not None
        else float(sum(value.most_likely for value in cost_of))
    )
    return SimulationResult(
        iterations=iterations,
        percentiles=chosen,
        finish=finish,
        finish_minutes=finish_minutes,
        cost=cost,
        finish_percentiles=np.percentile(finish_instants, chosen, method="higher")
        .astype(_I64)
        .view("datetime64[m]"),
        finish_percentile_minutes=np.percentile(finish_minutes, chosen, method="higher").astype(
            _I64
        ),
        cost_percentiles=np.percentile(cost, chosen).astype(np.float64),
        deterministic_finish=deterministic_finish,
        deterministic_finish_minutes=deterministic_minutes,
        planned_cost=plan_cost,
        deadline_probability=(
            None if due is None else float((finish_instants <= due.astype(_I64)).mean())
        ),
        budget_probability=None if budget is None else float((cost <= budget).mean()),
        criticality=criticality,
        sensitivity=sensitivity,
    )
