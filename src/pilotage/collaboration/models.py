"""Meetings of a project: when and where, who is invited, the agenda and the minutes.

A meeting belongs to one project and follows its permissions: whoever sees the project sees its
meetings, Change on the project plans and edits them. Meetings planned together by repetition
share a ``series``. ``sequence`` counts the changes that calendar programs must notice (time,
place, status): the iCalendar export writes it so that a subscribed calendar replaces its copy.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.planning.models import ProjectScoped
from pilotage.portfolio.models import Project


class MeetingKind(models.TextChoices):
    STEERING_COMMITTEE = "steering_committee", _("Steering committee")
    PROJECT_BOARD = "project_board", _("Project board")
    GATE_REVIEW = "gate_review", _("Gate review")
    STATUS_REVIEW = "status_review", _("Status review")
    KICK_OFF = "kick_off", _("Kick-off")
    WORKSHOP = "workshop", _("Workshop")
    RETROSPECTIVE = "retrospective", _("Retrospective")
    OTHER = "other", _("Other")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting status", "Planned")
    HELD = "held", pgettext_lazy("meeting status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")


class Meeting(ProjectScoped):
    """A meeting of a project's team or governance: a steering committee, a gate review, a
    weekly status review, a workshop."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.STATUS_REVIEW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="meetings",
    )
    optional_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("optional attendees"),
        blank=True,
        related_name="+",
    )
    guests = models.TextField(
        _("guests"),
        blank=True,
        help_text=_("People without an account, one per line: a name and an address in <>."),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    series = models.UUIDField(_("series"), null=True, blank=True, editable=False, db_index=True)
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The revision follows the audited changes of time, place and status.
    audit_ignored_fields = ("sequence",)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ("starts_at", "pk")
        indexes = [models.Index(fields=["project", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="collaboration_meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        # The services report an end before the start against the end itself, not the form.
        super().validate_constraints(exclude={*(exclude or ()), "ends_at"})

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("collaboration:meeting_detail", args=[self.pk])

    @staticmethod
    def new_series() -> uuid.UUID:
        return uuid.uuid4()

    def duration_minutes(self) -> int:
        """How long the meeting lasts, in minutes."""
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
