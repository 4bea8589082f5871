"""Imports kept between their preview and their confirmation, saved column mappings, and the
secret tokens of personal calendar subscriptions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.portfolio.models import Project


class ImportKind(models.TextChoices):
    PROJECT = "project", _("Project plan")
    TASKS = "tasks", _("Tasks")
    RESOURCES = "resources", _("Resources")


class ImportMode(models.TextChoices):
    NEW = "new", _("New project")
    UPDATE = "update", _("Update the project")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    APPLIED = "applied", _("Imported")
    DISCARDED = "discarded", _("Discarded")


class ImportRun(models.Model):
    """An uploaded file, read and previewed; nothing is written until it is applied."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_runs",
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    content = models.BinaryField(editable=False)
    format = models.CharField(_("format"), max_length=20)
    kind = models.CharField(
        _("what"), max_length=10, choices=ImportKind.choices, default=ImportKind.PROJECT
    )
    mode = models.CharField(
        _("mode"), max_length=8, choices=ImportMode.choices, default=ImportMode.NEW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    options = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name

    def permission_scopes(self) -> list[tuple[str, int]]:
        return self.project.permission_scopes() if self.project else []


class ColumnMapping(models.Model):
    """Which column of a spreadsheet goes to which field, saved to import the same layout again."""

    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("what"), max_length=20)
    headers = models.JSONField(_("headers"), default=list)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["target", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "name"],
                name="column_mapping_name_unique",
                violation_error_message=_("A mapping with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's personal calendar subscription: whoever has the URL sees that user's dates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return str(self.user)
