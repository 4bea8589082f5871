"""The errors raised by the engines: one hierarchy rooted at EngineError."""

from __future__ import annotations

from collections.abc import Iterable
from typing import SupportsInt

__all__ = [
    "CalendarError",
    "CyclicDependencyError",
    "EarnedValueInputError",
    "EngineError",
    "HorizonTooShortError",
    "InfeasibleScheduleError",
    "ResourceCapacityError",
    "RiskInputError",
    "ScheduleInputError",
]


class EngineError(Exception):
    """Base class of every error an engine raises on bad input.

    Examples
    --------
    >>> issubclass(CalendarError, EngineError)
    True
    """


class CalendarError(EngineError):
    """A working calendar that cannot be used; the message names the calendar.

    Examples
    --------
    >>> str(CalendarError("Calendar 'Night shift' has no working time"))
    "Calendar 'Night shift' has no working time"
    """


class ScheduleInputError(EngineError):
    """Malformed scheduling input; the message names the task or the field.

    Examples
    --------
    >>> str(ScheduleInputError("Task 7: duration_minutes must not be negative"))
    'Task 7: duration_minutes must not be negative'
    """


class EarnedValueInputError(EngineError):
    """Malformed earned value input; the message names the field and, for one row, its index.

    Examples
    --------
    >>> str(EarnedValueInputError("planned_value row 2 decreases at time index 5"))
    'planned_value row 2 decreases at time index 5'
    """


class RiskInputError(ScheduleInputError):
    """Malformed simulation input: an estimate, a risk event, a correlation or a setting.

    Examples
    --------
    >>> str(RiskInputError("Triangular: the estimates must satisfy low <= mode <= high"))
    'Triangular: the estimates must satisfy low <= mode <= high'
    """


class CyclicDependencyError(ScheduleInputError):
    """The dependencies form a cycle; ``cycle`` holds the ids of the tasks in one cycle.

    Parameters
    ----------
    message : str or iterable of int, optional
        The message, or the cycle itself when no message is given.
    cycle : iterable of int, optional
        The ids of the tasks in the cycle, in link order. Without a message, the message lists
        them.

    Examples
    --------
    >>> error = CyclicDependencyError(cycle=(3, 5, 8))
    >>> error.cycle
    (3, 5, 8)
    >>> str(error)
    'The dependencies form a cycle: tasks 3 -> 5 -> 8 -> 3'
    >>> CyclicDependencyError("Tasks 3 and 5 depend on each other", cycle=(3, 5)).cycle
    (3, 5)
    """

    def __init__(
        self,
        message: str | Iterable[SupportsInt] | None = None,
        cycle: Iterable[SupportsInt] | None = None,
    ) -> None:
        if message is not None and not isinstance(message, str):
            message, cycle = None, message if cycle is None else cycle
        tasks = () if cycle is None else cycle
        self.cycle: tuple[int, ...] = tuple(int(task) for task in tasks)
        if message is None:
            path = " -> ".join(str(task) for task in (*self.cycle, *self.cycle[:1]))
            message = f"The dependencies form a cycle: tasks {path}"
        super().__init__(message)


class InfeasibleScheduleError(EngineError):
    """No schedule satisfies the input; the message names the task or resource at fault.

    Examples
    --------
    >>> issubclass(ResourceCapacityError, InfeasibleScheduleError)
    True
    """


class ResourceCapacityError(InfeasibleScheduleError):
    """A task needs more of a resource than the resource ever has in one period.

    Parameters
    ----------
    message : str
        The sentence shown to the user; it names the task and the resource.
    task : int
        The index of the task.
    resource : int
        The index of the resource.

    Examples
    --------
    >>> error = ResourceCapacityError("Task 'Pour' needs 3 of 'Crane'", task=4, resource=1)
    >>> (error.task, error.resource)
    (4, 1)
    """

    def __init__(self, message: str, *, task: int, resource: int) -> None:
        super().__init__(message)
        self.task = task
        self.resource = resource


class HorizonTooShortError(InfeasibleScheduleError):
    """The leveled schedule does not fit in the periods given; ``task`` could not be placed.

    Examples
    --------
    >>> HorizonTooShortError("Task 'Pour' does not fit", task=4).task
    4
    """

    def __init__(self, message: str, *, task: int) -> None:
        super().__init__(message)
        self.task = task
