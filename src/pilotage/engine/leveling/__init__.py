"""Resource leveling: the shortest schedule of a network within resource capacities.

:func:`level_resources` levels a :class:`LevelingProblem` (tasks on a grid of periods, links,
renewable resources with capacities over time, calendars) and returns a
:class:`LevelingResult` that explains every delay it introduced. :func:`read_psplib` reads the
PSPLIB benchmark and :func:`check_schedule` checks any schedule independently of the solver.
See ``docs/leveling.md``.
"""

from pilotage.engine.leveling.checker import check_schedule
from pilotage.engine.leveling.compiled import validate_problem
from pilotage.engine.leveling.level import level_resources
from pilotage.engine.leveling.problem import (
    LINK_FF,
    LINK_FS,
    LINK_SF,
    LINK_SS,
    Blocker,
    LevelingDelay,
    LevelingOptions,
    LevelingProblem,
    LevelingResult,
    Overallocation,
)
from pilotage.engine.leveling.psplib import PsplibFormatError, PsplibInstance, read_psplib
from pilotage.engine.leveling.reference import serial_sgs_reference

__all__ = [
    "LINK_FF",
    "LINK_FS",
    "LINK_SF",
    "LINK_SS",
    "Blocker",
    "LevelingDelay",
    "LevelingOptions",
    "LevelingProblem",
    "LevelingResult",
    "Overallocation",
    "PsplibFormatError",
    "PsplibInstance",
    "check_schedule",
    "level_resources",
    "read_psplib",
    "serial_sgs_reference",
    "validate_problem",
]
