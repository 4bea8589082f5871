"""Costs: the cost baseline against a hand calculation, the actual cost ledger and its rules,
and the reads of cost by day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.errors import ForbiddenError
from pilotage.finance import budgets, costs
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    CostBaseline,
    CostBaselineTask,
    PeriodLock,
)
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.resources import services as resource_services
from pilotage.resources.models import Assignment
from tests.world import World

WEDNESDAY = dt.date(2027, 3, 3)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def plan(world: World) -> dict[str, Task]:
    """A summary "Phase 1" over "Build" (5 working days from a Wednesday, so over a weekend)
    and the milestone "Sign-off"; Alice full time on Build at 50 €/h, then 60 €/h from the
    Monday; Bob half time at 320 €/day; Build has a fixed cost of 500 €, Sign-off of 300 €."""
    planning_services.plan_update(
        actor=world.admin, project=world.project, start=dt.datetime.combine(WEDNESDAY, dt.time(8))
    )
    phase = planning_services.task_create(actor=world.admin, project=world.project, name="Phase 1")
    build = planning_services.task_create(
        actor=world.admin,
        project=world.project,
        name="Build",
        outline_level=2,
        duration_minutes=5 * 480,
    )
    sign_off = planning_services.task_create(
        actor=world.admin,
        project=world.project,
        name="Sign-off",
        outline_level=2,
        duration_minutes=0,
    )
    alice = resource_services.resource_create(
        actor=world.admin, name="Alice", standard_rate=Decimal("50"), standard_rate_unit="h"
    )
    resource_services.rate_set(
        actor=world.admin,
        resource=alice,
        effective_from=dt.date(2027, 3, 8),
        standard_rate=Decimal("60"),
        standard_rate_unit="h",
    )
    bob = resource_services.resource_create(
        actor=world.admin, name="Bob", standard_rate=Decimal("320"), standard_rate_unit="d"
    )
    resource_services.assignment_create(actor=world.admin, task=build, resource=alice)
    resource_services.assignment_create(
        actor=world.admin, task=build, resource=bob, units=Decimal("0.5")
    )
    Task.objects.filter(pk=build.pk).update(fixed_cost=Decimal("500"))
    Task.objects.filter(pk=sign_off.pk).update(fixed_cost=Decimal("300"))
    Task.objects.filter(pk=phase.pk).update(fixed_cost=Decimal("0"))
    return {"phase": Task.objects.get(pk=phase.pk), "build": build, "sign_off": sign_off}


def test_the_cost_baseline_matches_a_hand_calculation(world: World, plan: dict[str, Task]) -> None:
    build = Task.objects.get(pk=plan["build"].pk)
    assert build.start is not None
    assert build.start.date() == WEDNESDAY
    assert build.finish is not None
    assert build.finish.date() == dt.date(2027, 3, 9)
    assert Task.objects.get(pk=plan["phase"].pk).is_summary
    baseline = costs.cost_baseline_capture(actor=world.project_manager, project=world.project)
    # Alice: Wed-Fri 3 × 8 h × 50 = 1200, Mon-Tue 2 × 8 h × 60 = 960; Bob: 5 × 4 h × 40 = 800.
    assert baseline.labour_cost == Decimal("2960.00")
    # Build's 500 spread over its 5 working days; Sign-off's 300 on its day.
    assert baseline.fixed_cost == Decimal("800.00")
    assert baseline.budget_at_completion == Decimal("3760.00")
    tasks = {row.name: row for row in CostBaselineTask.objects.filter(cost_baseline=baseline)}
    assert set(tasks) == {"Build", "Sign-off"}
    assert (tasks["Build"].labour_cost, tasks["Build"].fixed_cost, tasks["Build"].cost) == (
        Decimal("2960.00"),
        Decimal("500.00"),
        Decimal("3460.00"),
    )
    assert tasks["Sign-off"].cost == Decimal("300.00")
    daily = costs.planned_cost_by_day(world.project)
    assert daily[WEDNESDAY] == Decimal("960.00")  # 400 + 160 + 100 + the milestone's 300
    assert daily[dt.date(2027, 3, 5)] == Decimal("660.00")
    assert dt.date(2027, 3, 6) not in daily
    assert dt.date(2027, 3, 7) not in daily
    assert daily[dt.date(2027, 3, 8)] == Decimal("740.00")  # 480 + 160 + 100
    assert sum(daily.values()) == Decimal("3760.00")
    assert Assignment.objects.filter(cost__isnull=False).count() == 0


def test_a_new_capture_becomes_the_current_one(world: World, plan: dict[str, Task]) -> None:
    first = costs.cost_baseline_capture(actor=world.admin, project=world.project, name="Initial")
    second = costs.cost_baseline_capture(actor=world.admin, project=world.project)
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert costs.cost_baseline_current(world.project) == second
    assert second.name == "Cost baseline 2"
    assert CostBaseline.objects.filter(project=world.project).count() == 2


def test_a_project_in_another_currency_converts_the_rates(
    world: World, plan: dict[str, Task]
) -> None:
    world.project.currency = "USD"
    world.project.save()
    with pytest.raises(ValidationError) as refused:
        costs.cost_baseline_capture(actor=world.admin, project=world.project)
    assert "USD" in str(refused.value)
    budgets.exchange_rate_set(
        actor=world.admin, currency="USD", valid_from=dt.date(2027, 1, 1), rate=Decimal("0.8")
    )
    baseline = costs.cost_baseline_capture(actor=world.admin, project=world.project)
    # Labour is in the reporting currency (EUR): 2960 / 0.8; fixed costs are the project's.
    assert baseline.labour_cost == Decimal("3700.00")
    assert baseline.currency == "USD"


def test_only_project_managers_and_finance_capture(world: World, plan: dict[str, Task]) -> None:
    with pytest.raises(ForbiddenError):
        costs.cost_baseline_capture(actor=world.viewer, project=world.project)
    costs.cost_baseline_capture(actor=world.finance, project=world.project)


# Actual costs ----------------------------------------------------------------------------------


def _expense(world: World, **values: Any) -> ActualCost:
    defaults: dict[str, Any] = {
        "actor": world.project_manager,
        "project": world.project,
        "incurred_on": dt.date(2027, 3, 4),
        "amount": Decimal("120.00"),
    }
    return costs.actual_cost_create(**{**defaults, **values})


def test_project_managers_type_expenses_but_not_erp_costs(world: World) -> None:
    cost = _expense(world, description="Taxi")
    assert (cost.source, cost.currency, cost.expense_type) == ("expense", "EUR", "opex")
    with pytest.raises(ForbiddenError):
        _expense(world, source=ActualCostSource.ERP, reference="X1")
    with pytest.raises(ForbiddenError):
        _expense(world, actor=world.viewer)
    _expense(world, actor=world.finance, source=ActualCostSource.ERP, reference="X1")


def test_negative_amounts_only_as_erp_credit_notes_with_a_reference(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        _expense(world, amount=Decimal("-10"))
    assert "credit note" in str(refused.value.message_dict["amount"])
    with pytest.raises(ValidationError):
        _expense(world, actor=world.finance, amount=Decimal("-10"), source=ActualCostSource.ERP)
    credit = _expense(
        world,
        actor=world.finance,
        amount=Decimal("-10"),
        source=ActualCostSource.ERP,
        reference="CN-1",
    )
    assert credit.amount == Decimal("-10")


def test_a_currency_without_a_rate_is_refused_naming_it_and_the_date(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        _expense(world, currency="GBP")
    message = " ".join(refused.value.message_dict["currency"])
    assert "GBP" in message
    assert "2027-03-04" in message
    budgets.exchange_rate_set(
        actor=world.admin, currency="GBP", valid_from=dt.date(2027, 3, 5), rate=Decimal("1.2")
    )
    with pytest.raises(ValidationError):
        _expense(world, currency="GBP")
    _expense(world, currency="GBP", incurred_on=dt.date(2027, 3, 5))


def test_a_locked_period_is_refused(world: World) -> None:
    cost = _expense(world)
    PeriodLock.objects.create(start=dt.date(2027, 3, 1), finish=dt.date(2027, 3, 31))
    with pytest.raises(ValidationError) as refused:
        _expense(world, incurred_on=dt.date(2027, 3, 10))
    assert "locked period" in str(refused.value)
    with pytest.raises(ValidationError):
        costs.actual_cost_delete(actor=world.project_manager, cost=cost)


def test_timesheet_and_invoice_costs_are_not_typed_or_deleted_here(world: World) -> None:
    with pytest.raises(ValidationError):
        _expense(world, actor=world.admin, source=ActualCostSource.TIMESHEET)
    row = ActualCost.objects.create(
        project=world.project,
        incurred_on=dt.date(2027, 3, 4),
        amount=Decimal("80"),
        currency="EUR",
        source=ActualCostSource.TIMESHEET,
    )
    with pytest.raises(ValidationError) as refused:
        costs.actual_cost_delete(actor=world.admin, cost=row)
    assert "reopen" in str(refused.value)


def test_actual_cost_by_day_in_the_project_currency(world: World) -> None:
    budgets.exchange_rate_set(
        actor=world.admin, currency="USD", valid_from=dt.date(2027, 1, 1), rate=Decimal("0.5")
    )
    _expense(world, amount=Decimal("100"))
    _expense(world, amount=Decimal("40"), currency="USD")
    _expense(world, amount=Decimal("7"), incurred_on=dt.date(2027, 3, 9))
    assert costs.actual_cost_by_day(world.project) == {
        dt.date(2027, 3, 4): Decimal("120.00"),
        dt.date(2027, 3, 9): Decimal("7.00"),
    }
    assert costs.actual_cost_by_day(world.project, until=dt.date(2027, 3, 5)) == {
        dt.date(2027, 3, 4): Decimal("120.00")
    }


def test_bulk_read_of_actual_costs_is_one_query(
    world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    _expense(world, amount=Decimal("100"))
    _expense(world, amount=Decimal("5"))
    _expense(world, project=world.sibling_project, actor=world.admin, amount=Decimal("3"))
    found: dict[int, Any] = {}

    def read() -> None:
        found.update(
            costs.actual_costs_by_project_and_day([world.project.pk, world.sibling_project.pk])
        )

    assert count_queries(read) == 1
    assert found[world.project.pk] == [(dt.date(2027, 3, 4), Decimal("105.00"), "EUR")]
    assert found[world.sibling_project.pk] == [(dt.date(2027, 3, 4), Decimal("3.00"), "EUR")]


def test_the_cost_report_compares_budget_and_actual_by_period(world: World) -> None:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    from pilotage.finance.models import CostCategory

    labour = CostCategory.objects.get(code="LAB-INT")
    budget = budgets.budget_create(actor=world.pmo, project=world.project)
    budgets.budget_lines_replace(
        actor=world.pmo,
        budget=budget,
        rows=[
            {
                "category": labour,
                "expense_type": "opex",
                "month": dt.date(2027, 3, 1),
                "amount": 1000,
            },
            {
                "category": labour,
                "expense_type": "opex",
                "month": dt.date(2027, 4, 1),
                "amount": 500,
            },
        ],
    )
    budgets.budget_submit(actor=world.pmo, budget=budget)
    budgets.budget_approve(actor=world.finance, budget=budget)
    _expense(world, amount=Decimal("300"), category=labour)
    _expense(world, amount=Decimal("50"), incurred_on=dt.date(2027, 4, 2))
    report = costs.cost_report(world.project, period="month")
    assert [entry.label for entry in report.periods] == ["2027-03", "2027-04"]
    assert [entry.actual_cumulative for entry in report.periods] == [Decimal("300"), Decimal("350")]
    assert [entry.budget_cumulative for entry in report.periods] == [
        Decimal("1000"),
        Decimal("1500"),
    ]
    by_name = {entry.name: entry for entry in report.categories}
    assert by_name["Internal labour"].remaining == Decimal("1200")
    assert by_name["No category"].actual == Decimal("50")
    quarter = costs.cost_report(world.project, period="quarter")
    assert [entry.label for entry in quarter.periods] == ["Q1 2027", "Q2 2027"]
