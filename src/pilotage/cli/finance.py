"""Commands about money: ``evm``, a project's earned value at a status date."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

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

# The JSON keys, in order (the figures of pilotage.finance.earned_value, spelled out).
JSON_KEYS = (
    "project",
    "currency",
    "as_of",
    "planned_value",
    "earned_value",
    "actual_cost",
    "budget_at_completion",
    "schedule_variance",
    "cost_variance",
    "schedule_performance_index",
    "cost_performance_index",
    "estimate_at_completion",
    "estimate_at_completion_atypical",
    "estimate_at_completion_cpi",
    "estimate_at_completion_cpi_spi",
    "estimate_at_completion_bottom_up",
    "estimate_to_complete",
    "variance_at_completion",
    "to_complete_performance_index_bac",
    "to_complete_performance_index_eac",
    "earned_schedule",
    "earned_schedule_days",
    "actual_time_days",
    "schedule_variance_time_days",
    "schedule_performance_index_time",
    "independent_estimate_at_completion_time_days",
    "planned_finish",
    "forecast_finish",
)


def _status_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(
            gettext("Invalid status date: %(value)s (expected YYYY-MM-DD).") % {"value": value}
        ) from None


def _rows(document: dict[str, Any]) -> list[list[str]]:
    """(figure, abbreviation, value) lines for the terminal."""
    currency = document["currency"]

    def money(key: str) -> str:
        value = document[key]
        return "—" if value is None else f"{float(value):,.2f} {currency}"

    def index(key: str) -> str:
        value = document[key]
        return "—" if value is None else f"{value:.3f}"

    def days(key: str) -> str:
        value = document[key]
        return "—" if value is None else gettext("%(days).1f days") % {"days": value}

    def date(key: str) -> str:
        return document[key] or "—"

    return [
        [gettext("Budget at completion"), "BAC", money("budget_at_completion")],
        [gettext("Planned value"), "PV", money("planned_value")],
        [gettext("Earned value"), "EV", money("earned_value")],
        [gettext("Actual cost"), "AC", money("actual_cost")],
        [gettext("Schedule variance"), "SV", money("schedule_variance")],
        [gettext("Cost variance"), "CV", money("cost_variance")],
        [gettext("Schedule performance index"), "SPI", index("schedule_performance_index")],
        [gettext("Cost performance index"), "CPI", index("cost_performance_index")],
        [gettext("Estimate at completion (BAC / CPI)"), "EAC", money("estimate_at_completion")],
        [
            gettext("Estimate at completion, atypical"),
            "EAC",
            money("estimate_at_completion_atypical"),
        ],
        [
            gettext("Estimate at completion, cost and schedule"),
            "EAC",
            money("estimate_at_completion_cpi_spi"),
        ],
        [
            gettext("Estimate at completion, bottom-up"),
            "EAC",
            money("estimate_at_completion_bottom_up"),
        ],
        [gettext("Estimate to complete"), "ETC", money("estimate_to_complete")],
        [gettext("Variance at completion"), "VAC", money("variance_at_completion")],
        [
            gettext("To-complete performance index (to BAC)"),
            "TCPI",
            index("to_complete_performance_index_bac"),
        ],
        [
            gettext("To-complete performance index (to EAC)"),
            "TCPI",
            index("to_complete_performance_index_eac"),
        ],
        [
            gettext("Earned schedule"),
            "ES",
            f"{date('earned_schedule')} ({days('earned_schedule_days')})",
        ],
        [gettext("Actual time"), "AT", days("actual_time_days")],
        [gettext("Schedule variance (time)"), "SV(t)", days("schedule_variance_time_days")],
        [
            gettext("Schedule performance index (time)"),
            "SPI(t)",
            index("schedule_performance_index_time"),
        ],
        [
            gettext("Independent estimate at completion (time)"),
            "IEAC(t)",
            days("independent_estimate_at_completion_time_days"),
        ],
        [gettext("Planned finish"), "", date("planned_finish")],
        [gettext("Forecast finish"), "", date("forecast_finish")],
    ]


@click.command(
    cls=Command,
    help=gettext_noop(
        "Earned value of a project (named by its code) at a status date: planned value, "
        "earned value, actual cost, variances, performance indices, estimates at completion "
        "and the earned schedule, as a table or as JSON."
    ),
)
@click.argument("project_code", metavar="PROJECT")
@option(
    "--as-of",
    "as_of",
    metavar="DATE",
    default=None,
    help=gettext_noop("The status date (YYYY-MM-DD); today by default."),
)
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@pass_context
def evm(context: Context, project_code: str, as_of: str | None, output: str) -> None:
    status = _status_date(as_of)
    actor = context.actor()
    from pilotage.core.errors import NotFoundError
    from pilotage.finance.earned_value import earned_value_as_json, project_earned_value
    from pilotage.portfolio.selectors import project_get_by_code

    try:
        project = project_get_by_code(project_code, user=actor)
    except NotFoundError:
        raise fail(gettext("Unknown project: %(code)s") % {"code": project_code}) from None
    figures = project_earned_value(project, as_of=status)
    if not figures.computed:
        raise fail(
            gettext("No earned value for %(code)s: %(problems)s.")
            % {"code": project.code, "problems": "; ".join(figures.problems)}
        )
    document = {"project": project.code, **earned_value_as_json(figures)}
    if output == "json":
        click.echo(json.dumps({key: document[key] for key in JSON_KEYS}, indent=2))
        return
    click.echo(
        gettext("%(code)s %(name)s — earned value on %(date)s, in %(currency)s")
        % {
            "code": project.code,
            "name": project.name,
            "date": document["as_of"],
            "currency": document["currency"],
        }
    )
    headers = [gettext("Figure"), gettext("Abbreviation"), gettext("Value")]
    click.echo(render_table(headers, _rows(document), right=frozenset({2})))
