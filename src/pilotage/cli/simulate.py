"""``pilotage simulate PLAN``: a Monte Carlo simulation of a plan file, with no database."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

import click

from pilotage.cli.base import Command, fail, gettext_noop, option, render_table, translate

if TYPE_CHECKING:
    from pilotage.engine.risk import Distribution, PlanSimulation

CRITICAL_ROWS: Final = 10
"""How many of the most critical tasks the table lists."""
TORNADO_ROWS: Final = 10
"""How many tasks the tornado lists, in both formats."""
CONTINGENCY: Final = 80
"""The confidence of the contingency the table gives."""
SENSITIVITY_VALUES: Final = 250_000_000
"""Tasks times iterations beyond which the tornado is left out: it keeps every sampled
duration (4 bytes each), 1 GB at this size."""
PERT_FIELDS: Final = ("Duration1", "Duration2", "Duration3")
"""Where Microsoft Project's PERT analysis keeps the optimistic, expected and pessimistic
durations."""


def _uncertainty(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``triangular:LOW:MODE:HIGH``, ``pert:LOW:MODE:HIGH`` or ``uniform:LOW:HIGH`` as a
    distribution of multipliers."""
    from pilotage.engine.errors import RiskInputError
    from pilotage.engine.risk import Pert, Triangular, Uniform

    if value is None:
        return None
    kind, _, rest = value.partition(":")
    kind = kind.strip().lower()
    counts = {"triangular": 3, "pert": 3, "uniform": 2}
    if kind not in counts:
        raise click.BadParameter(
            translate(
                gettext_noop(
                    "%(value)r is not triangular:LOW:MODE:HIGH, pert:LOW:MODE:HIGH or "
                    "uniform:LOW:HIGH"
                )
            )
            % {"value": value}
        )
    try:
        numbers = [float(part) for part in rest.split(":")] if rest else []
    except ValueError:
        numbers = []
    if len(numbers) != counts[kind] or any(not 0 <= number < float("inf") for number in numbers):
        raise click.BadParameter(
            translate(
                gettext_noop(
                    "%(value)r: %(kind)s takes %(count)d multipliers of the planned duration, "
                    "0 or more, separated by colons"
                )
            )
            % {"value": value, "kind": kind, "count": counts[kind]}
        )
    try:
        if kind == "uniform":
            return Uniform(*numbers)
        return Triangular(*numbers) if kind == "triangular" else Pert(*numbers)
    except RiskInputError as error:
        raise click.BadParameter(f"{value!r}: {error}") from None


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A date (the plan's end of day is added later) or a date and time, ISO style."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).replace(tzinfo=None, second=0, microsecond=0)
    except ValueError:
        raise click.BadParameter(
            translate(gettext_noop("%(value)r is not a date (2026-03-20 or 2026-03-20T17:00)"))
            % {"value": value}
        ) from None


@click.command(
    cls=Command,
    help=gettext_noop(
        "Simulate a plan file many times with uncertain durations (Monte Carlo) and print the "
        "finish at P10, P50, P80 and P90, the deterministic finish, the tasks most often "
        "critical and the tasks whose duration sways the finish most. PLAN is a Microsoft "
        "Project XML file or a Pilotage plan (.json or .toml), as for `pilotage schedule`; "
        "three-point estimates in a Microsoft Project file's Duration1, Duration2 and "
        "Duration3 (its PERT analysis) are used. Needs no database. Warnings go to standard "
        "error."
    ),
)
@click.argument("plan_file", metavar="PLAN")
@option(
    "--iterations",
    type=click.IntRange(min=1, max=1_000_000),
    default=10_000,
    show_default=True,
    help=gettext_noop("How many times to schedule the plan."),
)
@option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help=gettext_noop("The random seed, to repeat a run (by default a random one, printed)."),
)
@option(
    "--uncertainty",
    callback=_uncertainty,
    default=None,
    metavar="KIND:LOW:MODE:HIGH",
    help=gettext_noop(
        "Multipliers of the planned duration of every task without an estimate of its own: "
        "triangular:LOW:MODE:HIGH, pert:LOW:MODE:HIGH or uniform:LOW:HIGH, e.g. "
        "triangular:0.9:1:1.5. Without it only the file's estimates vary."
    ),
)
@option(
    "--estimates",
    "estimate_kind",
    type=click.Choice(("pert", "triangular", "none")),
    default="pert",
    show_default=True,
    help=gettext_noop(
        "How to read the three-point estimates of a Microsoft Project file (Duration1 to 3), "
        "or none to leave them out."
    ),
)
@option(
    "--deadline",
    callback=_moment,
    default=None,
    metavar="DATE",
    help=gettext_noop(
        "Report the probability of finishing by this date (2026-03-20, at the plan's end of "
        "day, or 2026-03-20T17:00)."
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
def simulate(
    plan_file: str,
    iterations: int,
    seed: int | None,
    uncertainty: Distribution | None,
    estimate_kind: str,
    deadline: date | datetime | None,
    output: str,
) -> None:
    # Imported here so that `pilotage --help` does not load numpy and the engine.
    import numpy as np

    from pilotage.engine.errors import EngineError
    from pilotage.engine.risk import simulate_plan
    from pilotage.interop.errors import PlanFileError
    from pilotage.interop.planfile import read_plan_file

    try:
        read = read_plan_file(plan_file)
        estimates = _pert_estimates(plan_file, estimate_kind) if read.format == "mspdi" else {}
    except PlanFileError as error:
        raise fail(str(error)) from None
    plan = read.plan
    if isinstance(deadline, date) and not isinstance(deadline, datetime):
        deadline = datetime.combine(deadline, time()) + timedelta(
            minutes=plan.default_finish_minute
        )
    if seed is None:
        seed = secrets.randbelow(2**32)
    sensitivity = len(plan.tasks) * iterations <= SENSITIVITY_VALUES
    try:
        result = simulate_plan(
            plan,
            rng=np.random.default_rng(seed),
            iterations=iterations,
            estimates=estimates,
            uncertainty=uncertainty,
            deadline=deadline,
            sensitivity=sensitivity,
        )
    except EngineError as error:
        raise fail(f"{plan_file}: {error}") from None
    warnings = [*read.warnings, *result.warnings]
    if not sensitivity:
        warnings.append(
            translate(
                gettext_noop(
                    "The tornado is left out: it would keep %(count)s sampled durations; run "
                    "fewer iterations to have it."
                )
            )
            % {"count": f"{len(plan.tasks) * iterations:,}"}
        )
    if not estimates and uncertainty is None:
        warnings.append(
            translate(
                gettext_noop(
                    "No task has an uncertain duration: give --uncertainty to vary the planned "
                    "durations."
                )
            )
        )
    label = translate(gettext_noop("Warning"))
    for warning in warnings:
        click.echo(f"{label}: {warning}", err=True)
    if output == "json":
        click.echo(_json(result, seed, warnings))
    else:
        click.echo(_table(result, seed))


def _pert_estimates(plan_file: str, kind: str) -> dict[int, Distribution]:
    """The three-point estimates of a Microsoft Project file, by task UID."""
    from pilotage.engine.errors import RiskInputError
    from pilotage.engine.risk import Pert, Triangular
    from pilotage.interop.mspdi import read_mspdi_document

    if kind == "none":
        return {}
    document = read_mspdi_document(plan_file)
    estimates: dict[int, Distribution] = {}
    for task in document.plan.tasks:
        values = {
            value.key: value.value
            for value in document.details(task.uid).custom_values
            if value.key in PERT_FIELDS and isinstance(value.value, int)
        }
        if len(values) < len(PERT_FIELDS) or task.summary or not any(values.values()):
            continue
        low, mode, high = (float(values[key]) for key in PERT_FIELDS)
        try:
            estimate = Pert(low, mode, high) if kind == "pert" else Triangular(low, mode, high)
        except RiskInputError:
            raise fail(
                translate(
                    gettext_noop(
                        "%(file)s: Task %(uid)s: Duration1, Duration2 and Duration3 (optimistic, "
                        "expected and pessimistic) must be in increasing order, not "
                        "%(low)g, %(mode)g and %(high)g minutes"
                    )
                )
                % {"file": plan_file, "uid": task.uid, "low": low, "mode": mode, "high": high}
            ) from None
        estimates[task.uid] = estimate
    return estimates


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _json(result: PlanSimulation, seed: int, warnings: list[str]) -> str:
    document: dict[str, Any] = {
        "finish_percentiles": {
            key: _iso(value) for key, value in result.finish_percentiles.items()
        },
        "deterministic_finish": _iso(result.deterministic_finish),
        "criticality_index": {str(uid): value for uid, value in result.criticality.items()},
        "iterations": result.iterations,
        "seed": seed,
        "method": result.method,
    }
    if result.deadline_probability is not None:
        document["deadline_probability"] = result.deadline_probability
    document["tornado"] = [
        {"uid": uid, "name": name, "sensitivity": round(value, 4)}
        for uid, name, value in result.tornado(TORNADO_ROWS)
    ]
    document["warnings"] = warnings
    return json.dumps(document, indent=2, ensure_ascii=False)


def _when(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def _table(result: PlanSimulation, seed: int) -> str:
    plan = result.schedule.plan
    lines = [
        translate(gettext_noop("%(name)s: %(iterations)s iterations, seed %(seed)s (%(method)s)"))
        % {
            "name": plan.name,
            "iterations": f"{result.iterations:,}",
            "seed": seed,
            "method": result.method,
        },
        "",
    ]
    rows = [[translate(gettext_noop("Deterministic")), _when(result.deterministic_finish)]]
    rows += [[key, _when(value)] for key, value in result.finish_percentiles.items()]
    lines.append(
        render_table([translate(gettext_noop("Finish")), translate(gettext_noop("Date"))], rows)
    )
    lines.append("")
    if result.deadline is not None and result.deadline_probability is not None:
        lines.append(
            translate(gettext_noop("Chance to finish by %(deadline)s: %(percent).1f %%"))
            % {"deadline": _when(result.deadline), "percent": 100 * result.deadline_probability}
        )
    minutes, days, _ = result.contingency(CONTINGENCY)
    lines.append(
        translate(
            gettext_noop(
                "Contingency at P%(confidence)d: %(days)s working days (%(minutes)d minutes)"
            )
        )
        % {"confidence": CONTINGENCY, "days": f"{days:.2f}", "minutes": minutes}
    )
    names = result.names
    ids = {task.uid: task.id for task in plan.tasks}
    critical = sorted(result.criticality.items(), key=lambda item: -item[1])[:CRITICAL_ROWS]
    lines += ["", translate(gettext_noop("Most often critical"))]
    lines.append(
        render_table(
            [
                translate(gettext_noop("UID")),
                translate(gettext_noop("ID")),
                translate(gettext_noop("Name")),
                translate(gettext_noop("Critical (%)")),
            ],
            [
                [
                    str(uid),
                    "" if ids.get(uid) is None else str(ids[uid]),
                    names.get(uid, ""),
                    f"{100 * value:.1f}",
                ]
                for uid, value in critical
            ],
            shrink=2,
            right=frozenset({0, 1, 3}),
        )
    )
    tornado = result.tornado(TORNADO_ROWS)
    lines += [
        "",
        translate(gettext_noop("Tornado: how each task's duration sways the finish (Spearman)")),
    ]
    if tornado:
        lines.append(
            render_table(
                [
                    translate(gettext_noop("UID")),
                    translate(gettext_noop("Name")),
                    translate(gettext_noop("Sensitivity")),
                ],
                [[str(uid), name, f"{value:+.3f}"] for uid, name, value in tornado],
                shrink=1,
                right=frozenset({0, 2}),
            )
        )
    else:
        lines.append(translate(gettext_noop("No task's duration varies.")))
    return "\n".join(lines)
