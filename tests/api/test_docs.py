"""The OpenAPI description and the interactive documentation page, served without a CDN."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_lists_every_resource_with_summaries() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Pilotage API"
    for path in [
        "/api/v1/me",
        "/api/v1/portfolios",
        "/api/v1/portfolios/{portfolio_id}/history",
        "/api/v1/programmes/{programme_id}",
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/projects/{project_id}/history",
        "/api/v1/projects/{project_id}/as-of",
        "/api/v1/objectives/{objective_id}",
        "/api/v1/memberships/{membership_id}",
        "/api/v1/users/{user_id}/history",
    ]:
        assert path in schema["paths"], path
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert all(op.get("summary") and op.get("tags") for op in operations)
    assert {"BearerTokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_uses_only_local_static_files() -> None:
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
