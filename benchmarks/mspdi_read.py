"""Measure reading Microsoft Project XML (MSPDI) files: compact ones and verbose ones.

Run with ``.venv/bin/python benchmarks/mspdi_read.py [--size N] [--repeat N] [--seed N]
[--profile]``. The files are written into a temporary directory, removed at the end (unless
``--workdir`` names a directory to keep them in).

Two files hold the same network, generated as in ``benchmarks/cpm.py`` (100,000 tasks by
default, 1-3 predecessors each among the 50 tasks before it, 1-10 working days, one calendar
with the French public holidays over 200 years):

- the *compact* file, written by ``cpm.write_mspdi``: the project settings, the calendar and
  each task's UID, ID, name, outline level, duration and links, nothing else;
- the *verbose* file, shaped like a file that Microsoft Project saves (about ten times larger):
  every project setting, the view, filter and table lists, the custom field definitions, the
  calendar written both the old way (exception ``WeekDay`` elements) and the 2007 way
  (``Exceptions``), one calendar per resource, the project summary task, and for every task
  about 50 child elements: the 46 fields Microsoft Project writes whether they are used or not,
  its links with all their fields, three custom field values (``ExtendedAttribute``), a
  baseline and, on one task in ten, a hyperlink; then the ``Resources`` (with a baseline each)
  and one ``Assignment`` per task with 23 fields, a baseline and its timephased work
  (``TimephasedData``), in tab-indented lines as Microsoft Project writes them. The task dates,
  slacks and critical flags in it are those of the schedule, computed by the engine.

What is measured, for each file:

- :func:`~pilotage.interop.mspdi.read_mspdi` in this process: best and median of ``--repeat``
  calls;
- the ``pilotage schedule FILE --format json`` command as a whole process, its output sent to
  ``/dev/null``: wall-clock seconds (best and median of ``--repeat`` runs) and peak resident
  memory (from GNU time);
- one more run of the command, whose early start and finish of every task are compared with
  the engine's, so that both files are known to give the same schedule.

``--profile`` also prints the functions where one ``read_mspdi`` call on each file spends its
time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import IO, Any
from xml.sax.saxutils import escape

import numpy as np

from pilotage.engine.scheduling import ScheduleResult, compute_schedule
from pilotage.interop.mspdi import read_mspdi

TARGET_COMMAND_SECONDS = 10.0
RESOURCES = 50
TIMEPHASED_PER_ASSIGNMENT = 2
TASK_TEXT1 = 188743731
TASK_NUMBER1 = 188743767
TASK_FLAG1 = 188743752


def _load_cpm() -> ModuleType:
    """``benchmarks/cpm.py``, the network generator and the compact MSPDI writer."""
    path = Path(__file__).resolve().parent / "cpm.py"
    spec = importlib.util.spec_from_file_location("pilotage_benchmark_cpm", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cpm = _load_cpm()


# The verbose file


def _element(name: str, value: object, depth: int) -> str:
    return f"{chr(9) * depth}<{name}>{value}</{name}>\n"


def _elements(fields: list[tuple[str, object]], depth: int) -> str:
    return "".join(_element(name, value, depth) for name, value in fields)


def _guid(kind: int, number: int) -> str:
    return f"{kind:08X}-DAD2-E811-AC3F-{number:012X}"


def _texts(values: np.ndarray[Any, Any]) -> list[str]:
    texts: list[str] = np.datetime_as_string(values.astype("datetime64[s]")).tolist()
    return texts


def _project_header(start: str, finish: str) -> str:
    settings: list[tuple[str, object]] = [
        ("SaveVersion", 14),
        ("BuildNumber", "16.0.10730.20102"),
        ("Name", "verbose-benchmark.xml"),
        ("Title", "Benchmark"),
        ("Subject", "A generated network saved the way Microsoft Project saves files"),
        ("Author", "Planning office"),
        ("Company", "Example"),
        ("GUID", _guid(1, 1)),
        ("CreationDate", "2025-12-01T09:00:00"),
        ("LastSaved", "2025-12-20T17:35:00"),
        ("ScheduleFromStart", 1),
        ("StartDate", start),
        ("FinishDate", finish),
        ("FYStartDate", 1),
        ("CriticalSlackLimit", 0),
        ("CurrencyDigits", 2),
        ("CurrencySymbol", "€"),
        ("CurrencyCode", "EUR"),
        ("CurrencySymbolPosition", 3),
        ("CalendarUID", 1),
        ("DefaultStartTime", "08:00:00"),
        ("DefaultFinishTime", "17:00:00"),
        ("MinutesPerDay", 480),
        ("MinutesPerWeek", 2400),
        ("DaysPerMonth", 20),
        ("DefaultTaskType", 0),
        ("DefaultFixedCostAccrual", 3),
        ("DefaultStandardRate", 0),
        ("DefaultOvertimeRate", 0),
        ("DurationFormat", 7),
        ("WorkFormat", 2),
        ("EditableActualCosts", 0),
        ("HonorConstraints", 1),
        ("InsertedProjectsLikeSummary", 1),
        ("MultipleCriticalPaths", 0),
        ("NewTasksEffortDriven", 0),
        ("NewTasksEstimated", 1),
        ("SplitsInProgressTasks", 1),
        ("SpreadActualCost", 0),
        ("SpreadPercentComplete", 0),
        ("TaskUpdatesResource", 1),
        ("FiscalYearStart", 0),
        ("WeekStartDay", 1),
        ("MoveCompletedEndsBack", 0),
        ("MoveRemainingStartsBack", 0),
        ("MoveRemainingStartsForward", 0),
        ("MoveCompletedEndsForward", 0),
        ("BaselineForEarnedValue", 0),
        ("AutoAddNewResourcesAndTasks", 1),
        ("CurrentDate", "2025-12-20T08:00:00"),
        ("MicrosoftProjectServerURL", 1),
        ("Autolink", 0),
        ("NewTaskStartDate", 0),
        ("NewTasksAreManual", 0),
        ("DefaultTaskEVMethod", 0),
        ("ProjectExternallyEdited", 0),
        ("ExtendedCreationDate", "1984-01-01T00:00:00"),
        ("ActualsInSync", 0),
        ("RemoveFileProperties", 0),
        ("AdminProject", 0),
        ("UpdateManuallyScheduledTasksWhenEditingLinks", 1),
        ("KeepTaskOnNearestWorkingTimeWhenMadeAutoScheduled", 0),
    ]
    lists = []
    for container, item, names in (
        ("Views", "View", ("Gantt &amp;with Timeline", "&amp;Gantt Chart", "Time&amp;line")),
        ("Filters", "Filter", ("&amp;All Tasks", "&amp;Critical", "&amp;Incomplete Tasks")),
        ("Groups", "Group", ("&amp;No Group",)),
        ("Tables", "Table", ("&amp;Entry", "&amp;Schedule", "&amp;Cost")),
    ):
        entries = "".join(
            f"\t\t<{item}>\n{_element('Name', name, 3)}{_element('IsCustomized', 'true', 3)}"
            f"\t\t</{item}>\n"
            for name in names
        )
        lists.append(f"\t<{container}>\n{entries}\t</{container}>\n")
    definitions = "".join(
        "\t\t<ExtendedAttribute>\n"
        + _elements(
            [
                ("FieldID", field_id),
                ("FieldName", field_name),
                ("Alias", alias),
                ("Guid", _guid(0x39B7, field_id)),
                ("SecondaryPID", field_id + 67125237),
                ("SecondaryGuid", _guid(0x39B8, field_id)),
            ],
            3,
        )
        + "\t\t</ExtendedAttribute>\n"
        for field_id, field_name, alias in (
            (TASK_TEXT1, "Text1", "Work package"),
            (TASK_NUMBER1, "Number1", "Risk score"),
            (TASK_FLAG1, "Flag1", "Reviewed"),
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Project xmlns="{cpm.MSPDI_NAMESPACE}">\n'
        + _elements(settings, 1)
        + "".join(lists)
        + "\t<Maps/>\n\t<Reports/>\n\t<Drawings/>\n\t<DataLinks/>\n"
        + "\t<OutlineCodes/>\n\t<WBSMasks/>\n"
        + f"\t<ExtendedAttributes>\n{definitions}\t</ExtendedAttributes>\n"
    )


def _calendars() -> Iterator[str]:
    """The Standard calendar (old and new exception forms) and one calendar per resource."""
    import holidays

    years = range(cpm.FIRST_DAY.year, cpm.FIRST_DAY.year + cpm.HOLIDAY_YEARS)
    days = sorted(holidays.country_holidays(cpm.HOLIDAY_COUNTRY, years=years).items())
    hours = "".join(
        f"\t\t\t\t\t\t<WorkingTime>\n{_element('FromTime', begin, 7)}{_element('ToTime', end, 7)}"
        "\t\t\t\t\t\t</WorkingTime>\n"
        for begin, end in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00"))
    )
    yield "\t<Calendars>\n\t\t<Calendar>\n"
    yield _elements(
        [
            ("UID", 1),
            ("GUID", _guid(2, 1)),
            ("Name", "Standard"),
            ("IsBaseCalendar", 1),
            ("IsBaselineCalendar", 0),
            ("BaseCalendarUID", -1),
        ],
        3,
    )
    yield "\t\t\t<WeekDays>\n"
    for day_type in range(1, 8):
        working = day_type not in (1, 7)
        yield (
            f"\t\t\t\t<WeekDay>\n{_element('DayType', day_type, 5)}"
            f"{_element('DayWorking', int(working), 5)}"
        )
        if working:
            yield f"\t\t\t\t\t<WorkingTimes>\n{hours}\t\t\t\t\t</WorkingTimes>\n"
        yield "\t\t\t\t</WeekDay>\n"
    for day, _ in days:
        yield (
            f"\t\t\t\t<WeekDay>\n{_element('DayType', 0, 5)}{_element('DayWorking', 0, 5)}"
            f"\t\t\t\t\t<TimePeriod>\n{_element('FromDate', f'{day}T00:00:00', 6)}"
            f"{_element('ToDate', f'{day}T23:59:00', 6)}\t\t\t\t\t</TimePeriod>\n"
            "\t\t\t\t</WeekDay>\n"
        )
    yield "\t\t\t</WeekDays>\n\t\t\t<Exceptions>\n"
    for day, name in days:
        yield (
            "\t\t\t\t<Exception>\n"
            f"\t\t\t\t\t<EnteredByOccurrences>0</EnteredByOccurrences>\n"
            f"\t\t\t\t\t<TimePeriod>\n{_element('FromDate', f'{day}T00:00:00', 6)}"
            f"{_element('ToDate', f'{day}T23:59:00', 6)}\t\t\t\t\t</TimePeriod>\n"
            + _elements(
                [("Occurrences", 1), ("Name", escape(name)), ("Type", 1), ("DayWorking", 0)], 5
            )
            + "\t\t\t\t</Exception>\n"
        )
    yield "\t\t\t</Exceptions>\n\t\t</Calendar>\n"
    for number in range(1, RESOURCES + 1):
        yield (
            "\t\t<Calendar>\n"
            + _elements(
                [
                    ("UID", number + 1),
                    ("GUID", _guid(2, number + 1)),
                    ("Name", f"Resource {number}"),
                    ("IsBaseCalendar", 0),
                    ("IsBaselineCalendar", 0),
                    ("BaseCalendarUID", 1),
                ],
                3,
            )
            + "\t\t</Calendar>\n"
        )
    yield "\t</Calendars>\n"


def _hours(minutes: int) -> str:
    return f"PT{minutes // 60}H{minutes % 60}M0S"


def _tasks(network: Any, schedule: ScheduleResult, finish: str) -> Iterator[str]:
    start = str(cpm.PROJECT_START.astype("datetime64[s]"))
    links: list[list[str]] = [[] for _ in range(network.size)]
    for pred, succ, start_to_start, lag in zip(
        network.predecessor.tolist(),
        network.successor.tolist(),
        network.start_to_start.tolist(),
        network.lag_days.tolist(),
        strict=True,
    ):
        links[succ].append(
            "\t\t\t<PredecessorLink>\n"
            + _elements(
                [
                    ("PredecessorUID", pred + 1),
                    ("Type", 3 if start_to_start else 1),
                    ("CrossProject", 0),
                    ("LinkLag", lag * cpm.DAY * 10),
                    ("LagFormat", 7),
                ],
                4,
            )
            + "\t\t\t</PredecessorLink>\n"
        )
    total_minutes = (network.duration_days * cpm.DAY).sum()
    yield "\t<Tasks>\n\t\t<Task>\n"
    yield _elements(
        [
            ("UID", 0),
            ("GUID", _guid(3, 0)),
            ("ID", 0),
            ("Name", "Benchmark"),
            ("Active", 1),
            ("Manual", 0),
            ("Type", 1),
            ("IsNull", 0),
            ("CreateDate", "2025-12-01T09:00:00"),
            ("WBS", 0),
            ("OutlineNumber", 0),
            ("OutlineLevel", 0),
            ("Priority", 500),
            ("Start", start),
            ("Finish", finish),
            ("Duration", _hours(int(total_minutes))),
            ("DurationFormat", 53),
            ("Work", "PT0H0M0S"),
            ("Milestone", 0),
            ("Summary", 1),
            ("Critical", 1),
            ("CalendarUID", -1),
        ],
        3,
    )
    yield "\t\t</Task>\n"
    columns = zip(
        _texts(schedule.early_start),
        _texts(schedule.early_finish),
        _texts(schedule.late_start),
        _texts(schedule.late_finish),
        schedule.total_float_minutes.tolist(),
        schedule.free_float_minutes.tolist(),
        schedule.critical.tolist(),
        strict=True,
    )
    for index, row in enumerate(columns):
        early_start, early_finish, late_start, late_finish, total, free, critical = row
        uid = index + 1
        minutes = int(network.duration_days[index]) * cpm.DAY
        duration = _hours(minutes)
        cost = minutes * 75 * 100 // 60
        fields: list[tuple[str, object]] = [
            ("UID", uid),
            ("GUID", _guid(3, uid)),
            ("ID", uid),
            ("Name", f"Task {uid}"),
            ("Active", 1),
            ("Manual", 0),
            ("Type", 0),
            ("IsNull", 0),
            ("CreateDate", "2025-12-01T09:00:00"),
            ("WBS", uid),
            ("OutlineNumber", uid),
            ("OutlineLevel", 1),
            ("Priority", 500),
            ("Start", early_start),
            ("Finish", early_finish),
            ("Duration", duration),
            ("ManualStart", early_start),
            ("ManualFinish", early_finish),
            ("ManualDuration", duration),
            ("DurationFormat", 7),
            ("Work", duration),
            ("EffortDriven", 1),
            ("OverAllocated", 0),
            ("Estimated", 0),
            ("Milestone", 0),
            ("Summary", 0),
            ("Critical", int(critical)),
            ("EarlyStart", early_start),
            ("EarlyFinish", early_finish),
            ("LateStart", late_start),
            ("LateFinish", late_finish),
            ("FreeSlack", free * 10),
            ("TotalSlack", total * 10),
            ("PercentComplete", 0),
            ("Cost", cost),
            ("ActualDuration", "PT0H0M0S"),
            ("ActualWork", "PT0H0M0S"),
            ("RegularWork", duration),
            ("RemainingDuration", duration),
            ("RemainingWork", duration),
            ("ConstraintType", 0),
            ("CalendarUID", -1),
            ("LevelingDelay", 0),
            ("LevelingDelayFormat", 8),
        ]
        if uid % 10 == 0:
            fields += [
                ("Hyperlink", f"Specification {uid}"),
                ("HyperlinkAddress", f"https://intranet.example/specs/{uid}"),
                ("HyperlinkSubAddress", ""),
            ]
        attributes = "".join(
            f"\t\t\t<ExtendedAttribute>\n{_element('FieldID', field_id, 4)}"
            f"{_element('Value', value, 4)}\t\t\t</ExtendedAttribute>\n"
            for field_id, value in (
                (TASK_TEXT1, f"WP-{uid % 250:03d}"),
                (TASK_NUMBER1, f"{uid % 97}.{uid % 10}"),
                (TASK_FLAG1, uid % 2),
            )
        )
        baselines = "".join(
            "\t\t\t<Baseline>\n"
            + _elements(
                [
                    ("Number", number),
                    ("Start", early_start),
                    ("Finish", early_finish),
                    ("Duration", duration),
                    ("DurationFormat", 7),
                    ("Work", duration),
                    ("Cost", cost),
                ],
                4,
            )
            + "\t\t\t</Baseline>\n"
            for number in (0,)
        )
        yield (
            "\t\t<Task>\n"
            + _elements(fields, 3)
            + "".join(links[index])
            + "\t\t\t<IsPublished>1</IsPublished>\n\t\t\t<CommitmentType>0</CommitmentType>\n"
            + attributes
            + baselines
            + "\t\t</Task>\n"
        )
    yield "\t</Tasks>\n"


def _resources() -> Iterator[str]:
    yield "\t<Resources>\n"
    for uid in range(RESOURCES + 1):
        fields: list[tuple[str, object]] = [
            ("UID", uid),
            ("GUID", _guid(4, uid)),
            ("ID", uid),
        ]
        if uid:
            fields += [("Name", f"Resource {uid}"), ("Initials", f"R{uid}")]
        fields += [
            ("Type", 1),
            ("IsNull", 0),
            ("MaxUnits", "1.00"),
            ("PeakUnits", "1.00"),
            ("OverAllocated", 0),
            ("CanLevel", 1),
            ("AccrueAt", 3),
            ("Work", "PT0H0M0S"),
            ("RegularWork", "PT0H0M0S"),
            ("OvertimeWork", "PT0H0M0S"),
            ("ActualWork", "PT0H0M0S"),
            ("RemainingWork", "PT0H0M0S"),
            ("PercentWorkComplete", 0),
            ("StandardRate", 75),
            ("StandardRateFormat", 2),
            ("Cost", 0),
            ("OvertimeRate", 0),
            ("OvertimeRateFormat", 2),
            ("CostPerUse", 0),
            ("ActualCost", 0),
            ("RemainingCost", 0),
            ("WorkVariance", "0.00"),
            ("CostVariance", 0),
            ("SV", "0.00"),
            ("CV", "0.00"),
            ("ACWP", "0.00"),
            ("CalendarUID", uid + 1),
            ("BCWS", "0.00"),
            ("BCWP", "0.00"),
            ("IsGeneric", 0),
            ("IsInactive", 0),
            ("IsEnterprise", 0),
            ("BookingType", 0),
            ("CreationDate", "2025-12-01T09:00:00"),
            ("IsCostResource", 0),
            ("IsBudget", 0),
        ]
        yield (
            "\t\t<Resource>\n"
            + _elements(fields, 3)
            + "\t\t\t<Baseline>\n"
            + _elements([("Number", 0), ("Work", "PT0H0M0S"), ("Cost", 0)], 4)
            + "\t\t\t</Baseline>\n"
            + "\t\t</Resource>\n"
        )
    yield "\t</Resources>\n"


def _assignments(network: Any, schedule: ScheduleResult) -> Iterator[str]:
    yield "\t<Assignments>\n"
    starts = _texts(schedule.early_start)
    finishes = _texts(schedule.early_finish)
    for index, (start, finish) in enumerate(zip(starts, finishes, strict=True)):
        uid = index + 1
        minutes = int(network.duration_days[index]) * cpm.DAY
        work = _hours(minutes)
        fields: list[tuple[str, object]] = [
            ("UID", uid),
            ("GUID", _guid(5, uid)),
            ("TaskUID", uid),
            ("ResourceUID", uid % RESOURCES + 1),
            ("PercentWorkComplete", 0),
            ("ActualCost", 0),
            ("ActualWork", "PT0H0M0S"),
            ("Cost", minutes * 75 * 100 // 60),
            ("Delay", 0),
            ("Finish", finish),
            ("LevelingDelay", 0),
            ("LevelingDelayFormat", 7),
            ("Milestone", 0),
            ("OvertimeWork", "PT0H0M0S"),
            ("RegularWork", work),
            ("RemainingCost", minutes * 75 * 100 // 60),
            ("RemainingWork", work),
            ("Start", start),
            ("Units", 1),
            ("Work", work),
            ("WorkContour", 0),
            ("BookingType", 0),
            ("CreationDate", "2025-12-01T09:00:00"),
        ]
        timephased = "".join(
            "\t\t\t<TimephasedData>\n"
            + _elements(
                [
                    ("Type", 1),
                    ("UID", uid),
                    ("Start", start if part == 0 else finish),
                    ("Finish", finish),
                    ("Unit", 2),
                    ("Value", _hours(minutes // TIMEPHASED_PER_ASSIGNMENT)),
                ],
                4,
            )
            + "\t\t\t</TimephasedData>\n"
            for part in range(TIMEPHASED_PER_ASSIGNMENT)
        )
        yield (
            "\t\t<Assignment>\n"
            + _elements(fields, 3)
            + "\t\t\t<Baseline>\n"
            + _elements([("Number", 0), ("Start", start), ("Finish", finish), ("Work", work)], 4)
            + "\t\t\t</Baseline>\n"
            + timephased
            + "\t\t</Assignment>\n"
        )
    yield "\t</Assignments>\n"


def write_verbose_mspdi(network: Any, schedule: ScheduleResult, path: Path) -> None:
    """The network as Microsoft Project saves it, with the dates of ``schedule``."""
    start = str(cpm.PROJECT_START.astype("datetime64[s]"))
    finish = str(schedule.project_finish.astype("datetime64[s]"))
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        _write(stream, [_project_header(start, finish)])
        _write(stream, _calendars())
        _write(stream, _tasks(network, schedule, finish))
        _write(stream, _resources())
        _write(stream, _assignments(network, schedule))
        stream.write("</Project>\n")


def _write(stream: IO[str], parts: Iterator[str] | list[str]) -> None:
    batch: list[str] = []
    for part in parts:
        batch.append(part)
        if len(batch) >= 2000:
            stream.write("".join(batch))
            batch.clear()
    stream.write("".join(batch))


# Measures


def _seconds(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{min(values):.2f} / {statistics.median(values):.2f}"


def measure_file(
    label: str, path: Path, schedule: ScheduleResult, repeat: int, workdir: Path
) -> list[str]:
    """One line of the report table, and the agreement lines, for one file."""
    reads = []
    tasks = links = 0
    for _ in range(repeat):
        begin = time.perf_counter()
        result = read_mspdi(path)
        reads.append(time.perf_counter() - begin)
        tasks, links = len(result.plan.tasks), len(result.plan.links)
        del result
    command = [str(cpm.pilotage_command()), "schedule", str(path), "--format", "json"]
    runs = []
    peak = 0
    note = ""
    for _ in range(repeat):
        seconds, memory, completed = cpm.run_measured_process(command, workdir, discard_output=True)
        if completed.returncode:
            note = f"failed: {completed.stderr.decode(errors='replace')[-500:]}"
            break
        runs.append(seconds)
        peak = max(peak, memory)
    agreement = [f"{label} file: {note}"] if note else []
    if not note:
        _, _, completed = cpm.run_measured_process(command, workdir)
        lines = cpm.compare_command_output(schedule, completed.stdout)
        agreement = [f"{label} file, pilotage schedule against the engine: " + "; ".join(lines)]
        warnings = completed.stderr.decode(errors="replace").strip()
        if warnings:
            agreement.append(f"  warnings: {warnings[:500]}")
    size = path.stat().st_size / (1 << 20)
    row = (
        f"| {label} | {size:,.0f} | {tasks:,} | {links:,} | {_seconds(reads)} | "
        f"{_seconds(runs)} | {cpm.mebibytes(peak)} |"
    )
    return [row, *agreement]


def profile(path: Path) -> None:
    """Print where one ``read_mspdi`` call spends its time."""
    profiler = cProfile.Profile()
    profiler.enable()
    read_mspdi(path)
    profiler.disable()
    print(f"\nread_mspdi({path.name}) under cProfile:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="tasks in each file")
    parser.add_argument("--repeat", type=int, default=3, help="reads and commands per figure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile a read of each file")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pilotage-mspdi-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Generating a {args.size:,}-task network and its schedule ...", flush=True)
        network = cpm.generate(args.size, args.seed)
        tasks, links = network.pilotage()
        schedule = compute_schedule(
            tasks, links, [cpm.compiled_calendar()], project_start=cpm.PROJECT_START
        )
        compact = workdir / f"compact-{args.size}.xml"
        verbose = workdir / f"verbose-{args.size}.xml"
        print("Writing the compact and the verbose MSPDI files ...", flush=True)
        cpm.write_mspdi(network, compact)
        write_verbose_mspdi(network, schedule, verbose)
        rows = []
        agreement = []
        for label, path in (("compact", compact), ("verbose", verbose)):
            print(f"Measuring the {label} file ...", flush=True)
            row, *lines = measure_file(label, path, schedule, args.repeat, workdir)
            rows.append(row)
            agreement += lines
        if args.profile:
            for path in (compact, verbose):
                profile(path)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"{args.size:,} tasks, seed {args.seed}, {args.repeat} runs per figure (best / median); "
        "commands: pilotage schedule FILE --format json > /dev/null"
    )
    print()
    print(
        "| file | MiB | tasks read | links read | read_mspdi (s) | command (s) "
        "| command peak RSS (MiB) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)
    print()
    for line in agreement:
        print(line)
    print()
    print(
        f"Target: pilotage schedule on the verbose {args.size:,}-task file in <= "
        f"{TARGET_COMMAND_SECONDS:.0f} s (median)."
    )


if __name__ == "__main__":
    main()
