"""The project operations: lists, filters, partial updates, history, and refused input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pilotage.core.models import HistoryEntry
from pilotage.portfolio.models import Project, Tag
from tests.api.client import ApiFactory, error_of
from tests.factories import ObjectiveFactory, ProjectFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


# Lists --------------------------------------------------------------------------------------


def test_list_is_paginated_with_count_limit_and_offset(api: ApiFactory, world: World) -> None:
    for number in range(7):
        ProjectFactory(portfolio=world.portfolio, code=f"P{number}")
    client = api(world.pmo)
    everything = _codes(client.get("/projects", limit=500))
    assert len(everything) == 10

    page = client.get("/projects", limit=4, offset=3).json()
    assert (page["count"], page["limit"], page["offset"]) == (10, 4, 3)
    assert [item["code"] for item in page["items"]] == everything[3:7]

    beyond = client.get("/projects", limit=4, offset=20).json()
    assert beyond["count"] == 10
    assert beyond["items"] == []

    default = client.get("/projects").json()
    assert default["limit"] == 50


@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 501}, "limit"), ({"offset": -1}, "offset")]
)
def test_pagination_bounds_are_enforced(
    api: ApiFactory, world: World, params: dict[str, int], field: str
) -> None:
    response = api(world.pmo).get("/projects", **params)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_list_shows_only_visible_projects(api: ApiFactory, world: World) -> None:
    assert _codes(api(world.outsider).get("/projects")) == ["WMS"]
    assert _codes(api(world.nobody).get("/projects")) == []


def test_project_output_has_ids_refs_and_money_as_text(api: ApiFactory, world: World) -> None:
    world.project.manager = world.project_manager
    world.project.save()
    world.project.objectives.set([world.objective])
    world.project.tags.set([Tag.objects.create(name="cloud")])
    item = api(world.pmo).get(f"/projects/{world.project.pk}").json()
    assert item["portfolio_id"] == world.portfolio.pk
    corp = {"id": world.portfolio.pk, "code": "CORP", "name": "Corporate change"}
    assert item["portfolio"] == corp
    assert item["programme"]["code"] == "DIGI"
    assert item["manager"] == {
        "id": world.project_manager.pk,
        "username": "pm",
        "name": world.project_manager.get_full_name(),
    }
    assert item["sponsor"] is None
    grow = {"id": world.objective.pk, "code": "GROW", "name": "Grow revenue"}
    assert item["objectives"] == [grow]
    assert item["tags"] == ["cloud"]
    assert item["budget"] == "100000.00"
    assert item["start_date"] == "2026-01-05"


@pytest.fixture
def varied(world: World) -> dict[str, Project]:
    """Projects that differ in one attribute each, all in the CORP portfolio."""
    manager = UserFactory(username="manon")
    objective = ObjectiveFactory(code="SAVE", name="Save costs")
    cloud = Tag.objects.create(name="cloud")
    projects = {
        "red": ProjectFactory(portfolio=world.portfolio, code="RED", health="red"),
        "executing": ProjectFactory(portfolio=world.portfolio, code="EXE", phase="execution"),
        "on_hold": ProjectFactory(portfolio=world.portfolio, code="HOLD", status="on_hold"),
        "critical": ProjectFactory(portfolio=world.portfolio, code="CRIT", priority=1),
        "managed": ProjectFactory(portfolio=world.portfolio, code="MAN", manager=manager),
        "tagged": ProjectFactory(portfolio=world.portfolio, code="TAG"),
        "aligned": ProjectFactory(
            portfolio=world.portfolio, code="ALI", name="Aligned", budget=Decimal("5")
        ),
        "described": ProjectFactory(
            portfolio=world.portfolio, code="DOC", description="Replace the ledger"
        ),
    }
    projects["tagged"].tags.add(cloud)
    projects["aligned"].objectives.add(objective)
    return projects


def test_filters(api: ApiFactory, world: World, varied: dict[str, Project]) -> None:
    client = api(world.pmo)
    manager_id = varied["managed"].manager_id
    objective_id = varied["aligned"].objectives.get().pk
    assert _codes(client.get("/projects", health="red")) == ["RED"]
    assert _codes(client.get("/projects", phase="execution")) == ["EXE"]
    assert _codes(client.get("/projects", status="on_hold")) == ["HOLD"]
    assert _codes(client.get("/projects", priority=1)) == ["CRIT"]
    assert _codes(client.get("/projects", manager=manager_id)) == ["MAN"]
    assert _codes(client.get("/projects", tag="cloud")) == ["TAG"]
    assert _codes(client.get("/projects", objective=objective_id)) == ["ALI"]
    assert _codes(client.get("/projects", search="ledger")) == ["DOC"]
    assert _codes(client.get("/projects", programme=world.programme.pk)) == ["CRM"]
    assert _codes(client.get("/projects", portfolio=world.other_portfolio.pk)) == ["WMS"]
    by_budget = _codes(client.get("/projects", ordering="-budget", portfolio=world.portfolio.pk))
    assert by_budget[-1] == "ALI"
    assert _codes(client.get("/projects", ordering="name"))[0] == "ALI"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"phase": "dreaming"}, "phase"),
        ({"health": "purple"}, "health"),
        ({"priority": 9}, "priority"),
        ({"ordering": "colour"}, "ordering"),
        ({"portfolio": "CORP"}, "portfolio"),
    ],
)
def test_bad_filter_values_are_refused_by_name(
    api: ApiFactory, world: World, params: dict[str, Any], field: str
) -> None:
    response = api(world.pmo).get("/projects", **params)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == [field]
    assert field in error["message"]


def test_list_makes_a_constant_number_of_queries(
    api: ApiFactory, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client = api(world.pmo)
    tag = Tag.objects.create(name="cloud")

    def add_projects(count: int) -> None:
        for _ in range(count):
            project = ProjectFactory(
                portfolio=world.portfolio,
                programme=world.programme,
                manager=world.pmo,
                sponsor=world.admin,
            )
            project.tags.add(tag)
            project.objectives.add(world.objective)

    def fetch() -> None:
        assert client.get("/projects").status_code == 200

    fetch()
    few = count_queries(fetch)
    add_projects(12)
    many = count_queries(fetch)
    assert client.get("/projects").json()["count"] == 15
    assert few == many, (few, many)


# Partial updates and history ----------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_is_in_the_history(
    api: ApiFactory, world: World
) -> None:
    client = api(world.project_manager)
    url = f"/projects/{world.project.pk}"
    client.patch(url, {"manager_id": world.project_manager.pk, "tags": ["crm"]})
    before = client.get(url).json()

    response = client.patch(url, {"name": "CRM replacement", "health": "amber"})
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["name"] == "CRM replacement"
    assert after["health"] == "amber"
    unchanged = set(before) - {"name", "health", "updated_at"}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}

    latest = client.get(f"{url}/history").json()["items"][0]
    assert latest["action"] == "updated"
    assert latest["actor"] == {"id": world.project_manager.pk, "username": "pm"}
    changes = {change["field"]: (change["old"], change["new"]) for change in latest["changes"]}
    assert changes == {"name": ("New CRM", "CRM replacement"), "health": ("green", "amber")}


def test_patch_null_clears_an_optional_field_and_is_refused_for_a_required_one(
    api: ApiFactory, world: World
) -> None:
    client = api(world.pmo)
    url = f"/projects/{world.project.pk}"
    cleared = client.patch(url, {"programme_id": None, "finish_date": None})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["programme"] is None
    assert cleared.json()["finish_date"] is None

    refused = client.patch(url, {"name": None, "code": None})
    assert refused.status_code == 422
    assert set(error_of(refused)["fields"]) == {"name", "code"}
    world.project.refresh_from_db()
    assert world.project.name == "New CRM"


def test_as_of_answers_what_the_project_looked_like(api: ApiFactory, world: World) -> None:
    client = api(world.pmo)
    created = client.post(
        "/projects", {"portfolio_id": world.portfolio.pk, "code": "BI", "name": "Data platform"}
    ).json()
    url = f"/projects/{created['id']}"
    client.patch(url, {"name": "Data platform v2"})
    first, second = HistoryEntry.objects.order_by("occurred_at", "id")
    # Push the rename a day later, so that "the first day" is unambiguous.
    HistoryEntry.objects.filter(pk=second.pk).update(
        occurred_at=first.occurred_at + dt.timedelta(days=1)
    )

    then = client.get(f"{url}/as-of", date=first.occurred_at.isoformat()).json()
    assert then["exists"] is True
    assert then["values"]["name"] == "Data platform"
    assert then["entry"]["action"] == "created"

    later = client.get(f"{url}/as-of", date=(first.occurred_at + dt.timedelta(days=2)).date())
    assert later.json()["values"]["name"] == "Data platform v2"

    before = client.get(f"{url}/as-of", date="2000-01-01").json()
    assert before == {"as_of": before["as_of"], "exists": False, "values": None, "entry": None}

    refused = client.get(f"{url}/as-of", date="last tuesday")
    assert refused.status_code == 422
    assert list(error_of(refused)["fields"]) == ["date"]


# Refused input ------------------------------------------------------------------------------


def _create(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"portfolio_id": world.portfolio.pk, "code": "ERP", "name": "ERP"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"start_date": "2026-05-01", "finish_date": "2026-04-01"}, {"finish_date"}),
        ({"budget": "-1"}, {"budget"}),
        ({"budget": "12.345"}, {"budget"}),
        ({"code": "CRM"}, {"code"}),
        ({"code": "has space"}, {"code"}),
        ({"phase": "dreaming"}, {"phase"}),
        ({"priority": 0}, {"priority"}),
        ({"start_date": "31/12/2026"}, {"start_date"}),
        ({"code": None, "name": None}, {"code", "name"}),
        ({"colour": "blue"}, {"colour"}),
        ({"manager_id": 987654}, {"manager_id"}),
        ({"objective_ids": [987654]}, {"objective_ids"}),
    ],
)
def test_bad_project_is_refused_naming_the_field_and_nothing_is_written(
    api: ApiFactory, world: World, changes: dict[str, Any], fields: set[str]
) -> None:
    projects, history = Project.objects.count(), HistoryEntry.objects.count()
    response = api(world.pmo).post("/projects", _create(world, **changes))
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == fields
    assert all(error["fields"][field] for field in fields)
    assert (Project.objects.count(), HistoryEntry.objects.count()) == (projects, history)


def test_finish_before_start_is_refused_on_update_too(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).patch(f"/projects/{world.project.pk}", {"finish_date": "2025-01-01"})
    assert response.status_code == 422
    assert "finish date cannot be before the start date" in error_of(response)["message"]
    world.project.refresh_from_db()
    assert world.project.finish_date == dt.date(2026, 12, 18)


def test_invisible_portfolio_or_programme_is_refused_and_nothing_is_created(
    api: ApiFactory, world: World
) -> None:
    client = api(world.outsider)
    response = client.post("/projects", _create(world))
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "portfolio_id": ["Select a valid choice. That choice is not one of the available choices."]
    }
    moved = api(world.pmo)
    hidden_programme = client.post(
        "/projects",
        _create(world, portfolio_id=world.other_portfolio.pk, programme_id=world.programme.pk),
    )
    assert set(error_of(hidden_programme)["fields"]) == {"programme_id"}
    assert not Project.objects.filter(code="ERP").exists()
    other = moved.patch(f"/projects/{world.other_project.pk}", {"programme_id": world.programme.pk})
    assert set(error_of(other)["fields"]) == {"programme_id"}


def test_duplicate_code_message_follows_the_request_language(api: ApiFactory, world: World) -> None:
    english = error_of(api(world.pmo).post("/projects", _create(world, code="CRM")))
    french = error_of(api(world.pmo, language="fr").post("/projects", _create(world, code="CRM")))
    assert "already exists" in english["fields"]["code"][0]
    assert "existe déjà" in french["fields"]["code"][0]
    assert french["message"] != english["message"]


def test_required_fields_are_named(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).post("/projects", {})
    error = error_of(response)
    assert set(error["fields"]) == {"code", "name", "portfolio_id"}
    assert error["fields"]["code"] == ["This field is required."]


def test_body_that_is_not_json_is_a_bad_request(api: ApiFactory, world: World) -> None:
    client = api(world.pmo)
    response = client.client.post("/api/v1/projects", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


# Unknown ids and paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/projects/987654", "/projects/abc", "/projects/1/nothing", "/nothing", "/"]
)
def test_unknown_ids_and_paths_are_not_found(api: ApiFactory, world: World, path: str) -> None:
    response = api(world.pmo).get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_method_not_offered_gets_405_in_the_envelope(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).client.put(f"/api/v1/projects/{world.project.pk}")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]


def test_delete_removes_the_project_and_records_it(api: ApiFactory, world: World) -> None:
    client = api(world.pmo)
    response = client.delete(f"/projects/{world.sibling_project.pk}")
    assert response.status_code == 204
    assert not Project.objects.filter(pk=world.sibling_project.pk).exists()
    assert HistoryEntry.objects.filter(action="deleted", object_repr__startswith="HR").exists()
    assert client.get(f"/projects/{world.sibling_project.pk}").status_code == 404
