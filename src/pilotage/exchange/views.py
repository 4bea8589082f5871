"""Pages of imports (upload, preview, confirm), project exports and calendar subscriptions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import local_time, xlsx_response
from pilotage.core.pages import PageRequest, add_service_error, paginate
from pilotage.exchange import exports, selectors, services
from pilotage.exchange.forms import ApplyForm, NewProjectForm, UploadForm
from pilotage.exchange.models import CalendarFeed, ImportKind, ImportMode
from pilotage.exchange.tables import mapping_choices, saved_mappings
from pilotage.interop.formats import FORMAT_LABELS
from pilotage.interop.xlsx import Column, Row, Sheet
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project


def _upload(request: PageRequest, project: Project | None) -> HttpResponse | UploadForm:
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_upload(
                actor=request.user,
                data=upload.read(),
                file_name=upload.name,
                project=project,
                kind=form.cleaned_data.get("kind") or ImportKind.TASKS,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect("exchange:import_detail", pk=run.pk)
    return form


@login_required
def import_new(request: PageRequest) -> HttpResponse:
    """New project from a file: the upload step."""
    form: Any = UploadForm()
    if request.method == "POST":
        result = _upload(request, None)
        if isinstance(result, HttpResponse):
            return result
        form = result
    runs = selectors.import_list(user=request.user)[:10]
    return render(
        request,
        "exchange/import_new.html",
        {"form": form, "runs": runs, "active_nav": "projects", "formats": FORMAT_LABELS},
    )


@login_required
def project_exchange(request: PageRequest, pk: int) -> HttpResponse:
    """The project's Import / export tab: downloads, and an update from a file."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    may_change = can(request.user, Action.CHANGE, project)
    form: Any = UploadForm() if may_change else None
    if request.method == "POST":
        if not may_change:
            raise ForbiddenError(gettext("You do not have permission to do this."))
        result = _upload(request, project)
        if isinstance(result, HttpResponse):
            return result
        form = result
    return render(
        request,
        "exchange/project_exchange.html",
        {
            "project": project,
            "tab": "exchange",
            "active_nav": "projects",
            "form": form,
            "may_change": may_change,
            "runs": selectors.import_list(user=request.user, project=project)[:10],
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
        },
    )


@login_required
def import_detail(request: PageRequest, pk: int) -> HttpResponse:
    """The preview of an import, the column mapping of a table, and the confirmation."""
    run = selectors.import_get_for_user(pk, user=request.user)
    new_form: NewProjectForm | None = None
    apply_form = ApplyForm(request.POST or None)
    if run.mode == ImportMode.NEW and run.status == "preview":
        document_name = run.summary.get("name") or ""
        new_form = NewProjectForm(
            request.POST or None,
            user=request.user,
            initial={"name": document_name or run.file_name.rsplit(".", 1)[0]},
        )
    if request.method == "POST" and request.POST.get("action") == "remap":
        columns = {
            key.removeprefix("column-"): str(request.POST.get(key, ""))
            for key in request.POST
            if key.startswith("column-")
        }
        try:
            services.import_remap(
                actor=request.user,
                run=run,
                columns=columns,
                sheet=request.POST.get("sheet") or None,
            )
            if request.POST.get("save_as"):
                services.mapping_save(
                    actor=request.user, run=run, name=request.POST["save_as"].strip()
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("exchange:import_detail", pk=run.pk)
    if request.method == "POST" and request.POST.get("action") == "use_mapping":
        try:
            services.mapping_apply(
                actor=request.user, run=run, mapping_pk=int(request.POST.get("mapping") or 0)
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("exchange:import_detail", pk=run.pk)
    if request.method == "POST" and request.POST.get("action") == "apply":
        valid = apply_form.is_valid() and (new_form is None or new_form.is_valid())
        if valid:
            values: dict[str, Any] = {}
            if new_form is not None:
                values = {
                    "portfolio": new_form.cleaned_data["portfolio"],
                    "programme": new_form.cleaned_data.get("programme"),
                    "code": new_form.cleaned_data["code"],
                    "name": new_form.cleaned_data["name"],
                }
            try:
                result = services.import_apply(
                    actor=request.user,
                    run=run,
                    skip_bad_rows=apply_form.cleaned_data.get("skip_bad_rows", False),
                    **values,
                )
            except ValidationError as error:
                add_service_error(new_form or apply_form, error)
            else:
                messages.success(
                    request,
                    gettext(
                        "Imported %(tasks)s tasks, %(links)s links and %(assignments)s "
                        "assignments into %(project)s."
                    )
                    % {
                        "tasks": result.tasks,
                        "links": result.links,
                        "assignments": result.assignments,
                        "project": result.project.code,
                    },
                )
                return redirect("planning:plan", pk=result.project.pk)
    reasons = {
        "manual": gettext("manually scheduled: its dates are kept as given"),
        "leveling": gettext(
            "its leveling delay does not give the file's dates (leveled with another delay, "
            "or split)"
        ),
        "progress": gettext("progress out of sequence: started before its predecessors finished"),
        "constraint": gettext("a constraint that overrides the links"),
        "summary": gettext("a summary task whose subtasks moved"),
        "other": gettext("scheduled differently by the tool that wrote the file"),
    }
    differences = [
        {**item, "reason_label": reasons.get(item.get("reason", ""), item.get("reason", ""))}
        for item in (run.summary.get("dates") or {}).get("differences", [])
    ]
    return render(
        request,
        "exchange/import_detail.html",
        {
            "run": run,
            "summary": run.summary,
            "differences": differences,
            "changes": run.summary.get("changes"),
            "format_label": gettext(FORMAT_LABELS.get(run.format, run.format)),
            "new_form": new_form,
            "apply_form": apply_form,
            "mapping_choices": mapping_choices(run),
            "saved_mappings": saved_mappings(run),
            "active_nav": "projects",
        },
    )


@login_required
@require_POST
def import_discard(request: PageRequest, pk: int) -> HttpResponse:
    run = selectors.import_get_for_user(pk, user=request.user)
    try:
        services.import_discard(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The import was discarded; nothing was written."))
    if run.project is not None:
        return redirect("exchange:project_exchange", pk=run.project.pk)
    return redirect("exchange:import_new")


@login_required
def import_list(request: PageRequest) -> HttpResponse:
    runs = selectors.import_list(user=request.user)
    if request.GET.get("format") == "xlsx":
        return _imports_workbook(runs)
    return render(
        request,
        "exchange/import_list.html",
        {"page": paginate(request, runs), "active_nav": "projects"},
    )


def _imports_workbook(runs: Any) -> HttpResponse:
    sheet = Sheet(
        gettext("Imports"),
        [
            Column(gettext("Uploaded at"), "datetime"),
            Column(gettext("File"), "text", width=40),
            Column(gettext("Format"), "text", width=28),
            Column(gettext("Project"), "text"),
            Column(gettext("Mode"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Tasks"), "integer"),
            Column(gettext("Links"), "integer"),
            Column(gettext("Imported by"), "text"),
        ],
        [
            Row(
                [
                    local_time(run.created_at),
                    run.file_name,
                    gettext(FORMAT_LABELS.get(run.format, run.format)),
                    run.project.code if run.project else "",
                    run.get_mode_display(),
                    run.get_status_display(),
                    (run.summary.get("counts") or {}).get("tasks"),
                    (run.summary.get("counts") or {}).get("links"),
                    run.created_by.get_username(),
                ]
            )
            for run in runs
        ],
    )
    return xlsx_response("imports", [sheet], title=gettext("Imports"))


@login_required
def project_export(request: PageRequest, pk: int, format: str) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    if format not in exports.EXPORT_FORMATS:
        raise Http404
    exported = exports.project_export(
        actor=request.user,
        project=project,
        format=format,
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    return response


@login_required
def calendar_subscription(request: PageRequest) -> HttpResponse:
    """The user's personal calendar URL: create, show, or replace it."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        services.calendar_feed_reset(actor=request.user)
        if feed is None:
            messages.success(request, gettext("Your subscription address is ready."))
        else:
            messages.success(
                request,
                gettext("A new subscription address was made; the old one no longer works."),
            )
        return redirect("exchange:calendar_subscription")
    url = (
        request.build_absolute_uri(reverse("exchange:calendar_feed", args=[feed.token]))
        if feed
        else ""
    )
    return render(
        request,
        "exchange/calendar_subscription.html",
        {"feed": feed, "url": url, "active_nav": ""},
    )


def calendar_feed(request: PageRequest, token: str) -> HttpResponse:
    """The subscription itself: no sign-in, the secret token in the address stands for it."""
    feed = selectors.calendar_feed_by_token(token)
    if feed is None or not feed.user.is_active:
        raise Http404
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    content = exports.user_calendar(feed.user, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pilotage.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
