"""Small builders of leveling problems for the tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pilotage.engine.leveling import LevelingProblem


def make_problem(
    durations: Sequence[int],
    demands: Sequence[Sequence[float]],
    capacity: Sequence[float] | np.ndarray,
    links: Sequence[tuple[int, int, int, int]] = (),
    horizon: int = 30,
    **extra: Any,
) -> LevelingProblem:
    """A problem from plain lists; ``links`` are (predecessor, successor, type, lag)."""
    cap = np.asarray(capacity, dtype=np.float64)
    if cap.ndim == 1:
        cap = np.repeat(cap[:, None], horizon, axis=1)
    link = np.array(links, dtype=np.int64).reshape(-1, 4)
    return LevelingProblem(
        durations=np.array(durations, dtype=np.int64),
        demands=np.array(demands, dtype=np.float64),
        capacity=cap,
        link_predecessor=link[:, 0],
        link_successor=link[:, 1],
        link_type=link[:, 2],
        link_lag=link[:, 3],
        **extra,
    )
