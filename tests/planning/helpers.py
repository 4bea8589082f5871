"""Plans built through the services for page and API tests."""

from __future__ import annotations

import datetime as dt

from pilotage.planning import services
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from tests.world import World

MONDAY = dt.datetime(2026, 3, 2, 8, 0)
DAY = 480


def plan_with_tasks(world: World, project: Project | None = None, count: int = 3) -> list[Task]:
    """A chain of one-day tasks in a project of the world (the main project by default)."""
    project = project or world.project
    existing = list(Task.objects.filter(project=project).order_by("position"))
    if existing:
        return existing
    services.plan_update(actor=world.admin, project=project, start=MONDAY)
    tasks = []
    for number in range(1, count + 1):
        tasks.append(
            services.task_create(
                actor=world.admin,
                project=project,
                name=f"Task {number}",
                duration_minutes=DAY,
                predecessors=str(number - 1) if number > 1 else None,
            )
        )
    return tasks


def first_task(world: World) -> Task:
    return plan_with_tasks(world)[0]
