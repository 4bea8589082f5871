"""REST operations on portfolios, programmes, projects and strategic objectives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from pilotage.accounts.api import UserRef
from pilotage.accounts.permissions import Action
from pilotage.accounts.selectors import user_get_for_user
from pilotage.core.api import (
    ApiRequest,
    HistoryEntryOut,
    InputSchema,
    Page,
    PageParams,
    PastStateOut,
    Ref,
    history_page,
    paginate,
    parse_moment,
    past_state,
    patch_schema,
    resolve_references,
    responses,
)
from pilotage.portfolio import selectors, services
from pilotage.portfolio.models import (
    Currency,
    HealthRag,
    Project,
    ProjectPhase,
    ProjectPriority,
    ProjectStatus,
)

router = Router()

ORDERINGS = sorted(selectors.PROJECT_ORDERINGS)


def _users(request: ApiRequest) -> Any:
    return lambda pk: user_get_for_user(pk, user=request.auth)


def _portfolios(request: ApiRequest) -> Any:
    return lambda pk: selectors.portfolio_get_for_user(pk, user=request.auth)


def _programmes(request: ApiRequest) -> Any:
    return lambda pk: selectors.programme_get_for_user(pk, user=request.auth)


def _objectives(request: ApiRequest) -> Any:
    return lambda pk: selectors.objective_get_for_user(pk, user=request.auth)


class Timestamps(Schema):
    created_at: dt.datetime
    updated_at: dt.datetime


# Portfolios ---------------------------------------------------------------------------------


class PortfolioOut(Timestamps):
    id: int
    code: str
    name: str
    description: str
    owner_id: int | None
    owner: UserRef | None
    currency: Currency = Field(..., description="The reporting currency.")


class PortfolioIn(InputSchema):
    code: str = Field(..., description="Unique; letters, digits, dots, dashes, underscores.")
    name: str
    description: str = ""
    owner_id: int | None = None
    currency: Currency = Currency.EUR


class PortfolioFilters(Schema):
    search: str = Field("", description="Part of the code or the name.")


if TYPE_CHECKING:
    PortfolioPatch = PortfolioIn
else:
    PortfolioPatch = patch_schema(PortfolioIn, "PortfolioPatch")


def _portfolio_references(request: ApiRequest) -> dict[str, Any]:
    return {"owner_id": ("owner", _users(request))}


@router.get(
    "/portfolios",
    response=responses(200, Page[PortfolioOut]),
    tags=["portfolios"],
    summary="List portfolios",
)
def portfolio_list(
    request: ApiRequest, filters: Query[PortfolioFilters], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(selectors.portfolio_list(user=request.auth, search=filters.search), page)


@router.post(
    "/portfolios",
    response=responses(201, PortfolioOut),
    tags=["portfolios"],
    summary="Create a portfolio",
)
def portfolio_create(request: ApiRequest, payload: PortfolioIn) -> Status[Any]:
    """Needs the Create permission organisation-wide (PMO, administrators)."""
    arguments = resolve_references(payload.model_dump(), _portfolio_references(request))
    return Status(201, services.portfolio_create(actor=request.auth, **arguments))


@router.get(
    "/portfolios/{portfolio_id}",
    response=responses(200, PortfolioOut),
    tags=["portfolios"],
    summary="Get a portfolio",
)
def portfolio_detail(request: ApiRequest, portfolio_id: int) -> Any:
    return selectors.portfolio_get_for_user(portfolio_id, user=request.auth)


@router.patch(
    "/portfolios/{portfolio_id}",
    response=responses(200, PortfolioOut),
    tags=["portfolios"],
    summary="Change a portfolio",
)
def portfolio_update(request: ApiRequest, portfolio_id: int, payload: PortfolioPatch) -> Any:
    portfolio = selectors.portfolio_get_for_user(
        portfolio_id, user=request.auth, action=Action.CHANGE
    )
    changes = resolve_references(payload.sent(), _portfolio_references(request))
    return services.portfolio_update(actor=request.auth, portfolio=portfolio, **changes)


@router.delete(
    "/portfolios/{portfolio_id}",
    response=responses(204, None),
    tags=["portfolios"],
    summary="Delete a portfolio",
)
def portfolio_delete(request: ApiRequest, portfolio_id: int) -> Status[None]:
    """Refused while programmes or projects still belong to it."""
    portfolio = selectors.portfolio_get_for_user(
        portfolio_id, user=request.auth, action=Action.DELETE
    )
    services.portfolio_delete(actor=request.auth, portfolio=portfolio)
    return Status(204, None)


@router.get(
    "/portfolios/{portfolio_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["portfolios"],
    summary="History of a portfolio",
)
def portfolio_history(
    request: ApiRequest, portfolio_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.portfolio_get_for_user(portfolio_id, user=request.auth), page)


# Programmes ---------------------------------------------------------------------------------


class ProgrammeOut(Timestamps):
    id: int
    code: str
    name: str
    description: str
    portfolio_id: int
    portfolio: Ref
    sponsor_id: int | None
    sponsor: UserRef | None
    manager_id: int | None
    manager: UserRef | None


class ProgrammeIn(InputSchema):
    portfolio_id: int
    code: str = Field(..., description="Unique; letters, digits, dots, dashes, underscores.")
    name: str
    description: str = ""
    sponsor_id: int | None = None
    manager_id: int | None = None


class ProgrammeFilters(Schema):
    search: str = Field("", description="Part of the code or the name.")
    portfolio: int | None = Field(None, description="Only the programmes of this portfolio id.")


if TYPE_CHECKING:
    ProgrammePatch = ProgrammeIn
else:
    ProgrammePatch = patch_schema(ProgrammeIn, "ProgrammePatch")


def _programme_references(request: ApiRequest) -> dict[str, Any]:
    return {
        "portfolio_id": ("portfolio", _portfolios(request)),
        "sponsor_id": ("sponsor", _users(request)),
        "manager_id": ("manager", _users(request)),
    }


@router.get(
    "/programmes",
    response=responses(200, Page[ProgrammeOut]),
    tags=["programmes"],
    summary="List programmes",
)
def programme_list(
    request: ApiRequest, filters: Query[ProgrammeFilters], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(
        selectors.programme_list(
            user=request.auth, search=filters.search, portfolio=filters.portfolio
        ),
        page,
    )


@router.post(
    "/programmes",
    response=responses(201, ProgrammeOut),
    tags=["programmes"],
    summary="Create a programme",
)
def programme_create(request: ApiRequest, payload: ProgrammeIn) -> Status[Any]:
    """Needs the Create permission on the portfolio."""
    arguments = resolve_references(payload.model_dump(), _programme_references(request))
    return Status(201, services.programme_create(actor=request.auth, **arguments))


@router.get(
    "/programmes/{programme_id}",
    response=responses(200, ProgrammeOut),
    tags=["programmes"],
    summary="Get a programme",
)
def programme_detail(request: ApiRequest, programme_id: int) -> Any:
    return selectors.programme_get_for_user(programme_id, user=request.auth)


@router.patch(
    "/programmes/{programme_id}",
    response=responses(200, ProgrammeOut),
    tags=["programmes"],
    summary="Change a programme",
)
def programme_update(request: ApiRequest, programme_id: int, payload: ProgrammePatch) -> Any:
    programme = selectors.programme_get_for_user(
        programme_id, user=request.auth, action=Action.CHANGE
    )
    changes = resolve_references(payload.sent(), _programme_references(request))
    return services.programme_update(actor=request.auth, programme=programme, **changes)


@router.delete(
    "/programmes/{programme_id}",
    response=responses(204, None),
    tags=["programmes"],
    summary="Delete a programme",
)
def programme_delete(request: ApiRequest, programme_id: int) -> Status[None]:
    """Refused while projects still belong to it."""
    programme = selectors.programme_get_for_user(
        programme_id, user=request.auth, action=Action.DELETE
    )
    services.programme_delete(actor=request.auth, programme=programme)
    return Status(204, None)


@router.get(
    "/programmes/{programme_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["programmes"],
    summary="History of a programme",
)
def programme_history(
    request: ApiRequest, programme_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.programme_get_for_user(programme_id, user=request.auth), page)


# Projects -----------------------------------------------------------------------------------


class ProjectOut(Timestamps):
    id: int
    code: str
    name: str
    description: str
    portfolio_id: int
    portfolio: Ref
    programme_id: int | None
    programme: Ref | None
    sponsor_id: int | None
    sponsor: UserRef | None
    manager_id: int | None
    manager: UserRef | None
    phase: ProjectPhase
    status: ProjectStatus
    priority: ProjectPriority = Field(..., description="1 critical, 2 high, 3 medium, 4 low.")
    start_date: dt.date | None
    finish_date: dt.date | None
    budget: str = Field(..., description='A decimal number as a string, e.g. "125000.00".')
    currency: Currency
    health: HealthRag
    health_reason: str
    objectives: list[Ref]
    tags: list[str] = Field(..., description="Tag names.")

    @staticmethod
    def resolve_budget(project: Project) -> str:
        return f"{Decimal(project.budget):.2f}"

    @staticmethod
    def resolve_objectives(project: Project) -> list[Any]:
        return list(project.objectives.all())

    @staticmethod
    def resolve_tags(project: Project) -> list[str]:
        return [tag.name for tag in project.tags.all()]


class ProjectIn(InputSchema):
    code: str = Field(..., description="Unique; letters, digits, dots, dashes, underscores.")
    name: str
    portfolio_id: int
    programme_id: int | None = Field(None, description="A programme of the same portfolio.")
    description: str = ""
    sponsor_id: int | None = None
    manager_id: int | None = None
    phase: ProjectPhase = ProjectPhase.PROPOSAL
    status: ProjectStatus = ProjectStatus.PROPOSED
    priority: ProjectPriority = Field(
        ProjectPriority.MEDIUM, description="1 critical, 2 high, 3 medium, 4 low."
    )
    start_date: dt.date | None = None
    finish_date: dt.date | None = Field(None, description="Not before the start date.")
    budget: Decimal = Field(Decimal("0"), description="Not negative; two decimal places.")
    currency: Currency = Currency.EUR
    health: HealthRag = HealthRag.GREEN
    health_reason: str = ""
    objective_ids: list[int] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list, description="Tag names, created as needed.")


if TYPE_CHECKING:
    ProjectPatch = ProjectIn
else:
    ProjectPatch = patch_schema(ProjectIn, "ProjectPatch")


class ProjectFilters(Schema):
    search: str = Field("", description="Part of the code, the name or the description.")
    portfolio: int | None = Field(None, description="Portfolio id.")
    programme: int | None = Field(None, description="Programme id.")
    phase: ProjectPhase | None = None
    status: ProjectStatus | None = None
    health: HealthRag | None = None
    priority: ProjectPriority | None = None
    manager: int | None = Field(None, description="Id of the project manager.")
    tag: str = Field("", description="A tag name.")
    objective: int | None = Field(None, description="Strategic objective id.")
    ordering: str = Field(
        "code",
        description="Sort key, with a leading '-' for descending order: "
        + ", ".join(ORDERINGS)
        + ".",
    )

    @field_validator("ordering")
    @classmethod
    def _known_ordering(cls, value: str) -> str:
        if value.removeprefix("-") not in selectors.PROJECT_ORDERINGS:
            raise PydanticCustomError("enum", "Unknown ordering.")
        return value


def _project_references(request: ApiRequest) -> dict[str, Any]:
    return {
        "portfolio_id": ("portfolio", _portfolios(request)),
        "programme_id": ("programme", _programmes(request)),
        "sponsor_id": ("sponsor", _users(request)),
        "manager_id": ("manager", _users(request)),
        "objective_ids": ("objectives", _objectives(request)),
    }


@router.get(
    "/projects",
    response=responses(200, Page[ProjectOut]),
    tags=["projects"],
    summary="List projects",
)
def project_list(
    request: ApiRequest, filters: Query[ProjectFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """The projects the caller may see, filtered and sorted."""
    return paginate(
        selectors.project_list_with_objectives(user=request.auth, **filters.model_dump()), page
    )


@router.post(
    "/projects",
    response=responses(201, ProjectOut),
    tags=["projects"],
    summary="Create a project",
)
def project_create(request: ApiRequest, payload: ProjectIn) -> Status[Any]:
    """Needs the Create permission on the portfolio (or on the programme, if one is given)."""
    arguments = resolve_references(payload.model_dump(), _project_references(request))
    return Status(201, services.project_create(actor=request.auth, **arguments))


@router.get(
    "/projects/{project_id}",
    response=responses(200, ProjectOut),
    tags=["projects"],
    summary="Get a project",
)
def project_detail(request: ApiRequest, project_id: int) -> Any:
    return selectors.project_get_for_user(project_id, user=request.auth)


@router.patch(
    "/projects/{project_id}",
    response=responses(200, ProjectOut),
    tags=["projects"],
    summary="Change a project",
)
def project_update(request: ApiRequest, project_id: int, payload: ProjectPatch) -> Any:
    """Only the fields sent are changed; `null` empties a field that may be empty."""
    project = selectors.project_get_for_user(project_id, user=request.auth, action=Action.CHANGE)
    changes = resolve_references(payload.sent(), _project_references(request))
    return services.project_update(actor=request.auth, project=project, **changes)


@router.delete(
    "/projects/{project_id}",
    response=responses(204, None),
    tags=["projects"],
    summary="Delete a project",
)
def project_delete(request: ApiRequest, project_id: int) -> Status[None]:
    project = selectors.project_get_for_user(project_id, user=request.auth, action=Action.DELETE)
    services.project_delete(actor=request.auth, project=project)
    return Status(204, None)


@router.get(
    "/projects/{project_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["projects"],
    summary="History of a project",
)
def project_history(
    request: ApiRequest, project_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.project_get_for_user(project_id, user=request.auth), page)


@router.get(
    "/projects/{project_id}/as-of",
    response=responses(200, PastStateOut),
    tags=["projects"],
    summary="A project as it was on a date",
)
def project_as_of(request: ApiRequest, project_id: int, date: str) -> dict[str, Any]:
    """`date` is an ISO date (meaning the end of that day) or an ISO date-time. The values
    are those recorded by the last change up to that moment."""
    project = selectors.project_get_for_user(project_id, user=request.auth)
    return past_state(Project, project.pk, parse_moment(date, field="date"))


# Strategic objectives -----------------------------------------------------------------------


class ObjectiveOut(Timestamps):
    id: int
    code: str
    name: str
    description: str
    weight: int
    portfolio_id: int | None = Field(..., description="Null for an objective of the company.")
    portfolio: Ref | None
    is_active: bool


class ObjectiveIn(InputSchema):
    code: str = Field(..., description="Unique; letters, digits, dots, dashes, underscores.")
    name: str
    description: str = ""
    weight: int = Field(1, description="Relative importance, at least 1.")
    portfolio_id: int | None = Field(
        None, description="Leave empty for an objective of the whole company."
    )
    is_active: bool = True


if TYPE_CHECKING:
    ObjectivePatch = ObjectiveIn
else:
    ObjectivePatch = patch_schema(ObjectiveIn, "ObjectivePatch")


class ObjectiveFilters(Schema):
    portfolio: int | None = Field(None, description="Only the objectives of this portfolio id.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) ones.")


def _objective_references(request: ApiRequest) -> dict[str, Any]:
    return {"portfolio_id": ("portfolio", _portfolios(request))}


@router.get(
    "/objectives",
    response=responses(200, Page[ObjectiveOut]),
    tags=["objectives"],
    summary="List strategic objectives",
)
def objective_list(
    request: ApiRequest, filters: Query[ObjectiveFilters], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(
        selectors.objective_list(
            user=request.auth, portfolio=filters.portfolio, active=filters.active
        ),
        page,
    )


@router.post(
    "/objectives",
    response=responses(201, ObjectiveOut),
    tags=["objectives"],
    summary="Create a strategic objective",
)
def objective_create(request: ApiRequest, payload: ObjectiveIn) -> Status[Any]:
    """Company objectives need the Change permission organisation-wide; a portfolio's, on it."""
    arguments = resolve_references(payload.model_dump(), _objective_references(request))
    return Status(201, services.objective_create(actor=request.auth, **arguments))


@router.get(
    "/objectives/{objective_id}",
    response=responses(200, ObjectiveOut),
    tags=["objectives"],
    summary="Get a strategic objective",
)
def objective_detail(request: ApiRequest, objective_id: int) -> Any:
    return selectors.objective_get_for_user(objective_id, user=request.auth)


@router.patch(
    "/objectives/{objective_id}",
    response=responses(200, ObjectiveOut),
    tags=["objectives"],
    summary="Change a strategic objective",
)
def objective_update(request: ApiRequest, objective_id: int, payload: ObjectivePatch) -> Any:
    objective = selectors.objective_get_for_user(
        objective_id, user=request.auth, action=Action.CHANGE
    )
    changes = resolve_references(payload.sent(), _objective_references(request))
    return services.objective_update(actor=request.auth, objective=objective, **changes)


@router.delete(
    "/objectives/{objective_id}",
    response=responses(204, None),
    tags=["objectives"],
    summary="Delete a strategic objective",
)
def objective_delete(request: ApiRequest, objective_id: int) -> Status[None]:
    objective = selectors.objective_get_for_user(
        objective_id, user=request.auth, action=Action.DELETE
    )
    services.objective_delete(actor=request.auth, objective=objective)
    return Status(204, None)


@router.get(
    "/objectives/{objective_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["objectives"],
    summary="History of a strategic objective",
)
def objective_history(
    request: ApiRequest, objective_id: int, page: Query[PageParams]
) -> dict[str, Any]:
    return history_page(selectors.objective_get_for_user(objective_id, user=request.auth), page)
