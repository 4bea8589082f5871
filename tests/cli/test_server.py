"""``pilotage serve``, ``migrate``, ``check``, ``--help`` and ``--version``."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import pilotage
from tests.cli.conftest import Run

PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    """The environment of a fresh installation: default settings, its own data directory."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "PILOTAGE_DATABASE_URL", "PILOTAGE_USER"}
    }
    env["PILOTAGE_DATA_DIR"] = str(data_dir)
    return env


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"pilotage {pilotage.__version__}"


def test_help_does_not_set_django_up() -> None:
    code = (
        "from click.testing import CliRunner\n"
        "from django.apps import apps\n"
        "from pilotage.cli.main import main\n"
        "for args in (['--help'], ['serve', '--help'], ['createuser', '--help']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "print(apps.ready)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    output = subprocess.run(
        [PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert output.stdout.strip() == "False"


@pytest.mark.django_db
def test_check_passes_on_a_migrated_database(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # Set by the browser tests for their live server; a deployment must not have it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    result = run("check")
    assert result.exit_code == 0, result.output
    statuses = [line.split()[0] for line in result.output.splitlines() if line[:1] != " "]
    assert statuses == ["OK"] * 5


@pytest.mark.django_db
def test_check_fails_when_an_asset_is_missing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "pilotage.cli.server.REQUIRED_ASSETS", ("vendor/plotly.min.js", "vendor/missing.js")
    )
    result = run("check")
    assert result.exit_code == 1
    assert re.search(r"^FAIL Static assets", result.output, re.MULTILINE)
    assert "not found: vendor/missing.js" in result.output


@pytest.mark.django_db
def test_migrate_is_quiet_when_nothing_is_to_apply(run: Run) -> None:
    result = run("migrate")
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_serve_refuses_a_bad_port(run: Run) -> None:
    result = run("serve", "--port", "70000")
    assert result.exit_code == 2
    assert "70000 is not in the range 1<=x<=65535" in result.output


def test_serve_refuses_a_port_from_the_environment_that_is_not_a_number(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PILOTAGE_PORT", "http")
    result = run("serve")
    assert result.exit_code == 2
    assert "'http' is not a valid integer" in result.output


@pytest.mark.django_db
def test_serve_refuses_a_port_in_use(run: Run) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """``pilotage serve`` on a free port, on a fresh data directory migrated first."""
    env = _environment(tmp_path)
    subprocess.run(
        [PYTHON, "-m", "pilotage", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "pilotage", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", tmp_path, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 90) -> tuple[int, bytes]:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"pilotage serve stopped with status {process.returncode}:\n{output}")
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_pages_and_static_files(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, data_dir, process = server
    status, _body = _wait_for(f"{base}/accounts/login/", process)
    assert status == 200
    manifest = json.loads((data_dir / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/plotly.min.js"]
    assert hashed != "vendor/plotly.min.js"
    status, body = _get(f"{base}/static/{hashed}")
    assert status == 200
    assert b"plotly" in body[:2000].lower()
    assert len(body) > 1_000_000
