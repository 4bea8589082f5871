"""Resources (people, generic roles, equipment, materials, cost items) and their assignments.

A resource belongs to the organisation, not to one project: the same person works on several
projects, which is what demand against capacity and levelling look at. An assignment puts a
resource on a task with units (1 = 100 % of the resource's time; for a material, a quantity)
and work. Around them: the organisation's departments and teams, job roles and skills, a
resource's capacity and cost rates from effective dates, its business-as-usual load, and the
role demand of projects that have no task plan yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
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


class Department(models.Model):
    """A unit of the organisation that people belong to (IT, Finance, Engineering ...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=30, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team within a department."""

    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"],
                name="team_name_unique_in_department",
                violation_error_message=_("This department already has a team with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JobRole(models.Model):
    """What a person does ("Senior Java developer"): project demand is planned by role."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill people hold at a level (Python, SAP FI, negotiation ...)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SkillLevel(models.IntegerChoices):
    NOTIONS = 1, _("1 – Notions")
    PRACTITIONER = 2, _("2 – Practitioner")
    EXPERIENCED = 3, _("3 – Experienced")
    EXPERT = 4, _("4 – Expert")
    REFERENCE = 5, _("5 – Reference")


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
    role = models.ForeignKey(
        JobRole,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
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

    def get_absolute_url(self) -> str:
        return reverse("resources:resource_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        # Resources are the organisation's: only organisation-wide roles apply.
        return []

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q()


class ResourceSkill(models.Model):
    """A skill a resource holds, at a level."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="holders"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.PRACTITIONER
    )

    class Meta:
        verbose_name = _("resource skill")
        verbose_name_plural = _("resource skills")
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "skill"],
                name="resource_skill_once",
                violation_error_message=_("This resource already has this skill."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.level})"


class ResourceCapacity(models.Model):
    """How much of its calendar's working time a resource gives from a date on (1 = full time)."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="capacities"
    )
    effective_from = models.DateField(_("from"))
    units = models.DecimalField(
        _("capacity"),
        max_digits=8,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("1 = full time on the resource's calendar, 0.8 = four days a week, 0 = away."),
    )

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        ordering = ["resource_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"],
                name="capacity_once_per_date",
                violation_error_message=_("This resource already has a capacity from this date."),
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0),
                name="capacity_units_not_negative",
                violation_error_message=_("Capacity cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.units} ({self.effective_from})"


class ResourceRate(models.Model):
    """A resource's cost rates from a date on."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="rates"
    )
    effective_from = models.DateField(_("from"))
    standard_rate = models.DecimalField(
        _("standard rate"), max_digits=18, decimal_places=4, validators=[MinValueValidator(0)]
    )
    standard_rate_unit = models.CharField(
        _("standard rate unit"), max_length=2, choices=RateUnit.choices, default=RateUnit.HOUR
    )
    overtime_rate = models.DecimalField(
        _("overtime rate"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_per_use = models.DecimalField(
        _("cost per use"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("cost rate")
        verbose_name_plural = _("cost rates")
        ordering = ["resource_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "effective_from"],
                name="rate_once_per_date",
                violation_error_message=_("This resource already has rates from this date."),
            ),
            models.CheckConstraint(
                condition=Q(standard_rate__gte=0),
                name="rate_not_negative",
                violation_error_message=_("A rate cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.standard_rate} ({self.effective_from})"


class NonProjectLoad(models.Model):
    """Business-as-usual work that takes part of a resource's time every working day of a period."""

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="non_project_loads",
    )
    name = models.CharField(_("activity"), max_length=200)
    units = models.DecimalField(
        _("share of time"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_("0.2 = one day a week."),
    )
    start = models.DateField(_("from"))
    finish = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: no end."))

    class Meta:
        verbose_name = _("business-as-usual load")
        verbose_name_plural = _("business-as-usual loads")
        ordering = ["resource_id", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gte=0),
                name="non_project_units_not_negative",
                violation_error_message=_("The share of time cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(finish__isnull=True) | Q(finish__gte=F("start")),
                name="non_project_finish_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.name}"


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


class RoleDemand(ProjectScoped):
    """How many people of a role a project needs in a month, before it has a task plan."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="role_demands"
    )
    role = models.ForeignKey(
        JobRole, verbose_name=_("role"), on_delete=models.PROTECT, related_name="demands"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    units = models.DecimalField(
        _("people"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Full-time equivalents: 1.5 = one person full time and one half time."),
    )

    class Meta:
        verbose_name = _("role demand")
        verbose_name_plural = _("role demands")
        ordering = ["project_id", "role__name", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role", "month"],
                name="role_demand_once_per_month",
                violation_error_message=_(
                    "This project already has a demand for this role in this month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(units__gte=0),
                name="role_demand_not_negative",
                violation_error_message=_("Demand cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.role} · {self.month:%Y-%m}"


class LevelingMode(models.TextChoices):
    FAST = "fast", _("Fast (heuristics, about a second)")
    OPTIMISE = "optimise", _("Optimise (up to the time limit)")


class LevelingStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    ACCEPTED = "accepted", _("Accepted")
    DISCARDED = "discarded", _("Discarded")


class LevelingRun(models.Model):
    """One leveling of a set of projects: its options, the result to preview, and its fate.

    ``result`` holds what the preview shows (new dates and delays per task with the reasons,
    finish before and after per project); accepting writes the leveling delays to the tasks.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leveled by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="leveling_runs",
    )
    created_at = models.DateTimeField(_("leveled at"), auto_now_add=True)
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), related_name="leveling_runs"
    )
    mode = models.CharField(
        _("mode"), max_length=10, choices=LevelingMode.choices, default=LevelingMode.FAST
    )
    within_slack = models.BooleanField(_("level within slack only"), default=False)
    time_limit_seconds = models.FloatField(_("time limit (seconds)"), null=True, blank=True)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=LevelingStatus.choices, default=LevelingStatus.PREVIEW
    )
    result = models.JSONField(default=dict, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("leveling run")
        verbose_name_plural = _("leveling runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return gettext("Leveling of %(when)s") % {"when": self.created_at}

    def get_absolute_url(self) -> str:
        return reverse("resources:leveling_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        return []

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q()
