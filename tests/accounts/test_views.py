"""Account pages: signing in, language, profile, password, API tokens, user administration."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from pilotage.accounts import services
from pilotage.accounts.models import ApiToken, Membership, Role, User
from pilotage.core.audit import history_for
from tests.access import Access, AccessMixin
from tests.factories import PASSWORD, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

EVERYONE = ("admin", "pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
NOT_ADMINS = ("pmo", "portfolio_manager", "project_manager", "viewer", "outsider", "nobody")
NEW_PASSWORD = "a-much-longer-passphrase-42"


class TestOwnAccountAccess(AccessMixin):
    access = [
        Access("profile", "get", lambda w: reverse("accounts:profile"), allowed=EVERYONE),
        Access("password", "get", lambda w: reverse("accounts:password_change"), allowed=EVERYONE),
        Access("tokens", "get", lambda w: reverse("accounts:token_list"), allowed=EVERYONE),
        Access(
            "token_create",
            "post",
            lambda w: reverse("accounts:token_list"),
            data=lambda w: {"name": "script"},
            allowed=EVERYONE,
            ok=(302,),
        ),
    ]


class TestUserAdministrationAccess(AccessMixin):
    access = [
        Access(
            "user_list",
            "get",
            lambda w: reverse("accounts:user_list"),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access(
            "user_create",
            "get",
            lambda w: reverse("accounts:user_create"),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access(
            "user_create_post",
            "post",
            lambda w: reverse("accounts:user_create"),
            data=lambda w: {"username": "newbie", "password": NEW_PASSWORD},
            allowed=("admin",),
            forbidden=NOT_ADMINS,
            ok=(302,),
        ),
        Access(
            "user_detail",
            "get",
            lambda w: reverse("accounts:user_detail", args=[w.viewer.pk]),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access(
            "user_password",
            "get",
            lambda w: reverse("accounts:user_password", args=[w.viewer.pk]),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access(
            "user_memberships",
            "get",
            lambda w: reverse("accounts:user_memberships", args=[w.viewer.pk]),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
        Access(
            "user_history",
            "get",
            lambda w: reverse("accounts:user_history", args=[w.viewer.pk]),
            allowed=("admin",),
            forbidden=NOT_ADMINS,
        ),
    ]


class TestMembershipDeleteAccess(AccessMixin):
    access = [
        Access(
            "membership_delete",
            "post",
            lambda w: reverse(
                "accounts:membership_delete",
                args=[Membership.objects.get(user=w.viewer).pk],
            ),
            allowed=("admin", "pmo", "portfolio_manager"),
            forbidden=("project_manager", "viewer"),
            hidden=("outsider", "nobody"),
            ok=(302,),
        ),
    ]


# Signing in and out -------------------------------------------------------------------------


def test_login_page_is_public_and_signs_in(client: Client, world: World) -> None:
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert "Demo:" not in page.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": PASSWORD})
    assert response["Location"] == reverse("portfolio:dashboard")
    assert client.get(reverse("portfolio:dashboard")).status_code == 200


def test_login_with_a_wrong_password_says_so(client: Client, world: World) -> None:
    response = client.post(reverse("accounts:login"), {"username": "viewer", "password": "no"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_login_page_shows_the_demo_hint_only_while_the_password_is_the_demo_one(
    client: Client, db: None
) -> None:
    demo = UserFactory(username="demo", password="pilotage-demo")
    assert (
        "Demo: <code>demo</code> / <code>pilotage-demo</code>"
        in client.get(reverse("accounts:login")).content.decode()
    )
    demo.set_password(NEW_PASSWORD)
    demo.save()
    assert "pilotage-demo" not in client.get(reverse("accounts:login")).content.decode()


def test_anonymous_user_is_sent_to_login_with_next(client: Client, db: None) -> None:
    response = client.get(reverse("portfolio:project_list"))
    assert response["Location"] == reverse("accounts:login") + "?next=/projects/"


def test_logout_is_a_post(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("portfolio:dashboard")).status_code == 302


# Language -----------------------------------------------------------------------------------


def test_switching_to_french_translates_the_pages(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "/projects/"}
    )
    assert response["Location"] == "/projects/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    world.viewer.refresh_from_db()
    assert world.viewer.language == "fr"
    assert '<html lang="fr">' in client.get(reverse("portfolio:dashboard")).content.decode()
    client.post(reverse("accounts:set_language"), {"language": "en"})
    assert '<html lang="en">' in client.get(reverse("portfolio:dashboard")).content.decode()


def test_language_switch_works_before_signing_in(client: Client, db: None) -> None:
    response = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "/accounts/login/"}
    )
    assert response["Location"] == "/accounts/login/"
    assert '<html lang="fr">' in client.get(reverse("accounts:login")).content.decode()


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(
    client: Client, world: World
) -> None:
    client.force_login(world.viewer)
    response = client.post(
        reverse("accounts:set_language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portfolio:dashboard")
    assert client.post(reverse("accounts:set_language"), {"language": "xx"}).status_code == 400
    assert client.get(reverse("accounts:set_language")).status_code == 405


# Profile and password -----------------------------------------------------------------------


def test_profile_saves_and_switches_the_language(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "Vera",
            "last_name": "Viewer",
            "email": "vera@example.com",
            "language": "fr",
            "time_zone": "America/Montreal",
        },
    )
    assert response["Location"] == reverse("accounts:profile")
    world.viewer.refresh_from_db()
    assert (world.viewer.first_name, world.viewer.time_zone) == ("Vera", "America/Montreal")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="fr">' in page
    assert history_for(world.viewer).first().changes


def test_profile_reports_a_bad_email(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    response = client.post(
        reverse("accounts:profile"), {"email": "not-an-email", "language": "", "time_zone": ""}
    )
    assert "email" in response.context["form"].errors
    world.viewer.refresh_from_db()
    assert world.viewer.email == "viewer@example.com"


def test_password_change_needs_the_old_password_and_two_equal_new_ones(
    client: Client, world: World
) -> None:
    client.force_login(world.viewer)
    url = reverse("accounts:password_change")
    wrong_old = client.post(
        url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert "old password was entered incorrectly" in wrong_old.content.decode()
    mismatch = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD + "x",
        },
    )
    assert "do not match" in mismatch.content.decode()
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert "new_password1" in weak.context["form"].errors
    world.viewer.refresh_from_db()
    assert world.viewer.check_password(PASSWORD)
    done = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    world.viewer.refresh_from_db()
    assert world.viewer.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


# API tokens ---------------------------------------------------------------------------------


def test_new_token_secret_is_shown_once(client: Client, world: World) -> None:
    client.force_login(world.viewer)
    url = reverse("accounts:token_list")
    response = client.post(url, {"name": "reporting"}, follow=True)
    secret = response.context["new_secret"]
    assert secret.startswith("plt_")
    assert secret in response.content.decode()
    assert services.token_authenticate(secret) == world.viewer
    again = client.get(url).content.decode()
    assert secret not in again
    assert "reporting" in again
    assert ApiToken.objects.get(user=world.viewer).prefix in again


def test_token_can_be_revoked_by_its_owner_only(client: Client, world: World) -> None:
    token, secret = services.token_create(actor=world.viewer, user=world.viewer, name="x")
    client.force_login(world.pmo)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    client.force_login(world.viewer)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response["Location"] == reverse("accounts:token_list")
    assert services.token_authenticate(secret) is None
    assert "Revoked" in client.get(reverse("accounts:token_list")).content.decode()


# User administration ------------------------------------------------------------------------


def test_only_administrators_see_the_users_menu(client: Client, world: World) -> None:
    client.force_login(world.pmo)
    assert reverse("accounts:user_list") not in client.get("/").content.decode()
    client.force_login(world.admin)
    assert reverse("accounts:user_list") in client.get("/").content.decode()


def test_user_list_searches_and_filters_on_active(client: Client, world: World) -> None:
    world.outsider.is_active = False
    world.outsider.save()
    client.force_login(world.admin)
    url = reverse("accounts:user_list")
    names = [u.username for u in client.get(url, {"q": "view"}).context["page"]]
    assert names == ["viewer"]
    inactive = [u.username for u in client.get(url, {"active": "0"}).context["page"]]
    assert inactive == ["outsider"]
    active = [u.username for u in client.get(url, {"active": "1"}).context["page"]]
    assert "outsider" not in active
    assert "viewer" in active


def test_user_list_runs_a_constant_number_of_queries(
    client: Client, world: World, count_queries: object
) -> None:
    client.force_login(world.admin)
    url = reverse("accounts:user_list")
    few = count_queries(lambda: client.get(url))  # type: ignore[operator]
    for _number in range(12):
        UserFactory()
    assert count_queries(lambda: client.get(url)) == few  # type: ignore[operator]


def test_administrator_creates_edits_and_sets_a_password(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "claire",
            "first_name": "Claire",
            "last_name": "Martin",
            "email": "claire@example.com",
            "password": NEW_PASSWORD,
            "language": "fr",
            "time_zone": "",
        },
    )
    claire = User.objects.get(username="claire")
    assert response["Location"] == reverse("accounts:user_detail", args=[claire.pk])
    assert claire.check_password(NEW_PASSWORD)
    assert claire.language == "fr"
    duplicate = client.post(reverse("accounts:user_create"), {"username": "claire"})
    assert "username" in duplicate.context["form"].errors
    weak = client.post(reverse("accounts:user_create"), {"username": "bob", "password": "1"})
    assert "password" in weak.context["form"].errors
    assert not User.objects.filter(username="bob").exists()
    edit = client.post(
        reverse("accounts:user_detail", args=[claire.pk]),
        {
            "first_name": "Claire",
            "last_name": "Durand",
            "email": "claire@example.com",
            "is_active": "on",
            "language": "fr",
            "time_zone": "Europe/Paris",
        },
    )
    assert edit.status_code == 302
    claire.refresh_from_db()
    assert claire.last_name == "Durand"
    password = client.post(
        reverse("accounts:user_password", args=[claire.pk]),
        {"new_password1": "yet-another-passphrase-7", "new_password2": "yet-another-passphrase-7"},
    )
    assert password.status_code == 302
    claire.refresh_from_db()
    assert claire.check_password("yet-another-passphrase-7")
    history = client.get(reverse("accounts:user_history", args=[claire.pk])).content.decode()
    assert "Martin" in history
    assert "Durand" in history
    assert "yet-another" not in history


def test_administrator_cannot_deactivate_themselves(client: Client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        reverse("accounts:user_detail", args=[world.admin.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "",
            "language": "",
            "time_zone": "",
            "is_superuser": "on",
        },
    )
    assert "cannot deactivate your own account" in response.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.is_active


def test_administrator_adds_and_removes_roles_at_any_scope(client: Client, world: World) -> None:
    client.force_login(world.admin)
    url = reverse("accounts:user_memberships", args=[world.nobody.pk])
    scopes = dict(client.get(url).context["form"].fields["scope"].choices)
    assert "organisation" in scopes
    for role, scope, field in [
        (Role.PMO, "organisation", None),
        (Role.VIEWER, f"portfolio:{world.other_portfolio.pk}", "portfolio"),
        (Role.FINANCE, f"programme:{world.programme.pk}", "programme"),
        (Role.TEAM_MEMBER, f"project:{world.project.pk}", "project"),
    ]:
        response = client.post(url, {"role": role, "scope": scope})
        assert response["Location"] == url
        membership = Membership.objects.get(user=world.nobody, role=role)
        if field:
            assert getattr(membership, f"{field}_id") is not None
    shown = client.get(url).context["memberships"]
    assert sorted(m.scope_label() for m in shown) == [
        "CRM — New CRM",
        "Digital workplace",
        "Operations",
        "Whole organisation",
    ]
    membership = Membership.objects.get(user=world.nobody, role=Role.PMO)
    client.post(reverse("accounts:membership_delete", args=[membership.pk]), {"next": url})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_permissions_tag_answers_for_the_signed_in_user(world: World) -> None:
    template = Template(
        '{% load permissions %}{% can "change" project as may_change %}'
        '{% can "administer" as may_administer %}{{ may_change }} {{ may_administer }}'
    )
    request = RequestFactory().get("/")
    for user, expected in [
        (world.project_manager, "True False"),
        (world.viewer, "False False"),
        (world.admin, "True True"),
    ]:
        request.user = user
        rendered = template.render(Context({"request": request, "project": world.project}))
        assert rendered == expected
