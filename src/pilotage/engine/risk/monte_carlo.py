"""Monte Carlo simulation of a schedule's finish and cost: :func:`simulate_schedule`.

Each iteration draws every uncertain duration and cost, decides which risk events occur, and
schedules the network with the rules of :func:`~pilotage.engine.scheduling.compute_schedule`:
the same link types, lags (working, elapsed and percentage), calendars (each task its own),
constraints, deadlines, ALAP tasks, leveling delays, summary tasks and progress. Any network
``compute_schedule`` accepts can be simulated, and with estimates of zero width every
iteration is ``compute_schedule``'s schedule.

Two ways to schedule the iterations (``SimulationResult.method`` says which ran):

- ``"compiled"``: the forward and backward passes of :mod:`pilotage.engine.risk.kernels` take
  the tasks in topological order and, for each one, a block of iterations at once, on arrays
  ``(tasks, iterations)`` of the same integer keys as ``compute_schedule`` (``2 * working
  offset + side`` in the task's calendar); the blocks are shared among the processor's
  threads. Per-level numpy passes, the first version, spent their time gathering and reducing
  arrays too large for the caches; a loop per task over a block of 64 iterations keeps the
  block's dates in cache and compiles to vector instructions. A date that crosses calendars or
  moves by wall-clock minutes (an elapsed lag or leveling delay) is converted through the
  calendars' position tables inside the loop; when one falls beyond the calendars' compiled
  horizons the horizons are grown and the pass is run again.
- ``"exact"``: ``compute_schedule`` itself, once per iteration, far slower; it runs when
  asked for, or when a lag or delay is too large for the position tables. The tests check
  that both give the same finish, floats and critical tasks on random networks.

Triangular and uniform estimates are drawn for many tasks with one call (the same values as
one call per task). Iterations are scheduled some thousands at a time into work arrays reused
from pass to pass, so memory stays bounded (under 1 GB for 10,000 tasks and 10,000
iterations, most of it the durations kept for the sensitivity).

Choices written down:

- Durations are sampled in working minutes of the task's calendar and rounded to the minute
  (negative draws become 0). A risk event that occurs adds the same drawn delay to each task it
  touches and its drawn cost once.
- Progress: a finished task keeps its actual dates, with no uncertainty (estimates, risk
  delays and the uncertainty multiplier leave it alone, with a warning for the first two). A
  started task keeps its actual start and the work done; only its remaining work is uncertain:
  its estimate (of the whole duration) is scaled by remaining work / planned duration, the
  uncertainty multiplies the remaining work, a risk delay adds to it. The remaining work is
  scheduled after the status date as ``compute_schedule`` does.
- A PERCENT lag is a percentage of its predecessor's duration in the iteration (work done plus
  remaining work for a started predecessor, the planned duration for a finished one).
- Leveling delays are kept as they are; ALAP tasks sit on their late dates in each iteration.
- Correlation between durations uses Iman and Conover's rank reordering rather than a Gaussian
  copula with inverse distribution functions: it needs no inverse CDF (numpy has none for the
  Beta distribution, and scipy is not a dependency), keeps each marginal distribution exactly,
  and targets the Spearman correlation users state.
- The criticality index of a task is the share of iterations in which ``compute_schedule``
  would flag it critical: total float of zero or less, deadlines and constraints included, an
  ALAP task always, a finished task never. With estimates of zero width it is 1 for the
  critical tasks of the deterministic schedule and 0 for the others.
- Sensitivity is the Spearman correlation between a task's sampled duration (risk delays
  included) and the project finish, over all iterations (ties ranked in order of appearance);
  :meth:`SimulationResult.tornado` sorts the tasks by its magnitude.
- The project finish of an iteration is ``compute_schedule``'s: the latest early finish, ALAP
  tasks as soon as possible. Working minutes of the finish (for the contingency) are counted
  in the first calendar, the project's.
- Contingency at a confidence ``c`` is the ``c``-th percentile minus the deterministic value:
  ``compute_schedule``'s finish with the durations as planned, and the sum of the cost
  estimates' most likely values unless a planned cost is given.

Several projects are simulated together by giving their tasks and the links between them as
one network, as for ``compute_schedule``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final, Literal, TypeAlias

import numba
import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import CalendarError, RiskInputError
from pilotage.engine.risk import kernels
from pilotage.engine.risk.distributions import (
    Distribution,
    Triangular,
    Uniform,
    as_distribution,
    correlation_matrix,
    rank_correlate,
    scaled,
)
from pilotage.engine.risk.network import SimulationNetwork, simulation_network
from pilotage.engine.scheduling.cpm import _down_in, _instants_in, _up_in, compute_schedule
from pilotage.engine.scheduling.network import (
    DateArray,
    FloatArray,
    InstantLike,
    IntArray,
    ScheduleLinks,
    ScheduleTasks,
    as_instant,
    summary_mask,
)

__all__ = ["RiskEvent", "SimulationMethod", "SimulationResult", "simulate_schedule"]

_I64: Final = np.int64
_BIG: Final = 1 << 61
_CHUNK_ELEMENTS: Final = 8_000_000
"""Sets how many iterations are drawn at a time (see :func:`simulate_schedule`)."""
_PASS_ELEMENTS: Final = 4_000_000
"""Tasks times iterations scheduled at a time: about 128 MB per (tasks, iterations) array."""
_BLOCK: Final = 64
"""Iterations per block of the compiled passes (see :mod:`pilotage.engine.risk.kernels`)."""
_GROWTHS: Final = 12
"""How many times the calendars' horizons may double before a pass runs the exact way."""
_STARTED: Final = 1
_FINISHED: Final = 2

Estimate: TypeAlias = Distribution | float
SimulationMethod: TypeAlias = Literal["auto", "compiled", "exact"]


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
        The same, as working minutes of the first calendar from the project start.
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
    method : {"compiled", "exact"}
        How the iterations were scheduled (see the module documentation).
    warnings : tuple of str
        What the simulation left out or had to do differently, one line each.
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
    method: Literal["compiled", "exact"] = "compiled"
    warnings: tuple[str, ...] = ()

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


class _Scheduler:
    """Schedules blocks of iterations of one network, compiled or exact."""

    def __init__(
        self,
        net: SimulationNetwork,
        tasks: ScheduleTasks,
        links: ScheduleLinks,
        start: np.datetime64,
        status: np.datetime64 | None,
        *,
        exact: bool,
    ) -> None:
        self.net = net
        self.tasks = tasks
        self.links = links
        self.start = start
        self.status = status
        self.exact = exact
        self.threads = numba.get_num_threads()

    def passes(
        self,
        duration: IntArray,
        count: int,
        early_start: IntArray,
        added: IntArray,
        total_float: IntArray | None = None,
    ) -> tuple[IntArray, IntArray]:
        """The project finish (epoch minutes) of the first ``count`` columns of ``duration``
        (work per task position) and how many times each task position is critical."""
        if not self.exact:
            for attempt in range(_GROWTHS):
                done = self._compiled(duration, count, early_start, added, total_float)
                if done is not None:
                    return done
                # Dates beyond the horizons are mostly late ones: grow forward, and back
                # now and then for the early ones (negative lags, constraints in the past).
                if not self.grow(forward=True, backward=attempt % 3 == 2):
                    break
            self.exact = True
        return self._exact(duration, count, total_float)

    def grow(self, *, forward: bool, backward: bool, days: int | None = None) -> bool:
        """Extend the calendars' compiled horizons, by their own span or by ``days``, in
        either direction (False if none of them can grow)."""
        grown = False
        for working in self.net.calendars:
            first, last = working.horizon
            span = timedelta(days=days if days is not None else (last - first).days + 1)
            for wanted, moment in ((forward, last + span), (backward, first - span)):
                if not wanted:
                    continue
                try:
                    working.working_offset(np.datetime64(moment, "m"))
                except (CalendarError, OverflowError):
                    continue
                grown = True
        return grown

    def _compiled(
        self,
        duration: IntArray,
        count: int,
        early_start: IntArray,
        added: IntArray,
        total_float: IntArray | None,
    ) -> tuple[IntArray, IntArray] | None:
        net = self.net
        tables = net.table_arrays()
        flags = np.zeros(self.threads, dtype=_I64)
        latest = np.empty((net.calendar_codes.size, count), dtype=_I64)
        kernels.forward_pass(
            duration,
            count,
            net.table,
            net.forward,
            net.forward_percent,
            net.forward_pointer,
            *tables,
            _BLOCK,
            self.threads,
            early_start,
            added,
            latest,
            flags,
        )
        if flags.any():
            return None
        finish = self.project_finish(latest, count)
        project_finish = np.empty((net.calendar_codes.size, count), dtype=_I64)
        for row, code in enumerate(net.calendar_codes.tolist()):
            project_finish[row] = _down_in(finish, net.calendars[code])
        critical = np.zeros((self.threads, net.size), dtype=_I64)
        kernels.backward_pass(
            duration,
            count,
            early_start,
            added,
            project_finish,
            net.table,
            net.forward,
            net.forward_percent,
            net.forward_pointer,
            net.backward,
            net.backward_percent,
            net.backward_pointer,
            *tables,
            net.has_alap,
            _BLOCK,
            self.threads,
            critical,
            np.empty((0, 0), dtype=_I64) if total_float is None else total_float,
            flags,
        )
        if flags.any():
            return None
        return finish, critical.sum(axis=0)

    def project_finish(self, latest: IntArray, count: int) -> IntArray:
        """The latest early finish (epoch minutes) from each calendar's latest finish key."""
        net = self.net
        if net.size == 0:
            return np.full(count, int(self.start.astype(_I64)), dtype=_I64)
        finish = np.full(
            count, _BIG * -1 if net.finished_finish is None else net.finished_finish, dtype=_I64
        )
        for row, code in enumerate(net.calendar_codes.tolist()):
            np.maximum(finish, _instants_in(latest[row, :count], net.calendars[code]), out=finish)
        return finish

    def _exact(
        self, duration: IntArray, count: int, total_float: IntArray | None
    ) -> tuple[IntArray, IntArray]:
        net, tasks = self.net, self.tasks
        finish = np.empty(count, dtype=_I64)
        critical = np.zeros(net.size, dtype=_I64)
        started = net.state == _STARTED
        unstarted = net.state == 0
        for column in range(count):
            work = duration[:, column]
            lengths = tasks.duration_minutes.copy()
            remaining = tasks.remaining_duration_minutes.copy()
            lengths[net.task[unstarted]] = work[unstarted]
            lengths[net.task[started]] = np.maximum(
                net.duration[started] - net.work[started] + work[started], 0
            )
            remaining[net.task[started]] = work[started]
            result = compute_schedule(
                dataclasses.replace(
                    tasks, duration_minutes=lengths, remaining_duration_minutes=remaining
                ),
                self.links,
                net.calendars,
                project_start=self.start,
                status_date=self.status,
            )
            finish[column] = int(result.project_finish.astype(_I64))
            critical += result.critical[net.task]
            if total_float is not None:
                total_float[:, column] = result.total_float_minutes[net.task]
        return finish, critical


def _working_minutes(instants: IntArray, working: WorkingTime, start: np.datetime64) -> IntArray:
    """Working minutes of a calendar from the project start to each instant."""
    origin = int(_up_in(np.array([start.astype(_I64)]), working)[0]) >> 1
    return (_down_in(instants, working) >> 1) - origin


def simulate_schedule(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    *,
    project_start: InstantLike,
    rng: np.random.Generator,
    iterations: int = 1000,
    status_date: InstantLike | None = None,
    estimates: Mapping[int, Estimate] | None = None,
    uncertainty: Distribution | None = None,
    costs: Mapping[int, Estimate] | None = None,
    risks: Sequence[RiskEvent] = (),
    correlation: Sequence[tuple[int, int, float]] = (),
    percentiles: Sequence[float] = (10, 50, 80, 90),
    deadline: InstantLike | None = None,
    budget: float | None = None,
    planned_cost: float | None = None,
    sensitivity: bool = True,
    method: SimulationMethod = "auto",
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
    status_date : datetime64, date or str, optional
        The date progress was reported at, as for ``compute_schedule``.
    estimates : mapping of task index to Distribution or float, optional
        The duration of each uncertain task, in working minutes of its calendar (for a started
        task, the whole duration: it scales the remaining work, see the module documentation).
    uncertainty : Distribution, optional
        Multipliers of the planned work of every task that does work and has no estimate of
        its own (e.g. ``Triangular(0.9, 1.0, 1.5)``); finished tasks and tasks without
        duration stay fixed.
    costs : mapping of task index to Distribution or float, optional
        The cost of each task that has one.
    risks : sequence of RiskEvent, optional
        Events that may delay tasks and add cost.
    correlation : sequence of (task, task, rho), optional
        Spearman correlations between the durations of tasks that vary.
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
    method : {"auto", "compiled", "exact"}, optional
        How to schedule the iterations: the compiled passes when they can ("auto"), or
        ``compute_schedule`` once per iteration ("exact", far slower).

    Returns
    -------
    SimulationResult
        Finish and cost samples and percentiles, probabilities, criticality and sensitivity.

    Raises
    ------
    ScheduleInputError
        If the network is malformed.
    CyclicDependencyError
        If the links form a cycle.
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
    >>> result.deterministic_finish, result.method
    (np.datetime64('2026-05-06T17:00'), 'compiled')
    >>> result.criticality.tolist()
    [1.0, 1.0]
    >>> bool(result.finish_percentile_minutes[0] < 1440 < result.finish_percentile_minutes[-1])
    True
    """
    if iterations < 1:
        raise RiskInputError(f"iterations must be at least 1, not {iterations}")
    if method not in ("auto", "compiled", "exact"):
        raise RiskInputError(f"method must be 'auto', 'compiled' or 'exact', not {method!r}")
    chosen = tuple(float(value) for value in percentiles)
    if any(not 0 <= value <= 100 for value in chosen):
        raise RiskInputError(f"percentiles must be within 0-100, not {list(chosen)}")
    if uncertainty is not None:
        uncertainty = as_distribution(uncertainty, "uncertainty")
    start = as_instant(project_start, "project_start", required=True)
    status = as_instant(status_date, "status_date", required=False)
    due = as_instant(deadline, "deadline", required=False)
    deterministic = compute_schedule(
        tasks, links, calendars, project_start=start, status_date=status
    )
    net = simulation_network(tasks, links, calendars, start, status)
    warnings: list[str] = []
    size = net.size
    position_of = np.full(tasks.size, -1, dtype=_I64)
    position_of[net.task] = np.arange(size)
    summary = summary_mask(tasks)
    ids = tasks.ids

    def position(task: object, where: str) -> int:
        index = int(task)  # type: ignore[call-overload]
        if not 0 <= index < tasks.size:
            raise RiskInputError(f"{where}: {index} is not the index of a task")
        if summary[index]:
            raise RiskInputError(
                f"{where}: task {int(ids[index])} is a summary task; give the tasks under it"
            )
        return int(position_of[index])

    finished = net.state == _FINISHED
    # Keyed by task index: the draws are made in the order of the input tasks.
    duration_of: dict[int, Distribution] = {}
    ignored: list[int] = []
    for task, value in (estimates or {}).items():
        row = position(task, "estimates")
        distribution = as_distribution(value, f"estimates[{task}]")
        if finished[row]:
            ignored.append(int(ids[int(task)]))
            continue
        if net.state[row] == _STARTED and net.duration[row] > 0:
            distribution = scaled(distribution, net.work[row] / net.duration[row])
        duration_of[int(net.task[row])] = distribution
    if ignored:
        warnings.append(
            "Finished, so their estimates are not used: tasks "
            + ", ".join(str(uid) for uid in ignored)
        )
    if uncertainty is not None:
        for row in np.flatnonzero(~finished & (net.work > 0)).tolist():
            duration_of.setdefault(int(net.task[row]), scaled(uncertainty, float(net.work[row])))

    cost_of = [as_distribution(value, f"costs[{task}]") for task, value in (costs or {}).items()]
    for task in costs or {}:
        if not 0 <= int(task) < tasks.size:
            raise RiskInputError(f"costs: {task} is not the index of a task")
    risk_rows: list[IntArray] = []
    for event in risks:
        rows = np.asarray([position(task, f"risk {event.name!r}") for task in event.tasks], _I64)
        done = finished[rows]
        if done.any():
            warnings.append(
                f"Risk {event.name!r}: finished, so not delayed: tasks "
                + ", ".join(str(int(ids[net.task[row]])) for row in rows[done].tolist())
            )
        risk_rows.append(rows[~done])

    involved = sorted({position(task, "correlation") for pair in correlation for task in pair[:2]})
    matrix = correlation_matrix(
        [
            (position(a, "correlation"), position(b, "correlation"), float(rho))
            for a, b, rho in correlation
        ],
        involved,
    )
    for row in involved:
        if int(net.task[row]) not in duration_of:
            raise RiskInputError(
                f"correlation: task {int(ids[net.task[row]])} has no uncertain duration"
            )

    varying = sorted(
        set(position_of[list(duration_of)].tolist()).union(
            *(set(rows.tolist()) for rows in risk_rows)
        )
    )
    varying_rows = np.asarray(varying, dtype=_I64)
    # Kept (variables, iterations) in float32 for the sensitivity: whole minutes, exact up to
    # 2**24 minutes, half the memory of int64 for 10,000 tasks by 10,000 iterations.
    sampled_durations = np.zeros((len(varying) if sensitivity else 0, iterations), np.float32)
    finish_instants = np.empty(iterations, dtype=_I64)
    cost = np.zeros(iterations)
    critical_count = np.zeros(size, dtype=_I64)
    # The draws are made chunk by chunk (each task's values for the chunk, then the next
    # task's ...), so the chunk size is part of what a seed gives: it must not change.
    entries = max(int(net.forward_pointer[-1]) + size, 1)
    chunk = int(max(1, min(iterations, _CHUNK_ELEMENTS // (entries + 3 * size + 1))))
    per_pass = chunk * max(1, _PASS_ELEMENTS // (chunk * max(size, 1)))
    base = net.work.astype(np.float64)
    # A zero-width triangular estimate draws nothing (see _draw_plan): it is the base value.
    for task, distribution in duration_of.items():
        if type(distribution) is Triangular and distribution.low == distribution.high:
            base[position_of[task]] = distribution.low
    plan = _draw_plan(duration_of, position_of)
    involved_rows = np.asarray(involved, dtype=_I64)
    delays = [
        None if event.delay_minutes is None else as_distribution(event.delay_minutes, "delay")
        for event in risks
    ]
    risk_costs = [
        None if event.cost is None else as_distribution(event.cost, "cost") for event in risks
    ]

    exact = method == "exact" or not net.convertible
    if not net.convertible:
        if method == "compiled":
            raise RiskInputError(
                "method: the compiled passes cannot convert lags or delays this large; "
                "use 'exact' or 'auto'"
            )
        warnings.append(
            "A lag or leveling delay is too large for the compiled passes: each iteration "
            "was scheduled by compute_schedule"
        )
    scheduler = _Scheduler(net, tasks, links, start, status, exact=exact)
    if net.tables is not None and not exact:
        # Horizons wide enough for most iterations at once, rather than growing pass by pass.
        planned = deterministic.project_finish
        until = planned + 2 * (planned - start) + np.timedelta64(30 * 1440, "m")
        for working in net.calendars:
            if np.datetime64(working.horizon[1], "m") < until:
                with contextlib.suppress(CalendarError):
                    working.working_offset(until)
    kept_row = np.full(size, -1, dtype=_I64)
    if sampled_durations.size:
        kept_row[varying_rows] = np.arange(len(varying))
    # Work arrays reused by every pass: fresh memory costs more to touch than to reuse.
    per_pass = min(per_pass, iterations)
    drawn = np.empty((size, per_pass))
    duration = np.empty((size, per_pass), dtype=_I64)
    early_start = np.empty((size, per_pass), dtype=_I64)
    added = np.empty((net.delayed, per_pass), dtype=_I64)
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
        finish, critical = scheduler.passes(duration, pass_count, early_start, added)
        finish_instants[pass_first : pass_first + pass_count] = finish
        critical_count += critical
    del drawn, duration, early_start, added
    if scheduler.exact and not exact:
        warnings.append(
            "Dates beyond what the calendars can cover in the compiled passes: the "
            "iterations were scheduled by compute_schedule"
        )

    criticality = np.full(tasks.size, np.nan)
    criticality[net.task] = critical_count / iterations
    influence = np.full(tasks.size, np.nan)
    working = net.calendars[0]
    finish_minutes = _working_minutes(finish_instants, working, start)
    if sampled_durations.size:
        target_ranks = np.empty(iterations, dtype=_I64)
        target_ranks[np.argsort(finish_minutes, kind="stable")] = np.arange(iterations)
        by_row = kernels.spearman_with(sampled_durations, target_ranks)
        influence[net.task[varying_rows]] = by_row

    deterministic_finish = deterministic.project_finish
    deterministic_minutes = int(
        _working_minutes(np.array([deterministic_finish.astype(_I64)]), working, start)[0]
    )
    plan_cost = (
        float(planned_cost)
        if planned_cost is not None
        else float(sum(value.most_likely for value in cost_of))
    )
    return SimulationResult(
        iterations=iterations,
        percentiles=chosen,
        finish=finish_instants.view("datetime64[m]"),
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
        method="exact" if scheduler.exact else "compiled",
        warnings=tuple(warnings),
    )
