"""Budgets, reference lists, cost baselines, actual costs and ERP imports through the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pilotage.finance import budgets, costs
from pilotage.finance.models import ActualCost, Budget, BudgetKind, CostCategory, Supplier
from pilotage.portfolio.models import Project
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db

ERP = Path(__file__).parent.parent / "finance" / "fixtures" / "erp"


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _categories(world: World) -> dict[str, CostCategory]:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    return {category.code: category for category in CostCategory.objects.all()}


def _budget(world: World, *, submitted: bool = False) -> Budget:
    hardware = _categories(world)["HW"]
    budget = budgets.budget_create(actor=world.project_manager, project=world.project)
    budgets.budget_line_set(
        actor=world.project_manager,
        budget=budget,
        category=hardware,
        expense_type="capex",
        month=dt.date(2027, 1, 1),
        amount=Decimal("100"),
    )
    if submitted:
        budgets.budget_submit(actor=world.project_manager, budget=budget)
    return budget


def _lines(world: World) -> dict[str, Any]:
    hardware = _categories(world)["HW"]
    return {"lines": [{"category_id": hardware.pk, "month": "2027-02-10", "amount": "75.5"}]}


class TestAccess(AccessMixin):
    access = [
        operation(
            "categories",
            "get",
            lambda w: "/cost-categories",
            allowed=("viewer", "finance", "outsider"),
        ),
        operation(
            "category-create",
            "post",
            lambda w: "/cost-categories",
            data=lambda w: {"code": "X", "name": "X"},
            allowed=("pmo",),
            forbidden=("finance", "project_manager", "nobody"),
            ok=(201,),
        ),
        operation(
            "rate-create",
            "post",
            lambda w: "/exchange-rates",
            data=lambda w: {"currency": "USD", "valid_from": "2027-01-01", "rate": "0.9"},
            allowed=("pmo", "admin"),
            forbidden=("finance", "viewer"),
            ok=(201,),
        ),
        operation(
            "settings-patch",
            "patch",
            lambda w: "/finance/settings",
            data=lambda w: {"invoice_rate_tolerance_percent": "2"},
            allowed=("pmo",),
            forbidden=("finance", "viewer"),
        ),
        operation(
            "project-budgets",
            "get",
            lambda w: f"/projects/{w.project.pk}/budgets",
            allowed=("viewer", "finance", "project_manager"),
            hidden=("outsider", "nobody"),
        ),
        operation(
            "project-budget-create",
            "post",
            lambda w: f"/projects/{w.project.pk}/budgets",
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(201,),
        ),
        operation(
            "programme-budget-create",
            "post",
            lambda w: f"/programmes/{w.programme.pk}/budgets",
            allowed=("pmo", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(201,),
        ),
        operation(
            "budget-lines",
            "put",
            lambda w: f"/budgets/{_budget(w).pk}/lines",
            data=_lines,
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
        ),
        operation(
            "budget-approve",
            "post",
            lambda w: f"/budgets/{_budget(w, submitted=True).pk}/approve",
            allowed=("finance", "pmo"),
            forbidden=("project_manager", "viewer"),
            hidden=("outsider",),
        ),
        operation(
            "rollup",
            "get",
            lambda w: f"/finance/budget-rollup?portfolio_id={w.portfolio.pk}",
            allowed=("viewer", "finance"),
            hidden=("outsider",),
        ),
        operation(
            "actual-costs",
            "get",
            lambda w: f"/projects/{w.project.pk}/actual-costs",
            allowed=("viewer", "finance", "project_manager"),
            hidden=("outsider", "nobody"),
        ),
        operation(
            "actual-cost-create",
            "post",
            lambda w: f"/projects/{w.project.pk}/actual-costs",
            data=lambda w: {"incurred_on": "2027-03-01", "amount": "10"},
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(201,),
        ),
        operation(
            "cost-baseline-capture",
            "post",
            lambda w: f"/projects/{w.project.pk}/cost-baselines",
            allowed=("project_manager", "finance"),
            forbidden=("viewer",),
            hidden=("outsider",),
            ok=(201,),
        ),
    ]


def test_the_budget_lifecycle(api: ApiFactory, world: World) -> None:
    hardware = _categories(world)["HW"]
    pm = api(world.project_manager)
    created = pm.post(f"/projects/{world.project.pk}/budgets", {"kind": "approved", "name": "B"})
    assert created.status_code == 201
    budget_id = created.json()["id"]
    lines = pm.client.put(
        f"/api/v1/budgets/{budget_id}/lines",
        json.dumps(
            {
                "lines": [
                    {"category_id": hardware.pk, "month": "2027-01-05", "amount": "1000"},
                    {"category_id": hardware.pk, "month": "2027-04-05", "amount": 250.25},
                ]
            }
        ),
        content_type="application/json",
    )
    assert lines.status_code == 200, lines.content
    assert lines.json()["total"] == "1250.25"
    assert [line["amount"] for line in lines.json()["lines"]] == ["1000.00", "250.25"]
    phased = pm.get(f"/budgets/{budget_id}/phased", period="quarter").json()
    assert (phased["labels"], phased["totals"]) == (["Q1 2027", "Q2 2027"], ["1000.00", "250.25"])
    assert pm.post(f"/budgets/{budget_id}/submit").json()["status"] == "submitted"
    self_approval = api(world.admin).post(f"/budgets/{budget_id}/approve")
    assert self_approval.status_code == 200
    world.project.refresh_from_db()
    assert world.project.budget == Decimal("1250.25")
    listed = pm.get(f"/projects/{world.project.pk}/budgets").json()
    assert sorted(item["kind"] for item in listed["items"]) == ["approved", "original"]


def test_self_approval_and_rejection_without_comment_are_refused(
    api: ApiFactory, world: World
) -> None:
    budget = _budget(world)
    finance = api(world.finance)
    finance.post(f"/budgets/{budget.pk}/submit")
    refused = finance.post(f"/budgets/{budget.pk}/approve")
    assert error_of(refused)["code"] == "forbidden"
    no_comment = api(world.pmo).post(f"/budgets/{budget.pk}/reject", {"comment": ""})
    assert no_comment.status_code == 422
    assert "comment" in error_of(no_comment)["fields"]


def test_lines_with_an_unknown_category_or_a_negative_amount(api: ApiFactory, world: World) -> None:
    budget = _budget(world)
    pm = api(world.project_manager)
    unknown = pm.client.put(
        f"/api/v1/budgets/{budget.pk}/lines",
        json.dumps({"lines": [{"category_id": 9999, "month": "2027-01-01", "amount": "1"}]}),
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert "unknown cost category" in " ".join(error_of(unknown)["fields"]["lines"])
    assert Budget.objects.get(pk=budget.pk).lines.count() == 1


def test_actual_costs_and_their_errors(api: ApiFactory, world: World) -> None:
    pm = api(world.project_manager)
    no_rate = pm.post(
        f"/projects/{world.project.pk}/actual-costs",
        {"incurred_on": "2027-03-01", "amount": "10", "currency": "JPY"},
    )
    assert no_rate.status_code == 422
    assert "JPY" in error_of(no_rate)["fields"]["currency"][0]
    negative = pm.post(
        f"/projects/{world.project.pk}/actual-costs", {"incurred_on": "2027-03-01", "amount": "-1"}
    )
    assert "amount" in error_of(negative)["fields"]
    ok = pm.post(
        f"/projects/{world.project.pk}/actual-costs", {"incurred_on": "2027-03-01", "amount": "9.5"}
    )
    assert ok.json()["amount"] == "9.50"
    assert pm.delete(f"/actual-costs/{ok.json()['id']}").status_code == 204


def test_actual_cost_list_reads_a_constant_number_of_queries(
    api: ApiFactory, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client = api(world.finance)
    path = f"/projects/{world.project.pk}/actual-costs"

    def add(count: int) -> None:
        for index in range(count):
            costs.actual_cost_create(
                actor=world.finance,
                project=world.project,
                incurred_on=dt.date(2027, 3, 1) + dt.timedelta(days=index),
                amount=Decimal("1"),
            )

    add(2)
    client.get(path)
    few = count_queries(lambda: client.get(path))
    add(8)
    assert count_queries(lambda: client.get(path)) == few


def test_budget_list_reads_a_constant_number_of_queries(
    api: ApiFactory, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client = api(world.finance)
    path = f"/projects/{world.project.pk}/budgets"
    _budget(world)
    client.get(path)
    few = count_queries(lambda: client.get(path))
    for _ in range(8):
        budgets.budget_create(actor=world.finance, project=world.project, kind=BudgetKind.FORECAST)
    assert count_queries(lambda: client.get(path)) == few


def _upload(client: Client, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/actual-costs/import", data)


def test_erp_import_dry_run_then_apply(world: World) -> None:
    _categories(world)
    Supplier.objects.create(code="ACME", name="Acme Consulting")
    client = Client()
    client.force_login(world.finance)
    content = (ERP / "sap_actual_costs.csv").read_bytes()
    dry = _upload(client, {"file": SimpleUploadedFile("sap.csv", content)})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["rows"], body["valid_rows"], body["applied"]) == (3, 3, False)
    assert body["totals"] == {"EUR": "4000.00"}
    assert not ActualCost.objects.exists()
    applied = _upload(
        client, {"file": SimpleUploadedFile("sap.csv", content), "dry_run": "false"}
    ).json()
    assert applied["created"] == 3
    again = _upload(client, {"file": SimpleUploadedFile("sap.csv", content), "dry_run": "false"})
    assert again.status_code == 422
    assert ActualCost.objects.count() == 3


def test_erp_import_with_a_mapping_and_a_project(world: World) -> None:
    client = Client()
    client.force_login(world.finance)
    text = b"When;How much\n2027-03-01;12,50\n2027-03-02;oops\n"
    response = _upload(
        client,
        {
            "file": SimpleUploadedFile("x.csv", text),
            "project_id": str(world.project.pk),
            "mapping": json.dumps({"0": "incurred_on", "1": "amount"}),
            "dry_run": "false",
            "skip_errors": "true",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["error_rows"]) == (1, 1)
    assert body["errors"][0]["row"] == 3
    assert ActualCost.objects.get().project == world.project


def test_erp_import_into_a_project_the_user_may_not_charge(world: World) -> None:
    client = Client()
    client.force_login(world.project_manager)
    response = _upload(
        client,
        {
            "file": SimpleUploadedFile("x.csv", b"Date;Amount\n2027-03-01;1\n"),
            "project_id": str(world.project.pk),
        },
    )
    assert response.status_code == 403
    assert Project.objects.count() == 3
