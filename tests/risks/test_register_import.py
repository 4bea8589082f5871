"""Importing risks from a spreadsheet: English and French headers, row errors, all or nothing,
skipping the bad rows, updating the risks whose code a row gives, and the import pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook

from pilotage.core.errors import ForbiddenError
from pilotage.interop.tabular import TARGETS
from pilotage.risks import register, risk_import
from pilotage.risks.models import Risk, RiskStatus
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


FRENCH = (
    "Titre;Type;Probabilité;Impact;Responsable;Catégorie;Statut;Cause;Effet;Réponse;"
    "Proximité;Impact coût;Probabilité (%)\n"
    "Fournisseur en retard;Menace;Likely;4;pm;Fournisseur;Actif;Un seul fournisseur;"
    "Mise en service décalée;Atténuer;15/09/2026;20 000,00 €;55 %\n"
    "Subvention obtenue;Opportunité;2;High;;Coût;Identifié;;;Exploiter;;5 000;\n"
)


def preview(world: World, content: bytes, name: str, **kwargs: Any) -> Any:
    return risk_import.risk_import_preview(
        actor=kwargs.pop("actor", world.project_manager),
        project=kwargs.pop("project", world.project),
        name=name,
        content=content,
        **kwargs,
    )


def test_the_target_is_registered_and_its_labels_marked() -> None:
    assert TARGETS["risks"] is risk_import.RISKS_TARGET
    labels = {field.label for field in risk_import.RISKS_TARGET.fields}
    assert labels <= set(risk_import.FIELD_LABELS)


def test_a_good_file_is_imported(world: World) -> None:
    content = xlsx(
        [
            [
                "Title",
                "Kind",
                "Probability",
                "Impact",
                "Residual probability",
                "Residual impact",
                "Owner",
                "Category",
                "Cost impact",
                "Delay, most likely (days)",
                "Response",
            ],
            ["Supplier late", "Threat", "Likely", 4, 2, 4, "pm", "Supplier", 20000, 10, "Mitigate"],
            [
                "Subsidy granted",
                "Opportunity",
                2,
                "High",
                None,
                None,
                None,
                "Cost",
                5000,
                None,
                "Exploit",
            ],
        ]
    )
    result = preview(world, content, "risks.xlsx")
    assert result.errors == []
    assert (result.new_rows, result.updated_rows) == (2, 0)
    assert [row.code for row in result.rows] == ["R-001", "R-002"]
    assert not Risk.objects.exists()
    written = risk_import.risk_import_apply(
        actor=world.project_manager, project=world.project, preview=result
    )
    assert [risk.code for risk in written] == ["R-001", "R-002"]
    late = Risk.objects.get(code="R-001")
    assert (late.probability, late.impact, late.residual_score) == (4, 4, 8)
    assert late.owner == world.project_manager
    assert late.category == "supplier"
    assert late.schedule_impact_likely_days == Decimal(10)
    assert late.assessments.count() == 1
    subsidy = Risk.objects.get(code="R-002")
    assert (subsidy.kind, subsidy.impact, subsidy.response) == ("opportunity", 4, "exploit")
    assert register.risk_expected_value(subsidy) == Decimal("-1000.00")


def test_french_headers_and_values(world: World) -> None:
    result = preview(world, FRENCH.encode("utf-8"), "risques.csv")
    assert result.mapping_problems == []
    assert result.errors == [], [e.message for e in result.errors]
    risk_import.risk_import_apply(actor=world.admin, project=world.project, preview=result)
    late = Risk.objects.get(title="Fournisseur en retard")
    assert (late.probability, late.impact, late.status) == (4, 4, RiskStatus.ACTIVE)
    assert late.response == "mitigate"
    assert late.cost_impact == Decimal("20000.00")
    assert late.probability_percent == Decimal("55.00")
    assert late.proximity is not None
    assert late.proximity.isoformat() == "2026-09-15"
    subsidy = Risk.objects.get(title="Subvention obtenue")
    assert (subsidy.kind, subsidy.probability, subsidy.impact) == ("opportunity", 2, 4)
    assert subsidy.response == "exploit"


def test_bad_rows_refuse_the_whole_file_unless_skipped(world: World) -> None:
    content = xlsx(
        [
            [
                "Title",
                "Probability",
                "Impact",
                "Residual probability",
                "Residual impact",
                "Owner",
                "Response",
                "Code",
            ],
            ["Good one", 3, 3, None, None, None, None, None],
            ["Unknown level", "Sometimes", 3, None, None, None, None, None],
            ["Worse after", 2, 2, 3, 3, None, None, None],
            ["Stranger owns it", 3, 3, None, None, "outsider", None, None],
            ["Wrong response", 3, 3, None, None, None, "Exploit", None],
            [None, 3, 3, None, None, None, None, None],
            ["Twice", 1, 1, None, None, None, None, "X-1"],
            ["Twice again", 1, 1, None, None, None, None, "X-1"],
        ]
    )
    result = preview(world, content, "risks.xlsx")
    messages = [error.message for error in result.errors]
    assert result.error_rows == 6
    assert any(
        "row 3, column 'Probability': 'Sometimes' is not a level of the probability scale" in m
        for m in messages
    ), messages
    assert any(
        "row 4, column 'Residual probability'" in m and "cannot be higher" in m for m in messages
    ), messages
    assert any(
        "row 5, column 'Owner': 'outsider' is not a user who sees project CRM" in m
        for m in messages
    ), messages
    assert any("row 6, column 'Response': A threat's response is one of" in m for m in messages), (
        messages
    )
    assert any(m.startswith("row 7") and "Title is required" in m for m in messages), messages
    assert any(
        "row 9, column 'Code': the code X-1 is already given on row 8" in m for m in messages
    ), messages
    with pytest.raises(ValidationError, match="Nothing was imported"):
        risk_import.risk_import_apply(actor=world.admin, project=world.project, preview=result)
    assert not Risk.objects.exists()
    written = risk_import.risk_import_apply(
        actor=world.admin, project=world.project, preview=result, skip_errors=True
    )
    assert sorted(risk.title for risk in written) == ["Good one", "Twice"]


def test_a_row_with_the_code_of_a_risk_updates_it(world: World) -> None:
    risk = register.risk_create(
        actor=world.admin,
        project=world.project,
        title="Old title",
        probability=2,
        impact=2,
        cause="Kept",
    )
    elsewhere = register.risk_create(
        actor=world.admin, project=world.sibling_project, title="Sibling", probability=1
    )
    content = xlsx(
        [
            ["Code", "Title", "Probability", "Impact"],
            [risk.code, "New title", 4, 2],
            [elsewhere.code, "Hijack", 1, 1],
        ]
    )
    result = preview(world, content, "risks.xlsx", actor=world.admin)
    assert [e.message for e in result.errors] == [
        f"row 3, column 'Code': the code {elsewhere.code} is the code of a risk of another project"
    ]
    assert (result.new_rows, result.updated_rows) == (0, 1)
    risk_import.risk_import_apply(
        actor=world.admin, project=world.project, preview=result, skip_errors=True
    )
    risk.refresh_from_db()
    assert (risk.title, risk.probability, risk.cause) == ("New title", 4, "Kept")
    assert risk.assessments.count() == 2
    elsewhere.refresh_from_db()
    assert elsewhere.title == "Sibling"


def test_only_those_who_may_change_the_project_import(world: World) -> None:
    content = xlsx([["Title", "Probability", "Impact"], ["A", 1, 1]])
    with pytest.raises(ForbiddenError):
        preview(world, content, "risks.xlsx", actor=world.viewer)


def test_the_import_pages(client: Client, world: World) -> None:
    client.force_login(world.project_manager)
    base = f"/projects/{world.project.pk}/raid/risks/import/"
    assert "English and French headers" in client.get(base).content.decode()
    content = xlsx([["Title", "Probability", "Impact"], ["From the file", 2, 3], ["Bad", 9, 3]])
    response = client.post(base, {"file": SimpleUploadedFile("risks.xlsx", content)})
    assert response.status_code == 302
    detail = response["Location"]
    page = client.get(detail).content.decode()
    assert "From the file" in page
    assert "Choose a level from 1 to 5 of the probability scale" in page
    assert "Skip the rows with errors" in page
    response = client.post(f"{detail}apply/", follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert not Risk.objects.exists()
    response = client.post(f"{detail}apply/", {"skip_errors": "1"})
    assert response.status_code == 302
    assert list(Risk.objects.values_list("title", flat=True)) == ["From the file"]
    client.force_login(world.admin)
    assert client.get(detail).status_code == 404
    client.force_login(world.viewer)
    assert client.get(base).status_code == 403
    register_page = client.get(f"/projects/{world.project.pk}/raid/risks/").content.decode()
    assert "Import from a spreadsheet" not in register_page
    client.force_login(world.project_manager)
    register_page = client.get(f"/projects/{world.project.pk}/raid/risks/").content.decode()
    assert "Import from a spreadsheet" in register_page
