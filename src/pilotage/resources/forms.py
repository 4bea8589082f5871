"""Forms of the resource pages: they parse input for the resource services, which validate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilotage.accounts import selectors as account_selectors
from pilotage.planning.forms import DurationField
from pilotage.planning.models import WorkCalendar
from pilotage.portfolio.forms import DATE_WIDGET, PersonChoiceField, ServiceForm, model_field
from pilotage.resources.capacity import GROUPINGS, PERIODS, CapacityFilters
from pilotage.resources.models import (
    Department,
    JobRole,
    NonProjectLoad,
    RateUnit,
    Resource,
    ResourceCapacity,
    ResourceKind,
    ResourceRate,
    Skill,
    SkillLevel,
    Team,
)

ALL = [("", _("All"))]
PERCENT_WIDGET = forms.NumberInput(attrs={"step": "any", "min": "0", "inputmode": "decimal"})
NUMBER_WIDGET = forms.NumberInput(attrs={"step": "any", "min": "0"})


def _choices(queryset: models.QuerySet[Any]) -> list[tuple[str, str]]:
    return [(str(item.pk), str(item)) for item in queryset]


def organisation_choices(form: FilterForm) -> None:
    """Offer the organisation's departments, teams, roles and skills as filter choices."""
    form.fields["department"].choices = ALL + _choices(Department.objects.all())
    form.fields["team"].choices = ALL + _choices(Team.objects.all())
    form.fields["role"].choices = ALL + _choices(JobRole.objects.all())
    form.fields["skill"].choices = ALL + _choices(Skill.objects.all())


class FilterForm(forms.Form):
    """A filter form that ignores values it cannot use rather than reporting them."""

    fields: dict[str, Any]

    def __init__(self, data: Any, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.prepare()
        self.is_valid()

    def prepare(self) -> None:
        """Set the choices read from the database, before the data is validated."""

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data") or name in self.errors:
            return None
        value = self.cleaned_data.get(name)
        return None if value in ("", None) else value


# The resource list ----------------------------------------------------------------------------


class ResourceFilterForm(FilterForm):
    """The resource list's search and filters (all optional)."""

    ACTIVE_CHOICES = (("", _("Active")), ("inactive", _("Inactive")), ("all", _("All")))

    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=ALL + ResourceKind.choices)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int)
    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int)
    skill = forms.TypedChoiceField(label=_("Skill"), required=False, coerce=int)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    FILTER_FIELDS = ("kind", "department", "team", "role", "skill", "active")

    def prepare(self) -> None:
        organisation_choices(self)

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.resource_list``."""
        active = self.value("active")
        kwargs: dict[str, Any] = {
            "search": (self.value("q") or "").strip(),
            "active": {"inactive": False, "all": None}.get(active or "", True),
        }
        for name in ("kind", "department", "team", "role", "skill"):
            value = self.value(name)
            if value is not None:
                kwargs[name] = value
        return kwargs

    @property
    def active_filters(self) -> int:
        return sum(1 for name in ("q", *self.FILTER_FIELDS) if self.value(name) is not None)


# A resource -----------------------------------------------------------------------------------


class TeamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.department.name})" if obj.department_id else str(obj.name)


class ResourceForm(ServiceForm):
    model = Resource
    fieldsets = (
        (_("Identity"), ("name", "kind", "is_generic", "initials", "email", "code", "user")),
        (_("Organisation"), ("role", "department", "team", "group")),
        (_("Availability"), ("calendar", "max_units", "material_label", "is_active")),
        (
            _("Costs"),
            (
                "standard_rate",
                "standard_rate_unit",
                "overtime_rate",
                "overtime_rate_unit",
                "cost_per_use",
            ),
        ),
        (_("Notes"), ("notes",)),
    )
    FIELDS = tuple(name for _title, names in fieldsets for name in names)

    name = model_field(Resource, "name")
    kind = model_field(Resource, "kind")
    is_generic = model_field(Resource, "is_generic")
    initials = model_field(Resource, "initials")
    email = model_field(Resource, "email")
    code = model_field(Resource, "code")
    user = model_field(
        Resource,
        "user",
        form_class=PersonChoiceField,
        help_text=_("The user account of this person, if any."),
    )
    role = model_field(Resource, "role")
    department = model_field(Resource, "department")
    team = model_field(Resource, "team", form_class=TeamChoiceField)
    group = model_field(Resource, "group")
    calendar = model_field(
        Resource,
        "calendar",
        empty_label=_("Standard (Monday to Friday, 08:00-17:00)"),
        help_text=_("A shared calendar: the person's working week, holidays and absences."),
    )
    max_units = model_field(Resource, "max_units", widget=NUMBER_WIDGET)
    material_label = model_field(Resource, "material_label")
    is_active = model_field(Resource, "is_active")
    standard_rate = model_field(Resource, "standard_rate", widget=NUMBER_WIDGET)
    standard_rate_unit = model_field(Resource, "standard_rate_unit")
    overtime_rate = model_field(Resource, "overtime_rate", widget=NUMBER_WIDGET)
    overtime_rate_unit = model_field(Resource, "overtime_rate_unit")
    cost_per_use = model_field(Resource, "cost_per_use", widget=NUMBER_WIDGET)
    notes = model_field(Resource, "notes", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, instance: Resource | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = account_selectors.user_list(user=user)
        self.fields["calendar"].queryset = WorkCalendar.objects.filter(project__isnull=True)
        self.fields["team"].queryset = Team.objects.select_related("department")

    def changes(self) -> dict[str, Any]:
        """The values that differ from the edited resource (all of them for a new one)."""
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        if self.instance is None:
            return data
        return {
            name: value for name, value in data.items() if getattr(self.instance, name) != value
        }


class CapacityForm(ServiceForm):
    """A capacity step, typed as full-time equivalents or as hours per day."""

    model = ResourceCapacity
    effective_from = model_field(ResourceCapacity, "effective_from", widget=DATE_WIDGET)
    units = forms.CharField(
        label=_("Capacity"),
        max_length=20,
        help_text=_("FTE (1 = full time, 0.8 = four days a week, 0 = away) or hours per day (6h)."),
    )

    def __init__(self, *args: Any, minutes_per_day: int = 480, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.minutes_per_day = minutes_per_day

    def clean_units(self) -> Decimal:
        text = self.cleaned_data["units"].strip().lower().replace("\u00a0", "")
        hours = text.endswith("h")
        number = text.removesuffix("h").strip().replace(",", ".")
        try:
            value = Decimal(number)
        except ArithmeticError as error:
            raise ValidationError(
                _("Type a number of FTE (0.8) or of hours per day (6h).")
            ) from error
        if not value.is_finite() or value < 0:
            raise ValidationError(_("Capacity cannot be negative."))
        if hours:
            if value * 60 > 1440:
                raise ValidationError(_("A day has at most 24 hours."))
            value = value * 60 / self.minutes_per_day
        return value.quantize(Decimal("0.0001"))


class RateForm(ServiceForm):
    model = ResourceRate
    effective_from = model_field(ResourceRate, "effective_from", widget=DATE_WIDGET)
    standard_rate = model_field(ResourceRate, "standard_rate", widget=NUMBER_WIDGET)
    standard_rate_unit = model_field(ResourceRate, "standard_rate_unit")
    overtime_rate = model_field(ResourceRate, "overtime_rate", widget=NUMBER_WIDGET)
    cost_per_use = model_field(ResourceRate, "cost_per_use", widget=NUMBER_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard_rate_unit"].initial = RateUnit.HOUR


class NonProjectLoadForm(ServiceForm):
    model = NonProjectLoad
    name = model_field(NonProjectLoad, "name")
    units = model_field(NonProjectLoad, "units", label=_("FTE"), widget=NUMBER_WIDGET)
    start = model_field(NonProjectLoad, "start", widget=DATE_WIDGET)
    finish = model_field(NonProjectLoad, "finish", widget=DATE_WIDGET)


class ResourceSkillForm(forms.Form):
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all())
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SkillLevel.choices, coerce=int, initial=SkillLevel.PRACTITIONER
    )


# The organisation -----------------------------------------------------------------------------


class DepartmentForm(ServiceForm):
    model = Department
    name = model_field(Department, "name")
    code = model_field(Department, "code")
    manager = model_field(Department, "manager", form_class=PersonChoiceField)

    def __init__(self, *args: Any, user: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = account_selectors.user_list(user=user)


class TeamForm(ServiceForm):
    model = Team
    name = model_field(Team, "name")
    department = model_field(Team, "department")

    def __init__(self, *args: Any, user: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)


class JobRoleForm(ServiceForm):
    model = JobRole
    name = model_field(JobRole, "name")
    description = model_field(JobRole, "description", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)


class SkillForm(ServiceForm):
    model = Skill
    name = model_field(Skill, "name")
    category = model_field(Skill, "category")

    def __init__(self, *args: Any, user: Any, instance: Any = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)


ORGANISATION_FORMS: dict[str, Any] = {
    "department": DepartmentForm,
    "team": TeamForm,
    "role": JobRoleForm,
    "skill": SkillForm,
}


def organisation_initial(form_class: Any, item: models.Model) -> dict[str, Any]:
    return {name: getattr(item, name) for name in form_class.base_fields}


# Demand against capacity ----------------------------------------------------------------------


def this_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


MAX_DAYS = 3 * 366


class PeriodForm(FilterForm):
    """A date range and a period length; wrong or missing values fall back to the defaults."""

    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    finish = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, finish = cleaned.get("start"), cleaned.get("finish")
        if start and finish and finish < start:
            raise ValidationError(_("The end of the period is before its start."))
        if start and finish and (finish - start).days > MAX_DAYS:
            raise ValidationError(_("Show three years at most."))
        return cleaned

    def dates(self) -> tuple[dt.date, dt.date]:
        if self.non_field_errors():
            start = finish = None
        else:
            start, finish = self.value("start"), self.value("finish")
        start = start or this_monday()
        finish = finish or add_months(start, 6) - dt.timedelta(days=1)
        return start, finish

    def filters(self, **extra: Any) -> CapacityFilters:
        start, finish = self.dates()
        return CapacityFilters(
            start=start, finish=finish, period=self.value("period") or "week", **extra
        )

    @classmethod
    def showing(cls, filters: CapacityFilters) -> PeriodForm:
        """An unbound form showing what ``filters`` select, defaults included."""
        names = [name for name in cls.base_fields if hasattr(filters, name)]
        return cls(None, initial={name: getattr(filters, name) for name in names})


class CapacityFilterForm(PeriodForm):
    """The heat map's period, grouping and filters."""

    group_by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUPINGS)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int)
    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int)
    skill = forms.TypedChoiceField(label=_("Skill"), required=False, coerce=int)

    FILTER_FIELDS = ("department", "team", "role", "skill")

    def prepare(self) -> None:
        organisation_choices(self)

    def capacity_filters(self) -> CapacityFilters:
        return self.filters(
            group_by=self.value("group_by") or "person",
            **{name: self.value(name) for name in self.FILTER_FIELDS},
        )


def filter_query(filters: CapacityFilters) -> dict[str, str]:
    """The query string parameters that select ``filters`` again (for links to cells)."""
    params = {
        "start": filters.start.isoformat(),
        "finish": filters.finish.isoformat(),
        "period": filters.period,
        "group_by": filters.group_by,
    }
    for name in CapacityFilterForm.FILTER_FIELDS:
        value = getattr(filters, name)
        if value:
            params[name] = str(value)
    return params


# Project role demand and task assignments -----------------------------------------------------


class AddRoleForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=JobRole.objects.all())


def parse_fte(text: str) -> Decimal:
    """A number of full-time equivalents typed in a cell: ``1.5``, ``1,5``, empty for none."""
    cleaned = text.strip().replace(",", ".").replace("\u00a0", "")
    if not cleaned:
        return Decimal(0)
    try:
        value = Decimal(cleaned)
    except ArithmeticError as error:
        raise ValidationError(_("“%(text)s” is not a number."), params={"text": text}) from error
    if not value.is_finite() or value < 0:
        raise ValidationError(_("“%(text)s” is not a number of people."), params={"text": text})
    return value.quantize(Decimal("0.01"))


class AssignmentForm(forms.Form):
    """A resource put on a task: units in % for a person (a quantity for a material)."""

    fields: dict[str, Any]

    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    units = forms.DecimalField(
        label=_("Units"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=4,
        initial=100,
        widget=PERCENT_WIDGET,
        help_text=_("100 = full time; for a material, the quantity."),
    )
    work = DurationField(
        label=_("Work"),
        required=False,
        help_text=_("Empty: units × duration. For example 16h or 3d."),
    )

    def __init__(self, *args: Any, minutes_per_day: int = 480, **kwargs: Any) -> None:
        # The task's page has its own form with a "work" field: keep the ids apart.
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(is_active=True).select_related(
            "role"
        )
        self.fields["work"].minutes_per_day = minutes_per_day

    def service_values(self) -> dict[str, Any]:
        resource: Resource = self.cleaned_data["resource"]
        work = self.cleaned_data.get("work")
        return {
            "resource": resource,
            "units": units_value(resource, self.cleaned_data["units"]),
            "work_minutes": work[0] if work else None,
        }


def units_value(resource: Resource, typed: Decimal) -> Decimal:
    """Units as stored: a percentage of a person's time becomes a fraction."""
    return typed / 100 if resource.kind == ResourceKind.WORK else typed


def units_shown(resource: Resource, units: Decimal) -> Decimal:
    return units * 100 if resource.kind == ResourceKind.WORK else units


class AssignmentUnitsForm(forms.Form):
    units = forms.DecimalField(
        label=_("Units"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=4,
        widget=PERCENT_WIDGET,
    )
