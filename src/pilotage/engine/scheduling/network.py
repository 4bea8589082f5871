"""The input and output of scheduling: tasks, links, their codes, validation and the result.

Tasks and links are held as a struct of arrays (one numpy array per field, one element per task
or link) so that the critical path method can work on a whole network at once. Build them with
:meth:`ScheduleTasks.create` and :meth:`ScheduleLinks.create`, which fill in the defaults;
:func:`validate_network` checks the values and names the task and the field of the first
problem it finds.

Time is counted in minutes: instants are ``numpy.datetime64`` with unit ``"m"`` (naive local
wall-clock time, NaT where there is none), durations and lags are whole minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any, Final, Literal, TypeAlias, cast, overload

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError

__all__ = [
    "ConstraintType",
    "LagKind",
    "LinkType",
    "ScheduleLinks",
    "ScheduleResult",
    "ScheduleTasks",
    "validate_network",
]

IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
CodeArray: TypeAlias = npt.NDArray[np.int8]
DateArray: TypeAlias = npt.NDArray[np.datetime64]
InstantLike: TypeAlias = np.datetime64 | date | str

NOT_A_TIME: Final = np.datetime64("NaT", "m")
REMAINING_FROM_PERCENT: Final = -1
"""The ``remaining_duration_minutes`` of a task whose remaining work follows its % complete."""


class LinkType(IntEnum):
    """How a link ties its successor to its predecessor (the values are Microsoft Project's).

    FS: the successor starts after the predecessor finishes; SS: starts after it starts;
    FF: finishes after it finishes; SF: finishes after it starts. The lag is added to the
    predecessor's date in each case.

    Examples
    --------
    >>> LinkType.FS, LinkType(3)
    (<LinkType.FS: 1>, <LinkType.SS: 3>)
    """

    FF = 0
    FS = 1
    SF = 2
    SS = 3


class ConstraintType(IntEnum):
    """A task's date constraint (the values are Microsoft Project's).

    ASAP and ALAP take no date; SNET/FNET (start/finish no earlier than) only push a task later;
    SNLT/FNLT (start/finish no later than) and MSO/MFO (must start/finish on) are honoured even
    against the links, as Microsoft Project does by default, and a conflict shows as negative
    float.

    Examples
    --------
    >>> ConstraintType.SNET.needs_date, ConstraintType.ALAP.needs_date
    (True, False)
    """

    ASAP = 0
    ALAP = 1
    MSO = 2
    MFO = 3
    SNET = 4
    SNLT = 5
    FNET = 6
    FNLT = 7

    @property
    def needs_date(self) -> bool:
        """Whether the constraint comes with a date (all but ASAP and ALAP).

        Examples
        --------
        >>> ConstraintType.MFO.needs_date
        True
        """
        return self not in (ConstraintType.ASAP, ConstraintType.ALAP)


class LagKind(IntEnum):
    """What a link's lag is measured in.

    WORKING: working minutes of the successor's calendar (``lag_minutes``); ELAPSED: calendar
    minutes, nights and weekends included (``lag_minutes``); PERCENT: a percentage of the
    predecessor's duration (``lag_percent``), turned into working minutes of the successor's
    calendar and rounded to the nearest minute.

    Examples
    --------
    >>> LagKind.ELAPSED.name
    'ELAPSED'
    """

    WORKING = 0
    ELAPSED = 1
    PERCENT = 2


SUMMARY_CONSTRAINTS: Final = frozenset(
    {ConstraintType.ASAP, ConstraintType.ALAP, ConstraintType.SNET, ConstraintType.FNLT}
)
"""The constraints a summary task may carry (as in Microsoft Project)."""


def _fail(task_id: int | None, field: str, problem: str) -> ScheduleInputError:
    where = f"Task {task_id}" if task_id is not None else "Schedule"
    return ScheduleInputError(f"{where}: {field} {problem}")


def _integers(values: npt.ArrayLike, field: str, dtype: type[np.integer[Any]]) -> Any:
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1) if array.ndim == 0 else array
        if array.ndim != 1:
            raise _fail(None, field, "must be a one-dimensional array")
    if array.dtype.kind == "f":
        fractional = ~np.isfinite(array) | (array != np.round(array))
        if fractional.any():
            value = array[fractional][0]
            raise _fail(None, field, f"must hold whole numbers, not {value}")
    elif array.dtype.kind not in "iub" and array.size:
        raise _fail(None, field, f"must hold whole numbers, not {array.dtype}")
    return array.astype(dtype, copy=False)


def _floats(values: npt.ArrayLike, field: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise _fail(None, field, f"must hold numbers ({error})") from error
    if array.ndim != 1:
        raise _fail(None, field, "must be a one-dimensional array")
    return array


def _instants(values: npt.ArrayLike, field: str) -> DateArray:
    try:
        array = np.asarray(values, dtype="datetime64[m]")
    except (TypeError, ValueError) as error:
        raise _fail(None, field, f"must hold dates and times ({error})") from error
    if array.ndim != 1:
        raise _fail(None, field, "must be a one-dimensional array")
    return array


@overload
def as_instant(
    value: InstantLike | None, field: str, *, required: Literal[True]
) -> np.datetime64: ...
@overload
def as_instant(
    value: InstantLike | None, field: str, *, required: Literal[False]
) -> np.datetime64 | None: ...
def as_instant(value: InstantLike | None, field: str, *, required: bool) -> np.datetime64 | None:
    """Turn a date, datetime64 or ISO string into a datetime64 in minutes (None if NaT).

    Parameters
    ----------
    value : datetime64, date, str or None
        The instant.
    field : str
        The parameter's name, for the error message.
    required : bool
        Whether a missing value (None or NaT) is an error.

    Returns
    -------
    datetime64 or None
        The instant in minutes, or None when it is missing and not required.

    Raises
    ------
    ScheduleInputError
        If the value is not an instant, or is missing and required.

    Examples
    --------
    >>> as_instant("2026-05-04T08:00", "project_start", required=True)
    np.datetime64('2026-05-04T08:00')
    >>> as_instant(None, "status_date", required=False) is None
    True
    """
    if value is None:
        if required:
            raise _fail(None, field, "is required")
        return None
    try:
        array = np.asarray(value, dtype="datetime64[m]")
    except (TypeError, ValueError) as error:
        raise _fail(None, field, f"is not a date and time: {value!r}") from error
    if array.ndim != 0:
        raise _fail(None, field, f"is not a date and time: {value!r}")
    if np.isnat(array):
        if required:
            raise _fail(None, field, "is required (it is NaT)")
        return None
    return cast(np.datetime64, array[()])


def _check_length(owner: str, field: str, array: npt.NDArray[Any], size: int) -> None:
    if array.shape != (size,):
        raise ScheduleInputError(
            f"{owner}: {field} has {array.size} values for {size} {owner.lower()}"
        )


@dataclass(frozen=True, eq=False)
class ScheduleTasks:
    """The tasks of a network, one array element per task (build it with :meth:`create`).

    Parameters
    ----------
    ids : array of int64
        Unique identifiers (e.g. the UIDs of a Microsoft Project file), used in messages.
    duration_minutes : array of int64
        Working minutes of each task's calendar; 0 makes a milestone. Ignored on summary tasks.
    calendar : array of int64
        Index of each task's calendar in the sequence given to the scheduler.
    constraint_type : array of int8
        :class:`ConstraintType` codes.
    constraint_date : array of datetime64[m]
        The constraint's date, NaT for ASAP and ALAP.
    deadline : array of datetime64[m]
        A target finish that only affects late dates and float, NaT for none.
    parent : array of int64
        Index of the summary task each task belongs to, -1 at the top level. A task that is
        some task's parent is a summary task: its dates roll up from its subtasks.
    actual_start, actual_finish : array of datetime64[m]
        When the work actually started and finished, NaT when it has not.
    percent_complete : array of float64
        Share of the duration done, 0 to 100; gives the remaining duration of a started task
        whose ``remaining_duration_minutes`` is :data:`REMAINING_FROM_PERCENT`.
    remaining_duration_minutes : array of int64
        Working minutes left on a started task, or :data:`REMAINING_FROM_PERCENT` (-1).
    leveling_delay_minutes : array of int64
        A delay added by resource leveling to the start the logic gives a task not started
        yet (0 for none): working minutes of the task's calendar, or wall-clock minutes where
        ``leveling_delay_elapsed`` is set. Ignored on summary tasks.
    leveling_delay_elapsed : array of bool
        The leveling delay runs in wall-clock time (Microsoft Project's usual ``edays``).

    Examples
    --------
    >>> tasks = ScheduleTasks.create(ids=[10, 20], duration_minutes=[480, 0])
    >>> tasks.size, tasks.constraint_type.tolist(), bool(np.isnat(tasks.deadline).all())
    (2, [0, 0], True)
    """

    ids: IntArray
    duration_minutes: IntArray
    calendar: IntArray
    constraint_type: CodeArray
    constraint_date: DateArray
    deadline: DateArray
    parent: IntArray
    actual_start: DateArray
    actual_finish: DateArray
    percent_complete: FloatArray
    remaining_duration_minutes: IntArray
    leveling_delay_minutes: IntArray
    leveling_delay_elapsed: BoolArray

    def __post_init__(self) -> None:
        coerce: dict[str, Any] = {
            "ids": lambda v: _integers(v, "ids", np.int64),
            "duration_minutes": lambda v: _integers(v, "duration_minutes", np.int64),
            "calendar": lambda v: _integers(v, "calendar", np.int64),
            "constraint_type": lambda v: _integers(v, "constraint_type", np.int8),
            "constraint_date": lambda v: _instants(v, "constraint_date"),
            "deadline": lambda v: _instants(v, "deadline"),
            "parent": lambda v: _integers(v, "parent", np.int64),
            "actual_start": lambda v: _instants(v, "actual_start"),
            "actual_finish": lambda v: _instants(v, "actual_finish"),
            "percent_complete": lambda v: _floats(v, "percent_complete"),
            "remaining_duration_minutes": lambda v: _integers(
                v, "remaining_duration_minutes", np.int64
            ),
            "leveling_delay_minutes": lambda v: _integers(v, "leveling_delay_minutes", np.int64),
            "leveling_delay_elapsed": lambda v: _integers(
                v, "leveling_delay_elapsed", np.int8
            ).astype(bool),
        }
        for name, convert in coerce.items():
            object.__setattr__(self, name, convert(getattr(self, name)))
        size = self.ids.size
        for name in coerce:
            _check_length("Tasks", name, getattr(self, name), size)

    @classmethod
    def create(
        cls,
        ids: npt.ArrayLike,
        duration_minutes: npt.ArrayLike,
        *,
        calendar: npt.ArrayLike | None = None,
        constraint_type: npt.ArrayLike | None = None,
        constraint_date: npt.ArrayLike | None = None,
        deadline: npt.ArrayLike | None = None,
        parent: npt.ArrayLike | None = None,
        actual_start: npt.ArrayLike | None = None,
        actual_finish: npt.ArrayLike | None = None,
        percent_complete: npt.ArrayLike | None = None,
        remaining_duration_minutes: npt.ArrayLike | None = None,
        leveling_delay_minutes: npt.ArrayLike | None = None,
        leveling_delay_elapsed: npt.ArrayLike | None = None,
    ) -> ScheduleTasks:
        """Build the tasks, with defaults for every field left out.

        The defaults are: calendar 0, ASAP without a constraint date, no deadline, no parent,
        no actual dates, 0 % complete, the remaining duration taken from the % complete and no
        leveling delay.

        Parameters
        ----------
        ids, duration_minutes : array_like of int
            The required fields (see the class).
        calendar, constraint_type, constraint_date, deadline, parent, actual_start, \
actual_finish, percent_complete, remaining_duration_minutes, leveling_delay_minutes, \
leveling_delay_elapsed : array_like, optional
            The other fields (see the class); dates may be given as ISO strings.

        Returns
        -------
        ScheduleTasks
            The tasks.

        Raises
        ------
        ScheduleInputError
            If a field does not hold values of the right kind or has the wrong length.

        Examples
        --------
        >>> tasks = ScheduleTasks.create(
        ...     ids=[1, 2],
        ...     duration_minutes=[960, 480],
        ...     constraint_type=[ConstraintType.ASAP, ConstraintType.SNET],
        ...     constraint_date=["NaT", "2026-05-06T08:00"],
        ... )
        >>> tasks.constraint_date[1]
        np.datetime64('2026-05-06T08:00')
        """
        id_array = _integers(ids, "ids", np.int64)
        size = int(id_array.size)

        def filled(values: npt.ArrayLike | None, default: Any, dtype: Any) -> Any:
            if values is None:
                return np.full(size, default, dtype=dtype)
            return values

        return cls(
            ids=id_array,
            duration_minutes=_integers(duration_minutes, "duration_minutes", np.int64),
            calendar=filled(calendar, 0, np.int64),
            constraint_type=filled(constraint_type, ConstraintType.ASAP, np.int8),
            constraint_date=filled(constraint_date, NOT_A_TIME, "datetime64[m]"),
            deadline=filled(deadline, NOT_A_TIME, "datetime64[m]"),
            parent=filled(parent, -1, np.int64),
            actual_start=filled(actual_start, NOT_A_TIME, "datetime64[m]"),
            actual_finish=filled(actual_finish, NOT_A_TIME, "datetime64[m]"),
            percent_complete=filled(percent_complete, 0.0, np.float64),
            remaining_duration_minutes=filled(
                remaining_duration_minutes, REMAINING_FROM_PERCENT, np.int64
            ),
            leveling_delay_minutes=filled(leveling_delay_minutes, 0, np.int64),
            leveling_delay_elapsed=filled(leveling_delay_elapsed, False, bool),
        )

    @property
    def size(self) -> int:
        """The number of tasks.

        Examples
        --------
        >>> ScheduleTasks.create(ids=[], duration_minutes=[]).size
        0
        """
        return int(self.ids.size)


@dataclass(frozen=True, eq=False)
class ScheduleLinks:
    """The links (dependencies) of a network, one array element per link.

    Parameters
    ----------
    predecessor, successor : array of int64
        Indices of the two tasks in the :class:`ScheduleTasks` arrays (not their ids). A link
        to or from a summary task applies to each task under it.
    link_type : array of int8
        :class:`LinkType` codes.
    lag_minutes : array of int64
        The lag (negative for a lead) of WORKING and ELAPSED links.
    lag_kind : array of int8
        :class:`LagKind` codes.
    lag_percent : array of float64
        The lag of PERCENT links, in percent of the predecessor's duration (may be negative).

    Examples
    --------
    >>> links = ScheduleLinks.create([0, 1], [1, 2], link_type=[LinkType.FS, LinkType.SS])
    >>> links.size, links.lag_minutes.tolist()
    (2, [0, 0])
    """

    predecessor: IntArray
    successor: IntArray
    link_type: CodeArray
    lag_minutes: IntArray
    lag_kind: CodeArray
    lag_percent: FloatArray

    def __post_init__(self) -> None:
        coerce: dict[str, Any] = {
            "predecessor": lambda v: _integers(v, "predecessor", np.int64),
            "successor": lambda v: _integers(v, "successor", np.int64),
            "link_type": lambda v: _integers(v, "link_type", np.int8),
            "lag_minutes": lambda v: _integers(v, "lag_minutes", np.int64),
            "lag_kind": lambda v: _integers(v, "lag_kind", np.int8),
            "lag_percent": lambda v: _floats(v, "lag_percent"),
        }
        for name, convert in coerce.items():
            object.__setattr__(self, name, convert(getattr(self, name)))
        size = self.predecessor.size
        for name in coerce:
            _check_length("Links", name, getattr(self, name), size)

    @classmethod
    def create(
        cls,
        predecessor: npt.ArrayLike,
        successor: npt.ArrayLike,
        *,
        link_type: npt.ArrayLike | None = None,
        lag_minutes: npt.ArrayLike | None = None,
        lag_kind: npt.ArrayLike | None = None,
        lag_percent: npt.ArrayLike | None = None,
    ) -> ScheduleLinks:
        """Build the links, with defaults (FS, no lag, working minutes) for fields left out.

        Parameters
        ----------
        predecessor, successor : array_like of int
            Task indices.
        link_type, lag_minutes, lag_kind, lag_percent : array_like, optional
            The other fields (see the class).

        Returns
        -------
        ScheduleLinks
            The links.

        Raises
        ------
        ScheduleInputError
            If a field does not hold values of the right kind or has the wrong length.

        Examples
        --------
        >>> ScheduleLinks.create([0], [1], lag_minutes=[-480]).lag_minutes
        array([-480])
        """
        predecessors = _integers(predecessor, "predecessor", np.int64)
        size = int(predecessors.size)

        def filled(values: npt.ArrayLike | None, default: Any, dtype: Any) -> Any:
            if values is None:
                return np.full(size, default, dtype=dtype)
            return values

        return cls(
            predecessor=predecessors,
            successor=_integers(successor, "successor", np.int64),
            link_type=filled(link_type, LinkType.FS, np.int8),
            lag_minutes=filled(lag_minutes, 0, np.int64),
            lag_kind=filled(lag_kind, LagKind.WORKING, np.int8),
            lag_percent=filled(lag_percent, 0.0, np.float64),
        )

    @classmethod
    def empty(cls) -> ScheduleLinks:
        """No links at all.

        Returns
        -------
        ScheduleLinks
            An empty set of links.

        Examples
        --------
        >>> ScheduleLinks.empty().size
        0
        """
        return cls.create(np.empty(0, np.int64), np.empty(0, np.int64))

    @property
    def size(self) -> int:
        """The number of links.

        Examples
        --------
        >>> ScheduleLinks.create([0, 0], [1, 2]).size
        2
        """
        return int(self.predecessor.size)


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """The dates and floats of every task, with what could not be honoured.

    All arrays follow the order of the input tasks. Floats are working minutes of each task's
    calendar. For summary tasks, dates are the earliest start and the latest finish of the
    tasks under them, floats the smallest float among their unfinished tasks, and a summary is
    critical when one of them is.

    Parameters
    ----------
    early_start, early_finish : array of datetime64[m]
        Earliest dates allowed by the links, constraints and progress (actual dates once known).
    late_start, late_finish : array of datetime64[m]
        Latest dates that delay neither the project finish nor a constraint or deadline.
    start, finish : array of datetime64[m]
        The scheduled dates: the early dates, except for ALAP tasks, which are on their late
        dates.
    total_float_minutes : array of int64
        How far each task can slip without delaying the project (negative when a constraint or
        deadline cannot be met; zero for ALAP tasks, which use it up).
    free_float_minutes : array of int64
        How far each task can slip without delaying any successor (the total float for a task
        without successors); never negative.
    critical : array of bool
        Total float of zero or less, for tasks not yet finished.
    summary : array of bool
        Which tasks are summary tasks.
    project_start, project_finish : datetime64[m]
        The project's start (as given) and finish (the latest early finish).
    negative_float : array of int64
        Indices of the tasks with negative total float.
    unmet_constraints : array of int64
        Indices of the tasks whose SNLT, FNLT, MSO or MFO constraint had to override a link,
        the project start or the status date (or a summary's FNLT that its tasks miss).
    missed_deadlines : array of int64
        Indices of the tasks that finish after their deadline.

    Examples
    --------
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> from pilotage.engine.scheduling import compute_schedule
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
    >>> result = compute_schedule(
    ...     ScheduleTasks.create(ids=[1], duration_minutes=[480]),
    ...     ScheduleLinks.empty(),
    ...     [working],
    ...     project_start=np.datetime64("2026-05-04T08:00"),
    ... )
    >>> result.project_finish, result.critical.tolist()
    (np.datetime64('2026-05-04T17:00'), [True])
    """

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
    project_start: np.datetime64
    project_finish: np.datetime64
    negative_float: IntArray
    unmet_constraints: IntArray
    missed_deadlines: IntArray


def _first(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def summary_mask(tasks: ScheduleTasks) -> BoolArray:
    """Which tasks are summary tasks: those that are some task's parent.

    Parameters
    ----------
    tasks : ScheduleTasks
        The tasks (with valid parents).

    Returns
    -------
    array of bool
        True for the summary tasks.

    Examples
    --------
    >>> summary_mask(ScheduleTasks.create([1, 2, 3], [0, 480, 480], parent=[-1, 0, 0])).tolist()
    [True, False, False]
    """
    parents = tasks.parent[tasks.parent >= 0]
    return np.bincount(parents, minlength=tasks.size).astype(bool)


def _check_parents(tasks: ScheduleTasks) -> None:
    n, ids, parent = tasks.size, tasks.ids, tasks.parent
    outside = (parent < -1) | (parent >= n)
    if outside.any():
        bad = _first(outside)
        raise _fail(int(ids[bad]), "parent", f"index {int(parent[bad])} is not a task")
    if n == 0:
        return
    # Pointer doubling: after enough squarings every chain has reached the top unless it loops.
    ancestor = np.append(parent, -1)
    for _ in range(max(int(n).bit_length(), 1) + 1):
        ancestor = ancestor[ancestor]
    looping = ancestor[:n] >= 0
    if looping.any():
        task = _first(looping)
        seen: list[int] = []
        while task not in seen:
            seen.append(task)
            task = int(parent[task])
        loop = seen[seen.index(task) :]
        chain = " -> ".join(str(int(ids[index])) for index in (*loop, loop[0]))
        raise _fail(int(ids[loop[0]]), "parent", f"forms a loop of summary tasks: {chain}")


def validate_network(
    tasks: ScheduleTasks, links: ScheduleLinks, calendars: Sequence[WorkingTime]
) -> None:
    """Check a network's values; raise on the first problem, naming the task and the field.

    Parameters
    ----------
    tasks : ScheduleTasks
        The tasks.
    links : ScheduleLinks
        The links between them.
    calendars : sequence of WorkingTime
        The compiled calendars that ``tasks.calendar`` points into.

    Raises
    ------
    ScheduleInputError
        On a duplicated id, a negative duration or leveling delay, a calendar or parent that
        does not exist, an unknown code, a missing date where one is required, inconsistent
        actual dates or progress, or a link to a task that does not exist.
    CyclicDependencyError
        If a task is linked to itself.

    Examples
    --------
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 8))
    >>> validate_network(
    ...     ScheduleTasks.create(ids=[7], duration_minutes=[-480]), ScheduleLinks.empty(), [working]
    ... )
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.ScheduleInputError: Task 7: duration_minutes must not be negative (-480)
    """
    ids, n = tasks.ids, tasks.size
    if n:
        order = np.argsort(ids, kind="stable")
        repeated = ids[order][1:] == ids[order][:-1]
        if repeated.any():
            raise _fail(int(ids[order][1:][repeated][0]), "ids", "is used by more than one task")
    _check_parents(tasks)
    summary = summary_mask(tasks)
    leaf = ~summary

    negative = leaf & (tasks.duration_minutes < 0)
    if negative.any():
        bad = _first(negative)
        raise _fail(
            int(ids[bad]),
            "duration_minutes",
            f"must not be negative ({tasks.duration_minutes[bad]})",
        )
    if not calendars:
        raise _fail(None, "calendars", "must hold at least one calendar")
    bad_calendar = leaf & ((tasks.calendar < 0) | (tasks.calendar >= len(calendars)))
    if bad_calendar.any():
        bad = _first(bad_calendar)
        raise _fail(
            int(ids[bad]), "calendar", f"index {int(tasks.calendar[bad])} is not a calendar"
        )

    known = np.isin(tasks.constraint_type, [member.value for member in ConstraintType])
    if not known.all():
        bad = _first(~known)
        raise _fail(
            int(ids[bad]),
            "constraint_type",
            f"has an unknown code {int(tasks.constraint_type[bad])}",
        )
    needs_date = ~np.isin(tasks.constraint_type, [ConstraintType.ASAP, ConstraintType.ALAP])
    undated = needs_date & np.isnat(tasks.constraint_date)
    if undated.any():
        bad = _first(undated)
        kind = ConstraintType(int(tasks.constraint_type[bad])).name
        raise _fail(int(ids[bad]), "constraint_date", f"is required by a {kind} constraint")
    summary_allowed = np.isin(tasks.constraint_type, [code.value for code in SUMMARY_CONSTRAINTS])
    bad_summary = summary & ~summary_allowed
    if bad_summary.any():
        bad = _first(bad_summary)
        kind = ConstraintType(int(tasks.constraint_type[bad])).name
        raise _fail(
            int(ids[bad]),
            "constraint_type",
            f"{kind} is not allowed on a summary task (only ASAP, ALAP, SNET and FNLT)",
        )

    started = ~np.isnat(tasks.actual_start)
    finished = ~np.isnat(tasks.actual_finish)
    unstarted_finish = leaf & finished & ~started
    if unstarted_finish.any():
        raise _fail(
            int(ids[_first(unstarted_finish)]), "actual_start", "is required by an actual finish"
        )
    backwards = leaf & finished & started & (tasks.actual_finish < tasks.actual_start)
    if backwards.any():
        raise _fail(int(ids[_first(backwards)]), "actual_finish", "is before the actual start")
    percent = tasks.percent_complete
    bad_percent = leaf & ~((percent >= 0) & (percent <= 100))
    if bad_percent.any():
        bad = _first(bad_percent)
        raise _fail(int(ids[bad]), "percent_complete", f"must be within 0-100 ({percent[bad]})")
    remaining = tasks.remaining_duration_minutes
    bad_remaining = leaf & (remaining < REMAINING_FROM_PERCENT)
    if bad_remaining.any():
        bad = _first(bad_remaining)
        raise _fail(
            int(ids[bad]), "remaining_duration_minutes", f"must not be negative ({remaining[bad]})"
        )
    negative_delay = leaf & (tasks.leveling_delay_minutes < 0)
    if negative_delay.any():
        bad = _first(negative_delay)
        raise _fail(
            int(ids[bad]),
            "leveling_delay_minutes",
            f"must not be negative ({tasks.leveling_delay_minutes[bad]})",
        )
    progress_unstarted = leaf & ~started & ((percent > 0) | (remaining > 0))
    if progress_unstarted.any():
        raise _fail(
            int(ids[_first(progress_unstarted)]),
            "actual_start",
            "is required by the progress (% complete or remaining duration)",
        )

    _validate_links(tasks, links)


def _validate_links(tasks: ScheduleTasks, links: ScheduleLinks) -> None:
    ids, n = tasks.ids, tasks.size
    predecessor, successor = links.predecessor, links.successor
    for field, ends, other in (
        ("predecessor", predecessor, successor),
        ("successor", successor, predecessor),
    ):
        outside = (ends < 0) | (ends >= n)
        if outside.any():
            bad = _first(outside)
            other_end = int(other[bad])
            owner = int(ids[other_end]) if 0 <= other_end < n else None
            raise _fail(owner, f"link {bad}", f"{field} index {int(ends[bad])} is not a task")
    for field, values, enum in (
        ("link_type", links.link_type, LinkType),
        ("lag_kind", links.lag_kind, LagKind),
    ):
        known = np.isin(values, np.array([member.value for member in enum]))
        if not known.all():
            bad = _first(~known)
            raise _fail(
                int(ids[successor[bad]]),
                f"link {bad} from task {int(ids[predecessor[bad]])}",
                f"has an unknown {field} code {int(values[bad])}",
            )
    bad_percent = (links.lag_kind == LagKind.PERCENT) & ~np.isfinite(links.lag_percent)
    if bad_percent.any():
        bad = _first(bad_percent)
        raise _fail(
            int(ids[successor[bad]]),
            f"link {bad} from task {int(ids[predecessor[bad]])}",
            "has a lag_percent that is not a number",
        )
    looped = predecessor == successor
    if looped.any():
        task = int(ids[predecessor[_first(looped)]])
        raise CyclicDependencyError(f"Task {task} is linked to itself", cycle=(task,))
