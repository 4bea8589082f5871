"""MPXJ (Java) in the tests: skipped where it cannot run, unless PILOTAGE_REQUIRE_MPXJ=1 (CI)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when the environment requires MPXJ."""
    if os.environ.get("PILOTAGE_REQUIRE_MPXJ") == "1":
        pytest.fail(f"MPXJ is required (PILOTAGE_REQUIRE_MPXJ=1) but {reason}")
    pytest.skip(reason)


def require_modules() -> None:
    """Skip (or fail) unless the ``mpxj`` and ``jpype`` packages are installed."""
    for module in ("jpype", "mpxj"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"the {module} package is not installed (pip install 'pilotage[mpp]')")
