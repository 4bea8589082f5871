"""The project's Finance tab (earned value) and the portfolio finance dashboard."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from pilotage.finance.models import (
    Budget,
    BudgetKind,
    BudgetLine,
    BudgetStatus,
    CostCategory,
    EarnedValueRecord,
    Invoice,
    InvoiceStatus,
    Supplier,
)
from tests.access import Access, AccessMixin
from tests.factories import ProjectFactory
from tests.finance.factories_evm import Planned, actual_cost, cost_baseline, exchange_rate
from tests.finance.test_earned_value_service import STATUS, hand_calculated
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
RECORDS_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "finance")
HIDDEN_CRM = ("outsider", "nobody")
EVERYONE = (*SEES_CRM, "outsider", "nobody")


def _finance_url(w: World) -> str:
    return f"/projects/{w.project.pk}/finance/"


class TestEarnedValuePages(AccessMixin):
    access = [
        Access("finance-tab", "get", _finance_url, allowed=SEES_CRM, hidden=HIDDEN_CRM),
        Access(
            "record",
            "post",
            lambda w: f"/projects/{w.project.pk}/finance/records/",
            data=lambda w: {"as_of": "2026-03-16"},
            allowed=RECORDS_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access("dashboard", "get", lambda w: "/finance/", allowed=EVERYONE),
        Access(
            "dashboard-xlsx", "get", lambda w: "/finance/?format=xlsx", allowed=("pmo", "nobody")
        ),
    ]


def test_finance_tab_shows_the_figures_the_curve_and_the_records(
    client: Client, world: World
) -> None:
    hand_calculated(world.project)
    client.force_login(world.project_manager)

    response = client.get(_finance_url(world), {"as_of": "2026-03-16"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="evm-cards"' in page
    assert "4,133" in page  # EAC = BAC / CPI
    table = page[page.index('data-testid="evm-table"') :]
    for name in ("Earned schedule", "SPI(t)", "IEAC(t)", "TCPI", "Estimate at completion"):
        assert name in table
    assert "1,800.00" in table
    assert "1,860.00" in table
    chart = response.context["chart_data"]
    assert chart["as_of"] == "2026-03-16"
    assert chart["planned_value"][-1] == pytest.approx(4000.0)
    assert chart["forecast"]["values"] == [pytest.approx(1860.0), pytest.approx(4133.33)]
    assert 'id="evm-data"' in page
    assert "pilotage/finance.js" in page
    assert 'data-testid="record-button"' in page
    assert response.context["figures"].cpi_band == "green"  # 0.968
    assert response.context["figures"].spi_band == "amber"  # 0.9


def test_a_viewer_sees_no_record_button(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.viewer)

    page = client.get(_finance_url(world), {"as_of": "2026-03-16"}).content.decode()

    assert 'data-testid="evm-cards"' in page
    assert 'data-testid="record-button"' not in page


def test_empty_state_without_a_cost_baseline(client: Client, world: World) -> None:
    client.force_login(world.project_manager)

    response = client.get(_finance_url(world))

    page = response.content.decode()
    assert 'data-testid="evm-empty"' in page
    assert "No cost baseline yet" in page
    assert "evm-data" not in page


def test_missing_rate_is_explained(client: Client, world: World) -> None:
    cost_baseline(world.project, [Planned("Build", dt.date(2026, 3, 2), 5, Decimal("10"), 50)])
    actual_cost(world.project, dt.date(2026, 3, 3), "10", "GBP")
    client.force_login(world.admin)

    page = client.get(_finance_url(world), {"as_of": "2026-03-16"}).content.decode()

    assert 'data-testid="evm-problems"' in page
    assert "GBP" in page


def test_a_bad_status_date_falls_back_to_today(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.admin)

    response = client.get(_finance_url(world), {"as_of": "2026-13-45"})

    assert response.status_code == 200
    assert response.context["as_of"] == dt.date.today()
    assert response.context["form_errors"]


def test_record_button_stores_the_figures(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.finance)

    response = client.post(
        f"/projects/{world.project.pk}/finance/records/", {"as_of": "2026-03-16"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?as_of=2026-03-16")
    record = EarnedValueRecord.objects.get(project=world.project)
    assert record.earned_value == Decimal("1800.00")
    page = client.get(response["Location"]).content.decode()
    assert "were recorded" in page
    assert "?as_of=2026-03-16" in page


def test_record_of_a_future_date_is_refused_with_a_message(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.admin)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()

    response = client.post(
        f"/projects/{world.project.pk}/finance/records/", {"as_of": future}, follow=True
    )

    assert "in the future" in response.content.decode()
    assert not EarnedValueRecord.objects.exists()


# The dashboard ---------------------------------------------------------------------------------


def _hr_late(world: World) -> None:
    cost_baseline(
        world.sibling_project,
        [Planned("Roll-out", dt.date(2026, 3, 2), 20, Decimal("100"), 20)],
    )
    actual_cost(world.sibling_project, dt.date(2026, 3, 10), "900")


def test_dashboard_totals_overruns_and_roll_up(client: Client, world: World) -> None:
    hand_calculated(world.project)
    _hr_late(world)
    client.force_login(world.portfolio_manager)

    response = client.get("/finance/", {"as_of": "2026-03-16"})

    assert response.status_code == 200
    page = response.content.decode()
    view = response.context["view"]
    assert view.total.project_count == 2
    # HR: EV 400 for AC 900 (CPI 0.44), worst; CRM: VAC −133.33.
    assert [p.code for p, _f in response.context["overruns"]] == ["HR", "CRM"]
    overruns = page[page.index('data-testid="overruns"') :]
    assert f'href="/projects/{world.sibling_project.pk}/finance/"' in overruns
    kinds = [(row.kind, row.code) for row in response.context["rows"]]
    assert kinds == [
        ("portfolio", "CORP"),
        ("programme", "DIGI"),
        ("project", "CRM"),
        ("project", "HR"),
    ]
    assert 'data-testid="rollup-table"' in page


def test_dashboard_lists_invoices_on_hold_with_their_first_reason(
    client: Client, world: World
) -> None:
    supplier = Supplier.objects.create(code="ACME", name="Acme Consulting", currency="EUR")
    for project, number in ((world.project, "INV-1"), (world.other_project, "INV-2")):
        Invoice.objects.create(
            project=project,
            supplier=supplier,
            number=number,
            issue_date=dt.date(2026, 3, 1),
            received_on=dt.date(2026, 3, 2),
            currency="EUR",
            total_amount=Decimal("1200"),
            status=InvoiceStatus.ON_HOLD,
            hold_reasons=[
                {"code": "over_billed", "message": "Billed 1,200 for 800 of accepted work."},
                {"code": "no_evidence", "message": "Second reason."},
            ],
        )
    client.force_login(world.portfolio_manager)

    page = client.get("/finance/").content.decode()

    on_hold = page[page.index('data-testid="invoices-on-hold"') :]
    assert "INV-1" in on_hold
    assert "Billed 1,200 for 800 of accepted work." in on_hold
    assert "Second reason" not in on_hold
    assert "INV-2" not in on_hold  # another portfolio's project


def test_dashboard_filters_by_programme(client: Client, world: World) -> None:
    hand_calculated(world.project)
    _hr_late(world)
    client.force_login(world.admin)

    response = client.get("/finance/", {"programme": world.programme.pk, "as_of": "2026-03-16"})

    assert [p.code for p, _f in response.context["view"].projects] == ["CRM"]


def test_dashboard_explains_projects_left_out(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.admin)

    page = client.get("/finance/", {"as_of": "2026-03-16"}).content.decode()

    left_out = page[page.index('data-testid="left-out"') :]
    assert "HR" in left_out
    assert "no cost baseline" in left_out


def test_dashboard_exports_the_roll_up_table(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.admin)

    response = client.get("/finance/", {"as_of": "2026-03-16", "format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    assert header[:3] == ["Kind", "Code", "Name"]
    crm = next(row for row in values if row[1] == "CRM")
    assert crm[header.index("Earned value (EUR)")] == pytest.approx(1800)
    assert crm[header.index("Estimate at completion (EUR)")] == pytest.approx(4133.33)


def _projects_with_figures(world: World, count: int) -> None:
    for n in range(count):
        project = ProjectFactory(portfolio=world.portfolio, programme=world.programme)
        cost_baseline(project, [Planned(f"Work {n}", dt.date(2026, 3, 2), 10, Decimal("50"), 30)])
        actual_cost(project, dt.date(2026, 3, 4), "120", "USD")
        actual_cost(project, dt.date(2026, 3, 5), "80")


def test_dashboard_makes_a_constant_number_of_queries(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client.force_login(world.admin)
    exchange_rate("USD", dt.date(2026, 1, 1), "0.9")
    _projects_with_figures(world, 2)
    client.get("/finance/")  # warm the session and the settings
    small = count_queries(lambda: client.get("/finance/", {"as_of": "2026-03-16"}))
    _projects_with_figures(world, 4)
    large = count_queries(lambda: client.get("/finance/", {"as_of": "2026-03-16"}))

    assert large == small


def test_finance_tab_chart_data_is_json(client: Client, world: World) -> None:
    hand_calculated(world.project)
    client.force_login(world.admin)

    page = client.get(_finance_url(world), {"as_of": "2026-03-16"}).content.decode()

    start = page.index('<script id="evm-data" type="application/json">') + len(
        '<script id="evm-data" type="application/json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["dates"][0] == "2026-03-02"
    assert data["labels"]["earned_value"] == "Earned value (EV)"
    assert STATUS.isoformat() in data["dates"]


def test_the_dashboard_rolls_up_the_approved_budgets(client: Client, world: World) -> None:
    category = CostCategory.objects.create(code="LAB-INT", name="Internal labour")
    for project, amount in ((world.project, "1200.00"), (world.sibling_project, "800.00")):
        budget = Budget.objects.create(
            project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
        )
        BudgetLine.objects.create(
            budget=budget, category=category, month=dt.date(2026, 1, 1), amount=Decimal(amount)
        )
    client.force_login(world.finance)
    response = client.get("/finance/")
    assert response.status_code == 200
    rows = {row.code: row.approved for row in response.context["budgets"] if row.level == "project"}
    assert rows == {"CRM": Decimal("1200.00"), "HR": Decimal("800.00")}
    total = [row for row in response.context["budgets"] if row.level == "total"]
    assert total[0].approved == Decimal("2000.00")
    assert "WMS" not in rows
