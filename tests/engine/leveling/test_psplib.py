"""Reading PSPLIB .sm files (a small file written for the tests, in the PSPLIB layout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pilotage.engine.leveling import (
    LevelingOptions,
    PsplibFormatError,
    check_schedule,
    level_resources,
    read_psplib,
)

SMALL = """\
************************************************************************
file with basedata            : tiny.bas
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  6
horizon                       :  14
RESOURCES
  - renewable                 :  2   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          3           2   3   4
   2        1          1           5
   3        1          1           6
   4        1          1           6
   5        1          1           6
   6        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  R 2
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     3       2    0
  3      1     4       2    1
  4      1     2       1    1
  5      1     2       0    2
  6      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  R 2
    3    2
************************************************************************
"""


def test_reads_jobs_links_durations_and_capacities(tmp_path: Path):
    path = tmp_path / "tiny.sm"
    path.write_text(SMALL)
    instance = read_psplib(path)
    problem = instance.problem
    assert instance.name == "tiny"
    assert instance.jobs == (1, 2, 3, 4, 5, 6)
    assert problem.durations.tolist() == [0, 3, 4, 2, 2, 0]
    assert problem.demands.tolist()[2] == [2.0, 1.0]
    assert problem.capacity[:, 0].tolist() == [3.0, 2.0]
    assert sorted(
        zip(problem.link_predecessor.tolist(), problem.link_successor.tolist(), strict=True)
    ) == [
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 4),
        (2, 5),
        (3, 5),
        (4, 5),
    ]


def test_levels_the_small_instance_to_its_optimum():
    instance = read_psplib(SMALL, name="tiny")
    result = level_resources(instance.problem, LevelingOptions(schedules=500))
    # Jobs 2, 3 and 5 cannot overlap two by two (R1 for 2 and 3, R2 for 3 and 5, a link from
    # 2 to 5): 3 + 4 + 2 = 9 periods is the optimum.
    assert check_schedule(instance.problem, result.start) == []
    assert result.makespan == 9


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            SMALL.replace("   3        1          1           6", "   3        1          2   6"),
            r"tiny, line 16: expected: job, modes, successor count",
        ),
        (
            SMALL.replace("  4      1     2       1    1", "  4      1     2       1    x"),
            r"tiny, line 27: expected numbers",
        ),
        (SMALL.split("RESOURCEAVAILABILITIES")[0], "tiny: no RESOURCEAVAILABILITIES section"),
        (
            SMALL.replace(
                "   5        1          1           6", "   5        1          1           9"
            ),
            r"line 18: successor 9 is not a job",
        ),
    ],
)
def test_malformed_files_name_the_line(broken, message):
    with pytest.raises(PsplibFormatError, match=message):
        read_psplib(broken, name="tiny")


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(PsplibFormatError, match=r"absent\.sm: cannot be read"):
        read_psplib(tmp_path / "absent.sm")
