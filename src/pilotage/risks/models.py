"""RAID: risks, issues, assumptions, dependencies, decisions and change requests, the
probability and impact scales that score risks, three-point estimates and simulation runs.

Every RAID item belongs to a portfolio and, most often, to a project of it (or a programme);
its permissions follow the most specific of the three. Escalating an item raises its
``escalation_level`` so that it shows on the programme's and the portfolio's RAID pages; it
stays owned by the project that raised it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.accounts.permissions import Grants, ScopeKey
from pilotage.planning.models import Dependency, ProjectScoped, Task
from pilotage.portfolio.models import Portfolio, Programme, Project

ZERO = Decimal("0")


def _user_field(verbose_name: Any, related_name: str = "+") -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def _money(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Any, Any]:
    kwargs.setdefault("max_digits", 18)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


class EscalationLevel(models.TextChoices):
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme")
    PORTFOLIO = "portfolio", _("Portfolio")


LEVEL_ORDER = {
    EscalationLevel.PROJECT: 0,
    EscalationLevel.PROGRAMME: 1,
    EscalationLevel.PORTFOLIO: 2,
}


class RaidScoped(models.Model):
    """A RAID item: owned by a project, else a programme, else a portfolio, and scored there.

    ``portfolio`` is always set (the project's or programme's own); ``programme`` is set when
    the item's project is in one or when the item is the programme's.
    """

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = _user_field(_("owner"))
    escalation_level = models.CharField(
        _("escalation level"),
        max_length=10,
        choices=EscalationLevel.choices,
        default=EscalationLevel.PROJECT,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    escalated_by = _user_field(_("escalated by"))
    created_by = _user_field(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def scope(self) -> Project | Programme | Portfolio:
        """The project, programme or portfolio that owns the item."""
        if self.project_id:
            return self.project  # type: ignore[return-value]
        if self.programme_id:
            return self.programme  # type: ignore[return-value]
        return self.portfolio

    def permission_scopes(self) -> list[ScopeKey]:
        scopes: list[ScopeKey] = self.scope().permission_scopes()
        return scopes

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return (
            Q(project__in=Project.objects.filter(Project.visibility_filter(grants)))
            | Q(
                project=None,
                programme__in=Programme.objects.filter(Programme.visibility_filter(grants)),
            )
            | Q(
                project=None,
                programme=None,
                portfolio__in=Portfolio.objects.filter(Portfolio.visibility_filter(grants)),
            )
        )


# Scales ---------------------------------------------------------------------------------


class ScaleKind(models.TextChoices):
    PROBABILITY = "probability", _("Probability")
    IMPACT = "impact", _("Impact")


class RiskScaleLevel(models.Model):
    """One level of the organisation's probability or impact scale, with what it means.

    A probability level gives the chance it stands for (``probability_percent``, used for the
    expected monetary value and the simulation); an impact level gives what it means in days,
    money, quality and reputation. Levels run 1..n without gaps.
    """

    kind = models.CharField(_("scale"), max_length=12, choices=ScaleKind.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("definition"), blank=True)
    probability_percent = models.DecimalField(
        _("probability (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    schedule_days = models.DecimalField(
        _("schedule impact (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    cost = _money(_("cost impact"), null=True, blank=True)
    quality = models.CharField(_("quality impact"), max_length=255, blank=True)
    reputation = models.CharField(_("reputation impact"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        ordering = ["kind", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "level"],
                name="risk_scale_level_once",
                violation_error_message=_("This scale already has this level."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.level}: {self.name}"


class RiskSettings(models.Model):
    """The organisation's RAID settings: one row (primary key 1)."""

    amber_score = models.PositiveSmallIntegerField(
        _("amber from score"),
        default=5,
        help_text=_("Risks scoring this much or more (probability × impact) show amber."),
    )
    red_score = models.PositiveSmallIntegerField(
        _("red from score"),
        default=12,
        help_text=_("Risks scoring this much or more show red."),
    )
    programme_cost_threshold = _money(
        _("programme approval above (cost)"),
        default=Decimal("50000"),
        help_text=_("Change requests costing more need approval at programme level."),
    )
    portfolio_cost_threshold = _money(
        _("portfolio approval above (cost)"),
        default=Decimal("250000"),
        help_text=_("Change requests costing more need approval at portfolio level."),
    )
    programme_days_threshold = models.PositiveIntegerField(
        _("programme approval above (days)"),
        default=10,
        help_text=_("Change requests delaying the finish more need approval at programme level."),
    )
    portfolio_days_threshold = models.PositiveIntegerField(
        _("portfolio approval above (days)"),
        default=40,
        help_text=_("Change requests delaying the finish more need approval at portfolio level."),
    )
    review_interval_days = models.PositiveIntegerField(
        _("review every (days)"),
        default=30,
        help_text=_("An open risk not reviewed for this long is overdue for review."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("RAID settings")
        verbose_name_plural = _("RAID settings")

    def __str__(self) -> str:
        return str(_("RAID settings"))


# Risks ----------------------------------------------------------------------------------


class RiskKind(models.TextChoices):
    THREAT = "threat", _("Threat")
    OPPORTUNITY = "opportunity", _("Opportunity")


class RiskCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    SCHEDULE = "schedule", _("Schedule")
    COST = "cost", _("Cost")
    RESOURCES = "resources", _("Resources")
    SUPPLIER = "supplier", _("Supplier")
    REGULATORY = "regulatory", _("Regulatory")
    SECURITY = "security", _("Security")
    ORGANISATIONAL = "organisational", _("Organisational")
    EXTERNAL = "external", _("External")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", pgettext_lazy("risk status", "Identified")
    ACTIVE = "active", pgettext_lazy("risk status", "Active")
    OCCURRED = "occurred", pgettext_lazy("risk status", "Occurred")
    CLOSED = "closed", pgettext_lazy("risk status", "Closed")


OPEN_RISK_STATUSES = (RiskStatus.IDENTIFIED, RiskStatus.ACTIVE)


class RiskResponse(models.TextChoices):
    AVOID = "avoid", _("Avoid")
    MITIGATE = "mitigate", _("Mitigate")
    TRANSFER = "transfer", _("Transfer")
    ACCEPT = "accept", _("Accept")
    EXPLOIT = "exploit", _("Exploit")
    ENHANCE = "enhance", _("Enhance")
    SHARE = "share", _("Share")
    ESCALATE = "escalate", _("Escalate")


THREAT_RESPONSES = (
    RiskResponse.AVOID,
    RiskResponse.MITIGATE,
    RiskResponse.TRANSFER,
    RiskResponse.ACCEPT,
    RiskResponse.ESCALATE,
)
OPPORTUNITY_RESPONSES = (
    RiskResponse.EXPLOIT,
    RiskResponse.ENHANCE,
    RiskResponse.SHARE,
    RiskResponse.ACCEPT,
    RiskResponse.ESCALATE,
)


class Risk(RaidScoped):
    """An uncertain event that would affect objectives: a threat or an opportunity.

    Scored on the scales twice: inherent (before responses) and residual (after the planned
    responses). ``probability_percent`` and the impacts in days and money feed the expected
    monetary value and the Monte Carlo simulation (the tasks it touches).
    """

    kind = models.CharField(
        _("kind"), max_length=12, choices=RiskKind.choices, default=RiskKind.THREAT
    )
    category = models.CharField(
        _("category"), max_length=20, choices=RiskCategory.choices, default=RiskCategory.TECHNICAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED
    )
    cause = models.TextField(_("cause"), blank=True)
    event = models.TextField(_("event"), blank=True)
    effect = models.TextField(_("effect"), blank=True)
    probability = models.PositiveSmallIntegerField(_("probability"), default=3)
    impact = models.PositiveSmallIntegerField(_("impact"), default=3)
    residual_probability = models.PositiveSmallIntegerField(
        _("residual probability"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    probability_percent = models.DecimalField(
        _("probability (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_("The chance it occurs; the probability level's own when left empty."),
    )
    cost_impact = _money(
        _("cost impact"),
        null=True,
        blank=True,
        help_text=_("What it would cost if it occurred (a gain for an opportunity)."),
    )
    schedule_impact_min_days = models.DecimalField(
        _("delay, lowest (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    schedule_impact_likely_days = models.DecimalField(
        _("delay, most likely (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    schedule_impact_max_days = models.DecimalField(
        _("delay, highest (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    tasks = models.ManyToManyField(
        Task,
        verbose_name=_("tasks affected"),
        blank=True,
        related_name="risks",
        help_text=_("The tasks its delay would fall on, in the schedule simulation."),
    )
    proximity = models.DateField(
        _("proximity"), null=True, blank=True, help_text=_("When it could occur.")
    )
    trigger = models.TextField(_("trigger"), blank=True)
    response = models.CharField(
        _("response strategy"), max_length=10, choices=RiskResponse.choices, blank=True
    )
    response_plan = models.TextField(_("response plan"), blank=True)
    review_date = models.DateField(_("next review"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["portfolio_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="risk_code_once_per_portfolio",
                violation_error_message=_("This portfolio already has a risk with this code."),
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=1) & Q(impact__gte=1),
                name="risk_levels_positive",
                violation_error_message=_("Probability and impact levels start at 1."),
            ),
        ]

    @property
    def score(self) -> int:
        return int(self.probability) * int(self.impact)

    @property
    def residual_score(self) -> int | None:
        if self.residual_probability is None or self.residual_impact is None:
            return None
        return int(self.residual_probability) * int(self.residual_impact)


class RiskActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    DONE = "done", pgettext_lazy("action status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action status", "Cancelled")


class RiskAction(models.Model):
    """A response action on a risk (a mitigation, a transfer ...) with its owner and due date."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(_("action"), max_length=500)
    owner = _user_field(_("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RiskActionStatus.choices, default=RiskActionStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk action")
        verbose_name_plural = _("risk actions")
        ordering = ["risk_id", "due_date", "pk"]

    def __str__(self) -> str:
        return self.description

    def permission_scopes(self) -> list[ScopeKey]:
        return self.risk.permission_scopes()

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q(risk__in=Risk.objects.filter(Risk.visibility_filter(grants)))


class RiskAssessment(models.Model):
    """A risk's scores and status as they were from a moment: the history behind the trend."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    assessed_by = _user_field(_("assessed by"))
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus.choices)
    probability = models.PositiveSmallIntegerField(_("probability"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    residual_probability = models.PositiveSmallIntegerField(
        _("residual probability"), null=True, blank=True
    )
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    expected_value = _money(_("expected monetary value"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["risk_id", "assessed_at", "pk"]
        indexes = [models.Index(fields=["assessed_at"])]

    def __str__(self) -> str:
        return f"{self.risk_id} @ {self.assessed_at:%Y-%m-%d}"

    @property
    def score(self) -> int:
        return int(self.probability) * int(self.impact)


# Issues, assumptions, dependencies, decisions -------------------------------------------


class IssueSeverity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "Low")
    MEDIUM = "medium", pgettext_lazy("severity", "Medium")
    HIGH = "high", pgettext_lazy("severity", "High")
    CRITICAL = "critical", pgettext_lazy("severity", "Critical")


class IssuePriority(models.IntegerChoices):
    URGENT = 1, pgettext_lazy("priority", "Urgent")
    HIGH = 2, pgettext_lazy("priority", "High")
    NORMAL = 3, pgettext_lazy("priority", "Normal")
    LOW = 4, pgettext_lazy("priority", "Low")


class IssueStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("issue status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("issue status", "In progress")
    RESOLVED = "resolved", pgettext_lazy("issue status", "Resolved")
    CLOSED = "closed", pgettext_lazy("issue status", "Closed")


OPEN_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS)


class Issue(RaidScoped):
    """Something that is happening now and needs resolving (a risk that occurred, a problem)."""

    severity = models.CharField(
        _("severity"), max_length=10, choices=IssueSeverity.choices, default=IssueSeverity.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=IssuePriority.choices, default=IssuePriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    risk = models.ForeignKey(
        Risk,
        verbose_name=_("from risk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="issues",
    )

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["portfolio_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="issue_code_once_per_portfolio",
                violation_error_message=_("This portfolio already has an issue with this code."),
            ),
        ]


class AssumptionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("assumption status", "To validate")
    VALIDATED = "validated", pgettext_lazy("assumption status", "Validated")
    INVALID = "invalid", pgettext_lazy("assumption status", "Proved false")


class Assumption(RaidScoped):
    """Something taken as true for planning, to be validated by a date."""

    validate_by = models.DateField(_("validate by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssumptionStatus.choices, default=AssumptionStatus.OPEN
    )
    validation_note = models.TextField(_("validation note"), blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True, editable=False)
    risk = models.ForeignKey(
        Risk,
        verbose_name=_("risk if false"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assumptions",
    )

    class Meta:
        verbose_name = _("assumption")
        verbose_name_plural = _("assumptions")
        ordering = ["portfolio_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="assumption_code_once_per_portfolio",
                violation_error_message=_(
                    "This portfolio already has an assumption with this code."
                ),
            ),
        ]


class DependencyDirection(models.TextChoices):
    INBOUND = "inbound", _("We depend on them")
    OUTBOUND = "outbound", _("They depend on us")


class DependencyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dependency status", "Open")
    AT_RISK = "at_risk", pgettext_lazy("dependency status", "At risk")
    MET = "met", pgettext_lazy("dependency status", "Met")
    BROKEN = "broken", pgettext_lazy("dependency status", "Broken")


class ProjectDependency(RaidScoped):
    """A dependency between this project and another project or an outside party.

    It may point at the plan dependency (a link between tasks of the two projects) or the task
    that carries it, so that its date is the plan's.
    """

    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=DependencyDirection.choices,
        default=DependencyDirection.INBOUND,
    )
    other_project = models.ForeignKey(
        Project,
        verbose_name=_("other project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_party = models.CharField(_("outside party"), max_length=200, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raid_dependencies",
    )
    plan_dependency = models.ForeignKey(
        Dependency,
        verbose_name=_("plan dependency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raid_dependencies",
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DependencyStatus.choices, default=DependencyStatus.OPEN
    )

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["portfolio_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="raid_dependency_code_once_per_portfolio",
                violation_error_message=_(
                    "This portfolio already has a dependency with this code."
                ),
            ),
        ]


class Decision(RaidScoped):
    """A decision taken: what, who, when, why and what it affects."""

    decided_by = _user_field(_("decided by"))
    decided_by_name = models.CharField(
        _("decided by (name)"),
        max_length=200,
        blank=True,
        help_text=_("Who decided, when it is not a user (a steering committee ...)."),
    )
    decided_on = models.DateField(_("decided on"))
    rationale = models.TextField(_("why"), blank=True)
    affects = models.TextField(_("what it affects"), blank=True)
    change_request = models.ForeignKey(
        "ChangeRequest",
        verbose_name=_("change request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["portfolio_id", "-decided_on", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="decision_code_once_per_portfolio",
                violation_error_message=_("This portfolio already has a decision with this code."),
            ),
        ]


# Change requests ------------------------------------------------------------------------


class ChangeRequestStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("change request status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("change request status", "Submitted")
    APPROVED = "approved", pgettext_lazy("change request status", "Approved")
    REJECTED = "rejected", pgettext_lazy("change request status", "Rejected")
    APPLIED = "applied", pgettext_lazy("change request status", "Applied")
    WITHDRAWN = "withdrawn", pgettext_lazy("change request status", "Withdrawn")


class ChangeRequest(RaidScoped):
    """A request to change a project's scope, schedule or cost, evaluated and approved at the
    level its impact calls for, then applied to the plan, its baseline and its budget.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    scope_impact = models.TextField(_("impact on scope"), blank=True)
    schedule_impact_days = models.DecimalField(
        _("impact on the finish (days)"), max_digits=8, decimal_places=1, default=ZERO
    )
    cost_impact = _money(_("impact on cost"), default=ZERO)
    risk_impact = models.TextField(_("impact on risk"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.DRAFT,
    )
    approval_level = models.CharField(
        _("approval level"),
        max_length=10,
        choices=EscalationLevel.choices,
        default=EscalationLevel.PROJECT,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_by = _user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True, editable=False)
    applied_by = _user_field(_("applied by"))
    baseline = models.ForeignKey(
        "planning.Baseline",
        verbose_name=_("baseline captured"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    budget = models.ForeignKey(
        "finance.Budget",
        verbose_name=_("budget approved"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["portfolio_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"],
                name="change_request_code_once_per_portfolio",
                violation_error_message=_(
                    "This portfolio already has a change request with this code."
                ),
            ),
        ]


class ChangeRequestTask(models.Model):
    """One task change a change request makes once applied: a new duration, or a new task."""

    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("change request"),
        on_delete=models.CASCADE,
        related_name="task_changes",
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty to add a new task at the end of the plan."),
    )
    name = models.CharField(_("new task name"), max_length=255, blank=True)
    duration_minutes = models.PositiveIntegerField(_("new duration"))
    cost = _money(_("added fixed cost"), default=ZERO)

    class Meta:
        verbose_name = _("task change")
        verbose_name_plural = _("task changes")
        ordering = ["change_request_id", "pk"]

    def __str__(self) -> str:
        return self.name or str(self.task)

    def permission_scopes(self) -> list[ScopeKey]:
        return self.change_request.permission_scopes()


class ChangeRequestEvent(models.Model):
    """A step in a change request's life: submitted, approved, rejected, applied, a comment."""

    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name=_("change request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = _user_field(_("by"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeRequestStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change request event")
        verbose_name_plural = _("change request events")
        ordering = ["change_request_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.change_request_id} {self.status}"


# Estimates and simulations --------------------------------------------------------------


class EstimateDistribution(models.TextChoices):
    TRIANGULAR = "triangular", _("Triangular")
    PERT = "pert", _("PERT-Beta")
    UNIFORM = "uniform", _("Uniform")
    LOGNORMAL = "lognormal", _("Lognormal")


class TaskEstimate(ProjectScoped):
    """A three-point estimate of a task's duration (working minutes) and, if given, its cost.

    For a lognormal estimate the lowest and highest values are its P10 and P90 and the most
    likely value is ignored.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="estimate"
    )
    distribution = models.CharField(
        _("distribution"),
        max_length=12,
        choices=EstimateDistribution.choices,
        default=EstimateDistribution.TRIANGULAR,
    )
    optimistic_minutes = models.PositiveIntegerField(_("optimistic duration"))
    most_likely_minutes = models.PositiveIntegerField(_("most likely duration"))
    pessimistic_minutes = models.PositiveIntegerField(_("pessimistic duration"))
    cost_low = _money(_("lowest cost"), null=True, blank=True)
    cost_likely = _money(_("most likely cost"), null=True, blank=True)
    cost_high = _money(_("highest cost"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("three-point estimate")
        verbose_name_plural = _("three-point estimates")
        ordering = ["project_id", "task__position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(optimistic_minutes__lte=models.F("most_likely_minutes"))
                & Q(most_likely_minutes__lte=models.F("pessimistic_minutes")),
                name="task_estimate_ordered",
                violation_error_message=_(
                    "The optimistic duration cannot exceed the most likely one, nor the most "
                    "likely the pessimistic one."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.task)


class SimulationStatus(models.TextChoices):
    DONE = "done", pgettext_lazy("simulation status", "Done")
    FAILED = "failed", pgettext_lazy("simulation status", "Failed")


class SimulationRun(ProjectScoped):
    """A Monte Carlo run of one project's schedule (and the projects linked to it), stored with
    its seed, its inputs and its results so that it can be read again and repeated.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="simulation_runs",
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects simulated"), blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    seed = models.BigIntegerField(_("seed"))
    iterations = models.PositiveIntegerField(_("iterations"))
    settings = models.JSONField(_("settings"), default=dict)
    inputs = models.JSONField(_("inputs"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=SimulationStatus.choices, default=SimulationStatus.DONE
    )
    error = models.TextField(_("error"), blank=True)
    elapsed_seconds = models.FloatField(_("time taken (s)"), default=0.0)
    created_by = _user_field(_("run by"))
    created_at = models.DateTimeField(auto_now_add=True)

    # The history keeps who ran what with which seed, not the results it can recompute.
    audit_ignored_fields = ("settings", "inputs", "results")

    class Meta:
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")
        ordering = ["project_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name or f"{self.project_id} #{self.pk}"
