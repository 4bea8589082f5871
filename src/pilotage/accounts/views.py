"""Pages for signing in, the user's own settings, API tokens and user administration."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from pilotage.accounts import selectors, services
from pilotage.accounts.forms import (
    LoginForm,
    MembershipForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    TokenCreateForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
)
from pilotage.accounts.models import ApiToken, User
from pilotage.accounts.permissions import Action, require_organisation
from pilotage.core.errors import NotFoundError
from pilotage.core.exports import local_time, xlsx_response
from pilotage.core.pages import (
    PageRequest,
    add_service_error,
    history_context,
    paginate,
    safe_next_url,
)
from pilotage.interop.xlsx import Column, Sheet

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "pilotage-demo"
NEW_TOKEN_SESSION_KEY = "pilotage_new_token"


# Signing in and out -------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if selectors.account_has_password(DEMO_USERNAME, DEMO_PASSWORD):
            context["demo_credentials"] = (DEMO_USERNAME, DEMO_PASSWORD)
        return context


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request: PageRequest) -> HttpResponse:
    """Switch the interface language: a cookie for everyone, the profile for signed-in users."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(gettext("Unknown language."))
    user = request.user
    if user.is_authenticated and user.language != language:
        services.user_update(actor=user, user=user, language=language)
    fallback = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(fallback, allowed_hosts={request.get_host()}):
        fallback = reverse("portfolio:dashboard")
    response = redirect(safe_next_url(request, fallback))
    _remember_language(response, language)
    return response


# The user's own settings --------------------------------------------------------------------


@login_required
def profile(request: PageRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if user.language:
                translation.activate(user.language)
            messages.success(request, gettext("Your profile was saved."))
            response = redirect("accounts:profile")
            if user.language:
                _remember_language(response, user.language)
            return response
    return render(request, "accounts/profile.html", {"form": form, "tab": "profile"})


@login_required
def password_change(request: PageRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=user,
                user=user,
                password=form.cleaned_data["new_password1"],
                old_password=form.cleaned_data["old_password"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, gettext("Your password was changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "tab": "password"})


def _tokens_xlsx(tokens: Iterable[ApiToken]) -> HttpResponse:
    """The user's tokens as the page lists them: never a secret, only its first characters."""
    active, revoked = gettext("Active"), gettext("Revoked")
    sheet = Sheet(
        gettext("API tokens"),
        [
            Column(gettext("Name"), "text", width=30),
            Column(gettext("Prefix"), "text"),
            Column(gettext("Created"), "datetime"),
            Column(gettext("Last used"), "datetime"),
            Column(gettext("State"), "text"),
            Column(gettext("Revoked at"), "datetime"),
        ],
        [
            [
                token.name,
                token.prefix,
                local_time(token.created_at),
                local_time(token.last_used_at),
                revoked if token.revoked_at else active,
                local_time(token.revoked_at),
            ]
            for token in tokens
        ],
    )
    return xlsx_response("api-tokens", [sheet], title=gettext("API tokens"))


@login_required
def token_list(request: PageRequest) -> HttpResponse:
    user = request.user
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _tokens_xlsx(selectors.token_list(user=user))
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.token_create(
                actor=user, user=user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            # Shown on the next page only: the secret is not stored and cannot be shown again.
            request.session[NEW_TOKEN_SESSION_KEY] = secret
            return redirect("accounts:token_list")
    return render(
        request,
        "accounts/token_list.html",
        {
            "form": form,
            "tokens": selectors.token_list(user=user),
            "new_secret": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
            "tab": "tokens",
        },
    )


@require_POST
@login_required
def token_revoke(request: PageRequest, pk: int) -> HttpResponse:
    try:
        token = selectors.token_list(user=request.user).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise NotFoundError() from exc
    services.token_revoke(actor=request.user, token=token)
    messages.success(
        request, gettext("The token %(prefix)s… was revoked.") % {"prefix": token.prefix}
    )
    return redirect("accounts:token_list")


# User administration ------------------------------------------------------------------------


def _administered_user(request: PageRequest, pk: int) -> User:
    require_organisation(request.user, Action.ADMINISTER)
    return selectors.user_get_for_user(pk, user=request.user, action=Action.CHANGE)


def _users_xlsx(users: Iterable[User]) -> HttpResponse:
    sheet = Sheet(
        gettext("Users"),
        [
            Column(gettext("Name"), "text", width=30),
            Column(gettext("Username"), "text"),
            Column(gettext("E-mail"), "text", width=30),
            Column(gettext("Active"), "boolean"),
            Column(gettext("Administrator"), "boolean"),
            Column(gettext("Last sign-in"), "datetime"),
        ],
        [
            [
                person.get_full_name() or person.username,
                person.username,
                person.email,
                person.is_active,
                person.is_superuser,
                local_time(person.last_login),
            ]
            for person in users
        ],
    )
    return xlsx_response("users", [sheet], title=gettext("Users"))


@login_required
def user_list(request: PageRequest) -> HttpResponse:
    require_organisation(request.user, Action.ADMINISTER)
    filters = UserFilterForm(request.GET)
    users = selectors.user_list(
        user=request.user, search=filters.search, active=filters.active_value
    )
    if request.GET.get("format") == "xlsx":
        return _users_xlsx(users)
    return render(
        request,
        "accounts/user_list.html",
        {"filters": filters, "page": paginate(request, users), "active_nav": "users"},
    )


@login_required
def user_create(request: PageRequest) -> HttpResponse:
    require_organisation(request.user, Action.ADMINISTER)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = services.user_create(
                actor=request.user, password=data.pop("password") or None, **data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("User “%(user)s” created.") % {"user": created})
            return redirect("accounts:user_detail", pk=created.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": gettext("New user"),
            "cancel_url": reverse("accounts:user_list"),
            "breadcrumbs": [(reverse("accounts:user_list"), gettext("Users"))],
            "active_nav": "users",
        },
    )


@login_required
def user_detail(request: PageRequest, pk: int) -> HttpResponse:
    target = _administered_user(request, pk)
    form = UserUpdateForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, gettext("User “%(user)s” saved.") % {"user": target})
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {"person": target, "form": form, "tab": "details", "active_nav": "users"},
    )


@login_required
def user_password(request: PageRequest, pk: int) -> HttpResponse:
    target = _administered_user(request, pk)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=target, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if target.pk == request.user.pk:
                update_session_auth_hash(request, target)
            messages.success(
                request, gettext("The password of “%(user)s” was changed.") % {"user": target}
            )
            return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_password.html",
        {"person": target, "form": form, "tab": "password", "active_nav": "users"},
    )


@login_required
def user_memberships(request: PageRequest, pk: int) -> HttpResponse:
    target = _administered_user(request, pk)
    form = MembershipForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_create(
                actor=request.user,
                user=target,
                role=form.cleaned_data["role"],
                **form.scope_kwargs(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                gettext("Role added: %(membership)s.")
                % {"membership": f"{membership.get_role_display()} — {membership.scope_label()}"},
            )
            return redirect("accounts:user_memberships", pk=target.pk)
    return render(
        request,
        "accounts/user_memberships.html",
        {
            "person": target,
            "form": form,
            "memberships": selectors.membership_list(user=request.user, member=target),
            "tab": "memberships",
            "active_nav": "users",
        },
    )


@login_required
def user_history(request: PageRequest, pk: int) -> HttpResponse:
    target = _administered_user(request, pk)
    return render(
        request,
        "accounts/user_history.html",
        {
            "person": target,
            "tab": "history",
            "active_nav": "users",
            **history_context(request, target),
        },
    )


@require_POST
@login_required
def membership_delete(request: PageRequest, pk: int) -> HttpResponse:
    """Remove a role; from a user's page or from a portfolio, programme or project page."""
    membership = selectors.membership_get_for_user(pk, user=request.user)
    services.membership_delete(actor=request.user, membership=membership)
    messages.success(
        request,
        gettext("Role removed: %(membership)s.") % {"membership": membership},
    )
    return redirect(safe_next_url(request, reverse("portfolio:dashboard")))
