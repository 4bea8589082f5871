"""Commands about a project's stored plan: ``plan show``, ``recalc``, ``health``, ``baseline``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

import click
from django.utils.translation import gettext

from pilotage.cli.base import (
    Context,
    Group,
    fail,
    gettext_noop,
    option,
    pass_context,
    render_table,
)

if TYPE_CHECKING:
    from pilotage.planning.health import CheckOutcome, ProjectHealth
    from pilotage.planning.models import ProjectPlan
    from pilotage.planning.selectors import PlanView
    from pilotage.portfolio.models import Project

TASK_COLUMNS = (
    "id",
    "position",
    "wbs",
    "outline_level",
    "name",
    "summary",
    "milestone",
    "duration",
    "duration_minutes",
    "percent_complete",
    "start",
    "finish",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
    "predecessors",
)
"""The keys of each task in ``plan show --format json`` and the columns of ``--format csv``."""

_DATES = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")


@click.group(
    cls=Group,
    help=gettext_noop(
        "Work on a project's plan: show its tasks, schedule it again, check its health, "
        "capture a baseline. PROJECT is the project's code."
    ),
)
def plan() -> None:
    pass


def _project(context: Context, code: str, *, change: bool = False) -> Project:
    """The project with this code, if the acting user may see it (and change it)."""
    actor = context.actor()
    from pilotage.accounts.permissions import Action
    from pilotage.core.errors import NotFoundError
    from pilotage.portfolio.selectors import project_get_by_code

    try:
        return project_get_by_code(
            code, user=actor, action=Action.CHANGE if change else Action.VIEW
        )
    except NotFoundError:
        raise fail(gettext("Unknown project: %(code)s") % {"code": code}) from None


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _clock(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value:%Y-%m-%d %H:%M}"


def _days(minutes: int | None, minutes_per_day: int) -> str:
    if minutes is None:
        return ""
    days = round(minutes / minutes_per_day, 2) or 0.0
    return f"{days:.2f}".rstrip("0").rstrip(".")


def _summary(plan: ProjectPlan) -> dict[str, Any]:
    project = plan.project
    return {
        "code": project.code,
        "name": project.name,
        "start": _iso(plan.start),
        "status_date": _iso(plan.status_date),
        "finish": _iso(plan.finish),
        "calendar": plan.calendar.name if plan.calendar_id and plan.calendar else None,
        "task_count": plan.task_count,
        "critical_count": plan.critical_count,
        "health_score": plan.health_score,
        "health_rating": plan.health_rating or None,
        "calculated_at": plan.calculated_at.isoformat() if plan.calculated_at else None,
    }


def _task_rows(view: PlanView) -> list[dict[str, Any]]:
    rows = []
    for row in view.rows:
        task = row.task
        rows.append(
            {
                "id": task.pk,
                "position": task.position,
                "wbs": task.wbs_code,
                "outline_level": task.outline_level,
                "name": task.name,
                "summary": task.is_summary,
                "milestone": task.is_milestone,
                "duration": row.duration_text,
                "duration_minutes": task.duration_minutes,
                "percent_complete": task.percent_complete,
                **{key: _iso(getattr(task, key)) for key in _DATES},
                "total_float_minutes": task.total_float_minutes,
                "free_float_minutes": task.free_float_minutes,
                "critical": task.is_critical,
                "predecessors": row.predecessors,
            }
        )
    return rows


@plan.command(
    "show",
    help=gettext_noop(
        "Print the project's tasks in row order with their durations, scheduled dates, floats, "
        "critical flag and predecessors."
    ),
)
@click.argument("code", metavar="PROJECT")
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json", "csv")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@pass_context
def show(context: Context, code: str, output: str) -> None:
    project = _project(context, code)
    from pilotage.planning.selectors import plan_view

    view = plan_view(user=context.actor(), project=project)
    rows = _task_rows(view)
    if output == "json":
        text = json.dumps(
            {"project": _summary(view.plan), "tasks": rows}, indent=2, ensure_ascii=False
        )
        click.echo(text)
        return
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=TASK_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    summary = _summary(view.plan)
    click.echo(
        gettext(
            "%(code)s — %(name)s: %(count)d tasks, %(critical)d critical, "
            "from %(start)s to %(finish)s"
        )
        % {
            "code": summary["code"],
            "name": summary["name"],
            "count": view.plan.task_count,
            "critical": view.plan.critical_count,
            "start": _clock(view.plan.start),
            "finish": _clock(view.plan.finish) or "—",
        }
    )
    if not rows:
        click.echo(gettext("No tasks."), err=True)
        return
    click.echo(_table(view))


def _table(view: PlanView) -> str:
    yes = gettext("yes")
    headers = [
        gettext("ID"),
        gettext("WBS"),
        gettext("Name"),
        gettext("Duration"),
        gettext("Start"),
        gettext("Finish"),
        gettext("Total float (d)"),
        gettext("Free float (d)"),
        gettext("Critical"),
        gettext("Predecessors"),
    ]
    table = []
    for row in view.rows:
        task = row.task
        day = 1440 if task.is_elapsed else view.minutes_per_day
        table.append(
            [
                str(task.position),
                task.wbs_code,
                "  " * max(task.outline_level - 1, 0) + task.name,
                row.duration_text,
                _clock(task.start),
                _clock(task.finish),
                _days(task.total_float_minutes, day),
                _days(task.free_float_minutes, day),
                yes if task.is_critical else "",
                row.predecessors,
            ]
        )
    return render_table(headers, table, shrink=2, right=frozenset({0, 3, 6, 7}))


@plan.command(
    "recalc",
    help=gettext_noop(
        "Schedule the project's plan again (after a change elsewhere, such as a calendar's "
        "public holidays), and the projects whose tasks follow it. Needs the Change "
        "permission on the project."
    ),
)
@click.argument("code", metavar="PROJECT")
@pass_context
def recalc(context: Context, code: str) -> None:
    project = _project(context, code, change=True)
    from django.db import transaction

    from pilotage.planning.services import plan_for, recalculate
    from pilotage.portfolio.selectors import project_list

    with transaction.atomic():
        result = recalculate(project)
    plan = plan_for(project)
    plan.refresh_from_db()
    click.echo(
        gettext("%(code)s scheduled: %(count)d tasks, %(critical)d critical, finish %(finish)s.")
        % {
            "code": project.code,
            "count": plan.task_count,
            "critical": plan.critical_count,
            "finish": _clock(plan.finish) or "—",
        }
    )
    others = [pk for pk in result.projects if pk != project.pk]
    if others:
        codes = project_list(user=context.actor()).filter(pk__in=others).order_by("code")
        names = ", ".join(other.code for other in codes)
        if names:
            click.echo(gettext("Scheduled again with it: %(codes)s.") % {"codes": names})


def _measure(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "percent":
        return f"{round(value, 1):g} %"
    return f"{value:.2f}"


def _threshold(check: CheckOutcome) -> str:
    sign = "≥" if check.at_least else "≤"
    if check.unit == "percent":
        return f"{sign} {check.threshold:g} %"
    return f"{sign} {check.threshold:.2f}"


def _health_json(health: ProjectHealth) -> str:
    return json.dumps(
        {
            "project": health.project.code,
            "score": health.score,
            "rating": health.rating,
            "status_date": _iso(health.status_date),
            "has_baseline": health.has_baseline,
            "passed_count": health.passed_count,
            "assessed_count": health.assessed_count,
            "checks": [
                {
                    "kind": check.kind,
                    "number": check.number,
                    "label": check.label,
                    "threshold": check.threshold,
                    "value": check.value,
                    "unit": check.unit,
                    "at_least": check.at_least,
                    "status": check.status,
                    "passed": check.passed,
                    "reason": check.reason,
                    "offending": [
                        {"id": task.id, "position": task.position, "name": task.name}
                        for task in check.offending
                    ],
                }
                for check in health.checks
            ],
        },
        indent=2,
        ensure_ascii=False,
    )


@plan.command(
    "health",
    help=gettext_noop(
        "Assess the schedule's health (the DCMA 14-point checks) as it stands, against the "
        "primary baseline, and list the tasks that count against each check by ID."
    ),
)
@click.argument("code", metavar="PROJECT")
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@pass_context
def health(context: Context, code: str, output: str) -> None:
    project = _project(context, code)
    from pilotage.planning.health import project_health

    result = project_health(user=context.actor(), project=project)
    if output == "json":
        click.echo(_health_json(result))
        return
    ratings = {"green": gettext("green"), "amber": gettext("amber"), "red": gettext("red")}
    if result.score is None:
        click.echo(gettext("%(code)s: no check could be assessed.") % {"code": project.code})
    else:
        click.echo(
            gettext(
                "%(code)s: schedule health %(score)s %% (%(rating)s), %(passed)d of "
                "%(assessed)d checks passed, at %(date)s."
            )
            % {
                "code": project.code,
                "score": f"{result.score:g}",
                "rating": ratings.get(result.rating or "", ""),
                "passed": result.passed_count,
                "assessed": result.assessed_count,
                "date": _clock(result.status_date),
            }
        )
    statuses = {
        "passed": gettext("passed"),
        "failed": gettext("failed"),
        "not_assessed": gettext("not assessed"),
    }
    headers = [
        gettext("No."),
        gettext("Check"),
        gettext("Value"),
        gettext("Threshold"),
        gettext("Status"),
        gettext("Tasks (ID)"),
    ]
    table = [
        [
            str(check.number),
            check.label,
            _measure(check.value, check.unit),
            _threshold(check),
            statuses.get(check.status, check.status),
            ", ".join(str(task.position) for task in check.offending),
        ]
        for check in result.checks
    ]
    click.echo(render_table(headers, table, shrink=5, right=frozenset({0, 2})))


@plan.command(
    "baseline",
    help=gettext_noop(
        "Capture a baseline: save the plan's current dates, durations and work under NAME. "
        "The project's first baseline becomes its primary one."
    ),
)
@click.argument("code", metavar="PROJECT")
@click.argument("name", metavar="NAME")
@option("--description", default="", help=gettext_noop("What the baseline is for."))
@option(
    "--primary",
    is_flag=True,
    help=gettext_noop("Make it the primary baseline, which the health check compares with."),
)
@pass_context
def baseline(context: Context, code: str, name: str, description: str, primary: bool) -> None:
    project = _project(context, code, change=True)
    from pilotage.planning.services import baseline_capture

    captured = baseline_capture(
        actor=context.actor(),
        project=project,
        name=name,
        description=description,
        is_primary=True if primary else None,
    )
    message = (
        gettext("Baseline “%(name)s” of %(code)s captured (primary).")
        if captured.is_primary
        else gettext("Baseline “%(name)s” of %(code)s captured.")
    )
    click.echo(message % {"name": captured.name, "code": project.code})
