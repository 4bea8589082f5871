"""Pages of budgets and costs: who may open and use them, the grid, the ledger and its export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from pilotage.finance import budgets, costs
from pilotage.finance.models import (
    ActualCost,
    Budget,
    BudgetKind,
    BudgetStatus,
    CostBaseline,
    CostCategory,
)
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _budget(world: World, *, submitted: bool = False) -> Budget:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    budget = budgets.budget_create(actor=world.project_manager, project=world.project)
    budgets.budget_line_set(
        actor=world.project_manager,
        budget=budget,
        category=CostCategory.objects.get(code="HW"),
        expense_type="capex",
        month=dt.date(2027, 1, 1),
        amount=Decimal("100"),
    )
    if submitted:
        budgets.budget_submit(actor=world.project_manager, budget=budget)
    return budget


def _expense_data(world: World) -> dict[str, str]:
    return {"incurred_on": "2027-03-04", "amount": "12.50", "currency": "EUR"}


class TestPages(AccessMixin):
    access = [
        Access(
            "settings",
            "get",
            lambda w: "/finance/settings/",
            allowed=("viewer", "finance", "pmo", "outsider"),
            forbidden=("nobody",),
        ),
        Access(
            "settings-save",
            "post",
            lambda w: "/finance/settings/",
            data=lambda w: {
                "reporting_currency": "EUR",
                "invoice_work_done_percent": "80",
                "invoice_overbilling_tolerance_percent": "5",
                "invoice_rate_tolerance_percent": "0",
            },
            allowed=("pmo", "admin"),
            forbidden=("finance", "viewer", "nobody"),
            ok=(302,),
        ),
        Access(
            "category-defaults",
            "post",
            lambda w: "/finance/settings/categories/defaults/",
            allowed=("pmo",),
            forbidden=("finance", "project_manager"),
            ok=(302,),
        ),
        Access(
            "project-budgets",
            "get",
            lambda w: f"/projects/{w.project.pk}/finance/budgets/",
            allowed=("viewer", "finance", "project_manager", "pmo"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "programme-budgets",
            "get",
            lambda w: f"/programmes/{w.programme.pk}/finance/budgets/",
            allowed=("viewer", "finance", "pmo"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "budget-create",
            "get",
            lambda w: f"/finance/budgets/new/?project={w.project.pk}",
            allowed=("project_manager", "finance", "pmo"),
            forbidden=("viewer",),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "budget-detail",
            "get",
            lambda w: f"/finance/budgets/{_budget(w).pk}/",
            allowed=("viewer", "finance", "project_manager"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "budget-submit",
            "post",
            lambda w: f"/finance/budgets/{_budget(w).pk}/submit/",
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(302,),
        ),
        Access(
            "budget-approve",
            "post",
            lambda w: f"/finance/budgets/{_budget(w, submitted=True).pk}/approve/",
            allowed=("finance", "pmo"),
            forbidden=("project_manager", "viewer"),
            hidden=("outsider",),
            ok=(302,),
        ),
        Access(
            "project-costs",
            "get",
            lambda w: f"/projects/{w.project.pk}/finance/costs/",
            allowed=("viewer", "finance", "project_manager"),
            hidden=("outsider", "nobody"),
        ),
        Access(
            "expense-create",
            "post",
            lambda w: f"/projects/{w.project.pk}/finance/costs/new/",
            data=_expense_data,
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(302,),
        ),
        Access(
            "baseline-capture",
            "post",
            lambda w: f"/projects/{w.project.pk}/finance/cost-baselines/capture/",
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(302,),
        ),
        Access(
            "erp-import",
            "get",
            lambda w: "/finance/imports/actual-costs/",
            allowed=("finance", "pmo"),
            forbidden=("viewer", "project_manager", "nobody"),
        ),
    ]


def test_the_grid_saves_cells_and_shows_bad_ones(client: Client, world: World) -> None:
    budget = _budget(world)
    hardware = CostCategory.objects.get(code="HW")
    labour = CostCategory.objects.get(code="LAB-INT")
    client.force_login(world.project_manager)
    url = f"/finance/budgets/{budget.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="c-{hardware.pk}-capex-2027-01"' in page.content.decode()
    bad = client.post(
        url, {f"c-{labour.pk}-opex-2027-01": "abc", f"c-{hardware.pk}-capex-2027-01": "5"}
    )
    assert bad.status_code == 200
    assert "Enter an amount." in bad.content.decode()
    assert "Nothing was saved" in bad.content.decode()
    assert budget.lines.get().amount == Decimal("100")
    good = client.post(
        url, {f"c-{labour.pk}-opex-2027-02": "1 250,50", f"c-{hardware.pk}-capex-2027-01": ""}
    )
    assert good.status_code == 302
    assert list(budget.lines.values_list("category__code", "amount")) == [
        ("LAB-INT", Decimal("1250.50"))
    ]


def test_approving_on_the_page_shows_the_new_status(client: Client, world: World) -> None:
    budget = _budget(world, submitted=True)
    client.force_login(world.finance)
    client.post(f"/finance/budgets/{budget.pk}/approve/", {"comment": "ok"})
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.APPROVED
    page = client.get(f"/projects/{world.project.pk}/finance/budgets/")
    body = page.content.decode()
    assert "Current approved v1" in body
    assert "Original v1" in body
    refused = client.post(f"/finance/budgets/{budget.pk}/reject/", {"comment": ""})
    assert refused.status_code == 302
    assert Budget.objects.filter(kind=BudgetKind.ORIGINAL).count() == 1


def test_the_ledger_filters_and_exports(client: Client, world: World) -> None:
    for day in ("2027-03-01", "2027-04-01"):
        costs.actual_cost_create(
            actor=world.finance,
            project=world.project,
            incurred_on=dt.date.fromisoformat(day),
            amount=Decimal("10"),
            reference=f"R-{day}",
        )
    client.force_login(world.viewer)
    url = f"/projects/{world.project.pk}/finance/costs/"
    body = client.get(url, {"start": "2027-03-15"}).content.decode()
    assert "R-2027-04-01" in body
    assert "R-2027-03-01" not in body
    export = client.get(url, {"format": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_ledger_reads_a_constant_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for index in range(count):
            costs.actual_cost_create(
                actor=world.finance,
                project=world.project,
                incurred_on=dt.date(2027, 3, 1 + index),
                amount=Decimal("10"),
            )

    client.force_login(world.finance)
    url = f"/projects/{world.project.pk}/finance/costs/"
    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_expense_with_a_currency_without_rate_shows_the_message(
    client: Client, world: World
) -> None:
    client.force_login(world.project_manager)
    response = client.post(
        f"/projects/{world.project.pk}/finance/costs/new/",
        {"incurred_on": "2027-03-04", "amount": "12", "currency": "CHF"},
    )
    assert response.status_code == 200
    assert "no exchange rate from CHF" in response.content.decode()
    assert not ActualCost.objects.exists()


def test_capturing_a_baseline_from_the_page(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    client.post(
        f"/projects/{world.project.pk}/finance/cost-baselines/capture/", {"name": "Signed off"}
    )
    assert CostBaseline.objects.get(project=world.project).name == "Signed off"


def test_the_settings_page_offers_the_usual_categories(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    assert "Add the usual categories" in client.get("/finance/settings/").content.decode()
    client.post("/finance/settings/categories/defaults/")
    body = client.get("/finance/settings/").content.decode()
    assert "Add the usual categories" not in body
    assert "Software licences" in body
    client.post(
        "/finance/settings/rates/", {"currency": "USD", "valid_from": "2027-01-01", "rate": "0.91"}
    )
    assert "0.91" in client.get("/finance/settings/").content.decode()


def test_the_programme_page_links_to_its_budget(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    body = client.get(f"/programmes/{world.programme.pk}/").content.decode()
    assert f"/programmes/{world.programme.pk}/finance/budgets/" in body
