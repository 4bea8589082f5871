"""Meetings: planning one or a series, who may be invited, changes and their revision, cancelling,
minutes, deleting, the history they leave and the lists that read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.accounts.models import Membership, Role, User
from pilotage.accounts.permissions import Action
from pilotage.collaboration import services
from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
from pilotage.collaboration.selectors import (
    meeting_get_for_user,
    meeting_list,
    meetings_of_user,
    parse_guests,
)
from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.models import HistoryAction, HistoryEntry
from pilotage.portfolio.models import Project
from tests.factories import MembershipFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Paris."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


MONDAY = dt.date(2026, 6, 15)


def plan(
    world: World,
    *,
    actor: User | None = None,
    project: Project | None = None,
    title: str = "Weekly status review",
    day: dt.date = MONDAY,
    **values: Any,
) -> Meeting:
    values.setdefault("starts_at", at(day, 10))
    values.setdefault("ends_at", at(day, 11))
    return services.meeting_create(
        actor=actor or world.project_manager,
        project=project or world.project,
        title=title,
        **values,
    )


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


def changed_fields(meeting: Meeting) -> list[set[str]]:
    """The fields each history entry changed, oldest first."""
    return [
        {change["field"] for change in entry.changes}
        for entry in reversed(list(history_for(meeting)))
    ]


# Planning one meeting ---------------------------------------------------------------------------


def test_a_meeting_is_planned_with_its_people_and_organised_by_whoever_plans_it(
    world: World,
) -> None:
    meeting = plan(
        world,
        kind=MeetingKind.STEERING_COMMITTEE,
        location="Room 4.12",
        online_url="https://meet.example.org/crm-steerco",
        attendees=[world.viewer, world.pmo],
        optional_attendees=[world.finance],
        guests="Jane Roe <jane.roe@supplier.example>\nBob Stone",
        agenda="1. Budget\n2. Go-live date",
    )
    meeting.refresh_from_db()
    assert meeting.project == world.project
    assert meeting.organiser == world.project_manager
    assert meeting.created_by == world.project_manager
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.sequence == 0
    assert meeting.series is None
    assert meeting.duration_minutes() == 60
    assert set(meeting.attendees.all()) == {world.viewer, world.pmo}
    assert list(meeting.optional_attendees.all()) == [world.finance]
    guests, bad = parse_guests(meeting.guests)
    assert [(guest.name, guest.email) for guest in guests] == [
        ("Jane Roe", "jane.roe@supplier.example"),
        ("Bob Stone", ""),
    ]
    assert bad == []
    assert meeting.get_absolute_url() == f"/meetings/{meeting.pk}/"


def test_someone_else_may_organise_and_the_title_is_trimmed(world: World) -> None:
    meeting = plan(world, actor=world.pmo, title="  Gate 2 review  ", organiser=world.viewer)
    assert meeting.organiser == world.viewer
    assert meeting.created_by == world.pmo
    assert meeting.title == "Gate 2 review"


# Who may plan, change and delete ----------------------------------------------------------------


def test_planning_needs_change_on_the_project_and_deleting_needs_delete(world: World) -> None:
    with pytest.raises(ForbiddenError):
        plan(world, actor=world.viewer)
    with pytest.raises(NotFoundError):
        plan(world, actor=world.outsider)
    meeting = plan(world, actor=world.project_manager)
    with pytest.raises(ForbiddenError):
        services.meeting_update(actor=world.viewer, meeting=meeting, title="Mine now")
    with pytest.raises(ForbiddenError):
        services.meeting_cancel(actor=world.viewer, meeting=meeting)
    with pytest.raises(ForbiddenError):
        services.meeting_delete(actor=world.project_manager, meeting=meeting)
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    pk = meeting.pk
    services.meeting_delete(actor=world.portfolio_manager, meeting=meeting)
    assert not Meeting.objects.filter(pk=pk).exists()
    deleted = HistoryEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=str(pk),
        action=HistoryAction.DELETED,
    )
    assert deleted.actor == world.portfolio_manager
    assert deleted.snapshot["title"]["value"] == "Weekly status review"


def test_a_project_manager_plans_only_on_their_own_project(world: World) -> None:
    assert plan(world, actor=world.project_manager).pk
    with pytest.raises(NotFoundError):
        plan(world, actor=world.project_manager, project=world.sibling_project)
    with pytest.raises(ForbiddenError):
        plan(world, actor=world.viewer, project=world.sibling_project)
    assert not Meeting.objects.filter(project=world.sibling_project).exists()


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_meeting_must_end_after_it_starts(world: World, minutes: int) -> None:
    start = at(MONDAY, 10)
    with pytest.raises(ValidationError) as raised:
        plan(world, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes))
    assert errors_of(raised) == {"ends_at": ["A meeting must end after it starts."]}
    assert not Meeting.objects.exists()


def test_times_without_a_time_zone_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        plan(
            world,
            starts_at=dt.datetime(2026, 6, 15, 10),
            ends_at=dt.datetime(2026, 6, 15, 11),
        )
    errors = errors_of(raised)
    assert errors["starts_at"] == ["Give the time with its time zone."]
    assert errors["ends_at"] == ["Give the time with its time zone."]
    assert not Meeting.objects.exists()


def test_everyone_invited_must_be_able_to_see_the_project(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        plan(
            world,
            attendees=[world.viewer, world.outsider],
            optional_attendees=[world.nobody],
            organiser=world.outsider,
        )
    errors = errors_of(raised)
    assert errors["attendees"] == [f"{world.outsider.get_full_name()} cannot see the project CRM."]
    assert errors["optional_attendees"] == [
        f"{world.nobody.get_full_name()} cannot see the project CRM."
    ]
    assert errors["organiser"] == [f"{world.outsider.get_full_name()} cannot see the project CRM."]
    assert not Meeting.objects.exists()


def test_an_inactive_account_cannot_be_invited(world: World) -> None:
    world.viewer.is_active = False
    world.viewer.save()
    with pytest.raises(ValidationError) as raised:
        plan(world, attendees=[world.viewer])
    assert "cannot see the project CRM" in errors_of(raised)["attendees"][0]


def test_nobody_is_both_a_required_and_an_optional_attendee(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        plan(world, attendees=[world.viewer], optional_attendees=[world.viewer, world.pmo])
    assert errors_of(raised) == {
        "optional_attendees": ["Someone is both a required and an optional attendee."]
    }


def test_unreadable_guest_lines_are_quoted(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        plan(
            world,
            guests="Jane Roe <jane.roe@supplier.example>\nBob <bob at supplier>\nops@nowhere\n",
        )
    message = errors_of(raised)["guests"][0]
    assert "Bob <bob at supplier>" in message
    assert "ops@nowhere" in message
    assert "Jane Roe" not in message
    assert not Meeting.objects.exists()


def test_unknown_fields_are_refused(world: World) -> None:
    with pytest.raises(TypeError, match="sequence"):
        plan(world, sequence=4)
    meeting = plan(world)
    with pytest.raises(TypeError, match="status"):
        services.meeting_update(
            actor=world.project_manager, meeting=meeting, status=MeetingStatus.HELD
        )


# Series -----------------------------------------------------------------------------------------


def test_a_series_keeps_its_local_time_across_the_end_of_summer_time(world: World) -> None:
    # Summer time ends in Europe on Sunday 25 October 2026.
    meetings = services.meeting_series_create(
        actor=world.project_manager,
        project=world.project,
        count=3,
        title="Weekly status review",
        starts_at=at(dt.date(2026, 10, 20), 9, 30),
        ends_at=at(dt.date(2026, 10, 20), 10, 15),
        attendees=[world.viewer],
    )
    assert len(meetings) == 3
    local = [meeting.starts_at.astimezone(PARIS) for meeting in meetings]
    assert [moment.date() for moment in local] == [
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 3),
    ]
    assert {moment.time() for moment in local} == {dt.time(9, 30)}
    assert [meeting.starts_at.astimezone(dt.UTC).hour for meeting in meetings] == [7, 8, 8]
    assert {meeting.duration_minutes() for meeting in meetings} == {45}
    series = {meeting.series for meeting in meetings}
    assert len(series) == 1
    assert None not in series
    stored = Meeting.objects.filter(series=meetings[0].series)
    assert stored.count() == 3
    assert all(list(meeting.attendees.all()) == [world.viewer] for meeting in stored)


def test_a_series_every_other_week(world: World) -> None:
    meetings = services.meeting_series_create(
        actor=world.project_manager,
        project=world.project,
        count=4,
        every_weeks=2,
        title="Design authority",
        starts_at=at(MONDAY, 14),
        ends_at=at(MONDAY, 15),
    )
    assert [meeting.starts_at.date() for meeting in meetings] == [
        MONDAY + dt.timedelta(weeks=weeks) for weeks in (0, 2, 4, 6)
    ]


def test_a_single_meeting_planned_as_a_series_belongs_to_none(world: World) -> None:
    (meeting,) = services.meeting_series_create(
        actor=world.project_manager,
        project=world.project,
        count=1,
        title="Kick-off",
        starts_at=at(MONDAY, 9),
        ends_at=at(MONDAY, 12),
    )
    assert meeting.series is None


@pytest.mark.parametrize(
    ("count", "every_weeks", "field"),
    [
        (0, 1, "count"),
        (services.MAX_SERIES + 1, 1, "count"),
        (4, 0, "every_weeks"),
        (4, 53, "every_weeks"),
    ],
)
def test_a_series_out_of_range_plans_nothing(
    world: World, count: int, every_weeks: int, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.meeting_series_create(
            actor=world.project_manager,
            project=world.project,
            count=count,
            every_weeks=every_weeks,
            title="Weekly status review",
            starts_at=at(MONDAY, 10),
            ends_at=at(MONDAY, 11),
        )
    assert set(errors_of(raised)) == {field}
    assert not Meeting.objects.exists()


def test_a_series_with_a_bad_invitation_plans_none_of_its_meetings(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.meeting_series_create(
            actor=world.project_manager,
            project=world.project,
            count=6,
            title="Weekly status review",
            starts_at=at(MONDAY, 10),
            ends_at=at(MONDAY, 11),
            attendees=[world.viewer, world.outsider],
        )
    assert "attendees" in errors_of(raised)
    assert not Meeting.objects.exists()


def test_a_series_needs_change_on_the_project(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.meeting_series_create(
            actor=world.viewer,
            project=world.project,
            count=2,
            title="Weekly status review",
            starts_at=at(MONDAY, 10),
            ends_at=at(MONDAY, 11),
        )
    assert not Meeting.objects.exists()


# Changes and the revision calendars follow ------------------------------------------------------


def test_minutes_alone_leave_the_revision_but_what_calendars_show_raises_it(
    world: World,
) -> None:
    meeting = plan(world, attendees=[world.viewer], location="Room 1")
    services.meeting_update(actor=world.project_manager, meeting=meeting, minutes="Notes")
    services.meeting_update(actor=world.project_manager, meeting=meeting, location="Room 1")
    services.meeting_update(actor=world.project_manager, meeting=meeting, attendees=[world.viewer])
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    revisions = []
    for changes in (
        {"starts_at": at(MONDAY, 9, 30)},
        {"ends_at": at(MONDAY, 11, 30)},
        {"title": "Weekly status review (extended)"},
        {"location": "Room 2"},
        {"online_url": "https://meet.example.org/crm"},
        {"agenda": "Risks first"},
        {"attendees": [world.viewer, world.pmo]},
        {"optional_attendees": [world.finance]},
        {"organiser": world.pmo},
        {"guests": "Jane Roe <jane.roe@supplier.example>"},
    ):
        services.meeting_update(actor=world.project_manager, meeting=meeting, **changes)
        meeting.refresh_from_db()
        revisions.append(meeting.sequence)
    assert revisions == list(range(1, 11))
    assert set(meeting.attendees.all()) == {world.viewer, world.pmo}
    assert meeting.organiser == world.pmo


def test_a_change_that_fails_validation_is_not_saved(world: World) -> None:
    meeting = plan(world)
    with pytest.raises(ValidationError) as raised:
        services.meeting_update(actor=world.project_manager, meeting=meeting, ends_at=at(MONDAY, 9))
    assert "ends_at" in errors_of(raised)
    with pytest.raises(ValidationError) as raised:
        services.meeting_update(
            actor=world.project_manager, meeting=meeting, optional_attendees=[world.outsider]
        )
    assert "optional_attendees" in errors_of(raised)
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.ends_at == at(MONDAY, 11)
    assert stored.sequence == 0
    assert not stored.optional_attendees.exists()


def test_changes_are_in_the_history_with_old_and_new_values(world: World) -> None:
    meeting = plan(world, attendees=[world.viewer])
    services.meeting_update(
        actor=world.project_manager,
        meeting=meeting,
        title="Status review",
        attendees=[world.viewer, world.pmo],
    )
    entries = list(history_for(meeting))
    assert [entry.action for entry in entries] == [HistoryAction.UPDATED, HistoryAction.CREATED]
    assert all(entry.actor == world.project_manager for entry in entries)
    created = {change["field"] for change in entries[1].changes}
    assert {"title", "starts_at", "ends_at", "organiser", "attendees"} <= created
    changes = {change["field"]: change for change in entries[0].changes}
    assert set(changes) == {"title", "attendees"}
    assert (changes["title"]["old"], changes["title"]["new"]) == (
        "Weekly status review",
        "Status review",
    )
    assert changes["attendees"]["old"] == [world.viewer.pk]
    assert sorted(changes["attendees"]["new"]) == sorted([world.viewer.pk, world.pmo.pk])
    # The revision is bookkeeping, not a change someone made.
    assert all("sequence" not in fields for fields in changed_fields(meeting))


# Cancelling, reinstating and minutes ------------------------------------------------------------


def test_a_cancelled_meeting_keeps_its_reason_and_is_reinstated(world: World) -> None:
    meeting = plan(world)
    services.meeting_cancel(
        actor=world.project_manager, meeting=meeting, reason="  Public holiday  "
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancellation_reason == "Public holiday"
    assert meeting.sequence == 1
    with pytest.raises(ValidationError, match="Only a planned meeting can be cancelled"):
        services.meeting_cancel(actor=world.project_manager, meeting=meeting)
    services.meeting_reinstate(actor=world.project_manager, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.cancellation_reason == ""
    assert meeting.sequence == 2
    with pytest.raises(ValidationError, match="Only a cancelled meeting can be reinstated"):
        services.meeting_reinstate(actor=world.project_manager, meeting=meeting)
    statuses = [
        change["new"]
        for entry in reversed(list(history_for(meeting)))
        for change in entry.changes
        if change["field"] == "status"
    ]
    assert statuses == ["planned", "cancelled", "planned"]


def test_the_reason_for_cancelling_is_in_the_history(world: World) -> None:
    meeting = plan(world)
    services.meeting_cancel(actor=world.project_manager, meeting=meeting, reason="Sponsor away")
    latest = history_for(meeting).first()
    assert latest is not None
    reasons = [c["new"] for c in latest.changes if c["field"] == "cancellation_reason"]
    assert reasons == ["Sponsor away"]


def test_a_cancelled_meeting_changes_only_its_agenda_and_minutes(world: World) -> None:
    meeting = plan(world)
    services.meeting_cancel(actor=world.project_manager, meeting=meeting, reason="No quorum")
    with pytest.raises(ValidationError, match="Reinstate the cancelled meeting"):
        services.meeting_update(actor=world.project_manager, meeting=meeting, title="Moved")
    with pytest.raises(ValidationError, match="Reinstate the cancelled meeting"):
        services.meeting_update(
            actor=world.project_manager,
            meeting=meeting,
            agenda="Next time",
            starts_at=at(MONDAY, 14),
        )
    services.meeting_update(
        actor=world.project_manager, meeting=meeting, agenda="Carried over", minutes="None held"
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.agenda, meeting.minutes) == (
        "Weekly status review",
        "Carried over",
        "None held",
    )
    assert meeting.status == MeetingStatus.CANCELLED
    with pytest.raises(ValidationError, match="A cancelled meeting has no minutes"):
        services.meeting_record_minutes(
            actor=world.project_manager,
            meeting=meeting,
            minutes="We met anyway",
            now=at(MONDAY, 12),
        )


def test_minutes_are_recorded_once_the_meeting_has_started_and_mark_it_held(
    world: World,
) -> None:
    meeting = plan(world)
    with pytest.raises(ValidationError, match="has not started yet"):
        services.meeting_record_minutes(
            actor=world.project_manager,
            meeting=meeting,
            minutes="Too early",
            now=at(MONDAY, 9, 59),
        )
    with pytest.raises(ValidationError) as raised:
        services.meeting_record_minutes(
            actor=world.project_manager, meeting=meeting, minutes="  ", now=at(MONDAY, 11)
        )
    assert errors_of(raised) == {"minutes": ["Write the minutes."]}
    with pytest.raises(ForbiddenError):
        services.meeting_record_minutes(
            actor=world.viewer, meeting=meeting, minutes="Mine", now=at(MONDAY, 11)
        )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == (MeetingStatus.PLANNED, "")
    services.meeting_record_minutes(
        actor=world.project_manager,
        meeting=meeting,
        minutes="Go-live confirmed for 1 July.",
        now=at(MONDAY, 10),
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert meeting.minutes == "Go-live confirmed for 1 July."
    with pytest.raises(ValidationError, match="Only a planned meeting can be cancelled"):
        services.meeting_cancel(actor=world.project_manager, meeting=meeting)


def test_minutes_of_a_past_meeting_default_to_now(world: World) -> None:
    meeting = plan(world, day=dt.date(2020, 1, 6))
    services.meeting_record_minutes(actor=world.project_manager, meeting=meeting, minutes="Done")
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD
    future = plan(world, day=dt.date(2099, 1, 5))
    with pytest.raises(ValidationError, match="has not started yet"):
        services.meeting_record_minutes(
            actor=world.project_manager, meeting=future, minutes="Early"
        )


# Reading ----------------------------------------------------------------------------------------


def test_meeting_list_filters_and_follows_the_projects_one_may_see(world: World) -> None:
    status = plan(world, title="Weekly status review", location="Room 1")
    steering = plan(
        world,
        actor=world.pmo,
        title="Steering committee",
        kind=MeetingKind.STEERING_COMMITTEE,
        day=MONDAY + dt.timedelta(days=10),
        agenda="Budget re-forecast",
    )
    held = plan(world, title="Design workshop", day=MONDAY - dt.timedelta(days=7))
    services.meeting_record_minutes(
        actor=world.project_manager, meeting=held, minutes="Wireframes agreed", now=at(MONDAY, 8)
    )
    cancelled = plan(world, title="Retrospective", day=MONDAY + dt.timedelta(days=3))
    services.meeting_cancel(actor=world.project_manager, meeting=cancelled)
    sibling = plan(world, actor=world.pmo, project=world.sibling_project, title="HR sync")
    other = plan(world, actor=world.pmo, project=world.other_project, title="WMS sync")

    everything = [held, status, sibling, cancelled, steering]
    assert list(meeting_list(user=world.viewer)) == everything
    assert list(meeting_list(user=world.pmo)) == [held, status, sibling, other, cancelled, steering]
    assert list(meeting_list(user=world.project_manager)) == [held, status, cancelled, steering]
    assert list(meeting_list(user=world.outsider)) == [other]
    assert list(meeting_list(user=world.outsider, project=world.project)) == []
    assert list(meeting_list(user=world.nobody)) == []
    assert list(meeting_list(user=world.viewer, project=world.sibling_project)) == [sibling]
    # ``since`` keeps what has not ended by then, ``until`` what starts before it.
    assert list(meeting_list(user=world.viewer, since=at(MONDAY, 10, 30))) == [
        status,
        sibling,
        cancelled,
        steering,
    ]
    assert list(meeting_list(user=world.viewer, until=at(MONDAY, 10))) == [held]
    assert list(meeting_list(user=world.viewer, since=at(MONDAY, 0), until=at(MONDAY, 23))) == [
        status,
        sibling,
    ]
    assert list(meeting_list(user=world.viewer, status=MeetingStatus.HELD)) == [held]
    assert list(meeting_list(user=world.viewer, status=MeetingStatus.CANCELLED)) == [cancelled]
    assert list(meeting_list(user=world.viewer, kind=MeetingKind.STEERING_COMMITTEE)) == [steering]
    assert list(meeting_list(user=world.viewer, search="room 1")) == [status]
    assert list(meeting_list(user=world.viewer, search="re-forecast")) == [steering]
    assert list(meeting_list(user=world.viewer, search="wireframes")) == [held]
    assert list(meeting_list(user=world.viewer, search="steering")) == [steering]


def test_one_meeting_is_hidden_from_outsiders_and_changed_only_with_change(
    world: World,
) -> None:
    meeting = plan(world)
    assert meeting_get_for_user(meeting.pk, user=world.viewer) == meeting
    with pytest.raises(NotFoundError):
        meeting_get_for_user(meeting.pk, user=world.outsider)
    with pytest.raises(ForbiddenError):
        meeting_get_for_user(meeting.pk, user=world.viewer, action=Action.CHANGE)
    assert meeting_get_for_user(meeting.pk, user=world.project_manager, action=Action.CHANGE)
    with pytest.raises(NotFoundError):
        meeting_get_for_user(meeting.pk + 1000, user=world.admin)


def test_meetings_of_a_user_are_those_they_organise_or_are_invited_to(world: World) -> None:
    organised = plan(world, title="Organised", attendees=[world.project_manager])
    invited = plan(world, actor=world.pmo, title="Invited", attendees=[world.project_manager])
    optional = plan(
        world,
        actor=world.pmo,
        title="Optional",
        optional_attendees=[world.project_manager],
        day=MONDAY + dt.timedelta(days=1),
    )
    cancelled = plan(
        world,
        actor=world.pmo,
        title="Cancelled",
        attendees=[world.project_manager],
        day=MONDAY + dt.timedelta(days=2),
    )
    services.meeting_cancel(actor=world.pmo, meeting=cancelled, reason="Moved")
    past = plan(
        world,
        actor=world.pmo,
        title="Past",
        attendees=[world.project_manager],
        day=MONDAY - dt.timedelta(days=14),
    )
    plan(world, actor=world.pmo, title="Not invited", attendees=[world.viewer])
    plan(world, actor=world.pmo, project=world.sibling_project, title="Elsewhere")

    mine = list(meetings_of_user(world.project_manager))
    assert mine == [past, organised, invited, optional, cancelled]
    assert list(meetings_of_user(world.project_manager, since=at(MONDAY, 0))) == [
        organised,
        invited,
        optional,
        cancelled,
    ]
    assert [meeting.title for meeting in meetings_of_user(world.viewer)] == ["Not invited"]
    assert list(meetings_of_user(world.outsider)) == []


def test_meetings_of_a_project_one_no_longer_sees_leave_ones_list(world: World) -> None:
    guest = UserFactory(username="consultant")
    MembershipFactory(user=guest, role=Role.TEAM_MEMBER, project=world.project)
    meeting = plan(world, attendees=[guest])
    assert list(meetings_of_user(User.objects.get(pk=guest.pk))) == [meeting]
    Membership.objects.filter(user=guest).delete()
    assert list(meetings_of_user(User.objects.get(pk=guest.pk))) == []
