"""Forms of the calendar and baseline pages: they parse input for the planning services."""

from __future__ import annotations

from typing import Any

import holidays
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pilotage.planning import adapters, selectors
from pilotage.planning.models import (
    Baseline,
    CalendarException,
    Recurrence,
    WorkCalendar,
    standard_week,
)
from pilotage.portfolio.models import Project

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

DAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The seven working-time inputs of the calendar form, Monday first (as the stored week)."""

WEEKDAY_CHOICES = [(str(number), WEEKDAYS[number]) for number in range(7)]
MONTH_CHOICES = [("", "---------")] + [(str(number), MONTHS[number]) for number in range(1, 13)]
POSITION_CHOICES = [
    ("", "---------"),
    ("1", _("First")),
    ("2", _("Second")),
    ("3", _("Third")),
    ("4", _("Fourth")),
    ("-1", _("Last")),
]


def model_field(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """The form field Django derives from a model field: its label, help, choices, validators."""
    field: Any = model._meta.get_field(name)
    return field.formfield(**kwargs)


class RecordForm(forms.Form):
    """A form for a planning service: ``model`` names fields in the service's errors and
    ``fieldsets`` groups the fields on the page."""

    model: type[models.Model] | None = None
    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        if not self.fieldsets:
            return [("", list(self))]
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]


class CalendarChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.project_id:
            return f"{obj.name} ({obj.project.code})"
        return str(obj.name)


def _periods_text(periods: list[list[int]]) -> str:
    return adapters.format_periods(periods)


# Calendars ------------------------------------------------------------------------------------


class CalendarForm(RecordForm):
    """A calendar's settings and its week, one text input a day (``08:00-12:00, 13:00-17:00``)."""

    model = WorkCalendar
    fieldsets = (
        (_("Calendar"), ("name", "base", "holiday_country", "holiday_subdivision")),
        (_("Working time"), ("minutes_per_day", "use_base_week", *DAY_FIELDS)),
    )

    name = model_field(WorkCalendar, "name")
    base = CalendarChoiceField(
        label=_("Base calendar"),
        queryset=WorkCalendar.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("A calendar derived from a base takes its holidays and exceptions too."),
    )
    holiday_country = model_field(
        WorkCalendar,
        "holiday_country",
        help_text=_("Two-letter country code (FR, DE, US ...); empty for the base calendar's."),
    )
    holiday_subdivision = model_field(WorkCalendar, "holiday_subdivision")
    minutes_per_day = model_field(
        WorkCalendar,
        "minutes_per_day",
        help_text=_("How many working minutes make a day of duration (480 for 8 hours)."),
    )
    use_base_week = forms.BooleanField(
        label=_("Same week as the base calendar"),
        required=False,
        help_text=_("The days below are then ignored."),
    )
    monday = forms.CharField(label=WEEKDAYS[0], required=False, max_length=100)
    tuesday = forms.CharField(label=WEEKDAYS[1], required=False, max_length=100)
    wednesday = forms.CharField(label=WEEKDAYS[2], required=False, max_length=100)
    thursday = forms.CharField(label=WEEKDAYS[3], required=False, max_length=100)
    friday = forms.CharField(label=WEEKDAYS[4], required=False, max_length=100)
    saturday = forms.CharField(label=WEEKDAYS[5], required=False, max_length=100)
    sunday = forms.CharField(label=WEEKDAYS[6], required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        user: Any,
        project: Project | None = None,
        instance: WorkCalendar | None = None,
        **kwargs: Any,
    ) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", calendar_initial(instance))
        else:
            week = standard_week()
            kwargs.setdefault(
                "initial", {day: _periods_text(week[n]) for n, day in enumerate(DAY_FIELDS)}
            )
        super().__init__(*args, **kwargs)
        bases = selectors.calendar_list(user=user, project=project)
        if project is None:
            bases = bases.filter(project__isnull=True)
        if instance is not None:
            bases = bases.exclude(pk=instance.pk)
        self.fields["base"].queryset = bases  # type: ignore[attr-defined]

    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fieldsets[0][1]]

    def week_setting_fields(self) -> list[forms.BoundField]:
        return [self["minutes_per_day"], self["use_base_week"]]

    def day_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in DAY_FIELDS]

    def clean_holiday_country(self) -> str:
        country = str(self.cleaned_data.get("holiday_country") or "").strip().upper()
        if country and country not in holidays.list_supported_countries():
            raise ValidationError(
                gettext("No public holidays are known for “%(country)s”.") % {"country": country}
            )
        return country

    def clean_holiday_subdivision(self) -> str:
        return str(self.cleaned_data.get("holiday_subdivision") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = data.get("holiday_country", "")
        subdivision = data.get("holiday_subdivision", "")
        if subdivision:
            known = holidays.list_supported_countries().get(country, []) if country else None
            if known is None:
                self.add_error(
                    "holiday_subdivision", gettext("A region needs a country for its holidays.")
                )
            elif subdivision not in known:
                self.add_error(
                    "holiday_subdivision",
                    gettext("“%(region)s” is not a region of %(country)s.")
                    % {"region": subdivision, "country": country},
                )
        if data.get("use_base_week") and not data.get("base"):
            self.add_error("use_base_week", gettext("Choose a base calendar to take its week."))
        week: list[list[list[int]]] = []
        for day in DAY_FIELDS:
            try:
                week.append(adapters.parse_periods(self.cleaned_data.get(day) or ""))
            except ValidationError as error:
                self.add_error(day, error)
        data["week"] = None if data.get("use_base_week") else week
        return data

    def service_values(self) -> dict[str, Any]:
        """The calendar's values as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "base": data["base"],
            "week": data["week"],
            "holiday_country": data["holiday_country"],
            "holiday_subdivision": data["holiday_subdivision"],
            "minutes_per_day": data["minutes_per_day"],
        }


def calendar_initial(calendar: WorkCalendar) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": calendar.name,
        "base": calendar.base_id,
        "holiday_country": calendar.holiday_country,
        "holiday_subdivision": calendar.holiday_subdivision,
        "minutes_per_day": calendar.minutes_per_day,
        "use_base_week": calendar.week is None,
    }
    week = calendar.week or standard_week()
    for number, day in enumerate(DAY_FIELDS):
        initial[day] = _periods_text(week[number]) if number < len(week) else ""
    return initial


# Calendar exceptions --------------------------------------------------------------------------


class ExceptionForm(RecordForm):
    """A holiday, closure or change of hours on some days, possibly repeating."""

    model = CalendarException
    fieldsets = (
        (_("Days"), ("name", "start", "finish", "working_times")),
        (
            _("Repetition"),
            ("recurrence", "every", "weekdays", "day", "weekday", "position", "month"),
        ),
    )

    name = model_field(CalendarException, "name")
    start = model_field(CalendarException, "start", widget=DATE_WIDGET)
    finish = forms.DateField(
        label=_("To"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "The last day (empty for one day); for a repeating exception, the last occurrence."
        ),
    )
    working_times = model_field(CalendarException, "working_times")
    recurrence = model_field(CalendarException, "recurrence")
    every = model_field(
        CalendarException,
        "every",
        help_text=_("1 for every day, week, month or year; 2 for every other one ..."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly repetition."),
    )
    day = model_field(
        CalendarException,
        "day",
        min_value=1,
        help_text=_("For a monthly or yearly repetition on a date; the first day's by default."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "---------"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a repetition on a weekday of the month (the third Friday ...)."),
    )
    position = forms.TypedChoiceField(
        label=_("Week of the month"),
        choices=POSITION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For a yearly repetition; the first day's month by default."),
    )

    def __init__(
        self, *args: Any, instance: CalendarException | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", exception_initial(instance))
        super().__init__(*args, **kwargs)

    def day_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fieldsets[0][1]]

    def repetition_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fieldsets[1][1]]

    @property
    def repeats(self) -> bool:
        """Whether the repetition fields matter: a repetition is chosen or one has an error."""
        if any(self[name].errors for name in self.fieldsets[1][1]):
            return True
        return bool(self["recurrence"].value())

    def clean_working_times(self) -> str:
        text = str(self.cleaned_data.get("working_times") or "")
        return adapters.format_periods(adapters.parse_periods(text))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, finish = data.get("start"), data.get("finish")
        if start and not finish:
            if data.get("recurrence"):
                self.add_error("finish", gettext("Give the last day a repetition may fall on."))
            else:
                data["finish"] = start
        if data.get("recurrence") == Recurrence.WEEKLY and not data.get("weekdays"):
            self.add_error("weekdays", gettext("Choose the weekdays it repeats on."))
        return data

    def service_values(self) -> dict[str, Any]:
        """The exception's values as the services take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "start": data["start"],
            "finish": data["finish"],
            "working_times": data["working_times"],
            "recurrence": data["recurrence"],
            "every": data["every"],
            "weekdays": list(data.get("weekdays") or []),
            "day": data.get("day"),
            "weekday": data.get("weekday"),
            "position": data.get("position"),
            "month": data.get("month"),
        }


def exception_initial(exception: CalendarException) -> dict[str, Any]:
    return {
        "name": exception.name,
        "start": exception.start,
        "finish": exception.finish,
        "working_times": exception.working_times,
        "recurrence": exception.recurrence,
        "every": exception.every,
        "weekdays": [str(day) for day in exception.weekdays or []],
        "day": exception.day,
        "weekday": "" if exception.weekday is None else str(exception.weekday),
        "position": "" if exception.position is None else str(exception.position),
        "month": "" if exception.month is None else str(exception.month),
    }


# Baselines ------------------------------------------------------------------------------------


class BaselineForm(RecordForm):
    """A baseline's name, description and whether it is the one compared with by default."""

    model = Baseline

    name = model_field(Baseline, "name")
    description = model_field(Baseline, "description", widget=forms.Textarea(attrs={"rows": 3}))
    is_primary = model_field(Baseline, "is_primary")

    def __init__(self, *args: Any, instance: Baseline | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "description": instance.description,
                    "is_primary": instance.is_primary,
                },
            )
        super().__init__(*args, **kwargs)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "is_primary": bool(data["is_primary"]),
        }


class BaselineChoiceForm(forms.Form):
    """Which baseline to compare a baseline with: the current plan by default."""

    against = forms.ModelChoiceField(
        label=_("Compare with"),
        queryset=Baseline.objects.none(),
        required=False,
        empty_label=_("The current plan"),
    )

    def __init__(self, *args: Any, baseline: Baseline, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = choices.exclude(pk=baseline.pk)  # type: ignore[attr-defined]
