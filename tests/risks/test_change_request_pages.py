"""Pages and API of change requests: who may use each, what the request's page offers to whom,
the approvals page, the Excel export and constant queries."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.risks import change_requests as services
from pilotage.risks.models import ChangeRequest, ChangeRequestStatus, ChangeRequestTask
from tests.access import Access, AccessMixin
from tests.risks.test_change_requests import (
    DAY,
    approved_budget,
    build_plan,
    sponsor_of,
)
from tests.risks.test_raid_pages import CHANGES_CRM, DELETES_CRM, HIDDEN, READ_ONLY, SEES_CRM
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = (*SEES_CRM, *HIDDEN)
APPROVES_CRM = ("admin", "pmo", "portfolio_manager", "finance")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def draft(w: World, **values: Any) -> ChangeRequest:
    values.setdefault("scope_impact", "A partner portal")
    values.setdefault("cost_impact", Decimal("12000"))
    return services.change_request_create(
        actor=w.project_manager, project=w.project, title="Partner portal", **values
    )


def submitted(w: World) -> ChangeRequest:
    return services.change_request_submit(actor=w.project_manager, change_request=draft(w))


def approved(w: World) -> ChangeRequest:
    return services.change_request_approve(actor=w.pmo, change_request=submitted(w))


def with_task_change(w: World) -> ChangeRequestTask:
    return services.change_request_task_add(
        actor=w.project_manager, change_request=draft(w), name="Training", duration_minutes=DAY
    )


def page(w: World, tail: str) -> str:
    return f"/projects/{w.project.pk}/raid/change-requests/{tail}"


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


class TestPageAccess(AccessMixin):
    access = [
        Access("list", "get", lambda w: page(w, ""), allowed=SEES_CRM, hidden=HIDDEN),
        Access("export", "get", lambda w: page(w, "?format=xlsx"), allowed=SEES_CRM, hidden=HIDDEN),
        Access(
            "form",
            "get",
            lambda w: page(w, "new/"),
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "create",
            "post",
            lambda w: page(w, "new/"),
            data=lambda w: {
                "title": "Portal",
                "scope_impact": "Portal",
                "schedule_impact_days": "3",
                "cost_impact": "1000",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "detail",
            "get",
            lambda w: f"/raid/change-requests/{draft(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "post",
            lambda w: f"/raid/change-requests/{draft(w).pk}/edit/",
            data=lambda w: {
                "code": "CR-001",
                "title": "Portal, smaller",
                "schedule_impact_days": "2",
                "cost_impact": "900",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        *[
            Access(
                action,
                "post",
                lambda w, action=action: f"/raid/change-requests/{draft(w).pk}/{action}/",
                data=lambda w: {"evaluation": "Worth it", "comment": "Please"},
                allowed=CHANGES_CRM,
                forbidden=READ_ONLY,
                hidden=HIDDEN,
                ok=(302,),
            )
            for action in ("evaluate", "submit", "withdraw")
        ],
        Access(
            "add a task change",
            "post",
            lambda w: f"/raid/change-requests/{draft(w).pk}/add-task/",
            data=lambda w: {"task-name": "Training", "task-duration": "2d"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "remove a task change",
            "post",
            lambda w: f"/raid/change-request-tasks/{with_task_change(w).pk}/remove/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        *[
            Access(
                action,
                "post",
                lambda w, action=action: f"/raid/change-requests/{submitted(w).pk}/{action}/",
                data=lambda w: {"comment": "Decided"},
                allowed=APPROVES_CRM,
                forbidden=("project_manager", "viewer"),
                hidden=HIDDEN,
                ok=(302,),
            )
            for action in ("approve", "reject")
        ],
        Access(
            "apply",
            "post",
            lambda w: f"/raid/change-requests/{approved(w).pk}/apply/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete",
            "post",
            lambda w: f"/raid/change-requests/{draft(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "awaiting my decision",
            "get",
            lambda w: "/raid/change-requests/approvals/",
            allowed=EVERYONE,
        ),
    ]


class TestApiAccess(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/change-requests", allowed=EVERYONE),
        operation(
            "list of the project",
            "get",
            lambda w: f"/change-requests?project={w.project.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation("awaiting", "get", lambda w: "/change-requests/awaiting", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/change-requests",
            data=lambda w: {"project_id": w.project.pk, "title": "Portal", "cost_impact": "10"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "get",
            "get",
            lambda w: f"/change-requests/{draft(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change",
            "patch",
            lambda w: f"/change-requests/{draft(w).pk}",
            data=lambda w: {"cost_impact": "15000"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/change-requests/{draft(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
        operation(
            "evaluate",
            "post",
            lambda w: f"/change-requests/{draft(w).pk}/evaluate",
            data=lambda w: {"evaluation": "Sound"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        *[
            operation(
                action,
                "post",
                lambda w, action=action: f"/change-requests/{draft(w).pk}/{action}",
                allowed=CHANGES_CRM,
                forbidden=READ_ONLY,
                hidden=HIDDEN,
            )
            for action in ("submit", "withdraw")
        ],
        *[
            operation(
                action,
                "post",
                lambda w, action=action: f"/change-requests/{submitted(w).pk}/{action}",
                data=lambda w: {"comment": "Decided"},
                allowed=APPROVES_CRM,
                forbidden=("project_manager", "viewer"),
                hidden=HIDDEN,
            )
            for action in ("approve", "reject")
        ],
        operation(
            "apply",
            "post",
            lambda w: f"/change-requests/{approved(w).pk}/apply",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "task changes",
            "get",
            lambda w: f"/change-requests/{draft(w).pk}/tasks",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "add a task change",
            "post",
            lambda w: f"/change-requests/{draft(w).pk}/tasks",
            data=lambda w: {"name": "Training", "duration_minutes": 960},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "remove a task change",
            "delete",
            lambda w: (
                lambda change: f"/change-requests/{change.change_request_id}/tasks/{change.pk}"
            )(with_task_change(w)),
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(204,),
        ),
    ]


# What the pages show ----------------------------------------------------------------------------


def test_the_page_offers_the_decision_to_the_sponsor_not_the_requester(
    client: Client, world: World
) -> None:
    request = submitted(world)
    sponsor = sponsor_of(world)
    url = f"/raid/change-requests/{request.pk}/"
    client.force_login(world.project_manager)
    body = client.get(url).content.decode()
    assert "the project&#x27;s sponsor, Sam Sponsor" in body
    assert "You requested this change: someone else must decide on it." in body
    assert f"/raid/change-requests/{request.pk}/approve/" not in body
    client.force_login(sponsor)
    body = client.get(url).content.decode()
    assert f"/raid/change-requests/{request.pk}/approve/" in body
    response = client.post(f"/raid/change-requests/{request.pk}/approve/", {"comment": "Fine"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED
    timeline = client.get(url).content.decode()
    assert "Fine" in timeline
    assert "CR-001 approved by Sam Sponsor" in timeline


def test_rejecting_without_a_comment_says_why_on_the_page(client: Client, world: World) -> None:
    request = submitted(world)
    client.force_login(world.pmo)
    response = client.post(
        f"/raid/change-requests/{request.pk}/reject/", {"comment": ""}, follow=True
    )
    assert "Say why the change is rejected." in response.content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.SUBMITTED


def test_applying_on_the_page_changes_the_plan_and_says_when_the_budget_did_not(
    client: Client, world: World
) -> None:
    plan = build_plan(world)
    request = draft(world)
    client.force_login(world.project_manager)
    added = client.post(
        f"/raid/change-requests/{request.pk}/add-task/",
        {"task-task": plan.build.pk, "task-duration": "8d", "task-cost": "300"},
    )
    assert added.status_code == 302
    wrong = client.post(f"/raid/change-requests/{request.pk}/add-task/", {"task-duration": "soon"})
    assert "is not a duration" in wrong.content.decode()
    body = client.get(f"/raid/change-requests/{request.pk}/").content.decode()
    assert "Build" in body
    assert "8d" in body
    assert 'data-testid="total-cost">12,300\u00a0EUR' in body
    client.post(f"/raid/change-requests/{request.pk}/submit/", {"comment": ""})
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.SUBMITTED
    services.change_request_approve(actor=world.pmo, change_request=request)
    response = client.post(f"/raid/change-requests/{request.pk}/apply/", follow=True)
    body = response.content.decode()
    assert "applied to the plan" in body
    assert "The budget was not changed: the project has no approved budget." in body
    assert Task.objects.get(pk=plan.build.pk).duration_minutes == 8 * DAY
    assert 'data-testid="baseline-link"' in body


def test_a_failed_apply_shows_the_reason_and_changes_nothing(client: Client, world: World) -> None:
    plan = build_plan(world)
    approved_budget(world)
    request = draft(world, cost_impact=Decimal("-200000"))
    services.change_request_task_add(
        actor=world.project_manager,
        change_request=request,
        task=plan.build,
        duration_minutes=2 * DAY,
    )
    services.change_request_submit(actor=world.project_manager, change_request=request)
    services.change_request_approve(actor=world.pmo, change_request=request)
    client.force_login(world.project_manager)
    response = client.post(f"/raid/change-requests/{request.pk}/apply/", follow=True)
    assert "The budget cannot be raised" in response.content.decode()
    assert Task.objects.get(pk=plan.build.pk).duration_minutes == 5 * DAY
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED


def test_the_approvals_page_lists_what_awaits_the_user(client: Client, world: World) -> None:
    request = submitted(world)
    sponsor = sponsor_of(world)
    client.force_login(sponsor)
    body = client.get("/raid/change-requests/approvals/").content.decode()
    assert request.code in body
    assert "Partner portal" in body
    client.force_login(world.project_manager)
    body = client.get("/raid/change-requests/approvals/").content.decode()
    assert "Nothing awaits your decision." in body


def test_the_list_filters_and_exports(client: Client, world: World) -> None:
    first = submitted(world)
    draft(world, cost_impact=Decimal("5"))
    client.force_login(world.viewer)
    body = client.get(page(world, ""), {"status": "submitted"}).content.decode()
    assert first.code in body
    assert "CR-002" not in body
    response = client.get(page(world, ""), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    by_code = {record["Code"]: record for record in records}
    assert by_code["CR-001"]["Status"] == "Submitted"
    assert by_code["CR-001"]["Approval level"] == "Project"
    assert by_code["CR-002"]["Approval level"] is None
    assert by_code["CR-001"]["Cost impact"] == 12000


def test_the_list_page_and_endpoint_make_the_same_number_of_queries(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            request = submitted(world)
            services.change_request_task_add(
                actor=world.pmo, change_request=draft(world), name="T", duration_minutes=DAY
            )
            assert request.pk

    client.force_login(world.project_manager)
    urls = [page(world, ""), f"/api/v1/change-requests?project={world.project.pk}"]
    add(2)
    for url in urls:
        client.get(url)
    few = [count_queries(lambda url=url: client.get(url)) for url in urls]
    add(6)
    assert [count_queries(lambda url=url: client.get(url)) for url in urls] == few


# The API ----------------------------------------------------------------------------------------


def _post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post("/api/v1" + url, json.dumps(data or {}), content_type="application/json")


def test_a_change_request_through_the_api_from_draft_to_applied(
    client: Client, world: World
) -> None:
    plan = build_plan(world)
    approved_budget(world)
    client.force_login(world.project_manager)
    created = _post(
        client,
        "/change-requests",
        {
            "project_id": world.project.pk,
            "title": "Partner portal",
            "scope_impact": "Portal",
            "cost_impact": "20000",
            "schedule_impact_days": "5",
        },
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["code"] == "CR-001"
    added = _post(
        client,
        f"/change-requests/{request_id}/tasks",
        {"task_id": plan.build.pk, "duration_minutes": 10 * DAY, "cost": "1000"},
    )
    assert added.status_code == 201, added.content
    elsewhere = planning.task_create(actor=world.admin, project=world.sibling_project, name="HR")
    refused = _post(
        client,
        f"/change-requests/{request_id}/tasks",
        {"task_id": elsewhere.pk, "duration_minutes": DAY},
    )
    assert refused.status_code == 422
    submitted_body = _post(client, f"/change-requests/{request_id}/submit").json()
    assert submitted_body["status"] == "submitted"
    assert submitted_body["approval_level"] == "project"
    assert submitted_body["total_cost"] == "21000.00"
    mine = _post(client, f"/change-requests/{request_id}/approve")
    assert mine.status_code == 403
    assert "You requested this change" in mine.json()["error"]["message"]
    client.force_login(world.finance)
    assert [row["id"] for row in client.get("/api/v1/change-requests/awaiting").json()] == [
        request_id
    ]
    decided = _post(client, f"/change-requests/{request_id}/approve", {"comment": "Yes"})
    assert decided.json()["status"] == "approved"
    not_theirs = _post(client, f"/change-requests/{request_id}/apply")
    assert not_theirs.status_code == 403
    client.force_login(world.project_manager)
    applied = _post(client, f"/change-requests/{request_id}/apply")
    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert body["change_request"]["status"] == "applied"
    assert body["budget_id"] is not None
    assert body["budget_note"] == ""
    assert body["change_request"]["baseline_id"] == body["baseline_id"]
    statuses = [event["status"] for event in body["change_request"]["events"]]
    assert statuses[0] == "draft"
    assert statuses[-2:] == ["approved", "applied"]
    assert Task.objects.get(pk=plan.build.pk).duration_minutes == 10 * DAY
