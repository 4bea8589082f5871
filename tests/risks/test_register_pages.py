"""The register's pages: who may open each, and what a PMO sees and does on them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.risks import register
from pilotage.risks.models import Risk, RiskAction, RiskScaleLevel, RiskStatus, ScaleKind
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN_CRM = ("outsider", "nobody")
WITH_ROLE = (*SEES_CRM, "outsider")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def a_risk(world: World, **values: Any) -> Risk:
    values.setdefault("title", "Supplier delivers late")
    values.setdefault("probability", 4)
    values.setdefault("impact", 3)
    project = values.pop("project", world.project)
    return register.risk_create(actor=world.admin, project=project, **values)


def an_action(world: World) -> RiskAction:
    return register.risk_action_create(
        actor=world.admin, risk=a_risk(world), description="Second supplier", owner=world.viewer
    )


def project_url(path: str) -> Callable[[World], str]:
    return lambda w: f"/projects/{w.project.pk}/raid/{path}"


class TestAccess(AccessMixin):
    access = [
        Access("overview", "get", project_url(""), allowed=SEES_CRM, hidden=HIDDEN_CRM),
        Access("register", "get", project_url("risks/"), allowed=SEES_CRM, hidden=HIDDEN_CRM),
        Access(
            "register export",
            "get",
            project_url("risks/?format=xlsx"),
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        Access(
            "new risk page",
            "get",
            project_url("risks/new/"),
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        Access(
            "create a risk",
            "post",
            project_url("risks/new/"),
            data=lambda w: {
                "title": "New",
                "kind": "threat",
                "category": "technical",
                "status": "identified",
                "probability": "2",
                "impact": "2",
            },
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "import page",
            "get",
            project_url("risks/import/"),
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        Access(
            "risk page",
            "get",
            lambda w: f"/raid/risks/{a_risk(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        Access(
            "edit page",
            "get",
            lambda w: f"/raid/risks/{a_risk(w).pk}/edit/",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        Access(
            "delete",
            "post",
            lambda w: f"/raid/risks/{a_risk(w).pk}/delete/",
            allowed=("admin", "pmo", "portfolio_manager"),
            forbidden=("project_manager", "viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "close",
            "post",
            lambda w: f"/raid/risks/{a_risk(w).pk}/close/",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "review",
            "post",
            lambda w: f"/raid/risks/{a_risk(w).pk}/review/",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "escalate",
            "post",
            lambda w: f"/raid/risks/{a_risk(w).pk}/escalate/",
            data=lambda w: {"escalate-level": "programme", "escalate-comment": "Sponsor"},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "add an action",
            "post",
            lambda w: f"/raid/risks/{a_risk(w).pk}/actions/add/",
            data=lambda w: {"action-description": "Call them"},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access(
            "edit an action",
            "get",
            lambda w: f"/raid/risk-actions/{an_action(w).pk}/edit/",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        Access(
            "complete an action (its owner too)",
            "post",
            lambda w: f"/raid/risk-actions/{an_action(w).pk}/done/",
            allowed=(*CHANGES_CRM, "viewer"),
            forbidden=("finance",),
            hidden=HIDDEN_CRM,
            ok=(302,),
        ),
        Access("portfolio RAID", "get", lambda w: "/raid/", allowed=(*WITH_ROLE, "nobody")),
        Access(
            "scales", "get", lambda w: "/raid/scales/", allowed=WITH_ROLE, forbidden=("nobody",)
        ),
        Access(
            "edit a scale",
            "get",
            lambda w: "/raid/scales/impact/",
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        Access(
            "save the settings",
            "post",
            lambda w: "/raid/scales/",
            data=lambda w: {
                "settings-amber_score": "4",
                "settings-red_score": "10",
                "settings-review_interval_days": "14",
                "settings-programme_cost_threshold": "50000",
                "settings-portfolio_cost_threshold": "250000",
                "settings-programme_days_threshold": "10",
                "settings-portfolio_days_threshold": "40",
            },
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "viewer", "outsider", "nobody"),
            ok=(302,),
        ),
    ]


def test_create_a_risk_through_the_form(client: Client, world: World) -> None:
    from pilotage.planning import services as planning

    planning.plan_update(actor=world.admin, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    task = planning.task_create(actor=world.admin, project=world.project, name="Integrate ERP")
    client.force_login(world.project_manager)
    page = client.get(f"/projects/{world.project.pk}/raid/risks/new/").content.decode()
    assert "Integrate ERP" in page
    assert "4 · Likely (60 %)" in page
    response = client.post(
        f"/projects/{world.project.pk}/raid/risks/new/",
        {
            "title": "ERP interface late",
            "kind": "threat",
            "category": "supplier",
            "status": "active",
            "owner": world.project_manager.pk,
            "cause": "A single supplier",
            "probability": "4",
            "impact": "3",
            "residual_probability": "2",
            "residual_impact": "3",
            "cost_impact": "20000",
            "schedule_impact_min_days": "2",
            "schedule_impact_likely_days": "5",
            "schedule_impact_max_days": "15",
            "tasks": [task.pk],
            "response": "mitigate",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    risk = Risk.objects.get(title="ERP interface late")
    assert risk.code == "R-001"
    assert list(risk.tasks.all()) == [task]
    page = client.get(response["Location"]).content.decode()
    assert "R-001" in page
    scores = page.split('data-testid="risk-scores"', 1)[1].split("</section>", 1)[0]
    assert 'rag-red">12</p>' in scores
    assert 'rag-amber">6</p>' in scores
    assert "12,000" in page  # 60 % of 20,000
    assert "A single supplier" in page


def test_the_form_refuses_a_residual_above_inherent(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        f"/projects/{world.project.pk}/raid/risks/new/",
        {
            "title": "Worse after",
            "kind": "threat",
            "category": "technical",
            "status": "identified",
            "probability": "2",
            "impact": "2",
            "residual_probability": "3",
            "residual_impact": "3",
        },
    )
    assert response.status_code == 200
    assert "cannot be higher than the inherent score" in response.content.decode()
    assert not Risk.objects.exists()


def test_register_filters_sort_cell_and_partial(client: Client, world: World) -> None:
    red = a_risk(world, title="Red risk", probability=5, impact=4)
    a_risk(world, title="Amber risk", probability=2, impact=3, category="cost")
    closed = a_risk(world, title="Closed risk", probability=1, impact=1)
    register.risk_close(actor=world.admin, risk=closed)
    client.force_login(world.viewer)
    url = f"/projects/{world.project.pk}/raid/risks/"
    page = client.get(url).content.decode()
    assert "Red risk" in page
    assert "Amber risk" in page
    assert "Closed risk" not in page
    assert page.index("Red risk") < page.index("Amber risk")
    page = client.get(url, {"category": "cost"}).content.decode()
    assert "Red risk" not in page
    assert "Amber risk" in page
    page = client.get(url, {"rag": "red"}).content.decode()
    assert "Red risk" in page
    assert "Amber risk" not in page
    page = client.get(url, {"status": "all", "sort": "code"}).content.decode()
    assert "Closed risk" in page
    page = client.get(url, {"probability": 5, "impact": 4}).content.decode()
    assert "Risks at probability 5 and impact 4" in page
    assert "Red risk" in page
    assert "Amber risk" not in page
    partial = client.get(url, {"q": "amber"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "Amber risk" in partial
    assert red.title not in partial


def test_register_export_is_the_filtered_register(client: Client, world: World) -> None:
    a_risk(world, title="Red risk", probability=5, impact=4, cost_impact=Decimal(10_000))
    a_risk(world, title="Amber risk", probability=2, impact=3, category="cost")
    client.force_login(world.viewer)
    response = client.get(
        f"/projects/{world.project.pk}/raid/risks/", {"format": "xlsx", "rag": "red"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["Code", "Project", "Title"]
    data = [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]
    assert [row["Title"] for row in data] == ["Red risk"]
    assert data[0]["Score"] == 20
    assert data[0]["RAG"] == "Red"
    assert Decimal(str(data[0]["Expected value"])) == Decimal("8500")


def test_register_queries_do_not_grow_with_the_risks(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    url = f"/projects/{world.project.pk}/raid/risks/"
    a_risk(world, owner=world.project_manager)
    client.force_login(world.viewer)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for number in range(8):
        a_risk(
            world,
            title=f"Risk {number}",
            owner=world.project_manager,
            residual_probability=1,
            residual_impact=1,
        )
    many = count_queries(lambda: client.get(url))
    assert many == few
    raid_few = count_queries(lambda: client.get("/raid/"))
    for number in range(4):
        risk = a_risk(world, title=f"More {number}", project=world.sibling_project)
        register.raid_escalate(actor=world.admin, item=risk, level="portfolio")
        register.risk_action_create(
            actor=world.admin, risk=risk, description="Late", due_date=dt.date(2020, 1, 1)
        )
    assert count_queries(lambda: client.get("/raid/")) == raid_few


def test_overview_shows_counts_heat_map_top_risks_and_late_things(
    client: Client, world: World
) -> None:
    red = a_risk(world, title="Red risk", probability=5, impact=4, review_date=dt.date(2020, 1, 1))
    register.risk_action_create(
        actor=world.admin, risk=red, description="Chase the supplier", due_date=dt.date(2020, 2, 1)
    )
    a_risk(world, title="Green risk", probability=1, impact=2)
    client.force_login(world.viewer)
    page = client.get(f"/projects/{world.project.pk}/raid/").content.decode()
    assert "1 red · 0 amber · 1 green" in page
    assert 'data-testid="heat-map"' in page
    assert f"/projects/{world.project.pk}/raid/risks/?probability=5&amp;impact=4" in page
    assert "Chase the supplier" in page
    assert "due 2020-01-01" in page
    assert "risk-trend-data" in page
    cell = client.get(
        f"/projects/{world.project.pk}/raid/risks/",
        {"probability": 5, "impact": 4},
        headers={"HX-Request": "true", "HX-Target": "heat-cell-risks"},
    ).content.decode()
    assert "Open risks at probability 5 and impact 4" in cell
    assert "Red risk" in cell
    assert "Green risk" not in cell
    assert "New risk" not in page
    assert "Top risks by inherent score" in page
    client.force_login(world.project_manager)
    page = client.get(f"/projects/{world.project.pk}/raid/", {"view": "residual"}).content.decode()
    assert "New risk" in page
    assert "Residual scores" in page
    assert "Top risks by current score" in page


def test_risk_page_buttons_escalation_and_actions(client: Client, world: World) -> None:
    risk = a_risk(world, cost_impact=Decimal(1000))
    client.force_login(world.project_manager)
    url = f"/raid/risks/{risk.pk}/"
    client.post(
        f"{url}actions/add/",
        {"action-description": "Second supplier", "action-owner": world.viewer.pk},
    )
    client.post(f"{url}escalate/", {"escalate-level": "programme", "escalate-comment": "Sponsor"})
    client.post(f"{url}review/")
    page = client.get(url).content.decode()
    assert "Second supplier" in page
    assert "Escalated to the Programme" in page
    assert "Project → Programme — Sponsor" in page
    assert "Delete" not in page.split("risk-header", 1)[1].split("</div>\n</div>", 1)[0]
    risk.refresh_from_db()
    assert risk.escalation_level == "programme"
    assert risk.reviewed_at is not None
    action = RiskAction.objects.get()
    client.force_login(world.viewer)
    assert client.post(f"/raid/risk-actions/{action.pk}/done/").status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    client.force_login(world.project_manager)
    client.post(f"{url}close/")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.CLOSED
    response = client.post(f"{url}close/", follow=True)
    assert "already closed" in response.content.decode()


def test_portfolio_page_heat_map_cell_and_escalated(client: Client, world: World) -> None:
    risk = a_risk(world, title="Escalated one", probability=5, impact=5)
    register.raid_escalate(actor=world.admin, item=risk, level="portfolio", comment="Big")
    a_risk(world, title="Warehouse risk", probability=5, impact=5, project=world.other_project)
    client.force_login(world.viewer)
    page = client.get("/raid/").content.decode()
    assert "Escalated one" in page
    assert "Warehouse risk" not in page
    partial = client.get(
        "/raid/", {"probability": 5, "impact": 5}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Open risks at probability 5 and impact 5" in partial
    assert "Escalated one" in partial
    assert "Warehouse risk" not in partial
    page = client.get("/raid/", {"project": world.sibling_project.pk}).content.decode()
    assert "Nothing is escalated." in page
    client.force_login(world.outsider)
    page = client.get("/raid/").content.decode()
    assert "Warehouse risk" in page
    assert "Escalated one" not in page


def test_scales_page_and_editing_a_scale(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    page = client.get("/raid/scales/").content.decode()
    assert "Almost certain" in page
    assert "Very high" in page
    assert "Edit the scale" not in page
    client.force_login(world.pmo)
    page = client.get("/raid/scales/").content.decode()
    assert "Edit the scale" in page
    data: dict[str, Any] = {
        "levels-TOTAL_FORMS": "5",
        "levels-INITIAL_FORMS": "0",
        "levels-MIN_NUM_FORMS": "0",
        "levels-MAX_NUM_FORMS": "12",
    }
    for index, (name, percent) in enumerate([("Low", 10), ("Medium", 50), ("High", 40)]):
        data[f"levels-{index}-level"] = str(index + 1)
        data[f"levels-{index}-name"] = name
        data[f"levels-{index}-probability_percent"] = str(percent)
    response = client.post("/raid/scales/probability/", data)
    assert response.status_code == 200
    assert "must increase from one level to the next" in response.content.decode()
    assert RiskScaleLevel.objects.filter(kind=ScaleKind.PROBABILITY).count() == 5
    data["levels-2-probability_percent"] = "80"
    response = client.post("/raid/scales/probability/", data)
    assert response.status_code == 302
    assert [level.name for level in register.risk_scales().probability] == [
        "Low",
        "Medium",
        "High",
    ]


def test_settings_form_reports_wrong_thresholds(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        "/raid/scales/",
        {
            "settings-amber_score": "9",
            "settings-red_score": "6",
            "settings-review_interval_days": "14",
            "settings-programme_cost_threshold": "50000",
            "settings-portfolio_cost_threshold": "250000",
            "settings-programme_days_threshold": "10",
            "settings-portfolio_days_threshold": "40",
        },
    )
    assert response.status_code == 200
    assert "must be above the amber one" in response.content.decode()
    assert register.risk_settings().red_score == 12


def test_every_page_renders_in_french(client: Client, world: World) -> None:
    risk = a_risk(world, cost_impact=Decimal(1000), residual_probability=1, residual_impact=3)
    register.risk_action_create(actor=world.admin, risk=risk, description="Appeler")
    register.raid_escalate(actor=world.admin, item=risk, level="portfolio", comment="Gros")
    client.force_login(world.pmo)
    client.post("/accounts/language/", {"language": "fr", "next": "/"})
    urls = [
        f"/projects/{world.project.pk}/raid/",
        f"/projects/{world.project.pk}/raid/?view=residual",
        f"/projects/{world.project.pk}/raid/risks/",
        f"/projects/{world.project.pk}/raid/risks/new/",
        f"/projects/{world.project.pk}/raid/risks/import/",
        f"/raid/risks/{risk.pk}/",
        f"/raid/risks/{risk.pk}/edit/",
        "/raid/",
        "/raid/?probability=4&impact=3",
        "/raid/scales/",
        "/raid/scales/impact/",
    ]
    for url in urls:
        response = client.get(url, headers={"Accept-Language": "fr"})
        assert response.status_code == 200, url
        assert 'lang="fr"' in response.content.decode(), url
