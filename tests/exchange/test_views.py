"""The import pages (upload, preview, mapping, confirm), the export downloads, the calendar
subscription, and who may use them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from icalendar import Calendar
from openpyxl import load_workbook

from pilotage.exchange import services
from pilotage.exchange.models import CalendarFeed, ImportRun, ImportStatus
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from tests.access import Access, AccessMixin
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures"
WAREHOUSE = (FIXTURES / "warehouse.xml").read_bytes()
TABLE = (
    "Nom de la tâche;Durée;Prédécesseurs;Début\n"
    "Étude;3j;;02/03/2026\n"
    "Devis;2j;1;\n"
    "Commande;deux jours;2;\n"
).encode("cp1252")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _import_run(world: World) -> ImportRun:
    return services.import_upload(actor=world.pmo, data=WAREHOUSE, file_name="warehouse.xml")


class TestAccess(AccessMixin):
    access = [
        Access("new import page", "get", lambda w: "/imports/new/", allowed=("pmo", "viewer")),
        Access(
            "project exchange tab",
            "get",
            lambda w: f"/projects/{w.project.pk}/exchange/",
            allowed=("pmo", "project_manager", "viewer"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "update upload",
            "post",
            lambda w: f"/projects/{w.project.pk}/exchange/",
            allowed=(),
            forbidden=("viewer",),
            hidden=("outsider",),
        ),
        Access(
            "export",
            "get",
            lambda w: f"/projects/{w.project.pk}/export/mspdi/",
            allowed=("pmo", "viewer"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "someone else's import",
            "get",
            lambda w: f"/imports/{_import_run(w).pk}/",
            allowed=("pmo",),
            hidden=("viewer", "project_manager"),
        ),
    ]


def test_new_project_from_a_file(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = client.post(
        "/imports/new/",
        {"file": SimpleUploadedFile("warehouse.xml", WAREHOUSE), "kind": "tasks"},
    )
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/"
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Microsoft Project XML" in page
    assert "5 of the 5 tasks" in page
    assert "Nothing has been written yet" in page
    assert not Project.objects.filter(code="WH").exists()
    response = client.post(
        f"/imports/{run.pk}/",
        {
            "action": "apply",
            "portfolio": world.portfolio.pk,
            "code": "WH",
            "name": "Warehouse move",
        },
    )
    project = Project.objects.get(code="WH")
    assert response["Location"] == f"/projects/{project.pk}/plan/"
    assert Task.objects.filter(project=project).count() == 5


def test_a_bad_file_is_reported_on_the_upload_page(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = client.post(
        "/imports/new/", {"file": SimpleUploadedFile("notes.xml", b"<html><body/></html>")}
    )
    assert response.status_code == 200
    assert "notes.xml" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_table_is_mapped_then_refused_until_bad_rows_are_skipped(
    client: Client, world: World
) -> None:
    client.force_login(world.pmo)
    client.post("/imports/new/", {"file": SimpleUploadedFile("taches.csv", TABLE), "kind": "tasks"})
    run = ImportRun.objects.get()
    assert run.kind == "tasks"
    columns = run.summary["table"]["columns"]
    assert columns == {"0": "name", "1": "duration", "2": "predecessors", "3": "start"}
    assert run.summary["bad_rows"] == 1
    assert "deux jours" in run.summary["row_errors"][0]["message"]
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Nom de la tâche" in page
    apply = {"action": "apply", "portfolio": world.portfolio.pk, "code": "TAB", "name": "Table"}
    response = client.post(f"/imports/{run.pk}/", apply)
    assert response.status_code == 200
    assert not Project.objects.filter(code="TAB").exists()
    response = client.post(f"/imports/{run.pk}/", {**apply, "skip_bad_rows": "on"})
    project = Project.objects.get(code="TAB")
    assert [task.name for task in Task.objects.filter(project=project).order_by("position")] == [
        "Étude",
        "Devis",
        "Commande",
    ]


def test_a_mapping_is_changed_and_saved(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    client.post("/imports/new/", {"file": SimpleUploadedFile("taches.csv", TABLE), "kind": "tasks"})
    run = ImportRun.objects.get()
    client.post(
        f"/imports/{run.pk}/",
        {
            "action": "remap",
            "column-0": "name",
            "column-1": "duration",
            "column-2": "",
            "column-3": "",
            "save_as": "Devis fournisseur",
        },
    )
    run.refresh_from_db()
    assert run.summary["table"]["columns"] == {"0": "name", "1": "duration"}
    client.post("/imports/new/", {"file": SimpleUploadedFile("b.csv", TABLE), "kind": "tasks"})
    second = ImportRun.objects.exclude(pk=run.pk).get()
    assert second.summary["table"]["columns"] == {"0": "name", "1": "duration"}


def test_discard(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    run = _import_run(world)
    client.post(f"/imports/{run.pk}/discard/")
    run.refresh_from_db()
    assert run.status == ImportStatus.DISCARDED


def test_exports_download_each_format(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    run = _import_run(world)
    project = services.import_apply(
        actor=world.pmo, run=run, portfolio=world.portfolio, code="WH"
    ).project
    xml = client.get(f"/projects/{project.pk}/export/mspdi/")
    assert xml["Content-Disposition"] == 'attachment; filename="wh.xml"'
    assert b"<Name>Survey racks</Name>" in xml.content
    workbook = load_workbook(io.BytesIO(client.get(f"/projects/{project.pk}/export/xlsx/").content))
    tasks = workbook["Tasks"]
    assert tasks["D1"].value == "Name"
    assert [tasks.cell(row, 4).value for row in range(2, 7)] == [
        "Preparation",
        "Survey racks",
        "Order crates",
        "Move",
        "Warehouse open",
    ]
    calendar = Calendar.from_ical(client.get(f"/projects/{project.pk}/export/ics/").content)
    summaries = sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    assert summaries == ["Deadline: WH: Warehouse open", "WH: Warehouse open"]
    plan = client.get(f"/projects/{project.pk}/export/json/")
    assert plan.json()["tasks"][0]["tasks"][0]["name"] == "Survey racks"
    assert client.get(f"/projects/{project.pk}/export/pdf/").status_code == 404


def test_project_list_exports_excel(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = client.get("/projects/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)}
    assert codes == set(Project.objects.values_list("code", flat=True))


def test_calendar_subscription_by_secret_address(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    assert "no subscription address" in client.get("/calendar/").content.decode()
    client.post("/calendar/")
    feed = CalendarFeed.objects.get(user=world.project_manager)
    page = client.get("/calendar/").content.decode()
    assert f"/calendar/{feed.token}.ics" in page
    client.logout()
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert Calendar.from_ical(response.content)["X-WR-CALNAME"]
    assert client.get("/calendar/not-the-token.ics").status_code == 404
    client.force_login(world.project_manager)
    old = feed.token
    client.post("/calendar/")
    assert client.get(f"/calendar/{old}.ics").status_code == 404


def test_an_imported_task_shows_its_resources_costs_and_custom_fields(
    client: Client, world: World
) -> None:
    client.force_login(world.pmo)
    project = services.import_apply(
        actor=world.pmo, run=_import_run(world), portfolio=world.portfolio, code="WH"
    ).project
    survey = Task.objects.get(project=project, uid=11)
    page = client.get(f"/tasks/{survey.pk}/").content.decode()
    assert "Cost centre" in page
    assert "CC-410" in page
    assert "Marc Petit · 100 %" in page
    assert "960.00 EUR" in page
    crates = Task.objects.get(project=project, uid=12)
    assert "Crates · 40 box" in client.get(f"/tasks/{crates.pk}/").content.decode()


def test_priority_and_manual_scheduling_are_edited_on_the_task_page(
    client: Client, world: World
) -> None:
    from tests.planning.helpers import plan_with_tasks

    client.force_login(world.pmo)
    task = plan_with_tasks(world)[1]
    client.post(
        f"/tasks/{task.pk}/",
        {
            "save_task": "1",
            "name": task.name,
            "duration": "1d",
            "constraint_type": "ASAP",
            "priority": "900",
            "is_manual": "on",
            "percent_complete": "0",
        },
    )
    task.refresh_from_db()
    assert (task.priority, task.is_manual, task.is_active) == (900, True, True)


def _meeting(world: World, title: str, cancelled: str = "", **values: object) -> int:
    """Plan a meeting of the world's project (or another), cancelled if a reason is given;
    gives its id."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from pilotage.collaboration.services import meeting_cancel, meeting_create

    start = dt.datetime(2026, 6, 16, 10, tzinfo=ZoneInfo("Europe/Paris"))
    chosen: dict[str, object] = {"actor": world.pmo, "project": world.project}
    chosen.update(values)
    meeting = meeting_create(
        title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1), **chosen
    )
    if cancelled:
        meeting_cancel(actor=world.pmo, meeting=meeting, reason=cancelled)
    return meeting.pk


def test_the_project_calendar_holds_its_meetings_and_no_other_projects(
    client: Client, world: World
) -> None:
    _meeting(world, "Steering committee", location="Board room")
    _meeting(world, "Design workshop", cancelled="Architect away")
    _meeting(world, "HR sync", project=world.sibling_project)
    _meeting(world, "WMS sync", project=world.other_project)
    client.force_login(world.viewer)
    calendar = Calendar.from_ical(client.get(f"/projects/{world.project.pk}/export/ics/").content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"CRM: Steering committee", "CRM: Design workshop"}
    assert str(events["CRM: Steering committee"]["LOCATION"]) == "Board room"
    assert str(events["CRM: Steering committee"]["TRANSP"]) == "OPAQUE"
    assert str(events["CRM: Design workshop"]["STATUS"]) == "CANCELLED"
    client.force_login(world.outsider)
    assert client.get(f"/projects/{world.project.pk}/export/ics/").status_code == 404


def test_the_personal_calendar_holds_the_meetings_one_is_invited_to(
    client: Client, world: World
) -> None:
    manager = world.project_manager
    _meeting(world, "Organised", actor=manager)
    invited = _meeting(world, "Invited", attendees=[manager, world.viewer])
    _meeting(world, "Optional", optional_attendees=[manager])
    _meeting(world, "Called off", cancelled="Sponsor away", attendees=[manager])
    _meeting(world, "Not invited", attendees=[world.viewer])
    _meeting(world, "Elsewhere", project=world.sibling_project, attendees=[world.viewer])
    feed = services.calendar_feed_reset(actor=manager)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"CRM: Organised", "CRM: Invited", "CRM: Optional", "CRM: Called off"}
    assert str(events["CRM: Called off"]["STATUS"]) == "CANCELLED"
    assert str(events["CRM: Invited"]["STATUS"]) == "CONFIRMED"
    assert str(events["CRM: Invited"]["URL"]) == f"http://testserver/meetings/{invited}/"
    addresses = [str(address) for address in events["CRM: Invited"]["ATTENDEE"]]
    assert f"mailto:{manager.email}" in addresses
    viewer_feed = services.calendar_feed_reset(actor=world.viewer)
    calendar = Calendar.from_ical(client.get(f"/calendar/{viewer_feed.token}.ics").content)
    assert sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT")) == [
        "CRM: Invited",
        "CRM: Not invited",
        "HR: Elsewhere",
    ]
