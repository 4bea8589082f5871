"""Commands about the portfolio: ``demo`` and ``projects``."""

from __future__ import annotations

import json
import sys
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

# The values of portfolio.models.ProjectPhase and HealthRag, repeated here so that `--help`
# needs no Django set-up.
PHASE_NAMES = ("proposal", "initiation", "planning", "execution", "closing", "closed")
HEALTH_NAMES = ("green", "amber", "red")


class _ProgressBar:
    """Adapts the builder's progress calls to a click progress bar on standard error."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command(
    cls=Command,
    help=gettext_noop(
        "Build the demo portfolio through the services, so it has a history. small: 3 "
        "portfolios and about 35 projects with their people; large: 2,000 projects. The same "
        "seed gives the same data; dates are relative to the current week."
    ),
)
@option(
    "--size",
    type=click.Choice(("small", "large")),
    default="small",
    show_default=True,
    help=gettext_noop("How much data to build."),
)
@option("--seed", type=int, default=42, show_default=True, help=gettext_noop("Random seed."))
@option(
    "--if-empty",
    is_flag=True,
    help=gettext_noop("Do nothing (and succeed) if the database already holds data."),
)
@pass_context
def demo(context: Context, size: str, seed: int, if_empty: bool) -> None:
    actor = context.actor()
    from pilotage.accounts.permissions import Action, require_organisation
    from pilotage.accounts.selectors import account_has_password
    from pilotage.demo.builder import DemoDataPresentError, build_demo, demo_data_present
    from pilotage.demo.data import DEMO_PASSWORD, DEMO_USERNAME

    require_organisation(actor, Action.ADMINISTER)
    if demo_data_present(actor=actor):
        if if_empty:
            click.echo(gettext("Demo data already present"))
            if account_has_password(DEMO_USERNAME, DEMO_PASSWORD):
                _print_demo_login()
            return
        raise fail(
            gettext(
                "The database already holds data: the demo is built only in an empty database "
                "(use --if-empty to skip this without an error)."
            )
        )
    bar = _ProgressBar(gettext("Building the demo"))
    try:
        result = build_demo(size=size, seed=seed, progress=bar)
    except DemoDataPresentError:
        raise fail(gettext("The database already holds data.")) from None
    finally:
        bar.close()
    click.echo(
        gettext(
            "Demo built: %(portfolios)d portfolios, %(programmes)d programmes, "
            "%(projects)d projects, %(people)d people."
        )
        % {
            "portfolios": result.portfolios,
            "programmes": result.programmes,
            "projects": result.projects,
            "people": result.people,
        }
    )
    _print_demo_login()


def _print_demo_login() -> None:
    from pilotage.demo.data import DEMO_PASSWORD, DEMO_USERNAME

    click.echo(
        gettext("Sign in as %(username)s with the password %(password)s")
        % {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    )


def _money(amount: Any) -> str:
    from django.utils.formats import number_format

    return number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)


@click.command(
    cls=Command,
    help=gettext_noop("List the projects the acting user may see, as a table or as JSON."),
)
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@option("--search", default="", help=gettext_noop("Text in the code, name or description."))
@option("--portfolio", metavar="CODE", default=None, help=gettext_noop("Only this portfolio."))
@option("--phase", type=click.Choice(PHASE_NAMES), help=gettext_noop("Only this phase."))
@option("--health", type=click.Choice(HEALTH_NAMES), help=gettext_noop("Only this health."))
@option("--limit", type=click.IntRange(min=1), help=gettext_noop("At most N projects."))
@pass_context
def projects(
    context: Context,
    output: str,
    search: str,
    portfolio: str | None,
    phase: str | None,
    health: str | None,
    limit: int | None,
) -> None:
    actor = context.actor()
    from pilotage.core.errors import NotFoundError
    from pilotage.portfolio.selectors import portfolio_get_by_code, project_list

    scope = None
    if portfolio is not None:
        try:
            scope = portfolio_get_by_code(portfolio, user=actor)
        except NotFoundError:
            raise fail(gettext("Unknown portfolio: %(code)s") % {"code": portfolio}) from None
    queryset = project_list(
        user=actor, search=search, portfolio=scope, phase=phase or "", health=health or ""
    )
    rows = list(queryset[:limit] if limit else queryset)
    if output == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": p.pk,
                        "code": p.code,
                        "name": p.name,
                        "portfolio_id": p.portfolio_id,
                        "portfolio": p.portfolio.name,
                        "manager_id": p.manager_id,
                        "manager": str(p.manager) if p.manager else None,
                        "phase": p.phase,
                        "health": p.health,
                        "finish_date": p.finish_date.isoformat() if p.finish_date else None,
                        "budget": f"{p.budget:.2f}",
                        "currency": p.currency,
                    }
                    for p in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not rows:
        click.echo(gettext("No projects."), err=True)
        return
    headers = [
        gettext("Code"),
        gettext("Name"),
        gettext("Portfolio"),
        gettext("Manager"),
        gettext("Phase"),
        gettext("Health"),
        gettext("Finish"),
        gettext("Budget"),
    ]
    table = [
        [
            p.code,
            p.name,
            p.portfolio.name,
            str(p.manager) if p.manager else "",
            str(p.get_phase_display()),
            str(p.get_health_display()),
            p.finish_date.isoformat() if p.finish_date else "",
            f"{_money(p.budget)} {p.currency}",
        ]
        for p in rows
    ]
    click.echo(render_table(headers, table, shrink=1, right=frozenset({7})))
