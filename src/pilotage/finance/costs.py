"""Planned and actual cost of projects: the cost baseline (assignments × rates plus fixed
costs, phased by day), the actual cost ledger (expenses typed in, ERP imports, and the rows
approved timesheets and invoices write) and the reads of both by day and by period.

Internal hourly rates are in the reporting currency; a cost baseline and the figures read for a
project are in the project currency, converted with the exchange-rate table on each day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, can, get_for_user, require, visible
from pilotage.core.errors import ForbiddenError
from pilotage.core.services import acting_user, create_audited, delete_audited
from pilotage.engine.resource_load import assignment_load
from pilotage.finance.budgets import (
    Period,
    budgets_current,
    period_label,
    period_start,
)
from pilotage.finance.currency import (
    CurrencyRateMissingError,
    RateTable,
    quantize_money,
    rate_table,
)
from pilotage.finance.locks import ensure_open
from pilotage.finance.models import (
    ZERO,
    ActualCost,
    ActualCostSource,
    Budget,
    BudgetKind,
    BudgetStatus,
    CostBaseline,
    CostBaselineTask,
    CostCategory,
    ExpenseType,
    Supplier,
)
from pilotage.finance.rates import labour_rates
from pilotage.planning.models import Task
from pilotage.planning.services import plan_for
from pilotage.portfolio.models import Project
from pilotage.resources.capacity import CompiledCalendars
from pilotage.resources.models import Assignment, ResourceKind

__all__ = [
    "TYPED_SOURCES",
    "CostByCategory",
    "CostPeriod",
    "CostReport",
    "actual_cost_by_day",
    "actual_cost_create",
    "actual_cost_delete",
    "actual_cost_get_for_user",
    "actual_cost_list",
    "actual_costs_by_project_and_day",
    "can_record_cost",
    "cost_baseline_capture",
    "cost_baseline_current",
    "cost_baseline_list",
    "cost_report",
    "planned_cost_by_day",
]

# Sources recorded through this module; timesheet and invoice rows belong to their documents.
TYPED_SOURCES = (ActualCostSource.EXPENSE, ActualCostSource.ERP)


# Cost baseline --------------------------------------------------------------------------------


def _to_project_currency(table: RateTable, currency: str, day: dt.date, reporting: str) -> Decimal:
    """The factor turning an amount of the reporting currency into ``currency`` on ``day``."""
    if currency == reporting:
        return Decimal(1)
    rate = table.rate(currency, day)
    if rate is None:
        raise CurrencyRateMissingError(currency, day, reporting)
    return Decimal(1) / rate


@dataclass
class _TaskCost:
    task: dict[str, Any]
    labour: Decimal = ZERO
    fixed: Decimal = ZERO
    daily: dict[dt.date, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


@transaction.atomic
def cost_baseline_capture(*, actor: Any, project: Project, name: str = "") -> CostBaseline:
    """Capture the planned cost of the project's tasks and make it the current cost baseline
    (the previous one stays as history).

    Each leaf task's labour cost is the work of its assignments, spread over the task's working
    time on its calendar, times each person's hourly rate on each day; its fixed cost accrues
    evenly over its working days (on its start for a milestone). Summary tasks are not counted:
    their children are. Planning rows are not changed.
    """
    require(actor, Action.VIEW, project)
    if not (can(actor, Action.CHANGE, project) or can(actor, Action.MANAGE_FINANCE, project)):
        raise ForbiddenError(gettext("You do not have permission to do this."))
    plan = plan_for(project)
    table = rate_table()
    reporting = table.reporting_currency
    rows_of_tasks = (
        Task.objects.filter(project=project, is_summary=False, is_active=True, start__isnull=False)
        .order_by("position", "pk")
        .values("pk", "name", "start", "finish", "calendar_id", "fixed_cost", "is_milestone")
    )
    tasks: list[dict[str, Any]] = [dict(row) for row in rows_of_tasks]
    costs = {task["pk"]: _TaskCost(task) for task in tasks}
    if tasks:
        first_day = min(task["start"].date() for task in tasks)
        last_day = max((task["finish"] or task["start"]).date() for task in tasks)
        days = (last_day - first_day).days + 1
        calendars = CompiledCalendars(first_day, last_day + dt.timedelta(days=1))
        by_calendar: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for task in tasks:
            by_calendar[task["calendar_id"] or plan.calendar_id].append(task)
        assignments = list(
            Assignment.objects.filter(
                task_id__in=list(costs), resource__kind=ResourceKind.WORK
            ).values_list("task_id", "resource_id", "units", "work_minutes", "start", "finish")
        )
        rates = labour_rates(row[1] for row in assignments)
        factors: dict[dt.date, Decimal] = {}

        def factor(day: dt.date) -> Decimal:
            if day not in factors:
                factors[day] = _to_project_currency(table, project.currency, day, reporting)
            return factors[day]

        for calendar_id, group in by_calendar.items():
            working = calendars.working(calendar_id)
            _fixed_costs(group, costs, working, first_day, days)
            ids = {task["pk"] for task in group}
            rows = [row for row in assignments if row[0] in ids]
            if not rows:
                continue
            task_of = {task["pk"]: task for task in group}
            starts = np.array(
                [row[4] or task_of[row[0]]["start"] for row in rows], dtype="datetime64[m]"
            )
            finishes = np.array(
                [row[5] or task_of[row[0]]["finish"] or task_of[row[0]]["start"] for row in rows],
                dtype="datetime64[m]",
            )
            load = assignment_load(
                working,
                first_day,
                days,
                starts=starts,
                finishes=finishes,
                units=np.array([float(row[2]) for row in rows], dtype=np.float64),
                work_minutes=np.array(
                    [np.nan if row[3] is None else float(row[3]) for row in rows],
                    dtype=np.float64,
                ),
            )
            for row, minutes in zip(rows, load, strict=True):
                cost = costs[row[0]]
                for index in np.flatnonzero(minutes):
                    day = first_day + dt.timedelta(days=int(index))
                    hourly = rates.hourly_rate(row[1], day)
                    if hourly is None:
                        continue
                    amount = _decimal(minutes[index]) / 60 * hourly * factor(day)
                    cost.labour += amount
                    cost.daily[day] += amount
    return _store_baseline(actor, project, name, costs)


def _fixed_costs(
    group: list[dict[str, Any]],
    costs: dict[int, _TaskCost],
    working: Any,
    first_day: dt.date,
    days: int,
) -> None:
    with_fixed = [task for task in group if task["fixed_cost"]]
    if not with_fixed:
        return
    minutes = assignment_load(
        working,
        first_day,
        days,
        starts=np.array([task["start"] for task in with_fixed], dtype="datetime64[m]"),
        finishes=np.array(
            [task["finish"] or task["start"] for task in with_fixed], dtype="datetime64[m]"
        ),
        units=np.ones(len(with_fixed), dtype=np.float64),
    )
    for task, by_day in zip(with_fixed, minutes, strict=True):
        cost = costs[task["pk"]]
        amount = Decimal(task["fixed_cost"])
        working_days = [int(index) for index in np.flatnonzero(by_day)]
        if task["is_milestone"] or not working_days:
            cost.daily[task["start"].date()] += amount
        else:
            share = amount / len(working_days)
            for index in working_days:
                cost.daily[first_day + dt.timedelta(days=index)] += share
        cost.fixed += amount


def _store_baseline(
    actor: Any, project: Project, name: str, costs: dict[int, _TaskCost]
) -> CostBaseline:
    daily: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    labour_total = ZERO
    fixed_total = ZERO
    rows: list[CostBaselineTask] = []
    starts: list[dt.date] = []
    finishes: list[dt.date] = []
    for task_id, cost in costs.items():
        task = cost.task
        labour = quantize_money(cost.labour)
        fixed = quantize_money(cost.fixed)
        labour_total += labour
        fixed_total += fixed
        for day, amount in cost.daily.items():
            daily[day] += amount
        start = task["start"].date()
        finish = (task["finish"] or task["start"]).date()
        starts.append(start)
        finishes.append(finish)
        rows.append(
            CostBaselineTask(
                task_id=task_id,
                name=task["name"][:255],
                start=start,
                finish=finish,
                labour_cost=labour,
                fixed_cost=fixed,
                cost=labour + fixed,
            )
        )
    CostBaseline.objects.filter(project=project, is_current=True).update(is_current=False)
    count = CostBaseline.objects.filter(project=project).count()
    baseline = CostBaseline(
        project=project,
        name=(name.strip() or gettext("Cost baseline %(number)d") % {"number": count + 1})[:200],
        captured_by=acting_user(actor),
        is_current=True,
        currency=project.currency,
        labour_cost=labour_total,
        fixed_cost=fixed_total,
        budget_at_completion=labour_total + fixed_total,
        start=min(starts) if starts else None,
        finish=max(finishes) if finishes else None,
        daily_cost={
            day.isoformat(): str(quantize_money(amount))
            for day, amount in sorted(daily.items())
            if quantize_money(amount) != 0
        },
    )
    create_audited(actor=actor, instance=baseline)
    for row in rows:
        row.cost_baseline = baseline
    CostBaselineTask.objects.bulk_create(rows)
    return baseline


def cost_baseline_current(project: Project) -> CostBaseline | None:
    """The project's current cost baseline, if one was captured."""
    return CostBaseline.objects.filter(project=project, is_current=True).first()


def cost_baseline_list(project: Project) -> QuerySet[CostBaseline]:
    """Every cost baseline of the project, newest first."""
    return CostBaseline.objects.filter(project=project).select_related("captured_by")


def planned_cost_by_day(project: Project) -> dict[dt.date, Decimal]:
    """The planned cost of each day from the current cost baseline (project currency); empty
    without a cost baseline."""
    baseline = cost_baseline_current(project)
    if baseline is None:
        return {}
    return {
        dt.date.fromisoformat(day): Decimal(amount)
        for day, amount in sorted(baseline.daily_cost.items())
    }


# Actual costs: reads --------------------------------------------------------------------------


def actual_cost_by_day(
    project: Project, until: dt.date | None = None, *, table: RateTable | None = None
) -> dict[dt.date, Decimal]:
    """The project's actual cost of each day (every source), in the project currency converted
    at each row's date. Raises :class:`CurrencyRateMissingError` when a rate is missing."""
    table = table or rate_table()
    rows = ActualCost.objects.filter(project=project)
    if until is not None:
        rows = rows.filter(incurred_on__lte=until)
    totals: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for day, currency, amount in (
        rows.values_list("incurred_on", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("incurred_on", "currency")
    ):
        totals[day] += table.convert_between(amount, currency, project.currency, day)
    return dict(sorted(totals.items()))


def actual_costs_by_project_and_day(
    project_ids: Iterable[int], until: dt.date | None = None
) -> dict[int, list[tuple[dt.date, Decimal, str]]]:
    """Actual cost summed by project, day and currency, in each row's currency (one query):
    ``{project_id: [(day, amount, currency), ...]}`` by day. Callers convert."""
    rows = ActualCost.objects.filter(project_id__in=list(project_ids))
    if until is not None:
        rows = rows.filter(incurred_on__lte=until)
    found: dict[int, list[tuple[dt.date, Decimal, str]]] = defaultdict(list)
    for project_id, day, currency, amount in (
        rows.values_list("project_id", "incurred_on", "currency")
        .annotate(amount=Sum("amount"))
        .order_by("project_id", "incurred_on", "currency")
    ):
        found[project_id].append((day, amount, currency))
    return dict(found)


def actual_cost_list(
    *,
    user: Any,
    project: Project | None = None,
    source: str | None = None,
    category: CostCategory | int | None = None,
    start: dt.date | None = None,
    finish: dt.date | None = None,
) -> QuerySet[ActualCost]:
    """The actual cost rows the user may see, newest first, with their related names."""
    queryset = visible(user, ActualCost.objects.all()).select_related(
        "project", "task", "category", "supplier", "resource", "created_by"
    )
    if project is not None:
        queryset = queryset.filter(project=project)
    if source:
        queryset = queryset.filter(source=source)
    if category is not None:
        queryset = queryset.filter(category=category)
    if start is not None:
        queryset = queryset.filter(incurred_on__gte=start)
    if finish is not None:
        queryset = queryset.filter(incurred_on__lte=finish)
    return queryset.order_by("-incurred_on", "-pk")


def actual_cost_get_for_user(pk: Any, *, user: Any, action: Action = Action.VIEW) -> ActualCost:
    return get_for_user(ActualCost.objects.select_related("project"), pk, user=user, action=action)


# Actual costs: writes -------------------------------------------------------------------------


def can_record_cost(user: Any, project: Project, source: str = ActualCostSource.EXPENSE) -> bool:
    """Finance records any cost; the project's managers (Change) also type in expenses."""
    if can(user, Action.MANAGE_FINANCE, project):
        return True
    return source == ActualCostSource.EXPENSE and can(user, Action.CHANGE, project)


def _require_record(actor: Any, project: Project, source: str) -> None:
    require(actor, Action.VIEW, project)
    if not can_record_cost(actor, project, source):
        raise ForbiddenError(gettext("You do not have permission to do this."))


@transaction.atomic
def actual_cost_create(
    *,
    actor: Any,
    project: Project,
    incurred_on: dt.date,
    amount: Decimal,
    currency: str | None = None,
    source: str = ActualCostSource.EXPENSE,
    category: CostCategory | None = None,
    expense_type: str | None = None,
    task: Task | None = None,
    supplier: Supplier | None = None,
    reference: str = "",
    description: str = "",
    table: RateTable | None = None,
) -> ActualCost:
    """Record an expense or an ERP cost on a project.

    A negative amount (a credit note) is accepted only from an ERP export and with its
    document reference; a currency needs an exchange rate on the date, and a locked period
    refuses the date. Timesheet and invoice costs are written by their approvals.
    """
    if source not in TYPED_SOURCES:
        raise ValidationError(
            {
                "source": gettext(
                    "Costs from timesheets and invoices are recorded when they are approved."
                )
            },
            code="invalid_source",
        )
    _require_record(actor, project, source)
    currency = currency or project.currency
    errors: dict[str, list[str]] = {}
    if amount < 0 and not (source == ActualCostSource.ERP and reference.strip()):
        errors.setdefault("amount", []).append(
            gettext(
                "An amount cannot be negative, except a credit note imported from the ERP "
                "with its document reference."
            )
        )
    if task is not None and task.project_id != project.pk:
        errors.setdefault("task", []).append(gettext("This task is not in the project."))
    if errors:
        raise ValidationError(errors)
    ensure_open([incurred_on], field="incurred_on")
    try:
        (table or rate_table()).convert_between(amount, currency, project.currency, incurred_on)
    except CurrencyRateMissingError as error:
        raise ValidationError({"currency": error.messages}, code=error.code) from error
    cost = ActualCost(
        project=project,
        task=task,
        category=category,
        expense_type=expense_type
        or (category.expense_type if category is not None else ExpenseType.OPEX),
        incurred_on=incurred_on,
        amount=amount,
        currency=currency,
        source=source,
        reference=reference.strip(),
        description=description.strip(),
        supplier=supplier,
        created_by=acting_user(actor),
    )
    return create_audited(actor=actor, instance=cost)


@transaction.atomic
def actual_cost_delete(*, actor: Any, cost: ActualCost) -> None:
    """Delete an expense or ERP cost (not in a locked period). Timesheet and invoice costs go
    when their timesheet or invoice is reopened."""
    if cost.source not in TYPED_SOURCES:
        raise ValidationError(
            gettext(
                "This cost comes from an approved timesheet or invoice: reopen it there instead."
            ),
            code="not_typed",
        )
    _require_record(actor, cost.project, cost.source)
    ensure_open([cost.incurred_on])
    delete_audited(actor=actor, instance=cost)


# The project's costs by period ------------------------------------------------------------------


@dataclass
class CostPeriod:
    """One month, quarter or year of a project's costs (project currency)."""

    first: dt.date
    label: str
    budget: Decimal = ZERO
    forecast: Decimal = ZERO
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    budget_cumulative: Decimal = ZERO
    forecast_cumulative: Decimal = ZERO
    planned_cumulative: Decimal = ZERO
    actual_cumulative: Decimal = ZERO


@dataclass
class CostByCategory:
    """A category's current approved budget, forecast and actual cost (project currency)."""

    name: str
    budget: Decimal = ZERO
    forecast: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual


@dataclass
class CostReport:
    """Budget (current approved) vs forecast vs planned (cost baseline) vs actual cost."""

    currency: str
    period: Period
    periods: list[CostPeriod]
    categories: list[CostByCategory]
    approved: Budget | None
    forecast: Budget | None
    problems: list[str]
    budget_total: Decimal = ZERO
    forecast_total: Decimal = ZERO
    planned_total: Decimal = ZERO
    actual_total: Decimal = ZERO
    actual_by_expense_type: dict[str, Decimal] = field(default_factory=dict)


def cost_report(project: Project, *, period: Period = "month") -> CostReport:
    """The project's budget, forecast, planned and actual cost by period and cumulative, and
    by cost category; amounts in other currencies are converted on their month's first day
    (budgets) or their date (actual costs). A missing rate leaves the amount out and says so."""
    table = rate_table()
    current = budgets_current(Budget.objects.filter(project=project, status=BudgetStatus.APPROVED))
    approved = current.get(BudgetKind.APPROVED)
    forecast = current.get(BudgetKind.FORECAST)
    problems: list[str] = []
    by_period: dict[dt.date, CostPeriod] = {}
    categories: dict[str, CostByCategory] = {}
    uncategorised = gettext("No category")

    def slot(day: dt.date) -> CostPeriod:
        first = period_start(day, period)
        if first not in by_period:
            by_period[first] = CostPeriod(first, period_label(first, period))
        return by_period[first]

    def convert(amount: Decimal, currency: str, day: dt.date) -> Decimal | None:
        try:
            return table.convert_between(amount, currency, project.currency, day)
        except CurrencyRateMissingError as error:
            if error.messages[0] not in problems:
                problems.append(error.messages[0])
            return None

    for kind, budget in (("budget", approved), ("forecast", forecast)):
        if budget is None:
            continue
        for line in budget.lines.select_related("category"):
            value = convert(line.amount, budget.currency, line.month)
            if value is None:
                continue
            target = slot(line.month)
            setattr(target, kind, getattr(target, kind) + value)
            entry = categories.setdefault(line.category.name, CostByCategory(line.category.name))
            setattr(entry, kind, getattr(entry, kind) + value)
    for day, amount in planned_cost_by_day(project).items():
        slot(day).planned += amount
    by_type: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for day, currency, category, expense_type, amount in (
        ActualCost.objects.filter(project=project)
        .values_list("incurred_on", "currency", "category__name", "expense_type")
        .annotate(amount=Sum("amount"))
        .order_by("incurred_on")
    ):
        value = convert(amount, currency, day)
        if value is None:
            continue
        slot(day).actual += value
        name = category or uncategorised
        categories.setdefault(name, CostByCategory(name)).actual += value
        by_type[expense_type] += value
    periods = [by_period[first] for first in sorted(by_period)]
    report = CostReport(
        currency=project.currency,
        period=period,
        periods=periods,
        categories=sorted(categories.values(), key=lambda entry: entry.name),
        approved=approved,
        forecast=forecast,
        problems=problems,
        actual_by_expense_type=dict(by_type),
    )
    for item in periods:
        report.budget_total += item.budget
        report.forecast_total += item.forecast
        report.planned_total += item.planned
        report.actual_total += item.actual
        item.budget_cumulative = report.budget_total
        item.forecast_cumulative = report.forecast_total
        item.planned_cumulative = report.planned_total
        item.actual_cumulative = report.actual_total
    return report
