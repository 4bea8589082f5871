"""Resources, the organisation's lists, assignments, role demand and capacity through the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from pilotage.planning import services as planning
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
    RoleDemand,
    Skill,
    Team,
)
from tests.access import Access, AccessMixin
from tests.api.client import PREFIX, ApiClient, ApiFactory, error_of
from tests.world import World

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 8, 0)
WEEK = 5 * 480

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
ORGANISATION = ("admin", "pmo")
NOT_ORGANISATION = ("portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
SEES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
CHANGES_CRM = ("admin", "pmo", "portfolio_manager", "project_manager")
HIDDEN_CRM = ("outsider", "nobody")


def operation(name: str, method: str, url: Callable[[World], str], **kwargs: Any) -> Access:
    return Access(name, method, lambda w: "/api/v1" + url(w), api=True, **kwargs)


def _person(w: World, name: str = "Alice Martin", **values: Any) -> Resource:
    return services.resource_create(actor=w.admin, name=name, **values)


def _role(w: World, name: str = "Java developer") -> JobRole:
    role = services.organisation_item_create(actor=w.admin, model=JobRole, name=name)
    assert isinstance(role, JobRole)
    return role


def _skill(w: World, name: str = "Python") -> Skill:
    skill = services.organisation_item_create(actor=w.admin, model=Skill, name=name)
    assert isinstance(skill, Skill)
    return skill


def _department(w: World, name: str = "IT") -> Department:
    department = services.organisation_item_create(actor=w.admin, model=Department, name=name)
    assert isinstance(department, Department)
    return department


def _team(w: World, name: str = "Back office", department: Department | None = None) -> Team:
    team = services.organisation_item_create(
        actor=w.admin, model=Team, name=name, department=department
    )
    assert isinstance(team, Team)
    return team


def _capacity(w: World) -> ResourceCapacity:
    return services.capacity_set(
        actor=w.admin, resource=_person(w), effective_from=dt.date(2026, 1, 1), units=Decimal(1)
    )


def _rate(w: World) -> ResourceRate:
    return services.rate_set(
        actor=w.admin,
        resource=_person(w),
        effective_from=dt.date(2026, 1, 1),
        standard_rate=Decimal(80),
    )


def _load(w: World) -> NonProjectLoad:
    return services.non_project_load_create(
        actor=w.admin,
        resource=_person(w),
        name="Support",
        units=Decimal("0.2"),
        start=dt.date(2026, 1, 1),
    )


def _held_skill(w: World) -> str:
    resource = _person(w)
    skill = _skill(w)
    services.resource_skill_set(actor=w.admin, resource=resource, skill=skill, level=3)
    return f"/resources/{resource.pk}/skills/{skill.pk}"


def _task(w: World, name: str = "Build", project: Project | None = None) -> Task:
    project = project or w.project
    planning.plan_update(actor=w.admin, project=project, start=MONDAY)
    return planning.task_create(actor=w.admin, project=project, name=name, duration_minutes=WEEK)


def _assignment(w: World) -> Assignment:
    return services.assignment_create(actor=w.admin, task=_task(w), resource=_person(w))


def _demand(w: World) -> list[dict[str, Any]]:
    return [{"role_id": _role(w).pk, "month": "2026-04", "units": 1.5}]


class TestResourceOperations(AccessMixin):
    access = [
        operation("list", "get", lambda w: "/resources", allowed=EVERYONE),
        operation(
            "create",
            "post",
            lambda w: "/resources",
            data=lambda w: {"name": "Bob Stone"},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation("detail", "get", lambda w: f"/resources/{_person(w).pk}", allowed=EVERYONE),
        operation(
            "update",
            "patch",
            lambda w: f"/resources/{_person(w).pk}",
            data=lambda w: {"initials": "AM"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "delete",
            "delete",
            lambda w: f"/resources/{_person(w).pk}",
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "histogram",
            "get",
            lambda w: f"/resources/{_person(w).pk}/histogram",
            allowed=EVERYONE,
        ),
        operation(
            "capacities",
            "get",
            lambda w: f"/resources/{_person(w).pk}/capacities",
            allowed=EVERYONE,
        ),
        operation(
            "capacity-set",
            "post",
            lambda w: f"/resources/{_person(w).pk}/capacities",
            data=lambda w: {"effective_from": "2026-05-01", "units": 0.8},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "capacity-delete",
            "delete",
            lambda w: f"/capacities/{_capacity(w).pk}",
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
        operation("rates", "get", lambda w: f"/resources/{_person(w).pk}/rates", allowed=EVERYONE),
        operation(
            "rate-set",
            "post",
            lambda w: f"/resources/{_person(w).pk}/rates",
            data=lambda w: {"effective_from": "2026-05-01", "standard_rate": "95"},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "rate-delete",
            "delete",
            lambda w: f"/rates/{_rate(w).pk}",
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "loads",
            "get",
            lambda w: f"/resources/{_person(w).pk}/non-project-loads",
            allowed=EVERYONE,
        ),
        operation(
            "load-create",
            "post",
            lambda w: f"/resources/{_person(w).pk}/non-project-loads",
            data=lambda w: {"name": "Support", "units": 0.2, "start": "2026-01-01"},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "load-delete",
            "delete",
            lambda w: f"/non-project-loads/{_load(w).pk}",
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "skills", "get", lambda w: f"/resources/{_person(w).pk}/skills", allowed=EVERYONE
        ),
        operation(
            "skill-set",
            "post",
            lambda w: f"/resources/{_person(w).pk}/skills",
            data=lambda w: {"skill_id": _skill(w).pk, "level": 4},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            "skill-delete",
            "delete",
            _held_skill,
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
    ]


def _organisation_cases(kind: str, make: Callable[[World], Any]) -> list[Access]:
    return [
        operation(f"{kind}-list", "get", lambda w: f"/{kind}", allowed=EVERYONE),
        operation(
            f"{kind}-create",
            "post",
            lambda w: f"/{kind}",
            data=lambda w: {"name": "Created"},
            allowed=ORGANISATION,
            ok=(201,),
            forbidden=NOT_ORGANISATION,
        ),
        operation(f"{kind}-detail", "get", lambda w: f"/{kind}/{make(w).pk}", allowed=EVERYONE),
        operation(
            f"{kind}-update",
            "patch",
            lambda w: f"/{kind}/{make(w).pk}",
            data=lambda w: {"name": "Renamed"},
            allowed=ORGANISATION,
            forbidden=NOT_ORGANISATION,
        ),
        operation(
            f"{kind}-delete",
            "delete",
            lambda w: f"/{kind}/{make(w).pk}",
            allowed=ORGANISATION,
            ok=(204,),
            forbidden=NOT_ORGANISATION,
        ),
    ]


class TestOrganisationOperations(AccessMixin):
    access = [
        *_organisation_cases("departments", _department),
        *_organisation_cases("teams", _team),
        *_organisation_cases("roles", _role),
        *_organisation_cases("skills", _skill),
    ]


class TestProjectOperations(AccessMixin):
    access = [
        operation(
            "demand",
            "get",
            lambda w: f"/projects/{w.project.pk}/role-demand",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "demand-set",
            "put",
            lambda w: f"/projects/{w.project.pk}/role-demand",
            data=_demand,
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assignments",
            "get",
            lambda w: f"/tasks/{_task(w).pk}/assignments",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assign",
            "post",
            lambda w: f"/tasks/{_task(w).pk}/assignments",
            data=lambda w: {"resource_id": _person(w, "Bob Stone").pk, "units": 0.5},
            allowed=CHANGES_CRM,
            ok=(201,),
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assignment",
            "get",
            lambda w: f"/assignments/{_assignment(w).pk}",
            allowed=SEES_CRM,
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assignment-update",
            "patch",
            lambda w: f"/assignments/{_assignment(w).pk}",
            data=lambda w: {"units": 0.5},
            allowed=CHANGES_CRM,
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
        operation(
            "assignment-delete",
            "delete",
            lambda w: f"/assignments/{_assignment(w).pk}",
            allowed=CHANGES_CRM,
            ok=(204,),
            forbidden=("viewer",),
            hidden=HIDDEN_CRM,
        ),
    ]


class TestCapacityOperations(AccessMixin):
    access = [
        operation("matrix", "get", lambda w: "/capacity", allowed=EVERYONE),
        operation(
            "cell",
            "get",
            lambda w: f"/capacity/cell?key=resource-{_person(w).pk}&index=0",
            allowed=EVERYONE,
        ),
    ]


# Constant number of queries on every list ----------------------------------------------------


def _once(model: Any, make: Callable[[], Any]) -> Any:
    return model.objects.first() or make()


def _more_resources(world: World, count: int) -> str:
    role = _once(JobRole, lambda: _role(world))
    department = _once(Department, lambda: _department(world))
    team = _once(Team, lambda: _team(world, department=department))
    skill = _once(Skill, lambda: _skill(world))
    for number in range(count):
        resource = _person(
            world,
            f"Person {number}",
            role=role,
            department=department,
            team=team,
            user=world.project_manager,
        )
        services.resource_skill_set(actor=world.admin, resource=resource, skill=skill)
    return "/resources"


def _more_departments(world: World, count: int) -> str:
    start = Department.objects.count()
    for number in range(start, start + count):
        department = _department(world, f"Department {number}")
        services.organisation_item_update(actor=world.admin, item=department, manager=world.pmo)
        _person(world, f"Member {number}", department=department)
    return "/departments"


def _more_teams(world: World, count: int) -> str:
    department = _once(Department, lambda: _department(world))
    start = Team.objects.count()
    for number in range(start, start + count):
        _team(world, f"Team {number}", department=department)
    return "/teams"


def _more_roles(world: World, count: int) -> str:
    start = JobRole.objects.count()
    for number in range(start, start + count):
        _role(world, f"Role {number}")
    return "/roles"


def _more_skills(world: World, count: int) -> str:
    start = Skill.objects.count()
    for number in range(start, start + count):
        _skill(world, f"Skill {number}")
    return "/skills"


def _more_assignments(world: World, count: int) -> str:
    task = Task.objects.filter(project=world.project).first() or _task(world)
    for number in range(count):
        services.assignment_create(
            actor=world.admin, task=task, resource=_person(world, f"Helper {number}")
        )
    return f"/tasks/{task.pk}/assignments"


def _more_demand(world: World, count: int) -> str:
    start = JobRole.objects.count()
    for number in range(start, start + count):
        services.role_demand_set(
            actor=world.admin,
            project=world.project,
            role=_role(world, f"Demanded {number}"),
            month=dt.date(2026, 4, 1),
            units=Decimal(1),
        )
    return f"/projects/{world.project.pk}/role-demand"


def _more_steps(world: World, count: int) -> str:
    resource = Resource.objects.filter(name="Stepped").first() or _person(world, "Stepped")
    for number in range(count):
        services.capacity_set(
            actor=world.admin,
            resource=resource,
            effective_from=dt.date(2026, 1, 1) + dt.timedelta(days=number + 1),
            units=Decimal("0.5"),
        )
    return f"/resources/{resource.pk}/capacities"


@pytest.mark.parametrize(
    "grow",
    [
        _more_resources,
        _more_departments,
        _more_teams,
        _more_roles,
        _more_skills,
        _more_assignments,
        _more_demand,
        _more_steps,
    ],
)
def test_lists_make_a_constant_number_of_queries(
    api: ApiFactory,
    world: World,
    count_queries: Callable[[Callable[[], Any]], int],
    grow: Callable[[World, int], str],
) -> None:
    client = api(world.project_manager)
    path = grow(world, 1)

    def fetch() -> None:
        assert client.get(path).status_code == 200

    fetch()
    few = count_queries(fetch)
    grow(world, 12)
    many = count_queries(fetch)
    assert client.get(path).json()["count"] >= 12
    assert few == many, (few, many)


# Resources -----------------------------------------------------------------------------------


def test_resource_create_with_its_place_in_the_organisation(api: ApiFactory, world: World) -> None:
    role, department = _role(world), _department(world)
    team = _team(world, department=department)
    response = api(world.pmo).post(
        "/resources",
        {
            "name": "Alice Martin",
            "email": "alice@example.com",
            "role_id": role.pk,
            "department_id": department.pk,
            "team_id": team.pk,
            "max_units": 0.8,
            "standard_rate": "85",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == {"id": role.pk, "name": "Java developer"}
    assert body["department"]["name"] == "IT"
    assert body["team"]["name"] == "Back office"
    assert body["max_units"] == 0.8
    assert Decimal(body["standard_rate"]) == 85
    assert body["kind"] == "work"
    assert body["assignment_count"] == 0
    assert Resource.objects.get(pk=body["id"]).email == "alice@example.com"


def test_resource_with_an_unknown_role_is_refused_naming_it(api: ApiFactory, world: World) -> None:
    response = api(world.pmo).post("/resources", {"name": "Ghost", "role_id": 999999})
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"] == {"role_id": ["Unknown role: 999999."]}
    assert not Resource.objects.filter(name="Ghost").exists()


def test_resource_team_of_another_department_is_refused(api: ApiFactory, world: World) -> None:
    resource = _person(world, department=_department(world, "IT"))
    finance_team = _team(world, "Accounts", department=_department(world, "Finance"))
    response = api(world.pmo).patch(f"/resources/{resource.pk}", {"team_id": finance_team.pk})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"team_id"}
    resource.refresh_from_db()
    assert resource.team_id is None


def test_resource_update_and_filters(api: ApiFactory, world: World) -> None:
    role = _role(world)
    skill = _skill(world)
    _person(world, "Bob Stone")
    alice = _person(world)
    client = api(world.pmo)
    response = client.patch(f"/resources/{alice.pk}", {"role_id": role.pk, "initials": "AM"})
    assert response.status_code == 200, response.content
    assert response.json()["initials"] == "AM"
    assert client.post(f"/resources/{alice.pk}/skills", {"skill_id": skill.pk}).status_code == 201

    def names(**filters: Any) -> list[str]:
        return [item["name"] for item in client.get("/resources", **filters).json()["items"]]

    assert names() == ["Alice Martin", "Bob Stone"]
    assert names(role=role.pk) == ["Alice Martin"]
    assert names(skill=skill.pk) == ["Alice Martin"]
    assert names(search="stone") == ["Bob Stone"]
    client.patch(f"/resources/{alice.pk}", {"is_active": False})
    assert names(active=True) == ["Bob Stone"]
    assert names(active=False) == ["Alice Martin"]
    unknown = client.get("/resources", department=999999)
    assert unknown.status_code == 422
    assert error_of(unknown)["fields"] == {"department": ["Unknown department: 999999."]}


def test_resource_with_assignments_cannot_be_deleted(api: ApiFactory, world: World) -> None:
    assignment = _assignment(world)
    response = api(world.pmo).delete(f"/resources/{assignment.resource_id}")
    assert response.status_code == 422
    assert "inactive" in error_of(response)["message"]
    assert Resource.objects.filter(pk=assignment.resource_id).exists()


def test_capacity_steps_rates_loads_and_skills(api: ApiFactory, world: World) -> None:
    resource = _person(world)
    skill = _skill(world)
    client = api(world.pmo)
    base = f"/resources/{resource.pk}"

    step = client.post(f"{base}/capacities", {"effective_from": "2026-05-01", "units": 0.8})
    assert step.status_code == 201, step.content
    assert step.json()["hours_per_day"] == 6.4
    again = client.post(f"{base}/capacities", {"effective_from": "2026-05-01", "units": 0.5})
    assert again.status_code == 200
    assert [item["units"] for item in client.get(f"{base}/capacities").json()["items"]] == [0.5]

    rate = client.post(f"{base}/rates", {"effective_from": "2026-01-01", "standard_rate": "90"})
    assert rate.status_code == 201, rate.content
    assert client.get(f"{base}/rates").json()["count"] == 1

    load = client.post(
        f"{base}/non-project-loads",
        {"name": "Support", "units": 0.2, "start": "2026-01-01", "finish": "2026-06-30"},
    )
    assert load.status_code == 201, load.content
    assert client.get(f"{base}/non-project-loads").json()["items"][0]["name"] == "Support"

    held = client.post(f"{base}/skills", {"skill_id": skill.pk, "level": 4})
    assert held.status_code == 201
    assert held.json()["level_label"] == "4 – Expert"
    assert client.post(f"{base}/skills", {"skill_id": skill.pk, "level": 5}).status_code == 200
    assert client.get(f"{base}/skills").json()["items"][0]["level"] == 5

    assert client.delete(f"/capacities/{step.json()['id']}").status_code == 204
    assert client.delete(f"/rates/{rate.json()['id']}").status_code == 204
    assert client.delete(f"/non-project-loads/{load.json()['id']}").status_code == 204
    assert client.delete(f"{base}/skills/{skill.pk}").status_code == 204
    assert client.delete(f"{base}/skills/{skill.pk}").status_code == 404
    assert not resource.capacities.exists()
    assert not resource.rates.exists()
    assert not resource.non_project_loads.exists()
    assert not resource.skills.exists()


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("capacities", {"effective_from": "2026-05-01", "units": -0.5}, "units"),
        ("rates", {"effective_from": "2026-05-01", "standard_rate": "-1"}, "standard_rate"),
        ("non-project-loads", {"name": "BAU", "units": -1, "start": "2026-01-01"}, "units"),
        (
            "non-project-loads",
            {"name": "BAU", "units": 0.2, "start": "2026-05-01", "finish": "2026-04-01"},
            "finish",
        ),
        ("skills", {"skill_id": 999999}, "skill_id"),
        ("skills", {"skill_id": 1, "level": 6}, "level"),
    ],
)
def test_bad_resource_details_are_refused_naming_the_field(
    api: ApiFactory, world: World, path: str, data: dict[str, Any], field: str
) -> None:
    resource = _person(world)
    response = api(world.pmo).post(f"/resources/{resource.pk}/{path}", data)
    assert response.status_code == 422, response.content
    assert set(error_of(response)["fields"]) == {field}
    assert not resource.capacities.exists()
    assert not resource.non_project_loads.exists()


# The organisation ----------------------------------------------------------------------------


def test_organisation_lists_count_their_people(api: ApiFactory, world: World) -> None:
    client = api(world.pmo)
    _department(world, "Sales")
    department = client.post("/departments", {"name": "IT", "manager_id": world.pmo.pk}).json()
    team = client.post("/teams", {"name": "Apps", "department_id": department["id"]})
    assert team.status_code == 201, team.content
    assert team.json()["department"] == {"id": department["id"], "name": "IT"}
    role = client.post("/roles", {"name": "Tester", "description": "Tests"}).json()
    _person(world, department=Department.objects.get(pk=department["id"]))
    items = client.get("/departments").json()["items"]
    assert [(item["name"], item["people"]) for item in items] == [("IT", 1), ("Sales", 0)]
    assert items[0]["manager"]["username"] == "pmo"
    renamed = client.patch(f"/roles/{role['id']}", {"name": "QA engineer"})
    assert renamed.json()["name"] == "QA engineer"
    assert client.get(f"/roles/{role['id']}").json()["description"] == "Tests"


def test_organisation_names_are_unique_and_used_items_stay(api: ApiFactory, world: World) -> None:
    client = api(world.pmo)
    role = _role(world)
    duplicate = client.post("/roles", {"name": "Java developer"})
    assert duplicate.status_code == 422
    assert set(error_of(duplicate)["fields"]) == {"name"}
    _person(world, role=role)
    used = client.delete(f"/roles/{role.pk}")
    assert used.status_code == 422
    assert JobRole.objects.filter(pk=role.pk).exists()
    unknown = client.post("/teams", {"name": "Lost", "department_id": 999999})
    assert error_of(unknown)["fields"] == {"department_id": ["Unknown department: 999999."]}


def _put(client: ApiClient, path: str, data: Any) -> Any:
    return client.client.put(
        PREFIX + path, json.dumps(data), content_type="application/json", headers=client.headers
    )


# Role demand ---------------------------------------------------------------------------------


def test_role_demand_set_change_and_remove(api: ApiFactory, world: World) -> None:
    java, analyst = _role(world), _role(world, "Business analyst")
    client = api(world.project_manager)
    url = f"/projects/{world.project.pk}/role-demand"
    response = _put(
        client,
        url,
        [
            {"role_id": java.pk, "month": "2026-04", "units": 2},
            {"role_id": java.pk, "month": "2026-05-15", "units": 1.5},
            {"role_id": analyst.pk, "month": "2026-04", "units": 0.5},
        ],
    )
    assert response.status_code == 200, response.content
    assert [(row["role"]["name"], row["month"], row["units"]) for row in response.json()] == [
        ("Business analyst", "2026-04-01", 0.5),
        ("Java developer", "2026-04-01", 2.0),
        ("Java developer", "2026-05-01", 1.5),
    ]
    changed = _put(
        client,
        url,
        [
            {"role_id": java.pk, "month": "2026-04", "units": 3},
            {"role_id": analyst.pk, "month": "2026-04", "units": 0},
        ],
    )
    assert [(row["role"]["name"], row["units"]) for row in changed.json()] == [
        ("Java developer", 3.0),
        ("Java developer", 1.5),
    ]
    assert client.get(url).json()["count"] == 2


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        ({"role_id": 999999, "month": "2026-04", "units": 1}, "role_id", "Unknown role"),
        ({"month": "2026-04", "units": -1}, "units", "greater than or equal to 0"),
        ({"month": "April", "units": 1}, "month", "valid date"),
    ],
)
def test_role_demand_bad_items_write_nothing(
    api: ApiFactory, world: World, item: dict[str, Any], field: str, message: str
) -> None:
    role = _role(world)
    good = {"role_id": role.pk, "month": "2026-04", "units": 1}
    response = _put(
        api(world.project_manager),
        f"/projects/{world.project.pk}/role-demand",
        [good, {"role_id": role.pk, **item}],
    )
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert set(error["fields"]) == {field}
    assert message in error["fields"][field][0]
    assert not RoleDemand.objects.exists()


# Assignments ---------------------------------------------------------------------------------


def test_assignment_flow_keeps_task_work_in_step(api: ApiFactory, world: World) -> None:
    task = _task(world)
    alice, bob = _person(world), _person(world, "Bob Stone")
    client = api(world.project_manager)
    created = client.post(f"/tasks/{task.pk}/assignments", {"resource_id": alice.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["work_minutes"] == WEEK
    assert body["task"]["name"] == "Build"
    assert body["resource"]["name"] == "Alice Martin"
    assert body["start"] == "2026-03-02T08:00:00"
    half = client.post(f"/tasks/{task.pk}/assignments", {"resource_id": bob.pk, "units": 0.5})
    assert half.json()["work_minutes"] == WEEK // 2
    task.refresh_from_db()
    assert task.work_minutes == WEEK + WEEK // 2

    changed = client.patch(f"/assignments/{half.json()['id']}", {"work_minutes": 600})
    assert changed.json()["work_minutes"] == 600
    listed = client.get(f"/tasks/{task.pk}/assignments").json()["items"]
    assert [(item["resource"]["name"], item["units"]) for item in listed] == [
        ("Alice Martin", 1.0),
        ("Bob Stone", 0.5),
    ]
    assert client.delete(f"/assignments/{body['id']}").status_code == 204
    task.refresh_from_db()
    assert task.work_minutes == 600


def test_effort_driven_task_shortens_when_a_resource_joins(api: ApiFactory, world: World) -> None:
    task = _task(world)
    client = api(world.project_manager)
    switched = client.patch(f"/tasks/{task.pk}", {"effort_driven": True})
    assert switched.status_code == 200, switched.content
    assert switched.json()["effort_driven"] is True
    client.post(f"/tasks/{task.pk}/assignments", {"resource_id": _person(world).pk})
    second = client.post(
        f"/tasks/{task.pk}/assignments", {"resource_id": _person(world, "Bob Stone").pk}
    )
    assert second.status_code == 201, second.content
    task.refresh_from_db()
    assert task.work_minutes == WEEK
    assert task.duration_minutes == WEEK // 2
    assert second.json()["finish"] == "2026-03-04T12:00:00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"resource_id": 999999}, "resource_id"),
        ({"units": -1}, "units"),
        ({"work_minutes": -60}, "work_minutes"),
    ],
)
def test_bad_assignments_are_refused(
    api: ApiFactory, world: World, data: dict[str, Any], field: str
) -> None:
    task = _task(world)
    payload = {"resource_id": _person(world).pk, **data}
    response = api(world.project_manager).post(f"/tasks/{task.pk}/assignments", payload)
    assert response.status_code == 422, response.content
    assert set(error_of(response)["fields"]) == {field}
    assert not Assignment.objects.exists()


def test_inactive_resource_cannot_be_assigned(api: ApiFactory, world: World) -> None:
    retired = _person(world, is_active=False)
    response = api(world.pmo).post(
        f"/tasks/{_task(world).pk}/assignments", {"resource_id": retired.pk}
    )
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"resource_id": ["This resource is no longer active."]}


# Demand against capacity ---------------------------------------------------------------------


@pytest.fixture
def overload(world: World) -> Resource:
    """Alice full time on a week-long task of CRM and at 60 % on one of HR, the same week."""
    alice = _person(world)
    services.assignment_create(actor=world.admin, task=_task(world), resource=alice)
    train = _task(world, "Train", world.sibling_project)
    services.assignment_create(actor=world.admin, task=train, resource=alice, units=Decimal("0.6"))
    return alice


WINDOW = {"start": "2026-03-02", "finish": "2026-03-15", "period": "week"}


def test_capacity_shows_an_over_allocation_and_its_tasks(
    api: ApiFactory, world: World, overload: Resource
) -> None:
    response = api(world.pmo).get("/capacity", **WINDOW)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [period["label"] for period in body["periods"]] == ["2026-W10", "2026-W11"]
    (row,) = body["rows"]
    assert row["key"] == f"resource-{overload.pk}"
    assert row["capacity_hours"] == [40.0, 40.0]
    assert row["load_hours"] == [64.0, 0.0]
    assert row["percent"] == [160.0, 0.0]
    assert row["overloaded"] == [True, False]
    (conflict,) = body["conflicts"]
    assert conflict["resource"]["name"] == "Alice Martin"
    assert conflict["period_index"] == 0
    assert conflict["sentence"] == (
        "Alice Martin is at 160 % in week 10 of 2026: New CRM, Build 100 %; "
        "HR self-service, Train 60 %"
    )
    assert [
        (part["project"]["code"], part["task_name"], part["hours"], part["percent"])
        for part in conflict["contributions"]
    ] == [("CRM", "Build", 40.0, 100.0), ("HR", "Train", 24.0, 60.0)]


def test_capacity_hides_the_projects_the_caller_may_not_see(
    api: ApiFactory, world: World, overload: Resource
) -> None:
    body = api(world.project_manager).get("/capacity", **WINDOW).json()
    (conflict,) = body["conflicts"]
    assert conflict["percent"] == 160.0
    labels = [part["label"] for part in conflict["contributions"]]
    assert labels == ["New CRM, Build 100 %", "other projects 60 %"]
    assert "HR" not in conflict["sentence"]


def test_capacity_cell_lists_the_tasks_behind_it(
    api: ApiFactory, world: World, overload: Resource
) -> None:
    client = api(world.pmo)
    cell = client.get("/capacity/cell", key=f"resource-{overload.pk}", index=0, **WINDOW)
    assert cell.status_code == 200, cell.content
    body = cell.json()
    assert body["percent"] == 160.0
    assert body["period"] == "week 10 of 2026"
    assert [part["task_id"] for part in body["contributions"]] == list(
        Task.objects.order_by("project__code").values_list("pk", flat=True)
    )
    missing = client.get("/capacity/cell", key=f"resource-{overload.pk}", index=9, **WINDOW)
    assert missing.status_code == 404


def test_capacity_by_role_counts_role_demand(api: ApiFactory, world: World) -> None:
    role = _role(world)
    _person(world, role=role)
    services.role_demand_set(
        actor=world.admin,
        project=world.sibling_project,
        role=role,
        month=dt.date(2026, 4, 1),
        units=Decimal(2),
    )
    body = (
        api(world.pmo)
        .get("/capacity", start="2026-04-01", finish="2026-04-30", period="month", group_by="role")
        .json()
    )
    (row,) = body["rows"]
    assert row["label"] == "Java developer"
    assert row["load_hours"][0] == pytest.approx(2 * row["capacity_hours"][0])
    assert row["overloaded"] == [True]
    assert body["conflicts"] == []


def test_histogram_splits_the_load_by_project(
    api: ApiFactory, world: World, overload: Resource
) -> None:
    response = api(world.pmo).get(f"/resources/{overload.pk}/histogram", **WINDOW)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["periods"] == ["2026-W10", "2026-W11"]
    assert body["capacity_hours"] == [40.0, 40.0]
    assert {series["label"]: series["hours"] for series in body["series"]} == {
        "New CRM": [40.0, 0.0],
        "HR self-service": [24.0, 0.0],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-10", "finish": "2026-03-01"}, "finish"),
        ({"start": "2026-01-01", "finish": "2030-01-01"}, "finish"),
        ({"period": "day"}, "period"),
        ({"group_by": "country"}, "group_by"),
        ({"role": 999999}, "role"),
        ({"start": "yesterday"}, "start"),
    ],
)
def test_capacity_bad_filters_are_named(
    api: ApiFactory, world: World, params: dict[str, Any], field: str
) -> None:
    response = api(world.pmo).get("/capacity", **params)
    assert response.status_code == 422, response.content
    assert set(error_of(response)["fields"]) == {field}


def test_capacity_defaults_to_half_a_year_from_this_week(api: ApiFactory, world: World) -> None:
    body = api(world.viewer).get("/capacity").json()
    start = dt.date.fromisoformat(body["start"])
    assert start.weekday() == 0
    assert start <= dt.date.today() < start + dt.timedelta(days=7)
    assert len(body["periods"]) == 26
