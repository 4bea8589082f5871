"""The demo's people: shared between projects, with conflicts for the heat map to show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from pilotage.accounts.models import User
from pilotage.demo import data
from pilotage.portfolio.models import ProjectPhase
from pilotage.resources.capacity import CapacityFilters, capacity_report
from pilotage.resources.models import Assignment, Resource, RoleDemand

TODAY = dt.date(2026, 3, 11)


@pytest.fixture
def _built(demo_build: list[tuple[int, int]]) -> None:
    """The shared demo build (tests/demo/conftest.py)."""


@pytest.fixture
def demo(_built: None, db: None) -> Iterator[None]:
    with translation.override("en"):
        yield


def test_people_are_shared_between_projects(demo: None) -> None:
    people = Resource.objects.filter(is_generic=False)
    assert people.count() >= 15
    assert all(person.role and person.department and person.team for person in people)
    shared = [p for p in people if p.assignments.values("project").distinct().count() >= 3]
    assert len(shared) >= 5
    assert not Assignment.objects.filter(task__is_summary=True).exists()
    assert not Assignment.objects.filter(task__is_milestone=True).exists()


def test_the_heat_map_has_cross_project_conflicts(demo: None) -> None:
    pmo = User.objects.get(username=data.PMO_LEAD)
    report = capacity_report(
        user=pmo,
        filters=CapacityFilters(start=TODAY, finish=TODAY + dt.timedelta(weeks=26)),
    )
    assert report.conflicts
    cross = [
        conflict
        for conflict in report.conflicts
        if len({part.project.pk for part in conflict.contributions if part.project}) >= 2
    ]
    assert cross, "no conflict between two projects"
    # Most people are not over their capacity most of the time.
    cells = sum(len(row.load_hours) for row in report.rows)
    assert report.overloaded_cells < cells / 3


def test_only_proposals_state_demand_by_role(demo: None) -> None:
    demands = RoleDemand.objects.select_related("project")
    assert demands.exists()
    assert {demand.project.phase for demand in demands} == {ProjectPhase.PROPOSAL}
