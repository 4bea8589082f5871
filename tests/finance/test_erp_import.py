"""Import of actual costs from ERP exports: SAP and French CSV, Oracle Excel, row errors,
all-or-nothing or skipping, re-imports and saved mappings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.finance import budgets, erp_import
from pilotage.finance.models import ActualCost, ActualCostSource, PeriodLock, Supplier
from pilotage.planning import services as planning_services
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures" / "erp"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def ledger(world: World) -> World:
    """Cost categories, two suppliers, a task with a WBS code and a US dollar rate."""
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    Supplier.objects.create(code="ACME", name="Acme Consulting")
    Supplier.objects.create(code="RAIL", name="Rail Voyages")
    planning_services.task_create(actor=world.admin, project=world.project, name="Build", wbs="1.1")
    budgets.exchange_rate_set(
        actor=world.admin, currency="USD", valid_from=dt.date(2027, 1, 1), rate=Decimal("0.9")
    )
    return world


def _file(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _preview(world: World, name: str, **kwargs: object) -> erp_import.ErpPreview:
    return erp_import.erp_preview(
        actor=world.finance,
        name=name,
        content=_file(name),
        **kwargs,  # type: ignore[arg-type]
    )


def test_sap_csv_with_semicolons_decimal_commas_and_a_credit_note(ledger: World) -> None:
    preview = _preview(ledger, "sap_actual_costs.csv")
    assert preview.mapping_problems == []
    assert preview.errors == []
    assert [row.amount for row in preview.rows] == [
        Decimal("1250.50"),
        Decimal("3000.00"),
        Decimal("-250.50"),
    ]
    assert preview.totals == {"EUR": Decimal("4000.00")}
    assert {row.supplier.code for row in preview.rows if row.supplier} == {"ACME"}
    assert [row.category.code for row in preview.rows if row.category] == [
        "EXT-SVC",
        "SW-LIC",
        "EXT-SVC",
    ]
    created = erp_import.erp_apply(actor=ledger.finance, preview=preview)
    assert created == 3
    rows = ActualCost.objects.filter(project=ledger.project, source=ActualCostSource.ERP)
    assert sorted(rows.values_list("reference", "amount")) == [
        ("5100001234", Decimal("1250.50")),
        ("5100001240", Decimal("3000.00")),
        ("5100001251", Decimal("-250.50")),
    ]


def test_importing_the_same_file_twice_writes_nothing_the_second_time(ledger: World) -> None:
    erp_import.erp_apply(actor=ledger.finance, preview=_preview(ledger, "sap_actual_costs.csv"))
    again = _preview(ledger, "sap_actual_costs.csv")
    assert again.error_rows == 3
    assert all("already imported" in error.message for error in again.errors)
    with pytest.raises(ValidationError):
        erp_import.erp_apply(actor=ledger.finance, preview=again)
    assert erp_import.erp_apply(actor=ledger.finance, preview=again, skip_errors=True) == 0
    assert ActualCost.objects.filter(source=ActualCostSource.ERP).count() == 3


def test_oracle_workbook_finds_tasks_by_wbs_or_name_and_keeps_the_currency(
    ledger: World,
) -> None:
    preview = _preview(ledger, "oracle_actual_costs.xlsx")
    assert preview.errors == []
    first, second = preview.rows
    assert first.task is not None
    assert first.task.wbs == "1.1"
    assert second.task is not None
    assert second.task.name == "Build"
    assert (first.amount, first.currency) == (Decimal("2400"), "USD")
    assert first.category is not None
    assert first.category.code == "HW"
    assert preview.totals == {"EUR": Decimal("310.25"), "USD": Decimal("2400")}
    assert erp_import.erp_apply(actor=ledger.finance, preview=preview) == 2


def test_french_headers_and_an_unknown_supplier_is_a_row_error(ledger: World) -> None:
    preview = _preview(ledger, "french_actual_costs.csv")
    assert preview.mapping[3] == "amount"
    assert [(error.row, error.column) for error in preview.errors] == [(3, "Fournisseur")]
    assert "Unknown supplier 'Inconnu SARL'" in preview.errors[0].message
    with pytest.raises(ValidationError) as refused:
        erp_import.erp_apply(actor=ledger.finance, preview=preview)
    assert "Unknown supplier 'Inconnu SARL'" in " ".join(refused.value.messages)
    assert not ActualCost.objects.exists()
    assert erp_import.erp_apply(actor=ledger.finance, preview=preview, skip_errors=True) == 1
    assert ActualCost.objects.get().description == "Déplacement Lyon"


def test_a_currency_without_a_rate_names_the_currency_and_the_date(world: World) -> None:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    Supplier.objects.create(code="ACME", name="Acme Consulting")
    Supplier.objects.create(code="RAIL", name="Rail Voyages")
    planning_services.task_create(actor=world.admin, project=world.project, name="Build", wbs="1.1")
    preview = _preview(world, "oracle_actual_costs.xlsx")
    messages = [error.message for error in preview.errors]
    assert len(messages) == 1
    assert "USD" in messages[0]
    assert "2027-03-04" in messages[0]


def test_a_locked_period_refuses_its_rows(ledger: World) -> None:
    PeriodLock.objects.create(start=dt.date(2027, 3, 1), finish=dt.date(2027, 3, 10))
    preview = _preview(ledger, "sap_actual_costs.csv")
    assert [error.row for error in preview.errors] == [2]
    assert "locked period" in preview.errors[0].message


def test_unknown_project_and_projects_the_user_may_not_charge(ledger: World) -> None:
    text = "Date;Project;Amount\n2027-03-01;NOPE;10\n2027-03-01;WMS;10\n2027-03-01;HR;10\n"
    preview = erp_import.erp_preview(actor=ledger.finance, name="x.csv", content=text.encode())
    messages = [error.message for error in preview.errors]
    # WMS is in a portfolio the finance controller cannot see: it is unknown to them.
    assert "Unknown project 'NOPE'" in messages[0]
    assert "Unknown project 'WMS'" in messages[1]
    assert len(messages) == 2
    pm_preview = erp_import.erp_preview(
        actor=ledger.project_manager,
        name="x.csv",
        content=b"Date;Project;Amount\n2027-03-01;CRM;5\n",
    )
    assert "may not record costs" in pm_preview.errors[0].message


def test_a_chosen_project_needs_the_right_to_manage_its_money(ledger: World) -> None:
    with pytest.raises(ForbiddenError):
        erp_import.erp_preview(
            actor=ledger.project_manager,
            name="sap_actual_costs.csv",
            content=_file("sap_actual_costs.csv"),
            project=ledger.project,
        )


def test_negative_amount_without_reference_and_unreadable_cells(ledger: World) -> None:
    text = "Date;Amount\n2027-03-01;-10\nyesterday;10\n2027-03-02;ten\n"
    preview = erp_import.erp_preview(
        actor=ledger.finance, name="x.csv", content=text.encode(), project=ledger.project
    )
    by_row = {error.row: error.message for error in preview.errors}
    assert "credit note" in by_row[2]
    assert "'yesterday'" in by_row[3]
    assert "'ten'" in by_row[4]


def test_a_saved_mapping_applies_by_itself_to_the_same_headers(ledger: World) -> None:
    first = _preview(ledger, "sap_actual_costs.csv")
    mapping = {index: key for index, key in first.mapping.items() if key != "description"}
    erp_import.erp_mapping_save(
        actor=ledger.finance, name="SAP CO", headers=first.headers, mapping=mapping
    )
    again = _preview(ledger, "sap_actual_costs.csv")
    assert again.mapping_source == "saved"
    assert "description" not in again.mapping.values()
    assert all(row.description == "" for row in again.rows)


def test_missing_project_column_without_a_chosen_project_is_a_mapping_problem(
    ledger: World,
) -> None:
    preview = erp_import.erp_preview(
        actor=ledger.finance, name="x.csv", content=b"Date;Amount\n2027-03-01;10\n"
    )
    assert preview.mapping_problems
    assert "Project" in preview.mapping_problems[0]
    with pytest.raises(ValidationError):
        erp_import.erp_apply(actor=ledger.finance, preview=preview)


def test_uploads_are_kept_for_their_owner_only(ledger: World) -> None:
    token = erp_import.erp_upload_store(
        actor=ledger.finance, name="sap.csv", content=_file("sap_actual_costs.csv")
    )
    stored = erp_import.erp_upload_get(token, actor=ledger.finance)
    assert stored.content == _file("sap_actual_costs.csv")
    with pytest.raises(NotFoundError):
        erp_import.erp_upload_get(token, actor=ledger.pmo)
    with pytest.raises(NotFoundError):
        erp_import.erp_upload_get("../../etc/passwd", actor=ledger.finance)
    erp_import.erp_upload_discard(token, actor=ledger.finance)
    with pytest.raises(NotFoundError):
        erp_import.erp_upload_get(token, actor=ledger.finance)


def test_a_file_over_the_limit_is_refused(ledger: World) -> None:
    with pytest.raises(ValidationError) as refused:
        erp_import.erp_upload_store(
            actor=ledger.finance, name="big.csv", content=b"x" * (erp_import.MAX_UPLOAD_BYTES + 1)
        )
    assert "5 MB" in " ".join(refused.value.messages)


# Pages ----------------------------------------------------------------------------------------


def test_upload_preview_and_apply_in_the_browser(client: object, ledger: World) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    client.force_login(ledger.finance)
    with (FIXTURES / "french_actual_costs.csv").open("rb") as handle:
        response = client.post("/finance/imports/actual-costs/", {"file": handle, "project": ""})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Unknown supplier &#x27;Inconnu SARL&#x27;" in page.content.decode()
    refused = client.post(preview_url + "apply/")
    assert refused.status_code == 302
    assert not ActualCost.objects.exists()
    done = client.post(preview_url + "apply/", {"skip_errors": "1"})
    assert done.status_code == 302
    assert ActualCost.objects.count() == 1


def test_the_preview_of_someone_elses_upload_is_not_found(client: object, ledger: World) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    token = erp_import.erp_upload_store(
        actor=ledger.finance, name="sap.csv", content=_file("sap_actual_costs.csv")
    )
    client.force_login(ledger.pmo)
    assert client.get(f"/finance/imports/actual-costs/{token}/").status_code == 404
    client.force_login(ledger.viewer)
    assert client.get("/finance/imports/actual-costs/").status_code == 403


def test_changing_and_saving_the_mapping_on_the_preview_page(client: object, ledger: World) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    client.force_login(ledger.finance)
    token = erp_import.erp_upload_store(
        actor=ledger.finance, name="sap.csv", content=_file("sap_actual_costs.csv")
    )
    url = f"/finance/imports/actual-costs/{token}/"
    columns = {
        f"column-{i}": key
        for i, key in enumerate(
            [
                "incurred_on",
                "reference",
                "project",
                "category",
                "amount",
                "currency",
                "supplier",
                "",
            ]
        )
    }
    response = client.post(url, {**columns, "mapping_name": "SAP", "save_mapping": "1"})
    assert response.status_code == 302
    assert erp_import.erp_mapping_list().get().name == "SAP"
    assert erp_import.erp_upload_get(token, actor=ledger.finance).mapping == {
        0: "incurred_on",
        1: "reference",
        2: "project",
        3: "category",
        4: "amount",
        5: "currency",
        6: "supplier",
    }
