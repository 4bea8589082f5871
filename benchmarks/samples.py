"""Compare what Pilotage reads from files exported by other tools with what MPXJ reads from them.

Run with ``.venv/bin/python benchmarks/samples.py [--samples DIR]`` (``make benchmark`` runs it
too). DIR holds sample files written by Microsoft Project, ProjectLibre, GanttProject,
Primavera P6, Jira, Trello or calendar programs, in subdirectories, and an ``expected.csv``
with one row per file (its path under DIR) saying what the MPXJ library reads from it: counts
of tasks (without the project summary task and blank rows), summary tasks, milestones, links,
named resources, assignments and calendars, and the earliest task start and latest task
finish; for the formats MPXJ does not read (Jira, Trello, iCalendar) the rows give the number of
issues, cards or events counted with Python's standard library. The sample files are other
people's work and are not part of this repository: name their directory with ``--samples DIR``
or the ``PILOTAGE_SAMPLES_DIR`` environment variable; without one the script says so and stops.

Every file is read with the importer Pilotage picks for it
(:func:`~pilotage.interop.formats.read_project_file`, or for a plain table the spreadsheet
reader with the columns guessed from the headers), and each figure is printed as
"Pilotage / reference", with a verdict: ``agree`` when every figure the reference gives is the
same, else ``differs`` and the figures that differ. For the scheduling formats the plan is also
scheduled again (:func:`~pilotage.interop.dates.check_dates`) and the script prints how many
tasks keep the dates written in the file, and why the others move.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pilotage.interop.dates import DateCheck, check_dates
from pilotage.interop.document import ProjectDocument
from pilotage.interop.errors import PlanFileError
from pilotage.interop.formats import TABLE_FORMATS, detect_format, read_project_file

SCHEDULING_FORMATS = frozenset({"mspdi", "mpp", "mpx", "xer", "pmxml", "pod", "gan"})
SKIPPED_NAMES = frozenset({"expected.csv"})
SKIPPED_SUFFIXES = frozenset({".md", ".txt"})


@dataclass(frozen=True)
class Column:
    """A figure of the table: its header, the column of ``expected.csv``, how to get ours."""

    header: str
    reference: str
    ours: Callable[[ProjectDocument], object]


def _first_start(document: ProjectDocument) -> datetime | None:
    return min((task.start for task in document.plan.tasks if task.start), default=None)


def _last_finish(document: ProjectDocument) -> datetime | None:
    return max((task.finish for task in document.plan.tasks if task.finish), default=None)


COLUMNS = (
    Column("tasks", "tasks", lambda document: len(document.plan.tasks)),
    Column(
        "summary tasks",
        "summary_tasks",
        lambda document: sum(task.summary for task in document.plan.tasks),
    ),
    Column(
        "milestones", "milestones", lambda document: sum(t.milestone for t in document.plan.tasks)
    ),
    Column("links", "links", lambda document: len(document.plan.links)),
    Column("resources", "resources_named", lambda document: document.counts()["resources"]),
    Column("assignments", "assignments", lambda document: len(document.assignments)),
    Column("calendars", "calendars", lambda document: len(document.plan.calendars)),
    Column("first start", "min_task_start", _first_start),
    Column("last finish", "max_task_finish", _last_finish),
)


@dataclass
class Outcome:
    """What was read from one file, beside its reference."""

    path: str
    format: str = ""
    cells: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)
    verdict: str = ""
    seconds: float = 0.0
    dates: DateCheck | None = None
    warnings: int = 0


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _reference(row: dict[str, str], column: str) -> object:
    """A value of ``expected.csv`` as Pilotage's figures are typed; None when it gives none."""
    text = (row.get(column) or "").strip()
    if not text:
        return None
    if column.endswith(("_start", "_finish")):
        return datetime.fromisoformat(text)
    return int(text)


def _is_calendar(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper().startswith(b"BEGIN:VCALENDAR")


def _read_table(data: bytes, name: str, file_format: str) -> ProjectDocument:
    from pilotage.interop.tabular import (
        TARGETS,
        convert_rows,
        guess_mapping,
        read_table,
        tasks_document,
    )

    table = read_table(data, name=name)
    target = TARGETS["tasks"]
    result = convert_rows(table, guess_mapping(table.headers, target), target)
    return tasks_document(
        result, name=Path(name).stem, source_format=file_format, ignore_errors=True
    )


def compare(path: Path, relative: str, row: dict[str, str] | None) -> Outcome:
    """Read one file and set its figures beside the reference's."""
    outcome = Outcome(relative)
    data = path.read_bytes()
    if _is_calendar(data):
        outcome.format = "ical"
        outcome.verdict = "not imported: Pilotage writes iCalendar files, it does not read them"
        return outcome
    begin = time.perf_counter()
    try:
        outcome.format = detect_format(data, path.name)
        if outcome.format in TABLE_FORMATS:
            document = _read_table(data, path.name, outcome.format)
        else:
            document = read_project_file(data, path.name, format=outcome.format)
    except PlanFileError as error:
        outcome.verdict = f"not read: {error}"
        return outcome
    outcome.seconds = time.perf_counter() - begin
    outcome.warnings = len(document.warnings)
    figures: dict[str, tuple[object, object]] = {}
    for column in COLUMNS:
        ours = column.ours(document)
        reference = _reference(row, column.reference) if row is not None else None
        figures[column.header] = ours, reference
        outcome.cells.append(f"{_shown(ours)} / {_shown(reference)}")
        if reference is not None and ours != reference:
            outcome.differing.append(column.header)
    if row is None:
        outcome.verdict = "no reference in expected.csv"
    elif outcome.differing:
        outcome.verdict = "differs: " + ", ".join(outcome.differing)
        unassigned = (
            _unassigned(path)
            if "assignments" in outcome.differing and outcome.format in SCHEDULING_FORMATS
            else None
        )
        ours, reference = figures["assignments"]
        if unassigned and isinstance(ours, int) and ours + unassigned == reference:
            noun = "assignment" if unassigned == 1 else "assignments"
            outcome.verdict += (
                f" (the difference is MPXJ's {unassigned} {noun} to no resource, which "
                "Pilotage leaves out)"
            )
        elif unassigned:
            outcome.verdict += f" (MPXJ counts {unassigned} assignments to no resource)"
    else:
        outcome.verdict = "agree"
    if outcome.format in SCHEDULING_FORMATS:
        outcome.dates = check_dates(document.plan)
    return outcome


def _unassigned(path: Path) -> int | None:
    """How many of the assignments MPXJ reads from a file are to no resource (None without
    MPXJ): Microsoft Project writes one to its placeholder resource for each task without a
    resource, and MPXJ counts them."""
    try:
        import jpype
        import mpxj  # noqa: F401 - puts MPXJ's jars on the class path
    except ImportError:
        return None
    try:
        if not jpype.isJVMStarted():
            jpype.startJVM(
                "-Djava.awt.headless=true",
                "-Dlog4j2.loggerContextFactory="
                "org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
                convertStrings=False,
            )
        project = jpype.JClass("org.mpxj.reader.UniversalProjectReader")().read(str(path))
    except Exception:  # no Java, or a file MPXJ refuses: nothing to explain with
        return None
    if project is None:
        return None
    return sum(1 for item in project.getResourceAssignments() if item.getResource() is None)


def sample_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.name not in SKIPPED_NAMES
        and path.suffix.lower() not in SKIPPED_SUFFIXES
        and not path.name.startswith(".")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples",
        type=Path,
        help="the directory of sample files and expected.csv (default: $PILOTAGE_SAMPLES_DIR)",
    )
    args = parser.parse_args()
    named = args.samples or (
        Path(os.environ["PILOTAGE_SAMPLES_DIR"]) if os.environ.get("PILOTAGE_SAMPLES_DIR") else None
    )
    if named is None:
        print("No samples to compare: name their directory with --samples or PILOTAGE_SAMPLES_DIR.")
        sys.exit(0)
    root = named.resolve()
    expected_csv = root / "expected.csv"
    if not expected_csv.is_file():
        print(f"No samples to compare: {expected_csv} does not exist.")
        sys.exit(2 if args.samples else 0)
    with expected_csv.open(encoding="utf-8", newline="") as stream:
        rows = {row["file"]: row for row in csv.DictReader(stream)}
    tools = sorted({row.get("tool", "") for row in rows.values() if row.get("tool")})

    outcomes = [
        compare(
            path, path.relative_to(root).as_posix(), rows.get(path.relative_to(root).as_posix())
        )
        for path in sample_files(root)
    ]

    source = f"expected.csv: {'; '.join(tools)}" if tools else "expected.csv"
    print(
        f"{len(outcomes)} sample files; each figure is Pilotage / reference ({source}); "
        "– where there is none."
    )
    print()
    headers = ["file", "format", *(column.header for column in COLUMNS), "verdict"]
    print("| " + " | ".join(headers) + " |")
    print("| --- | --- |" + " ---: |" * len(COLUMNS) + " --- |")
    for outcome in outcomes:
        cells = outcome.cells or [""] * len(COLUMNS)
        print(
            f"| {outcome.path} | {outcome.format} | "
            + " | ".join(cells)
            + f" | {outcome.verdict} |"
        )
    agreeing = sum(outcome.verdict == "agree" for outcome in outcomes)
    print()
    print(f"{agreeing} of {len(outcomes)} files agree on every figure the reference gives.")

    scheduled = [outcome for outcome in outcomes if outcome.dates is not None]
    if scheduled:
        print()
        print("Dates: each scheduling file's plan scheduled again by Pilotage, against its own.")
        print()
        print("| file | tasks with dates | keep their dates | the others, by reason |")
        print("| --- | ---: | ---: | --- |")
    for outcome in scheduled:
        check = outcome.dates
        assert check is not None
        if check.error:
            print(f"| {outcome.path} | – | – | not scheduled: {check.error} |")
            continue
        others = ", ".join(f"{reason} {count}" for reason, count in sorted(check.reasons.items()))
        print(f"| {outcome.path} | {check.compared} | {check.agreeing} | {others or '–'} |")
    print()
    seconds = sum(outcome.seconds for outcome in outcomes)
    print(
        f"Read in {seconds:.2f} s in all, {sum(outcome.warnings for outcome in outcomes)} "
        "warnings (the first file read through MPXJ also starts Java)."
    )


if __name__ == "__main__":
    main()
