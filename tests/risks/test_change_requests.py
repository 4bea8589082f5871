"""Change requests: drafting, the approval level and who approves, and applying an approved
change to the plan, a new primary baseline and the approved budget, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone, translation

from pilotage.accounts.models import Role, User
from pilotage.core.errors import ForbiddenError
from pilotage.finance import budgets
from pilotage.finance.models import Budget, BudgetKind, BudgetLine, BudgetStatus, CostCategory
from pilotage.finance.timesheets import period_lock_create
from pilotage.planning import services as planning
from pilotage.planning.models import Baseline, ProjectPlan, Task
from pilotage.portfolio.models import Project
from pilotage.risks import change_requests as services
from pilotage.risks.models import (
    ChangeRequest,
    ChangeRequestEvent,
    ChangeRequestStatus,
    Decision,
    EscalationLevel,
    RiskSettings,
)
from tests.factories import MembershipFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

DAY = 480


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def sponsor_of(world: World, project: Project | None = None, name: str = "sponsor") -> User:
    """A user who sponsors the project and only views its portfolio (no approval right)."""
    user: User = UserFactory(username=name, first_name="Sam", last_name="Sponsor")
    MembershipFactory(user=user, role=Role.VIEWER, portfolio=world.portfolio)
    project = project or world.project
    project.sponsor = user
    project.save(update_fields=["sponsor"])
    return user


def executive(world: World, name: str = "exec") -> User:
    """An executive of the portfolio: may approve there."""
    user: User = UserFactory(username=name)
    MembershipFactory(user=user, role=Role.EXECUTIVE, portfolio=world.portfolio)
    return user


@dataclass
class Plan:
    design: Task
    build: Task
    baseline: Baseline


def build_plan(world: World) -> Plan:
    design = planning.task_create(
        actor=world.admin, project=world.project, name="Design", duration_minutes=5 * DAY
    )
    build = planning.task_create(
        actor=world.admin,
        project=world.project,
        name="Build",
        duration_minutes=5 * DAY,
        predecessors=str(design.position),
    )
    baseline = planning.baseline_capture(actor=world.admin, project=world.project, name="Initial")
    build.refresh_from_db()
    return Plan(design=design, build=build, baseline=baseline)


def approved_budget(world: World, amount: str = "100000") -> Budget:
    budgets.cost_categories_ensure_defaults(actor=world.admin)
    labour = CostCategory.objects.get(code="LAB-INT")
    budget = budgets.budget_create(actor=world.project_manager, project=world.project)
    budgets.budget_lines_replace(
        actor=world.project_manager,
        budget=budget,
        rows=[
            {
                "category": labour,
                "expense_type": labour.expense_type,
                "month": dt.date(2026, 1, 1),
                "amount": Decimal(amount),
            }
        ],
    )
    budgets.budget_submit(actor=world.project_manager, budget=budget)
    return budgets.budget_approve(actor=world.finance, budget=budget)


def drafted(
    world: World,
    *,
    cost: str = "20000",
    days: str = "5",
    project: Project | None = None,
    actor: User | None = None,
) -> ChangeRequest:
    return services.change_request_create(
        actor=actor or world.project_manager,
        project=project or world.project,
        title="Add the partner portal",
        scope_impact="A portal for partners",
        reason="Sales asked for it",
        cost_impact=Decimal(cost),
        schedule_impact_days=Decimal(days),
    )


def submitted(world: World, **kwargs: object) -> ChangeRequest:
    request = drafted(world, **kwargs)  # type: ignore[arg-type]
    return services.change_request_submit(actor=world.project_manager, change_request=request)


def approved(world: World, plan: Plan | None = None) -> ChangeRequest:
    request = drafted(world)
    if plan is not None:
        services.change_request_task_add(
            actor=world.project_manager,
            change_request=request,
            task=plan.build,
            duration_minutes=10 * DAY,
            cost=Decimal("1000"),
        )
        services.change_request_task_add(
            actor=world.project_manager,
            change_request=request,
            name="Partner training",
            duration_minutes=2 * DAY,
            cost=Decimal("500"),
        )
    services.change_request_submit(actor=world.project_manager, change_request=request)
    sponsor = sponsor_of(world)
    return services.change_request_approve(
        actor=sponsor, change_request=request, comment="Worth it"
    )


def fresh(request: ChangeRequest) -> ChangeRequest:
    return services.change_request_get_for_user(request.pk, user=User.objects.get(username="admin"))


# Drafting ---------------------------------------------------------------------------------------


def test_a_draft_gets_its_code_and_a_requested_event(world: World) -> None:
    request = drafted(world)
    assert request.code == "CR-001"
    assert request.status == ChangeRequestStatus.DRAFT
    assert request.portfolio_id == world.portfolio.pk
    assert request.programme_id == world.programme.pk
    assert [event.status for event in services.change_request_events(request)] == ["draft"]
    with pytest.raises(ForbiddenError):
        drafted(world, actor=world.viewer)


def test_only_a_draft_is_edited_and_only_with_change(world: World) -> None:
    request = drafted(world)
    services.change_request_update(
        actor=world.project_manager, change_request=request, cost_impact=Decimal("1")
    )
    with pytest.raises(ForbiddenError):
        services.change_request_update(actor=world.viewer, change_request=request, title="x")
    services.change_request_update(
        actor=world.project_manager, change_request=request, schedule_impact_days=Decimal("-2")
    )
    assert request.schedule_impact_days == Decimal("-2")
    services.change_request_submit(actor=world.project_manager, change_request=request)
    with pytest.raises(ValidationError, match="is submitted: it cannot be changed"):
        services.change_request_update(
            actor=world.project_manager, change_request=request, title="x"
        )


def test_submitting_needs_a_description_of_the_change(world: World) -> None:
    request = services.change_request_create(
        actor=world.project_manager, project=world.project, title="Vague"
    )
    with pytest.raises(ValidationError, match="Describe the change"):
        services.change_request_submit(actor=world.project_manager, change_request=request)


def test_task_changes_are_tasks_of_the_project_or_new_named_tasks(world: World) -> None:
    plan = build_plan(world)
    request = drafted(world)
    with pytest.raises(ValidationError, match="name the new task"):
        services.change_request_task_add(
            actor=world.project_manager, change_request=request, duration_minutes=DAY
        )
    with pytest.raises(ValidationError, match="not both"):
        services.change_request_task_add(
            actor=world.project_manager,
            change_request=request,
            task=plan.build,
            name="New",
            duration_minutes=DAY,
        )
    elsewhere = planning.task_create(
        actor=world.admin, project=world.sibling_project, name="HR task"
    )
    with pytest.raises(ValidationError, match="Choose a task of this project"):
        services.change_request_task_add(
            actor=world.project_manager,
            change_request=request,
            task=elsewhere,
            duration_minutes=DAY,
        )
    phase = planning.task_create(actor=world.admin, project=world.project, name="Phase")
    child = planning.task_create(actor=world.admin, project=world.project, name="Child")
    planning.task_indent(actor=world.admin, task=child)
    phase.refresh_from_db()
    with pytest.raises(ValidationError, match="is a summary task"):
        services.change_request_task_add(
            actor=world.project_manager, change_request=request, task=phase, duration_minutes=DAY
        )
    change = services.change_request_task_add(
        actor=world.project_manager,
        change_request=request,
        task=plan.build,
        duration_minutes=8 * DAY,
        cost=Decimal("250"),
    )
    with pytest.raises(ValidationError, match="already changes"):
        services.change_request_task_add(
            actor=world.project_manager,
            change_request=request,
            task=plan.build,
            duration_minutes=9 * DAY,
        )
    assert services.total_cost(fresh(request)) == Decimal("20250")
    services.change_request_task_remove(actor=world.project_manager, task_change=change)
    assert services.total_cost(fresh(request)) == Decimal("20000")


# Approval level and approvers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cost", "days", "in_programme", "level"),
    [
        ("1000", "2", True, EscalationLevel.PROJECT),
        ("50000", "10", True, EscalationLevel.PROJECT),
        ("50000.01", "0", True, EscalationLevel.PROGRAMME),
        ("0", "11", True, EscalationLevel.PROGRAMME),
        ("60000", "0", False, EscalationLevel.PORTFOLIO),
        ("250000.01", "0", True, EscalationLevel.PORTFOLIO),
        ("0", "41", True, EscalationLevel.PORTFOLIO),
    ],
)
def test_the_approval_level_comes_from_the_thresholds(
    world: World, cost: str, days: str, in_programme: bool, level: str
) -> None:
    project = world.project if in_programme else world.sibling_project
    assert (
        services.approval_level_for(cost=Decimal(cost), days=Decimal(days), project=project)
        == level
    )


@pytest.mark.parametrize("cost", ["1000", "60000", "300000"])
def test_a_listed_draft_names_the_level_it_would_get(world: World, cost: str) -> None:
    request = drafted(world, cost=cost)
    listed = services.change_request_list(user=world.viewer).get(pk=request.pk)
    plain = ChangeRequest.objects.get(pk=request.pk)
    assert services.approval_note(listed) == services.approval_note(plain)
    level = services.approval_level_for(cost=Decimal(cost), days=Decimal(5), project=world.project)
    assert f"Approval at {level} level" in services.approval_note(listed)


def test_submitting_fixes_the_level_with_the_task_costs_and_the_settings(world: World) -> None:
    RiskSettings.objects.update_or_create(pk=1, defaults={"programme_cost_threshold": 20000})
    plan = build_plan(world)
    request = drafted(world, cost="19900")
    services.change_request_task_add(
        actor=world.project_manager,
        change_request=request,
        task=plan.build,
        duration_minutes=6 * DAY,
        cost=Decimal("200"),
    )
    services.change_request_submit(actor=world.project_manager, change_request=request)
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.SUBMITTED
    assert request.approval_level == EscalationLevel.PROGRAMME
    assert request.submitted_at is not None
    events = services.change_request_events(request)
    assert events[-1].status == ChangeRequestStatus.SUBMITTED
    assert "programme level" in events[-1].comment


def test_the_project_sponsor_approves_at_project_level_but_not_the_requester(
    world: World,
) -> None:
    request = submitted(world)
    sponsor = sponsor_of(world)
    assert "the project's sponsor, Sam Sponsor" in services.approval_note(request)
    with pytest.raises(ForbiddenError, match="Approval at project level"):
        services.change_request_approve(actor=world.viewer, change_request=request)
    with pytest.raises(ForbiddenError, match="You requested this change"):
        services.change_request_approve(actor=world.project_manager, change_request=request)
    services.change_request_approve(actor=sponsor, change_request=request, comment="Go")
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED
    assert request.decided_by == sponsor
    assert request.decision_comment == "Go"
    decision = Decision.objects.get(change_request=request)
    assert decision.title == "CR-001 approved by Sam Sponsor"
    assert decision.decided_by == sponsor
    assert decision.project == world.project
    assert decision.rationale == "Go"
    assert "20,000.00 EUR" in decision.affects


def test_whoever_submitted_does_not_decide_even_with_the_right(world: World) -> None:
    request = drafted(world)
    services.change_request_submit(actor=world.pmo, change_request=request)
    with pytest.raises(ForbiddenError, match="You submitted this change"):
        services.change_request_approve(actor=world.pmo, change_request=request)
    services.change_request_approve(actor=world.portfolio_manager, change_request=request)
    assert request.status == ChangeRequestStatus.APPROVED


def test_a_programme_level_change_is_for_the_programme_sponsor_or_approvers(
    world: World,
) -> None:
    project_sponsor = sponsor_of(world)
    programme_sponsor = UserFactory(username="progsponsor")
    MembershipFactory(user=programme_sponsor, role=Role.VIEWER, programme=world.programme)
    world.programme.sponsor = programme_sponsor
    world.programme.save(update_fields=["sponsor"])
    request = submitted(world, cost="60000")
    assert request.approval_level == EscalationLevel.PROGRAMME
    assert services.approval_refusal(project_sponsor, request).startswith(
        "Approval at programme level"
    )
    assert services.approval_refusal(programme_sponsor, request) == ""
    assert services.approval_refusal(executive(world), request) == ""
    services.change_request_approve(actor=programme_sponsor, change_request=request)


def test_a_portfolio_level_change_is_for_portfolio_approvers_only(world: World) -> None:
    request = submitted(world, cost="300000")
    assert request.approval_level == EscalationLevel.PORTFOLIO
    world.programme.sponsor = world.viewer
    world.programme.save(update_fields=["sponsor"])
    request = fresh(request)
    assert services.approval_refusal(world.viewer, request).startswith(
        "Approval at portfolio level"
    )
    assert services.approval_refusal(world.portfolio_manager, request) == ""
    assert services.approval_refusal(world.finance, request) == ""


def test_rejecting_needs_a_reason_and_is_logged(world: World) -> None:
    request = submitted(world)
    approver = executive(world)
    with pytest.raises(ValidationError, match="Say why the change is rejected"):
        services.change_request_reject(actor=approver, change_request=request, comment=" ")
    services.change_request_reject(actor=approver, change_request=request, comment="Too costly")
    assert request.status == ChangeRequestStatus.REJECTED
    assert Decision.objects.get(change_request=request).title.startswith("CR-001 rejected by")
    with pytest.raises(ValidationError, match="only a submitted change request"):
        services.change_request_approve(actor=approver, change_request=request)


def test_withdrawing_and_deleting(world: World) -> None:
    request = submitted(world)
    with pytest.raises(ForbiddenError):
        services.change_request_withdraw(actor=world.viewer, change_request=request)
    services.change_request_withdraw(
        actor=world.project_manager, change_request=request, comment="Not now"
    )
    assert request.status == ChangeRequestStatus.WITHDRAWN
    with pytest.raises(ForbiddenError):
        services.change_request_delete(actor=world.project_manager, change_request=request)
    services.change_request_delete(actor=world.pmo, change_request=request)
    assert not ChangeRequest.objects.filter(pk=request.pk).exists()
    kept = approved(world)
    with pytest.raises(ValidationError, match="is approved: it cannot be deleted"):
        services.change_request_delete(actor=world.pmo, change_request=kept)


def test_the_awaiting_list_holds_what_the_user_may_decide(world: World) -> None:
    project_level = submitted(world)
    portfolio_level = submitted(world, cost="300000")
    drafted(world)
    sponsor = sponsor_of(world)
    assert services.change_requests_awaiting(user=sponsor) == [project_level]
    awaiting = services.change_requests_awaiting(user=world.portfolio_manager)
    assert [item.pk for item in awaiting] == [project_level.pk, portfolio_level.pk]
    assert services.change_requests_awaiting(user=world.project_manager) == []
    assert services.change_requests_awaiting(user=world.outsider) == []


# Applying ---------------------------------------------------------------------------------------


def _budget_total(budget: Budget) -> Decimal:
    return budget.lines.aggregate(total=Sum("amount"))["total"]


def test_applying_changes_the_plan_captures_a_primary_baseline_and_raises_the_budget(
    world: World,
) -> None:
    plan = build_plan(world)
    first_budget = approved_budget(world)
    finish_before = ProjectPlan.objects.get(project=world.project).finish
    request = approved(world, plan)
    with pytest.raises(ForbiddenError):
        services.change_request_apply(actor=world.viewer, change_request=request)

    applied = services.change_request_apply(actor=world.project_manager, change_request=request)

    build = Task.objects.get(pk=plan.build.pk)
    assert build.duration_minutes == 10 * DAY
    assert build.fixed_cost == Decimal("1000")
    training = Task.objects.get(project=world.project, name="Partner training")
    assert training.duration_minutes == 2 * DAY
    assert training.fixed_cost == Decimal("500")
    finish_after = ProjectPlan.objects.get(project=world.project).finish
    assert finish_after == build.finish
    assert finish_after > finish_before
    assert finish_after - finish_before == dt.timedelta(days=7)

    baseline = applied.baseline
    assert baseline.name == "CR-001 Add the partner portal"
    assert baseline.is_primary
    assert baseline.finish == finish_after
    assert baseline.tasks.get(task=build).finish == build.finish
    old = Baseline.objects.get(pk=plan.baseline.pk)
    assert not old.is_primary

    budget = applied.budget
    assert budget is not None
    assert budget.status == BudgetStatus.APPROVED
    assert budget.kind == BudgetKind.APPROVED
    assert budget.number == 2
    assert budget.decided_by == request.decided_by
    assert _budget_total(budget) == Decimal("121500")
    month = timezone.localtime(request.decided_at).date().replace(day=1)
    line = BudgetLine.objects.get(budget=budget, category__code="EXT-SVC", month=month)
    assert line.amount == Decimal("21500")
    first_budget.refresh_from_db()
    assert first_budget.status == BudgetStatus.SUPERSEDED
    world.project.refresh_from_db()
    assert world.project.budget == Decimal("121500")

    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPLIED
    assert request.baseline == baseline
    assert request.budget == budget
    assert request.applied_by == world.project_manager
    last = services.change_request_events(request)[-1]
    assert last.status == ChangeRequestStatus.APPLIED
    assert "Budget v2 approved, raised by 21,500.00 EUR" in last.comment
    with pytest.raises(ValidationError, match="is applied: it cannot be applied"):
        services.change_request_apply(actor=world.project_manager, change_request=request)


def test_without_an_approved_budget_only_the_plan_and_baseline_change(world: World) -> None:
    plan = build_plan(world)
    request = approved(world, plan)
    applied = services.change_request_apply(actor=world.project_manager, change_request=request)
    assert applied.budget is None
    assert applied.budget_note == "the project has no approved budget"
    assert Task.objects.get(pk=plan.build.pk).duration_minutes == 10 * DAY
    assert applied.baseline.is_primary
    assert not Budget.objects.filter(project=world.project).exists()
    last = ChangeRequestEvent.objects.filter(change_request=request).last()
    assert last is not None
    assert "The budget was not changed: the project has no approved budget." in last.comment


def _nothing_changed(world: World, plan: Plan, request: ChangeRequest, budget: Budget) -> None:
    assert Task.objects.get(pk=plan.build.pk).duration_minutes == 5 * DAY
    assert not Task.objects.filter(project=world.project, name="Partner training").exists()
    assert list(Baseline.objects.filter(project=world.project)) == [plan.baseline]
    assert Baseline.objects.get(pk=plan.baseline.pk).is_primary
    assert list(Budget.objects.filter(project=world.project, kind=BudgetKind.APPROVED)) == [budget]
    budget.refresh_from_db()
    assert budget.status == BudgetStatus.APPROVED
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED
    assert request.baseline is None
    assert (
        ChangeRequestEvent.objects.filter(
            change_request=request, status=ChangeRequestStatus.APPLIED
        ).count()
        == 0
    )


def test_a_locked_month_of_approval_changes_nothing_and_says_so(world: World) -> None:
    plan = build_plan(world)
    budget = approved_budget(world)
    request = approved(world, plan)
    today = timezone.localdate()
    period_lock_create(actor=world.admin, start=today.replace(day=1), finish=today)
    with pytest.raises(ValidationError, match=r"The budget cannot be raised: .* locked period"):
        services.change_request_apply(actor=world.project_manager, change_request=request)
    _nothing_changed(world, plan, request, budget)


def test_a_task_change_that_cannot_be_made_changes_nothing(world: World) -> None:
    plan = build_plan(world)
    budget = approved_budget(world)
    request = drafted(world)
    services.change_request_task_add(
        actor=world.project_manager,
        change_request=request,
        name="Partner training",
        duration_minutes=2 * DAY,
    )
    services.change_request_task_add(
        actor=world.project_manager,
        change_request=request,
        task=plan.build,
        duration_minutes=10 * DAY,
    )
    services.change_request_submit(actor=world.project_manager, change_request=request)
    services.change_request_approve(actor=executive(world), change_request=request)
    # Since the request was drafted, Build became a summary task: its duration is its subtasks'.
    child = planning.task_create(
        actor=world.admin, project=world.project, name="Build, part 1", position=3
    )
    planning.task_indent(actor=world.admin, task=child)
    with pytest.raises(ValidationError, match="The change to “Build” cannot be made"):
        services.change_request_apply(actor=world.project_manager, change_request=request)
    assert not Task.objects.filter(project=world.project, name="Partner training").exists()
    assert list(Baseline.objects.filter(project=world.project)) == [plan.baseline]
    assert Budget.objects.filter(project=world.project, kind=BudgetKind.APPROVED).get() == budget
    request.refresh_from_db()
    assert request.status == ChangeRequestStatus.APPROVED


def test_a_change_in_another_currency_is_converted_into_the_budget(world: World) -> None:
    plan = build_plan(world)
    approved_budget(world)
    budgets.exchange_rate_set(
        actor=world.admin, currency="USD", valid_from=dt.date(2020, 1, 1), rate=Decimal("0.5")
    )
    request = approved(world, plan)
    Project.objects.filter(pk=world.project.pk).update(currency="USD")
    applied = services.change_request_apply(
        actor=world.project_manager, change_request=fresh(request)
    )
    assert applied.budget is not None
    assert _budget_total(applied.budget) == Decimal("100000") + Decimal("10750")
