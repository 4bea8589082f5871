"""Issues, assumptions, dependencies and decisions: the rules of their services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.audit import history_for
from pilotage.core.errors import ForbiddenError, NotFoundError
from pilotage.planning import services as planning
from pilotage.planning.models import Dependency, Task
from pilotage.portfolio.models import Project
from pilotage.risks import raid, register
from pilotage.risks.models import (
    AssumptionStatus,
    DependencyDirection,
    EscalationLevel,
    Issue,
    IssueStatus,
    ProjectDependency,
    Risk,
    RiskAssessment,
    RiskStatus,
)
from tests.factories import ProjectFactory
from tests.world import World

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def make_risk(world: World, project: Project | None = None, **values: object) -> Risk:
    return register.risk_create(
        actor=world.admin,
        project=project or world.project,
        title=str(values.pop("title", "Supplier late")),
        **values,
    )


def make_task(world: World, project: Project, name: str, days: int = 5) -> Task:
    return planning.task_create(
        actor=world.admin, project=project, name=name, duration_minutes=days * 480
    )


def cross_link(world: World) -> tuple[Task, Task, Dependency]:
    """A task of the sibling project that a task of the world's project waits for."""
    theirs = make_task(world, world.sibling_project, "Deliver the API", days=10)
    ours = make_task(world, world.project, "Integrate the API", days=5)
    link = planning.dependency_create(actor=world.admin, predecessor=theirs, successor=ours)
    theirs.refresh_from_db()
    ours.refresh_from_db()
    return theirs, ours, link


# Codes ------------------------------------------------------------------------------------------


def test_codes_follow_each_kind_per_portfolio_and_may_be_typed(world: World) -> None:
    first = raid.issue_create(actor=world.project_manager, project=world.project, title="A")
    second = raid.issue_create(actor=world.project_manager, project=world.project, title="B")
    typed = raid.issue_create(
        actor=world.project_manager, project=world.project, title="C", code="I-010"
    )
    third = raid.issue_create(actor=world.admin, project=world.sibling_project, title="D")
    other = raid.issue_create(actor=world.admin, project=world.other_project, title="E")
    assumption = raid.assumption_create(
        actor=world.project_manager, project=world.project, title="F"
    )
    decision = raid.decision_create(
        actor=world.project_manager,
        project=world.project,
        title="G",
        decided_on=TODAY,
        decided_by_name="Steering committee",
    )
    assert [first.code, second.code, typed.code, third.code] == ["I-001", "I-002", "I-010", "I-011"]
    assert other.code == "I-001"
    assert assumption.code == "A-001"
    assert decision.code == "DEC-001"
    with pytest.raises(ValidationError, match="already has an issue with this code"):
        raid.issue_create(
            actor=world.project_manager, project=world.project, title="H", code="I-002"
        )


def test_portfolio_and_programme_come_from_the_project(world: World) -> None:
    issue = raid.issue_create(actor=world.project_manager, project=world.project, title="A")
    assert issue.portfolio_id == world.portfolio.pk
    assert issue.programme_id == world.programme.pk
    sibling = raid.assumption_create(actor=world.admin, project=world.sibling_project, title="B")
    assert sibling.programme_id is None
    with pytest.raises(TypeError):
        raid.issue_create(
            actor=world.admin,
            project=world.project,
            title="C",
            portfolio=world.other_portfolio,
        )


# Issues -----------------------------------------------------------------------------------------


def test_changing_an_issue_needs_change_and_deleting_needs_delete(world: World) -> None:
    with pytest.raises(ForbiddenError):
        raid.issue_create(actor=world.viewer, project=world.project, title="A")
    with pytest.raises(NotFoundError):
        raid.issue_create(actor=world.outsider, project=world.project, title="A")
    issue = raid.issue_create(actor=world.project_manager, project=world.project, title="A")
    raid.issue_update(actor=world.project_manager, issue=issue, title="A, clarified")
    with pytest.raises(ForbiddenError):
        raid.issue_update(actor=world.viewer, issue=issue, title="B")
    with pytest.raises(ForbiddenError):
        raid.issue_delete(actor=world.project_manager, issue=issue)
    raid.issue_delete(actor=world.portfolio_manager, issue=issue)
    assert not Issue.objects.filter(pk=issue.pk).exists()


def test_an_issue_is_resolved_with_its_resolution_then_closed_and_reopened(world: World) -> None:
    issue = raid.issue_create(
        actor=world.project_manager,
        project=world.project,
        title="Test server down",
        severity="high",
        priority=1,
    )
    with pytest.raises(ValidationError, match="Say how the issue was resolved"):
        raid.issue_resolve(actor=world.project_manager, issue=issue, resolution="  ")
    with pytest.raises(ValidationError, match="before closing"):
        raid.issue_close(actor=world.project_manager, issue=issue)
    raid.issue_update(actor=world.project_manager, issue=issue, status=IssueStatus.IN_PROGRESS)
    resolved = raid.issue_resolve(
        actor=world.project_manager, issue=issue, resolution="Server replaced"
    )
    assert resolved.status == IssueStatus.RESOLVED
    assert resolved.resolved_at is not None
    with pytest.raises(ValidationError, match="own button"):
        raid.issue_update(actor=world.project_manager, issue=issue, status=IssueStatus.OPEN)
    closed = raid.issue_close(actor=world.project_manager, issue=issue)
    assert closed.status == IssueStatus.CLOSED
    assert closed.resolution == "Server replaced"
    with pytest.raises(ValidationError, match="is closed: it cannot be resolved"):
        raid.issue_resolve(actor=world.project_manager, issue=issue, resolution="x")
    reopened = raid.issue_reopen(actor=world.project_manager, issue=issue)
    assert reopened.status == IssueStatus.OPEN
    assert reopened.resolved_at is None
    statuses = [
        change["new"]
        for entry in history_for(issue)
        for change in entry.changes
        if change["field"] == "status"
    ]
    assert {"resolved", "closed", "open"} <= set(statuses)


def test_an_open_issue_is_closed_with_a_resolution_given_then(world: World) -> None:
    issue = raid.issue_create(actor=world.project_manager, project=world.project, title="Dup")
    closed = raid.issue_close(
        actor=world.project_manager, issue=issue, resolution="Duplicate of I-001"
    )
    assert closed.status == IssueStatus.CLOSED
    assert closed.resolved_at is not None


def test_raising_an_issue_from_a_risk_marks_the_risk_occurred(world: World) -> None:
    risk = make_risk(world, probability=4, impact=3, cost_impact=Decimal("10000"))
    before = RiskAssessment.objects.filter(risk=risk).count()
    issue = raid.issue_create(
        actor=world.project_manager, project=world.project, title="It happened", risk=risk
    )
    risk.refresh_from_db()
    assert issue.risk == risk
    assert risk.status == RiskStatus.OCCURRED
    assessments = list(RiskAssessment.objects.filter(risk=risk).order_by("assessed_at", "pk"))
    assert len(assessments) == before + 1
    latest = assessments[-1]
    assert latest.status == RiskStatus.OCCURRED
    assert (latest.probability, latest.impact) == (4, 3)
    assert latest.assessed_by == world.project_manager
    again = raid.issue_create(
        actor=world.project_manager, project=world.project, title="Again", risk=risk
    )
    assert again.risk == risk
    assert RiskAssessment.objects.filter(risk=risk).count() == before + 1


def test_an_issue_is_raised_only_from_a_risk_of_its_project(world: World) -> None:
    risk = make_risk(world, project=world.sibling_project)
    with pytest.raises(ValidationError, match=r"R-001 is not a risk of this project"):
        raid.issue_create(actor=world.admin, project=world.project, title="X", risk=risk)
    risk.refresh_from_db()
    assert risk.status != RiskStatus.OCCURRED


def test_linking_an_existing_issue_to_a_risk_marks_it_occurred(world: World) -> None:
    issue = raid.issue_create(actor=world.project_manager, project=world.project, title="A")
    risk = make_risk(world)
    raid.issue_update(actor=world.project_manager, issue=issue, risk=risk)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED


def test_overdue_issues_are_the_unresolved_ones_past_due(world: World) -> None:
    late = raid.issue_create(
        actor=world.admin, project=world.project, title="Late", due_date=TODAY - dt.timedelta(1)
    )
    raid.issue_create(
        actor=world.admin, project=world.project, title="Later", due_date=TODAY + dt.timedelta(1)
    )
    done = raid.issue_create(
        actor=world.admin, project=world.project, title="Done", due_date=TODAY - dt.timedelta(9)
    )
    raid.issue_resolve(actor=world.admin, issue=done, resolution="ok")
    overdue = raid.issues_overdue(user=world.viewer, project=world.project, today=TODAY)
    assert list(overdue) == [late]
    assert list(raid.issues_overdue(user=world.outsider, today=TODAY)) == []


def test_issue_list_is_filtered_and_hides_projects_the_user_cannot_see(world: World) -> None:
    mine = raid.issue_create(
        actor=world.admin, project=world.project, title="Database", severity="critical"
    )
    raid.issue_create(actor=world.admin, project=world.project, title="Paint", severity="low")
    hidden = raid.issue_create(actor=world.admin, project=world.other_project, title="Database")
    assert list(raid.issue_list(user=world.viewer, search="database")) == [mine]
    assert list(raid.issue_list(user=world.viewer, severity="critical")) == [mine]
    assert list(raid.issue_list(user=world.outsider)) == [hidden]
    assert list(raid.issue_list(user=world.nobody)) == []
    with pytest.raises(NotFoundError):
        raid.issue_get_for_user(mine.pk, user=world.outsider)


def test_issues_are_escalated_through_the_register(world: World) -> None:
    issue = raid.issue_create(actor=world.project_manager, project=world.project, title="Big")
    raid.issue_escalate(
        actor=world.project_manager,
        issue=issue,
        level=EscalationLevel.PORTFOLIO,
        comment="Needs the board",
    )
    issue.refresh_from_db()
    assert issue.escalation_level == EscalationLevel.PORTFOLIO
    assert issue.escalated_by == world.project_manager


# Assumptions ------------------------------------------------------------------------------------


def test_an_assumption_is_validated_or_proved_false_with_a_note(world: World) -> None:
    held = raid.assumption_create(
        actor=world.project_manager, project=world.project, title="Licences are included"
    )
    raid.assumption_validate(actor=world.project_manager, assumption=held, valid=True)
    assert held.status == AssumptionStatus.VALIDATED
    assert held.validated_at is not None
    with pytest.raises(ValidationError, match="already validated"):
        raid.assumption_validate(actor=world.project_manager, assumption=held, valid=True)
    false = raid.assumption_create(
        actor=world.project_manager, project=world.project, title="The vendor ships in May"
    )
    with pytest.raises(ValidationError, match="Say what proved the assumption false"):
        raid.assumption_validate(actor=world.project_manager, assumption=false, valid=False)
    raid.assumption_validate(
        actor=world.project_manager, assumption=false, valid=False, note="Shipping in August"
    )
    assert false.status == AssumptionStatus.INVALID
    assert false.validation_note == "Shipping in August"
    with pytest.raises(ForbiddenError):
        raid.assumption_validate(actor=world.viewer, assumption=false, valid=True)
    raid.assumption_reopen(actor=world.project_manager, assumption=false)
    assert false.status == AssumptionStatus.OPEN
    assert false.validated_at is None


def test_an_assumption_proved_false_raises_a_linked_issue(world: World) -> None:
    risk = make_risk(world, title="Vendor late")
    assumption = raid.assumption_create(
        actor=world.project_manager,
        project=world.project,
        title="The vendor ships in May",
        risk=risk,
    )
    with pytest.raises(ValidationError, match="Only an assumption proved false"):
        raid.assumption_raise_issue(actor=world.project_manager, assumption=assumption)
    raid.assumption_validate(
        actor=world.project_manager, assumption=assumption, valid=False, note="August"
    )
    issue = raid.assumption_raise_issue(
        actor=world.project_manager, assumption=assumption, severity="high"
    )
    assert issue.project == world.project
    assert issue.severity == "high"
    assert "A-001" in issue.description
    assert "August" in issue.description
    assert issue.risk == risk
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    assumption.refresh_from_db()
    assert f"Issue {issue.code} raised." in assumption.validation_note


def test_overdue_assumptions_are_those_still_to_validate_past_their_date(world: World) -> None:
    late = raid.assumption_create(
        actor=world.admin,
        project=world.project,
        title="Late",
        validate_by=TODAY - dt.timedelta(1),
    )
    checked = raid.assumption_create(
        actor=world.admin,
        project=world.project,
        title="Checked",
        validate_by=TODAY - dt.timedelta(5),
    )
    raid.assumption_validate(actor=world.admin, assumption=checked, valid=True)
    assert list(raid.assumptions_overdue(user=world.viewer, today=TODAY)) == [late]


# Dependencies -----------------------------------------------------------------------------------


def test_a_dependency_is_with_another_project_or_an_outside_party(world: World) -> None:
    with pytest.raises(ValidationError) as neither:
        raid.dependency_create(actor=world.project_manager, project=world.project, title="A")
    assert "Give the other project or the outside party" in str(neither.value)
    with pytest.raises(ValidationError) as both:
        raid.dependency_create(
            actor=world.admin,
            project=world.project,
            title="A",
            other_project=world.sibling_project,
            external_party="Regulator",
        )
    assert "not both" in str(both.value)
    with pytest.raises(ValidationError, match="not with this one"):
        raid.dependency_create(
            actor=world.admin, project=world.project, title="A", other_project=world.project
        )
    regulator = raid.dependency_create(
        actor=world.project_manager,
        project=world.project,
        title="Licence",
        external_party=" Regulator ",
        needed_by=TODAY,
    )
    assert regulator.external_party == "Regulator"
    assert regulator.code == "D-001"
    assert ProjectDependency.objects.count() == 1


def test_a_dependency_only_names_a_project_the_user_can_see(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        raid.dependency_create(
            actor=world.project_manager,
            project=world.project,
            title="WMS feed",
            other_project=world.other_project,
        )
    assert "other_project" in caught.value.message_dict
    assert ProjectDependency.objects.count() == 0
    other = raid.dependency_create(
        actor=world.admin, project=world.project, title="WMS", other_project=world.other_project
    )
    raid.dependency_update(actor=world.project_manager, dependency=other, needed_by=TODAY)
    other.refresh_from_db()
    assert other.needed_by == TODAY


def test_a_dependency_takes_the_other_project_task_and_direction_from_its_plan_link(
    world: World,
) -> None:
    theirs, ours, link = cross_link(world)
    dependency = raid.dependency_create(
        actor=world.portfolio_manager,
        project=world.project,
        title="API",
        plan_dependency=link,
        direction=DependencyDirection.OUTBOUND,
        needed_by=ours.start.date(),
    )
    assert dependency.other_project == world.sibling_project
    assert dependency.task == ours
    assert dependency.direction == DependencyDirection.INBOUND
    dates = raid.dependency_plan_dates(dependency)
    assert dates is not None
    assert dates.predecessor_finish == theirs.finish
    assert dates.successor_start == ours.start
    assert not dates.at_risk
    sibling_view = raid.dependency_create(
        actor=world.admin, project=world.sibling_project, title="API", plan_dependency=link
    )
    assert sibling_view.direction == DependencyDirection.OUTBOUND
    assert sibling_view.task == theirs
    assert sibling_view.other_project == world.project


def test_a_dependency_needed_before_its_predecessor_finishes_is_at_risk(world: World) -> None:
    theirs, _ours, link = cross_link(world)
    dependency = raid.dependency_create(
        actor=world.portfolio_manager,
        project=world.project,
        title="API",
        plan_dependency=link,
        needed_by=theirs.finish.date() - dt.timedelta(days=3),
    )
    dates = raid.dependency_plan_dates(dependency)
    assert dates is not None
    assert dates.at_risk


def test_plan_links_and_tasks_must_touch_this_project(world: World) -> None:
    first = make_task(world, world.sibling_project, "One")
    second = make_task(world, world.other_project, "Two")
    foreign = planning.dependency_create(actor=world.admin, predecessor=second, successor=first)
    with pytest.raises(ValidationError, match="does not connect a task of this project"):
        raid.dependency_create(
            actor=world.admin, project=world.project, title="X", plan_dependency=foreign
        )
    with pytest.raises(ValidationError, match="Choose a task of this project"):
        raid.dependency_create(
            actor=world.admin,
            project=world.project,
            title="X",
            external_party="Vendor",
            task=first,
        )
    ours = make_task(world, world.project, "Ours")
    hidden_link = planning.dependency_create(actor=world.admin, predecessor=second, successor=ours)
    with pytest.raises(ValidationError, match="leads to a project you cannot see"):
        raid.dependency_create(
            actor=world.portfolio_manager,
            project=world.project,
            title="X",
            plan_dependency=hidden_link,
        )
    assert ProjectDependency.objects.count() == 0


def test_the_plan_links_not_yet_recorded_are_imported_all_or_nothing(world: World) -> None:
    manager = world.portfolio_manager
    _theirs, ours, link = cross_link(world)
    later = make_task(world, world.project, "Go live", days=1)
    training = make_task(world, world.sibling_project, "Train")
    outbound = planning.dependency_create(actor=world.admin, predecessor=later, successor=training)
    hidden = planning.dependency_create(
        actor=world.admin,
        predecessor=make_task(world, world.other_project, "Stock feed"),
        successor=ours,
    )
    available = raid.dependency_plan_links(user=manager, project=world.project)
    assert available == [link, outbound]
    assert raid.dependency_plan_links(user=world.project_manager, project=world.project) == []
    with pytest.raises(ValidationError, match="not a link of this project"):
        raid.dependency_import_from_plan(actor=manager, project=world.project, links=[link, hidden])
    assert ProjectDependency.objects.count() == 0
    created = raid.dependency_import_from_plan(
        actor=manager, project=world.project, links=available
    )
    assert [item.direction for item in created] == [
        DependencyDirection.INBOUND,
        DependencyDirection.OUTBOUND,
    ]
    ours.refresh_from_db()
    training.refresh_from_db()
    assert created[0].needed_by == ours.start.date()
    assert created[1].needed_by == training.start.date()
    assert created[0].other_project == world.sibling_project
    assert created[0].task == ours
    assert "Deliver the API" in created[0].title
    assert raid.dependency_plan_links(user=manager, project=world.project) == []


def test_overdue_dependencies_and_search(world: World) -> None:
    late = raid.dependency_create(
        actor=world.admin,
        project=world.project,
        title="Permit",
        external_party="City hall",
        needed_by=TODAY - dt.timedelta(days=1),
    )
    raid.dependency_create(
        actor=world.admin,
        project=world.project,
        title="Data",
        other_project=world.sibling_project,
        needed_by=TODAY + dt.timedelta(days=1),
    )
    assert list(raid.dependency_list(user=world.viewer, overdue=True, today=TODAY)) == [late]
    assert list(raid.dependency_list(user=world.viewer, search="city")) == [late]


# Decisions --------------------------------------------------------------------------------------


def test_a_decision_says_who_decided_and_its_corrections_are_kept(world: World) -> None:
    with pytest.raises(ValidationError, match="Say who decided"):
        raid.decision_create(
            actor=world.project_manager, project=world.project, title="Go", decided_on=TODAY
        )
    decision = raid.decision_create(
        actor=world.project_manager,
        project=world.project,
        title="Use the vendor's cloud",
        decided_on=TODAY,
        decided_by=world.pmo,
        rationale="Cheaper to run",
        affects="Hosting budget",
    )
    raid.decision_update(
        actor=world.project_manager, decision=decision, rationale="Cheaper and faster"
    )
    decision.refresh_from_db()
    assert decision.rationale == "Cheaper and faster"
    changes = [
        change
        for entry in history_for(decision)
        for change in entry.changes
        if change["field"] == "rationale"
    ]
    assert {"old": "Cheaper to run", "new": "Cheaper and faster"} in [
        {"old": change["old"], "new": change["new"]} for change in changes
    ]
    with pytest.raises(ForbiddenError):
        raid.decision_update(actor=world.viewer, decision=decision, title="No")
    with pytest.raises(ForbiddenError):
        raid.decision_delete(actor=world.project_manager, decision=decision)
    raid.decision_delete(actor=world.pmo, decision=decision)


def test_decision_list_newest_first_between_dates(world: World) -> None:
    old = raid.decision_create(
        actor=world.admin,
        project=world.project,
        title="Old",
        decided_on=dt.date(2026, 1, 5),
        decided_by_name="Board",
    )
    new = raid.decision_create(
        actor=world.admin,
        project=world.project,
        title="New",
        decided_on=dt.date(2026, 5, 5),
        decided_by_name="Board",
    )
    assert list(raid.decision_list(user=world.viewer, project=world.project)) == [new, old]
    assert list(raid.decision_list(user=world.viewer, since=dt.date(2026, 2, 1))) == [new]
    assert list(raid.decision_list(user=world.outsider)) == []


def test_a_decision_links_only_a_change_request_of_its_project(world: World) -> None:
    from pilotage.risks import change_requests

    elsewhere = ProjectFactory(portfolio=world.portfolio)
    request = change_requests.change_request_create(
        actor=world.admin, project=elsewhere, title="Scope"
    )
    with pytest.raises(ValidationError, match="is not one of this project's"):
        raid.decision_create(
            actor=world.admin,
            project=world.project,
            title="X",
            decided_on=TODAY,
            decided_by_name="Board",
            change_request=request,
        )
