"""Record every write with its old and new values, and read the history back.

Services call :func:`capture` before changing an object and one of the ``record_*`` functions
after, inside their transaction, so that the web pages, the API and the command line leave
identical traces.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from pilotage.core.models import HistoryAction, HistoryEntry

State = dict[str, Any]

# Fields never worth showing in a history (bookkeeping or secrets).
IGNORED_FIELDS = frozenset({"password", "last_login", "created_at", "updated_at", "token_hash"})


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _audited_fields(instance: models.Model) -> Iterable[models.Field[Any, Any]]:
    # A model lists in ``audit_ignored_fields`` the values it derives (computed schedule dates):
    # the edits that cause them are audited, not each recalculation.
    ignored = IGNORED_FIELDS | frozenset(getattr(instance, "audit_ignored_fields", ()))
    for field in instance._meta.concrete_fields:
        if field.name not in ignored and not field.primary_key:
            yield field


def acting_user(actor: Any) -> Any:
    """The user to record as having done something: None for a system actor (no row)."""
    return actor if getattr(actor, "pk", None) else None


def capture(instance: models.Model) -> State:
    """Return the audited state of ``instance``: raw values plus display text for relations."""
    state: State = {}
    for field in _audited_fields(instance):
        if field.is_relation:
            raw = getattr(instance, field.attname)
            related = getattr(instance, field.name) if raw is not None else None
            state[field.name] = {"value": raw, "text": str(related) if related else ""}
        else:
            value = field.value_from_object(instance)
            if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
                # Compare and show amounts at the precision they are stored with.
                value = value.quantize(Decimal(1).scaleb(-(field.decimal_places or 0)))
            state[field.name] = {"value": _json_value(value)}
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            related_objects = sorted(getattr(instance, field.name).all(), key=lambda o: o.pk)
            state[field.name] = {
                "value": [obj.pk for obj in related_objects],
                "text": ", ".join(str(obj) for obj in related_objects),
            }
    return state


def _diff(before: State, after: State) -> list[dict[str, Any]]:
    changes = []
    for name, new in after.items():
        old = before.get(name, {"value": None})
        if old.get("value") != new.get("value"):
            changes.append(
                {
                    "field": name,
                    "old": old.get("value"),
                    "new": new.get("value"),
                    "old_text": old.get("text"),
                    "new_text": new.get("text"),
                }
            )
    return changes


def _record(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    changes: list[dict[str, Any]],
    snapshot: State,
    object_id: Any = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        occurred_at=timezone.now(),
        actor=acting_user(actor),
        actor_name=(actor.get_username() if actor is not None else "")[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(object_id if object_id is not None else instance.pk),
        object_repr=str(instance)[:255],
        changes=changes,
        snapshot=snapshot,
    )


def record_created(*, actor: Any, instance: models.Model) -> HistoryEntry:
    """Record the creation of ``instance`` (call after it and its relations are saved)."""
    after = capture(instance)
    changes = [c for c in _diff({}, after) if c["new"] not in (None, "", [])]
    return _record(
        actor=actor,
        instance=instance,
        action=HistoryAction.CREATED,
        changes=changes,
        snapshot=after,
    )


def record_updated(*, actor: Any, instance: models.Model, before: State) -> HistoryEntry | None:
    """Record what changed since ``before`` (from :func:`capture`); nothing if nothing did."""
    after = capture(instance)
    changes = _diff(before, after)
    if not changes:
        return None
    return _record(
        actor=actor,
        instance=instance,
        action=HistoryAction.UPDATED,
        changes=changes,
        snapshot=after,
    )


def record_fields_changed(
    *, actor: Any, instance: models.Model, fields: dict[str, tuple[str, str]]
) -> HistoryEntry:
    """Record a change described only by old and new text (for values that are not stored)."""
    changes = [
        {"field": name, "old": None, "new": None, "old_text": old, "new_text": new}
        for name, (old, new) in fields.items()
    ]
    return _record(
        actor=actor,
        instance=instance,
        action=HistoryAction.UPDATED,
        changes=changes,
        snapshot=capture(instance),
    )


def record_deleted(
    *, actor: Any, instance: models.Model, before: State, object_id: Any
) -> HistoryEntry:
    """Record a deletion; ``before`` is the state captured just before deleting."""
    return _record(
        actor=actor,
        instance=instance,
        action=HistoryAction.DELETED,
        changes=[],
        snapshot=before,
        object_id=object_id,
    )


def history_for(instance: models.Model) -> models.QuerySet[HistoryEntry]:
    """The history of one object, newest first."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return HistoryEntry.objects.filter(
        content_type=content_type, object_id=str(instance.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class PastState:
    """What an object looked like at a moment: its field values, or ``None`` if it did not exist."""

    as_of: dt.datetime
    values: dict[str, Any] | None
    entry: HistoryEntry | None


def state_as_of(model: type[models.Model], pk: Any, when: dt.datetime) -> PastState:
    """Answer "what did this object look like at ``when``" from the recorded snapshots."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    entry = (
        HistoryEntry.objects.filter(
            content_type=content_type, object_id=str(pk), occurred_at__lte=when
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if entry is None or entry.action == HistoryAction.DELETED:
        return PastState(as_of=when, values=None, entry=entry)
    values = {
        name: (item.get("text") or item.get("value")) if "text" in item else item.get("value")
        for name, item in entry.snapshot.items()
    }
    return PastState(as_of=when, values=values, entry=entry)
