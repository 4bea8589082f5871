"""Measure the main pages and API lists on the large demo portfolio (2,000 projects).

Run with ``make benchmark`` or ``.venv/bin/python benchmarks/portfolio_pages.py [--repeat N]``.
It builds the large demo in a throwaway data directory with the ``pilotage`` command, then
requests each page in-process as the demo user and prints the median time, the slowest time and
the number of SQL queries of each request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REQUESTS = [
    ("dashboard", "/"),
    ("project list, page 1", "/projects/"),
    ("project list, 100 per page sorted by budget", "/projects/?per_page=100&ordering=-budget"),
    ("project list, search + filters", "/projects/?search=data&health=amber&phase=execution"),
    ("project list, CSV export of all", "/projects/?format=csv"),
    ("project page", "/projects/{project}/"),
    ("project history", "/projects/{project}/history/"),
    ("programme list", "/programmes/"),
    ("portfolio list", "/portfolios/"),
    ("API projects, limit 50", "/api/v1/projects?limit=50"),
    ("API projects, limit 500", "/api/v1/projects?limit=500"),
    ("API project", "/api/v1/projects/{project}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="requests per page (default 15)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pilotage-bench-"))
    os.environ.update(
        PILOTAGE_DATA_DIR=str(data_dir),
        PILOTAGE_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="pilotage.config.settings",
    )
    pilotage = str(Path(sys.executable).parent / "pilotage")
    subprocess.run([pilotage, "migrate"], check=True)
    started = time.perf_counter()
    subprocess.run(
        [pilotage, "demo", "--size", "large", "--seed", str(args.seed)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    build_seconds = time.perf_counter() - started
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"], check=True
    )

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pilotage.accounts.models import User
    from pilotage.portfolio.models import Project

    client = Client()
    client.force_login(User.objects.get(username="demo"))
    project = Project.objects.order_by("code").values_list("pk", flat=True)[1000]
    print(f"Large demo: {Project.objects.count()} projects, built in {build_seconds:.1f} s")
    print(f"{'request':48} {'median ms':>10} {'max ms':>8} {'queries':>8} {'status':>7}")
    for label, template in REQUESTS:
        url = template.format(project=project)
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                begin = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                timings.append((time.perf_counter() - begin) * 1000)
        print(
            f"{label:48} {statistics.median(timings):10.1f} {max(timings):8.1f} "
            f"{len(queries.captured_queries):8d} {response.status_code:7d}"
        )


if __name__ == "__main__":
    main()
