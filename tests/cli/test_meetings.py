"""``pilotage meetings``: the meetings a user may see, in local time, as a table or as JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from pilotage.collaboration import services
from pilotage.collaboration.models import MeetingKind
from tests.cli.conftest import Run
from tests.world import World

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def paris(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Paris"


def _meetings(world: World) -> None:
    """A past kick-off and a coming steering committee of CRM, a coming HR workshop that only
    the admin attends, and a coming warehouse review."""
    soon = timezone.localtime(timezone.now(), PARIS).date() + dt.timedelta(days=7)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)

    services.meeting_create(
        actor=world.admin,
        project=world.project,
        title="Kick-off",
        kind=MeetingKind.KICK_OFF,
        starts_at=at(dt.date(2024, 1, 8), 9),
        ends_at=at(dt.date(2024, 1, 8), 10),
        organiser=world.project_manager,
        attendees=[world.viewer],
    )
    services.meeting_create(
        actor=world.admin,
        project=world.project,
        title="Steering committee",
        kind=MeetingKind.STEERING_COMMITTEE,
        starts_at=at(soon, 14, 30),
        ends_at=at(soon, 16),
        location="Board room",
        organiser=world.project_manager,
        attendees=[world.viewer],
        optional_attendees=[world.finance],
        guests="Ada Lovelace <ada@example.com>",
        agenda="1. Budget",
    )
    services.meeting_create(
        actor=world.admin,
        project=world.sibling_project,
        title="Forms workshop",
        kind=MeetingKind.WORKSHOP,
        starts_at=at(soon + dt.timedelta(days=1), 9),
        ends_at=at(soon + dt.timedelta(days=1), 12),
        online_url="https://meet.example.com/forms",
    )
    services.meeting_create(
        actor=world.admin,
        project=world.other_project,
        title="Warehouse review",
        starts_at=at(soon + dt.timedelta(days=2), 9),
        ends_at=at(soon + dt.timedelta(days=2), 10),
    )


def test_table_of_the_coming_meetings_in_local_time(run: Run, world: World) -> None:
    _meetings(world)
    result = run("meetings")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].split()[:5] == ["Starts", "Ends", "Project", "Kind", "Title"]
    rows = lines[2:]
    assert len(rows) == 3
    steering = rows[0]
    assert "14:30" in steering.split("  ")[0]
    assert " 16:00 " in steering
    assert "CRM" in steering
    assert "Steering committee" in steering
    assert "Planned" in steering
    assert "Board room" in steering
    assert "pm" in steering.split()
    assert "HR" in rows[1]
    assert "online" in rows[1]
    assert "Warehouse review" in rows[2]
    assert not any("Kick-off" in line for line in lines)


def test_json_of_every_meeting_of_a_project(run: Run, world: World) -> None:
    _meetings(world)
    result = run("meetings", "--project", "crm", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert [item["title"] for item in items] == ["Kick-off", "Steering committee"]
    kick_off, steering = items
    assert kick_off["starts_at"] == "2024-01-08T09:00:00+01:00"
    assert kick_off["ends_at"] == "2024-01-08T10:00:00+01:00"
    assert dt.datetime.fromisoformat(steering["starts_at"]).time() == dt.time(14, 30)
    assert dt.datetime.fromisoformat(steering["starts_at"]).utcoffset() is not None
    assert steering["project"] == "CRM"
    assert steering["kind"] == "steering_committee"
    assert steering["status"] == "planned"
    assert steering["duration_minutes"] == 90
    assert steering["organiser"] == "pm"
    assert steering["attendees"] == ["viewer"]
    assert steering["optional_attendees"] == ["finance"]
    assert steering["guests"] == [{"name": "Ada Lovelace", "email": "ada@example.com"}]
    assert steering["agenda"] == "1. Budget"


def test_the_meetings_of_the_user_given(run: Run, world: World) -> None:
    _meetings(world)
    seen = run("--as", "viewer", "meetings", "--all", "--format", "json")
    assert [item["title"] for item in json.loads(seen.output)] == [
        "Kick-off",
        "Steering committee",
        "Forms workshop",
    ]
    mine = run("--as", "finance", "meetings", "--mine", "--format", "json")
    assert [item["title"] for item in json.loads(mine.output)] == ["Steering committee"]
    mine_in_hr = run("--as", "viewer", "meetings", "--mine", "--all", "--project", "HR")
    assert mine_in_hr.exit_code == 0
    assert "No meetings." in mine_in_hr.output
    hidden = run("--as", "outsider", "meetings", "--project", "CRM")
    assert hidden.exit_code == 1
    assert "Unknown project: CRM" in hidden.output


def test_mine_needs_a_user(run: Run, world: World) -> None:
    result = run("meetings", "--mine")
    assert result.exit_code == 1
    assert "--as" in result.output
