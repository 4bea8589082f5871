"""Reading PSPLIB single-mode RCPSP instances (``.sm`` files) into a :class:`LevelingProblem`.

PSPLIB (Kolisch & Sprecher, 1996) is the public benchmark of resource-constrained project
scheduling. An ``.sm`` file lists jobs (a dummy source and sink included), their successors
(finish-to-start, no lag), durations and demands of renewable resources with constant
capacities.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pilotage.engine.errors import ScheduleInputError
from pilotage.engine.leveling.problem import LevelingProblem

__all__ = ["PsplibFormatError", "PsplibInstance", "read_psplib"]


class PsplibFormatError(ScheduleInputError):
    """A PSPLIB file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True)
class PsplibInstance:
    """A PSPLIB instance: every job of the file, in file order (job 1 is task 0)."""

    name: str
    problem: LevelingProblem
    jobs: tuple[int, ...]


def _fail(name: str, line: int, message: str) -> PsplibFormatError:
    return PsplibFormatError(f"{name}, line {line}: {message}")


def read_psplib(path_or_text: str | os.PathLike[str], *, name: str | None = None) -> PsplibInstance:
    """Read a PSPLIB ``.sm`` file, given its path or its text.

    Parameters
    ----------
    path_or_text : str or path
        A path to the file, or the text itself (any string with a line break is text).
    name : str, optional
        The instance name (default: the file name without its extension, or ``"instance"``).

    Returns
    -------
    PsplibInstance

    Raises
    ------
    PsplibFormatError
        The text is not a single-mode PSPLIB file; the message names the file and the line.

    Examples
    --------
    >>> text = '''
    ... jobs (incl. supersource/sink ):  4
    ... horizon                       :  10
    ... PRECEDENCE RELATIONS:
    ... jobnr.    #modes  #successors   successors
    ...    1        1          2           2   3
    ...    2        1          1           4
    ...    3        1          1           4
    ...    4        1          0
    ... REQUESTS/DURATIONS:
    ... jobnr. mode duration  R 1
    ... ------------------------------------------------------------------------
    ...   1      1     0       0
    ...   2      1     3       2
    ...   3      1     2       2
    ...   4      1     0       0
    ... RESOURCEAVAILABILITIES:
    ...   R 1
    ...    3
    ... '''
    >>> instance = read_psplib(text, name="tiny")
    >>> instance.jobs, instance.problem.durations.tolist(), instance.problem.horizon
    ((1, 2, 3, 4), [0, 3, 2, 0], 10)
    """
    text: str
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        text = path_or_text
        label = name or "instance"
    else:
        path = Path(path_or_text)
        label = path.name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise PsplibFormatError(f"{label}: cannot be read ({error.strerror})") from error
        name = name or path.stem
    lines = text.splitlines()
    jobs_count = horizon = -1
    section = ""
    successors: dict[int, tuple[int, list[int], int]] = {}
    requests: dict[int, tuple[int, list[float], int]] = {}
    resources = -1
    capacity: list[float] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("*") or line.startswith("-"):
            continue
        upper = line.upper()
        if upper.startswith("JOBS (INCL"):
            jobs_count = _integer_after_colon(label, number, line)
            continue
        if upper.startswith("HORIZON"):
            horizon = _integer_after_colon(label, number, line)
            continue
        if upper.startswith("PRECEDENCE RELATIONS"):
            section = "precedence"
            continue
        if upper.startswith("REQUESTS/DURATIONS"):
            section = "requests"
            continue
        if upper.startswith("RESOURCEAVAILABILITIES"):
            section = "availability"
            continue
        if upper.startswith(("RESOURCES", "PROJECT INFORMATION", "PRONR")):
            section = ""
            continue
        if section == "":
            continue
        if upper.startswith("JOBNR"):
            if section == "requests":
                resources = len(re.findall(r"\bR\s*\d+", line))
            continue
        if section == "availability" and re.match(r"^[RND]\s*\d", line):
            continue
        fields = line.split()
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise _fail(label, number, f"expected numbers, got {line!r}") from None
        if any(v != int(v) for v in values[:3]):
            raise _fail(label, number, "job numbers, modes and counts must be whole numbers")
        if section == "precedence":
            if len(values) < 3 or len(values) != 3 + int(values[2]):
                raise _fail(label, number, "expected: job, modes, successor count, successors")
            if int(values[1]) != 1:
                raise _fail(label, number, "only single-mode instances are supported")
            successors[int(values[0])] = (
                int(values[1]),
                [int(v) for v in values[3:]],
                number,
            )
        elif section == "requests":
            if resources < 0:
                raise _fail(label, number, "requests before their header line")
            if len(values) != 3 + resources:
                raise _fail(label, number, f"expected job, mode, duration and {resources} requests")
            requests[int(values[0])] = (int(values[2]), values[3:], number)
        elif section == "availability":
            capacity = values
            section = ""
    if jobs_count < 0:
        raise PsplibFormatError(f"{label}: no 'jobs (incl. supersource/sink)' line")
    if capacity is None:
        raise PsplibFormatError(f"{label}: no RESOURCEAVAILABILITIES section")
    if resources >= 0 and len(capacity) != resources:
        raise PsplibFormatError(
            f"{label}: {len(capacity)} resource availabilities for {resources} resources"
        )
    job_numbers = tuple(range(1, jobs_count + 1))
    for job in job_numbers:
        if job not in successors:
            raise PsplibFormatError(f"{label}: job {job} has no precedence line")
        if job not in requests:
            raise PsplibFormatError(f"{label}: job {job} has no requests line")
    index = {job: i for i, job in enumerate(job_numbers)}
    predecessor: list[int] = []
    successor: list[int] = []
    for job in job_numbers:
        _, after, number = successors[job]
        for other in after:
            if other not in index:
                raise _fail(label, number, f"successor {other} is not a job of the file")
            predecessor.append(index[job])
            successor.append(index[other])
    durations = np.array([requests[job][0] for job in job_numbers], dtype=np.int64)
    if (durations < 0).any():
        job = job_numbers[int(np.argmax(durations < 0))]
        raise _fail(label, requests[job][2], "negative duration")
    demands = np.array([requests[job][1] for job in job_numbers], dtype=np.float64)
    demands = demands.reshape(len(job_numbers), len(capacity))
    periods = max(horizon, int(durations.sum()), 1)
    capacity_table = np.repeat(np.array(capacity, dtype=np.float64)[:, None], periods, axis=1)
    m = len(predecessor)
    problem = LevelingProblem(
        durations=durations,
        demands=demands,
        capacity=capacity_table,
        link_predecessor=np.array(predecessor, dtype=np.int64),
        link_successor=np.array(successor, dtype=np.int64),
        link_type=np.zeros(m, dtype=np.int64),
        link_lag=np.zeros(m, dtype=np.int64),
        task_names=tuple(f"job {job}" for job in job_numbers),
        resource_names=tuple(f"R{k + 1}" for k in range(len(capacity))),
    )
    return PsplibInstance(name=name or "instance", problem=problem, jobs=job_numbers)


def _integer_after_colon(label: str, number: int, line: str) -> int:
    _, _, value = line.partition(":")
    try:
        return int(value.split()[0])
    except (ValueError, IndexError):
        raise _fail(label, number, f"expected a whole number after ':', got {line!r}") from None
