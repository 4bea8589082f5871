"""Portfolios, programmes and projects, the strategic objectives they serve, and tags."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from pilotage.accounts.permissions import Grants, ScopeKey

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Use letters, digits, dots, dashes and underscores, starting with a letter or digit."),
)


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")
    USD = "USD", _("US dollar")
    GBP = "GBP", _("Pound sterling")
    CHF = "CHF", _("Swiss franc")
    CAD = "CAD", _("Canadian dollar")
    AUD = "AUD", _("Australian dollar")
    JPY = "JPY", _("Japanese yen")
    SEK = "SEK", _("Swedish krona")
    NOK = "NOK", _("Norwegian krone")
    DKK = "DKK", _("Danish krone")
    PLN = "PLN", _("Polish złoty")
    CNY = "CNY", _("Chinese yuan")
    INR = "INR", _("Indian rupee")
    BRL = "BRL", _("Brazilian real")
    MAD = "MAD", _("Moroccan dirham")


class ProjectPhase(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    INITIATION = "initiation", _("Initiation")
    PLANNING = "planning", _("Planning")
    EXECUTION = "execution", _("Execution")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectPriority(models.IntegerChoices):
    CRITICAL = 1, _("Critical")
    HIGH = 2, _("High")
    MEDIUM = 3, _("Medium")
    LOW = 4, _("Low")


class HealthRag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class Portfolio(models.Model):
    """A set of programmes and projects managed together against a budget and objectives."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_portfolios",
    )
    currency = models.CharField(
        _("reporting currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:portfolio_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        return [("portfolio", self.pk)]

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return (
            Q(id__in=grants.ids("portfolio"))
            | Q(
                id__in=Programme.objects.filter(id__in=grants.ids("programme")).values(
                    "portfolio_id"
                )
            )
            | Q(id__in=Project.objects.filter(id__in=grants.ids("project")).values("portfolio_id"))
        )


class Programme(models.Model):
    """A group of related projects in a portfolio, managed together for shared benefits."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="programmes"
    )
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_programmes",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_programmes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:programme_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        return [("programme", self.pk), ("portfolio", self.portfolio_id)]

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return (
            Q(portfolio_id__in=grants.ids("portfolio"))
            | Q(id__in=grants.ids("programme"))
            | Q(id__in=Project.objects.filter(id__in=grants.ids("project")).values("programme_id"))
        )


class StrategicObjective(models.Model):
    """A goal of the company that projects contribute to, weighted for prioritisation."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Relative importance used when scoring projects."),
    )
    portfolio = models.ForeignKey(
        Portfolio,
        verbose_name=_("portfolio"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objectives",
        help_text=_("Leave empty for an objective of the whole company."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1),
                name="objective_weight_positive",
                violation_error_message=_("The weight must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:objective_detail", args=[self.pk])

    def permission_scopes(self) -> list[ScopeKey]:
        return [("portfolio", self.portfolio_id)] if self.portfolio_id else []

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        if not (grants.organisation_roles or grants.scoped_roles):
            return Q(pk__in=[])
        return Q(portfolio__isnull=True) | Q(
            portfolio__in=Portfolio.objects.filter(Portfolio.visibility_filter(grants))
        )


class Tag(models.Model):
    """A free label to group projects across the hierarchy ("regulatory", "cloud" ...)."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A temporary endeavour with a manager, a budget and dates, in a portfolio (and programme)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="projects"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_projects",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_projects",
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=ProjectPhase.choices, default=ProjectPhase.PROPOSAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=ProjectPriority.choices, default=ProjectPriority.MEDIUM
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    finish_date = models.DateField(_("finish"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    objectives = models.ManyToManyField(
        StrategicObjective,
        verbose_name=_("strategic objectives"),
        blank=True,
        related_name="projects",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="projects")
    health = models.CharField(
        _("health"), max_length=8, choices=HealthRag.choices, default=HealthRag.GREEN
    )
    health_reason = models.TextField(_("health reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="project_budget_not_negative",
                violation_error_message=_("The budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(finish_date__isnull=True)
                | Q(finish_date__gte=models.F("start_date")),
                name="project_finish_after_start",
                violation_error_message=_("The finish date cannot be before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["portfolio", "phase"], name="project_portfolio_phase_idx"),
            models.Index(fields=["finish_date"], name="project_finish_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:project_detail", args=[self.pk])

    def clean(self) -> None:
        # The check constraint guards the database; this puts the message on the field to fix.
        if self.start_date and self.finish_date and self.finish_date < self.start_date:
            raise ValidationError(
                {"finish_date": _("The finish date cannot be before the start date.")}
            )

    def permission_scopes(self) -> list[ScopeKey]:
        scopes: list[ScopeKey] = [("project", self.pk)]
        if self.programme_id:
            scopes.append(("programme", self.programme_id))
        scopes.append(("portfolio", self.portfolio_id))
        return scopes

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return (
            Q(portfolio_id__in=grants.ids("portfolio"))
            | Q(programme_id__in=grants.ids("programme"))
            | Q(id__in=grants.ids("project"))
        )
