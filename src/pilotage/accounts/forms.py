"""Forms of the account pages: they parse input for the account services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from pilotage.accounts import selectors
from pilotage.accounts.models import Role, User

ORGANISATION_SCOPE = "organisation"


def _user_field(name: str, **kwargs: Any) -> Any:
    field: Any = User._meta.get_field(name)
    return field.formfield(**kwargs)


class _UserForm(forms.Form):
    """Base of the forms about a user; ``model`` names fields in service errors."""

    model = User
    fields: dict[str, Any]

    def _set_blank_labels(self) -> None:
        if "language" in self.fields:
            self.fields["language"].choices = [
                ("", _("Same as the browser")),
                *[(code, name) for code, name in settings.LANGUAGES],
            ]
        if "time_zone" in self.fields:
            choices = [c for c in self.fields["time_zone"].choices if c[0]]
            server_default = _("Server default (%(zone)s)") % {"zone": settings.TIME_ZONE}
            self.fields["time_zone"].choices = [("", server_default), *choices]


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class NewPasswordForm(forms.Form):
    """A new password typed twice."""

    model = User

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords do not match."))
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]


class ProfileForm(_UserForm):
    first_name = _user_field("first_name")
    last_name = _user_field("last_name")
    email = _user_field("email")
    language = _user_field("language")
    time_zone = _user_field("time_zone")

    def __init__(self, *args: Any, instance: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self._set_blank_labels()


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “reporting script”."),
    )


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    @property
    def search(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""

    @property
    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active") if self.is_valid() else ""
        return {"1": True, "0": False}.get(value or "")


class UserCreateForm(_UserForm):
    username = _user_field("username")
    first_name = _user_field("first_name")
    last_name = _user_field("last_name")
    email = _user_field("email")
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to create an account that cannot sign in yet."),
    )
    is_superuser = _user_field(
        "is_superuser",
        label=_("Administrator"),
        help_text=_("Administrators may do everything, including managing users."),
    )
    language = _user_field("language")
    time_zone = _user_field("time_zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_blank_labels()


class UserUpdateForm(_UserForm):
    first_name = _user_field("first_name")
    last_name = _user_field("last_name")
    email = _user_field("email")
    is_active = _user_field("is_active")
    is_superuser = _user_field(
        "is_superuser",
        label=_("Administrator"),
        help_text=_("Administrators may do everything, including managing users."),
    )
    language = _user_field("language")
    time_zone = _user_field("time_zone")

    def __init__(self, *args: Any, instance: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self._set_blank_labels()


class MembershipForm(forms.Form):
    """A role at a scope, the scope picked in one list grouped by kind."""

    fields: dict[str, Any]
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    scope = forms.ChoiceField(label=_("Where"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = selectors.membership_scope_choices(user=user)
        self._objects: dict[str, Any] = {}
        groups: list[tuple[Any, Any]] = [(ORGANISATION_SCOPE, _("Whole organisation"))]
        titles = {
            "portfolio": _("Portfolios"),
            "programme": _("Programmes"),
            "project": _("Projects"),
        }
        for kind, queryset in scopes.items():
            options = []
            for obj in queryset:
                key = f"{kind}:{obj.pk}"
                self._objects[key] = obj
                options.append((key, str(obj)))
            if options:
                groups.append((titles[kind], options))
        self.fields["scope"].choices = groups

    def scope_kwargs(self) -> dict[str, Any]:
        """The scope as keyword arguments of ``membership_create``."""
        key = self.cleaned_data["scope"]
        if key == ORGANISATION_SCOPE:
            return {}
        return {key.split(":", 1)[0]: self._objects[key]}
