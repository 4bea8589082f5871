"""Amounts in the reporting currency: the organisation's settings and its exchange-rate table."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from pilotage.finance.models import ExchangeRate, FinanceSettings

__all__ = [
    "CENT",
    "CurrencyRateMissingError",
    "RateTable",
    "finance_settings",
    "quantize_money",
    "rate_table",
]

CENT = Decimal("0.01")


def quantize_money(amount: Decimal) -> Decimal:
    """Round to cents, halves away from zero (as invoices and ledgers do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def finance_settings() -> FinanceSettings:
    """The organisation's money settings, created with their defaults on first use."""
    settings, _ = FinanceSettings.objects.get_or_create(pk=1)
    return settings


class CurrencyRateMissingError(ValidationError):
    """No exchange rate converts a currency on a date; the message names both."""

    def __init__(self, currency: str, on: dt.date, reporting: str) -> None:
        super().__init__(
            gettext(
                "There is no exchange rate from %(currency)s to %(reporting)s on %(date)s: "
                "add one under Finance › Exchange rates."
            )
            % {"currency": currency, "reporting": reporting, "date": on.isoformat()},
            code="currency_without_rate",
        )
        self.currency = currency
        self.on = on


@dataclass
class RateTable:
    """The exchange rates in memory: converts amounts to the reporting currency on a date.

    A rate applies from its date until the next rate of the same currency; before a currency's
    first rate there is none. The reporting currency converts to itself at 1.
    """

    reporting_currency: str
    _dates: dict[str, list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    _rates: dict[str, list[Decimal]] = field(default_factory=lambda: defaultdict(list))

    def add(self, currency: str, valid_from: dt.date, rate: Decimal) -> None:
        dates = self._dates[currency]
        index = bisect.bisect_left(dates, valid_from)
        dates.insert(index, valid_from)
        self._rates[currency].insert(index, rate)

    def rate(self, currency: str, on: dt.date) -> Decimal | None:
        """Units of the reporting currency for one unit of ``currency`` on ``on``, if known."""
        if currency == self.reporting_currency:
            return Decimal(1)
        dates = self._dates.get(currency)
        if not dates:
            return None
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            return None
        return self._rates[currency][index]

    def has_rate(self, currency: str, on: dt.date) -> bool:
        return self.rate(currency, on) is not None

    def convert(self, amount: Decimal, currency: str, on: dt.date) -> Decimal:
        """``amount`` in the reporting currency, rounded to cents.

        Raises :class:`CurrencyRateMissingError` when no rate applies on that date.
        """
        rate = self.rate(currency, on)
        if rate is None:
            raise CurrencyRateMissingError(currency, on, self.reporting_currency)
        return quantize_money(amount * rate)

    def convert_between(self, amount: Decimal, source: str, target: str, on: dt.date) -> Decimal:
        """``amount`` from one currency to another, through the reporting currency."""
        if source == target:
            return amount
        to_reporting = self.rate(source, on)
        if to_reporting is None:
            raise CurrencyRateMissingError(source, on, self.reporting_currency)
        from_reporting = self.rate(target, on)
        if from_reporting is None:
            raise CurrencyRateMissingError(target, on, self.reporting_currency)
        return quantize_money(amount * to_reporting / from_reporting)


def rate_table() -> RateTable:
    """Every exchange rate, read in one query, with the reporting currency of the settings."""
    table = RateTable(reporting_currency=finance_settings().reporting_currency)
    for currency, valid_from, rate in ExchangeRate.objects.order_by(
        "currency", "valid_from"
    ).values_list("currency", "valid_from", "rate"):
        table.add(currency, valid_from, rate)
    return table
