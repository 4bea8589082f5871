"""The demo's money: budgets, cost baselines, timesheets, expenses, contracts and invoices.

Everything goes through the finance services, in the order a real organisation would have done
it, so that every record carries its history:

- the finance controller sets the exchange rates (USD, GBP, CHF; EUR is the reporting
  currency) and the usual cost categories;
- each planned project that has left the proposal stage gets a budget phased by month over its
  dates, split by category and CAPEX/OPEX, submitted by its manager and approved by finance
  (which keeps it as the original budget); a few slipping projects had a second version
  approved 8 to 15 % higher, and three have a forecast being drafted;
- the project managers capture their cost baselines;
- people fill in their last six weeks of timesheets, which their managers approve (writing the
  actual costs); last week a few wait for approval and a few people have not filled theirs in;
  two of them sign in (alice.martin, hugo.lefebvre); one project takes its progress from the
  approved time;
- a few expenses, four suppliers, a fixed-price contract with deliverables and payment
  milestones, a time-and-materials contract with a named consultant, a contract in pounds, and
  invoices of which some are held for the reasons a controller must see: billed before the
  deliverable is accepted, a day rate above the contract's, more days than the approved
  timesheets, a number used twice; one is disputed;
- earned value figures are recorded at the last four month-ends and the month before last is
  closed.

Reproducible: every choice comes from a generator seeded with ``seed``; dates count from
``today``.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min

from pilotage.accounts import services as account_services
from pilotage.accounts.models import Role, User
from pilotage.core.services import create_audited
from pilotage.demo import data
from pilotage.finance import budgets as budget_services
from pilotage.finance import contracts as contract_services
from pilotage.finance import costs as cost_services
from pilotage.finance import invoices as invoice_services
from pilotage.finance import timesheets as timesheet_services
from pilotage.finance.earned_value import project_earned_value
from pilotage.finance.models import (
    ActualCostSource,
    Budget,
    BudgetKind,
    Contract,
    ContractKind,
    CostCategory,
    EarnedValueRecord,
    ExpenseType,
    Invoice,
    InvoiceStatus,
    RateCardLine,
    Supplier,
    Timesheet,
    TimesheetEntry,
    TimesheetStatus,
)
from pilotage.finance.rates import labour_rates
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task, WorkCalendar
from pilotage.planning.services import batch_scheduling
from pilotage.portfolio.models import Currency, HealthRag, Project, ProjectPhase
from pilotage.resources import services as resource_services
from pilotage.resources.capacity import CompiledCalendars
from pilotage.resources.models import Assignment, JobRole, Resource, ResourceKind, Team

__all__ = ["FINANCE_USER", "TEAM_MEMBERS", "FinanceSummary", "build_finance"]

FINANCE_USER = "philippe.lambert"
# Staff members who sign in to fill in their own timesheets: (username, resource name).
TEAM_MEMBERS: tuple[tuple[str, str], ...] = (
    ("alice.martin", "Alice Martin"),
    ("hugo.lefebvre", "Hugo Lefebvre"),
)
# Units of the reporting currency (EUR) for one unit: a year ago, then six months ago.
EXCHANGE_RATES: dict[str, tuple[Decimal, Decimal]] = {
    Currency.USD: (Decimal("0.9215"), Decimal("0.8790")),
    Currency.GBP: (Decimal("1.1740"), Decimal("1.1562")),
    Currency.CHF: (Decimal("1.0480"), Decimal("1.0695")),
}
# How a project budget splits: (category code, expense type, share, profile).
BUDGET_SPLIT: tuple[tuple[str, str, Decimal, str], ...] = (
    ("LAB-INT", ExpenseType.OPEX, Decimal("0.55"), "bell"),
    ("EXT-SVC", ExpenseType.CAPEX, Decimal("0.25"), "bell"),
    ("SW-LIC", ExpenseType.CAPEX, Decimal("0.12"), "early"),
    ("OTHER", ExpenseType.OPEX, Decimal("0.08"), "flat"),
)
TIMESHEET_WEEKS = 6
# Nobody books more than this on one day, whatever the plan says.
DAY_CAP_MINUTES = 9 * 60
QUARTER_HOUR = 15
MAX_TASKS_A_WEEK = 8
CONSULTANT_NAME = "Marc Olivier (Orbis Consulting)"
CONSULTANT_DAY_RATE = Decimal(850)
VAT = Decimal(20)
# Projects the contracts go to when the demo has them (the small demo); others otherwise.
FIXED_PRICE_PROJECTS = ("DIG-CRM",)
TIME_AND_MATERIALS_PROJECTS = ("DIG-DATA",)
POUND_PROJECTS = ("OPS-WMS",)
DISPUTE_PROJECTS = ("DIG-DCEXIT",)
EXPENSE_PROJECTS = ("DIG-UKWEB", "OPS-FLEET", "REG-S4", "DIG-CRM")
# Earned value records are taken at this many month-ends; the large demo records them for at
# most this many projects, to stay quick.
EARNED_VALUE_MONTHS = 4
EARNED_VALUE_PROJECT_LIMIT = 60
# The cost baseline is this share of the approved budget; the rest is contingency.
BASELINE_SHARE = Decimal("0.9")
# Actual cost over earned value before the timesheet weeks, by health: what the ERP booked.
COST_EFFICIENCY: dict[str, tuple[float, float]] = {
    HealthRag.GREEN: (0.94, 1.03),
    HealthRag.AMBER: (1.05, 1.12),
    HealthRag.RED: (1.12, 1.24),
}


@dataclass(frozen=True)
class FinanceSummary:
    """How much of each kind of record the demo's money made."""

    exchange_rates: int
    budgets: int
    cost_baselines: int
    timesheets: int
    approved_timesheets: int
    expenses: int
    suppliers: int
    contracts: int
    invoices: int
    held_invoices: int
    earned_value_records: int


# Dates ----------------------------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=month_calendar.monthrange(day.year, day.month)[1])


def _previous_month(day: dt.date) -> dt.date:
    return (_month_start(day) - dt.timedelta(days=1)).replace(day=1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months: list[dt.date] = []
    month = _month_start(first)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _manager(project: Project) -> User:
    """The project's manager (every planned project of the demo has one)."""
    manager = project.manager
    assert manager is not None, project.code
    return manager


# Budgets --------------------------------------------------------------------------------------


def _weights(count: int, profile: str) -> list[float]:
    if profile == "bell":
        return [0.35 + math.sin(math.pi * (index + 0.5) / count) for index in range(count)]
    if profile == "early":
        cut = max(1, math.ceil(count * 0.4))
        return [1.0 if index < cut else 0.15 for index in range(count)]
    return [1.0] * count


def _spread(total: Decimal, weights: Sequence[float]) -> list[Decimal]:
    """``total`` in whole units over ``weights``; the last part takes the rounding (never
    negative: the others are rounded down)."""
    whole = sum(weights)
    parts = [Decimal(math.floor(float(total) * weight / whole)) for weight in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _budget_rows(
    project: Project, total: Decimal, categories: Mapping[str, CostCategory]
) -> dict[tuple[str, str, dt.date], Decimal]:
    """The project's budget phased by month over its dates and split by category."""
    assert project.start_date is not None
    finish = project.finish_date or project.start_date
    months = _months(project.start_date, finish)
    total = total.quantize(Decimal(1))
    shares = [total * share for _code, _type, share, _profile in BUDGET_SPLIT]
    amounts = [value.quantize(Decimal(1)) for value in shares[:-1]]
    amounts.append(total - sum(amounts, Decimal(0)))
    rows: dict[tuple[str, str, dt.date], Decimal] = {}
    for (code, expense_type, _share, profile), amount in zip(BUDGET_SPLIT, amounts, strict=True):
        if code not in categories:
            continue
        for month, value in zip(
            months, _spread(amount, _weights(len(months), profile)), strict=True
        ):
            if value > 0:
                rows[(code, expense_type, month)] = value
    return rows


def _as_lines(
    rows: Mapping[tuple[str, str, dt.date], Decimal], categories: Mapping[str, CostCategory]
) -> list[budget_services.BudgetRow]:
    return [
        budget_services.BudgetRow(categories[code], expense_type, month, amount)
        for (code, expense_type, month), amount in sorted(rows.items())
        if amount > 0
    ]


def _added_to_remaining(
    rows: Mapping[tuple[str, str, dt.date], Decimal],
    extra: Decimal,
    from_month: dt.date,
    codes: Sequence[tuple[str, Decimal]],
) -> dict[tuple[str, str, dt.date], Decimal]:
    """``rows`` with ``extra`` spread over the months from ``from_month`` on (the last month
    when the project is over), split over ``codes`` (category, share)."""
    changed = dict(rows)
    months = sorted({month for _code, _type, month in rows})
    remaining = [month for month in months if month >= from_month] or months[-1:]
    types = {code: expense_type for code, expense_type, _month in rows}
    parts = _spread(extra, [float(share) for _code, share in codes])
    for (code, _share), part in zip(codes, parts, strict=True):
        if code not in types:
            continue
        for month, value in zip(remaining, _spread(part, [1.0] * len(remaining)), strict=True):
            key = (code, types[code], month)
            changed[key] = changed.get(key, Decimal(0)) + value
    return changed


def _scaled_from(
    rows: Mapping[tuple[str, str, dt.date], Decimal], from_month: dt.date, factor: Decimal
) -> dict[tuple[str, str, dt.date], Decimal]:
    return {
        key: (value * factor).quantize(Decimal(1)) if key[2] >= from_month else value
        for key, value in rows.items()
    }


class _Budgets:
    """Drafts, submissions and approvals of the demo's budgets."""

    def __init__(
        self,
        finance: User,
        categories: Mapping[str, CostCategory],
        today: dt.date,
        rng: random.Random,
    ) -> None:
        self.finance = finance
        self.categories = categories
        self.today = today
        self.rng = rng
        self.count = 0

    def _version(
        self,
        project: Project,
        kind: str,
        name: str,
        rows: Mapping[tuple[str, str, dt.date], Decimal],
        notes: str = "",
    ) -> Budget:
        manager = _manager(project)
        budget = budget_services.budget_create(
            actor=manager, project=project, kind=kind, name=name, notes=notes
        )
        budget_services.budget_lines_replace(
            actor=manager, budget=budget, rows=_as_lines(rows, self.categories)
        )
        self.count += 1
        return budget

    def _approved(
        self,
        project: Project,
        name: str,
        rows: Mapping[tuple[str, str, dt.date], Decimal],
        comment: str,
        notes: str = "",
    ) -> Budget:
        budget = self._version(project, BudgetKind.APPROVED, name, rows, notes)
        budget_services.budget_submit(actor=_manager(project), budget=budget)
        budget_services.budget_approve(actor=self.finance, budget=budget, comment=comment)
        return budget

    def build(self, project: Project, *, reapproved: bool, forecast: bool) -> None:
        total = project.budget or Decimal(100_000)
        rows = _budget_rows(project, total, self.categories)
        if not rows:
            return
        self._approved(
            project,
            "Budget at project approval",
            rows,
            "Approved at the investment committee.",
        )
        # The first approved version is also kept as the original budget.
        self.count += 1
        this_month = _month_start(self.today)
        if reapproved:
            increase = Decimal(self.rng.randint(8, 15)) / 100
            extra = (total * increase).quantize(Decimal(1))
            rows = _added_to_remaining(
                rows, extra, this_month, (("LAB-INT", Decimal("0.6")), ("EXT-SVC", Decimal("0.4")))
            )
            self._approved(
                project,
                "Re-approved after the change request",
                rows,
                f"Overrun of {increase:.0%} accepted by the steering committee.",
                notes="More integration work and a longer test phase than planned.",
            )
        if forecast:
            factor = Decimal(self.rng.choice((96, 103, 105, 107))) / 100
            self._version(
                project,
                BudgetKind.FORECAST,
                "Forecast to completion",
                _scaled_from(rows, this_month, factor),
                notes="Draft for the next review: remaining months re-estimated.",
            )


# People who sign in ----------------------------------------------------------------------------


def _team_member_logins(admin: User, pmo: User) -> dict[int, User]:
    """Create the users of the staff members who sign in, link them to their resources and give
    them the team member role on their projects; returns {resource id: user}."""
    linked: dict[int, User] = {}
    for username, name in TEAM_MEMBERS:
        resource = Resource.objects.filter(name=name, is_generic=False).first()
        if resource is None:
            continue
        first_name, last_name = name.split(" ", 1)
        user = account_services.user_create(
            actor=admin,
            username=username,
            password=data.DEMO_PASSWORD,
            email=f"{username}@{data.EMAIL_DOMAIN}",
            first_name=first_name,
            last_name=last_name,
        )
        resource_services.resource_update(actor=pmo, resource=resource, user=user)
        projects = Project.objects.filter(assignments__resource=resource).distinct()
        for project in projects.order_by("code"):
            account_services.membership_create(
                actor=admin, user=user, role=Role.TEAM_MEMBER, project=project
            )
        linked[resource.pk] = user
    return linked


# Timesheets -------------------------------------------------------------------------------------


def _span(assignment: Assignment) -> tuple[dt.date, dt.date] | None:
    start = assignment.start or assignment.task.start
    finish = assignment.finish or assignment.task.finish or start
    if start is None or finish is None:
        return None
    return start.date(), finish.date()


class _Timesheets:
    """Fills, submits and approves the people's weekly timesheets."""

    def __init__(
        self,
        pmo: User,
        logins: Mapping[int, User],
        today: dt.date,
        rng: random.Random,
    ) -> None:
        self.pmo = pmo
        self.logins = logins
        self.today = today
        self.rng = rng
        self.monday = _monday(today)
        self.first = self.monday - dt.timedelta(weeks=TIMESHEET_WEEKS)
        self.calendars = CompiledCalendars(self.first, self.monday + dt.timedelta(days=7))
        self.count = 0
        self.approved = 0

    def _working(self, resource: Resource, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        minutes = self.calendars.daily(resource.calendar_id, TIMESHEET_WEEKS * 7 + 7)
        return bool(minutes[(day - self.first).days] > 0)

    def rows(
        self, resource: Resource, week_start: dt.date, exact: bool = False
    ) -> list[timesheet_services.TimesheetRow]:
        """The week's time: each assignment's planned minutes on its working days, with a
        little noise, at most a long day in all; ``exact``: eight hours on each working day
        (a consultant billing full days)."""
        grid = timesheet_services.timesheet_grid(resource=resource, week_start=week_start)
        last_day = min(week_start + dt.timedelta(days=6), self.today)
        minutes: dict[int, dict[dt.date, int]] = {}
        tasks: dict[int, Task] = {}
        planned = [row for row in grid.rows if row.planned_minutes and row.assignment]
        # Someone booked on many tasks at once spends the week on the biggest few.
        planned.sort(key=lambda row: (-(row.planned_minutes or 0), row.task.pk))
        for row in planned[:MAX_TASKS_A_WEEK]:
            assert row.planned_minutes is not None
            assert row.assignment is not None
            span = _span(row.assignment)
            if span is None:
                continue
            weekdays = [
                day
                for day in timesheet_services.week_days(week_start)
                if day.weekday() < 5 and span[0] <= day <= span[1]
            ]
            if not weekdays:
                continue
            per_day = row.planned_minutes / len(weekdays)
            for day in weekdays:
                if day > last_day or not self._working(resource, day):
                    continue
                if exact:
                    value = 8 * 60
                else:
                    noise = self.rng.uniform(0.8, 1.1)
                    value = round(per_day * noise / QUARTER_HOUR) * QUARTER_HOUR
                if value > 0:
                    minutes.setdefault(row.task.pk, {})[day] = value
                    tasks[row.task.pk] = row.task
        cap = 8 * 60 if exact else DAY_CAP_MINUTES
        totals: dict[dt.date, int] = defaultdict(int)
        for days in minutes.values():
            for day, value in days.items():
                totals[day] += value
        for days in minutes.values():
            for day, value in list(days.items()):
                if totals[day] > cap:
                    days[day] = max(
                        QUARTER_HOUR,
                        int(value * cap / totals[day]) // QUARTER_HOUR * QUARTER_HOUR,
                    )
        return [
            timesheet_services.TimesheetRow(task=tasks[pk], days=days)
            for pk, days in minutes.items()
            if days
        ]

    def filler(self, resource: Resource) -> User:
        return self.logins.get(resource.pk, self.pmo)

    def approver(self, timesheet: Timesheet) -> User:
        """The manager of the timesheet's projects when there is one, else the portfolio
        manager, else the PMO."""
        ids = set(timesheet.entries.values_list("project_id", flat=True))
        projects = list(
            Project.objects.filter(pk__in=ids)
            .select_related("manager", "portfolio__owner")
            .order_by("code")
        )
        candidates: list[User] = []
        managers = {project.manager_id for project in projects}
        if len(managers) == 1 and projects[0].manager is not None:
            candidates.append(projects[0].manager)
        owners = {project.portfolio.owner_id for project in projects}
        if len(owners) == 1 and projects and projects[0].portfolio.owner is not None:
            candidates.append(projects[0].portfolio.owner)
        for candidate in candidates:
            if timesheet_services.may_approve(candidate, timesheet):
                return candidate
        return self.pmo

    def fill(
        self,
        resource: Resource,
        week_start: dt.date,
        status: str,
        rows: Sequence[timesheet_services.TimesheetRow],
    ) -> Timesheet | None:
        if not rows:
            return None
        actor = self.filler(resource)
        timesheet = timesheet_services.timesheet_get_or_create(
            actor=actor, resource=resource, week_start=week_start
        )
        timesheet_services.timesheet_save(actor=actor, timesheet=timesheet, rows=rows)
        self.count += 1
        if status == TimesheetStatus.DRAFT:
            return timesheet
        timesheet_services.timesheet_submit(actor=actor, timesheet=timesheet)
        if status == TimesheetStatus.APPROVED:
            approver = self.approver(timesheet)
            timesheet_services.timesheet_approve(actor=approver, timesheet=timesheet)
            self.approved += 1
        return timesheet

    def people(self) -> list[Resource]:
        """Everyone with an assignment overlapping the weeks of timesheets."""
        last = self.monday + dt.timedelta(days=6)
        found: dict[int, Resource] = {}
        assignments = Assignment.objects.filter(
            resource__kind=ResourceKind.WORK, resource__is_generic=False, resource__is_active=True
        ).select_related("task", "resource")
        for assignment in assignments:
            span = _span(assignment)
            if span is not None and span[0] <= last and span[1] >= self.first:
                found[assignment.resource_id] = assignment.resource
        return sorted(found.values(), key=lambda resource: (resource.name, resource.pk))

    def build(self, consultant: Resource | None) -> None:
        people = self.people()
        weeks = [
            self.monday - dt.timedelta(weeks=offset) for offset in range(TIMESHEET_WEEKS, 0, -1)
        ]
        previous = weeks[-1]
        time: dict[tuple[int, dt.date], list[timesheet_services.TimesheetRow]] = {}
        for person in people:
            exact = consultant is not None and person.pk == consultant.pk
            for week_start in [*weeks, self.monday]:
                time[(person.pk, week_start)] = self.rows(person, week_start, exact)
        # Last week, a few people have not filled in their timesheet and a few wait for their
        # manager; staff who sign in and the consultant (whose time is invoiced) are up to date.
        ordinary = [
            person
            for person in people
            if person.pk not in self.logins
            and (consultant is None or person.pk != consultant.pk)
            and time[(person.pk, previous)]
        ]
        picked = self.rng.sample(ordinary, k=min(len(ordinary), 6))
        missing = {person.pk for person in picked[:3]}
        waiting = {person.pk for person in picked[3:6]}
        drafting = {person.pk for person in people if self.rng.random() < 0.5}
        drafting.update(self.logins)
        for person in people:
            for week_start in weeks:
                if week_start == previous and person.pk in missing:
                    continue
                status = (
                    TimesheetStatus.SUBMITTED
                    if week_start == previous and person.pk in waiting
                    else TimesheetStatus.APPROVED
                )
                self.fill(person, week_start, status, time[(person.pk, week_start)])
            if person.pk in drafting:
                this_week = time[(person.pk, self.monday)]
                self.fill(person, self.monday, TimesheetStatus.DRAFT, this_week)


def _progress_project(projects: Sequence[Project], first: dt.date, last: dt.date) -> Project | None:
    """The project whose approved time will drive progress: a project in execution with staffed
    work in the weeks of timesheets, and as little of it started before them as possible (all
    the actual work of a task is then timesheeted)."""
    best: tuple[int, int, str] | None = None
    chosen: Project | None = None
    for project in projects:
        if project.phase != ProjectPhase.EXECUTION:
            continue
        spans = [
            span
            for assignment in Assignment.objects.filter(
                project=project, resource__is_generic=False
            ).select_related("task")
            if (span := _span(assignment)) is not None and span[0] <= last and span[1] >= first
        ]
        if not spans:
            continue
        early = sum(1 for start, _finish in spans if start < first)
        key = (early, -len(spans), project.code)
        if best is None or key < best:
            best, chosen = key, project
    return chosen


# Contracts and invoices -----------------------------------------------------------------------


def _pick(
    projects: Sequence[Project],
    preferred: Sequence[str],
    taken: set[int],
    fits: Any,
) -> Project | None:
    by_code = {project.code: project for project in projects}
    ordered = [by_code[code] for code in preferred if code in by_code]
    ordered += [project for project in projects if project.code not in preferred]
    for project in ordered:
        if project.pk not in taken and fits(project):
            taken.add(project.pk)
            return project
    return None


def _leaves(project: Project) -> list[Task]:
    return list(
        Task.objects.filter(
            project=project, is_summary=False, is_active=True, start__isnull=False
        ).order_by("start", "position")
    )


def _finished(task: Task) -> bool:
    return task.actual_finish is not None or task.percent_complete >= 100


class _Suppliers:
    """The suppliers, their contracts and their invoices."""

    def __init__(
        self,
        finance: User,
        pmo: User,
        today: dt.date,
        rng: random.Random,
    ) -> None:
        self.finance = finance
        self.pmo = pmo
        self.today = today
        self.rng = rng
        self.monday = _monday(today)
        self.first = self.monday - dt.timedelta(weeks=TIMESHEET_WEEKS)
        self.year = today.year
        self.suppliers: dict[str, Supplier] = {}
        self.contracts: list[Contract] = []
        self.invoices: list[Invoice] = []
        self.consultant: Resource | None = None
        self.rate_line: RateCardLine | None = None
        self.time_project: Project | None = None

    def _recent(self, days: int) -> dt.date:
        """A date ``days`` ago, never before the Monday of last week (so never in a closed
        month) and never before the start of the weeks of timesheets."""
        return max(self.today - dt.timedelta(days=days), self.monday - dt.timedelta(weeks=1))

    def create_suppliers(self) -> None:
        rows = (
            (
                "NOVACOM",
                "Novacom Intégration SAS",
                "FR",
                Currency.EUR,
                "FR61412345678",
                "factures@novacom.example",
            ),
            (
                "ORBIS",
                "Orbis Consulting SARL",
                "FR",
                Currency.EUR,
                "FR27501234567",
                "billing@orbis.example",
            ),
            (
                "BRIGHTWATER",
                "Brightwater Automation Ltd",
                "GB",
                Currency.GBP,
                "GB123456789",
                "accounts@brightwater.example",
            ),
            (
                "HEXACOM",
                "Hexacom Réseaux",
                "FR",
                Currency.EUR,
                "FR83389123456",
                "compta@hexacom.example",
            ),
        )
        for code, name, country, currency, vat, email in rows:
            self.suppliers[code] = contract_services.supplier_create(
                actor=self.finance,
                code=code,
                name=name,
                country=country,
                currency=currency,
                vat_number=vat,
                email=email,
            )

    # The consultant -------------------------------------------------------------------------

    def _covering_tasks(self, project: Project) -> list[Task]:
        """Leaf tasks (no milestone) that together cover the weeks of timesheets."""
        last = self.monday - dt.timedelta(days=1)
        tasks = [
            task
            for task in _leaves(project)
            if not task.is_milestone
            and not task.duration_unit.startswith("e")
            and task.finish is not None
            and task.start.date() <= last
            and task.finish.date() >= self.first
        ]
        chosen: list[Task] = []
        day = self.first
        while day <= last:
            options = [t for t in tasks if t.start.date() <= day <= t.finish.date()]
            if not options:
                day += dt.timedelta(days=1)
                continue
            task = max(options, key=lambda t: (t.finish, -t.pk))
            if task not in chosen:
                chosen.append(task)
            day = task.finish.date() + dt.timedelta(days=1)
        return chosen

    def time_and_materials(self, projects: Sequence[Project], taken: set[int]) -> None:
        project = _pick(
            projects,
            TIME_AND_MATERIALS_PROJECTS,
            taken,
            lambda candidate: (
                candidate.phase == ProjectPhase.EXECUTION
                and len(self._covering_tasks(candidate)) >= 1
            ),
        )
        if project is None:
            return
        tasks = self._covering_tasks(project)
        plan_calendar = WorkCalendar.objects.filter(project__isnull=True).order_by("pk").first()
        role = JobRole.objects.filter(name="Data engineer").first()
        # He works within the data team, whose department follows his time.
        team = Team.objects.filter(name="Data and analytics").select_related("department").first()
        consultant = resource_services.resource_create(
            actor=self.pmo,
            name=CONSULTANT_NAME,
            email="marc.olivier@orbis.example",
            role=role,
            team=team,
            department=team.department if team is not None else None,
            calendar=plan_calendar,
            standard_rate=CONSULTANT_DAY_RATE,
            standard_rate_unit="d",
            notes="External consultant, time and materials contract with Orbis Consulting.",
        )
        resource_services.assignments_add(
            actor=_manager(project),
            project=project,
            rows=[(task, consultant, Decimal(1)) for task in tasks],
        )
        contract = contract_services.contract_create(
            actor=self.finance,
            project=project,
            supplier=self.suppliers["ORBIS"],
            number=f"C-{self.year}-{self.rng.randint(100, 199)}",
            title="Data engineering support, time and materials",
            kind=ContractKind.TIME_AND_MATERIALS,
            currency=Currency.EUR,
            value=Decimal(120_000),
            start_date=self.first - dt.timedelta(weeks=2),
            end_date=self.monday + dt.timedelta(weeks=26),
            signed_on=self.first - dt.timedelta(weeks=3),
        )
        self.rate_line = contract_services.rate_line_create(
            actor=self.finance,
            contract=contract,
            rate=CONSULTANT_DAY_RATE,
            unit="d",
            resource=consultant,
            description="Senior data engineer",
        )
        contract_services.purchase_order_create(
            actor=self.finance,
            contract=contract,
            number=f"PO-{self.year}-{self.rng.randint(4000, 4999)}",
            issued_on=self.first - dt.timedelta(weeks=2),
            amount=Decimal(60_000),
            description="First six months of data engineering support",
        )
        self.contracts.append(contract)
        self.consultant = consultant
        self.time_project = project

    def _approved_days(self, first: dt.date, last: dt.date) -> Decimal:
        assert self.consultant is not None
        assert self.time_project is not None
        minutes = sum(
            TimesheetEntry.objects.filter(
                project=self.time_project,
                timesheet__resource=self.consultant,
                timesheet__status=TimesheetStatus.APPROVED,
                date__gte=first,
                date__lte=last,
            ).values_list("minutes", flat=True)
        )
        # Suppliers bill half days.
        return Decimal(minutes // 240) / 2

    def time_and_materials_invoices(self) -> None:
        """Four invoices from Orbis: one right, one at a higher day rate, one with more days
        than approved, one re-using the first one's number."""
        project, contract = self.time_project, self.rate_line.contract if self.rate_line else None
        if self.consultant is None or project is None or contract is None:
            return
        supplier = self.suppliers["ORBIS"]
        periods = [
            (
                self.first + dt.timedelta(weeks=index * 2),
                self.first + dt.timedelta(weeks=index * 2 + 2, days=-1),
            )
            for index in range(3)
        ]

        def line(period: tuple[dt.date, dt.date], days: Decimal, price: Decimal) -> dict[str, Any]:
            return {
                "description": (
                    f"Data engineering, {period[0]:%d %b} to {period[1]:%d %b %Y}: {days} days"
                ),
                "rate_line": self.rate_line,
                "resource": self.consultant,
                "period_start": period[0],
                "period_end": period[1],
                "quantity": days,
                "unit_price": price,
                "tax_rate": VAT,
            }

        def register(
            number: str, issued: dt.date, received: dt.date, lines: list[dict[str, Any]]
        ) -> Invoice:
            invoice = invoice_services.invoice_register(
                actor=self.finance,
                supplier=supplier,
                project=project,
                contract=contract,
                number=number,
                issue_date=issued,
                received_on=received,
                due_date=issued + dt.timedelta(days=30),
                currency=contract.currency,
                lines=lines,
            )
            self.invoices.append(invoice)
            return invoice

        base = self.rng.randint(1200, 1400)
        first_number = f"ORB-{self.year}-{base}"
        days = [self._approved_days(*period) for period in periods]
        if days[0] > 0:
            first_issued = periods[0][1] + dt.timedelta(days=3)
            first = register(
                first_number,
                first_issued,
                first_issued + dt.timedelta(days=2),
                [line(periods[0], days[0], CONSULTANT_DAY_RATE)],
            )
            if first.status == InvoiceStatus.MATCHED:
                invoice_services.invoice_approve(
                    actor=self.finance,
                    invoice=first,
                    comment="Days agree with the approved timesheets.",
                )
        if days[1] > 0:
            issued = self._recent(6)
            register(
                f"ORB-{self.year}-{base + 17}",
                issued,
                self._recent(4),
                [line(periods[1], days[1], CONSULTANT_DAY_RATE + Decimal(70))],
            )
        if days[2] > 0:
            issued = self._recent(4)
            register(
                f"ORB-{self.year}-{base + 31}",
                issued,
                self._recent(2),
                [line(periods[2], days[2] + Decimal(4), CONSULTANT_DAY_RATE)],
            )
        if days[0] > 0:
            # The first invoice sent again (same number and date) with the accounts' reminder.
            first_issued = periods[0][1] + dt.timedelta(days=3)
            register(
                first_number,
                first_issued,
                self._recent(1),
                [line(periods[0], days[0], CONSULTANT_DAY_RATE)],
            )

    # Fixed price ------------------------------------------------------------------------------

    def fixed_price(self, projects: Sequence[Project], taken: set[int]) -> None:
        """Deliverables and payment milestones on the plan's tasks; the first paid, the second
        billed before its deliverable is accepted."""

        def fits(candidate: Project) -> bool:
            if candidate.phase != ProjectPhase.EXECUTION:
                return False
            leaves = [task for task in _leaves(candidate) if not task.is_milestone]
            return any(_finished(task) for task in leaves) and any(
                not _finished(task) and task.percent_complete > 0 for task in leaves
            )

        project = _pick(projects, FIXED_PRICE_PROJECTS, taken, fits)
        if project is None:
            return
        leaves = [task for task in _leaves(project) if not task.is_milestone]
        done = [task for task in leaves if _finished(task)]
        first_task = max(done, key=lambda task: (task.finish or task.start, task.pk))
        started = [task for task in leaves if not _finished(task) and task.percent_complete > 0]
        second_task = min(started, key=lambda task: (task.finish or task.start, task.pk))
        later = [task for task in leaves if task.percent_complete == 0]
        third_task = max(later, key=lambda task: (task.finish or task.start, task.pk), default=None)
        value = (project.budget or Decimal(500_000)) * Decimal("0.2")
        value = (value / 1000).quantize(Decimal(1)) * 1000
        assert first_task.start is not None
        contract = contract_services.contract_create(
            actor=self.finance,
            project=project,
            supplier=self.suppliers["NOVACOM"],
            number=f"C-{self.year}-{self.rng.randint(200, 299)}",
            title="Integration work package, fixed price",
            kind=ContractKind.FIXED_PRICE,
            currency=project.currency,
            value=value,
            start_date=first_task.start.date() - dt.timedelta(weeks=2),
            end_date=(third_task or second_task).finish.date()
            if (third_task or second_task).finish
            else None,
            signed_on=first_task.start.date() - dt.timedelta(weeks=3),
        )
        manager = _manager(project)
        amounts = [
            (value * Decimal("0.3")).quantize(Decimal(1)),
            (value * Decimal("0.4")).quantize(Decimal(1)),
        ]
        amounts.append(value - sum(amounts, Decimal(0)))
        first_deliverable = contract_services.deliverable_create(
            actor=self.finance,
            contract=contract,
            name=f"{first_task.name}: delivery and acceptance report",
            task=first_task,
            due_date=first_task.finish.date() if first_task.finish else None,
        )
        second_deliverable = contract_services.deliverable_create(
            actor=self.finance,
            contract=contract,
            name=f"{second_task.name}: test report",
            task=second_task,
            due_date=second_task.finish.date() if second_task.finish else None,
        )
        milestones = [
            contract_services.milestone_create(
                actor=self.finance,
                contract=contract,
                name="Milestone 1: first delivery accepted",
                amount=amounts[0],
                due_date=first_deliverable.due_date,
                task=first_task,
                deliverable=first_deliverable,
            ),
            contract_services.milestone_create(
                actor=self.finance,
                contract=contract,
                name="Milestone 2: tests passed",
                amount=amounts[1],
                due_date=second_deliverable.due_date,
                task=second_task,
                deliverable=second_deliverable,
            ),
        ]
        if third_task is not None:
            contract_services.milestone_create(
                actor=self.finance,
                contract=contract,
                name="Milestone 3: final acceptance",
                amount=amounts[2],
                due_date=third_task.finish.date() if third_task.finish else None,
                task=third_task,
            )
        order = contract_services.purchase_order_create(
            actor=self.finance,
            contract=contract,
            number=f"PO-{self.year}-{self.rng.randint(5000, 5999)}",
            issued_on=contract.signed_on or contract.start_date or self.first,
            amount=value,
            description=contract.title,
        )
        contract_services.deliverable_submit(
            actor=manager, deliverable=first_deliverable, note="Handed over by the supplier."
        )
        contract_services.deliverable_accept(
            actor=manager,
            deliverable=first_deliverable,
            note="Checked against the acceptance criteria: all passed.",
        )
        contract_services.deliverable_submit(
            actor=manager,
            deliverable=second_deliverable,
            note="Test report received; the retest of two defects is still open.",
        )
        self.contracts.append(contract)
        finished_on = first_task.finish.date() if first_task.finish else self.first
        issued = min(max(finished_on + dt.timedelta(days=5), self.first), self.monday)
        paid = invoice_services.invoice_register(
            actor=self.finance,
            supplier=self.suppliers["NOVACOM"],
            project=project,
            contract=contract,
            purchase_order=order,
            number=f"NOV-{self.year}-{self.rng.randint(300, 399):04d}",
            issue_date=issued,
            received_on=issued + dt.timedelta(days=2),
            due_date=issued + dt.timedelta(days=45),
            currency=contract.currency,
            lines=[
                {
                    "description": milestones[0].name,
                    "milestone": milestones[0],
                    "quantity": Decimal(1),
                    "unit_price": milestones[0].amount,
                    "tax_rate": VAT,
                }
            ],
        )
        self.invoices.append(paid)
        if paid.status == InvoiceStatus.MATCHED:
            invoice_services.invoice_approve(
                actor=self.finance, invoice=paid, comment="Deliverable accepted: pay on due date."
            )
            invoice_services.invoice_pay(
                actor=self.finance,
                invoice=paid,
                paid_on=min(issued + dt.timedelta(days=30), self.today),
                payment_reference=f"VIR-{paid.number}",
            )
        early = self._recent(5)
        self.invoices.append(
            invoice_services.invoice_register(
                actor=self.finance,
                supplier=self.suppliers["NOVACOM"],
                project=project,
                contract=contract,
                purchase_order=order,
                number=f"NOV-{self.year}-{self.rng.randint(400, 499):04d}",
                issue_date=early,
                received_on=self._recent(3),
                due_date=early + dt.timedelta(days=45),
                currency=contract.currency,
                lines=[
                    {
                        "description": milestones[1].name,
                        "milestone": milestones[1],
                        "quantity": Decimal(1),
                        "unit_price": milestones[1].amount,
                        "tax_rate": VAT,
                    }
                ],
            )
        )

    # In pounds --------------------------------------------------------------------------------

    def in_pounds(self, projects: Sequence[Project], taken: set[int]) -> None:
        """A fixed-price contract in pounds whose milestone's task is done: the invoice
        matches once converted at the exchange rate of its date."""

        def fits(candidate: Project) -> bool:
            return candidate.currency != Currency.GBP and any(
                _finished(task) and not task.is_milestone for task in _leaves(candidate)
            )

        project = _pick(projects, POUND_PROJECTS, taken, fits)
        if project is None:
            return
        task = max(
            (task for task in _leaves(project) if _finished(task) and not task.is_milestone),
            key=lambda task: (task.finish or task.start, task.pk),
        )
        assert task.start is not None
        contract = contract_services.contract_create(
            actor=self.finance,
            project=project,
            supplier=self.suppliers["BRIGHTWATER"],
            number=f"C-{self.year}-{self.rng.randint(300, 399)}",
            title="Control software commissioning, fixed price",
            kind=ContractKind.FIXED_PRICE,
            currency=Currency.GBP,
            value=Decimal(84_000),
            start_date=task.start.date() - dt.timedelta(weeks=4),
            signed_on=task.start.date() - dt.timedelta(weeks=5),
        )
        milestone = contract_services.milestone_create(
            actor=self.finance,
            contract=contract,
            name=f"Commissioning: {task.name}",
            amount=Decimal(36_000),
            due_date=task.finish.date() if task.finish else None,
            task=task,
        )
        contract_services.milestone_create(
            actor=self.finance,
            contract=contract,
            name="Warranty period ended",
            amount=Decimal(48_000),
            due_date=self.monday + dt.timedelta(weeks=20),
        )
        self.contracts.append(contract)
        issued = self._recent(7)
        self.invoices.append(
            invoice_services.invoice_register(
                actor=self.finance,
                supplier=self.suppliers["BRIGHTWATER"],
                project=project,
                contract=contract,
                number=f"BWA-{self.rng.randint(10000, 19999)}",
                issue_date=issued,
                received_on=self._recent(5),
                due_date=issued + dt.timedelta(days=30),
                currency=Currency.GBP,
                lines=[
                    {
                        "description": milestone.name,
                        "milestone": milestone,
                        "quantity": Decimal(1),
                        "unit_price": milestone.amount,
                        "tax_rate": Decimal(0),
                    }
                ],
            )
        )

    # A dispute --------------------------------------------------------------------------------

    def disputed(self, projects: Sequence[Project], taken: set[int]) -> None:
        """Network equipment billed without a contract, for more than was delivered: disputed,
        with the manager's answer in the thread."""
        project = _pick(
            projects,
            DISPUTE_PROJECTS,
            taken,
            lambda candidate: candidate.phase == ProjectPhase.EXECUTION,
        )
        if project is None:
            return
        issued = self._recent(9)
        invoice = invoice_services.invoice_register(
            actor=self.finance,
            supplier=self.suppliers["HEXACOM"],
            project=project,
            number=f"HX-{self.rng.randint(70000, 79999)}",
            issue_date=issued,
            received_on=self._recent(6),
            due_date=issued + dt.timedelta(days=30),
            currency=Currency.EUR,
            lines=[
                {
                    "description": "48-port access switches",
                    "quantity": Decimal(48),
                    "unit_price": Decimal("1240.00"),
                    "tax_rate": VAT,
                },
                {
                    "description": "Installation and configuration",
                    "quantity": Decimal(3),
                    "unit_price": Decimal("950.00"),
                    "tax_rate": VAT,
                },
            ],
        )
        invoice_services.invoice_dispute(
            actor=self.finance,
            invoice=invoice,
            comment=(
                "The invoice bills 48 switches; the delivery note signed on site shows 40. "
                "We have asked Hexacom for a credit note of 8 switches."
            ),
        )
        invoice_services.invoice_comment(
            actor=_manager(project),
            invoice=invoice,
            text=(
                "Confirmed: 40 switches received, the other 8 are back-ordered. Hexacom will "
                "send a corrected invoice; please do not pay this one."
            ),
        )
        self.invoices.append(invoice)


# Expenses --------------------------------------------------------------------------------------


def _expenses(
    projects: Sequence[Project],
    categories: Mapping[str, CostCategory],
    today: dt.date,
    rng: random.Random,
) -> int:
    started = [
        project
        for project in projects
        if project.phase in (ProjectPhase.EXECUTION, ProjectPhase.CLOSING)
    ]
    by_code = {project.code: project for project in started}
    chosen = [by_code[code] for code in EXPENSE_PROJECTS if code in by_code]
    chosen += [project for project in started if project not in chosen]
    made = 0
    items = (
        ("TRAVEL", "Train and hotel, workshop with the key users", 640, 1480),
        ("SW-LIC", "Annual licences, test automation tool", 4200, 9600),
        ("TRAVEL", "Site visit with the supplier", 380, 1150),
        ("TRAIN", "Training course for the project team", 1800, 3600),
        ("SW-LIC", "Cloud subscription, development environments", 900, 2400),
    )
    monday = _monday(today)
    for number, project in enumerate(chosen[:4]):
        assert project.start_date is not None
        for index in range(2):
            code, description, low, high = items[(number + index) % len(items)]
            day = monday - dt.timedelta(days=rng.randint(3, 55))
            day = max(day, project.start_date)
            if day > today:
                continue
            cost_services.actual_cost_create(
                actor=_manager(project),
                project=project,
                incurred_on=day,
                amount=Decimal(rng.randint(low, high)),
                category=categories.get(code),
                reference=f"NDF-{day:%y%m}-{rng.randint(100, 999)}",
                description=description,
            )
            made += 1
    return made


# Earned value -----------------------------------------------------------------------------------


def _earned_value(finance: User, projects: Sequence[Project], today: dt.date) -> int:
    """Status reports of the last month-ends, as the project managers recorded them then: the
    plan and the ledger give planned value and actual cost on each date, and the work done
    then is the planned value at the project's schedule performance of today."""
    month_ends: list[dt.date] = []
    month = _previous_month(today)
    for _ in range(EARNED_VALUE_MONTHS):
        month_ends.append(_month_end(month))
        month = _previous_month(month)
    recorded = 0
    for project in projects[:EARNED_VALUE_PROJECT_LIMIT]:
        now = project_earned_value(project, as_of=today)
        if not now.computed or not now.planned_value or now.earned_value is None:
            continue
        pace = min(max(now.earned_value / now.planned_value, Decimal("0.5")), Decimal("1.1"))
        for as_of in sorted(month_ends):
            if project.start_date is None or as_of < project.start_date:
                continue
            then = project_earned_value(project, as_of=as_of)
            if not then.computed or then.planned_value is None or then.actual_cost is None:
                continue
            earned = min(then.planned_value * pace, now.earned_value).quantize(Decimal("0.01"))
            estimate = (
                (then.budget_at_completion * then.actual_cost / earned).quantize(Decimal("0.01"))
                if earned and then.budget_at_completion is not None
                else None
            )
            create_audited(
                actor=finance,
                instance=EarnedValueRecord(
                    project=project,
                    as_of=as_of,
                    planned_value=then.planned_value,
                    earned_value=earned,
                    actual_cost=then.actual_cost,
                    budget_at_completion=then.budget_at_completion,
                    estimate_at_completion=estimate,
                    currency=then.currency,
                    recorded_by=_manager(project),
                ),
            )
            recorded += 1
    return recorded


# The whole ----------------------------------------------------------------------------------


def _fixed_costs(projects: Sequence[Project], today: dt.date) -> None:
    """Give the leaf tasks fixed costs (suppliers, licences, hardware) so that the cost baseline
    comes to about ``BASELINE_SHARE`` of the approved budget with the labour of the people."""
    assignments = list(
        Assignment.objects.filter(project__in=[project.pk for project in projects]).values_list(
            "project_id", "resource_id", "work_minutes"
        )
    )
    rates = labour_rates(resource_id for _project, resource_id, _work in assignments)
    labour: dict[int, Decimal] = defaultdict(Decimal)
    for project_id, resource_id, work in assignments:
        rate = rates.hourly_rate(resource_id, today) or Decimal(0)
        labour[project_id] += rate * Decimal(work or 0) / 60
    with batch_scheduling():
        for project in projects:
            project.refresh_from_db(fields=["budget"])
            target = project.budget * BASELINE_SHARE - labour[project.pk]
            tasks = [task for task in _leaves(project) if not task.is_milestone]
            total_minutes = sum(task.duration_minutes for task in tasks)
            if target <= 0 or not total_minutes:
                continue
            manager = _manager(project)
            for task in tasks:
                share = target * Decimal(task.duration_minutes) / Decimal(total_minutes)
                planning_services.task_update(
                    actor=manager, task=task, fixed_cost=share.quantize(Decimal("1"))
                )


def _cost_history(
    finance: User,
    projects: Sequence[Project],
    categories: Mapping[str, CostCategory],
    before: dt.date,
    rng: random.Random,
) -> int:
    """Book in the ERP's monthly actual costs (suppliers, licences and the labour booked before
    the timesheets) up to the day before ``before``, so that actual cost follows the work done
    with each project's efficiency."""
    made = 0
    for project in projects:
        baseline = cost_services.cost_baseline_current(project)
        if baseline is None or baseline.start is None or baseline.start >= before:
            continue
        figures = project_earned_value(project)
        if not figures.computed or figures.earned_value is None:
            continue
        low, high = COST_EFFICIENCY.get(project.health, COST_EFFICIENCY[HealthRag.GREEN])
        target = figures.earned_value * Decimal(str(round(rng.uniform(low, high), 3)))
        missing = target - (figures.actual_cost or Decimal(0))
        planned: dict[dt.date, Decimal] = defaultdict(Decimal)
        for day, amount in baseline.daily_cost.items():
            date = dt.date.fromisoformat(day)
            if date < before:
                planned[_month_start(date)] += Decimal(amount)
        total = sum(planned.values(), Decimal(0))
        if missing <= 0 or total <= 0:
            continue
        for month, amount in sorted(planned.items()):
            booked = (missing * amount / total).quantize(Decimal("0.01"))
            if booked <= 0:
                continue
            day = min(_month_end(month), before - dt.timedelta(days=1))
            for code, share in (("EXT-SVC", Decimal("0.6")), ("LAB-INT", Decimal("0.4"))):
                cost_services.actual_cost_create(
                    actor=finance,
                    project=project,
                    incurred_on=day,
                    amount=(booked * share).quantize(Decimal("0.01")),
                    currency=project.currency,
                    source=ActualCostSource.ERP,
                    category=categories.get(code),
                    reference=f"FI-{project.code}-{month:%Y%m}-{code}",
                    description=f"Month-end accrual {month:%m/%Y}",
                )
                made += 1
    return made


def _planned(projects: Iterable[Project]) -> list[Project]:
    with_tasks = set(
        Task.objects.filter(project__in=[project.pk for project in projects])
        .values_list("project_id", flat=True)
        .distinct()
    )
    return [
        project
        for project in sorted(projects, key=lambda project: project.code)
        if project.pk in with_tasks
        and project.phase != ProjectPhase.PROPOSAL
        and project.start_date is not None
    ]


def build_finance(
    *, users: Mapping[str, User], projects: Iterable[Project], today: dt.date, seed: int = 42
) -> FinanceSummary:
    """Give the demo its money (see the module's description); returns what was made."""
    projects = list(projects)
    # Reproducible on purpose: nothing secret is drawn from it.
    rng = random.Random(f"{seed}:finance")  # noqa: S311
    finance = users[FINANCE_USER]
    pmo = users[data.PMO_LEAD]
    admin = users[data.DEMO_USERNAME]
    for project in projects:
        project.refresh_from_db()
    planned = _planned(projects)

    # Reference lists.
    # Rates from a year ago, or from the start of the oldest plan if that is earlier.
    earliest = Task.objects.filter(project__in=[project.pk for project in planned]).aggregate(
        first=Min("start")
    )["first"]
    since = today - dt.timedelta(days=365)
    if earliest is not None:
        since = min(since, _month_start(earliest.date()))
    rates = 0
    for currency, (first, second) in EXCHANGE_RATES.items():
        budget_services.exchange_rate_set(
            actor=finance, currency=currency, valid_from=since, rate=first
        )
        budget_services.exchange_rate_set(
            actor=finance, currency=currency, valid_from=today - dt.timedelta(days=182), rate=second
        )
        rates += 2
    budget_services.cost_categories_ensure_defaults(actor=finance)
    categories = {category.code: category for category in CostCategory.objects.all()}

    # Budgets: approved for all, re-approved higher for a few slipping ones, forecasts on three.
    slipping = [
        project
        for project in planned
        if project.health in (HealthRag.AMBER, HealthRag.RED)
        and project.phase == ProjectPhase.EXECUTION
    ]
    reapproved = {project.pk for project in rng.sample(slipping, k=min(3, len(slipping)))}
    executing = [project for project in planned if project.phase == ProjectPhase.EXECUTION]
    forecasts = {project.pk for project in rng.sample(executing, k=min(3, len(executing)))}
    budgets = _Budgets(finance, categories, today, rng)
    for project in planned:
        budgets.build(
            project, reapproved=project.pk in reapproved, forecast=project.pk in forecasts
        )

    # Contracts (the consultant must be on the plan before the cost baselines are captured).
    suppliers = _Suppliers(finance, pmo, today, rng)
    suppliers.create_suppliers()
    taken: set[int] = set()
    suppliers.time_and_materials(planned, taken)

    _fixed_costs(planned, today)
    baselines = 0
    for project in planned:
        cost_services.cost_baseline_capture(
            actor=_manager(project), project=project, name="Cost baseline at approval"
        )
        baselines += 1

    # Timesheets.
    logins = _team_member_logins(admin, pmo)
    sheets = _Timesheets(pmo, logins, today, rng)
    progress = _progress_project(planned, sheets.first, sheets.monday - dt.timedelta(days=1))
    if progress is not None:
        timesheet_services.project_finance_options_set(
            actor=_manager(progress), project=progress, progress_from_timesheets=True
        )
    sheets.build(suppliers.consultant)

    # Invoices against the approved work.
    suppliers.time_and_materials_invoices()
    suppliers.fixed_price(planned, taken)
    suppliers.in_pounds(planned, taken)
    suppliers.disputed(planned, taken)
    expenses = _expenses(planned, categories, today, rng)
    _cost_history(finance, planned, categories, today, rng)

    records = _earned_value(finance, planned, today)

    # The month before last is closed.
    closed = _previous_month(_previous_month(today))
    timesheet_services.period_lock_create(
        actor=finance,
        start=closed,
        finish=_month_end(closed),
        reason=f"Month-end close, {closed:%B %Y}",
    )
    held = sum(
        1
        for invoice in suppliers.invoices
        if Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ON_HOLD
    )
    return FinanceSummary(
        exchange_rates=rates,
        budgets=budgets.count,
        cost_baselines=baselines,
        timesheets=sheets.count,
        approved_timesheets=sheets.approved,
        expenses=expenses,
        suppliers=len(suppliers.suppliers),
        contracts=len(suppliers.contracts),
        invoices=len(suppliers.invoices),
        held_invoices=held,
        earned_value_records=records,
    )
