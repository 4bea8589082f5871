"""Chart pages of plans: the Gantt chart, the network diagram and the multi-project Gantt."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from pilotage.core.pages import PageRequest
from pilotage.planning import selectors
from pilotage.planning.gantt import GanttLink, GanttRow, render_gantt
from pilotage.planning.models import Dependency, Task
from pilotage.planning.network_diagram import NetworkLink, NetworkNode, render_network
from pilotage.planning.templatetags.planning import days, lag_text
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Project

SCALES = ("day", "week", "month", "quarter")
SCALE_LABELS = {
    "day": gettext_lazy("Days"),
    "week": gettext_lazy("Weeks"),
    "month": gettext_lazy("Months"),
    "quarter": gettext_lazy("Quarters"),
}
NETWORK_LIMIT = 1500


def _scale(request: PageRequest, default: str = "week") -> str:
    scale = request.GET.get("scale", default)
    return scale if scale in SCALES else default


def _flag(request: PageRequest, name: str, default: bool) -> bool:
    value = request.GET.get(name)
    return default if value is None else value not in {"0", "false", "off", ""}


def _ids(text: str) -> set[int]:
    return {int(part) for part in text.split(",") if part.strip().isdigit()}


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    clean = {key: value for key, value in merged.items() if value not in (None, "", set())}
    for key, value in clean.items():
        if isinstance(value, set | list | tuple):
            clean[key] = ",".join(str(item) for item in sorted(value))
    return "?" + urlencode(clean)


def _kind(task: Task) -> str:
    if task.is_summary:
        return "summary"
    return "milestone" if task.is_milestone else "task"


def _date(moment: Any) -> str:
    return date_format(moment, "SHORT_DATE_FORMAT") if moment else ""


@login_required
def gantt(request: PageRequest, pk: int) -> HttpResponse:
    """A project's Gantt chart: outline with collapse and expand, zoom, critical path,
    baseline bars and the status date."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    scale = _scale(request)
    show_baseline = _flag(request, "baseline", True)
    show_critical = _flag(request, "critical", True)
    level_text = request.GET.get("level", "")
    level = int(level_text) if level_text.isdigit() else None
    collapsed = _ids(request.GET.get("collapsed", ""))
    expanded = _ids(request.GET.get("expanded", ""))
    view = selectors.plan_view(user=request.user, project=project)
    params = {
        "scale": scale,
        "baseline": "1" if show_baseline else "0",
        "critical": "1" if show_critical else "0",
        "level": level,
        "collapsed": collapsed,
        "expanded": expanded,
    }
    rows: list[GanttRow] = []
    hidden_under: int | None = None
    for row in view.rows:
        task = row.task
        if hidden_under is not None:
            if task.outline_level > hidden_under:
                continue
            hidden_under = None
        is_collapsed = task.is_summary and (
            task.pk in collapsed
            or (level is not None and task.outline_level >= level and task.pk not in expanded)
        )
        if is_collapsed:
            hidden_under = task.outline_level
            toggle = _query(
                params,
                collapsed=collapsed - {task.pk},
                expanded=expanded | {task.pk} if level is not None else expanded,
            )
        else:
            toggle = _query(params, collapsed=collapsed | {task.pk}, expanded=expanded - {task.pk})
        rows.append(
            GanttRow(
                key=str(task.pk),
                name=task.name,
                level=task.outline_level - 1,
                kind=_kind(task),  # type: ignore[arg-type]
                start=task.start,
                finish=task.finish,
                percent_complete=row.percent_complete,
                critical=task.is_critical,
                baseline_start=row.baseline_start,
                baseline_finish=row.baseline_finish,
                has_children=task.is_summary,
                collapsed=is_collapsed,
                toggle_url=toggle if task.is_summary else None,
                url=task.get_absolute_url(),
                cells=(
                    str(task.position),
                    row.duration_text,
                    _date(task.start),
                    _date(task.finish),
                ),
                note=row.predecessors
                and gettext("Predecessors: %(list)s") % {"list": row.predecessors},
            )
        )
    links = [
        GanttLink(
            predecessor=str(link.predecessor_id),
            successor=str(link.successor_id),
            type=link.type,  # type: ignore[arg-type]
            critical=link.critical,
        )
        for link in view.internal_links()
    ]
    chart = render_gantt(
        rows,
        links,
        scale=scale,  # type: ignore[arg-type]
        columns=[gettext("ID"), gettext("Duration"), gettext("Start"), gettext("Finish")],
        name_header=gettext("Task name"),
        status_date=view.plan.status_date,
        show_baseline=show_baseline and view.baseline is not None,
        show_critical=show_critical,
        today=timezone.localdate(),
    )
    max_level = max((row.task.outline_level for row in view.rows), default=1)
    return render(
        request,
        "planning/gantt.html",
        {
            "project": project,
            "plan": view.plan,
            "baseline": view.baseline,
            "chart": chart,
            "scale": scale,
            "scales": [
                (value, SCALE_LABELS[value], _query(params, scale=value)) for value in SCALES
            ],
            "show_baseline": show_baseline,
            "show_critical": show_critical,
            "baseline_toggle": _query(params, baseline="0" if show_baseline else "1"),
            "critical_toggle": _query(params, critical="0" if show_critical else "1"),
            "levels": [
                (number, _query(params, level=number, collapsed=set(), expanded=set()))
                for number in range(1, max_level)
            ],
            "expand_all": _query(params, level=None, collapsed=set(), expanded=set()),
            "level": level,
            "task_count": len(view.rows),
            "tab": "gantt",
            "active_nav": "projects",
        },
    )


@login_required
def network(request: PageRequest, pk: int) -> HttpResponse:
    """A project's network (PERT) diagram: one box per task, the links between them."""
    project = portfolio_selectors.project_get_for_user(pk, user=request.user)
    view = selectors.plan_view(user=request.user, project=project)
    minutes_per_day = view.minutes_per_day
    tasks = [row for row in view.rows if not row.task.is_summary]
    critical_only = _flag(request, "critical", False)
    if critical_only:
        tasks = [row for row in tasks if row.task.is_critical]
    truncated = len(tasks) > NETWORK_LIMIT
    tasks = tasks[:NETWORK_LIMIT]
    keys = {row.task.pk for row in tasks}
    nodes = [
        NetworkNode(
            key=str(row.task.pk),
            number=row.task.position,
            name=row.task.name,
            start=row.task.start,
            finish=row.task.finish,
            duration_text=row.duration_text,
            total_float_text=f"{days(row.task.total_float_minutes, minutes_per_day)}"
            + gettext("d"),
            critical=row.task.is_critical,
            milestone=row.task.is_milestone,
            url=row.task.get_absolute_url(),
        )
        for row in tasks
    ]
    links = [
        NetworkLink(
            predecessor=str(link.predecessor_id),
            successor=str(link.successor_id),
            type=link.type,
            lag_text=lag_text(link, minutes_per_day)
            if (link.lag_minutes or link.lag_percent)
            else "",
            critical=link.critical,
        )
        for link in view.links
        if link.predecessor_id in keys and link.successor_id in keys
    ]
    diagram = render_network(nodes, links)
    return render(
        request,
        "planning/network.html",
        {
            "project": project,
            "diagram": diagram,
            "critical_only": critical_only,
            "truncated": truncated,
            "limit": NETWORK_LIMIT,
            "node_count": len(nodes),
            "tab": "network",
            "active_nav": "projects",
        },
    )


def _multi_project_chart(
    request: PageRequest, projects: Iterable[Project]
) -> tuple[Any, str, list[tuple[str, Any, str]]]:
    scale = _scale(request, "month")
    expanded = _ids(request.GET.get("expanded", ""))
    params = {"scale": scale, "expanded": expanded}
    view = selectors.multi_project_view(user=request.user, projects=projects)
    rows: list[GanttRow] = []
    task_keys: set[str] = set()
    for timeline in view.timelines:
        project = timeline.project
        open_ = project.pk in expanded
        rows.append(
            GanttRow(
                key=f"p{project.pk}",
                name=f"{project.code} — {project.name}",
                level=0,
                kind="project",
                start=timeline.start,
                finish=timeline.finish,
                critical=False,
                has_children=bool(timeline.tasks),
                collapsed=not open_,
                toggle_url=_query(
                    params,
                    expanded=expanded - {project.pk} if open_ else expanded | {project.pk},
                )
                if timeline.tasks
                else None,
                url=project.get_absolute_url(),
                cells=(
                    project.get_phase_display(),
                    _date(timeline.start),
                    _date(timeline.finish),
                ),
                note=gettext("Scheduled finish: %(date)s") % {"date": _date(timeline.finish)}
                if timeline.finish
                else "",
            )
        )
        for task in timeline.tasks:
            if not open_:
                continue
            task_keys.add(str(task.pk))
            rows.append(
                GanttRow(
                    key=str(task.pk),
                    name=task.name,
                    level=task.outline_level,
                    kind=_kind(task),  # type: ignore[arg-type]
                    start=task.start,
                    finish=task.finish,
                    percent_complete=float(task.percent_complete),
                    critical=task.is_critical,
                    url=task.get_absolute_url(),
                    cells=("", _date(task.start), _date(task.finish)),
                )
            )
    links = _multi_project_links(view.links, task_keys)
    chart = render_gantt(
        rows,
        links,
        scale=scale,  # type: ignore[arg-type]
        columns=[gettext("Phase"), gettext("Start"), gettext("Finish")],
        name_header=gettext("Project"),
        name_position=0,
        show_baseline=False,
        today=timezone.localdate(),
    )
    scales = [(value, SCALE_LABELS[value], _query(params, scale=value)) for value in SCALES]
    return chart, scale, scales


def _multi_project_links(links: list[Dependency], task_keys: set[str]) -> list[GanttLink]:
    """Links between projects: from task to task when both are shown, else between projects."""
    result: dict[tuple[str, str], GanttLink] = {}
    for link in links:
        predecessor = str(link.predecessor_id)
        successor = str(link.successor_id)
        if predecessor not in task_keys:
            predecessor = f"p{link.predecessor.project_id}"
        if successor not in task_keys:
            successor = f"p{link.successor.project_id}"
        result[(predecessor, successor)] = GanttLink(predecessor, successor, "FS")
    return list(result.values())


@login_required
def programme_gantt(request: PageRequest, pk: int) -> HttpResponse:
    programme = portfolio_selectors.programme_get_for_user(pk, user=request.user)
    projects = selectors.programme_projects(user=request.user, programme=programme)
    chart, scale, scales = _multi_project_chart(request, projects)
    return render(
        request,
        "planning/programme_gantt.html",
        {
            "programme": programme,
            "tab": "timeline",
            "chart": chart,
            "scale": scale,
            "scales": scales,
            "active_nav": "programmes",
        },
    )


@login_required
def portfolio_gantt(request: PageRequest, pk: int) -> HttpResponse:
    portfolio = portfolio_selectors.portfolio_get_for_user(pk, user=request.user)
    projects = selectors.portfolio_projects(user=request.user, portfolio=portfolio)
    chart, scale, scales = _multi_project_chart(request, projects)
    return render(
        request,
        "planning/portfolio_gantt.html",
        {
            "portfolio": portfolio,
            "tab": "timeline",
            "chart": chart,
            "scale": scale,
            "scales": scales,
            "active_nav": "portfolios",
        },
    )
