"""A date-time field for plan dates: wall-clock time at the project's site, without a time zone.

A plan says "the task starts on Monday at 08:00" wherever the reader sits, as Microsoft Project
and Primavera store it; converting it to each user's time zone would move tasks across days.
So plan dates are stored as naive date-times (PostgreSQL ``timestamp without time zone``, an ISO
string in SQLite) and never converted (decision 0007).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def wall_clock(value: dt.datetime) -> dt.datetime:
    """Drop the time zone of an aware value, keeping the time shown on the clock."""
    return value.replace(tzinfo=None) if timezone.is_aware(value) else value


class WallClockFormField(forms.DateTimeField):
    """A form field that keeps what the user typed as wall-clock time (no time zone)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return wall_clock(value)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        text = str(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None:
            for format in self.input_formats or ():
                try:
                    parsed = dt.datetime.strptime(text, format)
                    break
                except (ValueError, TypeError):
                    continue
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return wall_clock(parsed)


class WallClockDateTimeField(models.Field):  # type: ignore[type-arg]
    """A naive date-time column: the plan's local wall-clock time."""

    description = _("Date and time on the project's wall clock")

    def get_internal_type(self) -> str:
        return "WallClockDateTimeField"

    def db_type(self, connection: Any) -> str:
        if connection.vendor == "postgresql":
            return "timestamp without time zone"
        return "datetime"

    def rel_db_type(self, connection: Any) -> str:
        return self.db_type(connection)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value is None or isinstance(value, dt.datetime):
            return None if value is None else wall_clock(value)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError as error:
            raise ValidationError(
                _("“%(value)s” is not a date and time."), code="invalid", params={"value": value}
            ) from error

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return wall_clock(value)
        return dt.datetime.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return self.to_python(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        if connection.vendor == "postgresql":
            return value
        return value.isoformat(" ")

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else value.isoformat()

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": WallClockFormField, **kwargs})
