"""The compiled Monte Carlo kernels against plain Python, on random networks.

:func:`reference_passes` schedules one iteration the way the rules read, link by link, on the
working-minute keys of :mod:`pilotage.engine.scheduling.cpm`; the compiled passes, which take
blocks of iterations at once and share them among threads, must give the same keys and floats.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from pilotage.engine.calendars import Calendar, WeekPattern, compile_calendar
from pilotage.engine.risk import (
    Distribution,
    Triangular,
    Uniform,
    kernels,
    monte_carlo,
    simulate_schedule,
)
from pilotage.engine.scheduling import ConstraintType, LinkType, ScheduleLinks, ScheduleTasks
from pilotage.engine.scheduling.cpm import _down_in, _instants_in

DAY = 480
START = np.datetime64("2026-05-04T08:00")
STANDARD = compile_calendar(
    Calendar("Standard", WeekPattern.standard()), date(2026, 4, 1), date(2027, 12, 31)
)
BIG = 1 << 61


def reference_passes(
    net: monte_carlo._Network, duration: list[int]
) -> tuple[int, list[int], list[int]]:
    """One iteration's project finish key, early start keys and total floats, in plain Python.

    ``duration`` is in working minutes per task, tasks numbered in ``net``'s topological order.
    """
    size = net.size
    into: list[list[tuple[int, int, int]]] = [[] for _ in range(size)]
    out_of: list[list[tuple[int, int, int]]] = [[] for _ in range(size)]
    for predecessor, successor, kind, lag in zip(
        net.link_predecessor.tolist(),
        net.link_successor.tolist(),
        net.link_type.tolist(),
        net.link_lag.tolist(),
        strict=True,
    ):
        into[successor].append((predecessor, kind, lag))
        out_of[predecessor].append((successor, kind, lag))
    from_start = (LinkType.SS, LinkType.SF)
    to_finish = (LinkType.FF, LinkType.SF)

    early_start, early_finish = [0] * size, [0] * size
    for task in range(size):
        span, bit = 2 * duration[task], int(duration[task] > 0)
        up, down = int(net.date_up[task]), int(net.date_down[task])
        lower, upper = int(net.base_lower[task]), BIG
        match int(net.constraint[task]):
            case ConstraintType.SNET:
                lower = max(lower, up)
            case ConstraintType.FNET:
                lower = max(lower, up - span)
            case ConstraintType.MSO:
                lower = upper = up
            case ConstraintType.MFO:
                lower = upper = down - span
            case ConstraintType.SNLT:
                upper = down
            case ConstraintType.FNLT:
                upper = down - span
        key = lower
        for predecessor, kind, lag in into[task]:
            anchor = early_start[predecessor] if kind in from_start else early_finish[predecessor]
            if lag:
                anchor &= ~1  # a lag counts from the working minute, whichever side it was on
            anchor += 2 * lag
            if kind in to_finish:
                anchor -= span  # the link bounds the finish: the start is a duration before
            key = max(key, anchor)
        key = min(key, upper) | bit
        early_start[task], early_finish[task] = key, key + span - bit

    finish_key = max(early_finish)
    project = int(_down_in(_instants_in(np.array([finish_key]), net.working), net.working)[0])
    late_start, late_finish = [0] * size, [0] * size
    for task in reversed(range(size)):
        span, bit = 2 * duration[task], int(duration[task] > 0)
        key = project
        for successor, kind, lag in out_of[task]:
            anchor = late_finish[successor] if kind in to_finish else late_start[successor]
            if lag or (kind in to_finish and duration[successor] > 0):
                anchor |= 1
            anchor -= 2 * lag
            if kind in from_start:
                anchor += span
            key = min(key, anchor)
        if bit:
            key &= ~1
        late_finish[task], late_start[task] = key, key - (span - bit)
    pairs = zip(late_start, early_start, strict=True)
    total_float = [(late >> 1) - (early >> 1) for late, early in pairs]
    return finish_key, early_start, total_float


def random_network(seed: int, n: int = 40) -> tuple[ScheduleTasks, ScheduleLinks]:
    """Tasks with zero or more days, every link type, lags of both signs, every constraint."""
    rng = np.random.default_rng(seed)
    kinds = [
        ConstraintType.SNET,
        ConstraintType.FNET,
        ConstraintType.SNLT,
        ConstraintType.FNLT,
        ConstraintType.MSO,
        ConstraintType.MFO,
    ]
    constrained = rng.random(n) < 0.25
    constraint = np.where(constrained, rng.choice(kinds, n), ConstraintType.ASAP)
    when = START + rng.integers(0, 40, n) * np.timedelta64(1, "D")
    when = when + rng.integers(0, 10, n) * np.timedelta64(60, "m")
    tasks = ScheduleTasks.create(
        ids=np.arange(1, n + 1),
        duration_minutes=rng.integers(0, 4, n) * DAY,
        constraint_type=constraint,
        constraint_date=np.where(constrained, when, np.datetime64("NaT")),
    )
    predecessors, successors = [], []
    for successor in range(1, n):
        for predecessor in set(rng.integers(max(0, successor - 8), successor, 3).tolist()):
            predecessors.append(predecessor)
            successors.append(successor)
    m = len(predecessors)
    links = ScheduleLinks.create(
        predecessors,
        successors,
        link_type=rng.choice(list(LinkType), m),
        lag_minutes=np.where(rng.random(m) < 0.4, rng.integers(-4, 5, m) * 120, 0),
    )
    return tasks, links


@pytest.mark.parametrize("seed", range(12))
def test_the_compiled_passes_agree_with_the_reference(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks, links = random_network(seed)
    net, _ = monte_carlo._network(tasks, links, [STANDARD], START)
    rng = np.random.default_rng(seed)
    iterations = 23
    base = tasks.duration_minutes[net.order]
    # Some durations drop to zero (milestones), some grow, odd minutes included.
    duration = np.rint(base[:, None] * rng.uniform(0, 2, (net.size, iterations))).astype(np.int64)
    duration[rng.random(duration.shape) < 0.1] = 0
    # Blocks of 5 iterations, the last one short, shared by the threads.
    monkeypatch.setattr(monte_carlo, "_BLOCK", 5)
    total_float = np.empty_like(duration)
    finish_key, _, critical = monte_carlo._schedule_passes(net, duration, total_float=total_float)

    expected_critical = np.zeros(net.size, dtype=np.int64)
    for iteration in range(iterations):
        key, _, floats = reference_passes(net, duration[:, iteration].tolist())
        assert finish_key[iteration] == key
        assert total_float[:, iteration].tolist() == floats
        expected_critical += np.asarray(floats) <= 0
    assert critical.tolist() == expected_critical.tolist()


def test_the_passes_schedule_only_the_columns_asked_for() -> None:
    tasks, links = random_network(99)
    net, _ = monte_carlo._network(tasks, links, [STANDARD], START)
    duration = np.tile(tasks.duration_minutes[net.order][:, None], (1, 8)).astype(np.int64)
    finish_key, _, critical = monte_carlo._schedule_passes(net, duration, 3)
    key, _, floats = reference_passes(net, duration[:, 0].tolist())
    assert finish_key.tolist() == [key] * 3
    assert critical.tolist() == [3 * (value <= 0) for value in floats]


def test_triangular_and_uniform_runs_draw_what_one_call_per_task_draws() -> None:
    estimates: dict[int, Distribution] = {
        0: Triangular(100, 300, 900),
        1: Uniform(50, 60),
        2: Triangular(7, 7, 7),  # draws nothing
        3: Triangular(0, 0, 10),
        5: Uniform(3, 3),
    }
    position = np.array([4, 0, 3, 1, 5, 2])
    plan = monte_carlo._draw_plan(estimates, position)
    assert len(plan) == 1
    drawn = np.full((6, 12), -1.0)
    rng = np.random.default_rng(5)
    step = plan[0]
    uniforms = rng.random((step.rows.size, 10))
    kernels.three_point_draws(
        uniforms, step.rows, step.low, step.mode, step.high, step.uniform, drawn, 2
    )

    one_by_one = np.random.default_rng(5)
    for task in (0, 1, 3, 5):
        estimate = estimates[task]
        expected = estimate.sample(one_by_one, 10)
        assert drawn[position[task], 2:].tolist() == expected.tolist()
    assert (drawn[position[2]] == -1).all()


def test_the_ranks_correlation_agrees_with_ranking_by_sorting() -> None:
    rng = np.random.default_rng(4)
    n = 500
    target = rng.integers(0, 50, n)
    target_ranks = np.empty(n, dtype=np.int64)
    target_ranks[np.argsort(target, kind="stable")] = np.arange(n)
    columns = np.stack(
        [
            np.rint(target * 3 + rng.normal(0, 40, n)),  # whole numbers, ranked by counting
            rng.integers(0, 4, n),  # many ties
            rng.normal(0, 1, n),  # fractions, ranked by sorting
            np.rint(rng.uniform(0, 1e7, n)),  # too wide to count
            np.full(n, 5.0),  # constant
        ]
    ).astype(np.float32)

    def ranks(values: np.ndarray) -> np.ndarray:
        out = np.empty(values.size)
        out[np.argsort(values, kind="stable")] = np.arange(values.size)
        return out

    result = kernels.spearman_with(columns, target_ranks)
    for row in range(4):
        expected = np.corrcoef(ranks(columns[row]), target_ranks)[0, 1]
        assert result[row] == pytest.approx(expected, abs=1e-12)
    assert np.isnan(result[4])


def test_without_sensitivity_the_finish_is_the_same() -> None:
    tasks, links = random_network(7)
    estimates = {index: Triangular(0, DAY, 3 * DAY) for index in range(0, tasks.size, 2)}

    def run(sensitivity: bool) -> monte_carlo.SimulationResult:
        return simulate_schedule(
            tasks,
            links,
            [STANDARD],
            project_start=START,
            rng=np.random.default_rng(2),
            iterations=200,
            estimates=estimates,
            sensitivity=sensitivity,
        )

    with_it, without = run(True), run(False)
    assert with_it.finish_minutes.tolist() == without.finish_minutes.tolist()
    assert with_it.criticality.tolist() == without.criticality.tolist()
    assert np.isnan(without.sensitivity).all()
    assert not np.isnan(with_it.sensitivity[list(estimates)]).all()
