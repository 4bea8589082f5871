"""Measure the Monte Carlo schedule simulation on generated networks.

Run with ``.venv/bin/python benchmarks/monte_carlo.py [--sizes N ...] [--iterations N]
[--repeat N] [--seed N]``.

Each network is generated from the seed: every task but the first has up to two predecessors
(finish-to-start, no lag) among the 50 tasks before it; durations are 1-9 working days of 480
minutes, each estimated as triangular from 0.8 to 1.6 times its planned duration with the
planned duration most likely; one calendar (Monday-Friday 08:00-12:00 and 13:00-17:00); the
project starts on Monday 5 January 2026 at 08:00. The simulation reports P50 and P80 and the
criticality of every task, with and without the sensitivity.

What is printed, per network size: the first call in the process (it loads the compiled
kernels from numba's cache, or compiles them on the very first run after a change), the best
of ``--repeat`` further calls with and without the sensitivity, the P50 and P80 finish, and the
process's peak resident memory so far.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

import numba
import numpy as np

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.risk import SimulationResult, Triangular, simulate_schedule
from pilotage.engine.scheduling import ScheduleLinks, ScheduleTasks

DAY = 480
START = "2026-01-05T08:00"


def network(size: int, seed: int) -> tuple[ScheduleTasks, ScheduleLinks, dict[int, Triangular]]:
    """The generated tasks, links and estimates."""
    rng = np.random.default_rng(seed)
    tasks = ScheduleTasks.create(
        ids=np.arange(size), duration_minutes=rng.integers(1, 10, size) * DAY
    )
    predecessors, successors = [], []
    for successor in range(1, size):
        for predecessor in set(rng.integers(max(0, successor - 50), successor, 2).tolist()):
            predecessors.append(predecessor)
            successors.append(successor)
    estimates = {
        index: Triangular(0.8 * minutes, minutes, 1.6 * minutes)
        for index, minutes in enumerate(tasks.duration_minutes.tolist())
    }
    return tasks, ScheduleLinks.create(predecessors, successors), estimates


def simulate(
    tasks: ScheduleTasks,
    links: ScheduleLinks,
    estimates: dict[int, Triangular],
    working: WorkingTime,
    iterations: int,
    seed: int,
    *,
    sensitivity: bool,
) -> tuple[float, SimulationResult]:
    """Seconds taken by one simulation, and its result."""
    begin = time.perf_counter()
    result = simulate_schedule(
        tasks,
        links,
        [working],
        project_start=START,
        rng=np.random.default_rng(seed),
        iterations=iterations,
        estimates=estimates,
        percentiles=(50, 80),
        sensitivity=sensitivity,
    )
    return time.perf_counter() - begin, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    working = compile_calendar(
        Calendar("Standard", WeekPattern.standard()), date(2026, 1, 1), date(2030, 12, 31)
    )
    print(f"numba threads: {numba.get_num_threads()}, iterations: {options.iterations}")
    for size in options.sizes:
        tasks, links, estimates = network(size, options.seed)

        run = (tasks, links, estimates, working, options.iterations, options.seed + 1)
        first, result = simulate(*run, sensitivity=True)
        with_sensitivity = min(simulate(*run, sensitivity=True)[0] for _ in range(options.repeat))
        without = min(simulate(*run, sensitivity=False)[0] for _ in range(options.repeat))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        p50, p80 = (str(value) for value in result.finish_percentiles)
        print(
            f"{size} tasks, {links.size} links: first call {first:.2f} s, "
            f"best with sensitivity {with_sensitivity:.2f} s, without {without:.2f} s; "
            f"P50 {p50}, P80 {p80}; peak memory {peak:.0f} MiB"
        )


if __name__ == "__main__":
    main()
