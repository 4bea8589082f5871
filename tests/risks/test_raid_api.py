"""The API of issues, assumptions, dependencies and decisions: who may call each operation,
what it answers, and a constant number of queries for its lists."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from pilotage.risks import raid
from pilotage.risks.models import AssumptionStatus, Issue, IssueStatus, ProjectDependency, Risk
from tests.access import Access, AccessMixin
from tests.risks.test_raid import cross_link, make_risk
from tests.risks.test_raid_pages import (
    CHANGES_CRM,
    DELETES_CRM,
    HIDDEN,
    READ_ONLY,
    SEES_CRM,
    assumption,
    decision,
    dependency,
    false_assumption,
    issue,
    resolved_issue,
)
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = (*SEES_CRM, *HIDDEN)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post("/api/v1" + url, json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch("/api/v1" + url, json.dumps(data), content_type="application/json")


def _items(kind: str) -> list[Access]:
    """The list operation of a kind: everyone gets the items they see; a hidden project's
    filter is not found."""
    return [
        operation(f"{kind} list", "get", lambda w: f"/{kind}", allowed=EVERYONE),
        operation(
            f"{kind} of the project",
            "get",
            lambda w: f"/{kind}?project={w.project.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
    ]


class TestAccess(AccessMixin):
    access = [
        *_items("issues"),
        *_items("assumptions"),
        *_items("raid-dependencies"),
        *_items("decisions"),
        operation(
            "create issue",
            "post",
            lambda w: "/issues",
            data=lambda w: {"project_id": w.project.pk, "title": "Late", "severity": "high"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "get issue",
            "get",
            lambda w: f"/issues/{issue(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change issue",
            "patch",
            lambda w: f"/issues/{issue(w).pk}",
            data=lambda w: {"priority": 1},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete issue",
            "delete",
            lambda w: f"/issues/{issue(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
        operation(
            "resolve issue",
            "post",
            lambda w: f"/issues/{issue(w).pk}/resolve",
            data=lambda w: {"resolution": "Fixed"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "close issue",
            "post",
            lambda w: f"/issues/{resolved_issue(w).pk}/close",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "reopen issue",
            "post",
            lambda w: f"/issues/{resolved_issue(w).pk}/reopen",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "escalate issue",
            "post",
            lambda w: f"/issues/{issue(w).pk}/escalate",
            data=lambda w: {"level": "portfolio", "comment": "Board"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "create assumption",
            "post",
            lambda w: "/assumptions",
            data=lambda w: {"project_id": w.project.pk, "title": "Licences included"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "get assumption",
            "get",
            lambda w: f"/assumptions/{assumption(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change assumption",
            "patch",
            lambda w: f"/assumptions/{assumption(w).pk}",
            data=lambda w: {"validate_by": "2026-09-01"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete assumption",
            "delete",
            lambda w: f"/assumptions/{assumption(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
        operation(
            "validate assumption",
            "post",
            lambda w: f"/assumptions/{assumption(w).pk}/validate",
            data=lambda w: {"valid": True},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "reopen assumption",
            "post",
            lambda w: f"/assumptions/{false_assumption(w).pk}/reopen",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "raise issue from assumption",
            "post",
            lambda w: f"/assumptions/{false_assumption(w).pk}/raise-issue",
            data=lambda w: {"severity": "critical"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "create dependency",
            "post",
            lambda w: "/raid-dependencies",
            data=lambda w: {
                "project_id": w.project.pk,
                "title": "Permit",
                "external_party": "City hall",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "get dependency",
            "get",
            lambda w: f"/raid-dependencies/{dependency(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change dependency",
            "patch",
            lambda w: f"/raid-dependencies/{dependency(w).pk}",
            data=lambda w: {"status": "met"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete dependency",
            "delete",
            lambda w: f"/raid-dependencies/{dependency(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
        operation(
            "plan links",
            "get",
            lambda w: f"/raid-dependencies/plan-links?project={w.project.pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "import plan links",
            "post",
            lambda w: "/raid-dependencies/import",
            data=lambda w: {"project_id": w.project.pk, "link_ids": [cross_link(w)[2].pk]},
            allowed=("admin", "pmo", "portfolio_manager"),
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "create decision",
            "post",
            lambda w: "/decisions",
            data=lambda w: {
                "project_id": w.project.pk,
                "title": "Cloud",
                "decided_on": "2026-03-02",
                "decided_by_name": "Board",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(201,),
        ),
        operation(
            "get decision",
            "get",
            lambda w: f"/decisions/{decision(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        operation(
            "change decision",
            "patch",
            lambda w: f"/decisions/{decision(w).pk}",
            data=lambda w: {"rationale": "Cheaper"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        operation(
            "delete decision",
            "delete",
            lambda w: f"/decisions/{decision(w).pk}",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(204,),
        ),
    ]


def test_an_issue_raised_from_a_risk_through_the_api(client: Client, world: World) -> None:
    risk = make_risk(world)
    client.force_login(world.project_manager)
    response = post(
        client,
        "/issues",
        {
            "project_id": world.project.pk,
            "title": "Vendor late",
            "risk_id": risk.pk,
            "owner_id": world.project_manager.pk,
            "priority": 1,
            "due_date": "2026-07-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "I-001"
    assert body["risk_id"] == risk.pk
    assert body["owner"]["username"] == world.project_manager.username
    assert body["status"] == "open"
    assert Risk.objects.get(pk=risk.pk).status == "occurred"
    refused = post(client, f"/issues/{body['id']}/resolve", {"resolution": ""})
    assert refused.status_code == 422
    assert "Say how the issue was resolved" in refused.json()["error"]["message"]
    done = post(client, f"/issues/{body['id']}/resolve", {"resolution": "Second vendor"})
    assert done.json()["status"] == IssueStatus.RESOLVED
    moved = patch(client, f"/issues/{body['id']}", {"status": "open"})
    assert moved.status_code == 422


def test_references_the_caller_cannot_see_are_invalid_choices(client: Client, world: World) -> None:
    hidden_risk = make_risk(world, project=world.other_project)
    client.force_login(world.project_manager)
    response = post(
        client,
        "/issues",
        {"project_id": world.project.pk, "title": "X", "risk_id": hidden_risk.pk},
    )
    assert response.status_code == 422
    assert "risk_id" in response.json()["error"]["fields"]
    assert hidden_risk.code not in response.content.decode()
    response = post(
        client,
        "/raid-dependencies",
        {"project_id": world.project.pk, "title": "X", "other_project_id": world.other_project.pk},
    )
    assert response.status_code == 422
    assert "other_project_id" in response.json()["error"]["fields"]
    assert Issue.objects.count() == 0
    assert ProjectDependency.objects.count() == 0


def test_a_dependency_needs_a_project_or_a_party_not_both(client: Client, world: World) -> None:
    client.force_login(world.portfolio_manager)
    response = post(
        client,
        "/raid-dependencies",
        {
            "project_id": world.project.pk,
            "title": "X",
            "other_project_id": world.sibling_project.pk,
            "external_party": "Vendor",
        },
    )
    assert response.status_code == 422
    assert "not both" in response.json()["error"]["message"]


def test_dependencies_answer_their_plan_dates_and_hide_unseen_projects(
    client: Client, world: World
) -> None:
    theirs, ours, link = cross_link(world)
    raid.dependency_create(
        actor=world.admin,
        project=world.project,
        title="API",
        plan_dependency=link,
        needed_by=theirs.finish.date() - dt.timedelta(days=1),
    )
    raid.dependency_create(
        actor=world.admin, project=world.project, title="WMS", other_project=world.other_project
    )
    client.force_login(world.portfolio_manager)
    links = client.get(f"/api/v1/raid-dependencies/plan-links?project={world.project.pk}")
    assert links.json() == []
    items = client.get(f"/api/v1/raid-dependencies?project={world.project.pk}").json()["items"]
    by_title = {item["title"]: item for item in items}
    api = by_title["API"]
    assert api["at_risk"] is True
    assert api["direction"] == "inbound"
    assert api["task_id"] == ours.pk
    assert api["other_project"]["code"] == world.sibling_project.code
    assert api["predecessor_finish"].startswith(theirs.finish.date().isoformat())
    assert by_title["WMS"]["other_project"] is None
    client.force_login(world.admin)
    admin_items = client.get(f"/api/v1/raid-dependencies?project={world.project.pk}").json()
    assert {item["title"]: item for item in admin_items["items"]}["WMS"]["other_project"]


def test_importing_plan_links_through_the_api(client: Client, world: World) -> None:
    _theirs, _ours, link = cross_link(world)
    client.force_login(world.portfolio_manager)
    links = client.get(f"/api/v1/raid-dependencies/plan-links?project={world.project.pk}").json()
    assert [row["id"] for row in links] == [link.pk]
    assert links[0]["predecessor_project"]["code"] == world.sibling_project.code
    refused = post(
        client, "/raid-dependencies/import", {"project_id": world.project.pk, "link_ids": [9999]}
    )
    assert refused.status_code == 422
    created = post(
        client, "/raid-dependencies/import", {"project_id": world.project.pk, "link_ids": [link.pk]}
    )
    assert created.status_code == 201
    assert created.json()[0]["plan_dependency_id"] == link.pk


def test_assumption_verdicts_through_the_api(client: Client, world: World) -> None:
    item = assumption(world)
    client.force_login(world.project_manager)
    refused = post(client, f"/assumptions/{item.pk}/validate", {"valid": False})
    assert refused.status_code == 422
    body = post(client, f"/assumptions/{item.pk}/validate", {"valid": False, "note": "No"}).json()
    assert body["status"] == AssumptionStatus.INVALID
    raised = post(client, f"/assumptions/{item.pk}/raise-issue", {"title": "Vendor not ready"})
    assert raised.status_code == 201
    assert raised.json()["title"] == "Vendor not ready"


@pytest.mark.parametrize(
    ("path", "add"),
    [
        ("/issues", lambda w: issue(w, owner=w.viewer, risk=make_risk(w))),
        ("/assumptions", lambda w: assumption(w, owner=w.viewer)),
        ("/raid-dependencies", lambda w: dependency(w, owner=w.viewer)),
        ("/decisions", lambda w: decision(w)),
    ],
)
def test_list_endpoints_make_the_same_number_of_queries(
    client: Client,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    path: str,
    add: Callable[[World], Any],
) -> None:
    client.force_login(world.project_manager)
    url = f"/api/v1{path}?project={world.project.pk}"
    for _ in range(2):
        add(world)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for _ in range(8):
        add(world)
    assert count_queries(lambda: client.get(url)) == few
    assert client.get(url).json()["count"] == 10
