"""Check an imported plan's dates: schedule it again and compare with what its tool wrote.

A file from Microsoft Project carries the start and finish its author's tool computed for every
task. Scheduling the file again with Pilotage should give the same dates; where it does not, the
reason is usually one the file itself shows, and the import report says which:

- ``manual``: a manually scheduled task, whose dates the tool did not compute;
- ``leveling``: a task with a leveling delay (which is applied) whose dates still differ,
  as when the tool computed them with another delay or leveled the task by splitting it;
- ``progress``: progress recorded out of sequence (a task started before its predecessors
  finished), which tools reschedule in different ways;
- ``constraint``: a constraint that overrides the logic, which tools resolve differently;
- ``summary``: a summary task whose subtasks moved;
- ``other``: none of the above.

Examples
--------
>>> from datetime import datetime
>>> from pilotage.engine.plan import Plan, PlanLink, PlanTask
>>> plan = Plan(name="P", start=datetime(2026, 3, 2, 8), tasks=(
...     PlanTask(uid=1, id=1, name="A", duration_minutes=480,
...              start=datetime(2026, 3, 2, 8), finish=datetime(2026, 3, 2, 17)),
...     PlanTask(uid=2, id=2, name="B", duration_minutes=480,
...              start=datetime(2026, 3, 4, 8), finish=datetime(2026, 3, 4, 17)),
... ), links=(PlanLink(1, 2),))
>>> check = check_dates(plan)
>>> check.compared, check.agreeing, [(d.uid, d.reason) for d in check.differences]
(2, 1, [(2, 'other')])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, Literal, TypeAlias

import numpy as np

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.errors import EngineError
from pilotage.engine.plan import Plan, PlanTask
from pilotage.engine.schedule_plan import schedule_plan

__all__ = ["DateCheck", "DateDifference", "DifferenceReason", "check_dates"]

DifferenceReason: TypeAlias = Literal[
    "manual", "leveling", "progress", "constraint", "summary", "other"
]
_TOLERANCE_SECONDS: Final = 60
_MAX_LISTED: Final = 500


@dataclass(frozen=True, slots=True)
class DateDifference:
    """A task whose recomputed dates differ from the file's."""

    uid: int
    id: int | None
    name: str
    file_start: datetime | None
    file_finish: datetime | None
    start: datetime
    finish: datetime
    reason: DifferenceReason


@dataclass(frozen=True)
class DateCheck:
    """How the recomputed dates compare with the file's, task by task.

    ``compared`` counts the tasks that have dates in the file, ``agreeing`` those whose start
    and finish are the same to the minute; ``differences`` lists the others (at most 500, the
    count is ``len(differences) + more``); ``error`` says why the plan could not be scheduled.
    """

    compared: int = 0
    agreeing: int = 0
    differences: tuple[DateDifference, ...] = ()
    more: int = 0
    error: str = ""
    reasons: dict[str, int] = field(default_factory=dict)


def _same(left: datetime | None, right: datetime) -> bool:
    return left is None or abs((left - right).total_seconds()) < _TOLERANCE_SECONDS


class _WorkingMoments:
    """Whether two instants are the same working moment of a task's calendar: a finish on
    Friday at 17:00 is the same moment as Monday at 08:00, and tools write either."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.compiled: dict[int | None, WorkingTime | None] = {}

    def _working(self, uid: int | None) -> WorkingTime | None:
        if uid not in self.compiled:
            plan_calendar = self.plan.calendars_by_uid.get(uid) if uid is not None else None
            calendar = (
                plan_calendar.calendar
                if plan_calendar is not None
                else Calendar("Standard", WeekPattern.standard())
            )
            start = self.plan.start.date() if self.plan.start else date.today()
            try:
                self.compiled[uid] = compile_calendar(calendar, start, start)
            except EngineError:
                self.compiled[uid] = None
        return self.compiled[uid]

    def same(self, task: PlanTask, left: datetime | None, right: datetime) -> bool:
        if _same(left, right):
            return True
        if left is None or task.elapsed:
            return False
        working = self._working(task.calendar_uid or self.plan.calendar_uid)
        if working is None:
            return False
        first, last = sorted((left, right))
        try:
            between = working.working_between(np.datetime64(first, "m"), np.datetime64(last, "m"))
        except EngineError:
            return False
        return int(between) == 0


def check_dates(plan: Plan) -> DateCheck:
    """Schedule the plan and compare each task's start and finish with the file's.

    Two dates agree when they are the same to the minute, or the same working moment (no
    working time between them: Friday 17:00 and Monday 08:00).

    Parameters
    ----------
    plan : Plan
        A plan read from a file, with the tool's dates in each task's ``start`` and ``finish``.

    Returns
    -------
    DateCheck
        The counts and the differing tasks with their likely reason.
    """
    try:
        schedule = schedule_plan(plan)
    except EngineError as error:
        return DateCheck(error=str(error))
    finishes = {uid: row.finish for uid, row in schedule.tasks.items()}
    predecessors: dict[int, list[int]] = {}
    for link in plan.links:
        predecessors.setdefault(link.successor_uid, []).append(link.predecessor_uid)
    moments = _WorkingMoments(plan)
    compared = agreeing = more = 0
    differences: list[DateDifference] = []
    reasons: dict[str, int] = {}
    for task in plan.tasks:
        if task.start is None and task.finish is None:
            continue
        if task.uid not in schedule.index:
            continue
        row = schedule.task(task.uid)
        compared += 1
        if moments.same(task, task.start, row.start) and moments.same(
            task, task.finish, row.finish
        ):
            agreeing += 1
            continue
        reason: DifferenceReason
        if task.manual:
            reason = "manual"
        elif task.leveling_delay_minutes:
            reason = "leveling"
        elif task.summary:
            reason = "summary"
        elif task.actual_start is not None and any(
            task.actual_start < finishes.get(uid, task.actual_start)
            for uid in predecessors.get(task.uid, ())
        ):
            reason = "progress"
        elif task.constraint_type not in ("ASAP", "ALAP"):
            reason = "constraint"
        else:
            reason = "other"
        reasons[reason] = reasons.get(reason, 0) + 1
        if len(differences) < _MAX_LISTED:
            differences.append(
                DateDifference(
                    uid=task.uid,
                    id=task.id,
                    name=task.name,
                    file_start=task.start,
                    file_finish=task.finish,
                    start=row.start,
                    finish=row.finish,
                    reason=reason,
                )
            )
        else:
            more += 1
    return DateCheck(
        compared=compared,
        agreeing=agreeing,
        differences=tuple(differences),
        more=more,
        reasons=reasons,
    )
