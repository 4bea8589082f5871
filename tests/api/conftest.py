"""Fixtures of the REST API tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.client import ApiClient, ApiFactory


@pytest.fixture
def api(db: None) -> ApiFactory:
    """``api(user)`` signs in with the session; ``api(token=...)`` sends a bearer token."""

    def make(
        user: Any = None, *, token: str | None = None, language: str | None = None
    ) -> ApiClient:
        client = Client()
        headers: dict[str, str] = {}
        if user is not None:
            client.force_login(user)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if language is not None:
            headers["Accept-Language"] = language
        return ApiClient(client, headers)

    return make
