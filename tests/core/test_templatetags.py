"""Display helpers: badges, money, sortable headers and readable history values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from pilotage.accounts.models import User
from pilotage.core.pages import (
    add_service_error,
    describe_changes,
    display_value,
    field_label,
    per_page_from,
    safe_next_url,
)
from pilotage.core.templatetags.pilotage import money, money_short, rag


def render(source: str, **context: object) -> str:
    return Template("{% load pilotage %}" + source).render(Context(context))


def test_rag_badge_has_the_colour_class_and_label() -> None:
    assert rag("red", "Red") == '<span class="badge rag rag-red">Red</span>'
    assert 'title="Late supplier"' in rag("amber", "Amber", "Late supplier")
    assert "rag-none" in rag("purple", "Purple")
    assert "&lt;b&gt;" in rag("green", "<b>")


@pytest.mark.parametrize(
    ("language", "value", "currency", "expected"),
    [
        ("en", Decimal("1250000"), "EUR", "1,250,000\u00a0EUR"),
        ("en", Decimal("1250000.5"), "USD", "1,250,000.50\u00a0USD"),
        ("fr", Decimal("1250000.5"), "EUR", "1\u00a0250\u00a0000,50\u00a0EUR"),
        ("en", "12.00", "", "12"),
        ("en", None, "EUR", ""),
    ],
)
def test_money_follows_the_locale(
    language: str, value: object, currency: str, expected: str
) -> None:
    with translation.override(language):
        assert money(value, currency) == expected


def test_money_short_uses_words_for_millions() -> None:
    with translation.override("en"):
        assert money_short(Decimal("12400000"), "EUR") == "12.4 million\u00a0EUR"
        assert money_short(Decimal("950000.40"), "EUR") == "950,000\u00a0EUR"
    with translation.override("fr"):
        assert money_short(Decimal("12400000"), "EUR") == "12,4\u00a0millions\u00a0EUR"


def test_sum_by_totals_amounts_per_group() -> None:
    class Item:
        def __init__(self, currency: str, budget: str) -> None:
            self.currency, self.budget = currency, Decimal(budget)

    items = [Item("EUR", "10"), Item("USD", "5"), Item("EUR", "2.5")]
    html = render(
        '{% sum_by items "currency" "budget" as totals %}'
        "{% for c, t in totals %}{{ c }}={{ t }};{% endfor %}",
        items=items,
    )
    assert html == "EUR=12.5;USD=5;"


def test_sort_header_toggles_and_keeps_other_parameters() -> None:
    request = RequestFactory().get("/projects/", {"phase": "planning", "page": "3", "sort": "name"})
    html = render('{% sort_header "name" "Name" %}', request=request, sort="name")
    assert 'aria-sort="ascending"' in html
    assert "sort=-name" in html
    assert "phase=planning" in html
    assert "page=" not in html
    other = render('{% sort_header "code" "Code" %}', request=request, sort="name")
    assert 'aria-sort="none"' in other
    assert "sort=code" in other
    htmx = render(
        '{% sort_header "code" "Code" %}', request=request, sort="-code", htmx_target="#results"
    )
    assert 'hx-target="#results"' in htmx
    assert "sort=code" in htmx
    assert 'aria-sort="descending"' in htmx


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (models.CharField(choices=[("a", "Alpha"), ("b", "Beta")]), "b", "Beta"),
        (models.PositiveSmallIntegerField(choices=[(1, "Critical"), (2, "High")]), 2, "High"),
        (models.BooleanField(), True, "Yes"),
        (models.DateField(), "2026-03-01", "1 Mar 2026"),
        (models.DecimalField(decimal_places=2, max_digits=10), "1234.5", "1,234.50"),
        (models.CharField(), "", ""),
        (None, 42, "42"),
    ],
)
def test_display_value_reads_like_the_page(field: object, value: object, expected: str) -> None:
    with translation.override("en"):
        assert display_value(field, value) == expected


def test_display_value_prefers_the_recorded_text_of_relations() -> None:
    field = User._meta.get_field("groups")
    assert display_value(field, [1, 2], "Finance, PMO") == "Finance, PMO"
    assert display_value(field, [], "") == ""


def test_describe_changes_uses_verbose_names_and_choice_labels() -> None:
    rows = describe_changes(
        User,
        [
            {
                "field": "first_name",
                "old": "Ann",
                "new": "Anne",
                "old_text": None,
                "new_text": None,
            },
            {"field": "language", "old": "", "new": "fr", "old_text": None, "new_text": None},
            {"field": "password", "old": None, "new": None, "old_text": "", "new_text": "changed"},
            {"field": "gone_field", "old": 1, "new": 2},
        ],
    )
    with translation.override("en"):
        assert [(r.label, r.old, r.new) for r in rows] == [
            ("First name", "Ann", "Anne"),
            ("Language", "", "French"),
            ("Password", "", "changed"),
            ("Gone field", "1", "2"),
        ]
    assert field_label(User, "time_zone") == "Time zone"


class _Form(forms.Form):
    model = User
    first_name = forms.CharField(required=False)


def test_service_errors_land_on_fields_or_on_the_form() -> None:
    form = _Form({})
    assert form.is_valid()
    add_service_error(
        form,
        ValidationError(
            {
                "first_name": ["Too long."],
                "__all__": ["Finish before start."],
                "email": ["Taken."],
            }
        ),
    )
    assert form.errors["first_name"] == ["Too long."]
    assert "Finish before start." in form.non_field_errors()
    assert "Email address: Taken." in form.non_field_errors()
    plain = _Form({})
    plain.is_valid()
    add_service_error(plain, ValidationError("Cannot delete."))
    assert plain.non_field_errors() == ["Cannot delete."]


def test_page_size_is_limited_to_the_offered_choices() -> None:
    factory = RequestFactory()
    assert per_page_from(factory.get("/", {"per_page": "50"})) == 50
    assert per_page_from(factory.get("/", {"per_page": "5000"})) == 25
    assert per_page_from(factory.get("/", {"per_page": "x"})) == 25


def test_next_url_must_stay_on_the_site() -> None:
    factory = RequestFactory()
    assert safe_next_url(factory.post("/", {"next": "/projects/"}), "/") == "/projects/"
    assert safe_next_url(factory.post("/", {"next": "https://evil.example/"}), "/") == "/"
    assert safe_next_url(factory.post("/", {"next": "//evil.example/"}), "/home") == "/home"
