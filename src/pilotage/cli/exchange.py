"""Commands to bring files from other tools in and to send projects out: ``import``, ``export``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
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
    translate,
)

if TYPE_CHECKING:
    from pilotage.interop.document import ProjectDocument

EXPORT_FORMATS = ("mspdi", "xlsx", "ics", "json")


def _counts_json(file_format: str, counts: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    return {
        "format": file_format,
        "tasks": counts.get("tasks", 0),
        "links": counts.get("links", 0),
        "resources": counts.get("resources", 0),
        "assignments": counts.get("assignments", 0),
        "calendars": counts.get("calendars", 0),
        "warnings": warnings,
    }


def _read_offline(data: bytes, name: str, kind: str) -> tuple[str, ProjectDocument, list[str]]:
    """Read a file without the database (a dry run without --project)."""
    from pilotage.interop.formats import TABLE_FORMATS, detect_format, read_project_file

    file_format = detect_format(data, name)
    if file_format not in TABLE_FORMATS:
        document = read_project_file(data, name, format=file_format)
        return file_format, document, list(document.warnings)
    from pilotage.interop.tabular import (
        TARGETS,
        ImportRowsError,
        convert_rows,
        guess_mapping,
        read_table,
        resources_document,
        tasks_document,
    )

    table = read_table(data, name=name)
    target = TARGETS[kind]
    result = convert_rows(table, guess_mapping(table.headers, target), target)
    errors: list[str] = []
    build = resources_document if kind == "resources" else tasks_document
    try:
        build(result, name=Path(name).stem, source_format=file_format)
    except ImportRowsError as error:
        errors = [item.message for item in error.errors]
    document = build(result, name=Path(name).stem, source_format=file_format, ignore_errors=True)
    return file_format, document, [*errors, *document.warnings]


@click.command(
    "import",
    cls=Command,
    help=gettext_noop(
        "Import a project file: Microsoft Project XML or .mpp, Primavera P6 (.xer, .xml), "
        "ProjectLibre (.pod), GanttProject (.gan), Jira (CSV or JSON), Trello (JSON), Asana "
        "(CSV), Excel or CSV tables, or a Pilotage plan. With --project the file updates that "
        "project (tasks matched by UID); otherwise it becomes a new project. --dry-run reads "
        "the file and reports what it holds without writing anything."
    ),
)
@click.argument("file_path", metavar="FILE", type=click.Path(dir_okay=False))
@option("--project", "project_code", metavar="CODE", help=gettext_noop("Update this project."))
@option(
    "--portfolio",
    "portfolio_code",
    metavar="CODE",
    help=gettext_noop("For a new project: its portfolio (needed when there are several)."),
)
@option("--code", "code", metavar="CODE", help=gettext_noop("For a new project: its code."))
@option("--name", "name", metavar="NAME", help=gettext_noop("For a new project: its name."))
@option(
    "--rows",
    "kind",
    type=click.Choice(("tasks", "resources")),
    default="tasks",
    show_default=True,
    help=gettext_noop("For a spreadsheet: what each row is."),
)
@option(
    "--skip-bad-rows",
    is_flag=True,
    help=gettext_noop("For a spreadsheet: import the good rows, leave out the bad ones."),
)
@option("--dry-run", is_flag=True, help=gettext_noop("Read and report; write nothing."))
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@pass_context
def import_file(
    context: Context,
    file_path: str,
    project_code: str | None,
    portfolio_code: str | None,
    code: str | None,
    name: str | None,
    kind: str,
    skip_bad_rows: bool,
    dry_run: bool,
    output: str,
) -> None:
    path = Path(file_path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail(f"{file_path}: {error.strerror or error}") from None
    if dry_run and project_code is None:
        from pilotage.interop.errors import PlanFileError

        try:
            file_format, document, warnings = _read_offline(data, path.name, kind)
        except PlanFileError as error:
            raise fail(str(error)) from None
        report = _counts_json(file_format, document.counts(), warnings)
        _print_report(report, output, dry_run=True)
        return
    _import_with_database(
        context,
        data,
        path.name,
        project_code=project_code,
        portfolio_code=portfolio_code,
        code=code,
        name=name,
        kind=kind,
        skip_bad_rows=skip_bad_rows,
        dry_run=dry_run,
        output=output,
    )


def _import_with_database(
    context: Context,
    data: bytes,
    file_name: str,
    *,
    project_code: str | None,
    portfolio_code: str | None,
    code: str | None,
    name: str | None,
    kind: str,
    skip_bad_rows: bool,
    dry_run: bool,
    output: str,
) -> None:
    actor = context.actor()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from pilotage.accounts.permissions import Action
    from pilotage.core.errors import NotFoundError
    from pilotage.exchange import services
    from pilotage.portfolio import selectors as portfolio_selectors

    project = None
    if project_code is not None:
        try:
            project = portfolio_selectors.project_get_by_code(
                project_code, user=actor, action=Action.CHANGE
            )
        except NotFoundError:
            raise fail(gettext("Unknown project: %(code)s") % {"code": project_code}) from None
    try:
        with transaction.atomic():
            run = services.import_upload(
                actor=actor, data=data, file_name=file_name, project=project, kind=kind
            )
            summary = run.summary
            report = _counts_json(
                run.format,
                summary.get("counts") or {},
                [*[e["message"] for e in summary.get("row_errors", [])], *summary["warnings"]],
            )
            report["dates"] = {
                key: (summary.get("dates") or {}).get(key)
                for key in ("compared", "agreeing", "reasons", "error")
            }
            if "changes" in summary:
                report["changes"] = {
                    key: summary["changes"][key]
                    for key in ("added_count", "updated_count", "removed_count", "unchanged")
                }
            if dry_run:
                transaction.set_rollback(True)
            else:
                portfolio = None
                if project is None:
                    portfolio = _portfolio(actor, portfolio_code)
                result = services.import_apply(
                    actor=actor,
                    run=run,
                    portfolio=portfolio,
                    code=code or _code_from(file_name),
                    name=name or "",
                    skip_bad_rows=skip_bad_rows,
                )
                report["project"] = result.project.code
                report["resources_created"] = result.resources_created
    except ValidationError as error:
        raise fail(" ".join(error.messages)) from None
    _print_report(report, output, dry_run=dry_run)


def _portfolio(actor: Any, code: str | None) -> Any:
    from pilotage.core.errors import NotFoundError
    from pilotage.portfolio import selectors as portfolio_selectors

    if code is not None:
        try:
            return portfolio_selectors.portfolio_get_by_code(code, user=actor)
        except NotFoundError:
            raise fail(gettext("Unknown portfolio: %(code)s") % {"code": code}) from None
    choices = list(portfolio_selectors.portfolio_list_for_project_create(user=actor)[:2])
    if len(choices) == 1:
        return choices[0]
    raise fail(gettext("Name the new project's portfolio with --portfolio CODE."))


def _code_from(file_name: str) -> str:
    stem = "".join(char if char.isalnum() else "-" for char in Path(file_name).stem.upper())
    return "-".join(part for part in stem.split("-") if part)[:32] or "IMPORT"


def _print_report(report: dict[str, Any], output: str, *, dry_run: bool) -> None:
    warnings = report.get("warnings", [])
    if output == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    rows: list[tuple[str, str]] = [
        (translate(gettext_noop("Format")), report["format"]),
        (translate(gettext_noop("Tasks")), str(report["tasks"])),
        (translate(gettext_noop("Links")), str(report["links"])),
        (translate(gettext_noop("Resources")), str(report["resources"])),
        (translate(gettext_noop("Assignments")), str(report["assignments"])),
        (translate(gettext_noop("Calendars")), str(report["calendars"])),
    ]
    dates = report.get("dates")
    if dates and dates.get("compared"):
        rows.append(
            (
                translate(gettext_noop("Dates as in the file")),
                f"{dates['agreeing']} / {dates['compared']}",
            )
        )
    changes = report.get("changes")
    if changes:
        rows.append(
            (
                translate(gettext_noop("Changes")),
                translate(gettext_noop("%(added)s added, %(updated)s changed, %(removed)s removed"))
                % {
                    "added": changes["added_count"],
                    "updated": changes["updated_count"],
                    "removed": changes["removed_count"],
                },
            )
        )
    if "project" in report:
        rows.append((translate(gettext_noop("Project")), report["project"]))
    click.echo(
        render_table(
            [translate(gettext_noop("What")), translate(gettext_noop("Count"))],
            [list(row) for row in rows],
        )
    )
    label = translate(gettext_noop("Warning"))
    for warning in warnings:
        click.echo(f"{label}: {warning}", err=True)
    if dry_run:
        click.echo(translate(gettext_noop("Dry run: nothing was written.")), err=True)


@click.command(
    "export",
    cls=Command,
    help=gettext_noop(
        "Export a project: Microsoft Project XML (mspdi), an Excel workbook (xlsx), its "
        "milestones, deadlines and meetings as iCalendar (ics), or a Pilotage plan (json). "
        "PROJECT is the project's code. Writes to --output, or to standard output."
    ),
)
@click.argument("project_code", metavar="PROJECT")
@option(
    "--format",
    "export_format",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help=gettext_noop("What to write."),
)
@option(
    "--output",
    "-o",
    "output_path",
    metavar="FILE",
    help=gettext_noop("The file to write (standard output by default)."),
)
@pass_context
def export_project(
    context: Context, project_code: str, export_format: str, output_path: str | None
) -> None:
    actor = context.actor()
    from pilotage.core.errors import NotFoundError
    from pilotage.exchange.exports import project_export
    from pilotage.portfolio.selectors import project_get_by_code

    try:
        project = project_get_by_code(project_code, user=actor)
    except NotFoundError:
        raise fail(gettext("Unknown project: %(code)s") % {"code": project_code}) from None
    exported = project_export(actor=actor, project=project, format=export_format)
    if output_path is None:
        if export_format == "xlsx" and sys.stdout.isatty():
            raise fail(gettext("An Excel workbook is binary: write it to a file with --output."))
        sys.stdout.buffer.write(exported.content)
        sys.stdout.flush()
        return
    try:
        Path(output_path).write_bytes(exported.content)
    except OSError as error:
        raise fail(f"{output_path}: {error.strerror or error}") from None
    click.echo(
        gettext("Wrote %(file)s (%(size)s bytes).")
        % {"file": output_path, "size": len(exported.content)},
        err=True,
    )
