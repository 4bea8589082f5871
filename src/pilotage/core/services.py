"""Helpers shared by every app's services: validated, audited create, update and delete."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from pilotage.core import audit
from pilotage.core.audit import acting_user as acting_user

ModelT = TypeVar("ModelT", bound=models.Model)


def check_fields(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse a change naming a field that may not be changed this way."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise TypeError(f"Unknown or read-only fields: {', '.join(unknown)}")


def proposed_change(
    instance: ModelT, changes: Mapping[str, Any], *, skip: Iterable[str] = ()
) -> ModelT:
    """A copy of ``instance`` with ``changes`` applied (but the names in ``skip``, such as
    many-to-many lists), to check a change before it is made; ``instance`` is left as it is."""
    skipped = set(skip)
    copied = copy.copy(instance)
    for name, value in changes.items():
        if name not in skipped:
            setattr(copied, name, value)
    return copied


def validate(instance: models.Model, *, errors: dict[str, list[str]] | None = None) -> None:
    """Run the model's validation, adding ``errors`` found by the service, and raise them all."""
    collected: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
    try:
        instance.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            collected.setdefault(field, []).extend(messages)
    if collected:
        raise ValidationError(collected)


def create_audited(
    *,
    actor: Any,
    instance: ModelT,
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> ModelT:
    """Validate, save, set many-to-many relations and record the creation."""
    validate(instance, errors=errors)
    instance.save()
    for name, values in (many_to_many or {}).items():
        getattr(instance, name).set(values)
    audit.record_created(actor=actor, instance=instance)
    return instance


def update_audited(
    *,
    actor: Any,
    instance: ModelT,
    changes: Mapping[str, Any],
    many_to_many: Iterable[str] = (),
    errors: dict[str, list[str]] | None = None,
) -> ModelT:
    """Apply ``changes`` (fields and many-to-many lists), validate, save and record the diff."""
    before = audit.capture(instance)
    m2m_names = set(many_to_many)
    for name, value in changes.items():
        if name not in m2m_names:
            setattr(instance, name, value)
    validate(instance, errors=errors)
    instance.save()
    for name in m2m_names & set(changes):
        getattr(instance, name).set(changes[name])
    audit.record_updated(actor=actor, instance=instance, before=before)
    return instance


def delete_audited(*, actor: Any, instance: models.Model) -> None:
    """Record the deletion and delete; a protected relation becomes a validation error."""
    before = audit.capture(instance)
    object_id = instance.pk
    try:
        instance.delete()
    except models.ProtectedError as exc:
        count = len(exc.protected_objects)
        raise ValidationError(
            gettext("“%(object)s” cannot be deleted: %(count)d other records still refer to it.")
            % {"object": instance, "count": count}
        ) from exc
    audit.record_deleted(actor=actor, instance=instance, before=before, object_id=object_id)
