"""Forms of the plan pages: they parse what a planner types for the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilotage.planning import selectors
from pilotage.planning.fields import WallClockFormField
from pilotage.planning.models import ConstraintType, LinkType, Task, WorkCalendar
from pilotage.planning.parsing import parse_quantity
from pilotage.portfolio.models import Project

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def wall_clock_field(label: Any, *, required: bool = False, help_text: Any = "") -> Any:
    return WallClockFormField(
        label=label, required=required, widget=DATETIME_WIDGET, help_text=help_text
    )


class DurationField(forms.CharField):
    """A duration typed as ``5d``, ``3h``, ``2w``, ``10ed``; cleaned to (minutes, unit)."""

    def __init__(self, *, minutes_per_day: int = 480, **kwargs: Any) -> None:
        self.minutes_per_day = minutes_per_day
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        quantity = parse_quantity(text, minutes_per_day=self.minutes_per_day)
        return quantity.minutes, quantity.unit


class CalendarChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.project_id:
            return f"{obj.name} ({obj.project.code})"
        return str(obj.name)


class PlanSettingsForm(forms.Form):
    start = wall_clock_field(_("Planned start"), required=True)
    status_date = wall_clock_field(
        _("Status date"), help_text=_("The date progress was recorded up to.")
    )
    calendar = CalendarChoiceField(
        label=_("Project calendar"),
        queryset=WorkCalendar.objects.none(),
        required=False,
        empty_label=_("Standard (Monday to Friday, 08:00-17:00)"),
    )

    def __init__(self, *args: Any, user: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = selectors.calendar_list(  # type: ignore[attr-defined]
            user=user, project=project
        )


class TaskForm(forms.Form):
    """Every value of a task a planner sets, on the task's own page."""

    name = forms.CharField(label=_("Name"), max_length=255)
    wbs = forms.CharField(
        label=_("WBS code"),
        max_length=64,
        required=False,
        help_text=_("Empty to use the outline number."),
    )
    duration = DurationField(
        label=_("Duration"),
        required=False,
        help_text=_("For example 5d, 3h, 2w, 1mo, or 10ed for elapsed days; 0 for a milestone."),
    )
    is_milestone = forms.BooleanField(label=_("Milestone"), required=False)
    work = DurationField(
        label=_("Work"), required=False, help_text=_("Effort, for example 40h or 5d.")
    )
    predecessors = forms.CharField(
        label=_("Predecessors"),
        required=False,
        max_length=500,
        help_text=_("Task IDs with link type and lag, for example 3FS+2d; 5SS; 7FF-1d."),
    )
    constraint_type = forms.ChoiceField(label=_("Constraint"), choices=ConstraintType.choices)
    constraint_date = wall_clock_field(_("Constraint date"))
    deadline = wall_clock_field(_("Deadline"))
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=1000,
        required=False,
        help_text=_("0 to 1000; 500 is normal."),
    )
    is_manual = forms.BooleanField(
        label=_("Manually scheduled"),
        required=False,
        help_text=_("Keeps its start whatever its predecessors, as in Microsoft Project."),
    )
    is_effort_driven = forms.BooleanField(
        label=_("Effort driven"),
        required=False,
        help_text=_("Adding people keeps the work and shortens the task."),
    )
    inactive = forms.BooleanField(
        label=_("Inactive"),
        required=False,
        help_text=_("Kept in the plan but not scheduled, as in Microsoft Project."),
    )
    calendar = CalendarChoiceField(
        label=_("Task calendar"),
        queryset=WorkCalendar.objects.none(),
        required=False,
        empty_label=_("Project calendar"),
    )
    percent_complete = forms.FloatField(
        # xgettext:no-python-format
        label=_("% complete"),
        min_value=0,
        max_value=100,
        required=False,
    )
    actual_start = wall_clock_field(_("Actual start"))
    actual_finish = wall_clock_field(_("Actual finish"))
    fixed_cost = forms.DecimalField(
        label=_("Fixed cost"),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("A cost besides the work of its resources, in the project currency."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    fieldsets = (
        (_("Task"), ("name", "wbs", "duration", "is_milestone", "work", "predecessors")),
        (
            _("Scheduling"),
            (
                "constraint_type",
                "constraint_date",
                "deadline",
                "calendar",
                "priority",
                "is_manual",
                "is_effort_driven",
                "inactive",
            ),
        ),
        (_("Progress"), ("percent_complete", "actual_start", "actual_finish")),
        (_("Cost"), ("fixed_cost",)),
        (_("Notes"), ("notes",)),
    )

    def __init__(
        self, *args: Any, user: Any, project: Project, minutes_per_day: int = 480, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = selectors.calendar_list(  # type: ignore[attr-defined]
            user=user, project=project
        )
        for name in ("duration", "work"):
            self.fields[name].minutes_per_day = minutes_per_day  # type: ignore[attr-defined]

    @property
    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.fieldsets]

    def changes(self, task: Task) -> dict[str, Any]:
        """The service's keyword arguments for the values that differ from the task's."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "name": data["name"],
            "wbs": data["wbs"],
            "constraint_type": data["constraint_type"],
            "constraint_date": data["constraint_date"],
            "deadline": data["deadline"],
            "calendar": data["calendar"],
            "notes": data["notes"],
            "priority": task.priority if data["priority"] is None else data["priority"],
            "is_manual": data["is_manual"],
            "is_effort_driven": data["is_effort_driven"],
            "is_active": not data["inactive"],
            "fixed_cost": data["fixed_cost"],
        }
        if not task.is_summary:
            values["is_milestone"] = data["is_milestone"]
            values["percent_complete"] = data["percent_complete"] or 0
            values["actual_start"] = data["actual_start"]
            values["actual_finish"] = data["actual_finish"]
            if data["duration"] is not None:
                values["duration_minutes"], values["duration_unit"] = data["duration"]
            values["work_minutes"] = data["work"][0] if data["work"] else None
        changes = {name: value for name, value in values.items() if getattr(task, name) != value}
        if changes.get("is_milestone"):
            changes.pop("duration_minutes", None)
        return changes


def task_initial(task: Task, predecessors: str, duration: str, work: str) -> dict[str, Any]:
    return {
        "name": task.name,
        "wbs": task.wbs,
        "duration": duration,
        "is_milestone": task.is_milestone,
        "work": work,
        "predecessors": predecessors,
        "constraint_type": task.constraint_type,
        "constraint_date": task.constraint_date,
        "deadline": task.deadline,
        "calendar": task.calendar_id,
        "priority": task.priority,
        "is_manual": task.is_manual,
        "is_effort_driven": task.is_effort_driven,
        "fixed_cost": task.fixed_cost,
        "inactive": not task.is_active,
        "percent_complete": task.percent_complete,
        "actual_start": task.actual_start,
        "actual_finish": task.actual_finish,
        "notes": task.notes,
    }


class TaskChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.project.code}:{obj.position} — {obj.name}"


class ExternalLinkForm(forms.Form):
    """A predecessor in another project."""

    predecessor = TaskChoiceField(label=_("Predecessor"), queryset=Task.objects.none())
    type = forms.ChoiceField(label=_("Type"), choices=LinkType.choices, initial="FS")
    lag = forms.CharField(label=_("Lag"), required=False, max_length=20, initial="0d")

    def __init__(self, *args: Any, user: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["predecessor"].queryset = (  # type: ignore[attr-defined]
            selectors.task_choices(user=user, project=task.project)
            .exclude(project=task.project)
            .filter(is_summary=False)
        )

    def clean_lag(self) -> tuple[int, str, float | None]:
        text = self.cleaned_data.get("lag") or "0d"
        negative = text.strip().startswith("-")
        quantity = parse_quantity(text.strip().lstrip("+-"), allow_percent=True)
        sign = -1 if negative else 1
        percent = None if quantity.percent is None else sign * quantity.percent
        return sign * quantity.minutes, quantity.unit, percent


def raise_for(field: str, error: ValidationError) -> ValidationError:
    return ValidationError({field: error.messages})
