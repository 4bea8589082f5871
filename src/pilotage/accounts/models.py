"""Users, their role memberships at a scope, and their API tokens."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PMO = "pmo", _("PMO")
    EXECUTIVE = "executive", _("Executive")
    PORTFOLIO_MANAGER = "portfolio_manager", _("Portfolio manager")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    TEAM_MEMBER = "team_member", _("Team member")
    FINANCE = "finance", _("Finance")
    VIEWER = "viewer", _("Viewer")


class User(AbstractUser):
    """A person who signs in to Pilotage; what they may do comes from their memberships."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow the browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=_time_zone_choices,
        blank=True,
        help_text=_("Leave empty to use the server's time zone."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user holding a role at a scope: the organisation, a portfolio, a programme or a project.

    A role held at a portfolio applies to its programmes and projects; at a programme, to its
    projects. A membership with no scope applies to everything.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio",
        verbose_name=_("portfolio"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    programme = models.ForeignKey(
        "portfolio.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    project = models.ForeignKey(
        "portfolio.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(portfolio__isnull=True, programme__isnull=True)
                    | Q(portfolio__isnull=True, project__isnull=True)
                    | Q(programme__isnull=True, project__isnull=True)
                ),
                name="membership_at_most_one_scope",
                violation_error_message=_("A membership applies to at most one scope."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.scope_label()}"

    @property
    def scope(self) -> models.Model | None:
        return self.project or self.programme or self.portfolio

    def scope_label(self) -> str:
        scope = self.scope
        return str(scope) if scope is not None else str(_("Whole organisation"))


class ApiToken(models.Model):
    """A bearer token for the REST API; only a hash of it is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
