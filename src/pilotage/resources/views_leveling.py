"""Pages of resource leveling: start a leveling, preview it (Gantt before and after, histograms,
delays and their reasons), accept or discard it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from pilotage.accounts.permissions import Action, can, visible
from pilotage.core.pages import PageRequest, paginate, report_error
from pilotage.planning.gantt import GanttRow, render_gantt
from pilotage.planning.models import Task
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.resources.leveling import (
    leveling_accept,
    leveling_discard,
    leveling_histograms,
    leveling_preview,
    leveling_run_get_for_user,
    leveling_run_list,
)
from pilotage.resources.models import LevelingMode, LevelingRun, LevelingStatus

GANTT_ROWS = 300


def _changeable_projects(user: Any) -> list[Project]:
    planned = Task.objects.values("project_id")
    projects = (
        visible(user, Project.objects.filter(pk__in=planned))
        .select_related("portfolio", "programme")
        .order_by("code")
    )
    return [project for project in projects if can(user, Action.CHANGE, project)]


class LevelingForm(forms.Form):
    scope = forms.ChoiceField(label=_("What to level"))
    mode = forms.ChoiceField(
        label=_("Mode"), choices=LevelingMode.choices, initial=LevelingMode.FAST
    )
    within_slack = forms.BooleanField(
        label=_("Level within slack only"),
        required=False,
        help_text=_("Never delay a task past its late finish: no project finishes later."),
    )
    time_limit_seconds = forms.FloatField(
        label=_("Time limit (seconds)"),
        required=False,
        min_value=0.1,
        max_value=600,
        help_text=_("Fast mode: 1 s by default; optimise mode: 30 s."),
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        initial=0,
        required=False,
        help_text=_("The same seed gives the same leveling."),
    )

    def __init__(self, *args: Any, projects: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects = projects
        portfolios: dict[int, Portfolio] = {}
        programmes: dict[int, Programme] = {}
        for project in projects:
            portfolios[project.portfolio_id] = project.portfolio
            if project.programme is not None:
                programmes[project.programme.pk] = project.programme
        choices: list[Any] = [("all", gettext("All the projects I may change"))]
        choices.append(
            (
                gettext("Portfolios"),
                [(f"portfolio:{pk}", p.name) for pk, p in sorted(portfolios.items())],
            )
        )
        if programmes:
            choices.append(
                (
                    gettext("Programmes"),
                    [(f"programme:{pk}", p.name) for pk, p in sorted(programmes.items())],
                )
            )
        choices.append(
            (
                gettext("Projects"),
                [(f"project:{p.pk}", f"{p.code} — {p.name}") for p in projects],
            )
        )
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]

    def chosen_projects(self) -> list[Project]:
        kind, _sep, pk = self.cleaned_data["scope"].partition(":")
        if kind == "all":
            return self.projects
        field = {"portfolio": "portfolio_id", "programme": "programme_id", "project": "pk"}[kind]
        return [project for project in self.projects if str(getattr(project, field)) == pk]


@login_required
def leveling_list(request: PageRequest) -> HttpResponse:
    projects = _changeable_projects(request.user)
    initial = {"scope": request.GET.get("scope", "all")}
    form = LevelingForm(request.POST or None, projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = leveling_preview(
                actor=request.user,
                projects=form.chosen_projects(),
                mode=data["mode"],
                within_slack=data["within_slack"],
                time_limit_seconds=data["time_limit_seconds"],
                seed=data["seed"] or 0,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("resources:leveling_detail", pk=run.pk)
    page = paginate(request, leveling_run_list(user=request.user), per_page=20)
    return render(
        request,
        "resources/leveling_list.html",
        {"form": form, "page": page, "can_level": bool(projects), "active_nav": "capacity"},
    )


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _days(minutes: int, unit: str) -> str:
    """A leveling delay as people read it: in days when elapsed, else in working hours."""
    if not minutes:
        return ""
    if unit.startswith("e"):
        days = minutes / 1440
        shown = formats.number_format(round(days, 1) if days < 10 else round(days))
        return ngettext("%(days)s day", "%(days)s days", max(round(days), 1)) % {"days": shown}
    hours = formats.number_format(round(minutes / 60, 1))
    return gettext("%(hours)s working hours") % {"hours": hours}


def _when(value: str | None) -> str:
    moment = _moment(value)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else ""


def _task_label(ref: dict[str, Any]) -> str:
    if not ref.get("task_id"):
        return gettext("a task of another project")
    return gettext("%(task)s (%(project)s)") % {"task": ref["name"], "project": ref["project"]}


def _explanations(run: LevelingRun) -> list[dict[str, Any]]:
    projects = {row["project_id"]: row["name"] for row in run.result.get("projects", [])}
    lines = []
    for row in run.result.get("tasks", []):
        for reason in row.get("reasons", []):
            competing = [_task_label(ref) for ref in reason["competing"]]
            values = {
                "task": row["name"],
                "project": projects.get(row["project_id"], ""),
                "delay": _days(reason["delay_minutes"], row["delay_unit"]),
                "resource": reason["resource"],
                "others": "; ".join(dict.fromkeys(competing)),
                "when": _when(reason["when"]),
            }
            if competing:
                text = gettext(
                    "%(task)s (%(project)s) waits %(delay)s for %(resource)s, busy on "
                    "%(when)s with %(others)s."
                )
            else:
                text = gettext(
                    "%(task)s (%(project)s) waits %(delay)s for %(resource)s, who has no "
                    "capacity on %(when)s."
                )
            lines.append({"text": text % values, "task_id": row["task_id"]})
    return lines


def _unresolved(run: LevelingRun) -> list[str]:
    lines = []
    for item in run.result.get("unresolved", []):
        tasks = "; ".join(dict.fromkeys(_task_label(ref) for ref in item["tasks"]))
        lines.append(
            gettext("%(resource)s stays over capacity from %(start)s to %(finish)s: %(tasks)s.")
            % {
                "resource": item["resource"],
                "start": _when(item["start"]),
                "finish": _when(item["finish"]),
                "tasks": tasks,
            }
        )
    return lines


def _gantt(run: LevelingRun) -> Any:
    rows: list[GanttRow] = []
    by_project: dict[int, list[dict[str, Any]]] = {}
    for row in run.result.get("tasks", []):
        if row["start"] != row["start_before"] or row["finish"] != row["finish_before"]:
            by_project.setdefault(row["project_id"], []).append(row)
    for project in run.result.get("projects", []):
        moved = by_project.get(project["project_id"], [])
        if not moved:
            continue
        rows.append(
            GanttRow(
                key=f"p{project['project_id']}",
                name=f"{project['code']} — {project['name']}",
                level=1,
                kind="project",
                start=min(_moment(r["start"]) for r in moved),  # type: ignore[type-var]
                finish=max(_moment(r["finish"]) for r in moved),  # type: ignore[type-var]
                cells=(_days_between(project["finish_before"], project["finish_after"]),),
            )
        )
        for row in sorted(moved, key=lambda r: r["start"])[:GANTT_ROWS]:
            rows.append(
                GanttRow(
                    key=f"t{row['task_id']}",
                    name=row["name"],
                    level=2,
                    kind="task",
                    start=_moment(row["start"]),
                    finish=_moment(row["finish"]),
                    baseline_start=_moment(row["start_before"]),
                    baseline_finish=_moment(row["finish_before"]),
                    url=reverse("planning:task_detail", args=[row["task_id"]]),
                    cells=(_days(row["delay_minutes"], row["delay_unit"]),),
                )
            )
    if not rows:
        return None
    return render_gantt(
        rows,
        (),
        scale="week",
        columns=(gettext("Delay"),),
        name_header=gettext("Moved tasks"),
        show_baseline=True,
        show_critical=False,
        name_position=0,
        id_prefix="leveling",
    )


def _days_between(before: str, after: str) -> str:
    start, finish = _moment(before), _moment(after)
    if start is None or finish is None or finish <= start:
        return ""
    return gettext("+%(days)s d") % {
        "days": formats.number_format(round((finish - start).total_seconds() / 86400, 1))
    }


def _histogram_data(run: LevelingRun) -> list[dict[str, Any]]:
    charts = []
    for number, histogram in enumerate(leveling_histograms(run)):
        charts.append(
            {
                "id": f"leveling-histogram-{number}",
                "name": histogram.resource.name,
                "url": histogram.resource.get_absolute_url(),
                "data": {
                    "separators": str(formats.get_format("DECIMAL_SEPARATOR"))
                    + str(formats.get_format("THOUSAND_SEPARATOR")),
                    "barmode": "group",
                    "periods": histogram.period_labels,
                    "capacity": histogram.capacity_hours,
                    "series": [
                        {
                            "name": escape(gettext("Before leveling")),
                            "hours": histogram.before_hours,
                            "kind": "other",
                        },
                        {
                            "name": escape(gettext("After leveling")),
                            "hours": histogram.after_hours,
                            "kind": "project",
                        },
                    ],
                    "labels": {"capacity": gettext("Capacity"), "hours": gettext("hours")},
                },
            }
        )
    return charts


@login_required
def leveling_detail(request: PageRequest, pk: int) -> HttpResponse:
    run = leveling_run_get_for_user(pk, user=request.user)
    projects = list(run.projects.all())
    may_decide = run.status == LevelingStatus.PREVIEW and all(
        can(request.user, Action.CHANGE, project) for project in projects
    )
    return render(
        request,
        "resources/leveling_detail.html",
        {
            "run": run,
            "result": run.result,
            "stats": run.result.get("stats", {}),
            "projects": [
                {
                    **row,
                    "finish_before": _moment(row["finish_before"]),
                    "finish_after": _moment(row["finish_after"]),
                    "url": reverse("planning:gantt", args=[row["project_id"]]),
                }
                for row in run.result.get("projects", [])
            ],
            "explanations": _explanations(run),
            "unresolved": _unresolved(run),
            "gantt": _gantt(run),
            "histograms": _histogram_data(run),
            "may_decide": may_decide,
            "active_nav": "capacity",
        },
    )


@login_required
@require_POST
def leveling_decide(request: PageRequest, pk: int, decision: str) -> HttpResponse:
    run = leveling_run_get_for_user(pk, user=request.user)
    try:
        if decision == "accept":
            leveling_accept(actor=request.user, run=run)
            messages.success(
                request, gettext("Leveling accepted: the projects were scheduled again.")
            )
        else:
            leveling_discard(actor=request.user, run=run)
            messages.info(request, gettext("Leveling discarded: the plans are unchanged."))
    except ValidationError as error:
        report_error(request, error)
    return redirect("resources:leveling_detail", pk=run.pk)
