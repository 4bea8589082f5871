"""Commands that run the server: ``serve``, ``migrate`` and ``check``."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext

from pilotage.cli.base import (
    Command,
    ensure_django,
    fail,
    gettext_noop,
    option,
    pending_migrations,
    require_migrated,
)

WSGI_APPLICATION = "pilotage.config.wsgi:application"
DEFAULT_PORT = 8000
# Files the pages cannot work without; they come from installed packages, not the repository.
REQUIRED_ASSETS = ("vendor/plotly.min.js", "vendor/htmx-2.min.js")


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_can_listen(host: str, port: int) -> None:
    """Fail with a clear message now rather than let gunicorn retry a busy or forbidden port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            # Same option as gunicorn, so that a port left in TIME_WAIT is not refused.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise fail(
            gettext("Cannot listen on %(address)s: %(reason)s. Choose another --port or --host.")
            % {"address": _address(host, port), "reason": reason}
        ) from None


def _gunicorn_application(options: dict[str, Any]) -> Any:
    """A gunicorn application serving Pilotage with ``options`` (gunicorn's setting names)."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.util import import_app

    class PilotageApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return import_app(WSGI_APPLICATION)

    return PilotageApplication()


@click.command(
    cls=Command,
    help=gettext_noop(
        "Serve Pilotage with gunicorn. Collects the static files first, then listens on "
        "HOST:PORT until stopped with Ctrl+C."
    ),
)
@option("--host", default="127.0.0.1", show_default=True, help=gettext_noop("Address to bind."))
@option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    envvar="PILOTAGE_PORT",
    help=gettext_noop("Port to listen on (also PILOTAGE_PORT)."),
)
@option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    envvar="PILOTAGE_WORKERS",
    help=gettext_noop("Worker processes, each with 4 threads (also PILOTAGE_WORKERS)."),
)
def serve(host: str, port: int, workers: int) -> None:
    ensure_django()
    from django.core.management import call_command
    from django.db import connections

    require_migrated()
    _check_can_listen(host, port)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The workers are forked from this process: they must not share its database connection.
    connections.close_all()
    url = f"http://{_address(host, port)}/"

    def when_ready(_server: Any) -> None:
        click.echo(gettext("Pilotage is running at %(url)s (Ctrl+C to stop).") % {"url": url})

    _gunicorn_application(
        {
            "bind": [_address(host, port)],
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "preload_app": True,
            "proc_name": "pilotage",
            "loglevel": os.environ.get("PILOTAGE_LOG_LEVEL", "warning").lower(),
            "when_ready": when_ready,
            "control_socket_disable": True,
        }
    ).run()


@click.command(
    cls=Command, help=gettext_noop("Create or update the database tables (quiet when up to date).")
)
def migrate() -> None:
    ensure_django()
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        raise fail(
            gettext("Cannot reach the database: %(error)s") % {"error": str(exc).strip()}
        ) from None
    call_command("migrate", interactive=False, verbosity=0)
    if pending:
        click.echo(
            gettext("Database updated: %(count)d migrations applied.") % {"count": len(pending)}
        )


# Checks -------------------------------------------------------------------------------------

CheckResult = tuple[bool, str, list[str]]
# Lines of detail shown under a failed check at most.
MAX_DETAILS = 5


def _first_sentence(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    head, dot, _rest = first.partition(". ")
    return head + "." if dot else first


def _shorten(details: list[str]) -> list[str]:
    if len(details) <= MAX_DETAILS:
        return details
    more = len(details) - MAX_DETAILS + 1
    return [*details[: MAX_DETAILS - 1], gettext("… and %(count)d more") % {"count": more}]


def _system_checks() -> CheckResult:
    from django.core import checks

    messages = checks.run_checks(include_deployment_checks=True)
    problems = [m for m in messages if not m.is_silenced() and m.is_serious()]
    warnings = [m for m in messages if not m.is_silenced() and not m.is_serious()]
    details = [f"{gettext('error')} {m.id}: {_first_sentence(str(m.msg))}" for m in problems] + [
        f"{gettext('warning')} {m.id}: {_first_sentence(str(m.msg))}" for m in warnings
    ]
    summary = gettext("Django system checks (%(errors)d errors, %(warnings)d warnings)") % {
        "errors": len(problems),
        "warnings": len(warnings),
    }
    return not problems, summary, details


def _database() -> CheckResult:
    from django.db import DatabaseError, connection

    settings = connection.settings_dict
    where = f"{connection.vendor} {settings.get('NAME')}"
    if settings.get("HOST"):
        where += f" on {settings['HOST']}"
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return False, gettext("Database reachable (%(where)s)") % {"where": where}, [str(exc)]
    return True, gettext("Database reachable (%(where)s)") % {"where": where}, []


def _migrations() -> CheckResult:
    from django.db import DatabaseError

    try:
        pending = pending_migrations()
    except DatabaseError as exc:
        return False, gettext("Migrations applied"), [str(exc)]
    if pending:
        return (
            False,
            gettext("Migrations applied: %(count)d to apply, run `pilotage migrate`")
            % {"count": len(pending)},
            _shorten(pending),
        )
    return True, gettext("Migrations applied"), []


def _findable(path: str) -> bool:
    from django.contrib.staticfiles import finders

    found = finders.find(path)
    # A finder answering None is collected as [None] by Django: only a real path counts.
    if isinstance(found, list | tuple):
        return any(found)
    return bool(found)


def _static_assets() -> CheckResult:
    missing = [path for path in REQUIRED_ASSETS if not _findable(path)]
    label = gettext("Static assets findable (%(assets)s)") % {"assets": ", ".join(REQUIRED_ASSETS)}
    return not missing, label, [gettext("not found: %(path)s") % {"path": p} for p in missing]


def _data_dir() -> CheckResult:
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    label = gettext("Data directory writable (%(path)s)") % {"path": data_dir}
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".check-"):
            pass
    except OSError as exc:
        return False, label, [exc.strerror or str(exc)]
    return True, label, []


CHECKS: tuple[Callable[[], CheckResult], ...] = (
    _system_checks,
    _database,
    _migrations,
    _static_assets,
    _data_dir,
)


@click.command(
    cls=Command,
    help=gettext_noop(
        "Check the installation: Django system checks (deployment ones as warnings), database, "
        "migrations, static assets and data directory. Exits with status 1 if any check fails."
    ),
)
def check() -> None:
    ensure_django()
    failed = False
    for run in CHECKS:
        ok, label, details = run()
        failed = failed or not ok
        status = click.style("OK  ", fg="green") if ok else click.style("FAIL", fg="red")
        click.echo(f"{status} {label}")
        for detail in details:
            click.echo(f"     {detail}")
    if failed:
        raise click.exceptions.Exit(1)
