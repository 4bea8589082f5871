"""Forms of the risk register pages: they parse input for the register's services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.accounts.models import User
from pilotage.accounts.permissions import visible
from pilotage.planning.models import Task
from pilotage.portfolio.forms import DATE_WIDGET, PersonChoiceField, ServiceForm, model_field
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.risks.models import (
    EscalationLevel,
    RaidScoped,
    Risk,
    RiskAction,
    RiskCategory,
    RiskKind,
    RiskScaleLevel,
    RiskSettings,
    RiskStatus,
    ScaleKind,
)
from pilotage.risks.register import ACTION_FIELDS, SETTINGS_FIELDS, RiskScales, project_people

NUMBER_WIDGET = forms.NumberInput(attrs={"step": "0.01"})
TEXT_AREA = forms.Textarea(attrs={"rows": 2})

RAG_CHOICES = [
    ("", _("Any")),
    ("red", pgettext_lazy("rag", "Red")),
    ("amber", pgettext_lazy("rag", "Amber")),
    ("green", pgettext_lazy("rag", "Green")),
]
VIEW_CHOICES = [("inherent", _("Inherent")), ("residual", _("Residual"))]


def _level_choices(scales: RiskScales, kind: str, *, blank: bool) -> list[tuple[Any, str]]:
    choices: list[tuple[Any, str]] = [("", "—")] if blank else []
    for level in scales.levels(kind):
        label = f"{level.level} · {level.name}"
        if kind == ScaleKind.PROBABILITY and level.probability_percent is not None:
            label += f" ({level.probability_percent.normalize():f} %)"
        choices.append((level.level, label))
    return choices


class _ChangesForm(ServiceForm):
    """A form that gives its service only the values that differ from the edited object."""

    FIELDS: tuple[str, ...] = ()
    MANY: tuple[str, ...] = ()

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            initial = {
                name: getattr(instance, name) for name in self.FIELDS if name not in self.MANY
            }
            for name in self.MANY:
                initial[name] = list(getattr(instance, name).all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS if name in self.cleaned_data}
        if self.instance is None:
            return data
        changed: dict[str, Any] = {}
        for name, value in data.items():
            if name in self.MANY:
                before = {obj.pk for obj in getattr(self.instance, name).all()}
                if before != {obj.pk for obj in value}:
                    changed[name] = list(value)
            elif getattr(self.instance, name) != value:
                changed[name] = value
        return changed


class RiskForm(_ChangesForm):
    """A risk: what could happen, its scores before and after the responses, what it would
    cost, the tasks it would delay, and the response."""

    model = Risk
    FIELDS = (
        "code",
        "title",
        "kind",
        "category",
        "status",
        "owner",
        "description",
        "cause",
        "event",
        "effect",
        "probability",
        "impact",
        "residual_probability",
        "residual_impact",
        "probability_percent",
        "cost_impact",
        "schedule_impact_min_days",
        "schedule_impact_likely_days",
        "schedule_impact_max_days",
        "tasks",
        "proximity",
        "trigger",
        "response",
        "response_plan",
        "review_date",
    )
    MANY = ("tasks",)
    fieldsets = (
        (_("Risk"), ("code", "title", "kind", "category", "status", "owner", "description")),
        (_("Cause, event, effect"), ("cause", "event", "effect", "trigger", "proximity")),
        (
            _("Scores"),
            ("probability", "impact", "residual_probability", "residual_impact"),
        ),
        (
            _("Quantified impact"),
            (
                "probability_percent",
                "cost_impact",
                "schedule_impact_min_days",
                "schedule_impact_likely_days",
                "schedule_impact_max_days",
                "tasks",
            ),
        ),
        (_("Response"), ("response", "response_plan", "review_date")),
    )

    code = model_field(
        Risk, "code", required=False, help_text=_("Leave empty for the next number (R-001 ...).")
    )
    title = model_field(Risk, "title")
    kind = model_field(Risk, "kind")
    category = model_field(Risk, "category")
    status = model_field(Risk, "status")
    owner = PersonChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    description = model_field(Risk, "description", widget=TEXT_AREA)
    cause = model_field(Risk, "cause", widget=TEXT_AREA, help_text=_("Because of …"))
    event = model_field(Risk, "event", widget=TEXT_AREA, help_text=_("… this may happen …"))
    effect = model_field(Risk, "effect", widget=TEXT_AREA, help_text=_("… which would lead to …"))
    trigger = model_field(Risk, "trigger", widget=TEXT_AREA)
    proximity = model_field(Risk, "proximity", widget=DATE_WIDGET)
    probability = forms.TypedChoiceField(label=_("Probability"), coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int)
    residual_probability = forms.TypedChoiceField(
        label=_("Residual probability"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("After the planned responses."),
    )
    residual_impact = forms.TypedChoiceField(
        label=_("Residual impact"), coerce=int, required=False, empty_value=None
    )
    probability_percent = model_field(Risk, "probability_percent", widget=NUMBER_WIDGET)
    cost_impact = model_field(Risk, "cost_impact", widget=NUMBER_WIDGET)
    schedule_impact_min_days = model_field(Risk, "schedule_impact_min_days")
    schedule_impact_likely_days = model_field(Risk, "schedule_impact_likely_days")
    schedule_impact_max_days = model_field(Risk, "schedule_impact_max_days")
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks affected"),
        required=False,
        queryset=Task.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The tasks its delay would fall on, in the schedule simulation."),
    )
    response = model_field(Risk, "response")
    response_plan = model_field(Risk, "response_plan", widget=TEXT_AREA)
    review_date = model_field(
        Risk,
        "review_date",
        widget=DATE_WIDGET,
        help_text=_("Empty: after the review interval."),
    )

    def __init__(self, *args: Any, project: Project, scales: RiskScales, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        fields: dict[str, Any] = self.fields
        fields["owner"].queryset = project_people(project)
        fields["tasks"].queryset = Task.objects.filter(project=project).order_by("position")
        fields["probability"].choices = _level_choices(scales, ScaleKind.PROBABILITY, blank=False)
        fields["impact"].choices = _level_choices(scales, ScaleKind.IMPACT, blank=False)
        fields["residual_probability"].choices = _level_choices(
            scales, ScaleKind.PROBABILITY, blank=True
        )
        fields["residual_impact"].choices = _level_choices(scales, ScaleKind.IMPACT, blank=True)
        if self.instance is None:
            fields["probability"].initial = 3
            fields["impact"].initial = 3
        else:
            fields["code"].required = True
            fields["code"].help_text = ""

    def _post_clean(self) -> None:
        # An empty code is numbered by the service: only check the others here.
        blank_code = "code" in self.cleaned_data and not self.cleaned_data["code"]
        if blank_code:
            del self.cleaned_data["code"]
        super()._post_clean()
        if blank_code:
            self.cleaned_data["code"] = ""


class RiskFilterForm(forms.Form):
    """The filters of a risk register."""

    FILTER_FIELDS = ("status", "category", "kind", "owner", "rag", "q")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("all", _("All")), *RiskStatus.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any")), *RiskCategory.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *RiskKind.choices]
    )
    owner = PersonChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    rag = forms.ChoiceField(label=_("RAG"), required=False, choices=RAG_CHOICES)
    q = forms.CharField(label=_("Search"), required=False)
    probability = forms.IntegerField(required=False, widget=forms.HiddenInput)
    impact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    view = forms.ChoiceField(required=False, choices=VIEW_CHOICES, widget=forms.HiddenInput)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["owner"].queryset = project_people(project)

    @property
    def active_filters(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return sum(1 for name in self.FILTER_FIELDS if data.get(name) and name != "status")

    @property
    def cell(self) -> tuple[int, int] | None:
        """The heat map cell asked for, if any."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("probability") and data.get("impact"):
            return data["probability"], data["impact"]
        return None

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "open",
            "category": data.get("category") or "",
            "kind": data.get("kind") or "",
            "owner": data.get("owner"),
            "rag": data.get("rag") or "",
            "search": (data.get("q") or "").strip(),
            "probability": data.get("probability"),
            "impact": data.get("impact"),
            "residual": data.get("view") == "residual",
        }


class RaidFilterForm(forms.Form):
    """The filters of the portfolio-wide RAID page."""

    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), required=False, queryset=Portfolio.objects.none()
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none()
    )
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=Project.objects.none()
    )
    view = forms.ChoiceField(label=_("Scores"), required=False, choices=VIEW_CHOICES)
    probability = forms.IntegerField(required=False, widget=forms.HiddenInput)
    impact = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["portfolio"].queryset = visible(user, Portfolio.objects.order_by("name"))
        fields["programme"].queryset = visible(user, Programme.objects.order_by("name"))
        fields["project"].queryset = visible(user, Project.objects.order_by("code"))

    def scope(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {name: data.get(name) for name in ("portfolio", "programme", "project")}

    @property
    def residual(self) -> bool:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("view") == "residual"

    @property
    def cell(self) -> tuple[int, int] | None:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("probability") and data.get("impact"):
            return data["probability"], data["impact"]
        return None


class RiskActionForm(_ChangesForm):
    """A response action with its owner and due date."""

    model = RiskAction
    FIELDS = ACTION_FIELDS

    description = model_field(RiskAction, "description")
    owner = PersonChoiceField(label=_("Owner"), required=False, queryset=User.objects.none())
    due_date = model_field(RiskAction, "due_date", widget=DATE_WIDGET)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "action")
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["owner"].queryset = project_people(project)

    def _post_clean(self) -> None:
        # The action's risk is not a field of the form: the service checks the rest.
        pass


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=EscalationLevel.choices)
    comment = forms.CharField(
        label=_("Why"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, item: RaidScoped, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "escalate")
        super().__init__(*args, **kwargs)
        choices = [
            (value, label)
            for value, label in EscalationLevel.choices
            if value != item.escalation_level
            and (value != EscalationLevel.PROGRAMME or item.programme_id)
        ]
        field: Any = self.fields["level"]
        field.choices = choices


class RiskSettingsForm(_ChangesForm):
    model = RiskSettings
    FIELDS = SETTINGS_FIELDS
    fieldsets = (
        (_("Risk scores"), ("amber_score", "red_score", "review_interval_days")),
        (
            _("Approval of change requests"),
            (
                "programme_cost_threshold",
                "portfolio_cost_threshold",
                "programme_days_threshold",
                "portfolio_days_threshold",
            ),
        ),
    )

    amber_score = model_field(RiskSettings, "amber_score")
    red_score = model_field(RiskSettings, "red_score")
    review_interval_days = model_field(RiskSettings, "review_interval_days")
    programme_cost_threshold = model_field(
        RiskSettings, "programme_cost_threshold", widget=NUMBER_WIDGET
    )
    portfolio_cost_threshold = model_field(
        RiskSettings, "portfolio_cost_threshold", widget=NUMBER_WIDGET
    )
    programme_days_threshold = model_field(RiskSettings, "programme_days_threshold")
    portfolio_days_threshold = model_field(RiskSettings, "portfolio_days_threshold")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "settings")
        super().__init__(*args, **kwargs)


class ScaleLevelForm(forms.Form):
    """One level of a scale; a row left entirely empty is not a level."""

    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=9, required=False)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    probability_percent = forms.DecimalField(
        label=_("Probability (%)"), required=False, max_digits=5, decimal_places=2
    )
    schedule_days = forms.DecimalField(
        label=_("Delay (days)"), required=False, max_digits=8, decimal_places=1
    )
    cost = forms.DecimalField(label=_("Cost"), required=False, max_digits=18, decimal_places=2)
    quality = forms.CharField(label=_("Quality"), required=False, max_length=255)
    reputation = forms.CharField(label=_("Reputation"), required=False, max_length=255)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = (
            ("schedule_days", "cost", "quality", "reputation")
            if kind == ScaleKind.PROBABILITY
            else ("probability_percent",)
        )
        for name in names:
            del self.fields[name]

    def level_values(self) -> dict[str, Any] | None:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        if not data:
            return None
        return {name: self.cleaned_data.get(name) for name in self.fields}


class BaseScaleFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"kind": self.kind}

    def levels(self) -> list[dict[str, Any]]:
        return [values for form in self.forms if (values := form.level_values()) is not None]


ScaleFormSet: Any = forms.formset_factory(
    ScaleLevelForm, formset=BaseScaleFormSet, extra=2, max_num=12
)


def scale_initial(levels: tuple[RiskScaleLevel, ...]) -> list[dict[str, Any]]:
    return [
        {
            "level": level.level,
            "name": level.name,
            "description": level.description,
            "probability_percent": level.probability_percent,
            "schedule_days": level.schedule_days,
            "cost": level.cost,
            "quality": level.quality,
            "reputation": level.reputation,
        }
        for level in levels
    ]


class RiskImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV or Excel (.xlsx), at most 5 MB."))


__all__ = [
    "BaseScaleFormSet",
    "EscalateForm",
    "RaidFilterForm",
    "RiskActionForm",
    "RiskFilterForm",
    "RiskForm",
    "RiskImportForm",
    "RiskSettingsForm",
    "ScaleFormSet",
    "ScaleLevelForm",
    "scale_initial",
]
