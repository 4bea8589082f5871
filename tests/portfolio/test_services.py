"""Project, programme, portfolio and objective services on a real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pilotage.core.audit import history_for, state_as_of
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.core.models import HistoryAction
from pilotage.portfolio import services
from pilotage.portfolio.models import Project
from tests.factories import ProgrammeFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def test_project_create_records_history_with_new_values(world: World) -> None:
    project = services.project_create(
        actor=world.portfolio_manager,
        portfolio=world.portfolio,
        code="ERP",
        name="ERP upgrade",
        budget=Decimal("250000"),
        tags=["finance", "cloud", "finance"],
        objectives=[world.objective],
    )
    assert sorted(t.name for t in project.tags.all()) == ["cloud", "finance"]
    entry = history_for(project).get()
    assert entry.action == HistoryAction.CREATED
    assert entry.actor == world.portfolio_manager
    fields = {c["field"]: c for c in entry.changes}
    assert fields["name"]["new"] == "ERP upgrade"
    assert fields["budget"]["new"] == "250000.00"
    assert fields["objectives"]["new"] == [world.objective.pk]


def test_project_update_records_old_and_new_values(world: World) -> None:
    services.project_update(
        actor=world.project_manager,
        project=world.project,
        name="CRM replacement",
        health="amber",
        health_reason="Supplier late",
    )
    entry = history_for(world.project).first()
    assert entry is not None
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes == {
        "name": ("New CRM", "CRM replacement"),
        "health": ("green", "amber"),
        "health_reason": ("", "Supplier late"),
    }


def test_update_without_change_records_nothing(world: World) -> None:
    services.project_update(actor=world.pmo, project=world.project, name=world.project.name)
    assert not history_for(world.project).exists()


def test_state_as_of_answers_what_the_project_looked_like(world: World) -> None:
    project = services.project_create(
        actor=world.pmo, portfolio=world.portfolio, code="BI", name="Data platform"
    )
    first = history_for(project).get()
    services.project_update(actor=world.pmo, project=project, name="Data platform v2")
    assert state_as_of(Project, project.pk, first.occurred_at).values["name"] == "Data platform"
    assert (
        state_as_of(Project, project.pk, first.occurred_at - dt.timedelta(seconds=1)).values is None
    )
    now_state = state_as_of(Project, project.pk, first.occurred_at + dt.timedelta(days=1))
    assert now_state.values["name"] == "Data platform v2"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": dt.date(2026, 5, 1), "finish_date": dt.date(2026, 4, 1)}, "finish_date"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"code": "HR"}, "code"),
        ({"code": "has space"}, "code"),
    ],
)
def test_project_update_refuses_bad_input_and_writes_nothing(
    world: World, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.project_update(actor=world.pmo, project=world.project, **changes)
    assert field in raised.value.message_dict
    world.project.refresh_from_db()
    assert world.project.name == "New CRM"
    assert world.project.code == "CRM"
    assert not history_for(world.project).exists()


def test_finish_before_start_message_names_the_problem(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.project_create(
            actor=world.pmo,
            portfolio=world.portfolio,
            code="X1",
            name="X",
            start_date=dt.date(2026, 5, 1),
            finish_date=dt.date(2026, 4, 1),
        )
    assert "finish date cannot be before the start date" in str(raised.value)
    assert not Project.objects.filter(code="X1").exists()


def test_duplicate_code_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        services.project_create(
            actor=world.pmo, portfolio=world.portfolio, code="CRM", name="Again"
        )
    assert "code" in raised.value.message_dict


def test_programme_from_another_portfolio_is_refused(world: World) -> None:
    foreign = ProgrammeFactory(portfolio=world.other_portfolio)
    with pytest.raises(ValidationError) as raised:
        services.project_update(actor=world.pmo, project=world.project, programme=foreign)
    assert "programme" in raised.value.message_dict


def test_viewer_may_not_change_and_outsider_does_not_see(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.project_update(actor=world.viewer, project=world.project, name="No")
    with pytest.raises(NotFoundError):
        services.project_update(actor=world.outsider, project=world.project, name="No")
    with pytest.raises(ForbiddenError):
        services.project_create(
            actor=world.project_manager, portfolio=world.portfolio, code="NEW", name="New"
        )


def test_project_manager_cannot_move_project_to_a_portfolio_they_do_not_manage(
    world: World,
) -> None:
    with pytest.raises(NotFoundError):
        services.project_update(
            actor=world.project_manager,
            project=world.project,
            portfolio=world.other_portfolio,
            programme=None,
        )


def test_deleting_a_programme_with_projects_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.programme_delete(actor=world.pmo, programme=world.programme)


def test_project_delete_is_recorded(world: World) -> None:
    pk = world.sibling_project.pk
    services.project_delete(actor=world.portfolio_manager, project=world.sibling_project)
    assert not Project.objects.filter(pk=pk).exists()
    gone = state_as_of(Project, pk, dt.datetime.now(dt.UTC))
    assert gone.values is None
    assert gone.entry is not None
    assert gone.entry.action == HistoryAction.DELETED


def test_objective_for_the_whole_company_needs_an_organisation_role(world: World) -> None:
    with pytest.raises(ForbiddenError):
        services.objective_create(actor=world.portfolio_manager, code="O9", name="Cost")
    objective = services.objective_create(
        actor=world.portfolio_manager, code="O9", name="Cost", portfolio=world.portfolio
    )
    assert objective.portfolio == world.portfolio
