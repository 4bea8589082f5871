"""Writes to users, memberships and API tokens: authorised, validated, audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.models import ApiToken, Membership, Role, User
from pilotage.accounts.permissions import (
    Action,
    forget_grants,
    require,
    require_organisation,
)
from pilotage.core import audit
from pilotage.core.services import check_fields, create_audited, delete_audited, update_audited

USER_FIELDS = frozenset(
    {"first_name", "last_name", "email", "is_active", "language", "time_zone", "is_superuser"}
)
OWN_PROFILE_FIELDS = frozenset({"first_name", "last_name", "email", "language", "time_zone"})
TOKEN_PREFIX = "plt_"


# Users --------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    language: str = "",
    time_zone: str = "",
) -> User:
    """Create a user; ``actor`` None is reserved for the command line run by the server's owner."""
    if actor is not None:
        require_organisation(actor, Action.ADMINISTER)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
        language=language,
        time_zone=time_zone,
    )
    errors: dict[str, list[str]] = {}
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
        user.set_password(password)
    else:
        user.set_unusable_password()
    return create_audited(actor=actor, instance=user, errors=errors)


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: Any) -> User:
    """Change a user; users may change their own profile, administrators anyone."""
    check_fields(changes, USER_FIELDS)
    if actor.pk != user.pk or not set(changes) <= OWN_PROFILE_FIELDS:
        require_organisation(actor, Action.ADMINISTER)
    if changes.get("is_active") is False and actor.pk == user.pk:
        raise ValidationError({"is_active": [gettext("You cannot deactivate your own account.")]})
    if "is_superuser" in changes:
        changes = {**changes, "is_staff": changes["is_superuser"]}
    return update_audited(actor=actor, instance=user, changes=changes)


@transaction.atomic
def user_set_password(
    *, actor: User | None, user: User, password: str, old_password: str | None = None
) -> User:
    """Set a password: one's own with the old password, anyone's as an administrator."""
    if actor is not None:
        if actor.pk == user.pk:
            if old_password is None or not user.check_password(old_password):
                raise ValidationError(
                    {"old_password": [gettext("Your old password was entered incorrectly.")]}
                )
        else:
            require_organisation(actor, Action.ADMINISTER)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": list(exc.messages)}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    # The password itself is never recorded, only that it changed.
    audit.record_fields_changed(
        actor=actor, instance=user, fields={"password": ("", gettext("changed"))}
    )
    return user


# Memberships --------------------------------------------------------------------------------


def _membership_scope(membership: Membership) -> Any:
    return membership.project or membership.programme or membership.portfolio


@transaction.atomic
def membership_create(
    *,
    actor: User | None,
    user: User,
    role: str,
    portfolio: Any = None,
    programme: Any = None,
    project: Any = None,
) -> Membership:
    """Give ``user`` a ``role`` at one scope, or organisation-wide when no scope is given."""
    membership = Membership(
        user=user, role=role, portfolio=portfolio, programme=programme, project=project
    )
    scope = _membership_scope(membership)
    if actor is not None:
        if scope is None or role == Role.ADMINISTRATOR:
            require_organisation(actor, Action.ADMINISTER)
        else:
            require(actor, Action.MANAGE_MEMBERS, scope)
    errors: dict[str, list[str]] = {}
    if Membership.objects.filter(
        user=user, role=role, portfolio=portfolio, programme=programme, project=project
    ).exists():
        errors["role"] = [gettext("This user already holds this role here.")]
    created = create_audited(actor=actor, instance=membership, errors=errors)
    forget_grants(user)
    return created


@transaction.atomic
def membership_delete(*, actor: User, membership: Membership) -> None:
    scope = _membership_scope(membership)
    if scope is None or membership.role == Role.ADMINISTRATOR:
        require_organisation(actor, Action.ADMINISTER)
    else:
        require(actor, Action.MANAGE_MEMBERS, scope)
    delete_audited(actor=actor, instance=membership)
    forget_grants(membership.user)


# API tokens ---------------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User | None, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is shown only once."""
    if actor is not None and actor.pk != user.pk:
        require_organisation(actor, Action.ADMINISTER)
    if not user.is_active:
        raise ValidationError({"user": [gettext("This user is not active.")]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:12], token_hash=_hash_token(raw))
    create_audited(actor=actor, instance=token)
    return token, raw


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id:
        require_organisation(actor, Action.ADMINISTER)
    if token.revoked_at is None:
        update_audited(actor=actor, instance=token, changes={"revoked_at": timezone.now()})
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user owning this valid, unrevoked token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
