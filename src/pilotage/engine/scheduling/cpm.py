"""The critical path method, vectorised by topological level: :func:`compute_schedule`.

The forward and backward passes run once per topological level of the network, each level
handled as a whole with numpy (a gather over the links into the level and a segmented
maximum or minimum), so that the Python overhead grows with the depth of the network and not
with its size.

Dates are handled as integer *keys* on the working-minute axis of each task's calendar:
``key = 2 * offset + side`` where ``offset`` is :meth:`WorkingTime.working_offset` and ``side``
is 1 for the start of the next working period and 0 for the end of the previous one. The two
coincide within working time; at a boundary (17:00 versus 08:00 the next morning) the side
only shows for milestones, which sit at the instant that drives them (a milestone after a task
finishing at 17:00 is at 17:00). A task with work starts on side 1 and finishes on side 0, and
floats are differences of offsets, in working minutes of the task's calendar. Dates only leave
the working-minute axis where a link joins two calendars or has an elapsed lag, and at the end.
There, all the dates of a level are converted at once through :class:`PositionTables` (keys
are its working positions), whatever calendars they join. When a date leaves the compiled
horizon of a calendar, its level is converted again by the calendars' own methods, which
extend the horizon, and the pass resumes from that level.

The rules are those of Microsoft Project (checked against the dates, slack and free slack it
saved in its own files), with these choices written down:

- Lags of WORKING and PERCENT links are working minutes of the successor's calendar; a PERCENT
  lag is ``round(lag_percent * duration / 100)`` of the predecessor's duration. Working time
  added to a date ends at the end of its last working minute (a milestone one day after
  Monday 08:00 is on Monday at 17:00).
- A task without actual dates starts no earlier than the project start and the status date.
  SNET and FNET only push a task later. SNLT, FNLT, MSO and MFO win over the links, the project
  start and the status date ("tasks will always honor their constraint dates"); the conflict is
  listed in ``unmet_constraints`` and shows as negative float on the tasks that drive it. SNLT,
  FNLT and deadlines bound the late dates (deadlines never move early dates); MSO and MFO put
  the late dates on the constraint date too, so a conflict after such a task stops there. The
  late finish of every task is at most the project finish, the latest early finish.
- ALAP tasks are scheduled (``start``/``finish``) on their late dates, or on their early dates
  if those are later, and their successors are scheduled after them; their early dates are
  where they could start as soon as possible. Their total float is zero (negative if the late
  dates are before the early ones), so they show as critical, as in Microsoft Project.
- Free float is the slack before the earliest successor's scheduled date, or the total float
  of a task without successors; it is never negative and may exceed the total float.
- Progress with retained logic: a finished task keeps its actual dates and the links into it
  are history. A started task keeps its actual start; its remaining work resumes after the
  work already done (counted from the actual start), after the status date and after what its
  FS and SS links demand, and finishes after what its FF and SF links demand. Constraints no
  longer move a started task; FNLT, MFO and deadlines still bound its late finish. A finished
  task has zero float and is never critical; a started task's late start is its actual start
  and its total float is that of its finish.
- A summary task has no dates of its own: a link to or from it applies to every task under it
  (for an SS or SF link from a summary task the successor therefore waits for the last of its
  tasks to start, where Microsoft Project would take the first), its SNET constraint pushes
  every task under it, and its FNLT constraint and deadline bound their late finishes. Its
  dates span those of the tasks under it; its floats are their smallest among the unfinished
  ones, and it is critical when one of them is.
- A finish on a period boundary is shown at the end of the period (Friday 17:00), where
  Microsoft Project sometimes writes the equivalent start of the next one (Monday 08:00): the
  same working moment, so compare such dates in working time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from pilotage.engine.calendars import PositionBound, PositionTables, WorkingTime
from pilotage.engine.errors import CyclicDependencyError, ScheduleInputError
from pilotage.engine.scheduling.network import (
    REMAINING_FROM_PERCENT,
    BoolArray,
    ConstraintType,
    DateArray,
    InstantLike,
    IntArray,
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    as_instant,
    summary_mask,
    validate_network,
)

__all__ = ["compute_schedule"]

_Pair: TypeAlias = tuple[WorkingTime, WorkingTime]

_BIG: Final = 1 << 61
"""Larger than any key: stands for "no bound"."""

_I64: Final = np.int64


def _int_array(values: npt.ArrayLike) -> IntArray:
    return np.asarray(values, dtype=_I64)


def _calendar_groups(calendar: IntArray) -> list[tuple[int, Any]]:
    """Which elements use which calendar: a slice for one calendar, index arrays for several."""
    if calendar.size == 0:
        return []
    first = int(calendar[0])
    if bool((calendar == first).all()):
        return [(first, slice(None))]
    return [(int(code), np.flatnonzero(calendar == code)) for code in np.unique(calendar)]


def _instants_in(keys: IntArray, working: WorkingTime) -> IntArray:
    """The instants (epoch minutes) of keys of one calendar."""
    offsets = keys >> 1
    on_start = (keys & 1) == 1
    if on_start.all():
        return working.instant_at(offsets, side="start").view(_I64)
    finish = working.instant_at(offsets, side="finish").view(_I64)
    if not on_start.any():
        return finish
    return np.where(on_start, working.instant_at(offsets, side="start").view(_I64), finish)


def _instants_of(keys: IntArray, calendar: IntArray, calendars: Sequence[WorkingTime]) -> IntArray:
    """The instants (epoch minutes) of keys, each in its task's calendar."""
    out = np.empty_like(keys)
    for code, where in _calendar_groups(calendar):
        out[where] = _instants_in(keys[where], calendars[code])
    return out


def _scalar_keys(
    minute: int, calendar: IntArray, calendars: Sequence[WorkingTime], *, up: bool
) -> IntArray:
    """The key of one instant in the calendar of each task."""
    convert = _up_in if up else _down_in
    keys = np.empty(calendar.size, dtype=_I64)
    for code, where in _calendar_groups(calendar):
        keys[where] = convert(np.array([minute], dtype=_I64), calendars[code])[0]
    return keys


def _offsets_around(
    minutes: IntArray, step: int, working: WorkingTime
) -> tuple[IntArray, IntArray]:
    """Working offsets of instants and of the instants ``step`` minutes away, in one call."""
    both = np.concatenate([minutes, minutes + step]).view("datetime64[m]")
    offsets = _int_array(working.working_offset(both))
    return offsets[: minutes.size], offsets[minutes.size :]


def _up_in(minutes: IntArray, working: WorkingTime) -> IntArray:
    """Keys, in one calendar, of instants used as lower bounds.

    An instant in a pause (the minute before it was not worked) goes to the start of the next
    working period, side 1; any other instant is the end of the work before it, side 0.
    """
    offsets, before = _offsets_around(minutes, -1, working)
    return _int_array(2 * offsets + (offsets == before))


def _down_in(minutes: IntArray, working: WorkingTime) -> IntArray:
    """Keys, in one calendar, of instants used as upper bounds.

    An instant whose minute is worked is the start of that work, side 1; any other instant
    goes to the end of the previous working period, side 0.
    """
    offsets, after = _offsets_around(minutes, 1, working)
    return _int_array(2 * offsets + (after != offsets))


def _keys_up(minutes: IntArray, calendar: IntArray, calendars: Sequence[WorkingTime]) -> IntArray:
    """Keys of instants used as lower bounds, each in its task's calendar."""
    out = np.empty_like(minutes)
    for code, where in _calendar_groups(calendar):
        out[where] = _up_in(minutes[where], calendars[code])
    return out


def _keys_down(minutes: IntArray, calendar: IntArray, calendars: Sequence[WorkingTime]) -> IntArray:
    """Keys of instants used as upper bounds, each in its task's calendar."""
    out = np.empty_like(minutes)
    for code, where in _calendar_groups(calendar):
        out[where] = _down_in(minutes[where], calendars[code])
    return out


def _minutes(instants: DateArray) -> IntArray:
    return instants.astype("datetime64[m]").view(_I64)


def _delayed_starts(
    starts: IntArray,
    bit: IntArray,
    delay: IntArray,
    elapsed: BoolArray,
    calendar: IntArray,
    calendars: Sequence[WorkingTime],
) -> IntArray:
    """Start keys once a leveling delay is added to the start the logic gives (one element
    per delayed task): working time added ends at the end of its last working minute, as for
    a lag; an elapsed delay is wall-clock time from the start, then the next working time."""
    starts = starts | bit
    out = (starts & -2) + 2 * delay
    if elapsed.any():
        rows = np.flatnonzero(elapsed)
        minutes = _instants_of(starts[rows], calendar[rows], calendars) + delay[rows]
        out[rows] = _keys_up(minutes, calendar[rows], calendars)
    return out


@dataclass(frozen=True)
class _Leaves:
    """The network of the tasks that do work (summary tasks expanded), in input order."""

    task: IntArray  # index of each leaf in the input tasks
    pair_leaf: IntArray  # (leaf, summary task above it) pairs
    pair_summary: IntArray
    predecessor: IntArray  # links between leaves
    successor: IntArray
    link_type: IntArray
    working_lag: IntArray
    elapsed_lag: IntArray


def _expand_summaries(tasks: ScheduleTasks, links: ScheduleLinks) -> _Leaves:
    summary = summary_mask(tasks)
    leaves = np.flatnonzero(~summary)
    leaf_of = np.full(tasks.size, -1, dtype=_I64)
    leaf_of[leaves] = np.arange(leaves.size)

    pair_leaf_parts: list[IntArray] = []
    pair_summary_parts: list[IntArray] = []
    above = tasks.parent[leaves]
    below = np.arange(leaves.size)
    while True:
        keep = above >= 0
        if not keep.any():
            break
        above, below = above[keep], below[keep]
        pair_leaf_parts.append(below)
        pair_summary_parts.append(above)
        above = tasks.parent[above]
    pair_leaf = np.concatenate([np.empty(0, _I64), *pair_leaf_parts])
    pair_summary = np.concatenate([np.empty(0, _I64), *pair_summary_parts])

    predecessor, successor = links.predecessor, links.successor
    origin = np.arange(links.size)
    if summary.any():
        by_summary = np.argsort(pair_summary, kind="stable")
        members = np.concatenate([pair_leaf[by_summary], np.arange(leaves.size)])
        counts = np.bincount(pair_summary, minlength=tasks.size)
        first = np.cumsum(counts) - counts
        # Each end of a link becomes its group of leaves: the leaves under a summary task, or
        # the leaf itself (stored after the summary groups in ``members``).
        group_size = np.where(summary, counts, 1)
        group_first = np.where(summary, first, by_summary.size + leaf_of)
        expanded: list[IntArray] = []
        for ends in (predecessor, successor):
            end = ends[origin]
            size = group_size[end]
            within = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
            origin = np.repeat(origin, size)
            expanded = [part.repeat(size) for part in expanded]
            expanded.append(members[np.repeat(group_first[end], size) + within])
        leaf_predecessor, leaf_successor = expanded
        looped = leaf_predecessor == leaf_successor
        if looped.any():
            link = int(origin[np.flatnonzero(looped)[0]])
            before, after = int(tasks.ids[predecessor[link]]), int(tasks.ids[successor[link]])
            raise CyclicDependencyError(
                f"Task {before} and task {after} are linked but one is a summary task of the other",
                cycle=(before, after),
            )
    else:
        leaf_predecessor, leaf_successor = leaf_of[predecessor], leaf_of[successor]

    kind = links.lag_kind[origin]
    lag = links.lag_minutes[origin]
    duration = tasks.duration_minutes[leaves[leaf_predecessor]]
    percent_lag = np.rint(links.lag_percent[origin] * duration / 100).astype(_I64)
    working_lag = np.where(
        kind == LagKind.WORKING, lag, np.where(kind == LagKind.PERCENT, percent_lag, 0)
    )
    elapsed_lag = np.where(kind == LagKind.ELAPSED, lag, 0)
    return _Leaves(
        task=leaves,
        pair_leaf=pair_leaf,
        pair_summary=pair_summary,
        predecessor=_int_array(leaf_predecessor),
        successor=_int_array(leaf_successor),
        link_type=links.link_type[origin].astype(_I64),
        working_lag=_int_array(working_lag),
        elapsed_lag=_int_array(elapsed_lag),
    )


def _find_cycle(
    size: int, predecessor: IntArray, successor: IntArray, stuck: BoolArray
) -> list[int]:
    """One cycle among the tasks the topological sort could not place, in link order."""
    order = np.argsort(successor, kind="stable")
    pointer = np.searchsorted(successor[order], np.arange(size + 1))
    node = int(np.flatnonzero(stuck)[0])
    path: list[int] = []
    seen: dict[int, int] = {}
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        incoming = predecessor[order[pointer[node] : pointer[node + 1]]]
        node = int(incoming[stuck[incoming]][0])
    return path[seen[node] :][::-1]


def _topological_levels(
    size: int, predecessor: IntArray, successor: IntArray, ids: IntArray
) -> tuple[IntArray, list[int]]:
    """Tasks in topological order and where each level starts (Kahn's algorithm by level)."""
    by_predecessor = np.argsort(predecessor, kind="stable")
    targets_of = successor[by_predecessor]
    out_count = np.bincount(predecessor, minlength=size)
    out_first = np.cumsum(out_count) - out_count
    indegree = np.bincount(successor, minlength=size)
    frontier = np.flatnonzero(indegree == 0)
    latest = np.zeros(size, dtype=_I64)
    ranks = np.arange(successor.size + 1)
    levels: list[IntArray] = []
    placed = 0
    while frontier.size:
        levels.append(frontier)
        placed += frontier.size
        count = out_count[frontier]
        ends = count.cumsum()
        total = int(ends[-1])
        if total == 0:
            break
        rank = ranks[:total]
        position = (out_first[frontier] - ends + count).repeat(count)
        position += rank
        targets = targets_of[position]
        np.subtract.at(indegree, targets, 1)
        # A task reached by several links at once must enter the next level only once: keep
        # the entry whose position the scatter below happened to record.
        latest[targets] = rank
        frontier = targets[(indegree[targets] == 0) & (latest[targets] == rank)]
    if placed < size:
        stuck = np.ones(size, dtype=bool)
        stuck[np.concatenate([np.empty(0, _I64), *levels])] = False
        cycle = _find_cycle(size, predecessor, successor, stuck)
        raise CyclicDependencyError(cycle=[int(ids[node]) for node in cycle])
    bounds = np.cumsum([0, *(level.size for level in levels)]).tolist()
    order = np.concatenate([np.empty(0, _I64), *levels])
    return order, bounds


def _grouped(
    order: IntArray, counts: IntArray, first: IntArray, link_order: IntArray, real: int
) -> tuple[IntArray, IntArray]:
    """Links grouped by task in level order, each group led by an entry for the task's bound.

    Returns, for each entry, the index of its link (``real + task`` for the leading entry of
    ``task``), and where each task's group starts.
    """
    sizes = counts[order] + 1
    starts = np.cumsum(sizes) - sizes
    position = np.repeat(first[order] - 1 - starts, sizes) + np.arange(int(sizes.sum()))
    extended = np.concatenate([link_order, np.zeros(1, dtype=_I64)])
    entries = extended[np.clip(position, 0, link_order.size)]
    entries[starts] = real + order
    return _int_array(entries), _int_array(starts)


@dataclass(frozen=True)
class _TaskKeys:
    """What the passes need to know about each leaf, in input order."""

    calendar: IntArray
    started: BoolArray
    finished: BoolArray
    in_progress: BoolArray
    alap: BoolArray
    hard: BoolArray  # not started, with an SNLT, FNLT, MSO or MFO constraint
    bit: IntArray  # 1 where work remains: the start is on side 1 and the finish on side 0
    finish_shift: IntArray  # finish key - start key
    finish_mask: IntArray  # clears the side of a finish key of a task with work
    work: IntArray  # working minutes still to do
    base_lower: IntArray  # project start, status date and summary SNET constraints
    lower: IntArray  # lower bound of the start key, constraints included
    upper: IntArray  # upper bound of the start key (hard constraints)
    late_fixed: IntArray  # bounds of the late finish key: deadlines and constraints
    pinned: BoolArray  # not started, with an MSO or MFO constraint: late dates on the date
    pin: IntArray  # the late finish key of a pinned task
    actual_start_key: IntArray
    actual_start: IntArray  # epoch minutes
    actual_finish: IntArray
    delay: IntArray  # leveling delay of a task not started yet, 0 for none
    delay_elapsed: BoolArray


def _task_keys(
    tasks: ScheduleTasks,
    leaves: _Leaves,
    calendars: Sequence[WorkingTime],
    project_start: np.datetime64,
    status_date: np.datetime64 | None,
) -> _TaskKeys:
    task = leaves.task
    size = int(task.size)
    calendar = tasks.calendar[task]
    duration = tasks.duration_minutes[task]
    constraint = tasks.constraint_type[task].astype(_I64)
    started = ~np.isnat(tasks.actual_start[task])
    finished = ~np.isnat(tasks.actual_finish[task])
    in_progress = started & ~finished
    unstarted = ~started
    given = tasks.remaining_duration_minutes[task]
    from_percent = np.rint(duration * (100 - tasks.percent_complete[task]) / 100).astype(_I64)
    remaining = np.where(given == REMAINING_FROM_PERCENT, from_percent, given)
    work = np.where(in_progress, remaining, np.where(finished, 0, duration))
    bit = ((work > 0) & ~finished).astype(_I64)
    span = 2 * work

    def keys(instants: DateArray, where: BoolArray, *, up: bool) -> IntArray:
        result = np.zeros(size, dtype=_I64)
        if where.any():
            convert = _keys_up if up else _keys_down
            result[where] = convert(_minutes(instants[where]), calendar[where], calendars)
        return result

    actual_start = _minutes(tasks.actual_start[task])
    actual_finish = _minutes(tasks.actual_finish[task])
    actual_start_key = keys(tasks.actual_start[task], started, up=True)
    actual_finish_key = keys(tasks.actual_finish[task], finished, up=False)
    dated = ~np.isnat(tasks.constraint_date[task])
    date_up = keys(tasks.constraint_date[task], dated, up=True)
    date_down = keys(tasks.constraint_date[task], dated, up=False)
    has_deadline = ~np.isnat(tasks.deadline[task])
    late_fixed = np.where(has_deadline, keys(tasks.deadline[task], has_deadline, up=False), _BIG)

    base_lower = _scalar_keys(int(project_start.astype(_I64)), calendar, calendars, up=True)
    status_key = None
    if status_date is not None:
        status_key = _scalar_keys(int(status_date.astype(_I64)), calendar, calendars, up=True)
        base_lower = np.maximum(base_lower, status_key)
    _apply_summary_constraints(
        tasks, leaves, calendars, unstarted, finished, base_lower, late_fixed
    )

    is_type = {kind: unstarted & (constraint == kind) for kind in ConstraintType}
    lower = base_lower.copy()
    upper = np.full(size, _BIG, dtype=_I64)
    for kind, key in (
        (ConstraintType.SNET, date_up),
        (ConstraintType.FNET, date_up - span),
    ):
        lower = np.where(is_type[kind], np.maximum(lower, key), lower)
    for kind, key in ((ConstraintType.SNLT, date_down), (ConstraintType.FNLT, date_down - span)):
        upper = np.where(is_type[kind], key, upper)
    for kind, key in ((ConstraintType.MSO, date_up), (ConstraintType.MFO, date_down - span)):
        lower = np.where(is_type[kind], key, lower)
        upper = np.where(is_type[kind], key, upper)
    # Late finish bounds: SNLT bounds the start and FNLT the finish; a started task keeps its
    # FNLT and MFO as bounds. MSO and MFO put the late dates on the date, whatever the
    # successors say, as they do the early dates.
    snlt = is_type[ConstraintType.SNLT]
    late_fixed = np.where(snlt, np.minimum(late_fixed, date_down + span), late_fixed)
    finish_kind = (constraint == ConstraintType.FNLT) | (
        in_progress & (constraint == ConstraintType.MFO)
    )
    late_fixed = np.where(finish_kind & ~finished, np.minimum(late_fixed, date_down), late_fixed)
    pin = np.where(is_type[ConstraintType.MSO], date_up + span, _BIG)
    pin = np.where(is_type[ConstraintType.MFO], date_down, pin)

    if in_progress.any():
        # The remaining work resumes after the work done, counted from the actual start.
        done = np.maximum(duration - remaining, 0)
        resume = 2 * ((actual_start_key >> 1) + done)
        if status_key is not None:
            resume = np.maximum(resume, status_key)
        lower = np.where(in_progress, resume, lower)
    lower = np.where(finished, actual_start_key, lower)
    upper = np.where(finished, actual_start_key, upper)

    hard_kinds = [ConstraintType.SNLT, ConstraintType.FNLT, ConstraintType.MSO, ConstraintType.MFO]
    # A must-start-on or must-finish-on date wins over a leveling delay, and an
    # as-late-as-possible task sits on its late dates, which a delay after the logic would
    # contradict: neither takes one (leveling keeps such tasks where they are).
    pinned = is_type[ConstraintType.MSO] | is_type[ConstraintType.MFO]
    delay = np.where(
        unstarted & ~pinned & ~is_type[ConstraintType.ALAP], tasks.leveling_delay_minutes[task], 0
    )
    return _TaskKeys(
        calendar=calendar,
        started=started,
        finished=finished,
        in_progress=in_progress,
        alap=is_type[ConstraintType.ALAP],
        hard=unstarted & np.isin(constraint, hard_kinds),
        bit=bit,
        finish_shift=np.where(finished, actual_finish_key - actual_start_key, span - bit),
        finish_mask=np.where(bit == 1, -2, -1).astype(_I64),
        work=work,
        base_lower=base_lower,
        lower=lower,
        upper=upper,
        late_fixed=late_fixed,
        pinned=pinned,
        pin=pin,
        actual_start_key=actual_start_key,
        actual_start=actual_start,
        actual_finish=actual_finish,
        delay=_int_array(delay),
        delay_elapsed=tasks.leveling_delay_elapsed[task] & (delay != 0),
    )


def _apply_summary_constraints(
    tasks: ScheduleTasks,
    leaves: _Leaves,
    calendars: Sequence[WorkingTime],
    unstarted: BoolArray,
    finished: BoolArray,
    base_lower: IntArray,
    late_fixed: IntArray,
) -> None:
    """Push the leaves by their summary tasks' SNET; bound them by their FNLT and deadlines."""
    above, below = leaves.pair_summary, leaves.pair_leaf
    if not above.size:
        return
    calendar = tasks.calendar[leaves.task]
    kind = tasks.constraint_type[above]
    for chosen, dates, up in (
        ((kind == ConstraintType.SNET) & unstarted[below], tasks.constraint_date, True),
        ((kind == ConstraintType.FNLT) & unstarted[below], tasks.constraint_date, False),
        (~np.isnat(tasks.deadline[above]) & ~finished[below], tasks.deadline, False),
    ):
        if not chosen.any():
            continue
        convert = _keys_up if up else _keys_down
        key = convert(_minutes(dates[above[chosen]]), calendar[below[chosen]], calendars)
        if up:
            np.maximum.at(base_lower, below[chosen], key)
        else:
            np.minimum.at(late_fixed, below[chosen], key)


@dataclass(frozen=True)
class _LiveLinks:
    """The links between leaves that still matter (not into finished tasks), with their keys."""

    predecessor: IntArray
    successor: IntArray
    elapsed_lag: IntArray
    slow: BoolArray  # the link joins two calendars or has an elapsed lag
    forward_source: IntArray  # slot of the predecessor's date in the early dates
    forward_mask: IntArray  # clears the side before a working lag is added
    forward_shift: IntArray
    backward_source: IntArray  # slot of the successor's date in the late dates
    backward_shift: IntArray
    backward_pre_shift: IntArray
    backward_side: IntArray
    backward_start_bound: IntArray


def _live_links(leaves: _Leaves, keys: _TaskKeys) -> _LiveLinks:
    """Per link, which date of the other task it reads and what it adds to it.

    The passes store early dates as [starts, finishes, actual starts] and late dates as
    [starts, finishes]; ``forward_source`` and ``backward_source`` say which part (0, 1 or 2)
    and :func:`_plan` turns them into indices.
    """
    live = ~keys.finished[leaves.successor]
    predecessor = leaves.predecessor[live]
    successor = leaves.successor[live]
    link_type = leaves.link_type[live]
    working_lag = leaves.working_lag[live]
    elapsed_lag = leaves.elapsed_lag[live]
    from_start = (link_type == LinkType.SS) | (link_type == LinkType.SF)
    to_finish = (link_type == LinkType.FF) | (link_type == LinkType.SF)
    slow = (keys.calendar[predecessor] != keys.calendar[successor]) | (elapsed_lag != 0)
    span = 2 * keys.work
    # A started predecessor drives SS and SF links by its actual start.
    forward_slot = np.where(from_start, np.where(keys.in_progress[predecessor], 2, 0), 1)
    backward_post = np.where(from_start, span[predecessor], 0)
    backward_post = np.where(from_start & keys.in_progress[predecessor], _BIG, backward_post)
    return _LiveLinks(
        predecessor=predecessor,
        successor=successor,
        elapsed_lag=elapsed_lag,
        slow=slow,
        forward_source=forward_slot,
        # Working time added to a date ends at the end of the last working minute, whatever
        # side the date was on (the side of an instant within working time means nothing).
        forward_mask=np.where(working_lag != 0, -2, -1).astype(_I64),
        forward_shift=2 * working_lag - np.where(to_finish, span[successor], 0),
        backward_source=np.where(to_finish, 1, 0),
        backward_shift=np.where(slow, backward_post, backward_post - 2 * working_lag),
        backward_pre_shift=np.where(slow, -2 * working_lag, 0),
        # The forward pass only compares working offsets for a task with work, so its finish
        # stands for the whole pause that follows it when it bounds a predecessor.
        backward_side=_int_array((to_finish & (keys.bit[successor] == 1)) | (working_lag != 0)),
        # Across calendars, a bound on the start of a task with work that falls at the end of
        # a working period (17:00) must keep the start before it, not at 08:00 the next day.
        backward_start_bound=_int_array(slow & from_start & (keys.bit[predecessor] == 1)),
    )


@dataclass(frozen=True)
class _Crossings:
    """The entries whose value must be converted from one calendar to another.

    One row per entry, sorted by level and then by source and target calendar: the rows of
    ``level`` are ``level_rows[level]:level_rows[level + 1]``.
    """

    entries: IntArray
    relative: IntArray  # where each entry sits among the entries of its level
    level: IntArray
    level_rows: list[int]
    source: IntArray
    target: IntArray
    elapsed: IntArray
    start_bound: IntArray


def _crossings(
    slow: BoolArray,
    level_bounds: list[int],
    source: IntArray,
    target: IntArray,
    elapsed: IntArray,
    start_bound: IntArray,
) -> _Crossings:
    """Sort the slow entries by level and calendar pair (all arrays are per entry)."""
    entries = np.flatnonzero(slow)
    firsts = np.asarray(level_bounds, dtype=_I64)
    level = np.searchsorted(firsts, entries, side="right") - 1
    order = np.lexsort((target[entries], source[entries], level))
    entries, level = entries[order], level[order]
    return _Crossings(
        entries=entries,
        relative=_int_array(entries - firsts[level]),
        level=_int_array(level),
        level_rows=np.searchsorted(level, np.arange(len(level_bounds))).tolist(),
        source=source[entries],
        target=target[entries],
        elapsed=elapsed[entries],
        start_bound=start_bound[entries],
    )


@dataclass(frozen=True)
class _Conversions:
    """The crossings' conversions through the merged tables of all the calendars.

    Per row: what places its value in its source calendar's table (the backward pass's
    working lag included) and what places its instant in its target calendar's table (the
    elapsed lag included); and the converted values of the latest pass, which show where a
    value left a calendar's compiled horizon.
    """

    tables: PositionTables
    forward_position: IntArray
    forward_minute: IntArray
    forward_converted: IntArray
    backward_position: IntArray
    backward_minute: IntArray
    backward_converted: IntArray


@dataclass
class _Plan:
    """The passes' arrays in level order.

    Each task's entries (its links, led by an entry for its own bound) are contiguous, and the
    tasks of one level are contiguous, so that a level is one gather and one segmented
    reduction.
    """

    size: int
    bounds: list[int]
    order: IntArray
    position: IntArray
    calendar: IntArray
    delay: IntArray
    delay_elapsed: BoolArray
    delayed: IntArray  # the tasks with a leveling delay, by their place in level order
    delayed_bounds: list[int]  # where each level's delayed tasks start in ``delayed``
    # The working minutes each delay added in the latest forward pass (by place in level
    # order): the links bound a delayed task's start that much earlier.
    delay_working: IntArray
    bit: IntArray
    finish_mask: IntArray
    finish_shift: IntArray
    upper: IntArray
    forward_source: IntArray
    forward_mask: IntArray
    forward_shift: IntArray
    forward_starts: IntArray
    forward_bounds: list[int]
    forward_segments: IntArray
    forward_crossings: _Crossings
    backward_source: IntArray
    backward_shift: IntArray  # what each successor demands (free float)
    late_shift: IntArray  # the same for the backward pass, which pinned tasks ignore
    backward_pre_shift: IntArray
    backward_side: IntArray
    backward_owner: IntArray
    backward_real: BoolArray
    backward_starts: IntArray
    backward_bounds: list[int]
    backward_segments: IntArray
    backward_crossings: _Crossings
    conversions: _Conversions | None = None


def _plan(keys: _TaskKeys, links: _LiveLinks, order: IntArray, bounds: list[int]) -> _Plan:
    size = int(order.size)
    real = int(links.predecessor.size)
    position = np.empty(size, dtype=_I64)
    position[order] = np.arange(size)
    level_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))

    def group(ends: IntArray) -> tuple[IntArray, IntArray, list[int], IntArray]:
        count = np.bincount(ends, minlength=size)
        entries, starts = _grouped(
            order, count, np.cumsum(count) - count, np.argsort(ends, kind="stable"), real
        )
        level_bounds = np.append(starts, entries.size)[bounds]
        return entries, starts, level_bounds.tolist(), starts - level_bounds[level_of]

    def per_entry(entries: IntArray, values: npt.NDArray[Any], bound: Any) -> Any:
        return np.concatenate([values, np.full(size, bound, dtype=values.dtype)])[entries]

    forward_entries, forward_starts, forward_bounds, forward_segments = group(links.successor)
    forward_source = per_entry(
        forward_entries, links.forward_source * size + position[links.predecessor], 3 * size
    )
    forward_shift = per_entry(forward_entries, links.forward_shift, 0)
    forward_mask = per_entry(forward_entries, links.forward_mask, -1)
    forward_shift[forward_starts] = keys.lower[order]
    calendar = keys.calendar
    forward_crossings = _crossings(
        per_entry(forward_entries, links.slow, False),
        forward_bounds,
        per_entry(forward_entries, calendar[links.predecessor], 0),
        per_entry(forward_entries, calendar[links.successor], 0),
        per_entry(forward_entries, links.elapsed_lag, 0),
        np.zeros(forward_entries.size, dtype=_I64),
    )

    backward_entries, backward_starts, backward_bounds, backward_segments = group(links.predecessor)
    backward_crossings = _crossings(
        per_entry(backward_entries, links.slow, False),
        backward_bounds,
        per_entry(backward_entries, calendar[links.successor], 0),
        per_entry(backward_entries, calendar[links.predecessor], 0),
        per_entry(backward_entries, links.elapsed_lag, 0),
        per_entry(backward_entries, links.backward_start_bound, 0),
    )
    backward_owner = position[
        np.concatenate([links.predecessor, np.arange(size)])[backward_entries]
    ]
    delayed = np.flatnonzero(keys.delay[order] != 0)
    backward_real = backward_entries < real
    backward_shift = per_entry(backward_entries, links.backward_shift, 0)
    pinned_entry = backward_real & keys.pinned[order][backward_owner]
    return _Plan(
        size=size,
        bounds=bounds,
        order=order,
        position=position,
        calendar=calendar[order],
        delay=keys.delay[order],
        delay_elapsed=keys.delay_elapsed[order],
        delayed=delayed,
        delayed_bounds=np.searchsorted(delayed, bounds).tolist(),
        delay_working=np.zeros(size, dtype=_I64),
        bit=keys.bit[order],
        finish_mask=keys.finish_mask[order],
        finish_shift=keys.finish_shift[order],
        upper=keys.upper[order],
        forward_source=forward_source,
        forward_mask=forward_mask,
        forward_shift=forward_shift,
        forward_starts=forward_starts,
        forward_bounds=forward_bounds,
        forward_segments=forward_segments,
        forward_crossings=forward_crossings,
        # The links bound their successors' dates before any leveling delay: the late
        # dates are [starts, finishes, starts and finishes before the delay].
        backward_source=per_entry(
            backward_entries,
            (links.backward_source + 2) * size + position[links.successor],
            4 * size,
        ),
        backward_shift=backward_shift,
        late_shift=np.where(pinned_entry, _BIG, backward_shift),
        backward_pre_shift=per_entry(backward_entries, links.backward_pre_shift, 0),
        backward_side=per_entry(backward_entries, links.backward_side, 0),
        backward_owner=backward_owner,
        backward_real=backward_real,
        backward_starts=backward_starts,
        backward_bounds=backward_bounds,
        backward_segments=backward_segments,
        backward_crossings=backward_crossings,
    )


def _convert_up(
    keys: IntArray,
    source: IntArray,
    target: IntArray,
    elapsed: IntArray,
    calendars: Sequence[WorkingTime],
) -> IntArray:
    """Keys of many calendars converted into others (``source``/``target`` are codes)."""
    return _keys_up(_instants_of(keys, source, calendars) + elapsed, target, calendars)


def _cross_up(
    values: IntArray, where: IntArray, rows: Any, crossings: _Crossings, calendars: _Pair
) -> None:
    """Convert predecessors' keys at ``where`` into their successors' calendar."""
    source, target = calendars
    minutes = _instants_in(values[where], source) + crossings.elapsed[rows]
    values[where] = _up_in(minutes, target)


def _cross_down(
    values: IntArray, where: IntArray, rows: Any, crossings: _Crossings, calendars: _Pair
) -> None:
    """Convert successors' bounds at ``where`` into their predecessors' calendar.

    Across calendars, a bound on the start of a task with work that falls at the end of a
    working period (17:00) must keep the start before it, not at 08:00 the next day.
    """
    source, target = calendars
    minutes = _instants_in(values[where], source) - crossings.elapsed[rows]
    converted = _down_in(minutes, target)
    values[where] = converted - (crossings.start_bound[rows] & ~converted & 1)


def _cross_rows(
    values: IntArray,
    where: IntArray,
    rows: IntArray,
    crossings: _Crossings,
    calendars: Sequence[WorkingTime],
    *,
    up: bool,
) -> None:
    """Convert the values at ``where`` of some rows with the calendars' own methods, which
    extend their horizons (or raise), one calendar pair at a time."""
    pair = crossings.source[rows] * len(calendars) + crossings.target[rows]
    cross = _cross_up if up else _cross_down
    for code in np.unique(pair).tolist():
        chosen = pair == code
        pair_calendars = (calendars[code // len(calendars)], calendars[code % len(calendars)])
        cross(values, where[chosen], rows[chosen], crossings, pair_calendars)


_SAFE: Final = PositionTables.LIMIT // 2
"""Keys and lags below this (in absolute value) can go through the position tables."""

_CHECK_EVERY: Final = 64
"""How many levels the passes convert between looks for a value outside a horizon."""


def _within(*arrays: IntArray) -> bool:
    return all(not array.size or (array.min() > -_SAFE and array.max() < _SAFE) for array in arrays)


def _conversions(plan: _Plan, calendars: Sequence[WorkingTime]) -> _Conversions | None:
    """The fast conversions of the crossings, unless there are none or the lags are too big."""
    forward, backward = plan.forward_crossings, plan.backward_crossings
    if not (forward.entries.size or backward.entries.size):
        return None
    pre_shift = plan.backward_pre_shift[backward.entries]
    if len(calendars) > PositionTables.MAX_CALENDARS or not _within(
        forward.elapsed, backward.elapsed, pre_shift
    ):
        return None
    tables = PositionTables(calendars)
    bound = np.where(backward.start_bound == 1, PositionBound.START_BEFORE, PositionBound.BEFORE)
    return _Conversions(
        tables=tables,
        forward_position=tables.position_base(forward.source),
        forward_minute=tables.minute_base(forward.target, PositionBound.AFTER) + forward.elapsed,
        forward_converted=np.zeros(forward.entries.size, dtype=_I64),
        backward_position=tables.position_base(backward.source) + pre_shift,
        backward_minute=tables.minute_base(backward.target, _int_array(bound)) - backward.elapsed,
        backward_converted=np.zeros(backward.entries.size, dtype=_I64),
    )


def _missed_level(
    crossings: _Crossings, converted: IntArray, row_first: int, row_last: int, *, last: bool
) -> int:
    """The first (or last) level of some rows with a value outside a horizon, or -1."""
    window = converted[row_first:row_last]
    if not window.size or window.min() > PositionTables.OUTSIDE:
        return -1
    missed = np.flatnonzero(window == PositionTables.OUTSIDE)
    return int(crossings.level[row_first + int(missed[-1] if last else missed[0])])


def _forward(plan: _Plan, dates: IntArray, calendars: Sequence[WorkingTime]) -> None:
    """Early start and finish keys, level by level: ``dates`` is [starts, finishes, ...]."""
    conversions = plan.conversions
    if conversions is not None:
        conversions.tables.refresh()
        _forward_levels(plan, dates, calendars, conversions)
        if _within(dates):
            return
    # Keys too far out for the tables, far beyond any horizon: the calendars' own methods
    # deal with them as they do with any other date out of reach.
    _forward_levels(plan, dates, calendars, None)


def _forward_levels(
    plan: _Plan,
    dates: IntArray,
    calendars: Sequence[WorkingTime],
    conversions: _Conversions | None,
) -> None:
    size, bounds = plan.size, plan.bounds
    source, shift, segments = plan.forward_source, plan.forward_shift, plan.forward_segments
    mask = plan.forward_mask
    link_bounds, crossings = plan.forward_bounds, plan.forward_crossings
    upper, bit, finish_shift = plan.upper, plan.bit, plan.finish_shift
    rows, relative = crossings.level_rows, crossings.relative
    levels = len(bounds) - 1
    # A level converted with the calendars' own methods: all of them without the tables, or
    # the first level whose values left a horizon, which these methods extend.
    slow = -1
    level = checked = 0
    while level < levels:
        first, last = bounds[level], bounds[level + 1]
        link_first, link_last = link_bounds[level], link_bounds[level + 1]
        values = dates[source[link_first:link_last]]
        row_first, row_last = rows[level], rows[level + 1]
        if row_first != row_last:
            where = relative[row_first:row_last]
            if conversions is None or level == slow:
                _cross_rows(
                    values, where, np.arange(row_first, row_last), crossings, calendars, up=True
                )
                if conversions is not None:
                    conversions.tables.refresh()
                    conversions.forward_converted[row_first:row_last] = values[where]
            else:
                converted = conversions.tables.convert(
                    values[where] + conversions.forward_position[row_first:row_last],
                    conversions.forward_minute[row_first:row_last],
                )
                values[where] = converted
                conversions.forward_converted[row_first:row_last] = converted
        values &= mask[link_first:link_last]
        values += shift[link_first:link_last]
        start = np.maximum.reduceat(values, segments[first:last])
        delayed_first, delayed_last = plan.delayed_bounds[level], plan.delayed_bounds[level + 1]
        if delayed_first != delayed_last:
            moved = plan.delayed[delayed_first:delayed_last]
            logic = start[moved - first] | bit[moved]
            start[moved - first] = _delayed_starts(
                logic,
                bit[moved],
                plan.delay[moved],
                plan.delay_elapsed[moved],
                plan.calendar[moved],
                calendars,
            )
            if conversions is not None:
                conversions.tables.refresh()
        np.minimum(start, upper[first:last], out=start)
        start |= bit[first:last]
        if delayed_first != delayed_last:
            added = (start[moved - first] >> 1) - (logic >> 1)
            plan.delay_working[moved] = np.maximum(added, 0)
        dates[first:last] = start
        start += finish_shift[first:last]
        dates[size + first : size + last] = start
        level += 1
        if conversions is not None and (level % _CHECK_EVERY == 0 or level == levels):
            missed = _missed_level(
                crossings, conversions.forward_converted, rows[checked], rows[level], last=False
            )
            if missed < 0:
                checked = level
            else:
                level = slow = checked = missed


def _backward(plan: _Plan, late: IntArray, calendars: Sequence[WorkingTime]) -> None:
    """Late start and finish keys, level by level from the last: ``late`` is [starts, finishes]."""
    conversions = plan.conversions
    if conversions is not None:
        conversions.tables.refresh()
        _backward_levels(plan, late, calendars, conversions)
        if _within(late):
            return
    # Keys too far out for the tables, as in the forward pass.
    _backward_levels(plan, late, calendars, None)


def _backward_levels(
    plan: _Plan,
    late: IntArray,
    calendars: Sequence[WorkingTime],
    conversions: _Conversions | None,
) -> None:
    size, bounds = plan.size, plan.bounds
    source, shift, segments = plan.backward_source, plan.late_shift, plan.backward_segments
    link_bounds, crossings = plan.backward_bounds, plan.backward_crossings
    pre_shift = plan.backward_pre_shift
    finish_mask, finish_shift, side = plan.finish_mask, plan.finish_shift, plan.backward_side
    rows, relative = crossings.level_rows, crossings.relative
    levels = len(bounds) - 1
    slow = -1
    level = levels - 1
    checked = levels  # the levels from ``checked`` up have no value outside a horizon
    while level >= 0:
        first, last = bounds[level], bounds[level + 1]
        link_first, link_last = link_bounds[level], link_bounds[level + 1]
        values = late[source[link_first:link_last]]
        values |= side[link_first:link_last]
        row_first, row_last = rows[level], rows[level + 1]
        if row_first != row_last:
            where = relative[row_first:row_last]
            if conversions is None or level == slow:
                values[where] += pre_shift[crossings.entries[row_first:row_last]]
                _cross_rows(
                    values, where, np.arange(row_first, row_last), crossings, calendars, up=False
                )
                if conversions is not None:
                    conversions.tables.refresh()
                    conversions.backward_converted[row_first:row_last] = values[where]
            else:
                converted = conversions.tables.convert(
                    values[where] + conversions.backward_position[row_first:row_last],
                    conversions.backward_minute[row_first:row_last],
                )
                values[where] = converted
                conversions.backward_converted[row_first:row_last] = converted
        values += shift[link_first:link_last]
        finish = np.minimum.reduceat(values, segments[first:last])
        finish &= finish_mask[first:last]
        late[size + first : size + last] = finish
        finish -= finish_shift[first:last]
        late[first:last] = finish
        late[2 * size + first : 2 * size + last] = finish
        late[3 * size + first : 3 * size + last] = late[size + first : size + last]
        delayed_first, delayed_last = plan.delayed_bounds[level], plan.delayed_bounds[level + 1]
        if delayed_first != delayed_last:
            moved = plan.delayed[delayed_first:delayed_last]
            logic = (late[moved] | 1) - 2 * plan.delay_working[moved]
            late[2 * size + moved] = logic
            late[3 * size + moved] = logic + finish_shift[moved]
        if conversions is not None and ((levels - level) % _CHECK_EVERY == 0 or level == 0):
            missed = _missed_level(
                crossings, conversions.backward_converted, rows[level], rows[checked], last=True
            )
            if missed < 0:
                checked = level
            else:
                slow = level = missed
                checked = missed + 1
                continue
        level -= 1


def _predecessor_bounds(
    plan: _Plan, values: IntArray, entries: IntArray, calendars: Sequence[WorkingTime]
) -> IntArray:
    """The bounds that some link entries put on their predecessors' finish keys."""
    bound = values[plan.backward_source[entries]]
    bound |= plan.backward_side[entries]
    crossings = plan.backward_crossings
    # Where each crossing entry sits in ``entries`` (sorted), if it is there at all.
    where_all = np.searchsorted(entries, crossings.entries)
    where_all[where_all == entries.size] = 0
    present = entries[where_all] == crossings.entries if entries.size else where_all < 0
    rows = np.flatnonzero(present)
    if rows.size:
        where = where_all[rows]
        conversions = plan.conversions
        converted = None
        if conversions is not None and _within(values):
            conversions.tables.refresh()
            converted = conversions.tables.convert(
                bound[where] + conversions.backward_position[rows],
                conversions.backward_minute[rows],
            )
        if converted is not None and converted.min() > PositionTables.OUTSIDE:
            bound[where] = converted
        else:
            bound[where] += plan.backward_pre_shift[entries[where]]
            _cross_rows(bound, where, rows, crossings, calendars, up=False)
    bound += plan.backward_shift[entries]
    return bound


def compute_schedule(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    calendars: Sequence[WorkingTime],
    *,
    project_start: InstantLike,
    status_date: InstantLike | None = None,
    schedule_from: Literal["start"] = "start",
) -> ScheduleResult:
    """Schedule a network with the critical path method, as Microsoft Project does.

    The forward pass gives each task its early dates from the project start, the links, the
    constraints and the progress; the project finishes at the latest early finish. The backward
    pass gives the late dates from the project finish, the links, the constraints and the
    deadlines. Total float is late start minus early start and free float the slack before the
    nearest successor, both in working minutes of the task's calendar. The rules (lags,
    constraints, ALAP, progress, summary tasks) are listed in the module documentation.

    Parameters
    ----------
    tasks : ScheduleTasks
        The tasks, summary tasks included.
    links : ScheduleLinks
        The links between them (possibly between tasks of several projects).
    calendars : sequence of WorkingTime
        The compiled calendars that ``tasks.calendar`` points into.
    project_start : datetime64, date or str
        No task without actual dates starts earlier (unless a constraint says so).
    status_date : datetime64, date or str, optional
        The date progress was reported at: work not done yet is scheduled after it.
    schedule_from : {"start"}, optional
        Projects are scheduled from their start.

    Returns
    -------
    ScheduleResult
        Dates, floats, critical flags and the constraints and deadlines that cannot be met.

    Raises
    ------
    ScheduleInputError
        If the input is malformed; the message names the task and the field.
    CyclicDependencyError
        If the links form a cycle; it names the tasks of one cycle.
    CalendarError
        If a date falls beyond what a calendar can cover.

    Examples
    --------
    Design (2 days), then build (3 days, starting one day after design finishes), then a
    launch milestone, on a calendar with weekends:

    >>> from datetime import date
    >>> from pilotage.engine.calendars import Calendar, compile_calendar
    >>> working = compile_calendar(Calendar("Standard"), date(2026, 5, 4), date(2026, 5, 29))
    >>> tasks = ScheduleTasks.create(ids=[1, 2, 3], duration_minutes=[960, 1440, 0])
    >>> links = ScheduleLinks.create([0, 1], [1, 2], lag_minutes=[480, 0])
    >>> result = compute_schedule(tasks, links, [working], project_start="2026-05-04T08:00")
    >>> result.early_start
    array(['2026-05-04T08:00', '2026-05-07T08:00', '2026-05-11T17:00'],
          dtype='datetime64[m]')
    >>> result.total_float_minutes.tolist(), result.critical.tolist()
    ([0, 0, 0], [True, True, True])
    """
    if schedule_from != "start":
        raise ScheduleInputError(f"Schedule: schedule_from must be 'start', not {schedule_from!r}")
    start = as_instant(project_start, "project_start", required=True)
    status = as_instant(status_date, "status_date", required=False)
    validate_network(tasks, links, calendars)

    leaves = _expand_summaries(tasks, links)
    keys = _task_keys(tasks, leaves, calendars, start, status)
    live = _live_links(leaves, keys)
    size = int(leaves.task.size)
    order, bounds = _topological_levels(
        size, live.predecessor, live.successor, tasks.ids[leaves.task]
    )
    plan = _plan(keys, live, order, bounds)
    plan.conversions = _conversions(plan, calendars)
    position = plan.position

    # Early dates: [start keys, finish keys, actual start keys, a zero for the bounds].
    dates = np.zeros(3 * size + 1, dtype=_I64)
    dates[2 * size : 3 * size] = keys.actual_start_key[order]
    _forward(plan, dates, calendars)

    def shown(values: IntArray, actual: IntArray, known: BoolArray) -> IntArray:
        minutes = _instants_of(values, keys.calendar, calendars)
        minutes[known] = actual[known]
        return minutes

    first_finish = shown(dates[size : 2 * size][position], keys.actual_finish, keys.finished)
    finish_minute = int(first_finish.max()) if size else int(start.astype(_I64))
    project_finish = _scalar_keys(finish_minute, keys.calendar, calendars, up=False)

    # Late dates: [start keys, finish keys, the same before the leveling delays, a zero for the
    # bounds].
    late_bound = np.where(
        keys.pinned,
        np.minimum(keys.pin, keys.late_fixed),
        np.minimum(keys.late_fixed, project_finish),
    )
    plan.late_shift[plan.backward_starts] = late_bound[order]
    late = np.zeros(4 * size + 1, dtype=_I64)
    _backward(plan, late, calendars)
    late_start = np.where(keys.finished, dates[:size][position], late[:size][position])
    late_finish = np.where(
        keys.finished, dates[size : 2 * size][position], late[size : 2 * size][position]
    )

    alap = keys.alap
    if alap.any():
        dates = _place_alap(plan, keys, live, dates, late, calendars)
    scheduled_start = dates[:size][position]
    scheduled_finish = dates[size : 2 * size][position]
    early_start, early_finish = scheduled_start.copy(), scheduled_finish.copy()
    if alap.any():
        early_start[alap], early_finish[alap] = _alap_early_dates(
            plan, keys, live, dates, calendars
        )

    total_float = (late_start >> 1) - (early_start >> 1)
    total_float = np.where(alap, np.minimum(total_float, 0), total_float)
    total_float[keys.finished] = 0
    free_float = _free_float(plan, dates, total_float, calendars)
    free_float[keys.finished] = 0
    unmet = np.zeros(size, dtype=bool)
    if keys.hard.any():
        need = _requirements(plan, keys, live, dates, calendars, keys.base_lower)
        unmet = keys.hard & ((need >> 1) > (early_start >> 1))

    return _result(
        tasks,
        leaves,
        start,
        np.datetime64(finish_minute, "m"),
        shown=[
            shown(early_start, keys.actual_start, keys.started),
            shown(early_finish, keys.actual_finish, keys.finished) if alap.any() else first_finish,
            shown(late_start, keys.actual_start, keys.started),
            shown(late_finish, keys.actual_finish, keys.finished),
            shown(scheduled_start, keys.actual_start, keys.started) if alap.any() else None,
            shown(scheduled_finish, keys.actual_finish, keys.finished) if alap.any() else None,
        ],
        total_float=total_float,
        free_float=free_float,
        critical=(total_float <= 0) & ~keys.finished,
        finished=keys.finished,
        unmet=unmet,
    )


def _place_alap(
    plan: _Plan,
    keys: _TaskKeys,
    live: _LiveLinks,
    dates: IntArray,
    late: IntArray,
    calendars: Sequence[WorkingTime],
) -> IntArray:
    """A second forward pass with ALAP tasks on their late dates, driving their successors.

    An ALAP task whose late start is before its early start (negative float) stays at its
    early start.
    """
    size = plan.size
    alap = keys.alap[plan.order]
    pinned = np.maximum(late[:size], dates[:size])[alap]
    plan.forward_shift[plan.forward_starts[alap]] = pinned
    plan.upper[alap] = pinned
    scheduled = np.zeros_like(dates)
    scheduled[2 * size :] = dates[2 * size :]
    _forward(plan, scheduled, calendars)
    return scheduled


def _requirements(
    plan: _Plan,
    keys: _TaskKeys,
    live: _LiveLinks,
    dates: IntArray,
    calendars: Sequence[WorkingTime],
    floor: IntArray,
    into: BoolArray | None = None,
) -> IntArray:
    """The start keys that the links (into some tasks) demand of their successors, at least
    ``floor``, from the dates of their predecessors."""
    need = floor.copy()
    chosen = np.arange(live.predecessor.size)
    if into is not None:
        chosen = chosen[into[live.successor]]
    if chosen.size:
        values = dates[
            live.forward_source[chosen] * plan.size + plan.position[live.predecessor[chosen]]
        ]
        slow = np.flatnonzero(live.slow[chosen])
        if slow.size:
            links = chosen[slow]
            values[slow] = _convert_up(
                values[slow],
                keys.calendar[live.predecessor[links]],
                keys.calendar[live.successor[links]],
                live.elapsed_lag[links],
                calendars,
            )
        values &= live.forward_mask[chosen]
        np.maximum.at(need, live.successor[chosen], values + live.forward_shift[chosen])
    return need


def _alap_early_dates(
    plan: _Plan,
    keys: _TaskKeys,
    live: _LiveLinks,
    scheduled: IntArray,
    calendars: Sequence[WorkingTime],
) -> tuple[IntArray, IntArray]:
    """The early (as soon as possible) start and finish keys of the ALAP tasks."""
    alap = keys.alap
    need = _requirements(plan, keys, live, scheduled, calendars, keys.lower, into=alap)[alap]
    delayed = np.flatnonzero(keys.delay[alap] != 0)
    if delayed.size:
        rows = np.flatnonzero(alap)[delayed]
        need[delayed] = _delayed_starts(
            need[delayed],
            keys.bit[rows],
            keys.delay[rows],
            keys.delay_elapsed[rows],
            keys.calendar[rows],
            calendars,
        )
    start = np.minimum(need, keys.upper[alap]) | keys.bit[alap]
    return start, start + keys.finish_shift[alap]


def _free_float(
    plan: _Plan, dates: IntArray, total_float: IntArray, calendars: Sequence[WorkingTime]
) -> IntArray:
    """Slack before the earliest successor, or the total float without successors; never
    negative."""
    free_float = total_float.copy()
    entries = np.flatnonzero(plan.backward_real)
    if entries.size:
        owner = plan.backward_owner[entries]
        size = plan.size
        starts, finishes = dates[:size], dates[size : 2 * size]
        logic = starts.copy()
        rows = plan.delayed
        logic[rows] = (starts[rows] | 1) - 2 * plan.delay_working[rows]
        # The layout of the late dates, which the link entries read.
        scheduled = np.concatenate(
            [starts, finishes, logic, logic + (finishes - starts), np.zeros(1, dtype=_I64)]
        )
        bound = _predecessor_bounds(plan, scheduled, entries, calendars)
        counted = bound < _BIG // 2
        entries, owner, bound = entries[counted], owner[counted], bound[counted]
        slack = ((bound & plan.finish_mask[owner]) >> 1) - (dates[plan.size + owner] >> 1)
        by_task = np.full(plan.size, _BIG, dtype=_I64)
        np.minimum.at(by_task, plan.order[owner], slack)
        free_float = np.where(by_task < _BIG, by_task, free_float)
    return _int_array(np.maximum(free_float, 0))


def _result(
    tasks: ScheduleTasks,
    leaves: _Leaves,
    project_start: np.datetime64,
    project_finish: np.datetime64,
    *,
    shown: list[IntArray | None],
    total_float: IntArray,
    free_float: IntArray,
    critical: BoolArray,
    finished: BoolArray,
    unmet: BoolArray,
) -> ScheduleResult:
    """Put the leaves' values in input order and roll them up into the summary tasks."""
    n, task = tasks.size, leaves.task
    below, above = leaves.pair_leaf, leaves.pair_summary
    summary = np.ones(n, dtype=bool)
    summary[task] = False
    columns: list[DateArray] = []
    for index, given in enumerate(shown):
        # Without ALAP tasks the scheduled dates are the early dates.
        minutes = given if given is not None else shown[index - 4]
        assert minutes is not None
        column = np.zeros(n, dtype=_I64)
        column[task] = minutes
        if below.size:
            # Starts roll up to the earliest, finishes to the latest.
            latest = index % 2 == 1
            column[summary] = -_BIG if latest else _BIG
            (np.maximum if latest else np.minimum).at(column, above, minutes[below])
        columns.append(column.view("datetime64[m]"))

    floats = []
    for values in (total_float, free_float):
        column = np.zeros(n, dtype=_I64)
        column[task] = values
        if below.size:
            open_pairs = ~finished[below]
            column[summary] = _BIG
            np.minimum.at(column, above[open_pairs], values[below][open_pairs])
            column[summary & (column == _BIG)] = 0
        floats.append(column)
    is_critical = np.zeros(n, dtype=bool)
    is_critical[task] = critical
    if below.size:
        np.logical_or.at(is_critical, above, critical[below])

    finish = columns[5]
    unmet_tasks = np.zeros(n, dtype=bool)
    unmet_tasks[task] = unmet
    unmet_tasks |= (
        summary
        & (tasks.constraint_type == ConstraintType.FNLT)
        & ~np.isnat(tasks.constraint_date)
        & (finish > tasks.constraint_date)
    )
    missed = ~np.isnat(tasks.deadline) & (finish > tasks.deadline)
    return ScheduleResult(
        early_start=columns[0],
        early_finish=columns[1],
        late_start=columns[2],
        late_finish=columns[3],
        start=columns[4],
        finish=finish,
        total_float_minutes=floats[0],
        free_float_minutes=floats[1],
        critical=is_critical,
        summary=summary,
        project_start=project_start,
        project_finish=project_finish,
        negative_float=np.flatnonzero(floats[0] < 0),
        unmet_constraints=np.flatnonzero(unmet_tasks),
        missed_deadlines=np.flatnonzero(missed),
    )
