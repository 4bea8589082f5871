"""Level one or several plans together: the leveling engine applied to calendars and dates.

:func:`level_plans` takes plans (a portfolio levels its projects together), the resources with
their capacity and calendar, and who works on which task; it schedules each plan, puts every
task on a grid of equal periods, calls :func:`~pilotage.engine.leveling.level_resources`, and
gives back for each task the **leveling delay** to store, which :func:`schedule_plan` applies
as Microsoft Project does, with the leveled dates and the reason of every delay.

The rules, as planners know them from Microsoft Project
---------------------------------------------------------
- Each plan is scheduled first (:func:`~pilotage.engine.schedule_plan.schedule_plan`, with the
  leveling delays it had cleared): its early dates are where leveling starts from.
- Project priority ranks first, then task priority (both 0 to 1000, higher is leveled last);
  priority 1000 on the project or on the task means "do not level".
- Never moved: tasks that have started (they use their resources where they are), tasks with a
  must-start-on, must-finish-on, start-no-later-than or finish-no-later-than constraint, and
  manually scheduled tasks. Finished and inactive tasks use no capacity.
- Summary tasks are not leveled (their tasks are), milestones use no resources, an elapsed task
  works around the clock, every other task works on its calendar (or the project calendar).
- A resource has units from dates on (1 = one full-time person, 0 = unavailable) and works only
  in its calendar's working time, when it has one.
- ``within_slack``: a task is not delayed past its late finish; what cannot fit stays where
  it is and is reported as an over-allocation left unresolved.

The grid
--------
One period is ``period_minutes`` (an hour by default) from midnight of the earliest project
start. A calendar works in a period when it works at least half of it; a task needs the working
periods its early dates cover. The periods in which no calendar of the tasks works (nights,
weekends, holidays) are left out of the grid the engine sees: nothing can happen there. The
delay of a task is the time between the start its leveled predecessors allow and its leveled
start, in elapsed time (``"ed"``, Microsoft Project's usual unit), so that the plans scheduled
with the delays give the leveled dates. With calendars,
durations and lags on whole periods (the usual hours) this is exact; finer ones are rounded
to periods, and an elapsed lag counts as the working time it spans on average.

Examples
--------
Alice works on Design in both projects; project A has the higher priority, so B's waits:

>>> from datetime import datetime
>>> from pilotage.engine.plan import Plan, PlanTask
>>> def plan(name):
...     return Plan(name=name, start=datetime(2026, 3, 2, 8),
...                 tasks=(PlanTask(uid=1, id=1, name="Design", duration_minutes=960),))
>>> result = level_plans(
...     [LevelingProject("A", plan("A"), priority=800), LevelingProject("B", plan("B"))],
...     [LevelingResource("alice", "Alice Martin")],
...     [LevelingAssignment("A", 1, "alice"), LevelingAssignment("B", 1, "alice")],
... )
>>> moved = result.task("B", 1)
>>> moved.start, moved.leveling_delay_minutes, moved.leveling_delay_format
(datetime.datetime(2026, 3, 4, 8, 0), 2880, 'ed')
>>> print(result.explanations[0].sentence)
B: Design (UID 1) waits 2ed for Alice Martin, busy with A: Design (UID 1) on 2026-03-02 08:00.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Final, Literal

import numpy as np

from pilotage.engine.calendars import Calendar, WorkingTime, compile_calendar
from pilotage.engine.errors import (
    HorizonTooShortError,
    ResourceCapacityError,
    ScheduleInputError,
)
from pilotage.engine.leveling.level import level_resources
from pilotage.engine.leveling.problem import (
    BoolArray,
    FloatArray,
    IntArray,
    LevelingOptions,
    LevelingProblem,
    LevelingResult,
)
from pilotage.engine.plan import DurationFormat, Plan, PlanLink, PlanTask
from pilotage.engine.schedule_plan import PlanSchedule, schedule_plan

__all__ = [
    "CompetingTask",
    "LeveledTask",
    "LevelingAssignment",
    "LevelingExplanation",
    "LevelingProject",
    "LevelingResource",
    "PlanLevelingOptions",
    "PlanLevelingResult",
    "ProjectLeveling",
    "UnresolvedOverallocation",
    "delay_text",
    "level_plans",
]

_NEVER_LEVEL: Final = 1000
# Hard constraints are never moved; an as-late-as-possible task takes no leveling delay in the
# scheduler, so it is kept where it is too.
_FIXED_CONSTRAINTS: Final = frozenset({"MSO", "MFO", "SNLT", "FNLT", "ALAP"})
_LINK_CODES: Final = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
_WEEK: Final = 10080
_GROWTHS: Final = 6
"""How many times the grid may double when the leveled plans do not fit in it."""
_DROP_IDLE_PERIODS = True
"""Leave out of the engine's grid the periods in which no calendar of the tasks works."""


@dataclass(frozen=True)
class LevelingProject:
    """A plan to level, under a key that names it in the results.

    Parameters
    ----------
    key : str
        Unique among the projects leveled together (a project code, a file name).
    plan : Plan
        The plan.
    priority : int, optional
        0 to 1000 (500 by default), Microsoft Project's project priority: higher is leveled
        last, and 1000 is never leveled.

    Examples
    --------
    >>> LevelingProject("P", Plan(name="P")).priority
    500
    """

    key: str
    plan: Plan
    priority: int = 500

    def __post_init__(self) -> None:
        if not 0 <= self.priority <= _NEVER_LEVEL:
            raise ScheduleInputError(
                f"Project {self.key!r}: priority must be 0 to 1000, not {self.priority}"
            )


@dataclass(frozen=True)
class LevelingResource:
    """A resource the tasks compete for.

    Parameters
    ----------
    key : str
        Unique among the resources; assignments refer to it.
    name : str
        The name messages and explanations use.
    calendar : Calendar, optional
        Its working time: outside it, the resource has no capacity. None: the task's calendar
        alone decides.
    capacity : tuple of (datetime or None, float), optional
        Units available from each date on (None: from the beginning), in date order; 1 is one
        full-time person and 0 unavailable. One unit throughout by default.

    Examples
    --------
    >>> LevelingResource("crane", "Crane", capacity=((None, 2.0),)).capacity
    ((None, 2.0),)
    """

    key: str
    name: str
    calendar: Calendar | None = None
    capacity: tuple[tuple[datetime | None, float], ...] = ((None, 1.0),)


@dataclass(frozen=True)
class LevelingAssignment:
    """A resource working on a task: ``units`` of it in every working period of the task.

    Examples
    --------
    >>> LevelingAssignment("A", 3, "alice", 0.5).units
    0.5
    """

    project: str
    task_uid: int
    resource: str
    units: float = 1.0


@dataclass(frozen=True)
class PlanLevelingOptions:
    """How to level plans.

    Parameters
    ----------
    period_minutes : int, optional
        The length of a period of the grid (60 by default); whole divisors of a day keep
        periods on the clock.
    within_slack : bool, optional
        Only delay tasks within their total float: the project finishes do not move.
    mode, schedules, time_limit_seconds, seed
        As for :class:`~pilotage.engine.leveling.LevelingOptions`: ``"fast"`` or
        ``"optimise"``, the heuristics' schedule budget, a time cap, the random seed.

    Examples
    --------
    >>> PlanLevelingOptions(within_slack=True).period_minutes
    60
    """

    period_minutes: int = 60
    within_slack: bool = False
    mode: Literal["fast", "optimise"] = "fast"
    schedules: int | None = None
    time_limit_seconds: float | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.period_minutes <= 1440:
            raise ScheduleInputError(f"period_minutes must be 1 to 1440, not {self.period_minutes}")


@dataclass(frozen=True)
class CompetingTask:
    """A task named across projects: the project's key, the task's UID and name."""

    project: str
    uid: int
    name: str

    @property
    def label(self) -> str:
        """``"Project: Name (UID n)"``.

        Examples
        --------
        >>> CompetingTask("A", 3, "Pour").label
        'A: Pour (UID 3)'
        """
        return f"{self.project}: {self.name} (UID {self.uid})"


@dataclass(frozen=True)
class LeveledTask:
    """One task's dates before and after leveling, and the leveling delay to store.

    ``start_before``/``finish_before`` are the dates of the plan as given (its own leveling
    delays included); ``start``/``finish`` those of the plan with ``leveling_delay_minutes``
    (wall-clock minutes, in ``leveling_delay_format``), which :func:`schedule_plan` gives back.
    """

    project: str
    uid: int
    name: str
    start_before: datetime
    finish_before: datetime
    start: datetime
    finish: datetime
    leveling_delay_minutes: int
    leveling_delay_format: DurationFormat | None

    @property
    def moved(self) -> bool:
        """Whether leveling changed the task's dates."""
        return (self.start, self.finish) != (self.start_before, self.finish_before)


@dataclass(frozen=True)
class LevelingExplanation:
    """Why a task was delayed: the resource it waited for and who was using it then.

    ``when`` is when the task could have started without resources; ``delay_minutes`` is
    its leveling delay (wall-clock minutes).
    """

    task: CompetingTask
    delay_minutes: int
    when: datetime
    resource_key: str
    resource_name: str
    competing: tuple[CompetingTask, ...]

    @property
    def sentence(self) -> str:
        """The explanation in plain words.

        Examples
        --------
        >>> LevelingExplanation(CompetingTask("A", 2, "Build"), 1440, datetime(2026, 3, 2, 8),
        ...                     "bob", "Bob", (CompetingTask("B", 5, "Test"),)).sentence
        'A: Build (UID 2) waits 1ed for Bob, busy with B: Test (UID 5) on 2026-03-02 08:00.'
        """
        return self.describe()

    def describe(self, *, projects: bool = True) -> str:
        """The explanation in plain words, with or without the projects' keys.

        Examples
        --------
        >>> LevelingExplanation(CompetingTask("A", 2, "Build"), 1440, datetime(2026, 3, 2, 8),
        ...                     "bob", "Bob", ()).describe(projects=False)
        'Build (UID 2) waits 1ed for Bob (no capacity then) on 2026-03-02 08:00.'
        """

        def label(task: CompetingTask) -> str:
            return task.label if projects else f"{task.name} (UID {task.uid})"

        others = ", ".join(label(task) for task in self.competing)
        busy = f", busy with {others}" if others else " (no capacity then)"
        return (
            f"{label(self.task)} waits {delay_text(self.delay_minutes)} for "
            f"{self.resource_name}{busy} on {self.when:%Y-%m-%d %H:%M}."
        )


@dataclass(frozen=True)
class UnresolvedOverallocation:
    """A resource over its capacity from ``start`` to ``finish`` that leveling left: fixed
    tasks, or tasks leveled within slack that could not fit."""

    resource_key: str
    resource_name: str
    start: datetime
    finish: datetime
    tasks: tuple[CompetingTask, ...]


@dataclass(frozen=True)
class ProjectLeveling:
    """A project's finish before and after leveling, and the plan with its leveling delays."""

    key: str
    finish_before: datetime
    finish_after: datetime
    plan: Plan
    schedule: PlanSchedule = field(repr=False, compare=False)


@dataclass(frozen=True, eq=False)
class PlanLevelingResult:
    """What :func:`level_plans` found.

    Attributes
    ----------
    projects : tuple of ProjectLeveling
        Per project, in the order given: the finishes, the leveled plan (its tasks carry the
        leveling delays) and its schedule.
    tasks : tuple of LeveledTask
        Every task that was leveled or could have been (not summary, finished or inactive
        tasks), project by project in plan order.
    explanations : tuple of LevelingExplanation
        One per resource that delayed a task.
    unresolved : tuple of UnresolvedOverallocation
        Over-allocations left.
    period_minutes, seconds, schedules_generated, best_method, proven_optimal, \
time_limit_reached
        How the grid was cut and how the engine ran.
    """

    projects: tuple[ProjectLeveling, ...]
    tasks: tuple[LeveledTask, ...]
    explanations: tuple[LevelingExplanation, ...]
    unresolved: tuple[UnresolvedOverallocation, ...]
    period_minutes: int
    seconds: float
    schedules_generated: int
    best_method: str
    proven_optimal: bool
    time_limit_reached: bool

    @cached_property
    def _index(self) -> dict[tuple[str, int], LeveledTask]:
        return {(task.project, task.uid): task for task in self.tasks}

    def task(self, project: str, uid: int) -> LeveledTask:
        """The leveled task of a project with a UID (KeyError if it was not leveled)."""
        return self._index[(project, uid)]

    def project(self, key: str) -> ProjectLeveling:
        """The result of one project (KeyError if unknown)."""
        for item in self.projects:
            if item.key == key:
                return item
        raise KeyError(key)

    @property
    def delayed(self) -> tuple[LeveledTask, ...]:
        """The tasks that leveling gave a delay."""
        return tuple(task for task in self.tasks if task.leveling_delay_minutes)


def delay_text(minutes: int) -> str:
    """A leveling delay in Microsoft Project's elapsed units.

    Examples
    --------
    >>> delay_text(2880), delay_text(90), delay_text(120)
    ('2ed', '1.5eh', '2eh')
    """
    if minutes % 1440 == 0 or minutes >= 1440:
        return f"{round(minutes / 1440, 2):g}ed"
    if minutes >= 60:
        return f"{round(minutes / 60, 2):g}eh"
    return f"{minutes}em"


def _delay_format(minutes: int) -> DurationFormat | None:
    if minutes == 0:
        return None
    return "ed" if minutes % 1440 == 0 else "eh" if minutes % 60 == 0 else "em"


@dataclass
class _Task:
    """A task of the grid and where it comes from."""

    project: int
    plan_task: PlanTask
    row: int  # in its project's schedule
    calendar: int
    fixed: bool
    demands: dict[int, float] = field(default_factory=dict)


class _Grid:
    """Periods of ``period`` minutes from ``origin``, of which the engine sees the kept ones.

    The full grid has ``full`` periods; ``kept`` lists, in order, those the engine sees
    (position ``p`` of the problem is period ``kept[p]``). The periods dropped are those in
    which no calendar of the tasks works: no task works and no capacity is used there, so
    leaving them out changes no schedule, only the work of the kernels (nights and weekends
    are two thirds of an hourly grid). Counts of working periods are the same in both grids.
    """

    def __init__(self, origin: datetime, period: int, full: int) -> None:
        self.origin = origin
        self.period = period
        self.full = full
        self.origin_minute = int(np.datetime64(origin, "m").astype(np.int64))
        self.kept: IntArray = np.arange(full, dtype=np.int64)
        self._instants: IntArray = np.arange(full + 1, dtype=np.int64)

    @property
    def horizon(self) -> int:
        """The number of periods the engine sees."""
        return int(self.kept.size)

    def keep(self, mask: BoolArray) -> None:
        """Keep the periods of the full grid where ``mask`` is true."""
        self.kept = np.flatnonzero(mask).astype(np.int64)
        self._instants = np.append(self.kept, self.full).astype(np.int64)

    def boundaries(self) -> np.ndarray:
        """The boundaries of the full grid's periods."""
        minutes = self.origin_minute + self.period * np.arange(self.full + 1, dtype=np.int64)
        return minutes.astype("datetime64[m]")

    def working(self, working_time: WorkingTime | None) -> BoolArray:
        """Which periods of the full grid a calendar works (at least half of the period)."""
        if working_time is None:
            return np.ones(self.full, dtype=bool)
        offsets = np.asarray(working_time.working_offset(self.boundaries()), dtype=np.int64)
        return np.asarray(2 * np.diff(offsets) >= self.period, dtype=bool)

    def minutes(self, moments: np.ndarray) -> IntArray:
        """Minutes from the origin of an array of datetime64."""
        values = np.asarray(moments).astype("datetime64[m]").astype(np.int64)
        return np.asarray(values - self.origin_minute, dtype=np.int64)

    def floor_periods(self, moments: np.ndarray) -> IntArray:
        """The full-grid period of each instant (0 at the earliest)."""
        return np.maximum(self.minutes(moments) // self.period, 0)

    def ceil_periods(self, moments: np.ndarray) -> IntArray:
        """The full-grid period boundary at or after each instant (0 at the earliest)."""
        return np.maximum(-(-self.minutes(moments) // self.period), 0)

    def position(self, periods: IntArray) -> IntArray:
        """Full-grid periods (or boundaries) as positions of the engine: the number of kept
        periods before each, so a start goes to the first kept period at or after it and an
        exclusive finish stays just after the last kept period before it."""
        return np.searchsorted(self.kept, periods, side="left").astype(np.int64)

    def minute(self, position: int) -> int:
        """Minutes from the origin to the start of the kept period at ``position`` (the end of
        the grid at ``horizon``)."""
        return int(self._instants[min(max(position, 0), self.horizon)]) * self.period

    def at(self, position: int) -> datetime:
        """The start of the kept period at ``position``."""
        return self.origin + timedelta(minutes=self.minute(position))

    def end(self, position: int) -> datetime:
        """The end of the kept period just before ``position`` (an exclusive finish)."""
        if position <= 0:
            return self.at(0)
        return self.at(position - 1) + timedelta(minutes=self.period)

    def last(self) -> datetime:
        """The end of the full grid."""
        return self.origin + timedelta(minutes=self.full * self.period)


def _cleared(plan: Plan) -> Plan:
    if not any(task.leveling_delay_minutes for task in plan.tasks):
        return plan
    tasks = tuple(
        replace(task, leveling_delay_minutes=0, leveling_delay_format=None)
        if task.leveling_delay_minutes
        else task
        for task in plan.tasks
    )
    return replace(plan, tasks=tasks)


def level_plans(
    projects: Sequence[LevelingProject],
    resources: Sequence[LevelingResource],
    assignments: Iterable[LevelingAssignment] = (),
    options: PlanLevelingOptions | None = None,
) -> PlanLevelingResult:
    """Level plans together and give each delayed task its leveling delay and the reason.

    Parameters
    ----------
    projects : sequence of LevelingProject
        The plans, with their priorities.
    resources : sequence of LevelingResource
        The resources with their capacity and calendar.
    assignments : iterable of LevelingAssignment
        Which resource works on which task, with how many units.
    options : PlanLevelingOptions, optional
        The grid, within slack, the engine's mode, budget, time limit and seed.

    Returns
    -------
    PlanLevelingResult
        The leveled plans (with their leveling delays) and schedules, every task's dates
        before and after, the explanations and the over-allocations left.

    Raises
    ------
    ScheduleInputError
        If keys repeat or an assignment names an unknown project, task or resource.
    ResourceCapacityError
        If a resource has no working time, or a task needs more of a resource than it ever
        has; the message names the task and the resource.
    CyclicDependencyError, CalendarError
        As :func:`schedule_plan` raises them, naming the tasks or the calendar.

    Examples
    --------
    A crane (one unit) for two one-day tasks of the same project: the one of lower task
    priority waits a day.

    >>> from pilotage.engine.plan import Plan, PlanTask
    >>> plan = Plan(name="Site", start=datetime(2026, 3, 2, 8), tasks=(
    ...     PlanTask(uid=1, id=1, name="Lift", duration_minutes=480, priority=700),
    ...     PlanTask(uid=2, id=2, name="Hoist", duration_minutes=480),
    ... ))
    >>> result = level_plans(
    ...     [LevelingProject("site", plan)],
    ...     [LevelingResource("crane", "Crane")],
    ...     [LevelingAssignment("site", 1, "crane"), LevelingAssignment("site", 2, "crane")],
    ... )
    >>> [(task.uid, task.start.isoformat()) for task in result.tasks]
    [(1, '2026-03-02T08:00:00'), (2, '2026-03-03T08:00:00')]
    >>> result.project("site").finish_after
    datetime.datetime(2026, 3, 3, 17, 0)
    """
    began = time.perf_counter()
    settings = options if options is not None else PlanLevelingOptions()
    keys = [project.key for project in projects]
    if len(set(keys)) != len(keys):
        raise ScheduleInputError("Each project to level needs its own key")
    resource_index = {resource.key: index for index, resource in enumerate(resources)}
    if len(resource_index) != len(resources):
        raise ScheduleInputError("Each resource to level needs its own key")

    before = [schedule_plan(project.plan) for project in projects]
    cleared_plans = [_cleared(project.plan) for project in projects]
    base = [
        schedule if cleared is project.plan else schedule_plan(cleared)
        for schedule, cleared, project in zip(before, cleared_plans, projects, strict=True)
    ]
    builder = _Builder(projects, resources, resource_index, base, settings)
    builder.add_assignments(assignments)
    leveling, grid = builder.level()

    delays: dict[tuple[int, int], int] = {}
    if builder.tasks:
        earliest = np.asarray(leveling.earliest_start, dtype=np.int64)
        logic = np.where(
            builder.durations > 0,
            builder.first_working(builder.calendar_rows, earliest),
            earliest,
        )
        moved = np.flatnonzero(np.asarray(leveling.start, dtype=np.int64) > logic)
        for index in moved.tolist():
            task = builder.tasks[index]
            if task.fixed:
                continue
            minutes = grid.minute(int(leveling.start[index])) - grid.minute(int(logic[index]))
            if minutes > 0:
                delays[(task.project, task.plan_task.uid)] = minutes

    leveled: list[ProjectLeveling] = []
    rows: list[LeveledTask] = []
    task_lookup = {(task.project, task.plan_task.uid): task for task in builder.tasks}
    delayed_projects = {number for number, _ in delays}
    for number, project in enumerate(projects):
        plan = cleared_plans[number]
        tasks = tuple(
            replace(
                item,
                leveling_delay_minutes=delays[(number, item.uid)],
                leveling_delay_format=_delay_format(delays[(number, item.uid)]),
            )
            if (number, item.uid) in delays
            else item
            for item in plan.tasks
        )
        leveled_plan = replace(plan, tasks=tasks) if number in delayed_projects else plan
        schedule = schedule_plan(leveled_plan) if leveled_plan is not plan else base[number]
        leveled.append(
            ProjectLeveling(
                key=project.key,
                finish_before=before[number].project_finish,
                finish_after=schedule.project_finish,
                plan=leveled_plan,
                schedule=schedule,
            )
        )
        starts_before = before[number].start.tolist()
        finishes_before = before[number].finish.tolist()
        starts, finishes = schedule.start.tolist(), schedule.finish.tolist()
        for row, item in enumerate(leveled_plan.tasks):
            if (number, item.uid) not in task_lookup:
                continue
            minutes = item.leveling_delay_minutes
            rows.append(
                LeveledTask(
                    project=project.key,
                    uid=item.uid,
                    name=item.name,
                    start_before=starts_before[row],
                    finish_before=finishes_before[row],
                    start=starts[row],
                    finish=finishes[row],
                    leveling_delay_minutes=minutes,
                    leveling_delay_format=_delay_format(minutes),
                )
            )

    return PlanLevelingResult(
        projects=tuple(leveled),
        tasks=tuple(rows),
        explanations=builder.explanations(leveling, grid, delays),
        unresolved=builder.unresolved(leveling, grid),
        period_minutes=grid.period,
        seconds=time.perf_counter() - began,
        schedules_generated=leveling.schedules_generated,
        best_method=leveling.best_method,
        proven_optimal=leveling.proven_optimal,
        time_limit_reached=leveling.time_limit_reached,
    )


class _Builder:
    """Turns the scheduled plans into a :class:`LevelingProblem` and its answer back."""

    def __init__(
        self,
        projects: Sequence[LevelingProject],
        resources: Sequence[LevelingResource],
        resource_index: dict[str, int],
        schedules: Sequence[PlanSchedule],
        options: PlanLevelingOptions,
    ) -> None:
        self.projects = projects
        self.resources = resources
        self.resource_index = resource_index
        self.schedules = schedules
        self.options = options
        self.calendars: list[WorkingTime | None] = [None]  # row 0: around the clock
        self._calendar_rows: dict[object, int] = {}
        # (schedule network, its calendar number) -> row: hashing a calendar is not free
        self._network_rows: dict[tuple[int, int], int] = {}
        self.tasks: list[_Task] = []
        self.index: dict[tuple[int, int], int] = {}
        self._collect()
        projects_of = np.array([task.project for task in self.tasks], dtype=np.int64)
        self._rows: IntArray = np.array([task.row for task in self.tasks], dtype=np.int64)
        self._by_project = [
            np.flatnonzero(projects_of == number) for number in range(len(projects))
        ]
        self.calendar_rows: IntArray = np.array(
            [task.calendar for task in self.tasks], dtype=np.int64
        )
        self.durations = np.zeros(len(self.tasks), dtype=np.int64)
        self._working: BoolArray = np.ones((1, 0), dtype=bool)
        self._next_working: IntArray = np.full((1, 1), -1, dtype=np.int64)

    def _calendar_row(self, schedule: PlanSchedule, row: int) -> int:
        network = schedule.network
        assert network is not None
        if schedule.elapsed[row]:
            return 0
        number = int(network.tasks.calendar[row])
        known = self._network_rows.get((id(network), number))
        if known is not None:
            return known
        working = network.calendars[number]
        key: object = working.calendar
        try:
            hash(key)
        except TypeError:
            key = id(working)
        if key not in self._calendar_rows:
            self._calendar_rows[key] = len(self.calendars)
            self.calendars.append(working)
        self._network_rows[(id(network), number)] = self._calendar_rows[key]
        return self._calendar_rows[key]

    def _collect(self) -> None:
        for number, (project, schedule) in enumerate(
            zip(self.projects, self.schedules, strict=True)
        ):
            plan = project.plan
            for row, task in enumerate(plan.tasks):
                if schedule.summary[row] or not task.active or task.actual_finish is not None:
                    continue
                fixed = (
                    project.priority >= _NEVER_LEVEL
                    or task.priority >= _NEVER_LEVEL
                    or task.actual_start is not None
                    or task.percent_complete > 0
                    or task.constraint_type in _FIXED_CONSTRAINTS
                    or task.uid in schedule.manual
                )
                self.index[(number, task.uid)] = len(self.tasks)
                self.tasks.append(
                    _Task(number, task, row, self._calendar_row(schedule, row), fixed)
                )

    def add_assignments(self, assignments: Iterable[LevelingAssignment]) -> None:
        projects = {project.key: number for number, project in enumerate(self.projects)}
        for item in assignments:
            if item.project not in projects:
                raise ScheduleInputError(
                    f"An assignment names project {item.project!r}, which is not leveled"
                )
            number = projects[item.project]
            plan = self.projects[number].plan
            if item.task_uid not in plan.tasks_by_uid:
                raise ScheduleInputError(
                    f"Project {item.project!r}: an assignment names task {item.task_uid}, "
                    "which is not in the plan"
                )
            if item.resource not in self.resource_index:
                raise ScheduleInputError(
                    f"Project {item.project!r}: task {item.task_uid} is assigned "
                    f"{item.resource!r}, which is not a resource"
                )
            if item.units < 0:
                raise ScheduleInputError(
                    f"Project {item.project!r}: task {item.task_uid} has negative units of "
                    f"{item.resource!r}"
                )
            index = self.index.get((number, item.task_uid))
            if index is None or item.units == 0:
                continue  # summary, finished or inactive tasks use no capacity
            task = self.tasks[index]
            if task.plan_task.milestone or task.plan_task.duration_minutes == 0:
                continue
            resource = self.resource_index[item.resource]
            task.demands[resource] = task.demands.get(resource, 0.0) + float(item.units)

    def _origin(self) -> datetime:
        first = min(
            (schedule.project_start for schedule in self.schedules),
            default=datetime(2000, 1, 1),
        )
        return first.replace(hour=0, minute=0, second=0, microsecond=0)

    def _spans(self, grid: _Grid) -> tuple[IntArray, IntArray]:
        """The full-grid periods each task's early dates cover."""
        starts = np.zeros(len(self.tasks), dtype=np.int64)
        finishes = np.zeros(len(self.tasks), dtype=np.int64)
        for number, schedule in enumerate(self.schedules):
            indices = self._by_project[number]
            if not indices.size:
                continue
            rows = self._rows[indices]
            starts[indices] = grid.floor_periods(schedule.start[rows])
            finishes[indices] = grid.ceil_periods(schedule.finish[rows])
        return starts, finishes

    def level(self) -> tuple[LevelingResult, _Grid]:
        period = self.options.period_minutes
        origin = self._origin()
        probe = _Grid(origin, period, 0)
        starts, finishes = self._spans(probe)
        end = int(finishes.max()) if finishes.size else 0
        spans = finishes - starts
        # Half as long again as the plans, at least the longest task: enough for most
        # levelings; the grid doubles when the schedule does not fit (the calendars' compiled
        # span, not memory, is what a too generous first guess costs).
        horizon = end + max(int(spans.max(initial=0)), end // 2) + 24 * 60 // period + 1
        for _ in range(_GROWTHS):
            grid = _Grid(origin, period, horizon)
            try:
                return level_resources(self._problem(grid, starts, finishes), self._engine()), grid
            except HorizonTooShortError:
                horizon *= 2
        grid = _Grid(origin, period, horizon)
        return level_resources(self._problem(grid, starts, finishes), self._engine()), grid

    def _engine(self) -> LevelingOptions:
        options = self.options
        return LevelingOptions(
            mode=options.mode,
            schedules=options.schedules,
            time_limit_seconds=options.time_limit_seconds,
            seed=options.seed,
        )

    def first_working(self, calendars: IntArray, positions: IntArray) -> IntArray:
        """The first working period of each task's calendar at or after each position (the
        position itself when the calendar never works again)."""
        table = self._next_working
        limit = table.shape[1] - 1
        clipped = np.clip(positions, 0, limit)
        found = table[calendars, clipped]
        return np.where(found < 0, positions, found).astype(np.int64)

    def _working_rows(self, grid: _Grid) -> BoolArray:
        """The working periods of every calendar on the grid; drops the idle periods."""
        full = np.stack([grid.working(item) for item in self.calendars])
        used = np.unique(self.calendar_rows) if self.tasks else np.zeros(0, dtype=np.int64)
        if _DROP_IDLE_PERIODS and used.size:
            busy = np.asarray(full[used].any(axis=0), dtype=bool)
            if busy.any():
                grid.keep(busy)
                return np.ascontiguousarray(full[:, grid.kept])
        return full

    def _problem(self, grid: _Grid, starts: IntArray, finishes: IntArray) -> LevelingProblem:
        working = self._working_rows(grid)
        horizon = grid.horizon
        self._working = working
        # next working period of each calendar at or after each position (-1: none)
        count = len(self.tasks)
        columns = np.arange(horizon + 1, dtype=np.int64)
        marks = np.where(
            np.concatenate([working, np.zeros((working.shape[0], 1), dtype=bool)], axis=1),
            columns,
            horizon + 1,
        )
        following = np.minimum.accumulate(marks[:, ::-1], axis=1)[:, ::-1]
        self._next_working = np.where(following > horizon, -1, following).astype(np.int64)
        calendar = self.calendar_rows
        minutes = np.array([task.plan_task.duration_minutes for task in self.tasks], dtype=np.int64)
        fixed_task = np.array([task.fixed for task in self.tasks], dtype=bool)
        full_finish = np.minimum(finishes, grid.full)
        release = grid.position(starts)
        finish = grid.position(full_finish)
        cumulative = np.zeros((working.shape[0], horizon + 1), dtype=np.int64)
        np.cumsum(working, axis=1, out=cumulative[:, 1:])
        covered = np.maximum(
            cumulative[calendar, np.maximum(finish, release)] - cumulative[calendar, release], 0
        )
        spanning = full_finish > starts
        positive = (minutes > 0) | fixed_task
        durations = np.where(
            (minutes > 0) | spanning,
            np.where(positive & spanning, np.maximum(covered, 1), covered),
            0,
        ).astype(np.int64)
        fixed = np.where(fixed_task, release, -1).astype(np.int64)
        latest = np.full(count, -1, dtype=np.int64)
        if self.options.within_slack:
            late = np.zeros(count, dtype=np.int64)
            for number, schedule in enumerate(self.schedules):
                indices = self._by_project[number]
                if indices.size:
                    late[indices] = grid.floor_periods(schedule.late_finish[self._rows[indices]])
            latest = np.where(fixed_task, -1, grid.position(late)).astype(np.int64)
        priority = np.array([task.plan_task.priority for task in self.tasks], dtype=np.float64)
        group = np.array([task.project for task in self.tasks], dtype=np.int64)
        demands = np.zeros((count, max(len(self.resources), 1)), dtype=np.float64)
        for index, task in enumerate(self.tasks):
            for resource, units in task.demands.items():
                demands[index, resource] = units
        self.durations = durations
        capacity = np.zeros((max(len(self.resources), 1), horizon), dtype=np.float64)
        compiled: dict[object, BoolArray] = {}
        for number, item in enumerate(self.resources):
            capacity[number] = self._capacity(item, grid, compiled)
        self._check_capacity(demands, capacity, release)
        predecessors, successors, types, lags = self._links(working, grid.full)
        return LevelingProblem(
            durations=durations,
            demands=demands,
            capacity=capacity,
            link_predecessor=predecessors,
            link_successor=successors,
            link_type=types,
            link_lag=lags,
            release=release,
            working=working,
            calendar=calendar,
            fixed_start=fixed,
            latest_finish=latest,
            priority=priority,
            group=group,
            group_priority=np.array(
                [float(project.priority) for project in self.projects], dtype=np.float64
            ),
            task_names=tuple(self._label(task) for task in self.tasks),
            resource_names=tuple(resource.name for resource in self.resources) or ("-",),
        )

    def _label(self, task: _Task) -> str:
        return f"{task.plan_task.name} (UID {task.plan_task.uid})"

    def _capacity(
        self, resource: LevelingResource, grid: _Grid, compiled: dict[object, BoolArray]
    ) -> FloatArray:
        starts = (grid.origin_minute + grid.period * grid.kept).astype("datetime64[m]")
        values = np.zeros(grid.horizon, dtype=np.float64)
        for moment, units in resource.capacity:
            if units < 0:
                raise ScheduleInputError(
                    f"Resource {resource.name!r}: capacity must not be negative ({units})"
                )
            if moment is None:
                values[:] = units
            else:
                values[starts >= np.datetime64(moment, "m")] = units
        if resource.calendar is not None:
            key: object = resource.calendar
            try:
                hash(key)
            except TypeError:
                key = id(resource.calendar)
            if key not in compiled:
                working = compile_calendar(
                    resource.calendar, grid.origin.date(), grid.last().date()
                )
                compiled[key] = grid.working(working)[grid.kept]
            values = np.where(compiled[key], values, 0.0)
        return values

    def _check_capacity(self, demands: FloatArray, capacity: FloatArray, release: IntArray) -> None:
        if not self.resources or capacity.shape[1] == 0:
            return
        # The most each resource has from each period on: a task cannot start before its
        # release, so capacity it had earlier does not help it (and would only make the grid
        # grow in search of a period that never comes).
        ahead = np.maximum.accumulate(capacity[:, ::-1], axis=1)[:, ::-1]
        last = capacity.shape[1] - 1
        most = ahead[:, np.minimum(release, last)].T  # (tasks, resources)
        free = np.array([not task.fixed for task in self.tasks], dtype=bool)
        short = (demands[:, : len(self.resources)] > most + 1e-9) & free[:, None]
        if not short.any():
            return
        index, resource = (int(value) for value in np.argwhere(short)[0])
        task = self.tasks[index]
        units, available = task.demands[resource], float(most[index, resource])
        name = self.resources[resource].name
        if available <= 0:
            message = f"Resource {name!r} has no working time (task {self._label(task)})"
        else:
            message = (
                f"Task {task.plan_task.name!r} (UID {task.plan_task.uid}) needs "
                f"{units:g} units of {name!r} which has at most {available:g}"
                " from the task's start on"
            )
        raise ResourceCapacityError(message, task=index, resource=resource)

    def _links(
        self, working: BoolArray, full: int
    ) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        predecessors: list[int] = []
        successors: list[int] = []
        types: list[int] = []
        lags: list[int] = []
        # The share of working time over the whole grid, the idle periods left out included.
        share = working.sum(axis=1) / full if full else np.ones(working.shape[0])
        for number, project in enumerate(self.projects):
            plan = project.plan
            children: dict[int, list[int]] = {}
            for task in plan.tasks:
                if task.parent_uid is not None:
                    children.setdefault(task.parent_uid, []).append(task.uid)

            def leaves(uid: int, tree: dict[int, list[int]] = children) -> list[int]:
                below = tree.get(uid)
                if not below:
                    return [uid]
                return [leaf for child in below for leaf in leaves(child, tree)]

            for link in plan.links:
                if link.cross_project:
                    continue
                kind = _LINK_CODES[link.type]
                for before in leaves(link.predecessor_uid):
                    first = self.index.get((number, before))
                    if first is None:
                        continue
                    for after in leaves(link.successor_uid):
                        second = self.index.get((number, after))
                        if second is None or second == first:
                            continue
                        predecessors.append(first)
                        successors.append(second)
                        types.append(kind)
                        lags.append(
                            self._lag(link, plan, before, share[self.tasks[second].calendar])
                        )
        return (
            np.array(predecessors, dtype=np.int64),
            np.array(successors, dtype=np.int64),
            np.array(types, dtype=np.int64),
            np.array(lags, dtype=np.int64),
        )

    def _lag(self, link: PlanLink, plan: Plan, predecessor: int, share: float) -> int:
        period = self.options.period_minutes
        if link.lag_percent is not None:
            minutes = link.lag_percent * plan.task(predecessor).duration_minutes / 100
            elapsed = link.lag_format == "e%"
        else:
            minutes, elapsed = float(link.lag_minutes), link.elapsed_lag
        if elapsed:
            minutes *= share
        return round(minutes / period)

    def explanations(
        self, leveling: LevelingResult, grid: _Grid, delays: dict[tuple[int, int], int]
    ) -> tuple[LevelingExplanation, ...]:
        found: list[LevelingExplanation] = []
        for delay in leveling.delays:
            task = self.tasks[delay.task]
            minutes = delays.get((task.project, task.plan_task.uid), 0)
            if not minutes:
                continue
            when = int(leveling.earliest_start[delay.task])
            if self.durations[delay.task] > 0:
                when = int(
                    self.first_working(
                        np.array([task.calendar], dtype=np.int64),
                        np.array([when], dtype=np.int64),
                    )[0]
                )
            for blocker in delay.blockers:
                resource = self.resources[blocker.resource]
                found.append(
                    LevelingExplanation(
                        task=self._named(delay.task),
                        delay_minutes=minutes,
                        when=grid.at(when),
                        resource_key=resource.key,
                        resource_name=resource.name,
                        competing=tuple(self._named(other) for other in blocker.tasks),
                    )
                )
        return tuple(found)

    def _runs(
        self, leveling: LevelingResult, grid: _Grid
    ) -> list[tuple[int, int, int, tuple[int, ...]]]:
        """The engine's runs of over-allocated periods, cut where the grid left idle periods
        out (as the full grid would have cut them), each with the tasks working in it."""
        gaps = np.flatnonzero(np.diff(grid.kept) > 1) + 1
        runs: list[tuple[int, int, int, tuple[int, ...]]] = []
        for item in sorted(leveling.unresolved, key=lambda x: (x.resource, x.period_start)):
            if item.resource >= len(self.resources):
                continue
            start, finish = item.period_start, item.period_finish
            cuts = gaps[(gaps > start) & (gaps < finish)].tolist()
            if not cuts:
                runs.append((item.resource, start, finish, tuple(sorted(item.tasks))))
                continue
            for low, high in zip([start, *cuts], [*cuts, finish], strict=True):
                tasks = tuple(
                    sorted(task for task in item.tasks if self._works(leveling, task, low, high))
                )
                if tasks:
                    runs.append((item.resource, low, high, tasks))
        return runs

    def _works(self, leveling: LevelingResult, task: int, low: int, high: int) -> bool:
        """Whether a task of the leveled schedule works in a period of ``low .. high - 1``."""
        first = max(low, int(leveling.start[task]))
        last = min(high, int(leveling.finish[task]))
        return bool(self._working[self.tasks[task].calendar, first:last].any())

    def unresolved(
        self, leveling: LevelingResult, grid: _Grid
    ) -> tuple[UnresolvedOverallocation, ...]:
        # The engine reports each run of periods; the same tasks over the same resource on
        # both sides of a pause (lunch, a night) are one over-allocation for a planner.
        merged: list[tuple[int, int, int, tuple[int, ...]]] = []
        for resource, start, finish, tasks in self._runs(leveling, grid):
            if merged and merged[-1][0] == resource and merged[-1][3] == tasks:
                merged[-1] = (resource, merged[-1][1], finish, tasks)
            else:
                merged.append((resource, start, finish, tasks))
        return tuple(
            UnresolvedOverallocation(
                resource_key=self.resources[resource].key,
                resource_name=self.resources[resource].name,
                start=grid.at(start),
                finish=grid.end(finish),
                tasks=tuple(self._named(other) for other in tasks),
            )
            for resource, start, finish, tasks in merged
        )

    def _named(self, index: int) -> CompetingTask:
        task = self.tasks[index]
        return CompetingTask(
            self.projects[task.project].key, task.plan_task.uid, task.plan_task.name
        )
