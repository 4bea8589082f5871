"""The demo portfolio: realistic, reproducible, built through the services, all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from pilotage.accounts.models import Membership, Role, User
from pilotage.accounts.permissions import Action, can
from pilotage.core.models import HistoryAction, HistoryEntry
from pilotage.demo import data
from pilotage.demo.builder import DemoDataPresentError, build_demo, plan_demo
from pilotage.portfolio.models import (
    HealthRag,
    Portfolio,
    Programme,
    Project,
    ProjectPhase,
    ProjectStatus,
    StrategicObjective,
)
from pilotage.portfolio.selectors import project_list
from tests.factories import PortfolioFactory, UserFactory

TODAY = dt.date(2026, 3, 11)
MONDAY = dt.date(2026, 3, 9)


def _digest() -> str:
    """A fingerprint of everything the demo decides, ids excluded."""
    projects = [
        [
            p.code,
            p.name,
            p.description,
            p.portfolio.code,
            p.programme.code if p.programme else None,
            p.sponsor.username,
            p.manager.username,
            p.phase,
            p.status,
            p.priority,
            str(p.budget),
            p.currency,
            p.health,
            p.health_reason,
            str(p.start_date),
            str(p.finish_date),
            sorted(o.code for o in p.objectives.all()),
            sorted(t.name for t in p.tags.all()),
        ]
        for p in Project.objects.select_related("portfolio", "programme", "sponsor", "manager")
        .prefetch_related("objectives", "tags")
        .order_by("code")
    ]
    memberships = sorted(
        [m.user.username, m.role, str(m.scope.code if m.scope else "")]
        for m in Membership.objects.select_related("user", "portfolio", "programme", "project")
    )
    edits = sorted(
        [e.object_repr, e.actor_name, json.dumps(e.changes, sort_keys=True)]
        for e in HistoryEntry.objects.filter(action=HistoryAction.UPDATED)
    )
    text = json.dumps([projects, memberships, edits])
    return hashlib.sha256(text.encode()).hexdigest()


def _build_digest_and_roll_back(seed: int) -> str:
    with transaction.atomic():
        build_demo(seed=seed, today=TODAY, with_plans=False)
        digest = _digest()
        transaction.set_rollback(True)
    return digest


@pytest.fixture
def small_demo(db: None) -> None:
    # The plans have their own tests (test_plans.py); these are about the portfolio.
    build_demo(seed=42, today=TODAY, with_plans=False)


def test_small_demo_has_three_portfolios_and_a_demo_administrator(small_demo: None) -> None:
    assert Portfolio.objects.count() == 3
    assert 4 <= Programme.objects.count() <= 5
    assert Project.objects.count() >= 28
    demo = User.objects.get(username=data.DEMO_USERNAME)
    assert demo.check_password(data.DEMO_PASSWORD)
    assert (demo.first_name, demo.last_name) == ("Demo", "User")
    assert not demo.is_superuser
    assert Membership.objects.filter(
        user=demo, role=Role.ADMINISTRATOR, portfolio=None, programme=None, project=None
    ).exists()
    assert project_list(user=demo).count() == Project.objects.count()


def test_small_demo_people_sign_in_with_the_demo_password(small_demo: None) -> None:
    people = User.objects.exclude(username=data.DEMO_USERNAME)
    assert 10 <= people.count() <= 14
    assert all(person.check_password(data.DEMO_PASSWORD) for person in people)


def test_small_demo_roles_give_each_person_their_own_view(small_demo: None) -> None:
    everything = Project.objects.count()
    viewer = User.objects.get(username="claire.dubois")
    compliance = Project.objects.filter(portfolio__code="COMPLIANCE")
    assert set(project_list(user=viewer)) == set(compliance)
    assert not any(can(viewer, Action.CHANGE, p) for p in compliance)
    executive = User.objects.get(username="isabelle.moreau")
    assert project_list(user=executive).count() == everything
    portfolio_manager = User.objects.get(username="sophie.bernard")
    assert set(project_list(user=portfolio_manager)) >= set(
        Project.objects.filter(portfolio__code="DIGITAL")
    )
    for project in Project.objects.select_related("manager", "sponsor"):
        assert can(project.manager, Action.CHANGE, project), project.code
        assert can(project.sponsor, Action.VIEW, project), project.code


def test_small_demo_covers_every_phase_status_and_health(small_demo: None) -> None:
    projects = list(Project.objects.prefetch_related("objectives", "tags"))
    assert {p.phase for p in projects} == set(ProjectPhase.values)
    assert {p.status for p in projects} == set(ProjectStatus.values)
    health = [p.health for p in projects]
    assert health.count(HealthRag.GREEN) > len(projects) / 2
    assert HealthRag.AMBER in health
    assert HealthRag.RED in health
    for project in projects:
        assert bool(project.health_reason) == (project.health != HealthRag.GREEN), project.code
        assert project.objectives.exists(), project.code
        assert project.tags.exists(), project.code
    assert {p.currency for p in projects} >= {"EUR", "GBP", "USD", "CHF"}
    assert len({p.manager_id for p in projects}) >= 4


def test_small_demo_dates_run_from_last_year_to_the_next_eighteen_months(
    small_demo: None,
) -> None:
    projects = list(Project.objects.all())
    assert min(p.start_date for p in projects) >= dt.date(TODAY.year - 1, 1, 1)
    assert max(p.finish_date for p in projects) <= TODAY + dt.timedelta(days=548)
    assert all(p.start_date.weekday() == 0 and p.finish_date.weekday() == 4 for p in projects)
    soon = [p for p in projects if TODAY <= p.finish_date <= TODAY + dt.timedelta(days=90)]
    assert soon
    closed = [p for p in projects if p.phase == ProjectPhase.CLOSED]
    assert all(p.finish_date < TODAY for p in closed)


def test_small_demo_links_projects_to_five_weighted_objectives(small_demo: None) -> None:
    objectives = list(StrategicObjective.objects.all())
    assert len(objectives) == 5
    assert len({o.weight for o in objectives}) > 1
    assert all(o.projects.exists() for o in objectives)


def test_small_demo_has_a_history_with_later_edits_by_project_managers(
    small_demo: None,
) -> None:
    assert HistoryEntry.objects.filter(action=HistoryAction.CREATED).count() >= (
        Project.objects.count() + Portfolio.objects.count()
    )
    edits = HistoryEntry.objects.filter(action=HistoryAction.UPDATED).select_related("actor")
    assert edits.count() >= 5
    changed = {c["field"] for e in edits for c in e.changes}
    assert {"health", "health_reason", "finish_date"} <= changed
    managers = {p.pk: p.manager_id for p in Project.objects.all()}
    by_manager = [e for e in edits if e.actor_id == managers.get(int(e.object_id))]
    assert len(by_manager) >= 4


def test_same_seed_builds_identical_data_and_another_seed_differs(db: None) -> None:
    first = _build_digest_and_roll_back(42)
    assert Project.objects.count() == 0
    assert _build_digest_and_roll_back(42) == first
    assert _build_digest_and_roll_back(7) != first


def test_plan_is_the_same_for_a_seed_and_moves_with_the_week() -> None:
    assert plan_demo(seed=3, today=TODAY) == plan_demo(seed=3, today=MONDAY)
    later = plan_demo(seed=3, today=TODAY + dt.timedelta(weeks=1))
    first = plan_demo(seed=3, today=TODAY)
    assert [p.code for p in later.projects] == [p.code for p in first.projects]
    assert all(
        b.start_date - a.start_date == dt.timedelta(weeks=1)
        for a, b in zip(first.projects, later.projects, strict=True)
    )


def test_demo_refuses_a_database_that_already_holds_portfolios(db: None) -> None:
    PortfolioFactory()
    with pytest.raises(DemoDataPresentError):
        build_demo(today=TODAY)
    assert not User.objects.filter(username=data.DEMO_USERNAME).exists()


def test_demo_is_all_or_nothing(db: None) -> None:
    # A person of the demo already exists: the build fails part-way and leaves nothing behind.
    UserFactory(username=data.PEOPLE[-1].username)
    with pytest.raises(ValidationError):
        build_demo(today=TODAY)
    assert User.objects.count() == 1
    assert not Portfolio.objects.exists()
    assert not HistoryEntry.objects.exists()


def test_large_plan_has_the_announced_proportions() -> None:
    plan = plan_demo(size="large", seed=42, today=TODAY)
    assert len(plan.projects) == 2000
    assert len(plan.portfolios) == 12
    assert len(plan.programmes) == 60
    assert len(plan.people) == 250
    assert len({p.code for p in plan.projects}) == 2000
    assert plan == plan_demo(size="large", seed=42, today=TODAY)
    assert plan != plan_demo(size="large", seed=43, today=TODAY)


def test_every_large_portfolio_runs_known_kinds_of_project() -> None:
    topics = {topic.name for topic in data.TOPICS}
    assert {p.code for p in data.LARGE_PORTFOLIOS} == set(data.PORTFOLIO_TOPICS)
    assert all(set(names) <= topics for names in data.PORTFOLIO_TOPICS.values())


def test_large_demo_builds_through_the_services(db: None) -> None:
    result = build_demo(size="large", seed=5, today=TODAY, project_count=150, with_plans=False)
    assert Project.objects.count() == result.projects == 150
    assert Portfolio.objects.count() == result.portfolios == 3
    assert Programme.objects.count() == result.programmes >= 3
    assert User.objects.count() == result.people
    assert HistoryEntry.objects.filter(action=HistoryAction.CREATED).count() >= 150
    demo = User.objects.get(username=data.DEMO_USERNAME)
    assert project_list(user=demo).count() == 150
    for project in Project.objects.select_related("manager", "sponsor", "programme"):
        assert can(project.manager, Action.CHANGE, project), project.code
        assert can(project.sponsor, Action.VIEW, project), project.code
        assert project.programme is None or project.programme.portfolio_id == project.portfolio_id


def test_progress_reaches_the_total(demo_build: list[tuple[int, int]], db: None) -> None:
    # Last of the module: the shared build of the demo (tests/demo/conftest.py) reported it.
    calls = demo_build
    assert calls[0][0] == 0
    assert calls[-1][0] == calls[-1][1]
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
