"""Fixtures for the command line tests: run ``pilotage`` in-process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from pilotage.cli.main import main

Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke ``pilotage`` with arguments; ``input`` feeds standard input."""
    monkeypatch.delenv("PILOTAGE_USER", raising=False)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input)

    return invoke
