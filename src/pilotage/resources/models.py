"""Resources (people, generic roles, equipment, materials, cost items) and their assignments.

A resource belongs to the organisation, not to one project: the same person works on several
projects, which is what demand against capacity and levelling look at. An assignment puts a
resource on a task with units (1 = 100 % of the resource's time; for a material, a quantity)
and work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pilotage.planning.fields import WallClockDateTimeField
from pilotage.planning.models import ProjectScoped, Task, WorkCalendar
from pilotage.portfolio.models import Project

if TYPE_CHECKING:
    from pilotage.accounts.permissions import Grants, ScopeKey


class ResourceKind(models.TextChoices):
    WORK = "work", _("Work")
    MATERIAL = "material", _("Material")
    COST = "cost", _("Cost")


class RateUnit(models.TextChoices):
    MINUTE = "m", _("per minute")
    HOUR = "h", _("per hour")
    DAY = "d", _("per day")
    WEEK = "w", _("per week")
    MONTH = "mo", _("per month")
    YEAR = "y", _("per year")


class Resource(models.Model):
    """A person, a generic role, a piece of equipment, a material or a cost item."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=8, choices=ResourceKind.choices, default=ResourceKind.WORK
    )
    initials = models.CharField(_("initials"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    group = models.CharField(_("group"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    material_label = models.CharField(
        _("material unit"), max_length=30, blank=True, help_text=_("For a material: t, m³, box …")
    )
    is_generic = models.BooleanField(
        _("generic"), default=False, help_text=_("A role placeholder rather than a named person.")
    )
    max_units = models.DecimalField(
        _("max. units"),
        max_digits=10,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("1 = one full-time person."),
    )
    standard_rate = models.DecimalField(
        _("standard rate"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    standard_rate_unit = models.CharField(
        _("standard rate unit"), max_length=2, choices=RateUnit.choices, default=RateUnit.HOUR
    )
    overtime_rate = models.DecimalField(
        _("overtime rate"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    overtime_rate_unit = models.CharField(
        _("overtime rate unit"), max_length=2, choices=RateUnit.choices, default=RateUnit.HOUR
    )
    cost_per_use = models.DecimalField(
        _("cost per use"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    is_active = models.BooleanField(_("active"), default=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Values of an imported file kept for export (GUID, baselines, work and cost totals).
    file_details = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_units__gte=0),
                name="resource_max_units_not_negative",
                violation_error_message=_("Max. units cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def permission_scopes(self) -> list[ScopeKey]:
        # Resources are the organisation's: only organisation-wide roles apply.
        return []

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q()


class Assignment(ProjectScoped):
    """A resource working on a task."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="assignments"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="assignments"
    )
    units = models.DecimalField(
        _("units"),
        max_digits=12,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("1 = 100 % of the resource's time; for a material, the quantity."),
    )
    work_minutes = models.PositiveIntegerField(_("work"), null=True, blank=True)
    actual_work_minutes = models.PositiveIntegerField(_("actual work"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, null=True, blank=True)
    start = WallClockDateTimeField(_("start"), null=True, blank=True)
    finish = WallClockDateTimeField(_("finish"), null=True, blank=True)
    uid = models.PositiveIntegerField(_("UID"), null=True, blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    file_details = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["project_id", "task_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "resource"],
                name="assignment_once_per_task",
                violation_error_message=_("This resource is already assigned to this task."),
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0),
                name="assignment_units_not_negative",
                violation_error_message=_("Units cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.task}"
