"""The resource pages: the list, a resource's page, the organisation, the capacity heat map and
its cells, a project's role demand and a task's assignments; who may open them and what they
show and do."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from pilotage.planning import services as planning_services
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources import services
from pilotage.resources.models import (
    Assignment,
    Department,
    JobRole,
    NonProjectLoad,
    Resource,
    ResourceCapacity,
    ResourceRate,
    ResourceSkill,
    RoleDemand,
    Skill,
    Team,
)
from tests.access import Access, AccessMixin
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 3, 1)  # ISO week 9 of 2027
FOUR_WEEKS = {"start": "2027-03-01", "finish": "2027-03-28", "period": "week"}
EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
ORGANISATION = ("admin", "pmo")
NOT_ORGANISATION = ("portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
CHANGES_PROJECT = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN = ("outsider", "nobody")
NEW_RESOURCE = {
    "kind": "work",
    "max_units": "1",
    "standard_rate_unit": "h",
    "overtime_rate_unit": "h",
    "is_active": "on",
}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


# The objects the pages show, made through the services the first time a test needs them.


def _role(world: World, name: str = "Analyst") -> JobRole:
    found = JobRole.objects.filter(name=name).first()
    if found is None:
        found = services.organisation_item_create(actor=world.admin, model=JobRole, name=name)
    assert isinstance(found, JobRole)
    return found


def _department(world: World, name: str = "IT") -> Department:
    found = Department.objects.filter(name=name).first()
    if found is None:
        found = services.organisation_item_create(actor=world.admin, model=Department, name=name)
    assert isinstance(found, Department)
    return found


def _skill(world: World, name: str = "Python") -> Skill:
    found = Skill.objects.filter(name=name).first()
    if found is None:
        found = services.organisation_item_create(actor=world.admin, model=Skill, name=name)
    assert isinstance(found, Skill)
    return found


def alice(world: World) -> Resource:
    found = Resource.objects.filter(name="Alice Martin").first()
    return found or services.resource_create(
        actor=world.admin,
        name="Alice Martin",
        role=_role(world),
        department=_department(world),
    )


def _plan_start(world: World, project: Project) -> None:
    planning_services.plan_update(
        actor=world.admin, project=project, start=dt.datetime.combine(MONDAY, dt.time(8))
    )


def _task(world: World, project: Project, name: str, days: int = 10) -> Task:
    found = Task.objects.filter(project=project, name=name).first()
    if found is not None:
        return found
    _plan_start(world, project)
    return planning_services.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=days * 480
    )


def crm_task(world: World) -> Task:
    return _task(world, world.project, "Design the data model")


def overbooked(world: World) -> tuple[Task, Task]:
    """Alice full time on a CRM task and at 60 % on an HR task, the same two weeks."""
    person = alice(world)
    crm = crm_task(world)
    hr = _task(world, world.sibling_project, "Write the specifications")
    if not Assignment.objects.filter(resource=person).exists():
        services.assignment_create(actor=world.admin, task=crm, resource=person)
        services.assignment_create(
            actor=world.admin, task=hr, resource=person, units=Decimal("0.6")
        )
    return crm, hr


def assignment(world: World) -> Assignment:
    crm, _hr = overbooked(world)
    return Assignment.objects.get(task=crm)


def capacity_step(world: World) -> ResourceCapacity:
    return services.capacity_set(
        actor=world.admin, resource=alice(world), effective_from=MONDAY, units=Decimal("0.8")
    )


def rate(world: World) -> ResourceRate:
    return services.rate_set(
        actor=world.admin,
        resource=alice(world),
        effective_from=MONDAY,
        standard_rate=Decimal(90),
    )


def load(world: World) -> NonProjectLoad:
    return services.non_project_load_create(
        actor=world.admin, resource=alice(world), name="Support", units=Decimal("0.2"), start=MONDAY
    )


def held_skill(world: World) -> ResourceSkill:
    return services.resource_skill_set(
        actor=world.admin, resource=alice(world), skill=_skill(world)
    )


def _cell_query(world: World, key: str = "", index: int = 0) -> str:
    key = key or f"resource-{alice(world).pk}"
    query = "&".join(f"{name}={value}" for name, value in FOUR_WEEKS.items())
    return f"/capacity/cell/?{query}&key={key}&index={index}"


class TestAccess(AccessMixin):
    access = [
        Access("resource list", "get", lambda w: "/resources/", allowed=EVERYONE),
        Access(
            "new resource page",
            "get",
            lambda w: "/resources/new/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
        ),
        Access(
            "create a resource",
            "post",
            lambda w: "/resources/new/",
            data=lambda w: {"name": "Bob", **NEW_RESOURCE},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "resource page",
            "get",
            lambda w: f"/resources/{alice(w).pk}/",
            allowed=EVERYONE,
        ),
        Access(
            "histogram",
            "get",
            lambda w: f"/resources/{alice(w).pk}/histogram/",
            allowed=EVERYONE,
            ok=(302,),
        ),
        Access(
            "edit a resource",
            "get",
            lambda w: f"/resources/{alice(w).pk}/edit/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
        ),
        Access(
            "delete a resource",
            "post",
            lambda w: f"/resources/{alice(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "set a capacity",
            "post",
            lambda w: f"/resources/{alice(w).pk}/capacity/",
            data=lambda w: {"effective_from": "2027-04-01", "units": "0.5"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "remove a capacity",
            "post",
            lambda w: f"/resources/{alice(w).pk}/capacity/{capacity_step(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "add rates",
            "post",
            lambda w: f"/resources/{alice(w).pk}/rates/",
            data=lambda w: {
                "effective_from": "2027-04-01",
                "standard_rate": "95",
                "standard_rate_unit": "h",
            },
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "remove rates",
            "post",
            lambda w: f"/resources/{alice(w).pk}/rates/{rate(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "add business as usual",
            "post",
            lambda w: f"/resources/{alice(w).pk}/loads/",
            data=lambda w: {"name": "Support", "units": "0.1", "start": "2027-03-01"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "remove business as usual",
            "post",
            lambda w: f"/resources/{alice(w).pk}/loads/{load(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "set a skill",
            "post",
            lambda w: f"/resources/{alice(w).pk}/skills/",
            data=lambda w: {"skill": _skill(w).pk, "level": "3"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "remove a skill",
            "post",
            lambda w: f"/resources/{alice(w).pk}/skills/{held_skill(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access("organisation", "get", lambda w: "/resources/organisation/", allowed=EVERYONE),
        Access(
            "add a department",
            "post",
            lambda w: "/resources/organisation/department/new/",
            data=lambda w: {"name": "Finance"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access(
            "edit a role",
            "get",
            lambda w: f"/resources/organisation/role/{_role(w).pk}/edit/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
        ),
        Access(
            "delete a skill",
            "post",
            lambda w: f"/resources/organisation/skill/{_skill(w).pk}/delete/",
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
            ok=(302,),
        ),
        Access("heat map", "get", lambda w: "/capacity/", allowed=EVERYONE),
        Access(
            "heat map cell",
            "get",
            lambda w: (overbooked(w), _cell_query(w))[1],
            allowed=EVERYONE,
        ),
        Access(
            "role demand",
            "get",
            lambda w: f"/projects/{w.project.pk}/demand/",
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "save role demand",
            "post",
            lambda w: f"/projects/{w.project.pk}/demand/",
            data=lambda w: {f"d-{_role(w).pk}-2027-03": "1.5"},
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "task assignments",
            "get",
            lambda w: f"/tasks/{crm_task(w).pk}/assignments/",
            allowed=SEES_PROJECT,
            hidden=HIDDEN,
        ),
        Access(
            "assign a resource",
            "post",
            lambda w: f"/tasks/{crm_task(w).pk}/assignments/",
            data=lambda w: {"resource": alice(w).pk, "units": "50"},
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "change units",
            "post",
            lambda w: f"/assignments/{assignment(w).pk}/",
            data=lambda w: {"units": "80"},
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
        Access(
            "remove an assignment",
            "post",
            lambda w: f"/assignments/{assignment(w).pk}/delete/",
            allowed=CHANGES_PROJECT,
            forbidden=("viewer",),
            hidden=HIDDEN,
            ok=(302,),
        ),
    ]


# The heat map -----------------------------------------------------------------------------------


def _capacity_page(client: Client, **params: str) -> str:
    response = client.get("/capacity/", {**FOUR_WEEKS, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_heat_map_shows_an_over_allocation_and_its_conflict(
    client: Client, world: World
) -> None:
    overbooked(world)
    client.force_login(world.pmo)
    page = _capacity_page(client)
    assert "1 over-allocated cell" not in page
    assert "2 over-allocated cells" in page
    assert (
        "Alice Martin is at 160 % in week 9 of 2027: "
        "New CRM, Design the data model 100 %; HR self-service, Write the specifications 60 %"
    ) in page
    start = page.index('id="capacity-data"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    row = data["keys"].index(f"resource-{alice(world).pk}")
    assert data["z"][row][:3] == [160, 160, 0]
    assert "64 h of 40 h" in data["hover"][row][0]
    assert data["urls"][row][0].startswith("/capacity/cell/?")


def test_the_table_of_the_figures_marks_the_over_allocated_cells(
    client: Client, world: World
) -> None:
    overbooked(world)
    client.force_login(world.viewer)
    page = _capacity_page(client)
    table = page[page.index('data-testid="heat-table"') :]
    assert table.count('data-over="1"') == 2
    assert "160 % !" in table
    assert "over-allocated" in table


def test_a_cell_lists_the_projects_and_tasks_behind_it(client: Client, world: World) -> None:
    crm, hr = overbooked(world)
    client.force_login(world.pmo)
    response = client.get(_cell_query(world, index=0), headers={"HX-Request": "true"})
    assert response.status_code == 200
    panel = response.content.decode()
    assert "<html" not in panel
    assert "Design the data model" in panel
    assert f"/tasks/{crm.pk}/" in panel
    assert "Write the specifications" in panel
    assert f"/tasks/{hr.pk}/" in panel
    assert "160 %" in panel
    assert "64 h of work for 40 h of capacity" in panel


def test_a_cell_names_only_the_projects_the_user_may_see(client: Client, world: World) -> None:
    overbooked(world)
    warehouse = _task(world, world.other_project, "Pick the racks")
    services.assignment_create(
        actor=world.admin, task=warehouse, resource=alice(world), units=Decimal("0.5")
    )
    client.force_login(world.viewer)
    panel = client.get(_cell_query(world, index=0)).content.decode()
    assert "Design the data model" in panel
    assert "Pick the racks" not in panel
    assert "Warehouse system" not in panel
    assert "other projects" in panel


def test_a_cell_that_does_not_exist_is_not_found(client: Client, world: World) -> None:
    overbooked(world)
    client.force_login(world.pmo)
    assert client.get(_cell_query(world, key="resource-999999")).status_code == 404
    assert client.get(_cell_query(world, index=40)).status_code == 404


def test_the_heat_map_groups_by_role(client: Client, world: World) -> None:
    overbooked(world)
    client.force_login(world.pmo)
    page = _capacity_page(client, group_by="role")
    assert "Analyst" in page
    assert "group by person to see them" in page


def test_the_heat_map_exports_its_matrix(client: Client, world: World) -> None:
    overbooked(world)
    client.force_login(world.pmo)
    response = client.get("/capacity/", {**FOUR_WEEKS, "format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    percent = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in percent.iter_rows()]
    assert rows[0][:3] == ["Row", "2027-W09", "2027-W10"]
    assert rows[1][0] == "Alice Martin"
    assert rows[1][1] == pytest.approx(1.6)
    load_sheet = workbook.worksheets[1]
    assert load_sheet.cell(row=2, column=2).value == pytest.approx(64)
    conflicts = [[cell.value for cell in row] for row in workbook.worksheets[3].iter_rows()]
    assert len(conflicts) == 3
    assert conflicts[1][5].startswith("Alice Martin is at 160 %")


def test_wrong_dates_fall_back_to_the_default_period(client: Client, world: World) -> None:
    alice(world)
    client.force_login(world.pmo)
    response = client.get("/capacity/", {"start": "2027-05-01", "finish": "2027-03-01"})
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


# The resource list ------------------------------------------------------------------------------


def test_the_list_filters_and_shows_capacity_skills_and_assignments(
    client: Client, world: World
) -> None:
    overbooked(world)
    capacity_step(world)
    held_skill(world)
    services.resource_create(actor=world.admin, name="Crane", department=_department(world, "Ops"))
    client.force_login(world.viewer)
    page = client.get("/resources/").content.decode()
    assert "Alice Martin" in page
    assert "Crane" in page
    assert "Python 2" in page
    filtered = client.get("/resources/", {"department": _department(world).pk}).content.decode()
    assert "Alice Martin" in filtered
    assert "Crane" not in filtered
    by_skill = client.get("/resources/", {"skill": _skill(world).pk}).content.decode()
    assert "Alice Martin" in by_skill
    assert "Crane" not in by_skill
    searched = client.get("/resources/", {"q": "cra"}, headers={"HX-Request": "true"})
    assert "Crane" in searched.content.decode()
    assert "Alice Martin" not in searched.content.decode()


def test_the_list_makes_the_same_number_of_queries_for_more_resources(
    client: Client, world: World, count_queries: Callable[[Callable[[], Any]], int]
) -> None:
    client.force_login(world.pmo)
    team = services.organisation_item_create(
        actor=world.admin, model=Team, name="Core", department=_department(world)
    )

    def add(number: int) -> None:
        resource = services.resource_create(
            actor=world.admin,
            name=f"Person {number}",
            role=_role(world),
            department=_department(world),
            team=team,
        )
        services.resource_skill_set(actor=world.admin, resource=resource, skill=_skill(world))
        services.capacity_set(
            actor=world.admin, resource=resource, effective_from=MONDAY, units=Decimal("0.5")
        )

    def fetch() -> None:
        assert client.get("/resources/").status_code == 200

    for number in range(2):
        add(number)
    few = count_queries(fetch)
    for number in range(2, 8):
        add(number)
    assert count_queries(fetch) == few


def test_the_list_exports_a_workbook(client: Client, world: World) -> None:
    overbooked(world)
    held_skill(world)
    client.force_login(world.viewer)
    response = client.get("/resources/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    alice_row = dict(zip(header, rows[1], strict=True))
    assert alice_row["Name"] == "Alice Martin"
    assert alice_row["Role"] == "Analyst"
    assert alice_row["Skills"] == "Python (2)"
    assert alice_row["Assignments"] == 2


# A resource -------------------------------------------------------------------------------------


def test_a_resource_is_created_and_edited_through_the_form(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    role = _role(world)
    response = client.post(
        "/resources/new/",
        {**NEW_RESOURCE, "name": "Bob Stone", "role": role.pk, "max_units": "0.8", "is_active": ""},
    )
    bob = Resource.objects.get(name="Bob Stone")
    assert response["Location"] == f"/resources/{bob.pk}/"
    assert bob.role == role
    assert bob.max_units == Decimal("0.8")
    assert not bob.is_active
    response = client.post(
        f"/resources/{bob.pk}/edit/",
        {**NEW_RESOURCE, "name": "Bob Stone"},
    )
    bob.refresh_from_db()
    assert response.status_code == 302
    assert bob.role is None
    assert bob.max_units == 1
    assert bob.is_active


def test_a_team_of_another_department_is_refused(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    team = services.organisation_item_create(
        actor=world.admin, model=Team, name="Payroll", department=_department(world, "Finance")
    )
    response = client.post(
        "/resources/new/",
        {
            **NEW_RESOURCE,
            "name": "Carol",
            "department": _department(world).pk,
            "team": team.pk,
        },
    )
    assert response.status_code == 200
    assert "This team belongs to another department." in response.content.decode()
    assert not Resource.objects.filter(name="Carol").exists()


def test_a_resource_page_shows_capacity_in_hours_and_its_assignments(
    client: Client, world: World
) -> None:
    crm, _hr = overbooked(world)
    client.force_login(world.pmo)
    response = client.post(
        f"/resources/{alice(world).pk}/capacity/",
        {"effective_from": "2027-04-05", "units": "0.8"},
    )
    assert response["Location"] == f"/resources/{alice(world).pk}/#capacity"
    page = client.get(f"/resources/{alice(world).pk}/", FOUR_WEEKS).content.decode()
    assert "6.4 h" in page
    assert "Design the data model" in page
    assert f"/tasks/{crm.pk}/" in page
    start = page.index('id="histogram-data"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    assert data["periods"][:2] == ["2027-W09", "2027-W10"]
    assert data["capacity"][0] == 40
    by_project = {series["name"]: series["hours"][0] for series in data["series"]}
    assert by_project == {"New CRM": 40, "HR self-service": 24}


def test_the_viewer_sees_only_the_assignments_of_visible_projects(
    client: Client, world: World
) -> None:
    overbooked(world)
    warehouse = _task(world, world.other_project, "Pick the racks")
    services.assignment_create(actor=world.admin, task=warehouse, resource=alice(world))
    client.force_login(world.viewer)
    page = client.get(f"/resources/{alice(world).pk}/").content.decode()
    assert "Design the data model" in page
    assert "Pick the racks" not in page
    assert "Set the capacity from a date" not in page


def test_skills_rates_and_business_as_usual_are_kept_from_the_page(
    client: Client, world: World
) -> None:
    person = alice(world)
    client.force_login(world.pmo)
    skill = _skill(world)
    client.post(f"/resources/{person.pk}/skills/", {"skill": skill.pk, "level": "2"})
    client.post(f"/resources/{person.pk}/skills/", {"skill": skill.pk, "level": "4"})
    assert ResourceSkill.objects.get(resource=person, skill=skill).level == 4
    client.post(
        f"/resources/{person.pk}/rates/",
        {"effective_from": "2027-01-01", "standard_rate": "85", "standard_rate_unit": "h"},
    )
    assert ResourceRate.objects.get(resource=person).standard_rate == 85
    client.post(
        f"/resources/{person.pk}/loads/",
        {"name": "Service desk", "units": "0.2", "start": "2027-01-01"},
    )
    page = client.get(f"/resources/{person.pk}/").content.decode()
    assert "Service desk" in page
    assert "0.20 FTE" in page


def test_a_wrong_business_as_usual_period_is_shown_on_the_page(
    client: Client, world: World
) -> None:
    person = alice(world)
    client.force_login(world.pmo)
    response = client.post(
        f"/resources/{person.pk}/loads/",
        {"name": "Support", "units": "0.2", "start": "2027-03-01", "finish": "2027-02-01"},
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not NonProjectLoad.objects.exists()


def test_an_assigned_resource_cannot_be_deleted(client: Client, world: World) -> None:
    overbooked(world)
    client.force_login(world.pmo)
    response = client.post(f"/resources/{alice(world).pk}/delete/")
    assert response.status_code == 200
    assert "is assigned to 2 tasks" in response.content.decode()
    assert Resource.objects.filter(pk=alice(world).pk).exists()


# The organisation -------------------------------------------------------------------------------


def test_the_organisation_lists_counts_and_adds_items(client: Client, world: World) -> None:
    alice(world)
    client.force_login(world.pmo)
    page = client.get("/resources/organisation/").content.decode()
    assert "Analyst" in page
    assert "IT" in page
    response = client.post(
        "/resources/organisation/team/new/", {"name": "Core", "department": _department(world).pk}
    )
    assert response["Location"] == "/resources/organisation/#team"
    assert Team.objects.get(name="Core").department == _department(world)
    duplicate = client.post("/resources/organisation/role/new/", {"name": "Analyst"})
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()


def test_a_department_in_use_is_not_deleted(client: Client, world: World) -> None:
    alice(world)
    client.force_login(world.pmo)
    response = client.post(f"/resources/organisation/department/{_department(world).pk}/delete/")
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Department.objects.filter(name="IT").exists()


def test_a_role_is_renamed(client: Client, world: World) -> None:
    role = _role(world)
    client.force_login(world.pmo)
    response = client.post(
        f"/resources/organisation/role/{role.pk}/edit/", {"name": "Business analyst"}
    )
    assert response["Location"] == "/resources/organisation/#role"
    role.refresh_from_db()
    assert role.name == "Business analyst"


# Role demand ------------------------------------------------------------------------------------


def test_the_project_manager_fills_the_role_demand_grid(client: Client, world: World) -> None:
    role = _role(world)
    client.force_login(world.project_manager)
    page = client.get(f"/projects/{world.project.pk}/demand/", {"role": role.pk}).content.decode()
    assert f'name="d-{role.pk}-2026-03"' in page
    response = client.post(
        f"/projects/{world.project.pk}/demand/",
        {f"d-{role.pk}-2026-03": "1,5", f"d-{role.pk}-2026-04": "2"},
    )
    assert response.status_code == 302
    demand = {d.month: d.units for d in RoleDemand.objects.filter(project=world.project)}
    assert demand == {dt.date(2026, 3, 1): Decimal("1.5"), dt.date(2026, 4, 1): Decimal(2)}
    client.post(
        f"/projects/{world.project.pk}/demand/",
        {f"d-{role.pk}-2026-03": "", f"d-{role.pk}-2026-04": "2"},
    )
    assert list(RoleDemand.objects.values_list("month", flat=True)) == [dt.date(2026, 4, 1)]


def test_a_wrong_demand_cell_saves_nothing(client: Client, world: World) -> None:
    role = _role(world)
    client.force_login(world.project_manager)
    response = client.post(
        f"/projects/{world.project.pk}/demand/",
        {f"d-{role.pk}-2026-03": "1", f"d-{role.pk}-2026-04": "two"},
    )
    assert response.status_code == 200
    assert "“two” is not a number." in response.content.decode()
    assert not RoleDemand.objects.exists()


def test_the_project_page_links_to_the_role_demand(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    page = client.get(f"/projects/{world.project.pk}/").content.decode()
    assert f'href="/projects/{world.project.pk}/demand/"' in page


# Task assignments -------------------------------------------------------------------------------


def test_the_task_page_loads_its_assignments(client: Client, world: World) -> None:
    task = crm_task(world)
    client.force_login(world.viewer)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert f'hx-get="/tasks/{task.pk}/assignments/"' in page


def test_a_resource_is_assigned_changed_and_removed_from_a_task(
    client: Client, world: World
) -> None:
    task = crm_task(world)
    person = alice(world)
    client.force_login(world.project_manager)
    htmx = {"HX-Request": "true"}
    response = client.post(
        f"/tasks/{task.pk}/assignments/",
        {"resource": person.pk, "units": "50", "work": "20h"},
        headers=htmx,
    )
    assert response.status_code == 200
    assert "Alice Martin is assigned." in response.content.decode()
    assigned = Assignment.objects.get(task=task)
    assert assigned.units == Decimal("0.5")
    assert assigned.work_minutes == 20 * 60
    response = client.post(f"/assignments/{assigned.pk}/", {"units": "25"}, headers=htmx)
    assigned.refresh_from_db()
    assert assigned.units == Decimal("0.25")
    assert 'value="25"' in response.content.decode()
    response = client.post(f"/assignments/{assigned.pk}/delete/", headers=htmx)
    assert "Nobody is assigned to this task." in response.content.decode()
    assert not Assignment.objects.exists()


def test_an_assignment_to_a_summary_task_is_refused(client: Client, world: World) -> None:
    parent = crm_task(world)
    child = planning_services.task_create(
        actor=world.admin, project=world.project, name="Detail", duration_minutes=480
    )
    planning_services.task_indent(actor=world.admin, task=child)
    parent.refresh_from_db()
    assert parent.is_summary
    client.force_login(world.project_manager)
    response = client.post(
        f"/tasks/{parent.pk}/assignments/", {"resource": alice(world).pk, "units": "100"}
    )
    assert response.status_code == 200
    assert not Assignment.objects.exists()


# Navigation -------------------------------------------------------------------------------------


def test_the_main_navigation_leads_to_resources_and_capacity(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    page = client.get("/").content.decode()
    assert 'href="/resources/"' in page
    assert 'href="/capacity/"' in page


def test_the_task_page_reloads_when_an_effort_driven_task_gets_shorter(
    client: Client, world: World
) -> None:
    task = crm_task(world)
    planning_services.task_update(actor=world.admin, task=task, is_effort_driven=True)
    services.assignment_create(actor=world.admin, task=task, resource=alice(world))
    bob = services.resource_create(actor=world.admin, name="Bob Stone")
    client.force_login(world.project_manager)
    response = client.post(
        f"/tasks/{task.pk}/assignments/",
        {"resource": bob.pk, "units": "100"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    task.refresh_from_db()
    assert task.duration_minutes == 5 * 480
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Bob Stone is assigned." in page


def test_the_pages_work_in_french(client: Client, world: World) -> None:
    crm, _hr = overbooked(world)
    services.assignment_update(
        actor=world.admin, assignment=Assignment.objects.get(task=crm), units=Decimal("0.625")
    )
    world.pmo.language = "fr"
    world.pmo.save()
    client.force_login(world.pmo)
    heat_map = client.get("/capacity/", FOUR_WEEKS)
    block = client.get(f"/tasks/{crm.pk}/assignments/", headers={"HX-Request": "true"})
    assert block["Content-Language"] == "fr"
    assert heat_map.status_code == 200
    # A number field takes a dot whatever the language shows.
    assert 'name="units" value="62.50"' in block.content.decode()


def test_capacity_is_typed_as_fte_or_hours_per_day(client: Client, world: World) -> None:
    resource = alice(world)
    client.force_login(world.pmo)
    response = client.post(
        f"/resources/{resource.pk}/capacity/", {"effective_from": "2027-04-05", "units": "6h"}
    )
    assert response.status_code == 302
    # Six hours of an eight-hour working day: three quarters of full time.
    assert resource.capacities.get().units == Decimal("0.75")
    refused = client.post(
        f"/resources/{resource.pk}/capacity/", {"effective_from": "2027-04-12", "units": "-1"}
    )
    assert "Capacity cannot be negative." in refused.content.decode()
    assert resource.capacities.count() == 1
