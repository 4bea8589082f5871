"""User, membership and API token services."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pilotage.accounts import services
from pilotage.accounts.models import ApiToken, Membership, Role, User
from pilotage.accounts.permissions import Action, can
from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from tests.factories import PASSWORD
from tests.world import World

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_authenticates_its_user(world: World) -> None:
    token, raw = services.token_create(actor=None, user=world.viewer, name="laptop")
    assert raw.startswith("plt_")
    assert raw not in {token.token_hash, token.prefix}
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert services.token_authenticate(raw) == world.viewer
    assert services.token_authenticate(raw + "x") is None
    assert services.token_authenticate("Bearer " + raw) is None


def test_revoked_token_and_inactive_user_do_not_authenticate(world: World) -> None:
    token, raw = services.token_create(actor=world.viewer, user=world.viewer)
    services.token_revoke(actor=world.viewer, token=token)
    assert services.token_authenticate(raw) is None
    _other, raw2 = services.token_create(actor=None, user=world.pmo)
    world.pmo.is_active = False
    world.pmo.save()
    assert services.token_authenticate(raw2) is None


def test_only_administrators_create_tokens_for_others(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.token_create(actor=world.pmo, user=world.viewer)
    _token, raw = services.token_create(actor=world.admin, user=world.viewer)
    assert services.token_authenticate(raw) == world.viewer


def test_user_create_validates_password_and_records_no_secret(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_create(actor=world.admin, username="weak", password="123")
    assert "password" in raised.value.message_dict
    assert not User.objects.filter(username="weak").exists()
    user = services.user_create(
        actor=world.admin, username="claire", password=PASSWORD, first_name="Claire"
    )
    assert user.check_password(PASSWORD)
    entry = history_for(user).get()
    assert "password" not in entry.snapshot
    assert all(change["field"] != "password" for change in entry.changes)


def test_only_administrators_create_users(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.user_create(actor=world.pmo, username="x")


def test_password_change_needs_the_old_password(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_set_password(
            actor=world.viewer, user=world.viewer, password="n3w-Passphrase!", old_password="bad"
        )
    assert "old_password" in raised.value.message_dict
    services.user_set_password(
        actor=world.viewer, user=world.viewer, password="n3w-Passphrase!", old_password=PASSWORD
    )
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("n3w-Passphrase!")
    assert history_for(world.viewer).first().changes[0]["field"] == "password"


def test_users_edit_their_own_profile_but_not_their_rights(world: World) -> None:
    services.user_update(actor=world.viewer, user=world.viewer, first_name="Vera", language="fr")
    world.viewer.refresh_from_db()
    assert (world.viewer.first_name, world.viewer.language) == ("Vera", "fr")
    with pytest.raises(ForbiddenError):
        services.user_update(actor=world.viewer, user=world.viewer, is_superuser=True)
    with pytest.raises(ForbiddenError):
        services.user_update(actor=world.viewer, user=world.pmo, first_name="X")


def test_membership_grants_take_effect_and_are_audited(world: World) -> None:
    assert not can(world.nobody, Action.VIEW, world.project)
    membership = services.membership_create(
        actor=world.portfolio_manager,
        user=world.nobody,
        role=Role.TEAM_MEMBER,
        project=world.project,
    )
    assert can(world.nobody, Action.VIEW, world.project)
    assert history_for(membership).get().actor == world.portfolio_manager
    services.membership_delete(actor=world.portfolio_manager, membership=membership)
    assert not can(world.nobody, Action.VIEW, world.project)


def test_membership_rules(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.membership_create(
            actor=world.portfolio_manager,
            user=world.nobody,
            role=Role.ADMINISTRATOR,
            portfolio=world.portfolio,
        )
    with pytest.raises(NotFoundError):
        services.membership_create(
            actor=world.portfolio_manager,
            user=world.nobody,
            role=Role.VIEWER,
            portfolio=world.other_portfolio,
        )
    with pytest.raises(ForbiddenError):
        services.membership_create(actor=world.pmo, user=world.nobody, role=Role.PMO)
    with pytest.raises(ValidationError, match="already holds"):
        services.membership_create(
            actor=world.admin, user=world.viewer, role=Role.VIEWER, portfolio=world.portfolio
        )
    with pytest.raises(ValidationError, match="at most one scope"):
        services.membership_create(
            actor=world.admin,
            user=world.nobody,
            role=Role.VIEWER,
            portfolio=world.portfolio,
            project=world.project,
        )
    assert not Membership.objects.filter(user=world.nobody).exists()
