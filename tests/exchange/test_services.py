"""Imports through the services: preview writes nothing, apply writes everything or nothing,
updates match tasks by UID, and the stored project exports back to what was imported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from pilotage.core.errors import ForbiddenError
from pilotage.exchange import services
from pilotage.exchange.exports import project_document, project_export
from pilotage.exchange.models import ImportRun, ImportStatus
from pilotage.interop.document import ProjectDocument
from pilotage.interop.mspdi import read_mspdi_document
from pilotage.planning.models import Baseline, Dependency, Task, WorkCalendar
from pilotage.portfolio.models import Project
from pilotage.resources.models import Assignment, Resource
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures"
WAREHOUSE = (FIXTURES / "warehouse.xml").read_bytes()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def upload(world: World, data: bytes = WAREHOUSE, **options: object) -> ImportRun:
    return services.import_upload(
        actor=world.admin, data=data, file_name="warehouse.xml", **options
    )


def imported(world: World) -> Project:
    run = upload(world)
    result = services.import_apply(
        actor=world.admin, run=run, portfolio=world.portfolio, code="WH-MOVE", name=""
    )
    return result.project


def test_preview_reads_the_file_and_writes_nothing(world: World) -> None:
    run = upload(world)
    assert run.status == ImportStatus.PREVIEW
    assert run.format == "mspdi"
    assert run.summary["counts"] == {
        "tasks": 5,
        "links": 3,
        "resources": 2,
        "assignments": 2,
        "calendars": 1,
    }
    assert run.summary["baselines"] == [0]
    assert run.summary["dates"]["compared"] == 5
    assert run.summary["dates"]["agreeing"] == 5
    assert not Project.objects.filter(code="WH-MOVE").exists()
    assert not Task.objects.filter(name="Survey racks").exists()


def test_apply_creates_the_whole_project(world: World) -> None:
    project = imported(world)
    assert project.name == "Warehouse move"
    assert project.portfolio == world.portfolio
    tasks = {task.uid: task for task in Task.objects.filter(project=project)}
    assert set(tasks) == {10, 11, 12, 20, 21}
    survey = tasks[11]
    assert survey.parent == tasks[10]
    assert tasks[10].is_summary
    assert survey.priority == 700
    assert survey.percent_complete == 100
    assert survey.cost == Decimal("960.00")
    assert survey.custom_fields == {"Text1": "CC-410"}
    assert survey.notes == "Both halls."
    assert tasks[21].is_milestone
    assert tasks[21].deadline == dt.datetime(2026, 3, 20, 17, 0)
    assert tasks[21].finish == dt.datetime(2026, 3, 13, 17, 0)
    link = Dependency.objects.get(successor=tasks[21])
    assert (link.predecessor, link.type, link.lag_minutes, link.lag_unit) == (
        tasks[20],
        "FS",
        480,
        "d",
    )
    calendar = WorkCalendar.objects.get(project=project)
    assert calendar.name == "Standard"
    assert calendar.exceptions.get().start == dt.date(2026, 3, 10)
    assert project.plan.calendar == calendar
    baseline = Baseline.objects.get(project=project)
    assert (baseline.number, baseline.is_primary) == (0, True)
    assert baseline.tasks.get(task=survey).cost == Decimal("960.00")
    marc = Resource.objects.get(name="Marc Petit")
    assert (marc.email, marc.standard_rate, marc.calendar) == (
        "marc.petit@example.com",
        Decimal("60"),
        calendar,
    )
    crates = Assignment.objects.get(task=tasks[12])
    assert (crates.resource.kind, crates.units) == ("material", Decimal("40"))
    run = ImportRun.objects.get()
    assert (run.status, run.project) == (ImportStatus.APPLIED, project)


def test_the_same_person_from_two_files_is_one_resource(world: World) -> None:
    imported(world)
    run = upload(world)
    services.import_apply(actor=world.admin, run=run, portfolio=world.portfolio, code="WH-TWO")
    assert Resource.objects.filter(name="Marc Petit").count() == 1
    assert Assignment.objects.filter(resource__name="Marc Petit").count() == 2
    second = Project.objects.get(code="WH-TWO")
    exported = project_export(actor=world.admin, project=second, format="mspdi").content
    again = read_mspdi_document(exported, name="wh-two.xml")
    assert [item.calendar.name for item in again.plan.calendars] == ["Standard"]
    assert again.resources[0].calendar_uid == again.plan.calendars[0].uid


def test_a_failed_apply_writes_nothing(world: World) -> None:
    run = upload(world)
    with pytest.raises(ValidationError):
        services.import_apply(
            actor=world.admin, run=run, portfolio=world.portfolio, code=world.project.code
        )
    assert not Task.objects.filter(name="Survey racks").exists()
    assert not Resource.objects.filter(name="Marc Petit").exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEW


def test_an_unreadable_file_is_refused_with_its_line(world: World) -> None:
    broken = WAREHOUSE.replace(b"</Tasks>", b"</Task>", 1)
    with pytest.raises(ValidationError) as caught:
        upload(world, broken)
    message = " ".join(caught.value.messages)
    assert "warehouse.xml" in message
    assert "line" in message
    assert not ImportRun.objects.exists()


def test_an_entity_bomb_is_refused(world: World) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Project xmlns="http://schemas.microsoft.com/project"><Name>&b;</Name></Project>'
    )
    with pytest.raises(ValidationError):
        upload(world, bomb)


def test_update_matches_tasks_by_uid(world: World) -> None:
    project = imported(world)
    survey = Task.objects.get(project=project, uid=11)
    changed = (
        WAREHOUSE.replace(b"<Name>Order crates</Name>", b"<Name>Order boxes</Name>")
        .replace(
            b"<Task><UID>20</UID><ID>4</ID><Name>Move</Name>",
            b"<Task><UID>30</UID><ID>4</ID><Name>Move in two waves</Name>",
        )
        .replace(b"<PredecessorUID>20</PredecessorUID>", b"<PredecessorUID>30</PredecessorUID>")
    )
    run = upload(world, changed, project=project)
    changes = run.summary["changes"]
    assert changes["added"] == ["30 Move in two waves"]
    assert changes["updated"] == ["12 Order boxes"]
    assert changes["removed"] == ["20 Move"]
    services.import_apply(actor=world.admin, run=run)
    tasks = {task.uid: task for task in Task.objects.filter(project=project)}
    assert set(tasks) == {10, 11, 12, 21, 30}
    assert tasks[11].pk == survey.pk
    assert tasks[12].name == "Order boxes"
    assert Dependency.objects.filter(successor=tasks[21], predecessor=tasks[30]).exists()


def test_updating_needs_the_change_permission(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.import_upload(
            actor=world.viewer, data=WAREHOUSE, file_name="w.xml", project=world.project
        )


def test_an_import_is_applied_once(world: World) -> None:
    run = upload(world)
    services.import_apply(actor=world.admin, run=run, portfolio=world.portfolio, code="WH-1")
    with pytest.raises(ValidationError):
        services.import_apply(actor=world.admin, run=run, portfolio=world.portfolio, code="WH-2")


def test_discard_forgets_the_file(world: World) -> None:
    run = upload(world)
    services.import_discard(actor=world.admin, run=run)
    run.refresh_from_db()
    assert (run.status, bytes(run.content)) == (ImportStatus.DISCARDED, b"")


def test_the_exported_project_reads_back_as_imported(world: World) -> None:
    project = imported(world)
    original = read_mspdi_document(WAREHOUSE, name="warehouse.xml")
    exported = project_export(actor=world.admin, project=project, format="mspdi")
    again = read_mspdi_document(exported.content, name=exported.file_name)
    assert again.counts() == original.counts()
    assert [(t.uid, t.name, t.parent_uid, t.duration_minutes) for t in again.plan.tasks] == [
        (t.uid, t.name, t.parent_uid, t.duration_minutes) for t in original.plan.tasks
    ]

    def links(document: ProjectDocument) -> set[tuple[int, int, int]]:
        return {(k.predecessor_uid, k.successor_uid, k.lag_minutes) for k in document.plan.links}

    assert links(again) == links(original)
    for task in original.plan.tasks:
        assert again.details(task.uid).baselines == original.details(task.uid).baselines
        assert again.details(task.uid).custom_values == original.details(task.uid).custom_values
    assert again.custom_fields == original.custom_fields
    assert [r.name for r in again.resources] == [r.name for r in original.resources]
    assert {(a.task_uid, a.resource_uid, a.units) for a in again.assignments} == {
        (a.task_uid, a.resource_uid, a.units) for a in original.assignments
    }
    assert again.properties["Author"] == "Claire Dubois"


def test_document_of_a_plan_built_in_pilotage(world: World) -> None:
    from tests.planning.helpers import plan_with_tasks

    plan_with_tasks(world)
    document = project_document(world.project)
    assert [task.name for task in document.plan.tasks] == ["Task 1", "Task 2", "Task 3"]
    assert [task.uid for task in document.plan.tasks] == [1, 2, 3]
    assert len(document.plan.links) == 2


def test_every_spreadsheet_field_is_marked_for_translation() -> None:
    from pilotage.exchange.labels import FIELD_LABELS, FORMAT_NAMES
    from pilotage.finance.budget_import import FIELD_LABELS as BUDGET_LABELS
    from pilotage.finance.erp_import import FIELD_LABELS as ACTUAL_COST_LABELS
    from pilotage.finance.timesheet_import import FIELD_LABELS as TIMESHEET_LABELS
    from pilotage.interop.formats import FORMAT_LABELS
    from pilotage.interop.tabular import TARGETS
    from pilotage.risks.risk_import import FIELD_LABELS as RISK_LABELS

    labels = {field.label for target in TARGETS.values() for field in target.fields}
    assert {"actual_costs", "budget_lines", "timesheet_entries", "risks"} <= set(TARGETS)
    marked = set(FIELD_LABELS) | set(ACTUAL_COST_LABELS) | set(BUDGET_LABELS)
    assert labels <= marked | set(TIMESHEET_LABELS) | set(RISK_LABELS)
    assert set(FORMAT_LABELS.values()) <= set(FORMAT_NAMES)


def test_a_plan_made_in_pilotage_updates_from_its_own_export(world: World) -> None:
    from tests.planning.helpers import plan_with_tasks

    tasks = plan_with_tasks(world)
    exported = project_export(actor=world.admin, project=world.project, format="mspdi").content
    edited = exported.replace(b"<Name>Task 2</Name>", b"<Name>Task 2 (revised)</Name>")
    run = services.import_upload(
        actor=world.admin, data=edited, file_name="crm.xml", project=world.project
    )
    assert run.summary["changes"]["removed"] == []
    assert run.summary["changes"]["updated"] == [f"{tasks[1].uid} Task 2 (revised)"]
    services.import_apply(actor=world.admin, run=run)
    assert list(
        Task.objects.filter(project=world.project).order_by("position").values_list("pk", "name")
    ) == [(tasks[0].pk, "Task 1"), (tasks[1].pk, "Task 2 (revised)"), (tasks[2].pk, "Task 3")]


def test_a_resource_without_assignments_is_kept_for_the_export(world: World) -> None:
    spare = WAREHOUSE.replace(
        b"</Resources>",
        b"<Resource><UID>7</UID><ID>3</ID><Name>Forklift</Name><Type>1</Type></Resource>"
        b"</Resources>",
    )
    run = services.import_upload(actor=world.admin, data=spare, file_name="w.xml")
    project = services.import_apply(
        actor=world.admin, run=run, portfolio=world.portfolio, code="WH"
    ).project
    exported = project_export(actor=world.admin, project=project, format="mspdi").content
    names = [resource.name for resource in read_mspdi_document(exported, name="w.xml").resources]
    assert names == ["Marc Petit", "Crates", "Forklift"]


def test_previews_nobody_confirmed_are_forgotten_after_two_days(world: World) -> None:
    old = upload(world)
    ImportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    upload(world)
    old.refresh_from_db()
    assert (old.status, bytes(old.content)) == (ImportStatus.DISCARDED, b"")
