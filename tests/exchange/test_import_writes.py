"""What an import writes does not depend on how it was written: the document the preview was
made from or the stored file read again, the schedule computed from the rows just written or
from the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from pilotage.exchange import services
from pilotage.exchange.models import ImportRun
from pilotage.interop import formats
from pilotage.planning.models import Dependency, ProjectPlan, Task
from pilotage.planning.services import dependency_create, recalculate
from pilotage.portfolio.models import Project
from pilotage.resources.models import Assignment
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures"
INTEROP = Path(__file__).parent.parent / "interop" / "fixtures"
WAREHOUSE = (FIXTURES / "warehouse.xml").read_bytes()
FILES = [
    FIXTURES / "warehouse.xml",
    INTEROP / "office-move.xml",
    INTEROP / "mspdi-calendars.xml",
    INTEROP / "mspdi-details.xml",
    INTEROP / "mspdi-resources.xml",
]

_COMPUTED = (
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "is_critical",
)
_PLAN = ("finish", "task_count", "critical_count", "issues", "health_score", "health_rating")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    services._kept.clear()
    yield
    services._kept.clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the project files read from their bytes, in order."""
    names: list[str] = []
    read = formats.read_project_file

    def counted(data: bytes, name: str, **options: Any) -> Any:
        names.append(name)
        return read(data, name, **options)

    monkeypatch.setattr(services, "read_project_file", counted)
    return names


def _apply(world: World, run: ImportRun, code: str) -> Project:
    return services.import_apply(
        actor=world.admin, run=run, portfolio=world.portfolio, code=code, name=""
    ).project


def _rows(project: Project) -> list[tuple[Any, ...]]:
    """Everything the import wrote of the plan, with file UIDs in place of row keys."""
    tasks = list(Task.objects.filter(project=project).order_by("position"))
    uid_of = {task.pk: task.uid for task in tasks}
    values = [
        (
            task.uid,
            uid_of.get(task.parent_id or 0),
            task.name,
            task.duration_minutes,
            task.percent_complete,
            task.custom_fields,
            task.file_details,
            *(getattr(task, name) for name in _COMPUTED),
        )
        for task in tasks
    ]
    links = sorted(
        (uid_of[link.predecessor_id], uid_of[link.successor_id], link.type, link.lag_minutes)
        for link in Dependency.objects.filter(successor__project=project)
    )
    assignments = sorted(
        (uid_of[item.task_id], item.resource.name, item.units, item.work_minutes)
        for item in Assignment.objects.filter(project=project).select_related("resource")
    )
    return [*values, *links, *assignments]


def _schedule(project: Project) -> tuple[list[tuple[Any, ...]], tuple[Any, ...]]:
    tasks = [
        (task.pk, *(getattr(task, name) for name in _COMPUTED))
        for task in Task.objects.filter(project=project).order_by("position")
    ]
    plan = ProjectPlan.objects.get(project=project)
    return tasks, tuple(getattr(plan, name) for name in _PLAN)


def test_the_confirmation_writes_the_document_of_the_preview(
    world: World, reads: list[str]
) -> None:
    run = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    _apply(world, run, "WH")
    assert reads == ["warehouse.xml"]


def test_another_process_reads_the_stored_file_again_and_writes_the_same(
    world: World, reads: list[str]
) -> None:
    first = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    kept = _rows(_apply(world, first, "WH-1"))
    second = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    services._kept.clear()  # as in a server process that did not make the preview
    read_again = _rows(_apply(world, second, "WH-2"))
    assert reads == ["warehouse.xml", "warehouse.xml", "warehouse.xml"]
    assert read_again == kept


def test_a_stored_file_that_changed_is_read_again(world: World) -> None:
    run = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    renamed = WAREHOUSE.replace(b"<Name>Order crates</Name>", b"<Name>Order boxes</Name>")
    ImportRun.objects.filter(pk=run.pk).update(content=renamed)
    run.refresh_from_db()
    project = _apply(world, run, "WH")
    assert Task.objects.filter(project=project, name="Order boxes").exists()
    assert not Task.objects.filter(project=project, name="Order crates").exists()


def test_only_the_last_previews_are_kept(world: World, reads: list[str]) -> None:
    runs = [
        services.import_upload(actor=world.admin, data=WAREHOUSE, file_name=f"w{number}.xml")
        for number in range(services._KEPT_DOCUMENTS + 1)
    ]
    assert len(services._kept) == services._KEPT_DOCUMENTS
    reads.clear()
    _apply(world, runs[0], "WH-OLDEST")
    _apply(world, runs[-1], "WH-NEWEST")
    assert reads == ["w0.xml"]
    assert Task.objects.filter(project__code="WH-OLDEST").count() == 5


def test_an_applied_import_keeps_the_name_and_size_of_its_file_only(world: World) -> None:
    run = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    _apply(world, run, "WH")
    run.refresh_from_db()
    assert (run.file_name, run.file_size, bytes(run.content)) == (
        "warehouse.xml",
        len(WAREHOUSE),
        b"",
    )


def test_a_discarded_or_applied_import_is_not_kept(world: World) -> None:
    applied = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="a.xml")
    discarded = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="d.xml")
    _apply(world, applied, "WH")
    services.import_discard(actor=world.admin, run=discarded)
    assert not services._kept


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_the_schedule_of_an_import_is_the_one_the_database_gives(world: World, path: Path) -> None:
    run = services.import_upload(actor=world.admin, data=path.read_bytes(), file_name=path.name)
    project = _apply(world, run, "IMPORTED")
    written = _schedule(project)
    recalculate(Project.objects.get(pk=project.pk))
    assert _schedule(project) == written
    assert written[1][1] == Task.objects.filter(project=project).count()


def test_an_update_schedules_with_links_from_other_projects(world: World) -> None:
    from tests.planning.helpers import plan_with_tasks

    upstream = plan_with_tasks(world)
    run = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    project = _apply(world, run, "WH")
    crates = Task.objects.get(project=project, uid=12)
    dependency_create(actor=world.admin, predecessor=upstream[-1], successor=crates)
    update = services.import_upload(
        actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml", project=project
    )
    services.import_apply(actor=world.admin, run=update)
    crates.refresh_from_db()
    before = Task.objects.get(pk=upstream[-1].pk)
    assert crates.start is not None
    assert before.finish is not None
    assert crates.start > before.finish
    written = _schedule(project)
    recalculate(Project.objects.get(pk=project.pk))
    assert _schedule(project) == written


def test_an_update_deletes_every_task_the_file_does_not_have(world: World) -> None:
    run = services.import_upload(actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml")
    project = _apply(world, run, "WH")
    for name in ("Added by hand", "Added by hand too"):
        Task.objects.create(project=project, name=name, uid=None, position=99)
    update = services.import_upload(
        actor=world.admin, data=WAREHOUSE, file_name="warehouse.xml", project=project
    )
    services.import_apply(actor=world.admin, run=update)
    uids = set(Task.objects.filter(project=project).values_list("uid", flat=True))
    assert uids == {10, 11, 12, 20, 21}
