"""The ``invoices`` command: supplier invoices with their status and why they are on hold."""

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

# The values of finance.models.InvoiceStatus, repeated so that `--help` needs no Django set-up.
STATUS_NAMES = ("received", "matched", "on_hold", "disputed", "approved", "paid")


def _money(value: Any) -> str:
    return f"{value:,.2f}"


@click.command(
    cls=Command,
    help=gettext_noop(
        "List supplier invoices with their amounts, status and the reasons they are on hold, "
        "as a table or as JSON."
    ),
)
@option(
    "--status",
    metavar="STATUS",
    default=None,
    help=gettext_noop(
        "Only invoices with this status: received, matched, on_hold, disputed, approved, paid."
    ),
)
@option(
    "--project",
    "project_code",
    metavar="CODE",
    default=None,
    help=gettext_noop("Only the invoices of this project (its code)."),
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
def invoices(context: Context, status: str | None, project_code: str | None, output: str) -> None:
    if status is not None and status not in STATUS_NAMES:
        raise fail(
            gettext("Unknown status '%(status)s': use one of %(known)s.")
            % {"status": status, "known": ", ".join(STATUS_NAMES)}
        )
    actor = context.actor()
    from pilotage.finance.invoices import invoice_list

    project = project_filter(actor, project_code)
    rows = list(invoice_list(user=actor, status=status or "", project=project))
    if output == "json":
        items = [
            {
                "number": invoice.number,
                "supplier": invoice.supplier.name,
                "project": invoice.project.code,
                "issue_date": invoice.issue_date.isoformat(),
                "received_on": invoice.received_on.isoformat(),
                "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
                "currency": invoice.currency,
                "net_amount": str(invoice.net_amount),
                "tax_amount": str(invoice.tax_amount),
                "total_amount": str(invoice.total_amount),
                "status": invoice.status,
                "hold_reasons": [
                    {"code": reason["code"], "message": reason["message"]}
                    for reason in invoice.hold_reasons or []
                ],
            }
            for invoice in rows
        ]
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(gettext("No invoices."), err=True)
        return
    headers = [
        gettext("Number"),
        gettext("Supplier"),
        gettext("Project"),
        gettext("Issued"),
        gettext("Total"),
        gettext("Currency"),
        gettext("Status"),
        gettext("Hold reasons"),
    ]
    table = [
        [
            invoice.number,
            invoice.supplier.name,
            invoice.project.code,
            invoice.issue_date.isoformat(),
            _money(invoice.total_amount),
            invoice.currency,
            str(invoice.get_status_display()),
            "; ".join(reason["message"] for reason in invoice.hold_reasons or []),
        ]
        for invoice in rows
    ]
    click.echo(render_table(headers, table, shrink=7, right=frozenset({4})))
