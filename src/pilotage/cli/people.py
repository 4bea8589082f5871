"""Commands about people: ``createuser`` and ``token create|list|revoke``."""

from __future__ import annotations

import sys
from typing import Any

import click
from django.utils.translation import gettext

from pilotage.cli.base import (
    Command,
    Context,
    Group,
    fail,
    gettext_noop,
    option,
    pass_context,
    render_table,
)

# The values of accounts.models.Role, repeated here so that `--help` needs no Django set-up.
ROLE_NAMES = (
    "administrator",
    "pmo",
    "executive",
    "portfolio_manager",
    "project_manager",
    "team_member",
    "finance",
    "viewer",
)


def _user(username: str, actor: Any) -> Any:
    from pilotage.accounts.selectors import user_get_by_username
    from pilotage.core.errors import NotFoundError

    try:
        return user_get_by_username(username, user=actor)
    except NotFoundError:
        raise fail(gettext("Unknown user: %(username)s") % {"username": username}) from None


def _scope(
    actor: Any, portfolio: str | None, programme: str | None, project: str | None
) -> dict[str, Any]:
    """The membership scope named by its code, as keyword arguments of membership_create."""
    from pilotage.core.errors import NotFoundError
    from pilotage.portfolio import selectors

    lookups = {
        "portfolio": (portfolio, selectors.portfolio_get_by_code, gettext("Unknown portfolio")),
        "programme": (programme, selectors.programme_get_by_code, gettext("Unknown programme")),
        "project": (project, selectors.project_get_by_code, gettext("Unknown project")),
    }
    for kind, (code, lookup, unknown) in lookups.items():
        if code is not None:
            try:
                return {kind: lookup(code, user=actor)}
            except NotFoundError:
                raise fail(f"{unknown}: {code}") from None
    return {}


def _interactive() -> bool:
    return sys.stdin.isatty()


def _password(password: str | None, no_password: bool) -> str | None:
    if password is not None and no_password:
        raise fail(gettext("Give either --password or --no-password, not both."))
    if no_password:
        return None
    if password is not None:
        return password
    if not _interactive():
        raise fail(gettext("No terminal to ask for a password: give --password or --no-password."))
    value: str = click.prompt(
        gettext("Password"),
        hide_input=True,
        confirmation_prompt=gettext("Password (again)"),
    )
    return value


@click.command(
    cls=Command,
    help=gettext_noop(
        "Create the user USERNAME, and give them a role if --role is given: organisation-wide, "
        "or at the portfolio, programme or project named by its code."
    ),
)
@click.argument("username")
@option("--email", default="", help=gettext_noop("E-mail address."))
@option("--first-name", default="", help=gettext_noop("First name."))
@option("--last-name", default="", help=gettext_noop("Last name."))
@option(
    "--password",
    default=None,
    help=gettext_noop("Password (asked twice on a terminal when not given)."),
)
@option(
    "--no-password",
    is_flag=True,
    help=gettext_noop("Create the user without a password (they cannot sign in yet)."),
)
@option("--superuser", is_flag=True, help=gettext_noop("Give every right, whatever the roles."))
@option(
    "--role",
    type=click.Choice(ROLE_NAMES),
    default=None,
    help=gettext_noop("Role to give (organisation-wide unless a scope is given)."),
)
@option("--portfolio", metavar="CODE", default=None, help=gettext_noop("Hold the role here."))
@option("--programme", metavar="CODE", default=None, help=gettext_noop("Hold the role here."))
@option("--project", metavar="CODE", default=None, help=gettext_noop("Hold the role here."))
@pass_context
def createuser(
    context: Context,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    no_password: bool,
    superuser: bool,
    role: str | None,
    portfolio: str | None,
    programme: str | None,
    project: str | None,
) -> None:
    actor = context.actor()
    from django.db import transaction

    from pilotage.accounts.services import membership_create, user_create

    codes = [c for c in (portfolio, programme, project) if c is not None]
    if len(codes) > 1:
        raise fail(gettext("Give at most one of --portfolio, --programme and --project."))
    if codes and role is None:
        raise fail(gettext("--portfolio, --programme and --project need --role."))
    scope = _scope(actor, portfolio, programme, project)
    secret = _password(password, no_password)
    with transaction.atomic():
        user = user_create(
            actor=actor,
            username=username,
            password=secret,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_superuser=superuser,
        )
        membership = membership_create(actor=actor, user=user, role=role, **scope) if role else None
    if membership is None:
        click.echo(gettext("Created user %(username)s.") % {"username": user.username})
    else:
        click.echo(
            gettext("Created user %(username)s: %(role)s, %(scope)s.")
            % {
                "username": user.username,
                "role": membership.get_role_display(),
                "scope": membership.scope_label(),
            }
        )


@click.group(cls=Group, help=gettext_noop("Create, list and revoke API tokens."))
def token() -> None:
    pass


@token.command(
    help=gettext_noop(
        "Create an API token for USERNAME. Prints only the token on standard output, so that "
        "TOKEN=$(pilotage token create USERNAME) works; use it as `Authorization: Bearer TOKEN`."
    )
)
@click.argument("username")
@option("--name", default="", help=gettext_noop("A name to recognise the token by."))
@pass_context
def create(context: Context, username: str, name: str) -> None:
    actor = context.actor()
    from pilotage.accounts.services import token_create

    owner = _user(username, actor)
    api_token, raw = token_create(actor=actor, user=owner, name=name)
    click.echo(raw)
    click.echo(
        gettext(
            "Token %(prefix)s… created for %(username)s; it is shown only this once. "
            "Send it as `Authorization: Bearer <token>`."
        )
        % {"prefix": api_token.prefix, "username": owner.username},
        err=True,
    )


def _when(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@token.command(name="list", help=gettext_noop("List the API tokens of USERNAME."))
@click.argument("username")
@pass_context
def list_tokens(context: Context, username: str) -> None:
    actor = context.actor()
    from pilotage.accounts.selectors import token_list

    owner = _user(username, actor)
    tokens = list(token_list(user=actor, owner=owner))
    if not tokens:
        click.echo(gettext("%(username)s has no API tokens.") % {"username": owner.username})
        return
    rows = [
        [
            t.prefix,
            t.name,
            _when(t.created_at),
            _when(t.last_used_at),
            gettext("revoked") if t.revoked_at else gettext("active"),
        ]
        for t in tokens
    ]
    headers = [gettext("Prefix"), gettext("Name"), gettext("Created"), gettext("Last used")]
    click.echo(render_table([*headers, gettext("Status")], rows, shrink=1))


@token.command(help=gettext_noop("Revoke the API token shown as PREFIX by `token list`."))
@click.argument("prefix")
@pass_context
def revoke(context: Context, prefix: str) -> None:
    actor = context.actor()
    from pilotage.accounts.selectors import token_get_by_prefix
    from pilotage.accounts.services import token_revoke
    from pilotage.core.errors import NotFoundError

    try:
        api_token = token_get_by_prefix(prefix.rstrip("…"), user=actor)
    except NotFoundError:
        raise fail(gettext("Unknown token: %(prefix)s") % {"prefix": prefix}) from None
    if api_token.revoked_at is not None:
        click.echo(gettext("Token %(prefix)s was already revoked.") % {"prefix": api_token.prefix})
        return
    token_revoke(actor=actor, token=api_token)
    click.echo(
        gettext("Token %(prefix)s of %(username)s revoked.")
        % {"prefix": api_token.prefix, "username": api_token.user.username}
    )
