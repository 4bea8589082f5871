"""Locked periods: dates on which timesheets and actual costs may no longer change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext

from pilotage.finance.models import PeriodLock

__all__ = ["ensure_open", "lock_covering"]


def lock_covering(dates: Iterable[dt.date]) -> tuple[dt.date, PeriodLock] | None:
    """The first of ``dates`` that falls in a locked period, with that period, if any."""
    days = sorted(set(dates))
    if not days:
        return None
    locks = list(
        PeriodLock.objects.filter(Q(start__lte=days[-1]) & Q(finish__gte=days[0])).order_by("start")
    )
    for day in days:
        for lock in locks:
            if lock.start <= day <= lock.finish:
                return day, lock
    return None


def ensure_open(dates: Iterable[dt.date], *, field: str | None = None) -> None:
    """Raise a ``ValidationError`` naming the date and the period when any date is locked."""
    found = lock_covering(dates)
    if found is None:
        return
    day, lock = found
    message = gettext(
        "%(date)s is in a locked period (%(start)s to %(finish)s); nothing can be recorded "
        "or changed on it."
    ) % {
        "date": day.isoformat(),
        "start": lock.start.isoformat(),
        "finish": lock.finish.isoformat(),
    }
    if field:
        raise ValidationError({field: message}, code="locked_period")
    raise ValidationError(message, code="locked_period")
