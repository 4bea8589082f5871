"""Schedule health of a whole scheduled plan: the DCMA 14-point assessment by task UID.

:func:`assess_plan_health` runs :func:`~pilotage.engine.health.assess_schedule_health` on the
network a :class:`~pilotage.engine.schedule_plan.PlanSchedule` was computed from, with the
baseline and the resource assignments given per task UID, and names the offending tasks of
each check by UID.

What is assessed
----------------
- The tasks and links exactly as :func:`~pilotage.engine.schedule_plan.schedule_plan`
  scheduled them. Links from another project are not in the plan's network, so they count
  neither as logic nor in the link checks. A manually scheduled task counts with the
  start-no-earlier-than constraint that holds it on its start (a must-start-on constraint,
  which is hard, when that start is before the project start), and a link into it that its
  predecessors would have moved it by is not in the network (the task is not driven by it),
  so neither task counts that link as logic.
- Inactive tasks are left out, as they are not part of the work (a summary task stays while an
  active task sits under it); so are the links to and from them.
- A "day" in the thresholds is the ``minutes_per_day`` of the task's calendar: the plan's day
  (480 minutes unless the plan says otherwise), 1,440 minutes for a task with an elapsed
  duration, whose floats are wall-clock minutes.
- The completion task, for the critical path test and the CPLI, is the task that finishes last
  (a milestone on a tie, then the one listed last).

Examples
--------
>>> from datetime import datetime
>>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
>>> from pilotage.engine.schedule_plan import schedule_plan
>>> plan = Plan(
...     name="Launch",
...     start=datetime(2026, 3, 2, 8),
...     tasks=(
...         PlanTask(uid=1, id=1, name="Kick-off", milestone=True),
...         PlanTask(uid=2, id=2, name="Design", duration_minutes=960),
...         PlanTask(uid=3, id=3, name="Build", duration_minutes=1440),
...         PlanTask(uid=4, id=4, name="Write the manual", duration_minutes=480),
...         PlanTask(uid=5, id=5, name="Launched", milestone=True),
...     ),
...     links=(PlanLink(1, 2), PlanLink(2, 3), PlanLink(3, 5)),
... )
>>> health = assess_plan_health(schedule_plan(plan))
>>> health.offending("logic")
(4,)
>>> health.result.check("logic").status.value
'failed'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.health import (
    DEFAULT_THRESHOLDS,
    HealthCheckKind,
    HealthRating,
    HealthResult,
    HealthThresholds,
    assess_schedule_health,
)
from pilotage.engine.schedule_plan import PlanSchedule, ScheduledNetwork
from pilotage.engine.scheduling import ScheduleLinks, ScheduleResult, ScheduleTasks
from pilotage.engine.scheduling.network import summary_mask

__all__ = ["PlanHealth", "assess_plan_health"]

BoolArray: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
DateArray: TypeAlias = npt.NDArray[np.datetime64]

_INDEX_FIELDS = frozenset({"negative_float", "unmet_constraints", "missed_deadlines"})
"""The fields of a ScheduleResult that hold task indices rather than one value per task."""


@dataclass(frozen=True, eq=False)
class PlanHealth:
    """The DCMA 14-point assessment of a plan, with the offending tasks named by UID.

    Parameters
    ----------
    result : HealthResult
        The fourteen checks (values, thresholds, statuses), the score and the rating. The
        ``offending_ids`` of its checks are task UIDs too: the scheduled network's task ids
        are the plan's UIDs.
    offending_uids : mapping of HealthCheckKind to tuple of int
        For each check, the UIDs of the tasks that count against it, in the plan's order
        (for the link checks, the successors of the links).
    status_date : datetime
        The status date the plan was assessed at.
    left_out : tuple of int
        UIDs of the tasks that were not assessed (inactive tasks).

    Examples
    --------
    >>> empty = HealthResult((), None, None)
    >>> health = PlanHealth(empty, {}, datetime(2026, 3, 2, 8), ())
    >>> health.score_percent, health.rating, health.offending("leads")
    (None, None, ())
    """

    result: HealthResult
    offending_uids: Mapping[HealthCheckKind, tuple[int, ...]]
    status_date: datetime
    left_out: tuple[int, ...] = ()

    @property
    def score_percent(self) -> float | None:
        """Checks passed as a percentage of the checks assessed; None when none was.

        Examples
        --------
        >>> PlanHealth(HealthResult((), 75.0, HealthRating.AMBER), {},
        ...            datetime(2026, 3, 2, 8)).score_percent
        75.0
        """
        return self.result.score_percent

    @property
    def rating(self) -> HealthRating | None:
        """The red, amber or green rating of the score; None without a score.

        Examples
        --------
        >>> PlanHealth(HealthResult((), 75.0, HealthRating.AMBER), {},
        ...            datetime(2026, 3, 2, 8)).rating.value
        'amber'
        """
        return self.result.rating

    def offending(self, kind: HealthCheckKind | str) -> tuple[int, ...]:
        """The UIDs of the tasks that count against a check.

        Parameters
        ----------
        kind : HealthCheckKind or str
            The check or its key (``"logic"``, ``"missed_tasks"`` ...).

        Returns
        -------
        tuple of int
            The UIDs, in the plan's order; empty when none or the check is not held.

        Raises
        ------
        ValueError
            If ``kind`` names no check.

        Examples
        --------
        >>> health = PlanHealth(HealthResult((), None, None),
        ...                     {HealthCheckKind.LEADS: (7,)}, datetime(2026, 3, 2, 8))
        >>> health.offending("leads"), health.offending(HealthCheckKind.LAGS)
        ((7,), ())
        """
        return self.offending_uids.get(HealthCheckKind(kind), ())


def _assessed_rows(schedule: PlanSchedule, tasks: ScheduleTasks) -> BoolArray:
    """The active tasks, with the summary tasks that have an active task under them."""
    active = np.array([task.active for task in schedule.plan.tasks], dtype=bool)
    summary = summary_mask(tasks)
    keep = active & ~summary
    rows = np.flatnonzero(keep)
    while rows.size:
        above = tasks.parent[rows]
        above = np.unique(above[above >= 0])
        above = above[~keep[above]]
        keep[above] = True
        rows = above
    return keep


def _without(
    network: ScheduledNetwork, keep: BoolArray
) -> tuple[ScheduleTasks, ScheduleLinks, ScheduleResult]:
    """The network with only the rows kept, and the links between them."""
    row = np.cumsum(keep, dtype=np.int64) - 1
    tasks, links, result = network.tasks, network.links, network.result
    kept_tasks = replace(
        tasks,
        **{
            item.name: getattr(tasks, item.name)[keep]
            for item in fields(tasks)
            if item.name != "parent"
        },
        parent=np.where(tasks.parent >= 0, row[tasks.parent], -1)[keep],
    )
    between = keep[links.predecessor] & keep[links.successor]
    kept_links = ScheduleLinks.create(
        row[links.predecessor[between]],
        row[links.successor[between]],
        link_type=links.link_type[between],
        lag_minutes=links.lag_minutes[between],
        lag_kind=links.lag_kind[between],
        lag_percent=links.lag_percent[between],
    )
    values: dict[str, Any] = {}
    for item in fields(result):
        value = getattr(result, item.name)
        if item.name in _INDEX_FIELDS:
            values[item.name] = row[value[keep[value]]]
        elif isinstance(value, np.ndarray) and value.shape == (tasks.size,):
            values[item.name] = value[keep]
    return kept_tasks, kept_links, replace(result, **values)


def _baseline(
    baseline: Mapping[int, tuple[datetime | None, datetime | None]],
    position: Mapping[int, int],
    size: int,
) -> tuple[DateArray, DateArray]:
    starts = np.full(size, np.datetime64("NaT", "m"))
    finishes = np.full(size, np.datetime64("NaT", "m"))
    for uid, dates in baseline.items():
        row = position.get(uid)
        if row is None:
            continue
        if not isinstance(dates, tuple) or len(dates) != 2:
            raise ScheduleInputError(
                f"Task {uid}: the baseline must be a (start, finish) pair, not {dates!r}"
            )
        for target, moment, name in ((starts, dates[0], "start"), (finishes, dates[1], "finish")):
            if moment is None:
                continue
            if not isinstance(moment, datetime):
                raise ScheduleInputError(
                    f"Task {uid}: the baseline {name} must be a datetime, not {moment!r}"
                )
            target[row] = np.datetime64(moment, "m")
    return starts, finishes


def _default_status(schedule: PlanSchedule, tasks: ScheduleTasks) -> datetime:
    """The schedule's status date, the plan's current date, else the project start or the
    latest actual date."""
    if schedule.status_date is not None:
        return schedule.status_date
    if schedule.plan.current_date is not None:
        return schedule.plan.current_date
    actuals = np.concatenate((tasks.actual_start, tasks.actual_finish))
    actuals = actuals[~np.isnat(actuals)]
    latest: datetime = actuals.max().astype(datetime) if actuals.size else schedule.project_start
    return max(latest, schedule.project_start)


def assess_plan_health(
    schedule: PlanSchedule,
    *,
    status_date: datetime | None = None,
    baseline: Mapping[int, tuple[datetime | None, datetime | None]] | None = None,
    resourced: Collection[int] | None = None,
    thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
) -> PlanHealth:
    """Run the DCMA 14-point assessment on a scheduled plan, naming tasks by UID.

    The checks, their populations and thresholds are those of
    :func:`~pilotage.engine.health.assess_schedule_health`; the module documentation says
    which tasks and links are assessed.

    Parameters
    ----------
    schedule : PlanSchedule
        The plan's schedule, from :func:`~pilotage.engine.schedule_plan.schedule_plan`.
    status_date : datetime, optional
        The date progress was reported at ("time now"). By default the status date the plan was
        scheduled with; without one, the plan's current date, as Microsoft Project does when
        its status date is not set; without either, the project start, or the latest actual
        start or finish when later (progress cannot be reported after time now, and with no
        progress nothing is due yet). The invalid-dates check compares the scheduled dates
        with it, so a schedule not updated to it shows there.
    baseline : mapping of int to (datetime or None, datetime or None), optional
        Each task's baseline start and finish, by UID; tasks left out have no baseline, and
        UIDs that are not in the plan (tasks deleted since the baseline) are ignored. Without
        a baseline finish the missed-tasks and BEI checks are not assessed; the high-duration
        check measures a task by its baseline dates when it has both.
    resourced : collection of int, optional
        UIDs of the tasks with resources assigned; the others have none. Without it the
        resources check is not assessed.
    thresholds : HealthThresholds, optional
        The thresholds; the DCMA's by default.

    Returns
    -------
    PlanHealth
        The fourteen checks, the score and the rating, with the offending tasks of each check
        as UIDs.

    Raises
    ------
    ScheduleInputError
        If the schedule does not keep its network (it was not made by ``schedule_plan``) or a
        baseline entry is not a pair of datetimes (or None); the message names the task.

    Examples
    --------
    Design (2 days) follows the kick-off; build (3 days) starts a day before design ends (a
    lead) and leads to the launch. At the status date, Thursday 5 March 17:00, design has
    finished a day after its baseline finish, so build, not started yet, now finishes on
    Tuesday 10 March, 2 days after its own: the CPLI is (3 - 2) / 3, below 0.95.

    >>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
    >>> from pilotage.engine.schedule_plan import schedule_plan
    >>> day = datetime(2026, 3, 2, 8)
    >>> plan = Plan(
    ...     name="Launch",
    ...     start=day,
    ...     status_date=datetime(2026, 3, 5, 17),
    ...     tasks=(
    ...         PlanTask(uid=1, id=1, name="Kick-off", milestone=True,
    ...                  actual_start=day, actual_finish=day, percent_complete=100),
    ...         PlanTask(uid=2, id=2, name="Design", duration_minutes=960,
    ...                  actual_start=day, actual_finish=datetime(2026, 3, 4, 17),
    ...                  percent_complete=100),
    ...         PlanTask(uid=3, id=3, name="Build", duration_minutes=1440),
    ...         PlanTask(uid=4, id=4, name="Launched", milestone=True),
    ...     ),
    ...     links=(PlanLink(1, 2), PlanLink(2, 3, lag_minutes=-480), PlanLink(3, 4)),
    ... )
    >>> health = assess_plan_health(
    ...     schedule_plan(plan),
    ...     baseline={2: (day, datetime(2026, 3, 3, 17)), 3: (datetime(2026, 3, 4, 8),
    ...                                                     datetime(2026, 3, 6, 17))},
    ...     resourced={2, 3},
    ... )
    >>> health.offending("leads"), health.offending("missed_tasks")
    ((3,), (2,))
    >>> [check.kind.value for check in health.result.checks if not check.passed]
    ['leads', 'missed_tasks', 'critical_path_length_index']
    >>> health.result.passed_count, health.result.assessed_count, health.rating.value
    (11, 14, 'amber')
    """
    network = schedule.network
    if network is None:
        raise ScheduleInputError(
            f"Plan {schedule.plan.name!r}: the schedule does not keep the network it was "
            "computed from; schedule the plan with schedule_plan"
        )
    keep = _assessed_rows(schedule, network.tasks)
    if keep.all():
        tasks, links, result = network.tasks, network.links, network.result
    else:
        tasks, links, result = _without(network, keep)
    status = status_date if status_date is not None else _default_status(schedule, tasks)
    uids: list[int] = tasks.ids.tolist()
    position = {uid: row for row, uid in enumerate(uids)}
    starts, finishes = (None, None)
    if baseline is not None:
        starts, finishes = _baseline(baseline, position, tasks.size)
    has_resources = None if resourced is None else np.isin(tasks.ids, list(resourced))
    health = assess_schedule_health(
        tasks,
        links,
        result,
        network.calendars,
        status_date=np.datetime64(status, "m"),
        baseline_start=starts,
        baseline_finish=finishes,
        has_resources=has_resources,
        thresholds=thresholds,
    )
    return PlanHealth(
        result=health,
        offending_uids={
            check.kind: tuple(int(uid) for uid in check.offending_ids.tolist())
            for check in health.checks
        },
        status_date=status,
        left_out=tuple(int(uid) for uid in network.tasks.ids[~keep].tolist()),
    )
