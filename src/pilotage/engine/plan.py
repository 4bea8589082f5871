"""A project plan as read from a file: calendars, tasks and links, before any scheduling.

The plan model is the common ground between the readers of plan files (Microsoft Project XML,
Pilotage's own plan-as-code) and the scheduler: frozen dataclasses, no Django, validated when
built. It keeps what the file says, including the dates the authoring tool computed, so that a
schedule can be checked against them.

Units
-----
- Instants are naive :class:`datetime.datetime` values in the plan's local wall-clock time, as
  Microsoft Project writes them; they are never converted to another time zone.
- Durations, lags and slacks are whole minutes (``*_minutes``). A task's
  ``duration_minutes`` counts working minutes of its calendar, or wall-clock minutes when the
  task is ``elapsed`` (one elapsed day is 1,440 minutes). A link's ``lag_minutes`` counts working
  minutes, or wall-clock minutes when ``elapsed_lag`` is set; a percentage lag keeps its
  percentage in ``lag_percent`` instead.
- ``duration_format`` and ``lag_format`` only remember the unit the author used for display
  (``"d"`` for days, ``"ew"`` for elapsed weeks ...); the value is always in minutes.
  ``minutes_per_day``, ``minutes_per_week`` and ``days_per_month`` say how to display minutes in
  those units, as in Microsoft Project's options (480, 2,400 and 20 by default).

Examples
--------
>>> from datetime import datetime
>>> plan = Plan(
...     name="Office move",
...     start=datetime(2026, 3, 2, 8),
...     tasks=(
...         PlanTask(uid=1, id=1, name="Move", summary=True),
...         PlanTask(uid=2, id=2, name="Pack", outline_level=2, parent_uid=1,
...                  duration_minutes=960, duration_format="d"),
...         PlanTask(uid=3, id=3, name="Moved", outline_level=2, parent_uid=1, milestone=True),
...     ),
...     links=(PlanLink(predecessor_uid=2, successor_uid=3),),
... )
>>> [task.name for task in plan.children(1)]
['Pack', 'Moved']
>>> plan.task(2).duration_minutes / plan.minutes_per_day
2.0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Final, Literal, TypeAlias, get_args

from pilotage.engine.calendars import Calendar
from pilotage.engine.errors import ScheduleInputError

__all__ = [
    "CONSTRAINT_TYPES",
    "DURATION_FORMATS",
    "ELAPSED_FORMATS",
    "LINK_TYPES",
    "PERCENT_FORMATS",
    "DurationFormat",
    "Plan",
    "PlanCalendar",
    "PlanConstraintType",
    "PlanLink",
    "PlanLinkType",
    "PlanTask",
]

PlanConstraintType: TypeAlias = Literal[
    "ASAP", "ALAP", "MSO", "MFO", "SNET", "SNLT", "FNET", "FNLT"
]
"""As soon as possible, as late as possible, must start/finish on, start/finish no earlier/later
than."""

PlanLinkType: TypeAlias = Literal["FS", "SS", "FF", "SF"]
"""Finish-to-start, start-to-start, finish-to-finish, start-to-finish."""

DurationFormat: TypeAlias = Literal[
    "m", "em", "h", "eh", "d", "ed", "w", "ew", "mo", "emo", "%", "e%"
]
"""The unit a duration or lag is displayed in; a leading ``e`` means elapsed (24-hour days)."""

CONSTRAINT_TYPES: Final[tuple[PlanConstraintType, ...]] = get_args(PlanConstraintType)
LINK_TYPES: Final[tuple[PlanLinkType, ...]] = get_args(PlanLinkType)
DURATION_FORMATS: Final[tuple[DurationFormat, ...]] = get_args(DurationFormat)
ELAPSED_FORMATS: Final[frozenset[DurationFormat]] = frozenset({"em", "eh", "ed", "ew", "emo", "e%"})
PERCENT_FORMATS: Final[frozenset[DurationFormat]] = frozenset({"%", "e%"})

_DATED_CONSTRAINTS: Final = frozenset({"MSO", "MFO", "SNET", "SNLT", "FNET", "FNLT"})


def _fail(owner: str, problem: str) -> ScheduleInputError:
    return ScheduleInputError(f"{owner}: {problem}")


@dataclass(frozen=True, slots=True)
class PlanCalendar:
    """A calendar of the plan, under the identifier the file gives it.

    Parameters
    ----------
    uid : int
        The calendar's identifier in the file (MSPDI ``Calendar/UID``).
    calendar : Calendar
        The working-time definition; a derived calendar's ``calendar.base`` is its base's
        definition.
    base_uid : int, optional
        The identifier of the base calendar this one derives from (a resource calendar).

    Examples
    --------
    >>> from pilotage.engine.calendars import WeekPattern
    >>> PlanCalendar(1, Calendar("Standard", WeekPattern.standard())).calendar.name
    'Standard'
    """

    uid: int
    calendar: Calendar
    base_uid: int | None = None


@dataclass(frozen=True, slots=True)
class PlanTask:
    """One row of the plan: a task, a summary task or a milestone.

    Parameters
    ----------
    uid : int
        The stable identifier links point at (MSPDI ``UID``).
    id : int or None
        The row number shown to the user (MSPDI ``ID``); renumbered on insertion.
    name : str
        The task's name.
    outline_level : int, optional
        Depth in the work breakdown structure, 1 for a top-level task.
    wbs, outline_number : str, optional
        The user's WBS code and the outline number (``"1.2.3"``) as the file gives them.
    parent_uid : int, optional
        The summary task this one belongs to, None at the top level.
    summary : bool, optional
        True when other tasks sit under this one: its dates roll up from them.
    milestone, manual, active : bool, optional
        A milestone; manually scheduled (its dates are kept as given); active (an inactive task
        is kept but not scheduled).
    duration_minutes : int, optional
        Working minutes of the task's calendar, or wall-clock minutes when ``elapsed``.
    duration_format : DurationFormat, optional
        The unit the duration is displayed in; None when the file leaves it unset.
    estimated : bool, optional
        The duration is an estimate (shown with a ``?``).
    elapsed : bool, optional
        The duration runs in wall-clock time (24-hour days, 7-day weeks).
    constraint_type : PlanConstraintType, optional
        ``"ASAP"`` by default.
    constraint_date : datetime, optional
        Required by every constraint but ASAP and ALAP.
    deadline : datetime, optional
        A date the task should finish by; it only affects late dates and float.
    calendar_uid : int, optional
        The task's own calendar, None to use the plan's calendar.
    priority : int, optional
        0 to 1000, 500 by default.
    percent_complete : float, optional
        0 to 100.
    actual_start, actual_finish : datetime, optional
        Progress recorded on the task.
    actual_duration_minutes, remaining_duration_minutes : int, optional
        Progress in the same unit as ``duration_minutes``; None when the file does not say.
    notes : str, optional
        Free text.
    start, finish : datetime, optional
        The dates the authoring tool scheduled (roll-ups on summary tasks), for checking.
    early_start, early_finish, late_start, late_finish : datetime, optional
        The authoring tool's early and late dates, when the file has them.
    total_slack_minutes, free_slack_minutes : int, optional
        The authoring tool's float, in working minutes, when the file has it.
    critical : bool, optional
        The authoring tool's critical flag, when the file has it.
    leveling_delay_minutes : int, optional
        Delay added by resource levelling, in the unit family of ``leveling_delay_format``
        (wall-clock minutes when that format is elapsed).
    leveling_delay_format : DurationFormat, optional
        The display unit of the levelling delay.

    Raises
    ------
    ScheduleInputError
        If a value is out of range; the message names the task and the field.

    Examples
    --------
    >>> PlanTask(uid=7, id=3, name="Design", duration_minutes=2400, duration_format="w").elapsed
    False
    >>> PlanTask(uid=7, id=3, name="Design", duration_minutes=-60)
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ScheduleInputError: Task 7: duration_minutes must be 0 or more, not -60
    """

    uid: int
    id: int | None
    name: str
    outline_level: int = 1
    wbs: str = ""
    outline_number: str = ""
    parent_uid: int | None = None
    summary: bool = False
    milestone: bool = False
    manual: bool = False
    active: bool = True
    duration_minutes: int = 0
    duration_format: DurationFormat | None = None
    estimated: bool = False
    elapsed: bool = False
    constraint_type: PlanConstraintType = "ASAP"
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    calendar_uid: int | None = None
    priority: int = 500
    percent_complete: float = 0.0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    actual_duration_minutes: int | None = None
    remaining_duration_minutes: int | None = None
    notes: str = ""
    start: datetime | None = None
    finish: datetime | None = None
    early_start: datetime | None = None
    early_finish: datetime | None = None
    late_start: datetime | None = None
    late_finish: datetime | None = None
    total_slack_minutes: int | None = None
    free_slack_minutes: int | None = None
    critical: bool | None = None
    leveling_delay_minutes: int = 0
    leveling_delay_format: DurationFormat | None = None

    def __post_init__(self) -> None:
        owner = f"Task {self.uid}"
        if self.outline_level < 0:
            raise _fail(owner, f"outline_level must be 0 or more, not {self.outline_level}")
        for label, minutes in (
            ("duration_minutes", self.duration_minutes),
            ("actual_duration_minutes", self.actual_duration_minutes),
            ("remaining_duration_minutes", self.remaining_duration_minutes),
        ):
            if minutes is not None and minutes < 0:
                raise _fail(owner, f"{label} must be 0 or more, not {minutes}")
        for label, unit in (
            ("duration_format", self.duration_format),
            ("leveling_delay_format", self.leveling_delay_format),
        ):
            if unit is not None and unit not in DURATION_FORMATS:
                raise _fail(owner, f"{label} {unit!r} is not one of {', '.join(DURATION_FORMATS)}")
        if self.duration_format is not None and self.elapsed != (
            self.duration_format in ELAPSED_FORMATS
        ):
            raise _fail(
                owner,
                f"elapsed={self.elapsed} contradicts the duration format {self.duration_format!r}",
            )
        if self.constraint_type not in CONSTRAINT_TYPES:
            raise _fail(
                owner,
                f"constraint_type {self.constraint_type!r} is not one of "
                f"{', '.join(CONSTRAINT_TYPES)}",
            )
        if self.constraint_type in _DATED_CONSTRAINTS and self.constraint_date is None:
            raise _fail(owner, f"a {self.constraint_type} constraint needs a constraint_date")
        if not 0 <= self.priority <= 1000:
            raise _fail(owner, f"priority must be 0 to 1000, not {self.priority}")
        if not 0 <= self.percent_complete <= 100:
            raise _fail(owner, f"percent_complete must be 0 to 100, not {self.percent_complete}")
        if (
            self.actual_start is not None
            and self.actual_finish is not None
            and self.actual_finish < self.actual_start
        ):
            raise _fail(owner, "actual_finish must not be before actual_start")


@dataclass(frozen=True, slots=True)
class PlanLink:
    """A dependency: the successor's dates depend on the predecessor's.

    Parameters
    ----------
    predecessor_uid, successor_uid : int
        The UIDs of the two tasks.
    type : PlanLinkType, optional
        ``"FS"`` (the default), ``"SS"``, ``"FF"`` or ``"SF"``.
    lag_minutes : int, optional
        Working minutes (wall-clock minutes when ``elapsed_lag``) added to the link; negative
        for a lead. Zero for a percentage lag.
    lag_format : DurationFormat, optional
        The unit the lag is displayed in.
    lag_percent : float, optional
        For a percentage lag (``lag_format`` ``"%"`` or ``"e%"``): the lag as a percentage of
        the predecessor's duration.
    elapsed_lag : bool, optional
        The lag runs in wall-clock time.
    cross_project : bool, optional
        The predecessor belongs to another project; its UID is that project's.
    cross_project_name : str, optional
        Where the other project is, as the file names it.

    Raises
    ------
    ScheduleInputError
        If the type is unknown or the lag fields disagree; the message names the successor.

    Examples
    --------
    >>> PlanLink(3, 5, "SS", lag_minutes=960, lag_format="d")
    PlanLink(predecessor_uid=3, successor_uid=5, type='SS', lag_minutes=960, lag_format='d', \
lag_percent=None, elapsed_lag=False, cross_project=False, cross_project_name='')
    >>> PlanLink(3, 5, "XX")
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ScheduleInputError: Task 5: the link from task 3 has type 'XX', \
not one of FS, SS, FF, SF
    """

    predecessor_uid: int
    successor_uid: int
    type: PlanLinkType = "FS"
    lag_minutes: int = 0
    lag_format: DurationFormat | None = None
    lag_percent: float | None = None
    elapsed_lag: bool = False
    cross_project: bool = False
    cross_project_name: str = ""

    def __post_init__(self) -> None:
        owner = f"Task {self.successor_uid}"
        about = f"the link from task {self.predecessor_uid}"
        if self.type not in LINK_TYPES:
            raise _fail(
                owner, f"{about} has type {self.type!r}, not one of {', '.join(LINK_TYPES)}"
            )
        if self.lag_format is not None and self.lag_format not in DURATION_FORMATS:
            raise _fail(owner, f"{about} has an unknown lag format {self.lag_format!r}")
        percent = self.lag_format in PERCENT_FORMATS
        if percent != (self.lag_percent is not None):
            raise _fail(owner, f"{about}: lag_percent goes with a '%' or 'e%' lag format only")
        if percent and self.lag_minutes != 0:
            raise _fail(owner, f"{about}: a percentage lag has no lag_minutes")
        if self.lag_format is not None and self.elapsed_lag != (self.lag_format in ELAPSED_FORMATS):
            raise _fail(
                owner,
                f"{about}: elapsed_lag={self.elapsed_lag} contradicts the lag format "
                f"{self.lag_format!r}",
            )


@dataclass(frozen=True)
class Plan:
    """A whole plan: project settings, calendars, tasks in outline order, and links.

    Parameters
    ----------
    name : str
        The project's name.
    start, finish : datetime, optional
        The project's start and finish as the file gives them; with ``schedule_from_start``
        the start is the anchor of the schedule, otherwise the finish is.
    schedule_from_start : bool, optional
        True (the default) to schedule forward from ``start``.
    status_date : datetime, optional
        The date progress was recorded up to.
    current_date : datetime, optional
        The authoring tool's "current date" when the file was saved.
    calendar_uid : int, optional
        The project calendar; None for Microsoft Project's standard calendar.
    minutes_per_day, minutes_per_week, days_per_month : int, optional
        How days, weeks and months of duration convert to working minutes.
    default_start_minute, default_finish_minute : int, optional
        The default start and finish times of a working day, in minutes from midnight.
    honor_constraints : bool, optional
        The file's ``HonorConstraints`` setting as written, None when absent.
    currency_code, currency_symbol : str, optional
        The currency of the plan's costs.
    calendars : tuple of PlanCalendar, optional
        The calendars; a base calendar comes before the calendars derived from it.
    tasks : tuple of PlanTask, optional
        The tasks in outline order (a summary task directly before its children).
    links : tuple of PlanLink, optional
        The dependencies.
    project_summary : PlanTask, optional
        The file's project summary row (MSPDI task UID 0), kept for its dates; not a task.

    Raises
    ------
    ScheduleInputError
        If identifiers repeat, a task's parent does not come before it, or a link, task or
        calendar points at something missing; the message names the task or calendar.

    Examples
    --------
    >>> Plan(name="Empty").tasks
    ()
    >>> Plan(name="Broken", tasks=(PlanTask(uid=2, id=1, name="B"),), links=(PlanLink(1, 2),))
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ScheduleInputError: Task 2: the link from task 1 points at a task \
that is not in the plan
    """

    name: str
    start: datetime | None = None
    finish: datetime | None = None
    schedule_from_start: bool = True
    status_date: datetime | None = None
    current_date: datetime | None = None
    calendar_uid: int | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    default_start_minute: int = 480
    default_finish_minute: int = 1020
    honor_constraints: bool | None = None
    currency_code: str = ""
    currency_symbol: str = ""
    calendars: tuple[PlanCalendar, ...] = ()
    tasks: tuple[PlanTask, ...] = ()
    links: tuple[PlanLink, ...] = ()
    project_summary: PlanTask | None = None

    def __post_init__(self) -> None:
        for attribute in ("calendars", "tasks", "links"):
            object.__setattr__(self, attribute, tuple(getattr(self, attribute)))
        for label, value in (
            ("minutes_per_day", self.minutes_per_day),
            ("minutes_per_week", self.minutes_per_week),
            ("days_per_month", self.days_per_month),
        ):
            if value <= 0:
                raise _fail(f"Plan {self.name!r}", f"{label} must be positive, not {value}")
        calendar_uids = self._check_calendars()
        task_uids = self._check_tasks(calendar_uids)
        if self.calendar_uid is not None and self.calendar_uid not in calendar_uids:
            raise _fail(
                f"Plan {self.name!r}",
                f"the project calendar {self.calendar_uid} is not in the plan",
            )
        for link in self.links:
            if link.successor_uid not in task_uids:
                raise _fail(
                    f"Task {link.successor_uid}",
                    f"the link from task {link.predecessor_uid} has a successor that is not in the "
                    "plan",
                )
            if not link.cross_project and link.predecessor_uid not in task_uids:
                raise _fail(
                    f"Task {link.successor_uid}",
                    f"the link from task {link.predecessor_uid} points at a task that is not in "
                    "the plan",
                )

    def _check_calendars(self) -> set[int]:
        uids: set[int] = set()
        for plan_calendar in self.calendars:
            if plan_calendar.uid in uids:
                raise _fail(f"Calendar {plan_calendar.uid}", "the UID is used twice")
            uids.add(plan_calendar.uid)
        for plan_calendar in self.calendars:
            if plan_calendar.base_uid is not None and plan_calendar.base_uid not in uids:
                raise _fail(
                    f"Calendar {plan_calendar.uid}",
                    f"the base calendar {plan_calendar.base_uid} is not in the plan",
                )
        return uids

    def _check_tasks(self, calendar_uids: set[int]) -> set[int]:
        uids: set[int] = set()
        for task in self.tasks:
            if task.uid in uids:
                raise _fail(f"Task {task.uid}", "the UID is used twice")
            if task.parent_uid is not None and task.parent_uid not in uids:
                raise _fail(
                    f"Task {task.uid}",
                    f"the parent task {task.parent_uid} must come before it in the plan",
                )
            if task.calendar_uid is not None and task.calendar_uid not in calendar_uids:
                raise _fail(
                    f"Task {task.uid}", f"the calendar {task.calendar_uid} is not in the plan"
                )
            uids.add(task.uid)
        return uids

    @cached_property
    def tasks_by_uid(self) -> dict[int, PlanTask]:
        """The tasks keyed by UID.

        Examples
        --------
        >>> Plan(name="P", tasks=(PlanTask(uid=4, id=1, name="A"),)).tasks_by_uid[4].name
        'A'
        """
        return {task.uid: task for task in self.tasks}

    @cached_property
    def calendars_by_uid(self) -> dict[int, PlanCalendar]:
        """The calendars keyed by UID.

        Examples
        --------
        >>> from pilotage.engine.calendars import WeekPattern
        >>> plan = Plan(name="P", calendars=(PlanCalendar(1, Calendar("Standard")),))
        >>> plan.calendars_by_uid[1].calendar.name
        'Standard'
        """
        return {plan_calendar.uid: plan_calendar for plan_calendar in self.calendars}

    def task(self, uid: int) -> PlanTask:
        """The task with a UID.

        Parameters
        ----------
        uid : int
            The task's UID.

        Returns
        -------
        PlanTask
            The task.

        Raises
        ------
        KeyError
            If no task has that UID.

        Examples
        --------
        >>> Plan(name="P", tasks=(PlanTask(uid=4, id=1, name="A"),)).task(4).id
        1
        """
        return self.tasks_by_uid[uid]

    def children(self, uid: int | None) -> Iterable[PlanTask]:
        """The tasks directly under a summary task (or at the top level for None), in order.

        Parameters
        ----------
        uid : int or None
            The summary task's UID, or None for the top-level tasks.

        Returns
        -------
        iterable of PlanTask
            The children in outline order.

        Examples
        --------
        >>> plan = Plan(name="P", tasks=(
        ...     PlanTask(uid=1, id=1, name="Phase", summary=True),
        ...     PlanTask(uid=2, id=2, name="Step", outline_level=2, parent_uid=1),
        ... ))
        >>> [task.uid for task in plan.children(None)], [task.uid for task in plan.children(1)]
        ([1], [2])
        """
        return [task for task in self.tasks if task.parent_uid == uid]
