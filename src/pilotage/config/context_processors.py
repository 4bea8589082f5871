"""Template context shared by every page: the main navigation and what the user may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import Action, can

NAVIGATION = [
    ("portfolio:dashboard", _("Dashboard"), "dashboard"),
    ("portfolio:project_list", _("Projects"), "projects"),
    ("portfolio:programme_list", _("Programmes"), "programmes"),
    ("portfolio:portfolio_list", _("Portfolios"), "portfolios"),
    ("portfolio:objective_list", _("Objectives"), "objectives"),
    ("resources:resource_list", _("Resources"), "resources"),
    ("resources:capacity", _("Capacity"), "capacity"),
    ("finance:dashboard", _("Finance"), "finance"),
    ("finance:my_timesheet", _("Timesheets"), "timesheets"),
    ("risks:raid", _("Risks"), "risks"),
    ("planning:calendar_list", _("Calendars"), "calendars"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = [{"url": reverse(name), "label": label, "key": key} for name, label, key in NAVIGATION]
    is_admin = can(user, Action.ADMINISTER)
    if is_admin:
        items.append({"url": reverse("accounts:user_list"), "label": _("Users"), "key": "users"})
    return {"navigation": items, "user_is_admin": is_admin}
