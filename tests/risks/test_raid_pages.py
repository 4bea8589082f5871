"""Pages of issues, assumptions, dependencies and decisions: who may use them, what they show,
their Excel exports and their constant number of queries."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from pilotage.planning import services as planning
from pilotage.risks import raid
from pilotage.risks.models import (
    Assumption,
    AssumptionStatus,
    Decision,
    Issue,
    IssueStatus,
    ProjectDependency,
)
from tests.access import Access, AccessMixin
from tests.risks.test_raid import cross_link, make_risk
from tests.world import World

pytestmark = pytest.mark.django_db

SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "finance")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
DELETES_CRM = ("admin", "pmo", "portfolio_manager")
READ_ONLY = ("viewer", "finance")
HIDDEN = ("outsider", "nobody")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def issue(w: World, **values: Any) -> Issue:
    return raid.issue_create(actor=w.admin, project=w.project, title="Server down", **values)


def resolved_issue(w: World) -> Issue:
    item = issue(w)
    return raid.issue_resolve(actor=w.admin, issue=item, resolution="Rebooted")


def assumption(w: World, **values: Any) -> Assumption:
    return raid.assumption_create(actor=w.admin, project=w.project, title="Vendor ready", **values)


def false_assumption(w: World) -> Assumption:
    item = assumption(w)
    return raid.assumption_validate(actor=w.admin, assumption=item, valid=False, note="Not ready")


def dependency(w: World, **values: Any) -> ProjectDependency:
    values.setdefault("external_party", "Regulator")
    return raid.dependency_create(actor=w.admin, project=w.project, title="Permit", **values)


def decision(w: World) -> Decision:
    return raid.decision_create(
        actor=w.admin,
        project=w.project,
        title="Go with the cloud",
        decided_on=dt.date(2026, 3, 2),
        decided_by_name="Steering committee",
    )


def _project(w: World, tail: str) -> str:
    return f"/projects/{w.project.pk}/raid/{tail}"


class TestAccess(AccessMixin):
    access = [
        *[
            Access(
                f"{kind} list",
                "get",
                lambda w, kind=kind: _project(w, f"{kind}/"),
                allowed=SEES_CRM,
                hidden=HIDDEN,
            )
            for kind in ("issues", "assumptions", "dependencies", "decisions")
        ],
        *[
            Access(
                f"{kind} export",
                "get",
                lambda w, kind=kind: _project(w, f"{kind}/?format=xlsx"),
                allowed=SEES_CRM,
                hidden=HIDDEN,
            )
            for kind in ("issues", "assumptions", "dependencies", "decisions")
        ],
        *[
            Access(
                f"{kind} form",
                "get",
                lambda w, kind=kind: _project(w, f"{kind}/new/"),
                allowed=CHANGES_CRM,
                forbidden=READ_ONLY,
                hidden=HIDDEN,
            )
            for kind in ("issues", "assumptions", "dependencies", "decisions")
        ],
        Access(
            "new issue",
            "post",
            lambda w: _project(w, "issues/new/"),
            data=lambda w: {"title": "Late", "severity": "high", "priority": "2"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "issue",
            "get",
            lambda w: f"/raid/issues/{issue(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit issue",
            "post",
            lambda w: f"/raid/issues/{issue(w).pk}/edit/",
            data=lambda w: {
                "code": "I-001",
                "title": "Server down again",
                "severity": "low",
                "priority": "3",
                "status": "in_progress",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "resolve issue",
            "post",
            lambda w: f"/raid/issues/{issue(w).pk}/resolve/",
            data=lambda w: {"resolution": "Fixed"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "close issue",
            "post",
            lambda w: f"/raid/issues/{resolved_issue(w).pk}/close/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "reopen issue",
            "post",
            lambda w: f"/raid/issues/{resolved_issue(w).pk}/reopen/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "escalate issue",
            "post",
            lambda w: f"/raid/issues/{issue(w).pk}/escalate/",
            data=lambda w: {"level": "programme"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete issue",
            "post",
            lambda w: f"/raid/issues/{issue(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "new assumption",
            "post",
            lambda w: _project(w, "assumptions/new/"),
            data=lambda w: {"title": "Licences included", "validate_by": "2026-09-01"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "assumption",
            "get",
            lambda w: f"/raid/assumptions/{assumption(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit assumption",
            "post",
            lambda w: f"/raid/assumptions/{assumption(w).pk}/edit/",
            data=lambda w: {"code": "A-001", "title": "Vendor ready in May"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "validate assumption",
            "post",
            lambda w: f"/raid/assumptions/{assumption(w).pk}/validate/",
            data=lambda w: {"verdict": "valid"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "reopen assumption",
            "post",
            lambda w: f"/raid/assumptions/{false_assumption(w).pk}/reopen/",
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "raise issue from assumption",
            "post",
            lambda w: f"/raid/assumptions/{false_assumption(w).pk}/raise-issue/",
            data=lambda w: {"severity": "high", "priority": "2"},
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete assumption",
            "post",
            lambda w: f"/raid/assumptions/{assumption(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "new dependency",
            "post",
            lambda w: _project(w, "dependencies/new/"),
            data=lambda w: {
                "title": "Permit",
                "direction": "inbound",
                "external_party": "City hall",
                "status": "open",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "dependency",
            "get",
            lambda w: f"/raid/dependencies/{dependency(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit dependency",
            "post",
            lambda w: f"/raid/dependencies/{dependency(w).pk}/edit/",
            data=lambda w: {
                "code": "D-001",
                "title": "Permit",
                "direction": "inbound",
                "external_party": "City hall",
                "status": "met",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete dependency",
            "post",
            lambda w: f"/raid/dependencies/{dependency(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "import from the plan",
            "get",
            lambda w: _project(w, "dependencies/import/"),
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
        ),
        Access(
            "new decision",
            "post",
            lambda w: _project(w, "decisions/new/"),
            data=lambda w: {
                "title": "Cloud",
                "decided_on": "2026-03-02",
                "decided_by_name": "Board",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "decision",
            "get",
            lambda w: f"/raid/decisions/{decision(w).pk}/",
            allowed=SEES_CRM,
            hidden=HIDDEN,
        ),
        Access(
            "edit decision",
            "post",
            lambda w: f"/raid/decisions/{decision(w).pk}/edit/",
            data=lambda w: {
                "code": "DEC-001",
                "title": "Cloud, confirmed",
                "decided_on": "2026-03-02",
                "decided_by_name": "Board",
            },
            allowed=CHANGES_CRM,
            forbidden=READ_ONLY,
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete decision",
            "post",
            lambda w: f"/raid/decisions/{decision(w).pk}/delete/",
            allowed=DELETES_CRM,
            forbidden=("project_manager", *READ_ONLY),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


# What the pages show ----------------------------------------------------------------------------


def _rows(response: Any) -> list[dict[str, Any]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_issue_list_filters_flags_overdue_and_exports(client: Client, world: World) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = issue(world, severity="critical", due_date=yesterday, owner=world.project_manager)
    raid.issue_create(actor=world.admin, project=world.project, title="Paint", severity="low")
    raid.issue_create(actor=world.admin, project=world.other_project, title="Hidden one")
    client.force_login(world.viewer)
    url = _project(world, "issues/")
    body = client.get(url).content.decode()
    assert "Server down" in body
    assert "Paint" in body
    assert "Hidden one" not in body
    assert "1 unresolved issue is past its due date" in body or "One unresolved" in body
    body = client.get(url, {"severity": "critical"}).content.decode()
    assert "Server down" in body
    assert "Paint" not in body
    body = client.get(url, {"overdue": "on"}).content.decode()
    assert "Paint" not in body
    partial = client.get(url, {"severity": "low"}, headers={"HX-Request": "true"})
    assert b"Paint" in partial.content
    assert b'<nav class="tabs' not in partial.content
    rows = _rows(client.get(url, {"format": "xlsx"}))
    assert [row["Code"] for row in rows] == [late.code, "I-002"]
    assert rows[0]["Severity"] == "Critical"
    assert rows[0]["Due"].date() == yesterday


def test_raising_an_issue_on_the_page_gives_the_next_code(client: Client, world: World) -> None:
    risk = make_risk(world)
    client.force_login(world.project_manager)
    response = client.post(
        _project(world, "issues/new/"),
        {"title": "Vendor late", "severity": "high", "priority": "1", "risk": risk.pk},
    )
    created = Issue.objects.get()
    assert response["Location"] == f"/raid/issues/{created.pk}/"
    assert created.code == "I-001"
    assert created.created_by == world.project_manager
    page = client.get(response["Location"]).content.decode()
    assert "R-001" in page
    assert "Occurred" in page


def test_resolving_without_a_resolution_shows_the_reason(client: Client, world: World) -> None:
    item = issue(world)
    client.force_login(world.project_manager)
    response = client.post(f"/raid/issues/{item.pk}/resolve/", {"resolution": ""}, follow=True)
    assert "Say how the issue was resolved" in response.content.decode()
    item.refresh_from_db()
    assert item.status == IssueStatus.OPEN


def test_validating_and_raising_an_issue_from_the_assumption_page(
    client: Client, world: World
) -> None:
    item = assumption(world)
    client.force_login(world.project_manager)
    refused = client.post(
        f"/raid/assumptions/{item.pk}/validate/", {"verdict": "invalid"}, follow=True
    )
    assert "Say what proved the assumption false" in refused.content.decode()
    client.post(
        f"/raid/assumptions/{item.pk}/validate/", {"verdict": "invalid", "note": "No stock"}
    )
    item.refresh_from_db()
    assert item.status == AssumptionStatus.INVALID
    page = client.get(f"/raid/assumptions/{item.pk}/").content.decode()
    assert "Raise the issue" in page
    response = client.post(
        f"/raid/assumptions/{item.pk}/raise-issue/", {"severity": "critical", "priority": "1"}
    )
    raised = Issue.objects.get()
    assert response["Location"] == f"/raid/issues/{raised.pk}/"
    assert raised.severity == "critical"
    assert item.code in raised.description


def test_the_dependency_list_shows_plan_dates_and_flags_at_risk(
    client: Client, world: World
) -> None:
    theirs, _ours, link = cross_link(world)
    raid.dependency_create(
        actor=world.admin,
        project=world.project,
        title="API in time",
        plan_dependency=link,
        needed_by=theirs.finish.date() - dt.timedelta(days=2),
    )
    raid.dependency_create(
        actor=world.admin,
        project=world.project,
        title="Stock feed",
        other_project=world.other_project,
    )
    client.force_login(world.portfolio_manager)
    body = client.get(_project(world, "dependencies/")).content.decode()
    assert "API in time" in body
    assert 'data-testid="plan-at-risk"' in body
    assert theirs.finish.strftime("%m/%d/%Y") in body or str(theirs.finish.day) in body
    assert "HR — HR self-service" in body
    assert "A project you cannot see" in body
    assert "WMS" not in body
    rows = _rows(client.get(_project(world, "dependencies/"), {"format": "xlsx"}))
    by_code = {row["Code"]: row for row in rows}
    assert by_code["D-001"]["At risk in the plan"] == "Yes"
    assert by_code["D-001"]["Predecessor finishes"] == theirs.finish
    assert by_code["D-002"]["With"] == "A project you cannot see"


def test_importing_the_plan_links_from_the_page(client: Client, world: World) -> None:
    _theirs, ours, link = cross_link(world)
    client.force_login(world.portfolio_manager)
    listing = client.get(_project(world, "dependencies/")).content.decode()
    assert "Import from the plan (one link)" in listing
    page = client.get(_project(world, "dependencies/import/")).content.decode()
    assert "Deliver the API" in page
    response = client.post(_project(world, "dependencies/import/"), {"links": [link.pk]})
    assert response.status_code == 302
    recorded = ProjectDependency.objects.get()
    assert recorded.plan_dependency == link
    assert recorded.task == ours
    listing = client.get(_project(world, "dependencies/")).content.decode()
    assert "Import from the plan" not in listing


def test_a_dependency_form_refuses_a_link_of_other_projects(client: Client, world: World) -> None:
    one = planning.task_create(actor=world.admin, project=world.sibling_project, name="One")
    two = planning.task_create(actor=world.admin, project=world.other_project, name="Two")
    foreign = planning.dependency_create(actor=world.admin, predecessor=two, successor=one)
    client.force_login(world.admin)
    response = client.post(
        _project(world, "dependencies/new/"),
        {"title": "X", "direction": "inbound", "plan_dependency": foreign.pk, "status": "open"},
    )
    assert response.status_code == 200
    assert ProjectDependency.objects.count() == 0
    assert "Select a valid choice" in response.content.decode()


def test_a_decision_page_shows_its_corrections(client: Client, world: World) -> None:
    item = decision(world)
    raid.decision_update(actor=world.admin, decision=item, rationale="Cheaper to run")
    client.force_login(world.viewer)
    body = client.get(f"/raid/decisions/{item.pk}/").content.decode()
    assert "Cheaper to run" in body
    assert "Steering committee" in body
    assert f"/raid/decisions/{item.pk}/edit/" not in body
    rows = _rows(client.get(_project(world, "decisions/"), {"format": "xlsx"}))
    assert rows[0]["Decided by"] == "Steering committee"
    assert rows[0]["Why"] == "Cheaper to run"


@pytest.mark.parametrize(
    ("kind", "add"),
    [
        ("issues", lambda w, n: issue(w, owner=w.project_manager, risk=make_risk(w, title=n))),
        ("assumptions", lambda w, n: assumption(w, owner=w.viewer)),
        ("dependencies", lambda w, n: dependency(w, owner=w.viewer)),
        ("decisions", lambda w, n: decision(w)),
    ],
)
def test_the_lists_make_the_same_number_of_queries_for_more_rows(
    client: Client,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    kind: str,
    add: Callable[[World, str], Any],
) -> None:
    client.force_login(world.project_manager)
    url = _project(world, f"{kind}/")
    for number in range(2):
        add(world, f"Risk {number}")
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for number in range(2, 10):
        add(world, f"Risk {number}")
    assert count_queries(lambda: client.get(url)) == few
