"""Filter forms of the list pages and the dashboard: parse the query string for the selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts import selectors as account_selectors
from pilotage.core.pages import PER_PAGE_CHOICES
from pilotage.portfolio import selectors
from pilotage.portfolio.models import HealthRag, ProjectPhase, ProjectPriority, ProjectStatus

ALL = [("", _("All"))]


def _person_label(person: Any) -> str:
    return str(person.get_full_name() or person.username)


class ProjectFilterForm(forms.Form):
    """The project list's search, filters, ordering and page size (all optional).

    A value that is not among the choices (an unknown or invisible id) is ignored rather than
    reported: the list is then simply not filtered on it.
    """

    fields: dict[str, Any]
    q = forms.CharField(label=_("Search"), required=False)
    portfolio = forms.TypedChoiceField(label=_("Portfolio"), required=False, coerce=int)
    programme = forms.TypedChoiceField(label=_("Programme"), required=False, coerce=int)
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=ALL + ProjectPhase.choices)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ALL + ProjectStatus.choices
    )
    health = forms.ChoiceField(label=_("Health"), required=False, choices=ALL + HealthRag.choices)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        choices=ALL + [(str(v), label) for v, label in ProjectPriority.choices],
    )
    manager = forms.TypedChoiceField(label=_("Manager"), required=False, coerce=int)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        choices=[(str(n), str(n)) for n in PER_PAGE_CHOICES],
    )

    FILTER_FIELDS = (
        "portfolio",
        "programme",
        "phase",
        "status",
        "health",
        "priority",
        "manager",
        "tag",
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.fields["portfolio"].choices = ALL + [
            (str(p.pk), p.name) for p in selectors.portfolio_list(user=user)
        ]
        self.fields["programme"].choices = ALL + [
            (str(p.pk), p.name) for p in selectors.programme_list(user=user)
        ]
        self.fields["manager"].choices = ALL + [
            (str(u.pk), _person_label(u)) for u in account_selectors.user_list(user=user)
        ]
        self.fields["tag"].choices = ALL + [(t.name, t.name) for t in selectors.tag_list()]
        self.is_valid()

    def value(self, name: str) -> Any:
        """The cleaned value of ``name``, or ``None`` when it was empty or not acceptable."""
        if name in self.errors:
            return None
        value = self.cleaned_data.get(name)
        return None if value in ("", None) else value

    @property
    def ordering(self) -> str:
        requested = self.value("sort") or "code"
        return requested if requested.lstrip("-") in selectors.PROJECT_ORDERINGS else "code"

    @property
    def page_size(self) -> int:
        return self.value("per_page") or PER_PAGE_CHOICES[0]

    def selector_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.project_list``."""
        kwargs: dict[str, Any] = {
            "search": (self.value("q") or "").strip(),
            "ordering": self.ordering,
        }
        for name in self.FILTER_FIELDS:
            value = self.value(name)
            if value is not None:
                kwargs[name] = value
        return kwargs

    @property
    def active_filters(self) -> int:
        """How many filters narrow the list (the search included)."""
        return sum(1 for name in ("q", *self.FILTER_FIELDS) if self.value(name) is not None)


class DashboardFilterForm(forms.Form):
    fields: dict[str, Any]
    portfolio = forms.TypedChoiceField(label=_("Portfolio"), required=False, coerce=int)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.fields["portfolio"].choices = [("", _("All portfolios"))] + [
            (str(p.pk), p.name) for p in selectors.portfolio_list(user=user)
        ]
        self.is_valid()

    @property
    def portfolio_id(self) -> int | None:
        if "portfolio" in self.errors:
            return None
        return self.cleaned_data.get("portfolio") or None
