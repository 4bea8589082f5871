"""The ``risks`` command: the risks the user may see, with their scores, RAG and expected value."""

from __future__ import annotations

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
    project_filter,
    render_table,
)

# The values of risks.models.RiskStatus, repeated so that `--help` needs no Django set-up.
STATUS_NAMES = ("identified", "active", "occurred", "closed")
STATUS_CHOICES = ("open", "all", *STATUS_NAMES)


def _money(value: Any) -> str:
    return "" if value is None else f"{value:,.2f}"


def _amount(value: Any) -> str | None:
    """An amount as a decimal string with two decimals ("12000.00")."""
    return None if value is None else f"{value:.2f}"


@click.command(
    cls=Command,
    help=gettext_noop(
        "List the risks you may see with their scores (inherent and residual), RAG colour, "
        "expected value, response and next review, as a table or as JSON."
    ),
)
@option(
    "--project",
    "project_code",
    metavar="CODE",
    default=None,
    help=gettext_noop("Only the risks of this project (its code)."),
)
@option(
    "--status",
    metavar="STATUS",
    default="open",
    show_default=True,
    help=gettext_noop(
        "open (identified or active), all, or one status: identified, active, occurred, closed."
    ),
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
def risks(context: Context, project_code: str | None, status: str, output: str) -> None:
    if status not in STATUS_CHOICES:
        raise fail(
            gettext("Unknown status '%(status)s': use one of %(known)s.")
            % {"status": status, "known": ", ".join(STATUS_CHOICES)}
        )
    actor = context.actor()
    from pilotage.risks.register import risk_list

    project = project_filter(actor, project_code)
    rows = list(risk_list(user=actor, project=project, status=status, ordering="-score"))
    if output == "json":
        items = [
            {
                "code": risk.code,
                "project": risk.project.code if risk.project else None,
                "title": risk.title,
                "kind": risk.kind,
                "category": risk.category,
                "status": risk.status,
                "probability": risk.probability,
                "impact": risk.impact,
                "score": risk.score,
                "residual_probability": risk.residual_probability,
                "residual_impact": risk.residual_impact,
                "residual_score": risk.residual_score,
                "rag": risk.rag_value,  # type: ignore[attr-defined]
                "owner": risk.owner.get_username() if risk.owner else None,
                "expected_value": _amount(risk.emv_value),  # type: ignore[attr-defined]
                "currency": risk.project.currency if risk.project else None,
                "response": risk.response,
                "next_review": risk.review_date.isoformat() if risk.review_date else None,
                "escalation_level": risk.escalation_level,
            }
            for risk in rows
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(gettext("No risks."), err=True)
        return
    rag_names = {"red": gettext("Red"), "amber": gettext("Amber"), "green": gettext("Green")}
    headers = [
        gettext("Code"),
        gettext("Project"),
        gettext("Title"),
        gettext("Status"),
        gettext("P"),
        gettext("I"),
        gettext("Score"),
        gettext("Residual"),
        gettext("RAG"),
        gettext("Owner"),
        gettext("EMV"),
        gettext("Response"),
        gettext("Next review"),
    ]
    table = [
        [
            risk.code,
            risk.project.code if risk.project else "",
            risk.title,
            str(risk.get_status_display()),
            str(risk.probability),
            str(risk.impact),
            str(risk.score),
            "" if risk.residual_score is None else str(risk.residual_score),
            rag_names.get(risk.rag_value, ""),  # type: ignore[attr-defined]
            risk.owner.get_username() if risk.owner else "",
            _money(risk.emv_value),  # type: ignore[attr-defined]
            str(risk.get_response_display()) if risk.response else "",
            risk.review_date.isoformat() if risk.review_date else "",
        ]
        for risk in rows
    ]
    click.echo(render_table(headers, table, shrink=2, right=frozenset({4, 5, 6, 7, 10})))
