"""Forms of the supplier, contract and invoice pages: they parse input for the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import Action, can, visible
from pilotage.finance.invoices import MAX_FILE_BYTES
from pilotage.finance.models import (
    Contract,
    Deliverable,
    HoldReason,
    InvoiceStatus,
    PaymentMilestone,
    PurchaseOrder,
    RateCardLine,
    Supplier,
)
from pilotage.planning.models import Task
from pilotage.portfolio.forms import DATE_WIDGET, ServiceForm, model_field
from pilotage.portfolio.models import Currency, Project
from pilotage.resources.models import JobRole, RateUnit, Resource

NUMBER_WIDGET = forms.NumberInput(attrs={"step": "0.01"})


class _Fields:
    fields: dict[str, Any]

    def _field(self, name: str) -> Any:
        """A field of the form, to set its choices or queryset."""
        return self.fields[name]


class _ChangesForm(ServiceForm):
    FIELDS: tuple[str, ...] = ()

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        """The values that differ from the edited object (all of them for a new one)."""
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        if self.instance is None:
            return data
        return {k: v for k, v in data.items() if getattr(self.instance, k) != v}


class SupplierForm(_ChangesForm):
    model = Supplier
    FIELDS = ("code", "name", "vat_number", "country", "currency", "email", "address", "notes")
    FIELDS_WITH_ACTIVE = (*FIELDS, "is_active")

    code = model_field(Supplier, "code")
    name = model_field(Supplier, "name")
    vat_number = model_field(Supplier, "vat_number")
    country = model_field(Supplier, "country", help_text=_("Two letters: FR, DE, US ..."))
    currency = model_field(Supplier, "currency")
    email = model_field(Supplier, "email")
    address = model_field(Supplier, "address", widget=forms.Textarea(attrs={"rows": 3}))
    notes = model_field(Supplier, "notes", widget=forms.Textarea(attrs={"rows": 3}))


class SupplierFilterForm(forms.Form):
    FILTER_FIELDS = ("active",)
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("1", _("Active")), ("0", _("Inactive")), ("all", _("All"))],
    )

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        active = data.get("active") or "1"
        return {
            "search": data.get("q", ""),
            "active": None if active == "all" else active == "1",
        }


class ContractForm(_ChangesForm):
    model = Contract
    FIELDS = (
        "supplier",
        "number",
        "title",
        "kind",
        "currency",
        "value",
        "start_date",
        "end_date",
        "signed_on",
        "status",
        "notes",
    )

    supplier = model_field(Contract, "supplier")
    number = model_field(Contract, "number")
    title = model_field(Contract, "title")
    kind = model_field(Contract, "kind")
    currency = model_field(Contract, "currency")
    value = model_field(Contract, "value", widget=NUMBER_WIDGET)
    start_date = model_field(Contract, "start_date", widget=DATE_WIDGET)
    end_date = model_field(Contract, "end_date", widget=DATE_WIDGET)
    signed_on = model_field(Contract, "signed_on", widget=DATE_WIDGET)
    status = model_field(Contract, "status")
    notes = model_field(Contract, "notes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, "supplier_id", None) or 0
        field: Any = self.fields["supplier"]
        field.queryset = Supplier.objects.filter(is_active=True) | Supplier.objects.filter(
            pk=current
        )

    def _post_clean(self) -> None:
        # The contract's project is not a field of the form: the service checks the rest.
        pass


def _task_field(project: Project) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label=_("Task"),
        required=False,
        queryset=Task.objects.filter(project=project).order_by("position"),
    )


class MilestoneForm(_Fields, forms.Form):
    name = model_field(PaymentMilestone, "name")
    amount = model_field(PaymentMilestone, "amount", widget=NUMBER_WIDGET)
    due_date = model_field(PaymentMilestone, "due_date", widget=DATE_WIDGET)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        kwargs["prefix"] = "milestone"
        super().__init__(*args, **kwargs)
        self.fields["task"] = _task_field(contract.project)
        self.fields["deliverable"] = forms.ModelChoiceField(
            label=_("Deliverable"), required=False, queryset=contract.deliverables.all()
        )


class RateLineForm(_Fields, forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Person"), required=False, queryset=Resource.objects.none()
    )
    role = forms.ModelChoiceField(label=_("Role"), required=False, queryset=JobRole.objects.all())
    rate = model_field(RateCardLine, "rate", widget=NUMBER_WIDGET)
    unit = forms.ChoiceField(
        label=_("Per"),
        choices=[(RateUnit.HOUR, RateUnit.HOUR.label), (RateUnit.DAY, RateUnit.DAY.label)],
        initial=RateUnit.DAY,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "rate"
        super().__init__(*args, **kwargs)
        self._field("resource").queryset = Resource.objects.filter(is_active=True).order_by("name")


class PurchaseOrderForm(forms.Form):
    number = model_field(PurchaseOrder, "number")
    issued_on = model_field(PurchaseOrder, "issued_on", widget=DATE_WIDGET)
    amount = model_field(PurchaseOrder, "amount", widget=NUMBER_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["prefix"] = "order"
        super().__init__(*args, **kwargs)


class DeliverableForm(_Fields, forms.Form):
    name = model_field(Deliverable, "name")
    due_date = model_field(Deliverable, "due_date", widget=DATE_WIDGET)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        kwargs["prefix"] = "deliverable"
        super().__init__(*args, **kwargs)
        self.fields["task"] = _task_field(contract.project)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


# Invoices -----------------------------------------------------------------------------------


class InvoiceFilterForm(_Fields, forms.Form):
    FILTER_FIELDS = ("status", "supplier", "project", "hold_reason", "overdue")
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *InvoiceStatus.choices]
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.order_by("name")
    )
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=Project.objects.none()
    )
    hold_reason = forms.ChoiceField(
        label=_("Hold reason"), required=False, choices=[("", _("Any")), *HoldReason.choices]
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("Any")), ("1", _("Overdue")), ("0", _("Not overdue"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("project").queryset = visible(user, Project.objects.order_by("code"))

    @property
    def active_filters(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return sum(1 for name in self.FILTER_FIELDS if data.get(name))

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        overdue = data.get("overdue")
        return {
            "status": data.get("status") or "",
            "supplier": data.get("supplier"),
            "project": data.get("project"),
            "hold_reason": data.get("hold_reason") or "",
            "overdue": None if not overdue else overdue == "1",
        }


def finance_projects(user: Any) -> list[Project]:
    """The projects whose money the user manages."""
    return [
        project
        for project in visible(user, Project.objects.select_related("portfolio", "programme"))
        if can(user, Action.MANAGE_FINANCE, project)
    ]


class InvoiceForm(_Fields, forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True)
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    contract = forms.ModelChoiceField(
        label=_("Contract"), required=False, queryset=Contract.objects.none()
    )
    purchase_order = forms.ModelChoiceField(
        label=_("Purchase order"), required=False, queryset=PurchaseOrder.objects.none()
    )
    number = forms.CharField(label=_("Number"), max_length=64)
    issue_date = forms.DateField(label=_("Issued on"), widget=DATE_WIDGET)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE_WIDGET)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("The invoice as a PDF or an image, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        projects = [project.pk for project in finance_projects(user)]
        self._field("project").queryset = Project.objects.filter(pk__in=projects).order_by("code")
        self._field("contract").queryset = Contract.objects.filter(
            project_id__in=projects
        ).select_related("supplier")
        self._field("purchase_order").queryset = PurchaseOrder.objects.filter(
            project_id__in=projects
        )

    def clean_file(self) -> Any:
        file = self.cleaned_data.get("file")
        if file and file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return file


class InvoiceLineForm(_Fields, forms.Form):
    description = forms.CharField(label=_("Description"), max_length=255)
    contract_line = forms.ChoiceField(label=_("Milestone or rate"), required=False)
    resource = forms.ModelChoiceField(
        label=_("Person"), required=False, queryset=Resource.objects.none()
    )
    period_start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    quantity = forms.DecimalField(
        label=_("Quantity"), initial=Decimal(1), decimal_places=4, widget=NUMBER_WIDGET
    )
    unit_price = forms.DecimalField(label=_("Unit price"), decimal_places=4, widget=NUMBER_WIDGET)
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), initial=Decimal(0), decimal_places=2, widget=NUMBER_WIDGET
    )

    def __init__(self, *args: Any, contract_lines: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._field("contract_line").choices = [("", "—"), *contract_lines]
        self._field("resource").queryset = Resource.objects.filter(is_active=True).order_by("name")

    def line_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "description": data["description"],
            "resource": data.get("resource"),
            "period_start": data.get("period_start"),
            "period_end": data.get("period_end"),
            "quantity": data["quantity"],
            "unit_price": data["unit_price"],
            "tax_rate": data.get("tax_rate") or Decimal(0),
        }
        choice = data.get("contract_line") or ""
        if choice.startswith("m-"):
            values["milestone"] = PaymentMilestone.objects.get(pk=int(choice[2:]))
        elif choice.startswith("r-"):
            values["rate_line"] = RateCardLine.objects.get(pk=int(choice[2:]))
        return values


class BaseLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, contract_lines: list[tuple[str, str]], **kwargs: Any):
        self.contract_lines = contract_lines
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"contract_lines": self.contract_lines}


InvoiceLineFormSet: Any = forms.formset_factory(
    InvoiceLineForm, formset=BaseLineFormSet, extra=3, min_num=1, validate_min=True
)


def contract_line_choices(contracts: Any) -> list[tuple[str, str]]:
    """The milestones and rates of ``contracts`` as choices "m-<id>" and "r-<id>"."""
    choices: list[tuple[str, str]] = []
    for milestone in PaymentMilestone.objects.filter(contract__in=contracts).select_related(
        "contract"
    ):
        choices.append(
            (
                f"m-{milestone.pk}",
                f"{milestone.contract.number} · {milestone.name} ({milestone.amount})",
            )
        )
    for line in RateCardLine.objects.filter(contract__in=contracts).select_related(
        "contract", "resource", "role"
    ):
        choices.append((f"r-{line.pk}", f"{line.contract.number} · {line}"))
    return choices


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=HoldReason.choices)
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    payment_reference = forms.CharField(label=_("Payment reference"), required=False)
