"""Plan rows written in bulk (imports): what is stored is what Django would store, and the
schedule after a bulk write is the one the stored rows give."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator

import pytest
from django.utils import timezone

from pilotage.core.bulk import collection_paused, insert_rows, insert_values, update_rows
from pilotage.planning import services
from pilotage.planning.models import Dependency, Task
from tests.planning.helpers import DAY, MONDAY, plan_with_tasks
from tests.world import World

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))


def _tasks(world: World, starts: list[dt.datetime]) -> list[Task]:
    return [
        Task(project=world.project, name=f"Row {number}", position=number, uid=number, start=start)
        for number, start in enumerate(starts, start=1)
    ]


def test_wall_clock_times_are_stored_as_written(world: World) -> None:
    same_instant = [
        dt.datetime(2026, 3, 2, 8, tzinfo=PARIS),
        dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC),
        MONDAY,
        MONDAY,
    ]
    insert_rows(Task, _tasks(world, same_instant))
    stored = Task.objects.filter(project=world.project).order_by("position")
    assert [task.start for task in stored] == [
        dt.datetime(2026, 3, 2, 8),
        dt.datetime(2026, 3, 2, 7),
        MONDAY,
        MONDAY,
    ]


def test_inserted_rows_are_stamped_with_the_moment_of_the_insert(world: World) -> None:
    before = timezone.now()
    rows = _tasks(world, [MONDAY, MONDAY])
    insert_rows(Task, rows)
    stamps = set(Task.objects.filter(project=world.project).values_list("created_at", flat=True))
    assert len(stamps) == 1
    assert before <= stamps.pop() <= timezone.now()
    assert rows[0].created_at == rows[1].created_at


def test_values_not_given_take_the_field_defaults(world: World) -> None:
    first, second = plan_with_tasks(world, count=2)
    Dependency.objects.all().delete()
    insert_values(Dependency, ("predecessor_id", "successor_id"), [(first.pk, second.pk)])
    link = Dependency.objects.get()
    assert (link.predecessor, link.successor) == (first, second)
    assert (link.type, link.lag_minutes, link.lag_unit, link.lag_percent) == ("FS", 0, "d", None)
    assert link.created_at is not None


def test_a_field_the_model_does_not_have_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="lag_days"):
        insert_values(Dependency, ("predecessor_id", "lag_days"), [(1, 2)])


def test_updated_rows_change_only_the_named_fields(world: World) -> None:
    tasks = plan_with_tasks(world)
    for task in tasks:
        task.name = f"{task.name} renamed"
        task.finish = dt.datetime(2030, 1, 1, 17, tzinfo=PARIS)
    update_rows(Task, tasks, ["finish"])
    stored = list(Task.objects.filter(project=world.project).order_by("position"))
    assert [task.name for task in stored] == ["Task 1", "Task 2", "Task 3"]
    assert {task.finish for task in stored} == {dt.datetime(2030, 1, 1, 17)}


def test_rows_that_are_not_all_the_tasks_are_read_again(world: World) -> None:
    tasks = plan_with_tasks(world)
    Task.objects.filter(project=world.project).update(duration_minutes=2 * DAY)
    services.recalculate(world.project, tasks=tasks[:1])
    finishes = list(
        Task.objects.filter(project=world.project).order_by("position").values_list("finish")
    )
    assert finishes == [
        (dt.datetime(2026, 3, 3, 17),),
        (dt.datetime(2026, 3, 5, 17),),
        (dt.datetime(2026, 3, 9, 17),),
    ]


def test_a_later_change_in_a_batch_is_scheduled(world: World) -> None:
    tasks = plan_with_tasks(world)
    with services.batch_scheduling():
        services.recalculate(world.project, tasks=tasks)
        services.task_update(
            actor=world.admin, task=Task.objects.get(pk=tasks[0].pk), duration_minutes=3 * DAY
        )
    last = Task.objects.get(pk=tasks[-1].pk)
    assert last.finish == dt.datetime(2026, 3, 6, 17)


@pytest.fixture
def collector_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def test_the_collector_is_paused_for_the_block_only(collector_on: None) -> None:
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error(collector_on: None) -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(collector_on: None) -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()
