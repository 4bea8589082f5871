"""The shared access mixin: each page and API operation declares who may use it, and gets
anonymous, hidden (404), forbidden (403) and allowed tests generated from that declaration.

Usage::

    class TestProjectPages(AccessMixin):
        access = [
            Access("detail", "get", lambda w: f"/projects/{w.project.pk}/",
                   allowed=("viewer", "pmo"), hidden=("outsider", "nobody")),
        ]
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.test import Client

from tests.world import World


@dataclass(frozen=True)
class Access:
    """One page or API operation and who may use it (user names are attributes of World)."""

    name: str
    method: str
    url: Callable[[World], str]
    allowed: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    data: Callable[[World], dict[str, Any]] | None = None
    ok: tuple[int, ...] = (200,)
    api: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def perform(client: Client, case: Access, world: World) -> Any:
    url = case.url(world)
    data = case.data(world) if case.data else None
    method = getattr(client, case.method)
    if case.api:
        if case.method == "get":
            return method(url, data or {})
        return method(url, json.dumps(data or {}), content_type="application/json")
    if case.method == "get":
        return method(url, data or {})
    return method(url, data or {})


class AccessMixin:
    """Generates the four kinds of access tests from the class attribute ``access``."""

    access: ClassVar[list[Access]] = []

    def test_anonymous(self, client: Client, world: World, access_case: Access, who: None) -> None:
        response = perform(client, access_case, world)
        if access_case.api:
            assert response.status_code == 401, response.content
        else:
            assert response.status_code == 302, response.status_code
            assert "/accounts/login/" in response["Location"]

    def test_hidden(self, client: Client, world: World, access_case: Access, who: str) -> None:
        client.force_login(world.user(who))
        response = perform(client, access_case, world)
        assert response.status_code == 404, (who, response.status_code)

    def test_forbidden(self, client: Client, world: World, access_case: Access, who: str) -> None:
        client.force_login(world.user(who))
        response = perform(client, access_case, world)
        assert response.status_code == 403, (who, response.status_code)

    def test_allowed(self, client: Client, world: World, access_case: Access, who: str) -> None:
        client.force_login(world.user(who))
        response = perform(client, access_case, world)
        assert response.status_code in access_case.ok, (
            who,
            response.status_code,
            response.content[:2000],
        )


def generate_access_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the AccessMixin tests of a class with its declared cases."""
    cls = metafunc.cls
    if (
        cls is None
        or not issubclass(cls, AccessMixin)
        or "access_case" not in metafunc.fixturenames
    ):
        return
    kind = metafunc.function.__name__
    params = []
    for case in cls.access:
        if kind == "test_anonymous":
            params.append(pytest.param(case, None, id=case.name))
            continue
        users = {
            "test_allowed": case.allowed,
            "test_forbidden": case.forbidden,
            "test_hidden": case.hidden,
        }[kind]
        params.extend(pytest.param(case, who, id=f"{case.name}-{who}") for who in users)
    if not params:
        params = [pytest.param(None, None, marks=pytest.mark.skip(reason="no such case"))]
    metafunc.parametrize(("access_case", "who"), params)
