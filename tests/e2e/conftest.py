"""Browser tests: Playwright for Python driving the system's Chromium against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    configured = os.environ.get("PILOTAGE_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        message = "Chromium not found (install Debian's chromium or set PILOTAGE_CHROMIUM)"
        if os.environ.get("PILOTAGE_REQUIRE_E2E") == "1":
            pytest.fail(message + " and PILOTAGE_REQUIRE_E2E=1")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop running in the test thread while the
    # browser is open; the database calls the tests make are still synchronous, so Django's
    # async-safety guard is relaxed for as long as the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en-GB", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screenshot_dir() -> Path | None:
    """Where to save the README screenshots (``make screenshots`` sets it), or None."""
    configured = os.environ.get("PILOTAGE_SCREENSHOTS_DIR")
    if not configured:
        return None
    path = Path(configured)
    path.mkdir(parents=True, exist_ok=True)
    return path
