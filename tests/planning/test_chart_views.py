"""The Gantt chart, the network diagram and the programme and portfolio timelines."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.planning import services
from pilotage.planning.models import Task
from tests.access import Access, AccessMixin
from tests.planning.helpers import plan_with_tasks
from tests.world import World

pytestmark = pytest.mark.django_db

READERS = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer")
HIDDEN = ("outsider", "nobody")


def gantt_url(world: World) -> str:
    plan_with_tasks(world)
    return reverse("planning:gantt", args=[world.project.pk])


class TestChartAccess(AccessMixin):
    access = [
        Access("gantt", "get", gantt_url, allowed=READERS, hidden=HIDDEN),
        Access(
            "network",
            "get",
            lambda w: reverse("planning:network", args=[w.project.pk]),
            allowed=READERS,
            hidden=HIDDEN,
        ),
        Access(
            "programme-timeline",
            "get",
            lambda w: reverse("planning:programme_gantt", args=[w.programme.pk]),
            allowed=("admin", "pmo", "portfolio_manager", "viewer"),
            hidden=HIDDEN,
        ),
        Access(
            "portfolio-timeline",
            "get",
            lambda w: reverse("planning:portfolio_gantt", args=[w.portfolio.pk]),
            allowed=("admin", "pmo", "portfolio_manager", "viewer"),
            hidden=HIDDEN,
        ),
    ]


def outline(world: World) -> list[Task]:
    """Phase (1) with two subtasks (2, 3), then a milestone (4) after the phase."""
    tasks = plan_with_tasks(world, count=1)
    phase = tasks[0]
    first = services.task_create(actor=world.pmo, project=world.project, name="Excavate")
    second = services.task_create(actor=world.pmo, project=world.project, name="Pour concrete")
    services.task_indent(actor=world.pmo, task=first)
    services.task_indent(actor=world.pmo, task=second)
    services.task_update(actor=world.pmo, task=second, predecessors="2")
    done = services.task_create(
        actor=world.pmo,
        project=world.project,
        name="Handover",
        duration_minutes=0,
        predecessors="1",
        outline_level=1,
    )
    return [phase, first, second, done]


def test_the_gantt_draws_every_task_and_link(client: Client, world: World) -> None:
    outline(world)
    client.force_login(world.viewer)
    html = client.get(reverse("planning:gantt", args=[world.project.pk])).content.decode()
    for name in ("Task 1", "Excavate", "Pour concrete", "Handover"):
        assert name in html
    assert "gantt-milestone" in html
    assert html.count('class="gantt-link') >= 2


def test_collapsing_a_summary_hides_its_subtasks(client: Client, world: World) -> None:
    phase, *_ = outline(world)
    client.force_login(world.pmo)
    url = reverse("planning:gantt", args=[world.project.pk])
    html = client.get(url, {"collapsed": phase.pk}).content.decode()
    assert "Excavate" not in html
    assert "Handover" in html
    # The toggle of the collapsed phase opens it again.
    toggle = re.search(r'class="gantt-toggle-link" href="([^"]*)"', html)
    assert toggle is not None
    reopened = client.get(url + toggle.group(1).replace("&amp;", "&")).content.decode()
    assert "Excavate" in reopened
    html = client.get(url, {"level": 1}).content.decode()
    assert "Excavate" not in html


def test_every_zoom_renders(client: Client, world: World) -> None:
    outline(world)
    client.force_login(world.pmo)
    url = reverse("planning:gantt", args=[world.project.pk])
    for scale in ("day", "week", "month", "quarter"):
        response = client.get(url, {"scale": scale})
        assert response.status_code == 200
        assert 'aria-current="true"' in response.content.decode()


def test_the_network_diagram_has_a_box_per_task(client: Client, world: World) -> None:
    outline(world)
    client.force_login(world.pmo)
    html = client.get(reverse("planning:network", args=[world.project.pk])).content.decode()
    assert "Excavate" in html
    assert "Handover" in html
    # Summary tasks are not boxes of the network.
    assert ">Task 1<" not in html


def test_the_programme_timeline_shows_projects_and_links_between_them(
    client: Client, world: World
) -> None:
    upstream = plan_with_tasks(world)[2]
    world.sibling_project.programme = world.programme
    world.sibling_project.save()
    downstream = plan_with_tasks(world, world.sibling_project)[0]
    services.dependency_create(actor=world.pmo, predecessor=upstream, successor=downstream)
    client.force_login(world.pmo)
    html = client.get(
        reverse("planning:programme_gantt", args=[world.programme.pk])
    ).content.decode()
    assert world.project.name in html
    assert world.sibling_project.name in html
    assert 'class="gantt-link' in html
