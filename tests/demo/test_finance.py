"""The demo's money: budgets, costs, timesheets, contracts and invoices a controller can follow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation

from pilotage.accounts.models import User
from pilotage.demo import data
from pilotage.demo.finance import FINANCE_USER, TEAM_MEMBERS
from pilotage.finance import timesheets as timesheet_services
from pilotage.finance.costs import cost_baseline_current
from pilotage.finance.earned_value import project_earned_value
from pilotage.finance.invoices import invoice_list
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetStatus,
    ContractKind,
    DeliverableStatus,
    EarnedValueRecord,
    Invoice,
    InvoiceStatus,
    PeriodLock,
    ProjectFinance,
    Timesheet,
    TimesheetStatus,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project, ProjectPhase
from pilotage.portfolio.selectors import project_list
from pilotage.risks.models import ChangeRequest

TODAY = dt.date(2026, 3, 11)
MONDAY = dt.date(2026, 3, 9)
LAST_WEEK = MONDAY - dt.timedelta(weeks=1)


@pytest.fixture
def _built(demo_build: list[tuple[int, int]]) -> None:
    """The shared demo build (tests/demo/conftest.py)."""


@pytest.fixture
def demo(_built: None, db: None) -> Iterator[None]:
    with translation.override("en"):
        yield


def _planned() -> list[Project]:
    with_tasks = Task.objects.values_list("project_id", flat=True)
    return list(
        Project.objects.filter(pk__in=with_tasks)
        .exclude(phase=ProjectPhase.PROPOSAL)
        .select_related("manager")
        .order_by("code")
    )


def _total(budget: Budget) -> Decimal:
    return budget.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _codes(invoice: Invoice) -> set[str]:
    return {reason["code"] for reason in invoice.hold_reasons}


def test_every_started_planned_project_has_an_approved_and_an_original_budget(
    demo: None,
) -> None:
    finance = User.objects.get(username=FINANCE_USER)
    planned = _planned()
    assert len(planned) >= 20
    for project in planned:
        current = Budget.objects.get(
            project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
        )
        original = Budget.objects.get(
            project=project, kind=BudgetKind.ORIGINAL, status=BudgetStatus.APPROVED
        )
        change = ChangeRequest.objects.filter(budget=current).first()
        if change is not None:
            # Raised by an approved change request: approved by whoever approved the change.
            assert current.decided_by == change.decided_by
        else:
            assert current.submitted_by == project.manager
            assert current.decided_by == finance
        # The approved budget is the project's budget, phased over the project's months.
        assert _total(current) == project.budget
        months = set(current.lines.values_list("month", flat=True))
        assert project.start_date is not None
        assert project.finish_date is not None
        assert min(months) == project.start_date.replace(day=1)
        assert max(months) <= project.finish_date
        assert {"capex", "opex"} == set(current.lines.values_list("expense_type", flat=True))
        assert _total(original) <= _total(current)


def test_slipping_projects_had_a_higher_budget_re_approved(demo: None) -> None:
    # Budgets raised by a change request are checked in tests/demo/test_risks.py.
    changed = ChangeRequest.objects.exclude(budget=None).values("project")
    superseded = Budget.objects.filter(
        kind=BudgetKind.APPROVED, status=BudgetStatus.SUPERSEDED
    ).exclude(project__in=changed)
    assert 1 <= superseded.count() <= 4
    for old in superseded.select_related("project"):
        project = old.project
        assert project is not None
        assert project.health in ("amber", "red")
        original = Budget.objects.get(
            project=project, kind=BudgetKind.ORIGINAL, status=BudgetStatus.APPROVED
        )
        current = Budget.objects.get(
            project=project, kind=BudgetKind.APPROVED, status=BudgetStatus.APPROVED
        )
        increase = _total(current) / _total(original) - 1
        assert Decimal("0.079") <= increase <= Decimal("0.151")
    forecasts = Budget.objects.filter(kind=BudgetKind.FORECAST)
    assert forecasts.count() == 3
    assert set(forecasts.values_list("status", flat=True)) == {BudgetStatus.DRAFT}


def test_planned_projects_have_cost_baselines_and_earned_value_figures(demo: None) -> None:
    planned = _planned()
    for project in planned:
        baseline = cost_baseline_current(project)
        assert baseline is not None, project.code
        assert baseline.captured_by == project.manager
    executing = [p for p in planned if p.phase == ProjectPhase.EXECUTION]
    with_time = [
        p
        for p in executing
        if ActualCost.objects.filter(project=p, source=ActualCostSource.TIMESHEET).exists()
    ]
    assert with_time
    figures = project_earned_value(with_time[0], as_of=TODAY)
    assert figures.computed, figures.problems
    assert figures.actual_cost is not None
    assert figures.actual_cost > 0
    assert figures.planned_value is not None
    assert figures.planned_value > 0
    # Figures were recorded at the last month-ends.
    month_ends = {dt.date(2025, 11, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 31)}
    month_ends.add(dt.date(2026, 2, 28))
    records = EarnedValueRecord.objects.all()
    assert set(records.values_list("as_of", flat=True)) == month_ends
    assert records.values("project").distinct().count() >= 10


def test_approved_timesheets_are_costed_and_approved_by_someone_else(demo: None) -> None:
    approved = Timesheet.objects.filter(status=TimesheetStatus.APPROVED).select_related(
        "resource", "decided_by"
    )
    assert approved.count() >= 40
    weeks = set(approved.values_list("week_start", flat=True))
    assert weeks == {MONDAY - dt.timedelta(weeks=n) for n in range(1, 7)}
    for timesheet in approved:
        assert timesheet.decided_by is not None
        assert timesheet.resource.user_id != timesheet.decided_by.pk
        minutes = timesheet.entries.aggregate(total=Sum("minutes"))["total"]
        costs = ActualCost.objects.filter(timesheet=timesheet)
        assert costs.aggregate(total=Sum("minutes"))["total"] == minutes
        for day in timesheet.entries.values("date").annotate(total=Sum("minutes")):
            assert day["total"] <= 9 * 60
    # Costed at the person's rate: nobody's time is free.
    assert not ActualCost.objects.filter(source=ActualCostSource.TIMESHEET, amount=0).exists()


def test_last_week_has_timesheets_waiting_and_people_missing(demo: None) -> None:
    waiting = Timesheet.objects.filter(week_start=LAST_WEEK, status=TimesheetStatus.SUBMITTED)
    assert waiting.count() >= 2
    assert Timesheet.objects.filter(week_start=MONDAY, status=TimesheetStatus.DRAFT).exists()
    this_week = Timesheet.objects.filter(week_start=MONDAY)
    assert not this_week.exclude(status=TimesheetStatus.DRAFT).exists()
    pmo = User.objects.get(username=data.PMO_LEAD)
    missing = timesheet_services.missing_timesheets(user=pmo, weeks=1, until=TODAY)
    absent = [item for item in missing if item.timesheet is None]
    assert 2 <= len(absent) <= 3
    assert all(item.week_start == LAST_WEEK and item.planned_minutes > 0 for item in absent)
    # Whoever approves timesheets finds them waiting.
    assert set(waiting) <= set(timesheet_services.timesheets_to_approve(pmo))


def test_team_members_sign_in_and_see_only_their_own_week_and_projects(demo: None) -> None:
    for username, name in TEAM_MEMBERS:
        user = User.objects.get(username=username)
        assert user.check_password(data.DEMO_PASSWORD)
        resource = timesheet_services.resource_of_user(user)
        assert resource is not None
        assert resource.name == name
        timesheet = timesheet_services.timesheet_for_week(
            user=user, resource=resource, week_start=MONDAY
        )
        assert timesheet is not None
        assert timesheet.status == TimesheetStatus.DRAFT
        grid = timesheet_services.timesheet_grid(
            resource=resource, week_start=MONDAY, timesheet=timesheet
        )
        assert grid.rows
        assert grid.total_minutes > 0
        assigned = set(
            Project.objects.filter(assignments__resource=resource).values_list("code", flat=True)
        )
        assert set(project_list(user=user).values_list("code", flat=True)) == assigned
        assert set(invoice_list(user=user).values_list("project__code", flat=True)) <= assigned


def test_one_project_takes_its_progress_from_approved_time(demo: None) -> None:
    options = ProjectFinance.objects.filter(progress_from_timesheets=True)
    assert options.count() == 1
    project = options.get().project
    fed = Task.objects.filter(project=project, actual_work_minutes__gt=0)
    assert fed.exists()
    for task in fed:
        assert task.actual_start is not None


def test_the_month_before_last_is_locked(demo: None) -> None:
    lock = PeriodLock.objects.get()
    assert (lock.start, lock.finish) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    locked = (
        Timesheet.objects.filter(status=TimesheetStatus.APPROVED, entries__date__lte=lock.finish)
        .select_related("resource")
        .first()
    )
    assert locked is not None
    pmo = User.objects.get(username=data.PMO_LEAD)
    with pytest.raises(ValidationError, match="2026-01"):
        timesheet_services.timesheet_reopen(actor=pmo, timesheet=locked)


def test_expenses_on_a_few_projects(demo: None) -> None:
    expenses = ActualCost.objects.filter(source=ActualCostSource.EXPENSE)
    assert 3 <= expenses.values("project").distinct().count() <= 4
    assert {"TRAVEL", "SW-LIC"} <= set(expenses.values_list("category__code", flat=True))


def test_the_clean_invoice_was_followed_from_receipt_to_payment(demo: None) -> None:
    paid = Invoice.objects.get(status=InvoiceStatus.PAID)
    assert paid.contract is not None
    assert paid.contract.kind == ContractKind.FIXED_PRICE
    assert paid.paid_on is not None
    assert paid.approved_by == User.objects.get(username=FINANCE_USER)
    statuses = list(paid.events.order_by("pk").values_list("status", flat=True))
    assert statuses == ["received", "matched", "approved", "paid"]
    line = paid.lines.select_related("milestone__deliverable__decided_by").get()
    assert line.milestone is not None
    deliverable = line.milestone.deliverable
    assert deliverable is not None
    assert deliverable.status == DeliverableStatus.ACCEPTED
    assert deliverable.decided_by == paid.project.manager
    # Its cost is in the ledger.
    assert ActualCost.objects.filter(invoice=paid, source=ActualCostSource.INVOICE).exists()


def test_the_anomalous_invoices_are_on_hold_with_their_reasons(demo: None) -> None:
    held = list(Invoice.objects.filter(status=InvoiceStatus.ON_HOLD).select_related("contract"))
    by_code: dict[str, list[Invoice]] = {}
    for invoice in held:
        for code in _codes(invoice):
            by_code.setdefault(code, []).append(invoice)
    # A milestone billed before its deliverable was accepted.
    fixed = [i for i in held if i.contract and i.contract.kind == ContractKind.FIXED_PRICE]
    assert len(fixed) == 1
    assert "no_evidence" in _codes(fixed[0])
    assert "is not accepted" in " ".join(r["message"] for r in fixed[0].hold_reasons)
    # A day rate above the contract's.
    (dearer,) = by_code["rate_differs"]
    assert "850.00 per day" in dearer.hold_reasons[0]["message"]
    # More days than the approved timesheets show.
    over = [
        i
        for i in by_code["over_billed"]
        if "no_evidence" in _codes(i)
        and i.contract is not None
        and i.contract.kind == ContractKind.TIME_AND_MATERIALS
    ]
    assert len(over) == 1
    assert "approved timesheets show" in " ".join(r["message"] for r in over[0].hold_reasons)
    # The first invoice's number used again.
    (copy,) = by_code["duplicate_number"]
    first = Invoice.objects.exclude(pk=copy.pk).get(number=copy.number)
    assert first.status == InvoiceStatus.APPROVED
    assert len(held) == 4
    # The command-line and the pages read them through the same list.
    finance = User.objects.get(username=FINANCE_USER)
    assert set(invoice_list(user=finance, status=InvoiceStatus.ON_HOLD)) == set(held)


def test_a_foreign_invoice_matches_and_a_dispute_has_a_thread(demo: None) -> None:
    (pounds,) = Invoice.objects.filter(currency="GBP")
    assert pounds.status == InvoiceStatus.MATCHED
    assert pounds.supplier.currency == "GBP"
    assert pounds.project.currency == "EUR"
    (disputed,) = Invoice.objects.filter(status=InvoiceStatus.DISPUTED)
    messages = disputed.events.exclude(status__in=["received", "on_hold"])
    assert messages.count() == 2
    assert messages.values("author").distinct().count() == 2


def test_another_portfolio_manager_sees_none_of_these_invoices(demo: None) -> None:
    operations = User.objects.get(username="thomas.petit")
    codes = set(invoice_list(user=operations).values_list("project__portfolio__code", flat=True))
    assert codes <= {"OPERATIONS"}
    viewer = User.objects.get(username="claire.dubois")
    assert set(invoice_list(user=viewer).values_list("project__portfolio__code", flat=True)) <= {
        "COMPLIANCE"
    }


# RAID logs, change requests and the simulation (built in the same demo as the money) --------


def test_active_projects_keep_a_scored_risk_register_with_its_history(demo: None) -> None:
    from pilotage.risks.models import Risk, RiskAssessment
    from pilotage.risks.register import risk_scales, risk_trend

    scales = risk_scales()
    active = [p for p in _planned() if p.status == "active"]
    assert len(active) >= 20
    for project in active:
        risks = list(Risk.objects.filter(project=project))
        assert len(risks) >= 3, project.code
        for risk in risks:
            assert risk.owner == project.manager
            assert 1 <= risk.probability <= scales.size("probability")
            assert 1 <= risk.impact <= scales.size("impact")
            assert RiskAssessment.objects.filter(risk=risk).count() >= 4
    pmo = User.objects.get(username=data.PMO_LEAD)
    weeks = risk_trend(user=pmo, weeks=14, today=TODAY)
    # The reassessments of the last twelve weeks show in the trend, not just this week.
    assert sum(1 for week in weeks if week.open) >= 12


def test_crm_change_request_was_approved_by_the_sponsor_and_applied(demo: None) -> None:
    from pilotage.planning.models import Baseline

    crm = Project.objects.get(code="DIG-CRM")
    applied = ChangeRequest.objects.get(project=crm, status="applied")
    assert applied.decided_by == crm.sponsor
    assert applied.baseline is not None
    assert Baseline.objects.get(pk=applied.baseline_id).is_primary
    assert applied.budget is not None
    previous = Budget.objects.get(
        project=crm, kind=BudgetKind.APPROVED, status=BudgetStatus.SUPERSEDED
    )
    assert _total(applied.budget) == _total(previous) + applied.cost_impact
    waiting = ChangeRequest.objects.filter(project=crm, status="submitted")
    assert waiting.count() == 1


def test_pmo_reads_the_stored_simulation_of_the_crm(demo: None) -> None:
    from pilotage.demo.risks import SIMULATION_SEED
    from pilotage.risks.models import SimulationRun
    from pilotage.risks.simulation import simulation_rerun

    run = SimulationRun.objects.get(project__code="DIG-CRM")
    assert run.seed == SIMULATION_SEED
    assert run.status == "done"
    percentiles = run.results["percentiles"]
    p50 = next(row for row in percentiles if row["label"] == "P50")
    p80 = next(row for row in percentiles if row["label"] == "P80")
    assert p50["finish"] <= p80["finish"]
    assert run.results["criticality"], "the run lists the tasks that drive the finish"
    pmo = User.objects.get(username=data.PMO_LEAD)
    again = simulation_rerun(actor=pmo, run=run)
    assert again.results["percentiles"] == percentiles


# Meetings (built in the same demo) --------------------------------------------------------------


def test_crm_holds_its_reviews_and_the_demo_account_sees_meetings_in_its_calendar(
    demo: None,
) -> None:
    import icalendar
    from django.utils import timezone

    from pilotage.collaboration.models import Meeting, MeetingKind, MeetingStatus
    from pilotage.collaboration.selectors import meeting_list
    from pilotage.exchange.exports import user_calendar

    crm = Project.objects.get(code="DIG-CRM")
    pmo = User.objects.get(username=data.PMO_LEAD)
    meetings = list(meeting_list(user=pmo, project=crm))
    start_of_today = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(0)))
    held = [meeting for meeting in meetings if meeting.status == MeetingStatus.HELD]
    upcoming = [
        meeting
        for meeting in meetings
        if meeting.status == MeetingStatus.PLANNED and meeting.starts_at > start_of_today
    ]
    assert held
    assert upcoming
    assert all(meeting.starts_at < start_of_today and meeting.minutes for meeting in held)
    assert all(meeting.organiser == crm.manager for meeting in meetings)
    kinds = {meeting.kind for meeting in upcoming}
    assert {MeetingKind.STATUS_REVIEW, MeetingKind.STEERING_COMMITTEE} <= kinds
    steering = next(m for m in upcoming if m.kind == MeetingKind.STEERING_COMMITTEE)
    assert {crm.sponsor, pmo} <= set(steering.attendees.all())
    weekly = [m for m in meetings if m.kind == MeetingKind.STATUS_REVIEW]
    assert len({meeting.series for meeting in weekly}) == 1
    assert any(m.status == MeetingStatus.CANCELLED and m.cancellation_reason for m in weekly)
    # A supplier's account manager is invited to the committee with an address.
    assert "@novacom.example>" in steering.guests
    assert Meeting.objects.count() < 600

    demo_account = User.objects.get(username=data.DEMO_USERNAME)
    calendar = icalendar.Calendar.from_ical(user_calendar(demo_account))
    meeting_events = [
        event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith("meeting-")
    ]
    assert meeting_events
    summaries = {str(event["SUMMARY"]) for event in meeting_events}
    assert "DIG-CRM: Steering committee" in summaries
    assert all(str(event["TRANSP"]) == "OPAQUE" for event in meeting_events)


def test_no_room_of_the_demo_holds_two_meetings_at_once(demo: None) -> None:
    import itertools

    from pilotage.collaboration.models import Meeting, MeetingStatus

    by_room: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for location, starts_at, ends_at in (
        Meeting.objects.exclude(status=MeetingStatus.CANCELLED)
        .exclude(location="")
        .values_list("location", "starts_at", "ends_at")
    ):
        by_room.setdefault(location, []).append((starts_at, ends_at))
    assert by_room
    for location, slots in by_room.items():
        slots.sort()
        for (_, earlier_end), (later_start, _) in itertools.pairwise(slots):
            assert later_start >= earlier_end, f"{location} double-booked at {later_start}"
