"""Read and write durations, lags and predecessor lists as planners type them.

``5d``, ``2w``, ``3.5h``, ``10ed`` (elapsed days), ``0`` for a milestone; predecessors as
Microsoft Project writes them: ``3FS+2d; 5SS; 7FF-1d, 12``. The French codes (``FD``, ``DD``,
``FF``, ``DF``) and units (``j`` for days, ``s`` for weeks, ``ms`` for months) are read too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext

UNIT_ALIASES: dict[str, str] = {
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "heure": "h",
    "heures": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "j": "d",
    "jour": "d",
    "jours": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "s": "w",
    "sem": "w",
    "semaine": "w",
    "semaines": "w",
    "mo": "mo",
    "mon": "mo",
    "month": "mo",
    "months": "mo",
    "ms": "mo",
    "mois": "mo",
}

LINK_ALIASES: dict[str, str] = {
    "FS": "FS",
    "SS": "SS",
    "FF": "FF",
    "SF": "SF",
    "FD": "FS",
    "DD": "SS",
    "DF": "SF",
}

_QUANTITY = re.compile(
    r"^\s*(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*(?P<elapsed>e)?(?P<unit>[a-zé]*)\s*(?P<estimate>\?)?\s*$",
    re.IGNORECASE,
)
_PREDECESSOR = re.compile(
    r"^\s*(?P<id>[0-9]+)\s*(?P<type>[A-Za-z]{2})?\s*"
    r"(?:(?P<sign>[+-])\s*(?P<lag>[0-9]+(?:[.,][0-9]+)?\s*[a-zA-Z%é]*))?\s*$"
)


@dataclass(frozen=True)
class Quantity:
    """A duration or lag: whole minutes (or a percentage) and the unit it was typed in."""

    minutes: int
    unit: str
    percent: float | None = None


def unit_minutes(unit: str, minutes_per_day: int = 480) -> int:
    """How many minutes one ``unit`` holds (working units follow the calendar's day)."""
    base = unit[1:] if unit.startswith("e") and unit not in {"e%"} else unit
    elapsed = unit.startswith("e")
    day = 1440 if elapsed else minutes_per_day
    return {
        "m": 1,
        "h": 60,
        "d": day,
        "w": 7 * day if elapsed else 5 * day,
        "mo": 30 * day if elapsed else 20 * day,
    }.get(base, day)


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_quantity(
    text: str, *, minutes_per_day: int = 480, default_unit: str = "d", allow_percent: bool = False
) -> Quantity:
    """Read ``5d``, ``3.5h``, ``2ew``, ``50%``; raise a ValidationError naming the text."""
    match = _QUANTITY.match(text.replace("%", "pc"))
    if match is None:
        raise ValidationError(
            gettext(
                "“%(text)s” is not a duration: write a number and a unit, "
                "for example 3d, 4h, 2w or 1mo."
            )
            % {"text": text.strip()},
            code="invalid_duration",
        )
    try:
        number = _number(match["number"])
    except InvalidOperation as error:  # pragma: no cover - the pattern only lets digits through
        raise ValidationError(gettext("“%(text)s” is not a number.") % {"text": text}) from error
    elapsed = bool(match["elapsed"])
    unit_text = match["unit"].lower()
    if unit_text == "pc":
        if not allow_percent:
            raise ValidationError(
                gettext("“%(text)s”: a percentage is only allowed for a lag.") % {"text": text},
                code="invalid_duration",
            )
        unit = "e%" if elapsed else "%"
        return Quantity(0, unit, float(number))
    if not unit_text:
        if elapsed:
            # “2e” is not a unit; “e” alone never means elapsed without a unit.
            unit_text = "e"
        else:
            unit_text = default_unit.removeprefix("e")
            elapsed = default_unit.startswith("e") and default_unit != "e%"
    known = UNIT_ALIASES.get(unit_text)
    if known is None:
        raise ValidationError(
            gettext(
                "“%(text)s” has an unknown unit “%(unit)s”: use m, h, d, w or mo "
                "(prefixed with e for elapsed time)."
            )
            % {"text": text.strip(), "unit": unit_text},
            code="invalid_duration",
        )
    unit = known
    if elapsed:
        unit = "e" + unit
    minutes = int((number * unit_minutes(unit, minutes_per_day)).to_integral_value())
    return Quantity(minutes, unit)


def format_quantity(
    minutes: int, unit: str, *, minutes_per_day: int = 480, percent: float | None = None
) -> str:
    """Show minutes in the unit they were typed in: ``5d``, ``2.5h``, ``-1d``, ``50%``."""
    if unit in {"%", "e%"}:
        value = percent or 0.0
        return f"{'e' if unit == 'e%' else ''}{_short(value)}%"
    size = unit_minutes(unit, minutes_per_day)
    return f"{_short(minutes / size)}{unit}"


def _short(value: float) -> str:
    text = number_format(round(value, 2), decimal_pos=2)
    if "." in text or "," in text:
        text = text.rstrip("0").rstrip(".,")
    return text


@dataclass(frozen=True)
class PredecessorSpec:
    """One entry of a predecessors cell: the predecessor's ID, the link type and the lag."""

    position: int
    type: str = "FS"
    lag: Quantity = Quantity(0, "d")

    def text(self, minutes_per_day: int = 480) -> str:
        return format_predecessor(
            self.position,
            self.type,
            self.lag.minutes,
            self.lag.unit,
            self.lag.percent,
            minutes_per_day=minutes_per_day,
        )


def parse_predecessors(text: str, *, minutes_per_day: int = 480) -> list[PredecessorSpec]:
    """Read ``3FS+2d; 5SS, 7FF-1d`` into specs; raise a ValidationError naming the bad entry."""
    specs: list[PredecessorSpec] = []
    seen: set[int] = set()
    for entry in re.split(r"[;,]", text) if text.strip() else []:
        if not entry.strip():
            continue
        match = _PREDECESSOR.match(entry)
        link_type = (match["type"] or "FS").upper() if match else ""
        if match is None or link_type not in LINK_ALIASES:
            raise ValidationError(
                gettext(
                    "“%(entry)s” is not a predecessor: write the task ID, a link type and a lag, "
                    "for example 3FS+2d, 5SS or 7FF-1d."
                )
                % {"entry": entry.strip()},
                code="invalid_predecessor",
            )
        lag = Quantity(0, "d")
        if match["lag"]:
            lag = parse_quantity(match["lag"], minutes_per_day=minutes_per_day, allow_percent=True)
            if match["sign"] == "-":
                lag = Quantity(
                    -lag.minutes, lag.unit, None if lag.percent is None else -lag.percent
                )
        position = int(match["id"])
        if position in seen:
            raise ValidationError(
                gettext("Task %(id)s is listed twice as a predecessor.") % {"id": position},
                code="invalid_predecessor",
            )
        seen.add(position)
        specs.append(PredecessorSpec(position, LINK_ALIASES[link_type], lag))
    return specs


def format_predecessor(
    position: int | str,
    link_type: str,
    lag_minutes: int,
    lag_unit: str,
    lag_percent: float | None = None,
    *,
    minutes_per_day: int = 480,
) -> str:
    """``3``, ``5SS``, ``7FF-1d``, ``4FS+50%``: the shortest form Microsoft Project shows."""
    has_lag = bool(lag_minutes) or bool(lag_percent)
    text = f"{position}"
    if link_type != "FS" or has_lag:
        text += link_type
    if has_lag:
        value = lag_percent if lag_unit in {"%", "e%"} else lag_minutes
        sign = "-" if (value or 0) < 0 else "+"
        text += sign + format_quantity(
            abs(lag_minutes),
            lag_unit,
            minutes_per_day=minutes_per_day,
            percent=None if lag_percent is None else abs(lag_percent),
        )
    return text
