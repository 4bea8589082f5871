"""Measure earned value across the large demo portfolio (2,000 projects) and its roll-ups.

Run with ``.venv/bin/python benchmarks/evm.py [--repeat N]``. It builds the large demo
(without task plans) in a throwaway SQLite database under a temporary data directory, gives
each project a current cost baseline of about 40 tasks with a daily planned cost over the
project's dates, task progress and about 50 actual costs in three currencies (all in bulk),
then times ``portfolio_earned_value`` for a superuser (every project, the programme and
portfolio roll-ups and the grand total) and prints the median of the runs, split into the
database reads and the engine.
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
from decimal import Decimal
from pathlib import Path

TASKS_PER_PROJECT = 40
COSTS_PER_PROJECT = 50
TARGET_SECONDS = 2.0


def _setup(seed: int) -> float:
    """Migrate a new database, build the large demo without plans; the seconds it took."""
    data_dir = Path(tempfile.mkdtemp(prefix="pilotage-bench-evm-"))
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
    from pilotage.demo.builder import build_demo

    started = time.perf_counter()
    build_demo(size="large", seed=seed, with_plans=False)
    return time.perf_counter() - started


def _money_data(seed: int) -> tuple[int, int, int, float]:
    """Baselines, tasks, progress and actual costs for every project, in bulk."""
    from django.db import transaction

    from pilotage.finance.models import (
        ActualCost,
        ActualCostSource,
        CostBaseline,
        CostBaselineTask,
        ExchangeRate,
    )
    from pilotage.planning.models import Task
    from pilotage.portfolio.models import Project

    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    started = time.perf_counter()
    today = dt.date.today()
    projects = list(Project.objects.order_by("pk"))
    with transaction.atomic():
        ExchangeRate.objects.bulk_create(
            [
                ExchangeRate(currency="USD", valid_from=dt.date(2000, 1, 1), rate=Decimal("0.92")),
                ExchangeRate(currency="GBP", valid_from=dt.date(2000, 1, 1), rate=Decimal("1.17")),
                ExchangeRate(currency="CHF", valid_from=dt.date(2000, 1, 1), rate=Decimal("1.05")),
            ],
            ignore_conflicts=True,
        )
        tasks: list[Task] = []
        spans: dict[int, tuple[dt.date, int]] = {}
        for project in projects:
            start = project.start_date or today - dt.timedelta(days=rng.randint(30, 400))
            finish = project.finish_date or start + dt.timedelta(days=rng.randint(90, 700))
            days = max((finish - start).days + 1, TASKS_PER_PROJECT)
            spans[project.pk] = (start, days)
            for position in range(1, TASKS_PER_PROJECT + 1):
                tasks.append(
                    Task(
                        project=project,
                        name=f"Work package {position}",
                        position=position,
                        percent_complete=float(rng.choice((0, 0, 10, 25, 50, 75, 100, 100))),
                    )
                )
        Task.objects.bulk_create(tasks, batch_size=2000)
        by_project: dict[int, list[Task]] = {}
        for task in Task.objects.filter(project__in=projects).order_by("project_id", "position"):
            by_project.setdefault(task.project_id, []).append(task)

        baselines = []
        planned: dict[int, list[tuple[Task, dt.date, dt.date, Decimal]]] = {}
        for project in projects:
            start, days = spans[project.pk]
            daily: dict[str, Decimal] = {}
            rows = []
            length = days // TASKS_PER_PROJECT
            for index, task in enumerate(by_project[project.pk]):
                first = start + dt.timedelta(days=index * length)
                per_day = Decimal(rng.randint(50, 800))
                for offset in range(length):
                    key = (first + dt.timedelta(days=offset)).isoformat()
                    daily[key] = daily.get(key, Decimal(0)) + per_day
                rows.append((task, first, first + dt.timedelta(days=length - 1), per_day * length))
            planned[project.pk] = rows
            total = sum(daily.values(), Decimal(0))
            baselines.append(
                CostBaseline(
                    project=project,
                    name="Baseline 1",
                    currency=project.currency,
                    budget_at_completion=total,
                    labour_cost=total,
                    start=start,
                    finish=start + dt.timedelta(days=days - 1),
                    daily_cost={key: str(value) for key, value in daily.items()},
                )
            )
        CostBaseline.objects.bulk_create(baselines, batch_size=500)
        baseline_ids = dict(CostBaseline.objects.values_list("project_id", "pk"))
        CostBaselineTask.objects.bulk_create(
            [
                CostBaselineTask(
                    cost_baseline_id=baseline_ids[project_id],
                    task=task,
                    name=task.name,
                    start=first,
                    finish=last,
                    labour_cost=cost,
                    cost=cost,
                )
                for project_id, rows in planned.items()
                for task, first, last, cost in rows
            ],
            batch_size=2000,
        )
        costs = []
        for project in projects:
            start, days = spans[project.pk]
            elapsed = max(min((today - start).days, days), 1)
            for _ in range(COSTS_PER_PROJECT):
                costs.append(
                    ActualCost(
                        project=project,
                        incurred_on=start + dt.timedelta(days=rng.randrange(elapsed)),
                        amount=Decimal(rng.randint(100, 20_000)),
                        currency=rng.choice(("EUR", "EUR", "EUR", "USD", "GBP")),
                        source=ActualCostSource.EXPENSE,
                    )
                )
        ActualCost.objects.bulk_create(costs, batch_size=5000)
    return len(baselines), len(tasks), len(costs), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs to time (default 5)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    demo_seconds = _setup(args.seed)
    baselines, tasks, costs, data_seconds = _money_data(args.seed)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pilotage.accounts.models import User
    from pilotage.finance.earned_value import portfolio_earned_value

    admin = User.objects.create_superuser("bench-admin", password=None)
    print(
        f"Large demo without plans built in {demo_seconds:.1f} s; {baselines} cost baselines, "
        f"{tasks} baseline tasks, {costs} actual costs added in {data_seconds:.1f} s"
    )
    totals, reads, engines = [], [], []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            view = portfolio_earned_value(admin)
            totals.append(time.perf_counter() - began)
        reads.append(view.read_seconds)
        engines.append(view.engine_seconds)
    computed = sum(1 for _project, figures in view.projects if figures.computed)
    print(
        f"portfolio_earned_value: {len(view.projects)} projects ({computed} computed), "
        f"{len(view.programmes)} programmes, {len(view.portfolios)} portfolios, "
        f"{len(queries.captured_queries)} queries"
    )
    print(f"{'':28} {'median s':>9} {'max s':>7}")
    for label, values in (
        ("total", totals),
        ("database reads", reads),
        ("engine and figures", engines),
    ):
        print(f"{label:28} {statistics.median(values):9.3f} {max(values):7.3f}")
    from django.test import Client

    client = Client()
    client.force_login(admin)
    pages = []
    for url in ("/finance/", "/finance/?format=xlsx"):
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - began)
        pages.append((url, statistics.median(timings), response.status_code))
    for url, seconds, status in pages:
        print(f"page {url:23} {seconds:9.3f}   (status {status})")
    verdict = "within" if statistics.median(totals) <= TARGET_SECONDS else "OVER"
    print(f"target {TARGET_SECONDS:.1f} s: {verdict}")


if __name__ == "__main__":
    main()
