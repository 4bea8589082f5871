"""Import of timesheets from CSV or Excel: weeks grouped per person, French headers and decimal
commas, unknown people and tasks, timesheet rules as row errors, skipping, submitting, pages
and API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from pilotage.core.errors import ForbiddenError
from pilotage.finance import timesheet_import, timesheets
from pilotage.finance.models import Timesheet, TimesheetEntry, TimesheetStatus
from pilotage.resources.models import Resource
from tests.access import Access, AccessMixin
from tests.finance.factories_timesheets import MONDAY, Team, team
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def crew(world: World) -> Team:
    made = team(world)
    Resource.objects.filter(pk=made.alice.pk).update(email="alice@example.com")
    return made


def _day(offset: int) -> str:
    return f"{MONDAY + dt.timedelta(days=offset):%d/%m/%Y}"


def _french(*rows: str) -> bytes:
    header = "Personne;Code projet;Tâche;Date;Heures;Commentaire"
    return "\n".join([header, *rows, ""]).encode("utf-8")


def _preview(
    actor: object, content: bytes, name: str = "temps.csv"
) -> timesheet_import.TimesheetImportPreview:
    return timesheet_import.timesheet_import_preview(actor=actor, name=name, content=content)


def _minutes(crew: Team) -> dict[tuple[str, str], int]:
    return {
        (entry.task.name, entry.date.isoformat()): entry.minutes
        for entry in TimesheetEntry.objects.filter(timesheet__resource=crew.alice).select_related(
            "task"
        )
    }


def test_rows_are_grouped_by_person_and_week_with_french_headers(world: World, crew: Team) -> None:
    content = _french(
        f"Alice Martin;CRM;Build;{_day(0)};7,5;analyse",
        f"alice@example.com;crm;{crew.build.position};{_day(1)};7h30;",
        f"Alice Martin;HR;Specify;{_day(1)};0,5;",
        f"Alice Martin;CRM;Build;{_day(7)};8;",
    )
    preview = _preview(world.pmo, content)
    assert preview.mapping == {
        0: "person",
        1: "project",
        2: "task",
        3: "date",
        4: "hours",
        5: "note",
    }
    assert preview.errors == []
    assert [(week.resource, week.week_start) for week in preview.weeks] == [
        (crew.alice, MONDAY),
        (crew.alice, MONDAY + dt.timedelta(days=7)),
    ]
    assert not Timesheet.objects.exists()
    written = timesheet_import.timesheet_import_apply(actor=world.pmo, preview=preview)
    assert len(written) == 2
    assert _minutes(crew) == {
        ("Build", f"{MONDAY:%Y-%m-%d}"): 450,
        ("Build", f"{MONDAY + dt.timedelta(days=1):%Y-%m-%d}"): 450,
        ("Specify", f"{MONDAY + dt.timedelta(days=1):%Y-%m-%d}"): 30,
        ("Build", f"{MONDAY + dt.timedelta(days=7):%Y-%m-%d}"): 480,
    }
    assert TimesheetEntry.objects.get(date=MONDAY).note == "analyse"
    assert {sheet.status for sheet in written} == {TimesheetStatus.DRAFT}


def test_the_files_hours_replace_the_same_day_and_keep_the_others(world: World, crew: Team) -> None:
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    timesheets.timesheet_save(
        actor=crew.user,
        timesheet=sheet,
        rows=[
            timesheets.TimesheetRow(
                task=crew.build, days={MONDAY: 60, MONDAY + dt.timedelta(days=2): 120}
            )
        ],
    )
    preview = _preview(crew.user, _french(f"Alice Martin;CRM;Build;{_day(0)};3;"))
    timesheet_import.timesheet_import_apply(actor=crew.user, preview=preview)
    assert sorted(_minutes(crew).values()) == [120, 180]


def test_unknown_person_and_task_are_row_errors_and_skip_keeps_the_rest(
    world: World, crew: Team
) -> None:
    content = _french(
        f"Alice Martin;CRM;Build;{_day(0)};7,5;",
        f"Inconnu;CRM;Build;{_day(1)};2;",
        f"Alice Martin;CRM;Nope;{_day(2)};2;",
    )
    preview = _preview(world.pmo, content)
    messages = [(error.row, error.column, error.message) for error in preview.errors]
    assert [(row, column) for row, column, _ in messages] == [(3, "Personne"), (4, "Tâche")]
    assert "Unknown person 'Inconnu'" in messages[0][2]
    assert "Unknown task 'Nope' in project CRM" in messages[1][2]
    with pytest.raises(ValidationError):
        timesheet_import.timesheet_import_apply(actor=world.pmo, preview=preview)
    assert not TimesheetEntry.objects.exists()
    timesheet_import.timesheet_import_apply(actor=world.pmo, preview=preview, skip_errors=True)
    assert list(_minutes(crew).values()) == [450]


def test_a_locked_period_and_more_than_24_hours_are_row_errors_naming_the_rule(
    world: World, crew: Team
) -> None:
    timesheets.period_lock_create(
        actor=world.pmo,
        start=MONDAY + dt.timedelta(days=7),
        finish=MONDAY + dt.timedelta(days=13),
        reason="Closed",
    )
    content = _french(
        f"Alice Martin;CRM;Build;{_day(0)};20;",
        f"Alice Martin;HR;Specify;{_day(0)};5;",
        f"Alice Martin;CRM;Build;{_day(8)};8;",
        f"Alice Martin;CRM;Build;{_day(15)};8;",
    )
    preview = _preview(world.pmo, content)
    by_row = {error.row: error.message for error in preview.errors}
    assert sorted(by_row) == [2, 3, 4]
    assert "no more than 24 hours" in by_row[2]
    assert "locked period" in by_row[4]
    assert not Timesheet.objects.exists()
    written = timesheet_import.timesheet_import_apply(
        actor=world.pmo, preview=preview, skip_errors=True, submit=True
    )
    assert [sheet.week_start for sheet in written] == [MONDAY + dt.timedelta(days=14)]
    assert written[0].status == TimesheetStatus.SUBMITTED


def test_a_submitted_week_cannot_take_imported_time(world: World, crew: Team) -> None:
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    timesheets.timesheet_save(
        actor=crew.user,
        timesheet=sheet,
        rows=[timesheets.TimesheetRow(task=crew.build, days={MONDAY: 60})],
    )
    timesheets.timesheet_submit(actor=crew.user, timesheet=sheet)
    preview = _preview(crew.user, _french(f"Alice Martin;CRM;Build;{_day(1)};3;"))
    assert "can no longer be changed" in preview.errors[0].message


def test_a_person_imports_only_their_own_rows(world: World, crew: Team) -> None:
    bob = Resource.objects.create(name="Bob Durand")
    content = _french(f"Bob Durand;CRM;Build;{_day(0)};2;")
    preview = _preview(crew.user, content)
    assert "You may only fill in your own timesheets" in preview.errors[0].message
    assert bob.pk
    with pytest.raises(ForbiddenError):
        _preview(world.viewer, content)


def test_an_excel_workbook_with_english_headers(world: World, crew: Team) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Resource", "Project", "Task", "Date", "Hours", "Comment"])
    sheet.append(["Alice Martin", "CRM", "Build", dt.datetime.combine(MONDAY, dt.time()), 7.5, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _preview(world.pmo, buffer.getvalue(), "time.xlsx")
    assert preview.errors == []
    assert preview.total_minutes == 450


# Pages and API --------------------------------------------------------------------------------


def test_upload_preview_and_apply_with_submit_in_the_browser(
    client: Client, world: World, crew: Team
) -> None:
    client.force_login(world.pmo)
    assert "/timesheets/import/" in client.get("/timesheets/approvals/").content.decode()
    upload = SimpleUploadedFile("temps.csv", _french(f"Alice Martin;CRM;Build;{_day(0)};7,5;"))
    response = client.post("/timesheets/import/", {"file": upload})
    assert response.status_code == 302, response.content
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Submit the imported weeks" in page.content.decode()
    done = client.post(preview_url + "apply/", {"submit": "1"})
    assert done.status_code == 302
    assert Timesheet.objects.get().status == TimesheetStatus.SUBMITTED


def test_api_dry_run_then_apply(client: Client, world: World, crew: Team) -> None:
    client.force_login(world.pmo)
    content = _french(f"Alice Martin;CRM;Build;{_day(0)};7,5;", f"X;CRM;Build;{_day(1)};1;")
    dry = client.post("/api/v1/timesheets/import", {"file": SimpleUploadedFile("t.csv", content)})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["valid_rows"], body["error_rows"], body["weeks"]) == (1, 1, 1)
    assert not Timesheet.objects.exists()
    refused = client.post(
        "/api/v1/timesheets/import",
        {"file": SimpleUploadedFile("t.csv", content), "dry_run": False},
    )
    assert refused.status_code == 422
    applied = client.post(
        "/api/v1/timesheets/import",
        {"file": SimpleUploadedFile("t.csv", content), "dry_run": False, "skip_errors": True},
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["timesheet_ids"] == [Timesheet.objects.get().pk]


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("viewer", 403), ("nobody", 403), ("pmo", 200)]
)
def test_api_access(client: Client, world: World, who: str | None, status: int) -> None:
    if who:
        client.force_login(world.user(who))
    content = _french(f"Alice Martin;CRM;Build;{_day(0)};7,5;")
    response = client.post(
        "/api/v1/timesheets/import", {"file": SimpleUploadedFile("t.csv", content)}
    )
    assert response.status_code == status, response.content


class TestTimesheetImportAccess(AccessMixin):
    access = [
        Access(
            "upload",
            "get",
            lambda w: "/timesheets/import/",
            allowed=("pmo", "admin"),
            forbidden=("viewer", "nobody", "project_manager"),
        ),
    ]
