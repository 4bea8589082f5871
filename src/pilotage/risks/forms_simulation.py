"""Forms of the estimates grid and the simulation pages: they parse input for the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilotage.planning.models import Task
from pilotage.portfolio.forms import DATE_WIDGET
from pilotage.portfolio.models import Project
from pilotage.risks.models import EstimateDistribution
from pilotage.risks.simulation import (
    CONFIDENCE_RANGE,
    DEFAULT_UNCERTAINTY,
    ITERATIONS_RANGE,
    parse_duration,
    show_duration,
    simulation_defaults,
)

SMALL = {"class": "units-input"}
DURATION_NAMES = (
    ("optimistic", "optimistic_minutes"),
    ("most_likely", "most_likely_minutes"),
    ("pessimistic", "pessimistic_minutes"),
)


def _amount(value: Decimal | None) -> Decimal | None:
    """A whole amount without its decimals, so that it fits the grid's narrow inputs."""
    if value is not None and value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value


class EstimateForm(forms.Form):
    """A task's three-point estimate: durations typed as the plan shows them (``5d``)."""

    distribution = forms.ChoiceField(
        label=_("Distribution"),
        choices=EstimateDistribution.choices,
        initial=EstimateDistribution.TRIANGULAR,
    )
    optimistic = forms.CharField(
        label=_("Optimistic"), widget=forms.TextInput(attrs=SMALL), required=False
    )
    most_likely = forms.CharField(
        label=_("Most likely"), widget=forms.TextInput(attrs=SMALL), required=False
    )
    pessimistic = forms.CharField(
        label=_("Pessimistic"), widget=forms.TextInput(attrs=SMALL), required=False
    )
    cost_low = forms.DecimalField(
        label=_("Lowest cost"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
    )
    cost_likely = forms.DecimalField(
        label=_("Most likely cost"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
    )
    cost_high = forms.DecimalField(
        label=_("Highest cost"),
        required=False,
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
    )

    def __init__(self, *args: Any, task: Task, minutes_per_day: int = 480, **kwargs: Any) -> None:
        self.task = task
        self.minutes_per_day = minutes_per_day
        estimate = getattr(task, "estimate", None)
        if estimate is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "distribution": estimate.distribution,
                "cost_low": _amount(estimate.cost_low),
                "cost_likely": _amount(estimate.cost_likely),
                "cost_high": _amount(estimate.cost_high),
                **{
                    name: show_duration(getattr(estimate, field), task, minutes_per_day)
                    for name, field in DURATION_NAMES
                },
            }
        kwargs.setdefault("auto_id", f"estimate-{task.pk}-%s")
        super().__init__(*args, **kwargs)
        form_id = f"estimate-{task.pk}"
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id
            field.widget.attrs["aria-label"] = f"{field.label}: {task.name}"
        for name, hint in (
            ("cost_low", _("lowest")),
            ("cost_likely", _("likely")),
            ("cost_high", _("highest")),
        ):
            self.fields[name].widget.attrs["placeholder"] = hint

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, field in DURATION_NAMES:
            text = (cleaned.get(name) or "").strip()
            if not text:
                cleaned[field] = None
                continue
            try:
                cleaned[field] = parse_duration(
                    text, self.task, field_name=name, per_day=self.minutes_per_day
                )
            except ValidationError as error:
                self.add_error(name, error.message_dict[name])
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "distribution": data["distribution"],
            "optimistic_minutes": data.get("optimistic_minutes"),
            "most_likely_minutes": data.get("most_likely_minutes"),
            "pessimistic_minutes": data.get("pessimistic_minutes"),
            "cost_low": data.get("cost_low"),
            "cost_likely": data.get("cost_likely"),
            "cost_high": data.get("cost_high"),
        }


SERVICE_FIELDS = {
    "optimistic_minutes": "optimistic",
    "most_likely_minutes": "most_likely",
    "pessimistic_minutes": "pessimistic",
}


def estimate_error_fields(error: ValidationError) -> dict[str, list[str]]:
    """A service's estimate errors keyed by the form's field names."""
    if not hasattr(error, "error_dict"):
        return {"__all__": list(error.messages)}
    return {
        SERVICE_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()
    }


class MultipliersForm(forms.Form):
    """Estimate many tasks at once as multiples of their planned duration."""

    SCOPES = (
        ("missing", _("Every task without an estimate")),
        ("selected", _("The tasks ticked in the table (their estimates are replaced)")),
    )

    optimistic = forms.DecimalField(
        label=_("Optimistic ×"), initial=Decimal("0.9"), min_value=Decimal(0), decimal_places=3
    )
    most_likely = forms.DecimalField(
        label=_("Most likely ×"), initial=Decimal("1.0"), min_value=Decimal(0), decimal_places=3
    )
    pessimistic = forms.DecimalField(
        label=_("Pessimistic ×"), initial=Decimal("1.3"), min_value=Decimal(0), decimal_places=3
    )
    distribution = forms.ChoiceField(
        label=_("Distribution"),
        choices=EstimateDistribution.choices,
        initial=EstimateDistribution.TRIANGULAR,
    )
    scope = forms.ChoiceField(
        label=_("Apply to"), choices=SCOPES, initial="missing", widget=forms.RadioSelect
    )
    tasks = forms.TypedMultipleChoiceField(
        label=_("Tasks"), required=False, coerce=int, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args: Any, task_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        tasks: Any = self.fields["tasks"]
        tasks.choices = task_choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == "selected" and not cleaned.get("tasks"):
            self.add_error("tasks", _("Tick the tasks to estimate in the table first."))
        return cleaned


class SimulationForm(forms.Form):
    """The settings of a new simulation run of a project."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    iterations = forms.IntegerField(
        label=_("Iterations"),
        min_value=ITERATIONS_RANGE[0],
        max_value=ITERATIONS_RANGE[1],
        initial=10_000,
        help_text=_("From 1,000 to 100,000: more gives steadier results but takes longer."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        help_text=_("Empty for a new random one; the same seed repeats the same results."),
    )
    uncertainty_low = forms.DecimalField(
        label=_("Optimistic ×"),
        required=False,
        min_value=Decimal(0),
        decimal_places=3,
        initial=Decimal(str(DEFAULT_UNCERTAINTY[0])),
    )
    uncertainty_mode = forms.DecimalField(
        label=_("Most likely ×"),
        required=False,
        min_value=Decimal(0),
        decimal_places=3,
        initial=Decimal(str(DEFAULT_UNCERTAINTY[1])),
    )
    uncertainty_high = forms.DecimalField(
        label=_("Pessimistic ×"),
        required=False,
        min_value=Decimal(0),
        decimal_places=3,
        initial=Decimal(str(DEFAULT_UNCERTAINTY[2])),
        help_text=_("Multipliers of the planned duration; empty to keep it as planned."),
    )
    include_risks = forms.BooleanField(
        label=_("Include the open risks that touch tasks"), required=False, initial=True
    )
    include_linked = forms.BooleanField(
        label=_("Include the projects this one depends on"),
        required=False,
        help_text=_(
            "Their plans are simulated too, across the links between tasks; projects you cannot "
            "see stay at their scheduled dates."
        ),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE_WIDGET)
    budget = forms.DecimalField(
        label=_("Budget"), required=False, min_value=Decimal(0), max_digits=18, decimal_places=2
    )
    confidence = forms.IntegerField(
        label=_("Confidence (%)"),
        min_value=CONFIDENCE_RANGE[0],
        max_value=CONFIDENCE_RANGE[1],
        initial=80,
        help_text=_("The contingency is the reserve needed to finish on time this often."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        defaults = simulation_defaults(project)
        kwargs.setdefault(
            "initial", {"deadline": defaults["deadline"], "budget": defaults["budget"]}
        )
        super().__init__(*args, **kwargs)
        self.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": project.currency}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(name) for name in ("uncertainty_low", "uncertainty_mode")]
        values.append(cleaned.get("uncertainty_high"))
        given = [value for value in values if value is not None]
        if given and len(given) < 3:
            self.add_error(
                "uncertainty_high",
                _("Give the three multipliers, or none to keep the planned durations."),
            )
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        given = [data.get(name) for name in ("uncertainty_low", "uncertainty_mode")]
        given.append(data.get("uncertainty_high"))
        multipliers = [value for value in given if value is not None]
        return {
            "name": data.get("name") or "",
            "iterations": data["iterations"],
            "seed": data.get("seed"),
            "uncertainty": (
                tuple(float(value) for value in multipliers) if len(multipliers) == 3 else None
            ),
            "include_risks": bool(data.get("include_risks")),
            "include_linked": bool(data.get("include_linked")),
            "deadline": data.get("deadline"),
            "budget": data.get("budget"),
            "confidence": data["confidence"],
        }


SIMULATION_ERROR_FIELDS = {"uncertainty": "uncertainty_high"}
