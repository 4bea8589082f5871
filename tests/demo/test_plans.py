"""The demo's project plans: realistic, progressed up to today, built through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F

from pilotage.accounts.models import User
from pilotage.demo import data, plans
from pilotage.demo.builder import plan_demo
from pilotage.planning.models import (
    Baseline,
    BaselineTask,
    Dependency,
    ProjectPlan,
    Task,
    WorkCalendar,
)
from pilotage.portfolio.models import Project, ProjectPhase, ProjectStatus
from pilotage.risks.models import ChangeRequest

TODAY = dt.date(2026, 3, 11)
STATUS_DATE = dt.datetime(2026, 3, 11, 17, 0)


@pytest.fixture
def _built(demo_build: list[tuple[int, int]]) -> None:
    """The shared demo build (tests/demo/conftest.py)."""


@pytest.fixture
def demo(_built: None, db: None) -> None:
    """The small demo with its plans; each test runs in its own savepoint."""


def _executing() -> list[Project]:
    projects = list(Project.objects.filter(phase=ProjectPhase.EXECUTION).order_by("code"))
    assert len(projects) >= 10
    return projects


def _fingerprint(project: Project) -> list[Any]:
    tasks = [
        [
            t.position,
            t.outline_level,
            t.name,
            t.is_milestone,
            t.duration_minutes,
            t.duration_unit,
            t.constraint_type,
            t.constraint_date,
            t.deadline,
            t.percent_complete,
            t.actual_start,
            t.actual_finish,
            t.start,
            t.finish,
        ]
        for t in Task.objects.filter(project=project).order_by("position")
    ]
    links = sorted(
        Dependency.objects.filter(successor__project=project).values_list(
            "predecessor__position", "successor__position", "type", "lag_minutes", "lag_unit"
        )
    )
    return [tasks, links]


def test_every_project_but_the_proposals_has_a_plan_on_the_french_calendar(demo: None) -> None:
    calendar = WorkCalendar.objects.get(project=None, name=plans.CALENDAR_NAME)
    assert calendar.holiday_country == "FR"
    assert calendar.exceptions.exists()
    for project in Project.objects.all():
        has_tasks = Task.objects.filter(project=project).exists()
        assert has_tasks == (project.phase != ProjectPhase.PROPOSAL), project.code
        if has_tasks:
            assert project.start_date is not None
            plan = ProjectPlan.objects.get(project=project)
            assert plan.calendar_id == calendar.pk, project.code
            assert plan.start == dt.datetime.combine(project.start_date, dt.time(8)), project.code


def test_executing_projects_have_phases_milestones_links_a_baseline_and_progress(
    demo: None,
) -> None:
    for project in _executing():
        tasks = Task.objects.filter(project=project)
        assert tasks.filter(is_summary=True, outline_level=1).count() >= 3, project.code
        assert tasks.filter(is_milestone=True).count() >= 3, project.code
        leaves = tasks.filter(is_summary=False)
        links = Dependency.objects.filter(successor__project=project)
        assert links.count() >= leaves.count() - 1, project.code
        baseline = Baseline.objects.get(project=project, is_primary=True)
        assert BaselineTask.objects.filter(baseline=baseline).count() == tasks.count()
        assert leaves.filter(percent_complete=100).exists(), project.code
        plan = ProjectPlan.objects.get(project=project)
        assert plan.status_date == STATUS_DATE, project.code
        assert plan.health_score is not None, project.code


def test_every_task_has_computed_dates(demo: None) -> None:
    assert Task.objects.exists()
    assert not Task.objects.filter(start=None).exists()
    assert not Task.objects.filter(finish=None).exists()
    assert not Task.objects.filter(finish__lt=F("start")).exists()


def test_progress_is_recorded_up_to_the_status_date(demo: None) -> None:
    in_progress = set()
    for project in _executing():
        leaves = Task.objects.filter(project=project, is_summary=False)
        for task in leaves:
            if task.percent_complete == 100:
                assert task.actual_finish is not None, task
                assert task.actual_finish <= STATUS_DATE, task
            elif task.percent_complete > 0:
                assert task.actual_start is not None, task
                assert task.actual_start < STATUS_DATE < task.finish, task
                in_progress.add(project.code)
            else:
                # Work not done yet is scheduled after the status date.
                assert task.start >= STATUS_DATE, task
    assert len(in_progress) >= 3


def test_closed_projects_are_complete_and_the_cancelled_one_stops_part_way(demo: None) -> None:
    closed = Project.objects.filter(phase=ProjectPhase.CLOSED)
    for project in closed.filter(status=ProjectStatus.COMPLETED):
        leaves = Task.objects.filter(project=project, is_summary=False)
        assert leaves.exists()
        assert not leaves.exclude(percent_complete=100).exists(), project.code
        plan = ProjectPlan.objects.get(project=project)
        assert plan.status_date == plan.finish < STATUS_DATE, project.code
    cancelled = closed.get(status=ProjectStatus.CANCELLED)
    assert cancelled.finish_date is not None
    leaves = Task.objects.filter(project=cancelled, is_summary=False)
    assert leaves.filter(percent_complete=100).exists()
    assert leaves.filter(percent_complete=0).exists()
    assert ProjectPlan.objects.get(project=cancelled).status_date == dt.datetime.combine(
        cancelled.finish_date, dt.time(17)
    )


def test_plans_not_yet_in_execution_have_no_baseline(demo: None) -> None:
    early = Project.objects.filter(phase__in=[ProjectPhase.INITIATION, ProjectPhase.PLANNING])
    assert early.exists()
    assert not Baseline.objects.filter(project__in=early).exists()


def test_baselines_fit_the_project_dates(demo: None) -> None:
    # A baseline captured by an approved change request is the changed plan, not the first one.
    changed = ChangeRequest.objects.exclude(baseline=None).values("baseline")
    for baseline in Baseline.objects.exclude(pk__in=changed).select_related("project"):
        project = baseline.project
        if project.status == ProjectStatus.CANCELLED:
            continue
        assert project.start_date is not None
        assert project.finish_date is not None
        # The first working day: a project may start on a holiday or in the year-end closure.
        assert 0 <= (baseline.start.date() - project.start_date).days <= 7, project.code
        # Whole days and fixed lags make the fit a little loose on long plans.
        tolerance = max(21, (project.finish_date - project.start_date).days // 20)
        assert abs((baseline.finish.date() - project.finish_date).days) <= tolerance, project.code


def test_some_plans_slip_against_their_baseline(demo: None) -> None:
    slipped = [
        project.code
        for project in _executing()
        if ProjectPlan.objects.get(project=project).finish
        > Baseline.objects.get(project=project, is_primary=True).finish
    ]
    assert slipped
    later = BaselineTask.objects.filter(
        baseline__is_primary=True, task__finish__gt=F("finish"), task__is_summary=False
    )
    assert later.exists()


def test_plans_use_the_whole_toolbox(demo: None) -> None:
    links = Dependency.objects.all()
    types = set(links.values_list("type", flat=True))
    assert {"FS", "SS", "FF"} <= types
    assert links.filter(type="FS").count() > links.exclude(type="FS").count()
    assert links.filter(lag_minutes__gt=0).exists()
    assert links.filter(lag_minutes__lt=0).exists()
    tasks = Task.objects.all()
    assert tasks.filter(duration_unit="ed", name="Concrete curing").exists()
    assert tasks.filter(constraint_type="SNET").exclude(constraint_date=None).exists()
    assert tasks.filter(constraint_type="FNLT").exclude(constraint_date=None).exists()
    assert (
        tasks.filter(is_milestone=True, name__startswith="Go-live").exclude(deadline=None).exists()
    )
    assert tasks.exclude(notes="").exists()


def test_a_link_joins_two_projects_of_one_programme(demo: None) -> None:
    crossing = Dependency.objects.exclude(predecessor__project=F("successor__project"))
    assert crossing.exists()
    for link in crossing.select_related("predecessor__project", "successor__project"):
        programme = link.predecessor.project.programme_id
        assert programme is not None
        assert link.successor.project.programme_id == programme


def test_the_erp_programme_is_a_large_plan_of_country_rollouts(demo: None) -> None:
    erp = Project.objects.get(code="REG-S4")
    tasks = Task.objects.filter(project=erp)
    assert tasks.count() >= 150
    assert tasks.filter(outline_level=3).count() >= 100
    countries = tasks.filter(is_milestone=True, name__startswith="Go-live ")
    assert countries.count() == len(plans.ERP_COUNTRIES)


def test_each_row_counts_as_one_step_of_progress(demo: None) -> None:
    assert plans.plan_steps(Project.objects.all()) == Task.objects.count()


def test_building_the_plans_again_adds_nothing(demo: None) -> None:
    counts = [Task.objects.count(), Dependency.objects.count(), Baseline.objects.count()]
    calendars = WorkCalendar.objects.count()
    actor = User.objects.get(username=data.PMO_LEAD)
    built = plans.build_plans(actor=actor, projects=Project.objects.all(), today=TODAY)
    assert built == 0
    assert [Task.objects.count(), Dependency.objects.count(), Baseline.objects.count()] == counts
    assert WorkCalendar.objects.count() == calendars


def test_a_plan_built_again_with_the_same_seed_is_the_same(demo: None) -> None:
    project = Project.objects.select_related("manager").get(code="OPS-MES")
    before = _fingerprint(project)
    Task.objects.filter(project=project).delete()
    Baseline.objects.filter(project=project).delete()
    actor = User.objects.get(username=data.PMO_LEAD)
    assert plans.build_plans(actor=actor, projects=[project], today=TODAY, seed=42) == 1
    assert _fingerprint(project) == before


# The templates, without the database ---------------------------------------------------------


@pytest.mark.parametrize("name", [*plans.TEMPLATES, *plans.TOPIC_TEMPLATES])
def test_every_template_draws_a_closed_network_of_phases(name: str) -> None:
    rows = plans.template_rows(name)
    phases = [row for row in rows if row.step is None and row.level == 1]
    assert 3 <= len(phases) <= 6
    for phase in phases:
        end = next((r.position for r in rows if r.level == 1 and r.position > phase.position), 0)
        children = [r for r in rows[phase.position : end - 1 if end else None] if r.level == 2]
        assert 4 <= len(children) <= 10, phase.name
    leaves = [row for row in rows if row.step is not None]
    followed = {link.position for row in leaves for link in row.links}
    assert not leaves[0].links
    assert all(row.links for row in leaves[1:])
    assert all(row.position in followed for row in leaves[:-1])
    assert all(link.position < row.position for row in leaves for link in row.links)
    assert leaves[-1].step is not None
    assert leaves[-1].step.duration == "0"


def test_templates_are_fitted_to_the_project_dates() -> None:
    demo_plan = plan_demo(seed=42, today=TODAY)
    for project, name in plans.chosen_templates(demo_plan.projects):
        rows = plans.template_rows(name)
        working_days = (
            plans.weekdays_between(project.start_date, project.finish_date) * plans.WORKING_SHARE
        )
        factor = plans.fit_factor(rows, working_days)
        assert plans.nominal_length(rows, factor) <= working_days, project.code
        assert plans.nominal_length(rows, factor * 1.2) > working_days * 0.95, project.code


def test_the_large_demo_plans_one_project_per_kind() -> None:
    demo_plan = plan_demo(size="large", seed=42, today=TODAY)
    chosen = plans.chosen_templates(demo_plan.projects)
    assert {name for _project, name in chosen} == set(plans.TOPIC_TEMPLATES)
    assert all(project.phase == ProjectPhase.EXECUTION for project, _name in chosen)
