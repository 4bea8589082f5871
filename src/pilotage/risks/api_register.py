"""API operations of the risk register: the scales and RAID settings, risks (list, create,
change, close, reopen, review, escalate, delete), their response actions and assessments, the
heat map and the trend.

A risk's ``score`` is probability × impact (inherent), ``residual_score`` the same after the
planned responses, ``current_score`` the residual one once assessed, else the inherent one;
``rag`` colours the current score with the settings' thresholds; ``expected_value`` is the
probability (the risk's own percentage, else its level's) times the cost impact, negative for
an opportunity. Amounts are strings of decimals in the project's currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, has_any_role
from pilotage.core.api import (
    ApiRequest,
    InputSchema,
    Page,
    PageParams,
    Ref,
    input_names,
    paginate,
    patch_schema,
    responses,
)
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning.models import Task
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.portfolio.selectors import (
    portfolio_get_for_user,
    programme_get_for_user,
    project_get_for_user,
)
from pilotage.risks import register
from pilotage.risks.models import (
    EscalationLevel,
    Risk,
    RiskAction,
    RiskActionStatus,
    RiskAssessment,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
    ScaleKind,
)

router = Router(tags=["risks"])

RagName = Literal["red", "amber", "green"]
StatusFilter = Literal["open", "all", "identified", "active", "occurred", "closed"]


# Schemas --------------------------------------------------------------------------------------


class ScaleLevelOut(Schema):
    level: int
    name: str
    description: str
    probability_percent: Decimal | None = Field(
        None, description="Probability levels: the chance the level stands for, in percent."
    )
    schedule_days: Decimal | None = Field(None, description="Impact levels: the delay, in days.")
    cost: Decimal | None = Field(None, description="Impact levels: the cost.")
    quality: str
    reputation: str


class ScalesOut(Schema):
    probability: list[ScaleLevelOut]
    impact: list[ScaleLevelOut]


class ScaleLevelIn(InputSchema):
    level: int = Field(..., ge=1, le=9)
    name: str = Field(..., max_length=60)
    description: str = ""
    probability_percent: Decimal | None = Field(None, ge=0, le=100)
    schedule_days: Decimal | None = None
    cost: Decimal | None = None
    quality: str = Field("", max_length=255)
    reputation: str = Field("", max_length=255)


class ScaleIn(InputSchema):
    levels: list[ScaleLevelIn] = Field(
        ..., description="Every level of the scale, numbered 1..n (3 ≤ n ≤ 9)."
    )


class RiskSettingsOut(Schema):
    amber_score: int
    red_score: int
    review_interval_days: int
    programme_cost_threshold: Decimal
    portfolio_cost_threshold: Decimal
    programme_days_threshold: int
    portfolio_days_threshold: int


class RiskSettingsIn(InputSchema):
    amber_score: int = Field(..., ge=1, description="Amber from this current score.")
    red_score: int = Field(..., ge=1, description="Red from this current score.")
    review_interval_days: int = Field(..., ge=1)
    programme_cost_threshold: Decimal = Field(..., ge=0)
    portfolio_cost_threshold: Decimal = Field(..., ge=0)
    programme_days_threshold: int = Field(..., ge=0)
    portfolio_days_threshold: int = Field(..., ge=0)


if TYPE_CHECKING:
    RiskSettingsPatch = RiskSettingsIn
else:
    RiskSettingsPatch = patch_schema(RiskSettingsIn, "RiskSettingsPatch")


class RiskOut(Schema):
    id: int
    code: str
    title: str
    description: str
    project: Ref | None
    portfolio_id: int
    programme_id: int | None
    kind: RiskKind
    category: RiskCategory
    status: RiskStatus
    owner_id: int | None
    owner: str | None = Field(None, description="The owner's user name.")
    cause: str
    event: str
    effect: str
    probability: int
    impact: int
    residual_probability: int | None
    residual_impact: int | None
    score: int = Field(..., description="Inherent: probability × impact.")
    residual_score: int | None = Field(None, description="After the planned responses.")
    current_score: int = Field(..., description="The residual score once assessed, else inherent.")
    rag: RagName = Field(..., description="The colour of the current score.")
    probability_percent: Decimal | None
    cost_impact: Decimal | None
    expected_value: Decimal | None = Field(
        None, description="Probability × cost impact; negative (a gain) for an opportunity."
    )
    currency: str = Field(..., description="The project's currency.")
    schedule_impact_min_days: Decimal | None
    schedule_impact_likely_days: Decimal | None
    schedule_impact_max_days: Decimal | None
    task_ids: list[int]
    proximity: dt.date | None
    trigger: str
    response: str = Field(..., description="A response strategy, or empty.")
    response_plan: str
    review_date: dt.date | None = Field(None, description="The next review.")
    reviewed_at: dt.datetime | None
    closed_at: dt.datetime | None
    escalation_level: EscalationLevel
    escalated_at: dt.datetime | None
    escalated_by: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(risk: Risk) -> str | None:
        return risk.owner.get_username() if risk.owner is not None else None

    @staticmethod
    def resolve_escalated_by(risk: Risk) -> str | None:
        return risk.escalated_by.get_username() if risk.escalated_by is not None else None

    @staticmethod
    def resolve_current_score(risk: Risk) -> int:
        value = getattr(risk, "current_score_value", None)
        return int(value) if value is not None else (risk.residual_score or risk.score)

    @staticmethod
    def resolve_rag(risk: Risk) -> str:
        return str(getattr(risk, "rag_value", ""))

    @staticmethod
    def resolve_expected_value(risk: Risk) -> Decimal | None:
        value = getattr(risk, "emv_value", None)
        return None if value is None else Decimal(value).quantize(register.CENT)

    @staticmethod
    def resolve_currency(risk: Risk) -> str:
        return risk.project.currency if risk.project is not None else ""

    @staticmethod
    def resolve_task_ids(risk: Risk) -> list[int]:
        return sorted(task.pk for task in risk.tasks.all())


class RiskValues(InputSchema):
    code: str = Field("", max_length=20, description="Empty: the next R-nnn of the portfolio.")
    title: str = Field(..., min_length=1, max_length=255)
    description: str = ""
    kind: RiskKind = RiskKind.THREAT
    category: RiskCategory = RiskCategory.TECHNICAL
    status: RiskStatus = RiskStatus.IDENTIFIED
    owner_id: int | None = Field(None, description="A user who sees the project.")
    cause: str = ""
    event: str = ""
    effect: str = ""
    probability: int = Field(3, description="A level of the probability scale.")
    impact: int = Field(3, description="A level of the impact scale.")
    residual_probability: int | None = None
    residual_impact: int | None = None
    probability_percent: Decimal | None = None
    cost_impact: Decimal | None = None
    schedule_impact_min_days: Decimal | None = None
    schedule_impact_likely_days: Decimal | None = None
    schedule_impact_max_days: Decimal | None = None
    task_ids: list[int] = Field(default_factory=list, description="Tasks of the risk's project.")
    proximity: dt.date | None = None
    trigger: str = ""
    response: RiskResponse | Literal[""] = Field(
        "",
        description="Threats: avoid, mitigate, transfer, accept, escalate; opportunities: "
        "exploit, enhance, share, accept, escalate.",
    )
    response_plan: str = ""
    review_date: dt.date | None = Field(None, description="Empty: after the review interval.")


class RiskIn(RiskValues):
    project_id: int


if TYPE_CHECKING:
    RiskPatch = RiskValues
else:
    RiskPatch = patch_schema(RiskValues, "RiskPatch")


class RiskFilters(Schema):
    project: int | None = Field(None, description="Project id.")
    programme: int | None = Field(None, description="Programme id.")
    portfolio: int | None = Field(None, description="Portfolio id.")
    status: StatusFilter = Field("all", description="A status, open (identified or active), all.")
    category: RiskCategory | None = None
    kind: RiskKind | None = None
    owner: int | None = Field(None, description="Owner's user id.")
    rag: RagName | None = None
    min_score: int | None = Field(None, description="Current score at least this.")
    escalated: bool | None = Field(None, description="Raised to a programme or portfolio.")
    search: str = ""
    ordering: str = Field(
        "-score",
        description="code, title, project, status, category, owner, score (current), inherent, "
        "emv, proximity, review; '-' in front reverses.",
    )


class EscalateIn(InputSchema):
    level: EscalationLevel
    comment: str = ""


class RiskActionOut(Schema):
    id: int
    risk_id: int
    description: str
    owner_id: int | None
    owner: str | None = None
    due_date: dt.date | None
    status: RiskActionStatus
    done_at: dt.datetime | None

    @staticmethod
    def resolve_owner(action: RiskAction) -> str | None:
        return action.owner.get_username() if action.owner is not None else None


class RiskActionIn(InputSchema):
    description: str = Field(..., min_length=1, max_length=500)
    owner_id: int | None = None
    due_date: dt.date | None = None


if TYPE_CHECKING:
    RiskActionPatch = RiskActionIn
else:
    RiskActionPatch = patch_schema(RiskActionIn, "RiskActionPatch")


class AssessmentOut(Schema):
    id: int
    assessed_at: dt.datetime
    assessed_by: str | None = None
    status: RiskStatus
    probability: int
    impact: int
    residual_probability: int | None
    residual_impact: int | None
    expected_value: Decimal | None

    @staticmethod
    def resolve_assessed_by(row: RiskAssessment) -> str | None:
        return row.assessed_by.get_username() if row.assessed_by is not None else None


class HeatMapCellOut(Schema):
    impact: int
    score: int
    rag: RagName
    count: int


class HeatMapRowOut(Schema):
    probability: int
    name: str
    cells: list[HeatMapCellOut]


class LevelRef(Schema):
    level: int
    name: str


class HeatMapOut(Schema):
    view: Literal["inherent", "residual"]
    total: int = Field(..., description="Open risks counted.")
    impact_levels: list[LevelRef]
    rows: list[HeatMapRowOut] = Field(..., description="Probability levels, highest first.")


class TrendWeekOut(Schema):
    week: dt.date = Field(..., description="The Monday of the week.")
    red: int
    amber: int
    green: int
    open: int
    expected_value: dict[str, Decimal] = Field(
        ..., description="Total expected value of the open risks, by currency."
    )


class ScopeFilters(Schema):
    project: int | None = Field(None, description="Project id.")
    programme: int | None = Field(None, description="Programme id.")
    portfolio: int | None = Field(None, description="Portfolio id.")


class HeatMapFilters(ScopeFilters):
    view: Literal["inherent", "residual"] = Field(
        "inherent", description="Inherent levels, or residual (inherent until assessed)."
    )


class TrendFilters(ScopeFilters):
    weeks: int = Field(26, ge=1, le=260, description="How many weeks back, at most.")


# Helpers --------------------------------------------------------------------------------------


def _require_role(request: ApiRequest) -> None:
    if not has_any_role(request.auth):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def _scope(request: ApiRequest, filters: ScopeFilters | RiskFilters) -> dict[str, Any]:
    user = request.auth
    project: Project | None = (
        project_get_for_user(filters.project, user=user) if filters.project else None
    )
    programme: Programme | None = (
        programme_get_for_user(filters.programme, user=user) if filters.programme else None
    )
    portfolio: Portfolio | None = (
        portfolio_get_for_user(filters.portfolio, user=user) if filters.portfolio else None
    )
    return {"project": project, "programme": programme, "portfolio": portfolio}


def _risk(request: ApiRequest, risk_id: int, action: Action = Action.VIEW) -> Risk:
    return register.risk_get_for_user(risk_id, user=request.auth, action=action)


def _risk_out(request: ApiRequest, risk_id: int) -> Risk:
    return _risk(request, risk_id)


def _owner(pk: int | None, field: str = "owner_id") -> User | None:
    if pk is None:
        return None
    owner = User.objects.filter(pk=pk, is_active=True).first()
    if owner is None:
        raise ValidationError({field: gettext("Unknown user.")})
    return owner


def _tasks(project: Project, ids: list[int]) -> list[Task]:
    wanted = set(ids)
    tasks = list(Task.objects.filter(pk__in=wanted, project=project))
    if len(tasks) != len(wanted):
        # Tasks of other projects and unknown ids alike: nothing said about what they are.
        raise ValidationError(
            {
                "task_ids": gettext(
                    "Tasks affected: only tasks of project %(project)s can be linked "
                    "(%(count)d chosen are not)."
                )
                % {"project": project.code, "count": len(wanted) - len(tasks)}
            }
        )
    return tasks


def _risk_values(values: dict[str, Any], project: Project) -> dict[str, Any]:
    if "owner_id" in values:
        values["owner"] = _owner(values.pop("owner_id"))
    if "task_ids" in values:
        values["tasks"] = _tasks(project, values.pop("task_ids"))
    return values


# The services name the risk's tasks; the inputs name them by their ids.
INPUT_NAMES = {"tasks": "task_ids"}


def _risks_detail(queryset: Any) -> Any:
    return queryset.prefetch_related("tasks")


# Scales and settings --------------------------------------------------------------------------


def _scales_out() -> dict[str, Any]:
    scales = register.risk_scales()
    return {"probability": list(scales.probability), "impact": list(scales.impact)}


@router.get("/risks/scales", response=responses(200, ScalesOut), summary="The risk scales")
def scales_detail(request: ApiRequest) -> dict[str, Any]:
    """The probability and impact scales, each level with what it means."""
    _require_role(request)
    return _scales_out()


@router.put(
    "/risks/scales/{kind}", response=responses(200, ScalesOut), summary="Replace a risk scale"
)
def scale_replace(request: ApiRequest, kind: ScaleKind, payload: ScaleIn) -> dict[str, Any]:
    """Administrators and the PMO. Every level at once, numbered 1..n without a gap (3 to 9
    levels); probability levels give increasing percentages. Refused, with nothing saved, when
    a risk is scored above the new last level."""
    register.risk_scale_update(
        actor=request.auth, kind=kind, levels=[level.model_dump() for level in payload.levels]
    )
    return _scales_out()


@router.get(
    "/risks/settings", response=responses(200, RiskSettingsOut), summary="The RAID settings"
)
def settings_detail(request: ApiRequest) -> Any:
    _require_role(request)
    return register.risk_settings()


@router.patch(
    "/risks/settings",
    response=responses(200, RiskSettingsOut),
    summary="Change the RAID settings",
)
def settings_update(request: ApiRequest, payload: RiskSettingsPatch) -> Any:
    """Administrators and the PMO: RAG thresholds, review interval, approval thresholds."""
    return register.risk_settings_update(actor=request.auth, **payload.sent())


# Heat map and trend ---------------------------------------------------------------------------


@router.get("/risks/heat-map", response=responses(200, HeatMapOut), summary="Risk heat map")
def heat_map(request: ApiRequest, filters: Query[HeatMapFilters]) -> dict[str, Any]:
    """The open risks the caller sees, counted by probability and impact level."""
    result = register.risk_heat_map(
        user=request.auth, residual=filters.view == "residual", **_scope(request, filters)
    )
    return {
        "view": result.view,
        "total": result.total,
        "impact_levels": [
            {"level": level.level, "name": level.name} for level in result.impact_levels
        ],
        "rows": [
            {
                "probability": row.level.level,
                "name": row.level.name,
                "cells": [
                    {"impact": c.impact, "score": c.score, "rag": c.rag, "count": c.count}
                    for c in row.cells
                ],
            }
            for row in result.rows
        ],
    }


@router.get("/risks/trend", response=responses(200, list[TrendWeekOut]), summary="Risk trend")
def trend(request: ApiRequest, filters: Query[TrendFilters]) -> list[dict[str, Any]]:
    """Week by week, the open risks by RAG and their total expected value by currency, from
    the risks' assessment history."""
    return [
        {
            "week": week.week,
            "red": week.red,
            "amber": week.amber,
            "green": week.green,
            "open": week.open,
            "expected_value": week.expected_value,
        }
        for week in register.risk_trend(
            user=request.auth, weeks=filters.weeks, **_scope(request, filters)
        )
    ]


# Risks ----------------------------------------------------------------------------------------


@router.get("/risks", response=responses(200, Page[RiskOut]), summary="List risks")
def risk_list(
    request: ApiRequest, filters: Query[RiskFilters], page: Query[PageParams]
) -> dict[str, Any]:
    owner = _owner(filters.owner, "owner") if filters.owner else None
    risks = register.risk_list(
        user=request.auth,
        status=filters.status,
        category=filters.category or "",
        kind=filters.kind or "",
        owner=owner,
        rag=filters.rag or "",
        min_score=filters.min_score,
        escalated=filters.escalated,
        search=filters.search,
        ordering=filters.ordering,
        **_scope(request, filters),
    )
    return paginate(_risks_detail(risks), page)


@router.post("/risks", response=responses(201, RiskOut), summary="Record a risk")
def risk_create(request: ApiRequest, payload: RiskIn) -> Status[Any]:
    """Needs the right to change the project. The code is the next R-nnn of the portfolio
    unless given; the first assessment is recorded."""
    values = payload.model_dump()
    try:
        project = project_get_for_user(values.pop("project_id"), user=request.auth)
    except NotFoundError as exc:
        raise ValidationError({"project_id": gettext("Unknown project.")}) from exc
    values = _risk_values(values, project)
    with input_names(INPUT_NAMES):
        risk = register.risk_create(actor=request.auth, project=project, **values)
    return Status(201, _risk_out(request, risk.pk))


@router.get("/risks/{risk_id}", response=responses(200, RiskOut), summary="Get a risk")
def risk_detail(request: ApiRequest, risk_id: int) -> Any:
    return _risk_out(request, risk_id)


@router.patch("/risks/{risk_id}", response=responses(200, RiskOut), summary="Change a risk")
def risk_update(request: ApiRequest, risk_id: int, payload: RiskPatch) -> Any:
    """A change of status, kind, scores, probability or cost impact records an assessment."""
    risk = _risk(request, risk_id, Action.CHANGE)
    if risk.project is None:
        raise ForbiddenError(gettext("You do not have permission to do this."))
    values = _risk_values(payload.sent(), risk.project)
    with input_names(INPUT_NAMES):
        register.risk_update(actor=request.auth, risk=risk, **values)
    return _risk_out(request, risk_id)


@router.delete("/risks/{risk_id}", response=responses(204, None), summary="Delete a risk")
def risk_delete(request: ApiRequest, risk_id: int) -> Status[None]:
    """PMO, portfolio managers and administrators; closing a risk keeps it."""
    register.risk_delete(actor=request.auth, risk=_risk(request, risk_id, Action.DELETE))
    return Status(204, None)


@router.post("/risks/{risk_id}/close", response=responses(200, RiskOut), summary="Close a risk")
def risk_close(request: ApiRequest, risk_id: int) -> Any:
    register.risk_close(actor=request.auth, risk=_risk(request, risk_id, Action.CHANGE))
    return _risk_out(request, risk_id)


@router.post("/risks/{risk_id}/reopen", response=responses(200, RiskOut), summary="Reopen a risk")
def risk_reopen(request: ApiRequest, risk_id: int) -> Any:
    register.risk_reopen(actor=request.auth, risk=_risk(request, risk_id, Action.CHANGE))
    return _risk_out(request, risk_id)


@router.post(
    "/risks/{risk_id}/review", response=responses(200, RiskOut), summary="Mark a risk reviewed"
)
def risk_review(request: ApiRequest, risk_id: int) -> Any:
    """Sets the last review to now and the next one after the review interval."""
    register.risk_review(actor=request.auth, risk=_risk(request, risk_id, Action.CHANGE))
    return _risk_out(request, risk_id)


@router.post(
    "/risks/{risk_id}/escalate",
    response=responses(200, RiskOut),
    summary="Escalate a risk, or bring it back down",
)
def risk_escalate(request: ApiRequest, risk_id: int, payload: EscalateIn) -> Any:
    """project, programme (when the project is in one) or portfolio. Bringing it down takes
    the right to change the level it was raised to."""
    register.raid_escalate(
        actor=request.auth,
        item=_risk(request, risk_id, Action.CHANGE),
        level=payload.level,
        comment=payload.comment,
    )
    return _risk_out(request, risk_id)


@router.get(
    "/risks/{risk_id}/assessments",
    response=responses(200, Page[AssessmentOut]),
    summary="A risk's assessments",
)
def risk_assessments(request: ApiRequest, risk_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """Newest first: the scores and status each change or review left."""
    return paginate(register.risk_assessments(_risk(request, risk_id)), page)


# Actions --------------------------------------------------------------------------------------


def _action(request: ApiRequest, risk_id: int, action_id: int) -> RiskAction:
    action = register.risk_action_get_for_user(action_id, user=request.auth)
    if action.risk_id != risk_id:
        raise NotFoundError()
    return action


@router.get(
    "/risks/{risk_id}/actions",
    response=responses(200, Page[RiskActionOut]),
    summary="A risk's response actions",
)
def action_list(request: ApiRequest, risk_id: int, page: Query[PageParams]) -> dict[str, Any]:
    risk = _risk(request, risk_id)
    return paginate(register.risk_action_list(user=request.auth, risk=risk), page)


@router.post(
    "/risks/{risk_id}/actions",
    response=responses(201, RiskActionOut),
    summary="Add a response action",
)
def action_create(request: ApiRequest, risk_id: int, payload: RiskActionIn) -> Status[Any]:
    risk = _risk(request, risk_id, Action.CHANGE)
    values = payload.model_dump()
    values["owner"] = _owner(values.pop("owner_id"))
    action = register.risk_action_create(actor=request.auth, risk=risk, **values)
    return Status(201, action)


@router.patch(
    "/risks/{risk_id}/actions/{action_id}",
    response=responses(200, RiskActionOut),
    summary="Change a response action",
)
def action_update(
    request: ApiRequest, risk_id: int, action_id: int, payload: RiskActionPatch
) -> Any:
    action = _action(request, risk_id, action_id)
    values = payload.sent()
    if "owner_id" in values:
        values["owner"] = _owner(values.pop("owner_id"))
    return register.risk_action_update(actor=request.auth, action=action, **values)


@router.post(
    "/risks/{risk_id}/actions/{action_id}/complete",
    response=responses(200, RiskActionOut),
    summary="Mark a response action done",
)
def action_complete(request: ApiRequest, risk_id: int, action_id: int) -> Any:
    """Its owner, or whoever may change the risk."""
    action = _action(request, risk_id, action_id)
    return register.risk_action_complete(actor=request.auth, action=action)


@router.post(
    "/risks/{risk_id}/actions/{action_id}/cancel",
    response=responses(200, RiskActionOut),
    summary="Cancel a response action",
)
def action_cancel(request: ApiRequest, risk_id: int, action_id: int) -> Any:
    """Its owner, or whoever may change the risk."""
    action = _action(request, risk_id, action_id)
    return register.risk_action_cancel(actor=request.auth, action=action)


@router.delete(
    "/risks/{risk_id}/actions/{action_id}",
    response=responses(204, None),
    summary="Delete a response action",
)
def action_delete(request: ApiRequest, risk_id: int, action_id: int) -> Status[None]:
    register.risk_action_delete(actor=request.auth, action=_action(request, risk_id, action_id))
    return Status(204, None)
