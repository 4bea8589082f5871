"""Earned value and earned schedule: published worked examples, then cases checked by hand.

Each published example names its source and the numbers it prints; where the source rounds,
the test allows the same rounding and no more. Everything else in this file was worked out by
hand from the formulas of the PMI Practice Standard for Earned Value Management (2011) and
Lipke's earned schedule.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from pilotage.engine.earned_value import (
    EAC_METHODS,
    EarnedValueResult,
    earned_value_history,
    earned_value_metrics,
    roll_up_earned_value,
)
from pilotage.engine.errors import EarnedValueInputError

NAN = float("nan")


def single(**inputs: Any) -> dict[str, float | None]:
    """The metrics of a one-row call, by name."""
    result = earned_value_metrics(**inputs)
    assert result.shape == (1,)
    return result.row(0)


def test_forecasting_example_with_every_estimate_at_completion() -> None:
    """ "EVM forecasting" poster 15 (wikislate.com, 15-evm-forecasting, "From Poster 14" table).

    BAC 100, EV 40, AC 45 (thousands), CPI 0.89, SPI 0.80, so PV = 50. Published:
    EAC = BAC/CPI = 112.5, ETC = 67.5, VAC = -12.5, EAC (cost × schedule) ≈ 129,
    TCPI to BAC 1.09. The poster rounds CPI and TCPI to two decimals and the cost × schedule
    estimate to the thousand; the tolerances are those roundings. EAC atypical and TCPI to
    EAC are not on the poster: 45 + 60 = 105 and 60 / 67.5 = CPI, by hand.
    """
    row = single(
        times=[0, 1, 2],
        planned_value=[0, 50, 100],
        earned_value=40,
        actual_cost=45,
        as_of=1,
    )
    assert row["planned_value"] == 50
    assert row["budget_at_completion"] == 100
    assert row["cost_performance_index"] == pytest.approx(0.89, abs=0.005)
    assert row["schedule_performance_index"] == pytest.approx(0.80)
    assert row["estimate_at_completion_cpi"] == pytest.approx(112.5)
    assert row["estimate_at_completion"] == pytest.approx(112.5)
    assert row["estimate_to_complete"] == pytest.approx(67.5)
    assert row["variance_at_completion"] == pytest.approx(-12.5)
    assert row["estimate_at_completion_cpi_spi"] == pytest.approx(129, abs=0.5)
    assert row["to_complete_performance_index_bac"] == pytest.approx(1.09, abs=0.005)
    assert row["estimate_at_completion_atypical"] == pytest.approx(105)
    assert row["to_complete_performance_index_eac"] == pytest.approx(40 / 45)
    assert row["schedule_variance"] == -10
    assert row["cost_variance"] == -5


def test_tcpi_example_from_work_and_funds_remaining() -> None:
    """ "Earned Value Analysis (EVA): Concepts and Formulas" (marketingskull.com).

    BAC 3,000, EV 1,560, AC 1,800: work remaining 1,440 over funds remaining 1,200 gives the
    published TCPI to BAC of 1.2 exactly.
    """
    row = single(
        times=[0, 1], planned_value=[0, 3000], earned_value=1560, actual_cost=1800, as_of=1
    )
    assert row["to_complete_performance_index_bac"] == pytest.approx(1.2)


def test_time_phased_example_of_the_pra_package() -> None:
    """PRA R package reference (P. Govan, version 0.3.0, functions pv, spi, ac, eac, etc).

    BAC 100,000 planned cumulatively as 10 %, 20 %, 40 %, 70 %, 100 % over five periods; at
    period 3 the work is 35 % complete and the cumulative costs are 9,000, 27,000, 63,000.
    Published: SPI 0.875, AC 63,000, EAC (atypical) 128,000, ETC at the planned rate 65,000.
    The earned schedule is ours: EV 35,000 lies halfway between PV 20,000 (period 2) and PV
    40,000 (period 3), ES = 2 + 15,000 / 20,000 = 2.75 periods.
    """
    row = single(
        times=[0, 1, 2, 3, 4, 5],
        planned_value=[0, 10_000, 20_000, 40_000, 70_000, 100_000],
        earned_value=0.35 * 100_000,
        actual_cost=63_000,
        as_of=3,
        method="atypical",
    )
    assert row["planned_value"] == 40_000
    assert row["schedule_performance_index"] == pytest.approx(0.875)
    assert row["estimate_at_completion"] == pytest.approx(128_000)
    assert row["estimate_to_complete"] == pytest.approx(65_000)
    assert row["earned_schedule"] == pytest.approx(2.75)
    assert row["schedule_performance_index_time"] == pytest.approx(2.75 / 3)
    assert row["independent_estimate_at_completion_time"] == pytest.approx(5 * 3 / 2.75)


def test_late_finish_keeps_spi_at_one_but_not_spi_t() -> None:
    """ "Earned Schedule Management (ESM)", MPUG (republished on managementyogi.com, 2021).

    Ten modules of US$100,000 planned evenly over 10 months; the project took 12 months and
    cost US$1.3M. Published: SV = US$0.0M, SPI = 1.0, "two months behind schedule", "a cost
    overrun of US$0.3 million". With earned schedule the lateness shows: ES = 10, AT = 12,
    SV(t) = -2 months, SPI(t) = 10/12 and IEAC(t) = 10 / (10/12) = the 12 months it took.
    """
    months = np.arange(11, dtype=float)
    row = single(
        times=months,
        planned_value=100_000 * months,
        earned_value=1_000_000,
        actual_cost=1_300_000,
        as_of=12,
    )
    assert row["schedule_variance"] == 0
    assert row["schedule_performance_index"] == 1.0
    assert row["cost_variance"] == pytest.approx(-300_000)
    assert row["earned_schedule"] == 10
    assert row["actual_time"] == 12
    assert row["schedule_variance_time"] == pytest.approx(-2)
    assert row["schedule_performance_index_time"] == pytest.approx(10 / 12)
    assert row["independent_estimate_at_completion_time"] == pytest.approx(12)
    assert row["estimate_at_completion_cpi"] == pytest.approx(1_300_000)


def test_half_the_work_three_months_into_five() -> None:
    """PMP exam question on earned schedule, Project Management PrepCast forum ("Explanation").

    Planned for 5 months, 3 months in, half the work done. Published: SV(t) = -0.5 months,
    SPI(t) = 0.83 (two decimals).
    """
    row = single(
        times=[0, 1, 2, 3, 4, 5],
        planned_value=[0, 20, 40, 60, 80, 100],
        earned_value=50,
        actual_cost=50,
        as_of=3,
    )
    assert row["earned_schedule"] == pytest.approx(2.5)
    assert row["schedule_variance_time"] == pytest.approx(-0.5)
    assert row["schedule_performance_index_time"] == pytest.approx(0.83, abs=0.005)


def test_week_twenty_with_the_value_planned_for_week_eighteen() -> None:
    """ "Earned Schedule (ES)" definition page, HKSM (hksmnow.com), worked example.

    At week 20 the earned value equals the planned value of week 18. Published: ES = 18 weeks,
    SV(t) = -2 weeks, SPI(t) = 0.90. The weekly S-shaped PV curve is ours; only EV = PV(week
    18) matters.
    """
    weeks = np.arange(31, dtype=float)
    planned = 1000 * (3 * (weeks / 30) ** 2 - 2 * (weeks / 30) ** 3)
    row = single(
        times=weeks, planned_value=planned, earned_value=planned[18], actual_cost=600, as_of=20
    )
    assert row["earned_schedule"] == pytest.approx(18)
    assert row["schedule_variance_time"] == pytest.approx(-2)
    assert row["schedule_performance_index_time"] == pytest.approx(0.90)


LIPKE_MONTHS = np.arange(12, dtype=float)
"""Month ends from the start of January (0) to the end of November (11)."""
LIPKE_PV = np.array([0, 20, 60, 120, 200, 300, 420, 540, 640, 720, 780, 800], dtype=float)
"""Our cumulative monthly plan; PV(May) = 300, PV(June) = 420."""


def test_seven_months_gone_earned_schedule_to_month_five() -> None:
    """W. Lipke, "Earned Schedule ... an emerging enhancement to EVM", International Metrics
    Congress 2007, slides 6-7 (and "Earned Schedule Concept", the accompanying note).

    "7 months gone by, but the project only has Earned Schedule to Month 5": the EV at the end
    of July equals the PV of May, so ES = 5, AT = 7 and the project is 2 months behind. The
    monthly PV table is ours, over January to November (PD = 11 months).
    """
    row = single(
        times=LIPKE_MONTHS,
        planned_value=LIPKE_PV,
        earned_value=LIPKE_PV[5],
        actual_cost=350,
        as_of=7,
    )
    assert row["earned_schedule"] == 5
    assert row["actual_time"] == 7
    assert row["schedule_variance_time"] == -2
    assert row["schedule_performance_index_time"] == pytest.approx(5 / 7)
    assert row["planned_duration"] == 11
    assert row["independent_estimate_at_completion_time"] == pytest.approx(11 * 7 / 5)
    assert row["to_complete_schedule_performance_index"] == pytest.approx((11 - 5) / (11 - 7))


def test_portion_of_june_earned() -> None:
    """The same note's formula: ES = 5 + (EV - PV(May)) / (PV(June) - PV(May)).

    EV 360 lies halfway from PV(May) = 300 to PV(June) = 420: ES = 5.5 months.
    """
    row = single(
        times=LIPKE_MONTHS, planned_value=LIPKE_PV, earned_value=360, actual_cost=400, as_of=7
    )
    assert row["earned_schedule"] == pytest.approx(5 + (360 - 300) / (420 - 300))


@pytest.mark.parametrize(
    ("earned", "expected"),
    [
        pytest.param(0, 0.0, id="nothing earned: no schedule, even along the flat start"),
        pytest.param(5, 1.5, id="inside the first rise"),
        pytest.param(10, 2.0, id="the plateau's value: its earliest time"),
        pytest.param(15, 5.5, id="past the plateau"),
        pytest.param(20, 6.0, id="the budget: the planned duration"),
        pytest.param(25, 6.0, id="more than the budget: still the planned duration"),
    ],
)
def test_earned_schedule_on_a_curve_with_plateaus(earned: float, expected: float) -> None:
    # Flat from 0 to 1 (nothing planned), rises to 10 by 2, flat until 5, rises to 20 by 6.
    row = single(
        times=[0, 1, 2, 3, 4, 5, 6, 7],
        planned_value=[0, 0, 10, 10, 10, 10, 20, 20],
        earned_value=earned,
        actual_cost=10,
        as_of=4,
    )
    assert row["earned_schedule"] == pytest.approx(expected)
    assert row["planned_duration"] == 6


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(-3, 0.0, id="before the start: nothing planned"),
        pytest.param(0, 0.0, id="at the start"),
        pytest.param(1.25, 15.0, id="a quarter into the second month"),
        pytest.param(2, 30.0, id="on a grid point"),
        pytest.param(4, 100.0, id="at the end"),
        pytest.param(9, 100.0, id="after the end: the whole budget"),
    ],
)
def test_planned_value_is_interpolated_on_the_cumulative_curve(
    as_of: float, expected: float
) -> None:
    row = single(
        times=[0, 1, 2, 3, 4],
        planned_value=[0, 10, 30, 60, 100],
        earned_value=10,
        actual_cost=10,
        as_of=as_of,
    )
    assert row["planned_value"] == pytest.approx(expected)


def test_status_before_the_start() -> None:
    row = single(
        times=[10, 20, 30], planned_value=[0, 50, 100], earned_value=0, actual_cost=0, as_of=5
    )
    assert row["planned_value"] == 0
    assert row["actual_time"] == 0
    assert row["earned_schedule"] == 0
    assert row["schedule_performance_index"] is None
    assert row["cost_performance_index"] is None
    assert row["schedule_performance_index_time"] is None
    assert row["independent_estimate_at_completion_time"] is None
    assert row["planned_duration"] == 20


def test_nothing_earned_yet() -> None:
    row = single(
        times=[0, 1, 2, 3], planned_value=[0, 10, 20, 30], earned_value=0, actual_cost=4, as_of=1
    )
    assert row["schedule_performance_index"] == 0
    assert row["cost_performance_index"] == 0
    assert row["estimate_at_completion_atypical"] == 34
    assert row["estimate_at_completion_cpi"] is None
    assert row["estimate_at_completion_cpi_spi"] is None
    assert row["earned_schedule"] == 0
    assert row["schedule_performance_index_time"] == 0
    assert row["independent_estimate_at_completion_time"] is None
    assert row["percent_complete"] == 0
    assert row["percent_spent"] == pytest.approx(4 / 30)


def test_work_earned_before_any_cost_is_booked() -> None:
    row = single(times=[0, 10], planned_value=[0, 100], earned_value=20, actual_cost=0, as_of=2)
    assert row["cost_performance_index"] is None
    assert row["estimate_at_completion_cpi"] is None
    assert row["estimate_at_completion_atypical"] == 80
    assert row["to_complete_performance_index_bac"] == pytest.approx(80 / 100)


def test_budget_already_spent() -> None:
    row = single(times=[0, 10], planned_value=[0, 100], earned_value=60, actual_cost=100, as_of=5)
    assert row["to_complete_performance_index_bac"] is None
    assert row["percent_spent"] == 1


def test_finished_early() -> None:
    row = single(
        times=[0, 1, 2, 3, 4],
        planned_value=[0, 25, 50, 75, 100],
        earned_value=100,
        actual_cost=90,
        as_of=3,
    )
    assert row["earned_schedule"] == 4
    assert row["schedule_variance_time"] == 1
    assert row["schedule_performance_index_time"] == pytest.approx(4 / 3)
    assert row["independent_estimate_at_completion_time"] == pytest.approx(3)
    assert row["percent_complete"] == 1


def test_durations_count_from_the_first_time_of_the_grid() -> None:
    days = np.array([400.0, 430.0, 460.0, 490.0])
    row = single(
        times=days, planned_value=[0, 30, 60, 90], earned_value=45, actual_cost=45, as_of=460
    )
    assert row["actual_time"] == 60
    assert row["earned_schedule"] == 45
    assert row["planned_duration"] == 90
    assert row["schedule_variance_time"] == -15


def test_explicit_budget_beyond_the_curve_has_no_planned_duration() -> None:
    row = single(
        times=[0, 1, 2],
        planned_value=[0, 40, 80],
        earned_value=90,
        actual_cost=90,
        as_of=2,
        budget_at_completion=100,
    )
    assert row["budget_at_completion"] == 100
    assert row["planned_duration"] is None
    assert row["earned_schedule"] is None
    assert row["percent_complete"] == pytest.approx(0.9)


def test_budget_below_the_end_of_the_curve_is_reached_early() -> None:
    row = single(
        times=[0, 1, 2],
        planned_value=[0, 40, 80],
        earned_value=20,
        actual_cost=20,
        as_of=1,
        budget_at_completion=60,
    )
    assert row["planned_duration"] == pytest.approx(1.5)


def test_single_point_grid() -> None:
    row = single(times=[3], planned_value=[100], earned_value=50, actual_cost=40, as_of=5)
    assert row["planned_value"] == 100
    assert row["planned_duration"] == 0
    assert row["earned_schedule"] == 0
    assert row["actual_time"] == 2


@pytest.mark.parametrize("method", EAC_METHODS)
def test_method_chooses_the_estimate_that_drives_etc_vac_and_tcpi(method: str) -> None:
    result = earned_value_metrics(
        times=[0, 1, 2],
        planned_value=[0, 50, 100],
        earned_value=40,
        actual_cost=50,
        as_of=1,
        estimate_to_complete=70,
        method=method,
    )
    chosen = getattr(result, f"estimate_at_completion_{method}")
    expected = {
        "atypical": 110.0,
        "cpi": 125.0,
        "cpi_spi": 50 + 60 / (0.8 * 0.8),
        "bottom_up": 120.0,
    }
    assert chosen[0] == pytest.approx(expected[method])
    assert result.estimate_at_completion[0] == chosen[0]
    assert result.estimate_to_complete[0] == pytest.approx(chosen[0] - 50)
    assert result.variance_at_completion[0] == pytest.approx(100 - chosen[0])
    assert result.to_complete_performance_index_eac[0] == pytest.approx(60 / (chosen[0] - 50))
    assert result.method == method


def test_bottom_up_falls_back_to_cpi_where_no_estimate_was_given() -> None:
    result = earned_value_metrics(
        times=[0, 1, 2],
        planned_value=[[0, 50, 100], [0, 50, 100]],
        earned_value=40,
        actual_cost=50,
        as_of=1,
        estimate_to_complete=[70, NAN],
        method="bottom_up",
    )
    assert result.estimate_at_completion.tolist() == pytest.approx([120, 125])
    assert math.isnan(result.estimate_at_completion_bottom_up[1])


def test_rows_are_computed_independently() -> None:
    result = earned_value_metrics(
        times=[0, 1, 2, 3, 4],
        planned_value=[[0, 10, 20, 30, 40], [0, 0, 0, 50, 100], [0, 100, 100, 100, 100]],
        earned_value=[15, 25, 100],
        actual_cost=[10, 50, 120],
        as_of=2,
    )
    assert result.shape == (3,)
    assert result.planned_value.tolist() == [20, 0, 100]
    assert result.earned_schedule.tolist() == pytest.approx([1.5, 2.5, 1.0])
    assert result.planned_duration.tolist() == [4, 4, 1]
    assert math.isnan(result.schedule_performance_index[1])
    assert result.cost_performance_index.tolist() == pytest.approx([1.5, 0.5, 100 / 120])


def test_one_curve_serves_every_row() -> None:
    result = earned_value_metrics(
        times=[0, 1, 2],
        planned_value=[0, 50, 100],
        earned_value=[25, 50, 75],
        actual_cost=50,
        as_of=1,
    )
    assert result.earned_schedule.tolist() == pytest.approx([0.5, 1.0, 1.5])
    assert result.budget_at_completion.tolist() == [100, 100, 100]


def test_roll_up_indices_come_from_the_sums() -> None:
    # A small project far behind and a large one on plan: the programme is weighted by money.
    programmes = roll_up_earned_value(
        planned_value=[[0, 10, 20], [0, 1000, 2000]],
        earned_value=[5, 1000],
        actual_cost=[10, 1000],
        groups=[0, 0],
        n_groups=1,
    )
    result = earned_value_metrics(times=[0, 1, 2], as_of=1, **programmes)
    assert result.planned_value.tolist() == [1010]
    assert result.cost_performance_index[0] == pytest.approx(1005 / 1010)
    assert result.cost_performance_index[0] != pytest.approx((0.5 + 1.0) / 2)
    assert result.budget_at_completion.tolist() == [2020]


def test_roll_up_into_programmes_and_an_empty_portfolio() -> None:
    rolled = roll_up_earned_value(
        planned_value=[[0, 10], [0, 20], [0, 40]],
        earned_value=[5, 10, 20],
        actual_cost=[6, 12, 24],
        groups=[1, 0, 1],
        n_groups=3,
        budget_at_completion=[12, 20, 38],
        estimate_to_complete=[7, 15, NAN],
    )
    assert rolled["planned_value"].tolist() == [[0, 20], [0, 50], [0, 0]]
    assert rolled["earned_value"].tolist() == [10, 25, 0]
    assert rolled["actual_cost"].tolist() == [12, 30, 0]
    assert rolled["budget_at_completion"].tolist() == [20, 50, 0]
    etc = rolled["estimate_to_complete"]
    assert etc is not None
    assert etc[0] == 15
    assert math.isnan(etc[1])
    assert etc[2] == 0
    result = earned_value_metrics(times=[0, 1], as_of=1, **rolled)
    assert math.isnan(result.cost_performance_index[2])
    assert result.planned_duration.tolist()[:2] == [1, 1]


def test_roll_up_without_estimates_gives_none() -> None:
    rolled = roll_up_earned_value(
        planned_value=[[0, 10]], earned_value=5, actual_cost=5, groups=[0], n_groups=1
    )
    assert rolled["estimate_to_complete"] is None
    assert rolled["budget_at_completion"].tolist() == [10]


def test_history_of_one_project() -> None:
    history = earned_value_history(
        times=LIPKE_MONTHS,
        planned_value=LIPKE_PV,
        earned_value=[15, 100, 300],
        actual_cost=[20, 110, 350],
        status_times=[1, 4, 7],
    )
    assert history.shape == (3,)
    assert history.planned_value.tolist() == [20, 200, 540]
    assert history.earned_schedule.tolist() == pytest.approx([0.75, 2 + 40 / 60, 5])
    assert history.row(2)["schedule_variance_time"] == -2


def test_history_of_many_projects_matches_each_status_alone() -> None:
    planned = [[0, 10, 20, 30, 40], [0, 40, 60, 70, 70]]
    earned = [[5, 12, 40], [30, 65, 70]]
    spent = [[5, 15, 45], [20, 70, 90]]
    statuses = [1, 2.5, 6]
    history = earned_value_history(
        times=[0, 1, 2, 3, 4],
        planned_value=planned,
        earned_value=earned,
        actual_cost=spent,
        status_times=statuses,
    )
    assert history.shape == (2, 3)
    for column, status in enumerate(statuses):
        alone = earned_value_metrics(
            times=[0, 1, 2, 3, 4],
            planned_value=planned,
            earned_value=[row[column] for row in earned],
            actual_cost=[row[column] for row in spent],
            as_of=status,
        )
        assert_same(history.at_status(column), alone)
    with pytest.raises(ValueError, match="at_status"):
        history.row(0)


def assert_same(left: EarnedValueResult, right: EarnedValueResult) -> None:
    assert left.shape == right.shape
    for name in left.row(0):
        np.testing.assert_array_equal(getattr(left, name), getattr(right, name), err_msg=name)


GOOD: dict[str, Any] = {
    "times": [0, 1, 2],
    "planned_value": [[0, 5, 10], [0, 10, 20]],
    "earned_value": [4, 8],
    "actual_cost": [5, 9],
    "as_of": 1,
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"earned_value": [1, 2, 3]},
            "earned_value has 3 rows but planned_value has 2",
            id="rows differ",
        ),
        pytest.param({"times": [0, 2, 2]}, r"times\[2\] = 2 does not come after", id="times"),
        pytest.param({"times": [[0, 1, 2]]}, "times must be a list", id="times 2-D"),
        pytest.param({"times": [0, NAN, 2]}, r"times\[1\] is not a finite", id="times NaN"),
        pytest.param({"times": [0, 1]}, "3 points per curve but times has 2", id="curve length"),
        pytest.param(
            {"planned_value": [[0, 5, 10], [0, 20, 10]]},
            "planned_value row 1 decreases at time index 2",
            id="decreasing PV",
        ),
        pytest.param(
            {"planned_value": [[0, 5, 10], [-1, 10, 20]]},
            "planned_value row 1 is negative at time index 0",
            id="negative PV",
        ),
        pytest.param(
            {"planned_value": [[[0, 5, 10]]]}, "one curve or one curve per row", id="PV 3-D"
        ),
        pytest.param({"earned_value": [4, -8]}, "earned_value row 1 must be", id="negative EV"),
        pytest.param({"actual_cost": [NAN, 9]}, "actual_cost row 0 must be", id="AC NaN"),
        pytest.param({"actual_cost": [[5, 9]]}, "one value per row", id="AC 2-D"),
        pytest.param({"method": "average"}, "method must be one of", id="unknown method"),
        pytest.param({"as_of": NAN}, "as_of must be one finite number", id="as_of NaN"),
        pytest.param(
            {"budget_at_completion": [10, -1]}, "budget_at_completion row 1", id="negative BAC"
        ),
        pytest.param(
            {"estimate_to_complete": [-3, NAN]},
            "estimate_to_complete row 0",
            id="negative ETC",
        ),
        pytest.param({"earned_value": ["a", "b"]}, "earned_value must be numbers", id="text"),
    ],
)
def test_invalid_input_is_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(EarnedValueInputError, match=message):
        earned_value_metrics(**{**GOOD, **change})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"groups": [0, 2]}, "groups row 1 is 2, outside 0 to 1", id="group range"),
        pytest.param({"groups": [0]}, "one group per row", id="group count"),
        pytest.param({"groups": [0.0, 1.0]}, "groups must be integers", id="float groups"),
        pytest.param({"n_groups": -1}, "n_groups must be a non-negative integer", id="n_groups"),
        pytest.param({"earned_value": [1, 2, 3]}, "earned_value must be", id="EV count"),
    ],
)
def test_invalid_roll_up_is_named(change: dict[str, Any], message: str) -> None:
    good: dict[str, Any] = {
        "planned_value": [[0, 5], [0, 10]],
        "earned_value": [4, 8],
        "actual_cost": [5, 9],
        "groups": [0, 1],
        "n_groups": 2,
    }
    with pytest.raises(EarnedValueInputError, match=message):
        roll_up_earned_value(**{**good, **change})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"earned_value": [1, 2]}, "one column per status time", id="columns"),
        pytest.param(
            {"earned_value": [[1, 2, 3]] * 3},
            "earned_value has 3 rows but planned",
            id="rows differ",
        ),
        pytest.param({"status_times": [[1, 2, 3]]}, "status_times must be", id="status 2-D"),
        pytest.param(
            {"actual_cost": [[1, 2, -3], [1, 2, 3]]},
            "actual_cost row 0, status 2",
            id="negative AC at one status",
        ),
    ],
)
def test_invalid_history_is_named(change: dict[str, Any], message: str) -> None:
    good: dict[str, Any] = {
        "times": [0, 1, 2],
        "planned_value": [[0, 5, 10], [0, 10, 20]],
        "earned_value": [[1, 2, 3], [2, 4, 6]],
        "actual_cost": [[1, 2, 3], [2, 4, 6]],
        "status_times": [0.5, 1, 1.5],
    }
    with pytest.raises(EarnedValueInputError, match=message):
        earned_value_history(**{**good, **change})


def test_results_never_hold_infinity() -> None:
    result = earned_value_metrics(
        times=[0, 1],
        planned_value=[[0.0, 1e-300], [0.0, 0.0]],
        earned_value=[1e300, 0],
        actual_cost=[1e-300, 0],
        as_of=1,
    )
    for name, value in result.row(0).items():
        assert value is None or math.isfinite(value), name
    for name, value in result.row(1).items():
        assert value is None or math.isfinite(value), name
