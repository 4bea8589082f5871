"""Reads of users, memberships and tokens, filtered by what the asking user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
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


def membership_scope_choices(*, user: Any) -> dict[str, QuerySet[Any]]:
    """The portfolios, programmes and projects ``user`` may see, to pick a membership's scope."""
    return {
        "portfolio": visible(user, _scope_model("portfolio").objects.order_by("name")),
        "programme": visible(user, _scope_model("programme").objects.order_by("name")),
        "project": visible(user, _scope_model("project").objects.order_by("code")),
    }


# Checking a password hash is deliberately slow, so each stored hash is checked once.
_DEFAULT_PASSWORD_CHECKS: dict[str, bool] = {}


def account_has_password(username: str, password: str) -> bool:
    """Whether the active account ``username`` still has the publicly known ``password``
    (the sign-in page then shows the demo credentials)."""
    stored = (
        User.objects.filter(username=username, is_active=True)
        .values_list("password", flat=True)
        .first()
    )
    if not stored:
        return False
    if stored not in _DEFAULT_PASSWORD_CHECKS:
        if len(_DEFAULT_PASSWORD_CHECKS) > 32:
            _DEFAULT_PASSWORD_CHECKS.clear()
        _DEFAULT_PASSWORD_CHECKS[stored] = check_password(password, stored)
    return _DEFAULT_PASSWORD_CHECKS[stored]


def user_get_by_username(username: str, *, user: Any) -> User:
    """The user named ``username``, among those ``user`` may see."""
    try:
        return user_list(user=user).get(username=username)
    except User.DoesNotExist as exc:
        raise NotFoundError() from exc


def token_get_by_prefix(prefix: str, *, user: Any) -> ApiToken:
    """The token shown as ``prefix``: one's own, or anyone's for administrators."""
    queryset = ApiToken.objects.select_related("user").filter(prefix=prefix)
    if not can(user, Action.ADMINISTER):
        queryset = queryset.filter(user=user) if getattr(user, "pk", None) else queryset.none()
    tokens = list(queryset[:2])
    if len(tokens) != 1:
        raise NotFoundError()
    return tokens[0]


def membership_scope_get_for_user(kind: str, pk: Any, *, user: Any) -> Any:
    """The portfolio, programme or project ``pk`` (``kind``) that ``user`` may see, as the
    scope of a membership; :class:`NotFoundError` if there is none they may see."""
    if kind not in ("portfolio", "programme", "project"):
        raise NotFoundError()
    model = _scope_model(kind)
    try:
        return visible(user, model.objects.all()).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundError() from exc
