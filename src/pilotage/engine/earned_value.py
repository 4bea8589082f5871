"""Earned value management with earned schedule, for every budget row of a portfolio at once.

:func:`earned_value_metrics` takes a shared time grid, the cumulative planned value (PV) of
each row (a project, a programme, a control account) on that grid, and each row's earned value
(EV) and actual cost (AC) at a status time; it returns the variances, the performance indices,
the estimates at completion and the earned schedule of every row. The formulas are those of
the PMI *Practice Standard for Earned Value Management* (second edition, 2011, with its
appendix D on schedule analysis) and of W. Lipke, "Schedule is Different" (*The Measurable
News*, 2003):

========================================  ==========================================
schedule variance, cost variance          SV = EV − PV, CV = EV − AC
schedule and cost performance indices     SPI = EV / PV, CPI = EV / AC
estimate at completion, atypical          EAC = AC + (BAC − EV)
estimate at completion, typical           EAC = BAC / CPI
estimate at completion, cost × schedule   EAC = AC + (BAC − EV) / (CPI × SPI)
estimate at completion, bottom-up         EAC = AC + ETC (the ETC re-estimated by the team)
estimate to complete, variance at compl.  ETC = EAC − AC, VAC = BAC − EAC
to-complete performance index             TCPI = (BAC − EV) / (BAC − AC) or / (EAC − AC)
earned schedule                           ES = the earliest time at which PV reaches EV
schedule variance and index (time)        SV(t) = ES − AT, SPI(t) = ES / AT
independent estimate at completion (t)    IEAC(t) = PD / SPI(t)
to-complete schedule performance index    TSPI = (PD − ES) / (PD − AT)
========================================  ==========================================

Every quantity is a float64 array with one value per row, computed by whole-array operations:
there is no Python loop over rows. A ratio whose denominator is zero is NaN (never an error,
never infinite). Amounts are in any one unit (minor or major currency units) and times in any
one unit (days, months); durations come out in the unit of the grid.

Examples
--------
A four-month plan of 1,000 reported at the end of month 3, when 450 has been earned for a cost
of 500:

>>> result = earned_value_metrics(
...     times=[0, 1, 2, 3, 4],
...     planned_value=[0, 100, 300, 600, 1000],
...     earned_value=450,
...     actual_cost=500,
...     as_of=3,
... )
>>> row = result.row(0)
>>> row["planned_value"], row["schedule_performance_index"], row["cost_performance_index"]
(600.0, 0.75, 0.9)
>>> round(row["estimate_at_completion"], 2)
1111.11
>>> row["earned_schedule"], row["schedule_variance_time"], row["planned_duration"]
(2.5, -0.5, 4.0)
>>> round(row["independent_estimate_at_completion_time"], 6)
4.8
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Final, Literal, TypeAlias, TypedDict, get_args

import numpy as np
import numpy.typing as npt

from pilotage.engine.errors import EarnedValueInputError

__all__ = [
    "EAC_METHODS",
    "EacMethod",
    "EarnedValueInputs",
    "EarnedValueResult",
    "earned_value_history",
    "earned_value_metrics",
    "roll_up_earned_value",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]
EacMethod: TypeAlias = Literal["atypical", "cpi", "cpi_spi", "bottom_up"]

EAC_METHODS: Final[tuple[str, ...]] = get_args(EacMethod)
"""The names ``method`` accepts, in the order of the estimate fields of the result."""

_REACH_TOLERANCE: Final = 1e-9
"""How close, relative to a row's budget, PV must come to a value to count as reaching it.

Sums of many rows (a portfolio's BAC against the last point of its summed PV curve) differ by
rounding in the last bits; without this allowance such a curve would never "reach" its BAC.
"""


@dataclass(frozen=True)
class EarnedValueResult:
    """The earned value metrics of each budget row (and, for a history, each status time).

    Every field but ``method`` is a float64 array of the same shape: ``(k,)``, one value per
    row, from :func:`earned_value_metrics`; ``(k, m)`` or ``(m,)`` from
    :func:`earned_value_history`. Amounts are in the unit of the input, times and durations
    in the unit of the time grid and measured from its first point. NaN marks a value that is
    undefined (a ratio with a zero denominator, an estimate that was not given).

    Attributes
    ----------
    planned_value, earned_value, actual_cost, budget_at_completion : array of float
        PV at the status time (interpolated), EV, AC and BAC.
    schedule_variance, cost_variance : array of float
        SV = EV − PV and CV = EV − AC.
    schedule_performance_index, cost_performance_index : array of float
        SPI = EV / PV and CPI = EV / AC.
    estimate_at_completion_atypical : array of float
        AC + BAC − EV: the remaining work will cost what was budgeted.
    estimate_at_completion_cpi : array of float
        BAC / CPI: the remaining work will cost as the work done so far did.
    estimate_at_completion_cpi_spi : array of float
        AC + (BAC − EV) / (CPI × SPI): cost and schedule performance both weigh on the rest.
    estimate_at_completion_bottom_up : array of float
        AC + the bottom-up estimate to complete (NaN where none was given).
    estimate_at_completion : array of float
        The estimate chosen by ``method``.
    estimate_to_complete, variance_at_completion : array of float
        ETC = EAC − AC and VAC = BAC − EAC, from the chosen estimate.
    to_complete_performance_index_bac, to_complete_performance_index_eac : array of float
        (BAC − EV) / (BAC − AC) and (BAC − EV) / (EAC − AC): the cost efficiency the remaining
        work needs to finish at the budget or at the chosen estimate. Negative when the
        money is already spent.
    percent_complete, percent_spent : array of float
        EV / BAC and AC / BAC, as fractions (1.0 is 100 %).
    earned_schedule, actual_time, planned_duration : array of float
        ES, AT and PD, measured from the first time of the grid.
    schedule_variance_time, schedule_performance_index_time : array of float
        SV(t) = ES − AT and SPI(t) = ES / AT.
    independent_estimate_at_completion_time : array of float
        IEAC(t) = PD / SPI(t), the forecast total duration.
    to_complete_schedule_performance_index : array of float
        TSPI = (PD − ES) / (PD − AT), the schedule efficiency needed to finish on time.
    method : str
        The estimate at completion chosen (one of :data:`EAC_METHODS`).
    """

    planned_value: FloatArray
    earned_value: FloatArray
    actual_cost: FloatArray
    budget_at_completion: FloatArray
    schedule_variance: FloatArray
    cost_variance: FloatArray
    schedule_performance_index: FloatArray
    cost_performance_index: FloatArray
    estimate_at_completion_atypical: FloatArray
    estimate_at_completion_cpi: FloatArray
    estimate_at_completion_cpi_spi: FloatArray
    estimate_at_completion_bottom_up: FloatArray
    estimate_at_completion: FloatArray
    estimate_to_complete: FloatArray
    variance_at_completion: FloatArray
    to_complete_performance_index_bac: FloatArray
    to_complete_performance_index_eac: FloatArray
    percent_complete: FloatArray
    percent_spent: FloatArray
    earned_schedule: FloatArray
    actual_time: FloatArray
    planned_duration: FloatArray
    schedule_variance_time: FloatArray
    schedule_performance_index_time: FloatArray
    independent_estimate_at_completion_time: FloatArray
    to_complete_schedule_performance_index: FloatArray
    method: str = "cpi"

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of every array: ``(k,)``, ``(k, m)`` or ``(m,)``.

        Examples
        --------
        >>> earned_value_metrics(times=[0, 1], planned_value=[[0, 10], [0, 20]],
        ...                      earned_value=5, actual_cost=5, as_of=1).shape
        (2,)
        """
        return tuple(self.planned_value.shape)

    def row(self, i: int) -> dict[str, float | None]:
        """The metrics of row ``i`` (of status ``i`` for a one-row history) by name; NaN is None.

        Examples
        --------
        >>> result = earned_value_metrics(times=[0, 10], planned_value=[0, 100],
        ...                               earned_value=50, actual_cost=0, as_of=5)
        >>> row = result.row(0)
        >>> row["cost_variance"], row["cost_performance_index"]
        (50.0, None)
        """
        if len(self.shape) != 1:
            raise ValueError("row() needs one-dimensional metrics; use at_status(j) first")
        values: dict[str, float | None] = {}
        for field in fields(self):
            if field.name == "method":
                continue
            value = float(getattr(self, field.name)[i])
            values[field.name] = None if np.isnan(value) else value
        return values

    def at_status(self, j: int) -> EarnedValueResult:
        """The metrics of every row at the ``j``-th status time of a history.

        Examples
        --------
        >>> history = earned_value_history(
        ...     times=[0, 10], planned_value=[[0, 100], [0, 200]],
        ...     earned_value=[[10, 40], [30, 90]], actual_cost=[[10, 50], [30, 80]],
        ...     status_times=[2, 5])
        >>> history.shape, history.at_status(1).earned_value.tolist()
        ((2, 2), [40.0, 90.0])
        """
        if len(self.shape) != 2:
            raise ValueError("at_status() needs the (rows, status times) metrics of a history")
        columns = {
            field.name: getattr(self, field.name)[:, j]
            for field in fields(self)
            if field.name != "method"
        }
        return replace(self, **columns)


class EarnedValueInputs(TypedDict):
    """Summed inputs of groups of rows, ready to pass on to :func:`earned_value_metrics`."""

    planned_value: FloatArray
    earned_value: FloatArray
    actual_cost: FloatArray
    budget_at_completion: FloatArray
    estimate_to_complete: FloatArray | None


def earned_value_metrics(
    *,
    times: npt.ArrayLike,
    planned_value: npt.ArrayLike,
    earned_value: npt.ArrayLike,
    actual_cost: npt.ArrayLike,
    as_of: float,
    budget_at_completion: npt.ArrayLike | None = None,
    estimate_to_complete: npt.ArrayLike | None = None,
    method: str = "cpi",
) -> EarnedValueResult:
    """Earned value and earned schedule metrics of ``k`` budget rows at one status time.

    Parameters
    ----------
    times : array_like of float, shape (n,)
        The time grid shared by every row, strictly increasing, at least one point. Durations
        (ES, AT, PD) are measured from ``times[0]``.
    planned_value : array_like of float, shape (n,) or (k, n)
        The cumulative planned value of each row at each time: non-negative, never decreasing.
        One curve of shape (n,) serves every row.
    earned_value, actual_cost : array_like of float, scalar or shape (k,)
        The cumulative EV and AC of each row at ``as_of``; non-negative.
    as_of : float
        The status time, on the axis of ``times``.
    budget_at_completion : array_like of float, scalar or shape (k,), optional
        BAC of each row; by default the last planned value of its curve.
    estimate_to_complete : array_like of float, scalar or shape (k,), optional
        The bottom-up estimate to complete of each row, NaN where there is none.
    method : {"cpi", "atypical", "cpi_spi", "bottom_up"}
        Which estimate becomes ``estimate_at_completion`` (and so ETC, VAC and TCPI to EAC).
        ``"bottom_up"`` falls back to ``"cpi"`` in rows without a bottom-up estimate.

    Returns
    -------
    EarnedValueResult
        Arrays of shape (k,).

    Raises
    ------
    EarnedValueInputError
        When the shapes disagree, the times do not increase, a planned value is negative or
        decreases, EV or AC is negative, a value is not finite or ``method`` is unknown. The
        message names the field and the row.

    Notes
    -----
    PV at ``as_of`` is interpolated linearly on the cumulative curve: 0 before ``times[0]``,
    the last value after the end of the grid.

    Earned schedule follows Lipke: with C the last grid point where PV ≤ EV,
    ES = t_C + (EV − PV_C) / (PV_C+1 − PV_C) × (t_C+1 − t_C) − times[0]. Where the curve is
    flat the earliest time at which PV reaches EV is taken (so EV = 0 earns no schedule), and
    EV ≥ BAC earns the whole planned duration. AT = ``as_of`` − times[0] (0 before the start);
    PD is the time at which PV first reaches BAC, minus times[0] (NaN when the curve never
    reaches BAC, and so ES for an EV beyond the end of such a curve). A curve within a
    billionth of the budget below a value counts as reaching it, so that the rounding of
    summed amounts does not leave a portfolio's curve just short of its summed BAC.

    Examples
    --------
    Two projects on one monthly grid, reported at month 2:

    >>> result = earned_value_metrics(
    ...     times=[0, 1, 2, 3],
    ...     planned_value=[[0, 10, 20, 30], [0, 50, 100, 100]],
    ...     earned_value=[15, 100],
    ...     actual_cost=[20, 80],
    ...     as_of=2,
    ... )
    >>> result.schedule_performance_index.tolist(), result.cost_performance_index.tolist()
    ([0.75, 1.0], [0.75, 1.25])
    >>> result.earned_schedule.tolist(), result.planned_duration.tolist()
    ([1.5, 2.0], [3.0, 2.0])
    >>> result.estimate_at_completion.tolist()
    [40.0, 80.0]

    A bottom-up estimate where the team gave one, the CPI estimate elsewhere:

    >>> earned_value_metrics(
    ...     times=[0, 1, 2, 3], planned_value=[[0, 10, 20, 30], [0, 50, 100, 100]],
    ...     earned_value=[15, 100], actual_cost=[20, 80], as_of=2,
    ...     estimate_to_complete=[25, float("nan")], method="bottom_up",
    ... ).estimate_at_completion.tolist()
    [45.0, 80.0]
    """
    grid = _times(times)
    chosen = _method(method)
    status = _finite_scalar("as_of", as_of)
    curves = _planned_value(planned_value, grid.size)
    named = {
        "earned_value": _float_array("earned_value", earned_value),
        "actual_cost": _float_array("actual_cost", actual_cost),
        "budget_at_completion": (
            None
            if budget_at_completion is None
            else _float_array("budget_at_completion", budget_at_completion)
        ),
        "estimate_to_complete": (
            None
            if estimate_to_complete is None
            else _float_array("estimate_to_complete", estimate_to_complete)
        ),
    }
    for name, value in named.items():
        if value is not None and value.ndim > 1:
            raise EarnedValueInputError(
                f"{name} must be a number or one value per row, not an array of shape {value.shape}"
            )
    counts = [("planned_value", curves.shape[0])] if curves.ndim == 2 else []
    counts += [
        (name, value.size) for name, value in named.items() if value is not None and value.ndim == 1
    ]
    rows = _agreed_rows(counts)
    pv = _rows(curves, rows)
    ev = _column("earned_value", named["earned_value"], rows)
    ac = _column("actual_cost", named["actual_cost"], rows)
    bac = _budget(named["budget_at_completion"], pv, rows)
    etc = _column("estimate_to_complete", named["estimate_to_complete"], rows)
    _check_amounts(ev=ev, ac=ac, etc=etc)
    result = _compute(
        grid,
        pv,
        ev[:, np.newaxis],
        ac[:, np.newaxis],
        np.array([status]),
        bac,
        etc[:, np.newaxis],
        chosen,
    )
    return result.at_status(0)


def earned_value_history(
    *,
    times: npt.ArrayLike,
    planned_value: npt.ArrayLike,
    earned_value: npt.ArrayLike,
    actual_cost: npt.ArrayLike,
    status_times: npt.ArrayLike,
    budget_at_completion: npt.ArrayLike | None = None,
    estimate_to_complete: npt.ArrayLike | None = None,
    method: str = "cpi",
) -> EarnedValueResult:
    """The metrics of :func:`earned_value_metrics` at each of ``m`` status times.

    The baseline (``times``, ``planned_value``, ``budget_at_completion``) is the same at every
    status time; the progress (``earned_value``, ``actual_cost``, ``estimate_to_complete``) has
    one column per status time.

    Parameters
    ----------
    times, planned_value, budget_at_completion, method
        As for :func:`earned_value_metrics`.
    earned_value, actual_cost : array_like of float, shape (m,) or (k, m)
        Cumulative EV and AC of each row at each status time (a scalar or an (m,) array
        serves every row).
    status_times : array_like of float, shape (m,)
        The status times, in any order.
    estimate_to_complete : array_like of float, scalar, shape (m,) or (k, m), optional
        Bottom-up estimates to complete, NaN where there is none.

    Returns
    -------
    EarnedValueResult
        Arrays of shape (m,) for one curve of shape (n,) with progress of shape (m,); of shape
        (k, m) otherwise.

    Raises
    ------
    EarnedValueInputError
        As :func:`earned_value_metrics`, naming the row and the status column at fault.

    Examples
    --------
    One project reported monthly: the SPI recovers to 1 at the late finish, the SPI(t) does
    not.

    >>> history = earned_value_history(
    ...     times=[0, 1, 2, 3, 4],
    ...     planned_value=[0, 25, 50, 75, 100],
    ...     earned_value=[20, 40, 60, 80, 100],
    ...     actual_cost=[20, 40, 60, 80, 100],
    ...     status_times=[1, 2, 3, 4, 5],
    ... )
    >>> history.schedule_performance_index.round(3).tolist()
    [0.8, 0.8, 0.8, 0.8, 1.0]
    >>> history.schedule_performance_index_time.round(3).tolist()
    [0.8, 0.8, 0.8, 0.8, 0.8]
    """
    grid = _times(times)
    chosen = _method(method)
    statuses = _float_array("status_times", status_times)
    if statuses.ndim != 1 or statuses.size == 0:
        raise EarnedValueInputError(
            f"status_times must be a list of at least one time, not an array of shape "
            f"{statuses.shape}"
        )
    if not np.all(np.isfinite(statuses)):
        index = int(np.flatnonzero(~np.isfinite(statuses))[0])
        raise EarnedValueInputError(f"status_times[{index}] is not a finite number")
    curves = _planned_value(planned_value, grid.size)
    m = statuses.size
    progress = {
        "earned_value": _float_array("earned_value", earned_value),
        "actual_cost": _float_array("actual_cost", actual_cost),
        "estimate_to_complete": (
            None
            if estimate_to_complete is None
            else _float_array("estimate_to_complete", estimate_to_complete)
        ),
    }
    counts = [("planned_value", curves.shape[0])] if curves.ndim == 2 else []
    for name, value in progress.items():
        if value is None or value.ndim == 0:
            continue
        if value.ndim > 2 or value.shape[-1] != m:
            raise EarnedValueInputError(
                f"{name} must have one column per status time ({m}), not shape {value.shape}"
            )
        if value.ndim == 2:
            counts.append((name, value.shape[0]))
    budget = (
        None
        if budget_at_completion is None
        else _float_array("budget_at_completion", budget_at_completion)
    )
    if budget is not None:
        if budget.ndim > 1:
            raise EarnedValueInputError(
                f"budget_at_completion must be a number or one value per row, not an array "
                f"of shape {budget.shape}"
            )
        if budget.ndim == 1:
            counts.append(("budget_at_completion", budget.size))
    rows = _agreed_rows(counts)
    pv = _rows(curves, rows)
    ev = _table(progress["earned_value"], rows, m)
    ac = _table(progress["actual_cost"], rows, m)
    etc = _table(progress["estimate_to_complete"], rows, m)
    bac = _budget(budget, pv, rows)
    _check_amounts(ev=ev, ac=ac, etc=etc)
    result = _compute(grid, pv, ev, ac, statuses, bac, etc, chosen)
    single = curves.ndim == 1 and all(
        value is None or value.ndim < 2 for value in progress.values()
    )
    if single and rows == 1:
        columns = {
            field.name: getattr(result, field.name)[0]
            for field in fields(result)
            if field.name != "method"
        }
        return replace(result, **columns)
    return result


def roll_up_earned_value(
    *,
    planned_value: npt.ArrayLike,
    earned_value: npt.ArrayLike,
    actual_cost: npt.ArrayLike,
    groups: npt.ArrayLike,
    n_groups: int,
    budget_at_completion: npt.ArrayLike | None = None,
    estimate_to_complete: npt.ArrayLike | None = None,
) -> EarnedValueInputs:
    """Sum the inputs of ``k`` rows into ``n_groups`` groups (programmes, portfolios).

    Pass the result to :func:`earned_value_metrics` (with the same ``times`` and ``as_of``)
    to get each group's metrics. The indices of a group therefore come from its summed PV, EV
    and AC (a portfolio's CPI is its total EV over its total AC), never from an average of its
    rows' indices, which would weigh a small project as much as a large one.

    Parameters
    ----------
    planned_value : array_like of float, shape (k, n)
        Cumulative planned value curves on one time grid.
    earned_value, actual_cost : array_like of float, scalar or shape (k,)
        EV and AC of each row.
    groups : array_like of int, shape (k,)
        The group of each row, from 0 to ``n_groups`` − 1.
    n_groups : int
        The number of groups; a group without rows sums to zero.
    budget_at_completion : array_like of float, scalar or shape (k,), optional
        BAC of each row, by default the end of its curve.
    estimate_to_complete : array_like of float, scalar or shape (k,), optional
        Bottom-up ETC of each row; a group has one only when all its rows have one (NaN
        otherwise).

    Returns
    -------
    EarnedValueInputs
        ``planned_value`` of shape (n_groups, n), and ``earned_value``, ``actual_cost``,
        ``budget_at_completion`` and ``estimate_to_complete`` (None when not given) of shape
        (n_groups,).

    Raises
    ------
    EarnedValueInputError
        When the shapes disagree, a group index is out of range, or an input is invalid as
        for :func:`earned_value_metrics`.

    Examples
    --------
    Three projects in two programmes:

    >>> programmes = roll_up_earned_value(
    ...     planned_value=[[0, 10, 20], [0, 30, 60], [0, 5, 10]],
    ...     earned_value=[10, 20, 10],
    ...     actual_cost=[20, 20, 5],
    ...     groups=[0, 0, 1],
    ...     n_groups=2,
    ... )
    >>> programmes["planned_value"].tolist(), programmes["earned_value"].tolist()
    ([[0.0, 40.0, 80.0], [0.0, 5.0, 10.0]], [30.0, 10.0])
    >>> result = earned_value_metrics(times=[0, 1, 2], as_of=1, **programmes)
    >>> result.cost_performance_index.tolist()
    [0.75, 2.0]
    """
    curves = _planned_value(planned_value, None)
    if curves.ndim == 1:
        curves = curves[np.newaxis, :]
    rows = curves.shape[0]
    ev = _column("earned_value", _float_array("earned_value", earned_value), rows)
    ac = _column("actual_cost", _float_array("actual_cost", actual_cost), rows)
    budget = (
        None
        if budget_at_completion is None
        else _float_array("budget_at_completion", budget_at_completion)
    )
    bac = _budget(budget, curves, rows)
    etc = (
        None
        if estimate_to_complete is None
        else _column(
            "estimate_to_complete",
            _float_array("estimate_to_complete", estimate_to_complete),
            rows,
        )
    )
    _check_amounts(ev=ev, ac=ac, etc=etc if etc is not None else np.full(rows, np.nan))
    index = _groups(groups, rows, n_groups)
    points = curves.shape[1]
    # One bincount over (group, time) cells. It adds the rows in their order, so every point
    # of a group's curve sums its rows in the same order and the summed curve stays
    # non-decreasing to the last bit.
    cells = (index[:, np.newaxis] * points + np.arange(points)).ravel()
    summed_pv = (
        np.bincount(cells, weights=curves.ravel(), minlength=n_groups * points)
        .astype(np.float64, copy=False)
        .reshape(n_groups, points)
    )
    return EarnedValueInputs(
        planned_value=summed_pv,
        earned_value=_group_sum(index, ev, n_groups),
        actual_cost=_group_sum(index, ac, n_groups),
        budget_at_completion=_group_sum(index, bac, n_groups),
        estimate_to_complete=None if etc is None else _group_sum(index, etc, n_groups),
    )


def _compute(
    times: FloatArray,
    pv: FloatArray,
    ev: FloatArray,
    ac: FloatArray,
    status_times: FloatArray,
    bac: FloatArray,
    etc: FloatArray,
    method: str,
) -> EarnedValueResult:
    """Every metric as a (k, m) array: k rows, m status times; the inputs are validated.

    Amounts near the limits of float64 can overflow; what overflows is undefined, so NaN.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        result = _formulas(times, pv, ev, ac, status_times, bac, etc, method)
    for field in fields(result):
        if field.name != "method":
            values = getattr(result, field.name)
            values[np.isinf(values)] = np.nan
    return result


def _formulas(
    times: FloatArray,
    pv: FloatArray,
    ev: FloatArray,
    ac: FloatArray,
    status_times: FloatArray,
    bac: FloatArray,
    etc: FloatArray,
    method: str,
) -> EarnedValueResult:
    pv_now = _planned_value_at(times, pv, status_times)
    bac_now = np.broadcast_to(bac[:, np.newaxis], ev.shape)
    spi = _ratio(ev, pv_now)
    cpi = _ratio(ev, ac)
    remaining = bac_now - ev
    eac_atypical = ac + remaining
    # BAC / CPI written as BAC × AC / EV, which stays exact where EV / AC would overflow.
    eac_cpi = np.where(ac == 0, np.nan, _ratio(bac_now * ac, ev))
    eac_cpi_spi = ac + _ratio(remaining, cpi * spi)
    eac_bottom_up = ac + etc
    eac = {
        "atypical": eac_atypical,
        "cpi": eac_cpi,
        "cpi_spi": eac_cpi_spi,
        "bottom_up": np.where(np.isnan(eac_bottom_up), eac_cpi, eac_bottom_up),
    }[method]
    scale = np.maximum(bac, pv[:, -1])
    targets = np.concatenate([np.minimum(ev, bac_now), bac[:, np.newaxis]], axis=1)
    reached = _time_reached(times, pv, targets, scale) - times[0]
    earned_schedule = reached[:, :-1]
    planned_duration = np.broadcast_to(reached[:, -1:], ev.shape)
    actual_time = np.broadcast_to(np.maximum(status_times - times[0], 0.0), ev.shape)
    spi_time = _ratio(earned_schedule, actual_time)
    return EarnedValueResult(
        planned_value=pv_now,
        earned_value=ev,
        actual_cost=ac,
        budget_at_completion=np.array(bac_now),
        schedule_variance=ev - pv_now,
        cost_variance=ev - ac,
        schedule_performance_index=spi,
        cost_performance_index=cpi,
        estimate_at_completion_atypical=eac_atypical,
        estimate_at_completion_cpi=eac_cpi,
        estimate_at_completion_cpi_spi=eac_cpi_spi,
        estimate_at_completion_bottom_up=eac_bottom_up,
        estimate_at_completion=eac,
        estimate_to_complete=eac - ac,
        variance_at_completion=bac_now - eac,
        to_complete_performance_index_bac=_ratio(remaining, bac_now - ac),
        to_complete_performance_index_eac=_ratio(remaining, eac - ac),
        percent_complete=_ratio(ev, bac_now),
        percent_spent=_ratio(ac, bac_now),
        earned_schedule=earned_schedule,
        actual_time=np.array(actual_time),
        planned_duration=np.array(planned_duration),
        schedule_variance_time=earned_schedule - actual_time,
        schedule_performance_index_time=spi_time,
        independent_estimate_at_completion_time=_ratio(planned_duration, spi_time),
        to_complete_schedule_performance_index=_ratio(
            planned_duration - earned_schedule, planned_duration - actual_time
        ),
        method=method,
    )


def _planned_value_at(times: FloatArray, pv: FloatArray, at: FloatArray) -> FloatArray:
    """Each curve of ``pv`` (k, n) interpolated at each time of ``at`` (m,): shape (k, m)."""
    n = times.size
    segment = np.searchsorted(times, at, side="right") - 1
    if n == 1:
        value = np.broadcast_to(pv[:, :1], (pv.shape[0], at.size))
    else:
        start = np.clip(segment, 0, n - 2)
        weight = np.clip((at - times[start]) / (times[start + 1] - times[start]), 0.0, 1.0)
        low = pv[:, start]
        value = low + weight * (pv[:, start + 1] - low)
    value = np.where(segment >= n - 1, pv[:, -1:], value)
    result: FloatArray = np.where(segment < 0, 0.0, value)
    return result


def _time_reached(
    times: FloatArray, pv: FloatArray, targets: FloatArray, scale: FloatArray
) -> FloatArray:
    """The earliest time at which each curve of ``pv`` reaches each of its ``targets``.

    ``targets`` is (k, c); the answer is (k, c), NaN where the curve never reaches the target.
    Between grid points the time is interpolated linearly, as the curve is.
    """
    n = times.size
    tolerance = _REACH_TOLERANCE * scale
    below = np.empty(targets.shape, dtype=np.intp)
    # One comparison of the whole (k, n) table per target column: k·n work and memory each,
    # where a single broadcast over all columns would need k·n·c.
    for column in range(targets.shape[1]):
        threshold = (targets[:, column] - tolerance)[:, np.newaxis]
        below[:, column] = np.count_nonzero(pv < threshold, axis=1)
    after = np.minimum(below, n - 1)
    before = np.maximum(below - 1, 0)
    value_before = np.take_along_axis(pv, before, axis=1)
    step = np.take_along_axis(pv, after, axis=1) - value_before
    fraction = np.ones(targets.shape, dtype=np.float64)
    np.divide(targets - value_before, step, out=fraction, where=step > 0)
    fraction = np.clip(fraction, 0.0, 1.0)
    interpolated = times[before] + fraction * (times[after] - times[before])
    reached = np.where(fraction >= 1.0, times[after], interpolated)
    result: FloatArray = np.where(below >= n, np.nan, reached)
    return result


def _ratio(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> FloatArray:
    """numerator / denominator, NaN where the denominator is zero or the quotient overflows."""
    top, bottom = np.broadcast_arrays(
        np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    )
    result = np.full(top.shape, np.nan, dtype=np.float64)
    np.divide(top, bottom, out=result, where=bottom != 0)
    result[np.isinf(result)] = np.nan
    return result


def _float_array(name: str, value: npt.ArrayLike) -> FloatArray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise EarnedValueInputError(f"{name} must be numbers") from error
    return array


def _finite_scalar(name: str, value: float) -> float:
    array = _float_array(name, value)
    if array.ndim != 0 or not np.isfinite(array):
        raise EarnedValueInputError(f"{name} must be one finite number")
    return float(array)


def _method(method: str) -> str:
    if method not in EAC_METHODS:
        raise EarnedValueInputError(
            f"method must be one of {', '.join(EAC_METHODS)}, not {method!r}"
        )
    return method


def _times(times: npt.ArrayLike) -> FloatArray:
    grid = _float_array("times", times)
    if grid.ndim != 1 or grid.size == 0:
        raise EarnedValueInputError(
            f"times must be a list of at least one time, not an array of shape {grid.shape}"
        )
    if not np.all(np.isfinite(grid)):
        index = int(np.flatnonzero(~np.isfinite(grid))[0])
        raise EarnedValueInputError(f"times[{index}] is not a finite number")
    not_after = np.flatnonzero(np.diff(grid) <= 0)
    if not_after.size:
        index = int(not_after[0]) + 1
        raise EarnedValueInputError(
            f"times must be strictly increasing: times[{index}] = {grid[index]:g} does not "
            f"come after times[{index - 1}] = {grid[index - 1]:g}"
        )
    return grid


def _planned_value(planned_value: npt.ArrayLike, n: int | None) -> FloatArray:
    curves = _float_array("planned_value", planned_value)
    if curves.ndim not in (1, 2):
        raise EarnedValueInputError(
            f"planned_value must be one curve or one curve per row, not an array of shape "
            f"{curves.shape}"
        )
    if curves.shape[-1] == 0 or (n is not None and curves.shape[-1] != n):
        raise EarnedValueInputError(
            f"planned_value has {curves.shape[-1]} points per curve but times has {n}"
            if n is not None
            else "planned_value must have at least one point per curve"
        )
    table = curves.reshape(-1, curves.shape[-1])
    problems = (
        (~np.isfinite(table), "is not a finite number"),
        (table < 0, "is negative"),
    )
    for mask, problem in problems:
        if mask.any():
            row, point = (int(i) for i in np.argwhere(mask)[0])
            raise EarnedValueInputError(
                f"planned_value{_row_label(curves, row)} {problem} at time index {point}"
            )
    falls = np.diff(table, axis=1) < 0
    if falls.any():
        row, point = (int(i) for i in np.argwhere(falls)[0])
        raise EarnedValueInputError(
            f"planned_value{_row_label(curves, row)} decreases at time index {point + 1} "
            f"({table[row, point + 1]:g} after {table[row, point]:g}); planned value is "
            f"cumulative"
        )
    return curves


def _row_label(curves: FloatArray, row: int) -> str:
    return f" row {row}" if curves.ndim == 2 else ""


def _agreed_rows(counts: list[tuple[str, int]]) -> int:
    """The number of rows the inputs agree on; each count is that row count or 1 (shared).

    A table of curves sets the number of rows; otherwise the longest input does.
    """
    if not counts:
        return 1
    reference, rows = counts[0] if counts[0][0] == "planned_value" else max(counts, key=_count)
    for name, count in counts:
        if count not in (1, rows):
            raise EarnedValueInputError(
                f"{name} has {count} rows but {reference} has {rows}: give one value per row, "
                f"or one for all"
            )
    return rows


def _count(named: tuple[str, int]) -> int:
    return named[1]


def _rows(curves: FloatArray, rows: int) -> FloatArray:
    if curves.ndim == 2:
        return curves
    return np.broadcast_to(curves, (rows, curves.size))


def _column(name: str, value: FloatArray | None, rows: int) -> FloatArray:
    if value is None:
        return np.full(rows, np.nan)
    if value.ndim > 1 or value.size not in (1, rows):
        raise EarnedValueInputError(
            f"{name} must be a number or {rows} values (one per row), not shape {value.shape}"
        )
    return np.array(np.broadcast_to(value.reshape(-1), (rows,)), dtype=np.float64)


def _table(value: FloatArray | None, rows: int, m: int) -> FloatArray:
    if value is None:
        return np.full((rows, m), np.nan)
    return np.array(np.broadcast_to(value, (rows, m)), dtype=np.float64)


def _budget(budget: FloatArray | None, pv: FloatArray, rows: int) -> FloatArray:
    if budget is None:
        return np.array(pv[:, -1], dtype=np.float64)
    bac = _column("budget_at_completion", budget, rows)
    bad = np.flatnonzero(~np.isfinite(bac) | (bac < 0))
    if bad.size:
        row = int(bad[0])
        raise EarnedValueInputError(
            f"budget_at_completion row {row} must be a finite, non-negative amount, "
            f"not {bac[row]:g}"
        )
    return bac


def _check_amounts(*, ev: FloatArray, ac: FloatArray, etc: FloatArray) -> None:
    """EV and AC finite and non-negative; ETC non-negative or NaN (not given)."""
    checks = (
        ("earned_value", ev, ~np.isfinite(ev) | (ev < 0)),
        ("actual_cost", ac, ~np.isfinite(ac) | (ac < 0)),
        ("estimate_to_complete", etc, np.isinf(etc) | (etc < 0)),
    )
    for name, values, bad in checks:
        if bad.any():
            position = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f"row {position[0]}" + (f", status {position[1]}" if len(position) > 1 else "")
            raise EarnedValueInputError(
                f"{name} {where} must be a finite, non-negative amount, not {values[position]:g}"
            )


def _groups(groups: npt.ArrayLike, rows: int, n_groups: int) -> IntArray:
    if isinstance(n_groups, bool) or not isinstance(n_groups, int | np.integer) or n_groups < 0:
        raise EarnedValueInputError(f"n_groups must be a non-negative integer, not {n_groups!r}")
    index = np.asarray(groups)
    if index.shape != (rows,):
        raise EarnedValueInputError(
            f"groups must give one group per row ({rows}), not shape {index.shape}"
        )
    if rows and not np.issubdtype(index.dtype, np.integer):
        raise EarnedValueInputError("groups must be integers")
    outside = np.flatnonzero((index < 0) | (index >= n_groups))
    if outside.size:
        row = int(outside[0])
        raise EarnedValueInputError(
            f"groups row {row} is {int(index[row])}, outside 0 to {n_groups - 1}"
        )
    result: IntArray = index.astype(np.intp)
    return result


def _group_sum(index: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    totals = np.bincount(index, weights=values, minlength=n_groups)
    return totals.astype(np.float64, copy=False)
