"""API operations of schedule risk analysis: a project's three-point estimates and its Monte
Carlo simulation runs.

Durations are working minutes (a day is the project calendar's day, 480 minutes by default);
finish dates are wall-clock date-times without a time zone, like every plan date. Whoever sees
a project reads its estimates and runs; changing the estimates and running, repeating or
deleting a simulation takes the right to change the project.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts.permissions import Action
from pilotage.core.api import ApiRequest, InputSchema, Page, PageParams, paginate, responses
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_get_for_user
from pilotage.risks import simulation as services
from pilotage.risks.models import (
    EstimateDistribution,
    SimulationRun,
    SimulationStatus,
    TaskEstimate,
)

router = Router(tags=["simulations"])


# Schemas -------------------------------------------------------------------------------------


class EstimateOut(Schema):
    task_id: int
    wbs: str
    task: str = Field(..., description="The task's name.")
    planned_minutes: int = Field(..., description="The task's planned duration.")
    distribution: EstimateDistribution
    optimistic_minutes: int
    most_likely_minutes: int
    pessimistic_minutes: int
    cost_low: Decimal | None
    cost_likely: Decimal | None
    cost_high: Decimal | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_wbs(estimate: TaskEstimate) -> str:
        return estimate.task.wbs_code

    @staticmethod
    def resolve_task(estimate: TaskEstimate) -> str:
        return estimate.task.name

    @staticmethod
    def resolve_planned_minutes(estimate: TaskEstimate) -> int:
        return int(estimate.task.duration_minutes)


class EstimateIn(InputSchema):
    distribution: EstimateDistribution = Field(
        EstimateDistribution.TRIANGULAR,
        description="triangular, pert, uniform or lognormal (its optimistic and pessimistic "
        "values are its P10 and P90).",
    )
    optimistic_minutes: int = Field(..., ge=0)
    most_likely_minutes: int | None = Field(
        None, ge=0, description="Required but for a lognormal estimate (its median then)."
    )
    pessimistic_minutes: int = Field(..., ge=0)
    cost_low: Decimal | None = Field(None, ge=0)
    cost_likely: Decimal | None = Field(None, ge=0)
    cost_high: Decimal | None = Field(None, ge=0)


class MultipliersIn(InputSchema):
    optimistic: float = Field(0.9, ge=0, description="Multiple of the planned duration.")
    most_likely: float = Field(1.0, ge=0)
    pessimistic: float = Field(1.3, ge=0)
    distribution: EstimateDistribution = EstimateDistribution.TRIANGULAR
    task_ids: list[int] | None = Field(
        None,
        description="The tasks to estimate (their estimates are replaced); null or absent for "
        "every leaf task of the project without an estimate.",
    )


class MultipliersOut(Schema):
    count: int = Field(..., description="How many estimates were written.")
    items: list[EstimateOut]


class SimulationIn(InputSchema):
    name: str = Field("", max_length=200)
    iterations: int = Field(
        10_000, ge=services.ITERATIONS_RANGE[0], le=services.ITERATIONS_RANGE[1]
    )
    seed: int | None = Field(None, ge=0, description="Null or absent for a random one.")
    uncertainty: list[float] | None = Field(
        None,
        min_length=3,
        max_length=3,
        description="Optimistic, most likely and pessimistic multipliers of the planned "
        "duration of the tasks without an estimate (e.g. [0.9, 1.0, 1.3]); null to keep it.",
    )
    include_risks: bool = True
    include_linked: bool = Field(
        False,
        description="Simulate with the projects this one depends on (across cross-project "
        "links, upstream, those the caller may see).",
    )
    deadline: dt.date | None = Field(
        None, description="Absent: the project's target finish; null: none."
    )
    budget: Decimal | None = Field(None, ge=0, description="Absent: the project's budget.")
    confidence: int = Field(
        80,
        ge=services.CONFIDENCE_RANGE[0],
        le=services.CONFIDENCE_RANGE[1],
        description="The percentile the contingency is computed at.",
    )


class SimulationSummaryOut(Schema):
    id: int
    project_id: int
    name: str
    status: SimulationStatus
    error: str
    seed: int
    iterations: int
    created_by: str | None = Field(None, description="The username of who ran it.")
    created_at: dt.datetime
    elapsed_seconds: float
    p50_finish: dt.datetime | None
    p80_finish: dt.datetime | None
    deadline_probability: float | None = Field(None, description="0 to 1.")
    project_ids: list[int] = Field(..., description="The projects simulated together.")

    @staticmethod
    def resolve_created_by(run: SimulationRun) -> str | None:
        return run.created_by.get_username() if run.created_by else None

    @staticmethod
    def resolve_p50_finish(run: SimulationRun) -> str | None:
        return _percentile(run, "P50")

    @staticmethod
    def resolve_p80_finish(run: SimulationRun) -> str | None:
        return _percentile(run, "P80")

    @staticmethod
    def resolve_deadline_probability(run: SimulationRun) -> float | None:
        value = _summary(run, "deadline_probability")
        return None if value is None else float(value)

    @staticmethod
    def resolve_project_ids(run: SimulationRun) -> list[int]:
        projects = _summary(run, "projects") or []
        return [int(entry["id"]) for entry in projects]


class SimulationOut(SimulationSummaryOut):
    settings: dict[str, Any] = Field(
        ...,
        description="iterations, seed, uncertainty, include_risks, include_linked, deadline, "
        "budget, confidence.",
    )
    inputs: dict[str, Any] = Field(
        ...,
        description="What the run used: projects, minutes_per_day, estimates, risks (as "
        "events: probability 0 to 1, tasks, delay in days, cost) and the tasks' costs.",
    )
    results: dict[str, Any] = Field(
        ...,
        description="percentiles (label, finish, cost), deterministic_finish, "
        "deadline_probability, budget_probability, contingency (confidence, minutes, days, "
        "cost), finish_histogram (counts, edges), cumulative (finish, probability), "
        "cost_varies, cost_mean, cost_histogram, criticality (task, wbs, name, project, "
        "criticality 0 to 1, most critical first), tornado (task, wbs, name, project, "
        "sensitivity), warnings, method, minutes_per_day, currency, elapsed_seconds.",
    )


def _summary(run: SimulationRun, key: str) -> Any:
    """A value of the run's results (or inputs, for the projects): from the list's
    annotations when the run comes from the list, which does not read the whole results."""
    annotated = f"summary_{key}"
    if annotated in run.__dict__:
        return run.__dict__[annotated]
    source = run.inputs if key == "projects" else run.results
    return (source or {}).get(key)


def _percentile(run: SimulationRun, label: str) -> str | None:
    for entry in _summary(run, "percentiles") or []:
        if entry.get("label") == label:
            value = entry.get("finish")
            return str(value) if value else None
    return None


# Estimates -----------------------------------------------------------------------------------


def _project(request: ApiRequest, project_id: int, action: Action = Action.VIEW) -> Project:
    return project_get_for_user(project_id, user=request.auth, action=action)


@router.get(
    "/projects/{project_id}/estimates",
    response=responses(200, Page[EstimateOut]),
    summary="List a project's three-point estimates",
)
def estimate_list(request: ApiRequest, project_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """In plan order."""
    project = _project(request, project_id)
    return paginate(services.estimate_list(user=request.auth, project=project), page)


@router.post(
    "/projects/{project_id}/estimates/multipliers",
    response=responses(200, MultipliersOut),
    summary="Estimate many tasks as multiples of their planned duration",
)
def estimates_multipliers(
    request: ApiRequest, project_id: int, payload: MultipliersIn
) -> dict[str, Any]:
    """Each task gets ``optimistic``, ``most_likely`` and ``pessimistic`` times its planned
    duration: the tasks named (their estimates are replaced), or every leaf task without one."""
    project = _project(request, project_id, Action.CHANGE)
    tasks = None
    if payload.task_ids is not None:
        tasks = [
            services.estimate_task_get_for_user(
                project, task_id, user=request.auth, action=Action.CHANGE
            )
            for task_id in dict.fromkeys(payload.task_ids)
        ]
    written = services.estimates_apply_multipliers(
        actor=request.auth,
        project=project,
        optimistic=payload.optimistic,
        most_likely=payload.most_likely,
        pessimistic=payload.pessimistic,
        tasks=tasks,
        distribution=payload.distribution,
    )
    items = list(
        TaskEstimate.objects.filter(pk__in=[estimate.pk for estimate in written])
        .select_related("task")
        .order_by("task__position")
    )
    return {"count": len(items), "items": items}


@router.put(
    "/projects/{project_id}/estimates/{int:task_id}",
    response=responses(200, EstimateOut),
    summary="Set a task's three-point estimate",
)
def estimate_put(
    request: ApiRequest, project_id: int, task_id: int, payload: EstimateIn
) -> TaskEstimate:
    """Creates or replaces the estimate of a leaf task of the project. Refused (422) for a
    summary task or a milestone, or when the optimistic duration exceeds the most likely one
    or the most likely the pessimistic one."""
    project = _project(request, project_id, Action.CHANGE)
    task = services.estimate_task_get_for_user(
        project, task_id, user=request.auth, action=Action.CHANGE
    )
    estimate = services.estimate_set(
        actor=request.auth, task=task, project=project, **payload.model_dump()
    )
    return TaskEstimate.objects.select_related("task").get(pk=estimate.pk)


@router.delete(
    "/projects/{project_id}/estimates/{int:task_id}",
    response=responses(204, None),
    summary="Remove a task's three-point estimate",
)
def estimate_delete(request: ApiRequest, project_id: int, task_id: int) -> Status[None]:
    """The task keeps its planned duration (or the run's multipliers) in later runs."""
    project = _project(request, project_id, Action.CHANGE)
    task = services.estimate_task_get_for_user(
        project, task_id, user=request.auth, action=Action.CHANGE
    )
    services.estimate_clear(actor=request.auth, task=task)
    return Status(204, None)


# Simulation runs -----------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/simulations",
    response=responses(200, Page[SimulationSummaryOut]),
    summary="List a project's simulation runs",
)
def simulation_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """Newest first, with each run's P50 and P80 finish; get a run for its results."""
    project = _project(request, project_id)
    return paginate(services.simulation_list(user=request.auth, project=project), page)


@router.post(
    "/projects/{project_id}/simulations",
    response=responses(201, SimulationOut),
    summary="Run a Monte Carlo simulation of a project's schedule",
)
def simulation_create(
    request: ApiRequest, project_id: int, payload: SimulationIn
) -> Status[SimulationRun]:
    """Schedules the plan `iterations` times, each task's duration drawn from its estimate
    (or its planned duration times the `uncertainty` multipliers), each open risk touching
    tasks occurring with its probability, and answers the stored run with its results. The
    same seed and inputs give the same results. Settings out of range are refused (422); a
    plan the simulation cannot handle gives a run with the status `failed` and its `error`."""
    project = _project(request, project_id, Action.CHANGE)
    data = payload.model_dump()
    sent = payload.sent()
    defaults = services.simulation_defaults(project)
    for name in ("deadline", "budget"):
        if name not in sent:
            data[name] = defaults[name]
    run = services.simulation_run(
        actor=request.auth,
        project=project,
        **{**data, "uncertainty": tuple(data["uncertainty"]) if data["uncertainty"] else None},
    )
    return Status(201, run)


def _run(request: ApiRequest, run_id: int, action: Action = Action.VIEW) -> SimulationRun:
    return services.simulation_get_for_user(run_id, user=request.auth, action=action)


@router.get(
    "/simulations/{run_id}", response=responses(200, SimulationOut), summary="Get a simulation run"
)
def simulation_get(request: ApiRequest, run_id: int) -> SimulationRun:
    return _run(request, run_id)


@router.post(
    "/simulations/{run_id}/rerun",
    response=responses(201, SimulationOut),
    summary="Run a simulation again with the same seed and inputs",
)
def simulation_rerun(request: ApiRequest, run_id: int) -> Status[SimulationRun]:
    """A new run with the same seed, settings, estimates, risk events and costs, on today's
    plan: on an unchanged plan its results are the same."""
    run = _run(request, run_id, Action.CHANGE)
    return Status(201, services.simulation_rerun(actor=request.auth, run=run))


@router.delete(
    "/simulations/{run_id}", response=responses(204, None), summary="Delete a simulation run"
)
def simulation_delete(request: ApiRequest, run_id: int) -> Status[None]:
    services.simulation_delete(actor=request.auth, run=_run(request, run_id, Action.CHANGE))
    return Status(204, None)
