"""The ``pilotage`` command line: serve, migrate, demo, users and tokens, projects, plans,
resources, money, risks, meetings and schedule simulations."""

from __future__ import annotations

import click

from pilotage import __version__
from pilotage.cli.base import Context, Group, gettext_noop, option
from pilotage.cli.exchange import export_project, import_file
from pilotage.cli.finance import evm
from pilotage.cli.invoices import invoices
from pilotage.cli.leveling import level
from pilotage.cli.meetings import meetings
from pilotage.cli.people import createuser, token
from pilotage.cli.plan import plan
from pilotage.cli.planning import schedule
from pilotage.cli.portfolio import demo, projects
from pilotage.cli.resources import capacity, conflicts, resources
from pilotage.cli.risks import risks
from pilotage.cli.server import check, migrate, serve
from pilotage.cli.simulate import simulate


@click.group(
    cls=Group,
    help=gettext_noop(
        "Pilotage, the open-source PMO platform. Data is read and written with the "
        "permissions of the user given by --as, or with every right when none is given."
    ),
)
@option(
    "--as",
    "username",
    metavar="USERNAME",
    envvar="PILOTAGE_USER",
    default=None,
    help=gettext_noop("Act as this user, with their permissions (also PILOTAGE_USER)."),
)
@click.version_option(__version__, prog_name="pilotage", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, username: str | None) -> None:
    ctx.obj = Context(username)


for command in (
    serve,
    migrate,
    demo,
    createuser,
    token,
    projects,
    resources,
    capacity,
    conflicts,
    schedule,
    simulate,
    level,
    plan,
    import_file,
    export_project,
    evm,
    invoices,
    risks,
    meetings,
    check,
):
    main.add_command(command)
