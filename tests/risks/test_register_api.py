"""The register's REST API: who may call each operation, and what it answers."""

# The tests take the API tests' ``api`` fixture, imported below, as a parameter.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from pilotage.planning import services as planning
from pilotage.risks import register
from pilotage.risks.models import Risk, RiskAction
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.api.conftest import api  # noqa: F401  the fixture of the API tests
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


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


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


def _levels() -> dict[str, Any]:
    return {
        "levels": [
            {"level": n, "name": name, "probability_percent": str(percent)}
            for n, (name, percent) in enumerate(
                [("Low", 10), ("Medium", 40), ("High", 70), ("Very high", 90)], start=1
            )
        ]
    }


class TestOperations(AccessMixin):
    access = [
        operation(
            "scales", "get", lambda w: "/risks/scales", allowed=WITH_ROLE, forbidden=("nobody",)
        ),
        operation(
            "replace a scale",
            "put",
            lambda w: "/risks/scales/probability",
            data=lambda w: _levels(),
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        operation(
            "settings", "get", lambda w: "/risks/settings", allowed=WITH_ROLE, forbidden=("nobody",)
        ),
        operation(
            "change settings",
            "patch",
            lambda w: "/risks/settings",
            data=lambda w: {"amber_score": 4},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        operation("risks", "get", lambda w: "/risks", allowed=(*WITH_ROLE, "nobody")),
        operation(
            "risks of a project",
            "get",
            lambda w: f"/risks?project={w.project.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "record a risk",
            "post",
            lambda w: "/risks",
            data=lambda w: {"project_id": w.project.pk, "title": "New", "probability": 2},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            ok=(201,),
        ),
        operation(
            "risk", "get", lambda w: f"/risks/{a_risk(w).pk}", allowed=SEES_CRM, hidden=HIDDEN_CRM
        ),
        operation(
            "change a risk",
            "patch",
            lambda w: f"/risks/{a_risk(w).pk}",
            data=lambda w: {"impact": 4},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "delete a risk",
            "delete",
            lambda w: f"/risks/{a_risk(w).pk}",
            allowed=("admin", "pmo", "portfolio_manager"),
            forbidden=("project_manager", "viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(204,),
        ),
        operation(
            "close",
            "post",
            lambda w: f"/risks/{a_risk(w).pk}/close",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "reopen",
            "post",
            lambda w: f"/risks/{a_risk(w, status='closed').pk}/reopen",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "review",
            "post",
            lambda w: f"/risks/{a_risk(w).pk}/review",
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "escalate",
            "post",
            lambda w: f"/risks/{a_risk(w).pk}/escalate",
            data=lambda w: {"level": "portfolio", "comment": "Too big for us"},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assessments",
            "get",
            lambda w: f"/risks/{a_risk(w).pk}/assessments",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "actions",
            "get",
            lambda w: f"/risks/{a_risk(w).pk}/actions",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "add an action",
            "post",
            lambda w: f"/risks/{a_risk(w).pk}/actions",
            data=lambda w: {"description": "Call them", "due_date": "2026-05-01"},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(201,),
        ),
        operation(
            "change an action",
            "patch",
            lambda w: (lambda a: f"/risks/{a.risk_id}/actions/{a.pk}")(an_action(w)),
            data=lambda w: {"description": "Call them twice"},
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "complete an action (its owner too)",
            "post",
            lambda w: (lambda a: f"/risks/{a.risk_id}/actions/{a.pk}/complete")(an_action(w)),
            allowed=(*CHANGES_CRM, "viewer"),
            forbidden=("finance",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "cancel an action",
            "post",
            lambda w: (lambda a: f"/risks/{a.risk_id}/actions/{a.pk}/cancel")(an_action(w)),
            allowed=(*CHANGES_CRM, "viewer"),
            forbidden=("finance",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "delete an action",
            "delete",
            lambda w: (lambda a: f"/risks/{a.risk_id}/actions/{a.pk}")(an_action(w)),
            allowed=CHANGES_CRM,
            forbidden=("viewer", "finance"),
            hidden=HIDDEN_CRM,
            ok=(204,),
        ),
        operation(
            "heat map of a project",
            "get",
            lambda w: f"/risks/heat-map?project={w.project.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation("heat map", "get", lambda w: "/risks/heat-map", allowed=(*WITH_ROLE, "nobody")),
        operation(
            "trend of a portfolio",
            "get",
            lambda w: f"/risks/trend?portfolio={w.portfolio.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
    ]


def test_create_get_and_computed_fields(api: ApiFactory, world: World) -> None:
    planning.plan_update(actor=world.admin, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    task = planning.task_create(actor=world.admin, project=world.project, name="Build")
    client = api(world.project_manager)
    response = client.post(
        "/risks",
        {
            "project_id": world.project.pk,
            "title": "ERP late",
            "probability": 4,
            "impact": 4,
            "residual_probability": 2,
            "residual_impact": 4,
            "cost_impact": "20000",
            "owner_id": world.project_manager.pk,
            "task_ids": [task.pk],
            "response": "mitigate",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "R-001"
    assert (body["score"], body["residual_score"], body["current_score"]) == (16, 8, 8)
    assert body["rag"] == "amber"
    assert Decimal(body["expected_value"]) == Decimal("12000.00")
    assert body["currency"] == world.project.currency
    assert body["task_ids"] == [task.pk]
    assert body["owner"] == "pm"
    assert body["project"]["code"] == "CRM"
    got = client.get(f"/risks/{body['id']}").json()
    assert got == body


def test_validation_errors_name_the_input_fields(api: ApiFactory, world: World) -> None:
    planning.plan_update(
        actor=world.admin, project=world.other_project, start=dt.datetime(2026, 3, 2, 8)
    )
    foreign = planning.task_create(actor=world.admin, project=world.other_project, name="Secret")
    client = api(world.admin)
    response = client.post(
        "/risks",
        {"project_id": world.project.pk, "title": "X", "task_ids": [foreign.pk, 999_999]},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert "2 chosen are not" in error["fields"]["task_ids"][0]
    assert "Secret" not in response.content.decode()
    response = client.post(
        "/risks",
        {
            "project_id": world.project.pk,
            "title": "X",
            "probability": 2,
            "impact": 2,
            "residual_probability": 3,
            "residual_impact": 3,
        },
    )
    assert response.status_code == 422
    assert "residual_probability" in error_of(response)["fields"]
    response = client.post(
        "/risks", {"project_id": world.project.pk, "title": "X", "owner_id": world.outsider.pk}
    )
    assert "cannot see project CRM" in error_of(response)["fields"]["owner_id"][0]
    assert not Risk.objects.exists()
    client = api(world.outsider)
    response = client.post("/risks", {"project_id": world.project.pk, "title": "X"})
    assert error_of(response)["fields"]["project_id"] == ["Unknown project."]


def test_list_filters_and_constant_queries(
    api: ApiFactory, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    a_risk(world, title="Red", probability=5, impact=5, category="cost")
    a_risk(world, title="Green", probability=1, impact=1)
    a_risk(world, title="Elsewhere", project=world.other_project)
    client = api(world.viewer)
    items = client.get("/risks", rag="red").json()["items"]
    assert [item["title"] for item in items] == ["Red"]
    items = client.get("/risks", min_score=10).json()["items"]
    assert [item["title"] for item in items] == ["Red"]
    items = client.get("/risks", ordering="code").json()["items"]
    assert [item["title"] for item in items] == ["Red", "Green"]
    assert client.get("/risks", category="cost").json()["count"] == 1
    assert client.get("/risks", project=world.other_project.pk).status_code == 404
    few = count_queries(lambda: client.get("/risks"))
    planning.plan_update(actor=world.admin, project=world.project, start=dt.datetime(2026, 3, 2, 8))
    task = planning.task_create(actor=world.admin, project=world.project, name="Build")
    for number in range(6):
        a_risk(world, title=f"Risk {number}", owner=world.project_manager, tasks=[task])
    assert count_queries(lambda: client.get("/risks")) == few


def test_scales_settings_heat_map_and_trend(api: ApiFactory, world: World) -> None:
    a_risk(world, probability=4, impact=3, cost_impact=Decimal(1000))
    client = api(world.pmo)
    scales = client.get("/risks/scales").json()
    assert [level["name"] for level in scales["probability"]][-1] == "Almost certain"
    response = client._send("put", "/risks/scales/probability", _levels())
    assert response.status_code == 200, response.content
    assert len(response.json()["probability"]) == 4
    bad = {"levels": [{"level": 1, "name": "A", "probability_percent": "10"}]}
    response = client._send("put", "/risks/scales/probability", bad)
    assert response.status_code == 422
    assert "from 3 to 9 levels" in error_of(response)["fields"]["levels"][0]
    response = client._send("put", "/risks/scales/colour", _levels())
    assert response.status_code == 404
    assert client.patch("/risks/settings", {"red_score": 10}).json()["red_score"] == 10
    heat = client.get("/risks/heat-map", project=world.project.pk).json()
    assert heat["total"] == 1
    assert [row["probability"] for row in heat["rows"]] == [4, 3, 2, 1]
    row = next(row for row in heat["rows"] if row["probability"] == 4)
    assert row["cells"][2] == {"impact": 3, "score": 12, "rag": "red", "count": 1}
    weeks = client.get("/risks/trend", project=world.project.pk).json()
    assert weeks[-1]["red"] == 1
    assert weeks[-1]["expected_value"] == {"EUR": "600.00"}


def test_escalate_and_de_escalate(api: ApiFactory, world: World) -> None:
    risk = a_risk(world)
    pm = api(world.project_manager)
    response = pm.post(f"/risks/{risk.pk}/escalate", {"level": "portfolio", "comment": "Big"})
    assert response.json()["escalation_level"] == "portfolio"
    assert response.json()["escalated_by"] == "pm"
    response = pm.post(f"/risks/{risk.pk}/escalate", {"level": "project"})
    assert response.status_code == 403
    assert pm.get("/risks", escalated=True).json()["count"] == 1
    response = api(world.portfolio_manager).post(f"/risks/{risk.pk}/escalate", {"level": "project"})
    assert response.json()["escalation_level"] == "project"


def test_actions_of_another_risk_are_not_found(api: ApiFactory, world: World) -> None:
    action = an_action(world)
    other = a_risk(world, title="Other")
    client = api(world.admin)
    response = client.post(f"/risks/{other.pk}/actions/{action.pk}/complete")
    assert response.status_code == 404
    response = client.post(f"/risks/{action.risk_id}/actions/{action.pk}/complete")
    assert response.json()["status"] == "done"
