"""Earned value of projects from the database: a project computed by hand, the portfolio
roll-ups, projects without a baseline or an exchange rate, and the status-date records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.finance.earned_value import (
    earned_value_as_json,
    earned_value_record,
    index_band,
    portfolio_earned_value,
    project_earned_value,
    project_earned_value_series,
)
from pilotage.finance.models import EarnedValueRecord
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources.models import Assignment, Resource
from tests.finance.factories_evm import Planned, actual_cost, cost_baseline, exchange_rate
from tests.world import World

pytestmark = pytest.mark.django_db

MARCH_2 = dt.date(2026, 3, 2)
STATUS = dt.date(2026, 3, 16)


def _day(n: int) -> dt.date:
    """The n-th day of the plan (1 is Monday 2 March 2026)."""
    return MARCH_2 + dt.timedelta(days=n - 1)


def hand_calculated(project: Project) -> list[Task]:
    """Four weeks, three tasks, a budget of 4,000 EUR:

    - Design, days 1–10 (2–11 March), 100 a day = 1,000; 100 % complete;
    - Build, days 11–20 (12–21 March), 200 a day = 2,000; 40 % complete;
    - Test, days 21–28 (22–29 March), 125 a day = 1,000; not started.

    Actual costs: 1,480 EUR on 5 March; 200 USD on 10 March at 0.90 EUR (= 180 EUR); 250 USD
    on 13 March at the new rate of 0.80 (= 200 EUR); 999 EUR on 20 March, after the status date.
    """
    _baseline, tasks = cost_baseline(
        project,
        [
            Planned("Design", _day(1), 10, Decimal("100"), 100),
            Planned("Build", _day(11), 10, Decimal("200"), 40),
            Planned("Test", _day(21), 8, Decimal("125"), 0),
        ],
    )
    exchange_rate("USD", dt.date(2026, 1, 1), "0.90")
    exchange_rate("USD", dt.date(2026, 3, 12), "0.80")
    actual_cost(project, dt.date(2026, 3, 5), "1480")
    actual_cost(project, dt.date(2026, 3, 10), "200", "USD")
    actual_cost(project, dt.date(2026, 3, 13), "250", "USD")
    actual_cost(project, dt.date(2026, 3, 20), "999")
    return tasks


def test_every_metric_matches_the_hand_calculation(world: World) -> None:
    hand_calculated(world.project)

    figures = project_earned_value(world.project, as_of=STATUS)

    assert figures.problems == []
    assert figures.currency == "EUR"
    # PV at the end of 16 March (day 15): Design 1,000 + 5 days of Build × 200 = 2,000.
    assert figures.planned_value == Decimal("2000.00")
    # EV: 1,000 × 100 % + 2,000 × 40 % + 1,000 × 0 % = 1,800.
    assert figures.earned_value == Decimal("1800.00")
    # AC: 1,480 + 180 + 200 = 1,860 (the cost of 20 March comes after the status date).
    assert figures.actual_cost == Decimal("1860.00")
    assert figures.budget_at_completion == Decimal("4000.00")
    assert figures.schedule_variance == Decimal("-200.00")  # 1,800 − 2,000
    assert figures.cost_variance == Decimal("-60.00")  # 1,800 − 1,860
    assert figures.schedule_performance_index == pytest.approx(0.9)  # 1,800 / 2,000
    assert figures.cost_performance_index == pytest.approx(1800 / 1860)  # 0.967742
    # EAC = BAC / CPI = 4,000 × 1,860 / 1,800 = 4,133.33 (the headline estimate).
    assert figures.eac_method == "cpi"
    assert figures.estimate_at_completion == Decimal("4133.33")
    assert figures.estimate_at_completion_cpi == Decimal("4133.33")
    # AC + BAC − EV = 1,860 + 2,200 = 4,060.
    assert figures.estimate_at_completion_atypical == Decimal("4060.00")
    # AC + (BAC − EV) / (CPI × SPI) = 1,860 + 2,200 / (0.967742 × 0.9) = 1,860 + 2,525.93.
    assert figures.estimate_at_completion_cpi_spi == Decimal("4385.93")
    # ETC = EAC − AC = 2,273.33; VAC = BAC − EAC = −133.33.
    assert figures.estimate_to_complete == Decimal("2273.33")
    assert figures.variance_at_completion == Decimal("-133.33")
    # TCPI to BAC = (4,000 − 1,800) / (4,000 − 1,860) = 2,200 / 2,140 = 1.028037.
    assert figures.to_complete_performance_index_bac == pytest.approx(2200 / 2140)
    # TCPI to EAC = 2,200 / 2,273.33 = CPI.
    assert figures.to_complete_performance_index_eac == pytest.approx(1800 / 1860)
    assert figures.percent_complete == pytest.approx(0.45)  # 1,800 / 4,000
    assert figures.percent_spent == pytest.approx(0.465)  # 1,860 / 4,000
    # Earned schedule: the plan had earned 1,800 by the end of day 14 (1,000 + 4 × 200),
    # so ES = 14 days, 15 March; AT = 15 days (2 to 16 March).
    assert figures.earned_schedule_days == pytest.approx(14.0)
    assert figures.earned_schedule == dt.date(2026, 3, 15)
    assert figures.actual_time_days == pytest.approx(15.0)
    assert figures.schedule_variance_time_days == pytest.approx(-1.0)
    assert figures.schedule_performance_index_time == pytest.approx(14 / 15)
    # IEAC(t) = PD / SPI(t) = 28 / (14 / 15) = 30 days: the forecast finish is 16 March
    # + (30 − 15) days = 31 March, two days after the planned finish of 29 March.
    assert figures.planned_duration_days == pytest.approx(28.0)
    assert figures.independent_estimate_at_completion_time_days == pytest.approx(30.0)
    assert figures.planned_finish == dt.date(2026, 3, 29)
    assert figures.forecast_finish == dt.date(2026, 3, 31)


def test_bottom_up_estimate_from_remaining_work_and_fixed_costs(world: World) -> None:
    design, build, test = hand_calculated(world.project)
    alice = Resource.objects.create(
        name="Alice", standard_rate=Decimal("50"), standard_rate_unit="h"
    )
    # Remaining: Build 10 h − 4 h = 6 h, Test 16 h; Design is finished and counts nothing.
    for task, work, actual in ((design, 600, 120), (build, 600, 240), (test, 960, 0)):
        Assignment.objects.create(
            project=world.project,
            task=task,
            resource=alice,
            work_minutes=work,
            actual_work_minutes=actual,
        )
    Task.objects.filter(pk=test.pk).update(fixed_cost=Decimal("200"))

    figures = project_earned_value(world.project, as_of=STATUS)

    # ETC = (6 h + 16 h) × 50 + 200 × (1 − 0 %) = 1,300; EAC = AC + ETC = 1,860 + 1,300.
    assert figures.estimate_at_completion_bottom_up == Decimal("3160.00")
    assert figures.estimate_at_completion == Decimal("4133.33")  # still BAC / CPI


def test_json_spells_out_every_key(world: World) -> None:
    hand_calculated(world.project)

    document = earned_value_as_json(project_earned_value(world.project, as_of=STATUS))

    assert document["planned_value"] == "2000.00"
    assert document["cost_performance_index"] == pytest.approx(0.967742)
    assert document["earned_schedule"] == "2026-03-15"
    assert document["forecast_finish"] == "2026-03-31"
    assert document["estimate_at_completion_bottom_up"] == "1860.00"  # nothing remains


def test_before_any_cost_is_planned_the_indices_are_undefined(world: World) -> None:
    hand_calculated(world.project)

    figures = project_earned_value(world.project, as_of=dt.date(2026, 2, 1))

    assert figures.planned_value == Decimal("0.00")
    assert figures.schedule_performance_index is None
    assert figures.schedule_performance_index_time is None
    assert figures.forecast_finish is None
    assert figures.planned_finish == dt.date(2026, 3, 29)


def test_a_project_without_a_cost_baseline(world: World) -> None:
    figures = project_earned_value(world.project, as_of=STATUS)

    assert not figures.has_baseline
    assert not figures.computed
    assert figures.problems == ["no cost baseline"]
    assert figures.earned_value is None


def test_a_missing_exchange_rate_is_named(world: World) -> None:
    cost_baseline(world.project, [Planned("Build", _day(1), 10, Decimal("100"), 50)])
    actual_cost(world.project, dt.date(2026, 3, 5), "300", "GBP")

    figures = project_earned_value(world.project, as_of=STATUS)

    assert not figures.computed
    assert len(figures.problems) == 1
    assert "GBP" in figures.problems[0]
    assert "EUR" in figures.problems[0]
    assert "2026-03-05" in figures.problems[0]


def test_series_is_an_s_curve_with_a_forecast(world: World) -> None:
    hand_calculated(world.project)
    EarnedValueRecord.objects.create(
        project=world.project,
        as_of=dt.date(2026, 3, 9),
        planned_value=Decimal("800"),
        earned_value=Decimal("700"),
        actual_cost=Decimal("1480"),
        budget_at_completion=Decimal("4000"),
        currency="EUR",
    )

    series = project_earned_value_series(world.project, as_of=STATUS)

    assert series.dates[0] == MARCH_2
    assert series.dates[-1] == dt.date(2026, 3, 31)  # the forecast finish
    assert STATUS in series.dates
    assert series.planned_value[0] == Decimal("100.00")  # the first day's cost
    assert series.planned_value[series.dates.index(STATUS)] == Decimal("2000.00")
    assert series.planned_value[-1] == Decimal("4000.00")
    assert len(series.actual_cost) == series.dates.index(STATUS) + 1
    assert series.actual_cost[series.dates.index(dt.date(2026, 3, 9))] == Decimal("1480.00")
    assert series.actual_cost[-1] == Decimal("1860.00")
    assert series.earned_value == [
        (MARCH_2, Decimal(0)),
        (dt.date(2026, 3, 9), Decimal("700.00")),
        (STATUS, Decimal("1800.00")),
    ]
    assert series.forecast == [
        (STATUS, Decimal("1860.00")),
        (dt.date(2026, 3, 31), Decimal("4133.33")),
    ]


# The portfolio ---------------------------------------------------------------------------------


def _portfolio(world: World) -> None:
    """CRM (in the Digital programme) as computed by hand; HR (no programme) in USD, a week
    later, half done; WMS in the other portfolio, with no baseline."""
    hand_calculated(world.project)
    Project.objects.filter(pk=world.sibling_project.pk).update(currency="USD")
    world.sibling_project.refresh_from_db()
    cost_baseline(
        world.sibling_project,
        [Planned("Roll-out", _day(8), 20, Decimal("100"), 50)],
    )
    actual_cost(world.sibling_project, dt.date(2026, 3, 12), "1250", "USD")


def test_roll_ups_are_sums_and_their_indices_come_from_the_sums(world: World) -> None:
    _portfolio(world)

    view = portfolio_earned_value(world.admin, as_of=STATUS)

    by_code = {project.code: figures for project, figures in view.projects}
    crm, hr = by_code["CRM"], by_code["HR"]
    assert view.currency == "EUR"
    assert crm.earned_value == Decimal("1800.00")
    # HR in EUR at 0.80 on the status date: BAC 2,000 USD = 1,600; EV 1,000 USD = 800;
    # AC 1,250 USD = 1,000.
    assert hr.budget_at_completion == Decimal("1600.00")
    assert hr.earned_value == Decimal("800.00")
    assert hr.actual_cost == Decimal("1000.00")
    # HR's own time runs from 9 March: PV at the end of 16 March = 8 days × 100 USD × 0.8.
    assert hr.planned_value == Decimal("640.00")
    assert hr.actual_time_days == pytest.approx(8.0)
    # ES: 1,000 USD is earned by the end of HR's 10th day, so SPI(t) = 10 / 8.
    assert hr.schedule_performance_index_time == pytest.approx(10 / 8)
    assert by_code["WMS"].problems == ["no cost baseline"]

    total = view.total.figures
    assert view.total.project_count == 2
    assert total.earned_value == crm.earned_value + hr.earned_value
    assert total.actual_cost == crm.actual_cost + hr.actual_cost
    assert total.planned_value == crm.planned_value + hr.planned_value
    assert total.budget_at_completion == Decimal("5600.00")
    assert total.cost_performance_index == pytest.approx(2600 / 2860)
    assert total.schedule_performance_index == pytest.approx(2600 / 2640)
    assert total.estimate_at_completion == Decimal("6160.00")  # 5,600 × 2,860 / 2,600

    (programme,) = view.programmes
    assert programme.code == "DIGI"
    assert programme.figures.earned_value == crm.earned_value
    assert programme.figures.schedule_performance_index_time == pytest.approx(14 / 15)
    (portfolio,) = view.portfolios
    assert portfolio.code == "CORP"
    assert portfolio.figures.estimate_at_completion == total.estimate_at_completion


def test_a_project_whose_currency_has_no_rate_is_left_out(world: World) -> None:
    hand_calculated(world.project)
    Project.objects.filter(pk=world.sibling_project.pk).update(currency="GBP")
    world.sibling_project.refresh_from_db()
    cost_baseline(world.sibling_project, [Planned("Roll-out", _day(1), 5, Decimal("100"), 50)])

    view = portfolio_earned_value(world.admin, as_of=STATUS)

    left_out = {project.code: figures.problems for project, figures in view.left_out}
    assert "HR" in left_out
    assert "GBP" in left_out["HR"][0]
    assert view.total.project_count == 1
    assert view.total.figures.earned_value == Decimal("1800.00")


def test_visible_projects_and_filters(world: World) -> None:
    _portfolio(world)

    codes = [p.code for p, _f in portfolio_earned_value(world.viewer, as_of=STATUS).projects]
    assert sorted(codes) == ["CRM", "HR"]
    only = portfolio_earned_value(world.admin, programme=world.programme, as_of=STATUS)
    assert [p.code for p, _f in only.projects] == ["CRM"]
    assert portfolio_earned_value(world.outsider, as_of=STATUS).total.project_count == 0


def test_overruns_worst_first(world: World) -> None:
    _portfolio(world)

    view = portfolio_earned_value(world.admin, as_of=STATUS)

    # CRM: CPI 0.97 but VAC −133.33 (an overrun); HR: CPI 0.8 (worse).
    assert [project.code for project, _f in view.overruns] == ["HR", "CRM"]


def test_index_bands() -> None:
    assert [index_band(v) for v in (1.2, 0.95, 0.949, 0.9, 0.89, None)] == [
        "green",
        "green",
        "amber",
        "amber",
        "red",
        "",
    ]


# Records ----------------------------------------------------------------------------------------


def test_record_stores_the_figures_and_replaces_those_of_the_same_date(world: World) -> None:
    hand_calculated(world.project)

    first = earned_value_record(actor=world.project_manager, project=world.project, as_of=STATUS)
    Task.objects.filter(project=world.project, name="Test").update(percent_complete=40)
    again = earned_value_record(actor=world.finance, project=world.project, as_of=STATUS)

    assert again.pk == first.pk
    assert EarnedValueRecord.objects.filter(project=world.project).count() == 1
    again.refresh_from_db()
    assert again.earned_value == Decimal("2200.00")  # 1,800 + 1,000 × 40 %
    assert again.planned_value == Decimal("2000.00")
    assert again.actual_cost == Decimal("1860.00")
    assert again.budget_at_completion == Decimal("4000.00")
    assert again.recorded_by == world.finance


def test_record_refuses_a_future_date(world: World) -> None:
    hand_calculated(world.project)
    tomorrow = dt.date.today() + dt.timedelta(days=2)

    with pytest.raises(ValidationError, match="in the future"):
        earned_value_record(actor=world.admin, project=world.project, as_of=tomorrow)


def test_record_refuses_without_a_baseline(world: World) -> None:
    with pytest.raises(ValidationError, match="no cost baseline"):
        earned_value_record(actor=world.admin, project=world.project, as_of=STATUS)


@pytest.mark.parametrize(
    ("who", "error"), [("viewer", ForbiddenError), ("outsider", NotFoundError)]
)
def test_record_needs_change_or_finance_rights(world: World, who: str, error: type) -> None:
    hand_calculated(world.project)

    with pytest.raises(error):
        earned_value_record(actor=world.user(who), project=world.project, as_of=STATUS)


def test_a_project_finished_on_time_keeps_its_schedule_index_after_it_finishes(
    world: World,
) -> None:
    """Two tasks of 10 days (2–21 March), both finished on 21 March as planned: months later
    the earned schedule and the actual time both stop at 20 days, so SPI(t) stays 1 and the
    forecast finish is the actual finish (Lipke measures a finished project at its finish)."""
    _baseline, tasks = cost_baseline(
        world.project,
        [
            Planned("Design", _day(1), 10, Decimal("100"), 100),
            Planned("Build", _day(11), 10, Decimal("100"), 100),
        ],
    )
    for task in tasks:
        task.actual_finish = dt.datetime(2026, 3, 21, 17, 0)
        task.save(update_fields=["actual_finish"])

    figures = project_earned_value(world.project, as_of=dt.date(2026, 7, 31))
    assert figures.earned_schedule_days == pytest.approx(20.0)
    assert figures.actual_time_days == pytest.approx(20.0)
    assert figures.schedule_performance_index_time == pytest.approx(1.0)
    assert figures.forecast_finish == dt.date(2026, 3, 21)

    tasks[1].percent_complete = 90
    tasks[1].save(update_fields=["percent_complete"])
    unfinished = project_earned_value(world.project, as_of=dt.date(2026, 7, 31))
    assert unfinished.actual_time_days == pytest.approx(152.0)
    assert unfinished.schedule_performance_index_time < 0.2
