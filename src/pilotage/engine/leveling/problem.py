"""The input and output of resource leveling: :class:`LevelingProblem`, options and result.

Time is a grid of equal periods ``0 .. h-1`` (the horizon ``h`` is the number of columns of
``capacity``). A task with duration ``d > 0`` starting at period ``s`` starts at the first
working period of its calendar at or after ``s``, works in the first ``d`` working periods of
its calendar from there and finishes just after the last of them (finishes are exclusive). It
uses ``demands[i]`` in each period it works. A milestone (``d == 0``) sits at one instant
``start == finish``.

Links (type 0 FS, 1 SS, 2 FF, 3 SF) tie a successor ``j`` to a predecessor ``i``:
FS ``S_j >= F_i + lag``, SS ``S_j >= S_i + lag``, FF ``F_j >= F_i + lag``,
SF ``F_j >= S_i + lag``, where adding a lag counts working periods of the successor's
calendar: ``count(S_j) >= count(F_i) + lag`` with ``count(t)`` the number of working periods
of that calendar before ``t``. When every period works this is plain arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "LINK_FF",
    "LINK_FS",
    "LINK_SF",
    "LINK_SS",
    "Blocker",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "LevelingDelay",
    "LevelingOptions",
    "LevelingProblem",
    "LevelingResult",
    "Overallocation",
]

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

LINK_FS = 0
LINK_SS = 1
LINK_FF = 2
LINK_SF = 3


@dataclass(frozen=True, eq=False)
class LevelingProblem:
    """Tasks, renewable resources and links on a grid of equal periods.

    Parameters
    ----------
    durations : (n,) int array
        Working periods each task needs; 0 is a milestone.
    demands : (n, r) float array
        Units of each resource a task uses in each period it works.
    capacity : (r, h) float array
        Units of each resource available in each period; ``h`` is the horizon.
    link_predecessor, link_successor, link_type, link_lag : (m,) int arrays
        The links: task indices, type (0 FS, 1 SS, 2 FF, 3 SF) and lag in working periods of
        the successor's calendar (may be negative).
    release : (n,) int array, optional
        Earliest start period of each task (default 0).
    working : (c, h) bool array, optional
        Which periods each calendar works (default: one calendar where every period works).
    calendar : (n,) int array, optional
        The calendar row of each task (default 0).
    fixed_start : (n,) int array, optional
        -1 for a free task; otherwise the task starts there (at the first working period of
        its calendar from there) and is never moved: actuals, hard constraints. Fixed tasks
        are placed first, whatever their links and the capacity say.
    latest_finish : (n,) int array, optional
        -1 for none. Level within slack: a task is not delayed to finish after this period;
        when it cannot fit before, it stays at its earliest start and the overallocation is
        reported in :attr:`LevelingResult.unresolved`.
    priority : (n,) float array, optional
        Higher is placed first and delayed last (task priority).
    group : (n,) int array, optional
        The project of each task, for reports and project priorities.
    group_priority : (g,) float array, optional
        Priority of each project (higher first); it ranks before the task priority, as the
        project priority does in Microsoft Project.
    task_names, resource_names, calendar_names : tuple of str, optional
        Names used in error messages.

    Examples
    --------
    Two tasks of two periods each need the one unit of a single resource:

    >>> problem = LevelingProblem(
    ...     durations=np.array([2, 2]),
    ...     demands=np.array([[1.0], [1.0]]),
    ...     capacity=np.ones((1, 10)),
    ...     link_predecessor=np.array([], dtype=np.int64),
    ...     link_successor=np.array([], dtype=np.int64),
    ...     link_type=np.array([], dtype=np.int64),
    ...     link_lag=np.array([], dtype=np.int64),
    ... )
    >>> problem.task_count, problem.resource_count, problem.horizon
    (2, 1, 10)
    """

    durations: IntArray
    demands: FloatArray
    capacity: FloatArray
    link_predecessor: IntArray
    link_successor: IntArray
    link_type: IntArray
    link_lag: IntArray
    release: IntArray | None = None
    working: BoolArray | None = None
    calendar: IntArray | None = None
    fixed_start: IntArray | None = None
    latest_finish: IntArray | None = None
    priority: FloatArray | None = None
    group: IntArray | None = None
    group_priority: FloatArray | None = None
    task_names: tuple[str, ...] | None = None
    resource_names: tuple[str, ...] | None = None
    calendar_names: tuple[str, ...] | None = None

    @property
    def task_count(self) -> int:
        """The number of tasks ``n``."""
        return int(np.shape(self.durations)[0])

    @property
    def resource_count(self) -> int:
        """The number of resources ``r``."""
        return int(np.shape(self.capacity)[0])

    @property
    def horizon(self) -> int:
        """The number of periods ``h``."""
        shape = np.shape(self.capacity)
        return int(shape[1]) if len(shape) == 2 else 0

    def task_label(self, task: int) -> str:
        """How messages name a task: its name when given, else its index.

        Examples
        --------
        >>> LevelingProblem(
        ...     np.array([1]), np.zeros((1, 0)), np.zeros((0, 1)), *[np.array([], int)] * 4,
        ...     task_names=("Pour",),
        ... ).task_label(0)
        "Task 'Pour'"
        """
        if self.task_names is not None and 0 <= task < len(self.task_names):
            return f"Task '{self.task_names[task]}'"
        return f"Task {task}"

    def resource_label(self, resource: int) -> str:
        """How messages name a resource: its name when given, else its index."""
        if self.resource_names is not None and 0 <= resource < len(self.resource_names):
            return f"resource '{self.resource_names[resource]}'"
        return f"resource {resource}"

    def calendar_label(self, calendar: int) -> str:
        """How messages name a calendar: its name when given, else its row."""
        if self.calendar_names is not None and 0 <= calendar < len(self.calendar_names):
            return f"Calendar '{self.calendar_names[calendar]}'"
        return f"Calendar {calendar}"


@dataclass(frozen=True)
class LevelingOptions:
    """How hard :func:`level_resources` searches.

    Parameters
    ----------
    mode : {"fast", "optimise"}
        ``fast``: priority rules, sampling and a genetic algorithm with forward-backward
        improvement under a small budget. ``optimise``: a larger budget, then CP-SAT warm
        started from the best schedule, and a CP-SAT neighbourhood search (when the problem
        has no calendar breaks, no priorities and no task levelled within slack).
    schedules : int, optional
        Budget of schedules the heuristics generate (each pass of a schedule-generation
        scheme counts one). The default grows with the mode and shrinks with the size.
        Within the budget the result depends only on the seed.
    time_limit_seconds : float, optional
        A cap on the run (default 1 s fast, 30 s optimise); ``time_limit_reached`` says when
        it cut the run short.
    seed : int
        Seed of the random generator.
    schemes : tuple of {"serial", "parallel"}
        Schedule-generation schemes used by the priority-rule passes and sampling.
    rules : tuple of {"lft", "lst", "minslk", "est", "spt", "grpw"}
        Priority rules (after the project and task priorities, which always rank first).
    improvement : bool
        Forward-backward improvement (double justification) of the schedules.
    genetic : bool
        Run the genetic algorithm after the priority rules and sampling.
    population : int, optional
        Size of the genetic algorithm's population (default 80 fast, 120 optimise).
    cpsat : bool
        In optimise mode, finish with CP-SAT when the problem allows it.
    cpsat_workers : int
        CP-SAT search workers.
    cpsat_share : float
        In optimise mode, the share of the time limit kept for CP-SAT at the end (a short
        CP-SAT probe also runs before the genetic algorithm, to prove easy cases at once).

    Examples
    --------
    >>> LevelingOptions(mode="optimise", seed=3).seed
    3
    """

    mode: Literal["fast", "optimise"] = "fast"
    schedules: int | None = None
    time_limit_seconds: float | None = None
    seed: int = 0
    schemes: tuple[Literal["serial", "parallel"], ...] = ("serial", "parallel")
    rules: tuple[str, ...] = ("lft", "lst", "minslk", "grpw")
    improvement: bool = True
    genetic: bool = True
    population: int | None = None
    cpsat: bool = True
    cpsat_workers: int = 2
    cpsat_share: float = 0.3


@dataclass(frozen=True)
class Blocker:
    """A resource that lacked capacity when a task could have started, and who used it."""

    resource: int
    tasks: tuple[int, ...]


@dataclass(frozen=True)
class LevelingDelay:
    """A task leveling delayed by ``periods``, with the resources and tasks that held it back."""

    task: int
    periods: int
    blockers: tuple[Blocker, ...]


@dataclass(frozen=True)
class Overallocation:
    """Periods ``period_start .. period_finish - 1`` where ``resource`` is over its capacity."""

    resource: int
    period_start: int
    period_finish: int
    tasks: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class LevelingResult:
    """The leveled schedule and how it was found.

    Attributes
    ----------
    start, finish : (n,) int arrays
        Start period and exclusive finish period of each task.
    makespan : int
        The latest finish.
    schedules_generated : int
        Passes of a schedule-generation scheme run.
    critical_path_bound : int
        The makespan without resources (releases and fixed tasks included): a lower bound.
    lower_bound : int
        The best lower bound known (critical path, resource energy, CP-SAT's bound).
    proven_optimal : bool
        The makespan equals the lower bound, or CP-SAT proved it optimal.
    best_method : str
        What found the returned schedule.
    seconds : float
        Wall-clock time of the run.
    time_limit_reached : bool
        The time limit cut the run short of its schedule budget.
    earliest_start : (n,) int array
        The start each task could have had given its leveled predecessors and release,
        without resources: ``start - earliest_start`` is the delay leveling introduced.
    delays : tuple of LevelingDelay
        For each delayed task, the resources that lacked capacity at its earliest start and
        the tasks using them then.
    unresolved : tuple of Overallocation
        Overallocations left (fixed tasks, level within slack).
    """

    start: IntArray
    finish: IntArray
    makespan: int
    schedules_generated: int
    critical_path_bound: int
    proven_optimal: bool
    best_method: str
    seconds: float
    time_limit_reached: bool
    earliest_start: IntArray
    delays: tuple[LevelingDelay, ...] = ()
    unresolved: tuple[Overallocation, ...] = ()
    lower_bound: int = 0
    methods: dict[str, int] = field(default_factory=dict)
