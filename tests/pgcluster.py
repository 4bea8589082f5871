"""Pytest plugin: run the suite against a throwaway PostgreSQL cluster on a free loopback port.

Use with ``pytest -p tests.pgcluster``. The cluster is created in a temporary directory before
Django reads its settings, and removed when the run ends. Without PostgreSQL's server binaries
the run is skipped, or fails when ``PILOTAGE_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

_MISSING_REASON = "PostgreSQL server binaries (initdb, pg_ctl) not found"


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a temporary directory, owned by ``postgres`` when run as root."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="pilotage-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "pilotage",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    @property
    def url(self) -> str:
        return f"postgres://pilotage@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


_cluster: Cluster | None = None
_skip_reason: str | None = None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, None, None]:
    # Runs before pytest-django reads the settings, so the database URL is in place in time.
    global _cluster, _skip_reason
    required = os.environ.get("PILOTAGE_REQUIRE_POSTGRES") == "1"
    bin_dir = _bin_dir()
    if bin_dir is None:
        if required:
            raise pytest.UsageError(f"{_MISSING_REASON} and PILOTAGE_REQUIRE_POSTGRES=1")
        _skip_reason = _MISSING_REASON
    else:
        cluster = Cluster(bin_dir)
        try:
            cluster.start()
        except subprocess.CalledProcessError as exc:
            cluster.stop()
            raise pytest.UsageError(
                f"Could not start the PostgreSQL test cluster: {exc.stderr or exc}"
            ) from exc
        _cluster = cluster
        os.environ["PILOTAGE_DATABASE_URL"] = cluster.url
    return (yield)


def pytest_report_header(config: pytest.Config) -> str:
    if _cluster is not None:
        return f"database: throwaway PostgreSQL cluster on 127.0.0.1:{_cluster.port}"
    return f"database: PostgreSQL run skipped ({_skip_reason})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _skip_reason:
        marker = pytest.mark.skip(reason=_skip_reason)
        for item in items:
            item.add_marker(marker)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None
