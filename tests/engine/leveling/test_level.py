"""Hand-checked leveling cases: each schedule below was worked out on paper."""

from __future__ import annotations

import numpy as np
import pytest

from pilotage.engine.leveling import (
    LINK_FF,
    LINK_FS,
    LINK_SF,
    LINK_SS,
    LevelingOptions,
    check_schedule,
    level_resources,
)
from tests.engine.leveling.helpers import make_problem

FAST = LevelingOptions(schedules=200)


def test_conflict_delays_the_lower_priority_task_and_says_why():
    problem = make_problem(
        [3, 2], [[1], [1]], [1], priority=np.array([1.0, 5.0]), task_names=("Paint", "Wire")
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [2, 0]
    assert result.finish.tolist() == [5, 2]
    assert result.earliest_start.tolist() == [0, 0]
    [delay] = result.delays
    assert (delay.task, delay.periods) == (0, 2)
    assert [(b.resource, b.tasks) for b in delay.blockers] == [(0, (1,))]
    assert result.unresolved == ()


def test_priorities_swap_the_order():
    problem = make_problem([3, 2], [[1], [1]], [1], priority=np.array([5.0, 1.0]))
    assert level_resources(problem, FAST).start.tolist() == [0, 3]


def test_project_priority_ranks_before_task_priority():
    problem = make_problem(
        [2, 2],
        [[1], [1]],
        [1],
        priority=np.array([9.0, 1.0]),
        group=np.array([0, 1]),
        group_priority=np.array([1.0, 2.0]),
    )
    assert level_resources(problem, FAST).start.tolist() == [2, 0]


def test_time_varying_capacity():
    capacity = np.ones((1, 20))
    capacity[0, :3] = 0
    capacity[0, 5] = 0
    problem = make_problem([2, 2], [[1], [1]], capacity)
    result = level_resources(problem, FAST)
    # Periods 3-4 hold the first task; the second waits for period 6 (period 5 has nothing).
    assert sorted(zip(result.start.tolist(), result.finish.tolist(), strict=True)) == [
        (3, 5),
        (6, 8),
    ]
    assert result.critical_path_bound == 2


def test_calendar_breaks_the_work_and_frees_the_resource():
    working = np.ones((2, 12), dtype=bool)
    working[0, 2:4] = False
    problem = make_problem(
        [3, 2],
        [[1], [1]],
        [1],
        horizon=12,
        working=working,
        calendar=np.array([0, 1]),
        priority=np.array([2.0, 1.0]),
    )
    result = level_resources(problem, FAST)
    # Task 0 works 0, 1 and 4 (finishes at 5); task 1 fits in the break, periods 2 and 3.
    assert result.start.tolist() == [0, 2]
    assert result.finish.tolist() == [5, 4]
    assert check_schedule(problem, result.start) == []


def test_a_task_starts_at_the_next_working_period():
    working = np.ones((1, 10), dtype=bool)
    working[0, :2] = False
    problem = make_problem([1], [[0]], [1], horizon=10, working=working)
    result = level_resources(problem, FAST)
    assert (result.start[0], result.finish[0]) == (2, 3)


@pytest.mark.parametrize(
    ("kind", "lag", "start_of_successor"),
    [
        (LINK_FS, 0, 4),
        (LINK_FS, 2, 6),
        (LINK_FS, -1, 3),
        (LINK_SS, 1, 1),
        (LINK_FF, 1, 3),  # finishes at 5 = 4 + 1, duration 2
        (LINK_SF, 3, 1),  # finishes at 3 = 0 + 3
    ],
)
def test_link_types_and_lags(kind, lag, start_of_successor):
    problem = make_problem([4, 2], [[0], [0]], [1], links=[(0, 1, kind, lag)])
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, start_of_successor]


def test_lags_count_working_periods_of_the_successor_calendar():
    working = np.ones((2, 20), dtype=bool)
    working[1, 3:5] = False
    problem = make_problem(
        [2, 1],
        [[0], [0]],
        [1],
        links=[(0, 1, LINK_FS, 2)],
        horizon=20,
        working=working,
        calendar=np.array([0, 1]),
    )
    # Task 0 finishes at 2; two working periods of calendar 1 after that are 2 and 5.
    assert level_resources(problem, FAST).start.tolist() == [0, 6]


def test_fixed_task_stays_and_others_go_around_it():
    problem = make_problem(
        [2, 3], [[1], [1]], [1], fixed_start=np.array([1, -1]), release=np.array([0, 0])
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [1, 3]
    assert result.unresolved == ()


def test_fixed_tasks_that_overload_are_reported():
    problem = make_problem([3, 3], [[1], [1]], [1], fixed_start=np.array([0, 1]))
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, 1]
    [over] = result.unresolved
    assert (over.resource, over.period_start, over.period_finish, over.tasks) == (0, 1, 3, (0, 1))


def test_level_within_slack_leaves_what_cannot_fit_and_reports_it():
    problem = make_problem(
        [3, 3],
        [[1], [1]],
        [1],
        priority=np.array([2.0, 1.0]),
        latest_finish=np.array([-1, 4]),
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, 0]
    [over] = result.unresolved
    assert (over.period_start, over.period_finish, over.tasks) == (0, 3, (0, 1))


def test_within_slack_a_task_is_still_delayed_when_it_fits():
    problem = make_problem(
        [3, 3],
        [[1], [1]],
        [1],
        priority=np.array([2.0, 1.0]),
        latest_finish=np.array([-1, 6]),
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, 3]
    assert result.unresolved == ()


def test_release_and_milestones():
    problem = make_problem(
        [0, 2, 0],
        [[0], [1], [0]],
        [1],
        links=[(0, 1, LINK_FS, 0), (1, 2, LINK_FS, 0)],
        release=np.array([0, 4, 0]),
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, 4, 6]
    assert result.makespan == 6


def test_delay_names_every_resource_short_and_its_users():
    problem = make_problem(
        [2, 2, 2],
        [[1, 0], [0, 1], [1, 1]],
        [1, 1],
        priority=np.array([3.0, 2.0, 1.0]),
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [0, 0, 2]
    [delay] = result.delays
    assert delay.task == 2
    assert [(b.resource, b.tasks) for b in delay.blockers] == [(0, (0,)), (1, (1,))]


def test_whole_portfolio_levels_together():
    # Two projects share one resource: the project with the higher priority goes first.
    problem = make_problem(
        [2, 2, 2, 2],
        [[1], [0], [1], [0]],
        [1],
        links=[(0, 1, LINK_FS, 0), (2, 3, LINK_FS, 0)],
        group=np.array([0, 0, 1, 1]),
        group_priority=np.array([1.0, 5.0]),
    )
    result = level_resources(problem, FAST)
    assert result.start.tolist() == [2, 4, 0, 2]


def test_without_resources_the_schedule_is_the_critical_path():
    problem = make_problem([2, 3], [[0], [0]], [1], links=[(0, 1, LINK_FS, 1)])
    result = level_resources(problem)
    assert result.start.tolist() == [0, 3]
    assert result.proven_optimal
    assert result.delays == ()


def test_result_reports_the_search():
    problem = make_problem([2, 2, 2], [[1], [1], [1]], [2])
    result = level_resources(problem, LevelingOptions(schedules=50))
    assert result.makespan == 4
    assert result.lower_bound == 3  # six units of work on two units of capacity
    assert result.schedules_generated >= 1
    assert not result.time_limit_reached
    assert result.best_method
