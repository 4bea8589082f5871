"""Forms of the timesheet pages: the weekly grid's cells, decisions, locked periods, filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pilotage.finance.timesheets import parse_hours
from pilotage.resources.models import Department, Team


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def cell_name(task_pk: int, index: int) -> str:
    """The name of a grid cell: the task and the day of the week (0 is Monday)."""
    return f"t{task_pk}-d{index}"


def note_name(task_pk: int) -> str:
    return f"t{task_pk}-note"


def parse_cell(text: str) -> int:
    """A cell's minutes; a ``ValidationError`` naming the typed value otherwise."""
    return parse_hours(text)


class DecisionForm(forms.Form):
    """An approver's comment: optional to approve, required to reject."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PeriodLockForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    finish = forms.DateField(label=_("To"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, finish = data.get("start"), data.get("finish")
        if start and finish and finish < start:
            raise ValidationError(gettext("A locked period cannot end before it starts."))
        return data


class MissingFilterForm(forms.Form):
    """Filters of the missing timesheets list."""

    FILTER_FIELDS = ("weeks", "until", "department", "team")

    weeks = forms.IntegerField(
        label=_("Weeks back"), min_value=1, max_value=26, required=False, initial=4
    )
    until = forms.DateField(
        label=_("Weeks before the week of"),
        required=False,
        widget=DateInput(),
        help_text=_("Today when empty."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("name", "pk"), required=False
    )

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"weeks": 4}
        data = self.cleaned_data
        return {
            "weeks": data.get("weeks") or 4,
            "until": data.get("until"),
            "department": data["department"].pk if data.get("department") else None,
            "team": data["team"].pk if data.get("team") else None,
        }


class ProjectOptionsForm(forms.Form):
    progress_from_timesheets = forms.BooleanField(
        label=_("Progress from timesheets"),
        required=False,
        help_text=_(
            # xgettext:no-python-format
            "Approved time adds to the actual work of the tasks and sets their percent complete "
            "(actual work over work, at most 99 % until the task is marked finished)."
        ),
    )


class WeekJumpForm(forms.Form):
    week = forms.DateField(label=_("Go to the week of"), widget=DateInput())

    def monday(self) -> dt.date | None:
        if not self.is_valid():
            return None
        day: dt.date = self.cleaned_data["week"]
        return day - dt.timedelta(days=day.weekday())
