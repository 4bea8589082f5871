"""Hourly cost of people's time: their own rates, or the rate card of a time-and-materials
contract that covers them on a project.

Internal rates (``Resource.standard_rate`` and ``ResourceRate``) are in the reporting currency;
a contract's rates are in the contract's currency. Rates per day, week, month and year are
turned into hourly rates with Microsoft Project's defaults: 8 hours a day, 40 a week, 160 a
month (20 days) and 2,080 a year (52 weeks).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from pilotage.finance.models import Contract, ContractKind, ContractStatus, RateCardLine
from pilotage.resources.models import Resource, ResourceRate

__all__ = [
    "HOURS_PER_RATE_UNIT",
    "ContractRate",
    "LabourRates",
    "contract_rates",
    "hourly",
    "labour_rates",
]

HOURS_PER_RATE_UNIT: dict[str, Decimal] = {
    "m": Decimal(1) / Decimal(60),
    "h": Decimal(1),
    "d": Decimal(8),
    "w": Decimal(40),
    "mo": Decimal(160),
    "y": Decimal(2080),
}


def hourly(rate: Decimal, unit: str) -> Decimal:
    """A rate per ``unit`` as a rate per hour.

    >>> hourly(Decimal("640"), "d")
    Decimal('80')
    """
    return rate / HOURS_PER_RATE_UNIT[unit]


@dataclass
class LabourRates:
    """Internal hourly rates of some resources by date, read once."""

    _dates: dict[int, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    _rates: dict[int, list[Decimal]] = field(default_factory=lambda: defaultdict(list))
    _fallback: dict[int, Decimal] = field(default_factory=dict)

    def hourly_rate(self, resource_id: int, on: dt.date) -> Decimal | None:
        """The resource's hourly rate on ``on``: the latest dated rate from on or before that
        day, else the resource's own standard rate, else None (no rate known)."""
        dates = self._dates.get(resource_id)
        if dates:
            index = bisect.bisect_right(dates, on) - 1
            if index >= 0:
                return self._rates[resource_id][index]
        return self._fallback.get(resource_id)


def labour_rates(resource_ids: Iterable[int]) -> LabourRates:
    """The internal rates of ``resource_ids`` (two queries)."""
    ids = sorted(set(resource_ids))
    rates = LabourRates()
    for resource_id, rate, unit in Resource.objects.filter(
        pk__in=ids, standard_rate__isnull=False
    ).values_list("pk", "standard_rate", "standard_rate_unit"):
        if rate is not None:
            rates._fallback[resource_id] = hourly(rate, unit)
    for resource_id, effective_from, rate, unit in (
        ResourceRate.objects.filter(resource_id__in=ids)
        .order_by("resource_id", "effective_from")
        .values_list("resource_id", "effective_from", "standard_rate", "standard_rate_unit")
    ):
        rates._dates[resource_id].append(effective_from)
        rates._rates[resource_id].append(hourly(rate, unit))
    return rates


@dataclass(frozen=True)
class ContractRate:
    """What a time-and-materials contract charges for one person's hour on a project."""

    line: RateCardLine
    contract: Contract
    hourly_rate: Decimal
    currency: str

    def covers(self, on: dt.date) -> bool:
        contract = self.contract
        return (contract.start_date is None or contract.start_date <= on) and (
            contract.end_date is None or on <= contract.end_date
        )


def contract_rates(
    project_ids: Iterable[int], resource_ids: Iterable[int]
) -> dict[tuple[int, int], list[ContractRate]]:
    """The rate-card lines of active time-and-materials contracts of ``project_ids`` that apply
    to ``resource_ids``, keyed by (project id, resource id).

    A line naming the person applies before one for their role; callers take the first line
    whose contract ``covers`` the date.
    """
    resources = dict(Resource.objects.filter(pk__in=set(resource_ids)).values_list("pk", "role_id"))
    roles = {role_id for role_id in resources.values() if role_id is not None}
    lines = (
        RateCardLine.objects.filter(
            contract__project_id__in=set(project_ids),
            contract__kind=ContractKind.TIME_AND_MATERIALS,
            contract__status=ContractStatus.ACTIVE,
        )
        .filter(Q(resource_id__in=resources.keys()) | Q(role_id__in=roles))
        .select_related("contract")
        .order_by("contract__start_date", "pk")
    )
    found: dict[tuple[int, int], list[ContractRate]] = defaultdict(list)
    by_role: dict[tuple[int, int], list[ContractRate]] = defaultdict(list)
    for line in lines:
        rate = ContractRate(
            line=line,
            contract=line.contract,
            hourly_rate=hourly(line.rate, line.unit),
            currency=line.contract.currency,
        )
        if line.resource_id is not None:
            found[(line.contract.project_id, line.resource_id)].append(rate)
        elif line.role_id is not None:
            by_role[(line.contract.project_id, line.role_id)].append(rate)
    for (project_id, role_id), rates in by_role.items():
        for resource_id, resource_role in resources.items():
            if resource_role == role_id:
                found[(project_id, resource_id)].extend(rates)
    return dict(found)
