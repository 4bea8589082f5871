"""Staff the demo portfolio: departments, teams, roles, skills, people shared between projects.

People are drawn onto the tasks of the planned projects from their department's pool, each task
to whoever is least loaded over its dates, so that most weeks are busy but sustainable. A few
experts are wanted by several projects at once (the business analyst of the data projects, the
cloud architect, the SAP finance consultant): they end up over-allocated in some weeks, which is
what the capacity heat map and leveling are there to show and resolve. Someone is part time,
someone has a holiday on a personal calendar, some carry business-as-usual support, and the
proposals without a plan state their demand by role.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from unicodedata import normalize

from pilotage.accounts.models import User
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task, WorkCalendar
from pilotage.portfolio.models import Project, ProjectPhase
from pilotage.resources import services
from pilotage.resources.models import Department, JobRole, Resource, Skill, SkillLevel, Team

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "IT Delivery": ("Web and mobile", "Data and analytics"),
    "Business Applications": ("ERP", "Finance systems"),
    "Infrastructure": ("Cloud and network",),
    "Operations": ("Supply chain", "Quality"),
}
ROLES = (
    "Business analyst",
    "Senior Java developer",
    "Data engineer",
    "Cloud architect",
    "Network engineer",
    "SAP consultant",
    "Test engineer",
    "Change manager",
    "Supply chain engineer",
    "Quality engineer",
)
SKILLS: dict[str, str] = {
    "Java": "Development",
    "Python": "Development",
    "SQL": "Data",
    "Power BI": "Data",
    "AWS": "Cloud",
    "Azure": "Cloud",
    "Cisco networking": "Infrastructure",
    "SAP FI": "ERP",
    "SAP MM": "ERP",
    "Test automation": "Quality",
    "Change management": "Organisation",
    "Lean": "Operations",
    "ISO 9001": "Quality",
}


@dataclass(frozen=True)
class _Staff:
    name: str
    role: str
    department: str
    team: str
    skills: tuple[tuple[str, int], ...]
    rate: int  # euros per day
    email: str = ""


STAFF: tuple[_Staff, ...] = (
    _Staff(
        "Alice Martin",
        "Business analyst",
        "IT Delivery",
        "Data and analytics",
        (("SQL", 4), ("Power BI", 4), ("Change management", 2)),
        720,
    ),
    _Staff(
        "Hugo Lefebvre",
        "Senior Java developer",
        "IT Delivery",
        "Web and mobile",
        (("Java", 5), ("SQL", 3), ("AWS", 2)),
        780,
    ),
    _Staff(
        "Léa Mercier",
        "Senior Java developer",
        "IT Delivery",
        "Web and mobile",
        (("Java", 4), ("Test automation", 3)),
        700,
    ),
    _Staff(
        "Nicolas Faure",
        "Data engineer",
        "IT Delivery",
        "Data and analytics",
        (("Python", 4), ("SQL", 5), ("Azure", 3)),
        750,
    ),
    _Staff(
        "Sarah Cohen",
        "Test engineer",
        "IT Delivery",
        "Web and mobile",
        (("Test automation", 4), ("Python", 2)),
        600,
    ),
    _Staff(
        "Yanis Haddad",
        "Cloud architect",
        "Infrastructure",
        "Cloud and network",
        (("AWS", 5), ("Azure", 4), ("Python", 3)),
        950,
    ),
    _Staff(
        "Manon Blanc",
        "Network engineer",
        "Infrastructure",
        "Cloud and network",
        (("Cisco networking", 4), ("Azure", 2)),
        680,
    ),
    _Staff(
        "Pierre Gauthier",
        "Network engineer",
        "Infrastructure",
        "Cloud and network",
        (("Cisco networking", 3), ("AWS", 2)),
        640,
    ),
    _Staff(
        "Inès Robin",
        "SAP consultant",
        "Business Applications",
        "ERP",
        (("SAP FI", 5), ("SAP MM", 3)),
        900,
    ),
    _Staff(
        "Lucas Chevalier",
        "SAP consultant",
        "Business Applications",
        "ERP",
        (("SAP MM", 4), ("SAP FI", 2)),
        820,
    ),
    _Staff(
        "Chloé Perrin",
        "Business analyst",
        "Business Applications",
        "Finance systems",
        (("SAP FI", 3), ("SQL", 2), ("Change management", 3)),
        690,
    ),
    _Staff(
        "Mehdi Amrani",
        "Test engineer",
        "Business Applications",
        "Finance systems",
        (("Test automation", 3), ("SAP FI", 2)),
        580,
    ),
    _Staff(
        "Julie Lemaire",
        "Change manager",
        "Operations",
        "Quality",
        (("Change management", 5), ("Lean", 3)),
        760,
    ),
    _Staff(
        "Antoine Morel",
        "Supply chain engineer",
        "Operations",
        "Supply chain",
        (("Lean", 4), ("SAP MM", 2)),
        650,
    ),
    _Staff(
        "Élodie Vincent",
        "Quality engineer",
        "Operations",
        "Quality",
        (("ISO 9001", 5), ("Lean", 3)),
        640,
    ),
    _Staff(
        "Romain Giraud",
        "Supply chain engineer",
        "Operations",
        "Supply chain",
        (("Lean", 3), ("Power BI", 2)),
        620,
    ),
)
# Wanted by several projects at once: the sources of the demo's conflicts.
EXPERTS = ("Alice Martin", "Yanis Haddad", "Inès Robin")
# Which departments staff a portfolio's projects.
POOLS: dict[str, tuple[str, ...]] = {
    "DIGITAL": ("IT Delivery", "Infrastructure"),
    "OPERATIONS": ("Operations", "Infrastructure"),
    "COMPLIANCE": ("Business Applications", "Operations"),
}
# Most tasks are done by suppliers or by teams not staffed here; people are on part of them.
STAFFED_SHARE = 0.4
EXPERT_SHARE = 0.2
UNITS = (Decimal("0.25"), Decimal("0.5"), Decimal("0.5"), Decimal("1"))
# The share of their time people give to projects: part time, or business as usual.
AVAILABLE = {
    "Sarah Cohen": Decimal("0.8"),
    "Hugo Lefebvre": Decimal("0.8"),
    "Manon Blanc": Decimal("0.7"),
    "Lucas Chevalier": Decimal("0.8"),
}


def _email(name: str) -> str:
    plain = normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return plain.replace(" ", ".") + "@example.com"


class _Loads:
    """Units each person is booked for on each day, to pick the least loaded."""

    def __init__(self) -> None:
        self.days: dict[int, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))

    @staticmethod
    def _days(task: Task) -> list[dt.date]:
        assert task.start is not None
        assert task.finish is not None
        first, last = task.start.date(), task.finish.date()
        span = (last - first).days + 1
        every = (first + dt.timedelta(days=offset) for offset in range(span))
        return [day for day in every if day.weekday() < 5]

    def peak(self, resource: Resource, task: Task) -> float:
        booked = self.days[resource.pk]
        return max((booked[day] for day in self._days(task)), default=0.0)

    def add(self, resource: Resource, task: Task, units: float) -> None:
        booked = self.days[resource.pk]
        for day in self._days(task):
            booked[day] += units


def _organisation(
    actor: User,
) -> tuple[dict[str, Department], dict[str, Team], dict[str, JobRole], dict[str, Skill]]:
    departments: dict[str, Department] = {}
    teams: dict[str, Team] = {}
    for department_name, team_names in DEPARTMENTS.items():
        department = services.organisation_item_create(
            actor=actor, model=Department, name=department_name
        )
        assert isinstance(department, Department)
        departments[department_name] = department
        for team_name in team_names:
            team = services.organisation_item_create(
                actor=actor, model=Team, name=team_name, department=department
            )
            assert isinstance(team, Team)
            teams[team_name] = team
    roles: dict[str, JobRole] = {}
    for role_name in ROLES:
        role = services.organisation_item_create(actor=actor, model=JobRole, name=role_name)
        assert isinstance(role, JobRole)
        roles[role_name] = role
    skills: dict[str, Skill] = {}
    for skill_name, category in SKILLS.items():
        skill = services.organisation_item_create(
            actor=actor, model=Skill, name=skill_name, category=category
        )
        assert isinstance(skill, Skill)
        skills[skill_name] = skill
    return departments, teams, roles, skills


def _people(actor: User, calendar: WorkCalendar | None, today: dt.date) -> dict[str, Resource]:
    departments, teams, roles, skills = _organisation(actor)
    people: dict[str, Resource] = {}
    for staff in STAFF:
        resource = services.resource_create(
            actor=actor,
            name=staff.name,
            email=_email(staff.name),
            role=roles[staff.role],
            department=departments[staff.department],
            team=teams[staff.team],
            calendar=calendar,
            standard_rate=Decimal(staff.rate),
            standard_rate_unit="d",
        )
        services.rate_set(
            actor=actor,
            resource=resource,
            effective_from=dt.date(today.year + 1, 1, 1),
            standard_rate=Decimal(round(staff.rate * 1.03)),
            standard_rate_unit="d",
        )
        for skill_name, level in staff.skills:
            services.resource_skill_set(
                actor=actor, resource=resource, skill=skills[skill_name], level=SkillLevel(level)
            )
        people[staff.name] = resource
    monday = today - dt.timedelta(days=today.weekday())
    # Part time, then parental leave and a return part time.
    services.capacity_set(
        actor=actor,
        resource=people["Sarah Cohen"],
        effective_from=monday - dt.timedelta(weeks=52 * 3),
        units=AVAILABLE["Sarah Cohen"],
    )
    faure = people["Nicolas Faure"]
    services.capacity_set(
        actor=actor,
        resource=faure,
        effective_from=monday + dt.timedelta(weeks=10),
        units=Decimal(0),
    )
    services.capacity_set(
        actor=actor,
        resource=faure,
        effective_from=monday + dt.timedelta(weeks=14),
        units=Decimal("0.5"),
    )
    services.capacity_set(
        actor=actor,
        resource=faure,
        effective_from=monday + dt.timedelta(weeks=22),
        units=Decimal(1),
    )
    for name, activity in (
        ("Hugo Lefebvre", "Production support of the web shop"),
        ("Manon Blanc", "Network operations on call"),
        ("Lucas Chevalier", "ERP run and month-end close"),
    ):
        services.non_project_load_create(
            actor=actor,
            resource=people[name],
            name=activity,
            units=1 - AVAILABLE[name],
            start=monday - dt.timedelta(weeks=52 * 3),
        )
    if calendar is not None:
        personal = planning_services.calendar_create(actor=actor, name="Léa Mercier", base=calendar)
        planning_services.exception_create(
            actor=actor,
            calendar=personal,
            name="Summer holiday",
            start=monday + dt.timedelta(weeks=6),
            finish=monday + dt.timedelta(weeks=8, days=-3),
        )
        services.resource_update(actor=actor, resource=people["Léa Mercier"], calendar=personal)
    generic = services.resource_create(
        actor=actor,
        name="Senior Java developer (to hire)",
        role=roles["Senior Java developer"],
        department=departments["IT Delivery"],
        is_generic=True,
        standard_rate=Decimal(750),
        standard_rate_unit="d",
    )
    people[generic.name] = generic
    return people


def _pool(project: Project, people: dict[str, Resource]) -> list[Resource]:
    departments = POOLS.get(project.portfolio.code.upper(), tuple(DEPARTMENTS))
    return [
        person
        for person in people.values()
        if not person.is_generic and person.department and person.department.name in departments
    ]


def _staff_project(
    actor: User,
    project: Project,
    people: dict[str, Resource],
    loads: _Loads,
    rng: random.Random,
) -> int:
    tasks = list(
        Task.objects.filter(
            project=project, is_summary=False, is_milestone=False, start__isnull=False
        ).order_by("position")
    )
    pool = _pool(project, people)
    if not tasks or not pool:
        return 0
    # A project works with a small team: three or four people of its pool.
    team = rng.sample(pool, k=min(len(pool), rng.choice((3, 4))))
    experts = [people[name] for name in EXPERTS if people[name] in pool]
    rows: list[tuple[Task, Resource, Decimal]] = []
    for task in tasks:
        # Work around the clock (a cutover weekend, a permit's waiting time) is not staffed.
        if task.duration_unit.startswith("e") or rng.random() >= STAFFED_SHARE:
            continue
        wanted = rng.choice(UNITS)
        if experts and rng.random() < EXPERT_SHARE:
            person = rng.choice(experts)
        else:
            person = min(team, key=lambda member: (loads.peak(member, task), member.name))
        units = min(wanted, AVAILABLE.get(person.name, Decimal(1)))
        loads.add(person, task, float(units))
        rows.append((task, person, units))
    services.assignments_add(actor=actor, project=project, rows=rows)
    return len(rows)


def _role_demand(
    actor: User,
    projects: Iterable[Project],
    roles: dict[str, JobRole],
    today: dt.date,
    rng: random.Random,
) -> None:
    first = today.replace(day=1)
    for project in projects:
        if project.phase != ProjectPhase.PROPOSAL:
            continue
        wanted = rng.sample(sorted(roles), k=3)
        start = rng.randint(1, 3)
        for offset in range(start, start + rng.randint(3, 6)):
            month = (first + dt.timedelta(days=31 * offset)).replace(day=1)
            for position, role_name in enumerate(wanted):
                units = Decimal(("1", "0.5", "2", "1.5")[(offset + position) % 4])
                services.role_demand_set(
                    actor=actor, project=project, role=roles[role_name], month=month, units=units
                )


def build_staffing(
    *, actor: User, projects: Iterable[Project], today: dt.date, seed: int = 42
) -> int:
    """Create the organisation and its people, staff the planned projects' tasks and record
    the proposals' role demand. Returns how many assignments were made."""
    projects = sorted(projects, key=lambda project: project.code)
    calendar = WorkCalendar.objects.filter(project__isnull=True).order_by("pk").first()
    people = _people(actor, calendar, today)
    roles = {role.name: role for role in JobRole.objects.all()}
    # Reproducible on purpose: nothing secret is drawn from it.
    rng = random.Random(f"{seed}:staffing")  # noqa: S311
    loads = _Loads()
    made = 0
    for project in projects:
        made += _staff_project(actor, project, people, loads, rng)
    _role_demand(actor, projects, roles, today, rng)
    return made
