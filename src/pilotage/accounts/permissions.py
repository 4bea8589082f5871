"""The one permission module: ``can`` decides an action, ``visible`` filters what a user may see.

Every page, API operation and command asks here. A role held at a scope applies to that scope
and to everything below it (portfolio > programme > project); a role held with no scope applies
to the whole organisation. Superusers may do everything.

Objects that are subject to permissions implement :class:`Scoped`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from pilotage.accounts.models import Membership, Role
from pilotage.core.errors import ForbiddenError, NotFoundError


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    CREATE = "create"
    DELETE = "delete"
    MANAGE_MEMBERS = "manage_members"
    ADMINISTER = "administer"
    # Money: record budgets, actual costs, contracts and invoices, and decide on invoices.
    MANAGE_FINANCE = "manage_finance"
    # Approve a budget version or a change submitted by someone else.
    APPROVE = "approve"


_MANAGE = frozenset(
    {Action.VIEW, Action.CHANGE, Action.CREATE, Action.DELETE, Action.MANAGE_MEMBERS}
)
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset(Action),
    Role.PMO: _MANAGE | {Action.MANAGE_FINANCE, Action.APPROVE},
    Role.PORTFOLIO_MANAGER: _MANAGE | {Action.MANAGE_FINANCE, Action.APPROVE},
    Role.PROJECT_MANAGER: frozenset({Action.VIEW, Action.CHANGE, Action.CREATE}),
    Role.EXECUTIVE: frozenset({Action.VIEW, Action.APPROVE}),
    Role.FINANCE: frozenset({Action.VIEW, Action.MANAGE_FINANCE, Action.APPROVE}),
    Role.TEAM_MEMBER: frozenset({Action.VIEW}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

ScopeKey = tuple[str, int]
SCOPE_KINDS = ("portfolio", "programme", "project")


class Scoped(Protocol):
    """An object whose permissions follow the portfolio > programme > project hierarchy."""

    def permission_scopes(self) -> list[ScopeKey]:
        """The scopes that contain this object, itself included, most specific first."""

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        """A filter on this model selecting the rows visible with ``grants``."""


@dataclass
class Grants:
    """The roles a user holds, organisation-wide and by scope."""

    organisation_roles: set[str] = field(default_factory=set)
    scoped_roles: dict[ScopeKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    is_superuser: bool = False

    def roles_for(self, scopes: Iterable[ScopeKey]) -> set[str]:
        roles = set(self.organisation_roles)
        for scope in scopes:
            roles |= self.scoped_roles.get(scope, set())
        return roles

    def allows_everywhere(self, action: Action) -> bool:
        return self.is_superuser or any(
            action in ROLE_ACTIONS[role] for role in self.organisation_roles
        )

    def ids(self, kind: str, action: Action = Action.VIEW) -> set[int]:
        """Ids of the scopes of ``kind`` where a directly held role allows ``action``."""
        return {
            scope_id
            for (scope_kind, scope_id), roles in self.scoped_roles.items()
            if scope_kind == kind and any(action in ROLE_ACTIONS[role] for role in roles)
        }


_CACHE_ATTRIBUTE = "_pilotage_grants"


def grants_for(user: Any) -> Grants:
    """Load the user's memberships once per user object (one query)."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if isinstance(cached, Grants):
        return cached
    grants = Grants(is_superuser=bool(getattr(user, "is_superuser", False)))
    if user is not None and user.is_authenticated and user.is_active:
        rows = Membership.objects.filter(user=user).values_list(
            "role", "portfolio_id", "programme_id", "project_id"
        )
        for role, portfolio_id, programme_id, project_id in rows:
            if project_id is not None:
                grants.scoped_roles[("project", project_id)].add(role)
            elif programme_id is not None:
                grants.scoped_roles[("programme", programme_id)].add(role)
            elif portfolio_id is not None:
                grants.scoped_roles[("portfolio", portfolio_id)].add(role)
            else:
                grants.organisation_roles.add(role)
    else:
        grants.is_superuser = False
    if user is not None:
        setattr(user, _CACHE_ATTRIBUTE, grants)
    return grants


def forget_grants(user: Any) -> None:
    """Drop the cached grants after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def can(user: Any, action: Action | str, obj: Scoped | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``obj`` (on the whole organisation if it is None)."""
    if not _active(user):
        return False
    grants = grants_for(user)
    action = Action(action)
    if grants.is_superuser:
        return True
    scopes = obj.permission_scopes() if obj is not None else []
    return any(action in ROLE_ACTIONS[role] for role in grants.roles_for(scopes))


def has_any_role(user: Any) -> bool:
    """Whether the user holds any role at all (a signed-in user with none sees nothing)."""
    if not _active(user):
        return False
    grants = grants_for(user)
    return grants.is_superuser or bool(grants.organisation_roles or grants.scoped_roles)


ModelT = TypeVar("ModelT", bound=models.Model)


def visible(user: Any, queryset: models.QuerySet[ModelT]) -> models.QuerySet[ModelT]:
    """Restrict ``queryset`` to the rows ``user`` may view."""
    if not _active(user):
        return queryset.none()
    grants = grants_for(user)
    if grants.allows_everywhere(Action.VIEW):
        return queryset
    model: Any = queryset.model
    return queryset.filter(model.visibility_filter(grants))


def can_view(user: Any, obj: Scoped) -> bool:
    """Whether ``user`` may see ``obj``: through a role at or above it, or because it contains
    something they may see (a project manager sees the name of their project's portfolio)."""
    if can(user, Action.VIEW, obj):
        return True
    pk = getattr(obj, "pk", None)
    if not _active(user) or pk is None:
        return False
    model: Any = type(obj)
    return bool(
        model._default_manager.filter(pk=pk)
        .filter(model.visibility_filter(grants_for(user)))
        .exists()
    )


def require(user: Any, action: Action | str, obj: Scoped) -> None:
    """Raise unless ``user`` may perform ``action`` on ``obj``.

    An object the user may not even view is reported as not found, so that its existence
    does not leak; one they may view but not change gives a "forbidden" error.
    """
    action = Action(action)
    if not can_view(user, obj):
        raise NotFoundError(gettext("Not found."))
    if action is not Action.VIEW and not can(user, action, obj):
        raise ForbiddenError(gettext("You do not have permission to do this."))


def get_for_user(
    queryset: models.QuerySet[ModelT], pk: Any, *, user: Any, action: Action | str
) -> ModelT:
    """The object ``pk`` of ``queryset`` if ``user`` may see it and do ``action`` on it.

    An object the user may not see, or that does not exist, raises :class:`NotFoundError`
    alike; one they may see but not act on raises :class:`ForbiddenError`.
    """
    try:
        obj = visible(user, queryset).get(pk=pk)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
    require(user, action, obj)  # type: ignore[arg-type]
    return obj


def require_organisation(user: Any, action: Action | str) -> None:
    """Raise :class:`ForbiddenError` unless ``user`` may perform ``action`` organisation-wide."""
    if not can(user, action, None):
        raise ForbiddenError(gettext("You do not have permission to do this."))


class Operator:
    """Whoever runs the ``pilotage`` command on the server without naming a user: every right.

    It is not a database user: the audit trail records its :attr:`username` with no user
    attached, so its changes stay attributable without an account that could sign in.
    """

    pk = None
    id = None
    username = "system"
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = True
    is_staff = True

    def __init__(self) -> None:
        setattr(self, _CACHE_ATTRIBUTE, Grants(is_superuser=True))

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username
