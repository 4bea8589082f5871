"""Commands about plans: ``schedule`` a plan file, with no database."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import click

from pilotage.cli.base import Command, fail, gettext_noop, option, render_table, translate

if TYPE_CHECKING:
    from pilotage.engine.schedule_plan import PlanSchedule

TASK_COLUMNS = (
    "uid",
    "id",
    "wbs",
    "outline_level",
    "name",
    "summary",
    "milestone",
    "manual",
    "early_start",
    "early_finish",
    "late_start",
    "late_finish",
    "start",
    "finish",
    "total_float_minutes",
    "free_float_minutes",
    "critical",
)
"""The keys of each task in ``--format json`` and the columns of ``--format csv``."""


@click.command(
    cls=Command,
    help=gettext_noop(
        "Schedule a plan file and print every task with its early and late dates, floats and "
        "critical flag. PLAN is a Microsoft Project XML file (.xml) or a Pilotage plan (.json "
        "or .toml, see docs/plan-format.md). Needs no database. Warnings go to standard error."
    ),
)
@click.argument("plan_file", metavar="PLAN")
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json", "csv")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
def schedule(plan_file: str, output: str) -> None:
    # Imported here so that `pilotage --help` does not load numpy and the calendars.
    from pilotage.engine.errors import EngineError
    from pilotage.engine.schedule_plan import schedule_plan
    from pilotage.interop.errors import PlanFileError
    from pilotage.interop.planfile import read_plan_file

    try:
        read = read_plan_file(plan_file)
        result = schedule_plan(read.plan)
    except PlanFileError as error:
        raise fail(str(error)) from None
    except EngineError as error:
        raise fail(f"{plan_file}: {error}") from None
    warnings = [*read.warnings, *result.warnings]
    rows = _rows(result)
    if output == "json":
        text = _json(result, rows, warnings, plan_file, read.format)
    elif output == "csv":
        text = _csv(rows)
    else:
        text = _table(result, rows)
    label = translate(gettext_noop("Warning"))
    for warning in warnings:
        click.echo(f"{label}: {warning}", err=True)
    click.echo(text, nl=not text.endswith("\n"))


def _iso(values: Any) -> list[str]:
    import numpy as np

    texts: list[str] = np.datetime_as_string(values.astype("datetime64[s]")).tolist()
    return texts


def _rows(result: PlanSchedule) -> list[dict[str, Any]]:
    tasks = result.plan.tasks
    dates = {
        key: _iso(getattr(result, key))
        for key in (
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "start",
            "finish",
        )
    }
    total = result.total_float_minutes.tolist()
    free = result.free_float_minutes.tolist()
    critical = result.critical.tolist()
    summary = result.summary.tolist()
    manual = set(result.manual)
    rows = []
    for row, task in enumerate(tasks):
        rows.append(
            {
                "uid": task.uid,
                "id": task.id,
                "wbs": task.wbs or task.outline_number,
                "outline_level": task.outline_level,
                "name": task.name,
                "summary": summary[row],
                "milestone": task.milestone and not summary[row],
                "manual": task.uid in manual,
                **{key: values[row] for key, values in dates.items()},
                "total_float_minutes": total[row],
                "free_float_minutes": free[row],
                "critical": critical[row],
            }
        )
    return rows


def _json(
    result: PlanSchedule,
    rows: list[dict[str, Any]],
    warnings: list[str],
    plan_file: str,
    file_format: str,
) -> str:
    plan = result.plan
    project = {
        "name": plan.name,
        "file": plan_file,
        "format": file_format,
        "start": result.project_start.isoformat(timespec="seconds"),
        "finish": result.project_finish.isoformat(timespec="seconds"),
        "status_date": (
            result.status_date.isoformat(timespec="seconds") if result.status_date else None
        ),
        "calendar": result.calendar_name,
        "minutes_per_day": plan.minutes_per_day,
        "task_count": len(rows),
        "critical_count": sum(1 for row in rows if row["critical"] and not row["summary"]),
        "warnings": warnings,
    }
    head = json.dumps(project, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    # One task per line: readable, and fast on large plans (the compact encoder is C).
    tasks = ",\n    ".join(json.dumps(row, ensure_ascii=False) for row in rows)
    body = f"[\n    {tasks}\n  ]" if rows else "[]"
    return f'{{\n  "project": {head},\n  "tasks": {body}\n}}\n'


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=TASK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _days(minutes: int, minutes_per_day: int) -> str:
    days = round(minutes / minutes_per_day, 2) or 0.0
    return f"{days:.2f}".rstrip("0").rstrip(".")


def _table(result: PlanSchedule, rows: list[dict[str, Any]]) -> str:
    per_day = result.plan.minutes_per_day
    elapsed = result.elapsed.tolist()
    yes = translate(gettext_noop("yes"))
    headers = [
        translate(gettext_noop("UID")),
        translate(gettext_noop("ID")),
        translate(gettext_noop("WBS")),
        translate(gettext_noop("Name")),
        translate(gettext_noop("Early start")),
        translate(gettext_noop("Early finish")),
        translate(gettext_noop("Late start")),
        translate(gettext_noop("Late finish")),
        translate(gettext_noop("Total float (d)")),
        translate(gettext_noop("Free float (d)")),
        translate(gettext_noop("Critical")),
    ]
    table = []
    for row, values in enumerate(rows):
        day = 1440 if elapsed[row] else per_day
        table.append(
            [
                str(values["uid"]),
                "" if values["id"] is None else str(values["id"]),
                values["wbs"],
                "  " * max(values["outline_level"] - 1, 0) + values["name"],
                *(
                    values[key][:16].replace("T", " ")
                    for key in ("early_start", "early_finish", "late_start", "late_finish")
                ),
                _days(values["total_float_minutes"], day),
                _days(values["free_float_minutes"], day),
                yes if values["critical"] else "",
            ]
        )
    return render_table(headers, table, shrink=3, right=frozenset({0, 1, 8, 9}))
