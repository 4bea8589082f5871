"""The suite really runs on the database it was asked to use."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_configured_database() -> None:
    expected = "postgresql" if os.environ.get("PILOTAGE_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
