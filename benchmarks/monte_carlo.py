"""Measure the Monte Carlo schedule simulation, against trueppm-scheduler and pmcontrols.

Run with ``.venv/bin/python benchmarks/monte_carlo.py [--sizes N ...] [--iterations N]
[--repeat N] [--peer-repeat N] [--seed N] [--peer-cap S] [--peers-dir DIR] [--no-peers]
[--workdir DIR]``. The peers are not dependencies of Pilotage: the script installs
trueppm-scheduler 0.4.0rc2 and pmcontrols 0.2.1 (with their own dependencies, numpy pinned to
the version Pilotage runs on) with ``pip install --target`` into ``--peers-dir`` (a directory
under the system's temporary directory unless given, kept for the next run) and runs them in
child processes that see that directory first on their path.

The networks are those of the CPM benchmark (``benchmarks/cpm.py``, same generator, same
seed): every task but the first has 1-3 predecessors among the 50 tasks before it and a
planned duration ``d`` of 1-10 working days; one calendar, Monday-Friday 08:00-12:00 and
13:00-17:00 with the French public holidays; the project starts on Monday 5 January 2026. The
links are all made finish-to-start without lag, the only links pmcontrols knows; Pilotage is
also timed on the CPM benchmark's own links (15 % start-to-start, 15 % finish-to-start with a
lag of 1-3 working days). Every task's duration is a three-point estimate in whole working days
(trueppm-scheduler reads whole days only): optimistic ``d``, most likely ``d + q``, pessimistic
``d + 3q`` with ``q = ceil(d / 4)``, the mode a third of the way up the range.

Each comparison uses the same distribution on both sides:

- Pilotage alone (the issue's target): triangular durations.
- Against pmcontrols, whose ``pert()`` samples only the PERT-Beta (``alpha + beta = 6``):
  Pilotage's :class:`Pert` with its default shape 4, the same distribution.
- Against trueppm-scheduler, whose ``monte_carlo()`` samples a Beta fitted by the method of
  moments to the PERT mean ``(o + 4m + p) / 6`` and standard deviation ``(p - o) / 6``: the
  same Beta given to Pilotage as a :class:`Pert` with the shape and mode that give those Beta
  parameters (``shape = alpha + beta - 2``, ``mode = o + (p - o)(alpha - 1) / shape``).
  trueppm-scheduler floors each sampled duration at the task's planned duration and at one
  working day: the planned duration is the optimistic estimate (at least one day), so neither
  floor changes a draw.

What is measured, each tool in a child process of its own: the first call in the process (for
Pilotage, with the compiled kernels loaded from numba's cache; once, at the first size, also
the very first call with an empty cache, which compiles them), the median of ``--repeat``
further calls (``--peer-repeat`` for the peers, no call started past ``--peer-cap`` seconds), the
peak resident memory of the process (``VmHWM``, reset before the calls) and its resident
memory before them; P50 and P80 of the project finish in working days from the start, their
standard error, criticality and sensitivity where the tool reports them.

The standard error of a percentile is estimated from the iterations' finishes by the
order-statistic method: the distribution-free 95 % confidence interval of the quantile runs
between the order statistics of ranks ``n p -/+ 1.96 sqrt(n p (1 - p))``, and its half-width
divided by 1.96 is the standard error. A peer's percentile agrees with Pilotage's when they
differ by at most 3 standard errors of the difference (the peer's standard error taken equal
to Pilotage's: the same distribution and number of iterations), plus half a day for
trueppm-scheduler, which rounds its percentiles to a whole working day. Criticality agrees
task by task within 5 standard errors of the difference of two proportions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

DAY = 480
START = "2026-01-05T08:00"
FIRST_DAY = date(2026, 1, 5)
HOLIDAY_COUNTRY = "FR"
HOLIDAY_YEARS = 200
PEERS = ("trueppm-scheduler==0.4.0rc2", "pmcontrols==0.2.1")
Z95 = 1.959963984540054
TARGET_ITERATIONS = 10_000
TARGET_SIZE = 2_000
TARGET_SECONDS = 0.5
TARGET_TRUEPPM_RATIO = 4.0
TARGET_LARGE_SIZE = 10_000
TARGET_LARGE_SECONDS = 3.0
TARGET_MEMORY = 2 << 30

Array = np.ndarray[Any, Any]


# The estimates and the distributions


def three_point(duration_days: Array) -> tuple[Array, Array, Array]:
    """Optimistic, most likely and pessimistic working days of each task."""
    step = -(-duration_days // 4)
    return duration_days, duration_days + step, duration_days + 3 * step


def moment_beta(low: float, mode: float, high: float) -> tuple[float, float]:
    """The Beta parameters trueppm-scheduler fits to a three-point estimate.

    The method of moments on the PERT mean ``(low + 4 mode + high) / 6`` and standard deviation
    ``(high - low) / 6``, the mean clipped as trueppm-scheduler clips it.
    """
    width = high - low
    mean = min(max(((low + 4 * mode + high) / 6 - low) / width, 1e-4), 1 - 1e-4)
    total = mean * (1 - mean) * 36 - 1
    return mean * total, (1 - mean) * total


def pert_of_beta(low: float, high: float, alpha: float, beta: float) -> tuple[float, float]:
    """The mode and shape of the ``Pert`` on ``[low, high]`` that is ``Beta(alpha, beta)``."""
    if alpha < 1 or beta < 1:
        raise ValueError(f"Beta({alpha}, {beta}) is not a PERT distribution")
    shape = alpha + beta - 2
    return low + (high - low) * (alpha - 1) / shape, shape


# Measures


def quantile_standard_error(sample: Array, fraction: float) -> float:
    """The standard error of the ``fraction`` quantile of ``sample``, from order statistics."""
    values = np.sort(np.asarray(sample, dtype=np.float64))
    size = values.size
    half = Z95 * np.sqrt(size * fraction * (1 - fraction))
    lower = int(np.clip(np.floor(size * fraction - half), 1, size)) - 1
    upper = int(np.clip(np.ceil(size * fraction + half), 1, size)) - 1
    return float(values[upper] - values[lower]) / (2 * Z95)


def memory_status() -> dict[str, int]:
    """Resident memory now and at its peak, in bytes (``/proc/self/status``; 0 if unknown)."""
    figures = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                name, _, value = line.partition(":")
                if name in figures:
                    figures[name] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return figures


def busy_seconds() -> float:
    """Processor seconds spent by the whole machine outside idle and I/O wait (``/proc/stat``)."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]
    guests = sum(fields[8:])  # guest time is already counted in user time
    return (sum(fields) - idle - guests) / os.sysconf("SC_CLK_TCK")


def reset_peak() -> None:
    """Start the peak resident memory afresh from the current one (Linux 4.0 and later)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


@dataclass
class Calls:
    """Seconds and memory of a series of calls in one process."""

    seconds: list[float] = field(default_factory=list)
    before: int = 0
    peak: int = 0


def timed_calls(call: Callable[[int], Any], seeds: Iterable[int], cap: float) -> tuple[Calls, Any]:
    """Time ``call(seed)`` for each seed, stopping when ``cap`` seconds would be exceeded."""
    calls = Calls(before=memory_status()["VmRSS"])
    reset_peak()
    result = None
    spent = 0.0
    for seed in seeds:
        if spent + (calls.seconds[-1] if calls.seconds else 0.0) > cap:
            break
        begin = time.perf_counter()
        result = call(seed)
        calls.seconds.append(time.perf_counter() - begin)
        spent += calls.seconds[-1]
    calls.peak = memory_status()["VmHWM"]
    return calls, result


def calls_json(calls: Calls) -> dict[str, Any]:
    return {"seconds": calls.seconds, "before": calls.before, "peak": calls.peak}


def french_holidays() -> list[date]:
    import holidays

    years = range(FIRST_DAY.year, FIRST_DAY.year + HOLIDAY_YEARS)
    return sorted(holidays.country_holidays(HOLIDAY_COUNTRY, years=years))


# The child processes: one tool each


def pilotage_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Simulate with Pilotage: first call, timed calls, the figures of one result."""
    import numba
    from cpm import compiled_calendar

    from pilotage.engine.risk import Distribution, Pert, Triangular, simulate_schedule
    from pilotage.engine.scheduling import LinkType, ScheduleLinks, ScheduleTasks

    network = np.load(spec["network"])
    days = network["duration_days"]
    size = int(days.size)
    tasks = ScheduleTasks.create(ids=np.arange(1, size + 1), duration_minutes=days * DAY)
    if spec["links"] == "cpm":
        links = ScheduleLinks.create(
            network["predecessor"],
            network["successor"],
            link_type=np.where(network["start_to_start"], LinkType.SS, LinkType.FS),
            lag_minutes=network["lag_days"] * DAY,
        )
    else:
        links = ScheduleLinks.create(network["predecessor"], network["successor"])
    estimates: dict[int, Distribution] = {}
    for index, (low, mode, high) in enumerate(zip(*three_point(days), strict=True)):
        if spec["distribution"] == "triangular":
            estimates[index] = Triangular(low * DAY, mode * DAY, high * DAY)
        elif spec["distribution"] == "pert":
            estimates[index] = Pert(low * DAY, mode * DAY, high * DAY)
        else:
            beta_mode, shape = pert_of_beta(low, high, *moment_beta(low, mode, high))
            estimates[index] = Pert(low * DAY, beta_mode * DAY, high * DAY, shape=shape)
    working = compiled_calendar()

    def simulate(seed: int, *, sensitivity: bool) -> Any:
        return simulate_schedule(
            tasks,
            links,
            [working],
            project_start=START,
            rng=np.random.default_rng([spec["seed"], size, seed]),
            iterations=spec["iterations"],
            estimates=estimates,
            percentiles=(50, 80),
            sensitivity=sensitivity,
        )

    cap = float("inf")
    first, result = timed_calls(lambda seed: simulate(seed, sensitivity=False), [0], cap)
    first_sensitivity, with_sensitivity = timed_calls(
        lambda seed: simulate(seed, sensitivity=True), [1] if spec["cold"] else [], cap
    )
    repeat = range(2, 2 + spec["repeat"])
    plain, _ = timed_calls(lambda seed: simulate(seed, sensitivity=False), repeat, cap)
    sensitive_seeds = range(100, 100 + spec["sensitivity_repeat"])
    sensitive, last = timed_calls(
        lambda seed: simulate(seed, sensitivity=True), sensitive_seeds, cap
    )
    with_sensitivity = last if last is not None else with_sensitivity
    finish_days = result.finish_minutes / DAY
    arrays = {"criticality": result.criticality}
    if with_sensitivity is not None:
        arrays["sensitivity"] = with_sensitivity.sensitivity
    np.savez(spec["output"], **arrays)
    p50, p80 = (float(value) / DAY for value in result.finish_percentile_minutes)
    dates = [str(value) for value in result.finish_percentiles]
    return {
        "threads": numba.get_num_threads(),
        "first": calls_json(first),
        "first_sensitivity": calls_json(first_sensitivity),
        "calls": calls_json(plain),
        "sensitivity_calls": calls_json(sensitive),
        "p50": p50,
        "p80": p80,
        "se_p50": quantile_standard_error(finish_days, 0.5),
        "se_p80": quantile_standard_error(finish_days, 0.8),
        "p50_date": dates[0],
        "p80_date": dates[1],
        "deterministic_finish": str(result.deterministic_finish),
        "links": int(links.size),
    }


def network_records(spec: dict[str, Any]) -> tuple[Array, list[list[int]], tuple[Array, ...]]:
    network = np.load(spec["network"])
    days = network["duration_days"]
    predecessors: list[list[int]] = [[] for _ in range(days.size)]
    for pred, succ in zip(
        network["predecessor"].tolist(), network["successor"].tolist(), strict=True
    ):
        predecessors[succ].append(pred)
    return days, predecessors, tuple(values.tolist() for values in three_point(days))


def pmcontrols_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Simulate with pmcontrols' ``pert()`` (finish-to-start links, PERT-Beta durations)."""
    import pmcontrols

    days, predecessors, (low, mode, high) = network_records(spec)
    activities = [
        {
            "id": str(index + 1),
            "predecessors": [str(pred + 1) for pred in predecessors[index]],
            "a": low[index],
            "m": mode[index],
            "b": high[index],
        }
        for index in range(days.size)
    ]

    def simulate(seed: int) -> Any:
        return pmcontrols.pert(activities, n_sim=spec["iterations"], seed=seed)

    first, result = timed_calls(simulate, [spec["seed"]], spec["cap"])
    calls, _ = timed_calls(
        simulate,
        range(spec["seed"] + 1, spec["seed"] + 1 + spec["repeat"]),
        spec["cap"] - first.seconds[0],
    )
    table = result.table.set_index("activity")
    criticality = table["criticality_index"].reindex([str(i + 1) for i in range(days.size)])
    np.savez(spec["output"], criticality=criticality.to_numpy(dtype=np.float64))
    return {
        "version": pmcontrols.__version__,
        "first": calls_json(first),
        "calls": calls_json(calls),
        "p50": float(result.stats["mc_p50"]),
        "p80": float(result.stats["mc_p80"]),
    }


def trueppm_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Simulate with trueppm-scheduler's ``monte_carlo()`` (its moment-fitted Beta durations)."""
    import trueppm_scheduler as tp

    days, predecessors, (low, mode, high) = network_records(spec)
    closed = french_holidays()
    monday_to_friday = 0b0011111
    calendar = tp.Calendar(
        working_days=monday_to_friday, exceptions=[tp.DateRange(day, day) for day in closed]
    )
    tasks = [
        tp.Task(
            id=str(index + 1),
            name=f"Task {index + 1}",
            duration=timedelta(days=low[index]),
            optimistic_duration=timedelta(days=low[index]),
            most_likely_duration=timedelta(days=mode[index]),
            pessimistic_duration=timedelta(days=high[index]),
        )
        for index in range(days.size)
    ]
    dependencies = [
        tp.Dependency(str(pred + 1), str(succ + 1), tp.DependencyType.FS, timedelta(0))
        for succ, preds in enumerate(predecessors)
        for pred in preds
    ]
    project = tp.Project(
        id="benchmark",
        name="Benchmark",
        start_date=FIRST_DAY,
        tasks=tasks,
        dependencies=dependencies,
        calendar=calendar,
    )

    def simulate(seed: int) -> Any:
        return tp.monte_carlo(project, runs=spec["iterations"], seed=seed)

    first, result = timed_calls(simulate, [spec["seed"]], spec["cap"])
    calls, _ = timed_calls(
        simulate,
        range(spec["seed"] + 1, spec["seed"] + 1 + spec["repeat"]),
        spec["cap"] - first.seconds[0],
    )
    holidays = np.array(closed, dtype="datetime64[D]")

    def working_days(day: date) -> int:
        """Working days from the project start to the end of ``day``."""
        end = np.datetime64(day) + np.timedelta64(1, "D")
        return int(np.busday_count(np.datetime64(FIRST_DAY), end, holidays=holidays))

    np.savez(
        spec["output"],
        sensitivity_task=np.array([int(item.task_id) - 1 for item in result.sensitivity]),
        sensitivity=np.array([item.index for item in result.sensitivity]),
    )
    return {
        "version": tp.__version__,
        "first": calls_json(first),
        "calls": calls_json(calls),
        "p50": float(working_days(result.p50)),
        "p80": float(working_days(result.p80)),
        "p50_date": result.p50.isoformat(),
        "p80_date": result.p80.isoformat(),
    }


WORKERS = {"pilotage": pilotage_worker, "pmcontrols": pmcontrols_worker, "trueppm": trueppm_worker}


# The parent process


def install_peers(directory: Path) -> str:
    """Install the peers into ``directory`` unless they are there; an error message, or ""."""
    wanted = " ".join([*PEERS, f"numpy=={np.__version__}"])
    marker = directory / "pilotage-benchmark-peers.txt"
    if marker.exists() and marker.read_text() == wanted:
        return ""
    if directory.exists() and any(directory.iterdir()) and not marker.exists():
        return f"{directory} is not empty and holds no peers installed by this script"
    shutil.rmtree(directory, ignore_errors=True)
    print(f"installing {wanted} into {directory} ...", flush=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--target", str(directory), *wanted.split()]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode:
        return f"pip failed: {completed.stderr.strip()[-500:]}"
    marker.write_text(wanted)
    return ""


@dataclass
class Outcome:
    """What one child process reported, or why it reported nothing."""

    figures: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, Array] = field(default_factory=dict)
    note: str = ""


def run_worker(
    tool: str, spec: dict[str, Any], workdir: Path, env: dict[str, str], timeout: float | None
) -> Outcome:
    name = f"{tool}-{spec['size']}-{spec.get('label', '')}"
    spec = {**spec, "output": str(workdir / f"{name}.npz")}
    spec_path = workdir / f"{name}.json"
    spec_path.write_text(json.dumps(spec))
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", tool, str(spec_path)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(note=f"stopped: no result within {timeout:.0f} s")
    if completed.returncode:
        return Outcome(note=f"failed: {completed.stderr.strip()[-800:]}")
    with np.load(spec["output"]) as arrays:
        loaded = {key: arrays[key] for key in arrays.files}
    return Outcome(figures=json.loads(completed.stdout.strip().splitlines()[-1]), arrays=loaded)


@dataclass
class Row:
    """The figures of one network size."""

    size: int
    links: int = 0
    depth: int = 0
    cold: Outcome | None = None
    triangular: Outcome = field(default_factory=Outcome)
    cpm_links: Outcome = field(default_factory=Outcome)
    pert: Outcome = field(default_factory=Outcome)
    beta: Outcome = field(default_factory=Outcome)
    pmcontrols: Outcome = field(default_factory=Outcome)
    trueppm: Outcome = field(default_factory=Outcome)


def median(outcome: Outcome, key: str = "calls") -> float | None:
    """The median of a series of calls; a peer stopped by the cap has only its first call."""
    seconds = outcome.figures.get(key, {}).get("seconds", [])
    if not seconds and key == "calls":
        seconds = outcome.figures.get("first", {}).get("seconds", [])
    return statistics.median(seconds) if seconds else None


def seconds_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def ratio_text(peer: float | None, ours: float | None) -> str:
    return "-" if peer is None or ours is None else f"{peer / ours:.1f}x"


def peak_text(outcome: Outcome, *keys: str) -> str:
    peak = max(outcome.figures.get(key, {}).get("peak", 0) for key in keys or ("calls",))
    return f"{peak / (1 << 20):,.0f}" if peak else "-"


def before_text(outcome: Outcome, key: str = "calls") -> str:
    before = outcome.figures.get(key, {}).get("before", 0)
    return f"{before / (1 << 20):,.0f}" if before else "-"


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    heads = list(header)
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join(" ---: " for _ in heads) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def agreement(ours: Outcome, peer: Outcome, rounding: float) -> list[list[str]]:
    """P50 and P80 of both, their difference and whether it is within the tolerance."""
    rows = []
    for name in ("p50", "p80"):
        if name not in ours.figures or name not in peer.figures:
            continue
        mine, theirs = ours.figures[name], peer.figures[name]
        error = ours.figures[f"se_{name}"]
        tolerance = 3 * np.sqrt(2) * error + rounding
        difference = abs(mine - theirs)
        rows.append(
            [
                name.upper(),
                f"{mine:,.2f}",
                f"{theirs:,.2f}",
                f"{error:.2f}",
                f"{difference:.2f}",
                f"{tolerance:.2f}",
                "PASS" if difference <= tolerance else "FAIL",
            ]
        )
    return rows


def criticality_agreement(ours: Outcome, peer: Outcome, iterations: int) -> str:
    """How far apart the criticality indices of every task are, in standard errors."""
    if "criticality" not in ours.arrays or "criticality" not in peer.arrays:
        return "not compared"
    mine, theirs = ours.arrays["criticality"], peer.arrays["criticality"]
    pooled = (mine + theirs) / 2
    error = np.sqrt(pooled * (1 - pooled) * 2 / iterations)
    difference = np.abs(mine - theirs)
    varying = error > 0
    worst = float((difference[varying] / error[varying]).max()) if varying.any() else 0.0
    exact = bool((difference[~varying] == 0).all())
    passed = exact and worst <= 5
    return (
        f"{int(varying.sum()):,} tasks critical in some iterations but not all; largest difference "
        f"{difference.max():.4f}, {worst:.1f} standard errors; mean over all tasks "
        f"{difference.mean():.5f}; expected critical tasks per iteration {mine.sum():.1f} "
        f"against {theirs.sum():.1f}: {'PASS' if passed else 'FAIL'}"
    )


def sensitivity_overlap(ours: Outcome, peer: Outcome) -> str:
    if "sensitivity" not in ours.arrays or "sensitivity_task" not in peer.arrays:
        return "not compared"
    theirs = peer.arrays["sensitivity_task"]
    magnitude = np.abs(np.nan_to_num(ours.arrays["sensitivity"]))
    top = set(np.argsort(-magnitude, kind="stable")[: theirs.size].tolist())
    difference = peer.arrays["sensitivity"] - magnitude[theirs]
    return (
        f"{len(top & set(theirs.tolist()))} of its {theirs.size} most sensitive tasks among "
        f"Pilotage's {theirs.size}; on its tasks its |Spearman| minus Pilotage's is "
        f"{difference.mean():+.3f} on average, {difference.min():+.3f} to {difference.max():+.3f}"
    )


def verdict(passed: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[passed]


def report(rows: list[Row], options: argparse.Namespace, versions: dict[str, str]) -> None:
    threads = next((r.triangular.figures["threads"] for r in rows if r.triangular.figures), "?")
    print()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores, "
        f"numba threads {threads}; trueppm-scheduler {versions.get('trueppm', 'absent')}, "
        f"pmcontrols {versions.get('pmcontrols', 'absent')}; seed {options.seed}, "
        f"{options.iterations:,} iterations; medians of {options.repeat} Pilotage calls and "
        f"{options.peer_repeat} peer calls after the first"
    )
    print()
    print("Networks (all links finish-to-start without lag)")
    print(
        table(
            ["tasks", "links", "depth (tasks)", "deterministic finish"],
            (
                [
                    f"{r.size:,}",
                    f"{r.links:,}",
                    f"{r.depth:,}",
                    r.triangular.figures.get("deterministic_finish", "-"),
                ]
                for r in rows
            ),
        )
    )
    cold = next((r for r in rows if r.cold and r.cold.figures), None)
    if cold and cold.cold:
        figures = cold.cold.figures
        print(
            f"\nFirst call with an empty numba cache ({cold.size:,} tasks, triangular): "
            f"{figures['first']['seconds'][0]:.1f} s, and "
            f"{figures['first_sensitivity']['seconds'][0]:.1f} s for the first call with the "
            "sensitivity (it compiles one more kernel)"
        )
    print()
    print("Pilotage, triangular durations (seconds; memory: resident MiB, peak / before the calls)")
    print(
        table(
            [
                "tasks",
                "first call",
                "median",
                "with sensitivity",
                "peak MiB",
                "with sensitivity",
                "before",
                "CPM links (SS, lags) median",
            ],
            (
                [
                    f"{r.size:,}",
                    seconds_text(median(r.triangular, "first")),
                    seconds_text(median(r.triangular)),
                    seconds_text(median(r.triangular, "sensitivity_calls")),
                    peak_text(r.triangular),
                    peak_text(r.triangular, "sensitivity_calls"),
                    before_text(r.triangular),
                    seconds_text(median(r.cpm_links)),
                ]
                for r in rows
            ),
        )
    )
    print()
    print("Against pmcontrols, PERT-Beta (alpha + beta = 6) on both sides (seconds; peak MiB)")
    print(
        table(
            ["tasks", "Pilotage", "peak MiB", "pmcontrols first", "median", "peak MiB", "ratio"],
            (
                [
                    f"{r.size:,}",
                    seconds_text(median(r.pert)),
                    peak_text(r.pert),
                    seconds_text(median(r.pmcontrols, "first")),
                    seconds_text(median(r.pmcontrols)),
                    peak_text(r.pmcontrols, "first", "calls"),
                    ratio_text(median(r.pmcontrols), median(r.pert)),
                ]
                for r in rows
            ),
        )
    )
    print()
    print("Against trueppm-scheduler, its moment-fitted Beta on both sides (seconds; peak MiB)")
    print(
        table(
            [
                "tasks",
                "Pilotage, with sensitivity",
                "peak MiB",
                "trueppm first",
                "median",
                "peak MiB",
                "ratio, same Beta, with sensitivity",
                "ratio to Pilotage triangular",
            ],
            (
                [
                    f"{r.size:,}",
                    seconds_text(median(r.beta, "sensitivity_calls")),
                    peak_text(r.beta, "sensitivity_calls"),
                    seconds_text(median(r.trueppm, "first")),
                    seconds_text(median(r.trueppm)),
                    peak_text(r.trueppm, "first", "calls"),
                    ratio_text(median(r.trueppm), median(r.beta, "sensitivity_calls")),
                    ratio_text(median(r.trueppm), median(r.triangular)),
                ]
                for r in rows
            ),
        )
    )
    for r in rows:
        for name, outcome in (
            ("Pilotage, triangular", r.triangular),
            ("Pilotage, CPM links", r.cpm_links),
            ("Pilotage, PERT", r.pert),
            ("Pilotage, moment-fitted Beta", r.beta),
            ("pmcontrols", r.pmcontrols),
            ("trueppm-scheduler", r.trueppm),
        ):
            if outcome.note:
                print(f"{name}, {r.size:,} tasks: {outcome.note}")
        for name, outcome in (("pmcontrols", r.pmcontrols), ("trueppm-scheduler", r.trueppm)):
            done = len(outcome.figures.get("calls", {}).get("seconds", []))
            if outcome.figures and done < options.peer_repeat:
                print(
                    f"{name}, {r.size:,} tasks: {done} of the {options.peer_repeat} calls after "
                    f"the first within the cap of {options.peer_cap:g} s"
                )
    print()
    print("Agreement of the finish (working days from the start; SE: standard error, Pilotage)")
    lines = []
    for r in rows:
        for label, ours, peer, rounding in (
            ("pmcontrols, PERT-Beta", r.pert, r.pmcontrols, 0.0),
            ("trueppm-scheduler, moment-fitted Beta", r.beta, r.trueppm, 0.5),
        ):
            for cells in agreement(ours, peer, rounding):
                lines.append([f"{r.size:,}", label, *cells])
    print(
        table(
            [
                "tasks",
                "peer",
                "percentile",
                "Pilotage",
                "peer",
                "SE",
                "|difference|",
                "tolerance",
                "",
            ],
            lines,
        )
    )
    for r in rows:
        figures = r.triangular.figures
        if figures:
            print(
                f"Pilotage, triangular, {r.size:,} tasks: P50 {figures['p50']:,.2f} days "
                f"({figures['p50_date']}), P80 {figures['p80']:,.2f} days ({figures['p80_date']}), "
                f"standard error of P80 {figures['se_p80']:.2f} days"
            )
        if r.beta.figures and r.trueppm.figures:
            print(
                f"{r.size:,} tasks, P80 date: Pilotage {r.beta.figures['p80_date']}, "
                f"trueppm-scheduler {r.trueppm.figures['p80_date']}"
            )
    print()
    print("Criticality against pmcontrols (the same definition: total float zero in the iteration)")
    for r in rows:
        print(
            f"- {r.size:,} tasks: {criticality_agreement(r.pert, r.pmcontrols, options.iterations)}"
        )
    print("Sensitivity against trueppm-scheduler (it reports no criticality; its tornado ranks")
    print("tasks by |Spearman| of duration and finish over its first 2,000 runs)")
    for r in rows:
        print(f"- {r.size:,} tasks: {sensitivity_overlap(r.beta, r.trueppm)}")
    print()
    print("Targets")
    by_size = {r.size: r for r in rows}
    target = large = None
    if options.iterations == TARGET_ITERATIONS:
        target = by_size.get(TARGET_SIZE)
        large = by_size.get(TARGET_LARGE_SIZE)

    def at_most(value: float | None, limit: float) -> bool | None:
        return None if value is None else value <= limit

    def faster(peer: float | None, ours: float | None) -> bool | None:
        if peer is None or ours is None:
            return None
        return peer / ours >= TARGET_TRUEPPM_RATIO

    speed = ratio = same = large_speed = None
    if target:
        speed = at_most(median(target.triangular), TARGET_SECONDS)
        ratio = faster(median(target.trueppm), median(target.triangular))
        same = faster(median(target.trueppm), median(target.beta, "sensitivity_calls"))
    if large:
        large_speed = at_most(median(large.triangular), TARGET_LARGE_SECONDS)
    peaks = [
        outcome.figures[key]["peak"]
        for r in rows
        for outcome in (r.triangular, r.cpm_links, r.pert, r.beta)
        for key in ("calls", "sensitivity_calls")
        if outcome.figures and outcome.figures[key]["seconds"]
    ]
    memory = max(peaks) <= TARGET_MEMORY if peaks else None
    print(
        f"- {TARGET_SIZE:,} tasks x {TARGET_ITERATIONS:,}, P50/P80 and criticality <= 0.5 s: "
        f"{verdict(speed)}"
    )
    print(f"- >= 4x faster than trueppm-scheduler, triangular against its Beta: {verdict(ratio)}")
    print(
        f"- >= 4x faster than trueppm-scheduler, the same Beta, with sensitivity: {verdict(same)}"
    )
    print(f"- {TARGET_LARGE_SIZE:,} tasks x {TARGET_ITERATIONS:,} <= 3 s: {verdict(large_speed)}")
    print(f"- peak resident memory <= 2 GiB in every Pilotage process: {verdict(memory)}")


def measure(options: argparse.Namespace) -> tuple[list[Row], dict[str, str]]:
    from cpm import generate

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="pilotage-monte-carlo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # The compiled kernels go to a cache of this run's own, empty at first, so that the first
    # call of the first size compiles them and later processes load them.
    numba_cache = workdir / "numba-cache"
    shutil.rmtree(numba_cache, ignore_errors=True)
    ours_env = {**os.environ, "NUMBA_CACHE_DIR": str(numba_cache)}
    peer_env = dict(os.environ)
    versions: dict[str, str] = {}
    peers_note = ""
    if not options.no_peers:
        peers_note = install_peers(options.peers_dir)
        if not peers_note:
            path = os.pathsep.join(
                filter(None, [str(options.peers_dir), os.environ.get("PYTHONPATH")])
            )
            peer_env["PYTHONPATH"] = path
    run_peers = not options.no_peers and not peers_note
    rows = []
    for position, size in enumerate(options.sizes):
        print(f"{size:,} tasks ...", flush=True)
        network = generate(size, options.seed)
        network_path = workdir / f"network-{size}.npz"
        np.savez(
            network_path,
            duration_days=network.duration_days,
            predecessor=network.predecessor,
            successor=network.successor,
            start_to_start=network.start_to_start,
            lag_days=network.lag_days,
        )
        row = Row(size=size, links=int(network.predecessor.size), depth=network.depth())
        base = {
            "network": str(network_path),
            "size": size,
            "iterations": options.iterations,
            "seed": options.seed,
        }
        ours = {**base, "repeat": options.repeat, "cold": False, "sensitivity_repeat": 0}
        if position == 0:
            cold = {**ours, "distribution": "triangular", "links": "fs", "repeat": 0, "cold": True}
            row.cold = run_worker("pilotage", {**cold, "label": "cold"}, workdir, ours_env, None)
        row.triangular = run_worker(
            "pilotage",
            {
                **ours,
                "label": "triangular",
                "distribution": "triangular",
                "links": "fs",
                "sensitivity_repeat": options.repeat,
            },
            workdir,
            ours_env,
            None,
        )
        row.cpm_links = run_worker(
            "pilotage",
            {**ours, "label": "cpm-links", "distribution": "triangular", "links": "cpm"},
            workdir,
            ours_env,
            None,
        )
        row.pert = run_worker(
            "pilotage",
            {**ours, "label": "pert", "distribution": "pert", "links": "fs"},
            workdir,
            ours_env,
            None,
        )
        row.beta = run_worker(
            "pilotage",
            {
                **ours,
                "label": "beta",
                "distribution": "beta",
                "links": "fs",
                "repeat": 0,
                "sensitivity_repeat": options.repeat,
            },
            workdir,
            ours_env,
            None,
        )
        peer = {**base, "repeat": options.peer_repeat, "cap": options.peer_cap}
        for tool in ("pmcontrols", "trueppm"):
            if not run_peers:
                setattr(row, tool, Outcome(note=peers_note or "not run (--no-peers)"))
                continue
            # A minute more than the cap for reading the network and importing the peer.
            outcome = run_worker(tool, peer, workdir, peer_env, options.peer_cap + 60)
            setattr(row, tool, outcome)
            if "version" in outcome.figures:
                versions[tool] = outcome.figures["version"]
        rows.append(row)
    if options.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows, versions


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        spec = json.loads(Path(sys.argv[3]).read_text())
        print(json.dumps(WORKERS[sys.argv[2]](spec)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000], metavar="N")
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="Pilotage calls per figure")
    parser.add_argument("--peer-repeat", type=int, default=3, help="peer calls per figure")
    parser.add_argument(
        "--peer-cap",
        type=float,
        default=300.0,
        help="seconds of peer calls per figure: no call is started past them, and a process "
        "still running a minute after them is stopped",
    )
    parser.add_argument("--seed", type=int, default=1, help="the CPM benchmark's seed")
    parser.add_argument(
        "--peers-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pilotage-benchmark-peers",
        help="where the peers are installed (kept for the next run)",
    )
    parser.add_argument("--no-peers", action="store_true", help="measure Pilotage alone")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    options = parser.parse_args()
    begin, busy = time.perf_counter(), busy_seconds()
    rows, versions = measure(options)
    report(rows, options, versions)
    elapsed, used = time.perf_counter() - begin, busy_seconds() - busy
    ours = sum(
        getattr(resource.getrusage(who), name)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for name in ("ru_utime", "ru_stime")
    )
    cores = os.cpu_count() or 1
    print(
        f"\nOther processes used {max(used - ours, 0) / (elapsed * cores):.0%} of the "
        f"{cores} cores during the {elapsed:.0f} s of the run"
    )


if __name__ == "__main__":
    main()
