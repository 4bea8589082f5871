"""Who may call each API operation: anonymous 401, hidden 404, forbidden 403, allowed 2xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pilotage.accounts.models import Membership
from pilotage.portfolio.models import Portfolio, Programme
from tests.access import Access, AccessMixin
from tests.factories import MembershipFactory, PortfolioFactory, ProgrammeFactory, Role
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_CORP = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
CHANGES_CORP = ("admin", "pmo", "portfolio_manager")
HIDDEN_CORP = ("outsider", "nobody")


def _empty_portfolio(w: World) -> Portfolio:
    """A portfolio with nothing in it (so it may be deleted), seen by the CORP users."""
    portfolio = PortfolioFactory(code="EMPTY", name="Empty")
    MembershipFactory(user=w.portfolio_manager, role=Role.PORTFOLIO_MANAGER, portfolio=portfolio)
    MembershipFactory(user=w.viewer, role=Role.VIEWER, portfolio=portfolio)
    return portfolio


def _empty_programme(w: World) -> Programme:
    return ProgrammeFactory(portfolio=w.portfolio, code="IDLE", name="Idle programme")


def _viewer_membership(w: World) -> Membership:
    return Membership.objects.get(user=w.viewer, portfolio=w.portfolio)


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


class TestPortfolioOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/portfolios", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/portfolios",
            data=lambda w: {"code": "NEW", "name": "New portfolio"},
            allowed=("admin", "pmo"),
            ok=(201,),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/portfolios/{w.portfolio.pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "update",
            "patch",
            lambda w: f"/portfolios/{w.portfolio.pk}",
            data=lambda w: {"name": "Renamed"},
            allowed=CHANGES_CORP,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/portfolios/{_empty_portfolio(w).pk}",
            allowed=CHANGES_CORP,
            ok=(204,),
            forbidden=("viewer",),
            hidden=("project_manager", "outsider", "nobody"),
        ),
        operation(
            "history",
            "get",
            lambda w: f"/portfolios/{w.portfolio.pk}/history",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
    ]


class TestProgrammeOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/programmes", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/programmes",
            data=lambda w: {"portfolio_id": w.portfolio.pk, "code": "NEWPG", "name": "New"},
            allowed=CHANGES_CORP,
            ok=(201,),
            forbidden=("project_manager", "viewer"),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/programmes/{w.programme.pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "update",
            "patch",
            lambda w: f"/programmes/{w.programme.pk}",
            data=lambda w: {"name": "Renamed"},
            allowed=CHANGES_CORP,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/programmes/{_empty_programme(w).pk}",
            allowed=CHANGES_CORP,
            ok=(204,),
            forbidden=("viewer",),
            hidden=("project_manager", "outsider", "nobody"),
        ),
        operation(
            "history",
            "get",
            lambda w: f"/programmes/{w.programme.pk}/history",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
    ]


class TestProjectOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/projects", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/projects",
            data=lambda w: {"portfolio_id": w.portfolio.pk, "code": "NEW", "name": "New"},
            allowed=CHANGES_CORP,
            ok=(201,),
            forbidden=("project_manager", "viewer"),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/projects/{w.project.pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "update",
            "patch",
            lambda w: f"/projects/{w.project.pk}",
            data=lambda w: {"name": "CRM replacement"},
            allowed=(*CHANGES_CORP, "project_manager"),
            forbidden=("viewer",),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/projects/{w.project.pk}",
            allowed=CHANGES_CORP,
            ok=(204,),
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "history",
            "get",
            lambda w: f"/projects/{w.project.pk}/history",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "as_of",
            "get",
            lambda w: f"/projects/{w.project.pk}/as-of?date=2030-01-01",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
    ]


class TestObjectiveOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/objectives", allowed=EVERYONE),
        operation(
            "create_company",
            "post",
            lambda w: "/objectives",
            data=lambda w: {"code": "NEWO", "name": "New objective"},
            allowed=("admin", "pmo"),
            ok=(201,),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        operation(
            "create_in_portfolio",
            "post",
            lambda w: "/objectives",
            data=lambda w: {"code": "NEWO", "name": "New", "portfolio_id": w.portfolio.pk},
            allowed=CHANGES_CORP,
            ok=(201,),
            forbidden=("project_manager", "viewer"),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/objectives/{w.portfolio_objective.pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "update",
            "patch",
            lambda w: f"/objectives/{w.portfolio_objective.pk}",
            data=lambda w: {"weight": 5},
            allowed=CHANGES_CORP,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "update_company",
            "patch",
            lambda w: f"/objectives/{w.objective.pk}",
            data=lambda w: {"weight": 5},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider"),
            hidden=("nobody",),
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/objectives/{w.portfolio_objective.pk}",
            allowed=CHANGES_CORP,
            ok=(204,),
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
        operation(
            "history",
            "get",
            lambda w: f"/objectives/{w.portfolio_objective.pk}/history",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
    ]


class TestMembershipOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/memberships", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/memberships",
            data=lambda w: {
                "user_id": w.nobody.pk,
                "role": "viewer",
                "portfolio_id": w.portfolio.pk,
            },
            allowed=CHANGES_CORP,
            ok=(201,),
            forbidden=("project_manager", "viewer"),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/memberships/{_viewer_membership(w).pk}",
            allowed=SEES_CORP,
            hidden=HIDDEN_CORP,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/memberships/{_viewer_membership(w).pk}",
            allowed=CHANGES_CORP,
            ok=(204,),
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN_CORP,
        ),
    ]


class TestUserOperations(AccessMixin):
    access = [
        operation("me", "get", lambda w: "/me", allowed=EVERYONE),
        operation("list", "get", lambda w: "/users", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/users",
            data=lambda w: {"username": "newcomer"},
            allowed=("admin",),
            ok=(201,),
            forbidden=(
                "pmo",
                "portfolio_manager",
                "project_manager",
                "viewer",
                "outsider",
                "nobody",
            ),
        ),
        operation(
            "detail",
            "get",
            lambda w: f"/users/{w.viewer.pk}",
            allowed=EVERYONE[:-1],
            hidden=("nobody",),
        ),
        operation(
            "update",
            "patch",
            lambda w: f"/users/{w.viewer.pk}",
            data=lambda w: {"first_name": "Valérie"},
            allowed=("admin", "viewer"),
            forbidden=("pmo", "portfolio_manager", "project_manager", "outsider"),
            hidden=("nobody",),
        ),
        operation(
            "deactivate",
            "delete",
            lambda w: f"/users/{w.viewer.pk}",
            allowed=("admin",),
            ok=(204,),
            forbidden=("pmo", "portfolio_manager", "project_manager", "viewer", "outsider"),
            hidden=("nobody",),
        ),
        operation(
            "history",
            "get",
            lambda w: f"/users/{w.viewer.pk}/history",
            allowed=("admin", "viewer"),
            forbidden=("pmo", "portfolio_manager", "project_manager", "outsider"),
            hidden=("nobody",),
        ),
    ]
