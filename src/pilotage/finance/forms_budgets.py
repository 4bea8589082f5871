"""Forms of the budget, cost and reference-list pages of finance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.finance.budgets import PERIODS
from pilotage.finance.models import (
    ActualCostSource,
    Budget,
    BudgetKind,
    CostCategory,
    ExpenseType,
    FinanceSettings,
    Supplier,
)
from pilotage.planning.models import Task
from pilotage.portfolio.forms import ServiceForm
from pilotage.portfolio.models import Currency, Project

PERIOD_LABELS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FinanceSettingsForm(ServiceForm):
    model = FinanceSettings
    reporting_currency = forms.ChoiceField(label=_("Reporting currency"), choices=Currency.choices)
    invoice_work_done_percent = forms.DecimalField(
        label=_("Work done before paying (%)"), min_value=0, max_value=100, decimal_places=2
    )
    invoice_overbilling_tolerance_percent = forms.DecimalField(
        label=_("Over-billing tolerance (%)"), min_value=0, max_value=100, decimal_places=2
    )
    invoice_rate_tolerance_percent = forms.DecimalField(
        label=_("Rate tolerance (%)"), min_value=0, max_value=100, decimal_places=2
    )


class CostCategoryForm(ServiceForm):
    model = CostCategory
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    expense_type = forms.ChoiceField(
        label=_("CAPEX or OPEX"), choices=ExpenseType.choices, initial=ExpenseType.OPEX
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ExchangeRateForm(ServiceForm):
    # No model check: the service replaces the rate of a date that already has one.
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    valid_from = forms.DateField(label=_("From"), widget=DateInput())
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=0,
        max_digits=18,
        decimal_places=8,
        help_text=_("Units of the reporting currency for one unit of this currency."),
    )


class BudgetCreateForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=BudgetKind.choices, initial=BudgetKind.APPROVED
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    copy_from = forms.ModelChoiceField(
        label=_("Copy the amounts of"),
        queryset=Budget.objects.none(),
        required=False,
        empty_label=_("(start empty)"),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, versions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if versions is not None:
            self.fields["copy_from"].queryset = versions


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("By"),
        choices=[(key, PERIOD_LABELS[key]) for key in PERIODS],
        required=False,
        initial="month",
    )


class ActualCostForm(ServiceForm):
    incurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    category = forms.ModelChoiceField(
        label=_("Cost category"), queryset=CostCategory.objects.none(), required=False
    )
    expense_type = forms.ChoiceField(
        label=_("CAPEX or OPEX"),
        choices=[("", _("(the category's)")), *ExpenseType.choices],
        required=False,
    )
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.none(), required=False
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = project.currency
        self.fields["category"].queryset = CostCategory.objects.filter(is_active=True).order_by(
            "code"
        )
        self.fields["task"].queryset = Task.objects.filter(
            project=project, is_summary=False
        ).order_by("position")
        self.fields["supplier"].queryset = Supplier.objects.filter(is_active=True).order_by("name")


class ActualCostFilterForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Source"), choices=[("", _("All")), *ActualCostSource.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Cost category"),
        queryset=CostCategory.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    finish = forms.DateField(label=_("To"), required=False, widget=DateInput())


class CostBaselineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)


class ErpUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ERP export"), help_text=_("CSV or Excel (.xlsx), at most 5 MB.")
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("(from the file's project column)"),
    )

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects  # type: ignore[attr-defined]
