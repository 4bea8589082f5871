"""Pages of resources: the list, a resource's page, the organisation's reference lists, demand
against capacity (the heat map and its cells), a project's role demand and a task's
assignments."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, require_organisation
from pilotage.core.errors import ForbiddenError
from pilotage.core.exports import xlsx_response
from pilotage.core.pages import PageRequest, add_service_error, is_partial, paginate, safe_next_url
from pilotage.interop.xlsx import Column, Sheet
from pilotage.planning import selectors as planning_selectors
from pilotage.planning.models import Task
from pilotage.planning.services import plan_for
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.forms import ServiceForm
from pilotage.portfolio.models import Project
from pilotage.resources import selectors, services
from pilotage.resources.capacity import (
    GROUPINGS,
    CapacityFilters,
    CapacityReport,
    capacity_cell,
    capacity_report,
    resource_histogram,
)
from pilotage.resources.forms import (
    ORGANISATION_FORMS,
    AddRoleForm,
    AssignmentForm,
    AssignmentUnitsForm,
    CapacityFilterForm,
    CapacityForm,
    NonProjectLoadForm,
    PeriodForm,
    RateForm,
    ResourceFilterForm,
    ResourceForm,
    ResourceSkillForm,
    filter_query,
    organisation_initial,
    parse_fte,
    units_shown,
    units_value,
)
from pilotage.resources.models import (
    Department,
    JobRole,
    Resource,
    ResourceKind,
    Skill,
    Team,
)

FORBIDDEN = _("You do not have permission to do this.")
STANDARD_DAY_MINUTES = 480


def _forbid() -> None:
    raise ForbiddenError(str(FORBIDDEN))


def _separators() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR")) + str(
        formats.get_format("THOUSAND_SEPARATOR")
    )


def _number(value: float | Decimal | None, places: int = 0) -> str:
    """A number in the user's locale with at most ``places`` decimals (none when whole)."""
    if value is None:
        return ""
    rounded = round(float(value), places)
    if rounded == int(rounded):
        return formats.number_format(int(rounded))
    return formats.number_format(Decimal(str(rounded)))


# The resource list ----------------------------------------------------------------------------


def _capacity_now(resource: Resource, today: dt.date) -> Decimal:
    """The resource's capacity today: its last capacity step so far, else its max. units."""
    current = resource.max_units
    for step in resource.capacities.all():
        if step.effective_from <= today:
            current = step.units
    return current


def _skills_text(resource: Resource) -> str:
    return ", ".join(f"{held.skill.name} ({held.level})" for held in resource.skills.all())


def _resources_xlsx(resources: Iterable[Resource]) -> HttpResponse:
    today = timezone.localdate()
    sheet = Sheet(
        gettext("Resources"),
        [
            Column(gettext("Name"), "text", width=30),
            Column(gettext("Type"), "text"),
            Column(gettext("Generic"), "boolean"),
            Column(gettext("Role"), "text"),
            Column(gettext("Department"), "text"),
            Column(gettext("Team"), "text"),
            Column(gettext("Email"), "text"),
            Column(gettext("Capacity (FTE)"), "decimal"),
            Column(gettext("Calendar"), "text"),
            Column(gettext("Skills"), "text", width=40),
            Column(gettext("Assignments"), "integer"),
            Column(gettext("Active"), "boolean"),
        ],
        [
            [
                resource.name,
                resource.get_kind_display(),
                resource.is_generic,
                resource.role.name if resource.role else "",
                resource.department.name if resource.department else "",
                resource.team.name if resource.team else "",
                resource.email,
                _capacity_now(resource, today),
                resource.calendar.name if resource.calendar else "",
                _skills_text(resource),
                resource.assignment_count,  # type: ignore[attr-defined]
                resource.is_active,
            ]
            for resource in resources
        ],
    )
    return xlsx_response("resources", [sheet], title=gettext("Resources"))


@login_required
def resource_list(request: PageRequest) -> HttpResponseBase:
    filters = ResourceFilterForm(request.GET)
    resources = selectors.resource_list(
        user=request.user, **filters.selector_kwargs()
    ).prefetch_related("capacities")
    # Counting the assignments groups the rows, which drops the model's default ordering.
    resources = resources.order_by("name", "pk")
    if request.GET.get("format") == "xlsx":
        return _resources_xlsx(resources)
    page = paginate(request, resources)
    today = timezone.localdate()
    for resource in page:
        resource.capacity_now = _capacity_now(resource, today)
    context = {
        "active_nav": "resources",
        "filters": filters,
        "page": page,
        "htmx_target": "#resource-results",
    }
    if is_partial(request):
        response = render(request, "resources/partials/resource_table.html", context)
    else:
        context["may_create"] = can(request.user, Action.CREATE)
        response = render(request, "resources/resource_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _save_form(
    request: PageRequest,
    form: ServiceForm,
    *,
    save: Callable[[], models.Model],
    message: Any,
    context: dict[str, Any],
    success_url: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST call the service, then go to the saved object's page."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            add_service_error(form, exc)
        except ForbiddenError as exc:
            form.add_error(None, exc.message or str(FORBIDDEN))
        else:
            messages.success(request, message % {"object": saved})
            target: Any = saved
            return redirect(success_url(saved) if success_url else target)
    return render(request, "form_page.html", {"form": form, **context})


def _resource_breadcrumbs(resource: Resource | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("resources:resource_list"), gettext("Resources"))]
    if resource is not None:
        crumbs.append((resource.get_absolute_url(), resource.name))
    return crumbs


@login_required
def resource_create(request: PageRequest) -> HttpResponse:
    require_organisation(request.user, Action.CREATE)
    form = ResourceForm(request.POST or None, user=request.user)
    return _save_form(
        request,
        form,
        save=lambda: services.resource_create(actor=request.user, **form.changes()),
        message=_("Resource “%(object)s” created."),
        context={
            "title": gettext("New resource"),
            "cancel_url": reverse("resources:resource_list"),
            "active_nav": "resources",
            "breadcrumbs": _resource_breadcrumbs(),
        },
    )


@login_required
def resource_update(request: PageRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = ResourceForm(request.POST or None, user=request.user, instance=resource)
    return _save_form(
        request,
        form,
        save=lambda: services.resource_update(
            actor=request.user, resource=resource, **form.changes()
        ),
        message=_("Resource “%(object)s” saved."),
        context={
            "title": gettext("Edit resource"),
            "object_label": resource.name,
            "cancel_url": resource.get_absolute_url(),
            "active_nav": "resources",
            "breadcrumbs": _resource_breadcrumbs(resource),
        },
    )


def _confirm_delete(
    request: PageRequest,
    obj: models.Model,
    *,
    delete: Callable[[], None],
    success_url: str,
    cancel_url: str,
    active_nav: str,
) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, gettext("“%(object)s” deleted.") % {"object": obj})
            return redirect(success_url)
    return render(
        request,
        "confirm_delete.html",
        {
            "object": obj,
            "kind": obj._meta.verbose_name,
            "cancel_url": cancel_url,
            "error": error,
            "active_nav": active_nav,
        },
    )


@login_required
def resource_delete(request: PageRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(pk, user=request.user, action=Action.DELETE)
    return _confirm_delete(
        request,
        resource,
        delete=lambda: services.resource_delete(actor=request.user, resource=resource),
        success_url=reverse("resources:resource_list"),
        cancel_url=resource.get_absolute_url(),
        active_nav="resources",
    )


# A resource's page ----------------------------------------------------------------------------


def _histogram_context(
    request: PageRequest, resource: Resource, period_form: PeriodForm
) -> dict[str, Any]:
    filters = period_form.filters()
    histogram = resource_histogram(user=request.user, resource=resource, filters=filters)
    kinds = {gettext("business as usual"): "bau", gettext("other projects"): "other"}
    total_load = [
        round(sum(values[index] for _label, values in histogram.series), 2)
        for index in range(len(histogram.period_labels))
    ]
    return {
        "period_form": PeriodForm.showing(filters),
        "period_errors": period_form.non_field_errors(),
        "histogram": histogram,
        "histogram_rows": [
            (
                label,
                histogram.capacity_hours[index],
                total_load[index],
                [values[index] for _name, values in histogram.series],
            )
            for index, label in enumerate(histogram.period_labels)
        ],
        "histogram_data": {
            "separators": _separators(),
            "periods": histogram.period_labels,
            "capacity": histogram.capacity_hours,
            "series": [
                {"name": escape(label), "hours": values, "kind": kinds.get(label, "project")}
                for label, values in histogram.series
            ],
            "labels": {"capacity": gettext("Capacity"), "hours": gettext("hours")},
        },
        "histogram_url": reverse("resources:resource_histogram", args=[resource.pk]),
    }


def _detail_context(
    request: PageRequest, resource: Resource, **bound: forms.Form
) -> dict[str, Any]:
    may_change = can(request.user, Action.CHANGE, resource)
    minutes_per_day = (
        resource.calendar.minutes_per_day if resource.calendar else STANDARD_DAY_MINUTES
    )
    capacities = [
        (step, step.units * minutes_per_day / 60)
        for step in resource.capacities.order_by("effective_from")
    ]
    assignments = list(selectors.resource_assignments(user=request.user, resource=resource))
    for assignment in assignments:
        assignment.units_shown = units_shown(resource, assignment.units)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "resource": resource,
        "may_change": may_change,
        "may_delete": can(request.user, Action.DELETE, resource),
        "hours_per_day": resource.max_units * minutes_per_day / 60,
        "capacities": capacities,
        "rates": resource.rates.order_by("effective_from"),
        "loads": resource.non_project_loads.order_by("start", "pk"),
        "skills": resource.skills.select_related("skill").order_by("skill__name"),
        "assignments": assignments,
        "active_nav": "resources",
        "is_work": resource.kind == ResourceKind.WORK,
    }
    if resource.kind == ResourceKind.WORK:
        context.update(_histogram_context(request, resource, PeriodForm(request.GET)))
    if may_change:
        context["capacity_form"] = bound.get("capacity_form") or CapacityForm(
            initial={"effective_from": timezone.localdate()}
        )
        context["rate_form"] = bound.get("rate_form") or RateForm(
            initial={"effective_from": timezone.localdate()}
        )
        context["load_form"] = bound.get("load_form") or NonProjectLoadForm(
            initial={"start": timezone.localdate()}
        )
        context["skill_form"] = bound.get("skill_form") or ResourceSkillForm()
    return context


@login_required
def resource_detail(request: PageRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(pk, user=request.user)
    return render(request, "resources/resource_detail.html", _detail_context(request, resource))


@login_required
def resource_histogram_view(request: PageRequest, pk: int) -> HttpResponse:
    """The histogram card for other dates or periods (an htmx partial, or the whole page)."""
    resource = selectors.resource_get_for_user(pk, user=request.user)
    if not is_partial(request):
        query = request.GET.urlencode()
        return redirect(f"{resource.get_absolute_url()}{'?' + query if query else ''}#histogram")
    if resource.kind != ResourceKind.WORK:
        raise Http404(gettext("Only people and equipment have a histogram."))
    context = {
        "resource": resource,
        **_histogram_context(request, resource, PeriodForm(request.GET)),
    }
    response = render(request, "resources/partials/histogram.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _resource_change(
    request: PageRequest,
    pk: int,
    *,
    form_name: str,
    form_class: type[forms.Form],
    save: Callable[[Resource, dict[str, Any]], Any],
    message: Any,
    anchor: str,
) -> HttpResponse:
    """Validate one of the small forms of a resource's page and call its service."""
    resource = selectors.resource_get_for_user(pk, user=request.user, action=Action.CHANGE)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(resource, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, message)
            return redirect(f"{resource.get_absolute_url()}#{anchor}")
    context = _detail_context(request, resource, **{form_name: form})
    context["open_form"] = form_name
    return render(request, "resources/resource_detail.html", context)


@login_required
@require_POST
def capacity_add(request: PageRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(pk, user=request.user, action=Action.CHANGE)
    minutes = resource.calendar.minutes_per_day if resource.calendar else STANDARD_DAY_MINUTES
    return _resource_change(
        request,
        pk,
        form_name="capacity_form",
        form_class=functools.partial(CapacityForm, minutes_per_day=minutes),  # type: ignore[arg-type]
        save=lambda resource, data: services.capacity_set(
            actor=request.user, resource=resource, **data
        ),
        message=gettext("The capacity was saved."),
        anchor="capacity",
    )


@login_required
@require_POST
def rate_add(request: PageRequest, pk: int) -> HttpResponse:
    return _resource_change(
        request,
        pk,
        form_name="rate_form",
        form_class=RateForm,
        save=lambda resource, data: services.rate_set(
            actor=request.user, resource=resource, **data
        ),
        message=gettext("The cost rates were saved."),
        anchor="rates",
    )


@login_required
@require_POST
def load_add(request: PageRequest, pk: int) -> HttpResponse:
    return _resource_change(
        request,
        pk,
        form_name="load_form",
        form_class=NonProjectLoadForm,
        save=lambda resource, data: services.non_project_load_create(
            actor=request.user, resource=resource, **data
        ),
        message=gettext("The business-as-usual load was added."),
        anchor="loads",
    )


@login_required
@require_POST
def skill_set(request: PageRequest, pk: int) -> HttpResponse:
    return _resource_change(
        request,
        pk,
        form_name="skill_form",
        form_class=ResourceSkillForm,
        save=lambda resource, data: services.resource_skill_set(
            actor=request.user, resource=resource, **data
        ),
        message=gettext("The skill was saved."),
        anchor="skills",
    )


def _resource_remove(
    request: PageRequest,
    pk: int,
    item_pk: int,
    *,
    related: str,
    delete: Callable[[Any], None],
    anchor: str,
) -> HttpResponse:
    resource = selectors.resource_get_for_user(pk, user=request.user, action=Action.CHANGE)
    item = getattr(resource, related).filter(pk=item_pk).first()
    if item is None:
        raise Http404(gettext("Not found."))
    try:
        delete(item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("“%(object)s” removed.") % {"object": item})
    return redirect(f"{resource.get_absolute_url()}#{anchor}")


@login_required
@require_POST
def capacity_remove(request: PageRequest, pk: int, item_pk: int) -> HttpResponse:
    return _resource_remove(
        request,
        pk,
        item_pk,
        related="capacities",
        delete=lambda item: services.capacity_delete(actor=request.user, capacity=item),
        anchor="capacity",
    )


@login_required
@require_POST
def rate_remove(request: PageRequest, pk: int, item_pk: int) -> HttpResponse:
    return _resource_remove(
        request,
        pk,
        item_pk,
        related="rates",
        delete=lambda item: services.rate_delete(actor=request.user, rate=item),
        anchor="rates",
    )


@login_required
@require_POST
def load_remove(request: PageRequest, pk: int, item_pk: int) -> HttpResponse:
    return _resource_remove(
        request,
        pk,
        item_pk,
        related="non_project_loads",
        delete=lambda item: services.non_project_load_delete(actor=request.user, load=item),
        anchor="loads",
    )


@login_required
@require_POST
def skill_remove(request: PageRequest, pk: int, item_pk: int) -> HttpResponse:
    return _resource_remove(
        request,
        pk,
        item_pk,
        related="skills",
        delete=lambda item: services.resource_skill_delete(actor=request.user, held=item),
        anchor="skills",
    )


# The organisation -----------------------------------------------------------------------------

ORGANISATION_MODELS: dict[str, type[Department | Team | JobRole | Skill]] = {
    "department": Department,
    "team": Team,
    "role": JobRole,
    "skill": Skill,
}
ORGANISATION_TITLES = {
    "department": _("Departments"),
    "team": _("Teams"),
    "role": _("Roles"),
    "skill": _("Skills"),
}
ORGANISATION_ADD = {
    "department": _("Add a department"),
    "team": _("Add a team"),
    "role": _("Add a role"),
    "skill": _("Add a skill"),
}


def _organisation_url(kind: str = "") -> str:
    url = reverse("resources:organisation")
    return f"{url}#{kind}" if kind else url


def _organisation_sections(
    request: PageRequest, may_change: bool, bound: dict[str, ServiceForm]
) -> list[dict[str, Any]]:
    lists = {
        "department": selectors.department_list(),
        "team": selectors.team_list(),
        "role": selectors.job_role_list(),
        "skill": selectors.skill_list(),
    }
    sections = []
    for kind, items in lists.items():
        form = None
        if may_change:
            form = bound.get(kind) or ORGANISATION_FORMS[kind](
                user=request.user, auto_id=f"id_{kind}_%s"
            )
        sections.append(
            {
                "kind": kind,
                "title": ORGANISATION_TITLES[kind],
                "items": items,
                "form": form,
                "add_url": reverse("resources:organisation_item_create", args=[kind]),
                "new_label": ORGANISATION_ADD[kind],
            }
        )
    return sections


@login_required
def organisation(request: PageRequest) -> HttpResponse:
    may_change = can(request.user, Action.CHANGE)
    return render(
        request,
        "resources/organisation.html",
        {
            "sections": _organisation_sections(request, may_change, {}),
            "may_change": may_change,
            "active_nav": "resources",
        },
    )


def _organisation_kind(kind: str) -> type[Department | Team | JobRole | Skill]:
    model = ORGANISATION_MODELS.get(kind)
    if model is None:
        raise Http404(gettext("Not found."))
    return model


@login_required
@require_POST
def organisation_item_create(request: PageRequest, kind: str) -> HttpResponse:
    model = _organisation_kind(kind)
    require_organisation(request.user, Action.CREATE)
    form = ORGANISATION_FORMS[kind](request.POST, user=request.user, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        try:
            item = services.organisation_item_create(
                actor=request.user, model=model, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("“%(object)s” added.") % {"object": item})
            return redirect(_organisation_url(kind))
    return render(
        request,
        "resources/organisation.html",
        {
            "sections": _organisation_sections(request, True, {kind: form}),
            "may_change": True,
            "active_nav": "resources",
        },
    )


def _organisation_item(kind: str, pk: int) -> Department | Team | JobRole | Skill:
    model = _organisation_kind(kind)
    item = model._default_manager.filter(pk=pk).first()
    if item is None:
        raise Http404(gettext("Not found."))
    return item


@login_required
def organisation_item_update(request: PageRequest, kind: str, pk: int) -> HttpResponse:
    item = _organisation_item(kind, pk)
    require_organisation(request.user, Action.CHANGE)
    form_class = ORGANISATION_FORMS[kind]
    form = form_class(
        request.POST or None,
        user=request.user,
        instance=item,
        initial=organisation_initial(form_class, item),
    )
    return _save_form(
        request,
        form,
        save=lambda: services.organisation_item_update(
            actor=request.user, item=item, **form.cleaned_data
        ),
        message=_("“%(object)s” saved."),
        context={
            "title": gettext("Edit %(kind)s") % {"kind": item._meta.verbose_name},
            "object_label": str(item),
            "cancel_url": _organisation_url(kind),
            "active_nav": "resources",
            "breadcrumbs": [
                (reverse("resources:resource_list"), gettext("Resources")),
                (_organisation_url(), gettext("Organisation")),
            ],
        },
        success_url=lambda _saved: _organisation_url(kind),
    )


@login_required
def organisation_item_delete(request: PageRequest, kind: str, pk: int) -> HttpResponse:
    item = _organisation_item(kind, pk)
    require_organisation(request.user, Action.DELETE)
    return _confirm_delete(
        request,
        item,
        delete=lambda: services.organisation_item_delete(actor=request.user, item=item),
        success_url=_organisation_url(kind),
        cancel_url=_organisation_url(kind),
        active_nav="resources",
    )


# Demand against capacity ----------------------------------------------------------------------

# Percent of capacity mapped onto the colour scale; above it a cell is as red as it gets.
HEATMAP_MAX_PERCENT = 200


def _cell_url(filters: CapacityFilters, key: str, index: int) -> str:
    query = urlencode({**filter_query(filters), "key": key, "index": index})
    return f"{reverse('resources:capacity_cell')}?{query}"


def _band(percent: float | None, over: bool) -> str:
    if over:
        return "over"
    if percent is None or percent < 0.5:
        return "none"
    if percent < 50:
        return "low"
    if percent < 90:
        return "mid"
    return "full"


def _percent_text(percent: float | None) -> str:
    return "—" if percent is None else f"{_number(percent)} %"


def _heatmap_rows(report: CapacityReport) -> list[dict[str, Any]]:
    rows = []
    for row in report.rows:
        cells = []
        percents, over = row.percents, row.overloaded
        for index, label in enumerate(report.period_labels):
            cells.append(
                {
                    "index": index,
                    "period": label,
                    "percent": percents[index],
                    "percent_text": _percent_text(percents[index]),
                    "load": row.load_hours[index],
                    "capacity": row.capacity_hours[index],
                    "over": over[index],
                    "band": _band(percents[index], over[index]),
                    "url": _cell_url(report.filters, row.key, index),
                }
            )
        rows.append({"row": row, "cells": cells})
    return rows


def _percent_figure(percent: float | None) -> str:
    # A load without any capacity has no percentage: the cell says so with a mark.
    return "!" if percent is None else _number(percent)


def _hover_text(label: str, period: str, cell: dict[str, Any]) -> str:
    if cell["percent"] is None:
        figures = gettext("no capacity, %(load)s h of work") % {"load": _number(cell["load"], 1)}
    else:
        figures = gettext("%(percent)s · %(load)s h of %(capacity)s h") % {
            "percent": cell["percent_text"],
            "load": _number(cell["load"], 1),
            "capacity": _number(cell["capacity"], 1),
        }
    return f"<b>{escape(label)}</b> · {escape(period)}<br>{escape(figures)}"


def _heatmap_data(report: CapacityReport, rows: list[dict[str, Any]]) -> dict[str, Any]:
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for entry in rows:
        row = entry["row"]
        z.append(
            [
                HEATMAP_MAX_PERCENT
                if cell["percent"] is None
                else min(cell["percent"], HEATMAP_MAX_PERCENT)
                for cell in entry["cells"]
            ]
        )
        text.append(
            [
                "" if cell["band"] == "none" else _percent_figure(cell["percent"])
                for cell in entry["cells"]
            ]
        )
        hover.append([_hover_text(row.label, cell["period"], cell) for cell in entry["cells"]])
    return {
        "separators": _separators(),
        "periods": report.period_labels,
        # Plotly reads labels as a little HTML: names are escaped to be shown as typed.
        "rows": [escape(entry["row"].label) for entry in rows],
        "keys": [entry["row"].key for entry in rows],
        "z": z,
        "text": text,
        "hover": hover,
        "urls": [[cell["url"] for cell in entry["cells"]] for entry in rows],
        "max": HEATMAP_MAX_PERCENT,
        "labels": {"colorbar": gettext("% of capacity")},
    }


def _capacity_xlsx(report: CapacityReport) -> HttpResponse:
    periods = report.period_labels
    first = Column(gettext("Row"), "text", width=30)

    def sheet(title: str, kind: Any, values: Callable[[Any], list[Any]]) -> Sheet:
        return Sheet(
            title,
            [first, *(Column(label, kind) for label in periods)],
            [[row.label, *values(row)] for row in report.rows],
        )

    sheets = [
        sheet(
            gettext("% of capacity"),
            "percent",
            lambda row: [None if p is None else round(p / 100, 4) for p in row.percents],
        ),
        sheet(gettext("Load (h)"), "decimal", lambda row: list(row.load_hours)),
        sheet(gettext("Capacity (h)"), "decimal", lambda row: list(row.capacity_hours)),
        Sheet(
            gettext("Conflicts"),
            [
                Column(gettext("Period"), "text"),
                Column(gettext("Resource"), "text", width=30),
                Column(gettext("% of capacity"), "percent"),
                Column(gettext("Load (h)"), "decimal"),
                Column(gettext("Capacity (h)"), "decimal"),
                Column(gettext("Conflict"), "text", width=80),
            ],
            [
                [
                    conflict.period_label,
                    conflict.resource.name,
                    None if conflict.percent is None else round(conflict.percent / 100, 4),
                    conflict.load_hours,
                    conflict.capacity_hours,
                    conflict.sentence,
                ]
                for conflict in report.conflicts
            ],
        ),
    ]
    return xlsx_response("capacity", sheets, title=gettext("Demand against capacity"))


@login_required
def capacity(request: PageRequest) -> HttpResponse:
    form = CapacityFilterForm(request.GET)
    filters = form.capacity_filters()
    report = capacity_report(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _capacity_xlsx(report)
    rows = _heatmap_rows(report)
    conflicts = [
        (conflict, _cell_url(filters, f"resource-{conflict.resource.pk}", conflict.period_index))
        for conflict in report.conflicts
    ]
    return render(
        request,
        "resources/capacity.html",
        {
            "form": CapacityFilterForm.showing(filters),
            "form_errors": form.non_field_errors(),
            "filters": filters,
            "report": report,
            "rows": rows,
            "chart_data": _heatmap_data(report, rows),
            "conflicts": conflicts,
            "group_label": dict(GROUPINGS)[filters.group_by],
            "overloaded_cells": int(report.overloaded_cells),
            "export_query": urlencode({**filter_query(filters), "format": "xlsx"}),
            "active_nav": "capacity",
        },
    )


@login_required
def capacity_cell_view(request: PageRequest) -> HttpResponse:
    """What makes up one cell of the heat map: the projects and tasks behind it."""
    form = CapacityFilterForm(request.GET)
    filters = form.capacity_filters()
    try:
        index = int(request.GET.get("index", ""))
    except ValueError as error:
        raise Http404(gettext("Not found.")) from error
    detail = capacity_cell(
        user=request.user, filters=filters, key=request.GET.get("key", ""), index=index
    )
    if detail is None:
        raise Http404(gettext("Not found."))
    context = {
        "detail": detail,
        "filters": filters,
        "load_hours": detail.row.load_hours[index],
        "capacity_hours": detail.row.capacity_hours[index],
        "over": detail.row.overloaded[index],
        "percent_text": _percent_text(detail.percent),
        "back_url": f"{reverse('resources:capacity')}?{urlencode(filter_query(filters))}",
        "active_nav": "capacity",
    }
    template = (
        "resources/partials/capacity_cell.html"
        if is_partial(request)
        else "resources/capacity_cell.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Project role demand --------------------------------------------------------------------------

MAX_DEMAND_MONTHS = 60
DEFAULT_DEMAND_MONTHS = 12


def _month_span(first: dt.date, last: dt.date) -> list[dt.date]:
    months: list[dt.date] = []
    current = first.replace(day=1)
    while current <= last and len(months) < MAX_DEMAND_MONTHS:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _demand_months(project: Project, demand_months: Iterable[dt.date]) -> list[dt.date]:
    """The project's months (start to finish, a year from this month when it has no dates),
    widened to every month that already has demand."""
    today = timezone.localdate()
    first = project.start_date or today
    last = project.finish_date or (first.replace(day=1) + dt.timedelta(days=31 * 11))
    known = list(demand_months)
    if known:
        first = min(first, *known)
        last = max(last, *known)
    return _month_span(first, max(last, first))


def _cell_name(role_id: int, month: dt.date) -> str:
    return f"d-{role_id}-{month:%Y-%m}"


def _demand_grid(
    project: Project,
    user: Any,
    *,
    extra_roles: Iterable[JobRole] = (),
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    demands = list(selectors.role_demand_list(user=user, project=project))
    values = {(d.role_id, d.month): d.units for d in demands}
    roles = {d.role_id: d.role for d in demands}
    for role in extra_roles:
        roles.setdefault(role.pk, role)
    months = _demand_months(project, [d.month for d in demands])
    typed = typed or {}
    errors = errors or {}
    rows = []
    for role in sorted(roles.values(), key=lambda r: r.name.lower()):
        cells = []
        for month in months:
            name = _cell_name(role.pk, month)
            value = values.get((role.pk, month))
            cells.append(
                {
                    "name": name,
                    "month": month,
                    "value": value,
                    "text": typed.get(name, _number(value, 2) if value else ""),
                    "error": errors.get(name, ""),
                }
            )
        rows.append(
            {
                "role": role,
                "cells": cells,
                "total": sum(values.get((role.pk, m), 0) for m in months),
            }
        )
    totals = [
        sum((values.get((role_id, month), Decimal(0)) for role_id in roles), Decimal(0))
        for month in months
    ]
    return {"months": months, "rows": rows, "totals": totals}


def _save_demand(request: PageRequest, project: Project) -> dict[str, str]:
    """Save the changed cells of the grid in one transaction; the cells' errors otherwise."""
    current = {
        _cell_name(d.role_id, d.month): d.units
        for d in selectors.role_demand_list(user=request.user, project=project)
    }
    roles = {role.pk: role for role in JobRole.objects.all()}
    changes: list[tuple[JobRole, dt.date, Decimal]] = []
    errors: dict[str, str] = {}
    for name, text in request.POST.items():
        if not name.startswith("d-"):
            continue
        try:
            _prefix, role_text, year, month = name.split("-")
            role = roles[int(role_text)]
            first = dt.date(int(year), int(month), 1)
        except (ValueError, KeyError):
            continue
        try:
            units = parse_fte(str(text))
        except ValidationError as error:
            errors[name] = " ".join(error.messages)
            continue
        if units != current.get(name, Decimal(0)):
            changes.append((role, first, units))
    if errors:
        return errors
    with transaction.atomic():
        for role, first, units in changes:
            services.role_demand_set(
                actor=request.user, project=project, role=role, month=first, units=units
            )
    return {}


@login_required
def project_demand(request: PageRequest, pk: int) -> HttpResponse:
    """A project's demand by role and month, in full-time equivalents."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    may_change = can(request.user, Action.CHANGE, project)
    add_form = AddRoleForm(request.GET if "role" in request.GET else None)
    extra = [add_form.cleaned_data["role"]] if add_form.is_bound and add_form.is_valid() else []
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_change:
            _forbid()
        errors = _save_demand(request, project)
        if not errors:
            messages.success(request, gettext("The demand was saved."))
            return redirect("resources:project_demand", pk=project.pk)
        typed = {name: str(value) for name, value in request.POST.items() if name.startswith("d-")}
        typed_roles = {name.split("-")[1] for name in typed}
        extra += list(
            JobRole.objects.filter(pk__in=[int(pk) for pk in typed_roles if pk.isdigit()])
        )
        messages.error(request, gettext("Nothing was saved: correct the cells marked in red."))
    return render(
        request,
        "resources/project_demand.html",
        {
            "project": project,
            "grid": _demand_grid(
                project, request.user, extra_roles=extra, typed=typed, errors=errors
            ),
            "add_form": add_form if add_form.is_bound else AddRoleForm(),
            "may_change": may_change,
            "tab": "demand",
            "active_nav": "projects",
        },
    )


# Task assignments -----------------------------------------------------------------------------


def _minutes_per_day(task: Task) -> int:
    plan = plan_for(task.project)
    return plan.calendar.minutes_per_day if plan.calendar else STANDARD_DAY_MINUTES


def _work_text(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{_number(minutes / 60, 1)} h"


def _assignments_context(
    request: PageRequest,
    task: Task,
    *,
    form: AssignmentForm | None = None,
    errors: dict[int, str] | None = None,
) -> dict[str, Any]:
    may_change = can(request.user, Action.CHANGE, task.project)
    assignments = list(selectors.task_assignments(user=request.user, task=task))
    for assignment in assignments:
        assignment.units_shown = units_shown(assignment.resource, assignment.units)  # type: ignore[attr-defined]
        assignment.work_text = _work_text(assignment.work_minutes)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "task": task,
        "project": task.project,
        "assignments": assignments,
        "may_change": may_change and not task.is_summary,
        "errors": errors or {},
        "work_text": _work_text(task.work_minutes),
    }
    if may_change and not task.is_summary:
        context["form"] = form or AssignmentForm(minutes_per_day=_minutes_per_day(task))
    return context


def _schedule_of(task: Task) -> tuple[Any, ...]:
    return (task.start, task.finish, task.duration_minutes)


def _assignments_response(
    request: PageRequest,
    task: Task,
    *,
    message: str = "",
    scheduled: tuple[Any, ...] | None = None,
    **kwargs: Any,
) -> HttpResponse:
    if scheduled is not None:
        task.refresh_from_db()
        if is_partial(request) and _schedule_of(task) != scheduled:
            # An effort-driven task got shorter or longer: the whole task page is out of date.
            if message:
                messages.success(request, message)
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
    if is_partial(request):
        context = _assignments_context(request, task, **kwargs)
        context["message"] = message
        return render(request, "resources/partials/task_assignments.html", context)
    if message:
        messages.success(request, message)
    if kwargs.get("form") is not None or kwargs.get("errors"):
        return render(
            request,
            "resources/task_assignments.html",
            {
                **_assignments_context(request, task, **kwargs),
                "task_tab": "details",
                "active_nav": "projects",
            },
        )
    return redirect(safe_next_url(request, task.get_absolute_url()))


@login_required
def task_assignments(request: PageRequest, pk: int) -> HttpResponse:
    """A task's assignments; an htmx request gets the block the task's page shows."""
    task = planning_selectors.task_get_for_user(pk, user=request.user)
    if request.method == "POST":
        if not can(request.user, Action.CHANGE, task.project):
            _forbid()
        form = AssignmentForm(request.POST, minutes_per_day=_minutes_per_day(task))
        scheduled = _schedule_of(task)
        if form.is_valid():
            try:
                assignment = services.assignment_create(
                    actor=request.user, task=task, **form.service_values()
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                return _assignments_response(
                    request,
                    task,
                    scheduled=scheduled,
                    message=gettext("%(resource)s is assigned.")
                    % {"resource": assignment.resource.name},
                )
        return _assignments_response(request, task, form=form)
    if is_partial(request):
        response = render(
            request,
            "resources/partials/task_assignments.html",
            _assignments_context(request, task),
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    return render(
        request,
        "resources/task_assignments.html",
        {**_assignments_context(request, task), "task_tab": "details", "active_nav": "projects"},
    )


@login_required
@require_POST
def assignment_update(request: PageRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get_for_user(pk, user=request.user, action=Action.CHANGE)
    task = assignment.task
    scheduled = _schedule_of(task)
    form = AssignmentUnitsForm(request.POST)
    if not form.is_valid():
        return _assignments_response(
            request,
            task,
            errors={assignment.pk: " ".join(str(e) for e in form.errors.get("units", []))},
        )
    try:
        services.assignment_update(
            actor=request.user,
            assignment=assignment,
            units=units_value(assignment.resource, form.cleaned_data["units"]),
        )
    except ValidationError as exc:
        return _assignments_response(request, task, errors={assignment.pk: " ".join(exc.messages)})
    return _assignments_response(
        request,
        task,
        scheduled=scheduled,
        message=gettext("The units of %(resource)s were changed.")
        % {"resource": assignment.resource.name},
    )


@login_required
@require_POST
def assignment_delete(request: PageRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get_for_user(pk, user=request.user, action=Action.CHANGE)
    task = assignment.task
    name = assignment.resource.name
    scheduled = _schedule_of(task)
    services.assignment_delete(actor=request.user, assignment=assignment)
    return _assignments_response(
        request,
        task,
        scheduled=scheduled,
        message=gettext("%(resource)s was removed from the task.") % {"resource": name},
    )
