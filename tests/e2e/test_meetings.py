"""A project manager plans a weekly meeting in a browser; the invited team member finds it in
"My meetings", downloads it for their calendar and sees the series, then one cancelled meeting,
in their calendar subscription."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.accounts.models import Membership, Role, User
from pilotage.collaboration.models import Meeting
from tests.factories import PortfolioFactory, ProjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Any) -> None:
    page.context.clear_cookies()


def _events(data: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_plan_a_weekly_meeting_and_find_it_in_the_invited_persons_calendar(
    page: Any, tmp_path: Path
) -> None:
    User.objects.create_user(
        "pm", "claire@example.org", "pm-password", first_name="Claire", last_name="Martin"
    )
    alice = User.objects.create_user(
        "alice", "alice@example.org", "alice-password", first_name="Alice", last_name="Durand"
    )
    crm = ProjectFactory(portfolio=PortfolioFactory(code="CORP"), code="CRM", name="New CRM")
    Membership.objects.create(
        user=User.objects.get(username="pm"), role=Role.PROJECT_MANAGER, project=crm
    )
    Membership.objects.create(user=alice, role=Role.TEAM_MEMBER, project=crm)
    first = timezone.localdate() + dt.timedelta(days=7)

    _sign_in(page, "pm", "pm-password")
    page.goto(f"/projects/{crm.pk}/meetings/")
    page.get_by_role("link", name="Plan a meeting").click()
    page.get_by_label("Title").fill("Weekly status")
    page.get_by_label("Date", exact=True).fill(first.isoformat())
    page.get_by_label("Starts at").fill("09:30")
    page.get_by_label("Ends at").fill("10:00")
    page.get_by_label("Repeat").select_option(label="Every week")
    page.get_by_label("Number of meetings").fill("4")
    page.get_by_label("Location").fill("Room 4.2")
    page.get_by_label("Attendees", exact=True).select_option(label="Alice Durand (alice)")
    page.get_by_label("Guests").fill("Paul Roux <paul.roux@supplier.example>")
    page.get_by_label("Agenda").fill("1. Progress\n2. Risks")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("meeting-series")).to_contain_text("meeting 1 of 4")
    assert Meeting.objects.filter(project=crm).count() == 4
    _sign_out(page)

    _sign_in(page, "alice", "alice-password")
    page.goto("/meetings/")
    rows = page.locator("tbody tr", has_text="Weekly status")
    expect(rows).to_have_count(4)
    rows.first.get_by_role("link", name="Weekly status").click()
    expect(page.get_by_test_id("meeting-when")).to_contain_text("09:30")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    saved = tmp_path / "meeting.ics"
    download_info.value.save_as(saved)
    (event,) = _events(saved.read_bytes())
    assert str(event["SUMMARY"]) == "CRM: Weekly status"
    assert event.decoded("DTSTART") == timezone.make_aware(
        dt.datetime.combine(first, dt.time(9, 30)), timezone.get_current_timezone()
    )
    assert str(event["ORGANIZER"]) == "mailto:claire@example.org"
    assert {str(a) for a in event["ATTENDEE"]} == {
        "mailto:alice@example.org",
        "mailto:paul.roux@supplier.example",
    }

    page.goto("/calendar/")
    page.get_by_role("button", name="Create my subscription address").click()
    address = page.get_by_label("Subscription address").input_value()
    feed = page.request.get(address)
    assert feed.ok
    meetings = [e for e in _events(feed.body()) if str(e["UID"]).startswith("meeting-")]
    assert len(meetings) == 4
    assert {str(e["STATUS"]) for e in meetings} == {"CONFIRMED"}
    _sign_out(page)

    _sign_in(page, "pm", "pm-password")
    second = Meeting.objects.filter(project=crm).order_by("starts_at")[1]
    page.goto(f"/meetings/{second.pk}/")
    page.get_by_label("Reason").fill("Public holiday")
    page.get_by_role("button", name="Cancel the meeting").click()
    expect(page.get_by_test_id("cancellation")).to_contain_text("Public holiday")

    # The subscription needs no sign-in: the calendar program reads it with the secret alone.
    _sign_out(page)
    meetings = {
        str(e["UID"]): e
        for e in _events(page.request.get(address).body())
        if str(e["UID"]).startswith("meeting-")
    }
    cancelled = meetings[f"meeting-{second.pk}@pilotage"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1
    assert sum(str(e["STATUS"]) == "CONFIRMED" for e in meetings.values()) == 3
