"""Forms of the meeting pages: they parse input for the services, which check and save it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.models import User
from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
from pilotage.collaboration.services import MAX_SERIES, MEETING_FIELDS
from pilotage.portfolio.forms import DATE_WIDGET, PersonChoiceField, ServiceForm, model_field
from pilotage.portfolio.models import Project
from pilotage.portfolio.selectors import project_people

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("1", _("Every week")),
    ("2", _("Every 2 weeks")),
    ("4", _("Every 4 weeks")),
]

# What the form hands to the services: every field but the minutes, which have their own form.
VALUE_FIELDS = tuple(name for name in MEETING_FIELDS if name != "minutes")
_MANY = ("attendees", "optional_attendees")


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.SelectMultiple(attrs={"size": 6})

    def label_from_instance(self, obj: Any) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_current_timezone())


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_current_timezone())


class MeetingForm(ServiceForm):
    """A meeting's form: a day with a start and an end time in the local time zone; a new
    meeting may repeat every one, two or four weeks."""

    model = Meeting

    title = model_field(Meeting, "title")
    kind = model_field(Meeting, "kind")
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TIME_WIDGET)
    ends_at = forms.TimeField(label=_("Ends at"), widget=TIME_WIDGET)
    end_date = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only for a meeting over several days; empty, it ends the same day."),
    )
    every_weeks = forms.TypedChoiceField(
        label=_("Repeat"),
        required=False,
        choices=REPEAT_CHOICES,
        coerce=int,
        empty_value=None,
    )
    count = forms.IntegerField(
        label=_("Number of meetings"),
        required=False,
        min_value=1,
        max_value=MAX_SERIES,
        initial=1,
        help_text=_("With a repeat: how many meetings to plan, the first on the date above."),
    )
    location = model_field(Meeting, "location")
    online_url = model_field(Meeting, "online_url", assume_scheme="https")
    organiser = model_field(
        Meeting,
        "organiser",
        form_class=PersonChoiceField,
        help_text=_("People who may see the project."),
    )
    attendees = PeopleField(
        label=_("Attendees"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("People who may see the project; hold Ctrl or ⌘ to choose several."),
    )
    optional_attendees = PeopleField(
        label=_("Optional attendees"), required=False, queryset=User.objects.none()
    )
    guests = model_field(Meeting, "guests", widget=TEXT)
    agenda = model_field(Meeting, "agenda", widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(
        self,
        *args: Any,
        project: Project,
        user: Any,
        instance: Meeting | None = None,
        **kwargs: Any,
    ) -> None:
        self.instance = instance
        self.project = project
        keep: list[int | None] = []
        if instance is not None:
            kwargs.setdefault("initial", meeting_initial(instance))
            keep = [
                instance.organiser_id,
                *(user.pk for user in instance.attendees.all()),
                *(user.pk for user in instance.optional_attendees.all()),
            ]
        super().__init__(*args, **kwargs)
        people = project_people(project, keep=keep)
        for name in ("organiser", "attendees", "optional_attendees"):
            self.fields[name].queryset = people
        if instance is None:
            if getattr(user, "pk", None) and people.filter(pk=user.pk).exists():
                self.initial.setdefault("organiser", user.pk)
            self.fields["organiser"].help_text = _("Left empty, you organise it.")
            when: tuple[str, ...] = ("date", "starts_at", "ends_at", "end_date")
            when += ("every_weeks", "count")
        else:
            del self.fields["every_weeks"], self.fields["count"]
            when = ("date", "starts_at", "ends_at", "end_date")
        self.fieldsets = (
            (_("Meeting"), ("title", "kind")),
            (_("When"), when),
            (_("Where"), ("location", "online_url")),
            (_("Who"), ("organiser", "attendees", "optional_attendees", "guests")),
            (_("Agenda"), ("agenda",)),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("date"), data.get("starts_at"), data.get("ends_at")
        if day is None or start is None or end is None:
            # The model's checks must not see a bare time as the moment of the meeting.
            data.pop("starts_at", None)
            data.pop("ends_at", None)
            return data
        data["starts_at"] = _aware(day, start)
        data["ends_at"] = _aware(data.get("end_date") or day, end)
        return data

    def repeat(self) -> tuple[int, int] | None:
        """How many meetings to plan and how many weeks apart, when a repeat was chosen."""
        every = self.cleaned_data.get("every_weeks")
        if not every:
            return None
        return self.cleaned_data.get("count") or 1, every

    def changes(self) -> dict[str, Any]:
        """The values for the service: all of them for a new meeting, the changed ones for an
        edit."""
        data = {name: self.cleaned_data[name] for name in VALUE_FIELDS if name in self.cleaned_data}
        for name in _MANY:
            if name in data:
                data[name] = list(data[name])
        if self.instance is None:
            if data.get("organiser") is None:
                data.pop("organiser", None)
            return data
        changed: dict[str, Any] = {}
        for name, value in data.items():
            if name in _MANY:
                current = {user.pk for user in getattr(self.instance, name).all()}
                if {user.pk for user in value} != current:
                    changed[name] = value
            elif getattr(self.instance, name) != value:
                changed[name] = value
        return changed


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    start, end = _local(meeting.starts_at), _local(meeting.ends_at)
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "date": start.date(),
        "starts_at": start.time(),
        "ends_at": end.time(),
        "end_date": end.date() if end.date() != start.date() else None,
        "location": meeting.location,
        "online_url": meeting.online_url,
        "organiser": meeting.organiser_id,
        "attendees": [user.pk for user in meeting.attendees.all()],
        "optional_attendees": [user.pk for user in meeting.optional_attendees.all()],
        "guests": meeting.guests,
        "agenda": meeting.agenda,
    }


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("What was said and decided; saving them marks the meeting as held."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        max_length=255,
        help_text=_("Shown in the calendars that hold the meeting."),
    )


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *MeetingKind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *MeetingStatus.choices]
    )
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "search": (data.get("q") or "").strip(),
        }
