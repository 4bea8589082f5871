"""``pilotage level``: level the resources of a plan file, or solve a PSPLIB instance."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pilotage.cli.base import Command, fail, gettext_noop, option, render_table, translate

if TYPE_CHECKING:
    from pilotage.engine.leveling.plan import CompetingTask, LeveledTask, PlanLevelingResult
    from pilotage.interop.document import ProjectDocument


@click.command(
    cls=Command,
    help=gettext_noop(
        "Level the resources of a plan file: delay tasks until the people and equipment they "
        "need are free, and say why each task waits. PLAN is any project file Pilotage reads "
        "(Microsoft Project XML has resources and assignments; so may a Pilotage plan). With "
        "--psplib FILE.sm, solve a PSPLIB benchmark instance instead. Needs no database."
    ),
)
@click.argument("plan_file", metavar="PLAN", required=False)
@option(
    "--psplib",
    "psplib_file",
    metavar="FILE.sm",
    default=None,
    help=gettext_noop("Level a PSPLIB single-mode instance instead of a plan."),
)
@option(
    "--time-limit",
    "time_limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help=gettext_noop("Stop searching after this many seconds (default 1, 30 with optimise)."),
)
@option(
    "--mode",
    type=click.Choice(("fast", "optimise")),
    default="fast",
    show_default=True,
    help=gettext_noop("fast: heuristics; optimise: a longer search that can prove optimality."),
)
@option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help=gettext_noop("Seed of the search: the same seed gives the same result."),
)
@option(
    "--within-slack",
    is_flag=True,
    default=False,
    help=gettext_noop("Only delay tasks within their total float: the finish does not move."),
)
@option(
    "--format",
    "output",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help=gettext_noop("Output format."),
)
@option(
    "-o",
    "--output",
    "out_file",
    metavar="OUT",
    default=None,
    help=gettext_noop(
        "Write the leveled plan, with its leveling delays: Microsoft Project XML (.xml) or a "
        "Pilotage plan (.json, .toml)."
    ),
)
def level(
    plan_file: str | None,
    psplib_file: str | None,
    time_limit: float | None,
    mode: str,
    seed: int,
    within_slack: bool,
    output: str,
    out_file: str | None,
) -> None:
    if (plan_file is None) == (psplib_file is None):
        raise fail(translate(gettext_noop("Give either a PLAN file or --psplib FILE.sm.")))
    if psplib_file is not None:
        if within_slack or out_file:
            raise fail(translate(gettext_noop("--within-slack and -o only apply to a PLAN file.")))
        _psplib(psplib_file, mode, time_limit, seed, output)
        return
    assert plan_file is not None
    _plan(plan_file, mode, time_limit, seed, within_slack, output, out_file)


def _psplib(path: str, mode: str, time_limit: float | None, seed: int, output: str) -> None:
    # Imported here so that `pilotage --help` does not load numpy and the engine.
    from pilotage.engine.errors import EngineError
    from pilotage.engine.leveling import LevelingOptions, level_resources, read_psplib

    try:
        instance = read_psplib(path)
        result = level_resources(
            instance.problem,
            LevelingOptions(
                mode="optimise" if mode == "optimise" else "fast",
                time_limit_seconds=time_limit,
                seed=seed,
            ),
        )
    except (EngineError, OSError) as error:
        raise fail(str(error)) from None
    starts = [int(value) for value in result.start.tolist()]
    finishes = [int(value) for value in result.finish.tolist()]
    if output == "json":
        document = {
            "makespan": int(result.makespan),
            "starts": {str(job): start for job, start in zip(instance.jobs, starts, strict=True)},
        }
        click.echo(json.dumps(document))
        return
    headers = [translate(gettext_noop(text)) for text in ("Job", "Start", "Finish", "Duration")]
    rows = [
        [str(job), str(start), str(finish), str(finish - start)]
        for job, start, finish in zip(instance.jobs, starts, finishes, strict=True)
    ]
    click.echo(render_table(headers, rows, right=frozenset({0, 1, 2, 3})))
    click.echo(
        translate(gettext_noop("Makespan: %(makespan)d (lower bound %(bound)d%(proof)s)"))
        % {
            "makespan": result.makespan,
            "bound": result.lower_bound or result.critical_path_bound,
            "proof": translate(gettext_noop(", optimal")) if result.proven_optimal else "",
        }
    )


def _plan(
    path: str,
    mode: str,
    time_limit: float | None,
    seed: int,
    within_slack: bool,
    output: str,
    out_file: str | None,
) -> None:
    from pilotage.engine.errors import EngineError
    from pilotage.engine.leveling.plan import PlanLevelingOptions, level_plans
    from pilotage.interop.errors import PlanFileError
    from pilotage.interop.formats import read_project_file
    from pilotage.interop.leveling import leveling_inputs, with_plan

    target = _target_format(out_file) if out_file else None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise fail(f"{path}: {error.strerror or error}") from None
    try:
        document = read_project_file(data, path)
        key = os.path.basename(path) or path
        project, resources, assignments = leveling_inputs(document, key=key)
        result = level_plans(
            [project],
            resources,
            assignments,
            PlanLevelingOptions(
                within_slack=within_slack,
                mode="optimise" if mode == "optimise" else "fast",
                time_limit_seconds=time_limit,
                seed=seed,
            ),
        )
    except PlanFileError as error:
        raise fail(str(error)) from None
    except EngineError as error:
        raise fail(f"{path}: {error}") from None
    label = translate(gettext_noop("Warning"))
    for warning in document.warnings:
        click.echo(f"{label}: {warning}", err=True)
    leveled = result.projects[0]
    if out_file is not None and target is not None:
        _write(with_plan(document, leveled.plan), out_file, target)
    if output == "json":
        click.echo(json.dumps(_json(result, document, path), indent=2))
    else:
        click.echo(_table(result))


def _target_format(out_file: str) -> str:
    suffix = Path(out_file).suffix.lower()
    formats = {".xml": "mspdi", ".json": "json", ".toml": "toml"}
    if suffix not in formats:
        raise fail(
            translate(gettext_noop("%(file)s: write the leveled plan as .xml, .json or .toml"))
            % {"file": out_file}
        )
    return formats[suffix]


def _write(document: ProjectDocument, out_file: str, target: str) -> None:
    if target == "mspdi":
        from pilotage.interop.mspdi_writer import write_mspdi

        content = write_mspdi(document)
    else:
        from pilotage.interop.planfile_writer import write_plan

        text = write_plan(
            document.plan,
            format="toml" if target == "toml" else "json",
            resources=document.resources,
            assignments=document.assignments,
        )
        content = text.encode("utf-8")
    try:
        Path(out_file).write_bytes(content)
    except OSError as error:
        raise fail(f"{out_file}: {error.strerror or error}") from None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _reasons(result: PlanLevelingResult, task: LeveledTask) -> list[str]:
    return [
        explanation.describe(projects=False)
        for explanation in result.explanations
        if (explanation.task.project, explanation.task.uid) == (task.project, task.uid)
    ]


def _table(result: PlanLevelingResult) -> str:
    from pilotage.engine.leveling.plan import delay_text

    lines: list[str] = []
    delayed = result.delayed
    if delayed:
        headers = [
            translate(gettext_noop(text))
            for text in ("UID", "Name", "Delay", "Start before", "Start after", "Finish after")
        ]
        rows = [
            [
                str(task.uid),
                task.name,
                delay_text(task.leveling_delay_minutes),
                _when(task.start_before),
                _when(task.start),
                _when(task.finish),
            ]
            for task in delayed
        ]
        lines.append(render_table(headers, rows, shrink=1, right=frozenset({0})))
        lines.append("")
        lines.append(translate(gettext_noop("Why:")))
        for task in delayed:
            for sentence in _reasons(result, task):
                lines.append(f"- {sentence}")
    else:
        lines.append(translate(gettext_noop("No task needs to be delayed.")))
    if result.unresolved:
        lines.append("")
        lines.append(translate(gettext_noop("Over-allocations left:")))
        for item in result.unresolved:
            tasks = ", ".join(f"{task.name} (UID {task.uid})" for task in item.tasks)
            lines.append(
                f"- {item.resource_name}, {_when(item.start)} - {_when(item.finish)}: {tasks}"
            )
    lines.append("")
    for project in result.projects:
        lines.append(
            translate(gettext_noop("Project finish: %(before)s before leveling, %(after)s after"))
            % {"before": _when(project.finish_before), "after": _when(project.finish_after)}
        )
    return "\n".join(lines)


def _task_json(task: CompetingTask) -> dict[str, Any]:
    return {"uid": task.uid, "name": task.name}


def _json(result: PlanLevelingResult, document: ProjectDocument, path: str) -> dict[str, Any]:
    from pilotage.engine.leveling.plan import delay_text

    project = result.projects[0]
    delayed = []
    for task in result.delayed:
        reasons = [
            {
                "resource": explanation.resource_name,
                "resource_uid": int(explanation.resource_key),
                "waiting_from": explanation.when.isoformat(),
                "competing_tasks": [_task_json(other) for other in explanation.competing],
                "text": explanation.describe(projects=False),
            }
            for explanation in result.explanations
            if (explanation.task.project, explanation.task.uid) == (task.project, task.uid)
        ]
        delayed.append(
            {
                "uid": task.uid,
                "name": task.name,
                "leveling_delay": delay_text(task.leveling_delay_minutes),
                "leveling_delay_minutes": task.leveling_delay_minutes,
                "start_before": task.start_before.isoformat(),
                "finish_before": task.finish_before.isoformat(),
                "start": task.start.isoformat(),
                "finish": task.finish.isoformat(),
                "reasons": reasons,
            }
        )
    return {
        "project": {
            "name": document.plan.name,
            "file": path,
            "finish_before": project.finish_before.isoformat(),
            "finish_after": project.finish_after.isoformat(),
        },
        "delayed_tasks": delayed,
        "unresolved_overallocations": [
            {
                "resource": item.resource_name,
                "start": item.start.isoformat(),
                "finish": item.finish.isoformat(),
                "tasks": [_task_json(task) for task in item.tasks],
            }
            for item in result.unresolved
        ],
        "search": {
            "method": result.best_method,
            "schedules_generated": result.schedules_generated,
            "proven_optimal": result.proven_optimal,
            "time_limit_reached": result.time_limit_reached,
            "seconds": round(result.seconds, 3),
        },
    }
