"""Failures that are nobody's input error still answer with the envelope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError

from pilotage.portfolio import api as portfolio_api
from tests.api.client import ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db


def test_concurrent_write_conflict_is_a_409(
    api: ApiFactory, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def collide(**kwargs: Any) -> None:
        raise IntegrityError("UNIQUE constraint failed: portfolio_project.code")

    monkeypatch.setattr(portfolio_api.services, "project_update", collide)
    response = api(world.pmo).patch(f"/projects/{world.project.pk}", {"code": "HR2"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert "UNIQUE" not in error["message"]


def test_unexpected_failure_is_a_500_without_details(
    api: ApiFactory, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(portfolio_api.selectors, "project_list_with_objectives", broken)
    response = api(world.pmo).get("/projects")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "secret" not in error["message"]
