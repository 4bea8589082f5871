"""Project plans: tasks in a work breakdown structure, dependencies, calendars and baselines.

Users edit what a planner decides (names, durations, links, constraints, progress); the
scheduling service computes the rest (early and late dates, floats, the critical path) after
every edit and stores it on the same rows, so that pages and reports read dates without
scheduling again. Plan dates are wall-clock times at the project's site (decision 0007).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pilotage.planning.fields import WallClockDateTimeField
from pilotage.portfolio.models import Project

if TYPE_CHECKING:
    from pilotage.accounts.permissions import Grants, ScopeKey


STANDARD_WEEK: list[list[list[int]]] = [
    [[480, 720], [780, 1020]],
    [[480, 720], [780, 1020]],
    [[480, 720], [780, 1020]],
    [[480, 720], [780, 1020]],
    [[480, 720], [780, 1020]],
    [],
    [],
]
"""Monday to Sunday, each day a list of ``[start, end]`` minutes from midnight."""


def standard_week() -> list[list[list[int]]]:
    return [list(map(list, day)) for day in STANDARD_WEEK]


class ProjectScoped(models.Model):
    """A planning object that belongs to one project and follows its permissions."""

    project: models.ForeignKey[Any, Any]

    class Meta:
        abstract = True

    def permission_scopes(self) -> list[ScopeKey]:
        scopes: list[ScopeKey] = self.project.permission_scopes()
        return scopes

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q(project__in=Project.objects.filter(Project.visibility_filter(grants)))


class ConstraintType(models.TextChoices):
    ASAP = "ASAP", _("As soon as possible")
    ALAP = "ALAP", _("As late as possible")
    SNET = "SNET", _("Start no earlier than")
    SNLT = "SNLT", _("Start no later than")
    FNET = "FNET", _("Finish no earlier than")
    FNLT = "FNLT", _("Finish no later than")
    MSO = "MSO", _("Must start on")
    MFO = "MFO", _("Must finish on")


DATED_CONSTRAINTS = frozenset({"SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"})


class LinkType(models.TextChoices):
    FS = "FS", _("Finish-to-start")
    SS = "SS", _("Start-to-start")
    FF = "FF", _("Finish-to-finish")
    SF = "SF", _("Start-to-finish")


class DurationUnit(models.TextChoices):
    MINUTES = "m", _("minutes")
    HOURS = "h", _("hours")
    DAYS = "d", _("days")
    WEEKS = "w", _("weeks")
    MONTHS = "mo", _("months")
    ELAPSED_MINUTES = "em", _("elapsed minutes")
    ELAPSED_HOURS = "eh", _("elapsed hours")
    ELAPSED_DAYS = "ed", _("elapsed days")
    ELAPSED_WEEKS = "ew", _("elapsed weeks")
    ELAPSED_MONTHS = "emo", _("elapsed months")
    PERCENT = "%", _("percent")
    ELAPSED_PERCENT = "e%", _("elapsed percent")


class Recurrence(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY_BY_DAY = "monthly_day", _("Monthly on a day")
    MONTHLY_BY_WEEKDAY = "monthly_weekday", _("Monthly on a weekday")
    YEARLY_BY_DATE = "yearly_date", _("Yearly on a date")
    YEARLY_BY_WEEKDAY = "yearly_weekday", _("Yearly on a weekday")


class WorkCalendar(models.Model):
    """When work happens: a week pattern, exceptions and public holidays.

    A calendar with no project is shared by the whole organisation; a project's own calendars
    are seen only with the project. A calendar with a base (a resource or team calendar) takes
    the base's working time and adds its own exceptions, or replaces the week when it has one.
    """

    name = models.CharField(_("name"), max_length=100)
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendars",
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("base calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
    )
    week = models.JSONField(
        _("working week"),
        null=True,
        blank=True,
        help_text=_("Monday to Sunday; empty to take the base calendar's week."),
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=2,
        blank=True,
        help_text=_("Two-letter country code (FR, DE, US ...); empty for none."),
    )
    holiday_subdivision = models.CharField(
        _("region"), max_length=10, blank=True, help_text=_("State or region code, optional.")
    )
    minutes_per_day = models.PositiveIntegerField(
        _("working minutes per day"),
        default=480,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="calendar_name_unique_in_project",
                violation_error_message=_("A calendar with this name already exists here."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(project__isnull=True),
                name="shared_calendar_name_unique",
                violation_error_message=_("A shared calendar with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:calendar_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        return self.project.permission_scopes() if self.project is not None else []

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        if not (grants.organisation_roles or grants.scoped_roles):
            return Q(pk__in=[])
        return Q(project__isnull=True) | Q(
            project__in=Project.objects.filter(Project.visibility_filter(grants))
        )


class CalendarException(models.Model):
    """Days that differ from the week: a holiday, a closure, extra working days, repeating."""

    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="exceptions",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    start = models.DateField(_("from"))
    finish = models.DateField(
        _("to"), help_text=_("The last day; for a repeating exception, the last occurrence.")
    )
    working_times = models.CharField(
        _("working times"),
        max_length=100,
        blank=True,
        help_text=_("Empty for a day off; “08:00-12:00, 13:00-17:00” for working days."),
    )
    recurrence = models.CharField(
        _("repeats"), max_length=16, choices=Recurrence.choices, blank=True, default=""
    )
    every = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1)]
    )
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    day = models.PositiveSmallIntegerField(
        _("day of month"), null=True, blank=True, validators=[MaxValueValidator(31)]
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    position = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        help_text=_("1 to 4 for the first to fourth, -1 for the last."),
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    occurrences = models.PositiveIntegerField(_("occurrences"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        return self.name or f"{self.start:%Y-%m-%d}"

    def permission_scopes(self) -> list[ScopeKey]:
        return self.calendar.permission_scopes()


class ProjectPlan(models.Model):
    """A project's scheduling settings and the summary of its last calculation."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="plan"
    )
    start = WallClockDateTimeField(_("planned start"), null=True, blank=True)
    status_date = WallClockDateTimeField(
        _("status date"),
        null=True,
        blank=True,
        help_text=_("The date progress was recorded up to."),
    )
    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("project calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    finish = WallClockDateTimeField(_("scheduled finish"), null=True, blank=True, editable=False)
    calculated_at = models.DateTimeField(_("calculated at"), null=True, editable=False)
    task_count = models.PositiveIntegerField(default=0, editable=False)
    critical_count = models.PositiveIntegerField(default=0, editable=False)
    issues = models.JSONField(default=dict, editable=False)
    health_score = models.FloatField(_("schedule health"), null=True, editable=False)
    health_rating = models.CharField(max_length=8, blank=True, editable=False)
    # What a plan file carries and Pilotage shows without editing it, kept for a faithful export.
    properties = models.JSONField(
        _("file properties"),
        default=dict,
        blank=True,
        help_text=_("Title, author, company and the other properties of the imported file."),
    )
    custom_fields = models.JSONField(
        _("custom fields"),
        default=list,
        blank=True,
        help_text=_("Definitions of the custom fields of tasks, resources and assignments."),
    )
    file_settings = models.JSONField(default=dict, blank=True, editable=False)

    audit_ignored_fields = (
        "finish",
        "calculated_at",
        "task_count",
        "critical_count",
        "issues",
        "health_score",
        "health_rating",
    )

    class Meta:
        verbose_name = _("project plan")
        verbose_name_plural = _("project plans")

    def __str__(self) -> str:
        return str(self.project)

    def permission_scopes(self) -> list[ScopeKey]:
        return self.project.permission_scopes()

    @property
    def primary_baseline(self) -> Baseline | None:
        """The baseline the plan is compared with (one query)."""
        return Baseline.objects.filter(project=self.project_id, is_primary=True).first()

    @property
    def finish_variance_days(self) -> float | None:
        """Calendar days between the scheduled finish and the primary baseline's (late > 0)."""
        baseline = self.primary_baseline
        if baseline is None or baseline.finish is None or self.finish is None:
            return None
        late: dt.timedelta = self.finish - baseline.finish
        return round(late.total_seconds() / 86400, 1)


class Task(ProjectScoped):
    """One row of a plan: a task, a summary task (it has subtasks) or a milestone."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("summary task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("ID"), default=0, help_text=_("The row number."))
    outline_level = models.PositiveSmallIntegerField(_("outline level"), default=1)
    outline_number = models.CharField(_("outline number"), max_length=64, blank=True)
    wbs = models.CharField(
        _("WBS code"), max_length=64, blank=True, help_text=_("Empty to use the outline number.")
    )
    name = models.CharField(_("name"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    is_summary = models.BooleanField(_("summary"), default=False, editable=False)
    is_milestone = models.BooleanField(_("milestone"), default=False)
    duration_minutes = models.PositiveIntegerField(_("duration"), default=480)
    duration_unit = models.CharField(
        _("duration unit"), max_length=3, choices=DurationUnit.choices, default=DurationUnit.DAYS
    )
    work_minutes = models.PositiveIntegerField(_("work"), null=True, blank=True)
    constraint_type = models.CharField(
        _("constraint"), max_length=4, choices=ConstraintType.choices, default=ConstraintType.ASAP
    )
    constraint_date = WallClockDateTimeField(_("constraint date"), null=True, blank=True)
    deadline = WallClockDateTimeField(_("deadline"), null=True, blank=True)
    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    percent_complete = models.FloatField(
        # xgettext:no-python-format
        _("% complete"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    actual_start = WallClockDateTimeField(_("actual start"), null=True, blank=True)
    actual_finish = WallClockDateTimeField(_("actual finish"), null=True, blank=True)
    actual_work_minutes = models.PositiveIntegerField(_("actual work"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=500,
        validators=[MaxValueValidator(1000)],
        help_text=_("0 to 1000; leveling delays lower priorities first."),
    )
    is_manual = models.BooleanField(
        _("manually scheduled"),
        default=False,
        help_text=_("The task keeps the start it was given, whatever its predecessors."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive task is kept but not scheduled.")
    )
    is_estimated = models.BooleanField(_("estimated duration"), default=False)
    is_effort_driven = models.BooleanField(
        _("effort driven"),
        default=False,
        help_text=_("Adding or removing resources keeps the task's work and changes its duration."),
    )
    leveling_delay_minutes = models.PositiveIntegerField(
        _("leveling delay"),
        default=0,
        help_text=_("Added to the start by resource leveling, after the dependencies."),
    )
    leveling_delay_unit = models.CharField(
        _("leveling delay unit"),
        max_length=3,
        choices=DurationUnit.choices,
        default=DurationUnit.ELAPSED_DAYS,
    )
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=2, null=True, blank=True)
    fixed_cost = models.DecimalField(
        _("fixed cost"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    uid = models.PositiveIntegerField(
        _("UID"),
        null=True,
        blank=True,
        help_text=_("The task's unique ID in the file it was imported from; updates match on it."),
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Values of the imported file that Pilotage keeps for export without using them (GUID,
    # hyperlink, task type, manual dates, remaining work, links to other files ...).
    file_details = models.JSONField(default=dict, blank=True, editable=False)
    # Computed by the scheduling service.
    start = WallClockDateTimeField(_("start"), null=True, editable=False)
    finish = WallClockDateTimeField(_("finish"), null=True, editable=False)
    early_start = WallClockDateTimeField(_("early start"), null=True, editable=False)
    early_finish = WallClockDateTimeField(_("early finish"), null=True, editable=False)
    late_start = WallClockDateTimeField(_("late start"), null=True, editable=False)
    late_finish = WallClockDateTimeField(_("late finish"), null=True, editable=False)
    total_float_minutes = models.IntegerField(_("total float"), null=True, editable=False)
    free_float_minutes = models.IntegerField(_("free float"), null=True, editable=False)
    is_critical = models.BooleanField(_("critical"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_ignored_fields = (
        "position",
        "outline_level",
        "outline_number",
        "is_summary",
        "start",
        "finish",
        "early_start",
        "early_finish",
        "late_start",
        "late_finish",
        "total_float_minutes",
        "free_float_minutes",
        "is_critical",
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["project_id", "position"]
        indexes = [models.Index(fields=["project", "position"], name="task_project_position_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="task_percent_complete_range",
                violation_error_message=_("%% complete must be between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(priority__lte=1000),
                name="task_priority_range",
                violation_error_message=_("Priority must be between 0 and 1000."),
            ),
            models.UniqueConstraint(
                fields=["project", "uid"],
                condition=Q(uid__isnull=False),
                name="task_uid_unique_in_project",
                violation_error_message=_("This project already has a task with this UID."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("planning:task_detail", args=[self.pk])

    @property
    def wbs_code(self) -> str:
        return self.wbs or self.outline_number

    @property
    def is_elapsed(self) -> bool:
        return self.duration_unit.startswith("e")


class Dependency(models.Model):
    """A link: the successor's dates depend on the predecessor's (possibly in another project)."""

    predecessor = models.ForeignKey(
        Task,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        Task,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    type = models.CharField(_("type"), max_length=2, choices=LinkType.choices, default="FS")
    lag_minutes = models.IntegerField(_("lag"), default=0)
    lag_unit = models.CharField(
        _("lag unit"), max_length=3, choices=DurationUnit.choices, default=DurationUnit.DAYS
    )
    lag_percent = models.FloatField(_("lag (%)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["successor_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="dependency_unique_pair",
                violation_error_message=_("These two tasks are already linked."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="dependency_not_to_itself",
                violation_error_message=_("A task cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id}"

    @property
    def is_cross_project(self) -> bool:
        return bool(self.predecessor.project_id != self.successor.project_id)

    def permission_scopes(self) -> list[ScopeKey]:
        return self.successor.permission_scopes()

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q(successor__project__in=Project.objects.filter(Project.visibility_filter(grants)))


class Baseline(ProjectScoped):
    """A named copy of the plan's dates, durations and work, to measure slippage against."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="baselines"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_primary = models.BooleanField(
        _("primary"),
        default=False,
        help_text=_("The baseline the health check and the Gantt chart compare with."),
    )
    captured_at = models.DateTimeField(_("captured at"), auto_now_add=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start = WallClockDateTimeField(_("start"), null=True, editable=False)
    finish = WallClockDateTimeField(_("finish"), null=True, editable=False)
    number = models.PositiveSmallIntegerField(
        _("number"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=_("Microsoft Project's baseline number (0 to 10) this baseline is saved as."),
    )

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["project_id", "-captured_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="baseline_name_unique_in_project",
                violation_error_message=_("This project already has a baseline with this name."),
            ),
            models.UniqueConstraint(
                fields=["project", "number"],
                condition=Q(number__isnull=False),
                name="baseline_number_unique_in_project",
                violation_error_message=_("This project already has a baseline with this number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:baseline_detail", args=[self.pk])


class BaselineTask(models.Model):
    """One task as it stood when the baseline was captured."""

    baseline = models.ForeignKey(
        Baseline, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("baseline")
    )
    task = models.ForeignKey(
        Task, null=True, on_delete=models.SET_NULL, related_name="baseline_rows"
    )
    position = models.PositiveIntegerField(_("ID"))
    name = models.CharField(_("name"), max_length=255)
    is_summary = models.BooleanField(default=False)
    is_milestone = models.BooleanField(default=False)
    start = WallClockDateTimeField(_("baseline start"), null=True)
    finish = WallClockDateTimeField(_("baseline finish"), null=True)
    duration_minutes = models.PositiveIntegerField(_("baseline duration"), null=True, default=0)
    work_minutes = models.PositiveIntegerField(_("baseline work"), null=True)
    cost = models.DecimalField(_("baseline cost"), max_digits=18, decimal_places=2, null=True)
    duration_unit = models.CharField(max_length=3, blank=True)

    class Meta:
        verbose_name = _("baseline task")
        verbose_name_plural = _("baseline tasks")
        ordering = ["baseline_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "task"], name="baseline_task_once_per_baseline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.baseline} — {self.position} {self.name}"
