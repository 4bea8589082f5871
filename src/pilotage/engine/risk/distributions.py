"""Probability distributions of uncertain durations and costs, sampled with numpy alone.

Each distribution is a frozen dataclass, checked when it is built (a :class:`RiskInputError`
names the field at fault), with a vectorised :meth:`sample` that draws from an explicit
``numpy.random.Generator``, its :attr:`mean` in closed form and its :attr:`most_likely` value
(the single-point estimate a plan would use). Correlation between samples is induced afterwards
by reordering them (Iman and Conover's method, see :func:`rank_correlate`), so a distribution
never needs an inverse cumulative distribution function: this keeps the module free of scipy
and works for any distribution, the discrete one included.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt

from pilotage.engine.errors import RiskInputError

__all__ = [
    "Discrete",
    "Distribution",
    "LogNormal",
    "Pert",
    "Triangular",
    "Uniform",
    "as_distribution",
    "correlation_matrix",
    "rank_correlate",
    "scaled",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

_Z90: Final = 1.2815515655446004
"""The 90th percentile of the standard normal distribution."""


def _finite(owner: str, **values: float) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            raise RiskInputError(f"{owner}: {name} must be a finite number, not {value!r}")


def _three_point(owner: str, low: float, mode: float, high: float) -> None:
    _finite(owner, low=low, mode=mode, high=high)
    if not low <= mode <= high:
        raise RiskInputError(
            f"{owner}: the estimates must satisfy low <= mode <= high ({low}, {mode}, {high})"
        )


@runtime_checkable
class Distribution(Protocol):
    """What the simulation needs of a distribution."""

    @property
    def mean(self) -> float:
        """The expected value."""
        ...

    @property
    def most_likely(self) -> float:
        """The single-point estimate a deterministic plan would use."""
        ...

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws."""
        ...


@dataclass(frozen=True)
class Triangular:
    """The triangular distribution of a three-point estimate.

    Parameters
    ----------
    low, mode, high : float
        Optimistic, most likely and pessimistic values, ``low <= mode <= high``.

    Examples
    --------
    >>> Triangular(2, 4, 9).mean
    5.0
    >>> Triangular(5, 3, 9)
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.RiskInputError: Triangular: the estimates must satisfy \
low <= mode <= high (5, 3, 9)
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        _three_point("Triangular", self.low, self.mode, self.high)

    @property
    def mean(self) -> float:
        """``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3

    @property
    def most_likely(self) -> float:
        """The mode."""
        return float(self.mode)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values.

        Examples
        --------
        >>> Triangular(3, 3, 3).sample(np.random.default_rng(0), 2).tolist()
        [3.0, 3.0]
        """
        if self.low == self.high:
            return np.full(size, float(self.low))
        return rng.triangular(self.low, self.mode, self.high, size).astype(np.float64)


@dataclass(frozen=True)
class Pert:
    """The PERT (modified Beta) distribution of a three-point estimate.

    The Beta shape parameters are ``1 + shape * (mode - low) / (high - low)`` and
    ``1 + shape * (high - mode) / (high - low)``; ``shape = 4`` is the classic PERT, whose mean
    is ``(low + 4 mode + high) / 6``.

    Parameters
    ----------
    low, mode, high : float
        Optimistic, most likely and pessimistic values, ``low <= mode <= high``.
    shape : float, optional
        How strongly the values gather round the mode (positive; 4 by default).

    Examples
    --------
    >>> Pert(2, 4, 12).mean
    5.0
    """

    low: float
    mode: float
    high: float
    shape: float = 4.0

    def __post_init__(self) -> None:
        _three_point("Pert", self.low, self.mode, self.high)
        _finite("Pert", shape=self.shape)
        if self.shape <= 0:
            raise RiskInputError(f"Pert: shape must be positive, not {self.shape}")

    def _alpha_beta(self) -> tuple[float, float]:
        width = self.high - self.low
        return (
            1 + self.shape * (self.mode - self.low) / width,
            1 + self.shape * (self.high - self.mode) / width,
        )

    @property
    def mean(self) -> float:
        """``(low + shape * mode + high) / (shape + 2)``."""
        return (self.low + self.shape * self.mode + self.high) / (self.shape + 2)

    @property
    def most_likely(self) -> float:
        """The mode."""
        return float(self.mode)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values.

        Examples
        --------
        >>> values = Pert(1, 2, 6).sample(np.random.default_rng(0), 1000)
        >>> bool(values.min() >= 1 and values.max() <= 6)
        True
        """
        if self.low == self.high:
            return np.full(size, float(self.low))
        alpha, beta = self._alpha_beta()
        return self.low + (self.high - self.low) * rng.beta(alpha, beta, size)


@dataclass(frozen=True)
class Uniform:
    """Every value between ``low`` and ``high`` equally likely.

    Parameters
    ----------
    low, high : float
        The bounds, ``low <= high``.

    Examples
    --------
    >>> Uniform(2, 6).mean
    4.0
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        _finite("Uniform", low=self.low, high=self.high)
        if self.low > self.high:
            raise RiskInputError(f"Uniform: low must not exceed high ({self.low}, {self.high})")

    @property
    def mean(self) -> float:
        """The midpoint."""
        return (self.low + self.high) / 2

    @property
    def most_likely(self) -> float:
        """The midpoint (every value is as likely)."""
        return self.mean

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values.

        Examples
        --------
        >>> bool((Uniform(1, 2).sample(np.random.default_rng(0), 50) < 2).all())
        True
        """
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True)
class LogNormal:
    """A log-normal distribution given by its 10th and 90th percentiles.

    Parameters
    ----------
    p10, p90 : float
        The values exceeded 90 % and 10 % of the time, ``0 < p10 <= p90``.

    Examples
    --------
    >>> round(LogNormal(4, 9).median, 6)
    6.0
    >>> round(LogNormal.from_mean_sd(10, 0).mean, 6)
    10.0
    """

    p10: float
    p90: float

    def __post_init__(self) -> None:
        _finite("LogNormal", p10=self.p10, p90=self.p90)
        if not 0 < self.p10 <= self.p90:
            raise RiskInputError(
                f"LogNormal: the percentiles must satisfy 0 < p10 <= p90 ({self.p10}, {self.p90})"
            )

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        """The log-normal distribution with this mean and standard deviation.

        Parameters
        ----------
        mean, sd : float
            Positive mean, non-negative standard deviation.

        Returns
        -------
        LogNormal
            The distribution.

        Examples
        --------
        >>> distribution = LogNormal.from_mean_sd(10, 3)
        >>> round(distribution.mean, 6), round(distribution.sd, 6)
        (10.0, 3.0)
        """
        _finite("LogNormal", mean=mean, sd=sd)
        if mean <= 0 or sd < 0:
            raise RiskInputError(
                f"LogNormal: the mean must be positive and the sd not negative ({mean}, {sd})"
            )
        sigma = math.sqrt(math.log1p((sd / mean) ** 2))
        mu = math.log(mean) - sigma**2 / 2
        return cls(math.exp(mu - _Z90 * sigma), math.exp(mu + _Z90 * sigma))

    @property
    def mu(self) -> float:
        """The mean of the logarithm."""
        return (math.log(self.p10) + math.log(self.p90)) / 2

    @property
    def sigma(self) -> float:
        """The standard deviation of the logarithm."""
        return (math.log(self.p90) - math.log(self.p10)) / (2 * _Z90)

    @property
    def median(self) -> float:
        """``exp(mu)``."""
        return math.exp(self.mu)

    @property
    def mean(self) -> float:
        """``exp(mu + sigma^2 / 2)``."""
        return math.exp(self.mu + self.sigma**2 / 2)

    @property
    def sd(self) -> float:
        """The standard deviation."""
        return self.mean * math.sqrt(math.expm1(self.sigma**2))

    @property
    def most_likely(self) -> float:
        """The median (the mode of a skewed estimate is rarely what planners mean)."""
        return self.median

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values.

        Examples
        --------
        >>> bool((LogNormal(1, 3).sample(np.random.default_rng(0), 50) > 0).all())
        True
        """
        return rng.lognormal(self.mu, self.sigma, size)


@dataclass(frozen=True)
class Discrete:
    """A finite set of values with their probabilities.

    Parameters
    ----------
    values : sequence of float
        The values.
    probabilities : sequence of float
        Their probabilities, each within 0-1, summing to 1.

    Examples
    --------
    >>> Discrete((0, 10), (0.75, 0.25)).mean
    2.5
    >>> Discrete((0, 10), (0.5, 0.6))
    Traceback (most recent call last):
    ...
    pilotage.engine.errors.RiskInputError: Discrete: the probabilities must add up to 1 (1.1)
    """

    values: tuple[float, ...]
    probabilities: tuple[float, ...]

    def __post_init__(self) -> None:
        values = tuple(float(value) for value in self.values)
        probabilities = tuple(float(value) for value in self.probabilities)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "probabilities", probabilities)
        if not values or len(values) != len(probabilities):
            raise RiskInputError(
                f"Discrete: needs as many probabilities as values, at least one "
                f"({len(values)} values, {len(probabilities)} probabilities)"
            )
        for index, (value, probability) in enumerate(zip(values, probabilities, strict=True)):
            _finite("Discrete", **{f"values[{index}]": value})
            if not 0 <= probability <= 1:
                raise RiskInputError(
                    f"Discrete: probabilities[{index}] must be within 0-1, not {probability}"
                )
        total = math.fsum(probabilities)
        if abs(total - 1) > 1e-9:
            raise RiskInputError(f"Discrete: the probabilities must add up to 1 ({total:g})")

    @property
    def mean(self) -> float:
        """The probability-weighted sum of the values."""
        return math.fsum(v * p for v, p in zip(self.values, self.probabilities, strict=True))

    @property
    def most_likely(self) -> float:
        """The most probable value (the first of equals)."""
        return self.values[int(np.argmax(self.probabilities))]

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` values.

        Examples
        --------
        >>> Discrete((7,), (1,)).sample(np.random.default_rng(0), 3).tolist()
        [7.0, 7.0, 7.0]
        """
        cumulative = np.cumsum(self.probabilities)
        cumulative[-1] = 1.0
        chosen = np.searchsorted(cumulative, rng.random(size), side="right")
        return np.asarray(self.values, dtype=np.float64)[np.minimum(chosen, len(self.values) - 1)]


def rank_correlate(
    samples: FloatArray, correlation: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """Reorder each column of ``samples`` so that the columns have a given rank correlation.

    Iman and Conover's method (1982): normal scores drawn at random are given the target
    correlation with Cholesky factors, and each column of samples is rearranged to follow the
    ranks of its column of scores. The marginal distributions are untouched. The target is a
    Spearman rank correlation, turned into the Pearson correlation of the scores by
    ``2 sin(pi rho / 6)``.

    Parameters
    ----------
    samples : array of float64, shape (iterations, k)
        Independent draws, one column per variable.
    correlation : array of float64, shape (k, k)
        The target Spearman correlation matrix (symmetric, unit diagonal, positive definite).
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    array of float64, shape (iterations, k)
        The samples, reordered within each column.

    Raises
    ------
    RiskInputError
        If the matrix is not a valid correlation matrix.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.random((2000, 2))
    >>> y = rank_correlate(x, np.array([[1.0, 0.8], [0.8, 1.0]]), rng)
    >>> bool(abs(np.corrcoef(y.T)[0, 1] - 0.8) < 0.05)
    True
    """
    iterations, k = samples.shape
    if correlation.shape != (k, k):
        raise RiskInputError(f"correlation: needs a {k} x {k} matrix, not {correlation.shape}")
    if not np.allclose(correlation, correlation.T) or not np.allclose(np.diag(correlation), 1):
        raise RiskInputError("correlation: the matrix must be symmetric with a unit diagonal")
    if k < 2 or iterations < k + 2:
        return samples
    pearson = 2 * np.sin(np.pi * correlation / 6)
    try:
        target = np.linalg.cholesky(pearson)
    except np.linalg.LinAlgError as error:
        raise RiskInputError("correlation: the matrix is not positive definite") from error
    scores = rng.standard_normal((iterations, k))
    scores -= scores.mean(axis=0)
    try:
        current = np.linalg.cholesky(np.corrcoef(scores, rowvar=False))
    except np.linalg.LinAlgError:
        return samples
    shaped = scores @ np.linalg.inv(current).T @ target.T
    ranks = np.argsort(np.argsort(shaped, axis=0), axis=0)
    return np.take_along_axis(np.sort(samples, axis=0), ranks, axis=0)


_KNOWN: Final = (Triangular, Pert, Uniform, LogNormal, Discrete)


def as_distribution(value: Distribution | float, field: str) -> Distribution:
    """A distribution, or a fixed value made into a zero-width one.

    Examples
    --------
    >>> as_distribution(3, "cost").mean
    3.0
    """
    # The classes of this module first: a runtime check against the protocol is slow, and
    # a simulation may check tens of thousands of estimates.
    if isinstance(value, (*_KNOWN, Distribution)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return Triangular(float(value), float(value), float(value))
    raise RiskInputError(f"{field}: expected a distribution or a number, not {value!r}")


def correlation_matrix(
    pairs: Sequence[tuple[int, int, float]], variables: Sequence[int]
) -> FloatArray:
    """The correlation matrix over ``variables`` from (i, j, rho) pairs (1 on the diagonal).

    Examples
    --------
    >>> correlation_matrix([(4, 7, 0.5)], [4, 7]).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    where = {variable: index for index, variable in enumerate(variables)}
    matrix = np.eye(len(variables))
    for first, second, rho in pairs:
        if not -1 <= rho <= 1:
            raise RiskInputError(f"correlation: ({first}, {second}) must be within -1-1, not {rho}")
        if first == second or first not in where or second not in where:
            raise RiskInputError(
                f"correlation: ({first}, {second}) must join two tasks that have estimates"
            )
        matrix[where[first], where[second]] = matrix[where[second], where[first]] = rho
    return matrix


@dataclass(frozen=True)
class _Scaled:
    """A distribution whose values are those of another times a positive factor."""

    base: Distribution
    factor: float

    @property
    def mean(self) -> float:
        return self.base.mean * self.factor

    @property
    def most_likely(self) -> float:
        return self.base.most_likely * self.factor

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.asarray(self.base.sample(rng, size), dtype=np.float64) * self.factor


def scaled(distribution: Distribution, factor: float) -> Distribution:
    """The distribution of ``factor`` times a value of ``distribution`` (``factor >= 0``).

    The distributions of this module keep their family (a triangular estimate of a multiplier
    times a duration is a triangular estimate of the duration, drawn as fast); any other is
    wrapped.

    Examples
    --------
    >>> scaled(Triangular(0.9, 1.0, 1.5), 480)
    Triangular(low=432.0, mode=480.0, high=720.0)
    >>> scaled(Pert(1, 2, 4), 0)
    Triangular(low=0.0, mode=0.0, high=0.0)
    """
    factor = float(factor)
    _finite("scaled", factor=factor)
    if factor < 0:
        raise RiskInputError(f"scaled: the factor must not be negative, not {factor}")
    if factor == 0:
        return Triangular(0.0, 0.0, 0.0)
    if factor == 1:
        return distribution
    kind = type(distribution)
    if isinstance(distribution, Triangular) and kind is Triangular:
        return Triangular(
            distribution.low * factor, distribution.mode * factor, distribution.high * factor
        )
    if isinstance(distribution, Pert) and kind is Pert:
        return Pert(
            distribution.low * factor,
            distribution.mode * factor,
            distribution.high * factor,
            distribution.shape,
        )
    if isinstance(distribution, Uniform) and kind is Uniform:
        return Uniform(distribution.low * factor, distribution.high * factor)
    if isinstance(distribution, LogNormal) and kind is LogNormal:
        return LogNormal(distribution.p10 * factor, distribution.p90 * factor)
    if isinstance(distribution, Discrete) and kind is Discrete:
        return Discrete(
            tuple(value * factor for value in distribution.values), distribution.probabilities
        )
    return _Scaled(distribution, factor)
