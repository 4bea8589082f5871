"""The project list shows each project's schedule health score and sorts by it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.planning.models import ProjectPlan
from tests.planning.helpers import plan_with_tasks
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_project_list_shows_and_sorts_by_schedule_health(client: Client, world: World) -> None:
    plan_with_tasks(world)
    plan = ProjectPlan.objects.get(project=world.project)
    assert plan.health_score is not None
    client.force_login(world.pmo)
    url = reverse("portfolio:project_list")
    html = client.get(url, {"sort": "-schedule_health"}).content.decode()
    assert f"{plan.health_score:.0f} %" in html
    assert reverse("planning:health", args=[world.project.pk]) in html
    # Projects without a schedule come after those with one.
    first = html.index(world.project.name)
    assert first < html.index(world.sibling_project.name)
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    assert "Schedule health" in csv.splitlines()[0]
