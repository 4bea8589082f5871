"""Bad input: each error names the task, resource or calendar at fault."""

from __future__ import annotations

import numpy as np
import pytest

from pilotage.engine.errors import (
    CalendarError,
    CyclicDependencyError,
    EngineError,
    HorizonTooShortError,
    ResourceCapacityError,
    ScheduleInputError,
)
from pilotage.engine.leveling import LINK_FS, level_resources, validate_problem
from tests.engine.leveling.helpers import make_problem

NAMES = {"task_names": ("Dig", "Pour", "Cure"), "resource_names": ("Crane", "Crew")}


def test_task_needing_more_than_the_capacity():
    problem = make_problem([1, 2, 1], [[0, 1], [3, 0], [0, 0]], [2, 5], **NAMES)
    with pytest.raises(ResourceCapacityError) as caught:
        validate_problem(problem)
    assert str(caught.value) == (
        "Task 'Pour' needs 3 units of resource 'Crane' per period, "
        "but resource 'Crane' never has more than 2"
    )
    assert (caught.value.task, caught.value.resource) == (1, 0)


def test_resource_with_no_capacity():
    problem = make_problem([1, 2, 1], [[0, 1], [0, 0], [1, 0]], [0, 5], **NAMES)
    with pytest.raises(ResourceCapacityError, match=r"Task 'Cure' .* 'Crane' has no capacity"):
        level_resources(problem)


def test_capacity_only_where_the_calendar_does_not_work():
    capacity = np.zeros((1, 10))
    capacity[0, 5:] = 2
    working = np.ones((1, 10), dtype=bool)
    working[0, 5:] = False
    problem = make_problem([1], [[1]], capacity, working=working, task_names=("Pour",))
    with pytest.raises(ResourceCapacityError, match="Task 'Pour'"):
        validate_problem(problem)


def test_cycle_is_named():
    problem = make_problem(
        [1, 1, 1],
        [[0, 0]] * 3,
        [1, 1],
        links=[(0, 1, LINK_FS, 0), (1, 2, LINK_FS, 0), (2, 1, LINK_FS, 0)],
        **NAMES,
    )
    with pytest.raises(CyclicDependencyError) as caught:
        validate_problem(problem)
    assert set(caught.value.cycle) == {1, 2}
    assert "Task 'Pour'" in str(caught.value)
    assert "Task 'Cure'" in str(caught.value)


def test_calendar_with_no_working_time():
    working = np.ones((2, 10), dtype=bool)
    working[1] = False
    problem = make_problem(
        [1, 2],
        [[0], [0]],
        [1],
        horizon=10,
        working=working,
        calendar=np.array([0, 1]),
        calendar_names=("Standard", "Night shift"),
    )
    with pytest.raises(CalendarError, match="Calendar 'Night shift' has no working time"):
        level_resources(problem)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"durations": [1, -2]}, "Task 1: the duration must not be negative"),
        ({"demands": [[1], [-1]]}, "Task 1: demands must not be negative"),
        ({"demands": [[1, 1], [1, 1]]}, "demands must have shape"),
        ({"links": [(0, 5, 0, 0)]}, "link_successor must hold task indices"),
        ({"links": [(0, 1, 7, 0)]}, "link_type must be"),
        ({"release": np.array([0, 99])}, "Task 1: the release must be a period"),
        ({"calendar": np.array([0, 3])}, "calendar must hold rows"),
        ({"priority": np.array([1.0])}, "priority must be a vector"),
    ],
)
def test_malformed_input(change, message):
    arguments = {"durations": [1, 2], "demands": [[1], [1]], "capacity": [1]}
    arguments.update(change)
    durations = arguments.pop("durations")
    demands = arguments.pop("demands")
    capacity = arguments.pop("capacity")
    with pytest.raises(ScheduleInputError, match=message):
        validate_problem(make_problem(durations, demands, capacity, **arguments))


def test_horizon_too_short():
    problem = make_problem([3, 3], [[1], [1]], [1], horizon=5, task_names=("A", "B"))
    with pytest.raises(HorizonTooShortError, match="does not fit in the horizon of 5 periods"):
        level_resources(problem)


def test_every_error_is_an_engine_error():
    for error in (ResourceCapacityError, HorizonTooShortError, CalendarError, ScheduleInputError):
        assert issubclass(error, EngineError)
