"""Build the demo portfolio through the services, so that it carries a history like real data.

The builder first draws a plan from a seeded random generator (pure data, no database), then
applies it through the account and portfolio services in one transaction. Everything is decided
by the seed except the dates, which are counted in weeks from the Monday of ``today``'s week so
that the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts import services as account_services
from pilotage.accounts.models import Role
from pilotage.accounts.permissions import ROLE_ACTIONS, Action, Operator
from pilotage.core.errors import NotFoundError
from pilotage.demo import data, finance, meetings, plans, risks, staffing
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio import services as portfolio_services
from pilotage.portfolio.models import HealthRag, ProjectPhase, ProjectStatus

Progress = Callable[[int, int], None]

SMALL = "small"
LARGE = "large"
SIZES = (SMALL, LARGE)
DEFAULT_SEED = 42
LARGE_PROJECT_COUNT = 2000
# Proportions of the large demo for 2,000 projects: 12 portfolios, 60 programmes, 250 people.
LARGE_PROJECTS_PER_PORTFOLIO = 2000 / 12
LARGE_PROJECTS_PER_PROGRAMME = 2000 / 60
LARGE_PROJECTS_PER_PERSON = 2000 / 250


class DemoDataPresentError(Exception):
    """The database already holds portfolio data or the demo account."""


@dataclass(frozen=True)
class DemoResult:
    """What the builder created."""

    size: str
    seed: int
    people: int
    portfolios: int
    programmes: int
    projects: int
    edits: int


# The plan -----------------------------------------------------------------------------------


@dataclass
class _Person:
    username: str
    first_name: str
    last_name: str
    password: str | None


@dataclass
class _Role:
    """A membership to create; ``kind`` is "", "portfolio", "programme" or "project"."""

    username: str
    role: str
    kind: str = ""
    code: str = ""


@dataclass
class _Portfolio:
    code: str
    name: str
    description: str
    owner: str


@dataclass
class _Programme:
    code: str
    portfolio: str
    name: str
    description: str
    sponsor: str
    manager: str


@dataclass
class _Project:
    code: str
    name: str
    description: str
    portfolio: str
    programme: str | None
    sponsor: str
    manager: str
    phase: str
    status: str
    priority: int
    start_date: dt.date
    finish_date: dt.date
    budget: Decimal
    currency: str
    tags: tuple[str, ...]
    objectives: tuple[str, ...]
    health: str = HealthRag.GREEN
    health_reason: str = ""


@dataclass
class _Edit:
    """A later change to a project, made by ``actor`` through ``project_update``."""

    code: str
    actor: str
    changes: dict[str, Any]


@dataclass
class DemoPlan:
    """Everything the demo will create, drawn from the seed before touching the database."""

    people: list[_Person] = field(default_factory=list)
    roles: list[_Role] = field(default_factory=list)
    objectives: list[data.ObjectiveEntry] = field(default_factory=list)
    portfolios: list[_Portfolio] = field(default_factory=list)
    programmes: list[_Programme] = field(default_factory=list)
    projects: list[_Project] = field(default_factory=list)
    edits: list[_Edit] = field(default_factory=list)

    def steps(self) -> int:
        """How much work the plan is, in units of about one service call."""
        return (
            sum(_person_steps(p) for p in self.people)
            + len(self.roles)
            + len(self.objectives)
            + len(self.portfolios)
            + len(self.programmes)
            + len(self.projects)
            + len(self.edits)
        )


# Hashing a password costs about as much as 25 other service calls.
PASSWORD_STEPS = 25


def _person_steps(person: _Person) -> int:
    return PASSWORD_STEPS if person.password else 1


def _monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday())


class _Calendar:
    """Turns week offsets into dates: projects start on a Monday and finish on a Friday."""

    def __init__(self, today: dt.date) -> None:
        self.monday = _monday(today)

    def start(self, week: int) -> dt.date:
        return self.monday + dt.timedelta(weeks=week)

    def finish(self, week: int) -> dt.date:
        return self.monday + dt.timedelta(weeks=week, days=4)

    def slip(self, finish: dt.date, weeks: int) -> dt.date:
        """``finish`` moved ``weeks`` later, but not beyond the horizon."""
        return min(finish + dt.timedelta(weeks=weeks), self.finish(HORIZON_WEEKS))


# Start and finish, in weeks from the current week, by phase: closed projects finished during
# the past year, proposals start in the coming months, nothing finishes beyond 18 months.
HORIZON_WEEKS = 78
_PHASE_WEEKS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    ProjectPhase.PROPOSAL: ((8, 26), (30, 60)),
    ProjectPhase.INITIATION: ((-4, 4), (30, 70)),
    ProjectPhase.PLANNING: ((-12, 2), (26, 70)),
    ProjectPhase.EXECUTION: ((-56, -6), (13, 78)),
    ProjectPhase.CLOSING: ((-56, -26), (-1, 11)),
    ProjectPhase.CLOSED: ((-56, -40), (-30, -4)),
}
# Share of projects in execution that finish within the next 90 days (13 weeks).
_EXECUTION_FINISHING_SOON = 0.3


def _weeks(rng: random.Random, phase: str) -> tuple[int, int]:
    (start_low, start_high), (finish_low, finish_high) = _PHASE_WEEKS[phase]
    if phase == ProjectPhase.EXECUTION and rng.random() < _EXECUTION_FINISHING_SOON:
        finish_low, finish_high = 1, 12
    start = rng.randint(start_low, start_high)
    if phase in (ProjectPhase.PROPOSAL, ProjectPhase.INITIATION, ProjectPhase.PLANNING):
        finish = min(start + rng.randint(finish_low, finish_high), HORIZON_WEEKS)
    else:
        finish = rng.randint(finish_low, finish_high)
    return start, max(finish, start)


def _budget(rng: random.Random, thousands: int) -> Decimal:
    """A budget near ``thousands`` × 1,000, rounded to 5,000."""
    amount = thousands * 1000 * rng.uniform(0.8, 1.25)
    return Decimal(max(5, round(amount / 5000)) * 5000)


# Roles that let their holder change the projects in their scope.
_CHANGING_ROLES = frozenset(
    role for role, actions in ROLE_ACTIONS.items() if Action.CHANGE in actions
)


def _covers(roles: Iterable[_Role], project: _Project, *, changing: bool = False) -> bool:
    """Whether one of these roles applies to ``project`` (and lets its holder change it)."""
    for role in roles:
        if changing and role.role not in _CHANGING_ROLES:
            continue
        if (
            role.kind == ""
            or (role.kind == "portfolio" and role.code == project.portfolio)
            or (role.kind == "programme" and role.code == project.programme)
            or (role.kind == "project" and role.code == project.code)
        ):
            return True
    return False


def _project_roles(plan: DemoPlan) -> None:
    """Give managers a role on the projects they run and sponsors a view of what they sponsor,
    unless a role they hold higher up already does."""
    held: dict[str, list[_Role]] = {}
    for role in plan.roles:
        held.setdefault(role.username, []).append(role)
    for project in plan.projects:
        needs = (
            (project.manager, Role.PROJECT_MANAGER, True),
            (project.sponsor, Role.EXECUTIVE, False),
        )
        for username, role_name, changing in needs:
            roles = held.setdefault(username, [])
            if not _covers(roles, project, changing=changing):
                role = _Role(username, role_name, "project", project.code)
                roles.append(role)
                plan.roles.append(role)


class _ManagerPicker:
    """Spreads projects evenly over the managers who may run them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.load: dict[str, int] = {}

    def take(self, username: str) -> str:
        self.load[username] = self.load.get(username, 0) + 1
        return username

    def pick(self, candidates: Sequence[str]) -> str:
        lowest = min(self.load.get(c, 0) for c in candidates)
        return self.take(self.rng.choice([c for c in candidates if self.load.get(c, 0) == lowest]))


def _roster(plan: DemoPlan) -> None:
    """The demo account and the named people, all with the demo password."""
    for person in (data.DEMO_PERSON, *data.PEOPLE):
        plan.people.append(
            _Person(person.username, person.first_name, person.last_name, data.DEMO_PASSWORD)
        )
    plan.roles.extend(_Role(r.username, r.role) for r in data.ORGANISATION_ROLES)
    plan.objectives.extend(data.OBJECTIVES)


def _plan_small(rng: random.Random, today: dt.date) -> DemoPlan:
    calendar = _Calendar(today)
    plan = DemoPlan()
    _roster(plan)
    programme_codes = {p.code for p in data.PROGRAMMES}
    for role in data.SCOPED_ROLES:
        kind = "programme" if role.scope in programme_codes else "portfolio"
        plan.roles.append(_Role(role.username, role.role, kind, role.scope))
    plan.portfolios.extend(
        _Portfolio(p.code, p.name, p.description, p.owner) for p in data.PORTFOLIOS
    )
    plan.programmes.extend(
        _Programme(p.code, p.portfolio, p.name, p.description, p.sponsor, p.manager)
        for p in data.PROGRAMMES
    )
    managers = _ManagerPicker(rng)
    programme_managers = {p.code: p.manager for p in data.PROGRAMMES}
    for entry in data.PROJECTS:
        start, finish = _weeks(rng, entry.phase)
        if entry.programme is not None and rng.random() < 0.5:
            manager = managers.take(programme_managers[entry.programme])
        else:
            manager = managers.pick(data.MANAGER_POOLS[entry.portfolio])
        plan.projects.append(
            _Project(
                code=entry.code,
                name=entry.name,
                description=entry.description,
                portfolio=entry.portfolio,
                programme=entry.programme,
                sponsor=entry.sponsor,
                manager=manager,
                phase=entry.phase,
                status=entry.status,
                priority=entry.priority,
                start_date=calendar.start(start),
                finish_date=calendar.finish(finish),
                budget=_budget(rng, entry.budget_thousands),
                currency=entry.currency,
                tags=entry.tags,
                objectives=entry.objectives,
            )
        )
    _project_roles(plan)
    _small_health_and_edits(rng, plan, calendar)
    return plan


def _small_health_and_edits(rng: random.Random, plan: DemoPlan, calendar: _Calendar) -> None:
    """Some projects amber or red, each with its reason, half of them reported by later edits."""
    risks = {entry.code: entry.risk for entry in data.PROJECTS}
    owners = {p.code: p.owner for p in plan.portfolios}
    open_projects = [p for p in plan.projects if p.phase != ProjectPhase.CLOSED]
    troubled = rng.sample(open_projects, 8)
    for index, project in enumerate(troubled):
        health = HealthRag.RED if index < 2 else HealthRag.AMBER
        if index % 2 == 0:
            project.health, project.health_reason = health, risks[project.code]
            continue
        changes: dict[str, Any] = {"health": health, "health_reason": risks[project.code]}
        if index in (1, 3):
            changes["finish_date"] = calendar.slip(project.finish_date, rng.randint(3, 6))
        plan.edits.append(_Edit(project.code, project.manager, changes))
    calm = [p for p in open_projects if p not in troubled]
    recovered, started, extended = rng.sample(
        [p for p in calm if p.phase == ProjectPhase.EXECUTION], 3
    )
    # Reported amber at creation, then back to green once the recovery plan worked.
    recovered.health, recovered.health_reason = HealthRag.AMBER, risks[recovered.code]
    plan.edits.append(
        _Edit(recovered.code, recovered.manager, {"health": HealthRag.GREEN, "health_reason": ""})
    )
    # Created while still being planned, then moved into execution by its manager.
    started.phase = ProjectPhase.PLANNING
    plan.edits.append(_Edit(started.code, started.manager, {"phase": ProjectPhase.EXECUTION}))
    # A change request approved by the portfolio manager: 10% more budget.
    plan.edits.append(
        _Edit(
            extended.code,
            owners[extended.portfolio],
            {"budget": (extended.budget * Decimal("1.1")).quantize(Decimal("1000"))},
        )
    )


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _generated_people(rng: random.Random, count: int, taken: set[str]) -> list[_Person]:
    """``count`` people with distinct usernames and no password (they never sign in)."""
    names = [(first, last) for first in data.FIRST_NAMES for last in data.LAST_NAMES]
    rng.shuffle(names)
    people: list[_Person] = []
    for first, last in names:
        if len(people) == count:
            break
        username = f"{_ascii(first)}.{_ascii(last)}"
        if username in taken:
            continue
        taken.add(username)
        people.append(_Person(username, first, last, None))
    return people


def _phase_and_status(rng: random.Random) -> tuple[str, str]:
    phase = rng.choices([p.value for p in ProjectPhase], weights=[8, 8, 14, 45, 10, 15])[0]
    if phase == ProjectPhase.PROPOSAL:
        return phase, ProjectStatus.PROPOSED
    if phase == ProjectPhase.CLOSED:
        cancelled = rng.random() < 0.15
        return phase, ProjectStatus.CANCELLED if cancelled else ProjectStatus.COMPLETED
    return phase, ProjectStatus.ON_HOLD if rng.random() < 0.05 else ProjectStatus.ACTIVE


def _plan_large(rng: random.Random, today: dt.date, project_count: int) -> DemoPlan:
    calendar = _Calendar(today)
    plan = DemoPlan()
    _roster(plan)
    portfolio_count = min(
        len(data.LARGE_PORTFOLIOS), max(3, round(project_count / LARGE_PROJECTS_PER_PORTFOLIO))
    )
    programme_count = min(
        5 * portfolio_count,
        max(portfolio_count, round(project_count / LARGE_PROJECTS_PER_PROGRAMME)),
    )
    roster_size = len(plan.people)
    people_count = max(
        roster_size + 2 * portfolio_count + 10, round(project_count / LARGE_PROJECTS_PER_PERSON)
    )
    taken = {p.username for p in plan.people}
    generated = _generated_people(rng, people_count - roster_size, taken)
    plan.people.extend(generated)

    # The three first portfolios are those of the small demo, run by the same named people.
    owners = [data.PORTFOLIOS[0].owner, data.PORTFOLIOS[1].owner, data.PORTFOLIOS[2].owner]
    directors = ["laurent.girard", "isabelle.moreau", "helene.marchand"]
    spare = iter(generated)
    for _ in range(3, portfolio_count):
        owners.append(next(spare).username)
        directors.append(next(spare).username)
    managers = [p.username for p in spare]
    managers += ["julien.fontaine", "emilie.garnier", "karim.benali", "anna.schmidt", "marco.rossi"]

    for index in range(portfolio_count):
        entry = data.LARGE_PORTFOLIOS[index]
        plan.portfolios.append(_Portfolio(entry.code, entry.name, entry.description, owners[index]))
        plan.roles.append(_Role(owners[index], Role.PORTFOLIO_MANAGER, "portfolio", entry.code))
        if index != 1:  # The COO is an executive of the whole organisation already.
            plan.roles.append(_Role(directors[index], Role.EXECUTIVE, "portfolio", entry.code))
    plan.roles.append(_Role("claire.dubois", Role.VIEWER, "portfolio", "COMPLIANCE"))

    programmes_of: dict[str, list[str]] = {p.code: [] for p in plan.portfolios}
    for number in range(programme_count):
        index = number % portfolio_count
        portfolio = plan.portfolios[index]
        name = data.LARGE_PORTFOLIOS[index].programmes[number // portfolio_count]
        code = f"{portfolio.code}-{number // portfolio_count + 1:02d}"
        manager = rng.choice(managers)
        plan.programmes.append(
            _Programme(
                code,
                portfolio.code,
                name,
                f"{name} ({portfolio.name}).",
                directors[index],
                manager,
            )
        )
        plan.roles.append(_Role(manager, Role.PROJECT_MANAGER, "programme", code))
        programmes_of[portfolio.code].append(code)

    programme_managers = {p.code: p.manager for p in plan.programmes}
    topics = {topic.name: topic for topic in data.TOPICS}
    picker = _ManagerPicker(rng)
    width = len(str(project_count))
    for number in range(1, project_count + 1):
        index = rng.randrange(portfolio_count)
        portfolio = plan.portfolios[index]
        choices = programmes_of[portfolio.code]
        programme = rng.choice(choices) if choices and rng.random() < 0.8 else None
        topic = topics[rng.choice(data.PORTFOLIO_TOPICS[portfolio.code])]
        site, currency = rng.choice(data.SITES)
        phase, status = _phase_and_status(rng)
        start, finish = _weeks(rng, phase)
        if programme is not None and rng.random() < 0.2:
            manager = picker.take(programme_managers[programme])
        else:
            manager = picker.pick(managers)
        project = _Project(
            code=f"PRJ-{number:0{max(width, 4)}d}",
            name=f"{topic.name} — {site}",
            description=f"{topic.description} Scope: {site}.",
            portfolio=portfolio.code,
            programme=programme,
            sponsor=rng.choice([directors[index], owners[index]]),
            manager=manager,
            phase=phase,
            status=status,
            priority=rng.choices([1, 2, 3, 4], weights=[10, 30, 40, 20])[0],
            start_date=calendar.start(start),
            finish_date=calendar.finish(finish),
            budget=_budget(rng, topic.budget_thousands),
            currency=currency,
            tags=topic.tags,
            objectives=topic.objectives,
        )
        if phase != ProjectPhase.CLOSED:
            draw = rng.random()
            if draw < 0.25:
                health = HealthRag.RED if draw < 0.07 else HealthRag.AMBER
                reason = rng.choice(topic.risks)
                if rng.random() < 0.15:
                    changes: dict[str, Any] = {"health": health, "health_reason": reason}
                    if rng.random() < 0.5:
                        slip = rng.randint(2, 8)
                        changes["finish_date"] = calendar.slip(project.finish_date, slip)
                    plan.edits.append(_Edit(project.code, project.manager, changes))
                else:
                    project.health, project.health_reason = health, reason
        plan.projects.append(project)
    _project_roles(plan)
    return plan


# Applying the plan --------------------------------------------------------------------------


def demo_data_present(*, actor: Any) -> bool:
    """Whether the database already holds portfolios or the demo account."""
    if portfolio_selectors.portfolio_list(user=actor).exists():
        return True
    try:
        account_selectors.user_get_by_username(data.DEMO_USERNAME, user=actor)
    except NotFoundError:
        return False
    return True


class _Applier:
    """Creates what the plan describes, in the order the permissions need."""

    def __init__(self, plan: DemoPlan, progress: Progress | None) -> None:
        self.plan = plan
        self.progress = progress
        self.total = plan.steps()
        self.done = 0
        self.operator: Any = Operator()
        self.users: dict[str, Any] = {}
        self.objectives: dict[str, Any] = {}
        self.portfolios: dict[str, Any] = {}
        self.programmes: dict[str, Any] = {}
        self.projects: dict[str, Any] = {}

    def step(self, weight: int = 1) -> None:
        self.done += weight
        if self.progress is not None:
            self.progress(self.done, self.total)

    def roles(self, kind: str) -> None:
        scopes = {
            "portfolio": self.portfolios,
            "programme": self.programmes,
            "project": self.projects,
        }
        for role in self.plan.roles:
            if role.kind != kind:
                continue
            scope = {kind: scopes[kind][role.code]} if kind else {}
            account_services.membership_create(
                actor=self.operator, user=self.users[role.username], role=role.role, **scope
            )
            self.step()

    def run(self) -> None:
        plan = self.plan
        if self.progress is not None:
            self.progress(0, self.total)
        for person in plan.people:
            self.users[person.username] = account_services.user_create(
                actor=self.operator,
                username=person.username,
                password=person.password,
                email=f"{person.username}@{data.EMAIL_DOMAIN}",
                first_name=person.first_name,
                last_name=person.last_name,
            )
            self.step(_person_steps(person))
        self.roles("")
        pmo = self.users[data.PMO_LEAD]
        for objective in plan.objectives:
            self.objectives[objective.code] = portfolio_services.objective_create(
                actor=pmo,
                code=objective.code,
                name=objective.name,
                description=objective.description,
                weight=objective.weight,
            )
            self.step()
        for portfolio in plan.portfolios:
            self.portfolios[portfolio.code] = portfolio_services.portfolio_create(
                actor=pmo,
                code=portfolio.code,
                name=portfolio.name,
                description=portfolio.description,
                owner=self.users[portfolio.owner],
            )
            self.step()
        self.roles("portfolio")
        owner_of = {p.code: self.users[p.owner] for p in plan.portfolios}
        for programme in plan.programmes:
            self.programmes[programme.code] = portfolio_services.programme_create(
                actor=owner_of[programme.portfolio],
                portfolio=self.portfolios[programme.portfolio],
                code=programme.code,
                name=programme.name,
                description=programme.description,
                sponsor=self.users[programme.sponsor],
                manager=self.users[programme.manager],
            )
            self.step()
        self.roles("programme")
        for project in plan.projects:
            self.projects[project.code] = portfolio_services.project_create(
                actor=owner_of[project.portfolio],
                portfolio=self.portfolios[project.portfolio],
                programme=self.programmes[project.programme] if project.programme else None,
                code=project.code,
                name=project.name,
                description=project.description,
                sponsor=self.users[project.sponsor],
                manager=self.users[project.manager],
                phase=project.phase,
                status=project.status,
                priority=project.priority,
                start_date=project.start_date,
                finish_date=project.finish_date,
                budget=project.budget,
                currency=project.currency,
                health=project.health,
                health_reason=project.health_reason,
                objectives=[self.objectives[code] for code in project.objectives],
                tags=project.tags,
            )
            self.step()
        self.roles("project")
        for edit in plan.edits:
            portfolio_services.project_update(
                actor=self.users[edit.actor], project=self.projects[edit.code], **edit.changes
            )
            self.step()


def plan_demo(
    *,
    size: str = SMALL,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    project_count: int = LARGE_PROJECT_COUNT,
) -> DemoPlan:
    """What :func:`build_demo` will create with these arguments (no database access)."""
    if size not in SIZES:
        raise ValueError(f"Unknown demo size: {size!r}")
    if project_count < 1:
        raise ValueError("project_count must be at least 1")
    # Reproducible on purpose: nothing secret is drawn from it.
    rng = random.Random(seed)  # noqa: S311
    today = today or timezone.localdate()
    if size == SMALL:
        return _plan_small(rng, today)
    return _plan_large(rng, today, project_count)


def build_demo(
    *,
    size: str = SMALL,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: Progress | None = None,
    project_count: int = LARGE_PROJECT_COUNT,
    with_plans: bool = True,
) -> DemoResult:
    """Create the demo portfolio in an empty database, all or nothing.

    ``size`` is "small" (about 35 hand-written projects in 3 portfolios) or "large"
    (``project_count`` generated projects, 2,000 by default, with portfolios, programmes and
    people in proportion). ``progress`` is called with (steps done, total steps). The
    projects get plans (see :mod:`pilotage.demo.plans`) unless ``with_plans`` is False, which
    is much quicker. Raises :class:`DemoDataPresentError` if portfolios or the demo account
    already exist.
    """
    plan = plan_demo(size=size, seed=seed, today=today, project_count=project_count)
    with transaction.atomic():
        if demo_data_present(actor=Operator()):
            raise DemoDataPresentError()
        applier = _Applier(plan, progress)
        applier.total += plans.plan_steps(plan.projects) if with_plans else 0
        applier.run()
        if with_plans:
            plans.build_plans(
                actor=applier.users[data.PMO_LEAD],
                projects=applier.projects.values(),
                today=today or timezone.localdate(),
                seed=seed,
                progress=applier.step,
            )
            staffing.build_staffing(
                actor=applier.users[data.PMO_LEAD],
                projects=applier.projects.values(),
                today=today or timezone.localdate(),
                seed=seed,
            )
            finance.build_finance(
                users=applier.users,
                projects=applier.projects.values(),
                today=today or timezone.localdate(),
                seed=seed,
            )
            risks.build_raid(
                users=applier.users,
                projects=applier.projects.values(),
                today=today or timezone.localdate(),
                seed=seed,
            )
            meetings.build_meetings(
                users=applier.users,
                projects=applier.projects.values(),
                today=today or timezone.localdate(),
                seed=seed,
            )
    return DemoResult(
        size=size,
        seed=seed,
        people=len(plan.people),
        portfolios=len(plan.portfolios),
        programmes=len(plan.programmes),
        projects=len(plan.projects),
        edits=len(plan.edits),
    )
