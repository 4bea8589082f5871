"""Money: budgets and their versions, cost baselines, actual costs, timesheets, supplier
contracts and invoices, exchange rates.

Amounts are ``Decimal`` with two decimal places, in the currency stated on the row; the
exchange-rate table converts them to the reporting currency for roll-ups.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.accounts.permissions import Grants, ScopeKey
from pilotage.planning.models import ProjectScoped, Task
from pilotage.portfolio.models import Currency, Programme, Project
from pilotage.resources.models import JobRole, RateUnit, Resource

ZERO = Decimal("0")


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """A money amount: 18 digits, 2 decimal places."""
    kwargs.setdefault("max_digits", 18)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def _user_field(verbose_name: Any) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ExpenseType(models.TextChoices):
    CAPEX = "capex", _("CAPEX")
    OPEX = "opex", _("OPEX")


class FinanceSettings(models.Model):
    """The organisation's money settings: one row (primary key 1)."""

    reporting_currency = models.CharField(
        _("reporting currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    invoice_work_done_percent = models.DecimalField(
        _("work done before paying (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_("An invoice line is cleared when the work it bills is at least this far done."),
    )
    invoice_overbilling_tolerance_percent = models.DecimalField(
        _("over-billing tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_("How far billed-to-date may exceed the value of accepted work-to-date."),
    )
    invoice_rate_tolerance_percent = models.DecimalField(
        _("rate tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_("How far an invoiced rate may differ from the contract's rate."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")

    def __str__(self) -> str:
        return str(_("Finance settings"))


class ExchangeRate(models.Model):
    """How many units of the reporting currency one unit of ``currency`` is worth, from a date."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    valid_from = models.DateField(_("from"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of the reporting currency for one unit of this currency."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"],
                name="exchange_rate_once_per_date",
                violation_error_message=_("This currency already has a rate from this date."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_from:%Y-%m-%d})"


class CostCategory(models.Model):
    """A kind of cost budgets and actuals are split by: internal labour, licences, hardware ..."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    expense_type = models.CharField(
        _("CAPEX or OPEX"), max_length=5, choices=ExpenseType.choices, default=ExpenseType.OPEX
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cost category")
        verbose_name_plural = _("cost categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProjectFinance(ProjectScoped):
    """A project's money options."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="finance"
    )
    progress_from_timesheets = models.BooleanField(
        _("progress from timesheets"),
        default=False,
        help_text=_("Approved timesheets update the actual work and progress of the tasks."),
    )

    class Meta:
        verbose_name = _("project finance options")
        verbose_name_plural = _("project finance options")

    def __str__(self) -> str:
        return str(self.project)


class BudgetKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    APPROVED = "approved", _("Current approved")
    FORECAST = "forecast", _("Forecast")


class BudgetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class Budget(models.Model):
    """One version of the budget of a project or of a programme, phased by month.

    A project or programme has at most one approved version of each kind at a time; approving
    a new one supersedes the previous one, which stays as history.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budget_versions",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="budget_versions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BudgetKind.choices)
    number = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = _user_field(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_by = _user_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = _user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["project_id", "programme_id", "kind", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(programme__isnull=True))
                | (Q(project__isnull=True) & Q(programme__isnull=False)),
                name="budget_of_project_or_programme",
                violation_error_message=_("A budget belongs to a project or to a programme."),
            ),
            models.UniqueConstraint(
                fields=["project", "kind", "number"],
                condition=Q(project__isnull=False),
                name="budget_version_unique_in_project",
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "number"],
                condition=Q(programme__isnull=False),
                name="budget_version_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        owner = self.project if self.project_id else self.programme
        return f"{owner} — {self.get_kind_display()} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("finance:budget_detail", args=[self.pk])

    @property
    def owner(self) -> Project | Programme:
        owner = self.project if self.project_id else self.programme
        assert owner is not None
        return owner

    def permission_scopes(self) -> list[ScopeKey]:
        return self.owner.permission_scopes()

    @classmethod
    def visibility_filter(cls, grants: Grants) -> Q:
        return Q(project__in=Project.objects.filter(Project.visibility_filter(grants))) | Q(
            programme__in=Programme.objects.filter(Programme.visibility_filter(grants))
        )


class BudgetLine(models.Model):
    """An amount of a budget version for one month, cost category and expense type."""

    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.CASCADE, related_name="lines"
    )
    category = models.ForeignKey(
        CostCategory, verbose_name=_("cost category"), on_delete=models.PROTECT, related_name="+"
    )
    expense_type = models.CharField(
        _("CAPEX or OPEX"), max_length=5, choices=ExpenseType.choices, default=ExpenseType.OPEX
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget_id", "month", "category_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "category", "expense_type", "month"],
                name="budget_line_once_per_month",
                violation_error_message=_(
                    "This budget already has an amount for this month, category and type."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="budget_line_not_negative",
                violation_error_message=_("A budget amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.month:%Y-%m} {self.category}: {self.amount}"


class CostBaseline(ProjectScoped):
    """The planned cost of a project's tasks as captured on a date: assignments × rates plus
    fixed costs, phased by day. Earned value measures progress against the current one."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="cost_baselines"
    )
    name = models.CharField(_("name"), max_length=200)
    captured_at = models.DateTimeField(_("captured at"), auto_now_add=True)
    captured_by = _user_field(_("captured by"))
    is_current = models.BooleanField(_("current"), default=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    budget_at_completion = money_field(_("budget at completion"), default=ZERO)
    labour_cost = money_field(_("labour cost"), default=ZERO)
    fixed_cost = money_field(_("fixed cost"), default=ZERO)
    start = models.DateField(_("start"), null=True, blank=True)
    finish = models.DateField(_("finish"), null=True, blank=True)
    # {"2026-11-02": "1234.50", ...}: planned cost per calendar day, days without cost left out.
    daily_cost = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("cost baseline")
        verbose_name_plural = _("cost baselines")
        ordering = ["project_id", "-captured_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(is_current=True),
                name="cost_baseline_one_current",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CostBaselineTask(models.Model):
    """One task's planned cost in a cost baseline."""

    cost_baseline = models.ForeignKey(
        CostBaseline,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("cost baseline"),
    )
    task = models.ForeignKey(Task, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    start = models.DateField(_("start"), null=True)
    finish = models.DateField(_("finish"), null=True)
    labour_cost = money_field(_("labour cost"), default=ZERO)
    fixed_cost = money_field(_("fixed cost"), default=ZERO)
    cost = money_field(_("cost"), default=ZERO)

    class Meta:
        verbose_name = _("cost baseline task")
        verbose_name_plural = _("cost baseline tasks")
        ordering = ["cost_baseline_id", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.cost}"


class ActualCostSource(models.TextChoices):
    TIMESHEET = "timesheet", _("Approved timesheet")
    EXPENSE = "expense", _("Expense")
    INVOICE = "invoice", _("Supplier invoice")
    ERP = "erp", _("ERP import")


class ActualCost(ProjectScoped):
    """A cost incurred by a project on a date: the ledger earned value reads actual cost from.

    Approved timesheets and approved invoices write their rows here (and remove them when
    reopened); expenses are typed in and ERP exports imported.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="actual_costs"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actual_costs",
    )
    category = models.ForeignKey(
        CostCategory,
        verbose_name=_("cost category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expense_type = models.CharField(
        _("CAPEX or OPEX"), max_length=5, choices=ExpenseType.choices, default=ExpenseType.OPEX
    )
    incurred_on = models.DateField(_("date"))
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    source = models.CharField(_("source"), max_length=10, choices=ActualCostSource.choices)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The document number.")
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    supplier = models.ForeignKey(
        "Supplier",
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actual_costs",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actual_costs",
    )
    minutes = models.PositiveIntegerField(_("time"), null=True, blank=True)
    timesheet = models.ForeignKey(
        "Timesheet", null=True, blank=True, on_delete=models.CASCADE, related_name="actual_costs"
    )
    invoice = models.ForeignKey(
        "Invoice", null=True, blank=True, on_delete=models.CASCADE, related_name="actual_costs"
    )
    created_by = _user_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("actual cost")
        verbose_name_plural = _("actual costs")
        ordering = ["project_id", "incurred_on", "pk"]
        indexes = [models.Index(fields=["project", "incurred_on"], name="actual_cost_project_date")]

    def __str__(self) -> str:
        return f"{self.incurred_on:%Y-%m-%d} {self.amount} {self.currency}"


class EarnedValueRecord(ProjectScoped):
    """A project's earned value figures as recorded at a status date, in the project currency.

    The S-curve draws earned value over time from these records: progress is recorded at
    status dates, so past earned value is what was reported then.
    """

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="earned_value_records",
    )
    as_of = models.DateField(_("status date"))
    planned_value = money_field(_("planned value"))
    earned_value = money_field(_("earned value"))
    actual_cost = money_field(_("actual cost"))
    budget_at_completion = money_field(_("budget at completion"))
    estimate_at_completion = money_field(_("estimate at completion"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    recorded_by = _user_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("earned value record")
        verbose_name_plural = _("earned value records")
        ordering = ["project_id", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "as_of"],
                name="earned_value_record_once_per_date",
                violation_error_message=_("This project already has figures for this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.as_of:%Y-%m-%d}"


class PeriodLock(models.Model):
    """Dates closed to new or changed timesheets and actual costs (a closed accounting period)."""

    start = models.DateField(_("from"))
    finish = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    locked_by = _user_field(_("locked by"))
    locked_at = models.DateTimeField(_("locked"), auto_now_add=True)

    class Meta:
        verbose_name = _("locked period")
        verbose_name_plural = _("locked periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish__gte=models.F("start")),
                name="period_lock_dates_in_order",
                violation_error_message=_("A locked period cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.finish:%Y-%m-%d}"


class TimesheetStatus(models.TextChoices):
    # French agrees the status with "feuille de temps" (feminine): hence the context.
    DRAFT = "draft", pgettext_lazy("timesheet status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("timesheet status", "Submitted")
    APPROVED = "approved", pgettext_lazy("timesheet status", "Approved")
    REJECTED = "rejected", pgettext_lazy("timesheet status", "Rejected")


class Timesheet(models.Model):
    """A person's time for one week (Monday to Sunday) over their assignments."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="timesheets"
    )
    week_start = models.DateField(_("week"), help_text=_("The Monday the week starts on."))
    status = models.CharField(
        _("status"), max_length=10, choices=TimesheetStatus.choices, default=TimesheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = _user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-week_start", "resource_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "week_start"],
                name="timesheet_once_per_week",
                violation_error_message=_("This person already has a timesheet for this week."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} — {self.week_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("finance:timesheet_detail", args=[self.pk])


class TimesheetEntry(ProjectScoped):
    """Time spent on one task on one day of a timesheet."""

    timesheet = models.ForeignKey(
        Timesheet, verbose_name=_("timesheet"), on_delete=models.CASCADE, related_name="entries"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="timesheet_entries"
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(
        _("time"), validators=[MaxValueValidator(24 * 60)], help_text=_("Minutes worked.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("timesheet entry")
        verbose_name_plural = _("timesheet entries")
        ordering = ["timesheet_id", "task_id", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["timesheet", "task", "date"],
                name="timesheet_entry_once_per_day",
                violation_error_message=_("This task already has time on this day."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=24 * 60),
                name="timesheet_entry_within_day",
                violation_error_message=_("A day has no more than 24 hours."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.task}: {self.minutes} min"


class Supplier(models.Model):
    """A company the organisation buys work or goods from."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("finance:supplier_detail", args=[self.pk])


class ContractKind(models.TextChoices):
    FIXED_PRICE = "fixed_price", _("Fixed price")
    TIME_AND_MATERIALS = "time_materials", _("Time and materials")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Contract(ProjectScoped):
    """An agreement with a supplier for work on a project: fixed price with payment milestones,
    or time and materials at the rates of its rate card."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="contracts"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ContractKind.choices)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    value = money_field(
        _("value"),
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("The price, or the ceiling of a time-and-materials contract."),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)
    file = models.FileField(_("signed copy"), upload_to="contracts/%Y/", blank=True)
    created_by = _user_field(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["project_id", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="contract_value_not_negative",
                violation_error_message=_("A contract's value cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("finance:contract_detail", args=[self.pk])


class PurchaseOrder(ProjectScoped):
    """An order placed under a contract; invoices quote its number."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="orders"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=64, unique=True)
    issued_on = models.DateField(_("issued on"))
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["contract_id", "issued_on", "number"]

    def __str__(self) -> str:
        return self.number


class RateCardLine(models.Model):
    """A time-and-materials contract's rate for a person or a role."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="rates"
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_rates",
    )
    role = models.ForeignKey(
        JobRole,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contract_rates",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=4, validators=[MinValueValidator(ZERO)]
    )
    unit = models.CharField(_("per"), max_length=2, choices=RateUnit.choices, default=RateUnit.DAY)

    class Meta:
        verbose_name = _("contract rate")
        verbose_name_plural = _("contract rates")
        ordering = ["contract_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=False) | Q(role__isnull=False),
                name="rate_card_line_for_resource_or_role",
                violation_error_message=_("A contract rate is for a person or a role."),
            ),
        ]

    def __str__(self) -> str:
        who = self.resource or self.role
        return f"{who}: {self.rate} {self.get_unit_display()}"


class DeliverableStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Deliverable(models.Model):
    """Something a supplier must hand over under a contract, accepted by a named person."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="deliverables"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliverables",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliverableStatus.choices,
        default=DeliverableStatus.PENDING,
    )
    decided_by = _user_field(_("accepted by"))
    decided_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    decision_note = models.TextField(_("acceptance note"), blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["contract_id", "due_date", "pk"]

    def __str__(self) -> str:
        return self.name


class PaymentMilestone(models.Model):
    """A fixed-price contract's instalment, payable once its evidence is there: an accepted
    deliverable, or else a finished task."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("name"), max_length=200)
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    due_date = models.DateField(_("due"), null=True, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_milestones",
    )
    deliverable = models.ForeignKey(
        Deliverable,
        verbose_name=_("deliverable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payment_milestones",
    )

    class Meta:
        verbose_name = _("payment milestone")
        verbose_name_plural = _("payment milestones")
        ordering = ["contract_id", "due_date", "pk"]

    def __str__(self) -> str:
        return self.name


class InvoiceStatus(models.TextChoices):
    # French agrees the status with "facture" (feminine), and a held invoice is "bloquée".
    RECEIVED = "received", pgettext_lazy("invoice status", "Received")
    MATCHED = "matched", pgettext_lazy("invoice status", "Matched")
    ON_HOLD = "on_hold", pgettext_lazy("invoice status", "On hold")
    DISPUTED = "disputed", pgettext_lazy("invoice status", "Disputed")
    APPROVED = "approved", pgettext_lazy("invoice status", "Approved")
    PAID = "paid", pgettext_lazy("invoice status", "Paid")


class HoldReason(models.TextChoices):
    OVER_BILLED = "over_billed", _("Over-billed")
    NO_EVIDENCE = "no_evidence", _("No evidence of the work")
    DUPLICATE_NUMBER = "duplicate_number", _("Duplicate number")
    RATE_DIFFERS = "rate_differs", _("Rate differs from the contract")
    CURRENCY_WITHOUT_RATE = "currency_without_rate", _("Currency without an exchange rate")


class Invoice(ProjectScoped):
    """A supplier's invoice, checked line by line against the contract and the work done."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="invoices"
    )
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="invoices"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    number = models.CharField(_("number"), max_length=64)
    issue_date = models.DateField(_("issued on"))
    received_on = models.DateField(_("received on"))
    due_date = models.DateField(_("due"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    net_amount = money_field(_("net amount"), default=ZERO)
    tax_amount = money_field(_("tax"), default=ZERO)
    total_amount = money_field(_("total"), default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.RECEIVED
    )
    # [{"code": "over_billed", "message": "...", "line": 2}, ...] from the last check.
    hold_reasons = models.JSONField(_("hold reasons"), default=list, blank=True, editable=False)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True, editable=False)
    file = models.FileField(_("file"), upload_to="invoices/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True)
    received_by = _user_field(_("registered by"))
    approved_by = _user_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["supplier", "number"], name="invoice_supplier_number")]
        constraints = [
            models.CheckConstraint(
                condition=Q(net_amount__gte=0) & Q(tax_amount__gte=0),
                name="invoice_amounts_not_negative",
                violation_error_message=_("Invoice amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("finance:invoice_detail", args=[self.pk])


class InvoiceLine(models.Model):
    """One line of an invoice, matched to the contract line it bills."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    description = models.CharField(_("description"), max_length=255)
    milestone = models.ForeignKey(
        PaymentMilestone,
        verbose_name=_("payment milestone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    rate_line = models.ForeignKey(
        RateCardLine,
        verbose_name=_("contract rate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=18,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(ZERO)],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=18, decimal_places=4, validators=[MinValueValidator(ZERO)]
    )
    amount = money_field(_("amount"), validators=[MinValueValidator(ZERO)])
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(quantity__gte=0) & Q(unit_price__gte=0),
                name="invoice_line_not_negative",
                violation_error_message=_("Invoice line amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class InvoiceEvent(models.Model):
    """An entry of an invoice's thread: a comment, a dispute message or a status change."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="events"
    )
    author = _user_field(_("author"))
    author_name = models.CharField(_("author (name)"), max_length=150, blank=True)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")
        ordering = ["invoice_id", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice} {self.occurred_at:%Y-%m-%d %H:%M}"
