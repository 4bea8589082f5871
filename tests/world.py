"""A small, fixed organisation used by permission tests: who may see and do what."""

from __future__ import annotations

from dataclasses import dataclass

from pilotage.accounts.models import Role, User
from pilotage.portfolio.models import Portfolio, Programme, Project, StrategicObjective
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)


@dataclass
class World:
    """Two portfolios and one user per kind of access.

    - ``admin``: superuser; ``pmo``: PMO organisation-wide;
    - ``portfolio_manager``: Portfolio manager of ``portfolio``;
    - ``project_manager``: Project manager of ``project`` only;
    - ``viewer``: Viewer of ``portfolio`` (sees, changes nothing);
    - ``finance``: Finance controller of ``portfolio`` (sees it, manages its money);
    - ``outsider``: Viewer of ``other_portfolio`` only (must not even see ``portfolio``);
    - ``nobody``: signed in, no role at all.
    """

    portfolio: Portfolio
    programme: Programme
    project: Project
    sibling_project: Project
    other_portfolio: Portfolio
    other_project: Project
    objective: StrategicObjective
    portfolio_objective: StrategicObjective
    admin: User
    pmo: User
    portfolio_manager: User
    project_manager: User
    viewer: User
    finance: User
    outsider: User
    nobody: User

    def user(self, name: str) -> User:
        user: User = getattr(self, name)
        return user


def build_world() -> World:
    portfolio = PortfolioFactory(code="CORP", name="Corporate change")
    programme = ProgrammeFactory(portfolio=portfolio, code="DIGI", name="Digital workplace")
    project = ProjectFactory(portfolio=portfolio, programme=programme, code="CRM", name="New CRM")
    sibling = ProjectFactory(portfolio=portfolio, code="HR", name="HR self-service")
    other_portfolio = PortfolioFactory(code="OPS", name="Operations")
    other_project = ProjectFactory(portfolio=other_portfolio, code="WMS", name="Warehouse system")
    objective = ObjectiveFactory(code="GROW", name="Grow revenue")
    portfolio_objective = ObjectiveFactory(
        code="CUST", name="Happier customers", portfolio=portfolio
    )
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    pmo = UserFactory(username="pmo")
    MembershipFactory(user=pmo, role=Role.PMO)
    portfolio_manager = UserFactory(username="pfm")
    MembershipFactory(user=portfolio_manager, role=Role.PORTFOLIO_MANAGER, portfolio=portfolio)
    project_manager = UserFactory(username="pm")
    MembershipFactory(user=project_manager, role=Role.PROJECT_MANAGER, project=project)
    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, role=Role.VIEWER, portfolio=portfolio)
    finance = UserFactory(username="finance")
    MembershipFactory(user=finance, role=Role.FINANCE, portfolio=portfolio)
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, role=Role.VIEWER, portfolio=other_portfolio)
    nobody = UserFactory(username="nobody")
    return World(
        portfolio=portfolio,
        programme=programme,
        project=project,
        sibling_project=sibling,
        other_portfolio=other_portfolio,
        other_project=other_project,
        objective=objective,
        portfolio_objective=portfolio_objective,
        admin=admin,
        pmo=pmo,
        portfolio_manager=portfolio_manager,
        project_manager=project_manager,
        viewer=viewer,
        finance=finance,
        outsider=outsider,
        nobody=nobody,
    )
