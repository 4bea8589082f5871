"""Portfolio pages: who may open them, and what they show and do."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pilotage.accounts.models import Membership, Role
from pilotage.core.audit import history_for
from pilotage.portfolio import services
from pilotage.portfolio.models import (
    HealthRag,
    Portfolio,
    Programme,
    Project,
    ProjectPhase,
    StrategicObjective,
)
from tests.access import Access, AccessMixin
from tests.factories import ProgrammeFactory, ProjectFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_PORTFOLIO = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
HIDDEN = ("outsider", "nobody")
MANAGERS = ("admin", "pmo", "portfolio_manager")


def _project_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "NEWP",
        "name": "New project",
        "portfolio": world.portfolio.pk,
        "programme": "",
        "description": "",
        "manager": "",
        "sponsor": "",
        "phase": "planning",
        "status": "active",
        "priority": "2",
        "start_date": "2026-02-01",
        "finish_date": "2026-09-30",
        "budget": "125000",
        "currency": "EUR",
        "health": "green",
        "health_reason": "",
        "tags": "cloud, finance",
    }
    data.update(overrides)
    return data


def _edit_data(project: Project, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": project.code,
        "name": project.name,
        "portfolio": project.portfolio_id,
        "programme": project.programme_id or "",
        "description": project.description,
        "manager": project.manager_id or "",
        "sponsor": project.sponsor_id or "",
        "phase": project.phase,
        "status": project.status,
        "priority": str(project.priority),
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "finish_date": project.finish_date.isoformat() if project.finish_date else "",
        "budget": str(project.budget),
        "currency": project.currency,
        "health": project.health,
        "health_reason": project.health_reason,
        "tags": "",
    }
    data.update(overrides)
    return data


class TestDashboardAndListAccess(AccessMixin):
    access = [
        Access("dashboard", "get", lambda w: reverse("portfolio:dashboard"), allowed=EVERYONE),
        Access(
            "project_list", "get", lambda w: reverse("portfolio:project_list"), allowed=EVERYONE
        ),
        Access(
            "project_csv",
            "get",
            lambda w: reverse("portfolio:project_list") + "?format=csv",
            allowed=EVERYONE,
        ),
        Access(
            "programme_list", "get", lambda w: reverse("portfolio:programme_list"), allowed=EVERYONE
        ),
        Access(
            "portfolio_list", "get", lambda w: reverse("portfolio:portfolio_list"), allowed=EVERYONE
        ),
        Access(
            "objective_list", "get", lambda w: reverse("portfolio:objective_list"), allowed=EVERYONE
        ),
    ]


class TestProjectPageAccess(AccessMixin):
    access = [
        Access(
            "detail",
            "get",
            lambda w: reverse("portfolio:project_detail", args=[w.project.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "members",
            "get",
            lambda w: reverse("portfolio:project_members", args=[w.project.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "history",
            "get",
            lambda w: reverse("portfolio:project_history", args=[w.project.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "get",
            lambda w: reverse("portfolio:project_update", args=[w.project.pk]),
            allowed=(*MANAGERS, "project_manager"),
            forbidden=("viewer",),
            hidden=HIDDEN,
        ),
        Access(
            "edit_post",
            "post",
            lambda w: reverse("portfolio:project_update", args=[w.project.pk]),
            data=lambda w: _edit_data(w.project, name="Renamed CRM"),
            allowed=(*MANAGERS, "project_manager"),
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "delete",
            "get",
            lambda w: reverse("portfolio:project_delete", args=[w.project.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "delete_post",
            "post",
            lambda w: reverse("portfolio:project_delete", args=[w.sibling_project.pk]),
            allowed=MANAGERS,
            forbidden=("viewer",),
            hidden=("project_manager", *HIDDEN),
            ok=(302,),
        ),
        Access(
            "create",
            "get",
            lambda w: reverse("portfolio:project_create"),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
        ),
        Access(
            "create_post",
            "post",
            lambda w: reverse("portfolio:project_create"),
            data=_project_data,
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
            ok=(302,),
        ),
        Access(
            "add_member",
            "post",
            lambda w: reverse("portfolio:project_members", args=[w.project.pk]),
            data=lambda w: {"user": w.nobody.pk, "role": Role.TEAM_MEMBER},
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


class TestProgrammePageAccess(AccessMixin):
    access = [
        Access(
            "detail",
            "get",
            lambda w: reverse("portfolio:programme_detail", args=[w.programme.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "members",
            "get",
            lambda w: reverse("portfolio:programme_members", args=[w.programme.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "history",
            "get",
            lambda w: reverse("portfolio:programme_history", args=[w.programme.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "get",
            lambda w: reverse("portfolio:programme_update", args=[w.programme.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "delete",
            "get",
            lambda w: reverse("portfolio:programme_delete", args=[w.programme.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "create",
            "get",
            lambda w: reverse("portfolio:programme_create"),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
        ),
        Access(
            "create_post",
            "post",
            lambda w: reverse("portfolio:programme_create"),
            data=lambda w: {"portfolio": w.portfolio.pk, "code": "PGX", "name": "Cloud"},
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
            ok=(302,),
        ),
    ]


class TestPortfolioPageAccess(AccessMixin):
    access = [
        Access(
            "detail",
            "get",
            lambda w: reverse("portfolio:portfolio_detail", args=[w.portfolio.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "members",
            "get",
            lambda w: reverse("portfolio:portfolio_members", args=[w.portfolio.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "history",
            "get",
            lambda w: reverse("portfolio:portfolio_history", args=[w.portfolio.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "get",
            lambda w: reverse("portfolio:portfolio_update", args=[w.portfolio.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "delete",
            "get",
            lambda w: reverse("portfolio:portfolio_delete", args=[w.portfolio.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "create",
            "get",
            lambda w: reverse("portfolio:portfolio_create"),
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider", "nobody"),
        ),
        Access(
            "create_post",
            "post",
            lambda w: reverse("portfolio:portfolio_create"),
            data=lambda w: {"code": "NEWPF", "name": "Growth", "currency": "EUR"},
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "viewer", "nobody"),
            ok=(302,),
        ),
    ]


class TestObjectivePageAccess(AccessMixin):
    access = [
        Access(
            "company_detail",
            "get",
            lambda w: reverse("portfolio:objective_detail", args=[w.objective.pk]),
            allowed=(*SEES_PORTFOLIO, "outsider"),
            hidden=("nobody",),
        ),
        Access(
            "detail",
            "get",
            lambda w: reverse("portfolio:objective_detail", args=[w.portfolio_objective.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "history",
            "get",
            lambda w: reverse("portfolio:objective_history", args=[w.portfolio_objective.pk]),
            allowed=SEES_PORTFOLIO,
            hidden=HIDDEN,
        ),
        Access(
            "edit",
            "get",
            lambda w: reverse("portfolio:objective_update", args=[w.portfolio_objective.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "company_edit",
            "get",
            lambda w: reverse("portfolio:objective_update", args=[w.objective.pk]),
            allowed=("admin", "pmo"),
            forbidden=("portfolio_manager", "project_manager", "viewer", "outsider"),
            hidden=("nobody",),
        ),
        Access(
            "delete",
            "get",
            lambda w: reverse("portfolio:objective_delete", args=[w.portfolio_objective.pk]),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "create",
            "get",
            lambda w: reverse("portfolio:objective_create"),
            allowed=MANAGERS,
            forbidden=("project_manager", "viewer", "outsider", "nobody"),
        ),
    ]


# Project list -------------------------------------------------------------------------------


def _codes(response: object) -> list[str]:
    return [project.code for project in response.context["page"]]  # type: ignore[attr-defined]


@pytest.fixture
def pmo_client(client: Client, world: World) -> Client:
    client.force_login(world.pmo)
    return client


@pytest.fixture
def listed(world: World) -> World:
    """Projects with distinct values for every filter."""
    world.project.phase, world.project.health, world.project.budget = "execution", "red", 900
    world.project.save()
    world.sibling_project.phase, world.sibling_project.health = "planning", "amber"
    world.sibling_project.budget = 50
    world.sibling_project.save()
    services.project_update(actor=world.pmo, project=world.sibling_project, tags=["regulatory"])
    return world


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["CRM", "HR", "WMS"]),
        ({"q": "crm"}, ["CRM"]),
        ({"q": "warehouse"}, ["WMS"]),
        ({"phase": "planning"}, ["HR"]),
        ({"health": "red"}, ["CRM"]),
        ({"tag": "regulatory"}, ["HR"]),
        ({"sort": "-code"}, ["WMS", "HR", "CRM"]),
        ({"sort": "budget"}, ["HR", "CRM", "WMS"]),
        ({"sort": "-budget"}, ["WMS", "CRM", "HR"]),
        ({"sort": "nonsense"}, ["CRM", "HR", "WMS"]),
        ({"portfolio": "not-a-number"}, ["CRM", "HR", "WMS"]),
    ],
)
def test_project_list_filters_search_and_sorts(
    pmo_client: Client, listed: World, params: dict[str, str], expected: list[str]
) -> None:
    response = pmo_client.get(reverse("portfolio:project_list"), params)
    assert _codes(response) == expected


def test_project_list_filters_by_portfolio_programme_and_manager(
    pmo_client: Client, world: World
) -> None:
    world.other_project.manager = world.viewer
    world.other_project.save()
    url = reverse("portfolio:project_list")
    assert _codes(pmo_client.get(url, {"portfolio": world.other_portfolio.pk})) == ["WMS"]
    assert _codes(pmo_client.get(url, {"programme": world.programme.pk})) == ["CRM"]
    assert _codes(pmo_client.get(url, {"manager": world.viewer.pk})) == ["WMS"]


def test_project_list_does_not_filter_on_a_portfolio_the_user_cannot_see(
    client: Client, world: World
) -> None:
    client.force_login(world.viewer)
    response = client.get(
        reverse("portfolio:project_list"), {"portfolio": world.other_portfolio.pk}
    )
    assert _codes(response) == ["CRM", "HR"]


def test_project_list_paginates_with_a_choice_of_page_size(
    pmo_client: Client, world: World
) -> None:
    for number in range(30):
        ProjectFactory(portfolio=world.portfolio, code=f"P{number:03d}")
    url = reverse("portfolio:project_list")
    first = pmo_client.get(url)
    assert len(first.context["page"]) == 25
    assert "1–25 of 33" in first.content.decode()
    second = pmo_client.get(url, {"page": 2})
    assert _codes(second)[-1] == "WMS"
    assert "26–33 of 33" in second.content.decode()
    assert len(pmo_client.get(url, {"per_page": 50}).context["page"]) == 33
    assert len(pmo_client.get(url, {"per_page": 7}).context["page"]) == 25


def test_sort_header_links_reverse_the_current_order(pmo_client: Client, world: World) -> None:
    html = pmo_client.get(reverse("portfolio:project_list"), {"sort": "name"}).content.decode()
    assert "?sort=-name" in html
    assert "?sort=code" in html


def test_htmx_request_gets_only_the_table(pmo_client: Client, world: World) -> None:
    url = reverse("portfolio:project_list")
    response = pmo_client.get(url, {"q": "crm"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "New CRM" in html
    assert "<html" not in html
    assert 'id="project-filters"' not in html
    assert "HX-Request" in response["Vary"]
    full = pmo_client.get(url, {"q": "crm"}).content.decode()
    assert "<html" in full
    assert 'id="project-results"' in full


def test_project_csv_export_has_the_filtered_rows(pmo_client: Client, listed: World) -> None:
    world = listed
    world.project.manager = world.project_manager
    world.project.name = "Nouveau CRM été"
    world.project.save()
    response = pmo_client.get(
        reverse("portfolio:project_list"), {"format": "csv", "portfolio": world.portfolio.pk}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Code", "Name", "Portfolio", "Programme"]
    assert "Budget" in rows[0]
    assert "Currency" in rows[0]
    assert [row[0] for row in rows[1:]] == ["CRM", "HR"]
    crm = dict(zip(rows[0], rows[1], strict=True))
    assert crm["Name"] == "Nouveau CRM été"
    assert crm["Programme"] == "Digital workplace"
    assert crm["Project manager"] == str(world.project_manager)
    assert crm["Phase"] == "Execution"
    assert crm["Health"] == "Red"
    assert crm["Budget"] == "900.00"
    assert crm["Currency"] == "EUR"
    assert crm["Finish"] == "2026-12-18"


def test_nobody_sees_no_projects_and_outsider_only_theirs(client: Client, world: World) -> None:
    client.force_login(world.nobody)
    assert _codes(client.get(reverse("portfolio:project_list"))) == []
    client.force_login(world.outsider)
    assert _codes(client.get(reverse("portfolio:project_list"))) == ["WMS"]


def _more_projects(world: World, count: int) -> None:
    programme = ProgrammeFactory(portfolio=world.portfolio)
    for number in range(count):
        project = ProjectFactory(
            portfolio=world.portfolio,
            programme=programme if number % 2 else None,
            manager=UserFactory(),
        )
        services.project_update(actor=world.pmo, project=project, tags=[f"t{number}", "shared"])


@pytest.mark.parametrize(
    "url",
    [
        "/projects/",
        "/projects/?format=csv",
        "/programmes/",
        "/portfolios/",
        "/objectives/",
        "/",
    ],
)
def test_list_pages_run_a_constant_number_of_queries(
    client: Client, world: World, count_queries: object, url: str
) -> None:
    client.force_login(world.pmo)

    def fetch() -> None:
        response = client.get(url)
        assert response.status_code == 200
        if url.endswith("csv"):
            b"".join(response.streaming_content)

    _more_projects(world, 3)
    few = count_queries(fetch)  # type: ignore[operator]
    _more_projects(world, 12)
    many = count_queries(fetch)  # type: ignore[operator]
    assert few == many


def test_detail_pages_run_a_constant_number_of_queries(
    client: Client, world: World, count_queries: object
) -> None:
    client.force_login(world.pmo)
    urls = [
        reverse("portfolio:portfolio_detail", args=[world.portfolio.pk]),
        reverse("portfolio:programme_detail", args=[world.programme.pk]),
        reverse("portfolio:objective_detail", args=[world.objective.pk]),
    ]
    for project in Project.objects.all():
        project.objectives.add(world.objective)

    def fetch() -> None:
        for url in urls:
            assert client.get(url).status_code == 200

    few = count_queries(fetch)  # type: ignore[operator]
    for number in range(6):
        project = ProjectFactory(
            portfolio=world.portfolio,
            programme=world.programme,
            code=f"Q{number}",
            manager=UserFactory(),
        )
        project.objectives.add(world.objective)
    assert count_queries(fetch) == few  # type: ignore[operator]


# Dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_counts_budget_and_tables(client: Client, world: World) -> None:
    today = timezone.localdate()
    world.project.health, world.project.health_reason = "red", "Supplier two months late"
    world.project.finish_date = today + dt.timedelta(days=20)
    world.project.budget = Decimal("1250000")
    world.project.save()
    world.sibling_project.health = "amber"
    world.sibling_project.save()
    client.force_login(world.viewer)
    response = client.get(reverse("portfolio:dashboard"))
    summary = response.context["summary"]
    assert summary.project_count == 2
    assert response.context["red_count"] == 1
    assert response.context["amber_count"] == 1
    html = response.content.decode()
    assert "Supplier two months late" in html
    assert "Upcoming finishes" in html
    assert 'id="dashboard-data"' in html
    assert "vendor/plotly.min.js" in html
    assert "pilotage/charts.js" in html
    data = response.context["chart_data"]
    assert data["health"]["keys"] == ["green", "amber", "red"]
    assert data["health"]["values"] == [0, 1, 1]
    assert sum(data["phase"]["values"]) == 2
    assert data["separators"] == ".,"


def test_dashboard_filters_on_a_portfolio(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    response = client.get(reverse("portfolio:dashboard"), {"portfolio": world.other_portfolio.pk})
    assert response.context["summary"].project_count == 1


def test_empty_dashboard_shows_an_empty_state_without_charts(client: Client, world: World) -> None:
    client.force_login(world.nobody)
    html = client.get(reverse("portfolio:dashboard")).content.decode()
    assert "No projects to show yet" in html
    assert "data-chart" not in html
    assert "plotly.min.js" not in html


def test_dashboard_numbers_follow_the_french_locale(client: Client, world: World) -> None:
    world.project.budget = Decimal("1234567.50")
    world.project.save()
    world.pmo.language = "fr"
    world.pmo.save()
    client.force_login(world.pmo)
    response = client.get(reverse("portfolio:dashboard"))
    assert response.context["chart_data"]["separators"] == ",\xa0"


# Project page and forms ---------------------------------------------------------------------


def test_project_page_shows_all_fields_and_members(client: Client, world: World) -> None:
    services.project_update(
        actor=world.pmo,
        project=world.project,
        health="amber",
        health_reason="Vendor slipping",
        tags=["crm", "sales"],
        objectives=[world.objective],
        manager=world.project_manager,
    )
    client.force_login(world.viewer)
    html = client.get(reverse("portfolio:project_detail", args=[world.project.pk])).content.decode()
    for text in (
        "New CRM",
        "Corporate change",
        "Digital workplace",
        "Vendor slipping",
        "Grow revenue",
        "sales",
        str(world.project_manager),
        "Project manager",
    ):
        assert text in html, text


def test_edit_and_delete_buttons_only_for_allowed_users(client: Client, world: World) -> None:
    url = reverse("portfolio:project_detail", args=[world.project.pk])
    edit = reverse("portfolio:project_update", args=[world.project.pk])
    delete = reverse("portfolio:project_delete", args=[world.project.pk])
    client.force_login(world.viewer)
    html = client.get(url).content.decode()
    assert edit not in html
    assert delete not in html
    client.force_login(world.project_manager)
    html = client.get(url).content.decode()
    assert edit in html
    assert delete not in html
    client.force_login(world.portfolio_manager)
    html = client.get(url).content.decode()
    assert edit in html
    assert delete in html


def test_create_project_saves_through_the_service(pmo_client: Client, world: World) -> None:
    response = pmo_client.post(
        reverse("portfolio:project_create"),
        _project_data(world, programme=world.programme.pk, objectives=[world.objective.pk]),
    )
    project = Project.objects.get(code="NEWP")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.programme == world.programme
    assert sorted(t.name for t in project.tags.all()) == ["cloud", "finance"]
    assert list(project.objectives.all()) == [world.objective]
    assert history_for(project).get().actor == world.pmo


def test_create_form_offers_only_portfolios_where_the_user_may_create(
    client: Client, world: World
) -> None:
    client.force_login(world.portfolio_manager)
    form = client.get(reverse("portfolio:project_create")).context["form"]
    assert list(form.fields["portfolio"].queryset) == [world.portfolio]
    response = client.post(
        reverse("portfolio:project_create"),
        _project_data(world, portfolio=world.other_portfolio.pk),
    )
    assert response.status_code == 200
    assert "portfolio" in response.context["form"].errors
    assert not Project.objects.filter(code="NEWP").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_date": "2026-05-01", "finish_date": "2026-04-01"},
            "finish_date",
            "The finish date cannot be before the start date.",
        ),
        ({"budget": "-10"}, "budget", "greater than or equal to 0"),
        ({"code": "HR"}, "code", "Project with this Code already exists."),
        ({"code": "has space"}, "code", "Use letters, digits"),
        ({"name": ""}, "name", "This field is required."),
        ({"finish_date": "31/02/2026"}, "finish_date", "Enter a valid date."),
    ],
)
def test_edit_form_shows_clear_errors_and_saves_nothing(
    pmo_client: Client, world: World, overrides: dict[str, str], field: str | None, message: str
) -> None:
    url = reverse("portfolio:project_update", args=[world.project.pk])
    data = _edit_data(world.project, description="Should not stick")
    data.update(overrides)
    response = pmo_client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.non_field_errors() if field is None else form.errors[field]
    assert any(message in error for error in errors), errors
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    world.project.refresh_from_db()
    assert world.project.name == "New CRM"
    assert world.project.description == ""
    assert not history_for(world.project).exists()


def test_every_problem_of_a_form_is_shown_at_once(pmo_client: Client, world: World) -> None:
    data = _edit_data(
        world.project,
        name="",
        code="has space",
        budget="-5",
        start_date="2026-05-01",
        finish_date="2026-04-01",
    )
    response = pmo_client.post(reverse("portfolio:project_update", args=[world.project.pk]), data)
    errors = response.context["form"].errors
    assert set(errors) == {"name", "code", "budget", "finish_date"}
    assert "finish date cannot be before the start date" in errors["finish_date"][0]
    world.project.refresh_from_db()
    assert world.project.code == "CRM"


def test_error_summary_names_the_field(pmo_client: Client, world: World) -> None:
    url = reverse("portfolio:project_update", args=[world.project.pk])
    html = pmo_client.post(url, _edit_data(world.project, budget="-5")).content.decode()
    assert ">Budget</a>:" in html


def test_programme_of_another_portfolio_is_refused(pmo_client: Client, world: World) -> None:
    foreign = ProgrammeFactory(portfolio=world.other_portfolio, name="Logistics")
    response = pmo_client.post(
        reverse("portfolio:project_create"), _project_data(world, programme=foreign.pk)
    )
    assert "belongs to another portfolio" in str(response.context["form"].errors["programme"])
    assert not Project.objects.filter(code="NEWP").exists()


def test_edited_name_appears_in_the_history_tab(pmo_client: Client, world: World) -> None:
    url = reverse("portfolio:project_update", args=[world.project.pk])
    response = pmo_client.post(url, _edit_data(world.project, name="CRM replacement"))
    assert response.status_code == 302
    history = pmo_client.get(reverse("portfolio:project_history", args=[world.project.pk]))
    html = history.content.decode()
    assert "New CRM" in html
    assert "CRM replacement" in html
    row = history.context["history_page"][0]
    assert row.who == str(world.pmo)
    assert row.action_label == "Updated"
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("Name", "New CRM", "CRM replacement")
    ]


def test_history_shows_labels_and_choice_and_relation_text(
    pmo_client: Client, world: World
) -> None:
    services.project_update(
        actor=world.pmo,
        project=world.project,
        phase=ProjectPhase.EXECUTION,
        health=HealthRag.RED,
        manager=world.viewer,
        budget=Decimal("1234.5"),
    )
    response = pmo_client.get(reverse("portfolio:project_history", args=[world.project.pk]))
    changes = {c.label: (c.old, c.new) for c in response.context["history_page"][0].changes}
    assert changes["Phase"] == ("Proposal", "Execution")
    assert changes["Health"] == ("Green", "Red")
    assert changes["Project manager"] == ("", str(world.viewer))
    assert changes["Budget"] == ("100,000.00", "1,234.50")


def test_history_is_newest_first_and_paginated(pmo_client: Client, world: World) -> None:
    for number in range(25):
        services.project_update(actor=world.pmo, project=world.project, name=f"Name {number}")
    url = reverse("portfolio:project_history", args=[world.project.pk])
    first = pmo_client.get(url).context["history_page"]
    assert first[0].changes[0].new == "Name 24"
    assert len(first) == 20
    second = pmo_client.get(url, {"page": 2}).context["history_page"]
    assert second[-1].changes[0].new == "Name 0"


def test_history_as_of_shows_the_recorded_state_of_that_day(
    pmo_client: Client, world: World
) -> None:
    project = services.project_create(
        actor=world.pmo, portfolio=world.portfolio, code="ASOF", name="First name"
    )
    created = history_for(project).get()
    created.occurred_at = timezone.now() - dt.timedelta(days=10)
    created.save()
    services.project_update(
        actor=world.pmo, project=project, name="Second name", health=HealthRag.AMBER
    )
    url = reverse("portfolio:project_history", args=[project.pk])
    day = timezone.localdate() - dt.timedelta(days=5)
    response = pmo_client.get(url, {"as_of": day.isoformat()})
    state = {row.label: row.new for row in response.context["as_of_state"]}
    assert state["Name"] == "First name"
    assert state["Health"] == "Green"
    assert state["Portfolio"] == "Corporate change"
    before = pmo_client.get(url, {"as_of": (day - dt.timedelta(days=30)).isoformat()})
    assert before.context["as_of_state"] is None
    assert "did not exist yet" in before.content.decode()
    today = pmo_client.get(url, {"as_of": timezone.localdate().isoformat()})
    assert {r.label: r.new for r in today.context["as_of_state"]}["Name"] == "Second name"
    bad = pmo_client.get(url, {"as_of": "yesterday"})
    assert bad.status_code == 200
    assert "Enter a valid date." in bad.content.decode()


def test_delete_asks_for_confirmation_then_deletes(pmo_client: Client, world: World) -> None:
    url = reverse("portfolio:project_delete", args=[world.sibling_project.pk])
    assert "HR self-service" in pmo_client.get(url).content.decode()
    assert Project.objects.filter(pk=world.sibling_project.pk).exists()
    response = pmo_client.post(url)
    assert response["Location"] == reverse("portfolio:project_list")
    assert not Project.objects.filter(pk=world.sibling_project.pk).exists()


def test_deleting_a_programme_with_projects_explains_why_not(
    pmo_client: Client, world: World
) -> None:
    response = pmo_client.post(reverse("portfolio:programme_delete", args=[world.programme.pk]))
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Programme.objects.filter(pk=world.programme.pk).exists()


def test_members_tab_adds_and_removes_a_role(client: Client, world: World) -> None:
    client.force_login(world.portfolio_manager)
    url = reverse("portfolio:project_members", args=[world.project.pk])
    response = client.post(url, {"user": world.nobody.pk, "role": Role.TEAM_MEMBER})
    assert response["Location"] == url
    membership = Membership.objects.get(user=world.nobody, project=world.project)
    html = client.get(url).content.decode()
    assert str(world.nobody) in html
    assert reverse("accounts:membership_delete", args=[membership.pk]) in html
    duplicate = client.post(url, {"user": world.nobody.pk, "role": Role.TEAM_MEMBER})
    assert "already holds this role" in duplicate.content.decode()
    removed = client.post(
        reverse("accounts:membership_delete", args=[membership.pk]), {"next": url}
    )
    assert removed["Location"] == url
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_members_tab_hides_the_form_from_those_who_cannot_manage(
    client: Client, world: World
) -> None:
    client.force_login(world.project_manager)
    response = client.get(reverse("portfolio:project_members", args=[world.project.pk]))
    assert response.context["form"] is None
    assert "Add a member" not in response.content.decode()


# Programmes, portfolios, objectives ---------------------------------------------------------


def test_programme_pages_list_projects_and_save(pmo_client: Client, world: World) -> None:
    html = pmo_client.get(
        reverse("portfolio:programme_detail", args=[world.programme.pk])
    ).content.decode()
    assert "New CRM" in html
    assert "HR self-service" not in html
    listing = pmo_client.get(reverse("portfolio:programme_list"))
    assert [p.code for p in listing.context["page"]] == ["DIGI"]
    assert listing.context["page"][0].project_count == 1
    response = pmo_client.post(
        reverse("portfolio:programme_update", args=[world.programme.pk]),
        {"portfolio": world.portfolio.pk, "code": "DIGI", "name": "Digital workplace 2"},
    )
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "Digital workplace 2"


def test_portfolio_pages_show_programmes_projects_and_members(
    pmo_client: Client, world: World
) -> None:
    response = pmo_client.get(reverse("portfolio:portfolio_detail", args=[world.portfolio.pk]))
    html = response.content.decode()
    for text in ("Digital workplace", "New CRM", "HR self-service", str(world.viewer)):
        assert text in html, text
    assert "Warehouse system" not in html
    created = pmo_client.post(
        reverse("portfolio:portfolio_create"),
        {"code": "GRW", "name": "Growth", "currency": "USD"},
    )
    portfolio = Portfolio.objects.get(code="GRW")
    assert created["Location"] == portfolio.get_absolute_url()
    duplicate = pmo_client.post(
        reverse("portfolio:portfolio_create"), {"code": "GRW", "name": "Again", "currency": "EUR"}
    )
    assert "already exists" in str(duplicate.context["form"].errors["code"])


def test_objective_pages_list_contributing_projects_and_save(
    pmo_client: Client, world: World
) -> None:
    world.project.objectives.add(world.objective)
    html = pmo_client.get(
        reverse("portfolio:objective_detail", args=[world.objective.pk])
    ).content.decode()
    assert "New CRM" in html
    assert "HR self-service" not in html
    response = pmo_client.post(
        reverse("portfolio:objective_create"),
        {"code": "SAFE", "name": "Safety first", "weight": "3", "portfolio": "", "is_active": "on"},
    )
    objective = StrategicObjective.objects.get(code="SAFE")
    assert response["Location"] == objective.get_absolute_url()
    assert objective.portfolio is None
    refused = pmo_client.post(
        reverse("portfolio:objective_create"),
        {"code": "ZERO", "name": "Zero", "weight": "0", "portfolio": ""},
    )
    assert "weight" in refused.context["form"].errors
    assert not StrategicObjective.objects.filter(code="ZERO").exists()


def test_portfolio_manager_must_pick_a_portfolio_for_an_objective(
    client: Client, world: World
) -> None:
    client.force_login(world.portfolio_manager)
    response = client.post(
        reverse("portfolio:objective_create"), {"code": "NOPE", "name": "Nope", "weight": "1"}
    )
    assert "portfolio" in response.context["form"].errors
    assert not StrategicObjective.objects.filter(code="NOPE").exists()


def test_unknown_ids_give_the_404_page(pmo_client: Client, world: World) -> None:
    response = pmo_client.get(reverse("portfolio:project_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_forbidden_pages_use_the_403_page(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.get(reverse("portfolio:project_update", args=[world.project.pk]))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_programme_list_totals_budgets_per_currency(pmo_client: Client, world: World) -> None:
    ProjectFactory(
        portfolio=world.portfolio, programme=world.programme, budget=Decimal("2500"), currency="GBP"
    )
    ProjectFactory(
        portfolio=world.portfolio, programme=world.programme, budget=Decimal("1000"), currency="EUR"
    )
    response = pmo_client.get(reverse("portfolio:programme_list"))
    row = next(p for p in response.context["page"] if p.pk == world.programme.pk)
    assert row.budgets == [("EUR", Decimal("101000.00")), ("GBP", Decimal("2500.00"))]
    html = response.content.decode()
    assert "101,000\u00a0EUR" in html
    assert "2,500\u00a0GBP" in html
