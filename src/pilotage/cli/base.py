"""What every ``pilotage`` command shares: Django set-up, the acting user, errors and help text.

Django is set up only when a command needs it, so that ``pilotage --help`` answers at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click
from django.utils.translation import gettext

SETTINGS_MODULE = "pilotage.config.settings"

F = TypeVar("F", bound=Callable[..., Any])


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it (Django's own version reads
    the settings); :func:`translate` translates it when it is shown."""
    return message


def ensure_django() -> None:
    """Configure and set up Django once (the settings module may be chosen by the caller)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def translate(message: str) -> str:
    """``message`` in the configured language.

    Help texts are marked with :func:`gettext_noop` and translated only here, when shown: English
    help needs no Django set-up, any other language sets Django up first.
    """
    from django.apps import apps

    if not apps.ready:
        language = os.environ.get("PILOTAGE_LANGUAGE", "en")
        if language.split("-")[0].lower() == "en":
            return message
        ensure_django()
    return gettext(message)


class Option(click.Option):
    """An option whose help text is translated when shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        original = self.help
        self.help = translate(original) if original else original
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = original


class Command(click.Command):
    """A command whose help text is translated when shown."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        original = self.help
        self.help = translate(original) if original else original
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = original

    def get_short_help_str(self, limit: int = 45) -> str:
        original = self.help
        self.help = translate(original) if original else original
        try:
            return super().get_short_help_str(limit)
        finally:
            self.help = original


class Group(Command, click.Group):
    """A group of commands that turns expected problems into a one-line error, never a traceback."""

    command_class = Command
    group_class = type

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            message = describe_error(exc)
            if message is None:
                raise
            raise click.ClickException(message) from exc


def option(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.option`` with translated help."""
    return click.option(*param_decls, cls=Option, **attrs)


def describe_error(exc: Exception) -> str | None:
    """A one-line description of an expected problem, or None for a bug (shown in full)."""
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError

    from pilotage.core.errors import DomainError

    if isinstance(exc, ValidationError):
        return validation_message(exc)
    if isinstance(exc, DomainError):
        return exc.message or gettext("Not found.")
    if isinstance(exc, DatabaseError):
        lines = str(exc).strip().splitlines()
        return gettext("Database error: %(error)s") % {
            "error": lines[0] if lines else type(exc).__name__
        }
    return None


def validation_message(exc: Any) -> str:
    """All the messages of a ValidationError on one line, each prefixed by its field."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, errors in exc.message_dict.items():
        text = " ".join(errors)
        parts.append(text if field == "__all__" else f"{field}: {text}")
    return " ".join(part if part.endswith((".", "!", "?")) else f"{part}." for part in parts)


def fail(message: str) -> click.ClickException:
    """An error to raise: printed as one line on standard error, exit status 1."""
    return click.ClickException(message)


def project_filter(actor: Any, code: str | None) -> Any:
    """The project a listing is narrowed to: None without a code, else the project of that
    code (in any case) that ``actor`` may see; an unknown or hidden one is an error."""
    if code is None:
        return None
    from pilotage.portfolio.selectors import project_list

    project = project_list(user=actor).filter(code__iexact=code).first()
    if project is None:
        raise fail(gettext("Unknown project: %(code)s") % {"code": code})
    return project


class Context:
    """The state shared by the commands of one invocation: who is acting."""

    def __init__(self, username: str | None) -> None:
        self.username = username or None
        self._actor: Any = None

    def actor(self) -> Any:
        """The acting user: the one named by ``--as``, or the server's operator."""
        if self._actor is None:
            ensure_django()
            require_migrated()
            from pilotage.accounts.permissions import Operator
            from pilotage.accounts.selectors import user_get_by_username
            from pilotage.core.errors import NotFoundError

            operator = Operator()
            if self.username is None:
                self._actor = operator
            else:
                try:
                    user = user_get_by_username(self.username, user=operator)
                except NotFoundError:
                    raise fail(
                        gettext("Unknown user: %(username)s") % {"username": self.username}
                    ) from None
                if not user.is_active:
                    raise fail(
                        gettext("The user %(username)s is not active.")
                        % {"username": self.username}
                    )
                self._actor = user
        return self._actor


pass_context = click.make_pass_decorator(Context)


def pending_migrations() -> list[str]:
    """The migrations not applied yet to the database, as "app.name"."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def require_migrated() -> None:
    """Refuse to go on with a database that is not reachable or not up to date."""
    from django.db import DatabaseError

    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        raise fail(
            gettext("Cannot reach the database: %(error)s") % {"error": str(exc).strip()}
        ) from None
    if pending:
        raise fail(
            gettext(
                "The database is not up to date (%(count)d migrations to apply): "
                "run `pilotage migrate` first."
            )
            % {"count": len(pending)}
        )


def render_table(
    headers: list[str],
    rows: list[list[str]],
    *,
    shrink: int | None = None,
    right: frozenset[int] = frozenset(),
) -> str:
    """Rows aligned in columns under ``headers``: column ``shrink`` is cut to fit the terminal,
    the columns in ``right`` (amounts) are aligned right."""
    import shutil

    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    if shrink is not None:
        terminal = shutil.get_terminal_size((160, 24)).columns
        others = sum(w for i, w in enumerate(widths) if i != shrink) + 2 * (len(widths) - 1)
        widths[shrink] = max(len(headers[shrink]), min(widths[shrink], terminal - others))

    def cut(text: str, width: int) -> str:
        return text if len(text) <= width else text[: max(width - 1, 0)] + "…"

    def align(index: int, cell: str) -> str:
        text = cut(cell, widths[index])
        return text.rjust(widths[index]) if index in right else text.ljust(widths[index])

    lines = [
        "  ".join(align(i, cell) for i, cell in enumerate(row)).rstrip() for row in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
