"""Pages of timesheets: a person's weekly grid, a timesheet's page with its approval, the
approval queue, missing timesheets, locked periods and a project's time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import PageRequest, paginate, posted_column_mapping, report_error
from pilotage.finance import timesheet_import, timesheets
from pilotage.finance.forms_timesheets import (
    DecisionForm,
    MissingFilterForm,
    PeriodLockForm,
    ProjectOptionsForm,
    WeekJumpForm,
    cell_name,
    note_name,
)
from pilotage.finance.models import Timesheet, TimesheetStatus
from pilotage.finance.sheet_import import StoredUpload
from pilotage.finance.timesheets import GridRow, TimesheetGrid, TimesheetRow, format_hours
from pilotage.interop.xlsx import Column, Sheet
from pilotage.planning.models import Task
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.resources.models import Assignment, Resource

FORBIDDEN = _("You do not have permission to do this.")
_CELL = re.compile(r"^t(\d+)-d([0-6])$")
_NOTE = re.compile(r"^t(\d+)-note$")


def _errors_text(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _parse_week(week: str) -> dt.date:
    try:
        return dt.date.fromisoformat(week)
    except ValueError as exc:
        raise Http404 from exc


def _week_url(resource: Resource | int, week_start: dt.date) -> str:
    pk = resource if isinstance(resource, int) else resource.pk
    return reverse("finance:timesheet_week", args=[pk, week_start.isoformat()])


# A person's week ------------------------------------------------------------------------------


@login_required
def my_timesheet(request: PageRequest) -> HttpResponse:
    """The signed-in user's timesheet of this week (or of ``?week=``)."""
    resource = timesheets.resource_of_user(request.user)
    jump = WeekJumpForm(request.GET if "week" in request.GET else None)
    monday = jump.monday() or timesheets.week_start_of(timezone.localdate())
    if resource is not None:
        return redirect(_week_url(resource, monday))
    return render(
        request,
        "finance/timesheet_none.html",
        {"active_nav": "timesheets", "title": gettext("My timesheet")},
    )


def _typed_rows(request: PageRequest) -> tuple[dict[int, list[str]], dict[int, str]]:
    """The cells and notes as typed in the POST, by task."""
    cells: dict[int, list[str]] = {}
    notes: dict[int, str] = {}
    for name in request.POST:
        value = request.POST.get(name, "")
        match = _CELL.match(name)
        if match:
            cells.setdefault(int(match.group(1)), [""] * 7)[int(match.group(2))] = value
            continue
        match = _NOTE.match(name)
        if match:
            notes[int(match.group(1))] = value
            cells.setdefault(int(match.group(1)), [""] * 7)
    return cells, notes


def _extra_rows(
    grid: TimesheetGrid, tasks: Iterable[Task], assignments: dict[int, Assignment]
) -> None:
    present = {row.task.pk for row in grid.rows}
    for task in tasks:
        if task.pk in present:
            continue
        present.add(task.pk)
        grid.rows.append(
            GridRow(
                project=task.project,
                task=task,
                assignment=assignments.get(task.pk),
                minutes=[0] * 7,
            )
        )


def _copy_last_week(grid: TimesheetGrid, user: Any) -> dict[int, list[str]]:
    """Last week's time, as typed values for this week's grid (nothing is saved)."""
    previous = Timesheet.objects.filter(
        resource=grid.resource, week_start=grid.week_start - dt.timedelta(days=7)
    ).first()
    if previous is None:
        return {}
    last = timesheets.timesheet_grid(
        resource=grid.resource, week_start=previous.week_start, timesheet=previous
    )
    assignments = {row.task.pk: row.assignment for row in last.rows if row.assignment}
    copied = [row for row in last.rows if row.total_minutes and row.task.pk in assignments]
    _extra_rows(grid, [row.task for row in copied], {k: v for k, v in assignments.items() if v})
    typed = {
        row.task.pk: [
            "" if grid.locked[index] else format_hours(minutes)
            for index, minutes in enumerate(row.minutes)
        ]
        for row in copied
    }
    return typed


def _cell_rows(
    grid: TimesheetGrid,
    typed: dict[int, list[str]],
    notes: dict[int, str] | None = None,
    errors: dict[tuple[int, int], str] | None = None,
) -> list[dict[str, Any]]:
    rows = []
    for row in grid.rows:
        values = typed.get(row.task.pk)
        cells = []
        for index, minutes in enumerate(row.minutes):
            text = values[index] if values is not None else format_hours(minutes)
            if grid.locked[index]:
                text = format_hours(minutes)
            cells.append(
                {
                    "name": cell_name(row.task.pk, index),
                    "text": text,
                    "minutes": minutes,
                    "day": grid.days[index],
                    "locked": grid.locked[index],
                    "error": (errors or {}).get((row.task.pk, index), ""),
                }
            )
        rows.append(
            {
                "row": row,
                "cells": cells,
                "note_name": note_name(row.task.pk),
                "note": (notes or {}).get(row.task.pk, row.note),
                "total": format_hours(row.total_minutes),
                "planned": format_hours(row.planned_minutes),
            }
        )
    return rows


def _week_context(
    request: PageRequest,
    resource: Resource,
    grid: TimesheetGrid,
    *,
    typed: dict[int, list[str]] | None = None,
    notes: dict[int, str] | None = None,
    errors: dict[tuple[int, int], str] | None = None,
) -> dict[str, Any]:
    may_fill = timesheets.may_fill(request.user, resource)
    assigned = (
        Assignment.objects.filter(resource=resource)
        .exclude(task_id__in=[row.task.pk for row in grid.rows])
        .select_related("task", "project")
        .order_by("project__code", "task__position")
    )
    timesheet = grid.timesheet
    return {
        "active_nav": "timesheets",
        "resource": resource,
        "grid": grid,
        "timesheet": timesheet,
        "rows": _cell_rows(grid, typed or {}, notes, errors),
        "day_headers": list(zip(grid.days, grid.locked, strict=True)),
        "day_totals": [format_hours(total) for total in grid.day_totals],
        "total": format_hours(grid.total_minutes),
        "planned_total": format_hours(grid.planned_minutes),
        "editable": may_fill and grid.editable,
        "may_fill": may_fill,
        "may_approve": timesheet is not None and timesheets.may_approve(request.user, timesheet),
        "other_assignments": list(assigned) if may_fill and grid.editable else [],
        "previous_url": _week_url(resource, grid.week_start - dt.timedelta(days=7)),
        "next_url": _week_url(resource, grid.week_start + dt.timedelta(days=7)),
        "this_week_url": _week_url(resource, timesheets.week_start_of(timezone.localdate())),
        "week_end": grid.week_start + dt.timedelta(days=6),
        "any_locked": any(grid.locked),
        "own": timesheets.resource_of_user(request.user) == resource,
    }


def _save_week(
    request: PageRequest, resource: Resource, grid: TimesheetGrid
) -> tuple[bool, dict[int, list[str]], dict[int, str], dict[tuple[int, int], str]]:
    """Save the posted grid (and submit it when asked); False with the typed values and the
    cell errors when nothing was saved."""
    typed, notes = _typed_rows(request)
    existing = {row.task.pk: row for row in grid.rows}
    errors: dict[tuple[int, int], str] = {}
    rows: list[TimesheetRow] = []
    tasks = Task.objects.in_bulk(list(typed))
    for task_pk, values in typed.items():
        task = tasks.get(task_pk)
        if task is None:
            continue
        days: dict[dt.date, int] = {}
        for index, day in enumerate(grid.days):
            if grid.locked[index]:
                # Locked days are not posted: their time stays as it is.
                row = existing.get(task_pk)
                days[day] = row.minutes[index] if row is not None else 0
                continue
            try:
                days[day] = timesheets.parse_hours(values[index])
            except ValidationError as error:
                errors[(task_pk, index)] = " ".join(_errors_text(error))
        rows.append(TimesheetRow(task=task, days=days, note=notes.get(task_pk, "")))
    # Rows of the grid not posted at all keep their time.
    for task_pk, row in existing.items():
        if task_pk not in typed and row.total_minutes:
            rows.append(TimesheetRow(task=row.task, days=row.days(grid.week_start), note=row.note))
    if errors:
        messages.error(request, gettext("Nothing was saved: correct the cells marked in red."))
        return False, typed, notes, errors
    submit = request.POST.get("action") == "submit"
    try:
        with transaction.atomic():
            timesheet = timesheets.timesheet_get_or_create(
                actor=request.user, resource=resource, week_start=grid.week_start
            )
            timesheets.timesheet_save(actor=request.user, timesheet=timesheet, rows=rows)
            if submit:
                timesheets.timesheet_submit(actor=request.user, timesheet=timesheet)
    except ValidationError as error:
        report_error(request, error)
        return False, typed, notes, errors
    if submit:
        messages.success(request, gettext("The timesheet was submitted for approval."))
    else:
        messages.success(request, gettext("The timesheet was saved."))
    return True, typed, notes, errors


@login_required
def timesheet_week(request: PageRequest, resource_pk: int, week: str) -> HttpResponseBase:
    """A person's weekly grid: their tasks in rows, Monday to Sunday in columns, in hours."""
    day = _parse_week(week)
    monday = timesheets.week_start_of(day)
    if monday != day:
        return redirect(_week_url(resource_pk, monday))
    try:
        resource = Resource.objects.select_related("user").get(pk=resource_pk)
    except Resource.DoesNotExist as exc:
        raise NotFoundError() from exc
    timesheet = timesheets.timesheet_for_week(
        user=request.user, resource=resource, week_start=monday
    )
    grid = timesheets.timesheet_grid(resource=resource, week_start=monday, timesheet=timesheet)
    typed: dict[int, list[str]] = {}
    notes: dict[int, str] = {}
    errors: dict[tuple[int, int], str] = {}
    if request.method == "POST":
        if not timesheets.may_fill(request.user, resource):
            raise ForbiddenError(str(FORBIDDEN))
        saved, typed, notes, errors = _save_week(request, resource, grid)
        if saved:
            return redirect(_week_url(resource, monday))
        assignments = {
            item.task_id: item
            for item in Assignment.objects.filter(resource=resource, task_id__in=typed)
        }
        _extra_rows(
            grid,
            Task.objects.filter(pk__in=typed).select_related("project").order_by("position"),
            assignments,
        )
    elif grid.editable and timesheets.may_fill(request.user, resource):
        if request.GET.get("copy"):
            typed = _copy_last_week(grid, request.user)
            if typed:
                messages.info(request, gettext("Last week's time was copied: check it, then save."))
            else:
                messages.info(request, gettext("Last week has no time to copy."))
        added = [int(pk) for pk in request.GET.getlist("add") if pk.isdigit()]
        if added:
            assignments = {
                item.task_id: item
                for item in Assignment.objects.filter(
                    resource=resource, task_id__in=added
                ).select_related("task", "project")
            }
            _extra_rows(grid, [item.task for item in assignments.values()], assignments)
    context = _week_context(request, resource, grid, typed=typed, notes=notes, errors=errors)
    return render(request, "finance/timesheet_week.html", context)


# A timesheet's page and its decision ----------------------------------------------------------


def _decide(request: PageRequest, timesheet: Timesheet, action: str, comment: str) -> bool:
    try:
        if action == "approve":
            warnings = timesheets.timesheet_missing_rates(timesheet)
            timesheets.timesheet_approve(actor=request.user, timesheet=timesheet, comment=comment)
            for warning in warnings:
                messages.warning(request, warning)
            messages.success(
                request,
                gettext("The timesheet of %(person)s for the week of %(week)s was approved.")
                % {"person": timesheet.resource.name, "week": timesheet.week_start.isoformat()},
            )
        elif action == "reject":
            timesheets.timesheet_reject(actor=request.user, timesheet=timesheet, comment=comment)
            messages.success(
                request,
                gettext("The timesheet of %(person)s for the week of %(week)s was rejected.")
                % {"person": timesheet.resource.name, "week": timesheet.week_start.isoformat()},
            )
        elif action == "reopen":
            timesheets.timesheet_reopen(actor=request.user, timesheet=timesheet)
            messages.success(
                request, gettext("The approval was taken back: the timesheet is submitted again.")
            )
        else:
            raise Http404
    except ValidationError as error:
        report_error(request, error)
        return False
    return True


@login_required
def timesheet_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A timesheet as its approver reads it, with the approve and reject forms."""
    timesheet = timesheets.timesheet_get_for_user(pk, user=request.user)
    may_approve = timesheets.may_approve(request.user, timesheet)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not may_approve:
            raise ForbiddenError(str(FORBIDDEN))
        if form.is_valid():
            action = request.POST.get("action", "")
            if _decide(request, timesheet, action, form.cleaned_data["comment"]):
                return redirect(timesheet.get_absolute_url())
        timesheet.refresh_from_db()
    grid = timesheets.timesheet_grid(
        resource=timesheet.resource, week_start=timesheet.week_start, timesheet=timesheet
    )
    context = _week_context(request, timesheet.resource, grid)
    context.update(
        {
            "form": form,
            "may_approve": may_approve,
            "editable": False,
            "project_totals": [
                (project, format_hours(minutes))
                for project, minutes in timesheets.timesheet_project_totals(timesheet)
            ],
            "rate_warnings": (
                timesheets.timesheet_missing_rates(timesheet)
                if may_approve and timesheet.status == TimesheetStatus.SUBMITTED
                else []
            ),
            "costs": [
                (cost, format_hours(cost.minutes))
                for cost in timesheet.actual_costs.select_related("project", "task").order_by(
                    "incurred_on", "pk"
                )
            ],
        }
    )
    return render(request, "finance/timesheet_detail.html", context)


# The approval queue ---------------------------------------------------------------------------


@login_required
def timesheet_approvals(request: PageRequest) -> HttpResponse:
    """The submitted timesheets the user may approve: approve several at once, or reject one
    with a comment."""
    if request.method == "POST":
        action = request.POST.get("action", "")
        comment = request.POST.get("comment", "")
        ids = request.POST.getlist("timesheet")
        if not ids:
            messages.error(request, gettext("Select at least one timesheet."))
        for pk in ids:
            try:
                timesheet = timesheets.timesheet_get_for_user(pk, user=request.user)
            except NotFoundError:
                continue
            if not timesheets.may_approve(request.user, timesheet):
                raise ForbiddenError(str(FORBIDDEN))
            _decide(request, timesheet, "reject" if action == "reject" else "approve", comment)
        return redirect("finance:timesheet_approvals")
    queue = timesheets.timesheets_to_approve(request.user)
    items = [
        {
            "timesheet": timesheet,
            "total": format_hours(sum(entry.minutes for entry in timesheet.entries.all())),
            "projects": [
                (project, format_hours(minutes))
                for project, minutes in timesheets.timesheet_project_totals(timesheet)
            ],
        }
        for timesheet in queue
    ]
    return render(
        request,
        "finance/timesheet_approvals.html",
        {"active_nav": "timesheets", "items": items},
    )


# Missing timesheets ---------------------------------------------------------------------------


def _missing_xlsx(rows: list[timesheets.MissingTimesheet]) -> HttpResponse:
    sheet = Sheet(
        gettext("Missing timesheets"),
        [
            Column(gettext("Week"), "date"),
            Column(gettext("Person"), "text", width=30),
            Column(gettext("Department"), "text"),
            Column(gettext("Team"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Projects"), "text", width=40),
            Column(gettext("Planned hours"), "decimal"),
        ],
        [
            [
                row.week_start,
                row.resource.name,
                row.resource.department.name if row.resource.department else "",
                row.resource.team.name if row.resource.team else "",
                row.timesheet.get_status_display() if row.timesheet else gettext("None"),
                ", ".join(project.code for project in row.projects),
                round(row.planned_minutes / 60, 2),
            ]
            for row in rows
        ],
    )
    return xlsx_response("missing-timesheets", [sheet], title=gettext("Missing timesheets"))


@login_required
def timesheet_missing(request: PageRequest) -> HttpResponseBase:
    """People with assignments in recent weeks whose timesheet is missing, draft or rejected."""
    filters = MissingFilterForm(request.GET or None)
    values = filters.values() if filters.is_bound else {"weeks": 4}
    rows = timesheets.missing_timesheets(user=request.user, **values)
    resources = Resource.objects.select_related("department", "team").in_bulk(
        {row.resource.pk for row in rows}
    )
    rows = [
        timesheets.MissingTimesheet(
            resource=resources[row.resource.pk],
            week_start=row.week_start,
            timesheet=row.timesheet,
            projects=row.projects,
            planned_minutes=row.planned_minutes,
        )
        for row in rows
    ]
    if request.GET.get("format") == "xlsx":
        return _missing_xlsx(rows)
    page = paginate(request, rows)
    return render(
        request,
        "finance/timesheet_missing.html",
        {
            "active_nav": "timesheets",
            "filters": filters if filters.is_bound else MissingFilterForm(),
            "page": page,
            "rows": [
                {
                    "item": row,
                    "url": _week_url(row.resource, row.week_start),
                    "planned": format_hours(row.planned_minutes),
                }
                for row in page
            ],
        },
    )


# Locked periods -------------------------------------------------------------------------------


@login_required
def period_locks(request: PageRequest) -> HttpResponse:
    """The locked periods; finance managers of the organisation add and remove them."""
    may_manage = can(request.user, Action.MANAGE_FINANCE)
    form = PeriodLockForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise ForbiddenError(str(FORBIDDEN))
        if form.is_valid():
            try:
                lock = timesheets.period_lock_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, gettext("The period %(period)s is locked.") % {"period": lock}
                )
                return redirect("finance:period_locks")
    return render(
        request,
        "finance/period_locks.html",
        {
            "active_nav": "timesheets",
            "locks": timesheets.period_lock_list(),
            "form": form,
            "may_manage": may_manage,
        },
    )


@login_required
@require_POST
def period_lock_delete(request: PageRequest, pk: int) -> HttpResponse:
    if not can(request.user, Action.MANAGE_FINANCE):
        raise ForbiddenError(str(FORBIDDEN))
    lock = timesheets.period_lock_get(pk)
    timesheets.period_lock_delete(actor=request.user, lock=lock)
    messages.success(request, gettext("The period %(period)s is open again.") % {"period": lock})
    return redirect("finance:period_locks")


# A project's time -----------------------------------------------------------------------------


@login_required
def project_timesheets(request: PageRequest, pk: int) -> HttpResponse:
    """Submitted and approved hours on a project per person and week, and whether approved
    time updates the project's progress."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    may_change = can(request.user, Action.CHANGE, project)
    enabled = timesheets.progress_from_timesheets(project)
    form = ProjectOptionsForm(request.POST or None, initial={"progress_from_timesheets": enabled})
    if request.method == "POST":
        if not may_change:
            raise ForbiddenError(str(FORBIDDEN))
        if form.is_valid():
            timesheets.project_finance_options_set(
                actor=request.user,
                project=project,
                progress_from_timesheets=form.cleaned_data["progress_from_timesheets"],
            )
            messages.success(request, gettext("The option was saved."))
            return redirect("finance:project_timesheets", pk=project.pk)
    hours = timesheets.project_timesheet_hours(user=request.user, project=project)
    return render(
        request,
        "finance/timesheet_project.html",
        {
            "project": project,
            "tab": "finance",
            "finance_tab": "timesheets",
            "active_nav": "projects",
            "form": form,
            "may_change": may_change,
            "progress_enabled": enabled,
            "rows": [
                {
                    "item": row,
                    "url": _week_url(row.resource, row.week_start),
                    "submitted": format_hours(row.submitted_minutes),
                    "approved": format_hours(row.approved_minutes),
                }
                for row in hours
            ],
            "submitted_total": format_hours(sum(row.submitted_minutes for row in hours)),
            "approved_total": format_hours(sum(row.approved_minutes for row in hours)),
        },
    )


# Timesheet import -----------------------------------------------------------------------------


class TimesheetImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV or Excel (.xlsx), at most 5 MB."))


def _require_timesheet_importer(request: PageRequest) -> None:
    if not timesheet_import.may_import(request.user):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def _import_preview(
    request: PageRequest, stored: StoredUpload
) -> timesheet_import.TimesheetImportPreview:
    return timesheet_import.timesheet_import_preview(
        actor=request.user, name=stored.name, content=stored.content, mapping=stored.mapping
    )


@login_required
def timesheet_import_upload(request: PageRequest) -> HttpResponse:
    """Upload a CSV or Excel file of time (person, project, task, date, hours) to preview."""
    _require_timesheet_importer(request)
    form = TimesheetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = timesheet_import.upload_store.store(
                actor=request.user, name=upload.name, content=upload.read()
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("finance:timesheet_import_detail", token=token)
    return render(
        request,
        "finance/sheet_import_upload.html",
        {
            "form": form,
            "title": gettext("Import timesheets"),
            "back_url": reverse("finance:timesheet_approvals"),
            "back_label": gettext("Timesheets to approve"),
            "help": [
                gettext(
                    "One row per person, task and day: the person (name, email or code), the "
                    "project code, the task (name, WBS code or row ID), the date, the hours "
                    "(7.5, 7,5 or 7h30) and optionally a note. English and French headers are "
                    "recognised."
                ),
                gettext(
                    "Rows are grouped by person and week; every rule of timesheets applies "
                    "(assignment, 24 hours a day, locked periods, only draft or rejected weeks). "
                    "The file's hours replace those of the same task and day."
                ),
            ],
            "mappings": timesheet_import.timesheet_mapping_list(),
            "active_nav": "timesheets",
        },
    )


@login_required
def timesheet_import_detail(request: PageRequest, token: str) -> HttpResponse:
    """The preview of an uploaded file of time: its mapping, rows, weeks and errors."""
    _require_timesheet_importer(request)
    store = timesheet_import.upload_store
    stored = store.get(token, actor=request.user)
    upload_url = reverse("finance:timesheet_import")
    if request.method == "POST":
        try:
            headers = _import_preview(request, stored).headers
        except ValidationError as error:
            report_error(request, error)
            return redirect(upload_url)
        mapping = posted_column_mapping(request, len(headers))
        store.set_mapping(token, actor=request.user, mapping=mapping)
        if "save_mapping" in request.POST:
            try:
                timesheet_import.timesheet_mapping_save(
                    actor=request.user,
                    name=request.POST.get("mapping_name", ""),
                    headers=headers,
                    mapping=mapping,
                )
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(request, gettext("The column mapping was saved."))
        return redirect("finance:timesheet_import_detail", token=token)
    try:
        preview = _import_preview(request, stored)
    except ValidationError as error:
        report_error(request, error)
        store.discard(token, actor=request.user)
        return redirect(upload_url)
    errors = preview.errors
    return render(
        request,
        "finance/sheet_import_preview.html",
        {
            "preview": preview,
            "title": gettext("Import timesheets"),
            "subtitle": gettext("Each row goes to its person's timesheet of the week."),
            "back_url": reverse("finance:timesheet_approvals"),
            "back_label": gettext("Timesheets to approve"),
            "upload_url": upload_url,
            "apply_url": reverse("finance:timesheet_import_apply", args=[token]),
            "apply_label": ngettext(
                "Import %(count)d week", "Import %(count)d weeks", len(preview.valid_weeks)
            )
            % {"count": len(preview.valid_weeks)},
            "apply_options": [("submit", gettext("Submit the imported weeks"))],
            "facts": [
                (gettext("Rows"), len(preview.rows)),
                (gettext("Rows ready"), len(preview.valid_rows)),
                (gettext("Rows with errors"), preview.error_rows),
                (gettext("Weeks"), len(preview.valid_weeks)),
                (gettext("Hours"), format_hours(preview.total_minutes) or "0"),
            ],
            "columns": [
                {"index": index, "header": header, "key": preview.mapping.get(index, "")}
                for index, header in enumerate(preview.headers)
            ],
            "fields": [
                (field.key, field.label)
                for field in timesheet_import.TIMESHEET_ENTRIES_TARGET.fields
            ],
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "row_headings": [
                gettext("Person"),
                gettext("Project"),
                gettext("Task"),
                gettext("Date"),
                gettext("Hours"),
                gettext("Note"),
            ],
            "rows": [
                {
                    "number": row.number,
                    "ok": row.ok,
                    "cells": [
                        row.resource.name if row.resource else "",
                        row.project.code if row.project else "",
                        row.task.name if row.task else "",
                        row.date.isoformat() if row.date else "",
                        row.hours if row.minutes is not None else "",
                        row.note,
                    ],
                }
                for row in preview.rows[:100]
            ],
            "more_rows": max(len(preview.rows) - 100, 0),
            "active_nav": "timesheets",
        },
    )


@login_required
@require_POST
def timesheet_import_apply(request: PageRequest, token: str) -> HttpResponse:
    _require_timesheet_importer(request)
    store = timesheet_import.upload_store
    stored = store.get(token, actor=request.user)
    try:
        written = timesheet_import.timesheet_import_apply(
            actor=request.user,
            preview=_import_preview(request, stored),
            submit=bool(request.POST.get("submit")),
            skip_errors=bool(request.POST.get("skip_errors")),
        )
    except ValidationError as error:
        report_error(request, error)
        return redirect("finance:timesheet_import_detail", token=token)
    store.discard(token, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d weekly timesheet was imported.",
            "%(count)d weekly timesheets were imported.",
            len(written),
        )
        % {"count": len(written)},
    )
    return redirect("finance:timesheet_import")
