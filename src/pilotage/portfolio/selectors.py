"""Reads of the portfolio domain, always filtered by what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, F, Model, Q, QuerySet, Sum
from django.utils import timezone

from pilotage.accounts.models import Membership, User
from pilotage.accounts.permissions import Action, can, get_for_user, grants_for, require, visible
from pilotage.core.errors import NotFoundError
from pilotage.portfolio.models import (
    HealthRag,
    Portfolio,
    Programme,
    Project,
    ProjectPhase,
    StrategicObjective,
    Tag,
)

PROJECT_ORDERINGS = {
    "code": ("code",),
    "name": ("name", "code"),
    "portfolio": ("portfolio__name", "code"),
    "programme": ("programme__name", "code"),
    "manager": ("manager__last_name", "manager__first_name", "code"),
    "phase": ("phase", "code"),
    "status": ("status", "code"),
    "priority": ("priority", "code"),
    "health": ("health", "code"),
    "schedule_health": ("schedule_health", "code"),
    "start_date": ("start_date", "code"),
    "finish_date": ("finish_date", "code"),
    "budget": ("budget", "code"),
}


ModelT = TypeVar("ModelT", bound=Model)


def _get(queryset: QuerySet[ModelT], pk: Any) -> ModelT:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


# Portfolios ---------------------------------------------------------------------------------


def portfolio_list(*, user: Any, search: str = "") -> QuerySet[Portfolio]:
    queryset = visible(user, Portfolio.objects.select_related("owner"))
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return queryset.annotate(
        project_count=Count("projects", distinct=True),
        programme_count=Count("programmes", distinct=True),
    ).order_by("name")


def portfolio_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Portfolio:
    return get_for_user(Portfolio.objects.select_related("owner"), pk, user=user, action=action)


# Programmes ---------------------------------------------------------------------------------


def programme_list(*, user: Any, search: str = "", portfolio: Any = None) -> QuerySet[Programme]:
    queryset = visible(user, Programme.objects.select_related("portfolio", "manager", "sponsor"))
    if portfolio:
        queryset = queryset.filter(portfolio=portfolio)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(code__icontains=search))
    visible_projects = visible(user, Project.objects.all()).values("id")
    return queryset.annotate(
        project_count=Count("projects", filter=Q(projects__in=visible_projects), distinct=True),
    ).order_by("name")


def programme_budgets(
    *, user: Any, programmes: Iterable[Programme]
) -> dict[int, list[tuple[str, Decimal]]]:
    """Budget totals of the visible projects of each programme, by currency (one query):
    amounts in different currencies are never added together."""
    totals: dict[int, list[tuple[str, Decimal]]] = {p.pk: [] for p in programmes}
    rows = (
        visible(user, Project.objects.filter(programme__in=list(totals)))
        .values_list("programme_id", "currency")
        .annotate(total=Sum("budget"))
        .order_by("programme_id", "currency")
    )
    for programme_id, currency, total in rows:
        totals[programme_id].append((currency, total or Decimal(0)))
    return totals


def programme_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Programme:
    return get_for_user(
        Programme.objects.select_related("portfolio", "manager", "sponsor"),
        pk,
        user=user,
        action=action,
    )


# Projects -----------------------------------------------------------------------------------


def project_list(
    *,
    user: Any,
    search: str = "",
    portfolio: Any = None,
    programme: Any = None,
    phase: str = "",
    status: str = "",
    health: str = "",
    priority: Any = None,
    manager: Any = None,
    tag: str = "",
    objective: Any = None,
    ordering: str = "code",
) -> QuerySet[Project]:
    """Visible projects, filtered and sorted (``-`` before an ordering key reverses it)."""
    queryset = visible(
        user,
        Project.objects.select_related("portfolio", "programme", "manager", "sponsor")
        .prefetch_related("tags")
        # The schedule health (DCMA score) the planning app stores after each calculation.
        .annotate(
            schedule_health=F("plan__health_score"),
            schedule_rating=F("plan__health_rating"),
        ),
    )
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(code__icontains=search) | Q(description__icontains=search)
        )
    filters = {
        "portfolio": portfolio,
        "programme": programme,
        "phase": phase,
        "status": status,
        "health": health,
        "priority": priority,
        "manager": manager,
    }
    queryset = queryset.filter(**{k: v for k, v in filters.items() if v not in (None, "")})
    if tag:
        queryset = queryset.filter(tags__name=tag)
    if objective:
        queryset = queryset.filter(objectives=objective)
    descending = ordering.startswith("-")
    keys = PROJECT_ORDERINGS.get(ordering.lstrip("-"), PROJECT_ORDERINGS["code"])
    # Projects without a value (no schedule yet, no date) come last either way, on every
    # database.
    return queryset.order_by(
        *(F(k).desc(nulls_last=True) if descending else F(k).asc(nulls_last=True) for k in keys)
    )


def project_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Project:
    return get_for_user(
        Project.objects.select_related(
            "portfolio", "programme", "manager", "sponsor"
        ).prefetch_related("tags", "objectives"),
        pk,
        user=user,
        action=action,
    )


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


# Strategic objectives -----------------------------------------------------------------------


def objective_list(
    *, user: Any, portfolio: Any = None, active: bool | None = None
) -> QuerySet[StrategicObjective]:
    queryset = visible(user, StrategicObjective.objects.select_related("portfolio"))
    if portfolio:
        queryset = queryset.filter(portfolio=portfolio)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    visible_projects = visible(user, Project.objects.all()).values("id")
    return queryset.annotate(
        project_count=Count("projects", filter=Q(projects__in=visible_projects), distinct=True)
    ).order_by("code")


def objective_get_for_user(
    pk: Any, *, user: Any, action: Action = Action.VIEW
) -> StrategicObjective:
    objective = _get(visible(user, StrategicObjective.objects.select_related("portfolio")), pk)
    if objective.portfolio is not None:
        require(user, action, objective.portfolio if action is Action.VIEW else objective)
    return objective


# Dashboard ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardSummary:
    """The figures of the portfolio dashboard, computed from the visible projects."""

    project_count: int
    by_phase: list[tuple[str, str, int]]
    by_health: list[tuple[str, str, int]]
    budget_by_currency: list[tuple[str, Decimal]]
    by_programme: list[tuple[str, int, Decimal]]
    upcoming_finishes: list[Project]
    at_risk: list[Project]
    horizon_days: int = field(default=90)


def dashboard_summary(
    *, user: Any, portfolio: Any = None, today: dt.date | None = None, horizon_days: int = 90
) -> DashboardSummary:
    today = today or timezone.localdate()
    projects = visible(user, Project.objects.all())
    if portfolio:
        projects = projects.filter(portfolio=portfolio)
    phase_counts = dict(projects.values_list("phase").annotate(n=Count("id")).order_by())
    health_counts = dict(projects.values_list("health").annotate(n=Count("id")).order_by())
    budgets = projects.values_list("currency").annotate(total=Sum("budget")).order_by("currency")
    per_programme = (
        projects.values_list("programme__name")
        .annotate(n=Count("id"), total=Sum("budget"))
        .order_by("-n", "programme__name")
    )
    open_projects = projects.exclude(phase=ProjectPhase.CLOSED).select_related(
        "portfolio", "manager"
    )
    upcoming = list(
        open_projects.filter(
            finish_date__gte=today, finish_date__lte=today + dt.timedelta(days=horizon_days)
        ).order_by("finish_date", "code")[:10]
    )
    at_risk = list(
        open_projects.filter(health__in=[HealthRag.RED, HealthRag.AMBER]).order_by(
            "-health", "priority", "code"
        )[:10]
    )
    return DashboardSummary(
        project_count=sum(phase_counts.values()),
        by_phase=[(v, str(label), phase_counts.get(v, 0)) for v, label in ProjectPhase.choices],
        by_health=[(v, str(label), health_counts.get(v, 0)) for v, label in HealthRag.choices],
        budget_by_currency=[(c, total or Decimal(0)) for c, total in budgets],
        by_programme=[(name or "", n, total or Decimal(0)) for name, n, total in per_programme],
        upcoming_finishes=upcoming,
        at_risk=at_risk,
        horizon_days=horizon_days,
    )


# Choices for forms --------------------------------------------------------------------------


def portfolio_list_for_action(*, user: Any, action: Action) -> QuerySet[Portfolio]:
    """Visible portfolios on which ``user`` may perform ``action`` (e.g. create projects in)."""
    if grants_for(user).allows_everywhere(action):
        return visible(user, Portfolio.objects.all()).order_by("name")
    portfolios = visible(user, Portfolio.objects.all())
    ids = [p.pk for p in portfolios if can(user, action, p)]
    return Portfolio.objects.filter(pk__in=ids).order_by("name")


def programme_list_for_action(*, user: Any, action: Action) -> QuerySet[Programme]:
    """Visible programmes on which ``user`` may perform ``action``, with their portfolio."""
    queryset = Programme.objects.select_related("portfolio").order_by("portfolio__name", "name")
    if grants_for(user).allows_everywhere(action):
        return visible(user, queryset)
    ids = [p.pk for p in visible(user, Programme.objects.all()) if can(user, action, p)]
    return queryset.filter(pk__in=ids)


# Lookups by code (the command line names objects by their codes) ----------------------------


def _get_by_code_for_user(
    queryset: QuerySet[ModelT], code: str, *, user: Any, action: Action
) -> ModelT:
    try:
        obj = visible(user, queryset).get(code=code)
    except ObjectDoesNotExist as exc:
        raise NotFoundError() from exc
    require(user, action, obj)  # type: ignore[arg-type]
    return obj


def portfolio_get_by_code(code: str, *, user: Any, action: Action = Action.VIEW) -> Portfolio:
    return _get_by_code_for_user(Portfolio.objects.all(), code, user=user, action=action)


def programme_get_by_code(code: str, *, user: Any, action: Action = Action.VIEW) -> Programme:
    return _get_by_code_for_user(
        Programme.objects.select_related("portfolio"), code, user=user, action=action
    )


def project_get_by_code(code: str, *, user: Any, action: Action = Action.VIEW) -> Project:
    return _get_by_code_for_user(
        Project.objects.select_related("portfolio", "programme"), code, user=user, action=action
    )


def project_list_with_objectives(*, user: Any, **filters: Any) -> QuerySet[Project]:
    """:func:`project_list` with each project's strategic objectives loaded as well."""
    return project_list(user=user, **filters).prefetch_related("objectives")


def portfolio_list_for_project_create(*, user: Any) -> QuerySet[Portfolio]:
    """Portfolios in which ``user`` may create a project, directly or in one of its programmes."""
    direct = portfolio_list_for_action(user=user, action=Action.CREATE)
    via_programme = programme_list_for_action(user=user, action=Action.CREATE)
    return direct | Portfolio.objects.filter(pk__in=via_programme.values("portfolio_id"))


def objective_choices(
    *, user: Any, chosen: Iterable[StrategicObjective] = ()
) -> QuerySet[StrategicObjective]:
    """Active objectives ``user`` may see, plus those already ``chosen`` (kept when editing)."""
    return StrategicObjective.objects.filter(
        Q(pk__in=objective_list(user=user, active=True).values("pk"))
        | Q(pk__in=[objective.pk for objective in chosen])
    ).order_by("code")


def project_people(project: Project, *, keep: Iterable[int | None] = ()) -> QuerySet[User]:
    """The active users who may see ``project``: through a role on it, its programme, its
    portfolio or the whole organisation (the people a task, a risk or a meeting can be given
    to), plus the users ``keep`` (already chosen ones, so that an edit still shows them after
    they lost access and the service can say so)."""
    scopes = (
        Q(portfolio=None, programme=None, project=None)
        | Q(project=project)
        | Q(portfolio=project.portfolio_id, programme=None, project=None)
    )
    if project.programme_id:
        scopes |= Q(programme=project.programme_id, project=None)
    members = Membership.objects.filter(scopes).values("user_id")
    seeing = Q(is_active=True) & (Q(is_superuser=True) | Q(pk__in=members))
    kept = [pk for pk in keep if pk is not None]
    if kept:
        seeing |= Q(pk__in=kept)
    return User.objects.filter(seeing).order_by("first_name", "last_name", "username")
