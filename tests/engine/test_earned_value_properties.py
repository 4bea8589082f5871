"""Properties of the earned value engine on random plans, checked with hypothesis.

The vectorised engine must give, row by row, what a plain one-project implementation written
straight from the formulas gives; and the results must keep the relations a reader of an
earned value report relies on.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pilotage.engine.earned_value import (
    EAC_METHODS,
    EarnedValueResult,
    earned_value_history,
    earned_value_metrics,
    roll_up_earned_value,
)

PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REACH_TOLERANCE = 1e-9
"""PV within this fraction of the budget below a value counts as reaching it (as documented)."""
NAN = float("nan")


def divide(numerator: float, denominator: float) -> float:
    if denominator == 0 or math.isnan(numerator) or math.isnan(denominator):
        return NAN
    try:
        quotient = float(numerator) / float(denominator)
    except OverflowError:
        return NAN
    return NAN if math.isinf(quotient) else quotient


def reference_metrics(
    times: list[float],
    planned: list[float],
    earned: float,
    spent: float,
    as_of: float,
    budget: float | None = None,
    to_complete: float = NAN,
    method: str = "cpi",
) -> dict[str, float]:
    """One project's metrics, a value at a time, as the PMI practice standard and Lipke say."""
    n = len(times)
    bac = planned[-1] if budget is None else budget
    if as_of < times[0]:
        pv = 0.0
    elif as_of >= times[-1]:
        pv = planned[-1]
    else:
        i = max(j for j in range(n) if times[j] <= as_of)
        weight = (as_of - times[i]) / (times[i + 1] - times[i])
        pv = planned[i] + weight * (planned[i + 1] - planned[i])
    tolerance = REACH_TOLERANCE * max(bac, planned[-1])

    def reached(value: float) -> float:
        """The earliest time PV reaches ``value`` (linear between grid points), or NaN."""
        for i, point in enumerate(planned):
            if point >= value - tolerance:
                if i == 0:
                    return times[0]
                fraction = min(max((value - planned[i - 1]) / (point - planned[i - 1]), 0), 1)
                if fraction >= 1:
                    return times[i]
                return times[i - 1] + fraction * (times[i] - times[i - 1])
        return NAN

    spi = divide(earned, pv)
    cpi = divide(earned, spent)
    estimates = {
        "atypical": spent + (bac - earned),
        "cpi": NAN if spent == 0 else divide(bac * spent, earned),
        "cpi_spi": spent + divide(bac - earned, cpi * spi),
        "bottom_up": spent + to_complete,
    }
    eac = estimates[method]
    if method == "bottom_up" and math.isnan(eac):
        eac = estimates["cpi"]
    planned_duration = reached(bac) - times[0]
    earned_schedule = reached(min(earned, bac)) - times[0]
    actual_time = max(as_of - times[0], 0.0)
    spi_time = divide(earned_schedule, actual_time)
    return {
        "planned_value": pv,
        "earned_value": earned,
        "actual_cost": spent,
        "budget_at_completion": bac,
        "schedule_variance": earned - pv,
        "cost_variance": earned - spent,
        "schedule_performance_index": spi,
        "cost_performance_index": cpi,
        "estimate_at_completion_atypical": estimates["atypical"],
        "estimate_at_completion_cpi": estimates["cpi"],
        "estimate_at_completion_cpi_spi": estimates["cpi_spi"],
        "estimate_at_completion_bottom_up": estimates["bottom_up"],
        "estimate_at_completion": eac,
        "estimate_to_complete": eac - spent,
        "variance_at_completion": bac - eac,
        "to_complete_performance_index_bac": divide(bac - earned, bac - spent),
        "to_complete_performance_index_eac": divide(bac - earned, eac - spent),
        "percent_complete": divide(earned, bac),
        "percent_spent": divide(spent, bac),
        "earned_schedule": earned_schedule,
        "actual_time": actual_time,
        "planned_duration": planned_duration,
        "schedule_variance_time": earned_schedule - actual_time,
        "schedule_performance_index_time": spi_time,
        "independent_estimate_at_completion_time": divide(planned_duration, spi_time),
        "to_complete_schedule_performance_index": divide(
            planned_duration - earned_schedule, planned_duration - actual_time
        ),
    }


@dataclass(frozen=True)
class Portfolio:
    """Rows sharing one time grid, with their progress at one status time."""

    times: list[float]
    planned: list[list[float]]
    earned: list[float]
    spent: list[float]
    as_of: float
    budget: list[float] | None
    to_complete: list[float]

    def inputs(self, method: str = "cpi") -> dict[str, Any]:
        return {
            "times": self.times,
            "planned_value": self.planned,
            "earned_value": self.earned,
            "actual_cost": self.spent,
            "as_of": self.as_of,
            "budget_at_completion": self.budget,
            "estimate_to_complete": self.to_complete,
            "method": method,
        }


AMOUNT = st.floats(0.5, 1000, allow_nan=False)


@st.composite
def grids(draw: st.DrawFn) -> list[float]:
    start = draw(st.floats(-100, 100, allow_nan=False))
    steps = draw(st.lists(st.floats(0.01, 40, allow_nan=False), min_size=0, max_size=12))
    times = [start]
    for step in steps:
        times.append(times[-1] + step)
    assume(all(later > earlier for earlier, later in itertools.pairwise(times)))
    return times


@st.composite
def curves(draw: st.DrawFn, size: int, *, strictly: bool = False) -> list[float]:
    """A cumulative PV curve: flat stretches (unless ``strictly``), steps, maybe a start lump."""
    value = 0.0 if strictly else draw(st.sampled_from([0.0, 0.0, 0.0, 25.0]))
    points = [value]
    for _ in range(size - 1):
        rise = draw(AMOUNT) if strictly else draw(st.one_of(st.just(0.0), AMOUNT))
        value += rise
        points.append(value)
    return points


@st.composite
def portfolios(draw: st.DrawFn, *, budgets: bool = True) -> Portfolio:
    times = draw(grids())
    rows = draw(st.integers(1, 4))
    planned = [draw(curves(len(times))) for _ in range(rows)]
    earned: list[float] = []
    spent: list[float] = []
    budget: list[float] = []
    to_complete: list[float] = []
    for curve in planned:
        end = curve[-1]
        budget.append(draw(st.sampled_from([end, end, end * 0.8, end * 1.2, 0.0])))
        earned.append(draw(st.one_of(st.just(0.0), st.just(end), st.floats(0, 1.3 * end + 1))))
        spent.append(draw(st.one_of(st.just(0.0), st.floats(0, 2 * end + 1))))
        to_complete.append(draw(st.one_of(st.just(NAN), st.floats(0, end + 1))))
    span = times[-1] - times[0]
    as_of = draw(st.floats(times[0] - 5, times[-1] + span + 5, allow_nan=False))
    with_budget = budgets and draw(st.booleans())
    return Portfolio(
        times, planned, earned, spent, as_of, budget if with_budget else None, to_complete
    )


def assert_matches_reference(
    result: EarnedValueResult, row: int, expected: dict[str, float]
) -> None:
    scale = max(1.0, abs(expected["budget_at_completion"]), abs(expected["earned_value"]))
    for name, value in expected.items():
        np.testing.assert_allclose(
            getattr(result, name)[row],
            value,
            rtol=1e-9,
            atol=1e-9 * scale,
            equal_nan=True,
            err_msg=f"{name} of row {row}",
        )


@PROPERTIES
@given(portfolio=portfolios(), method=st.sampled_from(EAC_METHODS))
def test_vectorised_metrics_equal_the_plain_implementation(
    portfolio: Portfolio, method: str
) -> None:
    result = earned_value_metrics(**portfolio.inputs(method))
    assert result.shape == (len(portfolio.planned),)
    for row, curve in enumerate(portfolio.planned):
        expected = reference_metrics(
            portfolio.times,
            curve,
            portfolio.earned[row],
            portfolio.spent[row],
            portfolio.as_of,
            None if portfolio.budget is None else portfolio.budget[row],
            portfolio.to_complete[row],
            method,
        )
        assert_matches_reference(result, row, expected)


@PROPERTIES
@given(portfolio=portfolios())
def test_metrics_are_finite_or_nan(portfolio: Portfolio) -> None:
    result = earned_value_metrics(**portfolio.inputs("cpi_spi"))
    for row in range(result.shape[0]):
        for name, value in result.row(row).items():
            assert value is None or math.isfinite(value), name


@PROPERTIES
@given(portfolio=portfolios())
def test_earned_schedule_never_passes_the_planned_duration(portfolio: Portfolio) -> None:
    result = earned_value_metrics(**portfolio.inputs())
    for row in range(result.shape[0]):
        if result.earned_value[row] <= result.budget_at_completion[row] and not math.isnan(
            result.planned_duration[row]
        ):
            assert 0 <= result.earned_schedule[row] <= result.planned_duration[row]


@PROPERTIES
@given(portfolio=portfolios(budgets=False))
def test_planned_value_at_the_earned_schedule_is_the_earned_value(portfolio: Portfolio) -> None:
    result = earned_value_metrics(**portfolio.inputs())
    for row, curve in enumerate(portfolio.planned):
        earned = portfolio.earned[row]
        assume(curve[0] <= earned <= curve[-1])
        back = earned_value_metrics(
            times=portfolio.times,
            planned_value=curve,
            earned_value=earned,
            actual_cost=0,
            as_of=portfolio.times[0] + float(result.earned_schedule[row]),
        )
        assert back.planned_value[0] == pytest.approx(earned, rel=1e-9, abs=1e-9 * curve[-1])


@PROPERTIES
@given(
    times=grids().filter(lambda times: len(times) >= 2),
    data=st.data(),
)
def test_on_plan_at_a_grid_point_both_indices_are_one(times: list[float], data: Any) -> None:
    curve = data.draw(curves(len(times), strictly=True))
    point = data.draw(st.integers(1, len(times) - 1))
    row = earned_value_metrics(
        times=times,
        planned_value=curve,
        earned_value=curve[point],
        actual_cost=curve[point],
        as_of=times[point],
    ).row(0)
    assert row["schedule_performance_index"] == 1
    assert row["schedule_performance_index_time"] == pytest.approx(1, rel=1e-12)
    assert row["schedule_variance_time"] == pytest.approx(0, abs=1e-9 * (times[-1] - times[0]))
    assert row["cost_performance_index"] == 1


@PROPERTIES
@given(portfolio=portfolios())
def test_cpi_estimate_is_actual_cost_times_budget_over_earned_value(
    portfolio: Portfolio,
) -> None:
    result = earned_value_metrics(**portfolio.inputs())
    for row in range(result.shape[0]):
        earned, spent = result.earned_value[row], result.actual_cost[row]
        if earned > 0 and spent > 0:
            expected = divide(float(spent) * float(result.budget_at_completion[row]), earned)
            np.testing.assert_allclose(
                result.estimate_at_completion_cpi[row], expected, rtol=1e-12, equal_nan=True
            )


@PROPERTIES
@given(portfolio=portfolios())
def test_a_group_of_one_row_is_that_row(portfolio: Portfolio) -> None:
    whole = earned_value_metrics(**portfolio.inputs("bottom_up"))
    for row, curve in enumerate(portfolio.planned):
        group = roll_up_earned_value(
            planned_value=[curve],
            earned_value=portfolio.earned[row],
            actual_cost=portfolio.spent[row],
            budget_at_completion=None if portfolio.budget is None else portfolio.budget[row],
            estimate_to_complete=portfolio.to_complete[row],
            groups=[0],
            n_groups=1,
        )
        alone = earned_value_metrics(
            times=portfolio.times, as_of=portfolio.as_of, method="bottom_up", **group
        )
        for name, value in alone.row(0).items():
            np.testing.assert_array_equal(
                value if value is not None else NAN, getattr(whole, name)[row], err_msg=name
            )


@PROPERTIES
@given(portfolio=portfolios(), data=st.data())
def test_roll_up_sums_what_its_groups_hold(portfolio: Portfolio, data: Any) -> None:
    rows = len(portfolio.planned)
    n_groups = data.draw(st.integers(1, 3))
    groups = data.draw(st.lists(st.integers(0, n_groups - 1), min_size=rows, max_size=rows))
    rolled = roll_up_earned_value(
        planned_value=portfolio.planned,
        earned_value=portfolio.earned,
        actual_cost=portfolio.spent,
        budget_at_completion=portfolio.budget,
        groups=groups,
        n_groups=n_groups,
    )
    result = earned_value_metrics(times=portfolio.times, as_of=portfolio.as_of, **rolled)
    for group in range(n_groups):
        members = [row for row in range(rows) if groups[row] == group]
        earned = sum(portfolio.earned[row] for row in members)
        spent = sum(portfolio.spent[row] for row in members)
        assert result.earned_value[group] == pytest.approx(earned)
        assert result.actual_cost[group] == pytest.approx(spent)
        np.testing.assert_allclose(
            result.cost_performance_index[group],
            divide(earned, spent),
            rtol=1e-12,
            equal_nan=True,
        )


@PROPERTIES
@given(portfolio=portfolios(), data=st.data())
def test_history_is_the_metrics_at_each_status_time(portfolio: Portfolio, data: Any) -> None:
    rows = len(portfolio.planned)
    m = data.draw(st.integers(1, 4))
    span = portfolio.times[-1] - portfolio.times[0]
    statuses = data.draw(
        st.lists(
            st.floats(portfolio.times[0] - 2, portfolio.times[-1] + span + 2, allow_nan=False),
            min_size=m,
            max_size=m,
        )
    )
    scale = [data.draw(st.lists(st.floats(0, 1.2), min_size=m, max_size=m)) for _ in range(rows)]
    earned = [[portfolio.earned[row] * f for f in scale[row]] for row in range(rows)]
    spent = [[portfolio.spent[row] * f for f in scale[row]] for row in range(rows)]
    history = earned_value_history(
        times=portfolio.times,
        planned_value=portfolio.planned,
        earned_value=earned,
        actual_cost=spent,
        status_times=statuses,
        budget_at_completion=portfolio.budget,
    )
    assert history.shape == (rows, m)
    for column, status in enumerate(statuses):
        alone = earned_value_metrics(
            times=portfolio.times,
            planned_value=portfolio.planned,
            earned_value=[earned[row][column] for row in range(rows)],
            actual_cost=[spent[row][column] for row in range(rows)],
            as_of=status,
            budget_at_completion=portfolio.budget,
        )
        at_status = history.at_status(column)
        for name in alone.row(0):
            np.testing.assert_array_equal(
                getattr(at_status, name), getattr(alone, name), err_msg=name
            )
