"""Reading a Trello board's JSON export: lists, cards, checklists, members, labels, fields."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotage.engine.schedule_plan import schedule_plan
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.trello import read_trello_json

BOARD = Path(__file__).parent / "fixtures" / "trello-board.json"


@pytest.fixture(scope="module")
def board() -> ProjectDocument:
    return read_trello_json(BOARD.read_bytes(), name="trello-board.json")


def named(document: ProjectDocument, name: str) -> Any:
    found = [task for task in document.plan.tasks if task.name == name]
    assert len(found) == 1, f"{len(found)} tasks named {name!r}"
    return found[0]


def children(document: ProjectDocument, name: str) -> list[str]:
    return [task.name for task in document.plan.children(named(document, name).uid)]


def custom(document: ProjectDocument, name: str) -> dict[str, Any]:
    uid = named(document, name).uid
    return {value.key: value.value for value in document.details(uid).custom_values}


def people(document: ProjectDocument, name: str) -> list[str]:
    uid = named(document, name).uid
    names = {resource.uid: resource.name for resource in document.resources}
    return [names[item.resource_uid] for item in document.assignments if item.task_uid == uid]


def warning_with(document: ProjectDocument, *words: str) -> str:
    found = [warning for warning in document.warnings if all(word in warning for word in words)]
    assert found, f"no warning with {words} in {document.warnings}"
    return found[0]


def test_open_lists_in_board_order_hold_their_open_cards_in_order(board: ProjectDocument) -> None:
    assert board.format == "trello-json"
    assert board.plan.name == "Website launch"
    top = [task.name for task in board.plan.children(None)]
    assert top == ["To Do", "Doing", "Done", "Card of a deleted list"]
    assert all(named(board, name).summary for name in ("To Do", "Doing", "Done"))
    assert children(board, "To Do") == ["Choose a font", "Homepage mock-up"]
    assert children(board, "Doing") == ["Write the copy", "Launch checklist"]


def test_archived_cards_and_lists_are_counted_not_imported(board: ProjectDocument) -> None:
    names = {task.name for task in board.plan.tasks}
    assert not names & {"Old logo ideas", "Competitor review", "Parking"}
    warning_with(board, "2 archived cards")


def test_a_list_without_open_cards_is_left_out_and_said(board: ProjectDocument) -> None:
    assert "Blocked" not in {task.name for task in board.plan.tasks}
    warning_with(board, "'Blocked'")


def test_a_card_whose_list_is_missing_stays_at_the_top(board: ProjectDocument) -> None:
    assert named(board, "Card of a deleted list").parent_uid is None
    warning_with(board, "Card of a deleted list", "not on the board")


def test_card_details(board: ProjectDocument) -> None:
    card = named(board, "Homepage mock-up")
    assert card.notes == "Hero, three teasers, footer.\nMobile first."
    details = board.details(card.uid)
    assert details.hyperlink_address.startswith("https://trello.com/c/")
    # Start Monday 08:00 UTC, due Friday 16:00 UTC: kept as written, five working days.
    assert card.constraint_type == "SNET"
    assert card.constraint_date == datetime(2026, 3, 2, 8, 0)
    assert card.deadline == datetime(2026, 3, 6, 16, 0)
    assert (card.duration_minutes, card.estimated) == (5 * 480, False)
    font = named(board, "Choose a font")
    assert (font.duration_minutes, font.estimated, font.constraint_type) == (480, True, "ASAP")


def test_labels_and_board_custom_fields(board: ProjectDocument) -> None:
    assert custom(board, "Homepage mock-up") == {
        "Labels": "Design, Website",
        "Effort points": Decimal(5),
        "Team": "Front end",
        "Client signed off": True,
        "Review": datetime(2026, 3, 9, 13, 0),
    }
    assert custom(board, "Choose a font") == {"Labels": "red"}
    kinds = {field.key: field.kind for field in board.custom_fields}
    assert kinds == {
        "Labels": "text",
        "Effort points": "number",
        "Team": "text",
        "Client signed off": "flag",
        "Review": "date",
    }


def test_checklist_items_are_subtasks(board: ProjectDocument) -> None:
    assert named(board, "Write the copy").summary
    assert children(board, "Write the copy") == ["About us", "Contact"]
    # Several checklists: one summary each, in their order, the empty one left out.
    assert children(board, "Launch checklist") == ["Technical", "Communication"]
    assert children(board, "Technical") == ["DNS switch", "Smoke tests"]
    assert children(board, "Communication") == ["Newsletter", "Press release"]
    assert named(board, "DNS switch").percent_complete == 100
    assert named(board, "Smoke tests").percent_complete == 0
    assert named(board, "Newsletter").deadline == datetime(2026, 3, 20, 9, 0)


def test_members_are_resources_assigned_to_cards_or_their_items(board: ProjectDocument) -> None:
    assert [(item.name, item.code, item.initials) for item in board.resources] == [
        ("Ana Silva", "anasilva", "AS"),
        ("ben_k", "ben_k", "BK"),
    ]
    assert people(board, "Homepage mock-up") == ["Ana Silva"]
    assert people(board, "Write the copy") == []
    assert people(board, "About us") == ["Ana Silva", "ben_k"]
    assert people(board, "Newsletter") == ["Ana Silva"]  # the item's own member
    assert people(board, "Press release") == ["ben_k"]  # the card's member
    warning_with(board, "Write the copy", "000000000000000000000bad")
    assert all(item.units == Decimal(1) for item in board.assignments)


def test_completed_cards_and_the_done_list(board: ProjectDocument) -> None:
    meeting = named(board, "Kick-off meeting")
    assert meeting.percent_complete == 100
    # Created at 08:30 (its identifier says so), last activity 11:15.
    assert meeting.actual_start == datetime(2026, 3, 2, 8, 30)
    assert meeting.actual_finish == datetime(2026, 3, 2, 11, 15)
    warning_with(board, "'Done'", "100 % complete")


def test_the_board_schedules(board: ProjectDocument) -> None:
    schedule = schedule_plan(board.plan)
    assert len(schedule.tasks) == len(board.plan.tasks)
    assert board.plan.start is not None


def minimal_board(**extra: Any) -> bytes:
    payload = {
        "name": "B",
        "lists": [{"id": "l1", "name": "Work", "pos": 1, "closed": False}],
        "cards": [{"id": "c1", "name": "Task", "idList": "l1", "pos": 1}],
        **extra,
    }
    return json.dumps(payload).encode()


def test_a_board_with_a_card_due_before_its_start_lasts_a_day() -> None:
    data = json.loads(minimal_board())
    data["cards"][0].update(start="2026-03-10T08:00:00.000Z", due="2026-03-06T17:00:00.000Z")
    document = read_trello_json(json.dumps(data).encode(), name="b.json")
    assert named(document, "Task").duration_minutes == 480
    warning_with(document, "due date is before the start date")


def test_a_complete_card_without_dates_keeps_no_progress_and_says_so() -> None:
    data = json.loads(minimal_board())
    data["cards"][0]["dueComplete"] = True
    document = read_trello_json(json.dumps(data).encode(), name="b.json")
    assert named(document, "Task").percent_complete == 0
    warning_with(document, "no date to place that progress")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'{"name": "B", "cards": []}', "not a Trello board export"),
        (b'["cards", "lists"]', "not a Trello board export"),
        (b'{"cards": [], "lists": [', "not valid JSON"),
        (b"\xff\xfe\x00\xd8", "utf-16"),
    ],
)
def test_what_is_not_a_board_is_refused(data: bytes, problem: str) -> None:
    with pytest.raises(PlanFileError, match=problem):
        read_trello_json(data, name="board.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["id", "name", "idList", "pos", "closed", "due", "start", "idMembers", "labels"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(json_values, max_size=3), st.lists(json_values, max_size=3))
def test_any_cards_and_lists_give_a_document_or_a_plan_file_error(
    lists: list[Any], cards: list[Any]
) -> None:
    payload = {"lists": lists, "cards": cards, "checklists": cards, "members": lists}
    with contextlib.suppress(PlanFileError):
        read_trello_json(json.dumps(payload).encode(), name="fuzz.json")
