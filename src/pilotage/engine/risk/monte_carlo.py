"""Monte Carlo simulation of a schedule's finish and cost: :func:`simulate_schedule`.

Each iteration draws every uncertain duration and cost, decides which risk events occur, and
schedules the network with the rules of :func:`~pilotage.engine.scheduling.compute_schedule`.
The forward and backward passes are compiled (:mod:`pilotage.engine.risk.kernels`): they
take the tasks in topological order and, for each one, a block of iterations at once on arrays
``(tasks, iterations)`` of the same integer keys as ``compute_schedule`` (``2 * working offset
+ side``), the blocks shared among the processor's threads. Per-level numpy passes, the first
version, spent their time gathering and reducing arrays too large for the caches; a loop per
task over a block of 64 iterations keeps the block's dates in cache and compiles to vector
instructions. The tests check the kernels against a plain-Python pass over the links, one
iteration at a time. Triangular and uniform estimates are drawn for many tasks with one call
(the same values as one call per task). Iterations are scheduled some thousands at a time
into work arrays reused from pass to pass, so memory stays bounded (under 1 GB for 10,000
tasks and 10,000 iterations, most of it the durations kept for the sensitivity).

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

import numba
import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import RiskInputError, ScheduleInputError
from pilotage.engine.risk import kernels
from pilotage.engine.risk.distributions import (
    Distribution,
    Triangular,
    Uniform,
    as_distribution,
    correlation_matrix,
    rank_correlate,
)
from pilotage.engine.scheduling.cpm import (
    _down_in,
    _expand_summaries,
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
"""Sets how many iterations are drawn at a time (see :func:`simulate_schedule`)."""
_PASS_ELEMENTS: Final = 4_000_000
"""Tasks times iterations scheduled at a time: about 128 MB per (tasks, iterations) array."""
_BLOCK: Final = 64
"""Iterations per block of the compiled passes (see :mod:`pilotage.engine.risk.kernels`)."""

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
        where the duration never varies, for summary tasks, and everywhere when the simulation
        was asked not to compute it).
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
    """The leaves in topological order with what the passes need (constants of every iteration).

    Tasks are numbered by their position in that order; the links are given once as a plain
    list (``link_*``, what the rules read) and twice in compressed rows for the kernels: grouped
    by successor for the forward pass and by predecessor for the backward pass.
    """

    size: int
    order: IntArray  # the leaf at each position
    working: WorkingTime
    base_lower: IntArray
    constraint: IntArray
    date_up: IntArray
    date_down: IntArray
    link_predecessor: IntArray
    link_successor: IntArray
    link_type: IntArray
    link_lag: IntArray  # working minutes
    forward_pointer: IntArray
    forward_source: IntArray
    forward_mask: IntArray
    forward_shift: IntArray
    forward_to_finish: IntArray
    backward_pointer: IntArray
    backward_source: IntArray
    backward_side: IntArray
    backward_shift: IntArray
    backward_successor: IntArray
    backward_to_finish: IntArray
    backward_from_start: IntArray


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
    order, _ = _topological_levels(
        size, leaves.predecessor, leaves.successor, tasks.ids[leaves.task]
    )
    position = np.empty(size, dtype=_I64)
    position[order] = np.arange(size)
    task = leaves.task[order]
    dated = ~np.isnat(tasks.constraint_date[task])
    date_up = np.zeros(size, dtype=_I64)
    date_down = np.zeros(size, dtype=_I64)
    if dated.any():
        minutes = tasks.constraint_date[task][dated].view(_I64)
        chosen = np.zeros(int(dated.sum()), dtype=_I64)
        date_up[dated] = _keys_up(minutes, chosen, [working])
        date_down[dated] = _keys_down(minutes, chosen, [working])

    predecessor = position[leaves.predecessor].astype(_I64)
    successor = position[leaves.successor].astype(_I64)
    link_type = leaves.link_type.astype(_I64)
    lag = leaves.working_lag.astype(_I64)
    from_start = ((link_type == LinkType.SS) | (link_type == LinkType.SF)).astype(_I64)
    to_finish = ((link_type == LinkType.FF) | (link_type == LinkType.SF)).astype(_I64)
    lagged = (lag != 0).astype(_I64)

    def rows(ends: IntArray) -> tuple[IntArray, IntArray]:
        pointer = np.zeros(size + 1, dtype=_I64)
        np.cumsum(np.bincount(ends, minlength=size), out=pointer[1:])
        return pointer, np.argsort(ends, kind="stable")

    forward_pointer, forward = rows(successor)
    backward_pointer, backward = rows(predecessor)
    network = _Network(
        size=size,
        order=order.astype(_I64),
        working=working,
        base_lower=keys.base_lower[order].astype(_I64),
        constraint=tasks.constraint_type[task].astype(_I64),
        date_up=date_up,
        date_down=date_down,
        link_predecessor=predecessor,
        link_successor=successor,
        link_type=link_type,
        link_lag=lag,
        forward_pointer=forward_pointer,
        forward_source=((1 - from_start) * size + predecessor)[forward],
        forward_mask=np.where(lagged == 1, -2, -1).astype(_I64)[forward],
        forward_shift=(2 * lag)[forward],
        forward_to_finish=to_finish[forward],
        backward_pointer=backward_pointer,
        backward_source=(to_finish * size + successor)[backward],
        backward_side=lagged[backward],
        backward_shift=(-2 * lag)[backward],
        backward_successor=successor[backward],
        backward_to_finish=to_finish[backward],
        backward_from_start=from_start[backward],
    )
    return network, leaves.task


def _schedule_passes(
    net: _Network,
    duration: IntArray,
    count: int | None = None,
    *,
    early_start: IntArray | None = None,
    total_float: IntArray | None = None,
) -> tuple[IntArray, IntArray, IntArray]:
    """Project finish keys and instants, and per-task critical counts, of some iterations.

    ``duration`` is (tasks, columns), tasks in topological order, of which the first
    ``count`` columns (all by default) are scheduled; ``early_start`` is a work array of the
    same shape; ``total_float``, if given, receives each task's total float in each iteration.
    """
    size, columns = duration.shape
    count = columns if count is None else count
    threads = numba.get_num_threads()
    if early_start is None:
        early_start = np.empty((size, columns), dtype=_I64)
    finish_key = np.empty(count, dtype=_I64)
    kernels.forward_pass(
        duration,
        count,
        net.base_lower,
        net.constraint,
        net.date_up,
        net.date_down,
        net.forward_pointer,
        net.forward_source,
        net.forward_mask,
        net.forward_shift,
        net.forward_to_finish,
        _BLOCK,
        threads,
        early_start,
        finish_key,
    )
    minutes = _instants_in(finish_key, net.working)
    project_finish = _down_in(minutes, net.working)
    critical = np.zeros((threads, size), dtype=_I64)
    kernels.backward_pass(
        duration,
        count,
        early_start,
        project_finish,
        net.backward_pointer,
        net.backward_source,
        net.backward_side,
        net.backward_shift,
        net.backward_successor,
        net.backward_to_finish,
        net.backward_from_start,
        _BLOCK,
        threads,
        critical,
        np.empty((0, 0), dtype=_I64) if total_float is None else total_float,
    )
    return finish_key, minutes, critical.sum(axis=0)


@dataclass(frozen=True)
class _Draw:
    """One step of an iteration chunk's draws of durations, in the order of the tasks.

    Either a run of triangular and uniform estimates drawn with one call (``rows`` and their
    parameters) or one other estimate (``row`` and ``distribution``).
    """

    rows: IntArray
    low: FloatArray
    mode: FloatArray
    high: FloatArray
    uniform: npt.NDArray[np.bool_]
    row: int = -1
    distribution: Distribution | None = None


def _draw_plan(duration_of: Mapping[int, Distribution], position: IntArray) -> list[_Draw]:
    """Group the estimates, in task order, into runs drawn together.

    Triangular and uniform draws each take one standard uniform draw per value, so a run of
    them takes a block of standard uniform draws, whose order is the order of successive calls:
    the samples, and the result for a seed, are those of sampling the tasks one by one. A
    zero-width triangular estimate draws nothing and does not break a run.
    """
    plan: list[_Draw] = []
    run: list[tuple[int, float, float, float, bool]] = []

    def close() -> None:
        if run:
            rows, low, mode, high, uniform = zip(*run, strict=True)
            plan.append(
                _Draw(
                    np.asarray(rows, dtype=_I64),
                    np.asarray(low, dtype=np.float64),
                    np.asarray(mode, dtype=np.float64),
                    np.asarray(high, dtype=np.float64),
                    np.asarray(uniform, dtype=np.bool_),
                )
            )
            run.clear()

    nothing = np.empty(0)
    for index in sorted(duration_of):
        distribution = duration_of[index]
        row = int(position[index])
        if type(distribution) is Triangular:
            if distribution.low != distribution.high:
                run.append((row, distribution.low, distribution.mode, distribution.high, False))
        elif type(distribution) is Uniform:
            run.append((row, distribution.low, distribution.low, distribution.high, True))
        else:
            close()
            plan.append(
                _Draw(
                    nothing.astype(_I64),
                    nothing,
                    nothing,
                    nothing,
                    nothing.astype(np.bool_),
                    row=row,
                    distribution=distribution,
                )
            )
    close()
    return plan


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
    sensitivity: bool = True,
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
    sensitivity : bool, optional
        Whether to compute the sensitivity (it keeps every sampled duration, a quarter of the
        memory and time of a large simulation); without it ``SimulationResult.sensitivity``
        is all NaN.

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
    varying_rows = position[np.asarray(varying, dtype=_I64)]
    # Kept (variables, iterations) in float32 for the sensitivity: whole minutes, exact up to
    # 2**24 minutes, half the memory of int64 for 10,000 tasks by 10,000 iterations.
    sampled_durations = np.zeros((len(varying) if sensitivity else 0, iterations), np.float32)
    finish_minutes = np.empty(iterations, dtype=_I64)
    finish_instants = np.empty(iterations, dtype=_I64)
    cost = np.zeros(iterations)
    critical_count = np.zeros(size, dtype=_I64)
    start_offset = int(_up_in(np.array([start.astype(_I64)]), net.working)[0]) >> 1
    # The draws are made chunk by chunk (each task's values for the chunk, then the next
    # task's ...), so the chunk size is part of what a seed gives: it must not change.
    entries = max(net.forward_source.size + size, 1)
    chunk = int(max(1, min(iterations, _CHUNK_ELEMENTS // (entries + 3 * size + 1))))
    per_pass = chunk * max(1, _PASS_ELEMENTS // (chunk * max(size, 1)))
    base = tasks.duration_minutes[leaf_task[net.order]].astype(np.float64)
    plan = _draw_plan(duration_of, position)
    involved_rows = position[np.asarray(involved, dtype=_I64)]
    risk_rows = [position[rows] for rows in risk_leaves]
    delays = [
        None if event.delay_minutes is None else as_distribution(event.delay_minutes, "delay")
        for event in risks
    ]
    risk_costs = [
        None if event.cost is None else as_distribution(event.cost, "cost") for event in risks
    ]

    kept_row = np.full(size, -1, dtype=_I64)
    if sampled_durations.size:
        kept_row[varying_rows] = np.arange(len(varying))
    # Work arrays reused by every pass: fresh memory costs more to touch than to reuse.
    per_pass = min(per_pass, iterations)
    drawn = np.empty((size, per_pass))
    duration = np.empty((size, per_pass), dtype=_I64)
    early_start = np.empty((size, per_pass), dtype=_I64)
    for pass_first in range(0, iterations, per_pass):
        pass_count = min(per_pass, iterations - pass_first)
        drawn[:, :pass_count] = base[:, None]
        for first in range(pass_first, pass_first + pass_count, chunk):
            count = min(chunk, iterations - first)
            column = first - pass_first
            columns = slice(column, column + count)
            for step in plan:
                if step.distribution is None:
                    uniforms = rng.random((step.rows.size, count))
                    kernels.three_point_draws(
                        uniforms,
                        step.rows,
                        step.low,
                        step.mode,
                        step.high,
                        step.uniform,
                        drawn,
                        column,
                    )
                else:
                    drawn[step.row, columns] = step.distribution.sample(rng, count)
            if len(involved) > 1:
                correlated = rank_correlate(drawn[involved_rows, columns].T, matrix, rng)
                drawn[involved_rows, columns] = correlated.T
            for distribution in cost_of:
                cost[first : first + count] += distribution.sample(rng, count)
            for event, rows, delay, extra in zip(risks, risk_rows, delays, risk_costs, strict=True):
                occurs = rng.random(count) < event.probability
                if delay is not None:
                    drawn[rows, columns] += np.where(occurs, delay.sample(rng, count), 0.0)
                if extra is not None:
                    cost[first : first + count] += np.where(occurs, extra.sample(rng, count), 0.0)
        kernels.whole_minutes(drawn, pass_count, duration, kept_row, sampled_durations, pass_first)
        finish_key, minutes, critical = _schedule_passes(
            net, duration, pass_count, early_start=early_start
        )
        done = slice(pass_first, pass_first + pass_count)
        finish_minutes[done] = (finish_key >> 1) - start_offset
        finish_instants[done] = minutes
        critical_count += critical
    del drawn, duration, early_start

    criticality = np.full(tasks.size, np.nan)
    criticality[leaf_task] = critical_count[position] / iterations
    influence = np.full(tasks.size, np.nan)
    if sampled_durations.size:
        target_ranks = np.empty(iterations, dtype=_I64)
        target_ranks[np.argsort(finish_minutes, kind="stable")] = np.arange(iterations)
        by_row = kernels.spearman_with(sampled_durations, target_ranks)
        influence[leaf_task[np.asarray(varying, dtype=_I64)]] = by_row

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
        sensitivity=influence,
    )
