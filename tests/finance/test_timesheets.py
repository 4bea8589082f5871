"""Timesheet services and selectors: filling a week, its rules, approval and the actual costs
and progress it writes, reopening, locked periods and missing timesheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pilotage.core.errors import ForbiddenError
from pilotage.finance import timesheets
from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    Contract,
    ContractKind,
    CostCategory,
    PeriodLock,
    RateCardLine,
    Supplier,
    TimesheetEntry,
    TimesheetStatus,
)
from pilotage.finance.timesheets import TimesheetRow
from pilotage.planning import services as planning
from pilotage.planning.models import Task
from pilotage.resources.models import Assignment
from tests.finance.factories_timesheets import MONDAY, WEEK, Team, filled, team
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def crew(world: World) -> Team:
    return team(world)


def _lock(world: World, start: dt.date, finish: dt.date) -> PeriodLock:
    return timesheets.period_lock_create(
        actor=world.pmo, start=start, finish=finish, reason="October closed"
    )


# Hours as typed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("7.5", 450), ("7,5", 450), ("7h30", 450), ("7:30", 450), ("8", 480), ("", 0), ("45m", 45)],
)
def test_hours_typed_in_any_usual_way_become_minutes(text: str, minutes: int) -> None:
    assert timesheets.parse_hours(text) == minutes


@pytest.mark.parametrize("text", ["abc", "7h75", "-2"])
def test_hours_that_are_not_hours_are_refused_naming_the_value(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        timesheets.parse_hours(text)
    assert text in " ".join(error.value.messages)


# Filling a week ------------------------------------------------------------------------------


def test_a_week_must_start_on_a_monday(world: World, crew: Team) -> None:
    with pytest.raises(ValidationError) as error:
        timesheets.timesheet_get_or_create(
            actor=crew.user, resource=crew.alice, week_start=MONDAY + dt.timedelta(days=2)
        )
    assert "Monday" in str(error.value)
    assert "2026-11-04" in str(error.value)


def test_only_the_person_or_finance_of_the_organisation_fills_a_timesheet(
    world: World, crew: Team
) -> None:
    with pytest.raises(ForbiddenError):
        timesheets.timesheet_get_or_create(
            actor=world.project_manager, resource=crew.alice, week_start=MONDAY
        )
    own = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    on_behalf = timesheets.timesheet_get_or_create(
        actor=world.pmo, resource=crew.alice, week_start=MONDAY
    )
    assert own == on_behalf
    assert own.status == TimesheetStatus.DRAFT


def test_the_grid_lists_every_assigned_task_of_the_week_even_without_time(
    world: World, crew: Team
) -> None:
    grid = timesheets.timesheet_grid(resource=crew.alice, week_start=MONDAY)
    assert [row.task for row in grid.rows] == [crew.build, crew.specify]
    assert grid.total_minutes == 0
    # Full time on Build: 5 days of 8 hours planned this week; half time on Specify.
    assert [row.planned_minutes for row in grid.rows] == [2400, 1200]
    later = timesheets.timesheet_grid(
        resource=crew.alice, week_start=MONDAY + dt.timedelta(weeks=8)
    )
    assert later.rows == []


def test_saving_writes_the_time_and_zero_removes_it(world: World, crew: Team) -> None:
    sheet = filled(world, crew, submit=False, specify_minutes=120)
    assert TimesheetEntry.objects.filter(timesheet=sheet).count() == 10
    timesheets.timesheet_save(
        actor=crew.user,
        timesheet=sheet,
        rows=[
            TimesheetRow(task=crew.build, days={WEEK[0]: 450, WEEK[1]: 0}, note="API work"),
        ],
    )
    entries = list(TimesheetEntry.objects.filter(timesheet=sheet))
    assert [(entry.task, entry.date, entry.minutes, entry.note) for entry in entries] == [
        (crew.build, WEEK[0], 450, "API work")
    ]
    grid = timesheets.timesheet_grid(resource=crew.alice, week_start=MONDAY, timesheet=sheet)
    assert grid.rows[0].minutes == [450, 0, 0, 0, 0, 0, 0]
    assert grid.rows[0].note == "API work"


def test_more_than_24_hours_a_day_is_refused_and_nothing_is_saved(world: World, crew: Team) -> None:
    sheet = filled(world, crew, submit=False)
    with pytest.raises(ValidationError) as error:
        timesheets.timesheet_save(
            actor=crew.user,
            timesheet=sheet,
            rows=[
                TimesheetRow(task=crew.build, days={WEEK[0]: 900, WEEK[1]: 60}),
                TimesheetRow(task=crew.specify, days={WEEK[0]: 600}),
            ],
        )
    assert "2026-11-02" in str(error.value)
    assert "24 hours" in str(error.value)
    assert set(
        TimesheetEntry.objects.filter(timesheet=sheet).values_list("minutes", flat=True)
    ) == {480}


def test_time_on_a_task_without_assignment_is_refused_naming_the_task(
    world: World, crew: Team
) -> None:
    other = planning.task_create(actor=world.admin, project=world.project, name="Deploy")
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    with pytest.raises(ValidationError) as error:
        timesheets.timesheet_save(
            actor=crew.user, timesheet=sheet, rows=[TimesheetRow(task=other, days={WEEK[0]: 60})]
        )
    assert "Deploy" in str(error.value)
    assert "not assigned" in str(error.value)


def test_dates_outside_the_week_and_negative_time_are_refused(world: World, crew: Team) -> None:
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    with pytest.raises(ValidationError) as error:
        timesheets.timesheet_save(
            actor=crew.user,
            timesheet=sheet,
            rows=[TimesheetRow(task=crew.build, days={WEEK[6] + dt.timedelta(1): 60, WEEK[0]: -5})],
        )
    text = str(error.value)
    assert "2026-11-09 is not in the week" in text
    assert "negative" in text
    assert not TimesheetEntry.objects.exists()


def test_time_on_a_locked_date_is_refused_naming_the_date(world: World, crew: Team) -> None:
    _lock(world, dt.date(2026, 10, 1), WEEK[1])
    sheet = timesheets.timesheet_get_or_create(
        actor=crew.user, resource=crew.alice, week_start=MONDAY
    )
    with pytest.raises(ValidationError) as error:
        timesheets.timesheet_save(
            actor=crew.user,
            timesheet=sheet,
            rows=[TimesheetRow(task=crew.build, days={WEEK[1]: 60, WEEK[2]: 60})],
        )
    assert "2026-11-03" in str(error.value)
    assert "locked" in str(error.value)
    # Days after the lock stay open.
    timesheets.timesheet_save(
        actor=crew.user, timesheet=sheet, rows=[TimesheetRow(task=crew.build, days={WEEK[2]: 60})]
    )
    assert TimesheetEntry.objects.get().date == WEEK[2]


def test_a_submitted_timesheet_can_no_longer_change(world: World, crew: Team) -> None:
    sheet = filled(world, crew)
    assert sheet.status == TimesheetStatus.SUBMITTED
    assert sheet.submitted_at is not None
    with pytest.raises(ValidationError, match="submitted"):
        timesheets.timesheet_save(actor=crew.user, timesheet=sheet, rows=[])


# Approval ------------------------------------------------------------------------------------


def test_the_person_cannot_approve_their_own_timesheet(world: World, crew: Team) -> None:
    sheet = filled(world, crew)
    with pytest.raises(ForbiddenError, match="own timesheet"):
        timesheets.timesheet_approve(actor=crew.user, timesheet=sheet)


def test_an_administrator_may_approve_their_own_timesheet(world: World) -> None:
    crew = team(world)
    crew.alice.user = world.admin
    crew.alice.save()
    crew.user = world.admin
    sheet = filled(world, crew, submit=False)
    timesheets.timesheet_submit(actor=world.admin, timesheet=sheet)
    approved = timesheets.timesheet_approve(actor=world.admin, timesheet=sheet)
    assert approved.status == TimesheetStatus.APPROVED


def test_the_approver_needs_rights_on_every_project_of_the_timesheet(
    world: World, crew: Team
) -> None:
    only_crm = filled(world, crew)
    assert timesheets.may_approve(world.project_manager, only_crm)
    timesheets.timesheet_reject(
        actor=world.project_manager, timesheet=only_crm, comment="Split by task"
    )
    both = filled(world, crew, specify_minutes=60)
    # The CRM manager has no right on HR; finance of the portfolio manages both projects' money.
    assert not timesheets.may_approve(world.project_manager, both)
    with pytest.raises(ForbiddenError):
        timesheets.timesheet_approve(actor=world.project_manager, timesheet=both)
    with pytest.raises(ForbiddenError):
        timesheets.timesheet_approve(actor=world.viewer, timesheet=both)
    assert timesheets.timesheets_to_approve(world.project_manager) == []
    assert timesheets.timesheets_to_approve(world.finance) == [both]
    timesheets.timesheet_approve(actor=world.finance, timesheet=both, comment="Fine")
    both.refresh_from_db()
    assert (both.status, both.decided_by, both.comment) == (
        TimesheetStatus.APPROVED,
        world.finance,
        "Fine",
    )


def test_a_rejection_needs_a_comment_and_returns_the_timesheet_to_its_person(
    world: World, crew: Team
) -> None:
    sheet = filled(world, crew)
    with pytest.raises(ValidationError, match="why"):
        timesheets.timesheet_reject(actor=world.project_manager, timesheet=sheet, comment=" ")
    timesheets.timesheet_reject(
        actor=world.project_manager, timesheet=sheet, comment="Friday was a holiday"
    )
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.REJECTED
    assert sheet.comment == "Friday was a holiday"
    # The person corrects and submits again.
    timesheets.timesheet_save(
        actor=crew.user, timesheet=sheet, rows=[TimesheetRow(task=crew.build, days={WEEK[4]: 0})]
    )
    timesheets.timesheet_submit(actor=crew.user, timesheet=sheet)
    assert sheet.status == TimesheetStatus.SUBMITTED


def test_approval_writes_actual_costs_at_the_internal_rate(world: World, crew: Team) -> None:
    labour = CostCategory.objects.create(code="LAB-INT", name="Internal labour")
    sheet = filled(world, crew, build_minutes=450)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    costs = list(ActualCost.objects.filter(timesheet=sheet).order_by("incurred_on"))
    assert len(costs) == 5
    first = costs[0]
    # 7.5 hours at 60 EUR an hour.
    assert (first.amount, first.currency, first.minutes) == (Decimal("450.00"), "EUR", 450)
    assert (first.project, first.task, first.resource) == (world.project, crew.build, crew.alice)
    assert (first.source, first.category, first.incurred_on) == (
        ActualCostSource.TIMESHEET,
        labour,
        MONDAY,
    )
    assert sum(cost.amount for cost in costs) == Decimal("2250.00")


def test_approval_values_time_at_the_rate_of_a_time_and_materials_contract(
    world: World, crew: Team
) -> None:
    external = CostCategory.objects.create(code="EXT-SVC", name="Contractors")
    supplier = Supplier.objects.create(code="ACME", name="Acme")
    contract = Contract.objects.create(
        project=world.project,
        supplier=supplier,
        number="C-1",
        title="Build team",
        kind=ContractKind.TIME_AND_MATERIALS,
        currency="USD",
        start_date=WEEK[2],
    )
    RateCardLine.objects.create(
        contract=contract, resource=crew.alice, rate=Decimal("800"), unit="d"
    )
    sheet = filled(world, crew, build_minutes=240)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    costs = {cost.incurred_on: cost for cost in ActualCost.objects.filter(timesheet=sheet)}
    # Before the contract starts: her internal rate; from its start: 800 USD a day = 100 an hour.
    assert (costs[WEEK[0]].amount, costs[WEEK[0]].currency) == (Decimal("240.00"), "EUR")
    assert (costs[WEEK[2]].amount, costs[WEEK[2]].currency) == (Decimal("400.00"), "USD")
    assert costs[WEEK[2]].category == external
    assert costs[WEEK[0]].category is None


def test_time_without_any_rate_is_recorded_at_zero_with_a_warning(world: World) -> None:
    crew = team(world, rate=None)
    sheet = filled(world, crew, days=2)
    warnings = timesheets.timesheet_missing_rates(sheet)
    assert len(warnings) == 1
    assert "Alice Martin" in warnings[0]
    assert "CRM" in warnings[0]
    assert "2026-11-02, 2026-11-03" in warnings[0]
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    assert list(ActualCost.objects.values_list("amount", flat=True)) == [Decimal("0.00")] * 2


def test_reopening_removes_the_costs_and_makes_the_timesheet_submitted_again(
    world: World, crew: Team
) -> None:
    sheet = filled(world, crew)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    assert ActualCost.objects.filter(timesheet=sheet).count() == 5
    timesheets.timesheet_reopen(actor=world.project_manager, timesheet=sheet)
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.SUBMITTED
    assert sheet.decided_by is None
    assert not ActualCost.objects.filter(timesheet=sheet).exists()


def test_approval_of_time_submitted_before_a_lock_is_allowed_but_reopening_is_not(
    world: World, crew: Team
) -> None:
    sheet = filled(world, crew)
    _lock(world, WEEK[0], WEEK[6])
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    assert ActualCost.objects.filter(timesheet=sheet).count() == 5
    with pytest.raises(ValidationError, match="2026-11-02"):
        timesheets.timesheet_reopen(actor=world.project_manager, timesheet=sheet)


# Progress ------------------------------------------------------------------------------------


def test_approval_leaves_progress_alone_when_the_project_does_not_take_it(
    world: World, crew: Team
) -> None:
    sheet = filled(world, crew)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    crew.build.refresh_from_db()
    assert crew.build.percent_complete == 0
    assert crew.build.actual_work_minutes is None
    assert Assignment.objects.get(task=crew.build).actual_work_minutes is None


def test_approval_feeds_actual_work_and_progress_when_the_project_chooses_so(
    world: World, crew: Team
) -> None:
    options = timesheets.project_finance_options_set(
        actor=world.project_manager, project=world.project, progress_from_timesheets=True
    )
    assert options.progress_from_timesheets
    sheet = filled(world, crew, days=3)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=sheet)
    build = Task.objects.get(pk=crew.build.pk)
    # 3 days of 8 hours out of 10: 30 % done, started on the first day at the day's start.
    assert build.actual_work_minutes == 3 * 480
    assert build.percent_complete == pytest.approx(30)
    assert build.actual_start == dt.datetime(2026, 11, 2, 8, 0)
    assert Assignment.objects.get(task=crew.build).actual_work_minutes == 3 * 480
    # Reopening takes it back.
    timesheets.timesheet_reopen(actor=world.project_manager, timesheet=sheet)
    build.refresh_from_db()
    assert (build.actual_work_minutes, build.percent_complete, build.actual_start) == (0, 0, None)


def test_progress_from_timesheets_stops_at_99_percent(world: World, crew: Team) -> None:
    timesheets.project_finance_options_set(
        actor=world.admin, project=world.project, progress_from_timesheets=True
    )
    first = filled(world, crew, build_minutes=600)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=first)
    second = filled(world, crew, week=MONDAY + dt.timedelta(weeks=1), build_minutes=600)
    timesheets.timesheet_approve(actor=world.project_manager, timesheet=second)
    build = Task.objects.get(pk=crew.build.pk)
    assert build.actual_work_minutes == 6000
    assert build.percent_complete == 99


def test_only_someone_who_changes_the_project_sets_the_option(world: World, crew: Team) -> None:
    with pytest.raises(ForbiddenError):
        timesheets.project_finance_options_set(
            actor=world.viewer, project=world.project, progress_from_timesheets=True
        )
    assert not timesheets.progress_from_timesheets(world.project)


# Locked periods ------------------------------------------------------------------------------


def test_only_finance_managers_of_the_organisation_lock_periods(world: World) -> None:
    for user in (world.finance, world.project_manager, world.portfolio_manager):
        with pytest.raises(ForbiddenError):
            timesheets.period_lock_create(actor=user, start=WEEK[0], finish=WEEK[6])
    lock = _lock(world, WEEK[0], WEEK[6])
    with pytest.raises(ValidationError, match="cannot end before"):
        _lock(world, WEEK[6], WEEK[0])
    timesheets.period_lock_delete(actor=world.pmo, lock=lock)
    assert not PeriodLock.objects.exists()


# Lists ---------------------------------------------------------------------------------------


def test_timesheets_are_seen_by_their_person_and_the_managers_of_their_projects(
    world: World, crew: Team
) -> None:
    sheet = filled(world, crew)
    assert list(timesheets.timesheet_list(user=crew.user)) == [sheet]
    assert list(timesheets.timesheet_list(user=world.project_manager)) == [sheet]
    assert list(timesheets.timesheet_list(user=world.finance)) == [sheet]
    assert list(timesheets.timesheet_list(user=world.viewer)) == []
    assert list(timesheets.timesheet_list(user=world.outsider)) == []
    assert timesheets.timesheet_list(user=crew.user).get().total_minutes == 2400
    assert list(timesheets.timesheet_list(user=world.admin, project=world.sibling_project)) == []


def test_missing_timesheets_lists_people_with_work_and_no_submitted_week(
    world: World, crew: Team
) -> None:
    filled(world, crew)  # week 1 submitted
    filled(world, crew, week=WEEK[0] + dt.timedelta(weeks=1), submit=False)  # week 2 draft
    # Week 3: nothing at all. Build lasts two weeks, Specify (half time) too.
    until = MONDAY + dt.timedelta(weeks=3, days=2)
    rows = timesheets.missing_timesheets(user=world.admin, weeks=3, until=until)
    assert [(row.week_start, row.resource, row.status) for row in rows] == [
        (MONDAY + dt.timedelta(weeks=1), crew.alice, TimesheetStatus.DRAFT),
    ]
    assert rows[0].projects == (world.project, world.sibling_project)
    # People are visible only through projects the user sees.
    assert timesheets.missing_timesheets(user=world.outsider, weeks=3, until=until) == []


def test_missing_timesheets_names_a_week_without_any_timesheet(world: World, crew: Team) -> None:
    rows = timesheets.missing_timesheets(
        user=world.project_manager, weeks=2, until=MONDAY + dt.timedelta(weeks=2)
    )
    assert [(row.week_start, row.timesheet) for row in rows] == [
        (MONDAY + dt.timedelta(weeks=1), None),
        (MONDAY, None),
    ]
    # The CRM manager sees Alice through CRM only.
    assert rows[0].projects == (world.project,)
