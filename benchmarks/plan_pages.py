"""Measure the plan pages on a generated 5,000-task project.

Run with ``.venv/bin/python benchmarks/plan_pages.py [--tasks N] [--repeat N]`` (``make
benchmark`` runs it too). It creates a throwaway database, builds a plan of phases of 20 tasks
(each task one to three predecessors among the previous 50: 70 % FS, 15 % FS with a lag, 15 %
SS), schedules it once with the planning service, then requests each page in-process as an
administrator and prints the median and slowest times, the number of SQL queries and the size of
the page. It also times one edit through the grid (which schedules the whole plan again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def build_plan(project: object, size: int, seed: int) -> None:
    """Rows and links written in bulk: the benchmark measures reading, not typing 5,000 rows."""
    from pilotage.planning.models import Dependency, ProjectPlan, Task

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ProjectPlan.objects.create(project=project, start=dt.datetime(2026, 1, 5, 8, 0))
    tasks: list[Task] = []
    phase: Task | None = None
    for index in range(size):
        if index % 21 == 0:
            phase = Task(project=project, name=f"Phase {index // 21 + 1}", outline_level=1)
            phase.is_summary = True
            tasks.append(phase)
            continue
        task = Task(
            project=project,
            name=f"Task {index}",
            outline_level=2,
            duration_minutes=480 * rng.randint(1, 10),
        )
        task.parent = phase
        tasks.append(task)
    for position, task in enumerate(tasks, start=1):
        task.position = position
    Task.objects.bulk_create([task for task in tasks if task.outline_level == 1], batch_size=500)
    for task in tasks:
        if task.parent is not None:
            task.parent_id = task.parent.pk
    Task.objects.bulk_create([task for task in tasks if task.outline_level == 2], batch_size=500)
    leaves = [task for task in tasks if not task.is_summary]
    links = []
    for index, task in enumerate(leaves[1:], start=1):
        chosen = rng.sample(range(max(0, index - 50), index), k=min(index, rng.randint(1, 3)))
        for other in chosen:
            draw = rng.random()
            kind, lag = ("FS", 0) if draw < 0.7 else ("FS", 480 * rng.randint(1, 3))
            if draw >= 0.85:
                kind, lag = "SS", 0
            links.append(
                Dependency(predecessor=leaves[other], successor=task, type=kind, lag_minutes=lag)
            )
    Dependency.objects.bulk_create(links, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=5000, help="rows of the plan (default 5000)")
    parser.add_argument("--repeat", type=int, default=5, help="requests per page (default 5)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="pilotage-bench-"))
    os.environ.update(
        PILOTAGE_DATA_DIR=str(data_dir),
        PILOTAGE_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="pilotage.config.settings",
    )
    pilotage = str(Path(sys.executable).parent / "pilotage")
    subprocess.run([pilotage, "migrate"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"], check=True
    )

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pilotage.accounts.models import User
    from pilotage.planning import services
    from pilotage.planning.models import Dependency, Task
    from pilotage.portfolio.models import Portfolio, Project

    admin = User.objects.create_superuser("bench", "bench@example.org", "bench-password")
    portfolio = Portfolio.objects.create(code="BENCH", name="Benchmark")
    project = Project.objects.create(code="BIG", name="Big plan", portfolio=portfolio)
    build_plan(project, args.tasks, args.seed)
    started = time.perf_counter()
    services.recalculate(project)
    recalc_ms = (time.perf_counter() - started) * 1000
    tasks = Task.objects.filter(project=project).count()
    links = Dependency.objects.filter(successor__project=project).count()
    print(f"Plan: {tasks} tasks, {links} links; first calculation {recalc_ms:.0f} ms")

    client = Client()
    client.force_login(admin)
    pk = project.pk
    middle = Task.objects.filter(project=project, is_summary=False).order_by("position")[tasks // 2]
    requests = [
        ("Gantt chart, weeks", f"/projects/{pk}/gantt/"),
        ("Gantt chart, days", f"/projects/{pk}/gantt/?scale=day"),
        ("Gantt chart, months, level 1", f"/projects/{pk}/gantt/?scale=month&level=1"),
        ("task grid", f"/projects/{pk}/plan/"),
        ("network diagram, critical tasks", f"/projects/{pk}/network/?critical=1"),
        ("API tasks, limit 500", f"/api/v1/projects/{pk}/tasks?limit=500"),
    ]
    print(f"{'request':40} {'median ms':>10} {'max ms':>8} {'queries':>8} {'KiB':>8}")
    for label, url in requests:
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                begin = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        print(
            f"{label:40} {statistics.median(timings):10.1f} {max(timings):8.1f} "
            f"{len(queries.captured_queries):8d} {len(response.content) / 1024:8.0f}"
        )
    timings = []
    for attempt in range(args.repeat):
        begin = time.perf_counter()
        response = client.post(
            f"/tasks/{middle.pk}/cell/",
            {"duration": f"{2 + attempt % 2}d"},
            HTTP_HX_REQUEST="true",
        )
        timings.append((time.perf_counter() - begin) * 1000)
    print(
        f"{'edit a duration in the grid (reschedules)':40} {statistics.median(timings):10.1f} "
        f"{max(timings):8.1f}"
    )


if __name__ == "__main__":
    main()
