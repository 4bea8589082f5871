"""Test data for earned value: cost baselines, task progress, actual costs, exchange rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from pilotage.finance.models import (
    ActualCost,
    ActualCostSource,
    CostBaseline,
    CostBaselineTask,
    ExchangeRate,
)
from pilotage.planning.models import Task
from pilotage.portfolio.models import Project


@dataclass(frozen=True)
class Planned:
    """A task of a cost baseline: ``per_day`` planned on each of ``days`` days from ``start``."""

    name: str
    start: dt.date
    days: int
    per_day: Decimal
    percent_complete: float = 0.0


def cost_baseline(
    project: Project, planned: Sequence[Planned], *, currency: str | None = None
) -> tuple[CostBaseline, list[Task]]:
    """A current cost baseline of ``project`` made of ``planned`` tasks (created as tasks of
    the plan with their % complete)."""
    daily: dict[str, Decimal] = {}
    tasks = []
    for position, item in enumerate(planned, start=1):
        tasks.append(
            Task.objects.create(
                project=project,
                name=item.name,
                position=position,
                percent_complete=item.percent_complete,
            )
        )
        for offset in range(item.days):
            day = (item.start + dt.timedelta(days=offset)).isoformat()
            daily[day] = daily.get(day, Decimal(0)) + item.per_day
    total = sum(daily.values(), Decimal(0))
    baseline = CostBaseline.objects.create(
        project=project,
        name="Baseline",
        currency=currency or project.currency,
        budget_at_completion=total,
        labour_cost=total,
        start=min(item.start for item in planned),
        finish=max(item.start + dt.timedelta(days=item.days - 1) for item in planned),
        daily_cost={day: str(amount) for day, amount in sorted(daily.items())},
    )
    for item, task in zip(planned, tasks, strict=True):
        CostBaselineTask.objects.create(
            cost_baseline=baseline,
            task=task,
            name=item.name,
            start=item.start,
            finish=item.start + dt.timedelta(days=item.days - 1),
            labour_cost=item.per_day * item.days,
            cost=item.per_day * item.days,
        )
    return baseline, tasks


def actual_cost(project: Project, day: dt.date, amount: str, currency: str = "EUR") -> ActualCost:
    return ActualCost.objects.create(
        project=project,
        incurred_on=day,
        amount=Decimal(amount),
        currency=currency,
        source=ActualCostSource.EXPENSE,
    )


def exchange_rate(currency: str, valid_from: dt.date, rate: str) -> ExchangeRate:
    return ExchangeRate.objects.create(currency=currency, valid_from=valid_from, rate=Decimal(rate))
