"""The permission module: roles at scopes, inheritance down the hierarchy, visibility."""

from __future__ import annotations

import pytest

from pilotage.accounts.permissions import Action, can, visible
from pilotage.portfolio.models import Portfolio, Programme, Project
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"CRM", "HR", "WMS"}),
        ("pmo", {"CRM", "HR", "WMS"}),
        ("portfolio_manager", {"CRM", "HR"}),
        ("project_manager", {"CRM"}),
        ("viewer", {"CRM", "HR"}),
        ("outsider", {"WMS"}),
        ("nobody", set()),
    ],
)
def test_visible_projects(world: World, who: str, expected: set[str]) -> None:
    codes = set(visible(world.user(who), Project.objects.all()).values_list("code", flat=True))
    assert codes == expected


def test_project_manager_sees_the_containing_programme_and_portfolio(world: World) -> None:
    pm = world.project_manager
    assert list(visible(pm, Programme.objects.all())) == [world.programme]
    assert list(visible(pm, Portfolio.objects.all())) == [world.portfolio]


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("project_manager", Action.CHANGE, True),
        ("project_manager", Action.DELETE, False),
        ("viewer", Action.VIEW, True),
        ("viewer", Action.CHANGE, False),
        ("portfolio_manager", Action.DELETE, True),
        ("outsider", Action.VIEW, False),
        ("nobody", Action.VIEW, False),
        ("pmo", Action.MANAGE_MEMBERS, True),
    ],
)
def test_can_on_project(world: World, who: str, action: Action, expected: bool) -> None:
    assert can(world.user(who), action, world.project) is expected


def test_role_on_portfolio_applies_to_projects_below(world: World) -> None:
    assert can(world.portfolio_manager, Action.CHANGE, world.sibling_project)
    assert not can(world.project_manager, Action.CHANGE, world.sibling_project)


def test_inactive_user_can_do_nothing(world: World) -> None:
    world.pmo.is_active = False
    assert not can(world.pmo, Action.VIEW, world.project)
    assert not visible(world.pmo, Project.objects.all()).exists()


def test_only_administrators_administer(world: World) -> None:
    assert can(world.admin, Action.ADMINISTER)
    assert not can(world.pmo, Action.ADMINISTER)
