"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.access import generate_access_tests
from tests.world import World, build_world


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    generate_access_tests(metafunc)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def count_queries() -> Callable[[Callable[[], Any]], int]:
    """Run a callable and return how many SQL queries it made."""

    def run(action: Callable[[], Any]) -> int:
        with CaptureQueriesContext(connection) as captured:
            action()
        return len(captured.captured_queries)

    return run
