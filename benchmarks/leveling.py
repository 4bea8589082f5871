"""Resource-leveling benchmark: PSPLIB j30/j120 and a generated 10,000-task portfolio.

Usage::

    .venv/bin/python benchmarks/leveling.py --data DIR [--sets j30,j120] [--modes fast,optimise]
        [--sample] [--limit N] [--time-limit S] [--csv FILE] [--portfolio] [--plan-portfolio]
        [--no-psplib]

``DIR`` (or the environment variable ``PILOTAGE_PSPLIB_DIR``) holds the PSPLIB data: ``j30/``,
``j120/`` (``.sm`` files), ``best_known.csv`` and optionally ``reference_results/`` with
TaskJuggler's per-instance makespans (``tj3_3.7.1_{set}_measured.csv``). ``--sample`` takes
instance 1 of each parameter group (48 for j30, 60 for j120). Every schedule is checked by the
independent checker; the report gives, per set and mode, the mean deviation from the optimum
(j30) or from the critical-path lower bound (j120), the deviation from the best-known
makespans, how many best-known values were reached, the schedules generated and the time per
instance, and the instances where TaskJuggler found a shorter schedule.

``--portfolio`` levels a generated 10,000-task problem with the engine alone;
``--plan-portfolio`` levels a generated portfolio of 50 plans of 200 tasks (200 people, project
and resource calendars, dates and working hours) through :func:`level_plans`, as the
application does, and gives the total time, the engine's share and the adapter's (building the
grid, scheduling the plans before and after, the results).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from pilotage.engine.calendars import Calendar, CalendarException, WeekPattern, WorkingPeriod
from pilotage.engine.leveling import (
    LevelingOptions,
    LevelingProblem,
    check_schedule,
    level_resources,
    read_psplib,
)
from pilotage.engine.leveling import plan as plan_leveling
from pilotage.engine.leveling.plan import (
    LevelingAssignment,
    LevelingProject,
    LevelingResource,
    PlanLevelingOptions,
    level_plans,
)
from pilotage.engine.plan import Plan, PlanCalendar, PlanLink, PlanTask


@dataclass
class Row:
    """One instance's outcome."""

    instance: str
    mode: str
    makespan: int
    best_known: int
    critical_path_lb: int
    optimal_known: bool
    lower_bound: int
    taskjuggler: int | None
    schedules: int
    seconds: float
    proven_optimal: bool
    method: str
    feasible: bool


def _best_known(data: Path) -> dict[str, dict[str, str]]:
    with (data / "best_known.csv").open() as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


def _taskjuggler(data: Path, name: str) -> dict[str, int]:
    path = data / "reference_results" / f"tj3_3.7.1_{name}_measured.csv"
    if not path.exists():
        return {}
    with path.open() as handle:
        return {
            row["instance"]: int(row["makespan"])
            for row in csv.DictReader(handle)
            if row.get("status") == "ok" and row.get("makespan")
        }


def _instances(data: Path, name: str, sample: bool, limit: int | None) -> list[Path]:
    files = sorted((data / name).glob("*.sm"))

    def key(path: Path) -> tuple[int, int]:
        group, _, number = path.stem[len(name) :].partition("_")
        return int(group), int(number)

    files.sort(key=key)
    if sample:
        files = [f for f in files if key(f)[1] == 1]
    return files[:limit] if limit else files


def run_set(data: Path, name: str, mode: str, args: argparse.Namespace, writer: Any) -> list[Row]:
    """Level every instance of one set in one mode and print a line per instance."""
    known = _best_known(data)
    juggler = _taskjuggler(data, name)
    rows: list[Row] = []
    for path in _instances(data, name, args.sample, args.limit):
        instance = read_psplib(path)
        options = LevelingOptions(
            mode=cast(Literal["fast", "optimise"], mode),
            seed=args.seed,
            time_limit_seconds=args.time_limit,
            schedules=args.schedules,
        )
        began = time.perf_counter()
        result = level_resources(instance.problem, options)
        seconds = time.perf_counter() - began
        reference = known[instance.name]
        row = Row(
            instance=instance.name,
            mode=mode,
            makespan=result.makespan,
            best_known=int(reference["best_known_makespan"]),
            critical_path_lb=int(reference["critical_path_lb"]),
            optimal_known=reference["optimal"] == "yes",
            lower_bound=int(reference["lower_bound"]),
            taskjuggler=juggler.get(instance.name),
            schedules=result.schedules_generated,
            seconds=seconds,
            proven_optimal=result.proven_optimal,
            method=result.best_method,
            feasible=check_schedule(instance.problem, result.start) == [],
        )
        rows.append(row)
        if writer is not None:
            writer.writerow(
                [
                    row.instance,
                    mode,
                    row.makespan,
                    row.best_known,
                    row.critical_path_lb,
                    row.taskjuggler,
                    row.schedules,
                    f"{row.seconds:.3f}",
                    row.proven_optimal,
                    row.method,
                    row.feasible,
                ]
            )
        if args.verbose:
            print(
                f"  {row.instance:10} {mode:8} {row.makespan:4} (best {row.best_known:4}) "
                f"{row.schedules:8} schedules {row.seconds:6.2f} s  {row.method}",
                flush=True,
            )
    return rows


def summarise(name: str, mode: str, rows: list[Row]) -> None:
    """Print the figures of one set and mode."""
    if not rows:
        return
    count = len(rows)
    from_best = [100 * (r.makespan - r.best_known) / r.best_known for r in rows]
    from_cp = [100 * (r.makespan - r.critical_path_lb) / r.critical_path_lb for r in rows]
    reached = sum(r.makespan <= r.best_known for r in rows)
    longer_than_tj = [r.instance for r in rows if r.taskjuggler and r.makespan > r.taskjuggler]
    infeasible = [r.instance for r in rows if not r.feasible]
    times = [r.seconds for r in rows]
    print(f"\n{name} {mode}: {count} instances")
    if name == "j30":
        optimal = [r for r in rows if r.optimal_known]
        dev = [100 * (r.makespan - r.best_known) / r.best_known for r in optimal]
        print(f"  mean deviation from the optimum      {statistics.fmean(dev):7.3f} %")
    print(f"  mean deviation from the CP lower bound {statistics.fmean(from_cp):7.2f} %")
    print(f"  mean deviation from best-known       {statistics.fmean(from_best):7.3f} %")
    print(f"  best-known reached                   {reached} / {count}")
    print(f"  proven optimal by the run            {sum(r.proven_optimal for r in rows)}")
    print(
        f"  schedules per instance (mean)        {statistics.fmean(r.schedules for r in rows):9.0f}"
    )
    print(
        f"  seconds per instance mean / max      {statistics.fmean(times):7.3f} / {max(times):.3f}"
    )
    print(f"  infeasible schedules                 {len(infeasible)} {infeasible[:5]}")
    with_tj = sum(r.taskjuggler is not None for r in rows)
    print(f"  longer than TaskJuggler              {len(longer_than_tj)} of {with_tj}")
    impossible = [r.instance for r in rows if r.taskjuggler and r.taskjuggler < r.lower_bound]
    print(f"  TaskJuggler below the proven bound   {len(impossible)} (it splits tasks)")
    for r in rows:
        if r.taskjuggler and r.makespan > r.taskjuggler:
            print(
                f"    {r.instance}: {r.makespan} vs TaskJuggler {r.taskjuggler}, best-known "
                f"{r.best_known}, lower bound {r.lower_bound}"
            )


def portfolio_problem(seed: int = 1) -> LevelingProblem:
    """A generated portfolio: 50 projects of 200 tasks, 200 resources, three calendars
    (5, 6 and 7 working days a week), capacity lowered in holiday weeks and varying by
    resource, project priorities."""
    rng = np.random.default_rng(seed)
    projects, per_project, resources, horizon = 50, 200, 200, 3000
    n = projects * per_project
    durations = rng.integers(1, 11, n)
    durations[rng.random(n) < 0.05] = 0
    demands = np.zeros((n, resources))
    for j in range(n):
        for resource in rng.choice(resources, size=rng.integers(1, 3), replace=False):
            demands[j, resource] = rng.integers(1, 3)
    capacity = rng.integers(2, 5, resources).astype(float)[:, None].repeat(horizon, axis=1)
    for week in rng.choice(horizon // 7, size=horizon // 70, replace=False):
        capacity[:, week * 7 : week * 7 + 7] = np.maximum(
            capacity[:, week * 7 : week * 7 + 7] - 1, 2
        )
    day = np.arange(horizon) % 7
    working = np.stack([day < 5, day < 6, np.ones(horizon, dtype=bool)])
    predecessor: list[int] = []
    successor: list[int] = []
    for p in range(projects):
        base = p * per_project
        for k in range(1, per_project):
            for _ in range(rng.integers(1, 3)):
                i = base + max(0, k - int(rng.integers(1, 21)))
                if i != base + k:
                    predecessor.append(i)
                    successor.append(base + k)
    m = len(predecessor)
    kinds = rng.choice(4, size=m, p=[0.85, 0.1, 0.04, 0.01])
    return LevelingProblem(
        durations=durations,
        demands=demands,
        capacity=capacity,
        link_predecessor=np.array(predecessor, dtype=np.int64),
        link_successor=np.array(successor, dtype=np.int64),
        link_type=kinds,
        link_lag=np.where(rng.random(m) < 0.1, rng.integers(1, 4, m), 0),
        release=np.repeat(rng.integers(0, 60, projects), per_project),
        working=working,
        calendar=rng.integers(0, 3, n),
        group=np.repeat(np.arange(projects), per_project),
        group_priority=rng.integers(1, 6, projects).astype(float),
    )


def run_portfolio(args: argparse.Namespace) -> None:
    """Level the generated portfolio in the fast mode and print the figures."""
    problem = portfolio_problem(args.seed + 1)
    options = LevelingOptions(seed=args.seed, time_limit_seconds=args.portfolio_time_limit)
    began = time.perf_counter()
    result = level_resources(problem, options)
    seconds = time.perf_counter() - began
    problems = check_schedule(problem, result.start)
    print(
        f"\nportfolio: {problem.task_count} tasks, {problem.resource_count} resources, "
        f"{len(problem.link_type)} links, 3 calendars, horizon {problem.horizon} periods"
    )
    print(
        f"  fast mode: {seconds:.2f} s, {result.schedules_generated} schedules, "
        f"time limit reached: {result.time_limit_reached}"
    )
    print(
        f"  makespan {result.makespan} (critical path {result.critical_path_bound}), "
        f"{len(result.delays)} tasks delayed, {len(result.unresolved)} overallocations left, "
        f"{len(problems)} checker findings, method: {result.best_method}"
    )


def plan_portfolio(
    seed: int = 1,
) -> tuple[list[LevelingProject], list[LevelingResource], list[LevelingAssignment]]:
    """A generated portfolio of plans: 50 projects of 200 tasks (hours to a week of work,
    finish-to-start links with a few other types and lags), 200 people, three project
    calendars (the standard week, a six-day week, weekdays from 07:00 to 19:00), a holiday
    week for a tenth of the people (their calendar: any time but that week); projects start
    over the first month."""
    rng = np.random.default_rng(seed)
    six_days = WeekPattern(((WorkingPeriod(480, 720), WorkingPeriod(780, 1020)),) * 6 + ((),))
    long_days = WeekPattern(((WorkingPeriod(420, 1140),),) * 5 + ((),) * 2)
    calendars = (
        PlanCalendar(1, Calendar("Standard", WeekPattern.standard())),
        PlanCalendar(2, Calendar("Six days", six_days)),
        PlanCalendar(3, Calendar("Long days", long_days)),
    )
    people = 200
    projects: list[LevelingProject] = []
    assignments: list[LevelingAssignment] = []
    for number in range(50):
        key = f"P{number:02d}"
        tasks: list[PlanTask] = []
        links: list[PlanLink] = []
        for uid in range(1, 201):
            hours = int(
                rng.choice([0, 2, 4, 8, 16, 24, 40], p=[0.04, 0.1, 0.16, 0.3, 0.2, 0.1, 0.1])
            )
            tasks.append(PlanTask(uid=uid, id=uid, name=f"Task {uid}", duration_minutes=60 * hours))
            if uid > 1:
                for before in set(rng.integers(max(1, uid - 20), uid, 2).tolist()):
                    kind = str(rng.choice(["FS", "SS", "FF", "SF"], p=[0.85, 0.1, 0.04, 0.01]))
                    lag = int(rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 240, 480]))
                    links.append(PlanLink(int(before), uid, kind, lag_minutes=lag))  # type: ignore[arg-type]
            if hours:
                for person in rng.choice(people, size=int(rng.integers(1, 3)), replace=False):
                    assignments.append(
                        LevelingAssignment(
                            key, uid, f"r{int(person)}", float(rng.choice([0.5, 1.0]))
                        )
                    )
        start = datetime(2026, 3, 2, 8) + timedelta(days=int(rng.integers(0, 30)))
        plan = Plan(
            name=key,
            start=start,
            tasks=tuple(tasks),
            links=tuple(links),
            calendars=calendars,
            calendar_uid=int(rng.choice([1, 1, 2, 3])),
        )
        projects.append(LevelingProject(key, plan, priority=int(rng.integers(100, 900))))
    holiday = Calendar(
        "Holiday",
        WeekPattern.continuous(),
        exceptions=(CalendarException(date(2026, 4, 6), date(2026, 4, 10), name="Holiday"),),
    )
    resources = [
        LevelingResource(
            f"r{person}",
            f"Person {person}",
            calendar=holiday if person % 10 == 0 else None,
            capacity=((None, float(rng.choice([1.0, 1.0, 2.0]))),),
        )
        for person in range(people)
    ]
    return projects, resources, assignments


def run_plan_portfolio(args: argparse.Namespace) -> None:
    """Level the generated portfolio of plans in the fast mode and print the figures."""
    projects, resources, assignments = plan_portfolio(args.seed + 1)
    engine_seconds: list[float] = []
    horizons: list[int] = []

    def timed(problem: LevelingProblem, options: LevelingOptions | None = None) -> Any:
        began = time.perf_counter()
        result = level_resources(problem, options)
        engine_seconds.append(time.perf_counter() - began)
        horizons.append(problem.horizon)
        return result

    plan_leveling.level_resources = timed  # type: ignore[attr-defined]
    try:
        options = PlanLevelingOptions(seed=args.seed, time_limit_seconds=args.portfolio_time_limit)
        began = time.perf_counter()
        result = level_plans(projects, resources, assignments, options)
        total = time.perf_counter() - began
    finally:
        plan_leveling.level_resources = level_resources  # type: ignore[attr-defined]
    engine = sum(engine_seconds)
    print(
        f"\nplan portfolio: {len(projects)} plans, {len(result.tasks)} tasks, "
        f"{len(resources)} resources, {len(assignments)} assignments, 3 project calendars"
    )
    print(
        f"  fast mode through level_plans: {total:.2f} s (engine {engine:.2f} s, adapter "
        f"{total - engine:.2f} s), {len(engine_seconds)} engine call(s), engine horizon "
        f"{horizons[-1]} periods of {result.period_minutes} min"
    )
    finish_before = max(item.finish_before for item in result.projects)
    finish_after = max(item.finish_after for item in result.projects)
    print(
        f"  {len(result.delayed)} tasks delayed, {len(result.unresolved)} overallocations left, "
        f"last finish {finish_before:%Y-%m-%d} -> {finish_after:%Y-%m-%d}, "
        f"{result.schedules_generated} schedules, method: {result.best_method}, "
        f"time limit reached: {result.time_limit_reached}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=os.environ.get("PILOTAGE_PSPLIB_DIR"))
    parser.add_argument("--sets", default="j30,j120")
    parser.add_argument("--modes", default="fast,optimise")
    parser.add_argument("--sample", action="store_true", help="instance 1 of each group")
    parser.add_argument("--limit", type=int, default=None, help="first N instances per set")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per instance")
    parser.add_argument("--schedules", type=int, default=None, help="schedule budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, default=None, help="per-instance results")
    parser.add_argument("--portfolio", action="store_true", help="also the 10,000-task portfolio")
    parser.add_argument(
        "--plan-portfolio",
        action="store_true",
        help="also the 10,000-task portfolio of plans through level_plans",
    )
    parser.add_argument("--portfolio-time-limit", type=float, default=None)
    parser.add_argument("--no-psplib", action="store_true")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    warm = read_psplib(
        "jobs (incl. supersource/sink ):  2\nPRECEDENCE RELATIONS:\njobnr. x\n 1 1 1 2\n"
        " 2 1 0\nREQUESTS/DURATIONS:\njobnr. mode duration  R 1\n 1 1 1 1\n 2 1 1 1\n"
        "RESOURCEAVAILABILITIES:\n  R 1\n  1\n"
    )
    level_resources(warm.problem, LevelingOptions(schedules=10))
    print(f"first call (compile or load the cached kernels): {time.perf_counter() - began:.2f} s")
    if not args.no_psplib:
        if args.data is None:
            parser.error("give --data DIR or set PILOTAGE_PSPLIB_DIR")
        handle = args.csv.open("w", newline="") if args.csv else None
        writer = csv.writer(handle) if handle else None
        if writer is not None:
            writer.writerow(
                [
                    "instance",
                    "mode",
                    "makespan",
                    "best_known",
                    "critical_path_lb",
                    "taskjuggler",
                    "schedules",
                    "seconds",
                    "proven_optimal",
                    "method",
                    "feasible",
                ]
            )
        for name in args.sets.split(","):
            for mode in args.modes.split(","):
                rows = run_set(args.data, name, mode, args, writer)
                summarise(name, mode, rows)
                if handle:
                    handle.flush()
        if handle:
            handle.close()
    if args.portfolio:
        run_portfolio(args)
    if args.plan_portfolio:
        run_plan_portfolio(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
