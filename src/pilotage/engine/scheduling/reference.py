"""A plain, task-by-task critical path method: the yardstick for the vectorised one.

:func:`compute_schedule_reference` follows the rules of :mod:`pilotage.engine.scheduling.cpm`
(read its documentation for them) with a loop over the tasks in topological order and one
calendar conversion at a time. It is far too slow for large networks and exists so that tests
can check that :func:`~pilotage.engine.scheduling.cpm.compute_schedule` gives exactly the same
result on any network.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pilotage.engine.calendars import WorkingTime
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.scheduling.network import (
    REMAINING_FROM_PERCENT,
    ConstraintType,
    DateArray,
    InstantLike,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    as_instant,
    validate_network,
)

__all__ = ["compute_schedule_reference"]

_NONE = 1 << 61


@dataclass(frozen=True)
class _Link:
    predecessor: int
    successor: int
    link_type: LinkType
    working_lag: int
    elapsed_lag: int


class _Axis:
    """Keys of instants on the working-minute axis of one calendar (see the cpm module)."""

    def __init__(self, working: WorkingTime) -> None:
        self.working = working

    def up(self, minute: int) -> int:
        offset = int(self.working.working_offset(np.datetime64(minute, "m")))
        finish = int(self.working.instant_at(offset, side="finish").astype(np.int64))
        return 2 * offset + (1 if minute > finish else 0)

    def down(self, minute: int) -> int:
        offset = int(self.working.working_offset(np.datetime64(minute, "m")))
        start = int(self.working.instant_at(offset, side="start").astype(np.int64))
        return 2 * offset + (1 if minute >= start else 0)

    def instant(self, key: int) -> int:
        side: Literal["start", "finish"] = "start" if key % 2 else "finish"
        return int(self.working.instant_at(key // 2, side=side).astype(np.int64))


def _minute(value: np.datetime64) -> int | None:
    return None if np.isnat(value) else int(value.astype("datetime64[m]").astype(np.int64))


def compute_schedule_reference(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    *,
    project_start: InstantLike,
    status_date: InstantLike | None = None,
    schedule_from: Literal["start"] = "start",
) -> ScheduleResult:
    """Schedule a network one task at a time, with the same rules as ``compute_schedule``.

    Parameters
    ----------
    tasks, links, calendars, project_start, status_date, schedule_from
        As for :func:`pilotage.engine.scheduling.compute_schedule`.

    Returns
    -------
    ScheduleResult
        The same result as ``compute_schedule``.

    Raises
    ------
    ScheduleInputError, CyclicDependencyError, CalendarError
        As ``compute_schedule`` does.

    Examples
    --------
    >>> from datetime import date
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 29))
    >>> tasks = ScheduleTasks.create(ids=[1, 2], duration_minutes=[480, 960])
    >>> result = compute_schedule_reference(
    ...     tasks, ScheduleLinks.create([0], [1]), [working], project_start="2026-05-04T08:00"
    ... )
    >>> result.early_finish
    array(['2026-05-04T17:00', '2026-05-06T17:00'], dtype='datetime64[m]')
    """
    if schedule_from != "start":
        raise ScheduleInputError(f"Schedule: schedule_from must be 'start', not {schedule_from!r}")
    start_instant = as_instant(project_start, "project_start", required=True)
    status_instant = as_instant(status_date, "status_date", required=False)
    validate_network(tasks, links, calendars)
    return _Reference(tasks, links, calendars, start_instant, status_instant).result()


class _Reference:
    def __init__(
        self,
        tasks: ScheduleTasks,
        links: ScheduleLinks,
        calendars: Sequence[WorkingTime],
        project_start: np.datetime64,
        status_date: np.datetime64 | None,
    ) -> None:
        self.tasks = tasks
        self.project_start = project_start
        self.start_minute = int(project_start.astype(np.int64))
        self.status_minute = None if status_date is None else int(status_date.astype(np.int64))
        self.axes = [_Axis(working) for working in calendars]
        n = tasks.size
        self.n = n
        self.children: list[list[int]] = [[] for _ in range(n)]
        for task in range(n):
            parent = int(tasks.parent[task])
            if parent >= 0:
                self.children[parent].append(task)
        self.is_summary = [bool(self.children[task]) for task in range(n)]
        self.leaves = [task for task in range(n) if not self.is_summary[task]]
        self.ancestors: list[list[int]] = []
        for task in range(n):
            chain: list[int] = []
            parent = int(tasks.parent[task])
            while parent >= 0:
                chain.append(parent)
                parent = int(tasks.parent[parent])
            self.ancestors.append(chain)
        self.links = self._leaf_links(links)

    def _under(self, task: int) -> list[int]:
        if not self.is_summary[task]:
            return [task]
        found: list[int] = []
        for child in self.children[task]:
            found.extend(self._under(child))
        return found

    def _leaf_links(self, links: ScheduleLinks) -> list[_Link]:
        tasks = self.tasks
        result: list[_Link] = []
        for index in range(links.size):
            predecessor = int(links.predecessor[index])
            successor = int(links.successor[index])
            kind = LagKind(int(links.lag_kind[index]))
            for before in self._under(predecessor):
                for after in self._under(successor):
                    if before == after:
                        ends = (int(tasks.ids[predecessor]), int(tasks.ids[successor]))
                        raise CyclicDependencyError(
                            f"Task {ends[0]} and task {ends[1]} are linked but one is a "
                            "summary task of the other",
                            cycle=ends,
                        )
                    working_lag = elapsed_lag = 0
                    if kind == LagKind.WORKING:
                        working_lag = int(links.lag_minutes[index])
                    elif kind == LagKind.ELAPSED:
                        elapsed_lag = int(links.lag_minutes[index])
                    else:
                        percent = float(links.lag_percent[index])
                        duration = int(tasks.duration_minutes[before])
                        working_lag = round(percent * duration / 100)
                    result.append(
                        _Link(
                            before,
                            after,
                            LinkType(int(links.link_type[index])),
                            working_lag,
                            elapsed_lag,
                        )
                    )
        return result

    def _topological_order(self, live: list[_Link]) -> list[int]:
        incoming = dict.fromkeys(self.leaves, 0)
        outgoing: dict[int, list[int]] = {task: [] for task in self.leaves}
        for link in live:
            incoming[link.successor] += 1
            outgoing[link.predecessor].append(link.successor)
        ready = deque(task for task in self.leaves if incoming[task] == 0)
        order: list[int] = []
        while ready:
            task = ready.popleft()
            order.append(task)
            for successor in outgoing[task]:
                incoming[successor] -= 1
                if incoming[successor] == 0:
                    ready.append(successor)
        if len(order) < len(self.leaves):
            raise CyclicDependencyError(cycle=self._a_cycle(live, set(order)))
        return order

    def _a_cycle(self, live: list[_Link], placed: set[int]) -> list[int]:
        predecessors: dict[int, list[int]] = {}
        for link in live:
            if link.predecessor not in placed and link.successor not in placed:
                predecessors.setdefault(link.successor, []).append(link.predecessor)
        task = next(iter(predecessors))
        path: list[int] = []
        while task not in path:
            path.append(task)
            task = predecessors[task][0]
        cycle = path[path.index(task) :][::-1]
        return [int(self.tasks.ids[member]) for member in cycle]

    def result(self) -> ScheduleResult:
        tasks = self.tasks
        axes = self.axes

        def axis(task: int) -> _Axis:
            return axes[int(tasks.calendar[task])]

        def date_of(values: DateArray, task: int) -> int | None:
            return _minute(values[task])

        def constraint(task: int) -> ConstraintType:
            return ConstraintType(int(tasks.constraint_type[task]))

        def constraint_key(task: int, *, up: bool) -> int:
            when = date_of(tasks.constraint_date, task)
            assert when is not None
            return axis(task).up(when) if up else axis(task).down(when)

        started = {task: date_of(tasks.actual_start, task) is not None for task in self.leaves}
        finished = {task: date_of(tasks.actual_finish, task) is not None for task in self.leaves}
        work: dict[int, int] = {}
        done: dict[int, int] = {}
        for task in self.leaves:
            duration = int(tasks.duration_minutes[task])
            remaining = int(tasks.remaining_duration_minutes[task])
            if remaining == REMAINING_FROM_PERCENT:
                remaining = round(duration * (100 - float(tasks.percent_complete[task])) / 100)
            if finished[task]:
                work[task] = 0
            elif started[task]:
                work[task] = remaining
            else:
                work[task] = duration
            done[task] = max(duration - remaining, 0)
        alap = {
            task
            for task in self.leaves
            if not started[task] and constraint(task) == ConstraintType.ALAP
        }

        def has_work(task: int) -> bool:
            return work[task] > 0 and not finished[task]

        def tidy_start(task: int, start: int) -> int:
            return start | 1 if has_work(task) else start

        def finish_from_start(task: int, start: int) -> int:
            return start + 2 * work[task] - 1 if has_work(task) else start

        def tidy_finish(task: int, value: int) -> int:
            return value & ~1 if has_work(task) else value

        def start_from_finish(task: int, finish: int) -> int:
            return finish - 2 * work[task] + 1 if has_work(task) else finish

        live = [link for link in self.links if not finished[link.successor]]
        order = self._topological_order(live)
        into: dict[int, list[_Link]] = {task: [] for task in self.leaves}
        out_of: dict[int, list[_Link]] = {task: [] for task in self.leaves}
        for link in live:
            into[link.successor].append(link)
            out_of[link.predecessor].append(link)
        actual_start_key: dict[int, int] = {}
        for task in self.leaves:
            actual_start = date_of(tasks.actual_start, task)
            if actual_start is not None:
                actual_start_key[task] = axis(task).up(actual_start)

        def base_lower(task: int) -> int:
            lower = axis(task).up(self.start_minute)
            if self.status_minute is not None:
                lower = max(lower, axis(task).up(self.status_minute))
            for summary in self.ancestors[task]:
                summary_date = date_of(tasks.constraint_date, summary)
                if constraint(summary) == ConstraintType.SNET and summary_date is not None:
                    lower = max(lower, axis(task).up(summary_date))
            return lower

        def lower_bound(task: int) -> int:
            if started[task]:
                lower = 2 * (actual_start_key[task] // 2 + done[task])
                if self.status_minute is not None:
                    lower = max(lower, axis(task).up(self.status_minute))
                return lower
            lower = base_lower(task)
            if constraint(task) == ConstraintType.SNET:
                lower = max(lower, constraint_key(task, up=True))
            elif constraint(task) == ConstraintType.FNET:
                lower = max(lower, constraint_key(task, up=True) - 2 * work[task])
            return lower

        def constrained(task: int, start: int) -> int:
            """Apply the hard constraints of a task not started yet to its start key."""
            kind = constraint(task)
            if started[task]:
                return start
            if kind == ConstraintType.SNLT:
                return min(start, constraint_key(task, up=False))
            if kind == ConstraintType.FNLT:
                return min(start, constraint_key(task, up=False) - 2 * work[task])
            if kind == ConstraintType.MSO:
                return constraint_key(task, up=True)
            if kind == ConstraintType.MFO:
                return constraint_key(task, up=False) - 2 * work[task]
            return start

        delay: dict[int, int] = {
            task: int(tasks.leveling_delay_minutes[task])
            for task in self.leaves
            if not started[task]
            and int(tasks.leveling_delay_minutes[task])
            and constraint(task)
            not in (ConstraintType.MSO, ConstraintType.MFO, ConstraintType.ALAP)
        }

        def delayed(task: int, start: int) -> int:
            """The start key of a task once its leveling delay is added to the logic's."""
            if task not in delay:
                return start
            start = tidy_start(task, start)
            if tasks.leveling_delay_elapsed[task]:
                return axis(task).up(axis(task).instant(start) + delay[task])
            return (start & ~1) + 2 * delay[task]

        # The working minutes each delay added in the latest forward pass.
        added: dict[int, int] = {}

        def undelayed(task: int, start: int) -> int:
            """The start key the links bound: a delayed task's start less the working time
            its delay added."""
            if task not in delay:
                return start
            return (start | 1) - 2 * added[task]

        def requirement(link: _Link, start: dict[int, int], finish: dict[int, int]) -> int:
            """What a link demands of its successor's start key."""
            before, after = link.predecessor, link.successor
            if link.link_type in (LinkType.SS, LinkType.SF):
                value = actual_start_key[before] if started[before] else start[before]
            else:
                value = finish[before]
            if tasks.calendar[before] != tasks.calendar[after] or link.elapsed_lag != 0:
                instant = axis(before).instant(value) + link.elapsed_lag
                value = axis(after).up(instant)
            if link.working_lag:
                # Working time added to a date ends at the end of its last working minute.
                value = (value & ~1) + 2 * link.working_lag
            if link.link_type in (LinkType.FF, LinkType.SF):
                value -= 2 * work[after]
            return value

        def forward(
            pins: dict[int, int],
        ) -> tuple[dict[int, int], dict[int, int], dict[int, int], dict[int, int]]:
            """Start and finish keys; what the links demand; ASAP starts of pinned tasks."""
            start: dict[int, int] = {}
            finish: dict[int, int] = {}
            logic: dict[int, int] = {}
            asap: dict[int, int] = {}
            for task in order:
                if finished[task]:
                    actual_finish = date_of(tasks.actual_finish, task)
                    assert actual_finish is not None
                    start[task] = actual_start_key[task]
                    finish[task] = axis(task).down(actual_finish)
                    continue
                logic[task] = max(
                    [requirement(link, start, finish) for link in into[task]], default=-_NONE
                )
                driven = tidy_start(task, max(lower_bound(task), logic[task]))
                own = tidy_start(task, constrained(task, delayed(task, driven)))
                if task in delay:
                    added[task] = max(own // 2 - driven // 2, 0)
                if task in pins:
                    asap[task] = own
                    own = pins[task]
                    added.pop(task, None)
                    if task in delay:
                        added[task] = 0
                start[task] = own
                finish[task] = finish_from_start(task, own)
            return start, finish, logic, asap

        early_start, early_finish, logic, _ = forward({})

        def shown_start(task: int, key: int) -> int:
            actual = date_of(tasks.actual_start, task)
            return actual if actual is not None else axis(task).instant(key)

        def shown_finish(task: int, key: int) -> int:
            actual = date_of(tasks.actual_finish, task)
            return actual if actual is not None else axis(task).instant(key)

        finishes = [shown_finish(task, early_finish[task]) for task in self.leaves]
        project_finish = max(finishes) if finishes else self.start_minute

        def bound_from(link: _Link, start: dict[int, int], finish: dict[int, int]) -> int:
            """What a link demands of its predecessor's finish key (_NONE for nothing)."""
            before, after = link.predecessor, link.successor
            if link.link_type in (LinkType.SS, LinkType.SF) and started[before]:
                return _NONE
            # The links bound the start the logic gives a task, before its leveling delay.
            logic_start = undelayed(after, start[after])
            if link.link_type in (LinkType.FS, LinkType.SS):
                value = logic_start
            else:
                # A finish of a task with work stands for the whole pause that follows it: the
                # forward pass only compares working offsets for such a task.
                value = (logic_start + finish[after] - start[after]) | (1 if has_work(after) else 0)
            if link.working_lag:
                # The forward pass drops the side before adding the lag: any side will do.
                value |= 1
            value -= 2 * link.working_lag
            from_start = link.link_type in (LinkType.SS, LinkType.SF)
            if tasks.calendar[before] != tasks.calendar[after] or link.elapsed_lag != 0:
                instant = axis(after).instant(value) - link.elapsed_lag
                value = axis(before).down(instant)
                if from_start and has_work(before) and value % 2 == 0:
                    # The bound is the end of a working period in the predecessor's calendar:
                    # its work must start within that period, not when the next one begins.
                    value -= 1
            if from_start:
                value += 2 * work[before]
            return value

        # Backward pass.
        late_start: dict[int, int] = {}
        late_finish: dict[int, int] = {}
        for task in reversed(order):
            if finished[task]:
                late_start[task], late_finish[task] = early_start[task], early_finish[task]
                continue
            own_axis = axis(task)
            kind = constraint(task)
            pinned = not started[task] and kind in (ConstraintType.MSO, ConstraintType.MFO)
            if pinned and kind == ConstraintType.MSO:
                bound = constraint_key(task, up=True) + 2 * work[task]
            elif pinned:
                bound = constraint_key(task, up=False)
            else:
                bound = own_axis.down(project_finish)
                for link in out_of[task]:
                    bound = min(bound, bound_from(link, late_start, late_finish))
            deadline = date_of(tasks.deadline, task)
            if deadline is not None:
                bound = min(bound, own_axis.down(deadline))
            for summary in self.ancestors[task]:
                summary_deadline = date_of(tasks.deadline, summary)
                if summary_deadline is not None:
                    bound = min(bound, own_axis.down(summary_deadline))
                summary_date = date_of(tasks.constraint_date, summary)
                if (
                    constraint(summary) == ConstraintType.FNLT
                    and summary_date is not None
                    and not started[task]
                ):
                    bound = min(bound, own_axis.down(summary_date))
            if kind == ConstraintType.FNLT or (started[task] and kind == ConstraintType.MFO):
                bound = min(bound, constraint_key(task, up=False))
            if not started[task] and kind == ConstraintType.SNLT:
                bound = min(bound, constraint_key(task, up=False) + 2 * work[task])
            late_finish[task] = tidy_finish(task, bound)
            late_start[task] = start_from_finish(task, late_finish[task])

        # ALAP tasks sit on their late dates (or their early ones if later) and drive their
        # successors from there.
        scheduled_start, scheduled_finish = early_start, early_finish
        if alap:
            pins = {task: max(late_start[task], early_start[task]) for task in alap}
            scheduled_start, scheduled_finish, logic, asap = forward(pins)
            early_start = dict(scheduled_start)
            early_finish = dict(scheduled_finish)
            for task in alap:
                early_start[task] = asap[task]
                early_finish[task] = finish_from_start(task, asap[task])

        # Floats, critical tasks and constraints that override the logic.
        total_float: dict[int, int] = {}
        free_float: dict[int, int] = {}
        for task in self.leaves:
            if finished[task]:
                total_float[task] = free_float[task] = 0
                continue
            total = late_start[task] // 2 - early_start[task] // 2
            total_float[task] = min(total, 0) if task in alap else total
            own_finish = scheduled_finish[task] // 2
            slacks = [
                tidy_finish(task, bound) // 2 - own_finish
                for bound in (
                    bound_from(link, scheduled_start, scheduled_finish) for link in out_of[task]
                )
                if bound != _NONE
            ]
            free_float[task] = max(min(slacks) if slacks else total_float[task], 0)
        hard = (ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO)
        unmet_leaves = {
            task
            for task in self.leaves
            if not started[task]
            and constraint(task) in hard
            and max(base_lower(task), logic[task]) // 2 > early_start[task] // 2
        }

        return self._assemble(
            project_finish,
            {
                task: (
                    shown_start(task, early_start[task]),
                    shown_finish(task, early_finish[task]),
                    shown_start(task, late_start[task]),
                    shown_finish(task, late_finish[task]),
                    shown_start(task, scheduled_start[task]),
                    shown_finish(task, scheduled_finish[task]),
                )
                for task in self.leaves
            },
            total_float,
            free_float,
            finished,
            unmet_leaves,
        )

    def _assemble(
        self,
        project_finish: int,
        dates: dict[int, tuple[int, int, int, int, int, int]],
        total_float: dict[int, int],
        free_float: dict[int, int],
        finished: dict[int, bool],
        unmet_leaves: set[int],
    ) -> ScheduleResult:
        tasks = self.tasks
        n = self.n
        columns = [np.zeros(n, dtype=np.int64) for _ in range(6)]
        total = np.zeros(n, dtype=np.int64)
        free = np.zeros(n, dtype=np.int64)
        critical = np.zeros(n, dtype=bool)
        unmet = np.zeros(n, dtype=bool)
        for task in range(n):
            under = self._under(task)
            for index in range(6):
                values = [dates[leaf][index] for leaf in under]
                columns[index][task] = max(values) if index % 2 else min(values)
            open_leaves = [leaf for leaf in under if not finished[leaf]]
            if open_leaves:
                total[task] = min(total_float[leaf] for leaf in open_leaves)
                free[task] = min(free_float[leaf] for leaf in open_leaves)
            critical[task] = any(total_float[leaf] <= 0 for leaf in open_leaves)
            finish = int(columns[5][task])
            if self.is_summary[task]:
                constraint_date = _minute(tasks.constraint_date[task])
                unmet[task] = (
                    ConstraintType(int(tasks.constraint_type[task])) == ConstraintType.FNLT
                    and constraint_date is not None
                    and finish > constraint_date
                )
            else:
                unmet[task] = task in unmet_leaves
        deadline = tasks.deadline
        finish_dates = columns[5].view("datetime64[m]")
        missed = ~np.isnat(deadline) & (finish_dates > deadline)
        return ScheduleResult(
            early_start=columns[0].view("datetime64[m]"),
            early_finish=columns[1].view("datetime64[m]"),
            late_start=columns[2].view("datetime64[m]"),
            late_finish=columns[3].view("datetime64[m]"),
            start=columns[4].view("datetime64[m]"),
            finish=finish_dates,
            total_float_minutes=total,
            free_float_minutes=free,
            critical=critical,
            summary=np.array(self.is_summary, dtype=bool),
            project_start=self.project_start,
            project_finish=np.datetime64(project_finish, "m"),
            negative_float=np.flatnonzero(total < 0),
            unmet_constraints=np.flatnonzero(unmet),
            missed_deadlines=np.flatnonzero(missed),
        )
