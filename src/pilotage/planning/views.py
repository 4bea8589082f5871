"""Pages of a project's plan: the task grid, a task's page, and the plan's settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.core.errors import ForbiddenError
from pilotage.core.pages import PageRequest, add_service_error, history_context, is_partial
from pilotage.planning import grid, selectors, services
from pilotage.planning.forms import (
    ExternalLinkForm,
    PlanSettingsForm,
    TaskForm,
    task_initial,
)
from pilotage.planning.models import Task
from pilotage.planning.parsing import format_quantity, parse_quantity
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project

GRID_FIELDS = ("name", "duration", "start", "finish", "predecessors", "percent_complete")


def _issue_rows(view: selectors.PlanView) -> list[tuple[str, list[Task]]]:
    by_pk = {row.task.pk: row.task for row in view.rows}
    labels = {
        "unmet_constraints": gettext_lazy("Constraints that override the links"),
        "negative_float": gettext_lazy("Tasks with negative float"),
        "missed_deadlines": gettext_lazy("Tasks finishing after their deadline"),
    }
    issues = view.plan.issues or {}
    return [
        (str(label), [by_pk[pk] for pk in issues.get(key, []) if pk in by_pk])
        for key, label in labels.items()
        if any(pk in by_pk for pk in issues.get(key, []))
    ]


def _grid_context(
    request: PageRequest,
    project: Project,
    *,
    errors: dict[int, dict[str, str]] | None = None,
    typed: dict[int, dict[str, str]] | None = None,
    message: str = "",
    focus: str = "",
) -> dict[str, Any]:
    view = selectors.plan_view(user=request.user, project=project)
    may_change = can(request.user, Action.CHANGE, project)
    return {
        "project": project,
        "view": view,
        "plan": view.plan,
        "rows": view.rows,
        "rows_html": grid.render_rows(
            view.rows,
            minutes_per_day=view.minutes_per_day,
            may_change=may_change,
            errors=errors,
            typed=typed,
        ),
        "issues": _issue_rows(view),
        "may_change": may_change,
        "grid_message": message,
        "focus": focus,
        "tab": "plan",
        "active_nav": "projects",
    }


def _grid_response(request: PageRequest, project: Project, **kwargs: Any) -> HttpResponse:
    context = _grid_context(request, project, **kwargs)
    if is_partial(request):
        return render(request, "planning/includes/plan_grid.html", context)
    if kwargs.get("message"):
        messages.error(request, kwargs["message"])
    return redirect("planning:plan", pk=project.pk)


@login_required
def plan_grid(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    return render(request, "planning/plan.html", _grid_context(request, project))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _grid_datetime(text: str, *, end_of_day: bool) -> dt.datetime:
    """A date (or date and time) typed in the grid; a bare date means the start or the end of
    the standard working day."""
    text = text.strip()
    try:
        if "T" in text or " " in text:
            return dt.datetime.fromisoformat(text)
        day = dt.date.fromisoformat(text)
    except ValueError as error:
        raise ValidationError(
            gettext("“%(text)s” is not a date: write it as YYYY-MM-DD.") % {"text": text}
        ) from error
    return dt.datetime.combine(day, dt.time(17, 0) if end_of_day else dt.time(8, 0))


def _cell_changes(task: Task, field: str, value: str, minutes_per_day: int) -> dict[str, Any]:
    """The service's keyword arguments for one edited cell of the grid."""
    if field == "name":
        if not value.strip():
            raise ValidationError(gettext("A task needs a name."))
        return {"name": value.strip()}
    if field == "duration":
        quantity = parse_quantity(value or "0", minutes_per_day=minutes_per_day)
        return {"duration_minutes": quantity.minutes, "duration_unit": quantity.unit}
    if field == "predecessors":
        return {"predecessors": value}
    if field == "percent_complete":
        try:
            percent = float(value.strip().rstrip("%").replace(",", ".") or 0)
        except ValueError as error:
            raise ValidationError(
                gettext("“%(text)s” is not a percentage.") % {"text": value}
            ) from error
        if not 0 <= percent <= 100:
            raise ValidationError(
                # xgettext:no-python-format
                gettext("% complete must be between 0 and 100.")
            )
        return {"percent_complete": percent}
    if field == "start":
        # As in Microsoft Project, typing a start pins the task with "start no earlier than".
        if not value.strip():
            return {"constraint_type": "ASAP", "constraint_date": None}
        return {
            "constraint_type": "SNET",
            "constraint_date": _grid_datetime(value, end_of_day=False),
        }
    if field == "finish":
        if not value.strip():
            return {"constraint_type": "ASAP", "constraint_date": None}
        return {
            "constraint_type": "FNET",
            "constraint_date": _grid_datetime(value, end_of_day=True),
        }
    raise ValidationError(gettext("This column cannot be edited here."))


@login_required
@require_POST
def task_cell(request: PageRequest, pk: int) -> HttpResponse:
    """Save one edited cell of the grid and show the grid scheduled again."""
    task = selectors.task_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = task.project
    field = next((name for name in GRID_FIELDS if name in request.POST), "")
    value = request.POST.get(field, "")
    focus = request.POST.get("focus", "")
    try:
        if not field:
            raise ValidationError(gettext("Nothing to save."))
        view_minutes = services.plan_for(project)
        minutes_per_day = view_minutes.calendar.minutes_per_day if view_minutes.calendar else 480
        changes = _cell_changes(task, field, value, minutes_per_day)
        services.task_update(actor=request.user, task=task, **changes)
    except ValidationError as error:
        return _grid_response(
            request,
            project,
            errors={task.pk: {field: _error_text(error)}},
            typed={task.pk: {field: value}},
            message=gettext("Task %(id)s: %(error)s")
            % {"id": task.position, "error": _error_text(error)},
            focus=f"task-{task.pk}:{field}",
        )
    del focus
    return _grid_response(request, project)


@login_required
@require_POST
def task_insert(request: PageRequest, pk: int) -> HttpResponse:
    """Insert a task above row ``position`` (or at the end) with the name typed."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user, action=Action.CHANGE)
    name = request.POST.get("name", "").strip() or gettext("New task")
    position_text = request.POST.get("position", "")
    position = int(position_text) if position_text.isdigit() else None
    values: dict[str, Any] = {}
    try:
        if request.POST.get("duration", "").strip():
            quantity = parse_quantity(request.POST["duration"])
            values = {"duration_minutes": quantity.minutes, "duration_unit": quantity.unit}
        task = services.task_create(
            actor=request.user,
            project=project,
            name=name,
            position=position,
            predecessors=request.POST.get("predecessors") or None,
            **values,
        )
    except ValidationError as error:
        return _grid_response(
            request,
            project,
            message=gettext("The task could not be added: %(error)s")
            % {"error": _error_text(error)},
            focus="new-name",
        )
    focus = f"task-{task.pk}:name" if position is not None else "new-name"
    return _grid_response(request, project, focus=focus)


def _structure_view(operation: str):  # type: ignore[no-untyped-def]
    @login_required
    @require_POST
    def view(request: PageRequest, pk: int) -> HttpResponse:
        task = selectors.task_get_for_user(pk, user=request.user, action=Action.CHANGE)
        project = task.project
        try:
            if operation == "indent":
                services.task_indent(actor=request.user, task=task)
            elif operation == "outdent":
                services.task_outdent(actor=request.user, task=task)
            elif operation == "move":
                position = request.POST.get("position", "")
                if not position.isdigit():
                    raise ValidationError(gettext("Give the row number to move the task to."))
                services.task_move(actor=request.user, task=task, position=int(position))
            elif operation == "delete":
                count = services.task_delete(actor=request.user, task=task)
                if not is_partial(request):
                    messages.success(
                        request,
                        gettext("Deleted task “%(name)s” (%(count)d rows).")
                        % {"name": task.name, "count": count},
                    )
        except ValidationError as error:
            return _grid_response(request, project, message=_error_text(error))
        return _grid_response(request, project, focus=request.POST.get("focus", ""))

    view.__name__ = f"task_{operation}"
    return view


task_indent = _structure_view("indent")
task_outdent = _structure_view("outdent")
task_move = _structure_view("move")
task_delete = _structure_view("delete")


@login_required
@require_POST
def plan_recalculate(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user, action=Action.CHANGE)
    try:
        services.recalculate(project)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, gettext("The schedule was calculated again."))
    return redirect("planning:plan", pk=project.pk)


@login_required
def plan_settings(request: PageRequest, pk: int) -> HttpResponse:
    project = portfolio_selectors.project_get_for_user(pk, user=request.user, action=Action.CHANGE)
    plan = services.plan_for(project)
    form = PlanSettingsForm(
        request.POST or None,
        user=request.user,
        project=project,
        initial={"start": plan.start, "status_date": plan.status_date, "calendar": plan.calendar},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        except ForbiddenError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("The plan settings were saved."))
            return redirect("planning:plan", pk=project.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": gettext("Plan settings"),
            "object_label": str(project),
            "cancel_url": reverse("planning:plan", args=[project.pk]),
            "breadcrumbs": [
                (reverse("portfolio:project_list"), gettext("Projects")),
                (project.get_absolute_url(), project.name),
                (reverse("planning:plan", args=[project.pk]), gettext("Plan")),
            ],
            "active_nav": "projects",
        },
    )


def _task_context(request: PageRequest, task: Task) -> dict[str, Any]:
    project = task.project
    plan = services.plan_for(project)
    minutes_per_day = plan.calendar.minutes_per_day if plan.calendar else 480
    links_in = list(selectors.predecessor_links(user=request.user, task=task))
    successors = list(selectors.successor_links(user=request.user, task=task))
    return {
        "project": project,
        "task": task,
        "plan": plan,
        "links_in": links_in,
        "links_out": successors,
        "minutes_per_day": minutes_per_day,
        "duration_text": selectors.duration_text(task, minutes_per_day),
        "work_text": format_quantity(task.work_minutes, "h") if task.work_minutes else "",
        "actual_work_text": format_quantity(task.actual_work_minutes, "h")
        if task.actual_work_minutes
        else "",
        "custom_values": selectors.custom_values(task, plan),
        "may_change": can(request.user, Action.CHANGE, task),
        "tab": "plan",
        "active_nav": "projects",
    }


@login_required
def task_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A task's page: all its values, its links (also to other projects) and its dates."""
    task = selectors.task_get_for_user(pk, user=request.user)
    context = _task_context(request, task)
    predecessors = services.predecessors_text(task)
    own_predecessors = "; ".join(
        part for part in predecessors.split("; ") if part and ":" not in part
    )
    form = TaskForm(
        request.POST if request.method == "POST" and "save_task" in request.POST else None,
        user=request.user,
        project=task.project,
        minutes_per_day=context["minutes_per_day"],
        initial=task_initial(
            task, own_predecessors, context["duration_text"], context["work_text"]
        ),
    )
    link_form = ExternalLinkForm(
        request.POST if request.method == "POST" and "add_link" in request.POST else None,
        user=request.user,
        task=task,
    )
    if request.method == "POST":
        if not context["may_change"]:
            raise ForbiddenError(gettext("You do not have permission to do this."))
        if "save_task" in request.POST and form.is_valid():
            try:
                changes = form.changes(task)
                new_predecessors = form.cleaned_data["predecessors"]
                services.task_update(
                    actor=request.user,
                    task=task,
                    predecessors=new_predecessors if new_predecessors != own_predecessors else None,
                    **changes,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("Task “%(name)s” saved.") % {"name": task.name})
                return redirect(task)
        elif "add_link" in request.POST and link_form.is_valid():
            minutes, unit, percent = link_form.cleaned_data["lag"]
            try:
                services.dependency_create(
                    actor=request.user,
                    predecessor=link_form.cleaned_data["predecessor"],
                    successor=task,
                    type=link_form.cleaned_data["type"],
                    lag_minutes=minutes,
                    lag_unit=unit,
                    lag_percent=percent,
                )
            except ValidationError as error:
                add_service_error(link_form, error)
            else:
                messages.success(request, gettext("The link was added."))
                return redirect(task)
        elif "remove_link" in request.POST:
            link = selectors.dependency_get_for_user(
                request.POST.get("remove_link"), user=request.user, action=Action.CHANGE
            )
            if link.successor_id != task.pk:
                raise ForbiddenError(gettext("You do not have permission to do this."))
            try:
                services.dependency_delete(actor=request.user, dependency=link)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(request, gettext("The link was removed."))
            return redirect(task)
    return render(
        request,
        "planning/task_detail.html",
        {**context, "form": form, "link_form": link_form, "task_tab": "details"},
    )


@login_required
def task_history(request: PageRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(pk, user=request.user)
    return render(
        request,
        "planning/task_history.html",
        {
            **_task_context(request, task),
            "task_tab": "history",
            **history_context(request, task),
        },
    )
