"""Reads of users, memberships and tokens, filtered by what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from pilotage.accounts.models import ApiToken, Membership, User
from pilotage.accounts.permissions import Action, can, grants_for, has_any_role, visible
from pilotage.core.errors import NotFoundError


def user_list(*, user: Any, search: str = "", active: bool | None = None) -> QuerySet[User]:
    """All users for those who hold any role (people are picked as managers and sponsors)."""
    if not has_any_role(user):
        return User.objects.none()
    queryset = User.objects.all()
    if search:
        queryset = queryset.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.order_by("last_name", "first_name", "username")


def user_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> User:
    """A user record; changing someone else's requires the Administer permission."""
    try:
        target = user_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
    if action is not Action.VIEW and target.pk != user.pk and not can(user, Action.ADMINISTER):
        raise NotFoundError()
    return target


def membership_list(
    *,
    user: Any,
    member: Any = None,
    portfolio: Any = None,
    programme: Any = None,
    project: Any = None,
) -> QuerySet[Membership]:
    """Memberships the user may see: all for administrators, else those at visible scopes."""
    queryset = Membership.objects.select_related("user", "portfolio", "programme", "project")
    grants = grants_for(user)
    if not (grants.is_superuser or can(user, Action.ADMINISTER)):
        if not has_any_role(user):
            return queryset.none()
        queryset = queryset.filter(
            Q(user=user)
            | Q(portfolio__in=visible(user, _scope_model("portfolio").objects.all()))
            | Q(programme__in=visible(user, _scope_model("programme").objects.all()))
            | Q(project__in=visible(user, _scope_model("project").objects.all()))
        )
    filters = {"user": member, "portfolio": portfolio, "programme": programme, "project": project}
    queryset = queryset.filter(**{k: v for k, v in filters.items() if v is not None})
    return queryset.order_by("user__username", "role", "id")


def membership_get_for_user(pk: Any, *, user: Any) -> Membership:
    try:
        return membership_list(user=user).get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc


def token_list(*, user: Any, owner: Any = None) -> QuerySet[ApiToken]:
    """Tokens of ``owner`` (default: the user); others' tokens only for administrators."""
    owner = owner or user
    if owner.pk != user.pk and not can(user, Action.ADMINISTER):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=owner).select_related("user")


def _scope_model(field: str) -> Any:
    """The model a membership scope points to (accounts sits below the portfolio app)."""
    return Membership._meta.get_field(field).related_model
