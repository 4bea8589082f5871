"""Pages of schedule risk analysis: a project's three-point estimates (a grid edited in place,
multipliers for many tasks at once, an Excel export), its simulations (the set-up form and the
past runs) and a run's results (percentiles, probabilities, charts, critical tasks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    is_partial,
    paginate,
    per_page_from,
    report_error,
)
from pilotage.core.templatetags.pilotage import money
from pilotage.interop.xlsx import Column, Sheet
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_get_for_user
from pilotage.risks import simulation as services
from pilotage.risks.forms_simulation import (
    SIMULATION_ERROR_FIELDS,
    EstimateForm,
    MultipliersForm,
    SimulationForm,
    estimate_error_fields,
)
from pilotage.risks.models import (
    EstimateDistribution,
    SimulationRun,
    SimulationStatus,
    TaskEstimate,
)

ESTIMATES_PER_PAGE = 100


def _project_context(project: Project, raid_tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "project": project,
        "tab": "raid",
        "raid_tab": raid_tab,
        "active_nav": "projects",
        **extra,
    }


def _estimates_url(project: Project) -> str:
    return reverse("risks:project_estimates", args=[project.pk])


# Estimates -----------------------------------------------------------------------------------


def _days(minutes: int | None, per_day: int) -> float | None:
    return None if minutes is None else round(minutes / per_day, 2)


def _estimates_xlsx(project: Project, rows: Sequence[services.EstimateRow]) -> HttpResponse:
    currency = project.currency
    sheet = Sheet(
        gettext("Estimates"),
        [
            Column(gettext("ID"), "integer"),
            Column(gettext("WBS"), "text"),
            Column(gettext("Task"), "text", width=40),
            Column(gettext("Planned (days)"), "duration_days"),
            Column(gettext("Distribution"), "text"),
            Column(gettext("Optimistic (days)"), "duration_days"),
            Column(gettext("Most likely (days)"), "duration_days"),
            Column(gettext("Pessimistic (days)"), "duration_days"),
            Column(gettext("Lowest cost"), "money", currency=currency),
            Column(gettext("Most likely cost"), "money", currency=currency),
            Column(gettext("Highest cost"), "money", currency=currency),
        ],
        [
            [
                row.task.position,
                row.task.wbs_code,
                row.task.name,
                _days(
                    row.task.duration_minutes,
                    services.minutes_per_day(row.task, row.minutes_per_day),
                ),
                row.estimate.get_distribution_display() if row.estimate else "",
                *[
                    _days(
                        getattr(row.estimate, name) if row.estimate else None,
                        services.minutes_per_day(row.task, row.minutes_per_day),
                    )
                    for name in ("optimistic_minutes", "most_likely_minutes", "pessimistic_minutes")
                ],
                row.estimate.cost_low if row.estimate else None,
                row.estimate.cost_likely if row.estimate else None,
                row.estimate.cost_high if row.estimate else None,
            ]
            for row in rows
        ],
    )
    return xlsx_response(
        f"{project.code}-estimates", [sheet], title=gettext("Three-point estimates")
    )


@login_required
def project_estimates(request: PageRequest, project_id: int) -> HttpResponseBase:
    project = project_get_for_user(project_id, user=request.user)
    rows = services.estimate_rows(user=request.user, project=project)
    if request.GET.get("format") == "xlsx":
        return _estimates_xlsx(project, rows)
    may_change = can(request.user, Action.CHANGE, project)
    page = paginate(request, rows, per_page_from(request, ESTIMATES_PER_PAGE))
    lines = [
        {
            "row": row,
            "form": EstimateForm(task=row.task, minutes_per_day=row.minutes_per_day)
            if may_change
            else None,
        }
        for row in page.object_list
    ]
    bulk = MultipliersForm(task_choices=[])
    return render(
        request,
        "risks/estimate_list.html",
        _project_context(
            project,
            "estimates",
            page=page,
            lines=lines,
            bulk=bulk,
            may_change=may_change,
            estimated=sum(1 for row in rows if row.estimate is not None),
            total=len(rows),
        ),
    )


def _row_response(
    request: PageRequest, row: services.EstimateRow, form: EstimateForm, *, saved: bool
) -> HttpResponse:
    return render(
        request,
        "risks/partials/simulation_estimate_row.html",
        {
            "line": {"row": row, "form": form},
            "project": row.task.project,
            "may_change": True,
            "saved": saved,
        },
    )


@login_required
@require_POST
def estimate_save(request: PageRequest, project_id: int, task_id: int) -> HttpResponse:
    """Save one row of the grid: its htmx request gets the row back, a plain post a redirect."""
    project = project_get_for_user(project_id, user=request.user, action=Action.CHANGE)
    task = services.estimate_task_get_for_user(
        project, task_id, user=request.user, action=Action.CHANGE
    )
    per_day = services.plan_minutes_per_day(project)
    form = EstimateForm(request.POST, task=task, minutes_per_day=per_day)
    saved = False
    if form.is_valid():
        try:
            services.estimate_set(
                actor=request.user, task=task, project=project, **form.service_kwargs()
            )
        except ValidationError as error:
            for name, problems in estimate_error_fields(error).items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            saved = True
    if is_partial(request):
        estimate = TaskEstimate.objects.filter(task=task).first()
        row = services.EstimateRow(task=task, estimate=estimate, minutes_per_day=per_day)
        if saved:
            form = EstimateForm(task=task, minutes_per_day=per_day)
        return _row_response(request, row, form, saved=saved)
    if saved:
        messages.success(request, gettext("Estimate of “%(task)s” saved.") % {"task": task.name})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in errors:
                messages.error(
                    request, f"{task.name} — {label}: {problem}" if label else str(problem)
                )
    return redirect(_estimates_url(project))


@login_required
@require_POST
def estimate_clear(request: PageRequest, project_id: int, task_id: int) -> HttpResponse:
    project = project_get_for_user(project_id, user=request.user, action=Action.CHANGE)
    task = services.estimate_task_get_for_user(
        project, task_id, user=request.user, action=Action.CHANGE
    )
    services.estimate_clear(actor=request.user, task=task)
    if is_partial(request):
        per_day = services.plan_minutes_per_day(project)
        row = services.EstimateRow(task=task, estimate=None, minutes_per_day=per_day)
        return _row_response(
            request, row, EstimateForm(task=task, minutes_per_day=per_day, initial={}), saved=False
        )
    messages.success(request, gettext("Estimate of “%(task)s” removed.") % {"task": task.name})
    return redirect(_estimates_url(project))


@login_required
@require_POST
def estimates_bulk(request: PageRequest, project_id: int) -> HttpResponse:
    """Estimate the ticked tasks, or every task without an estimate, as multiples of their
    planned duration."""
    project = project_get_for_user(project_id, user=request.user, action=Action.CHANGE)
    rows = services.estimate_rows(user=request.user, project=project)
    by_pk = {row.task.pk: row.task for row in rows}
    form = MultipliersForm(
        request.POST, task_choices=[(pk, task.name) for pk, task in by_pk.items()]
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for problem in errors:
                messages.error(request, str(problem))
        return redirect(_estimates_url(project))
    data = form.cleaned_data
    tasks = [by_pk[pk] for pk in data["tasks"]] if data["scope"] == "selected" else None
    try:
        written = services.estimates_apply_multipliers(
            actor=request.user,
            project=project,
            optimistic=float(data["optimistic"]),
            most_likely=float(data["most_likely"]),
            pessimistic=float(data["pessimistic"]),
            tasks=tasks,
            distribution=data["distribution"],
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            gettext("%(count)s tasks estimated.") % {"count": len(written)}
            if written
            else gettext("No task to estimate: every task already has an estimate."),
        )
    return redirect(_estimates_url(project))


# Simulations ---------------------------------------------------------------------------------


def _summary(run: SimulationRun) -> dict[str, Any]:
    """What the list of runs shows of a run: its P50 and P80 and the deadline probability."""
    percentiles = getattr(run, "summary_percentiles", None) or []
    by_label = {entry["label"]: entry for entry in percentiles}
    return {
        "run": run,
        "p50": _moment(by_label.get("P50", {}).get("finish")),
        "p80": _moment(by_label.get("P80", {}).get("finish")),
        "deadline_probability": getattr(run, "summary_deadline_probability", None),
    }


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@login_required
def project_simulations(request: PageRequest, project_id: int) -> HttpResponse:
    """The set-up form of a new run and the project's past runs."""
    project = project_get_for_user(project_id, user=request.user)
    may_change = can(request.user, Action.CHANGE, project)
    form = SimulationForm(request.POST or None, project=project)
    if request.method == "POST":
        project = project_get_for_user(project_id, user=request.user, action=Action.CHANGE)
        if form.is_valid():
            try:
                run = services.simulation_run(
                    actor=request.user, project=project, **form.service_kwargs()
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                if run.status == SimulationStatus.FAILED:
                    messages.error(request, run.error)
                return redirect("risks:simulation_detail", pk=run.pk)
    runs = paginate(request, services.simulation_list(user=request.user, project=project))
    return render(
        request,
        "risks/simulation_list.html",
        _project_context(
            project,
            "simulations",
            form=form,
            page=runs,
            runs=[_summary(run) for run in runs.object_list],
            may_change=may_change,
            estimated=TaskEstimate.objects.filter(project=project).count(),
        ),
    )


def _form_error(form: SimulationForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {
                SIMULATION_ERROR_FIELDS.get(name, name): problems
                for name, problems in error.message_dict.items()
            }
        )
    add_service_error(form, error)


def _deadline_label(deadline: str | None) -> str:
    moment = _moment(deadline)
    if moment is None:
        return gettext("Deadline")
    return gettext("Deadline: %(date)s") % {"date": formats.date_format(moment, "DATE_FORMAT")}


def _chart_data(run: SimulationRun, deadline: str | None) -> dict[str, Any]:
    results = run.results
    by_label = {entry["label"]: entry for entry in results.get("percentiles", [])}
    return {
        "histogram": results.get("finish_histogram"),
        "cumulative": results.get("cumulative"),
        "p50": by_label.get("P50", {}).get("finish"),
        "p80": by_label.get("P80", {}).get("finish"),
        "deadline": deadline,
        "deterministic": results.get("deterministic_finish"),
        "cost_histogram": results.get("cost_histogram") if results.get("cost_varies") else None,
        "budget": run.settings.get("budget"),
        "currency": results.get("currency", run.project.currency),
        "tornado": results.get("tornado", []),
        "labels": {
            "iterations": gettext("Iterations"),
            "cumulative": gettext("Probability of finishing by"),
            "finish": gettext("Finish"),
            "p50": "P50",
            "p80": "P80",
            "deadline": _deadline_label(deadline),
            "deterministic": gettext("Planned"),
            "cost": gettext("Cost"),
            "budget": gettext("Budget: %(amount)s")
            % {"amount": money(run.settings.get("budget"), run.project.currency)},
            "sensitivity": gettext("Correlation with the finish"),
        },
    }


@login_required
def simulation_detail(request: PageRequest, pk: int) -> HttpResponse:
    run = services.simulation_get_for_user(pk, user=request.user)
    project = run.project
    results = run.results or {}
    by_label = {entry["label"]: entry for entry in results.get("percentiles", [])}
    confidence = int(run.settings.get("confidence", 80))
    percentiles = [
        {**entry, "moment": _moment(entry.get("finish"))}
        for entry in results.get("percentiles", [])
    ]
    deadline = run.settings.get("deadline")
    criticality = [
        {**row, "percent": round(100 * row["criticality"], 1)}
        for row in results.get("criticality", [])
    ]
    multiple = len({row.get("project") for row in criticality}) > 1
    return render(
        request,
        "risks/simulation_detail.html",
        _project_context(
            project,
            "simulations",
            run=run,
            results=results,
            failed=run.status == SimulationStatus.FAILED,
            percentiles=percentiles,
            p80=_moment(by_label.get("P80", {}).get("finish")),
            p50=_moment(by_label.get("P50", {}).get("finish")),
            confidence=confidence,
            confidence_finish=_moment(by_label.get(f"P{confidence}", {}).get("finish")),
            deterministic=_moment(results.get("deterministic_finish")),
            deadline=_moment(deadline),
            budget=run.settings.get("budget"),
            deadline_percent=_percent(results.get("deadline_probability")),
            budget_percent=_percent(results.get("budget_probability")),
            criticality=criticality,
            # Milestones at the end of the network are always critical: the card names the
            # work that drives the finish.
            top_critical=[
                row for row in criticality if row["criticality"] > 0 and not row.get("milestone")
            ][:5],
            multiple_projects=multiple,
            estimates=[
                {**entry, "distribution_label": _distribution_label(entry.get("distribution"))}
                for entry in run.inputs.get("estimates", [])
            ],
            risks=run.inputs.get("risks", []),
            input_projects=run.inputs.get("projects", []),
            uncertainty=run.settings.get("uncertainty"),
            minutes_per_day=run.inputs.get("minutes_per_day", 480),
            chart_data=_chart_data(run, deadline)
            if run.status != SimulationStatus.FAILED
            else None,
            may_change=can(request.user, Action.CHANGE, project),
        ),
    )


def _distribution_label(value: Any) -> str:
    try:
        return str(EstimateDistribution(value).label)
    except ValueError:
        return str(value or "")


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


@login_required
@require_POST
def simulation_rerun(request: PageRequest, pk: int) -> HttpResponse:
    run = services.simulation_get_for_user(pk, user=request.user, action=Action.CHANGE)
    try:
        again = services.simulation_rerun(actor=request.user, run=run)
    except ValidationError as error:
        report_error(request, error)
        return redirect("risks:simulation_detail", pk=run.pk)
    if again.status == SimulationStatus.FAILED:
        messages.error(request, again.error)
    else:
        messages.success(request, gettext("Run again with the same seed and inputs."))
    return redirect("risks:simulation_detail", pk=again.pk)


@login_required
def simulation_delete(request: PageRequest, pk: int) -> HttpResponse:
    run = services.simulation_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = run.project
    if request.method == "POST":
        services.simulation_delete(actor=request.user, run=run)
        messages.success(request, gettext("Simulation run deleted."))
        return redirect("risks:project_simulations", project_id=project.pk)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": _run_label(run),
            "kind": gettext("simulation run"),
            "cancel_url": reverse("risks:simulation_detail", args=[run.pk]),
            "active_nav": "projects",
        },
    )


def _run_label(run: SimulationRun) -> str:
    when = formats.date_format(timezone.localtime(run.created_at), "SHORT_DATETIME_FORMAT")
    return run.name or gettext("Run of %(when)s") % {"when": when}
