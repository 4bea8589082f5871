"""Portfolios, programmes, objectives, memberships and users through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pilotage.accounts.models import Membership, Role, User
from pilotage.portfolio.models import Portfolio, Programme, StrategicObjective
from tests.api.client import ApiFactory, error_of
from tests.factories import (
    MembershipFactory,
    ObjectiveFactory,
    PortfolioFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.world import World

pytestmark = pytest.mark.django_db


# Constant number of queries on every list ---------------------------------------------------


def _more_portfolios(world: World, count: int) -> None:
    for _ in range(count):
        PortfolioFactory(owner=world.pmo)


def _more_programmes(world: World, count: int) -> None:
    for _ in range(count):
        ProgrammeFactory(portfolio=world.portfolio, manager=world.pmo, sponsor=world.admin)


def _more_objectives(world: World, count: int) -> None:
    for _ in range(count):
        ObjectiveFactory(portfolio=world.portfolio)


def _more_memberships(world: World, count: int) -> None:
    for _ in range(count):
        MembershipFactory(user=UserFactory(), role=Role.VIEWER, programme=world.programme)


def _more_users(world: World, count: int) -> None:
    for _ in range(count):
        UserFactory()


@pytest.mark.parametrize(
    ("path", "grow"),
    [
        ("/portfolios", _more_portfolios),
        ("/programmes", _more_programmes),
        ("/objectives", _more_objectives),
        ("/memberships", _more_memberships),
        ("/users", _more_users),
    ],
)
def test_lists_make_a_constant_number_of_queries(
    api: ApiFactory,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    path: str,
    grow: Callable[[World, int], None],
) -> None:
    client = api(world.pmo)

    def fetch() -> None:
        assert client.get(path).status_code == 200

    fetch()
    few = count_queries(fetch)
    grow(world, 12)
    many = count_queries(fetch)
    assert client.get(path).json()["count"] >= 12
    assert few == many, (few, many)


# History of every kind of object ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "changes", "field", "old"),
    [
        ("/portfolios/{w.portfolio.pk}", {"name": "Group change"}, "name", "Corporate change"),
        ("/programmes/{w.programme.pk}", {"name": "Digital"}, "name", "Digital workplace"),
        ("/objectives/{w.objective.pk}", {"weight": 7}, "weight", 2),
        ("/users/{w.viewer.pk}", {"email": "v@example.org"}, "email", "viewer@example.com"),
    ],
)
def test_patch_appears_in_history_with_old_and_new_values(
    api: ApiFactory, world: World, path: str, changes: dict[str, Any], field: str, old: Any
) -> None:
    client = api(world.admin)
    url = path.format(w=world)
    response = client.patch(url, changes)
    assert response.status_code == 200, response.content
    assert response.json()[field] == changes[field]
    history = client.get(f"{url}/history").json()
    assert history["count"] == 1
    entry = history["items"][0]
    assert entry["actor"]["username"] == "admin"
    assert entry["changes"] == [
        {"field": field, "old": old, "new": changes[field], "old_text": None, "new_text": None}
    ]


# Portfolios and programmes ------------------------------------------------------------------


def test_portfolio_create_with_owner(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).post(
        "/portfolios",
        {"code": "RND", "name": "Research", "owner_id": world.pmo.pk, "currency": "USD"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["username"] == "pmo"
    assert body["currency"] == "USD"
    assert Portfolio.objects.get(code="RND").owner == world.pmo


def test_portfolio_with_projects_cannot_be_deleted(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).delete(f"/portfolios/{world.portfolio.pk}")
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert Portfolio.objects.filter(pk=world.portfolio.pk).exists()


def test_portfolio_search(api: ApiFactory, world: World) -> None:
    items = api(world.pmo).get("/portfolios", search="oper").json()["items"]
    assert [item["code"] for item in items] == ["OPS"]


def test_programmes_filtered_by_portfolio(api: ApiFactory, world: World) -> None:
    ProgrammeFactory(portfolio=world.other_portfolio, code="LOGI")
    client = api(world.pmo)
    items = client.get("/programmes", portfolio=world.other_portfolio.pk).json()["items"]
    assert [item["code"] for item in items] == ["LOGI"]
    assert client.get("/programmes", search="digi").json()["count"] == 1


def test_programme_in_an_invisible_portfolio_is_refused(api: ApiFactory, world: World) -> None:
    response = api(world.outsider).post(
        "/programmes", {"portfolio_id": world.portfolio.pk, "code": "X", "name": "X"}
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"portfolio_id"}
    assert not Programme.objects.filter(code="X").exists()


# Objectives ---------------------------------------------------------------------------------


def test_objectives_filtered_by_portfolio_and_activity(api: ApiFactory, world: World) -> None:
    ObjectiveFactory(code="OLD", is_active=False)
    client = api(world.pmo)
    by_portfolio = client.get("/objectives", portfolio=world.portfolio.pk).json()["items"]
    assert [item["code"] for item in by_portfolio] == ["CUST"]
    inactive = client.get("/objectives", active=False).json()["items"]
    assert [item["code"] for item in inactive] == ["OLD"]


def test_objective_weight_must_be_positive(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).post("/objectives", {"code": "Z", "name": "Z", "weight": 0})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"weight"}
    assert not StrategicObjective.objects.filter(code="Z").exists()


# Memberships --------------------------------------------------------------------------------


def test_membership_create_and_filters(api: ApiFactory, world: World) -> None:
    client = api(world.portfolio_manager)
    response = client.post(
        "/memberships",
        {"user_id": world.nobody.pk, "role": "team_member", "project_id": world.project.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["project"]["code"] == "CRM"
    assert body["user"]["username"] == "nobody"
    assert body["portfolio"] is None

    by_user = client.get("/memberships", user=world.nobody.pk).json()["items"]
    assert [item["role"] for item in by_user] == ["team_member"]
    by_project = client.get("/memberships", project=world.project.pk).json()["items"]
    assert {item["user"]["username"] for item in by_project} == {"pm", "nobody"}
    assert client.get("/memberships", portfolio=world.portfolio.pk).json()["count"] == 3


def test_membership_with_two_scopes_is_refused(api: ApiFactory, world: World) -> None:
    before = Membership.objects.count()
    response = api(world.admin).post(
        "/memberships",
        {
            "user_id": world.nobody.pk,
            "role": "viewer",
            "portfolio_id": world.portfolio.pk,
            "project_id": world.project.pk,
        },
    )
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"
    assert Membership.objects.count() == before


def test_membership_on_an_invisible_scope_is_refused(api: ApiFactory, world: World) -> None:
    response = api(world.outsider).post(
        "/memberships",
        {"user_id": world.outsider.pk, "role": "viewer", "portfolio_id": world.portfolio.pk},
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"portfolio_id"}
    assert not Membership.objects.filter(user=world.outsider, portfolio=world.portfolio).exists()


def test_unknown_role_is_refused(api: ApiFactory, world: World) -> None:
    response = api(world.admin).post(
        "/memberships", {"user_id": world.nobody.pk, "role": "emperor"}
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"role"}


# Users --------------------------------------------------------------------------------------


def test_me_lists_the_callers_memberships(api: ApiFactory, world: World) -> None:
    body = api(world.portfolio_manager).get("/me").json()
    assert body["user"]["username"] == "pfm"
    assert [(m["role"], m["portfolio"]["code"]) for m in body["memberships"]] == [
        ("portfolio_manager", "CORP")
    ]


def test_user_create_without_password_cannot_sign_in(api: ApiFactory, world: World) -> None:
    response = api(world.admin).post(
        "/users", {"username": "newcomer", "first_name": "Nina", "last_name": "Dupont"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Nina Dupont"
    assert "password" not in response.json()
    assert not User.objects.get(username="newcomer").has_usable_password()


def test_user_create_refuses_a_weak_password_and_a_taken_username(
    api: ApiFactory, world: World
) -> None:
    client = api(world.admin)
    weak = client.post("/users", {"username": "newcomer", "password": "123"})
    assert set(error_of(weak)["fields"]) == {"password"}
    taken = client.post("/users", {"username": "viewer"})
    assert set(error_of(taken)["fields"]) == {"username"}
    assert not User.objects.filter(username="newcomer").exists()


def test_user_delete_deactivates(api: ApiFactory, world: World) -> None:
    client = api(world.admin)
    assert client.delete(f"/users/{world.viewer.pk}").status_code == 204
    world.viewer.refresh_from_db()
    assert world.viewer.is_active is False
    assert client.get(f"/users/{world.viewer.pk}").json()["is_active"] is False
    assert client.get("/users", active=False).json()["items"][0]["username"] == "viewer"


def test_administrator_cannot_deactivate_themselves(api: ApiFactory, world: World) -> None:
    response = api(world.admin).delete(f"/users/{world.admin.pk}")
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"is_active"}


def test_users_listing_and_search(api: ApiFactory, world: World) -> None:
    client = api(world.viewer)
    assert client.get("/users").json()["count"] == 8
    assert [u["username"] for u in client.get("/users", search="outs").json()["items"]] == [
        "outsider"
    ]
    assert api(world.nobody).get("/users").json()["count"] == 0
