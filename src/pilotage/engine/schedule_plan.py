"""Schedule a whole :class:`~pilotage.engine.plan.Plan`: from a plan file to dates and floats.

:func:`schedule_plan` turns a plan (as read from a Microsoft Project XML file or from Pilotage's
plan-as-code format) into the struct-of-arrays network of :mod:`pilotage.engine.scheduling`,
runs :func:`~pilotage.engine.scheduling.compute_schedule` and gives the result back per task
UID, with the warnings a planner needs to read it.

How a plan becomes a network
----------------------------
- Task UIDs are the network's ids, so every message names tasks by UID. Summary tasks are the
  tasks that have subtasks (``parent_uid``); their dates, floats and critical flags roll up.
- Each task works on its own calendar, else on the project calendar (Microsoft Project's
  standard calendar when the plan has none). A task with an elapsed duration works around the
  clock: its duration and floats are wall-clock minutes.
- Links keep their type; a lag is in working minutes of the successor's calendar, in wall-clock
  minutes when it is elapsed, or a percentage of the predecessor's duration. An elapsed
  percentage (``e%``) becomes wall-clock minutes of the predecessor's duration. Links to
  another project are left out (with a warning): their predecessor is not in the plan.
- Progress: actual start and finish, % complete and the remaining duration, with the plan's
  status date (see the scheduler for the retained-logic rules). A task with progress but no
  actual start is taken to have started on its scheduled ``start`` from the file.
- A manually scheduled task keeps the start the file gives it, as in Microsoft Project: its
  predecessors do not move it, it still drives its successors, and its late dates and floats
  are computed as for any task. The links into it still bound its predecessors' late dates,
  except those that would move it, which are left out (with a warning).
- Summary tasks may only carry ASAP, ALAP, SNET and FNLT constraints; another one is dropped
  with a warning. Inactive tasks are scheduled but do not drive their successors.
- A leveling delay is added to the start the logic and the constraints give a task, as
  Microsoft Project does: in wall-clock minutes when its format is elapsed (``ed``, the usual
  one, and the default when the file gives none), in working minutes of the task's calendar
  otherwise; the task then starts at the next working time of its calendar and its
  successors follow. The links into the task bound the start before the delay, so the late
  dates and floats keep the delay fixed. A task that has started, a manually scheduled task
  and a summary task have no leveling delay, nor has an as-late-as-possible task; a
  must-start-on or must-finish-on date wins over it. Resource calendars are not applied
  (resources are not read here).

Examples
--------
>>> from datetime import datetime
>>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
>>> plan = Plan(
...     name="Office move",
...     start=datetime(2026, 3, 2, 8),
...     tasks=(
...         PlanTask(uid=1, id=1, name="Move", summary=True),
...         PlanTask(uid=2, id=2, name="Pack", outline_level=2, parent_uid=1,
...                  duration_minutes=960),
...         PlanTask(uid=3, id=3, name="Unpack", outline_level=2, parent_uid=1,
...                  duration_minutes=480),
...     ),
...     links=(PlanLink(2, 3),),
... )
>>> schedule = schedule_plan(plan)
>>> schedule.task(3).early_start, schedule.task(1).early_finish
(datetime.datetime(2026, 3, 4, 8, 0), datetime.datetime(2026, 3, 4, 17, 0))
>>> schedule.project_finish, schedule.warnings
(datetime.datetime(2026, 3, 4, 17, 0), ())
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.plan import ELAPSED_FORMATS, Plan, PlanLink, PlanTask
from pilotage.engine.scheduling import (
    REMAINING_FROM_PERCENT,
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    compute_schedule,
)

__all__ = [
    "PlanSchedule",
    "ScheduledNetwork",
    "TaskSchedule",
    "leveling_delay_is_elapsed",
    "schedule_plan",
]

IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
DateArray: TypeAlias = npt.NDArray[np.datetime64]

_ELAPSED_DAY: Final = 1440
_SUMMARY_CONSTRAINTS: Final = frozenset({"ASAP", "ALAP", "SNET", "FNLT"})
_CONSTRAINT_CODES: Final = {kind.name: int(kind) for kind in ConstraintType}
_LINK_CODES: Final = {kind.name: int(kind) for kind in LinkType}
_LISTED: Final = 20
"""How many task UIDs a grouped warning lists before saying how many more there are."""


@dataclass(frozen=True, slots=True)
class TaskSchedule:
    """The schedule of one task.

    Parameters
    ----------
    uid : int
        The task's UID in the plan.
    early_start, early_finish, late_start, late_finish : datetime
        The early and late dates (actual dates once known); roll-ups on summary tasks.
    start, finish : datetime
        The scheduled dates: the early dates, except for ALAP tasks (on their late dates).
    total_float_minutes, free_float_minutes : int
        Floats in working minutes of the task's calendar (wall-clock minutes for a task with
        an elapsed duration); negative total float when a constraint or deadline is missed.
    critical : bool
        Total float of zero or less on an unfinished task.
    summary : bool
        The task has subtasks; its values roll up from them.
    elapsed : bool
        The task runs around the clock, so its floats are wall-clock minutes.

    Examples
    --------
    >>> day = datetime(2026, 3, 2, 8)
    >>> TaskSchedule(1, day, day, day, day, day, day, 0, 0, True, False, False).critical
    True
    """

    uid: int
    early_start: datetime
    early_finish: datetime
    late_start: datetime
    late_finish: datetime
    start: datetime
    finish: datetime
    total_float_minutes: int
    free_float_minutes: int
    critical: bool
    summary: bool
    elapsed: bool


@dataclass(frozen=True, eq=False)
class ScheduledNetwork:
    """The network a plan was scheduled as: what :func:`compute_schedule` was given and gave.

    Keeping it lets other engine functions (the schedule health check of
    :mod:`pilotage.engine.plan_health`, for one) work on the very arrays that produced the
    dates, without building them again. Rows follow the plan's order and task ids are UIDs.

    Parameters
    ----------
    tasks : ScheduleTasks
        The tasks, summary tasks included, as scheduled: summary tasks without duration,
        manually scheduled tasks held by a start-no-earlier-than constraint on their start (a
        must-start-on one when that start is before the project start), a task with progress
        but no actual start taken to have started on its ``start``.
    links : ScheduleLinks
        The links of the run that gave the dates: the plan's links less those from another
        project, those from an inactive task and those into a manually scheduled task that
        its predecessors would move (see :func:`schedule_plan`).
    result : ScheduleResult
        The dates and floats, row by row.
    calendars : tuple of WorkingTime
        The compiled calendars ``tasks.calendar`` points into; the first is the project
        calendar. Their ``minutes_per_day`` is the plan's (1,440 for the calendar of the
        tasks with an elapsed duration).

    Examples
    --------
    >>> from pilotage.engine.plan import PlanTask
    >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8),
    ...             tasks=(PlanTask(uid=5, id=1, name="Only", duration_minutes=480),))
    >>> network = schedule_plan(plan).network
    >>> network.tasks.ids.tolist(), network.links.size, network.result.finish
    ([5], 0, array(['2026-03-02T17:00'], dtype='datetime64[m]'))
    """

    tasks: ScheduleTasks
    links: ScheduleLinks
    result: ScheduleResult
    calendars: tuple[WorkingTime, ...]


@dataclass(frozen=True, eq=False)
class PlanSchedule:
    """The schedule of a plan: one array element per task, in the plan's order.

    Use :meth:`task` (or :attr:`tasks`, keyed by UID) for one task at a time, the arrays for
    many tasks at once.

    Parameters
    ----------
    plan : Plan
        The plan that was scheduled.
    uids : array of int64
        The UID of each task, in the order of ``plan.tasks``.
    early_start, early_finish, late_start, late_finish, start, finish : array of datetime64[m]
        The dates of each task (see :class:`TaskSchedule`).
    total_float_minutes, free_float_minutes : array of int64
        The floats of each task.
    critical, summary, elapsed : array of bool
        Which tasks are critical, summary tasks, and scheduled around the clock.
    project_start, project_finish : datetime
        The date the schedule starts from and the latest early finish.
    status_date : datetime or None
        The status date the progress was scheduled with.
    calendar_name : str
        The name of the project calendar.
    warnings : tuple of str
        One line per thing the planner should know: constraints that cannot be met, negative
        float, missed deadlines, manually scheduled tasks, what was left out.
    unmet_constraints, negative_float, missed_deadlines : tuple of int
        UIDs of the tasks with a constraint that had to override the logic, with negative total
        float, and finishing after their deadline.
    manual : tuple of int
        UIDs of the manually scheduled tasks, kept on the start the file gives.
    network : ScheduledNetwork or None
        The arrays the plan was scheduled as (always set by :func:`schedule_plan`), for the
        engine functions that work on them.

    Examples
    --------
    >>> from pilotage.engine.plan import PlanTask
    >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8),
    ...             tasks=(PlanTask(uid=5, id=1, name="Only", duration_minutes=480),))
    >>> schedule = schedule_plan(plan)
    >>> schedule.uids.tolist(), [row.uid for row in schedule]
    ([5], [5])
    """

    plan: Plan
    uids: IntArray
    early_start: DateArray
    early_finish: DateArray
    late_start: DateArray
    late_finish: DateArray
    start: DateArray
    finish: DateArray
    total_float_minutes: IntArray
    free_float_minutes: IntArray
    critical: BoolArray
    summary: BoolArray
    elapsed: BoolArray
    project_start: datetime
    project_finish: datetime
    status_date: datetime | None
    calendar_name: str
    warnings: tuple[str, ...] = ()
    unmet_constraints: tuple[int, ...] = ()
    negative_float: tuple[int, ...] = ()
    missed_deadlines: tuple[int, ...] = ()
    manual: tuple[int, ...] = ()
    network: ScheduledNetwork | None = field(default=None, repr=False, compare=False)

    @cached_property
    def index(self) -> dict[int, int]:
        """The position of each UID in the arrays.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8),
        ...             tasks=(PlanTask(uid=9, id=1, name="A"), PlanTask(uid=4, id=2, name="B")))
        >>> schedule_plan(plan).index
        {9: 0, 4: 1}
        """
        return {int(uid): row for row, uid in enumerate(self.uids.tolist())}

    @cached_property
    def tasks(self) -> dict[int, TaskSchedule]:
        """Every task's schedule keyed by UID, in the plan's order.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8),
        ...             tasks=(PlanTask(uid=9, id=1, name="A", duration_minutes=60),))
        >>> schedule_plan(plan).tasks[9].early_finish
        datetime.datetime(2026, 3, 2, 9, 0)
        """
        return {row.uid: row for row in self}

    def task(self, uid: int) -> TaskSchedule:
        """The schedule of the task with a UID.

        Parameters
        ----------
        uid : int
            The task's UID.

        Returns
        -------
        TaskSchedule
            Its dates, floats and flags.

        Raises
        ------
        KeyError
            If the plan has no task with that UID.

        Examples
        --------
        >>> from pilotage.engine.plan import PlanTask
        >>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8),
        ...             tasks=(PlanTask(uid=9, id=1, name="A", duration_minutes=480),))
        >>> schedule_plan(plan).task(9).total_float_minutes
        0
        """
        return self._row(self.index[uid])

    def __iter__(self) -> Iterator[TaskSchedule]:
        for row in range(self.uids.size):
            yield self._row(row)

    def __len__(self) -> int:
        return int(self.uids.size)

    def _row(self, row: int) -> TaskSchedule:
        def instant(values: DateArray) -> datetime:
            value: datetime = values[row].astype(datetime)
            return value

        return TaskSchedule(
            uid=int(self.uids[row]),
            early_start=instant(self.early_start),
            early_finish=instant(self.early_finish),
            late_start=instant(self.late_start),
            late_finish=instant(self.late_finish),
            start=instant(self.start),
            finish=instant(self.finish),
            total_float_minutes=int(self.total_float_minutes[row]),
            free_float_minutes=int(self.free_float_minutes[row]),
            critical=bool(self.critical[row]),
            summary=bool(self.summary[row]),
            elapsed=bool(self.elapsed[row]),
        )


@dataclass
class _Network:
    """The arrays handed to the scheduler, and what was noticed while building them."""

    ids: list[int] = field(default_factory=list)
    duration: list[int] = field(default_factory=list)
    calendar: list[int] = field(default_factory=list)
    constraint_type: list[int] = field(default_factory=list)
    constraint_date: list[datetime | None] = field(default_factory=list)
    deadline: list[datetime | None] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    actual_start: list[datetime | None] = field(default_factory=list)
    actual_finish: list[datetime | None] = field(default_factory=list)
    percent: list[float] = field(default_factory=list)
    remaining: list[int] = field(default_factory=list)
    elapsed: list[bool] = field(default_factory=list)
    leveling_delay: list[int] = field(default_factory=list)
    leveling_delay_elapsed: list[bool] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    manual: list[int] = field(default_factory=list)


class _Calendars:
    """The compiled calendars, compiled once each and in order of first use."""

    def __init__(self, plan: Plan, origin: date) -> None:
        self.plan = plan
        self.origin = origin
        self.compiled: list[WorkingTime] = []
        self._index: dict[int | str, int] = {}
        project = (
            plan.calendars_by_uid.get(plan.calendar_uid) if plan.calendar_uid is not None else None
        )
        # A day of the plan's own length, so that checks counting days read floats as the
        # planner does (scheduling itself never uses it).
        self.project_calendar = (
            project.calendar
            if project is not None
            else Calendar("Standard", WeekPattern.standard(), minutes_per_day=plan.minutes_per_day)
        )
        self._add("project", self.project_calendar)

    def _add(self, key: int | str, calendar: Calendar) -> int:
        self._index[key] = len(self.compiled)
        self.compiled.append(
            compile_calendar(calendar, self.origin, self.origin + timedelta(days=366))
        )
        return self._index[key]

    def of(self, task: PlanTask) -> int:
        if task.elapsed:
            key: int | str = "elapsed"
            if key not in self._index:
                elapsed = Calendar(
                    "Elapsed time", WeekPattern.continuous(), minutes_per_day=_ELAPSED_DAY
                )
                return self._add(key, elapsed)
            return self._index[key]
        if task.calendar_uid is None or task.calendar_uid == self.plan.calendar_uid:
            return 0
        index = self._index.get(task.calendar_uid)
        if index is None:
            index = self._add(
                task.calendar_uid, self.plan.calendars_by_uid[task.calendar_uid].calendar
            )
        return index


def leveling_delay_is_elapsed(task: PlanTask) -> bool:
    """Whether a task's leveling delay is wall-clock time (else working time of its calendar).

    It is when its format is elapsed, and when the plan gives no format: Microsoft Project
    shows leveling delays in elapsed days unless told otherwise.

    Parameters
    ----------
    task : PlanTask
        The task.

    Returns
    -------
    bool
        True for wall-clock minutes.

    Examples
    --------
    >>> leveling_delay_is_elapsed(PlanTask(uid=1, id=1, name="A", leveling_delay_minutes=1440))
    True
    >>> leveling_delay_is_elapsed(
    ...     PlanTask(uid=1, id=1, name="A", leveling_delay_minutes=480, leveling_delay_format="d")
    ... )
    False
    """
    unit = task.leveling_delay_format
    return unit is None or unit in ELAPSED_FORMATS


def _label(task: PlanTask) -> str:
    return f"Task {task.uid} ({task.name})" if task.name else f"Task {task.uid}"


def _listed(uids: list[int]) -> str:
    if len(uids) == 1:
        return f"task {uids[0]}"
    shown = ", ".join(str(uid) for uid in uids[:_LISTED])
    more = len(uids) - _LISTED
    return f"tasks {shown}" if more <= 0 else f"tasks {shown} and {more} more"


def _when(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def _duration_text(minutes: int, minutes_per_day: int, *, elapsed: bool = False) -> str:
    day = _ELAPSED_DAY if elapsed else minutes_per_day
    days = round(minutes / day, 2)
    return f"{days:g}{'ed' if elapsed else 'd'}"


def _origin(plan: Plan, project_start: datetime) -> date:
    earliest = project_start
    for task in plan.tasks:
        for moment in (task.actual_start, task.constraint_date, task.start):
            if moment is not None and moment < earliest:
                earliest = moment
    return earliest.date() - timedelta(days=7)


def _project_start(plan: Plan) -> datetime:
    if plan.start is not None:
        return plan.start
    starts = [task.start for task in plan.tasks if task.start is not None]
    if plan.project_summary is not None and plan.project_summary.start is not None:
        starts.append(plan.project_summary.start)
    if not starts:
        raise ScheduleInputError(
            f"Plan {plan.name!r}: start is required: the plan gives no date to schedule from"
        )
    return min(starts)


def _add_task(
    network: _Network,
    plan: Plan,
    task: PlanTask,
    row_of: dict[int, int],
    is_summary: bool,
    calendars: _Calendars,
    project_start: datetime,
) -> None:
    network.ids.append(task.uid)
    network.parent.append(-1 if task.parent_uid is None else row_of[task.parent_uid])
    constraint, constraint_date = task.constraint_type, task.constraint_date
    if is_summary:
        network.duration.append(0)
        network.calendar.append(0)
        network.elapsed.append(False)
        network.actual_start.append(None)
        network.actual_finish.append(None)
        network.percent.append(0.0)
        network.remaining.append(REMAINING_FROM_PERCENT)
        network.leveling_delay.append(0)
        network.leveling_delay_elapsed.append(False)
        if constraint not in _SUMMARY_CONSTRAINTS:
            network.warnings.append(
                f"{_label(task)}: a summary task cannot have a {constraint} constraint; "
                "it is ignored"
            )
            constraint, constraint_date = "ASAP", None
        if task.manual:
            network.warnings.append(
                f"{_label(task)}: a manually scheduled summary task; its dates are rolled up "
                "from its subtasks"
            )
        network.constraint_type.append(_CONSTRAINT_CODES[constraint])
        network.constraint_date.append(constraint_date)
        network.deadline.append(task.deadline)
        return

    network.duration.append(task.duration_minutes)
    network.calendar.append(calendars.of(task))
    network.elapsed.append(task.elapsed)
    actual_start, actual_finish = task.actual_start, task.actual_finish
    percent = task.percent_complete
    has_progress = actual_finish is not None or percent > 0
    if actual_start is None and has_progress:
        if task.start is None:
            raise ScheduleInputError(
                f"{_label(task)}: actual_start is required by the progress "
                f"({percent:g}% complete{', an actual finish' if actual_finish else ''})"
            )
        actual_start = task.start
        network.warnings.append(
            f"{_label(task)}: {percent:g}% complete without an actual start; its start "
            f"{_when(task.start)} is taken as the actual start"
        )
    if actual_start is not None and actual_finish is not None and actual_finish < actual_start:
        raise ScheduleInputError(f"{_label(task)}: actual_finish is before the actual start")
    network.actual_start.append(actual_start)
    network.actual_finish.append(actual_finish)
    network.percent.append(percent if actual_start is not None else 0.0)
    remaining = task.remaining_duration_minutes
    network.remaining.append(
        remaining
        if actual_start is not None and actual_finish is None and remaining is not None
        else REMAINING_FROM_PERCENT
    )
    if task.manual and actual_start is None:
        if task.start is None:
            network.warnings.append(
                f"{_label(task)}: manually scheduled without a start date; scheduled automatically"
            )
        else:
            network.manual.append(task.uid)
            # The manual start wins over the logic; SNET keeps the late dates free, MSO is
            # only needed to place a task before the project start.
            constraint = "SNET" if task.start >= project_start else "MSO"
            constraint_date = task.start
    network.constraint_type.append(_CONSTRAINT_CODES[constraint])
    network.constraint_date.append(constraint_date)
    network.deadline.append(task.deadline)
    # A manual task's own start already includes any delay; a started one has its actuals.
    delayed = actual_start is None and not (task.manual and task.start is not None)
    network.leveling_delay.append(task.leveling_delay_minutes if delayed else 0)
    network.leveling_delay_elapsed.append(leveling_delay_is_elapsed(task))


def _links(plan: Plan, row_of: dict[int, int], network: _Network) -> ScheduleLinks:
    predecessors: list[int] = []
    successors: list[int] = []
    types: list[int] = []
    lags: list[int] = []
    kinds: list[int] = []
    percents: list[float] = []
    external: list[str] = []
    inactive = {task.uid for task in plan.tasks if not task.active}
    for link in plan.links:
        if link.cross_project:
            external.append(_external(link))
            continue
        if link.predecessor_uid in inactive:
            continue
        predecessors.append(row_of[link.predecessor_uid])
        successors.append(row_of[link.successor_uid])
        types.append(_LINK_CODES[link.type])
        lag, kind, percent = _lag(plan, link)
        lags.append(lag)
        kinds.append(kind)
        percents.append(percent)
    for text in external:
        network.warnings.append(f"A link from another project is left out: {text}")
    return ScheduleLinks.create(
        np.array(predecessors, dtype=np.int64),
        np.array(successors, dtype=np.int64),
        link_type=np.array(types, dtype=np.int8),
        lag_minutes=np.array(lags, dtype=np.int64),
        lag_kind=np.array(kinds, dtype=np.int8),
        lag_percent=np.array(percents, dtype=np.float64),
    )


def _subset(links: ScheduleLinks, keep: BoolArray) -> ScheduleLinks:
    return ScheduleLinks.create(
        links.predecessor[keep],
        links.successor[keep],
        link_type=links.link_type[keep],
        lag_minutes=links.lag_minutes[keep],
        lag_kind=links.lag_kind[keep],
        lag_percent=links.lag_percent[keep],
    )


def _external(link: PlanLink) -> str:
    where = f" of {link.cross_project_name}" if link.cross_project_name else ""
    return f"task {link.predecessor_uid}{where} to task {link.successor_uid}"


def _lag(plan: Plan, link: PlanLink) -> tuple[int, int, float]:
    if link.lag_percent is None:
        kind = LagKind.ELAPSED if link.elapsed_lag else LagKind.WORKING
        return link.lag_minutes, kind, 0.0
    if link.lag_format == "e%":
        predecessor = plan.task(link.predecessor_uid)
        minutes = round(link.lag_percent * predecessor.duration_minutes / 100)
        return minutes, LagKind.ELAPSED, 0.0
    return 0, LagKind.PERCENT, link.lag_percent


def _instant(moment: datetime | None) -> np.datetime64:
    return np.datetime64("NaT", "m") if moment is None else np.datetime64(moment, "m")


def _dates(values: list[datetime | None]) -> DateArray:
    if not any(values):
        return np.full(len(values), np.datetime64("NaT", "m"))
    return np.array(values, dtype="datetime64[m]")


def _result_warnings(
    plan: Plan, result: ScheduleResult, tasks: ScheduleTasks, network: _Network
) -> list[str]:
    warnings: list[str] = []
    elapsed = network.elapsed
    manual = set(network.manual)
    for row in result.unmet_constraints.tolist():
        task = plan.tasks[row]
        if task.uid in manual or task.constraint_date is None:
            continue
        constraint = f"{task.constraint_type} constraint on {_when(task.constraint_date)}"
        warnings.append(
            f"{_label(task)}: its subtasks finish after its {constraint}"
            if result.summary[row]
            else f"{_label(task)}: its {constraint} overrides its predecessors or the project start"
        )
    for row in result.missed_deadlines.tolist():
        task = plan.tasks[row]
        finish: datetime = result.finish[row].astype(datetime)
        deadline: datetime = tasks.deadline[row].astype(datetime)
        warnings.append(
            f"{_label(task)}: finishes on {_when(finish)}, after its deadline {_when(deadline)}"
        )
    negative = result.negative_float.tolist()
    if negative:
        uids = [plan.tasks[row].uid for row in negative]
        lowest = min(negative, key=lambda row: int(result.total_float_minutes[row]))
        warnings.append(
            "Negative total float, down to "
            f"{_float_text(plan, result, elapsed, lowest)} (a constraint or deadline cannot be "
            f"met): {_listed(uids)}"
        )
    return warnings


def _float_text(plan: Plan, result: ScheduleResult, elapsed: list[bool], row: int) -> str:
    return _duration_text(
        int(result.total_float_minutes[row]), plan.minutes_per_day, elapsed=elapsed[row]
    )


def schedule_plan(plan: Plan, *, status_date: datetime | None = None) -> PlanSchedule:
    """Schedule a plan with the critical path method, as Microsoft Project would.

    Parameters
    ----------
    plan : Plan
        The plan: calendars, tasks (summary tasks included) and links.
    status_date : datetime, optional
        The date progress was recorded up to; the plan's own status date when not given.

    Returns
    -------
    PlanSchedule
        Every task's dates and floats in the plan's order, the project's dates, and the
        warnings (constraints that cannot be met, negative float, missed deadlines, manually
        scheduled tasks, links and constraints that were left out).

    Raises
    ------
    ScheduleInputError
        If the plan has no start date, or a task's values cannot be scheduled; the message
        names the task (by UID) and the field.
    CyclicDependencyError
        If the links form a cycle; the message names the tasks of the cycle.
    CalendarError
        If a calendar has no working time, or a date falls beyond what it can cover.

    Examples
    --------
    Design (2 days), build (3 days, starting 1 day after design finishes) and a launch
    milestone due on Friday 6 March; the project starts on Monday 2 March 2026:

    >>> from pilotage.engine.plan import PlanLink, PlanTask
    >>> plan = Plan(
    ...     name="Launch",
    ...     start=datetime(2026, 3, 2, 8),
    ...     tasks=(
    ...         PlanTask(uid=1, id=1, name="Design", duration_minutes=960),
    ...         PlanTask(uid=2, id=2, name="Build", duration_minutes=1440),
    ...         PlanTask(uid=3, id=3, name="Launch", milestone=True,
    ...                  deadline=datetime(2026, 3, 6, 17)),
    ...     ),
    ...     links=(PlanLink(1, 2, lag_minutes=480), PlanLink(2, 3)),
    ... )
    >>> schedule = schedule_plan(plan)
    >>> [(row.uid, row.early_start.isoformat(), row.total_float_minutes) for row in schedule]
    [(1, '2026-03-02T08:00:00', -480), (2, '2026-03-05T08:00:00', -480), \
(3, '2026-03-09T17:00:00', -480)]
    >>> schedule.warnings[0]
    'Task 3 (Launch): finishes on 2026-03-09 17:00, after its deadline 2026-03-06 17:00'
    """
    project_start = _project_start(plan)
    status = status_date if status_date is not None else plan.status_date
    calendars = _Calendars(plan, _origin(plan, project_start))
    has_children = {task.parent_uid for task in plan.tasks if task.parent_uid is not None}
    row_of: dict[int, int] = {}
    network = _Network()
    if not plan.schedule_from_start:
        network.warnings.append(
            f"Plan {plan.name!r}: the file schedules the project back from its finish date; "
            "it is scheduled forward from its start"
        )
    for row, task in enumerate(plan.tasks):
        row_of[task.uid] = row
        _add_task(network, plan, task, row_of, task.uid in has_children, calendars, project_start)
    inactive = [task.uid for task in plan.tasks if not task.active]
    if inactive:
        network.warnings.append(
            f"Inactive, so scheduled without driving their successors: {_listed(inactive)}"
        )
    links = _links(plan, row_of, network)
    if network.manual:
        network.warnings.append(
            "Manually scheduled, so kept on the start the file gives whatever their "
            f"predecessors: {_listed(network.manual)}"
        )

    tasks = ScheduleTasks.create(
        ids=np.array(network.ids, dtype=np.int64),
        duration_minutes=np.array(network.duration, dtype=np.int64),
        calendar=np.array(network.calendar, dtype=np.int64),
        constraint_type=np.array(network.constraint_type, dtype=np.int8),
        constraint_date=_dates(network.constraint_date),
        deadline=_dates(network.deadline),
        parent=np.array(network.parent, dtype=np.int64),
        actual_start=_dates(network.actual_start),
        actual_finish=_dates(network.actual_finish),
        percent_complete=np.array(network.percent, dtype=np.float64),
        remaining_duration_minutes=np.array(network.remaining, dtype=np.int64),
        leveling_delay_minutes=np.array(network.leveling_delay, dtype=np.int64),
        leveling_delay_elapsed=np.array(network.leveling_delay_elapsed, dtype=bool),
    )

    def run(selected: ScheduleLinks) -> ScheduleResult:
        try:
            return compute_schedule(
                tasks,
                selected,
                calendars.compiled,
                project_start=_instant(project_start),
                status_date=None if status is None else _instant(status),
            )
        except CyclicDependencyError as error:
            raise _named_cycle(plan, error) from error

    result = run(links)
    scheduled = links
    if network.manual:
        result, scheduled = _keep_manual_dates(plan, network, tasks, links, result, run)

    def uids(rows: npt.NDArray[Any]) -> tuple[int, ...]:
        return tuple(plan.tasks[row].uid for row in rows.tolist())

    project_finish: datetime = result.project_finish.astype(datetime)
    return PlanSchedule(
        plan=plan,
        uids=tasks.ids,
        early_start=result.early_start,
        early_finish=result.early_finish,
        late_start=result.late_start,
        late_finish=result.late_finish,
        start=result.start,
        finish=result.finish,
        total_float_minutes=result.total_float_minutes,
        free_float_minutes=result.free_float_minutes,
        critical=result.critical,
        summary=result.summary,
        elapsed=np.array(network.elapsed, dtype=bool),
        project_start=project_start,
        project_finish=project_finish,
        status_date=status,
        calendar_name=calendars.project_calendar.name,
        warnings=(
            *network.warnings,
            *_result_warnings(plan, result, tasks, network),
        ),
        unmet_constraints=uids(result.unmet_constraints),
        negative_float=uids(result.negative_float),
        missed_deadlines=uids(result.missed_deadlines),
        manual=tuple(network.manual),
        network=ScheduledNetwork(
            tasks=tasks, links=scheduled, result=result, calendars=tuple(calendars.compiled)
        ),
    )


def _keep_manual_dates(
    plan: Plan,
    network: _Network,
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    bound: ScheduleResult,
    run: Callable[[ScheduleLinks], ScheduleResult],
) -> tuple[ScheduleResult, ScheduleLinks]:
    """The schedule with the manual tasks on their own start, whatever their predecessors,
    and the links it was computed with.

    Each manual task carries an SNET constraint on its start, so a link into it only moves it
    when the predecessor comes later: only those links are left out, and the others still
    bound the late dates and the free float of the predecessors, as in Microsoft Project.
    """
    manual = np.zeros(tasks.size, dtype=bool)
    manual[np.isin(tasks.ids, network.manual)] = True
    into_manual = manual[links.successor]
    if not into_manual.any():
        return bound, links
    free = run(_subset(links, ~into_manual))
    moved = manual & (bound.early_start != free.early_start)
    if not moved.any():
        return bound, links
    for row in np.flatnonzero(moved).tolist():
        task = plan.tasks[row]
        kept: datetime = free.early_start[row].astype(datetime)
        allowed: datetime = bound.early_start[row].astype(datetime)
        network.warnings.append(
            f"{_label(task)}: manually scheduled on {_when(kept)}, before its predecessors "
            f"allow ({_when(allowed)}); the links into it are left out"
        )
    scheduled = _subset(links, ~moved[links.successor])
    return run(scheduled), scheduled


def _named_cycle(plan: Plan, error: CyclicDependencyError) -> CyclicDependencyError:
    def named(uid: int) -> str:
        task = plan.tasks_by_uid.get(uid)
        return f"task {uid} ({task.name})" if task is not None and task.name else f"task {uid}"

    cycle, message = error.cycle, str(error)
    if len(cycle) == 1 and message.endswith("is linked to itself"):
        return CyclicDependencyError(f"{named(cycle[0]).capitalize()} is linked to itself", cycle)
    if cycle and message.startswith("The dependencies form a cycle"):
        path = " -> ".join(named(uid) for uid in (*cycle, cycle[0]))
        return CyclicDependencyError(f"The dependencies form a cycle: {path}", cycle)
    return error
