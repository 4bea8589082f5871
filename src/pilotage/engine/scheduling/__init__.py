"""Scheduling: the critical path method over a network of tasks and links.

Build the network with :class:`ScheduleTasks` and :class:`ScheduleLinks`, compile the calendars
with :func:`pilotage.engine.calendars.compile_calendar` and call :func:`compute_schedule`.
:func:`compute_schedule_reference` gives the same result one task at a time, for tests.
"""

from pilotage.engine.scheduling.cpm import compute_schedule
from pilotage.engine.scheduling.network import (
    REMAINING_FROM_PERCENT,
    ConstraintType,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    validate_network,
)
from pilotage.engine.scheduling.reference import compute_schedule_reference

__all__ = [
    "REMAINING_FROM_PERCENT",
    "ConstraintType",
    "LagKind",
    "LinkType",
    "ScheduleLinks",
    "ScheduleResult",
    "ScheduleTasks",
    "compute_schedule",
    "compute_schedule_reference",
    "validate_network",
]
