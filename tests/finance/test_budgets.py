"""Budgets: reference lists, versions and their approval rules, phasing, summaries and the
portfolio roll-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.finance import budgets
from pilotage.finance.models import (
    Budget,
    BudgetKind,
    BudgetLine,
    BudgetStatus,
    CostCategory,
    ExpenseType,
)
from pilotage.portfolio.models import Project
from tests.factories import ProjectFactory
from tests.world import World


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def categories(world: World) -> dict[str, CostCategory]:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    return {category.code: category for category in CostCategory.objects.all()}


def _draft(
    world: World,
    categories: dict[str, CostCategory],
    *,
    actor: Any = None,
    project: Project | None = None,
    kind: str = BudgetKind.APPROVED,
    amounts: dict[tuple[str, str], str] | None = None,
) -> Budget:
    actor = actor or world.project_manager
    budget = budgets.budget_create(actor=actor, project=project or world.project, kind=kind)
    rows = [
        {
            "category": categories[code],
            "expense_type": categories[code].expense_type,
            "month": dt.date.fromisoformat(month + "-01"),
            "amount": Decimal(amount),
        }
        for (code, month), amount in (
            amounts or {("LAB-INT", "2027-01"): "1000", ("HW", "2027-02"): "500"}
        ).items()
    ]
    budgets.budget_lines_replace(actor=actor, budget=budget, rows=rows)
    return budget


def _submitted(world: World, categories: dict[str, CostCategory], **kwargs: Any) -> Budget:
    budget = _draft(world, categories, **kwargs)
    return budgets.budget_submit(actor=kwargs.get("actor") or world.project_manager, budget=budget)


# Reference lists -------------------------------------------------------------------------------


def test_the_usual_categories_are_added_once(world: World) -> None:
    assert budgets.cost_categories_ensure_defaults(actor=world.pmo) == 7
    assert budgets.cost_categories_ensure_defaults(actor=world.pmo) == 0
    names = set(CostCategory.objects.values_list("name", flat=True))
    assert {"Internal labour", "External services", "Software licences", "Hardware"} <= names
    assert CostCategory.objects.get(code="HW").expense_type == ExpenseType.CAPEX


def test_finance_on_one_portfolio_does_not_manage_the_organisation_lists(world: World) -> None:
    with pytest.raises(ForbiddenError):
        budgets.cost_categories_ensure_defaults(actor=world.finance)
    with pytest.raises(ForbiddenError):
        budgets.exchange_rate_set(
            actor=world.finance, currency="USD", valid_from=dt.date(2027, 1, 1), rate=Decimal(1)
        )
    assert budgets.cost_category_list(user=world.nobody).count() == 0


def test_an_exchange_rate_of_the_same_date_is_replaced(world: World) -> None:
    day = dt.date(2027, 1, 1)
    budgets.exchange_rate_set(actor=world.pmo, currency="USD", valid_from=day, rate=Decimal("0.9"))
    budgets.exchange_rate_set(actor=world.pmo, currency="USD", valid_from=day, rate=Decimal("0.92"))
    assert [rate.rate for rate in budgets.exchange_rate_list(user=world.viewer)] == [
        Decimal("0.92")
    ]
    with pytest.raises(ValidationError) as refused:
        budgets.exchange_rate_set(actor=world.pmo, currency="EUR", valid_from=day, rate=Decimal(1))
    assert "reporting currency" in str(refused.value)


def test_a_category_in_use_cannot_be_deleted(
    world: World, categories: dict[str, CostCategory]
) -> None:
    _draft(world, categories)
    with pytest.raises(ValidationError) as refused:
        budgets.cost_category_delete(actor=world.pmo, category=categories["HW"])
    assert "inactive" in str(refused.value)
    budgets.cost_category_delete(actor=world.pmo, category=categories["TRAVEL"])


# Versions and approval -------------------------------------------------------------------------


def test_versions_are_numbered_per_kind(world: World, categories: dict[str, CostCategory]) -> None:
    first = budgets.budget_create(actor=world.project_manager, project=world.project)
    second = budgets.budget_create(actor=world.project_manager, project=world.project)
    forecast = budgets.budget_create(
        actor=world.finance, project=world.project, kind=BudgetKind.FORECAST
    )
    assert (first.number, second.number, forecast.number) == (1, 2, 1)
    assert first.currency == world.project.currency


def test_who_may_draft_a_budget(world: World) -> None:
    with pytest.raises(ForbiddenError):
        budgets.budget_create(actor=world.viewer, project=world.project)
    with pytest.raises(NotFoundError):
        budgets.budget_create(actor=world.project_manager, project=world.sibling_project)
    budgets.budget_create(actor=world.finance, project=world.sibling_project)
    budgets.budget_create(actor=world.pmo, programme=world.programme)


def test_approval_keeps_the_original_and_sets_the_project_budget(
    world: World, categories: dict[str, CostCategory]
) -> None:
    budget = _submitted(world, categories)
    with pytest.raises(ForbiddenError):
        budgets.budget_approve(actor=world.project_manager, budget=budget)
    budgets.budget_approve(actor=world.finance, budget=budget, comment="Fine")
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.APPROVED
    assert budget.decided_by == world.finance
    original = Budget.objects.get(project=world.project, kind=BudgetKind.ORIGINAL)
    assert original.status == BudgetStatus.APPROVED
    assert sorted(original.lines.values_list("amount", flat=True)) == [
        Decimal("500.00"),
        Decimal("1000.00"),
    ]
    world.project.refresh_from_db()
    assert world.project.budget == Decimal("1500.00")
    assert any(entry.action == "updated" for entry in history_for(budget))


def test_a_new_approval_supersedes_the_previous_one_and_the_original_stays(
    world: World, categories: dict[str, CostCategory]
) -> None:
    first = _submitted(world, categories)
    budgets.budget_approve(actor=world.finance, budget=first)
    second = _submitted(world, categories, amounts={("LAB-INT", "2027-01"): "2500"})
    budgets.budget_approve(actor=world.finance, budget=second)
    first.refresh_from_db()
    assert first.status == BudgetStatus.SUPERSEDED
    originals = Budget.objects.filter(project=world.project, kind=BudgetKind.ORIGINAL)
    assert originals.count() == 1
    summary = budgets.budget_summary(world.project)
    assert summary["original"] == Decimal("1500.00")
    assert summary["approved"] == Decimal("2500.00")
    assert summary["forecast"] is None
    world.project.refresh_from_db()
    assert world.project.budget == Decimal("2500.00")


def test_the_project_budget_is_converted_to_the_project_currency(
    world: World, categories: dict[str, CostCategory]
) -> None:
    budgets.exchange_rate_set(
        actor=world.pmo, currency="USD", valid_from=dt.date(2020, 1, 1), rate=Decimal("0.8")
    )
    project = ProjectFactory(portfolio=world.portfolio, currency="USD", budget=Decimal(0))
    budget = budgets.budget_create(actor=world.finance, project=project, currency="EUR")
    budgets.budget_line_set(
        actor=world.finance,
        budget=budget,
        category=categories["HW"],
        expense_type=ExpenseType.CAPEX,
        month=dt.date(2027, 5, 17),
        amount=Decimal("1000"),
    )
    budgets.budget_submit(actor=world.finance, budget=budget)
    budgets.budget_approve(actor=world.pmo, budget=budget)
    project.refresh_from_db()
    assert project.budget == Decimal("1250.00")


def test_whoever_submitted_may_not_approve_unless_administrator(
    world: World, categories: dict[str, CostCategory]
) -> None:
    budget = _submitted(world, categories, actor=world.finance)
    with pytest.raises(ForbiddenError) as refused:
        budgets.budget_approve(actor=world.finance, budget=budget)
    assert "someone else" in str(refused.value.message)
    mine = _submitted(world, categories, actor=world.admin, project=world.sibling_project)
    budgets.budget_approve(actor=world.admin, budget=mine)
    assert Budget.objects.get(pk=mine.pk).status == BudgetStatus.APPROVED


def test_rejecting_needs_a_comment(world: World, categories: dict[str, CostCategory]) -> None:
    budget = _submitted(world, categories)
    with pytest.raises(ValidationError) as refused:
        budgets.budget_reject(actor=world.finance, budget=budget, comment="  ")
    assert "comment" in refused.value.message_dict
    budgets.budget_reject(actor=world.finance, budget=budget, comment="Too much hardware")
    budget.refresh_from_db()
    assert (budget.status, budget.decision_comment) == (BudgetStatus.REJECTED, "Too much hardware")
    with pytest.raises(ValidationError):
        budgets.budget_approve(actor=world.finance, budget=budget)


def test_amounts_change_only_while_draft(world: World, categories: dict[str, CostCategory]) -> None:
    budget = _submitted(world, categories)
    with pytest.raises(ValidationError) as refused:
        budgets.budget_line_set(
            actor=world.project_manager,
            budget=budget,
            category=categories["HW"],
            expense_type=ExpenseType.CAPEX,
            month=dt.date(2027, 1, 1),
            amount=Decimal(1),
        )
    assert "draft" in str(refused.value)
    with pytest.raises(ValidationError):
        budgets.budget_delete(actor=world.project_manager, budget=budget)


def test_a_zero_amount_removes_the_line(world: World, categories: dict[str, CostCategory]) -> None:
    budget = _draft(world, categories)
    budgets.budget_line_set(
        actor=world.project_manager,
        budget=budget,
        category=categories["HW"],
        expense_type=ExpenseType.CAPEX,
        month=dt.date(2027, 2, 14),
        amount=Decimal(0),
    )
    assert list(budget.lines.values_list("category__code", flat=True)) == ["LAB-INT"]


def test_the_grid_is_saved_all_or_nothing(
    world: World, categories: dict[str, CostCategory]
) -> None:
    budget = _draft(world, categories)
    rows = [
        {
            "category": categories["HW"],
            "expense_type": "capex",
            "month": dt.date(2027, 3, 1),
            "amount": Decimal("10"),
        },
        {
            "category": categories["HW"],
            "expense_type": "capex",
            "month": dt.date(2027, 4, 1),
            "amount": Decimal("-5"),
        },
    ]
    with pytest.raises(ValidationError) as refused:
        budgets.budget_lines_replace(actor=world.project_manager, budget=budget, rows=rows)
    assert "Row 2" in " ".join(refused.value.messages)
    assert budget.lines.count() == 2
    assert not budget.lines.filter(month=dt.date(2027, 3, 1)).exists()


def test_the_first_draft_can_be_copied(world: World, categories: dict[str, CostCategory]) -> None:
    first = _draft(world, categories)
    copy = budgets.budget_create(
        actor=world.project_manager,
        project=world.project,
        kind=BudgetKind.FORECAST,
        copy_from=first,
    )
    assert copy.lines.count() == 2


# Phasing, summary, roll-up ---------------------------------------------------------------------


def test_phasing_by_month_quarter_and_year(
    world: World, categories: dict[str, CostCategory]
) -> None:
    budget = _draft(
        world,
        categories,
        amounts={
            ("LAB-INT", "2027-01"): "100",
            ("LAB-INT", "2027-03"): "200",
            ("LAB-INT", "2027-04"): "400",
            ("HW", "2028-02"): "1000",
        },
    )
    months = budgets.budget_phased(budget, "month")
    assert months.labels == ["2027-01", "2027-03", "2027-04", "2028-02"]
    quarters = budgets.budget_phased(budget, "quarter")
    assert quarters.labels == ["Q1 2027", "Q2 2027", "Q1 2028"]
    assert quarters.totals == [Decimal("300"), Decimal("400"), Decimal("1000")]
    labour = next(row for row in quarters.rows if row.category.code == "LAB-INT")
    assert labour.values == [Decimal("300"), Decimal("400"), Decimal("0")]
    years = budgets.budget_phased(budget, "year")
    assert (years.labels, years.totals) == (["2027", "2028"], [Decimal("700"), Decimal("1000")])
    assert (years.capex, years.opex, years.total) == (
        Decimal("1000"),
        Decimal("700"),
        Decimal("1700"),
    )


def test_the_rollup_says_when_a_rate_is_missing(
    world: World, categories: dict[str, CostCategory]
) -> None:
    usd = ProjectFactory(portfolio=world.portfolio, code="USDP", currency="USD")
    for project, currency in ((world.project, "EUR"), (usd, "USD")):
        budget = budgets.budget_create(actor=world.pmo, project=project, currency=currency)
        budgets.budget_line_set(
            actor=world.pmo,
            budget=budget,
            category=categories["HW"],
            expense_type="capex",
            month=dt.date(2027, 1, 1),
            amount=Decimal("100"),
        )
        budgets.budget_submit(actor=world.pmo, budget=budget)
        budgets.budget_approve(actor=world.finance, budget=budget)
    rows = budgets.portfolio_budget_rollup(user=world.finance, portfolio=world.portfolio)
    by_code = {row.code: row for row in rows if row.level == "project"}
    assert by_code["CRM"].approved == Decimal("100.00")
    assert by_code["USDP"].approved is None
    assert "USD" in by_code["USDP"].problems[0]
    assert "2027-01-01" in by_code["USDP"].problems[0]
    programme = next(row for row in rows if row.level == "programme")
    assert programme.projects_approved == Decimal("100.00")
    budgets.exchange_rate_set(
        actor=world.pmo, currency="USD", valid_from=dt.date(2026, 1, 1), rate=Decimal("0.5")
    )
    rows = budgets.portfolio_budget_rollup(user=world.finance, portfolio=world.portfolio)
    total = rows[-1]
    assert (total.level, total.approved, total.original) == (
        "total",
        Decimal("150.00"),
        Decimal("150.00"),
    )
    assert not [
        row for row in budgets.portfolio_budget_rollup(user=world.outsider) if row.code == "CRM"
    ]


def test_budget_list_reads_a_constant_number_of_queries(
    world: World,
    categories: dict[str, CostCategory],
    count_queries: Callable[[Callable[[], Any]], int],
) -> None:
    def read() -> None:
        list(budgets.budget_list(user=world.finance, project=world.project))

    _draft(world, categories)
    read()
    few = count_queries(read)
    for _ in range(5):
        _draft(world, categories)
    assert count_queries(read) == few
    assert BudgetLine.objects.count() == 12
