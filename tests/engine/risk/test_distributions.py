"""Distributions: sample moments against closed forms, validation, rank correlation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pilotage.engine.errors import RiskInputError
from pilotage.engine.risk import Discrete, LogNormal, Pert, Triangular, Uniform
from pilotage.engine.risk.distributions import Distribution, rank_correlate

N = 200_000


def _variance(distribution: Distribution) -> float:
    if isinstance(distribution, Triangular):
        a, c, b = distribution.low, distribution.mode, distribution.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    if isinstance(distribution, Pert):
        a, c, b = distribution.low, distribution.mode, distribution.high
        mean = distribution.mean
        return (mean - a) * (b - mean) / (distribution.shape + 3)
    if isinstance(distribution, Uniform):
        return (distribution.high - distribution.low) ** 2 / 12
    if isinstance(distribution, LogNormal):
        return distribution.sd**2
    assert isinstance(distribution, Discrete)
    mean = distribution.mean
    return sum(
        p * (v - mean) ** 2
        for v, p in zip(distribution.values, distribution.probabilities, strict=True)
    )


@pytest.mark.parametrize(
    "distribution",
    [
        Triangular(2, 5, 14),
        Pert(2, 5, 14),
        Pert(10, 12, 30, shape=6),
        Uniform(3, 9),
        LogNormal(4, 16),
        Discrete((0, 5, 20), (0.5, 0.3, 0.2)),
    ],
)
def test_sample_mean_and_variance_match_closed_forms(distribution: Distribution) -> None:
    values = distribution.sample(np.random.default_rng(3), N)
    sd = math.sqrt(_variance(distribution))
    assert abs(values.mean() - distribution.mean) < 5 * sd / math.sqrt(N)
    assert values.std() == pytest.approx(sd, rel=0.02)


def test_pert_mean_is_the_classic_formula() -> None:
    assert Pert(1, 4, 13).mean == pytest.approx((1 + 4 * 4 + 13) / 6)


def test_lognormal_percentiles_are_the_given_ones() -> None:
    values = LogNormal(5, 20).sample(np.random.default_rng(4), N)
    assert np.percentile(values, [10, 90]) == pytest.approx([5, 20], rel=0.02)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Triangular(5, 3, 9),
        lambda: Triangular(1, 10, 9),
        lambda: Pert(5, 3, 9),
        lambda: Pert(1, 2, 3, shape=0),
        lambda: Uniform(4, 1),
        lambda: LogNormal(0, 3),
        lambda: LogNormal(5, 3),
        lambda: Triangular(1, float("nan"), 3),
        lambda: Discrete((1, 2), (0.5, 0.6)),
        lambda: Discrete((1, 2), (1.5, -0.5)),
        lambda: Discrete((1, 2), (1.0,)),
    ],
)
def test_bad_estimates_are_refused(build: object) -> None:
    with pytest.raises(RiskInputError):
        build()  # type: ignore[operator]


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.9])
def test_rank_correlation_reaches_the_requested_spearman(rho: float) -> None:
    rng = np.random.default_rng(5)
    samples = np.column_stack(
        [Triangular(1, 2, 9).sample(rng, 20_000), LogNormal(2, 8).sample(rng, 20_000)]
    )
    reordered = rank_correlate(samples, np.array([[1, rho], [rho, 1]], dtype=float), rng)
    ranks = np.argsort(np.argsort(reordered, axis=0), axis=0)
    assert np.asarray(np.corrcoef(ranks.T))[0, 1] == pytest.approx(rho, abs=0.03)
    # The marginal distributions are untouched.
    assert np.array_equal(np.sort(reordered, axis=0), np.sort(samples, axis=0))


def test_a_correlation_matrix_that_is_not_positive_definite_is_refused() -> None:
    matrix = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    with pytest.raises(RiskInputError, match="positive definite"):
        rank_correlate(np.random.default_rng(0).random((100, 3)), matrix, np.random.default_rng(0))
