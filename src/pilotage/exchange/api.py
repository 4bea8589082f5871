"""REST operations for imports (upload, preview, column mapping, apply), project exports and
the caller's calendar subscription.

An import is two calls: ``POST /imports`` with the file answers the preview (counts, warnings,
the dates check, the changes an update would make, a table's columns and row errors) and writes
nothing; ``POST /imports/{id}/apply`` writes it all, or nothing if anything fails.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from pilotage.accounts.permissions import Action
from pilotage.core.api import ApiRequest, responses
from pilotage.exchange import exports, selectors, services
from pilotage.exchange.models import ImportKind, ImportRun
from pilotage.interop.formats import FORMAT_LABELS
from pilotage.portfolio.selectors import (
    portfolio_get_for_user,
    programme_get_for_user,
    project_get_for_user,
)

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: int
    file_name: str
    file_size: int
    format: str = Field(..., description="The kind of file found: mspdi, gan, xer, jira-csv ...")
    format_label: str
    kind: str = Field(..., description="project, tasks (a table of tasks) or resources.")
    mode: str = Field(..., description="new (a new project) or update (the given project).")
    status: str = Field(..., description="preview, applied or discarded.")
    project_id: int | None
    created_at: Any
    applied_at: Any | None
    summary: dict[str, Any] = Field(
        ...,
        description=(
            "counts (tasks, links, resources, assignments, calendars), warnings, dates (the "
            "dates check: compared, agreeing, differences with their reason), changes (for an "
            "update: added, updated, removed), and for a table: table (headers, columns, "
            "fields), row_errors, bad_rows, unmapped_required."
        ),
    )


def _import_out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "file_name": run.file_name,
        "file_size": run.file_size,
        "format": run.format,
        "format_label": gettext(FORMAT_LABELS.get(run.format, run.format)),
        "kind": run.kind,
        "mode": run.mode,
        "status": run.status,
        "project_id": run.project_id,
        "created_at": run.created_at,
        "applied_at": run.applied_at,
        "summary": run.summary,
    }


class ApplyIn(Schema):
    portfolio_id: int | None = Field(None, description="For a new project: its portfolio.")
    programme_id: int | None = Field(None, description="For a new project: its programme.")
    code: str = Field("", description="For a new project: its code.")
    name: str = Field("", description="For a new project: its name (the file's by default).")
    skip_bad_rows: bool = Field(False, description="Import a table's good rows, skip the bad.")


class ApplyOut(Schema):
    project_id: int
    project_code: str
    tasks: int
    links: int
    resources_created: int
    assignments: int


class MappingIn(Schema):
    columns: dict[str, str] = Field(
        ..., description="Column index (from 0, as text) to field key; an empty key ignores it."
    )
    sheet: str | None = Field(None, description="The workbook's sheet to read.")


class FeedOut(Schema):
    url: str = Field(..., description="The calendar subscription address (it holds a secret).")
    created_at: Any
    last_used_at: Any | None


@router.post(
    "/imports",
    response=responses(201, ImportOut),
    summary="Upload a file and get its preview",
)
def import_upload(
    request: ApiRequest,
    file: File[UploadedFile],
    project_id: Form[int | None] = None,
    kind: Form[str] = ImportKind.TASKS,
) -> Status[Any]:
    """Any format Pilotage imports (see `format` in the answer). With `project_id` the file will
    update that project (tasks matched by UID; needs Change on it), without it the file will
    become a new project. `kind` says what a spreadsheet's rows are: `tasks` or `resources`.
    Nothing is written until `apply`."""
    project = (
        project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)
        if project_id is not None
        else None
    )
    run = services.import_upload(
        actor=request.auth,
        data=file.read(),
        file_name=file.name or "upload",
        project=project,
        kind=kind,
    )
    return Status(201, _import_out(run))


@router.get("/imports/{import_id}", response=responses(200, ImportOut), summary="Get an import")
def import_detail(request: ApiRequest, import_id: int) -> Any:
    return _import_out(selectors.import_get_for_user(import_id, user=request.auth))


@router.post(
    "/imports/{import_id}/mapping",
    response=responses(200, ImportOut),
    summary="Map a table's columns to fields",
)
def import_mapping(request: ApiRequest, import_id: int, payload: MappingIn) -> Any:
    """Reads the table again with these columns and answers the new preview."""
    run = selectors.import_get_for_user(import_id, user=request.auth)
    services.import_remap(actor=request.auth, run=run, columns=payload.columns, sheet=payload.sheet)
    return _import_out(run)


@router.post(
    "/imports/{import_id}/apply",
    response=responses(200, ApplyOut),
    summary="Write an import",
)
def import_apply(request: ApiRequest, import_id: int, payload: ApplyIn) -> Any:
    """All or nothing: a failure writes nothing and names the problem."""
    run = selectors.import_get_for_user(import_id, user=request.auth)
    portfolio = (
        portfolio_get_for_user(payload.portfolio_id, user=request.auth)
        if payload.portfolio_id is not None
        else None
    )
    programme = (
        programme_get_for_user(payload.programme_id, user=request.auth)
        if payload.programme_id is not None
        else None
    )
    result = services.import_apply(
        actor=request.auth,
        run=run,
        portfolio=portfolio,
        programme=programme,
        code=payload.code,
        name=payload.name,
        skip_bad_rows=payload.skip_bad_rows,
    )
    return {
        "project_id": result.project.pk,
        "project_code": result.project.code,
        "tasks": result.tasks,
        "links": result.links,
        "resources_created": result.resources_created,
        "assignments": result.assignments,
    }


@router.post(
    "/imports/{import_id}/discard",
    response=responses(204, None),
    summary="Discard an import",
)
def import_discard(request: ApiRequest, import_id: int) -> Status[None]:
    run = selectors.import_get_for_user(import_id, user=request.auth)
    services.import_discard(actor=request.auth, run=run)
    return Status(204, None)


@router.get(
    "/projects/{project_id}/export",
    tags=["projects"],
    summary="Download a project as a file",
    response={200: None},
    openapi_extra={
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": list(exports.EXPORT_FORMATS)},
                "description": "mspdi (Microsoft Project XML, the default), xlsx, ics or json.",
            }
        ]
    },
)
def project_export(request: ApiRequest, project_id: int, format: str = "mspdi") -> HttpResponse:
    """The plan with its calendars, baselines, resources and assignments."""
    project = project_get_for_user(project_id, user=request.auth)
    if format not in exports.EXPORT_FORMATS:
        raise ValidationError({"format": [f"Choose one of {', '.join(exports.EXPORT_FORMATS)}."]})
    exported = exports.project_export(
        actor=request.auth,
        project=project,
        format=format,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    return response


@router.post(
    "/calendar-feed",
    tags=["users"],
    response=responses(200, FeedOut),
    summary="Make the caller a new calendar subscription address",
)
def calendar_feed_reset(request: ApiRequest) -> Any:
    """Any earlier address stops working."""
    feed = services.calendar_feed_reset(actor=request.auth)
    return {
        "url": request.build_absolute_uri(reverse("exchange:calendar_feed", args=[feed.token])),
        "created_at": feed.created_at,
        "last_used_at": feed.last_used_at,
    }
