"""Plans edited through the services: outline, links, progress, calendars, baselines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import services
from pilotage.planning.models import Dependency, ProjectPlan, Task
from tests.world import World

MONDAY = dt.datetime(2026, 3, 2, 8, 0)
DAY = 480

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 8) -> dt.datetime:
    """Working day ``day`` (1 = Monday 2 March 2026) of the standard calendar, at ``hour``."""
    date = dt.date(2026, 3, 2)
    count = 1
    while count < day:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            count += 1
    return dt.datetime.combine(date, dt.time(hour))


@pytest.fixture
def plan(world: World) -> World:
    services.plan_update(actor=world.pmo, project=world.project, start=MONDAY)
    return world


def add(world: World, name: str, days: float = 1, **values: object) -> Task:
    return services.task_create(
        actor=world.pmo,
        project=world.project,
        name=name,
        duration_minutes=int(days * DAY),
        **values,
    )


def test_tasks_are_numbered_and_scheduled_after_their_predecessors(plan: World) -> None:
    design = add(plan, "Design", 2)
    build = add(plan, "Build", 3, predecessors="1")
    launch = add(plan, "Launch", 0, predecessors="2FS+1d")
    assert [design.position, build.position, launch.position] == [1, 2, 3]
    assert launch.is_milestone
    build.refresh_from_db()
    assert build.start == at(3)
    assert build.finish == at(5, 17)
    assert launch.start == at(6, 17)  # one working day of lag after Friday 17:00
    assert services.predecessors_text(launch) == "2FS+1d"
    assert all(task.is_critical for task in Task.objects.filter(project=plan.project))
    assert ProjectPlan.objects.get(project=plan.project).finish == at(6, 17)


def test_indent_makes_a_summary_that_rolls_up(plan: World) -> None:
    phase = add(plan, "Phase")
    first = add(plan, "First", 2)
    second = add(plan, "Second", 1, predecessors="2")
    services.task_indent(actor=plan.pmo, task=first)
    services.task_indent(actor=plan.pmo, task=second)
    phase.refresh_from_db()
    second.refresh_from_db()
    assert phase.is_summary
    assert second.parent_id == phase.pk
    assert [t.outline_number for t in Task.objects.filter(project=plan.project)] == [
        "1",
        "1.1",
        "1.2",
    ]
    assert (phase.start, phase.finish) == (at(1), at(3, 17))
    services.task_outdent(actor=plan.pmo, task=second)
    second.refresh_from_db()
    assert second.parent_id is None
    assert second.outline_number == "2"


def test_indent_needs_a_task_above_at_the_same_level(plan: World) -> None:
    first = add(plan, "First")
    with pytest.raises(ValidationError, match="cannot be indented"):
        services.task_indent(actor=plan.pmo, task=first)


def test_a_cycle_is_refused_and_names_the_tasks(plan: World) -> None:
    add(plan, "A")
    b = add(plan, "B", predecessors="1")
    a = Task.objects.get(project=plan.project, position=1)
    with pytest.raises(ValidationError, match="cycle") as error:
        services.task_update(actor=plan.pmo, task=a, predecessors="2")
    assert "B" in str(error.value)
    assert not Dependency.objects.filter(successor=a).exists()
    assert b.predecessor_links.count() == 1


def test_a_missing_predecessor_is_named(plan: World) -> None:
    task = add(plan, "A")
    with pytest.raises(ValidationError, match="no task with ID 9"):
        services.task_update(actor=plan.pmo, task=task, predecessors="9FS")


def test_a_malformed_lag_is_refused(plan: World) -> None:
    add(plan, "A")
    task = add(plan, "B")
    with pytest.raises(ValidationError, match="3x"):
        services.task_update(actor=plan.pmo, task=task, predecessors="1FS+3x")


def test_deleting_a_summary_deletes_its_subtasks_and_renumbers(plan: World) -> None:
    phase = add(plan, "Phase")
    child = add(plan, "Child")
    add(plan, "After")
    services.task_indent(actor=plan.pmo, task=child)
    assert services.task_delete(actor=plan.pmo, task=Task.objects.get(pk=phase.pk)) == 2
    after = Task.objects.get(project=plan.project)
    assert after.name == "After"
    assert after.position == 1


def test_progress_takes_the_scheduled_start_as_actual_start(plan: World) -> None:
    task = add(plan, "Work", 4)
    task = services.task_update(actor=plan.pmo, task=task, percent_complete=50)
    assert task.actual_start == at(1)


def test_a_cross_project_link_drives_the_other_project(plan: World) -> None:
    upstream = add(plan, "Upstream", 5)
    services.plan_update(actor=plan.pmo, project=plan.sibling_project, start=MONDAY)
    downstream = services.task_create(
        actor=plan.pmo, project=plan.sibling_project, name="Downstream", duration_minutes=DAY
    )
    services.dependency_create(actor=plan.pmo, predecessor=upstream, successor=downstream)
    downstream.refresh_from_db()
    assert downstream.start == at(6)
    services.task_update(actor=plan.pmo, task=upstream, duration_minutes=7 * DAY)
    downstream.refresh_from_db()
    assert downstream.start == at(8)
    assert services.predecessors_text(downstream) == "CRM:1"


def test_a_viewer_cannot_edit_and_an_outsider_cannot_see(plan: World) -> None:
    task = add(plan, "A")
    with pytest.raises(ForbiddenError):
        services.task_update(actor=plan.viewer, task=task, name="B")
    with pytest.raises(NotFoundError):
        services.task_update(actor=plan.outsider, task=task, name="B")


def test_edits_are_audited(plan: World) -> None:
    add(plan, "A")
    task = add(plan, "B")
    services.task_update(actor=plan.pmo, task=task, name="Bee", predecessors="1SS")
    fields = [c["field"] for entry in history_for(task) for c in entry.changes]
    assert "name" in fields
    assert "predecessors" in fields


def test_baseline_captures_dates_and_the_first_is_primary(plan: World) -> None:
    task = add(plan, "A", 2)
    baseline = services.baseline_capture(actor=plan.pmo, project=plan.project, name="Approved")
    assert baseline.is_primary
    services.task_update(actor=plan.pmo, task=task, duration_minutes=3 * DAY)
    assert services.baseline_dates(plan.project)[task.pk] == (at(1), at(2, 17))


def test_a_holiday_moves_the_tasks_of_projects_using_the_calendar(plan: World) -> None:
    calendar = services.calendar_create(actor=plan.pmo, name="Paris", project=plan.project)
    services.plan_update(actor=plan.pmo, project=plan.project, calendar=calendar)
    task = add(plan, "A", 2)
    services.exception_create(
        actor=plan.pmo,
        calendar=calendar,
        name="Closure",
        start=dt.date(2026, 3, 3),
        finish=dt.date(2026, 3, 3),
    )
    task.refresh_from_db()
    assert task.finish == at(3, 17)


def test_a_calendar_without_working_time_is_refused(plan: World) -> None:
    with pytest.raises(ValidationError, match="no working time"):
        services.calendar_create(
            actor=plan.pmo, name="Never", project=plan.project, week=[[] for _ in range(7)]
        )


def test_a_task_cannot_use_another_projects_calendar(plan: World) -> None:
    other = services.calendar_create(actor=plan.pmo, name="HR", project=plan.sibling_project)
    task = add(plan, "A")
    with pytest.raises(ValidationError, match="another project"):
        services.task_update(actor=plan.pmo, task=task, calendar=other)


def test_a_calendar_cannot_derive_from_another_projects_calendar(plan: World) -> None:
    other = services.calendar_create(actor=plan.pmo, name="HR", project=plan.sibling_project)
    mine = services.calendar_create(actor=plan.pmo, name="CRM", project=plan.project)
    with pytest.raises(ValidationError, match="another project"):
        services.calendar_update(actor=plan.pmo, calendar=mine, base=other)


def test_a_lag_reads_and_shows_in_the_successors_working_day(plan: World) -> None:
    short = services.calendar_create(
        actor=plan.pmo,
        name="Short days",
        project=plan.project,
        week=[[[480, 900]]] * 5 + [[], []],
        minutes_per_day=420,
    )
    add(plan, "A")
    task = add(plan, "B", calendar=short)
    services.task_update(actor=plan.pmo, task=task, predecessors="1FS+2d")
    assert Dependency.objects.get(successor=task).lag_minutes == 840
    assert services.predecessors_text(task) == "1FS+2d"


def test_the_plan_counts_critical_tasks_after_each_edit(plan: World) -> None:
    add(plan, "A")
    assert services.plan_for(plan.project).critical_count == 1


def test_an_old_task_object_does_not_overwrite_the_outline(plan: World) -> None:
    first = add(plan, "A")
    add(plan, "B", position=1)
    services.task_update(actor=plan.pmo, task=first, name="A renamed")
    rows = list(Task.objects.filter(project=plan.project).values_list("name", "position"))
    assert rows == [("B", 1), ("A renamed", 2)]


def test_a_batch_schedules_each_project_once_at_the_end(plan: World) -> None:
    with services.batch_scheduling():
        add(plan, "A", 2)
        b = add(plan, "B", 1, predecessors="1")
        assert Task.objects.get(pk=b.pk).start is None
        baseline = services.baseline_capture(actor=plan.pmo, project=plan.project, name="B0")
        assert services.baseline_dates(plan.project)[b.pk] == (at(3), at(3, 17))
        services.task_update(actor=plan.pmo, task=b, percent_complete=50)
    b.refresh_from_db()
    assert b.actual_start == at(3)
    assert baseline.is_primary
    assert ProjectPlan.objects.get(project=plan.project).health_score is not None


def test_a_batch_that_cannot_be_scheduled_raises_at_the_end(plan: World) -> None:
    add(plan, "A")
    b = add(plan, "B", predecessors="1")
    a = Task.objects.get(project=plan.project, position=1)

    def cycle_in_a_batch() -> None:
        with services.batch_scheduling():
            Dependency.objects.create(predecessor=b, successor=a)
            services.task_update(actor=plan.pmo, task=a, name="A again")

    with pytest.raises(ValidationError, match="cycle"):
        cycle_in_a_batch()
