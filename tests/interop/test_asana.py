"""Reading an Asana project's CSV export: sections, subtasks, dependencies, people, fields."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.asana import read_asana_csv
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError

EXPORT = Path(__file__).parent / "fixtures" / "asana-office-move.csv"
HEADER = (
    "Task ID,Created At,Completed At,Last Modified,Name,Section/Column,Assignee,"
    "Assignee Email,Start Date,Due Date,Tags,Notes,Projects,Parent task,"
    "Blocked By (Dependencies),Blocking (Dependencies)"
)


@pytest.fixture(scope="module")
def project() -> ProjectDocument:
    return read_asana_csv(EXPORT.read_bytes(), name="asana-office-move.csv")


def read(rows: list[str], header: str = HEADER) -> ProjectDocument:
    return read_asana_csv("\n".join([header, *rows]).encode(), name="tasks.csv")


def tasks_named(document: ProjectDocument, name: str) -> list[Any]:
    return [task for task in document.plan.tasks if task.name == name]


def named(document: ProjectDocument, name: str) -> Any:
    (task,) = tasks_named(document, name)
    return task


def children(document: ProjectDocument, uid: int | None) -> list[str]:
    return [task.name for task in document.plan.children(uid)]


def custom(document: ProjectDocument, name: str) -> dict[str, Any]:
    uid = named(document, name).uid
    return {value.key: value.value for value in document.details(uid).custom_values}


def warning_with(document: ProjectDocument, *words: str) -> str:
    found = [warning for warning in document.warnings if all(word in warning for word in words)]
    assert found, f"no warning with {words} in {document.warnings}"
    return found[0]


def test_sections_are_summary_tasks_in_the_order_they_appear(project: ProjectDocument) -> None:
    assert project.format == "asana-csv"
    assert children(project, None) == ["Planning", "Move", "Archive room", "Return the old keys"]
    assert children(project, named(project, "Planning").uid) == [
        "Kick-off workshop",
        "Survey the new floor",
    ]
    move = named(project, "Move")
    assert move.summary
    assert children(project, move.uid) == [
        "Pack archives",
        "Book movers",
        "Move day",
        "Housewarming",
    ]


def test_subtasks_sit_under_their_parent_found_by_name(project: ProjectDocument) -> None:
    packing = tasks_named(project, "Pack archives")[0]
    assert packing.summary
    assert children(project, packing.uid) == ["Label boxes"]
    assert children(project, named(project, "Label boxes").uid) == ["Order crates"]
    assert named(project, "Order crates").outline_level == 4


def test_an_ambiguous_parent_name_takes_the_nearest_task_above_and_says_so(
    project: ProjectDocument,
) -> None:
    first, second = tasks_named(project, "Pack archives")
    assert named(project, "Label boxes").parent_uid == first.uid
    assert not second.summary
    warning_with(project, "Label boxes", "several tasks are named 'Pack archives'")


def test_a_missing_parent_is_said_and_the_task_kept(project: ProjectDocument) -> None:
    assert named(project, "Return the old keys").parent_uid is None
    warning_with(project, "Return the old keys", "'Handover'", "not in the file")


def test_dependencies_from_both_columns_once_each(project: ProjectDocument) -> None:
    uid = {task.name: task.uid for task in project.plan.tasks if task.name != "Pack archives"}
    pairs = [(link.predecessor_uid, link.successor_uid) for link in project.plan.links]
    assert pairs == [
        (uid["Kick-off workshop"], uid["Survey the new floor"]),
        (uid["Survey the new floor"], uid["Book movers"]),
        (uid["Book movers"], uid["Move day"]),
    ]
    warning_with(project, "Book movers", "1209000000999999", "dropped")


def test_start_and_due_dates(project: ProjectDocument) -> None:
    survey = named(project, "Survey the new floor")
    assert survey.constraint_type == "SNET"
    assert survey.constraint_date == datetime(2026, 3, 2, 8, 0)
    assert survey.deadline == datetime(2026, 3, 4, 17, 0)
    assert (survey.duration_minutes, survey.estimated) == (3 * 480, False)
    one_day = named(project, "Move day")
    assert (one_day.duration_minutes, one_day.estimated) == (480, False)
    start_only = named(project, "Housewarming")
    assert (start_only.constraint_type, start_only.duration_minutes) == ("SNET", 480)
    assert start_only.estimated
    due_only = named(project, "Book movers")
    assert (due_only.constraint_type, due_only.deadline) == ("ASAP", datetime(2026, 3, 10, 17))
    warning_with(project, "Return the old keys", "due date is before the start date")


def test_completed_tasks(project: ProjectDocument) -> None:
    workshop = named(project, "Kick-off workshop")
    assert workshop.percent_complete == 100
    assert workshop.actual_start == datetime(2026, 2, 23, 8, 0)
    assert workshop.actual_finish == datetime(2026, 2, 27, 17, 0)
    assert named(project, "Survey the new floor").percent_complete == 0


def test_assignees_are_resources_and_the_same_person_once(project: ProjectDocument) -> None:
    assert [(item.name, item.email) for item in project.resources] == [
        ("Ana Silva", "ana.silva@example.com"),
        ("Bruno Keller", "bruno.keller@example.com"),
        ("Chloé Martin", "chloe.martin@example.com"),
    ]
    packing = tasks_named(project, "Pack archives")[0]
    (assignment,) = [item for item in project.assignments if item.task_uid == packing.uid]
    assert assignment.resource_uid == 1
    assert project.counts()["assignments"] == 6


def test_notes_tags_priority_and_custom_columns(project: ProjectDocument) -> None:
    workshop = named(project, "Kick-off workshop")
    assert workshop.notes == 'Agenda:\n- goals, scope\n- "must-haves"'
    assert workshop.priority == 700
    assert named(project, "Book movers").priority == 900
    assert named(project, "Move day").priority == 500
    warning_with(project, "'P0'")
    values = custom(project, "Kick-off workshop")
    assert values["Tags"] == "workshop, client"
    assert values["Cost centre"] == "OPEX-12"
    assert values["Priority"] == "High"
    assert project.details(workshop.uid).hyperlink_address == (
        "https://app.asana.com/0/0/1209000000000101"
    )


def test_tasks_of_several_projects_keep_them_in_a_field(project: ProjectDocument) -> None:
    assert project.plan.name == "asana-office-move"
    assert custom(project, "Move day")["Projects"] == "Office move, Facilities"


def test_blank_rows_are_counted(project: ProjectDocument) -> None:
    assert project.null_tasks == 1
    warning_with(project, "1 blank row was skipped")


def test_the_project_schedules(project: ProjectDocument) -> None:
    schedule = schedule_plan(project.plan)
    assert len(schedule.tasks) == len(project.plan.tasks)
    assert project.plan.start == datetime(2026, 2, 16, 8, 0)


def test_a_single_project_names_the_plan() -> None:
    document = read(["1,2026-03-02,,,Brief,,,,,,,,Bakery opening,,,"])
    assert document.plan.name == "Bakery opening"
    assert "Projects" not in {field.key for field in document.custom_fields}


def test_older_exports_write_sections_as_rows_ending_with_a_colon() -> None:
    document = read(
        [
            "1,2026-03-02,,,Design:,,,,,,,,P,,,",
            "2,2026-03-02,,,Sketch,,,,,,,,P,,,",
            "3,2026-03-02,,,Build:,,,,,,,,P,,,",
            "4,2026-03-02,,,Walls,,,,,,,,P,,,",
        ]
    )
    assert [(task.name, task.outline_level) for task in document.plan.tasks] == [
        ("Design", 1),
        ("Sketch", 2),
        ("Build", 1),
        ("Walls", 2),
    ]


def test_dependencies_may_name_tasks_and_names_may_hold_commas() -> None:
    document = read(
        [
            '1,2026-03-02,,,"Plan, then build",S,,,,,,,P,,,',
            '2,2026-03-02,,,Check,S,,,,,,,P,,"Plan, then build",',
        ]
    )
    assert [(link.predecessor_uid, link.successor_uid) for link in document.plan.links] == [(2, 3)]


def test_french_excel_semicolons_and_day_first_dates() -> None:
    header = HEADER.replace(",", ";")
    document = read(
        ["1;16/03/2026;;;Réunion;Étape 1;Léa Roux;;16/03/2026;18/03/2026;;;P;;;"], header
    )
    meeting = named(document, "Réunion")
    assert meeting.constraint_date == datetime(2026, 3, 16, 8, 0)
    assert meeting.duration_minutes == 3 * 480
    assert document.resources[0].name == "Léa Roux"


def test_a_file_that_is_not_an_asana_export_is_refused() -> None:
    with pytest.raises(PlanFileError, match="line 1: this is not an Asana export"):
        read_asana_csv(b"Title,Owner\nA,B\n", name="tasks.csv")
