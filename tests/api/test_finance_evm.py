"""Earned value through the API: a project's figures, its S-curve, its records, and the
figures of every visible project with their roll-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pilotage.finance.models import EarnedValueRecord
from tests.access import Access, AccessMixin
from tests.api.client import ApiFactory, error_of
from tests.finance.factories_evm import Planned, actual_cost, cost_baseline
from tests.finance.test_earned_value_service import hand_calculated
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
RECORDS_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "finance")
HIDDEN_CRM = ("outsider", "nobody")
EVERYONE = (*SEES_CRM, "outsider", "nobody")


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


class TestEarnedValueOperations(AccessMixin):
    access = [
        operation(
            "figures",
            "get",
            lambda w: f"/projects/{w.project.pk}/earned-value",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "series",
            "get",
            lambda w: f"/projects/{w.project.pk}/earned-value/series",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "records",
            "get",
            lambda w: f"/projects/{w.project.pk}/earned-value/records",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "record",
            "post",
            lambda w: f"/projects/{w.project.pk}/earned-value/records",
            data=lambda w: {"as_of": "2026-03-16"},
            # Without a cost baseline the service refuses (422) once the rights are checked.
            allowed=RECORDS_CRM,
            ok=(422,),
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
        operation("portfolio", "get", lambda w: "/earned-value", allowed=EVERYONE),
    ]


def test_project_figures_with_spelled_out_keys(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)

    response = api(world.viewer).get(
        f"/projects/{world.project.pk}/earned-value", as_of="2026-03-16"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["project_code"] == "CRM"
    assert body["currency"] == "EUR"
    assert body["as_of"] == "2026-03-16"
    assert body["planned_value"] == "2000.00"
    assert body["earned_value"] == "1800.00"
    assert body["actual_cost"] == "1860.00"
    assert body["estimate_at_completion"] == "4133.33"
    assert body["estimate_at_completion_method"] == "cpi"
    assert body["cost_performance_index"] == pytest.approx(0.967742)
    assert body["schedule_performance_index_time"] == pytest.approx(0.933333)
    assert body["earned_schedule"] == "2026-03-15"
    assert body["planned_finish"] == "2026-03-29"
    assert body["forecast_finish"] == "2026-03-31"
    assert body["problems"] == []


def test_project_without_baseline_has_null_figures(api: ApiFactory, world: World) -> None:
    body = api(world.admin).get(f"/projects/{world.project.pk}/earned-value").json()

    assert body["has_baseline"] is False
    assert body["problems"] == ["no cost baseline"]
    assert body["earned_value"] is None
    assert body["cost_performance_index"] is None


def test_a_bad_status_date_is_a_validation_error(api: ApiFactory, world: World) -> None:
    response = api(world.admin).get(f"/projects/{world.project.pk}/earned-value", as_of="soon")

    assert response.status_code == 422
    assert "as_of" in error_of(response)["fields"]


def test_series(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)

    body = (
        api(world.admin)
        .get(f"/projects/{world.project.pk}/earned-value/series", as_of="2026-03-16")
        .json()
    )

    assert body["points"][0] == {
        "date": "2026-03-02",
        "planned_value": "100.00",
        "actual_cost": "0.00",
    }
    last = body["points"][-1]
    assert last["date"] == "2026-03-31"
    assert last["planned_value"] == "4000.00"
    assert last["actual_cost"] is None  # after the status date
    assert body["earned_value"][-1] == {"date": "2026-03-16", "amount": "1800.00"}
    assert body["forecast"] == [
        {"date": "2026-03-16", "amount": "1860.00"},
        {"date": "2026-03-31", "amount": "4133.33"},
    ]


def test_record_then_replace_then_list(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)
    client = api(world.finance)
    url = f"/projects/{world.project.pk}/earned-value/records"

    created = client.post(url, {"as_of": "2026-03-16"})
    replaced = client.post(url, {"as_of": "2026-03-16"})
    listed = client.get(url)

    assert created.status_code == 201
    assert created.json()["earned_value"] == "1800.00"
    assert created.json()["estimate_at_completion"] == "4133.33"
    assert replaced.status_code == 200
    assert replaced.json()["id"] == created.json()["id"]
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["recorded_by"]["username"] == "finance"


def test_record_of_a_future_date_is_refused(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()

    response = api(world.admin).post(
        f"/projects/{world.project.pk}/earned-value/records", {"as_of": future}
    )

    assert response.status_code == 422
    assert "future" in str(error_of(response))
    assert not EarnedValueRecord.objects.exists()


def test_portfolio_rows_and_roll_ups(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)
    cost_baseline(
        world.sibling_project, [Planned("Roll-out", dt.date(2026, 3, 2), 20, Decimal("100"), 20)]
    )
    actual_cost(world.sibling_project, dt.date(2026, 3, 10), "900")

    body = api(world.portfolio_manager).get("/earned-value", as_of="2026-03-16").json()

    assert body["currency"] == "EUR"
    rows = {row["project_code"]: row for row in body["projects"]}
    assert set(rows) == {"CRM", "HR"}
    assert rows["HR"]["earned_value"] == "400.00"
    assert body["total"]["kind"] == "total"
    assert body["total"]["earned_value"] == "2200.00"  # 1,800 + 400
    assert body["total"]["actual_cost"] == "2760.00"  # 1,860 + 900
    assert body["total"]["cost_performance_index"] == pytest.approx(2200 / 2760, abs=1e-6)
    assert [group["code"] for group in body["programmes"]] == ["DIGI"]
    assert body["programmes"][0]["earned_value"] == "1800.00"
    assert [group["code"] for group in body["portfolios"]] == ["CORP"]


def test_portfolio_filter_by_programme_and_unknown_ids(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)
    client = api(world.admin)

    body = client.get("/earned-value", programme_id=world.programme.pk).json()
    missing = client.get("/earned-value", portfolio_id=999999)

    assert [row["project_code"] for row in body["projects"]] == ["CRM"]
    assert missing.status_code == 404


def test_portfolio_hides_other_portfolios(api: ApiFactory, world: World) -> None:
    hand_calculated(world.project)

    body = api(world.outsider).get("/earned-value").json()

    assert [row["project_code"] for row in body["projects"]] == ["WMS"]
    assert body["total"]["project_count"] == 0
