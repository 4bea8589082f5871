"""Pages of the risk register: a project's RAID overview, its register (filters, sort, Excel
export, import from a spreadsheet), a risk's page with its actions, assessments and
escalation, the forms, the portfolio-wide RAID page and the scales and settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, has_any_role
from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import local_time, xlsx_response
from pilotage.core.models import HistoryAction
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    is_partial,
    paginate,
    posted_column_mapping,
    report_error,
)
from pilotage.finance.currency import finance_settings
from pilotage.finance.sheet_import import StoredUpload
from pilotage.interop.xlsx import Column, Sheet
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project
from pilotage.risks import register
from pilotage.risks import risk_import as importer
from pilotage.risks.forms_register import (
    EscalateForm,
    RaidFilterForm,
    RiskActionForm,
    RiskFilterForm,
    RiskForm,
    RiskImportForm,
    RiskSettingsForm,
    ScaleFormSet,
    scale_initial,
)
from pilotage.risks.models import (
    EscalationLevel,
    Risk,
    RiskScaleLevel,
    ScaleKind,
)

TOP_RISKS = 5


def _separators() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR")) + str(
        formats.get_format("THOUSAND_SEPARATOR")
    )


def _project(request: PageRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return portfolio_selectors.project_get_for_user(project_id, user=request.user, action=action)


def _project_context(request: PageRequest, project: Project, raid_tab: str) -> dict[str, Any]:
    return {
        "project": project,
        "tab": "raid",
        "raid_tab": raid_tab,
        "may_edit": can(request.user, Action.CHANGE, project),
        "active_nav": "projects",
    }


def _trend_data(weeks: list[register.TrendWeek]) -> dict[str, Any]:
    currencies = sorted({currency for week in weeks for currency in week.expected_value})
    return {
        "weeks": [week.week.isoformat() for week in weeks],
        "red": [week.red for week in weeks],
        "amber": [week.amber for week in weeks],
        "green": [week.green for week in weeks],
        "emv": {
            currency: [float(week.expected_value.get(currency, 0)) for week in weeks]
            for currency in currencies
        },
        "separators": _separators(),
        "labels": {
            "red": gettext("Red"),
            "amber": gettext("Amber"),
            "green": gettext("Green"),
            "risks": gettext("Open risks"),
            "emv": gettext("Expected value"),
        },
    }


def _heat_map_context(request: PageRequest, heat_map: register.HeatMap, url: str) -> dict[str, Any]:
    """The heat map and its links: each cell lists its risks at ``url`` (keeping the page's
    filters), and the two views of the page itself."""
    params = request.GET.copy()
    for name in ("probability", "impact", "page", "view", "sort", "format"):
        params.pop(name, None)
    views = {}
    for view in ("inherent", "residual"):
        toggle = params.copy()
        toggle["view"] = view
        views[view] = f"?{toggle.urlencode()}"
    return {
        "heat_map": heat_map,
        "heat_map_url": url,
        "heat_map_query": params.urlencode(),
        "heat_map_inherent": views["inherent"],
        "heat_map_residual": views["residual"],
    }


# Project pages --------------------------------------------------------------------------------


@login_required
def project_raid(request: PageRequest, project_id: int) -> HttpResponse:
    """A project's RAID overview: counts, heat map, top risks, what is overdue, the trend."""
    project = _project(request, project_id)
    user = request.user
    residual = request.GET.get("view") == "residual"
    heat_map = register.risk_heat_map(user=user, project=project, residual=residual)
    weeks = register.risk_trend(user=user, project=project)
    return render(
        request,
        "risks/raid_overview.html",
        {
            **_project_context(request, project, "overview"),
            "overview": register.raid_overview(user=user, project=project),
            "top_risks": register.risk_top(
                user=user,
                project=project,
                by="residual" if residual else "inherent",
                limit=TOP_RISKS,
            ),
            "top_by": "residual" if residual else "inherent",
            "overdue_actions": list(
                register.risk_action_list(user=user, project=project, overdue=True)[:20]
            ),
            "overdue_reviews": list(register.risk_reviews_overdue(user=user, project=project)[:20]),
            "trend": weeks,
            "trend_data": _trend_data(weeks),
            **_heat_map_context(
                request, heat_map, reverse("risks:project_risks", args=[project.pk])
            ),
        },
    )


def _risks_xlsx(risks: Iterable[Risk], scales: register.RiskScales) -> HttpResponse:
    sheet = Sheet(
        gettext("Risks"),
        [
            Column(gettext("Code"), "text"),
            Column(gettext("Project"), "text"),
            Column(gettext("Title"), "text", width=36),
            Column(gettext("Kind"), "text"),
            Column(gettext("Category"), "text"),
            Column(gettext("Status"), "text"),
            Column(gettext("Cause"), "text", width=30),
            Column(gettext("Event"), "text", width=30),
            Column(gettext("Effect"), "text", width=30),
            Column(gettext("Probability"), "integer"),
            Column(gettext("Impact"), "integer"),
            Column(gettext("Score"), "integer"),
            Column(gettext("Residual probability"), "integer"),
            Column(gettext("Residual impact"), "integer"),
            Column(gettext("Residual score"), "integer"),
            Column(gettext("RAG"), "text"),
            Column(gettext("Probability (%)"), "percent"),
            Column(gettext("Cost impact"), "decimal"),
            Column(gettext("Expected value"), "decimal"),
            Column(gettext("Currency"), "text"),
            Column(gettext("Delay, lowest (days)"), "decimal"),
            Column(gettext("Delay, most likely (days)"), "decimal"),
            Column(gettext("Delay, highest (days)"), "decimal"),
            Column(gettext("Proximity"), "date"),
            Column(gettext("Trigger"), "text", width=30),
            Column(gettext("Response"), "text"),
            Column(gettext("Response plan"), "text", width=40),
            Column(gettext("Owner"), "text"),
            Column(gettext("Next review"), "date"),
            Column(gettext("Last reviewed"), "datetime"),
            Column(gettext("Escalation level"), "text"),
        ],
        [
            [
                risk.code,
                risk.project.code if risk.project else "",
                risk.title,
                str(risk.get_kind_display()),
                str(risk.get_category_display()),
                str(risk.get_status_display()),
                risk.cause,
                risk.event,
                risk.effect,
                risk.probability,
                risk.impact,
                risk.score,
                risk.residual_probability,
                risk.residual_impact,
                risk.residual_score,
                _rag_label(risk.rag_value),  # type: ignore[attr-defined]
                (risk.probability_percent / 100) if risk.probability_percent is not None else None,
                risk.cost_impact,
                risk.emv_value,  # type: ignore[attr-defined]
                risk.project.currency if risk.project else "",
                risk.schedule_impact_min_days,
                risk.schedule_impact_likely_days,
                risk.schedule_impact_max_days,
                risk.proximity,
                risk.trigger,
                str(risk.get_response_display()) if risk.response else "",
                risk.response_plan,
                risk.owner.get_username() if risk.owner else "",
                risk.review_date,
                local_time(risk.reviewed_at),
                str(risk.get_escalation_level_display()),
            ]
            for risk in risks
        ],
    )
    return xlsx_response("risks", [sheet], title=gettext("Risk register"))


def _rag_label(value: str) -> str:
    return {"red": gettext("Red"), "amber": gettext("Amber"), "green": gettext("Green")}.get(
        value, ""
    )


@login_required
def project_risks(request: PageRequest, project_id: int) -> HttpResponseBase:
    """The project's risk register: filters, sort, pages, the Excel export of the filtered
    register; an htmx request gets only the table."""
    project = _project(request, project_id)
    filters = RiskFilterForm(request.GET, project=project)
    sort = request.GET.get("sort", "-score")
    risks = register.risk_list(
        user=request.user, project=project, ordering=sort, **filters.selector_kwargs()
    )
    scales = register.risk_scales()
    if request.GET.get("format") == "xlsx":
        return _risks_xlsx(risks, scales)
    url = reverse("risks:project_risks", args=[project.pk])
    context: dict[str, Any] = {
        **_project_context(request, project, "risks"),
        "filters": filters,
        "page": paginate(request, risks),
        "sort": sort,
        "scales": scales,
        "cell": filters.cell,
        "cell_view": "residual" if filters.selector_kwargs()["residual"] else "inherent",
        "action": url,
        "htmx_target": "#risk-results",
    }
    if is_partial(request) and request.htmx.target == "heat-cell-risks" and filters.cell:
        # A cell of the overview's heat map: its risks, under the map.
        context["cell_risks"] = list(risks[:100])
        context["cell_show_project"] = False
        response = render(request, "risks/partials/risk_cell.html", context)
    elif is_partial(request):
        response = render(request, "risks/partials/risk_table.html", context)
    else:
        response = render(request, "risks/risk_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_page(
    request: PageRequest,
    form: RiskForm | RiskActionForm,
    *,
    title: str,
    cancel_url: str,
    breadcrumbs: list[tuple[str, str]],
    object_label: str = "",
) -> HttpResponse:
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "object_label": object_label,
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
            "active_nav": "projects",
        },
    )


def _breadcrumbs(project: Project) -> list[tuple[str, str]]:
    return [
        (project.get_absolute_url(), project.name),
        (reverse("risks:project_risks", args=[project.pk]), gettext("Risks")),
    ]


@login_required
def risk_create(request: PageRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    form = RiskForm(request.POST or None, project=project, scales=register.risk_scales())
    if request.method == "POST" and form.is_valid():
        try:
            risk = register.risk_create(actor=request.user, project=project, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("Risk “%(object)s” recorded.") % {"object": risk})
            return redirect("risks:risk_detail", pk=risk.pk)
    return _form_page(
        request,
        form,
        title=gettext("New risk"),
        object_label=project.name,
        cancel_url=reverse("risks:project_risks", args=[project.pk]),
        breadcrumbs=_breadcrumbs(project),
    )


def _risk_project(risk: Risk) -> Project:
    if risk.project is None:
        raise Http404
    return risk.project


@login_required
def risk_update(request: PageRequest, pk: int) -> HttpResponse:
    risk = register.risk_get_for_user(pk, user=request.user, action=Action.CHANGE)
    project = _risk_project(risk)
    form = RiskForm(
        request.POST or None, project=project, scales=register.risk_scales(), instance=risk
    )
    if request.method == "POST" and form.is_valid():
        try:
            register.risk_update(actor=request.user, risk=risk, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("Risk “%(object)s” saved.") % {"object": risk})
            return redirect("risks:risk_detail", pk=risk.pk)
    return _form_page(
        request,
        form,
        title=gettext("Edit risk"),
        object_label=str(risk),
        cancel_url=reverse("risks:risk_detail", args=[risk.pk]),
        breadcrumbs=_breadcrumbs(project),
    )


def _escalations(risk: Risk) -> list[dict[str, Any]]:
    """The escalations of a risk from its history: when, who, to which level, why."""
    labels = dict(EscalationLevel.choices)
    rows = []
    for entry in history_for(risk).filter(action=HistoryAction.UPDATED)[:200]:
        fields = {change.get("field"): change for change in entry.changes}
        level = fields.get("escalation_level")
        if level is None:
            continue
        comment = fields.get("escalation_comment", {})
        actor = entry.actor
        rows.append(
            {
                "when": entry.occurred_at,
                "who": (actor.get_full_name() or actor.get_username())
                if actor is not None
                else entry.actor_name,
                "old": labels.get(level.get("old"), level.get("old")),
                "new": labels.get(level.get("new"), level.get("new")),
                "comment": comment.get("new_text", ""),
            }
        )
    return rows


def _risk_page(request: PageRequest, risk: Risk, **extra: Any) -> HttpResponse:
    project = _risk_project(risk)
    user = request.user
    may_change = can(user, Action.CHANGE, risk)
    scales = register.risk_scales()
    actions = list(register.risk_action_list(user=user, risk=risk))
    context = {
        **_project_context(request, project, "risks"),
        "risk": risk,
        "scales": scales,
        "probability_level": scales.level(ScaleKind.PROBABILITY, risk.probability),
        "impact_level": scales.level(ScaleKind.IMPACT, risk.impact),
        "residual_probability_level": scales.level(
            ScaleKind.PROBABILITY, risk.residual_probability
        ),
        "residual_impact_level": scales.level(ScaleKind.IMPACT, risk.residual_impact),
        "percent_used": risk.probability_percent
        if risk.probability_percent is not None
        else scales.percent(risk.probability),
        "actions": actions,
        "assessments": list(register.risk_assessments(risk)[:100]),
        "tasks": list(risk.tasks.order_by("position")),
        "issues": list(risk.issues.order_by("code")),
        "escalations": _escalations(risk),
        "may_change": may_change,
        "may_delete": can(user, Action.DELETE, risk),
        "may_de_escalate": risk.escalation_level == EscalationLevel.PROJECT
        or can(
            user,
            Action.CHANGE,
            risk.programme
            if risk.escalation_level == EscalationLevel.PROGRAMME and risk.programme
            else risk.portfolio,
        ),
        "current_user_id": getattr(user, "pk", None),
        "action_form": RiskActionForm(project=project),
        "escalate_form": EscalateForm(item=risk),
        **extra,
    }
    return render(request, "risks/risk_detail.html", context)


@login_required
def risk_detail(request: PageRequest, pk: int) -> HttpResponse:
    risk = register.risk_get_for_user(pk, user=request.user)
    return _risk_page(request, risk)


@login_required
def risk_delete(request: PageRequest, pk: int) -> HttpResponse:
    risk = register.risk_get_for_user(pk, user=request.user, action=Action.DELETE)
    project = _risk_project(risk)
    error = ""
    if request.method == "POST":
        try:
            register.risk_delete(actor=request.user, risk=risk)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("Risk “%(object)s” deleted.") % {"object": risk})
            return redirect("risks:project_risks", project_id=project.pk)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": risk,
            "kind": gettext("risk"),
            "error": error,
            "cancel_url": reverse("risks:risk_detail", args=[risk.pk]),
            "active_nav": "projects",
        },
    )


RISK_STEPS = {
    "close": (register.risk_close, gettext_noop("“%(object)s” closed.")),
    "reopen": (register.risk_reopen, gettext_noop("“%(object)s” reopened.")),
    "review": (register.risk_review, gettext_noop("“%(object)s” marked reviewed.")),
}


@login_required
@require_POST
def risk_step(request: PageRequest, pk: int, step: str) -> HttpResponse:
    """Close, reopen or mark reviewed."""
    if step not in RISK_STEPS:
        raise Http404
    risk = register.risk_get_for_user(pk, user=request.user, action=Action.CHANGE)
    service, done = RISK_STEPS[step]
    try:
        service(actor=request.user, risk=risk)
    except ValidationError as exc:
        report_error(request, exc)
    else:
        messages.success(request, gettext(done) % {"object": risk})
    return redirect("risks:risk_detail", pk=risk.pk)


@login_required
@require_POST
def risk_escalate(request: PageRequest, pk: int) -> HttpResponse:
    """Raise the risk to its programme or portfolio, or bring it back down."""
    risk = register.risk_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = EscalateForm(request.POST, item=risk)
    if form.is_valid():
        try:
            register.raid_escalate(
                actor=request.user,
                item=risk,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            report_error(request, exc)
        else:
            messages.success(
                request,
                gettext("“%(object)s” is now at the %(level)s level.")
                % {"object": risk, "level": risk.get_escalation_level_display().lower()},
            )
    else:
        for message in form.errors.get("level", []):
            messages.error(request, str(message))
    return redirect("risks:risk_detail", pk=risk.pk)


# Actions --------------------------------------------------------------------------------------


@login_required
@require_POST
def risk_action_create(request: PageRequest, pk: int) -> HttpResponse:
    risk = register.risk_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = RiskActionForm(request.POST, project=_risk_project(risk))
    if form.is_valid():
        try:
            register.risk_action_create(actor=request.user, risk=risk, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("Action added."))
            return redirect("risks:risk_detail", pk=risk.pk)
    return _risk_page(request, risk, action_form=form, open_action_form=True)


@login_required
def risk_action_update(request: PageRequest, pk: int) -> HttpResponse:
    action = register.risk_action_get_for_user(pk, user=request.user)
    risk = action.risk
    if not can(request.user, Action.CHANGE, risk):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    project = _risk_project(risk)
    form = RiskActionForm(request.POST or None, project=project, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            register.risk_action_update(actor=request.user, action=action, **form.changes())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("Action saved."))
            return redirect("risks:risk_detail", pk=risk.pk)
    return _form_page(
        request,
        form,
        title=gettext("Edit action"),
        object_label=str(risk),
        cancel_url=reverse("risks:risk_detail", args=[risk.pk]),
        breadcrumbs=[
            *_breadcrumbs(project),
            (reverse("risks:risk_detail", args=[risk.pk]), risk.code),
        ],
    )


ACTION_STEPS = {
    "done": (register.risk_action_complete, gettext_noop("Action done.")),
    "cancel": (register.risk_action_cancel, gettext_noop("Action cancelled.")),
    "reopen": (register.risk_action_reopen, gettext_noop("Action open again.")),
    "delete": (register.risk_action_delete, gettext_noop("Action deleted.")),
}


@login_required
@require_POST
def risk_action_step(request: PageRequest, pk: int, step: str) -> HttpResponse:
    """Mark an action done, cancel it, open it again or delete it."""
    if step not in ACTION_STEPS:
        raise Http404
    action = register.risk_action_get_for_user(pk, user=request.user)
    service, done = ACTION_STEPS[step]
    try:
        service(actor=request.user, action=action)
    except ValidationError as exc:
        report_error(request, exc)
    else:
        messages.success(request, gettext(done))
    return redirect("risks:risk_detail", pk=action.risk_id)


# Import ---------------------------------------------------------------------------------------


def _import_preview(
    request: PageRequest, project: Project, stored: StoredUpload
) -> importer.RiskImportPreview:
    return importer.risk_import_preview(
        actor=request.user,
        project=project,
        name=stored.name,
        content=stored.content,
        mapping=stored.mapping,
    )


def _stored(request: PageRequest, project: Project, token: str) -> StoredUpload:
    stored = importer.upload_store.get(token, actor=request.user)
    if stored.project_id != project.pk:
        raise Http404
    return stored


@login_required
def risk_import_upload(request: PageRequest, project_id: int) -> HttpResponse:
    """Upload a CSV or Excel file of risks to preview."""
    project = _project(request, project_id, Action.CHANGE)
    form = RiskImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            token = importer.upload_store.store(
                actor=request.user, name=upload.name, content=upload.read(), project_id=project.pk
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("risks:risk_import_detail", project_id=project.pk, token=token)
    return render(
        request,
        "finance/sheet_import_upload.html",
        {
            "form": form,
            "title": gettext("Import risks"),
            "heading": gettext("Import risks into %(project)s") % {"project": project.name},
            "back_url": reverse("risks:project_risks", args=[project.pk]),
            "back_label": gettext("Risk register"),
            "help": [
                gettext(
                    "One row per risk: its title, probability and impact (the level's number or "
                    "name), and any of code, kind, category, status, cause, event, effect, "
                    "residual probability and impact, probability (%), cost impact, delays in "
                    "days, proximity, trigger, response, response plan, owner (user name, email "
                    "or full name) and next review. English and French headers are recognised."
                ),
                gettext(
                    "A row with the code of a risk of this project updates it with the values it "
                    "gives; any other row records a new risk, numbered after the others when it "
                    "has no code. Every rule of the register applies to every row."
                ),
            ],
            "mappings": importer.risk_mapping_list(),
            "active_nav": "projects",
        },
    )


@login_required
def risk_import_detail(request: PageRequest, project_id: int, token: str) -> HttpResponse:
    """The preview of an uploaded file of risks: its mapping, rows and errors."""
    project = _project(request, project_id, Action.CHANGE)
    stored = _stored(request, project, token)
    upload_url = reverse("risks:risk_import", args=[project.pk])
    if request.method == "POST":
        try:
            headers = _import_preview(request, project, stored).headers
        except ValidationError as error:
            report_error(request, error)
            return redirect(upload_url)
        mapping = posted_column_mapping(request, len(headers))
        importer.upload_store.set_mapping(token, actor=request.user, mapping=mapping)
        if "save_mapping" in request.POST:
            try:
                importer.risk_mapping_save(
                    actor=request.user,
                    project=project,
                    name=request.POST.get("mapping_name", ""),
                    headers=headers,
                    mapping=mapping,
                )
            except ValidationError as error:
                report_error(request, error)
            else:
                messages.success(request, gettext("The column mapping was saved."))
        return redirect("risks:risk_import_detail", project_id=project.pk, token=token)
    try:
        preview = _import_preview(request, project, stored)
    except ValidationError as error:
        report_error(request, error)
        importer.upload_store.discard(token, actor=request.user)
        return redirect(upload_url)
    errors = preview.errors
    count = len(preview.valid_rows)
    return render(
        request,
        "finance/sheet_import_preview.html",
        {
            "preview": preview,
            "title": gettext("Import risks"),
            "subtitle": gettext("Each row records a risk of %(project)s or updates one.")
            % {"project": project.name},
            "back_url": reverse("risks:project_risks", args=[project.pk]),
            "back_label": gettext("Risk register"),
            "upload_url": upload_url,
            "apply_url": reverse("risks:risk_import_apply", args=[project.pk, token]),
            "apply_label": ngettext("Import %(count)d risk", "Import %(count)d risks", count)
            % {"count": count},
            "apply_options": [],
            "facts": [
                (gettext("Rows"), len(preview.rows)),
                (gettext("New risks"), preview.new_rows),
                (gettext("Risks updated"), preview.updated_rows),
                (gettext("Rows with errors"), preview.error_rows),
            ],
            "columns": [
                {"index": index, "header": header, "key": preview.mapping.get(index, "")}
                for index, header in enumerate(preview.headers)
            ],
            "fields": [(field.key, field.label) for field in importer.RISKS_TARGET.fields],
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "row_headings": [
                gettext("Code"),
                gettext("Title"),
                gettext("Probability"),
                gettext("Impact"),
                gettext("Owner"),
                gettext("Update"),
            ],
            "rows": [
                {
                    "number": row.number,
                    "ok": row.ok,
                    "cells": [
                        row.code,
                        row.values.get("title", ""),
                        row.values.get("probability", ""),
                        row.values.get("impact", ""),
                        row.values["owner"].get_username() if row.values.get("owner") else "",
                        gettext("Yes") if row.is_update else "",
                    ],
                }
                for row in preview.rows[:100]
            ],
            "more_rows": max(len(preview.rows) - 100, 0),
            "active_nav": "projects",
        },
    )


@login_required
@require_POST
def risk_import_apply(request: PageRequest, project_id: int, token: str) -> HttpResponse:
    project = _project(request, project_id, Action.CHANGE)
    stored = _stored(request, project, token)
    try:
        written = importer.risk_import_apply(
            actor=request.user,
            project=project,
            preview=_import_preview(request, project, stored),
            skip_errors=bool(request.POST.get("skip_errors")),
        )
    except ValidationError as error:
        report_error(request, error)
        return redirect("risks:risk_import_detail", project_id=project.pk, token=token)
    importer.upload_store.discard(token, actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d risk was imported.", "%(count)d risks were imported.", len(written))
        % {"count": len(written)},
    )
    return redirect("risks:project_risks", project_id=project.pk)


# Portfolio-wide RAID page ---------------------------------------------------------------------


@login_required
def raid(request: PageRequest) -> HttpResponse:
    """RAID across the portfolios: heat map of every visible project, top risks, escalated
    risks and issues, overdue actions and the trend."""
    user = request.user
    filters = RaidFilterForm(request.GET, user=user)
    scope = filters.scope()
    residual = filters.residual
    heat_map = register.risk_heat_map(user=user, residual=residual, **scope)
    context: dict[str, Any] = {
        "filters": filters,
        "cell": filters.cell,
        "active_nav": "risks",
        **_heat_map_context(request, heat_map, reverse("risks:raid")),
    }
    if filters.cell is not None:
        probability, impact = filters.cell
        context["cell_show_project"] = True
        context["cell_risks"] = list(
            register.risk_list(
                user=user,
                status="open",
                probability=probability,
                impact=impact,
                residual=residual,
                **scope,
            )[:100]
        )
        if is_partial(request):
            response = render(request, "risks/partials/risk_cell.html", context)
            patch_vary_headers(response, ["HX-Request"])
            return response
    weeks = register.risk_trend(user=user, **scope)
    context.update(
        {
            "top_risks": register.risk_top(
                user=user, by="residual" if residual else "inherent", limit=10, **scope
            ),
            "top_by": "residual" if residual else "inherent",
            "escalated": register.raid_escalated(user=user, **scope),
            "overdue_actions": list(
                register.risk_action_list(user=user, overdue=True, **scope)[:50]
            ),
            "overdue_reviews": list(register.risk_reviews_overdue(user=user, **scope)[:50]),
            "trend": weeks,
            "trend_data": _trend_data(weeks),
            "may_manage_scales": register.may_manage_scales(user),
        }
    )
    response = render(request, "risks/raid_portfolio.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Scales and settings --------------------------------------------------------------------------


@login_required
def scales(request: PageRequest) -> HttpResponse:
    """The probability and impact scales with what each level means, and the RAID settings
    (changed here by administrators and the PMO)."""
    if not has_any_role(request.user):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    may_manage = register.may_manage_scales(request.user)
    settings = register.risk_settings()
    form = RiskSettingsForm(request.POST if request.method == "POST" else None, instance=settings)
    if request.method == "POST":
        if not may_manage:
            raise ForbiddenError(gettext("You do not have permission to do this."))
        if form.is_valid():
            try:
                register.risk_settings_update(actor=request.user, **form.changes())
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, gettext("The RAID settings were saved."))
                return redirect("risks:scales")
    risk_scales = register.risk_scales()
    return render(
        request,
        "risks/scales.html",
        {
            "scales": risk_scales,
            "settings": settings,
            "settings_form": form,
            "may_manage": may_manage,
            "currency": finance_settings().reporting_currency,
            "active_nav": "risks",
        },
    )


@login_required
def scale_edit(request: PageRequest, kind: str) -> HttpResponse:
    """Replace the probability or the impact scale as a whole."""
    if kind not in ScaleKind.values:
        raise Http404
    if not register.may_manage_scales(request.user):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    levels: tuple[RiskScaleLevel, ...] = register.risk_scales().levels(kind)
    formset = ScaleFormSet(
        request.POST if request.method == "POST" else None,
        initial=scale_initial(levels),
        kind=kind,
        prefix="levels",
    )
    error: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            register.risk_scale_update(actor=request.user, kind=kind, levels=formset.levels())
        except ValidationError as exc:
            error = exc.messages
        else:
            messages.success(request, gettext("The scale was saved."))
            return redirect("risks:scales")
    return render(
        request,
        "risks/risk_scale_edit.html",
        {
            "formset": formset,
            "kind": kind,
            "kind_label": ScaleKind(kind).label,
            "errors": error,
            "currency": finance_settings().reporting_currency,
            "active_nav": "risks",
        },
    )


__all__ = [
    "project_raid",
    "project_risks",
    "raid",
    "risk_action_create",
    "risk_action_step",
    "risk_action_update",
    "risk_create",
    "risk_delete",
    "risk_detail",
    "risk_escalate",
    "risk_import_apply",
    "risk_import_detail",
    "risk_import_upload",
    "risk_step",
    "risk_update",
    "scale_edit",
    "scales",
]
