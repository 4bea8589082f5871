"""Helpers shared by every app's pages: htmx partials, pagination, safe redirects, service
errors, history tabs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages as page_messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy

from pilotage.core.audit import history_for, state_as_of
from pilotage.core.models import HistoryAction, HistoryEntry

PER_PAGE_CHOICES = (25, 50, 100)


class PageRequest(HttpRequest):
    """A request to a page: behind ``login_required`` its ``user`` is signed in; ``htmx`` is set
    by django-htmx's middleware."""

    user: Any
    htmx: Any


HISTORY_PER_PAGE = 20


def is_partial(request: HttpRequest) -> bool:
    """Whether htmx asks for a part of the page (not when it restores its history, which
    needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_list(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """A list page, or only its results for htmx; caches keep the two apart."""
    response = render(request, partial if is_partial(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Pagination -----------------------------------------------------------------------------------


def per_page_from(request: HttpRequest, default: int = PER_PAGE_CHOICES[0]) -> int:
    """The page size asked for in ``?per_page=``, limited to the offered choices."""
    try:
        value = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return value if value in PER_PAGE_CHOICES else default


def paginate(request: HttpRequest, items: Any, per_page: int | None = None) -> Page[Any]:
    """The page of ``items`` asked for in ``?page=`` (the last page when out of range)."""
    paginator = Paginator(items, per_page or per_page_from(request))
    return paginator.get_page(request.GET.get("page"))


# Redirects and forms --------------------------------------------------------------------------


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """The ``next`` parameter when it points to this site, else ``fallback``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to ``form``: by field when the form has the field,
    otherwise as an error of the whole form prefixed with the field's name."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            label = _field_label_for_form(form, name)
            form.add_error(
                None,
                [
                    gettext("%(label)s: %(message)s") % {"label": label, "message": message}
                    for message in messages
                ],
            )


def report_error(request: HttpRequest, error: ValidationError) -> None:
    """Show each message of a service's error on the next page (for views that redirect)."""
    for message in error.messages:
        page_messages.error(request, str(message))


def posted_column_mapping(request: HttpRequest, columns: int) -> dict[int, str]:
    """The field chosen for each column of an imported table (``column-<index>`` in the
    posted form); columns left unmapped are not in the result."""
    mapping: dict[int, str] = {}
    for index in range(columns):
        key = request.POST.get(f"column-{index}", "")
        if key:
            mapping[index] = key
    return mapping


def _field_label_for_form(form: forms.BaseForm, name: str) -> str:
    model = getattr(form, "model", None)
    if model is not None:
        return field_label(model, name)
    return name.replace("_", " ").capitalize()


def field_label(model: type[models.Model], name: str) -> str:
    """The human name of a model field (its verbose name, capitalised)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()
    label = str(getattr(field, "verbose_name", name))
    return label[:1].upper() + label[1:]


# History --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    """One field of a history entry, ready to show: its label and old and new values."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    """One history entry, ready to show."""

    entry: HistoryEntry
    who: str
    changes: list[ChangeRow]

    @property
    def when(self) -> dt.datetime:
        return self.entry.occurred_at

    @property
    def action(self) -> str:
        return self.entry.action

    @property
    def action_label(self) -> str:
        return self.entry.get_action_display()


def _model_field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def display_value(field: Any, value: Any, text: str | None = None) -> str:
    """A recorded value as a person reads it: related objects by name, choices by label,
    dates and numbers in the user's locale, an empty string for no value."""
    if text:
        return text
    if value is None or value == "" or value == []:
        return ""
    if field is None:
        return str(value)
    if field.is_relation:
        return str(text or "")
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if value else gettext("No")
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is None:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        day = parse_date(str(value))
        return formats.date_format(day, "DATE_FORMAT") if day else str(value)
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return formats.number_format(number, decimal_pos=field.decimal_places, force_grouping=True)
    return str(value)


def describe_changes(model: type[models.Model], changes: list[dict[str, Any]]) -> list[ChangeRow]:
    rows = []
    for change in changes:
        name = change.get("field", "")
        field = _model_field(model, name)
        rows.append(
            ChangeRow(
                label=field_label(model, name),
                old=display_value(field, change.get("old"), change.get("old_text")),
                new=display_value(field, change.get("new"), change.get("new_text")),
            )
        )
    return rows


def history_row(model: type[models.Model], entry: HistoryEntry) -> HistoryRow:
    actor = entry.actor
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    return HistoryRow(
        entry=entry,
        who=who or entry.actor_name or gettext("System"),
        changes=describe_changes(model, entry.changes),
    )


def past_state_rows(model: type[models.Model], values: dict[str, Any]) -> list[ChangeRow]:
    """The fields of a recorded state, in the model's order, as label and value."""
    rows = []
    known = set()
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    for field in fields:
        if field.name not in values:
            continue
        known.add(field.name)
        value = values[field.name]
        text = value if field.is_relation else None
        shown = display_value(field, value, text if isinstance(text, str) else None)
        rows.append(ChangeRow(label=field_label(model, field.name), old="", new=shown))
    return rows


def parse_as_of(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


AS_OF_INVALID = gettext_lazy("Enter a valid date.")


def history_context(request: HttpRequest, instance: models.Model) -> dict[str, Any]:
    """Everything the shared history partial needs for ``instance``: a page of readable entries
    and, when ``?as_of=YYYY-MM-DD`` is given, the object's recorded state at the end of that day
    in the user's time zone."""
    model = type(instance)
    page = paginate(request, history_for(instance), HISTORY_PER_PAGE)
    page.object_list = [history_row(model, entry) for entry in page.object_list]
    raw_as_of = request.GET.get("as_of", "").strip()
    as_of = parse_as_of(raw_as_of)
    context: dict[str, Any] = {
        "history_page": page,
        "as_of": as_of,
        "as_of_raw": raw_as_of,
        "as_of_error": AS_OF_INVALID if raw_as_of and as_of is None else "",
        "created": HistoryAction.CREATED,
        "deleted": HistoryAction.DELETED,
    }
    if as_of is not None:
        end_of_day = timezone.make_aware(
            dt.datetime.combine(as_of, dt.time.max), timezone.get_current_timezone()
        )
        past = state_as_of(model, instance.pk, end_of_day)
        context["as_of_state"] = past_state_rows(model, past.values) if past.values else None
        context["as_of_entry"] = history_row(model, past.entry) if past.entry else None
    return context
