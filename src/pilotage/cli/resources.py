"""Commands about resources across projects: ``resources``, ``capacity`` and ``conflicts``."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from django.utils.translation import gettext

from pilotage.cli.base import (
    Command,
    Context,
    fail,
    gettext_noop,
    option,
    pass_context,
    render_table,
)

if TYPE_CHECKING:
    from pilotage.resources.capacity import CapacityFilters, CapacityReport, CapacityRow

# The values of resources.capacity.PERIODS and GROUPINGS, repeated here so that `--help` needs
# no Django set-up.
PERIOD_NAMES = ("week", "month")
GROUP_NAMES = ("person", "role", "skill", "department", "team")
DEFAULT_WEEKS = 26
MAX_DAYS = 3 * 366


def _format_option(function: Any) -> Any:
    return option(
        "--format",
        "output",
        type=click.Choice(("table", "json")),
        default="table",
        show_default=True,
        help=gettext_noop("Output format."),
    )(function)


def _filter_options(function: Any) -> Any:
    function = option(
        "--role", metavar="NAME", default=None, help=gettext_noop("Only the people of this role.")
    )(function)
    return option(
        "--department",
        metavar="NAME",
        default=None,
        help=gettext_noop("Only the people of this department (its name or code)."),
    )(function)


def _window_options(function: Any) -> Any:
    function = option(
        "--period",
        type=click.Choice(PERIOD_NAMES),
        default="week",
        show_default=True,
        help=gettext_noop("Columns of weeks or of months."),
    )(function)
    function = option(
        "--to",
        "finish",
        metavar="DATE",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help=gettext_noop("Last day (YYYY-MM-DD); by default 26 weeks after the first."),
    )(function)
    return option(
        "--from",
        "start",
        metavar="DATE",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help=gettext_noop("First day (YYYY-MM-DD); by default this week's Monday."),
    )(function)


def _window(start: dt.datetime | None, finish: dt.datetime | None) -> tuple[dt.date, dt.date]:
    """The days asked for: from this week's Monday (or ``start``) for 26 weeks (or to
    ``finish``)."""
    today = dt.date.today()
    first = start.date() if start else today - dt.timedelta(days=today.weekday())
    if finish is not None:
        last = finish.date()
    else:
        monday = first - dt.timedelta(days=first.weekday())
        last = monday + dt.timedelta(weeks=DEFAULT_WEEKS, days=-1)
    if last < first:
        raise fail(gettext("The end of the period is before its start."))
    if (last - first).days >= MAX_DAYS:
        raise fail(gettext("Ask for at most three years at a time."))
    return first, last


def _department_id(name: str | None) -> int | None:
    if name is None:
        return None
    from django.db.models import Q

    from pilotage.resources.selectors import department_list

    found = department_list().filter(Q(name__iexact=name) | Q(code__iexact=name)).first()
    if found is None:
        raise fail(gettext("Unknown department: %(name)s") % {"name": name})
    return int(found.pk)


def _role_id(name: str | None) -> int | None:
    if name is None:
        return None
    from pilotage.resources.selectors import job_role_list

    found = job_role_list().filter(name__iexact=name).first()
    if found is None:
        raise fail(gettext("Unknown role: %(name)s") % {"name": name})
    return int(found.pk)


def _filters(
    days: tuple[dt.date, dt.date],
    period: str,
    group_by: str,
    department: str | None,
    role: str | None,
) -> CapacityFilters:
    from pilotage.resources.capacity import CapacityFilters

    return CapacityFilters(
        start=days[0],
        finish=days[1],
        period=period,  # type: ignore[arg-type]
        group_by=group_by,  # type: ignore[arg-type]
        department=_department_id(department),
        role=_role_id(role),
    )


def _report(context: Context, filters: CapacityFilters) -> CapacityReport:
    from pilotage.resources.capacity import capacity_report

    return capacity_report(user=context.actor(), filters=filters)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cell(row: CapacityRow, index: int) -> str:
    """A percentage for the terminal: ∞ for work without capacity, - for neither."""
    percent = row.percents[index]
    if percent is None:
        return "∞"
    if row.capacity_hours[index] <= 0 and row.load_hours[index] <= 0:
        return "-"
    return f"{percent:.0f}"


def _hours(value: float) -> str:
    return f"{value:.1f}"


# resources ----------------------------------------------------------------------------------


@click.command(
    cls=Command,
    help=gettext_noop(
        "List the organisation's active resources with their role, department and team, and "
        "their capacity and load this week across all projects, as a table or as JSON."
    ),
)
@_filter_options
@_format_option
@pass_context
def resources(context: Context, department: str | None, role: str | None, output: str) -> None:
    actor = context.actor()
    from pilotage.resources.selectors import resource_list

    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    filters = _filters((monday, monday + dt.timedelta(days=6)), "week", "person", department, role)
    report = _report(context, filters)
    week = report.period_labels[0]
    by_resource = {row.resources[0]: row for row in report.rows if row.resources}
    rows = list(resource_list(user=actor, department=filters.department, role=filters.role))
    if output == "json":
        items = []
        for resource in rows:
            row = by_resource.get(resource.pk)
            items.append(
                {
                    "id": resource.pk,
                    "name": resource.name,
                    "kind": resource.kind,
                    "generic": resource.is_generic,
                    "role": resource.role.name if resource.role else None,
                    "department": resource.department.name if resource.department else None,
                    "team": resource.team.name if resource.team else None,
                    "email": resource.email,
                    "max_units": float(resource.max_units),
                    "assignments": getattr(resource, "assignment_count", 0),
                    "week": week,
                    "capacity_hours": row.capacity_hours[0] if row else None,
                    "load_hours": row.load_hours[0] if row else None,
                    "load_percent": _percent(row.percents[0]) if row else None,
                }
            )
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(gettext("No resources."), err=True)
        return
    headers = [
        gettext("Name"),
        gettext("Type"),
        gettext("Role"),
        gettext("Department"),
        gettext("Team"),
        gettext("Capacity (h)"),
        gettext("Load (h)"),
        gettext("Load %"),
    ]
    generic = gettext("generic")
    table = []
    for resource in rows:
        row = by_resource.get(resource.pk)
        table.append(
            [
                resource.name,
                f"{resource.get_kind_display()} ({generic})"
                if resource.is_generic
                else str(resource.get_kind_display()),
                resource.role.name if resource.role else "",
                resource.department.name if resource.department else "",
                resource.team.name if resource.team else "",
                _hours(row.capacity_hours[0]) if row else "",
                _hours(row.load_hours[0]) if row else "",
                _cell(row, 0) if row else "",
            ]
        )
    click.echo(gettext("Capacity and load in %(week)s") % {"week": week})
    click.echo(render_table(headers, table, shrink=0, right=frozenset({5, 6, 7})))


# capacity -----------------------------------------------------------------------------------


@click.command(
    cls=Command,
    help=gettext_noop(
        "Demand against capacity across all projects: the load of each person (or role, "
        "skill, department, team) in percent of its capacity, per week or month."
    ),
)
@_window_options
@option(
    "--group-by",
    type=click.Choice(GROUP_NAMES),
    default="person",
    show_default=True,
    help=gettext_noop("What a row is."),
)
@_filter_options
@option("--over-only", is_flag=True, help=gettext_noop("Only the rows over capacity somewhere."))
@_format_option
@pass_context
def capacity(
    context: Context,
    start: dt.datetime | None,
    finish: dt.datetime | None,
    period: str,
    group_by: str,
    department: str | None,
    role: str | None,
    over_only: bool,
    output: str,
) -> None:
    context.actor()
    from pilotage.resources.capacity import GROUPINGS

    filters = _filters(_window(start, finish), period, group_by, department, role)
    report = _report(context, filters)
    rows = [row for row in report.rows if not over_only or any(row.overloaded)]
    if output == "json":
        document = {
            "start": filters.start.isoformat(),
            "finish": filters.finish.isoformat(),
            "period": filters.period,
            "group_by": filters.group_by,
            "periods": [
                {"start": first.isoformat(), "label": label}
                for first, label in zip(report.period_firsts, report.period_labels, strict=True)
            ],
            "rows": [
                {
                    "key": row.key,
                    "label": row.label,
                    "capacity_hours": [float(value) for value in row.capacity_hours],
                    "load_hours": [float(value) for value in row.load_hours],
                    "percent": [_percent(value) for value in row.percents],
                    "overloaded": [bool(value) for value in row.overloaded],
                }
                for row in rows
            ],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    if not rows:
        message = gettext("Nobody is over capacity.") if over_only else gettext("No rows.")
        click.echo(message, err=True)
        return
    periods = range(len(report.period_labels))
    headers = [str(dict(GROUPINGS)[group_by]), *report.period_labels]
    table = [[row.label, *(_cell(row, index) for index in periods)] for row in rows]
    click.echo(
        gettext("Load in %% of capacity, %(start)s to %(finish)s")
        % {
            "start": filters.start.isoformat(),
            "finish": filters.finish.isoformat(),
        }
    )
    click.echo(
        render_table(headers, table, shrink=0, right=frozenset(index + 1 for index in periods))
    )


# conflicts ----------------------------------------------------------------------------------


@click.command(
    cls=Command,
    help=gettext_noop(
        "The over-allocations of people across all projects, in plain words: who is over "
        "capacity in which period, and the projects and tasks behind it."
    ),
)
@_window_options
@_filter_options
@_format_option
@pass_context
def conflicts(
    context: Context,
    start: dt.datetime | None,
    finish: dt.datetime | None,
    period: str,
    department: str | None,
    role: str | None,
    output: str,
) -> None:
    context.actor()
    filters = _filters(_window(start, finish), period, "person", department, role)
    report = _report(context, filters)
    if output == "json":
        items = [
            {
                "resource_id": conflict.resource.pk,
                "resource": conflict.resource.name,
                "period_index": conflict.period_index,
                "period_start": report.period_firsts[conflict.period_index].isoformat(),
                "period": conflict.period_label,
                "percent": _percent(conflict.percent),
                "load_hours": conflict.load_hours,
                "capacity_hours": conflict.capacity_hours,
                "sentence": conflict.sentence,
                "contributions": [
                    {
                        "label": part.label,
                        "project_id": part.project.pk if part.project else None,
                        "project_code": part.project.code if part.project else None,
                        "project": part.project.name if part.project else None,
                        "task_id": part.task_id,
                        "task": part.task_name,
                        "hours": part.hours,
                        "percent": _percent(part.percent),
                    }
                    for part in conflict.contributions
                ],
            }
            for conflict in report.conflicts
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if not report.conflicts:
        click.echo(
            gettext("Nobody is over capacity from %(start)s to %(finish)s.")
            % {"start": filters.start.isoformat(), "finish": filters.finish.isoformat()},
            err=True,
        )
        return
    for conflict in report.conflicts:
        click.echo(conflict.sentence)
