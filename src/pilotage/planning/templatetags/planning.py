"""Template filters of the plan pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

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
