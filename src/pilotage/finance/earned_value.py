"""Earned value of projects from the database: planned value from the current cost baseline,
earned value from the tasks' progress, actual cost from the ledger, and the metrics of
:mod:`pilotage.engine.earned_value` for one project or a whole portfolio.

How the figures are gathered
----------------------------
- **Planned value (PV)**: the cumulative planned cost of the project's current cost baseline,
  day by day (``CostBaseline.daily_cost``). Time is counted in days from the baseline's start,
  and a status date counts to the end of that day: a status date of the fifth day has
  AT = 5 days, and the PV of every day up to and including it.
- **Earned value (EV)**: Σ over the baseline's tasks of their baselined cost × the task's
  current % complete (a task deleted since the capture earns nothing). Progress is what the
  plan says now: EV at past dates comes from the status-date records.
- **Actual cost (AC)**: the ledger rows (``ActualCost``) up to the status date, each converted
  to the project's currency at the exchange rate of its own date.
- **Bottom-up estimate to complete**: the remaining work of the unfinished assignments × the
  person's hourly rate today, plus the fixed cost not yet earned of the unfinished tasks.
- **Estimate at completion (EAC)**: BAC / CPI (:data:`EAC_METHOD`); the other estimates are
  shown beside it.

Dates from times: the earned schedule, the planned finish and the forecast finish are "the day
by whose end" the plan reaches the value (``start`` + ⌈t⌉ − 1 days); the forecast finish is the
status date + (IEAC(t) − AT).

The portfolio view converts each project's figures to the reporting currency at the rate of the
status date, computes every project with one engine call, and programmes, portfolios and the
grand total with a second one from the summed inputs (indices of a group come from its sums).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, FloatField, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext

from pilotage.accounts.permissions import Action, can, require, visible
from pilotage.core.services import acting_user, create_audited, update_audited
from pilotage.engine.earned_value import (
    EarnedValueResult,
    earned_value_metrics,
    roll_up_earned_value,
)
from pilotage.finance.budgets import budget_summary
from pilotage.finance.currency import (
    CurrencyRateMissingError,
    RateTable,
    quantize_money,
    rate_table,
)
from pilotage.finance.models import (
    ActualCost,
    BudgetKind,
    CostBaseline,
    CostBaselineTask,
    EarnedValueRecord,
)
from pilotage.finance.rates import labour_rates
from pilotage.planning.models import Task
from pilotage.portfolio.models import Portfolio, Programme, Project
from pilotage.resources.models import Assignment

__all__ = [
    "AMBER_AT",
    "EAC_METHOD",
    "GREEN_AT",
    "MONEY_FIELDS",
    "BudgetTotals",
    "EarnedValueGroup",
    "EarnedValueSeries",
    "PortfolioEarnedValue",
    "ProjectEarnedValue",
    "budget_totals",
    "earned_value_as_json",
    "earned_value_record",
    "earned_value_records",
    "index_band",
    "portfolio_earned_value",
    "project_earned_value",
    "project_earned_value_series",
]

EAC_METHOD = "cpi"
"""The estimate at completion the headline figures use: BAC / CPI."""

GREEN_AT = 0.95
"""A performance index at or above this is green."""
AMBER_AT = 0.90
"""A performance index at or above this (and below :data:`GREEN_AT`) is amber; below, red."""

_EPSILON = 1e-6

MONEY_FIELDS = (
    "planned_value",
    "earned_value",
    "actual_cost",
    "budget_at_completion",
    "schedule_variance",
    "cost_variance",
    "estimate_at_completion",
    "estimate_at_completion_atypical",
    "estimate_at_completion_cpi",
    "estimate_at_completion_cpi_spi",
    "estimate_at_completion_bottom_up",
    "estimate_to_complete",
    "variance_at_completion",
)
INDEX_FIELDS = (
    "schedule_performance_index",
    "cost_performance_index",
    "to_complete_performance_index_bac",
    "to_complete_performance_index_eac",
    "schedule_performance_index_time",
    "percent_complete",
    "percent_spent",
)
DAY_FIELDS = (
    "earned_schedule_days",
    "actual_time_days",
    "schedule_variance_time_days",
    "independent_estimate_at_completion_time_days",
    "planned_duration_days",
)


def index_band(value: float | None) -> str:
    """ "green" at or above 0.95, "amber" at or above 0.90, "red" below, "" when undefined.

    >>> index_band(0.97), index_band(0.92), index_band(0.5), index_band(None)
    ('green', 'amber', 'red', '')
    """
    if value is None:
        return ""
    if value >= GREEN_AT:
        return "green"
    if value >= AMBER_AT:
        return "amber"
    return "red"


@dataclass(frozen=True)
class ProjectEarnedValue:
    """The earned value figures of a project (or of a group of projects) at a status date.

    Money is a ``Decimal`` rounded to cents in ``currency``; indices are floats; durations are
    days from ``start``; None marks a figure that is undefined (an index with a zero
    denominator) or that could not be computed (see ``problems``).
    """

    currency: str
    as_of: dt.date
    project_id: int | None = None
    has_baseline: bool = False
    problems: list[str] = field(default_factory=list)
    baseline_name: str = ""
    eac_method: str = EAC_METHOD
    start: dt.date | None = None
    planned_value: Decimal | None = None
    earned_value: Decimal | None = None
    actual_cost: Decimal | None = None
    budget_at_completion: Decimal | None = None
    schedule_variance: Decimal | None = None
    cost_variance: Decimal | None = None
    schedule_performance_index: float | None = None
    cost_performance_index: float | None = None
    estimate_at_completion: Decimal | None = None
    estimate_at_completion_atypical: Decimal | None = None
    estimate_at_completion_cpi: Decimal | None = None
    estimate_at_completion_cpi_spi: Decimal | None = None
    estimate_at_completion_bottom_up: Decimal | None = None
    estimate_to_complete: Decimal | None = None
    variance_at_completion: Decimal | None = None
    to_complete_performance_index_bac: float | None = None
    to_complete_performance_index_eac: float | None = None
    percent_complete: float | None = None
    percent_spent: float | None = None
    earned_schedule: dt.date | None = None
    earned_schedule_days: float | None = None
    actual_time_days: float | None = None
    schedule_variance_time_days: float | None = None
    schedule_performance_index_time: float | None = None
    independent_estimate_at_completion_time_days: float | None = None
    planned_duration_days: float | None = None
    planned_finish: dt.date | None = None
    forecast_finish: dt.date | None = None

    @property
    def computed(self) -> bool:
        """Whether the metrics are there (a baseline and every exchange rate needed)."""
        return self.earned_value is not None

    @property
    def cpi_band(self) -> str:
        return index_band(self.cost_performance_index)

    @property
    def spi_band(self) -> str:
        return index_band(self.schedule_performance_index)

    @property
    def spi_time_band(self) -> str:
        return index_band(self.schedule_performance_index_time)

    @property
    def vac_band(self) -> str:
        if self.variance_at_completion is None:
            return ""
        return "red" if self.variance_at_completion < 0 else "green"

    @property
    def finish_band(self) -> str:
        if self.forecast_finish is None or self.planned_finish is None:
            return ""
        return "red" if self.forecast_finish > self.planned_finish else "green"

    @property
    def is_overrun(self) -> bool:
        """CPI or SPI(t) below 0.9, or a negative variance at completion."""
        return self.computed and (
            (self.cost_performance_index is not None and self.cost_performance_index < AMBER_AT)
            or (self.variance_at_completion is not None and self.variance_at_completion < 0)
            or (
                self.schedule_performance_index_time is not None
                and self.schedule_performance_index_time < AMBER_AT
            )
        )

    @property
    def severity(self) -> float:
        """How bad it is, lowest worst: the lowest of CPI, SPI(t) and 1 + VAC / BAC."""
        values = [
            value
            for value in (self.cost_performance_index, self.schedule_performance_index_time)
            if value is not None
        ]
        if self.variance_at_completion is not None and self.budget_at_completion:
            values.append(1 + float(self.variance_at_completion / self.budget_at_completion))
        return min(values, default=1.0)


def earned_value_as_json(figures: ProjectEarnedValue) -> dict[str, Any]:
    """The figures with spelled-out keys: money as decimal strings, indices as numbers, dates
    as ISO texts, null when undefined."""
    document: dict[str, Any] = {"currency": figures.currency, "as_of": figures.as_of.isoformat()}
    for name in MONEY_FIELDS:
        value = getattr(figures, name)
        document[name] = None if value is None else f"{value:.2f}"
    for name in INDEX_FIELDS:
        value = getattr(figures, name)
        document[name] = None if value is None else round(value, 6)
    document["earned_schedule"] = _iso(figures.earned_schedule)
    for name in DAY_FIELDS:
        value = getattr(figures, name)
        document[name] = None if value is None else round(value, 4)
    document["planned_finish"] = _iso(figures.planned_finish)
    document["forecast_finish"] = _iso(figures.forecast_finish)
    document["estimate_at_completion_method"] = figures.eac_method
    document["has_baseline"] = figures.has_baseline
    document["problems"] = list(figures.problems)
    return document


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _today() -> dt.date:
    return timezone.localdate()


# Reading the inputs --------------------------------------------------------------------------


@dataclass
class _Inputs:
    """One project's inputs in its baseline's currency."""

    project_id: int
    currency: str
    problems: list[str] = field(default_factory=list)
    baseline_id: int | None = None
    baseline_name: str = ""
    start: dt.date | None = None
    days: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    costs: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    earned_value: float = 0.0
    actual_cost: Decimal = Decimal(0)
    estimate_to_complete: Decimal = Decimal(0)
    actual_by_day: dict[dt.date, Decimal] = field(default_factory=dict)
    # The day the last task finished, when every task is complete.
    completed_on: dt.date | None = None

    @property
    def usable(self) -> bool:
        return self.baseline_id is not None and not self.problems

    @property
    def last_day(self) -> int:
        """The offset from ``start`` of the last day of the grid (0 for a one-day plan)."""
        return int(self.days.max()) if self.days.size else 0


def _baseline_days(
    daily_cost: dict[str, Any], start: dt.date | None, finish: dt.date | None
) -> tuple[dt.date, npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The baseline's start and its days (offsets from the start) with their planned cost."""
    keys = list(daily_cost)
    if keys:
        days = np.array(keys, dtype="datetime64[D]")
        costs = np.array([str(value) for value in daily_cost.values()], dtype=np.float64)
        first = dt.date.fromisoformat(str(days.min()))
    else:
        days = np.zeros(0, dtype="datetime64[D]")
        costs = np.zeros(0, dtype=np.float64)
        first = start or finish or _today()
    origin = min(first, start) if start else first
    offsets = (days - np.datetime64(origin, "D")).astype(np.int64)
    if finish is not None and finish >= origin:
        # The grid runs to the baseline's finish even when its last days cost nothing.
        offsets = np.append(offsets, (finish - origin).days)
        costs = np.append(costs, 0.0)
    return origin, offsets, costs


def _gather(
    projects: Sequence[Project],
    *,
    as_of: dt.date,
    table: RateTable,
    by_day: bool = False,
) -> dict[int, _Inputs]:
    """The inputs of ``projects`` at ``as_of``, read in bulk (a fixed number of queries)."""
    ids = [project.pk for project in projects]
    currencies = {project.pk: project.currency for project in projects}
    inputs: dict[int, _Inputs] = {
        project.pk: _Inputs(project_id=project.pk, currency=project.currency)
        for project in projects
    }
    baselines = CostBaseline.objects.filter(project_id__in=ids, is_current=True).values_list(
        "pk", "project_id", "name", "currency", "start", "finish", "daily_cost"
    )
    by_baseline: dict[int, _Inputs] = {}
    for pk, project_id, name, currency, start, finish, daily_cost in baselines:
        item = inputs[project_id]
        item.baseline_id = pk
        item.baseline_name = name
        item.currency = currency
        item.start, item.days, item.costs = _baseline_days(daily_cost or {}, start, finish)
        by_baseline[pk] = item
    for item in inputs.values():
        if item.baseline_id is None:
            item.problems.append(gettext("no cost baseline"))
    if not by_baseline:
        return inputs

    earned = (
        CostBaselineTask.objects.filter(cost_baseline_id__in=by_baseline, task__isnull=False)
        .values_list("cost_baseline_id")
        .annotate(
            earned=Sum(
                Cast("cost", FloatField()) * F("task__percent_complete"),
                output_field=FloatField(),
            )
        )
        .order_by()
    )
    for baseline_id, total in earned:
        by_baseline[baseline_id].earned_value = float(total or 0.0) / 100.0

    # A finished project's schedule performance is measured at its finish, not at the status
    # date (Lipke): otherwise SPI(t) of a project finished on time falls as time goes by.
    finished = (
        Task.objects.filter(project_id__in=ids, is_summary=False, is_active=True)
        .values_list("project_id")
        .annotate(least=Min("percent_complete"), last=Max("actual_finish"))
        .order_by()
    )
    for project_id, least, last in finished:
        if least is not None and least >= 100 and last is not None:
            inputs[project_id].completed_on = last.date()

    spent = (
        ActualCost.objects.filter(project_id__in=ids, incurred_on__lte=as_of)
        .values_list("project_id", "currency", "incurred_on")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    missing: dict[int, set[str]] = defaultdict(set)
    for project_id, currency, day, total in spent:
        item = inputs[project_id]
        if item.baseline_id is None:
            continue
        try:
            amount = table.convert_between(total, currency, item.currency, day)
        except CurrencyRateMissingError as error:
            if error.messages[0] not in missing[project_id]:
                missing[project_id].add(error.messages[0])
                item.problems.append(error.messages[0])
            continue
        item.actual_cost += amount
        if by_day:
            item.actual_by_day[day] = item.actual_by_day.get(day, Decimal(0)) + amount

    _estimate_to_complete(inputs, by_baseline, currencies, table)
    return inputs


def _estimate_to_complete(
    inputs: dict[int, _Inputs],
    by_baseline: dict[int, _Inputs],
    currencies: dict[int, str],
    table: RateTable,
) -> None:
    """Add the bottom-up estimate to complete of the projects with a baseline."""
    ids = [item.project_id for item in by_baseline.values()]
    today = _today()
    unfinished = Q(task__percent_complete__lt=100, task__is_summary=False, task__is_active=True)
    remaining = (
        Assignment.objects.filter(unfinished, project_id__in=ids)
        .values_list("project_id", "resource_id")
        .annotate(
            minutes=Sum(
                Greatest(
                    Coalesce("work_minutes", Value(0)) - Coalesce("actual_work_minutes", Value(0)),
                    Value(0),
                ),
                output_field=IntegerField(),
            )
        )
        .order_by()
    )
    rows = [(project_id, resource_id, minutes) for project_id, resource_id, minutes in remaining]
    rates = labour_rates(resource_id for _project, resource_id, _minutes in rows)
    reporting = table.reporting_currency
    labour: dict[int, Decimal] = defaultdict(Decimal)
    for project_id, resource_id, minutes in rows:
        hourly = rates.hourly_rate(resource_id, today)
        if hourly is None or not minutes:
            continue
        labour[project_id] += Decimal(minutes) / 60 * hourly
    fixed = (
        Task.objects.filter(
            project_id__in=ids,
            percent_complete__lt=100,
            is_summary=False,
            is_active=True,
            fixed_cost__gt=0,
        )
        .values_list("project_id")
        .annotate(
            remaining=Sum(
                Cast("fixed_cost", FloatField()) * (Value(100.0) - F("percent_complete")),
                output_field=FloatField(),
            )
        )
        .order_by()
    )
    fixed_costs = dict(fixed)
    for project_id in ids:
        item = inputs[project_id]
        total = Decimal(0)
        try:
            if labour.get(project_id):
                total += table.convert_between(labour[project_id], reporting, item.currency, today)
            if fixed_costs.get(project_id):
                amount = Decimal(repr(fixed_costs[project_id] / 100.0))
                total += table.convert_between(amount, currencies[project_id], item.currency, today)
        except CurrencyRateMissingError as error:
            item.problems.append(error.messages[0])
        item.estimate_to_complete = quantize_money(total)


# Computing ----------------------------------------------------------------------------------


@dataclass
class _Matrix:
    """Rows of inputs on one daily grid, ready for the engine."""

    origin: dt.date
    times: npt.NDArray[np.float64]
    planned_value: npt.NDArray[np.float64]
    earned_value: npt.NDArray[np.float64]
    actual_cost: npt.NDArray[np.float64]
    estimate_to_complete: npt.NDArray[np.float64]
    offsets: npt.NDArray[np.int64]


def _matrix(items: Sequence[_Inputs], factors: Sequence[float] | None = None) -> _Matrix:
    """The cumulative PV curves of ``items`` on a shared daily grid (shape (k, n)).

    Grid point i is the end of day i − 1 from the earliest start: point 0 is the start itself
    (nothing planned yet), point n − 1 the end of the latest day.
    """
    k = len(items)
    starts = [item.start or _today() for item in items]
    origin = min(starts)
    offsets = np.array([(start - origin).days for start in starts], dtype=np.int64)
    ends = np.array([item.last_day for item in items], dtype=np.int64) + offsets
    n = int(ends.max()) + 2 if k else 2
    lengths = np.array([item.days.size for item in items], dtype=np.int64)
    rows = np.repeat(np.arange(k), lengths)
    columns = (
        np.concatenate([item.days for item in items]) + np.repeat(offsets, lengths) + 1
        if k
        else np.zeros(0, dtype=np.int64)
    )
    costs = np.concatenate([item.costs for item in items]) if k else np.zeros(0)
    scale = np.ones(k) if factors is None else np.asarray(factors, dtype=np.float64)
    daily = np.zeros((k, n), dtype=np.float64)
    np.add.at(daily, (rows, columns), costs * np.repeat(scale, lengths))
    planned = np.cumsum(daily, axis=1)
    return _Matrix(
        origin=origin,
        times=np.arange(n, dtype=np.float64),
        planned_value=planned,
        earned_value=np.array([item.earned_value for item in items]) * scale,
        actual_cost=np.array([float(item.actual_cost) for item in items]) * scale,
        estimate_to_complete=np.array([float(item.estimate_to_complete) for item in items]) * scale,
        offsets=offsets,
    )


def _status_time(origin: dt.date, as_of: dt.date) -> float:
    """A status date on the grid: the end of that day."""
    return float((as_of - origin).days + 1)


def _day_ending(start: dt.date, days: float | None) -> dt.date | None:
    """The day by whose end ``days`` days from the start of ``start`` have passed."""
    if days is None or not math.isfinite(days) or days <= 0:
        return None
    return start + dt.timedelta(days=math.ceil(days - _EPSILON) - 1)


def _money(value: float | None) -> Decimal | None:
    if value is None or not math.isfinite(value):
        return None
    return quantize_money(Decimal(repr(value)))


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def _figures(
    result: EarnedValueResult,
    index: int,
    *,
    origin: dt.date,
    offset: int,
    as_of: dt.date,
    currency: str,
    project_id: int | None = None,
    baseline_name: str = "",
    completed_on: dt.date | None = None,
) -> ProjectEarnedValue:
    """Row ``index`` of an engine result, its times measured from the row's own start.

    The engine measures ES, AT and PD from the grid's first day, shared by every row; a row
    that starts ``offset`` days later has its own ES, AT and PD shorter by that much, and so
    its own SPI(t) and IEAC(t). A project completed before ``as_of`` has its actual time
    measured to its completion.
    """
    row = result.row(index)
    start = origin + dt.timedelta(days=offset)
    schedule_date = min(as_of, completed_on) if completed_on is not None else as_of
    status = _status_time(origin, schedule_date)
    earned_schedule = row["earned_schedule"]
    planned_duration = row["planned_duration"]
    es = None if earned_schedule is None else max(earned_schedule - offset, 0.0)
    at = max(status - offset, 0.0)
    pd = None if planned_duration is None else max(planned_duration - offset, 0.0)
    spi_time = _ratio(es, at)
    ieac_time = _ratio(pd, spi_time)
    forecast = (
        schedule_date + dt.timedelta(days=math.ceil(ieac_time - at - _EPSILON))
        if ieac_time is not None
        else None
    )
    money: dict[str, Any] = {name: _money(row[name]) for name in MONEY_FIELDS}
    return ProjectEarnedValue(
        currency=currency,
        as_of=as_of,
        project_id=project_id,
        has_baseline=True,
        baseline_name=baseline_name,
        start=start,
        **money,
        schedule_performance_index=_number(row["schedule_performance_index"]),
        cost_performance_index=_number(row["cost_performance_index"]),
        to_complete_performance_index_bac=_number(row["to_complete_performance_index_bac"]),
        to_complete_performance_index_eac=_number(row["to_complete_performance_index_eac"]),
        percent_complete=_number(row["percent_complete"]),
        percent_spent=_number(row["percent_spent"]),
        earned_schedule=_day_ending(start, es),
        earned_schedule_days=es,
        actual_time_days=at,
        schedule_variance_time_days=None if es is None else es - at,
        schedule_performance_index_time=spi_time,
        independent_estimate_at_completion_time_days=ieac_time,
        planned_duration_days=pd,
        planned_finish=_day_ending(start, pd),
        forecast_finish=forecast,
    )


def _engine(matrix: _Matrix, as_of: dt.date) -> EarnedValueResult:
    return earned_value_metrics(
        times=matrix.times,
        planned_value=matrix.planned_value,
        earned_value=matrix.earned_value,
        actual_cost=matrix.actual_cost,
        estimate_to_complete=matrix.estimate_to_complete,
        as_of=_status_time(matrix.origin, as_of),
        method=EAC_METHOD,
    )


def _status_date(as_of: dt.date | None) -> dt.date:
    return as_of or _today()


# One project ----------------------------------------------------------------------------------


def _project_figures(
    project: Project, as_of: dt.date, *, by_day: bool = False
) -> tuple[ProjectEarnedValue, _Inputs]:
    item = _gather([project], as_of=as_of, table=rate_table(), by_day=by_day)[project.pk]
    if not item.usable:
        empty = ProjectEarnedValue(
            currency=item.currency,
            as_of=as_of,
            project_id=project.pk,
            has_baseline=item.baseline_id is not None,
            problems=item.problems,
            baseline_name=item.baseline_name,
            start=item.start,
        )
        return empty, item
    matrix = _matrix([item])
    figures = _figures(
        _engine(matrix, as_of),
        0,
        origin=matrix.origin,
        offset=0,
        as_of=as_of,
        currency=item.currency,
        project_id=project.pk,
        baseline_name=item.baseline_name,
        completed_on=item.completed_on,
    )
    return figures, item


def project_earned_value(project: Project, *, as_of: dt.date | None = None) -> ProjectEarnedValue:
    """The earned value figures of ``project`` at ``as_of`` (today by default), in the
    currency of its cost baseline.

    Without a current cost baseline, or when an actual cost has no exchange rate, the figures
    are empty and ``problems`` says why.
    """
    figures, _item = _project_figures(project, _status_date(as_of))
    return figures


@dataclass(frozen=True)
class EarnedValueSeries:
    """The S-curve of a project: cumulative PV, AC and EV over time, and the forecast.

    ``dates`` are weekly from the baseline's start to the later of the planned and forecast
    finishes (with the status date among them); ``planned_value`` holds one value per date,
    ``actual_cost`` one per date up to the status date. ``earned_value`` and ``forecast`` are
    (date, amount) points: EV at the recorded status dates and now; the forecast runs from AC
    at the status date to the EAC at the forecast finish.
    """

    currency: str
    as_of: dt.date
    dates: list[dt.date]
    planned_value: list[Decimal]
    actual_cost: list[Decimal]
    earned_value: list[tuple[dt.date, Decimal]]
    forecast: list[tuple[dt.date, Decimal]]
    planned_finish: dt.date | None
    forecast_finish: dt.date | None
    figures: ProjectEarnedValue


def project_earned_value_series(
    project: Project, *, as_of: dt.date | None = None
) -> EarnedValueSeries:
    """The weekly S-curve of ``project`` up to ``as_of`` and its forecast to completion.

    Empty lists when the figures cannot be computed (no baseline, a missing exchange rate).
    """
    status = _status_date(as_of)
    figures, item = _project_figures(project, status, by_day=True)
    if not figures.computed or item.start is None:
        return EarnedValueSeries(
            currency=figures.currency,
            as_of=status,
            dates=[],
            planned_value=[],
            actual_cost=[],
            earned_value=[],
            forecast=[],
            planned_finish=None,
            forecast_finish=None,
            figures=figures,
        )
    start = item.start
    ends = [status, start + dt.timedelta(days=item.last_day)]
    ends += [day for day in (figures.planned_finish, figures.forecast_finish) if day]
    end = max(ends)
    dates = [start + dt.timedelta(days=7 * week) for week in range((end - start).days // 7 + 1)]
    dates = sorted({*dates, end, status} | ({start} if status >= start else set()))
    daily = np.zeros(item.last_day + 1, dtype=np.float64)
    np.add.at(daily, item.days, item.costs)
    cumulative = np.cumsum(daily)
    planned = [
        _money(float(cumulative[min((day - start).days, cumulative.size - 1)]))
        if day >= start
        else Decimal(0)
        for day in dates
    ]
    spent_days = sorted(item.actual_by_day)
    running: list[Decimal] = []
    total = Decimal(0)
    for day in spent_days:
        total += item.actual_by_day[day]
        running.append(total)
    positions = np.searchsorted(
        np.array(spent_days, dtype="datetime64[D]"),
        np.array(dates, dtype="datetime64[D]"),
        side="right",
    )
    actual = [
        running[int(position) - 1] if position else Decimal(0)
        for day, position in zip(dates, positions, strict=True)
        if day <= status
    ]
    earned: list[tuple[dt.date, Decimal]] = [(start, Decimal(0))] if start < status else []
    for record in EarnedValueRecord.objects.filter(
        project=project, as_of__lt=status, as_of__gt=start, currency=figures.currency
    ).order_by("as_of"):
        earned.append((record.as_of, record.earned_value))
    assert figures.earned_value is not None
    assert figures.actual_cost is not None
    earned.append((status, figures.earned_value))
    forecast: list[tuple[dt.date, Decimal]] = []
    finish = figures.forecast_finish or figures.planned_finish
    if figures.estimate_at_completion is not None:
        last = finish if finish and finish > status else status + dt.timedelta(days=7)
        forecast = [(status, figures.actual_cost), (last, figures.estimate_at_completion)]
    return EarnedValueSeries(
        currency=figures.currency,
        as_of=status,
        dates=dates,
        planned_value=[value or Decimal(0) for value in planned],
        actual_cost=actual,
        earned_value=earned,
        forecast=forecast,
        planned_finish=figures.planned_finish,
        forecast_finish=figures.forecast_finish,
        figures=figures,
    )


# The portfolio --------------------------------------------------------------------------------

GroupKind = Literal["programme", "portfolio", "total"]


@dataclass(frozen=True)
class EarnedValueGroup:
    """The summed figures of a programme, a portfolio or all projects, in the reporting
    currency; ``pk``, ``code`` and ``name`` are empty for the total."""

    kind: GroupKind
    pk: int | None
    code: str
    name: str
    project_count: int
    figures: ProjectEarnedValue
    portfolio_id: int | None = None


@dataclass(frozen=True)
class PortfolioEarnedValue:
    """Earned value of every visible project (in the reporting currency) and its roll-ups.

    ``projects`` pairs each project with its figures; those with problems (no baseline, no
    exchange rate) have empty figures and are left out of the roll-ups.
    """

    currency: str
    as_of: dt.date
    projects: list[tuple[Project, ProjectEarnedValue]]
    programmes: list[EarnedValueGroup]
    portfolios: list[EarnedValueGroup]
    total: EarnedValueGroup
    read_seconds: float = 0.0
    engine_seconds: float = 0.0

    @property
    def left_out(self) -> list[tuple[Project, ProjectEarnedValue]]:
        """The projects whose figures could not be computed."""
        return [(project, figures) for project, figures in self.projects if not figures.computed]

    @property
    def overruns(self) -> list[tuple[Project, ProjectEarnedValue]]:
        """Projects with CPI or SPI(t) under 0.9 or a negative VAC, worst first."""
        found = [(p, figures) for p, figures in self.projects if figures.is_overrun]
        return sorted(found, key=lambda pair: (pair[1].severity, pair[0].code))


def _scope(user: Any, portfolio: Any, programme: Any) -> list[Project]:
    projects = visible(user, Project.objects.select_related("portfolio", "programme"))
    if portfolio is not None:
        projects = projects.filter(portfolio=portfolio)
    if programme is not None:
        projects = projects.filter(programme=programme)
    return list(projects.order_by("portfolio__name", "programme__name", "code"))


def portfolio_earned_value(
    user: Any,
    *,
    portfolio: Portfolio | int | None = None,
    programme: Programme | int | None = None,
    as_of: dt.date | None = None,
) -> PortfolioEarnedValue:
    """Earned value of the projects ``user`` may see (optionally of one portfolio or
    programme), of their programmes and portfolios, and of all of them, in the reporting
    currency at ``as_of`` (today by default).

    One engine call computes every project, a second one every group from the summed inputs.
    A project without a baseline, or whose currency (or an actual cost's) has no exchange rate,
    is listed with its problem and left out of the sums.
    """
    import time

    began = time.perf_counter()
    status = _status_date(as_of)
    table = rate_table()
    reporting = table.reporting_currency
    projects = _scope(user, portfolio, programme)
    inputs = _gather(projects, as_of=status, table=table)
    factors: dict[int, float] = {}
    for item in inputs.values():
        if not item.usable:
            continue
        rate = table.rate(item.currency, status)
        if rate is None:
            item.problems.append(
                CurrencyRateMissingError(item.currency, status, reporting).messages[0]
            )
        else:
            factors[item.project_id] = float(rate)
    usable = [project for project in projects if inputs[project.pk].usable]
    items = [inputs[project.pk] for project in usable]
    read_seconds = time.perf_counter() - began

    began = time.perf_counter()
    rows: list[tuple[Project, ProjectEarnedValue]] = []
    figures_by_project: dict[int, ProjectEarnedValue] = {}
    groups: list[EarnedValueGroup] = []
    if items:
        matrix = _matrix(items, [factors[item.project_id] for item in items])
        result = _engine(matrix, status)
        for index, project in enumerate(usable):
            figures_by_project[project.pk] = _figures(
                result,
                index,
                origin=matrix.origin,
                offset=int(matrix.offsets[index]),
                as_of=status,
                currency=reporting,
                project_id=project.pk,
                baseline_name=inputs[project.pk].baseline_name,
                completed_on=inputs[project.pk].completed_on,
            )
        groups = _groups(usable, matrix, status, reporting)
    for project in projects:
        item = inputs[project.pk]
        rows.append(
            (
                project,
                figures_by_project.get(project.pk)
                or ProjectEarnedValue(
                    currency=reporting,
                    as_of=status,
                    project_id=project.pk,
                    has_baseline=item.baseline_id is not None,
                    problems=item.problems,
                ),
            )
        )
    engine_seconds = time.perf_counter() - began
    total = next((group for group in groups if group.kind == "total"), None)
    return PortfolioEarnedValue(
        currency=reporting,
        as_of=status,
        projects=rows,
        programmes=[group for group in groups if group.kind == "programme"],
        portfolios=[group for group in groups if group.kind == "portfolio"],
        total=total
        or EarnedValueGroup(
            kind="total",
            pk=None,
            code="",
            name=gettext("All projects"),
            project_count=0,
            figures=ProjectEarnedValue(currency=reporting, as_of=status),
        ),
        read_seconds=read_seconds,
        engine_seconds=engine_seconds,
    )


def _groups(
    projects: Sequence[Project], matrix: _Matrix, as_of: dt.date, currency: str
) -> list[EarnedValueGroup]:
    """Programmes, portfolios and the total of ``projects`` (rows of ``matrix``), computed
    from summed inputs in one engine call."""
    programme_ids = sorted({p.programme_id for p in projects if p.programme_id is not None})
    portfolio_ids = sorted({p.portfolio_id for p in projects})
    programme_index = {pk: i for i, pk in enumerate(programme_ids)}
    portfolio_index = {pk: i for i, pk in enumerate(portfolio_ids)}
    in_programme = np.array([p.programme_id is not None for p in projects])
    curves: list[npt.NDArray[np.float64]] = []
    sums: dict[str, list[npt.NDArray[np.float64]]] = defaultdict(list)
    offsets: list[npt.NDArray[np.int64]] = []

    def add(selection: npt.NDArray[np.bool_], group_of: list[int], count: int) -> None:
        summed = roll_up_earned_value(
            planned_value=matrix.planned_value[selection],
            earned_value=matrix.earned_value[selection],
            actual_cost=matrix.actual_cost[selection],
            estimate_to_complete=matrix.estimate_to_complete[selection],
            groups=group_of,
            n_groups=count,
        )
        curves.append(summed["planned_value"])
        for name in ("earned_value", "actual_cost", "budget_at_completion"):
            sums[name].append(summed[name])
        etc = summed["estimate_to_complete"]
        sums["estimate_to_complete"].append(etc if etc is not None else np.full(count, np.nan))
        earliest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(earliest, group_of, matrix.offsets[selection])
        offsets.append(earliest)

    if programme_ids:
        add(
            in_programme,
            [programme_index[p.programme_id] for p in projects if p.programme_id is not None],
            len(programme_ids),
        )
    everything = np.ones(len(projects), dtype=bool)
    add(everything, [portfolio_index[p.portfolio_id] for p in projects], len(portfolio_ids))
    add(everything, [0] * len(projects), 1)
    result = earned_value_metrics(
        times=matrix.times,
        planned_value=np.concatenate(curves),
        earned_value=np.concatenate(sums["earned_value"]),
        actual_cost=np.concatenate(sums["actual_cost"]),
        budget_at_completion=np.concatenate(sums["budget_at_completion"]),
        estimate_to_complete=np.concatenate(sums["estimate_to_complete"]),
        as_of=_status_time(matrix.origin, as_of),
        method=EAC_METHOD,
    )
    group_offsets = np.concatenate(offsets)
    programmes = {p.programme_id: p.programme for p in projects if p.programme is not None}
    portfolios = {p.portfolio_id: p.portfolio for p in projects}
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for p in projects:
        if p.programme_id is not None:
            counts[("programme", p.programme_id)] += 1
        counts[("portfolio", p.portfolio_id)] += 1
    labels: list[tuple[GroupKind, int | None, str, str, int, int | None]] = []
    for pk in programme_ids:
        programme = programmes[pk]
        labels.append(
            (
                "programme",
                pk,
                programme.code,
                programme.name,
                counts[("programme", pk)],
                programme.portfolio_id,
            )
        )
    for pk in portfolio_ids:
        owner = portfolios[pk]
        labels.append(("portfolio", pk, owner.code, owner.name, counts[("portfolio", pk)], pk))
    labels.append(("total", None, "", gettext("All projects"), len(projects), None))
    return [
        EarnedValueGroup(
            kind=kind,
            pk=pk,
            code=code,
            name=name,
            project_count=count,
            portfolio_id=portfolio_id,
            figures=_figures(
                result,
                index,
                origin=matrix.origin,
                offset=int(group_offsets[index]),
                as_of=as_of,
                currency=currency,
            ),
        )
        for index, (kind, pk, code, name, count, portfolio_id) in enumerate(labels)
    ]


# Status-date records -------------------------------------------------------------------------


def earned_value_records(project: Project) -> list[EarnedValueRecord]:
    """The project's recorded status dates, latest first."""
    return list(
        EarnedValueRecord.objects.filter(project=project)
        .select_related("recorded_by")
        .order_by("-as_of")
    )


@transaction.atomic
def earned_value_record(*, actor: Any, project: Project, as_of: dt.date) -> EarnedValueRecord:
    """Store the project's earned value figures at ``as_of``, replacing those of the same date.

    Needs the Change permission on the project or the right to manage its money. Refuses a
    date in the future and a project whose figures cannot be computed.
    """
    if not (can(actor, Action.CHANGE, project) or can(actor, Action.MANAGE_FINANCE, project)):
        require(actor, Action.MANAGE_FINANCE, project)
    if as_of > _today():
        raise ValidationError(
            {
                "as_of": gettext("Figures cannot be recorded for %(date)s: it is in the future.")
                % {"date": as_of.isoformat()}
            },
            code="future_status_date",
        )
    figures = project_earned_value(project, as_of=as_of)
    if not figures.computed:
        raise ValidationError(
            gettext("The figures cannot be computed: %(problems)s.")
            % {"problems": "; ".join(figures.problems)},
            code="earned_value_unavailable",
        )
    values = {
        "planned_value": figures.planned_value,
        "earned_value": figures.earned_value,
        "actual_cost": figures.actual_cost,
        "budget_at_completion": figures.budget_at_completion,
        "estimate_at_completion": figures.estimate_at_completion,
        "currency": figures.currency,
        "recorded_by": acting_user(actor),
    }
    existing = EarnedValueRecord.objects.filter(project=project, as_of=as_of).first()
    if existing is not None:
        return update_audited(actor=actor, instance=existing, changes=values)
    return create_audited(
        actor=actor, instance=EarnedValueRecord(project=project, as_of=as_of, **values)
    )


# Budgets beside the earned value --------------------------------------------------------------


@dataclass(frozen=True)
class BudgetTotals:
    """The totals of a project's approved budget versions, by kind, in ``currency``."""

    currency: str
    original: Decimal | None
    approved: Decimal | None
    forecast: Decimal | None
    problems: list[str] = field(default_factory=list)


def budget_totals(project: Project, *, currency: str, on: dt.date) -> BudgetTotals:
    """The totals of the project's approved original, current approved and forecast budgets
    (the latest approved version of each kind), in ``currency`` (converted at ``on`` when it is
    not the project's)."""
    table = rate_table()
    summary = budget_summary(project, table=table)
    problems: list[str] = list(summary["problems"])
    totals: dict[str, Decimal | None] = {}
    for kind in BudgetKind.values:
        total = summary[kind]
        if total is not None and currency != project.currency:
            try:
                total = table.convert_between(total, project.currency, currency, on)
            except CurrencyRateMissingError as error:
                total = None
                problems.append(error.messages[0])
        totals[kind] = total
    return BudgetTotals(
        currency=currency,
        original=totals[BudgetKind.ORIGINAL],
        approved=totals[BudgetKind.APPROVED],
        forecast=totals[BudgetKind.FORECAST],
        problems=problems,
    )
