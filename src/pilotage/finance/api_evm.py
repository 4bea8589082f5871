"""API operations of earned value: a project's figures at a status date, its S-curve, its
recorded status dates, and the figures of every visible project with their roll-ups.

Money is a string of a decimal amount ("1234.50"), indices are numbers, durations are days
and dates are ISO dates; a figure that is undefined (an index with a zero denominator) or that
cannot be computed is null. The estimate at completion is BAC / CPI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts.api import UserRef
from pilotage.core.api import ApiRequest, InputSchema, Page, PageParams, paginate, responses
from pilotage.finance.earned_value import (
    EarnedValueGroup,
    ProjectEarnedValue,
    earned_value_as_json,
    earned_value_record,
    portfolio_earned_value,
    project_earned_value,
    project_earned_value_series,
)
from pilotage.finance.models import EarnedValueRecord
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.portfolio.selectors import (
    portfolio_get_for_user,
    programme_get_for_user,
    project_get_for_user,
)

router = Router(tags=["finance"])

MONEY = "An amount in the currency, as a decimal string; null when it cannot be computed."
INDEX = "A ratio; null when its denominator is zero or it cannot be computed."
DAYS = "Days counted from the start of the cost baseline; null when undefined."


class EarnedValueOut(Schema):
    """The earned value figures at a status date."""

    currency: str = Field(..., description="The currency of every amount.")
    as_of: dt.date = Field(..., description="The status date (counted to the end of the day).")
    has_baseline: bool = Field(..., description="Whether the project has a current cost baseline.")
    problems: list[str] = Field(..., description="Why the figures cannot be computed, if so.")
    estimate_at_completion_method: str = Field(
        ..., description="Which estimate `estimate_at_completion` is: cpi means BAC / CPI."
    )
    planned_value: str | None = Field(None, description=MONEY)
    earned_value: str | None = Field(None, description=MONEY)
    actual_cost: str | None = Field(None, description=MONEY)
    budget_at_completion: str | None = Field(None, description=MONEY)
    schedule_variance: str | None = Field(None, description="EV − PV. " + MONEY)
    cost_variance: str | None = Field(None, description="EV − AC. " + MONEY)
    schedule_performance_index: float | None = Field(None, description="EV / PV. " + INDEX)
    cost_performance_index: float | None = Field(None, description="EV / AC. " + INDEX)
    estimate_at_completion: str | None = Field(None, description="BAC / CPI. " + MONEY)
    estimate_at_completion_atypical: str | None = Field(None, description="AC + BAC − EV. " + MONEY)
    estimate_at_completion_cpi: str | None = Field(None, description="BAC / CPI. " + MONEY)
    estimate_at_completion_cpi_spi: str | None = Field(
        None, description="AC + (BAC − EV) / (CPI × SPI). " + MONEY
    )
    estimate_at_completion_bottom_up: str | None = Field(
        None,
        description="AC + the remaining work of the assignments at today's rates + the fixed "
        "costs not yet earned. " + MONEY,
    )
    estimate_to_complete: str | None = Field(None, description="EAC − AC. " + MONEY)
    variance_at_completion: str | None = Field(None, description="BAC − EAC. " + MONEY)
    to_complete_performance_index_bac: float | None = Field(
        None, description="(BAC − EV) / (BAC − AC). " + INDEX
    )
    to_complete_performance_index_eac: float | None = Field(
        None, description="(BAC − EV) / (EAC − AC). " + INDEX
    )
    percent_complete: float | None = Field(None, description="EV / BAC, 1.0 is 100 %.")
    percent_spent: float | None = Field(None, description="AC / BAC, 1.0 is 100 %.")
    earned_schedule: dt.date | None = Field(
        None, description="The day by whose end the plan had earned the earned value."
    )
    earned_schedule_days: float | None = Field(None, description="ES. " + DAYS)
    actual_time_days: float | None = Field(None, description="AT. " + DAYS)
    schedule_variance_time_days: float | None = Field(None, description="SV(t) = ES − AT.")
    schedule_performance_index_time: float | None = Field(
        None, description="SPI(t) = ES / AT. " + INDEX
    )
    independent_estimate_at_completion_time_days: float | None = Field(
        None, description="IEAC(t) = planned duration / SPI(t), in days."
    )
    planned_duration_days: float | None = Field(None, description="PD. " + DAYS)
    planned_finish: dt.date | None = Field(None, description="The day PV reaches BAC.")
    forecast_finish: dt.date | None = Field(None, description="The status date + (IEAC(t) − AT).")


class ProjectEarnedValueOut(EarnedValueOut):
    project_id: int
    project_code: str
    project_name: str


class PortfolioProjectOut(ProjectEarnedValueOut):
    portfolio_id: int
    programme_id: int | None


class EarnedValueGroupOut(EarnedValueOut):
    kind: str = Field(..., description="programme, portfolio or total.")
    id: int | None = Field(None, description="The programme's or portfolio's id.")
    code: str
    name: str
    project_count: int = Field(..., description="The projects counted in the sums.")


class PortfolioEarnedValueOut(Schema):
    """Every visible project's figures in the reporting currency, and their sums."""

    currency: str = Field(..., description="The reporting currency.")
    as_of: dt.date
    projects: list[PortfolioProjectOut] = Field(
        ..., description="Projects with problems have null figures and count in no sum."
    )
    programmes: list[EarnedValueGroupOut]
    portfolios: list[EarnedValueGroupOut]
    total: EarnedValueGroupOut


class AmountAt(Schema):
    date: dt.date
    amount: str


class SeriesPoint(Schema):
    date: dt.date
    planned_value: str = Field(..., description="Cumulative planned value at the end of the day.")
    actual_cost: str | None = Field(
        None, description="Cumulative actual cost; null after the status date."
    )


class EarnedValueSeriesOut(Schema):
    """The S-curve: weekly cumulative PV and AC, EV at the recorded status dates and now, and
    the forecast from AC today to the EAC at the forecast finish."""

    currency: str
    as_of: dt.date
    points: list[SeriesPoint]
    earned_value: list[AmountAt]
    forecast: list[AmountAt]
    planned_finish: dt.date | None
    forecast_finish: dt.date | None
    problems: list[str]


class EarnedValueRecordOut(Schema):
    id: int
    as_of: dt.date
    currency: str
    planned_value: str
    earned_value: str
    actual_cost: str
    budget_at_completion: str
    estimate_at_completion: str | None
    recorded_by: UserRef | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_planned_value(record: EarnedValueRecord) -> str:
        return f"{record.planned_value:.2f}"

    @staticmethod
    def resolve_earned_value(record: EarnedValueRecord) -> str:
        return f"{record.earned_value:.2f}"

    @staticmethod
    def resolve_actual_cost(record: EarnedValueRecord) -> str:
        return f"{record.actual_cost:.2f}"

    @staticmethod
    def resolve_budget_at_completion(record: EarnedValueRecord) -> str:
        return f"{record.budget_at_completion:.2f}"

    @staticmethod
    def resolve_estimate_at_completion(record: EarnedValueRecord) -> str | None:
        value = record.estimate_at_completion
        return None if value is None else f"{value:.2f}"


class EarnedValueRecordIn(InputSchema):
    as_of: dt.date = Field(..., description="The status date to record; not in the future.")


class StatusDate(Schema):
    as_of: dt.date | None = Field(None, description="The status date; today by default.")


class PortfolioFilters(StatusDate):
    portfolio_id: int | None = Field(None, description="Only the projects of this portfolio.")
    programme_id: int | None = Field(None, description="Only the projects of this programme.")


def _figures(figures: ProjectEarnedValue) -> dict[str, Any]:
    return earned_value_as_json(figures)


def _project_row(project: Project, figures: ProjectEarnedValue) -> dict[str, Any]:
    return {
        **_figures(figures),
        "project_id": project.pk,
        "project_code": project.code,
        "project_name": project.name,
        "portfolio_id": project.portfolio_id,
        "programme_id": project.programme_id,
    }


def _group(group: EarnedValueGroup) -> dict[str, Any]:
    return {
        **_figures(group.figures),
        "kind": group.kind,
        "id": group.pk,
        "code": group.code,
        "name": group.name,
        "project_count": group.project_count,
    }


@router.get(
    "/projects/{project_id}/earned-value",
    response=responses(200, ProjectEarnedValueOut),
    summary="Get a project's earned value",
)
def project_earned_value_detail(
    request: ApiRequest, project_id: int, query: Query[StatusDate]
) -> dict[str, Any]:
    """The figures at `as_of` in the currency of the project's cost baseline. Without a cost
    baseline, or when an actual cost has no exchange rate, the figures are null and
    `problems` says why."""
    project = project_get_for_user(project_id, user=request.auth)
    figures = project_earned_value(project, as_of=query.as_of)
    return {
        **_figures(figures),
        "project_id": project.pk,
        "project_code": project.code,
        "project_name": project.name,
    }


@router.get(
    "/projects/{project_id}/earned-value/series",
    response=responses(200, EarnedValueSeriesOut),
    summary="Get a project's S-curve",
)
def project_earned_value_series_detail(
    request: ApiRequest, project_id: int, query: Query[StatusDate]
) -> dict[str, Any]:
    """Weekly points from the baseline's start to the later of the planned and forecast
    finishes; empty lists when the figures cannot be computed."""
    project = project_get_for_user(project_id, user=request.auth)
    series = project_earned_value_series(project, as_of=query.as_of)
    actual = series.actual_cost
    return {
        "currency": series.currency,
        "as_of": series.as_of,
        "points": [
            {
                "date": day,
                "planned_value": f"{planned:.2f}",
                "actual_cost": f"{actual[index]:.2f}" if index < len(actual) else None,
            }
            for index, (day, planned) in enumerate(
                zip(series.dates, series.planned_value, strict=True)
            )
        ],
        "earned_value": [{"date": d, "amount": f"{v:.2f}"} for d, v in series.earned_value],
        "forecast": [{"date": d, "amount": f"{v:.2f}"} for d, v in series.forecast],
        "planned_finish": series.planned_finish,
        "forecast_finish": series.forecast_finish,
        "problems": series.figures.problems,
    }


@router.get(
    "/projects/{project_id}/earned-value/records",
    response=responses(200, Page[EarnedValueRecordOut]),
    summary="List a project's recorded status dates",
)
def earned_value_record_list(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    """The figures stored at each recorded status date, latest first."""
    project = project_get_for_user(project_id, user=request.auth)
    records = (
        EarnedValueRecord.objects.filter(project=project)
        .select_related("recorded_by")
        .order_by("-as_of")
    )
    return paginate(records, page)


@router.post(
    "/projects/{project_id}/earned-value/records",
    response={200: EarnedValueRecordOut, **responses(201, EarnedValueRecordOut)},
    summary="Record a project's figures at a status date",
)
def earned_value_record_create(
    request: ApiRequest, project_id: int, payload: EarnedValueRecordIn
) -> Status[Any]:
    """Needs the Change permission on the project or the right to manage its money. Answers
    201 with a new record, 200 when it replaced the record of the same date; 422 for a date
    in the future or a project whose figures cannot be computed."""
    project = project_get_for_user(project_id, user=request.auth)
    existed = EarnedValueRecord.objects.filter(project=project, as_of=payload.as_of).exists()
    record = earned_value_record(actor=request.auth, project=project, as_of=payload.as_of)
    return Status(200 if existed else 201, record)


@router.get(
    "/earned-value",
    response=responses(200, PortfolioEarnedValueOut),
    summary="Get the earned value of every visible project and its roll-ups",
)
def portfolio_earned_value_detail(
    request: ApiRequest, filters: Query[PortfolioFilters]
) -> dict[str, Any]:
    """All amounts in the reporting currency (each project's converted at the status date's
    rate). Programmes, portfolios and the total are computed from the sums of their projects;
    projects with problems count in no sum."""
    portfolio: Portfolio | None = None
    programme: Programme | None = None
    if filters.portfolio_id is not None:
        portfolio = portfolio_get_for_user(filters.portfolio_id, user=request.auth)
    if filters.programme_id is not None:
        programme = programme_get_for_user(filters.programme_id, user=request.auth)
    view = portfolio_earned_value(
        request.auth, portfolio=portfolio, programme=programme, as_of=filters.as_of
    )
    return {
        "currency": view.currency,
        "as_of": view.as_of,
        "projects": [_project_row(project, figures) for project, figures in view.projects],
        "programmes": [_group(group) for group in view.programmes],
        "portfolios": [_group(group) for group in view.portfolios],
        "total": _group(view.total),
    }
