"""Authentication: bearer tokens and sessions, and the 401 that everything else gets."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from pilotage.accounts import services
from pilotage.core.audit import history_for
from pilotage.portfolio.models import Project
from tests.api.client import ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db


def test_anonymous_request_gets_401_in_the_envelope(api: ApiFactory) -> None:
    response = api().get("/projects")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_write_gets_401_not_a_csrf_error(api: ApiFactory) -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/projects", "{}", content_type="application/json"
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_token_authenticates_as_its_user(api: ApiFactory, world: World) -> None:
    _token, raw = services.token_create(actor=None, user=world.viewer)
    response = api(token=raw).get("/projects")
    assert response.status_code == 200
    assert {item["code"] for item in response.json()["items"]} == {"CRM", "HR"}
    assert api(token=raw).get("/me").json()["user"]["username"] == "viewer"


def test_token_gives_no_more_rights_than_its_user(api: ApiFactory, world: World) -> None:
    _token, raw = services.token_create(actor=None, user=world.viewer)
    client = api(token=raw)
    response = client.patch(f"/projects/{world.project.pk}", {"name": "Hijacked"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert client.get(f"/projects/{world.other_project.pk}").status_code == 404
    world.project.refresh_from_db()
    assert world.project.name == "New CRM"


def test_write_with_a_token_needs_no_csrf_and_is_attributed(api: ApiFactory, world: World) -> None:
    _token, raw = services.token_create(actor=None, user=world.portfolio_manager)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/projects",
        json.dumps({"portfolio_id": world.portfolio.pk, "code": "API", "name": "Via token"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    entry = history_for(Project.objects.get(code="API")).get()
    assert entry.actor == world.portfolio_manager


def test_token_user_gets_messages_in_their_chosen_language(api: ApiFactory, world: World) -> None:
    services.user_update(actor=world.pmo, user=world.pmo, language="fr")
    _token, raw = services.token_create(actor=None, user=world.pmo)
    response = api(token=raw).post(
        "/projects", {"portfolio_id": world.portfolio.pk, "code": "CRM", "name": "Copy"}
    )
    assert "existe déjà" in error_of(response)["fields"]["code"][0]


def test_revoked_token_gets_401(api: ApiFactory, world: World) -> None:
    token, raw = services.token_create(actor=None, user=world.pmo)
    services.token_revoke(actor=world.pmo, token=token)
    response = api(token=raw).get("/projects")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_token_of_a_deactivated_user_gets_401(api: ApiFactory, world: World) -> None:
    _token, raw = services.token_create(actor=None, user=world.pmo)
    assert api(token=raw).get("/projects").status_code == 200
    services.user_update(actor=world.admin, user=world.pmo, is_active=False)
    assert api(token=raw).get("/projects").status_code == 401


@pytest.mark.parametrize("raw", ["plt_not-a-real-token", "", "garbage"])
def test_unknown_token_gets_401(api: ApiFactory, world: World, raw: str) -> None:
    response = api(token=raw).get("/projects")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_bad_token_is_refused_even_with_a_session(api: ApiFactory, world: World) -> None:
    response = api(world.pmo, token="plt_not-a-real-token").get("/projects")
    assert response.status_code == 401


def test_session_of_a_deactivated_user_gets_401(api: ApiFactory, world: World) -> None:
    client = api(world.viewer)
    assert client.get("/projects").status_code == 200
    services.user_update(actor=world.admin, user=world.viewer, is_active=False)
    assert client.get("/projects").status_code == 401


def test_session_writes_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.pmo)
    url = f"/api/v1/projects/{world.project.pk}"
    assert client.get(url).status_code == 200

    refused = client.patch(url, json.dumps({"name": "No token"}), content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"

    csrf = "a" * 32
    client.cookies["csrftoken"] = csrf
    accepted = client.patch(
        url,
        json.dumps({"name": "With token"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200, accepted.content
    world.project.refresh_from_db()
    assert world.project.name == "With token"
