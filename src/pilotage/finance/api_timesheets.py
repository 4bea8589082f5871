"""API operations of finance: timesheets, their approval, missing timesheets, locked periods
and a project's finance options.

Time is in minutes. A week is named by its Monday (``2026-11-23``). The person fills their own
timesheet (finance and the PMO of the whole organisation may fill it on their behalf);
approving needs Change or Manage finance on every project of the timesheet.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from pilotage.accounts.permissions import Action, can
from pilotage.core.api import ApiRequest, InputSchema, Page, PageParams, paginate, responses
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.finance import timesheet_import, timesheets
from pilotage.finance.models import PeriodLock, Timesheet, TimesheetStatus
from pilotage.finance.timesheets import TimesheetGrid, TimesheetRow
from pilotage.planning.models import Task
from pilotage.portfolio.selectors import project_get_for_user
from pilotage.resources.models import Resource

router = Router(tags=["finance"])


class TimesheetOut(Schema):
    id: int
    resource_id: int
    resource_name: str
    week_start: dt.date
    status: str = Field(..., description="draft, submitted, approved or rejected.")
    total_minutes: int
    submitted_at: dt.datetime | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    comment: str


class ApprovalOut(TimesheetOut):
    warnings: list[str] = Field(
        default_factory=list,
        description="Time recorded at zero cost because no rate applies (person, project, days).",
    )


class TimesheetFilters(Schema):
    resource_id: int | None = None
    status: TimesheetStatus | None = None
    week: dt.date | None = Field(None, description="Any day of the week.")
    project_id: int | None = None


class GridRowOut(Schema):
    task_id: int
    task_name: str
    project_id: int
    project_code: str
    assigned_this_week: bool
    days: dict[str, int] = Field(..., description="Minutes by date (every day of the week).")
    total_minutes: int
    planned_minutes: int | None
    note: str


class GridOut(Schema):
    timesheet_id: int | None
    resource_id: int
    week_start: dt.date
    status: str
    editable: bool
    locked_dates: list[dt.date]
    total_minutes: int
    rows: list[GridRowOut]


class GridRowIn(InputSchema):
    task_id: int
    days: dict[dt.date, int] = Field(
        default_factory=dict, description="Minutes by date; 0 removes that day's time."
    )
    note: str = Field("", max_length=255)


class GridIn(InputSchema):
    rows: list[GridRowIn] = Field(
        default_factory=list, description="The whole week: time not listed is removed."
    )


class DecisionIn(InputSchema):
    comment: str = Field("", description="Required to reject.")


class MissingOut(Schema):
    resource_id: int
    resource_name: str
    week_start: dt.date
    timesheet_id: int | None
    status: str | None = Field(None, description="None: no timesheet at all.")
    project_ids: list[int]
    planned_minutes: int


class MissingFilters(Schema):
    weeks: int = Field(4, ge=1, le=26, description="How many full weeks back.")
    until: dt.date | None = Field(None, description="Weeks before the week of this day (today).")
    department_id: int | None = None
    team_id: int | None = None


class PeriodLockIn(InputSchema):
    start: dt.date
    finish: dt.date
    reason: str = Field("", max_length=200)


class PeriodLockOut(Schema):
    id: int
    start: dt.date
    finish: dt.date
    reason: str
    locked_by_id: int | None
    locked_at: dt.datetime


class FinanceOptionsIn(InputSchema):
    progress_from_timesheets: bool


class FinanceOptionsOut(Schema):
    project_id: int
    progress_from_timesheets: bool


def _timesheet_out(timesheet: Timesheet) -> dict[str, Any]:
    total = getattr(timesheet, "total_minutes", None)
    if total is None:
        total = sum(timesheet.entries.values_list("minutes", flat=True))
    return {
        "id": timesheet.pk,
        "resource_id": timesheet.resource_id,
        "resource_name": timesheet.resource.name,
        "week_start": timesheet.week_start,
        "status": timesheet.status,
        "total_minutes": total or 0,
        "submitted_at": timesheet.submitted_at,
        "decided_by_id": timesheet.decided_by_id,
        "decided_at": timesheet.decided_at,
        "comment": timesheet.comment,
    }


def _grid_out(grid: TimesheetGrid) -> dict[str, Any]:
    return {
        "timesheet_id": grid.timesheet.pk if grid.timesheet else None,
        "resource_id": grid.resource.pk,
        "week_start": grid.week_start,
        "status": grid.status,
        "editable": grid.editable,
        "locked_dates": [day for day, locked in zip(grid.days, grid.locked, strict=True) if locked],
        "total_minutes": grid.total_minutes,
        "rows": [
            {
                "task_id": row.task.pk,
                "task_name": row.task.name,
                "project_id": row.project.pk,
                "project_code": row.project.code,
                "assigned_this_week": row.assignment is not None,
                "days": {
                    day.isoformat(): minutes for day, minutes in row.days(grid.week_start).items()
                },
                "total_minutes": row.total_minutes,
                "planned_minutes": row.planned_minutes,
                "note": row.note,
            }
            for row in grid.rows
        ],
    }


def _resource(resource_id: int) -> Resource:
    try:
        return Resource.objects.select_related("user").get(pk=resource_id)
    except Resource.DoesNotExist as exc:
        raise NotFoundError() from exc


def _week(week: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(week)
    except ValueError as exc:
        raise ValidationError(
            {"week": gettext("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": week}}
        ) from exc
    return day


def _timesheet(request: ApiRequest, timesheet_id: int) -> Timesheet:
    return timesheets.timesheet_get_for_user(timesheet_id, user=request.auth)


# Decisions come before the grid: their paths would otherwise match /timesheets/{id}/{week}.


@router.post(
    "/timesheets/{timesheet_id}/submit",
    response=responses(200, TimesheetOut),
    summary="Submit a timesheet",
)
def timesheet_submit(request: ApiRequest, timesheet_id: int) -> Any:
    """The person (or finance and the PMO on their behalf) sends a draft or rejected timesheet
    for approval."""
    timesheet = _timesheet(request, timesheet_id)
    timesheets.timesheet_submit(actor=request.auth, timesheet=timesheet)
    return _timesheet_out(timesheet)


@router.post(
    "/timesheets/{timesheet_id}/approve",
    response=responses(200, ApprovalOut),
    summary="Approve a timesheet",
)
def timesheet_approve(request: ApiRequest, timesheet_id: int, payload: DecisionIn) -> Any:
    """Writes one actual cost per entry (contract rate, else internal rate, else zero with a
    warning) and, where the project chooses so, updates its tasks' progress."""
    timesheet = _timesheet(request, timesheet_id)
    approved = timesheets.timesheet_approve(
        actor=request.auth, timesheet=timesheet, comment=payload.comment
    )
    warnings = timesheets.timesheet_missing_rates(approved)
    return {**_timesheet_out(approved), "warnings": warnings}


@router.post(
    "/timesheets/{timesheet_id}/reject",
    response=responses(200, TimesheetOut),
    summary="Reject a timesheet",
)
def timesheet_reject(request: ApiRequest, timesheet_id: int, payload: DecisionIn) -> Any:
    """Sends the timesheet back to its person; the comment says why and is required."""
    timesheet = _timesheet(request, timesheet_id)
    timesheets.timesheet_reject(actor=request.auth, timesheet=timesheet, comment=payload.comment)
    return _timesheet_out(timesheet)


@router.post(
    "/timesheets/{timesheet_id}/reopen",
    response=responses(200, TimesheetOut),
    summary="Reopen an approved timesheet",
)
def timesheet_reopen(request: ApiRequest, timesheet_id: int) -> Any:
    """Takes the approval back: the timesheet is submitted again, its actual costs removed and
    the progress it fed taken back."""
    timesheet = _timesheet(request, timesheet_id)
    reopened = timesheets.timesheet_reopen(actor=request.auth, timesheet=timesheet)
    return _timesheet_out(reopened)


@router.get(
    "/timesheets/missing",
    response=responses(200, list[MissingOut]),
    summary="List missing timesheets",
)
def timesheet_missing(request: ApiRequest, filters: Query[MissingFilters]) -> Any:
    """For each of the last full weeks, the people with an assignment on a project you can see
    whose timesheet is absent, a draft or rejected."""
    rows = timesheets.missing_timesheets(
        user=request.auth,
        weeks=filters.weeks,
        until=filters.until,
        department=filters.department_id,
        team=filters.team_id,
    )
    return [
        {
            "resource_id": row.resource.pk,
            "resource_name": row.resource.name,
            "week_start": row.week_start,
            "timesheet_id": row.timesheet.pk if row.timesheet else None,
            "status": row.timesheet.status if row.timesheet else None,
            "project_ids": [project.pk for project in row.projects],
            "planned_minutes": row.planned_minutes,
        }
        for row in rows
    ]


@router.get(
    "/timesheets",
    response=responses(200, Page[TimesheetOut]),
    summary="List timesheets",
)
def timesheet_list(
    request: ApiRequest, filters: Query[TimesheetFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Your own timesheets and those with time on projects whose work or money you manage."""
    queryset = timesheets.timesheet_list(
        user=request.auth,
        resource=filters.resource_id,
        status=filters.status or "",
        week=filters.week,
        project=filters.project_id,
    )
    result = paginate(queryset, page)
    result["items"] = [_timesheet_out(item) for item in result["items"]]
    return result


@router.get(
    "/timesheets/{resource_id}/{week}",
    response=responses(200, GridOut),
    summary="Get a person's weekly grid",
)
def timesheet_grid(request: ApiRequest, resource_id: int, week: str) -> Any:
    """Every task the person is assigned to that week (even without time), with minutes by
    day; `week` is the Monday."""
    resource = _resource(resource_id)
    monday = _week(week)
    timesheet = timesheets.timesheet_for_week(
        user=request.auth, resource=resource, week_start=monday
    )
    return _grid_out(
        timesheets.timesheet_grid(resource=resource, week_start=monday, timesheet=timesheet)
    )


@router.put(
    "/timesheets/{resource_id}/{week}",
    response=responses(200, GridOut),
    summary="Save a person's weekly grid",
)
def timesheet_grid_save(request: ApiRequest, resource_id: int, week: str, payload: GridIn) -> Any:
    """Replaces the week's time, all or nothing: only tasks the person is assigned to, at most
    24 hours a day, no change on a locked date, and only while draft or rejected."""
    resource = _resource(resource_id)
    monday = _week(week)
    timesheets.timesheet_for_week(user=request.auth, resource=resource, week_start=monday)
    if not timesheets.may_fill(request.auth, resource):
        raise ForbiddenError(gettext("You may only fill in your own timesheets."))
    tasks = Task.objects.select_related("project").in_bulk([row.task_id for row in payload.rows])
    unknown = sorted({row.task_id for row in payload.rows} - set(tasks))
    if unknown:
        raise ValidationError(
            {"rows": [gettext("Unknown task: %(id)s.") % {"id": task_id} for task_id in unknown]}
        )
    rows = [
        TimesheetRow(task=tasks[row.task_id], days=dict(row.days), note=row.note)
        for row in payload.rows
    ]
    timesheet = timesheets.timesheet_get_or_create(
        actor=request.auth, resource=resource, week_start=monday
    )
    timesheets.timesheet_save(actor=request.auth, timesheet=timesheet, rows=rows)
    return _grid_out(
        timesheets.timesheet_grid(resource=resource, week_start=monday, timesheet=timesheet)
    )


# Locked periods -------------------------------------------------------------------------------


def _lock_out(lock: PeriodLock) -> dict[str, Any]:
    return {
        "id": lock.pk,
        "start": lock.start,
        "finish": lock.finish,
        "reason": lock.reason,
        "locked_by_id": lock.locked_by_id,
        "locked_at": lock.locked_at,
    }


@router.get(
    "/period-locks",
    response=responses(200, Page[PeriodLockOut]),
    summary="List locked periods",
)
def period_lock_list(request: ApiRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Dates on which time and costs can no longer be recorded or changed."""
    result = paginate(timesheets.period_lock_list(), page)
    result["items"] = [_lock_out(lock) for lock in result["items"]]
    return result


@router.post(
    "/period-locks",
    response=responses(201, PeriodLockOut),
    summary="Lock a period",
)
def period_lock_create(request: ApiRequest, payload: PeriodLockIn) -> Status[Any]:
    """Needs Manage finance organisation-wide (administrators, the PMO)."""
    lock = timesheets.period_lock_create(actor=request.auth, **payload.model_dump())
    return Status(201, _lock_out(lock))


@router.delete(
    "/period-locks/{lock_id}",
    response=responses(204, None),
    summary="Open a locked period again",
)
def period_lock_delete(request: ApiRequest, lock_id: int) -> Status[None]:
    if not can(request.auth, Action.MANAGE_FINANCE):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    timesheets.period_lock_delete(actor=request.auth, lock=timesheets.period_lock_get(lock_id))
    return Status(204, None)


# A project's finance options ------------------------------------------------------------------


@router.patch(
    "/projects/{project_id}/finance-options",
    response=responses(200, FinanceOptionsOut),
    summary="Change a project's finance options",
)
def project_finance_options(request: ApiRequest, project_id: int, payload: FinanceOptionsIn) -> Any:
    """`progress_from_timesheets`: approved timesheets update the actual work and percent
    complete of the project's tasks. Needs Change on the project."""
    project = project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)
    options = timesheets.project_finance_options_set(
        actor=request.auth,
        project=project,
        progress_from_timesheets=payload.progress_from_timesheets,
    )
    return {"project_id": project.pk, "progress_from_timesheets": options.progress_from_timesheets}


# Timesheet import -----------------------------------------------------------------------------


class TimesheetImportErrorOut(Schema):
    row: int
    column: str
    message: str


class TimesheetImportRowOut(Schema):
    row: int
    resource_id: int | None
    project_id: int | None
    task_id: int | None
    date: dt.date | None
    minutes: int | None
    note: str
    ok: bool


class TimesheetImportOut(Schema):
    file: str
    headers: list[str]
    mapping: dict[str, str] = Field(..., description="Column index (0-based) to field key.")
    mapping_source: str = Field(..., description="given, saved or guessed.")
    mapping_problems: list[str]
    rows: int
    valid_rows: int
    error_rows: int
    weeks: int = Field(..., description="Person-weeks that would be written.")
    errors: list[TimesheetImportErrorOut]
    preview: list[TimesheetImportRowOut] = Field(..., description="The first 100 rows.")
    applied: bool
    timesheet_ids: list[int]


@router.post(
    "/timesheets/import",
    response=responses(200, TimesheetImportOut),
    summary="Import timesheets from a CSV or Excel file",
)
def timesheets_import(
    request: ApiRequest,
    file: File[UploadedFile],
    mapping: Form[str | None] = None,
    dry_run: Form[bool] = True,
    skip_errors: Form[bool] = False,
    submit: Form[bool] = False,
) -> Any:
    """A file of time (5 MB at most), one row per person, project, task, date and hours (7.5,
    7,5 or 7h30), with an optional note. `mapping` is JSON, column index to field key (person,
    project, task, date, hours, note); by default a saved mapping with the same headers, else a
    guess. With `dry_run` (the default) nothing is written; otherwise each person's weeks are
    saved (and submitted with `submit`), all or nothing unless `skip_errors`."""
    columns: dict[Any, str] | None = None
    if mapping:
        try:
            parsed = json.loads(mapping)
            if not isinstance(parsed, dict):
                raise ValueError
            columns = {int(k): str(v) for k, v in parsed.items()}
        except ValueError as exc:
            raise ValidationError(
                {"mapping": gettext("Give the mapping as a JSON object of column to field.")}
            ) from exc
    preview = timesheet_import.timesheet_import_preview(
        actor=request.auth, name=file.name or "timesheets.csv", content=file.read(), mapping=columns
    )
    written: list[Timesheet] = []
    if not dry_run:
        written = timesheet_import.timesheet_import_apply(
            actor=request.auth, preview=preview, submit=submit, skip_errors=skip_errors
        )
    return {
        "file": preview.name,
        "headers": preview.headers,
        "mapping": {str(k): v for k, v in preview.mapping.items()},
        "mapping_source": preview.mapping_source,
        "mapping_problems": preview.mapping_problems,
        "rows": len(preview.rows),
        "valid_rows": len(preview.valid_rows),
        "error_rows": preview.error_rows,
        "weeks": len(preview.valid_weeks),
        "errors": [error.__dict__ for error in preview.errors],
        "preview": [
            {
                "row": row.number,
                "resource_id": row.resource.pk if row.resource else None,
                "project_id": row.project.pk if row.project else None,
                "task_id": row.task.pk if row.task else None,
                "date": row.date,
                "minutes": row.minutes,
                "note": row.note,
                "ok": row.ok,
            }
            for row in preview.rows[:100]
        ],
        "applied": not dry_run,
        "timesheet_ids": [timesheet.pk for timesheet in written],
    }
