"""Ask the permission module from a template: ``{% can "change" project as may_change %}``."""

from __future__ import annotations

from typing import Any

from django import template

from pilotage.accounts.permissions import can as permission_can

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any = None) -> bool:
    """Whether the signed-in user may perform ``action`` on ``obj`` (the organisation if None)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if obj == "":
        obj = None
    return permission_can(user, action, obj)
