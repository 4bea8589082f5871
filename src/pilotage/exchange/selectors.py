"""Reads of imports and calendar subscriptions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pilotage.core.errors import NotFoundError
from pilotage.exchange.models import CalendarFeed, ImportRun
from pilotage.portfolio.models import Project


def import_list(*, user: Any, project: Project | None = None) -> QuerySet[ImportRun]:
    """The user's imports, newest first (all imports for a superuser), without their files."""
    runs = ImportRun.objects.select_related("project", "created_by").defer("content")
    if not user.is_superuser:
        runs = runs.filter(created_by=user)
    if project is not None:
        runs = runs.filter(project=project)
    return runs.order_by("-created_at", "-pk")


def import_get_for_user(pk: Any, *, user: Any) -> ImportRun:
    """One of the user's imports; another's is not found rather than forbidden."""
    try:
        return import_list(user=user).get(pk=pk)
    except (ImportRun.DoesNotExist, ValueError, TypeError):
        raise NotFoundError() from None


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token).first()
