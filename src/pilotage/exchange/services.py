"""Imports and exports of projects: read a file, show what it holds, then write it all or nothing.

An import has two steps. :func:`import_upload` reads the file and stores it with a summary
(counts, warnings, the dates check, the changes an update would make, row errors for a table);
nothing of the project is written. :func:`import_apply` then writes everything in one
transaction: if anything fails, nothing is saved. :func:`project_export` writes a project as
Microsoft Project XML, Excel, iCalendar or a Pilotage plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require
from pilotage.core.bulk import collection_paused
from pilotage.exchange.models import (
    CalendarFeed,
    ColumnMapping,
    ImportKind,
    ImportMode,
    ImportRun,
    ImportStatus,
    new_feed_token,
)
from pilotage.exchange.tables import mapping_by_header, table_document, table_summary
from pilotage.interop.dates import check_dates
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.formats import (
    TABLE_FORMATS,
    detect_format,
    read_project_file,
)
from pilotage.planning.documents import plan_changes, plan_load_document
from pilotage.planning.models import WorkCalendar
from pilotage.planning.services import batch_scheduling
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.portfolio.services import project_create
from pilotage.resources.services import assignments_load_document

__all__ = [
    "MAX_UPLOAD_BYTES",
    "ImportResult",
    "import_apply",
    "import_discard",
    "import_read",
    "import_upload",
]

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
"""The largest file accepted (100 MiB)."""

_LISTED = 200


def _file_error(error: PlanFileError) -> ValidationError:
    return ValidationError(str(error), code="invalid_file")


def import_read(run: ImportRun) -> ProjectDocument:
    """The document of a stored import: the one its preview was made from when this process
    still holds it, else read again from its file."""
    data = bytes(run.content)
    key = _document_key(run, data)
    document = _kept_document(key) if key is not None else None
    if document is not None:
        return document
    try:
        if run.format in TABLE_FORMATS or run.kind != ImportKind.PROJECT:
            return table_document(run, data)
        document = read_project_file(data, run.file_name, format=run.format)
    except PlanFileError as error:
        raise _file_error(error) from error
    if key is not None:
        _keep_document(key, len(data), document)
    return document


# Reading a 10,000-task file takes about a second, and the confirmation of an import would read
# it again. The documents of the last few previews are kept in this process instead (about the
# size of their files in memory); another process (a server has several workers) reads the
# stored file again, which gives the same document: reading depends only on the file's bytes,
# name and format, which the key holds. Tables are always read again: their columns may follow
# a saved mapping changed meanwhile.
_KEPT_DOCUMENTS = 4
_KEPT_BYTES = 128 * 1024 * 1024
_kept: OrderedDict[tuple[int, str], tuple[int, ProjectDocument]] = OrderedDict()
_kept_lock = threading.Lock()


def _document_key(run: ImportRun, data: bytes) -> tuple[int, str] | None:
    if run.pk is None or run.kind != ImportKind.PROJECT or run.format in TABLE_FORMATS:
        return None
    digest = hashlib.sha256(data)
    digest.update(f"\0{run.format}\0{run.file_name}".encode())
    return run.pk, digest.hexdigest()


def _kept_document(key: tuple[int, str]) -> ProjectDocument | None:
    with _kept_lock:
        kept = _kept.get(key)
        if kept is None:
            return None
        _kept.move_to_end(key)
        return kept[1]


def _keep_document(key: tuple[int, str], size: int, document: ProjectDocument) -> None:
    with _kept_lock:
        _kept[key] = (size, document)
        _kept.move_to_end(key)
        while len(_kept) > _KEPT_DOCUMENTS or (
            len(_kept) > 1 and sum(size for size, _document in _kept.values()) > _KEPT_BYTES
        ):
            _kept.popitem(last=False)


def _forget_document(run: ImportRun) -> None:
    with _kept_lock:
        for key in [key for key in _kept if key[0] == run.pk]:
            del _kept[key]


def _summary(document: ProjectDocument, project: Project | None, mode: str) -> dict[str, Any]:
    counts = document.counts()
    check = check_dates(document.plan)
    summary: dict[str, Any] = {
        "name": document.plan.name,
        "counts": counts,
        "warnings": list(document.warnings[:_LISTED]),
        "more_warnings": max(len(document.warnings) - _LISTED, 0),
        "start": document.plan.start.isoformat() if document.plan.start else None,
        "finish": document.plan.finish.isoformat() if document.plan.finish else None,
        "null_tasks": document.null_tasks,
        "baselines": sorted(
            {b.number for d in document.task_details.values() for b in d.baselines}
        ),
        "custom_fields": len(document.custom_fields),
        "dates": {
            "compared": check.compared,
            "agreeing": check.agreeing,
            "error": check.error,
            "reasons": check.reasons,
            "more": check.more,
            "differences": [
                {
                    "uid": item.uid,
                    "id": item.id,
                    "name": item.name,
                    "file_start": item.file_start.isoformat() if item.file_start else None,
                    "file_finish": item.file_finish.isoformat() if item.file_finish else None,
                    "start": item.start.isoformat(),
                    "finish": item.finish.isoformat(),
                    "reason": item.reason,
                }
                for item in check.differences[:_LISTED]
            ],
        },
    }
    if project is not None and mode == ImportMode.UPDATE:
        changes = plan_changes(project, document)
        summary["changes"] = {
            "added": changes.added[:_LISTED],
            "updated": changes.updated[:_LISTED],
            "removed": changes.removed[:_LISTED],
            "added_count": len(changes.added),
            "updated_count": len(changes.updated),
            "removed_count": len(changes.removed),
            "unchanged": changes.unchanged,
        }
    return summary


@collection_paused()
@transaction.atomic
def import_upload(
    *,
    actor: User,
    data: bytes,
    file_name: str,
    project: Project | None = None,
    kind: str = ImportKind.PROJECT,
    options: Mapping[str, Any] | None = None,
) -> ImportRun:
    """Read an uploaded file and keep it with its preview; the project is not touched.

    With a ``project`` the file will update that project's plan (tasks matched by UID);
    without one it will become a new project. Raises a ValidationError naming the file and
    the problem when the file cannot be read.
    """
    if project is not None:
        require(actor, Action.CHANGE, project)
    discard_stale_imports()
    if not data:
        raise ValidationError(
            gettext("%(file)s: the file is empty.") % {"file": file_name}, code="empty_file"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            gettext("%(file)s: the file is larger than %(limit)s MiB.")
            % {"file": file_name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="file_too_large",
        )
    try:
        file_format = detect_format(data, file_name)
    except PlanFileError as error:
        raise _file_error(error) from error
    if kind not in ImportKind.values:
        raise ValidationError(gettext("Unknown kind of import."), code="invalid_kind")
    if file_format not in TABLE_FORMATS:
        kind = ImportKind.PROJECT
    elif kind == ImportKind.PROJECT:
        kind = ImportKind.TASKS
    run = ImportRun(
        created_by=actor if actor.pk is not None else None,
        project=project,
        file_name=file_name[:255],
        file_size=len(data),
        content=data,
        format=file_format,
        kind=kind,
        mode=ImportMode.UPDATE if project is not None else ImportMode.NEW,
        options=dict(options or {}),
    )
    document = _refresh_summary(run)
    run.save()
    if document is not None:
        key = _document_key(run, data)
        if key is not None:
            _keep_document(key, len(data), document)
    return run


def _refresh_summary(run: ImportRun) -> ProjectDocument | None:
    """Read the stored file and make its preview; returns a project file's document."""
    if run.kind != ImportKind.PROJECT:
        try:
            summary = table_summary(run, bytes(run.content))
        except PlanFileError as error:
            raise _file_error(error) from error
        if summary.get("document") is not None:
            document = summary.pop("document")
            summary.update(_summary(document, run.project, run.mode))
        run.summary = summary
        return None
    document = import_read(run)
    run.summary = _summary(document, run.project, run.mode)
    return document


@transaction.atomic
def import_remap(
    *, actor: User, run: ImportRun, columns: Mapping[str, str], sheet: str | None = None
) -> ImportRun:
    """Change which column of a table goes to which field, and read the table again."""
    _require_open(actor, run)
    run.options = {**run.options, "columns": dict(columns)}
    if sheet is not None:
        run.options["sheet"] = sheet
    _refresh_summary(run)
    run.save(update_fields=["options", "summary"])
    return run


def _require_open(actor: User, run: ImportRun) -> None:
    if actor.pk is not None and run.created_by_id != actor.pk and not actor.is_superuser:
        raise ValidationError(gettext("This import is someone else's."), code="forbidden")
    if run.status != ImportStatus.PREVIEW:
        raise ValidationError(
            gettext("This import is already %(status)s.")
            % {"status": run.get_status_display().lower()},
            code="import_closed",
        )


@dataclass(frozen=True)
class ImportResult:
    """What an applied import wrote."""

    project: Project
    tasks: int
    links: int
    resources_created: int
    assignments: int


@collection_paused()
@transaction.atomic
def import_apply(
    *,
    actor: User,
    run: ImportRun,
    portfolio: Portfolio | None = None,
    programme: Programme | None = None,
    code: str = "",
    name: str = "",
    skip_bad_rows: bool = False,
) -> ImportResult:
    """Write the import: a new project (``portfolio``, ``code`` and ``name`` needed) or the
    update of the run's project. All or nothing: a failure saves nothing and names the problem.
    A table with row errors is refused unless ``skip_bad_rows``."""
    _require_open(actor, run)
    errors = run.summary.get("row_errors") or []
    if errors and not skip_bad_rows:
        raise ValidationError(
            gettext("%(count)s rows have errors: correct the file, or choose to skip the bad rows.")
            % {"count": run.summary.get("bad_rows", len(errors))},
            code="row_errors",
        )
    if run.summary.get("unmapped_required"):
        raise ValidationError(
            gettext("Choose a column for: %(fields)s.")
            % {"fields": ", ".join(run.summary["unmapped_required"])},
            code="mapping_incomplete",
        )
    document = import_read(run)
    if run.project is None:
        if portfolio is None:
            raise ValidationError(
                {"portfolio": [gettext("Choose the portfolio of the new project.")]}
            )
        project_name = (name or document.plan.name or run.file_name).strip()[:200]
        project = project_create(
            actor=actor,
            portfolio=portfolio,
            programme=programme,
            code=code.strip(),
            name=project_name,
            start_date=document.plan.start.date() if document.plan.start else None,
        )
        update = False
    else:
        project = run.project
        update = True
    with batch_scheduling():
        tasks_by_uid = plan_load_document(
            actor=actor,
            project=project,
            document=document,
            update=update,
            file_name=run.file_name,
        )
        calendars = {
            int(uid): pk
            for uid, pk in ((project.plan.file_settings or {}).get("calendar_uids") or {}).items()
        }
        calendar_rows = {
            row.pk: row for row in WorkCalendar.objects.filter(pk__in=list(calendars.values()))
        }
        created, assignments = assignments_load_document(
            actor=actor,
            project=project,
            document=document,
            tasks_by_uid=tasks_by_uid,
            calendars={uid: calendar_rows[pk] for uid, pk in calendars.items()},
        )
    run.project = project
    run.status = ImportStatus.APPLIED
    run.applied_at = timezone.now()
    # The file was kept for the confirmation (decision 0009); once applied, only its name and
    # size stay, as for a discarded preview. Keeping it would also make SQLite write it all
    # again just to mark the run applied.
    run.content = b""
    run.save(update_fields=["project", "status", "applied_at", "content"])
    _forget_document(run)
    return ImportResult(
        project=project,
        tasks=len(tasks_by_uid),
        links=len(document.plan.links),
        resources_created=created,
        assignments=assignments,
    )


@transaction.atomic
def import_discard(*, actor: User, run: ImportRun) -> None:
    """Drop an import that was only previewed (its file is deleted)."""
    _require_open(actor, run)
    run.status = ImportStatus.DISCARDED
    run.content = b""
    run.save(update_fields=["status", "content"])
    _forget_document(run)


def discard_stale_imports(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Forget previews nobody confirmed (their files take room)."""
    cutoff = timezone.now() - older_than
    return ImportRun.objects.filter(status=ImportStatus.PREVIEW, created_at__lt=cutoff).update(
        status=ImportStatus.DISCARDED, content=b""
    )


# Column mappings --------------------------------------------------------------------------------


@transaction.atomic
def mapping_save(*, actor: User, run: ImportRun, name: str) -> ColumnMapping:
    """Save the run's column mapping under a name, to use on the next file of the same layout;
    a mapping of the same name is replaced."""
    if not name:
        raise ValidationError(gettext("Give the mapping a name."), code="mapping_name")
    table = run.summary.get("table") or {}
    mapping, _created = ColumnMapping.objects.update_or_create(
        target=run.kind,
        name=name[:100],
        defaults={
            "headers": table.get("headers", []),
            "columns": mapping_by_header(table),
            "created_by": actor if actor.pk is not None else None,
        },
    )
    return mapping


@transaction.atomic
def mapping_apply(*, actor: User, run: ImportRun, mapping_pk: int) -> ImportRun:
    """Map the run's columns as a saved mapping does (matched by header name)."""
    mapping = ColumnMapping.objects.filter(pk=mapping_pk, target=run.kind).first()
    if mapping is None:
        raise ValidationError(gettext("This mapping does not exist."), code="mapping_missing")
    headers = (run.summary.get("table") or {}).get("headers", [])
    columns = {
        str(index): mapping.columns[header]
        for index, header in enumerate(headers)
        if header in mapping.columns
    }
    return import_remap(actor=actor, run=run, columns=columns)


# Calendar subscriptions -------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_reset(*, actor: User) -> CalendarFeed:
    """Give the user a calendar subscription address, replacing any earlier one (which then
    stops working)."""
    feed, created = CalendarFeed.objects.get_or_create(user=actor)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
