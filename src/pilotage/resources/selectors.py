"""Reads of resources, the organisation's reference lists, assignments and role demand."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from pilotage.accounts.permissions import Action, get_for_user, require, visible
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project
from pilotage.resources.models import (
    Assignment,
    Department,
    JobRole,
    Resource,
    ResourceSkill,
    RoleDemand,
    Skill,
    Team,
)


def resource_list(
    *,
    user: Any,
    search: str = "",
    kind: str = "",
    department: int | None = None,
    team: int | None = None,
    role: int | None = None,
    skill: int | None = None,
    active: bool | None = True,
) -> QuerySet[Resource]:
    """The organisation's resources, with their role, department, team and assignment count."""
    queryset = visible(user, Resource.objects.all()).select_related(
        "role", "department", "team", "calendar", "user"
    )
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(email__icontains=search) | Q(code__icontains=search)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    if department:
        queryset = queryset.filter(department_id=department)
    if team:
        queryset = queryset.filter(team_id=team)
    if role:
        queryset = queryset.filter(role_id=role)
    if skill:
        queryset = queryset.filter(skills__skill_id=skill)
    if active is not None:
        queryset = queryset.filter(is_active=active)
    # An aggregate drops the model's default ordering: order explicitly (stable pages).
    return (
        queryset.annotate(assignment_count=Count("assignments", distinct=True))
        .prefetch_related(
            Prefetch("skills", queryset=ResourceSkill.objects.select_related("skill"))
        )
        .order_by("name", "pk")
    )


def resource_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Resource:
    return get_for_user(
        Resource.objects.select_related("role", "department", "team", "calendar", "user"),
        pk,
        user=user,
        action=action,
    )


def resource_assignments(*, user: Any, resource: Resource) -> QuerySet[Assignment]:
    """The resource's assignments in the projects the user may see, by task start."""
    projects = visible(user, Project.objects.all())
    return (
        Assignment.objects.filter(resource=resource, project__in=projects)
        .select_related("project", "task")
        .order_by("task__start", "project__code", "task__position")
    )


def task_assignments(*, user: Any, task: Task) -> QuerySet[Assignment]:
    require(user, Action.VIEW, task.project)
    return Assignment.objects.filter(task=task).select_related("resource", "resource__role")


def assignment_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> Assignment:
    return get_for_user(
        Assignment.objects.select_related("project", "task", "resource"),
        pk,
        user=user,
        action=action,
    )


def role_demand_list(*, user: Any, project: Project) -> QuerySet[RoleDemand]:
    require(user, Action.VIEW, project)
    return RoleDemand.objects.filter(project=project).select_related("role")


def department_list() -> QuerySet[Department]:
    return (
        Department.objects.select_related("manager")
        .annotate(people=Count("resources", distinct=True))
        .order_by("name")
    )


def team_list() -> QuerySet[Team]:
    return (
        Team.objects.select_related("department")
        .annotate(people=Count("resources", distinct=True))
        .order_by("name", "pk")
    )


def job_role_list() -> QuerySet[JobRole]:
    return JobRole.objects.annotate(people=Count("resources", distinct=True)).order_by("name")


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.annotate(people=Count("holders", distinct=True)).order_by("name")
