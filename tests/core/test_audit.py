"""The audit trail: captured values, diffs, display text and past states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pilotage.core import audit
from pilotage.portfolio import services
from pilotage.portfolio.models import Project
from tests.factories import UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def test_capture_keeps_values_json_safe_and_relations_readable(world: World) -> None:
    world.project.manager = world.project_manager
    world.project.save()
    state = audit.capture(world.project)
    assert state["budget"]["value"] == "100000.00"
    assert state["start_date"]["value"] == "2026-01-05"
    assert state["manager"] == {
        "value": world.project_manager.pk,
        "text": str(world.project_manager),
    }
    assert state["portfolio"]["text"] == "Corporate change"
    assert "created_at" not in state


def test_relation_text_survives_renaming_the_related_object(world: World) -> None:
    alice = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    services.project_update(actor=world.pmo, project=world.project, manager=alice)
    alice.last_name = "Durand"
    alice.save()
    change = audit.history_for(world.project).get().changes[0]
    assert change["field"] == "manager"
    assert change["new_text"] == "Alice Martin"


def test_history_is_per_object_and_newest_first(world: World) -> None:
    services.project_update(actor=world.pmo, project=world.project, budget=Decimal("1"))
    services.project_update(actor=world.pmo, project=world.project, budget=Decimal("2"))
    services.project_update(actor=world.pmo, project=world.sibling_project, budget=Decimal("3"))
    budgets = [e.changes[0]["new"] for e in audit.history_for(world.project)]
    assert budgets == ["2.00", "1.00"]


def test_state_as_of_before_creation_and_after_deletion(world: World) -> None:
    created = services.project_create(
        actor=world.pmo, portfolio=world.portfolio, code="TMP", name="Temporary"
    )
    pk = created.pk
    services.project_delete(actor=world.pmo, project=created)
    later = timezone.now() + dt.timedelta(seconds=1)
    assert audit.state_as_of(Project, pk, later).values is None
    creation = audit.history_for(Project(pk=pk)).order_by("occurred_at", "id").first()
    assert creation is not None
    assert audit.state_as_of(Project, pk, creation.occurred_at).values["name"] == "Temporary"
