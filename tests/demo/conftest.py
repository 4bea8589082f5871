"""One build of the small demo shared by the modules that read it (building it takes a while).

It is made in a transaction rolled back after the package's last test; each test runs in its own
savepoint inside it. The builder's own tests that need an empty database run first (their
module sorts first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from pilotage.demo.builder import build_demo

TODAY = dt.date(2026, 3, 11)


@pytest.fixture(scope="package")
def demo_build(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[tuple[int, int]]]:
    """The demo of seed 42 as of ``TODAY``; gives the progress reported while building it."""
    calls: list[tuple[int, int]] = []
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(seed=42, today=TODAY, progress=lambda done, total: calls.append((done, total)))
        yield calls
        transaction.set_rollback(True)
