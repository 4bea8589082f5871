"""Schedule health: the DCMA 14-point assessment of a scheduled network.

:func:`assess_schedule_health` takes a network (:class:`ScheduleTasks` and
:class:`ScheduleLinks`), its :class:`ScheduleResult` and a status date, and runs the fourteen
checks of the DCMA 14-point schedule assessment (US Defense Contract Management Agency,
EVMS Program Analysis Pamphlet DCMA-EA PAM 200.1, section 4) as they are commonly applied
to Microsoft Project and Primavera schedules: missing logic, leads, lags, relationship types,
hard constraints, high float, negative float, high duration, invalid dates, resources, missed
tasks, the critical path test, the critical path length index (CPLI) and the baseline execution
index (BEI). Each check gives its value, its threshold, whether it passed (or could not be
assessed) and the ids of the tasks that count against it; the checks together give a score and
a red, amber or green rating. The formulas, populations and thresholds are listed in the
documentation of :func:`assess_schedule_health`; every threshold can be changed with
:class:`HealthThresholds`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.scheduling import (
    REMAINING_FROM_PERCENT,
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    compute_schedule,
    validate_network,
)
from pilotage.engine.scheduling.network import (
    BoolArray,
    DateArray,
    FloatArray,
    InstantLike,
    IntArray,
    as_instant,
    summary_mask,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "CheckStatus",
    "HealthCheck",
    "HealthCheckKind",
    "HealthRating",
    "HealthResult",
    "HealthThresholds",
    "assess_schedule_health",
]

Unit: TypeAlias = Literal["percent", "index"]

HARD_CONSTRAINTS: Final = (
    ConstraintType.MSO,
    ConstraintType.MFO,
    ConstraintType.SNLT,
    ConstraintType.FNLT,
)
"""The constraints DCMA counts as hard: they hold a task against its logic."""


class HealthCheckKind(StrEnum):
    """The fourteen checks, in the DCMA's order (the value is a stable key).

    Examples
    --------
    >>> HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX.number
    13
    >>> HealthCheckKind("high_float").label
    'High float'
    """

    LOGIC = "logic"
    LEADS = "leads"
    LAGS = "lags"
    RELATIONSHIP_TYPES = "relationship_types"
    HARD_CONSTRAINTS = "hard_constraints"
    HIGH_FLOAT = "high_float"
    NEGATIVE_FLOAT = "negative_float"
    HIGH_DURATION = "high_duration"
    INVALID_DATES = "invalid_dates"
    RESOURCES = "resources"
    MISSED_TASKS = "missed_tasks"
    CRITICAL_PATH_TEST = "critical_path_test"
    CRITICAL_PATH_LENGTH_INDEX = "critical_path_length_index"
    BASELINE_EXECUTION_INDEX = "baseline_execution_index"

    @property
    def number(self) -> int:
        """The check's number in the DCMA 14-point assessment, 1 to 14.

        Examples
        --------
        >>> HealthCheckKind.LOGIC.number
        1
        """
        return list(HealthCheckKind).index(self) + 1

    @property
    def label(self) -> str:
        """The check's name in English.

        Examples
        --------
        >>> HealthCheckKind.BASELINE_EXECUTION_INDEX.label
        'Baseline execution index (BEI)'
        """
        return _LABELS[self]


_LABELS: Final = {
    HealthCheckKind.LOGIC: "Logic",
    HealthCheckKind.LEADS: "Leads",
    HealthCheckKind.LAGS: "Lags",
    HealthCheckKind.RELATIONSHIP_TYPES: "Relationship types",
    HealthCheckKind.HARD_CONSTRAINTS: "Hard constraints",
    HealthCheckKind.HIGH_FLOAT: "High float",
    HealthCheckKind.NEGATIVE_FLOAT: "Negative float",
    HealthCheckKind.HIGH_DURATION: "High duration",
    HealthCheckKind.INVALID_DATES: "Invalid dates",
    HealthCheckKind.RESOURCES: "Resources",
    HealthCheckKind.MISSED_TASKS: "Missed tasks",
    HealthCheckKind.CRITICAL_PATH_TEST: "Critical path test",
    HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX: "Critical path length index (CPLI)",
    HealthCheckKind.BASELINE_EXECUTION_INDEX: "Baseline execution index (BEI)",
}


class CheckStatus(StrEnum):
    """The outcome of one check.

    NOT_ASSESSED: the check had nothing to measure (no task in its population, no baseline,
    no resource information, a finished project).

    Examples
    --------
    >>> CheckStatus("not_assessed") is CheckStatus.NOT_ASSESSED
    True
    """

    PASSED = "passed"
    FAILED = "failed"
    NOT_ASSESSED = "not_assessed"


class HealthRating(StrEnum):
    """The overall red, amber or green rating that the score maps to.

    Examples
    --------
    >>> HealthRating.AMBER.value
    'amber'
    """

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


_PERCENT_FIELDS: Final = (
    "missing_logic_percent",
    "leads_percent",
    "lags_percent",
    "finish_to_start_percent",
    "hard_constraints_percent",
    "high_float_percent",
    "negative_float_percent",
    "high_duration_percent",
    "invalid_dates_percent",
    "resources_percent",
    "missed_tasks_percent",
    "green_score_percent",
    "amber_score_percent",
)


@dataclass(frozen=True)
class HealthThresholds:
    """The thresholds of the checks; the defaults are the DCMA's.

    A percentage check passes when its value is at most its threshold, except the share of
    finish-to-start links, which must be at least its threshold; the critical path test, the
    CPLI and the BEI pass at or above theirs.

    Parameters
    ----------
    missing_logic_percent : float
        Check 1: tasks without a predecessor or a successor, at most 5 %.
    leads_percent : float
        Check 2: links with a lead (negative lag), 0 %.
    lags_percent : float
        Check 3: links with a positive lag, at most 5 %.
    finish_to_start_percent : float
        Check 4: finish-to-start links, at least 90 %.
    hard_constraints_percent : float
        Check 5: tasks with a hard constraint, at most 5 %.
    high_float_percent, high_float_days : float
        Check 6: tasks with more than 44 working days of total float, at most 5 %.
    negative_float_percent : float
        Check 7: tasks with negative total float, 0 %.
    high_duration_percent, high_duration_days : float
        Check 8: tasks longer than 44 working days, at most 5 %.
    invalid_dates_percent : float
        Check 9: tasks with invalid forecast or actual dates, 0 %.
    resources_percent : float
        Check 10: tasks without resources, 0 %.
    missed_tasks_percent : float
        Check 11: tasks due by the status date that finished late or not at all, at most 5 %.
    critical_path_delay_days : float
        Check 12: the delay given to a critical task, 600 working days.
    critical_path_slip_ratio : float
        Check 12: the share of that delay the project finish must slip by, 0.99 (a path
        through elapsed lags or several calendars may absorb a little of it).
    critical_path_length_index : float
        Check 13: the lowest CPLI, 0.95.
    baseline_execution_index : float
        Check 14: the lowest BEI, 0.95.
    green_score_percent, amber_score_percent : float
        The lowest scores rated green (85 %) and amber (60 %); lower scores are red.

    Raises
    ------
    ScheduleInputError
        If a threshold is not a finite number, is negative, a percentage exceeds 100, the delay
        is zero or the amber score is above the green one.

    Examples
    --------
    >>> HealthThresholds(lags_percent=10.0).lags_percent
    10.0
    >>> HealthThresholds(high_float_days=-1)
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ScheduleInputError: Health thresholds: high_float_days must not be \
negative (-1)
    """

    missing_logic_percent: float = 5.0
    leads_percent: float = 0.0
    lags_percent: float = 5.0
    finish_to_start_percent: float = 90.0
    hard_constraints_percent: float = 5.0
    high_float_percent: float = 5.0
    high_float_days: float = 44.0
    negative_float_percent: float = 0.0
    high_duration_percent: float = 5.0
    high_duration_days: float = 44.0
    invalid_dates_percent: float = 0.0
    resources_percent: float = 0.0
    missed_tasks_percent: float = 5.0
    critical_path_delay_days: float = 600.0
    critical_path_slip_ratio: float = 0.99
    critical_path_length_index: float = 0.95
    baseline_execution_index: float = 0.95
    green_score_percent: float = 85.0
    amber_score_percent: float = 60.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _threshold_error(item.name, f"must be a number, not {value!r}")
            if not math.isfinite(value):
                raise _threshold_error(item.name, f"must be finite ({value})")
            if value < 0:
                raise _threshold_error(item.name, f"must not be negative ({value})")
        for name in _PERCENT_FIELDS:
            if getattr(self, name) > 100:
                raise _threshold_error(name, f"must not exceed 100 ({getattr(self, name)})")
        if self.critical_path_delay_days == 0:
            raise _threshold_error("critical_path_delay_days", "must be more than 0")
        if self.amber_score_percent > self.green_score_percent:
            raise _threshold_error(
                "amber_score_percent",
                f"must not exceed green_score_percent ({self.amber_score_percent} > "
                f"{self.green_score_percent})",
            )


def _threshold_error(name: str, problem: str) -> ScheduleInputError:
    return ScheduleInputError(f"Health thresholds: {name} {problem}")


DEFAULT_THRESHOLDS: Final = HealthThresholds()
"""The DCMA's thresholds."""


@dataclass(frozen=True, eq=False)
class HealthCheck:
    """The outcome of one check.

    Parameters
    ----------
    kind : HealthCheckKind
        Which check.
    status : CheckStatus
        Passed, failed or not assessed.
    value : float or None
        The percentage (0 to 100) or the index; None when not assessed.
    threshold : float
        The threshold it was held to.
    at_least : bool
        Whether the value passes at or above the threshold (else at or below it).
    unit : {"percent", "index"}
        What the value is.
    numerator, denominator : float
        What the value was computed from: counts of tasks or links for percentages and the
        BEI, working days for the critical path test (the slip and the delay) and the CPLI
        (critical path length plus float, and critical path length).
    offending_ids : array of int64
        The ids of the tasks counting against the check, in task order (for link checks, the
        successors of the links).

    Examples
    --------
    >>> check = HealthCheck(
    ...     HealthCheckKind.LAGS, CheckStatus.FAILED, 10.0, 5.0, False, "percent", 2, 20,
    ...     np.array([4, 9]),
    ... )
    >>> check.passed, check.assessed, check.offending_ids.tolist()
    (False, True, [4, 9])
    """

    kind: HealthCheckKind
    status: CheckStatus
    value: float | None
    threshold: float
    at_least: bool
    unit: Unit
    numerator: float
    denominator: float
    offending_ids: IntArray

    @property
    def passed(self) -> bool:
        """Whether the check passed.

        Examples
        --------
        >>> none = np.empty(0, dtype=np.int64)
        >>> HealthCheck(
        ...     HealthCheckKind.LEADS, CheckStatus.PASSED, 0.0, 0.0, False, "percent", 0, 12, none
        ... ).passed
        True
        """
        return self.status is CheckStatus.PASSED

    @property
    def assessed(self) -> bool:
        """Whether the check could be assessed.

        Examples
        --------
        >>> none = np.empty(0, dtype=np.int64)
        >>> HealthCheck(
        ...     HealthCheckKind.RESOURCES, CheckStatus.NOT_ASSESSED, None, 0.0, False, "percent",
        ...     0, 0, none,
        ... ).assessed
        False
        """
        return self.status is not CheckStatus.NOT_ASSESSED


@dataclass(frozen=True, eq=False)
class HealthResult:
    """The fourteen checks, the score and the rating.

    Parameters
    ----------
    checks : tuple of HealthCheck
        One per :class:`HealthCheckKind`, in order.
    score_percent : float or None
        Checks passed as a percentage of the checks assessed; None when none was.
    rating : HealthRating or None
        Green from :attr:`HealthThresholds.green_score_percent` (85 %), amber from
        :attr:`HealthThresholds.amber_score_percent` (60 %), red below; None without a score.

    Examples
    --------
    >>> leads = HealthCheck(
    ...     HealthCheckKind.LEADS, CheckStatus.PASSED, 0.0, 0.0, False, "percent", 0, 12,
    ...     np.empty(0, dtype=np.int64),
    ... )
    >>> result = HealthResult((leads,), 100.0, HealthRating.GREEN)
    >>> result.check("leads").passed, result.passed_count, result.assessed_count
    (True, 1, 1)
    """

    checks: tuple[HealthCheck, ...]
    score_percent: float | None
    rating: HealthRating | None

    def check(self, kind: HealthCheckKind | str) -> HealthCheck:
        """The outcome of one check.

        Parameters
        ----------
        kind : HealthCheckKind or str
            The check or its key (``"logic"``, ``"high_float"`` ...).

        Returns
        -------
        HealthCheck
            Its outcome.

        Raises
        ------
        KeyError
            If the result holds no such check.

        Examples
        --------
        >>> HealthResult((), None, None).check("logic")
        Traceback (most recent call last):
        ...
        KeyError: 'logic'
        """
        wanted = HealthCheckKind(kind)
        for check in self.checks:
            if check.kind is wanted:
                return check
        raise KeyError(wanted.value)

    @property
    def passed_count(self) -> int:
        """How many checks passed.

        Examples
        --------
        >>> HealthResult((), None, None).passed_count
        0
        """
        return sum(check.passed for check in self.checks)

    @property
    def assessed_count(self) -> int:
        """How many checks could be assessed.

        Examples
        --------
        >>> HealthResult((), None, None).assessed_count
        0
        """
        return sum(check.assessed for check in self.checks)


def _finish(
    kind: HealthCheckKind,
    value: float | None,
    threshold: float,
    offending: npt.ArrayLike,
    *,
    at_least: bool,
    unit: Unit = "percent",
    numerator: float = 0.0,
    denominator: float = 0.0,
) -> HealthCheck:
    """A check's outcome from its value (None when it could not be assessed)."""
    if value is None:
        status = CheckStatus.NOT_ASSESSED
    elif (value >= threshold) if at_least else (value <= threshold):
        status = CheckStatus.PASSED
    else:
        status = CheckStatus.FAILED
    return HealthCheck(
        kind=kind,
        status=status,
        value=value,
        threshold=threshold,
        at_least=at_least,
        unit=unit,
        numerator=numerator,
        denominator=denominator,
        offending_ids=np.asarray(offending, dtype=np.int64),
    )


@dataclass(frozen=True)
class _Network:
    """What the checks share about the tasks, in input order."""

    ids: IntArray
    leaf: BoolArray
    milestone: BoolArray  # a task (not a summary) without duration
    started: BoolArray
    finished: BoolArray
    done: BoolArray  # finished; for a summary task, every task under it finished
    assessed: BoolArray  # DCMA's population: unfinished tasks that are not summaries or milestones
    remaining_minutes: IntArray  # work left: the duration, or the remaining duration once started
    minutes_per_day: FloatArray
    status: np.datetime64
    below: IntArray  # (task, summary task above it) pairs, at any depth
    above: IntArray


def _ancestor_pairs(parent: IntArray) -> tuple[IntArray, IntArray]:
    """Every (task, summary task above it) pair, at any depth."""
    below_parts: list[IntArray] = [np.empty(0, np.int64)]
    above_parts: list[IntArray] = [np.empty(0, np.int64)]
    below = np.arange(parent.size, dtype=np.int64)
    above = parent.copy()
    while True:
        keep = above >= 0
        if not keep.any():
            break
        below, above = below[keep], above[keep]
        below_parts.append(below)
        above_parts.append(above)
        above = parent[above]
    return np.concatenate(below_parts), np.concatenate(above_parts)


def _dates(values: npt.ArrayLike | None, field: str, size: int) -> DateArray | None:
    if values is None:
        return None
    try:
        array = np.asarray(values, dtype="datetime64[m]")
    except (TypeError, ValueError) as error:
        raise ScheduleInputError(
            f"Schedule: {field} must hold dates and times ({error})"
        ) from error
    if array.shape != (size,):
        raise ScheduleInputError(f"Schedule: {field} has {array.size} values for {size} tasks")
    return array


def _flags(values: npt.ArrayLike | None, field: str, size: int) -> BoolArray | None:
    if values is None:
        return None
    array = np.asarray(values)
    if array.size and array.dtype.kind not in "biu":
        raise ScheduleInputError(f"Schedule: {field} must hold booleans, not {array.dtype}")
    if array.shape != (size,):
        raise ScheduleInputError(f"Schedule: {field} has {array.size} values for {size} tasks")
    return array.astype(bool)


def _check_result(tasks: ScheduleTasks, result: ScheduleResult) -> None:
    for name in ("start", "finish", "total_float_minutes", "critical"):
        size = getattr(result, name).size
        if size != tasks.size:
            raise ScheduleInputError(
                f"Schedule: result.{name} has {size} values for {tasks.size} tasks "
                "(the result must come from these tasks)"
            )


def _network(
    tasks: ScheduleTasks,
    calendars: Sequence[WorkingTime],
    status: np.datetime64,
    minutes_per_day: int | None,
) -> _Network:
    n = tasks.size
    summary = summary_mask(tasks)
    leaf = ~summary
    started = leaf & ~np.isnat(tasks.actual_start)
    finished = leaf & ~np.isnat(tasks.actual_finish)
    milestone = leaf & (tasks.duration_minutes == 0)
    done = finished.copy()
    below, above = _ancestor_pairs(tasks.parent)
    if above.size:
        done[summary] = True
        from_leaf = leaf[below]
        np.logical_and.at(done, above[from_leaf], finished[below[from_leaf]])

    given = tasks.remaining_duration_minutes
    from_percent = np.rint(tasks.duration_minutes * (100 - tasks.percent_complete) / 100)
    remaining = np.where(given == REMAINING_FROM_PERCENT, from_percent.astype(np.int64), given)
    work = np.where(started, remaining, tasks.duration_minutes).astype(np.int64)

    if minutes_per_day is None:
        per_calendar = np.array(
            [working.calendar.minutes_per_day for working in calendars], dtype=np.float64
        )
        day = per_calendar[np.where(leaf, tasks.calendar, 0)]
    else:
        if isinstance(minutes_per_day, bool) or not isinstance(minutes_per_day, int | np.integer):
            raise ScheduleInputError(
                f"Schedule: minutes_per_day must be a whole number, not {minutes_per_day!r}"
            )
        if minutes_per_day <= 0:
            raise ScheduleInputError(
                f"Schedule: minutes_per_day must be more than 0 ({minutes_per_day})"
            )
        day = np.full(n, float(minutes_per_day))
    return _Network(
        ids=tasks.ids,
        leaf=leaf,
        milestone=milestone,
        started=started,
        finished=finished,
        done=done,
        assessed=leaf & ~finished & ~milestone,
        remaining_minutes=work,
        minutes_per_day=day,
        status=status,
        below=below,
        above=above,
    )


def _task_percent(
    kind: HealthCheckKind, net: _Network, hits: BoolArray, population: BoolArray, threshold: float
) -> HealthCheck:
    """A check that must not exceed a share of the tasks in a population."""
    offending = hits & population
    count, total = int(np.count_nonzero(offending)), int(np.count_nonzero(population))
    return _finish(
        kind,
        100.0 * count / total if total else None,
        threshold,
        net.ids[offending],
        at_least=False,
        numerator=count,
        denominator=total,
    )


def _link_checks(
    net: _Network, links: ScheduleLinks, thresholds: HealthThresholds
) -> list[HealthCheck]:
    """Checks 2 to 4, over the links into unfinished tasks."""
    counted = ~net.done[links.successor]
    total = int(np.count_nonzero(counted))
    percent = links.lag_kind == LagKind.PERCENT
    sign = np.where(percent, np.sign(links.lag_percent), np.sign(links.lag_minutes))
    finish_to_start = links.link_type == LinkType.FS

    def measure(
        kind: HealthCheckKind, hits: BoolArray, threshold: float, *, share_of_hits: bool = False
    ) -> HealthCheck:
        chosen = hits & counted
        bad = (counted & ~hits) if share_of_hits else chosen
        count = int(np.count_nonzero(chosen))
        offending = np.zeros(net.ids.size, dtype=bool)
        offending[links.successor[bad]] = True
        return _finish(
            kind,
            100.0 * count / total if total else None,
            threshold,
            net.ids[offending],
            at_least=share_of_hits,
            numerator=count,
            denominator=total,
        )

    return [
        measure(HealthCheckKind.LEADS, sign < 0, thresholds.leads_percent),
        measure(HealthCheckKind.LAGS, sign > 0, thresholds.lags_percent),
        measure(
            HealthCheckKind.RELATIONSHIP_TYPES,
            finish_to_start,
            thresholds.finish_to_start_percent,
            share_of_hits=True,
        ),
    ]


def _missing_logic(net: _Network, links: ScheduleLinks) -> BoolArray:
    """Tasks without a predecessor or without a successor, counting those of summary tasks
    above them (a link to a summary task drives every task under it)."""
    has_predecessor = np.zeros(net.ids.size, dtype=bool)
    has_successor = np.zeros(net.ids.size, dtype=bool)
    has_predecessor[links.successor] = True
    has_successor[links.predecessor] = True
    below, above = net.below, net.above
    if below.size:
        np.logical_or.at(has_predecessor, below, has_predecessor[above].copy())
        np.logical_or.at(has_successor, below, has_successor[above].copy())
    return ~has_predecessor | ~has_successor


def _working_minutes(
    tasks: ScheduleTasks,
    calendars: Sequence[WorkingTime],
    where: BoolArray,
    start: DateArray,
    finish: DateArray,
) -> IntArray:
    """Working minutes from start to finish, in each task's calendar, where asked."""
    minutes = np.zeros(tasks.size, dtype=np.int64)
    for code in np.unique(tasks.calendar[where]):
        chosen = where & (tasks.calendar == code)
        minutes[chosen] = calendars[int(code)].working_between(start[chosen], finish[chosen])
    return minutes


def _high_duration(
    net: _Network,
    tasks: ScheduleTasks,
    calendars: Sequence[WorkingTime],
    baseline_start: DateArray | None,
    baseline_finish: DateArray | None,
    thresholds: HealthThresholds,
) -> HealthCheck:
    measured = net.remaining_minutes.copy()
    if baseline_start is not None and baseline_finish is not None:
        baselined = net.assessed & ~np.isnat(baseline_start) & ~np.isnat(baseline_finish)
        baseline = _working_minutes(tasks, calendars, baselined, baseline_start, baseline_finish)
        measured = np.where(baselined, baseline, measured)
    long = measured > thresholds.high_duration_days * net.minutes_per_day
    return _task_percent(
        HealthCheckKind.HIGH_DURATION, net, long, net.assessed, thresholds.high_duration_percent
    )


def _invalid_dates(
    net: _Network, tasks: ScheduleTasks, result: ScheduleResult, thresholds: HealthThresholds
) -> HealthCheck:
    status = net.status
    forecast_past = (~net.started & (result.start < status)) | (
        ~net.finished & (result.finish < status)
    )
    actual_future = (~np.isnat(tasks.actual_start) & (tasks.actual_start > status)) | (
        ~np.isnat(tasks.actual_finish) & (tasks.actual_finish > status)
    )
    return _task_percent(
        HealthCheckKind.INVALID_DATES,
        net,
        forecast_past | actual_future,
        net.leaf,
        thresholds.invalid_dates_percent,
    )


def _resources(
    net: _Network, has_resources: BoolArray | None, thresholds: HealthThresholds
) -> HealthCheck:
    if has_resources is None:
        return _finish(
            HealthCheckKind.RESOURCES, None, thresholds.resources_percent, [], at_least=False
        )
    return _task_percent(
        HealthCheckKind.RESOURCES,
        net,
        ~has_resources,
        net.assessed,
        thresholds.resources_percent,
    )


def _baseline_checks(
    net: _Network, tasks: ScheduleTasks, baseline_finish: DateArray | None, t: HealthThresholds
) -> tuple[HealthCheck, HealthCheck]:
    """Checks 11 (missed tasks) and 14 (BEI)."""
    if baseline_finish is None or np.isnat(baseline_finish[net.leaf]).all():
        return (
            _finish(HealthCheckKind.MISSED_TASKS, None, t.missed_tasks_percent, [], at_least=False),
            _finish(
                HealthCheckKind.BASELINE_EXECUTION_INDEX,
                None,
                t.baseline_execution_index,
                [],
                at_least=True,
                unit="index",
            ),
        )
    counted = net.leaf & ~net.milestone
    baselined = ~np.isnat(baseline_finish)
    due = counted & baselined & (baseline_finish <= net.status)
    late = net.finished & (tasks.actual_finish > baseline_finish)
    missed = _task_percent(
        HealthCheckKind.MISSED_TASKS, net, ~net.finished | late, due, t.missed_tasks_percent
    )

    completed = counted & net.finished
    expected = int(np.count_nonzero(due)) + int(np.count_nonzero(completed & ~baselined))
    achieved = int(np.count_nonzero(completed))
    execution = _finish(
        HealthCheckKind.BASELINE_EXECUTION_INDEX,
        achieved / expected if expected else None,
        t.baseline_execution_index,
        net.ids[due & ~net.finished],
        at_least=True,
        unit="index",
        numerator=achieved,
        denominator=expected,
    )
    return missed, execution


def _completion_task(
    net: _Network, result: ScheduleResult, completion_task: int | None
) -> int | None:
    """The task whose finish is the project's completion (see :func:`assess_schedule_health`)."""
    if completion_task is not None:
        if (
            isinstance(completion_task, bool)
            or not isinstance(completion_task, int | np.integer)
            or not 0 <= completion_task < net.ids.size
        ):
            raise ScheduleInputError(
                f"Schedule: completion_task index {completion_task!r} is not a task"
            )
        if not net.leaf[completion_task]:
            raise ScheduleInputError(
                f"Task {int(net.ids[completion_task])}: completion_task must not be a summary task"
            )
        return int(completion_task)
    leaves = np.flatnonzero(net.leaf)
    if not leaves.size:
        return None
    # The latest finish; on a tie a milestone, then the task listed last.
    order = np.lexsort((leaves, net.milestone[leaves], result.finish[leaves].view(np.int64)))
    return int(leaves[order[-1]])


def _critical_path_test(
    net: _Network,
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    result: ScheduleResult,
    calendars: Sequence[WorkingTime],
    completion: int | None,
    thresholds: HealthThresholds,
) -> HealthCheck:
    def not_assessed() -> HealthCheck:
        return _finish(
            HealthCheckKind.CRITICAL_PATH_TEST,
            None,
            thresholds.critical_path_slip_ratio,
            [],
            at_least=True,
            unit="index",
        )

    if completion is None or net.finished[completion]:
        return not_assessed()
    candidates = net.assessed & result.critical & (tasks.constraint_type != ConstraintType.ALAP)
    candidates[completion] = False
    if not candidates.any():
        return not_assessed()
    index = np.flatnonzero(candidates)
    order = np.lexsort(
        (index, result.total_float_minutes[index], result.start[index].view(np.int64))
    )
    chosen = int(index[order[0]])
    day = float(net.minutes_per_day[chosen])
    delay = max(round(thresholds.critical_path_delay_days * day), 1)

    durations = tasks.duration_minutes.copy()
    remaining = tasks.remaining_duration_minutes.copy()
    if net.started[chosen]:
        remaining[chosen] = net.remaining_minutes[chosen] + delay
    else:
        durations[chosen] += delay
    delayed = replace(tasks, duration_minutes=durations, remaining_duration_minutes=remaining)
    # Both runs share one status date, so the finishes differ by the delay alone.
    finishes = [
        compute_schedule(
            network,
            links,
            calendars,
            project_start=result.project_start,
            status_date=net.status,
        ).finish[completion]
        for network in (tasks, delayed)
    ]
    working = calendars[int(tasks.calendar[chosen])]
    slip = int(working.working_between(finishes[0], finishes[1]))
    check = _finish(
        HealthCheckKind.CRITICAL_PATH_TEST,
        slip / delay,
        thresholds.critical_path_slip_ratio,
        [],
        at_least=True,
        unit="index",
        numerator=slip / day,
        denominator=delay / day,
    )
    if check.passed:
        return check
    return replace(check, offending_ids=net.ids[[chosen]])


def _critical_path_length_index(
    net: _Network,
    tasks: ScheduleTasks,
    result: ScheduleResult,
    calendars: Sequence[WorkingTime],
    completion: int | None,
    baseline_finish: DateArray | None,
    thresholds: HealthThresholds,
) -> HealthCheck:
    threshold = thresholds.critical_path_length_index
    if completion is None or net.finished[completion]:
        return _finish(
            HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX,
            None,
            threshold,
            [],
            at_least=True,
            unit="index",
        )
    working = calendars[int(tasks.calendar[completion])]
    day = float(net.minutes_per_day[completion])
    forecast = result.finish[completion]
    begin = max(net.status, result.project_start)
    length = int(working.working_between(begin, forecast))
    target = None
    if baseline_finish is not None:
        own = baseline_finish[completion]
        known = baseline_finish[net.leaf & ~np.isnat(baseline_finish)]
        target = own if not np.isnat(own) else (known.max() if known.size else None)
    if target is not None:
        total_float = int(working.working_between(forecast, target))
    else:
        total_float = int(result.total_float_minutes[completion])
    value = (length + total_float) / length if length > 0 else None
    check = _finish(
        HealthCheckKind.CRITICAL_PATH_LENGTH_INDEX,
        value,
        threshold,
        [],
        at_least=True,
        unit="index",
        numerator=(length + total_float) / day,
        denominator=length / day,
    )
    if check.status is not CheckStatus.FAILED:
        return check
    return replace(check, offending_ids=net.ids[net.leaf & ~net.finished & result.critical])


def _rating(score: float | None, thresholds: HealthThresholds) -> HealthRating | None:
    if score is None:
        return None
    if score >= thresholds.green_score_percent:
        return HealthRating.GREEN
    if score >= thresholds.amber_score_percent:
        return HealthRating.AMBER
    return HealthRating.RED


def assess_schedule_health(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    result: ScheduleResult,
    calendars: Sequence[WorkingTime],
    *,
    status_date: InstantLike,
    baseline_start: npt.ArrayLike | None = None,
    baseline_finish: npt.ArrayLike | None = None,
    has_resources: npt.ArrayLike | None = None,
    minutes_per_day: int | None = None,
    completion_task: int | None = None,
    thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
) -> HealthResult:
    """Run the DCMA 14-point assessment on a scheduled network.

    Parameters
    ----------
    tasks : ScheduleTasks
        The tasks, summary tasks included.
    links : ScheduleLinks
        The links between them.
    result : ScheduleResult
        The schedule of these tasks, from :func:`compute_schedule` with the same status date.
    calendars : sequence of WorkingTime
        The compiled calendars that ``tasks.calendar`` points into (the critical path test
        schedules the network again).
    status_date : datetime64, date or str
        The date progress was reported at ("time now").
    baseline_start, baseline_finish : array_like of datetime64, optional
        Each task's baseline dates (NaT where it has none). Without a baseline finish, the
        missed tasks and BEI checks are not assessed.
    has_resources : array_like of bool, optional
        Whether each task has resources assigned. Without it, the resources check is not
        assessed.
    minutes_per_day : int, optional
        The working minutes in a day, for the thresholds given in days; by default the
        ``minutes_per_day`` of each task's calendar (480 unless set otherwise).
    completion_task : int, optional
        Index of the task that completes the project (its finish milestone), for the critical
        path test and the CPLI. By default the task that finishes last (a milestone on a tie,
        then the one listed last).
    thresholds : HealthThresholds, optional
        The thresholds; the DCMA's by default.

    Returns
    -------
    HealthResult
        The fourteen checks, in order, with the score and the rating.

    Raises
    ------
    ScheduleInputError
        If the network, the result, the dates, the resource flags or the completion task are
        malformed or do not match; the message names the field.
    CyclicDependencyError
        If the links form a cycle (the critical path test schedules the network).

    Notes
    -----
    Unless a check says otherwise, its population is DCMA's "total tasks": the tasks not
    finished yet (no actual finish) that are neither summary tasks nor milestones (tasks of zero
    duration). Percentages are ``100 * count / population``; a check whose population is empty
    is not assessed. Durations and floats in days are working minutes divided by
    ``minutes_per_day``. "At most" and "at least" thresholds are inclusive. Offending tasks
    are listed whether the check passed or not, except for the critical path test and the
    CPLI, which list them only when they fail.

    1. **Logic**: tasks without a predecessor or without a successor / total tasks; at most
       5 %. A link to or from a summary task counts for every task under it.
    2. **Leads**: links with a negative lag (``lag_minutes``, or ``lag_percent`` for
       percentage lags) / links; 0 %. The links counted in checks 2 to 4 are those into a task
       not finished yet (for a summary task: one with a task under it not finished), summary
       tasks and milestones included; the offending tasks are the links' successors.
    3. **Lags**: links with a positive lag / links; at most 5 %.
    4. **Relationship types**: finish-to-start links / links; at least 90 %. The offending
       tasks are the successors of the other links.
    5. **Hard constraints**: tasks with a must start on (MSO), must finish on (MFO), start no
       later than (SNLT) or finish no later than (FNLT) constraint / total tasks; at most 5 %.
       ASAP, ALAP, SNET and FNET do not count.
    6. **High float**: tasks with total float above 44 working days / total tasks; at most 5 %.
    7. **Negative float**: tasks with total float below zero / total tasks; 0 %.
    8. **High duration**: tasks longer than 44 working days / total tasks; at most 5 %. The
       length is the baseline duration (working time from baseline start to baseline finish in
       the task's calendar) where both baseline dates are given, else the remaining duration
       (the duration of a task not started).
    9. **Invalid dates**: tasks with a forecast date before the status date where there is no
       actual one (a start not started, a finish not finished) or an actual start or finish
       after the status date / every task that is not a summary task, finished tasks and
       milestones included; 0 %.
    10. **Resources**: total tasks without resources / total tasks; 0 %. Not assessed
        without ``has_resources``.
    11. **Missed tasks**: tasks due (baseline finish on or before the status date) that are not
        finished or finished after their baseline finish / tasks due; at most 5 %. Counts
        tasks that are not summaries or milestones, finished or not. Not assessed without a
        baseline finish or when no task is due yet.
    12. **Critical path test**: the first unfinished critical task (by scheduled start, then
        total float, then task order; not a milestone, an ALAP task or the completion task) is
        given 600 more working days of duration (of remaining duration if started) and the
        network is scheduled again, with and without the delay. The value is the slip of the
        completion task's finish divided by the delay, in working time of the delayed task's
        calendar; at least 0.99. A chain broken by missing logic, an open finish (a task whose
        only successor is start-to-start) or a hard constraint does not pass the delay on.
        Not assessed when there is no such task or the completion task is finished.
    13. **Critical path length index (CPLI)**: ``(CPL + TF) / CPL``, where CPL is the working
        time from the status date (or the project start, if later) to the completion task's
        forecast finish, and TF the float of that finish: the working time from it to the
        baseline finish (the completion task's own, else the latest of the tasks'), or without
        a baseline the completion task's total float (negative when a deadline or constraint
        on it cannot be met). Both in working time of the completion task's calendar; at least
        0.95. Not assessed when CPL is not positive. When it fails, the offending tasks are the
        unfinished critical tasks.
    14. **Baseline execution index (BEI)**: tasks finished / (tasks due + finished tasks
        without a baseline finish), over the tasks that are not summaries or milestones; at
        least 0.95. DCMA adds the tasks missing a baseline finish to the denominator; counting
        them once they are finished keeps a partly baselined plan from failing on work that
        is not due. The offending tasks are those due and not finished. Not assessed without a
        baseline finish or when the denominator is zero.

    The score is the checks passed as a percentage of the checks assessed; it is rated green
    from 85 %, amber from 60 % and red below (12 of 14 checks is green, 9 is amber).

    Examples
    --------
    Design (2 days) then build (3 days, after a 1-day lag), then a launch milestone; the
    design task has no predecessor:

    >>> from datetime import date
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 29))
    >>> tasks = ScheduleTasks.create(ids=[1, 2, 3], duration_minutes=[960, 1440, 0])
    >>> links = ScheduleLinks.create([0, 1], [1, 2], lag_minutes=[480, 0])
    >>> result = compute_schedule(tasks, links, [working], project_start="2026-05-04T08:00")
    >>> health = assess_schedule_health(
    ...     tasks, links, result, [working], status_date="2026-05-04T08:00"
    ... )
    >>> logic = health.check("logic")
    >>> logic.value, logic.status.value, logic.offending_ids.tolist()
    (50.0, 'failed', [1])
    >>> health.check("lags").value, health.check("critical_path_test").passed
    (50.0, True)
    >>> health.passed_count, health.assessed_count, health.rating.value
    (9, 11, 'amber')
    """
    status = as_instant(status_date, "status_date", required=True)
    validate_network(tasks, links, calendars)
    _check_result(tasks, result)
    size = tasks.size
    starts = _dates(baseline_start, "baseline_start", size)
    finishes = _dates(baseline_finish, "baseline_finish", size)
    resourced = _flags(has_resources, "has_resources", size)
    net = _network(tasks, calendars, status, minutes_per_day)
    completion = _completion_task(net, result, completion_task)
    t = thresholds

    population = net.assessed
    total_float = result.total_float_minutes
    hard = np.isin(tasks.constraint_type, [code.value for code in HARD_CONSTRAINTS])
    missed, execution = _baseline_checks(net, tasks, finishes, t)
    checks = (
        _task_percent(
            HealthCheckKind.LOGIC,
            net,
            _missing_logic(net, links),
            population,
            t.missing_logic_percent,
        ),
        *_link_checks(net, links, t),
        _task_percent(
            HealthCheckKind.HARD_CONSTRAINTS, net, hard, population, t.hard_constraints_percent
        ),
        _task_percent(
            HealthCheckKind.HIGH_FLOAT,
            net,
            total_float > t.high_float_days * net.minutes_per_day,
            population,
            t.high_float_percent,
        ),
        _task_percent(
            HealthCheckKind.NEGATIVE_FLOAT,
            net,
            total_float < 0,
            population,
            t.negative_float_percent,
        ),
        _high_duration(net, tasks, calendars, starts, finishes, t),
        _invalid_dates(net, tasks, result, t),
        _resources(net, resourced, t),
        missed,
        _critical_path_test(net, tasks, links, result, calendars, completion, t),
        _critical_path_length_index(net, tasks, result, calendars, completion, finishes, t),
        execution,
    )
    passed = sum(check.passed for check in checks)
    assessed = sum(check.assessed for check in checks)
    score = 100.0 * passed / assessed if assessed else None
    return HealthResult(checks=checks, score_percent=score, rating=_rating(score, t))
