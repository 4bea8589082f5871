"""Template filters of the plan pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from pilotage.planning.parsing import format_quantity

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping|get_item:key``: a dictionary value in a template (empty when missing)."""
    if not isinstance(mapping, dict):
        return {}
    return mapping.get(key, {})


@register.filter
def days(minutes: Any, minutes_per_day: Any = 480) -> str:
    """Working minutes shown as days with at most one decimal: ``2``, ``1.5``, ``-3``."""
    if minutes is None or minutes == "":
        return ""
    value = round(int(minutes) / int(minutes_per_day or 480), 1)
    if value == int(value):
        return number_format(int(value))
    return number_format(value, decimal_pos=1)


@register.filter
def lag_text(link: Any, minutes_per_day: Any = 480) -> str:
    """A link's lag as typed: ``+2d``, ``-1d``, ``+50%``."""
    value = link.lag_percent if link.lag_unit in {"%", "e%"} else link.lag_minutes
    sign = "-" if (value or 0) < 0 else "+"
    return sign + format_quantity(
        abs(link.lag_minutes),
        link.lag_unit,
        minutes_per_day=int(minutes_per_day or 480),
        percent=None if link.lag_percent is None else abs(link.lag_percent),
    )
