"""Import of budget lines from CSV or Excel: long and wide layouts, French headers, unknown
categories, drafts only, replace semantics, new draft versions, pages and API."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from pilotage.core.errors import ForbiddenError
from pilotage.finance import budget_import, budgets
from pilotage.finance.models import Budget, BudgetKind, BudgetLine, BudgetStatus, CostCategory
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db

SHEETS = Path(__file__).parent / "fixtures" / "sheets"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _draft(world: World) -> Budget:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    budget = budgets.budget_create(actor=world.project_manager, project=world.project)
    budgets.budget_line_set(
        actor=world.project_manager,
        budget=budget,
        category=CostCategory.objects.get(code="OTHER"),
        expense_type="opex",
        month=dt.date(2026, 12, 1),
        amount=Decimal("999"),
    )
    return budget


def _preview(
    world: World, name: str, content: bytes | None = None, **kwargs: object
) -> budget_import.BudgetImportPreview:
    return budget_import.budget_import_preview(
        actor=world.project_manager,
        owner=world.project,
        name=name,
        content=content if content is not None else (SHEETS / name).read_bytes(),
        **kwargs,  # type: ignore[arg-type]
    )


def _lines(budget: Budget) -> list[tuple[str, str, str, Decimal]]:
    return [
        (line.category.code, line.expense_type, f"{line.month:%Y-%m}", line.amount)
        for line in BudgetLine.objects.filter(budget=budget).select_related("category")
    ]


def test_months_are_read_in_english_and_french() -> None:
    assert budget_import.parse_month("janv. 2027") == dt.date(2027, 1, 1)
    assert budget_import.parse_month("Feb-27") == dt.date(2027, 2, 1)
    assert budget_import.parse_month("15/03/2027") == dt.date(2027, 3, 1)
    assert budget_import.parse_month(dt.datetime(2027, 4, 9, 0, 0)) == dt.date(2027, 4, 1)
    assert budget_import.parse_month("Total") is None


def test_long_layout_with_french_headers_and_an_unknown_category(world: World) -> None:
    budget = _draft(world)
    preview = _preview(world, "budget_long_fr.csv")
    assert isinstance(preview, budget_import.BudgetImportPreview)
    assert preview.layout == "long"
    assert preview.mapping == {0: "month", 1: "category", 2: "expense_type", 3: "amount"}
    assert [(error.row, error.column) for error in preview.errors] == [(4, "Catégorie")]
    assert "Unknown cost category 'Inconnue'" in preview.errors[0].message
    with pytest.raises(ValidationError) as refused:
        budget_import.budget_import_apply(
            actor=world.project_manager, preview=preview, budget=budget
        )
    assert "Unknown cost category 'Inconnue'" in " ".join(refused.value.messages)
    assert _lines(budget) == [("OTHER", "opex", "2026-12", Decimal("999.00"))]
    budget_import.budget_import_apply(
        actor=world.project_manager, preview=preview, budget=budget, skip_errors=True
    )
    # The file's lines replace every line of the draft; Travel takes its category's OPEX.
    assert sorted(_lines(budget)) == [
        ("HW", "capex", "2027-03", Decimal("1200.50")),
        ("TRAVEL", "opex", "2027-04", Decimal("300.00")),
    ]


def test_wide_layout_is_unpivoted_and_a_negative_cell_refuses_its_row(world: World) -> None:
    budget = _draft(world)
    preview = _preview(world, "budget_wide.csv")
    assert isinstance(preview, budget_import.BudgetImportPreview)
    assert preview.layout == "wide"
    assert list(preview.month_columns.values()) == [
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
        dt.date(2027, 3, 1),
    ]
    assert [(error.row, error.column) for error in preview.errors] == [(3, "Feb 2027")]
    assert preview.total == Decimal("360")
    budget_import.budget_import_apply(
        actor=world.project_manager, preview=preview, budget=budget, skip_errors=True
    )
    assert sorted(_lines(budget)) == [
        ("HW", "capex", "2027-01", Decimal("100.00")),
        ("HW", "capex", "2027-02", Decimal("200.00")),
        ("TRAIN", "opex", "2027-01", Decimal("10.00")),
        ("TRAIN", "opex", "2027-02", Decimal("20.00")),
        ("TRAIN", "opex", "2027-03", Decimal("30.00")),
    ]


def test_wide_excel_workbook_with_french_month_headers(world: World) -> None:
    budget = _draft(world)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Poste budgétaire", "janv. 2027", "févr. 2027"])
    sheet.append(["Software licences", 1000, 2000.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _preview(world, "budget.xlsx", buffer.getvalue())
    assert isinstance(preview, budget_import.BudgetImportPreview)
    assert preview.errors == []
    budget_import.budget_import_apply(actor=world.project_manager, preview=preview, budget=budget)
    assert sorted(_lines(budget)) == [
        ("SW-LIC", "capex", "2027-01", Decimal("1000.00")),
        ("SW-LIC", "capex", "2027-02", Decimal("2000.50")),
    ]


def test_the_same_month_and_category_twice_is_a_row_error(world: World) -> None:
    _draft(world)
    content = b"Month,Category,Amount\n2027-01,HW,10\n01/2027,Hardware,20\n"
    preview = _preview(world, "twice.csv", content)
    assert isinstance(preview, budget_import.BudgetImportPreview)
    assert [error.row for error in preview.errors] == [3]
    assert "already given on row 2" in preview.errors[0].message


def test_only_a_draft_takes_imported_lines_and_a_new_draft_can_be_made(world: World) -> None:
    budget = _draft(world)
    budgets.budget_submit(actor=world.project_manager, budget=budget)
    preview = _preview(world, "budget_wide.csv")
    with pytest.raises(ValidationError) as refused:
        budget_import.budget_import_apply(
            actor=world.project_manager, preview=preview, budget=budget, skip_errors=True
        )
    assert "Only a draft budget" in " ".join(refused.value.messages)
    created = budget_import.budget_import_apply(
        actor=world.project_manager,
        preview=preview,
        owner=world.project,
        kind=BudgetKind.FORECAST,
        skip_errors=True,
    )
    assert (created.kind, created.status) == (BudgetKind.FORECAST, BudgetStatus.DRAFT)
    assert len(_lines(created)) == 5


def test_someone_who_may_not_draft_cannot_preview(world: World) -> None:
    _draft(world)
    with pytest.raises(ForbiddenError):
        budget_import.budget_import_preview(
            actor=world.viewer,
            owner=world.project,
            name="b.csv",
            content=(SHEETS / "budget_wide.csv").read_bytes(),
        )


def test_a_saved_mapping_is_applied_to_the_next_file(world: World) -> None:
    _draft(world)
    content = b"Quand,Quoi,Combien\n2027-01,HW,10\n"
    first = _preview(world, "odd.csv", content)
    assert isinstance(first, budget_import.BudgetImportPreview)
    assert first.mapping_problems
    budget_import.budget_mapping_save(
        actor=world.project_manager,
        owner=world.project,
        name="Odd",
        headers=first.headers,
        mapping={0: "month", 1: "category", 2: "amount"},
    )
    again = _preview(world, "odd.csv", content)
    assert isinstance(again, budget_import.BudgetImportPreview)
    assert (again.mapping_source, again.mapping_problems) == ("saved", [])
    assert len(again.valid_lines) == 1


# Pages and API --------------------------------------------------------------------------------


def test_upload_preview_and_apply_in_the_browser(client: Client, world: World) -> None:
    budget = _draft(world)
    client.force_login(world.project_manager)
    detail = client.get(f"/finance/budgets/{budget.pk}/")
    assert f"/finance/budgets/{budget.pk}/import/" in detail.content.decode()
    with (SHEETS / "budget_wide.csv").open("rb") as handle:
        response = client.post(
            f"/finance/budgets/{budget.pk}/import/", {"file": handle, "into": "replace"}
        )
    assert response.status_code == 302, response.content
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    assert "Feb 2027" in page.content.decode()
    assert client.post(preview_url + "apply/").status_code == 302
    assert len(_lines(budget)) == 1
    done = client.post(preview_url + "apply/", {"skip_errors": "1"})
    assert done["Location"] == f"/finance/budgets/{budget.pk}/"
    assert len(_lines(budget)) == 5


def test_api_dry_run_then_apply(client: Client, world: World) -> None:
    budget = _draft(world)
    client.force_login(world.finance)
    url = f"/api/v1/budgets/{budget.pk}/lines/import"
    content = (SHEETS / "budget_long_fr.csv").read_bytes()
    dry = client.post(url, {"file": SimpleUploadedFile("b.csv", content)})
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (body["layout"], body["valid_lines"], body["error_rows"]) == ("long", 2, 1)
    assert body["total"] == "1500.50"
    assert len(_lines(budget)) == 1
    refused = client.post(url, {"file": SimpleUploadedFile("b.csv", content), "dry_run": False})
    assert refused.status_code == 422
    assert "Inconnue" in refused.content.decode()
    applied = client.post(
        url,
        {"file": SimpleUploadedFile("b.csv", content), "dry_run": False, "skip_errors": True},
    )
    assert applied.status_code == 200, applied.content
    assert applied.json()["lines"] == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("nobody", 404),
        ("outsider", 404),
        ("viewer", 403),
        ("project_manager", 200),
        ("pmo", 200),
    ],
)
def test_api_access(client: Client, world: World, who: str | None, status: int) -> None:
    budget = _draft(world)
    if who:
        client.force_login(world.user(who))
    content = (SHEETS / "budget_wide.csv").read_bytes()
    response = client.post(
        f"/api/v1/budgets/{budget.pk}/lines/import", {"file": SimpleUploadedFile("b.csv", content)}
    )
    assert response.status_code == status, response.content


class TestBudgetImportAccess(AccessMixin):
    access = [
        Access(
            "upload",
            "get",
            lambda w: f"/finance/budgets/{_draft(w).pk}/import/",
            allowed=("project_manager", "finance", "pmo"),
            forbidden=("viewer",),
            hidden=("outsider", "nobody"),
        ),
    ]
