"""Monte Carlo simulation of a whole :class:`~pilotage.engine.plan.Plan`: :func:`simulate_plan`.

The plan is scheduled by :func:`~pilotage.engine.schedule_plan.schedule_plan` and the network
it was scheduled as (its tasks, links and calendars) is simulated by
:func:`~pilotage.engine.risk.simulate_schedule`, so every iteration follows the rules of the
deterministic schedule: progress, calendars, lags, constraints, leveling delays, ALAP and
summary tasks, and the tasks of other projects that a plan carries as finished milestones.
Estimates, costs, risk events and the results are keyed by task UID, dates are naive
wall-clock datetimes like the plan's.

Choices written down (those of the network simulation apply, see
:mod:`pilotage.engine.risk.monte_carlo`):

- An estimate is the duration of a task in working minutes of its calendar (wall-clock
  minutes for a task with an elapsed duration). ``uncertainty`` multiplies the planned
  duration of every task without an estimate of its own; milestones and finished tasks stay
  fixed; a started task keeps its actual start and only its remaining work varies.
- Manually scheduled tasks keep the start the file gives them, held as in the schedule: a
  predecessor that did not move them in the plan moves them in an iteration where it runs
  late enough (a warning lists them).
- Percentiles are keyed ``"P10"``, ``"P50"`` ...; the contingency is counted in working
  minutes of the project calendar and in days of the plan's ``minutes_per_day``.

Examples
--------
>>> from datetime import datetime
>>> import numpy as np
>>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
>>> from pilotage.engine.risk import Triangular
>>> plan = Plan(
...     name="Launch",
...     start=datetime(2026, 3, 2, 8),
...     tasks=(
...         PlanTask(uid=1, id=1, name="Design", duration_minutes=960),
...         PlanTask(uid=2, id=2, name="Build", duration_minutes=1440),
...         PlanTask(uid=3, id=3, name="Launch", milestone=True),
...     ),
...     links=(PlanLink(1, 2), PlanLink(2, 3)),
... )
>>> result = simulate_plan(
...     plan, rng=np.random.default_rng(4), iterations=500,
...     uncertainty=Triangular(0.9, 1.0, 1.5),
... )
>>> result.deterministic_finish
datetime.datetime(2026, 3, 6, 17, 0)
>>> result.criticality
{1: 1.0, 2: 1.0, 3: 1.0}
>>> result.finish_percentiles["P10"] < result.finish_percentiles["P90"]
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, TypeAlias, cast

import numpy as np

from pilotage.engine.errors import RiskInputError
from pilotage.engine.plan import Plan
from pilotage.engine.risk.distributions import (
    Discrete,
    Distribution,
    Pert,
    Triangular,
    Uniform,
    as_distribution,
)
from pilotage.engine.risk.monte_carlo import RiskEvent, SimulationMethod, simulate_schedule
from pilotage.engine.schedule_plan import PlanSchedule, schedule_plan
from pilotage.engine.scheduling.network import DateArray, FloatArray, IntArray

__all__ = ["PlanEstimate", "PlanRiskEvent", "PlanSimulation", "simulate_plan"]

PlanEstimate: TypeAlias = Distribution | float | tuple[float, float, float]
"""A duration or cost: a distribution, a fixed number, or a (low, mode, high) triangular
estimate."""

_I64: Final = np.int64
_LISTED: Final = 20


def _estimate(value: PlanEstimate, owner: str, *, duration: bool) -> Distribution:
    """A distribution from what the caller gave, the errors naming ``owner``."""
    try:
        if isinstance(value, tuple):
            if len(value) != 3:
                raise RiskInputError(
                    f"expected a (low, mode, high) estimate, not {len(value)} values"
                )
            low, mode, high = (float(number) for number in value)
            distribution = as_distribution(Triangular(low, mode, high), "estimate")
        else:
            distribution = as_distribution(value, "estimate")
    except (RiskInputError, TypeError, ValueError) as error:
        raise RiskInputError(f"{owner}: {error}") from error
    if duration:
        lowest: float | None = None
        if isinstance(distribution, Triangular | Pert | Uniform):
            lowest = distribution.low
        elif isinstance(distribution, Discrete):
            lowest = min(distribution.values)
        if lowest is not None and lowest < 0:
            raise RiskInputError(f"{owner}: a duration must not be negative ({lowest:g})")
    return distribution


@dataclass(frozen=True)
class PlanRiskEvent:
    """A risk event of a plan: what it delays is named by task UID.

    It is the network simulation's :class:`~pilotage.engine.risk.RiskEvent` with UIDs in
    place of task indices.

    Parameters
    ----------
    probability : float
        The chance it happens in any one iteration, 0 to 1.
    task_uids : tuple of int
        The tasks it delays (each by the same drawn delay): tasks that do work, not summary
        tasks.
    delay_minutes : Distribution, float or (low, mode, high), optional
        Working minutes added to each task's duration when it happens.
    cost : Distribution, float or (low, mode, high), optional
        Cost added to the project when it happens.
    name : str, optional
        A label for messages.

    Examples
    --------
    >>> event = PlanRiskEvent(0.25, (4, 7), delay_minutes=(240, 480, 1440), name="Late permit")
    >>> event.delay_minutes
    Triangular(low=240.0, mode=480.0, high=1440.0)
    >>> PlanRiskEvent(1.2, (4,), name="Strike")
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.RiskInputError: Risk 'Strike': probability must be within 0-1, not 1.2
    """

    probability: float
    task_uids: tuple[int, ...] = ()
    delay_minutes: PlanEstimate | None = None
    cost: PlanEstimate | None = None
    name: str = ""

    def __post_init__(self) -> None:
        where = f"Risk {self.name!r}"
        if not 0 <= self.probability <= 1:
            raise RiskInputError(f"{where}: probability must be within 0-1, not {self.probability}")
        object.__setattr__(self, "task_uids", tuple(int(uid) for uid in self.task_uids))
        if self.delay_minutes is not None:
            object.__setattr__(
                self,
                "delay_minutes",
                _estimate(self.delay_minutes, f"{where}: delay_minutes", duration=True),
            )
        if self.cost is not None:
            object.__setattr__(self, "cost", _estimate(self.cost, f"{where}: cost", duration=False))


def _key(percentile: float) -> str:
    return f"P{percentile:g}"


@dataclass(frozen=True, eq=False)
class PlanSimulation:
    """The simulated finish and cost of a plan, by task UID.

    The seed is not known here: the caller keeps the one it gave the generator.

    Parameters
    ----------
    iterations : int
        How many iterations were run.
    percentiles : tuple of float
        The percentiles reported.
    finish_percentiles : dict of str to datetime
        The finish at each percentile, keyed ``"P10"``, ``"P50"`` ...
    deterministic_finish : datetime
        The finish of the schedule with the durations as planned.
    finish_samples : array of datetime64[m]
        The finish of each iteration.
    finish_minutes : array of int64
        The same in working minutes of the project calendar from the project start.
    deterministic_finish_minutes : int
        The deterministic finish in the same minutes.
    cost_percentiles : dict of str to float
        The cost at each percentile.
    cost_samples : array of float64
        The cost of each iteration.
    planned_cost : float
        The cost of the plan (the given one, or the sum of the most likely costs).
    deadline, budget : datetime or float, optional
        What the probabilities are of.
    deadline_probability, budget_probability : float or None
        The share of iterations finishing by the deadline and within the budget.
    criticality : dict of int to float
        Per task that does work, the share of iterations in which it is critical.
    sensitivity : dict of int to float
        Per task whose duration varies, the Spearman correlation of its duration with the
        finish (empty when not computed).
    names : dict of int to str
        The tasks' names, for :meth:`tornado`.
    minutes_per_day : int
        The plan's working minutes per day, for :meth:`contingency`.
    warnings : tuple of str
        The schedule's warnings, then what the simulation left out or did differently.
    method : {"compiled", "exact"}
        How the iterations were scheduled.
    schedule : PlanSchedule
        The deterministic schedule of the plan.
    """

    iterations: int
    percentiles: tuple[float, ...]
    finish_percentiles: dict[str, datetime]
    deterministic_finish: datetime
    finish_samples: DateArray = field(repr=False)
    finish_minutes: IntArray = field(repr=False)
    deterministic_finish_minutes: int
    cost_percentiles: dict[str, float]
    cost_samples: FloatArray = field(repr=False)
    planned_cost: float
    deadline: datetime | None
    deadline_probability: float | None
    budget: float | None
    budget_probability: float | None
    criticality: dict[int, float] = field(repr=False)
    sensitivity: dict[int, float] = field(repr=False)
    names: dict[int, str] = field(repr=False)
    minutes_per_day: int
    warnings: tuple[str, ...]
    method: Literal["compiled", "exact"]
    schedule: PlanSchedule = field(repr=False)

    def tornado(self, count: int = 10) -> list[tuple[int, str, float]]:
        """The tasks whose duration sways the finish most, by decreasing |sensitivity|.

        Parameters
        ----------
        count : int, optional
            How many tasks to return at most.

        Returns
        -------
        list of (int, str, float)
            UID, name and sensitivity of each task.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
        ...     PlanTask(uid=5, id=1, name="Dig", duration_minutes=480),))
        >>> result = simulate_plan(plan, rng=np.random.default_rng(0), iterations=50,
        ...                        estimates={5: (240, 480, 960)})
        >>> result.tornado()
        [(5, 'Dig', 1.0)]
        """
        ranked = sorted(self.sensitivity.items(), key=lambda item: -abs(item[1]))
        return [(uid, self.names.get(uid, ""), value) for uid, value in ranked[:count]]

    def contingency(self, confidence: float) -> tuple[int, float, float]:
        """The schedule and cost reserves needed to finish at a confidence level.

        Parameters
        ----------
        confidence : float
            The percentile to plan for, 0 to 100 (80 for "P80").

        Returns
        -------
        tuple of (int, float, float)
            The finish percentile minus the deterministic finish in working minutes of the
            project calendar and in working days (the plan's minutes per day), and the cost
            percentile minus the planned cost.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
        ...     PlanTask(uid=5, id=1, name="Dig", duration_minutes=480),))
        >>> simulate_plan(plan, rng=np.random.default_rng(0), iterations=20,
        ...               estimates={5: 960}).contingency(80)
        (480, 1.0, 0.0)
        """
        if not 0 <= confidence <= 100:
            raise RiskInputError(f"confidence must be within 0-100, not {confidence}")
        minutes = int(np.percentile(self.finish_minutes, confidence, method="higher"))
        reserve = minutes - self.deterministic_finish_minutes
        cost = float(np.percentile(self.cost_samples, confidence)) - self.planned_cost
        return reserve, reserve / self.minutes_per_day, cost

    def finish_histogram(self, bins: int = 30) -> tuple[IntArray, DateArray]:
        """Counts of iterations per band of finish dates (wall-clock bands).

        Parameters
        ----------
        bins : int, optional
            How many bands.

        Returns
        -------
        tuple of arrays
            The counts and the ``bins + 1`` band edges (datetime64[m]).

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
        ...     PlanTask(uid=5, id=1, name="Dig", duration_minutes=480),))
        >>> result = simulate_plan(plan, rng=np.random.default_rng(0), iterations=40,
        ...                        estimates={5: (240, 480, 960)})
        >>> counts, edges = result.finish_histogram(4)
        >>> int(counts.sum()), edges.dtype
        (40, dtype('<M8[m]'))
        """
        minutes = self.finish_samples.astype(_I64)
        counts, edges = np.histogram(minutes, bins=bins)
        return counts.astype(_I64), np.rint(edges).astype(_I64).view("datetime64[m]")

    def cumulative(self) -> tuple[DateArray, FloatArray]:
        """The distinct finishes in order with the share of iterations finishing by each.

        Returns
        -------
        tuple of arrays
            The finishes (datetime64[m]) and the probabilities, rising to 1: an S-curve.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
        ...     PlanTask(uid=5, id=1, name="Dig", duration_minutes=480),))
        >>> finishes, probabilities = simulate_plan(
        ...     plan, rng=np.random.default_rng(0), iterations=10,
        ...     estimates={5: Uniform(480, 480)}).cumulative()
        >>> finishes.tolist(), probabilities.tolist()
        ([datetime.datetime(2026, 3, 2, 17, 0)], [1.0])
        """
        values, counts = np.unique(self.finish_samples, return_counts=True)
        return values, np.cumsum(counts) / self.iterations

    def cost_histogram(self, bins: int = 30) -> tuple[IntArray, FloatArray]:
        """Counts of iterations per band of cost.

        Parameters
        ----------
        bins : int, optional
            How many bands.

        Returns
        -------
        tuple of arrays
            The counts and the ``bins + 1`` band edges.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
        ...     PlanTask(uid=5, id=1, name="Dig", duration_minutes=480),))
        >>> result = simulate_plan(plan, rng=np.random.default_rng(0), iterations=30,
        ...                        costs={5: (100, 200, 400)})
        >>> int(result.cost_histogram(5)[0].sum())
        30
        """
        counts, edges = np.histogram(self.cost_samples, bins=bins)
        return counts.astype(_I64), edges.astype(np.float64)


def _listed(uids: Sequence[int]) -> str:
    shown = ", ".join(str(uid) for uid in uids[:_LISTED])
    more = len(uids) - _LISTED
    return shown if more <= 0 else f"{shown} and {more} more"


def simulate_plan(
    plan: Plan,
    *,
    rng: np.random.Generator,
    iterations: int = 10_000,
    estimates: Mapping[int, PlanEstimate] | None = None,
    uncertainty: Distribution | tuple[float, float, float] | None = None,
    costs: Mapping[int, PlanEstimate] | None = None,
    risks: Sequence[PlanRiskEvent] = (),
    correlation: Sequence[tuple[int, int, float]] = (),
    percentiles: Sequence[float] = (10, 50, 80, 90),
    deadline: datetime | None = None,
    budget: float | None = None,
    planned_cost: float | None = None,
    status_date: datetime | None = None,
    sensitivity: bool = True,
    method: SimulationMethod = "auto",
) -> PlanSimulation:
    """Simulate a plan's finish and cost under uncertain durations, costs and risk events.

    Parameters
    ----------
    plan : Plan
        The plan, as :func:`~pilotage.engine.schedule_plan.schedule_plan` takes it.
    rng : numpy.random.Generator
        The source of randomness: the same seed gives the same result.
    iterations : int, optional
        How many schedules to draw.
    estimates : mapping of UID to Distribution, float or (low, mode, high), optional
        The duration of each uncertain task in working minutes of its calendar; for a started
        task it scales the remaining work (remaining work x estimate / planned duration).
    uncertainty : Distribution or (low, mode, high), optional
        Multipliers of the planned duration of each task without an estimate (a triple is
        triangular): ``(0.9, 1.0, 1.5)`` for "10 % shorter to 50 % longer, most likely as
        planned". Milestones and finished tasks stay fixed.
    costs : mapping of UID to Distribution, float or (low, mode, high), optional
        The cost of each task that has one.
    risks : sequence of PlanRiskEvent, optional
        Events that may delay tasks and add cost.
    correlation : sequence of (UID, UID, rho), optional
        Spearman correlations, -1 to 1, between the durations of tasks that vary.
    percentiles : sequence of float, optional
        The percentiles to report, 0 to 100.
    deadline : datetime, optional
        A date to report the probability of finishing by (naive, like the plan's dates).
    budget : float, optional
        A cost to report the probability of staying within.
    planned_cost : float, optional
        The plan's cost for the contingency (the sum of the most likely costs by default).
    status_date : datetime, optional
        The date progress was recorded up to; the plan's own status date when not given.
    sensitivity : bool, optional
        Whether to compute the sensitivity (the tornado).
    method : {"auto", "compiled", "exact"}, optional
        How to schedule the iterations (see :func:`~pilotage.engine.risk.simulate_schedule`).

    Returns
    -------
    PlanSimulation
        Percentiles, samples, probabilities, criticality and sensitivity by UID.

    Raises
    ------
    RiskInputError
        If an estimate, a cost, a risk event, a correlation or a setting is invalid, or names
        a task that is not in the plan; the message names the task by UID.
    ScheduleInputError, CyclicDependencyError, CalendarError
        If the plan cannot be scheduled (see ``schedule_plan``).

    Examples
    --------
    A risk that delays the build by two days half the time:

    >>> from pilotage.engine.plan import PlanLink, PlanTask
    >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
    ...     PlanTask(uid=1, id=1, name="Design", duration_minutes=960),
    ...     PlanTask(uid=2, id=2, name="Build", duration_minutes=960),
    ... ), links=(PlanLink(1, 2),))
    >>> result = simulate_plan(
    ...     plan, rng=np.random.default_rng(2), iterations=2000,
    ...     risks=[PlanRiskEvent(0.5, (2,), delay_minutes=960, name="Rework")],
    ...     deadline=datetime(2026, 3, 5, 17),
    ... )
    >>> result.finish_percentiles["P10"], result.finish_percentiles["P90"]
    (datetime.datetime(2026, 3, 5, 17, 0), datetime.datetime(2026, 3, 9, 17, 0))
    >>> round(result.deadline_probability, 1)
    0.5
    """
    if iterations < 1:
        raise RiskInputError(f"iterations must be at least 1, not {iterations}")
    schedule = schedule_plan(plan, status_date=status_date)
    network = schedule.network
    assert network is not None
    row_of = schedule.index
    tasks = plan.tasks

    def row(uid: object, where: str) -> int:
        try:
            found = row_of.get(int(uid))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise RiskInputError(f"{where}: task {uid!r} is not in the plan")
        return found

    chosen_estimates: dict[int, Distribution | float] = {}
    for uid, value in (estimates or {}).items():
        chosen_estimates[row(uid, "estimates")] = _estimate(
            value, f"Task {uid}: estimate", duration=True
        )
    multiplier: Distribution | None = None
    if uncertainty is not None:
        multiplier = _estimate(uncertainty, "uncertainty", duration=True)
        # A milestone with a duration (Microsoft Project allows it) keeps it.
        duration = network.tasks.duration_minutes
        finished = ~np.isnat(network.tasks.actual_finish)
        for index, task in enumerate(tasks):
            if (
                task.milestone
                and duration[index] > 0
                and not finished[index]
                and not schedule.summary[index]
                and index not in chosen_estimates
            ):
                chosen_estimates[index] = float(duration[index])
    chosen_costs = {
        row(uid, "costs"): _estimate(value, f"Task {uid}: cost", duration=False)
        for uid, value in (costs or {}).items()
    }
    events = [
        RiskEvent(
            event.probability,
            tuple(row(uid, f"Risk {event.name!r}") for uid in event.task_uids),
            delay_minutes=cast(Distribution | None, event.delay_minutes),
            cost=cast(Distribution | None, event.cost),
            name=event.name,
        )
        for event in risks
    ]
    pairs: list[tuple[int, int, float]] = []
    for first, second, rho in correlation:
        if not -1 <= float(rho) <= 1:
            raise RiskInputError(
                f"correlation: tasks {first} and {second}: rho must be within -1 to 1, not {rho}"
            )
        pairs.append((row(first, "correlation"), row(second, "correlation"), float(rho)))

    result = simulate_schedule(
        network.tasks,
        network.links,
        network.calendars,
        project_start=np.datetime64(schedule.project_start, "m"),
        status_date=(
            None if schedule.status_date is None else np.datetime64(schedule.status_date, "m")
        ),
        rng=rng,
        iterations=iterations,
        estimates=chosen_estimates,
        uncertainty=multiplier,
        costs=chosen_costs,
        risks=events,
        correlation=pairs,
        percentiles=percentiles,
        deadline=None if deadline is None else np.datetime64(deadline, "m"),
        budget=budget,
        planned_cost=planned_cost,
        sensitivity=sensitivity,
        method=method,
    )

    warnings = list(schedule.warnings)
    if schedule.manual:
        warnings.append(
            "Manually scheduled tasks keep their start unless a predecessor runs later than "
            f"in the plan: tasks {_listed(schedule.manual)}"
        )
    warnings.extend(result.warnings)
    uids = schedule.uids.tolist()
    leaves = ~schedule.summary
    criticality = {
        uids[index]: float(result.criticality[index]) for index in np.flatnonzero(leaves).tolist()
    }
    influence = {
        uids[index]: float(result.sensitivity[index])
        for index in np.flatnonzero(~np.isnan(result.sensitivity)).tolist()
    }

    def moment(value: np.datetime64) -> datetime:
        converted: datetime = value.astype("datetime64[m]").astype(datetime)
        return converted

    return PlanSimulation(
        iterations=iterations,
        percentiles=result.percentiles,
        finish_percentiles={
            _key(percentile): moment(value)
            for percentile, value in zip(result.percentiles, result.finish_percentiles, strict=True)
        },
        deterministic_finish=schedule.project_finish,
        finish_samples=result.finish,
        finish_minutes=result.finish_minutes,
        deterministic_finish_minutes=result.deterministic_finish_minutes,
        cost_percentiles={
            _key(percentile): float(value)
            for percentile, value in zip(result.percentiles, result.cost_percentiles, strict=True)
        },
        cost_samples=result.cost,
        planned_cost=result.planned_cost,
        deadline=deadline,
        deadline_probability=result.deadline_probability,
        budget=budget,
        budget_probability=result.budget_probability,
        criticality=criticality,
        sensitivity=influence,
        names={task.uid: task.name for task in tasks},
        minutes_per_day=plan.minutes_per_day,
        warnings=tuple(warnings),
        method=result.method,
        schedule=schedule,
    )
