"""Measure the critical path method on generated networks, against trueppm-scheduler and tj3.

Run with ``.venv/bin/python benchmarks/cpm.py [--sizes N ...] [--repeat N] [--seed N]``; the
peers are optional: ``pip install -e ".[bench]"`` brings trueppm-scheduler and Debian's ``tj3``
package brings TaskJuggler 3. A peer that cannot run is reported with the reason and skipped.

Each network is generated from the seed: every task but the first has 1-3 predecessors among
the 50 tasks before it; links are 70 % finish-to-start, 15 % finish-to-start with a lag of 1-3
working days and 15 % start-to-start; durations are 1-10 working days of 480 minutes; every task
uses one calendar (Monday-Friday 08:00-12:00 and 13:00-17:00, French public holidays from the
``holidays`` package); the project starts on Monday 5 January 2026 at 08:00. Predecessors among
the previous 50 make a network as deep as it is long: the 100,000-task plan ends in 2203 (with
the default seed), within the 200-year horizon of a compiled calendar.

What is measured, all in the same run:

- The engine call, :func:`compute_schedule` (forward and backward pass, total and free float,
  critical path), in this process with the compiled calendar kept from a first call (as a
  server keeps it): best and median of ``--repeat`` calls, and the peak of the memory it
  allocates (tracemalloc).
- trueppm-scheduler's ``schedule()`` on the same network with the same calendar. It counts
  lags in calendar days only, so it gets the same network with lags of 1-3 calendar days, and
  the ratio compares it with Pilotage scheduling that same network (lags as elapsed days);
  dates, floats and critical flags of every task are compared.
- Whole processes: ``tj3`` reading a generated ``.tjp`` (same tasks, links, working-day lags,
  working hours and holidays) and writing a CSV report of the dates, against a Python process
  that reads the same network from a JSON file, calls :func:`compute_schedule` and writes every
  task's dates to a CSV file (the ``pilotage schedule`` command reads plan files; this process
  reads a plain array file instead). TaskJuggler accepts no year after 2035, so it only runs
  on networks that finish by then. Early start and finish of every task are compared.
- The ``pilotage schedule PLAN --format json`` command as a whole process, its output sent to
  ``/dev/null``, on the network written as a Microsoft Project XML (MSPDI) file by this script.
  The file holds only what the schedule needs: the project settings, the one calendar with the
  holidays as exceptions, and each task's UID, ID, name, outline level, duration and links.
  The early start and finish of every task in the command's JSON output (from one more run) are
  compared with the engine call's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from pilotage.engine.calendars import Calendar, WeekPattern, WorkingTime, compile_calendar
from pilotage.engine.scheduling import (
    LagKind,
    LinkType,
    ScheduleLinks,
    ScheduleResult,
    ScheduleTasks,
    compute_schedule,
)

PROJECT_START = np.datetime64("2026-01-05T08:00")
FIRST_DAY = date(2026, 1, 5)
DAY = 480
HOLIDAY_COUNTRY = "FR"
WINDOW = 50
TJ3_LAST_YEAR = 2035
TARGET_SIZE = 100_000
TARGET_SECONDS = 0.5
TARGET_MEMORY = 1 << 30
TARGET_TRUEPPM_RATIO = 10.0
TARGET_TJ3_RATIO = 5.0
TARGET_TJ3_SIZE = 5_000
TARGET_COMMAND_SECONDS = 10.0
HOLIDAY_YEARS = 200
MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"


def calendar() -> Calendar:
    """The one calendar of every generated network."""
    return Calendar("France", WeekPattern.standard(), holiday_country=HOLIDAY_COUNTRY)


def compiled_calendar() -> WorkingTime:
    """The calendar compiled for the first year; the engine extends it as far as it needs."""
    return compile_calendar(calendar(), FIRST_DAY, FIRST_DAY + timedelta(days=365))


@dataclass(frozen=True)
class Network:
    """A generated network: task ``i`` has uid ``i + 1``; links point at task indices."""

    duration_days: np.ndarray[Any, np.dtype[np.int64]]
    predecessor: np.ndarray[Any, np.dtype[np.int64]]
    successor: np.ndarray[Any, np.dtype[np.int64]]
    start_to_start: np.ndarray[Any, np.dtype[np.bool_]]
    lag_days: np.ndarray[Any, np.dtype[np.int64]]

    @property
    def size(self) -> int:
        return int(self.duration_days.size)

    @property
    def uids(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.arange(1, self.size + 1, dtype=np.int64)

    def depth(self) -> int:
        """The number of tasks on the longest chain of links."""
        level = [1] * self.size
        # Links come sorted by successor and point backwards: one sweep settles every level.
        for pred, succ in zip(self.predecessor.tolist(), self.successor.tolist(), strict=True):
            level[succ] = max(level[succ], level[pred] + 1)
        return max(level, default=0)

    def pilotage(self, *, elapsed_lags: bool = False) -> tuple[ScheduleTasks, ScheduleLinks]:
        """The engine's input; lags in working days, or in calendar days if ``elapsed_lags``."""
        lag_kind = LagKind.ELAPSED if elapsed_lags else LagKind.WORKING
        tasks = ScheduleTasks.create(ids=self.uids, duration_minutes=self.duration_days * DAY)
        links = ScheduleLinks.create(
            self.predecessor,
            self.successor,
            link_type=np.where(self.start_to_start, LinkType.SS, LinkType.FS),
            lag_minutes=self.lag_days * (1440 if elapsed_lags else DAY),
            lag_kind=np.full(self.predecessor.size, lag_kind),
        )
        return tasks, links


def generate(size: int, seed: int) -> Network:
    """A network of ``size`` tasks following the generation rule, the same for the same seed."""
    rng = np.random.default_rng([seed, size])
    duration_days = rng.integers(1, 11, size)
    index = np.arange(size)
    counts = np.minimum(rng.integers(1, 4, size), index)
    # Distinct predecessors: the three smallest of random keys over the previous 50 tasks,
    # with the keys of tasks before the first pushed out of reach.
    keys = rng.random((size, WINDOW))
    keys[np.arange(1, WINDOW + 1)[None, :] > index[:, None]] = 2.0
    back = np.argpartition(keys, 2, axis=1)[:, :3] + 1
    taken = np.arange(3)[None, :] < counts[:, None]
    successor = np.broadcast_to(index[:, None], back.shape)[taken]
    predecessor = successor - back[taken]
    draw = rng.random(successor.size)
    lag_days = np.where((draw >= 0.70) & (draw < 0.85), rng.integers(1, 4, successor.size), 0)
    return Network(
        duration_days=duration_days.astype(np.int64),
        predecessor=predecessor.astype(np.int64),
        successor=successor.astype(np.int64),
        start_to_start=draw >= 0.85,
        lag_days=lag_days.astype(np.int64),
    )


def timings(call: Callable[[], Any], repeat: int) -> list[float]:
    """Seconds taken by ``repeat`` calls."""
    seconds = []
    for _ in range(repeat):
        begin = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - begin)
    return seconds


def traced_peak(call: Callable[[], Any]) -> int:
    """Bytes allocated by one call at its peak, above what was allocated before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        call()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def run_measured_process(
    command: list[str], workdir: Path, *, discard_output: bool = False
) -> tuple[float, int, subprocess.CompletedProcess[bytes]]:
    """Wall-clock seconds, peak resident memory (bytes, 0 if unknown) and output of a process.

    The peak comes from GNU time: a child started from this (large) process would report this
    process's peak as its own, since Linux keeps the high-water mark across fork and exec.
    With ``discard_output`` the standard output goes to ``/dev/null``, as in a shell redirect.
    """
    gnu_time = shutil.which("time")
    peak_file = workdir / "peak-kib.txt"
    wrapped = [gnu_time, "-f", "%M", "-o", str(peak_file), *command] if gnu_time else command
    stdout = subprocess.DEVNULL if discard_output else subprocess.PIPE
    begin = time.perf_counter()
    completed = subprocess.run(wrapped, stdout=stdout, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - begin
    peak = 0
    if gnu_time and completed.returncode == 0:
        peak = int(peak_file.read_text().split()[-1]) * 1024
    return seconds, peak, completed


@dataclass
class Row:
    """The figures of one network size, filled in as the measures are taken."""

    size: int
    links: int = 0
    depth: int = 0
    finish: str = ""
    pilotage: list[float] = field(default_factory=list)
    pilotage_memory: int = 0
    pilotage_elapsed: list[float] = field(default_factory=list)
    trueppm: list[float] = field(default_factory=list)
    trueppm_memory: int = 0
    trueppm_note: str = ""
    process: list[float] = field(default_factory=list)
    process_memory: int = 0
    process_phases: dict[str, float] = field(default_factory=dict)
    tj3: list[float] = field(default_factory=list)
    tj3_memory: int = 0
    tj3_note: str = ""
    command: list[float] = field(default_factory=list)
    command_memory: int = 0
    command_file_bytes: int = 0
    command_note: str = ""
    agreement: list[str] = field(default_factory=list)


def seconds_text(values: list[float]) -> tuple[str, str]:
    if not values:
        return "-", "-"
    return f"{min(values) * 1000:.1f}", f"{statistics.median(values) * 1000:.1f}"


def mebibytes(value: int) -> str:
    return f"{value / (1 << 20):.1f}" if value else "-"


def ratio(peer: list[float], ours: list[float]) -> float | None:
    if not peer or not ours:
        return None
    return statistics.median(peer) / statistics.median(ours)


def ratio_text(value: float | None) -> str:
    return f"{value:.1f}x" if value is not None else "-"


# Pilotage in this process


def measure_pilotage(
    network: Network, row: Row, repeat: int
) -> tuple[ScheduleResult, ScheduleResult]:
    """Time the engine call; return the schedules with working-day and calendar-day lags."""
    working = compiled_calendar()
    results = []
    for elapsed_lags in (False, True):
        tasks, links = network.pilotage(elapsed_lags=elapsed_lags)

        def call(tasks: ScheduleTasks = tasks, links: ScheduleLinks = links) -> ScheduleResult:
            return compute_schedule(tasks, links, [working], project_start=PROJECT_START)

        results.append(call())
        if elapsed_lags:
            row.pilotage_elapsed = timings(call, repeat)
        else:
            row.pilotage = timings(call, repeat)
            row.pilotage_memory = traced_peak(call)
    row.finish = str(results[0].project_finish)
    return results[0], results[1]


# trueppm-scheduler


def trueppm_version() -> str | None:
    try:
        import trueppm_scheduler
    except ImportError:
        return None
    return str(trueppm_scheduler.__version__)


def trueppm_project(network: Network) -> Any:
    """The network as a trueppm-scheduler project (lags in calendar days, its only unit)."""
    import holidays
    import trueppm_scheduler as tp

    years = range(FIRST_DAY.year, FIRST_DAY.year + 200)
    closed = sorted(holidays.country_holidays(HOLIDAY_COUNTRY, years=years))
    monday_to_friday = 0b0011111
    project_calendar = tp.Calendar(
        working_days=monday_to_friday, exceptions=[tp.DateRange(day, day) for day in closed]
    )
    tasks = [
        tp.Task(id=str(uid), name=f"Task {uid}", duration=timedelta(days=days))
        for uid, days in zip(network.uids.tolist(), network.duration_days.tolist(), strict=True)
    ]
    kinds = {False: tp.DependencyType.FS, True: tp.DependencyType.SS}
    dependencies = [
        tp.Dependency(str(pred + 1), str(succ + 1), kinds[start], timedelta(days=lag))
        for pred, succ, start, lag in zip(
            network.predecessor.tolist(),
            network.successor.tolist(),
            network.start_to_start.tolist(),
            network.lag_days.tolist(),
            strict=True,
        )
    ]
    return tp.Project(
        id="benchmark",
        name="Benchmark",
        start_date=FIRST_DAY,
        tasks=tasks,
        dependencies=dependencies,
        calendar=project_calendar,
    )


def days_of(instants: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return instants.astype("datetime64[D]")


def compare_trueppm(network: Network, ours: ScheduleResult, theirs: Any) -> list[str]:
    """How many tasks get the same dates, floats and critical flag from both engines.

    trueppm-scheduler works in whole days: its dates are days, its floats whole working days.
    """
    by_id = {task.id: task for task in theirs.tasks}
    order = [by_id[str(uid)] for uid in network.uids.tolist()]

    def dates(name: str) -> np.ndarray[Any, Any]:
        return np.array([getattr(task, name) for task in order], dtype="datetime64[D]")

    def floats(name: str) -> np.ndarray[Any, Any]:
        return np.array([getattr(task, name).days * DAY for task in order], dtype=np.int64)

    checks = {
        "early start": dates("early_start") == days_of(ours.early_start),
        "early finish": dates("early_finish") == days_of(ours.early_finish),
        "late start": dates("late_start") == days_of(ours.late_start),
        "late finish": dates("late_finish") == days_of(ours.late_finish),
        "total float": floats("total_float") == ours.total_float_minutes,
        "free float": floats("free_float") == ours.free_float_minutes,
        "critical": np.array([task.is_critical for task in order]) == ours.critical,
    }
    lines = [f"{name} {int(same.sum()):,}/{network.size:,}" for name, same in checks.items()]
    for name, same in checks.items():
        for index in np.flatnonzero(~same)[:3].tolist():
            lines.append(f"  differs on task {index + 1} ({name})")
    return lines


def measure_trueppm(network: Network, ours: ScheduleResult, row: Row, repeat: int) -> None:
    """Time trueppm-scheduler and compare its schedule with ours (lags in calendar days)."""
    if trueppm_version() is None:
        row.trueppm_note = 'not installed (pip install -e ".[bench]")'
        return
    import trueppm_scheduler as tp

    project = trueppm_project(network)
    try:
        result = tp.schedule(project)
    except tp.SchedulerError as error:
        row.trueppm_note = f"refused the network: {error}"
        return
    row.trueppm = timings(lambda: tp.schedule(project), repeat)
    row.trueppm_memory = traced_peak(lambda: tp.schedule(project))
    row.agreement.append(f"trueppm-scheduler, {network.size:,} tasks, lags in calendar days:")
    row.agreement += ["  " + line for line in compare_trueppm(network, ours, result)]


# Whole processes: a Python process calling the engine, and tj3


def write_network_json(network: Network, path: Path) -> None:
    """The network as plain arrays, read by the Python process (``--process``)."""
    arrays = {
        "project_start": str(PROJECT_START),
        "ids": network.uids.tolist(),
        "duration_minutes": (network.duration_days * DAY).tolist(),
        "predecessor": network.predecessor.tolist(),
        "successor": network.successor.tolist(),
        "link_type": np.where(network.start_to_start, LinkType.SS, LinkType.FS).tolist(),
        "lag_minutes": (network.lag_days * DAY).tolist(),
    }
    path.write_text(json.dumps(arrays))


def schedule_file(network_path: Path, output_path: Path) -> None:
    """The Python process: read a network, schedule it, write every task's dates as CSV."""
    phases = {}
    begin = time.perf_counter()
    data = json.loads(network_path.read_text())
    tasks = ScheduleTasks.create(ids=data["ids"], duration_minutes=data["duration_minutes"])
    links = ScheduleLinks.create(
        data["predecessor"],
        data["successor"],
        link_type=data["link_type"],
        lag_minutes=data["lag_minutes"],
    )
    working = compiled_calendar()
    phases["read the file, build the input"] = time.perf_counter() - begin
    begin = time.perf_counter()
    result = compute_schedule(tasks, links, [working], project_start=data["project_start"])
    phases["engine call, calendar compiled on the way"] = time.perf_counter() - begin
    begin = time.perf_counter()
    columns = [
        tasks.ids.astype(str),
        np.datetime_as_string(result.early_start),
        np.datetime_as_string(result.early_finish),
        np.datetime_as_string(result.late_start),
        np.datetime_as_string(result.late_finish),
        result.total_float_minutes.astype(str),
        result.free_float_minutes.astype(str),
        np.where(result.critical, "1", "0"),
    ]
    header = "uid,early_start,early_finish,late_start,late_finish,total_float,free_float,critical"
    lines = [header, *(",".join(values) for values in zip(*columns, strict=True))]
    output_path.write_text("\n".join(lines) + "\n")
    phases["write"] = time.perf_counter() - begin
    print(json.dumps(phases))


def tj3_version() -> str | None:
    tj3 = shutil.which("tj3")
    if tj3 is None:
        return None
    completed = subprocess.run([tj3, "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip().splitlines()[-1] if completed.stdout else "tj3"


def write_tjp(network: Network, path: Path) -> None:
    """The network in TaskJuggler 3's language, with a CSV report of every task's dates."""
    import holidays

    lines = [
        f'project benchmark "Benchmark" {FIRST_DAY.isoformat()} - {TJ3_LAST_YEAR}-12-31 {{',
        '  timezone "UTC"',
        "  dailyworkinghours 8",
        "  timingresolution 60min",
        "  workinghours mon - fri 8:00 - 12:00, 13:00 - 17:00",
        "  workinghours sat, sun off",
        "}",
    ]
    years = range(FIRST_DAY.year, TJ3_LAST_YEAR + 1)
    for day, name in sorted(holidays.country_holidays(HOLIDAY_COUNTRY, years=years).items()):
        lines.append(f'leaves holiday "{name}" {day.isoformat()}')
    into: list[list[str]] = [[] for _ in range(network.size)]
    for pred, succ, start, lag in zip(
        network.predecessor.tolist(),
        network.successor.tolist(),
        network.start_to_start.tolist(),
        network.lag_days.tolist(),
        strict=True,
    ):
        if start:
            into[succ].append(f"t{pred + 1} {{ onstart }}")
        elif lag:
            into[succ].append(f"t{pred + 1} {{ gaplength {lag}d }}")
        else:
            into[succ].append(f"t{pred + 1}")
    for index, days in enumerate(network.duration_days.tolist()):
        body = [f"length {days}d"]
        if index == 0:
            body.append(f"start {FIRST_DAY.isoformat()}-08:00")
        if into[index]:
            body.append("depends " + ", ".join(into[index]))
        lines.append(f'task t{index + 1} "Task {index + 1}" {{ {" ".join(body)} }}')
    lines += [
        'taskreport "dates" {',
        "  formats csv",
        "  columns id, start, end",
        '  timeformat "%Y-%m-%dT%H:%M"',
        "}",
    ]
    path.write_text("\n".join(lines) + "\n")


def compare_tj3(network: Network, ours: ScheduleResult, report: Path) -> list[str]:
    """How many tasks get the same early start and finish from TaskJuggler and Pilotage.

    TaskJuggler shows the start of a task held by a link at the instant the link allows (a
    finish at 17:00); the work starts at the next working minute, which is what is compared.
    """
    starts = np.full(network.size, np.datetime64("NaT"), dtype="datetime64[m]")
    ends = starts.copy()
    with report.open(newline="") as handle:
        for record in csv.DictReader(handle, delimiter=";"):
            index = int(record["Id"][1:]) - 1
            starts[index] = np.datetime64(record["Start"], "m")
            ends[index] = np.datetime64(record["End"], "m")
    if np.isnat(starts).any():
        return [f"the report lacks {int(np.isnat(starts).sum())} tasks"]
    snapped = compiled_calendar().next_working(starts)
    checks = {
        "early start": snapped == ours.early_start,
        "early finish": ends == ours.early_finish,
    }
    lines = [f"{name} {int(same.sum()):,}/{network.size:,}" for name, same in checks.items()]
    for name, same in checks.items():
        for index in np.flatnonzero(~same)[:3].tolist():
            lines.append(f"  differs on task {index + 1} ({name})")
    return lines


def compare_process_output(ours: ScheduleResult, output: Path) -> str:
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    early = np.array([row["early_start"] for row in rows], dtype="datetime64[m]")
    late = np.array([row["late_finish"] for row in rows], dtype="datetime64[m]")
    same = (early == ours.early_start) & (late == ours.late_finish)
    return f"{int(same.sum()):,}/{same.size:,}"


def measure_processes(
    network: Network, ours: ScheduleResult, row: Row, repeat: int, workdir: Path
) -> None:
    network_path = workdir / f"network-{network.size}.json"
    output_path = workdir / f"schedule-{network.size}.csv"
    write_network_json(network, network_path)
    command = [sys.executable, str(Path(__file__).resolve()), "--process"]
    command += [str(network_path), str(output_path)]
    for _ in range(repeat):
        seconds, memory, completed = run_measured_process(command, workdir)
        if completed.returncode:
            row.agreement.append(f"Python process failed: {completed.stderr.decode()[-500:]}")
            return
        row.process.append(seconds)
        row.process_memory = max(row.process_memory, memory)
        phases = json.loads(completed.stdout)
        for name, value in phases.items():
            row.process_phases[name] = min(value, row.process_phases.get(name, value))
    row.agreement.append(
        f"Python process output ({network.size:,} tasks) equal to the engine call in this "
        f"process: {compare_process_output(ours, output_path)} tasks"
    )

    tj3 = shutil.which("tj3")
    finish_year = int(str(ours.project_finish)[:4])
    if tj3 is None:
        row.tj3_note = "tj3 not found (Debian package tj3)"
        return
    if finish_year > TJ3_LAST_YEAR:
        row.tj3_note = f"the plan ends in {finish_year}; TaskJuggler accepts no year after 2035"
        return
    plan = workdir / f"network-{network.size}.tjp"
    reports = workdir / f"tj3-{network.size}"
    reports.mkdir(exist_ok=True)
    write_tjp(network, plan)
    command = [tj3, "--silent", "--no-color", "--output-dir", str(reports), str(plan)]
    for _ in range(repeat):
        seconds, memory, completed = run_measured_process(command, workdir)
        if completed.returncode:
            message = (completed.stdout + completed.stderr).decode(errors="replace")
            row.tj3_note = f"tj3 failed: {message.strip()[-500:]}"
            return
        row.tj3.append(seconds)
        row.tj3_memory = max(row.tj3_memory, memory)
    row.agreement.append(f"TaskJuggler, {network.size:,} tasks, lags in working days:")
    row.agreement += ["  " + line for line in compare_tj3(network, ours, reports / "dates.csv")]


# The pilotage schedule command on an MSPDI file


def pilotage_command() -> Path:
    """The ``pilotage`` console script installed next to this Python."""
    return Path(sys.executable).parent / "pilotage"


def write_mspdi(network: Network, path: Path) -> None:
    """The network as a compact MSPDI file: only the fields the schedule needs.

    One calendar, Standard, Monday-Friday 08:00-12:00 and 13:00-17:00, with the same French
    public holidays as the engine's calendar written as exceptions (those the ``holidays``
    package gives over 200 years); durations in hours shown as days (``DurationFormat`` 7); lags
    in tenths of a minute shown as days (``LagFormat`` 7).
    """
    import holidays

    def working_time(start: str, end: str) -> str:
        return (
            f"<WorkingTime><FromTime>{start}:00</FromTime><ToTime>{end}:00</ToTime></WorkingTime>"
        )

    hours = working_time("08:00", "12:00") + working_time("13:00", "17:00")
    week_days = []
    for day_type in range(1, 8):
        if day_type in (1, 7):
            week_days.append(
                f"<WeekDay><DayType>{day_type}</DayType><DayWorking>0</DayWorking></WeekDay>"
            )
        else:
            week_days.append(
                f"<WeekDay><DayType>{day_type}</DayType><DayWorking>1</DayWorking>"
                f"<WorkingTimes>{hours}</WorkingTimes></WeekDay>"
            )
    years = range(FIRST_DAY.year, FIRST_DAY.year + HOLIDAY_YEARS)
    exceptions = [
        f"<Exception><Name>{escape(name)}</Name><TimePeriod><FromDate>{day.isoformat()}T00:00:00"
        f"</FromDate><ToDate>{day.isoformat()}T23:59:00</ToDate></TimePeriod>"
        "<DayWorking>0</DayWorking></Exception>"
        for day, name in sorted(holidays.country_holidays(HOLIDAY_COUNTRY, years=years).items())
    ]
    start = str(PROJECT_START.astype("datetime64[s]"))
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<Project xmlns="{MSPDI_NAMESPACE}">\n',
        "<Name>benchmark.xml</Name><Title>Benchmark</Title>",
        f"<ScheduleFromStart>1</ScheduleFromStart><StartDate>{start}</StartDate>",
        "<CalendarUID>1</CalendarUID><DefaultStartTime>08:00:00</DefaultStartTime>",
        "<DefaultFinishTime>17:00:00</DefaultFinishTime><MinutesPerDay>480</MinutesPerDay>",
        "<MinutesPerWeek>2400</MinutesPerWeek><DaysPerMonth>20</DaysPerMonth>\n",
        "<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar>",
        f"<WeekDays>{''.join(week_days)}</WeekDays>\n",
        "<Exceptions>\n",
        *(exception + "\n" for exception in exceptions),
        "</Exceptions></Calendar></Calendars>\n<Tasks>\n",
    ]
    into: list[list[str]] = [[] for _ in range(network.size)]
    for pred, succ, start_to_start, lag in zip(
        network.predecessor.tolist(),
        network.successor.tolist(),
        network.start_to_start.tolist(),
        network.lag_days.tolist(),
        strict=True,
    ):
        into[succ].append(
            f"<PredecessorLink><PredecessorUID>{pred + 1}</PredecessorUID>"
            f"<Type>{3 if start_to_start else 1}</Type><LinkLag>{lag * DAY * 10}</LinkLag>"
            "<LagFormat>7</LagFormat></PredecessorLink>"
        )
    for index, days in enumerate(network.duration_days.tolist()):
        uid = index + 1
        parts.append(
            f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>Task {uid}</Name>"
            f"<OutlineLevel>1</OutlineLevel><Duration>PT{days * DAY // 60}H0M0S</Duration>"
            f"<DurationFormat>7</DurationFormat>{''.join(into[index])}</Task>\n"
        )
    parts.append("</Tasks>\n</Project>\n")
    path.write_text("".join(parts), encoding="utf-8")


def compare_command_output(ours: ScheduleResult, output: str) -> list[str]:
    """How many tasks get the same early start and finish from the command and the engine call."""
    tasks = json.loads(output)["tasks"]
    uids = np.array([task["uid"] for task in tasks], dtype=np.int64)
    if uids.size != ours.early_start.size or (uids != np.arange(1, uids.size + 1)).any():
        return [f"the output has {uids.size:,} tasks, not the {ours.early_start.size:,} written"]
    checks = {
        "early start": np.array([task["early_start"] for task in tasks], dtype="datetime64[m]")
        == ours.early_start,
        "early finish": np.array([task["early_finish"] for task in tasks], dtype="datetime64[m]")
        == ours.early_finish,
    }
    lines = [f"{name} {int(same.sum()):,}/{uids.size:,}" for name, same in checks.items()]
    for name, same in checks.items():
        for index in np.flatnonzero(~same)[:3].tolist():
            lines.append(f"  differs on task {index + 1} ({name})")
    return lines


def measure_command(
    network: Network, ours: ScheduleResult, row: Row, repeat: int, workdir: Path
) -> None:
    """Time ``pilotage schedule FILE --format json > /dev/null`` and check one run's output."""
    executable = pilotage_command()
    if not executable.exists():
        row.command_note = f"{executable} not found (pip install -e .)"
        return
    plan = workdir / f"network-{network.size}.xml"
    write_mspdi(network, plan)
    row.command_file_bytes = plan.stat().st_size
    command = [str(executable), "schedule", str(plan), "--format", "json"]
    for _ in range(repeat):
        seconds, memory, completed = run_measured_process(command, workdir, discard_output=True)
        if completed.returncode:
            row.command_note = f"failed: {completed.stderr.decode(errors='replace')[-500:]}"
            return
        row.command.append(seconds)
        row.command_memory = max(row.command_memory, memory)
    _, _, completed = run_measured_process(command, workdir)
    if completed.returncode:
        row.command_note = f"failed: {completed.stderr.decode(errors='replace')[-500:]}"
        return
    warnings = completed.stderr.decode(errors="replace").strip()
    if warnings:
        row.command_note = f"warnings: {warnings[:500]}"
    row.agreement.append(
        f"pilotage schedule on the MSPDI file ({network.size:,} tasks) against the engine call "
        "in this process:"
    )
    row.agreement += ["  " + line for line in compare_command_output(ours, completed.stdout)]


# Report


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    heads = list(header)
    body = [list(cells) for cells in rows]
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join(" ---: " for _ in heads) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return "\n".join(lines)


def verdict(passed: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[passed]


def report(rows: list[Row], args: argparse.Namespace) -> None:
    print()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} cores; "
        f"trueppm-scheduler {trueppm_version() or 'absent'}; {tj3_version() or 'tj3 absent'}; "
        f"seed {args.seed}, {args.repeat} engine calls, {args.process_repeat} processes per figure"
    )
    print()
    print("Networks")
    print(
        table(
            ["tasks", "links", "depth (tasks)", "project finish"],
            ([f"{r.size:,}", f"{r.links:,}", f"{r.depth:,}", r.finish] for r in rows),
        )
    )
    print()
    print("Engine call (milliseconds; memory in MiB allocated at the peak, tracemalloc)")
    print(
        table(
            [
                "tasks",
                "Pilotage best",
                "median",
                "peak MiB",
                "Pilotage, lags in calendar days, best",
                "median",
                "trueppm best",
                "median",
                "peak MiB",
                "trueppm / Pilotage, same lags",
                "trueppm / Pilotage, working-day lags",
            ],
            (
                [
                    f"{r.size:,}",
                    *seconds_text(r.pilotage),
                    mebibytes(r.pilotage_memory),
                    *seconds_text(r.pilotage_elapsed),
                    *seconds_text(r.trueppm),
                    mebibytes(r.trueppm_memory),
                    ratio_text(ratio(r.trueppm, r.pilotage_elapsed)),
                    ratio_text(ratio(r.trueppm, r.pilotage)),
                ]
                for r in rows
            ),
        )
    )
    for r in rows:
        if r.trueppm_note:
            print(f"trueppm-scheduler, {r.size:,} tasks: {r.trueppm_note}")
    measured = [r for r in rows if r.process]
    if measured:
        print()
        print("Whole processes (milliseconds of wall-clock time; peak resident memory in MiB)")
        print(
            table(
                [
                    "tasks",
                    "Python process best",
                    "median",
                    "peak MiB",
                    "tj3 best",
                    "median",
                    "peak MiB",
                    "tj3 / Pilotage",
                ],
                (
                    [
                        f"{r.size:,}",
                        *seconds_text(r.process),
                        mebibytes(r.process_memory),
                        *seconds_text(r.tj3),
                        mebibytes(r.tj3_memory),
                        ratio_text(ratio(r.tj3, r.process)),
                    ]
                    for r in measured
                ),
            )
        )
        if shutil.which("time") is None:
            print("Peak memory of a process needs GNU time (Debian package time).")
        for r in measured:
            phases = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in r.process_phases.items())
            print(f"Python process, {r.size:,} tasks, best of each phase: {phases}")
            if r.tj3_note:
                print(f"tj3, {r.size:,} tasks: {r.tj3_note}")
    commanded = [r for r in rows if r.command or r.command_note]
    if commanded:
        print()
        print(
            "pilotage schedule FILE --format json > /dev/null on an MSPDI file "
            "(milliseconds of wall-clock time; peak resident memory in MiB)"
        )
        print(
            table(
                ["tasks", "file MiB", "best", "median", "peak MiB"],
                (
                    [
                        f"{r.size:,}",
                        mebibytes(r.command_file_bytes),
                        *seconds_text(r.command),
                        mebibytes(r.command_memory),
                    ]
                    for r in commanded
                ),
            )
        )
        for r in commanded:
            if r.command_note:
                print(f"pilotage schedule, {r.size:,} tasks: {r.command_note}")
    print()
    print("Agreement of the dates")
    for r in rows:
        for line in r.agreement:
            print(line)
    print()
    print("Targets")
    by_size = {r.size: r for r in rows}
    big = by_size.get(TARGET_SIZE)
    speed = memory = None
    if big:
        speed = statistics.median(big.pilotage) <= TARGET_SECONDS
        memory = big.pilotage_memory <= TARGET_MEMORY
    print(f"- {TARGET_SIZE:,} tasks, engine call median <= {TARGET_SECONDS} s: {verdict(speed)}")
    print(f"- {TARGET_SIZE:,} tasks, engine call peak memory <= 1 GiB: {verdict(memory)}")
    for label, ours in (
        ("the same network and lags", "pilotage_elapsed"),
        ("the issue's working-day lags against trueppm's calendar-day lags", "pilotage"),
    ):
        ratios = [ratio(r.trueppm, getattr(r, ours)) for r in rows]
        known = [value for value in ratios if value is not None]
        faster = min(known) >= TARGET_TRUEPPM_RATIO if known else None
        print(
            f"- >= {TARGET_TRUEPPM_RATIO:.0f}x faster than trueppm-scheduler on every size it "
            f"schedules, {label}: {verdict(faster)}"
        )
    plan = by_size.get(TARGET_TJ3_SIZE)
    tj3_ratio = ratio(plan.tj3, plan.process) if plan else None
    print(
        f"- >= {TARGET_TJ3_RATIO:.0f}x faster than tj3 as whole processes on "
        f"{TARGET_TJ3_SIZE:,} tasks: "
        f"{verdict(tj3_ratio >= TARGET_TJ3_RATIO if tj3_ratio is not None else None)}"
    )
    command_ok = None
    if big and big.command:
        command_ok = statistics.median(big.command) <= TARGET_COMMAND_SECONDS
    print(
        f"- `pilotage schedule` on a {TARGET_SIZE:,}-task MSPDI file <= "
        f"{TARGET_COMMAND_SECONDS:.0f} s: {verdict(command_ok)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[2_000, 5_000, 10_000, 100_000], metavar="N"
    )
    parser.add_argument(
        "--process-sizes",
        type=int,
        nargs="*",
        default=[2_000, 5_000, 100_000],
        metavar="N",
        help="sizes also run as whole processes (tj3 where the plan ends by 2035) and through "
        "pilotage schedule on an MSPDI file",
    )
    parser.add_argument("--repeat", type=int, default=7, help="engine calls per figure")
    parser.add_argument("--process-repeat", type=int, default=3, help="processes per figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    parser.add_argument("--process", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.process:
        schedule_file(*args.process)
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pilotage-cpm-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in sorted(set(args.sizes) | set(args.process_sizes)):
        print(f"{size:,} tasks ...", flush=True)
        network = generate(size, args.seed)
        row = Row(size=size, links=int(network.predecessor.size), depth=network.depth())
        ours, ours_elapsed = measure_pilotage(network, row, args.repeat)
        if size in args.sizes:
            measure_trueppm(network, ours_elapsed, row, args.repeat)
        if size in args.process_sizes:
            measure_processes(network, ours, row, args.process_repeat, workdir)
            measure_command(network, ours, row, args.process_repeat, workdir)
        rows.append(row)
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    report(rows, args)


if __name__ == "__main__":
    main()
