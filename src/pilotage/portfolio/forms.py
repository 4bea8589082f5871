"""Forms of the portfolio pages: they parse input for the services, which validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts.models import Role
from pilotage.accounts.permissions import Action, can
from pilotage.core.pages import add_service_error
from pilotage.portfolio import selectors
from pilotage.portfolio.models import Portfolio, Programme, Project, StrategicObjective

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def model_field(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """The form field Django derives from a model field: its label, help, choices, validators."""
    field: Any = model._meta.get_field(name)
    return field.formfield(**kwargs)


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class ProgrammeSelect(forms.Select):
    """A programme picker whose options name their portfolio, so the page can hide programmes
    of other portfolios than the one chosen."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-portfolio"] = str(instance.portfolio_id)
        return option


class ProgrammeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    widget = ProgrammeSelect

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.portfolio.name})"


class ServiceForm(forms.Form):
    """A form whose data goes to a service; ``model`` names fields in the service's errors."""

    fields: dict[str, Any]
    model: type[models.Model] | None = None
    instance: models.Model | None = None
    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    def _post_clean(self) -> None:
        """Check the model's own rules (field validators, ``clean``, constraints, uniqueness)
        on the submitted values, so that every problem is shown at once rather than in two
        rounds; the service checks them again when saving."""
        super()._post_clean()  # type: ignore[misc]
        if self.model is None:
            return
        candidate = self.model(pk=self.instance.pk if self.instance is not None else None)
        # An edited object must not count as its own duplicate in the uniqueness checks.
        candidate._state.adding = self.instance is None
        checked = set()
        for name, value in self.cleaned_data.items():
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and not field.many_to_many:
                setattr(candidate, field.name, value)
                checked.add(field.name)
        unchecked = [f.name for f in self.model._meta.get_fields() if f.name not in checked]
        try:
            candidate.full_clean(exclude=unchecked)
        except ValidationError as exc:
            add_service_error(self, exc)

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields by fieldset (one untitled group when none are declared)."""
        if not self.fieldsets:
            return [("", list(self))]
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


def _with_current(queryset: models.QuerySet[Any], current: Any) -> models.QuerySet[Any]:
    """``queryset`` plus the object already chosen (kept even where one may not choose it anew)."""
    if current is None:
        return queryset
    current_only: models.QuerySet[Any] = queryset.model._default_manager.filter(pk=current.pk)
    return queryset | current_only


# Projects -----------------------------------------------------------------------------------


class ProjectForm(ServiceForm):
    model = Project
    fieldsets = (
        (_("Identification"), ("code", "name", "portfolio", "programme", "description")),
        (_("People"), ("manager", "sponsor")),
        (_("Lifecycle"), ("phase", "status", "priority", "start_date", "finish_date")),
        (_("Budget"), ("budget", "currency")),
        (_("Health"), ("health", "health_reason")),
        (_("Alignment"), ("objectives", "tags")),
    )

    code = model_field(Project, "code")
    name = model_field(Project, "name")
    portfolio = model_field(Project, "portfolio")
    programme = model_field(Project, "programme", form_class=ProgrammeChoiceField)
    description = model_field(Project, "description", widget=forms.Textarea(attrs={"rows": 4}))
    manager = model_field(Project, "manager", form_class=PersonChoiceField)
    sponsor = model_field(Project, "sponsor", form_class=PersonChoiceField)
    phase = model_field(Project, "phase")
    status = model_field(Project, "status")
    priority = model_field(Project, "priority")
    start_date = model_field(Project, "start_date", widget=DATE_WIDGET)
    finish_date = model_field(Project, "finish_date", widget=DATE_WIDGET)
    budget = model_field(Project, "budget", widget=forms.NumberInput(attrs={"step": "0.01"}))
    currency = model_field(Project, "currency")
    health = model_field(Project, "health")
    health_reason = model_field(
        Project,
        "health_reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the project has this health; expected for amber and red."),
    )
    objectives = model_field(
        Project, "objectives", widget=forms.CheckboxSelectMultiple, required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas."),
    )

    def __init__(self, *args: Any, user: Any, instance: Project | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", project_initial(instance))
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = _with_current(
            selectors.portfolio_list_for_project_create(user=user),
            instance.portfolio if instance else None,
        )
        self.fields["programme"].queryset = _with_current(
            selectors.programme_list_for_action(user=user, action=Action.CREATE),
            instance.programme if instance else None,
        ).select_related("portfolio")
        people = account_selectors.user_list(user=user)
        self.fields["manager"].queryset = people
        self.fields["sponsor"].queryset = people
        self.fields["objectives"].queryset = selectors.objective_choices(
            user=user, chosen=instance.objectives.all() if instance is not None else ()
        )
        self.fields["programme"].widget.attrs["data-portfolio-from"] = "id_portfolio"

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]


def project_initial(project: Project) -> dict[str, Any]:
    return {
        "code": project.code,
        "name": project.name,
        "portfolio": project.portfolio_id,
        "programme": project.programme_id,
        "description": project.description,
        "manager": project.manager_id,
        "sponsor": project.sponsor_id,
        "phase": project.phase,
        "status": project.status,
        "priority": project.priority,
        "start_date": project.start_date,
        "finish_date": project.finish_date,
        "budget": project.budget,
        "currency": project.currency,
        "health": project.health,
        "health_reason": project.health_reason,
        "objectives": [o.pk for o in project.objectives.all()],
        "tags": ", ".join(t.name for t in project.tags.all()),
    }


# Programmes, portfolios, objectives ---------------------------------------------------------


class ProgrammeForm(ServiceForm):
    model = Programme

    portfolio = model_field(Programme, "portfolio")
    code = model_field(Programme, "code")
    name = model_field(Programme, "name")
    description = model_field(Programme, "description", widget=forms.Textarea(attrs={"rows": 4}))
    manager = model_field(Programme, "manager", form_class=PersonChoiceField)
    sponsor = model_field(Programme, "sponsor", form_class=PersonChoiceField)

    def __init__(self, *args: Any, user: Any, instance: Programme | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "portfolio": instance.portfolio_id,
                    "code": instance.code,
                    "name": instance.name,
                    "description": instance.description,
                    "manager": instance.manager_id,
                    "sponsor": instance.sponsor_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = _with_current(
            selectors.portfolio_list_for_action(user=user, action=Action.CREATE),
            instance.portfolio if instance else None,
        )
        people = account_selectors.user_list(user=user)
        self.fields["manager"].queryset = people
        self.fields["sponsor"].queryset = people


class PortfolioForm(ServiceForm):
    model = Portfolio

    code = model_field(Portfolio, "code")
    name = model_field(Portfolio, "name")
    description = model_field(Portfolio, "description", widget=forms.Textarea(attrs={"rows": 4}))
    owner = model_field(Portfolio, "owner", form_class=PersonChoiceField)
    currency = model_field(Portfolio, "currency")

    def __init__(self, *args: Any, user: Any, instance: Portfolio | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": instance.code,
                    "name": instance.name,
                    "description": instance.description,
                    "owner": instance.owner_id,
                    "currency": instance.currency,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = account_selectors.user_list(user=user)


class ObjectiveForm(ServiceForm):
    model = StrategicObjective

    code = model_field(StrategicObjective, "code")
    name = model_field(StrategicObjective, "name")
    description = model_field(
        StrategicObjective, "description", widget=forms.Textarea(attrs={"rows": 4})
    )
    weight = model_field(StrategicObjective, "weight")
    portfolio = model_field(StrategicObjective, "portfolio")
    is_active = model_field(StrategicObjective, "is_active")

    def __init__(
        self, *args: Any, user: Any, instance: StrategicObjective | None = None, **kwargs: Any
    ):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "code": instance.code,
                    "name": instance.name,
                    "description": instance.description,
                    "weight": instance.weight,
                    "portfolio": instance.portfolio_id,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        field = self.fields["portfolio"]
        field.queryset = _with_current(
            selectors.portfolio_list_for_action(user=user, action=Action.CHANGE),
            instance.portfolio if instance else None,
        )
        company_wide_allowed = can(user, Action.CHANGE) or (
            instance is not None and instance.portfolio_id is None
        )
        field.required = not company_wide_allowed
        field.empty_label = _("Whole company") if company_wide_allowed else "---------"

    @staticmethod
    def allowed_for(user: Any) -> bool:
        """Whether ``user`` may create an objective somewhere."""
        return (
            can(user, Action.CHANGE)
            or selectors.portfolio_list_for_action(user=user, action=Action.CHANGE).exists()
        )


# Memberships --------------------------------------------------------------------------------


SCOPED_ROLES = [(value, label) for value, label in Role.choices if value != Role.ADMINISTRATOR]


class MemberForm(ServiceForm):
    """Give a person a role at the page's portfolio, programme or project."""

    user = PersonChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=SCOPED_ROLES, initial=Role.TEAM_MEMBER)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = account_selectors.user_list(user=user, active=True)
