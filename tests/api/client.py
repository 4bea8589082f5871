"""A small JSON client for the REST API tests, and a check of the error envelope."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

PREFIX = "/api/v1"


class ApiClient:
    """Calls /api/v1/ with JSON bodies, signed in as a user or with a bearer token."""

    def __init__(self, client: Client, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(PREFIX + path, params, headers=self.headers)

    def post(self, path: str, data: Any = None) -> Any:
        return self._send("post", path, data)

    def patch(self, path: str, data: Any = None) -> Any:
        return self._send("patch", path, data)

    def delete(self, path: str) -> Any:
        return self.client.delete(PREFIX + path, headers=self.headers)

    def _send(self, method: str, path: str, data: Any) -> Any:
        return getattr(self.client, method)(
            PREFIX + path,
            json.dumps(data or {}),
            content_type="application/json",
            headers=self.headers,
        )


ApiFactory = Callable[..., ApiClient]


def error_of(response: Any) -> dict[str, Any]:
    """The error envelope of a response, checked for its shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}, error
    assert error["status"] == response.status_code
    assert error["message"]
    return error
