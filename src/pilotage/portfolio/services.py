"""Writes to portfolios, programmes, projects and objectives: authorised, validated, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, require, require_organisation
from pilotage.core.services import check_fields, create_audited, delete_audited, update_audited
from pilotage.portfolio.models import (
    Currency,
    HealthRag,
    Portfolio,
    Programme,
    Project,
    ProjectPhase,
    ProjectPriority,
    ProjectStatus,
    StrategicObjective,
    Tag,
)

PORTFOLIO_FIELDS = frozenset({"code", "name", "description", "owner", "currency"})
PROGRAMME_FIELDS = frozenset({"portfolio", "code", "name", "description", "sponsor", "manager"})
PROJECT_FIELDS = frozenset(
    {
        "code",
        "name",
        "description",
        "portfolio",
        "programme",
        "sponsor",
        "manager",
        "phase",
        "status",
        "priority",
        "start_date",
        "finish_date",
        "budget",
        "currency",
        "objectives",
        "tags",
        "health",
        "health_reason",
    }
)
OBJECTIVE_FIELDS = frozenset({"code", "name", "description", "weight", "portfolio", "is_active"})


# Portfolios ---------------------------------------------------------------------------------


@transaction.atomic
def portfolio_create(
    *,
    actor: User,
    code: str,
    name: str,
    description: str = "",
    owner: User | None = None,
    currency: str = Currency.EUR,
) -> Portfolio:
    require_organisation(actor, Action.CREATE)
    portfolio = Portfolio(
        code=code, name=name, description=description, owner=owner, currency=currency
    )
    return create_audited(actor=actor, instance=portfolio)


@transaction.atomic
def portfolio_update(*, actor: User, portfolio: Portfolio, **changes: Any) -> Portfolio:
    check_fields(changes, PORTFOLIO_FIELDS)
    require(actor, Action.CHANGE, portfolio)
    return update_audited(actor=actor, instance=portfolio, changes=changes)


@transaction.atomic
def portfolio_delete(*, actor: User, portfolio: Portfolio) -> None:
    require(actor, Action.DELETE, portfolio)
    delete_audited(actor=actor, instance=portfolio)


# Programmes ---------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: User,
    portfolio: Portfolio,
    code: str,
    name: str,
    description: str = "",
    sponsor: User | None = None,
    manager: User | None = None,
) -> Programme:
    require(actor, Action.CREATE, portfolio)
    programme = Programme(
        portfolio=portfolio,
        code=code,
        name=name,
        description=description,
        sponsor=sponsor,
        manager=manager,
    )
    return create_audited(actor=actor, instance=programme)


@transaction.atomic
def programme_update(*, actor: User, programme: Programme, **changes: Any) -> Programme:
    check_fields(changes, PROGRAMME_FIELDS)
    require(actor, Action.CHANGE, programme)
    new_portfolio = changes.get("portfolio")
    if new_portfolio is not None and new_portfolio.pk != programme.portfolio_id:
        require(actor, Action.CREATE, new_portfolio)
        if programme.projects.exists():
            raise ValidationError(
                {"portfolio": [gettext("Move the programme's projects before moving it.")]}
            )
    return update_audited(actor=actor, instance=programme, changes=changes)


@transaction.atomic
def programme_delete(*, actor: User, programme: Programme) -> None:
    require(actor, Action.DELETE, programme)
    delete_audited(actor=actor, instance=programme)


# Projects -----------------------------------------------------------------------------------


def _project_errors(project: Project) -> dict[str, list[str]]:
    """Rules that look at other rows, kept out of ``Model.clean``."""
    errors: dict[str, list[str]] = {}
    if project.programme is not None and project.programme.portfolio_id != project.portfolio_id:
        errors["programme"] = [
            gettext("The programme “%(programme)s” belongs to another portfolio.")
            % {"programme": project.programme}
        ]
    return errors


def tags_from_names(names: Iterable[str]) -> list[Tag]:
    """The tags with these names, created as needed (names are trimmed, blanks ignored)."""
    tags = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        tag, _created = Tag.objects.get_or_create(name=name[:50])
        tags.append(tag)
    return tags


@transaction.atomic
def project_create(
    *,
    actor: User,
    portfolio: Portfolio,
    code: str,
    name: str,
    programme: Programme | None = None,
    description: str = "",
    sponsor: User | None = None,
    manager: User | None = None,
    phase: str = ProjectPhase.PROPOSAL,
    status: str = ProjectStatus.PROPOSED,
    priority: int = ProjectPriority.MEDIUM,
    start_date: dt.date | None = None,
    finish_date: dt.date | None = None,
    budget: Decimal = Decimal("0"),
    currency: str = Currency.EUR,
    health: str = HealthRag.GREEN,
    health_reason: str = "",
    objectives: Iterable[StrategicObjective] = (),
    tags: Iterable[str] = (),
) -> Project:
    require(actor, Action.CREATE, programme if programme is not None else portfolio)
    project = Project(
        portfolio=portfolio,
        programme=programme,
        code=code,
        name=name,
        description=description,
        sponsor=sponsor,
        manager=manager,
        phase=phase,
        status=status,
        priority=priority,
        start_date=start_date,
        finish_date=finish_date,
        budget=budget,
        currency=currency,
        health=health,
        health_reason=health_reason,
    )
    return create_audited(
        actor=actor,
        instance=project,
        many_to_many={"objectives": list(objectives), "tags": tags_from_names(tags)},
        errors=_project_errors(project),
    )


@transaction.atomic
def project_update(*, actor: User, project: Project, **changes: Any) -> Project:
    """Change some fields of a project; ``tags`` is a list of names, ``objectives`` of objects."""
    check_fields(changes, PROJECT_FIELDS)
    require(actor, Action.CHANGE, project)
    for key in ("portfolio", "programme"):
        target = changes.get(key)
        if target is not None and target.pk != getattr(project, f"{key}_id"):
            require(actor, Action.CREATE, target)
    if "tags" in changes:
        changes = {**changes, "tags": tags_from_names(changes["tags"])}
    if "objectives" in changes:
        changes = {**changes, "objectives": list(changes["objectives"])}
    pending = Project(pk=project.pk)
    for field in ("portfolio", "programme"):
        setattr(pending, field, changes.get(field, getattr(project, field)))
    return update_audited(
        actor=actor,
        instance=project,
        changes=changes,
        many_to_many=("objectives", "tags"),
        errors=_project_errors(pending),
    )


@transaction.atomic
def project_delete(*, actor: User, project: Project) -> None:
    require(actor, Action.DELETE, project)
    delete_audited(actor=actor, instance=project)


# Strategic objectives -----------------------------------------------------------------------


def _require_objective_scope(actor: User, portfolio: Portfolio | None, action: Action) -> None:
    if portfolio is None:
        require_organisation(actor, action)
    else:
        require(actor, action, portfolio)


@transaction.atomic
def objective_create(
    *,
    actor: User,
    code: str,
    name: str,
    description: str = "",
    weight: int = 1,
    portfolio: Portfolio | None = None,
    is_active: bool = True,
) -> StrategicObjective:
    _require_objective_scope(actor, portfolio, Action.CHANGE)
    objective = StrategicObjective(
        code=code,
        name=name,
        description=description,
        weight=weight,
        portfolio=portfolio,
        is_active=is_active,
    )
    return create_audited(actor=actor, instance=objective)


@transaction.atomic
def objective_update(
    *, actor: User, objective: StrategicObjective, **changes: Any
) -> StrategicObjective:
    check_fields(changes, OBJECTIVE_FIELDS)
    _require_objective_scope(actor, objective.portfolio, Action.CHANGE)
    if "portfolio" in changes:
        _require_objective_scope(actor, changes["portfolio"], Action.CHANGE)
    return update_audited(actor=actor, instance=objective, changes=changes)


@transaction.atomic
def objective_delete(*, actor: User, objective: StrategicObjective) -> None:
    _require_objective_scope(actor, objective.portfolio, Action.DELETE)
    delete_audited(actor=actor, instance=objective)
