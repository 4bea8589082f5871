"""Display helpers for every page: RAG badges, money, sortable headers, form widgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intword
from django.core.paginator import Page
from django.forms import BoundField, CheckboxInput, CheckboxSelectMultiple, RadioSelect, Textarea
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

RAG_VALUES = ("green", "amber", "red")


@register.simple_tag
def rag(value: str | None, label: Any = None, reason: str = "") -> SafeString:
    """A coloured health badge: ``{% rag project.health project.get_health_display %}``."""
    value = (value or "").lower()
    css = f"rag-{value}" if value in RAG_VALUES else "rag-none"
    text = str(label) if label else (value.capitalize() or "—")
    if reason:
        return format_html('<span class="badge rag {}" title="{}">{}</span>', css, reason, text)
    return format_html('<span class="badge rag {}">{}</span>', css, text)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: Any, currency: str = "") -> str:
    """An amount in the user's locale with its currency code: ``1 250 000 EUR``.

    Whole amounts are shown without decimals; others with two.
    """
    number = _decimal(value)
    if number is None:
        return ""
    places = 0 if number == number.to_integral_value() else 2
    text = formats.number_format(number, decimal_pos=places, force_grouping=True)
    return f"{text}\u00a0{currency}" if currency else text


@register.filter
def money_short(value: Any, currency: str = "") -> str:
    """A large amount in words for headline figures: ``12.4 million EUR``."""
    number = _decimal(value)
    if number is None:
        return ""
    if abs(number) < 1_000_000:
        return money(number.quantize(Decimal(1)), currency)
    text = str(intword(int(number)))
    return f"{text}\u00a0{currency}" if currency else text


@register.simple_tag
def sum_by(items: Any, key: str, amount: str) -> list[tuple[Any, Decimal]]:
    """Totals of ``amount`` grouped by ``key`` over already loaded objects, e.g. budgets by
    currency: ``{% sum_by projects "currency" "budget" as totals %}``."""
    totals: dict[Any, Decimal] = {}
    for item in items:
        value = _decimal(getattr(item, amount, None)) or Decimal(0)
        group = getattr(item, key, "")
        totals[group] = totals.get(group, Decimal(0)) + value
    return sorted(totals.items(), key=lambda pair: str(pair[0]))


@register.filter
def number(value: Any, places: int = 0) -> str:
    """A number in the user's locale, grouped by thousands."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return formats.number_format(amount, decimal_pos=places, force_grouping=True)


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: Any, css: str = "") -> SafeString:
    """A column header that sorts the list by ``key``, reversing the order on a second click.

    The current ordering is read from ``sort`` in the context; ``htmx_target`` (if any) makes the
    link refresh only that part of the page.
    """
    request = context["request"]
    current = str(context.get("sort") or "")
    ascending_now = current == key
    descending_now = current == f"-{key}"
    target = "-" + key if ascending_now else key
    params = request.GET.copy()
    params["sort"] = target
    params.pop("page", None)
    url = f"?{params.urlencode()}"
    if ascending_now:
        indicator, aria = "▲", "ascending"
    elif descending_now:
        indicator, aria = "▼", "descending"
    else:
        indicator, aria = "", "none"
    title = gettext("Sort by %(column)s") % {"column": label}
    htmx = context.get("htmx_target")
    if htmx:
        link = format_html(
            '<a href="{}" hx-get="{}" hx-target="{}" hx-push-url="true" title="{}">{}'
            '<span class="sort-indicator" aria-hidden="true">{}</span></a>',
            url,
            url,
            htmx,
            title,
            label,
            indicator,
        )
    else:
        link = format_html(
            '<a href="{}" title="{}">{}'
            '<span class="sort-indicator" aria-hidden="true">{}</span></a>',
            url,
            title,
            label,
            indicator,
        )
    return format_html('<th scope="col" class="{}" aria-sort="{}">{}</th>', css, aria, link)


@register.filter
def widget_kind(field: BoundField) -> str:
    """How the shared field template lays a field out: ``checkbox``, ``choices`` or ``input``."""
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        return "checkbox"
    if isinstance(widget, CheckboxSelectMultiple | RadioSelect):
        return "choices"
    return "input"


@register.filter
def is_wide(field: BoundField) -> bool:
    """Whether a field takes the whole width of a form (long text, lists of choices)."""
    return isinstance(field.field.widget, Textarea | CheckboxSelectMultiple)


@register.filter
def page_range(page: Page[Any]) -> list[Any]:
    """Page numbers around the current one, with an ellipsis for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


@register.filter
def is_ellipsis(value: Any) -> bool:
    return not isinstance(value, int)


@register.filter
def dash(value: Any) -> Any:
    """The value, or an em dash when there is none (tables read better without blanks)."""
    if value is None or value == "" or value == []:
        return "—"
    return value


@register.filter
def iso_datetime(value: Any) -> Any:
    """An ISO date-time text (as stored in JSON) as a datetime for the ``date`` filter."""
    if not value or not isinstance(value, str):
        return value
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return value
