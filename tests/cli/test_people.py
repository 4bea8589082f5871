"""``pilotage createuser`` and ``pilotage token``."""

from __future__ import annotations

import pytest

from pilotage.accounts.models import ApiToken, Membership, Role, User
from pilotage.accounts.services import token_authenticate
from pilotage.cli.people import ROLE_NAMES
from tests.cli.conftest import Run
from tests.world import World

pytestmark = pytest.mark.django_db

STRONG = "Plume-de-paon-42"


def test_role_names_are_the_roles() -> None:
    assert tuple(Role.values) == ROLE_NAMES


def test_createuser_creates_a_user_who_can_sign_in(run: Run) -> None:
    result = run(
        "createuser",
        "alice",
        "--email",
        "alice@example.com",
        "--first-name",
        "Alice",
        "--last-name",
        "Martin",
        "--password",
        STRONG,
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="alice")
    assert user.check_password(STRONG)
    assert (user.email, user.first_name, user.last_name) == ("alice@example.com", "Alice", "Martin")
    assert not user.is_superuser
    assert not user.memberships.exists()


def test_createuser_gives_a_role_at_a_scope(run: Run, world: World) -> None:
    result = run(
        "createuser",
        "alice",
        "--password",
        STRONG,
        "--role",
        "project_manager",
        "--project",
        "CRM",
    )
    assert result.exit_code == 0, result.output
    membership = Membership.objects.get(user__username="alice")
    assert (membership.role, membership.project) == (Role.PROJECT_MANAGER, world.project)
    assert "Project manager" in result.output


def test_createuser_superuser_without_password(run: Run) -> None:
    result = run("createuser", "root", "--superuser", "--no-password")
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="root")
    assert user.is_superuser
    assert not user.has_usable_password()


def test_createuser_asks_the_password_twice(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pilotage.cli.people._interactive", lambda: True)
    result = run("createuser", "alice", input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert User.objects.get(username="alice").check_password(STRONG)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "'boss' is not one of"),
        (["--role", "viewer", "--portfolio", "NOPE"], "Unknown portfolio: NOPE"),
        (["--role", "viewer", "--programme", "NOPE"], "Unknown programme: NOPE"),
        (["--role", "viewer", "--project", "NOPE"], "Unknown project: NOPE"),
        (["--portfolio", "CORP"], "need --role"),
        (["--role", "viewer", "--portfolio", "CORP", "--project", "CRM"], "at most one of"),
        (["--password", "short"], "password: This password is too short"),
        (["--password", "password123"], "password: This password is too common"),
        (["--password", STRONG, "--no-password"], "not both"),
        ([], "No terminal to ask for a password"),
        (["--password", STRONG, "--email", "not-an-address"], "email: "),
    ],
)
def test_createuser_refuses_bad_input_and_writes_nothing(
    run: Run, world: World, args: list[str], message: str
) -> None:
    users = User.objects.count()
    memberships = Membership.objects.count()
    result = run("createuser", "alice", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert User.objects.count() == users
    assert Membership.objects.count() == memberships


def test_createuser_refuses_a_duplicate_username(run: Run, world: World) -> None:
    result = run("createuser", "viewer", "--no-password")
    assert result.exit_code == 1
    assert "username: A user with that username already exists." in result.output


def test_createuser_as_a_non_administrator_is_forbidden(run: Run, world: World) -> None:
    result = run("--as", "pfm", "createuser", "alice", "--no-password")
    assert result.exit_code == 1
    assert "You do not have permission" in result.output
    assert not User.objects.filter(username="alice").exists()


def test_token_create_prints_only_a_token_that_authenticates(run: Run, world: World) -> None:
    result = run("token", "create", "viewer", "--name", "laptop")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert token_authenticate(lines[0]) == world.viewer
    assert "Bearer" in result.stderr
    assert ApiToken.objects.get(user=world.viewer).name == "laptop"


def test_token_list_and_revoke(run: Run, world: World) -> None:
    raw = run("token", "create", "viewer").stdout.strip()
    prefix = ApiToken.objects.get(user=world.viewer).prefix
    listed = run("token", "list", "viewer")
    assert listed.exit_code == 0
    assert prefix in listed.output
    assert "active" in listed.output
    revoked = run("token", "revoke", prefix)
    assert revoked.exit_code == 0, revoked.output
    assert token_authenticate(raw) is None
    assert "revoked" in run("token", "list", "viewer").output
    again = run("token", "revoke", prefix)
    assert again.exit_code == 0
    assert "already revoked" in again.output


def test_token_commands_name_what_is_unknown(run: Run, world: World) -> None:
    created = run("token", "create", "ghost")
    assert created.exit_code == 1
    assert "Unknown user: ghost" in created.output
    revoked = run("token", "revoke", "plt_missing")
    assert revoked.exit_code == 1
    assert "Unknown token: plt_missing" in revoked.output


def test_tokens_of_others_need_the_administer_permission(run: Run, world: World) -> None:
    run("token", "create", "pm")
    prefix = ApiToken.objects.get(user=world.project_manager).prefix
    created = run("--as", "viewer", "token", "create", "pm")
    assert created.exit_code == 1
    assert "You do not have permission" in created.output
    revoked = run("--as", "viewer", "token", "revoke", prefix)
    assert revoked.exit_code == 1
    assert ApiToken.objects.get(prefix=prefix).revoked_at is None
    own = run("--as", "viewer", "token", "create", "viewer")
    assert own.exit_code == 0
    assert token_authenticate(own.stdout.strip()) == world.viewer
