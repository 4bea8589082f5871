"""Imports and exports through the API: upload and preview, map columns, apply, download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pilotage.exchange.models import CalendarFeed, ImportRun
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from tests.api.client import ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db

WAREHOUSE = (Path(__file__).parent.parent / "exchange" / "fixtures" / "warehouse.xml").read_bytes()


def _upload(client: Client, data: bytes, name: str, **fields: object) -> object:
    return client.post("/api/v1/imports", {"file": SimpleUploadedFile(name, data), **fields})


def test_upload_preview_apply_and_export(client: Client, world: World, api: ApiFactory) -> None:
    client.force_login(world.pmo)
    response = _upload(client, WAREHOUSE, "warehouse.xml")
    assert response.status_code == 201, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["format"], body["mode"], body["status"]) == ("mspdi", "new", "preview")
    assert body["summary"]["counts"]["tasks"] == 5
    assert body["summary"]["dates"]["agreeing"] == 5
    assert not Task.objects.exists()
    session = api(world.pmo)
    applied = session.post(
        f"/imports/{body['id']}/apply",
        {"portfolio_id": world.portfolio.pk, "code": "WH", "name": "Warehouse"},
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["tasks"] == 5
    project = Project.objects.get(code="WH")
    assert applied.json()["project_id"] == project.pk
    assert session.get(f"/imports/{body['id']}").json()["status"] == "applied"
    exported = session.get(f"/projects/{project.pk}/export", format="mspdi")
    assert exported.status_code == 200
    assert b"<Name>Order crates</Name>" in exported.content
    assert session.get(f"/projects/{project.pk}/export", format="xlsx").status_code == 200
    wrong = session.get(f"/projects/{project.pk}/export", format="docx")
    assert error_of(wrong)["fields"]


def test_update_preview_lists_the_changes(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    first = _upload(client, WAREHOUSE, "warehouse.xml").json()  # type: ignore[attr-defined]
    client.post(
        f"/api/v1/imports/{first['id']}/apply",
        {"portfolio_id": world.portfolio.pk, "code": "WH"},
        content_type="application/json",
    )
    project = Project.objects.get(code="WH")
    smaller = WAREHOUSE.replace(b"<Name>Move</Name>", b"<Name>Relocate</Name>")
    body = _upload(client, smaller, "v2.xml", project_id=project.pk).json()  # type: ignore[attr-defined]
    assert body["mode"] == "update"
    assert body["summary"]["changes"]["updated"] == ["20 Relocate"]


def test_a_viewer_cannot_update_a_project(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = _upload(client, WAREHOUSE, "w.xml", project_id=world.project.pk)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not ImportRun.objects.exists()


def test_a_malformed_file_is_a_422_naming_it(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = _upload(
        client, b"<Project xmlns='http://schemas.microsoft.com/project'><Tasks>", "cut.xml"
    )
    error = error_of(response)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "cut.xml" in error["message"]


def test_map_a_table_then_apply_skipping_bad_rows(
    client: Client, world: World, api: ApiFactory
) -> None:
    client.force_login(world.pmo)
    table = b"Task,Length,Start\nSurvey,2d,2026-03-02\nBuild,3x,\n"
    body = _upload(client, table, "plan.csv", kind="tasks").json()  # type: ignore[attr-defined]
    assert body["kind"] == "tasks"
    assert body["summary"]["unmapped_required"] == []
    session = api(world.pmo)
    mapped = session.post(
        f"/imports/{body['id']}/mapping", {"columns": {"0": "name", "1": "duration"}}
    )
    assert mapped.json()["summary"]["table"]["columns"] == {"0": "name", "1": "duration"}
    assert mapped.json()["summary"]["bad_rows"] == 1
    refused = session.post(
        f"/imports/{body['id']}/apply", {"portfolio_id": world.portfolio.pk, "code": "T"}
    )
    assert refused.status_code == 422
    assert "skip" in error_of(refused)["message"]
    done = session.post(
        f"/imports/{body['id']}/apply",
        {"portfolio_id": world.portfolio.pk, "code": "T", "skip_bad_rows": True},
    )
    assert done.status_code == 200, done.content
    assert list(Task.objects.filter(project__code="T").values_list("name", flat=True)) == [
        "Survey",
        "Build",
    ]


def test_another_users_import_is_not_found(client: Client, world: World, api: ApiFactory) -> None:
    client.force_login(world.pmo)
    body = _upload(client, WAREHOUSE, "warehouse.xml").json()  # type: ignore[attr-defined]
    assert api(world.viewer).get(f"/imports/{body['id']}").status_code == 404


def test_calendar_feed_address(api: ApiFactory, world: World) -> None:
    response = api(world.viewer).post("/calendar-feed")
    feed = CalendarFeed.objects.get(user=world.viewer)
    assert response.json()["url"].endswith(f"/calendar/{feed.token}.ics")
